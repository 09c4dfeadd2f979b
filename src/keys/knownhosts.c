/* SPDX-License-Identifier: ISC */
/* known_hosts: looking host keys up and adding them (sshd(8)). */
#include "keys/knownhosts.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/sshcert.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

#define KH_HASH_MAGIC "|1|"
#define KH_SHA1_LEN 20u
#define KH_NAME_MAX 300u /* knownhosts_name() output, as the header says */

void
knownhosts_name(const char *host, uint16_t port, char *out, size_t out_len)
{
    if (port == 22 || port == 0) {
        snprintf(out, out_len, "%s", host);
    } else {
        snprintf(out, out_len, "[%s]:%u", host, (unsigned)port);
    }
}

/* Glob match with * and ?, ignoring case (OpenSSH match_pattern). */
static bool
kh_glob(const char *s, const char *p, size_t pn)
{
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;

    /* Iterative with one backtrack point: linear in practice, no recursion. */
    while (s[si] != '\0') {
        if (pi < pn && (p[pi] == '?' || tolower((unsigned char)p[pi]) ==
                                            tolower((unsigned char)s[si]))) {
            si++;
            pi++;
        } else if (pi < pn && p[pi] == '*') {
            star_p = pi++;
            star_s = si;
        } else if (star_p != (size_t)-1) {
            pi = star_p + 1;
            si = ++star_s;
        } else {
            return false;
        }
    }
    while (pi < pn && p[pi] == '*') {
        pi++;
    }
    return pi == pn;
}

/*
 * A comma-separated pattern list: a match on a negated (!) pattern wins
 * and refuses the line; otherwise any positive match accepts it.
 */
static bool
kh_match_patterns(const char *name, const char *pats, size_t n)
{
    size_t i = 0, len;
    bool neg, hit = false;

    while (i < n) {
        len = 0;
        while (i + len < n && pats[i + len] != ',') {
            len++;
        }
        neg = len > 0 && pats[i] == '!';
        if (kh_glob(name, pats + i + neg, len - neg)) {
            if (neg) {
                return false;
            }
            hit = true;
        }
        i += len + 1;
    }
    return hit;
}

/* "|1|base64(salt)|base64(HMAC-SHA1(salt, name))" */
static bool
kh_match_hashed(const char *name, const char *pat, size_t n)
{
    size_t mlen = strlen(KH_HASH_MAGIC), bar;
    uint8_t mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    struct buf salt, want;
    bool ok = false;

    buf_init(&salt);
    buf_init(&want);
    for (bar = mlen; bar < n && pat[bar] != '|'; bar++) {
    }
    if (bar >= n || base64_decode(pat + mlen, bar - mlen, &salt) != 0 ||
        base64_decode(pat + bar + 1, n - bar - 1, &want) != 0 ||
        buf_len(&salt) != KH_SHA1_LEN || buf_len(&want) != KH_SHA1_LEN) {
        goto out;
    }
    if (HMAC(EVP_sha1(), buf_ptr(&salt), (int)buf_len(&salt),
             (const unsigned char *)name, strlen(name), mac,
             &mac_len) == NULL ||
        mac_len != KH_SHA1_LEN) {
        goto out;
    }
    ok = mem_equal_ct(mac, buf_ptr(&want), KH_SHA1_LEN);
out:
    buf_cleanup(&salt);
    buf_cleanup(&want);
    return ok;
}

static bool
kh_host_matches(const char *name, const char *pats, size_t n)
{
    size_t mlen = strlen(KH_HASH_MAGIC);

    if (n > mlen && memcmp(pats, KH_HASH_MAGIC, mlen) == 0) {
        return kh_match_hashed(name, pats, n);
    }
    return kh_match_patterns(name, pats, n);
}

enum kh_marker { KH_PLAIN, KH_REVOKED, KH_CA, KH_SKIP };

/* "@revoked" or "@cert-authority" (n bytes at s); anything else: skip. */
static enum kh_marker
kh_marker_of(const char *s, size_t n)
{
    if (n == 8 && strncmp(s, "@revoked", n) == 0) {
        return KH_REVOKED;
    }
    if (n == 15 && strncmp(s, "@cert-authority", n) == 0) {
        return KH_CA;
    }
    return KH_SKIP;
}

/*
 * One line: [@marker] hostpatterns keytype base64 [comment]. 0 when it
 * names host name with a key we can read (*key, owned by the caller);
 * ERR_NOTFOUND for every other line.
 */
static int
kh_parse_line(const char *s, const char *name, enum kh_marker *marker,
              struct sshkey **key)
{
    size_t i = strspn(s, " \t"), n;

