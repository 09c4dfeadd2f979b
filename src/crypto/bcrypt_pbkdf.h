/* SPDX-License-Identifier: ISC */
/* bcrypt_pbkdf, the KDF of encrypted openssh-key-v1 files (PROTOCOL.key). */
#ifndef ADIT_CRYPTO_BCRYPT_PBKDF_H
#define ADIT_CRYPTO_BCRYPT_PBKDF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Derive out_len bytes from a passphrase (pass_len > 0 bytes) and a salt
 * with the given number of rounds, as OpenBSD's bcrypt_pbkdf() that
 * ssh-keygen uses. Computed by Botan ("Bcrypt-PBKDF"): libcrypto has no
 * bcrypt, and primitives are never written here.
 * rounds must be 1..LIM_KDF_ROUNDS, salt_len 1..LIM_KDF_SALT and out_len
 * 1..LIM_KDF_OUT: ERR_LIMIT otherwise, ERR_CRYPTO if the library fails.
 */
int bcrypt_pbkdf(const char *pass, size_t pass_len, const uint8_t *salt,
                 size_t salt_len, uint32_t rounds, uint8_t *out,
                 size_t out_len);

#endif
