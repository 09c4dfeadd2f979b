/* SPDX-License-Identifier: ISC */
/* Tests for the kex message codecs, the exchange hash and the KDF glue. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "crypto/cipher.h"
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
        cmocka_unit_test(test_hash_and_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
