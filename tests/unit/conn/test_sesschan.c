/* SPDX-License-Identifier: ISC */
/*
 * The client's session channel (sesschan.c) and the pty modes
 * (ttymodes.c), with an in-memory client and server connection pair: the
 * client's requests in ssh's order, the server's answers and its
 * exit-status, exit-signal and stderr.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "capsink.h"
#include "conn/conn.h"
#include "conn/sesschan.h"
#include "conn/ttymodes.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define MAX_SEEN 32

/* The server's side: what it was asked, and how it answers. */
struct server {
    struct capsink cap;
    struct pkt_sink sink;
    struct conn *c;
    char seen[MAX_SEEN][32]; /* request types in order */
    bool seen_reply[MAX_SEEN];
    size_t n_seen;
    char term[32], command[64], env[4][32];
    size_t n_env;
    uint32_t cols, rows;
    uint8_t modes[512];
    size_t n_modes;
    bool refuse_exec;
    const char *end_with; /* after exec: "status", "signal" or NULL */
};

/* The client's side. */
struct client {
    struct capsink cap;
    struct pkt_sink sink;
    struct conn *c;
    struct sesschan *sc;
    uint32_t id;
    const struct sesschan_start *start;
    char replies[MAX_SEEN][32];
    bool reply_ok[MAX_SEEN];
    size_t n_replies;
    uint32_t status;
    unsigned n_status, n_signal, n_eow;
    char signame[16];
    bool core;
    struct buf out, err;
    unsigned n_closed;
};

struct pair {
    struct server srv;
    struct client cli;
};

/* ---- server ---- */

static void
srv_open_request(void *ctx, uint32_t id, const struct chan_open_info *info)
{
    struct server *s = ctx;

    assert_string_equal(info->type, "session");
    assert_int_equal(conn_open_confirm(s->c, id), 0);
}

static void
srv_parse(struct server *s, const char *type, const uint8_t *p, size_t n)
{
    struct rd rd;
    char *a = NULL, *b = NULL;
    const uint8_t *modes;
    uint32_t u;

    rd_init(&rd, p, n);
    if (strcmp(type, "pty-req") == 0) {
        assert_int_equal(rd_cstring(&rd, &a, 64), 0);
        snprintf(s->term, sizeof(s->term), "%s", a);
        assert_int_equal(rd_u32(&rd, &s->cols), 0);
        assert_int_equal(rd_u32(&rd, &s->rows), 0);
        assert_int_equal(rd_u32(&rd, &u), 0);
        assert_int_equal(rd_u32(&rd, &u), 0);
        assert_int_equal(rd_string(&rd, &modes, &s->n_modes, 512), 0);
        memcpy(s->modes, modes, s->n_modes);
    } else if (strcmp(type, "window-change") == 0) {
        assert_int_equal(rd_u32(&rd, &s->cols), 0);
        assert_int_equal(rd_u32(&rd, &s->rows), 0);
        assert_int_equal(rd_u32(&rd, &u), 0);
        assert_int_equal(rd_u32(&rd, &u), 0);
    } else if (strcmp(type, "env") == 0) {
        assert_int_equal(rd_cstring(&rd, &a, 64), 0);
        assert_int_equal(rd_cstring(&rd, &b, 64), 0);
        snprintf(s->env[s->n_env++], sizeof(s->env[0]), "%s=%s", a, b);
    } else if (strcmp(type, "exec") == 0 || strcmp(type, "subsystem") == 0) {
        assert_int_equal(rd_cstring(&rd, &a, 64), 0);
        snprintf(s->command, sizeof(s->command), "%s", a);
    }
    assert_int_equal(rd_end(&rd), 0);
    free(a);
    free(b);
}

