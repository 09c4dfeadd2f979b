/* SPDX-License-Identifier: ISC */
/* -L forwarding: local listeners whose connections become direct-tcpip
 * channels of an SSH connection. */
#ifndef ADIT_FWD_FWD_LOCAL_H
#define ADIT_FWD_FWD_LOCAL_H

#include <stdbool.h>
#include <uv.h>

#include "config/fwdspec.h"
#include "fwd/fwd_pick.h"
#include "io/io_conn.h"

struct fwd_local;

/* fwd_local_start flags. */
#define FWD_LOCAL_GATEWAY_PORTS 1u /* -g: no bind address means any */
#define FWD_LOCAL_BIND_UNLINK 2u   /* StreamLocalBindUnlink: remove first */

/*
 * Bind and listen for spec (loopback: 127.0.0.1 and ::1 when available;
 * any: 0.0.0.0 and ::; no bind address: loopback, or any with
 * FWD_LOCAL_GATEWAY_PORTS, as ssh -g). A spec with a listen_path listens
 * on that Unix socket (mode 0600, as ssh's umask 0177), failing if the
 * path exists unless FWD_LOCAL_BIND_UNLINK ("unix_listener: cannot bind
 * to path PATH: Address already in use"). Failures are printed as ssh prints
 * them ("bind [127.0.0.1]:PORT: Address already in use",
 * "channel_setup_fwd_listener_ tcpip: cannot listen to port: PORT"). ERR_IO
 * when no address could be bound (the caller prints "Could not request local
 * forwarding."). spec must outlive the forward. Each new client's channel
 * goes through the connection pick gives at that moment (copied).
 */
int fwd_local_start(struct fwd_local **out, uv_loop_t *loop,
                    const struct fwdspec *spec, unsigned flags,
                    const struct fwd_pick *pick);

/* Close the listeners (accepted channels belong to the connection). */
void fwd_local_close(struct fwd_local *fl);

/* ssh's words for an SSH_OPEN_* reason code. */
const char *fwd_open_reason_str(uint32_t reason);

#endif
