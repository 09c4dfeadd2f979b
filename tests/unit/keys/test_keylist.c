/* SPDX-License-Identifier: ISC */
/* Tests for keys/keylist: TrustedUserCAKeys / RevokedKeys files. */
#include "keys/keylist.h"

#include "keys_fixture.h"
#include "util/err.h"

static void
test_parse(void **state)
{
    char *a = fixture_read("certs/ca_ed25519.pub", NULL);
    char *b = fixture_read("certs/user_rsa-cert.pub", NULL);
    char *c = fixture_read("certs/user_rsa.pub", NULL);
    char text[16384];
    struct keylist l;
    struct sshkey *k = NULL;
    unsigned line;

    snprintf(text, sizeof(text), "# comment\n\n  %s%s", a, b);
    assert_int_equal(keylist_parse(text, strlen(text), &l, &line), 0);
    assert_int_equal(l.n, 2);
    /* A certificate in the list stands for its key, too. */
    assert_int_equal(sshkey_parse_public(c, &k, NULL), 0);
    assert_true(keylist_has(&l, k));
    keylist_cleanup(&l);
    assert_false(keylist_has(&l, k));
    sshkey_free(k);
    free(a);
    free(b);
    free(c);
}

static void
test_refusals(void **state)
{
    static const char krl[] = "SSHKRL\n\0\0\0\0\1";
    static const char bad[] = "# ok\nssh-ed25519 AAAA-not-base64\n";
    struct keylist l;
    unsigned line;

    assert_int_equal(keylist_parse(krl, sizeof(krl) - 1, &l, &line),
                     ERR_FORMAT);
    assert_int_equal(line, 0);
    assert_int_not_equal(keylist_parse(bad, strlen(bad), &l, &line), 0);
    assert_int_equal(line, 2);
    assert_int_equal(l.n, 0);
    assert_int_equal(keylist_load("/nonexistent/keys", &l, &line),
                     ERR_NOTFOUND);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_refusals),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
