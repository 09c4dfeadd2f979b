/* SPDX-License-Identifier: ISC */
/* adit: one request to ssh-agent over its Unix socket, and its socket. */
#include "fwd/client_agent.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "auth/agent.h"
#include "io/io_util.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

#define AGENT_READ_CHUNK 4096u

struct agent_call {
    uv_pipe_t pipe;
    uv_timer_t timer;
    uv_connect_t creq;
    uv_write_t wreq;
    struct buf out; /* the request */
    struct buf in;  /* the reply so far */
    uint8_t chunk[AGENT_READ_CHUNK];
    agent_call_cb cb;
    void *ctx;
    int open; /* handles not yet closed */
    bool done;
};

static void
agent_call_closed(uv_handle_t *h)
{
    struct agent_call *c = h->data;

    if (--c->open == 0) {
        buf_cleanup(&c->out);
        buf_cleanup(&c->in);
        free(c);
    }
}

/* Close both handles; pending connect and write requests are cancelled
 * by libuv before the close callbacks run, so c lives until then. */
static void
agent_call_close(struct agent_call *c)
{
    c->done = true;
    uv_close((uv_handle_t *)&c->pipe, agent_call_closed);
    uv_close((uv_handle_t *)&c->timer, agent_call_closed);
}

static void
agent_call_finish(struct agent_call *c, int status, const uint8_t *msg,
                  size_t n)
{
    if (c->done) {
        return;
    }
    c->done = true;
    c->cb(c->ctx, status, msg, n);
    agent_call_close(c);
}

static void
agent_call_timeout(uv_timer_t *t)
{
    struct agent_call *c = t->data;

    log_debug("agent did not answer in %u ms", LIM_AGENT_REPLY_MS);
    agent_call_finish(c, ERR_TIMEOUT, NULL, 0);
}

static void
agent_call_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct agent_call *c = h->data;

    (void)suggested;
    *b = uv_buf_init((char *)c->chunk, sizeof(c->chunk));
}

static void
agent_call_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct agent_call *c = st->data;
    const uint8_t *msg = NULL;
    size_t n = 0, used = 0;
    int r;

    if (c->done || nread == 0) {
        return;
    }
    if (nread < 0) {
        log_debug("agent closed the connection: %s", uv_strerror((int)nread));
        agent_call_finish(c, ERR_IO, NULL, 0);
        return;
    }
    /* Bounded: a reply is at most LIM_AGENT_MSG plus its length field. */
    if (buf_len(&c->in) + (size_t)nread > LIM_AGENT_MSG + 4u) {
        agent_call_finish(c, ERR_LIMIT, NULL, 0);
        return;
    }
    if ((r = buf_put(&c->in, b->base, (size_t)nread)) != 0) {
        agent_call_finish(c, r, NULL, 0);
        return;
    }
    r = agent_reply_take(buf_ptr(&c->in), buf_len(&c->in), &msg, &n, &used);
    if (r != ERR_AGAIN) {
        agent_call_finish(c, r, msg, n);
    }
}

static void
agent_call_written(uv_write_t *req, int status)
{
    struct agent_call *c = req->data;

    if (status != 0 && !c->done) {
        log_debug("agent write: %s", uv_strerror(status));
        agent_call_finish(c, ERR_IO, NULL, 0);
    }
}

static void
agent_call_connected(uv_connect_t *req, int status)
{
    struct agent_call *c = req->data;
    uv_buf_t ub;
    int r;

    if (c->done) {
        return;
    }
    if (status != 0) {
        /* ssh's words for an agent that is not there. */
        log_debug("get_agent_identities: ssh_get_authentication_socket: %s",
                  io_strerror(status));
        agent_call_finish(c, status == UV_ENOENT ? ERR_NOTFOUND : ERR_IO, NULL,
                          0);
        return;
    }
    ub = uv_buf_init((char *)buf_ptr(&c->out), (unsigned)buf_len(&c->out));
    c->wreq.data = c;
    if ((r = uv_write(&c->wreq, (uv_stream_t *)&c->pipe, &ub, 1,
                      agent_call_written)) != 0 ||
        (r = uv_read_start((uv_stream_t *)&c->pipe, agent_call_alloc,
                           agent_call_read)) != 0) {
        log_debug("agent: %s", uv_strerror(r));
        agent_call_finish(c, ERR_IO, NULL, 0);
    }
}

int
agent_call_start(struct agent_call **out, uv_loop_t *loop, const char *path,
                 const struct buf *req, agent_call_cb cb, void *ctx)
{
    struct sockaddr_un sun;
    struct agent_call *c;
    int r;

    *out = NULL;
    /* libuv would cut a longer path short and connect elsewhere. */
    if (strlen(path) >= sizeof(sun.sun_path)) {
        log_debug("agent socket path too long: %s", path);
        return ERR_INVAL;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return ERR_NOMEM;
    }
    buf_init(&c->out);
    buf_init(&c->in);
    if ((r = buf_put(&c->out, buf_ptr(req), buf_len(req))) != 0) {
        buf_cleanup(&c->out);
        free(c);
        return r;
    }
    c->cb = cb;
    c->ctx = ctx;
    uv_pipe_init(loop, &c->pipe, 0);
    uv_timer_init(loop, &c->timer);
    c->pipe.data = c;
    c->timer.data = c;
    c->creq.data = c;
    c->open = 2;
    uv_timer_start(&c->timer, agent_call_timeout, LIM_AGENT_REPLY_MS, 0);
    uv_pipe_connect(&c->creq, &c->pipe, path, agent_call_connected);
    *out = c;
    return 0;
}

void
agent_call_cancel(struct agent_call *c)
{
    if (c != NULL && !c->done) {
        agent_call_close(c);
    }
}

/* "$NAME": a valid environment variable name after the '$'. */
static bool
agent_env_name(const char *s)
{
    size_t i;

    if (s[0] == '\0' || isdigit((unsigned char)s[0])) {
        return false;
    }
    for (i = 0; s[i] != '\0'; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') {
            return false;
        }
    }
    return true;
}

int
client_agent_path(const struct client_config *cfg, char *out, size_t out_len)
{
    const char *v = cfg->identity_agent, *path = NULL;

    out[0] = '\0';
    if (v == NULL || strcmp(v, "SSH_AUTH_SOCK") == 0) {
        path = getenv("SSH_AUTH_SOCK");
    } else if (strcmp(v, "none") == 0) {
        path = NULL;
    } else if (v[0] == '$' && v[1] != '{' && agent_env_name(v + 1)) {
        path = getenv(v + 1);
    } else {
        path = v;
    }
    if (path == NULL || path[0] == '\0') {
        return ERR_NOTFOUND;
    }
    if ((size_t)snprintf(out, out_len, "%s", path) >= out_len) {
        out[0] = '\0';
        return ERR_NOTFOUND;
    }
    return 0;
}
