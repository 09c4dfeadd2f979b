/* SPDX-License-Identifier: ISC */
/* In-memory client <-> server sessions: kex, auth, a channel, rekey. */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/session.h"
#include "keys/sshkey.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "wire/buf.h"

#define BULK (4u * 1024u * 1024u)

struct side {
    struct session *s;
    struct buf rx; /* channel data received */
    bool authed, open_ok, eof;
    bool hang_up_on_open; /* session_disconnect() from open_request */
    unsigned n_closed, n_open_req;
    uint32_t id;
    int err;
    const uint64_t *clock; /* the world's fake clock */
};

struct world {
    uint64_t now;      /* the fake clock: when bytes are delivered */
    uint64_t alive_ms; /* client: ServerAliveInterval in ms */
    unsigned alive_count;
    const char *comp_cli, *comp_srv; /* Compression lists (NULL: none) */
    bool lookup_pending;             /* check_key answers ERR_AGAIN meanwhile */
    unsigned n_check;                /* check_key calls */
    struct sshkey *hostkey, *userkey, *otherkey;
    struct side cli, srv;
    struct buf last_blob; /* client: the key accepted last time, */
    char last_alg[64];    /* and its algorithm (world_again) */
};

static int
verify_hostkey(void *ctx, const struct sshkey *key)
{
    struct world *w = ctx;

    return sshkey_equal_public(key, w->hostkey) ? 0 : ERR_HOSTKEY;
}

static int
check_key(void *ctx, const char *user, const struct sshkey *key,
          const void **info)
{
    struct world *w = ctx;

    w->n_check++;
    if (w->lookup_pending) {
        return ERR_AGAIN;
    }
    *info = w;
    return sshkey_equal_public(key, w->userkey) ? 0 : ERR_DENIED;
}

static void
on_authed(void *ctx)
{
    ((struct side *)ctx)->authed = true;
}

static void
on_open_request(void *ctx, uint32_t id, const struct chan_open_info *info)
{
    struct side *sd = ctx;

    sd->n_open_req++;
    sd->id = id;
    assert_string_equal(info->type, "direct-tcpip");
    assert_string_equal(info->host, "intranet");
    assert_int_equal(info->port, 8080);
    if (sd->hang_up_on_open) {
        session_disconnect(sd->s, SSH_DISCONNECT_BY_APPLICATION, "bye");
        return;
    }
    assert_int_equal(conn_open_confirm(session_conn(sd->s), id), 0);
}

static void
on_open_result(void *ctx, uint32_t id, uint32_t reason, const char *msg)
{
    struct side *sd = ctx;

    sd->open_ok = reason == 0;
}

static void
on_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    struct side *sd = ctx;

    assert_int_equal(buf_put(&sd->rx, p, n), 0);
    assert_int_equal(conn_consumed(session_conn(sd->s), id, n), 0);
}

static void
on_eof(void *ctx, uint32_t id)
{
    ((struct side *)ctx)->eof = true;
}

static void
on_closed(void *ctx, uint32_t id)
{
    ((struct side *)ctx)->n_closed++;
}

static void
side_new(struct world *w, struct side *sd, bool server,
         struct sshkey *const *keys, size_t n_keys)
{
    struct session_config cfg;
    struct session_cbs cbs = {.ctx = sd, .authenticated = on_authed};
    struct conn_cbs cc = {.ctx = sd,
                          .open_request = on_open_request,
                          .open_result = on_open_result,
                          .data = on_data,
                          .eof = on_eof,
                          .closed = on_closed};

    memset(&cfg, 0, sizeof(cfg));
    buf_init(&sd->rx);
    sd->clock = &w->now;
    cfg.transport.is_server = server;
    cfg.transport.software_version = server ? "aditd_test" : "adit_test";
    cfg.transport.compression = server ? w->comp_srv : w->comp_cli;
    if (server) {
        cfg.transport.hostkeys = &w->hostkey;
        cfg.transport.n_hostkeys = 1;
        cfg.server_auth.check_key = check_key;
        cfg.server_auth.ctx = w;
    } else {
        cfg.transport.verify_hostkey = verify_hostkey;
        cfg.transport.verify_ctx = w;
        cfg.client_auth.user = "alice";
        cfg.client_auth.keys = keys;
        cfg.client_auth.n_keys = n_keys;
        cfg.alive_interval_ms = w->alive_ms;
        cfg.alive_count_max = w->alive_count;
        if (buf_len(&w->last_blob) > 0) {
            cfg.client_auth.last_blob = buf_ptr(&w->last_blob);
            cfg.client_auth.last_blob_len = buf_len(&w->last_blob);
            cfg.client_auth.last_alg = w->last_alg;
        }
    }
    assert_int_equal(session_new(&sd->s, &cfg, &cbs, &cc), 0);
    assert_int_equal(session_start(sd->s, 0), 0);
}

