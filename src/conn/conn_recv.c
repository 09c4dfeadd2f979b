/* SPDX-License-Identifier: ISC */
/* The connection protocol (RFC 4254): decoding and acting on messages 80..127.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "conn/conn_impl.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/rd.h"

/*
 * Read the recipient channel (always the first field after the message
 * byte) and find it; it must be in state want. Messages for unknown ids or
 * for channels not yet confirmed are ERR_CHANNEL.
 */
static int
chan_lookup(struct conn *c, struct rd *rd, enum chan_state want, uint32_t *id,
            struct channel **ch)
{
    int r;

    *ch = NULL;
    if ((r = rd_u32(rd, id)) != 0) {
        return r;
    }
    if ((*ch = conn_chan(c, *id)) == NULL || (*ch)->state != want) {
        log_debug("message for bad channel %u", *id);
        *ch = NULL;
        return ERR_CHANNEL;
    }
    return 0;
}

/*
 * GLOBAL_REQUEST (RFC 4254 4):
 *   byte    SSH_MSG_GLOBAL_REQUEST
 *   string  request name
 *   boolean want reply
 *   ....    request-specific data
 */
static int
recv_msg_global_request(struct conn *c, struct rd *rd)
{
    char *name = NULL;
    bool want_reply = false, ok = false;
    const uint8_t *rest = NULL;
    size_t n;
    struct buf reply;
    int r;

    buf_init(&reply);
    if ((r = rd_cstring(rd, &name, LIM_STRING_SMALL)) != 0 ||
        (r = rd_bool(rd, &want_reply)) != 0) {
        goto out;
    }
    n = rd_left(rd);
    if ((r = rd_bytes(rd, n, &rest)) != 0 ||
        (r = buf_put_u8(&reply, SSH_MSG_REQUEST_SUCCESS)) != 0) {
        goto out;
    }
    if (c->cbs.global_request != NULL) {
        ok = c->cbs.global_request(c->cbs.ctx, name, want_reply, rest, n,
                                   &reply);
    }
    log_debug("global request %s: %s", name, ok ? "accepted" : "refused");
    if (!want_reply) {
        goto out;
    }
    if (!ok) {
        /* REQUEST_FAILURE has no fields. */
        buf_reset(&reply);
        if ((r = buf_put_u8(&reply, SSH_MSG_REQUEST_FAILURE)) != 0) {
            goto out;
        }
    }
    r = conn_send_msg(c, &reply);
out:
    free(name);
    buf_cleanup(&reply);
    return r;
}

/*
 * REQUEST_SUCCESS / REQUEST_FAILURE (RFC 4254 4): answers to our global
 * requests with want reply, in the order they were sent. SUCCESS may carry
 * request-specific data (the bound port of a tcpip-forward for port 0).
 */
static int
recv_msg_request_reply(struct conn *c, struct rd *rd, bool ok)
{
    const uint8_t *rest = NULL;
    size_t n = rd_left(rd);
    bool is_keepalive;
    int r;

    if ((r = rd_bytes(rd, n, &rest)) != 0) {
        return r;
    }
    if (!conn_take_reply(c, &is_keepalive)) {
        log_error("global request reply without a request");
        return ERR_PROTO;
    }
    if (!is_keepalive && c->cbs.global_reply != NULL) {
        c->cbs.global_reply(c->cbs.ctx, ok, rest, n);
    }
    return 0;
}

struct open_msg {
    char *type;
    uint32_t sender, window, maxpkt;
    char *host, *orig_host;
    uint32_t port, orig_port;
    char *path;         /* streamlocal types */
    bool path_too_long; /* longer than a socket path: refuse the channel */
};

static void
open_msg_cleanup(struct open_msg *m)
{
    free(m->type);
    free(m->host);
    free(m->orig_host);
    free(m->path);
    memset(m, 0, sizeof(*m));
}

static bool
is_tcpip_type(const char *type)
{
    return strcmp(type, "direct-tcpip") == 0 ||
           strcmp(type, "forwarded-tcpip") == 0;
}

static bool
is_streamlocal_type(const char *type)
{
    return strcmp(type, CONN_DIRECT_STREAMLOCAL) == 0 ||
           strcmp(type, CONN_FORWARDED_STREAMLOCAL) == 0;
}

/* The channels a client asked for on its session (RFC 4254 6.3.2, OpenSSH
 * PROTOCOL.agent): whether to take them is the open_request's choice. */
