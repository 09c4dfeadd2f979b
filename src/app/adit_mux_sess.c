/* SPDX-License-Identifier: ISC */
/*
 * A session or -W run by a running master, from its client's side: our
 * descriptors go to the master; here we wait for the end, with our
 * terminal in raw mode for a pty session (restored on every way out),
 * SIGWINCH relayed to the master as ssh's mux client relays it, and the
 * descriptors' flags put back as they were (the master makes them
 * non-blocking, which the shell that started us would otherwise keep).
 */
#define _GNU_SOURCE /* strsignal, signalfd */
#include "app/adit_mux_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

#include "ctl/ctl_mux.h"
#include "fwd/client_sess.h"
#include "io/io_ctl.h"
#include "io/io_tty.h"
#include "util/err.h"
#include "util/log.h"

/* What we change locally while the master has our descriptors. */
struct adit_mux_local {
    int flags[3]; /* stdin, stdout, stderr's file status flags, or -1 */
    sigset_t old_mask;
    int sfd; /* SIGHUP, SIGINT, SIGTERM and SIGWINCH, or -1 */
    struct termios saved;
    bool raw;
};

/* Before the request: the flags kept, the signals we act on blocked and
 * read from a signalfd instead (a handler could not put things back). */
static void
adit_mux_local_begin(struct adit_mux_local *l)
{
    sigset_t set;
    int i;

    memset(l, 0, sizeof(*l));
    for (i = 0; i < 3; i++) {
        l->flags[i] = fcntl(i, F_GETFL);
    }
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGWINCH);
    l->sfd = -1;
    if (sigprocmask(SIG_BLOCK, &set, &l->old_mask) == 0) {
        l->sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    }
}

/* Everything as it was, whichever way the session ended. */
static void
adit_mux_local_end(struct adit_mux_local *l)
{
    int i;

    if (l->raw) {
        io_tty_restore(STDIN_FILENO, &l->saved);
        l->raw = false;
    }
    for (i = 0; i < 3; i++) {
        if (l->flags[i] >= 0) {
            (void)fcntl(i, F_SETFL, l->flags[i]);
        }
    }
    if (l->sfd >= 0) {
        close(l->sfd);
        l->sfd = -1;
    }
    sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
}

/*
 * The master's second answer, waited for as long as it takes. SIGWINCH
 * goes on to master (when known); SIGHUP, SIGINT and SIGTERM end the
 * wait with ERR_DISCONNECTED, as they end ssh's mux client (255).
 */
static int
adit_mux_wait(int fd, struct adit_mux_local *l, long master, bool *ok,
              struct buf *body)
{
    struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
                          {.fd = l->sfd, .events = POLLIN}};
    struct signalfd_siginfo si;
    int n;

    for (;;) {
        n = poll(p, l->sfd >= 0 ? 2 : 1, -1);
        if (n < 0 && errno != EINTR) {
            return ERR_IO;
        }
        if (n > 0 && p[0].revents != 0) {
            return io_ctl_recv(fd, -1, ok, body);
        }
        while (n > 0 && (p[1].revents & POLLIN) &&
               read(l->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
            if (si.ssi_signo != SIGWINCH) {
                log_debug("Exiting on signal: %s", strsignal(si.ssi_signo));
                return ERR_DISCONNECTED;
            }
            if (master > 0) {
                (void)kill((pid_t)master, SIGWINCH);
            }
        }
    }
}

