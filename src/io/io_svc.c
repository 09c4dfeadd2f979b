/* SPDX-License-Identifier: ISC */
/* A bounded request/answer service on a Unix or TCP socket. */
#include "io/io_svc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "io/io_listen.h"
#include "io/io_peercred.h"
#include "io/io_util.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

#define IO_SVC_BACKLOG 16

union io_svc_handle {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_pipe_t pipe;
    uv_tcp_t tcp;
};

struct io_svc {
    uv_loop_t *loop;
    struct io_svc_config cfg;
    /* The listener: accepting pauses when descriptors run out, as the
     * main listener's (io_listen.h). NULL once it has closed. */
    struct io_listener *l;
    bool is_unix;
    bool listening; /* closed the listener: nothing more is accepted */
    bool closed;    /* io_svc_close was called: free when all is closed */
    bool bound;     /* we created path and remove it at the end */
    char path[LIM_UNIX_PATH + 1];
    struct io_svc_client *clients;
    size_t n_clients; /* in the list, closing or not */
};

struct io_svc_client {
    struct io_svc_client *prev, *next;
    struct io_svc *svc;
    union io_svc_handle h;
    uv_timer_t timer;
    uv_shutdown_t shut;
    uint8_t *in;
    size_t in_len;
    int fds[IO_SVC_MAX_FDS]; /* passed and not taken yet */
    size_t n_fds;
    void (*gone)(void *ctx); /* held: the holder hears of the end */
    void *gone_ctx;
    bool held;
    unsigned open_handles;
    bool ending;  /* shutting down after the last answer */
    bool closing; /* handles are being closed */
};

static void
io_svc_maybe_free(struct io_svc *svc)
{
    if (svc->closed && !svc->listening && svc->n_clients == 0 &&
        svc->l == NULL) {
        if (svc->cfg.ctx_free != NULL) {
            svc->cfg.ctx_free(svc->cfg.ctx);
        }
        free(svc);
    }
}

static void
io_svc_listener_closed(uv_handle_t *h)
{
    struct io_svc *svc = h->data;

    free(h); /* the io_listener, whose first member h is */
    svc->l = NULL;
    svc->listening = false;
    io_svc_maybe_free(svc);
}

/* Close the listener unless it is closing already. */
static void
io_svc_listener_close(struct io_svc *svc)
{
    if (svc->l != NULL && !uv_is_closing(&svc->l->h.handle)) {
        io_listener_close(svc->l, io_svc_listener_closed);
    }
}

static void
io_svc_client_closed(uv_handle_t *h)
{
    struct io_svc_client *cl = h->data;
    struct io_svc *svc = cl->svc;

    if (--cl->open_handles > 0) {
        return;
    }
    if (cl->prev != NULL) {
        cl->prev->next = cl->next;
    } else {
        svc->clients = cl->next;
    }
    if (cl->next != NULL) {
        cl->next->prev = cl->prev;
    }
    svc->n_clients--;
    while (cl->n_fds > 0) {
        close(cl->fds[--cl->n_fds]);
    }
    free(cl->in);
    free(cl);
    io_svc_maybe_free(svc);
}

/* A held client's holder hears of its end once. */
static void
io_svc_client_gone(struct io_svc_client *cl)
{
    void (*gone)(void *ctx) = cl->gone;

    cl->gone = NULL;
    if (gone != NULL) {
        gone(cl->gone_ctx);
    }
}

static void
io_svc_client_close(struct io_svc_client *cl)
{
    if (cl->closing) {
        return;
    }
    cl->closing = true;
    io_svc_client_gone(cl);
    uv_read_stop(&cl->h.stream);
    uv_close(&cl->h.handle, io_svc_client_closed);
    uv_close((uv_handle_t *)&cl->timer, io_svc_client_closed);
}

static void
io_svc_shut_done(uv_shutdown_t *req, int status)
{
    io_svc_client_close(req->data);
}

/* Close once every answer is written. */
static void
io_svc_client_end(struct io_svc_client *cl)
{
    if (cl->ending || cl->closing) {
        return;
    }
    cl->ending = true;
    uv_read_stop(&cl->h.stream);
    cl->shut.data = cl;
    if (uv_shutdown(&cl->shut, &cl->h.stream, io_svc_shut_done) != 0) {
        io_svc_client_close(cl);
    }
}

