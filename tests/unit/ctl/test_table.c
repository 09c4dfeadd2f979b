/* SPDX-License-Identifier: ISC */
/* Tests for ctl/table: alignment and escaped cells. */
#include "ctl/table.h"

#include <string.h>

#include "testutil.h"

static void
test_table(void **state)
{
    static const char *const titles[] = {"USER", "FROM", "BYTES"};
    const char *want = "USER          FROM         BYTES\n"
                       "alice         127.0.0.1:2  10\n"
                       "b\\033[2J\\012  caf\xc3\xa9         -\n"
                       "-             -            -\n";
    struct table t;
    struct buf b;

    buf_init(&b);
    table_init(&t, 3, titles);
    table_cell(&t, "alice");
    table_cellf(&t, "%s:%d", "127.0.0.1", 2);
    table_cellf(&t, "%d", 10);
    table_cell(&t, "b\x1b[2J\n");  /* a peer's name: escaped */
    table_cell(&t, "caf\xc3\xa9"); /* 4 columns wide, 5 bytes */
    table_cell(&t, NULL);
    table_cell(&t, ""); /* unfinished row: padded */
    assert_int_equal(table_render(&t, &b), 0);
    assert_int_equal(buf_len(&b), strlen(want));
    assert_memory_equal(buf_ptr(&b), want, strlen(want));
    table_cleanup(&t);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
