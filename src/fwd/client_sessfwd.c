/* SPDX-License-Identifier: ISC */
/* adit -A and -X/-Y: the session's requests and the channels they bring. */
#include "fwd/client_sessfwd.h"

#include <stdlib.h>
#include <string.h>

#include "conn/sesschan.h"
#include "fwd/client_agent.h"
#include "fwd/fwd_x11.h"
#include "io/io_chan.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

/* -A: the agent to forward, as ssh.c picks it. ForwardAgent's path (or
 * "$NAME": that variable, forwarding off when it is unset), else the
 * agent adit itself uses (IdentityAgent, SSH_AUTH_SOCK). "" for none. */
static void
client_sessfwd_agent(struct client_sessfwd *f, const struct client_config *cfg)
{
    const char *p = cfg->forward_agent_path;

    if (cfg->forward_agent != 1) {
        return;
    }
    if (p != NULL && p[0] == '$' && p[1] != '{') {
        p = getenv(p + 1);
    } else if (p == NULL &&
               client_agent_path(cfg, f->agent, sizeof(f->agent)) == 0) {
        return;
    }
    if (p == NULL || p[0] == '\0' || strlen(p) >= sizeof(f->agent)) {
        log_debug("no agent to forward");
        f->agent[0] = '\0';
        return;
    }
    memcpy(f->agent, p, strlen(p) + 1);
}

void
client_sessfwd_prepare(struct client_sessfwd *f,
                       const struct client_config *cfg, bool has_session)
{
    memset(f, 0, sizeof(*f));
    client_sessfwd_agent(f, cfg);
    if (cfg->forward_x11 == 1 && has_session) {
        client_x11_prepare(cfg, getenv("DISPLAY"), &f->x11);
    }
}

void
client_sessfwd_cleanup(struct client_sessfwd *f)
{
    client_x11_cleanup(&f->x11);
}

void
client_sessfwd_reset(struct client_sessfwd *f)
{
    f->agent_asked = false;
    f->x11_asked = false;
}

/* x11-req: want reply, as ssh (its refusal is a warning only). */
static void
client_sessfwd_x11_req(struct client_sessfwd *f, struct sesschan *sc)
{
    struct buf b;

    buf_init(&b);
    log_debug("Requesting X11 forwarding with authentication spoofing.");
    if (x11_req_encode(&b, &f->x11.ck, f->x11.d.screen) == 0 &&
        sesschan_request(sc, "x11-req", true, buf_ptr(&b), buf_len(&b)) == 0) {
        f->x11_asked = true;
    }
    buf_cleanup(&b); /* wiped: the fake cookie */
}

void
client_sessfwd_requests(struct client_sessfwd *f, struct sesschan *sc)
{
    if (f->x11.is_ready) {
        client_sessfwd_x11_req(f, sc);
    }
    if (f->agent[0] != '\0') {
        log_debug("Requesting authentication agent forwarding.");
        if (sesschan_request(sc, "auth-agent-req@openssh.com", false, NULL,
                             0) == 0) {
            f->agent_asked = true;
        }
    }
}

/* ssh's error() lines for a channel it did not ask for. */
static void
client_sessfwd_unasked(const char *what)
{
    if (log_get_level() > LOG_QUIET) {
        log_plain("Warning: ssh server tried %s forwarding.\r\n", what);
        log_plain("Warning: this is probably a break-in attempt by a "
                  "malicious server.\r\n");
    }
}

static void
client_sessfwd_refuse(struct io_conn *ic, uint32_t id)
{
    conn_open_fail(io_conn_conn(ic), id, SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
                   "open failed");
    io_conn_flush(ic);
}

bool
client_sessfwd_open(struct client_sessfwd *f, struct io_conn *ic, uint32_t id,
                    const struct chan_open_info *info)
{
    if (strcmp(info->type, CONN_AUTH_AGENT) == 0) {
        if (!f->agent_asked) {
            client_sessfwd_unasked("agent");
            client_sessfwd_refuse(ic, id);
            return true;
        }
        (void)io_chan_accept_connect_path(ic, id, f->agent);
        io_conn_flush(ic);
        return true;
    }
    if (strcmp(info->type, CONN_X11) != 0) {
        return false;
    }
    if (!f->x11_asked) {
        client_sessfwd_unasked("X11");
        client_sessfwd_refuse(ic, id);
    } else if (client_x11_expired(&f->x11)) {
        log_verbose("Rejected X11 connection after ForwardX11Timeout "
                    "expired");
        client_sessfwd_refuse(ic, id);
    } else {
        log_debug("client_request_x11: request from %s %u", info->orig_host,
                  (unsigned)info->orig_port);
        fwd_x11_accept(ic, id, &f->x11.ck, &f->x11.d);
    }
    return true;
}
