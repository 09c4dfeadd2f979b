/* SPDX-License-Identifier: ISC */
/* Fuzz harness: the version line parser, as client and as server. */
#include <stdbool.h>
#include <stdlib.h>

#include "fuzz.h"
#include "transport/version.h"

/* Feed the input as a caller would, dropping what each call consumed;
 * the loop ends because every pass either consumes bytes or stops. */
static void
fuzz_role(const uint8_t *data, size_t size, bool is_client)
{
    unsigned prelines = 0;
    size_t off = 0, used;
    char *line;
    int r;

    do {
        line = NULL;
        used = 0;
        r = version_parse(data + off, size - off, is_client, &prelines, &line,
                          &used);
        free(line);
        if (used > size - off) {
            abort(); /* the parser claimed bytes it was not given */
        }
        off += used;
    } while (r != 0 && used > 0 && off < size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_role(data, size, true);
    fuzz_role(data, size, false);
    return 0;
}
