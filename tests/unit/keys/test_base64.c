/* SPDX-License-Identifier: ISC */
/* Tests for keys/base64 (RFC 4648 10 vectors, padding, bad input). */
#include "keys/sshkey.h"

#include "testutil.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static void
test_vectors(void **state)
{
    static const char *plain[] = {"",     "f",     "fo",    "foo",
                                  "foob", "fooba", "foobar"};
    static const char *enc[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    struct buf b;
    char *s;
    size_t i, n;

    for (i = 0; i < 7; i++) {
        assert_int_equal(base64_encode((const uint8_t *)plain[i],
                                       strlen(plain[i]), &s, true),
                         0);
        assert_string_equal(s, enc[i]);
        free(s);
        assert_int_equal(base64_encode((const uint8_t *)plain[i],
                                       strlen(plain[i]), &s, false),
                         0);
        n = strcspn(enc[i], "=");
        assert_int_equal(strlen(s), n);
        buf_init(&b);
        assert_int_equal(base64_decode(s, n, &b), 0); /* unpadded */
        assert_int_equal(buf_len(&b), strlen(plain[i]));
        assert_true(buf_len(&b) == 0 ||
                    memcmp(buf_ptr(&b), plain[i], buf_len(&b)) == 0);
        buf_reset(&b);
        assert_int_equal(base64_decode(enc[i], strlen(enc[i]), &b), 0);
        assert_int_equal(buf_len(&b), strlen(plain[i]));
        buf_cleanup(&b);
        free(s);
    }
}

static void
test_bad(void **state)
{
    static const char *bad[] = {"Z",    "Zg=",   "Zg===", "Zh==", "Zm9",
                                "Zm9=", "Zm 9v", "Zm9v!", "=Zm9", "Zm==Zm9v"};
    struct buf b;
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        buf_init(&b);
        if (strcmp(bad[i], "Zm9") == 0) {
            /* 3 symbols = 2 bytes, but the last has stray low bits. */
            assert_int_equal(base64_decode(bad[i], 3, &b), ERR_FORMAT);
        } else {
            assert_int_equal(base64_decode(bad[i], strlen(bad[i]), &b),
                             ERR_FORMAT);
        }
        assert_int_equal(buf_len(&b), 0);
        buf_cleanup(&b);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
