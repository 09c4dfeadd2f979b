/* SPDX-License-Identifier: ISC */
/* Tests for util/log: control bytes from peers are escaped as ssh does. */
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

static void
test_escape(void **state)
{
    char out[64];

    log_escape("plain text, UTF-8 \xc3\xa9", true, out, sizeof(out));
    assert_string_equal(out, "plain text, UTF-8 \xc3\xa9");
    log_escape("a\x1b[2Jb\x7f", false, out, sizeof(out));
    assert_string_equal(out, "a\\033[2Jb\\177");
    /* Client stderr keeps newlines (ssh's two-line errors); aditd not. */
    log_escape("x\ny\tz\r", false, out, sizeof(out));
    assert_string_equal(out, "x\ny\tz\r");
    log_escape("x\ny\tz\r", true, out, sizeof(out));
    assert_string_equal(out, "x\\012y\\011z\\015");
    /* Cut to fit, never in the middle of an escape. */
    log_escape("ab\ncd", true, out, 6);
    assert_string_equal(out, "ab");
    log_escape("abc", true, out, 3);
    assert_string_equal(out, "ab");
}

/* What log_msg writes to stderr for one call. */
static void
test_one_line(void **state)
{
    char path[256], got[256] = "";
    FILE *f;
    int saved, fd;
    size_t n;

    snprintf(path, sizeof(path), "%s/log.txt", test_tmpdir());
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_non_null(f = fopen(path, "w+"));
    fd = fileno(f);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    log_init("aditd", LOG_INFO);
    log_set_one_line(true);
    log_info("Failed publickey for %s from 127.0.0.1",
             "x\nAccepted publickey for root");
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    log_set_one_line(false);
    rewind(f);
    n = fread(got, 1, sizeof(got) - 1, f);
    got[n] = '\0';
    fclose(f);
    assert_string_equal(got, "Failed publickey for x\\012Accepted publickey "
                             "for root from 127.0.0.1\r\n");
}

/* What log_plain writes for one call: peer text escaped, line end kept. */
static void
test_plain(void **state)
{
    char path[256], got[4096] = "", big[3000];
    FILE *f;
    int saved;
    size_t n;

    snprintf(path, sizeof(path), "%s/plain.txt", test_tmpdir());
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    fflush(stderr);
    saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_non_null(f = fopen(path, "w+"));
    assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
    log_plain("channel %u: open failed: %s: %s\r\n", 2u,
              "administratively prohibited", "no\x1b]0;owned\x07\x1b[2J");
    log_plain("Received disconnect from %s port %u:%s\r\n", "h", 22u,
              "2: bye\x1b[31m");
    log_plain("%s\r\n", big); /* cut: the line end is still written */
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(f);
    n = fread(got, 1, sizeof(got) - 1, f);
    got[n] = '\0';
    fclose(f);
    assert_true(strncmp(got,
                        "channel 2: open failed: administratively prohibited: "
                        "no\\033]0;owned\a\\033[2J\r\n"
                        "Received disconnect from h port 22:2: bye\\033[31m"
                        "\r\nxxx",
                        strlen("channel 2: open failed: administratively "
                               "prohibited: no\\033]0;owned\a\\033[2J\r\n"
                               "Received disconnect from h port 22:2: "
                               "bye\\033[31m\r\nxxx")) == 0);
    assert_null(strchr(got, '\x1b'));
    assert_true(n > 2 && strcmp(got + n - 2, "\r\n") == 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_plain),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
