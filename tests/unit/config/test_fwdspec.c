/* SPDX-License-Identifier: ISC */
/* Unit tests: -L/-R/-D forward specifications and host:port splitting. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "config/fwdspec.h"
#include "config/hostport.h"
#include "util/err.h"

static void
check(const char *s, enum fwdspec_bind kind, const char *bind, unsigned lport,
      const char *host, unsigned hport)
{
    struct fwdspec f;

    assert_int_equal(fwdspec_parse(s, &f), 0);
    assert_int_equal(f.bind_kind, kind);
    if (bind == NULL) {
        assert_null(f.bind);
    } else {
        assert_string_equal(f.bind, bind);
    }
    assert_int_equal(f.listen_port, lport);
    assert_string_equal(f.host, host);
    assert_int_equal(f.host_port, hport);
    fwdspec_cleanup(&f);
}

static void
test_fwdspec_valid(void **state)
{
    (void)state;
    check("8080:example.com:80", FWDSPEC_BIND_DEFAULT, NULL, 8080,
          "example.com", 80);
    check("localhost:8080:h:80", FWDSPEC_BIND_LOOPBACK, NULL, 8080, "h", 80);
    check("*:8080:h:80", FWDSPEC_BIND_ANY, NULL, 8080, "h", 80);
    check(":8080:h:80", FWDSPEC_BIND_ANY, NULL, 8080, "h", 80);
    check("127.0.0.2:1:h:2", FWDSPEC_BIND_ADDR, "127.0.0.2", 1, "h", 2);
    check("[::1]:1:h:2", FWDSPEC_BIND_ADDR, "::1", 1, "h", 2);
    /* A name: resolved by adit at start-up, as ssh's getaddrinfo. */
    check("x:1:h:1", FWDSPEC_BIND_ADDR, "x", 1, "h", 1);
    check("example.com:1:h:1", FWDSPEC_BIND_ADDR, "example.com", 1, "h", 1);
    check("1:[::1]:22", FWDSPEC_BIND_DEFAULT, NULL, 1, "::1", 22);
    check("[fe80::1]:1:[2001:db8::2]:65535", FWDSPEC_BIND_ADDR, "fe80::1", 1,
          "2001:db8::2", 65535);
    check("5000 127.0.0.1:22", FWDSPEC_BIND_DEFAULT, NULL, 5000, "127.0.0.1",
          22);
}

static void
test_fwdspec_invalid(void **state)
{
    static const char *bad[] = {
        "",        "8080",       "8080:h",       "0:h:1",        "/a",
        "/a:8080", "1:h:/a",     "/a:h:/b",      "h/x:1:h:1",    "1:h:80:/x",
        "h:80",    "a:b:c:d:e",  "8080:h:0",     "8080:h:65536", "65536:h:1",
        "-1:h:1",  "[::1:1:h:1", "[::1]x:1:h:1", "1::1",         "1:h:1x",
        "1:h: 1",  "[]:1:h:1",   "1:[]:2",       "::1:2",
    };
    struct fwdspec f;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (fwdspec_parse(bad[i], &f) != ERR_FORMAT) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
        assert_null(f.host);
        assert_null(f.bind);
    }
}

/* Paths: any field with a '/' (ssh's rule), on either side. */
static void
test_fwdspec_paths(void **state)
{
    struct fwdspec f;

    (void)state;
    assert_int_equal(fwdspec_parse("8080:/run/pg.sock", &f), 0);
    assert_int_equal(f.listen_port, 8080);
    assert_string_equal(f.connect_path, "/run/pg.sock");
    assert_null(f.host);
    assert_int_equal(f.bind_kind, FWDSPEC_BIND_DEFAULT);
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse("127.0.0.1:8080:/s", &f), 0);
    assert_string_equal(f.bind, "127.0.0.1");
    assert_string_equal(f.connect_path, "/s");
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse("/tmp/l.sock:h:22", &f), 0);
    assert_string_equal(f.listen_path, "/tmp/l.sock");
    assert_string_equal(f.host, "h");
    assert_int_equal(f.host_port, 22);
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("/r.sock:/l.sock", FWDSPEC_REMOTE, &f),
                     0);
    assert_string_equal(f.listen_path, "/r.sock");
    assert_string_equal(f.connect_path, "/l.sock");
    assert_false(fwdspec_is_dynamic(&f));
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse("[/a:b]:h:1", &f), 0);
    assert_string_equal(f.listen_path, "/a:b");
    fwdspec_cleanup(&f);
}

