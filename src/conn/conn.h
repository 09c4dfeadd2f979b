/* SPDX-License-Identifier: ISC */
/*
 * The connection protocol (RFC 4254): channels with window flow control
 * and EOF/CLOSE half-states, channel and global requests. No I/O: messages
 * 80..127 come in through conn_handle(), go out through a pkt_sink, and
 * what happens to a channel is reported through callbacks, called
 * synchronously from conn_handle(). A channel id is our local id.
 */
#ifndef ADIT_CONN_CONN_H
#define ADIT_CONN_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transport/sink.h"
#include "wire/buf.h"

struct conn;

/* A channel open, ours or the peer's. Strings are views valid during the
 * call (copied by conn_open). */
struct chan_open_info {
    const char *type; /* "direct-tcpip", "forwarded-tcpip", "session",
                         CONN_DIRECT_STREAMLOCAL, CONN_FORWARDED_STREAMLOCAL,
                         CONN_X11, CONN_AUTH_AGENT */
    const char *host; /* direct-tcpip: host to connect */
    uint32_t port;
    const char *orig_host; /* originator address */
    uint32_t orig_port;
    const char *path; /* streamlocal: the socket path (target or listener) */
};

/* OpenSSH's Unix socket channels (PROTOCOL 2.4). */
#define CONN_DIRECT_STREAMLOCAL "direct-streamlocal@openssh.com"
#define CONN_FORWARDED_STREAMLOCAL "forwarded-streamlocal@openssh.com"
/* Opened by a server for a client's session: an X11 connection (RFC 4254
 * 6.3.2, orig_host/orig_port set) and the client's agent (OpenSSH
 * PROTOCOL.agent; no fields). */
#define CONN_X11 "x11"
#define CONN_AUTH_AGENT "auth-agent@openssh.com"

struct conn_cbs {
    void *ctx;
    /* The peer asks to open a channel: answer now or later with
     * conn_open_confirm() or conn_open_fail(). NULL: every open is refused
     * with SSH_OPEN_UNKNOWN_CHANNEL_TYPE. */
    void (*open_request)(void *ctx, uint32_t id,
                         const struct chan_open_info *info);
    /* The peer answered our conn_open(): reason 0 means confirmed, else an
     * SSH_OPEN_* code and the peer's message; after a failure the id is
     * gone when the callback returns. */
    void (*open_result)(void *ctx, uint32_t id, uint32_t reason,
                        const char *msg);
    /* Channel data for our end. Call conn_consumed() once delivered. */
    void (*data)(void *ctx, uint32_t id, const uint8_t *p, size_t n);
    /* Extended data (RFC 4254 5.2; code 1 is a session's stderr): call
     * conn_consumed() once delivered. NULL: dropped, the window given
     * back at once (a tunnel has no use for it). */
    void (*ext_data)(void *ctx, uint32_t id, uint32_t code, const uint8_t *p,
                     size_t n);
    /* The peer will send no more data. */
    void (*eof)(void *ctx, uint32_t id);
    /* Both sides have sent CLOSE; the id is gone when this returns. */
    void (*closed)(void *ctx, uint32_t id);
    /* The peer's window opened after having been 0: sending may resume. */
    void (*writable)(void *ctx, uint32_t id);
    /* Reply to our conn_global_request() with want_reply: ok, and the
     * reply's data (e.g. the uint32 port of a tcpip-forward for port 0). */
    void (*global_reply)(void *ctx, bool ok, const uint8_t *p, size_t n);
    /* The peer's GLOBAL_REQUEST (e.g. "tcpip-forward"), answered at once:
     * p/n are the bytes after want_reply. Return true to accept; bytes
     * appended to reply go into REQUEST_SUCCESS (e.g. the bound port for
     * port 0). NULL: every request is refused (REQUEST_FAILURE when the
     * peer wants a reply, as for keepalive@openssh.com). */
    bool (*global_request)(void *ctx, const char *name, bool want_reply,
                           const uint8_t *p, size_t n, struct buf *reply);
    /* The peer's CHANNEL_REQUEST on an open channel (p/n: the bytes after
     * want_reply). Return true when the callback has taken it, having
     * answered it with conn_channel_reply() if want_reply: it may then
     * send on the channel after the answer. false, or NULL: refused with
     * CHANNEL_FAILURE when a reply is wanted (winadj@putty, keepalive),
     * else ignored (eow@openssh.com). */
    bool (*chan_request)(void *ctx, uint32_t id, const char *type,
                         bool want_reply, const uint8_t *p, size_t n);
    /* CHANNEL_SUCCESS (ok) or CHANNEL_FAILURE: the answer to the oldest
     * of our requests on id sent with want_reply (they come in order,
     * RFC 4254 5.4). NULL: ignored. */
    void (*chan_reply)(void *ctx, uint32_t id, bool ok);
};

/* cbs is copied; sink is copied and must stay valid. */
int conn_new(struct conn **out, const struct pkt_sink *sink,
             const struct conn_cbs *cbs);
/* Frees every channel without callbacks. */
void conn_free(struct conn *c);

/*
 * The peer is adit too (transport_peer_is_adit): channels opened from
 * now on advertise LIM_CHAN_PACKET_ADIT as their maximum packet, and a
 * busy channel's receive window grows toward LIM_WINDOW_MAX. Sending is
 * always bounded by the peer's own advertised maximum.
 */
void conn_set_peer_adit(struct conn *c, bool is_adit);

/* Handle one message numbered 80..127. ERR_PROTO, ERR_WINDOW, ERR_CHANNEL
 * (unknown channel id) end the connection; callbacks may have run. */