    *marker = KH_PLAIN;
    *key = NULL;
    if (s[i] == '\0' || s[i] == '#') {
        return ERR_NOTFOUND;
    }
    if (s[i] == '@') {
        n = strcspn(s + i, " \t");
        *marker = kh_marker_of(s + i, n);
        i += n;
        i += strspn(s + i, " \t");
    }
    n = strcspn(s + i, " \t");
    if (*marker == KH_SKIP || n == 0 || !kh_host_matches(name, s + i, n)) {
        return ERR_NOTFOUND;
    }
    /* A key type we do not know (ssh-dss, sk-*) is not our key: skip. */
    return sshkey_parse_public(s + i + n, key, NULL) == 0 ? 0 : ERR_NOTFOUND;
}

/* Outcome so far over the lines that name the host. */
struct kh_state {
    enum hostkey_status status;
    unsigned line;
};

static void
kh_account(struct kh_state *st, enum kh_marker marker, bool same, unsigned line)
{
    if (marker == KH_REVOKED) {
        if (same && st->status != HOSTKEY_REVOKED) {
            st->status = HOSTKEY_REVOKED;
            st->line = line;
        }
        return;
    }
    if (st->status == HOSTKEY_REVOKED) {
        return;
    }
    if (same && st->status != HOSTKEY_MATCH) {
        st->status = HOSTKEY_MATCH;
        st->line = line;
    } else if (!same && st->status == HOSTKEY_NEW) {
        st->status = HOSTKEY_CHANGED;
        st->line = line;
    }
}

/* Called for every parsable line that names the host. */
typedef void (*kh_visit_fn)(void *ctx, enum kh_marker marker,
                            const struct sshkey *k, unsigned line);

/* Visit every line of data that names host_name and holds a key we know. */
static int
kh_scan(const char *data, size_t len, const char *host_name, kh_visit_fn fn,
        void *ctx)
{
    char name[KH_NAME_MAX], *s;
    struct sshkey *k = NULL;
    enum kh_marker marker;
    size_t off = 0, n, i;
    const char *nl;
    unsigned lineno = 0;

    if (len > LIM_FILE_SIZE || strlen(host_name) >= sizeof(name)) {
        return ERR_LIMIT;
    }
    /* OpenSSH compares lower-case names, and hashes them so too. */
    for (i = 0; host_name[i] != '\0'; i++) {
        name[i] = (char)tolower((unsigned char)host_name[i]);
    }
    name[i] = '\0';
    while (off < len) {
        nl = memchr(data + off, '\n', len - off);
        n = nl == NULL ? len - off : (size_t)(nl - (data + off));
        lineno++;
        if (n <= LIM_LINE && memchr(data + off, '\0', n) == NULL) {
            if ((s = str_ndup(data + off, n)) == NULL) {
                return ERR_NOMEM;
            }
            if (kh_parse_line(s, name, &marker, &k) == 0) {
                fn(ctx, marker, k, lineno);
                sshkey_free(k);
            }
            free(s);
        }
        off += n + 1;
    }
    return 0;
}

struct kh_check_ctx {
    struct kh_state st;
    const struct sshkey *key;
};

/*
 * @cert-authority lines say nothing about a plain key. A revoked key is
 * revoked in any certificate too, so @revoked compares the key underneath.
 */
static void
kh_check_visit(void *ctx, enum kh_marker marker, const struct sshkey *k,
               unsigned line)
{
    struct kh_check_ctx *c = ctx;

    if (marker == KH_CA) {
        return;
    }
    kh_account(&c->st, marker,
               marker == KH_REVOKED ? sshkey_equal_plain(k, c->key)
                                    : sshkey_equal_public(k, c->key),
               line);
}

int
knownhosts_check_buf(const char *data, size_t len, const char *host_name,
                     const struct sshkey *key, enum hostkey_status *status,
                     unsigned *line)
{
    struct kh_check_ctx c = {{HOSTKEY_NEW, 0}, key};
    int r;

    *status = HOSTKEY_NEW;
    *line = 0;
    if ((r = kh_scan(data, len, host_name, kh_check_visit, &c)) != 0) {
        return r;
    }
    *status = c.st.status;
    *line = c.st.line;
    return 0;
}

static void
kh_types_visit(void *ctx, enum kh_marker marker, const struct sshkey *k,
               unsigned line)
{
    unsigned *mask = ctx;

    (void)line;
    if (marker == KH_CA) {
        *mask |= KNOWNHOSTS_CA_BIT;
    } else if (marker != KH_REVOKED) {
        *mask |= 1u << sshkey_type(k);
    }
}

int
knownhosts_known_types(const char *path, const char *host_name, unsigned *mask)
{
    struct buf file;
    int r;

    *mask = 0;
    buf_init(&file);
    r = keyfile_read(path, LIM_FILE_SIZE, &file);
    if (r == 0) {
        r = kh_scan((const char *)buf_ptr(&file), buf_len(&file), host_name,
                    kh_types_visit, mask);
    } else if (r == ERR_NOTFOUND) {
        r = 0;
    }
    buf_cleanup(&file);
    return r;
}

