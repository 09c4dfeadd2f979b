/* SPDX-License-Identifier: ISC */
/* A pkt_sink for tests that keeps every committed payload in a list. */
#ifndef ADIT_TEST_CAPSINK_H
#define ADIT_TEST_CAPSINK_H

#include <stdlib.h>
#include <string.h>

#include "transport/sink.h"
#include "util/err.h"

#define CAP_ROOM (256u * 1024u)
#define CAP_MAX_MSGS 4096u

struct cap_msg {
    uint8_t *p;
    size_t len;
};

struct capsink {
    uint8_t *room; /* the reserved payload area */
    size_t reserved;
    struct cap_msg msgs[CAP_MAX_MSGS];
    size_t n;
    size_t next; /* first message not yet taken by cap_take */
};

static int
cap_reserve(void *ctx, size_t max, uint8_t **payload)
{
    struct capsink *c = ctx;

    if (max > CAP_ROOM) {
        return ERR_LIMIT;
    }
    c->reserved = max;
    *payload = c->room;
    return 0;
}

static int
cap_commit(void *ctx, size_t len)
{
    struct capsink *c = ctx;
    uint8_t *p;

    if (len > c->reserved || c->n >= CAP_MAX_MSGS) {
        return ERR_LIMIT;
    }
    if ((p = malloc(len + 1)) == NULL) {
        return ERR_NOMEM;
    }
    memcpy(p, c->room, len);
    c->msgs[c->n].p = p;
    c->msgs[c->n].len = len;
    c->n++;
    c->reserved = 0;
    return 0;
}

static void
cap_init(struct capsink *c, struct pkt_sink *s)
{
    memset(c, 0, sizeof(*c));
    c->room = malloc(CAP_ROOM);
    s->ctx = c;
    s->reserve = cap_reserve;
    s->commit = cap_commit;
}

static void
cap_clear(struct capsink *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        free(c->msgs[i].p);
    }
    c->n = 0;
    c->next = 0;
}

static void
cap_cleanup(struct capsink *c)
{
    cap_clear(c);
    free(c->room);
    c->room = NULL;
}

/* The next message not yet taken, or NULL. */
static const struct cap_msg *
cap_take(struct capsink *c)
{
    if (c->next >= c->n) {
        return NULL;
    }
    return &c->msgs[c->next++];
}

#endif
