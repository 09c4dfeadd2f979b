/* SPDX-License-Identifier: ISC */
/* aditd: the forwarding-only SSH server (options, config, the loop). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "app/aditd_svc.h"
#include "crypto/crypto_init.h"
#include "config/cfgline.h"
#include "config/server_config_match.h"
#include "config/server_config.h"
#include "fwd/server.h"
#include "io/io_util.h"
#include "io/sandbox.h"
#include "util/err.h"
#include "util/adit_limits.h"
#include "util/log.h"

struct aditd {
    uv_loop_t loop;
    uv_signal_t sig[3];
    struct server *srv;
    struct aditd_svc svc;
    int argc; /* the command line, read again at each reload */
    char **argv;
};

static void aditd_reload(struct aditd *a);

static void
aditd_usage(void)
{
    fprintf(stderr, "usage: aditd [-dDtT] [-C connection_spec] [-E log_file]"
                    "\n             [-f config_file] [-h host_key_file]"
                    " [-o option] [-p port]\n"
                    "       aditd status [--json] [-f config_file]"
                    " [-S control_socket]\n");
    exit(1);
}

static void
aditd_signal(uv_signal_t *h, int signum)
{
    struct aditd *a = h->data;
    size_t i;

    if (signum == SIGHUP) {
        aditd_reload(a);
        return;
    }
    log_info("Received signal %d; terminating.", signum);
    aditd_svc_stop(&a->svc);
    server_shutdown(a->srv);
    for (i = 0; i < 3; i++) {
        uv_close((uv_handle_t *)&a->sig[i], NULL);
    }
}

/* Parse the command line into cfg; -f and -o lines as the file. */
struct aditd_opts {
    int test; /* -t: check the config; -T: also print it */
    bool dump;
    int debug;
    char *cfgfile;
    const char *spec;     /* -C user=...,addr=...: Match for -T */
    const char *log_file; /* -E: the log goes there, appended */
    uint16_t ports[SERVER_CONFIG_MAX_LIST]; /* -p: replaces Port */
    size_t n_ports;
};

static int
aditd_args(int argc, char **argv, struct server_config *cfg,
           struct aditd_opts *o)
{
    char why[512], line[LIM_LINE];
    int ch, port;

    while ((ch = getopt(argc, argv, "C:dDE:tTf:h:o:p:")) != -1) {
        why[0] = '\0';
        switch (ch) {
        case 'C':
            o->spec = optarg;
            break;
        case 'd':
            o->debug++;
            break;
        case 'D':
            break;
        case 'E':
            o->log_file = optarg;
            break;
        case 't':
            o->test = 1;
            break;
        case 'T':
            o->test = 1;
            o->dump = true;
            break;
        case 'f':
            o->cfgfile = optarg;
            break;
        case 'h':
            /* As a HostKey line, so a connection's own configuration
             * (Match) has it too. */
            snprintf(line, sizeof(line), "HostKey %s", optarg);
            if (server_config_line(cfg, line, why, sizeof(why)) != 0) {
                fprintf(stderr, "-h %s: %s\n", optarg, why);
                return ERR_CONFIG;
            }
            break;
        case 'o':
            if (server_config_line(cfg, optarg, why, sizeof(why)) != 0) {
                fprintf(stderr, "command-line line 0: %s\n", why);
                return ERR_CONFIG;
            }
            break;
        case 'p':
            /* 1..65535 and nothing else, as sshd's a2port. */
            if (cfgline_int(optarg, 1, 65535, &port) != 0 ||
                o->n_ports >= SERVER_CONFIG_MAX_LIST) {
                fprintf(stderr, "Bad port number.\n");
                return ERR_CONFIG;
            }
            o->ports[o->n_ports++] = (uint16_t)port;
            break;
        default:
            aditd_usage();
        }
    }
    return optind == argc ? 0 : ERR_CONFIG;
}

