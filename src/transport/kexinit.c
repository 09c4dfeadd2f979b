/* SPDX-License-Identifier: ISC */
/* KEXINIT encoding, decoding and algorithm negotiation (RFC 4253 7.1). */
#include "transport/kexinit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/alglist.h"
#include "util/err.h"
#include "util/mem.h"

/* What a category is called in "no matching ... found" (OpenSSH's words). */
static const char *const kexinit_what[KI_NLISTS] = {
    "key exchange method",
    "host key type",
    "cipher",
    "cipher",
    "MAC",
    "MAC",
    "compression method",
    "compression method",
    "language",
    "language",
};

const char *
kexinit_list_what(enum kexinit_list which)
{
    return (unsigned)which < KI_NLISTS ? kexinit_what[which] : "algorithm";
}

void
kexinit_cleanup(struct kexinit *ki)
{
    size_t i;

    for (i = 0; i < KI_NLISTS; i++) {
        free(ki->lists[i]);
    }
    memset(ki, 0, sizeof(*ki));
}

int
kexinit_decode(struct rd *rd, struct kexinit *ki)
{
    const uint8_t *cookie = NULL;
    size_t i;
    int r;

    memset(ki, 0, sizeof(*ki));
    if ((r = rd_bytes(rd, KEXINIT_COOKIE_LEN, &cookie)) != 0) {
        goto out;
    }
    memcpy(ki->cookie, cookie, KEXINIT_COOKIE_LEN);
    for (i = 0; i < KI_NLISTS; i++) {
        if ((r = rd_namelist(rd, &ki->lists[i], LIM_NAMELIST)) != 0) {
            goto out;
        }
    }
    if ((r = rd_bool(rd, &ki->first_kex_follows)) != 0 ||
        (r = rd_u32(rd, &ki->reserved)) != 0 || (r = rd_end(rd)) != 0) {
        goto out;
    }
out:
    if (r != 0) {
        kexinit_cleanup(ki);
    }
    return r;
}

int
kexinit_encode(struct buf *out, const struct kexinit *ki)
{
    size_t i;
    int r;

    if ((r = buf_put_u8(out, SSH_MSG_KEXINIT)) != 0 ||
        (r = buf_put(out, ki->cookie, KEXINIT_COOKIE_LEN)) != 0) {
        return r;
    }
    for (i = 0; i < KI_NLISTS; i++) {
        const char *l = ki->lists[i] != NULL ? ki->lists[i] : "";

        if ((r = buf_put_cstring(out, l)) != 0) {
            return r;
        }
    }
    if ((r = buf_put_bool(out, ki->first_kex_follows)) != 0 ||
        (r = buf_put_u32(out, 0)) != 0) {
        return r;
    }
    return 0;
}

bool
kexinit_is_marker(const char *name)
{
    return strcmp(name, KEXINIT_EXT_INFO_C) == 0 ||
           strcmp(name, KEXINIT_EXT_INFO_S) == 0 ||
           strcmp(name, KEXINIT_STRICT_C) == 0 ||
           strcmp(name, KEXINIT_STRICT_S) == 0;
}

bool
kexinit_list_has(const char *list, const char *name)
{
    return list != NULL && alglist_has_n(list, name, strlen(name));
}

/* Do two lists start with the same name (or are both empty)? */
static bool
list_first_equal(const char *a, const char *b)
{
    size_t pa = 0, pb = 0, na, nb;
    const char *sa, *sb;
    bool ha = alglist_next(a, &pa, &sa, &na);
    bool hb = alglist_next(b, &pb, &sb, &nb);

    if (!ha || !hb) {
        return ha == hb;
    }
    return na == nb && memcmp(sa, sb, na) == 0;
}

/* First name of the client's list also in the server's; never a marker. */
static int
choose(const char *client, const char *server, char **out)
{
    size_t pos = 0, n;
    const char *p;

    *out = NULL;
    while (alglist_next(client, &pos, &p, &n)) {
        char *name;

        if (!alglist_has_n(server, p, n)) {
            continue;
        }
        if ((name = str_ndup(p, n)) == NULL) {
            return ERR_NOMEM;
        }
        if (kexinit_is_marker(name)) {
            free(name);
            continue;
        }
        *out = name;
        return 0;
    }
    return ERR_KEX_NOMATCH;
}

