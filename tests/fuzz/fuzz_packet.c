/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: packet_recv. The first input byte picks the receiver:
 * 0 plaintext (before keys), 1 aes128-ctr + hmac-sha2-256, 2 chacha20-
 * poly1305, each keyed with the fixed keys below so that a corpus entry
 * can hold packets that really decrypt. The rest is the byte stream.
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
    const struct cipher_alg *c = NULL;
    const struct mac_alg *m = NULL;
    uint8_t key[64], iv[16], mkey[64];
    size_t i;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i + 1);
        mkey[i] = (uint8_t)(0x80 + i);
    }
    memset(iv, 0x42, sizeof(iv));
    switch (which % 3) {
    case 0:
        return 0;
    case 1:
        c = cipher_by_name("aes128-ctr");
        m = mac_by_name("hmac-sha2-256");
        break;
    default:
        c = cipher_by_name("chacha20-poly1305@openssh.com");
        break;
    }
    return pkt_dir_set_keys(d, c, key, iv, m, mkey, false);
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
