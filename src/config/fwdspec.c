/* SPDX-License-Identifier: ISC */
/* -L forward specifications: [bind_address:]port:host:hostport. */
#include "config/fwdspec.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config/hostport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

void
fwdspec_cleanup(struct fwdspec *f)
{
    free(f->bind);
    free(f->host);
    memset(f, 0, sizeof(*f));
}

static int
fwdspec_bind_addr(const char *s, struct fwdspec *f)
{
    uint8_t a[16];

    if (s[0] == '\0' || strcmp(s, "*") == 0) {
        f->bind_kind = FWDSPEC_BIND_ANY;
        return 0;
    }
    if (strcmp(s, "localhost") == 0) {
        f->bind_kind = FWDSPEC_BIND_LOOPBACK;
        return 0;
    }
    if (inet_pton(AF_INET, s, a) != 1 && inet_pton(AF_INET6, s, a) != 1) {
        return ERR_FORMAT;
    }
    f->bind_kind = FWDSPEC_BIND_ADDR;
    return (f->bind = str_ndup(s, strlen(s))) == NULL ? ERR_NOMEM : 0;
}

/* LocalForward "port host:hostport" becomes "port:host:hostport". */
static char *
fwdspec_normalise(const char *s)
{
    char *c = str_ndup(s, strlen(s));
    char *sp;

    if (c != NULL && (sp = strchr(c, ' ')) != NULL) {
        *sp = ':';
    }
    return c;
}

int
fwdspec_parse(const char *s, struct fwdspec *out)
{
    char *f[4] = {NULL, NULL, NULL, NULL};
    char *norm = NULL;
    size_t n = 0, base;
    int r;

    memset(out, 0, sizeof(*out));
    if (strlen(s) > LIM_STRING_SMALL) {
        return ERR_FORMAT;
    }
    if ((norm = fwdspec_normalise(s)) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = hostport_split(norm, f, 4, &n)) != 0 || n < 3) {
        r = ERR_FORMAT;
        goto out;
    }
    base = n - 3;
    out->bind_kind = FWDSPEC_BIND_LOOPBACK;
    if ((n == 4 && (r = fwdspec_bind_addr(f[0], out)) != 0) ||
        (r = hostport_port(f[base], true, &out->listen_port)) != 0 ||
        (r = hostport_port(f[base + 2], false, &out->host_port)) != 0) {
        goto out;
    }
    if (f[base + 1][0] == '\0' || strlen(f[base + 1]) > LIM_HOSTNAME) {
        r = ERR_FORMAT;
        goto out;
    }
    out->host = f[base + 1];
    f[base + 1] = NULL;
out:
    if (r != 0) {
        fwdspec_cleanup(out);
        r = r == ERR_NOMEM ? r : ERR_FORMAT;
    }
    hostport_free_fields(f, n);
    free(norm);
    return r;
}

int
fwdspec_copy(const struct fwdspec *src, struct fwdspec *dst)
{
    *dst = *src;
    dst->bind = NULL;
    dst->host = str_ndup(src->host, strlen(src->host));
    if (src->bind != NULL) {
        dst->bind = str_ndup(src->bind, strlen(src->bind));
    }
    if (dst->host == NULL || (src->bind != NULL && dst->bind == NULL)) {
        fwdspec_cleanup(dst);
        return ERR_NOMEM;
    }
    return 0;
}
