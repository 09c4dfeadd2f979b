/* SPDX-License-Identifier: ISC */
/* aditd: listeners, logins and the direct-tcpip policy. */
#include "fwd/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/io_chan.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define SERVER_SOFTWARE "adit_0.1"
#define SERVER_CONNECT_TIMEOUT_MS 10000u
#define SERVER_BACKLOG 128

/* permitopen="host:port" ("[v6]:port", port may be "*") against a
 * direct-tcpip target, compared literally as sshd does. */
static bool
server_permitopen_match(const char *entry, const char *host, uint32_t port)
{
    const char *colon, *h = entry;
    size_t hlen;
    char *end = NULL;
    unsigned long v;

    if (entry[0] == '[') {
        const char *close = strchr(entry, ']');
        if (close == NULL || close[1] != ':') {
            return false;
        }
        h = entry + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        if ((colon = strrchr(entry, ':')) == NULL) {
            return false;
        }
        hlen = (size_t)(colon - entry);
    }
    if (strcmp(colon + 1, "*") != 0) {
        v = strtoul(colon + 1, &end, 10);
        if (colon[1] == '\0' || *end != '\0' || v != port) {
            return false;
        }
    }
    if (hlen == 1 && h[0] == '*') {
        return true;
    }
    return strlen(host) == hlen && strncmp(h, host, hlen) == 0;
}

/* Copy the entry's permitopen list: the entry itself may be freed by a
 * reload while the connection lives. */
static int
server_keep_permitopen(struct server_conn *sc, const struct authkey *e)
{
    size_t i;

    sc->restrict_open = e->opts.n_permitopen > 0;
    if (!sc->restrict_open) {
        return 0;
    }
    if ((sc->permitopen = calloc(e->opts.n_permitopen, sizeof(char *))) ==
        NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < e->opts.n_permitopen; i++) {
        sc->permitopen[i] =
            str_ndup(e->opts.permitopen[i], strlen(e->opts.permitopen[i]));
        if (sc->permitopen[i] == NULL) {
            return ERR_NOMEM;
        }
        sc->n_permitopen++;
    }
    return 0;
}

static bool
server_open_permitted(const struct server_conn *sc, const char *host,
                      uint32_t port)
{
    size_t i;

    if (!sc->restrict_open) {
        return true;
    }
    for (i = 0; i < sc->n_permitopen; i++) {
        if (server_permitopen_match(sc->permitopen[i], host, port)) {
            return true;
        }
    }
    return false;
}

/* The rights are read once, at login, from the entry that matched. */
static void
server_authenticated(void *ctx, struct io_conn *ic)
{
    struct server_conn *sc = ctx;
    struct session *s = io_conn_session(ic);
    const struct authkey *e = session_auth_info(s);
    const struct sshkey *k = session_user_key(s);
    char fp[SSHKEY_FP_LEN] = "", cert[SERVER_AUTH_DESCRIBE_LEN] = "";

    sc->authenticated = true;
    if (e != NULL) {
        sc->allow_fwd = e->opts.restrict_all ? e->opts.port_forwarding == 1
                                             : e->opts.port_forwarding != 0;
        if (server_keep_permitopen(sc, e) != 0) {
            sc->allow_fwd = false; /* fail closed */
        }
    }
    if (k != NULL) {
        sshkey_fingerprint(k, fp, sizeof(fp));
        server_auth_describe(k, cert, sizeof(cert));
    }
    log_info("Accepted publickey for %s from %s port %u ssh2: %s %s%s",
             session_user(s), sc->addr, (unsigned)sc->port,
             k != NULL ? sshkey_type_label(k) : "?", fp, cert);
}

