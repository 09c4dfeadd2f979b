/* SPDX-License-Identifier: ISC */
/*
 * Decoders for the requests a -D client sends: SOCKS4, SOCKS4a, SOCKS5
 * (greeting and request) and HTTP CONNECT. Sans I/O: each takes a reader
 * over the bytes received so far and either decodes one whole message,
 * says it is not complete yet, or refuses it and says why.
 */
#ifndef ADIT_FWD_PROXY_REQ_H
#define ADIT_FWD_PROXY_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "util/adit_limits.h"
#include "wire/rd.h"

enum proxy_kind {
    PROXY_NONE = 0,
    PROXY_SOCKS4,
    PROXY_SOCKS4A,
    PROXY_SOCKS5,
    PROXY_HTTP,
};

/* Why a request is refused; each maps to its protocol's reply code. */
enum proxy_why {
    PROXY_WHY_NONE = 0,
    PROXY_WHY_MALFORMED, /* not a request of the protocol */
    PROXY_WHY_TOO_LARGE, /* over LIM_PROXY_REQUEST or a field's limit */
    PROXY_WHY_AUTH,      /* SOCKS5: no method we accept (only NO AUTH) */
    PROXY_WHY_COMMAND,   /* SOCKS BIND, UDP ASSOCIATE or unknown */
    PROXY_WHY_ADDRTYPE,  /* SOCKS5 address type we do not know */
    PROXY_WHY_METHOD,    /* HTTP: a method other than CONNECT */
};

/* A decoded request. host is a name or an address literal (IPv6 without
 * brackets), visible ASCII only, sent to the server as it is. */
struct proxy_req {
    enum proxy_kind kind;
    enum proxy_why why; /* set with ERR_DENIED */
    char host[LIM_HOSTNAME + 1];
    uint16_t port;
};

/*
 * Each decoder reads from rd->off and, on success, leaves rd->off just
 * after the message (bytes after it belong to the tunnel). Returns 0;
 * ERR_TRUNC when the message is not complete (rd unchanged); ERR_LIMIT
 * when it cannot fit its limits; ERR_FORMAT when it is malformed;
 * ERR_DENIED for a well-formed request we refuse (req->why says which).
 */
int proxy_req_socks4_decode(struct rd *rd, struct proxy_req *req);
/* The SOCKS5 method negotiation: *no_auth is true when the client offers
 * NO AUTHENTICATION REQUIRED, the only method we take. */
int proxy_req_socks5_greeting_decode(struct rd *rd, bool *no_auth);
int proxy_req_socks5_decode(struct rd *rd, struct proxy_req *req);
int proxy_req_http_decode(struct rd *rd, struct proxy_req *req);

/* "SOCKS4", "SOCKS4A", "SOCKS5", "HTTP CONNECT" (for log lines). */
const char *proxy_kind_str(enum proxy_kind kind);

#endif
