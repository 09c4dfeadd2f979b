/* SPDX-License-Identifier: ISC */
/* The client's options, table-driven (ssh_config(5) keywords). */
#include "config/client_config.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "config/client_config_table.h"
#include "util/err.h"
#include "util/mem.h"

#define CLIENT_MAX_LIST 100u
#define CLIENT_MAX_FORWARDS 256u

void
client_config_init(struct client_config *c)
{
    memset(c, 0, sizeof(*c));
    client_config_table_unset(c);
}

static void
client_config_free_list(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void
client_config_free_fwds(struct fwdspec *f, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        fwdspec_cleanup(&f[i]);
    }
    free(f);
}

void
client_config_cleanup(struct client_config *c)
{
    client_config_table_free_strings(c);
    client_config_free_list(c->identity_files, c->n_identity_files);
    client_config_free_list(c->certificate_files, c->n_certificate_files);
    client_config_free_list(c->set_env, c->n_set_env);
    client_config_free_list(c->send_env, c->n_send_env);
    client_config_free_fwds(c->local_fwds, c->n_local_fwds);
    client_config_free_fwds(c->remote_fwds, c->n_remote_fwds);
    client_config_free_fwds(c->dynamic_fwds, c->n_dynamic_fwds);
    free(c->host_alias);
    free(c->stdio_forward);
    free(c->forward_agent_path);
    client_config_init(c);
}

/* ForwardAgent: yes or no, else a socket path (ssh's readconf.c: the
 * path also turns forwarding on if it is unset, and is kept even when a
 * "no" came first; "$NAME" must name a valid variable). */
static int
client_config_fwdagent(struct client_config *c, const char *v)
{
    size_t i;
    int b;

    if (cfgline_bool(v, &b) == 0) {
        if (c->forward_agent == -1) {
            c->forward_agent = b;
        }
        return 0;
    }
    if (v[0] == '$' && v[1] != '{') {
        for (i = 1; v[i] != '\0'; i++) {
            if (!(isalnum((unsigned char)v[i]) || v[i] == '_')) {
                return ERR_FORMAT;
            }
        }
        if (i == 1 || isdigit((unsigned char)v[1])) {
            return ERR_FORMAT;
        }
    }
    if (c->forward_agent == -1) {
        c->forward_agent = 1;
    }
    if (c->forward_agent_path == NULL &&
        (c->forward_agent_path = str_ndup(v, strlen(v))) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

int
client_config_list_add(char ***v, size_t *n, const char *s)
{
    char **nv;

    if (*n >= CLIENT_MAX_LIST) {
        return ERR_LIMIT;
    }
    if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
        return ERR_NOMEM;
    }
    *v = nv;
    if ((nv[*n] = str_ndup(s, strlen(s))) == NULL) {
        return ERR_NOMEM;
    }
    (*n)++;
    return 0;
}

/* Whitespace-separated words of v, each added to the list. */
static int
client_config_words_add(char ***v, size_t *n, const char *s)
{
    char w[LIM_CFG_WORD + 1];
    size_t len;
    int r;

    for (s += strspn(s, " \t"); *s != '\0'; s += strspn(s, " \t")) {
        len = strcspn(s, " \t");
        if (len > LIM_CFG_WORD) {
            return ERR_FORMAT;
        }
        memcpy(w, s, len);
        w[len] = '\0';
        if ((r = client_config_list_add(v, n, w)) != 0) {
            return r;
        }
        s += len;
    }
    return 0;
}

static bool
client_config_str_eq(const char *a, const char *b)
{
    return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* ssh ignores a forward, identity or certificate it already has (a
 * second pass over the files would otherwise add each one twice). */
static bool
client_config_fwd_eq(const struct fwdspec *a, const struct fwdspec *b)
{
    return a->bind_kind == b->bind_kind && a->listen_port == b->listen_port &&
           a->host_port == b->host_port &&
           client_config_str_eq(a->bind, b->bind) &&
           client_config_str_eq(a->listen_path, b->listen_path) &&
           client_config_str_eq(a->host, b->host) &&
           client_config_str_eq(a->connect_path, b->connect_path);
}

static int
client_config_add_unique(char ***v, size_t *n, const char *s)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if (strcmp((*v)[i], s) == 0) {
            return 0;
        }
    }
    return client_config_list_add(v, n, s);
}

