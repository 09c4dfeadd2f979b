/* SPDX-License-Identifier: ISC */
/*
 * Where the layers above the transport put outgoing messages. The payload
 * is written straight into the transport's packet buffer (reserve, fill in,
 * commit) so that channel data is copied once and encrypted in place.
 * auth/ and conn/ use only this, so they can be tested without a transport.
 */
#ifndef ADIT_TRANSPORT_SINK_H
#define ADIT_TRANSPORT_SINK_H

#include <stddef.h>
#include <stdint.h>

struct pkt_sink {
    void *ctx;
    /* Room for a payload of up to max bytes; *payload points at it. */
    int (*reserve)(void *ctx, size_t max, uint8_t **payload);
    /* The payload written at the reserved place is len bytes: send it. */
    int (*commit)(void *ctx, size_t len);
};

/* Send a whole payload through the sink (reserve, copy, commit). */
int sink_send(const struct pkt_sink *s, const uint8_t *payload, size_t len);

#endif
