/* SPDX-License-Identifier: ISC */
/* The connection protocol (RFC 4254): channel table and the sending side. */
#include "conn/conn.h"

#include <stdlib.h>
#include <string.h>

#include "conn/conn_impl.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

/* Header of CHANNEL_DATA: byte msg, uint32 recipient, uint32 length. */
#define CONN_DATA_HDR 9u
#define CONN_TABLE_MIN 16u

int
conn_new(struct conn **out, const struct pkt_sink *sink,
         const struct conn_cbs *cbs)
{
    struct conn *c;

    *out = NULL;
    if (sink == NULL || sink->reserve == NULL || sink->commit == NULL) {
        return ERR_INVAL;
    }
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return ERR_NOMEM;
    }
    c->sink = *sink;
    if (cbs != NULL) {
        c->cbs = *cbs;
    }
    *out = c;
    return 0;
}

void
conn_set_peer_adit(struct conn *c, bool is_adit)
{
    c->peer_adit = is_adit;
}

/* The largest data chunk of one CHANNEL_DATA, ours to advertise and our
 * cap when sending: RFC 4253 6.1 promises only 35000-byte packets. */
static uint32_t
conn_packet_max(const struct conn *c)
{
    return c->peer_adit ? LIM_CHAN_PACKET_ADIT : LIM_CHAN_PACKET;
}

void
conn_free(struct conn *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    for (i = 0; i < c->n_alloc; i++) {
        free(c->chans[i].label);
    }
    free(c->chans);
    free(c);
}

struct channel *
conn_chan(const struct conn *c, uint32_t id)
{
    if (id >= c->n_alloc || c->chans[id].state == CHAN_FREE) {
        return NULL;
    }
    return &c->chans[id];
}

/* What the connection's window budget can still give one channel, up to
 * want; never less than one packet. */
static uint32_t
window_share(const struct conn *c, uint32_t want)
{
    uint64_t left =
        c->windows < LIM_CONN_WINDOWS ? LIM_CONN_WINDOWS - c->windows : 0;

    if (left < want) {
        want = (uint32_t)left;
    }
    return want;
}

int
conn_chan_alloc(struct conn *c, uint32_t *id)
{
    struct channel *n;
    size_t i, want;

    /* Slots below the hint are taken: opening N channels in a row is
     * O(N), not O(N^2), however many are open. */
    for (i = c->free_hint; i < c->n_alloc; i++) {
        if (c->chans[i].state == CHAN_FREE) {
            break;
        }
    }
    if (i == c->n_alloc) {
        if (c->n_alloc >= LIM_CHANNELS) {
            return ERR_LIMIT;
        }
        want = c->n_alloc == 0 ? CONN_TABLE_MIN : c->n_alloc * 2;
        if (want > LIM_CHANNELS) {
            want = LIM_CHANNELS;
        }
        if ((n = realloc(c->chans, want * sizeof(*n))) == NULL) {
            return ERR_NOMEM;
        }
        memset(n + c->n_alloc, 0, (want - c->n_alloc) * sizeof(*n));
        c->chans = n;
        c->n_alloc = want;
    }
    memset(&c->chans[i], 0, sizeof(c->chans[i]));
    c->chans[i].state = CHAN_OPENING;
    c->chans[i].window_size = window_share(c, LIM_WINDOW_INITIAL);
    if (c->chans[i].window_size < LIM_CHAN_PACKET) {
        c->chans[i].window_size = LIM_CHAN_PACKET;
    }
    c->chans[i].local_window = c->chans[i].window_size;
    c->windows += c->chans[i].window_size;
    c->n_open++;
    c->free_hint = i + 1;
    *id = (uint32_t)i;
    return 0;
}

void
conn_chan_release(struct conn *c, uint32_t id)
{
    if (conn_chan(c, id) == NULL) {
        return;
    }
    c->windows -= c->chans[id].window_size;
    free(c->chans[id].label);
    memset(&c->chans[id], 0, sizeof(c->chans[id]));
    c->n_open--;
    if (id < c->free_hint) {
        c->free_hint = id;
    }
}