int
client_config_add_fwd(struct client_config *c, enum fwdspec_kind kind,
                      const char *v)
{
    struct fwdspec f, **list;
    size_t *n;
    struct fwdspec *nl;
    size_t i;
    int r;

    list = kind == FWDSPEC_LOCAL    ? &c->local_fwds
           : kind == FWDSPEC_REMOTE ? &c->remote_fwds
                                    : &c->dynamic_fwds;
    n = kind == FWDSPEC_LOCAL    ? &c->n_local_fwds
        : kind == FWDSPEC_REMOTE ? &c->n_remote_fwds
                                 : &c->n_dynamic_fwds;
    if (*n >= CLIENT_MAX_FORWARDS) {
        return ERR_LIMIT;
    }
    if ((r = fwdspec_parse_kind(v, kind, &f)) != 0) {
        return r;
    }
    for (i = 0; i < *n; i++) {
        if (client_config_fwd_eq(&(*list)[i], &f)) {
            fwdspec_cleanup(&f);
            return 0;
        }
    }
    if ((nl = realloc(*list, (*n + 1) * sizeof(*nl))) == NULL) {
        fwdspec_cleanup(&f);
        return ERR_NOMEM;
    }
    *list = nl;
    nl[(*n)++] = f;
    return 0;
}

/*
 * SetEnv: as ssh 9.2, only the first SetEnv line that applies counts, and
 * it may name several NAME=VALUE words.
 */
static int
client_config_setenv(struct client_config *c, const char *v)
{
    char **tmp = NULL;
    size_t n = 0, i;
    int r;

    if ((r = client_config_words_add(&tmp, &n, v)) != 0) {
        goto out;
    }
    for (i = 0; i < n; i++) {
        if (strchr(tmp[i], '=') == NULL || tmp[i][0] == '=') {
            r = ERR_FORMAT;
            goto out;
        }
    }
    if (c->n_set_env == 0) {
        c->set_env = tmp;
        c->n_set_env = n;
        tmp = NULL;
        n = 0;
    }
out:
    client_config_free_list(tmp, n);
    return r;
}

/*
 * ControlPersist: yes (the master stays until told to exit), no, or a time
 * after its last client (0 is yes), as ssh reads it. First value wins.
 */
static int
client_config_persist(struct client_config *c, const char *v)
{
    int b, t = 0;

    if (cfgline_bool(v, &b) != 0) {
        if (cfgline_time(v, &t) != 0) {
            return ERR_FORMAT;
        }
        b = 1;
    }
    if (c->control_persist == -1) {
        c->control_persist = b;
        c->control_persist_timeout = b ? t : 0;
    }
    return 0;
}

/*
 * ReconnectBackoff min[,max]: the first wait before a reconnect and the
 * most it grows to, each a time as ServerAliveInterval takes (1, 30s,
 * 5m). min is at least a second; max defaults to 60 s, or min if larger.
 * The first value obtained wins, as for every scalar.
 */
static int
client_config_backoff(struct client_config *c, const char *v)
{
    char lo[LIM_STRING_SMALL];
    const char *comma = strchr(v, ',');
    size_t n = comma != NULL ? (size_t)(comma - v) : strlen(v);
    int min = 0, max = 0, r;

    if (n == 0 || n >= sizeof(lo)) {
        return ERR_FORMAT;
    }
    memcpy(lo, v, n);
    lo[n] = '\0';
    if ((r = cfgline_time(lo, &min)) != 0 ||
        (comma != NULL && (r = cfgline_time(comma + 1, &max)) != 0)) {
        return r;
    }
    if (min < 1 || (comma != NULL && max < min)) {
        return ERR_FORMAT;
    }
    if (comma == NULL) {
        max =
            min > CLIENT_BACKOFF_MAX_DEFAULT ? min : CLIENT_BACKOFF_MAX_DEFAULT;
    }
    if (c->reconnect_backoff_min == -1) {
        c->reconnect_backoff_min = min;
        c->reconnect_backoff_max = max;
    }
    return 0;
}

