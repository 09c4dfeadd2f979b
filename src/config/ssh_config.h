/* SPDX-License-Identifier: ISC */
/*
 * ssh_config(5) text: Host and Match blocks, Include, and keyword lines
 * applied to a struct client_config with ssh's rules (first value wins,
 * unknown keywords are errors unless IgnoreUnknown names them, errors are
 * counted and reading goes on). The parser works on memory buffers; the
 * files and Include's globs are read by ssh_config_file.c through the
 * include hook, so the parser can be fuzzed without touching files.
 */
#ifndef ADIT_CONFIG_SSH_CONFIG_H
#define ADIT_CONFIG_SSH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config/client_config.h"

#define SSH_CONFIG_MAX_DEPTH 16 /* nested Include, as ssh */
#define SSH_CONFIG_MAX_WARNED 64

struct ssh_config_read;

/*
 * Read every file the (already expanded, absolute) glob pattern names, in
 * glob order, each through ssh_config_parse() at depth + 1. A pattern
 * that matches nothing is not an error. ERR_CONFIG when a file could not
 * be read (the hook reports why through rd->diag).
 */
typedef int (*ssh_config_include_fn)(struct ssh_config_read *rd,
                                     const char *pattern, int depth);

/* Messages (errors and warnings, ssh's wording, no newline). */
typedef void (*ssh_config_diag_fn)(void *arg, const char *msg);

struct ssh_config_read {
    struct client_config *cfg;
    const char *host;          /* matched by Host lines (lowercase) */
    const char *original_host; /* Match originalhost; %n */
    const char *local_user;    /* Match localuser; Match user default */
    const char *home;          /* ~/.ssh/config (ssh: the passwd entry's) */
    const char *glob_home;     /* ~ and relative Include in user files */
    const char *system_dir;    /* relative Include in system files */
    bool is_user_file;         /* reading a user file (-F, ~/.ssh/config) */
    bool is_final_pass;        /* Match final / canonical match */
    bool want_final_pass;      /* out: a Match final was seen */
    bool is_never_match;       /* inside an Include from an inactive block */
    bool is_active;            /* the current Host/Match block applies */
    unsigned n_bad;            /* bad lines so far */
    ssh_config_include_fn include;
    void *include_arg;
    ssh_config_diag_fn diag;
    void *diag_arg;
    const char *warned[SSH_CONFIG_MAX_WARNED]; /* ignored keywords told */
    size_t n_warned;
    bool is_quiet_ignored; /* ignored keywords logged, not warned */
};

/*
 * Prepare rd for cfg. Strings are borrowed and must outlive rd. include
 * may be NULL (Include then reads nothing).
 */
void ssh_config_read_init(struct ssh_config_read *rd, struct client_config *cfg,
                          const char *host, const char *local_user,
                          const char *home);

/*
 * Parse one file's text (len bytes, need not be NUL-terminated) named
 * filename for messages, at Include depth. Each file starts in an active
 * block (top level) or in the including block's state (Include). Returns
 * 0 (bad lines are counted in rd->n_bad and reported through diag),
 * ERR_LIMIT for a line longer than LIM_LINE or too deep an Include,
 * ERR_NOMEM.
 */
int ssh_config_parse(struct ssh_config_read *rd, const char *filename,
                     const char *text, size_t len, int depth);

/*
 * One -o option ("Keyword=Value"): as a line of "command-line" at line 0.
 * ERR_CONFIG (already reported through diag) for a bad one.
 */
int ssh_config_option(struct ssh_config_read *rd, const char *line);

/*
 * ssh's wildcard match: '*' any run, '?' one character; no other syntax.
 * fold: compare case-insensitively (host names).
 */
bool ssh_config_match_pattern(const char *s, const char *pattern, bool fold);

/*
 * A comma-separated pattern list, each optionally negated with '!':
 * 1 if some positive pattern matches and no negated one does, 0 if none
 * matches, -1 if a negated one matches.
 */
int ssh_config_match_list(const char *s, const char *list, bool fold);

#endif
