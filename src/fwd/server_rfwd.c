/* SPDX-License-Identifier: ISC */
/*
 * aditd's reverse forwards: tcpip-forward listeners (GatewayPorts as sshd
 * reads it), named endpoints that bind nothing, forwarded-tcpip channels
 * back to the owner for each connection, and takeover by the same key.
 */
#include "fwd/server_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn/fwd_req.h"
#include "io/io_chan.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

#define RFWD_BACKLOG 128

/*
 * One reverse forward. It belongs to the key that made it (fp) and is
 * served by one connection (owner); the channels opened for it on the
 * owner's connection carry tag, so a takeover can close exactly those.
 */
struct rfwd {
    struct rfwd *next;
    struct server *srv;
    struct server_conn *owner; /* NULL once dropped */
    char fp[SSHKEY_FP_LEN];
    char key[LIM_HOSTNAME + 1];  /* listen host lowercased: lookups */
    char host[LIM_HOSTNAME + 1]; /* as the owner wrote it: forwarded-tcpip */
    uint32_t port;               /* the bound port, or the name's port */
    bool is_name;
    uint64_t tag;
    bool is_unix; /* streamlocal-forward: host is the socket path */
    uv_stream_t *socks[2];
    size_t n_socks; /* handles not yet closed */
};

static void
rfwd_lower(const char *s, char *out, size_t cap)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i + 1 < cap; i++) {
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[i] = '\0';
}

/* A listen host that is a name and not an address: a named endpoint. The
 * wildcards ("", "*") and "localhost" keep their sshd meaning. */
static bool
rfwd_is_name(const char *host)
{
    unsigned char a[sizeof(struct in6_addr)];

    return host[0] != '\0' && strcmp(host, "*") != 0 &&
           strcasecmp(host, "localhost") != 0 &&
           inet_pton(AF_INET, host, a) != 1 &&
           inet_pton(AF_INET6, host, a) != 1;
}

static struct rfwd *
rfwd_find_kind(struct server *srv, const char *key, uint32_t port, bool is_unix)
{
    struct rfwd *r;

    for (r = srv->rfwds; r != NULL; r = r->next) {
        if (r->owner != NULL && r->is_unix == is_unix && r->port == port &&
            strcmp(r->key, key) == 0) {
            return r;
        }
    }
    return NULL;
}

static struct rfwd *
rfwd_find(struct server *srv, const char *key, uint32_t port)
{
    return rfwd_find_kind(srv, key, port, false);
}

static void
rfwd_sock_closed(uv_handle_t *h)
{
    struct rfwd *r = h->data;

    free(h);
    if (--r->n_socks == 0 && r->owner == NULL) {
        free(r);
    }
}

/* Unlink r, close its sockets; freed when the last one has closed. */
static void
rfwd_remove(struct rfwd *r)
{
    struct rfwd **pp;
    size_t i, n = r->n_socks;

    for (pp = &r->srv->rfwds; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    }
    if (r->owner != NULL) {
        r->owner->n_rfwds--;
        r->owner = NULL;
    }
    if (r->is_unix && n > 0) {
        unlink(r->host); /* the socket file we bound */
    }
    if (n == 0) {
        free(r);
        return;
    }
    for (i = 0; i < n; i++) {
        uv_close((uv_handle_t *)r->socks[i], rfwd_sock_closed);
    }
}

/* ---- connections on a listener -> forwarded-tcpip to the owner ---- */