/* stdin from /dev/null (-n), as ssh's mux client passes it. */
static void
adit_mux_null_stdin(const struct client_config *cfg)
{
    int devnull;

    if (cfg->stdin_null == 1 &&
        (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
        (void)dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
}

/*
 * -W through the master: stdin and stdout go to it with the request; the
 * first answer says the channel is open (or why not), the second that it
 * has ended. A master that goes away meanwhile is a failure, 255.
 */
int
adit_mux_stdio(int fd, const struct client_config *cfg, struct buf *body)
{
    const char *argv[] = {"stdio", cfg->stdio_forward};
    const int fds[CTL_MUX_STDIO_FDS] = {STDIN_FILENO, STDOUT_FILENO};
    struct adit_mux_local l;
    bool ok = false;
    int r, code = ADIT_MUX_FAIL;

    adit_mux_null_stdin(cfg);
    adit_mux_local_begin(&l);
    r = adit_mux_ask(fd, argv, 2, fds, CTL_MUX_STDIO_FDS,
                     ADIT_MUX_SERVER_TIMEOUT_MS, &ok, body);
    if (r == 0 && !ok && adit_mux_refused(body, "stdio forwarding")) {
        goto out;
    }
    if (r != 0 || !ok) {
        if (r == 0 && strncmp(adit_mux_text(body), "channel ", 8) == 0) {
            /* The server refused: as adit -W says it without a master. */
            fprintf(stderr, "%s\r\nstdio forwarding failed\r\n",
                    adit_mux_text(body));
        } else {
            fprintf(stderr, "Stdio forwarding request failed: %s\r\n",
                    r != 0 ? adit_mux_why(r) : adit_mux_text(body));
        }
        goto out;
    }
    log_debug("master opened %s", adit_mux_text(body));
    /* Our copies of stdin and stdout are the master's to use now. */
    buf_reset(body);
    r = adit_mux_wait(fd, &l, -1, &ok, body);
    if (r != 0 || !ok || strcmp(adit_mux_text(body), "exit 0") != 0) {
        log_debug("Control master terminated unexpectedly (%s%s)",
                  r != 0 ? err_str(r) : "", r != 0 ? "" : adit_mux_text(body));
        goto out;
    }
    code = 0;
out:
    adit_mux_local_end(&l);
    return code;
}

/* The session request's words: kind, cmd=, env= (SendEnv, SetEnv), and
 * for a pty tty=, term= and escape=. */
struct adit_mux_words {
    const char *argv[LIM_CTL_ARGS + 1];
    size_t argc;
    char cmd[LIM_CTL_REQUEST];
    char term[LIM_HOSTNAME + 8];
    char esc[24];
    char **env; /* "env=NAME=VALUE", malloc'd */
    size_t n_env;
};

static void
adit_mux_words_pty(struct adit_mux_words *w, const struct client_config *cfg)
{
    const char *term = getenv("TERM");
    int ch = cfg->escape_char;

    w->argv[w->argc++] = cfg->request_tty == CLIENT_TTY_YES ||
                                 cfg->request_tty == CLIENT_TTY_FORCE
                             ? "tty=2"
                             : "tty=1";
    if (term != NULL && strlen(term) <= LIM_HOSTNAME) {
        snprintf(w->term, sizeof(w->term), "term=%s", term);
        w->argv[w->argc++] = w->term;
    }
    if (ch != CLIENT_ESCAPE_NONE) {
        snprintf(w->esc, sizeof(w->esc), "escape=%d",
                 ch < 0 ? CLIENT_ESCAPE_DEFAULT : ch);
        w->argv[w->argc++] = w->esc;
    }
}

static int
adit_mux_words(struct adit_mux_words *w, const struct client_config *cfg,
               const char *command, bool want_tty)
{
    char **env = NULL;
    size_t n_env = 0, i, len;

    memset(w, 0, sizeof(*w));
    if (client_sess_env(cfg->send_env, cfg->n_send_env, cfg->set_env,
                        cfg->n_set_env, &env, &n_env) != 0 ||
        (n_env > 0 && (w->env = calloc(n_env, sizeof(*w->env))) == NULL)) {
        client_sess_env_free(env, n_env);
        return ERR_NOMEM;
    }
    w->n_env = n_env;
    w->argv[w->argc++] = "session";
    w->argv[w->argc++] = cfg->session_type == CLIENT_SESSION_SUBSYSTEM
                             ? "subsystem"
                         : command != NULL ? "exec"
                                           : "shell";
    if (command != NULL) {
        snprintf(w->cmd, sizeof(w->cmd), "cmd=%s", command);
        w->argv[w->argc++] = w->cmd;
    }
    if (want_tty) {
        adit_mux_words_pty(w, cfg);
    }
    for (i = 0; i < n_env; i++) {
        len = strlen(env[i]) + 5;
        if ((w->env[i] = malloc(len)) != NULL && w->argc < LIM_CTL_ARGS + 1) {
            snprintf(w->env[i], len, "env=%s", env[i]);
            w->argv[w->argc++] = w->env[i];
        }
    }
    client_sess_env_free(env, n_env);
    return 0;
}

static void
adit_mux_words_free(struct adit_mux_words *w)
{
    size_t i;

    for (i = 0; w->env != NULL && i < w->n_env; i++) {
        free(w->env[i]);
    }
    free(w->env);
}

/* The second answer, "exit STATUS", as our exit status. */
static int
adit_mux_status(int r, bool ok, struct buf *body)
{
    int status;

    if (r == 0 && ok && strncmp(adit_mux_text(body), "exit ", 5) == 0) {
        status = atoi(adit_mux_text(body) + 5);
        status = status >= 0 ? status & 0xff : ADIT_MUX_FAIL;
        log_debug("Received exit status from master %d", status);
        return status;
    }
    log_debug("Control master terminated unexpectedly");
    return ADIT_MUX_FAIL;
}

/*
 * A command, shell or subsystem run by the master: stdin, stdout and
 * stderr passed with the request; the second answer is the remote exit
 * status, which becomes ours (255 when none came or the master went).
 * With a pty, our terminal is raw from the master's first answer (it has
 * read the modes by then) to the end, as ssh's mux client keeps it.
 */
int
adit_mux_session(int fd, const struct client_config *cfg, const char *command,
                 bool want_tty, struct buf *body)
{
    const int fds[CTL_MUX_SESSION_FDS] = {STDIN_FILENO, STDOUT_FILENO,
                                          STDERR_FILENO};
    struct adit_mux_words w;
    struct adit_mux_local l;
    bool ok = false;
    long master = -1;
    int r, status = ADIT_MUX_FAIL;

    if (adit_mux_words(&w, cfg, command, want_tty) != 0) {
        return ADIT_MUX_FAIL;
    }
    adit_mux_null_stdin(cfg);
    adit_mux_local_begin(&l);
    r = adit_mux_ask(fd, w.argv, w.argc, fds, CTL_MUX_SESSION_FDS,
                     ADIT_MUX_SERVER_TIMEOUT_MS, &ok, body);
    if (r == 0 && !ok && adit_mux_refused(body, "session")) {
        goto out;
    }
    if (r != 0 || !ok) {
        fprintf(stderr,
                "mux_client_request_session: session request "
                "failed: %s\r\n",
                r != 0 ? adit_mux_why(r) : adit_mux_text(body));
        goto out;
    }
    if (strncmp(adit_mux_text(body), "session ", 8) == 0) {
        master = atol(adit_mux_text(body) + 8);
    }
    if (want_tty && isatty(STDIN_FILENO) &&
        io_tty_raw(STDIN_FILENO, &l.saved,
                   cfg->request_tty == CLIENT_TTY_FORCE) == 0) {
        l.raw = true;
    }
    buf_reset(body);
    r = adit_mux_wait(fd, &l, master, &ok, body);
    status = adit_mux_status(r, ok, body);
    adit_mux_local_end(&l);
    /* ssh's last words after a session on a pty (its INFO level). */
    if (want_tty && log_get_level() > LOG_QUIET) {
        fprintf(stderr, "Shared connection to %s closed.\r\n", cfg->hostname);
    }
    adit_mux_words_free(&w);
    return status;
out:
    adit_mux_local_end(&l);
    adit_mux_words_free(&w);
    return status;
}
