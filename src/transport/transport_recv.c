/* SPDX-License-Identifier: ISC */
/* Transport input: the version line, packets and message dispatch. */
#include <stdlib.h>
#include <string.h>

#include "transport/gate.h"
#include "transport/ssh_msg.h"
#include "transport/transport_int.h"
#include "transport/version.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

/* Replace bytes a terminal could act on, for text from the peer. */
static void
sanitize(char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 || c == 0x7f) {
            *s = '?';
        }
    }
}

/*
 * SSH_MSG_DISCONNECT (RFC 4253 11.1):
 *   byte      SSH_MSG_DISCONNECT
 *   uint32    reason code
 *   string    description in ISO-10646 UTF-8
 *   string    language tag
 */
static int
recv_disconnect(struct transport *t, const uint8_t *p, size_t len)
{
    uint32_t reason = 0;
    char *desc = NULL;
    const uint8_t *lang;
    size_t lang_len;
    struct rd rd;
    int r;

    rd_init(&rd, p + 1, len - 1);
    if ((r = rd_u32(&rd, &reason)) != 0 ||
        (r = rd_cstring(&rd, &desc, LIM_STRING_SMALL)) != 0 ||
        (r = rd_string(&rd, &lang, &lang_len, LIM_STRING_SMALL)) != 0) {
        /* Some peers cut the message short; the reason is what counts. */
        log_debug("malformed DISCONNECT: %s", err_str(r));
    }
    t->send_closed = true;
    if (desc != NULL) {
        sanitize(desc);
    }
    r = tp_fail(t, ERR_DISCONNECTED, 0, "Received disconnect from peer: %u: %s",
                reason, desc != NULL ? desc : "");
    free(desc);
    return r;
}

/*
 * SSH_MSG_DEBUG (RFC 4253 11.3):
 *   byte      SSH_MSG_DEBUG
 *   boolean   always_display
 *   string    message in ISO-10646 UTF-8
 *   string    language tag
 */
static void
recv_debug(const uint8_t *p, size_t len)
{
    char *msg = NULL;
    bool always;
    struct rd rd;

    rd_init(&rd, p + 1, len - 1);
    if (rd_bool(&rd, &always) == 0 &&
        rd_cstring(&rd, &msg, LIM_STRING_SMALL) == 0) {
        sanitize(msg);
        log_debug("remote debug: %s", msg);
    }
    free(msg);
}

/* SSH_MSG_UNIMPLEMENTED (RFC 4253 11.4): uint32 rejected seqnr. */
static void
recv_unimplemented(const uint8_t *p, size_t len)
{
    uint32_t seq = 0;
    struct rd rd;

    rd_init(&rd, p + 1, len - 1);
    (void)rd_u32(&rd, &seq);
    log_debug("peer did not implement our packet %u", seq);
}

static int
send_unimplemented(struct transport *t, uint32_t seq)
{
    uint8_t msg[5];
    int r;

    msg[0] = SSH_MSG_UNIMPLEMENTED;
    put_u32_be(msg + 1, seq);
    /* During our kex this is a transport message too, so it is sent at
     * once rather than held (RFC 4253 7.1 allows it). */
    if ((r = tp_send_now(t, msg, sizeof(msg))) != 0) {
        return tp_fail(t, r, 0, "cannot send: %s", err_str(r));
    }
    return 0;
}

/* Where the connection is, for the gate (gate.h). */
static enum gate_phase
tp_phase(const struct transport *t)
{
    if (!t->first_kex_done && !t->got_kexinit) {
        return GATE_PRE_KEXINIT;
    }
    if (t->got_kexinit && !t->got_newkeys) {
        return !t->first_kex_done && t->strict ? GATE_KEX_STRICT : GATE_KEX;
    }
    return t->authenticated ? GATE_CONNECTION : GATE_USERAUTH;
}

/* A message the gate refused ends the connection, with a reason that
 * names the message and the phase. */
static int
gate_reject(struct transport *t, enum gate_phase ph, uint8_t type)
{
    if (ph == GATE_KEX_STRICT) {
        return tp_fail(t, ERR_STRICT_KEX, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "strict KEX violation: unexpected message %u %s", type,
                       gate_phase_str(ph));
    }
    return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                   "protocol error: unexpected message %u %s", type,
                   gate_phase_str(ph));
}

/*
 * Budgets, not legality: only kex messages may follow the peer's KEXINIT,
 * so a kex is bounded in packets; a server bounds what a peer may send
 * before it has authenticated (tinyssh PACKET_UNAUTHENTICATED_MESSAGES).
 */
static int
count_packet(struct transport *t)
{
    if ((t->got_kexinit || !t->first_kex_done) &&
        ++t->kex_packets > LIM_KEX_MESSAGES) {
        return tp_fail(t, ERR_LIMIT, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "too many packets during key exchange");
    }
    if (t->is_server && !t->authenticated &&
        ++t->unauth_packets > LIM_UNAUTH_PACKETS) {
        return tp_fail(t, ERR_LIMIT, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "too many messages before authentication");
    }
    return 0;
}

/* A message the gate accepted: 1 = for the caller, 0 = handled here. */
static int
handle(struct transport *t, const uint8_t *p, size_t len)
{
    uint8_t type = p[0];

    switch (type) {
    case SSH_MSG_DISCONNECT:
        return recv_disconnect(t, p, len);
    case SSH_MSG_IGNORE:
        return 0;
    case SSH_MSG_DEBUG:
        recv_debug(p, len);
        return 0;
    case SSH_MSG_UNIMPLEMENTED:
        recv_unimplemented(p, len);
        return 0;
    case SSH_MSG_EXT_INFO:
        return tp_kex_recv_ext_info(t, p, len);
    case SSH_MSG_KEXINIT:
        return tp_kex_recv_kexinit(t, p, len);
    case SSH_MSG_NEWKEYS:
        return tp_kex_recv_newkeys(t, p, len);
    default:
        break;
    }
    if (type >= SSH_MSG_KEX_ECDH_INIT && type < SSH_MSG_USERAUTH_REQUEST) {
        return tp_kex_recv_method(t, p, len);
    }
    return 1;
}

