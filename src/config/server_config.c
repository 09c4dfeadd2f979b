/* SPDX-License-Identifier: ISC */
/* aditd's configuration file, table-driven (sshd_config(5) keywords). */
#include "config/server_config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "config/hostport.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

enum sopt_kind {
    SOPT_LISTEN,
    SOPT_PORT,
    SOPT_HOSTKEY,
    SOPT_STR,
    SOPT_LOGLEVEL,
    SOPT_INT,
    SOPT_SECONDS,
    SOPT_REKEY,
    SOPT_COMPRESSION,
    SOPT_BOOL,
};

struct sopt {
    const char *name;
    enum sopt_kind kind;
    size_t off;
};

#define SOPT(n, k, f)                                                          \
    {                                                                          \
        n, k, offsetof(struct server_config, f)                                \
    }

static const struct sopt sopts[] = {
    SOPT("ListenAddress", SOPT_LISTEN, listen),
    SOPT("Port", SOPT_PORT, ports),
    SOPT("HostKey", SOPT_HOSTKEY, host_keys),
    SOPT("AuthorizedKeysFile", SOPT_STR, authorized_keys_file),
    SOPT("TrustedUserCAKeys", SOPT_STR, trusted_user_ca_keys),
    SOPT("AuthorizedPrincipalsFile", SOPT_STR, authorized_principals_file),
    SOPT("RevokedKeys", SOPT_STR, revoked_keys),
    SOPT("LogLevel", SOPT_LOGLEVEL, log_level),
    SOPT("Ciphers", SOPT_STR, ciphers),
    SOPT("KexAlgorithms", SOPT_STR, kex_algs),
    SOPT("MACs", SOPT_STR, macs),
    SOPT("HostKeyAlgorithms", SOPT_STR, hostkey_algs),
    SOPT("PubkeyAcceptedAlgorithms", SOPT_STR, pubkey_algs),
    SOPT("PubkeyAcceptedKeyTypes", SOPT_STR, pubkey_algs),
    SOPT("MaxAuthTries", SOPT_INT, max_auth_tries),
    SOPT("LoginGraceTime", SOPT_SECONDS, login_grace),
    SOPT("RekeyLimit", SOPT_REKEY, rekey_bytes),
    SOPT("Compression", SOPT_COMPRESSION, compression),
    SOPT("ControlSocket", SOPT_STR, control_socket),
    SOPT("MetricsAddress", SOPT_STR, metrics_address),
    SOPT("Sandbox", SOPT_BOOL, sandbox),
};

void
server_config_init(struct server_config *c)
{
    memset(c, 0, sizeof(*c));
    c->log_level = -1;
    c->max_auth_tries = -1;
    c->login_grace = -1;
    c->rekey_bytes = -1;
    c->rekey_seconds = -1;
    c->compression = -1;
    c->sandbox = -1;
    server_fwd_config_init(&c->fwd);
    server_limits_config_init(&c->limits);
}

void
server_config_cleanup(struct server_config *c)
{
    size_t i;

    for (i = 0; i < c->n_listen; i++) {
        free(c->listen[i].host);
    }
    for (i = 0; i < c->n_host_keys; i++) {
        free(c->host_keys[i]);
    }
    free(c->authorized_keys_file);
    free(c->trusted_user_ca_keys);
    free(c->authorized_principals_file);
    free(c->revoked_keys);
    free(c->ciphers);
    free(c->hostkey_algs);
    free(c->pubkey_algs);
    free(c->kex_algs);
    free(c->macs);
    free(c->control_socket);
    free(c->metrics_address);
    server_fwd_config_cleanup(&c->fwd);
    server_limits_config_cleanup(&c->limits);
    server_config_init(c);
}

static int
server_config_listen(struct server_config *c, const char *v)
{
    struct listen_addr *l;
    int r;

    if (c->n_listen >= SERVER_CONFIG_MAX_LIST) {
        return ERR_LIMIT;
    }
    l = &c->listen[c->n_listen];
    if ((r = hostport_parse(v, &l->host, &l->port)) != 0) {
        return r;
    }
    c->n_listen++;
    return 0;
}

