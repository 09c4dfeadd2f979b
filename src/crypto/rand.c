/* SPDX-License-Identifier: ISC */
/* Random bytes from libcrypto's CSPRNG. */
#include "crypto/rand.h"

#include <limits.h>
#include <openssl/rand.h>
#include <stdlib.h>

#include "util/err.h"

int
rand_bytes(void *p, size_t n)
{
    uint8_t *d = p;
    size_t chunk;

    /* RAND_bytes takes an int count, so feed it in bounded pieces. */
    while (n > 0) {
        chunk = n > INT_MAX ? INT_MAX : n;
        if (RAND_bytes(d, (int)chunk) != 1) {
            return ERR_CRYPTO;
        }
        d += chunk;
        n -= chunk;
    }
    return 0;
}

/*
 * Rejection sampling: values below 2^32 mod upper would make the low
 * residues more likely, so they are drawn again. Each draw is rejected
 * with probability below 1/2, so the loop ends quickly.
 */
uint32_t
rand_uniform(uint32_t upper)
{
    uint32_t v = 0, min;

    if (upper < 2) {
        return 0;
    }
    min = (uint32_t)(-upper) % upper;
    for (;;) {
        if (rand_bytes(&v, sizeof(v)) != 0) {
            abort(); /* the CSPRNG failing is a broken invariant */
        }
        if (v >= min) {
            return v % upper;
        }
    }
}
