/* SPDX-License-Identifier: ISC */
/*
 * Key exchange primitives: ephemeral key pairs and shared secrets for
 * curve25519-sha256 (and @libssh.org) and ecdh-sha2-nistp256/384/521.
 * The message flow and exchange hash live in transport/kex.c.
 */
#ifndef ADIT_CRYPTO_KEXALG_H
#define ADIT_CRYPTO_KEXALG_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "wire/buf.h"

enum kex_kind { KEX_KIND_X25519, KEX_KIND_ECDH };

struct kex_alg {
    const char *name;
    enum kex_kind kind;
    enum digest_alg hash;
    int curve_nid; /* for ECDH: NID_X9_62_prime256v1, NID_secp384r1, ... */
};

/* NULL for unknown names (including the ext-info / strict-kex markers). */
const struct kex_alg *kex_alg_by_name(const char *name);
/* Our default preference list, without markers. */
const char *kex_default_list(void);

struct kex_keypair;

/* Generate an ephemeral key pair. 0, ERR_CRYPTO, ERR_NOMEM. */
int kex_keypair_new(struct kex_keypair **out, const struct kex_alg *alg);

/*
 * Our public value as sent on the wire (Q_C / Q_S: 32 raw bytes for
 * X25519, an uncompressed SEC1 point for ECDH). The view lives as long as
 * the key pair.
 */
void kex_keypair_public(const struct kex_keypair *kp, const uint8_t **pub,
                        size_t *len);

/*
 * Compute the shared secret with the peer's public value and append it to
 * out encoded as an SSH mpint (uint32 length + bytes), which is how it is
 * hashed into H and the KDF (RFC 8731 3.1, RFC 5656 4). ERR_FORMAT for a
 * peer value of the wrong length or not on the curve, or an all-zero
 * X25519 result; ERR_CRYPTO otherwise.
 */
int kex_keypair_derive(const struct kex_keypair *kp, const uint8_t *peer,
                       size_t peer_len, struct buf *out);

/* Wipes the private key. NULL is fine. */
void kex_keypair_free(struct kex_keypair *kp);

#endif
