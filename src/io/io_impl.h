/* SPDX-License-Identifier: ISC */
/* Internals shared by io_conn.c and io_chan.c. */
#ifndef ADIT_IO_IO_IMPL_H
#define ADIT_IO_IO_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "io/io_chan.h"
#include "io/io_conn.h"
#include "io/io_connect.h"
#include "util/adit_limits.h"
#include "wire/buf.h"

/* One read from the network takes up to a whole largest packet (or eight
 * of OpenSSH's): fewer syscalls per byte in bulk. */
#define IO_READ_SIZE LIM_PACKET_RECV
/*
 * But a connection starts with reads of this size, doubled each time a
 * read fills what it was offered, and back to it once idle: a handshake,
 * a login and keepalives fit many times over, and a server holding
 * thousands of logins does not reserve (and wipe, touching every page)
 * a whole largest packet of input for each.
 */
#define IO_READ_MIN (16u * 1024u)
/*
 * A channel's socket starts at this, as large as a packet to an OpenSSH
 * peer: with 16 KiB reads the bulk echo test (16 KiB socket buffers, the
 * SSH window shut and reopened) crawled at 160 KB/s, each side's sender
 * waiting on TCP's persist timer for a window the small reads did not
 * open; from 32 KiB it runs at full speed.
 */
#define IO_CHAN_READ_MIN (32u * 1024u)
/*
 * What one channel reads in one turn of the loop before the other ready
 * channels have their turn (io_chan_alloc): as much as one write of the
 * connection takes (IO_FLUSH_AT), so a lone bulk channel still makes one
 * write and one poll per half-megabyte.
 */
#define IO_CHAN_TURN_MAX (512u * 1024u)
#define IO_WREQ_POOL 4u
/*
 * Writes in flight on one connection. Output produced while they are
 * pending stays in the transport's buffer and goes out in one write when
 * one completes: fewer syscalls, and the few pooled buffers are reused
 * instead of hundreds being allocated, grown and freed under load.
 */
#define IO_WRITES_MAX 2u
/*
 * Output is written once per turn of the loop (io_conn_flush), or at
 * once when this much waits: a batch large enough that the syscalls per
 * byte are few, small enough to be still in the cache when written.
 */
#define IO_FLUSH_AT (512u * 1024u)
/*
 * Drained channel write buffers the connection keeps for the next burst
 * (io_conn_spare_give/take): a busy channel reuses the same memory instead
 * of freeing and refaulting megabytes per burst; all go on an idle tick.
 */
#define IO_SPARE_BUFS 4u
/*
 * Peer data gathered during one read from the network (io_chan_batch.c):
 * each channel's share goes to its socket in one write at the end of the
 * read instead of one per packet (eight 32 KiB packets from OpenSSH fill
 * one read). Views into the transport's input buffer, so only while the
 * session keeps them (session_payload_kept).
 */
#define IO_BATCH_MAX 16u
/* An idle trim that freed this much gives the heap back (mem.h). */
#define IO_TRIM_RETURN (1024u * 1024u)
/* One read of filtered input (a terminal's keystrokes). */
#define IO_FILTER_READ 4096u
#define IO_END_GRACE_MS 2000u
#define IO_TICK_MS 1000u
#define IO_WHY_LEN 512u

/* io_heap.c: a connection or channel was freed; an idle tick (or the last
 * connection's end, at_once) gives the freed heap back. */
void io_heap_freed(void);
void io_heap_settle(uint64_t now, bool at_once);

/* One view of peer data for one channel's socket, not yet written. */
struct io_batch_view {
    struct io_chan *ch;
    uv_buf_t b;
};

struct io_wreq {
    uv_write_t req;
    struct buf b;
    struct io_wreq *next;
};

/*
 * The few channels the connection must come back to, so that nothing
 * walks every channel (a tunnel may hold 10,000 idle ones): held
 * channels waiting for their handshake, oldest first, and channels that
 * stopped reading at the output high-water mark. A channel is on one of
 * them at most (a held channel has no socket to read).
 */
enum io_chan_list_kind { IO_LIST_NONE, IO_LIST_HELD, IO_LIST_BLOCKED };

struct io_chan_list {
    struct io_chan *head, *tail;
};

/* A global request waiting for its answer (FIFO). */
struct io_greq {
    io_conn_reply_cb cb;
    void *ctx;
    struct io_greq *next;
};

