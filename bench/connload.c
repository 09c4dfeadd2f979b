/* SPDX-License-Identifier: ISC */
/*
 * connload: short-connection load, held connections, and the echo server
 * they talk to. One epoll loop each, so the tool is never the bottleneck
 * (run it against the echo server directly to check).
 *
 *   connload echo PORT            echo server on 127.0.0.1:PORT
 *   connload run PORT N CONC [T]  N connections, CONC at once: connect,
 *                                 send 32 bytes, read them back, close;
 *                                 prints the rate and p50/p99 latency
 *   connload hold PORT N [T]      open N connections (one echo each) and
 *                                 keep them; then per stdin line "echo K"
 *                                 do K echoes one at a time over them and
 *                                 print p50/p99; EOF or "quit" ends
 *
 * With T, PORT is a SOCKS5 proxy and every connection asks it for
 * 127.0.0.1:T (no authentication). Latency is from connect() to the whole
 * echo back, the SOCKS exchange included. run and hold give up on what
 * has not finished after CONNLOAD_DEADLINE_S seconds (default 120) and
 * count it as errors.
 */
#define _GNU_SOURCE /* accept4 (benchnet.h) */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>

#include "benchnet.h"

#define MSG_LEN 32
#define DEADLINE_S_DEFAULT 120.0
#define HOLD_INFLIGHT 64
#define ECHO_BUF 512

enum cstate { C_CONNECTING, C_GREET, C_REQUEST, C_ECHO, C_IDLE };

struct client {
    int fd;
    enum cstate state;
    double t0;
    unsigned char in[64];
    size_t have;
};

static int epfd;
static double deadline_s = DEADLINE_S_DEFAULT;
static int connect_port; /* where every connection goes */
static int socks_to;     /* 0: direct; else the port asked of the proxy */
static const char msg[MSG_LEN] = "connload-0123456789-abcdefghijk";

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double
percentile(double *v, size_t n, double q)
{
    if (n == 0) {
        return 0;
    }
    qsort(v, n, sizeof(*v), cmp_double);
    return v[(size_t)(q * (double)(n - 1) + 0.5)];
}

/* Begin a connection in c; 0 or -1. */
static int
client_start(struct client *c)
{
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};

    c->t0 = bn_now_ms();
    c->have = 0;
    c->state = C_CONNECTING;
    if ((c->fd = bn_connect(connect_port)) < 0) {
        return -1;
    }
    return epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev);
}

static int
client_send(struct client *c, const void *p, size_t len, enum cstate next)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};

    c->have = 0;
    c->state = next;
    if (write(c->fd, p, len) != (ssize_t)len) {
        return -1;
    }
    return epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* How many bytes the SOCKS5 reply in c->in needs in all, 0 if unknown. */
static size_t
socks_reply_len(const struct client *c)
{
    if (c->have < 5) {
        return 0;
    }
    switch (c->in[3]) {
    case 1:
        return 10;
    case 4:
        return 22;
    case 3:
        return 7 + (size_t)c->in[4];
    }
    return 5;
}

/* The connection is up: greet the proxy, or send the message. */
static int
client_connected(struct client *c)
{
    static const unsigned char greet[3] = {5, 1, 0};
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
        return -1;
    }
    if (socks_to) {
        return client_send(c, greet, sizeof(greet), C_GREET);
    }
    return client_send(c, msg, MSG_LEN, C_ECHO);
}

/*
 * Advance c on readiness. 1 when its echo is complete, 0 to wait on, -1
 * on failure.
 */
static int
client_step(struct client *c)
{
    unsigned char req[10] = {5, 1, 0, 1, 127, 0, 0, 1, 0, 0};
    ssize_t n;

    if (c->state == C_CONNECTING) {
        return client_connected(c);
    }
    n = read(c->fd, c->in + c->have, sizeof(c->in) - c->have);
    if (n <= 0) {
        return n < 0 && errno == EAGAIN ? 0 : -1;
    }
    c->have += (size_t)n;
    if (c->state == C_GREET && c->have >= 2) {
        if (c->in[0] != 5 || c->in[1] != 0) {
            return -1;
        }
        req[8] = (unsigned char)(socks_to >> 8);
        req[9] = (unsigned char)socks_to;
        return client_send(c, req, sizeof(req), C_REQUEST);
    }
    if (c->state == C_REQUEST && socks_reply_len(c) &&
        c->have >= socks_reply_len(c)) {
        if (c->in[1] != 0 || c->have != socks_reply_len(c)) {
            return -1;
        }
        return client_send(c, msg, MSG_LEN, C_ECHO);
    }
    if (c->state == C_ECHO && c->have >= MSG_LEN) {
        return c->have == MSG_LEN && memcmp(c->in, msg, MSG_LEN) == 0 ? 1 : -1;
    }
    return 0;
}

