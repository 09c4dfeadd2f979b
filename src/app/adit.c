/* SPDX-License-Identifier: ISC */
/* adit: the client (what to run, and the loop that runs it). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "app/adit_int.h"
#include "app/adit_mux.h"
#include "crypto/crypto_init.h"
#include "fwd/client.h"
#include "fwd/client_fork.h"
#include "io/io_ctl.h"
#include "io/io_util.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

/* What client_run needs to know of d. */
static void
adit_target(struct adit_dest *d, struct client_target *t)
{
    const struct client_config *cfg = &d->cfg;

    memset(t, 0, sizeof(*t));
    t->jump_spec = d->jump_spec;
    t->jump_cfgs = (const struct client_config *const *)d->jumps;
    t->n_jump_cfgs = d->n_jumps;
    t->host = cfg->hostname;
    t->orig_host = d->cmd.host_arg;
    t->user = cfg->user;
    t->port = (uint16_t)cfg->port;
    t->has_session = cfg->session_type != CLIENT_SESSION_NONE &&
                     cfg->stdio_forward == NULL && cfg->reconnect != 1;
    t->command = d->command;
    t->want_tty = d->want_tty;
    t->family = cfg->address_family == CLIENT_AF_INET    ? AF_INET
                : cfg->address_family == CLIENT_AF_INET6 ? AF_INET6
                                                         : AF_UNSPEC;
}

/* ready_fd: -1, or the pipe of a fork already made (ControlPersist). */
static int
adit_run(struct adit_dest **dests, size_t n, const struct client_config *fwds,
         int ready_fd)
{
    const struct client_config *cfgs[CLIENT_MAX_DESTS_ARGS];
    struct client_target t[CLIENT_MAX_DESTS_ARGS];
    uv_loop_t loop;
    size_t i;
    int code = ADIT_EXIT_FAIL;

    for (i = 0; i < n; i++) {
        cfgs[i] = &dests[i]->cfg;
        adit_target(dests[i], &t[i]);
        if (t[i].host[0] == '\0') {
            return ADIT_EXIT_FAIL;
        }
    }
    t[0].ready_fd = ready_fd;
    /* -f: the parent waits for the child's word that all is up. */
    if (ready_fd < 0 && fwds->fork_after_auth == 1 &&
        client_fork(&t[0].ready_fd) != 0) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        return ADIT_EXIT_FAIL;
    }
    if (uv_loop_init(&loop) == 0) {
        code = client_run_many(&loop, fwds, cfgs, t, n);
        uv_loop_close(&loop);
    }
    return code;
}

/* The words left on the command line, joined with spaces as ssh joins
 * them; NULL when there are none. */
