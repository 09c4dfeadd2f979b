/* SPDX-License-Identifier: ISC */
/*
 * io_chan_open_tagged, io_chan_accept_stream and io_conn_close_tagged: the
 * server opens a tagged forwarded-tcpip channel for one end of a
 * socketpair, the client joins it to another, a byte crosses, and closing
 * the tag ends both local sockets; the open and done callbacks run once.
 */
#include "sshpair.h"

#include "io/io_chan.h"
#include "transport/ssh_msg.h"

#define TAG 7u

struct tg {
    struct sshpair *p;
    uv_stream_t *srv_end, *cli_end; /* the test's ends of the two pairs */
    unsigned n_opened, n_done, n_eof;
    uint32_t reason;
    bool got_ping;
    uv_write_t wreq;
    char rbuf[64];
};

static void
tg_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct tg *tg = h->data;

    *b = uv_buf_init(tg->rbuf, sizeof(tg->rbuf));
}

static void
tg_end_closed(struct tg *tg)
{
    if (++tg->n_eof == 2) {
        io_conn_disconnect(tg->p->cli, SSH_DISCONNECT_BY_APPLICATION, "done");
    }
}

/* Both test ends see EOF once the tagged channel is closed. */
static void
tg_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct tg *tg = st->data;

    if (nread > 0 && st == tg->cli_end) {
        assert_int_equal(nread, 4);
        assert_memory_equal(b->base, "ping", 4);
        tg->got_ping = true;
        io_conn_close_tagged(tg->p->srv, TAG + 1); /* another tag: nothing */
        io_conn_close_tagged(tg->p->srv, TAG);
        return;
    }
    if (nread < 0) {
        assert_int_equal(nread, UV_EOF);
        uv_read_stop(st);
        io_close_free((uv_handle_t *)st);
        tg_end_closed(tg);
    }
}

static uv_stream_t *
tg_pair(struct tg *tg, uv_stream_t **mine)
{
    uv_os_sock_t fds[2];
    uv_stream_t *theirs;

    assert_int_equal(uv_socketpair(SOCK_STREAM, 0, fds, 0, 0), 0);
    theirs = sshpair_pipe(&tg->p->t.loop, fds[0]);
    *mine = sshpair_pipe(&tg->p->t.loop, fds[1]);
    (*mine)->data = tg;
    assert_int_equal(uv_read_start(*mine, tg_alloc, tg_read), 0);
    return theirs;
}

static void
tg_opened(void *ctx, struct io_chan *ch, uint32_t reason, const char *msg)
{
    struct tg *tg = ctx;
    uv_buf_t b = uv_buf_init("ping", 4);

    tg->n_opened++;
    tg->reason = reason;
    assert_int_equal(uv_write(&tg->wreq, tg->srv_end, &b, 1, NULL), 0);
}

static void
tg_done(void *ctx)
{
    ((struct tg *)ctx)->n_done++;
}

static void
tg_ready(struct sshpair *p)
{
    struct tg *tg = p->udata;
    struct chan_open_info info;

    memset(&info, 0, sizeof(info));
    info.type = "forwarded-tcpip";
    info.host = "web-1";
    info.port = 22;
    info.orig_host = "127.0.0.1";
    info.orig_port = 40000;
    assert_int_equal(io_chan_open_tagged(p->srv, tg_pair(tg, &tg->srv_end),
                                         &info, TAG, tg_opened, tg_done, tg),
                     0);
    assert_int_equal(tg->n_opened, 0); /* never from inside the call */
}

static void
tg_cli_open(struct sshpair *p, uint32_t id, const struct chan_open_info *info)
{
    struct tg *tg = p->udata;

    assert_string_equal(info->type, "forwarded-tcpip");
    assert_string_equal(info->host, "web-1");
    assert_int_equal(info->port, 22);
    assert_int_equal(
        io_chan_accept_stream(p->cli, id, tg_pair(tg, &tg->cli_end)), 0);
}

static void
test_tagged_channel(void **state)
{
    struct tg tg;

    memset(&tg, 0, sizeof(tg));
    tg.p = sshpair_new(true);
    tg.p->udata = &tg;
    tg.p->on_ready = tg_ready;
    tg.p->on_cli_open = tg_cli_open;
    sshpair_start_pipe(tg.p, true);
    assert_int_equal(uv_run(&tg.p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(tg.n_opened, 1);
    assert_int_equal(tg.reason, 0);
    assert_true(tg.got_ping);
    assert_int_equal(tg.n_eof, 2);
    assert_int_equal(tg.n_done, 1);
    assert_int_equal(tg.p->n_closed_cli, 1);
    assert_int_equal(tg.p->n_closed_srv, 1);
    sshpair_free(tg.p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tagged_channel),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
