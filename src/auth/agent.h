/* SPDX-License-Identifier: ISC */
/*
 * The ssh-agent protocol, client side, without I/O (RFC 9987; OpenSSH
 * PROTOCOL.agent): build REQUEST_IDENTITIES and SIGN_REQUEST, cut framed
 * replies out of a byte stream and decode them. Every message on the
 * socket is
 *
 *   uint32  length of what follows (at most LIM_AGENT_MSG)
 *   byte    message number
 *   byte[]  contents
 */
#ifndef ADIT_AUTH_AGENT_H
#define ADIT_AUTH_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"
#include "wire/rd.h"

#define AGENT_FAILURE 5
#define AGENTC_REQUEST_IDENTITIES 11
#define AGENT_IDENTITIES_ANSWER 12
#define AGENTC_SIGN_REQUEST 13
#define AGENT_SIGN_RESPONSE 14
#define AGENT_EXTENSION_FAILURE 28

/* SIGN_REQUEST flags: which RSA signature the agent makes (RFC 8332). */
#define AGENT_RSA_SHA2_256 2u
#define AGENT_RSA_SHA2_512 4u

struct agent_identity {
    uint8_t *blob; /* public key blob, malloc'd */
    size_t blob_len;
    char *comment; /* malloc'd, NUL-terminated */
};

struct agent_identities {
    struct agent_identity *ids;
    size_t n;
};

void agent_identities_cleanup(struct agent_identities *a);

/* Append a framed REQUEST_IDENTITIES to out. ERR_NOMEM, ERR_LIMIT. */
int agent_request_identities(struct buf *out);

/*
 * Append a framed SIGN_REQUEST for the key blob over data:
 *   byte    SSH_AGENTC_SIGN_REQUEST
 *   string  key blob
 *   string  data
 *   uint32  flags (agent_sign_flags)
 * ERR_LIMIT when it would exceed LIM_AGENT_MSG, ERR_NOMEM.
 */
int agent_sign_request(struct buf *out, const uint8_t *blob, size_t blob_len,
                       const uint8_t *data, size_t n, uint32_t flags);

/* The flags asking for signature algorithm alg ("rsa-sha2-512", ...). */
uint32_t agent_sign_flags(const char *alg);

/*
 * The first whole reply in p[0..n): *msg views it (message number first),
 * *consumed is its size with the length field. ERR_AGAIN until all of it
 * is here; ERR_LIMIT for a length over LIM_AGENT_MSG, ERR_FORMAT for 0.
 */
int agent_reply_take(const uint8_t *p, size_t n, const uint8_t **msg,
                     size_t *msg_len, size_t *consumed);

/*
 * IDENTITIES_ANSWER (the whole message, number included):
 *   byte    SSH_AGENT_IDENTITIES_ANSWER
 *   uint32  nkeys (at most LIM_AGENT_KEYS)
 *   nkeys * (string key blob, string comment)
 * ERR_DENIED for FAILURE, ERR_FORMAT for another message, ERR_TRUNC,
 * ERR_TRAILING, ERR_LIMIT, ERR_NOMEM. *out is cleaned up on error.
 */
int agent_identities_decode(struct rd *rd, struct agent_identities *out);

/*
 * SIGN_RESPONSE (the whole message):
 *   byte    SSH_AGENT_SIGN_RESPONSE
 *   string  signature (at most LIM_KEY_BLOB)
 * *sig views it inside the message. ERR_DENIED for FAILURE (and
 * EXTENSION_FAILURE), ERR_FORMAT for another message, ERR_TRUNC,
 * ERR_TRAILING.
 */
int agent_sign_response_decode(struct rd *rd, const uint8_t **sig,
                               size_t *sig_len);

#endif
