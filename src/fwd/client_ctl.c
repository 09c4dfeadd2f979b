/* SPDX-License-Identifier: ISC */
/*
 * adit seen from outside: the control socket (StatusSocket; `adit status`
 * and `adit status --json`), the Prometheus endpoint (MetricsListen), and
 * systemd's notifications (READY=1 once every forward is up, STATUS= with
 * a one-line summary, WATCHDOG=1 only while a server is verified alive).
 * Everything is read from the snapshots of client_state.h.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_mux.h"
#include "ctl/json.h"
#include "ctl/metrics.h"
#include "ctl/table.h"
#include "io/io_ctl.h"
#include "io/io_metrics.h"
#include "io/io_svc.h"
#include "io/sdnotify.h"
#include "util/err.h"
#include "util/log.h"

/* How often the notify state is looked at when nothing else asks. */
#define CLIENT_NOTIFY_TICK_MS 1000u

static const char *const client_fwd_kinds[] = {"local", "dynamic", "remote"};

/* ---- status ---- */

static void
client_ctl_since(int64_t since, char *out, size_t len)
{
    struct tm tm;
    time_t t = (time_t)since;

    if (since <= 0 || gmtime_r(&t, &tm) == NULL ||
        strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, len, "-");
    }
}

static void
client_ctl_json_dest(struct json *j, const struct client_dest_snap *d)
{
    char since[32];

    client_ctl_since(d->since, since, sizeof(since));
    json_obj_begin(j, NULL);
    json_str(j, "name", d->name);
    json_str(j, "host", d->host);
    json_u64(j, "port", d->port);
    json_str(j, "state", client_state_str(d->state));
    json_str(j, "since", since);
    json_i64(j, "since_unix", d->since);
    if (d->last_error[0] != '\0') {
        json_str(j, "last_error", d->last_error);
    } else {
        json_null(j, "last_error");
    }
    json_u64(j, "bytes_in", d->bytes_in);
    json_u64(j, "bytes_out", d->bytes_out);
    if (d->rtt_ms >= 0) {
        json_i64(j, "keepalive_rtt_ms", d->rtt_ms);
    } else {
        json_null(j, "keepalive_rtt_ms");
    }
    json_u64(j, "channels", d->channels);
    json_u64(j, "reconnects", d->reconnects);
    json_obj_end(j);
}

static void
client_ctl_json_fwd(struct json *j, const struct client_sup *sup,
                    const struct client_fwd_snap *f)
{
    struct client_dest_snap d;

    json_obj_begin(j, NULL);
    json_str(j, "kind", client_fwd_kinds[f->kind]);
    json_str(j, "spec", f->spec);
    if (f->kind == CLIENT_FWD_REMOTE) {
        client_status_dest(sup, f->dest, &d);
        json_str(j, "destination", d.name);
    } else {
        json_null(j, "destination");
    }
    json_str(j, "state", f->is_up ? "up" : "down");
    json_u64(j, "port", f->port);
    json_obj_end(j);
}

static int
client_ctl_json(const struct client_sup *sup, struct buf *body)
{
    struct client_dest_snap d;
    struct client_fwd_snap f;
    struct json j;
    size_t i;

    json_init(&j, body);
    json_obj_begin(&j, NULL);
    json_str(&j, "mode", sup->reconnect ? "reconnect" : "single");
    json_bool(&j, "ready", client_status_ready(sup));
    json_arr_begin(&j, "destinations");
    for (i = 0; i < client_status_dests(sup); i++) {
        client_status_dest(sup, i, &d);
        client_ctl_json_dest(&j, &d);
    }
    json_arr_end(&j);
    json_arr_begin(&j, "forwards");
    for (i = 0; i < client_status_fwds(sup); i++) {
        client_status_fwd(sup, i, &f);
        client_ctl_json_fwd(&j, sup, &f);
    }
    json_arr_end(&j);
    json_obj_end(&j);
    return json_finish(&j);
}

