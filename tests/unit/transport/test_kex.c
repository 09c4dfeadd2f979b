/* SPDX-License-Identifier: ISC */
/* Tests for the kex message codecs, the exchange hash and the KDF glue. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "crypto/cipher.h"
#include "crypto/digest.h"
#include "crypto/mac.h"
#include "transport/kex.h"
#include "transport/ssh_msg.h"
#include "util/err.h"

/* Run decode over every truncation, each length field +/-1 and a
 * trailing byte of the body b (message number already stripped). */
typedef int (*decode_fn)(const uint8_t *p, size_t n);

static void
check_malformed(const struct buf *b, decode_fn dec, const size_t *len_offs,
                size_t n_lens)
{
    uint8_t *copy = malloc(buf_len(b) + 1);
    size_t n, i;

    assert_non_null(copy);
    memcpy(copy, buf_ptr(b), buf_len(b));
    assert_int_equal(dec(copy, buf_len(b)), 0);
    for (n = 0; n < buf_len(b); n++) {
        assert_int_not_equal(dec(copy, n), 0);
    }
    copy[buf_len(b)] = 0;
    assert_int_equal(dec(copy, buf_len(b) + 1), ERR_TRAILING);
    for (i = 0; i < n_lens; i++) {
        uint32_t v = get_u32_be(copy + len_offs[i]);

        put_u32_be(copy + len_offs[i], v + 1);
        assert_int_not_equal(dec(copy, buf_len(b)), 0);
        put_u32_be(copy + len_offs[i], v - 1);
        assert_int_not_equal(dec(copy, buf_len(b)), 0);
        put_u32_be(copy + len_offs[i], v);
    }
    free(copy);
}

static int
dec_init(const uint8_t *p, size_t n)
{
    const uint8_t *q;
    size_t qlen;
    struct rd rd;

    rd_init(&rd, p, n);
    return kex_ecdh_init_decode(&rd, &q, &qlen);
}

static void
test_ecdh_init(void **state)
{
    uint8_t q[32];
    struct buf b;
    const size_t lens[] = {0};
    const uint8_t *v;
    size_t vlen;
    struct rd rd;

    (void)state;
    memset(q, 7, sizeof(q));
    buf_init(&b);
    assert_int_equal(kex_ecdh_init_encode(&b, q, sizeof(q)), 0);
    assert_int_equal(buf_ptr(&b)[0], SSH_MSG_KEX_ECDH_INIT);
    buf_consume(&b, 1);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_ecdh_init_decode(&rd, &v, &vlen), 0);
    assert_int_equal(vlen, sizeof(q));
    assert_memory_equal(v, q, sizeof(q));
    check_malformed(&b, dec_init, lens, 1);
    buf_cleanup(&b);
}

static int
dec_reply(const uint8_t *p, size_t n)
{
    struct kex_ecdh_reply m;
    struct rd rd;

    rd_init(&rd, p, n);
    return kex_ecdh_reply_decode(&rd, &m);
}

static void
test_ecdh_reply(void **state)
{
    const uint8_t ks[3] = {1, 2, 3}, qs[2] = {4, 5}, sig[4] = {6, 7, 8, 9};
    struct kex_ecdh_reply m = {ks, qs, sig, 3, 2, 4}, d;
    const size_t lens[] = {0, 7, 13};
    struct buf b;
    struct rd rd;

    (void)state;
    buf_init(&b);
    assert_int_equal(kex_ecdh_reply_encode(&b, &m), 0);
    assert_int_equal(buf_ptr(&b)[0], SSH_MSG_KEX_ECDH_REPLY);
    buf_consume(&b, 1);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_ecdh_reply_decode(&rd, &d), 0);
    assert_int_equal(d.k_s_len, 3);
    assert_memory_equal(d.k_s, ks, 3);
    assert_memory_equal(d.q_s, qs, 2);
    assert_memory_equal(d.sig, sig, 4);
    check_malformed(&b, dec_reply, lens, 3);
    buf_cleanup(&b);
}

static int
dec_ext(const uint8_t *p, size_t n)
{
    char *algs = NULL;
    struct rd rd;
    int r;

    rd_init(&rd, p, n);
    r = kex_ext_info_decode(&rd, &algs);
    free(algs);
    return r;
}

