/* SPDX-License-Identifier: ISC */
/* In-memory client <-> server transport tests: kex matrix, rekey, errors. */
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

static int
verify_cb(void *ctx, const struct sshkey *key)
{
    struct pair *p = ctx;

    assert_non_null(key);
    p->verify_calls++;
    return p->verify_rc;
}

static int
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

static int
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

static void
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

static void
pair_free(struct pair *p)
{
    transport_free(p->c);
    transport_free(p->s);
}

/* Send an upper-layer message: CHANNEL_DATA carrying a sequence number. */
static void
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
static bool
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
static void
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

static void
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

static void
check_inbox(const struct inbox *box, uint32_t first, size_t n)
{
    size_t i;

    assert_int_equal(box->n, n);
    for (i = 0; i < n; i++) {
        assert_int_equal(box->seq[i], first + i);
    }
}

static const char *const kexes[] = {
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"};
static const char *const ciphers[] = {
    "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr"};
static const struct {
    int key;
    const char *alg;
} hostkeys[] = {
    {HK_ED25519, "ssh-ed25519"},      {HK_P256, "ecdsa-sha2-nistp256"},
    {HK_P384, "ecdsa-sha2-nistp384"}, {HK_P521, "ecdsa-sha2-nistp521"},
    {HK_RSA, "rsa-sha2-256"},         {HK_RSA, "rsa-sha2-512"},
};

static void
run_one(struct keyset *ks, size_t ki, size_t ci, size_t hi, const char *mac)
{
    struct pair_opts o;
    struct pair p;
    struct transport_algs a;

    memset(&o, 0, sizeof(o));
    o.kex = kexes[ki];
    o.cipher = ciphers[ci];
    o.mac = mac;
    o.hostkey_alg = hostkeys[hi].alg;
    o.hostkey = ks->k[hostkeys[hi].key];
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    transport_get_algs(p.c, &a);
    assert_string_equal(a.kex, kexes[ki]);
    assert_string_equal(a.cipher_c2s, ciphers[ci]);
    assert_string_equal(a.hostkey, hostkeys[hi].alg);
    assert_int_equal(p.verify_calls, 1);
    send_msg(p.c, 7, 10);
    send_msg(p.s, 9, 100);
    pump(&p);
    check_inbox(&p.s_in, 7, 1);
    check_inbox(&p.c_in, 9, 1);
    pair_free(&p);
}

static void
test_matrix(void **state)
{
    size_t ki, ci, hi;

    for (ki = 0; ki < sizeof(kexes) / sizeof(kexes[0]); ki++) {
        for (ci = 0; ci < sizeof(ciphers) / sizeof(ciphers[0]); ci++) {
            for (hi = 0; hi < sizeof(hostkeys) / sizeof(hostkeys[0]); hi++) {
                run_one(*state, ki, ci, hi, NULL);
            }
        }
    }
}

static void
test_macs(void **state)
{
    const char *macs[] = {"hmac-sha2-256-etm@openssh.com",
                          "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256",
                          "hmac-sha2-512"};
    size_t i;

    for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
        run_one(*state, 0, 3, 0, macs[i]);
        run_one(*state, 2, 4, 1, macs[i]);
    }
}

static void
default_opts(struct pair_opts *o, struct keyset *ks)
{
    memset(o, 0, sizeof(*o));
    o->hostkey = ks->k[HK_ED25519];
}

