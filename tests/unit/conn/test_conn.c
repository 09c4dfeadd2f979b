/* SPDX-License-Identifier: ISC */
/* Unit tests for the connection protocol (conn.c) with a capturing sink. */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capsink.h"
#include "conn/conn.h"
#include "conn/conn_impl.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

struct fix {
    struct capsink cap;
    struct pkt_sink sink;
    struct conn *c;
    /* what the callbacks saw */
    unsigned n_open_req, n_result, n_data, n_eof, n_closed, n_writable;
    unsigned n_reply;
    uint32_t last_id, last_reason;
    bool last_ok;
    size_t data_bytes, last_reply_len;
    char last_host[64], last_path[128], last_type[64], last_orig[64];
    uint32_t last_orig_port;
    uint32_t last_port;
    /* behaviour */
    bool auto_confirm, auto_consume, close_in_data, fail_in_open;
    bool open_in_closed;
    unsigned n_chan_req; /* chan_request calls */
    size_t last_req_len;
};

static void
cb_open_request(void *ctx, uint32_t id, const struct chan_open_info *info)
{
    struct fix *f = ctx;

    f->n_open_req++;
    f->last_id = id;
    f->last_port = info->port;
    snprintf(f->last_host, sizeof(f->last_host), "%s",
             info->host != NULL ? info->host : "");
    snprintf(f->last_path, sizeof(f->last_path), "%s",
             info->path != NULL ? info->path : "");
    snprintf(f->last_type, sizeof(f->last_type), "%s", info->type);
    snprintf(f->last_orig, sizeof(f->last_orig), "%s",
             info->orig_host != NULL ? info->orig_host : "");
    f->last_orig_port = info->orig_port;
    if (f->fail_in_open) {
        assert_int_equal(conn_open_fail(f->c, id, 1, "no"), 0);
    } else if (f->auto_confirm) {
        assert_int_equal(conn_open_confirm(f->c, id), 0);
    }
}

static void
cb_open_result(void *ctx, uint32_t id, uint32_t reason, const char *msg)
{
    struct fix *f = ctx;

    f->n_result++;
    f->last_id = id;
    f->last_reason = reason;
}

static void
cb_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    struct fix *f = ctx;

    f->n_data++;
    f->data_bytes += n;
    if (f->auto_consume) {
        assert_int_equal(conn_consumed(f->c, id, n), 0);
    }
    if (f->close_in_data) {
        assert_int_equal(conn_close(f->c, id), 0);
    }
}

static void
cb_eof(void *ctx, uint32_t id)
{
    ((struct fix *)ctx)->n_eof++;
}

static void
cb_closed(void *ctx, uint32_t id)
{
    struct fix *f = ctx;
    struct chan_open_info info = {.type = "session"};
    uint32_t nid;

    f->n_closed++;
    f->last_id = id;
    if (f->open_in_closed) {
        assert_int_equal(conn_open(f->c, &info, NULL, &nid), 0);
    }
}

static void
cb_writable(void *ctx, uint32_t id)
{
    ((struct fix *)ctx)->n_writable++;
}

static void
cb_global_reply(void *ctx, bool ok, const uint8_t *p, size_t n)
{
    struct fix *f = ctx;

    f->n_reply++;
    f->last_ok = ok;
    f->last_reply_len = n;
}

/* Takes "exec" (answered, then an exit-status sent after the answer);
 * leaves every other request to conn. */
static bool
cb_chan_request(void *ctx, uint32_t id, const char *type, bool want_reply,
                const uint8_t *p, size_t n)
{
    struct fix *f = ctx;
    const uint8_t st[4] = {0, 0, 0, 1};

    (void)p;
    f->n_chan_req++;
    f->last_req_len = n;
    if (strcmp(type, "exec") != 0) {
        return false;
    }
    if (want_reply) {
        assert_int_equal(conn_channel_reply(f->c, id, true), 0);
    }
    assert_int_equal(
        conn_channel_request(f->c, id, "exit-status", false, st, sizeof(st)),
        0);
    return true;
}

static struct fix *
fix_new(void)
{
    struct fix *f = calloc(1, sizeof(*f));
    struct conn_cbs cbs = {
        .open_request = cb_open_request,
        .open_result = cb_open_result,
        .data = cb_data,
        .eof = cb_eof,
        .closed = cb_closed,
        .writable = cb_writable,
        .global_reply = cb_global_reply,
        .chan_request = cb_chan_request,
    };

    assert_non_null(f);
    cbs.ctx = f;
    cap_init(&f->cap, &f->sink);
    assert_int_equal(conn_new(&f->c, &f->sink, &cbs), 0);
    f->auto_confirm = true;
    f->auto_consume = true;
    return f;
}

static void
fix_free(struct fix *f)
{
    conn_free(f->c);
    cap_cleanup(&f->cap);
    free(f);
}

/* ---- message builders ---- */

static void
msg_open_tcpip(struct buf *b, uint32_t sender, uint32_t window, uint32_t maxpkt,
               const char *host, uint32_t port)
{
    buf_reset(b);
    assert_int_equal(buf_put_u8(b, SSH_MSG_CHANNEL_OPEN), 0);
    assert_int_equal(buf_put_cstring(b, "direct-tcpip"), 0);
    assert_int_equal(buf_put_u32(b, sender), 0);
    assert_int_equal(buf_put_u32(b, window), 0);
    assert_int_equal(buf_put_u32(b, maxpkt), 0);
    assert_int_equal(buf_put_cstring(b, host), 0);
    assert_int_equal(buf_put_u32(b, port), 0);
    assert_int_equal(buf_put_cstring(b, "127.0.0.1"), 0);
    assert_int_equal(buf_put_u32(b, 40000), 0);
}

static void
msg_u32s(struct buf *b, uint8_t msg, int n, uint32_t a, uint32_t b2, uint32_t c,
         uint32_t d)
{
    uint32_t v[4] = {a, b2, c, d};
    int i;

    buf_reset(b);
    assert_int_equal(buf_put_u8(b, msg), 0);
    for (i = 0; i < n; i++) {
        assert_int_equal(buf_put_u32(b, v[i]), 0);
    }
}

