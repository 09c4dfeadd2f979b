/* SPDX-License-Identifier: ISC */
/*
 * io_chan: a direct-tcpip channel between an io_conn client and server in
 * one loop, carrying a user socket to a local echo socket, all on
 * 127.0.0.1:
 *
 *   user --> front listener --> io_chan_open (client io_conn) ==SSH==>
 *   (server io_conn) io_chan_accept_connect --> echo socket
 *
 * The tests look at io_impl.h to see backpressure happen (a channel that
 * has stopped reading its socket while the peer's window is shut).
 */
#include "sshpair.h"

#include "conn/conn.h"
#include "io/io_chan.h"
#include "io/io_impl.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "util/adit_limits.h"

#define BULK (16u * 1024u * 1024u)
#define SMALL_SOCKBUF (16 * 1024)
#define ECHO_HIGH (256u * 1024u)
#define ECHO_LOW (64u * 1024u)
#define STALL_MS 10000u
#define POKE_MS 2u

#define BLAST (1024u * 1024u)

/* What the server's channel connects to: an echo; a blast (BLAST bytes
 * and EOF at once, then it reads to EOF); a closed port; a listener whose
 * backlog is full. */
enum target { TARGET_ECHO, TARGET_BLAST, TARGET_REFUSED, TARGET_HANG };

struct ct {
    struct sshpair *p;
    enum target target;
    size_t total;
    uint8_t *tx;     /* what the user sends; NULL: sends nothing */
    bool wait_pause; /* the user reads only once both ends stalled */
    bool wait_gone;  /* the user reads only once the channel closed */
    const uint8_t *rx_expect;
    size_t rx_total;
    /* the user's socket */
    uv_tcp_t user;
    uv_connect_t user_creq;
    uv_write_t user_wreq;
    uv_shutdown_t user_sreq;
    size_t rx_off;
    bool user_reading, user_eof, user_shut, user_closed;
    uint64_t t_start;
    /* the front listener the client forwards from */
    uv_tcp_t front;
    uint16_t front_port;
    unsigned n_open_cb;
    uint32_t open_reason;
    char open_msg[128];
    /* the echo socket the server connects to */
    uv_tcp_t echo_l;
    uint16_t echo_port;
    uv_tcp_t *echo;
    uv_shutdown_t echo_sreq;
    size_t echo_pending, echo_bytes;
    bool echo_reading, echo_eof, blast_shut;
    unsigned n_echo_closed;
    /* TARGET_HANG */
    int full_fd;
    uint16_t full_port;
    uv_tcp_t filler;
    uv_connect_t filler_req;
    uv_timer_t abort_timer;
    /* observation */
    uv_check_t check;
    uv_timer_t poke;
    bool saw_cli_gone;
    bool saw_srv_paused, saw_cli_paused, nodelay_ok, disconnected;
    uint64_t kex_count;
    /* test_chan_echo_early */
    bool early;           /* the channel opens once the user's EOF is sent */
    uv_tcp_t *early_sock; /* accepted, waiting for that */
    struct io_chan *open_ch;
    bool open_pass, open_checked;
    size_t win_at_open, sent_in_open_pass;
    /* test_chan_blocked_drain */
    bool block_once, block_done;
    bool drain_sent; /* block_and_drain: the flush is due */
};

struct echo_wreq {
    uv_write_t req;
    struct ct *ct;
    size_t n;
    uint8_t data[];
};

/* ---- the echo end ---- */

static void
echo_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    b->base = malloc(65536);
    b->len = b->base != NULL ? 65536 : 0;
}

static void
echo_closed(uv_handle_t *h)
{
    struct ct *ct = h->data;

    ct->n_echo_closed++;
    free(h);
}

static void
echo_shut(uv_shutdown_t *req, int status)
{
    struct ct *ct = req->data;

    uv_close((uv_handle_t *)ct->echo, echo_closed);
}

static void echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

static void
echo_written(uv_write_t *req, int status)
{
    struct echo_wreq *w = req->data;
    struct ct *ct = w->ct;

    assert_int_equal(status, 0);
    ct->echo_pending -= w->n;
    free(w);
    if (!ct->echo_reading && !ct->echo_eof && ct->echo_pending < ECHO_LOW) {
        ct->echo_reading = true;
        assert_int_equal(
            uv_read_start((uv_stream_t *)ct->echo, echo_alloc, echo_read), 0);
    }
}

