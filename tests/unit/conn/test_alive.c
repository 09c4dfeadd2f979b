/* SPDX-License-Identifier: ISC */
/* ServerAlive counting: probes after each interval of silence, the end
 * Interval x CountMax after the last byte heard, to the millisecond. */
#include "testutil.h"

#include <limits.h>
#include <stdint.h>

#include "conn/alive.h"

static void
test_alive_off(void **state)
{
    struct alive a;
    uint64_t t;

    alive_init(&a, 0, 3, 0);
    assert_true(alive_due(&a) == ALIVE_NEVER);
    for (t = 0; t < 100000; t += 1000) {
        assert_int_equal(alive_tick(&a, t), ALIVE_WAIT);
    }
}

/* Interval 1 s, count 3: probes at 1 and 2 s, the end at exactly 3 s. */
static void
test_alive_silent_peer(void **state)
{
    struct alive a;

    alive_init(&a, 1000, 3, 0);
    assert_int_equal(alive_due(&a), 1000);
    assert_int_equal(alive_tick(&a, 999), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 1000), ALIVE_PROBE);
    assert_int_equal(alive_due(&a), 2000);
    assert_int_equal(alive_tick(&a, 1500), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_PROBE);
    assert_int_equal(alive_due(&a), 3000);
    assert_int_equal(alive_tick(&a, 2999), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 3000), ALIVE_DEAD);
}

/* Count 0 (ssh): no probe, the end after one interval of silence. */
static void
test_alive_count_zero(void **state)
{
    struct alive a;

    alive_init(&a, 2000, 0, 0);
    assert_int_equal(alive_due(&a), 2000);
    assert_int_equal(alive_tick(&a, 1999), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_DEAD);
}

/* Count 1: the one probe still gets an interval to be answered. */
static void
test_alive_count_one(void **state)
{
    struct alive a;

    alive_init(&a, 1000, 1, 0);
    assert_int_equal(alive_tick(&a, 1000), ALIVE_PROBE);
    assert_int_equal(alive_due(&a), 2000);
    assert_int_equal(alive_tick(&a, 1999), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_DEAD);
}

/* Each answer (any byte) starts the silence again from its own time, not
 * from the next tick. */
static void
test_alive_answers(void **state)
{
    struct alive a;
    uint64_t t;

    alive_init(&a, 1000, 2, 0);
    for (t = 1000; t < 60000; t += 1000) {
        assert_int_equal(alive_tick(&a, t), ALIVE_PROBE);
        alive_heard(&a, t + 30); /* the answer, 30 ms later */
        assert_int_equal(alive_due(&a), t + 1030);
        assert_int_equal(alive_tick(&a, t + 999), ALIVE_WAIT);
        t += 30;
    }
    alive_heard(&a, 70000);
    assert_int_equal(alive_tick(&a, 71000), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 71999), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 72000), ALIVE_DEAD);
}

static void
test_alive_heard(void **state)
{
    struct alive a;

    alive_init(&a, 1000, 3, 0);
    assert_int_equal(alive_tick(&a, 1000), ALIVE_PROBE);
    alive_heard(&a, 1700);
    /* An older time (bytes fed without a fresh clock) moves nothing. */
    alive_heard(&a, 1200);
    assert_int_equal(alive_due(&a), 2700);
    assert_int_equal(alive_tick(&a, 2000), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 2700), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 3700), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 4699), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 4700), ALIVE_DEAD);
}

/* A loop that was busy past several due times sends one probe, and the
 * end stays where it was. */
static void
test_alive_late_tick(void **state)
{
    struct alive a;

    alive_init(&a, 1000, 5, 0);
    assert_int_equal(alive_tick(&a, 3500), ALIVE_PROBE);
    assert_int_equal(alive_tick(&a, 3600), ALIVE_WAIT);
    assert_int_equal(alive_due(&a), 4000);
    assert_int_equal(alive_tick(&a, 4000), ALIVE_PROBE);
    assert_int_equal(alive_due(&a), 5000);
    assert_int_equal(alive_tick(&a, 4999), ALIVE_WAIT);
    assert_int_equal(alive_tick(&a, 5000), ALIVE_DEAD);
    /* A tick that comes after the end at once says so. */
    alive_init(&a, 1000, 3, 0);
    assert_int_equal(alive_tick(&a, 9000), ALIVE_DEAD);
}

/* sshd's ClientAliveCountMax 0 (UINT_MAX here): probes forever, no end;
 * a huge interval saturates instead of wrapping. */
static void
test_alive_never(void **state)
{
    struct alive a;
    uint64_t t;

    alive_init(&a, 1000, UINT_MAX, 0);
    for (t = 1000; t <= 100000; t += 1000) {
        assert_int_equal(alive_tick(&a, t), ALIVE_PROBE);
        assert_int_equal(alive_due(&a), t + 1000);
    }
    alive_init(&a, UINT64_MAX / 2, 3, 5);
    assert_true(alive_due(&a) == 5 + UINT64_MAX / 2);
    assert_int_equal(alive_tick(&a, 10), ALIVE_WAIT);
    alive_init(&a, UINT64_MAX / 2, 3, UINT64_MAX - 10);
    assert_true(alive_due(&a) == ALIVE_NEVER);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alive_off),
        cmocka_unit_test(test_alive_silent_peer),
        cmocka_unit_test(test_alive_count_zero),
        cmocka_unit_test(test_alive_count_one),
        cmocka_unit_test(test_alive_answers),
        cmocka_unit_test(test_alive_heard),
        cmocka_unit_test(test_alive_late_tick),
        cmocka_unit_test(test_alive_never),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