static struct world *
world_new_with(bool right_key, uint64_t alive_ms, unsigned alive_count,
               const char *comp_cli, const char *comp_srv)
{
    struct world *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    w->alive_ms = alive_ms;
    w->alive_count = alive_count;
    w->comp_cli = comp_cli;
    w->comp_srv = comp_srv;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &w->hostkey), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &w->userkey), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ECDSA_P256, 0, &w->otherkey), 0);
    side_new(w, &w->srv, true, NULL, 0);
    side_new(w, &w->cli, false, right_key ? &w->userkey : &w->otherkey, 1);
    return w;
}

static struct world *
world_new_alive(bool right_key, uint64_t alive_ms, unsigned alive_count)
{
    return world_new_with(right_key, alive_ms, alive_count, NULL, NULL);
}

static struct world *
world_new(bool right_key)
{
    return world_new_alive(right_key, 0, 0);
}

static void
world_free(struct world *w)
{
    session_free(w->cli.s);
    session_free(w->srv.s);
    buf_cleanup(&w->cli.rx);
    buf_cleanup(&w->srv.rx);
    sshkey_free(w->hostkey);
    sshkey_free(w->userkey);
    sshkey_free(w->otherkey);
    buf_cleanup(&w->last_blob);
    free(w);
}

/* A new connection of the same client to the same server, remembering the
 * key the server accepted on the last one. */
static void
world_again(struct world *w)
{
    const uint8_t *blob;
    const char *alg;
    size_t n;

    assert_true(session_auth_accepted(w->cli.s, &blob, &n, &alg));
    buf_reset(&w->last_blob);
    assert_int_equal(buf_put(&w->last_blob, blob, n), 0);
    snprintf(w->last_alg, sizeof(w->last_alg), "%s", alg);
    session_free(w->cli.s);
    session_free(w->srv.s);
    buf_cleanup(&w->cli.rx);
    buf_cleanup(&w->srv.rx);
    memset(&w->cli, 0, sizeof(w->cli));
    memset(&w->srv, 0, sizeof(w->srv));
    side_new(w, &w->srv, true, NULL, 0);
    side_new(w, &w->cli, false, &w->userkey, 1);
}

/* Move bytes from one side to the other; true if any moved. */
static bool
move(struct side *from, struct side *to, struct buf *tmp)
{
    int r;

    if (!session_has_output(from->s)) {
        return false;
    }
    buf_reset(tmp);
    session_take_output(from->s, tmp);
    if (to->err == 0 && buf_len(tmp) > 0) {
        session_clock(to->s, *to->clock);
        r = session_feed(to->s, buf_ptr(tmp), buf_len(tmp));
        if (r != 0) {
            to->err = r;
        }
    }
    return true;
}

static void
pump(struct world *w)
{
    struct buf tmp;
    unsigned i;

    buf_init(&tmp);
    for (i = 0; i < 10000; i++) {
        bool a = move(&w->cli, &w->srv, &tmp);
        bool b = move(&w->srv, &w->cli, &tmp);

        if (!a && !b) {
            break;
        }
    }
    assert_true(i < 10000);
    buf_cleanup(&tmp);
}

/* Send BULK bytes of a pattern on id from one side, pumping as we go. */
static void
send_bulk(struct world *w, struct side *from, uint32_t id, bool rekey)
{
    uint8_t chunk[65536];
    size_t sent = 0, k, i;
    unsigned rounds;
    bool rekeyed = false;

    for (rounds = 0; sent < BULK && rounds < 100000; rounds++) {
        k = conn_send_window(session_conn(from->s), id);
        if (k > sizeof(chunk)) {
            k = sizeof(chunk);
        }
        if (k > BULK - sent) {
            k = BULK - sent;
        }
        for (i = 0; i < k; i++) {
            chunk[i] = (uint8_t)((sent + i) * 7);
        }
        assert_int_equal(conn_send(session_conn(from->s), id, chunk, k), 0);
        sent += k;
        if (rekey && !rekeyed && sent >= BULK / 2) {
            assert_int_equal(transport_rekey(session_transport(from->s)), 0);
            rekeyed = true;
        }
        pump(w);
    }
    assert_int_equal(sent, BULK);
}

