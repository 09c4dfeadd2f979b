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
/* Reconnect mode's shortest login deadline, in seconds. */
#define CLIENT_LOGIN_MIN_S 10

/* ---- building the chain ---- */

static int
client_hop_set(struct client_hop *hop, const char *host, const char *user,
               uint16_t port)
{
    hop->host = str_ndup(host, strlen(host));
    hop->user = str_ndup(user, strlen(user));
    hop->port = port;
    if (hop->host == NULL || hop->user == NULL) {
        return ERR_NOMEM;
    }
    return client_kh_init(&hop->kh, hop->cfg);
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
    if ((hop->alias = str_ndup(h->host, strlen(h->host))) == NULL) {
        return ERR_NOMEM;
    }
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
    const char *spec;
    struct jumpspec j;
    size_t i;
    int r = 0;

    uv_timer_init(c->loop, &c->retry);
    c->retry.data = c;
    c->timers_open = true;
    memset(&j, 0, sizeof(j));
    spec = c->t->jump_spec != NULL ? c->t->jump_spec : cfg->proxy_jump;
    if (spec != NULL && (r = jumpspec_parse(spec, &j)) != 0) {
        return r;
    }
    c->n_hops = j.n + 1;
    for (i = 0; i < c->n_hops; i++) {
        c->hops[i].c = c;
        c->hops[i].idx = i;
        /* One timer per hop for the life of the destination: attempts
         * only start and stop it. */
        uv_timer_init(c->loop, &c->hops[i].banner);
        c->hops[i].banner.data = &c->hops[i];
        c->hops[i].has_timer = true;
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
        free(c->hops[i].alias);
        client_kh_cleanup(&c->hops[i].kh);
        client_ids_cleanup(&c->hops[i].ids);
        buf_cleanup(&c->hops[i].pass_data);
        buf_cleanup(&c->hops[i].last_key);
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

/*
 * ServerAliveInterval 0 (ssh's default) never probes; CountMax 3. Each
 * hop probes its own server. Reconnect mode probes by default (5 s x 3)
 * and the connection is dead once Interval x CountMax have passed since
 * the last byte heard (conn/alive.h), to the millisecond, so a frozen
 * server is noticed within the product the user wrote. Otherwise adit
 * counts as ssh's clientloop.c does, a drop-in replacement: one probe
 * more, the end at Interval x (CountMax + 1) (a count of 0: after one
 * silent interval, unprobed).
 */
static void
client_alive_config(const struct client_hop *hop, struct session_config *s)
{
    int interval = client_config_alive_interval(hop->cfg);
    int count = client_config_alive_count(hop->cfg);

    if (interval > 0) {
        s->alive_interval_ms = (uint64_t)interval * 1000u;
    }
    s->alive_count_max = (unsigned)count;
    if (!hop->c->sup->reconnect && count > 0) {
        s->alive_count_max = (unsigned)count + 1u;
    }
}

/* Reconnect mode: how long a connection may take from the TCP connect to
 * authentication (a frozen server accepts connections in its kernel and
 * then says nothing): ConnectTimeout, else the dead-server time. */
uint64_t
client_login_deadline_ms(const struct client_hop *hop)
{
    const struct client_config *cfg = hop->cfg;
    int t = client_config_alive_interval(cfg) * client_config_alive_count(cfg);

    if (cfg->connect_timeout > 0) {
        return (uint64_t)cfg->connect_timeout * 1000u;
    }
    if (!hop->c->sup->reconnect) {
        return 0;
    }
    return (uint64_t)(t > CLIENT_LOGIN_MIN_S ? t : CLIENT_LOGIN_MIN_S) * 1000u;
}

/* A host key refused is a permanent failure: retrying cannot fix it. */
static int
client_hop_verify(void *ctx, const struct sshkey *key)
{
    struct client_hop *hop = ctx;
    int r = client_verify_hostkey(ctx, key);

    if (r != 0) {
        hop->c->permanent = true;
        snprintf(hop->c->last_error, sizeof(hop->c->last_error),
                 "host key verification failed for %s", hop->host);
    }
    return r;
}

unsigned
client_hop_prompts(const struct client_hop *hop)
{
    int n = hop->cfg->password_prompts;

    return n < 0 ? 3u : (unsigned)n;
}

/*
 * Password and keyboard-interactive as ssh: on unless turned off, never in
 * BatchMode; NumberOfPasswordPrompts (default 3) requests of each; the
 * prompts name the server as HostKeyAlias or the host.
 */
static void
client_auth_methods(const struct client_hop *hop,
                    struct userauth_client_config *a)
{
    const struct client_config *cfg = hop->cfg;
    bool batch = cfg->batch_mode == 1;

    a->preferred = cfg->preferred_auths;
    a->pubkey_algs = cfg->pubkey_accepted_algs;
    a->password = cfg->password_auth != 0 && !batch;
    a->kbdint = cfg->kbd_interactive_auth != 0 && !batch;
    a->host = cfg->host_key_alias != NULL ? cfg->host_key_alias : hop->host;
    a->max_prompts = client_hop_prompts(hop);
    a->ask = client_hop_ask;
    a->ask_ctx = (void *)hop;
}

static void
client_session_config(struct client_hop *hop, struct session_config *s,
                      char *hostkey_algs, size_t hostkey_algs_len)
{
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
        client_hostkey_algs(hop, hostkey_algs, hostkey_algs_len);
    }
    if (hostkey_algs[0] != '\0') {
        s->transport.hostkey_algs = hostkey_algs;
    }
    s->transport.verify_hostkey = client_hop_verify;
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
    client_alive_config(hop, s);
    s->client_auth.user = hop->user;
    s->client_auth.keys = hop->ids.offer;
    s->client_auth.n_keys = hop->ids.n;
    s->client_auth.sign = client_hop_agent_sign;
    s->client_auth.load = client_hop_pass_load;
    s->client_auth.sign_ctx = hop;
    if (buf_len(&hop->last_key) > 0) {
        s->client_auth.last_blob = buf_ptr(&hop->last_key);
        s->client_auth.last_blob_len = buf_len(&hop->last_key);
        s->client_auth.last_alg = hop->last_alg;
    }
    client_auth_methods(hop, &s->client_auth);
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
        if (log_get_level() >= LOG_INFO) {
            log_plain("Timeout, server %s not responding.\r\n", hop->host);
        }
    } else if (hop->authenticated &&
               strncmp(why, "Connection closed", 17) == 0) {
        /* After login, ssh's client loop says it (clientloop.c), on the
         * terminal whatever the level. */
        log_screen("Connection to %s closed by remote host.\r\n", hop->host);
    } else if (hop->authenticated &&
               strncmp(why, "Connection reset", 16) == 0) {
        log_screen("Read from remote host %s: Connection reset by peer\r\n",
                   hop->host);
    } else if (strncmp(why, "Connection closed", 17) == 0 ||
               strncmp(why, "Connection reset", 16) == 0) {
        log_plain("%s\r\n", why);
    } else if (c->exit_code == 0) {
        log_error("%s", why);
    }
    c->said = true;
}

