/* SPDX-License-Identifier: ISC */
/*
 * The local terminal of a session with a pty, as ssh's client_loop keeps
 * it: raw mode while the session runs (restored when it ends, on a
 * signal, on ~^Z, on any way out through the loop), window-change on
 * SIGWINCH, and the escape characters (ssh's process_escapes).
 */
#include "fwd/client_int.h"
#include "fwd/client_sess.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfgline.h"
#include "conn/escape.h"
#include "io/io_tty.h"
#include "transport/transport.h"
#include "util/err.h"
#include "util/log.h"

struct client_term {
    struct client *c;
    struct termios saved;
    bool raw; /* stdin is in raw mode; saved holds its modes */
    uv_signal_t winch;
    bool winch_open;
    struct escape esc;
    struct buf echo; /* what the escape filter shows locally */
    /* A ~C !command has the terminal: the input read with its command
     * line, after it, waits in held until it ends (ssh runs the command
     * before it looks at the rest of that read). */
    bool local_running;
    struct buf held;
};

/* Local words while the terminal is raw: as they are, "\r\n" included. */
static void
client_term_say(const void *p, size_t n)
{
    if (n > 0) {
        (void)fwrite(p, 1, n, stderr);
        (void)fflush(stderr);
    }
}

static void client_term_sayf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
client_term_sayf(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0) {
        client_term_say(line, (size_t)n < sizeof(line) ? (size_t)n
                                                       : sizeof(line) - 1);
    }
}

static void
client_term_size(struct client *c)
{
    uint32_t cols, rows, x, y;

    if (c->sess != NULL) {
        io_tty_size(STDIN_FILENO, &cols, &rows, &x, &y);
        client_sess_resize(c->sess, cols, rows, x, y);
    }
}

static void
client_term_winch(uv_signal_t *h, int sig)
{
    (void)sig;
    client_term_size(h->data);
}

/* ~^Z: the terminal as it was, stopped until continued, raw again and
 * the size sent anew (it may have changed meanwhile), as ssh. */
static void
client_term_suspend(struct client_term *t)
{
    client_term_sayf("%c^Z [suspend ssh]\r\n", t->esc.ch);
    if (t->raw) {
        io_tty_restore(STDIN_FILENO, &t->saved);
    }
    (void)kill(getpid(), SIGTSTP);
    if (t->raw && io_tty_raw(STDIN_FILENO, &t->saved, true) != 0) {
        t->raw = false;
    }
    client_term_size(t->c);
}

/* ~v and ~V: LogLevel one step up or down. */
static void
client_term_verbosity(struct client_term *t, int step)
{
    int level = log_get_level() + step;

    if (level < LOG_QUIET || level > LOG_DEBUG3) {
        level -= step;
    }
    log_init("adit", level);
    client_term_sayf("%c%c [LogLevel %s]\r\n", t->esc.ch, step > 0 ? 'v' : 'V',
                     cfgline_loglevel_name(level, "ERROR"));
}

/* ~B: break (RFC 4335) for 1000 ms, as ssh sends it. */
static void
client_term_break(struct client_term *t)
{
    static const uint8_t ms[4] = {0, 0, 0x03, 0xe8};
    struct sesschan *sc =
        t->c->sess != NULL ? client_sess_sesschan(t->c->sess) : NULL;

    client_term_sayf("%cB\r\n", t->esc.ch);
    if (sc != NULL && sesschan_request(sc, "break", false, ms, 4) == 0) {
        io_conn_flush(t->c->ic);
    }
}

static void
client_term_rekey(struct client_term *t)
{
    struct io_conn *ic = t->c->ic;

    if (ic != NULL &&
        transport_rekey(session_transport(io_conn_session(ic))) == 0) {
        io_conn_flush(ic);
    }
}

