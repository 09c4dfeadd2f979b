/* SPDX-License-Identifier: ISC */
/* A thread between a plain file and a pipe the loop can poll. */
#define _GNU_SOURCE /* pipe2 */
#include "io/io_pump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

#define IO_PUMP_BUF (64u * 1024u)

struct io_pump {
    uv_thread_t thread;
    int from, to; /* the thread's descriptors: it closes its pipe end */
    bool close_from, close_to;
};

/* Write all of n bytes, through interruptions; false on an error. */
static bool
io_pump_write(int fd, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0) {
        if ((w = write(fd, p, n)) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void
io_pump_run(void *arg)
{
    struct io_pump *p = arg;
    char *buf = malloc(IO_PUMP_BUF);
    ssize_t n;

    while (buf != NULL) {
        if ((n = read(p->from, buf, IO_PUMP_BUF)) < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || !io_pump_write(p->to, buf, (size_t)n)) {
            break;
        }
    }
    free(buf);
    /* The pipe end tells the loop (input) or follows it (output). */
    if (p->close_from) {
        close(p->from);
    }
    if (p->close_to) {
        close(p->to);
    }
}

int
io_pump_start(uv_loop_t *loop, int fd, bool is_input, uv_stream_t **stream,
              struct io_pump **out)
{
    struct io_pump *p = calloc(1, sizeof(*p));
    uv_pipe_t *pipe = malloc(sizeof(*pipe));
    int fds[2] = {-1, -1}, mine;

    *stream = NULL;
    *out = NULL;
    if (p == NULL || pipe == NULL || pipe2(fds, O_CLOEXEC) != 0) {
        free(p);
        free(pipe);
        return p == NULL || pipe == NULL ? ERR_NOMEM : ERR_IO;
    }
    /* The loop's end: the pipe's read end for input, write end else. */
    mine = is_input ? fds[0] : fds[1];
    p->from = is_input ? fd : fds[0];
    p->to = is_input ? fds[1] : fd;
    p->close_from = !is_input;
    p->close_to = is_input;
    if (uv_pipe_init(loop, pipe, 0) != 0) {
        close(fds[0]);
        close(fds[1]);
        free(p);
        free(pipe);
        return ERR_IO;
    }
    if (uv_pipe_open(pipe, mine) != 0) {
        close(fds[0]);
        close(fds[1]);
        free(p);
        io_close_free((uv_handle_t *)pipe);
        return ERR_IO;
    }
    if (uv_thread_create(&p->thread, io_pump_run, p) != 0) {
        close(is_input ? fds[1] : fds[0]);
        free(p);
        io_close_free((uv_handle_t *)pipe);
        return ERR_IO;
    }
    *stream = (uv_stream_t *)pipe;
    *out = p;
    return 0;
}

void
io_pump_join(struct io_pump *p)
{
    if (p != NULL) {
        uv_thread_join(&p->thread);
        free(p);
    }
}
