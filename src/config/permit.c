/* SPDX-License-Identifier: ISC */
/* Forwarding permissions: parsing and sshd's matching rules. */
#include "config/permit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/hostport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

void
permit_cleanup(struct permit *p)
{
    free(p->host);
    p->host = NULL;
    p->port = PERMIT_ANY_PORT;
}

static int
permit_port(const char *s, uint32_t *port)
{
    uint16_t v = 0;
    int r;

    if (strcmp(s, "*") == 0) {
        *port = PERMIT_ANY_PORT;
        return 0;
    }
    if ((r = hostport_port(s, false, &v)) != 0) {
        return r;
    }
    *port = v;
    return 0;
}

int
permit_parse(const char *s, bool is_listen, struct permit *out)
{
    char *f[2] = {NULL, NULL};
    size_t n = 0;
    int r;

    memset(out, 0, sizeof(*out));
    if ((r = hostport_split(s, f, 2, &n)) != 0) {
        return r == ERR_NOMEM ? r : ERR_FORMAT;
    }
    if (n == 1 && is_listen) {
        /* A bare port: any listen host. */
        f[1] = f[0];
        f[0] = str_ndup("*", 1);
        n = 2;
        if (f[0] == NULL) {
            r = ERR_NOMEM;
            goto out;
        }
    }
    if (n != 2 || f[0][0] == '\0' || strlen(f[0]) > LIM_HOSTNAME) {
        r = ERR_FORMAT;
        goto out;
    }
    if ((r = permit_port(f[1], &out->port)) != 0) {
        goto out;
    }
    out->host = f[0];
    f[0] = NULL;
out:
    hostport_free_fields(f, 2);
    return r;
}

int
permit_list_add(struct permit_list *l, const char *s, bool is_listen)
{
    struct permit p, *nv;
    int r;

    if (l->n >= LIM_PERMIT_ENTRIES) {
        return ERR_LIMIT;
    }
    if ((r = permit_parse(s, is_listen, &p)) != 0) {
        return r;
    }
    if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL) {
        permit_cleanup(&p);
        return ERR_NOMEM;
    }
    l->v = nv;
    l->v[l->n++] = p;
    return 0;
}

void
permit_list_cleanup(struct permit_list *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        permit_cleanup(&l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static char
permit_fold(char c, bool fold)
{
    return fold ? (char)tolower((unsigned char)c) : c;
}

/*
 * Iterative glob with one backtrack point (the last '*'): linear in the
 * pattern times the string, with no recursion a hostile pattern could
 * deepen.
 */
bool
permit_glob(const char *pattern, const char *s, bool fold)
{
    const char *star = NULL, *retry = NULL;

    while (*s != '\0') {
        if (*pattern == '*') {
            star = pattern++;
            retry = s;
        } else if (*pattern != '\0' &&
                   (*pattern == '?' || *pattern == permit_fold(*s, fold))) {
            pattern++;
            s++;
        } else if (star != NULL) {
            pattern = star + 1;
            s = ++retry;
        } else {
            return false;
        }
    }
    while (*pattern == '*') {
        pattern++;
    }
    return *pattern == '\0';
}

bool
permit_open_match(const struct permit *p, const char *host, uint32_t port)
{
    if (p->port != PERMIT_ANY_PORT && p->port != port) {
        return false;
    }
    return strcmp(p->host, "*") == 0 || strcmp(p->host, host) == 0;
}

bool
permit_listen_match(const struct permit *p, const char *host, uint32_t port)
{
    if (p->port != PERMIT_ANY_PORT && p->port != port) {
        return false;
    }
    return permit_glob(p->host, host, true);
}

bool
permit_list_allows(const struct permit_list *l, bool is_listen,
                   const char *host, uint32_t port)
{
    size_t i;

    if (l->none) {
        return false;
    }
    if (l->n == 0) {
        return true;
    }
    for (i = 0; i < l->n; i++) {
        if (is_listen ? permit_listen_match(&l->v[i], host, port)
                      : permit_open_match(&l->v[i], host, port)) {
            return true;
        }
    }
    return false;
}