static void
client_stop(struct client *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
}

/*
 * Drive up to conc connections at once until total have finished (or the
 * deadline passes). Finished ones are closed (keep false) or kept idle in
 * cs[]. Latencies go to lat[]; returns the number that failed.
 */
static size_t
drive(struct client *cs, size_t total, size_t conc, bool keep, double *lat,
      size_t *nlat)
{
    struct epoll_event evs[256];
    size_t started = 0, done = 0, failed = 0, slot_next = 0;
    double deadline = bn_now_ms() + deadline_s * 1e3;

    *nlat = 0;
    for (; started < conc && started < total; started++) {
        struct client *c = &cs[keep ? slot_next++ : started];
        if (client_start(c) != 0) {
            failed++;
            done++;
        }
    }
    while (done < total && bn_now_ms() < deadline) {
        int n = epoll_wait(epfd, evs, 256, 1000);
        for (int k = 0; k < n; k++) {
            struct client *c = evs[k].data.ptr;
            int r = client_step(c);
            if (r == 0) {
                continue;
            }
            done++;
            if (r > 0) {
                lat[(*nlat)++] = bn_now_ms() - c->t0;
            } else {
                failed++;
            }
            if (keep && r > 0) {
                c->state = C_IDLE;
                epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            } else {
                client_stop(c);
            }
            if (started < total) {
                started++;
                c = keep ? &cs[slot_next++] : c;
                if (client_start(c) != 0) {
                    failed++;
                    done++;
                }
            }
        }
    }
    return failed + (total - done);
}

static int
cmd_run(size_t total, size_t conc)
{
    struct client *cs = calloc(conc, sizeof(*cs));
    double *lat = calloc(total, sizeof(*lat));
    size_t nlat, failed;
    double t0, secs;

    if (cs == NULL || lat == NULL) {
        free(cs);
        free(lat);
        return 1;
    }
    t0 = bn_now_ms();
    failed = drive(cs, total, conc, false, lat, &nlat);
    secs = (bn_now_ms() - t0) / 1e3;
    printf("n %zu errors %zu secs %.3f rate %.1f p50_ms %.3f p99_ms %.3f\n",
           nlat, failed, secs, (double)nlat / secs, percentile(lat, nlat, 0.5),
           percentile(lat, nlat, 0.99));
    fflush(stdout);
    free(cs);
    free(lat);
    return failed ? 1 : 0;
}

/* One echo on an open idle connection, its time in ms, or -1. */
static double
echo_once(struct client *c)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
    double t0 = bn_now_ms();
    size_t have = 0;

    if (write(c->fd, msg, MSG_LEN) != MSG_LEN) {
        return -1;
    }
    while (have < MSG_LEN) {
        ssize_t n;
        if (poll(&pfd, 1, 10000) != 1) {
            return -1;
        }
        if ((n = read(c->fd, c->in + have, MSG_LEN - have)) <= 0) {
            if (n < 0 && errno == EAGAIN) {
                continue;
            }
            return -1;
        }
        have += (size_t)n;
    }
    return bn_now_ms() - t0;
}

/* "echo K": K echoes one at a time spread over the n held connections. */
static void
hold_echo(struct client *cs, size_t n, size_t k)
{
    double *lat = calloc(k ? k : 1, sizeof(*lat));
    size_t got = 0, failed = 0;

    for (size_t j = 0; j < k && lat != NULL; j++) {
        double t = echo_once(&cs[j * n / k]);
        if (t < 0) {
            failed++;
        } else {
            lat[got++] = t;
        }
    }
    printf("echo n %zu errors %zu p50_ms %.3f p99_ms %.3f\n", got, failed,
           lat ? percentile(lat, got, 0.5) : 0,
           lat ? percentile(lat, got, 0.99) : 0);
    fflush(stdout);
    free(lat);
}

/* Move the connections that are open and idle to the front; how many. */
static size_t
hold_compact(struct client *cs, size_t total)
{
    size_t m = 0;

    for (size_t i = 0; i < total; i++) {
        if (cs[i].state == C_IDLE && cs[i].fd >= 0) {
            cs[m++] = cs[i];
        }
    }
    return m;
}

