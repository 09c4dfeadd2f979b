/* SPDX-License-Identifier: ISC */
/* Random bytes from libcrypto's CSPRNG. */
#ifndef ADIT_CRYPTO_RAND_H
#define ADIT_CRYPTO_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fill n bytes at p. 0 or ERR_CRYPTO. */
int rand_bytes(void *p, size_t n);

/* A uniform value in [0, upper) (upper > 0), for padding and jitter. */
uint32_t rand_uniform(uint32_t upper);

#endif
