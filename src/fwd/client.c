/* SPDX-License-Identifier: ISC */
/* adit: the client's life: keys, signals, forwards once the target is up. */
#include "fwd/client_int.h"
#include "fwd/client_agent.h"
#include "fwd/client_fork.h"
#include "fwd/fwd_rdynamic.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config/ssh_tokens.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "transport/transport.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

static const char *const client_default_ids[] = {
    "~/.ssh/id_ed25519",
    "~/.ssh/id_ecdsa",
    "~/.ssh/id_rsa",
};

const char *
client_home(void)
{
    const char *home = getenv("ADIT_HOME");
    struct passwd *pw;

    if (home != NULL && home[0] == '/') {
        return home;
    }
    pw = getpwuid(getuid());
    return pw != NULL ? pw->pw_dir : NULL;
}

void
client_tilde(const char *path, char *out, size_t out_len)
{
    char *exp = NULL;

    if (ssh_tokens_tilde(path, client_home(), &exp, NULL, 0) != 0) {
        snprintf(out, out_len, "%s", path); /* no such file, then */
        return;
    }
    snprintf(out, out_len, "%s", exp);
    free(exp);
}

/* The public half in "path.pub", or ERR_NOTFOUND. */
static int
client_load_pub(const char *path, struct sshkey **out)
{
    char pub[1040];

    if ((size_t)snprintf(pub, sizeof(pub), "%s.pub", path) >= sizeof(pub)) {
        return ERR_NOTFOUND;
    }
    return sshkey_load_public(pub, out) == 0 ? 0 : ERR_NOTFOUND;
}

/*
 * The key in path. A file that is gone but whose .pub is there gives the
 * public half (the agent may hold the key). So does an encrypted file
 * with a .pub, or an encrypted openssh-key-v1 file, whose public key is
 * readable without the passphrase (*encrypted): as ssh, its passphrase is
 * asked only once the server accepts the key (client_hop_pass.c), and not
 * at all when the agent signs. An encrypted PEM file without a .pub gives
 * no key at all (*out NULL, *encrypted): as ssh's "Trying private key",
 * it is loaded, and its passphrase asked, when its turn comes
 * (client_hop_pass_load).
 */
static int
client_load_key(const char *path, struct sshkey **out, bool *encrypted)
{
    int r = sshkey_load_private(path, out);

    *encrypted = false;
    if (r == ERR_NOTFOUND && client_load_pub(path, out) == 0) {
        log_debug("%s: not found, public key from %s.pub", path, path);
        return 0;
    }
    if (r != ERR_KEY_ENCRYPTED) {
        return r;
    }
    if (client_load_pub(path, out) == 0) {
        log_debug("%s: encrypted, public key from %s.pub", path, path);
        *encrypted = true;
        return 0;
    }
    *encrypted = true;
    if (sshkey_load_private_public(path, out) == 0) {
        log_debug("%s: encrypted, public key from the file", path);
    } else {
        log_debug("%s: encrypted, loaded when tried", path);
    }
    return 0;
}

