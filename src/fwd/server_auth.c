/* SPDX-License-Identifier: ISC */
/*
 * aditd: may this user log in with this key? Plain keys are looked up in
 * the AuthorizedKeysFile sets; certificates are checked against
 * TrustedUserCAKeys (with AuthorizedPrincipalsFile) or cert-authority
 * lines, as sshd's auth2-pubkey does. RevokedKeys refuses first.
 *
 * Files with %u or %h, and the AuthorizedPrincipalsFile, are per user:
 * the first request of a login answers ERR_AGAIN and has them read in the
 * thread pool (server_lookup.c); the request is then handed to us again
 * and answered from what was read, which the connection keeps. Shared
 * files (no token) are read at start and on SIGHUP only.
 */
#include "fwd/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keys/sshcert.h"
#include "util/addrmatch.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

void
server_auth_free(struct server_auth *a)
{
    if (a == NULL) {
        return;
    }
    server_lookup_detach(a->lookup);
    server_userfiles_cleanup(&a->uf);
    authkey_cleanup(&a->cert_entry);
    free(a);
}

/* The authorized keys sets that apply to user. */
static const struct authkeys *
server_auth_sets(struct server_conn *sc, size_t *n)
{
    if (!server_has_user_token(sc->cfg)) {
        *n = sc->trust->n_files;
        return sc->trust->files;
    }
    *n = sc->auth->uf.n_files;
    return sc->auth->uf.files;
}

static const char *
set_name(const struct authkeys *ak)
{
    return ak->path != NULL ? ak->path : "authorized keys";
}

/* The line's own conditions: expiry-time and from=, at every login;
 * file names the file the line is in. */
static bool
server_line_ok(const struct server_conn *sc, const char *user, const char *file,
               const struct authkey *e)
{
    if (e->opts.has_expiry && (int64_t)time(NULL) >= e->opts.expiry) {
        log_info("%s line %u: key has expired; refused for %s from %s "
                 "port %u",
                 file, e->line, user, sc->addr, (unsigned)sc->port);
        return false;
    }
    /* No DNS: the address stands for the host name too (UseDNS no). */
    if (e->opts.from != NULL &&
        !addrmatch_host_and_ip(sc->addr, sc->addr, e->opts.from)) {
        log_info("Authentication tried for %s with correct key but not "
                 "from a permitted host (host=%s, ip=%s).",
                 user, sc->addr, sc->addr);
        return false;
    }
    return true;
}

/* A plain key: the first line that has it and whose conditions hold. */
static const struct authkey *
server_find_plain(struct server_conn *sc, const char *user,
                  const struct sshkey *key)
{
    const struct authkeys *sets;
    const struct authkey *e;
    size_t n, i, j;

    sets = server_auth_sets(sc, &n);
    for (i = 0; i < n; i++) {
        for (j = 0; j < sets[i].n; j++) {
            e = &sets[i].v[j];
            if (!e->opts.cert_authority && sshkey_equal_public(e->key, key) &&
                server_line_ok(sc, user, set_name(&sets[i]), e)) {
                return e;
            }
        }
    }
    log_verbose("Failed publickey for %s from %s port %u: key not in "
                "authorized keys",
                user, sc->addr, (unsigned)sc->port);
    return NULL;
}

static bool
server_revoked(const struct server_conn *sc, const struct sshkey *key)
{
    const struct keylist *rev = &sc->trust->revoked;
    const struct sshcert *c = sshkey_cert(key);
    char fp[SSHKEY_FP_LEN] = "", why[KRL_WHY_LEN];

    if (keylist_has(rev, key)) {
        sshkey_fingerprint(key, fp, sizeof(fp));
        log_info("Authentication key %s %s revoked by file %s",
                 sshkey_type_label(key), fp, sc->cfg->revoked_keys);
        return true;
    }
    if (krl_revoked(&sc->trust->krl, key, why, sizeof(why))) {
        sshkey_fingerprint(key, fp, sizeof(fp));
        log_info("Authentication key %s %s revoked by file %s (%s)",
                 sshkey_type_label(key), fp, sc->cfg->revoked_keys, why);
        return true;
    }
    if (c != NULL && keylist_has(rev, c->ca)) {
        sshkey_fingerprint(c->ca, fp, sizeof(fp));
        log_info("Authentication key %s %s (a certificate's CA) revoked by "
                 "file %s",
                 sshkey_type_label(c->ca), fp, sc->cfg->revoked_keys);
        return true;
    }
    return false;
}

