/* SPDX-License-Identifier: ISC */
/* Tests of the binary packet protocol in every cipher and MAC mode. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "transport/packet.h"
#include "util/adit_limits.h"
#include "util/err.h"

/* A cipher and a MAC (NULL for AEAD); both NULL means no keys yet. */
struct combo {
    const char *cipher;
    const char *mac;
};

static const struct combo combos[] = {
    {NULL, NULL},
    {"chacha20-poly1305@openssh.com", NULL},
    {"aes128-gcm@openssh.com", NULL},
    {"aes256-gcm@openssh.com", NULL},
    {"aes128-ctr", "hmac-sha2-256-etm@openssh.com"},
    {"aes128-ctr", "hmac-sha2-512-etm@openssh.com"},
    {"aes128-ctr", "hmac-sha2-256"},
    {"aes128-ctr", "hmac-sha2-512"},
    {"aes256-ctr", "hmac-sha2-256-etm@openssh.com"},
    {"aes256-ctr", "hmac-sha2-512-etm@openssh.com"},
    {"aes256-ctr", "hmac-sha2-256"},
    {"aes256-ctr", "hmac-sha2-512"},
};

#define N_COMBOS (sizeof(combos) / sizeof(combos[0]))

/* A sender and a receiver sharing fixed keys, and the wire between them. */
struct pair {
    struct pkt_dir tx, rx;
    struct buf wire;
};

static void
pair_init(struct pair *pp, const struct combo *c)
{
    uint8_t key[64], iv[16], mkey[64];
    size_t i;

    pkt_dir_init(&pp->tx);
    pkt_dir_init(&pp->rx);
    buf_init(&pp->wire);
    if (c->cipher == NULL) {
        return;
    }
    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i + 1);
        mkey[i] = (uint8_t)(0x80 + i);
    }
    memset(iv, 0x42, sizeof(iv));
    assert_int_equal(pkt_dir_set_keys(&pp->tx, cipher_by_name(c->cipher), key,
                                      iv, mac_by_name(c->mac), mkey, true),
                     0);
    assert_int_equal(pkt_dir_set_keys(&pp->rx, cipher_by_name(c->cipher), key,
                                      iv, mac_by_name(c->mac), mkey, false),
                     0);
}

static void
pair_cleanup(struct pair *pp)
{
    pkt_dir_cleanup(&pp->tx);
    pkt_dir_cleanup(&pp->rx);
    buf_cleanup(&pp->wire);
}

static void
fill(uint8_t *p, size_t n, unsigned seed)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = (uint8_t)(i * 31 + seed);
    }
}

/* Receive one packet from the wire and check it holds want[0..n). */
static void
expect_packet(struct pair *pp, const uint8_t *want, size_t n)
{
    const uint8_t *got = NULL;
    size_t len = 0, used = 0;

    assert_int_equal(packet_recv(&pp->rx, &pp->wire, &got, &len, &used), 0);
    assert_int_equal(len, n);
    if (n > 0) {
        assert_memory_equal(got, want, n);
    }
    buf_consume(&pp->wire, used);
}

static void
roundtrip_combo(const struct combo *c, uint8_t *payload)
{
    static const size_t big[] = {1000, 1023, 1024,  4095,
                                 4096, 8191, 32768, LIM_PACKET_SEND};
    struct pair pp;
    size_t n, i, before;
    uint32_t seq = 0;

    pair_init(&pp, c);
    for (n = 0; n < 300 + sizeof(big) / sizeof(big[0]); n++) {
        size_t len = n < 300 ? n : big[n - 300];

        fill(payload, len, (unsigned)n);
        before = buf_len(&pp.wire);
        assert_int_equal(packet_send(&pp.tx, &pp.wire, payload, len), 0);
        /* Whole blocks, and never less than 4 bytes of padding. */
        i = buf_len(&pp.wire) - before;
        assert_true(i >= PACKET_HEADER + len + LIM_PADDING_MIN);
        assert_int_equal(pp.tx.seqnr, ++seq);
        expect_packet(&pp, payload, len);
        assert_int_equal(pp.rx.seqnr, seq);
        assert_int_equal(buf_len(&pp.wire), 0);
    }
    assert_int_equal(pp.tx.packets, seq);
    assert_int_equal(pp.rx.packets, seq);
    assert_int_equal(pp.tx.bytes, pp.rx.bytes);
    pair_cleanup(&pp);
}

