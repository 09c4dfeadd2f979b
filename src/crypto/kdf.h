/* SPDX-License-Identifier: ISC */
/* SSH key derivation (RFC 4253 7.2). */
#ifndef ADIT_CRYPTO_KDF_H
#define ADIT_CRYPTO_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"

/*
 * Derive outlen bytes of key material:
 *   K1 = HASH(K || H || letter || session_id), Kn = HASH(K || H || K1..Kn-1)
 * where k_enc is the shared secret K already encoded as an SSH mpint
 * (uint32 length + bytes), exactly as it is hashed. letter is 'A'..'F'.
 * 0, ERR_CRYPTO or ERR_NOMEM; intermediate secrets are wiped.
 */
int kdf_derive(enum digest_alg alg, const uint8_t *k_enc, size_t k_enc_len,
               const uint8_t *h, size_t h_len, char letter,
               const uint8_t *session_id, size_t sid_len, uint8_t *out,
               size_t outlen);

#endif