static void
test_ext_info(void **state)
{
    struct buf b;
    struct rd rd;
    char *algs = NULL;
    /* nr, "ping@openssh.com" "0", "server-sig-algs" "ssh-ed25519,x" */
    const size_t lens[] = {0, 4, 24, 29, 48};

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_put_u32(&b, 2), 0);
    assert_int_equal(buf_put_cstring(&b, "ping@openssh.com"), 0);
    assert_int_equal(buf_put_cstring(&b, "0"), 0);
    assert_int_equal(buf_put_cstring(&b, "server-sig-algs"), 0);
    assert_int_equal(buf_put_cstring(&b, "ssh-ed25519,x"), 0);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_ext_info_decode(&rd, &algs), 0);
    assert_string_equal(algs, "ssh-ed25519,x");
    free(algs);
    check_malformed(&b, dec_ext, lens, 5);
    buf_reset(&b);
    assert_int_equal(kex_ext_info_encode(&b, "a,b"), 0);
    buf_consume(&b, 1);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_ext_info_decode(&rd, &algs), 0);
    assert_string_equal(algs, "a,b");
    free(algs);
    buf_cleanup(&b);
}

static int
dec_dh_init(const uint8_t *p, size_t n)
{
    const uint8_t *e;
    size_t elen;
    struct rd rd;

    rd_init(&rd, p, n);
    return kex_dh_init_decode(&rd, &e, &elen);
}

/* e's magnitude has its top bit set, so the mpint carries a zero byte. */
static void
test_dh_init(void **state)
{
    const uint8_t e[4] = {0x80, 1, 2, 3};
    const uint8_t neg[] = {0, 0, 0, 2, 0x80, 1};
    const uint8_t padded[] = {0, 0, 0, 3, 0, 0x7f, 1};
    const uint8_t types[2] = {SSH_MSG_KEXDH_INIT, SSH_MSG_KEX_DH_GEX_INIT};
    const size_t lens[] = {0};
    const uint8_t *v;
    size_t vlen, i;
    struct buf b;
    struct rd rd;

    (void)state;
    buf_init(&b);
    for (i = 0; i < 2; i++) {
        buf_reset(&b);
        assert_int_equal(kex_dh_init_encode(&b, types[i], e, sizeof(e)), 0);
        assert_int_equal(buf_ptr(&b)[0], types[i]);
        buf_consume(&b, 1);
        assert_int_equal(buf_len(&b), 4 + 1 + sizeof(e));
        rd_init(&rd, buf_ptr(&b), buf_len(&b));
        assert_int_equal(kex_dh_init_decode(&rd, &v, &vlen), 0);
        assert_int_equal(vlen, sizeof(e));
        assert_memory_equal(v, e, sizeof(e));
        check_malformed(&b, dec_dh_init, lens, 1);
    }
    /* A negative and a needlessly padded mpint are refused. */
    assert_int_equal(dec_dh_init(neg, sizeof(neg)), ERR_FORMAT);
    assert_int_equal(dec_dh_init(padded, sizeof(padded)), ERR_FORMAT);
    buf_cleanup(&b);
}

static int
dec_dh_reply(const uint8_t *p, size_t n)
{
    struct kex_ecdh_reply m;
    struct rd rd;

    rd_init(&rd, p, n);
    return kex_dh_reply_decode(&rd, &m);
}

static void
test_dh_reply(void **state)
{
    const uint8_t ks[3] = {1, 2, 3}, f[2] = {0x45, 5}, sig[4] = {6, 7, 8, 9};
    struct kex_ecdh_reply m = {ks, f, sig, 3, 2, 4}, d;
    const size_t lens[] = {0, 7, 13};
    struct buf b;
    struct rd rd;

    (void)state;
    buf_init(&b);
    assert_int_equal(kex_dh_reply_encode(&b, SSH_MSG_KEX_DH_GEX_REPLY, &m), 0);
    assert_int_equal(buf_ptr(&b)[0], SSH_MSG_KEX_DH_GEX_REPLY);
    buf_consume(&b, 1);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_dh_reply_decode(&rd, &d), 0);
    assert_memory_equal(d.k_s, ks, 3);
    assert_int_equal(d.q_s_len, 2);
    assert_memory_equal(d.q_s, f, 2);
    assert_memory_equal(d.sig, sig, 4);
    check_malformed(&b, dec_dh_reply, lens, 3);
    /* f negative. */
    buf_ptr(&b)[11] = 0x85;
    assert_int_equal(dec_dh_reply(buf_ptr(&b), buf_len(&b)), ERR_FORMAT);
    buf_cleanup(&b);
}

