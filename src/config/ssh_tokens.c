/* SPDX-License-Identifier: ISC */
/* ssh_config %-tokens and ~ expansion. */
#include "config/ssh_tokens.h"

#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"

static const char *
tokens_value(const struct ssh_tokens *t, char c)
{
    const char *v = NULL;

    switch (c) {
    case 'C':
        v = t->conn_hash;
        break;
    case 'd':
        v = t->home;
        break;
    case 'h':
        v = t->host;
        break;
    case 'i':
        v = t->uid;
        break;
    case 'k':
        v = t->host_key_alias != NULL ? t->host_key_alias : t->host;
        break;
    case 'l':
        v = t->local_host;
        break;
    case 'L':
        v = t->local_short;
        break;
    case 'n':
        v = t->original_host;
        break;
    case 'p':
        v = t->port;
        break;
    case 'r':
        v = t->remote_user;
        break;
    case 'T':
        v = t->tunnel != NULL ? t->tunnel : "NONE";
        break;
    case 'u':
        v = t->local_user;
        break;
    default:
        break;
    }
    return v != NULL ? v : "";
}

static int
tokens_finish(struct buf *b, char **out)
{
    int r;

    if (buf_len(b) > LIM_LINE) {
        return ERR_LIMIT;
    }
    if ((r = buf_put_u8(b, 0)) != 0) {
        return r;
    }
    *out = str_ndup((const char *)buf_ptr(b), buf_len(b) - 1);
    return *out == NULL ? ERR_NOMEM : 0;
}

/* "${NAME}" at *s (past the '$'): the variable's value, as ssh reads it. */
static int
tokens_env(const char **s, struct buf *b, char *why, size_t why_len)
{
    const char *close = strchr(*s + 1, '}'), *v;
    char name[256];
    size_t n;

    n = close != NULL ? (size_t)(close - (*s + 1)) : 0;
    if (close == NULL || n == 0 || n >= sizeof(name)) {
        snprintf(why, why_len, "invalid environment variable expansion");
        return ERR_FORMAT;
    }
    memcpy(name, *s + 1, n);
    name[n] = '\0';
    if ((v = getenv(name)) == NULL) {
        snprintf(why, why_len,
                 "vdollar_percent_expand: env var ${%s} has no value\n"
                 "invalid environment variable expansion",
                 name);
        return ERR_FORMAT;
    }
    *s = close + 1;
    return buf_put(b, v, strlen(v));
}

/* One '%' token at *s (past the '%'). */
static int
tokens_one(const char **s, const struct ssh_tokens *t, const char *allowed,
           struct buf *b, char *why, size_t why_len)
{
    const char *fn =
        t->is_env_allowed ? "percent_dollar_expand" : "percent_expand";
    const char *v;
    char c = **s;

    if (c == '%') {
        v = "%";
    } else if (c == '\0') {
        snprintf(why, why_len,
                 "vdollar_percent_expand: invalid format\n%s: failed", fn);
        return ERR_FORMAT;
    } else if (strchr(allowed, c) == NULL) {
        snprintf(why, why_len,
                 "vdollar_percent_expand: unknown key %%%c\n%s: failed", c, fn);
        return ERR_FORMAT;
    } else {
        v = tokens_value(t, c);
    }
    (*s)++;
    return buf_put(b, v, strlen(v));
}

int
ssh_tokens_expand(const char *s, const struct ssh_tokens *t,
                  const char *allowed, char **out, char *why, size_t why_len)
{
    const char *stops = t->is_env_allowed ? "%$" : "%";
    char scratch[8];
    struct buf b;
    size_t n;
    int r = 0;

    *out = NULL;
    if (why == NULL) {
        why = scratch;
        why_len = sizeof(scratch);
    }
    buf_init(&b);
    while (r == 0 && *s != '\0' && buf_len(&b) <= LIM_LINE) {
        n = strcspn(s, stops);
        if ((r = buf_put(&b, s, n)) != 0 || s[n] == '\0') {
            break;
        }
        s += n;
        if (s[0] == '$' && s[1] != '{') {
            r = buf_put(&b, s++, 1); /* a lone '$' stays */
        } else if (s[0] == '$') {
            s++;
            r = tokens_env(&s, &b, why, why_len);
        } else {
            s++;
            r = tokens_one(&s, t, allowed, &b, why, why_len);
        }
    }
    if (r == 0) {
        r = tokens_finish(&b, out);
    }
    buf_cleanup(&b);
    return r;
}

int
ssh_tokens_env(const char *s, char **out, char *why, size_t why_len)
{
    const char *d;
    struct buf b;
    int r = 0;

    *out = NULL;
    buf_init(&b);
    while (r == 0 && (d = strstr(s, "${")) != NULL && buf_len(&b) <= LIM_LINE) {
        if ((r = buf_put(&b, s, (size_t)(d - s))) == 0) {
            s = d + 1;
            r = tokens_env(&s, &b, why, why_len);
        }
    }
    if (r == 0 && (r = buf_put(&b, s, strlen(s))) == 0) {
        r = tokens_finish(&b, out);
    }
    buf_cleanup(&b);
    return r;
}

/* ssh's tilde_expand: the home directory (home for "~", the passwd
 * entry's for "~user"), one '/', then the path with its leading slashes
 * dropped: "~" is "home/", "~bob//x" is "/home/bob/x". */
int
ssh_tokens_tilde(const char *s, const char *home, char **out, char *why,
                 size_t why_len)
{
    const char *dir = home, *path;
    struct passwd *pw;
    char user[LIM_TILDE_USER + 1];
    size_t ulen, n;

    *out = NULL;
    ulen = s[0] == '~' ? strcspn(s + 1, "/") : 0;
    if (ulen > 0) {
        snprintf(user, sizeof(user), "%.*s", (int)ulen, s + 1);
        if (ulen >= sizeof(user) || (pw = getpwnam(user)) == NULL) {
            if (why != NULL) {
                snprintf(why, why_len, "tilde_expand: No such user %s", user);
            }
            return ERR_NOTFOUND;
        }
        dir = pw->pw_dir;
    }
    if (s[0] != '~' || dir == NULL) {
        *out = str_ndup(s, strlen(s));
        return *out == NULL ? ERR_NOMEM : 0;
    }
    path = s + 1 + ulen;
    path += strspn(path, "/");
    n = strlen(dir) + strlen(path) + 2;
    if ((*out = malloc(n)) == NULL) {
        return ERR_NOMEM;
    }
    snprintf(*out, n, "%s%s%s", dir,
             dir[0] == '\0' || dir[strlen(dir) - 1] != '/' ? "/" : "", path);
    return 0;
}

int
ssh_tokens_conn_hash(const char *local_host, const char *host, const char *port,
                     const char *user, char out[41])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t md[20];
    struct buf b;
    size_t i;
    int r;

    buf_init(&b);
    if ((r = buf_put(&b, local_host, strlen(local_host))) != 0 ||
        (r = buf_put(&b, host, strlen(host))) != 0 ||
        (r = buf_put(&b, port, strlen(port))) != 0 ||
        (r = buf_put(&b, user, strlen(user))) != 0 ||
        (r = digest_once(DIGEST_SHA1, buf_ptr(&b), buf_len(&b), md)) != 0) {
        buf_cleanup(&b);
        return r;
    }
    buf_cleanup(&b);
    for (i = 0; i < sizeof(md); i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[40] = '\0';
    return 0;
}
