/* SPDX-License-Identifier: ISC */
/* The -D request decoders: every form, every truncation, oversize, junk. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "fwd/proxy_req.h"
#include "util/err.h"

typedef int (*decode_fn)(struct rd *rd, struct proxy_req *req);

/*
 * Decode msg (len bytes) and then msg plus one trailing byte; every
 * shorter prefix must say ERR_TRUNC and leave the reader where it was.
 * Returns the result for the whole message; req holds what it decoded.
 */
static int
decode_all_cuts(decode_fn fn, const void *msg, size_t len,
                struct proxy_req *req)
{
    uint8_t *copy = malloc(len + 1);
    struct rd rd;
    size_t cut;
    int r;

    assert_non_null(copy);
    memcpy(copy, msg, len);
    copy[len] = 'X';
    for (cut = 0; cut < len; cut++) {
        rd_init(&rd, copy, cut);
        assert_int_equal(fn(&rd, req), ERR_TRUNC);
        assert_int_equal(rd.off, 0);
        assert_string_equal(req->host, "");
    }
    rd_init(&rd, copy, len + 1);
    r = fn(&rd, req);
    assert_int_equal(rd.off, r == 0 ? len : 0);
    rd_init(&rd, copy, len);
    assert_int_equal(fn(&rd, req), r);
    free(copy);
    return r;
}

/* Decode the whole of msg once. */
static int
decode_once(decode_fn fn, const void *msg, size_t len, struct proxy_req *req)
{
    struct rd rd;

    rd_init(&rd, msg, len);
    return fn(&rd, req);
}

#define MSG(s) (s), (sizeof(s) - 1)

/* Well-formed requests of every form, each checked at every cut. */
static const struct good {
    decode_fn fn;
    const char *msg;
    size_t len;
    enum proxy_kind kind;
    const char *host;
    uint16_t port;
} goods[] = {
    {proxy_req_socks4_decode, MSG("\x04\x01\x00\x50\x7f\x00\x00\x01user\0"),
     PROXY_SOCKS4, "127.0.0.1", 80},
    /* An empty user id. */
    {proxy_req_socks4_decode, MSG("\x04\x01\xff\xff\x0a\x01\x02\x03\0"),
     PROXY_SOCKS4, "10.1.2.3", 65535},
    {proxy_req_socks4_decode,
     MSG("\x04\x01\x01\xbb\x00\x00\x00\x07me\0db.internal.test\0"),
     PROXY_SOCKS4A, "db.internal.test", 443},
    {proxy_req_socks5_decode, MSG("\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x16"),
     PROXY_SOCKS5, "127.0.0.1", 22},
    {proxy_req_socks5_decode,
     MSG("\x05\x01\x00\x04\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"
         "\x1f\x90"),
     PROXY_SOCKS5, "2001:db8::1", 8080},
    {proxy_req_socks5_decode, MSG("\x05\x01\x00\x03\x0bweb.example\x00\x50"),
     PROXY_SOCKS5, "web.example", 80},
    /* RSV is not checked, as OpenSSH does not. */
    {proxy_req_socks5_decode, MSG("\x05\x01\x07\x03\x01h\x00\x50"),
     PROXY_SOCKS5, "h", 80},
    {proxy_req_http_decode,
     MSG("CONNECT web.internal:443 HTTP/1.1\r\n"
         "Host: web.internal:443\r\n"
         "User-Agent: curl/7.88.1\r\n"
         "Proxy-Connection: Keep-Alive\r\n"
         "\r\n"),
     PROXY_HTTP, "web.internal", 443},
    /* No headers, HTTP/1.0, bare LF line ends, an IPv6 literal. */
    {proxy_req_http_decode, MSG("CONNECT [::1]:22 HTTP/1.0\n\n"), PROXY_HTTP,
     "::1", 22},
    {proxy_req_http_decode, MSG("CONNECT 10.0.0.1:1 HTTP/1.1\r\n\r\n"),
     PROXY_HTTP, "10.0.0.1", 1},
};

static void
test_good(void **state)
{
    struct proxy_req req;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
        assert_int_equal(
            decode_all_cuts(goods[i].fn, goods[i].msg, goods[i].len, &req), 0);
        assert_int_equal(req.kind, goods[i].kind);
        assert_string_equal(req.host, goods[i].host);
        assert_int_equal(req.port, goods[i].port);
        assert_int_equal(req.why, PROXY_WHY_NONE);
    }
}

