/* SPDX-License-Identifier: ISC */
/* Helpers shared by the unit tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    abort();
}

uint8_t *
hex_decode(const char *hex, size_t *len)
{
    size_t n = strlen(hex), i;
    uint8_t *out;

    if (n % 2 != 0 || (out = malloc(n / 2 + 1)) == NULL) {
        abort();
    }
    for (i = 0; i < n / 2; i++) {
        out[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
    }
    *len = n / 2;
    return out;
}

const char *
test_tmpdir(void)
{
    static char path[64];

    snprintf(path, sizeof(path), "/tmp/adit-test-XXXXXX");
    if (mkdtemp(path) == NULL) {
        abort();
    }
    return path;
}