int
conn_send_msg(struct conn *c, const struct buf *b)
{
    if (c->in_send) {
        return ERR_INVAL;
    }
    return sink_send(&c->sink, buf_ptr(b), buf_len(b));
}

int
conn_send_u32msg(struct conn *c, uint8_t msg, uint32_t v)
{
    uint8_t m[5];

    if (c->in_send) {
        return ERR_INVAL;
    }
    m[0] = msg;
    put_u32_be(m + 1, v);
    return sink_send(&c->sink, m, sizeof(m));
}

int
conn_send_open_failure(struct conn *c, uint32_t remote_id, uint32_t reason,
                       const char *text)
{
    struct buf b;
    int r;

    c->stats.received_failed++;
    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_FAILURE)) != 0 ||
        (r = buf_put_u32(&b, remote_id)) != 0 ||
        (r = buf_put_u32(&b, reason)) != 0 ||
        (r = buf_put_cstring(&b, text != NULL ? text : "")) != 0 ||
        (r = buf_put_cstring(&b, "")) != 0) {
        goto out;
    }
    r = conn_send_msg(c, &b);
out:
    buf_cleanup(&b);
    return r;
}

/*
 * The streamlocal channel types (OpenSSH PROTOCOL 2.4), after the common
 * CHANNEL_OPEN fields:
 *   direct-streamlocal@openssh.com:    string socket path, string reserved,
 *                                      uint32 reserved
 *   forwarded-streamlocal@openssh.com: string socket path, string reserved
 * Other types carry nothing more.
 */
static int
encode_open_streamlocal(struct buf *b, const struct chan_open_info *info)
{
    bool direct = strcmp(info->type, CONN_DIRECT_STREAMLOCAL) == 0;
    int r;

    if (!direct && strcmp(info->type, CONN_FORWARDED_STREAMLOCAL) != 0) {
        return 0;
    }
    if (info->path == NULL) {
        return ERR_INVAL;
    }
    if ((r = buf_put_cstring(b, info->path)) != 0 ||
        (r = buf_put_cstring(b, "")) != 0) {
        return r;
    }
    return direct ? buf_put_u32(b, 0) : 0;
}

/* x11 (RFC 4254 6.3.2): string originator address, uint32 its port. */
static int
encode_open_x11(struct buf *b, const struct chan_open_info *info)
{
    int r;

    if (info->orig_host == NULL || info->orig_port > 65535) {
        return ERR_INVAL;
    }
    if ((r = buf_put_cstring(b, info->orig_host)) != 0) {
        return r;
    }
    return buf_put_u32(b, info->orig_port);
}

/*
 * CHANNEL_OPEN (RFC 4254 5.1, 7.2):
 *   byte   SSH_MSG_CHANNEL_OPEN
 *   string channel type
 *   uint32 sender channel, uint32 initial window, uint32 maximum packet
 *   direct-tcpip / forwarded-tcpip: string host, uint32 port,
 *                                   string originator, uint32 orig. port
 */
static int
encode_open(struct buf *b, const struct chan_open_info *info, uint32_t id,
            uint32_t window, uint32_t maxpkt)
{
    bool tcpip = strcmp(info->type, "direct-tcpip") == 0 ||
                 strcmp(info->type, "forwarded-tcpip") == 0;
    int r;

    if ((r = buf_put_u8(b, SSH_MSG_CHANNEL_OPEN)) != 0 ||
        (r = buf_put_cstring(b, info->type)) != 0 ||
        (r = buf_put_u32(b, id)) != 0 || (r = buf_put_u32(b, window)) != 0 ||
        (r = buf_put_u32(b, maxpkt)) != 0) {
        return r;
    }
    if (strcmp(info->type, CONN_X11) == 0) {
        return encode_open_x11(b, info);
    }
    if (!tcpip) {
        return encode_open_streamlocal(b, info);
    }
    if (info->host == NULL || info->orig_host == NULL || info->port > 65535 ||
        info->orig_port > 65535) {
        return ERR_INVAL;
    }
    if ((r = buf_put_cstring(b, info->host)) != 0 ||
        (r = buf_put_u32(b, info->port)) != 0 ||
        (r = buf_put_cstring(b, info->orig_host)) != 0 ||
        (r = buf_put_u32(b, info->orig_port)) != 0) {
        return r;
    }
    return 0;
}

