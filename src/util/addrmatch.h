/* SPDX-License-Identifier: ISC */
/*
 * Address and pattern lists as sshd matches them (sshd(8) "from=",
 * PROTOCOL.certkeys "source-address", ssh_config(5) PATTERNS): '*' and '?'
 * wildcards, '!' negation, and CIDR networks "addr/len" for IPv4 and IPv6.
 * Addresses are numeric only (inet_pton): no name is ever resolved.
 */
#ifndef ADIT_UTIL_ADDRMATCH_H
#define ADIT_UTIL_ADDRMATCH_H

#include <stdbool.h>

/* Results of the list matchers (besides ERR_FORMAT for a bad list). */
#define ADDRMATCH_NONE 0
#define ADDRMATCH_YES 1
#define ADDRMATCH_NEGATED (-1)

/* Glob: '*' any run of characters, '?' one character; nothing else. */
bool addrmatch_pattern(const char *s, const char *pattern);

/*
 * A comma-separated list of globs, each maybe negated with '!'.
 * ADDRMATCH_NEGATED as soon as a negated entry matches, else ADDRMATCH_YES
 * if any entry matched, else ADDRMATCH_NONE. With lower, each entry is
 * lowercased before matching (host names are case-insensitive).
 */
int addrmatch_pattern_list(const char *s, const char *list, bool lower);

/*
 * sshd's addr_match_list: entries are CIDR networks (a bare address is a
 * /32 or /128) or, when they do not parse as one, globs over the address
 * text; '!' negates. ADDRMATCH_* as above; ERR_FORMAT for an empty entry
 * or a network with bits set beyond its mask ("10.0.0.1/8"). addr NULL
 * only checks the list.
 */
int addrmatch_list(const char *addr, const char *list);

/*
 * A certificate's source-address: CIDR entries only, no negation, no
 * globs. ADDRMATCH_YES or ADDRMATCH_NONE; ERR_FORMAT for any bad entry.
 * addr NULL only checks the list.
 */
int addrmatch_cidr_list(const char *addr, const char *list);

/*
 * from="pattern-list" for a client at ip whose host name is host (sshd's
 * match_host_and_ip; with no DNS, pass the address as host too). true
 * only when something matched and nothing negated matched; a malformed
 * list refuses.
 */
bool addrmatch_host_and_ip(const char *host, const char *ip, const char *list);

#endif
