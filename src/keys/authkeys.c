/* SPDX-License-Identifier: ISC */
/* authorized_keys files: lines of [options] keytype base64 [comment]. */
#include "keys/authkeys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/authkeys_opts.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* Reason buffer for log lines. */
#define AUTHKEYS_WHY_LEN 160

static void
set_why(char *why, size_t why_len, const char *msg)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s", msg);
    }
}

static size_t
skip_blanks(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t') {
        i++;
    }
    return i;
}

/* Does the line start with a key type we know, followed by a blank? */
static bool
starts_with_key(const char *s, size_t i)
{
    size_t n = strcspn(s + i, " \t");
    char name[LIM_NAME + 1];
    enum sshkey_type t;

    if (n == 0 || n > LIM_NAME || (s[i + n] != ' ' && s[i + n] != '\t')) {
        return false;
    }
    memcpy(name, s + i, n);
    name[n] = '\0';
    return sshkey_type_from_name(name, &t) == 0;
}

/* The comment: what follows the key, without surrounding blanks. */
static char *
comment_dup(const char *s, size_t i)
{
    size_t n;

    i = skip_blanks(s, i);
    n = strlen(s + i);
    while (n > 0 && (s[i + n - 1] == ' ' || s[i + n - 1] == '\t' ||
                     s[i + n - 1] == '\r')) {
        n--;
    }
    return str_ndup(s + i, n);
}

static int
parse_key(const char *s, size_t i, struct authkey *out, char *why,
          size_t why_len)
{
    size_t used = 0;
    int r;

    if ((r = sshkey_parse_public(s + i, &out->key, &used)) != 0) {
        set_why(why, why_len,
                r == ERR_KEY_TYPE ? "unsupported key type" : "bad key");
        return r == ERR_NOMEM ? r : ERR_FORMAT;
    }
    if ((out->comment = comment_dup(s, i + used)) == NULL) {
        return ERR_NOMEM;
    }
    return 0;
}

int
authkey_parse_line(const char *line, size_t len, struct authkey *out, char *why,
                   size_t why_len)
{
    char *s = NULL;
    size_t i;
    int r;

    memset(out, 0, sizeof(*out));
    authkeys_opts_init(&out->opts);
    set_why(why, why_len, "");
    if (len > LIM_LINE) {
        set_why(why, why_len, "line too long");
        return ERR_FORMAT;
    }
    if (memchr(line, '\0', len) != NULL) {
        set_why(why, why_len, "NUL byte in line");
        return ERR_FORMAT;
    }
    if ((s = str_ndup(line, len)) == NULL) {
        return ERR_NOMEM;
    }
    i = skip_blanks(s, 0);
    if (s[i] == '\0' || s[i] == '#' || s[i] == '\r') {
        r = ERR_NOTFOUND;
        goto out;
    }
    if (!starts_with_key(s, i)) {
        if ((r = authkeys_opts_parse(s, &i, &out->opts, why, why_len)) != 0) {
            goto out;
        }
        i = skip_blanks(s, i);
    }
    r = parse_key(s, i, out, why, why_len);
out:
    if (r != 0) {
        authkey_cleanup(out);
    }
    free(s);
    return r;
}

void
authkey_cleanup(struct authkey *k)
{
    sshkey_free(k->key);
    authkeys_opts_cleanup(&k->opts);
    free(k->comment);
    k->key = NULL;
    k->comment = NULL;
}

/* Add a parsed entry to ak, growing the array geometrically. */
static int
authkeys_push(struct authkeys *ak, struct authkey *k, size_t *cap)
{
    struct authkey *nv;
    size_t ncap;

    if (ak->n == *cap) {
        ncap = *cap == 0 ? 16 : *cap * 2;
        if ((nv = realloc(ak->v, ncap * sizeof(*nv))) == NULL) {
            return ERR_NOMEM;
        }
        ak->v = nv;
        *cap = ncap;
    }
    ak->v[ak->n++] = *k;
    memset(k, 0, sizeof(*k));
    return 0;
}

/* Parse each line of the file's contents; bad lines are logged, skipped. */
static int
authkeys_parse_all(struct authkeys *ak, const char *p, size_t len)
{
    char why[AUTHKEYS_WHY_LEN];
    size_t off = 0, n, cap = 0;
    const char *nl;
    struct authkey k;
    unsigned line = 0;
    int r;

    while (off < len) {
        nl = memchr(p + off, '\n', len - off);
        n = nl == NULL ? len - off : (size_t)(nl - (p + off));
        line++;
        r = authkey_parse_line(p + off, n, &k, why, sizeof(why));
        off += n + 1;
        if (r == ERR_NOTFOUND) {
            continue;
        }
        if (r == ERR_NOMEM) {
            return r;
        }
        if (r != 0) {
            log_error("authorized_keys %s line %u: %s", ak->path, line, why);
            continue;
        }
        if (ak->n >= LIM_AUTHKEYS) {
            log_error("authorized_keys %s line %u: more than %u keys, "
                      "ignoring the rest",
                      ak->path, line, LIM_AUTHKEYS);
            authkey_cleanup(&k);
            break;
        }
        k.line = line;
        if ((r = authkeys_push(ak, &k, &cap)) != 0) {
            authkey_cleanup(&k);
            return r;
        }
    }
    return 0;
}

