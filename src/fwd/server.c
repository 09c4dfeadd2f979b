/* SPDX-License-Identifier: ISC */
/* aditd: listeners, logins and the direct-tcpip policy. */
#include "fwd/server_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/io_chan.h"
#include "io/io_listen.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define SERVER_SOFTWARE "adit_0.1"
#define SERVER_BACKLOG 128

/* On and off srv->preauth (the connections not yet authenticated). */
static void
server_preauth_link(struct server_conn *sc)
{
    struct server *srv = sc->srv;

    sc->pa_prev = NULL;
    sc->pa_next = srv->preauth;
    if (srv->preauth != NULL) {
        srv->preauth->pa_prev = sc;
    }
    srv->preauth = sc;
}

static void
server_preauth_unlink(struct server_conn *sc)
{
    if (sc->pa_prev != NULL) {
        sc->pa_prev->pa_next = sc->pa_next;
    } else {
        sc->srv->preauth = sc->pa_next;
    }
    if (sc->pa_next != NULL) {
        sc->pa_next->pa_prev = sc->pa_prev;
    }
    sc->pa_prev = sc->pa_next = NULL;
}

/* The rights are read once, at login, from the entry that matched (for
 * a certificate, the line narrowed by the certificate's own options). */
static void
server_authenticated(void *ctx, struct io_conn *ic)
{
    struct server_conn *sc = ctx;
    struct session *s = io_conn_session(ic);
    const struct sshkey *k = session_user_key(s);
    char cert[SERVER_AUTH_DESCRIBE_LEN] = "";

    if (!sc->authenticated) {
        server_preauth_unlink(sc);
        if (sc->srv->n_startups > 0) {
            sc->srv->n_startups--;
        }
    }
    sc->authenticated = true;
    sc->srv->stats.logins++;
    if (server_rights_init(&sc->rights, session_auth_info(s), k,
                           session_user(s)) != 0) {
        log_error("could not keep the rights of key %s: forwarding refused",
                  sc->rights.fp);
    }
    if (k != NULL) {
        server_auth_describe(k, cert, sizeof(cert));
    }
    log_info("Accepted publickey for %s from %s port %u ssh2: %s %s%s",
             session_user(s), sc->addr, (unsigned)sc->port,
             k != NULL ? sshkey_type_label(k) : "?", sc->rights.fp, cert);
}

static void
server_direct_tcpip(struct server_conn *sc, uint32_t id,
                    const struct chan_open_info *info)
{
    struct conn *c = io_conn_conn(sc->ic);
    char why[SERVER_REASON_LEN];

    if (!server_may_open(sc, info->host, info->port, why, sizeof(why))) {
        server_count_open(sc->srv, info->type, true);
        /* sshd's words, with the reason added. */
        log_info("Received request from %s port %u to connect to host %s "
                 "port %u, but the request was denied: %s",
                 sc->addr, (unsigned)sc->port, info->host, (unsigned)info->port,
                 why);
        (void)session_send_debug(io_conn_session(sc->ic), why);
        conn_open_fail(c, id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, why);
        return;
    }
    if (server_rfwd_join(sc, id, info)) {
        return;
    }
    log_debug("direct-tcpip from %s port %u to %s port %u", sc->addr,
              (unsigned)sc->port, info->host, (unsigned)info->port);
    (void)io_chan_accept_connect(sc->ic, id, info->host, (uint16_t)info->port,
                                 (uint64_t)sc->cfg->fwd.connect_timeout *
                                     1000u);
}

/* direct-streamlocal@openssh.com (ssh -L to a Unix socket): only when
 * AllowStreamLocalForwarding and the key allow it. */
static void
server_direct_streamlocal(struct server_conn *sc, uint32_t id,
                          const struct chan_open_info *info)
{
    char why[SERVER_REASON_LEN], what[LIM_STRING_SMALL + 64];
    const char *path = info->path != NULL ? info->path : "";

    if (server_may_streamlocal(sc, path, false, why, sizeof(why))) {
        log_verbose("direct-streamlocal from %s port %u to %s", sc->addr,
                    (unsigned)sc->port, path);
        (void)io_chan_accept_connect_path(sc->ic, id, path);
        return;
    }
    snprintf(what, sizeof(what), "direct-streamlocal to %s", path);
    server_count_open(sc->srv, info->type, true);
    server_refused(sc, what, why);
    /* sshd answers streamlocal refusals with CONNECT_FAILED. */
    conn_open_fail(io_conn_conn(sc->ic), id, SSH_OPEN_CONNECT_FAILED, why);
}

