/* SPDX-License-Identifier: ISC */
/* adit: the client (command line, configuration files, the loop). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "config/client_config.h"
#include "config/fwdspec.h"
#include "config/hostport.h"
#include "config/jumpspec.h"
#include "config/ssh_config.h"
#include "config/ssh_config_file.h"
#include "app/adit_mux.h"
#include "fwd/client.h"
#include "fwd/client_fork.h"
#include "io/io_ctl.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

#define ADIT_EXIT_FAIL 255
#define ADIT_VERSION "adit_0.1"
/* Tests point this at their own file instead of /etc/ssh/ssh_config. */
#define ADIT_ENV_SYSTEM_CONFIG "ADIT_SSH_CONFIG_SYSTEM"
/* Destinations at most (the client's CLIENT_MAX_DESTS). */
#define CLIENT_MAX_DESTS_ARGS 8u
/* How long `adit status` waits for the answer. */
#define ADIT_STATUS_TIMEOUT_MS 10000

/* What the command line says beyond the options it sets in the config. */
struct adit_cmd {
    const char *config_file; /* -F */
    const char *log_file;    /* -E */
    const char *mux_cmd;     /* -O */
    bool is_dump;            /* -G */
    bool has_jump;           /* -J seen */
    char *host_arg;          /* destination host as given */
    int host_idx;            /* its index in argv */
    char **more;             /* the words after the destination's options */
    int n_more;
};

/* One destination, loaded as ssh would load it alone. */
struct adit_dest {
    struct client_config cfg;
    struct adit_cmd cmd;
    char *final_host;
    char *jump_spec; /* the whole -J chain (adit_jump_chain) */
    char *command;   /* the remote command (adit_session) */
    bool want_tty;
    struct client_config *jumps[LIM_JUMP_HOPS];
    size_t n_jumps;
};

static void
adit_usage(void)
{
    fprintf(stderr,
            "usage: adit [-46AaCfGgMNnqrsTtVvXxY] [-B bind_interface] "
            "[-b bind_address]\n"
            "            [-c cipher_spec] [-D [bind_address:]port] "
            "[-E log_file]\n"
            "            [-e escape_char] [-F configfile] [-i identity_file]\n"
            "            [-J [user@]host[:port]] [-L address] "
            "[-l login_name] [-m mac_spec]\n"
            "            [-O ctl_cmd] [-o option] [-p port] [-R address] "
            "[-S ctl_path]\n"
            "            [-W host:port] destination [command [argument ...]]\n"
            "       adit -r [options] destination ...\n"
            "       adit status [--json] [options] destination\n");
    exit(ADIT_EXIT_FAIL);
}

static void
adit_diag(void *arg, const char *msg)
{
    (void)arg;
    fprintf(stderr, "%s\n", msg);
}

/* A flag that maps to a keyword: ssh's wording for each flag's errors. */
static void
adit_set(struct client_config *cfg, const char *key, const char *value)
{
    static const struct {
        const char *key, *what;
    } msgs[] = {
        {"Port", "port"},
        {"LocalForward", "local forwarding specification"},
        {"RemoteForward", "remote forwarding specification"},
        {"DynamicForward", "dynamic forwarding specification"},
    };

    char why[512] = "";
    size_t i;

    if (client_config_set(cfg, key, value, why, sizeof(why)) == 0) {
        return;
    }
    if (strcmp(key, "ProxyJump") == 0) {
        fprintf(stderr, "Invalid -J argument\n");
        exit(ADIT_EXIT_FAIL);
    }
    for (i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
        if (strcmp(key, msgs[i].key) == 0) {
            fprintf(stderr, "Bad %s '%s'\n", msgs[i].what, value);
            exit(ADIT_EXIT_FAIL);
        }
    }
    fprintf(stderr, "command-line line 0: %s\n", why);
    exit(ADIT_EXIT_FAIL);
}

/* -i: as ssh, a file that is not there is a warning, not an identity. */
static void
adit_identity(struct client_config *cfg, const char *path)
{
    struct stat st;

    if (stat(path, &st) != 0) {
        fprintf(stderr, "Warning: Identity file %s not accessible: %s.\n", path,
                strerror(errno));
        return;
    }
    adit_set(cfg, "IdentityFile", path);
}

