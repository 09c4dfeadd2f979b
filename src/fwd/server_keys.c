/* SPDX-License-Identifier: ISC */
/* aditd: host keys (generated when missing) and authorized keys. */
#include "fwd/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/log.h"

static int
server_hostkey_generate(const char *path, struct sshkey **out)
{
    char fp[SSHKEY_FP_LEN];
    int r;

    if ((r = sshkey_generate(SSHKEY_ED25519, 0, out)) != 0 ||
        (r = sshkey_save_private(*out, path, "aditd host key")) != 0 ||
        (r = sshkey_fingerprint(*out, fp, sizeof(fp))) != 0) {
        fprintf(stderr, "aditd: could not generate host key %s: %s\n", path,
                err_str(r));
        return r;
    }
    log_info("generated new host key %s (ED25519 %s)", path, fp);
    return 0;
}

int
server_load_hostkeys(struct server *srv)
{
    const struct server_config *cfg = srv->cfg;
    size_t i;
    int r;

    for (i = 0; i < cfg->n_host_keys; i++) {
        struct sshkey *k = NULL;
        const char *path = cfg->host_keys[i];

        if (access(path, F_OK) != 0) {
            r = server_hostkey_generate(path, &k);
        } else if ((r = sshkey_load_private(path, &k)) != 0) {
            fprintf(stderr, "aditd: could not load host key %s: %s\n", path,
                    err_str(r));
        }
        if (r != 0) {
            return r;
        }
        srv->hostkeys[srv->n_hostkeys++] = k;
        log_debug("host key %s: %s", path, sshkey_type_name(k));
    }
    return 0;
}

bool
server_has_user_token(const struct server_config *cfg)
{
    return server_lookup_needs_keys(cfg);
}

int
server_akfile_path_in(const char *p, size_t n, char **out)
{
    size_t len;

    *out = NULL;
    for (;;) {
        p += strspn(p, " \t");
        len = strcspn(p, " \t");
        if (len == 0) {
            return ERR_NOTFOUND;
        }
        if (n-- == 0) {
            break;
        }
        p += len;
    }
    return (*out = str_ndup(p, len)) == NULL ? ERR_NOMEM : 0;
}

int
server_akfile_path(const struct server_config *cfg, size_t n, char **out)
{
    return server_akfile_path_in(cfg->authorized_keys_file, n, out);
}

/* Load path into out; a missing file is an empty set. */
int
server_load_authkeys(const char *path, struct authkeys *out)
{
    int r;

    memset(out, 0, sizeof(*out));
    r = authkeys_load(path, out);
    if (r == ERR_NOTFOUND) {
        log_verbose("authorized keys file %s does not exist", path);
        memset(out, 0, sizeof(*out));
        return 0;
    }
    if (r != 0) {
        log_error("could not load %s: %s", path, err_str(r));
    }
    return r;
}

/* TrustedUserCAKeys or RevokedKeys: a bad file is a startup error. */
static int
server_load_keylist(const char *what, const char *path, struct keylist *out)
{
    unsigned line = 0;
    int r;

    if ((r = keylist_load(path, out, &line)) == 0) {
        return 0;
    }
    if (line != 0) {
        fprintf(stderr, "aditd: %s %s line %u: %s\n", what, path, line,
                err_str(r));
    } else {
        fprintf(stderr, "aditd: %s %s: %s\n", what, path, err_str(r));
    }
    log_error("%s %s could not be loaded: %s", what, path, err_str(r));
    return r;
}

/*
 * RevokedKeys: an OpenSSH KRL (ssh-keygen -k) or a file of keys. sshd
 * reads it at each login and, when it cannot, refuses every key; aditd
 * reads it at start and SIGHUP, and a KRL it cannot read stops the start
 * (or keeps the previous set on SIGHUP) rather than refusing every login.
 */
static int
server_load_revoked(const char *path, struct server_trust *t)
{
    char why[KRL_WHY_LEN];
    bool is_krl = false;
    int r;

    r = krl_load(path, &t->krl, &is_krl, why, sizeof(why));
    if (!is_krl) {
        /* Missing or unreadable files are reported there too. */
        return server_load_keylist("RevokedKeys", path, &t->revoked);
    }
    if (r != 0) {
        fprintf(stderr, "aditd: RevokedKeys %s: invalid KRL: %s\n", path, why);
        log_error("RevokedKeys %s: invalid KRL: %s", path, why);
        return r;
    }
    log_verbose("RevokedKeys %s: KRL version %llu, %zu certificate "
                "sections, %zu keys, %zu SHA1 and %zu SHA256 hashes%s",
                path, (unsigned long long)t->krl.version, t->krl.n_certs,
                t->krl.keys.n, t->krl.n_sha1, t->krl.n_sha256,
                t->krl.n_signatures > 0 ? " (signatures not verified)" : "");
    return 0;
}

/* The shared authorized keys sets: only when no path is per-user. */
static int
server_trust_load_akfiles(const struct server_config *cfg,
                          struct server_trust *t)
{
    char *path = NULL;
    int r = 0;

    while (t->n_files < SERVER_MAX_AKFILES &&
           (r = server_akfile_path(cfg, t->n_files, &path)) == 0) {
        r = server_load_authkeys(path, &t->files[t->n_files]);
        free(path);
        if (r != 0) {
            return r;
        }
        t->n_files++;
    }
    return r == ERR_NOTFOUND ? 0 : r;
}

int
server_trust_load(const struct server_config *cfg, struct server_trust *t)
{
    int r = 0;

    memset(t, 0, sizeof(*t));
    if (!server_lookup_needs_keys(cfg)) {
        r = server_trust_load_akfiles(cfg, t);
    }
    if (r == 0 && cfg->trusted_user_ca_keys != NULL &&
        strcmp(cfg->trusted_user_ca_keys, "none") != 0) {
        r = server_load_keylist("TrustedUserCAKeys", cfg->trusted_user_ca_keys,
                                &t->cas);
    }
    if (r == 0 && cfg->revoked_keys != NULL &&
        strcmp(cfg->revoked_keys, "none") != 0) {
        r = server_load_revoked(cfg->revoked_keys, t);
    }
    if (r != 0) {
        server_trust_cleanup(t);
    }
    return r;
}

void
server_trust_cleanup(struct server_trust *t)
{
    size_t i;

    for (i = 0; i < t->n_files; i++) {
        authkeys_cleanup(&t->files[i]);
    }
    keylist_cleanup(&t->cas);
    keylist_cleanup(&t->revoked);
    krl_cleanup(&t->krl);
    memset(t, 0, sizeof(*t));
}
