/* SPDX-License-Identifier: ISC */
/* aditd's Prometheus metrics (MetricsAddress). */
#include "fwd/server_int.h"

#include <string.h>

#include "ctl/metrics.h"
#include "fwd/server_rfwd.h"
#include "transport/transport.h"
#include "util/err.h"

static int
metric_one(struct buf *b, const char *name, const char *type, const char *help,
           uint64_t v)
{
    int r = metrics_family(b, name, type, help);

    return r != 0 ? r : metrics_u64(b, name, NULL, v);
}

static int
metric_by_type(struct buf *b, const char *name, const char *help,
               const uint64_t *v)
{
    static const char *const types[SCHAN_N] = {
        "session",         "direct-tcpip",          "direct-streamlocal",
        "forwarded-tcpip", "forwarded-streamlocal", "other"};
    const char *labels[3] = {"type", NULL, NULL};
    size_t k;
    int r = metrics_family(b, name, "counter", help);

    for (k = 0; k < SCHAN_N && r == 0; k++) {
        labels[1] = types[k];
        r = metrics_u64(b, name, labels, v[k]);
    }
    return r;
}

static int
metric_forwards(struct buf *b, struct server *srv)
{
    const char *labels[3] = {"type", NULL, NULL};
    uint64_t n[3] = {0, 0, 0};
    const struct rfwd *r;
    int rc;

    for (r = rfwd_tab_first(&srv->rfwds); r != NULL;
         r = rfwd_tab_next(&srv->rfwds, r)) {
        n[r->is_name ? 1 : r->is_unix ? 2 : 0]++;
    }
    rc = metrics_family(b, "aditd_forwards", "gauge",
                        "Reverse forwards held, by kind: tcpip ports, named "
                        "endpoints, streamlocal sockets");
    labels[1] = "tcpip";
    if (rc == 0 && (rc = metrics_u64(b, "aditd_forwards", labels, n[0])) == 0) {
        labels[1] = "name";
        rc = metrics_u64(b, "aditd_forwards", labels, n[1]);
    }
    if (rc == 0) {
        labels[1] = "streamlocal";
        rc = metrics_u64(b, "aditd_forwards", labels, n[2]);
    }
    return rc;
}

/* The slowest client's last ClientAlive round trip (no sample until one
 * has been answered). */
static int
metric_rtt(struct buf *b, struct server *srv)
{
    const char *name = "aditd_keepalive_rtt_max_seconds";
    const struct server_conn *sc;
    int64_t max = -1, rtt;
    int r = metrics_family(b, name, "gauge",
                           "Largest last keepalive round trip among sessions");

    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        rtt = session_alive_rtt_ms(io_conn_session(sc->ic));
        max = sc->authenticated && rtt > max ? rtt : max;
    }
    if (r != 0 || max < 0) {
        return r;
    }
    return metrics_double(b, name, NULL, (double)max / 1000.0);
}

/* Live numbers: sessions, channels and bytes of running connections. */
static int
metric_live(struct buf *b, struct server *srv)
{
    const struct server_conn *sc;
    struct transport_stats ts;
    uint64_t sessions = 0, preauth = 0, channels = 0;
    uint64_t in = srv->stats.bytes_in, out = srv->stats.bytes_out;
    int r;

    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        struct conn *c = io_conn_conn(sc->ic);
        transport_get_stats(session_transport(io_conn_session(sc->ic)), &ts);
        in += ts.bytes_in;
        out += ts.bytes_out;
        channels += c != NULL ? conn_channel_count(c) : 0;
        *(sc->authenticated ? &sessions : &preauth) += 1;
    }
    if ((r = metric_one(b, "aditd_sessions", "gauge",
                        "Authenticated connections now", sessions)) != 0 ||
        (r = metric_one(b, "aditd_preauth_connections", "gauge",
                        "Connections not yet authenticated", preauth)) != 0 ||
        (r = metric_one(b, "aditd_channels", "gauge", "Open channels",
                        channels)) != 0 ||
        (r = metric_one(b, "aditd_received_bytes_total", "counter",
                        "Bytes received on the wire", in)) != 0) {
        return r;
    }
    return metric_one(b, "aditd_sent_bytes_total", "counter",
                      "Bytes sent on the wire", out);
}

int
server_metrics(struct server *srv, struct buf *b)
{
    const struct server_stats *s = &srv->stats;
    int r;

    if ((r = metric_one(b, "aditd_connections_total", "counter",
                        "Connections accepted", s->connections)) != 0 ||
        (r = metric_one(b, "aditd_logins_total", "counter",
                        "Connections that authenticated", s->logins)) != 0 ||
        (r = metric_one(b, "aditd_auth_failures_total", "counter",
                        "Public keys refused at login", s->auth_failures)) !=
            0 ||
        (r = metric_one(b, "aditd_preauth_disconnects_total", "counter",
                        "Connections that ended before authenticating",
                        s->preauth_closed)) != 0 ||
        (r = metric_live(b, srv)) != 0 ||
        (r = metric_by_type(b, "aditd_channel_opens_total",
                            "Channel open requests, by channel type",
                            s->chan_opens)) != 0 ||
        (r = metric_by_type(b, "aditd_channel_open_failures_total",
                            "Channel opens refused by policy or failed to "
                            "connect, by channel type",
                            s->chan_failures)) != 0 ||
        (r = metric_forwards(b, srv)) != 0 ||
        (r = metric_one(b, "aditd_takeovers_total", "counter",
                        "Reverse forwards taken over by a new session of the "
                        "same key (a client that reconnected)",
                        s->takeovers)) != 0 ||
        (r = metric_rtt(b, srv)) != 0 ||
        (r = metric_one(b, "aditd_listeners", "gauge",
                        "Listening sockets of the server itself",
                        srv->n_listeners)) != 0 ||
        (r = metric_one(b, "aditd_reloads_total", "counter",
                        "Configuration reloads that took effect",
                        s->reloads)) != 0 ||
        (r = metric_one(b, "aditd_reload_failures_total", "counter",
                        "Configuration reloads refused (old one kept)",
                        s->reload_failures)) != 0) {
        return r;
    }
    return metric_one(b, "aditd_start_time_seconds", "gauge",
                      "Start time, seconds since the epoch", s->started);
}