/* -R: port 0, names as listen addresses, ssh's listen strings, and the
 * dynamic form with no target; -D takes only [bind:]port. */
static void
test_fwdspec_remote_dynamic(void **state)
{
    struct fwdspec f;

    (void)state;
    assert_int_equal(fwdspec_parse_kind("0:h:1", FWDSPEC_REMOTE, &f), 0);
    assert_int_equal(f.listen_port, 0);
    assert_string_equal(fwdspec_remote_bind(&f), "localhost");
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("web-1:22:h:22", FWDSPEC_REMOTE, &f),
                     0);
    assert_string_equal(fwdspec_remote_bind(&f), "web-1");
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("*:1:h:2", FWDSPEC_REMOTE, &f), 0);
    assert_string_equal(fwdspec_remote_bind(&f), "");
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("8080", FWDSPEC_REMOTE, &f), 0);
    assert_true(fwdspec_is_dynamic(&f));
    assert_int_equal(f.listen_port, 8080);
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("[::1]:8080", FWDSPEC_DYNAMIC, &f), 0);
    assert_string_equal(f.bind, "::1");
    assert_true(fwdspec_is_dynamic(&f));
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("/s", FWDSPEC_REMOTE, &f), ERR_FORMAT);
    assert_int_equal(fwdspec_parse_kind("1:h:2", FWDSPEC_DYNAMIC, &f),
                     ERR_FORMAT);
    assert_int_equal(fwdspec_parse_kind("name:1", FWDSPEC_DYNAMIC, &f), 0);
    assert_true(fwdspec_bind_is_name(&f));
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("[::1]:1", FWDSPEC_DYNAMIC, &f), 0);
    assert_false(fwdspec_bind_is_name(&f));
    fwdspec_cleanup(&f);
    assert_int_equal(fwdspec_parse_kind("0", FWDSPEC_DYNAMIC, &f), ERR_FORMAT);
}

static void
test_fwdspec_copy(void **state)
{
    struct fwdspec a, b;

    (void)state;
    assert_int_equal(fwdspec_parse("[::1]:1:h:2", &a), 0);
    assert_int_equal(fwdspec_copy(&a, &b), 0);
    fwdspec_cleanup(&a);
    assert_string_equal(b.bind, "::1");
    assert_string_equal(b.host, "h");
    fwdspec_cleanup(&b);
}

static void
test_hostport_parse(void **state)
{
    char *h = NULL;
    uint16_t p = 1;

    (void)state;
    assert_int_equal(hostport_parse("0.0.0.0", &h, &p), 0);
    assert_string_equal(h, "0.0.0.0");
    assert_int_equal(p, 0);
    free(h);
    assert_int_equal(hostport_parse("127.0.0.1:2222", &h, &p), 0);
    assert_string_equal(h, "127.0.0.1");
    assert_int_equal(p, 2222);
    free(h);
    assert_int_equal(hostport_parse("[::1]:22", &h, &p), 0);
    assert_string_equal(h, "::1");
    assert_int_equal(p, 22);
    free(h);
    assert_int_equal(hostport_parse("::", &h, &p), 0);
    assert_string_equal(h, "::");
    free(h);
    assert_int_equal(hostport_parse("h:0", &h, &p), ERR_FORMAT);
    assert_int_equal(hostport_parse(":22", &h, &p), ERR_FORMAT);
    assert_int_equal(hostport_parse("[::1", &h, &p), ERR_FORMAT);
    assert_int_equal(hostport_parse("h:22:", &h, &p), ERR_FORMAT);
    assert_null(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fwdspec_valid),
        cmocka_unit_test(test_fwdspec_invalid),
        cmocka_unit_test(test_fwdspec_paths),
        cmocka_unit_test(test_fwdspec_remote_dynamic),
        cmocka_unit_test(test_fwdspec_copy),
        cmocka_unit_test(test_hostport_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
