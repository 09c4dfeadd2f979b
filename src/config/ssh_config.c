/* SPDX-License-Identifier: ISC */
/* ssh_config(5) text, line by line, onto a struct client_config. */
#include "config/ssh_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/client_config_table.h"
#include "config/ssh_config_int.h"
#include "config/ssh_tokens.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

#define CFG_BLANKS " \t\r\n"

void
ssh_config_read_init(struct ssh_config_read *rd, struct client_config *cfg,
                     const char *host, const char *local_user, const char *home)
{
    memset(rd, 0, sizeof(*rd));
    rd->cfg = cfg;
    rd->host = host;
    rd->original_host = host;
    rd->local_user = local_user;
    rd->home = home;
    rd->glob_home = home;
    rd->system_dir = "/etc/ssh";
    rd->is_active = true;
}

void
ssh_config_diagf(struct ssh_config_read *rd, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (rd->diag == NULL) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    rd->diag(rd->diag_arg, msg);
}

/*
 * Split s into words as ssh's argv_split(): blanks separate words, "..."
 * and '...' group (the quotes go), '\' escapes a quote, a '\' or (outside
 * quotes) a blank, and a word starting with '#' ends the line.
 */
static int
cfg_split_args(const char *s, struct cfg_args *a)
{
    char *o, quote = 0;

    a->n = 0;
    if ((a->buf = malloc(strlen(s) + 1)) == NULL) {
        return ERR_NOMEM;
    }
    o = a->buf;
    for (;;) {
        s += strspn(s, CFG_BLANKS);
        if (*s == '\0' || *s == '#') {
            return 0;
        }
        if (a->n == SSH_CONFIG_MAX_ARGS) {
            return ERR_LIMIT;
        }
        a->v[a->n++] = o;
        for (; *s != '\0'; s++) {
            if (*s == '\\' && (s[1] == '\'' || s[1] == '"' || s[1] == '\\' ||
                               (quote == 0 && s[1] == ' '))) {
                *o++ = *++s;
            } else if (quote == 0 && (*s == '"' || *s == '\'')) {
                quote = *s;
            } else if (quote != 0 && *s == quote) {
                quote = 0;
            } else if (quote == 0 && strchr(CFG_BLANKS, *s) != NULL) {
                break;
            } else {
                *o++ = *s;
            }
        }
        *o++ = '\0';
        if (quote != 0) {
            return ERR_FORMAT;
        }
    }
}

static void
cfg_lower(char *s)
{
    for (; *s != '\0'; s++) {
        *s = (char)tolower((unsigned char)*s);
    }
}

/* Tell once about a keyword ssh knows and adit ignores. */
static void
cfg_warn_ignored(struct ssh_config_read *rd, const struct cfg_where *w,
                 const struct copt *o)
{
    size_t i;

    for (i = 0; i < rd->n_warned; i++) {
        if (rd->warned[i] == o->name) {
            return;
        }
    }
    if (rd->n_warned < SSH_CONFIG_MAX_WARNED) {
        rd->warned[rd->n_warned++] = o->name;
    }
    if (!rd->is_quiet_ignored) {
        ssh_config_diagf(rd, "%s line %u: Unsupported option \"%s\"", w->file,
                         w->line, o->name);
    }
}

/* Forward words: ${VAR} expanded first, as ssh does, then joined. */
static int
cfg_fwd_value(struct ssh_config_read *rd, const struct cfg_where *w,
              const struct cfg_args *a, char **value)
{
    char *e[2] = {NULL, NULL}, why[512] = "";
    size_t i, n = 0;
    int r = 0;

    for (i = 0; i < a->n && i < 2 && r == 0; i++) {
        if ((r = ssh_tokens_env(a->v[i], &e[i], why, sizeof(why))) == 0) {
            n += strlen(e[i]) + 2;
        }
    }
    if (r == 0 && (*value = malloc(n)) == NULL) {
        r = ERR_NOMEM;
    } else if (r == 0) {
        snprintf(*value, n, "%s%s%s", e[0], e[1] != NULL ? " " : "",
                 e[1] != NULL ? e[1] : "");
    } else if (r == ERR_FORMAT) {
        ssh_config_diagf(rd, "%s line %u: %s", w->file, w->line, why);
        r = ERR_CONFIG;
    }
    free(e[0]);
    free(e[1]);
    return r;
}