int
knownhosts_check(const char *path, const char *host_name,
                 const struct sshkey *key, enum hostkey_status *status,
                 unsigned *line)
{
    struct buf file;
    int r;

    *status = HOSTKEY_NEW;
    *line = 0;
    buf_init(&file);
    r = keyfile_read(path, LIM_FILE_SIZE, &file);
    if (r == 0) {
        r = knownhosts_check_buf((const char *)buf_ptr(&file), buf_len(&file),
                                 host_name, key, status, line);
    } else if (r == ERR_NOTFOUND) {
        r = 0;
    }
    buf_cleanup(&file);
    return r;
}

struct kh_ca_ctx {
    const struct sshkey *ca;
    bool trusted;
};

static void
kh_ca_visit(void *ctx, enum kh_marker marker, const struct sshkey *k,
            unsigned line)
{
    struct kh_ca_ctx *c = ctx;

    (void)line;
    if (marker == KH_CA && !sshkey_is_cert(k) &&
        sshkey_equal_public(k, c->ca)) {
        c->trusted = true;
    }
}

int
knownhosts_check_ca_buf(const char *data, size_t len, const char *host_name,
                        const struct sshkey *ca, bool *trusted)
{
    struct kh_ca_ctx c = {ca, false};
    int r;

    *trusted = false;
    if ((r = kh_scan(data, len, host_name, kh_ca_visit, &c)) == 0) {
        *trusted = c.trusted;
    }
    return r;
}

int
knownhosts_check_ca(const char *path, const char *host_name,
                    const struct sshkey *ca, bool *trusted)
{
    struct buf file;
    int r;

    *trusted = false;
    buf_init(&file);
    r = keyfile_read(path, LIM_FILE_SIZE, &file);
    if (r == 0) {
        r = knownhosts_check_ca_buf((const char *)buf_ptr(&file),
                                    buf_len(&file), host_name, ca, trusted);
    } else if (r == ERR_NOTFOUND) {
        r = 0;
    }
    buf_cleanup(&file);
    return r;
}

/* "|1|salt|hash" for name with a fresh random salt. */
static int
kh_hash_name(const char *name, char **out)
{
    uint8_t salt[KH_SHA1_LEN], mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    char *s64 = NULL, *m64 = NULL, lower[KH_NAME_MAX];
    size_t n, i;
    int r;

    *out = NULL;
    /* Lower case, as knownhosts_check_buf() hashes the name it looks up. */
    for (i = 0; name[i] != '\0' && i + 1 < sizeof(lower); i++) {
        lower[i] = (char)tolower((unsigned char)name[i]);
    }
    if (name[i] != '\0') {
        return ERR_LIMIT;
    }
    lower[i] = '\0';
    if (RAND_bytes(salt, sizeof(salt)) != 1 ||
        HMAC(EVP_sha1(), salt, sizeof(salt), (const unsigned char *)lower, i,
             mac, &mac_len) == NULL) {
        return ERR_CRYPTO;
    }
    if ((r = base64_encode(salt, sizeof(salt), &s64, true)) != 0 ||
        (r = base64_encode(mac, mac_len, &m64, true)) != 0) {
        goto out;
    }
    n = strlen(KH_HASH_MAGIC) + strlen(s64) + 1 + strlen(m64) + 1;
    if ((*out = malloc(n)) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    snprintf(*out, n, "%s%s|%s", KH_HASH_MAGIC, s64, m64);
out:
    free(s64);
    free(m64);
    return r;
}

/* Create the directory holding path (one level, mode 0700) if missing. */
static int
kh_make_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;
    int r = 0;

    if (slash == NULL || slash == path) {
        return 0;
    }
    if ((dir = str_ndup(path, (size_t)(slash - path))) == NULL) {
        return ERR_NOMEM;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        r = ERR_IO;
    }
    free(dir);
    return r;
}

static int
kh_append(const char *path, const char *text)
{
    size_t n = strlen(text), off = 0;
    ssize_t w;
    int fd, r = 0;

    fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        return ERR_IO;
    }
    while (off < n && r == 0) {
        w = write(fd, text + off, n - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            r = ERR_IO;
        } else {
            off += (size_t)w;
        }
    }
    if (close(fd) != 0 && r == 0) {
        r = ERR_IO;
    }
    return r;
}

int
knownhosts_add(const char *path, const char *host_name,
               const struct sshkey *key, bool hash)
{
    char *hashed = NULL, *pub = NULL, *text = NULL;
    const char *host = host_name;
    size_t n;
    int r;

    if (strpbrk(host_name, " \t\r\n,") != NULL || *host_name == '\0') {
        return ERR_INVAL;
    }
    if ((hash && (r = kh_hash_name(host_name, &hashed)) != 0) ||
        (r = sshkey_format_public(key, &pub)) != 0 ||
        (r = kh_make_dir(path)) != 0) {
        goto out;
    }
    if (hashed != NULL) {
        host = hashed;
    }
    n = strlen(host) + 1 + strlen(pub) + 2;
    if ((text = malloc(n)) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    snprintf(text, n, "%s %s\n", host, pub);
    r = kh_append(path, text);
out:
    free(hashed);
    free(pub);
    free(text);
    return r;
}
