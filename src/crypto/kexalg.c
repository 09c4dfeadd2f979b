/* SPDX-License-Identifier: ISC */
/* Key exchange primitives: X25519, ECDH over NIST curves, dispatch. */
#include "crypto/kexalg.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kexalg_int.h"
#include "crypto/kexalg_test.h"
#include "util/err.h"
#include "util/mem.h"

#define X25519_LEN 32
/* The largest raw elliptic-curve shared secret: a P-521 x-coordinate. */
#define KEX_SECRET_MAX 66
#define SEC1_UNCOMPRESSED 0x04

static const struct kex_alg kex_algs[] = {
    {"curve25519-sha256", KEX_KIND_X25519, DIGEST_SHA256, NID_X25519, 0},
    {"curve25519-sha256@libssh.org", KEX_KIND_X25519, DIGEST_SHA256, NID_X25519,
     0},
    {"ecdh-sha2-nistp256", KEX_KIND_ECDH, DIGEST_SHA256, NID_X9_62_prime256v1,
     0},
    {"ecdh-sha2-nistp384", KEX_KIND_ECDH, DIGEST_SHA384, NID_secp384r1, 0},
    {"ecdh-sha2-nistp521", KEX_KIND_ECDH, DIGEST_SHA512, NID_secp521r1, 0},
    {"diffie-hellman-group-exchange-sha256", KEX_KIND_DH_GEX, DIGEST_SHA256, 0,
     0},
    {"diffie-hellman-group16-sha512", KEX_KIND_DH, DIGEST_SHA512, 0, 4096},
    {"diffie-hellman-group14-sha256", KEX_KIND_DH, DIGEST_SHA256, 0, 2048},
};

#define KEX_EC_LIST                                                            \
    "curve25519-sha256,curve25519-sha256@libssh.org,"                          \
    "ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521"

const struct kex_alg *
kex_alg_by_name(const char *name)
{
    size_t i;

    if (name == NULL) {
        return NULL;
    }
    for (i = 0; i < sizeof(kex_algs) / sizeof(kex_algs[0]); i++) {
        if (strcmp(kex_algs[i].name, name) == 0) {
            return &kex_algs[i];
        }
    }
    return NULL;
}

/*
 * Finite-field DH comes after the curves, in OpenSSH's order (myproposal.h
 * KEX_CLIENT_KEX): only a server without any curve picks it.
 */
const char *
kex_default_list(void)
{
    return KEX_EC_LIST ",diffie-hellman-group-exchange-sha256,"
                       "diffie-hellman-group16-sha512,"
                       "diffie-hellman-group14-sha256";
}

const char *
kex_server_default_list(void)
{
    return KEX_EC_LIST;
}

bool
kex_alg_is_dh(const struct kex_alg *alg)
{
    return alg->kind == KEX_KIND_DH || alg->kind == KEX_KIND_DH_GEX;
}

/* Bytes in one coordinate of the curve's field: 32, 48 or 66. */
static size_t
ecdh_field_len(int nid)
{
    switch (nid) {
    case NID_X9_62_prime256v1:
        return 32;
    case NID_secp384r1:
        return 48;
    case NID_secp521r1:
        return 66;
    default:
        return 0;
    }
}

/* Copy the public value of kp->pkey into kp->pub in its wire form. */
static int
kex_keypair_fill_public(struct kex_keypair *kp)
{
    size_t n = 0, want;

    if (kp->alg->kind == KEX_KIND_X25519) {
        n = sizeof(kp->pub);
        if (EVP_PKEY_get_raw_public_key(kp->pkey, kp->pub, &n) != 1 ||
            n != X25519_LEN) {
            return ERR_CRYPTO;
        }
        kp->pub_len = n;
        return 0;
    }
    want = 1 + 2 * ecdh_field_len(kp->alg->curve_nid);
    if (EVP_PKEY_get_octet_string_param(kp->pkey,
                                        OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        kp->pub, sizeof(kp->pub), &n) != 1 ||
        n != want || kp->pub[0] != SEC1_UNCOMPRESSED) {
        return ERR_CRYPTO;
    }
    kp->pub_len = n;
    return 0;
}