static int
dec_gex_request(const uint8_t *p, size_t n)
{
    struct kex_gex_request m;
    struct rd rd;

    rd_init(&rd, p, n);
    return kex_gex_request_decode(&rd, &m);
}

static void
test_gex_request(void **state)
{
    const struct kex_gex_request m = {2048, 3072, 8192};
    const uint8_t equal[12] = {0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 8, 0};
    const uint8_t n_low[12] = {0, 0, 8, 0, 0, 0, 4, 0, 0, 0, 32, 0};
    const uint8_t n_high[12] = {0, 0, 8, 0, 0, 0, 32, 1, 0, 0, 32, 0};
    struct kex_gex_request d;
    struct buf b;
    struct rd rd;

    (void)state;
    buf_init(&b);
    assert_int_equal(kex_gex_request_encode(&b, &m), 0);
    assert_int_equal(buf_ptr(&b)[0], SSH_MSG_KEX_DH_GEX_REQUEST);
    buf_consume(&b, 1);
    assert_int_equal(buf_len(&b), 12);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_gex_request_decode(&rd, &d), 0);
    assert_int_equal(d.min, 2048);
    assert_int_equal(d.n, 3072);
    assert_int_equal(d.max, 8192);
    check_malformed(&b, dec_gex_request, NULL, 0);
    assert_int_equal(dec_gex_request(equal, sizeof(equal)), 0);
    assert_int_equal(dec_gex_request(n_low, sizeof(n_low)), ERR_FORMAT);
    assert_int_equal(dec_gex_request(n_high, sizeof(n_high)), ERR_FORMAT);
    buf_cleanup(&b);
}

static int
dec_gex_group(const uint8_t *p, size_t n)
{
    struct kex_dh_group m;
    struct rd rd;

    rd_init(&rd, p, n);
    return kex_gex_group_decode(&rd, &m);
}

static void
test_gex_group(void **state)
{
    uint8_t pm[300], g = 2;
    struct kex_dh_group m = {pm, &g, sizeof(pm), 1}, d;
    const size_t lens[] = {0, 4 + 1 + sizeof(pm)};
    struct buf b;
    struct rd rd;

    (void)state;
    memset(pm, 0xcd, sizeof(pm));
    buf_init(&b);
    assert_int_equal(kex_gex_group_encode(&b, &m), 0);
    assert_int_equal(buf_ptr(&b)[0], SSH_MSG_KEX_DH_GEX_GROUP);
    buf_consume(&b, 1);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kex_gex_group_decode(&rd, &d), 0);
    assert_int_equal(d.p_len, sizeof(pm));
    assert_memory_equal(d.p, pm, sizeof(pm));
    assert_int_equal(d.g_len, 1);
    assert_int_equal(d.g[0], 2);
    check_malformed(&b, dec_gex_group, lens, 2);
    buf_cleanup(&b);
}