static void
rfwd_on_connection(uv_stream_t *l, int status)
{
    struct rfwd *r = l->data;
    struct chan_open_info info;
    char orig[64] = "";
    uint16_t orig_port = 0;
    uv_tcp_t *t;

    if (status != 0 || r->owner == NULL || (t = malloc(sizeof(*t))) == NULL) {
        return;
    }
    uv_tcp_init(l->loop, t);
    if (uv_accept(l, (uv_stream_t *)t) != 0) {
        io_close_free((uv_handle_t *)t);
        return;
    }
    io_peer_str(t, orig, sizeof(orig), &orig_port);
    memset(&info, 0, sizeof(info));
    info.type = "forwarded-tcpip";
    info.host = r->host;
    info.port = r->port;
    info.orig_host = orig;
    info.orig_port = orig_port;
    log_debug("connection from %s port %u to %s port %u: forwarded to %s "
              "port %u",
              orig, (unsigned)orig_port, r->host, (unsigned)r->port,
              r->owner->addr, (unsigned)r->owner->port);
    /* On error the socket has been closed: the client sees a reset. */
    (void)io_chan_open_tagged(r->owner->ic, (uv_stream_t *)t, &info, r->tag,
                              NULL, NULL, NULL);
}

/* ---- binding (GatewayPorts, PROTOCOLS.md 2.4) ---- */

/* The addresses to bind for a listen host; the second one (the other
 * family of a loopback or wildcard pair) may fail. */
static size_t
rfwd_bind_addrs(int gateway, const char *host, const char *out[2])
{
    bool wildcard = false;

    if (gateway == GATEWAY_YES) {
        wildcard = true;
    } else if (gateway == GATEWAY_CLIENTSPECIFIED) {
        if (host[0] == '\0' || strcmp(host, "*") == 0) {
            wildcard = true;
        } else if (strcasecmp(host, "localhost") != 0) {
            out[0] = host;
            return 1;
        }
    } else if (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "::1") == 0) {
        out[0] = host;
        return 1;
    }
    out[0] = wildcard ? "0.0.0.0" : "127.0.0.1";
    out[1] = wildcard ? "::" : "::1";
    return 2;
}

/* Listen on ip:port; *port becomes the bound port. A libuv status. */
static int
rfwd_listen_one(struct rfwd *r, const char *ip, uint16_t *port)
{
    struct sockaddr_storage ss;
    unsigned flags = 0;
    char addr[64];
    uv_tcp_t *t;
    int rc;

    if (uv_ip4_addr(ip, *port, (struct sockaddr_in *)&ss) != 0) {
        if (uv_ip6_addr(ip, *port, (struct sockaddr_in6 *)&ss) != 0) {
            return UV_EINVAL;
        }
        flags = UV_TCP_IPV6ONLY;
    }
    if ((t = malloc(sizeof(*t))) == NULL) {
        return UV_ENOMEM;
    }
    uv_tcp_init(r->srv->loop, t);
    t->data = r;
    if ((rc = uv_tcp_bind(t, (struct sockaddr *)&ss, flags)) != 0 ||
        (rc = uv_listen((uv_stream_t *)t, RFWD_BACKLOG, rfwd_on_connection)) !=
            0) {
        io_close_free((uv_handle_t *)t);
        return rc;
    }
    r->socks[r->n_socks++] = (uv_stream_t *)t;
    io_sock_str(t, addr, sizeof(addr), port);
    log_verbose("listening on %s port %u for %s port %u", addr, (unsigned)*port,
                r->owner->addr, (unsigned)r->owner->port);
    return 0;
}

static int
rfwd_bind(struct rfwd *r, int gateway, const char *host, char *why,
          size_t why_len)
{
    const char *addrs[2] = {NULL, NULL};
    size_t i, n = rfwd_bind_addrs(gateway, host, addrs);
    uint16_t port = (uint16_t)r->port;
    int rc;

    for (i = 0; i < n; i++) {
        rc = rfwd_listen_one(r, addrs[i], &port);
        if (rc != 0 && i == 0) {
            snprintf(why, why_len, "cannot listen on %s port %u: %s", addrs[i],
                     (unsigned)r->port, io_strerror(rc));
            return ERR_IO;
        }
        if (rc != 0) {
            log_debug("no second listener on %s port %u: %s", addrs[i],
                      (unsigned)port, io_strerror(rc));
        }
    }
    r->port = port;
    return 0;
}

/* ---- tcpip-forward, cancel-tcpip-forward ---- */

/*
 * The same listen address again. The same session: refused, as sshd
 * refuses a second bind. Another session of the same key: it takes the
 * forward over (the stale session's channels on it are closed, the socket
 * stays bound, so nothing else can grab the port meanwhile). Another key:
 * refused.
 */
