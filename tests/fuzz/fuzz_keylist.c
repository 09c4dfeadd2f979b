/* SPDX-License-Identifier: ISC */
/* Fuzz harness: a TrustedUserCAKeys / RevokedKeys file through
 * keylist_parse(). */
#include "fuzz.h"
#include "keys/keylist.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct keylist l;
    unsigned line;

    if (keylist_parse((const char *)data, size, &l, &line) == 0) {
        keylist_cleanup(&l);
    }
    return 0;
}
