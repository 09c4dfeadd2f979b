/* SPDX-License-Identifier: ISC */
/*
 * Forwards added to a ControlMaster by its clients (-O forward, and a
 * client's own -L, -R, -D): kept until -O cancel frees their room, -R
 * asked for again on each new connection (Reconnect), and listed by
 * `adit status` after the configured ones.
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_mux.h"
#include "io/io_ctl.h"
#include "util/err.h"
#include "util/log.h"

struct client_mux_fwd {
    enum fwdspec_kind kind;
    struct fwdspec spec; /* -L/-D: its listener's, while it listens */
};

/* A -R forward asked for by a client, until the server answers. */
struct client_mux_rfwd {
    struct io_svc_client *cl; /* NULL once the client has gone */
    struct fwdspec spec;      /* for the answer's words */
};

static bool
client_mux_same(const struct fwdspec *a, const struct fwdspec *b,
                enum fwdspec_kind kind)
{
    char sa[LIM_CTL_REQUEST], sb[LIM_CTL_REQUEST];

    return fwdspec_is_dynamic(a) == fwdspec_is_dynamic(b) &&
           ctl_mux_fwd_format(a, kind, sa, sizeof(sa)) == 0 &&
           ctl_mux_fwd_format(b, kind, sb, sizeof(sb)) == 0 &&
           strcmp(sa, sb) == 0;
}

/* A free room for f, filled with a copy of it: its index, or -1 when
 * there is none. */
static int
client_mux_fwd_keep(struct client_sup *sup, enum fwdspec_kind kind,
                    const struct fwdspec *f)
{
    struct client_mux_fwd *k;
    size_t i = 0;

    while (i < LIM_MUX_FWDS && sup->mux_fwds[i] != NULL) {
        i++;
    }
    if (i == LIM_MUX_FWDS || (k = calloc(1, sizeof(*k))) == NULL) {
        return -1;
    }
    if (fwdspec_copy(f, &k->spec) != 0) {
        free(k);
        return -1;
    }
    k->kind = kind;
    sup->mux_fwds[i] = k;
    return (int)i;
}

/* Its room freed: nothing points at the spec any more. */
static void
client_mux_fwd_drop(struct client_sup *sup, size_t i)
{
    fwdspec_cleanup(&sup->mux_fwds[i]->spec);
    free(sup->mux_fwds[i]);
    sup->mux_fwds[i] = NULL;
}

/* The kept -R forward like f, or -1. */
static int
client_mux_fwd_find(const struct client_sup *sup, enum fwdspec_kind kind,
                    const struct fwdspec *f)
{
    size_t i;

    for (i = 0; i < LIM_MUX_FWDS; i++) {
        if (sup->mux_fwds[i] != NULL && sup->mux_fwds[i]->kind == kind &&
            client_mux_same(&sup->mux_fwds[i]->spec, f, kind)) {
            return (int)i;
        }
    }
    return -1;
}

/* ---- -L and -D ---- */

static int
client_mux_local_find(const struct client_sup *sup, const struct ctl_mux *m)
{
    size_t i;

    for (i = 0; i < sup->n_fwds; i++) {
        if (client_mux_same(sup->fwd_specs[i], &m->fwd, m->kind)) {
            return (int)i;
        }
    }
    return -1;
}

static int
client_mux_local_add(struct client_sup *sup, const struct ctl_mux *m, char *why,
                     size_t why_len)
{
    const struct client_config *cfg = sup->cfg;
    unsigned flags;
    int k;

    /* Asked for again: already there, as ssh answers. */
    if (client_mux_local_find(sup, m) >= 0) {
        return 0;
    }
    if (sup->n_fwds == CLIENT_MAX_FWDS ||
        (k = client_mux_fwd_keep(sup, m->kind, &m->fwd)) < 0) {
        snprintf(why, why_len, "too many forwards");
        return ERR_LIMIT;
    }
    flags = (cfg->gateway_ports == 1 ? FWD_LOCAL_GATEWAY_PORTS : 0) |
            (cfg->stream_local_bind_unlink == 1 ? FWD_LOCAL_BIND_UNLINK : 0);
    if (fwd_local_start(&sup->fwds[sup->n_fwds], sup->loop,
                        &sup->mux_fwds[k]->spec, flags, &sup->pick) != 0) {
        client_mux_fwd_drop(sup, (size_t)k);
        snprintf(why, why_len, "Port forwarding failed");
        return ERR_IO;
    }
    sup->fwd_specs[sup->n_fwds++] = &sup->mux_fwds[k]->spec;
    return 0;
}

