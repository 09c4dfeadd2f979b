/* SPDX-License-Identifier: ISC */
/* The ssh-agent protocol codec: requests, framing, replies. */
#include "testutil.h"

#include <stdint.h>
#include <string.h>

#include "auth/agent.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"

/* A framed IDENTITIES_ANSWER with two keys. */
static void
mk_identities(struct buf *b)
{
    struct buf m;

    buf_init(&m);
    buf_put_u8(&m, AGENT_IDENTITIES_ANSWER);
    buf_put_u32(&m, 2);
    buf_put_string(&m, "blob-one", 8);
    buf_put_cstring(&m, "alice@laptop");
    buf_put_string(&m, "b2", 2);
    buf_put_cstring(&m, "");
    buf_reset(b);
    buf_put_buf(b, &m); /* the frame is a string */
    buf_cleanup(&m);
}

static void
test_agent_requests(void **state)
{
    static const uint8_t ident[5] = {0, 0, 0, 1, 11};
    static const uint8_t sign[] = {0,   0,   0,   20,  13, 0, 0, 0,
                                   3,   'k', 'e', 'y', 0,  0, 0, 4,
                                   'd', 'a', 't', 'a', 0,  0, 0, 4};
    struct buf b;

    buf_init(&b);
    assert_int_equal(agent_request_identities(&b), 0);
    assert_int_equal(buf_len(&b), 5);
    assert_memory_equal(buf_ptr(&b), ident, 5);
    buf_reset(&b);
    assert_int_equal(agent_sign_request(&b, (const uint8_t *)"key", 3,
                                        (const uint8_t *)"data", 4,
                                        agent_sign_flags("rsa-sha2-512")),
                     0);
    assert_int_equal(buf_len(&b), sizeof(sign));
    assert_memory_equal(buf_ptr(&b), sign, sizeof(sign));
    assert_int_equal(agent_sign_flags("rsa-sha2-256"), 2);
    assert_int_equal(agent_sign_flags("ssh-ed25519"), 0);
    buf_cleanup(&b);
}

static void
test_agent_identities(void **state)
{
    struct agent_identities ids;
    const uint8_t *msg;
    size_t len, used, i;
    struct buf b;
    struct rd rd;

    buf_init(&b);
    mk_identities(&b);
    /* Every proper prefix is incomplete, never an error. */
    for (i = 0; i < buf_len(&b); i++) {
        assert_int_equal(agent_reply_take(buf_ptr(&b), i, &msg, &len, &used),
                         ERR_AGAIN);
    }
    assert_int_equal(
        agent_reply_take(buf_ptr(&b), buf_len(&b), &msg, &len, &used), 0);
    assert_int_equal(used, buf_len(&b));
    rd_init(&rd, msg, len);
    assert_int_equal(agent_identities_decode(&rd, &ids), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.ids[0].blob_len, 8);
    assert_memory_equal(ids.ids[0].blob, "blob-one", 8);
    assert_string_equal(ids.ids[0].comment, "alice@laptop");
    assert_string_equal(ids.ids[1].comment, "");
    agent_identities_cleanup(&ids);
    /* Truncated contents, a trailing byte, a count that lies. */
    for (i = 1; i < len; i++) {
        rd_init(&rd, msg, i);
        assert_int_equal(agent_identities_decode(&rd, &ids), ERR_TRUNC);
        assert_null(ids.ids);
    }
    buf_put_u8(&b, 0);
    put_u32_be(buf_ptr(&b), (uint32_t)len + 1);
    assert_int_equal(
        agent_reply_take(buf_ptr(&b), buf_len(&b), &msg, &len, &used), 0);
    rd_init(&rd, msg, len);
    assert_int_equal(agent_identities_decode(&rd, &ids), ERR_TRAILING);
    buf_cleanup(&b);
}

static void
test_agent_replies(void **state)
{
    static const uint8_t failure[1] = {AGENT_FAILURE};
    static const uint8_t other[1] = {6};
    static const uint8_t sig[] = {
        AGENT_SIGN_RESPONSE, 0, 0, 0, 3, 's', 'i', 'g'};
    static const uint8_t big[4] = {0, 4, 0, 1};
    static const uint8_t zero[4] = {0, 0, 0, 0};
    struct agent_identities ids;
    const uint8_t *p, *msg;
    size_t n, used;
    struct rd rd;

    rd_init(&rd, sig, sizeof(sig));
    assert_int_equal(agent_sign_response_decode(&rd, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "sig", 3);
    rd_init(&rd, sig, sizeof(sig) - 1);
    assert_int_equal(agent_sign_response_decode(&rd, &p, &n), ERR_TRUNC);
    rd_init(&rd, failure, 1);
    assert_int_equal(agent_sign_response_decode(&rd, &p, &n), ERR_DENIED);
    rd_init(&rd, failure, 1);
    assert_int_equal(agent_identities_decode(&rd, &ids), ERR_DENIED);
    rd_init(&rd, other, 1);
    assert_int_equal(agent_sign_response_decode(&rd, &p, &n), ERR_FORMAT);
    /* 256 KiB + 1 is over the limit; 0 is no message at all. */
    assert_int_equal(agent_reply_take(big, 4, &msg, &n, &used), ERR_LIMIT);
    assert_int_equal(agent_reply_take(zero, 4, &msg, &n, &used), ERR_FORMAT);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_requests),
        cmocka_unit_test(test_agent_identities),
        cmocka_unit_test(test_agent_replies),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
