/* SPDX-License-Identifier: ISC */
/*
 * The two peers of the session harnesses, shared by the harnesses and by
 * seedgen.c, which pairs them in memory to record their corpora:
 *   - a server session as aditd runs one: the fixed Ed25519 host key, any
 *     user with the fixed Ed25519 user key, forwards answered as aditd
 *     answers them (opens confirmed and echoed, or refused; tcpip-forward
 *     granted; anything else refused);
 *   - a client session as adit runs one with -L and -R: after login it
 *     opens two direct-tcpip channels (one the server refuses), asks for
 *     a remote forward, sends on the channel that opens, then EOF and
 *     CLOSE.
 * Both offer the "none" cipher first: a fuzzing build has it
 * (ADIT_FUZZ_NULL_CIPHER), so a recorded session replays byte for byte
 * with the fixed random stream (fuzz_rand.h); a normal build drops it, the
 * recorded peer offers nothing else, and the key exchange fails.
 * The input's chunks arrive FUZZ_TICK_MS apart.
 */
#ifndef ADIT_FUZZ_PEERS_H
#define ADIT_FUZZ_PEERS_H

#include <stdlib.h>
#include <string.h>

#include "conn/session.h"
#include "fuzz_keys.h"
#include "fuzz_split.h"
#include "transport/ssh_msg.h"
#include "util/err.h"

#define FUZZ_TICK_MS 700u
#define FUZZ_SERVER_SEED 0x53 /* the fixed random streams */
#define FUZZ_CLIENT_SEED 0x43
#define FUZZ_CIPHERS "none,aes128-ctr"
#define FUZZ_GRANTED_PORT 4242u

struct fuzz_peer {
    struct session *s;
    uint32_t opened; /* client: the channel that opened, + 1 */
};

/* ---- server ---- */

static inline int
fuzz_srv_check_key(void *ctx, const char *user, const struct sshkey *key,
                   const void **info)
{
    (void)user;
    *info = ctx;
    return sshkey_equal_public(key, fuzz_key(FUZZ_KEY_ED25519)) ? 0
                                                                : ERR_DENIED;
}

/* direct-tcpip to an even port is confirmed and greeted, odd refused. */
static inline void
fuzz_srv_open(void *ctx, uint32_t id, const struct chan_open_info *info)
{
    struct conn *c = session_conn(((struct fuzz_peer *)ctx)->s);

    if (info->port % 2 != 0) {
        (void)conn_open_fail(c, id, 2, "connect failed");
        return;
    }
    if (conn_open_confirm(c, id) == 0 && conn_send_window(c, id) >= 5) {
        (void)conn_send(c, id, (const uint8_t *)"hello", 5);
    }
}

/* Data is consumed and echoed as far as the window allows. */
static inline void
fuzz_srv_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    struct conn *c = session_conn(((struct fuzz_peer *)ctx)->s);
    size_t w = conn_send_window(c, id);

    (void)conn_consumed(c, id, n);
    (void)conn_send(c, id, p, n < w ? n : w);
}

static inline void
fuzz_eof(void *ctx, uint32_t id)
{
    (void)conn_send_eof(session_conn(((struct fuzz_peer *)ctx)->s), id);
    (void)conn_close(session_conn(((struct fuzz_peer *)ctx)->s), id);
}

static inline bool
fuzz_srv_global(void *ctx, const char *name, bool want_reply, const uint8_t *p,
                size_t n, struct buf *reply)
{
    (void)ctx;
    (void)want_reply;
    (void)p;
    (void)n;
    if (strcmp(name, "tcpip-forward") != 0) {
        return false;
    }
    return buf_put_u32(reply, FUZZ_GRANTED_PORT) == 0;
}

static inline int
fuzz_server_new(struct fuzz_peer *sp)
{
    static struct sshkey *hostkey;
    struct session_config cfg = {0};
    struct session_cbs cbs = {0};
    struct conn_cbs cc = {0};

    hostkey = fuzz_key(FUZZ_KEY_ED25519);
    cfg.transport.is_server = true;
    cfg.transport.software_version = "aditd_fuzz";
    cfg.transport.hostkeys = &hostkey;
    cfg.transport.n_hostkeys = 1;
    cfg.transport.ciphers = FUZZ_CIPHERS;
    cfg.transport.compression = "none,zlib@openssh.com";
    cfg.server_auth.check_key = fuzz_srv_check_key;
    cfg.server_auth.ctx = sp;
    cfg.login_grace_ms = 600000;
    cfg.alive_interval_ms = 15000;
    cfg.alive_count_max = 3;
    cc.ctx = sp;
    cc.open_request = fuzz_srv_open;
    cc.data = fuzz_srv_data;
    cc.eof = fuzz_eof;
    cc.global_request = fuzz_srv_global;
    memset(sp, 0, sizeof(*sp));
    if (session_new(&sp->s, &cfg, &cbs, &cc) != 0) {
        return -1;
    }
    return session_start(sp->s, 0);
}

