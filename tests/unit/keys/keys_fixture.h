/* SPDX-License-Identifier: ISC */
/* Helpers for the keys tests: fixture files under tests/data/keys/. */
#ifndef ADIT_TEST_KEYS_FIXTURE_H
#define ADIT_TEST_KEYS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* tests/data/keys/<name>, found from this header's own path. */
static inline void
fixture_path(const char *name, char *out, size_t out_len)
{
    const char *me = __FILE__;
    const char *cut = strstr(me, "unit/keys/keys_fixture.h");

    assert_non_null(cut);
    snprintf(out, out_len, "%.*sdata/keys/%s", (int)(cut - me), me, name);
}

/* Whole file as a NUL-terminated malloc'd string; *len gets its size. */
static inline char *
fixture_read(const char *name, size_t *len)
{
    char path[1024];
    FILE *f;
    char *s;
    long n;

    fixture_path(name, path, sizeof(path));
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    if (len != NULL) {
        *len = (size_t)n;
    }
    return s;
}

/* First line of a fixture without its newline. */
static inline char *
fixture_line(const char *name)
{
    char *s = fixture_read(name, NULL);

    s[strcspn(s, "\r\n")] = '\0';
    return s;
}

#endif
