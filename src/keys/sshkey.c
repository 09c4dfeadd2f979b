/* SPDX-License-Identifier: ISC */
/* Public keys: types, blobs (RFC 4253 6.6, RFC 5656 3.1, RFC 8709). */
#include "keys/sshkey.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keys/sshcert.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

/* Largest EC field element we handle (P-521). */
#define SSHKEY_EC_FIELD_MAX 66u

static const struct sshkey_info sshkey_infos[] = {
    {SSHKEY_ED25519, "ssh-ed25519", "ssh-ed25519" SSHCERT_SUFFIX, NULL, NULL, 0,
     NULL},
    {SSHKEY_ECDSA_P256, "ecdsa-sha2-nistp256",
     "ecdsa-sha2-nistp256" SSHCERT_SUFFIX, "nistp256", "prime256v1", 32,
     "SHA256"},
    {SSHKEY_ECDSA_P384, "ecdsa-sha2-nistp384",
     "ecdsa-sha2-nistp384" SSHCERT_SUFFIX, "nistp384", "secp384r1", 48,
     "SHA384"},
    {SSHKEY_ECDSA_P521, "ecdsa-sha2-nistp521",
     "ecdsa-sha2-nistp521" SSHCERT_SUFFIX, "nistp521", "secp521r1", 66,
     "SHA512"},
    {SSHKEY_RSA, "ssh-rsa", "ssh-rsa" SSHCERT_SUFFIX, NULL, NULL, 0, NULL},
};

const struct sshkey_info *
sshkey_info_get(enum sshkey_type type)
{
    size_t i;

    for (i = 0; i < sizeof(sshkey_infos) / sizeof(sshkey_infos[0]); i++) {
        if (sshkey_infos[i].type == type) {
            return &sshkey_infos[i];
        }
    }
    abort(); /* enum values are ours; anything else is a broken invariant */
}

bool
sshkey_name_eq(const uint8_t *s, size_t n, const char *name)
{
    return strlen(name) == n && (n == 0 || memcmp(s, name, n) == 0);
}

int
sshkey_type_from_bytes(const uint8_t *s, size_t n, enum sshkey_type *out)
{
    size_t i;

    *out = SSHKEY_ED25519;
    for (i = 0; i < sizeof(sshkey_infos) / sizeof(sshkey_infos[0]); i++) {
        if (sshkey_name_eq(s, n, sshkey_infos[i].name)) {
            *out = sshkey_infos[i].type;
            return 0;
        }
    }
    return ERR_KEY_TYPE;
}

/* The key type a certificate type name ("ssh-ed25519-cert-v01@...") is for. */
int
sshkey_cert_type_from_bytes(const uint8_t *s, size_t n, enum sshkey_type *out)
{
    size_t i;

    *out = SSHKEY_ED25519;
    for (i = 0; i < sizeof(sshkey_infos) / sizeof(sshkey_infos[0]); i++) {
        if (sshkey_name_eq(s, n, sshkey_infos[i].cert_name)) {
            *out = sshkey_infos[i].type;
            return 0;
        }
    }
    return ERR_KEY_TYPE;
}

int
sshkey_type_from_name(const char *name, enum sshkey_type *out)
{
    return sshkey_type_from_bytes((const uint8_t *)name, strlen(name), out);
}

enum sshkey_type
sshkey_type(const struct sshkey *k)
{
    return k->type;
}

bool
sshkey_is_private(const struct sshkey *k)
{
    return k->is_private;
}

const char *
sshkey_type_label(const struct sshkey *k)
{
    bool cert = k->cert != NULL;

    switch (k->type) {
    case SSHKEY_ED25519:
        return cert ? "ED25519-CERT" : "ED25519";
    case SSHKEY_RSA:
        return cert ? "RSA-CERT" : "RSA";
    default:
        return cert ? "ECDSA-CERT" : "ECDSA";
    }
}

const char *
sshkey_wire_name(const struct sshkey *k)
{
    const struct sshkey_info *info = sshkey_info_get(k->type);

    return k->cert != NULL ? info->cert_name : info->name;
}

const char *
sshkey_type_name(const struct sshkey *k)
{
    return sshkey_info_get(k->type)->name;
}

/*
 * ssh-rsa (SHA-1) is deliberately not listed: we never make such
 * signatures, and sshkey_verify() accepts one only when its caller names
 * it explicitly.
 */
bool
sshkey_supports_plain_alg(const struct sshkey *k, const char *sig_alg)
{
    if (k->type == SSHKEY_RSA) {
        return strcmp(sig_alg, "rsa-sha2-256") == 0 ||
               strcmp(sig_alg, "rsa-sha2-512") == 0;
    }
    return strcmp(sig_alg, sshkey_type_name(k)) == 0;
}

