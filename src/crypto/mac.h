/* SPDX-License-Identifier: ISC */
/*
 * MACs: hmac-sha2-256/512 and their -etm@openssh.com forms (PROTOCOL 1.5).
 * The MAC covers uint32 seqnr || data, where data is the plaintext packet
 * (non-etm) or the length field plus ciphertext (etm).
 */
#ifndef ADIT_CRYPTO_MAC_H
#define ADIT_CRYPTO_MAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"

struct mac_alg {
    const char *name;
    enum digest_alg digest;
    size_t key_len;
    size_t mac_len;
    bool etm; /* encrypt-then-MAC */
};

const struct mac_alg *mac_by_name(const char *name);
const char *mac_default_list(void);

struct mac_ctx;
int mac_init(struct mac_ctx **out, const struct mac_alg *alg,
             const uint8_t *key, size_t key_len);
void mac_free(struct mac_ctx *m);

/* Compute the MAC of seqnr || data into out (mac_len bytes). */
int mac_compute(struct mac_ctx *m, uint32_t seqnr, const uint8_t *data,
                size_t len, uint8_t *out);

/* 0 if expected (mac_len bytes) is right, else ERR_MAC; constant-time. */
int mac_verify(struct mac_ctx *m, uint32_t seqnr, const uint8_t *data,
               size_t len, const uint8_t *expected);

#endif