int
conn_open(struct conn *c, const struct chan_open_info *info, void *udata,
          uint32_t *id)
{
    struct buf b;
    uint32_t nid = 0;
    bool have_id = false;
    int r;

    *id = 0;
    buf_init(&b);
    if (info == NULL || info->type == NULL) {
        r = ERR_INVAL;
        goto out;
    }
    if ((r = conn_chan_alloc(c, &nid)) != 0) {
        goto out;
    }
    have_id = true;
    if ((r = encode_open(&b, info, nid, c->chans[nid].local_window,
                         conn_packet_max(c))) != 0 ||
        (r = conn_send_msg(c, &b)) != 0) {
        goto out;
    }
    c->chans[nid].state = CHAN_OPENING;
    c->chans[nid].udata = udata;
    (void)conn_chan_name(c, nid, info, true); /* only ~# misses it */
    c->stats.sent++;
    *id = nid;
out:
    if (r != 0 && have_id) {
        conn_chan_release(c, nid);
    }
    buf_cleanup(&b);
    return r;
}

int
conn_open_confirm(struct conn *c, uint32_t id)
{
    struct channel *ch = conn_chan(c, id);
    struct buf b;
    int r;

    if (ch == NULL || ch->state != CHAN_PEER_OPENING) {
        return ERR_CHANNEL;
    }
    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_CHANNEL_OPEN_CONFIRMATION)) != 0 ||
        (r = buf_put_u32(&b, ch->remote_id)) != 0 ||
        (r = buf_put_u32(&b, id)) != 0 ||
        (r = buf_put_u32(&b, ch->local_window)) != 0 ||
        (r = buf_put_u32(&b, conn_packet_max(c))) != 0 ||
        (r = conn_send_msg(c, &b)) != 0) {
        goto out;
    }
    ch->state = CHAN_OPEN;
out:
    buf_cleanup(&b);
    return r;
}

int
conn_open_fail(struct conn *c, uint32_t id, uint32_t reason, const char *msg)
{
    struct channel *ch = conn_chan(c, id);
    int r;

    if (ch == NULL || ch->state != CHAN_PEER_OPENING) {
        return ERR_CHANNEL;
    }
    r = conn_send_open_failure(c, ch->remote_id, reason, msg);
    conn_chan_release(c, id);
    return r;
}

void
conn_get_chan_stats(const struct conn *c, struct conn_chan_stats *out)
{
    *out = c->stats;
}

void
conn_set_udata(struct conn *c, uint32_t id, void *udata)
{
    struct channel *ch = conn_chan(c, id);

    if (ch != NULL) {
        ch->udata = udata;
    }
}

void *
conn_udata(const struct conn *c, uint32_t id)
{
    struct channel *ch = conn_chan(c, id);

    return ch != NULL ? ch->udata : NULL;
}

size_t
conn_send_window(const struct conn *c, uint32_t id)
{
    struct channel *ch = conn_chan(c, id);

    if (ch == NULL || ch->state != CHAN_OPEN || ch->sent_eof ||
        ch->sent_close) {
        return 0;
    }
    return ch->remote_window;
}

/* Largest data chunk for one CHANNEL_DATA now. */
static size_t
chunk_max(const struct conn *c, const struct channel *ch)
{
    size_t m = ch->remote_window;

    if (m > ch->remote_maxpkt) {
        m = ch->remote_maxpkt;
    }
    if (m > conn_packet_max(c)) {
        m = conn_packet_max(c);
    }
    return m;
}

