/* SPDX-License-Identifier: ISC */
/*
 * What adit.c, adit_args.c and adit_load.c share: the command line beyond
 * the options it sets (adit_cmd) and one destination loaded as ssh would
 * load it alone (adit_dest). Startup code: errors print ssh's message and
 * exit 255, as ssh's own startup does.
 */
#ifndef ADIT_APP_ADIT_INT_H
#define ADIT_APP_ADIT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "config/client_config.h"
#include "config/ssh_config.h"
#include "config/ssh_config_file.h"
#include "util/adit_limits.h"

#define ADIT_EXIT_FAIL 255
#define ADIT_VERSION "adit_0.1"
/* Tests point this at their own file instead of /etc/ssh/ssh_config. */
#define ADIT_ENV_SYSTEM_CONFIG "ADIT_SSH_CONFIG_SYSTEM"
/* Destinations at most (the client's CLIENT_MAX_DESTS). */
#define CLIENT_MAX_DESTS_ARGS 8u
/* How long `adit status` waits for the answer. */
#define ADIT_STATUS_TIMEOUT_MS 10000

/* What the command line says beyond the options it sets in the config. */
struct adit_cmd {
    const char *config_file; /* -F */
    const char *log_file;    /* -E */
    const char *mux_cmd;     /* -O */
    bool is_dump;            /* -G */
    bool has_jump;           /* -J seen */
    char *host_arg;          /* destination host as given */
    int host_idx;            /* its index in argv */
    char **more;             /* the words after the destination's options */
    int n_more;
};

/* One destination, loaded as ssh would load it alone. */
struct adit_dest {
    struct client_config cfg;
    struct adit_cmd cmd;
    char *final_host;
    char *jump_spec; /* the whole -J chain (adit_jump_chain) */
    char *command;   /* the remote command (adit_session) */
    bool want_tty;
    struct client_config *jumps[LIM_JUMP_HOPS];
    size_t n_jumps;
};

/* adit_args.c */
void adit_usage(void);
void adit_diag(void *arg, const char *msg);
/* The command line into cfg and cmd (rd takes the -o options). */
void adit_args(int argc, char **argv, struct client_config *cfg,
               struct adit_cmd *cmd, struct ssh_config_read *rd);

/* adit_load.c */
/* Who we are: user, home, uid and host name, into the buffers given. */
void adit_env(struct client_env *env, char *uid, size_t uid_len, char *lhost,
              size_t lhost_len);
void adit_load(int argc, char **argv, const struct client_env *env0,
               struct adit_dest *d, bool is_main);
struct adit_dest *adit_load_more(int argc, char **argv,
                                 const struct client_env *env,
                                 const struct adit_cmd *cmd, const char *name);
void adit_dest_free(struct adit_dest *d);

#endif
