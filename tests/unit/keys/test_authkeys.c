/* SPDX-License-Identifier: ISC */
/* Tests for keys/authkeys: every option, bad lines, whole files. */
#include "keys/authkeys.h"

#include "keys/authkeys_opts.h"
#include "keys_fixture.h"
#include "util/err.h"

static char *ed_key; /* "ssh-ed25519 AAAA..." from the fixture */
static char *ec_key;

static int
setup(void **state)
{
    char *s;

    ed_key = fixture_line("id_ed25519.pub");
    ec_key = fixture_line("id_ecdsa256.pub");
    /* Keep "type base64" only. */
    s = strchr(strchr(ed_key, ' ') + 1, ' ');
    *s = '\0';
    s = strchr(strchr(ec_key, ' ') + 1, ' ');
    *s = '\0';
    return 0;
}

static int
teardown(void **state)
{
    free(ed_key);
    free(ec_key);
    return 0;
}

/* Parse "<opts> <ed_key> <comment>"; returns the result code. */
static int
parse_opts(const char *opts, struct authkey *k, char *why, size_t why_len)
{
    char line[8192];

    snprintf(line, sizeof(line), "%s%s%s comment here", opts, *opts ? " " : "",
             ed_key);
    return authkey_parse_line(line, strlen(line), k, why, why_len);
}

static void
test_plain_lines(void **state)
{
    struct authkey k;
    char line[4096], why[128];

    assert_int_equal(
        authkey_parse_line(ed_key, strlen(ed_key), &k, why, sizeof(why)), 0);
    assert_string_equal(k.comment, "");
    assert_int_equal(k.opts.port_forwarding, -1);
    assert_false(k.opts.restrict_all);
    authkey_cleanup(&k);
    snprintf(line, sizeof(line), "  %s  user@host x \r", ec_key);
    assert_int_equal(
        authkey_parse_line(line, strlen(line), &k, why, sizeof(why)), 0);
    assert_string_equal(k.comment, "user@host x");
    authkey_cleanup(&k);
    assert_int_equal(authkey_parse_line("", 0, &k, why, sizeof(why)),
                     ERR_NOTFOUND);
    assert_int_equal(authkey_parse_line("  \t", 3, &k, why, sizeof(why)),
                     ERR_NOTFOUND);
    assert_int_equal(authkey_parse_line("# c", 3, &k, why, sizeof(why)),
                     ERR_NOTFOUND);
    assert_int_equal(
        authkey_parse_line("ssh-ed25519 AAAA", 16, &k, why, sizeof(why)),
        ERR_FORMAT);
}

static void
test_all_options(void **state)
{
    struct authkey k;
    char why[128];

    assert_int_equal(
        parse_opts("RESTRICT,port-forwarding,No-Pty,agent-forwarding,"
                   "no-X11-forwarding,user-rc,no-touch-required,"
                   "verify-required,cert-authority,"
                   "command=\"echo \\\"hi\\\" \\x\","
                   "environment=\"A_1=x y\",environment=\"B=\","
                   "from=\"10.0.0.0/8,!10.1.*\",principals=\"alice,bob\","
                   "tunnel=\"5\",permitopen=\"localhost:80\","
                   "permitopen=\"[::1]:*\",permitlisten=\"8080\","
                   "permitlisten=\"0.0.0.0:*\",permitlisten=\"[::]:2222\","
                   "expiry-time=\"20300101Z\",expiry-time=\"202901011200Z\"",
                   &k, why, sizeof(why)),
        0);
    assert_true(k.opts.restrict_all);
    assert_int_equal(k.opts.port_forwarding, 1);
    assert_int_equal(k.opts.pty, 0);
    assert_int_equal(k.opts.agent_forwarding, 1);
    assert_int_equal(k.opts.x11_forwarding, 0);
    assert_int_equal(k.opts.user_rc, 1);
    assert_true(k.opts.no_touch_required);
    assert_true(k.opts.verify_required);
    assert_true(k.opts.cert_authority);
    assert_string_equal(k.opts.command, "echo \"hi\" \\x");
    assert_int_equal(k.opts.n_environment, 2);
    assert_string_equal(k.opts.environment[0], "A_1=x y");
    assert_string_equal(k.opts.from, "10.0.0.0/8,!10.1.*");
    assert_string_equal(k.opts.principals, "alice,bob");
    assert_string_equal(k.opts.tunnel, "5");
    assert_int_equal(k.opts.n_permitopen, 2);
    assert_string_equal(k.opts.permitopen[1], "[::1]:*");
    assert_int_equal(k.opts.n_permitlisten, 3);
    assert_string_equal(k.opts.permitlisten[0], "8080");
    assert_true(k.opts.has_expiry);
    assert_int_equal(k.opts.expiry, 1861963200); /* 2029-01-01 12:00 UTC */
    assert_string_equal(k.comment, "comment here");
    authkey_cleanup(&k);
}