int
conn_send_begin(struct conn *c, uint32_t id, size_t want, size_t *max,
                uint8_t **p)
{
    struct channel *ch;
    uint8_t *room = NULL;
    size_t m;
    int r;

    *max = 0;
    *p = NULL;
    if (c->in_send) {
        return ERR_INVAL;
    }
    if (conn_send_window(c, id) == 0) {
        return ERR_WINDOW;
    }
    ch = conn_chan(c, id);
    m = chunk_max(c, ch);
    if (m == 0) {
        return ERR_WINDOW;
    }
    if (m > want) {
        m = want;
    }
    if ((r = c->sink.reserve(c->sink.ctx, CONN_DATA_HDR + m, &room)) != 0) {
        return r;
    }
    room[0] = SSH_MSG_CHANNEL_DATA;
    put_u32_be(room + 1, ch->remote_id);
    c->in_send = true;
    c->send_id = id;
    c->send_room = room;
    c->send_max = m;
    *max = m;
    *p = room + CONN_DATA_HDR;
    return 0;
}

int
conn_send_commit(struct conn *c, uint32_t id, size_t n)
{
    struct channel *ch = conn_chan(c, id);
    int r;

    if (!c->in_send || c->send_id != id || ch == NULL || n > c->send_max) {
        return ERR_INVAL;
    }
    c->in_send = false;
    if (n == 0) {
        /* Nothing to send: the reservation is simply not committed. */
        return 0;
    }
    /* The header was written by conn_send_begin but for the length. */
    put_u32_be(c->send_room + 5, (uint32_t)n);
    if ((r = c->sink.commit(c->sink.ctx, CONN_DATA_HDR + n)) != 0) {
        return r;
    }
    ch->remote_window -= (uint32_t)n;
    return 0;
}

int
conn_send(struct conn *c, uint32_t id, const uint8_t *p, size_t n)
{
    uint8_t *room = NULL;
    size_t max = 0, k;
    int r;

    if (n > conn_send_window(c, id)) {
        return ERR_WINDOW;
    }
    while (n > 0) {
        if ((r = conn_send_begin(c, id, n, &max, &room)) != 0) {
            return r;
        }
        k = n < max ? n : max;
        memcpy(room, p, k);
        if ((r = conn_send_commit(c, id, k)) != 0) {
            return r;
        }
        p += k;
        n -= k;
    }
    return 0;
}

/*
 * CHANNEL_EXTENDED_DATA (RFC 4254 5.2): byte msg, uint32 recipient,
 * uint32 data_type_code, string data. For short messages only: one packet.
 */
int
conn_send_extended(struct conn *c, uint32_t id, uint32_t code, const uint8_t *p,
                   size_t n)
{
    struct channel *ch = conn_chan(c, id);
    struct buf b;
    int r;

    if (ch == NULL || n > conn_send_window(c, id) || n > chunk_max(c, ch)) {
        return ERR_WINDOW;
    }
    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_CHANNEL_EXTENDED_DATA)) != 0 ||
        (r = buf_put_u32(&b, ch->remote_id)) != 0 ||
        (r = buf_put_u32(&b, code)) != 0 ||
        (r = buf_put_string(&b, p, n)) != 0 ||
        (r = conn_send_msg(c, &b)) != 0) {
        goto out;
    }
    ch->remote_window -= (uint32_t)n;
out:
    buf_cleanup(&b);
    return r;
}

/*
 * CHANNEL_REQUEST (RFC 4254 5.4): byte msg, uint32 recipient, string
 * type, boolean want reply, then the type-specific data.
 */
int
conn_channel_request(struct conn *c, uint32_t id, const char *type,
                     bool want_reply, const uint8_t *data, size_t n)
{
    struct channel *ch = conn_chan(c, id);
    struct buf b;
    int r;

    if (ch == NULL || ch->state != CHAN_OPEN) {
        return ERR_CHANNEL;
    }
    if (ch->sent_close) {
        return 0;
    }
    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_CHANNEL_REQUEST)) != 0 ||
        (r = buf_put_u32(&b, ch->remote_id)) != 0 ||
        (r = buf_put_cstring(&b, type)) != 0 ||
        (r = buf_put_bool(&b, want_reply)) != 0 ||
        (n > 0 && (r = buf_put(&b, data, n)) != 0)) {
        goto out;
    }
    r = conn_send_msg(c, &b);
