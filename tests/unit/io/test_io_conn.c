/* SPDX-License-Identifier: ISC */
/* io_conn: an SSH client and server over loopback in one loop. */
#include "sshpair.h"

#include "transport/ssh_msg.h"

static void
ready_disconnect(struct sshpair *p)
{
    assert_false(io_conn_is_ending(p->cli));
    io_conn_disconnect(p->cli, SSH_DISCONNECT_BY_APPLICATION, "bye");
    assert_true(io_conn_is_ending(p->cli));
    assert_null(io_conn_conn(p->cli));
    /* a second call changes nothing */
    io_conn_disconnect(p->cli, SSH_DISCONNECT_PROTOCOL_ERROR, "again");
    /* closed() comes from the loop, not from inside the call */
    assert_int_equal(p->n_closed_cli, 0);
}

/* Login, DISCONNECT, every handle closed (sshpair_free checks the loop
 * closes); start joins the two ends. */
static void
login_and_disconnect(void (*start)(struct sshpair *p))
{
    struct sshpair *p = sshpair_new(true);

    p->on_ready = ready_disconnect;
    start(p);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(p->n_auth_cli, 1);
    assert_int_equal(p->n_auth_srv, 1);
    assert_int_equal(p->n_closed_cli, 1);
    assert_int_equal(p->n_closed_srv, 1);
    assert_string_equal(p->why_cli, "bye");
    assert_string_equal(p->why_srv, "Received disconnect from peer: 11: bye");
    sshpair_free(p);
}

static void
start_pipe(struct sshpair *p)
{
    sshpair_start_pipe(p, true);
}

static void
test_conn_login_and_disconnect(void **state)
{
    login_and_disconnect(sshpair_start);
}

/* The same over a socketpair (uv_pipe_t both ends), as a ProxyCommand or
 * a jump hop carries a connection. */
static void
test_conn_over_pipes(void **state)
{
    login_and_disconnect(start_pipe);
}

/* The peer's end of the pipe closes at once: "Connection closed by" the
 * peer's name, whether the read or the write notices first. */
static void
test_conn_pipe_peer_gone(void **state)
{
    struct sshpair *p = sshpair_new(true);

    sshpair_start_pipe(p, false);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(p->n_closed_cli, 1);
    assert_string_equal(p->why_cli, "Connection closed by UNKNOWN port 65535");
    sshpair_free(p);
}

/*
 * The server gives up after one failed key: its DISCONNECT must reach the
 * client before the socket closes, so the client reports the server's
 * reason and not a bare "Connection closed".
 */
static void
test_conn_server_refuses_auth(void **state)
{
    struct sshpair *p = sshpair_new(false);

    p->max_tries = 1;
    sshpair_start(p);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(p->n_auth_cli, 0);
    assert_int_equal(p->n_auth_srv, 0);
    assert_int_equal(p->n_closed_cli, 1);
    assert_int_equal(p->n_closed_srv, 1);
    assert_string_equal(p->why_srv, "Too many authentication failures");
    assert_string_equal(p->why_cli, "Received disconnect from peer: 2: "
                                    "Too many authentication failures");
    sshpair_free(p);
}

/* The client runs out of keys: its DISCONNECT reaches the server. */
static void
test_conn_client_gives_up(void **state)
{
    struct sshpair *p = sshpair_new(false);

    sshpair_start(p);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(p->n_auth_cli, 0);
    assert_int_equal(p->n_closed_cli, 1);
    assert_int_equal(p->n_closed_srv, 1);
    assert_string_equal(p->why_cli, "Permission denied (publickey).");
    assert_string_equal(p->why_srv, "Received disconnect from peer: 14: "
                                    "No more authentication methods available");
    sshpair_free(p);
}

/* ---- global requests: one reply queue for every caller ---- */

struct greqs {
    char seen[64];   /* one letter per reply: its request, then y or n */
    size_t port_len; /* reply data of "ok-port" */
    uint32_t port;
};

