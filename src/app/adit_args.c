/* SPDX-License-Identifier: ISC */
/* adit's command line, read as ssh reads its own. */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/adit_int.h"
#include "app/adit_mux.h"
#include "config/hostport.h"
#include "config/ssh_tokens.h"
#include "fwd/client.h"
#include "util/err.h"
#include "util/log.h"

void
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

void
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

/* -i: as ssh, ~ expanded at once (an unknown ~user is fatal), and a
 * file that is not there is a warning, not an identity. */
static void
adit_identity(struct client_config *cfg, const char *arg)
{
    char why[300] = "", *path = NULL;
    struct stat st;
    int r;

    if ((r = ssh_tokens_tilde(arg, client_home(), &path, why, sizeof(why))) !=
        0) {
        fprintf(stderr, "%s\n", why[0] != '\0' ? why : err_str(r));
        exit(ADIT_EXIT_FAIL);
    }
    if (stat(path, &st) != 0) {
        fprintf(stderr, "Warning: Identity file %s not accessible: %s.\n", path,
                strerror(errno));
    } else {
        adit_set(cfg, "IdentityFile", path);
    }
    free(path);
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
void
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
