/* SPDX-License-Identifier: ISC */
/* The control protocol's framing: request lines and response headers. */
#include "ctl/ctl_proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"
#include "wire/rd.h"

/* One word from line into out (room left: *room), NUL-terminated. */
static int
ctl_word(struct rd *line, char *out, size_t *room, size_t *len)
{
    uint8_t c, h, l;
    int r;

    *len = 0;
    while (rd_left(line) > 0) {
        if ((r = rd_u8(line, &c)) != 0) {
            return r;
        }
        if (c == ' ') {
            break;
        }
        if (c < 0x21 || c > 0x7e) {
            return ERR_FORMAT;
        }
        if (c == '%') {
            if (rd_u8(line, &h) != 0 || rd_u8(line, &l) != 0 ||
                str_hex_digit(h) < 0 || str_hex_digit(l) < 0) {
                return ERR_FORMAT;
            }
            if ((c = (uint8_t)(str_hex_digit(h) << 4 | str_hex_digit(l))) ==
                0) {
                return ERR_FORMAT;
            }
        }
        if (*len + 1 >= *room) {
            return ERR_LIMIT;
        }
        out[(*len)++] = (char)c;
    }
    if (*len == 0) {
        return ERR_FORMAT;
    }
    out[*len] = '\0';
    *room -= *len + 1;
    return 0;
}

static int
ctl_words(struct rd *line, struct ctl_request *req)
{
    size_t room = sizeof(req->text), len;
    char *at = req->text;
    int r;

    while (rd_left(line) > 0) {
        if (req->argc >= LIM_CTL_ARGS + 1) {
            return ERR_LIMIT;
        }
        if ((r = ctl_word(line, at, &room, &len)) != 0) {
            return r;
        }
        req->argv[req->argc++] = at;
        at += len + 1;
    }
    req->argv[req->argc] = NULL;
    return req->argc > 0 ? 0 : ERR_FORMAT;
}

int
ctl_request_decode(const uint8_t *p, size_t n, size_t *used,
                   struct ctl_request *req)
{
    const size_t magic = sizeof(CTL_MAGIC) - 1;
    const uint8_t *lp;
    struct rd rd, line;
    size_t len;
    int r;

    *used = 0;
    memset(req, 0, sizeof(*req));
    /* Another protocol (an ssh -O speaking OpenSSH's binary mux framing,
     * which has no line end to wait for) is told so at its first bytes. */
    if (n > 0 && memcmp(p, CTL_MAGIC,
                        n < CTL_MAGIC_PREFIX ? n : CTL_MAGIC_PREFIX) != 0) {
        return ERR_VERSION;
    }
    rd_init(&rd, p, n);
    r = rd_until(&rd, '\n', &lp, &len, LIM_CTL_REQUEST - 1);
    if (r == ERR_TRUNC) {
        return ERR_AGAIN;
    }
    if (r != 0) {
        return r;
    }
    if (len < magic + 2 || memcmp(lp, CTL_MAGIC, magic) != 0 ||
        lp[magic] != ' ') {
        return ERR_VERSION;
    }
    rd_init(&line, lp + magic + 1, len - magic - 1);
    if ((r = ctl_words(&line, req)) != 0) {
        return r;
    }
    *used = n - rd_left(&rd);
    return 0;
}

static int
ctl_put_word(struct buf *b, const char *w)
{
    const unsigned char *u = (const unsigned char *)w;
    char esc[4];
    int r = 0;

    if (*u == '\0') {
        return ERR_INVAL;
    }
    for (; *u != '\0' && r == 0; u++) {
        if (*u < 0x21 || *u > 0x7e || *u == '%') {
            snprintf(esc, sizeof(esc), "%%%02X", (unsigned)*u);
            r = buf_put(b, esc, 3);
        } else {
            r = buf_put(b, u, 1);
        }
    }
    return r;
}

int
ctl_request_encode(struct buf *b, const char *const *argv, size_t argc)
{
    size_t start = buf_len(b), i;
    int r;

    if (argc == 0 || argc > LIM_CTL_ARGS + 1) {
        return argc == 0 ? ERR_INVAL : ERR_LIMIT;
    }
    r = buf_put(b, CTL_MAGIC, sizeof(CTL_MAGIC) - 1);
    for (i = 0; i < argc && r == 0; i++) {
        if ((r = buf_put(b, " ", 1)) == 0) {
            r = ctl_put_word(b, argv[i]);
        }
    }
    if (r == 0 && (r = buf_put(b, "\n", 1)) == 0 &&
        buf_len(b) - start > LIM_CTL_REQUEST) {
        r = ERR_LIMIT;
    }
    if (r != 0) {
        buf_truncate(b, start);
    }
    return r;
}

int
ctl_response_encode(struct buf *b, bool ok, const void *body, size_t n)
{
    char head[CTL_RESPONSE_HEAD_MAX];
    int len, r;

    if (n > LIM_CTL_RESPONSE) {
        return ERR_LIMIT;
    }
    len = snprintf(head, sizeof(head), "%s %s %zu\n", CTL_MAGIC,
                   ok ? "ok" : "error", n);
    if ((r = buf_put(b, head, (size_t)len)) != 0) {
        return r;
    }
    return n > 0 ? buf_put(b, body, n) : 0;
}

/* Decimal digits only, no sign or leading zeros, at most max. */
static int
ctl_length(const uint8_t *p, size_t n, size_t max, size_t *out)
{
    size_t v = 0, i;

    if (n == 0 || n > 10 || (n > 1 && p[0] == '0')) {
        return ERR_FORMAT;
    }
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return ERR_FORMAT;
        }
        v = v * 10 + (size_t)(p[i] - '0');
    }
    if (v > max) {
        return ERR_LIMIT;
    }
    *out = v;
    return 0;
}

int
ctl_response_decode(const uint8_t *p, size_t n, size_t *head, bool *is_ok,
                    size_t *body_len)
{
    const size_t magic = sizeof(CTL_MAGIC) - 1;
    const uint8_t *lp, *word;
    struct rd rd, line;
    size_t len, wlen;
    int r;

    *head = 0;
    *body_len = 0;
    *is_ok = false;
    rd_init(&rd, p, n);
    r = rd_until(&rd, '\n', &lp, &len, CTL_RESPONSE_HEAD_MAX);
    if (r != 0) {
        return r == ERR_TRUNC ? ERR_AGAIN : ERR_FORMAT;
    }
    if (len < magic + 1 || memcmp(lp, CTL_MAGIC, magic) != 0 ||
        lp[magic] != ' ') {
        return ERR_VERSION;
    }
    rd_init(&line, lp + magic + 1, len - magic - 1);
    if (rd_until(&line, ' ', &word, &wlen, 5) != 0) {
        return ERR_FORMAT;
    }
    if (wlen == 2 && memcmp(word, "ok", 2) == 0) {
        *is_ok = true;
    } else if (wlen != 5 || memcmp(word, "error", 5) != 0) {
        return ERR_FORMAT;
    }
    wlen = rd_left(&line);
    if ((r = rd_bytes(&line, wlen, &word)) != 0 ||
        (r = ctl_length(word, wlen, LIM_CTL_RESPONSE, body_len)) != 0) {
        return r;
    }
    *head = n - rd_left(&rd);
    return 0;
}
