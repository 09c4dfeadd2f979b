/* SPDX-License-Identifier: ISC */
/*
 * Forwards added and cancelled while the connection is up, as ssh's ~C
 * command line does them (clientloop.c process_cmdline): -L and -D
 * listen at once beside the command line's, -R is asked of the server.
 */
#include "fwd/client_int.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/log.h"

/* A -L/-D bind name resolved as adit resolves the command line's (at
 * start-up there; here a user typed it, and waits for the answer). */
static void
client_rtfwd_resolve(uv_loop_t *loop, struct fwdspec *f)
{
    struct addrinfo hints, *ai;
    const char *ips[LIM_BIND_IPS];
    char addr[LIM_BIND_IPS][64];
    uv_getaddrinfo_t req;
    size_t k = 0;
    int r;

    if (!fwdspec_bind_is_name(f)) {
        return;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((r = uv_getaddrinfo(loop, &req, NULL, f->bind, NULL, &hints)) != 0) {
        (void)fwdspec_set_bind_ips(f, NULL, 0, uv_strerror(r));
        return;
    }
    for (ai = req.addrinfo; ai != NULL && k < LIM_BIND_IPS; ai = ai->ai_next) {
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr[k], sizeof(addr[k]),
                        NULL, 0, NI_NUMERICHOST) == 0) {
            ips[k] = addr[k];
            k++;
        }
    }
    uv_freeaddrinfo(req.addrinfo);
    (void)fwdspec_set_bind_ips(f, ips, k, NULL);
}

/* A copy of spec the supervisor keeps to the end. */
static struct fwdspec *
client_rtfwd_keep(struct client_sup *sup, const struct fwdspec *spec)
{
    struct fwdspec *f;

    if (sup->n_rt_specs == CLIENT_MAX_FWDS ||
        (f = calloc(1, sizeof(*f))) == NULL) {
        return NULL;
    }
    if (fwdspec_copy(spec, f) != 0) {
        free(f);
        return NULL;
    }
    sup->rt_specs[sup->n_rt_specs++] = f;
    return f;
}

static int
client_rtfwd_add_local(struct client *c, const struct fwdspec *spec)
{
    struct client_sup *sup = c->sup;
    struct fwdspec *f;
    unsigned flags =
        (c->cfg->gateway_ports == 1 ? FWD_LOCAL_GATEWAY_PORTS : 0) |
        (c->cfg->stream_local_bind_unlink == 1 ? FWD_LOCAL_BIND_UNLINK : 0);

    if (sup->n_fwds == CLIENT_MAX_FWDS ||
        (f = client_rtfwd_keep(sup, spec)) == NULL) {
        return ERR_LIMIT;
    }
    client_rtfwd_resolve(c->loop, f);
    if (fwd_local_start(&sup->fwds[sup->n_fwds], sup->loop, f, flags,
                        &sup->pick) != 0) {
        return ERR_IO;
    }
    sup->fwd_specs[sup->n_fwds++] = f;
    return 0;
}

static int
client_rtfwd_add_remote(struct client *c, const struct fwdspec *spec)
{
    struct fwd_remote_cbs cbs;
    struct fwdspec *f;
    int r;

    if (c->ic == NULL || c->n_rt_rfwd == CLIENT_RT_RFWDS ||
        (f = client_rtfwd_keep(c->sup, spec)) == NULL) {
        return ERR_LIMIT;
    }
    memset(&cbs, 0, sizeof(cbs));
    if ((r = fwd_remote_new(&c->rt_rfwd[c->n_rt_rfwd], f, 1, false, &cbs)) !=
        0) {
        return r;
    }
    if ((r = fwd_remote_start(c->rt_rfwd[c->n_rt_rfwd], c->ic)) != 0) {
        fwd_remote_free(c->rt_rfwd[c->n_rt_rfwd]);
        return r;
    }
    c->n_rt_rfwd++;
    return 0;
}

int
client_rtfwd_add(struct client *c, enum fwdspec_kind kind,
                 const struct fwdspec *spec)
{
    int r = kind == FWDSPEC_REMOTE ? client_rtfwd_add_remote(c, spec)
                                   : client_rtfwd_add_local(c, spec);

    log_plain(r == 0 ? "Forwarding port.\r\n" : "Port forwarding failed.\r\n");
    return r;
}

/* The same listening side: port and bind, or path. */
static bool
client_rtfwd_same(const struct fwdspec *a, const struct fwdspec *b)
{
    if (a->listen_path != NULL || b->listen_path != NULL) {
        return a->listen_path != NULL && b->listen_path != NULL &&
               strcmp(a->listen_path, b->listen_path) == 0;
    }
    if (a->listen_port != b->listen_port) {
        return false;
    }
    if (b->bind_kind == FWDSPEC_BIND_DEFAULT) {
        return true; /* no address named: the port decides, as ssh */
    }
    return a->bind_kind == b->bind_kind &&
           (a->bind == NULL || b->bind == NULL ||
            strcmp(a->bind, b->bind) == 0);
}

int
client_rtfwd_cancel(struct client *c, enum fwdspec_kind kind,
                    const struct fwdspec *spec)
{
    struct client_sup *sup = c->sup;
    size_t i;

    for (i = 0; kind != FWDSPEC_REMOTE && i < sup->n_fwds; i++) {
        if (fwdspec_is_dynamic(sup->fwd_specs[i]) ==
                (kind == FWDSPEC_DYNAMIC) &&
            client_rtfwd_same(sup->fwd_specs[i], spec)) {
            fwd_local_close(sup->fwds[i]);
            sup->n_fwds--;
            memmove(&sup->fwds[i], &sup->fwds[i + 1],
                    (sup->n_fwds - i) * sizeof(sup->fwds[0]));
            memmove(&sup->fwd_specs[i], &sup->fwd_specs[i + 1],
                    (sup->n_fwds - i) * sizeof(sup->fwd_specs[0]));
            log_plain("Canceled forwarding.\r\n");
            return 0;
        }
    }
    log_plain("Unknown port forwarding.\r\n");
    return ERR_NOTFOUND;
}

bool
client_rtfwd_open(struct client *c, struct io_conn *ic, uint32_t id,
                  const struct chan_open_info *info)
{
    size_t i;

    for (i = 0; i < c->n_rt_rfwd; i++) {
        if (fwd_remote_open(c->rt_rfwd[i], ic, id, info)) {
            return true;
        }
    }
    return false;
}

void
client_rtfwd_drop(struct client *c)
{
    while (c->n_rt_rfwd > 0) {
        fwd_remote_free(c->rt_rfwd[--c->n_rt_rfwd]);
    }
}

void
client_rtfwd_free(struct client_sup *sup)
{
    while (sup->n_rt_specs > 0) {
        fwdspec_cleanup(sup->rt_specs[--sup->n_rt_specs]);
        free(sup->rt_specs[sup->n_rt_specs]);
    }
}
