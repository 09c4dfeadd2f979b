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
#include <sys/uio.h>
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

/* Wait for events on fd until deadline (< 0: none): 0, ERR_TIMEOUT or
 * ERR_IO. */
static int
io_ctl_wait(int fd, short events, int64_t deadline)
{
    struct pollfd pfd = {.fd = fd, .events = events};
    int64_t left = 60000;
    int n;

    for (;;) {
        if (deadline >= 0 && (left = deadline - io_ctl_now_ms()) <= 0) {
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

int
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

/* The descriptors ride on the first byte sent (SCM_RIGHTS). */
static ssize_t
io_ctl_send_fds(int fd, const uint8_t *p, size_t n, const int *fds,
                size_t n_fds)
{
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int) * LIM_CTL_FDS)];
    } u;
    struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
    struct msghdr msg;
    struct cmsghdr *cm;

    memset(&msg, 0, sizeof(msg));
    memset(&u, 0, sizeof(u));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.space;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
    cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
    memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
    return sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
}

static int
io_ctl_put(int fd, const struct buf *req, const int *fds, size_t n_fds,
           int64_t deadline)
{
    const uint8_t *p = buf_ptr(req);
    size_t n = buf_len(req);
    ssize_t w;
    int r;

    if (n_fds > LIM_CTL_FDS) {
        return ERR_LIMIT;
    }
    while (n > 0) {
        if ((r = io_ctl_wait(fd, POLLOUT, deadline)) != 0) {
            return r;
        }
        if (n_fds > 0) {
            if ((w = io_ctl_send_fds(fd, p, n, fds, n_fds)) > 0) {
                n_fds = 0;
            }
        } else {
            w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
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

/* Up to want bytes into room: the count, ERR_DISCONNECTED at the end of
 * the stream, ERR_IO, ERR_TIMEOUT. */
static int
io_ctl_read_some(int fd, int64_t deadline, uint8_t *room, size_t want,
                 size_t *got)
{
    ssize_t n;
    int r;

    *got = 0;
    for (;;) {
        if ((r = io_ctl_wait(fd, POLLIN, deadline)) != 0) {
            return r;
        }
        if ((n = recv(fd, room, want, MSG_DONTWAIT)) == 0) {
            return ERR_DISCONNECTED;
        }
        if (n > 0) {
            *got = (size_t)n;
            return 0;
        }
        if (errno != EINTR && errno != EAGAIN) {
            return ERR_IO;
        }
    }
}

/*
 * One answer: the header a byte at a time, then exactly its body, so a
 * later answer on the same connection stays in the socket for the next
 * call. ERR_DISCONNECTED when the stream ends before any byte of it,
 * ERR_FORMAT when it ends inside it.
 */
static int
io_ctl_get(int fd, int64_t deadline, bool *is_ok, struct buf *body)
{
    uint8_t head[CTL_RESPONSE_HEAD_MAX + 1], *room;
    size_t have = 0, hlen = 0, len = 0, got;
    int r;

    for (;;) {
        r = ctl_response_decode(head, have, &hlen, is_ok, &len);
        if (r != ERR_AGAIN) {
            break;
        }
        if (have == sizeof(head)) {
            return ERR_FORMAT;
        }
        if ((r = io_ctl_read_some(fd, deadline, head + have, 1, &got)) != 0) {
            return r == ERR_DISCONNECTED && have > 0 ? ERR_FORMAT : r;
        }
        have++;
    }
    if (r != 0) {
        return r;
    }
    while (len > 0) {
        if ((r = buf_reserve(body, len < 65536 ? len : 65536, &room)) != 0) {
            return r;
        }
        if ((r = io_ctl_read_some(fd, deadline, room, len < 65536 ? len : 65536,
                                  &got)) != 0) {
            return r == ERR_DISCONNECTED ? ERR_FORMAT : r;
        }
        buf_commit(body, got);
        len -= got;
    }
    return 0;
}

int
io_ctl_send(int fd, const char *const *argv, size_t argc, const int *fds,
            size_t n_fds, int timeout_ms)
{
    int64_t deadline = timeout_ms < 0 ? -1 : io_ctl_now_ms() + timeout_ms;
    struct buf req;
    int r;

    buf_init(&req);
    buf_set_nowipe(&req);
    if ((r = ctl_request_encode(&req, argv, argc)) == 0) {
        r = io_ctl_put(fd, &req, fds, n_fds, deadline);
    }
    buf_cleanup(&req);
    return r;
}

int
io_ctl_recv(int fd, int timeout_ms, bool *is_ok, struct buf *body)
{
    *is_ok = false;
    return io_ctl_get(fd, timeout_ms < 0 ? -1 : io_ctl_now_ms() + timeout_ms,
                      is_ok, body);
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
        (r = io_ctl_put(fd, &req, NULL, 0, deadline)) == 0) {
        r = io_ctl_get(fd, deadline, is_ok, body);
        /* As before: an answer cut short is one we cannot read. */
        r = r == ERR_DISCONNECTED ? ERR_FORMAT : r;
    }
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    buf_cleanup(&req);
    return r;
}
