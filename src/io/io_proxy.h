/* SPDX-License-Identifier: ISC */
/*
 * ProxyCommand: a command run with /bin/sh -c "exec ..." whose stdin and
 * stdout carry the SSH connection (one end of a socketpair is both), and
 * whose stderr is ours, as ssh runs it.
 */
#ifndef ADIT_IO_IO_PROXY_H
#define ADIT_IO_IO_PROXY_H

#include <uv.h>

struct io_proxy;

/*
 * Start cmd (already token-expanded). *stream receives our end, a
 * malloc'd uv_pipe_t for io_conn_new_stream. ERR_NOMEM, ERR_IO (the
 * socketpair or the spawn failed; logged).
 */
int io_proxy_start(struct io_proxy **out, uv_loop_t *loop, const char *cmd,
                   uv_stream_t **stream);

/*
 * The end of a ProxyUseFdpass start: status 0 and stream, the connected
 * socket the command passed back (a malloc'd uv_tcp_t, or uv_pipe_t for a
 * socket of another family, non-blocking, ours to free), or ERR_IO and
 * NULL when the command closed its end without passing one (logged as
 * ssh does). Called once, from the loop, never after io_proxy_stop.
 */
typedef void (*io_proxy_fd_cb)(void *ctx, int status, uv_stream_t *stream);

/*
 * ProxyUseFdpass: start cmd as io_proxy_start does, but wait for it to
 * connect and pass the socket back over its stdout (SCM_RIGHTS, as
 * ssh's ProxyUseFdpass), then use that socket directly; no byte is
 * relayed through the command. ERR_NOMEM, ERR_IO as io_proxy_start.
 */
int io_proxy_start_fdpass(struct io_proxy **out, uv_loop_t *loop,
                          const char *cmd, io_proxy_fd_cb cb, void *ctx);

/* The connection is over: SIGHUP the command if it still runs (as ssh
 * does), and let go of it; freed in the loop. NULL is ignored. */
void io_proxy_stop(struct io_proxy *p);

#endif
