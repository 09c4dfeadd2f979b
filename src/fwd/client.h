/* SPDX-License-Identifier: ISC */
/*
 * adit: one SSH connection to a server with its -L forwards (or one -W
 * stdio forward): connect directly, through a ProxyCommand or through
 * jump hosts (-J), verify each host key against known_hosts, log in with
 * the identity files, listen for the forwards, and run until the
 * connection drops or a signal.
 */
#ifndef ADIT_FWD_CLIENT_H
#define ADIT_FWD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "config/client_config.h"

struct client_target {
    const char *host;
    const char *orig_host; /* as given on the command line (%n) */
    const char *user;
    uint16_t port;
    int family;   /* AF_UNSPEC, AF_INET (-4), AF_INET6 (-6) */
    int ready_fd; /* -f: client_fork's pipe to the parent; 0: none */
    /* -J: each jump host's own configuration (its Host blocks over the
     * command line's options), first hop first; NULL or fewer than the
     * hops: the main configuration serves, with the local user, port 22
     * and the main identities. */
    const char *jump_spec; /* the whole -J chain; NULL: cfg's ProxyJump */
    const struct client_config *const *jump_cfgs;
    size_t n_jump_cfgs;
    /* The session (not -N, -W or Reconnect mode): the command (the
     * command line's words joined, or RemoteCommand; NULL: a shell, or
     * with SessionType subsystem the subsystem's name), and whether a
     * pty is requested, decided as ssh decides it (adit.c). */
    bool has_session;
    const char *command;
    bool want_tty;
};

/* Reconnect mode: a permanent failure (host key, authentication,
 * configuration) on every destination; sysexits' EX_CONFIG, so that a
 * service manager can be told not to restart on it. */
#define CLIENT_EXIT_PERMANENT 78

/*
 * The home directory of ~, ~/.ssh/config, %d and the default files: the
 * passwd entry's, as ssh takes it (its tilde_expand and ~/.ssh/config
 * read pw_dir; $HOME is never looked at), or ADIT_HOME when set to an
 * absolute path (for tests and packaging that need another home). NULL
 * when there is neither. The string is the C library's (getpwuid's) or
 * the environment's: valid until the next getpw* call.
 */
const char *client_home(void);

/* Run on loop until the end; returns the exit status (255 for every
 * connection, host key or authentication failure, and on signals). */
int client_run(uv_loop_t *loop, const struct client_config *cfg,
               const struct client_target *t);

/*
 * n destinations at once (Reconnect mode), cfgs[i] and ts[i] each, the
 * first in priority; the forwards and the mode are fwds's. Each is
 * kept up on its own; local listeners are shared. Returns 0 after
 * SIGINT or SIGTERM, CLIENT_EXIT_PERMANENT when every destination failed
 * permanently, 255 on a local forward failure with ExitOnForwardFailure.
 * Without Reconnect (n must be 1) it is client_run.
 */
int client_run_many(uv_loop_t *loop, const struct client_config *fwds,
                    const struct client_config *const *cfgs,
                    const struct client_target *ts, size_t n);

#endif