static int
cmd_hold(size_t total)
{
    struct client *cs = calloc(total, sizeof(*cs));
    double *lat = calloc(total, sizeof(*lat));
    size_t nlat, failed;
    char line[64];
    double t0;

    if (cs == NULL || lat == NULL) {
        free(cs);
        free(lat);
        return 1;
    }
    t0 = bn_now_ms();
    failed = drive(cs, total, HOLD_INFLIGHT, true, lat, &nlat);
    nlat = hold_compact(cs, total);
    printf("open n %zu errors %zu secs %.3f\n", nlat, failed,
           (bn_now_ms() - t0) / 1e3);
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin) != NULL &&
           strncmp(line, "quit", 4) != 0) {
        size_t k;
        if (sscanf(line, "echo %zu", &k) == 1) {
            hold_echo(cs, nlat, nlat ? k : 0);
        }
    }
    for (size_t i = 0; i < nlat; i++) {
        client_stop(&cs[i]);
    }
    free(cs);
    free(lat);
    return failed ? 1 : 0;
}

/* The echo server's side of one connection. */
struct peer {
    int fd;
    uint32_t watched; /* the epoll events fd is registered for */
    size_t len, off;
    char buf[ECHO_BUF];
};

static void
peer_event(struct peer *p, uint32_t events)
{
    struct epoll_event ev = {.data.ptr = p};
    ssize_t n;

    if (p->off == p->len && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
        if ((n = read(p->fd, p->buf, sizeof(p->buf))) <= 0) {
            if (n < 0 && errno == EAGAIN) {
                return;
            }
            close(p->fd);
            free(p);
            return;
        }
        p->len = (size_t)n;
        p->off = 0;
    }
    while (p->off < p->len) {
        if ((n = write(p->fd, p->buf + p->off, p->len - p->off)) < 0) {
            if (errno != EAGAIN) {
                close(p->fd);
                free(p);
                return;
            }
            break;
        }
        p->off += (size_t)n;
    }
    ev.events = p->off < p->len ? EPOLLOUT : EPOLLIN;
    if (ev.events != p->watched) { /* a system call only on a change */
        p->watched = ev.events;
        epoll_ctl(epfd, EPOLL_CTL_MOD, p->fd, &ev);
    }
}

static int
cmd_echo(int port)
{
    struct epoll_event evs[256];
    int ls;

    close(epfd);
    if ((epfd = bn_serve(port, &ls)) < 0) {
        return 1;
    }
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, -1);
        for (int k = 0; k < n; k++) {
            struct peer *p;
            int c;
            if (evs[k].data.ptr != NULL) {
                peer_event(evs[k].data.ptr, evs[k].events);
                continue;
            }
            while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                struct epoll_event ev = {.events = EPOLLIN};
                if ((p = calloc(1, sizeof(*p))) == NULL) {
                    close(c);
                    continue;
                }
                p->fd = c;
                p->watched = EPOLLIN;
                ev.data.ptr = p;
                bn_nodelay(c);
                epoll_ctl(epfd, EPOLL_CTL_ADD, c, &ev);
                /* The message is usually here before the accept: echo it
                 * now rather than one epoll_wait later. */
                peer_event(p, EPOLLIN);
            }
        }
    }
}

int
main(int argc, char **argv)
{
    const char *dl = getenv("CONNLOAD_DEADLINE_S");

    signal(SIGPIPE, SIG_IGN);
    bn_raise_nofile();
    if (dl != NULL && atof(dl) > 0) {
        deadline_s = atof(dl);
    }
    if ((epfd = epoll_create1(0)) < 0) {
        return 1;
    }
    if (argc == 3 && strcmp(argv[1], "echo") == 0) {
        return cmd_echo(atoi(argv[2]));
    }
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "run") == 0) {
        connect_port = atoi(argv[2]);
        socks_to = argc == 6 ? atoi(argv[5]) : 0;
        return cmd_run(strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10));
    }
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "hold") == 0) {
        connect_port = atoi(argv[2]);
        socks_to = argc == 5 ? atoi(argv[4]) : 0;
        return cmd_hold(strtoul(argv[3], NULL, 10));
    }
    fprintf(stderr, "usage: connload echo PORT | connload run PORT N CONC "
                    "[SOCKS_TARGET] | connload hold PORT N [SOCKS_TARGET]\n");
    return 2;
}
