/* SPDX-License-Identifier: ISC */
/* A destination's configuration as ssh loads it: the command line, the
 * files, the defaults and the jump hosts' own configurations. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/adit_int.h"
#include "app/adit_mux.h"
#include "config/fwdspec.h"
#include "config/jumpspec.h"
#include "fwd/client.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

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

/* -E: log lines to a file (appending); stderr stays the session's. */
static void
adit_log_file(const char *path)
{
    if (log_to_file(path) != 0) {
        fprintf(stderr, "Couldn't open logfile %s: %s\n", path,
                strerror(errno));
        exit(ADIT_EXIT_FAIL);
    }
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
    rd.glob_home = env.glob_home;
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

/* Who we are: user, home (client_home: ssh's pw_dir, never $HOME), uid,
 * host name. */
void
adit_env(struct client_env *env, char *uid, size_t uid_len, char *lhost,
         size_t lhost_len)
{
    struct passwd *pw = getpwuid(getuid());
    const char *home = client_home();

    if (pw == NULL) {
        fprintf(stderr, "No user exists for uid %lu\n",
                (unsigned long)getuid());
        exit(ADIT_EXIT_FAIL);
    }
    memset(env, 0, sizeof(*env));
    env->local_user = pw->pw_name;
    env->home = home != NULL ? home : pw->pw_dir;
    /* glob(3)'s ~ (GLOB_TILDE), which ssh's Include uses: $HOME when set
     * and not empty, else the passwd entry's. */
    home = getenv("HOME");
    env->glob_home = home != NULL && home[0] != '\0' ? home : env->home;
    snprintf(uid, uid_len, "%lu", (unsigned long)getuid());
    env->uid = uid;
    if (gethostname(lhost, lhost_len) != 0) {
        lhost[0] = '\0';
    }
    lhost[lhost_len - 1] = '\0';
    env->local_host = lhost;
}

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

/*
 * Load one destination as ssh loads its one: the command line, the
 * configuration files (a second pass for Match final), the defaults and
 * the jump hosts' configurations. The first (is_main) also acts on -G and
 * -E. argv's destination is argv[optind] after getopt; any others are
 * left in d->cmd.more.
 */
void
adit_load(int argc, char **argv, const struct client_env *env0,
          struct adit_dest *d, bool is_main)
{
    struct client_env env = *env0;
    struct ssh_config_read rd;
    char why[512] = "";

    memset(d, 0, sizeof(*d));
    client_config_init(&d->cfg);
    ssh_config_read_init(&rd, &d->cfg, "", env.local_user, env.home);
    rd.glob_home = env.glob_home;
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

void
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
struct adit_dest *
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
