/* SPDX-License-Identifier: ISC */
/*
 * adit -A and -X/-Y on the session: the requests that ask for them
 * (before the pty and the command, as ssh's ssh_session2_setup sends
 * them), and the agent and x11 channels the server then opens, taken
 * only when this connection asked for them: a server that opens them
 * unasked never reaches the agent or the display.
 */
#ifndef ADIT_FWD_CLIENT_SESSFWD_H
#define ADIT_FWD_CLIENT_SESSFWD_H

#include <stdbool.h>
#include <stdint.h>

#include "config/client_config.h"
#include "conn/conn.h"
#include "fwd/client_x11.h"
#include "io/io_conn.h"

struct sesschan;

/* One destination's forwarding, embedded in its client. */
struct client_sessfwd {
    char agent[108];       /* the agent socket to forward; "" none */
    struct client_x11 x11; /* is_ready: x11-req may be sent */
    bool agent_asked;      /* asked on this connection */
    bool x11_asked;
};

/*
 * At start-up, before the loop: the agent socket to forward (as ssh.c
 * picks it: ForwardAgent's path or "$NAME", else IdentityAgent or
 * $SSH_AUTH_SOCK), and with ForwardX11 and a session to come, the
 * display and its cookies (client_x11_prepare).
 */
void client_sessfwd_prepare(struct client_sessfwd *f,
                            const struct client_config *cfg, bool has_session);
void client_sessfwd_cleanup(struct client_sessfwd *f);

/* A new connection: nothing asked on it yet. */
void client_sessfwd_reset(struct client_sessfwd *f);

/* On the open session channel, before its pty-req and command: x11-req
 * (want reply) and auth-agent-req@openssh.com (no reply, as ssh). */
void client_sessfwd_requests(struct client_sessfwd *f, struct sesschan *sc);

/*
 * The server opens a channel: x11 and auth-agent@openssh.com are taken
 * (joined to the display or the agent) when asked for, else refused
 * with ssh's warning that this is probably a break-in attempt; false for
 * any other type (the caller answers those).
 */
bool client_sessfwd_open(struct client_sessfwd *f, struct io_conn *ic,
                         uint32_t id, const struct chan_open_info *info);

#endif
