/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: input = uint32 length, public key blob, then a signature
 * blob checked over a fixed message with sshkey_verify().
 */
#include "fuzz.h"
#include "keys/sshkey.h"
#include "wire/rd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t msg[] = "adit fuzz message";
    struct sshkey *k = NULL;
    const uint8_t *blob;
    size_t blob_len;
    struct rd rd;

    rd_init(&rd, data, size);
    if (rd_string(&rd, &blob, &blob_len, 1u << 20) != 0 ||
        sshkey_from_blob(blob, blob_len, &k) != 0) {
        return 0;
    }
    (void)sshkey_verify(k, data + (size - rd_left(&rd)), rd_left(&rd), msg,
                        sizeof(msg) - 1,
                        "ssh-rsa,rsa-sha2-256,rsa-sha2-512,"
                        "ssh-ed25519,ecdsa-sha2-nistp256,"
                        "ecdsa-sha2-nistp384,"
                        "ecdsa-sha2-nistp521");
    sshkey_free(k);
    return 0;
}
