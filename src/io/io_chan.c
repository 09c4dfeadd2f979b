/* SPDX-License-Identifier: ISC */
/* A channel joined to a local socket, or to a pair of streams (stdio). */
#include "io/io_chan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io/io_impl.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

struct conn *
io_chan_conn(struct io_chan *ch)
{
    return ch->gone || !ch->has_id ? NULL : io_conn_conn(ch->ic);
}

/* Free once the socket is closed and the channel is gone (or the whole
 * connection is going, taking its channels with it). */
void
io_chan_maybe_free(struct io_chan *ch)
{
    struct io_conn *ic = ch->ic;
    io_chan_done_cb done = ch->done_cb;
    void *ctx = ch->open_ctx;
    struct conn *c;

    if (ch->st != NULL || ch->out != NULL || ch->err != NULL ||
        ch->connecting != NULL) {
        return;
    }
    if (ch->has_id && !ch->gone) {
        if (!ic->ending) {
            return;
        }
        if ((c = session_conn(ic->s)) != NULL) {
            conn_set_udata(c, ch->id, NULL);
        }
    }
    ic->queued -= ch->queued; /* before: unlinking may free ic */
    io_conn_budget(ic);
    io_conn_unlink_chan(ic, ch);
    buf_cleanup(&ch->wq);
    buf_cleanup(&ch->wfly);
    buf_cleanup(&ch->eq);
    buf_cleanup(&ch->efly);
    free(ch->rbuf);
    free(ch->target);
    buf_cleanup(&ch->first);
    free(ch);
    io_heap_freed();
    /* Last: the owner may end the connection from here. */
    if (done != NULL) {
        done(ctx);
    }
}

void
io_chan_stream_closed(uv_handle_t *h)
{
    struct io_chan *ch = h->data;

    if (h == (uv_handle_t *)ch->st) {
        ch->st = NULL;
        ch->reading = false; /* a closed handle reads nothing */
    } else if (h == (uv_handle_t *)ch->err) {
        ch->err = NULL;
    } else {
        ch->out = NULL;
    }
    free(h);
    io_chan_maybe_free(ch);
}

static void
io_chan_close_one(uv_stream_t *st)
{
    if (st != NULL && !uv_is_closing((uv_handle_t *)st)) {
        uv_close((uv_handle_t *)st, io_chan_stream_closed);
    }
}

void
io_chan_close_streams(struct io_chan *ch)
{
    io_chan_close_one(ch->st);
    io_chan_close_one(ch->out);
    io_chan_close_one(ch->err);
}

/* The channel ended in order: the socket and stdout close now, stderr
 * once what waits for it is written (io_chan_err_next closes it then);
 * closing it here would cancel that write and lose its tail. */
static void
io_chan_close_streams_drained(struct io_chan *ch)
{
    io_chan_close_one(ch->st);
    io_chan_close_one(ch->out);
    io_chan_err_drain(ch);
}

/* Where peer data is written: the socket, or stdout for -W. */
static uv_stream_t *
io_chan_wstream(const struct io_chan *ch)
{
    uv_stream_t *w = ch->out != NULL ? ch->out : ch->st;

    return w != NULL && !uv_is_closing((uv_handle_t *)w) ? w : NULL;
}

/* Local trouble: close the channel and the socket. */
void
io_chan_fail(struct io_chan *ch)
{
    struct conn *c = io_chan_conn(ch);

    if (c != NULL && !ch->close_sent) {
        ch->close_sent = true;
        conn_close(c, ch->id);
        io_conn_flush(ch->ic);
    }
    io_chan_close_streams(ch);
}

/*
 * Both directions are done: close the channel (closed() frees it). Not a
 * session: its exit-status may still come, so the server closes it (as
 * ssh registers its session's cleanup without sending CLOSE).
 */
static void
io_chan_maybe_close(struct io_chan *ch)
{
    struct conn *c = io_chan_conn(ch);

    if (ch->local_eof && ch->shut_done && !ch->close_sent && c != NULL &&
        !ch->is_session) {
        ch->close_sent = true;
        conn_close(c, ch->id);
        io_conn_flush(ch->ic);
    }
}

void
io_chan_end(struct io_chan *ch)
{
    struct conn *c = io_chan_conn(ch);

    ch->held_cb = NULL;
    io_chan_set_list(ch, IO_LIST_NONE);
    if (c != NULL && !ch->close_sent) {
        (void)conn_send_eof(c, ch->id);
    }
    if (ch->connecting != NULL) {
        io_connect_cancel(ch->connecting);
        ch->connecting = NULL;
    }
    io_chan_fail(ch);
}