/* Log a refused certificate the way sshd names it: key id, serial, CA. */
static void
cert_refused(const struct server_conn *sc, const char *user,
             const struct sshcert *c, const char *why)
{
    char fp[SSHKEY_FP_LEN] = "";

    sshkey_fingerprint(c->ca, fp, sizeof(fp));
    log_info("Certificate ID %.64s (serial %llu) CA %s %s refused for %s "
             "from %s port %u: %s",
             c->key_id, (unsigned long long)c->serial, sshkey_type_label(c->ca),
             fp, user, sc->addr, (unsigned)sc->port, why);
}

/*
 * TrustedUserCAKeys: the certificate must name the user as a principal,
 * or, with AuthorizedPrincipalsFile, one of the principals on its lines,
 * whose options then apply. ERR_NOTFOUND when the CA is not listed.
 */
static int
cert_via_trusted_ca(struct server_conn *sc, const char *user,
                    const struct sshcert *c, struct authkey *entry)
{
    const struct server_userfiles *uf = &sc->auth->uf;
    bool use_file = server_lookup_needs_principals(sc->cfg);
    char why[SSHCERT_WHY_LEN];
    int r = ERR_NOTFOUND;

    if (!keylist_has(&sc->trust->cas, c->ca)) {
        return ERR_NOTFOUND;
    }
    if (sshcert_check(c, SSHCERT_TYPE_USER, (int64_t)time(NULL),
                      use_file ? NULL : user, true, why, sizeof(why)) != 0) {
        cert_refused(sc, user, c, why);
        return ERR_DENIED;
    }
    if (!use_file) {
        return 0;
    }
    if (uf->principals_path == NULL) {
        return ERR_DENIED; /* could not be named: logged by the lookup */
    }
    authkeys_opts_cleanup(&entry->opts);
    if (uf->has_principals) {
        r = authkeys_principals_scan(
            uf->principals_path, (const char *)buf_ptr(&uf->principals),
            buf_len(&uf->principals), c->principals, c->n_principals,
            &entry->opts, &entry->line);
    }
    if (r != 0) {
        cert_refused(sc, user, c,
                     "no principal of the certificate is in the "
                     "AuthorizedPrincipalsFile");
    } else if (!server_line_ok(sc, user, uf->principals_path, entry)) {
        /* sshd checks the matching line's from= and expiry-time too. */
        r = ERR_DENIED;
    }
    return r == 0 ? 0 : ERR_DENIED;
}

/* One cert-authority line for the certificate's CA: may it admit it? */
static bool
cert_line_admits(struct server_conn *sc, const char *user,
                 const struct sshcert *c, const struct authkeys *ak,
                 const struct authkey *e)
{
    char why[SSHCERT_WHY_LEN];

    if (e->opts.principals != NULL &&
        !authkeys_principals_match(e->opts.principals, c->principals,
                                   c->n_principals)) {
        cert_refused(sc, user, c,
                     "Certificate does not contain an authorized principal");
        return false;
    }
    /* sshd: without principals="", the user must be a listed principal,
     * but an empty list is not refused on this path. */
    if (sshcert_check(c, SSHCERT_TYPE_USER, (int64_t)time(NULL),
                      e->opts.principals != NULL ? NULL : user, false, why,
                      sizeof(why)) != 0) {
        cert_refused(sc, user, c, why);
        return false;
    }
    return server_line_ok(sc, user, set_name(ak), e);
}

/* cert-authority lines in the authorized keys files. */
static int
cert_via_authorized_keys(struct server_conn *sc, const char *user,
                         const struct sshcert *c, struct authkey *entry)
{
    const struct authkeys *sets;
    const struct authkey *e;
    size_t n, i, from;

    sets = server_auth_sets(sc, &n);
    for (i = 0; i < n; i++) {
        from = 0;
        while ((e = authkeys_find_ca(&sets[i], c->ca, &from)) != NULL) {
            if (cert_line_admits(sc, user, c, &sets[i], e)) {
                entry->line = e->line;
                authkeys_opts_cleanup(&entry->opts);
                return authkeys_opts_copy(&entry->opts, &e->opts);
            }
        }
    }
    return ERR_NOTFOUND;
}

/*
 * What the certificate itself allows narrows what the line allows: no
 * permit-port-forwarding means no forwarding for this login. aditd runs
 * no commands, so force-command changes nothing; it is kept and logged.
 */
static int
cert_narrow(const struct server_conn *sc, const struct sshcert *c,
            const struct sshcert_user_opts *co, struct authkey *entry)
{
    if (!co->permit_port_forwarding) {
        entry->opts.port_forwarding = 0;
        log_verbose("Certificate ID %.64s has no permit-port-forwarding: "
                    "no forwarding for this login",
                    c->key_id);
    }
    if (co->force_command != NULL) {
        log_verbose("Certificate ID %.64s has force-command \"%.100s\": "
                    "aditd runs no commands, forwarding is unaffected",
                    c->key_id, co->force_command);
        if (entry->opts.command == NULL &&
            (entry->opts.command = strdup(co->force_command)) == NULL) {
            return ERR_NOMEM;
        }
    }
    return 0;
}