static int
server_config_list(struct server_config *c, const struct sopt *o, const char *v)
{
    int port = 0, r;

    if (o->kind == SOPT_LISTEN) {
        return server_config_listen(c, v);
    }
    if (o->kind == SOPT_HOSTKEY) {
        if (c->n_host_keys >= SERVER_CONFIG_MAX_LIST) {
            return ERR_LIMIT;
        }
        c->host_keys[c->n_host_keys] = str_ndup(v, strlen(v));
        if (c->host_keys[c->n_host_keys] == NULL) {
            return ERR_NOMEM;
        }
        c->n_host_keys++;
        return 0;
    }
    if ((r = cfgline_int(v, 0, 65535, &port)) != 0) {
        return r;
    }
    if (c->n_ports >= SERVER_CONFIG_MAX_LIST) {
        return ERR_LIMIT;
    }
    c->ports[c->n_ports++] = (uint16_t)port;
    c->has_port = 1;
    return 0;
}

static int
server_config_value(struct server_config *c, const struct sopt *o,
                    const char *v)
{
    void *field = (char *)c + o->off;
    int *ip = field, tmp = 0, r;
    char **sp = field;

    switch (o->kind) {
    case SOPT_STR:
        if (*sp == NULL && (*sp = str_ndup(v, strlen(v))) == NULL) {
            return ERR_NOMEM;
        }
        return 0;
    case SOPT_LOGLEVEL:
        r = cfgline_loglevel(v, &tmp);
        break;
    case SOPT_INT:
        r = cfgline_int(v, 1, 1000, &tmp);
        break;
    case SOPT_SECONDS:
        r = cfgline_time(v, &tmp);
        break;
    case SOPT_REKEY:
        return cfgline_rekey_limit(v, &c->rekey_bytes, &c->rekey_seconds);
    case SOPT_COMPRESSION:
        /* sshd: "delayed" is a legacy synonym of yes (zlib@openssh.com). */
        r = 0;
        if (strcasecmp(v, "delayed") == 0) {
            tmp = 1;
        } else {
            r = cfgline_bool(v, &tmp);
        }
        break;
    case SOPT_BOOL:
        r = cfgline_bool(v, &tmp);
        break;
    default:
        return server_config_list(c, o, v);
    }
    if (r == 0 && *ip == -1) {
        *ip = tmp;
    }
    return r;
}

int
server_config_line(struct server_config *c, const char *line, char *why,
                   size_t why_len)
{
    char *key = NULL, *value = NULL;
    const struct sopt *o = NULL;
    size_t i;
    int r;

    if ((r = cfgline_split(line, &key, &value)) == ERR_NOTFOUND) {
        return 0;
    }
    if (r != 0) {
        snprintf(why, why_len, "missing argument");
        return r == ERR_NOMEM ? r : ERR_CONFIG;
    }
    for (i = 0; i < sizeof(sopts) / sizeof(sopts[0]); i++) {
        if (strcasecmp(key, sopts[i].name) == 0) {
            o = &sopts[i];
        }
    }
    if (o == NULL) {
        /* The forwarding keywords have their own table. */
        r = server_fwd_config_line(&c->fwd, key, value, why, why_len);
        if (r == ERR_NOTFOUND) {
            r = server_limits_config_line(&c->limits, key, value, why, why_len);
        }
        if (r == ERR_NOTFOUND) {
            snprintf(why, why_len, "Bad configuration option: %s", key);
            r = ERR_CONFIG;
        }
    } else if ((r = server_config_value(c, o, value)) != 0 && r != ERR_NOMEM) {
        snprintf(why, why_len, "bad %s argument \"%s\"", o->name, value);
        r = ERR_CONFIG;
    }
    free(key);
    free(value);
    return r;
}
