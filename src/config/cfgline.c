/* SPDX-License-Identifier: ISC */
/* Splitting one configuration line into keyword and value. */
#include "config/cfgline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

#define CFG_BLANKS " \t\r\n"

static size_t
cfgline_trim_end(const char *s, size_t n)
{
    while (n > 0 && strchr(CFG_BLANKS, s[n - 1]) != NULL) {
        n--;
    }
    return n;
}

/* The value part: unquote "..." (no escapes, as ssh for these options). */
static int
cfgline_value(const char *v, char **value)
{
    size_t n = cfgline_trim_end(v, strlen(v));

    if (n == 0) {
        return ERR_FORMAT;
    }
    if (v[0] == '"') {
        if (n < 2 || v[n - 1] != '"' || memchr(v + 1, '"', n - 2) != NULL) {
            return ERR_FORMAT;
        }
        v++;
        n -= 2;
    }
    return (*value = str_ndup(v, n)) == NULL ? ERR_NOMEM : 0;
}

int
cfgline_split(const char *line, char **key, char **value)
{
    size_t klen;
    const char *v;
    int r;

    *key = NULL;
    *value = NULL;
    if (strlen(line) > LIM_LINE) {
        return ERR_FORMAT;
    }
    line += strspn(line, CFG_BLANKS);
    if (line[0] == '\0' || line[0] == '#') {
        return ERR_NOTFOUND;
    }
    klen = strcspn(line, CFG_BLANKS "=");
    v = line + klen;
    v += strspn(v, " \t");
    if (v[0] == '=') {
        v++;
    }
    v += strspn(v, " \t");
    if ((*key = str_ndup(line, klen)) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = cfgline_value(v, value)) != 0) {
        free(*key);
        *key = NULL;
    }
    return r;
}

int
cfgline_bool(const char *v, int *out)
{
    if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0) {
        *out = 1;
    } else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0) {
        *out = 0;
    } else {
        return ERR_FORMAT;
    }
    return 0;
}

int
cfgline_int(const char *v, long lo, long hi, int *out)
{
    char *end = NULL;
    long n;

    if (v[0] < '0' || v[0] > '9' || strlen(v) > 10) {
        return ERR_FORMAT;
    }
    n = strtol(v, &end, 10);
    if (*end != '\0' || n < lo || n > hi) {
        return ERR_FORMAT;
    }
    *out = (int)n;
    return 0;
}

int
cfgline_loglevel(const char *v, int *out)
{
    static const struct {
        const char *name;
        int level;
    } levels[] = {
        {"QUIET", LOG_QUIET},     {"FATAL", LOG_QUIET},
        {"ERROR", LOG_ERROR},     {"INFO", LOG_INFO},
        {"VERBOSE", LOG_VERBOSE}, {"DEBUG", LOG_DEBUG1},
        {"DEBUG1", LOG_DEBUG1},   {"DEBUG2", LOG_DEBUG2},
        {"DEBUG3", LOG_DEBUG3},
    };
    size_t i;

    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (strcasecmp(v, levels[i].name) == 0) {
            *out = levels[i].level;
            return 0;
        }
    }
    return ERR_FORMAT;
}

const char *
cfgline_loglevel_name(int level, const char *unset)
{
    switch (level) {
    case LOG_QUIET:
        return "QUIET";
    case LOG_ERROR:
        return "ERROR";
    case LOG_INFO:
        return "INFO";
    case LOG_VERBOSE:
        return "VERBOSE";
    case LOG_DEBUG1:
        return "DEBUG1";
    case LOG_DEBUG2:
        return "DEBUG2";
    case LOG_DEBUG3:
        return "DEBUG3";
    default:
        return unset;
    }
}

int
cfgline_time(const char *v, int *out)
{
    static const char units[] = "sSmMhHdDwW";
    static const long mult[] = {1,    1,     60,    60,     3600,
                                3600, 86400, 86400, 604800, 604800};
    const long max = 86400L * 365;
    const char *u;
    long total = 0, n = 0;
    bool digits = false;

    if (*v == '\0') {
        return ERR_FORMAT;
    }
    for (; *v != '\0'; v++) {
        if (*v >= '0' && *v <= '9') {
            n = n * 10 + (*v - '0');
            digits = true;
        } else if (digits && (u = strchr(units, *v)) != NULL) {
            total += n * mult[u - units];
            n = 0;
            digits = false;
        } else {
            return ERR_FORMAT;
        }
        if (n > max || total > max) {
            return ERR_FORMAT;
        }
    }
    total += n;
    if (total > max) {
        return ERR_FORMAT;
    }
    *out = (int)total;
    return 0;
}

/* Bytes with an optional K/M/G suffix (either case), as ssh's
 * scan_scaled() takes them for RekeyLimit, without fractions. */
static int
cfgline_bytes(const char *v, size_t len, int64_t *out)
{
    static const char units[] = "kKmMgG";
    const char *u;
    uint64_t n = 0;
    unsigned shift = 0;
    size_t i;

    if (len > 0 && (u = memchr(units, v[len - 1], 6)) != NULL) {
        shift = 10u * (unsigned)((u - units) / 2 + 1);
        len--;
    }
    if (len == 0 || len > 18) {
        return ERR_FORMAT;
    }
    for (i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9') {
            return ERR_FORMAT;
        }
        n = n * 10 + (uint64_t)(v[i] - '0');
    }
    if (n > (uint64_t)INT64_MAX >> shift) {
        return ERR_FORMAT;
    }
    *out = (int64_t)(n << shift);
    return 0;
}

int
cfgline_rekey_limit(const char *v, int64_t *bytes, int *seconds)
{
    size_t n1, gap, n2;
    const char *t;
    char tbuf[32];
    int64_t b = 0;
    int s = -1;

    n1 = strcspn(v, CFG_BLANKS);
    gap = strspn(v + n1, CFG_BLANKS);
    t = v + n1 + gap;
    n2 = strcspn(t, CFG_BLANKS);
    if (t[n2 + strspn(t + n2, CFG_BLANKS)] != '\0') {
        return ERR_FORMAT; /* a third word */
    }
    if (!(n1 == 7 && strncasecmp(v, "default", 7) == 0) &&
        (cfgline_bytes(v, n1, &b) != 0 || (b != 0 && b < 16))) {
        return ERR_FORMAT;
    }
    if (n2 == 4 && strncasecmp(t, "none", 4) == 0) {
        s = 0;
    } else if (n2 > 0) {
        if (n2 >= sizeof(tbuf)) {
            return ERR_FORMAT;
        }
        memcpy(tbuf, t, n2);
        tbuf[n2] = '\0';
        if (cfgline_time(tbuf, &s) != 0) {
            return ERR_FORMAT;
        }
    }
    if (*bytes == -1) {
        *bytes = b;
    }
    if (*seconds == -1 && s != -1) {
        *seconds = s;
    }
    return 0;
}
