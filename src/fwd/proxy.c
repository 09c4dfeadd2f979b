/* SPDX-License-Identifier: ISC */
/* The -D proxy handshake: protocol detection, SOCKS5 negotiation, replies. */
#include "fwd/proxy.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "transport/ssh_msg.h"
#include "util/err.h"

/* SOCKS5 replies (RFC 1928 section 6). */
#define SOCKS5_VERSION 5
#define SOCKS5_NO_AUTH 0x00
#define SOCKS5_NO_METHOD 0xff
#define SOCKS5_OK 0x00
#define SOCKS5_FAILURE 0x01
#define SOCKS5_NOT_ALLOWED 0x02
#define SOCKS5_NET_UNREACH 0x03
#define SOCKS5_HOST_UNREACH 0x04
#define SOCKS5_REFUSED 0x05
#define SOCKS5_BAD_COMMAND 0x07
#define SOCKS5_BAD_ADDRTYPE 0x08
#define SOCKS5_ATYP_IPV4 1
/* SOCKS4 replies: VN 0, then CD. */
#define SOCKS4_OK 0x5a
#define SOCKS4_REJECTED 0x5b
/* A short body for HTTP failures: the server's words, cut to this. */
#define HTTP_MSG_MAX 200u

void
proxy_init(struct proxy *px)
{
    memset(px, 0, sizeof(*px));
    px->state = PROXY_ST_FIRST;
}

void
proxy_room(struct proxy *px, uint8_t **p, size_t *n)
{
    bool open = px->state == PROXY_ST_FIRST || px->state == PROXY_ST_SOCKS5_REQ;

    *p = px->in + px->in_len;
    *n = open ? sizeof(px->in) - px->in_len : 0;
}

/* ---- replies ---- */

/*
 * SOCKS5 reply (RFC 1928 section 6): VER, REP, RSV, ATYP, BND.ADDR,
 * BND.PORT. The bound address is not ours to tell (it is on the server),
 * so it is 0.0.0.0:0, as OpenSSH answers.
 */
static int
proxy_socks5_reply(uint8_t rep, struct buf *reply)
{
    const uint8_t msg[10] = {SOCKS5_VERSION, rep, 0, SOCKS5_ATYP_IPV4};

    return buf_put(reply, msg, sizeof(msg));
}

/* SOCKS4 reply: VN 0, CD, DSTPORT and DSTIP (zero: not meaningful). */
static int
proxy_socks4_reply(uint8_t cd, struct buf *reply)
{
    const uint8_t msg[8] = {0, cd};

    return buf_put(reply, msg, sizeof(msg));
}

/* Printable ASCII of s, at most out_len - 1 bytes: the server's text is
 * peer data and goes into a reply the client may show. */
static void
proxy_clean_text(const char *s, char *out, size_t out_len)
{
    size_t i, n = 0;

    for (i = 0; s != NULL && s[i] != '\0' && n + 1 < out_len; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f) {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
}

static int
proxy_http_reply(int status, const char *phrase, const char *text,
                 struct buf *reply)
{
    char head[256], body[HTTP_MSG_MAX + 2];
    int hn, bn;

    if (status == 200) {
        static const char ok[] = "HTTP/1.1 200 Connection established\r\n"
                                 "\r\n";

        return buf_put(reply, ok, sizeof(ok) - 1);
    }
    proxy_clean_text(text, body, HTTP_MSG_MAX);
    bn = (int)strlen(body);
    body[bn++] = '\n';
    body[bn] = '\0';
    hn =
        snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\n"
                 "Content-Type: text/plain\r\n"
                 "Content-Length: %d\r\n"
                 "%s"
                 "Connection: close\r\n\r\n",
                 status, phrase, bn, status == 405 ? "Allow: CONNECT\r\n" : "");
    if (hn < 0 || (size_t)hn >= sizeof(head)) {
        return ERR_INTERNAL;
    }
    if (buf_put(reply, head, (size_t)hn) != 0 ||
        buf_put(reply, body, (size_t)bn) != 0) {
        return ERR_NOMEM;
    }
    return 0;
}

