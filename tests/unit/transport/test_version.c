/* SPDX-License-Identifier: ISC */
/* Tests of the version line parser. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "transport/version.h"
#include "util/adit_limits.h"
#include "util/err.h"

static int
parse(const char *s, size_t n, bool is_client, unsigned *pre, char **line,
      size_t *used)
{
    return version_parse((const uint8_t *)s, n, is_client, pre, line, used);
}

static void
test_simple(void **state)
{
    const char *in = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\nrest";
    unsigned pre = 0;
    char *line = NULL;
    size_t used = 0;

    (void)state;
    assert_int_equal(parse(in, strlen(in), false, &pre, &line, &used), 0);
    assert_string_equal(line, "SSH-2.0-OpenSSH_9.2p1 Debian-2");
    assert_int_equal(used, strlen(in) - 4);
    free(line);
    /* Bare LF, and 1.99 (a server that speaks 2.0 as well). */
    in = "SSH-1.99-x\n";
    assert_int_equal(parse(in, strlen(in), true, &pre, &line, &used), 0);
    assert_string_equal(line, "SSH-1.99-x");
    assert_int_equal(used, strlen(in));
    free(line);
}

static void
test_prelines(void **state)
{
    const char *in = "hello\r\nwelcome to the bastion\n\r\nSSH-2.0-srv\r\n";
    unsigned pre = 0;
    char *line = NULL;
    size_t used = 0;

    (void)state;
    assert_int_equal(parse(in, strlen(in), true, &pre, &line, &used), 0);
    assert_string_equal(line, "SSH-2.0-srv");
    assert_int_equal(used, strlen(in));
    assert_int_equal(pre, 3);
    free(line);
    /* A server does not accept lines before the version. */
    pre = 0;
    assert_int_equal(parse(in, strlen(in), false, &pre, &line, &used),
                     ERR_VERSION);
    assert_null(line);
}

/* Every prefix of a good input: ERR_AGAIN, with complete pre-lines
 * consumed; fed in pieces, the result is the same as in one go. */
static void
test_split(void **state)
{
    const char *in = "banner one\r\nSSH-2.0-adit_0.1\r\n";
    size_t n = strlen(in), k, used, off;
    unsigned pre;
    char *line = NULL;
    int r;

    (void)state;
    for (k = 0; k < n; k++) {
        pre = 0;
        assert_int_equal(parse(in, k, true, &pre, &line, &used), ERR_AGAIN);
        assert_null(line);
        assert_int_equal(used, k >= 12 ? 12 : 0);
    }
    /* Byte at a time, dropping consumed bytes as a caller would. */
    pre = 0;
    off = 0;
    for (k = 1; k <= n; k++) {
        r = parse(in + off, k - off, true, &pre, &line, &used);
        off += used;
        if (k < n) {
            assert_int_equal(r, ERR_AGAIN);
        } else {
            assert_int_equal(r, 0);
        }
    }
    assert_int_equal(off, n);
    assert_int_equal(pre, 1);
    assert_string_equal(line, "SSH-2.0-adit_0.1");
    free(line);
}

static void
expect_bad(const char *in, size_t n, bool is_client)
{
    unsigned pre = 0;
    char *line = NULL;
    size_t used = 0;

    assert_int_equal(parse(in, n, is_client, &pre, &line, &used), ERR_VERSION);
    assert_null(line);
}

static void
test_rejects(void **state)
{
    (void)state;
    expect_bad("SSH-1.5-old\r\n", 13, true);
    expect_bad("SSH-1.5-old\r\n", 13, false);
    expect_bad("SSH-2.0-\r\n", 10, true);
    expect_bad("SSH-2.0- x\r\n", 12, true);
    expect_bad("SSH-2.0\r\n", 9, true);
    expect_bad("SSH-\n", 5, true);
    expect_bad("SSH-3.0-x\r\n", 11, false);
    expect_bad("ssh-2.0-x\r\n", 11, false);
    /* A NUL, in the version line, in a pre-line, or in a partial line. */
    expect_bad("SSH-2.0-a\0b\r\n", 13, true);
    expect_bad("hi\0\nSSH-2.0-x\n", 14, true);
    expect_bad("SSH-2.0-ab\0", 11, true);
}

static void
test_line_length(void **state)
{
    char in[LIM_VERSION_LINE + 16];
    unsigned pre = 0;
    char *line = NULL;
    size_t used = 0;

    (void)state;
    /* Exactly LIM_VERSION_LINE bytes with CR LF is accepted. */
    memset(in, 'a', sizeof(in));
    memcpy(in, "SSH-2.0-", 8);
    memcpy(in + LIM_VERSION_LINE - 2, "\r\n", 2);
    assert_int_equal(parse(in, LIM_VERSION_LINE, true, &pre, &line, &used), 0);
    assert_int_equal(strlen(line), LIM_VERSION_LINE - 2);
    assert_int_equal(used, LIM_VERSION_LINE);
    free(line);
    line = NULL;
    /* One more byte is too long, complete or not. */
    memset(in, 'a', sizeof(in));
    memcpy(in, "SSH-2.0-", 8);
    memcpy(in + LIM_VERSION_LINE - 1, "\r\n", 2);
    expect_bad(in, LIM_VERSION_LINE + 1, true);
    expect_bad(in, LIM_VERSION_LINE, true);
    assert_int_equal(parse(in, LIM_VERSION_LINE - 1, true, &pre, &line, &used),
                     ERR_AGAIN);
    /* A long pre-line is refused too. */
    memset(in, 'b', sizeof(in));
    expect_bad(in, sizeof(in), true);
}

static void
test_too_many_lines(void **state)
{
    const char *l = "x\r\n";
    size_t i, used = 0, total = 0;
    unsigned pre = 0;
    char *line = NULL;

    (void)state;
    /* LIM_VERSION_PRELINES lines, fed one by one, are fine... */
    for (i = 0; i < LIM_VERSION_PRELINES; i++) {
        assert_int_equal(parse(l, 3, true, &pre, &line, &used), ERR_AGAIN);
        assert_int_equal(used, 3);
        total += used;
    }
    assert_int_equal(pre, LIM_VERSION_PRELINES);
    /* ...one more is not. */
    assert_int_equal(parse(l, 3, true, &pre, &line, &used), ERR_VERSION);
    assert_null(line);
    /* But the version line itself still comes through at the limit. */
    assert_int_equal(parse("SSH-2.0-y\n", 10, true, &pre, &line, &used), 0);
    assert_string_equal(line, "SSH-2.0-y");
    free(line);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_prelines),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_line_length),
        cmocka_unit_test(test_too_many_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
