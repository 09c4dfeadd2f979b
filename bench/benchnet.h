/* SPDX-License-Identifier: ISC */
/*
 * benchnet: the few socket helpers bench/'s C tools share (relay, delay,
 * connload). Loopback only: every address is 127.0.0.1.
 */
#ifndef ADIT_BENCH_BENCHNET_H
#define ADIT_BENCH_BENCHNET_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline void
bn_addr(int port, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)port);
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

static inline int
bn_nonblock(int s)
{
    int fl = fcntl(s, F_GETFL);

    return fl < 0 ? -1 : fcntl(s, F_SETFL, fl | O_NONBLOCK);
}

static inline void
bn_nodelay(int s)
{
    int one = 1;

    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* A non-blocking listening socket on 127.0.0.1:port, or -1. */
static inline int
bn_listen(int port)
{
    struct sockaddr_in sa;
    int s, one = 1;

    bn_addr(port, &sa);
    if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
        listen(s, 4096) != 0 || bn_nonblock(s) != 0) {
        perror("bench: listen");
        return -1;
    }
    return s;
}

/*
 * A non-blocking socket connecting to 127.0.0.1:port (the connect may
 * still be in progress: wait for writability), or -1.
 */
static inline int
bn_connect(int port)
{
    struct sockaddr_in sa;
    int s;

    bn_addr(port, &sa);
    if ((s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0) {
        return -1;
    }
    bn_nodelay(s);
    if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 &&
        errno != EINPROGRESS) {
        close(s);
        return -1;
    }
    return s;
}

/* Monotonic time in milliseconds, with a fraction. */
static inline double
bn_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The soft file limit raised to the hard one (thousands of sockets). */
static inline void
bn_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The epoll cookie of one socket of a relayed pair: NULL is a listener. */
struct bn_end {
    void *pair;
    int side;
};

/*
 * Join the accepted socket c (already non-blocking: bn_dispatch accepts
 * with SOCK_NONBLOCK) to a new connection to 127.0.0.1:target (a blocking
 * connect: loopback answers at once): fd[0] = c, fd[1] the new one, both
 * non-blocking with TCP_NODELAY, both watched for reading by epfd with
 * the cookies end[0] and end[1]. 0, or -1 with c closed.
 */
static inline int
bn_join(int epfd, int c, int target, int fd[2], struct bn_end end[2],
        void *pair)
{
    struct sockaddr_in sa;
    int t = socket(AF_INET, SOCK_STREAM, 0);

    bn_addr(target, &sa);
    if (t < 0 || connect(t, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("bench: connect");
        close(c);
        if (t >= 0) {
            close(t);
        }
        return -1;
    }
    fd[0] = c;
    fd[1] = t;
    bn_nonblock(t);
    for (int i = 0; i < 2; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &end[i]};
        bn_nodelay(fd[i]);
        end[i].pair = pair;
        end[i].side = i;
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd[i], &ev);
    }
    return 0;
}

/*
 * Listen on 127.0.0.1:port into *ls and make an epoll set watching it
 * (cookie NULL); the epoll descriptor, or -1.
 */
static inline int
bn_serve(int port, int *ls)
{
    struct epoll_event ev = {.events = EPOLLIN};
    int ep;

    if ((*ls = bn_listen(port)) < 0 || (ep = epoll_create1(0)) < 0) {
        return -1;
    }
    if (epoll_ctl(ep, EPOLL_CTL_ADD, *ls, &ev) != 0) {
        close(ep);
        return -1;
    }
    return ep;
}

/*
 * Handle n events of a relay's loop: on the listener (cookie NULL),
 * accept everything pending and join each to target; the rest go to
 * on_event with their cookie.
 */
static inline void
bn_dispatch(int ls, const struct epoll_event *evs, int n, int target,
            void (*join)(int c, int target),
            void (*on_event)(struct bn_end *e, uint32_t events))
{
    for (int k = 0; k < n; k++) {
        if (evs[k].data.ptr == NULL) {
            int c;
            while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                join(c, target);
            }
            continue;
        }
        on_event(evs[k].data.ptr, evs[k].events);
    }
}

#endif
