/* SPDX-License-Identifier: ISC */
/* io_conn: creation and the session's events routed to channels. */
#include "io/io_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_impl.h"
#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

static struct io_chan *
io_conn_chan(struct io_conn *ic, uint32_t id)
{
    struct conn *c = session_conn(ic->s);

    return c == NULL ? NULL : conn_udata(c, id);
}

/*
 * Any event but data first puts the data gathered so far in this read
 * (io_chan_batch.c): an EOF, a close or a request must find its channel's
 * output in the order the peer sent it.
 */
static struct io_chan *
io_conn_chan_put(struct io_conn *ic, uint32_t id)
{
    io_chan_batch_put(ic);
    return io_conn_chan(ic, id);
}

static void
io_conn_ev_auth(void *ctx)
{
    struct io_conn *ic = ctx;

    io_chan_batch_put(ic);
    if (ic->cbs.authenticated != NULL) {
        ic->cbs.authenticated(ic->cbs.ctx, ic);
    }
}

static void
io_conn_ev_open_request(void *ctx, uint32_t id,
                        const struct chan_open_info *info)
{
    struct io_conn *ic = ctx;
    struct conn *c = session_conn(ic->s);

    io_chan_batch_put(ic);
    if (ic->cbs.open_request != NULL) {
        ic->cbs.open_request(ic->cbs.ctx, ic, id, info);
    } else if (c != NULL) {
        conn_open_fail(c, id, 3, "unknown channel type");
    }
}

static void
io_conn_ev_open_result(void *ctx, uint32_t id, uint32_t reason, const char *msg)
{
    struct io_chan *ch = io_conn_chan_put(ctx, id);

    if (ch != NULL) {
        io_chan_on_open_result(ch, reason, msg);
    }
}

static void
io_conn_ev_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    struct io_conn *ic = ctx;
    struct io_chan *ch = io_conn_chan(ic, id);

    if (ch != NULL) {
        io_chan_on_data(ch, p, n);
    } else {
        conn_consumed(session_conn(ic->s), id, n);
    }
}

static void
io_conn_ev_ext_data(void *ctx, uint32_t id, uint32_t code, const uint8_t *p,
                    size_t n)
{
    struct io_conn *ic = ctx;
    struct io_chan *ch = io_conn_chan_put(ic, id);

    if (ch != NULL) {
        io_chan_on_ext_data(ch, code, p, n);
    } else {
        conn_consumed(session_conn(ic->s), id, n);
    }
}

static void
io_conn_ev_chan_reply(void *ctx, uint32_t id, bool ok)
{
    struct io_chan *ch = io_conn_chan_put(ctx, id);

    if (ch != NULL) {
        io_chan_on_reply(ch, ok);
    }
}

static void
io_conn_ev_eof(void *ctx, uint32_t id)
{
    struct io_chan *ch = io_conn_chan_put(ctx, id);

    if (ch != NULL) {
        io_chan_on_eof(ch);
    }
}

static void
io_conn_ev_closed(void *ctx, uint32_t id)
{
    struct io_conn *ic = ctx;
    struct io_chan *ch = io_conn_chan_put(ic, id);

    if (ch != NULL) {
        io_chan_on_closed(ch);
    } else if (ic->cbs.chan_closed != NULL) {
        ic->cbs.chan_closed(ic->cbs.ctx, ic, id);
    }
}

static void
io_conn_ev_writable(void *ctx, uint32_t id)
{
    struct io_chan *ch = io_conn_chan_put(ctx, id);

    if (ch != NULL) {
        io_chan_update_reading(ch);
    }
}

/* conn checks that a reply answers a request, so the queue is not empty
 * unless the request was sent around io_conn_global_request. */
static void
io_conn_ev_global_reply(void *ctx, bool ok, const uint8_t *p, size_t n)
{
    struct io_conn *ic = ctx;
    struct io_greq *g = ic->greq_head;

    io_chan_batch_put(ic);
    if (g == NULL) {
        log_debug("global request reply nobody waits for");
        return;
    }
    if ((ic->greq_head = g->next) == NULL) {
        ic->greq_tail = NULL;
    }
    if (!ic->ending) {
        g->cb(g->ctx, ic, ok, p, n);
    }
    free(g);
}

int
io_conn_global_request(struct io_conn *ic, const char *name,
                       const uint8_t *data, size_t n, io_conn_reply_cb cb,
                       void *ctx)
{
    struct conn *c = session_conn(ic->s);
    struct io_greq *g = NULL;
    int r;

    if (c == NULL || ic->ending) {
        return ERR_CHANNEL;
    }
    if (cb != NULL && (g = calloc(1, sizeof(*g))) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = conn_global_request(c, name, cb != NULL, data, n)) != 0) {
        free(g);
        return r;
    }
    if (g != NULL) {
        g->cb = cb;
        g->ctx = ctx;
        if (ic->greq_tail != NULL) {
            ic->greq_tail->next = g;
        } else {
            ic->greq_head = g;
        }
        ic->greq_tail = g;
    }
    io_conn_flush(ic);
    return 0;
}

void
io_conn_free_greqs(struct io_conn *ic)
{
    struct io_greq *g;

    while ((g = ic->greq_head) != NULL) {
        ic->greq_head = g->next;
        free(g);
    }
    ic->greq_tail = NULL;
}

static bool
io_conn_ev_global_request(void *ctx, const char *name, bool want_reply,
                          const uint8_t *p, size_t n, struct buf *reply)
{
    struct io_conn *ic = ctx;

    io_chan_batch_put(ic);
    if (ic->cbs.global_request == NULL) {
        return false;
    }
    return ic->cbs.global_request(ic->cbs.ctx, ic, name, want_reply, p, n,
                                  reply);
}

static bool
io_conn_ev_chan_request(void *ctx, uint32_t id, const char *type,
                        bool want_reply, const uint8_t *p, size_t n)
{
    struct io_conn *ic = ctx;
    struct io_chan *ch = io_conn_chan_put(ic, id);

    if (ch != NULL) {
        return io_chan_on_request(ch, type, want_reply, p, n);
    }
    if (ic->cbs.chan_request == NULL) {
        return false;
    }
    return ic->cbs.chan_request(ic->cbs.ctx, ic, id, type, want_reply, p, n);
}

int
io_conn_session_new(struct io_conn *ic, const struct session_config *cfg)
{
    struct session_cbs scbs;
    struct conn_cbs ccbs;
    int r;

    memset(&scbs, 0, sizeof(scbs));
    memset(&ccbs, 0, sizeof(ccbs));
    scbs.ctx = ic;
    scbs.authenticated = io_conn_ev_auth;
    ccbs.ctx = ic;
    ccbs.open_request = io_conn_ev_open_request;
    ccbs.open_result = io_conn_ev_open_result;
    ccbs.data = io_conn_ev_data;
    ccbs.ext_data = io_conn_ev_ext_data;
    ccbs.chan_reply = io_conn_ev_chan_reply;
    ccbs.eof = io_conn_ev_eof;
    ccbs.closed = io_conn_ev_closed;
    ccbs.writable = io_conn_ev_writable;
    ccbs.global_reply = io_conn_ev_global_reply;
    ccbs.global_request = io_conn_ev_global_request;
    ccbs.chan_request = io_conn_ev_chan_request;
    if ((r = session_new(&ic->s, cfg, &scbs, &ccbs)) != 0 ||
        (r = session_start(ic->s, io_now_ms(ic->loop))) != 0) {
        return r;
    }
    return 0;
}