/* Echo with backpressure of its own: stop reading while the writes back
 * are above ECHO_HIGH, so a stalled return path stalls the forward one. */
static void
echo_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct ct *ct = s->data;
    struct echo_wreq *w;
    uv_buf_t ub;

    if (n > 0) {
        w = malloc(sizeof(*w) + (size_t)n);
        assert_non_null(w);
        w->ct = ct;
        w->n = (size_t)n;
        w->req.data = w;
        memcpy(w->data, b->base, (size_t)n);
        ub = uv_buf_init((char *)w->data, (unsigned)n);
        assert_int_equal(uv_write(&w->req, s, &ub, 1, echo_written), 0);
        ct->echo_pending += (size_t)n;
        ct->echo_bytes += (size_t)n;
        if (ct->echo_pending > ECHO_HIGH) {
            ct->echo_reading = false;
            uv_read_stop(s);
        }
    } else if (n < 0) {
        assert_int_equal(n, UV_EOF);
        ct->echo_eof = true;
        ct->echo_reading = false;
        uv_read_stop(s);
        if (ct->target == TARGET_BLAST) {
            if (ct->blast_shut) {
                uv_close((uv_handle_t *)s, echo_closed);
            }
        } else {
            ct->echo_sreq.data = ct;
            assert_int_equal(uv_shutdown(&ct->echo_sreq, s, echo_shut), 0);
        }
    }
    free(b->base);
}

/* The blast closes once it has both sent and read everything. */
static void
echo_blast_shut(uv_shutdown_t *req, int status)
{
    struct ct *ct = req->data;

    assert_int_equal(status, 0);
    ct->blast_shut = true;
    if (ct->echo_eof) {
        uv_close((uv_handle_t *)ct->echo, echo_closed);
    }
}

/* All of rx_expect and EOF, queued at once. */
static void
echo_blast(struct ct *ct)
{
    struct echo_wreq *w = malloc(sizeof(*w) + ct->rx_total);
    uv_buf_t ub;

    assert_non_null(w);
    w->ct = ct;
    w->n = ct->rx_total;
    w->req.data = w;
    memcpy(w->data, ct->rx_expect, ct->rx_total);
    ub = uv_buf_init((char *)w->data, (unsigned)w->n);
    ct->echo_pending += w->n;
    assert_int_equal(
        uv_write(&w->req, (uv_stream_t *)ct->echo, &ub, 1, echo_written), 0);
    ct->echo_sreq.data = ct;
    assert_int_equal(
        uv_shutdown(&ct->echo_sreq, (uv_stream_t *)ct->echo, echo_blast_shut),
        0);
}

static void
echo_accept(uv_stream_t *l, int status)
{
    struct ct *ct = l->data;

    assert_int_equal(status, 0);
    assert_null(ct->echo);
    ct->echo = malloc(sizeof(*ct->echo));
    assert_non_null(ct->echo);
    assert_int_equal(uv_tcp_init(l->loop, ct->echo), 0);
    ct->echo->data = ct;
    assert_int_equal(uv_accept(l, (uv_stream_t *)ct->echo), 0);
    uv_close((uv_handle_t *)l, NULL);
    assert_int_equal(
        uv_recv_buffer_size((uv_handle_t *)ct->echo, &(int){SMALL_SOCKBUF}), 0);
    assert_int_equal(
        uv_send_buffer_size((uv_handle_t *)ct->echo, &(int){SMALL_SOCKBUF}), 0);
    if (ct->target == TARGET_BLAST) {
        echo_blast(ct);
    }
    ct->echo_reading = true;
    assert_int_equal(
        uv_read_start((uv_stream_t *)ct->echo, echo_alloc, echo_read), 0);
}

/* ---- the user end ---- */

static void
user_maybe_close(struct ct *ct)
{
    if (ct->user_eof && (ct->user_shut || ct->tx == NULL) && !ct->user_closed) {
        ct->user_closed = true;
        uv_close((uv_handle_t *)&ct->user, NULL);
    }
}

static void
user_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    b->base = malloc(65536);
    b->len = b->base != NULL ? 65536 : 0;
}

