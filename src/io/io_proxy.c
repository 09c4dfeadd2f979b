/* SPDX-License-Identifier: ISC */
/* ProxyCommand: run a command whose stdin/stdout carry the connection. */
#include "io/io_proxy.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

struct io_proxy {
    uv_process_t proc;
    /* ProxyUseFdpass: our end, where the socket comes back; NULL once it
     * has (or the command closed its end). */
    uv_pipe_t *ipc;
    io_proxy_fd_cb fd_cb;
    void *ctx;
    char byte[16]; /* the byte sent with the descriptor */
    bool exited;
    bool stopped;
};

static void
io_proxy_closed(uv_handle_t *h)
{
    free(h->data);
}

static void
io_proxy_exit(uv_process_t *proc, int64_t status, int sig)
{
    struct io_proxy *p = proc->data;

    log_debug("proxy command exited with status %lld, signal %d",
              (long long)status, sig);
    /* The connection sees EOF on its end and ends; io_proxy_stop follows
     * and closes the handle. */
    p->exited = true;
}

static int
io_proxy_spawn(struct io_proxy *p, uv_loop_t *loop, const char *cmd, int fd)
{
    uv_process_options_t o;
    uv_stdio_container_t stdio[3];
    char *exec_cmd = NULL;
    char *args[4];
    size_t n = strlen(cmd) + sizeof("exec ");
    int r;

    if ((exec_cmd = malloc(n)) == NULL) {
        return UV_ENOMEM;
    }
    /* exec: the shell is replaced, so SIGHUP reaches the command itself. */
    snprintf(exec_cmd, n, "exec %s", cmd);
    log_debug("Executing proxy command: %s", exec_cmd);
    args[0] = "/bin/sh";
    args[1] = "-c";
    args[2] = exec_cmd;
    args[3] = NULL;
    memset(&o, 0, sizeof(o));
    stdio[0].flags = UV_INHERIT_FD;
    stdio[0].data.fd = fd;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = fd;
    stdio[2].flags = UV_INHERIT_FD;
    stdio[2].data.fd = STDERR_FILENO;
    o.file = args[0];
    o.args = args;
    o.stdio = stdio;
    o.stdio_count = 3;
    o.exit_cb = io_proxy_exit;
    p->proc.data = p;
    r = io_spawn(loop, &p->proc, &o);
    free(exec_cmd);
    return r;
}

/*
 * Spawn cmd with one end of a socketpair as its stdin and stdout; *ours
 * receives the other end. On error everything is let go of (logged).
 */
static int
io_proxy_launch(struct io_proxy **out, uv_loop_t *loop, const char *cmd,
                uv_os_sock_t *ours)
{
    struct io_proxy *p = NULL;
    uv_os_sock_t fds[2] = {-1, -1};
    int r;

    *out = NULL;
    *ours = -1;
    if ((p = calloc(1, sizeof(*p))) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = uv_socketpair(SOCK_STREAM, 0, fds, 0, 0)) != 0 ||
        (r = io_proxy_spawn(p, loop, cmd, fds[1])) != 0) {
        log_error("proxy command: %s", uv_strerror(r));
        if (fds[0] >= 0) {
            close(fds[0]);
            close(fds[1]);
        }
        if (r == 0 || p->proc.data == NULL) {
            free(p);
        } else {
            p->stopped = true;
            uv_close((uv_handle_t *)&p->proc, io_proxy_closed);
        }
        return ERR_IO;
    }
    close(fds[1]); /* the command's end */
    *out = p;
    *ours = fds[0];
    return 0;
}

/* Our end as a uv_pipe_t (ipc: descriptors may come with the bytes). */
static uv_pipe_t *
io_proxy_pipe(uv_loop_t *loop, uv_os_sock_t fd, bool ipc)
{
    uv_pipe_t *pipe = malloc(sizeof(*pipe));

    if (pipe == NULL) {
        close(fd);
        return NULL;
    }
    uv_pipe_init(loop, pipe, ipc ? 1 : 0);
    if (uv_pipe_open(pipe, fd) != 0) {
        close(fd);
        io_close_free((uv_handle_t *)pipe);
        return NULL;
    }
    return pipe;
}