/* A certificate signs with its key's algorithms, named in their cert form. */
bool
sshkey_supports_sig_alg(const struct sshkey *k, const char *sig_alg)
{
    char plain[LIM_NAME + 1];

    if (sig_alg == NULL) {
        return false;
    }
    if (k->cert == NULL) {
        return sshkey_supports_plain_alg(k, sig_alg);
    }
    return sshcert_plain_alg(sig_alg, plain, sizeof(plain)) == 0 &&
           sshkey_supports_plain_alg(k, plain);
}

const char *
sshkey_default_sig_alg(const struct sshkey *k)
{
    if (k->cert != NULL) {
        return k->type == SSHKEY_RSA ? "rsa-sha2-512" SSHCERT_SUFFIX
                                     : sshkey_wire_name(k);
    }
    return k->type == SSHKEY_RSA ? "rsa-sha2-512" : sshkey_type_name(k);
}

int
sshkey_put_bn(struct buf *b, const BIGNUM *bn)
{
    uint8_t tmp[LIM_MPINT];
    int n = BN_num_bytes(bn), r;

    if (n < 0 || (size_t)n > sizeof(tmp)) {
        return ERR_LIMIT;
    }
    if (BN_bn2bin(bn, tmp) != n) {
        return ERR_CRYPTO;
    }
    r = buf_put_mpint(b, tmp, (size_t)n);
    mem_wipe(tmp, (size_t)n);
    return r;
}

/* The uncompressed point 0x04 || x || y of an EC key (RFC 5656 3.1). */
static int
sshkey_put_ec_point(struct buf *b, const EVP_PKEY *pkey, size_t fl)
{
    uint8_t q[1 + 2 * SSHKEY_EC_FIELD_MAX];
    BIGNUM *x = NULL, *y = NULL;
    int r = ERR_CRYPTO;

    if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
        !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y)) {
        goto out;
    }
    q[0] = 0x04;
    if (BN_bn2binpad(x, q + 1, (int)fl) < 0 ||
        BN_bn2binpad(y, q + 1 + fl, (int)fl) < 0) {
        goto out;
    }
    r = buf_put_string(b, q, 1 + 2 * fl);
out:
    BN_free(x);
    BN_free(y);
    return r;
}

static int
sshkey_put_rsa_pub(struct buf *b, const EVP_PKEY *pkey)
{
    BIGNUM *e = NULL, *n = NULL;
    int r = ERR_CRYPTO;

    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) &&
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n)) {
        if ((r = sshkey_put_bn(b, e)) == 0) {
            r = sshkey_put_bn(b, n);
        }
    }
    BN_free(e);
    BN_free(n);
    return r;
}

/* The typed fields of the public blob, after the name. */
static int
sshkey_put_pub_fields(struct buf *b, const EVP_PKEY *pkey,
                      const struct sshkey_info *info)
{
    uint8_t pk[SSHKEY_ED25519_LEN];
    size_t n = sizeof(pk);
    int r;

    switch (info->type) {
    case SSHKEY_ED25519:
        if (EVP_PKEY_get_raw_public_key(pkey, pk, &n) != 1 ||
            n != SSHKEY_ED25519_LEN) {
            return ERR_CRYPTO;
        }
        return buf_put_string(b, pk, n);
    case SSHKEY_RSA:
        return sshkey_put_rsa_pub(b, pkey);
    default:
        if ((r = buf_put_cstring(b, info->curve)) != 0) {
            return r;
        }
        return sshkey_put_ec_point(b, pkey, info->field_len);
    }
}

/* The key's type must be the one claimed: an EC key on the named curve. */
static int
sshkey_check_pkey(const EVP_PKEY *pkey, const struct sshkey_info *info)
{
    char group[64];
    int bits;

    switch (info->type) {
    case SSHKEY_ED25519:
        return EVP_PKEY_is_a(pkey, "ED25519") ? 0 : ERR_KEY_TYPE;
    case SSHKEY_RSA:
        if (!EVP_PKEY_is_a(pkey, "RSA")) {
            return ERR_KEY_TYPE;
        }
        bits = EVP_PKEY_get_bits(pkey);
        if (bits < (int)SSHKEY_RSA_MIN_BITS ||
            bits > (int)SSHKEY_RSA_MAX_BITS) {
            return ERR_KEY_FORMAT;
        }
        return 0;
    default:
        if (!EVP_PKEY_is_a(pkey, "EC") ||
            !EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME,
                                            group, sizeof(group), NULL) ||
            strcasecmp(group, info->group) != 0) {
            return ERR_KEY_TYPE;
        }
        return 0;
    }
}

