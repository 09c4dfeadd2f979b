/* SPDX-License-Identifier: ISC */
/*
 * fwd_remote over a real client/server pair: a -R 0 added and cancelled
 * before the server has given its port is cancelled with that port once
 * it comes (never with port 0), and the room of added forwards is taken
 * again once they are cancelled and answered.
 */
#include "io/sshpair.h"

#include <stdio.h>
#include <string.h>

#include "config/fwdspec.h"
#include "fwd/fwd_remote.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "wire/rd.h"

/* What the server was asked, "name port;" each. */
struct seen {
    char log[4096];
    unsigned cancels;    /* disconnect after this many cancels */
    unsigned n_cancel;   /* cancels seen */
    unsigned n_added;    /* fwd_remote_add callbacks */
    unsigned n_added_ok; /* of those, granted */
    uint16_t port;       /* the last granted port */
    struct fwd_remote *fr;
    struct fwdspec spec;
};

static bool
on_global(struct sshpair *p, struct io_conn *ic, const char *name,
          const uint8_t *data, size_t n, struct buf *reply)
{
    struct seen *s = p->udata;
    const uint8_t *addr;
    size_t addr_len, len = strlen(s->log);
    uint32_t port = 0;
    struct rd rd;

    rd_init(&rd, data, n);
    if (rd_string(&rd, &addr, &addr_len, 255) != 0 || rd_u32(&rd, &port)) {
        return false;
    }
    snprintf(s->log + len, sizeof(s->log) - len, "%s %u;", name,
             (unsigned)port);
    if (strcmp(name, "cancel-tcpip-forward") == 0) {
        if (++s->n_cancel == s->cancels) {
            io_conn_disconnect(ic, SSH_DISCONNECT_BY_APPLICATION, "bye");
        }
        return true;
    }
    /* Port 0 gets 7000 + the request's number. */
    return port != 0 || buf_put_u32(reply, 7000u + (uint32_t)len % 97u) == 0;
}

static void
added(void *ctx, bool ok, uint16_t port)
{
    struct seen *s = ctx;

    s->n_added++;
    s->n_added_ok += ok ? 1u : 0u;
    s->port = port;
}

static void
ready_cancel_pending(struct sshpair *p)
{
    struct seen *s = p->udata;
    struct fwd_remote_cbs cbs;

    memset(&cbs, 0, sizeof(cbs));
    assert_int_equal(fwd_remote_new(&s->fr, NULL, 0, false, &cbs), 0);
    assert_int_equal(fwd_remote_add(s->fr, p->cli, &s->spec, added, s), 0);
    /* The answer has not come: the cancel waits for the port. */
    assert_int_equal(fwd_remote_cancel(s->fr, p->cli, 0), 0);
    assert_null(fwd_remote_spec(s->fr, 0));
    io_conn_flush(p->cli);
}

/* -R 0 cancelled while its answer is pending: the cancel the server gets
 * names the port it gave, not 0. */
static void
test_cancel_pending_port0(void **state)
{
    struct sshpair *p = sshpair_new(true);
    struct seen s;
    char want[128];

    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(
        fwdspec_parse_kind("0:127.0.0.1:9", FWDSPEC_REMOTE, &s.spec), 0);
    s.cancels = 1;
    p->udata = &s;
    p->on_global = on_global;
    p->on_ready = ready_cancel_pending;
    sshpair_start(p);
    assert_int_equal(uv_run(&p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(s.n_added, 1);
    assert_int_equal(s.n_added_ok, 1);
    assert_true(s.port >= 7000);
    snprintf(want, sizeof(want), "tcpip-forward 0;cancel-tcpip-forward %u;",
             (unsigned)s.port);
    assert_string_equal(s.log, want);
    fwd_remote_free(s.fr);
    fwdspec_cleanup(&s.spec);
    sshpair_free(p);
}

/* Each answer of the reuse test: cancel it, add the next, until more
 * than LIM_MUX_FWDS forwards have come and gone. */
#define REUSE_ROUNDS (LIM_MUX_FWDS + 8u)

static struct sshpair *reuse_pair(struct seen *s);

static void
reuse_next(void *ctx, bool ok, uint16_t port)
{
    struct seen *s = ctx;
    struct sshpair *p = reuse_pair(s);
    size_t i;

    added(s, ok, port);
    for (i = 0; i < fwd_remote_count(s->fr); i++) {
        if (fwd_remote_spec(s->fr, i) != NULL) {
            assert_int_equal(fwd_remote_cancel(s->fr, p->cli, i), 0);
        }
    }
    if (s->n_added < REUSE_ROUNDS) {
        s->spec.listen_port = (uint16_t)(20000u + s->n_added);
        assert_int_equal(fwd_remote_add(s->fr, p->cli, &s->spec, reuse_next, s),
                         0);
    }
    io_conn_flush(p->cli);
}

struct reuse {
    struct seen s; /* first: the callbacks' ctx */
    struct sshpair *p;
};

static struct sshpair *
reuse_pair(struct seen *s)
{
    return ((struct reuse *)s)->p;
}

static void
ready_reuse(struct sshpair *p)
{
    struct seen *s = p->udata;
    struct fwd_remote_cbs cbs;

    memset(&cbs, 0, sizeof(cbs));
    assert_int_equal(fwd_remote_new(&s->fr, NULL, 0, false, &cbs), 0);
    s->spec.listen_port = 20000;
    assert_int_equal(fwd_remote_add(s->fr, p->cli, &s->spec, reuse_next, s), 0);
    io_conn_flush(p->cli);
}

/* More forwards added and cancelled, one after the other, than there is
 * room for at once: each is granted, and the entries stay few. */
static void
test_room_reused(void **state)
{
    struct reuse r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.p = sshpair_new(true);
    assert_int_equal(
        fwdspec_parse_kind("20000:127.0.0.1:9", FWDSPEC_REMOTE, &r.s.spec), 0);
    r.s.cancels = REUSE_ROUNDS;
    r.p->udata = &r.s;
    r.p->on_global = on_global;
    r.p->on_ready = ready_reuse;
    sshpair_start(r.p);
    assert_int_equal(uv_run(&r.p->t.loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(r.s.n_added, REUSE_ROUNDS);
    assert_int_equal(r.s.n_added_ok, REUSE_ROUNDS);
    assert_int_equal(r.s.n_cancel, REUSE_ROUNDS);
    assert_true(fwd_remote_count(r.s.fr) <= 2);
    fwd_remote_free(r.s.fr);
    fwdspec_cleanup(&r.s.spec);
    sshpair_free(r.p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel_pending_port0),
        cmocka_unit_test(test_room_reused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
