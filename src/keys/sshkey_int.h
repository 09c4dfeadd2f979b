/* SPDX-License-Identifier: ISC */
/* Internals shared by the key modules (not for use outside src/keys/). */
#ifndef ADIT_KEYS_SSHKEY_INT_H
#define ADIT_KEYS_SSHKEY_INT_H

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "keys/sshkey.h"
#include "util/adit_limits.h"
#include "wire/rd.h"

/* RSA moduli below this are refused (OpenSSH allows 1024; we are strict). */
#define SSHKEY_RSA_MIN_BITS 2048u
#define SSHKEY_RSA_MAX_BITS (LIM_MPINT * 8u)
#define SSHKEY_ED25519_LEN 32u
#define SSHKEY_ED25519_SIG_LEN 64u

struct sshkey {
    enum sshkey_type type;
    EVP_PKEY *pkey;
    bool is_private;
    uint8_t *blob; /* cached plain public key blob, set at construction */
    size_t blob_len;
    struct sshcert *cert; /* a certificate for this key, or NULL */
    uint8_t *cert_blob;   /* the certificate as on the wire */
    size_t cert_blob_len;
};

/* Static facts about each key type. */
struct sshkey_info {
    enum sshkey_type type;
    const char *name;      /* blob type name */
    const char *cert_name; /* its certificate's type name */
    const char *curve;     /* "nistp256" ..., or NULL */
    const char *group;     /* OpenSSL group name, or NULL */
    size_t field_len;      /* EC field element bytes, or 0 */
    const char *digest;    /* digest for signatures ("SHA256"), or NULL */
};

const struct sshkey_info *sshkey_info_get(enum sshkey_type type);

/*
 * Wrap pkey (ownership passes in, also on error) as a key of type, with
 * its public blob computed; checks RSA size and EC group.
 */
int sshkey_from_pkey(EVP_PKEY *pkey, enum sshkey_type type, bool is_private,
                     struct sshkey **out);

/* sshkey_from_blob() for plain keys only (a CA key, a host key). */
int sshkey_from_plain_blob(const uint8_t *blob, size_t len,
                           struct sshkey **out);

/*
 * The certificate fields after the certified key, through the signature,
 * which is checked; rd reads the whole certificate blob from its start.
 * nonce is copied. ERR_SIG for a bad CA signature.
 */
int sshcert_read(struct rd *rd, const uint8_t *nonce, size_t nonce_len,
                 struct sshcert **out);

/* Build a public EVP_PKEY from the typed part of a blob (after the name). */
int sshkey_read_pub_fields(struct rd *rd, enum sshkey_type type,
                           EVP_PKEY **out);

/*
 * EVP_PKEY_fromdata() for algorithm alg ("EC", "RSA") from the params in
 * bld. ERR_KEY_FORMAT when libcrypto refuses them.
 */
int sshkey_pkey_fromdata(const char *alg, int selection, OSSL_PARAM_BLD *bld,
                         EVP_PKEY **out);

/* Append an mpint from a BIGNUM. */
int sshkey_put_bn(struct buf *b, const BIGNUM *bn);

/* The type a certificate type name is for; ERR_KEY_TYPE if none. */
int sshkey_cert_type_from_bytes(const uint8_t *s, size_t n,
                                enum sshkey_type *out);

/* sshkey_supports_sig_alg() for the plain key, ignoring any certificate. */
bool sshkey_supports_plain_alg(const struct sshkey *k, const char *sig_alg);

/* sshkey_type_from_name() for a name that is not NUL-terminated. */
int sshkey_type_from_bytes(const uint8_t *s, size_t n, enum sshkey_type *out);

/* True when s (n bytes, not NUL-terminated) equals the C string name. */
bool sshkey_name_eq(const uint8_t *s, size_t n, const char *name);

/* privkey_crypt.c: the cipher and bcrypt parameters of an encrypted
 * openssh-key-v1 file; salt points into the file's bytes. */
struct privkey_kdf {
    const struct cipher_alg *cipher;
    const uint8_t *salt;
    size_t salt_len;
    uint32_t rounds;
};

/* Parse ciphername, kdfname and kdfoptions. ERR_KEY_TYPE (cipher or KDF we
 * do not implement), ERR_KEY_FORMAT, ERR_LIMIT (too many rounds). */
int privkey_kdf_parse(const uint8_t *cipher, size_t cipher_len,
                      const uint8_t *kdf, size_t kdf_len, const uint8_t *opts,
                      size_t opts_len, struct privkey_kdf *out);

/* Is enc_len a whole, non-zero number of the cipher's blocks? */
bool privkey_kdf_len_ok(const struct privkey_kdf *kdf, size_t enc_len);

/*
 * Decrypt the enc_len bytes at enc (followed in memory by the cipher's
 * auth_len tag bytes) with the key and IV bcrypt_pbkdf derives from pass
 * (non-empty), appending the plaintext to out (a wiping buffer).
 * ERR_PASSPHRASE when an AEAD tag does not match (the caller also checks
 * the section's check integers), ERR_KEY_FORMAT, ERR_LIMIT, ERR_CRYPTO.
 */
int privkey_decrypt(const struct privkey_kdf *kdf, const char *pass,
                    const uint8_t *enc, size_t enc_len, struct buf *out);

/*
 * Read a whole file of at most max bytes into out. ERR_NOTFOUND when it
 * does not exist, ERR_LIMIT when larger than max, ERR_IO otherwise.
 */
int keyfile_read(const char *path, size_t max, struct buf *out);

/*
 * Replace path with the n bytes at p: write a temporary file beside it
 * with mode, fsync, then rename over path.
 */
int keyfile_write_atomic(const char *path, const void *p, size_t n,
                         unsigned mode);

#endif