static void
msg_data(struct buf *b, uint32_t id, size_t n)
{
    uint8_t *p;

    buf_reset(b);
    assert_int_equal(buf_put_u8(b, SSH_MSG_CHANNEL_DATA), 0);
    assert_int_equal(buf_put_u32(b, id), 0);
    assert_int_equal(buf_put_u32(b, (uint32_t)n), 0);
    assert_int_equal(buf_append_space(b, n, &p), 0);
    memset(p, 'x', n);
}

static int
feed(struct fix *f, const struct buf *b)
{
    return conn_handle(f->c, buf_ptr(b), buf_len(b));
}

/* The peer opens a channel (peer id 7); returns our id. */
static uint32_t
peer_opens(struct fix *f, uint32_t window, uint32_t maxpkt)
{
    struct buf b;
    const struct cap_msg *m;

    buf_init(&b);
    msg_open_tcpip(&b, 7, window, maxpkt, "example.org", 80);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_non_null(m);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    buf_cleanup(&b);
    return f->last_id;
}

/* ---- tests ---- */

/* Our direct-tcpip open to h port 22 for 127.0.0.1 port 5. */
static const struct chan_open_info tcp_info = {.type = "direct-tcpip",
                                               .host = "h",
                                               .port = 22,
                                               .orig_host = "127.0.0.1",
                                               .orig_port = 5};

static void
test_peer_open_confirm(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 1000, 500);
    const struct cap_msg *m;

    assert_int_equal(f->n_open_req, 1);
    assert_string_equal(f->last_host, "example.org");
    assert_int_equal(f->last_port, 80);
    assert_int_equal(conn_channel_count(f->c), 1);
    assert_int_equal(conn_send_window(f->c, id), 1000);
    m = &f->cap.msgs[0];
    assert_int_equal(m->len, 17);
    assert_int_equal(get_u32_be(m->p + 5), id);
    assert_int_equal(get_u32_be(m->p + 9), LIM_WINDOW_INITIAL);
    assert_int_equal(get_u32_be(m->p + 13), LIM_CHAN_PACKET);
    fix_free(f);
}

static void
test_our_open_data_eof_close(void **state)
{
    struct fix *f = fix_new();
    struct chan_open_info info = tcp_info;
    const struct cap_msg *m;
    struct buf b;
    uint32_t id;
    int x = 42;

    buf_init(&b);
    assert_int_equal(conn_open(f->c, &info, &x, &id), 0);
    assert_ptr_equal(conn_udata(f->c, id), &x);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN);
    assert_int_equal(conn_send_window(f->c, id), 0);
    /* data before confirmation is for an unconfirmed channel */
    msg_data(&b, id, 1);
    assert_int_equal(feed(f, &b), ERR_CHANNEL);
    msg_u32s(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION, 4, id, 99, 100, 64);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_result, 1);
    assert_int_equal(f->last_reason, 0);
    assert_int_equal(conn_send(f->c, id, (const uint8_t *)"0123456789", 10), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_DATA);
    assert_int_equal(get_u32_be(m->p + 1), 99);
    assert_int_equal(get_u32_be(m->p + 5), 10);
    assert_memory_equal(m->p + 9, "0123456789", 10);
    assert_int_equal(conn_send_window(f->c, id), 90);
    msg_data(&b, id, 5);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->data_bytes, 5);
    msg_u32s(&b, SSH_MSG_CHANNEL_EOF, 1, id, 0, 0, 0);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_eof, 1);
    msg_data(&b, id, 1);
    assert_int_equal(feed(f, &b), ERR_PROTO); /* data after EOF */
    assert_int_equal(conn_send_eof(f->c, id), 0);
    assert_int_equal(conn_send_eof(f->c, id), 0); /* at most once */
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_EOF);
    assert_null(cap_take(&f->cap));
    assert_int_equal(conn_send_window(f->c, id), 0);
    /* we close first, then the peer */
    assert_int_equal(conn_close(f->c, id), 0);
    assert_int_equal(conn_close(f->c, id), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_CLOSE);
    assert_null(cap_take(&f->cap));
    assert_int_equal(f->n_closed, 0);
    msg_u32s(&b, SSH_MSG_CHANNEL_CLOSE, 1, id, 0, 0, 0);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_closed, 1);
    assert_null(cap_take(&f->cap));
    assert_int_equal(conn_channel_count(f->c), 0);
    assert_int_equal(feed(f, &b), ERR_CHANNEL);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_peer_closes_first(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 1000, 500);
    const struct cap_msg *m;
    struct buf b;

    buf_init(&b);
    f->open_in_closed = true; /* reentrancy: open from closed() */
    msg_u32s(&b, SSH_MSG_CHANNEL_CLOSE, 1, id, 0, 0, 0);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_CLOSE);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    assert_int_equal(f->n_closed, 1);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN);
    /* the new channel took the freed id only after the old was gone */
    assert_int_equal(conn_channel_count(f->c), 1);
    assert_int_equal(conn_close(f->c, id), ERR_CHANNEL);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_close_in_data_callback(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 1000, 500);
    const struct cap_msg *m;
    struct buf b;

    buf_init(&b);
    f->close_in_data = true;
    msg_data(&b, id, 3);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_CLOSE);
    /* data after our CLOSE is still accepted (it was in flight) */
    msg_data(&b, id, 3);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_data, 1);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_window_adjust_emitted(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 1000, 500);
    const struct cap_msg *m;
    struct buf b;
    size_t sent = 0, chunk = LIM_CHAN_PACKET;

    buf_init(&b);
    f->auto_consume = false;
    while (sent + chunk <= LIM_WINDOW_INITIAL / 8) {
        msg_data(&b, id, chunk);
        assert_int_equal(feed(f, &b), 0);
        sent += chunk;
    }
    assert_int_equal(conn_consumed(f->c, id, sent - 1), 0);
    assert_null(cap_take(&f->cap));
    assert_int_equal(conn_consumed(f->c, id, 1), 0);
    m = cap_take(&f->cap);
    assert_non_null(m);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_WINDOW_ADJUST);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    assert_int_equal(get_u32_be(m->p + 5), sent);
    /* consuming more than was delivered is a caller bug */
    assert_int_equal(conn_consumed(f->c, id, 1), ERR_INVAL);
    buf_cleanup(&b);
    fix_free(f);
}