/* After exec: some output on both streams, then the end. */
static void
srv_run(struct server *s, uint32_t id)
{
    static const uint8_t status[4] = {0, 0, 0, 42};
    struct buf b;

    buf_init(&b);
    assert_int_equal(conn_send(s->c, id, (const uint8_t *)"out", 3), 0);
    assert_int_equal(conn_send_extended(s->c, id, 1, (const uint8_t *)"err", 3),
                     0);
    if (s->end_with != NULL && strcmp(s->end_with, "status") == 0) {
        assert_int_equal(conn_channel_request(s->c, id, "exit-status", false,
                                              status, sizeof(status)),
                         0);
    } else if (s->end_with != NULL) {
        assert_int_equal(buf_put_cstring(&b, "TERM"), 0);
        assert_int_equal(buf_put_bool(&b, true), 0);
        assert_int_equal(buf_put_cstring(&b, "killed"), 0);
        assert_int_equal(buf_put_cstring(&b, ""), 0);
        assert_int_equal(conn_channel_request(s->c, id, "exit-signal", false,
                                              buf_ptr(&b), buf_len(&b)),
                         0);
    }
    if (s->end_with != NULL) {
        assert_int_equal(conn_send_eof(s->c, id), 0);
        assert_int_equal(conn_close(s->c, id), 0);
    }
    buf_cleanup(&b);
}

static bool
srv_chan_request(void *ctx, uint32_t id, const char *type, bool want_reply,
                 const uint8_t *p, size_t n)
{
    struct server *s = ctx;
    bool ok = !(s->refuse_exec && strcmp(type, "exec") == 0);

    assert_true(s->n_seen < MAX_SEEN);
    snprintf(s->seen[s->n_seen], sizeof(s->seen[0]), "%s", type);
    s->seen_reply[s->n_seen++] = want_reply;
    srv_parse(s, type, p, n);
    if (want_reply) {
        assert_int_equal(conn_channel_reply(s->c, id, ok), 0);
    }
    if (ok && strcmp(type, "exec") == 0) {
        srv_run(s, id);
    }
    return true;
}

/* ---- client ---- */

static void
cli_reply(void *ctx, const char *type, bool ok)
{
    struct client *c = ctx;

    snprintf(c->replies[c->n_replies], sizeof(c->replies[0]), "%s", type);
    c->reply_ok[c->n_replies++] = ok;
}

static void
cli_exit_status(void *ctx, uint32_t status)
{
    struct client *c = ctx;

    c->n_status++;
    c->status = status;
}

static void
cli_exit_signal(void *ctx, const char *sig, bool core, const char *msg)
{
    struct client *c = ctx;

    (void)msg;
    c->n_signal++;
    c->core = core;
    snprintf(c->signame, sizeof(c->signame), "%s", sig);
}

static void
cli_eow(void *ctx)
{
    ((struct client *)ctx)->n_eow++;
}

static void
cli_open_result(void *ctx, uint32_t id, uint32_t reason, const char *msg)
{
    struct client *c = ctx;
    struct sesschan_cbs cbs = {.ctx = c,
                               .reply = cli_reply,
                               .exit_status = cli_exit_status,
                               .exit_signal = cli_exit_signal,
                               .eow = cli_eow};

    (void)msg;
    assert_int_equal(reason, 0);
    assert_int_equal(sesschan_new(&c->sc, c->c, id, &cbs), 0);
    if (c->start != NULL) {
        assert_int_equal(sesschan_start(c->sc, c->start), 0);
    }
}

static void
cli_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    struct client *c = ctx;

    assert_int_equal(buf_put(&c->out, p, n), 0);
    assert_int_equal(conn_consumed(c->c, id, n), 0);
}

static void
cli_ext_data(void *ctx, uint32_t id, uint32_t code, const uint8_t *p, size_t n)
{
    struct client *c = ctx;

    assert_int_equal(code, 1);
    assert_int_equal(buf_put(&c->err, p, n), 0);
    assert_int_equal(conn_consumed(c->c, id, n), 0);
}

static bool
cli_chan_request(void *ctx, uint32_t id, const char *type, bool want_reply,
                 const uint8_t *p, size_t n)
{
    struct client *c = ctx;

    (void)id;
    return sesschan_on_request(c->sc, type, want_reply, p, n);
}

static void
cli_chan_reply(void *ctx, uint32_t id, bool ok)
{
    struct client *c = ctx;

    (void)id;
    assert_int_equal(sesschan_on_reply(c->sc, ok), 0);
}

static void
cli_closed(void *ctx, uint32_t id)
{
    (void)id;
    ((struct client *)ctx)->n_closed++;
}

