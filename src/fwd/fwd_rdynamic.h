/* SPDX-License-Identifier: ISC */
/*
 * -R [bind:]port with no target (remote dynamic forwarding, as ssh -R
 * port): each forwarded-tcpip channel is answered as a SOCKS4/4a/5 or
 * HTTP CONNECT proxy by us, and we connect to the target it names.
 */
#ifndef ADIT_FWD_FWD_RDYNAMIC_H
#define ADIT_FWD_FWD_RDYNAMIC_H

#include <stdint.h>

#include "conn/conn.h"
#include "io/io_conn.h"

/*
 * Answer the peer's open of channel id (confirmed at once, since the
 * proxy client speaks first), read its proxy request, connect, reply.
 * Errors fail the open or end the channel; nothing is returned.
 */
void fwd_rdynamic_accept(struct io_conn *ic, uint32_t id,
                         const struct chan_open_info *info);

#endif