static void
run_rekey(struct keyset *ks, bool client_starts)
{
    struct pair_opts o;
    struct pair p;
    struct transport_stats cs, ss;
    uint8_t sid[DIGEST_MAX_LEN];
    const uint8_t *x;
    size_t sl, sl2;
    struct transport *init, *other;
    uint32_t nc = 0, ns = 100000, i;

    default_opts(&o, ks);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    x = transport_session_id(p.c, &sl);
    memcpy(sid, x, sl);
    init = client_starts ? p.c : p.s;
    other = client_starts ? p.s : p.c;
    /* Before. */
    send_msg(p.c, nc++, 20);
    send_msg(p.s, ns++, 20);
    assert_int_equal(transport_rekey(init), 0);
    /* During: the initiator holds its messages; the other side does not
     * know yet and sends more than a kex's packet budget. */
    send_msg(p.c, nc++, 3000);
    send_msg(p.s, ns++, 3000);
    assert_true(transport_queued(init) > 0);
    for (i = 0; i < LIM_KEX_MESSAGES + 10; i++) {
        send_msg(other, client_starts ? ns++ : nc++, 1);
    }
    /* The other side sees the KEXINIT and answers; it now holds too. */
    transfer(init, other, client_starts ? &p.s_in : &p.c_in,
             client_starts ? &p.s_err : &p.c_err);
    send_msg(p.c, nc++, 0);
    send_msg(p.s, ns++, 0);
    pump(&p);
    /* After. */
    send_msg(p.c, nc++, 1);
    send_msg(p.s, ns++, 1);
    pump(&p);
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    check_inbox(&p.s_in, 0, nc);
    check_inbox(&p.c_in, 100000, ns - 100000);
    transport_get_stats(p.c, &cs);
    transport_get_stats(p.s, &ss);
    assert_int_equal(cs.kex_count, 2);
    assert_int_equal(ss.kex_count, 2);
    assert_int_equal(p.verify_calls, 2);
    x = transport_session_id(p.s, &sl2);
    assert_int_equal(sl, sl2);
    assert_memory_equal(sid, x, sl);
    pair_free(&p);
}

static void
test_rekey_by_client(void **state)
{
    run_rekey(*state, true);
}

static void
test_rekey_by_server(void **state)
{
    run_rekey(*state, false);
}

/* Strict kex: every NEWKEYS resets the sequence numbers to 0. */
static void
test_strict_seqnr_reset(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    /* The server sent EXT_INFO after its NEWKEYS. */
    assert_int_equal(p.s->out.seqnr, 1);
    assert_int_equal(p.c->in.seqnr, 1);
    assert_int_equal(p.c->out.seqnr, 0);
    assert_int_equal(p.s->in.seqnr, 0);
    send_msg(p.c, 0, 0);
    send_msg(p.c, 1, 0);
    pump(&p);
    assert_int_equal(p.c->out.seqnr, 2);
    assert_int_equal(transport_rekey(p.c), 0);
    pump(&p);
    assert_true(transport_is_ready(p.c));
    assert_int_equal(p.c->stats.kex_count, 2);
    assert_int_equal(p.c->out.seqnr, 0);
    assert_int_equal(p.c->in.seqnr, 0);
    assert_int_equal(p.s->out.seqnr, 0);
    assert_int_equal(p.s->in.seqnr, 0);
    pair_free(&p);
}

static void
test_ext_info(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    assert_non_null(transport_server_sig_algs(p.c));
    assert_string_equal(transport_server_sig_algs(p.c),
                        "ssh-ed25519,ecdsa-sha2-nistp256,"
                        "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
                        "rsa-sha2-512,rsa-sha2-256");
    assert_null(transport_server_sig_algs(p.s));
    pair_free(&p);
}

static void
test_rekey_by_bytes(void **state)
{
    struct pair_opts o;
    struct pair p;
    uint32_t i;

    default_opts(&o, *state);
    o.c_rekey_bytes = 4000;
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    for (i = 0; i < 20; i++) {
        send_msg(p.c, i, 1000);
        send_msg(p.s, 1000 + i, 10);
        pump(&p);
    }
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    check_inbox(&p.s_in, 0, 20);
    check_inbox(&p.c_in, 1000, 20);
    assert_true(p.c->stats.kex_count >= 4);
    assert_int_equal(p.c->stats.kex_count, p.s->stats.kex_count);
    pair_free(&p);
}

static void
test_rekey_by_time(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    o.c_rekey_seconds = 10;
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    assert_int_equal(transport_tick(p.c, 1000 + 9999), 0);
    assert_false(transport_has_output(p.c));
    assert_int_equal(transport_tick(p.c, 1000 + 10000), 0);
    assert_true(transport_has_output(p.c));
    pump(&p);
    assert_int_equal(p.c->stats.kex_count, 2);
    assert_int_equal(p.s->stats.kex_count, 2);
    /* The clock restarts at the end of the kex. */
    assert_int_equal(transport_tick(p.c, 1000 + 19999), 0);
    assert_false(transport_has_output(p.c));
    pair_free(&p);
}

