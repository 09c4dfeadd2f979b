/* SPDX-License-Identifier: ISC */
/*
 * fdconnect: a ProxyUseFdpass dialer that records when the connect began.
 *
 *   fdconnect TIMEFILE HOST PORT
 *
 * Resolves HOST (numeric or a name), reads CLOCK_MONOTONIC just before
 * connect(), connects, passes the connected socket to its stdout with one
 * byte (SCM_RIGHTS, as ssh's ProxyUseFdpass expects) and exits 0; then
 * writes that time, in seconds, to TIMEFILE ("%.6f\n"). The file is
 * written after the socket is passed, so writing it costs the client
 * nothing. Python's time.monotonic() reads the same clock, so the bench
 * can subtract it from the moment the first echo came back through the
 * tunnel: connect to working tunnel, without the client's process spawn.
 * Errors go to stderr with status 1 (the client then says "proxy dialer
 * did not pass back a connection").
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int
fd_connect(const char *host, const char *port, double *t0)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct timespec ts;
    int fd = -1, r;

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
        fprintf(stderr, "fdconnect: %s: %s\n", host, gai_strerror(r));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) < 0) {
            continue;
        }
        clock_gettime(CLOCK_MONOTONIC, &ts);
        *t0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        close(fd);
        fd = -1;
    }
    if (fd < 0) {
        perror("fdconnect: connect");
    }
    freeaddrinfo(res);
    return fd;
}

/* One byte and the descriptor in one message: what ssh's receiver
 * (and adit's) read. */
static int
fd_pass(int to, int fd)
{
    char byte = 0;
    struct iovec iov = {&byte, 1};
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int))];
    } cm;
    struct msghdr msg;
    struct cmsghdr *c;

    memset(&msg, 0, sizeof(msg));
    memset(&cm, 0, sizeof(cm));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cm.space;
    msg.msg_controllen = sizeof(cm.space);
    c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
    if (sendmsg(to, &msg, 0) != 1) {
        perror("fdconnect: sendmsg");
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    double t0 = 0;
    FILE *f;
    int fd;

    if (argc != 4) {
        fprintf(stderr, "usage: fdconnect TIMEFILE HOST PORT\n");
        return 2;
    }
    if ((fd = fd_connect(argv[2], argv[3], &t0)) < 0 ||
        fd_pass(STDOUT_FILENO, fd) != 0) {
        return 1;
    }
    close(fd);
    if ((f = fopen(argv[1], "w")) == NULL) {
        perror("fdconnect: TIMEFILE");
        return 1;
    }
    fprintf(f, "%.6f\n", t0);
    return fclose(f) == 0 ? 0 : 1;
}