static void
user_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct ct *ct = s->data;

    if (n > 0) {
        assert_true((size_t)n <= ct->rx_total - ct->rx_off);
        if (memcmp(b->base, ct->rx_expect + ct->rx_off, (size_t)n) != 0) {
            fail_msg("echoed data differs near offset %zu", ct->rx_off);
        }
        ct->rx_off += (size_t)n;
    } else if (n < 0) {
        /* EOF, or a reset when the forward failed */
        ct->user_eof = true;
        uv_read_stop(s);
        user_maybe_close(ct);
    }
    free(b->base);
}

static void
user_start_reading(struct ct *ct)
{
    if (!ct->user_reading && !ct->user_closed) {
        ct->user_reading = true;
        assert_int_equal(
            uv_read_start((uv_stream_t *)&ct->user, user_alloc, user_read), 0);
    }
}

static void
user_written(uv_write_t *req, int status)
{
    struct ct *ct = req->data;

    assert_int_equal(status, 0);
    (void)ct;
}

static void front_open(struct ct *ct, uv_tcp_t *t);

static void
user_shut(uv_shutdown_t *req, int status)
{
    struct ct *ct = req->data;

    assert_int_equal(status, 0);
    ct->user_shut = true;
    if (ct->early_sock != NULL) {
        front_open(ct, ct->early_sock);
        ct->early_sock = NULL;
    }
    user_maybe_close(ct);
}

/* All of tx in one write, then EOF; reading waits for backpressure. */
static void
user_connected(uv_connect_t *req, int status)
{
    struct ct *ct = req->data;
    uv_buf_t ub;

    assert_int_equal(status, 0);
    assert_int_equal(
        uv_recv_buffer_size((uv_handle_t *)&ct->user, &(int){SMALL_SOCKBUF}),
        0);
    assert_int_equal(
        uv_send_buffer_size((uv_handle_t *)&ct->user, &(int){SMALL_SOCKBUF}),
        0);
    ct->t_start = uv_now(req->handle->loop);
    if (!ct->wait_pause && !ct->wait_gone) {
        user_start_reading(ct);
    }
    if (ct->tx == NULL) {
        return;
    }
    ct->user_wreq.data = ct;
    ct->user_sreq.data = ct;
    ub = uv_buf_init((char *)ct->tx, (unsigned)ct->total);
    assert_int_equal(uv_write(&ct->user_wreq, (uv_stream_t *)&ct->user, &ub, 1,
                              user_written),
                     0);
    assert_int_equal(
        uv_shutdown(&ct->user_sreq, (uv_stream_t *)&ct->user, user_shut), 0);
}

/* ---- the forward ---- */

static void
on_open_result(void *ctx, struct io_chan *ch, uint32_t reason, const char *msg)
{
    struct ct *ct = ctx;

    ct->n_open_cb++;
    ct->open_reason = reason;
    if (reason == 0) {
        ct->open_ch = ch;
        ct->win_at_open = conn_send_window(io_chan_conn(ch), io_chan_id(ch));
        ct->open_pass = true; /* on_check looks at the end of this pass */
    }
    snprintf(ct->open_msg, sizeof(ct->open_msg), "%s", msg != NULL ? msg : "");
}

static void
front_accept(uv_stream_t *l, int status)
{
    struct ct *ct = l->data;
    uv_tcp_t *t = malloc(sizeof(*t));

    assert_int_equal(status, 0);
    assert_non_null(t);
    assert_int_equal(uv_tcp_init(l->loop, t), 0);
    assert_int_equal(uv_accept(l, (uv_stream_t *)t), 0);
    uv_close((uv_handle_t *)l, NULL);
    assert_int_equal(
        uv_recv_buffer_size((uv_handle_t *)t, &(int){SMALL_SOCKBUF}), 0);
    assert_int_equal(
        uv_send_buffer_size((uv_handle_t *)t, &(int){SMALL_SOCKBUF}), 0);
    if (ct->early && !ct->user_shut) {
        ct->early_sock = t; /* user_shut opens the channel */
        return;
    }
    front_open(ct, t);
}

static void
front_open(struct ct *ct, uv_tcp_t *t)
{
    struct chan_open_info info;

    memset(&info, 0, sizeof(info));
    info.type = "direct-tcpip";
    info.host = "127.0.0.1";
    info.port = ct->target == TARGET_ECHO || ct->target == TARGET_BLAST
                    ? ct->echo_port
                : ct->target == TARGET_HANG ? ct->full_port
                                            : iotest_closed_port();
    info.orig_host = "127.0.0.1";
    info.orig_port = 40000;
    assert_int_equal(io_chan_open(ct->p->cli, t, &info, on_open_result, ct), 0);
    assert_int_equal(ct->n_open_cb, 0);
}

