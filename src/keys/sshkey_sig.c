/* SPDX-License-Identifier: ISC */
/* Signatures: making and checking signature blobs (RFC 4253 6.6). */
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshcert.h"
#include "keys/sshkey.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

/* Largest raw signature: an RSA signature as long as the largest modulus. */
#define SSHKEY_SIG_MAX LIM_MPINT

/* The digest a signature algorithm uses on this key; NULL for ed25519. */
static const char *
sshkey_sig_digest(const struct sshkey *k, const char *sig_alg)
{
    if (k->type != SSHKEY_RSA) {
        return sshkey_info_get(k->type)->digest;
    }
    if (strcmp(sig_alg, "rsa-sha2-256") == 0) {
        return "SHA256";
    }
    if (strcmp(sig_alg, "rsa-sha2-512") == 0) {
        return "SHA512";
    }
    return "SHA1"; /* "ssh-rsa", only ever verified */
}

/* Is name one of the comma-separated names in list? */
static bool
sshkey_in_list(const char *list, const uint8_t *name, size_t n)
{
    const char *p = list, *comma;
    size_t len;

    for (;;) {
        comma = strchr(p, ',');
        len = comma == NULL ? strlen(p) : (size_t)(comma - p);
        if (len == n && memcmp(p, name, n) == 0) {
            return true;
        }
        if (comma == NULL) {
            return false;
        }
        p = comma + 1;
    }
}

/* ECDSA's DER (r, s) as the SSH inner blob (RFC 5656 3.1.2). */
static int
sshkey_put_ecdsa_sig(struct buf *b, const uint8_t *der, size_t der_len)
{
    const unsigned char *p = der;
    const BIGNUM *sr, *ss;
    ECDSA_SIG *es = NULL;
    struct buf inner;
    int r;

    buf_init(&inner);
    if ((es = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) == NULL) {
        return ERR_CRYPTO;
    }
    ECDSA_SIG_get0(es, &sr, &ss);
    if ((r = sshkey_put_bn(&inner, sr)) == 0 &&
        (r = sshkey_put_bn(&inner, ss)) == 0) {
        r = buf_put_buf(b, &inner);
    }
    ECDSA_SIG_free(es);
    buf_cleanup(&inner);
    return r;
}

static int
sshkey_raw_sign(const struct sshkey *k, const char *md, const uint8_t *data,
                size_t len, uint8_t **sig, size_t *sig_len)
{
    EVP_MD_CTX *ctx = NULL;
    int r = ERR_CRYPTO;

    *sig = NULL;
    *sig_len = 0;
    if ((ctx = EVP_MD_CTX_new()) == NULL) {
        return ERR_NOMEM;
    }
    if (EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, k->pkey, NULL) != 1 ||
        EVP_DigestSign(ctx, NULL, sig_len, data, len) != 1) {
        goto out;
    }
    if ((*sig = malloc(*sig_len)) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if (EVP_DigestSign(ctx, *sig, sig_len, data, len) != 1) {
        free(*sig);
        *sig = NULL;
        goto out;
    }
    r = 0;
out:
    EVP_MD_CTX_free(ctx);
    return r;
}

int
sshkey_sign(const struct sshkey *k, const char *sig_alg, const uint8_t *data,
            size_t len, struct buf *sig)
{
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    struct buf b;
    int r;

    char plain[LIM_NAME + 1];

    buf_init(&b);
    if (sig_alg == NULL) {
        sig_alg = sshkey_default_sig_alg(k);
    }
    if (!k->is_private || !sshkey_supports_sig_alg(k, sig_alg)) {
        return ERR_INVAL;
    }
    /* A certificate's key signs under the plain algorithm name. */
    if (k->cert != NULL) {
        if (sshcert_plain_alg(sig_alg, plain, sizeof(plain)) != 0) {
            return ERR_INVAL;
        }
        sig_alg = plain;
    }
    if ((r = sshkey_raw_sign(k, sshkey_sig_digest(k, sig_alg), data, len, &raw,
                             &raw_len)) != 0 ||
        (r = buf_put_cstring(&b, sig_alg)) != 0) {
        goto out;
    }
    if (k->type == SSHKEY_ED25519 || k->type == SSHKEY_RSA) {
        r = buf_put_string(&b, raw, raw_len);
    } else {
        r = sshkey_put_ecdsa_sig(&b, raw, raw_len);
    }
    if (r == 0) {
        r = buf_put(sig, buf_ptr(&b), buf_len(&b));
    }
out:
    free(raw);
    buf_cleanup(&b);
    return r;
}

/*
 * The inner ECDSA signature (RFC 5656 3.1.2):
 *   mpint   r
 *   mpint   s
 * converted to the DER form libcrypto verifies.
 */
