/* SPDX-License-Identifier: ISC */
/* One SSH connection over a libuv stream (TCP or a pipe). */
#include "io/io_conn.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "io/io_impl.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

static void io_conn_end(struct io_conn *ic, const char *why);
static void io_conn_quickack(struct io_conn *ic);

/* Connections alive in this process: the last one's end returns the heap. */
static size_t io_conns_live;

/* ---- buffers ---- */

/*
 * Nothing moved for a whole tick: free what bulk data grew (pooled write
 * buffers, spare channel buffers, the transport's empty buffers), so
 * memory returns once the data is gone. While data flows they are kept:
 * freeing and refaulting them per burst cost more than the cipher.
 */
static void
io_conn_trim(struct io_conn *ic)
{
    struct io_wreq *w;
    size_t i, freed = 0;

    while ((w = ic->pool) != NULL) {
        ic->pool = w->next;
        freed += w->b.cap;
        buf_cleanup(&w->b);
        free(w);
    }
    ic->n_pool = 0;
    ic->read_size = IO_READ_MIN;
    for (i = 0; i < IO_SPARE_BUFS; i++) {
        freed += ic->spare[i].cap;
        buf_cleanup(&ic->spare[i]);
    }
    freed += session_trim(ic->s);
    if (freed >= IO_TRIM_RETURN) {
        mem_return_free();
    }
}

void
io_conn_spare_give(struct io_conn *ic, struct buf *b)
{
    size_t i;

    if (b->d == NULL) {
        return;
    }
    buf_reset(b);
    for (i = 0; i < IO_SPARE_BUFS && !ic->ending; i++) {
        if (ic->spare[i].d == NULL) {
            buf_swap(&ic->spare[i], b);
            return;
        }
    }
    buf_cleanup(b);
}

void
io_conn_spare_take(struct io_conn *ic, struct buf *b)
{
    size_t i, best = IO_SPARE_BUFS;

    if (b->d != NULL) {
        return;
    }
    /* The largest: a bulk channel gets back what it had grown to. */
    for (i = 0; i < IO_SPARE_BUFS; i++) {
        if (ic->spare[i].d != NULL &&
            (best == IO_SPARE_BUFS || ic->spare[i].cap > ic->spare[best].cap)) {
            best = i;
        }
    }
    if (best < IO_SPARE_BUFS) {
        buf_swap(&ic->spare[best], b);
    }
}

/* ---- teardown ---- */

static void
io_conn_maybe_free(struct io_conn *ic)
{
    uint64_t now;

    if (!ic->stream_closed || !ic->timer_closed || ic->hooks_open > 0 ||
        ic->chans != NULL) {
        return;
    }
    if (ic->cbs.closed != NULL) {
        ic->cbs.closed(ic->cbs.ctx, ic, ic->why);
    }
    io_conn_trim(ic);
    io_conn_free_greqs(ic);
    session_free(ic->s);
    now = io_now_ms(ic->loop);
    free(ic);
    io_heap_freed();
    io_heap_settle(now, --io_conns_live == 0);
}

static void
io_conn_stream_closed(uv_handle_t *h)
{
    struct io_conn *ic = h->data;

    free(h);
    ic->stream = NULL;
    ic->stream_closed = true;
    io_conn_maybe_free(ic);
}

static void
io_conn_timer_closed(uv_handle_t *h)
{
    struct io_conn *ic = h->data;

    ic->timer_closed = true;
    io_conn_maybe_free(ic);
}

static void
io_conn_hook_closed(uv_handle_t *h)
{
    struct io_conn *ic = h->data;

    ic->hooks_open--;
    io_conn_maybe_free(ic);
}

static void
io_conn_close_handles(struct io_conn *ic)
{
    if (ic->stream != NULL && !uv_is_closing((uv_handle_t *)ic->stream)) {
        uv_close((uv_handle_t *)ic->stream, io_conn_stream_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&ic->timer)) {
        uv_close((uv_handle_t *)&ic->timer, io_conn_timer_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&ic->flush_pre)) {
        uv_close((uv_handle_t *)&ic->flush_pre, io_conn_hook_closed);
        uv_close((uv_handle_t *)&ic->flush_chk, io_conn_hook_closed);
    }
}

static void
io_conn_shutdown_done(uv_shutdown_t *req, int status)
{
    io_conn_close_handles(req->data);
}

