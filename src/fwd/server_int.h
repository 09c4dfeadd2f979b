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
#include "keys/sshkey.h"

#define SERVER_MAX_LISTENERS 128u

struct server_conn;

struct server {
    uv_loop_t *loop;
    const struct server_config *cfg;
    struct sshkey *hostkeys[SERVER_CONFIG_MAX_LIST];
    size_t n_hostkeys;
    struct authkeys authkeys; /* when the path has no %u */
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
    struct authkeys user_keys; /* %u: loaded for user_keys_for */
    char *user_keys_for;
};

int server_load_hostkeys(struct server *srv);
bool server_has_user_token(const struct server *srv);
int server_load_authkeys(const char *path, struct authkeys *out);
/* A new connection (t accepted, TCP_NODELAY set): start its session. */
void server_accept_conn(struct server *srv, uv_tcp_t *t);

#endif
