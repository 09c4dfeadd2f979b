/* SPDX-License-Identifier: ISC */
/*
 * muxrelay: the unencrypted floor of a tunnel for short connections.
 *
 *   muxrelay client LISTEN_PORT MUX_PORT
 *   muxrelay server MUX_PORT TARGET_PORT
 *
 * A tunnel carries every forwarded connection over one TCP connection it
 * opened once; a chain of two plain relays (bench/relay) opens a second
 * TCP connection per client connection instead, and its handshake and
 * teardown are most of what a short connection costs there. This pair
 * has the tunnel's shape without its cipher or protocol: the client side
 * accepts on LISTEN_PORT and carries each connection as a numbered stream
 * over one connection to the server side, which connects each stream to
 * TARGET_PORT. Frames are ID (4 bytes), TYPE (1: open, data or EOF) and
 * LEN (4) then LEN bytes; every frame of one epoll batch goes out in one
 * write. No flow control (the bench's messages are small): output waits
 * in a growing buffer until the socket takes it.
 */
#define _GNU_SOURCE /* accept4 (benchnet.h) */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "benchnet.h"

#define MUX_HDR 9
#define MUX_READ (16 * 1024) /* one stream read, one frame */
#define MUX_IN_MAX (MUX_HDR + MUX_READ)
#define MUX_STREAMS_MAX (1u << 20)
#define MUX_CONNECT_TRIES 1000

enum { F_OPEN = 1, F_DATA = 2, F_EOF = 3 };

/* Bytes waiting for a socket to take them. */
struct outq {
    char *p;
    size_t len, off, cap;
};

struct stream {
    int fd; /* -1 once closed after an error: its frames are dropped */
    uint32_t id;
    uint32_t watched;
    bool eof_sent, eof_got;
    bool dead; /* freed after the epoll batch (its events may follow) */
    struct outq out;
    struct stream *next_dead;
};

static int epfd;
static bool is_server;
static int target;
static int mux_fd = -1;
static uint32_t mux_watched;
static struct outq mux_out;
static char mux_in[4 * MUX_IN_MAX];
static size_t mux_in_len;
static struct stream **streams; /* by id */
static uint32_t n_streams;      /* ids below this have a slot */
static uint32_t *free_ids;      /* the client's ids to reuse */
static uint32_t n_free;
static uint32_t next_id; /* the client's next never used id */
static struct stream *dead;

static void
die(const char *what)
{
    perror(what);
    exit(1);
}

static void
outq_add(struct outq *q, const void *p, size_t n)
{
    if (q->off > 0 && q->off == q->len) {
        q->off = q->len = 0;
    }
    if (q->len + n > q->cap) {
        size_t cap = q->cap ? q->cap : 4096;
        while (cap < q->len + n) {
            cap *= 2;
        }
        if ((q->p = realloc(q->p, cap)) == NULL) {
            die("muxrelay: realloc");
        }
        q->cap = cap;
    }
    memcpy(q->p + q->len, p, n);
    q->len += n;
}

/* Write what q holds to fd; -1 on an error other than a full socket. */
static int
outq_flush(struct outq *q, int fd)
{
    while (q->off < q->len) {
        ssize_t n = write(fd, q->p + q->off, q->len - q->off);
        if (n < 0) {
            return errno == EAGAIN ? 0 : -1;
        }
        q->off += (size_t)n;
    }
    q->off = q->len = 0;
    return 0;
}

/* Register fd for events (cookie ptr), with a system call only when that
 * changes what it was registered for. */
static void
watch(int fd, void *ptr, uint32_t *watched, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = ptr};

    if (events != *watched) {
        epoll_ctl(epfd, *watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
        *watched = events;
    }
}

static void
frame(uint32_t id, uint8_t type, const void *p, size_t n)
{
    uint8_t h[MUX_HDR] = {(uint8_t)(id >> 24),
                          (uint8_t)(id >> 16),
                          (uint8_t)(id >> 8),
                          (uint8_t)id,
                          type,
                          (uint8_t)(n >> 24),
                          (uint8_t)(n >> 16),
                          (uint8_t)(n >> 8),
                          (uint8_t)n};

    outq_add(&mux_out, h, sizeof(h));
    outq_add(&mux_out, p, n);
}

static void
stream_watch(struct stream *s)
{
    uint32_t ev = s->eof_sent ? 0 : EPOLLIN;

    if (s->out.off < s->out.len) {
        ev |= EPOLLOUT;
    }
    watch(s->fd, s, &s->watched, ev);
}

/* Both EOFs passed and everything written: the id may be used again
 * (the client reuses it only after the server saw its EOF, which came
 * before any frame of the next stream with that id). */