static void
abort_server(uv_timer_t *t)
{
    struct ct *ct = t->data;

    /* the server's channel is still connecting */
    assert_non_null(ct->p->srv);
    assert_non_null(ct->p->srv->chans);
    assert_non_null(ct->p->srv->chans->connecting);
    io_conn_disconnect(ct->p->srv, SSH_DISCONNECT_BY_APPLICATION, "going away");
    uv_close((uv_handle_t *)t, NULL);
}

static void
srv_open(struct sshpair *p, uint32_t id, const struct chan_open_info *info)
{
    struct ct *ct = p->udata;

    assert_string_equal(info->type, "direct-tcpip");
    assert_string_equal(info->host, "127.0.0.1");
    assert_string_equal(info->orig_host, "127.0.0.1");
    assert_int_equal(info->orig_port, 40000);
    assert_int_equal(io_chan_accept_connect(p->srv, id, info->host,
                                            (uint16_t)info->port, 5000),
                     0);
    if (ct->target == TARGET_HANG) {
        assert_int_equal(uv_timer_init(&p->t.loop, &ct->abort_timer), 0);
        ct->abort_timer.data = ct;
        assert_int_equal(uv_timer_start(&ct->abort_timer, abort_server, 200, 0),
                         0);
    }
}

static void
filler_connected(uv_connect_t *req, int status)
{
    assert_int_equal(status, 0);
}

/* Both ends logged in: listen, and the user connects. */
static void
ready(struct sshpair *p)
{
    struct ct *ct = p->udata;
    struct sockaddr_in sin;

    /* Backpressure is what the bulk test watches: fixed windows. Toward an
     * adit peer a busy window grows up to 16 MiB, as much as BULK, so one
     * side might never stop (it failed that way under load). */
    if (ct->wait_pause) {
        conn_set_peer_adit(io_conn_conn(p->cli), false);
        conn_set_peer_adit(io_conn_conn(p->srv), false);
    }
    if (ct->target == TARGET_ECHO || ct->target == TARGET_BLAST) {
        ct->echo_port =
            iotest_listen(&p->t.loop, &ct->echo_l, 4, echo_accept, ct);
    }
    ct->front_port = iotest_listen(&p->t.loop, &ct->front, 4, front_accept, ct);
    assert_int_equal(uv_ip4_addr("127.0.0.1", ct->front_port, &sin), 0);
    assert_int_equal(uv_tcp_init(&p->t.loop, &ct->user), 0);
    ct->user.data = ct;
    ct->user_creq.data = ct;
    assert_int_equal(uv_tcp_connect(&ct->user_creq, &ct->user,
                                    (struct sockaddr *)&sin, user_connected),
                     0);
}

/* ---- watching from the loop ---- */

static bool
chan_paused(struct io_conn *ic)
{
    struct io_chan *ch = ic != NULL ? ic->chans : NULL;
    struct conn *c = ic != NULL ? io_conn_conn(ic) : NULL;

    return ch != NULL && c != NULL && ch->confirmed && !ch->gone &&
           ch->st != NULL && !ch->local_eof && !ch->reading &&
           conn_send_window(c, ch->id) == 0;
}

static bool
chans_gone(struct sshpair *p)
{
    return (p->cli == NULL || p->cli->chans == NULL) &&
           (p->srv == NULL || p->srv->chans == NULL);
}

/*
 * The client's channel stops at the connection's output mark (as when a
 * rekey held megabytes), then the output drains in a write the socket
 * takes at once (uv_try_write): no write callback comes, and the flush
 * itself must wake the channel. Done once the channel reads and nothing
 * is in flight, so that the drain is such a write. The flush comes at
 * the end of the loop's turn: the channel is still stopped right after
 * io_conn_flush, and reads again by the next check.
 */
