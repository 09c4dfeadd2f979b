/* SPDX-License-Identifier: ISC */
/*
 * Helpers for the io/ tests, in the manner of libuv's test/task.h: every
 * test owns one loop with an unreferenced deadline timer, runs the loop to
 * completion, and ends with no handle left and uv_loop_close() == 0. The
 * deadline keeps nothing alive; it only fires (and fails the test) if the
 * code under test leaves an active handle behind or never gets there.
 * Header-only (static inline) because CMake links one .c per test.
 */
#ifndef ADIT_TEST_IOTEST_H
#define ADIT_TEST_IOTEST_H

#include "testutil.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define IOTEST_DEADLINE_MS 20000u

struct iotest {
    uv_loop_t loop;
    uv_timer_t deadline;
};

static inline void
iotest_deadline_cb(uv_timer_t *t)
{
    fail_msg("deadline passed: the loop did not run dry");
}

static inline void
iotest_init(struct iotest *t)
{
    assert_int_equal(uv_loop_init(&t->loop), 0);
    assert_int_equal(uv_timer_init(&t->loop, &t->deadline), 0);
    assert_int_equal(
        uv_timer_start(&t->deadline, iotest_deadline_cb, IOTEST_DEADLINE_MS, 0),
        0);
    uv_unref((uv_handle_t *)&t->deadline);
}

static inline void
iotest_count_handle(uv_handle_t *h, void *arg)
{
    (*(unsigned *)arg)++;
}

/* The loop has run dry: close the deadline, then nothing may be left. */
static inline void
iotest_done(struct iotest *t)
{
    unsigned left = 0;

    uv_close((uv_handle_t *)&t->deadline, NULL);
    assert_int_equal(uv_run(&t->loop, UV_RUN_DEFAULT), 0);
    uv_walk(&t->loop, iotest_count_handle, &left);
    assert_int_equal(left, 0);
    assert_int_equal(uv_loop_close(&t->loop), 0);
}

/* Bind l to 127.0.0.1 on an ephemeral port and listen; the port. */
static inline uint16_t
iotest_listen(uv_loop_t *loop, uv_tcp_t *l, int backlog, uv_connection_cb cb,
              void *data)
{
    struct sockaddr_in sin;
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    assert_int_equal(uv_ip4_addr("127.0.0.1", 0, &sin), 0);
    assert_int_equal(uv_tcp_init(loop, l), 0);
    l->data = data;
    assert_int_equal(uv_tcp_bind(l, (struct sockaddr *)&sin, 0), 0);
    assert_int_equal(uv_listen((uv_stream_t *)l, backlog, cb), 0);
    assert_int_equal(uv_tcp_getsockname(l, (struct sockaddr *)&ss, &len), 0);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* A loopback port with nothing listening: bound, then closed again. */
static inline uint16_t
iotest_closed_port(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    assert_int_equal(close(fd), 0);
    return ntohs(sin.sin_port);
}

/*
 * A listening socket, outside libuv so that nothing accepts from it, with
 * backlog 0: Linux queues one connection and then drops further SYNs, so
 * a connect started after the first one completed hangs until its timeout.
 * The fd; *port receives the port.
 */
static inline int
iotest_full_listener(uint16_t *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
    assert_int_equal(listen(fd, 0), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    *port = ntohs(sin.sin_port);
    return fd;
}

static inline bool
iotest_nodelay(const uv_tcp_t *t)
{
    uv_os_fd_t fd;
    int on = 0;
    socklen_t len = sizeof(on);

    assert_int_equal(uv_fileno((const uv_handle_t *)t, &fd), 0);
    assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
    return on != 0;
}

#endif