static void
test_roundtrip(void **state)
{
    uint8_t *payload = malloc(LIM_PACKET_SEND);
    size_t i;

    (void)state;
    assert_non_null(payload);
    for (i = 0; i < N_COMBOS; i++) {
        roundtrip_combo(&combos[i], payload);
    }
    free(payload);
}

/* packet_begin/packet_finish: the payload is written in place. */
static void
test_begin_finish(void **state)
{
    struct pair pp;
    uint8_t *p = NULL, want[700];
    size_t i;

    (void)state;
    for (i = 0; i < N_COMBOS; i++) {
        pair_init(&pp, &combos[i]);
        assert_int_equal(packet_begin(&pp.tx, &pp.wire, 700, &p), 0);
        fill(p, 500, 9);
        fill(want, 500, 9);
        assert_int_equal(packet_finish(&pp.tx, &pp.wire, 500), 0);
        assert_int_equal(packet_begin(&pp.tx, &pp.wire, 700, &p), 0);
        fill(p, 700, 1);
        assert_int_equal(packet_finish(&pp.tx, &pp.wire, 700), 0);
        expect_packet(&pp, want, 500);
        fill(want, 700, 1);
        expect_packet(&pp, want, 700);
        pair_cleanup(&pp);
    }
    pkt_dir_init(&pp.tx);
    buf_init(&pp.wire);
    assert_int_equal(packet_begin(&pp.tx, &pp.wire, LIM_PACKET_RECV + 1, &p),
                     ERR_LIMIT);
    assert_null(p);
}

/*
 * Padding is drawn ahead in a pool: across several refills, no two
 * packets carry the same padding and the pool's bytes are never served
 * twice (plain packets, where the padding is visible on the wire).
 */
#define PAD_PACKETS 64
static void
test_padding_pool(void **state)
{
    struct pkt_dir d;
    struct buf wire;
    uint8_t pads[PAD_PACKETS][16], payload[3] = {1, 2, 3};
    const uint8_t *p;
    size_t i, k, off = 0, drawn = 0;

    (void)state;
    pkt_dir_init(&d);
    buf_init(&wire);
    for (i = 0; i < PAD_PACKETS; i++) {
        assert_int_equal(packet_send(&d, &wire, payload, sizeof(payload)), 0);
        assert_true(d.pad_left <= PACKET_PAD_POOL);
    }
    p = buf_ptr(&wire);
    for (i = 0; i < PAD_PACKETS; i++) {
        /* 4 + 1 + 3 + pad = 16: padding 8 each. */
        assert_int_equal(p[off + 4], 8);
        memcpy(pads[i], p + off + PACKET_HEADER + sizeof(payload), 8);
        drawn += 8;
        off += 16;
        for (k = 0; k < i; k++) {
            assert_memory_not_equal(pads[k], pads[i], 8);
        }
    }
    assert_int_equal(off, buf_len(&wire));
    assert_true(drawn > 2 * PACKET_PAD_POOL);
    buf_cleanup(&wire);
    pkt_dir_cleanup(&d);
}

