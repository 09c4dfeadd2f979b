/* SPDX-License-Identifier: ISC */
/*
 * adit's state for status and systemd: snapshots of the destinations and
 * forwards, and (Reconnect mode) a timed keepalive per destination that
 * gives the round-trip time and says the server is verifiably alive.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <string.h>

#include "conn/conn.h"
#include "transport/transport.h"
#include "util/log.h"

const char *
client_state_str(enum client_state st)
{
    switch (st) {
    case CLIENT_CONNECTING:
        return "connecting";
    case CLIENT_UP:
        return "up";
    case CLIENT_RETRYING:
        return "retrying";
    default:
        return "failed";
    }
}

/*
 * ---- the timed keepalive ----
 * It measures the round-trip time and tells status and the watchdog that
 * the server answers. Ending a silent connection is the session's
 * ServerAlive (conn/alive.h), timed from the last byte heard.
 */

static void
client_probe_reply(void *ctx, struct io_conn *ic, bool ok, const uint8_t *p,
                   size_t n)
{
    struct client *c = ctx;

    /* Any answer will do: sshd refuses keepalive@openssh.com, and the
     * refusal is as good a proof of life as an acceptance. */
    (void)ok;
    (void)p;
    (void)n;
    if (c->probe_sent != 0) {
        c->rtt_ms = (int64_t)((uv_hrtime() - c->probe_sent) / 1000000u);
        c->probe_sent = 0;
    }
    c->heard_ms = uv_now(io_conn_loop(ic));
}

static void
client_probe_tick(uv_timer_t *t)
{
    struct client *c = t->data;

    /* One probe at a time: an unanswered one is the session's business
     * (ServerAlive ends the connection). */
    if (c->ic == NULL || c->stopping || c->probe_sent != 0) {
        return;
    }
    c->probe_sent = uv_hrtime();
    if (io_conn_global_request(c->ic, "keepalive@openssh.com", NULL, 0,
                               client_probe_reply, c) != 0) {
        c->probe_sent = 0;
    }
}

void
client_probe_start(struct client *c)
{
    int interval = client_config_alive_interval(c->cfg);

    c->probe_sent = 0;
    c->heard_ms = uv_now(c->loop);
    if (!c->sup->reconnect || interval <= 0) {
        return;
    }
    uv_timer_start(&c->probe, client_probe_tick, 0, (uint64_t)interval * 1000u);
}

void
client_probe_stop(struct client *c)
{
    uv_timer_stop(&c->probe);
    c->probe_sent = 0;
}

/* ---- snapshots ---- */

size_t
client_status_dests(const struct client_sup *sup)
{
    return sup->n;
}

void
client_chan_stats_add(struct conn_chan_stats *a,
                      const struct conn_chan_stats *b)
{
    a->sent += b->sent;
    a->sent_failed += b->sent_failed;
    a->received += b->received;
    a->received_failed += b->received_failed;
}

void
client_status_dest(const struct client_sup *sup, size_t i,
                   struct client_dest_snap *out)
{
    const struct client *c = sup->d[i];
    struct transport_stats st;
    struct conn_chan_stats cs;
    struct conn *conn;

    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s",
             c->t->orig_host != NULL ? c->t->orig_host : c->t->host);
    snprintf(out->host, sizeof(out->host), "%s", c->t->host);
    out->port = c->t->port;
    out->state = c->state;
    out->since = c->since;
    snprintf(out->last_error, sizeof(out->last_error), "%s", c->last_error);
    out->bytes_in = c->bytes_in;
    out->bytes_out = c->bytes_out;
    out->rtt_ms = c->state == CLIENT_UP ? c->rtt_ms : -1;
    out->reconnects = c->reconnects;
    out->logins = c->logins;
    out->auth_failures = c->auth_failures;
    out->chans = c->chans;
    if (c->ic != NULL) {
        transport_get_stats(session_transport(io_conn_session(c->ic)), &st);
        out->bytes_in += st.bytes_in;
        out->bytes_out += st.bytes_out;
        if (out->rtt_ms < 0 && c->state == CLIENT_UP) {
            /* Not Reconnect mode: ServerAlive's own probes, if any. */
            out->rtt_ms = session_alive_rtt_ms(io_conn_session(c->ic));
        }
        if ((conn = io_conn_conn(c->ic)) != NULL) {
            out->channels = conn_channel_count(conn);
            conn_get_chan_stats(conn, &cs);
            client_chan_stats_add(&out->chans, &cs);
        }
    }
}

size_t
client_status_fwds(const struct client_sup *sup)
{
    const struct client_config *cfg = sup->cfg;

    return cfg->n_local_fwds + cfg->n_dynamic_fwds +
           cfg->n_remote_fwds * sup->n + client_mux_fwd_rows(sup);
}