static void
client_ctl_row(struct table *t, const struct client_dest_snap *d)
{
    char since[32];

    client_ctl_since(d->since, since, sizeof(since));
    table_cell(t, d->name);
    table_cell(t, client_state_str(d->state));
    table_cell(t, since);
    table_cellf(t, "%llu", (unsigned long long)d->bytes_in);
    table_cellf(t, "%llu", (unsigned long long)d->bytes_out);
    if (d->rtt_ms >= 0) {
        table_cellf(t, "%lld ms", (long long)d->rtt_ms);
    } else {
        table_cell(t, NULL);
    }
    table_cellf(t, "%zu", d->channels);
    table_cellf(t, "%u", d->reconnects);
    table_cell(t, d->last_error[0] != '\0' ? d->last_error : NULL);
}

static int
client_ctl_text(const struct client_sup *sup, struct buf *body)
{
    static const char *const dcols[] = {
        "DESTINATION", "STATE",    "SINCE",      "IN",        "OUT",
        "RTT",         "CHANNELS", "RECONNECTS", "LAST ERROR"};
    static const char *const fcols[] = {"FORWARD", "SPEC", "DESTINATION",
                                        "STATE", "PORT"};
    struct client_dest_snap d;
    struct client_fwd_snap f;
    struct table t;
    size_t i;
    int r;

    table_init(&t, sizeof(dcols) / sizeof(dcols[0]), dcols);
    for (i = 0; i < client_status_dests(sup); i++) {
        client_status_dest(sup, i, &d);
        client_ctl_row(&t, &d);
    }
    r = table_render(&t, body);
    table_cleanup(&t);
    if (r != 0 || client_status_fwds(sup) == 0 ||
        (r = buf_put(body, "\n", 1)) != 0) {
        return r;
    }
    table_init(&t, sizeof(fcols) / sizeof(fcols[0]), fcols);
    for (i = 0; i < client_status_fwds(sup); i++) {
        client_status_fwd(sup, i, &f);
        table_cell(&t, client_fwd_kinds[f.kind]);
        table_cell(&t, f.spec);
        if (f.kind == CLIENT_FWD_REMOTE) {
            client_status_dest(sup, f.dest, &d);
            table_cell(&t, d.name);
        } else {
            table_cell(&t, NULL);
        }
        table_cell(&t, f.is_up ? "up" : "down");
        table_cellf(&t, "%u", (unsigned)f.port);
    }
    r = table_render(&t, body);
    table_cleanup(&t);
    return r;
}

static int
client_ctl_handler(void *ctx, const struct ctl_request *req,
                   struct io_ctl_call *call, struct buf *body, char *why,
                   size_t why_len)
{
    struct client_sup *sup = ctx;
    bool json = req->argc == 2 && strcmp(req->argv[1], "--json") == 0;

    if (ctl_mux_is_mux(req)) {
        return client_mux_request(sup, req, call, body, why, why_len);
    }
    if (strcmp(req->argv[0], "status") != 0) {
        return ERR_NOTFOUND;
    }
    if (req->argc > 2 || (req->argc == 2 && !json)) {
        snprintf(why, why_len, "usage: status [--json]");
        return ERR_INVAL;
    }
    return json ? client_ctl_json(sup, body) : client_ctl_text(sup, body);
}

/* ---- metrics ---- */

/* Family k's samples for destination d (client_metric_fams). */
typedef int (*client_metric_fn)(struct buf *out, const char *name,
                                const struct client_dest_snap *d);

static int
client_metric_state(struct buf *out, const char *name,
                    const struct client_dest_snap *d)
{
    const char *lab[] = {"destination", d->name, "state", NULL, NULL};
    unsigned s;
    int r = 0;

    for (s = CLIENT_CONNECTING; s <= CLIENT_FAILED && r == 0; s++) {
        lab[3] = client_state_str((enum client_state)s);
        r = metrics_u64(out, name, lab,
                        d->state == (enum client_state)s ? 1 : 0);
    }
    return r;
}

/* Opens (or failures of them) both ways: "out" are adit's (-L, -D, -W),
 * "in" the server's (-R). */
static int
client_metric_opens(struct buf *out, const char *name, uint64_t sent,
                    uint64_t received, const struct client_dest_snap *d)
{
    const char *lab[] = {"destination", d->name, "direction", "out", NULL};
    int r = metrics_u64(out, name, lab, sent);

    lab[3] = "in";
    return r != 0 ? r : metrics_u64(out, name, lab, received);
}

static int
client_metric_chan_opens(struct buf *out, const char *name,
                         const struct client_dest_snap *d)
{
    return client_metric_opens(out, name, d->chans.sent, d->chans.received, d);
}

