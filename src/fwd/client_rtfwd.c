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

/* A -L/-D bind name being resolved, off the loop (uv_getaddrinfo): the
 * listener starts when the answer comes. */
struct client_rtfwd_req {
    uv_getaddrinfo_t req;
    struct client_sup *sup;
    struct fwdspec *f; /* kept in sup->rt_specs */
    struct client_rtfwd_req *next;
};

static int
client_rtfwd_listen(struct client_sup *sup, struct fwdspec *f)
{
    unsigned flags =
        (sup->cfg->gateway_ports == 1 ? FWD_LOCAL_GATEWAY_PORTS : 0) |
        (sup->cfg->stream_local_bind_unlink == 1 ? FWD_LOCAL_BIND_UNLINK : 0);

    if (sup->stopping || sup->n_fwds == CLIENT_MAX_FWDS) {
        return ERR_LIMIT;
    }
    if (fwd_local_start(&sup->fwds[sup->n_fwds], sup->loop, f, flags,
                        &sup->pick) != 0) {
        return ERR_IO;
    }
    sup->fwd_specs[sup->n_fwds++] = f;
    return 0;
}

static void
client_rtfwd_say(int r)
{
    log_plain(r == 0 ? "Forwarding port.\r\n" : "Port forwarding failed.\r\n");
}

/* The bind name's addresses, as the command line's are resolved at
 * start-up (numeric, at most LIM_BIND_IPS), or why there are none. */
static void
client_rtfwd_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct client_rtfwd_req *q = req->data;
    struct client_rtfwd_req **pp;
    const char *ips[LIM_BIND_IPS];
    char addr[LIM_BIND_IPS][64];
    struct addrinfo *ai;
    size_t k = 0;

    for (pp = &q->sup->rt_reqs; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == q) {
            *pp = q->next;
            break;
        }
    }
    for (ai = status == 0 ? res : NULL; ai != NULL && k < LIM_BIND_IPS;
         ai = ai->ai_next) {
        if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr[k], sizeof(addr[k]),
                        NULL, 0, NI_NUMERICHOST) == 0) {
            ips[k] = addr[k];
            k++;
        }
    }
    uv_freeaddrinfo(res);
    if (status != UV_EAI_CANCELED && status != UV_ECANCELED &&
        !q->sup->stopping) {
        (void)fwdspec_set_bind_ips(q->f, status == 0 ? ips : NULL, k,
                                   status == 0 ? NULL : uv_strerror(status));
        client_rtfwd_say(client_rtfwd_listen(q->sup, q->f));
    }
    free(q);
}

static int
client_rtfwd_add_local(struct client *c, const struct fwdspec *spec,
                       bool *later)
{
    struct client_sup *sup = c->sup;
    struct client_rtfwd_req *q;
    struct addrinfo hints;
    struct fwdspec *f;

    *later = false;
    if (sup->n_fwds == CLIENT_MAX_FWDS ||
        (f = client_rtfwd_keep(sup, spec)) == NULL) {
        return ERR_LIMIT;
    }
    if (!fwdspec_bind_is_name(f)) {
        return client_rtfwd_listen(sup, f);
    }
    if ((q = calloc(1, sizeof(*q))) == NULL) {
        return ERR_NOMEM;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    q->req.data = q;
    q->sup = sup;
    q->f = f;
    if (uv_getaddrinfo(c->loop, &q->req, client_rtfwd_resolved, f->bind, NULL,
                       &hints) != 0) {
        free(q);
        return ERR_IO;
    }
    q->next = sup->rt_reqs;
    sup->rt_reqs = q;
    *later = true;
    return 0;
}

void
client_rtfwd_stop(struct client_sup *sup)
{
    struct client_rtfwd_req *q;

    /* Each callback still comes (UV_ECANCELED, or the answer if it was
     * under way) and frees its request. */
    for (q = sup->rt_reqs; q != NULL; q = q->next) {
        (void)uv_cancel((uv_req_t *)&q->req);
    }
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
    bool later = false;
    int r = kind == FWDSPEC_REMOTE ? client_rtfwd_add_remote(c, spec)
                                   : client_rtfwd_add_local(c, spec, &later);

    if (!later) {
        client_rtfwd_say(r);
    }
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

/* Whether remote forward i of fr listens where spec says: the port as
 * asked or as the server allocated it (-R 0), as ssh's permission entry
 * keeps the allocated one. */
static bool
client_rtfwd_same_remote(const struct fwd_remote *fr, size_t i,
                         const struct fwdspec *spec)
{
    const struct fwdspec *f = fwd_remote_spec(fr, i);
    struct fwdspec alloc;
    uint16_t port;
    bool up;

    if (f == NULL) {
        return false;
    }
    if (client_rtfwd_same(f, spec)) {
        return true;
    }
    fwd_remote_info(fr, i, &up, &port);
    alloc = *f;
    alloc.listen_port = port;
    return f->listen_path == NULL && f->listen_port == 0 && up &&
           client_rtfwd_same(&alloc, spec);
}

/* -KR: cancel-tcpip-forward for the first -R that matches, from the
 * command line or added since; the reply is not waited for, as ssh. */
static bool
client_rtfwd_cancel_remote(struct client *c, const struct fwdspec *spec)
{
    struct fwd_remote *fr;
    size_t k, i;

    for (k = 0; c->ic != NULL && k <= c->n_rt_rfwd; k++) {
        fr = k == 0 ? c->rfwd : c->rt_rfwd[k - 1];
        for (i = 0; fr != NULL && i < fwd_remote_count(fr); i++) {
            if (client_rtfwd_same_remote(fr, i, spec)) {
                return fwd_remote_cancel(fr, c->ic, i) == 0;
            }
        }
    }
    return false;
}

int
client_rtfwd_cancel(struct client *c, enum fwdspec_kind kind,
                    const struct fwdspec *spec)
{
    struct client_sup *sup = c->sup;
    size_t i;

    if (kind == FWDSPEC_REMOTE && client_rtfwd_cancel_remote(c, spec)) {
        log_plain("Canceled forwarding.\r\n");
        return 0;
    }
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
