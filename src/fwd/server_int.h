/* SPDX-License-Identifier: ISC */
/* aditd internals shared by server.c and server_keys.c. */
#ifndef ADIT_FWD_SERVER_INT_H
#define ADIT_FWD_SERVER_INT_H

#include <stdbool.h>
#include <uv.h>

#include "config/server_config.h"
#include "fwd/server.h"
#include "io/io_conn.h"
#include "keys/authkeys.h"
#include "keys/keylist.h"
#include "keys/sshkey.h"

#define SERVER_MAX_LISTENERS 128u
/* Paths in AuthorizedKeysFile. */
#define SERVER_MAX_AKFILES 16u

struct server_conn;
struct server_auth;

/* What logins are checked against, loaded at start and on SIGHUP. */
struct server_trust {
    struct authkeys files[SERVER_MAX_AKFILES]; /* when no path has a token */
    size_t n_files;
    struct keylist cas;     /* TrustedUserCAKeys */
    struct keylist revoked; /* RevokedKeys */
};

struct server {
    uv_loop_t *loop;
    const struct server_config *cfg;
    struct sshkey *hostkeys[SERVER_CONFIG_MAX_LIST];
    size_t n_hostkeys;
    struct server_trust trust;
    uv_tcp_t *listeners[SERVER_MAX_LISTENERS];
    size_t n_listeners;
    struct server_conn *conns; /* doubly linked */
};

struct server_conn {
    struct server_conn *prev, *next;
    struct server *srv;
    struct io_conn *ic;
    char addr[64];
    uint16_t port;
    bool authenticated;
    bool allow_fwd;
    bool restrict_open; /* the key had permitopen: only those targets */
    char **permitopen;  /* copied at login */
    size_t n_permitopen;
    struct server_auth *auth; /* per-login key files, certificate rights */
};

int server_load_hostkeys(struct server *srv);
/* Does an AuthorizedKeysFile path hold %u or %h (read at each login)? */
bool server_has_user_token(const struct server *srv);
int server_load_authkeys(const char *path, struct authkeys *out);
/* The n-th path of AuthorizedKeysFile into out (malloc'd); ERR_NOTFOUND
 * past the last. */
int server_akfile_path(const struct server_config *cfg, size_t n, char **out);
int server_trust_load(const struct server_config *cfg, struct server_trust *t);
void server_trust_cleanup(struct server_trust *t);

/* server_auth.c: the userauth check_key callback, and its state. */
int server_check_key(void *ctx, const char *user, const struct sshkey *key,
                     const void **info);
/* " ID key-id (serial N) CA TYPE SHA256:..." for a certificate, else "". */
#define SERVER_AUTH_DESCRIBE_LEN 256u
void server_auth_describe(const struct sshkey *k, char *out, size_t out_len);
void server_auth_free(struct server_auth *a);
/* A new connection (t accepted, TCP_NODELAY set): start its session. */
void server_accept_conn(struct server *srv, uv_tcp_t *t);

#endif
