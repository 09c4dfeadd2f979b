/* SPDX-License-Identifier: ISC */
/* Private key files: openssh-key-v1 (PROTOCOL.key) and PEM. */
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cipher.h"
#include "crypto/crypto_init.h"
#include "keys/sshkey.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

#define PRIVKEY_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define PRIVKEY_END "-----END OPENSSH PRIVATE KEY-----"
#define PRIVKEY_MAGIC "openssh-key-v1" /* followed by a NUL byte */
#define PRIVKEY_MAGIC_LEN 15u
#define PRIVKEY_BLOCK 8u /* cipher "none" block size */
#define PRIVKEY_WRAP 70u /* base64 line length */

/* Find needle in the n bytes at hay; its offset in *at. */
static bool
privkey_find(const uint8_t *hay, size_t n, const char *needle, size_t from,
             size_t *at)
{
    size_t m = strlen(needle), i;

    for (i = from; m <= n && i <= n - m; i++) {
        if (memcmp(hay + i, needle, m) == 0) {
            *at = i;
            return true;
        }
    }
    return false;
}

/* The base64 between the armour lines, decoded (whitespace skipped). */
static int
privkey_unarmor(const uint8_t *data, size_t len, struct buf *out)
{
    size_t begin, end, i, n = 0;
    char *text = NULL;
    int r;

    /*
     * END is looked for only after the whole BEGIN line: searching from
     * BEGIN's first byte would find "-----END..." overlapping BEGIN's
     * closing dashes, with end before begin.
     */
    if (!privkey_find(data, len, PRIVKEY_BEGIN, 0, &begin)) {
        return ERR_KEY_FORMAT;
    }
    begin += strlen(PRIVKEY_BEGIN);
    if (!privkey_find(data, len, PRIVKEY_END, begin, &end)) {
        return ERR_KEY_FORMAT;
    }
    if ((text = malloc(end - begin + 1)) == NULL) {
        return ERR_NOMEM;
    }
    for (i = begin; i < end; i++) {
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r' &&
            data[i] != '\n') {
            text[n++] = (char)data[i];
        }
    }
    r = base64_decode(text, n, out) == 0 ? 0 : ERR_KEY_FORMAT;
    mem_free_wiped(text, end - begin + 1);
    return r;
}

/* ssh-ed25519 private fields: string pk (32), string seed || pk (64). */
static int
privkey_read_ed25519(struct rd *rd, EVP_PKEY **out)
{
    const uint8_t *pk, *sk;
    size_t pk_len, sk_len;
    int r;

    if ((r = rd_string(rd, &pk, &pk_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_string(rd, &sk, &sk_len, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    if (pk_len != SSHKEY_ED25519_LEN || sk_len != 2 * SSHKEY_ED25519_LEN ||
        CRYPTO_memcmp(sk + SSHKEY_ED25519_LEN, pk, SSHKEY_ED25519_LEN) != 0) {
        return ERR_KEY_FORMAT;
    }
    *out = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, sk,
                                        SSHKEY_ED25519_LEN);
    return *out == NULL ? ERR_KEY_FORMAT : 0;
}

/* ecdsa private fields: string curve, string Q, mpint d. */
static int
privkey_read_ecdsa(struct rd *rd, const struct sshkey_info *info,
                   EVP_PKEY **out)
{
    const uint8_t *curve, *q, *d;
    size_t curve_len, q_len, d_len;
    OSSL_PARAM_BLD *bld = NULL;
    BIGNUM *bd = NULL;
    int r;

    if ((r = rd_string(rd, &curve, &curve_len, LIM_NAME)) != 0 ||
        (r = rd_string(rd, &q, &q_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_mpint(rd, &d, &d_len, info->field_len)) != 0) {
        return r;
    }
    if (!sshkey_name_eq(curve, curve_len, info->curve) ||
        q_len != 1 + 2 * info->field_len || q[0] != 0x04 || d_len == 0) {
        return ERR_KEY_FORMAT;
    }
    if ((bd = BN_secure_new()) == NULL ||
        BN_bin2bn(d, (int)d_len, bd) == NULL ||
        (bld = OSSL_PARAM_BLD_new()) == NULL ||
        !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                         info->group, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q,
                                          q_len) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bd)) {
        r = ERR_NOMEM;
    } else {
        r = sshkey_pkey_fromdata("EC", EVP_PKEY_KEYPAIR, bld, out);
    }
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bd);
    return r;
}

/*
 * Push n, e, d, p, q, iqmp (bn[0..5], file order n e d iqmp p q) and the
 * CRT exponents OpenSSH does not store, d mod (p-1) and d mod (q-1), into
 * bn[6] and bn[7]. The builder keeps pointers: bn must outlive it.
 */
static int
privkey_rsa_params(BIGNUM *bn[8], OSSL_PARAM_BLD *bld)
{
    BIGNUM *t = BN_secure_new();
    BN_CTX *ctx = BN_CTX_secure_new();
    int r = ERR_KEY_FORMAT;

    bn[6] = BN_secure_new();
    bn[7] = BN_secure_new();
    if (t == NULL || ctx == NULL || bn[6] == NULL || bn[7] == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if (BN_sub(t, bn[4], BN_value_one()) && BN_mod(bn[6], bn[2], t, ctx) &&
        BN_sub(t, bn[5], BN_value_one()) && BN_mod(bn[7], bn[2], t, ctx) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn[0]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn[1]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, bn[2]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn[4]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, bn[5]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, bn[6]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, bn[7]) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, bn[3])) {
        r = 0;
    }
out:
    BN_clear_free(t);
    BN_CTX_free(ctx);
    return r;
}