static void
block_and_drain(struct ct *ct)
{
    struct io_conn *ic = ct->p->cli;
    struct io_chan *ch = ic != NULL ? ic->chans : NULL;

    if (ct->drain_sent) {
        ct->drain_sent = false;
        if (ch == NULL || ic->n_writes != 0 ||
            io_conn_queued(ic) >= LIM_OUTQ_HIGHWATER) {
            return; /* queued after all: its callback wakes; try again */
        }
        ct->block_done = true;
        assert_int_not_equal(ch->list, IO_LIST_BLOCKED); /* woken */
        return;
    }
    if (ch == NULL || !ch->reading || ic->n_writes != 0 ||
        session_queued(ic->s) != 0) {
        return;
    }
    ic->inflight += LIM_OUTQ_HIGHWATER; /* as if writes were in flight */
    io_chan_update_reading(ch);
    ic->inflight -= LIM_OUTQ_HIGHWATER;
    assert_int_equal(ch->list, IO_LIST_BLOCKED);
    assert_false(ch->reading);
    assert_int_equal(session_send_debug(ic->s, "drain"), 0);
    io_conn_flush(ic);
    assert_int_equal(ch->list, IO_LIST_BLOCKED); /* the turn's end wakes */
    ct->drain_sent = true;
}

/* A channel reads its share of a turn (IO_CHAN_TURN_MAX, crossed by
 * one read at most), then the other ready channels have theirs. */
static void
check_turn_share(struct io_conn *ic)
{
    struct io_chan *ch;

    for (ch = ic != NULL ? ic->chans : NULL; ch != NULL; ch = ch->next) {
        assert_true(ch->turn_read < IO_CHAN_TURN_MAX + IO_READ_SIZE);
    }
}

static void
on_check(uv_check_t *h)
{
    struct ct *ct = h->data;
    struct sshpair *p = ct->p;
    struct transport_stats st;

    if (ct->block_once && !ct->block_done) {
        block_and_drain(ct);
    }
    check_turn_share(p->cli);
    check_turn_share(p->srv);
    if (ct->open_pass && !ct->open_checked) {
        ct->open_checked = true;
        ct->sent_in_open_pass =
            ct->win_at_open - conn_send_window(io_chan_conn(ct->open_ch),
                                               io_chan_id(ct->open_ch));
    }

    if (chan_paused(p->srv)) {
        ct->saw_srv_paused = true;
    }
    if (chan_paused(p->cli)) {
        ct->saw_cli_paused = true;
    }
    if (!ct->nodelay_ok && p->srv != NULL && p->srv->chans != NULL &&
        p->srv->chans->st != NULL && p->cli != NULL && p->cli->chans != NULL &&
        p->cli->chans->st != NULL) {
        ct->nodelay_ok = iotest_nodelay((uv_tcp_t *)p->srv->chans->st) &&
                         iotest_nodelay((uv_tcp_t *)p->cli->chans->st);
    }
    if (ct->wait_gone && p->cli != NULL && p->cli->chans != NULL &&
        p->cli->chans->gone) {
        ct->saw_cli_gone = true;
    }
    if (ct->t_start != 0 &&
        ((ct->wait_pause && ct->saw_srv_paused && ct->saw_cli_paused) ||
         (ct->wait_gone && (ct->saw_cli_gone || chans_gone(p))) ||
         uv_now(&p->t.loop) - ct->t_start > STALL_MS)) {
        user_start_reading(ct);
    }
    if (ct->user_closed && chans_gone(p) && !ct->disconnected) {
        ct->disconnected = true;
        if (p->cli != NULL) {
            assert_int_equal(conn_channel_count(io_conn_conn(p->cli)), 0);
            transport_get_stats(session_transport(io_conn_session(p->cli)),
                                &st);
            ct->kex_count = st.kex_count;
            io_conn_disconnect(p->cli, SSH_DISCONNECT_BY_APPLICATION, "done");
        }
        if (!uv_is_closing((uv_handle_t *)h)) {
            uv_close((uv_handle_t *)h, NULL);
            uv_close((uv_handle_t *)&ct->poke, NULL);
        }
    }
}

/* Both connections are over: stop watching, if not done already. */
static void
all_closed(struct sshpair *p)
{
    struct ct *ct = p->udata;

    if (!uv_is_closing((uv_handle_t *)&ct->check)) {
        uv_close((uv_handle_t *)&ct->check, NULL);
        uv_close((uv_handle_t *)&ct->poke, NULL);
    }
}

/*
 * Sockets and channels are freed in close callbacks, which libuv runs
 * after the check phase; without this the check would only see the last
 * one gone after the next event (the connection's one-second tick).
 */