static void
io_conn_grace_over(uv_timer_t *t)
{
    io_conn_close_handles(t->data);
}

/* The connection is over: flush (the DISCONNECT), then close everything. */
static void
io_conn_end(struct io_conn *ic, const char *why)
{
    struct io_chan *ch, *next;

    if (ic->ending) {
        return;
    }
    /* Data the peer sent before the end still goes to its sockets. */
    io_chan_batch_put(ic);
    ic->ending = true;
    snprintf(ic->why, sizeof(ic->why), "%s", why);
    io_conn_flush(ic);
    uv_read_stop(ic->stream);
    for (ch = ic->chans; ch != NULL; ch = next) {
        next = ch->next;
        io_chan_abort(ch);
    }
    uv_timer_stop(&ic->timer);
    uv_timer_start(&ic->timer, io_conn_grace_over, IO_END_GRACE_MS, 0);
    ic->shut.data = ic;
    if (uv_shutdown(&ic->shut, ic->stream, io_conn_shutdown_done) != 0) {
        io_conn_close_handles(ic);
    }
}

static void
io_conn_fail(struct io_conn *ic)
{
    const char *e = session_error(ic->s);

    io_conn_end(ic, e != NULL && e[0] != '\0' ? e : "connection failed");
}

/* ---- output ---- */

static void
io_conn_write_failed(struct io_conn *ic)
{
    char why[IO_WHY_LEN];

    if (ic->stream->type == UV_TCP) {
        io_conn_end(ic, "Connection reset");
        return;
    }
    /* The ProxyCommand or the jump channel went away (EPIPE): as ssh,
     * which sees its pipe closed. */
    snprintf(why, sizeof(why), "Connection closed by %s", ic->peer_name);
    io_conn_end(ic, why);
}

static void
io_conn_written(uv_write_t *req, int status)
{
    struct io_wreq *w = req->data;
    struct io_conn *ic = w->req.handle->data;

    ic->inflight -= buf_len(&w->b);
    ic->n_writes--;
    buf_reset(&w->b); /* nowipe: ciphertext */
    if (ic->n_pool < IO_WREQ_POOL) {
        w->next = ic->pool;
        ic->pool = w;
        ic->n_pool++;
    } else {
        buf_cleanup(&w->b);
        free(w);
    }
    if (status != 0) {
        io_conn_write_failed(ic);
        return;
    }
    io_conn_flush(ic); /* which wakes the channels stopped at the mark */
}

static struct io_wreq *
io_conn_get_wreq(struct io_conn *ic)
{
    struct io_wreq *w = ic->pool;

    if (w != NULL) {
        ic->pool = w->next;
        ic->n_pool--;
        return w;
    }
    if ((w = calloc(1, sizeof(*w))) != NULL) {
        buf_init(&w->b);
        buf_set_nowipe(&w->b); /* it is swapped with the transport output */
    }
    return w;
}

/*
 * Write the transport's output from where it is, as far as the socket
 * takes it now: the turn's packets go out right after they are sealed,
 * while they are still in the cache, and the buffer is reused at once.
 * libuv refuses (UV_EAGAIN) while an earlier write is queued, so order
 * is kept.
 * Without this, a burst of reads sealed megabytes that waited for the
 * two writes in flight, and were read back cold.
 */
static void
io_conn_try_flush(struct io_conn *ic)
{
    const uint8_t *p;
    size_t n = 0;
    uv_buf_t ub;
    int k;

    if ((p = session_output(ic->s, &n)) == NULL || n == 0 || n > UINT_MAX) {
        return;
    }
    ub = uv_buf_init((char *)p, (unsigned)n);
    if ((k = uv_try_write(ic->stream, &ub, 1)) > 0) {
        session_output_done(ic->s, (size_t)k);
        ic->moved += (size_t)k;
    }
    /* An error shows again in uv_write, which reports it. */
}

/*
 * The output is below the mark again: the channels that stopped there
 * read again; one that stops again goes back on the list, and the walk
 * ends there. This runs after every flush, not only when a queued write
 * completes: output that leaves without a write request (a write the
 * socket takes at once) has no callback, and channels waiting for one
 * would wait for ever. Nested flushes (a woken channel sends what it
 * held) leave the walk to this one.
 */
