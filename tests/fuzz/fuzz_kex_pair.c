/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: a whole key exchange in memory, a client and a server
 * transport talking through two wires the input plays man in the middle
 * on. Three bytes pick the kex, cipher and MAC, and host key (group16 is
 * left out: group14's steps at a fourth of the cost); then ops:
 *   0/1  deliver everything on the c->s / s->c wire
 *   2/3  deliver the first n bytes of that wire
 *   4    flip a byte on a wire     5  inject bytes at a wire's end
 *   6    drop bytes from a wire's front
 *   7    time passes               8  a side asks for a rekey
 *   9    a side sends CHANNEL_DATA numbered in order
 * then both wires are delivered until quiet. Whatever the middle does,
 * nothing may get through unnoticed: a side that completed a key exchange
 * with no error holds the same session id and host key as the other, and
 * the only messages that come out are the numbered CHANNEL_DATA, each
 * exactly once and in order (strict kex: no prefix truncation).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_keys.h"
#include "fuzz_rand.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "util/adit_limits.h"
#include "util/err.h"

#define FINAL_ROUNDS 64

struct side {
    struct transport *t;
    struct buf wire; /* what it sent, not yet delivered to the other */
    uint32_t next_out, next_in;
    int err;
};

static const char *const kexes[] = {
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group-exchange-sha256",
};
#define NKEX (sizeof(kexes) / sizeof(kexes[0]))
static const char *const ciphers[] = {
    "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr"};
static const char *const macs[] = {"hmac-sha2-256-etm@openssh.com",
                                   "hmac-sha2-512-etm@openssh.com",
                                   "hmac-sha2-256", "hmac-sha2-512"};
static const char *const hkalgs[] = {
    "ssh-ed25519",         "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521", "rsa-sha2-512",        "rsa-sha2-256"};

static int
accept_key(void *ctx, const struct sshkey *key)
{
    (void)ctx;
    (void)key;
    return 0;
}

static int
pair_new(struct side *c, struct side *s, const uint8_t *cfgb,
         struct sshkey **hk)
{
    struct transport_config cc = {0}, sc;
    unsigned h = cfgb[2] % 6;

    *hk = fuzz_key((enum fuzz_key)(h < 4 ? h : FUZZ_KEY_RSA));
    cc.software_version = "adit_fuzz";
    cc.kex_algs = kexes[cfgb[0] % NKEX];
    cc.ciphers = ciphers[cfgb[1] % 5];
    cc.macs = macs[(cfgb[1] / 5) % 4];
    cc.hostkey_algs = hkalgs[h];
    cc.verify_hostkey = accept_key;
    sc = cc;
    sc.is_server = true;
    sc.software_version = "aditd_fuzz";
    sc.hostkey_algs = NULL;
    sc.hostkeys = hk;
    sc.n_hostkeys = 1;
    if (transport_new(&c->t, &cc) != 0 || transport_new(&s->t, &sc) != 0 ||
        transport_start(c->t, 0) != 0 || transport_start(s->t, 0) != 0) {
        return -1;
    }
    return 0;
}

static void
pull(struct side *x)
{
    struct buf b;

    if (!transport_has_output(x->t)) {
        return;
    }
    buf_init(&b);
    transport_take_output(x->t, &b);
    if (buf_put(&x->wire, buf_ptr(&b), buf_len(&b)) != 0) {
        abort();
    }
    buf_cleanup(&b);
}

/* What came out of to: only the sender's numbered CHANNEL_DATA, in order. */
static void
drain(struct side *to, struct side *from)
{
    const uint8_t *p;
    size_t n;
    int r;

    if (transport_is_ready(to->t)) {
        transport_set_authenticated(to->t);
    }
    while ((r = transport_next(to->t, &p, &n)) == 0) {
        if (n != 5 || p[0] != SSH_MSG_CHANNEL_DATA ||
            get_u32_be(p + 1) != to->next_in || to->next_in >= from->next_out) {
            abort(); /* something got through the middle */
        }
        to->next_in++;
    }
    if (r != ERR_AGAIN) {
        to->err = r;
    }
}

/* Feed n bytes from the front of from's wire to the other side. */
static void
deliver(struct side *from, struct side *to, size_t n)
{
    size_t off = 0, chunk;

    if (n > buf_len(&from->wire)) {
        n = buf_len(&from->wire);
    }
    while (off < n && to->err == 0) {
        chunk = n - off > LIM_PACKET_RECV ? LIM_PACKET_RECV : n - off;
        if ((to->err = transport_feed(to->t, buf_ptr(&from->wire) + off,
                                      chunk)) == 0) {
            drain(to, from);
        }
        off += chunk;
    }
    buf_consume(&from->wire, n);
}

static void
send_data(struct side *x)
{
    struct pkt_sink sink;
    uint8_t *p;

    if (x->err != 0 || !transport_is_ready(x->t)) {
        return;
    }
    transport_sink(x->t, &sink);
    if (sink.reserve(sink.ctx, 5, &p) == 0) {
        p[0] = SSH_MSG_CHANNEL_DATA;
        put_u32_be(p + 1, x->next_out);
        if (sink.commit(sink.ctx, 5) == 0) {
            x->next_out++;
        }
    }
}

/* One op; returns the input bytes it used. */
static size_t
op(struct side *sd, const uint8_t *d, size_t n, uint64_t *now)
{
    unsigned dir = n > 1 ? d[1] & 1 : 0;
    struct side *a = &sd[dir], *b = &sd[1 - dir];
    size_t k = n > 2 ? d[2] : 0, pos;

    switch (d[0] % 10) {
    case 0:
    case 1:
        deliver(&sd[d[0] % 2], &sd[1 - d[0] % 2], SIZE_MAX);
        return 1;
    case 2:
    case 3:
        deliver(&sd[d[0] % 2], &sd[1 - d[0] % 2], n > 1 ? d[1] + 1u : 1);
        return 2;
    case 4:
        if (n > 3 && buf_len(&a->wire) > 0) {
            pos = ((size_t)d[2] << 8 | d[3]) % buf_len(&a->wire);
            buf_ptr(&a->wire)[pos] ^= (uint8_t)(d[1] | 1);
        }
        return 4;
    case 5:
        k = k > n - 3 ? (n > 3 ? n - 3 : 0) : k;
        (void)buf_put(&a->wire, d + 3, k);
        return 3 + k;
    case 6:
        buf_consume(&a->wire, k < buf_len(&a->wire) ? k : buf_len(&a->wire));
        return 3;
    case 7:
        *now += (uint64_t)k * 10000;
        a->err = a->err != 0 ? a->err : transport_tick(a->t, *now);
        b->err = b->err != 0 ? b->err : transport_tick(b->t, *now);
        return 3;
    case 8:
        a->err = a->err != 0 ? a->err : transport_rekey(a->t);
        return 2;
    default:
        send_data(a);
        return 2;
    }
}

/* Both completed a kex with no error: they must agree on what they did. */
static void
check_agree(struct side *c, struct side *s, const struct sshkey *hk)
{
    const uint8_t *ci, *si;
    const struct sshkey *got;
    size_t cl = 0, sl = 0;

    if (!transport_is_ready(c->t) || !transport_is_ready(s->t)) {
        return;
    }
    ci = transport_session_id(c->t, &cl);
    si = transport_session_id(s->t, &sl);
    got = transport_hostkey(c->t);
    if (ci == NULL || si == NULL || cl != sl || memcmp(ci, si, cl) != 0 ||
        got == NULL || !sshkey_equal_public(got, hk)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct side sd[2];
    struct sshkey *hk = NULL;
    uint64_t now = 0;
    size_t used;
    int i;

    if (size < 3) {
        return 0;
    }
    fuzz_rand_reset(0, 1);
    memset(sd, 0, sizeof(sd));
    buf_init(&sd[0].wire);
    buf_init(&sd[1].wire);
    if (pair_new(&sd[0], &sd[1], data, &hk) != 0) {
        goto out;
    }
    for (data += 3, size -= 3; size > 0; data += used, size -= used) {
        pull(&sd[0]);
        pull(&sd[1]);
        used = op(sd, data, size, &now);
        used = used > size ? size : used;
    }
    for (i = 0; i < FINAL_ROUNDS; i++) {
        pull(&sd[0]);
        pull(&sd[1]);
        if (buf_len(&sd[0].wire) == 0 && buf_len(&sd[1].wire) == 0) {
            break;
        }
        deliver(&sd[0], &sd[1], SIZE_MAX);
        deliver(&sd[1], &sd[0], SIZE_MAX);
    }
    if (sd[0].err == 0 && sd[1].err == 0) {
        check_agree(&sd[0], &sd[1], hk);
    }
out:
    for (i = 0; i < 2; i++) {
        transport_free(sd[i].t);
        buf_cleanup(&sd[i].wire);
    }
    return 0;
}