void
client_load_keys(const struct client_config *cfg, struct client_keys *keys)
{
    size_t n = cfg->n_identity_files, i;
    char path[1024];
    bool enc = false;
    int r;

    if (n == 0) {
        n = sizeof(client_default_ids) / sizeof(client_default_ids[0]);
    }
    for (i = 0; i < n && keys->n < CLIENT_MAX_KEYS; i++) {
        client_tilde(cfg->n_identity_files > 0 ? cfg->identity_files[i]
                                               : client_default_ids[i],
                     path, sizeof(path));
        r = client_load_key(path, &keys->k[keys->n], &enc);
        if (r == 0 &&
            (keys->name[keys->n] = str_ndup(path, strlen(path))) == NULL) {
            sshkey_free(keys->k[keys->n]);
            r = ERR_NOMEM;
        }
        if (r == 0) {
            log_debug("identity file %s", path);
            keys->certfile[keys->n] = false;
            keys->encrypted[keys->n] = enc;
            keys->n++;
            if (keys->k[keys->n - 1] != NULL) {
                client_load_cert_beside(keys, keys->n - 1, path);
            }
        } else if (r == ERR_KEY_ENCRYPTED || r == ERR_PASSPHRASE) {
            log_debug("%s: no passphrase: skipped", path);
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
        free(keys->name[i]);
    }
    keys->n = 0;
}

void
client_stop(struct client *c)
{
    if (!c->stopping) {
        c->stopping = true;
        client_hops_stop(c, "disconnected by user");
    }
    client_check_down(c);
}

void
client_count_totals(struct client *c, struct io_conn *ic)
{
    struct transport_stats st;
    struct conn_chan_stats cs;
    /* Not io_conn_conn: the connection is over, its counts are not. */
    struct conn *conn = session_conn(io_conn_session(ic));

    transport_get_stats(session_transport(io_conn_session(ic)), &st);
    c->bytes_in += st.bytes_in;
    c->bytes_out += st.bytes_out;
    if (conn != NULL) {
        conn_get_chan_stats(conn, &cs);
        client_chan_stats_add(&c->chans, &cs);
    }
}

void
client_check_down(struct client *c)
{
    if (!c->stopping || c->is_down || !client_hops_idle(c)) {
        return;
    }
    c->is_down = true;
    client_term_farewell(c);
    fwd_remote_free(c->rfwd);
    c->rfwd = NULL;
    client_rtfwd_drop(c);
    client_sup_down(c->sup, c);
}

/* ExitOnForwardFailure: end with 255, as ssh's fatal() does. */
void
client_forward_failed(struct client *c)
{
    if (c->cfg->exit_on_forward_failure == 1 && c->ic != NULL) {
        c->exit_code = CLIENT_EXIT_FAIL;
        c->said = true;
        io_conn_disconnect(c->ic, SSH_DISCONNECT_BY_APPLICATION,
                           "exit on forward failure");
    }
}

/* A refused -R: ssh's way ends with ExitOnForwardFailure; Reconnect
 * mode asks again after a backoff instead (the port may still be held by
 * the server's side of our last connection). */
static void
client_rfwd_failed(void *ctx, const struct fwdspec *spec)
{
    struct client *c = ctx;

    (void)spec;
    if (c->sup->reconnect) {
        client_sup_rfwd_refused(c->sup, c);
        return;
    }
    client_forward_failed(c);
}

/* -f: go to the background now (a no-op without -f, or once gone). */
static void
client_ready(struct client *c)
{
    if (c->exit_code == 0 && c->ic != NULL && !io_conn_is_ending(c->ic)) {
        client_fork_ready(&c->sup->ready_fd, log_get_level());
    }
}

/* With ExitOnForwardFailure, -f waits for every -R to be confirmed. */
static void
client_rfwd_settled(void *ctx)
{
    struct client *c = ctx;

    client_notify(c->sup);
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

    if (client_sessfwd_open(&c->sessfwd, ic, id, info) ||
        (c->rfwd != NULL && fwd_remote_open(c->rfwd, ic, id, info)) ||
        client_rtfwd_open(c, ic, id, info)) {
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
    struct client *c = ctx;

    (void)spec;
    fwd_rdynamic_accept(&c->rdyn, ic, id, info);
}

int
client_rfwd_ensure(struct client *c)
{
    struct fwd_remote_cbs cbs;

    if (c->rfwd != NULL) {
        return 0;
    }
    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = c;
    cbs.failed = client_rfwd_failed;
    cbs.settled = client_rfwd_settled;
    cbs.dynamic = client_rfwd_dynamic;
    /* The forwards are the supervisor's (the first destination's). */
    return fwd_remote_new(
        &c->rfwd, c->sup->cfg->remote_fwds, c->sup->cfg->n_remote_fwds,
        c->cfg->exit_on_forward_failure == 1 && !c->sup->reconnect, &cbs);
}

static int
client_start_remote(struct client *c, struct io_conn *ic)
{
    int r;

    if ((r = client_rfwd_ensure(c)) != 0 ||
        (r = fwd_remote_start(c->rfwd, ic)) != 0) {
        return r;
    }
    /* What clients of a master added: asked for on this connection too. */
    return client_mux_fwd_restart(c, ic);
}

/* The session, if there is one: its end is adit's. */
static void
client_session_go(struct client *c)
{
    if (!c->t->has_session || c->stopping || c->ic == NULL) {
        return;
    }
    if (client_shell_start(c, c->ic) != 0) {
        c->exit_code = CLIENT_EXIT_FAIL;
        c->said = true;
        client_stop(c);
    }
}

void
client_target_ready(struct client *c, struct io_conn *ic)
{
    c->ic = ic;
    client_sup_up(c->sup, c);
    if (c->cfg->stdio_forward != NULL) {
        if (client_stdio_start(c, ic) != 0) {
            c->exit_code = CLIENT_EXIT_FAIL;
            c->said = true;
            client_stop(c);
        }
        return;
    }
    if (!client_sup_start_local(c->sup, c)) {
        return;
    }
    if ((c->sup->cfg->n_remote_fwds > 0 || client_mux_fwd_rows(c->sup) > 0) &&
        client_start_remote(c, ic) != 0) {
        if (c->cfg->exit_on_forward_failure == 1 && !c->sup->reconnect) {
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
    client_notify(c->sup);
    /* ssh runs LocalCommand once the forwards are set up, then opens
     * the session. */
    if (c->cfg->local_command != NULL && c->cfg->permit_local_command == 1 &&
        client_local_run(c, c->cfg->local_command, client_session_go) == 0) {
        return;
    }
    client_session_go(c);
}

/* PermitRemoteOpen into c->rperm: "any" (or unset) leaves rdyn open to
 * every target; "none" refuses all; else host:port words. */
static int
client_permit_remote_open(struct client *c)
{
    const char *p = c->cfg->permit_remote_open;
    char word[LIM_STRING_SMALL];
    size_t len;
    int r;

    if (p == NULL || strcasecmp(p, "any") == 0) {
        return 0;
    }
    c->rdyn.permit = &c->rperm;
    if (strcasecmp(p, "none") == 0) {
        c->rperm.none = true;
        return 0;
    }
    while (*(p += strspn(p, " \t")) != '\0') {
        len = strcspn(p, " \t");
        if (len >= sizeof(word)) {
            return ERR_LIMIT;
        }
        memcpy(word, p, len);
        word[len] = '\0';
        p += len;
        if ((r = permit_list_add(&c->rperm, word, false)) != 0) {
            log_error("PermitRemoteOpen: bad entry \"%s\"", word);
            c->said = true;
            return r;
        }
    }
    return 0;
}

int
client_start(struct client *c)
{
    int r;

    client_load_keys(c->cfg, &c->keys);
    client_sessfwd_prepare(&c->sessfwd, c->cfg, c->t->has_session);
    if ((r = client_permit_remote_open(c)) != 0) {
        return r;
    }
    return client_hops_init(c);
}

/* A new attempt: everything the last one left behind is reset. */
int
client_attempt(struct client *c)
{
    size_t i;

    c->stopping = c->is_down = c->said = c->permanent = false;
    c->stdio_open = c->stdio_ok = false;
    c->exit_code = 0;
    c->ic = NULL;
    client_sessfwd_reset(&c->sessfwd);
    for (i = 0; i < c->n_hops; i++) {
        c->hops[i].authenticated = false;
    }
    client_set_state(c, CLIENT_CONNECTING, NULL);
    return client_hops_start(c);
}

void
client_free(struct client *c)
{
    if (c != NULL) {
        client_term_stop(c);
        client_term_farewell(c);
        client_shell_join(c);
        client_rtfwd_drop(c);
        fwd_remote_free(c->rfwd);
        permit_list_cleanup(&c->rperm);
        client_sessfwd_cleanup(&c->sessfwd);
        client_hops_cleanup(c);
        client_free_keys(&c->keys);
        free(c);
    }
}