struct io_conn {
    uv_loop_t *loop;
    uv_stream_t *stream; /* TCP, or a pipe (ProxyCommand, a jump hop) */
    uv_timer_t timer;    /* the 1 s tick, and the keepalive's due times */
    /* The output's one write per turn of the loop (io_conn_flush): both
     * started while output waits, so the flush comes before the loop
     * next waits in poll, whatever phase produced it. */
    uv_prepare_t flush_pre;
    uv_check_t flush_chk;
    bool dirty;         /* output waits for flush_pre or flush_chk */
    uint8_t hooks_open; /* flush_pre and flush_chk not yet closed */
    uint64_t turn;      /* turns of the loop that flushed: io_chan_alloc */
    uint64_t tick_ms;   /* when the next 1 s tick is due */
    uv_shutdown_t shut;
    struct session *s;
    struct io_conn_cbs cbs;
    void *udata;
    struct io_chan *chans;       /* doubly linked */
    struct io_chan_list held;    /* held channels, by deadline */
    struct io_chan_list blocked; /* stopped at LIM_OUTQ_HIGHWATER */
    struct io_greq *greq_head, *greq_tail;
    struct io_wreq *pool; /* free write requests */
    size_t n_pool;
    size_t inflight;                 /* bytes in uv_write requests */
    size_t n_writes;                 /* uv_write requests in flight */
    size_t queued;                   /* peer data in channels' queues:
                                        LIM_CONN_QUEUED */
    bool read_full;                  /* reading stopped at LIM_CONN_QUEUED */
    bool waking;                     /* io_conn_wake_blocked is running */
    struct buf spare[IO_SPARE_BUFS]; /* empty channel buffers, kept */
    uint64_t moved;      /* bytes read and written on the connection */
    uint64_t moved_tick; /* moved at the last 1 s tick: idle if unchanged */
    bool ending;
    bool stream_closed;
    bool timer_closed;
    bool read_held;      /* reading stopped while the session holds a login */
    size_t read_size;    /* offered to the next read: IO_READ_MIN.. */
    size_t read_offered; /* offered to the read in progress */
    bool batching;       /* in a read whose views stay valid to its end */
    bool quickack;       /* TCP to a peer with Nagle: ACK reads at once */
    bool ack_due;        /* a read to acknowledge after the turn's flush */
    size_t n_batch;
    struct io_batch_view batch[IO_BATCH_MAX];
    char peer_name[300];
    char why[IO_WHY_LEN];
};

struct io_chan {
    struct io_chan *prev, *next;
    struct io_chan *lprev, *lnext; /* on ic's held or blocked list */
    enum io_chan_list_kind list;
    struct io_conn *ic;
    uv_stream_t *st;  /* the local socket; NULL once closed */
    uv_stream_t *out; /* a separate stream to write to (-W: stdout) */
    struct io_connect *connecting;
    char *target;    /* the host or Unix path connected to, or NULL */
    int target_port; /* -1 for a Unix path */
    uint32_t id;
    uint64_t tag; /* io_chan_open_tagged; 0: none */
    bool has_id;
    bool gone; /* the conn channel no longer exists */
    bool confirmed;
    bool reading;
    bool begun;          /* a conn_send_begin is outstanding */
    size_t read_size;    /* offered to the next read (IO_CHAN_READ_MIN) */
    size_t read_offered; /* offered to the read in progress */
    uint64_t read_turn;  /* ic->turn of its last read */
    size_t turn_read;    /* bytes read in that turn: IO_CHAN_TURN_MAX */
    bool local_eof;
    bool eof_pending;  /* io_chan_end_input: EOF once first is sent */
    bool input_paused; /* io_chan_pause_input */
    bool shut_started;
    bool shut_done;
    bool close_sent;
    bool writing;       /* wreq is in flight with wfly */
    bool shut_deferred; /* half-close once wq has been written */
    bool send_failed;   /* conn_send_begin failed: end the channel */
    /* Buffers exist only while data waits: peer data goes straight to
     * the socket when it takes it, and they are freed when drained. */
    struct buf wq;    /* peer data waiting for the local socket */
    struct buf wfly;  /* peer data in the write in flight */
    struct buf first; /* read before the channel existed: sent first */
    size_t queued;    /* wq, wfly, eq and efly as counted in ic->queued */
    uv_write_t wreq;
    uv_shutdown_t shut;
    io_chan_open_cb open_cb;
    io_chan_done_cb done_cb;
    void *open_ctx;
    io_chan_data_cb held_cb; /* io_chan_accept_held: peer data goes here */
    size_t held_n;           /* bytes given to held_cb, not yet consumed */
    uint64_t held_until;     /* loop time its request must be in by */
    /* A session channel (io_chan_sess.c): its stderr, the stream extended
     * data goes to, written as wq/wfly are; and its owner's hooks. */
    uv_stream_t *err;
    struct buf eq, efly;
    uv_write_t ereq;
    bool ewriting;
    bool no_input;   /* -n: EOF is sent once the channel is open */
    uint8_t *rbuf;   /* input read for sess.filter */
    bool is_session; /* the server closes it, after exit-status */
    struct io_chan_sess sess;
};