/* The WINDOW_ADJUST credit sent since the last call (peer id 7). */
static uint64_t
adjusted(struct fix *f)
{
    const struct cap_msg *m;
    uint64_t sum = 0;

    while ((m = cap_take(&f->cap)) != NULL) {
        assert_int_equal(m->p[0], SSH_MSG_CHANNEL_WINDOW_ADJUST);
        assert_int_equal(get_u32_be(m->p + 1), 7);
        sum += get_u32_be(m->p + 5);
    }
    return sum;
}

/* The peer sends all its credit at once, each packet consumed as it
 * comes; returns the credit given back. Packets of 30000 bytes: as a
 * sender reads its socket, never a divisor of the window. */
static uint64_t
burst(struct fix *f, uint32_t id, uint64_t credit)
{
    struct buf b;

    buf_init(&b);
    while (credit > 0) {
        size_t n = credit < 30000 ? credit : 30000;
        msg_data(&b, id, n);
        assert_int_equal(feed(f, &b), 0);
        credit -= n;
    }
    buf_cleanup(&b);
    return adjusted(f);
}

/*
 * A sender that keeps the whole window in flight over a long path sends
 * it in one burst per round trip: nearly all of it must come back before
 * the next. (At a half-window threshold, half stayed behind each time and
 * an OpenSSH sender moved 1 MiB per round trip of its 2 MiB window.)
 */
static void
test_window_burst_returned(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 1000, 500);
    uint64_t credit = LIM_WINDOW_INITIAL;

    for (int round = 0; round < 6; round++) {
        credit = burst(f, id, credit);
        assert_true(credit >= LIM_WINDOW_INITIAL / 8 * 7);
        assert_true(credit <= LIM_WINDOW_INITIAL); /* not adit: no growth */
    }
    fix_free(f);
}

/*
 * Toward an adit peer a bulk channel's window grows (fourfold a round trip
 * while the local side keeps up) to LIM_WINDOW_MAX and no further.
 */
static void
test_window_grows_adit(void **state)
{
    struct fix *f = fix_new();
    uint32_t id;
    uint64_t credit = LIM_WINDOW_INITIAL;
    int round = 0;

    conn_set_peer_adit(f->c, true);
    id = peer_opens(f, 1000, 500);
    while (credit < LIM_WINDOW_MAX / 8 * 7) {
        assert_true(++round <= 3);
        credit = burst(f, id, credit);
    }
    for (round = 0; round < 4; round++) {
        credit = burst(f, id, credit);
        assert_true(credit >= LIM_WINDOW_MAX / 8 * 7);
        assert_true(credit <= LIM_WINDOW_MAX);
    }
    fix_free(f);
}

/* The window of a channel the peer just opened, from our confirmation. */
static uint32_t
peer_opens_window(struct fix *f, uint32_t *id)
{
    struct buf b;
    const struct cap_msg *m;

    buf_init(&b);
    msg_open_tcpip(&b, 7, 1000, 500, "example.org", 80);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_non_null(m);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
    buf_cleanup(&b);
    *id = f->last_id;
    return get_u32_be(m->p + 9);
}

/*
 * Every open channel's window is data the peer may make us hold: past
 * LIM_CONN_WINDOWS in all, new channels get one packet's worth, and grow
 * back when a channel's share is given back.
 */
static void
test_window_budget(void **state)
{
    struct fix *f = fix_new();
    uint32_t full = LIM_CONN_WINDOWS / LIM_WINDOW_INITIAL;
    uint32_t ids[LIM_CONN_WINDOWS / LIM_WINDOW_INITIAL + 3];
    uint64_t total = 0;
    const struct cap_msg *m;
    struct buf b;
    uint32_t i, w;

    buf_init(&b);
    f->auto_consume = false;
    for (i = 0; i < full + 3; i++) {
        w = peer_opens_window(f, &ids[i]);
        assert_int_equal(w, i < full ? LIM_WINDOW_INITIAL : LIM_CHAN_PACKET);
        total += w;
    }
    assert_true(total <= LIM_CONN_WINDOWS + 3 * LIM_CHAN_PACKET);
    /* A small channel holds the peer to it. */
    msg_data(&b, ids[full], LIM_CHAN_PACKET);
    assert_int_equal(feed(f, &b), 0);
    msg_data(&b, ids[full], 1);
    assert_int_equal(feed(f, &b), ERR_WINDOW);
    /* One full channel closes; the small one grows at its next adjust. */
    msg_u32s(&b, SSH_MSG_CHANNEL_CLOSE, 1, ids[0], 0, 0, 0);
    assert_int_equal(feed(f, &b), 0);
    assert_non_null(cap_take(&f->cap)); /* our CLOSE */
    assert_int_equal(conn_consumed(f->c, ids[full], LIM_CHAN_PACKET), 0);
    m = cap_take(&f->cap);
    assert_non_null(m);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_WINDOW_ADJUST);
    w = get_u32_be(m->p + 5);
    assert_true(w > LIM_CHAN_PACKET);
    assert_true(w <= LIM_WINDOW_INITIAL);
    /* A new channel now finds the budget spent again. */
    assert_int_equal(peer_opens_window(f, &i), LIM_CHAN_PACKET);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_window_violation(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 1000, 500);
    struct buf b;
    size_t sent = 0;

    buf_init(&b);
    f->auto_consume = false;
    while (sent < LIM_WINDOW_INITIAL) {
        msg_data(&b, id, LIM_CHAN_PACKET);
        assert_int_equal(feed(f, &b), 0);
        sent += LIM_CHAN_PACKET;
    }
    msg_data(&b, id, 1);
    assert_int_equal(feed(f, &b), ERR_WINDOW);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_adjust_overflow_and_writable(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 0, 500);
    struct buf b;

    buf_init(&b);
    assert_int_equal(conn_send(f->c, id, (const uint8_t *)"x", 1), ERR_WINDOW);
    msg_u32s(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST, 2, id, 10, 0, 0);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_writable, 1);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_writable, 1); /* only from 0 */
    assert_int_equal(conn_send_window(f->c, id), 20);
    msg_u32s(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST, 2, id, UINT32_MAX - 20, 0, 0);
    assert_int_equal(feed(f, &b), 0);
    msg_u32s(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST, 2, id, 1, 0, 0);
    assert_int_equal(feed(f, &b), ERR_PROTO);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_send_split_and_zero_copy(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 3000, 1000);
    uint8_t data[2500], *p;
    const struct cap_msg *m;
    size_t max;

    memset(data, 'a', sizeof(data));
    assert_int_equal(conn_send(f->c, id, data, 2500), 0);
    assert_int_equal(f->cap.n - f->cap.next, 3);
    assert_int_equal(get_u32_be(cap_take(&f->cap)->p + 5), 1000);
    assert_int_equal(get_u32_be(cap_take(&f->cap)->p + 5), 1000);
    assert_int_equal(get_u32_be(cap_take(&f->cap)->p + 5), 500);
    assert_int_equal(conn_send(f->c, id, data, 501), ERR_WINDOW);
    assert_int_equal(conn_send_begin(f->c, id, 1000, &max, &p), 0);
    assert_int_equal(max, 500);
    memcpy(p, "hey", 3);
    assert_int_equal(conn_send_commit(f->c, id, 3), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->len, 12);
    assert_int_equal(get_u32_be(m->p + 5), 3);
    assert_memory_equal(m->p + 9, "hey", 3);
    assert_int_equal(conn_send_window(f->c, id), 497);
    assert_int_equal(conn_send_begin(f->c, id, 100, &max, &p), 0);
    assert_int_equal(max, 100);
    assert_int_equal(conn_send_commit(f->c, id, 0), 0);
    assert_null(cap_take(&f->cap));
    fix_free(f);
}

