/* SPDX-License-Identifier: ISC */
/*
 * aditd: PerSourcePenalties, as sshd 9.8 keeps them (srclimit.c). A source
 * block (PerSourceNetBlockSize) whose connection ended before login earns
 * penalty time: authfail when it tried to authenticate, grace-exceeded when
 * LoginGraceTime ran out, noauth otherwise. Penalties from one block add
 * up to max; the block is refused new connections once more than min is
 * outstanding, until it expires. IPv4 and IPv6 blocks are counted apart,
 * each up to max-sources; past that, overflow chooses between forgetting
 * the soonest-to-expire penalty (permissive) and refusing everyone who is
 * not exempt (deny-all). The table is a flat array scanned in order: it
 * only grows with misbehaving sources and is bounded by max-sources.
 */
#include "fwd/server_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util/addrmatch.h"
#include "util/err.h"
#include "util/log.h"

struct penalty_entry {
    struct srcaddr block; /* masked */
    uint64_t expiry_ms;
    bool active;
    bool logged; /* the first refusal of this penalty was logged */
    const char *reason;
};

static bool
penalty_exempt(const struct server *srv, const char *addr)
{
    const char *list = srv->cfg->limits.penalty_exempt;

    return list != NULL && addrmatch_list(addr, list) == ADDRMATCH_YES;
}

static size_t *
penalty_count(struct server_penalties *p, int af)
{
    return af == AF_INET ? &p->n4 : &p->n6;
}

static void
penalty_remove(struct server_penalties *p, size_t i)
{
    (*penalty_count(p, p->v[i].block.af))--;
    p->v[i] = p->v[p->n - 1];
    p->n--;
}

static void
penalty_expire(struct server_penalties *p, uint64_t now)
{
    size_t i = 0;

    while (i < p->n) {
        if (p->v[i].expiry_ms < now) {
            penalty_remove(p, i);
        } else {
            i++;
        }
    }
}

static struct penalty_entry *
penalty_find(struct server_penalties *p, const struct srcaddr *block)
{
    size_t i;

    for (i = 0; i < p->n; i++) {
        if (p->v[i].block.af == block->af &&
            memcmp(p->v[i].block.a, block->a, sizeof(block->a)) == 0) {
            return &p->v[i];
        }
    }
    return NULL;
}

static void
penalty_block(const struct server *srv, const struct srcaddr *src,
              struct srcaddr *block, char *text, size_t text_len)
{
    const struct server_limits_config *l = &srv->cfg->limits;
    int bits = src->af == AF_INET ? l->netblock4 : l->netblock6;
    char a[64] = "?";

    srcaddr_mask(src, bits, block);
    (void)inet_ntop(src->af, block->a, a, sizeof(a));
    snprintf(text, text_len, "%s/%d", a, bits);
}

bool
server_penalty_allows(struct server *srv, const char *addr,
                      const struct srcaddr *src, const char **reason,
                      bool *loud)
{
    const struct penalty_config *pc = &srv->cfg->limits.pen;
    struct server_penalties *p = &srv->penalties;
    struct penalty_entry *e;
    struct srcaddr block;
    char text[80];
    int max_sources, overflow;

    if (pc->enabled != 1 || src->af == 0 || penalty_exempt(srv, addr)) {
        return true;
    }
    penalty_expire(p, uv_now(srv->loop));
    max_sources = src->af == AF_INET ? pc->max_sources4 : pc->max_sources6;
    overflow = src->af == AF_INET ? pc->overflow : pc->overflow6;
    if (*penalty_count(p, src->af) >= (size_t)max_sources &&
        overflow == PENALTY_DENY_ALL) {
        *reason = "too many penalised addresses";
        *loud = true;
        return false;
    }
    penalty_block(srv, src, &block, text, sizeof(text));
    if ((e = penalty_find(p, &block)) == NULL || !e->active) {
        return true;
    }
    *reason = e->reason;
    /* Logged once per penalty at INFO; the rest at VERBOSE. */
    *loud = !e->logged;
    e->logged = true;
    return false;
}

