/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: each cipher's decrypt path with its packet framing, keyed
 * with fixed keys on both sides so that the fuzzer gets past the MAC. The
 * first input byte, modulo 11, picks the protection: chacha20-poly1305,
 * aes128-gcm, aes256-gcm, then aes128-ctr and aes256-ctr each with
 * hmac-sha2-256, hmac-sha2-512 and their -etm forms. The second byte is
 * the size of the pieces the receiver is fed (0: all at once). The rest is
 * a sequence of messages (fuzz_split.h), each a kind byte and a body:
 *   0  a payload, sent by the sender as a well-formed packet;
 *   1  a whole packet as plaintext (length, padding length, payload,
 *      padding, whatever they say), encrypted and MACed as the sender
 *      would: bad lengths and padding behind a good MAC;
 *   2  raw bytes on the wire (garbage, a desynchronised stream);
 *   3  the last byte on the wire flipped (a MAC or tag failure).
 * Only-kind-0 input must come out as the same payloads in order.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_split.h"
#include "transport/packet.h"
#include "util/err.h"

#define COMBOS 11

static const char *const fuzz_ciphers[] = {
    "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr"};
static const char *const fuzz_macs[] = {"hmac-sha2-256", "hmac-sha2-512",
                                        "hmac-sha2-256-etm@openssh.com",
                                        "hmac-sha2-512-etm@openssh.com"};

/* Both directions' keys: key[i] = i + 1, iv all 0x42, mac key 0x80 + i. */
static int
fuzz_key_pair(struct pkt_dir *enc, struct pkt_dir *dec, unsigned combo)
{
    const struct cipher_alg *c;
    const struct mac_alg *m = NULL;
    uint8_t key[64], iv[16], mkey[64];
    size_t i;

    if (combo < 3) {
        c = cipher_by_name(fuzz_ciphers[combo]);
    } else {
        c = cipher_by_name(fuzz_ciphers[3 + (combo - 3) / 4]);
        m = mac_by_name(fuzz_macs[(combo - 3) % 4]);
    }
    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i + 1);
        mkey[i] = (uint8_t)(0x80 + i);
    }
    memset(iv, 0x42, sizeof(iv));
    if (pkt_dir_set_keys(enc, c, key, iv, m, mkey, true) != 0 ||
        pkt_dir_set_keys(dec, c, key, iv, m, mkey, false) != 0) {
        abort(); /* fixed, valid keys */
    }
    return 0;
}

/* Kind 1: body is a plaintext packet, length field first; seal it as the
 * sender's direction would and append it to wire. */
static void
fuzz_seal_raw(struct pkt_dir *e, struct buf *wire, const uint8_t *body,
              size_t n)
{
    size_t tag = (e->calg->flags & CIPHER_AEAD) != 0 ? e->calg->auth_len
                                                     : e->malg->mac_len;
    uint8_t *p = NULL;
    int r;

    if (n < 4 || buf_reserve(wire, n + tag, &p) != 0) {
        return;
    }
    if (e->malg == NULL) {
        r = cipher_crypt(e->cipher, e->seqnr, p, body, n - 4, 4, tag);
    } else if (e->malg->etm) {
        r = cipher_crypt(e->cipher, e->seqnr, p, body, n - 4, 4, 0);
        r = r != 0 ? r : mac_compute(e->mac, e->seqnr, p, n, p + n);
    } else {
        r = mac_compute(e->mac, e->seqnr, body, n, p + n);
        r = r != 0 ? r : cipher_crypt(e->cipher, e->seqnr, p, body, n, 0, 0);
    }
    if (r != 0) {
        abort();
    }
    buf_commit(wire, n + tag);
    e->seqnr++;
}

/* Builds the wire bytes; *clean is false once anything but kind 0 came. */
static void
fuzz_wire(struct pkt_dir *enc, struct buf *wire, struct buf *want,
          const uint8_t *data, size_t size, bool *clean)
{
    const uint8_t *m;
    size_t len;

    *clean = true;
    while (fuzz_next_msg(&data, &size, &m, &len)) {
        if (len == 0) {
            continue;
        }
        switch (m[0] % 4) {
        case 0:
            if (packet_send(enc, wire, m + 1, len - 1) != 0 ||
                buf_put_string(want, m + 1, len - 1) != 0) {
                abort();
            }
            continue;
        case 1:
            fuzz_seal_raw(enc, wire, m + 1, len - 1);
            break;
        case 2:
            (void)buf_put(wire, m + 1, len - 1);
            break;
        default:
            if (buf_len(wire) > 0) {
                buf_ptr(wire)[buf_len(wire) - 1] ^= (uint8_t)(m[0] | 1);
            }
            break;
        }
        *clean = false;
    }
}

/* The receiver, fed step bytes at a time; checks packet_recv's contract
 * and, for clean input, that the payloads are the ones sent. */
static void
fuzz_receive(struct pkt_dir *dec, const struct buf *wire, size_t step,
             struct buf *want, bool clean)
{
    const uint8_t *w = buf_ptr(wire), *payload;
    size_t left = buf_len(wire), n, len, used;
    struct buf in;
    int r = ERR_AGAIN;

    buf_init(&in);
    while (r == ERR_AGAIN && left > 0) {
        n = step == 0 || step > left ? left : step;
        if (buf_put(&in, w, n) != 0) {
            abort();
        }
        w += n;
        left -= n;
        while ((r = packet_recv(dec, &in, &payload, &len, &used)) == 0) {
            if (used == 0 || used > buf_len(&in) || len > used ||
                (clean &&
                 (buf_len(want) < 4 + len || get_u32_be(buf_ptr(want)) != len ||
                  memcmp(buf_ptr(want) + 4, payload, len) != 0))) {
                abort();
            }
            if (clean) {
                buf_consume(want, 4 + len);
            }
            buf_consume(&in, used);
        }
    }
    if (clean && (r != ERR_AGAIN || buf_len(&in) != 0 || buf_len(want) != 0)) {
        abort(); /* well-formed packets must all come out */
    }
    buf_cleanup(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkt_dir enc, dec;
    struct buf wire, want;
    bool clean;

    if (size < 2) {
        return 0;
    }
    pkt_dir_init(&enc);
    pkt_dir_init(&dec);
    buf_init(&wire);
    buf_init(&want);
    fuzz_key_pair(&enc, &dec, data[0] % COMBOS);
    fuzz_wire(&enc, &wire, &want, data + 2, size - 2, &clean);
    fuzz_receive(&dec, &wire, data[1], &want, clean);
    buf_cleanup(&wire);
    buf_cleanup(&want);
    pkt_dir_cleanup(&enc);
    pkt_dir_cleanup(&dec);
    return 0;
}
