/* SPDX-License-Identifier: ISC */
/* Tests for ctl/metrics: the Prometheus text format and its escapes. */
#include "ctl/metrics.h"

#include <math.h>
#include <string.h>

#include "testutil.h"
#include "util/err.h"

static void
test_metrics(void **state)
{
    const char *labels[] = {"type", "direct-tcpip", "user", "a\"b\\c\nd", NULL};
    const char *want =
        "# HELP aditd_channel_opens_total Channels opened, by type; a \\\\ "
        "and\\nnewline\n"
        "# TYPE aditd_channel_opens_total counter\n"
        "aditd_channel_opens_total{type=\"direct-tcpip\",user="
        "\"a\\\"b\\\\c\\nd\"} 3\n"
        "aditd_sessions 0\n"
        "aditd_rtt_seconds 0.25\n"
        "aditd_rtt_seconds NaN\n";
    struct buf b;

    buf_init(&b);
    assert_int_equal(metrics_family(&b, "aditd_channel_opens_total", "counter",
                                    "Channels opened, by type; a \\ and\n"
                                    "newline"),
                     0);
    assert_int_equal(metrics_u64(&b, "aditd_channel_opens_total", labels, 3),
                     0);
    assert_int_equal(metrics_u64(&b, "aditd_sessions", NULL, 0), 0);
    assert_int_equal(metrics_double(&b, "aditd_rtt_seconds", NULL, 0.25), 0);
    assert_int_equal(metrics_double(&b, "aditd_rtt_seconds", NULL, NAN), 0);
    assert_int_equal(buf_len(&b), strlen(want));
    assert_memory_equal(buf_ptr(&b), want, strlen(want));
    buf_cleanup(&b);
}

static void
test_bad_names(void **state)
{
    const char *bad_label[] = {"0type", "x", NULL};
    const char *colon_label[] = {"a:b", "x", NULL};
    const char *no_value[] = {"type", NULL};
    struct buf b;

    buf_init(&b);
    assert_int_equal(metrics_family(&b, "a-b", "counter", ""), ERR_INVAL);
    assert_int_equal(metrics_family(&b, "ok", "histogram", ""), ERR_INVAL);
    assert_int_equal(metrics_u64(&b, "9x", NULL, 1), ERR_INVAL);
    assert_int_equal(metrics_u64(&b, "x", bad_label, 1), ERR_INVAL);
    assert_int_equal(metrics_u64(&b, "x", colon_label, 1), ERR_INVAL);
    assert_int_equal(metrics_u64(&b, "x", no_value, 1), ERR_INVAL);
    assert_int_equal(buf_len(&b), 0); /* no half lines */
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics),
        cmocka_unit_test(test_bad_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