/* permissive overflow: forget the penalties that would expire first. */
static void
penalty_trim(struct server_penalties *p, int af, size_t max_sources)
{
    size_t i, soonest;

    while (*penalty_count(p, af) > max_sources) {
        soonest = p->n;
        for (i = 0; i < p->n; i++) {
            if (p->v[i].block.af == af &&
                (soonest == p->n ||
                 p->v[i].expiry_ms < p->v[soonest].expiry_ms)) {
                soonest = i;
            }
        }
        if (soonest == p->n) {
            return;
        }
        penalty_remove(p, soonest);
    }
}

static struct penalty_entry *
penalty_add(struct server_penalties *p, const struct srcaddr *block)
{
    struct penalty_entry *v;
    size_t cap;

    if (p->n == p->cap) {
        cap = p->cap == 0 ? 16 : p->cap * 2;
        if ((v = realloc(p->v, cap * sizeof(*v))) == NULL) {
            return NULL;
        }
        p->v = v;
        p->cap = cap;
    }
    v = &p->v[p->n++];
    memset(v, 0, sizeof(*v));
    v->block = *block;
    (*penalty_count(p, block->af))++;
    return v;
}

/* Add secs of penalty to an entry that exists, up to max. */
static void
penalty_extend(const struct penalty_config *pc, struct penalty_entry *e,
               const char *text, uint64_t now, int secs, const char *reason)
{
    uint64_t max = now + (uint64_t)pc->max * 1000u;

    e->expiry_ms += (uint64_t)secs * 1000u;
    if (e->expiry_ms > max) {
        e->expiry_ms = max;
    }
    if (!e->active && e->expiry_ms - now > (uint64_t)pc->min * 1000u) {
        log_info("%s: activating penalty of %llu seconds for %s", text,
                 (unsigned long long)((e->expiry_ms - now) / 1000u), reason);
        e->active = true;
        e->logged = false;
    }
    e->reason = reason;
}

void
server_penalise(struct server *srv, const char *addr, const struct srcaddr *src,
                enum server_penalty kind)
{
    static const char *const reasons[] = {
        "penalty: failed authentication",
        "penalty: connections without attempting authentication",
        "penalty: exceeded LoginGraceTime",
    };
    const struct penalty_config *pc = &srv->cfg->limits.pen;
    struct server_penalties *p = &srv->penalties;
    int secs = kind == PENALTY_AUTHFAIL ? pc->authfail
               : kind == PENALTY_NOAUTH ? pc->noauth
                                        : pc->grace;
    int max_sources = src->af == AF_INET ? pc->max_sources4 : pc->max_sources6;
    int overflow = src->af == AF_INET ? pc->overflow : pc->overflow6;
    uint64_t now = uv_now(srv->loop);
    struct penalty_entry *e;
    struct srcaddr block;
    char text[80];

    if (pc->enabled != 1 || secs <= 0 || src->af == 0 ||
        penalty_exempt(srv, addr)) {
        return;
    }
    penalty_block(srv, src, &block, text, sizeof(text));
    penalty_expire(p, now);
    if ((e = penalty_find(p, &block)) != NULL) {
        penalty_extend(pc, e, text, now, secs, reasons[kind]);
        return;
    }
    if (*penalty_count(p, src->af) >= (size_t)max_sources &&
        overflow == PENALTY_DENY_ALL) {
        log_verbose("penalty table full, cannot penalise %s for %s", text,
                    reasons[kind]);
        return;
    }
    if ((e = penalty_add(p, &block)) == NULL) {
        return;
    }
    e->expiry_ms = now;
    penalty_extend(pc, e, text, now, secs, reasons[kind]);
    if (!e->active) {
        log_verbose("%s: new deferred penalty of %d seconds for %s", text, secs,
                    reasons[kind]);
    }
    penalty_trim(p, src->af, (size_t)max_sources);
}

void
server_penalties_cleanup(struct server_penalties *p)
{
    free(p->v);
    memset(p, 0, sizeof(*p));
}