/* A fresh EVP key for alg: X25519 or EC on the named curve. */
static int
kex_generate(const struct kex_alg *alg, EVP_PKEY **out)
{
    EVP_PKEY_CTX *ctx = NULL;
    int r = ERR_CRYPTO;

    *out = NULL;
    if (alg->kind == KEX_KIND_X25519) {
        ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
    } else {
        ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
    }
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) != 1) {
        goto out;
    }
    if (alg->kind == KEX_KIND_ECDH &&
        EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, alg->curve_nid) != 1) {
        goto out;
    }
    if (EVP_PKEY_keygen(ctx, out) != 1) {
        goto out;
    }
    r = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    return r;
}

/* Wrap pkey (ownership taken, also on error) into a key pair. */
static int
kex_keypair_wrap(struct kex_keypair **out, const struct kex_alg *alg,
                 EVP_PKEY *pkey)
{
    struct kex_keypair *kp = NULL;
    int r;

    *out = NULL;
    if ((kp = calloc(1, sizeof(*kp))) == NULL) {
        EVP_PKEY_free(pkey);
        return ERR_NOMEM;
    }
    kp->alg = alg;
    kp->pkey = pkey;
    if ((r = kex_keypair_fill_public(kp)) != 0) {
        kex_keypair_free(kp);
        return r;
    }
    *out = kp;
    return 0;
}

int
kex_keypair_new(struct kex_keypair **out, const struct kex_alg *alg)
{
    EVP_PKEY *pkey = NULL;
    int r;

    *out = NULL;
    if (alg == NULL || alg->kind == KEX_KIND_DH_GEX) {
        return ERR_INVAL;
    }
    if (alg->kind == KEX_KIND_DH) {
        return kexdh_keypair_fixed(out, alg);
    }
    if (alg->kind == KEX_KIND_ECDH && ecdh_field_len(alg->curve_nid) == 0) {
        return ERR_INVAL;
    }
    if ((r = kex_generate(alg, &pkey)) != 0) {
        return r;
    }
    return kex_keypair_wrap(out, alg, pkey);
}

int
kex_keypair_from_private(struct kex_keypair **out, const struct kex_alg *alg,
                         const uint8_t *priv, size_t priv_len)
{
    EVP_PKEY *pkey = NULL;

    *out = NULL;
    if (alg == NULL || alg->kind != KEX_KIND_X25519 || priv_len != X25519_LEN) {
        return ERR_INVAL;
    }
    pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, priv_len);
    if (pkey == NULL) {
        return ERR_CRYPTO;
    }
    return kex_keypair_wrap(out, alg, pkey);
}

void
kex_keypair_public(const struct kex_keypair *kp, const uint8_t **pub,
                   size_t *len)
{
    *pub = kp->pub;
    *len = kp->pub_len;
}

/*
 * The peer's X25519 public value (RFC 7748 5): exactly 32 bytes, any
 * value; low-order points are caught by the all-zero result check.
 */
static int
x25519_peer_key(const uint8_t *peer, size_t peer_len, EVP_PKEY **out)
{
    *out = NULL;
    if (peer_len != X25519_LEN) {
        return ERR_FORMAT;
    }
    *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, peer_len);
    return *out == NULL ? ERR_CRYPTO : 0;
}

/*
 * The peer's ECDH public value (RFC 5656 4, SEC1 2.3.3): 0x04 || X || Y,
 * each coordinate exactly as wide as the field. Compressed points and the
 * one-byte point at infinity are refused by length; the point must lie
 * on the curve and in the prime-order subgroup (EVP_PKEY_public_check).
 */