/* Several packets fed one byte at a time: ERR_AGAIN until each is whole. */
static void
test_byte_at_a_time(void **state)
{
    struct pair pp;
    struct buf in;
    const uint8_t *got;
    uint8_t payload[100];
    size_t i, k, len, used, seen;
    int r;

    (void)state;
    for (i = 0; i < N_COMBOS; i++) {
        pair_init(&pp, &combos[i]);
        buf_init(&in);
        for (k = 0; k < 3; k++) {
            fill(payload, 33 * k + 1, (unsigned)k);
            assert_int_equal(packet_send(&pp.tx, &pp.wire, payload, 33 * k + 1),
                             0);
        }
        seen = 0;
        for (k = 0; k < buf_len(&pp.wire); k++) {
            assert_int_equal(buf_put(&in, buf_ptr(&pp.wire) + k, 1), 0);
            r = packet_recv(&pp.rx, &in, &got, &len, &used);
            if (r == ERR_AGAIN) {
                assert_null(got);
                continue;
            }
            assert_int_equal(r, 0);
            fill(payload, 33 * seen + 1, (unsigned)seen);
            assert_int_equal(len, 33 * seen + 1);
            assert_memory_equal(got, payload, len);
            buf_consume(&in, used);
            seen++;
        }
        assert_int_equal(seen, 3);
        assert_int_equal(buf_len(&in), 0);
        buf_cleanup(&in);
        pair_cleanup(&pp);
    }
}

/*
 * Flip one bit anywhere in a sealed packet: it must never be accepted.
 * A changed length may make the receiver wait for more; then more bytes
 * arrive and it must fail.
 */
static void
tamper_one(const struct combo *c, size_t pos, uint8_t bit, uint8_t *junk)
{
    struct pair pp;
    const uint8_t *got;
    uint8_t payload[40];
    size_t len, used;
    int r;

    pair_init(&pp, c);
    fill(payload, sizeof(payload), 3);
    assert_int_equal(packet_send(&pp.tx, &pp.wire, payload, sizeof(payload)),
                     0);
    if (pos >= buf_len(&pp.wire)) {
        pair_cleanup(&pp);
        return;
    }
    buf_ptr(&pp.wire)[pos] ^= bit;
    r = packet_recv(&pp.rx, &pp.wire, &got, &len, &used);
    if (r == ERR_AGAIN) {
        assert_int_equal(buf_put(&pp.wire, junk, LIM_PACKET_RECV + 64), 0);
        r = packet_recv(&pp.rx, &pp.wire, &got, &len, &used);
    }
    assert_true(r == ERR_MAC || r == ERR_PROTO || r == ERR_LIMIT);
    assert_null(got);
    pair_cleanup(&pp);
}

static void
test_tamper(void **state)
{
    uint8_t *junk = calloc(1, LIM_PACKET_RECV + 64);
    size_t i, pos;

    (void)state;
    assert_non_null(junk);
    for (i = 1; i < N_COMBOS; i++) {
        for (pos = 0; pos < 140; pos++) {
            tamper_one(&combos[i], pos, (uint8_t)(1u << (pos % 8)), junk);
        }
    }
    free(junk);
}

/* A plaintext (pre-kex) packet, built by hand. */
static void
put_plain(struct buf *b, uint32_t plen, uint8_t padlen, size_t actual)
{
    uint8_t *p;

    assert_int_equal(buf_put_u32(b, plen), 0);
    assert_int_equal(buf_put_u8(b, padlen), 0);
    assert_int_equal(buf_append_space(b, actual - 1, &p), 0);
    memset(p, 0x15, actual - 1);
}

static int
recv_plain(uint32_t plen, uint8_t padlen, size_t actual, size_t *len)
{
    struct pkt_dir d;
    struct buf b;
    const uint8_t *got = NULL;
    size_t used = 0;
    int r;

    pkt_dir_init(&d);
    buf_init(&b);
    put_plain(&b, plen, padlen, actual);
    r = packet_recv(&d, &b, &got, len, &used);
    if (r == 0) {
        assert_int_equal(used, 4 + plen);
        assert_int_equal(buf_len(&b) - used, actual - plen);
    }
    buf_cleanup(&b);
    pkt_dir_cleanup(&d);
    return r;
}

