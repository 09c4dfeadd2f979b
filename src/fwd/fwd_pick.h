/* SPDX-License-Identifier: ISC */
/*
 * The connection a local listener's new client goes through, chosen when
 * it arrives: with several destinations (adit(1), Reconnect) the first
 * one that is up, in priority order; with one, that one's connection.
 */
#ifndef ADIT_FWD_FWD_PICK_H
#define ADIT_FWD_FWD_PICK_H

#include "io/io_conn.h"

struct fwd_pick {
    /* The authenticated connection to use now, or NULL when none is up
     * (the client is then turned away). */
    struct io_conn *(*fn)(void *ctx);
    void *ctx;
};

static inline struct io_conn *
fwd_pick_conn(const struct fwd_pick *p)
{
    return p->fn(p->ctx);
}

#endif
