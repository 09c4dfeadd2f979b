/* SPDX-License-Identifier: ISC */
/* adit: the client's life: keys, signals, forwards once the target is up. */
#include "fwd/client_int.h"
#include "fwd/client_fork.h"
#include "fwd/fwd_rdynamic.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

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

void
client_load_keys(const struct client_config *cfg, struct client_keys *keys)
{
    size_t n = cfg->n_identity_files, i;
    char path[1024];
    int r;

    if (n == 0) {
        n = sizeof(client_default_ids) / sizeof(client_default_ids[0]);
    }
    for (i = 0; i < n && keys->n < CLIENT_MAX_KEYS; i++) {
        client_tilde(cfg->n_identity_files > 0 ? cfg->identity_files[i]
                                               : client_default_ids[i],
                     path, sizeof(path));
        r = sshkey_load_private(path, &keys->k[keys->n]);
        if (r == 0) {
            log_debug("Will attempt key: %s", path);
            keys->n++;
            client_load_cert_beside(keys, keys->n - 1, path);
        } else if (r == ERR_KEY_ENCRYPTED) {
            log_debug("%s is encrypted: skipped (no passphrases yet)", path);
        } else if (r != ERR_NOTFOUND) {
            log_debug("could not load %s: %s", path, err_str(r));
        }
    }
    for (i = 0; i < cfg->n_certificate_files; i++) {
        client_tilde(cfg->certificate_files[i], path, sizeof(path));
        client_load_cert_files(keys, path);
    }
}

void
client_free_keys(struct client_keys *keys)
{
    size_t i;

    for (i = 0; i < keys->n; i++) {
        sshkey_free(keys->k[i]);
    }
    keys->n = 0;
}

/* End everything: the loop returns once every handle has closed. */
void
client_stop(struct client *c)
{
    size_t i;

    if (c->stopping) {
        return;
    }
    c->stopping = true;
    for (i = 0; i < c->n_fwds; i++) {
        fwd_local_close(c->fwds[i]);
    }
    c->n_fwds = 0;
    for (i = 0; i < 3; i++) {
        if (!uv_is_closing((uv_handle_t *)&c->sig[i])) {
            uv_close((uv_handle_t *)&c->sig[i], NULL);
        }
    }
    client_hops_stop(c, "disconnected by user");
}

/* -g and StreamLocalBindUnlink for fwd_local_start. */
static unsigned
client_local_flags(const struct client *c)
{
    return (c->cfg->gateway_ports == 1 ? FWD_LOCAL_GATEWAY_PORTS : 0) |
           (c->cfg->stream_local_bind_unlink == 1 ? FWD_LOCAL_BIND_UNLINK : 0);
}

