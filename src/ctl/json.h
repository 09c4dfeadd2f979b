/* SPDX-License-Identifier: ISC */
/*
 * A small JSON writer for status output. Strings are often the peer's (user
 * names, certificate ids, hosts, paths), so every string is escaped: quote,
 * backslash and control bytes as \uXXXX escapes, DEL too, U+2028/U+2029
 * (which break JavaScript), and any byte that is not valid UTF-8 becomes
 * U+FFFD, so the output is always valid UTF-8 JSON whatever a peer sent.
 * Errors are sticky: check once with json_finish().
 */
#ifndef ADIT_CTL_JSON_H
#define ADIT_CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/adit_limits.h"
#include "wire/buf.h"

struct json {
    struct buf *b;
    int err;        /* first error (ERR_NOMEM, ERR_LIMIT, ERR_INVAL) */
    unsigned depth; /* open objects and arrays */
    bool has_item[LIM_JSON_DEPTH + 1]; /* a member was written at depth */
    bool in_obj[LIM_JSON_DEPTH + 1];   /* members need keys at depth */
};

/* Write to b (appending). */
void json_init(struct json *j, struct buf *b);

/* Each writer takes the member's key inside an object and NULL inside an
 * array or at the top; the wrong one is ERR_INVAL. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
/* v NULL writes null. */
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);

/* 0 when everything was written and closed (a newline is appended), else
 * the first error. */
int json_finish(struct json *j);

/* s (n bytes) as a JSON string literal, quotes included. */
int json_put_string(struct buf *b, const char *s, size_t n);

#endif
