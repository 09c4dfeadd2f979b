/* SPDX-License-Identifier: ISC */
/*
 * Internal to crypto/: the key pair shared by kexalg.c (elliptic curves,
 * dispatch) and kexdh.c (finite-field Diffie-Hellman).
 */
#ifndef ADIT_CRYPTO_KEXALG_INT_H
#define ADIT_CRYPTO_KEXALG_INT_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/kexalg.h"
#include "util/adit_limits.h"
#include "wire/buf.h"

/* The largest DH value: a residue modulo an 8192-bit prime. */
#define KEX_DH_MAX_BYTES ((size_t)(LIM_DH_GROUP_MAX_BITS / 8))
/*
 * The largest public value: a DH residue (an uncompressed P-521 point,
 * 1 + 2 * 66 bytes, is smaller).
 */
#define KEX_PUB_MAX KEX_DH_MAX_BYTES

struct kex_keypair {
    const struct kex_alg *alg;
    EVP_PKEY *pkey;
    uint8_t pub[KEX_PUB_MAX];
    size_t pub_len;
    /* DH only: the group, as magnitudes. */
    uint8_t p[KEX_DH_MAX_BYTES], g[KEX_DH_MAX_BYTES];
    size_t p_len, g_len;
};

/*
 * kexalg.c: the raw shared secret of kp's key and peer's (same kind and
 * group) into s, at most max bytes. 0, ERR_FORMAT (the peer's value was
 * refused), ERR_CRYPTO.
 */
int kex_pkey_derive(const struct kex_keypair *kp, EVP_PKEY *peer, uint8_t *s,
                    size_t max, size_t *slen);

/* kexdh.c: key pairs in a fixed group, and DH shared secrets. */
int kexdh_keypair_fixed(struct kex_keypair **out, const struct kex_alg *alg);
int kexdh_derive(const struct kex_keypair *kp, const uint8_t *peer,
                 size_t peer_len, struct buf *out);

#endif
