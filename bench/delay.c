/* SPDX-License-Identifier: ISC */
/*
 * delay: a TCP relay that holds every byte for a fixed time each way, a
 * long path on loopback.
 *
 *   delay LISTEN_PORT TARGET_PORT MS
 *
 * Accepts on 127.0.0.1:LISTEN_PORT, joins each connection to a new one to
 * 127.0.0.1:TARGET_PORT, and passes data (and EOF) on MS milliseconds
 * after it was read, in each direction. It reads as fast as the sender
 * writes (up to DELAY_RING held per direction), so the loopback TCP
 * windows stay open and what limits a transfer through it is the window
 * of the protocol on top, as on a real long path.
 */
#define _GNU_SOURCE /* accept4 (benchnet.h) */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>

#include "benchnet.h"

#define DELAY_RING (64u * 1024u * 1024u) /* bytes held per direction */
#define DELAY_STAMPS 65536u              /* read times held per direction */
#define DELAY_MERGE_MS 0.25 /* reads this close share one time stamp */

/* The bytes up to stream offset upto may go out at due (ms). */
struct stamp {
    uint64_t upto;
    double due;
};

/*
 * One direction: a ring of bytes (allocated at the first read, reused so
 * its pages are touched once) and a queue of the times they were read.
 * in and out count the bytes read and written since the start.
 */
struct half {
    char *ring;
    uint64_t in, out, allowed;
    struct stamp st[DELAY_STAMPS];
    size_t st_head, st_n;
    bool eof, shut, blocked;
    double eof_due;
};

/* h[i] carries fd[i] -> fd[1 - i]; pairs are kept in one list. */
struct pair {
    int fd[2];
    struct half h[2];
    struct bn_end end[2];
    bool dead;
    struct pair *next;
};

static int epfd;
static struct pair *pairs;
static double delay_ms;

static bool
half_can_read(const struct half *h)
{
    return !h->eof && h->in - h->out < DELAY_RING && h->st_n < DELAY_STAMPS;
}

/* Stamp the bytes up to h->in with now + the delay. */
static void
half_stamp(struct half *h, double now)
{
    struct stamp *last = NULL;

    if (h->st_n > 0) {
        last = &h->st[(h->st_head + h->st_n - 1) % DELAY_STAMPS];
    }
    if (last != NULL && now + delay_ms - last->due < DELAY_MERGE_MS) {
        last->upto = h->in;
        return;
    }
    h->st[(h->st_head + h->st_n) % DELAY_STAMPS] =
        (struct stamp){.upto = h->in, .due = now + delay_ms};
    h->st_n++;
}

/* Read what in has into the ring, stamping it; -1 on error. */
static int
half_read(struct half *h, int in)
{
    if (h->ring == NULL && (h->ring = malloc(DELAY_RING)) == NULL) {
        return -1;
    }
    while (half_can_read(h)) {
        size_t at = (size_t)(h->in % DELAY_RING);
        size_t room = DELAY_RING - (size_t)(h->in - h->out);
        ssize_t n;
        if (room > DELAY_RING - at) {
            room = DELAY_RING - at;
        }
        n = read(in, h->ring + at, room);
        if (n <= 0) {
            if (n == 0) {
                h->eof = true;
                h->eof_due = bn_now_ms() + delay_ms;
                return 0;
            }
            return errno == EAGAIN ? 0 : -1;
        }
        h->in += (uint64_t)n;
        half_stamp(h, bn_now_ms());
    }
    return 0;
}

/* Let out what has fallen due; *wait lowered to when the next falls due. */
static void
half_release(struct half *h, double now, double *wait)
{
    while (h->st_n > 0 && h->st[h->st_head].due <= now) {
        h->allowed = h->st[h->st_head].upto;
        h->st_head = (h->st_head + 1) % DELAY_STAMPS;
        h->st_n--;
    }
    if (h->st_n > 0) {
        *wait = fmin(*wait, h->st[h->st_head].due - now);
    }
}

/*
 * Write the bytes that are due to out; half-close out when EOF is due.
 * *wait is lowered to the ms until the next thing falls due. -1 on error.
 */
static int
half_write(struct half *h, int out, double now, double *wait)
{
    half_release(h, now, wait);
    while (h->out < h->allowed && !h->blocked) {
        size_t at = (size_t)(h->out % DELAY_RING);
        size_t len = (size_t)(h->allowed - h->out);
        ssize_t n;
        if (len > DELAY_RING - at) {
            len = DELAY_RING - at;
        }
        if ((n = write(out, h->ring + at, len)) < 0) {
            if (errno != EAGAIN) {
                return -1;
            }
            h->blocked = true;
            break;
        }
        h->out += (uint64_t)n;
    }
    if (h->out == h->in && h->eof && !h->shut) {
        if (h->eof_due <= now) {
            shutdown(out, SHUT_WR);
            h->shut = true;
        } else {
            *wait = fmin(*wait, h->eof_due - now);
        }
    }
    return 0;
}

static void
pair_close(struct pair *p)
{
    for (int i = 0; i < 2; i++) {
        close(p->fd[i]);
        free(p->h[i].ring);
        p->h[i].ring = NULL;
    }
    p->dead = true;
}

static void
pair_watch(struct pair *p)
{
    for (int i = 0; i < 2; i++) {
        struct epoll_event ev = {.data.ptr = &p->end[i]};
        if (half_can_read(&p->h[i])) {
            ev.events |= EPOLLIN;
        }
        if (p->h[1 - i].blocked) {
            ev.events |= EPOLLOUT;
        }
        epoll_ctl(epfd, EPOLL_CTL_MOD, p->fd[i], &ev);
    }
}

/* One pass over every pair: write what is due, free closed pairs. */
static double
pairs_pass(void)
{
    double now = bn_now_ms(), wait = 1e9;
    struct pair **pp = &pairs;

    while (*pp != NULL) {
        struct pair *p = *pp;
        if (!p->dead && (half_write(&p->h[0], p->fd[1], now, &wait) != 0 ||
                         half_write(&p->h[1], p->fd[0], now, &wait) != 0 ||
                         (p->h[0].shut && p->h[1].shut))) {
            pair_close(p);
        }
        if (p->dead) {
            *pp = p->next;
            free(p);
            continue;
        }
        pair_watch(p);
        pp = &p->next;
    }
    return wait;
}

static void
pair_event(struct bn_end *e, uint32_t events)
{
    struct pair *p = e->pair;
    int i = e->side;

    if (p->dead) {
        return;
    }
    if (events & EPOLLOUT) {
        p->h[1 - i].blocked = false;
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
        half_read(&p->h[i], p->fd[i]) != 0) {
        pair_close(p);
    }
}

static void
pair_new(int c, int target)
{
    struct pair *p = calloc(1, sizeof(*p));

    if (p == NULL) {
        close(c);
        return;
    }
    if (bn_join(epfd, c, target, p->fd, p->end, p) != 0) {
        free(p);
        return;
    }
    p->next = pairs;
    pairs = p;
}

int
main(int argc, char **argv)
{
    struct epoll_event evs[64];
    int ls, target;

    if (argc != 4) {
        fprintf(stderr, "usage: delay LISTEN_PORT TARGET_PORT MS\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    target = atoi(argv[2]);
    delay_ms = atof(argv[3]);
    if ((epfd = bn_serve(atoi(argv[1]), &ls)) < 0) {
        return 1;
    }
    for (;;) {
        double wait = pairs_pass();
        int n = epoll_wait(epfd, evs, 64, wait >= 1e8 ? -1 : (int)ceil(wait));
        bn_dispatch(ls, evs, n, target, pair_new, pair_event);
    }
}