/* ---- client ---- */

static inline int
fuzz_cli_hostkey(void *ctx, const struct sshkey *key)
{
    (void)ctx;
    (void)key;
    return 0;
}

static inline void
fuzz_cli_authed(void *ctx)
{
    struct fuzz_peer *cp = ctx;
    struct conn *c = session_conn(cp->s);
    struct chan_open_info to = {"direct-tcpip", "intranet", 8080,
                                "127.0.0.1",    40000,      NULL};
    struct buf fwd;
    uint32_t id;

    (void)conn_open(c, &to, NULL, &id);
    to.port = 8081; /* refused */
    (void)conn_open(c, &to, NULL, &id);
    buf_init(&fwd);
    if (buf_put_cstring(&fwd, "localhost") == 0 && buf_put_u32(&fwd, 0) == 0) {
        (void)conn_global_request(c, "tcpip-forward", true, buf_ptr(&fwd),
                                  buf_len(&fwd));
    }
    buf_cleanup(&fwd);
}

static inline void
fuzz_cli_result(void *ctx, uint32_t id, uint32_t reason, const char *msg)
{
    struct fuzz_peer *cp = ctx;
    struct conn *c = session_conn(cp->s);
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";

    (void)msg;
    if (reason != 0) {
        return;
    }
    cp->opened = id + 1;
    if (conn_send_window(c, id) >= sizeof(req) - 1) {
        (void)conn_send(c, id, (const uint8_t *)req, sizeof(req) - 1);
    }
    (void)conn_send_eof(c, id);
}

static inline void
fuzz_cli_open(void *ctx, uint32_t id, const struct chan_open_info *info)
{
    (void)info;
    (void)conn_open_confirm(session_conn(((struct fuzz_peer *)ctx)->s), id);
}

static inline void
fuzz_cli_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    (void)p;
    (void)conn_consumed(session_conn(((struct fuzz_peer *)ctx)->s), id, n);
}

/* compress: the client asks for zlib@openssh.com first. */
static inline int
fuzz_client_new(struct fuzz_peer *cp, bool compress)
{
    static struct sshkey *userkey;
    struct session_config cfg = {0};
    struct session_cbs cbs = {0};
    struct conn_cbs cc = {0};

    userkey = fuzz_key(FUZZ_KEY_ED25519);
    cfg.transport.software_version = "adit_fuzz";
    cfg.transport.ciphers = FUZZ_CIPHERS;
    cfg.transport.compression = compress ? "zlib@openssh.com,none" : "none";
    cfg.transport.verify_hostkey = fuzz_cli_hostkey;
    cfg.client_auth.user = "fuzz";
    cfg.client_auth.keys = &userkey;
    cfg.client_auth.n_keys = 1;
    cfg.alive_interval_ms = 15000;
    cfg.alive_count_max = 3;
    cbs.ctx = cp;
    cbs.authenticated = fuzz_cli_authed;
    cc.ctx = cp;
    cc.open_request = fuzz_cli_open;
    cc.open_result = fuzz_cli_result;
    cc.data = fuzz_cli_data;
    cc.eof = fuzz_eof;
    memset(cp, 0, sizeof(*cp));
    if (session_new(&cp->s, &cfg, &cbs, &cc) != 0) {
        return -1;
    }
    return session_start(cp->s, 0);
}

/* One chunk of input for a peer, then time passes; output is dropped
 * into out (which the caller may keep). Non-zero: the session is over. */
static inline int
fuzz_peer_feed(struct fuzz_peer *p, const uint8_t *chunk, size_t len,
               uint64_t *now, struct buf *out)
{
    int rc = session_feed(p->s, chunk, len);

    if (session_has_output(p->s)) {
        struct buf tmp;

        buf_init(&tmp);
        session_take_output(p->s, &tmp);
        (void)buf_put(out, buf_ptr(&tmp), buf_len(&tmp));
        buf_cleanup(&tmp);
    }
    if (rc != 0) {
        return rc;
    }
    *now += FUZZ_TICK_MS;
    return session_tick(p->s, *now);
}

/* A whole input, in fuzz_split.h's chunks, until the session is over. */
static inline void
fuzz_peer_replay(struct fuzz_peer *p, const uint8_t *data, size_t size)
{
    const uint8_t *chunk;
    struct buf out;
    uint64_t now = 0;
    size_t len;

    buf_init(&out);
    while (fuzz_next_msg(&data, &size, &chunk, &len) &&
           fuzz_peer_feed(p, chunk, len, &now, &out) == 0) {
        buf_reset(&out);
    }
    buf_cleanup(&out);
}

#endif
