/* SPDX-License-Identifier: ISC */
/*
 * A channel joined to a local socket (or stdin/stdout): local reads land in the
 * packet buffer (conn_send_begin/commit), peer data is written to the
 * socket and given back to the window only once written, EOF is passed
 * each way (half-close like ssh), and reading stops while the peer's
 * window is shut or the connection's output is above LIM_OUTQ_HIGHWATER.
 */
#ifndef ADIT_IO_IO_CHAN_H
#define ADIT_IO_IO_CHAN_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "conn/conn.h"
#include "io/io_conn.h"

struct io_chan;

/* The peer answered our open: reason 0 = confirmed, else SSH_OPEN_* and
 * the peer's text. After a failure the channel's socket is being closed. */
typedef void (*io_chan_open_cb)(void *ctx, struct io_chan *ch, uint32_t reason,
                                const char *msg);

/* The channel is over and freed (a -W client exits then). Called last:
 * the connection may be ended from here. */
typedef void (*io_chan_done_cb)(void *ctx);

/*
 * Client side: open a channel described by info for the accepted local
 * socket tcp (malloc'd, taken over). Reading starts when the peer
 * confirms. On error tcp is closed and freed.
 */
int io_chan_open(struct io_conn *ic, uv_tcp_t *tcp,
                 const struct chan_open_info *info, io_chan_open_cb cb,
                 void *ctx);

/*
 * The same joined to two streams: read from in, write peer data to out
 * (for -W: stdin and stdout; out NULL means in both ways). out is closed
 * when the peer sends EOF, since a pipe has no half-close. Both handles
 * are malloc'd and taken over; on error both are closed and freed and
 * nothing is called back. done (may be NULL) is called with ctx once the
 * channel is gone.
 */
int io_chan_open_streams(struct io_conn *ic, uv_stream_t *in, uv_stream_t *out,
                         const struct chan_open_info *info, io_chan_open_cb cb,
                         io_chan_done_cb done, void *ctx);

/*
 * As io_chan_open, for a local socket from which n bytes were read before
 * the channel existed (a -D client's bytes after its proxy request): a
 * copy is sent to the peer, before anything read later, once the peer
 * confirms. cb runs before any peer data is written to sock, so it may
 * write a reply of its own there first (libuv keeps the order of writes).
 */
int io_chan_open_first(struct io_conn *ic, uv_stream_t *sock,
                       const uint8_t *first, size_t n,
                       const struct chan_open_info *info, io_chan_open_cb cb,
                       void *ctx);

/* The channel's local socket (NULL once closed): for such replies. */
uv_stream_t *io_chan_stream(const struct io_chan *ch);

/*
 * Server side: answer the peer's open of channel id by connecting to
 * host:port (async resolve, each address, timeout_ms). Confirmed when
 * connected; on failure answered with SSH_OPEN_CONNECT_FAILED and the
 * system's words ("Connection refused"). On error the open is failed.
 */
int io_chan_accept_connect(struct io_conn *ic, uint32_t id, const char *host,
                           uint16_t port, uint64_t timeout_ms);

/*
 * As io_chan_accept_connect, to the Unix socket at path (-R to a local
 * socket, direct-streamlocal): answered SSH_OPEN_CONNECT_FAILED with the
 * system's words when the connect fails.
 */
int io_chan_accept_connect_path(struct io_conn *ic, uint32_t id,
                                const char *path);

/*
 * Server side: as io_chan_open_streams for one stream st (forwarded-tcpip,
 * forwarded-streamlocal), marked with tag for io_conn_close_tagged; cb and
 * done may be NULL.
 */
int io_chan_open_tagged(struct io_conn *ic, uv_stream_t *st,
                        const struct chan_open_info *info, uint64_t tag,
                        io_chan_open_cb cb, io_chan_done_cb done, void *ctx);

/*
 * Server side: confirm the peer's open of channel id and join it to the
 * connected stream st (malloc'd, taken over). On error the open is failed
 * and st closed and freed.
 */
int io_chan_accept_stream(struct io_conn *ic, uint32_t id, uv_stream_t *st);

/* Close every channel of ic opened with this tag (a reverse forward taken
 * over by another connection): CLOSE is sent and the sockets closed. */
void io_conn_close_tagged(struct io_conn *ic, uint64_t tag);

/* Peer data for a held channel (io_chan_accept_held). */
typedef void (*io_chan_data_cb)(void *ctx, struct io_chan *ch, const uint8_t *p,
                                size_t n);

