/* SPDX-License-Identifier: ISC */
/*
 * One SSH connection carried over a libuv stream (a TCP socket, or a pipe
 * to a ProxyCommand or to a channel of the jump host's connection): reads are
 * fed to the session, its output is written once per turn of the loop, a 1 s
 * timer tells it the time, and channel events are routed to the io_chan that
 * owns the channel. The end is reported once through the closed callback,
 * after every handle (the socket, the timer, the flush hooks and every
 * channel's socket) closed.
 */
#ifndef ADIT_IO_IO_CONN_H
#define ADIT_IO_IO_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "conn/session.h"

struct io_conn;

struct io_conn_cbs {
    void *ctx;
    /* Authentication succeeded: channels may be opened. */
    void (*authenticated)(void *ctx, struct io_conn *ic);
    /* The peer asks to open a channel (NULL: refused as unknown type).
     * Answer with conn_open_fail() or by creating an io_chan. */
    void (*open_request)(void *ctx, struct io_conn *ic, uint32_t id,
                         const struct chan_open_info *info);
    /* The peer's GLOBAL_REQUEST, as conn_cbs.global_request: return true
     * to accept, appending any reply data. NULL: every one is refused. */
    bool (*global_request)(void *ctx, struct io_conn *ic, const char *name,
                           bool want_reply, const uint8_t *p, size_t n,
                           struct buf *reply);
    /* The peer's CHANNEL_REQUEST on an open channel that has no io_chan
     * (aditd's session channels), as conn_cbs.chan_request: return true
     * once answered with conn_channel_reply() (if want_reply). NULL or
     * false: refused. Requests on io_chan channels go to the io_chan's
     * session hooks (io_chan_open_session), or are refused. */
    bool (*chan_request)(void *ctx, struct io_conn *ic, uint32_t id,
                         const char *type, bool want_reply, const uint8_t *p,
                         size_t n);
    /* A connect made for the peer's channel open (io_chan_accept_connect,
     * _path) failed; the open has been refused. port is -1 for a Unix
     * socket path. For ssh's "connect_to HOST port N: failed." */
    void (*connect_failed)(void *ctx, struct io_conn *ic, const char *target,
                           int port, int status);
    /* A channel the caller answered itself, with no io_chan (aditd's
     * session channels), is gone: both sides sent CLOSE. NULL: ignored. */
    void (*chan_closed)(void *ctx, struct io_conn *ic, uint32_t id);
    /* The connection is over and every handle is closed; why is the
     * reason in words ("Connection closed by ...", session_error()).
     * ic is freed when this returns. */
    void (*closed)(void *ctx, struct io_conn *ic, const char *why);
};

/*
 * Take over tcp (a connected, malloc'd handle; TCP_NODELAY is set here
 * too) and start the session: version line and KEXINIT are written, and
 * reading starts. cfg is as session_new takes it. peer_name ("HOST port
 * N") is used in messages. On error tcp is closed and freed, nothing is
 * called back, and the error is returned.
 */
int io_conn_new(struct io_conn **out, uv_loop_t *loop, uv_tcp_t *tcp,
                const struct session_config *cfg, const struct io_conn_cbs *cbs,
                const char *peer_name);

/* The same over any connected, malloc'd stream (uv_tcp_t gets TCP_NODELAY,
 * a uv_pipe_t is used as it is). */
int io_conn_new_stream(struct io_conn **out, uv_loop_t *loop,
                       uv_stream_t *stream, const struct session_config *cfg,
                       const struct io_conn_cbs *cbs, const char *peer_name);

/* End the connection by our choice: DISCONNECT (reason, msg), flush,
 * close. closed() follows from the loop. */
void io_conn_disconnect(struct io_conn *ic, uint32_t reason, const char *msg);

/* The answer to one global request: ok, and the reply's data (the uint32
 * port of a tcpip-forward for port 0). */
typedef void (*io_conn_reply_cb)(void *ctx, struct io_conn *ic, bool ok,
                                 const uint8_t *p, size_t n);

/*
 * Send a global request ("tcpip-forward", "keepalive@openssh.com", ...)
 * after authentication. With cb, want_reply is set and cb is called with
 * the answer: the peer answers in the order of the requests, so every
 * caller goes through this one queue. cb is not called if the connection
 * ends first. ERR_CHANNEL before authentication, ERR_NOMEM.
 */
int io_conn_global_request(struct io_conn *ic, const char *name,
                           const uint8_t *data, size_t n, io_conn_reply_cb cb,
                           void *ctx);

/* End the connection without a DISCONNECT (e.g. no version line came in
 * time); closed() follows from the loop with why. */
void io_conn_close(struct io_conn *ic, const char *why);

/* Write whatever the session has queued, in one write at the end of the
 * loop's turn (before the loop next waits), or now when much waits or the
 * connection is ending. Call after any call into the session or conn that
 * may produce output. */
void io_conn_flush(struct io_conn *ic);

/* The answer the server's check_key was waiting for is there (its
 * lookup finished): go on with the held login and reading. Nothing
 * happens on a connection that is ending. */
void io_conn_resume(struct io_conn *ic);

/* The answer to the session's client_auth.sign request (NULL: refused),
 * given to session_auth_signed; the connection ends on its error. */
void io_conn_auth_signed(struct io_conn *ic, const uint8_t *sig, size_t n);
/* The answer to its client_auth.load request (session_auth_loaded). */
void io_conn_auth_loaded(struct io_conn *ic);

/* The user's answers to the session's client_auth.ask (NULL: none),
 * given to session_auth_answered; the connection ends on its error. */
void io_conn_auth_answered(struct io_conn *ic, char *const *answers, size_t n);

struct session *io_conn_session(struct io_conn *ic);
/* The connection layer, or NULL before authentication. */
struct conn *io_conn_conn(struct io_conn *ic);
uv_loop_t *io_conn_loop(struct io_conn *ic);
bool io_conn_is_ending(const struct io_conn *ic);
/* Bytes waiting for the network: in the session and in our writes. */
size_t io_conn_queued(const struct io_conn *ic);
const char *io_conn_peer_name(const struct io_conn *ic);

/* Caller's pointer. */
void io_conn_set_udata(struct io_conn *ic, void *udata);
void *io_conn_udata(const struct io_conn *ic);

#endif
