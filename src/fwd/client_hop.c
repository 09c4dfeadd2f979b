/* SPDX-License-Identifier: ISC */
/*
 * adit: the chain of connections to the target. Hop 0 is reached over TCP
 * (ConnectTimeout, ConnectionAttempts, AddressFamily, BindAddress) or the
 * ProxyCommand; each later hop is an SSH transport carried in a
 * direct-tcpip channel of the hop before it (-J), joined to it by a
 * socketpair: the channel side is an ordinary io_chan, so flow control,
 * EOF and close work as for any forward.
 */
#include "fwd/client_int.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/jumpspec.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define CLIENT_SOFTWARE "adit_0.1"

static void client_hop_start(struct client_hop *hop, uv_stream_t *st,
                             const char *peer);

/* ---- building the chain ---- */

static int
client_hop_set(struct client_hop *hop, const char *host, const char *user,
               uint16_t port)
{
    hop->host = str_ndup(host, strlen(host));
    hop->user = str_ndup(user, strlen(user));
    hop->port = port;
    return hop->host == NULL || hop->user == NULL ? ERR_NOMEM : 0;
}

/* A jump host logs in as the user written in -J, else as the local user
 * (not the target's -l user), as ssh's ProxyJump does. */
static const char *
client_local_user(void)
{
    struct passwd *pw = getpwuid(getuid());

    return pw != NULL ? pw->pw_name : "root";
}

/*
 * Jump host i: the -J user and port first, then the host's own
 * configuration (its Host blocks: HostName, User, Port, IdentityFile),
 * then the local user and port 22, as ssh's ProxyJump.
 */
static int
client_jump_hop_set(struct client *c, size_t i, const struct jumphop *h)
{
    struct client_hop *hop = &c->hops[i];
    const struct client_config *own =
        c->t->jump_cfgs != NULL && i < c->t->n_jump_cfgs ? c->t->jump_cfgs[i]
                                                         : NULL;
    const char *host = h->host, *user = h->user;
    uint16_t port = h->port;

    hop->cfg = own != NULL ? own : c->cfg;
    hop->keys = &c->keys;
    if (own != NULL) {
        host = own->hostname != NULL ? own->hostname : host;
        user = user != NULL ? user : own->user;
        port = port != 0 ? port : own->port > 0 ? (uint16_t)own->port : 0;
        if ((hop->keys = calloc(1, sizeof(*hop->keys))) == NULL) {
            return ERR_NOMEM;
        }
        client_load_keys(own, hop->keys);
    }
    return client_hop_set(hop, host, user != NULL ? user : client_local_user(),
                          port != 0 ? port : 22);
}

int
client_hops_init(struct client *c)
{
    const struct client_config *cfg = c->cfg;
    struct jumpspec j;
    size_t i;
    int r = 0;

    uv_timer_init(c->loop, &c->retry);
    c->retry.data = c;
    memset(&j, 0, sizeof(j));
    if (cfg->proxy_jump != NULL && (r = jumpspec_parse(cfg->proxy_jump, &j))) {
        return r;
    }
    c->n_hops = j.n + 1;
    for (i = 0; i < c->n_hops; i++) {
        c->hops[i].c = c;
        c->hops[i].idx = i;
    }
    for (i = 0; i < j.n && r == 0; i++) {
        r = client_jump_hop_set(c, i, &j.hops[i]);
    }
    c->hops[j.n].cfg = c->cfg;
    c->hops[j.n].keys = &c->keys;
    if (r == 0) {
        r = client_hop_set(&c->hops[j.n], c->t->host, c->t->user, c->t->port);
    }
    jumpspec_cleanup(&j);
    return r;
}

void
client_hops_cleanup(struct client *c)
{
    size_t i;

    for (i = 0; i < c->n_hops; i++) {
        free(c->hops[i].host);
        free(c->hops[i].user);
        if (c->hops[i].keys != NULL && c->hops[i].keys != &c->keys) {
            client_free_keys(c->hops[i].keys);
            free(c->hops[i].keys);
        }
    }
}

static bool
client_hop_is_target(const struct client_hop *hop)
{
    return hop->idx + 1 == hop->c->n_hops;
}

/* ---- one hop's session ---- */

