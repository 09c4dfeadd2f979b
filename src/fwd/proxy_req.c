/* SPDX-License-Identifier: ISC */
/* SOCKS4/4a/5 and HTTP CONNECT request decoders. */
#include "fwd/proxy_req.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

#define SOCKS4_VERSION 4
#define SOCKS5_VERSION 5
#define SOCKS_CMD_CONNECT 1
#define SOCKS5_NO_AUTH 0x00
#define SOCKS5_ATYP_IPV4 1
#define SOCKS5_ATYP_DOMAIN 3
#define SOCKS5_ATYP_IPV6 4
/* "65535" */
#define PORT_DIGITS_MAX 5

const char *
proxy_kind_str(enum proxy_kind kind)
{
    switch (kind) {
    case PROXY_SOCKS4:
        return "SOCKS4";
    case PROXY_SOCKS4A:
        return "SOCKS4A";
    case PROXY_SOCKS5:
        return "SOCKS5";
    case PROXY_HTTP:
        return "HTTP CONNECT";
    default:
        return "unknown";
    }
}

static void
proxy_req_clear(struct proxy_req *req, enum proxy_kind kind)
{
    memset(req, 0, sizeof(*req));
    req->kind = kind;
}

static int
proxy_req_deny(struct proxy_req *req, enum proxy_why why)
{
    req->why = why;
    return ERR_DENIED;
}

/* A target host as the server will get it: 1..LIM_HOSTNAME visible ASCII
 * bytes, so no NUL, space or control byte ever reaches a log or the
 * server's resolver from here. */
static int
proxy_req_set_host(struct proxy_req *req, const uint8_t *p, size_t len)
{
    size_t i;

    if (len == 0 || len > LIM_HOSTNAME) {
        return len == 0 ? ERR_FORMAT : ERR_LIMIT;
    }
    for (i = 0; i < len; i++) {
        if (p[i] <= 0x20 || p[i] >= 0x7f) {
            return ERR_FORMAT;
        }
    }
    memcpy(req->host, p, len);
    req->host[len] = '\0';
    return 0;
}

static int
proxy_req_set_addr(struct proxy_req *req, int af, const uint8_t *addr)
{
    if (inet_ntop(af, addr, req->host, sizeof(req->host)) == NULL) {
        return ERR_FORMAT;
    }
    return 0;
}

/* A port as two bytes in network order. */
static int
proxy_req_port16(struct rd *rd, uint16_t *port)
{
    const uint8_t *p;
    int r;

    *port = 0;
    if ((r = rd_bytes(rd, 2, &p)) != 0) {
        return r;
    }
    *port = (uint16_t)((p[0] << 8) | p[1]);
    return 0;
}

/* A whole SOCKS request has been read: only CONNECT is served, and port 0
 * is nothing to connect to (BIND and UDP ASSOCIATE may carry it). */
static int
proxy_req_socks_cmd(struct proxy_req *req, uint8_t cmd)
{
    if (cmd != SOCKS_CMD_CONNECT) {
        return proxy_req_deny(req, PROXY_WHY_COMMAND);
    }
    return req->port == 0 ? ERR_FORMAT : 0;
}

/*
 * SOCKS4 (and 4a), from the client:
 *
 *   byte     VN = 4
 *   byte     CD: 1 CONNECT, 2 BIND
 *   uint16   DSTPORT
 *   byte[4]  DSTIP; 0.0.0.x with x != 0 means SOCKS4a
 *   char[]   USERID, NUL-terminated
 *   char[]   SOCKS4a only: HOSTNAME, NUL-terminated
 */
static int
proxy_req_socks4(struct rd *rd, struct proxy_req *req)
{
    const uint8_t *ip, *user, *name;
    size_t user_len, name_len;
    uint8_t vn, cd;
    int r;

    if ((r = rd_u8(rd, &vn)) != 0 || (r = rd_u8(rd, &cd)) != 0 ||
        (r = proxy_req_port16(rd, &req->port)) != 0 ||
        (r = rd_bytes(rd, 4, &ip)) != 0 ||
        (r = rd_until(rd, 0, &user, &user_len, LIM_SOCKS4_USERID)) != 0) {
        return r;
    }
    if (vn != SOCKS4_VERSION) {
        return ERR_FORMAT;
    }
    if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) {
        req->kind = PROXY_SOCKS4A;
        if ((r = rd_until(rd, 0, &name, &name_len, LIM_HOSTNAME)) != 0 ||
            (r = proxy_req_set_host(req, name, name_len)) != 0) {
            return r;
        }
    } else if ((r = proxy_req_set_addr(req, AF_INET, ip)) != 0) {
        return r;
    }
    return proxy_req_socks_cmd(req, cd);
}

