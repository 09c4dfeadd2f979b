/* SPDX-License-Identifier: ISC */
/*
 * A channel joined to a local TCP socket: local reads land directly in the
 * packet buffer (conn_send_begin/commit), peer data is written to the
 * socket and given back to the window only once written, EOF is passed
 * each way (half-close like ssh), and reading stops while the peer's
 * window is shut or the connection's output is above LIM_OUTQ_HIGHWATER.
 */
#ifndef ADIT_IO_IO_CHAN_H
#define ADIT_IO_IO_CHAN_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "conn/conn.h"
#include "io/io_conn.h"

struct io_chan;

/* The peer answered our open: reason 0 = confirmed, else SSH_OPEN_* and
 * the peer's text. After a failure the channel's socket is being closed. */
typedef void (*io_chan_open_cb)(void *ctx, struct io_chan *ch, uint32_t reason,
                                const char *msg);

/*
 * Client side: open a channel described by info for the accepted local
 * socket tcp (malloc'd, taken over). Reading starts when the peer
 * confirms. On error tcp is closed and freed.
 */
int io_chan_open(struct io_conn *ic, uv_tcp_t *tcp,
                 const struct chan_open_info *info, io_chan_open_cb cb,
                 void *ctx);

/*
 * Server side: answer the peer's open of channel id by connecting to
 * host:port (async resolve, each address, timeout_ms). Confirmed when
 * connected; on failure answered with SSH_OPEN_CONNECT_FAILED and the
 * system's words ("Connection refused"). On error the open is failed.
 */
int io_chan_accept_connect(struct io_conn *ic, uint32_t id, const char *host,
                           uint16_t port, uint64_t timeout_ms);

/* The channel's local id (for messages). */
uint32_t io_chan_id(const struct io_chan *ch);

#endif