static void
stream_maybe_free(struct stream *s)
{
    if (!s->eof_sent || !s->eof_got || s->out.off < s->out.len) {
        return;
    }
    if (s->fd >= 0) {
        close(s->fd); /* leaves the epoll set with it */
    }
    streams[s->id] = NULL;
    if (!is_server) {
        free_ids[n_free++] = s->id;
    }
    s->dead = true;
    s->next_dead = dead;
    dead = s;
}

static void
streams_reap(void)
{
    while (dead != NULL) {
        struct stream *s = dead;
        dead = s->next_dead;
        free(s->out.p);
        free(s);
    }
}

/* A stream socket failed: drop it, tell the peer EOF if not yet told. */
static void
stream_fail(struct stream *s)
{
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    s->out.off = s->out.len = 0;
    if (!s->eof_sent) {
        s->eof_sent = true;
        frame(s->id, F_EOF, NULL, 0);
    }
    stream_maybe_free(s);
}

static struct stream *
stream_new(uint32_t id, int fd)
{
    struct stream *s = calloc(1, sizeof(*s));

    if (s == NULL) {
        die("muxrelay: calloc");
    }
    if (id >= n_streams) {
        uint32_t n = n_streams ? n_streams : 1024;
        while (n <= id) {
            n *= 2;
        }
        if (n > MUX_STREAMS_MAX ||
            (streams = realloc(streams, n * sizeof(*streams))) == NULL ||
            (free_ids = realloc(free_ids, n * sizeof(*free_ids))) == NULL) {
            die("muxrelay: too many streams");
        }
        memset(streams + n_streams, 0, (n - n_streams) * sizeof(*streams));
        n_streams = n;
    }
    s->id = id;
    s->fd = fd;
    streams[id] = s;
    if (fd >= 0) {
        stream_watch(s);
    }
    return s;
}

/* Readable stream socket: its bytes (or EOF) go to the peer as a frame. */
static void
stream_read(struct stream *s)
{
    char buf[MUX_READ];
    ssize_t n = read(s->fd, buf, sizeof(buf));

    if (n < 0) {
        if (errno != EAGAIN) {
            stream_fail(s);
        }
        return;
    }
    if (n == 0) {
        s->eof_sent = true;
        frame(s->id, F_EOF, NULL, 0);
        stream_watch(s);
        stream_maybe_free(s);
        return;
    }
    frame(s->id, F_DATA, buf, (size_t)n);
}

static void
stream_event(struct stream *s, uint32_t events)
{
    if (s->dead || s->fd < 0) {
        return;
    }
    if (events & EPOLLOUT) {
        if (outq_flush(&s->out, s->fd) != 0) {
            stream_fail(s);
            return;
        }
        if (s->eof_got && s->out.off == s->out.len) {
            shutdown(s->fd, SHUT_WR); /* the peer's EOF, after its bytes */
        }
    }
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && !s->eof_sent) {
        stream_read(s);
        if (s->dead || s->fd < 0) {
            return; /* done with, or failed */
        }
    }
    stream_watch(s);
    stream_maybe_free(s);
}

/* Bytes for a stream from the peer: to its socket, now or when it takes
 * them; EOF half-closes it once they are out. */
static void
stream_deliver(struct stream *s, uint8_t type, const char *p, size_t n)
{
    if (type == F_EOF) {
        s->eof_got = true;
    } else if (s->fd >= 0) {
        outq_add(&s->out, p, n);
    }
    if (s->fd >= 0) {
        if (outq_flush(&s->out, s->fd) != 0) {
            stream_fail(s);
            return;
        }
        if (s->eof_got && s->out.off == s->out.len) {
            shutdown(s->fd, SHUT_WR);
        }
        stream_watch(s);
    }
    stream_maybe_free(s);
}

