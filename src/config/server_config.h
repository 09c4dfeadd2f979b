/* SPDX-License-Identifier: ISC */
/*
 * aditd's configuration file, sshd_config syntax ("Keyword value", '#'
 * comments, case-insensitive keywords; first value wins, except the
 * keywords that accumulate: ListenAddress, Port, HostKey). Immutable after
 * server_config_finish().
 */
#ifndef ADIT_CONFIG_SERVER_CONFIG_H
#define ADIT_CONFIG_SERVER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config/server_config_fwd.h"
#include "config/server_config_limits.h"
#include "config/server_config_match.h"
#include "wire/buf.h"

#define SERVER_CONFIG_MAX_LIST 64u

struct listen_addr {
    char *host;    /* NULL: every address */
    uint16_t port; /* 0: each configured Port */
};

/* A line as written, kept so a connection's Match blocks can be applied
 * (sshd parses its file again for each login). */
struct server_config_rec {
    char *line;
    int block; /* index of its Match block, or -1 for a global line */
};

struct server_config {
    struct listen_addr listen[SERVER_CONFIG_MAX_LIST];
    size_t n_listen;
    uint16_t ports[SERVER_CONFIG_MAX_LIST];
    size_t n_ports;
    int has_port; /* bool: ports were given */
    char *host_keys[SERVER_CONFIG_MAX_LIST];
    size_t n_host_keys;
    char *authorized_keys_file;       /* one or more paths, blank-separated */
    char *trusted_user_ca_keys;       /* file of CA public keys, or NULL */
    char *authorized_principals_file; /* %u %h %% expanded; or NULL */
    char *revoked_keys;               /* file of revoked public keys */
    int log_level;                    /* -1 unset */
    char *ciphers;
    char *kex_algs;
    char *macs;
    char *hostkey_algs;    /* HostKeyAlgorithms, or NULL for every key's */
    char *pubkey_algs;     /* PubkeyAcceptedAlgorithms, or NULL for all */
    int max_auth_tries;    /* -1 unset */
    int login_grace;       /* seconds, -1 unset; 0 = no limit */
    int64_t rekey_bytes;   /* RekeyLimit: -1 unset, 0 default */
    int rekey_seconds;     /* RekeyLimit: -1 unset, 0 none */
    int compression;       /* bool, -1 unset (yes: zlib@openssh.com) */
    char *control_socket;  /* ControlSocket: aditd status; NULL or "none" */
    char *metrics_address; /* MetricsAddress: loopback ADDR:PORT, or NULL */
    int sandbox;           /* Sandbox: -1 unset (yes), 0, 1 */
    struct server_fwd_config fwd;       /* forwarding, ClientAlive* */
    struct server_limits_config limits; /* MaxStartups, penalties, ... */
    struct server_config_rec *recs;     /* every line, in order */
    size_t n_recs;
    char **matches; /* each Match line's criteria */
    size_t n_matches;
    int cur_match; /* the block lines now go to; -1 global */
    char *dir;     /* server_config_finish's directory */
};

void server_config_init(struct server_config *c);
void server_config_cleanup(struct server_config *c);

/*
 * Apply one line. ERR_CONFIG with a reason in why ("Bad configuration
 * option: foo", "bad port", ...). Blank and comment lines are fine.
 */
int server_config_line(struct server_config *c, const char *line, char *why,
                       size_t why_len);

/*
 * The configuration of one connection: the lines of the Match blocks that
 * match mi, then the global lines, into out (initialised here, finished
 * with base's directory; Port as base has it, -p included). Each keyword
 * thus takes its first value among the matching blocks, else the global
 * one, as sshd. ERR_CONFIG with why for aditd -T with a LocalPort
 * criterion and no lport; ERR_NOMEM.
 */
int server_config_for(const struct server_config *base,
                      const struct match_info *mi, struct server_config *out,
                      char *why, size_t why_len);

/*
 * Read a whole file (at most LIM_FILE_SIZE, lines at most LIM_LINE).
 * ERR_NOTFOUND when it does not exist; ERR_CONFIG with "path line N: ..."
 * in why for the first bad line.
 */
int server_config_load(struct server_config *c, const char *path, char *why,
                       size_t why_len);

/*
 * Fill in defaults: Port 22, ListenAddress every address, HostKey
 * "<dir>/aditd_host_ed25519_key", AuthorizedKeysFile
 * "<dir>/authorized_keys" (dir: the config file's directory, or ".").
 */
int server_config_finish(struct server_config *c, const char *dir);

/*
 * aditd -T: append the effective configuration of a finished config to
 * out, one "keyword value" line each as sshd -T prints them (lowercase
 * keywords, defaults filled in). ERR_NOMEM, ERR_LIMIT.
 */
int server_config_dump(const struct server_config *c, struct buf *out);

/*
 * Expand AuthorizedKeysFile / AuthorizedPrincipalsFile tokens: %u -> user,
 * %h -> home (the user's home directory; ERR_NOTFOUND when the pattern
 * has %h and home is NULL), %% -> %. ERR_CONFIG for any other token,
 * ERR_DENIED for a user name that is empty, starts with '.' or holds a
 * '/'. *out is malloc'd.
 */
int server_config_expand(const char *pattern, const char *user,
                         const char *home, char **out);

#endif
