/* SPDX-License-Identifier: ISC */
/*
 * Internal to crypto/ and its tests: key pairs from a known private key,
 * for known-answer tests. Never used by the protocol, which only ever
 * generates fresh ephemeral keys.
 */
#ifndef ADIT_CRYPTO_KEXALG_TEST_H
#define ADIT_CRYPTO_KEXALG_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/kexalg.h"

/*
 * Build a key pair from a raw private key: the 32-byte scalar for X25519
 * (RFC 7748 5). ECDH algorithms are not supported (ERR_INVAL).
 * 0, ERR_INVAL (wrong length or kind), ERR_CRYPTO, ERR_NOMEM.
 */
int kex_keypair_from_private(struct kex_keypair **out,
                             const struct kex_alg *alg, const uint8_t *priv,
                             size_t priv_len);

#endif
