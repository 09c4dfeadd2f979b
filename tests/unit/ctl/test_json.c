/* SPDX-License-Identifier: ISC */
/* Tests for ctl/json: structure, numbers, and strings from peers. */
#include "ctl/json.h"

#include <string.h>

#include "testutil.h"
#include "util/err.h"

static void
assert_buf(struct buf *b, const char *want)
{
    assert_int_equal(buf_len(b), strlen(want));
    assert_memory_equal(buf_ptr(b), want, strlen(want));
}

static void
test_structure(void **state)
{
    struct buf b;
    struct json j;

    buf_init(&b);
    json_init(&j, &b);
    json_obj_begin(&j, NULL);
    json_str(&j, "user", "alice");
    json_u64(&j, "bytes", 18446744073709551615ull);
    json_i64(&j, "delta", -5);
    json_bool(&j, "up", true);
    json_null(&j, "error");
    json_arr_begin(&j, "forwards");
    json_obj_begin(&j, NULL);
    json_u64(&j, "port", 22);
    json_obj_end(&j);
    json_str(&j, NULL, NULL);
    json_arr_end(&j);
    json_arr_begin(&j, "empty");
    json_arr_end(&j);
    json_obj_end(&j);
    assert_int_equal(json_finish(&j), 0);
    assert_buf(&b, "{\"user\":\"alice\",\"bytes\":18446744073709551615,"
                   "\"delta\":-5,\"up\":true,\"error\":null,"
                   "\"forwards\":[{\"port\":22},null],\"empty\":[]}\n");
    buf_cleanup(&b);
}

/* Every way of using it wrong is reported, never half-written silently. */
static void
test_misuse(void **state)
{
    struct buf b;
    struct json j;
    unsigned i;

    buf_init(&b);
    json_init(&j, &b);
    json_obj_begin(&j, NULL);
    json_str(&j, NULL, "no key in an object");
    assert_int_equal(json_finish(&j), ERR_INVAL);

    buf_reset(&b);
    json_init(&j, &b);
    json_arr_begin(&j, NULL);
    json_str(&j, "key", "in an array");
    assert_int_equal(json_finish(&j), ERR_INVAL);

    json_init(&j, &b);
    json_obj_begin(&j, NULL);
    assert_int_equal(json_finish(&j), ERR_INVAL); /* not closed */

    json_init(&j, &b);
    json_obj_begin(&j, NULL);
    json_arr_end(&j); /* wrong closer */
    assert_int_equal(json_finish(&j), ERR_INVAL);

    json_init(&j, &b);
    assert_int_equal(json_finish(&j), ERR_INVAL); /* nothing */

    json_init(&j, &b);
    json_u64(&j, NULL, 1);
    json_u64(&j, NULL, 2); /* two top-level values */
    assert_int_equal(json_finish(&j), ERR_INVAL);

    json_init(&j, &b);
    for (i = 0; i <= LIM_JSON_DEPTH; i++) {
        json_arr_begin(&j, NULL);
    }
    assert_int_equal(json_finish(&j), ERR_LIMIT);
    buf_cleanup(&b);
}

static void
assert_escaped(const char *in, size_t n, const char *want)
{
    struct buf b;

    buf_init(&b);
    assert_int_equal(json_put_string(&b, in, n), 0);
    assert_buf(&b, want);
    buf_cleanup(&b);
}

/* A user name, host or certificate id is the peer's: quotes, control
 * bytes, and invalid UTF-8 must still give valid JSON. */
static void
test_escaping(void **state)
{
    assert_escaped("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    assert_escaped("\n\r\t\x1b\x7f", 5,
                   "\"\\u000a\\u000d\\u0009\\u001b\\u007f\"");
    assert_escaped("x\0y", 3, "\"x\\u0000y\"");
    assert_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91", 14,
                   "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\"");
    /* Invalid: a lone continuation, a truncated sequence, an overlong
     * '/', a surrogate, past U+10FFFF, and 0xff. */
    assert_escaped("\x80", 1, "\"\\ufffd\"");
    assert_escaped("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");
    assert_escaped("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
    assert_escaped("\xe0\x80\xaf", 3, "\"\\ufffd\\ufffd\\ufffd\"");
    assert_escaped("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
    assert_escaped("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
    assert_escaped("\xff", 1, "\"\\ufffd\"");
    /* Line separators that end a JavaScript string. */
    assert_escaped("\xe2\x80\xa8\xe2\x80\xa9", 6, "\"\\u2028\\u2029\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_escaping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