static void
io_conn_wake_blocked(struct io_conn *ic)
{
    struct io_chan *ch;

    if (ic->waking) {
        return;
    }
    ic->waking = true;
    while (!ic->ending && (ch = ic->blocked.head) != NULL &&
           io_conn_queued(ic) < LIM_OUTQ_HIGHWATER) {
        io_chan_set_list(ch, IO_LIST_NONE);
        io_chan_update_reading(ch);
    }
    ic->waking = false;
}

static void
io_conn_flush_now(struct io_conn *ic)
{
    struct io_wreq *w;
    uv_buf_t ub;

    if (ic->stream != NULL && !ic->stream_closed) {
        io_conn_try_flush(ic);
    }
    /* When ending, everything goes out now (the DISCONNECT above all). */
    while (ic->stream != NULL && !ic->stream_closed &&
           (ic->ending || ic->n_writes < IO_WRITES_MAX) &&
           session_has_output(ic->s)) {
        if ((w = io_conn_get_wreq(ic)) == NULL) {
            io_conn_end(ic, "out of memory");
            return;
        }
        session_take_output(ic->s, &w->b);
        w->req.data = w;
        ub = uv_buf_init((char *)buf_ptr(&w->b), (unsigned)buf_len(&w->b));
        ic->inflight += buf_len(&w->b);
        ic->moved += buf_len(&w->b);
        if (uv_write(&w->req, ic->stream, &ub, 1, io_conn_written) != 0) {
            ic->inflight -= buf_len(&w->b);
            buf_cleanup(&w->b);
            free(w);
            io_conn_write_failed(ic);
            return;
        }
        ic->n_writes++;
    }
    if (!ic->ending && io_conn_queued(ic) > LIM_OUTQ_MAX) {
        io_conn_end(ic, "output queue over its limit: the peer is not "
                        "reading");
        return;
    }
    io_conn_wake_blocked(ic);
}

/* The turn's output is written, once: before the loop polls, or after
 * the events it polled (whichever hook comes first stops both). */
static void
io_conn_flush_due(struct io_conn *ic)
{
    ic->dirty = false;
    ic->turn++;
    uv_prepare_stop(&ic->flush_pre);
    uv_check_stop(&ic->flush_chk);
    io_conn_flush_now(ic);
    if (ic->ack_due) {
        ic->ack_due = false;
        io_conn_quickack(ic);
    }
}

static void
io_conn_flush_pre(uv_prepare_t *h)
{
    io_conn_flush_due(h->data);
}

static void
io_conn_flush_chk(uv_check_t *h)
{
    io_conn_flush_due(h->data);
}

/*
 * Output waits for the end of the loop's turn and leaves in one write:
 * a turn that reads several local sockets, or gives back several
 * windows, seals all their packets first. The prepare hook runs before
 * the loop polls (output of timers and of callbacks deferred to the
 * loop), the check hook after the events it polled (reads and writes
 * done), so nothing waits while the loop sleeps. Only connections with
 * output have their hooks started: a turn's work is O(active), and the
 * loop walks no idle connection. Past IO_FLUSH_AT it goes at once: the
 * packets are still in the cache, and a turn that reads a channel many
 * times does not hold megabytes that the socket could already take.
 * When ending, everything goes now (the DISCONNECT above all).
 */
void
io_conn_flush(struct io_conn *ic)
{
    size_t n = 0;

    if (ic->ending || ic->hooks_open < 2) {
        io_conn_flush_now(ic);
        return;
    }
    if (!ic->dirty) {
        ic->dirty = true;
        (void)uv_prepare_start(&ic->flush_pre, io_conn_flush_pre);
        (void)uv_check_start(&ic->flush_chk, io_conn_flush_chk);
    }
    (void)session_output(ic->s, &n);
    if (n >= IO_FLUSH_AT) {
        io_conn_flush_now(ic);
    }
}

void
io_conn_auth_signed(struct io_conn *ic, const uint8_t *sig, size_t n)
{
    if (ic->ending) {
        return;
    }
    if (session_auth_signed(ic->s, sig, n) != 0) {
        io_conn_fail(ic);
        return;
    }
    io_conn_flush(ic);
}

void
io_conn_auth_loaded(struct io_conn *ic)
{
    if (ic->ending) {
        return;
    }
    if (session_auth_loaded(ic->s) != 0) {
        io_conn_fail(ic);
        return;
    }
    io_conn_flush(ic);
}

