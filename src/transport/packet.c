/* SPDX-License-Identifier: ISC */
/* The binary packet protocol: framing, padding, MAC and encryption. */
#include "transport/packet.h"

#include <string.h>

#include "crypto/rand.h"
#include "transport/comp.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/rd.h"

#define PACKET_LEN_FIELD 4  /* uint32 packet_length */
#define PACKET_BLOCK_MIN 8u /* RFC 4253 6: padding unit is at least 8 */

/*
 * How a direction protects its packets:
 *   NONE     before the first NEWKEYS: plain, padded to 8;
 *   AEAD     chacha20-poly1305 or AES-GCM, the tag follows the packet;
 *   ETM      length in the clear, MAC over seqnr || length || ciphertext;
 *   CLASSIC  the whole packet encrypted, MAC over seqnr || plaintext.
 * In AEAD and ETM modes the length field is not part of the padded unit.
 */
enum pkt_mode { MODE_NONE, MODE_AEAD, MODE_ETM, MODE_CLASSIC };

static enum pkt_mode
pkt_mode(const struct pkt_dir *d)
{
    if (d->calg == NULL) {
        return MODE_NONE;
    }
    if ((d->calg->flags & CIPHER_AEAD) != 0) {
        return MODE_AEAD;
    }
    return d->malg->etm ? MODE_ETM : MODE_CLASSIC;
}

static bool
pkt_length_is_aad(const struct pkt_dir *d)
{
    enum pkt_mode m = pkt_mode(d);

    return m == MODE_AEAD || m == MODE_ETM;
}

/* The padding unit: the cipher's block size, but at least 8. */
static size_t
pkt_block(const struct pkt_dir *d)
{
    if (d->calg == NULL || d->calg->block_size < PACKET_BLOCK_MIN) {
        return PACKET_BLOCK_MIN;
    }
    return d->calg->block_size;
}

/* Bytes of MAC or tag after the packet. */
static size_t
pkt_maclen(const struct pkt_dir *d)
{
    switch (pkt_mode(d)) {
    case MODE_AEAD:
        return d->calg->auth_len;
    case MODE_ETM:
    case MODE_CLASSIC:
        return d->malg->mac_len;
    case MODE_NONE:
        break;
    }
    return 0;
}

void
pkt_dir_init(struct pkt_dir *d)
{
    memset(d, 0, sizeof(*d));
}

void
pkt_dir_cleanup(struct pkt_dir *d)
{
    cipher_free(d->cipher);
    mac_free(d->mac);
    comp_free(d->z);
    mem_wipe(d, sizeof(*d));
}

int
pkt_dir_set_keys(struct pkt_dir *d, const struct cipher_alg *calg,
                 const uint8_t *key, const uint8_t *iv,
                 const struct mac_alg *malg, const uint8_t *mac_key,
                 bool encrypt)
{
    struct cipher_ctx *c = NULL;
    struct mac_ctx *m = NULL;
    bool aead;
    int r;

    if (calg == NULL) {
        return ERR_INVAL;
    }
    aead = (calg->flags & CIPHER_AEAD) != 0;
    if (!aead && (malg == NULL || mac_key == NULL)) {
        return ERR_INVAL;
    }
    if ((r = cipher_init(&c, calg, key, calg->key_len, iv, calg->iv_len,
                         encrypt)) != 0 ||
        (!aead && (r = mac_init(&m, malg, mac_key, malg->key_len)) != 0)) {
        goto out;
    }
    cipher_free(d->cipher);
    mac_free(d->mac);
    d->calg = calg;
    d->cipher = c;
    d->malg = aead ? NULL : malg;
    d->mac = m;
    d->bytes = d->packets = 0;
    d->have_len = false;
    d->pending_len = 0;
    c = NULL;
    m = NULL;
out:
    cipher_free(c);
    mac_free(m);
    return r;
}

/* Padding for a payload of len bytes: 4 or more, making the padded unit a
 * multiple of the block size (RFC 4253 6; OpenSSH PROTOCOL 1.5, 1.6). */
static size_t
pkt_padding(const struct pkt_dir *d, size_t len)
{
    size_t bs = pkt_block(d);
    size_t unit = 1 + len + (pkt_length_is_aad(d) ? 0 : PACKET_LEN_FIELD);
    size_t pad = bs - unit % bs;

    if (pad < LIM_PADDING_MIN) {
        pad += bs;
    }
    return pad;
}

