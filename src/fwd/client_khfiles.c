/* SPDX-License-Identifier: ISC */
/*
 * adit: a hop's known_hosts files, as ssh reads them: every file of
 * UserKnownHostsFile, then of GlobalKnownHostsFile, each checked; new keys
 * are written to the first user file only.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* ssh_config(5)'s defaults. */
#define KH_USER_DEFAULT "~/.ssh/known_hosts ~/.ssh/known_hosts2"
#define KH_GLOBAL_DEFAULT "/etc/ssh/ssh_known_hosts /etc/ssh/ssh_known_hosts2"

/* Split list at blanks into kh's files (each ~-expanded), at most
 * LIM_KNOWN_HOSTS_FILES of them. */
static int
kh_split(const char *list, struct client_kh *kh)
{
    const char *p = list;
    char word[1024], path[1024];
    size_t len, start = kh->n;

    while (*p != '\0' && kh->n - start < LIM_KNOWN_HOSTS_FILES) {
        p += strspn(p, " \t");
        len = strcspn(p, " \t");
        if (len == 0) {
            break;
        }
        if (len >= sizeof(word)) {
            return ERR_LIMIT;
        }
        memcpy(word, p, len);
        word[len] = '\0';
        p += len;
        client_tilde(word, path, sizeof(path));
        if ((kh->files[kh->n] = strdup(path)) == NULL) {
            return ERR_NOMEM;
        }
        kh->n++;
    }
    return 0;
}

int
client_kh_init(struct client_kh *kh, const struct client_config *cfg)
{
    int r;

    memset(kh, 0, sizeof(*kh));
    if ((r = kh_split(cfg->user_known_hosts != NULL ? cfg->user_known_hosts
                                                    : KH_USER_DEFAULT,
                      kh)) != 0) {
        return r;
    }
    kh->n_user = kh->n;
    if ((r = kh_split(cfg->global_known_hosts != NULL ? cfg->global_known_hosts
                                                      : KH_GLOBAL_DEFAULT,
                      kh)) != 0) {
        return r;
    }
    if (kh->n_user == 0) {
        return ERR_INVAL; /* "none" is a file name; an empty list is not */
    }
    return 0;
}

void
client_kh_cleanup(struct client_kh *kh)
{
    size_t i;

    for (i = 0; i < kh->n; i++) {
        free(kh->files[i]);
    }
    memset(kh, 0, sizeof(*kh));
}

const char *
client_kh_user_file(const struct client_kh *kh)
{
    return kh->n_user > 0 ? kh->files[0] : "";
}

/*
 * As ssh's check_key_in_hostkeys over all files: a revoked key anywhere
 * wins, then a match anywhere, then the first file whose lines name the
 * host with other keys (changed), else new.
 */
void
client_kh_check(const struct client_kh *kh, const char *name,
                const struct sshkey *key, struct client_kh_result *res)
{
    enum hostkey_status st;
    unsigned line;
    size_t i;
    int r;

    memset(res, 0, sizeof(*res));
    res->status = HOSTKEY_NEW;
    for (i = 0; i < kh->n; i++) {
        if ((r = knownhosts_check(kh->files[i], name, key, &st, &line)) != 0) {
            log_debug("%s: known_hosts check failed: %s", kh->files[i],
                      err_str(r));
            continue;
        }
        if (st == HOSTKEY_REVOKED ||
            (st == HOSTKEY_MATCH && res->status != HOSTKEY_REVOKED) ||
            (st == HOSTKEY_CHANGED && res->status == HOSTKEY_NEW)) {
            res->status = st;
            res->file = kh->files[i];
            res->line = line;
        }
    }
}

bool
client_kh_ca_trusted(const struct client_kh *kh, const char *name,
                     const struct sshkey *ca)
{
    bool trusted = false;
    size_t i;

    for (i = 0; i < kh->n; i++) {
        if (knownhosts_check_ca(kh->files[i], name, ca, &trusted) == 0 &&
            trusted) {
            return true;
        }
    }
    return false;
}

int
client_kh_types(const struct client_kh *kh, const char *name, unsigned *mask)
{
    unsigned one;
    size_t i;
    int r;

    *mask = 0;
    for (i = 0; i < kh->n; i++) {
        if ((r = knownhosts_known_types(kh->files[i], name, &one)) != 0) {
            return r;
        }
        *mask |= one;
    }
    return 0;
}

void
client_hop_kh_name(const struct client_hop *hop, char *out, size_t out_len)
{
    if (hop->cfg->host_key_alias != NULL) {
        /* As ssh: the alias alone, with no port. */
        snprintf(out, out_len, "%s", hop->cfg->host_key_alias);
        return;
    }
    knownhosts_name(hop->host, hop->port, out, out_len);
}