static void
test_socks4_refused(void **state)
{
    struct proxy_req req;
    uint8_t big[8 + LIM_SOCKS4_USERID + 2];
    uint8_t name[8 + 1 + LIM_HOSTNAME + 2];

    (void)state;
    /* BIND: well-formed, refused. */
    assert_int_equal(decode_all_cuts(proxy_req_socks4_decode,
                                     MSG("\x04\x02\x00\x50\x7f\x00\x00\x01\0"),
                                     &req),
                     ERR_DENIED);
    assert_int_equal(req.why, PROXY_WHY_COMMAND);
    /* Wrong version, port 0. */
    assert_int_equal(decode_once(proxy_req_socks4_decode,
                                 MSG("\x05\x01\x00\x50\x7f\x00\x00\x01\0"),
                                 &req),
                     ERR_FORMAT);
    assert_int_equal(decode_once(proxy_req_socks4_decode,
                                 MSG("\x04\x01\x00\x00\x7f\x00\x00\x01\0"),
                                 &req),
                     ERR_FORMAT);
    /* SOCKS4a: an empty name, a name with a control byte. */
    assert_int_equal(decode_once(proxy_req_socks4_decode,
                                 MSG("\x04\x01\x00\x50\x00\x00\x00\x01\0\0"),
                                 &req),
                     ERR_FORMAT);
    assert_int_equal(
        decode_once(proxy_req_socks4_decode,
                    MSG("\x04\x01\x00\x50\x00\x00\x00\x01\0a\tb\0"), &req),
        ERR_FORMAT);
    /* A user id one byte over its limit, with and without its NUL. */
    memcpy(big, "\x04\x01\x00\x50\x7f\x00\x00\x01", 8);
    memset(big + 8, 'u', LIM_SOCKS4_USERID + 1);
    big[sizeof(big) - 1] = 0;
    assert_int_equal(
        decode_once(proxy_req_socks4_decode, big, sizeof(big), &req),
        ERR_LIMIT);
    assert_int_equal(
        decode_once(proxy_req_socks4_decode, big, sizeof(big) - 1, &req),
        ERR_LIMIT);
    /* Exactly at the limit: fine. */
    big[sizeof(big) - 2] = 0;
    assert_int_equal(
        decode_once(proxy_req_socks4_decode, big, sizeof(big) - 1, &req), 0);
    /* A SOCKS4a name one byte over LIM_HOSTNAME. */
    memcpy(name, "\x04\x01\x00\x50\x00\x00\x00\x01\0", 9);
    memset(name + 9, 'h', LIM_HOSTNAME + 1);
    name[sizeof(name) - 1] = 0;
    assert_int_equal(
        decode_once(proxy_req_socks4_decode, name, sizeof(name), &req),
        ERR_LIMIT);
    name[sizeof(name) - 2] = 0;
    assert_int_equal(
        decode_once(proxy_req_socks4_decode, name, sizeof(name) - 1, &req), 0);
    assert_int_equal(strlen(req.host), LIM_HOSTNAME);
}

static int
greeting(struct rd *rd, struct proxy_req *req)
{
    bool no_auth = true;
    int r = proxy_req_socks5_greeting_decode(rd, &no_auth);

    /* Report "no NO AUTH" through why, for decode_all_cuts. */
    req->why = no_auth ? PROXY_WHY_NONE : PROXY_WHY_AUTH;
    req->host[0] = '\0';
    return r;
}

static void
test_socks5_greeting(void **state)
{
    struct proxy_req req;

    (void)state;
    assert_int_equal(decode_all_cuts(greeting, MSG("\x05\x01\x00"), &req), 0);
    assert_int_equal(req.why, PROXY_WHY_NONE);
    assert_int_equal(
        decode_all_cuts(greeting, MSG("\x05\x03\x02\x01\x00"), &req), 0);
    assert_int_equal(req.why, PROXY_WHY_NONE);
    /* Username/password and GSSAPI only; no methods at all. */
    assert_int_equal(decode_all_cuts(greeting, MSG("\x05\x02\x01\x02"), &req),
                     0);
    assert_int_equal(req.why, PROXY_WHY_AUTH);
    assert_int_equal(decode_all_cuts(greeting, MSG("\x05\x00"), &req), 0);
    assert_int_equal(req.why, PROXY_WHY_AUTH);
    assert_int_equal(decode_once(greeting, MSG("\x04\x01\x00"), &req),
                     ERR_FORMAT);
}