/* The refusal of a request that never reached the server. */
static int
proxy_refusal(const struct proxy *px, struct buf *reply)
{
    enum proxy_why why = px->req.why;

    switch (px->req.kind) {
    case PROXY_SOCKS4:
    case PROXY_SOCKS4A:
        return proxy_socks4_reply(SOCKS4_REJECTED, reply);
    case PROXY_SOCKS5:
        return proxy_socks5_reply(why == PROXY_WHY_COMMAND ? SOCKS5_BAD_COMMAND
                                  : why == PROXY_WHY_ADDRTYPE
                                      ? SOCKS5_BAD_ADDRTYPE
                                      : SOCKS5_FAILURE,
                                  reply);
    case PROXY_HTTP:
        if (why == PROXY_WHY_METHOD) {
            return proxy_http_reply(405, "Method Not Allowed",
                                    "only CONNECT is supported", reply);
        }
        if (why == PROXY_WHY_TOO_LARGE) {
            return proxy_http_reply(431, "Request Header Fields Too Large",
                                    "request too large", reply);
        }
        return proxy_http_reply(400, "Bad Request", "malformed CONNECT request",
                                reply);
    default:
        return 0; /* not a protocol we speak: no words for it */
    }
}

/* Case-insensitive: does s contain needle (lower case)? */
static bool
proxy_text_has(const char *s, const char *needle)
{
    size_t i, j;

    for (i = 0; s != NULL && s[i] != '\0'; i++) {
        for (j = 0;
             needle[j] != '\0' && tolower((unsigned char)s[i + j]) == needle[j];
             j++) {
        }
        if (needle[j] == '\0') {
            return true;
        }
    }
    return false;
}

/*
 * The SOCKS5 code for a failed open. The reason code only says "connect
 * failed"; the server's text (OpenSSH and aditd send strerror() or
 * gai_strerror() words) tells refused from unreachable.
 */
static uint8_t
proxy_socks5_code(uint32_t reason, const char *msg)
{
    if (reason == SSH_OPEN_ADMINISTRATIVELY_PROHIBITED) {
        return SOCKS5_NOT_ALLOWED;
    }
    if (reason != SSH_OPEN_CONNECT_FAILED) {
        return SOCKS5_FAILURE;
    }
    if (proxy_text_has(msg, "refused")) {
        return SOCKS5_REFUSED;
    }
    if (proxy_text_has(msg, "network is unreachable")) {
        return SOCKS5_NET_UNREACH;
    }
    if (proxy_text_has(msg, "unreachable") || proxy_text_has(msg, "no route") ||
        proxy_text_has(msg, "timed out") || proxy_text_has(msg, "not known") ||
        proxy_text_has(msg, "no address") ||
        proxy_text_has(msg, "resolution")) {
        return SOCKS5_HOST_UNREACH;
    }
    return SOCKS5_FAILURE;
}

static int
proxy_http_failure(uint32_t reason, const char *msg, struct buf *reply)
{
    char text[HTTP_MSG_MAX];

    proxy_clean_text(msg, text, sizeof(text));
    if (reason == SSH_OPEN_ADMINISTRATIVELY_PROHIBITED) {
        return proxy_http_reply(
            403, "Forbidden",
            text[0] != '\0' ? text : "administratively prohibited", reply);
    }
    if (proxy_text_has(msg, "timed out")) {
        return proxy_http_reply(504, "Gateway Timeout", text, reply);
    }
    return proxy_http_reply(502, "Bad Gateway",
                            text[0] != '\0' ? text : "connect failed", reply);
}

int
proxy_reply(enum proxy_kind kind, uint32_t reason, const char *msg,
            struct buf *reply)
{
    switch (kind) {
    case PROXY_SOCKS4:
    case PROXY_SOCKS4A:
        return proxy_socks4_reply(reason == 0 ? SOCKS4_OK : SOCKS4_REJECTED,
                                  reply);
    case PROXY_SOCKS5:
        return proxy_socks5_reply(
            reason == 0 ? SOCKS5_OK : proxy_socks5_code(reason, msg), reply);
    case PROXY_HTTP:
        return reason == 0 ? proxy_http_reply(200, "", "", reply)
                           : proxy_http_failure(reason, msg, reply);
    default:
        return ERR_INVAL;
    }
}

const char *
proxy_why_str(enum proxy_why why)
{
    switch (why) {
    case PROXY_WHY_MALFORMED:
        return "malformed request";
    case PROXY_WHY_TOO_LARGE:
        return "request too large";
    case PROXY_WHY_AUTH:
        return "no acceptable authentication method";
    case PROXY_WHY_COMMAND:
        return "unsupported command";
    case PROXY_WHY_ADDRTYPE:
        return "unsupported address type";
    case PROXY_WHY_METHOD:
        return "method is not CONNECT";
    default:
        return "no reason";
    }
}

