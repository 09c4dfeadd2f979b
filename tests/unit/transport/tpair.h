/* SPDX-License-Identifier: ISC */
/*
 * An in-memory client <-> server transport pair for the transport tests:
 * both cores run in one process and talk through buffers, with no
 * sockets. Also raw packets, to play a peer by hand.
 */
#ifndef ADIT_TEST_TPAIR_H
#define ADIT_TEST_TPAIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "keys/sshkey.h"
#include "transport/kexinit.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "transport/transport_int.h"
#include "util/adit_limits.h"
#include "util/err.h"

#define PUMP_ROUNDS 200
#define MAX_MSGS 512

enum { HK_ED25519, HK_P256, HK_P384, HK_P521, HK_RSA, HK_COUNT };

/* Host keys, generated once per run (RSA is slow). */
struct keyset {
    struct sshkey *k[HK_COUNT];
};

/* What one side received from the other: message bodies, in order. */
struct inbox {
    size_t n;
    uint32_t seq[MAX_MSGS];
};

struct pair {
    struct transport *c, *s;
    struct inbox c_in, s_in;
    int verify_rc;
    int verify_calls;
    int c_err, s_err;
};

static inline int
verify_cb(void *ctx, const struct sshkey *key)
{
    struct pair *p = ctx;

    assert_non_null(key);
    p->verify_calls++;
    return p->verify_rc;
}

static inline int
setup_keys(void **state)
{
    struct keyset *ks = calloc(1, sizeof(*ks));
    const enum sshkey_type types[HK_COUNT] = {SSHKEY_ED25519, SSHKEY_ECDSA_P256,
                                              SSHKEY_ECDSA_P384,
                                              SSHKEY_ECDSA_P521, SSHKEY_RSA};
    int i;

    assert_non_null(ks);
    for (i = 0; i < HK_COUNT; i++) {
        assert_int_equal(sshkey_generate(types[i],
                                         types[i] == SSHKEY_RSA ? 2048 : 0,
                                         &ks->k[i]),
                         0);
    }
    *state = ks;
    return 0;
}

static inline int
teardown_keys(void **state)
{
    struct keyset *ks = *state;
    int i;

    for (i = 0; i < HK_COUNT; i++) {
        sshkey_free(ks->k[i]);
    }
    free(ks);
    return 0;
}

struct pair_opts {
    const char *kex, *cipher, *mac, *hostkey_alg;
    const char *s_cipher; /* server's cipher list if different */
    struct sshkey *hostkey;
    uint64_t c_rekey_bytes;
    uint32_t c_rekey_seconds;
};

static inline void
pair_new(struct pair *p, const struct pair_opts *o)
{
    struct transport_config cc, sc;

    memset(p, 0, sizeof(*p));
    memset(&cc, 0, sizeof(cc));
    cc.software_version = "adit_test";
    cc.kex_algs = o->kex;
    cc.ciphers = o->cipher;
    cc.macs = o->mac;
    cc.hostkey_algs = o->hostkey_alg;
    cc.verify_hostkey = verify_cb;
    cc.verify_ctx = p;
    cc.rekey_bytes = o->c_rekey_bytes;
    cc.rekey_seconds = o->c_rekey_seconds;
    sc = cc;
    sc.is_server = true;
    sc.software_version = "aditd_test";
    sc.ciphers = o->s_cipher != NULL ? o->s_cipher : o->cipher;
    sc.hostkeys = &o->hostkey;
    sc.n_hostkeys = 1;
    sc.rekey_bytes = 0;
    sc.rekey_seconds = 0;
    assert_int_equal(transport_new(&p->c, &cc), 0);
    assert_int_equal(transport_new(&p->s, &sc), 0);
    assert_int_equal(transport_start(p->c, 1000), 0);
    assert_int_equal(transport_start(p->s, 1000), 0);
}

static inline void
pair_free(struct pair *p)
{
    transport_free(p->c);
    transport_free(p->s);
}

