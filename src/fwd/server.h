/* SPDX-License-Identifier: ISC */
/*
 * aditd: listeners, one io_conn per login, public-key checks against the
 * AuthorizedKeysFile, and the direct-tcpip forwarding policy (sessions
 * refused, keys with no-port-forwarding or bare restrict refused).
 */
#ifndef ADIT_FWD_SERVER_H
#define ADIT_FWD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "config/server_config.h"
#include "io/sandbox.h"
#include "wire/buf.h"

struct server;

/* Match Group: is user in a group whose name matches list (a negated
 * match wins)? 1 yes, 0 no (also for a user the password database does
 * not know), < 0 when the databases cannot answer. Reads both. */
int server_user_in_group(const char *user, const char *list);

/* Load (or generate) host keys. ERR_* after printing why. */
int server_new(struct server **out, uv_loop_t *loop,
               const struct server_config *cfg);

/* Bind every ListenAddress and print "Server listening on ADDR port N."
 * ERR_IO if nothing could be bound. */
int server_listen(struct server *srv);

/*
 * SIGHUP with a configuration that loaded and checked: the trust files
 * are read under it, and if they load, new connections get cfg while
 * running ones keep theirs. The server then owns cfg (malloc'd, freed with
 * server_config_cleanup when no connection uses it). On error nothing
 * changed and cfg is still the caller's. ListenAddress, Port and HostKey
 * stay as they were at start.
 */
int server_reconfigure(struct server *srv, struct server_config *cfg);

/* Count a SIGHUP reload that took effect (ok) or was refused. */
void server_count_reload(struct server *srv, bool ok);

/* aditd status: sessions, their forwards and the totals, as JSON or as a
 * table, and the same numbers in the Prometheus text format. */
int server_status_json(struct server *srv, struct buf *out);
int server_status_text(struct server *srv, struct buf *out);
int server_metrics(struct server *srv, struct buf *out);
/* "2 sessions, 3 forwards, 1 listener" for systemd's STATUS=. */
void server_status_line(struct server *srv, char *out, size_t out_len);

/* Stop listening and end every connection; the loop then runs dry. */
void server_shutdown(struct server *srv);

/*
 * The paths aditd needs after start-up into sb (server_sandbox.c): its
 * configuration file (cfgfile, may be NULL), host keys, the fixed
 * prefixes of AuthorizedKeysFile, AuthorizedPrincipalsFile,
 * TrustedUserCAKeys and RevokedKeys (every home directory when one holds
 * %h), the passwd and resolver files, the control socket's directory,
 * and, when remote streamlocal forwarding is allowed, Unix sockets
 * anywhere. 0, ERR_NOMEM, ERR_LIMIT.
 */
int server_sandbox_paths(const struct server_config *cfg, const char *cfgfile,
                         struct sandbox *sb);

/* After the loop has stopped. */
void server_free(struct server *srv);

#endif
