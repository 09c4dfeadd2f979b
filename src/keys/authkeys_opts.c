/* SPDX-License-Identifier: ISC */
/* authorized_keys options, per sshd(8) AUTHORIZED_KEYS FILE FORMAT. */
#include "keys/authkeys_opts.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

struct opt_entry;
typedef int (*opt_fn)(struct authkey_opts *o, const struct opt_entry *e,
                      const char *val, char *why, size_t why_len);

/* One option: its name, whether it takes ="value", and what it sets. */
struct opt_entry {
    const char *name;
    bool has_value;
    opt_fn fn;
    size_t field; /* offsetof the member the handler sets */
    int value;    /* for tri-state flags: 0 or 1 */
};

/* Write the reason a line is refused; always ERR_FORMAT. */
static int __attribute__((format(printf, 3, 4)))
fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    if (why != NULL && why_len > 0) {
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return ERR_FORMAT;
}

#define FIELD(o, e, type) ((type *)(void *)((char *)(o) + (e)->field))

static int
opt_tristate(struct authkey_opts *o, const struct opt_entry *e, const char *val,
             char *why, size_t why_len)
{
    *FIELD(o, e, int) = e->value;
    return 0;
}

static int
opt_bool(struct authkey_opts *o, const struct opt_entry *e, const char *val,
         char *why, size_t why_len)
{
    *FIELD(o, e, bool) = true;
    return 0;
}

/* tunnel="n": a device number, or "any" as OpenSSH's a2tun() allows. */
static bool
valid_tunnel(const char *v)
{
    size_t n = strspn(v, "0123456789");

    return strcmp(v, "any") == 0 || (n > 0 && n <= 9 && v[n] == '\0');
}

