/* SPDX-License-Identifier: ISC */
/*
 * ServerAliveInterval / ServerAliveCountMax (and aditd's ClientAlive*),
 * without I/O. Silence is measured from the last byte heard: a probe
 * (keepalive@openssh.com with want reply) goes out after each interval of
 * silence, and the peer is gone once Interval x CountMax have passed with
 * nothing heard, to the millisecond, as ssh_config(5) describes it ("after
 * approximately 45 seconds" for 15 x 3). (ssh's own clientloop.c counts one
 * probe more and ends Interval x (CountMax + 1) after the last byte.)
 *
 * So with a count of 3 probes go out 1 and 2 intervals after the last
 * byte and the end comes at 3. Two cases need their own rule: a count of
 * 1 still sends its one probe and gives it an interval to be answered (the
 * end at 2 intervals, as ssh), and a count of 0 sends none and ends after
 * one interval of silence (as ssh). UINT_MAX never ends (sshd's
 * ClientAliveCountMax 0).
 */
#ifndef ADIT_CONN_ALIVE_H
#define ADIT_CONN_ALIVE_H

#include <stdbool.h>
#include <stdint.h>

#define ALIVE_NEVER UINT64_MAX

struct alive {
    uint64_t interval_ms; /* 0: off */
    unsigned count_max;
    uint64_t heard_ms; /* when the last byte arrived */
    unsigned probes;   /* probes sent since then */
};

enum alive_action {
    ALIVE_WAIT,  /* nothing to do */
    ALIVE_PROBE, /* send a keepalive request now */
    ALIVE_DEAD,  /* silent for too long: end the connection */
};

/* Start counting at now_ms. interval_ms 0 turns the whole thing off. */
void alive_init(struct alive *a, uint64_t interval_ms, unsigned count_max,
                uint64_t now_ms);

/* Bytes arrived at now_ms (an answer to a probe or anything else): the
 * silence starts again from there. */
void alive_heard(struct alive *a, uint64_t now_ms);

/* What to do at now_ms. Several probes that fell due meanwhile (a loop
 * that was busy) go out as one. */
enum alive_action alive_tick(struct alive *a, uint64_t now_ms);

/* When alive_tick has something to do next (a probe or the end), for a
 * timer; ALIVE_NEVER when it never will. Bytes heard later only move it
 * later, so a timer armed for it may fire early, never late. */
uint64_t alive_due(const struct alive *a);

#endif
