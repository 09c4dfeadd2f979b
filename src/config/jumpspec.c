/* SPDX-License-Identifier: ISC */
/* ProxyJump / -J lists, as ssh's parse_user_host_port and parse_ssh_uri. */
#include "config/jumpspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/hostport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

static void
jumphop_cleanup(struct jumphop *h)
{
    free(h->user);
    free(h->host);
    memset(h, 0, sizeof(*h));
}

/* One hop of n bytes at s: [ssh://][user@]host[:port]. */
static int
jumphop_parse(const char *s, size_t n, struct jumphop *h)
{
    char *tmp, *at, *hp;
    int r = ERR_FORMAT;

    memset(h, 0, sizeof(*h));
    if ((tmp = str_ndup(s, n)) == NULL) {
        return ERR_NOMEM;
    }
    hp = strncmp(tmp, "ssh://", 6) == 0 ? tmp + 6 : tmp;
    /* The last '@' ends the user name, as in ssh. */
    if ((at = strrchr(hp, '@')) != NULL) {
        *at = '\0';
        if (hp[0] == '\0' || strlen(hp) > LIM_STRING_SMALL) {
            goto out;
        }
        if ((h->user = str_ndup(hp, strlen(hp))) == NULL) {
            r = ERR_NOMEM;
            goto out;
        }
        hp = at + 1;
    }
    if (hp[0] == '\0' || (r = hostport_parse(hp, &h->host, &h->port)) != 0) {
        r = r == ERR_NOMEM ? r : ERR_FORMAT;
        goto out;
    }
    if (strlen(h->host) > LIM_HOSTNAME) {
        r = ERR_FORMAT;
        goto out;
    }
    r = 0;
out:
    if (r != 0) {
        jumphop_cleanup(h);
    }
    free(tmp);
    return r;
}

int
jumpspec_parse(const char *s, struct jumpspec *out)
{
    struct jumphop *n;
    size_t len;
    int r;

    memset(out, 0, sizeof(*out));
    if (strcasecmp(s, "none") == 0) {
        return 0;
    }
    for (;;) {
        len = strcspn(s, ",");
        if (out->n >= LIM_JUMP_HOPS) {
            r = ERR_LIMIT;
            goto out;
        }
        if ((n = realloc(out->hops, (out->n + 1) * sizeof(*n))) == NULL) {
            r = ERR_NOMEM;
            goto out;
        }
        out->hops = n;
        if ((r = jumphop_parse(s, len, &out->hops[out->n])) != 0) {
            goto out;
        }
        out->n++;
        if (s[len] == '\0') {
            return 0;
        }
        s += len + 1;
    }
out:
    jumpspec_cleanup(out);
    return r;
}

void
jumpspec_cleanup(struct jumpspec *j)
{
    size_t i;

    for (i = 0; i < j->n; i++) {
        jumphop_cleanup(&j->hops[i]);
    }
    free(j->hops);
    memset(j, 0, sizeof(*j));
}

int
jumpspec_prepend(const char *before, const char *spec, char **out)
{
    struct jumpspec j;
    size_t n;
    int r;

    *out = NULL;
    if (strcasecmp(before, "none") == 0) {
        *out = str_ndup(spec, strlen(spec));
        return *out == NULL ? ERR_NOMEM : 0;
    }
    n = strlen(before) + 1 + strlen(spec) + 1;
    if ((*out = malloc(n)) == NULL) {
        return ERR_NOMEM;
    }
    snprintf(*out, n, "%s,%s", before, spec);
    /* The whole chain must still parse and fit LIM_JUMP_HOPS. */
    if ((r = jumpspec_parse(*out, &j)) != 0) {
        free(*out);
        *out = NULL;
        return r;
    }
    jumpspec_cleanup(&j);
    return 0;
}
