/* SPDX-License-Identifier: ISC */
/* aditd's reverse-forward registry, shared by the server_rfwd*.c files. */
#ifndef ADIT_FWD_SERVER_RFWD_H
#define ADIT_FWD_SERVER_RFWD_H

#include "conn/fwd_req.h"
#include "fwd/server_int.h"
#include "io/io_listen.h"

/*
 * One reverse forward. It belongs to the key (or certificate identity)
 * that made it (who, see server_rights.owner) and is served by one
 * connection (owner); the channels opened for it on the owner's
 * connection carry tag, so a takeover can close exactly those.
 */
struct rfwd {
    struct rfwd *hnext; /* in srv->rfwds (rfwd_tab.h) */
    uint64_t hash;
    struct rfwd *oprev, *onext; /* in owner->rfwds */
    struct server *srv;
    struct server_conn *owner; /* NULL once dropped */
    char who[SERVER_OWNER_LEN];
    char who_desc[SERVER_OWNER_DESC_LEN];
    char key[LIM_HOSTNAME + 1];  /* listen host lowercased: lookups */
    char host[LIM_HOSTNAME + 1]; /* as the owner wrote it: forwarded-tcpip */
    uint32_t port;               /* the bound port, or the name's port */
    bool is_name;
    uint64_t tag;
    bool is_unix;   /* streamlocal-forward: host is the socket path */
    bool is_linked; /* in the table and its owner's list */
    struct io_listener *socks[2];
    size_t n_socks; /* handles not yet closed */
};

/* s lowercased into out (cap bytes with the NUL). */
void rfwd_lower(const char *s, char *out, size_t cap);
/* Read the range forwards of port 0 are given ports from into srv (the
 * kernel's ip_local_port_range; 32768-60999 when it cannot be read). */
void rfwd_port_range(struct server *srv);
/* The live forward for key (lowercased host, or a socket path) and port:
 * one lookup (rfwd_tab.h). */
struct rfwd *rfwd_find_kind(struct server *srv, const char *key, uint32_t port,
                            bool is_unix);
struct rfwd *rfwd_find(struct server *srv, const char *key, uint32_t port);
/* A forward owned by sc for m (not yet linked), or NULL. */
struct rfwd *rfwd_new(struct server_conn *sc, const struct tcpip_forward *m);
/* Enter r in the server's table and sc's own list. ERR_NOMEM: r is not
 * linked (rfwd_discard it). */
int rfwd_link(struct server_conn *sc, struct rfwd *r);
/* Unlink r (from the table and its owner's list), close its sockets;
 * freed when the last one has closed. */
void rfwd_remove(struct rfwd *r);
/* A forward that was never linked: close what it bound, free it. */
void rfwd_discard(struct rfwd *r);
/* The same address asked for again: take over (same key) or refuse. */
bool rfwd_takeover(struct server_conn *sc, struct rfwd *r, const char *host,
                   char *why, size_t why_len);

#define RFWD_BACKLOG 128

#endif
