/* SPDX-License-Identifier: ISC */
/* Tests of the RFC 4253 7.2 key derivation. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "crypto/digest.h"
#include "crypto/kdf.h"
#include "util/err.h"

#define K_ENC_LEN 37 /* uint32 length 33, a pad byte, 32 bytes of value */

struct fixture {
    uint8_t k_enc[K_ENC_LEN];
    uint8_t h[32];
    uint8_t sid[32];
};

static void
fixture_init(struct fixture *f)
{
    size_t i;

    memcpy(f->k_enc, "\x00\x00\x00\x21\x00\x80", 6);
    memset(f->k_enc + 6, 0x11, K_ENC_LEN - 6);
    for (i = 0; i < 32; i++) {
        f->h[i] = (uint8_t)i;
        f->sid[i] = (uint8_t)(100 + i);
    }
}

/* HASH of the concatenation of up to three pieces, via digest_once. */
static void
hash_concat(enum digest_alg alg, const struct fixture *f, const void *a,
            size_t a_len, const void *b, size_t b_len, uint8_t *out)
{
    uint8_t *m = malloc(K_ENC_LEN + 32 + a_len + b_len);
    size_t n = 0;

    assert_non_null(m);
    memcpy(m, f->k_enc, K_ENC_LEN);
    n += K_ENC_LEN;
    memcpy(m + n, f->h, 32);
    n += 32;
    memcpy(m + n, a, a_len);
    n += a_len;
    if (b_len > 0) {
        memcpy(m + n, b, b_len);
        n += b_len;
    }
    assert_int_equal(digest_once(alg, m, n, out), 0);
    free(m);
}

/* The KDF computed the slow way: K1 from the letter, then K1..Kn-1. */
static void
reference(enum digest_alg alg, const struct fixture *f, char letter,
          uint8_t *out, size_t outlen)
{
    size_t d = digest_len(alg), have;
    uint8_t *acc = malloc(outlen + 2 * DIGEST_MAX_LEN);

    assert_non_null(acc);
    hash_concat(alg, f, &letter, 1, f->sid, 32, acc);
    for (have = d; have < outlen; have += d) {
        hash_concat(alg, f, acc, have, NULL, 0, acc + have);
    }
    memcpy(out, acc, outlen);
    free(acc);
}

static void
check_against_reference(enum digest_alg alg, char letter, size_t outlen)
{
    struct fixture f;
    uint8_t *got = malloc(outlen + 1), *want = malloc(outlen + 1);

    assert_non_null(got);
    assert_non_null(want);
    fixture_init(&f);
    got[outlen] = 0xa5;
    assert_int_equal(kdf_derive(alg, f.k_enc, K_ENC_LEN, f.h, 32, letter, f.sid,
                                32, got, outlen),
                     0);
    assert_int_equal(got[outlen], 0xa5); /* nothing written past outlen */
    reference(alg, &f, letter, want, outlen);
    assert_memory_equal(got, want, outlen);
    free(got);
    free(want);
}

static void
test_kdf_reference(void **state)
{
    static const size_t lens[] = {1,  12, 16, 20, 31,  32,  33,
                                  48, 64, 65, 96, 100, 129, 200};
    static const enum digest_alg algs[] = {DIGEST_SHA1, DIGEST_SHA256,
                                           DIGEST_SHA384, DIGEST_SHA512};
    size_t a, i;
    char letter;

    (void)state;
    for (a = 0; a < 4; a++) {
        for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            for (letter = 'A'; letter <= 'F'; letter++) {
                check_against_reference(algs[a], letter, lens[i]);
            }
        }
    }
}

/* Fixed vectors computed outside the project (Python hashlib). */
static void
test_kdf_fixed(void **state)
{
    static const char *v256 =
        "f1b460892a805fda452e6d1dd6f02498bbdb3950ccaeca6d8e61cb1443b19f09"
        "fce39e9686e113355403bdceee4e730ff5e4b9c8797106a0802c293febad8ba9";
    static const char *v512 =
        "89fe5dce465c48ae8ea67a1dac2995551e38f373a4103cca4c6a1c22aa0d8b37"
        "935c4ede99b46718b4d24264c8c490163a4da00d3b83942aa4a6f8cae870254c"
        "a6778c8f9ddb793ce4d0c84f079e7ca3d3f76fdb43cbef0143543276896d25af"
        "8e508d95";
    static const char *v1 = "328db02511c34e46fbfc4526b0017aea";
    struct fixture f;
    uint8_t out[100], *want;
    size_t n;

    (void)state;
    fixture_init(&f);
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'C',
                                f.sid, 32, out, 64),
                     0);
    want = hex_decode(v256, &n);
    assert_memory_equal(out, want, n);
    free(want);
    assert_int_equal(kdf_derive(DIGEST_SHA512, f.k_enc, K_ENC_LEN, f.h, 32, 'E',
                                f.sid, 32, out, 100),
                     0);
    want = hex_decode(v512, &n);
    assert_memory_equal(out, want, n);
    free(want);
    assert_int_equal(kdf_derive(DIGEST_SHA1, f.k_enc, K_ENC_LEN, f.h, 32, 'A',
                                f.sid, 32, out, 16),
                     0);
    want = hex_decode(v1, &n);
    assert_memory_equal(out, want, n);
    free(want);
}

/* A longer request extends a shorter one; letters give unrelated keys. */
static void
test_kdf_prefix_and_letters(void **state)
{
    struct fixture f;
    uint8_t a[80], b[80];

    (void)state;
    fixture_init(&f);
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'A',
                                f.sid, 32, a, 80),
                     0);
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'A',
                                f.sid, 32, b, 40),
                     0);
    assert_memory_equal(a, b, 40);
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'B',
                                f.sid, 32, b, 80),
                     0);
    assert_memory_not_equal(a, b, 32);
    /* A different session id changes the output. */
    f.sid[31] ^= 1;
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'A',
                                f.sid, 32, b, 80),
                     0);
    assert_memory_not_equal(a, b, 32);
}

static void
test_kdf_bad_args(void **state)
{
    struct fixture f;
    uint8_t out[32];

    (void)state;
    fixture_init(&f);
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'G',
                                f.sid, 32, out, 32),
                     ERR_INVAL);
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, '@',
                                f.sid, 32, out, 32),
                     ERR_INVAL);
    assert_int_equal(kdf_derive((enum digest_alg)99, f.k_enc, K_ENC_LEN, f.h,
                                32, 'A', f.sid, 32, out, 32),
                     ERR_INVAL);
    /* Nothing asked, nothing done. */
    assert_int_equal(kdf_derive(DIGEST_SHA256, f.k_enc, K_ENC_LEN, f.h, 32, 'A',
                                f.sid, 32, out, 0),
                     0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdf_reference),
        cmocka_unit_test(test_kdf_fixed),
        cmocka_unit_test(test_kdf_prefix_and_letters),
        cmocka_unit_test(test_kdf_bad_args),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
