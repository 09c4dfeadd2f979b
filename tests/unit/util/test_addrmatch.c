/* SPDX-License-Identifier: ISC */
/* Tests for util/addrmatch: globs, negation and CIDR as sshd has them. */
#include "util/addrmatch.h"

#include "testutil.h"
#include "util/err.h"

static void
test_pattern(void **state)
{
    assert_true(addrmatch_pattern("10.1.2.3", "10.1.*"));
    assert_true(addrmatch_pattern("10.1.2.3", "10.?.2.3"));
    assert_true(addrmatch_pattern("", "*"));
    assert_true(addrmatch_pattern("abc", "a*b*c"));
    assert_true(addrmatch_pattern("aXbYbc", "a*bc"));
    assert_false(addrmatch_pattern("abc", "a*bd"));
    assert_false(addrmatch_pattern("10.1.2.3", "10.1"));
    /* No classes, no escapes: '[' and '\\' are plain characters. */
    assert_false(addrmatch_pattern("1", "[0-9]"));
    assert_true(addrmatch_pattern("[0-9]", "[0-9]"));
    assert_false(addrmatch_pattern("a", "\\a"));
}

static void
test_pattern_list(void **state)
{
    assert_int_equal(addrmatch_pattern_list("host.example", "*.example", true),
                     ADDRMATCH_YES);
    assert_int_equal(
        addrmatch_pattern_list("host.example", "*.EXAMPLE,!host.*", true),
        ADDRMATCH_NEGATED);
    assert_int_equal(addrmatch_pattern_list("host.example", "*.EXAMPLE", false),
                     ADDRMATCH_NONE);
    assert_int_equal(addrmatch_pattern_list("a", "b,c", true), ADDRMATCH_NONE);
}

static void
test_list_cidr(void **state)
{
    assert_int_equal(addrmatch_list("10.1.2.3", "10.0.0.0/8"), ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("11.1.2.3", "10.0.0.0/8"), ADDRMATCH_NONE);
    assert_int_equal(addrmatch_list("192.168.1.130", "192.168.1.128/25"),
                     ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("192.168.1.127", "192.168.1.128/25"),
                     ADDRMATCH_NONE);
    assert_int_equal(addrmatch_list("127.0.0.1", "127.0.0.1"), ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("127.0.0.2", "127.0.0.1"), ADDRMATCH_NONE);
    assert_int_equal(addrmatch_list("1.2.3.4", "0.0.0.0/0"), ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("::1", "::1/128"), ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("2001:db8::5", "2001:db8::/32"),
                     ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("2001:db9::5", "2001:db8::/32"),
                     ADDRMATCH_NONE);
    /* Families never match each other. */
    assert_int_equal(addrmatch_list("::ffff:10.0.0.1", "10.0.0.0/8"),
                     ADDRMATCH_NONE);
    assert_int_equal(addrmatch_list("10.0.0.1", "::/0"), ADDRMATCH_NONE);
}

static void
test_list_negation_and_globs(void **state)
{
    assert_int_equal(addrmatch_list("10.1.2.3", "10.0.0.0/8,!10.1.0.0/16"),
                     ADDRMATCH_NEGATED);
    assert_int_equal(addrmatch_list("10.2.2.3", "10.0.0.0/8,!10.1.0.0/16"),
                     ADDRMATCH_YES);
    assert_int_equal(addrmatch_list("10.1.2.3", "!10.1.*,10.*"),
                     ADDRMATCH_NEGATED);
    assert_int_equal(addrmatch_list("10.1.2.3", "10.1.2.?"), ADDRMATCH_YES);
    /* Not an address: nothing matches (sshd without DNS). */
    assert_int_equal(addrmatch_list("host", "*"), ADDRMATCH_NONE);
}

static void
test_list_invalid(void **state)
{
    assert_int_equal(addrmatch_list("10.0.0.1", "10.0.0.1/8"), ERR_FORMAT);
    assert_int_equal(addrmatch_list("10.0.0.1", "10.0.0.0/33"), ERR_FORMAT);
    assert_int_equal(addrmatch_list("10.0.0.1", "10.*,,"), ERR_FORMAT);
    assert_int_equal(addrmatch_list("10.0.0.1", "!"), ERR_FORMAT);
    assert_int_equal(addrmatch_list(NULL, "10.0.0.0/8,*"), ADDRMATCH_NONE);
    assert_int_equal(addrmatch_list(NULL, "::1/129"), ADDRMATCH_NONE);
    assert_int_equal(addrmatch_list(NULL, "1.2.3.4/"), ADDRMATCH_NONE);
}

static void
test_cidr_list(void **state)
{
    assert_int_equal(addrmatch_cidr_list("127.0.0.1", "127.0.0.1/32,::1"),
                     ADDRMATCH_YES);
    assert_int_equal(addrmatch_cidr_list("::1", "127.0.0.1/32,::1"),
                     ADDRMATCH_YES);
    assert_int_equal(addrmatch_cidr_list("127.0.0.2", "127.0.0.1/32,::1"),
                     ADDRMATCH_NONE);
    assert_int_equal(addrmatch_cidr_list(NULL, "10.0.0.0/8"), ADDRMATCH_NONE);
    /* No globs, no negation, no bad networks, no empty entries. */
    assert_int_equal(addrmatch_cidr_list("10.0.0.1", "10.*"), ERR_FORMAT);
    assert_int_equal(addrmatch_cidr_list("10.0.0.1", "!10.0.0.0/8"),
                     ERR_FORMAT);
    assert_int_equal(addrmatch_cidr_list("10.0.0.1", "10.0.0.1/8"), ERR_FORMAT);
    assert_int_equal(addrmatch_cidr_list("10.0.0.1", "10.0.0.0/8,"),
                     ERR_FORMAT);
    assert_int_equal(addrmatch_cidr_list("10.0.0.1", ""), ERR_FORMAT);
}

static void
test_host_and_ip(void **state)
{
    assert_true(addrmatch_host_and_ip("127.0.0.1", "127.0.0.1", "127.0.0.0/8"));
    assert_true(addrmatch_host_and_ip("127.0.0.1", "127.0.0.1", "127.*"));
    assert_false(
        addrmatch_host_and_ip("127.0.0.1", "127.0.0.1", "10.0.0.0/8,!127.*"));
    assert_false(
        addrmatch_host_and_ip("127.0.0.1", "127.0.0.1", "*,!127.0.0.0/24"));
    assert_false(addrmatch_host_and_ip("127.0.0.1", "127.0.0.1", "10.0.0.0/8"));
    assert_false(
        addrmatch_host_and_ip("127.0.0.1", "127.0.0.1", "127.0.0.1/8"));
    assert_true(addrmatch_host_and_ip("::1", "::1", "::1/128"));
    assert_true(addrmatch_host_and_ip("::1", "::1", "10.0.0.0/8,::1"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pattern),
        cmocka_unit_test(test_pattern_list),
        cmocka_unit_test(test_list_cidr),
        cmocka_unit_test(test_list_negation_and_globs),
        cmocka_unit_test(test_list_invalid),
        cmocka_unit_test(test_cidr_list),
        cmocka_unit_test(test_host_and_ip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
