/* SPDX-License-Identifier: ISC */
/*
 * -D dynamic forwarding: each client of a -D listener speaks SOCKS4,
 * SOCKS4a, SOCKS5 or HTTP CONNECT (told by its first byte); once its
 * request is read, a direct-tcpip channel is opened to the target it
 * named, with a name sent to the server as given (never resolved here, so
 * no DNS leaks from this side), and the client is answered with the
 * server's verdict before any tunnel data.
 */
#ifndef ADIT_FWD_FWD_DYNAMIC_H
#define ADIT_FWD_FWD_DYNAMIC_H

#include <stdint.h>
#include <uv.h>

#include "fwd/fwd_pick.h"
#include "io/io_conn.h"

struct fwd_dynamic;

/* The handshakes of one listener, whose channels go through the
 * connection pick (copied) gives once a request is read. ERR_NOMEM. */
int fwd_dynamic_new(struct fwd_dynamic **out, const struct fwd_pick *pick,
                    uint16_t listen_port);

/* Take over an accepted client socket (malloc'd) and read its request. */
void fwd_dynamic_accept(struct fwd_dynamic *fd, uv_tcp_t *t);

/* Close every handshake still running and free fd. Tunnels already open
 * belong to the connection and stay. */
void fwd_dynamic_free(struct fwd_dynamic *fd);

#endif