static int
aditd_load(struct server_config *cfg, const struct aditd_opts *o)
{
    const char *path = o->cfgfile;
    char why[600], *copy;
    size_t i;
    int r = 0;

    if (path == NULL) {
        path = "./aditd_config";
    } else {
        r = server_config_load(cfg, path, why, sizeof(why));
    }
    if (r == ERR_NOTFOUND) {
        fprintf(stderr, "%s: No such file or directory\n", path);
        return r;
    }
    if (r != 0) {
        fprintf(stderr, "%s\n", why);
        return r;
    }
    if (o->n_ports > 0) {
        for (i = 0; i < o->n_ports; i++) {
            cfg->ports[i] = o->ports[i];
        }
        cfg->n_ports = o->n_ports;
    }
    if ((copy = strdup(path)) == NULL) {
        return ERR_NOMEM;
    }
    r = server_config_finish(cfg, dirname(copy));
    free(copy);
    return r;
}

/*
 * Start-up is over (listeners bound, host keys loaded): enter the sandbox
 * unless Sandbox no. A sandbox that cannot be set up stops aditd rather
 * than run without it.
 */
static int
aditd_sandbox(const struct server_config *cfg, const char *cfgfile)
{
    struct sandbox sb;
    char why[512];
    int r;

    if (cfg->sandbox == 0) {
        return 0;
    }
    sandbox_init(&sb);
    why[0] = '\0';
    if ((r = server_sandbox_paths(cfg, cfgfile, &sb)) != 0) {
        snprintf(why, sizeof(why), "%s", err_str(r));
    } else {
        r = sandbox_apply(&sb, why, sizeof(why));
    }
    sandbox_cleanup(&sb);
    if (r != 0) {
        log_error("Cannot enter the sandbox: %s (Sandbox no turns it off).",
                  why);
        return r;
    }
    log_verbose("Sandbox entered: no_new_privs, Landlock, seccomp.");
    return 0;
}

static int
aditd_run(struct aditd *a, const struct server_config *cfg, const char *cfgfile)
{
    static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    size_t i;
    int r;

    signal(SIGPIPE, SIG_IGN);
    log_debug("RLIMIT_NOFILE %lu", io_raise_nofile());
    if ((r = server_new(&a->srv, &a->loop, cfg)) != 0 ||
        (r = server_listen(a->srv)) != 0 ||
        (r = aditd_svc_start(&a->svc, &a->loop, a->srv, cfg)) != 0 ||
        (r = aditd_sandbox(cfg, cfgfile)) != 0) {
        if (a->srv != NULL) {
            server_shutdown(a->srv);
            uv_run(&a->loop, UV_RUN_DEFAULT);
        }
        return r;
    }
    for (i = 0; i < 3; i++) {
        uv_signal_init(&a->loop, &a->sig[i]);
        a->sig[i].data = a;
        uv_signal_start(&a->sig[i], aditd_signal, sigs[i]);
    }
    uv_run(&a->loop, UV_RUN_DEFAULT);
    return 0;
}

/*
 * SIGHUP: read the command line and the file again, as sshd's re-exec
 * does. A configuration that does not load or check keeps the running
 * one, and the log says why; one that does serves new connections.
 */
static void
aditd_reload(struct aditd *a)
{
    struct server_config *cfg;
    struct aditd_opts o;
    char why[256];
    int r = ERR_NOMEM;

    aditd_svc_reloading(&a->svc);
    memset(&o, 0, sizeof(o));
    if ((cfg = malloc(sizeof(*cfg))) != NULL) {
        server_config_init(cfg);
        optind = 1;
        if ((r = aditd_args(a->argc, a->argv, cfg, &o)) == 0 &&
            (r = aditd_load(cfg, &o)) == 0 &&
            (r = aditd_svc_check(cfg, why, sizeof(why))) != 0) {
            log_error("MetricsAddress %s", why);
        }
    }
    if (r == 0 && (r = server_reconfigure(a->srv, cfg)) == 0) {
        log_info("Reloaded the configuration%s%s.", o.cfgfile ? " from " : "",
                 o.cfgfile ? o.cfgfile : "");
        if (o.debug == 0) {
            log_init("aditd", cfg->log_level >= 0 ? cfg->log_level : LOG_INFO);
        }
        server_count_reload(a->srv, true);
        aditd_svc_reloaded(&a->svc, cfg);
        return;
    }
    log_error("Reload failed (%s); the running configuration is kept.",
              err_str(r));
    if (cfg != NULL) {
        server_config_cleanup(cfg);
        free(cfg);
    }
    server_count_reload(a->srv, false);
    aditd_svc_reloaded(&a->svc, NULL);
}