static int
ecdh_peer_key(const struct kex_alg *alg, const uint8_t *peer, size_t peer_len,
              EVP_PKEY **out)
{
    OSSL_PARAM params[3];
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    int r = ERR_FORMAT;

    *out = NULL;
    if (peer_len != 1 + 2 * ecdh_field_len(alg->curve_nid) ||
        peer[0] != SEC1_UNCOMPRESSED) {
        return ERR_FORMAT;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(
        OSSL_PKEY_PARAM_GROUP_NAME, (char *)OBJ_nid2sn(alg->curve_nid), 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                  (void *)peer, peer_len);
    params[2] = OSSL_PARAM_construct_end();
    if ((ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) != 1) {
        r = ERR_CRYPTO;
        goto out;
    }
    /* Import fails for coordinates that are not a point on the curve. */
    if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        goto out;
    }
    EVP_PKEY_CTX_free(ctx);
    if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL) {
        r = ERR_CRYPTO;
        goto out;
    }
    if (EVP_PKEY_public_check(ctx) != 1) {
        goto out;
    }
    *out = pkey;
    pkey = NULL;
    r = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return r;
}

/* True when all n bytes at p are zero, in time that depends only on n. */
static bool
all_zero_ct(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        acc |= p[i];
    }
    return acc == 0;
}

int
kex_pkey_derive(const struct kex_keypair *kp, EVP_PKEY *peer, uint8_t *s,
                size_t max, size_t *slen)
{
    EVP_PKEY_CTX *ctx = NULL;
    int r = ERR_CRYPTO;

    *slen = 0;
    if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, kp->pkey, NULL)) == NULL ||
        EVP_PKEY_derive_init(ctx) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) != 1) {
        goto out;
    }
    *slen = max;
    if (EVP_PKEY_derive(ctx, s, slen) != 1) {
        /*
         * For a well-formed X25519 peer value libcrypto fails only when
         * the result is all zero (a low-order point), and for a DH value
         * that passed our range checks only by its own public-key check:
         * both the peer's fault. An ECDH point was checked on import.
         */
        r = kp->alg->kind == KEX_KIND_ECDH ? ERR_CRYPTO : ERR_FORMAT;
        *slen = 0;
        goto out;
    }
    r = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    return r;
}

int
kex_keypair_derive(const struct kex_keypair *kp, const uint8_t *peer,
                   size_t peer_len, struct buf *out)
{
    uint8_t s[KEX_SECRET_MAX];
    EVP_PKEY *pk = NULL;
    size_t slen = 0;
    int r;

    if (kex_alg_is_dh(kp->alg)) {
        return kexdh_derive(kp, peer, peer_len, out);
    }
    if (kp->alg->kind == KEX_KIND_X25519) {
        r = x25519_peer_key(peer, peer_len, &pk);
    } else {
        r = ecdh_peer_key(kp->alg, peer, peer_len, &pk);
    }
    if (r != 0 || (r = kex_pkey_derive(kp, pk, s, sizeof(s), &slen)) != 0) {
        goto out;
    }
    if (kp->alg->kind == KEX_KIND_X25519 &&
        (slen != X25519_LEN || all_zero_ct(s, slen))) {
        r = slen != X25519_LEN ? ERR_CRYPTO : ERR_FORMAT;
        goto out;
    }
    /*
     * RFC 8731 3.1: the X25519 output is read as a big-endian integer as
     * it stands; RFC 5656 4: the ECDH x-coordinate likewise. Both are
     * hashed as mpints, which buf_put_mpint encodes minimally.
     */
    r = buf_put_mpint(out, s, slen);
out:
    mem_wipe(s, sizeof(s));
    EVP_PKEY_free(pk);
    return r;
}

void
kex_keypair_free(struct kex_keypair *kp)
{
    if (kp == NULL) {
        return;
    }
    EVP_PKEY_free(kp->pkey);
    mem_free_wiped(kp, sizeof(*kp));
}
