/* SPDX-License-Identifier: ISC */
/* aditd's connection-limit keywords (sshd_config(5) of OpenSSH 9.8). */
#include "config/server_config_limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "util/addrmatch.h"
#include "util/err.h"
#include "util/mem.h"

/* sshd's defaults (servconf.c fill_default_server_options, 9.8). */
#define DEF_STARTUPS_BEGIN 10
#define DEF_STARTUPS_RATE 30
#define DEF_STARTUPS_MAX 100
#define DEF_MAX_SESSIONS 10
#define DEF_PEN_CRASH 90
#define DEF_PEN_AUTHFAIL 5
#define DEF_PEN_NOAUTH 1
#define DEF_PEN_GRACE 10
#define DEF_PEN_MAX 600
#define DEF_PEN_MIN 15
#define DEF_PEN_SOURCES 65536
/* sshd reads these with atoi_err: 0..INT_MAX; ours fit an int too. */
#define LIMITS_INT_MAX 2147483647L

void
server_limits_config_init(struct server_limits_config *l)
{
    memset(l, 0, sizeof(*l));
    l->startups_begin = -1;
    l->startups_rate = -1;
    l->startups_max = -1;
    l->per_source_max = -1;
    l->netblock4 = -1;
    l->netblock6 = -1;
    l->max_sessions = -1;
    memset(&l->pen, 0xff, sizeof(l->pen)); /* every field -1 */
}

void
server_limits_config_cleanup(struct server_limits_config *l)
{
    free(l->penalty_exempt);
    server_limits_config_init(l);
}

static void
set_default(int *field, int v)
{
    if (*field < 0) {
        *field = v;
    }
}

void
server_limits_config_finish(struct server_limits_config *l)
{
    struct penalty_config *p = &l->pen;

    set_default(&l->startups_max, DEF_STARTUPS_MAX);
    set_default(&l->startups_rate, DEF_STARTUPS_RATE);
    set_default(&l->startups_begin, DEF_STARTUPS_BEGIN);
    if (l->per_source_max == -1) {
        l->per_source_max = LIMITS_NO_LIMIT;
    }
    set_default(&l->netblock4, 32);
    set_default(&l->netblock6, 128);
    set_default(&l->max_sessions, DEF_MAX_SESSIONS);
    set_default(&p->enabled, 1);
    set_default(&p->crash, DEF_PEN_CRASH);
    set_default(&p->authfail, DEF_PEN_AUTHFAIL);
    set_default(&p->noauth, DEF_PEN_NOAUTH);
    set_default(&p->grace, DEF_PEN_GRACE);
    set_default(&p->max, DEF_PEN_MAX);
    set_default(&p->min, DEF_PEN_MIN);
    set_default(&p->max_sources4, DEF_PEN_SOURCES);
    set_default(&p->max_sources6, DEF_PEN_SOURCES);
    set_default(&p->overflow, PENALTY_PERMISSIVE);
    set_default(&p->overflow6, PENALTY_PERMISSIVE);
}

/* "start:rate:full" or "full" (sshd: then start = full). Last one wins. */
static int
limits_startups(struct server_limits_config *l, const char *v)
{
    int begin = 0, rate = -1, max = 0, n = 0;
    char tail = 0;

    n = sscanf(v, "%d:%d:%d%c", &begin, &rate, &max, &tail);
    if (n == 3) {
        if (begin > max || rate > 100 || rate < 1) {
            return ERR_FORMAT;
        }
    } else if (n == 1 && strchr(v, ':') == NULL) {
        if (cfgline_int(v, 1, LIMITS_INT_MAX, &begin) != 0) {
            return ERR_FORMAT;
        }
        max = begin;
        rate = l->startups_rate;
    } else {
        return ERR_FORMAT;
    }
    if (max <= 0 || begin <= 0) {
        return ERR_FORMAT;
    }
    l->startups_begin = begin;
    l->startups_rate = rate;
    l->startups_max = max;
    return 0;
}

/* "v4bits[:v6bits]"; last one wins, as sshd. */
static int
limits_netblock(struct server_limits_config *l, const char *v)
{
    char v4[16];
    const char *colon = strchr(v, ':');
    size_t n = colon != NULL ? (size_t)(colon - v) : strlen(v);
    int b4 = 0, b6 = -1;

    if (n == 0 || n >= sizeof(v4)) {
        return ERR_FORMAT;
    }
    memcpy(v4, v, n);
    v4[n] = '\0';
    if (cfgline_int(v4, 0, 32, &b4) != 0 ||
        (colon != NULL && cfgline_int(colon + 1, 0, 128, &b6) != 0)) {
        return ERR_FORMAT;
    }
    l->netblock4 = b4;
    if (b6 >= 0) {
        l->netblock6 = b6;
    }
    return 0;
}

