/* SPDX-License-Identifier: ISC */
/*
 * The control protocol spoken on adit's and aditd's control sockets
 * (`adit status`, `aditd status`, later adit's -O check|forward|cancel|
 * exit|stop). Text framing, so it can be read and typed with socat:
 *
 *   request:  "ADIT-CTL/1" SP command *(SP word) LF
 *   response: "ADIT-CTL/1" SP ("ok" / "error") SP length LF body
 *
 * A request is at most LIM_CTL_REQUEST bytes with LIM_CTL_ARGS words; a
 * word is bytes 0x21-0x7e, any other byte (and '%' itself) written as %XX,
 * so a forward spec or a path with spaces is one word. The body is exactly
 * length bytes (at most LIM_CTL_RESPONSE): the answer, or for "error" a
 * one-line reason. Several requests may follow on one connection; each is
 * answered in order. Descriptors (for -O sessions later) can ride on a
 * request as SCM_RIGHTS without changing this framing.
 *
 * A different major version is answered with an error that names ours.
 */
#ifndef ADIT_CTL_CTL_PROTO_H
#define ADIT_CTL_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/adit_limits.h"
#include "wire/buf.h"

#define CTL_MAGIC "ADIT-CTL/1"
/* "ADIT-CTL/": bytes that differ from it are another protocol at once. */
#define CTL_MAGIC_PREFIX 9u
#define CTL_RESPONSE_HEAD_MAX 48u

struct ctl_request {
    char *argv[LIM_CTL_ARGS + 2]; /* argv[0] is the command; NULL-ended */
    size_t argc;                  /* words, the command included */
    char text[LIM_CTL_REQUEST];   /* the decoded words, NUL-separated */
};

/*
 * Decode one request from the front of p (n bytes). 0 with *used set to
 * the bytes it took; ERR_AGAIN when no full line is there yet; ERR_LIMIT
 * for a line (or word count) over the limits; ERR_VERSION for another
 * magic (as soon as the bytes there differ from "ADIT-CTL/"); ERR_FORMAT for an
 * empty word, a bad %XX or an encoded NUL.
 */
int ctl_request_decode(const uint8_t *p, size_t n, size_t *used,
                       struct ctl_request *req);

/* A request line for words (argv[0] the command) appended to b.
 * ERR_LIMIT when it would not fit the limits, ERR_INVAL for no words. */
int ctl_request_encode(struct buf *b, const char *const *argv, size_t argc);

/* A response: the header, then body. */
int ctl_response_encode(struct buf *b, bool ok, const void *body, size_t n);

/*
 * The response header at the front of p: 0 with *head (its length),
 * *is_ok and *body_len set; ERR_AGAIN until the line is complete;
 * ERR_VERSION, ERR_FORMAT, ERR_LIMIT (body over LIM_CTL_RESPONSE).
 */
int ctl_response_decode(const uint8_t *p, size_t n, size_t *head, bool *is_ok,
                        size_t *body_len);

#endif
