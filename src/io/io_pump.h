/* SPDX-License-Identifier: ISC */
/*
 * A descriptor libuv cannot poll (a regular file, /dev/null) as a stream
 * it can: a thread copies between it and one end of a pipe, and the loop
 * uses the other end. ssh reads and writes such files directly; adit's
 * loop only waits on what epoll takes.
 */
#ifndef ADIT_IO_IO_PUMP_H
#define ADIT_IO_IO_PUMP_H

#include <stdbool.h>
#include <uv.h>

struct io_pump;

/*
 * Start copying fd (not closed here) from (is_input) or to the returned
 * stream, a malloc'd uv_pipe_t on loop. An input pump ends at the file's
 * end or when the stream is closed; an output pump once the stream is
 * closed and everything written. ERR_IO, ERR_NOMEM.
 */
int io_pump_start(uv_loop_t *loop, int fd, bool is_input, uv_stream_t **stream,
                  struct io_pump **out);

/* Wait for the thread (after the stream is closed) and free p (NULL is
 * fine): an output pump has then written everything. */
void io_pump_join(struct io_pump *p);

#endif