static void
test_hostkey_refused(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    p.verify_rc = ERR_HOSTKEY;
    pump(&p);
    assert_int_equal(p.c_err, ERR_HOSTKEY);
    assert_int_equal(p.s_err, ERR_DISCONNECTED);
    assert_string_equal(transport_error(p.s),
                        "Received disconnect from peer: 9: Host key "
                        "verification failed.");
    assert_false(transport_is_ready(p.c));
    pair_free(&p);
}

static void
test_no_common_cipher(void **state)
{
    struct pair_opts o;
    struct pair p;
    const uint8_t *pl;
    size_t n;

    default_opts(&o, *state);
    o.cipher = "chacha20-poly1305@openssh.com";
    o.s_cipher = "aes256-ctr";
    pair_new(&p, &o);
    pump(&p);
    assert_int_equal(p.c_err, ERR_KEX_NOMATCH);
    assert_string_equal(transport_error(p.c),
                        "no matching cipher found: client "
                        "chacha20-poly1305@openssh.com server aes256-ctr");
    assert_int_equal(p.s_err, ERR_KEX_NOMATCH);
    /* The error sticks. */
    assert_int_equal(transport_next(p.c, &pl, &n), ERR_KEX_NOMATCH);
    pair_free(&p);
}

static void
test_peer_disconnect(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    assert_int_equal(transport_disconnect(p.s, 11, "bye\n"), 0);
    pump(&p);
    assert_int_equal(p.c_err, ERR_DISCONNECTED);
    assert_string_equal(transport_error(p.c),
                        "Received disconnect from peer: 11: bye?");
    pair_free(&p);
}

/* An unknown transport message is answered with UNIMPLEMENTED. */
static void
test_unimplemented(void **state)
{
    struct pair_opts o;
    struct pair p;
    struct pkt_sink sink;
    const uint8_t msg[2] = {15, 0};
    uint64_t before;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    before = p.s->stats.packets_out;
    transport_sink(p.c, &sink);
    assert_int_equal(sink_send(&sink, msg, sizeof(msg)), 0);
    pump(&p);
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    assert_int_equal(p.s->stats.packets_out, before + 1);
    send_msg(p.c, 5, 0);
    pump(&p);
    check_inbox(&p.s_in, 5, 1);
    pair_free(&p);
}

/* A plaintext packet, as before the first NEWKEYS (RFC 4253 6). */
static void
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

static void
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

static void
put_client_kexinit(struct buf *b, bool strict)
{
    put_kexinit_kex(b,
                    strict ? "curve25519-sha256,kex-strict-c-v00@openssh.com"
                           : "curve25519-sha256",
                    false);
}

static struct transport *
raw_server(struct keyset *ks)
{
    struct transport_config sc;
    struct transport *s = NULL;

    memset(&sc, 0, sizeof(sc));
    sc.is_server = true;
    sc.software_version = "aditd_test";
    sc.hostkeys = &ks->k[HK_ED25519];
    sc.n_hostkeys = 1;
    assert_int_equal(transport_new(&s, &sc), 0);
    assert_int_equal(transport_start(s, 0), 0);
    return s;
}

/* Feed version line + IGNORE + KEXINIT; returns transport_next's result. */
static int
ignore_then_kexinit(struct keyset *ks, bool strict, char *err, size_t len)
{
    static const uint8_t ignore[5] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(ks);
    struct buf b;
    const uint8_t *p;
    size_t n;
    int r;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_plain(&b, ignore, sizeof(ignore));
    put_client_kexinit(&b, strict);
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    r = transport_next(s, &p, &n);
    snprintf(err, len, "%s", transport_error(s));
    buf_cleanup(&b);
    transport_free(s);
    return r;
}

static void
test_ignore_before_kexinit(void **state)
{
    char err[256];

    assert_int_equal(ignore_then_kexinit(*state, false, err, sizeof(err)),
                     ERR_AGAIN);
    assert_string_equal(err, "");
    assert_int_equal(ignore_then_kexinit(*state, true, err, sizeof(err)),
                     ERR_STRICT_KEX);
    assert_non_null(strstr(err, "strict KEX violation"));
}

