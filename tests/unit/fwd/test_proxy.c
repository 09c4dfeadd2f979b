/* SPDX-License-Identifier: ISC */
/* The -D handshake: detection, SOCKS5 negotiation, extra bytes, replies. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "fwd/proxy.h"
#include "transport/ssh_msg.h"
#include "util/err.h"

#define MSG(s) (const uint8_t *)(s), (sizeof(s) - 1)

/* Feed n bytes through proxy_room/proxy_commit in one read. */
static int
feed(struct proxy *px, const uint8_t *p, size_t n, struct buf *reply)
{
    uint8_t *room;
    size_t max;

    proxy_room(px, &room, &max);
    assert_true(n <= max);
    memcpy(room, p, n);
    return proxy_commit(px, n, reply);
}

/* Feed one byte at a time: ERR_AGAIN until the last. */
static int
feed_bytewise(struct proxy *px, const uint8_t *p, size_t n, struct buf *reply)
{
    size_t i;

    for (i = 0; i + 1 < n; i++) {
        assert_int_equal(feed(px, p + i, 1, reply), ERR_AGAIN);
    }
    return feed(px, p + i, 1, reply);
}

static void
assert_buf(struct buf *b, const void *p, size_t n)
{
    assert_int_equal(buf_len(b), n);
    assert_memory_equal(buf_ptr(b), p, n);
    buf_reset(b);
}

static void
assert_no_extra(const struct proxy *px)
{
    const uint8_t *p;
    size_t n;

    proxy_extra(px, &p, &n);
    assert_int_equal(n, 0);
}

static void
test_socks5_flow(void **state)
{
    static const uint8_t ok[] = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    struct proxy px;
    struct buf reply;

    (void)state;
    buf_init(&reply);
    proxy_init(&px);
    assert_int_equal(feed_bytewise(&px, MSG("\x05\x02\x02\x00"), &reply),
                     ERR_AGAIN);
    assert_buf(&reply, "\x05\x00", 2);
    assert_int_equal(px.state, PROXY_ST_SOCKS5_REQ);
    assert_int_equal(feed_bytewise(&px,
                                   MSG("\x05\x01\x00\x03\x0a"
                                       "db.private"
                                       "\x18\xeb"),
                                   &reply),
                     0);
    assert_int_equal(buf_len(&reply), 0);
    assert_string_equal(px.req.host, "db.private");
    assert_int_equal(px.req.port, 6379);
    assert_int_equal(px.req.kind, PROXY_SOCKS5);
    assert_no_extra(&px);
    assert_int_equal(proxy_reply(px.req.kind, 0, NULL, &reply), 0);
    assert_buf(&reply, ok, sizeof(ok));
    /* Done: no more room, no more input. */
    {
        uint8_t *room;
        size_t max;

        proxy_room(&px, &room, &max);
        assert_int_equal(max, 0);
        assert_int_equal(proxy_commit(&px, 0, &reply), ERR_INVAL);
    }
    buf_cleanup(&reply);
}

/* Greeting, request and the first data in one read: the extra bytes are
 * kept for the tunnel. */
static void
test_socks5_pipelined(void **state)
{
    struct proxy px;
    struct buf reply;
    const uint8_t *p;
    size_t n;

    (void)state;
    buf_init(&reply);
    proxy_init(&px);
    assert_int_equal(feed(&px,
                          MSG("\x05\x01\x00"
                              "\x05\x01\x00\x01\x7f\x00\x00\x01\x00\x50"
                              "GET / HTTP/1.0\r\n\r\n"),
                          &reply),
                     0);
    assert_buf(&reply, "\x05\x00", 2);
    assert_string_equal(px.req.host, "127.0.0.1");
    proxy_extra(&px, &p, &n);
    assert_int_equal(n, 18);
    assert_memory_equal(p, "GET / HTTP/1.0\r\n\r\n", n);
    buf_cleanup(&reply);
}