static bool
rfwd_takeover(struct server_conn *sc, struct rfwd *r, const char *host,
              char *why, size_t why_len)
{
    struct server_conn *old = r->owner;

    if (old == sc) {
        snprintf(why, why_len,
                 "%s port %u is already forwarded by this "
                 "session",
                 host, (unsigned)r->port);
        return false;
    }
    if (strcmp(r->fp, sc->rights.fp) != 0) {
        snprintf(why, why_len, "%s port %u is held by another key", host,
                 (unsigned)r->port);
        return false;
    }
    log_info("%s port %u taken over by %s port %u from %s port %u "
             "(same key %s)",
             host, (unsigned)r->port, sc->addr, (unsigned)sc->port, old->addr,
             (unsigned)old->port, r->fp);
    io_conn_close_tagged(old->ic, r->tag);
    io_conn_flush(old->ic);
    old->n_rfwds--;
    sc->n_rfwds++;
    r->owner = sc;
    r->tag = ++sc->srv->next_tag;
    snprintf(r->host, sizeof(r->host), "%s", host);
    return true;
}

static struct rfwd *
rfwd_new(struct server_conn *sc, const struct tcpip_forward *m)
{
    struct rfwd *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    r->srv = sc->srv;
    r->owner = sc;
    snprintf(r->fp, sizeof(r->fp), "%s", sc->rights.fp);
    rfwd_lower(m->host, r->key, sizeof(r->key));
    snprintf(r->host, sizeof(r->host), "%s", m->host);
    r->port = m->port;
    r->is_name = rfwd_is_name(m->host);
    r->tag = ++sc->srv->next_tag;
    return r;
}

/* A forward that was never linked: close what it bound, free it. */
static void
rfwd_discard(struct rfwd *r)
{
    r->owner = NULL;
    rfwd_remove(r);
}

static void
rfwd_link(struct server_conn *sc, struct rfwd *r)
{
    r->next = sc->srv->rfwds;
    sc->srv->rfwds = r;
    sc->n_rfwds++;
}

/* A new forward: bound (or registered, for a name) and linked. */
static bool
rfwd_create(struct server_conn *sc, const struct tcpip_forward *m,
            struct buf *reply, char *why, size_t why_len)
{
    struct rfwd *r;

    if ((r = rfwd_new(sc, m)) == NULL) {
        snprintf(why, why_len, "out of memory");
        return false;
    }
    if (r->is_name && m->port == 0) {
        snprintf(why, why_len, "a named endpoint needs a port");
        free(r);
        return false;
    }
    if (!r->is_name && rfwd_bind(r, sc->srv->cfg->fwd.gateway_ports, m->host,
                                 why, why_len) != 0) {
        rfwd_discard(r);
        return false;
    }
    if (m->port == 0 && buf_put_u32(reply, r->port) != 0) {
        snprintf(why, why_len, "out of memory");
        rfwd_discard(r);
        return false;
    }
    rfwd_link(sc, r);
    log_info("%s %s port %u for %s port %u (key %s)",
             r->is_name ? "Named endpoint" : "Remote forward", r->host,
             (unsigned)r->port, sc->addr, (unsigned)sc->port, r->fp);
    return true;
}

bool
server_rfwd_request(struct server_conn *sc, bool want_reply, const uint8_t *p,
                    size_t n, struct buf *reply)
{
    char why[SERVER_REASON_LEN], key[LIM_HOSTNAME + 1], what[300];
    struct tcpip_forward m;
    struct rfwd *r;
    struct rd rd;
    bool ok = false;

    rd_init(&rd, p, n);
    if (tcpip_forward_decode(&rd, &m) != 0) {
        server_refused(sc, "tcpip-forward", "malformed request");
        return false;
    }
    snprintf(what, sizeof(what), "tcpip-forward of %s port %u", m.host,
             (unsigned)m.port);
    rfwd_lower(m.host, key, sizeof(key));
    if (!server_may_listen(sc, m.host, m.port, want_reply, why, sizeof(why))) {
        goto out;
    }
    r = m.port != 0 ? rfwd_find(sc->srv, key, m.port) : NULL;
    if (r == NULL || r->owner != sc) {
        if (sc->n_rfwds >= LIM_RFWDS) {
            snprintf(why, sizeof(why), "too many forwards on this session");
            goto out;
        }
    }
    ok = r != NULL ? rfwd_takeover(sc, r, m.host, why, sizeof(why))
                   : rfwd_create(sc, &m, reply, why, sizeof(why));
out:
    if (!ok) {
        server_refused(sc, what, why);
    }
    tcpip_forward_cleanup(&m);
    return ok;
}

