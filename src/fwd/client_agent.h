/* SPDX-License-Identifier: ISC */
/*
 * adit: talking to ssh-agent. One call is one connection to the agent's
 * Unix socket, one request written and one reply read (at most
 * LIM_AGENT_MSG, within LIM_AGENT_REPLY_MS); auth/agent.h builds and
 * decodes the messages.
 */
#ifndef ADIT_FWD_CLIENT_AGENT_H
#define ADIT_FWD_CLIENT_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "config/client_config.h"
#include "wire/buf.h"

struct agent_call;

/*
 * The call's end: status 0 and the reply message (number first, no
 * length) valid during the call, or a negative ERR_* (ERR_NOTFOUND: no
 * such socket, ERR_TIMEOUT, ERR_LIMIT, ERR_IO...). Called once, from the
 * loop, never from agent_call_start().
 */
typedef void (*agent_call_cb)(void *ctx, int status, const uint8_t *msg,
                              size_t n);

/* Connect to path and send req (a framed request, copied). On error
 * nothing is called back. */
int agent_call_start(struct agent_call **out, uv_loop_t *loop, const char *path,
                     const struct buf *req, agent_call_cb cb, void *ctx);

/* Stop a call: its callback is not called. NULL is a no-op. */
void agent_call_cancel(struct agent_call *c);

/*
 * The agent socket for cfg, as ssh finds it: IdentityAgent (already ~ and
 * % expanded) if set, where "none" means no agent, "SSH_AUTH_SOCK" and
 * "$NAME" name an environment variable; else $SSH_AUTH_SOCK. 0 with the
 * path in out, or ERR_NOTFOUND when there is no agent to ask.
 */
int client_agent_path(const struct client_config *cfg, char *out,
                      size_t out_len);

#endif
