/* SPDX-License-Identifier: ISC */
/*
 * aditd: listeners, one io_conn per login, public-key checks against the
 * AuthorizedKeysFile, and the direct-tcpip forwarding policy (sessions
 * refused, keys with no-port-forwarding or bare restrict refused).
 */
#ifndef ADIT_FWD_SERVER_H
#define ADIT_FWD_SERVER_H

#include <uv.h>

#include "config/server_config.h"

struct server;

/* Load (or generate) host keys. ERR_* after printing why. */
int server_new(struct server **out, uv_loop_t *loop,
               const struct server_config *cfg);

/* Bind every ListenAddress and print "Server listening on ADDR port N."
 * ERR_IO if nothing could be bound. */
int server_listen(struct server *srv);

/* SIGHUP: read the authorized keys file again. */
void server_reload(struct server *srv);

/* Stop listening and end every connection; the loop then runs dry. */
void server_shutdown(struct server *srv);

/* After the loop has stopped. */
void server_free(struct server *srv);

#endif