static void
on_poke(uv_timer_t *t)
{
}

static struct ct *
ct_new(enum target target, bool send, size_t total)
{
    struct ct *ct = calloc(1, sizeof(*ct));
    size_t i;

    assert_non_null(ct);
    ct->target = target;
    ct->total = total;
    ct->full_fd = -1;
    ct->wait_pause = total >= BULK;
    ct->rx_total = target == TARGET_ECHO ? total : 0;
    if (send) {
        ct->tx = malloc(total + 1);
        assert_non_null(ct->tx);
        for (i = 0; i < total; i++) {
            ct->tx[i] = (uint8_t)(i * 7 + (i >> 13));
        }
        ct->rx_expect = ct->tx;
    }
    ct->p = sshpair_new(true);
    ct->p->udata = ct;
    ct->p->on_ready = ready;
    ct->p->on_open = srv_open;
    ct->p->on_closed = all_closed;
    assert_int_equal(uv_check_init(&ct->p->t.loop, &ct->check), 0);
    ct->check.data = ct;
    assert_int_equal(uv_check_start(&ct->check, on_check), 0);
    uv_unref((uv_handle_t *)&ct->check);
    assert_int_equal(uv_timer_init(&ct->p->t.loop, &ct->poke), 0);
    assert_int_equal(uv_timer_start(&ct->poke, on_poke, POKE_MS, POKE_MS), 0);
    uv_unref((uv_handle_t *)&ct->poke);
    return ct;
}

static void
ct_run(struct ct *ct)
{
    sshpair_start(ct->p);
    assert_int_equal(uv_run(&ct->p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(ct->p->n_auth_cli, 1);
    assert_int_equal(ct->p->n_auth_srv, 1);
    assert_int_equal(ct->p->n_closed_cli, 1);
    assert_int_equal(ct->p->n_closed_srv, 1);
    assert_true(ct->user_closed);
}

static void
ct_free(struct ct *ct)
{
    sshpair_free(ct->p);
    if (ct->full_fd >= 0) {
        close(ct->full_fd);
    }
    free(ct->tx);
    free(ct);
}

/*
 * BULK bytes to the echo and back, with a rekey every few MiB. The user
 * reads nothing until both channels were seen stopped on a shut window,
 * so both stop (uv_read_stop) and start again; then EOF each way, the
 * channel closes, and the client disconnects.
 */
static void
test_chan_echo_bulk(void **state)
{
    struct ct *ct = ct_new(TARGET_ECHO, true, BULK);

    ct->p->rekey_bytes = 6u * 1024u * 1024u;
    ct_run(ct);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, 0);
    assert_true(ct->saw_srv_paused);
    assert_true(ct->saw_cli_paused);
    assert_true(ct->nodelay_ok);
    assert_int_equal(ct->echo_bytes, BULK);
    assert_int_equal(ct->rx_off, BULK);
    assert_true(ct->user_eof);
    assert_true(ct->echo_eof);
    assert_int_equal(ct->n_echo_closed, 1);
    assert_true(ct->kex_count >= 2);
    assert_string_equal(ct->p->why_cli, "done");
    assert_string_equal(ct->p->why_srv,
                        "Received disconnect from peer: 11: done");
    ct_free(ct);
}

/* A small transfer, no backpressure: the common case. */
static void
test_chan_echo_small(void **state)
{
    struct ct *ct = ct_new(TARGET_ECHO, true, 1000);

    ct_run(ct);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, 0);
    assert_int_equal(ct->rx_off, 1000);
    assert_int_equal(ct->n_echo_closed, 1);
    ct_free(ct);
}

/*
 * The user's data and EOF are in the socket before the channel is even
 * opened: the data is read and sent in the loop pass that brings the
 * confirmation, not one pass later (a short connection's latency).
 */
static void
test_chan_echo_early(void **state)
{
    struct ct *ct = ct_new(TARGET_ECHO, true, 1000);

    ct->early = true;
    ct_run(ct);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, 0);
    assert_true(ct->open_checked);
    assert_int_equal(ct->sent_in_open_pass, 1000);
    assert_int_equal(ct->rx_off, 1000);
    assert_int_equal(ct->echo_bytes, 1000);
    assert_int_equal(ct->n_echo_closed, 1);
    ct_free(ct);
}

