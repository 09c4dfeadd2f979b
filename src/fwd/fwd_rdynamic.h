/* SPDX-License-Identifier: ISC */
/*
 * -R [bind:]port with no target (remote dynamic forwarding, as ssh -R
 * port): each forwarded-tcpip channel is answered as a SOCKS4/4a/5 or
 * HTTP CONNECT proxy by us, and we connect to the target it names.
 */
#ifndef ADIT_FWD_FWD_RDYNAMIC_H
#define ADIT_FWD_FWD_RDYNAMIC_H

#include <stddef.h>
#include <stdint.h>

#include "config/permit.h"
#include "conn/conn.h"
#include "io/io_conn.h"

/* What every remote dynamic channel of one client shares (embedded in the
 * client; it must outlive the channels). */
struct fwd_rdynamic {
    /* PermitRemoteOpen: targets allowed (permitopen's matching: '*' host
     * or port, names compared as written); NULL or empty: any. */
    const struct permit_list *permit;
    /* Channels still without a complete request or a finished connect,
     * at most LIM_PROXY_PENDING, as -D's listener. */
    size_t n_pending;
};

/*
 * Answer the peer's open of channel id (confirmed at once, since the
 * proxy client speaks first), read its proxy request, connect, reply.
 * Past LIM_PROXY_PENDING pending channels the open fails (resource
 * shortage); a target PermitRemoteOpen does not allow ends the channel
 * with no reply, as ssh. Nothing is returned.
 */
void fwd_rdynamic_accept(struct fwd_rdynamic *set, struct io_conn *ic,
                         uint32_t id, const struct chan_open_info *info);

#endif
