/* SPDX-License-Identifier: ISC */
/*
 * ssh's +, - and ^ algorithm lists (readconf.c / kex_assemble_names in
 * OpenSSH), resolved against the defaults before anything filters them.
 */
#include "util/alglist.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/addrmatch.h"
#include "util/err.h"
#include "util/mem.h"

bool
alglist_next(const char *list, size_t *pos, const char **name, size_t *n)
{
    const char *p = list + *pos;
    const char *comma;

    if (*p == '\0') {
        return false;
    }
    comma = strchr(p, ',');
    *n = comma != NULL ? (size_t)(comma - p) : strlen(p);
    *name = p;
    *pos += *n + (comma != NULL ? 1 : 0);
    return true;
}

bool
alglist_has_n(const char *list, const char *name, size_t len)
{
    size_t pos = 0, n;
    const char *p;

    while (alglist_next(list, &pos, &p, &n)) {
        if (n == len && memcmp(p, name, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Does name[0..n) match one of the patterns of pats? Out of memory
 * counts as a match: a name is dropped, never wrongly kept. */
static bool
matches(const char *pats, const char *name, size_t n)
{
    size_t pos = 0, pn;
    const char *p;
    char *nm = str_ndup(name, n);
    bool hit = nm == NULL;

    while (!hit && alglist_next(pats, &pos, &p, &pn)) {
        char *pat = str_ndup(p, pn);

        hit = pat == NULL || addrmatch_pattern(nm, pat);
        free(pat);
    }
    free(nm);
    return hit;
}

/* Append to res (room enough) each name of src not in res and not
 * matching drop (NULL: none). */
static void
add_all(char *res, size_t *len, const char *src, const char *drop)
{
    size_t pos = 0, n;
    const char *p;

    while (alglist_next(src, &pos, &p, &n)) {
        if (n == 0 || alglist_has_n(res, p, n) ||
            (drop != NULL && matches(drop, p, n))) {
            continue;
        }
        if (*len > 0) {
            res[(*len)++] = ',';
        }
        memcpy(res + *len, p, n);
        *len += n;
        res[*len] = '\0';
    }
}

int
alglist_assemble(const char *spec, const char *defaults, char **out)
{
    size_t len = 0;
    char *res;

    *out = NULL;
    if (spec == NULL) {
        spec = defaults;
    }
    if ((res = malloc(strlen(spec) + strlen(defaults) + 2)) == NULL) {
        return ERR_NOMEM;
    }
    res[0] = '\0';
    switch (spec[0]) {
    case '+':
        add_all(res, &len, defaults, NULL);
        add_all(res, &len, spec + 1, NULL);
        break;
    case '-':
        add_all(res, &len, defaults, spec + 1);
        break;
    case '^':
        add_all(res, &len, spec + 1, NULL);
        add_all(res, &len, defaults, NULL);
        break;
    default:
        add_all(res, &len, spec, NULL);
        break;
    }
    *out = res;
    return 0;
}
