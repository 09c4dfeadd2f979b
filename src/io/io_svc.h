/* SPDX-License-Identifier: ISC */
/*
 * A small local service: a listening Unix or TCP socket whose clients send
 * short requests and get answers (the control socket, the metrics
 * endpoint). Input is bounded (max_in bytes not yet used), clients are
 * bounded (max_clients; more are accepted and closed at once), and each
 * client is closed after timeout_ms without a request (idle) or, with
 * deadline, timeout_ms after it came. An answer whose client stops
 * reading is bounded too: a client with more than LIM_CTL_RESPONSE bytes
 * waiting to be written is closed.
 */
#ifndef ADIT_IO_IO_SVC_H
#define ADIT_IO_IO_SVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "wire/buf.h"

struct io_svc;
struct io_svc_client;

/* Descriptors one client may have passed and not yet taken. */
#define IO_SVC_MAX_FDS 4u

/* What io_svc_input_cb returns besides a count of bytes used. */
#define IO_SVC_CLOSE (-1L)

/*
 * Everything read from cl and not used yet (p, n; eof when the client
 * has finished sending). Answer with io_svc_reply(), then return the
 * bytes used (0: wait for more), or IO_SVC_CLOSE to end the connection
 * once the answers are written. Called again at once while it uses bytes
 * and some are left. Input that reaches max_in unused is closed.
 */
typedef long (*io_svc_input_cb)(void *ctx, struct io_svc_client *cl,
                                const uint8_t *p, size_t n, bool eof);

struct io_svc_config {
    size_t max_in;
    size_t max_clients;
    uint64_t timeout_ms;
    bool deadline; /* timeout_ms from accept, not from the last request */
    bool same_uid; /* Unix: only our uid or root may talk (SO_PEERCRED) */
    /* Unix: descriptors a client may pass (SCM_RIGHTS), at most
     * IO_SVC_MAX_FDS held at once; 0: none are taken (the kernel's are
     * closed). */
    size_t max_fds;
    const char *what; /* "control socket", for log lines */
    io_svc_input_cb input;
    void *ctx;
    /* Called with ctx when the service's memory goes (after
     * io_svc_close, or when listening fails): ctx belongs to it. */
    void (*ctx_free)(void *ctx);
};

/*
 * Listen on a Unix socket at path, created mode 0600 (umask 0177 around
 * the bind, so there is no moment it is open to others). A stale socket
 * there (nobody answers) is replaced; a live one is ERR_EXISTS, anything
 * else at path too. ERR_IO, ERR_NOMEM, ERR_LIMIT (path too long).
 */
int io_svc_listen_unix(struct io_svc **out, uv_loop_t *loop, const char *path,
                       const struct io_svc_config *cfg);

/* Listen on TCP at sa. *port_out (if not NULL) gets the port bound. */
int io_svc_listen_tcp(struct io_svc **out, uv_loop_t *loop,
                      const struct sockaddr *sa,
                      const struct io_svc_config *cfg, uint16_t *port_out);

/* Queue the unread contents of out to cl (copied; out is reset). */
int io_svc_reply(struct io_svc_client *cl, struct buf *out);

/*
 * The descriptors cl has passed so far (in the order sent), at most max,
 * moved to fds: the caller owns them. Returns how many. Any not taken
 * are closed with the client.
 */
size_t io_svc_take_fds(struct io_svc_client *cl, int *fds, size_t max);

/*
 * Keep cl past its idle timeout: something it asked for lasts (a stdio
 * forward). gone(ctx) is called once when cl closes for any reason
 * (its end, an error, io_svc_close) unless io_svc_release came first.
 */
void io_svc_hold(struct io_svc_client *cl, void (*gone)(void *ctx), void *ctx);
bool io_svc_is_held(const struct io_svc_client *cl);

/* The holder is done with cl: close it once its answers are written;
 * gone is not called. */
void io_svc_release(struct io_svc_client *cl);

/* The holder is done with cl's request, and cl may ask again (its idle
 * timeout runs anew); gone is not called. */
void io_svc_unhold(struct io_svc_client *cl);

/* Stop accepting and remove the Unix socket path; clients already
 * connected go on. io_svc_close is still called at the end. */
void io_svc_stop_listening(struct io_svc *svc);

/* Stop listening, remove the Unix socket path, close every client; the
 * memory goes when the last handle has closed. */
void io_svc_close(struct io_svc *svc);

#endif
