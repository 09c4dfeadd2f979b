/* SPDX-License-Identifier: ISC */
/*
 * Finite-field Diffie-Hellman through libcrypto's EVP_PKEY "DH": the
 * RFC 3526 groups (RFC 8268) and group exchange (RFC 4419).
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdlib.h>

#include "crypto/kexalg_int.h"
#include "util/err.h"
#include "util/mem.h"

/*
 * Bits of private exponent. OpenSSH takes twice the security it wants and
 * at least 512 bits (dh.c dh_gen_key), because discrete logarithms with
 * a short exponent fall to O(sqrt) attacks; 512 bits covers our strongest
 * ciphers (256-bit keys) and keeps an 8192-bit exchange fast.
 */
#define DH_PRIV_BITS 512
/* Every RFC 3526 group uses generator 2. */
#define DH_GENERATOR 2

/* The RFC 3526 MODP groups, smallest first. */
static const struct {
    unsigned bits;
    BIGNUM *(*prime)(BIGNUM *bn);
} modp_groups[] = {
    {2048, BN_get_rfc3526_prime_2048}, {3072, BN_get_rfc3526_prime_3072},
    {4096, BN_get_rfc3526_prime_4096}, {6144, BN_get_rfc3526_prime_6144},
    {8192, BN_get_rfc3526_prime_8192},
};

#define N_MODP_GROUPS (sizeof(modp_groups) / sizeof(modp_groups[0]))

/* The RFC 3526 group at index i of modp_groups. */
static int
modp_group(size_t i, BIGNUM **p, BIGNUM **g)
{
    *p = modp_groups[i].prime(NULL);
    *g = BN_new();
    if (*p == NULL || *g == NULL || BN_set_word(*g, DH_GENERATOR) != 1) {
        BN_free(*p);
        BN_free(*g);
        *p = *g = NULL;
        return ERR_NOMEM;
    }
    return 0;
}

/*
 * A DH EVP_PKEY from p and g: domain parameters only, or with pub a
 * public key (the peer's).
 */
static int
dh_pkey_from(const BIGNUM *p, const BIGNUM *g, const BIGNUM *pub,
             EVP_PKEY **out)
{
    int sel = pub != NULL ? EVP_PKEY_PUBLIC_KEY : EVP_PKEY_KEY_PARAMETERS;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int r = ERR_CRYPTO;

    *out = NULL;
    if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, g) != 1 ||
        (pub != NULL &&
         OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub) != 1) ||
        (params = OSSL_PARAM_BLD_to_param(bld)) == NULL) {
        goto out;
    }
    if ((ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL)) == NULL ||
        EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, out, sel, params) != 1) {
        goto out;
    }
    r = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return r;
}

/* A fresh key pair in the group (p, g) with a DH_PRIV_BITS exponent. */
static int
dh_generate(const BIGNUM *p, const BIGNUM *g, EVP_PKEY **out)
{
    int priv_bits = DH_PRIV_BITS;
    OSSL_PARAM params[2];
    EVP_PKEY *dom = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int r;

    *out = NULL;
    if ((r = dh_pkey_from(p, g, NULL, &dom)) != 0) {
        return r;
    }
    params[0] =
        OSSL_PARAM_construct_int(OSSL_PKEY_PARAM_DH_PRIV_LEN, &priv_bits);
    params[1] = OSSL_PARAM_construct_end();
    r = ERR_CRYPTO;
    if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dom, NULL)) == NULL ||
        EVP_PKEY_keygen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_params(ctx, params) != 1 ||
        EVP_PKEY_keygen(ctx, out) != 1) {
        goto out;
    }
    r = 0;
out:
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(dom);
    return r;
}