bool
server_rfwd_cancel(struct server_conn *sc, const uint8_t *p, size_t n)
{
    char key[LIM_HOSTNAME + 1];
    struct tcpip_forward m;
    struct rfwd *r;
    struct rd rd;

    rd_init(&rd, p, n);
    if (tcpip_forward_decode(&rd, &m) != 0) {
        return false;
    }
    rfwd_lower(m.host, key, sizeof(key));
    r = rfwd_find(sc->srv, key, m.port);
    if (r != NULL && r->owner == sc) {
        log_verbose("cancelled forward of %s port %u for %s port %u", r->host,
                    (unsigned)r->port, sc->addr, (unsigned)sc->port);
        rfwd_remove(r);
        tcpip_forward_cleanup(&m);
        return true;
    }
    tcpip_forward_cleanup(&m);
    return false;
}

/* ---- streamlocal-forward@openssh.com: Unix socket listeners ---- */

static void
rfwd_on_unix_connection(uv_stream_t *l, int status)
{
    struct rfwd *r = l->data;
    struct chan_open_info info;
    uv_pipe_t *p;

    if (status != 0 || r->owner == NULL || (p = malloc(sizeof(*p))) == NULL) {
        return;
    }
    uv_pipe_init(l->loop, p, 0);
    if (uv_accept(l, (uv_stream_t *)p) != 0) {
        io_close_free((uv_handle_t *)p);
        return;
    }
    memset(&info, 0, sizeof(info));
    info.type = CONN_FORWARDED_STREAMLOCAL;
    info.path = r->host;
    log_debug("connection on %s: forwarded to %s port %u", r->host,
              r->owner->addr, (unsigned)r->owner->port);
    (void)io_chan_open_tagged(r->owner->ic, (uv_stream_t *)p, &info, r->tag,
                              NULL, NULL, NULL);
}

/* Bind and listen on r->host; an existing file is not replaced (sshd's
 * StreamLocalBindUnlink no). */
static int
rfwd_listen_unix(struct rfwd *r, char *why, size_t why_len)
{
    uv_pipe_t *p;
    int rc;

    if ((p = malloc(sizeof(*p))) == NULL) {
        snprintf(why, why_len, "out of memory");
        return ERR_NOMEM;
    }
    uv_pipe_init(r->srv->loop, p, 0);
    p->data = r;
    if ((rc = uv_pipe_bind(p, r->host)) == 0 &&
        (rc = uv_listen((uv_stream_t *)p, RFWD_BACKLOG,
                        rfwd_on_unix_connection)) != 0) {
        unlink(r->host); /* bound, so the file is ours */
    }
    if (rc != 0) {
        snprintf(why, why_len, "cannot listen on %.*s: %s", (int)LIM_UNIX_PATH,
                 r->host, io_strerror(rc));
        io_close_free((uv_handle_t *)p);
        return ERR_IO;
    }
    r->socks[r->n_socks++] = (uv_stream_t *)p;
    log_verbose("listening on %s for %s port %u", r->host, r->owner->addr,
                (unsigned)r->owner->port);
    return 0;
}

