/* SPDX-License-Identifier: ISC */
/*
 * aditd: configuration generations. SIGHUP loads the file again; when it
 * loads, new connections get the new configuration while each running
 * connection keeps the one it started with (as sshd's re-exec leaves the
 * children alone): its session holds pointers into the algorithm lists
 * and its policy must not change under it. An old generation is freed
 * when its last connection ends.
 */
#include "fwd/server_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

static void
server_gen_free(struct server_gen *g)
{
    if (g->owned != NULL) {
        server_config_cleanup(g->owned);
        free(g->owned);
    }
    free(g);
}

int
server_gen_new(struct server *srv, const struct server_config *cfg,
               struct server_config *owned)
{
    struct server_gen *g;

    if ((g = calloc(1, sizeof(*g))) == NULL) {
        return ERR_NOMEM;
    }
    g->cfg = cfg;
    g->owned = owned;
    g->next = srv->gen;
    srv->gen = g;
    srv->cfg = cfg;
    /* The previous one may already be unused. */
    if (g->next != NULL && g->next->refs == 0) {
        struct server_gen *old = g->next;
        g->next = old->next;
        server_gen_free(old);
    }
    return 0;
}

void
server_gen_pin(struct server_conn *sc)
{
    sc->gen = sc->srv->gen;
    sc->gen->refs++;
    sc->cfg = sc->gen->cfg;
}

void
server_gen_unpin(struct server_conn *sc)
{
    struct server *srv = sc->srv;
    struct server_gen **pp, *g = sc->gen;

    if (g == NULL || --g->refs > 0 || g == srv->gen) {
        return;
    }
    for (pp = &srv->gen; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == g) {
            *pp = g->next;
            log_debug("configuration of an earlier reload released");
            server_gen_free(g);
            return;
        }
    }
}

void
server_gen_free_all(struct server *srv)
{
    struct server_gen *g, *next;

    for (g = srv->gen; g != NULL; g = next) {
        next = g->next;
        server_gen_free(g);
    }
    srv->gen = NULL;
}

int
server_reconfigure(struct server *srv, struct server_config *cfg)
{
    struct server_trust fresh;
    size_t i, n = 0;
    int r;

    if ((r = server_trust_load(cfg, &fresh)) != 0) {
        return r; /* what failed is logged; nothing was kept */
    }
    if ((r = server_gen_new(srv, cfg, cfg)) != 0) {
        server_trust_cleanup(&fresh);
        return r;
    }
    server_trust_cleanup(&srv->trust);
    srv->trust = fresh;
    for (i = 0; i < fresh.n_files; i++) {
        n += fresh.files[i].n;
    }
    log_info("Reloaded %s (%zu keys, %zu CA keys, %zu revoked keys)",
             cfg->authorized_keys_file, n, fresh.cas.n, fresh.revoked.n);
    return 0;
}