/* A key pair for alg in the group (p, g), borrowed. */
static int
dh_keypair_make(struct kex_keypair **out, const struct kex_alg *alg,
                const BIGNUM *p, const BIGNUM *g)
{
    struct kex_keypair *kp = NULL;
    BIGNUM *pub = NULL;
    int r;

    *out = NULL;
    if ((size_t)BN_num_bytes(p) > KEX_DH_MAX_BYTES ||
        (size_t)BN_num_bytes(g) > KEX_DH_MAX_BYTES) {
        return ERR_INVAL;
    }
    if ((kp = calloc(1, sizeof(*kp))) == NULL) {
        return ERR_NOMEM;
    }
    kp->alg = alg;
    if ((r = dh_generate(p, g, &kp->pkey)) != 0) {
        goto out;
    }
    r = ERR_CRYPTO;
    if (EVP_PKEY_get_bn_param(kp->pkey, OSSL_PKEY_PARAM_PUB_KEY, &pub) != 1 ||
        (size_t)BN_num_bytes(pub) > KEX_PUB_MAX) {
        goto out;
    }
    kp->pub_len = (size_t)BN_bn2bin(pub, kp->pub);
    kp->p_len = (size_t)BN_bn2bin(p, kp->p);
    kp->g_len = (size_t)BN_bn2bin(g, kp->g);
    *out = kp;
    kp = NULL;
    r = 0;
out:
    BN_free(pub);
    kex_keypair_free(kp);
    return r;
}

int
kexdh_keypair_fixed(struct kex_keypair **out, const struct kex_alg *alg)
{
    BIGNUM *p = NULL, *g = NULL;
    size_t i;
    int r;

    *out = NULL;
    for (i = 0; i < N_MODP_GROUPS; i++) {
        if (modp_groups[i].bits == alg->dh_bits) {
            break;
        }
    }
    if (i == N_MODP_GROUPS) {
        return ERR_INVAL;
    }
    if ((r = modp_group(i, &p, &g)) != 0) {
        return r;
    }
    r = dh_keypair_make(out, alg, p, g);
    BN_free(p);
    BN_free(g);
    return r;
}

int
kex_keypair_new_gex(struct kex_keypair **out, const struct kex_alg *alg,
                    uint32_t min, uint32_t n, uint32_t max)
{
    uint32_t lo = min < LIM_DH_GROUP_MIN_BITS ? LIM_DH_GROUP_MIN_BITS : min;
    uint32_t hi = max > LIM_DH_GROUP_MAX_BITS ? LIM_DH_GROUP_MAX_BITS : max;
    BIGNUM *p = NULL, *g = NULL;
    size_t i, pick = N_MODP_GROUPS;
    int r;

    *out = NULL;
    if (alg == NULL || alg->kind != KEX_KIND_DH_GEX) {
        return ERR_INVAL;
    }
    /* The smallest group of at least n bits, else the largest that fits. */
    for (i = 0; i < N_MODP_GROUPS; i++) {
        if (modp_groups[i].bits >= lo && modp_groups[i].bits <= hi) {
            pick = i;
            if (modp_groups[i].bits >= n) {
                break;
            }
        }
    }
    if (pick == N_MODP_GROUPS) {
        return ERR_FORMAT;
    }
    if ((r = modp_group(pick, &p, &g)) != 0) {
        return r;
    }
    r = dh_keypair_make(out, alg, p, g);
    BN_free(p);
    BN_free(g);
    return r;
}

/* 0 when 1 < x < p - 1, else ERR_FORMAT (ERR_NOMEM). */
static int
dh_check_range(const BIGNUM *x, const BIGNUM *p)
{
    BIGNUM *pm1 = BN_dup(p);
    int r = ERR_FORMAT;

    if (pm1 == NULL || BN_sub_word(pm1, 1) != 1) {
        r = ERR_NOMEM;
    } else if (BN_cmp(x, BN_value_one()) > 0 && BN_cmp(x, pm1) < 0) {
        r = 0;
    }
    BN_free(pm1);
    return r;
}

/* Magnitudes to BIGNUMs; ERR_FORMAT when longer than any group allows. */
static int
dh_bn(const uint8_t *mag, size_t len, BIGNUM **out)
{
    *out = NULL;
    if (len > KEX_DH_MAX_BYTES) {
        return ERR_FORMAT;
    }
    *out = BN_bin2bn(mag, (int)len, NULL);
    return *out == NULL ? ERR_NOMEM : 0;
}