static void
test_unknown_channel(void **state)
{
    struct fix *f = fix_new();
    struct buf b;

    buf_init(&b);
    msg_data(&b, 3, 1);
    assert_int_equal(feed(f, &b), ERR_CHANNEL);
    msg_u32s(&b, SSH_MSG_CHANNEL_EOF, 1, 12345678, 0, 0, 0);
    assert_int_equal(feed(f, &b), ERR_CHANNEL);
    msg_u32s(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION, 4, 0, 1, 2, 3);
    assert_int_equal(feed(f, &b), ERR_CHANNEL);
    /* a peer-opened channel not yet confirmed */
    f->auto_confirm = false;
    msg_open_tcpip(&b, 7, 100, 100, "h", 1);
    assert_int_equal(feed(f, &b), 0);
    msg_data(&b, f->last_id, 1);
    assert_int_equal(feed(f, &b), ERR_CHANNEL);
    assert_int_equal(conn_open_fail(f->c, f->last_id, 2, "x"), 0);
    assert_int_equal(conn_channel_count(f->c), 0);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_open_refusals(void **state)
{
    struct fix *f = fix_new();
    const struct cap_msg *m;
    struct conn_chan_stats st;
    struct buf b;
    unsigned i;

    buf_init(&b);
    buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN);
    buf_put_cstring(&b, "tun@openssh.com");
    buf_put_u32(&b, 5);
    buf_put_u32(&b, 5);
    buf_put_u32(&b, 5);
    buf_put_cstring(&b, "whatever");
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32_be(m->p + 1), 5);
    assert_int_equal(get_u32_be(m->p + 5), SSH_OPEN_UNKNOWN_CHANNEL_TYPE);
    /* the callback refuses from inside open_request */
    f->fail_in_open = true;
    msg_open_tcpip(&b, 7, 100, 100, "h", 1);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(conn_channel_count(f->c), 0);
    f->fail_in_open = false;
    msg_open_tcpip(&b, 7, 100, 100, "h", 65536);
    assert_int_equal(feed(f, &b), ERR_FORMAT);
    /* max channels */
    cap_clear(&f->cap);
    for (i = 0; i < LIM_CHANNELS; i++) {
        if (i % CAP_MAX_MSGS == 0) {
            cap_clear(&f->cap); /* the capture holds fewer answers */
        }
        msg_open_tcpip(&b, i, 100, 100, "h", 1);
        assert_int_equal(feed(f, &b), 0);
    }
    cap_clear(&f->cap);
    msg_open_tcpip(&b, 9, 100, 100, "h", 1);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32_be(m->p + 5), SSH_OPEN_RESOURCE_SHORTAGE);
    assert_int_equal(conn_channel_count(f->c), LIM_CHANNELS);
    /* Counted (the malformed one ended the decode: not an open). */
    conn_get_chan_stats(f->c, &st);
    assert_int_equal(st.received, 3 + LIM_CHANNELS);
    assert_int_equal(st.received_failed, 3);
    assert_int_equal(st.sent, 0);
    assert_int_equal(st.sent_failed, 0);
    buf_cleanup(&b);
    fix_free(f);
}

/*
 * A maximum packet size of 0 lets no data through, and left a channel that
 * looked writable forever (an io reader spinning on it): the peer's open
 * is refused, and a confirmation of ours saying so is a protocol error.
 */