/* ssh-rsa private fields: mpint n, e, d, iqmp, p, q. */
static int
privkey_read_rsa(struct rd *rd, EVP_PKEY **out)
{
    BIGNUM *bn[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    OSSL_PARAM_BLD *bld = NULL;
    const uint8_t *p;
    size_t n, i;
    int r = 0;

    for (i = 0; i < 6 && r == 0; i++) {
        if ((r = rd_mpint(rd, &p, &n, LIM_MPINT)) == 0 && n == 0) {
            r = ERR_KEY_FORMAT;
        }
        if (r == 0 && (bn[i] = BN_secure_new()) == NULL) {
            r = ERR_NOMEM;
        }
        if (r == 0 && BN_bin2bn(p, (int)n, bn[i]) == NULL) {
            r = ERR_NOMEM;
        }
    }
    if (r != 0) {
        goto out;
    }
    if ((bld = OSSL_PARAM_BLD_new()) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    if ((r = privkey_rsa_params(bn, bld)) == 0) {
        r = sshkey_pkey_fromdata("RSA", EVP_PKEY_KEYPAIR, bld, out);
    }
out:
    OSSL_PARAM_BLD_free(bld);
    for (i = 0; i < 8; i++) {
        BN_clear_free(bn[i]);
    }
    return r;
}

/* The private half must belong to the public half (d*G == Q, n == p*q). */
static int
privkey_pairwise(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int ok;

    if (ctx == NULL) {
        return ERR_NOMEM;
    }
    ok = EVP_PKEY_pairwise_check(ctx);
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok == 1 ? 0 : ERR_KEY_FORMAT;
}

/*
 * One key in the private section (PROTOCOL.key 3), its type name already
 * read; the key is checked against the file's public blob.
 */
static int
privkey_read_key(struct rd *rd, enum sshkey_type type, const uint8_t *pub,
                 size_t pub_len, struct sshkey **out)
{
    EVP_PKEY *pkey = NULL;
    struct sshkey *k = NULL;
    int r;

    *out = NULL;
    if (type == SSHKEY_ED25519) {
        r = privkey_read_ed25519(rd, &pkey);
    } else if (type == SSHKEY_RSA) {
        r = privkey_read_rsa(rd, &pkey);
    } else {
        r = privkey_read_ecdsa(rd, sshkey_info_get(type), &pkey);
    }
    if (r == 0 && type != SSHKEY_ED25519) {
        r = privkey_pairwise(pkey);
    }
    if (r != 0) {
        EVP_PKEY_free(pkey);
        return r == ERR_TRUNC || r == ERR_LIMIT ? ERR_KEY_FORMAT : r;
    }
    if ((r = sshkey_from_pkey(pkey, type, true, &k)) != 0) {
        return r;
    }
    if (k->blob_len != pub_len || memcmp(k->blob, pub, pub_len) != 0) {
        sshkey_free(k);
        return ERR_KEY_FORMAT;
    }
    *out = k;
    return 0;
}

/* Padding after the comment is 1, 2, 3, ... up to the block size. */
static int
privkey_check_padding(struct rd *rd, size_t block)
{
    const uint8_t *pad;
    size_t n = rd_left(rd), i;

    if (n >= block || rd_bytes(rd, n, &pad) != 0) {
        return ERR_KEY_FORMAT;
    }
    for (i = 0; i < n; i++) {
        if (pad[i] != (uint8_t)(i + 1)) {
            return ERR_KEY_FORMAT;
        }
    }
    return 0;
}

/*
 * The private section, decrypted (PROTOCOL.key 3):
 *   uint32  checkint
 *   uint32  checkint (the same)
 *   string  key type, then the type's private fields
 *   string  comment
 *   byte[]  padding 1, 2, 3, ...
 * block is the cipher's block size (8 for "none"). In a decrypted section
 * different check integers mean the passphrase was wrong (as in ssh).
 */
static int
privkey_read_section(const uint8_t *p, size_t n, size_t block, bool decrypted,
                     const uint8_t *pub, size_t pub_len, struct sshkey **out,
                     char **comment)
{
    struct sshkey *k = NULL;
    uint32_t c1, c2;
    const uint8_t *name;
    size_t name_len;
    enum sshkey_type type;
    char *cmt = NULL;
    struct rd rd;
    int r;

    rd_init(&rd, p, n);
    if (n % block != 0 || rd_u32(&rd, &c1) != 0 || rd_u32(&rd, &c2) != 0) {
        return ERR_KEY_FORMAT;
    }
    if (c1 != c2) {
        return decrypted ? ERR_PASSPHRASE : ERR_KEY_FORMAT;
    }
    if (rd_string(&rd, &name, &name_len, LIM_NAME) != 0) {
        return ERR_KEY_FORMAT;
    }
    if ((r = sshkey_type_from_bytes(name, name_len, &type)) != 0 ||
        (r = privkey_read_key(&rd, type, pub, pub_len, &k)) != 0) {
        return r;
    }
    if (rd_cstring(&rd, &cmt, LIM_STRING_SMALL) != 0 ||
        privkey_check_padding(&rd, block) != 0) {
        sshkey_free(k);
        free(cmt);
        return ERR_KEY_FORMAT;
    }
    *out = k;
    if (comment != NULL) {
        *comment = cmt;
    } else {
        free(cmt);
    }
    return 0;
}

/*
 * The encrypted private section: decrypt with pass, then read it. enc is
 * followed in memory by the cipher's tag (checked by the caller).
 */
static int
privkey_read_encrypted(const struct privkey_kdf *kdf, const char *pass,
                       const uint8_t *enc, size_t enc_len, const uint8_t *pub,
                       size_t pub_len, struct sshkey **out, char **comment)
{
    struct buf plain;
    int r;

    buf_init(&plain);
    if ((r = privkey_decrypt(kdf, pass, enc, enc_len, &plain)) == 0) {
        r = privkey_read_section(buf_ptr(&plain), buf_len(&plain),
                                 kdf->cipher->block_size, true, pub, pub_len,
                                 out, comment);
    }
    buf_cleanup(&plain);
    return r;
}

/*
 * openssh-key-v1 (PROTOCOL.key 1):
 *   byte[15] "openssh-key-v1\0"
 *   string   ciphername ("none" unless encrypted)
 *   string   kdfname ("none" unless encrypted)
 *   string   kdfoptions ("" unless encrypted; see privkey_kdf_parse)
 *   uint32   number of keys (we take exactly 1)
 *   string   public key blob
 *   string   private section (see privkey_read_section), encrypted
 *   byte[]   the cipher's tag (AEAD ciphers only: 16 bytes)
 * pass NULL: an encrypted file is ERR_KEY_ENCRYPTED. pub_only: the public
 * key blob's key, nothing decrypted.
 */
static int
privkey_parse_v1(const uint8_t *p, size_t n, const char *pass, bool pub_only,
                 struct sshkey **out, char **comment)
{
    const uint8_t *magic, *cipher, *kdf, *opts, *pub, *priv, *tag;
    size_t cipher_len, kdf_len, opts_len, pub_len, priv_len, tag_len = 0;
    struct privkey_kdf k;
    bool plain;
    uint32_t nkeys;
    struct rd rd;
    int r;

    rd_init(&rd, p, n);
    if (rd_bytes(&rd, PRIVKEY_MAGIC_LEN, &magic) != 0 ||
        memcmp(magic, PRIVKEY_MAGIC, PRIVKEY_MAGIC_LEN) != 0 ||
        rd_string(&rd, &cipher, &cipher_len, LIM_NAME) != 0 ||
        rd_string(&rd, &kdf, &kdf_len, LIM_NAME) != 0 ||
        rd_string(&rd, &opts, &opts_len, LIM_STRING_SMALL) != 0) {
        return ERR_KEY_FORMAT;
    }
    plain = sshkey_name_eq(cipher, cipher_len, "none") &&
            sshkey_name_eq(kdf, kdf_len, "none") && opts_len == 0;
    if (!plain && (r = privkey_kdf_parse(cipher, cipher_len, kdf, kdf_len, opts,
                                         opts_len, &k)) != 0) {
        return r;
    }
    if (!plain) {
        tag_len = k.cipher->auth_len;
    }
    if (rd_u32(&rd, &nkeys) != 0 || nkeys != 1 ||
        rd_string(&rd, &pub, &pub_len, LIM_KEY_BLOB) != 0 ||
        rd_string(&rd, &priv, &priv_len, LIM_FILE_SIZE) != 0 ||
        rd_bytes(&rd, tag_len, &tag) != 0 || rd_end(&rd) != 0) {
        return ERR_KEY_FORMAT;
    }
    if (pub_only) {
        return sshkey_from_blob(pub, pub_len, out);
    }
    if (plain) {
        return privkey_read_section(priv, priv_len, PRIVKEY_BLOCK, false, pub,
                                    pub_len, out, comment);
    }
    if (!privkey_kdf_len_ok(&k, priv_len)) {
        return ERR_KEY_FORMAT;
    }
    if (pass == NULL || pass[0] == '\0') {
        return ERR_KEY_ENCRYPTED;
    }
    return privkey_read_encrypted(&k, pass, priv, priv_len, pub, pub_len, out,
                                  comment);
}

/* What the PEM passphrase callback has and has seen. */
struct privkey_pem_pass {
    const char *pass; /* NULL: supply none */
    bool asked;
};

/* PEM passphrase callback: supplies ours if any, and notes that one was
 * asked for (so a failure is "encrypted" or "wrong passphrase"). */
static int
privkey_pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
    struct privkey_pem_pass *pp = u;
    size_t n;

    (void)rwflag;
    pp->asked = true;
    if (pp->pass == NULL || size <= 0 ||
        (n = strlen(pp->pass)) > (size_t)size) {
        return -1;
    }
    memcpy(buf, pp->pass, n);
    return (int)n;
}

static int
privkey_pkey_type(const EVP_PKEY *pkey, enum sshkey_type *type)
{
    static const enum sshkey_type ec[] = {SSHKEY_ECDSA_P256, SSHKEY_ECDSA_P384,
                                          SSHKEY_ECDSA_P521};
    char group[64];
    size_t i;

    if (EVP_PKEY_is_a(pkey, "ED25519")) {
        *type = SSHKEY_ED25519;
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "RSA")) {
        *type = SSHKEY_RSA;
        return 0;
    }
    if (EVP_PKEY_is_a(pkey, "EC") &&
        EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       sizeof(group), NULL)) {
        for (i = 0; i < sizeof(ec) / sizeof(ec[0]); i++) {
            if (strcmp(group, sshkey_info_get(ec[i])->group) == 0) {
                *type = ec[i];
                return 0;
            }
        }
    }
    return ERR_KEY_TYPE;
}

