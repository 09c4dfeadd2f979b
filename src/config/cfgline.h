/* SPDX-License-Identifier: ISC */
/* Splitting one configuration line into keyword and value. */
#ifndef ADIT_CONFIG_CFGLINE_H
#define ADIT_CONFIG_CFGLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Split line (NUL-terminated, at most LIM_LINE bytes) into a malloc'd
 * keyword and value: "Key Value", "Key=Value", "Key = Value"; leading and
 * trailing blanks are dropped and a value in double quotes is unquoted.
 * ERR_NOTFOUND for a blank or '#' comment line, ERR_FORMAT when the value
 * is missing or a quote is not closed.
 */
int cfgline_split(const char *line, char **key, char **value);

/* "yes"/"no" (and "true"/"false"), case-insensitive. */
int cfgline_bool(const char *v, int *out);

/* A decimal integer in [lo, hi]. */
int cfgline_int(const char *v, long lo, long hi, int *out);

/* An ssh LogLevel name: QUIET FATAL ERROR INFO VERBOSE DEBUG DEBUG1..3. */
int cfgline_loglevel(const char *v, int *out);

#endif
