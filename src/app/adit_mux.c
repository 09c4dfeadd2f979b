/* SPDX-License-Identifier: ISC */
/* adit -O, and -W through a running master: the client side. */
#include "app/adit_mux.h"
#include "app/adit_mux_int.h"

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

const char *
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

const char *
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

bool
adit_mux_refused(struct buf *body, const char *what)
{
    const char *t = adit_mux_text(body);

    if (strcmp(t, ADIT_MUX_DENIED) != 0) {
        return false;
    }
    fprintf(stderr, "Master refused %s request: %s\r\n", what, t);
    return true;
}

int
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
        code = adit_mux_session(fd, cfg, command, want_tty, &body);
    }
    buf_cleanup(&body);
    close(fd);
    return code;
}
