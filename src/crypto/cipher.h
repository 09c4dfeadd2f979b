/* SPDX-License-Identifier: ISC */
/*
 * Packet ciphers: chacha20-poly1305@openssh.com, aes128/256-gcm@openssh.com,
 * aes128/256-ctr. Names exactly as on the wire. The interface follows the
 * shape of OpenSSH's cipher_crypt(): one call en/decrypts a whole packet,
 * with the 4-byte length as additional data for the AEAD modes.
 */
#ifndef ADIT_CRYPTO_CIPHER_H
#define ADIT_CRYPTO_CIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CIPHER_AEAD 0x01       /* has its own tag; no MAC is negotiated */
#define CIPHER_CHACHAPOLY 0x02 /* the length field is encrypted too */

struct cipher_alg {
    const char *name;
    size_t block_size; /* 8 for chacha (for padding), 16 for AES */
    size_t key_len;    /* bytes of key material to derive */
    size_t iv_len;     /* bytes of IV to derive (0 for chacha) */
    size_t auth_len;   /* tag bytes after the packet (16 for AEAD, else 0) */
    unsigned flags;
};

/* NULL if name is not one we implement. */
const struct cipher_alg *cipher_by_name(const char *name);

/* Our default preference list, comma-separated, strongest/fastest first. */
const char *cipher_default_list(void);

struct cipher_ctx;

/*
 * Set up a cipher for one direction. key/iv are key_len/iv_len bytes.
 * 0, ERR_CRYPTO, ERR_NOMEM, ERR_INVAL (wrong lengths).
 */
int cipher_init(struct cipher_ctx **out, const struct cipher_alg *alg,
                const uint8_t *key, size_t key_len, const uint8_t *iv,
                size_t iv_len, bool encrypt);

/* Wipes all key state. NULL is fine. */
void cipher_free(struct cipher_ctx *c);

/*
 * En/decrypt one packet from src to dst (which may be the same memory).
 * The first aadlen bytes (0 or 4: the packet length) are authenticated but
 * not encrypted by GCM, and encrypted with the header key by chacha; then
 * len bytes are en/decrypted. For AEAD ciphers authlen (== auth_len) tag
 * bytes are written after the output when encrypting, or read and checked
 * after the input (at src + aadlen + len) before anything is decrypted.
 * seqnr is the packet sequence number (chacha's nonce).
 * 0, ERR_MAC on a bad tag (dst untouched), ERR_CRYPTO.
 */
int cipher_crypt(struct cipher_ctx *c, uint32_t seqnr, uint8_t *dst,
                 const uint8_t *src, size_t len, size_t aadlen, size_t authlen);

/*
 * The packet length from the first 4 bytes of a packet as received, without
 * changing any state: decrypted with chacha's header key, read as plain
 * otherwise (GCM, and ETM MACs send it in the clear).
 * 0, ERR_TRUNC if len < 4.
 */
int cipher_get_length(struct cipher_ctx *c, uint32_t *plen, uint32_t seqnr,
                      const uint8_t *cp, size_t len);

#endif
