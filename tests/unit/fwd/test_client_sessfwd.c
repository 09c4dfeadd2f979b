/* SPDX-License-Identifier: ISC */
/*
 * client_sessfwd_open over a real client/server pair (io_conns on a
 * socketpair): the server opens auth-agent@openssh.com and x11 channels
 * towards the client. Unasked, both are refused and nothing local is
 * reached; asked, the agent channel is joined to a local socket both
 * ways, and an x11 channel reaches the local display only with the fake
 * cookie, which arrives there as the real one.
 */
#include "io/sshpair.h"

#include <signal.h>
#include <stdio.h>

#include "conn/x11_setup.h"
#include "fwd/client_sessfwd.h"
#include "io/io_chan.h"
#include "transport/ssh_msg.h"
#include "wire/buf.h"

#define REAL_HEX "0123456789abcdef0123456789abcdef"

struct sf {
    struct sshpair *p;
    struct client_sessfwd f;
    struct chan_open_info info;
    uv_pipe_t listener; /* the local agent or display */
    char path[108];
    uv_stream_t *local;   /* its accepted connection */
    uv_stream_t *srv_end; /* the test's end of the server's channel */
    unsigned n_accepted, n_result, n_cli_open;
    uint32_t reason;
    struct buf send;     /* the server side writes this once open */
    struct buf at_local; /* what the local socket received */
    size_t want_local;   /* then it answers "pong" */
    struct buf back;     /* what came back to the server's end */
    bool srv_eof;
    uv_write_t w1, w2;
    char rbuf[4096], lbuf[4096];
};

static void
sf_alloc_srv(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct sf *sf = h->data;

    *b = uv_buf_init(sf->rbuf, sizeof(sf->rbuf));
}

static void
sf_alloc_local(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct sf *sf = h->data;

    *b = uv_buf_init(sf->lbuf, sizeof(sf->lbuf));
}

/* Everything the test opened is closed, then the connection. */
static void
sf_finish(struct sf *sf)
{
    if (!uv_is_closing((uv_handle_t *)&sf->listener)) {
        uv_close((uv_handle_t *)&sf->listener, NULL);
    }
    if (sf->local != NULL) {
        io_close_free((uv_handle_t *)sf->local);
        sf->local = NULL;
    }
    if (sf->srv_end != NULL) {
        io_close_free((uv_handle_t *)sf->srv_end);
        sf->srv_end = NULL;
    }
    if (sf->p->cli != NULL) {
        io_conn_disconnect(sf->p->cli, SSH_DISCONNECT_BY_APPLICATION, "done");
    }
}

static void
sf_srv_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct sf *sf = st->data;

    if (nread > 0) {
        assert_int_equal(buf_put(&sf->back, b->base, (size_t)nread), 0);
        if (buf_len(&sf->back) == 4) {
            sf_finish(sf);
        }
    } else if (nread < 0) {
        sf->srv_eof = true;
        sf_finish(sf);
    }
}

static void
sf_local_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct sf *sf = st->data;
    uv_buf_t pong = uv_buf_init("pong", 4);

    if (nread <= 0) {
        return;
    }
    assert_int_equal(buf_put(&sf->at_local, b->base, (size_t)nread), 0);
    if (buf_len(&sf->at_local) == sf->want_local) {
        assert_int_equal(uv_write(&sf->w2, st, &pong, 1, NULL), 0);
    }
}

static void
sf_accept(uv_stream_t *l, int status)
{
    struct sf *sf = l->data;
    uv_pipe_t *c = malloc(sizeof(*c));

    assert_int_equal(status, 0);
    assert_non_null(c);
    assert_int_equal(uv_pipe_init(l->loop, c, 0), 0);
    assert_int_equal(uv_accept(l, (uv_stream_t *)c), 0);
    sf->n_accepted++;
    sf->local = (uv_stream_t *)c;
    c->data = sf;
    assert_int_equal(uv_read_start(sf->local, sf_alloc_local, sf_local_read),
                     0);
}

static void
sf_opened(void *ctx, struct io_chan *ch, uint32_t reason, const char *msg)
{
    struct sf *sf = ctx;
    uv_buf_t b =
        uv_buf_init((char *)buf_ptr(&sf->send), (unsigned)buf_len(&sf->send));

    (void)ch;
    (void)msg;
    sf->n_result++;
    sf->reason = reason;
    if (reason != 0) {
        sf_finish(sf);
        return;
    }
    assert_int_equal(uv_write(&sf->w1, sf->srv_end, &b, 1, NULL), 0);
}

/* Both ends are in: the server opens the channel for one end of a
 * socketpair, the test keeps the other. */
static void
sf_ready(struct sshpair *p)
{
    struct sf *sf = p->udata;
    uv_os_sock_t fds[2];

    assert_int_equal(uv_socketpair(SOCK_STREAM, 0, fds, 0, 0), 0);
    sf->srv_end = sshpair_pipe(&p->t.loop, fds[1]);
    sf->srv_end->data = sf;
    assert_int_equal(uv_read_start(sf->srv_end, sf_alloc_srv, sf_srv_read), 0);
    assert_int_equal(io_chan_open_streams(p->srv,
                                          sshpair_pipe(&p->t.loop, fds[0]),
                                          NULL, &sf->info, sf_opened, NULL, sf),
                     0);
}

static void
sf_cli_open(struct sshpair *p, uint32_t id, const struct chan_open_info *info)
{
    struct sf *sf = p->udata;

    sf->n_cli_open++;
    assert_true(client_sessfwd_open(&sf->f, p->cli, id, info));
}

