/* SPDX-License-Identifier: ISC */
/*
 * adit's own session (not -N, -W or Reconnect mode): the remote command,
 * shell or subsystem on stdin, stdout and stderr, and its exit status as
 * adit's, as ssh's client_loop returns it.
 */
#include "fwd/client_int.h"
#include "fwd/client_sess.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/io_pump.h"
#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"

/* Channels still open on the connection (forwarded connections, X11,
 * the agent's, a master's clients): what ssh's channel_still_open sees. */
static bool
client_shell_still_open(const struct client *c)
{
    struct conn *cn = c->ic != NULL ? io_conn_conn(c->ic) : NULL;

    return cn != NULL && conn_channel_count(cn) > 0;
}

static void
client_shell_linger_check(uv_check_t *h)
{
    struct client *c = h->data;

    if (!c->stopping && client_shell_still_open(c)) {
        return;
    }
    uv_check_stop(h);
    if (!c->stopping) {
        log_debug("no channel left open: ending");
        client_stop(c);
    }
}

/* A timer rather than a look at once: the session's own channel may
 * still be in the table while its done callback runs. Channels close on
 * the server's messages, which the check after each turn then sees. */
static void
client_shell_linger_kick(uv_timer_t *h)
{
    struct client *c = h->data;

    if (c->stopping) {
        return;
    }
    if (!client_shell_still_open(c)) {
        client_stop(c);
        return;
    }
    log_debug("session over: waiting for the open channels to close");
    (void)uv_check_start(&c->linger, client_shell_linger_check);
}

/* The session is over: so is adit, with its status (255 without one, as
 * ssh's exit_status stays -1 after an exit-signal), once the other
 * channels have closed, as ssh waits for them (~& puts it in the
 * background meanwhile). */
static void
client_shell_done(void *ctx, struct client_sess *s, int status)
{
    struct client *c = ctx;

    (void)s;
    c->sess = NULL;
    client_term_stop(c);
    log_debug("session closed, exit status %d", status);
    if (c->ic != NULL && !io_conn_is_ending(c->ic)) {
        c->stdio_ok = true; /* the connection's end is ours */
        c->exit_code = status >= 0 ? status & 0xff : CLIENT_EXIT_FAIL;
    } else {
        c->exit_code = CLIENT_EXIT_FAIL;
    }
    c->said = true;
    if (c->stopping || c->ic == NULL || io_conn_is_ending(c->ic) ||
        uv_timer_start(&c->linger_kick, client_shell_linger_kick, 0, 0) != 0) {
        client_stop(c);
    }
}

/* The session is open, nothing asked yet: x11-req and
 * auth-agent-req@openssh.com go first, before the pty-req and the exec,
 * as ssh.c's ssh_session2_setup sends them. */
static void
client_shell_before_start(void *ctx, struct client_sess *s, struct sesschan *sc)
{
    struct client *c = ctx;

    (void)s;
    client_sessfwd_requests(&c->sessfwd, sc);
}

/* The session's streams: stdin unless -n, stdout, stderr. */
static int
client_shell_streams(struct client *c, struct client_sess_cfg *sc)
{
    int r;

    if (c->cfg->stdin_null != 1 &&
        (r = client_stdio_any(c, STDIN_FILENO, &sc->in)) != 0) {
        return r;
    }
    if ((r = client_stdio_any(c, STDOUT_FILENO, &sc->out)) != 0 ||
        (r = client_stdio_any(c, STDERR_FILENO, &sc->err)) != 0) {
        io_close_free((uv_handle_t *)sc->in);
        io_close_free((uv_handle_t *)sc->out);
        return r;
    }
    return 0;
}

void
client_shell_join(struct client *c)
{
    size_t i;

    for (i = 0; i < 3; i++) {
        io_pump_join(c->pumps[i]);
        c->pumps[i] = NULL;
    }
}

int
client_shell_start(struct client *c, struct io_conn *ic)
{
    const struct client_config *cfg = c->cfg;
    struct client_sess_cfg sc;
    char **env = NULL;
    size_t n_env = 0;
    int r;

    memset(&sc, 0, sizeof(sc));
    if ((r = client_sess_env(cfg->send_env, cfg->n_send_env, cfg->set_env,
                             cfg->n_set_env, &env, &n_env)) != 0 ||
        (r = client_shell_streams(c, &sc)) != 0) {
        client_sess_env_free(env, n_env);
        log_error("cannot use stdin, stdout or stderr: %s", err_str(r));
        return r;
    }
    sc.kind = cfg->session_type == CLIENT_SESSION_SUBSYSTEM ? SESSCHAN_SUBSYSTEM
              : c->t->command != NULL                       ? SESSCHAN_EXEC
                                                            : SESSCHAN_SHELL;
    sc.command = c->t->command;
    sc.env = env;
    sc.n_env = n_env;
    sc.want_tty = c->t->want_tty;
    sc.tty_required = cfg->request_tty == CLIENT_TTY_YES ||
                      cfg->request_tty == CLIENT_TTY_FORCE;
    sc.term = getenv("TERM") != NULL ? getenv("TERM") : "";
    sc.before_start = client_shell_before_start;
    sc.done = client_shell_done;
    sc.ctx = c;
    if (sc.want_tty && (r = client_term_start(c, &sc)) != 0) {
        io_close_free((uv_handle_t *)sc.in);
        io_close_free((uv_handle_t *)sc.out);
        io_close_free((uv_handle_t *)sc.err);
        client_sess_env_free(env, n_env);
        return r;
    }
    r = client_sess_open(ic, &sc, &c->sess);
    client_sess_env_free(env, n_env);
    if (r != 0) {
        client_term_stop(c);
        return r;
    }
    client_term_watch(c);
    return 0;
}
