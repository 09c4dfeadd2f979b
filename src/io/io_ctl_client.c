/* SPDX-License-Identifier: ISC */
/*
 * The control socket's client side: one blocking request and its answer,
 * for the short-lived `adit status` / `aditd status` commands (no loop
 * runs there). Every wait is bounded by the caller's timeout.
 */
#include "io/io_ctl.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util/adit_limits.h"
#include "util/err.h"

static int64_t
io_ctl_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline: 0, ERR_TIMEOUT or ERR_IO. */
static int
io_ctl_wait(int fd, short events, int64_t deadline)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int64_t left;
    int n;

    for (;;) {
        if ((left = deadline - io_ctl_now_ms()) <= 0) {
            return ERR_TIMEOUT;
        }
        n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (n > 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return ERR_IO;
        }
    }
}

static int
io_ctl_connect(const char *path, int *out)
{
    struct sockaddr_un sun;
    int fd;

    *out = -1;
    if (strlen(path) >= sizeof(sun.sun_path)) {
        errno = ENAMETOOLONG;
        return ERR_IO;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        return ERR_IO;
    }
    /* A Unix connect completes or fails at once. */
    if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return ERR_IO;
    }
    *out = fd;
    return 0;
}

static int
io_ctl_send(int fd, const struct buf *req, int64_t deadline)
{
    const uint8_t *p = buf_ptr(req);
    size_t n = buf_len(req);
    ssize_t w;
    int r;

    while (n > 0) {
        if ((r = io_ctl_wait(fd, POLLOUT, deadline)) != 0) {
            return r;
        }
        w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno != EINTR && errno != EAGAIN) {
            return ERR_IO;
        }
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        }
    }
    return 0;
}

/* Read until the header and the whole body are in. */
static int
io_ctl_recv(int fd, int64_t deadline, bool *is_ok, struct buf *body)
{
    struct buf in;
    size_t head = 0, len = 0;
    uint8_t *room;
    ssize_t n;
    int r;

    buf_init(&in);
    buf_set_nowipe(&in);
    for (;;) {
        r = ctl_response_decode(buf_ptr(&in), buf_len(&in), &head, is_ok, &len);
        if (r == 0 && buf_len(&in) - head >= len) {
            r = buf_put(body, buf_ptr(&in) + head, len);
            break;
        }
        if ((r != 0 && r != ERR_AGAIN) ||
            (r = io_ctl_wait(fd, POLLIN, deadline)) != 0 ||
            (r = buf_reserve(&in, 65536, &room)) != 0) {
            break;
        }
        if ((n = recv(fd, room, 65536, MSG_DONTWAIT)) == 0) {
            r = ERR_FORMAT; /* closed before the whole answer */
            break;
        }
        if (n < 0 && errno != EINTR && errno != EAGAIN) {
            r = ERR_IO;
            break;
        }
        buf_commit(&in, n > 0 ? (size_t)n : 0);
    }
    buf_cleanup(&in);
    return r;
}

int
io_ctl_call(const char *path, const char *const *argv, size_t argc,
            int timeout_ms, bool *is_ok, struct buf *body)
{
    int64_t deadline = io_ctl_now_ms() + timeout_ms;
    struct buf req;
    int fd = -1, r;

    *is_ok = false;
    buf_init(&req);
    if ((r = ctl_request_encode(&req, argv, argc)) == 0 &&
        (r = io_ctl_connect(path, &fd)) == 0 &&
        (r = io_ctl_send(fd, &req, deadline)) == 0) {
        r = io_ctl_recv(fd, deadline, is_ok, body);
    }
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    buf_cleanup(&req);
    return r;
}