static struct pair *
pair_new(void)
{
    struct pair *p = calloc(1, sizeof(*p));
    struct conn_cbs scbs = {.open_request = srv_open_request,
                            .chan_request = srv_chan_request};
    struct conn_cbs ccbs = {.open_result = cli_open_result,
                            .data = cli_data,
                            .ext_data = cli_ext_data,
                            .chan_request = cli_chan_request,
                            .chan_reply = cli_chan_reply,
                            .closed = cli_closed};

    assert_non_null(p);
    scbs.ctx = &p->srv;
    ccbs.ctx = &p->cli;
    cap_init(&p->srv.cap, &p->srv.sink);
    cap_init(&p->cli.cap, &p->cli.sink);
    assert_int_equal(conn_new(&p->srv.c, &p->srv.sink, &scbs), 0);
    assert_int_equal(conn_new(&p->cli.c, &p->cli.sink, &ccbs), 0);
    buf_init(&p->cli.out);
    buf_init(&p->cli.err);
    return p;
}

static void
pair_free(struct pair *p)
{
    sesschan_free(p->cli.sc);
    conn_free(p->cli.c);
    conn_free(p->srv.c);
    cap_cleanup(&p->cli.cap);
    cap_cleanup(&p->srv.cap);
    buf_cleanup(&p->cli.out);
    buf_cleanup(&p->cli.err);
    free(p);
}

/* Carry messages both ways until neither side has more. */
static void
pump(struct pair *p)
{
    const struct cap_msg *m;
    bool moved = true;

    while (moved) {
        moved = false;
        while ((m = cap_take(&p->cli.cap)) != NULL) {
            assert_int_equal(conn_handle(p->srv.c, m->p, m->len), 0);
            moved = true;
        }
        while ((m = cap_take(&p->srv.cap)) != NULL) {
            assert_int_equal(conn_handle(p->cli.c, m->p, m->len), 0);
            moved = true;
        }
    }
}

static void
open_session(struct pair *p, const struct sesschan_start *st)
{
    struct chan_open_info info = {.type = "session"};

    p->cli.start = st;
    assert_int_equal(conn_open(p->cli.c, &info, NULL, &p->cli.id), 0);
    pump(p);
}

/* ---- tests ---- */

static void
test_exec_in_ssh_order(void **state)
{
    struct pair *p = pair_new();
    static const uint8_t modes[] = {53, 0, 0, 0, 1, 0}; /* ECHO 1, END */
    struct sesschan_pty pty = {.term = "xterm",
                               .cols = 132,
                               .rows = 43,
                               .modes = modes,
                               .n_modes = sizeof(modes)};
    const char *env[] = {"LANG=C.UTF-8", "not-a-pair", "FOO=a=b"};
    struct sesschan_start st = {.kind = SESSCHAN_EXEC,
                                .command = "ls -l",
                                .pty = &pty,
                                .env = env,
                                .n_env = 3};
    uint32_t status = 0;

    (void)state;
    p->srv.end_with = "status";
    open_session(p, &st);
    /* pty-req, the env pairs (the bad entry skipped), exec. */
    assert_int_equal(p->srv.n_seen, 4);
    assert_string_equal(p->srv.seen[0], "pty-req");
    assert_string_equal(p->srv.seen[1], "env");
    assert_string_equal(p->srv.seen[2], "env");
    assert_string_equal(p->srv.seen[3], "exec");
    assert_true(p->srv.seen_reply[0]);
    assert_false(p->srv.seen_reply[1]);
    assert_true(p->srv.seen_reply[3]);
    assert_string_equal(p->srv.term, "xterm");
    assert_int_equal(p->srv.cols, 132);
    assert_int_equal(p->srv.rows, 43);
    assert_int_equal(p->srv.n_modes, sizeof(modes));
    assert_memory_equal(p->srv.modes, modes, sizeof(modes));
    assert_string_equal(p->srv.env[0], "LANG=C.UTF-8");
    assert_string_equal(p->srv.env[1], "FOO=a=b");
    assert_string_equal(p->srv.command, "ls -l");
    /* Both answers, matched to their requests in order. */
    assert_int_equal(p->cli.n_replies, 2);
    assert_string_equal(p->cli.replies[0], "pty-req");
    assert_string_equal(p->cli.replies[1], "exec");
    assert_true(p->cli.reply_ok[0] && p->cli.reply_ok[1]);
    /* stdout and stderr apart, then the status and the close. */
    assert_int_equal(buf_len(&p->cli.out), 3);
    assert_memory_equal(buf_ptr(&p->cli.out), "out", 3);
    assert_int_equal(buf_len(&p->cli.err), 3);
    assert_memory_equal(buf_ptr(&p->cli.err), "err", 3);
    assert_int_equal(p->cli.n_status, 1);
    assert_true(sesschan_exited(p->cli.sc, &status));
    assert_int_equal(status, 42);
    assert_int_equal(p->cli.n_closed, 1);
    pair_free(p);
}

