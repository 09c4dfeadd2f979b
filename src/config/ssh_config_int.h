/* SPDX-License-Identifier: ISC */
/* Internal to src/config/ssh_config*.c: one line's words. */
#ifndef ADIT_CONFIG_SSH_CONFIG_INT_H
#define ADIT_CONFIG_SSH_CONFIG_INT_H

#include <stddef.h>

#include "config/ssh_config.h"

#define SSH_CONFIG_MAX_ARGS 256

/* Where a line came from, for messages. */
struct cfg_where {
    const char *file;
    unsigned line;
    bool is_cmdline;
};

/* The words after the keyword, split as ssh does (quotes, '\'). */
struct cfg_args {
    char *buf; /* all words, NUL-separated */
    char *v[SSH_CONFIG_MAX_ARGS];
    size_t n;
};

void ssh_config_diagf(struct ssh_config_read *rd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A Host line: sets rd->is_active. */
void ssh_config_host_line(struct ssh_config_read *rd, const struct cfg_args *a);

/* A Match line: sets rd->is_active, or ERR_CONFIG (reported). */
int ssh_config_match_line(struct ssh_config_read *rd, const struct cfg_where *w,
                          const struct cfg_args *a);

#endif
