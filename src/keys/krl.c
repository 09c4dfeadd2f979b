/* SPDX-License-Identifier: ISC */
/* OpenSSH KRL files (PROTOCOL.krl): the decoder. */
#include "keys/krl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshcert.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define KRL_MAGIC "SSHKRL\n\0"
#define KRL_MAGIC_LEN 8u
#define KRL_FORMAT_VERSION 1u

/* Section types (PROTOCOL.krl 1). */
#define KRL_SECTION_CERTIFICATES 1u
#define KRL_SECTION_EXPLICIT_KEY 2u
#define KRL_SECTION_FINGERPRINT_SHA1 3u
#define KRL_SECTION_SIGNATURE 4u
#define KRL_SECTION_FINGERPRINT_SHA256 5u
#define KRL_SECTION_EXTENSION 255u
/* Certificate subsection types (PROTOCOL.krl 2). */
#define KRL_CERT_SERIAL_LIST 0x20u
#define KRL_CERT_SERIAL_RANGE 0x21u
#define KRL_CERT_SERIAL_BITMAP 0x22u
#define KRL_CERT_KEY_ID 0x23u
#define KRL_CERT_EXTENSION 0x39u

/* Each entry of a KRL is at least 8 bytes of a file of LIM_FILE_SIZE, so
 * this only matters for a KRL handed over from memory. */
#define KRL_MAX_ENTRIES (LIM_FILE_SIZE / 8u)

static int
krl_fail(char *why, size_t why_len, int r, const char *what)
{
    if (why_len > 0 && why[0] == '\0') {
        snprintf(why, why_len, "%s: %s", what, err_str(r));
    }
    return r;
}

/* Make room for one more element in *v (n in use, size each). */
static int
krl_grow(void *v, size_t n, size_t size)
{
    void **pv = v;
    void *nv;

    if (n >= KRL_MAX_ENTRIES) {
        return ERR_LIMIT;
    }
    if ((nv = realloc(*pv, (n + 1) * size)) == NULL) {
        return ERR_NOMEM;
    }
    *pv = nv;
    return 0;
}

bool
krl_is_krl(const uint8_t *p, size_t n)
{
    return n >= KRL_MAGIC_LEN && memcmp(p, KRL_MAGIC, KRL_MAGIC_LEN) == 0;
}

static int
krl_add_range(struct krl_certs *cs, uint64_t lo, uint64_t hi)
{
    int r;

    /* sshd refuses serial 0 (no serial) and an upside-down range. */
    if (lo == 0 || lo > hi) {
        return ERR_FORMAT;
    }
    if ((r = krl_grow(&cs->ranges, cs->n_ranges, sizeof(*cs->ranges))) != 0) {
        return r;
    }
    cs->ranges[cs->n_ranges].lo = lo;
    cs->ranges[cs->n_ranges++].hi = hi;
    return 0;
}

/*
 * KRL_SECTION_CERT_SERIAL_LIST: uint64 serial, ... (at least one)
 * KRL_SECTION_CERT_SERIAL_RANGE: uint64 serial_min, uint64 serial_max
 */
static int
krl_serials(struct rd *rd, struct krl_certs *cs, bool range)
{
    uint64_t lo, hi;
    int r;

    if (rd_left(rd) == 0) {
        return ERR_FORMAT;
    }
    if (range) {
        if ((r = rd_u64(rd, &lo)) != 0 || (r = rd_u64(rd, &hi)) != 0 ||
            (r = rd_end(rd)) != 0) {
            return r;
        }
        return krl_add_range(cs, lo, hi);
    }
    while (rd_left(rd) > 0) {
        if ((r = rd_u64(rd, &lo)) != 0 ||
            (r = krl_add_range(cs, lo, lo)) != 0) {
            return r;
        }
    }
    return 0;
}

/*
 * KRL_SECTION_CERT_SERIAL_BITMAP:
 *   uint64 serial_offset
 *   mpint  revoked_keys_bitmap
 */
