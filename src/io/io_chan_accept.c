/* SPDX-License-Identifier: ISC */
/*
 * Channels the peer opens toward us: a stream we already hold (accepted),
 * or one we connect for it (TCP by name, or a unix socket path); the open
 * is confirmed once the connect is done, refused with the system's words
 * if it fails.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io/io_chan.h"
#include "io/io_impl.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

/* What a connect for the peer's open goes to, for connect_failed (a
 * message without it is better than none when memory is short). */
static void
io_chan_set_target(struct io_chan *ch, const char *target, int port)
{
    ch->target = strdup(target);
    ch->target_port = port;
}

void
io_chan_connect_failed(struct io_chan *ch, int status)
{
    log_debug("channel %u: connection failed: %s", ch->id, io_strerror(status));
    if (ch->target != NULL && ch->ic->cbs.connect_failed != NULL) {
        ch->ic->cbs.connect_failed(ch->ic->cbs.ctx, ch->ic, ch->target,
                                   ch->target_port, status);
    }
}

/* Our local connect for the peer's open finished: confirm, or refuse with
 * the system's words and let go of any socket. */
static void
io_chan_connect_result(struct io_chan *ch, struct conn *c, int status)
{
    if (status != 0) {
        io_chan_connect_failed(ch, status);
        conn_open_fail(c, ch->id, SSH_OPEN_CONNECT_FAILED, io_strerror(status));
        ch->gone = true;
        io_conn_flush(ch->ic);
        if (ch->st != NULL) {
            io_chan_close_streams(ch);
        } else {
            io_chan_maybe_free(ch);
        }
        return;
    }
    ch->confirmed = true;
    if (conn_open_confirm(c, ch->id) != 0) {
        io_chan_fail(ch);
        return;
    }
    io_conn_flush(ch->ic);
    io_chan_update_reading(ch);
}

static void
io_chan_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct io_chan *ch = ctx;
    struct conn *c = io_chan_conn(ch);

    ch->connecting = NULL;
    if (c == NULL) {
        if (tcp != NULL) {
            io_close_free((uv_handle_t *)tcp);
        }
        io_chan_maybe_free(ch);
        return;
    }
    if (status == 0) {
        ch->st = (uv_stream_t *)tcp;
        tcp->data = ch;
    }
    io_chan_connect_result(ch, c, status);
}

int
io_chan_accept_stream(struct io_conn *ic, uint32_t id, uv_stream_t *st)
{
    struct conn *c = ic->ending ? NULL : io_conn_conn(ic);
    struct io_chan *ch;

    if (c == NULL || (ch = io_chan_new(ic, st, NULL)) == NULL) {
        io_close_free((uv_handle_t *)st);
        if (c != NULL) {
            conn_open_fail(c, id, SSH_OPEN_RESOURCE_SHORTAGE, "out of memory");
        }
        return c == NULL ? ERR_CHANNEL : ERR_NOMEM;
    }
    ch->id = id;
    ch->has_id = true;
    conn_set_udata(c, id, ch);
    /* As when a connect for the open has finished: confirm, then read. */
    io_chan_connect_result(ch, c, 0);
    return 0;
}

int
io_chan_accept_connect(struct io_conn *ic, uint32_t id, const char *host,
                       uint16_t port, uint64_t timeout_ms)
{
    struct conn *c = io_conn_conn(ic);
    struct io_chan *ch;
    int r;

    if (c == NULL) {
        return ERR_CHANNEL;
    }
    if ((ch = io_chan_new(ic, NULL, NULL)) == NULL) {
        conn_open_fail(c, id, SSH_OPEN_RESOURCE_SHORTAGE, "out of memory");
        return ERR_NOMEM;
    }
    ch->id = id;
    ch->has_id = true;
    conn_set_udata(c, id, ch);
    io_chan_set_target(ch, host, port);
    r = io_connect_start(&ch->connecting, ic->loop, host, port, AF_UNSPEC,
                         timeout_ms, io_chan_connected, ch);
    if (r != 0) {
        conn_open_fail(c, id, SSH_OPEN_CONNECT_FAILED, err_str(r));
        ch->gone = true;
        io_chan_maybe_free(ch);
        return r;
    }
    return 0;
}

static void
io_chan_pipe_connected(uv_connect_t *req, int status)
{
    struct io_chan *ch = req->data;
    struct conn *c = io_chan_conn(ch);

    free(req);
    if (status == UV_ECANCELED || ch->st == NULL ||
        uv_is_closing((uv_handle_t *)ch->st)) {
        return; /* the connection is ending: io_chan_abort closed it */
    }
    if (c == NULL) {
        io_chan_close_streams(ch);
        return;
    }
    io_chan_connect_result(ch, c, status);
}

int
io_chan_accept_connect_path(struct io_conn *ic, uint32_t id, const char *path)
{
    struct conn *c = io_conn_conn(ic);
    uv_connect_t *req = NULL;
    uv_pipe_t *pipe = NULL;
    struct io_chan *ch = NULL;

    if (c == NULL) {
        return ERR_CHANNEL;
    }
    if ((req = malloc(sizeof(*req))) == NULL ||
        (pipe = malloc(sizeof(*pipe))) == NULL ||
        (ch = io_chan_new(ic, NULL, NULL)) == NULL) {
        free(req);
        free(pipe);
        conn_open_fail(c, id, SSH_OPEN_RESOURCE_SHORTAGE, "out of memory");
        return ERR_NOMEM;
    }
    uv_pipe_init(ic->loop, pipe, 0);
    ch->st = (uv_stream_t *)pipe;
    pipe->data = ch;
    ch->id = id;
    ch->has_id = true;
    conn_set_udata(c, id, ch);
    io_chan_set_target(ch, path, -1);
    req->data = ch;
    /* Errors (ENOENT, ECONNREFUSED) arrive through the callback. */
    uv_pipe_connect(req, pipe, path, io_chan_pipe_connected);
    return 0;
}
