/* SPDX-License-Identifier: ISC */
/*
 * -R forwarding: tcpip-forward and streamlocal-forward@openssh.com
 * requests for every RemoteForward of one connection, and the server's
 * forwarded-tcpip / forwarded-streamlocal@openssh.com channels matched to
 * them and connected to their local targets.
 */
#ifndef ADIT_FWD_FWD_REMOTE_H
#define ADIT_FWD_FWD_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/fwdspec.h"
#include "io/io_conn.h"

struct fwd_remote;

struct fwd_remote_cbs {
    void *ctx;
    /*
     * The server refused forward spec (ssh's Warning or Error line has
     * been printed). With ExitOnForwardFailure the caller ends the
     * connection from here.
     */
    void (*failed)(void *ctx, const struct fwdspec *spec);
    /* Every request has been answered (confirmed or refused). */
    void (*settled)(void *ctx);
    /*
     * A forwarded-tcpip channel id for a dynamic forward (-R [bind:]port
     * with no target): the callee answers it (conn_open_confirm or
     * conn_open_fail) and speaks SOCKS over it. NULL: such channels are
     * refused as "dynamic forwarding unavailable".
     */
    void (*dynamic)(void *ctx, struct io_conn *ic, uint32_t id,
                    const struct fwdspec *spec,
                    const struct chan_open_info *info);
};

/*
 * The n forwards in specs (which must outlive fr). exit_on_failure picks
 * ssh's wording for a refusal ("Error:" rather than "Warning:").
 */
int fwd_remote_new(struct fwd_remote **out, const struct fwdspec *specs,
                   size_t n, bool exit_on_failure,
                   const struct fwd_remote_cbs *cbs);
void fwd_remote_free(struct fwd_remote *fr);

/* Send every request on ic (authenticated). Replies come through ic's
 * global request queue. ERR_* if a request could not be sent. */
int fwd_remote_start(struct fwd_remote *fr, struct io_conn *ic);

/* Ask again for every forward the server refused (Reconnect mode: the
 * port may have been held by our last connection's stale session). */
int fwd_remote_retry(struct fwd_remote *fr, struct io_conn *ic);

/* The answer to one fwd_remote_add: ok, and the port (the allocated one
 * for port 0). */
typedef void (*fwd_remote_added_cb)(void *ctx, bool ok, uint16_t port);

/*
 * Ask for one more forward on ic (adit -O forward -R): spec is copied.
 * cb is called once with the server's answer, or with ok false when the
 * connection goes first (from fwd_remote_free). The refusal is not the
 * connection's end (ExitOnForwardFailure is for the configured
 * forwards); with cb NULL it is the failed callback's, as for those.
 * ERR_LIMIT with LIM_MUX_FWDS such forwards in place (a cancelled one's
 * room is taken again once the server has answered it).
 */
int fwd_remote_add(struct fwd_remote *fr, struct io_conn *ic,
                   const struct fwdspec *spec, fwd_remote_added_cb cb,
                   void *ctx);

/* Forward i's spec, NULL once cancelled. */
const struct fwdspec *fwd_remote_spec(const struct fwd_remote *fr, size_t i);

/* Cancel forward i on ic (cancel-tcpip-forward or
 * cancel-streamlocal-forward@openssh.com); its connections then go
 * nowhere. A -R 0 whose port is not known yet is cancelled once the
 * server has given it. */
int fwd_remote_cancel(struct fwd_remote *fr, struct io_conn *ic, size_t i);

/* For status: how many forwards; whether forward i is confirmed, and its
 * port (the allocated one for -R 0, once known). */
size_t fwd_remote_count(const struct fwd_remote *fr);
void fwd_remote_info(const struct fwd_remote *fr, size_t i, bool *is_up,
                     uint16_t *port);

/* Forwards whose request is still unanswered. */
size_t fwd_remote_pending(const struct fwd_remote *fr);

/*
 * The server opens a channel: forwarded-tcpip and forwarded-streamlocal
 * are matched to a forward (by the listen address and port, or path, the
 * server reports, as ssh matches them) and answered; false for any other
 * type (the caller answers those).
 */
bool fwd_remote_open(struct fwd_remote *fr, struct io_conn *ic, uint32_t id,
                     const struct chan_open_info *info);

#endif
