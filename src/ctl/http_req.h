/* SPDX-License-Identifier: ISC */
/*
 * Just enough HTTP/1.x for a metrics scrape: the request line and the end
 * of the headers (which are read and ignored), and one response with
 * Content-Length and "Connection: close" (one response per connection).
 */
#ifndef ADIT_CTL_HTTP_REQ_H
#define ADIT_CTL_HTTP_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/buf.h"

#define HTTP_METHOD_MAX 16u
#define HTTP_TARGET_MAX 256u

struct http_req {
    char method[HTTP_METHOD_MAX];
    char target[HTTP_TARGET_MAX]; /* the path, query included */
};

/*
 * The request in p (n bytes, everything read so far). 0 once the blank
 * line after the headers is there; ERR_AGAIN before; ERR_LIMIT past
 * LIM_HTTP_REQUEST; ERR_FORMAT for a request line that is not
 * "METHOD SP target SP HTTP/1.x".
 */
int http_req_decode(const uint8_t *p, size_t n, struct http_req *req);

/* "HTTP/1.0 status reason", Content-Type, Content-Length, Connection:
 * close, and (unless head_only) the body, appended to b. */
int http_response(struct buf *b, unsigned status, const char *reason,
                  const char *content_type, const void *body, size_t n,
                  bool head_only);

#endif
