/* SPDX-License-Identifier: ISC */
/* Address and pattern lists: globs, negation and CIDR, as sshd has them. */
#include "util/addrmatch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"

/* Longest list entry we look at: an IPv6 address with a mask, or a glob. */
#define ADDRMATCH_ENTRY_MAX 256u

struct xaddr {
    int af;
    uint8_t a[16];
    unsigned len; /* 4 or 16 bytes */
};

/*
 * Iterative glob with one backtrack point: on a mismatch after a '*', let
 * that '*' swallow one more character. Linear in |s| * |pattern| at worst.
 */
bool
addrmatch_pattern(const char *s, const char *pattern)
{
    const char *star = NULL, *resume = NULL;

    while (*s != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            resume = s;
        } else if (*pattern != '\0' && (*pattern == '?' || *pattern == *s)) {
            pattern++;
            s++;
        } else if (star != NULL) {
            pattern = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (*pattern == '*') {
        pattern++;
    }
    return *pattern == '\0';
}

/* Copy the next entry of list (up to a comma) into out; false if too long. */
static bool
next_entry(const char **list, char *out)
{
    size_t n = strcspn(*list, ",");
    bool ok = n < ADDRMATCH_ENTRY_MAX;

    if (ok) {
        memcpy(out, *list, n);
        out[n] = '\0';
    }
    *list += n;
    return ok;
}

int
addrmatch_pattern_list(const char *s, const char *list, bool lower)
{
    char entry[ADDRMATCH_ENTRY_MAX], *p;
    int found = ADDRMATCH_NONE;
    bool neg;

    for (;;) {
        if (!next_entry(&list, entry)) {
            return ADDRMATCH_NONE; /* sshd gives up on an absurd entry */
        }
        neg = entry[0] == '!';
        for (p = entry; lower && *p != '\0'; p++) {
            *p = (char)tolower((unsigned char)*p);
        }
        if (addrmatch_pattern(s, entry + (neg ? 1 : 0))) {
            if (neg) {
                return ADDRMATCH_NEGATED;
            }
            found = ADDRMATCH_YES;
        }
        if (*list == '\0') {
            return found;
        }
        list++;
    }
}

static bool
xaddr_parse(const char *s, struct xaddr *x)
{
    memset(x, 0, sizeof(*x));
    if (inet_pton(AF_INET, s, x->a) == 1) {
        x->af = AF_INET;
        x->len = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, x->a) == 1) {
        x->af = AF_INET6;
        x->len = 16;
        return true;
    }
    return false;
}

/* Do a and b agree in their first bits bits? */
static bool
xaddr_prefix_eq(const struct xaddr *a, const struct xaddr *b, unsigned bits)
{
    unsigned full = bits / 8, rest = bits % 8;
    uint8_t mask;

    if (a->af != b->af || memcmp(a->a, b->a, full) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    mask = (uint8_t)(0xff00u >> rest);
    return (a->a[full] & mask) == (b->a[full] & mask);
}

/* Are all bits of x after the first bits bits zero? */
static bool
xaddr_host_zero(const struct xaddr *x, unsigned bits)
{
    struct xaddr zero;

    memset(&zero, 0, sizeof(zero));
    zero.af = x->af;
    zero.len = x->len;
    memcpy(zero.a, x->a, x->len);
    memset(zero.a + (bits + 7) / 8, 0, x->len - (bits + 7) / 8);
    if (bits % 8 != 0) {
        zero.a[bits / 8] &= (uint8_t)(0xff00u >> (bits % 8));
    }
    return memcmp(zero.a, x->a, x->len) == 0;
}

/*
 * "addr" or "addr/len". 0 on success; ADDRMATCH_NONE (1) when the entry
 * is not an address at all; ERR_FORMAT when it is one but the mask is
 * longer than the family allows or host bits are set.
 */
static int
cidr_parse(const char *s, struct xaddr *net, unsigned *bits)
{
    char buf[ADDRMATCH_ENTRY_MAX], *slash, *end = NULL;
    unsigned long v = 0;

    if (strlen(s) >= sizeof(buf)) {
        return 1;
    }
    strcpy(buf, s);
    if ((slash = strchr(buf, '/')) != NULL) {
        *slash++ = '\0';
        v = strtoul(slash, &end, 10);
        if (*slash == '\0' || !isdigit((unsigned char)*slash) || *end != '\0' ||
            v > 128) {
            return 1;
        }
    }
    if (!xaddr_parse(buf, net)) {
        return 1;
    }
    *bits = slash == NULL ? net->len * 8 : (unsigned)v;
    if (*bits > net->len * 8 || !xaddr_host_zero(net, *bits)) {
        return ERR_FORMAT;
    }
    return 0;
}

int
addrmatch_list(const char *addr, const char *list)
{
    char entry[ADDRMATCH_ENTRY_MAX], *e;
    struct xaddr try_addr, net;
    int found = ADDRMATCH_NONE, r;
    unsigned bits;
    bool neg, hit;

    if (addr != NULL && !xaddr_parse(addr, &try_addr)) {
        return ADDRMATCH_NONE;
    }
    for (;;) {
        if (!next_entry(&list, entry)) {
            return ERR_FORMAT;
        }
        neg = entry[0] == '!';
        e = entry + (neg ? 1 : 0);
        if (*e == '\0' || (r = cidr_parse(e, &net, &bits)) < 0) {
            return ERR_FORMAT;
        }
        hit = addr != NULL && (r == 0 ? xaddr_prefix_eq(&try_addr, &net, bits)
                                      : addrmatch_pattern(addr, e));
        if (hit && neg) {
            return ADDRMATCH_NEGATED;
        }
        found = hit ? ADDRMATCH_YES : found;
        if (*list == '\0') {
            return found;
        }
        list++;
    }
}

int
addrmatch_cidr_list(const char *addr, const char *list)
{
    char entry[ADDRMATCH_ENTRY_MAX];
    struct xaddr try_addr, net;
    bool have_addr = false, found = false;
    unsigned bits;

    if (addr != NULL) {
        have_addr = xaddr_parse(addr, &try_addr);
    }
    for (;;) {
        if (!next_entry(&list, entry) || entry[0] == '\0' ||
            cidr_parse(entry, &net, &bits) != 0) {
            return ERR_FORMAT;
        }
        if (have_addr && xaddr_prefix_eq(&try_addr, &net, bits)) {
            found = true;
        }
        if (*list == '\0') {
            return found ? ADDRMATCH_YES : ADDRMATCH_NONE;
        }
        list++;
    }
}

bool
addrmatch_host_and_ip(const char *host, const char *ip, const char *list)
{
    int mip, mhost;

    if ((mip = addrmatch_list(ip, list)) < ADDRMATCH_NEGATED ||
        mip == ADDRMATCH_NEGATED || host == NULL || ip == NULL) {
        return false;
    }
    mhost = addrmatch_pattern_list(host, list, true);
    if (mhost == ADDRMATCH_NEGATED) {
        return false;
    }
    return mhost == ADDRMATCH_YES || mip == ADDRMATCH_YES;
}