/*
 * SOCKS5 method negotiation (RFC 1928 section 3):
 *
 *   byte     VER = 5
 *   byte     NMETHODS
 *   byte[n]  METHODS
 */
static int
proxy_req_greeting(struct rd *rd, bool *no_auth)
{
    const uint8_t *methods;
    uint8_t ver, n, i;
    int r;

    if ((r = rd_u8(rd, &ver)) != 0 || (r = rd_u8(rd, &n)) != 0 ||
        (r = rd_bytes(rd, n, &methods)) != 0) {
        return r;
    }
    if (ver != SOCKS5_VERSION) {
        return ERR_FORMAT;
    }
    for (i = 0; i < n; i++) {
        if (methods[i] == SOCKS5_NO_AUTH) {
            *no_auth = true;
        }
    }
    return 0;
}

static int
proxy_req_socks5_addr(struct rd *rd, uint8_t atyp, struct proxy_req *req)
{
    const uint8_t *p;
    uint8_t len;
    int r;

    switch (atyp) {
    case SOCKS5_ATYP_IPV4:
        return (r = rd_bytes(rd, 4, &p)) != 0
                   ? r
                   : proxy_req_set_addr(req, AF_INET, p);
    case SOCKS5_ATYP_IPV6:
        return (r = rd_bytes(rd, 16, &p)) != 0
                   ? r
                   : proxy_req_set_addr(req, AF_INET6, p);
    case SOCKS5_ATYP_DOMAIN:
        if ((r = rd_u8(rd, &len)) != 0 || (r = rd_bytes(rd, len, &p)) != 0) {
            return r;
        }
        return proxy_req_set_host(req, p, len);
    default:
        return proxy_req_deny(req, PROXY_WHY_ADDRTYPE);
    }
}

/*
 * SOCKS5 request (RFC 1928 section 4):
 *
 *   byte     VER = 5
 *   byte     CMD: 1 CONNECT, 2 BIND, 3 UDP ASSOCIATE
 *   byte     RSV (ignored: RFC 1928 says 0, and OpenSSH does not check)
 *   byte     ATYP: 1 IPv4, 3 DOMAINNAME, 4 IPv6
 *   ...      DST.ADDR: 4 bytes, a length byte and the name, or 16 bytes
 *   uint16   DST.PORT
 *
 * The whole request is read before a command is refused, so the refusal
 * is the client's next read rather than a reset.
 */
static int
proxy_req_socks5(struct rd *rd, struct proxy_req *req)
{
    uint8_t ver, cmd, rsv, atyp;
    int r;

    if ((r = rd_u8(rd, &ver)) != 0 || (r = rd_u8(rd, &cmd)) != 0 ||
        (r = rd_u8(rd, &rsv)) != 0 || (r = rd_u8(rd, &atyp)) != 0) {
        return r;
    }
    if (ver != SOCKS5_VERSION) {
        return ERR_FORMAT;
    }
    if ((r = proxy_req_socks5_addr(rd, atyp, req)) != 0 ||
        (r = proxy_req_port16(rd, &req->port)) != 0) {
        return r;
    }
    return proxy_req_socks_cmd(req, cmd);
}

/* One line ending in LF, with an optional CR before it removed. */
static int
proxy_req_line(struct rd *rd, struct rd *line)
{
    const uint8_t *p;
    size_t len;
    int r;

    if ((r = rd_until(rd, '\n', &p, &len, LIM_PROXY_REQUEST)) != 0) {
        return r;
    }
    if (len > 0 && p[len - 1] == '\r') {
        len--;
    }
    rd_init(line, p, len);
    return 0;
}

/* True when the view holds exactly the text s. */
static bool
proxy_req_is(const uint8_t *p, size_t len, const char *s)
{
    return len == strlen(s) && memcmp(p, s, len) == 0;
}

/* A decimal port, 1..65535, the whole of what rd holds. */
static int
proxy_req_port_text(struct rd *rd, uint16_t *port)
{
    uint32_t v = 0;
    size_t n = 0;
    uint8_t c;

    *port = 0;
    while (rd_u8(rd, &c) == 0) {
        if (c < '0' || c > '9' || ++n > PORT_DIGITS_MAX) {
            return ERR_FORMAT;
        }
        v = v * 10 + (uint32_t)(c - '0');
    }
    if (v == 0 || v > UINT16_MAX) {
        return ERR_FORMAT;
    }
    *port = (uint16_t)v;
    return 0;
}