static int
sshkey_ecdsa_sig_der(const struct sshkey *k, const uint8_t *p, size_t n,
                     uint8_t **der, size_t *der_len)
{
    size_t fl = sshkey_info_get(k->type)->field_len;
    const uint8_t *rp, *sp;
    size_t r_len, s_len;
    BIGNUM *br = NULL, *bs = NULL;
    ECDSA_SIG *es = NULL;
    unsigned char *out = NULL;
    struct rd rd;
    int r, dl;

    *der = NULL;
    *der_len = 0;
    rd_init(&rd, p, n);
    if ((r = rd_mpint(&rd, &rp, &r_len, fl)) != 0 ||
        (r = rd_mpint(&rd, &sp, &s_len, fl)) != 0 || (r = rd_end(&rd)) != 0) {
        return ERR_FORMAT;
    }
    if (r_len == 0 || s_len == 0) {
        return ERR_SIG;
    }
    if ((br = BN_bin2bn(rp, (int)r_len, NULL)) == NULL ||
        (bs = BN_bin2bn(sp, (int)s_len, NULL)) == NULL ||
        (es = ECDSA_SIG_new()) == NULL || ECDSA_SIG_set0(es, br, bs) != 1) {
        BN_free(br);
        BN_free(bs);
        ECDSA_SIG_free(es);
        return ERR_NOMEM;
    }
    dl = i2d_ECDSA_SIG(es, &out);
    ECDSA_SIG_free(es);
    if (dl <= 0) {
        return ERR_CRYPTO;
    }
    *der = out;
    *der_len = (size_t)dl;
    return 0;
}

static int
sshkey_raw_verify(const struct sshkey *k, const char *md, const uint8_t *sig,
                  size_t sig_len, const uint8_t *data, size_t len)
{
    EVP_MD_CTX *ctx = NULL;
    int ok;

    if ((ctx = EVP_MD_CTX_new()) == NULL) {
        return ERR_NOMEM;
    }
    ok = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, k->pkey, NULL) ==
             1 &&
         EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? 0 : ERR_SIG;
}

/*
 * An RSA signature may come without its leading zero bytes (OpenSSH
 * accepts that, and some signers send it); restore them to modulus size.
 */
static int
sshkey_verify_rsa(const struct sshkey *k, const char *md, const uint8_t *raw,
                  size_t raw_len, const uint8_t *data, size_t len)
{
    uint8_t padded[SSHKEY_SIG_MAX];
    int size = EVP_PKEY_get_size(k->pkey);
    size_t mod_len;

    if (size <= 0 || (size_t)size > sizeof(padded)) {
        return ERR_CRYPTO;
    }
    mod_len = (size_t)size;
    if (raw_len == 0 || raw_len > mod_len) {
        return ERR_FORMAT;
    }
    memset(padded, 0, mod_len - raw_len);
    memcpy(padded + (mod_len - raw_len), raw, raw_len);
    return sshkey_raw_verify(k, md, padded, mod_len, data, len);
}

/*
 * May this key check a signature made with alg (given the caller's list)?
 * A signature is always named by its plain algorithm; for a key that
 * carries a certificate, the caller's list names the cert form.
 */
static bool
sshkey_sig_alg_ok(const struct sshkey *k, const uint8_t *alg, size_t n,
                  const char *allowed)
{
    char name[LIM_NAME + sizeof(SSHCERT_SUFFIX)];

    if (n > LIM_NAME) {
        return false;
    }
    memcpy(name, alg, n);
    name[n] = '\0';
    if (k->cert != NULL) {
        memcpy(name + n, SSHCERT_SUFFIX, sizeof(SSHCERT_SUFFIX));
    }
    if (allowed != NULL &&
        !sshkey_in_list(allowed, (const uint8_t *)name, strlen(name))) {
        return false;
    }
    name[n] = '\0';
    if (k->type == SSHKEY_RSA && strcmp(name, "ssh-rsa") == 0) {
        return allowed != NULL; /* named explicitly by the caller */
    }
    return sshkey_supports_plain_alg(k, name);
}

/*
 * A signature blob (RFC 4253 6.6):
 *   string  signature algorithm name
 *   string  signature (ed25519: 64 bytes; RSA: modulus-sized;
 *           ECDSA: string { mpint r, mpint s })
 */
int
sshkey_verify(const struct sshkey *k, const uint8_t *sig, size_t sig_len,
              const uint8_t *data, size_t len, const char *allowed)
{
    const uint8_t *alg, *raw;
    size_t alg_len, raw_len, der_len = 0;
    uint8_t *der = NULL;
    char name[LIM_NAME + 1];
    struct rd rd;
    int r;

    rd_init(&rd, sig, sig_len);
    if (rd_string(&rd, &alg, &alg_len, LIM_NAME) != 0 ||
        rd_string(&rd, &raw, &raw_len, SSHKEY_SIG_MAX) != 0 ||
        rd_end(&rd) != 0) {
        return ERR_FORMAT;
    }
    if (!sshkey_sig_alg_ok(k, alg, alg_len, allowed)) {
        return ERR_SIG;
    }
    memcpy(name, alg, alg_len);
    name[alg_len] = '\0';
    switch (k->type) {
    case SSHKEY_ED25519:
        if (raw_len != SSHKEY_ED25519_SIG_LEN) {
            return ERR_FORMAT;
        }
        return sshkey_raw_verify(k, NULL, raw, raw_len, data, len);
    case SSHKEY_RSA:
        return sshkey_verify_rsa(k, sshkey_sig_digest(k, name), raw, raw_len,
                                 data, len);
    default:
        if ((r = sshkey_ecdsa_sig_der(k, raw, raw_len, &der, &der_len)) == 0) {
            r = sshkey_raw_verify(k, sshkey_sig_digest(k, name), der, der_len,
                                  data, len);
        }
        OPENSSL_free(der);
        return r;
    }
}