static int
client_mux_local_cancel(struct client_sup *sup, const struct ctl_mux *m,
                        char *why, size_t why_len)
{
    int i = client_mux_local_find(sup, m), k;

    if (i < 0) {
        snprintf(why, why_len, "port not found");
        return ERR_NOTFOUND;
    }
    fwd_local_close(sup->fwds[i]);
    sup->n_fwds--;
    memmove(&sup->fwds[i], &sup->fwds[i + 1],
            (sup->n_fwds - (size_t)i) * sizeof(sup->fwds[0]));
    memmove(&sup->fwd_specs[i], &sup->fwd_specs[i + 1],
            (sup->n_fwds - (size_t)i) * sizeof(sup->fwd_specs[0]));
    /* The listener is gone (its accepted connections copied what they
     * needed): the room is free. */
    if ((k = client_mux_fwd_find(sup, m->kind, &m->fwd)) >= 0) {
        client_mux_fwd_drop(sup, (size_t)k);
    }
    return 0;
}

/* ---- -R ---- */

static void
client_mux_rfwd_gone(void *ctx)
{
    struct client_mux_rfwd *q = ctx;

    q->cl = NULL;
}

static void
client_mux_rfwd_done(void *ctx, bool ok, uint16_t port)
{
    struct client_mux_rfwd *q = ctx;
    char msg[LIM_UNIX_PATH + 64];

    if (q->cl != NULL) {
        if (ok && q->spec.listen_path == NULL && q->spec.listen_port == 0) {
            snprintf(msg, sizeof(msg), "port %u\n", (unsigned)port);
        } else if (ok) {
            msg[0] = '\0';
        } else if (q->spec.listen_path != NULL) {
            snprintf(msg, sizeof(msg),
                     "remote port forwarding failed for listen path %s",
                     q->spec.listen_path);
        } else {
            snprintf(msg, sizeof(msg),
                     "remote port forwarding failed for listen port %u",
                     (unsigned)q->spec.listen_port);
        }
        io_ctl_answer(q->cl, ok, msg, strlen(msg));
        io_ctl_next(q->cl); /* the client's next forward, if any */
    }
    fwdspec_cleanup(&q->spec);
    free(q);
}

/* Whether c's connection has f (not cancelled) already. */
static bool
client_mux_remote_has(const struct client *c, const struct fwdspec *f)
{
    size_t i;

    for (i = 0; i < fwd_remote_count(c->rfwd); i++) {
        const struct fwdspec *g = fwd_remote_spec(c->rfwd, i);

        if (g != NULL && client_mux_same(g, f, FWDSPEC_REMOTE)) {
            return true;
        }
    }
    return false;
}

/* Every other destination that is up asks for it too (Reconnect with
 * several: the forwards are the master's, as configured ones are). */
static void
client_mux_remote_others(struct client_sup *sup, const struct client *first,
                         const struct fwdspec *f)
{
    size_t d;

    for (d = 0; d < sup->n; d++) {
        struct client *c = sup->d[d];

        if (c != first && c->state == CLIENT_UP && c->ic != NULL &&
            !c->stopping && client_rfwd_ensure(c) == 0 &&
            !client_mux_remote_has(c, f) &&
            fwd_remote_add(c->rfwd, c->ic, f, NULL, NULL) == 0) {
            io_conn_flush(c->ic);
        }
    }
}

static int
client_mux_remote_add(struct client_sup *sup, struct client *c,
                      const struct ctl_mux *m, struct io_ctl_call *call,
                      char *why, size_t why_len)
{
    struct client_mux_rfwd *q;
    int r = ERR_NOMEM, k = -1;

    if (c == NULL || client_rfwd_ensure(c) != 0) {
        snprintf(why, why_len, "not connected");
        return ERR_CHANNEL;
    }
    if (m->fwd.listen_port != 0 && client_mux_remote_has(c, &m->fwd)) {
        return 0;
    }
    if ((q = calloc(1, sizeof(*q))) == NULL ||
        fwdspec_copy(&m->fwd, &q->spec) != 0 ||
        (k = client_mux_fwd_keep(sup, FWDSPEC_REMOTE, &m->fwd)) < 0 ||
        (r = fwd_remote_add(c->rfwd, c->ic, &m->fwd, client_mux_rfwd_done,
                            q)) != 0) {
        if (k >= 0) {
            client_mux_fwd_drop(sup, (size_t)k);
        }
        if (q != NULL) {
            fwdspec_cleanup(&q->spec);
        }
        free(q);
        snprintf(why, why_len, "too many forwards");
        return r == 0 ? ERR_LIMIT : r;
    }
    io_conn_flush(c->ic);
    q->cl = io_ctl_later(call, client_mux_rfwd_gone, q);
    client_mux_remote_others(sup, c, &m->fwd);
    return 0;
}