void
io_conn_auth_answered(struct io_conn *ic, char *const *answers, size_t n)
{
    if (ic->ending) {
        return;
    }
    if (session_auth_answered(ic->s, answers, n) != 0) {
        io_conn_fail(ic);
        return;
    }
    io_conn_flush(ic);
}

/* ---- input and time ---- */

static void
io_conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct io_conn *ic = h->data;
    uint8_t *p = NULL;
    size_t n = 0;

    /* Reads land straight in the transport's input buffer (no copy);
     * an empty buffer makes libuv report UV_ENOBUFS. The clock first:
     * what is read now was heard now. */
    session_clock(ic->s, io_now_ms(ic->loop));
    if (session_feed_space(ic->s, ic->read_size, &p, &n) != 0) {
        p = NULL;
        n = 0;
    }
    ic->read_offered = n;
    *b = uv_buf_init((char *)p, (unsigned)n);
}

/*
 * OpenSSH's sshd (and ssh) leave Nagle on until a session asks for
 * interactive mode, so all of the handshake and the whole of a -N
 * connection: a small packet it writes while an earlier one is not yet
 * acknowledged waits for our ACK, which Linux delays up to 40 ms when our
 * side had nothing to say. Login and every forward's open, EOF and close
 * paid that stall (~40 ms each on loopback). Acknowledge each read at
 * once instead, at the end of its turn of the loop, after the turn's
 * write (our answer, if any) has carried the ACK.
 * TCP_QUICKACK is not sticky, hence once per read. An adit peer sets
 * TCP_NODELAY from its first byte: nothing it sends waits, so not for it.
 */
static void
io_conn_quickack(struct io_conn *ic)
{
    if (!ic->quickack || ic->ending) {
        return;
    }
    if (transport_peer_is_adit(session_transport(ic->s)) ||
        io_tcp_quickack((uv_tcp_t *)ic->stream) != 0) {
        ic->quickack = false;
    }
}

static void
io_conn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct io_conn *ic = st->data;
    char why[IO_WHY_LEN];
    int r;

    if (nread > 0) {
        ic->moved += (size_t)nread;
        if ((size_t)nread == ic->read_offered && ic->read_size < IO_READ_SIZE) {
            ic->read_size *= 2; /* bulk data: more per read (IO_READ_MIN) */
        }
        /* The channels' data of this read goes out at its end. */
        ic->batching = session_payload_kept(ic->s);
        r = session_feed_commit(ic->s, (size_t)nread);
        ic->batching = false;
        io_chan_batch_put(ic);
        if (r != 0) {
            io_conn_fail(ic);
            return;
        }
        io_conn_flush(ic);
        ic->ack_due = true; /* io_conn_quickack, after the turn's flush */
    } else if (nread == UV_ENOBUFS && session_auth_held(ic->s)) {
        /* A login lookup holds the input, and the transport's bounded
         * buffer is full: leave the rest in the socket until it is done.
         * (Until then reading goes on, so a client that leaves is seen.) */
        uv_read_stop(ic->stream);
        ic->read_held = true;
    } else if (nread == UV_ENOBUFS) {
        io_conn_fail(ic);
    } else if (nread < 0) {
        /* A ProxyCommand that exits without reading what we wrote makes
         * its socketpair end report a reset; ssh, on pipes, sees EOF. */
        snprintf(why, sizeof(why), "Connection %s by %s",
                 nread == UV_EOF ||
                         (nread == UV_ECONNRESET && ic->stream->type != UV_TCP)
                     ? "closed"
                     : "reset",
                 ic->peer_name);
        io_conn_end(ic, why);
    }
}

/*
 * A peer that opens thousands of channels into targets that never read
 * could make us queue all their windows (hundreds of MiB): past
 * LIM_CONN_QUEUED the connection is not read, so the peer's data waits in
 * its own buffers and TCP's, until the local sockets have taken half.
 *
 * Everything the peer sends waits meanwhile, its keepalive requests,
 * global requests and window adjusts included: they come on the same
 * ordered stream, behind channel data that the windows already granted
 * let it send and that can only be got past by reading and keeping it,
 * which is what the budget refuses (a window once granted cannot be taken
 * back). Our writes go on (data to channels whose windows are open, our
 * own probes), and our keepalive does not count the pause as the peer's
 * silence while its bytes wait in the socket (io_conn_tick). A peer's own
 * ServerAliveInterval x CountMax shorter than the targets take to drain
 * half the budget ends its connection: adit(1) and aditd(8) say so.
 */