static void
client_session_config(struct client_hop *hop, struct session_config *s,
                      char *hostkey_algs, size_t hostkey_algs_len)
{
    struct client *c = hop->c;
    const struct client_config *cfg = hop->cfg;

    memset(s, 0, sizeof(*s));
    s->transport.is_server = false;
    s->transport.software_version = CLIENT_SOFTWARE;
    s->transport.kex_algs = cfg->kex_algs;
    s->transport.ciphers = cfg->ciphers;
    s->transport.macs = cfg->macs;
    s->transport.hostkey_algs = cfg->hostkey_algs;
    hostkey_algs[0] = '\0';
    if (cfg->hostkey_algs == NULL) {
        client_hostkey_algs(c, hop->host, hop->port, hostkey_algs,
                            hostkey_algs_len);
    }
    if (hostkey_algs[0] != '\0') {
        s->transport.hostkey_algs = hostkey_algs;
    }
    s->transport.verify_hostkey = client_verify_hostkey;
    s->transport.verify_ctx = hop;
    /* RekeyLimit: 0 bytes is the default by cipher; a time of 0 ("none")
     * means no rekey by time, which the transport spells UINT32_MAX. */
    s->transport.rekey_bytes =
        cfg->rekey_bytes > 0 ? (uint64_t)cfg->rekey_bytes : 0;
    if (cfg->rekey_seconds >= 0) {
        s->transport.rekey_seconds =
            cfg->rekey_seconds > 0 ? (uint32_t)cfg->rekey_seconds : UINT32_MAX;
    }
    /* Compression (-C): ssh 9.x offers this list, delayed zlib first. Only
     * the target compresses: jump hops carry its already compressed
     * stream (ssh does not pass -C to the ProxyJump ssh either). */
    if (cfg->compression == 1 && client_hop_is_target(hop)) {
        s->transport.compression = "zlib@openssh.com,zlib,none";
    }
    /* ServerAliveInterval 0 (the default) never probes; CountMax 3. Each
     * hop probes its own server. */
    if (cfg->server_alive_interval > 0) {
        s->alive_interval_ms = (uint64_t)cfg->server_alive_interval * 1000u;
    }
    s->alive_count_max = cfg->server_alive_count_max >= 0
                             ? (unsigned)cfg->server_alive_count_max
                             : 3u;
    s->client_auth.user = hop->user;
    s->client_auth.keys = hop->keys->k;
    s->client_auth.n_keys = hop->keys->n;
}

/* ssh's words for the end of a hop, unless they were said already. */
static void
client_hop_say(struct client_hop *hop, const char *peer, const char *why)
{
    struct client *c = hop->c;
    const char *rd = "Received disconnect from peer: ";

    if (c->said || c->stopping) {
        return;
    }
    if (strncmp(why, "Permission denied", 17) == 0) {
        log_plain("%s@%s: %s\r\n", hop->user, hop->host, why);
    } else if (strncmp(why, rd, strlen(rd)) == 0) {
        log_plain("Received disconnect from %s port %u:%s\r\n", hop->host,
                  (unsigned)hop->port, why + strlen(rd));
        log_plain("Disconnected from %s port %u\r\n", hop->host,
                  (unsigned)hop->port);
    } else if (strncmp(why, "no matching ", 12) == 0) {
        /* ssh's kex.c wording, at its ERROR level. */
        if (log_get_level() >= LOG_ERROR) {
            log_plain("Unable to negotiate with %s: %s\r\n", peer, why);
        }
    } else if (strcmp(why, "Timeout, server not responding.") == 0) {
        /* ssh's clientloop.c wording, at its INFO level (-q hides it). */
        if (log_get_level() >= LOG_ERROR) {
            log_plain("Timeout, server %s not responding.\r\n", hop->host);
        }
    } else if (strncmp(why, "Connection closed", 17) == 0 ||
               strncmp(why, "Connection reset", 16) == 0) {
        log_plain("%s\r\n", why);
    } else if (c->exit_code == 0) {
        log_error("%s", why);
    }
    c->said = true;
}

static void
client_hop_closed(void *ctx, struct io_conn *ic, const char *why)
{
    struct client_hop *hop = ctx;
    struct client *c = hop->c;

    hop->ic = NULL;
    if (client_hop_is_target(hop)) {
        c->ic = NULL;
    }
    client_hop_say(hop, io_conn_peer_name(ic), why);
    /* Only a -W channel that ran to its end makes the end a success; the
     * hops it ran through are then closed by us. */
    if (!c->stdio_ok) {
        c->exit_code = CLIENT_EXIT_FAIL;
    }
    client_stop(c);
}

/* ConnectTimeout also bounds the wait for the server's version line. */
static void
client_banner_timeout(uv_timer_t *t)
{
    struct client_hop *hop = t->data;
    struct client *c = hop->c;
    const char *v;

    if (hop->ic == NULL) {
        return;
    }
    v = transport_peer_version(session_transport(io_conn_session(hop->ic)));
    if (v != NULL && v[0] != '\0') {
        return;
    }
    if (!c->said) {
        log_plain("Connection timed out during banner exchange\r\n"
                  "Connection to %s timed out\r\n",
                  io_conn_peer_name(hop->ic));
        c->said = true;
    }
    io_conn_close(hop->ic, "Connection timed out during banner exchange");
}

