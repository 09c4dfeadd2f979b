/* SPDX-License-Identifier: ISC */
/* Unit tests: permitopen / permitlisten parsing and sshd's matching. */
#include "testutil.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/permit.h"
#include "util/err.h"

static void
test_permit_parse(void **state)
{
    struct permit p;

    assert_int_equal(permit_parse("localhost:22", false, &p), 0);
    assert_string_equal(p.host, "localhost");
    assert_int_equal(p.port, 22);
    permit_cleanup(&p);
    assert_int_equal(permit_parse("[::1]:8080", false, &p), 0);
    assert_string_equal(p.host, "::1");
    assert_int_equal(p.port, 8080);
    permit_cleanup(&p);
    assert_int_equal(permit_parse("*:*", false, &p), 0);
    assert_string_equal(p.host, "*");
    assert_int_equal(p.port, PERMIT_ANY_PORT);
    permit_cleanup(&p);
    /* A bare port: permitlisten only, any host. */
    assert_int_equal(permit_parse("8080", true, &p), 0);
    assert_string_equal(p.host, "*");
    assert_int_equal(p.port, 8080);
    permit_cleanup(&p);
    assert_int_equal(permit_parse("8080", false, &p), ERR_FORMAT);
    /* Port 0 is a parse error (sshd a2port() > 0), as is 65536. */
    assert_int_equal(permit_parse("localhost:0", true, &p), ERR_FORMAT);
    assert_int_equal(permit_parse("localhost:65536", false, &p), ERR_FORMAT);
    assert_int_equal(permit_parse("localhost:", false, &p), ERR_FORMAT);
    assert_int_equal(permit_parse(":22", false, &p), ERR_FORMAT);
    assert_int_equal(permit_parse("::1:22", false, &p), ERR_FORMAT);
    assert_int_equal(permit_parse("[::1:22", false, &p), ERR_FORMAT);
    assert_int_equal(permit_parse("a:b:c", true, &p), ERR_FORMAT);
    assert_int_equal(permit_parse("", true, &p), ERR_FORMAT);
}

/* permitopen compares the host as a string: every escape attempt from
 * PROTOCOLS.md 2.2 is refused. */
static void
test_permit_open_literal(void **state)
{
    static const char *refused[] = {
        "127.0.0.1", "::1",        "[::1]",     "::ffff:127.0.0.1",
        "LOCALHOST", "localhost.", "127.1",     "2130706433",
        "127.0.0.2", "",           "localhost*"};
    struct permit p;
    size_t i;

    assert_int_equal(permit_parse("localhost:22", false, &p), 0);
    assert_true(permit_open_match(&p, "localhost", 22));
    assert_false(permit_open_match(&p, "localhost", 23));
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        assert_false(permit_open_match(&p, refused[i], 22));
    }
    permit_cleanup(&p);
    assert_int_equal(permit_parse("127.0.0.1:*", false, &p), 0);
    assert_true(permit_open_match(&p, "127.0.0.1", 1));
    assert_true(permit_open_match(&p, "127.0.0.1", 65535));
    assert_false(permit_open_match(&p, "localhost", 22));
    permit_cleanup(&p);
    /* No globbing in permitopen: '*' matches only as the whole host. */
    assert_int_equal(permit_parse("web-*:22", false, &p), 0);
    assert_false(permit_open_match(&p, "web-1", 22));
    assert_true(permit_open_match(&p, "web-*", 22));
    permit_cleanup(&p);
}

/* permitlisten lowercases the request and glob-matches it. */
static void
test_permit_listen_glob(void **state)
{
    struct permit p;

    assert_int_equal(permit_parse("localhost:8080", true, &p), 0);
    assert_true(permit_listen_match(&p, "localhost", 8080));
    assert_true(permit_listen_match(&p, "LOCALHOST", 8080));
    assert_false(permit_listen_match(&p, "127.0.0.1", 8080));
    assert_false(permit_listen_match(&p, "0.0.0.0", 8080));
    assert_false(permit_listen_match(&p, "localhost", 8081));
    /* Port 0 ("allocate one") matches only a "*" port. */
    assert_false(permit_listen_match(&p, "localhost", 0));
    permit_cleanup(&p);
    assert_int_equal(permit_parse("web-?.example:*", true, &p), 0);
    assert_true(permit_listen_match(&p, "web-1.example", 0));
    assert_true(permit_listen_match(&p, "WEB-2.EXAMPLE", 22));
    assert_false(permit_listen_match(&p, "web-10.example", 22));
    permit_cleanup(&p);
    /* The rule itself is not folded: an upper-case rule never matches. */
    assert_int_equal(permit_parse("LOCALHOST:8080", true, &p), 0);
    assert_false(permit_listen_match(&p, "localhost", 8080));
    permit_cleanup(&p);
}

static void
test_permit_glob(void **state)
{
    assert_true(permit_glob("*", "", false));
    assert_true(permit_glob("*", "anything", false));
    assert_true(permit_glob("a*b*c", "axxbyyc", false));
    assert_true(permit_glob("a*b*c", "abc", false));
    assert_false(permit_glob("a*b*c", "acb", false));
    assert_true(permit_glob("??", "ab", false));
    assert_false(permit_glob("??", "abc", false));
    assert_false(permit_glob("", "a", false));
    assert_true(permit_glob("", "", false));
    assert_true(permit_glob("*.*.*", "a.b.c", false));
    /* '[' and '\\' are literal, unlike fnmatch(). */
    assert_true(permit_glob("[ab]", "[ab]", false));
    assert_false(permit_glob("[ab]", "a", false));
    assert_true(permit_glob("a\\*", "a\\xyz", false));
    assert_false(permit_glob("abc", "ABC", false));
    assert_true(permit_glob("abc", "ABC", true));
}

static void
test_permit_list(void **state)
{
    struct permit_list l;

    memset(&l, 0, sizeof(l));
    /* Empty: no restriction. */
    assert_true(permit_list_allows(&l, false, "anything", 1));
    assert_int_equal(permit_list_add(&l, "localhost:22", false), 0);
    assert_int_equal(permit_list_add(&l, "[::1]:*", false), 0);
    assert_int_equal(permit_list_add(&l, "nope", false), ERR_FORMAT);
    assert_int_equal(l.n, 2);
    assert_true(permit_list_allows(&l, false, "localhost", 22));
    assert_true(permit_list_allows(&l, false, "::1", 9));
    assert_false(permit_list_allows(&l, false, "[::1]", 9));
    assert_false(permit_list_allows(&l, false, "localhost", 23));
    /* A socket path (sshd's PORT_STREAMLOCAL): only a "*" port matches. */
    assert_false(
        permit_list_allows(&l, false, "/run/s.sock", PERMIT_STREAMLOCAL_PORT));
    assert_int_equal(permit_list_add(&l, "/run/s.sock:*", false), 0);
    assert_int_equal(permit_list_add(&l, "/run/t.sock:22", false), 0);
    assert_true(
        permit_list_allows(&l, false, "/run/s.sock", PERMIT_STREAMLOCAL_PORT));
    assert_false(
        permit_list_allows(&l, false, "/run/t.sock", PERMIT_STREAMLOCAL_PORT));
    permit_list_cleanup(&l);
    l.none = true;
    assert_false(permit_list_allows(&l, true, "localhost", 22));
    permit_list_cleanup(&l);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_permit_parse),
        cmocka_unit_test(test_permit_open_literal),
        cmocka_unit_test(test_permit_listen_glob),
        cmocka_unit_test(test_permit_glob),
        cmocka_unit_test(test_permit_list),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
