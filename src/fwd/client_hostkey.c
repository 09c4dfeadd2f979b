/* SPDX-License-Identifier: ISC */
/* adit: host key checking against known_hosts files, worded as ssh. */
#include "fwd/client_int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keys/knownhosts.h"
#include "keys/sshcert.h"
#include "util/err.h"
#include "util/log.h"

static void
client_hostkey_changed(struct client_hop *hop, const struct sshkey *key,
                       const struct client_kh_result *res)
{
    char fp[SSHKEY_FP_LEN] = "";

    sshkey_fingerprint(key, fp, sizeof(fp));
    log_plain("@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
              "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n"
              "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n"
              "IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!\r\n"
              "Someone could be eavesdropping on you right now "
              "(man-in-the-middle attack)!\r\n"
              "It is also possible that a host key has just been changed.\r\n"
              "The fingerprint for the %s key sent by the remote host is\r\n"
              "%s.\r\n"
              "Please contact your system administrator.\r\n"
              "Add correct host key in %s to get rid of this message.\r\n"
              "Offending %s key in %s:%u\r\n",
              sshkey_type_label(key), fp, client_kh_user_file(&hop->kh),
              sshkey_type_label(key), res->file, res->line);
}

static int
client_hostkey_new(struct client_hop *hop, const struct sshkey *key,
                   const char *name)
{
    const struct client_config *cfg = hop->cfg;
    const char *file = client_kh_user_file(&hop->kh);
    int strict = cfg->strict_hostkey;

    /* "no" adds new keys too, as ssh does. */
    if (strict == STRICT_HOSTKEY_ACCEPT_NEW || strict == STRICT_HOSTKEY_NO) {
        if (knownhosts_add(file, name, key, cfg->hash_known_hosts == 1) != 0) {
            log_error("Failed to add the host to the list of known hosts "
                      "(%s).",
                      file);
            return 0;
        }
        /* ssh's logit(): LogLevel ERROR and -q keep it quiet. */
        if (log_get_level() >= LOG_INFO) {
            log_plain("Warning: Permanently added '%s' (%s) to the "
                      "list of known hosts.\r\n",
                      name, sshkey_type_label(key));
        }
        return 0;
    }
    /* yes, and ask without a terminal to ask on (as in BatchMode). */
    log_plain("No %s host key is known for %s and you have requested "
              "strict checking.\r\n",
              sshkey_type_label(key), name);
    return ERR_HOSTKEY;
}

/* Each hop's key is checked under that hop's own name (or HostKeyAlias),
 * in that hop's own files, with its own StrictHostKeyChecking. */
int
client_verify_hostkey(void *ctx, const struct sshkey *key)
{
    struct client_hop *hop = ctx;
    struct client_kh_result res;
    char name[320];

    if (sshkey_is_cert(key)) {
        return client_verify_hostcert(hop, key);
    }
    client_hop_kh_name(hop, name, sizeof(name));
    client_kh_check(&hop->kh, name, key, &res);
    if (res.status == HOSTKEY_MATCH) {
        log_debug("Host '%s' is known and matches the host key.", name);
        log_debug("Found key in %s:%u", res.file, res.line);
        return 0;
    }
    if (res.status == HOSTKEY_REVOKED) {
        log_plain("Host key for %s was revoked.\r\n", name);
    } else if (res.status == HOSTKEY_CHANGED) {
        client_hostkey_changed(hop, key, &res);
        if (hop->cfg->strict_hostkey == STRICT_HOSTKEY_NO) {
            return 0;
        }
    } else if (client_hostkey_new(hop, key, name) == 0) {
        return 0;
    }
    hop->c->said = true;
    log_plain("Host key verification failed.\r\n");
    return ERR_HOSTKEY;
}

/* The key type a host key algorithm name asks the server for. */
static bool
hostkey_alg_type(const char *alg, size_t n, enum sshkey_type *type)
{
    char name[64];

    if (n >= sizeof(name)) {
        return false;
    }
    if (n > 9 && strncmp(alg, "rsa-sha2-", 9) == 0) {
        *type = SSHKEY_RSA;
        return true;
    }
    memcpy(name, alg, n);
    name[n] = '\0';
    return sshkey_type_from_name(name, type) == 0;
}

/* Append the names of list whose key type is (or is not) in mask. */
static void
hostkey_algs_pick(const char *list, unsigned mask, bool known, char *out,
                  size_t out_len)
{
    enum sshkey_type type;
    const char *p = list;
    size_t n, used;

    while (*p != '\0') {
        n = strcspn(p, ",");
        if (hostkey_alg_type(p, n, &type) &&
            ((mask & (1u << type)) != 0) == known) {
            used = strlen(out);
            if (used + n + 2 < out_len) {
                snprintf(out + used, out_len - used, "%s%.*s",
                         used > 0 ? "," : "", (int)n, p);
            }
        }
        p += n;
        p += *p == ',';
    }
}

int
client_hostkey_algs(struct client_hop *hop, char *out, size_t out_len)
{
    const char *list = transport_default_hostkey_algs();
    unsigned mask = 0;
    char name[320];

    out[0] = '\0';
    /* As ssh: a list the user chose is used as written. */
    if (hop->cfg->hostkey_algs != NULL) {
        return 0;
    }
    client_hop_kh_name(hop, name, sizeof(name));
    if (client_kh_types(&hop->kh, name, &mask) != 0) {
        return 0; /* the check after the kex reports unreadable files */
    }
    if (mask == 0) {
        return 0;
    }
    /* As ssh: with a CA for this host, certificates first. */
    if ((mask & KNOWNHOSTS_CA_BIT) != 0) {
        client_hostcert_algs(list, out, out_len);
    }
    /* Ask first for a type we can check, so a host known by its RSA key
     * is not refused for offering ed25519 first. */
    hostkey_algs_pick(list, mask, true, out, out_len);
    hostkey_algs_pick(list, mask, false, out, out_len);
    log_debug("host key algorithms, known types first: %s", out);
    return 0;
}
