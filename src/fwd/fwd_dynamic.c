/* SPDX-License-Identifier: ISC */
/* -D: SOCKS and HTTP CONNECT handshakes, then direct-tcpip channels. */
#include "fwd/fwd_dynamic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/fwd_local.h"
#include "fwd/proxy.h"
#include "io/io_chan.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

/* One client between accept and its channel open. */
struct fwd_dyn_client {
    struct fwd_dyn_client *prev, *next;
    struct fwd_dynamic *fd; /* NULL once off the pending list */
    uv_tcp_t *tcp;          /* NULL once closed or given to a channel */
    uv_timer_t timer;       /* LIM_PROXY_REQUEST_MS to send a request */
    uv_shutdown_t shut;
    bool timer_open;
    char peer[64];
    uint16_t peer_port;
    struct buf reply;
    struct proxy px;
};

struct fwd_dynamic {
    struct fwd_pick pick;
    uint16_t listen_port;
    struct fwd_dyn_client *pending; /* doubly linked */
    size_t n_pending;
};

/*
 * The channel's open callback needs only the kind of proxy request to
 * word its answer; pointing at an entry of this constant table gives it
 * that without an allocation whose lifetime the channel would have to
 * manage (the open callback is not called if the connection ends first).
 */
static const enum proxy_kind fwd_dyn_kinds[] = {
    PROXY_NONE, PROXY_SOCKS4, PROXY_SOCKS4A, PROXY_SOCKS5, PROXY_HTTP,
};

/* ---- one client's life ---- */

static void
fwd_dyn_maybe_free(struct fwd_dyn_client *cl)
{
    if (cl->tcp == NULL && !cl->timer_open) {
        buf_cleanup(&cl->reply);
        free(cl);
    }
}

static void
fwd_dyn_timer_closed(uv_handle_t *h)
{
    struct fwd_dyn_client *cl = h->data;

    cl->timer_open = false;
    fwd_dyn_maybe_free(cl);
}

static void
fwd_dyn_tcp_closed(uv_handle_t *h)
{
    struct fwd_dyn_client *cl = h->data;

    free(h);
    cl->tcp = NULL;
    fwd_dyn_maybe_free(cl);
}

static void
fwd_dyn_close_tcp(struct fwd_dyn_client *cl)
{
    if (cl->tcp != NULL && !uv_is_closing((uv_handle_t *)cl->tcp)) {
        uv_close((uv_handle_t *)cl->tcp, fwd_dyn_tcp_closed);
    }
}

static void
fwd_dyn_shut_done(uv_shutdown_t *req, int status)
{
    fwd_dyn_close_tcp(req->data);
}

static void
fwd_dyn_unlink(struct fwd_dyn_client *cl)
{
    struct fwd_dynamic *fd = cl->fd;

    if (fd == NULL) {
        return;
    }
    if (cl->prev != NULL) {
        cl->prev->next = cl->next;
    } else {
        fd->pending = cl->next;
    }
    if (cl->next != NULL) {
        cl->next->prev = cl->prev;
    }
    fd->n_pending--;
    cl->fd = NULL;
}

/*
 * The handshake is over for this client. graceful: a refusal was just
 * written, so half-close after it (uv_shutdown waits for queued writes)
 * rather than close at once, which could lose it.
 */
static void
fwd_dyn_end(struct fwd_dyn_client *cl, bool graceful)
{
    fwd_dyn_unlink(cl);
    if (!uv_is_closing((uv_handle_t *)&cl->timer)) {
        uv_close((uv_handle_t *)&cl->timer, fwd_dyn_timer_closed);
    }
    if (cl->tcp == NULL || uv_is_closing((uv_handle_t *)cl->tcp)) {
        return;
    }
    uv_read_stop((uv_stream_t *)cl->tcp);
    cl->shut.data = cl;
    if (graceful && uv_shutdown(&cl->shut, (uv_stream_t *)cl->tcp,
                                fwd_dyn_shut_done) == 0) {
        return;
    }
    fwd_dyn_close_tcp(cl);
}

static void
fwd_dyn_timeout(uv_timer_t *t)
{
    struct fwd_dyn_client *cl = t->data;

    log_debug("dynamic: no complete request from %s port %u in %u ms", cl->peer,
              (unsigned)cl->peer_port, LIM_PROXY_REQUEST_MS);
    fwd_dyn_end(cl, false);
}

/* ---- the channel ---- */

static void
fwd_dyn_open_result(void *ctx, struct io_chan *ch, uint32_t reason,
                    const char *msg)
{
    enum proxy_kind kind = *(const enum proxy_kind *)ctx;
    uv_stream_t *st = io_chan_stream(ch);
    struct buf reply;

    if (reason != 0) {
        log_plain("channel %u: open failed: %s: %s\r\n",
                  (unsigned)io_chan_id(ch), fwd_open_reason_str(reason),
                  msg != NULL ? msg : "");
    }
    buf_init(&reply);
    /* Written before any channel data: io_chan writes only after this. */
    if (st != NULL && proxy_reply(kind, reason, msg, &reply) == 0) {
        (void)io_write_copy(st, buf_ptr(&reply), buf_len(&reply));
    }
    buf_cleanup(&reply);
}

