/* SPDX-License-Identifier: ISC */
/* Shared by message-sequence harnesses: a discarding sink and a splitter. */
#ifndef ADIT_FUZZ_SPLIT_H
#define ADIT_FUZZ_SPLIT_H

#include <stdint.h>
#include <stdlib.h>

#include "transport/sink.h"
#include "util/adit_limits.h"
#include "util/err.h"

/* Room for one payload; what is committed is dropped. */
struct fuzz_sink {
    uint8_t *room;
};

static int
fuzz_reserve(void *ctx, size_t max, uint8_t **payload)
{
    struct fuzz_sink *f = ctx;

    if (max > LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    *payload = f->room;
    return 0;
}

static int
fuzz_commit(void *ctx, size_t len)
{
    return 0;
}

/* inline: harnesses that only split messages need not use it. */
static inline int
fuzz_sink_init(struct fuzz_sink *f, struct pkt_sink *s)
{
    f->room = malloc(LIM_PACKET_RECV);
    s->ctx = f;
    s->reserve = fuzz_reserve;
    s->commit = fuzz_commit;
    return f->room != NULL ? 0 : -1;
}

/*
 * The input is a sequence of messages, each a 2-byte big-endian length
 * and that many bytes (a short last one is cut to what remains).
 * Returns the next message, or 0 when the input is used up.
 */
static int
fuzz_next_msg(const uint8_t **data, size_t *size, const uint8_t **msg,
              size_t *len)
{
    size_t n;

    if (*size < 2) {
        return 0;
    }
    n = (size_t)(*data)[0] << 8 | (*data)[1];
    *data += 2;
    *size -= 2;
    if (n > *size) {
        n = *size;
    }
    *msg = *data;
    *len = n;
    *data += n;
    *size -= n;
    return 1;
}

#endif