static int
client_metric_chan_failures(struct buf *out, const char *name,
                            const struct client_dest_snap *d)
{
    return client_metric_opens(out, name, d->chans.sent_failed,
                               d->chans.received_failed, d);
}

static int
client_metric_rtt(struct buf *out, const char *name,
                  const struct client_dest_snap *d)
{
    const char *lab[] = {"destination", d->name, NULL};

    return d->rtt_ms < 0
               ? 0
               : metrics_double(out, name, lab, (double)d->rtt_ms / 1000.0);
}

/* The plain counters and gauges, by the family's name. */
static int
client_metric_plain(struct buf *out, const char *name,
                    const struct client_dest_snap *d)
{
    const char *lab[] = {"destination", d->name, NULL};
    uint64_t v = 0;

    if (strcmp(name, "adit_bytes_received_total") == 0) {
        v = d->bytes_in;
    } else if (strcmp(name, "adit_bytes_sent_total") == 0) {
        v = d->bytes_out;
    } else if (strcmp(name, "adit_channels_open") == 0) {
        v = d->channels;
    } else if (strcmp(name, "adit_connections_total") == 0) {
        v = d->logins;
    } else if (strcmp(name, "adit_auth_failures_total") == 0) {
        v = d->auth_failures;
    } else {
        v = d->reconnects;
    }
    return metrics_u64(out, name, lab, v);
}

/* The families, in the order they are written; each one's samples come
 * right after its HELP and TYPE lines, as the text format requires. */
static const struct {
    const char *name, *type, *help;
    client_metric_fn fn;
} client_metric_fams[] = {
    {"adit_destination_state", "gauge", "1 for the destination's state",
     client_metric_state},
    {"adit_bytes_received_total", "counter", "bytes from the server",
     client_metric_plain},
    {"adit_bytes_sent_total", "counter", "bytes to the server",
     client_metric_plain},
    {"adit_channels_open", "gauge", "channels open now", client_metric_plain},
    {"adit_channel_opens_total", "counter",
     "channel opens: out by adit (-L, -D, -W), in by the server (-R)",
     client_metric_chan_opens},
    {"adit_channel_open_failures_total", "counter",
     "channel opens refused or failed, by direction",
     client_metric_chan_failures},
    {"adit_connections_total", "counter",
     "connections that logged in, the first and every reconnect",
     client_metric_plain},
    {"adit_auth_failures_total", "counter", "logins refused by the server",
     client_metric_plain},
    {"adit_reconnects_total", "counter", "attempts after the first",
     client_metric_plain},
    {"adit_keepalive_rtt_seconds", "gauge", "last keepalive round trip",
     client_metric_rtt},
};

/* Tunnels by state: 1 for each forward that is up (listening, or -R
 * granted), 0 for one that is not. */
static int
client_metrics_fwds(const struct client_sup *sup, struct buf *out)
{
    static const char *const kinds[] = {"local", "dynamic", "remote"};
    const char *name = "adit_forward_up";
    const char *lab[] = {"forward", NULL, "kind", NULL, NULL, NULL, NULL};
    struct client_dest_snap d;
    struct client_fwd_snap f;
    size_t i;
    int r = metrics_family(out, name, "gauge",
                           "1 while the forward is up (-R: per destination)");

    for (i = 0; i < client_status_fwds(sup) && r == 0; i++) {
        client_status_fwd(sup, i, &f);
        lab[1] = f.spec;
        lab[3] = kinds[f.kind];
        lab[4] = NULL;
        if (f.kind == CLIENT_FWD_REMOTE) {
            client_status_dest(sup, f.dest, &d);
            lab[4] = "destination";
            lab[5] = d.name;
        }
        r = metrics_u64(out, name, lab, f.is_up ? 1 : 0);
    }
    return r;
}

static int
client_metrics(void *ctx, struct buf *out)
{
    const struct client_sup *sup = ctx;
    const size_t n_fams =
        sizeof(client_metric_fams) / sizeof(client_metric_fams[0]);
    struct client_dest_snap d;
    size_t k, i;
    int r = 0;

    for (k = 0; k < n_fams && r == 0; k++) {
        r = metrics_family(out, client_metric_fams[k].name,
                           client_metric_fams[k].type,
                           client_metric_fams[k].help);
        for (i = 0; i < client_status_dests(sup) && r == 0; i++) {
            client_status_dest(sup, i, &d);
            r = client_metric_fams[k].fn(out, client_metric_fams[k].name, &d);
        }
    }
    return r != 0 ? r : client_metrics_fwds(sup, out);
}

