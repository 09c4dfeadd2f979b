/* SPDX-License-Identifier: ISC */
/*
 * A command, shell or subsystem run by a ControlMaster for one of its
 * clients, on the descriptors the client passed: with a pty when the
 * client asks (its terminal's modes and size read from the descriptor,
 * window-change on SIGWINCH, which the client relays to us as ssh's mux
 * client does), and the escape characters a multiplexed session has in
 * ssh (~. ends this session only; ~^Z, ~C, ~v and ~V are not available).
 */
#include "fwd/client_int.h"
#include "fwd/client_sess.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/conn.h"
#include "conn/escape.h"
#include "conn/session.h"
#include "ctl/ctl_mux.h"
#include "io/io_ctl.h"
#include "io/io_pump.h"
#include "io/io_tty.h"
#include "io/io_util.h"
#include "transport/transport.h"
#include "util/err.h"
#include "util/log.h"

/* A session run for a client: its pumps (plain files) joined at the end. */
struct client_mux_shell {
    struct client_sup *sup;
    struct io_svc_client *cl; /* NULL once the client has gone */
    struct io_conn *ic;
    struct client_sess *s;
    struct client_mux_io io[CTL_MUX_SESSION_FDS];
    /* With a pty: the client's terminal (its size), and its stderr for
     * what the escape characters say; -1 without. */
    int tty_fd, err_fd;
    struct escape esc;
    struct buf echo;
    struct client_mux_shell *next; /* on sup->mux_ttys */
};

/* Wait for the pumps (a file written to its end), then close what they
 * copied, and put the flags back. */
static void
client_mux_shell_join(struct client_mux_shell *m)
{
    size_t i;

    for (i = 0; i < CTL_MUX_SESSION_FDS; i++) {
        client_mux_io_end(&m->io[i]);
    }
}

/* Off sup's list of terminals; the descriptors kept for it closed. */
static void
client_mux_shell_free(struct client_mux_shell *m)
{
    struct client_mux_shell **pp = &m->sup->mux_ttys;

    while (*pp != NULL && *pp != m) {
        pp = &(*pp)->next;
    }
    if (*pp != NULL) {
        *pp = m->next;
    }
    if (m->tty_fd >= 0) {
        close(m->tty_fd);
    }
    if (m->err_fd >= 0) {
        close(m->err_fd);
    }
    buf_cleanup(&m->echo);
    free(m);
}

static void
client_mux_shell_done(void *ctx, struct client_sess *s, int status)
{
    struct client_mux_shell *m = ctx;
    char text[32];

    (void)s;
    client_mux_shell_join(m);
    if (m->cl != NULL) {
        snprintf(text, sizeof(text), "exit %d\n", status);
        io_ctl_answer(m->cl, true, text, strlen(text));
        io_ctl_finish(m->cl);
    }
    m->sup->mux_clients--;
    client_mux_shell_free(m);
}

static void
client_mux_shell_gone(void *ctx)
{
    struct client_mux_shell *m = ctx;
    struct io_chan *ch = m->s != NULL ? client_sess_chan(m->s) : NULL;

    m->cl = NULL;
    if (ch != NULL) {
        io_chan_end(ch);
    }
}

/* ---- the client's terminal ---- */

/* Bytes for the client's terminal: short lines, written at once (a
 * terminal that would block loses them rather than stall the loop). */