static void
test_shell_and_subsystem(void **state)
{
    struct pair *p = pair_new();
    struct sesschan_start shell = {.kind = SESSCHAN_SHELL};
    struct sesschan_start sub = {.kind = SESSCHAN_SUBSYSTEM, .command = "sftp"};
    struct sesschan_start bad = {.kind = SESSCHAN_EXEC};
    struct chan_open_info info = {.type = "session"};
    uint32_t id;

    (void)state;
    open_session(p, &shell);
    assert_int_equal(p->srv.n_seen, 1);
    assert_string_equal(p->srv.seen[0], "shell");
    assert_false(sesschan_exited(p->cli.sc, NULL));
    sesschan_free(p->cli.sc);
    p->cli.sc = NULL;
    p->cli.start = &sub;
    assert_int_equal(conn_open(p->cli.c, &info, NULL, &id), 0);
    pump(p);
    assert_string_equal(p->srv.seen[1], "subsystem");
    assert_string_equal(p->srv.command, "sftp");
    /* exec needs its command. */
    assert_int_equal(sesschan_start(p->cli.sc, &bad), ERR_INVAL);
    pair_free(p);
}

static void
test_exec_refused(void **state)
{
    struct pair *p = pair_new();
    struct sesschan_start st = {.kind = SESSCHAN_EXEC, .command = "x"};

    (void)state;
    p->srv.refuse_exec = true;
    open_session(p, &st);
    assert_int_equal(p->cli.n_replies, 1);
    assert_string_equal(p->cli.replies[0], "exec");
    assert_false(p->cli.reply_ok[0]);
    assert_false(sesschan_exited(p->cli.sc, NULL));
    /* A reply nobody waits for breaks the protocol. */
    assert_int_equal(sesschan_on_reply(p->cli.sc, true), ERR_PROTO);
    pair_free(p);
}

static void
test_exit_signal(void **state)
{
    struct pair *p = pair_new();
    struct sesschan_start st = {.kind = SESSCHAN_EXEC, .command = "x"};

    (void)state;
    p->srv.end_with = "signal";
    open_session(p, &st);
    assert_int_equal(p->cli.n_signal, 1);
    assert_string_equal(p->cli.signame, "TERM");
    assert_true(p->cli.core);
    /* No exit status: ssh's -1, adit's 255. */
    assert_false(sesschan_exited(p->cli.sc, NULL));
    assert_int_equal(p->cli.n_closed, 1);
    pair_free(p);
}

static void
test_server_requests_checked(void **state)
{
    struct pair *p = pair_new();
    struct sesschan_start st = {.kind = SESSCHAN_SHELL};
    static const uint8_t st5[5] = {0, 0, 0, 1, 9};
    static const uint8_t sig_short[6] = {0, 0, 0, 4, 'T', 'E'};

    (void)state;
    open_session(p, &st);
    /* Trailing or missing bytes: refused, nothing recorded. */
    assert_false(sesschan_on_request(p->cli.sc, "exit-status", false, st5, 5));
    assert_false(sesschan_on_request(p->cli.sc, "exit-status", false, st5, 3));
    assert_false(sesschan_on_request(p->cli.sc, "exit-signal", false, sig_short,
                                     sizeof(sig_short)));
    assert_int_equal(p->cli.n_status + p->cli.n_signal, 0);
    /* keepalive@openssh.com is not ours: the caller refuses it. */
    assert_false(
        sesschan_on_request(p->cli.sc, "keepalive@openssh.com", true, NULL, 0));
    /* eow@openssh.com: no more input wanted. */
    assert_true(
        sesschan_on_request(p->cli.sc, "eow@openssh.com", false, NULL, 0));
    assert_int_equal(p->cli.n_eow, 1);
    /* exit-status with want reply is answered. */
    assert_true(sesschan_on_request(p->cli.sc, "exit-status", true, st5, 4));
    assert_int_equal(p->cli.status, 1);
    pair_free(p);
}

