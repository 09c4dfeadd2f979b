/* SPDX-License-Identifier: ISC */
/* Fuzz harness: the tcpip-forward and streamlocal-forward request data. */
#include <stdlib.h>
#include <string.h>

#include "conn/fwd_req.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tcpip_forward m;
    struct rd rd;
    char *path = NULL;

    if (size == 0) {
        return 0;
    }
    rd_init(&rd, data + 1, size - 1);
    if (data[0] & 1) {
        if (streamlocal_forward_decode(&rd, &path) == 0 &&
            strlen(path) > size) {
            abort();
        }
        free(path);
        return 0;
    }
    if (tcpip_forward_decode(&rd, &m) == 0 && m.port > 65535) {
        abort(); /* the decoder let an impossible port through */
    }
    tcpip_forward_cleanup(&m);
    return 0;
}
