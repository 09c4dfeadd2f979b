/* SPDX-License-Identifier: ISC */
/* io_connect: async resolve, non-blocking connect, timeout, cancel. */
#include "iotest.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/io_connect.h"
#include "io/io_util.h"
#include "util/err.h"

struct ctx {
    struct iotest t;
    uv_tcp_t listener;
    uv_tcp_t *accepted;
    struct io_connect *c;
    unsigned n_cb, n_accept;
    int status;
    bool resolving;
    bool nodelay;
    char peer[64];
    uint16_t peer_port;
    /* timeout test */
    uv_tcp_t filler;
    uv_connect_t filler_req;
    uint16_t full_port;
    unsigned n_filler;
    uv_timer_t cancel_timer;
};

static void
on_connect(void *arg, int status, bool resolving, uv_tcp_t *tcp)
{
    struct ctx *x = arg;

    x->n_cb++;
    x->status = status;
    x->resolving = resolving;
    x->c = NULL;
    if (status != 0) {
        assert_null(tcp);
        return;
    }
    assert_non_null(tcp);
    x->nodelay = iotest_nodelay(tcp);
    assert_int_equal(io_peer_str(tcp, x->peer, sizeof(x->peer), &x->peer_port),
                     0);
    io_close_free((uv_handle_t *)tcp);
}

static void
on_accept(uv_stream_t *l, int status)
{
    struct ctx *x = l->data;

    assert_int_equal(status, 0);
    x->n_accept++;
    x->accepted = malloc(sizeof(*x->accepted));
    assert_non_null(x->accepted);
    assert_int_equal(uv_tcp_init(l->loop, x->accepted), 0);
    assert_int_equal(uv_accept(l, (uv_stream_t *)x->accepted), 0);
    io_close_free((uv_handle_t *)x->accepted);
    uv_close((uv_handle_t *)l, NULL);
}

static struct ctx *
ctx_new(void)
{
    struct ctx *x = calloc(1, sizeof(*x));

    assert_non_null(x);
    iotest_init(&x->t);
    x->status = 1;
    return x;
}

static void
ctx_done(struct ctx *x)
{
    iotest_done(&x->t);
    free(x);
}

static void
connect_ok(const char *host, int family)
{
    struct ctx *x = ctx_new();
    uint16_t port = iotest_listen(&x->t.loop, &x->listener, 16, on_accept, x);

    assert_int_equal(io_connect_start(&x->c, &x->t.loop, host, port, family,
                                      5000, on_connect, x),
                     0);
    assert_non_null(x->c);
    /* never called back from inside the call that started it */
    assert_int_equal(x->n_cb, 0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 1);
    assert_int_equal(x->n_accept, 1);
    assert_int_equal(x->status, 0);
    assert_false(x->resolving);
    assert_true(x->nodelay);
    assert_string_equal(x->peer, "127.0.0.1");
    assert_int_equal(x->peer_port, port);
    ctx_done(x);
}

static void
test_connect_ok(void **state)
{
    connect_ok("127.0.0.1", AF_UNSPEC);
}

/* A name, not an address: the resolver runs on the thread pool. */
static void
test_connect_ok_name(void **state)
{
    connect_ok("localhost", AF_INET);
}

static void
test_connect_refused(void **state)
{
    struct ctx *x = ctx_new();
    uint16_t port = iotest_closed_port();

    assert_int_equal(io_connect_start(&x->c, &x->t.loop, "127.0.0.1", port,
                                      AF_INET, 5000, on_connect, x),
                     0);
    assert_int_equal(x->n_cb, 0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 1);
    assert_int_equal(x->status, UV_ECONNREFUSED);
    assert_false(x->resolving);
    assert_string_equal(io_strerror(x->status), "Connection refused");
    assert_int_equal(io_err_from_uv(x->status), ERR_REFUSED);
    ctx_done(x);
}

/* RFC 6761: .invalid never resolves. Without a reachable resolver the
 * answer may be EAI_AGAIN, or the timeout while still resolving. */