/*
 * Handle one packet: 1 = for the caller, 0 = handled, < 0 = error. The
 * gate decides first, so no handler sees a message out of its phase.
 */
static int
dispatch(struct transport *t, const uint8_t *p, size_t len, uint32_t seq)
{
    enum gate_phase ph = tp_phase(t);
    enum gate_verdict v = gate_check(t->is_server, ph, p[0]);
    int r;

    if (v == GATE_REJECT) {
        return gate_reject(t, ph, p[0]);
    }
    if (p[0] != SSH_MSG_DISCONNECT && (r = count_packet(t)) != 0) {
        return r;
    }
    switch (v) {
    case GATE_DROP:
        return 0;
    case GATE_UNIMPLEMENTED:
        return send_unimplemented(t, seq);
    default:
        return handle(t, p, len);
    }
}

static int
recv_version(struct transport *t)
{
    size_t consumed = 0;
    char *line = NULL;
    int r;

    r = version_parse(buf_ptr(&t->inbuf), buf_len(&t->inbuf), !t->is_server,
                      &t->prelines, &line, &consumed);
    buf_consume(&t->inbuf, consumed);
    if (r == ERR_AGAIN) {
        return r;
    }
    if (r != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_VERSION_NOT_SUPPORTED,
                       "bad protocol version identification");
    }
    t->peer_version = line;
    log_debug("remote software version %s", line);
    return 0;
}

/* Inflate a compressed payload in place of the view; a bomb or bad data
 * ends the connection. */
static int
inflate_payload(struct transport *t, const uint8_t **p, size_t *len)
{
    int r;

    r = comp_inflate(t->in.z, *p, *len, LIM_PAYLOAD_INFLATED, p, len);
    if (r == ERR_LIMIT) {
        return tp_fail(t, r, SSH_DISCONNECT_COMPRESSION_ERROR,
                       "compressed packet inflates to more than %u bytes",
                       (unsigned)LIM_PAYLOAD_INFLATED);
    }
    if (r != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_COMPRESSION_ERROR,
                       "bad compressed packet: %s", err_str(r));
    }
    return 0;
}

/* Read one packet; on success *p and *len view it and *seq is its number. */
static int
read_packet(struct transport *t, const uint8_t **p, size_t *len, uint32_t *seq)
{
    size_t consumed = 0;
    int r;

    *seq = t->in.seqnr;
    r = packet_recv(&t->in, &t->inbuf, p, len, &consumed);
    if (r == ERR_AGAIN) {
        return r;
    }
    if (r == ERR_MAC) {
        return tp_fail(t, r, SSH_DISCONNECT_MAC_ERROR,
                       "message authentication code incorrect");
    }
    if (r != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_PROTOCOL_ERROR, "bad packet: %s",
                       err_str(r));
    }
    t->in_consume = consumed;
    t->stats.packets_in++;
    if (t->in.z != NULL && (r = inflate_payload(t, p, len)) != 0) {
        return r;
    }
    if (!t->first_kex_done && t->in.seqnr == 0) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "sequence number wrapped during initial key "
                       "exchange");
    }
    if (*len == 0) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "empty packet");
    }
    if ((r = tp_comp_received(t, (*p)[0])) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_COMPRESSION_ERROR,
                       "cannot start compression: %s", err_str(r));
    }
    return 0;
}

int
transport_next(struct transport *t, const uint8_t **payload, size_t *len)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    uint32_t seq;
    int r;

    *payload = NULL;
    *len = 0;
    /* Each round consumes a packet from the bounded input buffer. */
    for (;;) {
        if (t->err != 0) {
            return t->err;
        }
        buf_consume(&t->inbuf, t->in_consume);
        t->in_consume = 0;
        if (t->peer_version == NULL && (r = recv_version(t)) != 0) {
            return r;
        }
        if ((r = read_packet(t, &p, &n, &seq)) != 0) {
            return r;
        }
        if ((r = dispatch(t, p, n, seq)) < 0) {
            return r;
        }
        if ((r == 1 || r == 0) && tp_maybe_rekey(t) != 0 && t->err == 0) {
            return tp_fail(t, ERR_INTERNAL, 0, "cannot start rekey");
        }
        if (r == 1) {
            *payload = p;
            *len = n;
            return 0;
        }
    }
}

bool
transport_payload_kept(const struct transport *t)
{
    return t->in.z == NULL;
}

void
transport_set_authenticated(struct transport *t)
{
    t->authenticated = true;
}

int
transport_tick(struct transport *t, uint64_t now_ms)
{
    int r;

    if (t->err != 0) {
        return t->err;
    }
    if (now_ms > t->now_ms) {
        t->now_ms = now_ms;
    }
    if ((r = tp_maybe_rekey(t)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "cannot start rekey: %s", err_str(r));
    }
    return 0;
}

int
transport_rekey(struct transport *t)
{
    int r;

    if (t->err != 0) {
        return t->err;
    }
    if (!t->first_kex_done || t->kex_running || t->send_closed) {
        return 0;
    }
    if ((r = tp_kex_start(t)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "cannot start rekey: %s", err_str(r));
    }
    return 0;
}
