/* SPDX-License-Identifier: ISC */
/* Logging to stderr (or -E's file) with ssh's -v levels. */
#ifndef ADIT_UTIL_LOG_H
#define ADIT_UTIL_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum log_level {
    LOG_QUIET = 0,   /* -q: nothing but fatal start-up errors */
    LOG_ERROR = 1,   /* what went wrong, "adit: ..." */
    LOG_INFO = 2,    /* default, as ssh: notable events, banners */
    LOG_VERBOSE = 3, /* not used by ssh's -v; aditd's LogLevel VERBOSE */
    LOG_DEBUG1 = 4,  /* -v */
    LOG_DEBUG2 = 5,  /* -vv */
    LOG_DEBUG3 = 6,  /* -vvv */
};

/*
 * Set the program name shown before errors and the level. Called once by
 * main() before the loop starts; the level is the one piece of process-wide
 * state outside the loop, as it is configuration fixed at start-up.
 */
void log_init(const char *progname, int level);
int log_get_level(void);

/*
 * -E: log lines (log_msg, log_plain) are appended to path from now on,
 * as ssh's -E: standard error stays the user's and the remote session's.
 * -1 with errno when it cannot be opened.
 */
int log_to_file(const char *path);

/*
 * Peer-supplied text (user names, certificate ids, hosts, paths) reaches
 * log lines, so control bytes are written as \ooo, as ssh's log does
 * (strnvis): ESC and the like always; with one_line (aditd, like sshd's
 * syslog) newline, return and tab too, so no line can be forged. Set once
 * at start-up, with log_init.
 */
void log_set_one_line(bool one_line);

/* in escaped as above into out (always NUL-terminated, cut to fit). */
void log_escape(const char *in, bool one_line, char *out, size_t out_len);

/*
 * ssh's own unprefixed stderr lines (channel open failures, disconnect
 * text, remote paths): printf-style, no newline appended, the whole line
 * escaped as log_escape with one_line false, so a peer's ESC shows as \033
 * while the format's own "\r\n" stays. Always written, whatever the level:
 * callers decide (ssh's -q).
 */
void log_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As log_plain, but always to standard error, even under -E: what ssh
 * writes to the terminal rather than logs (the server's banner,
 * "Connection to HOST closed."). */
void log_screen(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* printf-style; appends a newline. func is shown at debug levels. */
void log_msg(int level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(...) log_msg(LOG_ERROR, __func__, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __func__, __VA_ARGS__)
#define log_verbose(...) log_msg(LOG_VERBOSE, __func__, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG1, __func__, __VA_ARGS__)
#define log_debug2(...) log_msg(LOG_DEBUG2, __func__, __VA_ARGS__)
#define log_debug3(...) log_msg(LOG_DEBUG3, __func__, __VA_ARGS__)

#endif
