/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: a private key file through sshkey_parse_private_pass(),
 * without a passphrase and then with the one the corpus's encrypted keys
 * use, so the KDF options, the decryption and the decrypted section are
 * reached too.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "keys/sshkey.h"

#define FUZZ_PASSPHRASE "adit-pass"

static void
fuzz_one(const uint8_t *data, size_t size, const char *pass)
{
    struct sshkey *k = NULL;
    char *comment = NULL;

    if (sshkey_parse_private_pass(data, size, pass, &k, &comment) == 0) {
        sshkey_free(k);
        free(comment);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_one(data, size, NULL);
    fuzz_one(data, size, FUZZ_PASSPHRASE);
    return 0;
}
