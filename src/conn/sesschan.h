/* SPDX-License-Identifier: ISC */
/*
 * The client's side of a "session" channel (RFC 4254 6), without I/O: the
 * requests that start it (pty-req, env, then exec, shell or subsystem, in
 * ssh's order), their answers matched in order, and the server's requests
 * (exit-status, exit-signal, eow@openssh.com). Data flows through conn as
 * on any channel; the owner routes the channel's requests and replies here.
 */
#ifndef ADIT_CONN_SESSCHAN_H
#define ADIT_CONN_SESSCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"

struct sesschan;

/* Requests sent with want_reply and not yet answered, at most. */
#define SESSCHAN_PENDING_MAX 16u

enum sesschan_kind {
    SESSCHAN_SHELL = 0,
    SESSCHAN_EXEC,
    SESSCHAN_SUBSYSTEM,
};

/* pty-req (RFC 4254 6.2). modes: ttymodes_encode()'s bytes, or NULL for
 * none (TTY_OP_END alone is sent). */
struct sesschan_pty {
    const char *term; /* NULL: "" */
    uint32_t cols, rows, xpixel, ypixel;
    const uint8_t *modes;
    size_t n_modes;
};

/* What to start, as ssh's client_session2_setup asks for it. */
struct sesschan_start {
    enum sesschan_kind kind;
    const char *command;            /* exec's command, subsystem's name */
    const struct sesschan_pty *pty; /* NULL: no pty-req */
    const char *const *env;         /* "NAME=VALUE" each, sent as "env" */
    size_t n_env;
};

struct sesschan_cbs {
    void *ctx;
    /* The answer to one of our requests sent with want_reply, by type
     * ("pty-req", "exec", "shell", "subsystem", or a caller's own). */
    void (*reply)(void *ctx, const char *type, bool ok);
    /* exit-status (RFC 4254 6.10). */
    void (*exit_status)(void *ctx, uint32_t status);
    /* exit-signal: the name without "SIG", whether core was dumped, the
     * server's message (views valid during the call). */
    void (*exit_signal)(void *ctx, const char *signame, bool core_dumped,
                        const char *msg);
    /* eow@openssh.com: the server reads no more; stop sending. */
    void (*eow)(void *ctx);
};

/* For channel id of c (a "session" opened by the caller). cbs is copied;
 * any callback may be NULL. */
int sesschan_new(struct sesschan **out, struct conn *c, uint32_t id,
                 const struct sesschan_cbs *cbs);
void sesschan_free(struct sesschan *s);

/*
 * A request of the caller's own (auth-agent-req@openssh.com, x11-req)
 * before sesschan_start: with want_reply its answer comes through reply.
 * ERR_LIMIT beyond SESSCHAN_PENDING_MAX unanswered.
 */
int sesschan_request(struct sesschan *s, const char *type, bool want_reply,
                     const uint8_t *data, size_t n);

/* Send the pty-req (if any), the env requests and the exec, shell or
 * subsystem request (the channel must be open). */
int sesschan_start(struct sesschan *s, const struct sesschan_start *st);

/* window-change (RFC 4254 6.7), no reply wanted. */
int sesschan_window_change(struct sesschan *s, uint32_t cols, uint32_t rows,
                           uint32_t xpixel, uint32_t ypixel);

/*
 * The server's CHANNEL_REQUEST on the channel (p/n: the bytes after want
 * reply). true when taken (exit-status, exit-signal, eow@openssh.com,
 * answered if want_reply); false for anything else or a malformed one,
 * which the caller refuses.
 */
bool sesschan_on_request(struct sesschan *s, const char *type, bool want_reply,
                         const uint8_t *p, size_t n);

/* CHANNEL_SUCCESS (ok) or _FAILURE: ERR_PROTO when nothing waits for it. */
int sesschan_on_reply(struct sesschan *s, bool ok);

/* exit-status received, and its value. */
bool sesschan_exited(const struct sesschan *s, uint32_t *status);

#endif