static void
server_open_request(void *ctx, struct io_conn *ic, uint32_t id,
                    const struct chan_open_info *info)
{
    struct server_conn *sc = ctx;
    struct conn *c = io_conn_conn(ic);

    if (strcmp(info->type, "session") == 0) {
        log_info("refused session channel from %s port %u: this server "
                 "only forwards ports",
                 sc->addr, (unsigned)sc->port);
        conn_open_fail(c, id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                       "this server only forwards ports");
    } else if (strcmp(info->type, "direct-tcpip") != 0) {
        conn_open_fail(c, id, SSH_OPEN_UNKNOWN_CHANNEL_TYPE,
                       "unknown channel type");
    } else if (!sc->allow_fwd || info->port == 0 || info->port > 65535) {
        log_info("Received request from %s port %u to connect to host %s "
                 "port %u, but the request was denied (%s).",
                 sc->addr, (unsigned)sc->port, info->host, (unsigned)info->port,
                 sc->allow_fwd ? "invalid target port"
                               : "port forwarding disabled for this key");
        conn_open_fail(c, id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                       sc->allow_fwd ? "invalid target port"
                                     : "port forwarding is disabled");
    } else if (!server_open_permitted(sc, info->host, info->port)) {
        log_info("Received request from %s port %u to connect to host %s "
                 "port %u, but the request was denied (not in permitopen).",
                 sc->addr, (unsigned)sc->port, info->host,
                 (unsigned)info->port);
        conn_open_fail(c, id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                       "open denied by permitopen");
    } else {
        log_debug("direct-tcpip from %s port %u to %s port %u", sc->addr,
                  (unsigned)sc->port, info->host, (unsigned)info->port);
        (void)io_chan_accept_connect(ic, id, info->host, (uint16_t)info->port,
                                     SERVER_CONNECT_TIMEOUT_MS);
    }
    io_conn_flush(ic);
}

static void
server_conn_closed(void *ctx, struct io_conn *ic, const char *why)
{
    struct server_conn *sc = ctx;
    struct server *srv = sc->srv;
    size_t i;

    if (strncmp(why, "Connection closed", 17) == 0) {
        log_info("Connection closed by %s port %u%s", sc->addr,
                 (unsigned)sc->port, sc->authenticated ? "" : " [preauth]");
    } else {
        log_info("Disconnected from %s port %u: %s%s", sc->addr,
                 (unsigned)sc->port, why,
                 sc->authenticated ? "" : " [preauth]");
    }
    if (sc->prev != NULL) {
        sc->prev->next = sc->next;
    } else {
        srv->conns = sc->next;
    }
    if (sc->next != NULL) {
        sc->next->prev = sc->prev;
    }
    server_auth_free(sc->auth);
    for (i = 0; i < sc->n_permitopen; i++) {
        free(sc->permitopen[i]);
    }
    free(sc->permitopen);
    free(sc);
}

static void
server_session_config(struct server *srv, struct server_conn *sc,
                      struct session_config *cfg)
{
    const struct server_config *c = srv->cfg;

    memset(cfg, 0, sizeof(*cfg));
    cfg->transport.is_server = true;
    cfg->transport.software_version = SERVER_SOFTWARE;
    cfg->transport.kex_algs = c->kex_algs;
    cfg->transport.ciphers = c->ciphers;
    cfg->transport.macs = c->macs;
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
    cfg->server_auth.max_tries =
        c->max_auth_tries > 0 ? (unsigned)c->max_auth_tries : 0;
    cfg->server_auth.check_key = server_check_key;
    cfg->server_auth.ctx = sc;
    if (c->login_grace > 0) {
        cfg->login_grace_ms = (uint32_t)c->login_grace * 1000u;
    } else if (c->login_grace == 0) {
        cfg->login_grace_ms = UINT32_MAX; /* sshd: 0 = no limit */
    }
}

void
server_accept_conn(struct server *srv, uv_tcp_t *t)
{
    struct server_conn *sc;
    struct session_config cfg;
    struct io_conn_cbs cbs;
    char peer[128];
    int r;

    if ((sc = calloc(1, sizeof(*sc))) == NULL) {
        io_close_free((uv_handle_t *)t);
        return;
    }
    sc->srv = srv;
    io_peer_str(t, sc->addr, sizeof(sc->addr), &sc->port);
    snprintf(peer, sizeof(peer), "%s port %u", sc->addr, (unsigned)sc->port);
    log_debug("Connection from %s", peer);
    server_session_config(srv, sc, &cfg);
    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = sc;
    cbs.authenticated = server_authenticated;
    cbs.open_request = server_open_request;
    cbs.closed = server_conn_closed;
    if ((r = io_conn_new(&sc->ic, srv->loop, t, &cfg, &cbs, peer)) != 0) {
        log_error("could not start a session for %s: %s", peer, err_str(r));
        free(sc);
        return;
    }
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
        io_close_free((uv_handle_t *)srv->listeners[i]);
    }
    srv->n_listeners = 0;
    for (sc = srv->conns; sc != NULL; sc = sc->next) {
        io_conn_disconnect(sc->ic, SSH_DISCONNECT_BY_APPLICATION,
                           "server shutting down");
    }
}
