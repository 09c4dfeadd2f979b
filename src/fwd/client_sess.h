/* SPDX-License-Identifier: ISC */
/*
 * A session channel over a client connection, joined to three local
 * streams: exec, shell or subsystem, with a pty or not, env requests, and
 * the remote exit status as ssh turns it into its own. adit's own session
 * uses stdin, stdout and stderr (client_sess_main); a ControlMaster
 * can open more with the streams a mux client passes.
 */
#ifndef ADIT_FWD_CLIENT_SESS_H
#define ADIT_FWD_CLIENT_SESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>
#include <uv.h>

#include "conn/sesschan.h"
#include "io/io_conn.h"
#include "wire/buf.h"

struct client_sess;

/* What a session asks for. Strings are copied by client_sess_open. */
struct client_sess_cfg {
    uv_stream_t *in;  /* NULL: no input (-n), EOF sent at once */
    uv_stream_t *out; /* channel data */
    uv_stream_t *err; /* extended data (stderr); NULL: dropped */
    enum sesschan_kind kind;
    const char *command; /* exec's command, subsystem's name */
    /* pty-req: TERM, the window size and the terminal's modes (NULL: no
     * modes, TTY_OP_END alone). */
    bool want_tty;
    bool tty_required; /* RequestTTY yes or force: a refused pty is fatal */
    const char *term;
    uint32_t cols, rows, xpixel, ypixel;
    const struct termios *modes;
    /* env requests, "NAME=VALUE" each: SendEnv's matches, then SetEnv. */
    char *const *env;
    size_t n_env;
    /*
     * The channel is open, nothing asked yet: add requests of your own
     * with sesschan_request() (auth-agent-req@openssh.com, x11-req),
     * which go before the pty-req and the exec, as ssh sends them. May
     * be NULL.
     */
    void (*before_start)(void *ctx, struct client_sess *s, struct sesschan *sc);
    /* The session is over (its streams closed): status is the remote
     * exit status, or -1 when none came (a signal, a refused request, a
     * lost connection; ssh then exits 255). Called once, last. */
    void (*done)(void *ctx, struct client_sess *s, int status);
    /* Input as read, before it is sent (escape characters): append what
     * the server is to get to out. NULL: input is sent as read. */
    void (*input)(void *ctx, struct client_sess *s, const uint8_t *p, size_t n,
                  struct buf *out);
    void *ctx;
};

/* Open a session on ic; the streams are taken over (closed and freed on
 * error, and nothing is called back). */
int client_sess_open(struct io_conn *ic, const struct client_sess_cfg *cfg,
                     struct client_sess **out);

/* The terminal changed size: window-change (no-op without a pty or
 * before the channel is open). */
void client_sess_resize(struct client_sess *s, uint32_t cols, uint32_t rows,
                        uint32_t xpixel, uint32_t ypixel);

/* The session's channel, for io_chan calls (NULL once gone). */
struct io_chan *client_sess_chan(struct client_sess *s);

/* Its requests (NULL until the channel is open): ~B's "break". */
struct sesschan *client_sess_sesschan(struct client_sess *s);

/* SendEnv's patterns matched against environ, then SetEnv's entries:
 * "NAME=VALUE" strings, malloc'd (free with client_sess_env_free). */
int client_sess_env(char *const *send_env, size_t n_send, char *const *set_env,
                    size_t n_set, char ***out, size_t *n_out);
void client_sess_env_free(char **env, size_t n);

#endif