/* PEM: PKCS#1, SEC1 or PKCS#8, as libcrypto reads them; encrypted ones
 * (Proc-Type: 4,ENCRYPTED or PKCS#8 EncryptedPrivateKeyInfo) with pass. */
static int
privkey_parse_pem(const uint8_t *data, size_t len, const char *pass,
                  struct sshkey **out)
{
    struct privkey_pem_pass pp = {NULL, false};
    EVP_PKEY *pkey = NULL;
    enum sshkey_type type;
    BIO *bio;
    int r;

    if (len > INT32_MAX || (bio = BIO_new_mem_buf(data, (int)len)) == NULL) {
        return ERR_NOMEM;
    }
    pp.pass = pass != NULL && pass[0] != '\0' ? pass : NULL;
    crypto_init_pem();
    pkey = PEM_read_bio_PrivateKey(bio, NULL, privkey_pem_pass_cb, &pp);
    BIO_free(bio);
    ERR_clear_error();
    if (pkey == NULL && pp.asked) {
        return pp.pass != NULL ? ERR_PASSPHRASE : ERR_KEY_ENCRYPTED;
    }
    if (pkey == NULL) {
        return ERR_KEY_FORMAT;
    }
    if ((r = privkey_pkey_type(pkey, &type)) != 0) {
        EVP_PKEY_free(pkey);
        return r;
    }
    return sshkey_from_pkey(pkey, type, true, out);
}