const char *
client_config_control_path(const struct client_config *c)
{
    if (c->control_path == NULL || strcmp(c->control_path, "none") == 0) {
        return NULL;
    }
    return c->control_path;
}

int
client_config_alive_interval(const struct client_config *c)
{
    if (c->server_alive_interval >= 0) {
        return c->server_alive_interval;
    }
    return c->reconnect == 1 ? CLIENT_RECONNECT_ALIVE_INTERVAL : 0;
}

int
client_config_alive_count(const struct client_config *c)
{
    if (c->server_alive_count_max >= 0) {
        return c->server_alive_count_max;
    }
    return c->reconnect == 1 ? CLIENT_RECONNECT_ALIVE_COUNT : 3;
}

/* The list keywords: everything the table's scalar code does not do. */
static int
client_config_list_kind(struct client_config *c, const struct copt *o,
                        const char *v)
{
    switch (o->kind) {
    case COPT_IDENTITY:
        return client_config_add_unique(&c->identity_files,
                                        &c->n_identity_files, v);
    case COPT_CERTIFICATE:
        return client_config_add_unique(&c->certificate_files,
                                        &c->n_certificate_files, v);
    case COPT_SENDENV:
        return client_config_words_add(&c->send_env, &c->n_send_env, v);
    case COPT_SETENV:
        return client_config_setenv(c, v);
    case COPT_LOCALFWD:
        return client_config_add_fwd(c, FWDSPEC_LOCAL, v);
    case COPT_REMOTEFWD:
        return client_config_add_fwd(c, FWDSPEC_REMOTE, v);
    case COPT_DYNAMICFWD:
        return client_config_add_fwd(c, FWDSPEC_DYNAMIC, v);
    case COPT_REKEY:
        return cfgline_rekey_limit(v, &c->rekey_bytes, &c->rekey_seconds);
    case COPT_BACKOFF:
        return client_config_backoff(c, v);
    case COPT_PERSIST:
        return client_config_persist(c, v);
    case COPT_FWDAGENT:
        return client_config_fwdagent(c, v);
    default:
        return client_config_table_scalar(c, o, v);
    }
}

int
client_config_set2(struct client_config *c, const char *keyword,
                   const char *value, bool *is_ignored, char *why,
                   size_t why_len)
{
    const struct copt *o = client_config_table_find(keyword);
    int r;

    if (is_ignored != NULL) {
        *is_ignored = false;
    }
    if (o == NULL) {
        snprintf(why, why_len, "Bad configuration option: %s", keyword);
        return ERR_NOTFOUND;
    }
    if (o->kind == COPT_IGNORED) {
        if (is_ignored != NULL) {
            *is_ignored = true;
        }
        return 0;
    }
    r = client_config_list_kind(c, o, value);
    if (r == ERR_NOMEM) {
        return r;
    }
    if (r == ERR_LIMIT) {
        snprintf(why, why_len, "Too many %s entries.", o->name);
        return ERR_CONFIG;
    }
    if (r != 0) {
        client_config_table_why(o, value, why, why_len);
        return ERR_CONFIG;
    }
    return 0;
}

int
client_config_set(struct client_config *c, const char *keyword,
                  const char *value, char *why, size_t why_len)
{
    int r = client_config_set2(c, keyword, value, NULL, why, why_len);

    return r == ERR_NOTFOUND ? ERR_CONFIG : r;
}

bool
client_config_is_keyword(const char *keyword)
{
    return client_config_table_find(keyword) != NULL;
}

int
client_config_apply(struct client_config *c, const char *line, char *why,
                    size_t why_len)
{
    char *key = NULL, *value = NULL;
    int r;

    r = cfgline_split(line, &key, &value);
    if (r == ERR_NOTFOUND) {
        return 0;
    }
    if (r == ERR_NOMEM) {
        return r;
    }
    if (r != 0) {
        snprintf(why, why_len, "Missing argument.");
        return ERR_CONFIG;
    }
    r = client_config_set(c, key, value, why, why_len);
    free(key);
    free(value);
    return r;
}
