/* SPDX-License-Identifier: ISC */
/* Splitting one configuration line into keyword and value. */
#include "config/cfgline.h"

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
        { "QUIET", LOG_QUIET },     { "FATAL", LOG_QUIET },
        { "ERROR", LOG_ERROR },     { "INFO", LOG_INFO },
        { "VERBOSE", LOG_VERBOSE }, { "DEBUG", LOG_DEBUG1 },
        { "DEBUG1", LOG_DEBUG1 },   { "DEBUG2", LOG_DEBUG2 },
        { "DEBUG3", LOG_DEBUG3 },
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
