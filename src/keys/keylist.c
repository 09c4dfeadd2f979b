/* SPDX-License-Identifier: ISC */
/* Files of public keys: TrustedUserCAKeys and RevokedKeys. */
#include "keys/keylist.h"

#include <stdlib.h>
#include <string.h>

#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

/* OpenSSH KRL files (PROTOCOL.krl) start with this magic. */
#define KRL_MAGIC "SSHKRL\n\0"
#define KRL_MAGIC_LEN 8u

static int
keylist_push(struct keylist *l, struct sshkey *k)
{
    struct sshkey **nv;

    if (l->n >= LIM_AUTHKEYS) {
        sshkey_free(k);
        return ERR_LIMIT;
    }
    if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL) {
        sshkey_free(k);
        return ERR_NOMEM;
    }
    l->v = nv;
    l->v[l->n++] = k;
    return 0;
}

/* One line (n bytes, no newline): blank, comment, or a key. */
static int
keylist_line(struct keylist *l, const char *p, size_t n)
{
    struct sshkey *k = NULL;
    char *s;
    size_t i;
    int r;

    if (n > LIM_LINE || memchr(p, '\0', n) != NULL) {
        return ERR_KEY_FORMAT;
    }
    if ((s = str_ndup(p, n)) == NULL) {
        return ERR_NOMEM;
    }
    i = strspn(s, " \t\r");
    if (s[i] == '\0' || s[i] == '#') {
        free(s);
        return 0;
    }
    r = sshkey_parse_public(s + i, &k, NULL);
    free(s);
    return r != 0 ? r : keylist_push(l, k);
}

int
keylist_parse(const char *p, size_t n, struct keylist *out, unsigned *bad_line)
{
    size_t off = 0, len;
    const char *nl;
    unsigned line = 0;
    int r = 0;

    memset(out, 0, sizeof(*out));
    *bad_line = 0;
    if (n >= KRL_MAGIC_LEN && memcmp(p, KRL_MAGIC, KRL_MAGIC_LEN) == 0) {
        return ERR_FORMAT;
    }
    while (off < n && r == 0) {
        nl = memchr(p + off, '\n', n - off);
        len = nl == NULL ? n - off : (size_t)(nl - (p + off));
        line++;
        r = keylist_line(out, p + off, len);
        off += len + 1;
    }
    if (r != 0) {
        *bad_line = line;
        keylist_cleanup(out);
    }
    return r;
}

int
keylist_load(const char *path, struct keylist *out, unsigned *bad_line)
{
    struct buf file;
    int r;

    memset(out, 0, sizeof(*out));
    *bad_line = 0;
    buf_init(&file);
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) == 0) {
        r = keylist_parse((const char *)buf_ptr(&file), buf_len(&file), out,
                          bad_line);
    }
    buf_cleanup(&file);
    return r;
}

void
keylist_cleanup(struct keylist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        sshkey_free(l->v[i]);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

bool
keylist_has(const struct keylist *l, const struct sshkey *key)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        if (sshkey_equal_plain(l->v[i], key)) {
            return true;
        }
    }
    return false;
}
