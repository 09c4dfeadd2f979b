/* SPDX-License-Identifier: ISC */
/* Transport output: sending packets, the sink, held messages, errors. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "transport/ssh_msg.h"
#include "transport/transport_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

/* Rekey well before 2^32 packets (sequence numbers wrap; RFC 4344 3.1). */
#define TP_REKEY_PACKETS (1ull << 31)

int
tp_send_now(struct transport *t, const uint8_t *payload, size_t len)
{
    size_t before = buf_len(&t->outbuf);
    int r;

    if ((r = packet_send(&t->out, &t->outbuf, payload, len)) != 0 ||
        (len > 0 && (r = tp_comp_sent(t, payload[0])) != 0)) {
        return r;
    }
    t->stats.packets_out++;
    t->stats.bytes_out += buf_len(&t->outbuf) - before;
    /* A wrap during the initial kex would let an attacker replay
     * sequence numbers (PROTOCOLS.md 1.4 rule 5). */
    if (!t->first_kex_done && t->out.seqnr == 0) {
        return ERR_STRICT_KEX;
    }
    return 0;
}

int
tp_flush_held(struct transport *t)
{
    struct rd rd;
    int r = 0;

    rd_init(&rd, buf_ptr(&t->held), buf_len(&t->held));
    while (rd_left(&rd) > 0) {
        const uint8_t *p;
        size_t n;

        if ((r = rd_string(&rd, &p, &n, LIM_PACKET_RECV)) != 0 ||
            (r = tp_send_now(t, p, n)) != 0) {
            break;
        }
    }
    buf_reset(&t->held);
    t->held_count = 0;
    return r;
}

static void
send_disconnect(struct transport *t, uint32_t reason, const char *msg)
{
    struct buf b;

    buf_init(&b);
    if (buf_put_u8(&b, SSH_MSG_DISCONNECT) == 0 &&
        buf_put_u32(&b, reason) == 0 && buf_put_cstring(&b, msg) == 0 &&
        buf_put_cstring(&b, "") == 0) {
        (void)tp_send_now(t, buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
    t->send_closed = true;
}

int
tp_fail(struct transport *t, int r, uint32_t reason, const char *fmt, ...)
{
    va_list ap;

    if (t->err != 0) {
        return t->err;
    }
    t->err = r;
    va_start(ap, fmt);
    vsnprintf(t->errmsg, sizeof(t->errmsg), fmt, ap);
    va_end(ap);
    if (t->errmsg[0] == '\0') {
        snprintf(t->errmsg, sizeof(t->errmsg), "%s", err_str(r));
    }
    log_debug("%s", t->errmsg);
    if (reason != 0 && !t->send_closed) {
        send_disconnect(t, reason, t->errmsg);
    }
    return r;
}

int
transport_disconnect(struct transport *t, uint32_t reason, const char *msg)
{
    if (!t->send_closed) {
        send_disconnect(t, reason, msg != NULL ? msg : "");
    }
    return 0;
}

static uint64_t
rekey_limit(const struct transport *t, const struct pkt_dir *d)
{
    uint64_t lim = t->rekey_bytes;

    /* Never past 2^32 cipher blocks (RFC 4344 3.2). */
    if (d->calg != NULL && d->calg->block_size >= 16 &&
        lim > (d->calg->block_size << 32)) {
        lim = d->calg->block_size << 32;
    }
    return lim;
}

int
tp_maybe_rekey(struct transport *t)
{
    bool due;

    if (!t->first_kex_done || t->kex_running || t->send_closed || t->err != 0) {
        return 0;
    }
    due = t->in.bytes > rekey_limit(t, &t->in) ||
          t->out.bytes > rekey_limit(t, &t->out) ||
          t->in.packets > TP_REKEY_PACKETS ||
          t->out.packets > TP_REKEY_PACKETS ||
          t->now_ms - t->kex_done_ms >= t->rekey_ms;
    if (!due) {
        return 0;
    }
    log_debug("rekeying");
    return tp_kex_start(t);
}

/* Upper-layer messages are held from our KEXINIT until our NEWKEYS. */
static bool
holding(const struct transport *t)
{
    return t->sent_kexinit && !t->sent_newkeys;
}

static int
sink_reserve(void *ctx, size_t max, uint8_t **payload)
{
    struct transport *t = ctx;
    uint8_t *p = NULL;
    int r;

    *payload = NULL;
    if (t->err != 0) {
        return t->err;
    }
    if (t->send_closed) {
        return ERR_DISCONNECTED;
    }
    if (max > LIM_PACKET_RECV) {
        return ERR_LIMIT;
    }
    t->sink_to_held = holding(t);
    if (t->sink_to_held) {
        if ((r = buf_reserve(&t->held, 4 + max, &p)) != 0) {
            return r;
        }
        t->sink_hdr = p;
        *payload = p + 4;
        return 0;
    }
    t->sink_before = buf_len(&t->outbuf);
    if ((r = packet_begin(&t->out, &t->outbuf, max, payload)) != 0) {
        return r;
    }
    t->sink_payload = *payload;
    return 0;
}

static int
sink_commit(void *ctx, size_t len)
{
    struct transport *t = ctx;
    uint8_t type;
    int r;

    if (t->sink_to_held) {
        put_u32_be(t->sink_hdr, (uint32_t)len);
        buf_commit(&t->held, 4 + len);
        t->held_count++;
        t->sink_hdr = NULL;
        return 0;
    }
    /* The message number, before compression rewrites the payload. */
    type = len > 0 ? t->sink_payload[0] : 0;
    t->sink_payload = NULL;
    if ((r = packet_finish(&t->out, &t->outbuf, len)) != 0 ||
        (r = tp_comp_sent(t, type)) != 0) {
        return tp_fail(t, r, 0, "cannot send packet: %s", err_str(r));
    }
    t->stats.packets_out++;
    t->stats.bytes_out += buf_len(&t->outbuf) - t->sink_before;
    if ((r = tp_maybe_rekey(t)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "cannot start rekey: %s", err_str(r));
    }
    return 0;
}

void
transport_sink(struct transport *t, struct pkt_sink *out)
{
    out->ctx = t;
    out->reserve = sink_reserve;
    out->commit = sink_commit;
}

size_t
transport_queued(const struct transport *t)
{
    return buf_len(&t->outbuf) + buf_len(&t->held);
}

bool
transport_has_output(const struct transport *t)
{
    return buf_len(&t->outbuf) > 0;
}

void
transport_take_output(struct transport *t, struct buf *out)
{
    buf_reset(out);
    buf_swap(&t->outbuf, out);
}

const uint8_t *
transport_output(const struct transport *t, size_t *n)
{
    *n = buf_len(&t->outbuf);
    return buf_ptr(&t->outbuf);
}

void
transport_output_done(struct transport *t, size_t n)
{
    buf_consume(&t->outbuf, n);
}

/* Free b if it is empty, adding its size to *freed. */
static void
trim_buf(struct buf *b, size_t *freed)
{
    if (buf_len(b) == 0) {
        *freed += b->cap;
        buf_cleanup(b);
    }
}

size_t
transport_trim(struct transport *t)
{
    size_t freed = 0;

    /* No payload from transport_next is in use between events: what the
     * last one left to drop can go now. */
    buf_consume(&t->inbuf, t->in_consume);
    t->in_consume = 0;
    trim_buf(&t->inbuf, &freed);
    trim_buf(&t->outbuf, &freed);
    trim_buf(&t->held, &freed);
    return freed;
}