static void
io_svc_timeout(uv_timer_t *t)
{
    struct io_svc_client *cl = t->data;

    log_debug("%s: closing a client after %llu ms", cl->svc->cfg.what,
              (unsigned long long)cl->svc->cfg.timeout_ms);
    io_svc_client_close(cl);
}

int
io_svc_reply(struct io_svc_client *cl, struct buf *out)
{
    size_t queued = uv_stream_get_write_queue_size(&cl->h.stream);
    int r;

    if (cl->closing || cl->ending) {
        buf_reset(out);
        return ERR_IO;
    }
    /* A client that asks and never reads must not grow our memory. */
    if (queued > LIM_CTL_RESPONSE) {
        log_info("%s: client does not read its answers; closed",
                 cl->svc->cfg.what);
        io_svc_client_close(cl);
        buf_reset(out);
        return ERR_LIMIT;
    }
    r = io_write_copy(&cl->h.stream, buf_ptr(out), buf_len(out));
    buf_reset(out);
    return r != 0 ? r : 0;
}

/* Hand what was read to the service until it waits for more. */
static void
io_svc_feed(struct io_svc_client *cl, bool eof)
{
    const struct io_svc_config *c = &cl->svc->cfg;
    long used;

    while (!cl->closing && !cl->ending) {
        used = c->input(c->ctx, cl, cl->in, cl->in_len, eof);
        if (used == IO_SVC_CLOSE || (used == 0 && eof)) {
            io_svc_client_end(cl);
            return;
        }
        if (used <= 0 || (size_t)used > cl->in_len) {
            break;
        }
        memmove(cl->in, cl->in + used, cl->in_len - (size_t)used);
        cl->in_len -= (size_t)used;
        if (!c->deadline && !cl->held) {
            uv_timer_start(&cl->timer, io_svc_timeout, c->timeout_ms, 0);
        }
        if (cl->in_len == 0 && !eof) {
            return;
        }
    }
    if (!cl->closing && !cl->ending && cl->in_len >= c->max_in) {
        log_info("%s: request longer than %zu bytes; closed", c->what,
                 c->max_in);
        io_svc_client_close(cl);
    }
}

static void
io_svc_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    struct io_svc_client *cl = h->data;
    size_t room = cl->svc->cfg.max_in - cl->in_len;

    *b = uv_buf_init((char *)cl->in + cl->in_len, (unsigned)room);
}

/*
 * A descriptor the client passed: libuv queues it on the IPC pipe; it is
 * taken out through a pipe handle of our own, from which a duplicate is
 * kept (the handle closes the original).
 */
static void
io_svc_take_pending(struct io_svc_client *cl)
{
    uv_pipe_t *tmp;
    uv_os_fd_t fd;
    int dup_fd;

    while (uv_pipe_pending_count(&cl->h.pipe) > 0) {
        if ((tmp = malloc(sizeof(*tmp))) == NULL) {
            return;
        }
        uv_pipe_init(cl->svc->loop, tmp, 0);
        dup_fd = -1;
        if (uv_accept(&cl->h.stream, (uv_stream_t *)tmp) == 0 &&
            uv_fileno((uv_handle_t *)tmp, &fd) == 0) {
            dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
        }
        io_close_free((uv_handle_t *)tmp);
        if (dup_fd < 0) {
            continue;
        }
        if (cl->n_fds < IO_SVC_MAX_FDS && cl->n_fds < cl->svc->cfg.max_fds) {
            cl->fds[cl->n_fds++] = dup_fd;
        } else {
            log_info("%s: too many descriptors passed; one closed",
                     cl->svc->cfg.what);
            close(dup_fd);
        }
    }
}

static void
io_svc_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
    struct io_svc_client *cl = st->data;

    if (cl->svc->is_unix && cl->svc->cfg.max_fds > 0) {
        io_svc_take_pending(cl);
    }
    if (nread == UV_EOF) {
        uv_read_stop(st);
        io_svc_feed(cl, true);
        return;
    }
    if (nread < 0) {
        io_svc_client_close(cl);
        return;
    }
    cl->in_len += (size_t)nread;
    io_svc_feed(cl, false);
}

/* Only our own uid (or root) may use a control socket: the mode 0600
 * says the same, this holds even where a directory or umask is lax. */