/* ---- decoding ---- */

/* The protocol from the first byte. */
static enum proxy_kind
proxy_detect(uint8_t first)
{
    if (first == 4) {
        return PROXY_SOCKS4;
    }
    if (first == 5) {
        return PROXY_SOCKS5;
    }
    if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z')) {
        return PROXY_HTTP;
    }
    return PROXY_NONE;
}

/* Refuse: remember why, and say it to the client if its protocol can. */
static int
proxy_fail(struct proxy *px, int err, struct buf *reply)
{
    int r;

    if (err == ERR_LIMIT) {
        px->req.why = PROXY_WHY_TOO_LARGE;
    } else if (err != ERR_DENIED) {
        err = ERR_FORMAT;
        px->req.why = PROXY_WHY_MALFORMED;
    }
    px->state = PROXY_ST_FAILED;
    if ((r = proxy_refusal(px, reply)) != 0) {
        return r;
    }
    return err;
}

/* The SOCKS5 greeting: choose NO AUTH or refuse every method. */
static int
proxy_greeting(struct proxy *px, struct rd *rd, struct buf *reply)
{
    const uint8_t no_method[2] = {SOCKS5_VERSION, SOCKS5_NO_METHOD};
    const uint8_t chosen[2] = {SOCKS5_VERSION, SOCKS5_NO_AUTH};
    bool no_auth = false;
    int r;

    if ((r = proxy_req_socks5_greeting_decode(rd, &no_auth)) != 0) {
        return r;
    }
    if (!no_auth) {
        px->req.why = PROXY_WHY_AUTH;
        px->state = PROXY_ST_FAILED;
        return buf_put(reply, no_method, 2) != 0 ? ERR_NOMEM : ERR_DENIED;
    }
    if (buf_put(reply, chosen, 2) != 0) {
        return ERR_NOMEM;
    }
    px->start = rd->off;
    px->state = PROXY_ST_SOCKS5_REQ;
    return ERR_AGAIN;
}

/* One decoding step over in[start..in_len): ERR_AGAIN to go on when a
 * message was taken (px->start moved), ERR_TRUNC to wait for bytes. */
static int
proxy_step(struct proxy *px, struct buf *reply)
{
    struct rd rd;
    int r;

    rd_init(&rd, px->in, px->in_len);
    rd.off = px->start;
    if (px->state == PROXY_ST_SOCKS5_REQ) {
        r = proxy_req_socks5_decode(&rd, &px->req);
    } else {
        px->req.kind = proxy_detect(px->in[0]);
        if (px->req.kind == PROXY_SOCKS5) {
            return proxy_greeting(px, &rd, reply);
        }
        r = px->req.kind == PROXY_SOCKS4
                ? proxy_req_socks4_decode(&rd, &px->req)
            : px->req.kind == PROXY_HTTP ? proxy_req_http_decode(&rd, &px->req)
                                         : ERR_FORMAT;
    }
    if (r == 0) {
        px->used = rd.off;
        px->state = PROXY_ST_DONE;
    }
    return r;
}

int
proxy_commit(struct proxy *px, size_t n, struct buf *reply)
{
    int r;

    if (px->state != PROXY_ST_FIRST && px->state != PROXY_ST_SOCKS5_REQ) {
        return ERR_INVAL;
    }
    if (n > sizeof(px->in) - px->in_len) {
        return ERR_INVAL;
    }
    px->in_len += n;
    if (px->in_len == 0) {
        return ERR_AGAIN;
    }
    do {
        r = proxy_step(px, reply);
    } while (r == ERR_AGAIN);
    if (r == ERR_TRUNC) {
        return px->in_len < sizeof(px->in) ? ERR_AGAIN
                                           : proxy_fail(px, ERR_LIMIT, reply);
    }
    if (r == 0 || px->state == PROXY_ST_FAILED || r == ERR_NOMEM) {
        return r;
    }
    return proxy_fail(px, r, reply);
}

void
proxy_extra(const struct proxy *px, const uint8_t **p, size_t *n)
{
    bool done = px->state == PROXY_ST_DONE;

    *p = done ? px->in + px->used : NULL;
    *n = done ? px->in_len - px->used : 0;
}