static void
test_connect_no_such_name(void **state)
{
    struct ctx *x = ctx_new();

    assert_int_equal(io_connect_start(&x->c, &x->t.loop, "no-such-host.invalid",
                                      22, AF_UNSPEC, 15000, on_connect, x),
                     0);
    assert_int_equal(x->n_cb, 0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 1);
    assert_true(x->resolving);
    assert_true(x->status == UV_EAI_NONAME || x->status == UV_EAI_AGAIN ||
                x->status == UV_EAI_NODATA || x->status == UV_EAI_FAIL ||
                x->status == UV_ETIMEDOUT);
    if (x->status == UV_EAI_NONAME) {
        assert_string_equal(io_strerror(x->status),
                            "Name or service not known");
    }
    if (x->status != UV_ETIMEDOUT) {
        assert_int_equal(io_err_from_uv(x->status), ERR_RESOLVE);
    }
    ctx_done(x);
}

/* Fill the backlog of a listener nobody accepts from, then connect. */
static void
on_filler(uv_connect_t *req, int status)
{
    struct ctx *x = req->data;

    assert_int_equal(status, 0);
    x->n_filler++;
    assert_int_equal(io_connect_start(&x->c, &x->t.loop, "127.0.0.1",
                                      x->full_port, AF_INET, 200, on_connect,
                                      x),
                     0);
}

static int
start_filler(struct ctx *x)
{
    struct sockaddr_in sin;
    int fd = iotest_full_listener(&x->full_port);

    assert_int_equal(uv_ip4_addr("127.0.0.1", x->full_port, &sin), 0);
    assert_int_equal(uv_tcp_init(&x->t.loop, &x->filler), 0);
    x->filler_req.data = x;
    assert_int_equal(uv_tcp_connect(&x->filler_req, &x->filler,
                                    (struct sockaddr *)&sin, on_filler),
                     0);
    return fd;
}

static void
test_connect_timeout(void **state)
{
    struct ctx *x = ctx_new();
    uint64_t t0 = uv_now(&x->t.loop);
    int fd = start_filler(x);

    /* The idle filler keeps nothing alive: the loop ends with the
     * connect's outcome. */
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_filler, 1);
    assert_int_equal(x->n_cb, 1);
    assert_int_equal(x->status, UV_ETIMEDOUT);
    assert_false(x->resolving);
    assert_true(uv_now(&x->t.loop) - t0 >= 200);
    assert_string_equal(io_strerror(x->status), "Connection timed out");
    uv_close((uv_handle_t *)&x->filler, NULL);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    close(fd);
    ctx_done(x);
}

static void
test_cancel_resolving(void **state)
{
    struct ctx *x = ctx_new();

    assert_int_equal(io_connect_start(&x->c, &x->t.loop, "localhost", 22,
                                      AF_INET, 5000, on_connect, x),
                     0);
    io_connect_cancel(x->c);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 0);
    ctx_done(x);
}

/* Cancel while the connect hangs in SYN_SENT, from a timer. */
static void
on_cancel_timer(uv_timer_t *t)
{
    struct ctx *x = t->data;

    assert_non_null(x->c);
    io_connect_cancel(x->c);
    x->c = NULL;
    uv_close((uv_handle_t *)&x->filler, NULL);
    uv_close((uv_handle_t *)t, NULL);
}

static void
test_cancel_connecting(void **state)
{
    struct ctx *x = ctx_new();
    int fd = start_filler(x);

    assert_int_equal(uv_timer_init(&x->t.loop, &x->cancel_timer), 0);
    x->cancel_timer.data = x;
    assert_int_equal(uv_timer_start(&x->cancel_timer, on_cancel_timer, 100, 0),
                     0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_filler, 1);
    assert_int_equal(x->n_cb, 0);
    close(fd);
    ctx_done(x);
}

/* Timeout 0 means none: a refused connect still reports at once. */
static void
test_connect_no_timeout(void **state)
{
    struct ctx *x = ctx_new();

    assert_int_equal(io_connect_start(&x->c, &x->t.loop, "127.0.0.1",
                                      iotest_closed_port(), AF_INET, 0,
                                      on_connect, x),
                     0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 1);
    assert_int_equal(x->status, UV_ECONNREFUSED);
    ctx_done(x);
}

