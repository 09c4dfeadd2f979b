/* SPDX-License-Identifier: ISC */
/* Outgoing TCP connections: async resolve, each address in turn, timeout. */
#include "io/io_connect.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

struct io_connect {
    uv_loop_t *loop;
    uv_getaddrinfo_t gai;
    uv_timer_t timer;
    uv_connect_t creq;
    uv_tcp_t *tcp;        /* the attempt in progress */
    struct addrinfo *res; /* from the resolver, or NULL */
    struct addrinfo *cur;
    struct addrinfo num_ai;            /* a numeric host: its one address */
    struct sockaddr_storage num_addr;  /* num_ai's */
    struct sockaddr_storage bind_addr; /* ss_family 0: none */
    char bind_if[IF_NAMESIZE];         /* BindInterface, "" none */
    int last_err;
    bool resolving;
    bool starting; /* inside io_connect_start: report from the loop */
    bool done;     /* outcome reported or cancelled */
    unsigned refs; /* timer + pending gai + pending connect */
    io_connect_cb cb;
    void *ctx;
    char port_str[8];
};

static void io_connect_try(struct io_connect *c);

static void
io_connect_unref(struct io_connect *c)
{
    if (--c->refs == 0) {
        if (c->res != NULL) {
            uv_freeaddrinfo(c->res);
        }
        free(c);
    }
}

static void
io_connect_timer_closed(uv_handle_t *h)
{
    io_connect_unref(h->data);
}

/* Report once, then release everything that is still running. */
static void
io_connect_finish(struct io_connect *c, int status, uv_tcp_t *tcp)
{
    bool report = !c->done;

    c->done = true;
    if (c->resolving) {
        uv_cancel((uv_req_t *)&c->gai);
    }
    if (c->tcp != NULL && c->tcp != tcp) {
        io_close_free((uv_handle_t *)c->tcp);
    }
    c->tcp = NULL;
    if (!uv_is_closing((uv_handle_t *)&c->timer)) {
        uv_close((uv_handle_t *)&c->timer, io_connect_timer_closed);
    }
    if (report) {
        c->cb(c->ctx, status, c->resolving, tcp);
    } else if (tcp != NULL) {
        io_close_free((uv_handle_t *)tcp);
    }
}

/* A failure found inside io_connect_start, reported from the loop. */
static void
io_connect_failed(uv_timer_t *t)
{
    struct io_connect *c = t->data;

    io_connect_finish(c, c->last_err, NULL);
}

static void
io_connect_done(uv_connect_t *req, int status)
{
    struct io_connect *c = req->data;
    uv_tcp_t *tcp = (uv_tcp_t *)req->handle;

    if (c->done || status == UV_ECANCELED) {
        io_connect_unref(c);
        return;
    }
    if (status == 0) {
        c->tcp = NULL;
        io_connect_finish(c, 0, tcp);
    } else {
        c->last_err = status;
        io_close_free((uv_handle_t *)tcp);
        c->tcp = NULL;
        c->cur = c->cur->ai_next;
        io_connect_try(c);
    }
    io_connect_unref(c);
}

/*
 * BindInterface, as ssh's check_ifaddrs(): the first address of that
 * family on the interface, not an IPv6 link-local or v4-mapped one.
 */
static int
io_connect_if_addr(struct io_connect *c, int family)
{
    struct ifaddrs *ifa = NULL, *i;
    int r = UV_EADDRNOTAVAIL;

    if (getifaddrs(&ifa) != 0) {
        return UV_EADDRNOTAVAIL;
    }
    for (i = ifa; i != NULL; i = i->ifa_next) {
        const struct sockaddr *sa = i->ifa_addr;

        if (sa == NULL || sa->sa_family != family ||
            strcmp(i->ifa_name, c->bind_if) != 0) {
            continue;
        }
        if (family == AF_INET6) {
            const struct in6_addr *a6 =
                &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

            if (IN6_IS_ADDR_LINKLOCAL(a6) || IN6_IS_ADDR_V4MAPPED(a6)) {
                continue;
            }
        }
        memset(&c->bind_addr, 0, sizeof(c->bind_addr));
        memcpy(&c->bind_addr, sa,
               family == AF_INET ? sizeof(struct sockaddr_in)
                                 : sizeof(struct sockaddr_in6));
        r = 0;
        break;
    }
    freeifaddrs(ifa);
    if (r != 0) {
        /* ssh's words (its logit), then the next address is tried. */
        if (log_get_level() >= LOG_INFO) {
            log_plain("getifaddrs: %s: no suitable addresses\r\n", c->bind_if);
        }
    }
    return r;
}

/* BindAddress (or BindInterface's address): bind the socket to it. */
static int
io_connect_bind(struct io_connect *c)
{
    int r;

    if (c->bind_if[0] != '\0' &&
        (r = io_connect_if_addr(c, c->cur->ai_family)) != 0) {
        return r;
    }
    if (c->bind_addr.ss_family == 0) {
        return 0;
    }
    if (c->bind_addr.ss_family != c->cur->ai_family) {
        return UV_EAFNOSUPPORT;
    }
    return uv_tcp_bind(c->tcp, (const struct sockaddr *)&c->bind_addr, 0);
}