static void
test_socks5_refused(void **state)
{
    struct proxy_req req;
    uint8_t name[5 + 255 + 2];

    (void)state;
    /* BIND and UDP ASSOCIATE: read whole, then refused. */
    assert_int_equal(decode_all_cuts(proxy_req_socks5_decode,
                                     MSG("\x05\x02\x00\x01\x7f\x00\x00\x01"
                                         "\x00\x16"),
                                     &req),
                     ERR_DENIED);
    assert_int_equal(req.why, PROXY_WHY_COMMAND);
    assert_int_equal(decode_once(proxy_req_socks5_decode,
                                 MSG("\x05\x03\x00\x01\x7f\x00\x00\x01"
                                     "\x00\x16"),
                                 &req),
                     ERR_DENIED);
    assert_int_equal(req.why, PROXY_WHY_COMMAND);
    /* An unknown address type cannot be read past. */
    assert_int_equal(
        decode_once(proxy_req_socks5_decode, MSG("\x05\x01\x00\x02"), &req),
        ERR_DENIED);
    assert_int_equal(req.why, PROXY_WHY_ADDRTYPE);
    /* Bad version, empty name, NUL in the name, port 0. */
    assert_int_equal(decode_once(proxy_req_socks5_decode,
                                 MSG("\x04\x01\x00\x01\x7f\x00\x00\x01"
                                     "\x00\x16"),
                                 &req),
                     ERR_FORMAT);
    assert_int_equal(decode_once(proxy_req_socks5_decode,
                                 MSG("\x05\x01\x00\x03\x00\x00\x50"), &req),
                     ERR_FORMAT);
    assert_int_equal(decode_once(proxy_req_socks5_decode,
                                 MSG("\x05\x01\x00\x03\x03"
                                     "a\0b\x00\x50"),
                                 &req),
                     ERR_FORMAT);
    assert_int_equal(decode_once(proxy_req_socks5_decode,
                                 MSG("\x05\x01\x00\x01\x7f\x00\x00\x01"
                                     "\x00\x00"),
                                 &req),
                     ERR_FORMAT);
    /* A 255-byte name (the most SOCKS5 can carry) fits LIM_HOSTNAME. */
    memcpy(name, "\x05\x01\x00\x03\xff", 5);
    memset(name + 5, 'n', 255);
    name[260] = 0;
    name[261] = 80;
    assert_int_equal(
        decode_once(proxy_req_socks5_decode, name, sizeof(name), &req), 0);
    assert_int_equal(strlen(req.host), 255);
}

static void
test_http_refused(void **state)
{
    static const char *const bad[] = {
        "CONNECT host HTTP/1.1\r\n\r\n",
        "CONNECT host: HTTP/1.1\r\n\r\n",
        "CONNECT host:0 HTTP/1.1\r\n\r\n",
        "CONNECT host:65536 HTTP/1.1\r\n\r\n",
        "CONNECT host:000080 HTTP/1.1\r\n\r\n",
        "CONNECT host:8x HTTP/1.1\r\n\r\n",
        "CONNECT :80 HTTP/1.1\r\n\r\n",
        "CONNECT ::1:80 HTTP/1.1\r\n\r\n",
        "CONNECT [::1]80 HTTP/1.1\r\n\r\n",
        "CONNECT [::1 HTTP/1.1\r\n\r\n",
        "CONNECT host:80 HTTP/2\r\n\r\n",
        "CONNECT host:80  HTTP/1.1\r\n\r\n",
        "CONNECT host:80\r\n\r\n",
        "CONNECT\r\n\r\n",
        "CONNECT ho\x01st:80 HTTP/1.1\r\n\r\n",
    };
    struct proxy_req req;
    char *big;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(decode_all_cuts(proxy_req_http_decode, bad[i],
                                         strlen(bad[i]), &req),
                         ERR_FORMAT);
    }
    assert_int_equal(decode_all_cuts(proxy_req_http_decode,
                                     MSG("GET http://host/ HTTP/1.1\r\n"
                                         "Host: host\r\n\r\n"),
                                     &req),
                     ERR_DENIED);
    assert_int_equal(req.why, PROXY_WHY_METHOD);
    /* One line longer than the whole request may be. */
    big = malloc(LIM_PROXY_REQUEST + 2);
    assert_non_null(big);
    memcpy(big, "CONNECT ", 8);
    memset(big + 8, 'a', LIM_PROXY_REQUEST - 7);
    big[LIM_PROXY_REQUEST + 1] = '\n';
    assert_int_equal(
        decode_once(proxy_req_http_decode, big, LIM_PROXY_REQUEST + 2, &req),
        ERR_LIMIT);
    free(big);
}

static void
test_kind_str(void **state)
{
    (void)state;
    assert_string_equal(proxy_kind_str(PROXY_SOCKS4), "SOCKS4");
    assert_string_equal(proxy_kind_str(PROXY_SOCKS4A), "SOCKS4A");
    assert_string_equal(proxy_kind_str(PROXY_SOCKS5), "SOCKS5");
    assert_string_equal(proxy_kind_str(PROXY_HTTP), "HTTP CONNECT");
    assert_string_equal(proxy_kind_str(PROXY_NONE), "unknown");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_socks4_refused),
        cmocka_unit_test(test_socks5_greeting),
        cmocka_unit_test(test_socks5_refused),
        cmocka_unit_test(test_http_refused),
        cmocka_unit_test(test_kind_str),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
