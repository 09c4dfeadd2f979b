/* SPDX-License-Identifier: ISC */
/* X11 forwarding: the display, and each x11 channel's setup check. */
#include "fwd/fwd_x11.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_chan.h"
#include "io/io_connect.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"

/* Within the held channel's own bound (LIM_PROXY_REQUEST_MS). */
#define FWD_X11_CONNECT_TIMEOUT_MS 20000u
/* Bytes of an X client held before its setup is checked and connected:
 * a setup that can match our cookie is far smaller. */
#define FWD_X11_HOLD_MAX 16384u

/* "N" or "N.S" after the last ':' (ssh's sscanf "%u", strtonum 0..400). */
static int
fwd_x11_numbers(const char *s, struct fwd_x11_display *d)
{
    char *end = NULL;
    unsigned long n, scr = 0;

    if (!isdigit((unsigned char)s[0])) {
        return ERR_FORMAT;
    }
    n = strtoul(s, &end, 10);
    if (n > 65535u - FWD_X11_BASE_PORT) {
        return ERR_FORMAT;
    }
    if (*end == '.' && isdigit((unsigned char)end[1])) {
        scr = strtoul(end + 1, NULL, 10);
        scr = scr > 400 ? 0 : scr;
    }
    d->number = (uint32_t)n;
    d->screen = (uint32_t)scr;
    return 0;
}

int
fwd_x11_display_parse(const char *display, struct fwd_x11_display *d, char *why,
                      size_t why_len)
{
    const char *colon = strchr(display, ':');
    size_t host_len;

    memset(d, 0, sizeof(*d));
    if (colon == NULL) {
        snprintf(why, why_len, "Could not find ':' in DISPLAY: %.100s",
                 display);
        return ERR_FORMAT;
    }
    d->is_unix = strncmp(display, "unix:", 5) == 0 || display[0] == ':';
    if (fwd_x11_numbers(strrchr(display, ':') + 1, d) != 0 ||
        (!d->is_unix && fwd_x11_numbers(colon + 1, d) != 0)) {
        snprintf(why, why_len,
                 "Could not parse display number from DISPLAY: %.100s",
                 display);
        return ERR_FORMAT;
    }
    if (d->is_unix) {
        snprintf(d->path, sizeof(d->path), FWD_X11_UNIX_PATH,
                 (unsigned)d->number);
        return 0;
    }
    host_len = (size_t)(colon - display);
    if (host_len > LIM_HOSTNAME) {
        snprintf(why, why_len, "Could not parse DISPLAY: %.100s", display);
        return ERR_FORMAT;
    }
    memcpy(d->host, display, host_len);
    d->host[host_len] = '\0';
    d->port = (uint16_t)(FWD_X11_BASE_PORT + d->number);
    return 0;
}

/* One x11 channel: freed once the channel is gone and no connect of ours
 * is under way. */
struct fwd_x11 {
    struct x11_cookie ck;
    struct fwd_x11_display d;
    struct io_chan *ch; /* NULL once gone */
    uv_loop_t *loop;
    struct buf in;  /* the setup so far */
    struct buf out; /* passed: the setup with the real cookie, and after */
    bool is_passed;
    struct io_connect *connecting;
    uv_pipe_t *pipe; /* while its connect is under way */
    uv_connect_t creq;
};

static void
fwd_x11_free(struct fwd_x11 *x)
{
    x11_cookie_wipe(&x->ck);
    buf_cleanup(&x->in);
    buf_cleanup(&x->out);
    free(x);
}

/* ssh's error() lines, shown unless -q. */
static void
fwd_x11_say(const char *what, const char *why)
{
    if (log_get_level() > LOG_QUIET) {
        log_plain("%s%s\r\n", what, why);
    }
}

static void
fwd_x11_pipe_closed(uv_handle_t *h)
{
    struct fwd_x11 *x = h->data;

    free(h);
    fwd_x11_free(x);
}

static void
fwd_x11_done(void *ctx)
{
    struct fwd_x11 *x = ctx;

    x->ch = NULL;
    if (x->connecting != NULL) {
        io_connect_cancel(x->connecting);
        x->connecting = NULL;
    }
    if (x->pipe != NULL) {
        /* The connect callback sees UV_ECANCELED; x goes with the pipe. */
        uv_close((uv_handle_t *)x->pipe, fwd_x11_pipe_closed);
        return;
    }
    fwd_x11_free(x);
}

/* The display is there: the held channel goes on to it. The setup, which
 * holds the real cookie, is written here rather than through the
 * channel's queue, which is not wiped (forwarded data, buf.h). */