/* io_chan.c: channel events routed by io_conn.c. */
void io_chan_on_open_result(struct io_chan *ch, uint32_t reason,
                            const char *msg);
void io_chan_on_data(struct io_chan *ch, const uint8_t *p, size_t n);
void io_chan_on_eof(struct io_chan *ch);
/* Peer data for ch's socket, nv views in order: written now as far as
 * the socket takes it, the rest queued (copied). */
void io_chan_put(struct io_chan *ch, const uv_buf_t *v, size_t nv);
/* io_chan_batch.c: gather a view for the end of the read (true), or say
 * it must be put now (false). */
bool io_chan_batch_add(struct io_chan *ch, const uv_buf_t *v);
/* Put every gathered view, one io_chan_put per channel, in order. Called
 * at the end of the read, and before any other event that could touch a
 * channel's output (EOF, close, requests, the connection's end). */
void io_chan_batch_put(struct io_conn *ic);
/* Write what waits in ch->wq (a held channel just connected). */
void io_chan_write_queued(struct io_chan *ch);
/* ch's queues counted again in its connection's LIM_CONN_QUEUED. */
void io_chan_count_queued(struct io_chan *ch);
/* Stop or start reading the connection by LIM_CONN_QUEUED. */
void io_conn_budget(struct io_conn *ic);
/* A connect for the peer's open failed: log it, and say so in ssh's
 * words through the connection's connect_failed callback. */
void io_chan_connect_failed(struct io_chan *ch, int status);
void io_chan_on_closed(struct io_chan *ch);
/* io_chan_sess.c: a session channel's extended data, requests and
 * replies; its stderr's part of closing. */
void io_chan_on_ext_data(struct io_chan *ch, uint32_t code, const uint8_t *p,
                         size_t n);
bool io_chan_on_request(struct io_chan *ch, const char *type, bool want_reply,
                        const uint8_t *p, size_t n);
void io_chan_on_reply(struct io_chan *ch, bool ok);
/* The channel is gone: close stderr once what waits for it is written. */
void io_chan_err_drain(struct io_chan *ch);
/* io_chan.c, for io_chan_sess.c. */
void io_chan_stream_closed(uv_handle_t *h);
struct conn *io_chan_conn(struct io_chan *ch);
void io_chan_fail(struct io_chan *ch);
struct io_chan *io_chan_new(struct io_conn *ic, uv_stream_t *st,
                            uv_stream_t *out);
void io_chan_update_reading(struct io_chan *ch);
/* io_chan.c, for io_chan_accept.c. */
void io_chan_maybe_free(struct io_chan *ch);
void io_chan_close_streams(struct io_chan *ch);
/* The connection's 1 s tick: end held channels past their deadline. */
void io_chan_tick_held(struct io_conn *ic);
/* Put ch on one of ic's lists, or take it off (IO_LIST_NONE). */
void io_chan_set_list(struct io_chan *ch, enum io_chan_list_kind kind);
/* The connection is ending: close the socket, cancel any connect. */
void io_chan_abort(struct io_chan *ch);

/* io_conn_events.c: create and start ic->s with callbacks into ic. */
int io_conn_session_new(struct io_conn *ic, const struct session_config *cfg);

/* io_conn_events.c: drop the unanswered global requests. */
void io_conn_free_greqs(struct io_conn *ic);

/* io_conn.c: a drained channel buffer (nowipe: forwarded data) kept for
 * reuse, or freed when all spares are taken; and one taken back into an
 * unallocated b before data is queued in it. */
void io_conn_spare_give(struct io_conn *ic, struct buf *b);
void io_conn_spare_take(struct io_conn *ic, struct buf *b);

/* io_conn.c: channel bookkeeping. */
void io_conn_link_chan(struct io_conn *ic, struct io_chan *ch);
void io_conn_unlink_chan(struct io_conn *ic, struct io_chan *ch);

#endif
