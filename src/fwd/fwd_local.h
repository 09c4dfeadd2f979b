/* SPDX-License-Identifier: ISC */
/* -L forwarding: local listeners whose connections become direct-tcpip
 * channels of one SSH connection. */
#ifndef ADIT_FWD_FWD_LOCAL_H
#define ADIT_FWD_FWD_LOCAL_H

#include <stdbool.h>
#include <uv.h>

#include "config/fwdspec.h"
#include "io/io_conn.h"

struct fwd_local;

/*
 * Bind and listen for spec (loopback: 127.0.0.1 and ::1 when available;
 * any: 0.0.0.0 and ::; no bind address: loopback, or any with
 * gateway_ports, as ssh -g). Failures are printed as ssh prints them ("bind
 * [127.0.0.1]:PORT: Address already in use", "channel_setup_fwd_listener_
 * tcpip: cannot listen to port: PORT"). ERR_IO when no address could be
 * bound (the caller prints "Could not request local forwarding."). spec
 * must outlive the forward. ic is used for new channels.
 */
int fwd_local_start(struct fwd_local **out, uv_loop_t *loop,
                    const struct fwdspec *spec, bool gateway_ports,
                    struct io_conn *ic);

/* Close the listeners (accepted channels belong to the connection). */
void fwd_local_close(struct fwd_local *fl);

/* ssh's words for an SSH_OPEN_* reason code. */
const char *fwd_open_reason_str(uint32_t reason);

#endif
