/* SPDX-License-Identifier: ISC */
/*
 * An SSH client and server, both io_conns in the test's one loop, joined
 * over 127.0.0.1 on an ephemeral port: the server end is accepted from a
 * listener in the test, the client end comes from io_connect. Keys are
 * generated per pair. Hooks let each test act at authentication, on the
 * server's channel opens and when each end has closed.
 */
#ifndef ADIT_TEST_SSHPAIR_H
#define ADIT_TEST_SSHPAIR_H

#include "iotest.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conn/session.h"
#include "io/io_conn.h"
#include "io/io_connect.h"
#include "io/io_util.h"
#include "keys/sshkey.h"
#include "util/err.h"

struct sshpair {
    struct iotest t;
    struct sshkey *hostkey, *userkey, *offered;
    uv_tcp_t listener;
    uint16_t port;
    struct io_connect *connecting;
    struct io_conn *cli, *srv;
    unsigned max_tries;
    uint64_t rekey_bytes;
    unsigned n_auth_cli, n_auth_srv, n_closed_cli, n_closed_srv;
    char why_cli[512], why_srv[512];
    /* test hooks, any may be NULL */
    void *udata;
    void (*on_ready)(struct sshpair *p); /* both ends authenticated */
    void (*on_open)(struct sshpair *p, uint32_t id,
                    const struct chan_open_info *info);
    /* the client's end asked to open a channel (forwarded-tcpip) */
    void (*on_cli_open)(struct sshpair *p, uint32_t id,
                        const struct chan_open_info *info);
    void (*on_closed)(struct sshpair *p); /* both ends closed */
    /* the server's global requests, instead of the default answers */
    bool (*on_global)(struct sshpair *p, struct io_conn *ic, const char *name,
                      const uint8_t *data, size_t n, struct buf *reply);
};

static inline int
sshpair_verify(void *ctx, const struct sshkey *key)
{
    struct sshpair *p = ctx;

    return sshkey_equal_public(key, p->hostkey) ? 0 : ERR_HOSTKEY;
}

static inline int
sshpair_check_key(void *ctx, const char *user, const struct sshkey *key,
                  const void **info)
{
    struct sshpair *p = ctx;

    *info = NULL;
    return sshkey_equal_public(key, p->userkey) ? 0 : ERR_DENIED;
}

static inline void
sshpair_authed(void *ctx, struct io_conn *ic)
{
    struct sshpair *p = ctx;

    if (ic == p->cli) {
        p->n_auth_cli++;
    } else {
        assert_ptr_equal(ic, p->srv);
        p->n_auth_srv++;
    }
    assert_non_null(io_conn_conn(ic));
    if (p->n_auth_cli == 1 && p->n_auth_srv == 1 && p->on_ready != NULL) {
        p->on_ready(p);
    }
}

static inline void
sshpair_open(void *ctx, struct io_conn *ic, uint32_t id,
             const struct chan_open_info *info)
{
    struct sshpair *p = ctx;

    if (ic == p->cli && p->on_cli_open != NULL) {
        p->on_cli_open(p, id, info);
        return;
    }
    assert_ptr_equal(ic, p->srv);
    if (p->on_open != NULL) {
        p->on_open(p, id, info);
    } else {
        conn_open_fail(io_conn_conn(ic), id, 1, "no");
        io_conn_flush(ic);
    }
}

static inline void
sshpair_closed(void *ctx, struct io_conn *ic, const char *why)
{
    struct sshpair *p = ctx;

    if (ic == p->cli) {
        p->n_closed_cli++;
        snprintf(p->why_cli, sizeof(p->why_cli), "%s", why);
        p->cli = NULL;
    } else {
        assert_ptr_equal(ic, p->srv);
        p->n_closed_srv++;
        snprintf(p->why_srv, sizeof(p->why_srv), "%s", why);
        p->srv = NULL;
    }
    if (p->cli == NULL && p->srv == NULL && p->connecting == NULL &&
        p->on_closed != NULL) {
        p->on_closed(p);
    }
}

/* Global requests: accepted when the name starts with "ok" ("ok-port"
 * answers with a uint32 7, as a tcpip-forward for port 0), else refused. */
static inline bool
sshpair_global(void *ctx, struct io_conn *ic, const char *name, bool want_reply,
               const uint8_t *data, size_t n, struct buf *reply)
{
    struct sshpair *p = ctx;

    (void)want_reply;
    if (p->on_global != NULL) {
        return p->on_global(p, ic, name, data, n, reply);
    }
    if (strncmp(name, "ok", 2) != 0) {
        return false;
    }
    return strcmp(name, "ok-port") != 0 || buf_put_u32(reply, 7) == 0;
}

static inline struct io_conn_cbs
sshpair_cbs(struct sshpair *p)
{
    struct io_conn_cbs cbs;

    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = p;
    cbs.authenticated = sshpair_authed;
    cbs.open_request = sshpair_open;
    cbs.global_request = sshpair_global;
    cbs.closed = sshpair_closed;
    return cbs;
}