static void
test_bad_options(void **state)
{
    static const struct {
        const char *opts;
        const char *why;
    } bad[] = {
        {"foo", "unknown option \"foo\""},
        {"no-pty,bogus=\"1\"", "unknown option \"bogus\""},
        {"command=\"a\",command=\"b\"", "duplicate command option"},
        {"from=\"a\",from=\"b\"", "duplicate from option"},
        {"permitopen=\"host:0\"", "invalid permitopen"},
        {"permitopen=\"host\"", "invalid permitopen"},
        {"permitopen=\":80\"", "invalid permitopen"},
        {"permitopen=\"host:65536\"", "invalid permitopen"},
        {"permitopen=\"[::1:80\"", "invalid permitopen"},
        {"permitlisten=\"0\"", "invalid permitlisten"},
        {"permitlisten=\"host:x\"", "invalid permitlisten"},
        {"tunnel=\"x\"", "invalid tunnel \"x\""},
        {"environment=\"=x\"", "invalid environment"},
        {"environment=\"A-B=x\"", "invalid environment"},
        {"expiry-time=\"2030\"", "invalid expiry-time \"2030\""},
        {"expiry-time=\"20300231\"", "invalid expiry-time \"20300231\""},
        {"expiry-time=\"203001011260\"",
         "invalid expiry-time \"203001011260\""},
        {"command=unquoted", "option value must be quoted"},
        {"command=\"open", "unterminated quoted value"},
        {"no-pty=\"1\"", "option no-pty takes no value"},
        {"command", "option command needs a value"},
        {"no-pty,,pty", "bad option syntax near \",pty ssh-ed25519 AAA\""},
        {"no-pty;pty", "bad option syntax near \";pty ssh-ed25519 AAA\""},
    };
    struct authkey k;
    char why[128];
    size_t i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse_opts(bad[i].opts, &k, why, sizeof(why)),
                         ERR_FORMAT);
        assert_string_equal(why, bad[i].why);
        assert_null(k.key);
    }
    assert_int_equal(authkey_parse_line("no-pty", 6, &k, why, sizeof(why)),
                     ERR_FORMAT);
    assert_string_equal(why, "missing key after options");
    assert_int_equal(
        authkey_parse_line("ssh-dss AAAA", 12, &k, why, sizeof(why)),
        ERR_FORMAT);
    assert_int_equal(authkey_parse_line("a\0b", 3, &k, why, sizeof(why)),
                     ERR_FORMAT);
}

