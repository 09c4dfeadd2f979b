/* SPDX-License-Identifier: ISC */
/* Fuzz harness: the control protocol's request and response framing and
 * the metrics endpoint's HTTP request reader. */
#include <stdbool.h>
#include <stdlib.h>

#include "ctl/ctl_proto.h"
#include "ctl/http_req.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctl_request req;
    struct http_req hreq;
    size_t off = 0, used, head, len;
    bool ok;

    /* Requests one after another, as a control connection reads them. */
    while (off < size &&
           ctl_request_decode(data + off, size - off, &used, &req) == 0) {
        if (used == 0 || used > size - off || req.argc == 0) {
            abort();
        }
        off += used;
    }
    if (ctl_response_decode(data, size, &head, &ok, &len) == 0 &&
        (head > size || len > LIM_CTL_RESPONSE)) {
        abort();
    }
    (void)http_req_decode(data, size, &hreq);
    return 0;
}
