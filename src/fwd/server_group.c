/* SPDX-License-Identifier: ISC */
/* aditd: Match Group, from the password and group databases. */
#include "fwd/server.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/types.h>

#include "util/addrmatch.h"

/* Groups of one user looked at; sshd's ga_init has no bound, but a user
 * in more than this many groups is not worth a slow login. */
#define SERVER_MAX_GROUPS 1024

/* The name of group gid into buf, or NULL. */
static const char *
group_name(gid_t gid, char *buf, size_t len)
{
    struct group gr, *res = NULL;

    if (getgrgid_r(gid, &gr, buf, len, &res) != 0 || res == NULL) {
        return NULL;
    }
    return res->gr_name;
}

bool
server_user_in_group(const char *user, const char *list)
{
    struct passwd pw, *res = NULL;
    char buf[4096], gbuf[4096];
    gid_t *groups = NULL;
    int n = SERVER_MAX_GROUPS, i;
    bool found = false;
    const char *name;

    if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL ||
        (groups = calloc(SERVER_MAX_GROUPS, sizeof(*groups))) == NULL) {
        return false;
    }
    if (getgrouplist(user, pw.pw_gid, groups, &n) < 0) {
        n = SERVER_MAX_GROUPS;
    }
    for (i = 0; i < n; i++) {
        if ((name = group_name(groups[i], gbuf, sizeof(gbuf))) == NULL) {
            continue;
        }
        switch (addrmatch_pattern_list(name, list, false)) {
        case ADDRMATCH_NEGATED:
            free(groups);
            return false; /* as sshd: a negated group refuses */
        case ADDRMATCH_YES:
            found = true;
            break;
        default:
            break;
        }
    }
    free(groups);
    return found;
}
