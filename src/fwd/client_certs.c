/* SPDX-License-Identifier: ISC */
/*
 * adit: user certificates, as ssh finds them: "<identity>-cert.pub" beside
 * each identity file, and CertificateFile entries matched to a loaded
 * private key by its public key. Each certificate becomes one more key to
 * offer, right after the key it certifies, under the cert algorithm.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <string.h>

#include "keys/sshcert.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* Put k (from the file name, CertificateFile if certfile) at position
 * at, moving the later keys up; k is freed if full. */
static void
client_insert_key(struct client_keys *keys, size_t at, struct sshkey *k,
                  const char *name, bool certfile)
{
    char *copy = NULL;

    if (keys->n >= CLIENT_MAX_KEYS ||
        (copy = str_ndup(name, strlen(name))) == NULL) {
        sshkey_free(k);
        return;
    }
    memmove(&keys->k[at + 1], &keys->k[at],
            (keys->n - at) * sizeof(keys->k[0]));
    memmove(&keys->name[at + 1], &keys->name[at],
            (keys->n - at) * sizeof(keys->name[0]));
    memmove(&keys->certfile[at + 1], &keys->certfile[at],
            (keys->n - at) * sizeof(keys->certfile[0]));
    memmove(&keys->encrypted[at + 1], &keys->encrypted[at],
            (keys->n - at) * sizeof(keys->encrypted[0]));
    keys->k[at] = k;
    keys->name[at] = copy;
    keys->certfile[at] = certfile;
    keys->encrypted[at] = false;
    keys->n++;
}

/* The certificate in cert_path for the private key at index i, if any. */
static bool
client_add_cert(struct client_keys *keys, size_t i, const char *cert_path,
                bool must_match)
{
    struct sshkey *cert = NULL, *k = NULL;
    char fp[SSHKEY_FP_LEN] = "";
    int r;

    if ((r = sshkey_load_public(cert_path, &cert)) != 0 ||
        !sshkey_is_cert(cert)) {
        if (r != ERR_NOTFOUND) {
            log_debug("%s: not a certificate (%s)", cert_path,
                      r != 0 ? err_str(r) : "a plain key");
        }
        sshkey_free(cert);
        return false;
    }
    r = sshkey_with_cert(keys->k[i], cert, &k);
    sshkey_free(cert);
    if (r != 0) {
        if (must_match) {
            log_debug("certificate %s does not match key %zu", cert_path, i);
        }
        return false;
    }
    sshkey_fingerprint(k, fp, sizeof(fp));
    log_debug("certificate %s: %s %s", cert_path, sshkey_type_label(k), fp);
    client_insert_key(keys, i + 1, k, cert_path, !must_match);
    return true;
}

void
client_load_cert_beside(struct client_keys *keys, size_t i,
                        const char *key_path)
{
    char path[1024];
    int n = snprintf(path, sizeof(path), "%s-cert.pub", key_path);

    if (n > 0 && (size_t)n < sizeof(path)) {
        (void)client_add_cert(keys, i, path, true);
    }
}

void
client_load_cert_files(struct client_keys *keys, const char *path)
{
    size_t i;

    for (i = 0; i < keys->n; i++) {
        if (keys->k[i] != NULL && !sshkey_is_cert(keys->k[i]) &&
            client_add_cert(keys, i, path, false)) {
            return;
        }
    }
    log_debug("CertificateFile %s: no matching private key", path);
}
