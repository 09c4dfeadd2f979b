/* SPDX-License-Identifier: ISC */
/* Forward specifications for -L, -R and -D, read as ssh reads them. */
#include "config/fwdspec.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config/hostport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

#define FWDSPEC_MAX_FIELDS 4

void
fwdspec_cleanup(struct fwdspec *f)
{
    size_t i;

    for (i = 0; i < f->n_bind_ips; i++) {
        free(f->bind_ips[i]);
    }
    free(f->bind_ips);
    free(f->bind_err);
    free(f->bind);
    free(f->listen_path);
    free(f->host);
    free(f->connect_path);
    memset(f, 0, sizeof(*f));
}

bool
fwdspec_bind_is_name(const struct fwdspec *f)
{
    uint8_t a[16];

    return f->bind_kind == FWDSPEC_BIND_ADDR && f->bind != NULL &&
           inet_pton(AF_INET, f->bind, a) != 1 &&
           inet_pton(AF_INET6, f->bind, a) != 1;
}

int
fwdspec_set_bind_ips(struct fwdspec *f, const char *const *ips, size_t n,
                     const char *err)
{
    size_t i;

    if (err != NULL) {
        return (f->bind_err = str_ndup(err, strlen(err))) == NULL ? ERR_NOMEM
                                                                  : 0;
    }
    n = n < LIM_BIND_IPS ? n : LIM_BIND_IPS;
    if ((f->bind_ips = calloc(n + 1, sizeof(*f->bind_ips))) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        if ((f->bind_ips[i] = str_ndup(ips[i], strlen(ips[i]))) == NULL) {
            return ERR_NOMEM;
        }
        f->n_bind_ips++;
    }
    return 0;
}

bool
fwdspec_is_dynamic(const struct fwdspec *f)
{
    return f->host == NULL && f->connect_path == NULL;
}

const char *
fwdspec_remote_bind(const struct fwdspec *f)
{
    switch (f->bind_kind) {
    case FWDSPEC_BIND_ANY:
        return "";
    case FWDSPEC_BIND_ADDR:
        return f->bind;
    default:
        return "localhost";
    }
}

/* ssh treats any field with a '/' in it as a Unix socket path. */
static bool
fwdspec_is_path(const char *field)
{
    return strchr(field, '/') != NULL;
}

static int
fwdspec_bind_addr(const char *s, enum fwdspec_kind kind, struct fwdspec *f)
{
    if (s[0] == '\0' || strcmp(s, "*") == 0) {
        f->bind_kind = FWDSPEC_BIND_ANY;
        return 0;
    }
    if (strcmp(s, "localhost") == 0) {
        f->bind_kind = FWDSPEC_BIND_LOOPBACK;
        return 0;
    }
    if (strlen(s) > LIM_HOSTNAME || fwdspec_is_path(s)) {
        return ERR_FORMAT;
    }
    /* The server resolves a -R listen address; a -L/-D name is resolved
     * by adit at start-up (fwdspec_set_bind_ips), before the loop runs. */
    (void)kind;
    f->bind_kind = FWDSPEC_BIND_ADDR;
    return (f->bind = str_ndup(s, strlen(s))) == NULL ? ERR_NOMEM : 0;
}

/* Take ownership of the field *src as a path or host into *dst. */
static int
fwdspec_take(char **src, size_t max, char **dst)
{
    if ((*src)[0] == '\0' || strlen(*src) > max) {
        return ERR_FORMAT;
    }
    *dst = *src;
    *src = NULL;
    return 0;
}

/* The listen side: f[0] alone, or bind f[0] and port f[1] (has_bind). */
static int
fwdspec_listen(char **f, bool has_bind, enum fwdspec_kind kind,
               struct fwdspec *out)
{
    if (!has_bind && fwdspec_is_path(f[0])) {
        return fwdspec_take(&f[0], LIM_UNIX_PATH, &out->listen_path);
    }
    if (has_bind) {
        int r = fwdspec_bind_addr(f[0], kind, out);

        if (r != 0) {
            return r;
        }
        f++;
    }
    return hostport_port(f[0], kind == FWDSPEC_REMOTE, &out->listen_port);
}

