/* SPDX-License-Identifier: ISC */
/*
 * Algorithm lists as ssh_config(5) and sshd_config(5) write them: a
 * comma-separated list, or one that edits the built-in defaults.
 */
#ifndef ADIT_UTIL_ALGLIST_H
#define ADIT_UTIL_ALGLIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * spec against defaults: "+a,b" appends to them what they lack, "-p,q"
 * removes the names matching any pattern (* and ?, as ssh's match_pattern),
 * "^a,b" puts a,b first and the rest after; anything else is the list itself.
 * NULL spec: the defaults. Names appear once. A malloc'd string; ERR_NOMEM.
 */
int alglist_assemble(const char *spec, const char *defaults, char **out);

/* Step through a comma-separated list: *pos is where the next name
 * starts (0 at first); false at the end, else the name is name[0..*n). */
bool alglist_next(const char *list, size_t *pos, const char **name, size_t *n);

/* Is name[0..len) one of the names of list? */
bool alglist_has_n(const char *list, const char *name, size_t len);

#endif