static int
client_mux_write(int fd, const void *p, size_t n)
{
    const char *c = p;
    ssize_t w;

    while (n > 0) {
        w = write(fd, c, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return ERR_IO;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Words for the client's terminal. */
static void client_mux_say(const struct client_mux_shell *m, const char *fmt,
                           ...) __attribute__((format(printf, 2, 3)));

static void
client_mux_say(const struct client_mux_shell *m, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n > 0 && m->err_fd >= 0) {
        (void)client_mux_write(m->err_fd, line,
                               (size_t)n < sizeof(line) ? (size_t)n
                                                        : sizeof(line) - 1);
    }
}

/* SIGWINCH (relayed by the clients): each terminal's size sent anew. */
static void
client_mux_winch(uv_signal_t *h, int sig)
{
    struct client_sup *sup = h->data;
    struct client_mux_shell *m;
    uint32_t cols, rows, x, y;

    (void)sig;
    for (m = sup->mux_ttys; m != NULL; m = m->next) {
        if (m->s != NULL) {
            io_tty_size(m->tty_fd, &cols, &rows, &x, &y);
            client_sess_resize(m->s, cols, rows, x, y);
        }
    }
}

static void
client_mux_winch_watch(struct client_sup *sup)
{
    if (sup->has_mux_winch || uv_signal_init(sup->loop, &sup->mux_winch) != 0) {
        return;
    }
    sup->has_mux_winch = true;
    sup->mux_winch.data = sup;
    (void)uv_signal_start(&sup->mux_winch, client_mux_winch, SIGWINCH);
    uv_unref((uv_handle_t *)&sup->mux_winch);
}

/* One escape sequence, as ssh's process_escapes does it for a
 * multiplexed session. */
static void
client_mux_escape(struct client_mux_shell *m, enum escape_act act)
{
    static const uint8_t ms[4] = {0, 0, 0x03, 0xe8}; /* ~B: 1000 ms */
    struct sesschan *sc = m->s != NULL ? client_sess_sesschan(m->s) : NULL;
    struct io_chan *ch = m->s != NULL ? client_sess_chan(m->s) : NULL;
    struct buf help;
    int ch_esc = m->esc.ch;

    switch (act) {
    case ESCAPE_DISCONNECT:
        client_mux_say(m, "%c.\r\n", ch_esc);
        if (ch != NULL) {
            io_chan_end(ch);
        }
        break;
    case ESCAPE_BREAK:
        client_mux_say(m, "%cB\r\n", ch_esc);
        if (sc != NULL && sesschan_request(sc, "break", false, ms, 4) == 0) {
            io_conn_flush(m->ic);
        }
        break;
    case ESCAPE_REKEY:
        if (transport_rekey(session_transport(io_conn_session(m->ic))) == 0) {
            io_conn_flush(m->ic);
        }
        break;
    case ESCAPE_LIST:
        client_mux_say(m, "%c#\r\n", ch_esc);
        buf_init(&help);
        buf_set_nowipe(&help);
        if (conn_open_message(io_conn_conn(m->ic), &help) == 0 &&
            m->err_fd >= 0) {
            (void)client_mux_write(m->err_fd, buf_ptr(&help), buf_len(&help));
        }
        buf_cleanup(&help);
        break;
    case ESCAPE_HELP:
        buf_init(&help);
        buf_set_nowipe(&help);
        if (escape_help(ch_esc, true, false, &help) == 0 && m->err_fd >= 0) {
            (void)client_mux_write(m->err_fd, buf_ptr(&help), buf_len(&help));
        }
        buf_cleanup(&help);
        break;
    case ESCAPE_SUSPEND:
    case ESCAPE_CMDLINE_OPEN:
    case ESCAPE_LESS_VERBOSE:
    case ESCAPE_MORE_VERBOSE:
        client_mux_say(m,
                       "%c%s escape not available to multiplexed "
                       "sessions\r\n",
                       ch_esc,
                       act == ESCAPE_SUSPEND        ? "^Z"
                       : act == ESCAPE_CMDLINE_OPEN ? "C"
                       : act == ESCAPE_LESS_VERBOSE ? "V"
                                                    : "v");
        break;
    default:
        break;
    }
}

/* The client's keystrokes through the escape filter. */
static void
client_mux_input(void *ctx, struct client_sess *s, const uint8_t *p, size_t n,
                 struct buf *out)
{
    struct client_mux_shell *m = ctx;
    enum escape_act act;
    size_t used;

    (void)s;
    while (n > 0) {
        buf_reset(&m->echo);
        if (escape_filter(&m->esc, p, n, &used, out, &m->echo, &act) != 0) {
            return;
        }
        if (m->err_fd >= 0 && buf_len(&m->echo) > 0) {
            (void)client_mux_write(m->err_fd, buf_ptr(&m->echo),
                                   buf_len(&m->echo));
        }
        p += used;
        n -= used;
        if (act == ESCAPE_BACKGROUND) {
            /* No escape for a multiplexed session: sent as typed, as
             * ssh's noescape. */
            (void)buf_put_u8(out, (uint8_t)m->esc.ch);
            (void)buf_put_u8(out, '&');
            continue;
        }
        client_mux_escape(m, act);
    }
}

/*
 * The pty request as the client's terminal says it: TERM from the
 * client, modes and size from its stdin (read now, before the client
 * puts it in raw mode), and the escape character.
 */
static void
client_mux_tty(struct client_mux_shell *m, const struct ctl_mux *q,
               const struct io_ctl_call *call, struct client_sess_cfg *sc,
               struct termios *modes)
{
    int in = call->fds[0];

    sc->want_tty = true;
    sc->tty_required = q->tty == 2;
    sc->term = q->term != NULL ? q->term : "";
    if (isatty(in)) {
        m->tty_fd = fcntl(in, F_DUPFD_CLOEXEC, 3);
        if (tcgetattr(in, modes) == 0) {
            sc->modes = modes;
        }
        io_tty_size(in, &sc->cols, &sc->rows, &sc->xpixel, &sc->ypixel);
    }
    if (isatty(call->fds[2])) {
        m->err_fd = fcntl(call->fds[2], F_DUPFD_CLOEXEC, 3);
    }
    if (q->escape >= 0) {
        escape_init(&m->esc, q->escape);
        sc->input = client_mux_input;
    }
}

void
client_mux_io_init(struct client_mux_io *io)
{
    io->pump = NULL;
    io->pump_fd = -1;
    io->flags.fd = -1;
}

int
client_mux_io_stream(struct client_sup *sup, int *fd, bool is_input,
                     struct client_mux_io *io, uv_stream_t **out)
{
    uv_handle_type t = uv_guess_handle(*fd);
    int r;

    if (t == UV_TTY || t == UV_NAMED_PIPE || t == UV_TCP) {
        if (t != UV_TTY) { /* a terminal is opened anew by libuv */
            client_fdflags_keep(&io->flags, *fd);
        }
        if (client_stdio_stream(sup->loop, *fd, out) != 0) {
            client_fdflags_restore(&io->flags);
            return ERR_IO;
        }
        *fd = -1;
        return 0;
    }
    /* The pump's thread copies from or to the descriptor until it is
     * joined: take it from the call, whose cleanup would close it now. */
    r = io_pump_start(sup->loop, *fd, is_input, out, &io->pump);
    if (r == 0) {
        io->pump_fd = *fd;
        *fd = -1;
    }
    return r;
}

void
client_mux_io_end(struct client_mux_io *io)
{
    io_pump_join(io->pump);
    io->pump = NULL;
    if (io->pump_fd >= 0) {
        close(io->pump_fd);
        io->pump_fd = -1;
    }
    /* The stream is closed: the client's flags as they came. */
    client_fdflags_restore(&io->flags);
}

static struct client_mux_shell *
client_mux_shell_new(struct client_sup *sup, struct io_conn *ic)
{
    struct client_mux_shell *m = calloc(1, sizeof(*m));
    size_t i;

    if (m == NULL) {
        return NULL;
    }
    m->sup = sup;
    m->ic = ic;
    m->tty_fd = m->err_fd = -1;
    for (i = 0; i < CTL_MUX_SESSION_FDS; i++) {
        client_mux_io_init(&m->io[i]);
    }
    buf_init(&m->echo);
    buf_set_nowipe(&m->echo);
    return m;
}

/* The three streams of sc from the call's descriptors. */
static int
client_mux_shell_streams(struct client_mux_shell *m, struct io_ctl_call *call,
                         struct client_sess_cfg *sc)
{
    size_t i;
    int r = 0;

    for (i = 0; i < CTL_MUX_SESSION_FDS && r == 0; i++) {
        r = client_mux_io_stream(m->sup, &call->fds[i], i == 0, &m->io[i],
                                 i == 0   ? &sc->in
                                 : i == 1 ? &sc->out
                                          : &sc->err);
    }
    if (r != 0) {
        io_close_free((uv_handle_t *)sc->in);
        io_close_free((uv_handle_t *)sc->out);
        io_close_free((uv_handle_t *)sc->err);
        client_mux_shell_join(m);
    }
    return r;
}

int
client_mux_shell(struct client_sup *sup, struct client *c,
                 const struct ctl_mux *q, struct io_ctl_call *call, char *why,
                 size_t why_len)
{
    static const enum sesschan_kind kinds[] = {SESSCHAN_SHELL, SESSCHAN_EXEC,
                                               SESSCHAN_SUBSYSTEM};
    struct client_sess_cfg sc;
    struct client_mux_shell *m;
    struct termios modes;
    char text[40];
    int r;

    if (call->n_fds != CTL_MUX_SESSION_FDS || c == NULL) {
        snprintf(why, why_len,
                 c == NULL ? "not connected"
                           : "session: needs three descriptors");
        return c == NULL ? ERR_CHANNEL : ERR_INVAL;
    }
    if ((m = client_mux_shell_new(sup, c->ic)) == NULL) {
        return ERR_NOMEM;
    }
    memset(&sc, 0, sizeof(sc));
    if (q->tty > 0) {
        client_mux_tty(m, q, call, &sc, &modes);
    }
    if (client_mux_shell_streams(m, call, &sc) != 0) {
        client_mux_shell_free(m);
        snprintf(why, why_len, "session: cannot use the descriptors");
        return ERR_IO;
    }
    sc.kind = kinds[q->sess];
    sc.command = q->command;
    sc.env = (char *const *)q->env;
    sc.n_env = q->n_env;
    sc.done = client_mux_shell_done;
    sc.ctx = m;
    m->cl = io_ctl_later(call, client_mux_shell_gone, m);
    sup->mux_clients++;
    if ((r = client_sess_open(c->ic, &sc, &m->s)) != 0) {
        /* Nothing is called back: answer and end here. */
        client_mux_shell_join(m);
        io_ctl_answer(m->cl, false, "session: open failed", 20);
        io_ctl_finish(m->cl);
        sup->mux_clients--;
        client_mux_shell_free(m);
        return 0;
    }
    if (m->tty_fd >= 0) {
        m->next = sup->mux_ttys;
        sup->mux_ttys = m;
        client_mux_winch_watch(sup);
    }
    snprintf(text, sizeof(text), "session %ld\n", (long)getpid());
    io_ctl_answer(m->cl, true, text, strlen(text));
    return 0;
}

void
client_mux_shell_stop(struct client_sup *sup)
{
    if (sup->has_mux_winch) {
        sup->has_mux_winch = false;
        uv_close((uv_handle_t *)&sup->mux_winch, NULL);
    }
}