out:
    buf_cleanup(&b);
    return r;
}

int
conn_channel_reply(struct conn *c, uint32_t id, bool ok)
{
    struct channel *ch = conn_chan(c, id);

    if (ch == NULL || ch->state != CHAN_OPEN) {
        return ERR_CHANNEL;
    }
    if (ch->sent_close) {
        return 0;
    }
    return conn_send_u32msg(
        c, ok ? SSH_MSG_CHANNEL_SUCCESS : SSH_MSG_CHANNEL_FAILURE,
        ch->remote_id);
}

int
conn_send_eof(struct conn *c, uint32_t id)
{
    struct channel *ch = conn_chan(c, id);
    int r;

    if (ch == NULL) {
        return ERR_CHANNEL;
    }
    if (ch->state != CHAN_OPEN || ch->sent_eof || ch->sent_close) {
        return 0;
    }
    if ((r = conn_send_u32msg(c, SSH_MSG_CHANNEL_EOF, ch->remote_id)) != 0) {
        return r;
    }
    ch->sent_eof = true;
    return 0;
}

int
conn_close(struct conn *c, uint32_t id)
{
    struct channel *ch = conn_chan(c, id);
    int r;

    if (ch == NULL) {
        return ERR_CHANNEL;
    }
    switch (ch->state) {
    case CHAN_PEER_OPENING:
        return conn_open_fail(c, id, SSH_OPEN_CONNECT_FAILED, "closed");
    case CHAN_OPENING:
        /* CLOSE needs the peer's id: send it once the answer comes. */
        ch->close_wanted = true;
        return 0;
    default:
        break;
    }
    if (ch->sent_close) {
        return 0;
    }
    if ((r = conn_send_u32msg(c, SSH_MSG_CHANNEL_CLOSE, ch->remote_id)) != 0) {
        return r;
    }
    ch->sent_close = true;
    return 0;
}

/*
 * The size a channel's window should have: LIM_WINDOW_INITIAL again once
 * the budget allows (it opened when the connection's budget was spent),
 * and, with an adit peer, twice its size each time a quarter of it has
 * been consumed while the local side kept up (little of it waiting to be
 * delivered), up to LIM_WINDOW_MAX. A bulk transfer's window so grows
 * about fourfold per round trip until it covers the path's
 * bandwidth-delay product (a fixed 2 MiB, as OpenSSH's, allows 20 MB/s
 * over a 100 ms round trip), and a channel whose local reader is slow
 * keeps its window.
 */
static uint32_t
window_target(struct channel *ch, bool peer_adit)
{
    uint32_t waiting = ch->window_size - ch->local_window - ch->local_consumed;
    uint32_t want = ch->window_size;

    ch->grow_consumed += ch->local_consumed;
    if (ch->grow_consumed >= ch->window_size / 4) {
        ch->grow_consumed = 0;
        if (peer_adit && waiting <= ch->window_size / 4 &&
            ch->window_size <= LIM_WINDOW_MAX / 2) {
            want = ch->window_size * 2;
        }
    }
    return want > LIM_WINDOW_INITIAL ? want : LIM_WINDOW_INITIAL;
}

/*
 * Give the peer back what was consumed (RFC 4254 5.2), and what the
 * connection's budget allows toward window_target.
 */
static int
send_window_adjust(struct conn *c, struct channel *ch)
{
    uint32_t grow =
        window_share(c, window_target(ch, c->peer_adit) - ch->window_size);
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_CHANNEL_WINDOW_ADJUST)) != 0 ||
        (r = buf_put_u32(&b, ch->remote_id)) != 0 ||
        (r = buf_put_u32(&b, ch->local_consumed + grow)) != 0 ||
        (r = conn_send_msg(c, &b)) != 0) {
        goto out;
    }
    ch->local_window += ch->local_consumed + grow;
    ch->local_consumed = 0;
    ch->window_size += grow;
    c->windows += grow;
