/* SPDX-License-Identifier: ISC */
/* Unit tests: the forwarding global requests' decoders. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "conn/fwd_req.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"

static void
build(struct buf *b, const char *host, uint32_t port)
{
    buf_reset(b);
    assert_int_equal(buf_put_cstring(b, host), 0);
    assert_int_equal(buf_put_u32(b, port), 0);
}

static int
decode(const struct buf *b, size_t len, struct tcpip_forward *m)
{
    struct rd rd;

    rd_init(&rd, buf_ptr(b), len);
    return tcpip_forward_decode(&rd, m);
}

static void
test_tcpip_forward(void **state)
{
    struct tcpip_forward m;
    struct buf b;
    size_t i;

    buf_init(&b);
    build(&b, "localhost", 8080);
    assert_int_equal(decode(&b, buf_len(&b), &m), 0);
    assert_string_equal(m.host, "localhost");
    assert_int_equal(m.port, 8080);
    tcpip_forward_cleanup(&m);
    /* Every truncation is refused. */
    for (i = 0; i < buf_len(&b); i++) {
        assert_int_equal(decode(&b, i, &m), ERR_TRUNC);
        assert_null(m.host);
    }
    /* A trailing byte, a port beyond 65535, the length field off by one. */
    assert_int_equal(buf_put_u8(&b, 0), 0);
    assert_int_equal(decode(&b, buf_len(&b), &m), ERR_TRAILING);
    build(&b, "", 65536);
    assert_int_equal(decode(&b, buf_len(&b), &m), ERR_FORMAT);
    build(&b, "web-1", 22);
    buf_ptr(&b)[3] = 6; /* takes the port's first byte, a NUL, as text */
    assert_int_equal(decode(&b, buf_len(&b), &m), ERR_FORMAT);
    buf_ptr(&b)[3] = 4;
    assert_int_equal(decode(&b, buf_len(&b), &m), ERR_TRAILING);
    buf_cleanup(&b);
}

static void
test_tcpip_forward_limits(void **state)
{
    struct tcpip_forward m;
    char host[LIM_HOSTNAME + 2];
    struct buf b;

    buf_init(&b);
    memset(host, 'a', sizeof(host) - 1);
    host[LIM_HOSTNAME] = '\0';
    build(&b, host, 1);
    assert_int_equal(decode(&b, buf_len(&b), &m), 0);
    tcpip_forward_cleanup(&m);
    host[LIM_HOSTNAME] = 'a';
    host[LIM_HOSTNAME + 1] = '\0';
    build(&b, host, 1);
    assert_int_not_equal(decode(&b, buf_len(&b), &m), 0);
    /* An embedded NUL is not a host name. */
    buf_reset(&b);
    assert_int_equal(buf_put_string(&b, "a\0b", 3), 0);
    assert_int_equal(buf_put_u32(&b, 1), 0);
    assert_int_equal(decode(&b, buf_len(&b), &m), ERR_FORMAT);
    buf_cleanup(&b);
}

static void
test_streamlocal_forward(void **state)
{
    struct buf b;
    struct rd rd;
    char *path = NULL;

    buf_init(&b);
    assert_int_equal(buf_put_cstring(&b, "/tmp/s"), 0);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(streamlocal_forward_decode(&rd, &path), 0);
    assert_string_equal(path, "/tmp/s");
    free(path);
    rd_init(&rd, buf_ptr(&b), buf_len(&b) - 1);
    assert_int_equal(streamlocal_forward_decode(&rd, &path), ERR_TRUNC);
    assert_null(path);
    assert_int_equal(buf_put_u8(&b, 1), 0);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(streamlocal_forward_decode(&rd, &path), ERR_TRAILING);
    assert_null(path);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcpip_forward),
        cmocka_unit_test(test_tcpip_forward_limits),
        cmocka_unit_test(test_streamlocal_forward),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
