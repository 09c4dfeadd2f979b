/* SPDX-License-Identifier: ISC */
/* The metrics endpoint: minimal HTTP on top of io_svc. */
#include "io/io_metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfgline.h"
#include "ctl/http_req.h"
#include "ctl/metrics.h"
#include "io/io_svc.h"
#include "io/io_util.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

struct io_metrics_ctx {
    io_metrics_cb cb;
    void *ctx;
};

static bool
io_metrics_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

int
io_metrics_addr(const char *spec, struct sockaddr_storage *ss, char *why,
                size_t why_len)
{
    char host[64];
    const char *colon = strrchr(spec, ':');
    size_t hl;
    int port;

    memset(ss, 0, sizeof(*ss));
    if (colon == NULL || (hl = (size_t)(colon - spec)) == 0 ||
        hl >= sizeof(host) || cfgline_int(colon + 1, 0, 65535, &port) != 0) {
        snprintf(why, why_len, "%s: expected address:port", spec);
        return ERR_CONFIG;
    }
    memcpy(host, spec, hl);
    host[hl] = '\0';
    if (hl > 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    if (strcmp(host, "localhost") == 0) {
        snprintf(host, sizeof(host), "127.0.0.1");
    }
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)ss) != 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)ss) != 0) {
        snprintf(why, why_len, "%s: not an IP address", host);
        return ERR_CONFIG;
    }
    if (!io_metrics_loopback(ss)) {
        snprintf(why, why_len, "%s: metrics are served on loopback only", host);
        return ERR_CONFIG;
    }
    return 0;
}

static void
io_metrics_respond(struct io_svc_client *cl, const struct io_metrics_ctx *m,
                   const struct http_req *req)
{
    bool head = strcmp(req->method, "HEAD") == 0;
    const char *text = "text/plain; charset=utf-8";
    struct buf body, out;

    buf_init(&body);
    buf_init(&out);
    buf_set_nowipe(&body);
    buf_set_nowipe(&out);
    if (!head && strcmp(req->method, "GET") != 0) {
        (void)http_response(&out, 405, "Method Not Allowed", text,
                            "GET or HEAD only\n", 17, head);
    } else if (strcmp(req->target, "/metrics") != 0) {
        (void)http_response(&out, 404, "Not Found", text,
                            "metrics are at /metrics\n", 24, head);
    } else if (m->cb(m->ctx, &body) != 0) {
        (void)http_response(&out, 500, "Internal Server Error", text,
                            "no metrics\n", 11, head);
    } else {
        (void)http_response(&out, 200, "OK", METRICS_CONTENT_TYPE,
                            buf_ptr(&body), buf_len(&body), head);
    }
    (void)io_svc_reply(cl, &out);
    buf_cleanup(&body);
    buf_cleanup(&out);
}

static long
io_metrics_input(void *ctx, struct io_svc_client *cl, const uint8_t *p,
                 size_t n, bool eof)
{
    struct http_req req;
    struct buf out;
    int r;

    r = http_req_decode(p, n, &req);
    if (r == ERR_AGAIN && !eof) {
        return 0;
    }
    if (r == 0) {
        io_metrics_respond(cl, ctx, &req);
    } else {
        buf_init(&out);
        (void)http_response(&out, 400, "Bad Request",
                            "text/plain; charset=utf-8", "bad request\n", 12,
                            false);
        (void)io_svc_reply(cl, &out);
        buf_cleanup(&out);
    }
    return IO_SVC_CLOSE;
}

int
io_metrics_listen(struct io_svc **out, uv_loop_t *loop, const char *spec,
                  io_metrics_cb cb, void *ctx, uint16_t *port_out, char *why,
                  size_t why_len)
{
    struct sockaddr_storage ss;
    struct io_svc_config cfg;
    struct io_metrics_ctx *m;
    int r;

    *out = NULL;
    if ((r = io_metrics_addr(spec, &ss, why, why_len)) != 0) {
        return r;
    }
    if ((m = calloc(1, sizeof(*m))) == NULL) {
        return ERR_NOMEM;
    }
    m->cb = cb;
    m->ctx = ctx;
    memset(&cfg, 0, sizeof(cfg));
    cfg.max_in = LIM_HTTP_REQUEST;
    cfg.max_clients = LIM_HTTP_CLIENTS;
    cfg.timeout_ms = LIM_HTTP_MS;
    cfg.deadline = true;
    cfg.what = "metrics";
    cfg.input = io_metrics_input;
    cfg.ctx = m;
    cfg.ctx_free = free;
    r = io_svc_listen_tcp(out, loop, (struct sockaddr *)&ss, &cfg, port_out);
    if (r != 0) {
        snprintf(why, why_len, "bind %s: %s", spec, err_str(r));
    }
    return r;
}
