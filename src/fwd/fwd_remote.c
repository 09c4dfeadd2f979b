/* SPDX-License-Identifier: ISC */
/* -R forwarding: remote listen requests and the channels they bring. */
#include "fwd/fwd_remote.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_chan.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* A forwarded connection's local connect gives up after this long. */
#define FWD_REMOTE_CONNECT_TIMEOUT_MS 60000u

enum fwd_remote_state {
    FWD_REMOTE_IDLE,
    FWD_REMOTE_PENDING,
    FWD_REMOTE_OK,
    FWD_REMOTE_FAILED,
};

struct fwd_remote;

struct fwd_remote_entry {
    struct fwd_remote *fr;
    const struct fwdspec *spec; /* the configured one, or &own */
    struct fwdspec own;         /* fwd_remote_add's copy */
    enum fwd_remote_state state;
    uint16_t port; /* the listen port; the allocated one for port 0 */
    bool asked;    /* a reply is awaited: the request queue points here */
    bool cancel_on_reply;      /* a -R 0 cancelled before its port was known */
    fwd_remote_added_cb added; /* fwd_remote_add's, until answered */
    void *added_ctx;
};

/* Room for LIM_MUX_FWDS more than the configured forwards is made at
 * once: entries never move, as pending replies point at them. An added
 * forward's entry is used again once cancelled and answered. */
struct fwd_remote {
    struct fwd_remote_entry *e;
    size_t n, cap;
    size_t n_cfg; /* the configured forwards, first */
    size_t pending;
    bool exit_on_failure;
    struct fwd_remote_cbs cbs;
};

/* ssh's logit() (level LOG_INFO: LogLevel ERROR hides them) and error()
 * lines (LOG_ERROR: shown unless -q), unprefixed. */
