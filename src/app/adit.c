/* SPDX-License-Identifier: ISC */
/* adit: the client (command line, options, the loop). */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "config/client_config.h"
#include "fwd/client.h"
#include "fwd/client_fork.h"
#include "util/err.h"
#include "util/log.h"

#define ADIT_EXIT_FAIL 255

static void
adit_usage(void)
{
    fprintf(stderr, "usage: adit [-46NTfgqv] [-b bind_address] "
                    "[-i identity_file] [-J destination]\n"
                    "            [-L address] [-l login_name] [-o option] "
                    "[-p port]\n            [-R address] [-W host:port] "
                    "[user@]hostname\n");
    exit(ADIT_EXIT_FAIL);
}

/* A flag that maps to a keyword: same checks and wording as -o. */
static void
adit_set(struct client_config *cfg, const char *key, const char *value)
{
    char why[512] = "";

    if (client_config_set(cfg, key, value, why, sizeof(why)) != 0) {
        if (strcmp(key, "Port") == 0) {
            fprintf(stderr, "Bad port '%s'\n", value);
        } else if (strcmp(key, "ProxyJump") == 0) {
            fprintf(stderr, "Invalid -J argument\n");
        } else if (strcmp(key, "LocalForward") == 0) {
            fprintf(stderr, "Bad local forwarding specification '%s'\n", value);
        } else if (strcmp(key, "RemoteForward") == 0) {
            fprintf(stderr, "Bad remote forwarding specification '%s'\n",
                    value);
        } else {
            fprintf(stderr, "command-line line 0: %s\n", why);
        }
        exit(ADIT_EXIT_FAIL);
    }
}

static int
adit_args(int argc, char **argv, struct client_config *cfg,
          struct client_target *t, int *verbose)
{
    char why[512];
    int ch;

    while ((ch = getopt(argc, argv, "46NTfgqvp:l:i:o:L:R:F:J:W:b:")) != -1) {
        why[0] = '\0';
        switch (ch) {
        case '4':
            adit_set(cfg, "AddressFamily", "inet");
            break;
        case '6':
            adit_set(cfg, "AddressFamily", "inet6");
            break;
        case 'N':
        case 'T':
            break; /* forwarding only is all adit does yet */
        case 'J':
            if (cfg->proxy_jump != NULL) {
                fprintf(stderr, "Only a single -J option is permitted "
                                "(use commas to separate hosts)\n");
                return ERR_CONFIG;
            }
            if (cfg->proxy_command != NULL) {
                fprintf(stderr, "Cannot specify -J with ProxyCommand\n");
                return ERR_CONFIG;
            }
            /* ProxyJump set first also keeps any later ProxyCommand out. */
            adit_set(cfg, "ProxyJump", optarg);
            break;
        case 'W':
            if (cfg->stdio_forward != NULL) {
                fprintf(stderr, "stdio forward already specified\n");
                return ERR_CONFIG;
            }
            if ((cfg->stdio_forward = strdup(optarg)) == NULL) {
                return ERR_NOMEM;
            }
            break;
        case 'b':
            adit_set(cfg, "BindAddress", optarg);
            break;
        case 'q':
            *verbose = -1;
            break;
        case 'v':
            *verbose += *verbose >= 0 ? 1 : 0;
            break;
        case 'p':
            adit_set(cfg, "Port", optarg);
            break;
        case 'l':
            adit_set(cfg, "User", optarg);
            break;
        case 'i':
            adit_set(cfg, "IdentityFile", optarg);
            break;
        case 'L':
            adit_set(cfg, "LocalForward", optarg);
            break;
        case 'R':
            adit_set(cfg, "RemoteForward", optarg);
            break;
        case 'f':
            adit_set(cfg, "ForkAfterAuthentication", "yes");
            break;
        case 'g':
            adit_set(cfg, "GatewayPorts", "yes");
            break;
        case 'F':
            fprintf(stderr, "adit: -F is not supported yet\n");
            return ERR_CONFIG;
        case 'o':
            if (client_config_apply(cfg, optarg, why, sizeof(why)) != 0) {
                fprintf(stderr, "command-line line 0: %s\n", why);
                return ERR_CONFIG;
            }
            break;
        default:
            adit_usage();
        }
    }
    if (optind >= argc) {
        adit_usage();
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "adit: remote commands are not supported; use -N\n");
        return ERR_CONFIG;
    }
    return 0;
}

static int
adit_level(const struct client_config *cfg, int verbose)
{
    if (verbose < 0) {
        return LOG_QUIET;
    }
    if (verbose > 0) {
        return verbose >= 3 ? LOG_DEBUG3 : LOG_DEBUG1 + verbose - 1;
    }
    return cfg->log_level >= 0 ? cfg->log_level : LOG_ERROR;
}

int
main(int argc, char **argv)
{
    struct client_config cfg;
    struct client_target t;
    struct passwd *pw;
    uv_loop_t loop;
    char *host, *at;
    int verbose = 0, code = ADIT_EXIT_FAIL;

    memset(&t, 0, sizeof(t));
    t.family = AF_UNSPEC;
    client_config_init(&cfg);
    log_init("adit", LOG_ERROR);
    /* A local peer closing mid-write must not kill us: errors come back
     * from the write as EPIPE instead. */
    signal(SIGPIPE, SIG_IGN);
    if (adit_args(argc, argv, &cfg, &t, &verbose) != 0 ||
        (host = strdup(argv[optind])) == NULL) {
        client_config_cleanup(&cfg);
        return ADIT_EXIT_FAIL;
    }
    if ((at = strrchr(host, '@')) != NULL) {
        *at = '\0';
        adit_set(&cfg, "User", host);
        t.host = at + 1;
    } else {
        t.host = host;
    }
    log_init("adit", adit_level(&cfg, verbose));
    t.orig_host = t.host;
    t.port = cfg.port > 0 ? (uint16_t)cfg.port : 22;
    t.family = cfg.address_family == CLIENT_AF_INET    ? AF_INET
               : cfg.address_family == CLIENT_AF_INET6 ? AF_INET6
                                                       : AF_UNSPEC;
    t.user = cfg.user;
    if (t.user == NULL && (pw = getpwuid(getuid())) != NULL) {
        t.user = pw->pw_name;
    }
    if (cfg.fork_after_auth == 1 && client_fork(&t.ready_fd) != 0) {
        fprintf(stderr, "fork: %s\n", strerror(errno));
        t.user = NULL;
    }
    if (t.user != NULL && t.host[0] != '\0' && uv_loop_init(&loop) == 0) {
        code = client_run(&loop, &cfg, &t);
        uv_loop_close(&loop);
    }
    free(host);
    client_config_cleanup(&cfg);
    return code;
}