/* Send an upper-layer message: CHANNEL_DATA carrying a sequence number. */
static inline void
send_msg(struct transport *t, uint32_t seq, size_t pad)
{
    struct pkt_sink sink;
    uint8_t *payload;

    transport_sink(t, &sink);
    assert_int_equal(sink.reserve(sink.ctx, 5 + pad, &payload), 0);
    payload[0] = SSH_MSG_CHANNEL_DATA;
    put_u32_be(payload + 1, seq);
    memset(payload + 5, 0x5a, pad);
    assert_int_equal(sink.commit(sink.ctx, 5 + pad), 0);
}

/* Move one side's output into the other and drain it; true if moved. */
static inline bool
transfer(struct transport *from, struct transport *to, struct inbox *box,
         int *err)
{
    struct buf b;
    const uint8_t *p;
    size_t n, off = 0;
    int r;

    if (*err != 0 || !transport_has_output(from)) {
        return false;
    }
    buf_init(&b);
    transport_take_output(from, &b);
    while (off < buf_len(&b) && *err == 0) {
        size_t chunk = buf_len(&b) - off;

        if (chunk > LIM_PACKET_RECV) {
            chunk = LIM_PACKET_RECV;
        }
        assert_int_equal(transport_feed(to, buf_ptr(&b) + off, chunk), 0);
        off += chunk;
        /* These pairs carry CHANNEL_DATA without user authentication:
         * tell the state gate the connection protocol is on once the
         * first kex is done (after the server's EXT_INFO went by). */
        if (transport_is_ready(to)) {
            transport_set_authenticated(to);
        }
        while ((r = transport_next(to, &p, &n)) == 0) {
            assert_true(n >= 5);
            assert_int_equal(p[0], SSH_MSG_CHANNEL_DATA);
            assert_true(box->n < MAX_MSGS);
            box->seq[box->n++] = get_u32_be(p + 1);
        }
        if (r != ERR_AGAIN) {
            *err = r;
        }
    }
    buf_cleanup(&b);
    return true;
}

/* Run both sides until neither has anything to say. */
static inline void
pump(struct pair *p)
{
    int i;

    for (i = 0; i < PUMP_ROUNDS; i++) {
        bool a = transfer(p->c, p->s, &p->s_in, &p->s_err);
        bool b = transfer(p->s, p->c, &p->c_in, &p->c_err);

        if (!a && !b) {
            return;
        }
    }
    fail_msg("transports did not go quiet");
}

static inline void
check_agree(struct pair *p)
{
    struct transport_algs ca, sa;
    const uint8_t *cs, *ss;
    size_t cl, sl;

    assert_int_equal(p->c_err, 0);
    assert_int_equal(p->s_err, 0);
    assert_true(transport_is_ready(p->c));
    assert_true(transport_is_ready(p->s));
    transport_get_algs(p->c, &ca);
    transport_get_algs(p->s, &sa);
    assert_string_equal(ca.kex, sa.kex);
    assert_string_equal(ca.hostkey, sa.hostkey);
    assert_string_equal(ca.cipher_c2s, sa.cipher_c2s);
    assert_string_equal(ca.cipher_s2c, sa.cipher_s2c);
    assert_string_equal(ca.mac_c2s, sa.mac_c2s);
    assert_string_equal(ca.mac_s2c, sa.mac_s2c);
    assert_true(ca.strict_kex);
    assert_true(sa.strict_kex);
    cs = transport_session_id(p->c, &cl);
    ss = transport_session_id(p->s, &sl);
    assert_non_null(cs);
    assert_int_equal(cl, sl);
    assert_memory_equal(cs, ss, cl);
    assert_string_equal(transport_peer_version(p->c), "SSH-2.0-aditd_test");
    assert_string_equal(transport_peer_version(p->s), "SSH-2.0-adit_test");
    assert_non_null(transport_hostkey(p->c));
}

