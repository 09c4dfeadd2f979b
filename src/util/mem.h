/* SPDX-License-Identifier: ISC */
/* Memory helpers: wiping secrets, constant-time compare, strings. */
#ifndef ADIT_UTIL_MEM_H
#define ADIT_UTIL_MEM_H

#include <stdbool.h>
#include <stddef.h>

/* Overwrite n bytes at p with zeros in a way the compiler keeps. */
void mem_wipe(void *p, size_t n);

/* Wipe n bytes at p, then free it. p may be NULL. */
void mem_free_wiped(void *p, size_t n);

/* Wipe the string s (through its NUL) and free it. s may be NULL. */
void str_free_wiped(char *s);

/* True when the n bytes at a and b are equal; time depends only on n. */
bool mem_equal_ct(const void *a, const void *b, size_t n);

/* malloc'd copy of n bytes (n may be 0), or NULL on allocation failure. */
void *mem_dup(const void *p, size_t n);

/* malloc'd NUL-terminated copy of n bytes, or NULL. */
char *str_ndup(const char *s, size_t n);

/* The value of the hex digit c (either case), or -1. */
int str_hex_digit(int c);

/*
 * Give freed heap memory back to the system. glibc keeps it (it raises
 * its mmap threshold after the first big free, so later big buffers come
 * from the heap), which is what makes reusing it cheap under load; once a
 * connection is idle, what bulk data grew should not stay resident. For
 * after freeing megabytes only: it walks the heap. No-op elsewhere.
 */
void mem_return_free(void);

/* Allocate n*size zeroed bytes; NULL on overflow or failure. */
void *mem_calloc(size_t n, size_t size);

#endif
