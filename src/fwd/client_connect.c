/* SPDX-License-Identifier: ISC */
/*
 * adit: reaching the first hop (over TCP with ConnectTimeout,
 * ConnectionAttempts, AddressFamily and BindAddress, or through the
 * ProxyCommand), and taking an attempt's hops down.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

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
        snprintf(c->last_error, sizeof(c->last_error),
                 "connect to host %s port %u: %s", c->hops[0].host,
                 (unsigned)c->hops[0].port, err_str(r));
        c->said = true;
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
    }
}

/*
 * Reconnect mode: TCP_USER_TIMEOUT of Interval x CountMax, so data (a
 * keepalive probe included) left unacknowledged that long aborts the
 * connection: a vanished server or a dead path is noticed in seconds,
 * never after the kernel's minutes of retransmissions.
 */
static void
client_user_timeout(struct client_hop *hop, uv_tcp_t *tcp)
{
    int t = client_config_alive_interval(hop->cfg) *
            client_config_alive_count(hop->cfg);
    int r;

    if (!hop->c->sup->reconnect || t <= 0) {
        return;
    }
    if ((r = io_tcp_user_timeout(tcp, (unsigned)t * 1000u)) != 0) {
        log_debug("setsockopt TCP_USER_TIMEOUT: %s", err_str(r));
    }
}

/* Why the connect failed, in ssh's words: a socket ssh could not make
 * (BindInterface with no suitable address) is its "failure". */
static const char *
client_connect_why(const struct client_hop *hop, int status)
{
    if (status == UV_EADDRNOTAVAIL && hop->cfg->bind_address == NULL &&
        hop->cfg->bind_interface != NULL) {
        return "failure";
    }
    return io_strerror(status);
}

/* A connected TCP socket to the first hop (ours, or one a ProxyUseFdpass
 * command passed back): set it up as ssh does and start the session. */
static void
client_tcp_run(struct client_hop *hop, uv_tcp_t *tcp)
{
    char addr[64], peer[128];
    uint16_t port = 0;
    int r;

    /* TCPKeepAlive (default yes, as ssh): SO_KEEPALIVE with the
     * system's timers, nothing more, as ssh sets it. */
    if ((r = io_tcp_keepalive(tcp, hop->cfg->tcp_keep_alive != 0)) != 0) {
        log_debug("setsockopt SO_KEEPALIVE: %s", err_str(r));
    }
    client_user_timeout(hop, tcp);
    io_peer_str(tcp, addr, sizeof(addr), &port);
    snprintf(peer, sizeof(peer), "%s port %u", addr, (unsigned)port);
    log_debug("Connection established to %s.", peer);
    client_hop_start(hop, (uv_stream_t *)tcp, peer);
}

static void
client_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct client *c = ctx;
    struct client_hop *hop = &c->hops[0];

    c->connecting = NULL;
    if (status != 0 && !resolving && --c->attempts_left > 0) {
        log_debug("connect to host %s port %u: %s", hop->host,
                  (unsigned)hop->port, client_connect_why(hop, status));
        uv_timer_start(&c->retry, client_retry, 1000, 0);
        return;
    }
    if (status != 0) {
        if (resolving) {
            snprintf(c->last_error, sizeof(c->last_error),
                     "Could not resolve hostname %s: %s", hop->host,
                     io_strerror(status));
        } else {
            snprintf(c->last_error, sizeof(c->last_error),
                     "connect to host %s port %u: %s", hop->host,
                     (unsigned)hop->port, client_connect_why(hop, status));
        }
        log_error("%s", c->last_error);
        c->said = true;
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
        return;
    }
    client_tcp_run(hop, tcp);
}

static int
client_tcp_start(struct client *c)
{
    struct client_hop *hop = &c->hops[0];
    const struct client_config *cfg = hop->cfg;
    uint64_t timeout = client_login_deadline_ms(hop);
    struct io_connect_bind bind = {cfg->bind_address, cfg->bind_interface};

    log_debug("Connecting to %s port %u.", hop->host, (unsigned)hop->port);
    return io_connect_start_bound(&c->connecting, c->loop, hop->host, hop->port,
                                  c->t->family, timeout, &bind,
                                  client_connected, c);
}

/* ProxyUseFdpass: the command passed back its connected socket (or
 * failed to, in ssh's words, already logged). */
