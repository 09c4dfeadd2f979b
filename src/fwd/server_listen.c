/* SPDX-License-Identifier: ISC */
/* aditd: creating the server and its listening sockets. */
#include "fwd/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/rand.h"
#include "fwd/server_rfwd.h"
#include "io/io_listen.h"
#include "io/io_util.h"
#include "io/sdnotify.h"
#include "util/err.h"
#include "util/log.h"

#define SERVER_BACKLOG 128

static void
server_on_connection(struct io_listener *l, uv_stream_t *client)
{
    uv_tcp_t *t = (uv_tcp_t *)client;

    uv_tcp_nodelay(t, 1);
    server_accept_conn(l->data, t);
}

static int
server_bind_one(struct server *srv, const char *host, uint16_t port)
{
    struct sockaddr_storage ss;
    char addr[64];
    uint16_t real = 0;
    unsigned flags = 0;
    struct io_listener *l;
    int r;

    if (strcmp(host, "localhost") == 0) {
        host = "127.0.0.1";
    }
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) != 0) {
        if (uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) != 0) {
            log_error("ListenAddress %s: not an IP address", host);
            return ERR_CONFIG;
        }
        flags = UV_TCP_IPV6ONLY;
    }
    if (srv->n_listeners >= SERVER_MAX_LISTENERS ||
        (l = io_listener_new(srv->loop, false)) == NULL) {
        return ERR_LIMIT;
    }
    l->data = srv;
    if ((r = uv_tcp_bind(&l->h.tcp, (struct sockaddr *)&ss, flags)) != 0 ||
        (r = io_listen_start(l, SERVER_BACKLOG, server_on_connection)) != 0) {
        log_error("Bind to port %u on %s failed: %s.", (unsigned)port, host,
                  io_strerror(r));
        io_listener_close(l, NULL);
        return io_err_from_uv(r);
    }
    srv->listeners[srv->n_listeners++] = l;
    io_sock_str(&l->h.tcp, addr, sizeof(addr), &real);
    log_info("Server listening on %s port %u.", addr, (unsigned)real);
    return 0;
}

/* Socket activation: systemd (or any parent) bound the sockets, so a
 * low port needs no root here; ListenAddress and Port are not used. */
static int
server_listen_passed(struct server *srv, int n)
{
    char addr[64];
    uint16_t port = 0;
    struct io_listener *l;
    int i, r;

    for (i = 0; i < n && srv->n_listeners < SERVER_MAX_LISTENERS; i++) {
        if ((l = io_listener_new(srv->loop, false)) == NULL) {
            return ERR_NOMEM;
        }
        l->data = srv;
        if ((r = uv_tcp_open(&l->h.tcp, SDNOTIFY_FIRST_FD + i)) != 0 ||
            (r = io_listen_start(l, SERVER_BACKLOG, server_on_connection)) !=
                0) {
            log_error("socket activation: fd %d: %s", SDNOTIFY_FIRST_FD + i,
                      io_strerror(r));
            io_listener_close(l, NULL);
            continue;
        }
        srv->listeners[srv->n_listeners++] = l;
        io_sock_str(&l->h.tcp, addr, sizeof(addr), &port);
        log_info("Server listening on %s port %u (socket activation).", addr,
                 (unsigned)port);
    }
    return 0;
}

int
server_listen(struct server *srv)
{
    const struct server_config *c = srv->cfg;
    size_t i, j;
    int passed = sdnotify_listen_fds();

    if (passed > 0) {
        if (server_listen_passed(srv, passed) != 0 || srv->n_listeners == 0) {
            log_error("Cannot listen on the sockets passed.");
            return ERR_IO;
        }
        return 0;
    }

    for (i = 0; i < c->n_listen; i++) {
        const struct listen_addr *la = &c->listen[i];
        for (j = 0; j < c->n_ports; j++) {
            uint16_t port = la->port != 0 ? la->port : c->ports[j];
            if (la->host != NULL) {
                (void)server_bind_one(srv, la->host, port);
            } else {
                (void)server_bind_one(srv, "0.0.0.0", port);
                (void)server_bind_one(srv, "::", port);
            }
            if (la->port != 0) {
                break;
            }
        }
    }
    if (srv->n_listeners == 0) {
        log_error("Cannot bind any address.");
        return ERR_IO;
    }
    return 0;
}

int
server_new(struct server **out, uv_loop_t *loop,
           const struct server_config *cfg)
{
    struct server *srv;
    uint64_t seed = 0;
    int r;

    *out = NULL;
    if ((r = rand_bytes(&seed, sizeof(seed))) != 0) {
        return r;
    }
    if ((srv = calloc(1, sizeof(*srv))) == NULL) {
        return ERR_NOMEM;
    }
    srv->loop = loop;
    srv->stats.started = (uint64_t)time(NULL);
    rfwd_port_range(srv);
    rfwd_tab_init(&srv->rfwds, seed);
    if ((r = server_gen_new(srv, cfg, NULL)) != 0 ||
        (r = server_load_hostkeys(srv)) != 0 ||
        (r = server_trust_load(cfg, &srv->trust)) != 0) {
        server_free(srv);
        return r;
    }
    *out = srv;
    return 0;
}

void
server_free(struct server *srv)
{
    size_t i;

    if (srv == NULL) {
        return;
    }
    for (i = 0; i < srv->n_hostkeys; i++) {
        sshkey_free(srv->hostkeys[i]);
    }
    server_trust_cleanup(&srv->trust);
    server_penalties_cleanup(&srv->penalties);
    server_gen_free_all(srv);
    rfwd_tab_cleanup(&srv->rfwds);
    free(srv);
}
