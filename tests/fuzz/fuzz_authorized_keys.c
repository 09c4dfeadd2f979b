/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: one line through authkey_parse_line() (authorized_keys)
 * and through authkeys_principal_line() (AuthorizedPrincipalsFile).
 */
#include <stdlib.h>

#include "fuzz.h"
#include "keys/authkeys.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct authkey_opts opts, copy;
    struct authkey k;
    char why[128], *principal = NULL;

    if (authkey_parse_line((const char *)data, size, &k, why, sizeof(why)) ==
        0) {
        authkey_cleanup(&k);
    }
    if (authkeys_principal_line((const char *)data, size, &principal, &opts,
                                why, sizeof(why)) == 0) {
        if (authkeys_opts_copy(&copy, &opts) == 0) {
            authkeys_opts_cleanup(&copy);
        }
        authkeys_opts_cleanup(&opts);
        free(principal);
    }
    return 0;
}
