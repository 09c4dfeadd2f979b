/* SPDX-License-Identifier: ISC */
/* Splitting one configuration line into keyword and value. */
#ifndef ADIT_CONFIG_CFGLINE_H
#define ADIT_CONFIG_CFGLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* The LogLevel name of a level as -G / -T print it; unset for any other. */
const char *cfgline_loglevel_name(int level, const char *unset);

/*
 * An sshd_config time: "120", "2m", "1h30m" (units s m h d w, either
 * case), at most one year. *out in seconds.
 */
int cfgline_time(const char *v, int *out);

/*
 * A RekeyLimit value as in ssh_config(5) and sshd_config(5): an amount of
 * data ("default", or bytes with an optional K, M or G suffix, at least
 * 16), then optionally a time ("none", or a cfgline_time value).
 * *bytes becomes 0 for "default", else the bytes; *seconds 0 for "none"
 * (no rekey by time), else the seconds. Each is set only while it is -1
 * (unset), so the first value given wins, as in ssh and sshd; neither is
 * touched on error (ERR_FORMAT).
 */
int cfgline_rekey_limit(const char *v, int64_t *bytes, int *seconds);

#endif