/* One "keyword:value" of PerSourcePenalties into its field. */
static int
limits_penalty_word(struct penalty_config *p, const char *w)
{
    static const struct {
        const char *name;
        size_t off;
        bool is_time;
    } words[] = {
        {"crash:", offsetof(struct penalty_config, crash), true},
        {"authfail:", offsetof(struct penalty_config, authfail), true},
        {"noauth:", offsetof(struct penalty_config, noauth), true},
        {"grace-exceeded:", offsetof(struct penalty_config, grace), true},
        {"max:", offsetof(struct penalty_config, max), true},
        {"min:", offsetof(struct penalty_config, min), true},
        {"max-sources4:", offsetof(struct penalty_config, max_sources4), 0},
        {"max-sources6:", offsetof(struct penalty_config, max_sources6), 0},
    };
    int *field = NULL, v = 0;
    size_t i, n;

    if (strncmp(w, "overflow:", 9) == 0 || strncmp(w, "overflow6:", 10) == 0) {
        field = w[8] == '6' ? &p->overflow6 : &p->overflow;
        w = strchr(w, ':') + 1;
        if (strcmp(w, "deny-all") == 0) {
            v = PENALTY_DENY_ALL;
        } else if (strcmp(w, "permissive") == 0) {
            v = PENALTY_PERMISSIVE;
        } else {
            return ERR_FORMAT;
        }
    }
    for (i = 0; field == NULL && i < sizeof(words) / sizeof(words[0]); i++) {
        n = strlen(words[i].name);
        if (strncmp(w, words[i].name, n) != 0) {
            continue;
        }
        field = (int *)(void *)((char *)p + words[i].off);
        if ((words[i].is_time
                 ? cfgline_time(w + n, &v)
                 : cfgline_int(w + n, 0, LIMITS_INT_MAX, &v)) != 0) {
            return ERR_FORMAT;
        }
    }
    if (field == NULL) {
        return ERR_FORMAT;
    }
    if (*field == -1) {
        *field = v;
        p->enabled = 1; /* sshd: any keyword turns penalties on */
    }
    return 0;
}

/* "yes" or "no" alone, or blank-separated keyword:value words. */
static int
limits_penalties(struct penalty_config *p, const char *v)
{
    char word[64];
    size_t n;
    int r = 0, yes = 0;

    if (cfgline_bool(v, &yes) == 0) {
        set_default(&p->enabled, yes);
        return 0;
    }
    while (*v != '\0' && r == 0) {
        v += strspn(v, " \t");
        if ((n = strcspn(v, " \t")) == 0) {
            break;
        }
        if (n >= sizeof(word)) {
            return ERR_FORMAT;
        }
        memcpy(word, v, n);
        word[n] = '\0';
        v += n;
        /* yes/no must stand alone (sshd: "must appear alone"). */
        r = cfgline_bool(word, &yes) == 0 ? ERR_FORMAT
                                          : limits_penalty_word(p, word);
    }
    return r;
}

static int
limits_value(struct server_limits_config *l, const char *key, const char *v)
{
    int tmp = 0;

    if (strcasecmp(key, "MaxStartups") == 0) {
        return limits_startups(l, v);
    }
    if (strcasecmp(key, "PerSourceNetBlockSize") == 0) {
        return limits_netblock(l, v);
    }
    if (strcasecmp(key, "PerSourcePenalties") == 0) {
        return limits_penalties(&l->pen, v);
    }
    if (strcasecmp(key, "PerSourceMaxStartups") == 0) {
        if (strcmp(v, "none") == 0) {
            tmp = LIMITS_NO_LIMIT;
        } else if (cfgline_int(v, 0, LIMITS_INT_MAX, &tmp) != 0) {
            return ERR_FORMAT;
        }
        if (l->per_source_max == -1) {
            l->per_source_max = tmp;
        }
        return 0;
    }
    if (strcasecmp(key, "MaxSessions") == 0) {
        if (cfgline_int(v, 0, LIMITS_INT_MAX, &tmp) != 0) {
            return ERR_FORMAT;
        }
        set_default(&l->max_sessions, tmp);
        return 0;
    }
    if (strcasecmp(key, "PerSourcePenaltyExemptList") == 0) {
        if (addrmatch_list(NULL, v) < 0) {
            return ERR_FORMAT;
        }
        if (l->penalty_exempt == NULL &&
            (l->penalty_exempt = str_ndup(v, strlen(v))) == NULL) {
            return ERR_NOMEM;
        }
        return 0;
    }
    return ERR_NOTFOUND;
}

int
server_limits_config_line(struct server_limits_config *l, const char *key,
                          const char *value, char *why, size_t why_len)
{
    int r = limits_value(l, key, value);

    if (r == 0 || r == ERR_NOTFOUND || r == ERR_NOMEM) {
        return r;
    }
    snprintf(why, why_len, "bad %s argument \"%s\"", key, value);
    return ERR_CONFIG;
}