static void
test_pending_limit_and_window_change(void **state)
{
    struct pair *p = pair_new();
    struct sesschan_start st = {.kind = SESSCHAN_SHELL};
    size_t i;

    (void)state;
    open_session(p, &st);
    for (i = 0; i < SESSCHAN_PENDING_MAX; i++) {
        assert_int_equal(sesschan_request(p->cli.sc, "x", true, NULL, 0), 0);
    }
    assert_int_equal(sesschan_request(p->cli.sc, "x", true, NULL, 0),
                     ERR_LIMIT);
    /* No reply wanted: no limit. */
    assert_int_equal(sesschan_window_change(p->cli.sc, 100, 30, 0, 0), 0);
    pump(p);
    assert_string_equal(p->srv.seen[p->srv.n_seen - 1], "window-change");
    assert_false(p->srv.seen_reply[p->srv.n_seen - 1]);
    assert_int_equal(p->srv.cols, 100);
    assert_int_equal(p->srv.rows, 30);
    pair_free(p);
}

/* ---- tty modes ---- */

static void
test_ttymodes_encoding(void **state)
{
    struct termios tio;
    struct buf b;
    struct rd rd;
    uint8_t op, seen_echo = 0, seen_intr = 0, seen_eol = 0;
    uint32_t v, ospeed = 0, n = 0;

    (void)state;
    memset(&tio, 0, sizeof(tio));
    tio.c_lflag = ECHO | ICANON;
    tio.c_cflag = CS8;
    tio.c_cc[VINTR] = 3;
    tio.c_cc[VEOL] = _POSIX_VDISABLE;
    /* glibc keeps one speed for both directions. */
    cfsetospeed(&tio, B38400);
    cfsetispeed(&tio, B38400);
    buf_init(&b);
    assert_int_equal(ttymodes_encode(&tio, &b), 0);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    for (;;) {
        assert_int_equal(rd_u8(&rd, &op), 0);
        if (op == TTY_OP_END) {
            break;
        }
        assert_int_equal(rd_u32(&rd, &v), 0);
        n++;
        if (n == 1) {
            assert_int_equal(op, TTY_OP_OSPEED); /* ssh sends it first */
            ospeed = v;
        } else if (n == 2) {
            assert_int_equal(op, TTY_OP_ISPEED);
            assert_int_equal(v, 38400);
        } else if (op == 53) {
            seen_echo = (uint8_t)v;
        } else if (op == 1) {
            seen_intr = (uint8_t)v;
        } else if (op == 6) {
            seen_eol = (uint8_t)v;
        } else if (op == 70 || op == 36) {
            assert_int_equal(v, 0); /* OPOST, ICRNL unset */
        }
    }
    assert_int_equal(rd_end(&rd), 0);
    assert_int_equal(ospeed, 38400);
    assert_int_equal(n, 2 + 14 + 36);
    assert_int_equal(seen_echo, 1);
    assert_int_equal(seen_intr, 3);
    assert_int_equal(seen_eol, 255); /* disabled: 255 as ssh */
    buf_reset(&b);
    assert_int_equal(ttymodes_encode(NULL, &b), 0);
    assert_int_equal(buf_len(&b), 1);
    assert_int_equal(buf_ptr(&b)[0], TTY_OP_END);
    assert_int_equal(ttymodes_baud(B115200), 115200);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_in_ssh_order),
        cmocka_unit_test(test_shell_and_subsystem),
        cmocka_unit_test(test_exec_refused),
        cmocka_unit_test(test_exit_signal),
        cmocka_unit_test(test_server_requests_checked),
        cmocka_unit_test(test_pending_limit_and_window_change),
        cmocka_unit_test(test_ttymodes_encoding),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