static void
test_socks5_refusals(void **state)
{
    struct proxy px;
    struct buf reply;

    (void)state;
    buf_init(&reply);
    /* Only username/password offered. */
    proxy_init(&px);
    assert_int_equal(feed(&px, MSG("\x05\x01\x02"), &reply), ERR_DENIED);
    assert_buf(&reply, "\x05\xff", 2);
    assert_int_equal(px.req.why, PROXY_WHY_AUTH);
    assert_int_equal(px.state, PROXY_ST_FAILED);
    /* BIND: command not supported. */
    proxy_init(&px);
    assert_int_equal(feed(&px,
                          MSG("\x05\x01\x00"
                              "\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50"),
                          &reply),
                     ERR_DENIED);
    assert_buf(&reply, "\x05\x00\x05\x07\x00\x01\0\0\0\0\0\0", 12);
    /* UDP ASSOCIATE, fed bytewise. */
    proxy_init(&px);
    assert_int_equal(feed_bytewise(&px,
                                   MSG("\x05\x01\x00"
                                       "\x05\x03\x00\x01\0\0\0\0\0\0"),
                                   &reply),
                     ERR_DENIED);
    assert_buf(&reply, "\x05\x00\x05\x07\x00\x01\0\0\0\0\0\0", 12);
    /* Unknown address type. */
    proxy_init(&px);
    assert_int_equal(feed(&px, MSG("\x05\x01\x00\x05\x01\x00\x09"), &reply),
                     ERR_DENIED);
    assert_buf(&reply, "\x05\x00\x05\x08\x00\x01\0\0\0\0\0\0", 12);
    /* Malformed: general failure. */
    proxy_init(&px);
    assert_int_equal(feed(&px, MSG("\x05\x01\x00\x05\x01\x00\x03\x00"), &reply),
                     ERR_FORMAT);
    assert_buf(&reply, "\x05\x00\x05\x01\x00\x01\0\0\0\0\0\0", 12);
    assert_int_equal(px.req.why, PROXY_WHY_MALFORMED);
    buf_cleanup(&reply);
}

/* The SOCKS5 code for each way the server can refuse. */
static void
test_socks5_failure_codes(void **state)
{
    static const struct {
        uint32_t reason;
        const char *msg;
        uint8_t rep;
    } cases[] = {
        {SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "open failed", 0x02},
        {SSH_OPEN_CONNECT_FAILED, "Connection refused", 0x05},
        {SSH_OPEN_CONNECT_FAILED, "Network is unreachable", 0x03},
        {SSH_OPEN_CONNECT_FAILED, "No route to host", 0x04},
        {SSH_OPEN_CONNECT_FAILED, "Connection timed out", 0x04},
        {SSH_OPEN_CONNECT_FAILED, "Name or service not known", 0x04},
        {SSH_OPEN_CONNECT_FAILED, "Temporary failure in name resolution", 0x04},
        {SSH_OPEN_CONNECT_FAILED, "open failed", 0x01},
        {SSH_OPEN_CONNECT_FAILED, NULL, 0x01},
        {SSH_OPEN_RESOURCE_SHORTAGE, "too many channels", 0x01},
        {SSH_OPEN_UNKNOWN_CHANNEL_TYPE, "", 0x01},
    };
    struct proxy px;
    struct buf reply;
    size_t i;

    (void)state;
    buf_init(&reply);
    proxy_init(&px);
    assert_int_equal(feed(&px,
                          MSG("\x05\x01\x00\x05\x01\x00\x01\x7f\x00\x00\x01"
                              "\x00\x50"),
                          &reply),
                     0);
    buf_reset(&reply);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(
            proxy_reply(px.req.kind, cases[i].reason, cases[i].msg, &reply), 0);
        assert_int_equal(buf_len(&reply), 10);
        assert_int_equal(buf_ptr(&reply)[1], cases[i].rep);
        buf_reset(&reply);
    }
    buf_cleanup(&reply);
}