void
io_chan_abort(struct io_chan *ch)
{
    if (ch->connecting != NULL) {
        io_connect_cancel(ch->connecting);
        ch->connecting = NULL;
    }
    io_chan_close_streams(ch);
    io_chan_maybe_free(ch);
}

/* ---- local socket -> channel ---- */

static void
io_chan_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct io_chan *ch = h->data;
    struct conn *c = io_chan_conn(ch);
    size_t max = 0;
    uint8_t *p = NULL;

    *b = uv_buf_init(NULL, 0);
    /*
     * IO_CHAN_TURN_MAX per channel per turn of the loop: busy channels
     * take turns (each ready one reads its share, then the turn's output
     * leaves in one write), and none reads its whole window, libuv's 32
     * reads in one go, while the others wait for the output mark to wake
     * them. The empty buffer (UV_ENOBUFS) leaves the socket readable: the
     * next turn comes back to it. A read always makes the turn flush
     * (io_chan_read), and the flush counts the turn.
     */
    if (c == NULL || ch->begun ||
        (ch->read_turn == ch->ic->turn && ch->turn_read >= IO_CHAN_TURN_MAX)) {
        return;
    }
    if (ch->sess.filter != NULL) {
        /* Filtered input is read here, then queued in first. */
        if (ch->rbuf == NULL) {
            ch->rbuf = malloc(IO_FILTER_READ);
        }
        if (ch->rbuf != NULL) {
            *b = uv_buf_init((char *)ch->rbuf, IO_FILTER_READ);
        }
        return;
    }
    if (conn_send_begin(c, ch->id, ch->read_size, &max, &p) != 0) {
        ch->send_failed = true; /* io_chan_read ends the channel */
        return;
    }
    if (max == 0) {
        return; /* the window closed: io_chan_read stops reading */
    }
    ch->begun = true;
    ch->read_offered = max;
    *b = uv_buf_init((char *)p, (unsigned)max);
}

static void
io_chan_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct io_chan *ch = st->data;
    struct conn *c = io_chan_conn(ch);

    if (nread > 0) {
        if (ch->read_turn != ch->ic->turn) {
            ch->read_turn = ch->ic->turn;
            ch->turn_read = 0;
        }
        ch->turn_read += (size_t)nread;
    }
    if (ch->begun) {
        ch->begun = false;
        if (nread > 0 && (size_t)nread == ch->read_offered &&
            ch->read_size < IO_READ_SIZE) {
            ch->read_size *= 2; /* bulk: more per read (IO_CHAN_READ_MIN) */
        }
        if (c != NULL &&
            conn_send_commit(c, ch->id, nread > 0 ? (size_t)nread : 0) != 0) {
            io_chan_fail(ch);
            return;
        }
    }
    if (nread == UV_ENOBUFS && ch->send_failed) {
        io_chan_fail(ch);
        return;
    }
    if (nread > 0 && ch->sess.filter != NULL) {
        ch->sess.filter(ch->sess.ctx, ch, ch->rbuf, (size_t)nread, &ch->first);
    }
    if (nread > 0 || nread == UV_ENOBUFS) {
        io_conn_flush(ch->ic);
        io_chan_update_reading(ch);
    } else if (nread == UV_EOF) {
        ch->local_eof = true;
        io_chan_update_reading(ch);
        if (c != NULL) {
            conn_send_eof(c, ch->id);
            io_conn_flush(ch->ic);
        }
        io_chan_maybe_close(ch);
    } else if (nread < 0) {
        io_chan_fail(ch);
    }
}

/*
 * Bytes read from the socket before the channel existed (a -D client's
 * bytes after its request) go to the peer first, as far as the window
 * lets them; the socket is read again only once they are all sent.
 */
static int
io_chan_send_first(struct io_chan *ch, struct conn *c)
{
    size_t n = buf_len(&ch->first), w;
    int r;

    if (n == 0 || c == NULL || !ch->confirmed) {
        return 0;
    }
    if ((w = conn_send_window(c, ch->id)) < n) {
        n = w;
    }
    if (n > 0) {
        if ((r = conn_send(c, ch->id, buf_ptr(&ch->first), n)) != 0) {
            return r;
        }
        buf_consume(&ch->first, n);
        if (buf_len(&ch->first) == 0) {
            buf_cleanup(&ch->first);
        }
        io_conn_flush(ch->ic);
    }
    return 0;
}

