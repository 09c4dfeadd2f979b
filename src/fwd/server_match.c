/* SPDX-License-Identifier: ISC */
/*
 * aditd: Match blocks at login. sshd applies them when the first userauth
 * request names the user (auth2.c, parse_server_match_config) to the
 * configuration the connection started with (its generation): from then
 * on the login is checked against that connection's own configuration,
 * with its AuthorizedKeysFile, TrustedUserCAKeys, RevokedKeys,
 * AuthorizedPrincipalsFile, PubkeyAcceptedAlgorithms and MaxAuthTries, and
 * its forwards against its AllowTcpForwarding, PermitOpen, ... Files that
 * a Match block names differently are read then, for this connection.
 */
#include "fwd/server_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "conn/session.h"
#include "util/err.h"
#include "util/log.h"

static bool
str_differs(const char *a, const char *b)
{
    if (a == NULL || b == NULL) {
        return a != b;
    }
    return strcmp(a, b) != 0;
}

/* The files read at start (no %u/%h) are those of the global config: a
 * connection whose Match blocks name others reads its own. */
static int
server_match_trust(struct server_conn *sc)
{
    const struct server_config *g = sc->gen->cfg, *c = sc->cfg;
    int r;

    if (!str_differs(g->authorized_keys_file, c->authorized_keys_file) &&
        !str_differs(g->trusted_user_ca_keys, c->trusted_user_ca_keys) &&
        !str_differs(g->revoked_keys, c->revoked_keys)) {
        return 0;
    }
    if ((sc->own_trust = calloc(1, sizeof(*sc->own_trust))) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = server_trust_load(c, sc->own_trust)) != 0) {
        free(sc->own_trust);
        sc->own_trust = NULL;
        return r;
    }
    sc->trust = sc->own_trust;
    return 0;
}

static int
server_match_build(struct server_conn *sc, const char *user)
{
    struct match_info mi;
    char why[512] = "";
    int r;

    memset(&mi, 0, sizeof(mi));
    mi.user = user;
    mi.host = sc->addr; /* UseDNS no: the address stands for the name */
    mi.addr = sc->addr;
    mi.laddr = sc->laddr;
    mi.lport = sc->lport;
    mi.in_group = server_user_in_group;
    if ((sc->own_cfg = calloc(1, sizeof(*sc->own_cfg))) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = server_config_for(sc->gen->cfg, &mi, sc->own_cfg, why,
                               sizeof(why))) != 0) {
        log_error("Match for %s from %s port %u: %s", user, sc->addr,
                  (unsigned)sc->port, why[0] != '\0' ? why : err_str(r));
        return r;
    }
    sc->cfg = sc->own_cfg;
    return server_match_trust(sc);
}

void
server_match_login(void *ctx, const char *user, const char **algs,
                   unsigned *max_tries)
{
    struct server_conn *sc = ctx;
    const struct server_config *c;

    if (sc->gen->cfg->n_matches == 0 || sc->own_cfg != NULL) {
        return;
    }
    if (server_match_build(sc, user) != 0) {
        /* Fail closed: this login is refused, never judged by rules
         * that were meant to be narrowed. */
        log_error("no login for %s from %s port %u: its Match blocks "
                  "could not be applied",
                  user, sc->addr, (unsigned)sc->port);
        sc->match_failed = true;
        return;
    }
    c = sc->cfg;
    if (c->pubkey_algs != NULL) {
        *algs = c->pubkey_algs;
    }
    if (c->max_auth_tries > 0) {
        *max_tries = (unsigned)c->max_auth_tries;
    }
    session_set_alive(io_conn_session(sc->ic),
                      (uint64_t)c->fwd.alive_interval * 1000u,
                      server_alive_count(c));
}

void
server_match_free(struct server_conn *sc)
{
    if (sc->own_trust != NULL) {
        server_trust_cleanup(sc->own_trust);
        free(sc->own_trust);
    }
    if (sc->own_cfg != NULL) {
        server_config_cleanup(sc->own_cfg);
        free(sc->own_cfg);
    }
    sc->own_trust = NULL;
    sc->own_cfg = NULL;
}