static void
check_bulk(const struct buf *rx)
{
    size_t i;

    assert_int_equal(buf_len(rx), BULK);
    for (i = 0; i < BULK; i++) {
        if (buf_ptr(rx)[i] != (uint8_t)(i * 7)) {
            fail_msg("byte %zu differs", i);
        }
    }
}

static void
test_session_tunnel(void **state)
{
    struct world *w = world_new(true);
    struct chan_open_info info = {.type = "direct-tcpip",
                                  .host = "intranet",
                                  .port = 8080,
                                  .orig_host = "127.0.0.1",
                                  .orig_port = 50000};
    struct transport_stats st;
    uint32_t cid;

    pump(w);
    assert_int_equal(w->cli.err, 0);
    assert_int_equal(w->srv.err, 0);
    assert_true(w->cli.authed);
    assert_true(w->srv.authed);
    assert_true(session_is_authenticated(w->srv.s));
    assert_string_equal(session_user(w->srv.s), "alice");
    assert_ptr_equal(session_auth_info(w->srv.s), w);
    assert_true(sshkey_equal_public(session_user_key(w->srv.s), w->userkey));
    assert_int_equal(conn_open(session_conn(w->cli.s), &info, NULL, &cid), 0);
    pump(w);
    assert_int_equal(w->srv.n_open_req, 1);
    assert_true(w->cli.open_ok);
    send_bulk(w, &w->cli, cid, true);
    check_bulk(&w->srv.rx);
    send_bulk(w, &w->srv, w->srv.id, false);
    check_bulk(&w->cli.rx);
    transport_get_stats(session_transport(w->cli.s), &st);
    assert_int_equal(st.kex_count, 2);
    assert_int_equal(conn_send_eof(session_conn(w->cli.s), cid), 0);
    pump(w);
    assert_true(w->srv.eof);
    assert_int_equal(conn_close(session_conn(w->srv.s), w->srv.id), 0);
    pump(w);
    assert_int_equal(w->cli.n_closed, 1);
    assert_int_equal(w->srv.n_closed, 1);
    assert_int_equal(conn_channel_count(session_conn(w->cli.s)), 0);
    assert_int_equal(conn_channel_count(session_conn(w->srv.s)), 0);
    assert_int_equal(w->cli.err, 0);
    assert_int_equal(w->srv.err, 0);
    world_free(w);
}

/* Pump until the client is logged in; the client's flights (writes
 * toward the server) it took. */
static unsigned
pump_flights(struct world *w)
{
    struct buf tmp;
    unsigned flights = 0, i;

    buf_init(&tmp);
    for (i = 0; i < 100 && !w->cli.authed && w->cli.err == 0; i++) {
        flights += move(&w->cli, &w->srv, &tmp) ? 1 : 0;
        move(&w->srv, &w->cli, &tmp);
    }
    buf_cleanup(&tmp);
    assert_true(w->cli.authed);
    return flights;
}

/*
 * The first request goes in the flight that carries NEWKEYS and the
 * service request: "none" on the first login (version and KEXINIT, kex
 * init, NEWKEYS with the service request and "none", the query, the
 * signed request: five client flights), and on the second login of the
 * same tunnel the key accepted on the first, signed (three: logged in
 * with the flight that ends the kex). Strict kex still holds.
 */
static void
test_session_relogin_one_flight(void **state)
{
    struct world *w = world_new(true);
    struct transport_algs a;
    unsigned first, again;

    first = pump_flights(w);
    world_again(w);
    again = pump_flights(w);
    assert_int_equal(first, 5);
    assert_int_equal(again, 3);
    assert_true(w->srv.authed);
    assert_int_equal(w->n_check, 3); /* query + signed, then signed */
    transport_get_algs(session_transport(w->cli.s), &a);
    assert_true(a.strict_kex);
    pump(w);
    assert_int_equal(w->cli.err, 0);
    assert_int_equal(w->srv.err, 0);
    world_free(w);
}

