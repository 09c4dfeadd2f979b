/* SPDX-License-Identifier: ISC */
/*
 * The pieces of an ECDH / X25519 key exchange (RFC 5656 4, RFC 8731) that
 * do not depend on transport state: message codecs, the exchange hash and
 * key derivation. Internal to the transport layer.
 */
#ifndef ADIT_TRANSPORT_KEX_H
#define ADIT_TRANSPORT_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/digest.h"
#include "crypto/mac.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* Largest key, IV or MAC key any of our algorithms uses. */
#define KEX_KEY_MAX 64

/* New keys for one direction, derived but not yet in use. */
struct kex_dirkeys {
    const struct cipher_alg *calg;
    const struct mac_alg *malg; /* NULL for AEAD ciphers */
    uint8_t iv[KEX_KEY_MAX];
    uint8_t key[KEX_KEY_MAX];
    uint8_t mac_key[KEX_KEY_MAX];
};

/* Wipe the key material (the algorithm pointers stay). */
void kex_dirkeys_wipe(struct kex_dirkeys *k);

/*
 * The exchange hash inputs (RFC 5656 4). k_enc is the shared secret already
 * encoded as an mpint, as kex_keypair_derive() produces it.
 */
struct kex_hash_input {
    const char *v_c, *v_s;    /* version lines without CR LF */
    const uint8_t *i_c, *i_s; /* KEXINIT payloads, message number included */
    size_t i_c_len, i_s_len;
    const uint8_t *k_s; /* host key blob */
    size_t k_s_len;
    const uint8_t *q_c, *q_s; /* ephemeral public values */
    size_t q_c_len, q_s_len;
    const uint8_t *k_enc;
    size_t k_enc_len;
};

/*
 * H = HASH(string V_C || string V_S || string I_C || string I_S ||
 *          string K_S || string Q_C || string Q_S || mpint K)
 * into h (DIGEST_MAX_LEN bytes), *h_len its length. The buffer holding K
 * is wiped. 0, ERR_CRYPTO, ERR_NOMEM, ERR_LIMIT.
 */
int kex_exchange_hash(enum digest_alg alg, const struct kex_hash_input *in,
                      uint8_t *h, size_t *h_len);

/*
 * Derive IVs (letters A, B), keys (C, D) and MAC keys (E, F) for both
 * directions (RFC 4253 7.2). c2s->calg / malg and s2c's must be set;
 * lengths are theirs. On error both are wiped. 0, ERR_CRYPTO, ERR_INVAL.
 */
int kex_derive_keys(enum digest_alg alg, const uint8_t *k_enc, size_t k_enc_len,
                    const uint8_t *h, size_t h_len, const uint8_t *sid,
                    size_t sid_len, struct kex_dirkeys *c2s,
                    struct kex_dirkeys *s2c);

/*
 * SSH_MSG_KEX_ECDH_INIT after its message number (RFC 5656 4):
 *
 *   string   Q_C, the client's ephemeral public key
 *
 * *q views the input. ERR_TRUNC, ERR_LIMIT, ERR_TRAILING.
 */
int kex_ecdh_init_decode(struct rd *rd, const uint8_t **q, size_t *q_len);

/* A whole SSH_MSG_KEX_ECDH_INIT payload. */
int kex_ecdh_init_encode(struct buf *out, const uint8_t *q, size_t q_len);

/*
 * SSH_MSG_KEX_ECDH_REPLY after its message number (RFC 5656 4):
 *
 *   string   K_S, the server's public host key blob
 *   string   Q_S, the server's ephemeral public key
 *   string   the signature over the exchange hash H
 *
 * The fields view the input. ERR_TRUNC, ERR_LIMIT, ERR_TRAILING.
 */
struct kex_ecdh_reply {
    const uint8_t *k_s, *q_s, *sig;
    size_t k_s_len, q_s_len, sig_len;
};
int kex_ecdh_reply_decode(struct rd *rd, struct kex_ecdh_reply *m);

/* A whole SSH_MSG_KEX_ECDH_REPLY payload. */
int kex_ecdh_reply_encode(struct buf *out, const struct kex_ecdh_reply *m);

/*
 * SSH_MSG_EXT_INFO after its message number (RFC 8308 2.3):
 *
 *   uint32   nr-extensions
 *   repeat nr-extensions times:
 *     string   extension-name
 *     string   extension-value
 *
 * Returns the value of "server-sig-algs" as a malloc'd string in
 * *server_sig_algs (NULL if absent). Other extensions are skipped.
 * ERR_TRUNC, ERR_LIMIT, ERR_FORMAT, ERR_TRAILING, ERR_NOMEM.
 */
int kex_ext_info_decode(struct rd *rd, char **server_sig_algs);

/* A whole EXT_INFO payload with just server-sig-algs. */
int kex_ext_info_encode(struct buf *out, const char *server_sig_algs);

#endif
