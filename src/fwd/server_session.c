/* SPDX-License-Identifier: ISC */
/* aditd: session channels (answered with one line) and global requests. */
#include "fwd/server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn/fwd_req.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/log.h"
#include "wire/buf.h"

#define SERVER_SESSION_LINE "This server only forwards ports (use ssh -N).\r\n"
/* ssh exits with this status after the line, as after a failed command. */
#define SERVER_SESSION_EXIT 1u

/*
 * MaxSessions, as sshd counts sessions: each session channel counts from
 * its open until both sides have closed it, and one more than the limit
 * is refused (0 refuses every session; forwarding goes on). false when
 * refused (answered here).
 */
static bool
server_session_count(struct server_conn *sc, uint32_t id)
{
    int max = sc->cfg->limits.max_sessions;
    uint32_t *v;

    if (max < 0 || sc->n_sessions < (size_t)max) {
        if (sc->n_sessions < LIM_CHANNELS &&
            (v = realloc(sc->sessions, (sc->n_sessions + 1) * sizeof(*v))) !=
                NULL) {
            sc->sessions = v;
            v[sc->n_sessions++] = id;
            return true;
        }
    }
    /* sshd's session_open: "no more sessions", the open fails. */
    log_info("no more sessions for %s port %u (MaxSessions %d)", sc->addr,
             (unsigned)sc->port, max);
    conn_open_fail(io_conn_conn(sc->ic), id,
                   SSH_OPEN_ADMINISTRATIVELY_PROHIBITED, "open failed");
    return false;
}

void
server_session_closed(void *ctx, struct io_conn *ic, uint32_t id)
{
    struct server_conn *sc = ctx;
    size_t i;

    (void)ic;
    for (i = 0; i < sc->n_sessions; i++) {
        if (sc->sessions[i] == id) {
            sc->sessions[i] = sc->sessions[--sc->n_sessions];
            return;
        }
    }
}

/*
 * A session channel: no shell, no command, ever. Rather than refusing the
 * open (ssh would then report a bare "open failed" and exit 255), confirm
 * it and wait for what the client wants to run. pty-req, env and the
 * other preparations are refused (ssh -t says "PTY allocation request
 * failed" and goes on); shell, exec or subsystem is accepted, as sshd
 * accepts it under a ForceCommand, and answered by one line on stderr,
 * exit-status 1, EOF and CLOSE, so every client shows the line and exits
 * 1 as after a failed command. Answering before the request came would
 * race it: asyncssh, for one, has no session yet to take an exit status
 * that arrives before the answer to its exec. The channel has no io_chan:
 * the connection drops whatever data comes on it.
 */
void
server_session_open(struct server_conn *sc, uint32_t id)
{
    if (sc->no_more_sessions) {
        log_info("Possible attack: attempt to open a session after "
                 "additional sessions disabled from %s port %u",
                 sc->addr, (unsigned)sc->port);
        io_conn_disconnect(sc->ic, SSH_DISCONNECT_PROTOCOL_ERROR,
                           "Possible attack: attempt to open a session after "
                           "additional sessions disabled");
        return;
    }
    if (!server_session_count(sc, id)) {
        return;
    }
    conn_open_confirm(io_conn_conn(sc->ic), id);
}

/* The one line, the exit status and the close, after the answer. */
static void
server_session_answer(struct server_conn *sc, uint32_t id, const char *type)
{
    struct conn *c = io_conn_conn(sc->ic);
    const char *line = SERVER_SESSION_LINE;
    size_t n = strlen(line);
    uint8_t status[4];

    log_info("Session %s from %s port %u answered: this server only "
             "forwards ports",
             type, sc->addr, (unsigned)sc->port);
    if (n > conn_send_window(c, id)) {
        n = conn_send_window(c, id); /* a tiny window: say what fits */
    }
    put_u32_be(status, SERVER_SESSION_EXIT);
    if ((n > 0 &&
         conn_send_extended(c, id, 1, (const uint8_t *)line, n) != 0) ||
        conn_channel_request(c, id, "exit-status", false, status,
                             sizeof(status)) != 0 ||
        conn_send_eof(c, id) != 0) {
        log_debug("session channel %u: could not send the line", (unsigned)id);
    }
    conn_close(c, id);
}

static bool
server_session_is(const struct server_conn *sc, uint32_t id)
{
    size_t i;

    for (i = 0; i < sc->n_sessions; i++) {
        if (sc->sessions[i] == id) {
            return true;
        }
    }
    return false;
}

bool
server_session_request(void *ctx, struct io_conn *ic, uint32_t id,
                       const char *type, bool want_reply, const uint8_t *p,
                       size_t n)
{
    struct server_conn *sc = ctx;
    struct conn *c = io_conn_conn(ic);
    bool run = strcmp(type, "shell") == 0 || strcmp(type, "exec") == 0 ||
               strcmp(type, "subsystem") == 0;

    (void)p;
    (void)n;
    /* Only a session channel gets the session's answer: the same request
     * on any other channel (a direct-tcpip one, say) is refused, however
     * the io layer routed it here. */
    if (!server_session_is(sc, id)) {
        log_verbose("Channel request %.64s on non-session channel %u from "
                    "%s port %u refused",
                    type, (unsigned)id, sc->addr, (unsigned)sc->port);
        return false;
    }
    if (!run) {
        log_verbose("Session request %.64s from %s port %u refused", type,
                    sc->addr, (unsigned)sc->port);
        return false;
    }
    if (want_reply) {
        conn_channel_reply(c, id, true);
    }
    server_session_answer(sc, id, type);
    io_conn_flush(ic);
    return true;
}

/* streamlocal-forward@openssh.com and its cancel: the request data is a
 * socket path. */
static bool
server_streamlocal_request(struct server_conn *sc, bool cancel,
                           const uint8_t *p, size_t n)
{
    char *path = NULL;
    struct rd rd;
    bool ok;

    rd_init(&rd, p, n);
    if (streamlocal_forward_decode(&rd, &path) != 0) {
        server_refused(sc, "streamlocal-forward", "malformed request");
        return false;
    }
    ok = cancel ? server_rfwd_unix_cancel(sc, path)
                : server_rfwd_unix_request(sc, path);
    free(path);
    return ok;
}

bool
server_global_request(void *ctx, struct io_conn *ic, const char *name,
                      bool want_reply, const uint8_t *p, size_t n,
                      struct buf *reply)
{
    struct server_conn *sc = ctx;

    if (strcmp(name, "tcpip-forward") == 0) {
        return server_rfwd_request(sc, want_reply, p, n, reply);
    }
    if (strcmp(name, "cancel-tcpip-forward") == 0) {
        return server_rfwd_cancel(sc, p, n);
    }
    if (strcmp(name, "no-more-sessions@openssh.com") == 0) {
        sc->no_more_sessions = true;
        return true;
    }
    if (strcmp(name, "streamlocal-forward@openssh.com") == 0) {
        return server_streamlocal_request(sc, false, p, n);
    }
    if (strcmp(name, "cancel-streamlocal-forward@openssh.com") == 0) {
        return server_streamlocal_request(sc, true, p, n);
    }
    return false; /* keepalive@openssh.com and the unknown */
}
