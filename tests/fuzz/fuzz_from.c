/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: address and pattern lists (authorized_keys from=, a
 * certificate's source-address, Match Address, PerSourcePenaltyExemptList)
 * checked against a small reference model written from sshd's rules:
 * split at every comma, '!' negates and a negated hit decides at once,
 * "addr" or "addr/len" is a network (len all digits, at most the family's
 * bits, no host bits set, else the list is malformed), anything else is a
 * glob over the address text; host name patterns are lowercased.
 * Input: a selector byte (modulo 3: addrmatch_list, addrmatch_cidr_list,
 * addrmatch_host_and_ip; bit 2: no address, bit 3: the host is the
 * address, as aditd passes it), then "list" NUL "address" NUL "host".
 * Any disagreement aborts.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_glob_model.h"
#include "util/addrmatch.h"
#include "util/err.h"

#define MODEL_MAX 128u

struct maddr {
    int bits; /* 32 or 128; 0: not an address */
    uint8_t a[16];
};

static struct maddr
model_addr(const char *s)
{
    struct maddr m;

    memset(&m, 0, sizeof(m));
    if (inet_pton(AF_INET, s, m.a) == 1) {
        m.bits = 32;
    } else if (inet_pton(AF_INET6, s, m.a) == 1) {
        m.bits = 128;
    }
    return m;
}

static int
bit(const struct maddr *m, int i)
{
    return (m->a[i / 8] >> (7 - i % 8)) & 1;
}

/* An entry as a network: 0 and *net, *len; 1 not an address; -1 bad. */
static int
model_net(const char *e, struct maddr *net, int *len)
{
    char a[MODEL_MAX + 1];
    const char *slash = strchr(e, '/'), *d;
    long v = 0;
    int i;

    if (slash == NULL) {
        *net = model_addr(e);
        *len = net->bits;
        return net->bits == 0 ? 1 : 0;
    }
    if (slash[1] == '\0') {
        return 1;
    }
    for (d = slash + 1; *d != '\0'; d++) {
        if (!isdigit((unsigned char)*d)) {
            return 1;
        }
        v = v > 1000 ? v : v * 10 + (*d - '0');
    }
    if (v > 128) {
        return 1;
    }
    memcpy(a, e, (size_t)(slash - e));
    a[slash - e] = '\0';
    *net = model_addr(a);
    if (net->bits == 0) {
        return 1;
    }
    if (v > net->bits) {
        return -1;
    }
    for (i = (int)v; i < net->bits; i++) {
        if (bit(net, i)) {
            return -1;
        }
    }
    *len = (int)v;
    return 0;
}

static bool
model_in(const char *addr, const struct maddr *net, int len)
{
    struct maddr x = model_addr(addr);
    int i;

    if (x.bits != net->bits) {
        return false;
    }
    for (i = 0; i < len; i++) {
        if (bit(&x, i) != bit(net, i)) {
            return false;
        }
    }
    return true;
}

/* Calls f on each comma-separated entry of list until it returns != 2. */
static int
model_each(const char *list, int (*f)(void *, char *), void *ctx)
{
    char e[MODEL_MAX + 1];
    size_t n;
    int r;

    for (;;) {
        n = strcspn(list, ",");
        memcpy(e, list, n);
        e[n] = '\0';
        if ((r = f(ctx, e)) != 2) {
            return r;
        }
        if (list[n] == '\0') {
            return 2;
        }
        list += n + 1;
    }
}

struct mctx {
    const char *s;
    int found;
};

static int
pat_entry(void *ctx, char *e)
{
    struct mctx *m = ctx;
    bool neg = e[0] == '!';
    char *p;

    for (p = e; *p != '\0'; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    if (model_glob(e + neg, m->s)) {
        if (neg) {
            return ADDRMATCH_NEGATED;
        }
        m->found = ADDRMATCH_YES;
    }
    return 2;
}

static int
list_entry(void *ctx, char *e)
{
    struct mctx *m = ctx;
    bool neg = e[0] == '!', hit;
    struct maddr net;
    int len = 0, r;

    e += neg;
    if (*e == '\0' || (r = model_net(e, &net, &len)) < 0) {
        return ERR_FORMAT;
    }
    hit = m->s != NULL && model_addr(m->s).bits != 0 &&
          (r == 0 ? model_in(m->s, &net, len) : model_glob(e, m->s));
    if (hit && neg) {
        return ADDRMATCH_NEGATED;
    }
    m->found = hit ? ADDRMATCH_YES : m->found;
    return 2;
}

static int
cidr_entry(void *ctx, char *e)
{
    struct mctx *m = ctx;
    struct maddr net;
    int len = 0;

    if (*e == '\0' || model_net(e, &net, &len) != 0) {
        return ERR_FORMAT;
    }
    if (m->s != NULL && model_in(m->s, &net, len)) {
        m->found = ADDRMATCH_YES;
    }
    return 2;
}

static int
model_list(const char *s, const char *list, int (*f)(void *, char *))
{
    struct mctx m = {s, ADDRMATCH_NONE};
    int r;

    /* An address list never matches what is not an address, and then
     * does not look at its entries (sshd's addr_match_list). */
    if (f == list_entry && s != NULL && model_addr(s).bits == 0) {
        return ADDRMATCH_NONE;
    }
    r = model_each(list, f, &m);
    return r == 2 ? m.found : r;
}

static bool
model_host_and_ip(const char *host, const char *ip, const char *list)
{
    int mip = model_list(ip, list, list_entry), mhost;

    if (mip < ADDRMATCH_NEGATED || mip == ADDRMATCH_NEGATED || host == NULL ||
        ip == NULL) {
        return false;
    }
    /* Host names: the pattern is lowercased, the name taken as it is. */
    mhost = model_list(host, list, pat_entry);
    return mhost != ADDRMATCH_NEGATED &&
           (mhost == ADDRMATCH_YES || mip == ADDRMATCH_YES);
}

/* Splits text at its first two NULs (missing parts are empty). */
static void
split3(char *text, size_t n, char **a, char **b)
{
    *a = text + strlen(text);
    *a += *a < text + n ? 1 : 0;
    *b = *a + strlen(*a);
    *b += *b < text + n ? 1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char text[3 * MODEL_MAX + 4], *addr, *host;
    const char *a;
    int got, want;

    if (size < 1 || size - 1 > 3 * MODEL_MAX) {
        return 0;
    }
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    split3(text, size - 1, &addr, &host);
    if (strlen(text) > MODEL_MAX || strlen(host) > MODEL_MAX ||
        strlen(addr) > MODEL_MAX || model_stars(text) > MODEL_MAX_STARS) {
        return 0;
    }
    a = (data[0] & 4) != 0 ? NULL : addr;
    switch (data[0] % 3) {
    case 0:
        got = addrmatch_list(a, text);
        want = model_list(a, text, list_entry);
        break;
    case 1:
        got = addrmatch_cidr_list(a, text);
        want = model_list(a, text, cidr_entry);
        break;
    default:
        host = (data[0] & 8) != 0 ? addr : host;
        got = addrmatch_host_and_ip(host, a, text);
        want = model_host_and_ip(host, a, text);
        break;
    }
    if (got != want) {
        abort();
    }
    return 0;
}