static void
test_session_auth_failure(void **state)
{
    struct world *w = world_new(false);

    pump(w);
    assert_false(w->cli.authed);
    assert_false(w->srv.authed);
    assert_int_equal(w->cli.err, ERR_AUTH);
    assert_string_equal(session_error(w->cli.s),
                        "Permission denied (publickey).");
    assert_null(session_conn(w->cli.s));
    /* the server saw the client's DISCONNECT */
    assert_int_equal(w->srv.err, ERR_DISCONNECTED);
    world_free(w);
}

/* check_key answers "not yet": the server holds the login, sends and
 * counts nothing, and takes it up again at session_resume. */
static void
test_session_auth_held(void **state)
{
    struct world *w = world_new(true);

    w->lookup_pending = true;
    pump(w);
    assert_true(session_auth_held(w->srv.s));
    assert_int_equal(w->n_check, 1);
    assert_false(w->srv.authed);
    assert_false(w->cli.authed);
    pump(w);
    assert_int_equal(w->n_check, 1);
    w->lookup_pending = false;
    assert_int_equal(session_resume(w->srv.s), 0);
    assert_false(session_auth_held(w->srv.s));
    pump(w);
    assert_true(w->srv.authed);
    assert_true(w->cli.authed);
    assert_int_equal(w->srv.err, 0);
    /* Nothing held: a no-op. */
    assert_int_equal(session_resume(w->srv.s), 0);
    world_free(w);
}

static void
test_session_login_grace(void **state)
{
    struct world *w = world_new(true);

    assert_int_equal(session_tick(w->srv.s, 1000), 0);
    assert_int_equal(session_tick(w->srv.s, 120000), ERR_TIMEOUT);
    assert_true(session_has_output(w->srv.s));
    world_free(w);
}

/*
 * A callback that ends the session (as io_conn_disconnect does) stops the
 * processing of what is left of the same input: no more callbacks run for
 * a connection that is going away.
 */
static void
test_session_stops_after_disconnect(void **state)
{
    struct world *w = world_new(true);
    struct chan_open_info info = {.type = "direct-tcpip",
                                  .host = "intranet",
                                  .port = 8080,
                                  .orig_host = "127.0.0.1",
                                  .orig_port = 50000};
    uint32_t cid;

    pump(w);
    assert_true(w->srv.authed);
    w->srv.hang_up_on_open = true;
    assert_int_equal(conn_open(session_conn(w->cli.s), &info, NULL, &cid), 0);
    assert_int_equal(conn_open(session_conn(w->cli.s), &info, NULL, &cid), 0);
    assert_int_equal(conn_open(session_conn(w->cli.s), &info, NULL, &cid), 0);
    pump(w);
    assert_int_equal(w->srv.n_open_req, 1);
    assert_int_equal(w->srv.err, ERR_DISCONNECTED);
    assert_int_equal(w->cli.err, ERR_DISCONNECTED);
    world_free(w);
}

/* A message number nobody defined gets UNIMPLEMENTED, in both roles and
 * before authentication too, and the connection goes on. */
static void
test_session_unknown_message(void **state)
{
    static const uint8_t unknown[3] = {200, 1, 2};
    struct world *w = world_new(true);
    struct transport_stats before, after;
    struct pkt_sink sink;

    /* After the first kex, before userauth is done. */
    while (!transport_is_ready(session_transport(w->srv.s)) ||
           !transport_is_ready(session_transport(w->cli.s))) {
        struct buf tmp;

        buf_init(&tmp);
        assert_true(move(&w->cli, &w->srv, &tmp) ||
                    move(&w->srv, &w->cli, &tmp));
        buf_cleanup(&tmp);
    }
    transport_sink(session_transport(w->cli.s), &sink);
    assert_int_equal(sink_send(&sink, unknown, sizeof(unknown)), 0);
    pump(w);
    assert_int_equal(w->srv.err, 0);
    assert_int_equal(w->cli.err, 0);
    assert_true(w->srv.authed);
    transport_get_stats(session_transport(w->cli.s), &before);
    transport_sink(session_transport(w->srv.s), &sink);
    assert_int_equal(sink_send(&sink, unknown, sizeof(unknown)), 0);
    pump(w);
    assert_int_equal(w->srv.err, 0);
    assert_int_equal(w->cli.err, 0);
    transport_get_stats(session_transport(w->cli.s), &after);
    assert_int_equal(after.packets_out, before.packets_out + 1);
    world_free(w);
}