static char *
adit_join(char *const *w, int n)
{
    struct buf b;
    char *out;
    int i;

    if (n == 0) {
        return NULL;
    }
    buf_init(&b);
    buf_set_nowipe(&b);
    for (i = 0; i < n; i++) {
        if ((i > 0 && buf_put(&b, " ", 1) != 0) ||
            buf_put(&b, w[i], strlen(w[i])) != 0) {
            exit(ADIT_EXIT_FAIL);
        }
    }
    if (buf_put(&b, "", 1) != 0 ||
        (out = strdup((char *)buf_ptr(&b))) == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    buf_cleanup(&b);
    return out;
}

/* Whether to ask for a pty, as ssh.c decides: -t/RequestTTY yes asks, a
 * shell asks unless "no", and stdin must be a terminal (or -tt). */
static bool
adit_want_tty(const struct client_config *cfg, bool has_command)
{
    int rt = cfg->request_tty < 0 ? CLIENT_TTY_AUTO : cfg->request_tty;
    bool tty = rt == CLIENT_TTY_YES || rt == CLIENT_TTY_FORCE;

    if (!has_command) {
        tty = rt != CLIENT_TTY_NO;
    }
    if (rt == CLIENT_TTY_NO || cfg->session_type == CLIENT_SESSION_NONE) {
        tty = false;
    }
    if ((!isatty(STDIN_FILENO) || cfg->stdin_null == 1) &&
        rt != CLIENT_TTY_FORCE) {
        if (tty && cfg->log_level != LOG_QUIET) {
            fprintf(stderr, "Pseudo-terminal will not be allocated because "
                            "stdin is not a terminal.\r\n");
        }
        tty = false;
    }
    return tty;
}

/*
 * The session of the main destination, checked as ssh checks it: the
 * command line's words or RemoteCommand (not both), -f only with
 * something to run, and the pty decision.
 */
static void
adit_session(struct adit_dest *d)
{
    const struct client_config *cfg = &d->cfg;
    bool none =
        cfg->session_type == CLIENT_SESSION_NONE || cfg->stdio_forward != NULL;

    d->command = adit_join(d->cmd.more, d->cmd.n_more);
    if (d->command != NULL && cfg->remote_command != NULL) {
        fprintf(stderr, "Cannot execute command-line and remote command.\r\n");
        exit(ADIT_EXIT_FAIL);
    }
    if (d->command == NULL && cfg->remote_command != NULL &&
        (d->command = strdup(cfg->remote_command)) == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    if (cfg->fork_after_auth == 1 && d->command == NULL && !none) {
        fprintf(stderr, "Cannot fork into background without a command to "
                        "execute.\r\n");
        exit(ADIT_EXIT_FAIL);
    }
    d->want_tty = !none && adit_want_tty(cfg, d->command != NULL);
}

/*
 * The destinations after the first: the command line's further
 * arguments, or the Destinations option (which names every one, the
 * command line's host then only naming the configuration that holds
 * the forwards). Only in Reconnect mode; otherwise the further words
 * are the remote command (adit_session).
 */
static size_t
adit_more(int argc, char **argv, const struct client_env *env,
          struct adit_dest *main_d, struct adit_dest **out)
{
    struct adit_cmd *cmd = &main_d->cmd;
    char *list, *w, *save = NULL;
    size_t n = 1;
    int i;

    out[0] = main_d;
    if (main_d->cfg.reconnect != 1) {
        adit_session(main_d);
        if (main_d->cfg.destinations != NULL) {
            fprintf(stderr, "adit: Destinations needs Reconnect yes (-r)\n");
            exit(ADIT_EXIT_FAIL);
        }
        return 1;
    }
    if (main_d->cfg.stdio_forward != NULL) {
        fprintf(stderr, "adit: -W cannot be used with Reconnect\n");
        exit(ADIT_EXIT_FAIL);
    }
    if (main_d->cfg.destinations != NULL && cmd->n_more == 0) {
        if ((list = strdup(main_d->cfg.destinations)) == NULL) {
            exit(ADIT_EXIT_FAIL);
        }
        n = 0;
        for (w = strtok_r(list, " \t", &save); w != NULL;
             w = strtok_r(NULL, " \t", &save)) {
            if (n == CLIENT_MAX_DESTS_ARGS) {
                fprintf(stderr, "adit: at most %u destinations\n",
                        (unsigned)CLIENT_MAX_DESTS_ARGS);
                exit(ADIT_EXIT_FAIL);
            }
            out[n++] = adit_load_more(argc, argv, env, cmd, w);
        }
        free(list);
        return n;
    }
    if (cmd->n_more + 1 > (int)CLIENT_MAX_DESTS_ARGS) {
        fprintf(stderr, "adit: at most %u destinations\n",
                (unsigned)CLIENT_MAX_DESTS_ARGS);
        exit(ADIT_EXIT_FAIL);
    }
    for (i = 0; i < cmd->n_more; i++) {
        out[n++] = adit_load_more(argc, argv, env, cmd, cmd->more[i]);
    }
    return n;
}

/*
 * adit status [--json] [options] destination: ask the adit running for
 * destination, at the StatusSocket the same options and files give, for
 * its table (or JSON). 0 with the answer on stdout; 1 when it answered
 * with an error; 255 when it could not be asked.
 */
static int
adit_status(int argc, char **argv, const struct client_env *env)
{
    const char *words[2] = {"status", "--json"};
    char **av = calloc((size_t)argc + 1, sizeof(*av));
    struct adit_dest *d = malloc(sizeof(*d));
    const char *path;
    struct buf body;
    bool json = false, ok = false;
    int i, n = 1, r;

    if (av == NULL || d == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    av[0] = argv[0];
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            av[n++] = argv[i];
        }
    }
    adit_load(n, av, env, d, false);
    /* A master's ControlPath answers too: one control protocol. */
    path = d->cfg.status_socket;
    if (path == NULL || strcmp(path, "none") == 0) {
        path = client_config_control_path(&d->cfg);
    }
    if (path == NULL) {
        fprintf(stderr, "adit: no StatusSocket or ControlPath is set for %s\n",
                d->cmd.host_arg);
        exit(ADIT_EXIT_FAIL);
    }
    buf_init(&body);
    buf_set_nowipe(&body);
    r = io_ctl_call(path, words, json ? 2 : 1, ADIT_STATUS_TIMEOUT_MS, &ok,
                    &body);
    if (r != 0) {
        fprintf(stderr, "adit: status: %s: %s\n", path,
                r == ERR_IO ? strerror(errno) : err_str(r));
    } else {
        fwrite(buf_ptr(&body), 1, buf_len(&body), ok ? stdout : stderr);
    }
    buf_cleanup(&body);
    adit_dest_free(d);
    free(av);
    return r != 0 ? ADIT_EXIT_FAIL : ok ? 0 : 1;
}

/*
 * ControlPersist makes a master go to the background once up (as -f). A
 * -W or a session (command, shell, subsystem) asked of it is then done,
 * as ssh does it, by this process as the master's first client: the
 * child is the master, with neither. Returns -1 to run (as the master,
 * *ready_fd its pipe to the parent), or the parent's exit status.
 */
static int
adit_persist(struct adit_dest *d, int *ready_fd)
{
    struct client_config *cfg = &d->cfg;
    bool is_parent = false;
    int code, stdin_null = cfg->stdin_null;

    *ready_fd = -1;
    if (client_config_control_path(cfg) == NULL ||
        cfg->control_master == CLIENT_MASTER_NO || cfg->control_persist != 1 ||
        cfg->reconnect == 1) {
        return -1;
    }
    cfg->stdin_null = 1;
    if (cfg->stdio_forward == NULL &&
        cfg->session_type == CLIENT_SESSION_NONE) {
        cfg->fork_after_auth = 1; /* ssh: ControlPersist implies -f */
        return -1;
    }
    if (client_fork_detach(ready_fd, &is_parent) != 0) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        exit(ADIT_EXIT_FAIL);
    }
    if (!is_parent) {
        /* The master: as -N, nothing of its own to run. */
        free(cfg->stdio_forward);
        cfg->stdio_forward = NULL;
        cfg->session_type = CLIENT_SESSION_NONE;
        d->want_tty = false;
        return -1;
    }
    cfg->control_master = CLIENT_MASTER_NO;
    cfg->stdin_null = stdin_null;
    if ((code = adit_mux_client(cfg, d->command, d->want_tty)) < 0) {
        fprintf(stderr, "Failed to connect to new control master\n");
        return ADIT_EXIT_FAIL;
    }
    return code;
}

