/* SPDX-License-Identifier: ISC */
/*
 * The pieces of a key exchange that do not depend on transport state:
 * message codecs, the exchange hash and key derivation, for ECDH / X25519
 * (RFC 5656 4, RFC 8731), finite-field DH (RFC 4253 8) and DH group
 * exchange (RFC 4419). Internal to the transport layer.
 */
#ifndef ADIT_TRANSPORT_KEX_H
#define ADIT_TRANSPORT_KEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/digest.h"
#include "crypto/kexalg.h"
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

/* The client's SSH_MSG_KEX_DH_GEX_REQUEST: group sizes in bits. */
struct kex_gex_request {
    uint32_t min, n, max;
};

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
    bool dh; /* q_c and q_s are DH magnitudes e and f, hashed as mpints */
    /* Group exchange only (else NULL): the request, and the group. */
    const struct kex_gex_request *gex;
    struct kex_dh_group group;
};

/*
 * H = HASH(string V_C || string V_S || string I_C || string I_S ||
 *          string K_S || string Q_C || string Q_S || mpint K)
 * (RFC 5656 4, RFC 8731 3); for DH, mpint e and mpint f in place of Q_C
 * and Q_S (RFC 4253 8); for group exchange, uint32 min || uint32 n ||
 * uint32 max || mpint p || mpint g after K_S (RFC 4419 3).
 * Into h (DIGEST_MAX_LEN bytes), *h_len its length. The buffer holding K
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
 * SSH_MSG_KEXDH_INIT (RFC 4253 8) or SSH_MSG_KEX_DH_GEX_INIT (RFC 4419 3)
 * after its message number:
 *
 *   mpint    e, the client's public value
 *
 * *e views e's magnitude (no sign byte). ERR_TRUNC, ERR_LIMIT (over
 * LIM_DH_GROUP_MAX_BITS), ERR_FORMAT (negative or badly padded),
 * ERR_TRAILING.
 */
int kex_dh_init_decode(struct rd *rd, const uint8_t **e, size_t *e_len);

/* A whole payload of message type (30 or 32) with e's magnitude. */
int kex_dh_init_encode(struct buf *out, uint8_t type, const uint8_t *e,
                       size_t e_len);

/*
 * SSH_MSG_KEXDH_REPLY (RFC 4253 8) or SSH_MSG_KEX_DH_GEX_REPLY (RFC 4419
 * 3) after its message number:
 *
 *   string   K_S, the server's public host key blob
 *   mpint    f, the server's public value
 *   string   the signature over the exchange hash H
 *
 * m->q_s views f's magnitude. ERR_TRUNC, ERR_LIMIT, ERR_FORMAT,
 * ERR_TRAILING.
 */
int kex_dh_reply_decode(struct rd *rd, struct kex_ecdh_reply *m);

/* A whole payload of message type (31 or 33); m->q_s is f's magnitude. */
int kex_dh_reply_encode(struct buf *out, uint8_t type,
                        const struct kex_ecdh_reply *m);

/*
 * SSH_MSG_KEX_DH_GEX_REQUEST after its message number (RFC 4419 3):
 *
 *   uint32   min, minimal size in bits of an acceptable group
 *   uint32   n, preferred size in bits of the group
 *   uint32   max, maximal size in bits of an acceptable group
 *
 * ERR_TRUNC, ERR_FORMAT (unless min <= n <= max), ERR_TRAILING.
 */
int kex_gex_request_decode(struct rd *rd, struct kex_gex_request *m);

/* A whole SSH_MSG_KEX_DH_GEX_REQUEST payload. */
int kex_gex_request_encode(struct buf *out, const struct kex_gex_request *m);

/*
 * SSH_MSG_KEX_DH_GEX_GROUP after its message number (RFC 4419 3):
 *
 *   mpint    p, safe prime
 *   mpint    g, generator for subgroup in GF(p)
 *
 * The fields view the magnitudes; the values are not checked here (see
 * kex_dh_group_check). ERR_TRUNC, ERR_LIMIT (over LIM_DH_GROUP_MAX_BITS),
 * ERR_FORMAT, ERR_TRAILING.
 */
int kex_gex_group_decode(struct rd *rd, struct kex_dh_group *m);

/* A whole SSH_MSG_KEX_DH_GEX_GROUP payload. */
int kex_gex_group_encode(struct buf *out, const struct kex_dh_group *m);

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