static bool
is_session_fwd_type(const char *type)
{
    return strcmp(type, CONN_X11) == 0 || strcmp(type, CONN_AUTH_AGENT) == 0;
}

/*
 * After the common CHANNEL_OPEN fields:
 *   x11 (RFC 4254 6.3.2):    string originator address, uint32 originator port
 *   auth-agent@openssh.com:  nothing
 */
static int
open_msg_decode_session_fwd(struct rd *rd, struct open_msg *m)
{
    int r;

    if (strcmp(m->type, CONN_X11) == 0 &&
        ((r = rd_cstring(rd, &m->orig_host, LIM_HOSTNAME)) != 0 ||
         (r = rd_u32(rd, &m->orig_port)) != 0)) {
        return r;
    }
    if ((r = rd_end(rd)) != 0) {
        return r;
    }
    return m->orig_port > 65535 ? ERR_FORMAT : 0;
}

/*
 * After the common CHANNEL_OPEN fields (OpenSSH PROTOCOL 2.4):
 *   direct-streamlocal@openssh.com:    string socket path, string reserved,
 *                                      uint32 reserved
 *   forwarded-streamlocal@openssh.com: string socket path, string reserved
 */
static int
open_msg_decode_streamlocal(struct rd *rd, struct open_msg *m)
{
    const uint8_t *reserved = NULL;
    size_t len = 0;
    uint32_t u = 0;
    int r;

    /* Any length the packet holds parses; one too long for a socket is
     * that channel's failure, not the connection's. */
    if ((r = rd_cstring(rd, &m->path, LIM_PACKET_RECV)) != 0 ||
        (r = rd_string(rd, &reserved, &len, LIM_STRING_SMALL)) != 0) {
        return r;
    }
    m->path_too_long = strlen(m->path) > LIM_UNIX_PATH;
    if (strcmp(m->type, CONN_DIRECT_STREAMLOCAL) == 0 &&
        (r = rd_u32(rd, &u)) != 0) {
        return r;
    }
    return rd_end(rd);
}

/*
 * CHANNEL_OPEN (RFC 4254 5.1, 7.1, 7.2):
 *   byte   SSH_MSG_CHANNEL_OPEN
 *   string channel type
 *   uint32 sender channel
 *   uint32 initial window size
 *   uint32 maximum packet size
 *   then for "direct-tcpip" and "forwarded-tcpip" (streamlocal types:
 *   open_msg_decode_streamlocal; x11 and agent: open_msg_decode_session_fwd):
 *   string host to connect / address that was connected
 *   uint32 port
 *   string originator IP address
 *   uint32 originator port
 * Other types keep their remaining bytes unread (unknown types are refused).
 */
static int
open_msg_decode(struct rd *rd, struct open_msg *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = rd_cstring(rd, &m->type, LIM_STRING_SMALL)) != 0 ||
        (r = rd_u32(rd, &m->sender)) != 0 ||
        (r = rd_u32(rd, &m->window)) != 0 ||
        (r = rd_u32(rd, &m->maxpkt)) != 0) {
        return r;
    }
    if (strcmp(m->type, "session") == 0) {
        return rd_end(rd);
    }
    if (is_streamlocal_type(m->type)) {
        return open_msg_decode_streamlocal(rd, m);
    }
    if (is_session_fwd_type(m->type)) {
        return open_msg_decode_session_fwd(rd, m);
    }
    if (!is_tcpip_type(m->type)) {
        return 0;
    }
    if ((r = rd_cstring(rd, &m->host, LIM_HOSTNAME)) != 0 ||
        (r = rd_u32(rd, &m->port)) != 0 ||
        (r = rd_cstring(rd, &m->orig_host, LIM_HOSTNAME)) != 0 ||
        (r = rd_u32(rd, &m->orig_port)) != 0 || (r = rd_end(rd)) != 0) {
        return r;
    }
    if (m->port > 65535 || m->orig_port > 65535) {
        return ERR_FORMAT;
    }
    return 0;
}

