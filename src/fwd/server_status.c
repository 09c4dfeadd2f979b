/* SPDX-License-Identifier: ISC */
/* aditd status and metrics: what runs now and the counters since start. */
#include "fwd/server_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl/json.h"
#include "ctl/metrics.h"
#include "ctl/table.h"
#include "fwd/server_rfwd.h"
#include "io/io_listen.h"
#include "io/io_util.h"
#include "transport/transport.h"
#include "util/err.h"

static const char *const schan_names[SCHAN_N] = {
    "session",
    "direct-tcpip",
    "direct-streamlocal@openssh.com",
    "forwarded-tcpip",
    "forwarded-streamlocal@openssh.com",
    "other",
};

void
server_count_open(struct server *srv, const char *type, bool failed)
{
    size_t k;

    for (k = 0; k < SCHAN_OTHER; k++) {
        if (strcmp(type, schan_names[k]) == 0) {
            break;
        }
    }
    if (failed) {
        srv->stats.chan_failures[k]++;
    } else {
        srv->stats.chan_opens[k]++;
    }
}

void
server_count_reload(struct server *srv, bool ok)
{
    if (ok) {
        srv->stats.reloads++;
    } else {
        srv->stats.reload_failures++;
    }
}

/* What one connection holds and has carried. */
struct status_conn {
    struct transport_stats ts;
    size_t channels;
    size_t forwards, names;
};

static void
status_conn(const struct server_conn *sc, struct status_conn *st)
{
    struct session *s = io_conn_session(sc->ic);
    struct conn *c = io_conn_conn(sc->ic);
    const struct rfwd *r;

    memset(st, 0, sizeof(*st));
    transport_get_stats(session_transport(s), &st->ts);
    st->channels = c != NULL ? conn_channel_count(c) : 0;
    for (r = sc->rfwds; r != NULL; r = r->onext) {
        if (r->is_name) {
            st->names++;
        } else {
            st->forwards++;
        }
    }
}

/* Totals over the live connections. */
struct status_sum {
    size_t sessions, preauth, forwards, names, unix_fwds, channels;
    uint64_t bytes_in, bytes_out;
};

static void
status_sum(struct server *srv, struct status_sum *sum)
{
    const struct server_conn *sc;
    const struct rfwd *r;
    struct status_conn st;

    memset(sum, 0, sizeof(*sum));
    sum->bytes_in = srv->stats.bytes_in;
    sum->bytes_out = srv->stats.bytes_out;
    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        status_conn(sc, &st);
        sum->bytes_in += st.ts.bytes_in;
        sum->bytes_out += st.ts.bytes_out;
        sum->channels += st.channels;
        if (sc->authenticated) {
            sum->sessions++;
        } else {
            sum->preauth++;
        }
    }
    for (r = rfwd_tab_first(&srv->rfwds); r != NULL;
         r = rfwd_tab_next(&srv->rfwds, r)) {
        if (r->is_name) {
            sum->names++;
        } else if (r->is_unix) {
            sum->unix_fwds++;
        } else {
            sum->forwards++;
        }
    }
}

static void
status_time(uint64_t t, char *out, size_t out_len)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(out, out_len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(out, out_len, "%" PRIu64, t);
    }
}

static uint64_t
status_now(void)
{
    return (uint64_t)time(NULL);
}

void
server_status_line(struct server *srv, char *out, size_t out_len)
{
    struct status_sum sum;

    status_sum(srv, &sum);
    snprintf(out, out_len,
             "%zu session%s, %zu forward%s, %zu named endpoint%s, "
             "%zu listener%s",
             sum.sessions, sum.sessions == 1 ? "" : "s",
             sum.forwards + sum.unix_fwds,
             sum.forwards + sum.unix_fwds == 1 ? "" : "s", sum.names,
             sum.names == 1 ? "" : "s", srv->n_listeners,
             srv->n_listeners == 1 ? "" : "s");
}

static void
json_rfwds(struct json *j, const struct server_conn *sc, bool names)
{
    const struct rfwd *r;

    json_arr_begin(j, names ? "endpoints" : "forwards");
    for (r = sc->rfwds; r != NULL; r = r->onext) {
        if (r->is_name != names) {
            continue;
        }
        json_obj_begin(j, NULL);
        if (names) {
            json_str(j, "name", r->host);
            json_u64(j, "port", r->port);
        } else if (r->is_unix) {
            json_str(j, "type", "streamlocal");
            json_str(j, "path", r->host);
        } else {
            json_str(j, "type", "tcpip");
            json_str(j, "listen", r->host);
            json_u64(j, "port", r->port);
        }
        json_obj_end(j);
    }
    json_arr_end(j);
}

