/* SPDX-License-Identifier: ISC */
/*
 * Forwarding permissions as sshd matches them: permitopen (direct-tcpip
 * targets) and permitlisten (tcpip-forward listen addresses), from a key's
 * options or from PermitOpen / PermitListen in the server configuration
 * (PROTOCOLS.md section 2).
 */
#ifndef ADIT_CONFIG_PERMIT_H
#define ADIT_CONFIG_PERMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A rule's port "*": any port. */
#define PERMIT_ANY_PORT 0u
/* The port a Unix socket path is matched with (sshd's PORT_STREAMLOCAL):
 * only a "*" port can match it. */
#define PERMIT_STREAMLOCAL_PORT UINT32_MAX

/* One rule: host as written without [ ], port or PERMIT_ANY_PORT. */
struct permit {
    char *host;
    uint32_t port;
};

/*
 * A list of rules. Empty and not none: no restriction (sshd's "any").
 * none: nothing is permitted (PermitOpen none).
 */
struct permit_list {
    struct permit *v;
    size_t n;
    bool none;
};

/*
 * Parse "host:port" or "[v6]:port" (port 1..65535 or "*"); is_listen also
 * takes a bare "port", which means any listen host ("*:port"), as sshd
 * reads permitlisten and PermitListen. ERR_FORMAT, ERR_NOMEM.
 */
int permit_parse(const char *s, bool is_listen, struct permit *out);
void permit_cleanup(struct permit *p);

/* Parse and append s. ERR_LIMIT beyond LIM_PERMIT_ENTRIES. */
int permit_list_add(struct permit_list *l, const char *s, bool is_listen);
void permit_list_cleanup(struct permit_list *l);

/*
 * permitopen (sshd channels.c open_match): the port is equal or the rule's
 * is "*"; the host is "*" or equal byte for byte, with no case folding, no
 * name lookup and no address normalisation.
 */
bool permit_open_match(const struct permit *p, const char *host, uint32_t port);

/*
 * permitlisten (sshd remote_open_match): the port is equal or the rule's
 * is "*" (so port 0, "allocate one", matches only "*"); the requested host
 * is lowercased and glob-matched ('*' and '?') against the rule's host.
 */
bool permit_listen_match(const struct permit *p, const char *host,
                         uint32_t port);

/* The list allows the request: it is not none, and it has no rules or
 * one of them matches (permit_listen_match or permit_open_match). */
bool permit_list_allows(const struct permit_list *l, bool is_listen,
                        const char *host, uint32_t port);

/* sshd's match_pattern(): '*' any run, '?' any one character, the rest
 * literal. fold lowercases s (not the pattern) as it is compared. */
bool permit_glob(const char *pattern, const char *s, bool fold);

#endif
