/* SPDX-License-Identifier: ISC */
/* ssh_config patterns, Host lines and Match lines. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/ssh_config_int.h"
#include "config/ssh_tokens.h"
#include "util/adit_limits.h"
#include "util/err.h"

static bool
cfg_char_eq(char a, char b, bool fold)
{
    return fold ? tolower((unsigned char)a) == tolower((unsigned char)b)
                : a == b;
}

/*
 * Iterative wildcard match with one backtrack point (the last '*'), so
 * a hostile pattern costs O(len(s) * len(pattern)) at worst.
 */
static bool
cfg_match_n(const char *s, const char *p, size_t plen, bool fold)
{
    const char *star = NULL, *resume = NULL;
    size_t i = 0;

    for (;;) {
        if (i < plen && p[i] == '*') {
            star = p + i++;
            resume = s;
            continue;
        }
        if (*s == '\0' && i == plen) {
            return true;
        }
        if (*s != '\0' && i < plen &&
            (p[i] == '?' || cfg_char_eq(*s, p[i], fold))) {
            s++;
            i++;
            continue;
        }
        if (star == NULL || *resume == '\0') {
            return false;
        }
        s = ++resume;
        i = (size_t)(star - p) + 1;
    }
}

bool
ssh_config_match_pattern(const char *s, const char *pattern, bool fold)
{
    return cfg_match_n(s, pattern, strlen(pattern), fold);
}

int
ssh_config_match_list(const char *s, const char *list, bool fold)
{
    const char *p = list;
    size_t n;
    bool neg, positive = false;

    for (;;) {
        n = strcspn(p, ",");
        neg = p[0] == '!';
        if (cfg_match_n(s, p + neg, n - neg, fold)) {
            if (neg) {
                return -1;
            }
            positive = true;
        }
        if (p[n] == '\0') {
            break;
        }
        p += n + 1;
    }
    return positive ? 1 : 0;
}

void
ssh_config_host_line(struct ssh_config_read *rd, const struct cfg_args *a)
{
    const char *pat;
    bool neg;
    size_t i;

    rd->is_active = false;
    for (i = 0; i < a->n && !rd->is_never_match; i++) {
        neg = a->v[i][0] == '!';
        pat = a->v[i] + neg;
        if (ssh_config_match_pattern(rd->host, pat, false)) {
            if (neg) {
                rd->is_active = false;
                return;
            }
            rd->is_active = true;
        }
    }
}

/* The host Match host compares: HostName (with %h) once it is set. */
static char *
cfg_match_host(struct ssh_config_read *rd)
{
    struct ssh_tokens t;
    char *out = NULL;

    if (rd->cfg->hostname == NULL) {
        return strdup(rd->host);
    }
    memset(&t, 0, sizeof(t));
    t.host = rd->host;
    if (ssh_tokens_expand(rd->cfg->hostname, &t, "h", &out, NULL, 0) != 0) {
        return strdup(rd->host);
    }
    return out;
}

/* One criterion with its argument: 1 match, 0 not, ERR_CONFIG. */
static int
cfg_match_criterion(struct ssh_config_read *rd, const char *attr,
                    const char *arg)
{
    const char *user = rd->cfg->user != NULL ? rd->cfg->user : rd->local_user;
    char *host;
    int r;

    if (strcasecmp(attr, "host") == 0) {
        if ((host = cfg_match_host(rd)) == NULL) {
            return ERR_NOMEM;
        }
        r = ssh_config_match_list(host, arg, true) == 1;
        free(host);
        return r;
    }
    if (strcasecmp(attr, "originalhost") == 0) {
        return ssh_config_match_list(rd->original_host, arg, true) == 1;
    }
    if (strcasecmp(attr, "user") == 0) {
        return ssh_config_match_list(user, arg, false) == 1;
    }
    if (strcasecmp(attr, "localuser") == 0) {
        return ssh_config_match_list(rd->local_user, arg, false) == 1;
    }
    if (strcasecmp(attr, "exec") == 0) {
        ssh_config_diagf(rd, "Match exec is not supported by adit");
        return ERR_CONFIG;
    }
    ssh_config_diagf(rd, "Unsupported Match attribute %s", attr);
    return ERR_CONFIG;
}

/* "all", "canonical", "final": no argument. 1, 0 or -1 (not one). */
static int
cfg_match_bare(struct ssh_config_read *rd, const char *attr)
{
    if (strcasecmp(attr, "final") == 0) {
        rd->want_final_pass = true;
        return rd->is_final_pass;
    }
    if (strcasecmp(attr, "canonical") == 0) {
        return rd->is_final_pass;
    }
    return -1;
}

static int
cfg_match_eval(struct ssh_config_read *rd, const struct cfg_where *w,
               const struct cfg_args *a, bool *result)
{
    size_t i, attributes = 0;
    const char *attr;
    bool neg;
    int r;

    *result = true;
    for (i = 0; i < a->n; i++) {
        neg = a->v[i][0] == '!';
        attr = a->v[i] + neg;
        if (strcasecmp(attr, "all") == 0) {
            if (attributes > 0 || i + 1 < a->n) {
                ssh_config_diagf(rd,
                                 "%s line %u: '%s' cannot be combined "
                                 "with other Match attributes",
                                 w->file, w->line, a->v[i]);
                return ERR_CONFIG;
            }
            *result = *result && !neg;
            return 0;
        }
        if ((r = cfg_match_bare(rd, attr)) >= 0) {
            *result = *result && r != neg;
            continue;
        }
        attributes++;
        if (i + 1 >= a->n || a->v[i + 1][0] == '\0') {
            ssh_config_diagf(rd, "Missing Match criteria for %s", attr);
            return ERR_CONFIG;
        }
        if ((r = cfg_match_criterion(rd, attr, a->v[++i])) < 0) {
            return r;
        }
        *result = *result && r != neg;
    }
    return 0;
}

int
ssh_config_match_line(struct ssh_config_read *rd, const struct cfg_where *w,
                      const struct cfg_args *a)
{
    bool result = false;
    int r;

    if (a->n == 0) {
        ssh_config_diagf(rd,
                         "%s line %u: One or more attributes required "
                         "for Match",
                         w->file, w->line);
        return ERR_CONFIG;
    }
    if ((r = cfg_match_eval(rd, w, a, &result)) != 0) {
        if (r == ERR_CONFIG) {
            ssh_config_diagf(rd, "%s line %u: Bad Match condition", w->file,
                             w->line);
        }
        return r;
    }
    rd->is_active = result && !rd->is_never_match;
    return 0;
}
