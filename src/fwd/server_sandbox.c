/* SPDX-License-Identifier: ISC */
/* The paths aditd's sandbox leaves open, from its configuration. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd/server.h"
#include "fwd/server_int.h"
#include "util/err.h"
#include "util/mem.h"

/* What glibc reads after start-up: the passwd database and NSS modules at
 * each login, the resolver's files for PermitOpen names and forwards. */
static const char *const system_paths[] = {
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/etc/host.conf",
    "/etc/gai.conf",
    "/etc/services",
    "/etc/localtime",
    "/etc/ld.so.cache",
    "/lib",
    "/lib64",
    "/usr/lib",
    "/usr/lib64",
    "/dev/null",
    "/dev/urandom",
};

/*
 * Every home directory in the passwd database, for patterns with %h: the
 * user is known only at login. Users added later are outside the sandbox
 * until aditd restarts.
 */
static int
allow_homes(struct sandbox *sb)
{
    struct passwd *pw;
    int r = 0;

    setpwent();
    while (r == 0 && (pw = getpwent()) != NULL) {
        if (pw->pw_dir != NULL && pw->pw_dir[0] == '/' &&
            strcmp(pw->pw_dir, "/") != 0) {
            r = sandbox_allow(sb, pw->pw_dir, SANDBOX_READ);
        }
    }
    endpwent();
    return r;
}

/*
 * One path or %-pattern, read-only: a plain path as it is; a pattern by
 * its fixed prefix (the directory before the first %), or every home for
 * %h. "/etc/aditd/keys/%u" opens /etc/aditd/keys/ and nothing else.
 */
static int
allow_pattern(struct sandbox *sb, const char *pattern, bool *homes)
{
    const char *pct = strchr(pattern, '%');
    char *dir;
    size_t n;
    int r;

    if (pct == NULL) {
        return sandbox_allow(sb, pattern, SANDBOX_READ);
    }
    if (strstr(pattern, "%h") != NULL) {
        *homes = true;
    }
    n = (size_t)(pct - pattern);
    while (n > 0 && pattern[n - 1] != '/') {
        n--;
    }
    if (n == 0) {
        return 0; /* starts with %: only homes or the working directory */
    }
    if ((dir = str_ndup(pattern, n)) == NULL) {
        return ERR_NOMEM;
    }
    r = sandbox_allow(sb, dir, SANDBOX_READ);
    free(dir);
    return r;
}

/* The Unix socket files aditd makes and removes after start-up. */
static int
allow_sockets(struct sandbox *sb, const struct server_config *cfg)
{
    const struct server_fwd_config *f = &cfg->fwd;
    char *dir, *slash;
    int r = 0;

    if (cfg->control_socket != NULL &&
        strcmp(cfg->control_socket, "none") != 0 &&
        (slash = strrchr(cfg->control_socket, '/')) != NULL) {
        if ((dir = str_ndup(cfg->control_socket,
                            (size_t)(slash - cfg->control_socket) + 1)) ==
            NULL) {
            return ERR_NOMEM;
        }
        r = sandbox_allow(sb, dir, SANDBOX_SOCKETS);
        free(dir);
    }
    /* A client names the path of a remote streamlocal forward: sockets
     * may be made and removed anywhere the user may, as with sshd; no file
     * can be read or written through this. */
    if (r == 0 && f->disable != 1 && f->allow_streamlocal > 0 &&
        (f->allow_streamlocal & FWD_ALLOW_REMOTE) != 0) {
        r = sandbox_allow(sb, "/", SANDBOX_SOCKETS);
    }
    return r;
}

/* The files a configuration names for logins: CA keys, revoked keys,
 * principals and authorized keys (plain paths or patterns). */
static int
allow_login_files(struct sandbox *sb, const struct server_config *cfg,
                  bool *homes)
{
    const char *files[3] = {cfg->trusted_user_ca_keys, cfg->revoked_keys,
                            cfg->authorized_principals_file};
    char *pattern = NULL;
    size_t i;
    int r = 0;

    for (i = 0; r == 0 && i < 3; i++) {
        if (files[i] != NULL && strcmp(files[i], "none") != 0) {
            r = allow_pattern(sb, files[i], homes);
        }
    }
    for (i = 0; r == 0 && cfg->authorized_keys_file != NULL &&
                server_akfile_path(cfg, i, &pattern) == 0;
         i++) {
        r = allow_pattern(sb, pattern, homes);
        free(pattern);
        pattern = NULL;
    }
    return r;
}

/*
 * Files named only inside Match blocks (AuthorizedKeysFile for one group,
 * say): each block's lines on their own, as if it matched, since a login
 * it matches reads them. Only what a block sets is added: a block that
 * names no file leaves the global choice alone.
 */
static int
allow_match_files(struct sandbox *sb, const struct server_config *cfg,
                  bool *homes)
{
    struct server_config blk;
    char why[256];
    size_t b, i;
    int r = 0;

    for (b = 0; r == 0 && b < cfg->n_matches; b++) {
        server_config_init(&blk);
        for (i = 0; r == 0 && i < cfg->n_recs; i++) {
            if (cfg->recs[i].block == (int)b) {
                r = server_config_line(&blk, cfg->recs[i].line, why,
                                       sizeof(why));
            }
        }
        if (r == 0) {
            r = allow_login_files(sb, &blk, homes);
        }
        server_config_cleanup(&blk);
    }
    return r;
}

int
server_sandbox_paths(const struct server_config *cfg, const char *cfgfile,
                     struct sandbox *sb)
{
    char pub[4096];
    bool homes = false;
    size_t i;
    int r = 0;

    for (i = 0; r == 0 && i < sizeof(system_paths) / sizeof(*system_paths);
         i++) {
        r = sandbox_allow(sb, system_paths[i], SANDBOX_READ);
    }
    if (r == 0 && cfgfile != NULL) {
        r = sandbox_allow(sb, cfgfile, SANDBOX_READ);
    }
    for (i = 0; r == 0 && i < cfg->n_host_keys; i++) {
        snprintf(pub, sizeof(pub), "%s.pub", cfg->host_keys[i]);
        if ((r = sandbox_allow(sb, cfg->host_keys[i], SANDBOX_READ)) == 0) {
            r = sandbox_allow(sb, pub, SANDBOX_READ);
        }
    }
    if (r == 0) {
        r = allow_login_files(sb, cfg, &homes);
    }
    if (r == 0) {
        r = allow_match_files(sb, cfg, &homes);
    }
    if (r == 0 && homes) {
        r = allow_homes(sb);
    }
    return r == 0 ? allow_sockets(sb, cfg) : r;
}
