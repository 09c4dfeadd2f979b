/* SPDX-License-Identifier: ISC */
/* Escape characters on a session's input (escape.c), as ssh reads them. */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn/escape.h"
#include "util/err.h"
#include "wire/buf.h"

struct run {
    struct buf out, echo;
    enum escape_act acts[16];
    size_t n_acts;
};

/* Feed s through e, all of it, collecting the sequences met. */
static void
feed(struct escape *e, const char *s, struct run *r)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t n = strlen(s), used;
    enum escape_act act;

    while (n > 0) {
        assert_int_equal(escape_filter(e, p, n, &used, &r->out, &r->echo, &act),
                         0);
        assert_true(used <= n);
        if (act != ESCAPE_NONE) {
            assert_true(r->n_acts < 16);
            r->acts[r->n_acts++] = act;
        } else {
            assert_int_equal(used, n);
        }
        p += used;
        n -= used;
    }
}

static void
run_init(struct run *r)
{
    memset(r, 0, sizeof(*r));
    buf_init(&r->out);
    buf_init(&r->echo);
}

static void
run_cleanup(struct run *r)
{
    buf_cleanup(&r->out);
    buf_cleanup(&r->echo);
}

static bool
out_is(const struct run *r, const char *s)
{
    return buf_len(&r->out) == strlen(s) &&
           memcmp(buf_ptr(&r->out), s, strlen(s)) == 0;
}

static void
test_only_at_line_start(void **state)
{
    struct escape e;
    struct run r;

    (void)state;
    escape_init(&e, '~');
    run_init(&r);
    /* At the start (nothing sent yet) ~. acts; mid-line it is data. */
    feed(&e, "a~.b\r~.", &r);
    assert_true(out_is(&r, "a~.b\r"));
    assert_int_equal(r.n_acts, 1);
    assert_int_equal(r.acts[0], ESCAPE_DISCONNECT);
    run_cleanup(&r);
    escape_init(&e, '~');
    run_init(&r);
    feed(&e, "~.", &r);
    assert_int_equal(r.n_acts, 1);
    assert_int_equal(buf_len(&r.out), 0);
    run_cleanup(&r);
}

static void
test_doubled_and_unknown(void **state)
{
    struct escape e;
    struct run r;

    (void)state;
    escape_init(&e, '~');
    run_init(&r);
    /* ~~ sends one ~; ~x sends both; after either the line goes on. */
    feed(&e, "~~.\n~x\n", &r);
    assert_true(out_is(&r, "~.\n~x\n"));
    assert_int_equal(r.n_acts, 0);
    run_cleanup(&r);
}

static void
test_every_sequence_split_reads(void **state)
{
    static const struct {
        char c;
        enum escape_act act;
    } seqs[] = {
        {'.', ESCAPE_DISCONNECT},   {26, ESCAPE_SUSPEND},
        {'B', ESCAPE_BREAK},        {'R', ESCAPE_REKEY},
        {'V', ESCAPE_LESS_VERBOSE}, {'v', ESCAPE_MORE_VERBOSE},
        {'#', ESCAPE_LIST},         {'?', ESCAPE_HELP},
        {'C', ESCAPE_CMDLINE_OPEN}, {'&', ESCAPE_BACKGROUND},
    };
    struct escape e;
    struct run r;
    char one[2] = {0, 0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
        escape_init(&e, '~');
        run_init(&r);
        /* The escape and its letter in separate reads. */
        feed(&e, "\n~", &r);
        one[0] = seqs[i].c;
        feed(&e, one, &r);
        assert_int_equal(r.n_acts, 1);
        assert_int_equal(r.acts[0], seqs[i].act);
        assert_true(out_is(&r, "\n"));
        /* Still at a line's start: another sequence acts at once. */
        feed(&e, "~#", &r);
        assert_int_equal(r.n_acts, 2);
        run_cleanup(&r);
    }
}

static void
test_other_char_and_none(void **state)
{
    struct escape e;
    struct run r;

    (void)state;
    escape_init(&e, 1); /* ^A, as -e ^A */
    run_init(&r);
    feed(&e, "~.\x01.", &r);
    assert_true(out_is(&r, "~.\x01."));
    assert_int_equal(r.n_acts, 0); /* ~ is plain; ^A mid-line too */
    feed(&e, "\r\x01.", &r);
    assert_int_equal(r.n_acts, 1);
    run_cleanup(&r);
    escape_init(&e, -1); /* EscapeChar none */
    run_init(&r);
    feed(&e, "~.~?", &r);
    assert_true(out_is(&r, "~.~?"));
    assert_int_equal(r.n_acts, 0);
    run_cleanup(&r);
}

