/* SPDX-License-Identifier: ISC */
/* Logging to stderr (or -E's file) with ssh's -v levels. */
#include "util/log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Fixed once at start-up by log_init(); see log.h. */
static int log_level_cur = LOG_ERROR;
static const char *log_prog = "adit";
static bool log_one_line = false;
/* -E's file; NULL: stderr. Unbuffered as stderr, so that a forked child
 * never writes a parent's pending line again. */
static FILE *log_file;

#define LOG_OUT (log_file != NULL ? log_file : stderr)

void
log_init(const char *progname, int level)
{
    log_prog = progname;
    log_level_cur = level;
}

int
log_to_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    FILE *f;

    if (fd < 0) {
        return -1;
    }
    if ((f = fdopen(fd, "a")) == NULL) {
        close(fd);
        return -1;
    }
    setvbuf(f, NULL, _IONBF, 0);
    log_file = f;
    return 0;
}

void
log_set_one_line(bool one_line)
{
    log_one_line = one_line;
}

/* ssh's stderr log (VIS_SAFE) keeps these; its syslog encodes them. */
static bool
log_byte_safe(unsigned char c, bool one_line)
{
    if (c == '\n' || c == '\r' || c == '\t') {
        return !one_line;
    }
    return c == '\b' || c == '\a' || (c >= 0x20 && c != 0x7f);
}

void
log_escape(const char *in, bool one_line, char *out, size_t out_len)
{
    size_t o = 0;
    unsigned char c;

    if (out_len == 0) {
        return;
    }
    for (; *in != '\0'; in++) {
        c = (unsigned char)*in;
        if (log_byte_safe(c, one_line)) {
            if (o + 1 >= out_len) {
                break;
            }
            out[o++] = (char)c;
        } else {
            if (o + 4 >= out_len) {
                break;
            }
            snprintf(out + o, out_len - o, "\\%03o", c);
            o += 4;
        }
    }
    out[o] = '\0';
}

/* printf-like (checked at the callers), so clang's -Wformat-nonliteral
 * holds in the fuzz build. */
static void __attribute__((format(printf, 2, 0)))
log_vplain(FILE *out, const char *fmt, va_list ap)
{
    char raw[2048], line[2048];
    size_t n;

    vsnprintf(raw, sizeof(raw), fmt, ap);
    log_escape(raw, false, line, sizeof(line));
    fputs(line, out);
    /* A long peer string may have cut the format's line end off. */
    n = strlen(line);
    if (strlen(fmt) > 0 && fmt[strlen(fmt) - 1] == '\n' &&
        (n == 0 || line[n - 1] != '\n')) {
        fputs("\r\n", out);
    }
}

void
log_plain(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vplain(LOG_OUT, fmt, ap);
    va_end(ap);
}

void
log_screen(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vplain(stderr, fmt, ap);
    va_end(ap);
}

int
log_get_level(void)
{
    return log_level_cur;
}

void
log_msg(int level, const char *func, const char *fmt, ...)
{
    va_list ap;
    char raw[1024], line[1024];

    if (level > log_level_cur) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    log_escape(raw, log_one_line, line, sizeof(line));
    if (level >= LOG_DEBUG1) {
        fprintf(LOG_OUT, "debug%d: %s: %s\r\n", level - LOG_VERBOSE, func,
                line);
    } else if (level == LOG_ERROR) {
        fprintf(LOG_OUT, "%s: %s\r\n", log_prog, line);
    } else {
        fprintf(LOG_OUT, "%s\r\n", line);
    }
}