/* ---- -J: the channel to the next hop ---- */

static void
client_jump_opened(void *ctx, struct io_chan *ch, uint32_t reason,
                   const char *msg)
{
    struct client_hop *next = ctx;
    struct client *c = next->c;
    uv_stream_t *st = next->pending;

    next->pending = NULL;
    if (reason == 0 && c->stopping) {
        io_close_free((uv_handle_t *)st);
        return;
    }
    if (reason == 0) {
        log_debug("channel %u: jump to %s port %u open",
                  (unsigned)io_chan_id(ch), next->host, (unsigned)next->port);
        client_hop_start(next, st, CLIENT_PROXY_PEER);
        return;
    }
    io_close_free((uv_handle_t *)st);
    /* ssh -J runs ssh -W, so these are its words. */
    client_say_stdio_failed(c, ch, reason, msg);
    client_stop(c);
}

/* Open a direct-tcpip channel on hop to the next hop; its transport
 * runs over the other end of a socketpair once the channel is open. */
static int
client_jump(struct client_hop *hop)
{
    struct client_hop *next = &hop->c->hops[hop->idx + 1];
    struct chan_open_info info;
    uv_os_sock_t fds[2];
    uv_pipe_t *p[2] = {NULL, NULL};
    int i, r;

    if ((r = uv_socketpair(SOCK_STREAM, 0, fds, 0, 0)) != 0) {
        return io_err_from_uv(r);
    }
    for (i = 0; i < 2; i++) {
        if ((p[i] = malloc(sizeof(*p[i]))) == NULL) {
            close(fds[i]);
            continue;
        }
        uv_pipe_init(hop->c->loop, p[i], 0);
        if (uv_pipe_open(p[i], fds[i]) != 0) {
            close(fds[i]);
            io_close_free((uv_handle_t *)p[i]);
            p[i] = NULL;
        }
    }
    if (p[0] == NULL || p[1] == NULL) {
        io_close_free((uv_handle_t *)p[0]);
        io_close_free((uv_handle_t *)p[1]);
        return ERR_NOMEM;
    }
    next->pending = (uv_stream_t *)p[1];
    memset(&info, 0, sizeof(info));
    info.type = "direct-tcpip";
    info.host = next->host;
    info.port = next->port;
    info.orig_host = "127.0.0.1"; /* as ssh -W: no real originator */
    info.orig_port = 65535;
    log_debug("Connecting to %s port %u through %s", next->host,
              (unsigned)next->port, hop->host);
    return io_chan_open_streams(hop->ic, (uv_stream_t *)p[0], NULL, &info,
                                client_jump_opened, NULL, next);
}

static void
client_hop_authenticated(void *ctx, struct io_conn *ic)
{
    struct client_hop *hop = ctx;
    struct client *c = hop->c;
    int r;

    hop->authenticated = true;
    log_debug("Authenticated to %s ([%s]:%u).", hop->host, hop->host,
              (unsigned)hop->port);
    if (client_hop_is_target(hop)) {
        client_target_ready(c, ic);
        return;
    }
    if ((r = client_jump(hop)) != 0) {
        if (c->hops[hop->idx + 1].pending != NULL) {
            io_close_free((uv_handle_t *)c->hops[hop->idx + 1].pending);
            c->hops[hop->idx + 1].pending = NULL;
        }
        log_error("jump to %s: %s", c->hops[hop->idx + 1].host, err_str(r));
        c->said = true;
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
    }
}

/* Run hop's SSH session over st (taken over). */
static void
client_hop_start(struct client_hop *hop, uv_stream_t *st, const char *peer)
{
    struct client *c = hop->c;
    const struct client_config *cfg = hop->cfg;
    struct session_config scfg;
    struct io_conn_cbs cbs;
    char hostkey_algs[512];
    int r;

    client_session_config(hop, &scfg, hostkey_algs, sizeof(hostkey_algs));
    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = hop;
    cbs.authenticated = client_hop_authenticated;
    cbs.closed = client_hop_closed;
    /* Jump hosts open nothing toward us; the target may, for -R. */
    cbs.open_request = client_hop_is_target(hop) ? client_open_request : NULL;
    cbs.connect_failed = client_connect_failed;
    if ((r = io_conn_new_stream(&hop->ic, c->loop, st, &scfg, &cbs, peer)) !=
        0) {
        log_error("could not start the session: %s", err_str(r));
        c->said = true;
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
        return;
    }
    if (cfg->connect_timeout > 0) {
        uv_timer_init(c->loop, &hop->banner);
        hop->banner.data = hop;
        hop->has_timer = true;
        uv_timer_start(&hop->banner, client_banner_timeout,
                       (uint64_t)cfg->connect_timeout * 1000u, 0);
    }
}

