/* SPDX-License-Identifier: ISC */
/* Fuzz harness: ProxyJump / -J host lists. */
#include <stdlib.h>
#include <string.h>

#include "config/jumpspec.h"
#include "fuzz.h"
#include "util/adit_limits.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct jumpspec j;
    char *s;

    if (size > LIM_LINE || (s = malloc(size + 1)) == NULL) {
        return 0;
    }
    memcpy(s, data, size);
    s[size] = '\0';
    if (jumpspec_parse(s, &j) == 0) {
        jumpspec_cleanup(&j);
    }
    free(s);
    return 0;
}
