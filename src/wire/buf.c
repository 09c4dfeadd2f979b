/* SPDX-License-Identifier: ISC */
/* The growable buffer. */
#include "wire/buf.h"

#include <stdlib.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

#define BUF_MIN_ALLOC 256u

void
buf_set_nowipe(struct buf *b)
{
    b->nowipe = true;
}

/* Wipe n bytes at p unless b holds no secrets. */
static void
buf_wipe(const struct buf *b, void *p, size_t n)
{
    if (!b->nowipe) {
        mem_wipe(p, n);
    }
}

void
buf_init(struct buf *b)
{
    memset(b, 0, sizeof(*b));
}

void
buf_cleanup(struct buf *b)
{
    bool nowipe = b->nowipe;

    /* A buffer without secrets: past hw nothing of ours was written. */
    mem_free_wiped(b->d, nowipe ? b->hw : b->cap);
    memset(b, 0, sizeof(*b));
    b->nowipe = nowipe; /* an embedded buffer keeps its kind for reuse */
}

struct buf *
buf_new(void)
{
    return calloc(1, sizeof(struct buf));
}

void
buf_free(struct buf *b)
{
    if (b != NULL) {
        buf_cleanup(b);
        free(b);
    }
}

size_t
buf_len(const struct buf *b)
{
    return b->len - b->off;
}

uint8_t *
buf_ptr(const struct buf *b)
{
    return b->d == NULL ? NULL : b->d + b->off;
}

void
buf_reset(struct buf *b)
{
    buf_wipe(b, b->d, b->len);
    b->off = b->len = 0;
}

void
buf_consume(struct buf *b, size_t n)
{
    if (n > b->len - b->off) {
        abort(); /* caller broke the contract */
    }
    b->off += n;
    if (b->off == b->len) {
        b->off = b->len = 0;
    }
}

void
buf_truncate(struct buf *b, size_t n)
{
    if (n > b->len - b->off) {
        abort(); /* caller broke the contract */
    }
    if (b->d != NULL) {
        buf_wipe(b, b->d + b->off + n, b->len - b->off - n);
    }
    b->len = b->off + n;
}

/* Move unread data to the front, wiping the bytes it leaves behind. */
static void
buf_compact(struct buf *b)
{
    size_t n = b->len - b->off;

    if (b->off == 0) {
        return;
    }
    memmove(b->d, b->d + b->off, n);
    buf_wipe(b, b->d + n, b->off);
    b->off = 0;
    b->len = n;
}

/*
 * Grow to hold need bytes from the start; old memory is wiped, not left.
 * A buffer with nothing to wipe is realloc'd: a large one is remapped
 * rather than copied into fresh pages (growing the megabyte buffers of
 * bulk data by copying cost more than a tenth of the CPU per byte).
 */
static int
buf_grow(struct buf *b, size_t need)
{
    size_t cap = b->cap > BUF_MIN_ALLOC ? b->cap : BUF_MIN_ALLOC;
    uint8_t *d;

    while (cap < need) {
        cap = cap > LIM_BUF_MAX / 2 ? LIM_BUF_MAX : cap * 2;
    }
    if (b->nowipe) {
        if ((d = realloc(b->d, cap)) == NULL) {
            return ERR_NOMEM;
        }
        b->d = d;
        b->cap = cap;
        return 0;
    }
    if ((d = malloc(cap)) == NULL) {
        return ERR_NOMEM;
    }
    if (b->d != NULL) {
        memcpy(d, b->d, b->len);
        buf_wipe(b, b->d, b->cap);
        free(b->d);
    }
    b->d = d;
    b->cap = cap;
    return 0;
}

int
buf_reserve(struct buf *b, size_t n, uint8_t **out)
{
    int r;

    *out = NULL;
    if (n > LIM_BUF_MAX || buf_len(b) > LIM_BUF_MAX - n) {
        return ERR_LIMIT;
    }
    if (n > b->cap - b->len) {
        /* Reclaim consumed space before growing. */
        buf_compact(b);
        if (n > b->cap - b->len && (r = buf_grow(b, b->len + n)) != 0) {
            return r;
        }
    }
    /* A zero-byte reserve on an unallocated buffer leaves *out NULL. */
    *out = b->d == NULL ? NULL : b->d + b->len;
    return 0;
}

void
buf_commit(struct buf *b, size_t n)
{
    if (n > b->cap - b->len) {
        abort(); /* committed more than was reserved */
    }
    b->len += n;
    if (b->len > b->hw) {
        b->hw = b->len;
    }
}

int
buf_append_space(struct buf *b, size_t n, uint8_t **out)
{
    int r;

    if ((r = buf_reserve(b, n, out)) != 0) {
        return r;
    }
    buf_commit(b, n);
    return 0;
}

void
buf_swap(struct buf *a, struct buf *b)
{
    struct buf t = *a;

    *a = *b;
    *b = t;
}

int
buf_put(struct buf *b, const void *p, size_t n)
{
    uint8_t *dst;
    int r;

    if ((r = buf_append_space(b, n, &dst)) != 0) {
        return r;
    }
    if (n > 0) {
        memcpy(dst, p, n);
    }
    return 0;
}

int
buf_put_u8(struct buf *b, uint8_t v)
{
    return buf_put(b, &v, 1);
}

int
buf_put_bool(struct buf *b, bool v)
{
    return buf_put_u8(b, v ? 1 : 0);
}

void
put_u32_be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

uint32_t
get_u32_be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

int
buf_put_u32(struct buf *b, uint32_t v)
{
    uint8_t t[4];

    put_u32_be(t, v);
    return buf_put(b, t, sizeof(t));
}

int
buf_put_u64(struct buf *b, uint64_t v)
{
    uint8_t t[8];

    put_u32_be(t, (uint32_t)(v >> 32));
    put_u32_be(t + 4, (uint32_t)v);
    return buf_put(b, t, sizeof(t));
}

int
buf_put_string(struct buf *b, const void *p, size_t n)
{
    uint8_t *dst;
    int r;

    if (n > UINT32_MAX) {
        return ERR_LIMIT;
    }
    if ((r = buf_append_space(b, 4 + n, &dst)) != 0) {
        return r;
    }
    put_u32_be(dst, (uint32_t)n);
    if (n > 0) {
        memcpy(dst + 4, p, n);
    }
    return 0;
}

int
buf_put_cstring(struct buf *b, const char *s)
{
    return buf_put_string(b, s, s == NULL ? 0 : strlen(s));
}

int
buf_put_buf(struct buf *b, const struct buf *src)
{
    return buf_put_string(b, buf_ptr(src), buf_len(src));
}

int
buf_put_mpint(struct buf *b, const uint8_t *mag, size_t n)
{
    uint8_t *dst;
    size_t pad;
    int r;

    while (n > 0 && mag[0] == 0) {
        mag++;
        n--;
    }
    pad = (n > 0 && (mag[0] & 0x80) != 0) ? 1 : 0;
    if (n > LIM_BUF_MAX) {
        return ERR_LIMIT;
    }
    if ((r = buf_append_space(b, 4 + pad + n, &dst)) != 0) {
        return r;
    }
    put_u32_be(dst, (uint32_t)(n + pad));
    if (pad) {
        dst[4] = 0;
    }
    if (n > 0) {
        memcpy(dst + 4 + pad, mag, n);
    }
    return 0;
}