static void
client_proxy_fd(void *ctx, int status, uv_stream_t *st)
{
    struct client *c = ctx;

    if (status != 0) {
        snprintf(c->last_error, sizeof(c->last_error),
                 "proxy dialer did not pass back a connection");
        c->said = true;
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
        return;
    }
    if (st->type == UV_TCP) {
        client_tcp_run(&c->hops[0], (uv_tcp_t *)st);
    } else {
        client_hop_start(&c->hops[0], st, CLIENT_PROXY_PEER);
    }
}

static int
client_proxy_start(struct client *c, const char *pc)
{
    const struct client_hop *hop = &c->hops[0];
    uv_stream_t *st = NULL;
    char *cmd;
    int r;

    cmd = client_proxy_expand(hop, c->n_hops > 1 ? hop->alias : c->t->orig_host,
                              pc);
    if (cmd == NULL) {
        c->said = true;
        c->permanent = true;
        snprintf(c->last_error, sizeof(c->last_error), "bad ProxyCommand");
        return ERR_CONFIG;
    }
    if (hop->cfg->proxy_use_fdpass == 1) {
        r = io_proxy_start_fdpass(&c->proxy, c->loop, cmd, client_proxy_fd, c);
    } else {
        r = io_proxy_start(&c->proxy, c->loop, cmd, &st);
    }
    free(cmd);
    if (r != 0) {
        c->said = true;
        return r;
    }
    if (st != NULL) {
        client_hop_start(&c->hops[0], st, CLIENT_PROXY_PEER);
    }
    return 0;
}

/*
 * The first hop's ProxyCommand, or NULL. As ssh: the target's own when
 * there is no -J; with -J the first jump host's (ssh runs that host's ssh
 * -W, which reads its configuration); never a later hop's or the
 * target's, reached through -J (whose ProxyJump, set first, makes ssh
 * ignore their ProxyCommand).
 */
static const char *
client_first_proxy(const struct client *c)
{
    const struct client_config *cfg = c->hops[0].cfg;
    const char *pc = cfg->proxy_command;

    if (c->n_hops > 1 && (cfg == c->cfg || c->hops[0].alias == NULL)) {
        return NULL; /* no configuration of the hop's own */
    }
    return pc != NULL && strcmp(pc, "none") != 0 ? pc : NULL;
}

int
client_hops_start(struct client *c)
{
    const char *pc = client_first_proxy(c);

    c->attempts_left = c->hops[0].cfg->connection_attempts > 0
                           ? c->hops[0].cfg->connection_attempts
                           : 1;
    if (pc != NULL) {
        return client_proxy_start(c, pc);
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
    if (c->timers_open) {
        uv_timer_stop(&c->retry);
    }
    /* The target first: the hops it runs through go down after it. */
    for (i = c->n_hops; i-- > 0;) {
        struct client_hop *hop = &c->hops[i];

        if (hop->has_timer && c->timers_open) {
            uv_timer_stop(&hop->banner);
        }
        if (hop->ic != NULL) {
            io_conn_disconnect(hop->ic, SSH_DISCONNECT_BY_APPLICATION, why);
        }
        if (hop->pending != NULL) {
            io_close_free((uv_handle_t *)hop->pending);
            hop->pending = NULL;
        }
        client_hop_agent_stop(hop);
    }
    io_proxy_stop(c->proxy);
    c->proxy = NULL;
}

void
client_hops_close(struct client *c)
{
    size_t i;

    if (!c->timers_open) {
        return;
    }
    c->timers_open = false;
    uv_close((uv_handle_t *)&c->retry, NULL);
    for (i = 0; i < c->n_hops; i++) {
        struct client_hop *hop = &c->hops[i];

        if (hop->has_timer) {
            uv_close((uv_handle_t *)&hop->banner, NULL);
        }
    }
}

bool
client_hops_idle(const struct client *c)
{
    size_t i;

    if (c->connecting != NULL) {
        return false;
    }
    for (i = 0; i < c->n_hops; i++) {
        /* held: connected, waiting for the agent's list of keys. */
        if (c->hops[i].ic != NULL || c->hops[i].pending != NULL ||
            c->hops[i].held != NULL) {
            return false;
        }
    }
    return true;
}
