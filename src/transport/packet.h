/* SPDX-License-Identifier: ISC */
/*
 * The binary packet protocol (RFC 4253 6) for one direction: framing,
 * padding, encryption in place, MAC, sequence numbers. Internal to the
 * transport layer.
 *
 *   uint32    packet_length   (of what follows, excluding MAC/tag)
 *   byte      padding_length
 *   byte[n1]  payload
 *   byte[n2]  random padding  (4..255, total a multiple of the block size)
 *   byte[m]   mac or tag
 */
#ifndef ADIT_TRANSPORT_PACKET_H
#define ADIT_TRANSPORT_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "wire/buf.h"

#define PACKET_HEADER 5 /* packet_length + padding_length */
/* Random bytes drawn ahead for padding: one CSPRNG call per this many. */
#define PACKET_PAD_POOL 128u

struct comp;

struct pkt_dir {
    const struct cipher_alg *calg; /* NULL: no encryption yet */
    struct cipher_ctx *cipher;
    const struct mac_alg *malg; /* NULL for AEAD ciphers and before keys */
    struct mac_ctx *mac;
    uint32_t seqnr;
    uint64_t bytes;   /* bytes since the keys were set */
    uint64_t packets; /* packets since the keys were set (for wrap checks) */
    /* receive side: a packet whose length has been read but not all of it
     * has arrived (for CTR without ETM, its first block is decrypted). */
    bool have_len;
    uint32_t pending_len;
    /* Compression of this direction's payloads, owned; NULL (the usual
     * case, and the fast path: no copy) for none. The transport starts
     * and stops it (comp.h); packet_finish deflates, the transport
     * inflates what packet_recv returns. */
    struct comp *z;
    /*
     * Send side: padding taken from random bytes drawn ahead. A RAND_bytes
     * call costs more than sealing a small packet (the DRBG's per-call
     * work and a getpid for its fork check); short connections send
     * packets of a few dozen bytes, so the call is made once for ten or
     * so packets. The bytes already handed out are never served again.
     */
    uint8_t pad_pool[PACKET_PAD_POOL];
    size_t pad_left; /* unused bytes at the end of pad_pool */
};

void pkt_dir_init(struct pkt_dir *d);
/* Wipes and frees keys and the compression stream. */
void pkt_dir_cleanup(struct pkt_dir *d);

/*
 * Switch this direction to new keys (after NEWKEYS). mac may be NULL for
 * AEAD ciphers. Key lengths are the algorithms' own. Resets bytes/packets;
 * the caller resets seqnr for strict kex.
 */
int pkt_dir_set_keys(struct pkt_dir *d, const struct cipher_alg *calg,
                     const uint8_t *key, const uint8_t *iv,
                     const struct mac_alg *malg, const uint8_t *mac_key,
                     bool encrypt);

/*
 * Sending. packet_begin reserves room in out for a packet with up to max
 * payload bytes and points *payload where the payload goes; packet_finish
 * takes the real length, adds header, padding and MAC, encrypts in place,
 * commits it to out and advances seqnr. packet_send does both around a
 * copy. ERR_LIMIT if max > LIM_PACKET_RECV. With compression the payload
 * is deflated in place (room for its worst case is reserved).
 */
int packet_begin(struct pkt_dir *d, struct buf *out, size_t max,
                 uint8_t **payload);
int packet_finish(struct pkt_dir *d, struct buf *out, size_t len);
int packet_send(struct pkt_dir *d, struct buf *out, const uint8_t *payload,
                size_t len);

/*
 * Receiving: take one packet from the front of in, decrypting in place.
 * Returns 0 with *payload and *len viewing the plaintext payload inside in
 * (still compressed if d->z is set: the caller inflates it) and *consumed
 * the bytes the caller drops from in (buf_consume) once done with the
 * payload; seqnr has advanced. ERR_AGAIN: not all of it is here yet.
 * ERR_MAC, ERR_PROTO (bad length or padding), ERR_LIMIT (too long).
 */
int packet_recv(struct pkt_dir *d, struct buf *in, const uint8_t **payload,
                size_t *len, size_t *consumed);

#endif
