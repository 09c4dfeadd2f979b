/* SPDX-License-Identifier: ISC */
/*
 * adit -G: the effective options, printed as ssh -G prints them (lowercase
 * keywords, ssh's value spellings and order) for the keywords adit
 * implements. Unset options show the value adit uses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/cfgline.h"
#include "config/client_config.h"
#include "crypto/cipher.h"
#include "crypto/kexalg.h"
#include "crypto/mac.h"
#include "util/alglist.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"

static int dump_f(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
dump_f(struct buf *b, const char *fmt, ...)
{
    char line[4096];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0) {
        return ERR_INTERNAL;
    }
    return buf_put(b, line,
                   (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static const char *
dump_yn(int v, int dflt)
{
    return (v == -1 ? dflt : v) ? "yes" : "no";
}

static const char *
dump_strict(int v)
{
    switch (v) {
    case STRICT_HOSTKEY_YES:
        return "true";
    case STRICT_HOSTKEY_NO:
        return "false";
    case STRICT_HOSTKEY_ACCEPT_NEW:
        return "accept-new";
    default:
        return "ask";
    }
}

/* ssh -G's words for ControlMaster. */
static const char *
dump_master(int v)
{
    static const char *const names[] = {"false", "true", "ask", "auto",
                                        "autoask"};

    return v < 0 || (size_t)v >= sizeof(names) / sizeof(names[0]) ? "false"
                                                                  : names[v];
}

static int
dump_flags(const struct client_config *c, struct buf *b)
{
    static const char *const af[] = {"any", "inet", "inet6"};
    static const char *const tty[] = {"auto", "false", "true", "force"};
    static const char *const st[] = {"default", "none", "subsystem"};
    int a = c->address_family < 0 ? 0 : c->address_family;
    int t = c->request_tty < 0 ? 0 : c->request_tty;
    int s = c->session_type < 0 ? 0 : c->session_type;

    /* In ssh -G's order. */
    return dump_f(
        b,
        "addressfamily %s\nbatchmode %s\ncompression %s\ncontrolmaster %s\n"
        "clearallforwardings %s\nexitonforwardfailure %s\nforwardx11 %s\n"
        "forwardx11trusted %s\ngatewayports %s\n"
        "hashknownhosts %s\nidentitiesonly %s\n"
        "kbdinteractiveauthentication %s\npasswordauthentication %s\n"
        "permitlocalcommand %s\nproxyusefdpass %s\nrequesttty %s\nsessiontype "
        "%s\n"
        "stdinnull %s\nforkafterauthentication %s\n"
        "streamlocalbindunlink %s\nstricthostkeychecking %s\n"
        "tcpkeepalive %s\nenableescapecommandline %s\nconnectionattempts %d\n"
        "forwardx11timeout %d\n"
        "numberofpasswordprompts %d\nserveralivecountmax %d\n"
        "serveraliveinterval %d\n",
        af[a], dump_yn(c->batch_mode, 0), dump_yn(c->compression, 0),
        dump_master(c->control_master), dump_yn(c->clear_all_forwardings, 0),
        dump_yn(c->exit_on_forward_failure, 0), dump_yn(c->forward_x11, 0),
        dump_yn(c->forward_x11_trusted, 0), dump_yn(c->gateway_ports, 0),
        dump_yn(c->hash_known_hosts, 0), dump_yn(c->identities_only, 0),
        dump_yn(c->kbd_interactive_auth, 1), dump_yn(c->password_auth, 1),
        dump_yn(c->permit_local_command, 0), dump_yn(c->proxy_use_fdpass, 0),
        tty[t], st[s], dump_yn(c->stdin_null, 0),
        dump_yn(c->fork_after_auth, 0), dump_yn(c->stream_local_bind_unlink, 0),
        dump_strict(c->strict_hostkey), dump_yn(c->tcp_keep_alive, 1),
        dump_yn(c->escape_cmdline, 0),
        c->connection_attempts < 0 ? 1 : c->connection_attempts,
        c->forward_x11_timeout < 0 ? CLIENT_X11_TIMEOUT_DEFAULT
                                   : c->forward_x11_timeout,
        c->password_prompts < 0 ? 3 : c->password_prompts,
        client_config_alive_count(c), client_config_alive_interval(c));
}

static int
dump_str(struct buf *b, const char *key, const char *v, const char *dflt)
{
    if (v == NULL) {
        v = dflt;
    }
    return v == NULL ? 0 : dump_f(b, "%s %s\n", key, v);
}

/* An algorithm list as ssh -G prints it: +, - and ^ applied to the
 * defaults (a list not set prints only when shown is true). */
