/* SPDX-License-Identifier: ISC */
/*
 * The control socket of adit and aditd: the protocol of ctl/ctl_proto.h
 * on a mode-0600 Unix socket that only our uid (or root) may use, each
 * request answered by the owner's handler.
 */
#ifndef ADIT_IO_IO_CTL_H
#define ADIT_IO_IO_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "ctl/ctl_proto.h"
#include "util/adit_limits.h"
#include "wire/buf.h"

struct io_svc;
struct io_svc_client;

/* One request being answered: its client, and the descriptors that came
 * with it (LIM_CTL_FDS at most; those not taken are closed after). */
struct io_ctl_call {
    struct io_svc_client *cl;
    int fds[LIM_CTL_FDS];
    size_t n_fds;
    bool later; /* io_ctl_later was called */
};

/*
 * Answer req: 0 with the answer in body, or an ERR_* with a one-line
 * reason in why (ERR_NOTFOUND for an unknown command, as "unknown
 * command X" if why is left empty). Or, having called io_ctl_later(call),
 * return 0 and answer later with io_ctl_answer.
 */
typedef int (*io_ctl_handler)(void *ctx, const struct ctl_request *req,
                              struct io_ctl_call *call, struct buf *body,
                              char *why, size_t why_len);

/* Listen at path (see io_svc_listen_unix for what is refused). With
 * take_fds, requests may carry descriptors (io_ctl_call). The result is
 * closed with io_svc_close(). */
int io_ctl_listen(struct io_svc **out, uv_loop_t *loop, const char *path,
                  io_ctl_handler handler, void *ctx);
int io_ctl_listen_fds(struct io_svc **out, uv_loop_t *loop, const char *path,
                      io_ctl_handler handler, void *ctx);

/*
 * From a handler: the answer to call's request comes later, and its
 * client stays connected (no idle timeout) until io_ctl_finish. gone(ctx)
 * is called once if the client goes first (or the service is closed).
 * Returns the client, for io_ctl_answer and io_ctl_finish. The client
 * may send nothing more: further bytes end it.
 */
struct io_svc_client *io_ctl_later(struct io_ctl_call *call,
                                   void (*gone)(void *ctx), void *ctx);

/* An answer (one or more, in order) to cl's request. */
void io_ctl_answer(struct io_svc_client *cl, bool ok, const void *p, size_t n);

/* Done with cl: it is closed once the answers are written; gone is not
 * called. */
void io_ctl_finish(struct io_svc_client *cl);

/* Done with cl's request, answered: cl may send its next one (as adit -O
 * forward sends one per forward); gone is not called. */
void io_ctl_next(struct io_svc_client *cl);

/*
 * The client side, blocking, for `adit status` / `aditd status`: connect
 * to path, send the words argv, and read the answer into body within
 * timeout_ms. 0 with *is_ok; ERR_IO (errno kept for the message),
 * ERR_TIMEOUT, ERR_VERSION or ERR_FORMAT for an answer we cannot read.
 */
int io_ctl_call(const char *path, const char *const *argv, size_t argc,
                int timeout_ms, bool *is_ok, struct buf *body);

/*
 * The same in steps, on a connection that stays open (adit -O, a client
 * of a master): io_ctl_connect (ERR_IO with errno kept: ENOENT,
 * ECONNREFUSED for a stale socket), io_ctl_send (with n_fds descriptors
 * passed along, SCM_RIGHTS), io_ctl_recv for each answer (timeout_ms < 0:
 * wait as long as it takes), then close(fd).
 */
int io_ctl_connect(const char *path, int *fd);
int io_ctl_send(int fd, const char *const *argv, size_t argc, const int *fds,
                size_t n_fds, int timeout_ms);
int io_ctl_recv(int fd, int timeout_ms, bool *is_ok, struct buf *body);

#endif