/* -W host:port or -W /path: kept as given, checked here. */
static void
adit_stdio(struct client_config *cfg, const char *v)
{
    char *host = NULL;
    uint16_t port = 0;

    if (cfg->stdio_forward != NULL) {
        fprintf(stderr, "stdio forward already specified\n");
        exit(ADIT_EXIT_FAIL);
    }
    if (v[0] != '/' && (hostport_parse(v, &host, &port) != 0 || port == 0)) {
        fprintf(stderr, "Bad stdio forwarding specification '%s'\n", v);
        exit(ADIT_EXIT_FAIL);
    }
    free(host);
    if ((cfg->stdio_forward = strdup(v)) == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    adit_set(cfg, "RequestTTY", "no");
    adit_set(cfg, "SessionType", "none");
}

static void
adit_jump(struct client_config *cfg, struct adit_cmd *cmd, const char *v)
{
    if (cmd->has_jump) {
        fprintf(stderr, "Only a single -J option is permitted "
                        "(use commas to separate hosts)\n");
        exit(ADIT_EXIT_FAIL);
    }
    if (cfg->proxy_command != NULL) {
        fprintf(stderr, "Cannot specify -J with ProxyCommand\n");
        exit(ADIT_EXIT_FAIL);
    }
    cmd->has_jump = true;
    adit_set(cfg, "ProxyJump", v);
}

/* -v and -q set LogLevel over anything, as in ssh. */
static void
adit_verbose(struct client_config *cfg, int ch)
{
    if (ch == 'q') {
        cfg->log_level = LOG_QUIET;
    } else if (cfg->log_level < LOG_DEBUG1) {
        cfg->log_level = LOG_DEBUG1;
    } else if (cfg->log_level < LOG_DEBUG3) {
        cfg->log_level++;
    }
}

/* -t (twice: force) and -T, the last one winning, as in ssh. */
static void
adit_tty(struct client_config *cfg, int ch)
{
    if (ch == 'T') {
        cfg->request_tty = CLIENT_TTY_NO;
    } else if (cfg->request_tty == CLIENT_TTY_YES) {
        cfg->request_tty = CLIENT_TTY_FORCE;
    } else {
        cfg->request_tty = CLIENT_TTY_YES;
    }
}

/* -A -a -X -x -Y are set as ssh sets them: over any -o, the last flag
 * winning. */
static bool
adit_fwd_flag(struct client_config *cfg, int ch)
{
    switch (ch) {
    case 'A':
    case 'a':
        cfg->forward_agent = ch == 'A';
        return true;
    case 'Y':
        cfg->forward_x11_trusted = 1;
        /* FALLTHROUGH */
    case 'X':
    case 'x':
        cfg->forward_x11 = ch != 'x';
        return true;
    default:
        return false;
    }
}

static void
adit_version(void)
{
    fprintf(stderr, "%s, %s\n", ADIT_VERSION, OpenSSL_version(OPENSSL_VERSION));
    exit(0);
}

/* The flags that are plain keywords. */
static bool
adit_flag(struct client_config *cfg, int ch, const char *arg)
{
    static const struct {
        int ch;
        const char *key, *value; /* value NULL: the argument */
    } flags[] = {
        {'4', "AddressFamily", "inet"},
        {'6', "AddressFamily", "inet6"},
        {'C', "Compression", "yes"},
        {'f', "ForkAfterAuthentication", "yes"},
        {'g', "GatewayPorts", "yes"},
        {'N', "SessionType", "none"},
        {'n', "StdinNull", "yes"},
        {'r', "Reconnect", "yes"},
        {'s', "SessionType", "subsystem"},
        {'B', "BindInterface", NULL},
        {'b', "BindAddress", NULL},
        {'c', "Ciphers", NULL},
        {'D', "DynamicForward", NULL},
        {'L', "LocalForward", NULL},
        {'l', "User", NULL},
        {'m', "MACs", NULL},
        {'p', "Port", NULL},
        {'R', "RemoteForward", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        if (flags[i].ch == ch) {
            adit_set(cfg, flags[i].key,
                     flags[i].value != NULL ? flags[i].value : arg);
            if (ch == 'f') {
                adit_set(cfg, "StdinNull", "yes"); /* -f implies -n */
            }
            return true;
        }
    }
    return false;
}

static void
adit_option(struct client_config *cfg, struct adit_cmd *cmd, int ch,
            struct ssh_config_read *rd)
{
    if (adit_flag(cfg, ch, optarg) || adit_fwd_flag(cfg, ch)) {
        return;
    }
    switch (ch) {
    case 'q':
    case 'v':
        adit_verbose(cfg, ch);
        break;
    case 't':
    case 'T':
        adit_tty(cfg, ch);
        break;
    case 'e':
        if (client_config_escape_char(optarg, &cfg->escape_char) != 0) {
            fprintf(stderr, "Bad escape character '%s'.\n", optarg);
            exit(ADIT_EXIT_FAIL);
        }
        break;
    case 'i':
        adit_identity(cfg, optarg);
        break;
    case 'W':
        adit_stdio(cfg, optarg);
        break;
    case 'J':
        adit_jump(cfg, cmd, optarg);
        break;
    case 'F':
        cmd->config_file = optarg;
        break;
    case 'E':
        cmd->log_file = optarg;
        break;
    case 'G':
        cmd->is_dump = true;
        break;
    case 'M':
        /* ssh's -M -M: ask before each use of the master. */
        cfg->control_master = cfg->control_master == CLIENT_MASTER_YES
                                  ? CLIENT_MASTER_ASK
                                  : CLIENT_MASTER_YES;
        break;
    case 'S':
        /* The last -S wins, as in ssh. */
        free(cfg->control_path);
        if ((cfg->control_path = strdup(optarg)) == NULL) {
            exit(ADIT_EXIT_FAIL);
        }
        break;
    case 'O':
        if (!adit_mux_command_ok(optarg)) {
            fprintf(stderr, "Invalid multiplex command.\n");
            exit(ADIT_EXIT_FAIL);
        }
        cmd->mux_cmd = optarg;
        break;
    case 'V':
        adit_version();
        break;
    case 'o':
        if (ssh_config_option(rd, optarg) != 0) {
            exit(ADIT_EXIT_FAIL);
        }
        break;
    case ':':
        fprintf(stderr, "option requires an argument -- %c\n", optopt);
        adit_usage();
        break;
    default:
        fprintf(stderr, "unknown option -- %c\n", optopt);
        adit_usage();
    }
}

/* ssh://[user@]host[:port]; 1 when s is not such a URI. */
static int
adit_uri(struct client_config *cfg, const char *s, char **host)
{
    char *copy, *at, *hp;
    uint16_t port = 0;
    char pbuf[8];

    if (strncmp(s, "ssh://", 6) != 0) {
        return 1;
    }
    if ((copy = strdup(s + 6)) == NULL) {
        return ERR_NOMEM;
    }
    copy[strcspn(copy, "/")] = '\0';
    hp = copy;
    if ((at = strrchr(copy, '@')) != NULL) {
        *at = '\0';
        hp = at + 1;
        if (copy[0] == '\0' || strchr(copy, ';') != NULL) {
            free(copy);
            return ERR_FORMAT;
        }
        adit_set(cfg, "User", copy);
    }
    if (hostport_parse(hp, host, &port) != 0) {
        free(copy);
        return ERR_FORMAT;
    }
    if (port != 0) {
        snprintf(pbuf, sizeof(pbuf), "%u", (unsigned)port);
        adit_set(cfg, "Port", pbuf);
    }
    free(copy);
    return 0;
}

static void
adit_destination(struct client_config *cfg, struct adit_cmd *cmd,
                 const char *dest)
{
    char *at, *copy;
    int r;

    if ((r = adit_uri(cfg, dest, &cmd->host_arg)) == 1) {
        if ((copy = strdup(dest)) == NULL) {
            exit(ADIT_EXIT_FAIL);
        }
        if ((at = strrchr(copy, '@')) != NULL) {
            if (at == copy) {
                adit_usage();
            }
            *at = '\0';
            adit_set(cfg, "User", copy);
        }
        cmd->host_arg = strdup(at != NULL ? at + 1 : copy);
        free(copy);
    } else if (r != 0) {
        adit_usage();
    }
    if (cmd->host_arg == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
}

/*
 * The command line as ssh reads it: options, the destination, then (as
 * ssh's "goto again") options after it too, until a word that is not an
 * option or "--"; the words left are the remote command (or, in
 * Reconnect mode, more destinations). getopt must not permute ('+').
 */
static void
adit_args(int argc, char **argv, struct client_config *cfg,
          struct adit_cmd *cmd, struct ssh_config_read *rd)
{
    static const char opts[] =
        "+:46AaCfGgMNnqrsTtVvXxYB:b:c:D:E:e:F:i:J:L:l:m:O:o:p:R:S:W:";
    char **av = argv;
    int ac = argc, ch;
    bool terminated = false;

again:
    while ((ch = getopt(ac, av, opts)) != -1) {
        adit_option(cfg, cmd, ch, rd);
    }
    if (optind > 1 && strcmp(av[optind - 1], "--") == 0) {
        terminated = true;
    }
    ac -= optind;
    av += optind;
    if (ac > 0 && cmd->host_arg == NULL) {
        adit_destination(cfg, cmd, av[0]);
        cmd->host_idx = (int)(av - argv);
        if (ac > 1 && !terminated) {
            optind = 0; /* glibc: start again, av[0] as the program */
            goto again;
        }
        ac--;
        av++;
    }
    if (cmd->host_arg == NULL) {
        adit_usage();
    }
    /* More destinations in Reconnect mode (known once the files are
     * read, adit_more); the remote command otherwise. */
    cmd->more = av;
    cmd->n_more = ac;
}

/* Every configuration file, and a second pass if Match final asked. */
static void
adit_read_config(struct ssh_config_read *rd, const struct adit_cmd *cmd,
                 char **final_host)
{
    const char *sys = getenv(ADIT_ENV_SYSTEM_CONFIG);
    char why[256] = "";

    if (sys == NULL || sys[0] == '\0') {
        sys = SSH_CONFIG_SYSTEM_FILE;
    }
    /* Host lines compare the name as given, case and all, as ssh. */
    rd->host = cmd->host_arg;
    rd->original_host = cmd->host_arg;
    if (ssh_config_read_files(rd, cmd->config_file, sys) != 0) {
        exit(ADIT_EXIT_FAIL);
    }
    if (!rd->want_final_pass) {
        return;
    }
    /* The final pass matches Host against the name HostName gave. */
    if (client_config_hostname(rd->cfg->hostname, cmd->host_arg, final_host,
                               why, sizeof(why)) != 0) {
        fprintf(stderr, "%s\n", why);
        exit(ADIT_EXIT_FAIL);
    }
    /* As ssh: HostName is now fixed to that name. */
    free(rd->cfg->hostname);
    if ((rd->cfg->hostname = strdup(*final_host)) == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    rd->host = *final_host;
    rd->is_final_pass = true;
    if (ssh_config_read_files(rd, cmd->config_file, sys) != 0) {
        exit(ADIT_EXIT_FAIL);
    }
}

/* -E: log to a file (appending) instead of stderr. */
static void
adit_log_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        fprintf(stderr, "Couldn't open logfile %s: %s\n", path,
                strerror(errno));
        exit(ADIT_EXIT_FAIL);
    }
    if (dup2(fd, STDERR_FILENO) < 0) {
        exit(ADIT_EXIT_FAIL);
    }
    close(fd);
}

static void
adit_dump(const struct client_config *cfg, const struct client_env *env)
{
    struct buf b;

    buf_init(&b);
    buf_set_nowipe(&b);
    if (client_config_dump(cfg, env, &b) != 0 ||
        fwrite(buf_ptr(&b), 1, buf_len(&b), stdout) != buf_len(&b) ||
        fflush(stdout) != 0) {
        buf_cleanup(&b);
        exit(ADIT_EXIT_FAIL);
    }
    buf_cleanup(&b);
    exit(0);
}

/*
 * -J: each jump host gets a configuration of its own, as ssh runs one ssh
 * per hop: the command line again (its -i, -o and -F), less what names
 * the target (user, port, HostName), then the files' Host and Match
 * blocks for the hop's name, and ssh's defaults.
 */
static struct client_config *
adit_jump_cfg(int argc, char **argv, const struct client_env *env0,
              const char *host)
{
    struct client_config *hc = malloc(sizeof(*hc));
    struct client_env env = *env0;
    struct ssh_config_read rd;
    struct adit_cmd cmd;
    char why[512] = "", *final_host = NULL;

    if (hc == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    memset(&cmd, 0, sizeof(cmd));
    client_config_init(hc);
    ssh_config_read_init(&rd, hc, "", env.local_user, env.home);
    rd.diag = adit_diag;
    optind = 0; /* glibc: parse argv afresh */
    adit_args(argc, argv, hc, &cmd, &rd);
    /* ssh's jump ssh gets no -J of the target's: the chain is ours. */
    free(hc->user);
    free(hc->hostname);
    free(hc->proxy_jump);
    free(cmd.host_arg);
    hc->user = hc->hostname = hc->proxy_jump = NULL;
    hc->port = -1;
    if ((cmd.host_arg = strdup(host)) == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    env.host_arg = cmd.host_arg;
    adit_read_config(&rd, &cmd, &final_host);
    if (client_config_finish(hc, &env, why, sizeof(why)) != 0 ||
        client_config_expand_files(hc, &env, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s\n", why);
        exit(ADIT_EXIT_FAIL);
    }
    free(final_host);
    free(cmd.host_arg);
    return hc;
}

/*
 * The whole chain: -J or ProxyJump, with the first hop's own ProxyJump
 * (from its Host block) in front, again and again, as ssh runs the first
 * hop's ssh with that hop's configuration. NULL without -J.
 */
static char *
adit_jump_chain(int argc, char **argv, const struct client_config *cfg,
                const struct client_env *env)
{
    struct client_config *first;
    struct jumpspec j;
    char *spec = NULL, *longer = NULL;
    int r = 0;

    if (cfg->proxy_jump == NULL || (spec = strdup(cfg->proxy_jump)) == NULL) {
        return NULL;
    }
    while (r == 0 && jumpspec_parse(spec, &j) == 0 && j.n > 0) {
        first = adit_jump_cfg(argc, argv, env, j.hops[0].host);
        jumpspec_cleanup(&j);
        if (first->proxy_jump == NULL) {
            r = 1;
        } else if ((r = jumpspec_prepend(first->proxy_jump, spec, &longer)) ==
                   0) {
            free(spec);
            spec = longer;
            r = strcasecmp(first->proxy_jump, "none") == 0;
        } else {
            fprintf(stderr, "adit: ProxyJump of %s: %s\n", first->proxy_jump,
                    r == ERR_LIMIT ? "too many jump hosts" : err_str(r));
            exit(ADIT_EXIT_FAIL);
        }
        client_config_cleanup(first);
        free(first);
    }
    return spec;
}

/* The jump hosts' configurations, first hop first (n 0 without -J). */
static void
adit_jump_cfgs(int argc, char **argv, const char *spec,
               const struct client_env *env, struct client_config **out,
               size_t *n)
{
    struct jumpspec j;
    size_t i;

    *n = 0;
    if (spec == NULL || jumpspec_parse(spec, &j) != 0) {
        return;
    }
    for (i = 0; i < j.n && i < LIM_JUMP_HOPS; i++) {
        out[(*n)++] = adit_jump_cfg(argc, argv, env, j.hops[i].host);
    }
    jumpspec_cleanup(&j);
}

/*
 * -L/-D bind names: resolved here, once, before the loop runs (so nothing
 * blocks it), as ssh's getaddrinfo with AI_PASSIVE; every address is
 * listened on. A failure is reported when the listener is set up, in
 * ssh's words, as ssh reports it then.
 */
static void
adit_resolve_binds(struct fwdspec *f, size_t n, int family)
{
    struct addrinfo hints, *res = NULL, *ai;
    const char *ips[LIM_BIND_IPS];
    char addr[LIM_BIND_IPS][INET6_ADDRSTRLEN];
    size_t i, k;
    int r;

    for (i = 0; i < n; i++) {
        if (!fwdspec_bind_is_name(&f[i])) {
            continue;
        }
        memset(&hints, 0, sizeof(hints));
        hints.ai_family = family;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        if ((r = getaddrinfo(f[i].bind, NULL, &hints, &res)) != 0) {
            (void)fwdspec_set_bind_ips(&f[i], NULL, 0, gai_strerror(r));
            continue;
        }
        for (ai = res, k = 0; ai != NULL && k < LIM_BIND_IPS;
             ai = ai->ai_next) {
            if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr[k],
                            sizeof(addr[k]), NULL, 0, NI_NUMERICHOST) == 0) {
                ips[k] = addr[k];
                k++;
            }
        }
        freeaddrinfo(res);
        (void)fwdspec_set_bind_ips(&f[i], ips, k, NULL);
    }
}

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

/* Who we are: user, home ($HOME first, as tests need), uid, host name. */
static void
adit_env(struct client_env *env, char *uid, size_t uid_len, char *lhost,
         size_t lhost_len)
{
    struct passwd *pw = getpwuid(getuid());
    const char *home = getenv("HOME");

    if (pw == NULL) {
        fprintf(stderr, "No user exists for uid %lu\n",
                (unsigned long)getuid());
        exit(ADIT_EXIT_FAIL);
    }
    memset(env, 0, sizeof(*env));
    env->local_user = pw->pw_name;
    env->home = home != NULL && home[0] == '/' ? home : pw->pw_dir;
    snprintf(uid, uid_len, "%lu", (unsigned long)getuid());
    env->uid = uid;
    if (gethostname(lhost, lhost_len) != 0) {
        lhost[0] = '\0';
    }
    lhost[lhost_len - 1] = '\0';
    env->local_host = lhost;
}

/*
 * Load one destination as ssh loads its one: the command line, the
 * configuration files (a second pass for Match final), the defaults and
 * the jump hosts' configurations. The first (is_main) also acts on -G and
 * -E. argv's destination is argv[optind] after getopt; any others are
 * left in d->cmd.more.
 */
/* A ForwardAgent socket path that is not there is said at start-up, and
 * ends adit with ExitOnForwardFailure, as ssh does. A "$NAME" is looked
 * up when used (ssh 9.2 stats it as a literal path and fails it). */
static void
adit_check_agent_path(const struct client_config *cfg)
{
    const char *p = cfg->forward_agent_path;
    struct stat st;

    if (p == NULL || (p[0] == '$' && p[1] != '{') || stat(p, &st) == 0) {
        return;
    }
    fprintf(stderr, "Cannot forward agent socket path \"%s\": %s\n", p,
            strerror(errno));
    if (cfg->exit_on_forward_failure == 1) {
        exit(ADIT_EXIT_FAIL);
    }
}

static void
adit_load(int argc, char **argv, const struct client_env *env0,
          struct adit_dest *d, bool is_main)
{
    struct client_env env = *env0;
    struct ssh_config_read rd;
    char why[512] = "";

    memset(d, 0, sizeof(*d));
    client_config_init(&d->cfg);
    ssh_config_read_init(&rd, &d->cfg, "", env.local_user, env.home);
    rd.diag = adit_diag;
    optind = 0; /* glibc: parse argv afresh */
    adit_args(argc, argv, &d->cfg, &d->cmd, &rd);
    /* As ssh, before any file is read (and before -G). */
    if (is_main && d->cmd.n_more == 0 &&
        d->cfg.session_type == CLIENT_SESSION_SUBSYSTEM) {
        fprintf(stderr, "You must specify a subsystem to invoke.\n");
        adit_usage();
    }
    env.host_arg = d->cmd.host_arg;
    adit_read_config(&rd, &d->cmd, &d->final_host);
    if (client_config_finish(&d->cfg, &env, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s\n", why);
        exit(ADIT_EXIT_FAIL); /* as every other startup error */
    }
    if (is_main) {
        adit_check_agent_path(&d->cfg);
    }
    if (is_main && d->cmd.is_dump) {
        adit_dump(&d->cfg, &env);
    }
    if (is_main && d->cmd.mux_cmd != NULL) {
        if (d->cfg.stdio_forward != NULL) {
            fprintf(stderr, "Cannot specify stdio forward with -O\n");
            exit(ADIT_EXIT_FAIL);
        }
        exit(adit_mux_command(&d->cfg, d->cmd.mux_cmd));
    }
    if (client_config_expand_files(&d->cfg, &env, why, sizeof(why)) != 0) {
        fprintf(stderr, "%s\n", why);
        exit(ADIT_EXIT_FAIL);
    }
    if (is_main && d->cmd.log_file != NULL) {
        adit_log_file(d->cmd.log_file);
    }
    if (is_main) {
        int fam = d->cfg.address_family == CLIENT_AF_INET    ? AF_INET
                  : d->cfg.address_family == CLIENT_AF_INET6 ? AF_INET6
                                                             : AF_UNSPEC;

        adit_resolve_binds(d->cfg.local_fwds, d->cfg.n_local_fwds, fam);
        adit_resolve_binds(d->cfg.dynamic_fwds, d->cfg.n_dynamic_fwds, fam);
    }
    d->jump_spec = adit_jump_chain(argc, argv, &d->cfg, &env);
    adit_jump_cfgs(argc, argv, d->jump_spec, &env, d->jumps, &d->n_jumps);
}

static void
adit_dest_free(struct adit_dest *d)
{
    while (d->n_jumps > 0) {
        client_config_cleanup(d->jumps[--d->n_jumps]);
        free(d->jumps[d->n_jumps]);
    }
    free(d->jump_spec);
    free(d->command);
    free(d->final_host);
    free(d->cmd.host_arg);
    client_config_cleanup(&d->cfg);
    free(d);
}

/* Another destination: the same command line with name in the first
 * one's place and the further destinations left out, so -p, -l, -i and
 * -o apply to each, as its own Host blocks do; Reconnect mode is the
 * first one's. */
static struct adit_dest *
adit_load_more(int argc, char **argv, const struct client_env *env,
               const struct adit_cmd *cmd, const char *name)
{
    struct adit_dest *d = malloc(sizeof(*d));
    char **av = calloc((size_t)argc + 1, sizeof(*av));
    int n = argc - cmd->n_more;

    if (d == NULL || av == NULL) {
        exit(ADIT_EXIT_FAIL);
    }
    memcpy(av, argv, (size_t)n * sizeof(*av));
    av[cmd->host_idx] = (char *)name;
    adit_load(n, av, env, d, false);
    d->cfg.reconnect = 1;
    free(av);
    return d;
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
 * -W asked of it is then done, as ssh does it, by this process as the
 * master's first client: the child is the master, without the -W.
 * Returns -1 to run (as the master, *ready_fd its pipe to the parent), or
 * the parent's exit status.
 */
static int
adit_persist(struct client_config *cfg, int *ready_fd)
{
    bool is_parent = false;
    int code;

    *ready_fd = -1;
    if (client_config_control_path(cfg) == NULL ||
        cfg->control_master == CLIENT_MASTER_NO || cfg->control_persist != 1 ||
        cfg->reconnect == 1 ||
        (cfg->stdio_forward == NULL &&
         cfg->session_type != CLIENT_SESSION_NONE)) {
        return -1; /* XXX(issue 8): a session with ControlPersist is next */
    }
    cfg->stdin_null = 1;
    if (cfg->stdio_forward == NULL) {
        cfg->fork_after_auth = 1; /* ssh: ControlPersist implies -f */
        return -1;
    }
    if (client_fork_detach(ready_fd, &is_parent) != 0) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        exit(ADIT_EXIT_FAIL);
    }
    if (!is_parent) {
        free(cfg->stdio_forward);
        cfg->stdio_forward = NULL;
        return -1;
    }
    cfg->control_master = CLIENT_MASTER_NO;
    cfg->stdin_null = 0;
    if ((code = adit_mux_client(cfg, NULL, false)) < 0) {
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

    log_init("adit", LOG_ERROR);
    /* A local peer closing mid-write must not kill us: errors come back
     * from the write as EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);
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
             main_d->cfg.log_level >= 0 ? main_d->cfg.log_level : LOG_ERROR);
    /* A master running at ControlPath does the work instead. */
    if (n == 1 && main_d->cfg.reconnect != 1 &&
        (code = adit_mux_client(&main_d->cfg, main_d->command,
                                main_d->want_tty)) >= 0) {
        adit_dest_free(main_d);
        return code;
    }
    if ((code = adit_persist(&main_d->cfg, &ready_fd)) >= 0) {
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
