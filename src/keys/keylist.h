/* SPDX-License-Identifier: ISC */
/*
 * Files of public keys, one per line, '#' comments: sshd's
 * TrustedUserCAKeys and RevokedKeys (sshd_config(5)). OpenSSH's binary
 * KRL format (PROTOCOL.krl) is recognised and refused, never misread:
 * keys/krl.h reads it.
 */
#ifndef ADIT_KEYS_KEYLIST_H
#define ADIT_KEYS_KEYLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "keys/sshkey.h"

struct keylist {
    struct sshkey **v;
    size_t n;
};

/*
 * Parse the n bytes at p into out (at most LIM_AUTHKEYS keys). Any line
 * that is not a key refuses the whole list: half a revocation list is not
 * what was meant. ERR_KEY_FORMAT / ERR_KEY_TYPE with the line number in
 * *bad_line, ERR_FORMAT with *bad_line 0 for a KRL. out is empty on error.
 */
int keylist_parse(const char *p, size_t n, struct keylist *out,
                  unsigned *bad_line);

/* Read and parse path (at most LIM_FILE_SIZE). ERR_NOTFOUND if missing. */
int keylist_load(const char *path, struct keylist *out, unsigned *bad_line);

void keylist_cleanup(struct keylist *l);

/* Is key (or, for a certificate, its plain key) in the list? */
bool keylist_has(const struct keylist *l, const struct sshkey *key);

#endif