static void fwd_remote_say(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fwd_remote_say(int level, const char *fmt, ...)
{
    va_list ap;
    char line[1024];

    if (log_get_level() < level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* Paths and hosts here are the server's words: escaped. */
    log_plain("%s\r\n", line);
}

int
fwd_remote_new(struct fwd_remote **out, const struct fwdspec *specs, size_t n,
               bool exit_on_failure, const struct fwd_remote_cbs *cbs)
{
    struct fwd_remote *fr;
    size_t i;

    *out = NULL;
    if ((fr = calloc(1, sizeof(*fr))) == NULL ||
        (fr->e = calloc(n + LIM_MUX_FWDS, sizeof(*fr->e))) == NULL) {
        free(fr);
        return ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        fr->e[i].fr = fr;
        fr->e[i].spec = &specs[i];
        fr->e[i].port = specs[i].listen_port;
    }
    fr->n = fr->n_cfg = n;
    fr->cap = n + LIM_MUX_FWDS;
    fr->exit_on_failure = exit_on_failure;
    fr->cbs = *cbs;
    *out = fr;
    return 0;
}

void
fwd_remote_free(struct fwd_remote *fr)
{
    fwd_remote_added_cb cb;
    size_t i;

    if (fr != NULL) {
        /* Requests still unanswered never will be: the connection went. */
        for (i = 0; i < fr->n; i++) {
            if ((cb = fr->e[i].added) != NULL) {
                fr->e[i].added = NULL;
                cb(fr->e[i].added_ctx, false, 0);
            }
            fwdspec_cleanup(&fr->e[i].own);
        }
        free(fr->e);
        free(fr);
    }
}

size_t
fwd_remote_pending(const struct fwd_remote *fr)
{
    return fr->pending;
}

/* Where a forward's connections go, for messages. */
static void
fwd_remote_target_str(const struct fwdspec *s, char *out, size_t len)
{
    if (s->connect_path != NULL) {
        snprintf(out, len, "%s", s->connect_path);
    } else if (s->host != NULL) {
        snprintf(out, len, "%s:%u", s->host, (unsigned)s->host_port);
    } else {
        snprintf(out, len, "socks:0");
    }
}

static void
fwd_remote_refused(struct fwd_remote_entry *e)
{
    const char *what = e->fr->exit_on_failure ? "Error" : "Warning";
    /* ssh: fatal() with ExitOnForwardFailure, else logit(). */
    int level = e->fr->exit_on_failure ? LOG_ERROR : LOG_INFO;

    e->state = FWD_REMOTE_FAILED;
    if (e->spec->listen_path != NULL) {
        fwd_remote_say(level,
                       "%s: remote port forwarding failed for listen path %s",
                       what, e->spec->listen_path);
    } else {
        fwd_remote_say(level,
                       "%s: remote port forwarding failed for listen port %u",
                       what, (unsigned)e->spec->listen_port);
    }
}

/*
 * REQUEST_SUCCESS for a tcpip-forward with port 0 (RFC 4254 7.1):
 *   uint32 port that was bound on the server
 */
static int
fwd_remote_allocated(struct fwd_remote_entry *e, const uint8_t *p, size_t n)
{
    char target[LIM_UNIX_PATH + 16];
    struct rd rd;
    uint32_t port = 0;
    int r;

    rd_init(&rd, p, n);
    if ((r = rd_u32(&rd, &port)) != 0) {
        return r;
    }
    fwd_remote_target_str(e->spec, target, sizeof(target));
    if (port == 0 || port > 65535) {
        fwd_remote_say(LOG_ERROR,
                       "Invalid allocated port %u for remote forward to %s",
                       (unsigned)port, target);
        return ERR_FORMAT;
    }
    e->port = (uint16_t)port;
    fwd_remote_say(LOG_INFO, "Allocated port %u for remote forward to %s",
                   (unsigned)port, target);
    return 0;
}

static int fwd_remote_send(struct fwd_remote_entry *e, struct io_conn *ic,
                           bool cancel, io_conn_reply_cb cb);

static void
fwd_remote_reply(void *ctx, struct io_conn *ic, bool ok, const uint8_t *p,
                 size_t n)
{
    struct fwd_remote_entry *e = ctx;
    struct fwd_remote *fr = e->fr;
    bool cancelled = e->state == FWD_REMOTE_IDLE;

    e->asked = false;
    if (e->spec->listen_path != NULL) {
        log_debug("remote forward %s for: listen %s",
                  ok ? "success" : "failure", e->spec->listen_path);
    } else {
        log_debug("remote forward %s for: listen %s:%u",
                  ok ? "success" : "failure", fwdspec_remote_bind(e->spec),
                  (unsigned)e->spec->listen_port);
    }
    fr->pending--;
    if (ok && e->spec->listen_path == NULL && e->spec->listen_port == 0 &&
        fwd_remote_allocated(e, p, n) != 0) {
        ok = false;
    }
    if (cancelled) {
        /* Cancelled while asked for: it stays cancelled; a -R 0 is
         * cancelled now that its port is known. */
        if (ok && e->cancel_on_reply &&
            fwd_remote_send(e, ic, true, NULL) == 0) {
            io_conn_flush(ic);
        }
        e->cancel_on_reply = false;
    } else if (ok) {
        e->state = FWD_REMOTE_OK;
    } else {
        fwd_remote_refused(e);
        if (fr->cbs.failed != NULL && e->added == NULL) {
            fr->cbs.failed(fr->cbs.ctx, e->spec);
        }
    }
    if (e->added != NULL) {
        fwd_remote_added_cb cb = e->added;

        e->added = NULL;
        cb(e->added_ctx, ok, e->port);
    }
    if (fr->pending == 0 && fr->cbs.settled != NULL) {
        log_debug("All remote forwarding requests processed");
        fr->cbs.settled(fr->cbs.ctx);
    }
}

/*
 * GLOBAL_REQUEST "tcpip-forward" (RFC 4254 7.1), and "cancel-tcpip-forward"
 * (7.1) with the port the server gave for a port 0 forward:
 *   string address to bind, uint32 port number to bind
 * "streamlocal-forward@openssh.com", and "cancel-streamlocal-forward@
 * openssh.com" (OpenSSH PROTOCOL 2.4):
 *   string socket path
 * Sent with want_reply when cb is not NULL.
 */
static int
fwd_remote_send(struct fwd_remote_entry *e, struct io_conn *ic, bool cancel,
                io_conn_reply_cb cb)
{
    const struct fwdspec *s = e->spec;
    struct buf b;
    const char *name;
    int r;

    buf_init(&b);
    if (s->listen_path != NULL) {
        name = cancel ? "cancel-streamlocal-forward@openssh.com"
                      : "streamlocal-forward@openssh.com";
        r = buf_put_cstring(&b, s->listen_path);
    } else {
        name = cancel ? "cancel-tcpip-forward" : "tcpip-forward";
        if ((r = buf_put_cstring(&b, fwdspec_remote_bind(s))) == 0) {
            r = buf_put_u32(&b, cancel ? e->port : s->listen_port);
        }
    }
    if (r == 0) {
        r = io_conn_global_request(ic, name, buf_ptr(&b), buf_len(&b), cb,
                                   cb != NULL ? e : NULL);
    }
    buf_cleanup(&b);
    return r;
}

/* Send e's request; its answer is then awaited. */
static int
fwd_remote_ask(struct fwd_remote_entry *e, struct io_conn *ic)
{
    int r;

    if ((r = fwd_remote_send(e, ic, false, fwd_remote_reply)) != 0) {
        return r;
    }
    e->state = FWD_REMOTE_PENDING;
    e->asked = true;
    e->fr->pending++;
    return 0;
}

int
fwd_remote_start(struct fwd_remote *fr, struct io_conn *ic)
{
    char target[LIM_UNIX_PATH + 16];
    size_t i;
    int r;

    for (i = 0; i < fr->n; i++) {
        struct fwd_remote_entry *e = &fr->e[i];

        fwd_remote_target_str(e->spec, target, sizeof(target));
        log_debug("Remote connections from %s:%u forwarded to local "
                  "address %s",
                  e->spec->listen_path != NULL ? e->spec->listen_path
                                               : fwdspec_remote_bind(e->spec),
                  (unsigned)e->spec->listen_port, target);
        if ((r = fwd_remote_ask(e, ic)) != 0) {
            return r;
        }
    }
    return 0;
}

int
fwd_remote_retry(struct fwd_remote *fr, struct io_conn *ic)
{
    size_t i;
    int r;

    for (i = 0; i < fr->n; i++) {
        if (fr->e[i].state != FWD_REMOTE_FAILED) {
            continue;
        }
        log_debug("asking again for remote forward %u",
                  (unsigned)fr->e[i].spec->listen_port);
        if ((r = fwd_remote_ask(&fr->e[i], ic)) != 0) {
            return r;
        }
    }
    return 0;
}

int
fwd_remote_add(struct fwd_remote *fr, struct io_conn *ic,
               const struct fwdspec *spec, fwd_remote_added_cb cb, void *ctx)
{
    struct fwd_remote_entry *e = NULL;
    size_t i;
    int r;

    /* A cancelled one nothing points at any more, or a new one. */
    for (i = fr->n_cfg; i < fr->n && e == NULL; i++) {
        if (fr->e[i].state == FWD_REMOTE_IDLE && !fr->e[i].asked) {
            e = &fr->e[i];
        }
    }
    if (e == NULL && fr->n == fr->cap) {
        return ERR_LIMIT;
    }
    if (e == NULL) {
        e = &fr->e[fr->n++];
    }
    fwdspec_cleanup(&e->own);
    memset(e, 0, sizeof(*e));
    e->fr = fr;
    e->spec = &e->own;
    e->port = spec->listen_port;
    if ((r = fwdspec_copy(spec, &e->own)) != 0 ||
        (r = fwd_remote_ask(e, ic)) != 0) {
        fwdspec_cleanup(&e->own);
        memset(e, 0, sizeof(*e)); /* IDLE: free again */
        e->fr = fr;
        e->spec = &e->own;
        return r;
    }
    e->added = cb;
    e->added_ctx = ctx;
    return 0;
}

const struct fwdspec *
fwd_remote_spec(const struct fwd_remote *fr, size_t i)
{
    return fr->e[i].state == FWD_REMOTE_IDLE ? NULL : fr->e[i].spec;
}

/* The answer to a cancel is not waited for, as ssh does not: the forward
 * is gone from here on. */
int
fwd_remote_cancel(struct fwd_remote *fr, struct io_conn *ic, size_t i)
{
    struct fwd_remote_entry *e = &fr->e[i];
    int r;

    /* A -R 0 not answered yet has no port to cancel: that waits for the
     * answer (a cancel for port 0 would be the server's to refuse). */
    if (e->asked && e->spec->listen_path == NULL && e->port == 0) {
        e->state = FWD_REMOTE_IDLE;
        e->cancel_on_reply = true;
        return 0;
    }
    if ((r = fwd_remote_send(e, ic, true, NULL)) == 0) {
        e->state = FWD_REMOTE_IDLE;
        io_conn_flush(ic);
    }
    return r;
}

size_t
fwd_remote_count(const struct fwd_remote *fr)
{
    return fr->n;
}

void
fwd_remote_info(const struct fwd_remote *fr, size_t i, bool *is_up,
                uint16_t *port)
{
    *is_up = fr->e[i].state == FWD_REMOTE_OK;
    *port = fr->e[i].port;
}

/* The forward a forwarded-tcpip (host, port) or forwarded-streamlocal
 * (path) channel belongs to: ssh compares the listen address string the
 * request sent, exactly, and the (allocated) port. */
static struct fwd_remote_entry *
fwd_remote_find(struct fwd_remote *fr, const struct chan_open_info *info,
                bool streamlocal)
{
    size_t i;

    for (i = 0; i < fr->n; i++) {
        struct fwd_remote_entry *e = &fr->e[i];
        const struct fwdspec *s = e->spec;

        if (e->state == FWD_REMOTE_FAILED || e->state == FWD_REMOTE_IDLE) {
            continue;
        }
        if (streamlocal) {
            if (s->listen_path != NULL && info->path != NULL &&
                strcmp(s->listen_path, info->path) == 0) {
                return e;
            }
        } else if (s->listen_path == NULL && info->host != NULL &&
                   e->port != 0 && e->port == info->port &&
                   strcmp(fwdspec_remote_bind(s), info->host) == 0) {
            return e;
        }
    }
    return NULL;
}

static void
fwd_remote_connect(struct fwd_remote *fr, struct io_conn *ic, uint32_t id,
                   const struct fwd_remote_entry *e,
                   const struct chan_open_info *info)
{
    const struct fwdspec *s = e->spec;
    struct conn *c = io_conn_conn(ic);

    if (s->connect_path != NULL) {
        (void)io_chan_accept_connect_path(ic, id, s->connect_path);
    } else if (s->host != NULL) {
        (void)io_chan_accept_connect(ic, id, s->host, s->host_port,
                                     FWD_REMOTE_CONNECT_TIMEOUT_MS);
    } else if (fr->cbs.dynamic != NULL) {
        fr->cbs.dynamic(fr->cbs.ctx, ic, id, s, info);
    } else {
        conn_open_fail(c, id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                       "dynamic forwarding unavailable");
    }
}

bool
fwd_remote_open(struct fwd_remote *fr, struct io_conn *ic, uint32_t id,
                const struct chan_open_info *info)
{
    bool sl = strcmp(info->type, CONN_FORWARDED_STREAMLOCAL) == 0;
    struct fwd_remote_entry *e;

    if (!sl && strcmp(info->type, "forwarded-tcpip") != 0) {
        return false;
    }
    if (sl) {
        log_debug("client_request_forwarded_streamlocal: request: %s",
                  info->path);
    } else {
        log_debug("client_request_forwarded_tcpip: listen %s port %u, "
                  "originator %s port %u",
                  info->host, (unsigned)info->port, info->orig_host,
                  (unsigned)info->orig_port);
    }
    if ((e = fwd_remote_find(fr, info, sl)) == NULL) {
        if (sl) {
            fwd_remote_say(LOG_ERROR,
                           "WARNING: Server requests forwarding for unknown "
                           "path %.100s",
                           info->path);
        } else {
            fwd_remote_say(LOG_ERROR,
                           "WARNING: Server requests forwarding for unknown "
                           "listen_port %u",
                           (unsigned)info->port);
        }
        conn_open_fail(io_conn_conn(ic), id,
                       SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "open failed");
    } else {
        fwd_remote_connect(fr, ic, id, e, info);
    }
    io_conn_flush(ic);
    return true;
}
