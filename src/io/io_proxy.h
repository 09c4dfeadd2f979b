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

/* The connection is over: SIGHUP the command if it still runs (as ssh
 * does), and let go of it; freed in the loop. NULL is ignored. */
void io_proxy_stop(struct io_proxy *p);

#endif