int
sshkey_from_pkey(EVP_PKEY *pkey, enum sshkey_type type, bool is_private,
                 struct sshkey **out)
{
    const struct sshkey_info *info = sshkey_info_get(type);
    struct sshkey *k = NULL;
    struct buf b;
    int r;

    *out = NULL;
    buf_init(&b);
    if ((r = sshkey_check_pkey(pkey, info)) != 0 ||
        (r = buf_put_cstring(&b, info->name)) != 0 ||
        (r = sshkey_put_pub_fields(&b, pkey, info)) != 0) {
        goto out;
    }
    if ((k = calloc(1, sizeof(*k))) == NULL ||
        (k->blob = mem_dup(buf_ptr(&b), buf_len(&b))) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    k->blob_len = buf_len(&b);
    k->type = type;
    k->is_private = is_private;
    k->pkey = pkey;
    pkey = NULL;
    *out = k;
    k = NULL;
out:
    EVP_PKEY_free(pkey);
    sshkey_free(k);
    buf_cleanup(&b);
    return r;
}

int
sshkey_pkey_fromdata(const char *alg, int selection, OSSL_PARAM_BLD *bld,
                     EVP_PKEY **out)
{
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    int r = ERR_KEY_FORMAT;

    *out = NULL;
    if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
        (ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL)) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if (EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, out, selection, params) == 1) {
        r = 0;
    }
out:
    OSSL_PARAM_free(params); /* wipes the secure (BN_secure) part */
    EVP_PKEY_CTX_free(ctx);
    return r;
}

/* Points from the wire must lie on the curve and not be the identity. */
static int
sshkey_check_ec_public(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    if (ctx == NULL) {
        return ERR_NOMEM;
    }
    ok = EVP_PKEY_public_check(ctx);
    EVP_PKEY_CTX_free(ctx);
    return ok == 1 ? 0 : ERR_KEY_FORMAT;
}

/*
 * ecdsa-sha2-<curve> public fields (RFC 5656 3.1):
 *   string  curve name ("nistp256", ...), equal to the type's suffix
 *   string  Q, uncompressed: 0x04 || x || y
 */
static int
sshkey_read_ec_pub(struct rd *rd, const struct sshkey_info *info,
                   EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = NULL;
    const uint8_t *curve, *q;
    size_t curve_len, q_len;
    int r;

    if ((r = rd_string(rd, &curve, &curve_len, LIM_NAME)) != 0 ||
        (r = rd_string(rd, &q, &q_len, 1 + 2 * SSHKEY_EC_FIELD_MAX)) != 0) {
        return r;
    }
    if (!sshkey_name_eq(curve, curve_len, info->curve) ||
        q_len != 1 + 2 * info->field_len || q[0] != 0x04) {
        return ERR_KEY_FORMAT;
    }
    if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
        return ERR_NOMEM;
    }
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                         info->group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q,
                                          q_len)) {
        r = ERR_NOMEM;
    } else if ((r = sshkey_pkey_fromdata("EC", EVP_PKEY_PUBLIC_KEY, bld,
                                         out)) == 0 &&
               (r = sshkey_check_ec_public(*out)) != 0) {
        EVP_PKEY_free(*out);
        *out = NULL;
    }
    OSSL_PARAM_BLD_free(bld);
    return r;
}

/*
 * ssh-rsa public fields (RFC 4253 6.6):
 *   mpint   e
 *   mpint   n
 */
static int
sshkey_read_rsa_pub(struct rd *rd, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *e = NULL, *n = NULL;
    const uint8_t *ep, *np;
    size_t e_len, n_len;
    int r;

    if ((r = rd_mpint(rd, &ep, &e_len, LIM_MPINT)) != 0 ||
        (r = rd_mpint(rd, &np, &n_len, LIM_MPINT)) != 0) {
        return r;
    }
    if (e_len == 0 || n_len * 8 < SSHKEY_RSA_MIN_BITS - 7) {
        return ERR_KEY_FORMAT;
    }
    if ((e = BN_bin2bn(ep, (int)e_len, NULL)) == NULL ||
        (n = BN_bin2bn(np, (int)n_len, NULL)) == NULL ||
        (bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e)) {
        r = ERR_NOMEM;
        goto out;
    }
    if (!BN_is_odd(e) || BN_is_one(e) || !BN_is_odd(n) ||
        BN_num_bits(n) < (int)SSHKEY_RSA_MIN_BITS) {
        r = ERR_KEY_FORMAT;
        goto out;
    }
    r = sshkey_pkey_fromdata("RSA", EVP_PKEY_PUBLIC_KEY, bld, out);
out:
    OSSL_PARAM_BLD_free(bld);
    BN_free(e);
    BN_free(n);
    return r;
}