static inline void
check_inbox(const struct inbox *box, uint32_t first, size_t n)
{
    size_t i;

    assert_int_equal(box->n, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(box->seq[i], first + i);
    }
}

/*
 * A pair with these algorithms (hostkey_alg may be NULL, and then the
 * key's own): the kex completes, both agree on what was negotiated, and
 * one message goes each way.
 */
static inline void
run_pair(struct keyset *ks, const char *kex, const char *cipher,
         const char *mac, int key, const char *hostkey_alg)
{
    struct pair_opts o;
    struct pair p;
    struct transport_algs a;

    memset(&o, 0, sizeof(o));
    o.kex = kex;
    o.cipher = cipher;
    o.mac = mac;
    o.hostkey_alg = hostkey_alg;
    o.hostkey = ks->k[key];
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    transport_get_algs(p.c, &a);
    assert_string_equal(a.kex, kex);
    assert_string_equal(a.cipher_c2s, cipher);
    if (hostkey_alg != NULL) {
        assert_string_equal(a.hostkey, hostkey_alg);
    }
    assert_int_equal(p.verify_calls, 1);
    send_msg(p.c, 7, 10);
    send_msg(p.s, 9, 100);
    pump(&p);
    check_inbox(&p.s_in, 7, 1);
    check_inbox(&p.c_in, 9, 1);
    pair_free(&p);
}

static inline void
default_opts(struct pair_opts *o, struct keyset *ks)
{
    memset(o, 0, sizeof(*o));
    o->hostkey = ks->k[HK_ED25519];
}

/* A plaintext packet, as before the first NEWKEYS (RFC 4253 6). */
static inline void
put_plain(struct buf *b, const uint8_t *payload, size_t n)
{
    size_t pad = 8 - (5 + n) % 8;
    uint8_t zero[16];

    if (pad < 4) {
        pad += 8;
    }
    memset(zero, 0, sizeof(zero));
    assert_int_equal(buf_put_u32(b, (uint32_t)(1 + n + pad)), 0);
    assert_int_equal(buf_put_u8(b, (uint8_t)pad), 0);
    assert_int_equal(buf_put(b, payload, n), 0);
    assert_int_equal(buf_put(b, zero, pad), 0);
}

static inline void
put_kexinit_kex(struct buf *b, const char *kex, bool follows)
{
    struct kexinit ki;
    struct buf payload;
    const char *lists[KI_NLISTS] = {kex,
                                    "ssh-ed25519",
                                    "aes128-ctr",
                                    "aes128-ctr",
                                    "hmac-sha2-256",
                                    "hmac-sha2-256",
                                    "none",
                                    "none",
                                    "",
                                    ""};
    size_t i;

    memset(&ki, 0, sizeof(ki));
    for (i = 0; i < KI_NLISTS; i++) {
        ki.lists[i] = (char *)lists[i];
    }
    ki.first_kex_follows = follows;
    buf_init(&payload);
    assert_int_equal(kexinit_encode(&payload, &ki), 0);
    put_plain(b, buf_ptr(&payload), buf_len(&payload));
    buf_cleanup(&payload);
}

/*
 * One side alone, to be fed packets by hand: a server with an Ed25519 host
 * key, or a client without host key checks; kex NULL for the defaults.
 */
static inline struct transport *
raw_peer(struct keyset *ks, bool is_server, const char *kex)
{
    struct transport_config cfg;
    struct transport *t = NULL;

    memset(&cfg, 0, sizeof(cfg));
    cfg.is_server = is_server;
    cfg.software_version = is_server ? "aditd_test" : "adit_test";
    cfg.kex_algs = kex;
    if (is_server) {
        cfg.hostkeys = &ks->k[HK_ED25519];
        cfg.n_hostkeys = 1;
    }
    assert_int_equal(transport_new(&t, &cfg), 0);
    assert_int_equal(transport_start(t, 0), 0);
    return t;
}

static inline struct transport *
raw_server(struct keyset *ks)
{
    return raw_peer(ks, true, NULL);
}

#endif