/* ExitOnForwardFailure: end with 255, as ssh's fatal() does. */
static void
client_forward_failed(struct client *c)
{
    if (c->cfg->exit_on_forward_failure == 1 && c->ic != NULL) {
        c->exit_code = CLIENT_EXIT_FAIL;
        c->said = true;
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

void
client_connect_failed(void *ctx, struct io_conn *ic, const char *target,
                      int port, int status)
{
    (void)ctx;
    (void)ic;
    if (log_get_level() <= LOG_QUIET) {
        return;
    }
    if (port < 0) {
        log_plain("connect to %.100s port -2 failed: %s\r\n", target,
                  io_strerror(status));
    } else {
        log_plain("connect_to %.100s port %d: failed.\r\n", target, port);
    }
}

void
client_open_request(void *ctx, struct io_conn *ic, uint32_t id,
                    const struct chan_open_info *info)
{
    struct client_hop *hop = ctx;
    struct client *c = hop->c;

    if (c->rfwd != NULL && fwd_remote_open(c->rfwd, ic, id, info)) {
        return;
    }
    log_debug("client_input_channel_open: ctype %s", info->type);
    conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                   "open failed");
    io_conn_flush(ic);
}

/* A connection to a -R port with no target: we are its SOCKS proxy. */
static void
client_rfwd_dynamic(void *ctx, struct io_conn *ic, uint32_t id,
                    const struct fwdspec *spec,
                    const struct chan_open_info *info)
{
    (void)ctx;
    (void)spec;
    fwd_rdynamic_accept(ic, id, info);
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
    cbs.dynamic = client_rfwd_dynamic;
    if ((r = fwd_remote_new(&c->rfwd, c->cfg->remote_fwds,
                            c->cfg->n_remote_fwds,
                            c->cfg->exit_on_forward_failure == 1, &cbs)) != 0) {
        return r;
    }
    return fwd_remote_start(c->rfwd, ic);
}

/*
 * Listen for every -L and -D, as ssh's ssh_init_forwarding (which keeps
 * both in one list; fwd_local hands a -D listener's clients to
 * fwd_dynamic): each failure has printed its own reason; then, with
 * ExitOnForwardFailure, any failure ends the connection (false), and
 * otherwise "Could not request local forwarding." is said only when none
 * could be set up.
 */
static bool
client_start_local(struct client *c, struct io_conn *ic)
{
    size_t n_local = c->cfg->n_local_fwds;
    size_t n = n_local + c->cfg->n_dynamic_fwds, i;
    size_t ok = 0;
    const struct fwdspec *spec;

    for (i = 0; i < n && c->n_fwds < CLIENT_MAX_FWDS; i++) {
        spec = i < n_local ? &c->cfg->local_fwds[i]
                           : &c->cfg->dynamic_fwds[i - n_local];
        if (fwd_local_start(&c->fwds[c->n_fwds], c->loop, spec,
                            client_local_flags(c), ic) == 0) {
            c->n_fwds++;
            ok++;
        }
    }
    if (ok == n) {
        return true;
    }
    if (c->cfg->exit_on_forward_failure == 1) {
        log_plain("Could not request local forwarding.\r\n");
        client_forward_failed(c);
        return false;
    }
    if (ok == 0) {
        log_plain("Could not request local forwarding.\r\n");
    }
    return true;
}

void
client_target_ready(struct client *c, struct io_conn *ic)
{
    c->ic = ic;
    if (c->cfg->stdio_forward != NULL) {
        if (client_stdio_start(c, ic) != 0) {
            c->exit_code = CLIENT_EXIT_FAIL;
            c->said = true;
            client_stop(c);
        }
        return;
    }
    if (!client_start_local(c, ic)) {
        return;
    }
    if (c->cfg->n_remote_fwds > 0 && client_start_remote(c, ic) != 0) {
        if (c->cfg->exit_on_forward_failure == 1) {
            log_plain("Could not request remote forwarding.\r\n");
            client_forward_failed(c);
            return;
        }
        log_plain("Warning: Could not request remote forwarding.\r\n");
    }
    if (c->cfg->exit_on_forward_failure != 1 || c->rfwd == NULL ||
        fwd_remote_pending(c->rfwd) == 0) {
        client_ready(c);
    }
}

static void
client_signal(uv_signal_t *h, int signum)
{
    struct client *c = h->data;

    log_debug("received signal %d", signum);
    c->exit_code = CLIENT_EXIT_FAIL;
    c->said = true;
    client_stop(c);
}

static int
client_start(struct client *c)
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    const struct client_config *cfg = c->cfg;
    size_t i;
    int r;

    client_tilde(cfg->user_known_hosts != NULL ? cfg->user_known_hosts
                                               : "~/.ssh/known_hosts",
                 c->known_hosts, sizeof(c->known_hosts));
    client_tilde(cfg->global_known_hosts != NULL ? cfg->global_known_hosts
                                                 : "/etc/ssh/ssh_known_hosts",
                 c->global_known_hosts, sizeof(c->global_known_hosts));
    /* The options may list several files (already ~- and %-expanded by
     * the config layer); adit reads the first one, see adit(1). */
    c->known_hosts[strcspn(c->known_hosts, " ")] = '\0';
    c->global_known_hosts[strcspn(c->global_known_hosts, " ")] = '\0';
    client_load_keys(c->cfg, &c->keys);
    for (i = 0; i < 3; i++) {
        uv_signal_init(c->loop, &c->sig[i]);
        c->sig[i].data = c;
        uv_signal_start(&c->sig[i], client_signal, sigs[i]);
    }
    if ((r = client_hops_init(c)) != 0) {
        return r;
    }
    return client_hops_start(c);
}

int
client_run(uv_loop_t *loop, const struct client_config *cfg,
           const struct client_target *t)
{
    struct client *c;
    int r, code;

    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return CLIENT_EXIT_FAIL;
    }
    c->loop = loop;
    c->cfg = cfg;
    c->t = t;
    c->ready_fd = t->ready_fd;
    if ((r = client_start(c)) != 0) {
        if (!c->said) {
            log_error("connect to host %s port %u: %s", t->host,
                      (unsigned)t->port, err_str(r));
        }
        c->exit_code = CLIENT_EXIT_FAIL;
        c->said = true;
        client_stop(c);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    code = c->exit_code;
    client_fork_failed(&c->ready_fd, code);
    fwd_remote_free(c->rfwd);
    client_hops_cleanup(c);
    client_free_keys(&c->keys);
    free(c);
    return code;
}