/* command, from, principals, tunnel: once each per line. */
static int
opt_single(struct authkey_opts *o, const struct opt_entry *e, const char *val,
           char *why, size_t why_len)
{
    char **dst = FIELD(o, e, char *);

    if (*dst != NULL) {
        return fail(why, why_len, "duplicate %s option", e->name);
    }
    if (strcmp(e->name, "tunnel") == 0 && !valid_tunnel(val)) {
        return fail(why, why_len, "invalid tunnel \"%s\"", val);
    }
    if (strcmp(e->name, "from") == 0 && *val == '\0') {
        return fail(why, why_len, "empty %s option", e->name);
    }
    if ((*dst = strdup(val)) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

/* A port: "*" or 1..65535 in decimal (port 0 is refused, as a2port()). */
static bool
valid_port(const char *p)
{
    size_t n = strspn(p, "0123456789");
    long v;

    if (strcmp(p, "*") == 0) {
        return true;
    }
    if (n == 0 || n > 5 || p[n] != '\0') {
        return false;
    }
    v = strtol(p, NULL, 10);
    return v >= 1 && v <= 65535;
}

/* A host: non-empty, no blanks, not absurdly long. */
static bool
valid_host(const char *h, size_t n)
{
    size_t i;

    if (n == 0 || n > LIM_HOSTNAME) {
        return false;
    }
    for (i = 0; i < n; i++) {
        if (isspace((unsigned char)h[i]) || h[i] == '[' || h[i] == ']') {
            return false;
        }
    }
    return true;
}

/*
 * "host:port" or "[v6addr]:port" (OpenSSH hpdelim2); for permitlisten the
 * host may be left out entirely ("port").
 */
static bool
valid_permit(const char *v, bool port_only_ok)
{
    const char *colon, *close;

    if (v[0] == '[') {
        close = strchr(v, ']');
        return close != NULL && close[1] == ':' &&
               valid_host(v + 1, (size_t)(close - v - 1)) &&
               valid_port(close + 2);
    }
    colon = strchr(v, ':');
    if (colon == NULL) {
        return port_only_ok && valid_port(v);
    }
    return valid_host(v, (size_t)(colon - v)) && valid_port(colon + 1);
}

/* environment="NAME=value": NAME is letters, digits and underscores. */
static bool
valid_env(const char *v)
{
    size_t n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789_");

    return n > 0 && v[n] == '=';
}

/* The list members: pointer then count, in that order in the struct. */
static int
list_append(char ***v, size_t *n, const char *val)
{
    char **nv;

    if (*n >= LIM_PERMIT_ENTRIES) {
        return ERR_LIMIT;
    }
    if ((nv = realloc(*v, (*n + 1) * sizeof(*nv))) == NULL) {
        return ERR_NOMEM;
    }
    *v = nv;
    if ((nv[*n] = strdup(val)) == NULL) {
        return ERR_NOMEM;
    }
    (*n)++;
    return 0;
}

enum { LIST_ENV, LIST_PERMITOPEN, LIST_PERMITLISTEN };

/* environment, permitopen, permitlisten: may repeat, each one kept. */
static int
opt_list(struct authkey_opts *o, const struct opt_entry *e, const char *val,
         char *why, size_t why_len)
{
    char ***v;
    size_t *n;
    bool ok;
    int r;

    switch (e->value) {
    case LIST_ENV:
        ok = valid_env(val);
        v = &o->environment;
        n = &o->n_environment;
        break;
    case LIST_PERMITOPEN:
        ok = valid_permit(val, false);
        v = &o->permitopen;
        n = &o->n_permitopen;
        break;
    default:
        ok = valid_permit(val, true);
        v = &o->permitlisten;
        n = &o->n_permitlisten;
        break;
    }
    if (!ok) {
        return fail(why, why_len, "invalid %s", e->name);
    }
    if ((r = list_append(v, n, val)) == ERR_LIMIT) {
        return fail(why, why_len, "too many %s options", e->name);
    }
    return r;
}

/* Two decimal digits (or four for the year) at s. */
static int
digits_value(const char *s, size_t n)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int
authkeys_opts_parse_time(const char *s, int64_t *out)
{
    size_t n = strlen(s);
    struct tm tm, want;
    bool utc = false;
    time_t t;

    *out = 0;
    if (n > 0 && s[n - 1] == 'Z') {
        utc = true;
        n--;
    }
    if (strspn(s, "0123456789") != n || (n != 8 && n != 12 && n != 14)) {
        return ERR_FORMAT;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = digits_value(s, 4) - 1900;
    tm.tm_mon = digits_value(s + 4, 2) - 1;
    tm.tm_mday = digits_value(s + 6, 2);
    if (n >= 12) {
        tm.tm_hour = digits_value(s + 8, 2);
        tm.tm_min = digits_value(s + 10, 2);
    }
    if (n == 14) {
        tm.tm_sec = digits_value(s + 12, 2);
    }
    if (tm.tm_year < 70 || tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) {
        return ERR_FORMAT;
    }
    want = tm;
    tm.tm_isdst = -1;
    t = utc ? timegm(&tm) : mktime(&tm);
    /* Normalisation moved the date: it did not exist (20240231). */
    if (t == (time_t)-1 || tm.tm_mday != want.tm_mday ||
        tm.tm_mon != want.tm_mon || tm.tm_year != want.tm_year) {
        return ERR_FORMAT;
    }
    *out = (int64_t)t;
    return 0;
}

/* expiry-time may repeat; the earliest wins. */
static int
opt_expiry(struct authkey_opts *o, const struct opt_entry *e, const char *val,
           char *why, size_t why_len)
{
    int64_t t;

    if (authkeys_opts_parse_time(val, &t) != 0) {
        return fail(why, why_len, "invalid expiry-time \"%s\"", val);
    }
    if (!o->has_expiry || t < o->expiry) {
        o->expiry = t;
    }
    o->has_expiry = true;
    return 0;
}

#define OFF(m) offsetof(struct authkey_opts, m)

static const struct opt_entry opt_table[] = {
    {"agent-forwarding", false, opt_tristate, OFF(agent_forwarding), 1},
    {"cert-authority", false, opt_bool, OFF(cert_authority), 0},
    {"command", true, opt_single, OFF(command), 0},
    {"environment", true, opt_list, 0, LIST_ENV},
    {"expiry-time", true, opt_expiry, 0, 0},
    {"from", true, opt_single, OFF(from), 0},
    {"no-agent-forwarding", false, opt_tristate, OFF(agent_forwarding), 0},
    {"no-port-forwarding", false, opt_tristate, OFF(port_forwarding), 0},
    {"no-pty", false, opt_tristate, OFF(pty), 0},
    {"no-touch-required", false, opt_bool, OFF(no_touch_required), 0},
    {"no-user-rc", false, opt_tristate, OFF(user_rc), 0},
    {"no-X11-forwarding", false, opt_tristate, OFF(x11_forwarding), 0},
    {"permitlisten", true, opt_list, 0, LIST_PERMITLISTEN},
    {"permitopen", true, opt_list, 0, LIST_PERMITOPEN},
    {"port-forwarding", false, opt_tristate, OFF(port_forwarding), 1},
    {"principals", true, opt_single, OFF(principals), 0},
    {"pty", false, opt_tristate, OFF(pty), 1},
    {"restrict", false, opt_bool, OFF(restrict_all), 0},
    {"tunnel", true, opt_single, OFF(tunnel), 0},
    {"user-rc", false, opt_tristate, OFF(user_rc), 1},
    {"verify-required", false, opt_bool, OFF(verify_required), 0},
    {"X11-forwarding", false, opt_tristate, OFF(x11_forwarding), 1},
};

/* Option names are matched without regard to case, as sshd does. */
static const struct opt_entry *
opt_lookup(const char *name, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(opt_table) / sizeof(opt_table[0]); i++) {
        if (strlen(opt_table[i].name) == n &&
            strncasecmp(opt_table[i].name, name, n) == 0) {
            return &opt_table[i];
        }
    }
    return NULL;
}

/*
 * A quoted value starting at s[*pos]: "..." where \" stands for a quote and
 * any other backslash is kept as written (sshd does the same).
 */
static int
read_value(const char *s, size_t *pos, char **out, char *why, size_t why_len)
{
    size_t i = *pos, o = 0;
    char *v;

    *out = NULL;
    if (s[i] != '"') {
        return fail(why, why_len, "option value must be quoted");
    }
    if ((v = malloc(strlen(s + i) + 1)) == NULL) {
        return ERR_NOMEM;
    }
    for (i++; s[i] != '\0' && s[i] != '"'; i++) {
        if (s[i] == '\\' && s[i + 1] == '"') {
            i++;
        }
        v[o++] = s[i];
    }
    if (s[i] != '"') {
        free(v);
        return fail(why, why_len, "unterminated quoted value");
    }
    v[o] = '\0';
    *pos = i + 1;
    *out = v;
    return 0;
}

#define OPT_NAME_CHARS                                                         \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

/* One "name" or "name=\"value\"" at s[*pos], applied to o. */
static int
parse_one(const char *s, size_t *pos, struct authkey_opts *o, char *why,
          size_t why_len)
{
    size_t i = *pos, n = strspn(s + i, OPT_NAME_CHARS);
    const struct opt_entry *e;
    char *val = NULL;
    int r;

    if (n == 0 || n > LIM_NAME) {
        return fail(why, why_len, "bad option syntax near \"%.20s\"", s + i);
    }
    if ((e = opt_lookup(s + i, n)) == NULL) {
        return fail(why, why_len, "unknown option \"%.*s\"", (int)n, s + i);
    }
    i += n;
    if (s[i] == '=') {
        i++;
        if ((r = read_value(s, &i, &val, why, why_len)) != 0) {
            return r;
        }
    }
    if (e->has_value && val == NULL) {
        return fail(why, why_len, "option %s needs a value", e->name);
    }
    if (!e->has_value && val != NULL) {
        free(val);
        return fail(why, why_len, "option %s takes no value", e->name);
    }
    r = e->fn(o, e, val == NULL ? "" : val, why, why_len);
    free(val);
    *pos = i;
    return r;
}

/* The options at s[*pos]; with to_end, they may run to the end of s. */
static int
parse_all(const char *s, size_t *pos, struct authkey_opts *o, bool to_end,
          char *why, size_t why_len)
{
    size_t i = *pos;
    int r;

    /* Every option consumes at least one byte, so this loop is bounded. */
    for (;;) {
        if ((r = parse_one(s, &i, o, why, why_len)) != 0) {
            return r;
        }
        if (s[i] == ',') {
            i++;
            continue;
        }
        if (to_end) {
            i += strspn(s + i, " \t");
        }
        if (!to_end && (s[i] == ' ' || s[i] == '\t')) {
            *pos = i;
            return 0;
        }
        if (s[i] == '\0') {
            *pos = i;
            return to_end ? 0 : fail(why, why_len, "missing key after options");
        }
        return fail(why, why_len, "bad option syntax near \"%.20s\"", s + i);
    }
}

int
authkeys_opts_parse(const char *s, size_t *pos, struct authkey_opts *o,
                    char *why, size_t why_len)
{
    return parse_all(s, pos, o, false, why, why_len);
}

int
authkeys_opts_parse_until_end(const char *s, size_t *pos,
                              struct authkey_opts *o, char *why, size_t why_len)
{
    return parse_all(s, pos, o, true, why, why_len);
}

void
authkeys_opts_init(struct authkey_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->port_forwarding = -1;
    o->agent_forwarding = -1;
    o->x11_forwarding = -1;
    o->pty = -1;
    o->user_rc = -1;
}

static void
list_free(char **v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

/* Copy n strings into *out and *n_out; nothing is kept on failure. */
static int
list_copy(char ***out, size_t *n_out, char *const *v, size_t n)
{
    size_t i;

    *out = NULL;
    *n_out = 0;
    if (n == 0) {
        return 0;
    }
    if ((*out = calloc(n, sizeof(**out))) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        if (((*out)[i] = strdup(v[i])) == NULL) {
            list_free(*out, i);
            *out = NULL;
            return ERR_NOMEM;
        }
    }
    *n_out = n;
    return 0;
}

static int
str_copy(char **out, const char *s)
{
    *out = NULL;
    if (s != NULL && (*out = strdup(s)) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

int
authkeys_opts_copy(struct authkey_opts *dst, const struct authkey_opts *src)
{
    int r;

    *dst = *src;
    /* Own nothing yet, so a failure part-way can be cleaned up. */
    dst->permitopen = dst->permitlisten = dst->environment = NULL;
    dst->n_permitopen = dst->n_permitlisten = dst->n_environment = 0;
    dst->from = dst->command = dst->principals = dst->tunnel = NULL;
    if ((r = list_copy(&dst->permitopen, &dst->n_permitopen, src->permitopen,
                       src->n_permitopen)) == 0 &&
        (r = list_copy(&dst->permitlisten, &dst->n_permitlisten,
                       src->permitlisten, src->n_permitlisten)) == 0) {
        r = list_copy(&dst->environment, &dst->n_environment, src->environment,
                      src->n_environment);
    }
    if (r != 0 || (r = str_copy(&dst->from, src->from)) != 0 ||
        (r = str_copy(&dst->command, src->command)) != 0 ||
        (r = str_copy(&dst->principals, src->principals)) != 0 ||
        (r = str_copy(&dst->tunnel, src->tunnel)) != 0) {
        authkeys_opts_cleanup(dst);
    }
    return r;
}

void
authkeys_opts_cleanup(struct authkey_opts *o)
{
    list_free(o->permitopen, o->n_permitopen);
    list_free(o->permitlisten, o->n_permitlisten);
    list_free(o->environment, o->n_environment);
    free(o->from);
    free(o->command);
    free(o->principals);
    free(o->tunnel);
    authkeys_opts_init(o);
}
