/* SPDX-License-Identifier: ISC */
/* Unit tests: ProxyJump / -J host lists. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "config/jumpspec.h"
#include "util/adit_limits.h"
#include "util/err.h"

static void
check_hop(const struct jumphop *h, const char *user, const char *host,
          unsigned port)
{
    if (user == NULL) {
        assert_null(h->user);
    } else {
        assert_string_equal(h->user, user);
    }
    assert_string_equal(h->host, host);
    assert_int_equal(h->port, port);
}

static void
test_jumpspec_valid(void **state)
{
    struct jumpspec j;

    (void)state;
    assert_int_equal(jumpspec_parse("bastion", &j), 0);
    assert_int_equal(j.n, 1);
    check_hop(&j.hops[0], NULL, "bastion", 0);
    jumpspec_cleanup(&j);
    assert_int_equal(
        jumpspec_parse("al@b1:2222,ssh://bo@[::1]:22,a@b@h,[::1],::1", &j), 0);
    assert_int_equal(j.n, 5);
    check_hop(&j.hops[0], "al", "b1", 2222);
    check_hop(&j.hops[1], "bo", "::1", 22);
    check_hop(&j.hops[2], "a@b", "h", 0);
    check_hop(&j.hops[3], NULL, "::1", 0);
    check_hop(&j.hops[4], NULL, "::1", 0);
    jumpspec_cleanup(&j);
    assert_int_equal(jumpspec_parse("none", &j), 0);
    assert_int_equal(j.n, 0);
    assert_null(j.hops);
    jumpspec_cleanup(&j);
}

static void
test_jumpspec_invalid(void **state)
{
    static const char *bad[] = {
        "",        ",",   "a,", ",a",   "a,,b",   "@h",    "u@",    "h:0",
        "h:65536", "h:x", "h:", "[::1", "ssh://", "u@:22", "a:1:2", "[]:22",
    };
    struct jumpspec j;
    char many[LIM_JUMP_HOPS * 2 + 2];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_not_equal(jumpspec_parse(bad[i], &j), 0);
        assert_int_equal(j.n, 0);
        assert_null(j.hops);
    }
    /* One hop more than the limit. */
    for (i = 0; i <= LIM_JUMP_HOPS; i++) {
        memcpy(many + 2 * i, "h,", 2);
    }
    many[2 * LIM_JUMP_HOPS + 1] = '\0';
    assert_int_equal(jumpspec_parse(many, &j), ERR_LIMIT);
    many[2 * LIM_JUMP_HOPS - 1] = '\0';
    assert_int_equal(jumpspec_parse(many, &j), 0);
    assert_int_equal(j.n, LIM_JUMP_HOPS);
    jumpspec_cleanup(&j);
}

static void
test_jumpspec_prepend(void **state)
{
    char many[LIM_JUMP_HOPS * 2 + 2], *out = NULL;
    size_t i;

    (void)state;
    assert_int_equal(jumpspec_prepend("a@h1:2", "h2,h3", &out), 0);
    assert_string_equal(out, "a@h1:2,h2,h3");
    free(out);
    assert_int_equal(jumpspec_prepend("NONE", "h2", &out), 0);
    assert_string_equal(out, "h2");
    free(out);
    assert_int_equal(jumpspec_prepend("h:0", "h2", &out), ERR_FORMAT);
    assert_null(out);
    /* A first hop that jumps through itself ends at the limit. */
    for (i = 0; i < LIM_JUMP_HOPS; i++) {
        memcpy(many + 2 * i, "h,", 2);
    }
    many[2 * LIM_JUMP_HOPS - 1] = '\0';
    assert_int_equal(jumpspec_prepend("h", many, &out), ERR_LIMIT);
    assert_null(out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jumpspec_valid),
        cmocka_unit_test(test_jumpspec_invalid),
        cmocka_unit_test(test_jumpspec_prepend),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
