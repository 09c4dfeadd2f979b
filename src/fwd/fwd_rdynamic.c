/* SPDX-License-Identifier: ISC */
/* -R with no target: the proxy handshake inside a forwarded channel. */
#include "fwd/fwd_rdynamic.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/proxy.h"
#include "io/io_chan.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

/* ssh gives a forwarded connection's local connect this long too. */
#define FWD_RDYN_CONNECT_TIMEOUT_MS 60000u

/* One forwarded channel's handshake; freed when the channel is gone. */
struct fwd_rdyn {
    struct fwd_rdynamic *set;
    bool is_pending; /* counted in set->n_pending */
    struct proxy px;
    struct buf out; /* replies, and the bytes after the request */
};

/* No longer waiting for a request or a connect. */
static void
fwd_rdyn_settled(struct fwd_rdyn *rd)
{
    if (rd->is_pending) {
        rd->is_pending = false;
        rd->set->n_pending--;
    }
}

static void
fwd_rdyn_done(void *ctx)
{
    struct fwd_rdyn *rd = ctx;

    fwd_rdyn_settled(rd);
    buf_cleanup(&rd->out);
    free(rd);
}

/* Send what the handshake produced, if anything, into the channel. */
static int
fwd_rdyn_flush(struct fwd_rdyn *rd, struct io_chan *ch)
{
    int r = 0;

    if (buf_len(&rd->out) > 0) {
        r = io_chan_send(ch, buf_ptr(&rd->out), buf_len(&rd->out));
        buf_reset(&rd->out);
    }
    return r;
}

/* The connect is over: the proxy's answer goes before any data. */
static void
fwd_rdyn_connected(void *ctx, struct io_chan *ch, uint32_t reason,
                   const char *msg)
{
    struct fwd_rdyn *rd = ctx;

    fwd_rdyn_settled(rd);
    if (reason != 0) {
        log_debug("dynamic: connect to %s port %u failed: %s", rd->px.req.host,
                  (unsigned)rd->px.req.port, msg != NULL ? msg : "");
    }
    buf_reset(&rd->out);
    if (proxy_reply(rd->px.req.kind, reason, msg, &rd->out) == 0) {
        (void)fwd_rdyn_flush(rd, ch);
    }
}

/* The request is complete: rest (n bytes) came after it in this read. */
static void
fwd_rdyn_connect(struct fwd_rdyn *rd, struct io_chan *ch, const uint8_t *rest,
                 size_t n)
{
    const struct proxy_req *req = &rd->px.req;
    const uint8_t *extra;
    size_t n_extra;

    log_debug("dynamic: channel %u forwarding to %s port %u requested (%s).",
              (unsigned)io_chan_id(ch), req->host, (unsigned)req->port,
              proxy_kind_str(req->kind));
    if (rd->set->permit != NULL &&
        !permit_list_allows(rd->set->permit, false, req->host, req->port)) {
        /* ssh's words, and like ssh no proxy reply: the channel ends. */
        log_debug("rdynamic_connect_finish: requested forward not permitted");
        io_chan_end(ch);
        return;
    }
    proxy_extra(&rd->px, &extra, &n_extra);
    buf_reset(&rd->out);
    if (buf_put(&rd->out, extra, n_extra) != 0 ||
        buf_put(&rd->out, rest, n) != 0) {
        io_chan_end(ch);
        return;
    }
    (void)io_chan_connect_held(ch, req->host, req->port,
                               FWD_RDYN_CONNECT_TIMEOUT_MS, buf_ptr(&rd->out),
                               buf_len(&rd->out), fwd_rdyn_connected);
    buf_reset(&rd->out);
}

/* Peer bytes, fed to the handshake a room at a time. */
static void
fwd_rdyn_data(void *ctx, struct io_chan *ch, const uint8_t *p, size_t n)
{
    struct fwd_rdyn *rd = ctx;
    uint8_t *room;
    size_t cap;
    int r = ERR_AGAIN;

    while (n > 0 && r == ERR_AGAIN) {
        proxy_room(&rd->px, &room, &cap);
        if (cap == 0) {
            r = ERR_LIMIT;
            break;
        }
        cap = cap < n ? cap : n;
        memcpy(room, p, cap);
        p += cap;
        n -= cap;
        r = proxy_commit(&rd->px, cap, &rd->out);
        if (fwd_rdyn_flush(rd, ch) != 0) {
            r = ERR_CHANNEL;
        }
    }
    if (r == ERR_AGAIN) {
        return;
    }
    if (r != 0) {
        log_debug("dynamic: %s request on channel %u refused: %s",
                  proxy_kind_str(rd->px.req.kind), (unsigned)io_chan_id(ch),
                  proxy_why_str(rd->px.req.why));
        io_chan_end(ch);
        return;
    }
    fwd_rdyn_connect(rd, ch, p, n);
}

void
fwd_rdynamic_accept(struct fwd_rdynamic *set, struct io_conn *ic, uint32_t id,
                    const struct chan_open_info *info)
{
    struct fwd_rdyn *rd;

    log_debug("dynamic: forwarded connection from %s port %u on channel %u",
              info->orig_host != NULL ? info->orig_host : "?",
              (unsigned)info->orig_port, (unsigned)id);
    /* As -D's listener: a peer cannot make us hold unbounded handshakes. */
    if (set->n_pending >= LIM_PROXY_PENDING) {
        log_debug("dynamic: too many channels in their handshake");
        conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_RESOURCE_SHORTAGE,
                       "too many pending dynamic connections");
        return;
    }
    if ((rd = calloc(1, sizeof(*rd))) == NULL) {
        conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_RESOURCE_SHORTAGE,
                       "out of memory");
        return;
    }
    rd->set = set;
    rd->is_pending = true;
    set->n_pending++;
    proxy_init(&rd->px);
    buf_init(&rd->out);
    buf_set_nowipe(&rd->out); /* proxy replies and tunnel data */
    if (io_chan_accept_held(ic, id, fwd_rdyn_data, fwd_rdyn_done, rd) != 0) {
        fwd_rdyn_done(rd);
    }
}