/* The server side's new stream: a connection to the target. */
static struct stream *
stream_open(uint32_t id)
{
    struct sockaddr_in sa;
    int t = socket(AF_INET, SOCK_STREAM, 0);

    bn_addr(target, &sa);
    if (t < 0 || connect(t, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("muxrelay: connect");
        if (t >= 0) {
            close(t);
        }
        t = -1;
    } else {
        bn_nonblock(t);
        bn_nodelay(t);
    }
    return stream_new(id, t);
}

static void
mux_frame(uint32_t id, uint8_t type, const char *p, size_t n)
{
    struct stream *s = id < n_streams ? streams[id] : NULL;

    if (s == NULL && is_server && type == F_OPEN) {
        s = stream_open(id);
        if (s->fd < 0) {
            stream_fail(s); /* EOF back: the client closes its side */
        }
        return;
    }
    if (s != NULL && type != F_OPEN) {
        stream_deliver(s, type, p, n);
    }
}

/* Parse the whole frames read from the mux connection. */
static void
mux_read(void)
{
    size_t off = 0;
    ssize_t n = read(mux_fd, mux_in + mux_in_len, sizeof(mux_in) - mux_in_len);

    if (n == 0 || (n < 0 && errno != EAGAIN)) {
        fprintf(stderr, "muxrelay: the mux connection ended\n");
        exit(n == 0 ? 0 : 1);
    }
    if (n < 0) {
        return;
    }
    mux_in_len += (size_t)n;
    while (mux_in_len - off >= MUX_HDR) {
        const uint8_t *h = (const uint8_t *)mux_in + off;
        uint32_t id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
                      (uint32_t)h[2] << 8 | h[3];
        size_t len =
            (size_t)h[5] << 24 | (size_t)h[6] << 16 | (size_t)h[7] << 8 | h[8];
        if (len > MUX_READ) {
            fprintf(stderr, "muxrelay: bad frame\n");
            exit(1);
        }
        if (mux_in_len - off < MUX_HDR + len) {
            break;
        }
        mux_frame(id, h[4], mux_in + off + MUX_HDR, len);
        off += MUX_HDR + len;
    }
    memmove(mux_in, mux_in + off, mux_in_len - off);
    mux_in_len -= off;
}

/* After each epoll batch: every frame it made goes out in one write. */
static void
mux_flush(void)
{
    if (outq_flush(&mux_out, mux_fd) != 0) {
        die("muxrelay: write");
    }
    watch(mux_fd, &mux_fd, &mux_watched,
          EPOLLIN | (mux_out.len > mux_out.off ? EPOLLOUT : 0));
}

/* The client side's new connection: a stream, announced to the server,
 * and its first bytes read now (they are usually here already). */
static void
client_accept(int c)
{
    uint32_t id = n_free > 0 ? free_ids[--n_free] : next_id++;
    struct stream *s;

    bn_nodelay(c);
    s = stream_new(id, c);
    frame(id, F_OPEN, NULL, 0);
    stream_event(s, EPOLLIN);
}

static void
loop(int ls)
{
    struct epoll_event evs[256];

    for (;;) {
        int n = epoll_wait(epfd, evs, 256, -1);
        for (int k = 0; k < n; k++) {
            void *ptr = evs[k].data.ptr;
            int c;
            if (ptr == NULL) {
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    client_accept(c);
                }
            } else if (ptr == &mux_fd) {
                if (evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                    mux_read();
                }
            } else {
                stream_event(ptr, evs[k].events);
            }
        }
        mux_flush();
        streams_reap();
    }
}

/* The client side's connection to the server side, which may still be
 * starting: tried for up to MUX_CONNECT_TRIES x 10 ms. */
static int
mux_connect(int port)
{
    struct sockaddr_in sa;

    bn_addr(port, &sa);
    for (int i = 0; i < MUX_CONNECT_TRIES; i++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0) {
            break;
        }
        if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            return s;
        }
        close(s);
        usleep(10000);
    }
    return -1;
}

/* The server side's one mux connection: the first one to its port (the
 * client side listens for probes; this side is never probed). */
static int
mux_accept(int port)
{
    struct pollfd pfd = {.events = POLLIN};
    int c = -1;

    if ((pfd.fd = bn_listen(port)) < 0) {
        return -1;
    }
    while (c < 0 && poll(&pfd, 1, -1) >= 0) {
        c = accept(pfd.fd, NULL, NULL);
    }
    close(pfd.fd);
    return c;
}

int
main(int argc, char **argv)
{
    int ls = -1;

    if (argc != 4 ||
        (strcmp(argv[1], "client") != 0 && strcmp(argv[1], "server") != 0)) {
        fprintf(stderr, "usage: muxrelay client LISTEN_PORT MUX_PORT | "
                        "muxrelay server MUX_PORT TARGET_PORT\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    bn_raise_nofile();
    is_server = strcmp(argv[1], "server") == 0;
    if (is_server) {
        target = atoi(argv[3]);
        mux_fd = mux_accept(atoi(argv[2]));
        if (mux_fd < 0 || (epfd = epoll_create1(0)) < 0) {
            die("muxrelay: accept");
        }
    } else {
        if ((mux_fd = mux_connect(atoi(argv[3]))) < 0) {
            die("muxrelay: connect");
        }
        if ((epfd = bn_serve(atoi(argv[2]), &ls)) < 0) {
            return 1;
        }
    }
    bn_nonblock(mux_fd);
    bn_nodelay(mux_fd);
    mux_flush();
    loop(ls);
}
