/* SPDX-License-Identifier: ISC */
/* ServerAlive counting: when to probe the peer, when to give up. */
#include "conn/alive.h"

#include <limits.h>
#include <string.h>

void
alive_init(struct alive *a, uint64_t interval_ms, unsigned count_max,
           uint64_t now_ms)
{
    memset(a, 0, sizeof(*a));
    a->interval_ms = interval_ms;
    a->count_max = count_max;
    a->heard_ms = now_ms;
}

void
alive_heard(struct alive *a, uint64_t now_ms)
{
    /* Bytes fed without a fresh clock carry an older time: never let the
     * silence start earlier than it already did. */
    if (now_ms > a->heard_ms) {
        a->heard_ms = now_ms;
    }
    a->probes = 0;
}

/* Probes sent before the end, one an interval (see alive.h). */
static unsigned
alive_probes_max(const struct alive *a)
{
    if (a->count_max <= 1) {
        return a->count_max;
    }
    return a->count_max - 1u;
}

/* Silence after which the peer is gone; ALIVE_NEVER for never. */
static uint64_t
alive_limit_ms(const struct alive *a)
{
    uint64_t n = a->count_max == 0 ? 1u : alive_probes_max(a) + 1u;

    if (a->count_max == UINT_MAX || a->interval_ms > ALIVE_NEVER / n) {
        return ALIVE_NEVER;
    }
    return a->interval_ms * n;
}

static uint64_t
alive_add(uint64_t t, uint64_t d)
{
    return d > ALIVE_NEVER - t ? ALIVE_NEVER : t + d;
}

uint64_t
alive_due(const struct alive *a)
{
    uint64_t end;

    if (a->interval_ms == 0) {
        return ALIVE_NEVER;
    }
    end = alive_add(a->heard_ms, alive_limit_ms(a));
    if (a->probes < alive_probes_max(a)) {
        uint64_t next = (uint64_t)a->probes + 1u;
        uint64_t probe = a->interval_ms > ALIVE_NEVER / next
                             ? ALIVE_NEVER
                             : alive_add(a->heard_ms, a->interval_ms * next);

        return probe < end ? probe : end;
    }
    return end;
}

enum alive_action
alive_tick(struct alive *a, uint64_t now_ms)
{
    uint64_t silent;

    if (a->interval_ms == 0 || now_ms < a->heard_ms) {
        return ALIVE_WAIT;
    }
    silent = now_ms - a->heard_ms;
    if (alive_limit_ms(a) != ALIVE_NEVER && silent >= alive_limit_ms(a)) {
        return ALIVE_DEAD;
    }
    if (a->probes < alive_probes_max(a) &&
        silent / a->interval_ms > a->probes) {
        a->probes = (unsigned)(silent / a->interval_ms);
        if (a->probes > alive_probes_max(a)) {
            a->probes = alive_probes_max(a);
        }
        return ALIVE_PROBE;
    }
    return ALIVE_WAIT;
}
