/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: packet_recv. The first input byte, modulo 5, picks the
 * receiver, one per way a direction protects its packets: 0 plaintext
 * (before keys), 1 aes128-ctr + hmac-sha2-256 (MAC over the plaintext),
 * 2 chacha20-poly1305, 3 aes256-ctr + hmac-sha2-512-etm (MAC over the
 * ciphertext), 4 aes128-gcm (length in the clear, AEAD). Each is keyed
 * with the fixed keys below so that a corpus entry can hold packets that
 * really decrypt. The rest is the byte stream.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transport/packet.h"
#include "util/err.h"

/* The fixed keys: key[i] = i + 1, iv all 0x42, mac key[i] = 0x80 + i. */
static int
fuzz_keys(struct pkt_dir *d, uint8_t which)
{
    static const char *const algs[][2] = {
        {NULL, NULL},
        {"aes128-ctr", "hmac-sha2-256"},
        {"chacha20-poly1305@openssh.com", NULL},
        {"aes256-ctr", "hmac-sha2-512-etm@openssh.com"},
        {"aes128-gcm@openssh.com", NULL},
    };
    const char *const *a = algs[which % (sizeof(algs) / sizeof(algs[0]))];
    uint8_t key[64], iv[16], mkey[64];
    size_t i;

    if (a[0] == NULL) {
        return 0;
    }
    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i + 1);
        mkey[i] = (uint8_t)(0x80 + i);
    }
    memset(iv, 0x42, sizeof(iv));
    return pkt_dir_set_keys(d, cipher_by_name(a[0]), key, iv,
                            a[1] != NULL ? mac_by_name(a[1]) : NULL, mkey,
                            false);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkt_dir d;
    struct buf in;
    const uint8_t *payload;
    size_t len, used, i;
    int r = 0;

    if (size < 1) {
        return 0;
    }
    pkt_dir_init(&d);
    buf_init(&in);
    if (fuzz_keys(&d, data[0]) != 0 || buf_put(&in, data + 1, size - 1) != 0) {
        goto out;
    }
    /* Each successful pass consumes at least one packet's bytes. */
    for (i = 0; i < size && r == 0; i++) {
        r = packet_recv(&d, &in, &payload, &len, &used);
        if (r == 0) {
            if (used == 0 || used > buf_len(&in) || len > used) {
                abort(); /* broken contract */
            }
            buf_consume(&in, used);
        }
    }
out:
    buf_cleanup(&in);
    pkt_dir_cleanup(&d);
    return 0;
}
