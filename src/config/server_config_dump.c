/* SPDX-License-Identifier: ISC */
/*
 * aditd -T: the effective configuration, printed as sshd -T prints it
 * (lowercase keywords, one value per line, defaults filled in), for the
 * keywords aditd implements.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/cfgline.h"
#include "config/server_config.h"
#include "crypto/cipher.h"
#include "crypto/kexalg.h"
#include "crypto/mac.h"
#include "util/adit_limits.h"
#include "util/err.h"

/* OpenSSH's defaults for what aditd leaves unset (sshd_config(5)). */
#define DUMP_MAX_AUTH_TRIES 6
#define DUMP_LOGIN_GRACE 120

static int dump_f(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
dump_f(struct buf *b, const char *fmt, ...)
{
    char line[LIM_LINE];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(line)) {
        return n < 0 ? ERR_INTERNAL : ERR_LIMIT;
    }
    return buf_put(b, line, (size_t)n);
}

static const char *
dump_allow(int bits)
{
    switch (bits) {
    case FWD_ALLOW_ALL:
        return "yes";
    case FWD_ALLOW_LOCAL:
        return "local";
    case FWD_ALLOW_REMOTE:
        return "remote";
    default:
        return "no";
    }
}

static const char *
dump_gateway(int g)
{
    if (g == GATEWAY_YES) {
        return "yes";
    }
    return g == GATEWAY_CLIENTSPECIFIED ? "clientspecified" : "no";
}

/* "a:b" or "[v6]:b", with "*" for any port; "any" or "none" whole. */
static int
dump_permits(struct buf *b, const char *kw, const struct permit_list *l)
{
    size_t i;
    int r;

    if (l->none || l->n == 0) {
        return dump_f(b, "%s %s\n", kw, l->none ? "none" : "any");
    }
    if ((r = dump_f(b, "%s", kw)) != 0) {
        return r;
    }
    for (i = 0; i < l->n && r == 0; i++) {
        const struct permit *p = &l->v[i];
        bool v6 = strchr(p->host, ':') != NULL;
        char port[16];

        if (p->port == PERMIT_ANY_PORT) {
            snprintf(port, sizeof(port), "*");
        } else {
            snprintf(port, sizeof(port), "%u", (unsigned)p->port);
        }
        r = dump_f(b, v6 ? " [%s]:%s" : " %s:%s", p->host, port);
    }
    return r != 0 ? r : dump_f(b, "\n");
}

/* Each ListenAddress, with every Port when it named none. */
static int
dump_listen(struct buf *b, const struct server_config *c)
{
    size_t i, j;
    int r = 0;

    for (i = 0; i < c->n_listen && r == 0; i++) {
        const struct listen_addr *l = &c->listen[i];

        for (j = 0; j < c->n_ports && r == 0; j++) {
            uint16_t port = l->port != 0 ? l->port : c->ports[j];

            if (l->host == NULL) {
                r = dump_f(b,
                           "listenaddress [::]:%u\nlistenaddress "
                           "0.0.0.0:%u\n",
                           port, port);
            } else if (strchr(l->host, ':') != NULL) {
                r = dump_f(b, "listenaddress [%s]:%u\n", l->host, port);
            } else {
                r = dump_f(b, "listenaddress %s:%u\n", l->host, port);
            }
            if (l->port != 0) {
                break;
            }
        }
    }
    return r;
}

static int
dump_files(struct buf *b, const struct server_config *c)
{
    size_t i;
    int r = 0;

    for (i = 0; i < c->n_host_keys && r == 0; i++) {
        r = dump_f(b, "hostkey %s\n", c->host_keys[i]);
    }
    if (r != 0 ||
        (r = dump_f(b, "authorizedkeysfile %s\n", c->authorized_keys_file)) !=
            0 ||
        (r = dump_f(b, "trustedusercakeys %s\n",
                    c->trusted_user_ca_keys != NULL ? c->trusted_user_ca_keys
                                                    : "none")) != 0 ||
        (r = dump_f(b, "authorizedprincipalsfile %s\n",
                    c->authorized_principals_file != NULL
                        ? c->authorized_principals_file
                        : "none")) != 0) {
        return r;
    }
    if ((r = dump_f(b, "revokedkeys %s\n",
                    c->revoked_keys != NULL ? c->revoked_keys : "none")) != 0 ||
        (r = dump_f(b, "controlsocket %s\n",
                    c->control_socket != NULL ? c->control_socket : "none")) !=
            0) {
        return r;
    }
    return dump_f(b, "metricsaddress %s\n",
                  c->metrics_address != NULL ? c->metrics_address : "none");
}

