/* SPDX-License-Identifier: ISC */
/*
 * aditd: a login's per-user files, read off the event loop. getpwnam (a
 * slow NSS), an AuthorizedKeysFile with %u or %h and the
 * AuthorizedPrincipalsFile (an NFS home) can take as long as they like in
 * libuv's thread pool; meanwhile the connection holds its login message
 * (session_auth_held) and every other connection's tunnels keep moving.
 *
 * The worker owns the job and touches nothing else: the paths it needs
 * are copied in (a reload may free the connection's configuration once
 * the connection has gone). When the connection goes first,
 * server_lookup_detach() cuts the job loose and the result is freed when
 * the worker is done.
 */
#include "fwd/server_int.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

struct server_lookup {
    uv_work_t req;
    struct server_conn *sc;     /* NULL once the connection has gone */
    char *keys_files;           /* AuthorizedKeysFile, or NULL: not wanted */
    char *principals_file;      /* AuthorizedPrincipalsFile, or NULL */
    struct server_userfiles uf; /* the result, built by the worker */
};

static void
lookup_free(struct server_lookup *l)
{
    server_userfiles_cleanup(&l->uf);
    free(l->keys_files);
    free(l->principals_file);
    free(l);
}

void
server_userfiles_cleanup(struct server_userfiles *uf)
{
    size_t i;

    for (i = 0; i < uf->n_files; i++) {
        authkeys_cleanup(&uf->files[i]);
    }
    free(uf->user);
    free(uf->principals_path);
    buf_cleanup(&uf->principals);
    memset(uf, 0, sizeof(*uf));
}

/* The user's home directory (malloc'd), or NULL if there is no such user. */
static char *
server_home(const char *user)
{
    struct passwd pw, *res = NULL;
    char buf[4096];

    if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
        return NULL;
    }
    return str_ndup(pw.pw_dir, strlen(pw.pw_dir));
}

/* Expand a %u / %h path for user; NULL (logged) when it cannot be. */
static char *
server_expand(const char *what, const char *pattern, const char *user)
{
    char *home = NULL, *path = NULL;
    int r;

    if (strstr(pattern, "%h") != NULL) {
        home = server_home(user);
    }
    if ((r = server_config_expand(pattern, user, home, &path)) != 0) {
        log_verbose("%s %s: cannot expand for user %s: %s", what, pattern, user,
                    r == ERR_NOTFOUND ? "no such user" : err_str(r));
    }
    free(home);
    return path;
}

/* Every AuthorizedKeysFile path, expanded; one that cannot be named or
 * read grants nothing. */
static void
lookup_keys(const char *files, struct server_userfiles *uf)
{
    char *pattern = NULL, *path;
    size_t i;

    for (i = 0; i < SERVER_MAX_AKFILES &&
                server_akfile_path_in(files, i, &pattern) == 0;
         i++) {
        path = server_expand("AuthorizedKeysFile", pattern, uf->user);
        free(pattern);
        if (path == NULL ||
            server_load_authkeys(path, &uf->files[uf->n_files]) != 0) {
            memset(&uf->files[uf->n_files], 0, sizeof(uf->files[0]));
        }
        uf->n_files++;
        free(path);
    }
}

/* The AuthorizedPrincipalsFile's contents; a missing file is none. */
static void
lookup_principals(const char *pf, struct server_userfiles *uf)
{
    int r;

    uf->principals_path =
        server_expand("AuthorizedPrincipalsFile", pf, uf->user);
    if (uf->principals_path == NULL) {
        return;
    }
    r = authkeys_read(uf->principals_path, &uf->principals);
    if (r != 0 && r != ERR_NOTFOUND) {
        log_verbose("AuthorizedPrincipalsFile %s: %s", uf->principals_path,
                    err_str(r));
    }
    uf->has_principals = r == 0;
}

/* In the thread pool. */
static void
lookup_work(uv_work_t *req)
{
    struct server_lookup *l = req->data;

    if (l->keys_files != NULL) {
        lookup_keys(l->keys_files, &l->uf);
    }
    if (l->principals_file != NULL) {
        lookup_principals(l->principals_file, &l->uf);
    }
}

/* Back on the loop: hand the result over, or drop it. */
static void
lookup_done(uv_work_t *req, int status)
{
    struct server_lookup *l = req->data;
    struct server_conn *sc = l->sc;

    (void)status;
    if (sc != NULL) {
        server_userfiles_cleanup(&sc->auth->uf);
        sc->auth->uf = l->uf;
        sc->auth->uf.loaded = true;
        memset(&l->uf, 0, sizeof(l->uf));
        sc->auth->lookup = NULL;
        io_conn_resume(sc->ic);
    } else {
        log_verbose("Key files of user %.100s dropped: the connection has "
                    "gone",
                    l->uf.user);
    }
    lookup_free(l);
}

bool
server_lookup_needs_keys(const struct server_config *cfg)
{
    const char *f = cfg->authorized_keys_file;

    return strstr(f, "%u") != NULL || strstr(f, "%h") != NULL;
}

bool
server_lookup_needs_principals(const struct server_config *cfg)
{
    const char *pf = cfg->authorized_principals_file;

    return pf != NULL && strcmp(pf, "none") != 0;
}

int
server_lookup_start(struct server_conn *sc, const char *user)
{
    const struct server_config *cfg = sc->cfg;
    struct server_lookup *l;

    if ((l = calloc(1, sizeof(*l))) == NULL) {
        return ERR_NOMEM;
    }
    buf_init(&l->uf.principals);
    if ((l->uf.user = str_ndup(user, strlen(user))) == NULL ||
        (server_lookup_needs_keys(cfg) &&
         (l->keys_files = strdup(cfg->authorized_keys_file)) == NULL) ||
        (server_lookup_needs_principals(cfg) &&
         (l->principals_file = strdup(cfg->authorized_principals_file)) ==
             NULL)) {
        lookup_free(l);
        return ERR_NOMEM;
    }
    l->sc = sc;
    l->req.data = l;
    if (uv_queue_work(sc->srv->loop, &l->req, lookup_work, lookup_done) != 0) {
        lookup_free(l);
        return ERR_INTERNAL;
    }
    sc->auth->lookup = l;
    log_verbose("Reading the key files of user %.100s for %s port %u off "
                "the event loop",
                user, sc->addr, (unsigned)sc->port);
    return 0;
}

void
server_lookup_detach(struct server_lookup *l)
{
    if (l != NULL) {
        l->sc = NULL;
        /* A job still queued behind stalled ones (a hung NFS home) need
         * not keep its place: cancelled, lookup_done frees it at once.
         * One already running cannot be; its result is dropped. */
        (void)uv_cancel((uv_req_t *)&l->req);
    }
}
