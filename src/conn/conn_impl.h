/* SPDX-License-Identifier: ISC */
/* Internal state of the connection protocol, shared by conn.c and conn_recv.c.
 */
#ifndef ADIT_CONN_CONN_IMPL_H
#define ADIT_CONN_CONN_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn/conn.h"
#include "wire/buf.h"

/*
 * Who waits for the replies to our global requests, oldest first (replies
 * come in request order, RFC 4254 4). Consecutive requests of the same
 * kind share a run, so the ring stays small: keepalives (answered here)
 * alternate with the caller's requests only as often as the caller asks.
 */
#define CONN_REPLY_RUNS 64u

struct reply_run {
    bool is_keepalive;
    uint32_t n;
};

enum chan_state {
    CHAN_FREE = 0,
    CHAN_OPENING,      /* we sent CHANNEL_OPEN, no answer yet */
    CHAN_PEER_OPENING, /* the peer asked, we have not answered */
    CHAN_OPEN,         /* confirmed both ways */
};

/*
 * One channel. The half-states follow OpenSSH nchan.c: each side sends EOF
 * at most once and CLOSE at most once; the slot is freed when both CLOSEs
 * have been seen (we always answer the peer's CLOSE with ours at once).
 */
struct channel {
    enum chan_state state;
    bool sent_eof, sent_close, rcvd_eof;
    bool close_wanted; /* conn_close() while still opening */
    uint32_t remote_id;
    uint32_t local_window;   /* what the peer may still send us */
    uint32_t local_consumed; /* delivered and consumed, not yet adjusted */
    uint32_t window_size;    /* our whole grant: local_window, data not yet
                              * consumed, and local_consumed */
    uint32_t grow_consumed;  /* adjusted since the window last could grow */
    uint32_t remote_window;  /* what we may still send */
    uint32_t remote_maxpkt;
    void *udata;
    const char *type; /* a static string (conn_list.c), NULL if unnamed */
    struct conn_label *label; /* its name, unformatted; freed with the slot */
};

struct conn {
    struct pkt_sink sink;
    struct conn_cbs cbs;
    struct channel *chans; /* indexed by local id */
    size_t n_alloc;
    size_t n_open;
    size_t free_hint; /* no free slot below this index */
    bool peer_adit;   /* conn_set_peer_adit */
    uint64_t windows; /* window_size of every channel: LIM_CONN_WINDOWS */
    struct reply_run runs[CONN_REPLY_RUNS]; /* requests awaiting a reply */
    size_t run_head, n_runs;
    uint64_t replies; /* replies received to our requests, in all */
    uint64_t asked;   /* requests sent that want a reply, in all */
    struct conn_chan_stats stats;
    bool in_send; /* between conn_send_begin and _commit */
    uint32_t send_id;
    uint8_t *send_room; /* reserved payload, header at the front */
    size_t send_max;
};

/* The channel for a local id in any state but CHAN_FREE, or NULL. */
struct channel *conn_chan(const struct conn *c, uint32_t id);
/* Take a free slot (growing the table up to LIM_CHANNELS). ERR_LIMIT. */
int conn_chan_alloc(struct conn *c, uint32_t *id);
/*
 * What channel id's name is made of, kept as given at the open and put in
 * words only when listed (conn_chan_next): formatting it at every open
 * cost more CPU than the rest of opening a short connection. Its strings
 * follow it in one allocation, each NUL-ended and at most
 * CONN_CHAN_NAME_MAX bytes: type, host, orig_host, path.
 */
struct conn_label {
    uint32_t port, orig_port;
    bool ours;
    char s[];
};

/* Name channel id for conn_open_message after info (ours: we opened it).
 * ERR_CHANNEL, ERR_NOMEM (the channel then goes unnamed). */
int conn_chan_name(struct conn *c, uint32_t id,
                   const struct chan_open_info *info, bool ours);
/* Release a slot; its id may be handed out again. */
void conn_chan_release(struct conn *c, uint32_t id);

/* The oldest pending reply arrived: false if none was pending, else whose
 * it was (a keepalive is answered here, not passed to global_reply). */
bool conn_take_reply(struct conn *c, bool *is_keepalive);

/* Build and send small messages. */
int conn_send_msg(struct conn *c, const struct buf *b);
int conn_send_u32msg(struct conn *c, uint8_t msg, uint32_t v);
int conn_send_open_failure(struct conn *c, uint32_t remote_id, uint32_t reason,
                           const char *text);

#endif