/* The group exchange hash, against RFC 4419 3's layout built by hand. */
static void
test_gex_hash(void **state)
{
    const uint8_t k[] = {0, 0, 0, 1, 0x42}, ks[] = {9, 9};
    const uint8_t p[] = {0xe3, 0x07}, g[] = {2}, e[] = {0x81, 1};
    const uint8_t f[] = {0x11};
    const struct kex_gex_request req = {2048, 4096, 8192};
    struct kex_hash_input in;
    uint8_t h[DIGEST_MAX_LEN], want[DIGEST_MAX_LEN];
    size_t hl;
    struct buf b;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.v_c = "SSH-2.0-a";
    in.v_s = "SSH-2.0-b";
    in.i_c = ks;
    in.i_c_len = 1;
    in.i_s = ks;
    in.i_s_len = 2;
    in.k_s = ks;
    in.k_s_len = sizeof(ks);
    in.q_c = e;
    in.q_c_len = sizeof(e);
    in.q_s = f;
    in.q_s_len = sizeof(f);
    in.k_enc = k;
    in.k_enc_len = sizeof(k);
    in.dh = true;
    in.gex = &req;
    in.group.p = p;
    in.group.p_len = sizeof(p);
    in.group.g = g;
    in.group.g_len = sizeof(g);
    assert_int_equal(kex_exchange_hash(DIGEST_SHA256, &in, h, &hl), 0);
    assert_int_equal(hl, 32);
    buf_init(&b);
    assert_int_equal(buf_put_cstring(&b, "SSH-2.0-a"), 0);
    assert_int_equal(buf_put_cstring(&b, "SSH-2.0-b"), 0);
    assert_int_equal(buf_put_string(&b, ks, 1), 0);
    assert_int_equal(buf_put_string(&b, ks, 2), 0);
    assert_int_equal(buf_put_string(&b, ks, 2), 0);
    assert_int_equal(buf_put_u32(&b, 2048), 0);
    assert_int_equal(buf_put_u32(&b, 4096), 0);
    assert_int_equal(buf_put_u32(&b, 8192), 0);
    /* mpints: p and e have their top bit set and take a zero byte. */
    assert_int_equal(buf_put(&b, "\0\0\0\3\0\xe3\x07", 7), 0);
    assert_int_equal(buf_put(&b, "\0\0\0\1\2", 5), 0);
    assert_int_equal(buf_put(&b, "\0\0\0\3\0\x81\1", 7), 0);
    assert_int_equal(buf_put(&b, "\0\0\0\1\x11", 5), 0);
    assert_int_equal(buf_put(&b, k, sizeof(k)), 0);
    assert_int_equal(digest_once(DIGEST_SHA256, buf_ptr(&b), buf_len(&b), want),
                     0);
    assert_memory_equal(h, want, 32);
    /* Without the group (a fixed-group DH), the hash differs. */
    in.gex = NULL;
    assert_int_equal(kex_exchange_hash(DIGEST_SHA256, &in, want, &hl), 0);
    assert_memory_not_equal(h, want, 32);
    buf_cleanup(&b);
}

/* H depends on every input; keys come out at the algorithms' lengths. */
static void
test_hash_and_keys(void **state)
{
    const uint8_t k[] = {0, 0, 0, 1, 0x42};
    struct kex_hash_input in;
    uint8_t h1[DIGEST_MAX_LEN], h2[DIGEST_MAX_LEN];
    size_t l1, l2;
    struct kex_dirkeys c2s, s2c;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.v_c = "SSH-2.0-a";
    in.v_s = "SSH-2.0-b";
    in.k_enc = k;
    in.k_enc_len = sizeof(k);
    assert_int_equal(kex_exchange_hash(DIGEST_SHA256, &in, h1, &l1), 0);
    assert_int_equal(l1, 32);
    in.v_s = "SSH-2.0-c";
    assert_int_equal(kex_exchange_hash(DIGEST_SHA256, &in, h2, &l2), 0);
    assert_memory_not_equal(h1, h2, 32);
    memset(&c2s, 0, sizeof(c2s));
    memset(&s2c, 0, sizeof(s2c));
    c2s.calg = cipher_by_name("aes256-ctr");
    c2s.malg = mac_by_name("hmac-sha2-512");
    s2c.calg = cipher_by_name("chacha20-poly1305@openssh.com");
    assert_non_null(c2s.calg);
    assert_non_null(c2s.malg);
    assert_non_null(s2c.calg);
    assert_int_equal(kex_derive_keys(DIGEST_SHA256, k, sizeof(k), h1, 32, h1,
                                     32, &c2s, &s2c),
                     0);
    assert_memory_not_equal(c2s.key, s2c.key, 32);
    assert_memory_not_equal(c2s.iv, c2s.key, 16);
    kex_dirkeys_wipe(&c2s);
    kex_dirkeys_wipe(&s2c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecdh_init),
        cmocka_unit_test(test_ecdh_reply),
        cmocka_unit_test(test_ext_info),
        cmocka_unit_test(test_dh_init),
        cmocka_unit_test(test_dh_reply),
        cmocka_unit_test(test_gex_request),
        cmocka_unit_test(test_gex_group),
        cmocka_unit_test(test_gex_hash),
        cmocka_unit_test(test_hash_and_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
