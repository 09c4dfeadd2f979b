/* SPDX-License-Identifier: ISC */
/*
 * adit -f: the process splits before connecting; the parent waits on a
 * pipe until the child is ready (authenticated, and with
 * ExitOnForwardFailure every remote forward confirmed) and then exits 0,
 * or exits with the child's status if the child ends first, so a script
 * running "adit -fN ..." learns of a failure as it would with ssh -f.
 */
#ifndef ADIT_FWD_CLIENT_FORK_H
#define ADIT_FWD_CLIENT_FORK_H

#include <stdbool.h>

/*
 * Fork. In the parent this never returns: it exits with 0 once the child
 * reports ready, with the status the child reports, or 255 if the pipe
 * closes silently. In the child: stdin from /dev/null, and *ready_fd the
 * pipe's write end. ERR_IO if the fork or
 * the pipe failed (in the one process left).
 */
int client_fork(int *ready_fd);

/*
 * As client_fork, but a parent whose child is ready returns 0 with
 * *is_parent set (ControlPersist: it goes on as a client of the master
 * the child is), rather than exiting.
 */
int client_fork_detach(int *ready_fd, bool *is_parent);

/*
 * The child is ready: start a new session (setsid), tell the parent, and
 * send stdout (and stderr, unless debugging with -v) to /dev/null, as ssh
 * does once in the background. *ready_fd becomes -1. Nothing happens for a
 * descriptor
 * <= 2 (none: the standard streams are never the pipe).
 */
void client_fork_ready(int *ready_fd, int log_level);

/* The child ends before being ready: hand the parent its exit status. */
void client_fork_failed(int *ready_fd, int status);

#endif