static int
recv_msg_channel_open(struct conn *c, struct rd *rd)
{
    struct open_msg m;
    struct chan_open_info info;
    struct channel *ch;
    uint32_t id = 0;
    int r;

    if ((r = open_msg_decode(rd, &m)) != 0) {
        goto out;
    }
    c->stats.received++;
    if (c->cbs.open_request == NULL ||
        (strcmp(m.type, "session") != 0 && !is_tcpip_type(m.type) &&
         !is_streamlocal_type(m.type) && !is_session_fwd_type(m.type))) {
        r = conn_send_open_failure(c, m.sender, SSH_OPEN_UNKNOWN_CHANNEL_TYPE,
                                   "unknown channel type");
        goto out;
    }
    if (m.path_too_long) {
        r = conn_send_open_failure(c, m.sender,
                                   SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                                   "socket path too long");
        goto out;
    }
    if (m.maxpkt == 0) {
        /* No data could ever cross it: refuse the channel, not the link. */
        r = conn_send_open_failure(c, m.sender,
                                   SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                                   "maximum packet size 0");
        goto out;
    }
    if ((r = conn_chan_alloc(c, &id)) != 0) {
        r = conn_send_open_failure(c, m.sender, SSH_OPEN_RESOURCE_SHORTAGE,
                                   "too many channels");
        goto out;
    }
    ch = &c->chans[id];
    ch->state = CHAN_PEER_OPENING;
    ch->remote_id = m.sender;
    ch->remote_window = m.window;
    ch->remote_maxpkt = m.maxpkt;
    memset(&info, 0, sizeof(info));
    info.type = m.type;
    info.host = m.host;
    info.port = m.port;
    info.orig_host = m.orig_host;
    info.orig_port = m.orig_port;
    info.path = m.path;
    (void)conn_chan_name(c, id, &info, false); /* only ~# misses it */
    c->cbs.open_request(c->cbs.ctx, id, &info);
out:
    open_msg_cleanup(&m);
    return r;
}

/*
 * CHANNEL_OPEN_CONFIRMATION (RFC 4254 5.1):
 *   byte   SSH_MSG_CHANNEL_OPEN_CONFIRMATION
 *   uint32 recipient channel, uint32 sender channel
 *   uint32 initial window size, uint32 maximum packet size
 */
static int
recv_msg_open_confirmation(struct conn *c, struct rd *rd)
{
    struct channel *ch;
    uint32_t id = 0, sender, window, maxpkt;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPENING, &id, &ch)) != 0 ||
        (r = rd_u32(rd, &sender)) != 0 || (r = rd_u32(rd, &window)) != 0 ||
        (r = rd_u32(rd, &maxpkt)) != 0 || (r = rd_end(rd)) != 0) {
        return r;
    }
    if (maxpkt == 0) {
        log_error("channel %u: peer confirmed with maximum packet size 0",
                  (unsigned)id);
        return ERR_PROTO;
    }
    ch->state = CHAN_OPEN;
    ch->remote_id = sender;
    ch->remote_window = window;
    ch->remote_maxpkt = maxpkt;
    if (ch->close_wanted) {
        return conn_close(c, id);
    }
    if (c->cbs.open_result != NULL) {
        c->cbs.open_result(c->cbs.ctx, id, 0, "");
    }
    return 0;
}

/*
 * CHANNEL_OPEN_FAILURE (RFC 4254 5.1):
 *   byte   SSH_MSG_CHANNEL_OPEN_FAILURE
 *   uint32 recipient channel
 *   uint32 reason code
 *   string description in ISO-10646 UTF-8
 *   string language tag
 */
static int
recv_msg_open_failure(struct conn *c, struct rd *rd)
{
    struct channel *ch;
    uint32_t id = 0, reason;
    char *desc = NULL;
    const uint8_t *lang;
    size_t lang_len;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPENING, &id, &ch)) != 0 ||
        (r = rd_u32(rd, &reason)) != 0 ||
        (r = rd_cstring(rd, &desc, LIM_STRING_SMALL)) != 0 ||
        (r = rd_string(rd, &lang, &lang_len, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0) {
        goto out;
    }
    c->stats.sent_failed++;
    if (reason == 0) {
        /* 0 means "confirmed" to open_result: never pass it through. */
        reason = SSH_OPEN_CONNECT_FAILED;
    }
    if (ch->close_wanted) {
        if (c->cbs.closed != NULL) {
            c->cbs.closed(c->cbs.ctx, id);
        }
    } else if (c->cbs.open_result != NULL) {
        c->cbs.open_result(c->cbs.ctx, id, reason, desc);
    }
    conn_chan_release(c, id);
out:
    free(desc);
    return r;
}

