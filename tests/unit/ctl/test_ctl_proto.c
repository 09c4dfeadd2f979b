/* SPDX-License-Identifier: ISC */
/* Tests for ctl/ctl_proto: request lines and response headers. */
#include "ctl/ctl_proto.h"

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "util/err.h"

static int
decode(const char *s, struct ctl_request *req, size_t *used)
{
    return ctl_request_decode((const uint8_t *)s, strlen(s), used, req);
}

static void
test_request_roundtrip(void **state)
{
    const char *argv[] = {"forward", "L", "8080:db host:5432", "100%",
                          "caf\xc3\xa9\n"};
    const char *want = "ADIT-CTL/1 forward L 8080:db%20host:5432 100%25 "
                       "caf%C3%A9%0A\n";
    struct ctl_request req;
    struct buf b;
    size_t used, i;

    buf_init(&b);
    assert_int_equal(ctl_request_encode(&b, argv, 5), 0);
    assert_int_equal(buf_len(&b), strlen(want));
    assert_memory_equal(buf_ptr(&b), want, strlen(want));
    /* A second request behind it is left for the next call. */
    assert_int_equal(buf_put(&b, "ADIT-CTL/1 status\n", 18), 0);
    assert_int_equal(ctl_request_decode(buf_ptr(&b), buf_len(&b), &used, &req),
                     0);
    assert_int_equal(used, strlen(want));
    assert_int_equal(req.argc, 5);
    for (i = 0; i < 5; i++) {
        assert_string_equal(req.argv[i], argv[i]);
    }
    assert_null(req.argv[5]);
    buf_consume(&b, used);
    assert_int_equal(ctl_request_decode(buf_ptr(&b), buf_len(&b), &used, &req),
                     0);
    assert_int_equal(req.argc, 1);
    assert_string_equal(req.argv[0], "status");
    buf_cleanup(&b);
}

static void
test_request_bad(void **state)
{
    struct ctl_request req;
    char big[LIM_CTL_REQUEST + 16];
    size_t used;

    assert_int_equal(decode("ADIT-CTL/1 status", &req, &used), ERR_AGAIN);
    assert_int_equal(decode("ADIT-CTL/2 status\n", &req, &used), ERR_VERSION);
    assert_int_equal(decode("GET / HTTP/1.0\n", &req, &used), ERR_VERSION);
    assert_int_equal(decode("ADIT-CTL/1 \n", &req, &used), ERR_VERSION);
    /* Another protocol is known by its first bytes, with no line end. */
    assert_int_equal(
        ctl_request_decode((const uint8_t *)"\0\0\0\x08", 4, &used, &req),
        ERR_VERSION);
    assert_int_equal(decode("ADIT-CTX", &req, &used), ERR_VERSION);
    assert_int_equal(decode("ADIT-C", &req, &used), ERR_AGAIN);
    assert_int_equal(decode("", &req, &used), ERR_AGAIN);
    assert_int_equal(decode("ADIT-CTL/1 a  b\n", &req, &used), ERR_FORMAT);
    assert_int_equal(decode("ADIT-CTL/1 a\tb\n", &req, &used), ERR_FORMAT);
    assert_int_equal(decode("ADIT-CTL/1 a%0\n", &req, &used), ERR_FORMAT);
    assert_int_equal(decode("ADIT-CTL/1 a%zz\n", &req, &used), ERR_FORMAT);
    assert_int_equal(decode("ADIT-CTL/1 a%00b\n", &req, &used), ERR_FORMAT);
    assert_int_equal(decode("ADIT-CTL/1 a\r\n", &req, &used), ERR_FORMAT);
    assert_int_equal(decode("ADIT-CTL/1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
                            "16 17\n",
                            &req, &used),
                     0);
    assert_int_equal(decode("ADIT-CTL/1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 "
                            "16 17 18\n",
                            &req, &used),
                     ERR_LIMIT);
    /* A line that can never end within the limit is refused before the
     * newline comes. */
    memset(big, 'a', sizeof(big));
    memcpy(big, "ADIT-CTL/1 ", 11);
    assert_int_equal(
        ctl_request_decode((uint8_t *)big, sizeof(big), &used, &req),
        ERR_LIMIT);
    assert_int_equal(used, 0);
}

static void
test_response(void **state)
{
    struct buf b;
    size_t head, len;
    bool ok;

    buf_init(&b);
    assert_int_equal(ctl_response_encode(&b, true, "{}\n", 3), 0);
    assert_int_equal(
        ctl_response_decode(buf_ptr(&b), buf_len(&b), &head, &ok, &len), 0);
    assert_true(ok);
    assert_int_equal(head, strlen("ADIT-CTL/1 ok 3\n"));
    assert_int_equal(len, 3);
    assert_int_equal(ctl_response_decode(buf_ptr(&b), 5, &head, &ok, &len),
                     ERR_AGAIN);
    buf_reset(&b);
    assert_int_equal(ctl_response_encode(&b, false, "no", 2), 0);
    assert_int_equal(
        ctl_response_decode(buf_ptr(&b), buf_len(&b), &head, &ok, &len), 0);
    assert_false(ok);
    assert_int_equal(len, 2);
    buf_cleanup(&b);
}

static void
assert_head(const char *s, int want)
{
    size_t head, len;
    bool ok;

    assert_int_equal(
        ctl_response_decode((const uint8_t *)s, strlen(s), &head, &ok, &len),
        want);
}

static void
test_response_bad(void **state)
{
    char big[64];

    assert_head("ADIT-CTL/1 ok 0\n", 0);
    assert_head("ADIT-CTL/1 maybe 3\n", ERR_FORMAT);
    assert_head("ADIT-CTL/1 ok\n", ERR_FORMAT);
    assert_head("ADIT-CTL/1 ok -1\n", ERR_FORMAT);
    assert_head("ADIT-CTL/1 ok 01\n", ERR_FORMAT);
    assert_head("ADIT-CTL/1 ok 1 \n", ERR_FORMAT);
    assert_head("ADIT-CTL/9 ok 1\n", ERR_VERSION);
    snprintf(big, sizeof(big), "ADIT-CTL/1 ok %u\n", LIM_CTL_RESPONSE + 1);
    assert_head(big, ERR_LIMIT);
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_head(big, ERR_FORMAT); /* no newline within the header limit */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_roundtrip),
        cmocka_unit_test(test_request_bad),
        cmocka_unit_test(test_response),
        cmocka_unit_test(test_response_bad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
