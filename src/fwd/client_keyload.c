/* SPDX-License-Identifier: ISC */
/* adit: loading one identity file, asking for its passphrase as ssh does. */
#include "fwd/client_int.h"

#include <stdio.h>

#include "io/readpass.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/*
 * Try the passphrases the user gives for an encrypted key: up to
 * NumberOfPasswordPrompts of them (ssh's load_identity_file). An empty
 * answer, or one the askpass program did not give, skips the key.
 */
static int
client_key_ask(const struct client_config *cfg, const char *path,
               struct sshkey **out)
{
    int tries = cfg->password_prompts < 0 ? 3 : cfg->password_prompts;
    char prompt[160], *pass = NULL;
    int i, r = ERR_KEY_ENCRYPTED;

    snprintf(prompt, sizeof(prompt),
             "Enter passphrase for key '%.100s': ", path);
    for (i = 0; i < tries; i++) {
        if ((r = readpass(prompt, false, &pass)) != 0) {
            return r;
        }
        if (pass[0] == '\0') {
            log_debug("no passphrase given, try next key");
            str_free_wiped(pass);
            return ERR_KEY_ENCRYPTED;
        }
        r = sshkey_load_private_pass(path, pass, out);
        str_free_wiped(pass);
        pass = NULL;
        if (r != ERR_PASSPHRASE) {
            break;
        }
        log_debug("bad passphrase given, try again...");
    }
    return r;
}

int
client_load_key_file(const struct client_config *cfg, const char *path,
                     struct sshkey **out)
{
    int r = sshkey_load_private(path, out);

    if (r != ERR_KEY_ENCRYPTED) {
        return r;
    }
    /* BatchMode: never ask; the key is skipped (ssh tries only ""). */
    if (cfg->batch_mode == 1) {
        log_debug("%s is encrypted: skipped in BatchMode", path);
        return r;
    }
    r = client_key_ask(cfg, path, out);
    if (r != 0 && r != ERR_KEY_ENCRYPTED && r != ERR_PASSPHRASE) {
        log_error("Load key \"%s\": %s", path, err_str(r));
    }
    return r;
}
