/* SPDX-License-Identifier: ISC */
/* Multiplexing requests of the control protocol: decoded into a struct. */
#include "ctl/ctl_mux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/hostport.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

static const struct {
    const char *word;
    enum ctl_mux_cmd cmd;
    size_t words; /* after the command */
} ctl_mux_cmds[] = {
    {"check", CTL_MUX_CHECK, 0},     {"exit", CTL_MUX_EXIT, 0},
    {"stop", CTL_MUX_STOP, 0},       {"forward", CTL_MUX_FORWARD, 2},
    {"cancel", CTL_MUX_CANCEL, 2},   {"stdio", CTL_MUX_STDIO, 1},
    {"session", CTL_MUX_SESSION, 1}, /* or more: ctl_mux_session */
};

#define CTL_MUX_N_CMDS (sizeof(ctl_mux_cmds) / sizeof(ctl_mux_cmds[0]))

static const char *const ctl_mux_kinds[] = {"L", "R", "D"};

const char *
ctl_mux_kind_word(enum fwdspec_kind kind)
{
    return ctl_mux_kinds[kind];
}

static int
ctl_mux_find(const char *word)
{
    size_t i;

    for (i = 0; i < CTL_MUX_N_CMDS; i++) {
        if (strcmp(word, ctl_mux_cmds[i].word) == 0) {
            return (int)i;
        }
    }
    return -1;
}

bool
ctl_mux_is_mux(const struct ctl_request *req)
{
    return req->argc > 0 && ctl_mux_find(req->argv[0]) >= 0;
}

void
ctl_mux_cleanup(struct ctl_mux *m)
{
    fwdspec_cleanup(&m->fwd);
    free(m->host);
    free(m->path);
    m->host = m->path = NULL;
}

/* forward|cancel L|R|D SPEC */
static int
ctl_mux_fwd(const struct ctl_request *req, struct ctl_mux *out, char *why,
            size_t why_len)
{
    size_t k;

    for (k = 0; k < 3; k++) {
        if (strcmp(req->argv[1], ctl_mux_kinds[k]) == 0) {
            break;
        }
    }
    if (k == 3) {
        snprintf(why, why_len, "%s: unknown forward kind", req->argv[0]);
        return ERR_FORMAT;
    }
    out->kind = (enum fwdspec_kind)k;
    if (fwdspec_parse_kind(req->argv[2], out->kind, &out->fwd) != 0) {
        snprintf(why, why_len, "%s: bad forwarding specification",
                 req->argv[0]);
        return ERR_FORMAT;
    }
    /* A bind name is resolved at start-up only (the loop never blocks on
     * a lookup): one given later must be an address. */
    if (out->kind != FWDSPEC_REMOTE && fwdspec_bind_is_name(&out->fwd)) {
        snprintf(why, why_len, "%s: bind address must be an address",
                 req->argv[0]);
        return ERR_FORMAT;
    }
    return 0;
}

/* stdio host:port | stdio /path */
static int
ctl_mux_stdio(const struct ctl_request *req, struct ctl_mux *out, char *why,
              size_t why_len)
{
    const char *t = req->argv[1];

    if (t[0] == '/') {
        if (strlen(t) > LIM_UNIX_PATH) {
            snprintf(why, why_len, "stdio: path too long");
            return ERR_FORMAT;
        }
        return (out->path = str_ndup(t, strlen(t))) == NULL ? ERR_NOMEM : 0;
    }
    if (hostport_parse(t, &out->host, &out->port) != 0 || out->port == 0 ||
        out->host == NULL || out->host[0] == '\0' ||
        strlen(out->host) > LIM_HOSTNAME) {
        snprintf(why, why_len, "stdio: bad target");
        return ERR_FORMAT;
    }
    return 0;
}

/* tty=1|2, term=T, escape=N: the pty words of a session. */
static bool
ctl_mux_tty_word(const char *w, struct ctl_mux *out)
{
    char *end = NULL;
    long v;

    if (strcmp(w, "tty=1") == 0 || strcmp(w, "tty=2") == 0) {
        out->tty = (unsigned)(w[4] - '0');
        return true;
    }
    if (strncmp(w, "term=", 5) == 0 && out->term == NULL &&
        strlen(w + 5) <= LIM_HOSTNAME) {
        out->term = w + 5;
        return true;
    }
    if (strncmp(w, "escape=", 7) == 0 && w[7] >= '0' && w[7] <= '9') {
        v = strtol(w + 7, &end, 10);
        if (*end == '\0' && v >= 0 && v <= 255) {
            out->escape = (int)v;
            return true;
        }
    }
    return false;
}

/* session exec|shell|subsystem [cmd=C] [env=N=V]... [tty=.] [term=T]
 * [escape=N] */