bool
server_rfwd_unix_request(struct server_conn *sc, const char *path)
{
    char why[SERVER_REASON_LEN], what[LIM_STRING_SMALL + 64];
    struct tcpip_forward m;
    struct rfwd *r;
    bool ok = false;

    snprintf(what, sizeof(what), "streamlocal-forward of %s", path);
    if (!server_may_streamlocal(sc, true, why, sizeof(why))) {
        goto out;
    }
    if (path[0] == '\0' || strlen(path) > LIM_UNIX_PATH) {
        snprintf(why, sizeof(why), "bad socket path");
        goto out;
    }
    if ((r = rfwd_find_kind(sc->srv, path, 0, true)) != NULL) {
        ok = rfwd_takeover(sc, r, path, why, sizeof(why));
        goto out;
    }
    if (sc->n_rfwds >= LIM_RFWDS) {
        snprintf(why, sizeof(why), "too many forwards on this session");
        goto out;
    }
    m.host = (char *)path;
    m.port = 0;
    if ((r = rfwd_new(sc, &m)) == NULL) {
        snprintf(why, sizeof(why), "out of memory");
        goto out;
    }
    r->is_unix = true;
    r->is_name = false;
    snprintf(r->key, sizeof(r->key), "%s", path); /* paths keep case */
    if (rfwd_listen_unix(r, why, sizeof(why)) != 0) {
        rfwd_discard(r);
        goto out;
    }
    rfwd_link(sc, r);
    log_info("Remote forward %s for %s port %u (key %s)", path, sc->addr,
             (unsigned)sc->port, r->fp);
    ok = true;
out:
    if (!ok) {
        server_refused(sc, what, why);
    }
    return ok;
}

bool
server_rfwd_unix_cancel(struct server_conn *sc, const char *path)
{
    struct rfwd *r = rfwd_find_kind(sc->srv, path, 0, true);

    if (r == NULL || r->owner != sc) {
        return false;
    }
    log_verbose("cancelled forward of %s for %s port %u", path, sc->addr,
                (unsigned)sc->port);
    rfwd_remove(r);
    return true;
}

/* ---- named endpoints: direct-tcpip joined to the owner's tunnel ---- */

/*
 * A connected pair of Unix stream sockets as libuv pipes: two channels
 * joined through the kernel by the code that joins a channel to a socket,
 * with the kernel's buffers and the SSH windows as the only queues.
 */
static int
rfwd_socketpair(uv_loop_t *loop, uv_pipe_t *ends[2])
{
    bool owns0 = false;
    int sv[2];

    ends[0] = ends[1] = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        return ERR_IO;
    }
    if ((ends[0] = malloc(sizeof(*ends[0]))) == NULL ||
        (ends[1] = malloc(sizeof(*ends[1]))) == NULL) {
        free(ends[0]);
        close(sv[0]);
        close(sv[1]);
        return ERR_NOMEM;
    }
    uv_pipe_init(loop, ends[0], 0);
    uv_pipe_init(loop, ends[1], 0);
    if (uv_pipe_open(ends[0], sv[0]) == 0) {
        owns0 = true;
        if (uv_pipe_open(ends[1], sv[1]) == 0) {
            return 0;
        }
    }
    if (!owns0) {
        close(sv[0]);
    }
    close(sv[1]);
    io_close_free((uv_handle_t *)ends[0]);
    io_close_free((uv_handle_t *)ends[1]);
    return ERR_IO;
}

/*
 * A direct-tcpip to a named endpoint waiting for the owner's answer to
 * the forwarded-tcpip opened for it: the peer's open is confirmed (and
 * joined to our end of the socketpair) only once the owner confirms, or
 * failed with the owner's words. The joining connection may end first
 * (sc is then NULL); the owner's channel may go without an answer (done).
 */
struct rfwd_join {
    struct rfwd_join *next;
    struct server *srv;
    struct server_conn *sc;
    uint32_t id;
    uv_pipe_t *mine; /* our end of the pair until answered */
};