/* Tick both sides at the fake clock's time, then deliver everything. */
static void
world_at(struct world *w, uint64_t t)
{
    w->now = t;
    assert_int_equal(session_tick(w->cli.s, t), 0);
    assert_int_equal(session_tick(w->srv.s, t), 0);
    pump(w);
}

/*
 * ServerAlive with a fake clock: a server that answers keeps the
 * connection however long it is silent otherwise, each answer timing the
 * next probe from when it was heard; one that stops (nothing delivered
 * any more) is given up Interval x Count after the last byte heard, to
 * the millisecond, with ssh's words and no DISCONNECT.
 */
static void
test_session_server_alive(void **state)
{
    struct world *w = world_new_alive(true, 1000, 3);
    uint64_t t, heard;
    struct buf tmp;

    pump(w);
    assert_true(w->cli.authed);
    assert_int_equal(session_alive_due(w->cli.s), 1000);
    /* Ticks every 250 ms: probes at 1, 2, ... 30 s, each answered at
     * once, so the next one is due a whole interval after it. */
    for (t = 250; t <= 30000; t += 250) {
        world_at(w, t);
        assert_int_equal(session_alive_due(w->cli.s), (t / 1000 + 1) * 1000);
    }
    assert_int_equal(conn_replies_received(session_conn(w->cli.s)), 30);
    assert_int_equal(w->cli.err, 0);
    assert_int_equal(session_alive_rtt_ms(w->cli.s), 0); /* at once */
    /* One answer that takes 40 ms: the round trip, and the next probe
     * timed from the answer. */
    assert_int_equal(session_tick(w->cli.s, 31000), 0);
    w->now = 31040;
    pump(w);
    assert_int_equal(session_alive_rtt_ms(w->cli.s), 40);
    heard = 31040;
    assert_int_equal(session_alive_due(w->cli.s), heard + 1000);
    /* The server stops 400 ms after its last answer: what the client
     * sends is lost from here on. */
    world_at(w, heard + 400);
    buf_init(&tmp);
    assert_int_equal(session_tick(w->cli.s, heard + 999), 0);
    assert_false(session_has_output(w->cli.s));
    assert_int_equal(session_tick(w->cli.s, heard + 1000), 0);
    assert_true(session_has_output(w->cli.s));
    assert_int_equal(session_alive_due(w->cli.s), heard + 2000);
    assert_int_equal(session_tick(w->cli.s, heard + 2000), 0);
    assert_int_equal(session_alive_due(w->cli.s), heard + 3000);
    assert_int_equal(session_tick(w->cli.s, heard + 2999), 0);
    assert_int_equal(session_tick(w->cli.s, heard + 3000), ERR_TIMEOUT);
    assert_string_equal(session_error(w->cli.s),
                        "Timeout, server not responding.");
    assert_true(session_alive_due(w->cli.s) == UINT64_MAX);
    session_take_output(w->cli.s, &tmp);
    assert_int_equal(session_feed(w->srv.s, buf_ptr(&tmp), buf_len(&tmp)), 0);
    /* two probes, no DISCONNECT */
    assert_int_equal(session_tick(w->srv.s, heard + 3000), 0);
    assert_int_equal(w->srv.err, 0);
    buf_cleanup(&tmp);
    world_free(w);
}

/*
 * Bytes of any kind are a sign of life, timed when they arrive: a
 * server silent but for one packet halfway through is given up
 * Interval x Count after that packet, not after the last probe's answer.
 */
static void
test_session_server_alive_heard(void **state)
{
    struct world *w = world_new_alive(true, 2000, 2);

    pump(w);
    assert_true(w->cli.authed);
    w->now = 1300;
    assert_int_equal(session_send_debug(w->srv.s, "still here"), 0);
    pump(w);
    assert_int_equal(session_alive_due(w->cli.s), 3300);
    assert_int_equal(session_tick(w->cli.s, 3299), 0);
    assert_false(session_has_output(w->cli.s));
    assert_int_equal(session_tick(w->cli.s, 3300), 0);
    assert_true(session_has_output(w->cli.s));
    assert_int_equal(session_tick(w->cli.s, 5299), 0);
    assert_int_equal(session_tick(w->cli.s, 5300), ERR_TIMEOUT);
    world_free(w);
}

/* Run the first kex and auth one packet at a time, checking when each
 * side starts compressing: delayed until USERAUTH_SUCCESS or not. */
