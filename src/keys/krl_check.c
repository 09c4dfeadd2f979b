/* SPDX-License-Identifier: ISC */
/* OpenSSH KRL files (PROTOCOL.krl): is this key revoked? */
#include "keys/krl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/digest.h"
#include "keys/sshcert.h"
#include "util/err.h"
#include "wire/buf.h"

static void
say(char *why, size_t why_len, const char *text)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s", text);
    }
}

/* Is h (len bytes) among the n sorted hashes at v? */
static bool
krl_hash_listed(const uint8_t *v, size_t n, const uint8_t *h, size_t len)
{
    size_t lo = 0, hi = n, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = memcmp(v + mid * len, h, len);
        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* The blob of the plain key under key (a certificate's key without it). */
static int
krl_plain_blob(const struct sshkey *key, struct buf *out)
{
    struct sshkey *plain = NULL;
    int r;

    if (!sshkey_is_cert(key)) {
        return sshkey_to_blob(key, out);
    }
    if ((r = sshkey_plain_copy(key, &plain)) == 0) {
        r = sshkey_to_blob(plain, out);
    }
    sshkey_free(plain);
    return r;
}

/* A plain key (or the one under a certificate), by hash or explicitly. */
static bool
krl_key_listed(const struct krl *k, const struct sshkey *key, char *why,
               size_t why_len)
{
    uint8_t h1[DIGEST_MAX_LEN], h256[DIGEST_MAX_LEN];
    struct buf blob;
    bool hit = true; /* fail closed */

    buf_init(&blob);
    if (krl_plain_blob(key, &blob) != 0 ||
        digest_once(DIGEST_SHA1, buf_ptr(&blob), buf_len(&blob), h1) != 0 ||
        digest_once(DIGEST_SHA256, buf_ptr(&blob), buf_len(&blob), h256) != 0) {
        say(why, why_len, "key could not be checked");
    } else if (krl_hash_listed(k->sha1, k->n_sha1, h1, KRL_SHA1_LEN)) {
        say(why, why_len, "by SHA1 hash");
    } else if (krl_hash_listed(k->sha256, k->n_sha256, h256, KRL_SHA256_LEN)) {
        say(why, why_len, "by SHA256 hash");
    } else if (keylist_has(&k->keys, key)) {
        say(why, why_len, "explicitly");
    } else {
        hit = false;
    }
    buf_cleanup(&blob);
    return hit;
}

static bool
krl_serial_listed(const struct krl_certs *cs, uint64_t serial)
{
    const struct krl_bitmap *bm;
    uint64_t d;
    size_t i;

    for (i = 0; i < cs->n_ranges; i++) {
        if (serial >= cs->ranges[i].lo && serial <= cs->ranges[i].hi) {
            return true;
        }
    }
    for (i = 0; i < cs->n_bitmaps; i++) {
        bm = &cs->bitmaps[i];
        if (serial < bm->offset) {
            continue;
        }
        d = serial - bm->offset;
        if (d / 8u < bm->len &&
            (bm->bits[bm->len - 1 - (size_t)(d / 8u)] >> (d % 8u) & 1u) != 0) {
            return true;
        }
    }
    return false;
}

/* One certificate section that applies to c's CA: key ID, then serial
 * (serial 0 means none was given, and is never revoked by serial). */
static bool
krl_cert_listed(const struct krl_certs *cs, const struct sshcert *c, char *why,
                size_t why_len)
{
    size_t i;

    for (i = 0; i < cs->n_key_ids; i++) {
        if (strcmp(cs->key_ids[i], c->key_id) == 0) {
            if (why != NULL && why_len > 0) {
                snprintf(why, why_len, "certificate key ID \"%.64s\"",
                         c->key_id);
            }
            return true;
        }
    }
    if (c->serial != 0 && krl_serial_listed(cs, c->serial)) {
        if (why != NULL && why_len > 0) {
            snprintf(why, why_len, "certificate serial %llu",
                     (unsigned long long)c->serial);
        }
        return true;
    }
    return false;
}

bool
krl_revoked(const struct krl *k, const struct sshkey *key, char *why,
            size_t why_len)
{
    const struct sshcert *c = sshkey_cert(key);
    size_t i;

    if (krl_key_listed(k, key, why, why_len)) {
        return true;
    }
    if (c == NULL) {
        return false;
    }
    for (i = 0; i < k->n_certs; i++) {
        if ((k->certs[i].ca == NULL ||
             sshkey_equal_public(k->certs[i].ca, c->ca)) &&
            krl_cert_listed(&k->certs[i], c, why, why_len)) {
            return true;
        }
    }
    if (krl_key_listed(k, c->ca, why, why_len)) {
        say(why, why_len, "its CA key");
        return true;
    }
    return false;
}
