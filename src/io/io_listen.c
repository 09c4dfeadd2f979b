/* SPDX-License-Identifier: ISC */
/* A listening socket accepted from by hand (see io_listen.h). */
#define _GNU_SOURCE /* accept4 */
#include "io/io_listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/io_util.h"
#include "util/log.h"

/* Connections taken per readiness event: others' events wait no longer. */
#define IO_LISTEN_BATCH 32
/* "accept: Too many open files" at most this often, whatever the load. */
#define IO_LISTEN_LOG_MS 10000u

static uint64_t last_logged; /* loop time of the last such line, +1 */

struct io_listener *
io_listener_new(uv_loop_t *loop, bool is_pipe)
{
    struct io_listener *l = calloc(1, sizeof(*l));

    if (l == NULL) {
        return NULL;
    }
    if (is_pipe) {
        uv_pipe_init(loop, &l->h.pipe, 0);
    } else {
        uv_tcp_init(loop, &l->h.tcp);
    }
    l->n_handles = 1;
    return l;
}

/* One of l's handles closed; the owner hears once all have. */
static void
io_listen_one_closed(struct io_listener *l)
{
    if (--l->n_handles == 0) {
        l->closed(&l->h.handle);
    }
}

static void
io_listen_closed(uv_handle_t *h)
{
    io_listen_one_closed(h->data); /* poll and pause: data is l */
}

static void
io_listen_last(uv_handle_t *h)
{
    io_listen_one_closed((struct io_listener *)h); /* data is the owner's */
}

static void
io_listen_free(uv_handle_t *h)
{
    free(h);
}

void
io_listener_close(struct io_listener *l, uv_close_cb closed)
{
    if (l == NULL || uv_is_closing(&l->h.handle)) {
        return;
    }
    l->closed = closed != NULL ? closed : io_listen_free;
    if (l->n_handles > 1) {
        uv_close((uv_handle_t *)&l->poll, io_listen_closed);
        uv_close((uv_handle_t *)&l->pause, io_listen_closed);
    }
    uv_close(&l->h.handle, io_listen_last);
}

static void io_listen_ready(uv_poll_t *p, int status, int events);

static void
io_listen_resume(uv_timer_t *t)
{
    struct io_listener *l = t->data;

    l->paused = false;
    uv_poll_start(&l->poll, UV_READABLE, io_listen_ready);
}

/* Out of descriptors (or kernel memory): stop polling for a while. */
static void
io_listen_pause(struct io_listener *l, int err)
{
    uint64_t now = uv_now(l->h.handle.loop);

    if (last_logged == 0 || now + 1 - last_logged >= IO_LISTEN_LOG_MS) {
        last_logged = now + 1;
        log_error("accept: %s (accepting again in %u ms)", strerror(err),
                  IO_LISTEN_PAUSE_MS);
    }
    uv_poll_stop(&l->poll);
    l->paused = true;
    uv_timer_start(&l->pause, io_listen_resume, IO_LISTEN_PAUSE_MS, 0);
}

/* The accepted fd as a handle for the callback; false if it is closed. */
static bool
io_listen_wrap(struct io_listener *l, int fd, uv_stream_t **out)
{
    uv_loop_t *loop = l->h.handle.loop;
    bool is_pipe = l->h.handle.type == UV_NAMED_PIPE;
    uv_stream_t *s = malloc(is_pipe ? sizeof(uv_pipe_t) : sizeof(uv_tcp_t));
    int r;

    if (s == NULL) {
        close(fd);
        return false;
    }
    if (is_pipe) {
        uv_pipe_init(loop, (uv_pipe_t *)s, 0);
        r = uv_pipe_open((uv_pipe_t *)s, fd);
    } else {
        uv_tcp_init(loop, (uv_tcp_t *)s);
        r = uv_tcp_open((uv_tcp_t *)s, fd);
    }
    if (r != 0) {
        close(fd);
        io_close_free((uv_handle_t *)s);
        return false;
    }
    *out = s;
    return true;
}

static void
io_listen_ready(uv_poll_t *p, int status, int events)
{
    struct io_listener *l = p->data;
    uv_os_fd_t lfd;
    int i, fd;

    (void)events;
    if (status != 0 || uv_fileno(&l->h.handle, &lfd) != 0) {
        return;
    }
    for (i = 0; i < IO_LISTEN_BATCH && !uv_is_closing(&l->h.handle); i++) {
        uv_stream_t *s;
        fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                io_listen_pause(l, errno);
            } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
                log_debug("accept: %s", strerror(errno));
            }
            return;
        }
        if (l->fd_cb != NULL) {
            l->fd_cb(l, fd);
        } else if (io_listen_wrap(l, fd, &s)) {
            l->cb(l, s);
        }
    }
}

/*
 * uv_tcp_bind keeps EADDRINUSE for uv_listen to report (not called here),
 * and listen(2) on the socket left unbound would pick a random port: a
 * TCP socket with no port of its own was not bound.
 */
static int
io_listen_bound(struct io_listener *l)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    if (l->h.handle.type != UV_TCP) {
        return 0;
    }
    if (uv_tcp_getsockname(&l->h.tcp, (struct sockaddr *)&ss, &len) != 0) {
        return UV_EADDRINUSE;
    }
    if (ss.ss_family == AF_INET) {
        return ((struct sockaddr_in *)&ss)->sin_port != 0 ? 0 : UV_EADDRINUSE;
    }
    return ((struct sockaddr_in6 *)&ss)->sin6_port != 0 ? 0 : UV_EADDRINUSE;
}

static int
io_listen_begin(struct io_listener *l, int backlog)
{
    uv_os_fd_t fd;
    int r;

    if ((r = uv_fileno(&l->h.handle, &fd)) != 0 ||
        (r = io_listen_bound(l)) != 0) {
        return r;
    }
    if (listen(fd, backlog) != 0) {
        return uv_translate_sys_error(errno);
    }
    if ((r = uv_poll_init(l->h.handle.loop, &l->poll, fd)) != 0) {
        return r;
    }
    uv_timer_init(l->h.handle.loop, &l->pause);
    l->poll.data = l;
    l->pause.data = l;
    l->n_handles = 3;
    return uv_poll_start(&l->poll, UV_READABLE, io_listen_ready);
}

int
io_listen_start(struct io_listener *l, int backlog, io_listen_cb cb)
{
    l->cb = cb;
    return io_listen_begin(l, backlog);
}

int
io_listen_start_fd(struct io_listener *l, int backlog, io_listen_fd_cb cb)
{
    l->fd_cb = cb;
    return io_listen_begin(l, backlog);
}
