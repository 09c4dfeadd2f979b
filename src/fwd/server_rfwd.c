/* SPDX-License-Identifier: ISC */
/*
 * aditd's reverse forwards: tcpip-forward listeners (GatewayPorts as sshd
 * reads it), named endpoints that bind nothing, forwarded-tcpip channels
 * back to the owner for each connection, and takeover by the same key.
 * Unix socket listeners: server_rfwd_unix.c; joins: server_rfwd_join.c.
 */
#include "fwd/server_rfwd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/rand.h"
#include "io/io_chan.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"

void
rfwd_lower(const char *s, char *out, size_t cap)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i + 1 < cap; i++) {
        out[i] = (char)tolower((unsigned char)s[i]);
    }
    out[i] = '\0';
}

struct rfwd *
rfwd_find_kind(struct server *srv, const char *key, uint32_t port, bool is_unix)
{
    struct rfwd *r = rfwd_tab_find(&srv->rfwds, key, port, is_unix);

    return r != NULL && r->owner != NULL ? r : NULL;
}

struct rfwd *
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

/* Off its owner's list (it stays in the table). */
static void
rfwd_unown(struct rfwd *r)
{
    struct server_conn *sc = r->owner;

    if (r->oprev != NULL) {
        r->oprev->onext = r->onext;
    } else {
        sc->rfwds = r->onext;
    }
    if (r->onext != NULL) {
        r->onext->oprev = r->oprev;
    }
    r->oprev = r->onext = NULL;
    sc->n_rfwds--;
    r->owner = NULL;
}

/* On sc's list (at the head: the newest first, as the status lists). */
static void
rfwd_own(struct server_conn *sc, struct rfwd *r)
{
    r->owner = sc;
    r->oprev = NULL;
    r->onext = sc->rfwds;
    if (sc->rfwds != NULL) {
        sc->rfwds->oprev = r;
    }
    sc->rfwds = r;
    sc->n_rfwds++;
}

void
rfwd_remove(struct rfwd *r)
{
    size_t i, n = r->n_socks;

    if (r->is_linked) {
        rfwd_tab_del(&r->srv->rfwds, r);
        rfwd_unown(r);
        r->is_linked = false;
    }
    r->owner = NULL;
    if (r->is_unix && n > 0) {
        unlink(r->host); /* the socket file we bound */
    }
    if (n == 0) {
        free(r);
        return;
    }
    for (i = 0; i < n; i++) {
        io_listener_close(r->socks[i], rfwd_sock_closed);
    }
}

/* ---- connections on a listener -> forwarded-tcpip to the owner ---- */