/* An authority-form target (RFC 9110 9.3.6): host:port or [v6]:port. A
 * host with a colon outside brackets is malformed. */
static int
proxy_req_authority(struct rd *rd, struct proxy_req *req)
{
    struct rd peek = *rd;
    const uint8_t *host;
    size_t len;
    uint8_t c = 0;
    int r;

    (void)rd_u8(&peek, &c);
    if (c == '[') {
        if ((r = rd_u8(rd, &c)) != 0 ||
            (r = rd_until(rd, ']', &host, &len, LIM_HOSTNAME)) != 0 ||
            (r = rd_u8(rd, &c)) != 0 || c != ':') {
            return ERR_FORMAT;
        }
    } else if (rd_until(rd, ':', &host, &len, LIM_HOSTNAME) != 0) {
        return ERR_FORMAT;
    }
    if ((r = proxy_req_set_host(req, host, len)) != 0) {
        return ERR_FORMAT;
    }
    return proxy_req_port_text(rd, &req->port);
}

/* "CONNECT authority HTTP/1.x", single spaces as RFC 9112 3 has them. */
static int
proxy_req_http_line(struct rd *line, struct proxy_req *req)
{
    const uint8_t *method, *target, *version;
    size_t method_len, target_len, version_len;
    struct rd trd;

    if (rd_until(line, ' ', &method, &method_len, LIM_PROXY_REQUEST) != 0 ||
        rd_until(line, ' ', &target, &target_len, LIM_PROXY_REQUEST) != 0) {
        return ERR_FORMAT;
    }
    version_len = rd_left(line);
    if (rd_bytes(line, version_len, &version) != 0) {
        return ERR_FORMAT;
    }
    if (!proxy_req_is(version, version_len, "HTTP/1.1") &&
        !proxy_req_is(version, version_len, "HTTP/1.0")) {
        return ERR_FORMAT;
    }
    if (!proxy_req_is(method, method_len, "CONNECT")) {
        return proxy_req_deny(req, PROXY_WHY_METHOD);
    }
    rd_init(&trd, target, target_len);
    return proxy_req_authority(&trd, req);
}

/*
 * HTTP CONNECT (RFC 9110 9.3.6, RFC 9112 3):
 *
 *   CONNECT host:port HTTP/1.1 CRLF
 *   (header-field CRLF)*
 *   CRLF
 *
 * Lines may end in a bare LF (RFC 9112 2.2 lets a server take them). The
 * header fields are skipped: nothing in them changes what we connect to.
 * The request line is judged only once the blank line is in, so a refusal
 * is read by the client rather than lost to a reset.
 */
static int
proxy_req_http(struct rd *rd, struct proxy_req *req)
{
    struct rd first, line;
    int r;

    if ((r = proxy_req_line(rd, &first)) != 0) {
        return r;
    }
    do {
        if ((r = proxy_req_line(rd, &line)) != 0) {
            return r;
        }
    } while (rd_left(&line) > 0);
    return proxy_req_http_line(&first, req);
}

/* Run a decoder; on any failure, leave rd where it was. */
static int
proxy_req_run(struct rd *rd, struct proxy_req *req, enum proxy_kind kind,
              int (*fn)(struct rd *, struct proxy_req *))
{
    size_t off = rd->off;
    int r;

    proxy_req_clear(req, kind);
    if ((r = fn(rd, req)) != 0) {
        rd->off = off;
        if (r != ERR_DENIED) {
            proxy_req_clear(req, kind);
        }
    }
    return r;
}

int
proxy_req_socks4_decode(struct rd *rd, struct proxy_req *req)
{
    return proxy_req_run(rd, req, PROXY_SOCKS4, proxy_req_socks4);
}

int
proxy_req_socks5_greeting_decode(struct rd *rd, bool *no_auth)
{
    size_t off = rd->off;
    int r;

    *no_auth = false;
    if ((r = proxy_req_greeting(rd, no_auth)) != 0) {
        rd->off = off;
        *no_auth = false;
    }
    return r;
}

int
proxy_req_socks5_decode(struct rd *rd, struct proxy_req *req)
{
    return proxy_req_run(rd, req, PROXY_SOCKS5, proxy_req_socks5);
}

int
proxy_req_http_decode(struct rd *rd, struct proxy_req *req)
{
    return proxy_req_run(rd, req, PROXY_HTTP, proxy_req_http);
}