/*
 * -T: the effective configuration on stdout; with -C, that of a
 * connection with those properties (its Match blocks applied). Without
 * -C, the Match blocks that need nothing of a connection (All) apply.
 */
static int
aditd_dump(const struct server_config *cfg, const char *spec)
{
    struct server_config eff;
    struct match_info mi;
    struct buf b;
    char why[600], *specbuf = NULL;
    int r;

    buf_init(&b);
    server_config_init(&eff);
    memset(&mi, 0, sizeof(mi));
    mi.lport = -1;
    mi.test = true;
    r = spec != NULL ? server_match_spec(spec, &mi, &specbuf, why, sizeof(why))
                     : 0;
    mi.in_group = server_user_in_group;
    if (r == 0) {
        r = server_config_for(cfg, &mi, &eff, why, sizeof(why));
    }
    if (r == 0 && (r = server_config_dump(&eff, &b)) == 0 &&
        fwrite(buf_ptr(&b), 1, buf_len(&b), stdout) != buf_len(&b)) {
        r = ERR_IO;
    }
    if (r == ERR_CONFIG) {
        fprintf(stderr, "%s\n", why);
    }
    free(specbuf);
    server_config_cleanup(&eff);
    buf_cleanup(&b);
    return r;
}

/*
 * -E: the log (stderr) appended to a file, as sshd -E; opened before the
 * configuration is read, so its errors land there too, and before the
 * sandbox, which then never needs write access to it.
 */
static int
aditd_log_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

    if (fd < 0) {
        fprintf(stderr, "aditd: couldn't open log file %s: %s\n", path,
                strerror(errno));
        return ERR_IO;
    }
    if (dup2(fd, STDERR_FILENO) < 0) {
        close(fd);
        return ERR_IO;
    }
    close(fd);
    return 0;
}

int
main(int argc, char **argv)
{
    struct server_config cfg;
    struct aditd a;
    struct aditd_opts o;
    char why[256];
    int r, level;

    if (argc >= 2 && strcmp(argv[1], "status") == 0) {
        log_init("aditd", LOG_ERROR);
        return aditd_status_main(argc - 1, argv + 1);
    }
    memset(&a, 0, sizeof(a));
    memset(&o, 0, sizeof(o));
    a.argc = argc;
    a.argv = argv;
    server_config_init(&cfg);
    log_init("aditd", LOG_INFO);
    log_set_one_line(true); /* as sshd's syslog: no forged lines */
    if (crypto_init() != 0) {
        log_error("libcrypto failed to start");
        return 1;
    }
    if ((r = aditd_args(argc, argv, &cfg, &o)) != 0 ||
        (o.log_file != NULL && !o.test &&
         (r = aditd_log_file(o.log_file)) != 0)) {
        server_config_cleanup(&cfg);
        return 1;
    }
    r = aditd_load(&cfg, &o);
    if (r == 0 && (r = aditd_svc_check(&cfg, why, sizeof(why))) != 0) {
        fprintf(stderr, "MetricsAddress %s\n", why);
    }
    level = cfg.log_level >= 0 ? cfg.log_level : LOG_INFO;
    if (o.debug > 0) {
        level = o.debug >= 3 ? LOG_DEBUG3 : LOG_DEBUG1 + o.debug - 1;
    }
    log_init("aditd", level);
    if (r == 0 && o.dump) {
        r = aditd_dump(&cfg, o.spec);
    }
    if (r == 0 && !o.test) {
        uv_loop_init(&a.loop);
        r = aditd_run(&a, &cfg, o.cfgfile);
        server_free(a.srv);
        uv_loop_close(&a.loop);
    }
    server_config_cleanup(&cfg);
    return r == 0 ? 0 : 1;
}