int
sshkey_parse_private(const uint8_t *data, size_t len, struct sshkey **out,
                     char **comment)
{
    return sshkey_parse_private_pass(data, len, NULL, out, comment);
}

int
sshkey_parse_private_pass(const uint8_t *data, size_t len, const char *pass,
                          struct sshkey **out, char **comment)
{
    struct buf bin;
    size_t at;
    int r;

    *out = NULL;
    if (comment != NULL) {
        *comment = NULL;
    }
    if (len > LIM_FILE_SIZE) {
        return ERR_LIMIT;
    }
    if (!privkey_find(data, len, PRIVKEY_BEGIN, 0, &at)) {
        if ((r = privkey_parse_pem(data, len, pass, out)) == 0 &&
            comment != NULL && (*comment = str_ndup("", 0)) == NULL) {
            sshkey_free(*out);
            *out = NULL;
            r = ERR_NOMEM;
        }
        return r;
    }
    buf_init(&bin);
    if ((r = privkey_unarmor(data, len, &bin)) == 0) {
        r = privkey_parse_v1(buf_ptr(&bin), buf_len(&bin), pass, false, out,
                             comment);
    }
    buf_cleanup(&bin);
    return r;
}

int
sshkey_load_private_public(const char *path, struct sshkey **out)
{
    struct buf file, bin;
    size_t at;
    int r;

    *out = NULL;
    buf_init(&file);
    buf_init(&bin);
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) == 0 &&
        !privkey_find(buf_ptr(&file), buf_len(&file), PRIVKEY_BEGIN, 0, &at)) {
        r = ERR_KEY_FORMAT; /* PEM: the public half is encrypted too */
    }
    if (r == 0 &&
        (r = privkey_unarmor(buf_ptr(&file), buf_len(&file), &bin)) == 0) {
        r = privkey_parse_v1(buf_ptr(&bin), buf_len(&bin), NULL, true, out,
                             NULL);
    }
    buf_cleanup(&bin);
    buf_cleanup(&file);
    return r;
}

