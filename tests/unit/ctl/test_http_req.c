/* SPDX-License-Identifier: ISC */
/* Tests for ctl/http_req: the metrics endpoint's request reader. */
#include "ctl/http_req.h"

#include <string.h>

#include "testutil.h"
#include "util/adit_limits.h"
#include "util/err.h"

static int
decode(const char *s, struct http_req *req)
{
    return http_req_decode((const uint8_t *)s, strlen(s), req);
}

static void
test_requests(void **state)
{
    struct http_req req;

    assert_int_equal(decode("GET /metrics HTTP/1.1\r\nHost: x\r\n"
                            "Accept: */*\r\n\r\n",
                            &req),
                     0);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.target, "/metrics");
    assert_int_equal(decode("HEAD /metrics HTTP/1.0\n\n", &req), 0);
    assert_string_equal(req.method, "HEAD");
    assert_int_equal(decode("GET /metrics HTTP/1.1\r\nHost: x\r\n", &req),
                     ERR_AGAIN);
    assert_int_equal(decode("GET /metrics HTTP/1.1\r\n", &req), ERR_AGAIN);
    assert_int_equal(decode("GET /metrics", &req), ERR_AGAIN);
}

static void
test_bad(void **state)
{
    static char big[LIM_HTTP_REQUEST + 10];
    struct http_req req;

    assert_int_equal(decode("GET /metrics\r\n\r\n", &req), ERR_FORMAT);
    assert_int_equal(decode("GET /metrics HTTP/2\r\n\r\n", &req), ERR_FORMAT);
    assert_int_equal(decode("GET  /metrics HTTP/1.1\r\n\r\n", &req),
                     ERR_FORMAT);
    assert_int_equal(decode("GET /m\x01 HTTP/1.1\r\n\r\n", &req), ERR_FORMAT);
    assert_int_equal(decode("\r\n\r\n", &req), ERR_FORMAT);
    memset(big, 'a', sizeof(big));
    memcpy(big, "GET /", 5);
    assert_int_equal(http_req_decode((uint8_t *)big, sizeof(big), &req),
                     ERR_LIMIT);
    memcpy(big, "GET / HTTP/1.0\r\nX: ", 19);
    assert_int_equal(http_req_decode((uint8_t *)big, sizeof(big), &req),
                     ERR_LIMIT);
}

static void
test_response(void **state)
{
    const char *want = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                       "Content-Length: 3\r\nConnection: close\r\n\r\nab\n";
    struct buf b;

    buf_init(&b);
    assert_int_equal(
        http_response(&b, 200, "OK", "text/plain", "ab\n", 3, false), 0);
    assert_int_equal(buf_len(&b), strlen(want));
    assert_memory_equal(buf_ptr(&b), want, strlen(want));
    buf_reset(&b);
    assert_int_equal(
        http_response(&b, 200, "OK", "text/plain", "ab\n", 3, true), 0);
    assert_int_equal(buf_len(&b), strlen(want) - 3);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_requests),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
