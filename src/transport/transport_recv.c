/* SPDX-License-Identifier: ISC */
/* Transport input: the version line, packets and message dispatch. */
#include <stdlib.h>
#include <string.h>

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

static bool
is_kex_msg(uint8_t type)
{
    return type >= SSH_MSG_KEXINIT && type <= 49;
}

/* A message for the layers above: only between key exchanges' halves. */
static int
upper_msg(struct transport *t, uint8_t type)
{
    if (!t->first_kex_done) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "message %u before the first key exchange ended", type);
    }
    if (t->got_kexinit && !t->got_newkeys) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "message %u during key exchange", type);
    }
    return 1;
}

/* Handle one packet: 1 = for the caller, 0 = handled, < 0 = error. */
static int
dispatch(struct transport *t, const uint8_t *p, size_t len, uint32_t seq)
{
    uint8_t type = p[0];

    if (type == SSH_MSG_DISCONNECT) {
        return recv_disconnect(t, p, len);
    }
    if (t->strict && !t->first_kex_done && !is_kex_msg(type)) {
        return tp_fail(t, ERR_STRICT_KEX, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "strict KEX violation: unexpected message %u "
                       "during initial key exchange",
                       type);
    }
    /* Only kex messages may follow the peer's KEXINIT, so count from
     * there (data sent before it is not bounded by this). */
    if ((t->got_kexinit || !t->first_kex_done) &&
        ++t->kex_packets > LIM_KEX_MESSAGES) {
        return tp_fail(t, ERR_LIMIT, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "too many packets during key exchange");
    }
    switch (type) {
    case SSH_MSG_IGNORE:
        return 0;
    case SSH_MSG_DEBUG:
        recv_debug(p, len);
        return 0;
    case SSH_MSG_UNIMPLEMENTED:
        recv_unimplemented(p, len);
        return 0;
    case SSH_MSG_SERVICE_REQUEST:
    case SSH_MSG_SERVICE_ACCEPT:
        return upper_msg(t, type);
    case SSH_MSG_EXT_INFO:
        if (!t->first_kex_done) {
            return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                           "EXT_INFO before NEWKEYS");
        }
        return tp_kex_recv_ext_info(t, p, len);
    case SSH_MSG_KEXINIT:
        return tp_kex_recv_kexinit(t, p, len);
    case SSH_MSG_NEWKEYS:
        return tp_kex_recv_newkeys(t, p, len);
    default:
        break;
    }
    if (type >= 50) {
        return upper_msg(t, type);
    }
    if (type >= 30) {
        return tp_kex_recv_method(t, p, len);
    }
    if (is_kex_msg(type)) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "unexpected key exchange message %u", type);
    }
    return send_unimplemented(t, seq);
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
            t->last_seq = seq;
            *payload = p;
            *len = n;
            return 0;
        }
    }
}

int
transport_unimplemented(struct transport *t)
{
    if (t->err != 0) {
        return t->err;
    }
    return send_unimplemented(t, t->last_seq);
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