int
sshkey_load_private(const char *path, struct sshkey **out)
{
    return sshkey_load_private_pass(path, NULL, out);
}

int
sshkey_load_private_pass(const char *path, const char *pass,
                         struct sshkey **out)
{
    struct buf file;
    int r;

    *out = NULL;
    buf_init(&file);
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) == 0) {
        r = sshkey_parse_private_pass(buf_ptr(&file), buf_len(&file), pass, out,
                                      NULL);
    }
    buf_cleanup(&file);
    return r;
}

static int
privkey_put_bn_param(struct buf *b, const EVP_PKEY *pkey, const char *param)
{
    BIGNUM *bn = NULL;
    int r;

    if (!EVP_PKEY_get_bn_param(pkey, param, &bn)) {
        return ERR_CRYPTO;
    }
    r = sshkey_put_bn(b, bn);
    BN_clear_free(bn);
    return r;
}

/*
 * The type name and private fields. For ed25519 and ECDSA they extend the
 * public blob; RSA stores n, e, d, iqmp, p, q in that order.
 */
static int
privkey_put_key(struct buf *b, const struct sshkey *k)
{
    static const char *const rsa[] = {
        OSSL_PKEY_PARAM_RSA_N,       OSSL_PKEY_PARAM_RSA_E,
        OSSL_PKEY_PARAM_RSA_D,       OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
        OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2};
    uint8_t sk[2 * SSHKEY_ED25519_LEN];
    size_t n = SSHKEY_ED25519_LEN, i;
    int r = 0;

    switch (k->type) {
    case SSHKEY_RSA:
        r = buf_put_cstring(b, "ssh-rsa");
        for (i = 0; i < sizeof(rsa) / sizeof(rsa[0]) && r == 0; i++) {
            r = privkey_put_bn_param(b, k->pkey, rsa[i]);
        }
        return r;
    case SSHKEY_ED25519:
        if (EVP_PKEY_get_raw_private_key(k->pkey, sk, &n) != 1 ||
            n != SSHKEY_ED25519_LEN) {
            return ERR_CRYPTO;
        }
        n = SSHKEY_ED25519_LEN;
        if (EVP_PKEY_get_raw_public_key(k->pkey, sk + SSHKEY_ED25519_LEN, &n) !=
            1) {
            r = ERR_CRYPTO;
        }
        if (r == 0 && (r = buf_put(b, k->blob, k->blob_len)) == 0) {
            r = buf_put_string(b, sk, sizeof(sk));
        }
        mem_wipe(sk, sizeof(sk));
        return r;
    default:
        if ((r = buf_put(b, k->blob, k->blob_len)) != 0) {
            return r;
        }
        return privkey_put_bn_param(b, k->pkey, OSSL_PKEY_PARAM_PRIV_KEY);
    }
}