static int
dump_algs(struct buf *b, const char *key, const char *spec,
          const char *defaults, bool shown)
{
    char *full;
    int r;

    if (spec == NULL && !shown) {
        return 0;
    }
    if ((r = alglist_assemble(spec, defaults, &full)) != 0) {
        return r;
    }
    r = dump_str(b, key, full, NULL);
    free(full);
    return r;
}

static int
dump_strings(const struct client_config *c, struct buf *b)
{
    int r;

    if ((r = dump_str(b, "bindaddress", c->bind_address, NULL)) != 0 ||
        (r = dump_str(b, "bindinterface", c->bind_interface, NULL)) != 0 ||
        (r = dump_algs(b, "ciphers", c->ciphers, cipher_default_list(),
                       true)) != 0 ||
        (r = dump_str(b, "controlpath", client_config_control_path(c), NULL)) !=
            0 ||
        (r = dump_algs(b, "hostkeyalgorithms", c->hostkey_algs,
                       KEXALG_CLIENT_HOSTKEY_ALGS, false)) != 0 ||
        (r = dump_str(b, "hostkeyalias", c->host_key_alias, NULL)) != 0 ||
        (r = dump_str(b, "identityagent", c->identity_agent, NULL)) != 0 ||
        (r = dump_str(b, "ignoreunknown", c->ignore_unknown, NULL)) != 0 ||
        (r = dump_algs(b, "kexalgorithms", c->kex_algs, kex_default_list(),
                       true)) != 0 ||
        (r = dump_str(b, "localcommand", c->local_command, NULL)) != 0 ||
        (r = dump_str(b, "remotecommand", c->remote_command, NULL)) != 0 ||
        (r = dump_str(b, "loglevel",
                      cfgline_loglevel_name(c->log_level, "INFO"), NULL)) !=
            0 ||
        (r = dump_algs(b, "macs", c->macs, mac_default_list(), true)) != 0 ||
        (r = dump_str(b, "preferredauthentications", c->preferred_auths,
                      NULL)) != 0) {
        return r;
    }
    if ((r = dump_algs(b, "pubkeyacceptedalgorithms", c->pubkey_accepted_algs,
                       KEXALG_PUBKEY_ALGS, false)) != 0) {
        return r;
    }
    return dump_str(b, "xauthlocation", c->xauth_location,
                    CLIENT_XAUTH_DEFAULT);
}

/* The listening side as ssh prints it: a path, a port, or [bind]:port. */
static int
dump_listen(struct buf *b, const struct fwdspec *f)
{
    if (f->listen_path != NULL) {
        return dump_f(b, " %s", f->listen_path);
    }
    switch (f->bind_kind) {
    case FWDSPEC_BIND_LOOPBACK:
        return dump_f(b, " [localhost]:%u", (unsigned)f->listen_port);
    case FWDSPEC_BIND_ANY:
        return dump_f(b, " [*]:%u", (unsigned)f->listen_port);
    case FWDSPEC_BIND_ADDR:
        return dump_f(b, " [%s]:%u", f->bind, (unsigned)f->listen_port);
    default:
        return dump_f(b, " %u", (unsigned)f->listen_port);
    }
}

static int
dump_fwds(struct buf *b, const char *key, const struct fwdspec *f, size_t n,
          bool has_target)
{
    size_t i;
    int r;

    for (i = 0; i < n; i++) {
        if ((r = dump_f(b, "%s", key)) != 0 ||
            (r = dump_listen(b, &f[i])) != 0) {
            return r;
        }
        if (!has_target) {
            r = 0;
        } else if (f[i].connect_path != NULL) {
            r = dump_f(b, " %s", f[i].connect_path);
        } else if (f[i].host == NULL) {
            r = dump_f(b, " [socks]:0");
        } else {
            r = dump_f(b, " [%s]:%u", f[i].host, (unsigned)f[i].host_port);
        }
        if (r != 0 || (r = dump_f(b, "\n")) != 0) {
            return r;
        }
    }
    return 0;
}

static int
dump_list(struct buf *b, const char *key, char *const *v, size_t n)
{
    size_t i;
    int r;

    for (i = 0; i < n; i++) {
        if ((r = dump_f(b, "%s %s\n", key, v[i])) != 0) {
            return r;
        }
    }
    return 0;
}

static int
dump_lists(const struct client_config *c, const struct client_env *e,
           struct buf *b)
{
    static char *const ids[] = {"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa",
                                "~/.ssh/id_rsa"};
    char ukh[1024];
    int r;