int
kex_dh_group_check(const struct kex_dh_group *grp, uint32_t min_bits,
                   uint32_t max_bits)
{
    BIGNUM *p = NULL, *g = NULL;
    uint32_t bits;
    int r;

    if ((r = dh_bn(grp->p, grp->p_len, &p)) != 0 ||
        (r = dh_bn(grp->g, grp->g_len, &g)) != 0) {
        goto out;
    }
    bits = (uint32_t)BN_num_bits(p);
    r = ERR_FORMAT;
    if (bits < min_bits || bits < LIM_DH_GROUP_MIN_BITS || bits > max_bits ||
        bits > LIM_DH_GROUP_MAX_BITS || !BN_is_odd(p)) {
        goto out;
    }
    r = dh_check_range(g, p);
out:
    BN_free(p);
    BN_free(g);
    return r;
}

int
kex_keypair_new_group(struct kex_keypair **out, const struct kex_alg *alg,
                      const struct kex_dh_group *grp)
{
    BIGNUM *p = NULL, *g = NULL;
    int r;

    *out = NULL;
    if (alg == NULL || alg->kind != KEX_KIND_DH_GEX) {
        return ERR_INVAL;
    }
    if ((r = kex_dh_group_check(grp, LIM_DH_GROUP_MIN_BITS,
                                LIM_DH_GROUP_MAX_BITS)) != 0) {
        return r == ERR_FORMAT ? ERR_INVAL : r;
    }
    if ((r = dh_bn(grp->p, grp->p_len, &p)) == 0 &&
        (r = dh_bn(grp->g, grp->g_len, &g)) == 0) {
        r = dh_keypair_make(out, alg, p, g);
    }
    BN_free(p);
    BN_free(g);
    return r;
}

void
kex_keypair_group(const struct kex_keypair *kp, struct kex_dh_group *grp)
{
    grp->p = kp->p;
    grp->p_len = kp->p_len;
    grp->g = kp->g;
    grp->g_len = kp->g_len;
}

/*
 * The peer's public value: 1 < f < p - 1 (RFC 4253 8), and more than one
 * bit set, which OpenSSH also demands (dh.c dh_pub_is_valid): a power of
 * two leaks the private exponent's low bits.
 */
static int
dh_check_public(const BIGNUM *f, const BIGNUM *p)
{
    int i, bits = BN_num_bits(f), set = 0;
    int r;

    if ((r = dh_check_range(f, p)) != 0) {
        return r;
    }
    for (i = 0; i < bits && set < 2; i++) {
        set += BN_is_bit_set(f, i);
    }
    return set > 1 ? 0 : ERR_FORMAT;
}

int
kexdh_derive(const struct kex_keypair *kp, const uint8_t *peer, size_t peer_len,
             struct buf *out)
{
    uint8_t s[KEX_DH_MAX_BYTES];
    BIGNUM *p = NULL, *g = NULL, *f = NULL;
    EVP_PKEY *pk = NULL;
    size_t slen = 0;
    int r;

    if (peer_len > kp->p_len) {
        return ERR_FORMAT;
    }
    if ((r = dh_bn(kp->p, kp->p_len, &p)) != 0 ||
        (r = dh_bn(kp->g, kp->g_len, &g)) != 0 ||
        (r = dh_bn(peer, peer_len, &f)) != 0 ||
        (r = dh_check_public(f, p)) != 0 ||
        (r = dh_pkey_from(p, g, f, &pk)) != 0 ||
        (r = kex_pkey_derive(kp, pk, s, sizeof(s), &slen)) != 0) {
        goto out;
    }
    /* RFC 4253 8: K is hashed as an mpint; leading zeros are dropped. */
    r = buf_put_mpint(out, s, slen);
out:
    mem_wipe(s, sizeof(s));
    EVP_PKEY_free(pk);
    BN_free(p);
    BN_free(g);
    BN_free(f);
    return r;
}