int
packet_begin(struct pkt_dir *d, struct buf *out, size_t max, uint8_t **payload)
{
    uint8_t *p = NULL;
    int r;

    *payload = NULL;
    if (max > LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    if (d->z != NULL) {
        max = comp_bound(max); /* deflated in place by packet_finish */
    }
    /* Padding is never more than one block plus the minimum. */
    if ((r = buf_reserve(out,
                         PACKET_HEADER + max + pkt_block(d) + LIM_PADDING_MIN +
                             pkt_maclen(d),
                         &p)) != 0) {
        return r;
    }
    *payload = p + PACKET_HEADER;
    return 0;
}

/* Encrypt and MAC (or seal) the packet of plen bytes after its length at
 * p, in place; the MAC or tag goes right after it. */
static int
pkt_seal(struct pkt_dir *d, uint8_t *p, uint32_t plen)
{
    uint8_t *mac = p + PACKET_LEN_FIELD + plen;
    int r;

    switch (pkt_mode(d)) {
    case MODE_NONE:
        return 0;
    case MODE_AEAD:
        return cipher_crypt(d->cipher, d->seqnr, p, p, plen, PACKET_LEN_FIELD,
                            d->calg->auth_len);
    case MODE_ETM:
        if ((r = cipher_crypt(d->cipher, d->seqnr, p, p, plen, PACKET_LEN_FIELD,
                              0)) != 0) {
            return r;
        }
        return mac_compute(d->mac, d->seqnr, p, PACKET_LEN_FIELD + plen, mac);
    case MODE_CLASSIC:
        if ((r = mac_compute(d->mac, d->seqnr, p, PACKET_LEN_FIELD + plen,
                             mac)) != 0) {
            return r;
        }
        return cipher_crypt(d->cipher, d->seqnr, p, p, PACKET_LEN_FIELD + plen,
                            0, 0);
    }
    return ERR_INTERNAL;
}

/*
 * Deflate the payload of len bytes that packet_begin placed after the
 * header at the end of out, in place; *len becomes the compressed size.
 */
static int
pkt_compress(struct pkt_dir *d, struct buf *out, size_t *len)
{
    const uint8_t *z = NULL;
    uint8_t *p = NULL;
    size_t zlen = 0;
    int r;

    /* Within the room packet_begin reserved: nothing moves. */
    if (PACKET_HEADER + *len > out->cap - out->len) {
        return ERR_INVAL;
    }
    if ((r = buf_reserve(out, PACKET_HEADER + *len, &p)) != 0 ||
        (r = comp_deflate(d->z, p + PACKET_HEADER, *len, &z, &zlen)) != 0) {
        return r;
    }
    if (zlen > out->cap - out->len - PACKET_HEADER) {
        return ERR_INTERNAL;
    }
    memcpy(p + PACKET_HEADER, z, zlen);
    *len = zlen;
    return 0;
}

/*
 * n random padding bytes at p, from the pool, refilled as it runs out. A
 * fuzzing build draws per packet, as when its seed corpora were recorded
 * against a fixed random stream (tests/fuzz/fuzz_rand.h): drawing ahead
 * would move every later draw and the recorded logins would not replay.
 */
#ifdef ADIT_FUZZING
static int
pkt_pad_random(struct pkt_dir *d, uint8_t *p, size_t n)
{
    (void)d;
    return rand_bytes(p, n);
}
#else
static int
pkt_pad_random(struct pkt_dir *d, uint8_t *p, size_t n)
{
    size_t take;
    int r;

    while (n > 0) {
        if (d->pad_left == 0) {
            if ((r = rand_bytes(d->pad_pool, sizeof(d->pad_pool))) != 0) {
                return r;
            }
            d->pad_left = sizeof(d->pad_pool);
        }
        take = n < d->pad_left ? n : d->pad_left;
        memcpy(p, d->pad_pool + sizeof(d->pad_pool) - d->pad_left, take);
        d->pad_left -= take;
        p += take;
        n -= take;
    }
    return 0;
}
#endif

int
packet_finish(struct pkt_dir *d, struct buf *out, size_t len)
{
    size_t pad, plen, total;
    uint8_t *p = NULL;
    int r;

    if (len > LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    if (d->z != NULL && (r = pkt_compress(d, out, &len)) != 0) {
        return r;
    }
    pad = pkt_padding(d, len);
    plen = 1 + len + pad;
    total = PACKET_LEN_FIELD + plen + pkt_maclen(d);
    /*
     * The payload was written into room packet_begin reserved; asking for
     * more than is free would move the buffer and lose it, so check first.
     */
    if (total > out->cap - out->len) {
        return ERR_INVAL;
    }
    if ((r = buf_reserve(out, total, &p)) != 0) {
        return r;
    }
    put_u32_be(p, (uint32_t)plen);
    p[PACKET_LEN_FIELD] = (uint8_t)pad;
    if ((r = pkt_pad_random(d, p + PACKET_HEADER + len, pad)) != 0 ||
        (r = pkt_seal(d, p, (uint32_t)plen)) != 0) {
        mem_wipe(p, total);
        return r;
    }
    buf_commit(out, total);
    d->seqnr++;
    d->packets++;
    d->bytes += total;
    return 0;
}

int
packet_send(struct pkt_dir *d, struct buf *out, const uint8_t *payload,
            size_t len)
{
    uint8_t *p = NULL;
    int r;

    if ((r = packet_begin(d, out, len, &p)) != 0) {
        return r;
    }
    if (len > 0) {
        memcpy(p, payload, len);
    }
    return packet_finish(d, out, len);
}

/*
 * Check a packet_length before anything else is done with the packet:
 * at most LIM_PACKET_RECV, room for the padding length byte and minimum
 * padding, and a whole number of blocks (counting the length field itself
 * only when it is encrypted with the rest, RFC 4253 6).
 */
static int
pkt_check_length(const struct pkt_dir *d, uint32_t plen)
{
    size_t bs = pkt_block(d);

    if (plen > LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    if (pkt_length_is_aad(d)) {
        if (plen < 1 + LIM_PADDING_MIN || plen % bs != 0) {
            return ERR_PROTO;
        }
    } else if (PACKET_LEN_FIELD + plen < LIM_PACKET_MIN ||
               (PACKET_LEN_FIELD + plen) % bs != 0) {
        return ERR_PROTO;
    }
    return 0;
}

/*
 * Learn the length of the packet at the front of p[0..n): decrypted with
 * chacha's header key, in the clear for GCM and ETM, or from the first
 * cipher block, decrypted in place, in classic mode.
 */
static int
pkt_read_length(struct pkt_dir *d, uint8_t *p, size_t n)
{
    uint32_t plen = 0;
    struct rd rd;
    size_t first;
    int r;

    if (pkt_mode(d) == MODE_CLASSIC) {
        first = d->calg->block_size;
        if (n < first) {
            return ERR_AGAIN;
        }
        if ((r = cipher_crypt(d->cipher, d->seqnr, p, p, first, 0, 0)) != 0) {
            return r;
        }
    }
    if (n < PACKET_LEN_FIELD) {
        return ERR_AGAIN;
    }
    if (pkt_mode(d) == MODE_AEAD) {
        r = cipher_get_length(d->cipher, &plen, d->seqnr, p, n);
    } else {
        rd_init(&rd, p, n);
        r = rd_u32(&rd, &plen);
    }
    if (r != 0 || (r = pkt_check_length(d, plen)) != 0) {
        return r;
    }
    d->have_len = true;
    d->pending_len = plen;
    return 0;
}

/*
 * Authenticate and decrypt, in place, the whole packet at p whose length
 * has been read: the MAC or tag is always checked before any byte of an
 * AEAD or ETM packet is decrypted.
 */
static int
pkt_open(struct pkt_dir *d, uint8_t *p, uint32_t plen)
{
    const uint8_t *mac = p + PACKET_LEN_FIELD + plen;
    size_t bs;
    int r;

    switch (pkt_mode(d)) {
    case MODE_NONE:
        return 0;
    case MODE_AEAD:
        return cipher_crypt(d->cipher, d->seqnr, p, p, plen, PACKET_LEN_FIELD,
                            d->calg->auth_len);
    case MODE_ETM:
        if ((r = mac_verify(d->mac, d->seqnr, p, PACKET_LEN_FIELD + plen,
                            mac)) != 0) {
            return r;
        }
        return cipher_crypt(d->cipher, d->seqnr, p, p, plen, PACKET_LEN_FIELD,
                            0);
    case MODE_CLASSIC:
        /* The first block was decrypted to read the length. */
        bs = d->calg->block_size;
        if ((r = cipher_crypt(d->cipher, d->seqnr, p + bs, p + bs,
                              PACKET_LEN_FIELD + plen - bs, 0, 0)) != 0) {
            return r;
        }
        return mac_verify(d->mac, d->seqnr, p, PACKET_LEN_FIELD + plen, mac);
    }
    return ERR_INTERNAL;
}

/*
 * The decrypted packet (RFC 4253 6):
 *   uint32    packet_length
 *   byte      padding_length   (>= 4, and < packet_length)
 *   byte[n1]  payload          (packet_length - padding_length - 1)
 *   byte[n2]  random padding
 */
static int
pkt_payload(const uint8_t *p, uint32_t plen, const uint8_t **payload,
            size_t *len)
{
    struct rd rd;
    uint32_t l = 0;
    uint8_t padlen = 0;
    int r;

    rd_init(&rd, p, PACKET_LEN_FIELD + (size_t)plen);
    if ((r = rd_u32(&rd, &l)) != 0 || (r = rd_u8(&rd, &padlen)) != 0) {
        return r;
    }
    if (padlen < LIM_PADDING_MIN || padlen >= plen) {
        return ERR_PROTO;
    }
    *len = plen - 1 - padlen;
    return rd_bytes(&rd, *len, payload);
}

int
packet_recv(struct pkt_dir *d, struct buf *in, const uint8_t **payload,
            size_t *len, size_t *consumed)
{
    uint8_t *p = buf_ptr(in);
    size_t n = buf_len(in), total;
    int r;

    *payload = NULL;
    *len = 0;
    *consumed = 0;
    if (!d->have_len && (r = pkt_read_length(d, p, n)) != 0) {
        return r;
    }
    total = PACKET_LEN_FIELD + (size_t)d->pending_len + pkt_maclen(d);
    if (n < total) {
        return ERR_AGAIN;
    }
    if ((r = pkt_open(d, p, d->pending_len)) != 0 ||
        (r = pkt_payload(p, d->pending_len, payload, len)) != 0) {
        *payload = NULL;
        *len = 0;
        return r;
    }
    *consumed = total;
    d->have_len = false;
    d->pending_len = 0;
    d->seqnr++;
    d->packets++;
    d->bytes += total;
    return 0;
}