int
authkeys_load(const char *path, struct authkeys *out)
{
    struct buf file;
    int r;

    memset(out, 0, sizeof(*out));
    buf_init(&file);
    if ((out->path = strdup(path)) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) == 0) {
        r = authkeys_parse_all(out, (const char *)buf_ptr(&file),
                               buf_len(&file));
    }
    if (r != 0) {
        authkeys_cleanup(out);
    }
    buf_cleanup(&file);
    return r;
}

void
authkeys_cleanup(struct authkeys *ak)
{
    size_t i;

    for (i = 0; i < ak->n; i++) {
        authkey_cleanup(&ak->v[i]);
    }
    free(ak->v);
    free(ak->path);
    memset(ak, 0, sizeof(*ak));
}

const struct authkey *
authkeys_find(const struct authkeys *ak, const struct sshkey *key)
{
    size_t i;

    for (i = 0; i < ak->n; i++) {
        if (!ak->v[i].opts.cert_authority &&
            sshkey_equal_public(ak->v[i].key, key)) {
            return &ak->v[i];
        }
    }
    return NULL;
}

const struct authkey *
authkeys_find_ca(const struct authkeys *ak, const struct sshkey *ca,
                 size_t *from)
{
    size_t i;

    for (i = *from; i < ak->n; i++) {
        if (ak->v[i].opts.cert_authority &&
            sshkey_equal_public(ak->v[i].key, ca)) {
            *from = i + 1;
            return &ak->v[i];
        }
    }
    *from = ak->n;
    return NULL;
}

bool
authkeys_principals_match(const char *list, char *const *principals, size_t n)
{
    size_t i, len;
    const char *p;

    for (i = 0; i < n; i++) {
        len = strlen(principals[i]);
        for (p = list;; p++) {
            size_t m = strcspn(p, ",");

            if (m == len && strncmp(p, principals[i], len) == 0) {
                return true;
            }
            p += m;
            if (*p == '\0') {
                break;
            }
        }
    }
    return false;
}

int
authkeys_principal_line(const char *line, size_t len, char **principal,
                        struct authkey_opts *opts, char *why, size_t why_len)
{
    char *s = NULL, *last;
    size_t i = 0, end;
    int r = 0;

    *principal = NULL;
    authkeys_opts_init(opts);
    set_why(why, why_len, "");
    if (len > LIM_LINE || memchr(line, '\0', len) != NULL) {
        set_why(why, why_len, "line too long or has a NUL byte");
        return ERR_FORMAT;
    }
    if ((s = str_ndup(line, len)) == NULL) {
        return ERR_NOMEM;
    }
    for (end = len; end > 0 && strchr(" \t\r", s[end - 1]) != NULL; end--) {
    }
    s[end] = '\0';
    i = skip_blanks(s, 0);
    if (s[i] == '\0' || s[i] == '#') {
        r = ERR_NOTFOUND;
        goto out;
    }
    last = strrchr(s + i, ' ');
    if (last == NULL || strrchr(s + i, '\t') > last) {
        last = strrchr(s + i, '\t');
    }
    if (last != NULL) {
        size_t pos = i;

        *last = '\0';
        /* The options end at the first blank; there must be only blanks
         * between them and the principal. */
        if ((r = authkeys_opts_parse_until_end(s, &pos, opts, why, why_len)) !=
            0) {
            goto out;
        }
        i = (size_t)(last - s) + 1;
    }
    if ((*principal = str_ndup(s + i, strlen(s + i))) == NULL) {
        r = ERR_NOMEM;
    }
out:
    if (r != 0) {
        authkeys_opts_cleanup(opts);
    }
    free(s);
    return r;
}

static bool
principal_listed(const char *p, char *const *principals, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(p, principals[i]) == 0) {
            return true;
        }
    }
    return false;
}

int
authkeys_principals_scan(const char *path, const char *p, size_t len,
                         char *const *principals, size_t n,
                         struct authkey_opts *opts, unsigned *line)
{
    char why[AUTHKEYS_WHY_LEN], *name = NULL;
    size_t off = 0, ll;
    const char *nl;
    int r;

    while (off < len) {
        nl = memchr(p + off, '\n', len - off);
        ll = nl == NULL ? len - off : (size_t)(nl - (p + off));
        (*line)++;
        r = authkeys_principal_line(p + off, ll, &name, opts, why, sizeof(why));
        off += ll + 1;
        if (r == ERR_NOMEM) {
            return r;
        }
        if (r != 0) {
            if (r != ERR_NOTFOUND) {
                log_error("principals file %s line %u: %s", path, *line, why);
            }
            continue;
        }
        if (principal_listed(name, principals, n)) {
            free(name);
            return 0;
        }
        free(name);
        authkeys_opts_cleanup(opts);
    }
    return ERR_NOTFOUND;
}

int
authkeys_read(const char *path, struct buf *out)
{
    return keyfile_read(path, LIM_FILE_SIZE, out);
}

int
authkeys_principals_file(const char *path, char *const *principals, size_t n,
                         struct authkey_opts *opts, unsigned *line)
{
    struct buf file;
    int r;

    authkeys_opts_init(opts);
    *line = 0;
    buf_init(&file);
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) == 0) {
        r = authkeys_principals_scan(path, (const char *)buf_ptr(&file),
                                     buf_len(&file), principals, n, opts, line);
    }
    buf_cleanup(&file);
    return r;
}