static void
auth_watching_comp(struct world *w, bool delayed)
{
    struct buf tmp;
    bool in, out;
    unsigned i;

    buf_init(&tmp);
    for (i = 0; i < 10000 && !(w->cli.authed && w->srv.authed); i++) {
        bool moved = move(&w->cli, &w->srv, &tmp);

        moved = move(&w->srv, &w->cli, &tmp) || moved;
        assert_true(moved);
        transport_compressing(session_transport(w->cli.s), &in, &out);
        if (delayed && !w->cli.authed) {
            assert_false(in || out);
        }
        transport_compressing(session_transport(w->srv.s), &in, &out);
        if (delayed && !w->srv.authed) {
            assert_false(in || out);
        }
    }
    buf_cleanup(&tmp);
    pump(w);
    assert_true(w->cli.authed);
    assert_int_equal(w->cli.err, 0);
    assert_int_equal(w->srv.err, 0);
}

/*
 * Compression both ways: zlib@openssh.com (delayed past auth) and zlib,
 * 4 MiB each way with a rekey in the middle of each, byte for byte; the
 * data crosses in far fewer wire bytes than it holds.
 */
static void
run_compressed(const char *cli, const char *srv, const char *want, bool delayed)
{
    struct world *w = world_new_with(true, 0, 0, cli, srv);
    struct chan_open_info info = {.type = "direct-tcpip",
                                  .host = "intranet",
                                  .port = 8080,
                                  .orig_host = "127.0.0.1",
                                  .orig_port = 50000};
    struct transport_algs a;
    struct transport_stats st;
    bool in, out;
    uint32_t cid;

    auth_watching_comp(w, delayed);
    transport_get_algs(session_transport(w->cli.s), &a);
    assert_string_equal(a.comp_c2s, want);
    assert_string_equal(a.comp_s2c, want);
    transport_compressing(session_transport(w->cli.s), &in, &out);
    assert_true(in && out);
    transport_compressing(session_transport(w->srv.s), &in, &out);
    assert_true(in && out);
    assert_int_equal(conn_open(session_conn(w->cli.s), &info, NULL, &cid), 0);
    pump(w);
    assert_true(w->cli.open_ok);
    send_bulk(w, &w->cli, cid, true);
    check_bulk(&w->srv.rx);
    send_bulk(w, &w->srv, w->srv.id, true);
    check_bulk(&w->cli.rx);
    transport_get_stats(session_transport(w->cli.s), &st);
    assert_int_equal(st.kex_count, 3);
    assert_true(st.bytes_out < BULK / 4); /* the pattern compresses */
    assert_true(st.bytes_in < BULK / 4);
    transport_compressing(session_transport(w->srv.s), &in, &out);
    assert_true(in && out); /* again after the rekeys */
    assert_int_equal(w->cli.err, 0);
    assert_int_equal(w->srv.err, 0);
    world_free(w);
}

static void
test_session_compression_delayed(void **state)
{
    run_compressed("zlib@openssh.com,zlib,none", "none,zlib@openssh.com",
                   "zlib@openssh.com", true);
}

static void
test_session_compression_zlib(void **state)
{
    run_compressed("zlib,none", "none,zlib@openssh.com,zlib", "zlib", false);
}

/* One side without compression: none is chosen and nothing changes. */
static void
test_session_compression_refused(void **state)
{
    struct world *w = world_new_with(true, 0, 0, "zlib@openssh.com,none", NULL);
    struct transport_algs a;
    bool in, out;

    pump(w);
    assert_true(w->cli.authed);
    transport_get_algs(session_transport(w->cli.s), &a);
    assert_string_equal(a.comp_c2s, "none");
    transport_compressing(session_transport(w->cli.s), &in, &out);
    assert_false(in || out);
    world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_session_tunnel),
        cmocka_unit_test(test_session_relogin_one_flight),
        cmocka_unit_test(test_session_auth_failure),
        cmocka_unit_test(test_session_auth_held),
        cmocka_unit_test(test_session_login_grace),
        cmocka_unit_test(test_session_stops_after_disconnect),
        cmocka_unit_test(test_session_unknown_message),
        cmocka_unit_test(test_session_server_alive),
        cmocka_unit_test(test_session_server_alive_heard),
        cmocka_unit_test(test_session_compression_delayed),
        cmocka_unit_test(test_session_compression_zlib),
        cmocka_unit_test(test_session_compression_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
