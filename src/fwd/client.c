/* SPDX-License-Identifier: ISC */
/* adit: one SSH connection with its -L forwards. */
#include "fwd/client_int.h"
#include "fwd/client_fork.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

#define CLIENT_SOFTWARE "adit_0.1"
#define CLIENT_EXIT_FAIL 255

static const char *const client_default_ids[] = {
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_rsa",
};

/* "~/x" -> "$HOME/x" into out. */
static void
client_tilde(const char *path, char *out, size_t out_len)
{
    const char *home = getenv("HOME");

    if (path[0] == '~' && path[1] == '/' && home != NULL) {
        snprintf(out, out_len, "%s%s", home, path + 1);
    } else {
        snprintf(out, out_len, "%s", path);
    }
}

static void
client_load_keys(struct client *c)
{
    const struct client_config *cfg = c->cfg;
    size_t n = cfg->n_identity_files, i;
    char path[1024];
    int r;

    if (n == 0) {
        n = sizeof(client_default_ids) / sizeof(client_default_ids[0]);
    }
    for (i = 0; i < n && c->n_keys < CLIENT_MAX_KEYS; i++) {
        client_tilde(cfg->n_identity_files > 0 ? cfg->identity_files[i]
                                               : client_default_ids[i],
                     path, sizeof(path));
        r = sshkey_load_private(path, &c->keys[c->n_keys]);
        if (r == 0) {
            log_debug("Will attempt key: %s", path);
            c->n_keys++;
        } else if (r == ERR_KEY_ENCRYPTED) {
            log_debug("%s is encrypted: skipped (no passphrases yet)", path);
        } else if (r != ERR_NOTFOUND) {
            log_debug("could not load %s: %s", path, err_str(r));
        }
    }
}

static void
client_stop(struct client *c)
{
    size_t i;

    for (i = 0; i < c->n_fwds; i++) {
        fwd_local_close(c->fwds[i]);
    }
    c->n_fwds = 0;
    for (i = 0; i < 3; i++) {
        if (!uv_is_closing((uv_handle_t *)&c->sig[i])) {
            uv_close((uv_handle_t *)&c->sig[i], NULL);
        }
    }
}

/* ExitOnForwardFailure: end with 255, as ssh's fatal() does. */
static void
client_forward_failed(struct client *c)
{
    if (c->cfg->exit_on_forward_failure == 1 && c->ic != NULL) {
        c->exit_code = CLIENT_EXIT_FAIL;
        io_conn_disconnect(c->ic, SSH_DISCONNECT_BY_APPLICATION,
                           "exit on forward failure");
    }
}

static void
client_rfwd_failed(void *ctx, const struct fwdspec *spec)
{
    (void)spec;
    client_forward_failed(ctx);
}

/* -f: go to the background now (a no-op without -f). */
static void
client_ready(struct client *c)
{
    if (c->exit_code == 0 && c->ic != NULL && !io_conn_is_ending(c->ic)) {
        client_fork_ready(&c->ready_fd, log_get_level());
    }
}

/* With ExitOnForwardFailure, -f waits for every -R to be confirmed. */
static void
client_rfwd_settled(void *ctx)
{
    struct client *c = ctx;

    if (c->cfg->exit_on_forward_failure == 1) {
        client_ready(c);
    }
}

/* The server opens a channel: only forwarded ones for our -R forwards. */
static void
client_open_request(void *ctx, struct io_conn *ic, uint32_t id,
                    const struct chan_open_info *info)
{
    struct client *c = ctx;

    if (c->rfwd != NULL && fwd_remote_open(c->rfwd, ic, id, info)) {
        return;
    }
    log_debug("client_input_channel_open: ctype %s", info->type);
    conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                   "open failed");
    io_conn_flush(ic);
}

static int
client_start_remote(struct client *c, struct io_conn *ic)
{
    struct fwd_remote_cbs cbs;
    int r;

    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = c;
    cbs.failed = client_rfwd_failed;
    cbs.settled = client_rfwd_settled;
    if ((r = fwd_remote_new(&c->rfwd, c->cfg->remote_fwds,
                            c->cfg->n_remote_fwds,
                            c->cfg->exit_on_forward_failure == 1, &cbs)) != 0) {
        return r;
    }
    return fwd_remote_start(c->rfwd, ic);
}