void
io_chan_update_reading(struct io_chan *ch)
{
    struct conn *c = io_chan_conn(ch);
    bool want;

    if (io_chan_send_first(ch, c) != 0) {
        io_chan_fail(ch);
        return;
    }
    /* The input was ended: EOF goes after what it had given. */
    if (ch->eof_pending && buf_len(&ch->first) == 0) {
        ch->eof_pending = false;
        if (c != NULL && !ch->close_sent) {
            (void)conn_send_eof(c, ch->id);
            io_conn_flush(ch->ic);
        }
        io_chan_maybe_close(ch);
    }
    want = c != NULL && ch->confirmed && !ch->local_eof && !ch->input_paused &&
           ch->st != NULL && !uv_is_closing((uv_handle_t *)ch->st) &&
           buf_len(&ch->first) == 0 && conn_send_window(c, ch->id) > 0;
    /* Stopped by the connection's output, not its own state: the
     * connection starts it again when its output drains. */
    if (want && io_conn_queued(ch->ic) >= LIM_OUTQ_HIGHWATER) {
        want = false;
        io_chan_set_list(ch, IO_LIST_BLOCKED);
    } else if (ch->list == IO_LIST_BLOCKED) {
        io_chan_set_list(ch, IO_LIST_NONE);
    }

    if (want && !ch->reading) {
        ch->reading = uv_read_start(ch->st, io_chan_alloc, io_chan_read) == 0;
    } else if (!want && ch->reading) {
        ch->reading = false;
        if (ch->st != NULL) {
            uv_read_stop(ch->st);
        }
    }
}

/*
 * Read what the socket holds now instead of a loop pass later: libuv
 * reads a stream only when its poll reports it readable, and a watcher
 * started in this pass is polled in the next one. A -L client's request
 * is usually in the socket before the CHANNEL_OPEN_CONFIRMATION comes,
 * so this sends it in the pass that brings the confirmation. The result
 * goes through io_chan_read, as libuv's reads do (0 is its EAGAIN).
 */
static void
io_chan_read_now(struct io_chan *ch)
{
    uv_os_fd_t fd;
    uv_buf_t b;
    ssize_t n;

    if (!ch->reading || ch->st->type != UV_TCP ||
        uv_fileno((uv_handle_t *)ch->st, &fd) != 0) {
        return;
    }
    io_chan_alloc((uv_handle_t *)ch->st, 0, &b);
    if (b.len == 0) {
        return; /* nothing to read into: libuv's read sorts it out */
    }
    do {
        n = recv(fd, b.base, b.len, 0);
    } while (n < 0 && errno == EINTR);
    if (n == 0) {
        n = UV_EOF;
    } else if (n < 0) {
        n = errno == EAGAIN || errno == EWOULDBLOCK
                ? 0
                : uv_translate_sys_error(errno);
    }
    io_chan_read(ch->st, n, &b);
}

/* ---- channel -> local socket ---- */

/*
 * Peer data waits in ch->wq while one write (ch->wfly) is in flight, and
 * goes out in one write when it completes: one allocation per channel
 * rather than per packet, and fewer syscalls. The window is given back as
 * each write completes, so a slow local reader closes the SSH window
 * instead of growing our memory.
 */
static void io_chan_write_next(struct io_chan *ch);

static void
io_chan_shut(uv_shutdown_t *req, int status)
{
    struct io_chan *ch = req->data;

    ch->shut_done = true;
    /* A separate output (stdout) ends by being closed: a pipe has no
     * half-close, and its reader sees EOF only then. */
    io_chan_close_one(ch->out);
    if (ch->gone) {
        io_chan_close_streams_drained(ch);
        io_chan_maybe_free(ch);
        return;
    }
    io_chan_maybe_close(ch);
}

/*
 * Half-close the local socket once everything queued for it is written.
 * uv_shutdown waits for the write in flight, but data still in ch->wq is
 * not a write yet, so it waits for io_chan_write_next to drain it.
 */
