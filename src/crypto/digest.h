/* SPDX-License-Identifier: ISC */
/* Hash functions, over libcrypto's EVP interface. */
#ifndef ADIT_CRYPTO_DIGEST_H
#define ADIT_CRYPTO_DIGEST_H

#include <stddef.h>
#include <stdint.h>

enum digest_alg { DIGEST_SHA1, DIGEST_SHA256, DIGEST_SHA384, DIGEST_SHA512 };

#define DIGEST_MAX_LEN 64

/* Output length in bytes. */
size_t digest_len(enum digest_alg alg);

/* Hash n bytes at p into out (digest_len bytes). 0 or ERR_CRYPTO. */
int digest_once(enum digest_alg alg, const void *p, size_t n, uint8_t *out);

/* Incremental hashing; the ctx is freed (and wiped) by digest_free. */
struct digest_ctx;
int digest_new(struct digest_ctx **out, enum digest_alg alg);
int digest_update(struct digest_ctx *ctx, const void *p, size_t n);
int digest_final(struct digest_ctx *ctx, uint8_t *out);
void digest_free(struct digest_ctx *ctx);

#endif