int
main(int argc, char **argv)
{
    struct adit_dest *dests[CLIENT_MAX_DESTS_ARGS], *main_d;
    struct client_env env;
    char uid[24], lhost[256];
    size_t n, i;
    int code, ready_fd = -1;

    log_init("adit", LOG_INFO);
    if (crypto_init() != 0) {
        log_error("libcrypto failed to start");
        return ADIT_EXIT_FAIL;
    }
    /* A local peer closing mid-write must not kill us: errors come back
     * from the write as EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);
    (void)io_raise_nofile();
    adit_env(&env, uid, sizeof(uid), lhost, sizeof(lhost));
    if (argc > 1 && strcmp(argv[1], "status") == 0) {
        return adit_status(argc, argv, &env);
    }
    if ((main_d = malloc(sizeof(*main_d))) == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    adit_load(argc, argv, &env, main_d, true);
    n = adit_more(argc, argv, &env, main_d, dests);
    log_init("adit",
             main_d->cfg.log_level >= 0 ? main_d->cfg.log_level : LOG_INFO);
    /* A master running at ControlPath does the work instead. */
    if (n == 1 && main_d->cfg.reconnect != 1 &&
        (code = adit_mux_client(&main_d->cfg, main_d->command,
                                main_d->want_tty)) >= 0) {
        adit_dest_free(main_d);
        return code;
    }
    if ((code = adit_persist(main_d, &ready_fd)) >= 0) {
        adit_dest_free(main_d);
        return code;
    }
    code = adit_run(dests, n, &main_d->cfg, ready_fd);
    for (i = 0; i < n; i++) {
        if (dests[i] != main_d) {
            adit_dest_free(dests[i]);
        }
    }
    adit_dest_free(main_d);
    return code;
}
