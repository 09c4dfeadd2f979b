/* SPDX-License-Identifier: ISC */
/* ProxyCommand: run a command whose stdin/stdout carry the connection. */
#include "io/io_proxy.h"

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

int
io_proxy_start(struct io_proxy **out, uv_loop_t *loop, const char *cmd,
               uv_stream_t **stream)
{
    struct io_proxy *p = NULL;
    uv_pipe_t *pipe = NULL;
    uv_os_sock_t fds[2] = {-1, -1};
    int r;

    *out = NULL;
    *stream = NULL;
    if ((p = calloc(1, sizeof(*p))) == NULL ||
        (pipe = malloc(sizeof(*pipe))) == NULL) {
        free(p);
        return ERR_NOMEM;
    }
    if ((r = uv_socketpair(SOCK_STREAM, 0, fds, 0, 0)) != 0 ||
        (r = io_proxy_spawn(p, loop, cmd, fds[1])) != 0) {
        log_error("proxy command: %s", uv_strerror(r));
        if (fds[0] >= 0) {
            close(fds[0]);
            close(fds[1]);
        }
        free(pipe);
        if (r == 0 || p->proc.data == NULL) {
            free(p);
        } else {
            p->stopped = true;
            uv_close((uv_handle_t *)&p->proc, io_proxy_closed);
        }
        return ERR_IO;
    }
    close(fds[1]); /* the command's end */
    uv_pipe_init(loop, pipe, 0);
    if (uv_pipe_open(pipe, fds[0]) != 0) {
        close(fds[0]);
        io_close_free((uv_handle_t *)pipe);
        io_proxy_stop(p);
        return ERR_IO;
    }
    *out = p;
    *stream = (uv_stream_t *)pipe;
    return 0;
}

void
io_proxy_stop(struct io_proxy *p)
{
    if (p == NULL || p->stopped) {
        return;
    }
    p->stopped = true;
    if (!p->exited) {
        (void)uv_process_kill(&p->proc, SIGHUP);
    }
    uv_close((uv_handle_t *)&p->proc, io_proxy_closed);
}
