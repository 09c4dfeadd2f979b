/* SPDX-License-Identifier: ISC */
/*
 * Fixed keys for the harnesses that sign or verify: the unit tests' key
 * files in tests/data/keys/, found from this header's own path, loaded
 * once. Fixed keys make a recorded signature verify again on every run, so
 * a corpus can hold valid ones for the fuzzer to mutate.
 */
#ifndef ADIT_FUZZ_KEYS_H
#define ADIT_FUZZ_KEYS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshkey.h"

enum fuzz_key {
    FUZZ_KEY_ED25519,
    FUZZ_KEY_P256,
    FUZZ_KEY_P384,
    FUZZ_KEY_P521,
    FUZZ_KEY_RSA,
    FUZZ_KEY_COUNT
};

/* The key, loaded on first use; a missing fixture is a broken harness. */
static inline struct sshkey *
fuzz_key(enum fuzz_key which)
{
    static const char *const names[FUZZ_KEY_COUNT] = {
        "id_ed25519", "id_ecdsa256", "id_ecdsa384", "id_ecdsa521", "id_rsa"};
    static struct sshkey *keys[FUZZ_KEY_COUNT];
    const char *me = __FILE__;
    const char *cut = strstr(me, "fuzz/fuzz_keys.h");
    char path[4096];

    if (keys[which] == NULL) {
        if (cut == NULL) {
            abort();
        }
        snprintf(path, sizeof(path), "%.*sdata/keys/%s", (int)(cut - me), me,
                 names[which]);
        if (sshkey_load_private(path, &keys[which]) != 0) {
            fprintf(stderr, "fuzz: cannot load %s\n", path);
            abort();
        }
    }
    return keys[which];
}

#endif