/* The value the table gets: one word, the raw rest, or the words joined. */
static int
cfg_value(struct ssh_config_read *rd, const struct cfg_where *w,
          const struct copt *o, const char *rest, const struct cfg_args *a,
          char **value)
{
    size_t i, n = 0;
    char *p;

    if (o->kind == COPT_PROXY && strcasecmp(o->name, "ProxyCommand") == 0) {
        n = strlen(rest);
        while (n > 0 && strchr(CFG_BLANKS, rest[n - 1]) != NULL) {
            n--;
        }
        return (*value = str_ndup(rest, n)) == NULL ? ERR_NOMEM : 0;
    }
    if (o->kind == COPT_LINE && strcasecmp(o->name, "LocalCommand") == 0) {
        return cfg_value(rd, w, client_config_table_find("ProxyCommand"), rest,
                         a, value);
    }
    if (o->kind == COPT_LOCALFWD || o->kind == COPT_REMOTEFWD) {
        return cfg_fwd_value(rd, w, a, value);
    }
    for (i = 0; i < a->n; i++) {
        n += strlen(a->v[i]) + 1;
    }
    if ((*value = p = malloc(n + 1)) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < a->n; i++) {
        p += sprintf(p, i == 0 ? "%s" : " %s", a->v[i]);
    }
    *p = '\0';
    return 0;
}

/* Apply to the real config when active, else to a scratch one, so that
 * values in blocks that do not apply are checked all the same. */
static int
cfg_apply(struct ssh_config_read *rd, const struct cfg_where *w,
          const char *keyword, const char *value)
{
    struct client_config scratch, *c = rd->cfg;
    bool ignored = false;
    char why[512] = "";
    int r;

    if (!rd->is_active) {
        client_config_init(&scratch);
        c = &scratch;
    }
    r = client_config_set2(c, keyword, value, &ignored, why, sizeof(why));
    if (c == &scratch) {
        client_config_cleanup(&scratch);
    }
    if (r == ERR_CONFIG) {
        ssh_config_diagf(rd, "%s line %u: %s", w->file, w->line, why);
    }
    return r;
}

/*
 * LocalForward takes "listen target" (two words), RemoteForward that or
 * one word for a remote dynamic forward, as ssh's readconf.
 */
static int
cfg_fwd_arity(struct ssh_config_read *rd, const struct cfg_where *w,
              const struct copt *o, const char *keyword,
              const struct cfg_args *a)
{
    struct fwdspec f;
    bool is_dynamic;

    if (o->kind != COPT_LOCALFWD && o->kind != COPT_REMOTEFWD) {
        return 0;
    }
    if (a->n > 2) {
        ssh_config_diagf(rd,
                         "%s line %u: keyword %s extra arguments at end "
                         "of line",
                         w->file, w->line, keyword);
        return ERR_CONFIG;
    }
    if (a->n == 2) {
        return 0;
    }
    if (o->kind == COPT_LOCALFWD) {
        ssh_config_diagf(rd, "%s line %u: Missing target argument.", w->file,
                         w->line);
        return ERR_CONFIG;
    }
    if (fwdspec_parse_kind(a->v[0], FWDSPEC_REMOTE, &f) != 0) {
        return 0; /* the table reports it */
    }
    is_dynamic = fwdspec_is_dynamic(&f);
    fwdspec_cleanup(&f);
    if (!is_dynamic) {
        ssh_config_diagf(rd, "%s line %u: Bad forwarding specification.",
                         w->file, w->line);
        return ERR_CONFIG;
    }
    return 0;
}

