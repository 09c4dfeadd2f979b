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
client_hostkey_changed(struct client *c, const struct sshkey *key,
                       const char *file, unsigned line)
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
              sshkey_type_label(key), fp, c->known_hosts,
              sshkey_type_label(key), file, line);
}

static int
client_hostkey_new(struct client *c, const struct sshkey *key, const char *name)
{
    int strict = c->cfg->strict_hostkey;

    /* "no" adds new keys too, as ssh does. */
    if (strict == STRICT_HOSTKEY_ACCEPT_NEW || strict == STRICT_HOSTKEY_NO) {
        if (knownhosts_add(c->known_hosts, name, key,
                           c->cfg->hash_known_hosts == 1) != 0) {
            log_error("Failed to add the host to the list of known hosts "
                      "(%s).",
                      c->known_hosts);
            return 0;
        }
        if (log_get_level() >= LOG_ERROR) {
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

/* Each hop's key is checked under that hop's own name. */
int
client_verify_hostkey(void *ctx, const struct sshkey *key)
{
    struct client_hop *hop = ctx;
    struct client *c = hop->c;
    enum hostkey_status st = HOSTKEY_NEW, gst = HOSTKEY_NEW;
    unsigned line = 0, gline = 0;
    char name[320];
    int r;

    if (sshkey_is_cert(key)) {
        return client_verify_hostcert(hop, key);
    }
    knownhosts_name(hop->host, hop->port, name, sizeof(name));
    if ((r = knownhosts_check(c->known_hosts, name, key, &st, &line)) != 0 ||
        (st == HOSTKEY_NEW && (r = knownhosts_check(c->global_known_hosts, name,
                                                    key, &gst, &gline)) != 0)) {
        log_debug("known_hosts check failed: %s", err_str(r));
    }
    if (st == HOSTKEY_MATCH || gst == HOSTKEY_MATCH) {
        log_debug("Host '%s' is known and matches the host key.", name);
        return 0;
    }
    if (st == HOSTKEY_REVOKED || gst == HOSTKEY_REVOKED) {
        log_plain("Host key for %s was revoked.\r\n", name);
    } else if (st == HOSTKEY_CHANGED || gst == HOSTKEY_CHANGED) {
        client_hostkey_changed(c, key,
                               st == HOSTKEY_CHANGED ? c->known_hosts
                                                     : c->global_known_hosts,
                               st == HOSTKEY_CHANGED ? line : gline);
        if (c->cfg->strict_hostkey == STRICT_HOSTKEY_NO) {
            return 0;
        }
    } else if (client_hostkey_new(c, key, name) == 0) {
        return 0;
    }
    c->said = true;
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
client_hostkey_algs(struct client *c, const char *host, uint16_t port,
                    char *out, size_t out_len)
{
    const char *list = transport_default_hostkey_algs();
    unsigned mask = 0, global = 0;
    char name[300];

    out[0] = '\0';
    /* As ssh: a list the user chose is used as written. */
    if (c->cfg->hostkey_algs != NULL) {
        return 0;
    }
    knownhosts_name(host, port, name, sizeof(name));
    if (knownhosts_known_types(c->known_hosts, name, &mask) != 0 ||
        knownhosts_known_types(c->global_known_hosts, name, &global) != 0) {
        return 0; /* the check after the kex reports unreadable files */
    }
    if ((mask | global) == 0) {
        return 0;
    }
    /* As ssh: with a CA for this host, certificates first. */
    if (((mask | global) & KNOWNHOSTS_CA_BIT) != 0) {
        client_hostcert_algs(list, out, out_len);
    }
    /* Ask first for a type we can check, so a host known by its RSA key
     * is not refused for offering ed25519 first. */
    hostkey_algs_pick(list, mask | global, true, out, out_len);
    hostkey_algs_pick(list, mask | global, false, out, out_len);
    log_debug("host key algorithms, known types first: %s", out);
    return 0;
}