static inline void
sshpair_srv_cfg(struct sshpair *p, struct session_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->transport.is_server = true;
    cfg->transport.software_version = "aditd_iotest";
    cfg->transport.hostkeys = &p->hostkey;
    cfg->transport.n_hostkeys = 1;
    cfg->transport.rekey_bytes = p->rekey_bytes;
    cfg->server_auth.check_key = sshpair_check_key;
    cfg->server_auth.ctx = p;
    cfg->server_auth.max_tries = p->max_tries;
}

static inline void
sshpair_cli_cfg(struct sshpair *p, struct session_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->transport.software_version = "adit_iotest";
    cfg->transport.verify_hostkey = sshpair_verify;
    cfg->transport.verify_ctx = p;
    cfg->transport.rekey_bytes = p->rekey_bytes;
    cfg->client_auth.user = "alice";
    cfg->client_auth.keys = &p->offered;
    cfg->client_auth.n_keys = 1;
}

static inline void
sshpair_accept(uv_stream_t *l, int status)
{
    struct sshpair *p = l->data;
    struct session_config cfg;
    struct io_conn_cbs cbs = sshpair_cbs(p);
    uv_tcp_t *t = malloc(sizeof(*t));
    char addr[64], peer[96];
    uint16_t port;

    assert_int_equal(status, 0);
    assert_non_null(t);
    assert_int_equal(uv_tcp_init(l->loop, t), 0);
    assert_int_equal(uv_accept(l, (uv_stream_t *)t), 0);
    uv_close((uv_handle_t *)l, NULL);
    assert_int_equal(io_peer_str(t, addr, sizeof(addr), &port), 0);
    snprintf(peer, sizeof(peer), "%s port %u", addr, (unsigned)port);
    sshpair_srv_cfg(p, &cfg);
    assert_int_equal(io_conn_new(&p->srv, l->loop, t, &cfg, &cbs, peer), 0);
    assert_true(iotest_nodelay(t));
}

static inline void
sshpair_connected(void *ctx, int status, bool resolving, uv_tcp_t *tcp)
{
    struct sshpair *p = ctx;
    struct session_config cfg;
    struct io_conn_cbs cbs = sshpair_cbs(p);
    char peer[64];

    p->connecting = NULL;
    assert_int_equal(status, 0);
    sshpair_cli_cfg(p, &cfg);
    snprintf(peer, sizeof(peer), "127.0.0.1 port %u", (unsigned)p->port);
    assert_int_equal(io_conn_new(&p->cli, tcp->loop, tcp, &cfg, &cbs, peer), 0);
}

/* A malloc'd uv_pipe_t on fd (one end of a socketpair). */
static inline uv_stream_t *
sshpair_pipe(uv_loop_t *loop, uv_os_sock_t fd)
{
    uv_pipe_t *pp = malloc(sizeof(*pp));

    assert_non_null(pp);
    assert_int_equal(uv_pipe_init(loop, pp, 0), 0);
    assert_int_equal(uv_pipe_open(pp, fd), 0);
    return (uv_stream_t *)pp;
}

/*
 * Both ends over a socketpair instead of TCP, as a ProxyCommand or a jump
 * hop carries a connection: no listener, no connect. Without a server,
 * its end of the pair is closed once the client has started.
 */
static inline void
sshpair_start_pipe(struct sshpair *p, bool with_server)
{
    struct session_config cfg;
    struct io_conn_cbs cbs = sshpair_cbs(p);
    uv_os_sock_t fds[2];

    assert_int_equal(uv_socketpair(SOCK_STREAM, 0, fds, 0, 0), 0);
    if (with_server) {
        sshpair_srv_cfg(p, &cfg);
        assert_int_equal(io_conn_new_stream(&p->srv, &p->t.loop,
                                            sshpair_pipe(&p->t.loop, fds[0]),
                                            &cfg, &cbs, "UNKNOWN port 65535"),
                         0);
    }
    sshpair_cli_cfg(p, &cfg);
    assert_int_equal(io_conn_new_stream(&p->cli, &p->t.loop,
                                        sshpair_pipe(&p->t.loop, fds[1]), &cfg,
                                        &cbs, "UNKNOWN port 65535"),
                     0);
    if (!with_server) {
        close(fds[0]); /* after the version line went in: no SIGPIPE */
    }
}

/* New pair; right_key: the client offers the key the server accepts. */
static inline struct sshpair *
sshpair_new(bool right_key)
{
    struct sshpair *p = calloc(1, sizeof(*p));

    assert_non_null(p);
    iotest_init(&p->t);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &p->hostkey), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &p->userkey), 0);
    if (right_key) {
        p->offered = p->userkey;
    } else {
        assert_int_equal(sshkey_generate(SSHKEY_ECDSA_P256, 0, &p->offered), 0);
    }
    return p;
}

/* Listen and connect; the caller then runs the loop. */
static inline void
sshpair_start(struct sshpair *p)
{
    p->port = iotest_listen(&p->t.loop, &p->listener, 4, sshpair_accept, p);
    assert_int_equal(io_connect_start(&p->connecting, &p->t.loop, "127.0.0.1",
                                      p->port, AF_INET, 5000, sshpair_connected,
                                      p),
                     0);
}

static inline void
sshpair_free(struct sshpair *p)
{
    iotest_done(&p->t);
    if (p->offered != p->userkey) {
        sshkey_free(p->offered);
    }
    sshkey_free(p->userkey);
    sshkey_free(p->hostkey);
    free(p);
}

#endif
