/* SPDX-License-Identifier: ISC */
/* ServerAlive counting: when to probe the server, when to give up. */
#include "conn/alive.h"

#include <string.h>

void
alive_init(struct alive *a, uint64_t interval_ms, unsigned count_max,
           uint64_t now_ms)
{
    memset(a, 0, sizeof(*a));
    a->interval_ms = interval_ms;
    a->count_max = count_max;
    a->due_ms = now_ms + interval_ms;
}

void
alive_heard(struct alive *a)
{
    a->heard = true;
}

void
alive_answered(struct alive *a)
{
    a->missed = 0;
}

enum alive_action
alive_tick(struct alive *a, uint64_t now_ms)
{
    if (a->interval_ms == 0) {
        return ALIVE_WAIT;
    }
    /* The tick after a read stands for the read's time: at most one tick
     * late, so a probe is never sent early. */
    if (a->heard) {
        a->heard = false;
        a->due_ms = now_ms + a->interval_ms;
        return ALIVE_WAIT;
    }
    if (now_ms < a->due_ms) {
        return ALIVE_WAIT;
    }
    a->due_ms = now_ms + a->interval_ms;
    if (++a->missed > a->count_max) {
        return ALIVE_DEAD;
    }
    return ALIVE_PROBE;
}