static void
fwd_x11_join(struct fwd_x11 *x, uv_stream_t *st)
{
    struct buf first;

    /* Taken out of x first: the channel may end, and x go, in the call. */
    buf_init(&first);
    buf_swap(&first, &x->out);
    log_debug("x11: channel %u joined to the display", io_chan_id(x->ch));
    if (io_write_copy_wiped(st, buf_ptr(&first), buf_len(&first)) != 0) {
        io_close_free((uv_handle_t *)st);
        io_chan_end(x->ch);
    } else {
        (void)io_chan_join_held(x->ch, st, NULL, 0);
    }
    buf_cleanup(&first);
}

static void
fwd_x11_tcp_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct fwd_x11 *x = ctx;
    char what[LIM_HOSTNAME + 40];

    (void)resolving;
    x->connecting = NULL;
    if (status == 0) {
        fwd_x11_join(x, (uv_stream_t *)tcp);
        return;
    }
    snprintf(what, sizeof(what), "connect %.100s port %u: ", x->d.host,
             (unsigned)x->d.port);
    fwd_x11_say(what, io_strerror(status));
    io_chan_end(x->ch);
}

static void
fwd_x11_pipe_connected(uv_connect_t *req, int status)
{
    struct fwd_x11 *x = req->data;
    uv_pipe_t *pipe = x->pipe;
    char what[LIM_UNIX_PATH + 16];

    if (status == UV_ECANCELED || x->ch == NULL) {
        return; /* fwd_x11_done is closing it */
    }
    x->pipe = NULL;
    if (status == 0) {
        fwd_x11_join(x, (uv_stream_t *)pipe);
        return;
    }
    io_close_free((uv_handle_t *)pipe);
    snprintf(what, sizeof(what), "connect %.100s: ", x->d.path);
    fwd_x11_say(what, io_strerror(status));
    io_chan_end(x->ch);
}

static int
fwd_x11_connect(struct fwd_x11 *x)
{
    if (!x->d.is_unix) {
        return io_connect_start(&x->connecting, x->loop, x->d.host, x->d.port,
                                AF_UNSPEC, FWD_X11_CONNECT_TIMEOUT_MS,
                                fwd_x11_tcp_connected, x);
    }
    if ((x->pipe = malloc(sizeof(*x->pipe))) == NULL) {
        return ERR_NOMEM;
    }
    uv_pipe_init(x->loop, x->pipe, 0);
    x->pipe->data = x;
    x->creq.data = x;
    /* Errors (ENOENT, ECONNREFUSED) arrive through the callback. */
    uv_pipe_connect(&x->creq, x->pipe, x->d.path, fwd_x11_pipe_connected);
    return 0;
}

/* The server's bytes for the channel, before it is joined. */
static void
fwd_x11_data(void *ctx, struct io_chan *ch, const uint8_t *p, size_t n)
{
    struct fwd_x11 *x = ctx;
    int r;

    x->ch = ch;
    if (buf_len(&x->in) + buf_len(&x->out) + n > FWD_X11_HOLD_MAX) {
        log_debug("x11: channel %u: setup too long", io_chan_id(ch));
        io_chan_end(ch);
        return;
    }
    if (x->is_passed) { /* the X client goes on while we connect */
        if (buf_put(&x->out, p, n) != 0) {
            io_chan_end(ch);
        }
        return;
    }
    if ((r = buf_put(&x->in, p, n)) == 0) {
        r = x11_setup_spoof(&x->ck, buf_ptr(&x->in), buf_len(&x->in), &x->out);
    }
    if (r == ERR_TRUNC) {
        return;
    }
    buf_cleanup(&x->in);
    if (r == 0) {
        x->is_passed = true;
        r = fwd_x11_connect(x);
    } else if (r == ERR_AUTH || r == ERR_FORMAT) {
        fwd_x11_say("X11 connection rejected because of wrong "
                    "authentication.",
                    "");
    }
    if (r != 0) {
        io_chan_end(ch);
    }
}

void
fwd_x11_accept(struct io_conn *ic, uint32_t id, const struct x11_cookie *ck,
               const struct fwd_x11_display *d)
{
    struct fwd_x11 *x = calloc(1, sizeof(*x));

    if (x == NULL) {
        conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_RESOURCE_SHORTAGE,
                       "out of memory");
        io_conn_flush(ic);
        return;
    }
    x->ck = *ck;
    x->d = *d;
    x->loop = io_conn_loop(ic);
    buf_init(&x->in);
    buf_init(&x->out);
    if (io_chan_accept_held(ic, id, fwd_x11_data, fwd_x11_done, x) != 0) {
        fwd_x11_free(x);
    }
}
