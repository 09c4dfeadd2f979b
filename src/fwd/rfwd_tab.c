/* SPDX-License-Identifier: ISC */
/* aditd's reverse forwards by listen address: one hash table. */
#include "fwd/rfwd_tab.h"

#include <stdlib.h>
#include <string.h>

#include "fwd/server_rfwd.h"
#include "util/err.h"

/* The first table: a few hundred bytes, and most servers hold fewer. */
#define RFWD_TAB_MIN 64u

/*
 * FNV-1a over the key from a per-process seed, with the port and kind
 * folded in, then murmur3's 64-bit finaliser, so that the high bits the
 * multiplications left their entropy in reach the slot index (the low
 * bits of a plain FNV depend on the low bits of the input only).
 */
static uint64_t
tab_hash(uint64_t seed, const char *key, uint32_t port, bool is_unix)
{
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = seed ^ ((uint64_t)port << 1) ^ (is_unix ? 1u : 0u);

    for (; *p != '\0'; p++) {
        h = (h ^ *p) * 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

void
rfwd_tab_init(struct rfwd_tab *t, uint64_t seed)
{
    memset(t, 0, sizeof(*t));
    t->seed = seed;
}

void
rfwd_tab_cleanup(struct rfwd_tab *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = 0;
    t->n = 0;
}

/* Rehash into cap slots; false (the table unchanged) without memory. */
static bool
tab_resize(struct rfwd_tab *t, size_t cap)
{
    struct rfwd **slots = calloc(cap, sizeof(*slots));
    struct rfwd *r, *next;
    size_t i, k;

    if (slots == NULL) {
        return false;
    }
    for (i = 0; i < t->cap; i++) {
        for (r = t->slots[i]; r != NULL; r = next) {
            next = r->hnext;
            k = (size_t)(r->hash & (cap - 1));
            r->hnext = slots[k];
            slots[k] = r;
        }
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

int
rfwd_tab_add(struct rfwd_tab *t, struct rfwd *r)
{
    size_t k;

    if (t->cap == 0 && !tab_resize(t, RFWD_TAB_MIN)) {
        return ERR_NOMEM;
    }
    if (t->n >= t->cap && t->cap <= SIZE_MAX / 2 / sizeof(*t->slots)) {
        (void)tab_resize(t, t->cap * 2); /* else longer chains */
    }
    r->hash = tab_hash(t->seed, r->key, r->port, r->is_unix);
    k = (size_t)(r->hash & (t->cap - 1));
    r->hnext = t->slots[k];
    t->slots[k] = r;
    t->n++;
    return 0;
}

struct rfwd *
rfwd_tab_find(const struct rfwd_tab *t, const char *key, uint32_t port,
              bool is_unix)
{
    uint64_t h;
    struct rfwd *r;

    if (t->cap == 0) {
        return NULL;
    }
    h = tab_hash(t->seed, key, port, is_unix);
    for (r = t->slots[h & (t->cap - 1)]; r != NULL; r = r->hnext) {
        if (r->hash == h && r->port == port && r->is_unix == is_unix &&
            strcmp(r->key, key) == 0) {
            return r;
        }
    }
    return NULL;
}

void
rfwd_tab_del(struct rfwd_tab *t, struct rfwd *r)
{
    struct rfwd **pp;

    if (t->cap == 0) {
        return;
    }
    for (pp = &t->slots[r->hash & (t->cap - 1)]; *pp != NULL;
         pp = &(*pp)->hnext) {
        if (*pp == r) {
            *pp = r->hnext;
            r->hnext = NULL;
            t->n--;
            return;
        }
    }
}

/* The first entry in slot i or after it. */
static struct rfwd *
tab_from(const struct rfwd_tab *t, size_t i)
{
    for (; i < t->cap; i++) {
        if (t->slots[i] != NULL) {
            return t->slots[i];
        }
    }
    return NULL;
}

struct rfwd *
rfwd_tab_first(const struct rfwd_tab *t)
{
    return tab_from(t, 0);
}

struct rfwd *
rfwd_tab_next(const struct rfwd_tab *t, const struct rfwd *r)
{
    if (r->hnext != NULL) {
        return r->hnext;
    }
    return tab_from(t, (size_t)(r->hash & (t->cap - 1)) + 1);
}