/* ---- systemd ---- */

static void
client_notify_tick(uv_timer_t *t)
{
    client_notify(t->data);
}

void
client_notify(struct client_sup *sup)
{
    char status[256];
    size_t i, up = 0;
    uint64_t now = uv_now(sup->loop);

    if (!sup->has_notify || sup->stopping) {
        return;
    }
    for (i = 0; i < sup->n; i++) {
        up += sup->d[i]->state == CLIENT_UP ? 1u : 0u;
    }
    snprintf(status, sizeof(status), "%zu of %zu destinations up%s", up, sup->n,
             client_status_ready(sup) ? ", every forward up" : "");
    if (strcmp(status, sup->notify_status) != 0) {
        snprintf(sup->notify_status, sizeof(sup->notify_status), "%s", status);
        (void)sdnotify_printf("STATUS=%s", status);
    }
    if (!sup->ready_sent && client_status_ready(sup)) {
        sup->ready_sent = true;
        (void)sdnotify_send("READY=1");
    }
    /* Only a server that answered lately proves the tunnels work: a
     * wedged process, or one whose every destination is down, stops
     * pinging and the service manager steps in. */
    if (sup->watchdog_ms > 0 && now >= sup->watchdog_next &&
        client_status_alive(sup)) {
        sup->watchdog_next = now + sup->watchdog_ms / 2u;
        (void)sdnotify_send("WATCHDOG=1");
    }
}

/* ---- start and stop ---- */

static int
client_ctl_listen(struct client_sup *sup)
{
    const struct client_config *cfg = sup->cfg;
    char why[256] = "";
    uint16_t port = 0;
    int r;

    if ((r = client_mux_listen(sup, client_ctl_handler)) != 0) {
        return r;
    }
    if (cfg->status_socket != NULL && strcmp(cfg->status_socket, "none") != 0 &&
        (r = io_ctl_listen(&sup->ctl, sup->loop, cfg->status_socket,
                           client_ctl_handler, sup)) != 0) {
        log_error("StatusSocket %s: %s", cfg->status_socket, err_str(r));
        return r;
    }
    if (cfg->metrics_listen != NULL &&
        (r = io_metrics_listen(&sup->metrics, sup->loop, cfg->metrics_listen,
                               client_metrics, sup, &port, why, sizeof(why))) !=
            0) {
        log_error("MetricsListen %s: %s", cfg->metrics_listen,
                  why[0] != '\0' ? why : err_str(r));
        return r;
    }
    if (port != 0) {
        log_debug("metrics on port %u", (unsigned)port);
    }
    return 0;
}

int
client_ctl_start(struct client_sup *sup)
{
    uint64_t usec = sdnotify_watchdog_usec(), tick;
    int r;

    if ((r = client_ctl_listen(sup)) != 0) {
        return r;
    }
    sup->has_notify = sdnotify_enabled();
    if (!sup->has_notify) {
        return 0;
    }
    sup->watchdog_ms = usec / 1000u;
    tick = CLIENT_NOTIFY_TICK_MS;
    if (sup->watchdog_ms > 0 && sup->watchdog_ms / 4u < tick) {
        tick = sup->watchdog_ms / 4u > 0 ? sup->watchdog_ms / 4u : 1u;
    }
    uv_timer_init(sup->loop, &sup->notify_timer);
    sup->notify_timer.data = sup;
    sup->has_notify_timer = true;
    uv_timer_start(&sup->notify_timer, client_notify_tick, tick, tick);
    return 0;
}

void
client_ctl_stop(struct client_sup *sup)
{
    client_mux_stop(sup);
    if (sup->ctl != NULL) {
        io_svc_close(sup->ctl);
        sup->ctl = NULL;
    }
    if (sup->metrics != NULL) {
        io_svc_close(sup->metrics);
        sup->metrics = NULL;
    }
    if (sup->has_notify_timer) {
        sup->has_notify_timer = false;
        uv_close((uv_handle_t *)&sup->notify_timer, NULL);
        (void)sdnotify_send("STOPPING=1");
    }
}