static void
client_authenticated(void *ctx, struct io_conn *ic)
{
    struct client *c = ctx;
    size_t i;

    c->authenticated = true;
    log_debug("Authenticated to %s ([%s]:%u).", c->t->host, c->t->host,
              (unsigned)c->t->port);
    for (i = 0; i < c->cfg->n_local_fwds && i < CLIENT_MAX_FWDS; i++) {
        if (fwd_local_start(&c->fwds[c->n_fwds], c->loop,
                            &c->cfg->local_fwds[i], c->cfg->gateway_ports == 1,
                            ic) == 0) {
            c->n_fwds++;
            continue;
        }
        fprintf(stderr, "Could not request local forwarding.\r\n");
        if (c->cfg->exit_on_forward_failure == 1) {
            client_forward_failed(c);
            return;
        }
    }
    if (c->cfg->n_remote_fwds > 0 && client_start_remote(c, ic) != 0) {
        if (c->cfg->exit_on_forward_failure == 1) {
            fprintf(stderr, "Could not request remote forwarding.\r\n");
            client_forward_failed(c);
            return;
        }
        fprintf(stderr, "Warning: Could not request remote forwarding.\r\n");
    }
    if (c->cfg->exit_on_forward_failure != 1 || c->rfwd == NULL ||
        fwd_remote_pending(c->rfwd) == 0) {
        client_ready(c);
    }
}

static void
client_closed(void *ctx, struct io_conn *ic, const char *why)
{
    struct client *c = ctx;
    const char *rd = "Received disconnect from peer: ";

    c->ic = NULL;
    if (c->hostkey_failed) {
        /* already said */
    } else if (strncmp(why, "Permission denied", 17) == 0) {
        fprintf(stderr, "%s@%s: %s\r\n", c->t->user, c->t->host, why);
    } else if (strncmp(why, rd, strlen(rd)) == 0) {
        fprintf(stderr, "Received disconnect from %s port %u:%s\r\n",
                c->t->host, (unsigned)c->t->port, why + strlen(rd));
        fprintf(stderr, "Disconnected from %s port %u\r\n", c->t->host,
                (unsigned)c->t->port);
    } else if (strcmp(why, "Timeout, server not responding.") == 0) {
        /* ssh's clientloop.c wording, at its INFO level (-q hides it). */
        if (log_get_level() >= LOG_ERROR) {
            fprintf(stderr, "Timeout, server %s not responding.\r\n",
                    c->t->host);
        }
    } else if (strncmp(why, "Connection closed", 17) == 0 ||
               strncmp(why, "Connection reset", 16) == 0) {
        fprintf(stderr, "%s\r\n", why);
    } else if (c->exit_code == 0) {
        log_error("%s", why);
    }
    c->exit_code = CLIENT_EXIT_FAIL;
    client_stop(c);
}

static void
client_session_config(struct client *c, struct session_config *s,
                      char *hostkey_algs, size_t hostkey_algs_len)
{
    const struct client_config *cfg = c->cfg;

    memset(s, 0, sizeof(*s));
    s->transport.is_server = false;
    s->transport.software_version = CLIENT_SOFTWARE;
    s->transport.kex_algs = cfg->kex_algs;
    s->transport.ciphers = cfg->ciphers;
    s->transport.macs = cfg->macs;
    s->transport.hostkey_algs = cfg->hostkey_algs;
    client_hostkey_algs(c, hostkey_algs, hostkey_algs_len);
    if (hostkey_algs[0] != '\0') {
        s->transport.hostkey_algs = hostkey_algs;
    }
    s->transport.verify_hostkey = client_verify_hostkey;
    s->transport.verify_ctx = c;
    /* RekeyLimit: 0 bytes is the default by cipher; a time of 0 ("none")
     * means no rekey by time, which the transport spells UINT32_MAX. */
    s->transport.rekey_bytes =
        cfg->rekey_bytes > 0 ? (uint64_t)cfg->rekey_bytes : 0;
    if (cfg->rekey_seconds >= 0) {
        s->transport.rekey_seconds =
            cfg->rekey_seconds > 0 ? (uint32_t)cfg->rekey_seconds : UINT32_MAX;
    }
    /* ServerAliveInterval 0 (the default) never probes; CountMax 3. */
    if (cfg->server_alive_interval > 0) {
        s->alive_interval_ms = (uint64_t)cfg->server_alive_interval * 1000u;
    }
    s->alive_count_max = cfg->server_alive_count_max >= 0
                             ? (unsigned)cfg->server_alive_count_max
                             : 3u;
    s->client_auth.user = c->t->user;
    s->client_auth.keys = c->keys;
    s->client_auth.n_keys = c->n_keys;
}

