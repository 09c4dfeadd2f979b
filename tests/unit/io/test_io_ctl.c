/* SPDX-License-Identifier: ISC */
/*
 * Tests for io/io_ctl, io/io_metrics and io/io_svc under them: a real
 * loop serves a Unix control socket and a loopback metrics port while a
 * thread plays the client (the blocking io_ctl_call, and raw sockets for
 * what a well-behaved client never sends).
 */
#include "io/io_ctl.h"
#include "io/io_metrics.h"
#include "io/io_svc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#include "iotest.h"
#include "util/err.h"

#define REPLY_MAX 4096

struct ctltest {
    struct iotest t;
    uv_async_t done;
    struct io_svc *ctl, *metrics;
    char path[100];
    uint16_t port;
    /* what the client thread saw */
    int call_r, fail_r;
    bool call_ok, fail_ok;
    char call_body[REPLY_MAX], fail_body[REPLY_MAX];
    char version[REPLY_MAX], pipelined[REPLY_MAX], scrape[REPLY_MAX],
        notfound[REPLY_MAX];
};

/* "status json" is answered "status:json"; "fail" is unknown. */
static int
handler(void *ctx, const struct ctl_request *req, struct io_ctl_call *call,
        struct buf *body, char *why, size_t why_len)
{
    size_t i;

    if (strcmp(req->argv[0], "fail") == 0) {
        return ERR_NOTFOUND;
    }
    for (i = 0; i < req->argc; i++) {
        if ((i > 0 && buf_put(body, ":", 1) != 0) ||
            buf_put(body, req->argv[i], strlen(req->argv[i])) != 0) {
            return ERR_NOMEM;
        }
    }
    return 0;
}

static int
metrics_cb(void *ctx, struct buf *out)
{
    return buf_put(out, "x_total 1\n", 10);
}

