/* SPDX-License-Identifier: ISC */
/* Known-answer tests for the SHA-1/SHA-2 wrappers (FIPS 180 examples). */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "crypto/digest.h"
#include "crypto/rand.h"
#include "util/err.h"

struct kat {
    const char *msg;
    const char *hex[4]; /* SHA-1, SHA-256, SHA-384, SHA-512 */
};

static const struct kat kats[] = {
    {"abc",
     {"a9993e364706816aba3e25717850c26c9cd0d89d",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
      "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"}},
    {"",
     {"da39a3ee5e6b4b0d3255bfef95601890afd80709",
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "38b060a751ac96384cd9327eb1b1e36a21fdb71114be0743"
      "4c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b",
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
      "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"}},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     {"84983e441c3bd26ebaae4aa1f95129e5e54670f1",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05ab"
      "fe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b",
      "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
      "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"}},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
     "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
     {"a49b2446a02c645bf419f995b67091253a04a259",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
      "09330c33f71147e83d192fc782cd1b4753111b173b3b05d2"
      "2fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
      "501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"}},
};

static const enum digest_alg algs[4] = {DIGEST_SHA1, DIGEST_SHA256,
                                        DIGEST_SHA384, DIGEST_SHA512};

static void
check_hex(const uint8_t *got, size_t got_len, const char *hex)
{
    size_t n;
    uint8_t *want = hex_decode(hex, &n);

    assert_int_equal(got_len, n);
    assert_memory_equal(got, want, n);
    free(want);
}

static void
test_digest_len(void **state)
{
    (void)state;
    assert_int_equal(digest_len(DIGEST_SHA1), 20);
    assert_int_equal(digest_len(DIGEST_SHA256), 32);
    assert_int_equal(digest_len(DIGEST_SHA384), 48);
    assert_int_equal(digest_len(DIGEST_SHA512), 64);
    assert_true(digest_len(DIGEST_SHA512) <= DIGEST_MAX_LEN);
}

static void
test_digest_once_kat(void **state)
{
    uint8_t out[DIGEST_MAX_LEN];
    size_t i, a;

    (void)state;
    for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        for (a = 0; a < 4; a++) {
            assert_int_equal(
                digest_once(algs[a], kats[i].msg, strlen(kats[i].msg), out), 0);
            check_hex(out, digest_len(algs[a]), kats[i].hex[a]);
        }
    }
}

/* Hash msg fed in pieces of `step` bytes (the last may be shorter). */
static void
incremental(enum digest_alg alg, const char *msg, size_t step, uint8_t *out)
{
    struct digest_ctx *ctx = NULL;
    size_t n = strlen(msg), off, k;

    assert_int_equal(digest_new(&ctx, alg), 0);
    assert_non_null(ctx);
    for (off = 0; off < n; off += k) {
        k = n - off < step ? n - off : step;
        assert_int_equal(digest_update(ctx, msg + off, k), 0);
    }
    assert_int_equal(digest_update(ctx, NULL, 0), 0);
    assert_int_equal(digest_final(ctx, out), 0);
    digest_free(ctx);
}

static void
test_digest_incremental_kat(void **state)
{
    static const size_t steps[] = {1, 3, 7, 64, 1000};
    uint8_t out[DIGEST_MAX_LEN];
    size_t i, a, s;

    (void)state;
    for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        for (a = 0; a < 4; a++) {
            for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
                incremental(algs[a], kats[i].msg, steps[s], out);
                check_hex(out, digest_len(algs[a]), kats[i].hex[a]);
            }
        }
    }
}

/* FIPS 180 long message: one million 'a', in 1000 updates. */
static void
test_digest_million_a(void **state)
{
    static const char *want[4] = {
        "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        "9d0e1809716474cb086e834e310a4a1ced149e9c00f24852"
        "7972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985",
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
        "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"};
    struct digest_ctx *ctx = NULL;
    uint8_t block[1000], out[DIGEST_MAX_LEN];
    size_t a, i;

    (void)state;
    memset(block, 'a', sizeof(block));
    for (a = 0; a < 4; a++) {
        assert_int_equal(digest_new(&ctx, algs[a]), 0);
        for (i = 0; i < 1000; i++) {
            assert_int_equal(digest_update(ctx, block, sizeof(block)), 0);
        }
        assert_int_equal(digest_final(ctx, out), 0);
        digest_free(ctx);
        check_hex(out, digest_len(algs[a]), want[a]);
    }
}

static void
test_digest_bad_alg(void **state)
{
    struct digest_ctx *ctx = (struct digest_ctx *)&ctx;
    uint8_t out[DIGEST_MAX_LEN];

    (void)state;
    assert_int_equal(digest_len((enum digest_alg)99), 0);
    assert_int_equal(digest_once((enum digest_alg)99, "x", 1, out), ERR_INVAL);
    assert_int_equal(digest_new(&ctx, (enum digest_alg)99), ERR_INVAL);
    assert_null(ctx);
    digest_free(NULL);
}

static void
test_rand(void **state)
{
    uint8_t a[64], b[64];
    uint32_t seen = 0, v;
    size_t i;

    (void)state;
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    assert_int_equal(rand_bytes(a, sizeof(a)), 0);
    assert_int_equal(rand_bytes(b, sizeof(b)), 0);
    assert_int_equal(rand_bytes(NULL, 0), 0);
    /* 2^-512 chance of a false failure. */
    assert_memory_not_equal(a, b, sizeof(a));
    assert_int_equal(rand_uniform(0), 0);
    assert_int_equal(rand_uniform(1), 0);
    for (i = 0; i < 1000; i++) {
        v = rand_uniform(5);
        assert_true(v < 5);
        seen |= 1u << v;
        assert_true(rand_uniform(UINT32_MAX) < UINT32_MAX);
    }
    /* Each of 5 values is missed in 1000 draws with p = 0.8^1000. */
    assert_int_equal(seen, 0x1f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_len),
        cmocka_unit_test(test_digest_once_kat),
        cmocka_unit_test(test_digest_incremental_kat),
        cmocka_unit_test(test_digest_million_a),
        cmocka_unit_test(test_digest_bad_alg),
        cmocka_unit_test(test_rand),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