    snprintf(ukh, sizeof(ukh), "%s/.ssh/known_hosts", e->home);
    if ((r = dump_fwds(b, "dynamicforward", c->dynamic_fwds, c->n_dynamic_fwds,
                       false)) != 0 ||
        (r = dump_fwds(b, "localforward", c->local_fwds, c->n_local_fwds,
                       true)) != 0 ||
        (r = dump_fwds(b, "remoteforward", c->remote_fwds, c->n_remote_fwds,
                       true)) != 0 ||
        (r = c->n_identity_files > 0
                 ? dump_list(b, "identityfile", c->identity_files,
                             c->n_identity_files)
                 : dump_list(b, "identityfile", ids, 3)) != 0 ||
        (r = dump_list(b, "certificatefile", c->certificate_files,
                       c->n_certificate_files)) != 0 ||
        (r = dump_str(b, "globalknownhostsfile", c->global_known_hosts,
                      "/etc/ssh/ssh_known_hosts")) != 0 ||
        (r = dump_str(b, "userknownhostsfile", c->user_known_hosts, ukh)) !=
            0 ||
        (r = dump_list(b, "sendenv", c->send_env, c->n_send_env)) != 0) {
        return r;
    }
    return dump_list(b, "setenv", c->set_env, c->n_set_env);
}

/* adit's own keywords, after ssh's: ssh -G has no such lines. */
static int
dump_adit(const struct client_config *c, struct buf *b)
{
    int r;

    if ((r = dump_f(b, "reconnect %s\nreconnectbackoff %d,%d\n",
                    dump_yn(c->reconnect, 0),
                    c->reconnect_backoff_min < 0 ? CLIENT_BACKOFF_MIN_DEFAULT
                                                 : c->reconnect_backoff_min,
                    c->reconnect_backoff_max < 0 ? CLIENT_BACKOFF_MAX_DEFAULT
                                                 : c->reconnect_backoff_max)) !=
        0) {
        return r;
    }
    if ((r = dump_str(b, "destinations", c->destinations, NULL)) != 0 ||
        (r = dump_str(b, "statussocket", c->status_socket, NULL)) != 0) {
        return r;
    }
    return dump_str(b, "metricslisten", c->metrics_listen, NULL);
}

/* escapechar as ssh prints it with vis(3): "none", the character, or a
 * control character as \^X (DEL \^?), a high one as \M-x. */
static int
dump_escape(const struct client_config *c, struct buf *b)
{
    int e = c->escape_char == -1 ? CLIENT_ESCAPE_DEFAULT : c->escape_char;
    const char *meta = e >= 128 ? "\\M-" : "";

    if (e == CLIENT_ESCAPE_NONE) {
        return dump_f(b, "escapechar none\n");
    }
    e &= 127;
    if (e < 32 || e == 127) {
        return dump_f(b, "escapechar %s\\^%c\n", meta, e == 127 ? '?' : e + 64);
    }
    return dump_f(b, "escapechar %s%c\n", meta, e);
}

static int
dump_tail(const struct client_config *c, struct buf *b)
{
    int r;

    if ((r = dump_str(b, "permitremoteopen", c->permit_remote_open, "any")) !=
            0 ||
        (r = c->forward_agent_path != NULL
                 ? dump_f(b, "forwardagent %s\n", c->forward_agent_path)
                 : dump_f(b, "forwardagent %s\n",
                          dump_yn(c->forward_agent, 0))) != 0 ||
        (r = c->connect_timeout > 0
                 ? dump_f(b, "connecttimeout %d\n", c->connect_timeout)
                 : dump_f(b, "connecttimeout none\n")) != 0 ||
        (r = c->control_persist == 1 && c->control_persist_timeout > 0
                 ? dump_f(b, "controlpersist %d\n", c->control_persist_timeout)
                 : dump_f(b, "controlpersist %s\n",
                          dump_yn(c->control_persist, 0))) != 0 ||
        (r = dump_escape(c, b)) != 0 ||
        (r = dump_f(b, "rekeylimit %lld %d\n",
                    (long long)(c->rekey_bytes < 0 ? 0 : c->rekey_bytes),
                    c->rekey_seconds < 0 ? 0 : c->rekey_seconds)) != 0) {
        return r;
    }
    if (c->proxy_jump != NULL && strcmp(c->proxy_jump, "none") != 0) {
        r = dump_f(b, "proxyjump %s\n", c->proxy_jump);
    } else {
        r = dump_str(b, "proxycommand", c->proxy_command, NULL);
    }
    return r != 0 ? r : dump_adit(c, b);
}

int
client_config_dump(const struct client_config *c, const struct client_env *e,
                   struct buf *out)
{
    int r;

    if ((r = dump_f(out, "host %s\nuser %s\nhostname %s\nport %d\n",
                    e->host_arg, c->user, c->hostname, c->port)) != 0 ||
        (r = dump_flags(c, out)) != 0 || (r = dump_strings(c, out)) != 0 ||
        (r = dump_lists(c, e, out)) != 0) {
        return r;
    }
    return dump_tail(c, out);
}