/*
 * The first reason an attempt ended is its last error (for status and the
 * reconnect line); authentication refused and no common algorithm are
 * permanent, as a refused host key (client_hop_verify).
 */
static void
client_hop_failed(struct client_hop *hop, const char *why)
{
    struct client *c = hop->c;

    if (c->stopping) {
        return;
    }
    if (strncmp(why, "Permission denied", 17) == 0) {
        c->auth_failures++;
        buf_reset(&hop->last_key); /* not offered early again */
    }
    if (strncmp(why, "Permission denied", 17) == 0 ||
        strncmp(why, "no matching ", 12) == 0) {
        c->permanent = true;
    }
    if (!c->permanent || c->last_error[0] == '\0') {
        snprintf(c->last_error, sizeof(c->last_error), "%s", why);
    }
}

static void
client_hop_closed(void *ctx, struct io_conn *ic, const char *why)
{
    struct client_hop *hop = ctx;
    struct client *c = hop->c;

    if (client_hop_is_target(hop)) {
        client_count_totals(c, ic);
        c->ic = NULL;
    }
    hop->ic = NULL;
    client_hop_agent_stop(hop);
    client_hop_ask_stop(hop);
    client_hop_failed(hop, why);
    client_hop_say(hop, io_conn_peer_name(ic), why);
    /* Only a -W channel that ran to its end makes the end a success; the
     * hops it ran through are then closed by us. */
    if (!c->stdio_ok) {
        c->exit_code = CLIENT_EXIT_FAIL;
    }
    client_stop(c);
}

/* Reconnect mode: the deadline covers the whole login, not just the
 * version line, so a server that froze mid-handshake is left. */
static void
client_login_timeout(struct client_hop *hop)
{
    struct client *c = hop->c;

    if (hop->authenticated) {
        return;
    }
    if (!c->said) {
        log_error("Connection to %s timed out during login", hop->host);
        c->said = true;
    }
    snprintf(c->last_error, sizeof(c->last_error),
             "connection to %s timed out during login", hop->host);
    io_conn_close(hop->ic, "Connection timed out during login");
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
    if (c->sup->reconnect) {
        client_login_timeout(hop);
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

/* Remember the key the server took, for the next login (a reconnect);
 * forget it after a login by another method. */
static void
client_hop_remember_key(struct client_hop *hop, struct io_conn *ic)
{
    const uint8_t *blob;
    const char *alg;
    size_t n;

    buf_reset(&hop->last_key);
    if (session_auth_accepted(io_conn_session(ic), &blob, &n, &alg) &&
        strlen(alg) < sizeof(hop->last_alg) &&
        buf_put(&hop->last_key, blob, n) == 0) {
        memcpy(hop->last_alg, alg, strlen(alg) + 1);
    } else {
        buf_reset(&hop->last_key);
    }
}

static void
client_hop_authenticated(void *ctx, struct io_conn *ic)
{
    struct client_hop *hop = ctx;
    struct client *c = hop->c;
    int r;

    hop->authenticated = true;
    client_hop_remember_key(hop, ic);
    client_hop_ask_stop(hop);
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

/* Run hop's SSH session over st (taken over), once the agent (if any)
 * told its keys. */
void
client_hop_start(struct client_hop *hop, uv_stream_t *st, const char *peer)
{
    client_hop_agent_list(hop, st, peer);
}

void
client_hop_run(struct client_hop *hop, uv_stream_t *st, const char *peer)
{
    struct client *c = hop->c;
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
    if (client_login_deadline_ms(hop) > 0) {
        uv_timer_start(&hop->banner, client_banner_timeout,
                       client_login_deadline_ms(hop), 0);
    }
}