/*
 * CHANNEL_WINDOW_ADJUST (RFC 4254 5.2):
 *   byte   SSH_MSG_CHANNEL_WINDOW_ADJUST
 *   uint32 recipient channel
 *   uint32 bytes to add
 */
static int
recv_msg_window_adjust(struct conn *c, struct rd *rd)
{
    struct channel *ch;
    uint32_t id = 0, add;
    bool was_shut;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPEN, &id, &ch)) != 0 ||
        (r = rd_u32(rd, &add)) != 0 || (r = rd_end(rd)) != 0) {
        return r;
    }
    if (add > UINT32_MAX - ch->remote_window) {
        log_error("channel %u: window adjust overflows", id);
        return ERR_PROTO;
    }
    was_shut = ch->remote_window == 0;
    ch->remote_window += add;
    if (was_shut && add > 0 && !ch->sent_eof && !ch->sent_close &&
        c->cbs.writable != NULL) {
        c->cbs.writable(c->cbs.ctx, id);
    }
    return 0;
}

/* Account n received bytes against our window. */
static int
take_window(struct channel *ch, uint32_t id, size_t n)
{
    if (ch->rcvd_eof) {
        log_error("channel %u: data after EOF", id);
        return ERR_PROTO;
    }
    if (n > ch->local_window) {
        log_error("channel %u: peer sent %zu bytes, window %u", id, n,
                  ch->local_window);
        return ERR_WINDOW;
    }
    ch->local_window -= (uint32_t)n;
    return 0;
}

/*
 * CHANNEL_DATA and CHANNEL_EXTENDED_DATA (RFC 4254 5.2):
 *   byte   SSH_MSG_CHANNEL_DATA          byte   SSH_MSG_CHANNEL_EXTENDED_DATA
 *   uint32 recipient channel             uint32 recipient channel
 *   string data                          uint32 data_type_code
 *                                        string data
 * Extended data (a session's stderr) goes to ext_data; without one (a
 * tunnel) it is dropped and its window given back at once.
 */
static int
recv_msg_data(struct conn *c, struct rd *rd, bool extended)
{
    struct channel *ch;
    uint32_t id = 0, code = 0;
    const uint8_t *p;
    size_t n;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPEN, &id, &ch)) != 0 ||
        (extended && (r = rd_u32(rd, &code)) != 0) ||
        (r = rd_string(rd, &p, &n, LIM_PACKET_RECV)) != 0 ||
        (r = rd_end(rd)) != 0 || (r = take_window(ch, id, n)) != 0) {
        return r;
    }
    if (n == 0) {
        return 0;
    }
    if (ch->sent_close || (extended && c->cbs.ext_data == NULL) ||
        (!extended && c->cbs.data == NULL)) {
        return conn_consumed(c, id, n);
    }
    if (extended) {
        c->cbs.ext_data(c->cbs.ctx, id, code, p, n);
    } else {
        c->cbs.data(c->cbs.ctx, id, p, n);
    }
    return 0;
}

/*
 * CHANNEL_EOF and CHANNEL_CLOSE (RFC 4254 5.3):
 *   byte   SSH_MSG_CHANNEL_EOF / SSH_MSG_CHANNEL_CLOSE
 *   uint32 recipient channel
 */
static int
recv_msg_eof(struct conn *c, struct rd *rd)
{
    struct channel *ch;
    uint32_t id = 0;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPEN, &id, &ch)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    if (ch->rcvd_eof) {
        return 0; /* OpenSSH ignores a repeated EOF too */
    }
    ch->rcvd_eof = true;
    if (c->cbs.eof != NULL) {
        c->cbs.eof(c->cbs.ctx, id);
    }
    return 0;
}

static int
recv_msg_close(struct conn *c, struct rd *rd)
{
    struct channel *ch;
    uint32_t id = 0;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPEN, &id, &ch)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    /* RFC 4254 5.3: answer with our CLOSE unless already sent. */
    ch->rcvd_eof = true;
    if ((r = conn_close(c, id)) != 0) {
        return r;
    }
    if (c->cbs.closed != NULL) {
        c->cbs.closed(c->cbs.ctx, id);
    }
    conn_chan_release(c, id);
    return 0;
}