static int
ctl_mux_session(const struct ctl_request *req, struct ctl_mux *out, char *why,
                size_t why_len)
{
    static const char *const kinds[] = {"shell", "exec", "subsystem"};
    size_t i;

    for (i = 0; i < 3; i++) {
        if (req->argc > 1 && strcmp(req->argv[1], kinds[i]) == 0) {
            break;
        }
    }
    if (i == 3) {
        snprintf(why, why_len, "session: unknown kind");
        return ERR_FORMAT;
    }
    out->sess = (enum ctl_mux_sess)i;
    out->escape = -1;
    for (i = 2; i < req->argc; i++) {
        const char *w = req->argv[i];

        if (strncmp(w, "cmd=", 4) == 0 && out->command == NULL) {
            out->command = w + 4;
        } else if (strncmp(w, "env=", 4) == 0 && strchr(w + 4, '=') != NULL &&
                   w[4] != '=' && out->n_env < LIM_CTL_ARGS) {
            out->env[out->n_env++] = w + 4;
        } else if (!ctl_mux_tty_word(w, out)) {
            snprintf(why, why_len, "session: bad word");
            return ERR_FORMAT;
        }
    }
    if ((out->command != NULL) != (out->sess != CTL_MUX_SESS_SHELL)) {
        snprintf(why, why_len,
                 "session: a command for exec and subsystem "
                 "only");
        return ERR_FORMAT;
    }
    return 0;
}

int
ctl_mux_decode(const struct ctl_request *req, struct ctl_mux *out, char *why,
               size_t why_len)
{
    int i = req->argc > 0 ? ctl_mux_find(req->argv[0]) : -1;

    memset(out, 0, sizeof(*out));
    if (i < 0) {
        snprintf(why, why_len, "not a multiplexing request");
        return ERR_FORMAT;
    }
    out->cmd = ctl_mux_cmds[i].cmd;
    if (out->cmd == CTL_MUX_SESSION) {
        return ctl_mux_session(req, out, why, why_len);
    }
    if (req->argc != ctl_mux_cmds[i].words + 1) {
        snprintf(why, why_len, "%s: wrong number of arguments", req->argv[0]);
        return ERR_FORMAT;
    }
    switch (out->cmd) {
    case CTL_MUX_FORWARD:
    case CTL_MUX_CANCEL:
        return ctl_mux_fwd(req, out, why, why_len);
    case CTL_MUX_STDIO:
        return ctl_mux_stdio(req, out, why, why_len);
    default:
        return 0;
    }
}

/* host, bracketed when it holds a ':' (an IPv6 address). */
static int
ctl_mux_host(char *out, size_t len, const char *h, const char *sep)
{
    int n = strchr(h, ':') != NULL ? snprintf(out, len, "[%s]%s", h, sep)
                                   : snprintf(out, len, "%s%s", h, sep);

    return n < 0 || (size_t)n >= len ? ERR_LIMIT : n;
}

static int
ctl_mux_listen(const struct fwdspec *f, char *out, size_t len)
{
    int n;

    if (f->listen_path != NULL) {
        n = snprintf(out, len, "%s", f->listen_path);
        return n < 0 || (size_t)n >= len ? ERR_LIMIT : n;
    }
    switch (f->bind_kind) {
    case FWDSPEC_BIND_LOOPBACK:
        n = snprintf(out, len, "localhost:%u", (unsigned)f->listen_port);
        break;
    case FWDSPEC_BIND_ANY:
        n = snprintf(out, len, "*:%u", (unsigned)f->listen_port);
        break;
    case FWDSPEC_BIND_ADDR:
        if ((n = ctl_mux_host(out, len, f->bind, ":")) < 0) {
            return n;
        }
        n += snprintf(out + n, len - (size_t)n, "%u", (unsigned)f->listen_port);
        break;
    default:
        n = snprintf(out, len, "%u", (unsigned)f->listen_port);
        break;
    }
    return n < 0 || (size_t)n >= len ? ERR_LIMIT : n;
}

int
ctl_mux_fwd_format(const struct fwdspec *f, enum fwdspec_kind kind, char *out,
                   size_t len)
{
    int n, m;

    (void)kind;
    if (len == 0 || (n = ctl_mux_listen(f, out, len)) < 0) {
        return ERR_LIMIT;
    }
    if (f->connect_path != NULL) {
        m = snprintf(out + n, len - (size_t)n, ":%s", f->connect_path);
    } else if (f->host != NULL) {
        if ((size_t)n + 1 >= len) {
            return ERR_LIMIT;
        }
        out[n++] = ':';
        if ((m = ctl_mux_host(out + n, len - (size_t)n, f->host, ":")) < 0) {
            return ERR_LIMIT;
        }
        n += m;
        m = snprintf(out + n, len - (size_t)n, "%u", (unsigned)f->host_port);
    } else {
        m = 0;
    }
    return m < 0 || (size_t)m >= len - (size_t)n ? ERR_LIMIT : 0;
}
