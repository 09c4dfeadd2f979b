/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: signature blobs (string sig_alg, string signature) checked
 * by sshkey_verify for each key type, with fixed keys so that a corpus
 * entry can hold a real signature for the fuzzer to mutate. Input: one
 * byte picking the key (modulo 5: ed25519, ecdsa p256, p384, p521, rsa),
 * one picking the allowed list (none, or only what the key's default
 * algorithm is, or rsa-sha2-256), a 2-byte length of the signed data, the
 * data, then the blob. Whatever verifies must also verify again: the
 * check has no state.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_keys.h"
#include "util/err.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {NULL, NULL, "rsa-sha2-256"};
    const struct sshkey *k;
    const char *allow;
    size_t dlen;
    int r;

    if (size < 4) {
        return 0;
    }
    k = fuzz_key((enum fuzz_key)(data[0] % FUZZ_KEY_COUNT));
    allow = allowed[data[1] % 3];
    if (data[1] % 3 == 1) {
        allow = sshkey_default_sig_alg(k);
    }
    dlen = (size_t)data[2] << 8 | data[3];
    data += 4;
    size -= 4;
    if (dlen > size) {
        dlen = size;
    }
    r = sshkey_verify(k, data + dlen, size - dlen, data, dlen, allow);
    if (r == 0 &&
        sshkey_verify(k, data + dlen, size - dlen, data, dlen, allow) != 0) {
        abort();
    }
    if (r != 0 && r != ERR_SIG && r != ERR_FORMAT) {
        abort(); /* the contract names only these two failures */
    }
    return 0;
}