static int
cfg_keyword(struct ssh_config_read *rd, const struct cfg_where *w,
            char *keyword, const char *rest, const struct cfg_args *a)
{
    const struct copt *o = client_config_table_find(keyword);
    char *value = NULL;
    int r;

    cfg_lower(keyword);
    if (o == NULL) {
        if (rd->cfg->ignore_unknown != NULL &&
            ssh_config_match_list(keyword, rd->cfg->ignore_unknown, true) ==
                1) {
            return 0;
        }
        ssh_config_diagf(rd, "%s: line %u: Bad configuration option: %s",
                         w->file, w->line, keyword);
        return ERR_CONFIG;
    }
    if (a->n == 0 || a->v[0][0] == '\0') {
        ssh_config_diagf(rd, "%s line %u: no argument after keyword \"%s\"",
                         w->file, w->line, keyword);
        return ERR_CONFIG;
    }
    if ((r = cfg_fwd_arity(rd, w, o, keyword, a)) != 0) {
        return r;
    }
    if (o->kind == COPT_IGNORED) {
        if (rd->is_active) {
            cfg_warn_ignored(rd, w, o);
        }
        return 0;
    }
    if (client_config_table_is_word(o) && a->n > 1) {
        ssh_config_diagf(rd,
                         "%s line %u: keyword %s extra arguments at end "
                         "of line",
                         w->file, w->line, keyword);
        return ERR_CONFIG;
    }
    if ((r = cfg_value(rd, w, o, rest, a, &value)) != 0) {
        return r;
    }
    r = cfg_apply(rd, w, o->name, value);
    free(value);
    return r;
}

/* Include: each word a glob, relative ones under ~/.ssh or /etc/ssh. ssh
 * globs "~/.ssh/word" with GLOB_TILDE, so this ~ is glob(3)'s: $HOME when
 * set, unlike the passwd entry's ~ everywhere else (rd->glob_home). */
static int
cfg_include(struct ssh_config_read *rd, const struct cfg_where *w,
            const struct cfg_args *a, int depth)
{
    bool was_active = rd->is_active, was_never = rd->is_never_match;
    char *pat = NULL, *tmp = NULL;
    size_t i, n;
    int r = 0;

    if (depth + 1 > SSH_CONFIG_MAX_DEPTH) {
        ssh_config_diagf(rd, "Too many recursive configuration includes");
        return ERR_LIMIT;
    }
    for (i = 0; i < a->n && r == 0; i++) {
        /* glob(3)'s GLOB_TILDE leaves an unknown ~user as it is: no
         * file matches it. */
        if ((r = ssh_tokens_tilde(a->v[i], rd->glob_home, &tmp, NULL, 0)) ==
            ERR_NOTFOUND) {
            r = 0;
            continue;
        }
        if (r != 0) {
            break;
        }
        if (tmp[0] != '/') {
            const char *dir = rd->is_user_file ? rd->glob_home : rd->system_dir;

            n = strlen(dir) + strlen(tmp) + 8;
            if ((pat = malloc(n)) != NULL) {
                snprintf(pat, n, "%s%s/%s", dir,
                         rd->is_user_file ? "/.ssh" : "", tmp);
            }
            free(tmp);
        } else {
            pat = tmp;
        }
        tmp = NULL;
        if (pat == NULL) {
            return ERR_NOMEM;
        }
        rd->is_never_match = was_never || !was_active;
        if (rd->include != NULL) {
            r = rd->include(rd, pat, depth + 1);
        }
        /* An included file's Match must not change the includer's state. */
        rd->is_active = was_active;
        rd->is_never_match = was_never;
        free(pat);
        pat = NULL;
    }
    (void)w;
    return r;
}

