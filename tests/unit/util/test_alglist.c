/* SPDX-License-Identifier: ISC */
/* Tests for util/alglist: ssh's +, - and ^ algorithm lists. */
#include "util/alglist.h"

#include <stdlib.h>

#include "testutil.h"

#define DEFAULTS "a-1,b-2,c-3"

static void
check(const char *spec, const char *want)
{
    char *got = NULL;

    assert_int_equal(alglist_assemble(spec, DEFAULTS, &got), 0);
    assert_string_equal(got, want);
    free(got);
}

static void
test_plain_and_default(void **state)
{
    check(NULL, DEFAULTS);
    check("c-3,a-1", "c-3,a-1");
    check("x,x,,y", "x,y"); /* each name once, empty names dropped */
    check("", "");
}

static void
test_append(void **state)
{
    check("+d-4", "a-1,b-2,c-3,d-4");
    check("+b-2,d-4", "a-1,b-2,c-3,d-4"); /* what is there stays put */
}

static void
test_remove(void **state)
{
    check("-b-2", "a-1,c-3");
    check("-*-1,c*", "b-2");
    check("-?-2", "a-1,c-3");
    check("-*", "");
    check("-zzz", DEFAULTS);
}

static void
test_prepend(void **state)
{
    check("^c-3", "c-3,a-1,b-2");
    check("^d-4,b-2", "d-4,b-2,a-1,c-3");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_default),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_prepend),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
