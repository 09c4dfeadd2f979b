/* SPDX-License-Identifier: ISC */
/* aditd: host keys (generated when missing) and authorized keys. */
#include "fwd/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/err.h"
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
server_has_user_token(const struct server *srv)
{
    return strstr(srv->cfg->authorized_keys_file, "%u") != NULL;
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

void
server_reload(struct server *srv)
{
    struct authkeys fresh;

    if (server_has_user_token(srv)) {
        return; /* read at each login */
    }
    if (server_load_authkeys(srv->cfg->authorized_keys_file, &fresh) != 0) {
        log_error("keeping the previous authorized keys");
        return;
    }
    authkeys_cleanup(&srv->authkeys);
    srv->authkeys = fresh;
    log_info("Reloaded %s (%zu keys)", srv->cfg->authorized_keys_file, fresh.n);
}
