/* SPDX-License-Identifier: ISC */
/*
 * blast: a bulk TCP source and sink for throughput measurements, fast
 * enough that the tunnel under test, not the endpoints, is the limit.
 *
 *   blast sink PORT          accept on 127.0.0.1:PORT; per connection read
 *                            to EOF, then reply "<bytes>\n" and close
 *   blast send PORT MIB      send MIB MiB to 127.0.0.1:PORT, half-close,
 *                            wait for the sink's count, print MB/s
 *   blast source PORT MIB    accept on 127.0.0.1:PORT; per connection send
 *                            MIB MiB, then close
 *   blast recv PORT MIB      read from 127.0.0.1:PORT to EOF, check that
 *                            MIB MiB arrived, print MB/s
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BLAST_CHUNK (256 * 1024)

static int
blast_addr(const char *port, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)atoi(port));
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return 0;
}

/* A listening socket on 127.0.0.1:port, or -1. */
static int
blast_listen(const char *port)
{
    struct sockaddr_in sa;
    int s, one = 1;

    blast_addr(port, &sa);
    if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(s, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(s, 64)) {
        perror("blast: listen");
        return -1;
    }
    return s;
}

/* A socket connected to 127.0.0.1:port, or -1. */
static int
blast_connect(const char *port)
{
    struct sockaddr_in sa;
    int s, one = 1;

    blast_addr(port, &sa);
    if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
        connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        perror("blast: connect");
        return -1;
    }
    return s;
}

/* Write want bytes of filler to s. 0 or -1. */
static int
blast_write_all(int s, unsigned long long want)
{
    static char buf[BLAST_CHUNK];
    unsigned long long sent = 0;
    ssize_t n;

    memset(buf, 'x', sizeof(buf));
    while (sent < want) {
        size_t len = want - sent < sizeof(buf) ? want - sent : sizeof(buf);
        if ((n = write(s, buf, len)) <= 0) {
            perror("blast: write");
            return -1;
        }
        sent += (unsigned long long)n;
    }
    return 0;
}

static int
blast_sink(const char *port)
{
    static char buf[BLAST_CHUNK];
    unsigned long long total;
    ssize_t n;
    int s, c;

    if ((s = blast_listen(port)) < 0) {
        return 1;
    }
    for (;;) {
        if ((c = accept(s, NULL, NULL)) < 0) {
            continue;
        }
        total = 0;
        while ((n = read(c, buf, sizeof(buf))) > 0) {
            total += (unsigned long long)n;
        }
        n = snprintf(buf, sizeof(buf), "%llu\n", total);
        if (write(c, buf, (size_t)n) != n) {
            perror("blast: reply");
        }
        close(c);
    }
}

static double
blast_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
blast_send(const char *port, const char *mib)
{
    unsigned long long want = strtoull(mib, NULL, 10) << 20;
    char reply[64];
    double t0, dt;
    ssize_t n;
    int s;

    if ((s = blast_connect(port)) < 0) {
        return 1;
    }
    t0 = blast_now();
    if (blast_write_all(s, want) != 0) {
        return 1;
    }
    shutdown(s, SHUT_WR);
    n = read(s, reply, sizeof(reply) - 1);
    dt = blast_now() - t0;
    reply[n > 0 ? n : 0] = '\0';
    if (strtoull(reply, NULL, 10) != want) {
        fprintf(stderr, "blast: sink counted %s, sent %llu\n", reply, want);
        return 1;
    }
    printf("%llu bytes in %.3f s = %.0f MB/s\n", want, dt, want / dt / 1e6);
    return 0;
}

static int
blast_source(const char *port, const char *mib)
{
    unsigned long long want = strtoull(mib, NULL, 10) << 20;
    int s, c;

    if ((s = blast_listen(port)) < 0) {
        return 1;
    }
    for (;;) {
        if ((c = accept(s, NULL, NULL)) < 0) {
            continue;
        }
        blast_write_all(c, want);
        close(c);
    }
}

static int
blast_recv(const char *port, const char *mib)
{
    static char buf[BLAST_CHUNK];
    unsigned long long want = strtoull(mib, NULL, 10) << 20, got = 0;
    double t0, dt;
    ssize_t n;
    int s;

    if ((s = blast_connect(port)) < 0) {
        return 1;
    }
    t0 = blast_now();
    while ((n = read(s, buf, sizeof(buf))) > 0) {
        got += (unsigned long long)n;
    }
    dt = blast_now() - t0;
    if (got != want) {
        fprintf(stderr, "blast: received %llu of %llu bytes\n", got, want);
        return 1;
    }
    printf("%llu bytes in %.3f s = %.0f MB/s\n", want, dt, want / dt / 1e6);
    return 0;
}

int
main(int argc, char **argv)
{
    /* A reader that goes away (a readiness probe) must not kill a source. */
    signal(SIGPIPE, SIG_IGN);
    if (argc == 3 && strcmp(argv[1], "sink") == 0) {
        return blast_sink(argv[2]);
    }
    if (argc == 4 && strcmp(argv[1], "send") == 0) {
        return blast_send(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "source") == 0) {
        return blast_source(argv[2], argv[3]);
    }
    if (argc == 4 && strcmp(argv[1], "recv") == 0) {
        return blast_recv(argv[2], argv[3]);
    }
    fprintf(stderr, "usage: blast sink PORT | blast send PORT MIB |"
                    " blast source PORT MIB | blast recv PORT MIB\n");
    return 2;
}