static int
client_mux_remote_cancel(struct client_sup *sup, const struct ctl_mux *m,
                         char *why, size_t why_len)
{
    bool found = false;
    size_t d, i;
    int k;

    for (d = 0; d < sup->n; d++) {
        struct client *c = sup->d[d];

        if (c->rfwd == NULL || c->ic == NULL || c->stopping) {
            continue;
        }
        for (i = 0; i < fwd_remote_count(c->rfwd); i++) {
            const struct fwdspec *f = fwd_remote_spec(c->rfwd, i);

            if (f != NULL && client_mux_same(f, &m->fwd, FWDSPEC_REMOTE) &&
                fwd_remote_cancel(c->rfwd, c->ic, i) == 0) {
                found = true;
            }
        }
    }
    /* Not asked for on the next connection either. */
    while ((k = client_mux_fwd_find(sup, FWDSPEC_REMOTE, &m->fwd)) >= 0) {
        client_mux_fwd_drop(sup, (size_t)k);
        found = true;
    }
    if (!found) {
        snprintf(why, why_len, "port not found");
        return ERR_NOTFOUND;
    }
    return 0;
}

/* ---- the requests, a new connection, status ---- */

int
client_mux_fwd_add(struct client_sup *sup, struct client *c,
                   const struct ctl_mux *m, struct io_ctl_call *call, char *why,
                   size_t why_len)
{
    return m->kind == FWDSPEC_REMOTE
               ? client_mux_remote_add(sup, c, m, call, why, why_len)
               : client_mux_local_add(sup, m, why, why_len);
}

int
client_mux_fwd_cancel(struct client_sup *sup, const struct ctl_mux *m,
                      char *why, size_t why_len)
{
    return m->kind == FWDSPEC_REMOTE
               ? client_mux_remote_cancel(sup, m, why, why_len)
               : client_mux_local_cancel(sup, m, why, why_len);
}

int
client_mux_fwd_restart(struct client *c, struct io_conn *ic)
{
    struct client_sup *sup = c->sup;
    size_t i;
    int r;

    for (i = 0; i < LIM_MUX_FWDS; i++) {
        const struct client_mux_fwd *k = sup->mux_fwds[i];

        if (k == NULL || k->kind != FWDSPEC_REMOTE ||
            client_mux_remote_has(c, &k->spec)) {
            continue;
        }
        log_debug("asking again for remote forward %u added by a client",
                  (unsigned)k->spec.listen_port);
        if ((r = fwd_remote_add(c->rfwd, ic, &k->spec, NULL, NULL)) != 0) {
            return r;
        }
    }
    return 0;
}

size_t
client_mux_fwd_rows(const struct client_sup *sup)
{
    size_t i, n = 0;

    for (i = 0; i < LIM_MUX_FWDS; i++) {
        if (sup->mux_fwds[i] != NULL) {
            n += sup->mux_fwds[i]->kind == FWDSPEC_REMOTE ? sup->n : 1;
        }
    }
    return n;
}

/* -R row on destination d: granted there, and its (allocated) port. */
static void
client_mux_fwd_remote_row(const struct client_sup *sup, size_t d,
                          const struct fwdspec *f, bool *is_up, uint16_t *port)
{
    const struct client *c = sup->d[d];
    size_t i;

    if (c->rfwd == NULL || c->state != CLIENT_UP) {
        return;
    }
    for (i = 0; i < fwd_remote_count(c->rfwd); i++) {
        const struct fwdspec *g = fwd_remote_spec(c->rfwd, i);

        if (g != NULL && client_mux_same(g, f, FWDSPEC_REMOTE)) {
            fwd_remote_info(c->rfwd, i, is_up, port);
            return;
        }
    }
}

const struct fwdspec *
client_mux_fwd_row(const struct client_sup *sup, size_t row,
                   enum fwdspec_kind *kind, size_t *dest, bool *is_up,
                   uint16_t *port)
{
    size_t i, j, per;

    for (i = 0; i < LIM_MUX_FWDS; i++) {
        const struct client_mux_fwd *k = sup->mux_fwds[i];

        if (k == NULL) {
            continue;
        }
        per = k->kind == FWDSPEC_REMOTE ? sup->n : 1;
        if (row >= per) {
            row -= per;
            continue;
        }
        *kind = k->kind;
        *dest = row;
        *is_up = false;
        *port = k->spec.listen_port;
        if (k->kind == FWDSPEC_REMOTE) {
            client_mux_fwd_remote_row(sup, row, &k->spec, is_up, port);
        }
        for (j = 0; k->kind != FWDSPEC_REMOTE && j < sup->n_fwds; j++) {
            *is_up = *is_up || sup->fwd_specs[j] == &k->spec;
        }
        return &k->spec;
    }
    return NULL;
}

void
client_mux_fwd_free(struct client_sup *sup)
{
    size_t i;

    for (i = 0; i < LIM_MUX_FWDS; i++) {
        if (sup->mux_fwds[i] != NULL) {
            client_mux_fwd_drop(sup, i);
        }
    }
}