static void
greq_reply(void *ctx, struct io_conn *ic, bool ok, const uint8_t *data,
           size_t n)
{
    struct sshpair *p = io_conn_udata(ic);
    struct greqs *g = p->udata;
    size_t len = strlen(g->seen);

    g->seen[len] = *(const char *)ctx;
    g->seen[len + 1] = ok ? 'y' : 'n';
    if (*(const char *)ctx == 'p') {
        g->port_len = n;
        g->port = n == 4 ? get_u32_be(data) : 0;
    }
    if (strlen(g->seen) == 6) {
        io_conn_disconnect(ic, SSH_DISCONNECT_BY_APPLICATION, "bye");
    }
}

static void
ready_global_requests(struct sshpair *p)
{
    static const char a = 'a', b = 'b', port = 'p';

    io_conn_set_udata(p->cli, p);
    assert_int_equal(
        io_conn_global_request(p->cli, "ok-a", NULL, 0, greq_reply, (void *)&a),
        0);
    assert_int_equal(
        io_conn_global_request(p->cli, "no-b", NULL, 0, greq_reply, (void *)&b),
        0);
    /* no reply wanted: takes no place in the queue */
    assert_int_equal(
        io_conn_global_request(p->cli, "ok-c", NULL, 0, NULL, NULL), 0);
    assert_int_equal(io_conn_global_request(p->cli, "ok-port", NULL, 0,
                                            greq_reply, (void *)&port),
                     0);
}

/* Each answer reaches the callback of its own request, in order, with the
 * reply's data; a request without a callback wants no reply. */
static void
test_conn_global_requests(void **state)
{
    struct sshpair *p = sshpair_new(true);
    struct greqs g;

    memset(&g, 0, sizeof(g));
    p->udata = &g;
    p->on_ready = ready_global_requests;
    sshpair_start(p);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_string_equal(g.seen, "aybnpy");
    assert_int_equal(g.port_len, 4);
    assert_int_equal(g.port, 7);
    assert_int_equal(p->n_closed_cli, 1);
    sshpair_free(p);
}

/* ---- one write per turn of the loop ---- */

struct turn {
    uv_timer_t next;
    size_t held; /* output the packets added, not yet written */
    size_t left; /* output still in the session at the next turn */
    bool checked;
};

static void
turn_next(uv_timer_t *t)
{
    struct sshpair *p = t->data;
    struct turn *w = p->udata;

    w->left = session_queued(io_conn_session(p->cli));
    w->checked = true;
    uv_close((uv_handle_t *)t, NULL);
    io_conn_disconnect(p->cli, SSH_DISCONNECT_BY_APPLICATION, "bye");
}

static void
ready_turn(struct sshpair *p)
{
    struct turn *w = p->udata;
    size_t before = session_queued(io_conn_session(p->cli));
    int i;

    for (i = 0; i < 3; i++) {
        assert_int_equal(io_conn_global_request(p->cli, "keepalive@openssh.com",
                                                NULL, 0, NULL, NULL),
                         0);
    }
    w->held = session_queued(io_conn_session(p->cli)) - before;
    uv_timer_init(&p->t.loop, &w->next);
    w->next.data = p;
    uv_timer_start(&w->next, turn_next, 0, 0);
}

/* Packets made during a turn of the loop wait for its end and leave
 * together, before the next turn (its timers) begins. */
static void
test_conn_one_write_per_turn(void **state)
{
    struct sshpair *p = sshpair_new(true);
    struct turn w;

    memset(&w, 0, sizeof(w));
    p->udata = &w;
    p->on_ready = ready_turn;
    sshpair_start(p);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_true(w.held > 0);
    assert_true(w.checked);
    assert_int_equal(w.left, 0);
    assert_int_equal(p->n_closed_cli, 1);
    sshpair_free(p);
}

/* ---- a raw TCP peer against the server ---- */

struct raw {
    struct sshpair *p;
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_write_t wreq;
    uv_shutdown_t sreq;
    const char *send; /* NULL: close at once */
    char rx[4096];
    size_t rx_len;
    bool eof;
    char local[128];
};