/* Nothing to send at all: EOF at once each way still closes cleanly. */
static void
test_chan_echo_empty(void **state)
{
    struct ct *ct = ct_new(TARGET_ECHO, true, 0);

    ct_run(ct);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, 0);
    assert_int_equal(ct->rx_off, 0);
    assert_int_equal(ct->echo_bytes, 0);
    assert_int_equal(ct->n_echo_closed, 1);
    ct_free(ct);
}

/*
 * The target sends BLAST bytes and EOF at once, so the server's EOF and
 * CLOSE reach the client while most of the data still waits to be
 * written to the user, who reads nothing until then: the data owed to the
 * local socket must still be delivered before the socket closes (it was
 * dropped when the socket was closed on the peer's CLOSE).
 */
static void
test_chan_close_drains(void **state)
{
    struct ct *ct = ct_new(TARGET_BLAST, true, 0);
    uint8_t *blast = malloc(BLAST);
    size_t i;

    assert_non_null(blast);
    for (i = 0; i < BLAST; i++) {
        blast[i] = (uint8_t)(i * 13 + (i >> 11));
    }
    ct->rx_expect = blast;
    ct->rx_total = BLAST;
    ct->wait_gone = true;
    ct_run(ct);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, 0);
    assert_true(ct->saw_cli_gone);
    assert_true(ct->user_eof);
    assert_int_equal(ct->rx_off, BLAST);
    assert_int_equal(ct->n_echo_closed, 1);
    free(blast);
    ct_free(ct);
}

/*
 * A channel stopped at the output mark reads again when the output drains
 * without a write callback (block_and_drain), and the data still gets
 * through: with uv_try_write and no wake-up in the flush, a rekey that
 * held 8 MiB left the channel stopped for good (test_rekey_with_data
 * stalled now and then).
 */
static void
test_chan_blocked_drain(void **state)
{
    struct ct *ct = ct_new(TARGET_ECHO, true, BLAST);

    ct->block_once = true;
    ct_run(ct);
    assert_true(ct->block_done);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, 0);
    assert_int_equal(ct->echo_bytes, BLAST);
    assert_int_equal(ct->rx_off, BLAST);
    assert_int_equal(ct->n_echo_closed, 1);
    ct_free(ct);
}

/* The server cannot connect: the open fails with the system's words and
 * the user's socket is closed. */
static void
test_chan_connect_refused(void **state)
{
    struct ct *ct = ct_new(TARGET_REFUSED, false, 0);

    ct_run(ct);
    assert_int_equal(ct->n_open_cb, 1);
    assert_int_equal(ct->open_reason, SSH_OPEN_CONNECT_FAILED);
    assert_string_equal(ct->open_msg, "Connection refused");
    assert_true(ct->user_eof);
    assert_string_equal(ct->p->why_cli, "done");
    ct_free(ct);
}

/* The server's connection ends while its channel is still connecting:
 * the connect is cancelled and every handle on both sides goes. */
static void
test_chan_abort_connecting(void **state)
{
    struct ct *ct = ct_new(TARGET_HANG, false, 0);
    struct sockaddr_in sin;

    ct->full_fd = iotest_full_listener(&ct->full_port);
    assert_int_equal(uv_ip4_addr("127.0.0.1", ct->full_port, &sin), 0);
    assert_int_equal(uv_tcp_init(&ct->p->t.loop, &ct->filler), 0);
    assert_int_equal(uv_tcp_connect(&ct->filler_req, &ct->filler,
                                    (struct sockaddr *)&sin, filler_connected),
                     0);
    ct_run(ct);
    /* never answered: the connection ended first */
    assert_int_equal(ct->n_open_cb, 0);
    assert_true(ct->user_eof);
    assert_string_equal(ct->p->why_srv, "going away");
    assert_string_equal(ct->p->why_cli,
                        "Received disconnect from peer: 11: going away");
    uv_close((uv_handle_t *)&ct->filler, NULL);
    ct_free(ct);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chan_echo_small),
        cmocka_unit_test(test_chan_echo_empty),
        cmocka_unit_test(test_chan_echo_early),
        cmocka_unit_test(test_chan_echo_bulk),
        cmocka_unit_test(test_chan_close_drains),
        cmocka_unit_test(test_chan_blocked_drain),
        cmocka_unit_test(test_chan_connect_refused),
        cmocka_unit_test(test_chan_abort_connecting),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