static void
test_zero_max_packet(void **state)
{
    struct fix *f = fix_new();
    struct chan_open_info info = {.type = "session"};
    const struct cap_msg *m;
    struct buf b;
    uint32_t id;

    buf_init(&b);
    msg_open_tcpip(&b, 7, 1000, 0, "h", 1);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    assert_int_equal(f->n_open_req, 0);
    assert_int_equal(conn_channel_count(f->c), 0);
    assert_int_equal(conn_open(f->c, &info, NULL, &id), 0);
    msg_u32s(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION, 4, id, 3, 1000, 0);
    assert_int_equal(feed(f, &b), ERR_PROTO);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_our_open_refused(void **state)
{
    struct fix *f = fix_new();
    struct chan_open_info info = {.type = "session"};
    struct conn_chan_stats st;
    struct buf b;
    uint32_t id;

    buf_init(&b);
    assert_int_equal(conn_open(f->c, &info, NULL, &id), 0);
    buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_FAILURE);
    buf_put_u32(&b, id);
    buf_put_u32(&b, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    buf_put_cstring(&b, "no");
    buf_put_cstring(&b, "");
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_result, 1);
    assert_int_equal(f->last_reason, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    assert_int_equal(conn_channel_count(f->c), 0);
    /* closed while opening: CLOSE goes out on confirmation */
    assert_int_equal(conn_open(f->c, &info, NULL, &id), 0);
    assert_int_equal(conn_close(f->c, id), 0);
    cap_clear(&f->cap);
    msg_u32s(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION, 4, id, 3, 100, 100);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_result, 1);
    assert_int_equal(cap_take(&f->cap)->p[0], SSH_MSG_CHANNEL_CLOSE);
    conn_get_chan_stats(f->c, &st);
    assert_int_equal(st.sent, 2);
    assert_int_equal(st.sent_failed, 1);
    assert_int_equal(st.received, 0);
    buf_cleanup(&b);
    fix_free(f);
}

static void
test_requests(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 100, 100);
    const struct cap_msg *m;
    struct buf b;

    buf_init(&b);
    buf_put_u8(&b, SSH_MSG_GLOBAL_REQUEST);
    buf_put_cstring(&b, "keepalive@openssh.com");
    buf_put_bool(&b, true);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->len, 1);
    assert_int_equal(m->p[0], SSH_MSG_REQUEST_FAILURE);
    buf_truncate(&b, buf_len(&b) - 1);
    buf_put_bool(&b, false);
    assert_int_equal(feed(f, &b), 0);
    assert_null(cap_take(&f->cap));
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_CHANNEL_REQUEST);
    buf_put_u32(&b, id);
    buf_put_cstring(&b, "winadj@putty.projects.tartarus.org");
    buf_put_bool(&b, true);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->len, 5);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_FAILURE);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_CHANNEL_REQUEST);
    buf_put_u32(&b, id);
    buf_put_cstring(&b, "eow@openssh.com");
    buf_put_bool(&b, false);
    assert_int_equal(feed(f, &b), 0);
    assert_null(cap_take(&f->cap));
    buf_cleanup(&b);
    fix_free(f);
}

static void
put_chan_request(struct buf *b, uint32_t id, const char *type, bool want)
{
    buf_reset(b);
    buf_put_u8(b, SSH_MSG_CHANNEL_REQUEST);
    buf_put_u32(b, id);
    buf_put_cstring(b, type);
    buf_put_bool(b, want);
}

/* A request the callback takes is answered by it, before what it sends
 * next; one it leaves gets CHANNEL_FAILURE from conn. */
static void
test_chan_request_callback(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 100, 100);
    const struct cap_msg *m;
    struct buf b;

    buf_init(&b);
    put_chan_request(&b, id, "exec", true);
    buf_put_cstring(&b, "uname");
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_chan_req, 1);
    assert_int_equal(f->last_req_len, 4 + 5);
    m = cap_take(&f->cap);
    assert_int_equal(m->len, 5);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_SUCCESS);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_REQUEST);
    assert_null(cap_take(&f->cap));
    put_chan_request(&b, id, "pty-req", true);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(f->n_chan_req, 2);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_FAILURE);
    assert_null(cap_take(&f->cap));
    /* Once we have sent CLOSE, an answer is not sent. */
    assert_int_equal(conn_close(f->c, id), 0);
    (void)cap_take(&f->cap);
    assert_int_equal(conn_channel_reply(f->c, id, true), 0);
    assert_null(cap_take(&f->cap));
    assert_int_equal(conn_channel_reply(f->c, 999, true), ERR_CHANNEL);
    buf_cleanup(&b);
    fix_free(f);
}

/* What a session channel gets from aditd: stderr text, exit-status. */
static void
test_extended_and_channel_request(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 10, 100);
    const uint8_t st[4] = {0, 0, 0, 1};
    const struct cap_msg *m;

    assert_int_equal(conn_send_extended(f->c, id, 1, (const uint8_t *)"hi", 2),
                     0);
    m = cap_take(&f->cap);
    assert_int_equal(m->len, 15);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_EXTENDED_DATA);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    assert_int_equal(get_u32_be(m->p + 5), 1);
    assert_int_equal(get_u32_be(m->p + 9), 2);
    assert_memory_equal(m->p + 13, "hi", 2);
    assert_int_equal(conn_send_window(f->c, id), 8);
    /* More than the window: refused, nothing sent. */
    assert_int_equal(
        conn_send_extended(f->c, id, 1, (const uint8_t *)"0123456789", 9),
        ERR_WINDOW);
    assert_null(cap_take(&f->cap));
    assert_int_equal(
        conn_channel_request(f->c, id, "exit-status", false, st, 4), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_REQUEST);
    assert_int_equal(get_u32_be(m->p + 1), 7);
    assert_int_equal(get_u32_be(m->p + 5), 11);
    assert_memory_equal(m->p + 9, "exit-status", 11);
    assert_int_equal(m->p[20], 0);
    assert_int_equal(get_u32_be(m->p + 21), 1);
    assert_int_equal(m->len, 25);
    /* After our CLOSE nothing more goes out on the channel. */
    assert_int_equal(conn_close(f->c, id), 0);
    cap_take(&f->cap);
    assert_int_equal(
        conn_channel_request(f->c, id, "exit-status", false, st, 4), 0);
    assert_null(cap_take(&f->cap));
    assert_int_equal(conn_channel_request(f->c, 99, "x", false, NULL, 0),
                     ERR_CHANNEL);
    fix_free(f);
}

