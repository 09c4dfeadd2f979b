/* SPDX-License-Identifier: ISC */
/* A bounded HTTP/1.x request reader and a one-shot response writer. */
#include "ctl/http_req.h"

#include <stdio.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/rd.h"

/* A token of the request line into out (NUL-terminated); bytes must be
 * visible ASCII. */
static int
http_token(struct rd *line, uint8_t delim, char *out, size_t max, bool last)
{
    const uint8_t *p;
    size_t len, i;
    int r;

    if (last) {
        len = rd_left(line);
        r = rd_bytes(line, len, &p);
    } else {
        r = rd_until(line, delim, &p, &len, max - 1);
    }
    if (r != 0 || len == 0 || len >= max) {
        return ERR_FORMAT;
    }
    for (i = 0; i < len; i++) {
        if (p[i] < 0x21 || p[i] > 0x7e) {
            return ERR_FORMAT;
        }
        out[i] = (char)p[i];
    }
    out[len] = '\0';
    return 0;
}

static int
http_request_line(const uint8_t *p, size_t len, struct http_req *req)
{
    char version[16];
    struct rd line;

    if (len > 0 && p[len - 1] == '\r') {
        len--;
    }
    rd_init(&line, p, len);
    if (http_token(&line, ' ', req->method, sizeof(req->method), false) != 0 ||
        http_token(&line, ' ', req->target, sizeof(req->target), false) != 0 ||
        http_token(&line, 0, version, sizeof(version), true) != 0) {
        return ERR_FORMAT;
    }
    if (strcmp(version, "HTTP/1.0") != 0 && strcmp(version, "HTTP/1.1") != 0) {
        return ERR_FORMAT;
    }
    return 0;
}

int
http_req_decode(const uint8_t *p, size_t n, struct http_req *req)
{
    const uint8_t *lp;
    size_t len, seen = 0;
    struct rd rd;
    int r;

    memset(req, 0, sizeof(*req));
    rd_init(&rd, p, n < LIM_HTTP_REQUEST ? n : LIM_HTTP_REQUEST);
    while ((r = rd_until(&rd, '\n', &lp, &len, LIM_HTTP_REQUEST)) == 0) {
        if (seen++ == 0) {
            if ((r = http_request_line(lp, len, req)) != 0) {
                return r;
            }
        } else if (len == 0 || (len == 1 && lp[0] == '\r')) {
            return 0;
        }
    }
    if (r == ERR_TRUNC) {
        return n >= LIM_HTTP_REQUEST ? ERR_LIMIT : ERR_AGAIN;
    }
    return r;
}

int
http_response(struct buf *b, unsigned status, const char *reason,
              const char *content_type, const void *body, size_t n,
              bool head_only)
{
    char head[256];
    int len, r;

    len = snprintf(head, sizeof(head),
                   "HTTP/1.0 %u %s\r\nContent-Type: %s\r\n"
                   "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                   status, reason, content_type, n);
    if (len < 0 || (size_t)len >= sizeof(head)) {
        return ERR_INVAL;
    }
    if ((r = buf_put(b, head, (size_t)len)) != 0 || head_only || n == 0) {
        return r;
    }
    return buf_put(b, body, n);
}
