/* SPDX-License-Identifier: ISC */
/* ServerAlive counting: probes, answers, the end, as ssh's clientloop. */
#include "testutil.h"

#include <stdint.h>

#include "conn/alive.h"

static void
test_alive_off(void **state)
{
    struct alive a;
    uint64_t t;

    alive_init(&a, 0, 3, 0);
    for (t = 0; t < 100000; t += 1000) {
        assert_int_equal(alive_tick(&a, t), ALIVE_WAIT);
    }
}

/* CountMax 3, Interval 1 s, ticks every second, nothing answered:
 * probes at 1, 2, 3 s and the end at 4 s = Interval * (Count + 1). */
static void
test_alive_silent_server(void **state)
{
    struct alive a;

    alive_init(&a, 1000, 3, 0);
    assert_int_equal(alive_tick(&a, 500), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 1000), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 1500), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 3000), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 4000), ALIVE_DEAD);
}

/* CountMax 0: the first time a probe would be due, give up. */
static void
test_alive_count_zero(void **state)
{
    struct alive a;

    alive_init(&a, 2000, 0, 0);
    assert_int_equal(alive_tick(&a, 1000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_DEAD);
}

/* Any answer clears the count, so an answering server lives forever. */
static void
test_alive_answers(void **state)
{
    struct alive a;
    uint64_t t;

    alive_init(&a, 1000, 1, 0);
    for (t = 1000; t < 60000; t += 1000) {
        assert_int_equal(alive_tick(&a, t), ALIVE_PROBE);
        alive_answered(&a);
    }
    assert_int_equal(alive_tick(&a, t), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, t + 1000), ALIVE_DEAD);
}

/* Bytes from the server postpone the next probe by a whole interval
 * from the tick that saw them; they do not clear the count. */
static void
test_alive_heard(void **state)
{
    struct alive a;

    alive_init(&a, 3000, 1, 0);
    alive_heard(&a);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 3000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 4000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 5000), ALIVE_PROBE);
    alive_heard(&a);
    assert_int_equal(alive_tick(&a, 6000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 8000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 9000), ALIVE_DEAD);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alive_off),
        cmocka_unit_test(test_alive_silent_server),
        cmocka_unit_test(test_alive_count_zero),
        cmocka_unit_test(test_alive_answers),
        cmocka_unit_test(test_alive_heard),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