/* A certificate's own critical options, before any CA is looked at. */
static int
cert_own_options(const struct server_conn *sc, const char *user,
                 const struct sshcert *c, struct sshcert_user_opts *co)
{
    char why[SSHCERT_WHY_LEN];

    if (sshcert_user_opts(c, co, why, sizeof(why)) != 0) {
        cert_refused(sc, user, c, why);
        return ERR_DENIED;
    }
    if (co->source_address != NULL &&
        addrmatch_cidr_list(sc->addr, co->source_address) != ADDRMATCH_YES) {
        log_info("Authentication tried for %s with valid certificate but "
                 "not from a permitted source address (%s).",
                 user, sc->addr);
        sshcert_user_opts_cleanup(co);
        return ERR_DENIED;
    }
    return 0;
}

static int
server_check_cert(struct server_conn *sc, const char *user,
                  const struct sshkey *key, const void **info)
{
    const struct sshcert *c = sshkey_cert(key);
    struct authkey *entry = &sc->auth->cert_entry;
    struct sshcert_user_opts co;
    int r;

    authkey_cleanup(entry);
    memset(entry, 0, sizeof(*entry));
    authkeys_opts_cleanup(&entry->opts); /* to the unset state */
    if ((r = cert_own_options(sc, user, c, &co)) != 0) {
        return r;
    }
    /* As sshd: TrustedUserCAKeys first; a certificate it does not admit
     * may still be admitted by a cert-authority line. */
    if ((r = cert_via_trusted_ca(sc, user, c, entry)) != 0 && r != ERR_NOMEM) {
        int r2 = cert_via_authorized_keys(sc, user, c, entry);

        r = r2 == 0 || r == ERR_NOTFOUND ? r2 : r;
    }
    if (r == ERR_NOTFOUND) {
        cert_refused(sc, user, c, "CA not trusted");
    }
    if (r == 0) {
        r = cert_narrow(sc, c, &co, entry);
    }
    sshcert_user_opts_cleanup(&co);
    if (r != 0) {
        return r == ERR_NOMEM ? r : ERR_DENIED;
    }
    *info = entry;
    return 0;
}

/* Must user's own files be read before this login can be answered? The
 * user never changes within a login (userauth refuses that). */
static bool
server_auth_pending(const struct server_conn *sc, const char *user)
{
    const struct server_userfiles *uf = &sc->auth->uf;
    const struct server_config *cfg = sc->cfg;

    if (!server_lookup_needs_keys(cfg) &&
        !server_lookup_needs_principals(cfg)) {
        return false;
    }
    return !uf->loaded || strcmp(uf->user, user) != 0;
}

static int
server_check_key_one(void *ctx, const char *user, const struct sshkey *key,
                     const void **info)
{
    struct server_conn *sc = ctx;
    const struct authkey *e;

    *info = NULL;
    sc->auth_attempted = true;
    if (sc->match_failed) {
        return ERR_DENIED;
    }
    if (sc->auth == NULL && (sc->auth = calloc(1, sizeof(*sc->auth))) == NULL) {
        return ERR_NOMEM;
    }
    if (server_revoked(sc, key)) {
        return ERR_DENIED;
    }
    if (server_auth_pending(sc, user)) {
        return sc->auth->lookup != NULL || server_lookup_start(sc, user) == 0
                   ? ERR_AGAIN
                   : ERR_DENIED;
    }
    if (sshkey_is_cert(key)) {
        return server_check_cert(sc, user, key, info);
    }
    if ((e = server_find_plain(sc, user, key)) == NULL) {
        return ERR_DENIED;
    }
    *info = e;
    return 0;
}

int
server_check_key(void *ctx, const char *user, const struct sshkey *key,
                 const void **info)
{
    struct server_conn *sc = ctx;
    int r = server_check_key_one(ctx, user, key, info);

    if (r == ERR_DENIED) {
        sc->srv->stats.auth_failures++; /* for the metrics */
    }
    return r;
}

void
server_auth_describe(const struct sshkey *k, char *out, size_t out_len)
{
    const struct sshcert *c = sshkey_cert(k);
    char fp[SSHKEY_FP_LEN] = "";

    if (out_len > 0) {
        out[0] = '\0';
    }
    if (c == NULL) {
        return;
    }
    sshkey_fingerprint(c->ca, fp, sizeof(fp));
    snprintf(out, out_len, " ID %.64s (serial %llu) CA %s %s", c->key_id,
             (unsigned long long)c->serial, sshkey_type_label(c->ca), fp);
}