/*
 * CHANNEL_REQUEST (RFC 4254 5.4):
 *   byte    SSH_MSG_CHANNEL_REQUEST
 *   uint32  recipient channel
 *   string  request type
 *   boolean want reply
 *   ....    type-specific data
 * The chan_request callback may take it (aditd's session channels);
 * otherwise a tunnel knows no channel request: those that want a reply
 * (PuTTY's winadj@putty.projects.tartarus.org, keepalive@openssh.com)
 * get CHANNEL_FAILURE, the others (eow@openssh.com) are ignored.
 */
static int
recv_msg_channel_request(struct conn *c, struct rd *rd)
{
    struct channel *ch;
    uint32_t id = 0;
    char *type = NULL;
    bool want_reply = false;
    const uint8_t *rest;
    size_t n;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPEN, &id, &ch)) != 0 ||
        (r = rd_cstring(rd, &type, LIM_STRING_SMALL)) != 0 ||
        (r = rd_bool(rd, &want_reply)) != 0) {
        goto out;
    }
    n = rd_left(rd);
    if ((r = rd_bytes(rd, n, &rest)) != 0) {
        goto out;
    }
    if (c->cbs.chan_request != NULL &&
        c->cbs.chan_request(c->cbs.ctx, id, type, want_reply, rest, n)) {
        goto out;
    }
    log_debug("channel %u: request %s ignored", id, type);
    if (want_reply) {
        r = conn_channel_reply(c, id, false);
    }
out:
    free(type);
    return r;
}

/*
 * CHANNEL_SUCCESS / CHANNEL_FAILURE (RFC 4254 5.4):
 *   byte   SSH_MSG_CHANNEL_SUCCESS / SSH_MSG_CHANNEL_FAILURE
 *   uint32 recipient channel
 * The owner of the channel (a session) matches it to its requests.
 */
static int
recv_msg_channel_reply(struct conn *c, struct rd *rd, bool ok)
{
    struct channel *ch;
    uint32_t id = 0;
    int r;

    if ((r = chan_lookup(c, rd, CHAN_OPEN, &id, &ch)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    if (c->cbs.chan_reply != NULL && !ch->sent_close) {
        c->cbs.chan_reply(c->cbs.ctx, id, ok);
    }
    return 0;
}

static int
dispatch(struct conn *c, uint8_t msg, struct rd *rd)
{
    switch (msg) {
    case SSH_MSG_GLOBAL_REQUEST:
        return recv_msg_global_request(c, rd);
    case SSH_MSG_REQUEST_SUCCESS:
        return recv_msg_request_reply(c, rd, true);
    case SSH_MSG_REQUEST_FAILURE:
        return recv_msg_request_reply(c, rd, false);
    case SSH_MSG_CHANNEL_OPEN:
        return recv_msg_channel_open(c, rd);
    case SSH_MSG_CHANNEL_OPEN_CONFIRMATION:
        return recv_msg_open_confirmation(c, rd);
    case SSH_MSG_CHANNEL_OPEN_FAILURE:
        return recv_msg_open_failure(c, rd);
    case SSH_MSG_CHANNEL_WINDOW_ADJUST:
        return recv_msg_window_adjust(c, rd);
    case SSH_MSG_CHANNEL_DATA:
        return recv_msg_data(c, rd, false);
    case SSH_MSG_CHANNEL_EXTENDED_DATA:
        return recv_msg_data(c, rd, true);
    case SSH_MSG_CHANNEL_EOF:
        return recv_msg_eof(c, rd);
    case SSH_MSG_CHANNEL_CLOSE:
        return recv_msg_close(c, rd);
    case SSH_MSG_CHANNEL_REQUEST:
        return recv_msg_channel_request(c, rd);
    case SSH_MSG_CHANNEL_SUCCESS:
        return recv_msg_channel_reply(c, rd, true);
    case SSH_MSG_CHANNEL_FAILURE:
        return recv_msg_channel_reply(c, rd, false);
    default:
        log_error("unexpected connection message %u", msg);
        return ERR_PROTO;
    }
}

int
conn_handle(struct conn *c, const uint8_t *payload, size_t len)
{
    struct rd rd;
    uint8_t msg;
    int r;

    if (c->in_send) {
        return ERR_INVAL;
    }
    rd_init(&rd, payload, len);
    if ((r = rd_u8(&rd, &msg)) != 0) {
        return r;
    }
    return dispatch(c, msg, &rd);
}
