/* SPDX-License-Identifier: ISC */
/* Prometheus text format writing. */
#include "ctl/metrics.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

static bool
metrics_name_ok(const char *s, bool colon_ok)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     c == '_' || (colon_ok && c == ':');
        if (!alpha && (i == 0 || c < '0' || c > '9')) {
            return false;
        }
    }
    return i > 0;
}

/* HELP text escapes backslash and newline; label values also '"'. */
static int
metrics_escaped(struct buf *b, const char *s, bool quote)
{
    int r = 0;

    for (; *s != '\0' && r == 0; s++) {
        if (*s == '\\') {
            r = buf_put(b, "\\\\", 2);
        } else if (*s == '\n') {
            r = buf_put(b, "\\n", 2);
        } else if (quote && *s == '"') {
            r = buf_put(b, "\\\"", 2);
        } else {
            r = buf_put(b, s, 1);
        }
    }
    return r;
}

static int
metrics_puts(struct buf *b, const char *s)
{
    return buf_put(b, s, strlen(s));
}

int
metrics_family(struct buf *b, const char *name, const char *type,
               const char *help)
{
    int r;

    if (!metrics_name_ok(name, true) ||
        (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0)) {
        return ERR_INVAL;
    }
    if ((r = metrics_puts(b, "# HELP ")) != 0 ||
        (r = metrics_puts(b, name)) != 0 || (r = buf_put(b, " ", 1)) != 0 ||
        (r = metrics_escaped(b, help, false)) != 0 ||
        (r = metrics_puts(b, "\n# TYPE ")) != 0 ||
        (r = metrics_puts(b, name)) != 0 || (r = buf_put(b, " ", 1)) != 0 ||
        (r = metrics_puts(b, type)) != 0 || (r = buf_put(b, "\n", 1)) != 0) {
        return r;
    }
    return 0;
}

static int
metrics_labels(struct buf *b, const char *const *labels)
{
    size_t i;
    int r = 0;

    if (labels == NULL || labels[0] == NULL) {
        return 0;
    }
    for (i = 0; labels[i] != NULL && r == 0; i += 2) {
        if (!metrics_name_ok(labels[i], false) || labels[i + 1] == NULL) {
            return ERR_INVAL;
        }
        if ((r = buf_put(b, i == 0 ? "{" : ",", 1)) != 0 ||
            (r = metrics_puts(b, labels[i])) != 0 ||
            (r = buf_put(b, "=\"", 2)) != 0 ||
            (r = metrics_escaped(b, labels[i + 1], true)) != 0) {
            return r;
        }
        r = buf_put(b, "\"", 1);
    }
    return r != 0 ? r : buf_put(b, "}", 1);
}

static int
metrics_sample(struct buf *b, const char *name, const char *const *labels,
               const char *value)
{
    size_t mark = buf_len(b);
    int r;

    if (!metrics_name_ok(name, true)) {
        return ERR_INVAL;
    }
    if ((r = metrics_puts(b, name)) != 0 ||
        (r = metrics_labels(b, labels)) != 0 || (r = buf_put(b, " ", 1)) != 0 ||
        (r = metrics_puts(b, value)) != 0 || (r = buf_put(b, "\n", 1)) != 0) {
        buf_truncate(b, mark); /* no half line */
        return r;
    }
    return 0;
}

int
metrics_u64(struct buf *b, const char *name, const char *const *labels,
            uint64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRIu64, v);
    return metrics_sample(b, name, labels, num);
}

int
metrics_double(struct buf *b, const char *name, const char *const *labels,
               double v)
{
    char num[40];

    if (isnan(v)) {
        snprintf(num, sizeof(num), "NaN");
    } else if (isinf(v)) {
        snprintf(num, sizeof(num), "%s", v > 0 ? "+Inf" : "-Inf");
    } else {
        snprintf(num, sizeof(num), "%.17g", v);
    }
    return metrics_sample(b, name, labels, num);
}