static void
test_socks4_flow(void **state)
{
    struct proxy px;
    struct buf reply;
    const uint8_t *p;
    size_t n;

    (void)state;
    buf_init(&reply);
    proxy_init(&px);
    assert_int_equal(feed_bytewise(&px,
                                   MSG("\x04\x01\x00\x50\x7f\x00\x00\x01"
                                       "u\0"),
                                   &reply),
                     0);
    assert_int_equal(buf_len(&reply), 0);
    assert_int_equal(px.req.kind, PROXY_SOCKS4);
    assert_no_extra(&px);
    assert_int_equal(proxy_reply(px.req.kind, 0, NULL, &reply), 0);
    assert_buf(&reply, "\x00\x5a\0\0\0\0\0\0", 8);
    assert_int_equal(proxy_reply(px.req.kind, SSH_OPEN_CONNECT_FAILED,
                                 "Connection refused", &reply),
                     0);
    assert_buf(&reply, "\x00\x5b\0\0\0\0\0\0", 8);
    /* SOCKS4a with data after it. */
    proxy_init(&px);
    assert_int_equal(feed(&px,
                          MSG("\x04\x01\x00\x50\x00\x00\x00\x01"
                              "\0name.test\0hello"),
                          &reply),
                     0);
    assert_int_equal(px.req.kind, PROXY_SOCKS4A);
    assert_string_equal(px.req.host, "name.test");
    proxy_extra(&px, &p, &n);
    assert_int_equal(n, 5);
    assert_memory_equal(p, "hello", 5);
    /* BIND: rejected at once. */
    proxy_init(&px);
    assert_int_equal(
        feed(&px, MSG("\x04\x02\x00\x50\x7f\x00\x00\x01\0"), &reply),
        ERR_DENIED);
    assert_buf(&reply, "\x00\x5b\0\0\0\0\0\0", 8);
    buf_cleanup(&reply);
}

/* Does the reply start with line and end with body? */
static void
assert_http(struct buf *b, const char *line, const char *body)
{
    size_t n = buf_len(b), bl = strlen(body);
    char *s = malloc(n + 1);

    assert_non_null(s);
    memcpy(s, buf_ptr(b), n);
    s[n] = '\0';
    assert_int_equal(strncmp(s, line, strlen(line)), 0);
    assert_true(n >= bl);
    assert_string_equal(s + n - bl, body);
    assert_non_null(strstr(s, "\r\n\r\n"));
    free(s);
    buf_reset(b);
}

static void
test_http_flow(void **state)
{
    static const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n";
    struct proxy px;
    struct buf reply;
    const uint8_t *p;
    size_t n;

    (void)state;
    buf_init(&reply);
    proxy_init(&px);
    assert_int_equal(feed_bytewise(&px,
                                   MSG("CONNECT web.private:8443 HTTP/1.1\r\n"
                                       "Host: web.private:8443\r\n\r\n"),
                                   &reply),
                     0);
    assert_int_equal(buf_len(&reply), 0);
    assert_string_equal(px.req.host, "web.private");
    assert_int_equal(px.req.port, 8443);
    assert_no_extra(&px);
    /* A client that does not wait for the 200: its bytes are kept. */
    proxy_init(&px);
    assert_int_equal(feed(&px,
                          MSG("CONNECT web.private:8443 HTTP/1.1\r\n\r\n"
                              "\x16\x03\x01"),
                          &reply),
                     0);
    proxy_extra(&px, &p, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "\x16\x03\x01", 3);
    assert_int_equal(proxy_reply(px.req.kind, 0, NULL, &reply), 0);
    assert_buf(&reply, ok, sizeof(ok) - 1);
    assert_int_equal(proxy_reply(px.req.kind,
                                 SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                                 "open failed", &reply),
                     0);
    assert_http(&reply, "HTTP/1.1 403 Forbidden\r\n", "open failed\n");
    assert_int_equal(proxy_reply(px.req.kind, SSH_OPEN_CONNECT_FAILED,
                                 "Connection refused", &reply),
                     0);
    assert_http(&reply, "HTTP/1.1 502 Bad Gateway\r\n", "Connection refused\n");
    assert_int_equal(proxy_reply(px.req.kind, SSH_OPEN_CONNECT_FAILED,
                                 "Connection timed out", &reply),
                     0);
    assert_http(&reply, "HTTP/1.1 504 Gateway Timeout\r\n",
                "Connection timed out\n");
    /* The server's words are peer data: control bytes do not pass. */
    assert_int_equal(proxy_reply(px.req.kind, SSH_OPEN_CONNECT_FAILED,
                                 "bad\r\n\x1b[31mthing", &reply),
                     0);
    assert_http(&reply, "HTTP/1.1 502 Bad Gateway\r\n", "bad[31mthing\n");
    buf_cleanup(&reply);
}

