/* SPDX-License-Identifier: ISC */
/*
 * The client's options: ssh_config keywords set with -o "Key=Value" or
 * -o "Key Value" (case-insensitive keywords, first value wins as in ssh,
 * except IdentityFile, LocalForward and RemoteForward which accumulate).
 * Immutable once main() has finished building it.
 */
#ifndef ADIT_CONFIG_CLIENT_CONFIG_H
#define ADIT_CONFIG_CLIENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/fwdspec.h"

enum strict_hostkey {
    STRICT_HOSTKEY_UNSET = -1,
    STRICT_HOSTKEY_YES = 0,
    STRICT_HOSTKEY_ACCEPT_NEW,
    STRICT_HOSTKEY_NO,
    STRICT_HOSTKEY_ASK,
};

/* Integers are -1 while unset; strings NULL. */
struct client_config {
    int port;
    char *user;
    char **identity_files;
    size_t n_identity_files;
    struct fwdspec *local_fwds;
    size_t n_local_fwds;
    struct fwdspec *remote_fwds; /* RemoteForward / -R */
    size_t n_remote_fwds;
    int strict_hostkey; /* enum strict_hostkey */
    char *user_known_hosts;
    char *global_known_hosts;
    int hash_known_hosts; /* bool */
    char *ciphers;
    char *kex_algs;
    char *macs;
    char *hostkey_algs;
    int connect_timeout;          /* seconds */
    int log_level;                /* enum log_level */
    int exit_on_forward_failure;  /* bool */
    int gateway_ports;            /* bool: -g, -L/-D without bind address */
    int stream_local_bind_unlink; /* bool: remove a stale -L socket */
    int fork_after_auth;          /* bool: -f, ForkAfterAuthentication */
    int batch_mode;               /* bool */
    int64_t rekey_bytes;          /* RekeyLimit: -1 unset, 0 default */
    int rekey_seconds;            /* RekeyLimit: -1 unset, 0 none */
};

void client_config_init(struct client_config *c);
void client_config_cleanup(struct client_config *c);

/*
 * Apply one option line, "Keyword=Value", "Keyword Value" or
 * "Keyword = Value". ERR_CONFIG with a message in why (ssh's wording, e.g.
 * "Bad configuration option: foo") for an unknown keyword or a bad value.
 */
int client_config_apply(struct client_config *c, const char *line, char *why,
                        size_t why_len);

/* Typed setters for command-line flags (-p, -l, -i, -L, -R): same rules. */
int client_config_set(struct client_config *c, const char *keyword,
                      const char *value, char *why, size_t why_len);

#endif