/*
 * ClientAlive*, as sshd counts: a client silent for an interval is probed,
 * and given up when a probe is due with CountMax of them unanswered, so
 * Interval x (CountMax + 1) after its last byte (conn/alive.h ends at
 * Interval x count: one more). sshd (8.2+) reads a count of 0 as "never
 * give up".
 */
unsigned
server_alive_count(const struct server_config *c)
{
    if (c->fwd.alive_count_max <= 0 ||
        (unsigned)c->fwd.alive_count_max >= UINT_MAX - 1u) {
        return UINT_MAX;
    }
    return (unsigned)c->fwd.alive_count_max + 1u;
}

static void
server_open_request(void *ctx, struct io_conn *ic, uint32_t id,
                    const struct chan_open_info *info)
{
    struct server_conn *sc = ctx;

    server_count_open(sc->srv, info->type, false);
    if (strcmp(info->type, "session") == 0) {
        server_session_open(sc, id);
    } else if (strcmp(info->type, "direct-tcpip") == 0) {
        server_direct_tcpip(sc, id, info);
    } else if (strcmp(info->type, CONN_DIRECT_STREAMLOCAL) == 0) {
        server_direct_streamlocal(sc, id, info);
    } else {
        server_count_open(sc->srv, info->type, true);
        conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_UNKNOWN_CHANNEL_TYPE,
                       "unknown channel type");
    }
    io_conn_flush(ic);
}

/* A connection that ends before login frees its startup slot and, as
 * sshd's listener does with its preauth children, earns its source a
 * penalty: for failed authentication, for LoginGraceTime, or for leaving
 * without trying. */
static void
server_preauth_end(struct server_conn *sc, const char *why)
{
    struct server *srv = sc->srv;
    enum server_penalty kind = PENALTY_NOAUTH;

    if (srv->n_startups > 0) {
        srv->n_startups--;
    }
    if (strcmp(why, SESSION_GRACE_TIMEOUT) == 0) {
        kind = PENALTY_GRACE;
    } else if (sc->auth_attempted) {
        kind = PENALTY_AUTHFAIL;
    } else if (srv->shutting_down) {
        return;
    }
    server_penalise(srv, sc->addr, &sc->src, kind);
}

/* The connect behind a direct-tcpip or direct-streamlocal failed
 * (refused, unreachable, or past AditdConnectTimeout): counted, and
 * logged in sshd's words with the reason. */
static void
server_connect_failed(void *ctx, struct io_conn *ic, const char *target,
                      int port, int status)
{
    struct server_conn *sc = ctx;

    (void)ic;
    server_count_open(
        sc->srv, port < 0 ? CONN_DIRECT_STREAMLOCAL : "direct-tcpip", true);
    if (port < 0) {
        log_info("connect to %.100s failed (%s) for %s port %u", target,
                 io_strerror(status), sc->addr, (unsigned)sc->port);
        return;
    }
    log_info("connect_to %.100s port %d: failed (%s) for %s port %u", target,
             port, io_strerror(status), sc->addr, (unsigned)sc->port);
}

/* Its bytes go into the totals as it goes. */
static void
server_conn_account(struct server_conn *sc)
{
    struct server_stats *st = &sc->srv->stats;
    struct transport_stats ts;

    transport_get_stats(session_transport(io_conn_session(sc->ic)), &ts);
    st->bytes_in += ts.bytes_in;
    st->bytes_out += ts.bytes_out;
    if (!sc->authenticated) {
        st->preauth_closed++;
    }
}

static void
server_conn_closed(void *ctx, struct io_conn *ic, const char *why)
{
    struct server_conn *sc = ctx;
    struct server *srv = sc->srv;

    if (strncmp(why, "Connection closed", 17) == 0) {
        log_info("Connection closed by %s port %u%s", sc->addr,
                 (unsigned)sc->port, sc->authenticated ? "" : " [preauth]");
    } else {
        log_info("Disconnected from %s port %u: %s%s", sc->addr,
                 (unsigned)sc->port, why,
                 sc->authenticated ? "" : " [preauth]");
    }
    if (!sc->authenticated) {
        server_preauth_unlink(sc);
        server_preauth_end(sc, why);
    }
    if (sc->prev != NULL) {
        sc->prev->next = sc->next;
    } else {
        srv->conns = sc->next;
    }
    if (sc->next != NULL) {
        sc->next->prev = sc->prev;
    }
    server_conn_account(sc);
    server_rfwd_drop_conn(sc);
    server_rfwd_forget_conn(sc);
    server_gen_unpin(sc);
    server_auth_free(sc->auth);
    server_rights_cleanup(&sc->rights);
    server_match_free(sc);
    free(sc->sessions);
    free(sc);
}

