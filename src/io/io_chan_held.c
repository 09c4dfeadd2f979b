/* SPDX-License-Identifier: ISC */
/*
 * Held channels (-R with no target): confirmed with no socket, their data
 * read by a handshake (SOCKS) until it names a target, then connected to
 * it and joined as any other channel.
 */
#include <stdlib.h>
#include <string.h>

#include "io/io_chan.h"
#include "io/io_impl.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

int
io_chan_accept_held(struct io_conn *ic, uint32_t id, io_chan_data_cb on_data,
                    io_chan_done_cb done, void *ctx)
{
    struct conn *c = ic->ending ? NULL : io_conn_conn(ic);
    struct io_chan *ch;

    if (c == NULL) {
        return ERR_CHANNEL;
    }
    /* No socket yet: io_chan_join_held gives it one. */
    if ((ch = io_chan_new(ic, NULL, NULL)) == NULL) {
        conn_open_fail(c, id, SSH_OPEN_RESOURCE_SHORTAGE, "out of memory");
        return ERR_NOMEM;
    }
    ch->id = id;
    ch->has_id = true;
    ch->confirmed = true;
    ch->held_cb = on_data;
    ch->held_until = io_now_ms(ic->loop) + LIM_PROXY_REQUEST_MS;
    io_chan_set_list(ch, IO_LIST_HELD);
    ch->done_cb = done;
    ch->open_ctx = ctx;
    conn_set_udata(c, id, ch);
    if (conn_open_confirm(c, id) != 0) {
        ch->done_cb = NULL; /* the caller frees ctx */
        io_chan_end(ch);
        return ERR_CHANNEL;
    }
    io_conn_flush(ic);
    return 0;
}

int
io_chan_send(struct io_chan *ch, const uint8_t *p, size_t n)
{
    struct conn *c = ch->gone || ch->close_sent ? NULL : io_conn_conn(ch->ic);
    int r;

    if (c == NULL) {
        return ERR_CHANNEL;
    }
    if (conn_send_window(c, ch->id) < n) {
        return ERR_LIMIT;
    }
    if ((r = conn_send(c, ch->id, p, n)) == 0) {
        io_conn_flush(ch->ic);
    }
    return r;
}

static void
io_chan_held_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct io_chan *ch = ctx;
    io_chan_open_cb cb = ch->open_cb;

    (void)resolving;
    ch->connecting = NULL;
    ch->open_cb = NULL;
    if (ch->gone || io_conn_conn(ch->ic) == NULL) {
        if (tcp != NULL) {
            io_close_free((uv_handle_t *)tcp);
        }
        io_chan_abort(ch);
        return;
    }
    if (status != 0) {
        io_chan_connect_failed(ch, status);
    } else {
        ch->st = (uv_stream_t *)tcp;
        tcp->data = ch;
    }
    if (cb != NULL) {
        cb(ch->open_ctx, ch, status == 0 ? 0 : SSH_OPEN_CONNECT_FAILED,
           status == 0 ? NULL : io_strerror(status));
    }
    if (status != 0) {
        io_chan_end(ch);
        return;
    }
    /* Peer data that came with or after the request, then splicing. */
    io_chan_write_queued(ch);
    io_chan_update_reading(ch);
}

/* The handshake's n_held bytes are done with, but the n of them in first
 * go to the socket: their window comes back as it takes them
 * (io_chan_written). */
static int
io_chan_held_done(struct io_chan *ch, const uint8_t *first, size_t n)
{
    struct conn *c = io_conn_conn(ch->ic);

    if (ch->held_cb == NULL || n > ch->held_n) {
        return ERR_INVAL;
    }
    ch->held_cb = NULL;
    io_chan_set_list(ch, IO_LIST_NONE);
    /* The handshake's bytes are done with; first is given back as the
     * socket takes it (io_chan_written). */
    if (c != NULL && ch->held_n > n) {
        (void)conn_consumed(c, ch->id, ch->held_n - n);
    }
    ch->held_n = 0;
    if (n > 0 && buf_put(&ch->wq, first, n) != 0) {
        io_chan_end(ch);
        return ERR_NOMEM;
    }
    return 0;
}

int
io_chan_join_held(struct io_chan *ch, uv_stream_t *st, const uint8_t *first,
                  size_t n)
{
    int r;

    if (ch->gone || io_conn_conn(ch->ic) == NULL) {
        io_close_free((uv_handle_t *)st);
        io_chan_end(ch);
        return ERR_CHANNEL;
    }
    if ((r = io_chan_held_done(ch, first, n)) != 0) {
        io_close_free((uv_handle_t *)st);
        if (r == ERR_INVAL) {
            io_chan_end(ch);
        }
        return r;
    }
    ch->st = st;
    st->data = ch;
    io_chan_write_queued(ch);
    io_chan_update_reading(ch);
    return 0;
}

int
io_chan_connect_held(struct io_chan *ch, const char *host, uint16_t port,
                     uint64_t timeout_ms, const uint8_t *first, size_t n,
                     io_chan_open_cb cb)
{
    int r;

    if ((r = io_chan_held_done(ch, first, n)) != 0) {
        return r;
    }
    ch->open_cb = cb;
    /* For connect_failed's message; without it (no memory) none is said. */
    ch->target = strdup(host);
    ch->target_port = port;
    r = io_connect_start(&ch->connecting, ch->ic->loop, host, port, AF_UNSPEC,
                         timeout_ms, io_chan_held_connected, ch);
    if (r != 0) {
        ch->open_cb = NULL;
        io_chan_end(ch);
    }
    return r;
}

/*
 * A held channel's handshake gets as long as a -D client's. The list is
 * in deadline order, so only the channels that are due are looked at;
 * ending one may end the connection, which ends the rest.
 */
void
io_chan_tick_held(struct io_conn *ic)
{
    uint64_t now = io_now_ms(ic->loop);
    struct io_chan *ch;

    while (!ic->ending && (ch = ic->held.head) != NULL &&
           now >= ch->held_until) {
        log_debug("channel %u: no complete proxy request in %u ms", ch->id,
                  LIM_PROXY_REQUEST_MS);
        io_chan_end(ch); /* takes it off the list */
    }
}
