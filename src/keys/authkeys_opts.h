/* SPDX-License-Identifier: ISC */
/* The options field of an authorized_keys line (internal to keys/). */
#ifndef ADIT_KEYS_AUTHKEYS_OPTS_H
#define ADIT_KEYS_AUTHKEYS_OPTS_H

#include <stddef.h>

#include "keys/authkeys.h"

/* Unset state: tri-state flags -1, everything else empty. */
void authkeys_opts_init(struct authkey_opts *o);

/*
 * Parse the comma-separated options starting at s[*pos] (s is
 * NUL-terminated) up to the first blank outside quotes; *pos is left on
 * that blank. ERR_FORMAT with a reason in why for an unknown option, a
 * bad value, a duplicate single-valued option or a missing key.
 */
int authkeys_opts_parse(const char *s, size_t *pos, struct authkey_opts *o,
                        char *why, size_t why_len);

/* The same, for options that are all the rest of s (trailing blanks
 * allowed): an AuthorizedPrincipalsFile line once its principal is cut. */
int authkeys_opts_parse_until_end(const char *s, size_t *pos,
                                  struct authkey_opts *o, char *why,
                                  size_t why_len);

/*
 * "YYYYMMDD[HHMM[SS]][Z]" as seconds since the epoch: local time unless it
 * ends in Z (UTC). ERR_FORMAT for anything else or an impossible date.
 */
int authkeys_opts_parse_time(const char *s, int64_t *out);

#endif
