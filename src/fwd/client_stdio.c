/* SPDX-License-Identifier: ISC */
/*
 * adit -W host:port / -W /path: stdin and stdout joined to a direct-tcpip
 * (or direct-streamlocal@openssh.com) channel, so adit can be another
 * ssh's ProxyCommand; and the ProxyCommand's % tokens.
 */
#include "fwd/client_int.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/hostport.h"
#include "io/io_pump.h"
#include "io/io_util.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

int
client_stdio_stream(uv_loop_t *loop, int fd, uv_stream_t **out)
{
    uv_handle_type type = uv_guess_handle(fd);
    void *h = NULL;
    int r = UV_EINVAL;

    *out = NULL;
    if (type == UV_TTY && (h = malloc(sizeof(uv_tty_t))) != NULL) {
        r = uv_tty_init(loop, h, fd, 0);
    } else if (type == UV_NAMED_PIPE &&
               (h = malloc(sizeof(uv_pipe_t))) != NULL) {
        if ((r = uv_pipe_init(loop, h, 0)) == 0 &&
            (r = uv_pipe_open(h, fd)) != 0) {
            io_close_free(h);
            return r;
        }
    } else if (type == UV_TCP && (h = malloc(sizeof(uv_tcp_t))) != NULL) {
        if ((r = uv_tcp_init(loop, h)) == 0 && (r = uv_tcp_open(h, fd)) != 0) {
            io_close_free(h);
            return r;
        }
    } else if (type == UV_FILE || type == UV_UNKNOWN_HANDLE) {
        log_error("stdio forwarding: descriptor %d is not a pipe, socket or "
                  "terminal",
                  fd);
        return UV_EINVAL;
    }
    if (r != 0) {
        free(h);
        return r;
    }
    *out = h;
    return 0;
}

int
client_stdio_any(struct client *c, int fd, uv_stream_t **out)
{
    uv_handle_type t = uv_guess_handle(fd);

    *out = NULL;
    if (t == UV_TTY || t == UV_NAMED_PIPE || t == UV_TCP) {
        return client_stdio_stream(c->loop, fd, out) == 0 ? 0 : ERR_IO;
    }
    /* A file or /dev/null, which epoll refuses: through a pump. */
    return io_pump_start(c->loop, fd, fd == STDIN_FILENO, out, &c->pumps[fd]);
}

void
client_fdflags_keep(struct client_fdflags *k, int fd)
{
    k->fd = -1;
    if ((k->flags = fcntl(fd, F_GETFL)) >= 0) {
        k->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    }
}

void
client_fdflags_restore(struct client_fdflags *k)
{
    if (k->fd >= 0) {
        (void)fcntl(k->fd, F_SETFL, k->flags);
        close(k->fd);
        k->fd = -1;
    }
}

void
client_say_stdio_failed(struct client *c, struct io_chan *ch, uint32_t reason,
                        const char *msg)
{
    if (!c->said) {
        log_plain("channel %u: open failed: %s: %s\r\n"
                  "stdio forwarding failed\r\n",
                  (unsigned)io_chan_id(ch), fwd_open_reason_str(reason),
                  msg != NULL ? msg : "");
    }
    c->said = true;
    c->exit_code = CLIENT_EXIT_FAIL;
}

static void
client_stdio_opened(void *ctx, struct io_chan *ch, uint32_t reason,
                    const char *msg)
{
    struct client *c = ctx;

    if (reason == 0) {
        c->stdio_open = true;
        return;
    }
    client_say_stdio_failed(c, ch, reason, msg);
}

/* The channel is over: so is adit, as ssh -W. */
static void
client_stdio_done(void *ctx)
{
    struct client *c = ctx;

    log_debug("stdio forwarding channel closed");
    /* Closed by both ends, not taken down with a lost connection. */
    if (c->stdio_open && c->ic != NULL && !io_conn_is_ending(c->ic)) {
        c->stdio_ok = true;
    } else {
        c->exit_code = CLIENT_EXIT_FAIL;
    }
    client_stop(c);
}

int
client_stdio_start(struct client *c, struct io_conn *ic)
{
    const char *spec = c->cfg->stdio_forward;
    struct chan_open_info info;
    uv_stream_t *in = NULL, *out = NULL;
    char *host = NULL;
    uint16_t port = 0;
    int r;

    memset(&info, 0, sizeof(info));
    info.orig_host = "127.0.0.1"; /* as ssh: stdio has no peer address */
    info.orig_port = 65535;
    if (spec[0] == '/') {
        info.type = CONN_DIRECT_STREAMLOCAL;
        info.path = spec;
    } else if (hostport_parse(spec, &host, &port) == 0 && port != 0) {
        info.type = "direct-tcpip";
        info.host = host;
        info.port = port;
    } else {
        free(host);
        log_plain("Bad stdio forwarding specification '%s'\r\n", spec);
        return ERR_CONFIG;
    }
    /* ssh -W takes any stdin and stdout: a file too (< file). */
    if ((r = client_stdio_any(c, STDIN_FILENO, &in)) != 0 ||
        (r = client_stdio_any(c, STDOUT_FILENO, &out)) != 0) {
        io_close_free((uv_handle_t *)in);
        free(host);
        log_error("stdio forwarding: cannot use stdin or stdout: %s",
                  err_str(r));
        return r;
    }
    log_debug("stdio forwarding to %s port %u",
              info.path != NULL ? info.path : info.host, (unsigned)port);
    r = io_chan_open_streams(ic, in, out, &info, client_stdio_opened,
                             client_stdio_done, c);
    free(host);
    return r;
}

/* ---- ProxyCommand tokens ---- */

static int
client_proxy_token(const struct client_hop *hop, const char *orig, char t,
                   struct buf *b)
{
    char port[8];

    switch (t) {
    case 'h':
        return buf_put(b, hop->host, strlen(hop->host));
    case 'n':
        return buf_put(b, orig, strlen(orig));
    case 'r':
        return buf_put(b, hop->user, strlen(hop->user));
    case 'p':
        snprintf(port, sizeof(port), "%u", (unsigned)hop->port);
        return buf_put(b, port, strlen(port));
    case '%':
        return buf_put(b, "%", 1);
    default:
        return ERR_FORMAT;
    }
}

char *
client_proxy_expand(const struct client_hop *hop, const char *orig,
                    const char *cmd)
{
    struct buf b;
    char *out = NULL;
    const char *p;
    int r = 0;

    buf_init(&b);
    for (p = cmd; *p != '\0' && r == 0; p++) {
        if (*p != '%') {
            r = buf_put(&b, p, 1);
        } else if ((r = client_proxy_token(hop, orig, p[1], &b)) ==
                   ERR_FORMAT) {
            log_plain("percent_expand: unknown key %%%c\r\n",
                      p[1] != '\0' ? p[1] : ' ');
        } else {
            p++;
        }
    }
    if (r == 0 && (r = buf_put(&b, "", 1)) == 0 &&
        (out = malloc(buf_len(&b))) != NULL) {
        memcpy(out, buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
    return out;
}