int
io_proxy_start(struct io_proxy **out, uv_loop_t *loop, const char *cmd,
               uv_stream_t **stream)
{
    struct io_proxy *p = NULL;
    uv_pipe_t *pipe = NULL;
    uv_os_sock_t fd;
    int r;

    *out = NULL;
    *stream = NULL;
    if ((r = io_proxy_launch(&p, loop, cmd, &fd)) != 0) {
        return r;
    }
    if ((pipe = io_proxy_pipe(loop, fd, false)) == NULL) {
        io_proxy_stop(p);
        return ERR_IO;
    }
    *out = p;
    *stream = (uv_stream_t *)pipe;
    return 0;
}

/* ---- ProxyUseFdpass ---- */

static void
io_proxy_ipc_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    struct io_proxy *p = h->data;

    (void)size;
    *buf = uv_buf_init(p->byte, sizeof(p->byte));
}

/* The passed descriptor as a stream of its kind. The socket may have
 * been made blocking by the command; libuv needs it non-blocking. */
static int
io_proxy_accept(struct io_proxy *p, uv_stream_t **out)
{
    uv_loop_t *loop = p->ipc->loop;
    uv_handle_type t = uv_pipe_pending_type(p->ipc);
    uv_stream_t *s = NULL;
    uv_os_fd_t fd;
    int fl;

    *out = NULL;
    if (t == UV_TCP && (s = malloc(sizeof(uv_tcp_t))) != NULL) {
        uv_tcp_init(loop, (uv_tcp_t *)s);
    } else if (t == UV_NAMED_PIPE && (s = malloc(sizeof(uv_pipe_t))) != NULL) {
        uv_pipe_init(loop, (uv_pipe_t *)s, 0);
    } else {
        return t == UV_TCP || t == UV_NAMED_PIPE ? ERR_NOMEM : ERR_IO;
    }
    if (uv_accept((uv_stream_t *)p->ipc, s) != 0 ||
        uv_fileno((uv_handle_t *)s, &fd) != 0 ||
        (fl = fcntl(fd, F_GETFL)) == -1 ||
        fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1) {
        io_close_free((uv_handle_t *)s);
        return ERR_IO;
    }
    *out = s;
    return 0;
}

static void
io_proxy_ipc_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
    struct io_proxy *p = st->data;
    uv_stream_t *conn = NULL;
    int r = ERR_IO;

    (void)buf;
    if (n == 0) {
        return;
    }
    /* One byte with the descriptor (ssh's mm_send_fd); bytes without
     * one, or the end without one, are a dialer that failed. */
    if (n > 0 && uv_pipe_pending_count(p->ipc) > 0) {
        r = io_proxy_accept(p, &conn);
    }
    io_close_free((uv_handle_t *)p->ipc); /* closes any other descriptor */
    p->ipc = NULL;
    if (r != 0) {
        log_error("proxy dialer did not pass back a connection");
    }
    p->fd_cb(p->ctx, r, conn);
}

int
io_proxy_start_fdpass(struct io_proxy **out, uv_loop_t *loop, const char *cmd,
                      io_proxy_fd_cb cb, void *ctx)
{
    struct io_proxy *p = NULL;
    uv_os_sock_t fd;
    int r;

    *out = NULL;
    if ((r = io_proxy_launch(&p, loop, cmd, &fd)) != 0) {
        return r;
    }
    p->fd_cb = cb;
    p->ctx = ctx;
    if ((p->ipc = io_proxy_pipe(loop, fd, true)) == NULL) {
        io_proxy_stop(p);
        return ERR_IO;
    }
    p->ipc->data = p;
    if (uv_read_start((uv_stream_t *)p->ipc, io_proxy_ipc_alloc,
                      io_proxy_ipc_read) != 0) {
        io_proxy_stop(p);
        return ERR_IO;
    }
    *out = p;
    return 0;
}

void
io_proxy_stop(struct io_proxy *p)
{
    if (p == NULL || p->stopped) {
        return;
    }
    p->stopped = true;
    if (p->ipc != NULL) {
        io_close_free((uv_handle_t *)p->ipc);
        p->ipc = NULL;
    }
    if (!p->exited) {
        (void)uv_process_kill(&p->proc, SIGHUP);
    }
    uv_close((uv_handle_t *)&p->proc, io_proxy_closed);
}
