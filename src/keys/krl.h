/* SPDX-License-Identifier: ISC */
/*
 * OpenSSH key revocation lists (PROTOCOL.krl), as `ssh-keygen -k` writes
 * them for sshd's RevokedKeys: certificates revoked by serial (lists,
 * ranges, bitmaps) or key ID for one CA or any, plain keys revoked
 * explicitly or by SHA1 / SHA256 hash of their blob. Signature sections
 * are read and skipped, never verified (sshd 9.2 does not require them to
 * be from a trusted key either, and 9.4 refuses them outright; a KRL is
 * trusted for where it is read from). Everything is read through the
 * bounds-checked reader.
 */
#ifndef ADIT_KEYS_KRL_H
#define ADIT_KEYS_KRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keylist.h"
#include "keys/sshkey.h"

/* Room for why a KRL is refused or what revoked a key. */
#define KRL_WHY_LEN 160

struct krl_range {
    uint64_t lo, hi; /* lo <= serial <= hi; lo >= 1 */
};

struct krl_bitmap {
    uint64_t offset; /* bit N set: serial offset + N revoked */
    uint8_t *bits;   /* big-endian, bit 0 the low bit of the last byte */
    size_t len;
};

/* The certificates of one CA (ca NULL: of any CA) that are revoked. */
struct krl_certs {
    struct sshkey *ca;
    struct krl_range *ranges;
    size_t n_ranges;
    struct krl_bitmap *bitmaps;
    size_t n_bitmaps;
    char **key_ids;
    size_t n_key_ids;
};

#define KRL_SHA1_LEN 20u
#define KRL_SHA256_LEN 32u

struct krl {
    uint64_t version;   /* krl_version: grows with each change */
    uint64_t generated; /* seconds since 1970 */
    struct krl_certs *certs;
    size_t n_certs;
    struct keylist keys; /* explicitly revoked plain keys */
    uint8_t *sha1;       /* n_sha1 hashes of KRL_SHA1_LEN, increasing */
    size_t n_sha1;
    uint8_t *sha256; /* n_sha256 of KRL_SHA256_LEN, increasing */
    size_t n_sha256;
    size_t n_signatures; /* read and not verified */
};

/* Does the data start with the KRL magic ("SSHKRL\n\0")? */
bool krl_is_krl(const uint8_t *p, size_t n);

/*
 * Parse a whole KRL into out. ERR_FORMAT (why says which section and
 * what), ERR_TRUNC, ERR_TRAILING, ERR_LIMIT, ERR_KEY_* for a bad key
 * blob, ERR_NOMEM. An unknown section or a critical extension refuses the
 * whole KRL, as sshd does. out is empty on error.
 */
int krl_parse(const uint8_t *p, size_t n, struct krl *out, char *why,
              size_t why_len);

/* Read and parse path (at most LIM_FILE_SIZE). ERR_NOTFOUND if missing.
 * A file that does not start with the magic is no KRL: 0, *is_krl false
 * and out empty (sshd then reads it as a list of keys). */
int krl_load(const char *path, struct krl *out, bool *is_krl, char *why,
             size_t why_len);

void krl_cleanup(struct krl *k);

/*
 * Is key revoked, as sshd's ssh_krl_check_key decides: the key (the plain
 * key under a certificate) by hash or explicitly; a certificate by key
 * ID, or by serial (never serial 0), in a section for its CA or for any
 * CA; and a certificate's CA by hash or explicitly. why (may be NULL)
 * says how ("by SHA256 hash", "certificate serial 7", ...). ERR_NOMEM is
 * taken as revoked (fail closed).
 */
bool krl_revoked(const struct krl *k, const struct sshkey *key, char *why,
                 size_t why_len);

#endif
