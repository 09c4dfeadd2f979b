/* SPDX-License-Identifier: ISC */
/*
 * adit: host certificates, checked as ssh does: the CA must be on an
 * @cert-authority line that names the host, the certificate must be a
 * host certificate, valid now, listing the host name (any name when it
 * lists none), with no critical option. When it is not accepted, and not
 * revoked, the key inside it is checked as a plain host key instead.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "keys/knownhosts.h"
#include "keys/sshcert.h"
#include "util/err.h"
#include "util/log.h"

/* Some file has @revoked for this key (or the key in it) or its CA. */
static bool
hostcert_revoked(const struct client_hop *hop, const char *name,
                 const struct sshkey *k)
{
    const struct sshkey *keys[2] = {k, sshkey_cert(k)->ca};
    struct client_kh_result res;
    size_t i;

    for (i = 0; i < 2; i++) {
        client_kh_check(&hop->kh, name, keys[i], &res);
        if (res.status == HOSTKEY_REVOKED) {
            return true;
        }
    }
    return false;
}

/* 0 when the certificate is accepted, else ERR_NOTFOUND (no CA for it)
 * or ERR_DENIED, with why. The principal checked is the name the keys
 * are known by without a port: HostKeyAlias when set, as ssh. */
static int
hostcert_accept(const struct client_hop *hop, const char *name,
                const struct sshkey *k, char *why, size_t why_len)
{
    const struct sshcert *cert = sshkey_cert(k);
    const char *principal =
        hop->cfg->host_key_alias != NULL ? hop->cfg->host_key_alias : hop->host;

    if (!client_kh_ca_trusted(&hop->kh, name, cert->ca)) {
        snprintf(why, why_len, "No matching CA found");
        return ERR_NOTFOUND;
    }
    if (sshcert_check(cert, SSHCERT_TYPE_HOST, (int64_t)time(NULL), principal,
                      false, why, why_len) != 0) {
        return ERR_DENIED;
    }
    if (cert->n_critical > 0) {
        snprintf(why, why_len,
                 "Certificate for %s contains unsupported critical "
                 "options(s)",
                 principal);
        return ERR_DENIED;
    }
    return 0;
}

int
client_verify_hostcert(struct client_hop *hop, const struct sshkey *key)
{
    struct client *c = hop->c;
    char name[320], why[SSHCERT_WHY_LEN], fp[SSHKEY_FP_LEN] = "";
    struct sshkey *plain = NULL;
    int r;

    client_hop_kh_name(hop, name, sizeof(name));
    if (hostcert_revoked(hop, name, key)) {
        log_plain("Host certificate for %s was revoked.\r\n", name);
        c->said = true;
        log_plain("Host key verification failed.\r\n");
        return ERR_HOSTKEY;
    }
    if ((r = hostcert_accept(hop, name, key, why, sizeof(why))) == 0) {
        sshkey_fingerprint(sshkey_cert(key)->ca, fp, sizeof(fp));
        log_debug("Host certificate ID %s for %s is signed by a known CA "
                  "(%s %s)",
                  sshkey_cert(key)->key_id, name,
                  sshkey_type_label(sshkey_cert(key)->ca), fp);
        return 0;
    }
    /* As ssh: a certificate that fails is an error, a CA we do not
     * know only a debug line. */
    if (r == ERR_NOTFOUND) {
        log_debug("%s. Retry with plain key", why);
    } else {
        log_error("%s", why);
        log_debug("Retry with plain key");
    }
    if ((r = sshkey_plain_copy(key, &plain)) != 0) {
        return r;
    }
    r = client_verify_hostkey(hop, plain);
    sshkey_free(plain);
    return r;
}

void
client_hostcert_algs(const char *list, char *out, size_t out_len)
{
    const char *p = list;
    size_t n, used;

    while (*p != '\0') {
        n = strcspn(p, ",");
        used = strlen(out);
        if (used + n + sizeof(SSHCERT_SUFFIX) + 1 < out_len) {
            snprintf(out + used, out_len - used, "%s%.*s%s",
                     used > 0 ? "," : "", (int)n, p, SSHCERT_SUFFIX);
        }
        p += n;
        p += *p == ',';
    }
}
