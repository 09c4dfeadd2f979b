/* SPDX-License-Identifier: ISC */
/*
 * Key exchange primitives: ephemeral key pairs and shared secrets for
 * curve25519-sha256 (and @libssh.org), ecdh-sha2-nistp256/384/521, and
 * finite-field Diffie-Hellman: diffie-hellman-group14-sha256 and
 * -group16-sha512 (RFC 8268, groups from RFC 3526) and
 * diffie-hellman-group-exchange-sha256 (RFC 4419). The message flow and
 * exchange hash live in transport/.
 */
#ifndef ADIT_CRYPTO_KEXALG_H
#define ADIT_CRYPTO_KEXALG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/digest.h"
#include "wire/buf.h"

enum kex_kind {
    KEX_KIND_X25519,
    KEX_KIND_ECDH,
    KEX_KIND_DH,     /* a fixed RFC 3526 group */
    KEX_KIND_DH_GEX, /* the group comes from the server (RFC 4419) */
};

struct kex_alg {
    const char *name;
    enum kex_kind kind;
    enum digest_alg hash;
    int curve_nid;    /* for ECDH: NID_X9_62_prime256v1, NID_secp384r1, ... */
    unsigned dh_bits; /* for KEX_KIND_DH: the size of the group's prime */
};

/* NULL for unknown names (including the ext-info / strict-kex markers). */
const struct kex_alg *kex_alg_by_name(const char *name);
/*
 * The client's default preference list, without markers: the elliptic
 * curves first, then finite-field DH for old servers.
 */
const char *kex_default_list(void);

/* The host key algorithms a client offers by default, best first. */
#define KEXALG_CLIENT_HOSTKEY_ALGS                                             \
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"                     \
    "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"

/*
 * Every user key algorithm adit accepts in user authentication, the
 * certificate forms first as OpenSSH lists them: aditd's default and the
 * client's PubkeyAcceptedAlgorithms default (server-sig-algs, which names
 * signature algorithms, carries only the plain names, as sshd sends it).
 */
#define KEXALG_PUBKEY_ALGS                                                     \
    "ssh-ed25519-cert-v01@openssh.com,"                                        \
    "ecdsa-sha2-nistp256-cert-v01@openssh.com,"                                \
    "ecdsa-sha2-nistp384-cert-v01@openssh.com,"                                \
    "ecdsa-sha2-nistp521-cert-v01@openssh.com,"                                \
    "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"     \
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"                     \
    "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"
/* The server's default list: the elliptic curves only. */
const char *kex_server_default_list(void);

/* True for the finite-field kinds, whose public values are mpints. */
bool kex_alg_is_dh(const struct kex_alg *alg);

/*
 * A finite-field DH group as unsigned big-endian magnitudes (an mpint's
 * value without its length or sign byte).
 */
struct kex_dh_group {
    const uint8_t *p, *g;
    size_t p_len, g_len;
};

/*
 * Check a group the server sent in KEX_DH_GEX_GROUP (RFC 4419 3) against
 * what we asked for: p odd and min_bits <= bits(p) <= max_bits (and
 * within LIM_DH_GROUP_MIN_BITS..LIM_DH_GROUP_MAX_BITS whatever was asked),
 * 1 < g < p - 1. Primality is not tested (an 8192-bit test takes seconds);
 * the group is covered by the host key's signature over H. 0, ERR_FORMAT,
 * ERR_NOMEM.
 */
int kex_dh_group_check(const struct kex_dh_group *grp, uint32_t min_bits,
                       uint32_t max_bits);

struct kex_keypair;

/*
 * Generate an ephemeral key pair (for KEX_KIND_DH in the algorithm's
 * fixed group). 0, ERR_CRYPTO, ERR_NOMEM, ERR_INVAL (KEX_KIND_DH_GEX,
 * which needs a group: see below).
 */
int kex_keypair_new(struct kex_keypair **out, const struct kex_alg *alg);

/*
 * Client, group exchange: a key pair in the group the server sent, already
 * checked with kex_dh_group_check(). 0, ERR_INVAL, ERR_CRYPTO, ERR_NOMEM.
 */
int kex_keypair_new_group(struct kex_keypair **out, const struct kex_alg *alg,
                          const struct kex_dh_group *grp);

/*
 * Server, group exchange: a key pair in the RFC 3526 group (2048, 3072,
 * 4096, 6144 or 8192 bits) nearest the client's request (RFC 4419 3): the
 * smallest at least n bits, else the largest; always within min..max,
 * which are first clamped to LIM_DH_GROUP_MIN_BITS..LIM_DH_GROUP_MAX_BITS.
 * The caller has checked min <= n <= max. ERR_FORMAT when no group fits;
 * ERR_CRYPTO, ERR_NOMEM.
 */
int kex_keypair_new_gex(struct kex_keypair **out, const struct kex_alg *alg,
                        uint32_t min, uint32_t n, uint32_t max);

/* DH kinds: the key pair's group; the views live as long as kp. */
void kex_keypair_group(const struct kex_keypair *kp, struct kex_dh_group *grp);

/*
 * Our public value as sent on the wire (Q_C / Q_S: 32 raw bytes for
 * X25519, an uncompressed SEC1 point for ECDH; for DH the magnitude of e
 * or f, to be sent as an mpint). The view lives as long as the key pair.
 */
void kex_keypair_public(const struct kex_keypair *kp, const uint8_t **pub,
                        size_t *len);

/*
 * Compute the shared secret with the peer's public value and append it to
 * out encoded as an SSH mpint (uint32 length + bytes), which is how it is
 * hashed into H and the KDF (RFC 8731 3.1, RFC 5656 4, RFC 4253 8). For DH
 * the peer value is the magnitude of its mpint. ERR_FORMAT for a peer
 * value of the wrong length or not on the curve, an all-zero X25519
 * result, or a DH value outside 1 < f < p - 1 (or with a single bit set,
 * as OpenSSH refuses); ERR_CRYPTO otherwise.
 */
int kex_keypair_derive(const struct kex_keypair *kp, const uint8_t *peer,
                       size_t peer_len, struct buf *out);

/* Wipes the private key. NULL is fine. */
void kex_keypair_free(struct kex_keypair *kp);

#endif
