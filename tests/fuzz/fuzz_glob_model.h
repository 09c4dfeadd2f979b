/* SPDX-License-Identifier: ISC */
/*
 * The reference glob for the model-checking harnesses: sshd's
 * match_pattern() as written there, recursive and obviously right, and
 * exponential in the stars of a pattern, so only run on short input.
 */
#ifndef ADIT_FUZZ_GLOB_MODEL_H
#define ADIT_FUZZ_GLOB_MODEL_H

#include <stdbool.h>
#include <stddef.h>

/* Patterns with more stars than this are not given to the model. */
#define MODEL_MAX_STARS 4u

static bool
model_glob(const char *p, const char *s)
{
    for (;;) {
        if (*p == '\0') {
            return *s == '\0';
        }
        if (*p == '*') {
            for (; *s != '\0'; s++) {
                if (model_glob(p + 1, s)) {
                    return true;
                }
            }
            return model_glob(p + 1, s);
        }
        if (*s == '\0' || (*p != '?' && *p != *s)) {
            return false;
        }
        p++;
        s++;
    }
}

static inline size_t
model_stars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++) {
        n += *s == '*';
    }
    return n;
}

#endif
