/* SPDX-License-Identifier: ISC */
/*
 * One -D client's side of the proxy handshake, sans I/O: bytes read from
 * the client go in, replies to write to it come out, and the end result
 * is a target (host, port) to open a direct-tcpip channel to, plus any
 * bytes the client sent after its request (they belong to the tunnel).
 * The protocol is told by the first byte: 4 SOCKS4/4a, 5 SOCKS5, an ASCII
 * letter an HTTP CONNECT request.
 */
#ifndef ADIT_FWD_PROXY_H
#define ADIT_FWD_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "fwd/proxy_req.h"
#include "util/adit_limits.h"
#include "wire/buf.h"

enum proxy_state {
    PROXY_ST_FIRST,      /* waiting for the first message */
    PROXY_ST_SOCKS5_REQ, /* SOCKS5 method chosen; waiting for the request */
    PROXY_ST_DONE,       /* req holds the target */
    PROXY_ST_FAILED,
};

struct proxy {
    enum proxy_state state;
    struct proxy_req req;
    size_t start;  /* where the message being decoded begins in in[] */
    size_t used;   /* PROXY_ST_DONE: the request ends here */
    size_t in_len; /* bytes received */
    uint8_t in[LIM_PROXY_REQUEST];
};

void proxy_init(struct proxy *px);

/* Room for the next read from the client: *n is 0 once the request is
 * done or failed, or the buffer is full. */
void proxy_room(struct proxy *px, uint8_t **p, size_t *n);

/*
 * n bytes were read into the room. Appends to reply what to write to the
 * client now (the SOCKS5 method choice, or a refusal). Returns ERR_AGAIN
 * while the request is incomplete; 0 once it is done (px->req is the
 * target; see proxy_extra); on refusal ERR_FORMAT (malformed), ERR_LIMIT
 * (too large) or ERR_DENIED (see px->req.why): write the reply, if any,
 * then close. ERR_NOMEM if reply cannot grow. ERR_INVAL in a final state.
 */
int proxy_commit(struct proxy *px, size_t n, struct buf *reply);

/* PROXY_ST_DONE: bytes that came after the request, to send through the
 * tunnel before anything else the client sends. */
void proxy_extra(const struct proxy *px, const uint8_t **p, size_t *n);

/*
 * The answer to a done request of this kind (px->req.kind) once the
 * server answered the channel open: reason 0 is success, else the
 * SSH_OPEN_* reason and the server's text,
 * mapped to the protocol's code (SOCKS5: not allowed, connection refused,
 * host or network unreachable, general failure; SOCKS4: 0x5B; HTTP 403,
 * 502 or 504 with a short text body). Appends to reply.
 */
int proxy_reply(enum proxy_kind kind, uint32_t reason, const char *msg,
                struct buf *reply);

/* Words for a refusal, for the log ("unsupported command", ...). */
const char *proxy_why_str(enum proxy_why why);

#endif