static void
test_global_replies(void **state)
{
    struct fix *f = fix_new();
    uint8_t port[4] = {0, 0, 0x1f, 0x90};
    struct buf b;

    buf_init(&b);
    buf_put_u8(&b, SSH_MSG_REQUEST_SUCCESS);
    assert_int_equal(feed(f, &b), ERR_PROTO); /* nothing asked */
    assert_int_equal(conn_global_request(f->c, "tcpip-forward", true, port, 4),
                     0);
    assert_int_equal(conn_global_request(f->c, "x", true, NULL, 0), 0);
    assert_int_equal(conn_global_request(f->c, "y", false, NULL, 0), 0);
    buf_put(&b, port, 4);
    assert_int_equal(feed(f, &b), 0);
    assert_true(f->last_ok);
    assert_int_equal(f->last_reply_len, 4);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_REQUEST_FAILURE);
    assert_int_equal(feed(f, &b), 0);
    assert_false(f->last_ok);
    assert_int_equal(f->n_reply, 2);
    assert_int_equal(feed(f, &b), ERR_PROTO);
    buf_cleanup(&b);
    fix_free(f);
}

static void
msg_open_streamlocal(struct buf *b, const char *type, const char *path,
                     bool trailing)
{
    buf_reset(b);
    assert_int_equal(buf_put_u8(b, SSH_MSG_CHANNEL_OPEN), 0);
    assert_int_equal(buf_put_cstring(b, type), 0);
    assert_int_equal(buf_put_u32(b, 4), 0);
    assert_int_equal(buf_put_u32(b, 1000), 0);
    assert_int_equal(buf_put_u32(b, 1000), 0);
    assert_int_equal(buf_put_cstring(b, path), 0);
    assert_int_equal(buf_put_cstring(b, ""), 0);
    if (strcmp(type, CONN_DIRECT_STREAMLOCAL) == 0) {
        assert_int_equal(buf_put_u32(b, 0), 0);
    }
    if (trailing) {
        assert_int_equal(buf_put_u8(b, 0), 0);
    }
}

/* OpenSSH's Unix socket channels, both ways: the path reaches the
 * callback, our own opens carry the layout OpenSSH reads, and a trailing
 * byte or a path longer than a socket path is refused. */
/* CHANNEL_OPEN head: type, sender 3, window 100, max packet 100. */
static void
msg_open_head(struct buf *b, const char *type)
{
    buf_reset(b);
    buf_put_u8(b, SSH_MSG_CHANNEL_OPEN);
    buf_put_cstring(b, type);
    buf_put_u32(b, 3);
    buf_put_u32(b, 100);
    buf_put_u32(b, 100);
}

/* x11 (RFC 4254 6.3.2) and auth-agent@openssh.com reach open_request
 * with their fields; a bad one ends the connection. */
static void
test_session_fwd_open(void **state)
{
    struct fix *f = fix_new();
    struct buf b;

    (void)state;
    buf_init(&b);
    msg_open_head(&b, CONN_X11);
    buf_put_cstring(&b, "127.0.0.1");
    buf_put_u32(&b, 41234);
    assert_int_equal(feed(f, &b), 0);
    assert_string_equal(f->last_type, CONN_X11);
    assert_string_equal(f->last_orig, "127.0.0.1");
    assert_int_equal(f->last_orig_port, 41234);
    msg_open_head(&b, CONN_AUTH_AGENT);
    assert_int_equal(feed(f, &b), 0);
    assert_string_equal(f->last_type, CONN_AUTH_AGENT);
    assert_string_equal(f->last_orig, "");
    assert_int_equal(f->n_open_req, 2);
    msg_open_head(&b, CONN_AUTH_AGENT);
    buf_put_u8(&b, 0);
    assert_int_equal(feed(f, &b), ERR_TRAILING);
    msg_open_head(&b, CONN_X11);
    buf_put_cstring(&b, "127.0.0.1");
    assert_int_equal(feed(f, &b), ERR_TRUNC);
    msg_open_head(&b, CONN_X11);
    buf_put_cstring(&b, "127.0.0.1");
    buf_put_u32(&b, 65536);
    assert_int_equal(feed(f, &b), ERR_FORMAT);
    msg_open_head(&b, CONN_X11);
    buf_put_cstring(&b, "127.0.0.1");
    buf_put_u32(&b, 1);
    buf_put_u8(&b, 0);
    assert_int_equal(feed(f, &b), ERR_TRAILING);
    assert_int_equal(f->n_open_req, 2);
    buf_cleanup(&b);
    fix_free(f);
}

/* ~#'s list: ours and the peer's channels by name, the peer's words
 * cleaned of control characters, a closed one gone. */
static void
test_open_message(void **state)
{
    struct fix *f = fix_new();
    struct chan_open_info info = tcp_info;
    struct conn_chan_desc d;
    struct buf b, out;
    char host[] = "h";
    uint32_t id;

    (void)state;
    buf_init(&b);
    buf_init(&out);
    info.host = host;
    assert_int_equal(conn_open(f->c, &info, NULL, &id), 0);
    host[0] = 'X'; /* the name is put in words later: it kept its own copy */
    msg_open_head(&b, CONN_X11);
    buf_put_cstring(&b, "10.0.0.1\x1b[2J");
    buf_put_u32(&b, 6010);
    assert_int_equal(feed(f, &b), 0);
    assert_true(conn_chan_next(f->c, 0, &d));
    assert_int_equal(d.id, id);
    assert_false(d.has_remote_id);
    assert_string_equal(d.type, "direct-tcpip");
    assert_string_equal(
        d.name, "direct-tcpip: to h port 22, connect from 127.0.0.1 port 5");
    assert_int_equal(conn_open_message(f->c, &out), 0);
    assert_int_equal(buf_put_u8(&out, 0), 0);
    assert_string_equal(
        (char *)buf_ptr(&out),
        "The following connections are open:\r\n"
        "  #0 direct-tcpip: to h port 22, connect from 127.0.0.1 port 5 "
        "([direct-tcpip] nr0 i0 o0)\r\n"
        "  #1 x11: connect from 10.0.0.1?[2J port 6010 ([x11] r3 i0 o0)\r\n");
    /* Refused: the slot is free again, and so is its name. */
    msg_u32s(&b, SSH_MSG_CHANNEL_OPEN_FAILURE, 2, id, 2, 0, 0);
    buf_put_cstring(&b, "no");
    buf_put_cstring(&b, "");
    assert_int_equal(feed(f, &b), 0);
    assert_true(conn_chan_next(f->c, 0, &d));
    assert_int_equal(d.id, 1);
    assert_false(conn_chan_next(f->c, 2, &d));
    buf_cleanup(&b);
    buf_cleanup(&out);
    fix_free(f);
}