out:
    buf_cleanup(&b);
    return r;
}

int
conn_consumed(struct conn *c, uint32_t id, size_t n)
{
    struct channel *ch = conn_chan(c, id);
    uint32_t unconsumed;
    int r;

    if (ch == NULL) {
        return ERR_CHANNEL;
    }
    unconsumed = ch->window_size - ch->local_window - ch->local_consumed;
    if (n > unconsumed) {
        return ERR_INVAL;
    }
    ch->local_consumed += (uint32_t)n;
    /*
     * An eighth, not a half: a sender that keeps the whole window in
     * flight delivers it in bursts one round trip apart, and a half-window
     * threshold would leave up to half of each burst unreturned until the
     * next (a peer holding 2 MiB in flight then gets 1 MiB per round trip).
     */
    if (ch->local_consumed < ch->window_size / 8 || ch->sent_close ||
        ch->state != CHAN_OPEN) {
        return 0;
    }
    if ((r = send_window_adjust(c, ch)) != 0) {
        return r;
    }
    return 0;
}

/* Room for one more pending reply of this kind? */
static bool
reply_room(const struct conn *c, bool is_keepalive)
{
    const struct reply_run *last;

    if (c->n_runs == 0) {
        return true;
    }
    last = &c->runs[(c->run_head + c->n_runs - 1) % CONN_REPLY_RUNS];
    if (last->is_keepalive == is_keepalive) {
        return last->n < UINT32_MAX;
    }
    return c->n_runs < CONN_REPLY_RUNS;
}

static void
reply_expect(struct conn *c, bool is_keepalive)
{
    struct reply_run *last = NULL;

    if (c->n_runs > 0) {
        last = &c->runs[(c->run_head + c->n_runs - 1) % CONN_REPLY_RUNS];
    }
    if (last == NULL || last->is_keepalive != is_keepalive) {
        last = &c->runs[(c->run_head + c->n_runs) % CONN_REPLY_RUNS];
        last->is_keepalive = is_keepalive;
        last->n = 0;
        c->n_runs++;
    }
    last->n++;
    c->asked++;
}

static int
global_request(struct conn *c, const char *name, bool want_reply,
               const uint8_t *data, size_t n, bool is_keepalive)
{
    struct buf b;
    int r;

    if (want_reply && !reply_room(c, is_keepalive)) {
        return ERR_LIMIT;
    }
    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_GLOBAL_REQUEST)) != 0 ||
        (r = buf_put_cstring(&b, name)) != 0 ||
        (r = buf_put_bool(&b, want_reply)) != 0 ||
        (n > 0 && (r = buf_put(&b, data, n)) != 0) ||
        (r = conn_send_msg(c, &b)) != 0) {
        goto out;
    }
    if (want_reply) {
        reply_expect(c, is_keepalive);
    }
out:
    buf_cleanup(&b);
    return r;
}

int
conn_global_request(struct conn *c, const char *name, bool want_reply,
                    const uint8_t *data, size_t n)
{
    return global_request(c, name, want_reply, data, n, false);
}

int
conn_send_keepalive(struct conn *c)
{
    return global_request(c, "keepalive@openssh.com", true, NULL, 0, true);
}

bool
conn_take_reply(struct conn *c, bool *is_keepalive)
{
    struct reply_run *run;

    *is_keepalive = false;
    if (c->n_runs == 0) {
        return false;
    }
    run = &c->runs[c->run_head];
    *is_keepalive = run->is_keepalive;
    if (--run->n == 0) {
        c->run_head = (c->run_head + 1) % CONN_REPLY_RUNS;
        c->n_runs--;
    }
    c->replies++;
    return true;
}

uint64_t
conn_replies_received(const struct conn *c)
{
    return c->replies;
}

uint64_t
conn_replies_asked(const struct conn *c)
{
    return c->asked;
}

size_t
conn_channel_count(const struct conn *c)
{
    return c->n_open;
}
