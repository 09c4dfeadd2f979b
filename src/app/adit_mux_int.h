/* SPDX-License-Identifier: ISC */
/* What adit_mux.c and adit_mux_sess.c share: asking a master, its words. */
#ifndef ADIT_APP_ADIT_MUX_INT_H
#define ADIT_APP_ADIT_MUX_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/client_config.h"
#include "wire/buf.h"

#define ADIT_MUX_FAIL 255
/* How long a master may take to answer a request it answers at once. */
#define ADIT_MUX_TIMEOUT_MS 30000
/* A request the server has to answer first (-R, a channel open). */
#define ADIT_MUX_SERVER_TIMEOUT_MS 120000

/* The answer's body as a string (NUL-terminated, in b, one line). */
const char *adit_mux_text(struct buf *b);

/* Why a request got no answer we can read (another protocol there). */
const char *adit_mux_why(int r);

/* ssh's words for a refusal ("Master refused <what> request: ..."),
 * printed if body is one: whether it was. */
bool adit_mux_refused(struct buf *body, const char *what);

/* One request and its answer on fd. 0 with *ok and body, or ERR_*. */
int adit_mux_ask(int fd, const char *const *argv, size_t argc, const int *fds,
                 size_t n_fds, int timeout_ms, bool *ok, struct buf *body);

/*
 * A command, shell or subsystem (command NULL: a shell) run by the master
 * on fd, with our stdin, stdout and stderr (a pty when want_tty: our
 * terminal in raw mode meanwhile). Returns the exit status.
 */
int adit_mux_session(int fd, const struct client_config *cfg,
                     const char *command, bool want_tty, struct buf *body);

/*
 * -W through the master on fd: our stdin and stdout to target. Returns
 * the exit status.
 */
int adit_mux_stdio(int fd, const struct client_config *cfg, struct buf *body);

#endif