static struct sf *
sf_new(const char *type)
{
    struct sf *sf = calloc(1, sizeof(*sf));

    assert_non_null(sf);
    sf->p = sshpair_new(true);
    sf->p->udata = sf;
    sf->p->on_ready = sf_ready;
    sf->p->on_cli_open = sf_cli_open;
    sf->info.type = type;
    sf->info.orig_host = "127.0.0.1";
    sf->info.orig_port = 6010;
    buf_init(&sf->send);
    buf_init(&sf->at_local);
    buf_init(&sf->back);
    snprintf(sf->path, sizeof(sf->path), "%s/local.sock", test_tmpdir());
    unlink(sf->path);
    assert_int_equal(uv_pipe_init(&sf->p->t.loop, &sf->listener, 0), 0);
    sf->listener.data = sf;
    assert_int_equal(uv_pipe_bind(&sf->listener, sf->path), 0);
    assert_int_equal(uv_listen((uv_stream_t *)&sf->listener, 4, sf_accept), 0);
    return sf;
}

static void
sf_run(struct sf *sf)
{
    sshpair_start_pipe(sf->p, true);
    assert_int_equal(uv_run(&sf->p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(sf->n_cli_open, 1);
    assert_int_equal(sf->n_result, 1);
}

static void
sf_free(struct sf *sf)
{
    sshpair_free(sf->p);
    client_sessfwd_cleanup(&sf->f);
    buf_cleanup(&sf->send);
    buf_cleanup(&sf->at_local);
    buf_cleanup(&sf->back);
    unlink(sf->path);
    free(sf);
}

/* A server opens an agent channel (or an x11 one) nobody asked for:
 * refused, and the local agent (display) never hears of it. */
static void
test_unasked_refused(void **state)
{
    static const char *const types[] = {CONN_AUTH_AGENT, CONN_X11};
    struct sf *sf;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        sf = sf_new(types[i]);
        snprintf(sf->f.agent, sizeof(sf->f.agent), "%s", sf->path);
        sf_run(sf);
        assert_int_equal(sf->reason, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
        assert_int_equal(sf->n_accepted, 0);
        sf_free(sf);
    }
}

/* Asked for: the agent channel is joined to the agent's socket, bytes
 * cross both ways. */
static void
test_agent_asked(void **state)
{
    struct sf *sf = sf_new(CONN_AUTH_AGENT);

    (void)state;
    snprintf(sf->f.agent, sizeof(sf->f.agent), "%s", sf->path);
    sf->f.agent_asked = true;
    buf_put(&sf->send, "\0\0\0\1\x0b", 5); /* REQUEST_IDENTITIES */
    sf->want_local = 5;
    sf_run(sf);
    assert_int_equal(sf->reason, 0);
    assert_int_equal(sf->n_accepted, 1);
    assert_memory_equal(buf_ptr(&sf->at_local), "\0\0\0\1\x0b", 5);
    assert_int_equal(buf_len(&sf->back), 4);
    assert_memory_equal(buf_ptr(&sf->back), "pong", 4);
    sf_free(sf);
}

/* An X client's setup: byte order 'l', version 11.0, the cookie. */
static void
x11_setup(struct buf *b, const struct x11_cookie *ck, const uint8_t *data)
{
    static const uint8_t head[12] = {'l', 0, 11, 0, 0, 0, 18, 0, 16, 0, 0, 0};

    buf_reset(b);
    buf_put(b, head, sizeof(head));
    buf_put(b, ck->proto, 18);
    buf_put(b, "\0\0", 2);
    buf_put(b, data, 16);
}

static struct sf *
sf_x11(void)
{
    struct sf *sf = sf_new(CONN_X11);

    assert_int_equal(
        x11_cookie_init(&sf->f.x11.ck, "MIT-MAGIC-COOKIE-1", REAL_HEX), 0);
    sf->f.x11.is_ready = true;
    sf->f.x11.d.is_unix = true;
    snprintf(sf->f.x11.d.path, sizeof(sf->f.x11.d.path), "%s", sf->path);
    sf->f.x11_asked = true;
    return sf;
}

/* The fake cookie gets through as the real one; the X server answers. */
static void
test_x11_cookie_replaced(void **state)
{
    struct sf *sf = sf_x11();
    struct buf want;

    (void)state;
    buf_init(&want);
    x11_setup(&sf->send, &sf->f.x11.ck, sf->f.x11.ck.fake);
    x11_setup(&want, &sf->f.x11.ck, sf->f.x11.ck.real);
    sf->want_local = buf_len(&want);
    sf_run(sf);
    assert_int_equal(sf->reason, 0);
    assert_int_equal(sf->n_accepted, 1);
    assert_int_equal(buf_len(&sf->at_local), buf_len(&want));
    assert_memory_equal(buf_ptr(&sf->at_local), buf_ptr(&want), buf_len(&want));
    assert_memory_equal(buf_ptr(&sf->back), "pong", 4);
    buf_cleanup(&want);
    sf_free(sf);
}

/* Any other cookie (here the real one, which the server must not know)
 * ends the channel before the display is even connected to. */
static void
test_x11_wrong_cookie(void **state)
{
    struct sf *sf = sf_x11();

    (void)state;
    x11_setup(&sf->send, &sf->f.x11.ck, sf->f.x11.ck.real);
    sf_run(sf);
    assert_int_equal(sf->reason, 0); /* confirmed, then ended */
    assert_true(sf->srv_eof);
    assert_int_equal(buf_len(&sf->back), 0);
    assert_int_equal(sf->n_accepted, 0);
    sf_free(sf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unasked_refused),
        cmocka_unit_test(test_agent_asked),
        cmocka_unit_test(test_x11_cookie_replaced),
        cmocka_unit_test(test_x11_wrong_cookie),
    };

    signal(SIGPIPE, SIG_IGN); /* as adit: a closed peer is an error code */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
