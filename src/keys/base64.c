/* SPDX-License-Identifier: ISC */
/* Standard base64 (RFC 4648 4) for key files and known_hosts. */
#include <stdlib.h>
#include <string.h>

#include "keys/sshkey.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
base64_encode(const uint8_t *p, size_t n, char **out, bool pad)
{
    size_t i, o = 0;
    uint32_t v;
    char *s;

    *out = NULL;
    if (n > LIM_BUF_MAX) {
        return ERR_LIMIT;
    }
    if ((s = malloc((n + 2) / 3 * 4 + 1)) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i + 2 < n; i += 3) {
        v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        s[o++] = b64_alphabet[v >> 18 & 63];
        s[o++] = b64_alphabet[v >> 12 & 63];
        s[o++] = b64_alphabet[v >> 6 & 63];
        s[o++] = b64_alphabet[v & 63];
    }
    if (i < n) {
        v = (uint32_t)p[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)p[i + 1] << 8;
        }
        s[o++] = b64_alphabet[v >> 18 & 63];
        s[o++] = b64_alphabet[v >> 12 & 63];
        if (i + 1 < n) {
            s[o++] = b64_alphabet[v >> 6 & 63];
        } else if (pad) {
            s[o++] = '=';
        }
        if (pad) {
            s[o++] = '=';
        }
    }
    s[o] = '\0';
    *out = s;
    return 0;
}

static int
b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/*
 * Padding is optional, but when present it must complete the last quantum
 * exactly; a lone trailing sextet (n % 4 == 1) and non-zero leftover bits
 * are rejected so that every byte string has one accepted encoding.
 */
int
base64_decode(const char *s, size_t n, struct buf *out)
{
    size_t i, o = 0, npad = 0, nsym;
    uint32_t acc = 0;
    uint8_t *dst;
    int v, r, bits = 0;

    while (npad < 2 && npad < n && s[n - 1 - npad] == '=') {
        npad++;
    }
    nsym = n - npad;
    if ((npad > 0 && n % 4 != 0) || nsym % 4 == 1) {
        return ERR_FORMAT;
    }
    if ((r = buf_reserve(out, nsym / 4 * 3 + 2, &dst)) != 0) {
        return r;
    }
    for (i = 0; i < nsym; i++) {
        if ((v = b64_value(s[i])) < 0) {
            mem_wipe(dst, o);
            return ERR_FORMAT;
        }
        acc = (acc << 6 | (uint32_t)v) & 0xffffff;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            dst[o++] = (uint8_t)(acc >> bits);
        }
    }
    if ((acc & ((1u << bits) - 1)) != 0) {
        mem_wipe(dst, o);
        return ERR_FORMAT;
    }
    buf_commit(out, o);
    return 0;
}