/* ssh-ed25519 public fields (RFC 8709 4): string key (32 bytes). */
int
sshkey_read_pub_fields(struct rd *rd, enum sshkey_type type, EVP_PKEY **out)
{
    const uint8_t *pk;
    size_t pk_len;
    int r;

    *out = NULL;
    switch (type) {
    case SSHKEY_ED25519:
        if ((r = rd_string(rd, &pk, &pk_len, LIM_KEY_BLOB)) != 0) {
            return r;
        }
        if (pk_len != SSHKEY_ED25519_LEN) {
            return ERR_KEY_FORMAT;
        }
        *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, pk_len);
        return *out == NULL ? ERR_KEY_FORMAT : 0;
    case SSHKEY_RSA:
        return sshkey_read_rsa_pub(rd, out);
    default:
        return sshkey_read_ec_pub(rd, sshkey_info_get(type), out);
    }
}

/* A public key blob: string type name, then the type's fields. */
int
sshkey_from_plain_blob(const uint8_t *blob, size_t len, struct sshkey **out)
{
    EVP_PKEY *pkey = NULL;
    enum sshkey_type type;
    const uint8_t *name;
    size_t name_len;
    struct rd rd;
    int r;

    *out = NULL;
    if (len > LIM_KEY_BLOB) {
        return ERR_LIMIT;
    }
    rd_init(&rd, blob, len);
    if ((r = rd_string(&rd, &name, &name_len, LIM_NAME)) != 0 ||
        (r = sshkey_type_from_bytes(name, name_len, &type)) != 0 ||
        (r = sshkey_read_pub_fields(&rd, type, &pkey)) != 0 ||
        (r = rd_end(&rd)) != 0) {
        EVP_PKEY_free(pkey);
        return r;
    }
    return sshkey_from_pkey(pkey, type, false, out);
}

int
sshkey_to_blob(const struct sshkey *k, struct buf *out)
{
    if (k->cert != NULL) {
        return buf_put(out, k->cert_blob, k->cert_blob_len);
    }
    return buf_put(out, k->blob, k->blob_len);
}

/* A certificate equals only the same certificate, never its plain key. */
bool
sshkey_equal_public(const struct sshkey *a, const struct sshkey *b)
{
    if (a == NULL || b == NULL || (a->cert == NULL) != (b->cert == NULL)) {
        return false;
    }
    if (a->cert != NULL) {
        return a->cert_blob_len == b->cert_blob_len &&
               memcmp(a->cert_blob, b->cert_blob, a->cert_blob_len) == 0;
    }
    return a->blob_len == b->blob_len &&
           memcmp(a->blob, b->blob, a->blob_len) == 0;
}

bool
sshkey_equal_plain(const struct sshkey *a, const struct sshkey *b)
{
    return a != NULL && b != NULL && a->blob_len == b->blob_len &&
           memcmp(a->blob, b->blob, a->blob_len) == 0;
}

int
sshkey_fingerprint(const struct sshkey *k, char *out, size_t out_len)
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    char *b64 = NULL;
    int r, n;

    if (out_len > 0) {
        out[0] = '\0';
    }
    if (EVP_Digest(k->blob, k->blob_len, md, &md_len, EVP_sha256(), NULL) !=
        1) {
        return ERR_CRYPTO;
    }
    if ((r = base64_encode(md, md_len, &b64, false)) != 0) {
        return r;
    }
    n = snprintf(out, out_len, "SHA256:%s", b64);
    free(b64);
    return n < 0 || (size_t)n >= out_len ? ERR_INVAL : 0;
}

void
sshkey_free(struct sshkey *k)
{
    if (k == NULL) {
        return;
    }
    EVP_PKEY_free(k->pkey); /* libcrypto clears private key material */
    free(k->blob);
    sshcert_free(k->cert);
    free(k->cert_blob);
    free(k);
}

int
sshkey_generate(enum sshkey_type type, unsigned bits, struct sshkey **out)
{
    const struct sshkey_info *info = sshkey_info_get(type);
    EVP_PKEY *pkey = NULL;

    *out = NULL;
    switch (type) {
    case SSHKEY_ED25519:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        break;
    case SSHKEY_RSA:
        bits = bits == 0 ? 3072 : bits;
        if (bits < SSHKEY_RSA_MIN_BITS || bits > SSHKEY_RSA_MAX_BITS) {
            return ERR_INVAL;
        }
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
        break;
    default:
        pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", info->group);
        break;
    }
    if (pkey == NULL) {
        return ERR_CRYPTO;
    }
    return sshkey_from_pkey(pkey, type, true, out);
}