static void
test_streamlocal_open(void **state)
{
    struct fix *f = fix_new();
    struct chan_open_info info = {.type = CONN_DIRECT_STREAMLOCAL,
                                  .path = "/run/x.sock"};
    const struct cap_msg *m;
    struct buf b;
    struct rd rd;
    const uint8_t *p;
    size_t len;
    uint32_t id, u;
    char longp[LIM_UNIX_PATH + 2];

    buf_init(&b);
    msg_open_streamlocal(&b, CONN_FORWARDED_STREAMLOCAL, "/tmp/l.sock", false);
    assert_int_equal(feed(f, &b), 0);
    assert_string_equal(f->last_path, "/tmp/l.sock");
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
    msg_open_streamlocal(&b, CONN_DIRECT_STREAMLOCAL, "/d", false);
    assert_int_equal(feed(f, &b), 0);
    assert_string_equal(f->last_path, "/d");
    msg_open_streamlocal(&b, CONN_DIRECT_STREAMLOCAL, "/d", true);
    assert_int_equal(feed(f, &b), ERR_TRAILING);
    memset(longp, 'a', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    /* Too long for a socket: that channel is refused, the link stays. */
    msg_open_streamlocal(&b, CONN_FORWARDED_STREAMLOCAL, longp, false);
    f->last_path[0] = '\0';
    cap_clear(&f->cap);
    assert_int_equal(feed(f, &b), 0);
    m = cap_take(&f->cap);
    assert_int_equal(m->p[0], SSH_MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(get_u32_be(m->p + 1), 4);
    assert_int_equal(get_u32_be(m->p + 5),
                     SSH_OPEN_ADMINISTRATIVELY_PROHIBITED);
    assert_string_equal(f->last_path, "");
    msg_open_streamlocal(&b, CONN_DIRECT_STREAMLOCAL, "/d2", false);
    assert_int_equal(feed(f, &b), 0);
    assert_string_equal(f->last_path, "/d2");
    cap_clear(&f->cap);
    assert_int_equal(conn_open(f->c, &info, NULL, &id), 0);
    m = cap_take(&f->cap);
    rd_init(&rd, m->p + 1, m->len - 1);
    assert_int_equal(rd_string(&rd, &p, &len, 100), 0);
    assert_int_equal(len, strlen(CONN_DIRECT_STREAMLOCAL));
    assert_int_equal(rd_u32(&rd, &u), 0);
    assert_int_equal(rd_u32(&rd, &u), 0);
    assert_int_equal(rd_u32(&rd, &u), 0);
    assert_int_equal(rd_string(&rd, &p, &len, 100), 0);
    assert_memory_equal(p, "/run/x.sock", len);
    assert_int_equal(rd_string(&rd, &p, &len, 100), 0);
    assert_int_equal(len, 0);
    assert_int_equal(rd_u32(&rd, &u), 0);
    assert_int_equal(rd_end(&rd), 0);
    info.path = NULL;
    assert_int_equal(conn_open(f->c, &info, NULL, &id), ERR_INVAL);
    buf_cleanup(&b);
    fix_free(f);
}

/* Keepalive answers are counted and kept from global_reply, which still
 * gets the answers to the caller's requests, in order, around them. */
static void
test_keepalive_replies(void **state)
{
    struct fix *f = fix_new();
    const struct cap_msg *m;
    struct buf ok, fail;
    unsigned i;

    buf_init(&ok);
    buf_init(&fail);
    buf_put_u8(&ok, SSH_MSG_REQUEST_SUCCESS);
    buf_put_u8(&fail, SSH_MSG_REQUEST_FAILURE);
    assert_int_equal(conn_send_keepalive(f->c), 0);
    m = cap_take(&f->cap);
    assert_non_null(m);
    assert_int_equal(m->p[0], SSH_MSG_GLOBAL_REQUEST);
    assert_int_equal(get_u32_be(m->p + 1), 21);
    assert_memory_equal(m->p + 5, "keepalive@openssh.com", 21);
    assert_int_equal(m->p[26], 1); /* want reply */
    assert_int_equal(m->len, 27);
    assert_int_equal(conn_send_keepalive(f->c), 0);
    assert_int_equal(conn_global_request(f->c, "x", true, NULL, 0), 0);
    assert_int_equal(conn_send_keepalive(f->c), 0);
    assert_int_equal(feed(f, &fail), 0); /* keepalive 1 */
    assert_int_equal(feed(f, &ok), 0);   /* keepalive 2 */
    assert_int_equal(f->n_reply, 0);
    assert_int_equal(conn_replies_received(f->c), 2);
    assert_int_equal(feed(f, &fail), 0); /* "x" */
    assert_int_equal(f->n_reply, 1);
    assert_false(f->last_ok);
    assert_int_equal(feed(f, &ok), 0); /* keepalive 3 */
    assert_int_equal(f->n_reply, 1);
    assert_int_equal(conn_replies_received(f->c), 4);
    assert_int_equal(feed(f, &ok), ERR_PROTO);
    /* Alternating kinds use one run each; the ring is bounded. */
    for (i = 0; i < CONN_REPLY_RUNS / 2; i++) {
        assert_int_equal(conn_send_keepalive(f->c), 0);
        assert_int_equal(conn_global_request(f->c, "x", true, NULL, 0), 0);
    }
    assert_int_equal(conn_send_keepalive(f->c), ERR_LIMIT);
    assert_int_equal(conn_global_request(f->c, "x", true, NULL, 0), 0);
    buf_cleanup(&ok);
    buf_cleanup(&fail);
    fix_free(f);
}

/*
 * Every proper prefix of a message is rejected cleanly; so is one extra
 * trailing byte where the layout is fixed. mk builds the message for a
 * fresh fixture (with a confirmed channel as id, peer id 7).
 */
typedef void (*mk_fn)(struct buf *b, uint32_t id);

static void
mk_open(struct buf *b, uint32_t id)
{
    msg_open_tcpip(b, 8, 100, 100, "host", 1);
}

static void
mk_adjust(struct buf *b, uint32_t id)
{
    msg_u32s(b, SSH_MSG_CHANNEL_WINDOW_ADJUST, 2, id, 5, 0, 0);
}

static void
mk_data(struct buf *b, uint32_t id)
{
    msg_data(b, id, 4);
}

static void
mk_ext_data(struct buf *b, uint32_t id)
{
    buf_reset(b);
    buf_put_u8(b, SSH_MSG_CHANNEL_EXTENDED_DATA);
    buf_put_u32(b, id);
    buf_put_u32(b, 1);
    buf_put_cstring(b, "err");
}

static void
mk_eof(struct buf *b, uint32_t id)
{
    msg_u32s(b, SSH_MSG_CHANNEL_EOF, 1, id, 0, 0, 0);
}

static void
mk_close(struct buf *b, uint32_t id)
{
    msg_u32s(b, SSH_MSG_CHANNEL_CLOSE, 1, id, 0, 0, 0);
}

static void
mk_chan_request(struct buf *b, uint32_t id)
{
    buf_reset(b);
    buf_put_u8(b, SSH_MSG_CHANNEL_REQUEST);
    buf_put_u32(b, id);
    buf_put_cstring(b, "x");
    buf_put_bool(b, true);
}

static void
mk_global(struct buf *b, uint32_t id)
{
    buf_reset(b);
    buf_put_u8(b, SSH_MSG_GLOBAL_REQUEST);
    buf_put_cstring(b, "tcpip-forward");
    buf_put_bool(b, true);
}

static void
check_prefixes(mk_fn mk, bool fixed_layout)
{
    struct fix *f;
    struct buf b;
    uint32_t id;
    size_t i, n;

    buf_init(&b);
    f = fix_new();
    id = peer_opens(f, 100, 100);
    mk(&b, id);
    n = buf_len(&b);
    assert_int_equal(feed(f, &b), 0);
    fix_free(f);
    for (i = 0; i < n; i++) {
        f = fix_new();
        id = peer_opens(f, 100, 100);
        mk(&b, id);
        assert_true(conn_handle(f->c, buf_ptr(&b), i) < 0);
        fix_free(f);
    }
    if (fixed_layout) {
        f = fix_new();
        id = peer_opens(f, 100, 100);
        mk(&b, id);
        buf_put_u8(&b, 0);
        assert_int_equal(feed(f, &b), ERR_TRAILING);
        fix_free(f);
    }
    buf_cleanup(&b);
}

static void
test_truncations(void **state)
{
    check_prefixes(mk_open, true);
    check_prefixes(mk_adjust, true);
    check_prefixes(mk_data, true);
    check_prefixes(mk_ext_data, true);
    check_prefixes(mk_eof, true);
    check_prefixes(mk_close, true);
    check_prefixes(mk_chan_request, false);
    check_prefixes(mk_global, false);
}

/* A string length one too long is truncation, one too short trailing. */
static void
test_length_off_by_one(void **state)
{
    struct fix *f = fix_new();
    uint32_t id = peer_opens(f, 100, 100);
    struct buf b;

    buf_init(&b);
    msg_data(&b, id, 4);
    put_u32_be(buf_ptr(&b) + 5, 5);
    assert_int_equal(feed(f, &b), ERR_TRUNC);
    put_u32_be(buf_ptr(&b) + 5, 3);
    assert_int_equal(feed(f, &b), ERR_TRAILING);
    mk_open(&b, 0);
    put_u32_be(buf_ptr(&b) + 1, 13); /* "direct-tcpip" is 12 */
    assert_true(feed(f, &b) < 0);
    /* "direct-tcpi" is an unknown type: refused, not an error */
    put_u32_be(buf_ptr(&b) + 1, 11);
    cap_clear(&f->cap);
    assert_int_equal(feed(f, &b), 0);
    assert_int_equal(cap_take(&f->cap)->p[0], SSH_MSG_CHANNEL_OPEN_FAILURE);
    assert_int_equal(conn_channel_count(f->c), 1);
    buf_cleanup(&b);
    fix_free(f);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_open_confirm),
        cmocka_unit_test(test_open_message),
        cmocka_unit_test(test_our_open_data_eof_close),
        cmocka_unit_test(test_peer_closes_first),
        cmocka_unit_test(test_close_in_data_callback),
        cmocka_unit_test(test_window_adjust_emitted),
        cmocka_unit_test(test_window_burst_returned),
        cmocka_unit_test(test_window_grows_adit),
        cmocka_unit_test(test_window_violation),
        cmocka_unit_test(test_adjust_overflow_and_writable),
        cmocka_unit_test(test_send_split_and_zero_copy),
        cmocka_unit_test(test_unknown_channel),
        cmocka_unit_test(test_open_refusals),
        cmocka_unit_test(test_zero_max_packet),
        cmocka_unit_test(test_our_open_refused),
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_global_replies),
        cmocka_unit_test(test_streamlocal_open),
        cmocka_unit_test(test_session_fwd_open),
        cmocka_unit_test(test_keepalive_replies),
        cmocka_unit_test(test_extended_and_channel_request),
        cmocka_unit_test(test_chan_request_callback),
        cmocka_unit_test(test_window_budget),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_length_off_by_one),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
