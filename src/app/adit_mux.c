/* SPDX-License-Identifier: ISC */
/* adit -O, and -W through a running master: the client side. */
#include "app/adit_mux.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/ctl_mux.h"
#include "fwd/client_sess.h"
#include "io/io_ctl.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define ADIT_MUX_FAIL 255
/* How long a master may take to answer a request it answers at once. */
#define ADIT_MUX_TIMEOUT_MS 30000
/* A request the server has to answer first (-R, a channel open). */
#define ADIT_MUX_SERVER_TIMEOUT_MS 120000

static const char *const adit_mux_cmds[] = {"check", "forward", "cancel",
                                            "exit", "stop"};

bool
adit_mux_command_ok(const char *cmd)
{
    size_t i;

    for (i = 0; i < sizeof(adit_mux_cmds) / sizeof(adit_mux_cmds[0]); i++) {
        if (strcmp(cmd, adit_mux_cmds[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* The answer's body as a string (NUL-terminated, in b). */
static const char *
adit_mux_text(struct buf *b)
{
    size_t n = buf_len(b);

    if (buf_put(b, "", 1) != 0) {
        return "";
    }
    /* One line: the trailing line end goes. */
    while (n > 0 && ((const char *)buf_ptr(b))[n - 1] == '\n') {
        ((char *)buf_ptr(b))[--n] = '\0';
    }
    return (const char *)buf_ptr(b);
}

/* Why a request got no answer we can read (another protocol there). */
static const char *
adit_mux_why(int r)
{
    /* Another program's socket hangs up on our first line. */
    if (r == ERR_IO && errno != ECONNRESET && errno != EPIPE) {
        return strerror(errno);
    }
    if (r == ERR_IO || r == ERR_DISCONNECTED || r == ERR_FORMAT ||
        r == ERR_VERSION) {
        return "not an adit control socket";
    }
    return err_str(r);
}

/* The master's answer when ControlMaster ask was answered no. */
#define ADIT_MUX_DENIED "Permission denied"

/* ssh's words for a refusal: "Master refused <what> request: ...". */
static bool
adit_mux_refused(struct buf *body, const char *what)
{
    const char *t = adit_mux_text(body);

    if (strcmp(t, ADIT_MUX_DENIED) != 0) {
        return false;
    }
    fprintf(stderr, "Master refused %s request: %s\r\n", what, t);
    return true;
}

/* One request and its answer on fd. 0 with *ok and body, or ERR_*. */
static int
adit_mux_ask(int fd, const char *const *argv, size_t argc, const int *fds,
             size_t n_fds, int timeout_ms, bool *ok, struct buf *body)
{
    int r;

    buf_reset(body);
    if ((r = io_ctl_send(fd, argv, argc, fds, n_fds, ADIT_MUX_TIMEOUT_MS)) !=
        0) {
        return r;
    }
    return io_ctl_recv(fd, timeout_ms, ok, body);
}

static int
adit_mux_connect(const char *path, int *fd)
{
    if (io_ctl_connect(path, fd) != 0) {
        fprintf(stderr, "Control socket connect(%.100s): %s\r\n", path,
                strerror(errno));
        return ADIT_MUX_FAIL;
    }
    return 0;
}

/* -O check: "Master running (pid=N)" on stderr, as ssh. */
static int
adit_mux_check(int fd, const char *path, struct buf *body)
{
    const char *argv[] = {"check"};
    bool ok = false;
    int r = adit_mux_ask(fd, argv, 1, NULL, 0, ADIT_MUX_TIMEOUT_MS, &ok, body);
    const char *t = r == 0 ? adit_mux_text(body) : "";

    if (r != 0 || !ok || strncmp(t, "pid ", 4) != 0) {
        fprintf(stderr, "Control socket %s: %s\r\n", path,
                r != 0 ? adit_mux_why(r) : t);
        fprintf(stderr, "muxclient: master alive check failed\r\n");
        return ADIT_MUX_FAIL;
    }
    fprintf(stderr, "Master running (pid=%s)\r\n", t + 4);
    return 0;
}

/* -O exit and -O stop: ssh's line once the master has taken it. */
static int
adit_mux_simple(int fd, const char *cmd, const char *path,
                const struct client_config *cfg, struct buf *body)
{
    const char *argv[] = {cmd};
    bool ok = false;
    int r = adit_mux_ask(fd, argv, 1, NULL, 0, ADIT_MUX_TIMEOUT_MS, &ok, body);

    /* A master that exits before its answer is read has done as asked. */
    if (r == ERR_DISCONNECTED && strcmp(cmd, "exit") == 0) {
        r = 0;
        ok = true;
    }
    if (r == 0 && !ok &&
        adit_mux_refused(body, strcmp(cmd, "exit") == 0 ? "termination"
                                                        : "stop listening")) {
        return ADIT_MUX_FAIL;
    }
    if (r != 0 || !ok) {
        fprintf(stderr, "Control socket %s: %s\r\n", path,
                r != 0 ? adit_mux_why(r) : adit_mux_text(body));
        return ADIT_MUX_FAIL;
    }
    if (cfg->log_level != LOG_QUIET) {
        fprintf(stderr, "%s\r\n",
                strcmp(cmd, "exit") == 0 ? "Exit request sent."
                                         : "Stop listening request sent.");
    }
    return 0;
}

/* One forward added (or cancelled): 0, or -1 said. A -R 0 added prints
 * the port given on stdout, as ssh -O forward does. */
static int
adit_mux_fwd(int fd, bool cancel, enum fwdspec_kind kind,
             const struct fwdspec *f, bool print_port, struct buf *body)
{
    char spec[LIM_CTL_REQUEST];
    const char *argv[3];
    bool ok = false;
    int r;

    if (ctl_mux_fwd_format(f, kind, spec, sizeof(spec)) != 0) {
        fprintf(stderr, "mux_client_forward: forwarding specification too "
                        "long\r\n");
        return -1;
    }
    argv[0] = cancel ? "cancel" : "forward";
    argv[1] = ctl_mux_kind_word(kind);
    argv[2] = spec;
    r = adit_mux_ask(fd, argv, 3, NULL, 0, ADIT_MUX_SERVER_TIMEOUT_MS, &ok,
                     body);
    if (r == 0 && !ok && adit_mux_refused(body, "forwarding")) {
        return -1;
    }
    if (r != 0 || !ok) {
        fprintf(stderr, "mux_client_forward: forwarding request failed: %s\r\n",
                r != 0 ? adit_mux_why(r) : adit_mux_text(body));
        return -1;
    }
    if (!cancel && print_port && kind == FWDSPEC_REMOTE &&
        f->listen_path == NULL && f->listen_port == 0 &&
        strncmp(adit_mux_text(body), "port ", 5) == 0) {
        fprintf(stdout, "%s\n", adit_mux_text(body) + 5);
        fflush(stdout);
    }
    return 0;
}

/* Every -L, -D and -R of cfg, in ssh's order. */
static int
adit_mux_fwds(int fd, bool cancel, const struct client_config *cfg,
              bool print_port, struct buf *body)
{
    size_t i;
    int r = 0;

    for (i = 0; i < cfg->n_local_fwds; i++) {
        r |= adit_mux_fwd(fd, cancel, FWDSPEC_LOCAL, &cfg->local_fwds[i],
                          print_port, body);
    }
    for (i = 0; i < cfg->n_dynamic_fwds; i++) {
        r |= adit_mux_fwd(fd, cancel, FWDSPEC_DYNAMIC, &cfg->dynamic_fwds[i],
                          print_port, body);
    }
    for (i = 0; i < cfg->n_remote_fwds; i++) {
        r |= adit_mux_fwd(fd, cancel, FWDSPEC_REMOTE, &cfg->remote_fwds[i],
                          print_port, body);
    }
    return r;
}

int
adit_mux_command(const struct client_config *cfg, const char *cmd)
{
    const char *path = client_config_control_path(cfg);
    struct buf body;
    int fd = -1, code;

    if (path == NULL) {
        fprintf(stderr, "No ControlPath specified for \"-O\" command\r\n");
        return ADIT_MUX_FAIL;
    }
    if ((code = adit_mux_connect(path, &fd)) != 0) {
        return code;
    }
    buf_init(&body);
    buf_set_nowipe(&body);
    if (strcmp(cmd, "check") == 0) {
        code = adit_mux_check(fd, path, &body);
    } else if (strcmp(cmd, "forward") == 0) {
        if ((code = adit_mux_fwds(fd, false, cfg, true, &body)) != 0) {
            fprintf(stderr, "muxclient: master forward request failed\r\n");
            code = ADIT_MUX_FAIL;
        }
    } else if (strcmp(cmd, "cancel") == 0) {
        /* ssh says so and still ends with 0. */
        if (adit_mux_fwds(fd, true, cfg, false, &body) != 0) {
            fprintf(stderr,
                    "muxclient: master cancel forward request failed\r\n");
        }
        code = 0;
    } else {
        code = adit_mux_simple(fd, cmd, path, cfg, &body);
    }
    buf_cleanup(&body);
    close(fd);
    return code;
}

/* ---- using a running master ---- */

/*
 * -W through the master: stdin and stdout go to it with the request; the
 * first answer says the channel is open (or why not), the second that it
 * has ended. A master that goes away meanwhile is a failure, 255.
 */
static int
adit_mux_stdio(int fd, const struct client_config *cfg, struct buf *body)
{
    const char *argv[] = {"stdio", cfg->stdio_forward};
    const int fds[CTL_MUX_STDIO_FDS] = {STDIN_FILENO, STDOUT_FILENO};
    bool ok = false;
    int r, devnull;

    if (cfg->stdin_null == 1 &&
        (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
        (void)dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    r = adit_mux_ask(fd, argv, 2, fds, CTL_MUX_STDIO_FDS,
                     ADIT_MUX_SERVER_TIMEOUT_MS, &ok, body);
    if (r == 0 && !ok && adit_mux_refused(body, "stdio forwarding")) {
        return ADIT_MUX_FAIL;
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
        return ADIT_MUX_FAIL;
    }
    log_debug("master opened %s", adit_mux_text(body));
    /* Our copies of stdin and stdout are the master's to use now. */
    buf_reset(body);
    r = io_ctl_recv(fd, -1, &ok, body);
    if (r != 0 || !ok || strcmp(adit_mux_text(body), "exit 0") != 0) {
        log_debug("Control master terminated unexpectedly (%s%s)",
                  r != 0 ? err_str(r) : "", r != 0 ? "" : adit_mux_text(body));
        return ADIT_MUX_FAIL;
    }
    return 0;
}

/* The session request's words: kind, cmd=, env= (SendEnv, SetEnv). */
static size_t
adit_mux_sess_words(const struct client_config *cfg, const char *command,
                    char **env, size_t n_env, const char **argv, char *cmdword,
                    size_t cmd_len)
{
    size_t n = 0, i;

    argv[n++] = "session";
    argv[n++] = cfg->session_type == CLIENT_SESSION_SUBSYSTEM ? "subsystem"
                : command != NULL                             ? "exec"
                                                              : "shell";
    if (command != NULL) {
        snprintf(cmdword, cmd_len, "cmd=%s", command);
        argv[n++] = cmdword;
    }
    for (i = 0; i < n_env && n < LIM_CTL_ARGS + 1; i++) {
        argv[n++] = env[i]; /* "env=NAME=VALUE" */
    }
    return n;
}

/*
 * A command, shell or subsystem run by the master: stdin, stdout and
 * stderr passed with the request; the second answer is the remote exit
 * status, which becomes ours (255 when none came or the master went).
 */
static int
adit_mux_session(int fd, const struct client_config *cfg, const char *command,
                 struct buf *body)
{
    const int fds[CTL_MUX_SESSION_FDS] = {STDIN_FILENO, STDOUT_FILENO,
                                          STDERR_FILENO};
    const char *argv[LIM_CTL_ARGS + 1];
    char **env = NULL, **words = NULL, cmdword[LIM_CTL_REQUEST];
    size_t n_env = 0, argc, i;
    bool ok = false;
    int r, status = ADIT_MUX_FAIL, devnull;

    if (client_sess_env(cfg->send_env, cfg->n_send_env, cfg->set_env,
                        cfg->n_set_env, &env, &n_env) != 0 ||
        (n_env > 0 && (words = calloc(n_env, sizeof(*words))) == NULL)) {
        client_sess_env_free(env, n_env);
        return ADIT_MUX_FAIL;
    }
    for (i = 0; i < n_env; i++) {
        if ((words[i] = malloc(strlen(env[i]) + 5)) != NULL) {
            snprintf(words[i], strlen(env[i]) + 5, "env=%s", env[i]);
        }
    }
    if (cfg->stdin_null == 1 &&
        (devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0) {
        (void)dup2(devnull, STDIN_FILENO);
        close(devnull);
    }
    argc = adit_mux_sess_words(cfg, command, words, n_env, argv, cmdword,
                               sizeof(cmdword));
    r = adit_mux_ask(fd, argv, argc, fds, CTL_MUX_SESSION_FDS,
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
    buf_reset(body);
    r = io_ctl_recv(fd, -1, &ok, body);
    if (r == 0 && ok && strncmp(adit_mux_text(body), "exit ", 5) == 0) {
        status = atoi(adit_mux_text(body) + 5);
        status = status >= 0 ? status & 0xff : ADIT_MUX_FAIL;
        log_debug("Received exit status from master %d", status);
    } else {
        log_debug("Control master terminated unexpectedly");
    }
out:
    for (i = 0; words != NULL && i < n_env; i++) {
        free(words[i]);
    }
    free(words);
    client_sess_env_free(env, n_env);
    return status;
}

/* Whether fd is one the master's loop can poll (a pipe, socket or tty). */
static bool
adit_mux_pollable(int fd)
{
    struct stat st;

    return isatty(fd) || (fstat(fd, &st) == 0 &&
                          (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
}

int
adit_mux_client(const struct client_config *cfg, const char *command,
                bool want_tty)
{
    const char *path = client_config_control_path(cfg);
    struct buf body;
    int fd = -1, code = 0;

    if (path == NULL || cfg->control_master == CLIENT_MASTER_YES ||
        cfg->control_master == CLIENT_MASTER_ASK) {
        return -1;
    }
    /* XXX(issue 8): a pty through the master (raw mode, window size) is
     * not done: such a session gets a connection of its own. */
    if (cfg->stdio_forward == NULL &&
        cfg->session_type != CLIENT_SESSION_NONE &&
        (want_tty || !adit_mux_pollable(STDOUT_FILENO) ||
         !adit_mux_pollable(STDERR_FILENO) ||
         (cfg->stdin_null != 1 && !adit_mux_pollable(STDIN_FILENO)))) {
        /* XXX(issue 8): plain files through the master are not done
         * either: the session then has a connection of its own too. */
        return -1;
    }
    if (cfg->control_master >= CLIENT_MASTER_AUTO) {
        log_debug("auto-mux: Trying existing master");
    }
    if (io_ctl_connect(path, &fd) != 0) {
        if (errno == ECONNREFUSED && cfg->control_master > CLIENT_MASTER_NO) {
            log_debug("Stale control socket %.100s, unlinking", path);
            (void)unlink(path);
        } else if (errno == ENOENT) {
            log_debug("Control socket \"%.100s\" does not exist", path);
        } else {
            fprintf(stderr, "Control socket connect(%.100s): %s\r\n", path,
                    strerror(errno));
        }
        return -1;
    }
    buf_init(&body);
    buf_set_nowipe(&body);
    if (cfg->stdio_forward != NULL) {
        code = adit_mux_stdio(fd, cfg, &body);
    } else if (adit_mux_fwds(fd, false, cfg, false, &body) != 0) {
        fprintf(stderr, "muxclient: master forward request failed\r\n");
        code = ADIT_MUX_FAIL;
    } else if (cfg->session_type != CLIENT_SESSION_NONE) {
        code = adit_mux_session(fd, cfg, command, &body);
    }
    buf_cleanup(&body);
    close(fd);
    return code;
}