static void
raw_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    struct raw *r = h->data;

    *b = uv_buf_init(r->rx + r->rx_len,
                     (unsigned)(sizeof(r->rx) - 1 - r->rx_len));
}

static void
raw_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct raw *r = s->data;

    if (n > 0) {
        r->rx_len += (size_t)n;
        assert_true(r->rx_len < sizeof(r->rx));
    } else if (n < 0) {
        r->eof = true;
        uv_close((uv_handle_t *)s, NULL);
    }
}

static void
raw_written(uv_write_t *req, int status)
{
    assert_int_equal(status, 0);
}

static void
raw_shut(uv_shutdown_t *req, int status)
{
    assert_int_equal(status, 0);
}

static void
raw_connected(uv_connect_t *req, int status)
{
    struct raw *r = req->data;
    uv_buf_t b;
    uint16_t port;
    char addr[64];

    assert_int_equal(status, 0);
    assert_int_equal(io_sock_str(&r->tcp, addr, sizeof(addr), &port), 0);
    snprintf(r->local, sizeof(r->local), "Connection closed by %s port %u",
             addr, (unsigned)port);
    if (r->send == NULL) {
        /* Half-close and read on: closing with the server's unread
         * version line would send a reset instead of a FIN. */
        assert_int_equal(
            uv_shutdown(&r->sreq, (uv_stream_t *)&r->tcp, raw_shut), 0);
    } else {
        b = uv_buf_init((char *)r->send, (unsigned)strlen(r->send));
        assert_int_equal(
            uv_write(&r->wreq, (uv_stream_t *)&r->tcp, &b, 1, raw_written), 0);
    }
    assert_int_equal(uv_read_start((uv_stream_t *)&r->tcp, raw_alloc, raw_read),
                     0);
}

static void
raw_run(struct sshpair *p, struct raw *r)
{
    struct sockaddr_in sin;

    r->p = p;
    p->port = iotest_listen(&p->t.loop, &p->listener, 4, sshpair_accept, p);
    assert_int_equal(uv_ip4_addr("127.0.0.1", p->port, &sin), 0);
    assert_int_equal(uv_tcp_init(&p->t.loop, &r->tcp), 0);
    r->tcp.data = r;
    r->creq.data = r;
    assert_int_equal(uv_tcp_connect(&r->creq, &r->tcp, (struct sockaddr *)&sin,
                                    raw_connected),
                     0);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
}

static void
test_conn_peer_closes(void **state)
{
    struct sshpair *p = sshpair_new(true);
    struct raw r;

    memset(&r, 0, sizeof(r));
    raw_run(p, &r);
    assert_int_equal(p->n_closed_srv, 1);
    assert_string_equal(p->why_srv, r.local);
    assert_true(r.eof);
    assert_memory_equal(r.rx, "SSH-2.0-aditd_iotest\r\n", 22);
    sshpair_free(p);
}

/* A peer that speaks SSH-1: the server ends the connection after sending
 * its own version line, and every handle goes. */
static void
test_conn_bad_version(void **state)
{
    struct sshpair *p = sshpair_new(true);
    struct raw r;

    memset(&r, 0, sizeof(r));
    r.send = "SSH-1.5-ancient\r\n";
    raw_run(p, &r);
    assert_int_equal(p->n_closed_srv, 1);
    assert_true(p->why_srv[0] != '\0');
    assert_true(r.eof);
    assert_true(r.rx_len > 0);
    assert_memory_equal(r.rx, "SSH-2.0-aditd_iotest\r\n", 22);
    sshpair_free(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_login_and_disconnect),
        cmocka_unit_test(test_conn_global_requests),
        cmocka_unit_test(test_conn_one_write_per_turn),
        cmocka_unit_test(test_conn_over_pipes),
        cmocka_unit_test(test_conn_pipe_peer_gone),
        cmocka_unit_test(test_conn_server_refuses_auth),
        cmocka_unit_test(test_conn_client_gives_up),
        cmocka_unit_test(test_conn_peer_closes),
        cmocka_unit_test(test_conn_bad_version),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
