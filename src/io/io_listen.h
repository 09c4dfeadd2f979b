/* SPDX-License-Identifier: ISC */
/*
 * A listening socket that keeps the loop alive when descriptors run out.
 *
 * uv_listen's own accept loop, on EMFILE or ENFILE, closes a reserve
 * descriptor to accept and drop the waiting connection; when the reserve
 * cannot be reopened (inside aditd's sandbox it cannot) it calls back with
 * the error and tries again at once, forever, without returning to the
 * loop: full CPU, no timers, no SIGTERM. Here the socket is polled and
 * accepted from by hand, and running out of descriptors pauses accepting
 * for IO_LISTEN_PAUSE_MS (what nginx, Go's net/http and sshd do in their
 * ways): waiting connections stay in the backlog and are served once
 * descriptors are free again, and the loop goes on meanwhile.
 */
#ifndef ADIT_IO_IO_LISTEN_H
#define ADIT_IO_IO_LISTEN_H

#include <stdbool.h>
#include <uv.h>

#define IO_LISTEN_PAUSE_MS 100u

struct io_listener;

/* A new connection: a uv_tcp_t (or uv_pipe_t for a pipe listener) from
 * malloc, open, now the callback's to close (io_close_free). */
typedef void (*io_listen_cb)(struct io_listener *l, uv_stream_t *client);
/* The same for an owner that opens the descriptor in a handle of its own
 * (non-blocking, close-on-exec; the callback's to close). */
typedef void (*io_listen_fd_cb)(struct io_listener *l, int fd);

struct io_listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_tcp_t tcp;
        uv_pipe_t pipe;
    } h; /* first: the listener is freed through &h in a close callback */
    uv_poll_t poll;
    uv_timer_t pause;
    io_listen_cb cb;
    io_listen_fd_cb fd_cb; /* instead of cb, if set */
    void *data;            /* the owner's */
    uv_close_cb closed;
    unsigned n_handles; /* initialised: h, then poll and pause */
    bool paused;
};

/* A listener not bound yet: bind h.tcp (or h.pipe) and io_listen_start. */
struct io_listener *io_listener_new(uv_loop_t *loop, bool is_pipe);

/* listen(2) on the bound handle and accept from the loop. A libuv status. */
int io_listen_start(struct io_listener *l, int backlog, io_listen_cb cb);
/* The same, each new connection's descriptor given to cb. */
int io_listen_start_fd(struct io_listener *l, int backlog, io_listen_fd_cb cb);

/* Close the socket and its helpers; closed(&l->h.handle) runs once all
 * are closed, when the memory may go (NULL: it is freed here). */
void io_listener_close(struct io_listener *l, uv_close_cb closed);

#endif