static int
dump_session(struct buf *b, const struct server_config *c)
{
    int r;

    if ((r = dump_f(b, "loglevel %s\n",
                    cfgline_loglevel_name(c->log_level, "INFO"))) != 0 ||
        (r = dump_f(b, "ciphers %s\n",
                    c->ciphers != NULL ? c->ciphers : cipher_default_list())) !=
            0 ||
        (r = dump_f(b, "kexalgorithms %s\n",
                    c->kex_algs != NULL ? c->kex_algs
                                        : kex_server_default_list())) != 0 ||
        (r = dump_f(b, "macs %s\n",
                    c->macs != NULL ? c->macs : mac_default_list())) != 0 ||
        (c->hostkey_algs != NULL &&
         (r = dump_f(b, "hostkeyalgorithms %s\n", c->hostkey_algs)) != 0) ||
        (c->pubkey_algs != NULL &&
         (r = dump_f(b, "pubkeyacceptedalgorithms %s\n", c->pubkey_algs)) !=
             0) ||
        (r = dump_f(b, "maxauthtries %d\n",
                    c->max_auth_tries >= 0 ? c->max_auth_tries
                                           : DUMP_MAX_AUTH_TRIES)) != 0 ||
        (r = dump_f(b, "logingracetime %d\n",
                    c->login_grace >= 0 ? c->login_grace : DUMP_LOGIN_GRACE)) !=
            0) {
        return r;
    }
    /* sshd prints RekeyLimit as bytes and seconds, 0 for the default. */
    if ((r = dump_f(b, "rekeylimit %lld %d\n",
                    (long long)(c->rekey_bytes > 0 ? c->rekey_bytes : 0),
                    c->rekey_seconds > 0 ? c->rekey_seconds : 0)) != 0) {
        return r;
    }
    if ((r = dump_f(b, "compression %s\n",
                    c->compression != 0 ? "yes" : "no")) != 0) {
        return r;
    }
    return dump_f(b, "sandbox %s\n", c->sandbox != 0 ? "yes" : "no");
}

static int
dump_fwd(struct buf *b, const struct server_fwd_config *f)
{
    int r;

    if ((r = dump_f(b, "clientaliveinterval %d\n", f->alive_interval)) != 0 ||
        (r = dump_f(b, "clientalivecountmax %d\n", f->alive_count_max)) != 0 ||
        (r = dump_f(b, "aditdconnecttimeout %d\n", f->connect_timeout)) != 0 ||
        (r = dump_f(b, "allowtcpforwarding %s\n", dump_allow(f->allow_tcp))) !=
            0 ||
        (r = dump_f(b, "allowstreamlocalforwarding %s\n",
                    dump_allow(f->allow_streamlocal))) != 0 ||
        (r = dump_f(b, "disableforwarding %s\n",
                    f->disable > 0 ? "yes" : "no")) != 0 ||
        (r = dump_f(b, "gatewayports %s\n", dump_gateway(f->gateway_ports))) !=
            0 ||
        (r = dump_permits(b, "permitopen", &f->permit_open)) != 0) {
        return r;
    }
    return dump_permits(b, "permitlisten", &f->permit_listen);
}

static int
dump_penalties(struct buf *b, const struct penalty_config *p)
{
    if (p->enabled != 1) {
        return dump_f(b, "persourcepenalties no\n");
    }
    return dump_f(b,
                  "persourcepenalties crash:%d authfail:%d noauth:%d "
                  "grace-exceeded:%d max:%d min:%d max-sources4:%d "
                  "max-sources6:%d overflow:%s overflow6:%s\n",
                  p->crash, p->authfail, p->noauth, p->grace, p->max, p->min,
                  p->max_sources4, p->max_sources6,
                  p->overflow == PENALTY_DENY_ALL ? "deny-all" : "permissive",
                  p->overflow6 == PENALTY_DENY_ALL ? "deny-all" : "permissive");
}

static int
dump_limits(struct buf *b, const struct server_limits_config *l)
{
    int r;

    if ((r = dump_f(b, "maxsessions %d\n", l->max_sessions)) != 0 ||
        (r = dump_f(b, "maxstartups %d:%d:%d\n", l->startups_begin,
                    l->startups_rate, l->startups_max)) != 0 ||
        (r = l->per_source_max == LIMITS_NO_LIMIT
                 ? dump_f(b, "persourcemaxstartups none\n")
                 : dump_f(b, "persourcemaxstartups %d\n", l->per_source_max)) !=
            0 ||
        (r = dump_f(b, "persourcenetblocksize %d:%d\n", l->netblock4,
                    l->netblock6)) != 0 ||
        (r = dump_penalties(b, &l->pen)) != 0) {
        return r;
    }
    return dump_f(b, "persourcepenaltyexemptlist %s\n",
                  l->penalty_exempt != NULL ? l->penalty_exempt : "none");
}

int
server_config_dump(const struct server_config *c, struct buf *out)
{
    size_t i;
    int r = 0;

    for (i = 0; i < c->n_ports && r == 0; i++) {
        r = dump_f(out, "port %u\n", c->ports[i]);
    }
    if (r != 0 || (r = dump_listen(out, c)) != 0 ||
        (r = dump_files(out, c)) != 0 || (r = dump_session(out, c)) != 0 ||
        (r = dump_limits(out, &c->limits)) != 0) {
        return r;
    }
    return dump_fwd(out, &c->fwd);
}