void
io_conn_budget(struct io_conn *ic)
{
    if (ic->ending || ic->stream == NULL || ic->stream_closed) {
        return;
    }
    if (!ic->read_full && ic->queued > LIM_CONN_QUEUED) {
        ic->read_full = true;
        uv_read_stop(ic->stream);
        log_verbose("%zu bytes queued for local sockets: not reading from "
                    "%s until they drain",
                    ic->queued, ic->peer_name);
    } else if (ic->read_full && ic->queued <= LIM_CONN_QUEUED / 2) {
        ic->read_full = false;
        if (!ic->read_held) {
            uv_read_start(ic->stream, io_conn_alloc, io_conn_read);
        }
    }
}

void
io_conn_resume(struct io_conn *ic)
{
    if (ic->ending) {
        return;
    }
    if (session_resume(ic->s) != 0) {
        io_conn_fail(ic);
        return;
    }
    io_conn_flush(ic);
    if (ic->read_held && !session_auth_held(ic->s) && !ic->ending) {
        ic->read_held = false;
        if (!ic->read_full) {
            uv_read_start(ic->stream, io_conn_alloc, io_conn_read);
        }
    }
}

static void io_conn_tick(uv_timer_t *t);

/* Bytes wait in the socket, unread (FIONREAD; false if it cannot tell). */
static bool
io_conn_unread(const struct io_conn *ic)
{
    uv_os_fd_t fd;
    int n = 0;

    return uv_fileno((const uv_handle_t *)ic->stream, &fd) == 0 &&
           ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/*
 * One timer does two jobs: the housekeeping tick once a second, and the
 * keepalive at its exact due time (a probe after an interval of silence,
 * the end after Interval x CountMax), which a one-second tick would miss
 * by up to a second each time.
 */
static void
io_conn_arm(struct io_conn *ic, uint64_t now)
{
    uint64_t due = session_alive_due(ic->s);

    if (due > ic->tick_ms) {
        due = ic->tick_ms;
    }
    uv_timer_start(&ic->timer, io_conn_tick, due > now ? due - now : 0, 0);
}

static void
io_conn_tick(uv_timer_t *t)
{
    struct io_conn *ic = t->data;
    uint64_t now = io_now_ms(ic->loop);

    if (now >= ic->tick_ms) {
        ic->tick_ms = now + IO_TICK_MS;
        io_chan_tick_held(ic);
        if (ic->ending) {
            return;
        }
        if (ic->moved == ic->moved_tick) {
            io_conn_trim(ic);
            io_heap_settle(now, false);
        }
        ic->moved_tick = ic->moved;
    }
    /* Not reading is our doing: the peer's bytes waiting are its answer. */
    if ((ic->read_full || ic->read_held) && ic->stream != NULL &&
        !ic->stream_closed && io_conn_unread(ic)) {
        session_heard(ic->s, now);
    }
    if (session_tick(ic->s, now) != 0) {
        io_conn_fail(ic);
        return;
    }
    io_conn_flush(ic);
    if (!ic->ending) {
        io_conn_arm(ic, now);
    }
}

/* ---- life ---- */

int
io_conn_new_stream(struct io_conn **out, uv_loop_t *loop, uv_stream_t *stream,
                   const struct session_config *cfg,
                   const struct io_conn_cbs *cbs, const char *peer_name)
{
    struct io_conn *ic;
    int r;

    *out = NULL;
    if ((ic = calloc(1, sizeof(*ic))) == NULL) {
        io_close_free((uv_handle_t *)stream);
        return ERR_NOMEM;
    }
    ic->loop = loop;
    ic->stream = stream;
    ic->read_size = IO_READ_MIN;
    for (size_t i = 0; i < IO_SPARE_BUFS; i++) {
        buf_set_nowipe(&ic->spare[i]); /* forwarded data only (buf.h) */
    }
    ic->cbs = *cbs;
    stream->data = ic;
    if (stream->type == UV_TCP) {
        uv_tcp_nodelay((uv_tcp_t *)stream, 1);
        ic->quickack = true; /* io_conn_quickack */
    }
    snprintf(ic->peer_name, sizeof(ic->peer_name), "%s", peer_name);
    if ((r = io_conn_session_new(ic, cfg)) != 0) {
        session_free(ic->s);
        free(ic);
        io_close_free((uv_handle_t *)stream);
        return r;
    }
    uv_timer_init(loop, &ic->timer);
    uv_prepare_init(loop, &ic->flush_pre);
    uv_check_init(loop, &ic->flush_chk);
    ic->hooks_open = 2;
    ic->turn = 1; /* a new channel's read_turn 0 is past */
    io_conns_live++;
    ic->timer.data = ic;
    ic->flush_pre.data = ic;
    ic->flush_chk.data = ic;
    ic->tick_ms = io_now_ms(loop) + IO_TICK_MS;
    uv_timer_start(&ic->timer, io_conn_tick, IO_TICK_MS, 0);
    uv_read_start(stream, io_conn_alloc, io_conn_read);
    io_conn_flush_now(ic); /* the version line and KEXINIT, as said */
    *out = ic;
    return 0;
}

int
io_conn_new(struct io_conn **out, uv_loop_t *loop, uv_tcp_t *tcp,
            const struct session_config *cfg, const struct io_conn_cbs *cbs,
            const char *peer_name)
{
    return io_conn_new_stream(out, loop, (uv_stream_t *)tcp, cfg, cbs,
                              peer_name);
}

void
io_conn_disconnect(struct io_conn *ic, uint32_t reason, const char *msg)
{
    if (ic->ending) {
        return;
    }
    session_disconnect(ic->s, reason, msg);
    io_conn_end(ic, msg);
}

void
io_conn_close(struct io_conn *ic, const char *why)
{
    io_conn_end(ic, why);
}

void
io_conn_link_chan(struct io_conn *ic, struct io_chan *ch)
{
    ch->ic = ic;
    ch->prev = NULL;
    ch->next = ic->chans;
    if (ic->chans != NULL) {
        ic->chans->prev = ch;
    }
    ic->chans = ch;
}

static struct io_chan_list *
io_conn_list(struct io_conn *ic, enum io_chan_list_kind kind)
{
    return kind == IO_LIST_HELD ? &ic->held : &ic->blocked;
}

/* Appended at the tail: the held list stays in deadline order. */
void
io_chan_set_list(struct io_chan *ch, enum io_chan_list_kind kind)
{
    struct io_chan_list *l;

    if (ch->list == kind) {
        return;
    }
    if (ch->list != IO_LIST_NONE) {
        l = io_conn_list(ch->ic, ch->list);
        *(ch->lprev != NULL ? &ch->lprev->lnext : &l->head) = ch->lnext;
        *(ch->lnext != NULL ? &ch->lnext->lprev : &l->tail) = ch->lprev;
        ch->lprev = ch->lnext = NULL;
    }
    ch->list = kind;
    if (kind != IO_LIST_NONE) {
        l = io_conn_list(ch->ic, kind);
        ch->lprev = l->tail;
        *(l->tail != NULL ? &l->tail->lnext : &l->head) = ch;
        l->tail = ch;
    }
}

void
io_conn_unlink_chan(struct io_conn *ic, struct io_chan *ch)
{
    io_chan_set_list(ch, IO_LIST_NONE);
    if (ch->prev != NULL) {
        ch->prev->next = ch->next;
    } else {
        ic->chans = ch->next;
    }
    if (ch->next != NULL) {
        ch->next->prev = ch->prev;
    }
    ch->prev = ch->next = NULL;
    if (ic->ending) {
        io_conn_maybe_free(ic);
    }
}

struct session *
io_conn_session(struct io_conn *ic)
{
    return ic->s;
}

struct conn *
io_conn_conn(struct io_conn *ic)
{
    return ic->ending ? NULL : session_conn(ic->s);
}

uv_loop_t *
io_conn_loop(struct io_conn *ic)
{
    return ic->loop;
}

bool
io_conn_is_ending(const struct io_conn *ic)
{
    return ic->ending;
}

size_t
io_conn_queued(const struct io_conn *ic)
{
    return ic->inflight + session_queued(ic->s);
}

const char *
io_conn_peer_name(const struct io_conn *ic)
{
    return ic->peer_name;
}

void
io_conn_set_udata(struct io_conn *ic, void *udata)
{
    ic->udata = udata;
}

void *
io_conn_udata(const struct io_conn *ic)
{
    return ic->udata;
}