static void
test_plain_lengths(void **state)
{
    size_t len = 0, k;
    struct pkt_dir d;
    struct buf b;
    const uint8_t *got;
    size_t used;

    (void)state;
    /* Valid: 12 + 4 = 16 bytes, padding 4, payload 7. */
    assert_int_equal(recv_plain(12, 4, 12, &len), 0);
    assert_int_equal(len, 7);
    /* A trailing byte is left for the next packet. */
    assert_int_equal(recv_plain(12, 4, 13, &len), 0);
    /* Length off by one either way: not whole blocks. */
    assert_int_equal(recv_plain(11, 4, 12, &len), ERR_PROTO);
    assert_int_equal(recv_plain(13, 4, 13, &len), ERR_PROTO);
    /* Smallest packet is 16 bytes; 8 is too small. */
    assert_int_equal(recv_plain(4, 3, 4, &len), ERR_PROTO);
    /* Padding too short, or as long as the packet. */
    assert_int_equal(recv_plain(12, 3, 12, &len), ERR_PROTO);
    assert_int_equal(recv_plain(12, 12, 12, &len), ERR_PROTO);
    assert_int_equal(recv_plain(12, 11, 12, &len), 0);
    assert_int_equal(len, 0);
    /* Over-long: rejected from the 4 length bytes alone. */
    pkt_dir_init(&d);
    buf_init(&b);
    assert_int_equal(buf_put_u32(&b, LIM_PACKET_RECV + 4), 0);
    assert_int_equal(packet_recv(&d, &b, &got, &len, &used), ERR_LIMIT);
    buf_reset(&b);
    assert_int_equal(buf_put_u32(&b, 0xfffffffc), 0);
    assert_int_equal(packet_recv(&d, &b, &got, &len, &used), ERR_LIMIT);
    /* Every truncation of a valid packet waits for more. */
    buf_reset(&b);
    put_plain(&b, 12, 4, 12);
    for (k = 0; k < 16; k++) {
        struct buf t;

        buf_init(&t);
        assert_int_equal(buf_put(&t, buf_ptr(&b), k), 0);
        pkt_dir_cleanup(&d);
        pkt_dir_init(&d);
        assert_int_equal(packet_recv(&d, &t, &got, &len, &used), ERR_AGAIN);
        buf_cleanup(&t);
    }
    buf_cleanup(&b);
    pkt_dir_cleanup(&d);
}

/* Seal a hand-made plaintext packet with the sender's own cipher and MAC,
 * so that bad padding can be checked behind valid encryption. */
static void
seal_raw(struct pair *pp, uint32_t plen, uint8_t padlen)
{
    struct pkt_dir *d = &pp->tx;
    uint8_t *p;
    size_t maclen = d->malg != NULL ? d->malg->mac_len : d->calg->auth_len;

    assert_int_equal(buf_append_space(&pp->wire, 4 + plen + maclen, &p), 0);
    put_u32_be(p, plen);
    p[4] = padlen;
    memset(p + 5, 0x21, plen - 1);
    if (d->malg == NULL) {
        assert_int_equal(
            cipher_crypt(d->cipher, d->seqnr, p, p, plen, 4, maclen), 0);
    } else {
        assert_true(d->malg->etm);
        assert_int_equal(cipher_crypt(d->cipher, d->seqnr, p, p, plen, 4, 0),
                         0);
        assert_int_equal(
            mac_compute(d->mac, d->seqnr, p, 4 + plen, p + 4 + plen), 0);
    }
    d->seqnr++;
}