/*
 * Server side of -R with no target (remote dynamic forwarding): confirm
 * the peer's open of channel id with no local socket yet; peer data goes
 * to on_data until io_chan_connect_held; EOF from the peer before then,
 * or no io_chan_connect_held within LIM_PROXY_REQUEST_MS, ends the
 * channel. done (may be NULL) is called with ctx once the
 * channel is gone. On error the open is failed and nothing called back.
 */
int io_chan_accept_held(struct io_conn *ic, uint32_t id,
                        io_chan_data_cb on_data, io_chan_done_cb done,
                        void *ctx);

/* Send n bytes (a handshake reply) into the channel, within its window.
 * ERR_CHANNEL if it is gone, ERR_LIMIT if the window is too small. */
int io_chan_send(struct io_chan *ch, const uint8_t *p, size_t n);

/*
 * A held channel's request is complete: connect to host:port (async
 * resolve, timeout_ms). first (n bytes, peer data that came after the
 * request) is written to the socket before anything else. cb runs once
 * with the outcome (reason 0, or SSH_OPEN_CONNECT_FAILED and the system's
 * words) before any data flows, so it may io_chan_send a reply; after a
 * failure the channel is then ended (EOF and CLOSE).
 */
int io_chan_connect_held(struct io_chan *ch, const char *host, uint16_t port,
                         uint64_t timeout_ms, const uint8_t *first, size_t n,
                         io_chan_open_cb cb);

/*
 * Client side: a "session" channel (exec, shell, subsystem) joined to
 * stdin, stdout and stderr. Its requests are the owner's (conn/sesschan.h
 * builds them): it sends them from opened, before any input is read.
 */
struct io_chan_sess {
    uv_stream_t *in;  /* NULL: no input, EOF sent once open (-n) */
    uv_stream_t *out; /* channel data; closed after the peer's EOF */
    uv_stream_t *err; /* extended data 1; NULL: dropped */
    io_chan_open_cb opened;
    io_chan_done_cb done; /* called last, once every stream is closed */
    /* The peer's CHANNEL_REQUEST (exit-status, ...): true once taken and
     * answered if want_reply; false refuses it. */
    bool (*request)(void *ctx, struct io_chan *ch, const char *type,
                    bool want_reply, const uint8_t *p, size_t n);
    /* CHANNEL_SUCCESS (ok) or CHANNEL_FAILURE. */
    void (*reply)(void *ctx, struct io_chan *ch, bool ok);
    /* Input as read, before it is sent (escape characters): append what
     * is to be sent to out (sent as the window allows, reading paused
     * meanwhile). NULL: input goes to the channel as read, copy-free. */
    void (*filter)(void *ctx, struct io_chan *ch, const uint8_t *p, size_t n,
                   struct buf *out);
    void *ctx;
};

/* Open it (the streams are malloc'd and taken over; on error they are
 * closed and freed and nothing is called back); *out is the channel until
 * done is called. */
int io_chan_open_session(struct io_conn *ic, const struct io_chan_sess *s,
                         const struct chan_open_info *info,
                         struct io_chan **out);

/* Stop (paused) or resume reading the session's input: a local command
 * (~C !command) shares the terminal meanwhile. */
void io_chan_pause_input(struct io_chan *ch, bool paused);

/* Input the filter held back when it paused the input (typed ahead of a
 * local command), given to the filter again as if just read; its output
 * goes before anything read later. Nothing after the input's end. */
void io_chan_input_again(struct io_chan *ch, const uint8_t *p, size_t n);

/* Stop reading the session's input for good and send EOF (the server
 * sent eow@openssh.com, or the owner wants the input ended), after any
 * filtered input still waiting for the window (it may be called from
 * the filter: what it appended goes first). */
void io_chan_end_input(struct io_chan *ch);

/*
 * As io_chan_connect_held, with the target already connected by the
 * caller (a Unix socket, an X display): st (malloc'd, connected) is taken
 * over and joined to the channel, first (n bytes, at most what on_data
 * was given) written to it before anything else. On error st is closed
 * and freed and the channel ended.
 */
int io_chan_join_held(struct io_chan *ch, uv_stream_t *st, const uint8_t *first,
                      size_t n);

/* End a channel from our side (a refused handshake): EOF, then CLOSE. */
void io_chan_end(struct io_chan *ch);

/* The channel's local id (for messages). */
uint32_t io_chan_id(const struct io_chan *ch);

#endif
