/* SPDX-License-Identifier: ISC */
/* adit client internals shared by the client_*.c files. */
#ifndef ADIT_FWD_CLIENT_INT_H
#define ADIT_FWD_CLIENT_INT_H

#include <stdbool.h>
#include <uv.h>

#include "config/client_config.h"
#include "fwd/client.h"
#include "fwd/fwd_local.h"
#include "fwd/fwd_remote.h"
#include "io/io_chan.h"
#include "io/io_connect.h"
#include "io/io_conn.h"
#include "io/io_proxy.h"
#include "keys/sshkey.h"
#include "util/adit_limits.h"

#define CLIENT_MAX_KEYS 100u
#define CLIENT_MAX_FWDS 256u
#define CLIENT_MAX_HOPS (LIM_JUMP_HOPS + 1u)
#define CLIENT_EXIT_FAIL 255
/* What ssh calls a peer reached through a proxy or a jump host. */
#define CLIENT_PROXY_PEER "UNKNOWN port 65535"

struct client;

/*
 * One SSH connection of the chain: the jump hosts (-J), first hop first,
 * then the target. Hop 0 is reached over TCP or the ProxyCommand; every
 * later hop over a direct-tcpip channel of the hop before it.
 */
struct client_keys {
    struct sshkey *k[CLIENT_MAX_KEYS];
    size_t n;
};

struct client_hop {
    struct client *c;
    size_t idx;
    const struct client_config *cfg; /* the target's, or a jump host's */
    struct client_keys *keys;        /* the client's, or the hop's own */
    char *host;
    char *user;
    uint16_t port;
    struct io_conn *ic;
    uv_stream_t *pending; /* our end, until the channel to it is open */
    uv_timer_t banner;    /* ConnectTimeout covers the version line too */
    bool has_timer;
    bool authenticated;
};

struct client {
    uv_loop_t *loop;
    const struct client_config *cfg;
    const struct client_target *t;
    char known_hosts[1024];
    char global_known_hosts[1024];
    struct client_keys keys; /* the target's identities */
    struct client_hop hops[CLIENT_MAX_HOPS];
    size_t n_hops; /* the last one is the target */
    struct io_connect *connecting;
    struct io_proxy *proxy;
    uv_timer_t retry; /* ConnectionAttempts: one second between tries */
    int attempts_left;
    struct io_conn *ic; /* the target's connection, once authenticated */
    struct fwd_local *fwds[CLIENT_MAX_FWDS];
    size_t n_fwds;
    struct fwd_remote *rfwd; /* the -R forwards */
    int ready_fd;            /* -f: tell the waiting parent (client_fork.h) */
    uv_signal_t sig[3];
    bool stopping;
    bool said;       /* the reason is printed: closed() stays quiet */
    bool stdio_open; /* -W: the channel is open */
    bool stdio_ok;   /* -W: the channel opened and ran to its end */
    int exit_code;
};

/* client.c */
void client_stop(struct client *c);
/* Load cfg's identity files (or the default ones) into keys. */
void client_load_keys(const struct client_config *cfg,
                      struct client_keys *keys);
void client_free_keys(struct client_keys *keys);
/* The target hop (the last one) authenticated: start forwarding. */
void client_target_ready(struct client *c, struct io_conn *ic);
/* The target opens a channel: only forwarded ones for our -R forwards.
 * ctx is the target's struct client_hop. */
void client_open_request(void *ctx, struct io_conn *ic, uint32_t id,
                         const struct chan_open_info *info);
/* A -R connection's local target refused: ssh's words ("connect_to HOST
 * port N: failed."; for a Unix path ssh names its internal port -2). */
void client_connect_failed(void *ctx, struct io_conn *ic, const char *target,
                           int port, int status);

/* client_hop.c */
int client_hops_init(struct client *c);
void client_hops_cleanup(struct client *c);
/* Connect to hop 0: over TCP (attempts, timeout) or the ProxyCommand. */
int client_hops_start(struct client *c);
/* Disconnect every hop still up; stop their timers. */
void client_hops_stop(struct client *c, const char *why);

/* client_hostkey.c: ctx is a struct client_hop. */
int client_verify_hostkey(void *ctx, const struct sshkey *key);

/* client_hostcert.c: a hop's host certificate (the key's sshkey_cert()),
 * and the cert forms of a host key algorithm list appended to out. */
int client_verify_hostcert(struct client_hop *hop, const struct sshkey *key);
void client_hostcert_algs(const char *list, char *out, size_t out_len);

/* client_certs.c: the certificate "<key_path>-cert.pub" for k[i], and
 * a CertificateFile for whichever loaded key it certifies; each is
 * offered right after its key. Missing or mismatched files are skipped. */
void client_load_cert_beside(struct client_keys *keys, size_t i,
                             const char *key_path);
void client_load_cert_files(struct client_keys *keys, const char *path);

/*
 * The host key algorithms to offer: when the user did not set
 * HostKeyAlgorithms and known_hosts has keys for this host, the default
 * list with the known key types first (as ssh orders it); otherwise out is
 * left empty, meaning "the configured or default list".
 */
int client_hostkey_algs(struct client *c, const char *host, uint16_t port,
                        char *out, size_t out_len);

/* client_stdio.c */
/* -W: join stdin/stdout to a channel of ic; exit when it closes. */
int client_stdio_start(struct client *c, struct io_conn *ic);
/* "channel N: open failed: ...", "stdio forwarding failed"; exit 255. */
void client_say_stdio_failed(struct client *c, struct io_chan *ch,
                             uint32_t reason, const char *msg);
/* ProxyCommand with %h %p %r %n %% expanded into a malloc'd string, or
 * NULL (printed) for an unknown token. */
char *client_proxy_expand(const struct client *c, const char *cmd);

#endif