static void
test_bad_padding_keyed(void **state)
{
    static const struct combo cs[] = {
        {"chacha20-poly1305@openssh.com", NULL},
        {"aes128-gcm@openssh.com", NULL},
        {"aes128-ctr", "hmac-sha2-256-etm@openssh.com"},
    };
    struct pair pp;
    const uint8_t *got;
    size_t i, len, used;

    (void)state;
    for (i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
        pair_init(&pp, &cs[i]);
        seal_raw(&pp, 16, 4);
        assert_int_equal(packet_recv(&pp.rx, &pp.wire, &got, &len, &used), 0);
        assert_int_equal(len, 11);
        buf_consume(&pp.wire, used);
        seal_raw(&pp, 16, 3);
        assert_int_equal(packet_recv(&pp.rx, &pp.wire, &got, &len, &used),
                         ERR_PROTO);
        pair_cleanup(&pp);
        pair_init(&pp, &cs[i]);
        seal_raw(&pp, 16, 16);
        assert_int_equal(packet_recv(&pp.rx, &pp.wire, &got, &len, &used),
                         ERR_PROTO);
        pair_cleanup(&pp);
        /* A length that is not whole blocks: 20 is neither 8s nor 16s. */
        pair_init(&pp, &cs[i]);
        seal_raw(&pp, 20, 4);
        assert_int_equal(packet_recv(&pp.rx, &pp.wire, &got, &len, &used),
                         ERR_PROTO);
        pair_cleanup(&pp);
    }
}

/* Sequence numbers wrap mod 2^32 and stay in step. */
static void
test_seqnr_wrap(void **state)
{
    struct pair pp;
    uint8_t payload[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    size_t i, k;

    (void)state;
    for (i = 0; i < N_COMBOS; i++) {
        pair_init(&pp, &combos[i]);
        pp.tx.seqnr = pp.rx.seqnr = UINT32_MAX - 1;
        for (k = 0; k < 4; k++) {
            assert_int_equal(packet_send(&pp.tx, &pp.wire, payload, 10), 0);
            expect_packet(&pp, payload, 10);
        }
        assert_int_equal(pp.tx.seqnr, 2);
        assert_int_equal(pp.rx.seqnr, 2);
        /* A receiver out of step rejects the packet (GCM does not use
         * seqnr: its nonce is its own invocation counter). */
        if (combos[i].cipher != NULL &&
            strstr(combos[i].cipher, "gcm") == NULL) {
            const uint8_t *got;
            size_t len, used;

            pp.rx.seqnr = 7;
            assert_int_equal(packet_send(&pp.tx, &pp.wire, payload, 10), 0);
            assert_int_not_equal(
                packet_recv(&pp.rx, &pp.wire, &got, &len, &used), 0);
        }
        pair_cleanup(&pp);
    }
}

/* New keys reset the counters; the sequence number is the caller's. */
static void
test_set_keys(void **state)
{
    struct pkt_dir d;
    uint8_t key[64] = {0}, iv[16] = {0};

    (void)state;
    pkt_dir_init(&d);
    d.seqnr = 5;
    d.bytes = 100;
    d.packets = 3;
    assert_int_equal(pkt_dir_set_keys(&d, cipher_by_name("aes128-ctr"), key, iv,
                                      NULL, NULL, true),
                     ERR_INVAL);
    assert_int_equal(pkt_dir_set_keys(&d, NULL, key, iv, NULL, NULL, true),
                     ERR_INVAL);
    assert_int_equal(
        pkt_dir_set_keys(&d, cipher_by_name("aes256-gcm@openssh.com"), key, iv,
                         mac_by_name("hmac-sha2-256"), key, true),
        0);
    assert_null(d.malg);
    assert_int_equal(d.seqnr, 5);
    assert_int_equal(d.bytes, 0);
    assert_int_equal(d.packets, 0);
    pkt_dir_cleanup(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_begin_finish),
        cmocka_unit_test(test_padding_pool),
        cmocka_unit_test(test_byte_at_a_time),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_plain_lengths),
        cmocka_unit_test(test_bad_padding_keyed),
        cmocka_unit_test(test_seqnr_wrap),
        cmocka_unit_test(test_set_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
