/* SPDX-License-Identifier: ISC */
/* A session channel joined to local streams (client_sess.h). */
#include "fwd/client_sess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/client_config.h"
#include "conn/ttymodes.h"
#include "fwd/fwd_local.h"
#include "io/io_chan.h"
#include "io/io_util.h"
#include "util/adit_limits.h"
#include "util/addrmatch.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/buf.h"

extern char **environ;

struct client_sess {
    struct io_conn *ic;
    struct io_chan *ch; /* NULL once gone */
    struct sesschan *sc;
    enum sesschan_kind kind;
    char *command;
    bool want_tty, tty_required;
    char *term;
    uint32_t cols, rows, xpixel, ypixel;
    struct buf modes;
    char **env;
    size_t n_env;
    void (*before_start)(void *ctx, struct client_sess *s, struct sesschan *sc);
    void (*done)(void *ctx, struct client_sess *s, int status);
    void (*input)(void *ctx, struct client_sess *s, const uint8_t *p, size_t n,
                  struct buf *out);
    void *ctx;
    bool failed; /* a request the session needs was refused */
};

static void
client_sess_free(struct client_sess *s)
{
    sesschan_free(s->sc);
    free(s->command);
    free(s->term);
    buf_cleanup(&s->modes);
    client_sess_env_free(s->env, s->n_env);
    free(s);
}

/* ssh's words for the answer to one of its requests (clientloop.c
 * client_status_confirm): a refused pty is an error, fatal only when one
 * was required; a refused exec, shell or subsystem ends the session. */
static void
client_sess_reply(void *ctx, const char *type, bool ok)
{
    struct client_sess *s = ctx;
    bool is_pty = strcmp(type, "pty-req") == 0;
    unsigned id = s->ch != NULL ? (unsigned)io_chan_id(s->ch) : 0;

    if (ok) {
        return;
    }
    if (strcmp(type, "x11-req") == 0) { /* a warning only (CONFIRM_WARN) */
        if (log_get_level() > LOG_QUIET) {
            log_plain("X11 forwarding request failed on channel %u\r\n", id);
        }
        return;
    }
    if (!is_pty && strcmp(type, "exec") != 0 && strcmp(type, "shell") != 0 &&
        strcmp(type, "subsystem") != 0) {
        log_error("%s request failed on channel %u", type, id);
        return;
    }
    log_plain("%s request failed on channel %u\r\n",
              is_pty ? "PTY allocation" : type, id);
    if (is_pty && !s->tty_required) {
        return;
    }
    s->failed = true;
    if (s->ch != NULL) {
        io_chan_end(s->ch);
    }
}

static bool
client_sess_request(void *ctx, struct io_chan *ch, const char *type,
                    bool want_reply, const uint8_t *p, size_t n)
{
    struct client_sess *s = ctx;

    (void)ch;
    log_debug("client_input_channel_req: channel %u rtype %s reply %d",
              (unsigned)io_chan_id(ch), type, want_reply);
    return s->sc != NULL && sesschan_on_request(s->sc, type, want_reply, p, n);
}

static void
client_sess_on_reply(void *ctx, struct io_chan *ch, bool ok)
{
    struct client_sess *s = ctx;

    (void)ch;
    if (s->sc == NULL || sesschan_on_reply(s->sc, ok) != 0) {
        log_debug("channel %u: unexpected reply", (unsigned)io_chan_id(ch));
    }
}

static void
client_sess_eow(void *ctx)
{
    struct client_sess *s = ctx;

    if (s->ch != NULL) {
        io_chan_end_input(s->ch);
    }
}

static void
client_sess_input(void *ctx, struct io_chan *ch, const uint8_t *p, size_t n,
                  struct buf *out)
{
    struct client_sess *s = ctx;

    (void)ch;
    s->input(s->ctx, s, p, n, out);
}

/* The channel is open: our requests, in ssh's order. */
static int
client_sess_start(struct client_sess *s)
{
    struct sesschan_cbs cbs;
    struct sesschan_start st;
    struct sesschan_pty pty;
    struct conn *c = io_conn_conn(s->ic);
    int r;

    memset(&cbs, 0, sizeof(cbs));
    cbs.ctx = s;
    cbs.reply = client_sess_reply;
    cbs.eow = client_sess_eow;
    if (c == NULL ||
        (r = sesschan_new(&s->sc, c, io_chan_id(s->ch), &cbs)) != 0) {
        return c == NULL ? ERR_CHANNEL : r;
    }
    if (s->before_start != NULL) {
        s->before_start(s->ctx, s, s->sc);
    }
    memset(&st, 0, sizeof(st));
    memset(&pty, 0, sizeof(pty));
    st.kind = s->kind;
    st.command = s->command;
    st.env = (const char *const *)s->env;
    st.n_env = s->n_env;
    if (s->want_tty) {
        pty.term = s->term;
        pty.cols = s->cols;
        pty.rows = s->rows;
        pty.xpixel = s->xpixel;
        pty.ypixel = s->ypixel;
        pty.modes = buf_ptr(&s->modes);
        pty.n_modes = buf_len(&s->modes);
        st.pty = &pty;
    }
    return sesschan_start(s->sc, &st);
}

