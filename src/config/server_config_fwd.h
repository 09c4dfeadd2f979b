/* SPDX-License-Identifier: ISC */
/*
 * aditd's forwarding and keepalive settings (sshd_config(5) keywords
 * AllowTcpForwarding, AllowStreamLocalForwarding, DisableForwarding,
 * GatewayPorts, PermitOpen, PermitListen, ClientAliveInterval,
 * ClientAliveCountMax), and aditd's own AditdConnectTimeout. Part of struct
 * server_config; kept apart so the table of the other keywords stays small.
 */
#ifndef ADIT_CONFIG_SERVER_CONFIG_FWD_H
#define ADIT_CONFIG_SERVER_CONFIG_FWD_H

#include <stdbool.h>
#include <stddef.h>

#include "config/permit.h"

/* AllowTcpForwarding / AllowStreamLocalForwarding: bits. */
#define FWD_ALLOW_LOCAL 1
#define FWD_ALLOW_REMOTE 2
#define FWD_ALLOW_ALL (FWD_ALLOW_LOCAL | FWD_ALLOW_REMOTE)

enum gateway_ports {
    GATEWAY_NO = 0,
    GATEWAY_YES,
    GATEWAY_CLIENTSPECIFIED,
};

struct server_fwd_config {
    int allow_tcp;         /* FWD_ALLOW_* bits; -1 unset (default all) */
    int allow_streamlocal; /* -1 unset: aditd's default is none (0) */
    int disable;           /* DisableForwarding: -1 unset, 0, 1 */
    int gateway_ports;     /* enum gateway_ports; -1 unset */
    struct permit_list permit_open;
    struct permit_list permit_listen;
    bool has_permit_open; /* the first PermitOpen line wins */
    bool has_permit_listen;
    int alive_interval;  /* seconds; -1 unset, 0 off */
    int alive_count_max; /* -1 unset (default 3) */
    /* AditdConnectTimeout: seconds for a direct-tcpip target's lookup
     * and connect (sshd has no such setting and waits for the kernel);
     * -1 unset (LIM_CONNECT_TIMEOUT_S), 1..LIM_CONNECT_TIMEOUT_MAX_S. */
    int connect_timeout;
};

void server_fwd_config_init(struct server_fwd_config *f);
void server_fwd_config_cleanup(struct server_fwd_config *f);
/* Defaults for what was not set. */
void server_fwd_config_finish(struct server_fwd_config *f);

/*
 * Apply "key value" when key is one of the keywords above (case-
 * insensitive). ERR_NOTFOUND when it is not; ERR_CONFIG with a reason in
 * why for a bad value.
 */
int server_fwd_config_line(struct server_fwd_config *f, const char *key,
                           const char *value, char *why, size_t why_len);

#endif