static void
server_session_config(struct server *srv, struct server_conn *sc,
                      struct session_config *cfg)
{
    const struct server_config *c = sc->cfg;

    memset(cfg, 0, sizeof(*cfg));
    cfg->transport.is_server = true;
    cfg->transport.software_version = SERVER_SOFTWARE;
    cfg->transport.kex_algs = c->kex_algs;
    cfg->transport.ciphers = c->ciphers;
    cfg->transport.macs = c->macs;
    cfg->transport.hostkey_algs = c->hostkey_algs;
    cfg->transport.hostkeys = srv->hostkeys;
    cfg->transport.n_hostkeys = srv->n_hostkeys;
    /* RekeyLimit: 0 bytes is the default by cipher; a time of 0 ("none")
     * means no rekey by time, which the transport spells UINT32_MAX. */
    cfg->transport.rekey_bytes =
        c->rekey_bytes > 0 ? (uint64_t)c->rekey_bytes : 0;
    if (c->rekey_seconds >= 0) {
        cfg->transport.rekey_seconds =
            c->rekey_seconds > 0 ? (uint32_t)c->rekey_seconds : UINT32_MAX;
    }
    /* Compression yes (the default, as sshd): offered after none. */
    if (c->compression != 0) {
        cfg->transport.compression = "none,zlib@openssh.com";
    }
    cfg->server_auth.max_tries =
        c->max_auth_tries > 0 ? (unsigned)c->max_auth_tries : 0;
    cfg->server_auth.check_key = server_check_key;
    cfg->server_auth.accepted_algs = c->pubkey_algs;
    cfg->server_auth.user_known = server_match_login;
    cfg->server_auth.ctx = sc;
    if (c->login_grace > 0) {
        cfg->login_grace_ms = (uint32_t)c->login_grace * 1000u;
    } else if (c->login_grace == 0) {
        cfg->login_grace_ms = UINT32_MAX; /* sshd: 0 = no limit */
    }
    cfg->alive_interval_ms = (uint64_t)c->fwd.alive_interval * 1000u;
    cfg->alive_count_max = server_alive_count(c);
}

void
server_accept_conn(struct server *srv, uv_tcp_t *t)
{
    struct server_conn *sc;
    struct session_config cfg;
    struct io_conn_cbs cbs;
    struct srcaddr src;
    char peer[128], addr[64] = "";
    uint16_t port = 0;
    int r;

    (void)io_peer_str(t, addr, sizeof(addr), &port);
    (void)srcaddr_parse(addr, &src);
    if (!server_limits_admit(srv, t, addr, port, &src)) {
        return;
    }
    if ((sc = calloc(1, sizeof(*sc))) == NULL) {
        io_close_free((uv_handle_t *)t);
        return;
    }
    sc->srv = srv;
    sc->trust = &srv->trust;
    (void)io_sock_str(t, sc->laddr, sizeof(sc->laddr), &sc->lport);
    memcpy(sc->addr, addr, sizeof(sc->addr));
    sc->port = port;
    sc->src = src;
    sc->id = ++srv->next_conn_id;
    sc->since = (uint64_t)time(NULL);
    srv->stats.connections++;
    server_gen_pin(sc);
    snprintf(peer, sizeof(peer), "%s port %u", sc->addr, (unsigned)sc->port);
    log_debug("Connection from %s", peer);
    server_session_config(srv, sc, &cfg);
    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = sc;
    cbs.authenticated = server_authenticated;
    cbs.open_request = server_open_request;
    cbs.closed = server_conn_closed;
    cbs.chan_closed = server_session_closed;
    cbs.connect_failed = server_connect_failed;
    cbs.global_request = server_global_request;
    cbs.chan_request = server_session_request;
    if ((r = io_conn_new(&sc->ic, srv->loop, t, &cfg, &cbs, peer)) != 0) {
        log_error("could not start a session for %s: %s", peer, err_str(r));
        server_gen_unpin(sc);
        free(sc);
        return;
    }
    srv->n_startups++;
    server_preauth_link(sc);
    sc->next = srv->conns;
    if (srv->conns != NULL) {
        srv->conns->prev = sc;
    }
    srv->conns = sc;
}

void
server_shutdown(struct server *srv)
{
    struct server_conn *sc;
    size_t i;

    for (i = 0; i < srv->n_listeners; i++) {
        io_listener_close(srv->listeners[i], NULL);
    }
    srv->n_listeners = 0;
    srv->shutting_down = true;
    server_rfwd_shutdown(srv);
    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        io_conn_disconnect(sc->ic, SSH_DISCONNECT_BY_APPLICATION,
                           "server shutting down");
    }
}
