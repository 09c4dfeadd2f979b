/* SPDX-License-Identifier: ISC */
/* aditd's reverse forwards by listen address: one hash table. */
#ifndef ADIT_FWD_RFWD_TAB_H
#define ADIT_FWD_RFWD_TAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rfwd;

/*
 * The live reverse forwards of a server, keyed on their kind (a TCP port
 * or named endpoint, or a unix socket), their key (the lowercased listen
 * host, or the socket path) and their port: a tcpip-forward, a cancel or
 * a named endpoint's join costs one lookup however many forwards the
 * server holds (a walk of every forward was O(N^2) over 10,000 logins).
 * Chained through rfwd.hnext; the table owns no entry. The hash is
 * seeded per process: the keys come from clients, and a known hash would
 * let one pile its forwards into one chain.
 */
struct rfwd_tab {
    struct rfwd **slots;
    size_t cap; /* a power of two, or 0 before the first add */
    size_t n;
    uint64_t seed;
};

void rfwd_tab_init(struct rfwd_tab *t, uint64_t seed);
/* Free the slots; the entries are the caller's. */
void rfwd_tab_cleanup(struct rfwd_tab *t);
/* Add r (its key, port and is_unix set, not already in a table); the
 * table grows to keep chains short. ERR_NOMEM only when it has no slots
 * at all (a failed growth keeps the old ones). */
int rfwd_tab_add(struct rfwd_tab *t, struct rfwd *r);
/* The entry for key, port and kind, or NULL. */
struct rfwd *rfwd_tab_find(const struct rfwd_tab *t, const char *key,
                           uint32_t port, bool is_unix);
/* Remove r, which is in t. The table never shrinks, so deleting the
 * entry an iteration is at (once it has taken the next) is safe. */
void rfwd_tab_del(struct rfwd_tab *t, struct rfwd *r);
/* Iteration in no particular order: the first entry, and the one after
 * r (NULL at the end). No adds while iterating. */
struct rfwd *rfwd_tab_first(const struct rfwd_tab *t);
struct rfwd *rfwd_tab_next(const struct rfwd_tab *t, const struct rfwd *r);

#endif
