/* SPDX-License-Identifier: ISC */
/*
 * Reading ssh_config files as ssh does: -F file (or none), else
 * ~/.ssh/config then the system file; Include globs; the owner and mode
 * check on user files. The text goes to ssh_config_parse().
 */
#ifndef ADIT_CONFIG_SSH_CONFIG_FILE_H
#define ADIT_CONFIG_SSH_CONFIG_FILE_H

#include <stdbool.h>

#include "config/ssh_config.h"

#define SSH_CONFIG_SYSTEM_FILE "/etc/ssh/ssh_config"

/*
 * Read one file at depth. check_perm: refuse (ERR_DENIED, reported) a file
 * owned by someone else than us or root, or writable by group or others.
 * ERR_NOTFOUND if it does not exist (not reported); ERR_IO (reported);
 * ERR_CONFIG when it had bad lines ("<file>: terminating, N bad
 * configuration options", reported), at any depth: as in ssh, a bad
 * included file ends the reading there. ERR_DENIED when an included file
 * was refused or bad (already reported).
 */
int ssh_config_read_file(struct ssh_config_read *rd, const char *path,
                         bool check_perm, int depth);

/* The Include hook: glob pattern, read each match. */
int ssh_config_include_glob(struct ssh_config_read *rd, const char *pattern,
                            int depth);

/*
 * Every file of one pass: file is -F's argument (NULL: the user file
 * ~/.ssh/config then system_file; "none": nothing). ERR_CONFIG when the
 * caller must exit 255 (already reported).
 */
int ssh_config_read_files(struct ssh_config_read *rd, const char *file,
                          const char *system_file);

#endif