static bool
io_svc_peer_ok(struct io_svc_client *cl)
{
    uv_os_fd_t fd;
    uid_t uid;

    if (!cl->svc->is_unix || !cl->svc->cfg.same_uid) {
        return true;
    }
    if (uv_fileno(&cl->h.handle, &fd) != 0 || io_peer_uid(fd, &uid) != 0) {
        return false;
    }
    if (uid != geteuid() && uid != 0) {
        log_info("%s: connection from uid %lu refused", cl->svc->cfg.what,
                 (unsigned long)uid);
        return false;
    }
    return true;
}

static int
io_svc_client_new(struct io_svc *svc, struct io_svc_client **out)
{
    struct io_svc_client *cl;

    *out = NULL;
    if ((cl = calloc(1, sizeof(*cl))) == NULL ||
        (cl->in = malloc(svc->cfg.max_in)) == NULL) {
        free(cl);
        return ERR_NOMEM;
    }
    cl->svc = svc;
    if (svc->is_unix) {
        /* An IPC pipe receives descriptors (SCM_RIGHTS). */
        uv_pipe_init(svc->loop, &cl->h.pipe, svc->cfg.max_fds > 0);
    } else {
        uv_tcp_init(svc->loop, &cl->h.tcp);
    }
    uv_timer_init(svc->loop, &cl->timer);
    cl->h.handle.data = cl;
    cl->timer.data = cl;
    cl->open_handles = 2;
    cl->next = svc->clients;
    if (svc->clients != NULL) {
        svc->clients->prev = cl;
    }
    svc->clients = cl;
    svc->n_clients++;
    *out = cl;
    return 0;
}

static void
io_svc_accept(struct io_listener *l, int fd)
{
    struct io_svc *svc = l->data;
    struct io_svc_client *cl;
    int r;

    if (io_svc_client_new(svc, &cl) != 0) {
        close(fd);
        return;
    }
    r = svc->is_unix ? uv_pipe_open(&cl->h.pipe, fd)
                     : uv_tcp_open(&cl->h.tcp, fd);
    if (r != 0) {
        close(fd);
        io_svc_client_close(cl);
        return;
    }
    if (svc->n_clients > svc->cfg.max_clients) {
        log_info("%s: more than %zu clients; one closed", svc->cfg.what,
                 svc->cfg.max_clients);
        io_svc_client_close(cl);
        return;
    }
    if (!io_svc_peer_ok(cl) ||
        uv_read_start(&cl->h.stream, io_svc_alloc, io_svc_read) != 0) {
        io_svc_client_close(cl);
        return;
    }
    uv_timer_start(&cl->timer, io_svc_timeout, svc->cfg.timeout_ms, 0);
}

static int
io_svc_alloc_svc(struct io_svc **out, uv_loop_t *loop, bool is_unix,
                 const struct io_svc_config *cfg)
{
    struct io_svc *svc;

    *out = NULL;
    if ((svc = calloc(1, sizeof(*svc))) == NULL) {
        return ERR_NOMEM;
    }
    if ((svc->l = io_listener_new(loop, is_unix)) == NULL) {
        free(svc);
        return ERR_NOMEM;
    }
    svc->l->data = svc;
    svc->l->h.handle.data = svc;
    svc->is_unix = is_unix;
    svc->loop = loop;
    svc->cfg = *cfg;
    svc->listening = true;
    *out = svc;
    return 0;
}

/* A socket file left by a process that is gone is replaced; one that
 * answers, or a file that is not a socket, is left alone. */
static int
io_svc_unix_stale(const char *path)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd, r;

    if (lstat(path, &st) != 0) {
        return errno == ENOENT ? 0 : ERR_IO;
    }
    if (!S_ISSOCK(st.st_mode)) {
        return ERR_EXISTS;
    }
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        return ERR_IO;
    }
    r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    close(fd);
    if (r == 0) {
        return ERR_EXISTS;
    }
    return unlink(path) == 0 || errno == ENOENT ? 0 : ERR_IO;
}

/* Nothing was made: the context is still freed, as promised. */
static int
io_svc_early_fail(const struct io_svc_config *cfg, int r)
{
    if (cfg->ctx_free != NULL) {
        cfg->ctx_free(cfg->ctx);
    }
    return r;
}

/* Listener set up failed: close it; the close frees svc. */
static int
io_svc_fail(struct io_svc *svc, int r)
{
    svc->listening = false;
    svc->closed = true;
    io_svc_listener_close(svc);
    return r;
}