static void
test_command_line(void **state)
{
    struct escape e;
    struct run r;

    (void)state;
    escape_init(&e, '~');
    run_init(&r);
    feed(&e, "~C", &r);
    assert_int_equal(r.acts[0], ESCAPE_CMDLINE_OPEN);
    escape_line_begin(&e);
    /* Typed, one mistake erased, ^U clears, typed again, Enter. */
    feed(&e, "-Lx\x7f 80\x15-L 1:h:2\rls\r", &r);
    assert_int_equal(r.n_acts, 2);
    assert_int_equal(r.acts[1], ESCAPE_CMDLINE);
    assert_string_equal(escape_line(&e), "-L 1:h:2");
    /* The line never reaches the server; what follows does. */
    assert_true(out_is(&r, "ls\r"));
    assert_true(buf_len(&r.echo) > 0);
    run_cleanup(&r);
}

static void
test_cmd_parse(void **state)
{
    struct escape_cmd c;

    (void)state;
    escape_cmd_parse("  -L 8080:localhost:80", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_FORWARD);
    assert_int_equal(c.fwd, 'L');
    assert_string_equal(c.arg, "8080:localhost:80");
    escape_cmd_parse("R0:h:22", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_FORWARD);
    assert_int_equal(c.fwd, 'R');
    assert_string_equal(c.arg, "0:h:22");
    escape_cmd_parse("-KD 1080", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_CANCEL);
    assert_int_equal(c.fwd, 'D');
    assert_string_equal(c.arg, "1080");
    escape_cmd_parse("!ls -l", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_LOCAL);
    assert_string_equal(c.arg, "ls -l");
    escape_cmd_parse(" ? ", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_HELP);
    escape_cmd_parse("   ", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_EMPTY);
    escape_cmd_parse("-", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_EMPTY);
    escape_cmd_parse("-X 1", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_INVALID);
    escape_cmd_parse("-K", &c);
    assert_int_equal(c.kind, ESCAPE_CMD_INVALID);
}

static void
test_help_text(void **state)
{
    struct buf b;
    char *s;

    (void)state;
    buf_init(&b);
    assert_int_equal(escape_help('~', false, true, &b), 0);
    assert_int_equal(buf_put_u8(&b, 0), 0);
    s = (char *)buf_ptr(&b);
    assert_non_null(strstr(s, "~?\r\nSupported escape sequences:\r\n"));
    assert_non_null(strstr(s, "~C   - open a command line\r\n"));
    assert_non_null(strstr(s, "~.   - terminate connection"));
    assert_non_null(strstr(s, " ~~   - send the escape character"));
    /* ssh 9.2's rows, ~& between ~# and ~?. */
    assert_non_null(strstr(s, "~#   - list forwarded connections\r\n"
                              "~&   - background ssh (when waiting for "
                              "connections to terminate)\r\n~?   - "));
    /* A multiplexed session's: its own ~., no ~C ~V ~^Z ~&. */
    buf_reset(&b);
    assert_int_equal(escape_help('~', true, true, &b), 0);
    assert_int_equal(buf_put_u8(&b, 0), 0);
    s = (char *)buf_ptr(&b);
    assert_non_null(strstr(s, "~.   - terminate session\r\n~B   - "));
    assert_null(strstr(s, "terminate connection"));
    assert_null(strstr(s, "~C"));
    assert_null(strstr(s, "~&"));
    assert_non_null(strstr(s, "~#   - list forwarded connections\r\n~?   - "));
    /* EnableEscapeCommandline off: no ~C row, the rest as before. */
    buf_reset(&b);
    assert_int_equal(escape_help('~', false, false, &b), 0);
    assert_int_equal(buf_put_u8(&b, 0), 0);
    s = (char *)buf_ptr(&b);
    assert_null(strstr(s, "~C"));
    assert_non_null(strstr(s, "~B   - send a BREAK to the remote system\r\n"
                              "~R   - request rekey\r\n"));
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_at_line_start),
        cmocka_unit_test(test_doubled_and_unknown),
        cmocka_unit_test(test_every_sequence_split_reads),
        cmocka_unit_test(test_other_char_and_none),
        cmocka_unit_test(test_command_line),
        cmocka_unit_test(test_cmd_parse),
        cmocka_unit_test(test_help_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