/*
 * A numeric host is not resolved: the SYN is out, and the kernel has the
 * connection in the listener's queue, before io_connect_start returns and
 * before the loop runs once.
 */
static void
test_numeric_starts_at_once(void **state)
{
    struct ctx *x = ctx_new();
    uint16_t port;
    int fd = iotest_full_listener(&port);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    int a;

    assert_int_equal(io_connect_start(&x->c, &x->t.loop, "127.0.0.1", port,
                                      AF_UNSPEC, 5000, on_connect, x),
                     0);
    assert_int_equal(poll(&pfd, 1, 5000), 1);
    assert_true((a = accept(fd, NULL, NULL)) >= 0);
    assert_int_equal(x->n_cb, 0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 1);
    assert_int_equal(x->status, 0);
    assert_true(x->nodelay);
    close(a);
    close(fd);
    ctx_done(x);
}

/*
 * A numeric host whose connect fails before it starts (the bind to an
 * address this host does not have): reported from the loop all the same,
 * never from inside io_connect_start_bound.
 */
static void
test_numeric_fails_from_loop(void **state)
{
    struct ctx *x = ctx_new();
    struct io_connect_bind bind = {"192.0.2.1", NULL}; /* TEST-NET-1 */

    assert_int_equal(io_connect_start_bound(&x->c, &x->t.loop, "127.0.0.1",
                                            iotest_closed_port(), AF_INET, 5000,
                                            &bind, on_connect, x),
                     0);
    assert_int_equal(x->n_cb, 0);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 1);
    assert_int_not_equal(x->status, 0);
    assert_false(x->resolving);
    ctx_done(x);
}

/* A bind address that is not numeric is refused before anything starts. */
static void
test_bind_not_numeric(void **state)
{
    struct ctx *x = ctx_new();
    struct io_connect_bind bind = {"localhost", NULL};

    assert_int_equal(io_connect_start_bound(&x->c, &x->t.loop, "127.0.0.1", 22,
                                            AF_INET, 5000, &bind, on_connect,
                                            x),
                     ERR_INVAL);
    assert_null(x->c);
    assert_int_equal(uv_run(&x->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(x->n_cb, 0);
    ctx_done(x);
}

/*
 * TCP_USER_TIMEOUT read back from the socket: what io_tcp_user_timeout
 * set is what the kernel holds (adit's Reconnect mode sets Interval x
 * CountMax on its connection to the server).
 */
static void
test_user_timeout(void **state)
{
#ifdef TCP_USER_TIMEOUT
    struct iotest t;
    uv_tcp_t tcp;
    uv_os_fd_t fd;
    unsigned v = 1;
    socklen_t len = sizeof(v);

    iotest_init(&t);
    assert_int_equal(uv_tcp_init_ex(&t.loop, &tcp, AF_INET), 0);
    assert_int_equal(uv_fileno((const uv_handle_t *)&tcp, &fd), 0);
    assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, &len),
                     0);
    assert_int_equal(v, 0); /* the kernel's default: off */
    assert_int_equal(io_tcp_user_timeout(&tcp, 3000), 0);
    len = sizeof(v);
    assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, &len),
                     0);
    assert_int_equal(v, 3000);
    uv_close((uv_handle_t *)&tcp, NULL);
    iotest_done(&t);
#else
    skip();
#endif
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connect_ok),
        cmocka_unit_test(test_connect_ok_name),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_connect_no_such_name),
        cmocka_unit_test(test_connect_timeout),
        cmocka_unit_test(test_cancel_resolving),
        cmocka_unit_test(test_cancel_connecting),
        cmocka_unit_test(test_connect_no_timeout),
        cmocka_unit_test(test_numeric_starts_at_once),
        cmocka_unit_test(test_numeric_fails_from_loop),
        cmocka_unit_test(test_bind_not_numeric),
        cmocka_unit_test(test_user_timeout),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