static void
client_sess_opened(void *ctx, struct io_chan *ch, uint32_t reason,
                   const char *msg)
{
    struct client_sess *s = ctx;

    if (reason != 0) {
        /* ssh's channel_input_open_failure, at its error level. */
        log_plain("channel %u: open failed: %s: %s\r\n",
                  (unsigned)io_chan_id(ch), fwd_open_reason_str(reason),
                  msg != NULL ? msg : "");
        s->failed = true;
        return;
    }
    if (client_sess_start(s) != 0) {
        log_error("channel %u: cannot start the session",
                  (unsigned)io_chan_id(ch));
        s->failed = true;
        io_chan_end(ch);
    }
    io_conn_flush(s->ic);
}

static void
client_sess_done(void *ctx)
{
    struct client_sess *s = ctx;
    uint32_t status = 0;
    int code = -1;

    s->ch = NULL;
    if (!s->failed && s->sc != NULL && sesschan_exited(s->sc, &status)) {
        code = (int)status;
    }
    if (s->done != NULL) {
        s->done(s->ctx, s, code);
    }
    client_sess_free(s);
}

static int
client_sess_copy(struct client_sess *s, const struct client_sess_cfg *cfg)
{
    size_t i;
    int r;

    s->kind = cfg->kind;
    s->want_tty = cfg->want_tty;
    s->tty_required = cfg->tty_required;
    s->cols = cfg->cols;
    s->rows = cfg->rows;
    s->xpixel = cfg->xpixel;
    s->ypixel = cfg->ypixel;
    s->before_start = cfg->before_start;
    s->done = cfg->done;
    s->input = cfg->input;
    s->ctx = cfg->ctx;
    buf_init(&s->modes);
    buf_set_nowipe(&s->modes);
    if ((cfg->command != NULL && (s->command = strdup(cfg->command)) == NULL) ||
        (cfg->term != NULL && (s->term = strdup(cfg->term)) == NULL)) {
        return ERR_NOMEM;
    }
    if (cfg->want_tty && (r = ttymodes_encode(cfg->modes, &s->modes)) != 0) {
        return r;
    }
    for (i = 0; i < cfg->n_env; i++) {
        if ((r = client_config_list_add(&s->env, &s->n_env, cfg->env[i])) !=
            0) {
            return r;
        }
    }
    return 0;
}

int
client_sess_open(struct io_conn *ic, const struct client_sess_cfg *cfg,
                 struct client_sess **out)
{
    struct chan_open_info info = {.type = "session"};
    struct io_chan_sess ios;
    struct client_sess *s = calloc(1, sizeof(*s));
    int r;

    *out = NULL;
    if (s == NULL || (r = client_sess_copy(s, cfg)) != 0) {
        r = s == NULL ? ERR_NOMEM : r;
        io_close_free((uv_handle_t *)cfg->in);
        io_close_free((uv_handle_t *)cfg->out);
        io_close_free((uv_handle_t *)cfg->err);
        if (s != NULL) {
            client_sess_free(s);
        }
        return r;
    }
    s->ic = ic;
    memset(&ios, 0, sizeof(ios));
    ios.in = cfg->in;
    ios.out = cfg->out;
    ios.err = cfg->err;
    ios.opened = client_sess_opened;
    ios.done = client_sess_done;
    ios.request = client_sess_request;
    ios.reply = client_sess_on_reply;
    ios.filter = cfg->input != NULL ? client_sess_input : NULL;
    ios.ctx = s;
    if ((r = io_chan_open_session(ic, &ios, &info, &s->ch)) != 0) {
        client_sess_free(s);
        return r;
    }
    *out = s;
    return 0;
}

void
client_sess_resize(struct client_sess *s, uint32_t cols, uint32_t rows,
                   uint32_t xpixel, uint32_t ypixel)
{
    if (s->sc == NULL || s->ch == NULL || !s->want_tty) {
        return;
    }
    if (sesschan_window_change(s->sc, cols, rows, xpixel, ypixel) == 0) {
        io_conn_flush(s->ic);
    }
}

struct io_chan *
client_sess_chan(struct client_sess *s)
{
    return s->ch;
}

struct sesschan *
client_sess_sesschan(struct client_sess *s)
{
    return s->sc;
}

static bool
client_sess_env_wanted(const char *name, char *const *pats, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (addrmatch_pattern(name, pats[i])) {
            return true;
        }
    }
    return false;
}

int
client_sess_env(char *const *send_env, size_t n_send, char *const *set_env,
                size_t n_set, char ***out, size_t *n_out)
{
    char name[LIM_STRING_SMALL];
    size_t i, len;
    const char *eq;
    int r = 0;

    *out = NULL;
    *n_out = 0;
    for (i = 0; n_send > 0 && environ[i] != NULL && r == 0; i++) {
        if ((eq = strchr(environ[i], '=')) == NULL ||
            (len = (size_t)(eq - environ[i])) >= sizeof(name)) {
            continue;
        }
        memcpy(name, environ[i], len);
        name[len] = '\0';
        if (client_sess_env_wanted(name, send_env, n_send)) {
            r = client_config_list_add(out, n_out, environ[i]);
        }
    }
    for (i = 0; i < n_set && r == 0; i++) {
        r = client_config_list_add(out, n_out, set_env[i]);
    }
    return r;
}

void
client_sess_env_free(char **env, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(env[i]);
    }
    free(env);
}