static int
privkey_put_section(struct buf *b, const struct sshkey *k, const char *comment)
{
    uint8_t check[4];
    struct buf sec;
    uint8_t i;
    int r;

    buf_init(&sec);
    if (RAND_bytes(check, sizeof(check)) != 1) {
        return ERR_CRYPTO;
    }
    if ((r = buf_put(&sec, check, 4)) != 0 ||
        (r = buf_put(&sec, check, 4)) != 0 ||
        (r = privkey_put_key(&sec, k)) != 0 ||
        (r = buf_put_cstring(&sec, comment == NULL ? "" : comment)) != 0) {
        goto out;
    }
    for (i = 1; r == 0 && buf_len(&sec) % PRIVKEY_BLOCK != 0; i++) {
        r = buf_put_u8(&sec, i);
    }
    if (r == 0) {
        r = buf_put_buf(b, &sec);
    }
out:
    buf_cleanup(&sec);
    return r;
}

/* base64 in lines of PRIVKEY_WRAP between the armour lines. */
static int
privkey_armor(const struct buf *bin, struct buf *text)
{
    char *b64 = NULL;
    size_t n, i;
    int r;

    if ((r = base64_encode(buf_ptr(bin), buf_len(bin), &b64, true)) != 0) {
        return r;
    }
    n = strlen(b64);
    r = buf_put(text, PRIVKEY_BEGIN "\n", strlen(PRIVKEY_BEGIN) + 1);
    for (i = 0; i < n && r == 0; i += PRIVKEY_WRAP) {
        if ((r = buf_put(text, b64 + i,
                         n - i < PRIVKEY_WRAP ? n - i : PRIVKEY_WRAP)) == 0) {
            r = buf_put_u8(text, '\n');
        }
    }
    if (r == 0) {
        r = buf_put(text, PRIVKEY_END "\n", strlen(PRIVKEY_END) + 1);
    }
    str_free_wiped(b64);
    return r;
}

int
sshkey_save_private(const struct sshkey *k, const char *path,
                    const char *comment)
{
    struct buf bin, text;
    int r;

    if (!k->is_private) {
        return ERR_INVAL;
    }
    buf_init(&bin);
    buf_init(&text);
    if ((r = buf_put(&bin, PRIVKEY_MAGIC, PRIVKEY_MAGIC_LEN)) != 0 ||
        (r = buf_put_cstring(&bin, "none")) != 0 ||
        (r = buf_put_cstring(&bin, "none")) != 0 ||
        (r = buf_put_string(&bin, "", 0)) != 0 ||
        (r = buf_put_u32(&bin, 1)) != 0 ||
        (r = buf_put_string(&bin, k->blob, k->blob_len)) != 0 ||
        (r = privkey_put_section(&bin, k, comment)) != 0 ||
        (r = privkey_armor(&bin, &text)) != 0) {
        goto out;
    }
    r = keyfile_write_atomic(path, buf_ptr(&text), buf_len(&text), 0600);
out:
    buf_cleanup(&bin);
    buf_cleanup(&text);
    return r;
}
