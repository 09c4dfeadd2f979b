/* SPDX-License-Identifier: ISC */
/* adit client internals shared by client.c and client_hostkey.c. */
#ifndef ADIT_FWD_CLIENT_INT_H
#define ADIT_FWD_CLIENT_INT_H

#include <stdbool.h>
#include <uv.h>

#include "config/client_config.h"
#include "fwd/client.h"
#include "fwd/fwd_local.h"
#include "fwd/fwd_remote.h"
#include "io/io_connect.h"
#include "io/io_conn.h"
#include "keys/sshkey.h"

#define CLIENT_MAX_KEYS 100u
#define CLIENT_MAX_FWDS 256u

struct client {
    uv_loop_t *loop;
    const struct client_config *cfg;
    const struct client_target *t;
    char known_hosts[1024];
    char global_known_hosts[1024];
    struct sshkey *keys[CLIENT_MAX_KEYS];
    size_t n_keys;
    struct io_connect *connecting;
    struct io_conn *ic;
    struct fwd_local *fwds[CLIENT_MAX_FWDS];
    size_t n_fwds;
    struct fwd_remote *rfwd; /* the -R forwards */
    int ready_fd;            /* -f: tell the waiting parent (client_fork.h) */
    uv_signal_t sig[3];
    bool hostkey_failed;
    bool authenticated;
    int exit_code;
};

int client_verify_hostkey(void *ctx, const struct sshkey *key);

/*
 * The host key algorithms to offer: when the user did not set
 * HostKeyAlgorithms and known_hosts has keys for this host, the default
 * list with the known key types first (as ssh orders it); otherwise out is
 * left empty, meaning "the configured or default list".
 */
int client_hostkey_algs(struct client *c, char *out, size_t out_len);

#endif
