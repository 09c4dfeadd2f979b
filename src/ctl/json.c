/* SPDX-License-Identifier: ISC */
/* A small JSON writer whose strings are always valid, escaped UTF-8. */
#include "ctl/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

void
json_init(struct json *j, struct buf *b)
{
    memset(j, 0, sizeof(*j));
    j->b = b;
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0 when
 * it is not one: overlong forms, surrogates and values past U+10FFFF are
 * refused as RFC 3629 says. */
static size_t
json_utf8_len(const unsigned char *s, size_t n)
{
    size_t len, i;
    uint32_t cp;

    if (s[0] < 0xc2 || s[0] > 0xf4) {
        return 0;
    }
    len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (len > n) {
        return 0;
    }
    cp = s[0] & (0x7fu >> len);
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            return 0;
        }
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
        return 0;
    }
    return len;
}

/* One character of a string: an escape, a plain byte, or a valid UTF-8
 * sequence; *used says how many input bytes it took. */
static int
json_put_char(struct buf *b, const unsigned char *s, size_t n, size_t *used)
{
    char esc[8];
    size_t len;

    *used = 1;
    if (s[0] == '"' || s[0] == '\\') {
        esc[0] = '\\';
        esc[1] = (char)s[0];
        return buf_put(b, esc, 2);
    }
    if (s[0] < 0x20 || s[0] == 0x7f) {
        snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)s[0]);
        return buf_put(b, esc, 6);
    }
    if (s[0] < 0x80) {
        return buf_put(b, s, 1);
    }
    if ((len = json_utf8_len(s, n)) == 0) {
        return buf_put(b, "\\ufffd", 6);
    }
    *used = len;
    /* U+2028 and U+2029 are valid JSON but end a line in JavaScript. */
    if (len == 3 && s[0] == 0xe2 && s[1] == 0x80 &&
        (s[2] == 0xa8 || s[2] == 0xa9)) {
        return buf_put(b, s[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
    }
    return buf_put(b, s, len);
}

int
json_put_string(struct buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, used;
    int r;

    if ((r = buf_put(b, "\"", 1)) != 0) {
        return r;
    }
    while (i < n) {
        if ((r = json_put_char(b, u + i, n - i, &used)) != 0) {
            return r;
        }
        i += used;
    }
    return buf_put(b, "\"", 1);
}

/* The separator and key before a value; false when nothing is to be
 * written (an earlier error, or a key where none belongs). */
static bool
json_member(struct json *j, const char *key)
{
    if (j->err != 0) {
        return false;
    }
    if ((key != NULL) != j->in_obj[j->depth] ||
        (j->depth == 0 && j->has_item[0])) {
        j->err = ERR_INVAL;
        return false;
    }
    if (j->has_item[j->depth] && (j->err = buf_put(j->b, ",", 1)) != 0) {
        return false;
    }
    j->has_item[j->depth] = true;
    if (key != NULL &&
        ((j->err = json_put_string(j->b, key, strlen(key))) != 0 ||
         (j->err = buf_put(j->b, ":", 1)) != 0)) {
        return false;
    }
    return true;
}

static void
json_raw(struct json *j, const char *key, const char *text)
{
    if (json_member(j, key)) {
        j->err = buf_put(j->b, text, strlen(text));
    }
}

static void
json_open(struct json *j, const char *key, bool obj)
{
    if (!json_member(j, key)) {
        return;
    }
    if (j->depth >= LIM_JSON_DEPTH) {
        j->err = ERR_LIMIT;
        return;
    }
    j->depth++;
    j->has_item[j->depth] = false;
    j->in_obj[j->depth] = obj;
    j->err = buf_put(j->b, obj ? "{" : "[", 1);
}

static void
json_close(struct json *j, bool obj)
{
    if (j->err != 0) {
        return;
    }
    if (j->depth == 0 || j->in_obj[j->depth] != obj) {
        j->err = ERR_INVAL;
        return;
    }
    j->depth--;
    j->err = buf_put(j->b, obj ? "}" : "]", 1);
}

void
json_obj_begin(struct json *j, const char *key)
{
    json_open(j, key, true);
}

void
json_obj_end(struct json *j)
{
    json_close(j, true);
}

void
json_arr_begin(struct json *j, const char *key)
{
    json_open(j, key, false);
}

void
json_arr_end(struct json *j)
{
    json_close(j, false);
}

void
json_str(struct json *j, const char *key, const char *v)
{
    if (v == NULL) {
        json_null(j, key);
    } else if (json_member(j, key)) {
        j->err = json_put_string(j->b, v, strlen(v));
    }
}

void
json_u64(struct json *j, const char *key, uint64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRIu64, v);
    json_raw(j, key, num);
}

void
json_i64(struct json *j, const char *key, int64_t v)
{
    char num[24];

    snprintf(num, sizeof(num), "%" PRId64, v);
    json_raw(j, key, num);
}

void
json_bool(struct json *j, const char *key, bool v)
{
    json_raw(j, key, v ? "true" : "false");
}

void
json_null(struct json *j, const char *key)
{
    json_raw(j, key, "null");
}

int
json_finish(struct json *j)
{
    if (j->err == 0 && (j->depth != 0 || !j->has_item[0])) {
        j->err = ERR_INVAL;
    }
    if (j->err == 0) {
        j->err = buf_put(j->b, "\n", 1);
    }
    return j->err;
}
