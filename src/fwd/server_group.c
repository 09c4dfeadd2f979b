/* SPDX-License-Identifier: ISC */
/* aditd: Match Group, from the password and group databases. */
#include "fwd/server.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/types.h>

#include "util/addrmatch.h"
#include "util/err.h"

/* Groups of one user looked at; sshd's ga_init has no bound, but a user
 * in more than this many groups is refused rather than half-judged. */
#define SERVER_MAX_GROUPS 1024
/* Largest buffer a group entry (with its member list) may need. */
#define SERVER_GROUP_BUF_MAX (1u << 20)

/*
 * The name of group gid: 1 and *name (in *buf, grown as the entry needs),
 * 0 when the group has no entry, ERR_IO when the database cannot answer.
 * A large group's member list overflows a fixed buffer (ERANGE), so the
 * buffer doubles rather than the group being skipped: skipping would let
 * a user in a big group slip past the Match Group block meant for it.
 */
static int
group_name(gid_t gid, char **buf, size_t *len, const char **name)
{
    struct group gr, *res = NULL;
    char *nb;
    int rc;

    while ((rc = getgrgid_r(gid, &gr, *buf, *len, &res)) == ERANGE &&
           *len < SERVER_GROUP_BUF_MAX) {
        if ((nb = realloc(*buf, *len * 2)) == NULL) {
            return ERR_NOMEM;
        }
        *buf = nb;
        *len *= 2;
    }
    if (rc != 0) {
        return ERR_IO;
    }
    if (res == NULL) {
        return 0;
    }
    *name = res->gr_name;
    return 1;
}

/* As group_name, for the user's groups; fills groups, *n of them. */
static int
user_groups(const char *user, gid_t *groups, int *n)
{
    struct passwd pw, *res = NULL;
    char buf[4096];
    int rc;

    rc = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
    if (rc != 0) {
        return ERR_IO;
    }
    if (res == NULL) {
        *n = 0; /* no such user: a member of no group */
        return 0;
    }
    if (getgrouplist(user, pw.pw_gid, groups, n) < 0) {
        return ERR_LIMIT;
    }
    return 0;
}

int
server_user_in_group(const char *user, const char *list)
{
    gid_t *groups = NULL;
    size_t glen = 4096;
    char *gbuf = NULL;
    const char *name = NULL;
    int n = SERVER_MAX_GROUPS, i, r;
    bool found = false;

    if ((groups = calloc(SERVER_MAX_GROUPS, sizeof(*groups))) == NULL ||
        (gbuf = malloc(glen)) == NULL) {
        free(groups);
        return ERR_NOMEM;
    }
    if ((r = user_groups(user, groups, &n)) != 0) {
        goto out;
    }
    for (i = 0; i < n; i++) {
        if ((r = group_name(groups[i], &gbuf, &glen, &name)) < 0) {
            goto out;
        }
        if (r == 0) {
            continue; /* a gid with no name matches no pattern */
        }
        r = addrmatch_pattern_list(name, list, false);
        if (r == ADDRMATCH_NEGATED) {
            found = false; /* as sshd: a negated group refuses */
            break;
        }
        if (r == ADDRMATCH_YES) {
            found = true;
        }
    }
    r = found ? 1 : 0;
out:
    free(gbuf);
    free(groups);
    return r;
}
