/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: SSH_MSG_EXT_INFO (RFC 8308 2.3) after its message number,
 * as the client decodes it; a server-sig-algs value that decodes is a
 * NUL-terminated name-list no longer than the packet.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transport/kex.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *algs = NULL;
    struct rd rd;

    rd_init(&rd, data, size);
    if (kex_ext_info_decode(&rd, &algs) == 0 && algs != NULL &&
        strlen(algs) > size) {
        abort(); /* a value longer than its input */
    }
    free(algs);
    return 0;
}