static void
io_chan_shutdown(struct io_chan *ch)
{
    if (buf_len(&ch->wq) > 0) {
        ch->shut_deferred = true;
        return;
    }
    ch->shut_deferred = false;
    ch->shut.data = ch;
    if (io_chan_wstream(ch) != NULL &&
        uv_shutdown(&ch->shut, io_chan_wstream(ch), io_chan_shut) == 0) {
        return;
    }
    io_chan_shut(&ch->shut, UV_ENOTCONN);
}

void
io_chan_count_queued(struct io_chan *ch)
{
    size_t now = buf_len(&ch->wq) + buf_len(&ch->wfly) + buf_len(&ch->eq) +
                 buf_len(&ch->efly);

    ch->ic->queued = ch->ic->queued - ch->queued + now;
    ch->queued = now;
    io_conn_budget(ch->ic);
}

static void
io_chan_written(uv_write_t *req, int status)
{
    struct io_chan *ch = req->data;
    struct conn *c = io_chan_conn(ch);
    size_t n = buf_len(&ch->wfly);

    ch->writing = false;
    buf_reset(&ch->wfly); /* reused for the next write, or freed */
    io_chan_count_queued(ch);
    if (c != NULL) {
        conn_consumed(c, ch->id, n);
        io_conn_flush(ch->ic);
    }
    if (status != 0) {
        if (status != UV_ECANCELED) {
            io_chan_fail(ch);
        }
        return;
    }
    io_chan_write_next(ch);
}

static void
io_chan_write_next(struct io_chan *ch)
{
    struct conn *c;
    uv_buf_t ub;

    if (ch->writing || io_chan_wstream(ch) == NULL) {
        return;
    }
    if (buf_len(&ch->wq) == 0) {
        /* Drained: an idle channel holds no buffer; the connection keeps
         * them for the next burst until it is idle (io_conn_trim). */
        io_conn_spare_give(ch->ic, &ch->wq);
        io_conn_spare_give(ch->ic, &ch->wfly);
        if (ch->shut_deferred) {
            io_chan_shutdown(ch);
        }
        return;
    }
    buf_swap(&ch->wq, &ch->wfly);
    ch->wreq.data = ch;
    ub = uv_buf_init((char *)buf_ptr(&ch->wfly), (unsigned)buf_len(&ch->wfly));
    if (uv_write(&ch->wreq, io_chan_wstream(ch), &ub, 1, io_chan_written) !=
        0) {
        if ((c = io_chan_conn(ch)) != NULL) {
            conn_consumed(c, ch->id, buf_len(&ch->wfly));
        }
        buf_reset(&ch->wfly);
        io_chan_fail(ch);
        return;
    }
    ch->writing = true;
}

void
io_chan_write_queued(struct io_chan *ch)
{
    io_chan_write_next(ch);
}

/* Give back the window of bytes that will never be written. */
static void
io_chan_drop(struct io_chan *ch, const uv_buf_t *v, size_t nv, size_t skip)
{
    struct conn *c = io_chan_conn(ch);
    size_t i, n = 0;

    for (i = 0; i < nv; i++) {
        n += v[i].len;
    }
    if (c != NULL && n > skip) {
        conn_consumed(c, ch->id, n - skip);
    }
}

/*
 * With nothing queued, peer data goes from the decrypted packets straight
 * to the socket, all nv views in one call: no copy, no buffer, and the
 * window is given back at once. What the socket does not take is queued.
 */
void
io_chan_put(struct io_chan *ch, const uv_buf_t *v, size_t nv)
{
    struct conn *c = io_chan_conn(ch);
    size_t i, k = 0, skip;
    int w;

    if (io_chan_wstream(ch) == NULL || ch->shut_started) {
        io_chan_drop(ch, v, nv, 0);
        return;
    }
    if (!ch->writing && buf_len(&ch->wq) == 0 &&
        (w = uv_try_write(io_chan_wstream(ch), v, (unsigned)nv)) > 0) {
        k = (size_t)w; /* UV_EAGAIN; an error shows again in uv_write */
        if (c != NULL) {
            conn_consumed(c, ch->id, k);
        }
    }
    for (i = 0; i < nv; i++, k -= skip) {
        skip = k < v[i].len ? k : v[i].len;
        if (skip == v[i].len) {
            continue;
        }
        io_conn_spare_take(ch->ic, &ch->wq);
        if (buf_put(&ch->wq, (const uint8_t *)v[i].base + skip,
                    v[i].len - skip) != 0) {
            io_chan_drop(ch, v + i, nv - i, skip);
            io_chan_fail(ch);
            return;
        }
    }
    io_chan_write_next(ch);
    io_chan_count_queued(ch);
}