/* Send req on a fresh connection, half-close, read to EOF into out. */
static void
raw_exchange(const struct sockaddr *sa, socklen_t salen, const char *req,
             char *out)
{
    struct timeval tv = {.tv_sec = 10};
    size_t got = 0;
    ssize_t n;
    int fd;

    fd = socket(sa->sa_family, SOCK_STREAM, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    out[0] = '\0';
    if (fd < 0 || connect(fd, sa, salen) != 0 ||
        send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
        if (fd >= 0) {
            close(fd);
        }
        return;
    }
    shutdown(fd, SHUT_WR);
    while (got < REPLY_MAX - 1 &&
           (n = recv(fd, out + got, REPLY_MAX - 1 - got, 0)) > 0) {
        got += (size_t)n;
    }
    out[got] = '\0';
    close(fd);
}

static void
call(const char *path, const char *const *argv, size_t argc, int *r, bool *ok,
     char *out)
{
    struct buf body;

    buf_init(&body);
    *r = io_ctl_call(path, argv, argc, 10000, ok, &body);
    snprintf(out, REPLY_MAX, "%.*s", (int)buf_len(&body),
             (const char *)buf_ptr(&body));
    buf_cleanup(&body);
}

static void
client_thread(void *arg)
{
    const char *status[] = {"status", "json"}, *fail[] = {"fail"};
    struct ctltest *ct = arg;
    struct sockaddr_un sun;
    struct sockaddr_in sin;

    call(ct->path, status, 2, &ct->call_r, &ct->call_ok, ct->call_body);
    call(ct->path, fail, 1, &ct->fail_r, &ct->fail_ok, ct->fail_body);
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", ct->path);
    raw_exchange((struct sockaddr *)&sun, sizeof(sun), "ADIT-CTL/7 status\n",
                 ct->version);
    raw_exchange((struct sockaddr *)&sun, sizeof(sun),
                 "ADIT-CTL/1 a\nADIT-CTL/1 b c\n", ct->pipelined);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(ct->port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    raw_exchange((struct sockaddr *)&sin, sizeof(sin),
                 "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", ct->scrape);
    raw_exchange((struct sockaddr *)&sin, sizeof(sin), "GET / HTTP/1.0\r\n\r\n",
                 ct->notfound);
    uv_async_send(&ct->done);
}

static void
all_done(uv_async_t *a)
{
    struct ctltest *ct = a->data;

    io_svc_close(ct->ctl);
    io_svc_close(ct->metrics);
    uv_close((uv_handle_t *)a, NULL);
}

static void
test_ctl_and_metrics(void **state)
{
    struct ctltest ct;
    uv_thread_t th;
    struct stat st;
    char why[128];

    memset(&ct, 0, sizeof(ct));
    iotest_init(&ct.t);
    snprintf(ct.path, sizeof(ct.path), "%s/ctl", test_tmpdir());
    assert_int_equal(io_ctl_listen(&ct.ctl, &ct.t.loop, ct.path, handler, &ct),
                     0);
    assert_int_equal(stat(ct.path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(io_metrics_listen(&ct.metrics, &ct.t.loop, "127.0.0.1:0",
                                       metrics_cb, &ct, &ct.port, why,
                                       sizeof(why)),
                     0);
    assert_true(ct.port != 0);
    uv_async_init(&ct.t.loop, &ct.done, all_done);
    ct.done.data = &ct;
    assert_int_equal(uv_thread_create(&th, client_thread, &ct), 0);
    uv_run(&ct.t.loop, UV_RUN_DEFAULT);
    uv_thread_join(&th);
    iotest_done(&ct.t);

    assert_int_equal(ct.call_r, 0);
    assert_true(ct.call_ok);
    assert_string_equal(ct.call_body, "status:json");
    assert_int_equal(ct.fail_r, 0);
    assert_false(ct.fail_ok);
    assert_string_equal(ct.fail_body, "fail: unknown command");
    assert_string_equal(ct.version,
                        "ADIT-CTL/1 error 40\nunsupported protocol: this is "
                        "ADIT-CTL/1");
    assert_string_equal(ct.pipelined, "ADIT-CTL/1 ok 1\naADIT-CTL/1 ok 3\nb:c");
    assert_non_null(strstr(ct.scrape, "HTTP/1.0 200 OK\r\n"));
    assert_non_null(strstr(ct.scrape, "version=0.0.4"));
    assert_non_null(strstr(ct.scrape, "\r\n\r\nx_total 1\n"));
    assert_non_null(strstr(ct.notfound, "HTTP/1.0 404 Not Found\r\n"));
    /* The socket file went with the service. */
    assert_int_not_equal(stat(ct.path, &st), 0);
}

/* A live socket is not taken over; a stale one is; non-loopback metrics
 * addresses are refused. */
static void
test_refusals(void **state)
{
    struct sockaddr_storage ss;
    struct io_svc *a, *b;
    struct iotest t;
    char path[100], why[128];
    int fd;
    struct sockaddr_un sun;

    iotest_init(&t);
    snprintf(path, sizeof(path), "%s/ctl2", test_tmpdir());
    assert_int_equal(io_ctl_listen(&a, &t.loop, path, handler, NULL), 0);
    assert_int_equal(io_ctl_listen(&b, &t.loop, path, handler, NULL),
                     ERR_EXISTS);
    io_svc_close(a);
    uv_run(&t.loop, UV_RUN_DEFAULT);
    /* A socket nobody listens on any more. */
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
    close(fd);
    assert_int_equal(io_ctl_listen(&a, &t.loop, path, handler, NULL), 0);
    io_svc_close(a);
    iotest_done(&t);

    assert_int_equal(io_metrics_addr("0.0.0.0:9187", &ss, why, sizeof(why)),
                     ERR_CONFIG);
    assert_string_equal(why, "0.0.0.0: metrics are served on loopback only");
    assert_int_equal(io_metrics_addr("[::1]:9187", &ss, why, sizeof(why)), 0);
    assert_int_equal(io_metrics_addr("localhost:1", &ss, why, sizeof(why)), 0);
    assert_int_equal(io_metrics_addr("127.0.0.1", &ss, why, sizeof(why)),
                     ERR_CONFIG);
    assert_int_equal(io_metrics_addr("127.0.0.1:70000", &ss, why, sizeof(why)),
                     ERR_CONFIG);
}

/* ---- answers later, descriptors passed, clients gone ---- */

struct latertest {
    struct iotest t;
    uv_async_t done;
    uv_timer_t timer;
    struct io_svc *ctl;
    struct io_svc_client *held;
    char path[100];
    int n_fds_seen, gone, stop_connect_errno;
    /* the client thread's view */
    int r1, r2, r3;
    char a1[REPLY_MAX], a2[REPLY_MAX], piped[16];
};

static void
later_gone(void *ctx)
{
    struct latertest *lt = ctx;

    lt->gone++;
}

static void
later_answer(uv_timer_t *t)
{
    struct latertest *lt = t->data;

    io_ctl_answer(lt->held, true, "second", 6);
    io_ctl_finish(lt->held);
    lt->held = NULL;
}

/* "later": write to the passed descriptor, answer now and once more from
 * a timer. "hold": answered never; its client leaves. "stop": stop
 * listening. */
static int
later_handler(void *ctx, const struct ctl_request *req,
              struct io_ctl_call *call, struct buf *body, char *why,
              size_t why_len)
{
    struct latertest *lt = ctx;

    lt->n_fds_seen += (int)call->n_fds;
    if (strcmp(req->argv[0], "later") == 0) {
        if (call->n_fds != 1 || write(call->fds[0], "fd-ok", 5) != 5) {
            return ERR_INVAL;
        }
        lt->held = io_ctl_later(call, later_gone, lt);
        io_ctl_answer(lt->held, true, "first", 5);
        uv_timer_start(&lt->timer, later_answer, 10, 0);
        return 0;
    }
    if (strcmp(req->argv[0], "hold") == 0) {
        (void)io_ctl_later(call, later_gone, lt);
        return buf_put(body, "ignored", 7);
    }
    io_svc_stop_listening(lt->ctl);
    return 0;
}

static void
later_thread(void *arg)
{
    const char *later[] = {"later"}, *hold[] = {"hold"}, *stop[] = {"stop"};
    struct latertest *lt = arg;
    struct buf b;
    bool ok = false;
    int fd = -1, fd2 = -1, p[2];

    buf_init(&b);
    if (pipe(p) != 0 || io_ctl_connect(lt->path, &fd) != 0 ||
        io_ctl_send(fd, later, 1, &p[1], 1, 10000) != 0) {
        lt->r1 = -999;
        goto out;
    }
    close(p[1]);
    lt->r1 = io_ctl_recv(fd, 10000, &ok, &b);
    snprintf(lt->a1, sizeof(lt->a1), "%d:%.*s", ok, (int)buf_len(&b),
             (const char *)buf_ptr(&b));
    buf_reset(&b);
    lt->r2 = io_ctl_recv(fd, 10000, &ok, &b);
    snprintf(lt->a2, sizeof(lt->a2), "%d:%.*s", ok, (int)buf_len(&b),
             (const char *)buf_ptr(&b));
    /* Then the stream ends: no third answer. */
    lt->r3 = io_ctl_recv(fd, 10000, &ok, &b);
    if (read(p[0], lt->piped, 5) != 5) {
        lt->piped[0] = '\0';
    }
    close(p[0]);
    /* A held client that leaves: its holder hears of it. */
    if (io_ctl_connect(lt->path, &fd2) == 0 &&
        io_ctl_send(fd2, hold, 1, NULL, 0, 10000) == 0) {
        close(fd2);
    }
    /* Stop listening: the socket file goes, new clients are refused. */
    close(fd);
    if (io_ctl_connect(lt->path, &fd) == 0 &&
        io_ctl_send(fd, stop, 1, NULL, 0, 10000) == 0) {
        buf_reset(&b);
        (void)io_ctl_recv(fd, 10000, &ok, &b);
        close(fd);
        fd = -1;
        if (io_ctl_connect(lt->path, &fd) != 0) {
            lt->stop_connect_errno = errno;
        }
    }
out:
    if (fd >= 0) {
        close(fd);
    }
    buf_cleanup(&b);
    uv_async_send(&lt->done);
}

static void
later_done(uv_async_t *a)
{
    struct latertest *lt = a->data;

    io_svc_close(lt->ctl);
    uv_close((uv_handle_t *)&lt->timer, NULL);
    uv_close((uv_handle_t *)a, NULL);
}

static void
test_later_and_fds(void **state)
{
    struct latertest lt;
    uv_thread_t th;
    struct stat st;

    memset(&lt, 0, sizeof(lt));
    iotest_init(&lt.t);
    snprintf(lt.path, sizeof(lt.path), "%s/ctl3", test_tmpdir());
    assert_int_equal(
        io_ctl_listen_fds(&lt.ctl, &lt.t.loop, lt.path, later_handler, &lt), 0);
    uv_timer_init(&lt.t.loop, &lt.timer);
    lt.timer.data = &lt;
    uv_async_init(&lt.t.loop, &lt.done, later_done);
    lt.done.data = &lt;
    assert_int_equal(uv_thread_create(&th, later_thread, &lt), 0);
    uv_run(&lt.t.loop, UV_RUN_DEFAULT);
    uv_thread_join(&th);
    iotest_done(&lt.t);

    assert_int_equal(lt.r1, 0);
    assert_string_equal(lt.a1, "1:first");
    assert_int_equal(lt.r2, 0);
    assert_string_equal(lt.a2, "1:second");
    assert_int_equal(lt.r3, ERR_DISCONNECTED);
    assert_string_equal(lt.piped, "fd-ok");
    assert_int_equal(lt.n_fds_seen, 1);
    /* Only the client that left is "gone": the finished one is not. */
    assert_int_equal(lt.gone, 1);
    assert_int_equal(lt.stop_connect_errno, ENOENT);
    assert_int_not_equal(stat(lt.path, &st), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctl_and_metrics),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_later_and_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