/* ~#: what is open on the connection, as ssh lists its channels. */
static void
client_term_list(struct client_term *t)
{
    struct conn *cn = t->c->ic != NULL ? io_conn_conn(t->c->ic) : NULL;
    struct buf b;

    client_term_sayf("%c#\r\n", t->esc.ch);
    buf_init(&b);
    buf_set_nowipe(&b);
    if (cn != NULL && conn_open_message(cn, &b) == 0) {
        client_term_say(buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
}

static void
client_term_help(struct client_term *t)
{
    struct buf b;

    buf_init(&b);
    buf_set_nowipe(&b);
    if (escape_help(t->esc.ch, false, t->c->cfg->escape_cmdline == 1, &b) ==
        0) {
        client_term_say(buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
}

/*
 * ~&: ssh's background at logout. No more listening; the terminal as it
 * was, "~& [backgrounded]", and the parent exits 0 at once, giving the
 * terminal back. The child sends ^D (a shell logs out) and reads no
 * more input: the session ends, and it waits in the background for the
 * channels still open, as after any session. False if the fork failed.
 */
static bool
client_term_background(struct client_term *t, struct buf *out)
{
    struct client *c = t->c;
    struct io_chan *ch = c->sess != NULL ? client_sess_chan(c->sess) : NULL;
    pid_t pid;

    if (t->raw) {
        io_tty_restore(STDIN_FILENO, &t->saved);
        t->raw = false; /* the terminal is the shell's again */
    }
    client_sup_stop_listening(c->sup);
    client_term_sayf("%c& [backgrounded]\n", t->esc.ch);
    (void)fflush(stdout);
    if ((pid = fork()) < 0) {
        log_error("fork: %s", strerror(errno));
        return false;
    }
    if (pid > 0) {
        _exit(0);
    }
    if (uv_loop_fork(c->loop) != 0) {
        log_error("cannot go on in the background");
        _exit(CLIENT_EXIT_FAIL);
    }
    if (buf_put_u8(out, 4) == 0 && ch != NULL) {
        io_chan_end_input(ch); /* after the ^D */
    }
    return true;
}

/* ~.: the end, as ssh's quit_pending (no exit status: 255). */
static void
client_term_quit(struct client_term *t)
{
    struct client *c = t->c;

    client_term_sayf("%c.\r\n", t->esc.ch);
    c->exit_code = CLIENT_EXIT_FAIL;
    c->said = true;
    client_stop(c);
}

static void
client_term_cmd_help(const struct client *c)
{
    client_term_sayf(
        "Commands:\r\n"
        "      -L[bind_address:]port:host:hostport    Request local forward\r\n"
        "      -R[bind_address:]port:host:hostport    Request remote "
        "forward\r\n"
        "      -D[bind_address:]port                  Request dynamic "
        "forward\r\n"
        "      -KL[bind_address:]port                 Cancel local forward\r\n"
        "      -KR[bind_address:]port                 Cancel remote forward\r\n"
        "      -KD[bind_address:]port                 Cancel dynamic "
        "forward\r\n");
    if (c->cfg->permit_local_command == 1) {
        client_term_sayf("      !args                                  "
                         "Execute local command\r\n");
    }
}

/* The session's input read again (or not, while a local command has
 * the terminal). */
static void
client_term_input_pause(struct client *c, bool paused)
{
    struct io_chan *ch = c->sess != NULL ? client_sess_chan(c->sess) : NULL;

    if (ch != NULL) {
        io_chan_pause_input(ch, paused);
    }
}

/* The input held while a local command ran, through the filter now: a
 * copy, since the filter may hold input again (another !command). */
static void
client_term_release(struct client *c, struct client_term *t)
{
    struct io_chan *ch = c->sess != NULL ? client_sess_chan(c->sess) : NULL;
    struct buf b = t->held;

    buf_init(&t->held);
    buf_set_nowipe(&t->held);
    if (ch != NULL) {
        io_chan_input_again(ch, buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
}

static void
client_term_resume(struct client *c)
{
    struct client_term *t = c->term;

    if (t != NULL && t->raw && io_tty_raw(STDIN_FILENO, &t->saved, true) != 0) {
        t->raw = false;
    }
    client_term_input_pause(c, false);
    if (t != NULL) {
        t->local_running = false;
        client_term_release(c, t);
    }
}

/* ssh runs the command and waits; here the loop goes on (forwards keep
 * flowing) but the session reads no input until it ends: the terminal
 * is the command's. */
void
client_local_command(struct client *c, const char *cmd)
{
    struct client_term *t = c->term;

    if (t != NULL && t->raw) {
        io_tty_restore(STDIN_FILENO, &t->saved);
    }
    if (t != NULL) {
        t->local_running = true;
    }
    client_term_input_pause(c, true);
    if (client_local_run(c, cmd, client_term_resume) != 0) {
        client_term_resume(c);
    }
}

/* A forward spec of a ~C line: -R may name a target or not. */
static int
client_term_cmd_spec(const struct escape_cmd *cmd, enum fwdspec_kind *kind,
                     struct fwdspec *f)
{
    *kind = cmd->fwd == 'L'   ? FWDSPEC_LOCAL
            : cmd->fwd == 'R' ? FWDSPEC_REMOTE
                              : FWDSPEC_DYNAMIC;
    if (cmd->kind == ESCAPE_CMD_CANCEL) {
        /* Only the listening side: [bind_address:]port or a path. */
        return fwdspec_parse_kind(cmd->arg, FWDSPEC_DYNAMIC, f) == 0 ||
                       fwdspec_parse_kind(cmd->arg, *kind, f) == 0
                   ? 0
                   : ERR_FORMAT;
    }
    return fwdspec_parse_kind(cmd->arg, *kind, f);
}

/* A ~C command line, as ssh's process_cmdline answers it. */
static void
client_term_cmdline(struct client_term *t, const char *line)
{
    static const char *const bad[] = {"local", "remote", "dynamic"};
    struct escape_cmd cmd;
    enum fwdspec_kind kind;
    struct fwdspec f;

    escape_cmd_parse(line, &cmd);
    if (cmd.kind == ESCAPE_CMD_LOCAL && t->c->cfg->permit_local_command == 1) {
        client_local_command(t->c, cmd.arg);
        return;
    }
    switch (cmd.kind) {
    case ESCAPE_CMD_EMPTY:
        return;
    case ESCAPE_CMD_HELP:
        client_term_cmd_help(t->c);
        return;
    case ESCAPE_CMD_FORWARD:
    case ESCAPE_CMD_CANCEL:
        break;
    default:
        client_term_sayf("Invalid command.\r\n");
        return;
    }
    memset(&f, 0, sizeof(f));
    if (client_term_cmd_spec(&cmd, &kind, &f) != 0) {
        if (cmd.kind == ESCAPE_CMD_CANCEL) {
            client_term_sayf("Bad forwarding close specification.\r\n");
        } else {
            client_term_sayf("Bad %s forwarding specification.\r\n", bad[kind]);
        }
        return;
    }
    if (cmd.kind == ESCAPE_CMD_CANCEL) {
        (void)client_rtfwd_cancel(t->c, kind, &f);
    } else {
        (void)client_rtfwd_add(t->c, kind, &f);
    }
    fwdspec_cleanup(&f);
}

/* ~C: a command line, if EnableEscapeCommandline allows (ssh 9.2 and
 * later default to no). */
static void
client_term_cmdline_open(struct client_term *t)
{
    if (t->c->cfg->escape_cmdline != 1) {
        client_term_sayf("commandline disabled\r\n");
        return;
    }
    escape_line_begin(&t->esc);
    client_term_sayf("\r\nadit> ");
}

static void
client_term_act(struct client_term *t, enum escape_act act)
{
    switch (act) {
    case ESCAPE_DISCONNECT:
        client_term_quit(t);
        break;
    case ESCAPE_SUSPEND:
        client_term_suspend(t);
        break;
    case ESCAPE_BREAK:
        client_term_break(t);
        break;
    case ESCAPE_REKEY:
        client_term_rekey(t);
        break;
    case ESCAPE_LESS_VERBOSE:
    case ESCAPE_MORE_VERBOSE:
        client_term_verbosity(t, act == ESCAPE_MORE_VERBOSE ? 1 : -1);
        break;
    case ESCAPE_LIST:
        client_term_list(t);
        break;
    case ESCAPE_HELP:
        client_term_help(t);
        break;
    case ESCAPE_CMDLINE_OPEN:
        client_term_cmdline_open(t);
        break;
    case ESCAPE_CMDLINE:
        client_term_cmdline(t, escape_line(&t->esc));
        break;
    default:
        break;
    }
}

/* The session's input through the escape filter. */
static void
client_term_input(void *ctx, struct client_sess *s, const uint8_t *p, size_t n,
                  struct buf *out)
{
    struct client *c = ctx;
    struct client_term *t = c->term;
    enum escape_act act;
    size_t used;

    (void)s;
    while (t != NULL && n > 0 && !c->stopping) {
        buf_reset(&t->echo);
        if (escape_filter(&t->esc, p, n, &used, out, &t->echo, &act) != 0) {
            return;
        }
        client_term_say(buf_ptr(&t->echo), buf_len(&t->echo));
        p += used;
        n -= used;
        if (act == ESCAPE_BACKGROUND) {
            if (client_term_background(t, out)) {
                return; /* the rest of the input is not ours: dropped */
            }
            continue;
        }
        client_term_act(t, act);
        t = c->term;
        if (t != NULL && t->local_running) {
            (void)buf_put(&t->held, p, n); /* ERR_NOMEM: dropped */
            return;
        }
    }
}

int
client_term_start(struct client *c, struct client_sess_cfg *sc)
{
    struct client_term *t = calloc(1, sizeof(*t));
    int ch = c->cfg->escape_char;

    if (t == NULL) {
        return ERR_NOMEM;
    }
    t->c = c;
    buf_init(&t->echo);
    buf_set_nowipe(&t->echo);
    buf_init(&t->held);
    buf_set_nowipe(&t->held);
    c->term = t;
    /* ssh's enter_raw_mode: quiet about a stdin that is no terminal
     * only with -tt. */
    if (isatty(STDIN_FILENO) &&
        io_tty_raw(STDIN_FILENO, &t->saved,
                   c->cfg->request_tty == CLIENT_TTY_FORCE) == 0) {
        t->raw = true;
    }
    sc->modes = t->raw ? &t->saved : NULL;
    io_tty_size(STDIN_FILENO, &sc->cols, &sc->rows, &sc->xpixel, &sc->ypixel);
    if (ch != CLIENT_ESCAPE_NONE) {
        escape_init(&t->esc, ch < 0 ? CLIENT_ESCAPE_DEFAULT : ch);
        sc->input = client_term_input;
    }
    return 0;
}

void
client_term_watch(struct client *c)
{
    struct client_term *t = c->term;

    if (t == NULL || t->winch_open || uv_signal_init(c->loop, &t->winch) != 0) {
        return;
    }
    t->winch_open = true;
    t->winch.data = c;
    (void)uv_signal_start(&t->winch, client_term_winch, SIGWINCH);
}

static void
client_term_closed(uv_handle_t *h)
{
    struct client_term *t = h->data;

    buf_cleanup(&t->echo);
    buf_cleanup(&t->held);
    free(t);
}

void
client_term_stop(struct client *c)
{
    struct client_term *t = c->term;

    if (t == NULL) {
        return;
    }
    c->term = NULL;
    if (t->raw) {
        io_tty_restore(STDIN_FILENO, &t->saved);
    }
    /* ssh's last words after a session on a pty come once its loop is
     * over, after the forwarded channels it waited for: said by
     * client_term_farewell() when the client is down. */
    c->say_closed = true;
    if (t->winch_open) {
        t->winch.data = t;
        uv_close((uv_handle_t *)&t->winch, client_term_closed);
        return;
    }
    buf_cleanup(&t->echo);
    buf_cleanup(&t->held);
    free(t);
}

void
client_term_farewell(struct client *c)
{
    if (!c->say_closed) {
        return;
    }
    c->say_closed = false;
    if (log_get_level() >= LOG_INFO) { /* ssh's INFO level */
        log_screen("Connection to %s closed.\r\n", c->t->host);
    }
}