void
io_chan_on_data(struct io_chan *ch, const uint8_t *p, size_t n)
{
    uv_buf_t ub = uv_buf_init((char *)p, (unsigned)n);

    if (ch->held_cb != NULL) {
        ch->held_n += n; /* given back in io_chan_connect_held */
        ch->held_cb(ch->open_ctx, ch, p, n);
        return;
    }
    if (ch->connecting != NULL && !ch->shut_started) {
        /* A held channel's connect is under way: keep the data for the
         * socket; io_chan_written gives the window back. */
        io_conn_spare_take(ch->ic, &ch->wq);
        if (buf_put(&ch->wq, p, n) != 0) {
            io_chan_fail(ch);
        }
        io_chan_count_queued(ch);
        return;
    }
    if (io_chan_batch_add(ch, &ub)) {
        return;
    }
    io_chan_put(ch, &ub, 1);
}

void
io_chan_on_eof(struct io_chan *ch)
{
    if (ch->held_cb != NULL || (ch->connecting != NULL && ch->st == NULL)) {
        io_chan_end(ch); /* no request, or no socket yet to half-close */
        return;
    }
    if (ch->shut_started) {
        return;
    }
    ch->shut_started = true;
    io_chan_shutdown(ch);
}

/*
 * The channel is gone, but data the peer sent before its CLOSE may still
 * be queued for the local socket: deliver it, then close (openssh nchan.c
 * keeps the output draining the same way). The shutdown completes after
 * the queued writes, and io_chan_shut closes the socket; a connection
 * that ends meanwhile closes it at once through io_chan_abort.
 */
void
io_chan_on_closed(struct io_chan *ch)
{
    ch->gone = true;
    io_chan_err_drain(ch);
    if (ch->reading && ch->st != NULL) {
        uv_read_stop(ch->st);
    }
    ch->reading = false;
    if (io_chan_wstream(ch) != NULL && !ch->shut_done) {
        if (!ch->shut_started) {
            ch->shut_started = true;
            io_chan_shutdown(ch);
        }
        return;
    }
    io_chan_close_streams_drained(ch);
    io_chan_maybe_free(ch);
}

/* ---- opening ---- */

struct io_chan *
io_chan_new(struct io_conn *ic, uv_stream_t *st, uv_stream_t *out)
{
    struct io_chan *ch = calloc(1, sizeof(*ch));

    if (ch != NULL) {
        buf_set_nowipe(&ch->wq); /* forwarded data (buf.h) */
        buf_set_nowipe(&ch->wfly);
        buf_set_nowipe(&ch->first);
        buf_set_nowipe(&ch->eq);
        buf_set_nowipe(&ch->efly);
        ch->read_size = IO_CHAN_READ_MIN;
        ch->st = st;
        if (st != NULL) {
            st->data = ch;
        }
        ch->out = out;
        if (out != NULL) {
            out->data = ch;
        }
        io_conn_link_chan(ic, ch);
    }
    return ch;
}

void
io_chan_on_open_result(struct io_chan *ch, uint32_t reason, const char *msg)
{
    if (reason != 0) {
        ch->gone = true;
    } else {
        ch->confirmed = true;
    }
    if (ch->open_cb != NULL) {
        ch->open_cb(ch->open_ctx, ch, reason, msg);
    }
    if (reason != 0) {
        io_chan_close_streams(ch);
        io_chan_maybe_free(ch);
        return;
    }
    if (ch->no_input) {
        io_chan_end_input(ch);
    }
    io_chan_update_reading(ch);
    io_chan_read_now(ch);
}

void
io_chan_pause_input(struct io_chan *ch, bool paused)
{
    ch->input_paused = paused;
    io_chan_update_reading(ch);
}

void
io_chan_end_input(struct io_chan *ch)
{
    if (ch->local_eof) {
        return;
    }
    ch->local_eof = true;
    ch->eof_pending = true;
    io_chan_update_reading(ch); /* sends EOF once first is sent */
}

/* What opening a channel for local streams takes (all but ic). */
struct io_chan_open_args {
    uv_stream_t *in, *out, *err;
    const struct io_chan_sess *sess;
    const struct chan_open_info *info;
    io_chan_open_cb cb;
    io_chan_done_cb done;
    void *ctx;
    uint64_t tag;
    const uint8_t *first; /* already read from in: sent first */
    size_t n_first;
};