/* Refuse a done request without a channel (the connection is going). */
static void
fwd_dyn_refuse(struct fwd_dyn_client *cl, const char *why)
{
    buf_reset(&cl->reply);
    if (proxy_reply(cl->px.req.kind, SSH_OPEN_CONNECT_FAILED, why,
                    &cl->reply) == 0) {
        (void)io_write_copy((uv_stream_t *)cl->tcp, buf_ptr(&cl->reply),
                            buf_len(&cl->reply));
    }
    fwd_dyn_end(cl, true);
}

/* The request is read: open the channel; the socket goes with it. */
static void
fwd_dyn_open(struct fwd_dyn_client *cl)
{
    struct fwd_dynamic *fd = cl->fd;
    struct io_conn *ic = fwd_pick_conn(&fd->pick);
    const struct proxy_req *req = &cl->px.req;
    struct chan_open_info info;
    uv_stream_t *st = (uv_stream_t *)cl->tcp;
    const uint8_t *extra;
    size_t n;
    int r;

    uv_read_stop(st);
    log_debug("Connection to port %u forwarding to %s port %u requested "
              "(%s).",
              (unsigned)fd->listen_port, req->host, (unsigned)req->port,
              proxy_kind_str(req->kind));
    if (ic == NULL || io_conn_conn(ic) == NULL) {
        fwd_dyn_refuse(cl, "connection closed");
        return;
    }
    memset(&info, 0, sizeof(info));
    info.type = "direct-tcpip";
    info.host = req->host;
    info.port = req->port;
    info.orig_host = cl->peer;
    info.orig_port = cl->peer_port;
    proxy_extra(&cl->px, &extra, &n);
    cl->tcp = NULL; /* the channel's from here, even on error */
    r = io_chan_open_first(ic, st, extra, n, &info, fwd_dyn_open_result,
                           (void *)&fwd_dyn_kinds[req->kind]);
    if (r != 0) {
        log_debug("dynamic: could not open a channel to %s port %u: %s",
                  req->host, (unsigned)req->port, err_str(r));
    }
    fwd_dyn_end(cl, false);
}

/* ---- reading the request ---- */

static void
fwd_dyn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct fwd_dyn_client *cl = h->data;
    uint8_t *p;
    size_t n;

    proxy_room(&cl->px, &p, &n);
    *b = uv_buf_init((char *)p, (unsigned)n);
}

static void
fwd_dyn_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct fwd_dyn_client *cl = st->data;
    int r;

    if (nread == 0) {
        return;
    }
    if (nread < 0) {
        fwd_dyn_end(cl, false);
        return;
    }
    r = proxy_commit(&cl->px, (size_t)nread, &cl->reply);
    if (buf_len(&cl->reply) > 0) {
        (void)io_write_copy(st, buf_ptr(&cl->reply), buf_len(&cl->reply));
        buf_reset(&cl->reply);
    }
    if (r == ERR_AGAIN) {
        return;
    }
    if (r != 0) {
        log_debug("dynamic: %s request from %s port %u refused: %s",
                  proxy_kind_str(cl->px.req.kind), cl->peer,
                  (unsigned)cl->peer_port, proxy_why_str(cl->px.req.why));
        fwd_dyn_end(cl, true);
        return;
    }
    fwd_dyn_open(cl);
}

void
fwd_dynamic_accept(struct fwd_dynamic *fd, uv_tcp_t *t)
{
    struct fwd_dyn_client *cl;

    if (fd->n_pending >= LIM_PROXY_PENDING ||
        (cl = calloc(1, sizeof(*cl))) == NULL) {
        log_debug("dynamic: too many clients in their handshake");
        io_close_free((uv_handle_t *)t);
        return;
    }
    proxy_init(&cl->px);
    buf_init(&cl->reply);
    buf_set_nowipe(&cl->reply); /* replies to the client: not secret */
    cl->tcp = t;
    t->data = cl;
    cl->fd = fd;
    cl->next = fd->pending;
    if (fd->pending != NULL) {
        fd->pending->prev = cl;
    }
    fd->pending = cl;
    fd->n_pending++;
    io_peer_str(t, cl->peer, sizeof(cl->peer), &cl->peer_port);
    uv_timer_init(t->loop, &cl->timer);
    cl->timer.data = cl;
    cl->timer_open = true;
    uv_timer_start(&cl->timer, fwd_dyn_timeout, LIM_PROXY_REQUEST_MS, 0);
    if (uv_read_start((uv_stream_t *)t, fwd_dyn_alloc, fwd_dyn_read) != 0) {
        fwd_dyn_end(cl, false);
    }
}

int
fwd_dynamic_new(struct fwd_dynamic **out, const struct fwd_pick *pick,
                uint16_t listen_port)
{
    struct fwd_dynamic *fd;

    *out = NULL;
    if ((fd = calloc(1, sizeof(*fd))) == NULL) {
        return ERR_NOMEM;
    }
    fd->pick = *pick;
    fd->listen_port = listen_port;
    *out = fd;
    return 0;
}

void
fwd_dynamic_free(struct fwd_dynamic *fd)
{
    if (fd == NULL) {
        return;
    }
    while (fd->pending != NULL) {
        fwd_dyn_end(fd->pending, false);
    }
    free(fd);
}
