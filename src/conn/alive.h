/* SPDX-License-Identifier: ISC */
/*
 * ServerAliveInterval / ServerAliveCountMax, without I/O: when nothing has
 * arrived from the server for an interval, probe it (keepalive@openssh.com
 * with want reply); any answer clears the count; a probe due while count
 * max probes are unanswered means the server is gone. The rules and their
 * order are ssh's (clientloop.c server_alive_check): the count is raised
 * before each probe and checked against the maximum, so with the default
 * count of 3 the end comes Interval * (Count + 1) after the last byte.
 */
#ifndef ADIT_CONN_ALIVE_H
#define ADIT_CONN_ALIVE_H

#include <stdbool.h>
#include <stdint.h>

struct alive {
    uint64_t interval_ms; /* 0: off */
    unsigned count_max;
    unsigned missed; /* probes sent since the last answer */
    uint64_t due_ms; /* when the next probe is due */
    bool heard;      /* bytes arrived since the last tick */
};

enum alive_action {
    ALIVE_WAIT,  /* nothing to do */
    ALIVE_PROBE, /* send a keepalive request now */
    ALIVE_DEAD,  /* too many probes unanswered: end the connection */
};

/* Start counting at now_ms. interval_ms 0 turns the whole thing off. */
void alive_init(struct alive *a, uint64_t interval_ms, unsigned count_max,
                uint64_t now_ms);

/* Bytes arrived from the server: the next probe waits a whole interval
 * from the next tick (ssh reschedules on every read). */
void alive_heard(struct alive *a);

/* The server answered a probe (or any global request): clear the count. */
void alive_answered(struct alive *a);

/* Time passed (called about once a second): what to do now. */
enum alive_action alive_tick(struct alive *a, uint64_t now_ms);

#endif