static void
test_expiry_time(void **state)
{
    int64_t t;

    assert_int_equal(authkeys_opts_parse_time("19700101Z", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(authkeys_opts_parse_time("20240229235959Z", &t), 0);
    assert_int_equal(t, 1709251199);
    assert_int_equal(authkeys_opts_parse_time("20230229Z", &t), ERR_FORMAT);
    assert_int_equal(authkeys_opts_parse_time("20240101", &t), 0);
    assert_int_equal(authkeys_opts_parse_time("2024010112Z", &t), ERR_FORMAT);
    assert_int_equal(authkeys_opts_parse_time("2024010A", &t), ERR_FORMAT);
    assert_int_equal(authkeys_opts_parse_time("Z", &t), ERR_FORMAT);
    assert_int_equal(authkeys_opts_parse_time("20240101ZZ", &t), ERR_FORMAT);
}

static void
test_line_limit(void **state)
{
    size_t n = 8193;
    char *line = malloc(n);
    struct authkey k;
    char why[64];

    memset(line, 'a', n);
    assert_int_equal(authkey_parse_line(line, n, &k, why, sizeof(why)),
                     ERR_FORMAT);
    assert_string_equal(why, "line too long");
    free(line);
}

static void
test_load_file(void **state)
{
    const char *dir = test_tmpdir();
    struct authkeys ak;
    struct sshkey *ec = NULL, *ed = NULL, *other = NULL;
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/authorized_keys", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "# comment\n\ncert-authority %s ca\n", ec_key);
    fprintf(f, "unknown-opt %s bad\n", ec_key);
    fprintf(f, "restrict,port-forwarding %s good\n", ec_key);
    fprintf(f, "%s last", ed_key);
    fclose(f);
    assert_int_equal(authkeys_load(path, &ak), 0);
    assert_int_equal(ak.n, 3);
    assert_int_equal(ak.v[0].line, 3);
    assert_int_equal(ak.v[1].line, 5);
    assert_int_equal(ak.v[2].line, 6);
    assert_int_equal(sshkey_parse_public(ec_key, &ec, NULL), 0);
    assert_int_equal(sshkey_parse_public(ed_key, &ed, NULL), 0);
    /* The cert-authority line is not a match for the bare key. */
    assert_ptr_equal(authkeys_find(&ak, ec), &ak.v[1]);
    assert_ptr_equal(authkeys_find(&ak, ed), &ak.v[2]);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &other), 0);
    assert_null(authkeys_find(&ak, other));
    authkeys_cleanup(&ak);
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(authkeys_load(path, &ak), ERR_NOTFOUND);
    sshkey_free(ec);
    sshkey_free(ed);
    sshkey_free(other);
}

static void
test_principal_lines(void **state)
{
    struct authkey_opts o, copy;
    char *p = NULL, why[160];
    const char *line = "restrict,permitopen=\"h:1\",from=\"10.0.0.0/8\"  ops ";

    assert_int_equal(
        authkeys_principal_line(line, strlen(line), &p, &o, why, sizeof(why)),
        0);
    assert_string_equal(p, "ops");
    assert_true(o.restrict_all);
    assert_int_equal(o.n_permitopen, 1);
    assert_int_equal(authkeys_opts_copy(&copy, &o), 0);
    authkeys_opts_cleanup(&o);
    assert_string_equal(copy.permitopen[0], "h:1");
    assert_string_equal(copy.from, "10.0.0.0/8");
    assert_true(copy.restrict_all);
    authkeys_opts_cleanup(&copy);
    free(p);
    assert_int_equal(authkeys_principal_line("alice", 5, &p, &o, why, 160), 0);
    assert_string_equal(p, "alice");
    assert_int_equal(o.port_forwarding, -1);
    free(p);
    assert_int_equal(authkeys_principal_line(" # c", 4, &p, &o, why, 160),
                     ERR_NOTFOUND);
    assert_int_equal(
        authkeys_principal_line("frob alice", 10, &p, &o, why, sizeof(why)),
        ERR_FORMAT);
    assert_null(p);
}

static void
test_principals_match(void **state)
{
    char *ps[] = {"web", "db"};

    assert_true(authkeys_principals_match("ops,db", ps, 2));
    assert_false(authkeys_principals_match("ops,dba,w*", ps, 2));
    assert_false(authkeys_principals_match("ops", ps, 0));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lines),
        cmocka_unit_test(test_all_options),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_expiry_time),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_principal_lines),
        cmocka_unit_test(test_principals_match),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