/* "[bind]:port" or a path, then the target for -L and -R. */
static void
client_spec_str(const struct fwdspec *f, bool has_target, char *out, size_t len)
{
    char listen[300], target[300] = "";

    if (f->listen_path != NULL) {
        snprintf(listen, sizeof(listen), "%s", f->listen_path);
    } else {
        snprintf(listen, sizeof(listen), "[%s]:%u",
                 f->bind != NULL ? f->bind : "localhost",
                 (unsigned)f->listen_port);
    }
    if (has_target && f->connect_path != NULL) {
        snprintf(target, sizeof(target), " %s", f->connect_path);
    } else if (has_target && f->host != NULL) {
        snprintf(target, sizeof(target), " [%s]:%u", f->host,
                 (unsigned)f->host_port);
    } else if (has_target) {
        snprintf(target, sizeof(target), " socks");
    }
    snprintf(out, len, "%s%s", listen, target);
}

static bool
client_local_is_up(const struct client_sup *sup, const struct fwdspec *f)
{
    size_t i;

    for (i = 0; i < sup->n_fwds; i++) {
        if (sup->fwd_specs[i] == f) {
            return true;
        }
    }
    return false;
}

/* A forward added through the master (-O forward), after the rest. */
static void
client_status_added(const struct client_sup *sup, size_t row,
                    struct client_fwd_snap *out)
{
    enum fwdspec_kind kind = FWDSPEC_LOCAL;
    const struct fwdspec *f = client_mux_fwd_row(sup, row, &kind, &out->dest,
                                                 &out->is_up, &out->port);

    if (f == NULL) {
        return;
    }
    out->kind = kind == FWDSPEC_REMOTE    ? CLIENT_FWD_REMOTE
                : kind == FWDSPEC_DYNAMIC ? CLIENT_FWD_DYNAMIC
                                          : CLIENT_FWD_LOCAL;
    client_spec_str(f, kind != FWDSPEC_DYNAMIC, out->spec, sizeof(out->spec));
}

void
client_status_fwd(const struct client_sup *sup, size_t i,
                  struct client_fwd_snap *out)
{
    const struct client_config *cfg = sup->cfg;
    size_t n_l = cfg->n_local_fwds, n_d = cfg->n_dynamic_fwds, j;
    const struct fwdspec *f;
    const struct client *c;

    memset(out, 0, sizeof(*out));
    if (i < n_l + n_d) {
        f = i < n_l ? &cfg->local_fwds[i] : &cfg->dynamic_fwds[i - n_l];
        out->kind = i < n_l ? CLIENT_FWD_LOCAL : CLIENT_FWD_DYNAMIC;
        out->is_up = client_local_is_up(sup, f);
        out->port = f->listen_port;
        client_spec_str(f, i < n_l, out->spec, sizeof(out->spec));
        return;
    }
    i -= n_l + n_d;
    if (i >= cfg->n_remote_fwds * sup->n) {
        client_status_added(sup, i - cfg->n_remote_fwds * sup->n, out);
        return;
    }
    out->kind = CLIENT_FWD_REMOTE;
    out->dest = i / cfg->n_remote_fwds;
    j = i % cfg->n_remote_fwds;
    f = &cfg->remote_fwds[j];
    out->port = f->listen_port;
    client_spec_str(f, true, out->spec, sizeof(out->spec));
    c = sup->d[out->dest];
    if (c->rfwd != NULL && c->state == CLIENT_UP) {
        fwd_remote_info(c->rfwd, j, &out->is_up, &out->port);
    }
}

bool
client_status_ready(const struct client_sup *sup)
{
    struct client_fwd_snap f;
    size_t i, n = client_status_fwds(sup);
    bool any_up = false;

    for (i = 0; i < sup->n; i++) {
        any_up = any_up || sup->d[i]->state == CLIENT_UP;
    }
    if (!any_up) {
        return false;
    }
    for (i = 0; i < n; i++) {
        client_status_fwd(sup, i, &f);
        if (!f.is_up && (f.kind != CLIENT_FWD_REMOTE ||
                         sup->d[f.dest]->state == CLIENT_UP)) {
            return false;
        }
    }
    return true;
}

bool
client_status_alive(const struct client_sup *sup)
{
    uint64_t now = uv_now(sup->loop);
    size_t i;

    for (i = 0; i < sup->n; i++) {
        const struct client *c = sup->d[i];
        uint64_t limit = (uint64_t)client_config_alive_interval(c->cfg) *
                         (uint64_t)client_config_alive_count(c->cfg) * 1000u;

        if (c->state == CLIENT_UP && c->ic != NULL &&
            (limit == 0 || now - c->heard_ms <= limit)) {
            return true;
        }
    }
    return false;
}
