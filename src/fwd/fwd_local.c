/* SPDX-License-Identifier: ISC */
/* -L forwarding: local listeners feeding direct-tcpip channels. */
#include "fwd/fwd_local.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fwd/fwd_dynamic.h"
#include "io/io_chan.h"
#include "io/io_listen.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

/* Loopback or wildcard: two; a bind name: each of its addresses. */
#define FWD_LOCAL_MAX_LISTENERS LIM_BIND_IPS
#define FWD_LOCAL_BACKLOG 128

struct fwd_local {
    uv_loop_t *loop;
    const struct fwdspec *spec;
    struct fwd_pick pick;
    struct fwd_dynamic *dyn; /* -D: clients answer SOCKS first */
    struct io_listener *l[FWD_LOCAL_MAX_LISTENERS];
    size_t n;
    struct io_listener *unix_l; /* a listen_path forward's listener */
    unsigned open_handles;
    bool closing;
};

const char *
fwd_open_reason_str(uint32_t reason)
{
    switch (reason) {
    case SSH_OPEN_ADMINISTRATIVELY_PROHIBITED:
        return "administratively prohibited";
    case SSH_OPEN_CONNECT_FAILED:
        return "connect failed";
    case SSH_OPEN_UNKNOWN_CHANNEL_TYPE:
        return "unknown channel type";
    case SSH_OPEN_RESOURCE_SHORTAGE:
        return "resource shortage";
    default:
        return "unknown reason";
    }
}

static void
fwd_local_open_result(void *ctx, struct io_chan *ch, uint32_t reason,
                      const char *msg)
{
    (void)ctx;
    if (reason != 0) {
        log_plain("channel %u: open failed: %s: %s\r\n",
                  (unsigned)io_chan_id(ch), fwd_open_reason_str(reason),
                  msg != NULL ? msg : "");
    }
}

/*
 * Open the channel for an accepted connection (TCP or Unix): direct-tcpip,
 * or direct-streamlocal@openssh.com for a target socket path. sock is
 * taken over (closed on error by io_chan_open_streams).
 */
static void
fwd_local_open(struct fwd_local *fl, uv_stream_t *sock, const char *addr,
               uint16_t port)
{
    const struct fwdspec *s = fl->spec;
    struct io_conn *ic = fwd_pick_conn(&fl->pick);
    struct chan_open_info info;

    if (ic == NULL) {
        /* Reconnect mode between connections: turned away at once, so
         * the client's own retry logic can act. */
        log_debug("no connection up: client %s port %u turned away", addr,
                  (unsigned)port);
        io_close_free((uv_handle_t *)sock);
        return;
    }
    memset(&info, 0, sizeof(info));
    if (s->connect_path != NULL) {
        log_debug("Connection to %s forwarding to %s requested.",
                  s->listen_path != NULL ? s->listen_path : "port",
                  s->connect_path);
        info.type = CONN_DIRECT_STREAMLOCAL;
        info.path = s->connect_path;
    } else {
        log_debug("Connection to port %u forwarding to %s port %u requested.",
                  (unsigned)s->listen_port, s->host, (unsigned)s->host_port);
        info.type = "direct-tcpip";
        info.host = s->host;
        info.port = s->host_port;
        info.orig_host = addr;
        info.orig_port = port;
    }
    (void)io_chan_open_streams(ic, sock, NULL, &info, fwd_local_open_result,
                               NULL, fl);
}

static void
fwd_local_accept(struct io_listener *l, uv_stream_t *client)
{
    struct fwd_local *fl = l->data;
    char addr[64];
    uint16_t port = 0;
    uv_tcp_t *t = (uv_tcp_t *)client;

    if (fl->dyn != NULL) {
        uv_tcp_nodelay(t, 1); /* the SOCKS answers go out at once */
        fwd_dynamic_accept(fl->dyn, t);
        return;
    }
    /* -L: io_chan_open_streams sets TCP_NODELAY (one setsockopt, not two) */
    io_peer_str(t, addr, sizeof(addr), &port);
    fwd_local_open(fl, (uv_stream_t *)t, addr, port);
}

/* Bind one address; print ssh's message on failure. */
static int
fwd_local_bind(struct fwd_local *fl, const char *ip, uint16_t *port)
{
    struct sockaddr_storage ss;
    struct io_listener *t;
    unsigned flags = 0;
    int r;

    if (fl->n >= FWD_LOCAL_MAX_LISTENERS) {
        return ERR_LIMIT;
    }
    if (uv_ip4_addr(ip, *port, (struct sockaddr_in *)&ss) != 0) {
        if (uv_ip6_addr(ip, *port, (struct sockaddr_in6 *)&ss) != 0) {
            return ERR_INVAL;
        }
        flags = UV_TCP_IPV6ONLY;
    }
    if ((t = io_listener_new(fl->loop, false)) == NULL) {
        return ERR_NOMEM;
    }
    t->data = fl;
    r = uv_tcp_bind(&t->h.tcp, (struct sockaddr *)&ss, flags);
    if (r == 0) {
        r = io_listen_start(t, FWD_LOCAL_BACKLOG, fwd_local_accept);
    }
    if (r != 0) {
        if (r != UV_EADDRNOTAVAIL && r != UV_EAFNOSUPPORT) {
            log_plain("bind [%s]:%u: %s\r\n", ip, (unsigned)*port,
                      io_strerror(r));
        }
        io_listener_close(t, NULL);
        return io_err_from_uv(r);
    }
    fl->l[fl->n++] = t;
    if (*port == 0) {
        char a[64];
        io_sock_str(&t->h.tcp, a, sizeof(a), port);
        log_debug("Allocated listen port %u", (unsigned)*port);
    }
    return 0;
}

