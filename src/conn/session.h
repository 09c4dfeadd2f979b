/* SPDX-License-Identifier: ISC */
/*
 * One SSH connection, either role, without I/O: a transport, user
 * authentication and the connection protocol glued together. Bytes in,
 * bytes out, events through callbacks. This is what the io layer drives
 * and what the in-memory tests pair up.
 */
#ifndef ADIT_CONN_SESSION_H
#define ADIT_CONN_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/userauth.h"
#include "conn/conn.h"
#include "transport/transport.h"
#include "wire/buf.h"

struct session;

/* session_error() of a server connection whose LoginGraceTime ran out. */
#define SESSION_GRACE_TIMEOUT "Timeout before authentication"

struct session_config {
    struct transport_config transport;         /* is_server picks the role */
    struct userauth_client_config client_auth; /* client only */
    struct userauth_server_config server_auth; /* server only */
    uint32_t login_grace_ms; /* server: 0 = LIM_LOGIN_GRACE_MS */
    /* After authentication: probe a peer silent for this long (0: never,
     * ServerAliveInterval, ClientAliveInterval) and give up after
     * count_max unanswered probes (ServerAliveCountMax,
     * ClientAliveCountMax), with session_error() "Timeout, server not
     * responding." ("Timeout, client not responding" as a server) and
     * ERR_TIMEOUT. */
    uint64_t alive_interval_ms;
    unsigned alive_count_max;
};

struct session_cbs {
    void *ctx;
    /* Authentication succeeded: session_conn() is now usable. */
    void (*authenticated)(void *ctx);
};

/* Server: the keepalive settings chosen once the user is known (aditd's
 * Match blocks), before authentication completes; as the config's. */
void session_set_alive(struct session *s, uint64_t interval_ms,
                       unsigned count_max);

/* cfg and cbs are copied (the transport copies its strings; key and
 * callback pointers are borrowed). chan_cbs drive the connection layer. */
int session_new(struct session **out, const struct session_config *cfg,
                const struct session_cbs *cbs, const struct conn_cbs *chan_cbs);
void session_free(struct session *s);

/* Queue the version line and KEXINIT (and, as client, the userauth
 * service request, held until the first key exchange is done). */
int session_start(struct session *s, uint64_t now_ms);

/*
 * Bytes from the peer: processes every complete message. 0 while the
 * connection goes on; a negative error when it is over (session_error()
 * says why, in words for the user; any DISCONNECT is in the output, so
 * flush it before closing the socket).
 */
int session_feed(struct session *s, const uint8_t *p, size_t n);

/*
 * Zero-copy feed: room for up to max bytes inside the transport's input
 * buffer, then session_feed_commit(n) processes them as session_feed
 * would. Nothing else may be called on the session in between.
 */
int session_feed_space(struct session *s, size_t max, uint8_t **p, size_t *n);
int session_feed_commit(struct session *s, size_t n);

/*
 * True when the data views handed to the channel callbacks during a
 * session_feed_commit stay valid until the next session_feed_space (see
 * transport_payload_kept), so the io layer may gather a whole read's
 * worth before writing it out.
 */
bool session_payload_kept(const struct session *s);

/*
 * Server: the user authentication callback answered "not yet" (a lookup
 * runs off the loop). Until session_resume(), no further message is taken
 * from the transport (whose input buffer is bounded: once it is full,
 * session_feed_space fails and reading must stop).
 */
bool session_auth_held(const struct session *s);
/* The lookup is done: hand the held message over again, then process what
 * arrived meanwhile. Returns as session_feed. */
int session_resume(struct session *s);

/*
 * The time now, before feeding bytes that arrived now: keepalive silence
 * is measured from the last byte heard (without it, from the last
 * session_tick or session_start).
 */
void session_clock(struct session *s, uint64_t now_ms);

/* The peer is heard at now_ms without bytes fed: its bytes wait unread
 * because we stopped reading (io_conn_budget), which is no silence. */
void session_heard(struct session *s, uint64_t now_ms);

/* When the keepalive next has something to do (a probe, or the end), for
 * a timer that calls session_tick then; UINT64_MAX for never. Bytes heard
 * meanwhile only move it later: a timer may fire early, never late. */
uint64_t session_alive_due(const struct session *s);

/* The round trip of the last keepalive probe that was answered, in ms
 * (-1: none yet). */
int64_t session_alive_rtt_ms(const struct session *s);

/* Time passes: login grace, rekey by time, keepalive probes. An error ends
 * the connection. */
int session_tick(struct session *s, uint64_t now_ms);

bool session_has_output(const struct session *s);
void session_take_output(struct session *s, struct buf *out);
/* transport_output and transport_output_done. */
const uint8_t *session_output(const struct session *s, size_t *n);
void session_output_done(struct session *s, size_t n);
/* Bytes queued for the network (for backpressure on local sockets). */
size_t session_queued(const struct session *s);
/* Idle: free the transport's empty buffers (transport_trim); the bytes
 * freed. */
size_t session_trim(struct session *s);

/*
 * Client: the answer to client_auth.sign (userauth_client_signed): the
 * signature blob, or NULL when the signer refused. Output may follow (the
 * signed request, the next key's query, a DISCONNECT); an error ends the
 * connection as session_feed's do.
 */
int session_auth_signed(struct session *s, const uint8_t *sig, size_t n);

/* Client: the answer to client_auth.load (userauth_client_loaded): the key
 * slot is filled or not; otherwise as session_auth_signed. */
int session_auth_loaded(struct session *s);

/* Client: the user's answers to client_auth.ask
 * (userauth_client_answered), or answers NULL when none could be had;
 * otherwise as session_auth_signed. */
int session_auth_answered(struct session *s, char *const *answers, size_t n);

/* End the connection by our choice (DISCONNECT queued). */
int session_disconnect(struct session *s, uint32_t reason, const char *msg);

/* SSH_MSG_DEBUG (RFC 4253 11.3), not always displayed: ssh -v shows it
 * as "Remote: msg" (why a forward was refused, as sshd does). */
int session_send_debug(struct session *s, const char *msg);

const char *session_error(const struct session *s);
bool session_is_authenticated(const struct session *s);
struct conn *session_conn(struct session *s); /* NULL before auth */
struct transport *session_transport(struct session *s);
/* Client, after authentication by publickey: the key's blob and the
 * signature algorithm the server took (userauth_client_accepted), for the
 * next login of the same tunnel; false otherwise. */
bool session_auth_accepted(const struct session *s, const uint8_t **blob,
                           size_t *blob_len, const char **alg);
/* Server, after authentication: user, key and check_key's info. */
const char *session_user(const struct session *s);
const struct sshkey *session_user_key(const struct session *s);
const void *session_auth_info(const struct session *s);

#endif