/* Strict kex: an IGNORE after KEXINIT during the initial kex is fatal. */
static void
test_strict_ignore_during_kex(void **state)
{
    static const uint8_t ignore[5] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(*state);
    struct buf b;
    const uint8_t *p;
    size_t n;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_client_kexinit(&b, true);
    put_plain(&b, ignore, sizeof(ignore));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(s, &p, &n), ERR_STRICT_KEX);
    /* A DISCONNECT was queued for the peer. */
    assert_true(transport_has_output(s));
    buf_cleanup(&b);
    transport_free(s);
}

/* Connection-layer messages before the first NEWKEYS are refused. */
static void
test_upper_before_newkeys(void **state)
{
    static const uint8_t data[5] = {SSH_MSG_CHANNEL_DATA, 0, 0, 0, 1};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(*state);
    struct buf b;
    const uint8_t *p;
    size_t n;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_client_kexinit(&b, false);
    put_plain(&b, data, sizeof(data));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(s, &p, &n), ERR_PROTO);
    assert_int_equal(transport_next(s, &p, &n), ERR_PROTO);
    buf_cleanup(&b);
    transport_free(s);
}

/* A NEWKEYS or kex reply out of turn is a protocol error. */
static void
test_kex_msg_out_of_turn(void **state)
{
    static const uint8_t newkeys[1] = {SSH_MSG_NEWKEYS};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(*state);
    struct buf b;
    const uint8_t *p;
    size_t n;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_client_kexinit(&b, false);
    put_plain(&b, newkeys, sizeof(newkeys));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(s, &p, &n), ERR_PROTO);
    assert_string_equal(transport_error(s), "unexpected NEWKEYS");
    buf_cleanup(&b);
    transport_free(s);
}

/* first_kex_packet_follows: a wrong guess is dropped, a right one used. */
static int
guess(struct keyset *ks, const char *kex)
{
    static const uint8_t bogus[3] = {SSH_MSG_KEX_ECDH_INIT, 0, 0};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(ks);
    struct buf b;
    const uint8_t *p;
    size_t n;
    int r;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_kexinit_kex(&b, kex, true);
    put_plain(&b, bogus, sizeof(bogus));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    r = transport_next(s, &p, &n);
    buf_cleanup(&b);
    transport_free(s);
    return r;
}

static void
test_first_kex_follows(void **state)
{
    assert_int_equal(guess(*state, "ecdh-sha2-nistp256,curve25519-sha256"),
                     ERR_AGAIN);
    assert_int_equal(guess(*state, "curve25519-sha256"), ERR_PROTO);
}

static void
test_feed_limit(void **state)
{
    struct transport *s = raw_server(*state);
    uint8_t *junk = calloc(1, LIM_PACKET_RECV);

    assert_non_null(junk);
    assert_int_equal(transport_feed(s, junk, LIM_PACKET_RECV), 0);
    assert_int_equal(transport_feed(s, junk, LIM_PACKET_RECV), 0);
    assert_int_equal(transport_feed(s, junk, 1), ERR_LIMIT);
    free(junk);
    transport_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_macs),
        cmocka_unit_test(test_rekey_by_client),
        cmocka_unit_test(test_rekey_by_server),
        cmocka_unit_test(test_strict_seqnr_reset),
        cmocka_unit_test(test_ext_info),
        cmocka_unit_test(test_rekey_by_bytes),
        cmocka_unit_test(test_rekey_by_time),
        cmocka_unit_test(test_hostkey_refused),
        cmocka_unit_test(test_no_common_cipher),
        cmocka_unit_test(test_peer_disconnect),
        cmocka_unit_test(test_unimplemented),
        cmocka_unit_test(test_ignore_before_kexinit),
        cmocka_unit_test(test_strict_ignore_during_kex),
        cmocka_unit_test(test_upper_before_newkeys),
        cmocka_unit_test(test_kex_msg_out_of_turn),
        cmocka_unit_test(test_first_kex_follows),
        cmocka_unit_test(test_feed_limit),
    };

    return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