/* Start a connect to c->cur, or the next address that accepts one. */
static void
io_connect_try(struct io_connect *c)
{
    int r;

    for (; c->cur != NULL; c->cur = c->cur->ai_next) {
        if ((c->tcp = malloc(sizeof(*c->tcp))) == NULL) {
            c->last_err = UV_ENOMEM;
            break;
        }
        uv_tcp_init(c->loop, c->tcp);
        uv_tcp_nodelay(c->tcp, 1);
        c->creq.data = c;
        if ((r = io_connect_bind(c)) == 0) {
            r = uv_tcp_connect(&c->creq, c->tcp, c->cur->ai_addr,
                               io_connect_done);
        }
        if (r == 0) {
            c->refs++;
            return;
        }
        c->last_err = r;
        io_close_free((uv_handle_t *)c->tcp);
        c->tcp = NULL;
    }
    if (c->starting) {
        uv_timer_start(&c->timer, io_connect_failed, 0, 0);
        return;
    }
    io_connect_finish(c, c->last_err, NULL);
}

static void
io_connect_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
    struct io_connect *c = req->data;

    c->res = res;
    if (!c->done) {
        if (status != 0) {
            io_connect_finish(c, status, NULL);
        } else {
            c->resolving = false;
            c->cur = res;
            io_connect_try(c);
        }
    }
    c->resolving = false;
    io_connect_unref(c);
}

static void
io_connect_timeout(uv_timer_t *t)
{
    io_connect_finish(t->data, UV_ETIMEDOUT, NULL);
}

static int
io_connect_set_bind(struct io_connect *c, const char *addr)
{
    struct sockaddr_storage *ss = &c->bind_addr;

    if (uv_ip4_addr(addr, 0, (struct sockaddr_in *)ss) == 0 ||
        uv_ip6_addr(addr, 0, (struct sockaddr_in6 *)ss) == 0) {
        return 0;
    }
    memset(ss, 0, sizeof(*ss));
    return ERR_INVAL;
}

static int
io_connect_set_bind_if(struct io_connect *c, const char *ifname)
{
    if (strlen(ifname) >= sizeof(c->bind_if)) {
        return ERR_INVAL;
    }
    memcpy(c->bind_if, ifname, strlen(ifname) + 1);
    return 0;
}

/*
 * host as a numeric address of family (or AF_UNSPEC) into c->num_ai, as
 * getaddrinfo would give it; false for a name, or a scoped IPv6 address
 * (the resolver maps its interface). A numeric host needs no resolver:
 * uv_getaddrinfo would cost a thread pool hop (two thread wake-ups, and
 * the pool's start on first use) before every connect.
 */
static bool
io_connect_numeric(struct io_connect *c, const char *host, uint16_t port,
                   int family)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)&c->num_addr;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&c->num_addr;
    struct addrinfo *ai = &c->num_ai;

    if (family != AF_INET6 && uv_ip4_addr(host, port, sin) == 0) {
        ai->ai_family = AF_INET;
        ai->ai_addrlen = sizeof(*sin);
    } else if (family != AF_INET && strchr(host, '%') == NULL &&
               uv_ip6_addr(host, port, sin6) == 0) {
        ai->ai_family = AF_INET6;
        ai->ai_addrlen = sizeof(*sin6);
    } else {
        return false;
    }
    ai->ai_socktype = SOCK_STREAM;
    ai->ai_protocol = IPPROTO_TCP;
    ai->ai_addr = (struct sockaddr *)&c->num_addr;
    ai->ai_next = NULL;
    return true;
}

static int
io_connect_resolve(struct io_connect *c, const char *host, int family)
{
    struct addrinfo hints;
    int r;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    c->gai.data = c;
    r = uv_getaddrinfo(c->loop, &c->gai, io_connect_resolved, host, c->port_str,
                       &hints);
    if (r != 0) {
        return io_err_from_uv(r);
    }
    c->resolving = true;
    c->refs++;
    return 0;
}

int
io_connect_start_bound(struct io_connect **out, uv_loop_t *loop,
                       const char *host, uint16_t port, int family,
                       uint64_t timeout_ms, const struct io_connect_bind *bind,
                       io_connect_cb cb, void *ctx)
{
    struct io_connect *c;
    bool numeric;
    int r = 0;

    *out = NULL;
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return ERR_NOMEM;
    }
    c->loop = loop;
    c->cb = cb;
    c->ctx = ctx;
    c->last_err = UV_ECONNREFUSED;
    /* BindAddress wins over BindInterface, as in ssh. */
    if (bind != NULL && bind->addr != NULL) {
        r = io_connect_set_bind(c, bind->addr);
    } else if (bind != NULL && bind->ifname != NULL) {
        r = io_connect_set_bind_if(c, bind->ifname);
    }
    if (r != 0) {
        free(c);
        return r;
    }
    snprintf(c->port_str, sizeof(c->port_str), "%u", (unsigned)port);
    numeric = io_connect_numeric(c, host, port, family);
    if (!numeric && (r = io_connect_resolve(c, host, family)) != 0) {
        free(c);
        return r;
    }
    c->refs++;
    uv_timer_init(loop, &c->timer);
    c->timer.data = c;
    if (timeout_ms > 0) {
        uv_timer_start(&c->timer, io_connect_timeout, timeout_ms, 0);
    }
    *out = c;
    if (numeric) {
        /* The connect starts now: no loop pass between open and SYN. */
        c->starting = true;
        c->cur = &c->num_ai;
        io_connect_try(c);
        c->starting = false;
    }
    return 0;
}

int
io_connect_start(struct io_connect **out, uv_loop_t *loop, const char *host,
                 uint16_t port, int family, uint64_t timeout_ms,
                 io_connect_cb cb, void *ctx)
{
    return io_connect_start_bound(out, loop, host, port, family, timeout_ms,
                                  NULL, cb, ctx);
}

void
io_connect_cancel(struct io_connect *c)
{
    if (c != NULL && !c->done) {
        c->done = true;
        io_connect_finish(c, UV_ECANCELED, NULL);
    }
}
