/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: comp_inflate, the receive path of compression. The input
 * is a sequence of compressed payloads (fuzz_split.h framing) inflated one
 * after another on one stream, as packets arrive; the first byte picks
 * the cap (LIM_PAYLOAD_INFLATED, or a small one so that the limit is hit
 * often). Nothing may come out past the cap, and an error ends the
 * stream for good, as it ends the connection.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_split.h"
#include "transport/comp.h"
#include "util/adit_limits.h"
#include "util/err.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct comp *z = NULL;
    const uint8_t *msg, *out;
    size_t len, out_len, max;
    int r = 0;

    if (size < 1 || comp_new(&z, false) != 0) {
        return 0;
    }
    max = (data[0] & 1) != 0 ? 64u : LIM_PAYLOAD_INFLATED;
    data++;
    size--;
    while (r == 0 && fuzz_next_msg(&data, &size, &msg, &len)) {
        r = comp_inflate(z, msg, len, max, &out, &out_len);
        if (r == 0 && out_len > max) {
            abort(); /* the cap did not hold */
        }
        if (r != 0 && r != ERR_LIMIT && r != ERR_PROTO && r != ERR_NOMEM) {
            abort(); /* only these end a peer's stream */
        }
    }
    comp_free(z);
    return 0;
}
