/* SPDX-License-Identifier: ISC */
/*
 * The control socket of adit and aditd: the protocol of ctl/ctl_proto.h
 * on a mode-0600 Unix socket that only our uid (or root) may use, each
 * request answered by the owner's handler.
 */
#ifndef ADIT_IO_IO_CTL_H
#define ADIT_IO_IO_CTL_H

#include <stddef.h>
#include <uv.h>

#include "ctl/ctl_proto.h"
#include "wire/buf.h"

struct io_svc;

/*
 * Answer req: 0 with the answer in body, or an ERR_* with a one-line
 * reason in why (ERR_NOTFOUND for an unknown command, as "unknown
 * command X" if why is left empty).
 */
typedef int (*io_ctl_handler)(void *ctx, const struct ctl_request *req,
                              struct buf *body, char *why, size_t why_len);

/* Listen at path (see io_svc_listen_unix for what is refused). The
 * result is closed with io_svc_close(). */
int io_ctl_listen(struct io_svc **out, uv_loop_t *loop, const char *path,
                  io_ctl_handler handler, void *ctx);

/*
 * The client side, blocking, for `adit status` / `aditd status`: connect
 * to path, send the words argv, and read the answer into body within
 * timeout_ms. 0 with *is_ok; ERR_IO (errno kept for the message),
 * ERR_TIMEOUT, ERR_VERSION or ERR_FORMAT for an answer we cannot read.
 */
int io_ctl_call(const char *path, const char *const *argv, size_t argc,
                int timeout_ms, bool *is_ok, struct buf *body);

#endif