static void
rfwd_join_answer(struct rfwd_join *j, uint32_t reason, const char *msg)
{
    uv_pipe_t *mine = j->mine;

    if (mine == NULL) {
        return; /* answered already */
    }
    j->mine = NULL;
    if (j->sc != NULL && io_conn_is_ending(j->sc->ic)) {
        j->sc = NULL; /* going: nothing to answer */
    }
    if (j->sc != NULL && reason == 0) {
        (void)io_chan_accept_stream(j->sc->ic, j->id, (uv_stream_t *)mine);
        return;
    }
    io_close_free((uv_handle_t *)mine);
    if (j->sc != NULL) {
        conn_open_fail(io_conn_conn(j->sc->ic), j->id, SSH_OPEN_CONNECT_FAILED,
                       msg);
        io_conn_flush(j->sc->ic);
    }
}

static void
rfwd_join_opened(void *ctx, struct io_chan *ch, uint32_t reason,
                 const char *msg)
{
    rfwd_join_answer(ctx, reason, msg);
}

static void
rfwd_join_done(void *ctx)
{
    struct rfwd_join *j = ctx, **pp;

    rfwd_join_answer(j, SSH_OPEN_CONNECT_FAILED,
                     "the named endpoint's tunnel closed");
    for (pp = &j->srv->joins; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == j) {
            *pp = j->next;
            break;
        }
    }
    free(j);
}

static void
rfwd_join_start(struct server_conn *sc, uint32_t id, struct rfwd *r,
                struct rfwd_join *j, uv_pipe_t *ends[2])
{
    struct chan_open_info fi;

    j->srv = sc->srv;
    j->sc = sc;
    j->id = id;
    j->mine = ends[0];
    memset(&fi, 0, sizeof(fi));
    fi.type = "forwarded-tcpip";
    fi.host = r->host;
    fi.port = r->port;
    fi.orig_host = sc->addr;
    fi.orig_port = sc->port;
    if (io_chan_open_tagged(r->owner->ic, (uv_stream_t *)ends[1], &fi, r->tag,
                            rfwd_join_opened, rfwd_join_done, j) != 0) {
        rfwd_join_answer(j, SSH_OPEN_CONNECT_FAILED,
                         "the named endpoint's tunnel is not usable");
        free(j);
        return;
    }
    io_conn_flush(r->owner->ic);
    j->next = sc->srv->joins;
    sc->srv->joins = j;
}

bool
server_rfwd_join(struct server_conn *sc, uint32_t id,
                 const struct chan_open_info *info)
{
    char key[LIM_HOSTNAME + 1];
    struct rfwd_join *j;
    uv_pipe_t *ends[2];
    struct rfwd *r;

    rfwd_lower(info->host, key, sizeof(key));
    if ((r = rfwd_find(sc->srv, key, info->port)) == NULL || !r->is_name) {
        return false;
    }
    if ((j = calloc(1, sizeof(*j))) == NULL ||
        rfwd_socketpair(sc->srv->loop, ends) != 0) {
        free(j);
        conn_open_fail(io_conn_conn(sc->ic), id, SSH_OPEN_RESOURCE_SHORTAGE,
                       "cannot join the named endpoint");
        return true;
    }
    log_info("direct-tcpip from %s port %u to %s port %u joined to the "
             "tunnel of %s port %u",
             sc->addr, (unsigned)sc->port, r->host, (unsigned)r->port,
             r->owner->addr, (unsigned)r->owner->port);
    rfwd_join_start(sc, id, r, j, ends);
    return true;
}

void
server_rfwd_forget_conn(struct server_conn *sc)
{
    struct rfwd_join *j;

    for (j = sc->srv->joins; j != NULL; j = j->next) {
        if (j->sc == sc) {
            j->sc = NULL;
        }
    }
}

void
server_rfwd_drop_conn(struct server_conn *sc)
{
    struct rfwd *r, *next;

    for (r = sc->srv->rfwds; r != NULL; r = next) {
        next = r->next;
        if (r->owner == sc) {
            log_verbose("dropping forward of %s port %u", r->host,
                        (unsigned)r->port);
            rfwd_remove(r);
        }
    }
}

void
server_rfwd_shutdown(struct server *srv)
{
    while (srv->rfwds != NULL) {
        rfwd_remove(srv->rfwds);
    }
}
