/* SPDX-License-Identifier: ISC */
/* Tests for io/sdnotify against a real datagram socket, as systemd's. */
#include "io/sdnotify.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "testutil.h"
#include "util/err.h"

/* A bound datagram socket at name (a path, or "@name" abstract). */
static int
notify_socket(const char *name)
{
    struct timeval tv = {.tv_sec = 5};
    struct sockaddr_un sun;
    socklen_t len;
    int fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, name, strlen(name));
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name));
    if (name[0] == '@') {
        sun.sun_path[0] = '\0';
    } else {
        len++;
    }
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sun, len), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void
expect(int fd, const char *want)
{
    char got[SDNOTIFY_MAX + 1];
    ssize_t n = recv(fd, got, sizeof(got) - 1, 0);

    assert_true(n >= 0);
    got[n] = '\0';
    assert_string_equal(got, want);
}

static void
test_notify(void **state)
{
    char path[108], abstract[64], got[128];
    unsigned long long usec;
    ssize_t n;
    int fd;

    unsetenv("NOTIFY_SOCKET");
    assert_false(sdnotify_enabled());
    assert_int_equal(sdnotify_send("READY=1"), 0); /* nothing to do */

    snprintf(path, sizeof(path), "%s/notify", test_tmpdir());
    fd = notify_socket(path);
    setenv("NOTIFY_SOCKET", path, 1);
    assert_true(sdnotify_enabled());
    assert_int_equal(sdnotify_send("READY=1\nSTATUS=2 sessions"), 0);
    expect(fd, "READY=1\nSTATUS=2 sessions");
    assert_int_equal(sdnotify_reloading(), 0);
    n = recv(fd, got, sizeof(got) - 1, 0);
    assert_true(n > 0);
    got[n] = '\0';
    assert_int_equal(sscanf(got, "RELOADING=1\nMONOTONIC_USEC=%llu", &usec), 1);
    assert_true(usec > 0);
    close(fd);

    snprintf(abstract, sizeof(abstract), "@adit-test-%ld", (long)getpid());
    fd = notify_socket(abstract);
    setenv("NOTIFY_SOCKET", abstract, 1);
    assert_int_equal(sdnotify_printf("WATCHDOG=%d", 1), 0);
    expect(fd, "WATCHDOG=1");
    close(fd);

    setenv("NOTIFY_SOCKET", "relative/path", 1);
    assert_false(sdnotify_enabled());
    assert_int_equal(sdnotify_send("READY=1"), ERR_CONFIG);
    unsetenv("NOTIFY_SOCKET");
}

static void
test_watchdog(void **state)
{
    char pid[32];

    unsetenv("WATCHDOG_PID");
    unsetenv("WATCHDOG_USEC");
    assert_int_equal(sdnotify_watchdog_usec(), 0);
    setenv("WATCHDOG_USEC", "3000000", 1);
    assert_int_equal(sdnotify_watchdog_usec(), 3000000);
    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(sdnotify_watchdog_usec(), 3000000);
    setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
    assert_int_equal(sdnotify_watchdog_usec(), 0);
    unsetenv("WATCHDOG_PID");
    setenv("WATCHDOG_USEC", "12x", 1);
    assert_int_equal(sdnotify_watchdog_usec(), 0);
    unsetenv("WATCHDOG_USEC");
}

static void
test_listen_fds(void **state)
{
    char pid[32];

    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    setenv("LISTEN_PID", "1", 1);
    setenv("LISTEN_FDS", "1", 1);
    assert_int_equal(sdnotify_listen_fds(), 0);
    assert_null(getenv("LISTEN_FDS")); /* removed either way */
    if (fcntl(SDNOTIFY_FIRST_FD, F_GETFD) >= 0) {
        return; /* fd 3 is someone else's here: leave it alone */
    }
    setenv("LISTEN_PID", pid, 1);
    setenv("LISTEN_FDS", "1", 1); /* fd 3 need not be a socket here */
    assert_int_equal(dup2(STDERR_FILENO, SDNOTIFY_FIRST_FD), SDNOTIFY_FIRST_FD);
    assert_int_equal(sdnotify_listen_fds(), 1);
    assert_null(getenv("LISTEN_PID"));
    close(SDNOTIFY_FIRST_FD);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notify),
        cmocka_unit_test(test_watchdog),
        cmocka_unit_test(test_listen_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