static int
cfg_directive(struct ssh_config_read *rd, const struct cfg_where *w,
              const char *keyword, const struct cfg_args *a, int depth)
{
    if (w->is_cmdline) {
        ssh_config_diagf(rd,
                         "%s directive not supported as a command-line "
                         "option",
                         keyword);
        return ERR_CONFIG;
    }
    if (strcasecmp(keyword, "Include") == 0) {
        if (a->n == 0) {
            ssh_config_diagf(rd,
                             "%s line %u: no argument after keyword "
                             "\"include\"",
                             w->file, w->line);
            return ERR_CONFIG;
        }
        return cfg_include(rd, w, a, depth);
    }
    if (strcasecmp(keyword, "Match") == 0) {
        return ssh_config_match_line(rd, w, a);
    }
    if (a->n == 0) {
        ssh_config_diagf(rd, "%s line %u: no argument after keyword \"host\"",
                         w->file, w->line);
        return ERR_CONFIG;
    }
    ssh_config_host_line(rd, a);
    return 0;
}

/* One line. ERR_CONFIG (counted by the caller) for a bad one. */
static int
cfg_line(struct ssh_config_read *rd, const struct cfg_where *w,
         const char *line, int depth)
{
    struct cfg_args a;
    char *keyword = NULL;
    const char *rest;
    size_t klen;
    int r;

    memset(&a, 0, sizeof(a));
    line += strspn(line, CFG_BLANKS);
    if (*line == '\0' || *line == '#') {
        return 0;
    }
    klen = strcspn(line, CFG_BLANKS "=");
    rest = line + klen;
    rest += strspn(rest, " \t");
    rest += *rest == '=';
    rest += strspn(rest, " \t");
    if ((keyword = str_ndup(line, klen)) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = cfg_split_args(rest, &a)) != 0) {
        if (r != ERR_NOMEM) {
            ssh_config_diagf(rd, "%s line %u: invalid quotes", w->file,
                             w->line);
            r = ERR_CONFIG;
        }
    } else if (strcasecmp(keyword, "Host") == 0 ||
               strcasecmp(keyword, "Match") == 0 ||
               strcasecmp(keyword, "Include") == 0) {
        r = cfg_directive(rd, w, keyword, &a, depth);
    } else {
        r = cfg_keyword(rd, w, keyword, rest, &a);
    }
    free(a.buf);
    free(keyword);
    return r;
}

int
ssh_config_parse(struct ssh_config_read *rd, const char *filename,
                 const char *text, size_t len, int depth)
{
    struct cfg_where w = {filename, 0, false};
    char *line = NULL;
    size_t n;
    int r = 0;

    if (depth > SSH_CONFIG_MAX_DEPTH) {
        return ERR_LIMIT;
    }
    if ((line = malloc(LIM_LINE + 1)) == NULL) {
        return ERR_NOMEM;
    }
    while (len > 0 && r == 0) {
        const char *nl = memchr(text, '\n', len);

        n = nl != NULL ? (size_t)(nl - text) : len;
        w.line++;
        if (n > LIM_LINE) {
            ssh_config_diagf(rd, "%s line %u: line too long", filename, w.line);
            r = ERR_LIMIT;
            break;
        }
        memcpy(line, text, n);
        line[n] = '\0';
        if (memchr(line, '\0', n) != NULL) {
            rd->n_bad++; /* a NUL byte: not a text line */
        } else if ((r = cfg_line(rd, &w, line, depth)) == ERR_CONFIG) {
            rd->n_bad++;
            r = 0;
        }
        text += n + (nl != NULL);
        len -= n + (nl != NULL);
    }
    free(line);
    return r;
}

int
ssh_config_option(struct ssh_config_read *rd, const char *line)
{
    struct cfg_where w = {"command-line", 0, true};
    bool was_active = rd->is_active;
    int r;

    if (strlen(line) > LIM_LINE) {
        return ERR_CONFIG;
    }
    rd->is_active = true;
    r = cfg_line(rd, &w, line, 0);
    rd->is_active = was_active;
    return r;
}
