/* SPDX-License-Identifier: ISC */
/* The bounds-checked reader. */
#include "wire/rd.h"

#include <string.h>

#include "util/err.h"
#include "util/mem.h"

void
rd_init(struct rd *rd, const void *p, size_t len)
{
    rd->p = p;
    rd->len = len;
    rd->off = 0;
}

size_t
rd_left(const struct rd *rd)
{
    return rd->len - rd->off;
}

int
rd_bytes(struct rd *rd, size_t n, const uint8_t **p)
{
    *p = NULL;
    if (n > rd->len - rd->off) {
        return ERR_TRUNC;
    }
    /* An empty reader may have no memory: NULL + 0 is undefined in C. */
    *p = rd->p == NULL ? NULL : rd->p + rd->off;
    rd->off += n;
    return 0;
}

int
rd_u8(struct rd *rd, uint8_t *v)
{
    const uint8_t *p;
    int r;

    *v = 0;
    if ((r = rd_bytes(rd, 1, &p)) != 0) {
        return r;
    }
    *v = p[0];
    return 0;
}

int
rd_bool(struct rd *rd, bool *v)
{
    uint8_t b;
    int r;

    *v = false;
    if ((r = rd_u8(rd, &b)) != 0) {
        return r;
    }
    *v = b != 0;
    return 0;
}

int
rd_u32(struct rd *rd, uint32_t *v)
{
    const uint8_t *p;
    int r;

    *v = 0;
    if ((r = rd_bytes(rd, 4, &p)) != 0) {
        return r;
    }
    *v = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
         (uint32_t)p[3];
    return 0;
}

int
rd_u64(struct rd *rd, uint64_t *v)
{
    uint32_t hi, lo;
    size_t save = rd->off;
    int r;

    *v = 0;
    if ((r = rd_u32(rd, &hi)) != 0 || (r = rd_u32(rd, &lo)) != 0) {
        rd->off = save;
        return r;
    }
    *v = (uint64_t)hi << 32 | lo;
    return 0;
}

int
rd_string(struct rd *rd, const uint8_t **p, size_t *len, size_t max)
{
    size_t save = rd->off;
    uint32_t n;
    int r;

    *p = NULL;
    *len = 0;
    if ((r = rd_u32(rd, &n)) != 0) {
        return r;
    }
    if (n > rd->len - rd->off) {
        rd->off = save;
        return ERR_TRUNC;
    }
    if (n > max) {
        rd->off = save;
        return ERR_LIMIT;
    }
    *p = rd->p + rd->off;
    *len = n;
    rd->off += n;
    return 0;
}

int
rd_cstring(struct rd *rd, char **out, size_t max)
{
    size_t save = rd->off;
    const uint8_t *p;
    size_t n;
    int r;

    *out = NULL;
    if ((r = rd_string(rd, &p, &n, max)) != 0) {
        return r;
    }
    if (n > 0 && memchr(p, '\0', n) != NULL) {
        rd->off = save;
        return ERR_FORMAT;
    }
    if ((*out = str_ndup((const char *)p, n)) == NULL) {
        rd->off = save;
        return ERR_NOMEM;
    }
    return 0;
}

/* Names are printable ASCII without spaces or commas, and never empty. */
static bool
namelist_valid(const uint8_t *p, size_t n)
{
    size_t i;
    bool at_start = true;

    for (i = 0; i < n; i++) {
        if (p[i] == ',') {
            if (at_start) {
                return false;
            }
            at_start = true;
            continue;
        }
        if (p[i] <= 0x20 || p[i] >= 0x7f) {
            return false;
        }
        at_start = false;
    }
    return n == 0 || !at_start;
}

int
rd_namelist(struct rd *rd, char **out, size_t max)
{
    size_t save = rd->off;
    const uint8_t *p;
    size_t n;
    int r;

    *out = NULL;
    if ((r = rd_string(rd, &p, &n, max)) != 0) {
        return r;
    }
    if (!namelist_valid(p, n)) {
        rd->off = save;
        return ERR_FORMAT;
    }
    if ((*out = str_ndup((const char *)p, n)) == NULL) {
        rd->off = save;
        return ERR_NOMEM;
    }
    return 0;
}

int
rd_mpint(struct rd *rd, const uint8_t **p, size_t *len, size_t max)
{
    size_t save = rd->off;
    const uint8_t *v;
    size_t n;
    int r;

    *p = NULL;
    *len = 0;
    /* One extra byte for the sign-padding zero (without wrapping). */
    if ((r = rd_string(rd, &v, &n, max < SIZE_MAX ? max + 1 : max)) != 0) {
        return r;
    }
    if (n > 0 && (v[0] & 0x80) != 0) {
        rd->off = save;
        return ERR_FORMAT; /* negative */
    }
    if (n > 1 && v[0] == 0 && (v[1] & 0x80) == 0) {
        rd->off = save;
        return ERR_FORMAT; /* needless leading zero */
    }
    if (n == 1 && v[0] == 0) {
        rd->off = save;
        return ERR_FORMAT; /* zero is the empty string */
    }
    if (n > 0 && v[0] == 0) {
        v++;
        n--;
    }
    if (n > max) {
        rd->off = save;
        return ERR_LIMIT;
    }
    *p = v;
    *len = n;
    return 0;
}

int
rd_sub(struct rd *rd, struct rd *child, size_t max)
{
    const uint8_t *p;
    size_t n;
    int r;

    rd_init(child, NULL, 0);
    if ((r = rd_string(rd, &p, &n, max)) != 0) {
        return r;
    }
    rd_init(child, p, n);
    return 0;
}

int
rd_until(struct rd *rd, uint8_t delim, const uint8_t **p, size_t *len,
         size_t max)
{
    size_t left = rd->len - rd->off;
    size_t scan = left > max ? max + 1 : left;
    const uint8_t *at;

    *p = NULL;
    *len = 0;
    at = scan == 0 ? NULL : memchr(rd->p + rd->off, delim, scan);
    if (at == NULL) {
        return left > max ? ERR_LIMIT : ERR_TRUNC;
    }
    *p = rd->p + rd->off;
    *len = (size_t)(at - *p);
    rd->off += *len + 1;
    return 0;
}

int
rd_end(const struct rd *rd)
{
    return rd->off == rd->len ? 0 : ERR_TRAILING;
}
