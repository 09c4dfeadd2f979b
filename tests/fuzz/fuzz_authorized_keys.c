/* SPDX-License-Identifier: ISC */
/* Fuzz harness: one authorized_keys line through authkey_parse_line(). */
#include "fuzz.h"
#include "keys/authkeys.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct authkey k;
    char why[128];

    if (authkey_parse_line((const char *)data, size, &k, why, sizeof(why)) ==
        0) {
        authkey_cleanup(&k);
    }
    return 0;
}
