/* SPDX-License-Identifier: ISC */
/*
 * Public and private keys: ssh-ed25519, ecdsa-sha2-nistp256/384/521 and RSA
 * (signing rsa-sha2-256/512 only; ssh-rsa SHA-1 signatures are verified
 * only when a caller explicitly allows the name). Blobs per RFC 4253 6.6,
 * RFC 5656 3.1, RFC 8709, RFC 8332.
 */
#ifndef ADIT_KEYS_SSHKEY_H
#define ADIT_KEYS_SSHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

enum sshkey_type {
    SSHKEY_ED25519,
    SSHKEY_ECDSA_P256,
    SSHKEY_ECDSA_P384,
    SSHKEY_ECDSA_P521,
    SSHKEY_RSA,
};

struct sshkey; /* opaque; owns an EVP_PKEY, private part optional */

enum sshkey_type sshkey_type(const struct sshkey *k);
bool sshkey_is_private(const struct sshkey *k);

/* Key type name as in blobs: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa".
 */
const char *sshkey_type_name(const struct sshkey *k);

/* The type name on the wire: the certificate type name for a key that
 * carries a certificate ("ssh-ed25519-cert-v01@openssh.com"), else the
 * same as sshkey_type_name(). */
const char *sshkey_wire_name(const struct sshkey *k);

/* The short label OpenSSH prints in messages: "ED25519", "ECDSA", "RSA",
 * with "-CERT" appended for a certificate. */
const char *sshkey_type_label(const struct sshkey *k);

/* enum value for a key type name; ERR_KEY_TYPE if unknown. */
int sshkey_type_from_name(const char *name, enum sshkey_type *out);

/*
 * True when sig_alg ("rsa-sha2-256", "ssh-ed25519", ...) is a signature
 * algorithm this key can make or check. Host key algorithm negotiation
 * uses the same names.
 */
bool sshkey_supports_sig_alg(const struct sshkey *k, const char *sig_alg);

/* The signature algorithm used when none is negotiated ("rsa-sha2-512" for
 * RSA). */
const char *sshkey_default_sig_alg(const struct sshkey *k);

/*
 * Parse a public key blob, or a certificate (PROTOCOL.certkeys, see
 * keys/sshcert.h), whose CA signature must verify (ERR_SIG otherwise).
 * ERR_KEY_TYPE, ERR_KEY_FORMAT, ERR_TRUNC, ...
 */
int sshkey_from_blob(const uint8_t *blob, size_t len, struct sshkey **out);

/* Append the public key blob (without an outer length) to out: the
 * certificate blob for a key that carries one. */
int sshkey_to_blob(const struct sshkey *k, struct buf *out);

/* Same public key, or the same certificate? A certificate never equals a
 * plain key. (Compares blobs; constant-time not needed: public.) */
bool sshkey_equal_public(const struct sshkey *a, const struct sshkey *b);

/* Same key underneath, whether or not either carries a certificate? */
bool sshkey_equal_plain(const struct sshkey *a, const struct sshkey *b);

/*
 * Sign data with the private key, appending the signature blob
 * (string sig_alg, string signature) to sig. sig_alg NULL means
 * sshkey_default_sig_alg(). ERR_INVAL if the key is public only or cannot
 * make sig_alg.
 */
int sshkey_sign(const struct sshkey *k, const char *sig_alg,
                const uint8_t *data, size_t len, struct buf *sig);

/*
 * Verify a signature blob over data. The blob's algorithm must be one this
 * key supports and, when allowed is not NULL, appear in that comma-separated
 * list. 0 or ERR_SIG (any mismatch), ERR_FORMAT for a malformed blob.
 */
int sshkey_verify(const struct sshkey *k, const uint8_t *sig, size_t sig_len,
                  const uint8_t *data, size_t len, const char *allowed);

/* "SHA256:<unpadded base64>" as OpenSSH prints it, of the plain key (also
 * for a certificate, as OpenSSH does). out >= 64 bytes. */
#define SSHKEY_FP_LEN 64
int sshkey_fingerprint(const struct sshkey *k, char *out, size_t out_len);

/* Generate a new private key (bits only for RSA; 0 = 3072). */
int sshkey_generate(enum sshkey_type type, unsigned bits, struct sshkey **out);

/*
 * Parse a private key file's contents: "-----BEGIN OPENSSH PRIVATE KEY-----"
 * (openssh-key-v1, PROTOCOL.key) or PEM (PKCS#1, SEC1, PKCS#8).
 * ERR_KEY_ENCRYPTED for passphrase-protected keys, ERR_KEY_FORMAT, ...
 * If comment is not NULL it receives a malloc'd comment ("" if none).
 */
int sshkey_parse_private(const uint8_t *data, size_t len, struct sshkey **out,
                         char **comment);

/*
 * The same, decrypting with pass (NULL or "" for none): openssh-key-v1
 * with bcrypt and aes128/256-ctr, aes128/256-gcm@openssh.com or
 * chacha20-poly1305@openssh.com; encrypted PEM as libcrypto reads it.
 * ERR_KEY_ENCRYPTED without a passphrase, ERR_PASSPHRASE when it is wrong,
 * ERR_KEY_TYPE for a cipher or KDF we lack, ERR_KEY_FORMAT, ERR_LIMIT.
 */
int sshkey_parse_private_pass(const uint8_t *data, size_t len, const char *pass,
                              struct sshkey **out, char **comment);

/* Read and parse a private key file (at most LIM_FILE_SIZE); pass as in
 * sshkey_parse_private_pass(). */
int sshkey_load_private(const char *path, struct sshkey **out);
int sshkey_load_private_pass(const char *path, const char *pass,
                             struct sshkey **out);

/*
 * The public key of a private key file without its passphrase: an
 * openssh-key-v1 file keeps it outside the encryption (as ssh's
 * sshkey_load_public reads it when there is no .pub). ERR_KEY_FORMAT for
 * PEM files, whose public half is encrypted with the rest; ERR_NOTFOUND.
 */
int sshkey_load_private_public(const char *path, struct sshkey **out);

/* Write k as an unencrypted openssh-key-v1 file, mode 0600, atomically. */
int sshkey_save_private(const struct sshkey *k, const char *path,
                        const char *comment);

/*
 * Parse "type base64 [comment]" (a .pub file line, an authorized_keys key).
 * On success *consumed (if not NULL) is the number of bytes used up to and
 * including the base64, so callers can find the comment.
 */
int sshkey_parse_public(const char *line, struct sshkey **out,
                        size_t *consumed);

/* Read the first key line of a .pub file. */
int sshkey_load_public(const char *path, struct sshkey **out);

/* "type base64" (malloc'd) for writing a .pub line or known_hosts entry. */
int sshkey_format_public(const struct sshkey *k, char **out);

/* Wipes private parts. NULL is fine. */
void sshkey_free(struct sshkey *k);

/* base64 helpers shared by the key and known_hosts code. */
int base64_encode(const uint8_t *p, size_t n, char **out, bool pad);
/* Decodes standard base64 (padding optional); ERR_FORMAT on bad input. */
int base64_decode(const char *s, size_t n, struct buf *out);

#endif
