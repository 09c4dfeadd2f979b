/* SPDX-License-Identifier: ISC */
/* Helpers for the private key file tests: the binary inside a fixture's
 * armour, armouring mutated bytes again, and the outer length fields. */
#ifndef ADIT_TEST_PRIVKEY_FIXTURE_H
#define ADIT_TEST_PRIVKEY_FIXTURE_H

#include "keys/sshkey.h"
#include "keys_fixture.h"
#include "wire/buf.h"

#define BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----\n"
#define END "\n-----END OPENSSH PRIVATE KEY-----\n"

/* The binary inside an openssh-key-v1 fixture's armour. */
static inline void
unarmor(const char *name, struct buf *out)
{
    char *text = fixture_read(name, NULL), *b, *e, *src, *dst;

    b = strstr(text, BEGIN) + strlen(BEGIN);
    e = strstr(b, "-----END");
    for (src = dst = b; src < e; src++) {
        if (*src != '\n') {
            *dst++ = *src;
        }
    }
    assert_int_equal(base64_decode(b, (size_t)(dst - b), out), 0);
    free(text);
}

/* Armour p again and parse it with pass (NULL: none). */
static inline int
parse_bin_pass(const uint8_t *p, size_t n, const char *pass)
{
    struct sshkey *k = NULL;
    char *b64 = NULL, *text;
    size_t len;
    int r;

    assert_int_equal(base64_encode(p, n, &b64, true), 0);
    len = strlen(BEGIN) + strlen(b64) + strlen(END) + 1;
    text = malloc(len);
    assert_non_null(text);
    snprintf(text, len, "%s%s%s", BEGIN, b64, END);
    r = sshkey_parse_private_pass((const uint8_t *)text, strlen(text), pass, &k,
                                  NULL);
    if (r == 0) {
        assert_non_null(k);
    } else {
        assert_null(k);
    }
    sshkey_free(k);
    free(text);
    free(b64);
    return r;
}

/* Offsets of the outer length fields: after the 15-byte magic, three
 * strings (the last the kdfoptions), a uint32 count, then two strings:
 * offs[0] cipher, [1] kdf, [2] kdfoptions, [3] public key, [4] private. */
static inline size_t
outer_fields(const uint8_t *p, size_t *offs)
{
    size_t off = 15, n = 0, i;

    for (i = 0; i < 6; i++) {
        if (i == 3) {
            off += 4;
            continue;
        }
        offs[n++] = off;
        off += 4 + get_u32_be(p + off);
    }
    return n;
}

#endif