static int
krl_bitmap(struct rd *rd, struct krl_certs *cs)
{
    struct krl_bitmap *bm;
    const uint8_t *p;
    uint64_t off;
    size_t n;
    int r;

    if ((r = rd_u64(rd, &off)) != 0 ||
        (r = rd_mpint(rd, &p, &n, LIM_FILE_SIZE)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    /* Bit 0 at offset 0 would revoke serial 0, which sshd refuses. */
    if (off == 0 && n > 0 && (p[n - 1] & 1u) != 0) {
        return ERR_FORMAT;
    }
    if ((r = krl_grow(&cs->bitmaps, cs->n_bitmaps, sizeof(*bm))) != 0) {
        return r;
    }
    bm = &cs->bitmaps[cs->n_bitmaps];
    bm->offset = off;
    bm->len = n;
    if ((bm->bits = malloc(n > 0 ? n : 1)) == NULL) {
        return ERR_NOMEM;
    }
    if (n > 0) {
        memcpy(bm->bits, p, n);
    }
    cs->n_bitmaps++;
    return 0;
}

/* KRL_SECTION_CERT_KEY_ID: string key_id, ... (at least one) */
static int
krl_key_ids(struct rd *rd, struct krl_certs *cs)
{
    char *id = NULL;
    int r;

    if (rd_left(rd) == 0) {
        return ERR_FORMAT;
    }
    while (rd_left(rd) > 0) {
        if ((r = rd_cstring(rd, &id, LIM_STRING_SMALL)) != 0) {
            return r;
        }
        if ((r = krl_grow(&cs->key_ids, cs->n_key_ids, sizeof(*cs->key_ids))) !=
            0) {
            free(id);
            return r;
        }
        cs->key_ids[cs->n_key_ids++] = id;
    }
    return 0;
}

/*
 * An extension section or subsection (PROTOCOL.krl 2.5, 5):
 *   string  extension_name
 *   boolean is_critical
 *   string  extension_contents
 * None is known: a critical one refuses the KRL, the others are skipped.
 */
static int
krl_extension(struct rd *rd, char *why, size_t why_len)
{
    const uint8_t *name, *body;
    size_t name_len, body_len;
    bool critical;
    int r;

    if ((r = rd_string(rd, &name, &name_len, LIM_STRING_SMALL)) != 0 ||
        (r = rd_bool(rd, &critical)) != 0 ||
        (r = rd_string(rd, &body, &body_len, LIM_FILE_SIZE)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    if (critical) {
        snprintf(why, why_len, "unsupported critical extension \"%.*s\"",
                 (int)(name_len > 64 ? 64 : name_len), (const char *)name);
        return ERR_FORMAT;
    }
    return 0;
}

/* One certificate subsection: byte type, string data. */
static int
krl_cert_sub(struct rd *rd, struct krl_certs *cs, char *why, size_t why_len)
{
    struct rd sub;
    uint8_t type;
    int r;

    if ((r = rd_u8(rd, &type)) != 0 ||
        (r = rd_sub(rd, &sub, LIM_FILE_SIZE)) != 0) {
        return r;
    }
    switch (type) {
    case KRL_CERT_SERIAL_LIST:
    case KRL_CERT_SERIAL_RANGE:
        r = krl_serials(&sub, cs, type == KRL_CERT_SERIAL_RANGE);
        return krl_fail(why, why_len, r, "certificate serials");
    case KRL_CERT_SERIAL_BITMAP:
        return krl_fail(why, why_len, krl_bitmap(&sub, cs),
                        "certificate serial bitmap");
    case KRL_CERT_KEY_ID:
        return krl_fail(why, why_len, krl_key_ids(&sub, cs),
                        "certificate key IDs");
    case KRL_CERT_EXTENSION:
        return krl_fail(why, why_len, krl_extension(&sub, why, why_len),
                        "certificate section extension");
    default:
        snprintf(why, why_len, "unsupported certificate section type 0x%02x",
                 (unsigned)type);
        return ERR_FORMAT;
    }
}

static void
krl_certs_cleanup(struct krl_certs *cs)
{
    size_t i;

    sshkey_free(cs->ca);
    free(cs->ranges);
    for (i = 0; i < cs->n_bitmaps; i++) {
        free(cs->bitmaps[i].bits);
    }
    free(cs->bitmaps);
    for (i = 0; i < cs->n_key_ids; i++) {
        free(cs->key_ids[i]);
    }
    free(cs->key_ids);
    memset(cs, 0, sizeof(*cs));
}

/*
 * KRL_SECTION_CERTIFICATES (PROTOCOL.krl 2):
 *   string ca_key      (empty: any CA)
 *   string reserved
 *   then subsections: byte type, string data
 */
static int
krl_certs(struct rd *rd, struct krl *k, char *why, size_t why_len)
{
    struct krl_certs cs;
    const uint8_t *ca, *reserved;
    size_t ca_len, reserved_len;
    int r;

    memset(&cs, 0, sizeof(cs));
    if ((r = rd_string(rd, &ca, &ca_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_string(rd, &reserved, &reserved_len, LIM_FILE_SIZE)) != 0) {
        return krl_fail(why, why_len, r, "certificate section");
    }
    if (ca_len > 0 && (r = sshkey_from_blob(ca, ca_len, &cs.ca)) != 0) {
        return krl_fail(why, why_len, r, "certificate section CA key");
    }
    if (cs.ca != NULL && sshkey_is_cert(cs.ca)) {
        r = krl_fail(why, why_len, ERR_FORMAT, "certificate section CA key");
        goto out;
    }
    while (rd_left(rd) > 0) {
        if ((r = krl_cert_sub(rd, &cs, why, why_len)) != 0) {
            goto out;
        }
    }
    if ((r = krl_grow(&k->certs, k->n_certs, sizeof(*k->certs))) != 0) {
        goto out;
    }
    k->certs[k->n_certs++] = cs;
    return 0;
out:
    krl_certs_cleanup(&cs);
    return r;
}

/* KRL_SECTION_EXPLICIT_KEY: string public_key_blob, ... (at least one) */
static int
krl_keys(struct rd *rd, struct krl *k)
{
    struct sshkey *key = NULL, **nv;
    const uint8_t *blob;
    size_t len;
    int r;

    if (rd_left(rd) == 0) {
        return ERR_FORMAT;
    }
    while (rd_left(rd) > 0) {
        if ((r = rd_string(rd, &blob, &len, LIM_KEY_BLOB)) != 0 ||
            (r = sshkey_from_blob(blob, len, &key)) != 0) {
            return r;
        }
        if ((r = krl_grow(&k->keys.v, k->keys.n, sizeof(*nv))) != 0) {
            sshkey_free(key);
            return r;
        }
        k->keys.v[k->keys.n++] = key;
    }
    return 0;
}

/*
 * KRL_SECTION_FINGERPRINT_SHA1 / _SHA256: string hash, ... (at least
 * one), each of the hash's length, in increasing order.
 */
static int
krl_hashes(struct rd *rd, uint8_t **v, size_t *n, size_t hlen)
{
    const uint8_t *h;
    size_t len;
    int r;

    if (rd_left(rd) == 0) {
        return ERR_FORMAT;
    }
    while (rd_left(rd) > 0) {
        if ((r = rd_string(rd, &h, &len, hlen)) != 0) {
            return r;
        }
        if (len != hlen ||
            (*n > 0 && memcmp(*v + (*n - 1) * hlen, h, hlen) >= 0)) {
            return ERR_FORMAT;
        }
        if ((r = krl_grow(v, *n, hlen)) != 0) {
            return r;
        }
        memcpy(*v + (*n)++ * hlen, h, hlen);
    }
    return 0;
}

/*
 * KRL_SECTION_SIGNATURE (PROTOCOL.krl 6): byte 4, string signature_key,
 * string signature; only further signatures may follow. Read, bounded,
 * not verified.
 */
static int
krl_signature(struct rd *rd, struct krl *k)
{
    const uint8_t *key, *sig;
    size_t key_len, sig_len;
    int r;

    if ((r = rd_string(rd, &key, &key_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_string(rd, &sig, &sig_len, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    k->n_signatures++;
    return 0;
}

static int
krl_section(struct rd *rd, uint8_t type, struct krl *k, char *why,
            size_t why_len)
{
    struct rd sub;
    int r;

    if ((r = rd_sub(rd, &sub, LIM_FILE_SIZE)) != 0) {
        return krl_fail(why, why_len, r, "section");
    }
    switch (type) {
    case KRL_SECTION_CERTIFICATES:
        return krl_certs(&sub, k, why, why_len);
    case KRL_SECTION_EXPLICIT_KEY:
        return krl_fail(why, why_len, krl_keys(&sub, k), "explicit keys");
    case KRL_SECTION_FINGERPRINT_SHA1:
        r = krl_hashes(&sub, &k->sha1, &k->n_sha1, KRL_SHA1_LEN);
        return krl_fail(why, why_len, r, "SHA1 fingerprints");
    case KRL_SECTION_FINGERPRINT_SHA256:
        r = krl_hashes(&sub, &k->sha256, &k->n_sha256, KRL_SHA256_LEN);
        return krl_fail(why, why_len, r, "SHA256 fingerprints");
    case KRL_SECTION_EXTENSION:
        return krl_fail(why, why_len, krl_extension(&sub, why, why_len),
                        "extension");
    default:
        snprintf(why, why_len, "unsupported section type %u", (unsigned)type);
        return ERR_FORMAT;
    }
}

/*
 * The header (PROTOCOL.krl 1):
 *   uint64 KRL_MAGIC, uint32 KRL_FORMAT_VERSION, uint64 krl_version,
 *   uint64 generated_date, uint64 flags, string reserved, string comment
 */
static int
krl_header(struct rd *rd, struct krl *k, char *why, size_t why_len)
{
    const uint8_t *magic, *s;
    uint32_t format;
    uint64_t flags;
    size_t len;
    int r;

    if ((r = rd_bytes(rd, KRL_MAGIC_LEN, &magic)) != 0 ||
        memcmp(magic, KRL_MAGIC, KRL_MAGIC_LEN) != 0) {
        snprintf(why, why_len, "not a KRL");
        return ERR_FORMAT;
    }
    if ((r = rd_u32(rd, &format)) != 0 || (r = rd_u64(rd, &k->version)) != 0 ||
        (r = rd_u64(rd, &k->generated)) != 0 || (r = rd_u64(rd, &flags)) != 0 ||
        (r = rd_string(rd, &s, &len, LIM_FILE_SIZE)) != 0 ||
        (r = rd_string(rd, &s, &len, LIM_FILE_SIZE)) != 0) {
        return krl_fail(why, why_len, r, "header");
    }
    if (format != KRL_FORMAT_VERSION) {
        snprintf(why, why_len, "unsupported KRL format version %u",
                 (unsigned)format);
        return ERR_FORMAT;
    }
    return 0;
}

int
krl_parse(const uint8_t *p, size_t n, struct krl *out, char *why,
          size_t why_len)
{
    struct rd rd;
    uint8_t type;
    int r;

    memset(out, 0, sizeof(*out));
    if (why_len > 0) {
        why[0] = '\0';
    }
    rd_init(&rd, p, n);
    if ((r = krl_header(&rd, out, why, why_len)) != 0) {
        goto out;
    }
    while (rd_left(&rd) > 0) {
        if ((r = rd_u8(&rd, &type)) != 0) {
            goto out;
        }
        if (type == KRL_SECTION_SIGNATURE) {
            r = krl_fail(why, why_len, krl_signature(&rd, out), "signature");
        } else if (out->n_signatures > 0) {
            snprintf(why, why_len, "section %u after a signature",
                     (unsigned)type);
            r = ERR_FORMAT;
        } else {
            r = krl_section(&rd, type, out, why, why_len);
        }
        if (r != 0) {
            goto out;
        }
    }
out:
    if (r != 0) {
        krl_fail(why, why_len, r, "malformed");
        krl_cleanup(out);
    }
    return r;
}

int
krl_load(const char *path, struct krl *out, bool *is_krl, char *why,
         size_t why_len)
{
    struct buf file;
    int r;

    memset(out, 0, sizeof(*out));
    *is_krl = false;
    if (why_len > 0) {
        why[0] = '\0';
    }
    buf_init(&file);
    if ((r = keyfile_read(path, LIM_FILE_SIZE, &file)) == 0 &&
        (*is_krl = krl_is_krl(buf_ptr(&file), buf_len(&file)))) {
        r = krl_parse(buf_ptr(&file), buf_len(&file), out, why, why_len);
    }
    buf_cleanup(&file);
    return r;
}

void
krl_cleanup(struct krl *k)
{
    size_t i;

    for (i = 0; i < k->n_certs; i++) {
        krl_certs_cleanup(&k->certs[i]);
    }
    free(k->certs);
    keylist_cleanup(&k->keys);
    free(k->sha1);
    free(k->sha256);
    memset(k, 0, sizeof(*k));
}
