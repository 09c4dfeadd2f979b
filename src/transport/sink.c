/* SPDX-License-Identifier: ISC */
/* Where the layers above the transport put outgoing messages. */
#include "transport/sink.h"

#include <string.h>

int
sink_send(const struct pkt_sink *s, const uint8_t *payload, size_t len)
{
    uint8_t *p = NULL;
    int r;

    if ((r = s->reserve(s->ctx, len, &p)) != 0) {
        return r;
    }
    if (len > 0) {
        memcpy(p, payload, len);
    }
    return s->commit(s->ctx, len);
}