static void
rfwd_on_connection(struct io_listener *l, uv_stream_t *client)
{
    struct rfwd *r = l->h.handle.data;
    struct chan_open_info info;
    char orig[64] = "";
    uint16_t orig_port = 0;
    uv_tcp_t *t = (uv_tcp_t *)client;

    if (r->owner == NULL) {
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
    server_count_open(r->srv, info.type, false);
    if (io_chan_open_tagged(r->owner->ic, (uv_stream_t *)t, &info, r->tag, NULL,
                            NULL, NULL) != 0) {
        server_count_open(r->srv, info.type, true);
    }
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
    struct io_listener *l;
    int rc;

    if (uv_ip4_addr(ip, *port, (struct sockaddr_in *)&ss) != 0) {
        if (uv_ip6_addr(ip, *port, (struct sockaddr_in6 *)&ss) != 0) {
            return UV_EINVAL;
        }
        flags = UV_TCP_IPV6ONLY;
    }
    if ((l = io_listener_new(r->srv->loop, false)) == NULL) {
        return UV_ENOMEM;
    }
    l->h.handle.data = r; /* rfwd_sock_closed's */
    if ((rc = uv_tcp_bind(&l->h.tcp, (struct sockaddr *)&ss, flags)) != 0 ||
        (rc = io_listen_start(l, RFWD_BACKLOG, rfwd_on_connection)) != 0) {
        io_listener_close(l, NULL);
        return rc;
    }
    r->socks[r->n_socks++] = l;
    io_sock_str(&l->h.tcp, addr, sizeof(addr), port);
    log_verbose("listening on %s port %u for %s port %u", addr, (unsigned)*port,
                r->owner->addr, (unsigned)r->owner->port);
    return 0;
}

/*
 * A forward of port 0: aditd picks the port, uniformly at random from the
 * kernel's ephemeral range, and binds that one, trying another when it is
 * taken. bind(2) of port 0 makes the kernel search that range for a port
 * no socket uses, checking every used one it meets for conflicts: with
 * thousands of listeners and connections on the host that was 0.5 to 8 ms
 * of kernel time per forward (perf: 74% of aditd's CPU while 10,000 -R
 * clients logged in, in inet_csk_get_port), where a chosen port costs one
 * lookup. After RFWD_PICK_TRIES taken ports the kernel chooses after all.
 */
#define RFWD_PICK_TRIES 32u
#define RFWD_PORT_LO 32768u
#define RFWD_PORT_HI 60999u

void
rfwd_port_range(struct server *srv)
{
    FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
    unsigned lo = 0, hi = 0;

    if (f == NULL || fscanf(f, "%u %u", &lo, &hi) != 2 || lo < 1024 ||
        hi > 65535 || lo > hi) {
        lo = RFWD_PORT_LO;
        hi = RFWD_PORT_HI;
    }
    if (f != NULL) {
        fclose(f);
    }
    srv->port_lo = (uint16_t)lo;
    srv->port_hi = (uint16_t)hi;
}

/* Listen on ip at a port picked as above; *port becomes the bound one. */
static int
rfwd_listen_pick(struct rfwd *r, const char *ip, uint16_t *port)
{
    uint32_t span = (uint32_t)r->srv->port_hi - r->srv->port_lo + 1u;
    uint16_t p;
    unsigned i;
    int rc;

    for (i = 0; i < RFWD_PICK_TRIES; i++) {
        p = (uint16_t)(r->srv->port_lo + rand_uniform(span));
        if ((rc = rfwd_listen_one(r, ip, &p)) != UV_EADDRINUSE) {
            *port = rc == 0 ? p : 0;
            return rc;
        }
    }
    *port = 0;
    return rfwd_listen_one(r, ip, port);
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
        /* The second address gets the port the first was given. */
        rc = port == 0 ? rfwd_listen_pick(r, addrs[i], &port)
                       : rfwd_listen_one(r, addrs[i], &port);
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
bool
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
    if (strcmp(r->who, sc->rights.owner) != 0) {
        snprintf(why, why_len, "%s port %u is held by another key", host,
                 (unsigned)r->port);
        return false;
    }
    log_info("%s port %u taken over by %s port %u from %s port %u "
             "(same %s)",
             host, (unsigned)r->port, sc->addr, (unsigned)sc->port, old->addr,
             (unsigned)old->port, sc->rights.owner_desc);
    /* A renewed certificate: the log names the one now in use. */
    snprintf(r->who_desc, sizeof(r->who_desc), "%s", sc->rights.owner_desc);
    io_conn_close_tagged(old->ic, r->tag);
    io_conn_flush(old->ic);
    sc->srv->stats.takeovers++;
    rfwd_unown(r);
    rfwd_own(sc, r);
    r->tag = ++sc->srv->next_tag;
    snprintf(r->host, sizeof(r->host), "%s", host);
    return true;
}

struct rfwd *
rfwd_new(struct server_conn *sc, const struct tcpip_forward *m)
{
    struct rfwd *r = calloc(1, sizeof(*r));

    if (r == NULL) {
        return NULL;
    }
    r->srv = sc->srv;
    r->owner = sc;
    snprintf(r->who, sizeof(r->who), "%s", sc->rights.owner);
    snprintf(r->who_desc, sizeof(r->who_desc), "%s", sc->rights.owner_desc);
    rfwd_lower(m->host, r->key, sizeof(r->key));
    snprintf(r->host, sizeof(r->host), "%s", m->host);
    r->port = m->port;
    r->is_name = server_listen_is_name(m->host);
    r->tag = ++sc->srv->next_tag;
    return r;
}

/* A forward that was never linked: close what it bound, free it. */
void
rfwd_discard(struct rfwd *r)
{
    r->owner = NULL;
    rfwd_remove(r);
}

int
rfwd_link(struct server_conn *sc, struct rfwd *r)
{
    int rc;

    if ((rc = rfwd_tab_add(&sc->srv->rfwds, r)) != 0) {
        return rc;
    }
    rfwd_own(sc, r);
    r->is_linked = true;
    return 0;
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
    if (!r->is_name &&
        rfwd_bind(r, sc->cfg->fwd.gateway_ports, m->host, why, why_len) != 0) {
        rfwd_discard(r);
        return false;
    }
    if ((m->port == 0 && buf_put_u32(reply, r->port) != 0) ||
        rfwd_link(sc, r) != 0) {
        snprintf(why, why_len, "out of memory");
        rfwd_discard(r);
        return false;
    }
    log_info("%s %s port %u for %s port %u (%s)",
             r->is_name ? "Named endpoint" : "Remote forward", r->host,
             (unsigned)r->port, sc->addr, (unsigned)sc->port, r->who_desc);
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

void
server_rfwd_drop_conn(struct server_conn *sc)
{
    struct rfwd *r;

    while ((r = sc->rfwds) != NULL) {
        log_verbose("dropping forward of %s port %u", r->host,
                    (unsigned)r->port);
        rfwd_remove(r);
    }
}

void
server_rfwd_shutdown(struct server *srv)
{
    struct rfwd *r, *next;

    for (r = rfwd_tab_first(&srv->rfwds); r != NULL; r = next) {
        next = rfwd_tab_next(&srv->rfwds, r);
        rfwd_remove(r);
    }
}
