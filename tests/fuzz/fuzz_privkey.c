/* SPDX-License-Identifier: ISC */
/* Fuzz harness: a private key file through sshkey_parse_private(). */
#include <stdlib.h>

#include "fuzz.h"
#include "keys/sshkey.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sshkey *k = NULL;
    char *comment = NULL;

    if (sshkey_parse_private(data, size, &k, &comment) == 0) {
        sshkey_free(k);
        free(comment);
    }
    return 0;
}