int conn_handle(struct conn *c, const uint8_t *payload, size_t len);

/* Open a channel to the peer; the answer comes through open_result.
 * ERR_LIMIT beyond LIM_CHANNELS. */
int conn_open(struct conn *c, const struct chan_open_info *info, void *udata,
              uint32_t *id);
int conn_open_confirm(struct conn *c, uint32_t id);
int conn_open_fail(struct conn *c, uint32_t id, uint32_t reason,
                   const char *msg);

/* Caller's pointer for a channel. */
void conn_set_udata(struct conn *c, uint32_t id, void *udata);
void *conn_udata(const struct conn *c, uint32_t id);

/* How many bytes may be sent now (the peer's window; 0 before the open is
 * confirmed, after EOF or during close). */
size_t conn_send_window(const struct conn *c, uint32_t id);

/*
 * Send data, n <= conn_send_window (ERR_WINDOW otherwise), split into
 * packets of at most the peer's maximum packet size.
 */
int conn_send(struct conn *c, uint32_t id, const uint8_t *p, size_t n);

/*
 * Zero-copy send: *p points at room for up to *max bytes of data inside
 * the packet buffer (max is limited by want, the window, the peer's
 * maximum packet and LIM_CHAN_PACKET); write up to *max bytes there and
 * commit the number written (0 is fine and sends nothing). Nothing else
 * may be sent between the two calls. The room is reserved in the
 * transport's output buffer, so want should be what the caller may
 * really have (a read sized to the traffic), not the most allowed.
 */
int conn_send_begin(struct conn *c, uint32_t id, size_t want, size_t *max,
                    uint8_t **p);
int conn_send_commit(struct conn *c, uint32_t id, size_t n);

/* Extended data (RFC 4254 5.2; code 1 is stderr), n <= conn_send_window
 * (ERR_WINDOW otherwise). */
int conn_send_extended(struct conn *c, uint32_t id, uint32_t code,
                       const uint8_t *p, size_t n);

/* A channel request (RFC 4254 5.4) such as "exit-status" with its
 * type-specific data. Nothing is sent on a channel that is closing. */
int conn_channel_request(struct conn *c, uint32_t id, const char *type,
                         bool want_reply, const uint8_t *data, size_t n);

/* Answer the peer's CHANNEL_REQUEST: CHANNEL_SUCCESS or _FAILURE.
 * Nothing is sent on a channel that is closing. */
int conn_channel_reply(struct conn *c, uint32_t id, bool ok);

/* We will send no more data. */
int conn_send_eof(struct conn *c, uint32_t id);
/* Close the channel; closed() follows when the peer's CLOSE arrives. */
int conn_close(struct conn *c, uint32_t id);

/* n bytes of received data were delivered: the window is given back in
 * WINDOW_ADJUST messages once enough has been consumed. */
int conn_consumed(struct conn *c, uint32_t id, size_t n);

/* Send a global request (e.g. "keepalive@openssh.com", "tcpip-forward"). */
int conn_global_request(struct conn *c, const char *name, bool want_reply,
                        const uint8_t *data, size_t n);

/*
 * Send "keepalive@openssh.com" with want reply (ServerAlive, as ssh's
 * clientloop.c does). Its answer, SUCCESS or FAILURE, is counted in
 * conn_replies_received() and never reaches global_reply, so callers'
 * own requests keep their replies. ERR_LIMIT if too many replies are
 * pending (CONN_REPLY_RUNS alternations of kinds).
 */
int conn_send_keepalive(struct conn *c);

/* Replies (success or failure) received to our global requests so far. */
uint64_t conn_replies_received(const struct conn *c);
/* Global requests sent with want reply so far: replies come in order, so
 * the one sent as the k-th is answered when conn_replies_received()
 * reaches k. */
uint64_t conn_replies_asked(const struct conn *c);

/* Open channels. */
size_t conn_channel_count(const struct conn *c);

/* ssh cuts a channel's name at 300 characters (%.300s). */
#define CONN_CHAN_NAME_MAX 300u

/* One open channel, as ssh's ~# shows it. type is a view valid until the
 * channel goes; name points into the desc (or at type). */
struct conn_chan_desc {
    uint32_t id;
    const char *type; /* "session", "direct-tcpip", ... */
    const char
        *name; /* "client-session", "direct-tcpip: to HOST port N, ..." */
    char name_buf[CONN_CHAN_NAME_MAX + 1];
    bool has_remote_id; /* false while our open is unanswered */
    uint32_t remote_id;
    bool input_closed;  /* we sent EOF or CLOSE */
    bool output_closed; /* the peer sent EOF */
};

/* The channel with the lowest id >= from: true and *d filled, or false
 * when there is none. */
bool conn_chan_next(const struct conn *c, uint32_t from,
                    struct conn_chan_desc *d);

/* ssh's ~# text (channels.c channel_open_message): "The following
 * connections are open:\r\n" and a line per channel, appended to out.
 * Names hold no control characters. ERR_NOMEM. */
int conn_open_message(const struct conn *c, struct buf *out);

/* Channel opens so far, both ways (for metrics). */
struct conn_chan_stats {
    uint64_t sent;            /* CHANNEL_OPENs we sent */
    uint64_t sent_failed;     /* ... that the peer answered with a failure */
    uint64_t received;        /* the peer's CHANNEL_OPENs */
    uint64_t received_failed; /* ... that we answered with a failure */
};
void conn_get_chan_stats(const struct conn *c, struct conn_chan_stats *out);

#endif
