/* SPDX-License-Identifier: ISC */
/* Tests for ctl/ctl_mux: multiplexing requests and forward formatting. */
#include "ctl/ctl_mux.h"

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "util/err.h"

/* Decode a request line (without the magic) into m. */
static int
mux(const char *words, struct ctl_mux *m)
{
    char line[LIM_CTL_REQUEST + 64], why[128] = "";
    struct ctl_request req;
    size_t used;
    int r;

    snprintf(line, sizeof(line), "%s %s\n", CTL_MAGIC, words);
    r = ctl_request_decode((const uint8_t *)line, strlen(line), &used, &req);
    if (r != 0) {
        return r;
    }
    r = ctl_mux_decode(&req, m, why, sizeof(why));
    assert_true(r == 0 || why[0] != '\0');
    return r;
}

static void
test_simple(void **state)
{
    struct ctl_mux m;

    assert_int_equal(mux("check", &m), 0);
    assert_int_equal(m.cmd, CTL_MUX_CHECK);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("exit", &m), 0);
    assert_int_equal(m.cmd, CTL_MUX_EXIT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stop", &m), 0);
    assert_int_equal(m.cmd, CTL_MUX_STOP);
    ctl_mux_cleanup(&m);
    /* One word too many, or a command that is not one. */
    assert_int_equal(mux("check now", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("status", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
}

static void
test_forward(void **state)
{
    struct ctl_mux m;

    assert_int_equal(mux("forward L 8080:localhost:80", &m), 0);
    assert_int_equal(m.cmd, CTL_MUX_FORWARD);
    assert_int_equal(m.kind, FWDSPEC_LOCAL);
    assert_int_equal(m.fwd.listen_port, 8080);
    assert_string_equal(m.fwd.host, "localhost");
    assert_int_equal(m.fwd.host_port, 80);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("cancel R 0:127.0.0.1:22", &m), 0);
    assert_int_equal(m.cmd, CTL_MUX_CANCEL);
    assert_int_equal(m.kind, FWDSPEC_REMOTE);
    assert_int_equal(m.fwd.listen_port, 0);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward D 1080", &m), 0);
    assert_int_equal(m.kind, FWDSPEC_DYNAMIC);
    ctl_mux_cleanup(&m);
    /* Each kind's rules: -L needs a target, -L port 0 is none, -D none. */
    assert_int_equal(mux("forward L 8080", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward L 0:h:1", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward D 1080:h:1", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward X 1080", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward L", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward L 1:h:1 extra", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    /* A -L bind name would need a lookup in the loop: refused. */
    assert_int_equal(mux("forward L some.name:8080:h:1", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("forward R some.name:8080:h:1", &m), 0);
    ctl_mux_cleanup(&m);
}

static void
test_stdio(void **state)
{
    struct ctl_mux m;

    assert_int_equal(mux("stdio db.example:5432", &m), 0);
    assert_int_equal(m.cmd, CTL_MUX_STDIO);
    assert_string_equal(m.host, "db.example");
    assert_int_equal(m.port, 5432);
    assert_null(m.path);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stdio [::1]:22", &m), 0);
    assert_string_equal(m.host, "::1");
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stdio /run/app.sock", &m), 0);
    assert_string_equal(m.path, "/run/app.sock");
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stdio host", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stdio host:0", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stdio :22", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("stdio", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
}

static void
test_session(void **state)
{
    char line[256], why[128];
    struct ctl_request req;
    struct ctl_mux m;
    size_t used;

    snprintf(line, sizeof(line),
             "%s session exec cmd=ls%%20-l env=A=b "
             "env=LANG=C\n",
             CTL_MAGIC);
    assert_int_equal(
        ctl_request_decode((const uint8_t *)line, strlen(line), &used, &req),
        0);
    why[0] = '\0';
    if (ctl_mux_decode(&req, &m, why, sizeof(why)) != 0) {
        fail_msg("%s", why);
    }
    assert_int_equal(m.cmd, CTL_MUX_SESSION);
    assert_int_equal(m.sess, CTL_MUX_SESS_EXEC);
    assert_string_equal(m.command, "ls -l");
    assert_int_equal(m.n_env, 2);
    assert_string_equal(m.env[1], "LANG=C");
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell", &m), 0);
    assert_int_equal(m.sess, CTL_MUX_SESS_SHELL);
    assert_null(m.command);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session subsystem cmd=sftp", &m), 0);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session exec", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell cmd=ls", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session exec cmd=a cmd=b", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session exec cmd=a env==x", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session exec cmd=a env=NOVALUE", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session tty cmd=a", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    /* The pty words. */
    assert_int_equal(mux("session shell tty=1 term=xterm escape=126", &m), 0);
    assert_int_equal(m.tty, 1);
    assert_string_equal(m.term, "xterm");
    assert_int_equal(m.escape, 126);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session exec cmd=a tty=2", &m), 0);
    assert_int_equal(m.tty, 2);
    assert_null(m.term);
    assert_int_equal(m.escape, -1);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell tty=3", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell escape=256", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell escape=-1", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell escape=1x", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
    assert_int_equal(mux("session shell term=a term=b", &m), ERR_FORMAT);
    ctl_mux_cleanup(&m);
}

/* Formatting a parsed spec gives one that parses to the same. */
static void
roundtrip(const char *spec, enum fwdspec_kind kind, const char *want)
{
    struct fwdspec f, g;
    char out[512], again[512];

    assert_int_equal(fwdspec_parse_kind(spec, kind, &f), 0);
    assert_int_equal(ctl_mux_fwd_format(&f, kind, out, sizeof(out)), 0);
    assert_string_equal(out, want);
    assert_int_equal(fwdspec_parse_kind(out, kind, &g), 0);
    assert_int_equal(ctl_mux_fwd_format(&g, kind, again, sizeof(again)), 0);
    assert_string_equal(again, out);
    fwdspec_cleanup(&f);
    fwdspec_cleanup(&g);
}

static void
test_format(void **state)
{
    struct fwdspec f;
    char small[8];

    roundtrip("8080:localhost:80", FWDSPEC_LOCAL, "8080:localhost:80");
    roundtrip("127.0.0.1:8080:db:5432", FWDSPEC_LOCAL,
              "127.0.0.1:8080:db:5432");
    roundtrip("[::1]:8080:[::1]:80", FWDSPEC_LOCAL, "[::1]:8080:[::1]:80");
    roundtrip("localhost:8080:h:80", FWDSPEC_LOCAL, "localhost:8080:h:80");
    roundtrip("*:8080:h:80", FWDSPEC_LOCAL, "*:8080:h:80");
    roundtrip(":8080:h:80", FWDSPEC_LOCAL, "*:8080:h:80");
    roundtrip("/tmp/l.sock:/run/r.sock", FWDSPEC_LOCAL,
              "/tmp/l.sock:/run/r.sock");
    roundtrip("8080:/run/r.sock", FWDSPEC_LOCAL, "8080:/run/r.sock");
    roundtrip("0:127.0.0.1:22", FWDSPEC_REMOTE, "0:127.0.0.1:22");
    roundtrip("2222", FWDSPEC_REMOTE, "2222");
    roundtrip("1080", FWDSPEC_DYNAMIC, "1080");
    roundtrip("127.0.0.1:1080", FWDSPEC_DYNAMIC, "127.0.0.1:1080");
    assert_int_equal(fwdspec_parse_kind("8080:localhost:80", FWDSPEC_LOCAL, &f),
                     0);
    assert_int_equal(
        ctl_mux_fwd_format(&f, FWDSPEC_LOCAL, small, sizeof(small)), ERR_LIMIT);
    fwdspec_cleanup(&f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple), cmocka_unit_test(test_forward),
        cmocka_unit_test(test_stdio),  cmocka_unit_test(test_session),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