static int
io_chan_open_common(struct io_conn *ic, const struct io_chan_open_args *a,
                    struct io_chan **out)
{
    /* A connection that is ending takes no new channel: it would wait
     * for an answer that never comes and keep the connection alive. */
    struct conn *c = ic->ending ? NULL : io_conn_conn(ic);
    struct io_chan *ch;
    int r;

    if (c == NULL || (ch = io_chan_new(ic, a->in, a->out)) == NULL) {
        io_close_free((uv_handle_t *)a->in);
        io_close_free((uv_handle_t *)a->out);
        io_close_free((uv_handle_t *)a->err);
        return c == NULL ? ERR_CHANNEL : ERR_NOMEM;
    }
    if (a->in != NULL && a->in->type == UV_TCP) {
        uv_tcp_nodelay((uv_tcp_t *)a->in, 1);
    }
    if (a->sess != NULL) {
        ch->sess = *a->sess;
        ch->no_input = a->in == NULL;
        ch->is_session = true;
    }
    if ((ch->err = a->err) != NULL) {
        ch->err->data = ch;
    }
    ch->open_cb = a->cb;
    ch->done_cb = a->done;
    ch->open_ctx = a->ctx;
    ch->tag = a->tag;
    r = a->n_first > 0 && buf_put(&ch->first, a->first, a->n_first) != 0
            ? ERR_NOMEM
            : 0;
    if (r != 0 || (r = conn_open(c, a->info, ch, &ch->id)) != 0) {
        /* The caller handles the error: nothing is called back. */
        ch->open_cb = NULL;
        ch->done_cb = NULL;
        io_chan_close_streams(ch);
        return r;
    }
    ch->has_id = true;
    io_conn_flush(ic);
    if (out != NULL) {
        *out = ch;
    }
    return 0;
}

int
io_chan_open_streams(struct io_conn *ic, uv_stream_t *in, uv_stream_t *out,
                     const struct chan_open_info *info, io_chan_open_cb cb,
                     io_chan_done_cb done, void *ctx)
{
    struct io_chan_open_args a = {
        .in = in, .out = out, .info = info, .cb = cb, .done = done, .ctx = ctx};

    return io_chan_open_common(ic, &a, NULL);
}

int
io_chan_open_session(struct io_conn *ic, const struct io_chan_sess *s,
                     const struct chan_open_info *info, struct io_chan **out)
{
    struct io_chan_open_args a = {.in = s->in,
                                  .out = s->out,
                                  .err = s->err,
                                  .sess = s,
                                  .info = info,
                                  .cb = s->opened,
                                  .done = s->done,
                                  .ctx = s->ctx};

    return io_chan_open_common(ic, &a, out);
}

int
io_chan_open_tagged(struct io_conn *ic, uv_stream_t *st,
                    const struct chan_open_info *info, uint64_t tag,
                    io_chan_open_cb cb, io_chan_done_cb done, void *ctx)
{
    struct io_chan_open_args a = {
        .in = st, .info = info, .cb = cb, .done = done, .ctx = ctx, .tag = tag};

    return io_chan_open_common(ic, &a, NULL);
}

void
io_conn_close_tagged(struct io_conn *ic, uint64_t tag)
{
    struct io_chan *ch, *next;

    for (ch = ic->chans; ch != NULL; ch = next) {
        next = ch->next;
        if (tag != 0 && ch->tag == tag) {
            io_chan_fail(ch);
        }
    }
}

int
io_chan_open(struct io_conn *ic, uv_tcp_t *tcp,
             const struct chan_open_info *info, io_chan_open_cb cb, void *ctx)
{
    return io_chan_open_streams(ic, (uv_stream_t *)tcp, NULL, info, cb, NULL,
                                ctx);
}

int
io_chan_open_first(struct io_conn *ic, uv_stream_t *sock, const uint8_t *first,
                   size_t n, const struct chan_open_info *info,
                   io_chan_open_cb cb, void *ctx)
{
    struct io_chan_open_args a = {.in = sock,
                                  .info = info,
                                  .cb = cb,
                                  .ctx = ctx,
                                  .first = first,
                                  .n_first = n};

    return io_chan_open_common(ic, &a, NULL);
}

uv_stream_t *
io_chan_stream(const struct io_chan *ch)
{
    return ch->st;
}

uint32_t
io_chan_id(const struct io_chan *ch)
{
    return ch->id;
}
