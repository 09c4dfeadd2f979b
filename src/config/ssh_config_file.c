/* SPDX-License-Identifier: ISC */
/* ssh_config files: reading, Include globs, the user file's mode check. */
#include "config/ssh_config_file.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/ssh_config_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"

static int
cfg_file_slurp(FILE *f, struct buf *b)
{
    uint8_t *p = NULL;
    size_t n;
    int r;

    for (;;) {
        if ((r = buf_reserve(b, 4096, &p)) != 0) {
            return r;
        }
        if ((n = fread(p, 1, 4096, f)) == 0) {
            return ferror(f) ? ERR_IO : 0;
        }
        buf_commit(b, n);
        if (buf_len(b) > LIM_FILE_SIZE) {
            return ERR_LIMIT;
        }
    }
}

/* As ssh: owned by us or root, not writable by group or others. */
static int
cfg_file_perm(struct ssh_config_read *rd, FILE *f, const char *path)
{
    struct stat st;

    if (fstat(fileno(f), &st) != 0) {
        return ERR_IO;
    }
    if ((st.st_uid != 0 && st.st_uid != getuid()) || (st.st_mode & 022) != 0) {
        ssh_config_diagf(rd, "Bad owner or permissions on %s", path);
        return ERR_DENIED;
    }
    return 0;
}

int
ssh_config_read_file(struct ssh_config_read *rd, const char *path,
                     bool check_perm, int depth)
{
    unsigned bad_before = rd->n_bad;
    struct buf b;
    FILE *f;
    int r;

    if ((f = fopen(path, "r")) == NULL) {
        if (errno == ENOENT) {
            return ERR_NOTFOUND;
        }
        ssh_config_diagf(rd, "Can't open user config file %s: %s", path,
                         strerror(errno));
        return ERR_IO;
    }
    buf_init(&b);
    buf_set_nowipe(&b);
    if ((r = check_perm ? cfg_file_perm(rd, f, path) : 0) == 0 &&
        (r = cfg_file_slurp(f, &b)) == 0) {
        r = ssh_config_parse(rd, path, (const char *)buf_ptr(&b), buf_len(&b),
                             depth);
    } else if (r == ERR_LIMIT || r == ERR_IO) {
        ssh_config_diagf(rd, "Can't read config file %s: %s", path,
                         r == ERR_LIMIT ? "File too large" : strerror(errno));
    }
    fclose(f);
    buf_cleanup(&b);
    if (r == 0 && rd->n_bad > bad_before) {
        ssh_config_diagf(rd, "%s: terminating, %u bad configuration options",
                         path, rd->n_bad - bad_before);
        r = ERR_CONFIG;
    }
    return r;
}

int
ssh_config_include_glob(struct ssh_config_read *rd, const char *pattern,
                        int depth)
{
    glob_t g;
    size_t i;
    int r = 0, gr;

    memset(&g, 0, sizeof(g));
    gr = glob(pattern, 0, NULL, &g);
    if (gr == GLOB_NOMATCH) {
        return 0;
    }
    if (gr != 0) {
        ssh_config_diagf(rd, "Include %s: glob failed", pattern);
        globfree(&g);
        return ERR_CONFIG;
    }
    for (i = 0; i < g.gl_pathc && r == 0; i++) {
        r = ssh_config_read_file(rd, g.gl_pathv[i], rd->is_user_file, depth);
        if (r == ERR_NOTFOUND) {
            r = 0;
        } else if (r == ERR_IO) {
            rd->n_bad++; /* a bad line of the includer, as ssh */
            r = 0;
        } else if (r == ERR_CONFIG) {
            /* The included file was fatal (reported): stop everything,
             * with a code the includer's parse does not count again. */
            r = ERR_DENIED;
        }
    }
    globfree(&g);
    return r;
}

static int
cfg_read_top(struct ssh_config_read *rd, const char *path, bool is_user,
             bool check_perm)
{
    int r;

    rd->is_user_file = is_user;
    rd->is_active = true;
    rd->is_never_match = false;
    r = ssh_config_read_file(rd, path, check_perm, 0);
    return r == ERR_NOTFOUND ? 0 : r;
}

int
ssh_config_read_files(struct ssh_config_read *rd, const char *file,
                      const char *system_file)
{
    char *user = NULL;
    size_t n;
    int r;

    if (rd->include == NULL) {
        rd->include = ssh_config_include_glob;
    }
    if (file != NULL) {
        if (strcasecmp(file, "none") == 0) {
            return 0;
        }
        rd->is_user_file = true;
        rd->is_active = true;
        r = ssh_config_read_file(rd, file, false, 0);
        if (r == ERR_NOTFOUND) {
            ssh_config_diagf(rd, "Can't open user config file %s: %s", file,
                             strerror(ENOENT));
        }
        return r == 0 ? 0 : ERR_CONFIG;
    }
    n = strlen(rd->home) + sizeof("/.ssh/config");
    if ((user = malloc(n)) == NULL) {
        return ERR_NOMEM;
    }
    snprintf(user, n, "%s/.ssh/config", rd->home);
    r = cfg_read_top(rd, user, true, true);
    free(user);
    if (r == 0) {
        rd->is_quiet_ignored = true; /* see adit(1): system file keywords */
        r = cfg_read_top(rd, system_file, false, false);
        rd->is_quiet_ignored = false;
    }
    return r == 0 || r == ERR_NOMEM ? r : ERR_CONFIG;
}
