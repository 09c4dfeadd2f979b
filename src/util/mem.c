/* SPDX-License-Identifier: ISC */
/* Memory helpers: wiping secrets, constant-time compare, strings. */
#include "util/mem.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

void
mem_return_free(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}

void
mem_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0) {
        OPENSSL_cleanse(p, n);
    }
}

void
mem_free_wiped(void *p, size_t n)
{
    if (p == NULL) {
        return;
    }
    mem_wipe(p, n);
    free(p);
}

void
str_free_wiped(char *s)
{
    if (s != NULL) {
        mem_free_wiped(s, strlen(s));
    }
}

bool
mem_equal_ct(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void *
mem_dup(const void *p, size_t n)
{
    void *d = malloc(n > 0 ? n : 1);

    if (d != NULL && n > 0) {
        memcpy(d, p, n);
    }
    return d;
}

char *
str_ndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d == NULL) {
        return NULL;
    }
    if (n > 0) {
        memcpy(d, s, n);
    }
    d[n] = '\0';
    return d;
}

void *
mem_calloc(size_t n, size_t size)
{
    return calloc(n > 0 ? n : 1, size > 0 ? size : 1);
}

int
str_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