int
io_svc_listen_unix(struct io_svc **out, uv_loop_t *loop, const char *path,
                   const struct io_svc_config *cfg)
{
    struct io_svc *svc;
    mode_t old;
    int r;

    *out = NULL;
    r = strlen(path) > LIM_UNIX_PATH ? ERR_LIMIT : io_svc_unix_stale(path);
    if (r != 0 || (r = io_svc_alloc_svc(&svc, loop, true, cfg)) != 0) {
        return io_svc_early_fail(cfg, r);
    }
    memcpy(svc->path, path, strlen(path) + 1);
    old = umask(0177);
    r = uv_pipe_bind(&svc->l->h.pipe, path);
    umask(old);
    if (r != 0) {
        return io_svc_fail(svc, io_err_from_uv(r));
    }
    svc->bound = true;
    if ((r = io_listen_start_fd(svc->l, IO_SVC_BACKLOG, io_svc_accept)) != 0) {
        unlink(path);
        return io_svc_fail(svc, io_err_from_uv(r));
    }
    *out = svc;
    return 0;
}

int
io_svc_listen_tcp(struct io_svc **out, uv_loop_t *loop,
                  const struct sockaddr *sa, const struct io_svc_config *cfg,
                  uint16_t *port_out)
{
    struct io_svc *svc;
    char addr[64];
    int r;

    *out = NULL;
    if ((r = io_svc_alloc_svc(&svc, loop, false, cfg)) != 0) {
        return io_svc_early_fail(cfg, r);
    }
    if ((r = uv_tcp_bind(&svc->l->h.tcp, sa, 0)) != 0 ||
        (r = io_listen_start_fd(svc->l, IO_SVC_BACKLOG, io_svc_accept)) != 0) {
        return io_svc_fail(svc, io_err_from_uv(r));
    }
    if (port_out != NULL) {
        (void)io_sock_str(&svc->l->h.tcp, addr, sizeof(addr), port_out);
    }
    *out = svc;
    return 0;
}

size_t
io_svc_take_fds(struct io_svc_client *cl, int *fds, size_t max)
{
    size_t n = cl->n_fds < max ? cl->n_fds : max, i;

    for (i = 0; i < n; i++) {
        fds[i] = cl->fds[i];
    }
    memmove(cl->fds, cl->fds + n, (cl->n_fds - n) * sizeof(cl->fds[0]));
    cl->n_fds -= n;
    return n;
}

void
io_svc_hold(struct io_svc_client *cl, void (*gone)(void *ctx), void *ctx)
{
    cl->held = true;
    cl->gone = gone;
    cl->gone_ctx = ctx;
    uv_timer_stop(&cl->timer);
}

bool
io_svc_is_held(const struct io_svc_client *cl)
{
    return cl->held;
}

void
io_svc_unhold(struct io_svc_client *cl)
{
    cl->held = false;
    cl->gone = NULL;
    cl->gone_ctx = NULL;
    if (!cl->closing && !cl->ending && !cl->svc->cfg.deadline) {
        uv_timer_start(&cl->timer, io_svc_timeout, cl->svc->cfg.timeout_ms, 0);
    }
}

void
io_svc_release(struct io_svc_client *cl)
{
    cl->gone = NULL;
    io_svc_client_end(cl);
}

void
io_svc_stop_listening(struct io_svc *svc)
{
    if (svc == NULL || svc->l == NULL || uv_is_closing(&svc->l->h.handle)) {
        return;
    }
    if (svc->bound) {
        (void)unlink(svc->path);
        svc->bound = false;
    }
    io_svc_listener_close(svc);
}

void
io_svc_close(struct io_svc *svc)
{
    struct io_svc_client *cl, *next;

    if (svc == NULL || svc->closed) {
        return;
    }
    svc->closed = true;
    if (svc->bound) {
        (void)unlink(svc->path);
    }
    /* A held client's holder may act on its end: take the next first. */
    for (cl = svc->clients; cl != NULL; cl = next) {
        next = cl->next;
        io_svc_client_close(cl);
    }
    if (svc->l != NULL && !uv_is_closing(&svc->l->h.handle)) {
        io_svc_listener_close(svc);
    } else {
        io_svc_maybe_free(svc);
    }
}
