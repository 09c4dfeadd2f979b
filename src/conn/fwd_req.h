/* SPDX-License-Identifier: ISC */
/*
 * The request-specific data of the forwarding global requests: decoded
 * here (the only place that reads them), acted on by aditd.
 */
#ifndef ADIT_CONN_FWD_REQ_H
#define ADIT_CONN_FWD_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "wire/rd.h"

/* tcpip-forward and cancel-tcpip-forward (RFC 4254 7.1). */
struct tcpip_forward {
    char *host; /* address to bind, as the client wrote it */
    uint32_t port;
};

/*
 * RFC 4254 7.1, after "boolean want reply":
 *   string address to bind (e.g., "0.0.0.0")
 *   uint32 port number to bind
 * host is at most LIM_HOSTNAME bytes without NUL; port at most 65535
 * (sshd refuses larger ones too). ERR_TRUNC, ERR_TRAILING, ERR_FORMAT.
 */
int tcpip_forward_decode(struct rd *rd, struct tcpip_forward *m);
void tcpip_forward_cleanup(struct tcpip_forward *m);

/*
 * streamlocal-forward@openssh.com and cancel-streamlocal-forward@openssh.com
 * (OpenSSH PROTOCOL 2.4), after "boolean want reply":
 *   string socket path
 * *path is malloc'd, at most LIM_STRING_SMALL bytes, no NUL.
 */
int streamlocal_forward_decode(struct rd *rd, char **path);

#endif