static void
test_http_refusals(void **state)
{
    struct proxy px;
    struct buf reply;
    uint8_t *room;
    size_t max;

    (void)state;
    buf_init(&reply);
    proxy_init(&px);
    assert_int_equal(feed(&px, MSG("GET http://x/ HTTP/1.1\r\n\r\n"), &reply),
                     ERR_DENIED);
    assert_http(&reply, "HTTP/1.1 405 Method Not Allowed\r\n",
                "only CONNECT is supported\n");
    proxy_init(&px);
    assert_int_equal(feed(&px, MSG("CONNECT x HTTP/1.1\r\n\r\n"), &reply),
                     ERR_FORMAT);
    assert_http(&reply, "HTTP/1.1 400 Bad Request\r\n",
                "malformed CONNECT request\n");
    /* Headers that never end: the buffer fills, then 431. */
    proxy_init(&px);
    assert_int_equal(feed(&px, MSG("CONNECT x:1 HTTP/1.1\r\n"), &reply),
                     ERR_AGAIN);
    proxy_room(&px, &room, &max);
    memset(room, 'h', max);
    room[max - 1] = '\n';
    assert_int_equal(proxy_commit(&px, max, &reply), ERR_LIMIT);
    assert_http(&reply, "HTTP/1.1 431 Request Header Fields Too Large\r\n",
                "request too large\n");
    assert_int_equal(px.req.why, PROXY_WHY_TOO_LARGE);
    proxy_room(&px, &room, &max);
    assert_int_equal(max, 0);
    buf_cleanup(&reply);
}

/* A first byte that is no protocol of ours: refused without a word. */
static void
test_unknown(void **state)
{
    static const uint8_t firsts[] = {0, 1, 3, 6, '0', ' ', 0x16, 0xff};
    struct proxy px;
    struct buf reply;
    size_t i;

    (void)state;
    buf_init(&reply);
    for (i = 0; i < sizeof(firsts); i++) {
        proxy_init(&px);
        assert_int_equal(feed(&px, &firsts[i], 1, &reply), ERR_FORMAT);
        assert_int_equal(buf_len(&reply), 0);
        assert_int_equal(proxy_reply(px.req.kind, 0, NULL, &reply), ERR_INVAL);
    }
    /* Nothing read yet (a zero-length read). */
    proxy_init(&px);
    assert_int_equal(proxy_commit(&px, 0, &reply), ERR_AGAIN);
    assert_int_equal(proxy_commit(&px, LIM_PROXY_REQUEST + 1, &reply),
                     ERR_INVAL);
    buf_cleanup(&reply);
}

static void
test_why_str(void **state)
{
    (void)state;
    assert_string_equal(proxy_why_str(PROXY_WHY_COMMAND),
                        "unsupported command");
    assert_string_equal(proxy_why_str(PROXY_WHY_AUTH),
                        "no acceptable authentication method");
    assert_string_equal(proxy_why_str(PROXY_WHY_NONE), "no reason");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_socks5_flow),
        cmocka_unit_test(test_socks5_pipelined),
        cmocka_unit_test(test_socks5_refusals),
        cmocka_unit_test(test_socks5_failure_codes),
        cmocka_unit_test(test_socks4_flow),
        cmocka_unit_test(test_http_flow),
        cmocka_unit_test(test_http_refusals),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_why_str),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