static void
client_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct client *c = ctx;
    struct session_config scfg;
    struct io_conn_cbs cbs;
    char addr[64], peer[128], hostkey_algs[512];
    uint16_t port = 0;
    int r;

    c->connecting = NULL;
    if (status != 0) {
        if (resolving) {
            log_error("Could not resolve hostname %s: %s", c->t->host,
                      io_strerror(status));
        } else {
            log_error("connect to host %s port %u: %s", c->t->host,
                      (unsigned)c->t->port, io_strerror(status));
        }
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
        return;
    }
    /* TCPKeepAlive (default yes, as ssh): SO_KEEPALIVE with the
     * system's timers, nothing more, as ssh sets it. */
    if ((r = io_tcp_keepalive(tcp, c->cfg->tcp_keep_alive != 0)) != 0) {
        log_debug("setsockopt SO_KEEPALIVE: %s", err_str(r));
    }
    io_peer_str(tcp, addr, sizeof(addr), &port);
    snprintf(peer, sizeof(peer), "%s port %u", addr, (unsigned)port);
    log_debug("Connection established to %s.", peer);
    client_session_config(c, &scfg, hostkey_algs, sizeof(hostkey_algs));
    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = c;
    cbs.authenticated = client_authenticated;
    cbs.open_request = client_open_request;
    cbs.closed = client_closed;
    if ((r = io_conn_new(&c->ic, c->loop, tcp, &scfg, &cbs, peer)) != 0) {
        log_error("could not start the session: %s", err_str(r));
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
    }
}

static void
client_signal(uv_signal_t *h, int signum)
{
    struct client *c = h->data;

    log_debug("received signal %d", signum);
    c->exit_code = CLIENT_EXIT_FAIL;
    if (c->connecting != NULL) {
        io_connect_cancel(c->connecting);
        c->connecting = NULL;
    }
    if (c->ic != NULL) {
        io_conn_disconnect(c->ic, SSH_DISCONNECT_BY_APPLICATION,
                           "killed by signal");
    }
    client_stop(c);
}

static int
client_start(struct client *c)
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    const struct client_config *cfg = c->cfg;
    uint64_t timeout =
        cfg->connect_timeout > 0 ? (uint64_t)cfg->connect_timeout * 1000u : 0;
    size_t i;

    client_tilde(cfg->user_known_hosts != NULL ? cfg->user_known_hosts
                                               : "~/.ssh/known_hosts",
                 c->known_hosts, sizeof(c->known_hosts));
    client_tilde(cfg->global_known_hosts != NULL ? cfg->global_known_hosts
                                                 : "/etc/ssh/ssh_known_hosts",
                 c->global_known_hosts, sizeof(c->global_known_hosts));
    client_load_keys(c);
    for (i = 0; i < 3; i++) {
        uv_signal_init(c->loop, &c->sig[i]);
        c->sig[i].data = c;
        uv_signal_start(&c->sig[i], client_signal, sigs[i]);
    }
    log_debug("Connecting to %s port %u.", c->t->host, (unsigned)c->t->port);
    return io_connect_start(&c->connecting, c->loop, c->t->host, c->t->port,
                            c->t->family, timeout, client_connected, c);
}

int
client_run(uv_loop_t *loop, const struct client_config *cfg,
           const struct client_target *t)
{
    struct client *c;
    size_t i;
    int r, code;

    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return CLIENT_EXIT_FAIL;
    }
    c->loop = loop;
    c->cfg = cfg;
    c->t = t;
    c->ready_fd = t->ready_fd;
    if ((r = client_start(c)) != 0) {
        log_error("connect to host %s port %u: %s", t->host, (unsigned)t->port,
                  err_str(r));
        c->exit_code = CLIENT_EXIT_FAIL;
        client_stop(c);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    code = c->exit_code;
    client_fork_failed(&c->ready_fd, code);
    fwd_remote_free(c->rfwd);
    for (i = 0; i < c->n_keys; i++) {
        sshkey_free(c->keys[i]);
    }
    free(c);
    return code;
}
