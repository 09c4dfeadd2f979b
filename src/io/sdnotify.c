/* SPDX-License-Identifier: ISC */
/* sd_notify and sd_listen_fds, spoken directly. */
#include "io/sdnotify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/err.h"

bool
sdnotify_enabled(void)
{
    const char *s = getenv("NOTIFY_SOCKET");

    return s != NULL && (s[0] == '/' || s[0] == '@');
}

/* The socket address from $NOTIFY_SOCKET; an abstract name starts with
 * a NUL byte and its length is exact, not NUL-terminated. */
static int
sdnotify_addr(const char *s, struct sockaddr_un *sun, socklen_t *len)
{
    size_t n = strlen(s);

    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if ((s[0] != '/' && s[0] != '@') || n < 2) {
        return ERR_CONFIG;
    }
    if (n >= sizeof(sun->sun_path)) {
        return ERR_LIMIT;
    }
    memcpy(sun->sun_path, s, n);
    if (s[0] == '@') {
        sun->sun_path[0] = '\0';
    }
    *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
                       (s[0] == '/' ? 1 : 0));
    return 0;
}

int
sdnotify_send(const char *state)
{
    const char *s = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sun;
    socklen_t len = 0;
    size_t n = strlen(state);
    ssize_t w;
    int fd, r;

    if (s == NULL || s[0] == '\0') {
        return 0;
    }
    if (n > SDNOTIFY_MAX) {
        return ERR_LIMIT;
    }
    if ((r = sdnotify_addr(s, &sun, &len)) != 0) {
        return r;
    }
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
        return ERR_IO;
    }
    /* Never block the loop: a full socket loses one message, and the
     * next (a watchdog ping, a status line) comes soon. */
    w = sendto(fd, state, n, MSG_NOSIGNAL | MSG_DONTWAIT,
               (struct sockaddr *)&sun, len);
    close(fd);
    return w == (ssize_t)n ? 0 : ERR_IO;
}

int
sdnotify_printf(const char *fmt, ...)
{
    char msg[SDNOTIFY_MAX + 1];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n > SDNOTIFY_MAX) {
        return ERR_LIMIT;
    }
    return sdnotify_send(msg);
}

int
sdnotify_reloading(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return sdnotify_printf("RELOADING=1\nMONOTONIC_USEC=%llu",
                           (unsigned long long)ts.tv_sec * 1000000ull +
                               (unsigned long long)ts.tv_nsec / 1000ull);
}

/* A positive decimal number, nothing else. */
static bool
sdnotify_number(const char *s, unsigned long long *out)
{
    char *end;

    if (s == NULL || s[0] < '0' || s[0] > '9') {
        return false;
    }
    errno = 0;
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0' && *out > 0;
}

uint64_t
sdnotify_watchdog_usec(void)
{
    unsigned long long usec, pid;
    const char *p = getenv("WATCHDOG_PID");

    if (!sdnotify_number(getenv("WATCHDOG_USEC"), &usec)) {
        return 0;
    }
    if (p != NULL &&
        (!sdnotify_number(p, &pid) || pid != (unsigned long long)getpid())) {
        return 0;
    }
    return (uint64_t)usec;
}

int
sdnotify_listen_fds(void)
{
    unsigned long long pid, n;
    int i, fl;
    bool ours = sdnotify_number(getenv("LISTEN_PID"), &pid) &&
                pid == (unsigned long long)getpid() &&
                sdnotify_number(getenv("LISTEN_FDS"), &n) && n <= 1024;

    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (!ours) {
        return 0;
    }
    for (i = 0; i < (int)n; i++) {
        fl = fcntl(SDNOTIFY_FIRST_FD + i, F_GETFD);
        if (fl < 0 ||
            fcntl(SDNOTIFY_FIRST_FD + i, F_SETFD, fl | FD_CLOEXEC) < 0) {
            return 0;
        }
    }
    return (int)n;
}