/* The target: a path f[0], or host f[0] and port f[1]. */
static int
fwdspec_target(char **f, size_t n, struct fwdspec *out)
{
    int r;

    if (n == 1) {
        return fwdspec_is_path(f[0])
                   ? fwdspec_take(&f[0], LIM_UNIX_PATH, &out->connect_path)
                   : ERR_FORMAT;
    }
    if ((r = hostport_port(f[1], false, &out->host_port)) != 0) {
        return r;
    }
    return fwdspec_take(&f[0], LIM_HOSTNAME, &out->host);
}

/*
 * Assign the n split fields as ssh's parse_forward does: which field is
 * the listen side and which the target depends on the count and on which
 * fields are paths.
 */
static int
fwdspec_assign(char **f, size_t n, enum fwdspec_kind kind, struct fwdspec *out)
{
    bool p0 = fwdspec_is_path(f[0]), p1 = n > 1 && fwdspec_is_path(f[1]);
    bool p2 = n > 2 && fwdspec_is_path(f[2]);
    int r;

    switch (n) {
    case 1:
        return fwdspec_listen(f, false, kind, out);
    case 2:
        if (p1) {
            return (r = fwdspec_listen(f, false, kind, out)) != 0
                       ? r
                       : fwdspec_target(f + 1, 1, out);
        }
        return p0 ? ERR_FORMAT : fwdspec_listen(f, true, kind, out);
    case 3:
        if (p0 || !p2) {
            return (r = fwdspec_listen(f, false, kind, out)) != 0
                       ? r
                       : fwdspec_target(f + 1, 2, out);
        }
        return (r = fwdspec_listen(f, true, kind, out)) != 0
                   ? r
                   : fwdspec_target(f + 2, 1, out);
    default:
        return (r = fwdspec_listen(f, true, kind, out)) != 0
                   ? r
                   : fwdspec_target(f + 2, 2, out);
    }
}

/* What each kind allows once the fields are assigned. */
static int
fwdspec_check(const struct fwdspec *f, enum fwdspec_kind kind)
{
    bool dynamic = fwdspec_is_dynamic(f);

    if (kind == FWDSPEC_DYNAMIC) {
        return dynamic && f->listen_path == NULL ? 0 : ERR_FORMAT;
    }
    if (kind == FWDSPEC_LOCAL && dynamic) {
        return ERR_FORMAT;
    }
    if (kind == FWDSPEC_REMOTE && dynamic && f->listen_path != NULL) {
        return ERR_FORMAT; /* ssh has no remote dynamic Unix listener */
    }
    return 0;
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
fwdspec_parse_kind(const char *s, enum fwdspec_kind kind, struct fwdspec *out)
{
    char *f[FWDSPEC_MAX_FIELDS] = {NULL, NULL, NULL, NULL};
    char *norm = NULL;
    size_t n = 0;
    int r;

    memset(out, 0, sizeof(*out));
    out->bind_kind = FWDSPEC_BIND_DEFAULT;
    if (strlen(s) > LIM_STRING_SMALL) {
        return ERR_FORMAT;
    }
    if ((norm = fwdspec_normalise(s)) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = hostport_split(norm, f, FWDSPEC_MAX_FIELDS, &n)) != 0 ||
        (r = fwdspec_assign(f, n, kind, out)) != 0 ||
        (r = fwdspec_check(out, kind)) != 0) {
        fwdspec_cleanup(out);
        r = r == ERR_NOMEM ? r : ERR_FORMAT;
    }
    hostport_free_fields(f, n);
    free(norm);
    return r;
}

int
fwdspec_parse(const char *s, struct fwdspec *out)
{
    return fwdspec_parse_kind(s, FWDSPEC_LOCAL, out);
}

static int
fwdspec_dup(const char *s, char **out)
{
    *out = NULL;
    if (s == NULL) {
        return 0;
    }
    return (*out = str_ndup(s, strlen(s))) == NULL ? ERR_NOMEM : 0;
}

int
fwdspec_copy(const struct fwdspec *src, struct fwdspec *dst)
{
    *dst = *src;
    dst->bind = dst->listen_path = dst->host = dst->connect_path = NULL;
    if (fwdspec_dup(src->bind, &dst->bind) != 0 ||
        fwdspec_dup(src->listen_path, &dst->listen_path) != 0 ||
        fwdspec_dup(src->host, &dst->host) != 0 ||
        fwdspec_dup(src->connect_path, &dst->connect_path) != 0) {
        fwdspec_cleanup(dst);
        return ERR_NOMEM;
    }
    return 0;
}