static int
choose_one(const struct kexinit *client, const struct kexinit *server,
           enum kexinit_list which, char **out, int *failed, char *err,
           size_t errlen)
{
    int r = choose(client->lists[which], server->lists[which], out);

    if (r == ERR_KEX_NOMATCH && *failed == 0) {
        *failed = 1 + (int)which;
    }
    if (r == ERR_KEX_NOMATCH && errlen > 0) {
        snprintf(err, errlen, "no matching %s found: client %s server %s",
                 kexinit_what[which], client->lists[which],
                 server->lists[which]);
    }
    return r;
}

/* The cipher and MAC pair of one direction (0: c2s, 1: s2c). */
static int
choose_dir(const struct kexinit *client, const struct kexinit *server, int dir,
           bool (*is_aead)(const char *), struct kex_choice *c, char *err,
           size_t errlen)
{
    enum kexinit_list enc = dir == 0 ? KI_ENC_C2S : KI_ENC_S2C;
    enum kexinit_list mac = dir == 0 ? KI_MAC_C2S : KI_MAC_S2C;
    enum kexinit_list comp = dir == 0 ? KI_COMP_C2S : KI_COMP_S2C;
    int r;

    if ((r = choose_one(client, server, enc, &c->enc[dir], &c->nomatch, err,
                        errlen)) != 0) {
        return r;
    }
    if (is_aead == NULL || !is_aead(c->enc[dir])) {
        if ((r = choose_one(client, server, mac, &c->mac[dir], &c->nomatch, err,
                            errlen)) != 0) {
            return r;
        }
    }
    return choose_one(client, server, comp, &c->comp[dir], &c->nomatch, err,
                      errlen);
}

int
kexinit_negotiate(const struct kexinit *client, const struct kexinit *server,
                  bool initial, bool (*is_aead)(const char *name),
                  struct kex_choice *c, char *err, size_t errlen)
{
    size_t i;
    int r;

    memset(c, 0, sizeof(*c));
    if (errlen > 0) {
        err[0] = '\0';
    }
    for (i = 0; i < KI_NLISTS; i++) {
        if (client->lists[i] == NULL || server->lists[i] == NULL) {
            return ERR_INVAL;
        }
    }
    if ((r = choose_one(client, server, KI_KEX, &c->kex, &c->nomatch, err,
                        errlen)) != 0 ||
        (r = choose_one(client, server, KI_HOSTKEY, &c->hostkey, &c->nomatch,
                        err, errlen)) != 0 ||
        (r = choose_dir(client, server, 0, is_aead, c, err, errlen)) != 0 ||
        (r = choose_dir(client, server, 1, is_aead, c, err, errlen)) != 0) {
        int nomatch = c->nomatch;

        kex_choice_cleanup(c);
        c->nomatch = nomatch;
        return r;
    }
    if (initial) {
        c->strict = kexinit_list_has(client->lists[KI_KEX], KEXINIT_STRICT_C) &&
                    kexinit_list_has(server->lists[KI_KEX], KEXINIT_STRICT_S);
        c->ext_info_c =
            kexinit_list_has(client->lists[KI_KEX], KEXINIT_EXT_INFO_C);
    }
    /* RFC 4253 7: a guess is right only if both preferred the same kex
     * and host key algorithms. */
    c->guess_wrong =
        !list_first_equal(client->lists[KI_KEX], server->lists[KI_KEX]) ||
        !list_first_equal(client->lists[KI_HOSTKEY], server->lists[KI_HOSTKEY]);
    return 0;
}

void
kex_choice_cleanup(struct kex_choice *c)
{
    free(c->kex);
    free(c->hostkey);
    free(c->enc[0]);
    free(c->enc[1]);
    free(c->mac[0]);
    free(c->mac[1]);
    free(c->comp[0]);
    free(c->comp[1]);
    memset(c, 0, sizeof(*c));
}

int
kexinit_filter(const char *list, bool (*keep)(const char *name), char **out)
{
    size_t pos = 0, n, len = 0;
    const char *p;
    char *res;

    *out = NULL;
    if ((res = malloc(strlen(list) + 1)) == NULL) {
        return ERR_NOMEM;
    }
    res[0] = '\0';
    while (alglist_next(list, &pos, &p, &n)) {
        char *name = str_ndup(p, n);

        if (name == NULL) {
            free(res);
            return ERR_NOMEM;
        }
        if (n > 0 && keep(name) && !alglist_has_n(res, p, n)) {
            if (len > 0) {
                res[len++] = ',';
            }
            memcpy(res + len, p, n);
            len += n;
        }
        res[len] = '\0';
        free(name);
    }
    res[len] = '\0';
    *out = res;
    return 0;
}