/* A connection on a -L Unix socket listener. ssh gives the server a fake
 * originator for it, 127.0.0.1 port 65535 (some servers check it). */
static void
fwd_local_accept_unix(struct io_listener *l, uv_stream_t *p)
{
    fwd_local_open(l->data, p, "127.0.0.1", 65535);
}

/* Listen on spec->listen_path, created with mode 0600 as ssh does. */
static int
fwd_local_listen_unix(struct fwd_local *fl, bool unlink_first)
{
    const char *path = fl->spec->listen_path;
    struct io_listener *p;
    mode_t omask;
    int r;

    if (unlink_first && unlink(path) != 0 && errno != ENOENT) {
        log_plain("unlink(%s): %.100s\r\n", path, strerror(errno));
    }
    if ((p = io_listener_new(fl->loop, true)) == NULL) {
        return ERR_NOMEM;
    }
    p->data = fl;
    omask = umask(0177);
    r = uv_pipe_bind(&p->h.pipe, path);
    umask(omask);
    if (r == 0) {
        r = io_listen_start(p, FWD_LOCAL_BACKLOG, fwd_local_accept_unix);
    }
    if (r != 0) {
        log_plain("unix_listener: cannot bind to path %s: %s\r\n", path,
                  io_strerror(r));
        io_listener_close(p, NULL);
        return io_err_from_uv(r);
    }
    fl->unix_l = p;
    return 0;
}

int
fwd_local_start(struct fwd_local **out, uv_loop_t *loop,
                const struct fwdspec *spec, unsigned flags,
                const struct fwd_pick *pick)
{
    struct fwd_local *fl;
    const char *ips[2] = {"127.0.0.1", "::1"};
    size_t n = 2, i;
    uint16_t port = spec->listen_port;

    *out = NULL;
    if ((fl = calloc(1, sizeof(*fl))) == NULL) {
        return ERR_NOMEM;
    }
    fl->loop = loop;
    fl->spec = spec;
    fl->pick = *pick;
    if (spec->listen_path != NULL) {
        if (fwd_local_listen_unix(fl, (flags & FWD_LOCAL_BIND_UNLINK) != 0) !=
            0) {
            free(fl);
            return ERR_IO;
        }
        *out = fl;
        return 0;
    }
    if (spec->bind_kind == FWDSPEC_BIND_ANY ||
        (spec->bind_kind == FWDSPEC_BIND_DEFAULT &&
         (flags & FWD_LOCAL_GATEWAY_PORTS) != 0)) {
        ips[0] = "0.0.0.0";
        ips[1] = "::";
    } else if (spec->bind_kind == FWDSPEC_BIND_ADDR) {
        ips[0] = spec->bind;
        n = 1;
    }
    if (spec->bind_err != NULL) {
        log_plain("channel_setup_fwd_listener_tcpip: getaddrinfo(%s): %s\r\n",
                  spec->bind, spec->bind_err);
        free(fl);
        return ERR_IO;
    }
    if (spec->bind_ips != NULL) {
        /* A name: every address it had at start-up, as ssh binds all. */
        for (i = 0; i < spec->n_bind_ips; i++) {
            (void)fwd_local_bind(fl, spec->bind_ips[i], &port);
        }
        n = 0;
    }
    for (i = 0; i < n; i++) {
        (void)fwd_local_bind(fl, ips[i], &port);
    }
    if (fl->n == 0) {
        log_plain("channel_setup_fwd_listener_tcpip: cannot listen "
                  "to port: %u\r\n",
                  (unsigned)spec->listen_port);
        free(fl);
        return ERR_IO;
    }
    if (fwdspec_is_dynamic(spec) &&
        fwd_dynamic_new(&fl->dyn, pick, port) != 0) {
        fwd_local_close(fl);
        return ERR_NOMEM;
    }
    *out = fl;
    return 0;
}

void
fwd_local_close(struct fwd_local *fl)
{
    size_t i;

    if (fl == NULL) {
        return;
    }
    for (i = 0; i < fl->n; i++) {
        io_listener_close(fl->l[i], NULL);
    }
    io_listener_close(fl->unix_l, NULL);
    fwd_dynamic_free(fl->dyn);
    free(fl);
}
