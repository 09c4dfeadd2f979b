/* SPDX-License-Identifier: ISC */
/* Pieces of RFC 4252 shared by the userauth client and server. */
#ifndef ADIT_AUTH_USERAUTH_COMMON_H
#define ADIT_AUTH_USERAUTH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/kexalg.h"
#include "wire/buf.h"

#define USERAUTH_SERVICE "ssh-userauth"
#define USERAUTH_CONN_SERVICE "ssh-connection"

/* Every algorithm we accept in user authentication (crypto/kexalg.h). */
#define USERAUTH_DEFAULT_ALGS KEXALG_PUBKEY_ALGS

/*
 * Text from the server to show the user (a banner, a prompt): a malloc'd
 * copy of p[0..n) without control characters (terminal escapes), newlines
 * and tabs kept. *out NULL on ERR_NOMEM.
 */
int userauth_text_clean(const uint8_t *p, size_t n, char **out);

/* True when the comma-separated list holds name exactly. */
bool userauth_namelist_has(const char *list, const char *name);

/* Append a USERAUTH_REQUEST's common head (RFC 4252 5): byte 50, string
 * user, string "ssh-connection", string method. */
int userauth_request_head(struct buf *b, const char *user, const char *method);

/*
 * Append a publickey USERAUTH_REQUEST up to and including the key blob
 * (RFC 4252 7): byte 50, string user, string "ssh-connection", string
 * "publickey", boolean has_sig, string alg, string blob. With the session
 * id in front, this is also exactly the data that is signed.
 */
int userauth_pk_request(struct buf *b, const char *user, const char *alg,
                        const uint8_t *blob, size_t blob_len, bool has_sig);

#endif
