/* SPDX-License-Identifier: ISC */
/* Tests for crypto/bcrypt_pbkdf: known answers and the limits. */
#include "crypto/bcrypt_pbkdf.h"

#include "testutil.h"
#include "util/adit_limits.h"
#include "util/err.h"

/*
 * OpenBSD's regress vector bcrypt_pbkdf("password", "salt", 4 rounds), and
 * one with ssh-keygen's shape (16-byte salt, 16 rounds, 48 bytes: an
 * aes256-ctr key and IV), as python-bcrypt's independent kdf() gives them.
 */
static void
test_known_answers(void **state)
{
    static const uint8_t want1[32] = {
        0x5b, 0xbf, 0x0c, 0xc2, 0x93, 0x58, 0x7f, 0x1c, 0x36, 0x35, 0x55,
        0x5c, 0x27, 0x79, 0x65, 0x98, 0xd4, 0x7e, 0x57, 0x90, 0x71, 0xbf,
        0x42, 0x7e, 0x9d, 0x8f, 0xbe, 0x84, 0x2a, 0xba, 0x34, 0xd9};
    static const uint8_t want2[48] = {
        0x84, 0xce, 0xdc, 0xcd, 0xbe, 0x07, 0x52, 0xf6, 0x2b, 0xd5, 0x57, 0x0e,
        0x0c, 0xa7, 0x77, 0xf7, 0x83, 0x70, 0x4b, 0x35, 0xe6, 0x98, 0x51, 0x72,
        0xdf, 0x96, 0x62, 0x82, 0x48, 0x1e, 0x17, 0x2a, 0x5e, 0xcf, 0x13, 0xe8,
        0xca, 0xeb, 0xa3, 0x2f, 0x04, 0x97, 0xe0, 0x5e, 0xa8, 0xac, 0xf3, 0x0b};
    uint8_t salt[16], out[48];
    size_t i;

    assert_int_equal(
        bcrypt_pbkdf("password", 8, (const uint8_t *)"salt", 4, 4, out, 32), 0);
    assert_memory_equal(out, want1, 32);
    for (i = 0; i < sizeof(salt); i++) {
        salt[i] = (uint8_t)i;
    }
    assert_int_equal(bcrypt_pbkdf("adit", 4, salt, sizeof(salt), 16, out, 48),
                     0);
    assert_memory_equal(out, want2, 48);
}

static void
test_limits(void **state)
{
    const uint8_t salt[4] = {1, 2, 3, 4};
    uint8_t out[32];

    assert_int_equal(bcrypt_pbkdf("p", 1, salt, 4, 0, out, 32), ERR_INVAL);
    assert_int_equal(bcrypt_pbkdf("p", 0, salt, 4, 1, out, 32), ERR_INVAL);
    assert_int_equal(bcrypt_pbkdf("p", 1, salt, 0, 1, out, 32), ERR_INVAL);
    assert_int_equal(bcrypt_pbkdf("p", 1, salt, 4, LIM_KDF_ROUNDS + 1, out, 32),
                     ERR_LIMIT);
    assert_int_equal(
        bcrypt_pbkdf("p", 1, salt, LIM_KDF_SALT + 1, 1, out, sizeof(out)),
        ERR_LIMIT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