static void
json_session(struct json *j, const struct server_conn *sc)
{
    struct session *s = io_conn_session(sc->ic);
    struct status_conn st;
    char when[32];

    status_conn(sc, &st);
    status_time(sc->since, when, sizeof(when));
    json_obj_begin(j, NULL);
    json_u64(j, "id", sc->id);
    json_str(j, "user", session_user(s));
    json_str(j, "key", sc->rights.fp);
    json_obj_begin(j, "source");
    json_str(j, "address", sc->addr);
    json_u64(j, "port", sc->port);
    json_obj_end(j);
    json_str(j, "since", when);
    json_u64(j, "since_unix", sc->since);
    json_u64(j, "bytes_in", st.ts.bytes_in);
    json_u64(j, "bytes_out", st.ts.bytes_out);
    json_u64(j, "channels", st.channels);
    json_rfwds(j, sc, false);
    json_rfwds(j, sc, true);
    json_obj_end(j);
}

static void
json_listeners(struct json *j, struct server *srv)
{
    char addr[64];
    uint16_t port = 0;
    size_t i;

    json_arr_begin(j, "listeners");
    for (i = 0; i < srv->n_listeners; i++) {
        if (io_sock_str(&srv->listeners[i]->h.tcp, addr, sizeof(addr), &port) !=
            0) {
            continue;
        }
        json_obj_begin(j, NULL);
        json_str(j, "address", addr);
        json_u64(j, "port", port);
        json_obj_end(j);
    }
    json_arr_end(j);
}

static void
json_totals(struct json *j, struct server *srv, const struct status_sum *sum)
{
    json_obj_begin(j, "totals");
    json_u64(j, "connections", srv->stats.connections);
    json_u64(j, "logins", srv->stats.logins);
    json_u64(j, "auth_failures", srv->stats.auth_failures);
    json_u64(j, "preauth_closed", srv->stats.preauth_closed);
    json_u64(j, "bytes_in", sum->bytes_in);
    json_u64(j, "bytes_out", sum->bytes_out);
    json_u64(j, "reloads", srv->stats.reloads);
    json_obj_end(j);
}

int
server_status_json(struct server *srv, struct buf *out)
{
    const struct server_conn *sc;
    struct status_sum sum;
    struct json j;
    char when[32];

    status_sum(srv, &sum);
    status_time(srv->stats.started, when, sizeof(when));
    json_init(&j, out);
    json_obj_begin(&j, NULL);
    json_str(&j, "program", "aditd");
    json_u64(&j, "pid", (uint64_t)getpid());
    json_str(&j, "started", when);
    /* A clock set back must not give an uptime of 584 billion years. */
    json_u64(&j, "uptime_seconds",
             status_now() > srv->stats.started
                 ? status_now() - srv->stats.started
                 : 0);
    json_listeners(&j, srv);
    json_arr_begin(&j, "sessions");
    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        if (sc->authenticated) {
            json_session(&j, sc);
        }
    }
    json_arr_end(&j);
    json_u64(&j, "preauth", sum.preauth);
    json_totals(&j, srv, &sum);
    json_obj_end(&j);
    return json_finish(&j);
}

/* "R localhost:8080 N web-1:22 U /path" for the table. */
static void
text_rfwds(const struct server_conn *sc, char *out, size_t out_len)
{
    const struct rfwd *r;
    size_t at = 0;
    int n;

    out[0] = '\0';
    for (r = sc->rfwds; r != NULL && at < out_len; r = r->onext) {
        if (r->is_unix) {
            n = snprintf(out + at, out_len - at, "%s%s", at > 0 ? " " : "",
                         r->host);
        } else {
            n = snprintf(out + at, out_len - at, "%s%s%s:%u", at > 0 ? " " : "",
                         r->is_name ? "name:" : "", r->host, (unsigned)r->port);
        }
        at += n > 0 ? (size_t)n : 0;
    }
}

int
server_status_text(struct server *srv, struct buf *out)
{
    static const char *const titles[] = {"ID",   "USER",     "KEY",
                                         "FROM", "SINCE",    "IN",
                                         "OUT",  "CHANNELS", "FORWARDS"};
    const struct server_conn *sc;
    struct status_conn st;
    struct table t;
    char line[256], when[32], fwds[1024];
    int r;

    server_status_line(srv, line, sizeof(line));
    if ((r = buf_put(out, line, strlen(line))) != 0 ||
        (r = buf_put(out, "\n", 1)) != 0) {
        return r;
    }
    table_init(&t, 9, titles);
    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        if (!sc->authenticated) {
            continue;
        }
        status_conn(sc, &st);
        status_time(sc->since, when, sizeof(when));
        text_rfwds(sc, fwds, sizeof(fwds));
        table_cellf(&t, "%" PRIu64, sc->id);
        table_cell(&t, session_user(io_conn_session(sc->ic)));
        table_cell(&t, sc->rights.fp);
        table_cellf(&t, "%s:%u", sc->addr, (unsigned)sc->port);
        table_cell(&t, when);
        table_cellf(&t, "%" PRIu64, st.ts.bytes_in);
        table_cellf(&t, "%" PRIu64, st.ts.bytes_out);
        table_cellf(&t, "%zu", st.channels);
        table_cell(&t, fwds);
    }
    r = table_render(&t, out);
    table_cleanup(&t);
    return r;
}
