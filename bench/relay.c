/* SPDX-License-Identifier: ISC */
/*
 * relay: a plain TCP relay, the unencrypted floor of the benchmark.
 *
 *   relay LISTEN_PORT TARGET_PORT
 *
 * Accepts on 127.0.0.1:LISTEN_PORT and joins each connection to a new one
 * to 127.0.0.1:TARGET_PORT. One epoll loop; per direction one read and one
 * write per chunk, as any relay must pay, and nothing else: two of these
 * chained have the shape of a tunnel (client process, server process)
 * without the cipher or the protocol.
 */
#define _GNU_SOURCE /* accept4 (benchnet.h) */
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>

#include "benchnet.h"

#define RELAY_BUF (64 * 1024)

/* One direction: bytes read from in, not yet written to out. */
struct half {
    char *buf;
    size_t len, off;
    bool eof;
};

/* h[i] carries fd[i] -> fd[1 - i]. */
struct pair {
    int fd[2];
    struct half h[2];
    struct bn_end end[2];
    uint32_t watched[2]; /* the epoll events fd[i] is registered for */
    bool dead;
    struct pair *next_dead;
};

static int epfd;
/* Pairs closed during one epoll batch, freed after it (a later event of
 * the same batch may still point at one). */
static struct pair *dead;

static void
pair_close(struct pair *p)
{
    for (int i = 0; i < 2; i++) {
        close(p->fd[i]);
    }
    p->dead = true;
    p->next_dead = dead;
    dead = p;
}

static void
pairs_reap(void)
{
    while (dead != NULL) {
        struct pair *p = dead;
        dead = p->next_dead;
        free(p->h[0].buf);
        free(p->h[1].buf);
        free(p);
    }
}

/* Watch fd[i] for what its two directions need now; a system call only
 * when that changed (most events leave it as it was). */
static void
pair_watch(struct pair *p, int i)
{
    struct epoll_event ev = {.data.ptr = &p->end[i]};
    struct half *rd = &p->h[i], *wr = &p->h[1 - i];

    if (rd->len == rd->off && !rd->eof) {
        ev.events |= EPOLLIN;
    }
    if (wr->len > wr->off) {
        ev.events |= EPOLLOUT;
    }
    if (ev.events != p->watched[i]) {
        p->watched[i] = ev.events;
        epoll_ctl(epfd, EPOLL_CTL_MOD, p->fd[i], &ev);
    }
}

/* Write what h holds to fd; half-close fd once h is drained after EOF. */
static int
half_flush(struct half *h, int fd)
{
    while (h->off < h->len) {
        ssize_t n = write(fd, h->buf + h->off, h->len - h->off);
        if (n < 0) {
            return errno == EAGAIN ? 0 : -1;
        }
        h->off += (size_t)n;
    }
    h->len = h->off = 0;
    if (h->eof) {
        shutdown(fd, SHUT_WR);
    }
    return 0;
}

static int
half_fill(struct half *h, int in, int out)
{
    ssize_t n = read(in, h->buf, RELAY_BUF);

    if (n < 0) {
        return errno == EAGAIN ? 0 : -1;
    }
    if (n == 0) {
        h->eof = true;
    }
    h->len = (size_t)n;
    h->off = 0;
    return half_flush(h, out);
}

static void
pair_event(struct bn_end *e, uint32_t events)
{
    struct pair *p = e->pair;
    int i = e->side, r = 0;

    if (p->dead) {
        return;
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        if (p->h[i].len == p->h[i].off && !p->h[i].eof) {
            r = half_fill(&p->h[i], p->fd[i], p->fd[1 - i]);
        }
    }
    if (r == 0 && (events & EPOLLOUT)) {
        r = half_flush(&p->h[1 - i], p->fd[i]);
    }
    if (r != 0 || (events & EPOLLERR) ||
        (p->h[0].eof && p->h[1].eof && p->h[0].len == 0 && p->h[1].len == 0)) {
        pair_close(p);
        return;
    }
    pair_watch(p, 0);
    pair_watch(p, 1);
}

/* Join a newly accepted socket to a new connection to the target. */
static void
pair_new(int c, int target)
{
    struct pair *p = calloc(1, sizeof(*p));

    if (p == NULL || (p->h[0].buf = malloc(RELAY_BUF)) == NULL ||
        (p->h[1].buf = malloc(RELAY_BUF)) == NULL ||
        bn_join(epfd, c, target, p->fd, p->end, p) != 0) {
        if (p != NULL) {
            free(p->h[0].buf);
            free(p->h[1].buf);
            free(p);
        }
        return;
    }
    p->watched[0] = p->watched[1] = EPOLLIN;
    /* The client's first bytes are usually here before the accept: relay
     * them now rather than one epoll_wait later. */
    pair_event(&p->end[0], EPOLLIN);
}

int
main(int argc, char **argv)
{
    struct epoll_event evs[256];
    int ls, target;

    if (argc != 3) {
        fprintf(stderr, "usage: relay LISTEN_PORT TARGET_PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    bn_raise_nofile();
    target = atoi(argv[2]);
    if ((epfd = bn_serve(atoi(argv[1]), &ls)) < 0) {
        return 1;
    }
    for (;;) {
        int n = epoll_wait(epfd, evs, 256, -1);
        bn_dispatch(ls, evs, n, target, pair_new, pair_event);
        pairs_reap();
    }
}