/* ---- hop 0 ---- */

static int client_tcp_start(struct client *c);

static void
client_retry(uv_timer_t *t)
{
    struct client *c = t->data;
    int r;

    if (c->stopping) {
        return;
    }
    if ((r = client_tcp_start(c)) != 0) {
        log_error("connect to host %s port %u: %s", c->hops[0].host,
                  (unsigned)c->hops[0].port, err_str(r));
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
    }
}

static void
client_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct client *c = ctx;
    struct client_hop *hop = &c->hops[0];
    char addr[64], peer[128];
    uint16_t port = 0;
    int r;

    c->connecting = NULL;
    if (status != 0 && !resolving && --c->attempts_left > 0) {
        log_debug("connect to host %s port %u: %s", hop->host,
                  (unsigned)hop->port, io_strerror(status));
        uv_timer_start(&c->retry, client_retry, 1000, 0);
        return;
    }
    if (status != 0) {
        if (resolving) {
            log_error("Could not resolve hostname %s: %s", hop->host,
                      io_strerror(status));
        } else {
            log_error("connect to host %s port %u: %s", hop->host,
                      (unsigned)hop->port, io_strerror(status));
        }
        c->said = true;
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
        return;
    }
    /* TCPKeepAlive (default yes, as ssh): SO_KEEPALIVE with the
     * system's timers, nothing more, as ssh sets it. */
    if ((r = io_tcp_keepalive(tcp, hop->cfg->tcp_keep_alive != 0)) != 0) {
        log_debug("setsockopt SO_KEEPALIVE: %s", err_str(r));
    }
    io_peer_str(tcp, addr, sizeof(addr), &port);
    snprintf(peer, sizeof(peer), "%s port %u", addr, (unsigned)port);
    log_debug("Connection established to %s.", peer);
    client_hop_start(hop, (uv_stream_t *)tcp, peer);
}

static int
client_tcp_start(struct client *c)
{
    struct client_hop *hop = &c->hops[0];
    const struct client_config *cfg = hop->cfg;
    uint64_t timeout =
        cfg->connect_timeout > 0 ? (uint64_t)cfg->connect_timeout * 1000u : 0;
    int r;

    log_debug("Connecting to %s port %u.", hop->host, (unsigned)hop->port);
    r = io_connect_start(&c->connecting, c->loop, hop->host, hop->port,
                         c->t->family, timeout, client_connected, c);
    if (r == 0 && cfg->bind_address != NULL &&
        (r = io_connect_set_bind(c->connecting, cfg->bind_address)) != 0) {
        io_connect_cancel(c->connecting);
        c->connecting = NULL;
    }
    return r;
}

static int
client_proxy_start(struct client *c)
{
    uv_stream_t *st = NULL;
    char *cmd;
    int r;

    if ((cmd = client_proxy_expand(c, c->cfg->proxy_command)) == NULL) {
        c->said = true;
        return ERR_CONFIG;
    }
    r = io_proxy_start(&c->proxy, c->loop, cmd, &st);
    free(cmd);
    if (r != 0) {
        c->said = true;
        return r;
    }
    client_hop_start(&c->hops[0], st, CLIENT_PROXY_PEER);
    return 0;
}

int
client_hops_start(struct client *c)
{
    const char *pc = c->cfg->proxy_command;

    c->attempts_left = c->hops[0].cfg->connection_attempts > 0
                           ? c->hops[0].cfg->connection_attempts
                           : 1;
    if (c->n_hops == 1 && pc != NULL && strcmp(pc, "none") != 0) {
        return client_proxy_start(c);
    }
    return client_tcp_start(c);
}

void
client_hops_stop(struct client *c, const char *why)
{
    size_t i;

    if (c->connecting != NULL) {
        io_connect_cancel(c->connecting);
        c->connecting = NULL;
    }
    if (!uv_is_closing((uv_handle_t *)&c->retry)) {
        uv_close((uv_handle_t *)&c->retry, NULL);
    }
    /* The target first: the hops it runs through go down after it. */
    for (i = c->n_hops; i-- > 0;) {
        struct client_hop *hop = &c->hops[i];

        if (hop->has_timer && !uv_is_closing((uv_handle_t *)&hop->banner)) {
            uv_close((uv_handle_t *)&hop->banner, NULL);
        }
        if (hop->ic != NULL) {
            io_conn_disconnect(hop->ic, SSH_DISCONNECT_BY_APPLICATION, why);
        }
        if (hop->pending != NULL) {
            io_close_free((uv_handle_t *)hop->pending);
            hop->pending = NULL;
        }
    }
    io_proxy_stop(c->proxy);
    c->proxy = NULL;
}
