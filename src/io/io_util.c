/* SPDX-License-Identifier: ISC */
/* Small libuv helpers shared by io/, fwd/ and app/. */
#include "io/io_util.h"

#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

uint64_t
io_now_ms(uv_loop_t *loop)
{
    return uv_now(loop);
}

static void
io_free_cb(uv_handle_t *h)
{
    free(h);
}

/* The soft limit the process started with, for its children (written
 * once, by io_raise_nofile at start, before the loop runs: the limit is
 * process-wide state, so is what it was). 0: never raised. */
static rlim_t io_nofile_start;

unsigned long
io_raise_nofile(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return 0;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rlim_t old = rl.rlim_cur;
        /* An unlimited hard limit still stops at the kernel's nr_open
         * (1 << 20 by default). */
        rl.rlim_cur =
            rl.rlim_max == RLIM_INFINITY ? (rlim_t)1 << 20 : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            rl.rlim_cur = old;
        } else if (io_nofile_start == 0) {
            io_nofile_start = old;
        }
    }
    return (unsigned long)rl.rlim_cur;
}

bool
io_nofile_lower(struct rlimit *was)
{
    struct rlimit rl;

    if (io_nofile_start == 0 || getrlimit(RLIMIT_NOFILE, was) != 0 ||
        was->rlim_cur == io_nofile_start) {
        return false;
    }
    rl = *was;
    rl.rlim_cur = io_nofile_start;
    return setrlimit(RLIMIT_NOFILE, &rl) == 0;
}

void
io_nofile_child(void)
{
    struct rlimit was;

    (void)io_nofile_lower(&was);
}

void
io_nofile_restore(const struct rlimit *was)
{
    (void)setrlimit(RLIMIT_NOFILE, was);
}

int
io_spawn(uv_loop_t *loop, uv_process_t *proc, const uv_process_options_t *o)
{
    struct rlimit was;
    bool lowered = io_nofile_lower(&was);
    int r = uv_spawn(loop, proc, o);

    if (lowered) {
        io_nofile_restore(&was);
        /* Every descriptor under the old limit taken: uv_spawn's own
         * pipe could not be made. Better a child with the raised limit
         * than none. */
        if (r == UV_EMFILE) {
            r = uv_spawn(loop, proc, o);
        }
    }
    return r;
}

void
io_close_free(uv_handle_t *h)
{
    if (h != NULL && !uv_is_closing(h)) {
        uv_close(h, io_free_cb);
    }
}

/* A write of a private copy: the request and the bytes in one block. */
struct io_copy_write {
    uv_write_t req;
    size_t n;
    bool wipe; /* a secret: wiped once written */
    uint8_t data[];
};

static void
io_copy_written(uv_write_t *req, int status)
{
    struct io_copy_write *w = req->data;

    (void)status;
    if (w->wipe) {
        mem_wipe(w->data, w->n);
    }
    free(w);
}

static int
io_write_copy_kind(uv_stream_t *st, const void *p, size_t n, bool wipe)
{
    struct io_copy_write *w;
    uv_buf_t b;
    int r;

    if (n == 0) {
        return 0;
    }
    if ((w = malloc(sizeof(*w) + n)) == NULL) {
        return ERR_NOMEM;
    }
    memcpy(w->data, p, n);
    w->n = n;
    w->wipe = wipe;
    w->req.data = w;
    b = uv_buf_init((char *)w->data, (unsigned)n);
    if ((r = uv_write(&w->req, st, &b, 1, io_copy_written)) != 0) {
        io_copy_written(&w->req, r);
        return io_err_from_uv(r);
    }
    return 0;
}

int
io_write_copy(uv_stream_t *st, const void *p, size_t n)
{
    return io_write_copy_kind(st, p, n, false);
}

int
io_write_copy_wiped(uv_stream_t *st, const void *p, size_t n)
{
    return io_write_copy_kind(st, p, n, true);
}

int
io_err_from_uv(int status)
{
    switch (status) {
    case 0:
        return 0;
    case UV_ENOMEM:
        return ERR_NOMEM;
    case UV_ETIMEDOUT:
        return ERR_TIMEOUT;
    case UV_ECONNREFUSED:
        return ERR_REFUSED;
    case UV_EADDRINUSE:
        return ERR_EXISTS;
    case UV_ENOENT:
        return ERR_NOTFOUND;
    default:
        if (status <= UV_EAI_ADDRFAMILY && status >= UV_EAI_SOCKTYPE) {
            return ERR_RESOLVE;
        }
        return ERR_IO;
    }
}

const char *
io_strerror(int uv_status)
{
    switch (uv_status) {
    case UV_EAI_NONAME:
        return "Name or service not known";
    case UV_EAI_AGAIN:
        return "Temporary failure in name resolution";
    case UV_EAI_NODATA:
        return "No address associated with hostname";
    case UV_ETIMEDOUT:
        return "Connection timed out";
    default:
        break;
    }
    if (uv_status < 0 && uv_status > -4096) {
        return strerror(-uv_status);
    }
    return uv_strerror(uv_status);
}

void
io_addr_str(const struct sockaddr *sa, char *out, size_t out_len,
            uint16_t *port)
{
    *port = 0;
    if (out_len > 0) {
        out[0] = '\0';
    }
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        uv_ip4_name(in, out, out_len);
        *port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        uv_ip6_name(in6, out, out_len);
        *port = ntohs(in6->sin6_port);
    }
}

int
io_peer_str(const uv_tcp_t *t, char *out, size_t out_len, uint16_t *port)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    *port = 0;
    if (uv_tcp_getpeername(t, (struct sockaddr *)&ss, &len) != 0) {
        snprintf(out, out_len, "UNKNOWN");
        return ERR_IO;
    }
    io_addr_str((struct sockaddr *)&ss, out, out_len, port);
    return 0;
}

int
io_sock_str(const uv_tcp_t *t, char *out, size_t out_len, uint16_t *port)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);

    *port = 0;
    if (uv_tcp_getsockname(t, (struct sockaddr *)&ss, &len) != 0) {
        return ERR_IO;
    }
    io_addr_str((struct sockaddr *)&ss, out, out_len, port);
    return 0;
}

/* One int socket option on t. 0 or ERR_IO. */
static int
io_tcp_setopt(uv_tcp_t *t, int level, int name, int v)
{
    uv_os_fd_t fd;

    if (uv_fileno((const uv_handle_t *)t, &fd) != 0 ||
        setsockopt(fd, level, name, &v, sizeof(v)) != 0) {
        return ERR_IO;
    }
    return 0;
}

int
io_tcp_keepalive(uv_tcp_t *t, bool on)
{
    return io_tcp_setopt(t, SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0);
}

int
io_tcp_user_timeout(uv_tcp_t *t, unsigned ms)
{
#ifdef TCP_USER_TIMEOUT
    return io_tcp_setopt(t, IPPROTO_TCP, TCP_USER_TIMEOUT,
                         ms > INT_MAX ? INT_MAX : (int)ms);
#else
    /* Not Linux: the keepalive probes alone find a dead server. */
    (void)t;
    (void)ms;
    return ERR_INVAL;
#endif
}

int
io_tcp_quickack(uv_tcp_t *t)
{
#ifdef TCP_QUICKACK
    return io_tcp_setopt(t, IPPROTO_TCP, TCP_QUICKACK, 1);
#else
    (void)t;
    return ERR_INVAL;
#endif
}
