/* SPDX-License-Identifier: ISC */
/* The control socket server: framing on top of io_svc. */
#include "io/io_ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io_svc.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

struct io_ctl_ctx {
    io_ctl_handler handler;
    void *ctx;
};

void
io_ctl_answer(struct io_svc_client *cl, bool ok, const void *p, size_t n)
{
    struct buf out;

    buf_init(&out);
    buf_set_nowipe(&out);
    if (ctl_response_encode(&out, ok, p, n) != 0) {
        buf_reset(&out);
        (void)ctl_response_encode(&out, false, "answer too large", 16);
    }
    (void)io_svc_reply(cl, &out);
    buf_cleanup(&out);
}

/* A request we could not read: say why, then end the connection. */
static long
io_ctl_bad(struct io_svc_client *cl, int r)
{
    char why[96];

    if (r == ERR_VERSION) {
        snprintf(why, sizeof(why), "unsupported protocol: this is %s",
                 CTL_MAGIC);
    } else {
        snprintf(why, sizeof(why), "bad request: %s", err_str(r));
    }
    io_ctl_answer(cl, false, why, strlen(why));
    return IO_SVC_CLOSE;
}

/* Descriptors that came with the request, and the close of those the
 * handler left. */
static void
io_ctl_call_init(struct io_ctl_call *call, struct io_svc_client *cl)
{
    memset(call, 0, sizeof(*call));
    call->cl = cl;
    call->n_fds = io_svc_take_fds(cl, call->fds, LIM_CTL_FDS);
}

static void
io_ctl_call_cleanup(struct io_ctl_call *call)
{
    size_t i;

    for (i = 0; i < call->n_fds; i++) {
        if (call->fds[i] >= 0) {
            close(call->fds[i]);
        }
    }
    call->n_fds = 0;
}

static long
io_ctl_input(void *ctx, struct io_svc_client *cl, const uint8_t *p, size_t n,
             bool eof)
{
    struct io_ctl_ctx *c = ctx;
    struct ctl_request req;
    struct io_ctl_call call;
    struct buf body;
    char why[256] = "";
    size_t used;
    int r;

    /* A client whose request is under way has nothing more to say. */
    if (io_svc_is_held(cl)) {
        return n > 0 || eof ? IO_SVC_CLOSE : 0;
    }
    r = ctl_request_decode(p, n, &used, &req);
    if (r == ERR_AGAIN) {
        return eof && n > 0 ? io_ctl_bad(cl, ERR_TRUNC) : 0;
    }
    if (r != 0) {
        return io_ctl_bad(cl, r);
    }
    io_ctl_call_init(&call, cl);
    buf_init(&body);
    buf_set_nowipe(&body);
    if ((r = c->handler(c->ctx, &req, &call, &body, why, sizeof(why))) != 0) {
        if (why[0] == '\0') {
            snprintf(why, sizeof(why), "%s: %s", req.argv[0],
                     r == ERR_NOTFOUND ? "unknown command" : err_str(r));
        }
        io_ctl_answer(cl, false, why, strlen(why));
    } else if (!call.later) {
        io_ctl_answer(cl, true, buf_ptr(&body), buf_len(&body));
    }
    buf_cleanup(&body);
    io_ctl_call_cleanup(&call);
    return (long)used;
}

struct io_svc_client *
io_ctl_later(struct io_ctl_call *call, void (*gone)(void *ctx), void *ctx)
{
    call->later = true;
    io_svc_hold(call->cl, gone, ctx);
    return call->cl;
}

void
io_ctl_finish(struct io_svc_client *cl)
{
    io_svc_release(cl);
}

void
io_ctl_next(struct io_svc_client *cl)
{
    io_svc_unhold(cl);
}

static void
io_ctl_ctx_free(void *ctx)
{
    free(ctx);
}

static int
io_ctl_listen_cfg(struct io_svc **out, uv_loop_t *loop, const char *path,
                  io_ctl_handler handler, void *ctx, bool fds)
{
    struct io_svc_config cfg;
    struct io_ctl_ctx *c;

    *out = NULL;
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return ERR_NOMEM;
    }
    c->handler = handler;
    c->ctx = ctx;
    memset(&cfg, 0, sizeof(cfg));
    cfg.max_in = LIM_CTL_REQUEST;
    cfg.max_clients = fds ? LIM_MUX_CLIENTS : LIM_CTL_CLIENTS;
    cfg.max_fds = fds ? LIM_CTL_FDS : 0;
    cfg.timeout_ms = LIM_CTL_IDLE_MS;
    cfg.same_uid = true;
    cfg.what = "control socket";
    cfg.input = io_ctl_input;
    cfg.ctx = c;
    cfg.ctx_free = io_ctl_ctx_free;
    return io_svc_listen_unix(out, loop, path, &cfg);
}

int
io_ctl_listen(struct io_svc **out, uv_loop_t *loop, const char *path,
              io_ctl_handler handler, void *ctx)
{
    return io_ctl_listen_cfg(out, loop, path, handler, ctx, false);
}

int
io_ctl_listen_fds(struct io_svc **out, uv_loop_t *loop, const char *path,
                  io_ctl_handler handler, void *ctx)
{
    return io_ctl_listen_cfg(out, loop, path, handler, ctx, true);
}
