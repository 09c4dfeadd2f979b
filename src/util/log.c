/* SPDX-License-Identifier: ISC */
/* Logging to stderr with ssh's -v levels. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

/* Fixed once at start-up by log_init(); see log.h. */
static int log_level_cur = LOG_ERROR;
static const char *log_prog = "adit";

void
log_init(const char *progname, int level)
{
    log_prog = progname;
    log_level_cur = level;
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
    char line[1024];

    if (level > log_level_cur) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (level >= LOG_DEBUG1) {
        fprintf(stderr, "debug%d: %s: %s\r\n", level - LOG_VERBOSE, func, line);
    } else if (level == LOG_ERROR) {
        fprintf(stderr, "%s: %s\r\n", log_prog, line);
    } else {
        fprintf(stderr, "%s\r\n", line);
    }
}
