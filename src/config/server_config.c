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
#include "util/adit_limits.h"
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
    c->cur_match = -1;
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
    for (i = 0; i < c->n_recs; i++) {
        free(c->recs[i].line);
    }
    free(c->recs);
    for (i = 0; i < c->n_matches; i++) {
        free(c->matches[i]);
    }
    free(c->matches);
    free(c->dir);
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

/* Apply one keyword and its value. */
static int
server_config_apply(struct server_config *c, const char *key, const char *value,
                    char *why, size_t why_len)
{
    const struct sopt *o = NULL;
    size_t i;
    int r;

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
    return r;
}

/* Keep line (block: its Match block, or -1). */
static int
server_config_record(struct server_config *c, const char *line, int block)
{
    struct server_config_rec *v;

    if (c->n_recs >= LIM_CONFIG_LINES) {
        return ERR_LIMIT;
    }
    if ((v = realloc(c->recs, (c->n_recs + 1) * sizeof(*v))) == NULL) {
        return ERR_NOMEM;
    }
    c->recs = v;
    if ((v[c->n_recs].line = str_ndup(line, strlen(line))) == NULL) {
        return ERR_NOMEM;
    }
    v[c->n_recs++].block = block;
    return 0;
}

/* "Match criteria": check them and start a block. */
static int
server_config_match(struct server_config *c, const char *criteria, char *why,
                    size_t why_len)
{
    char **v;
    int r;

    if ((r = server_match_check(criteria, why, why_len)) != 0) {
        return r;
    }
    if (c->n_matches >= LIM_CONFIG_LINES) {
        return ERR_LIMIT;
    }
    if ((v = realloc(c->matches, (c->n_matches + 1) * sizeof(*v))) == NULL) {
        return ERR_NOMEM;
    }
    c->matches = v;
    if ((v[c->n_matches] = str_ndup(criteria, strlen(criteria))) == NULL) {
        return ERR_NOMEM;
    }
    c->cur_match = (int)c->n_matches++;
    return 0;
}

/* A line inside a Match block: an allowed keyword with a good value (it
 * is tried on a scratch configuration), kept for the logins it matches. */
static int
server_config_in_match(struct server_config *c, const char *line,
                       const char *key, const char *value, char *why,
                       size_t why_len)
{
    struct server_config scratch;
    int r;

    if ((r = server_match_keyword(key, why, why_len)) != 0) {
        return r;
    }
    server_config_init(&scratch);
    r = server_config_apply(&scratch, key, value, why, why_len);
    server_config_cleanup(&scratch);
    return r != 0 ? r : server_config_record(c, line, c->cur_match);
}

int
server_config_line(struct server_config *c, const char *line, char *why,
                   size_t why_len)
{
    char *key = NULL, *value = NULL;
    int r;

    if ((r = cfgline_split(line, &key, &value)) == ERR_NOTFOUND) {
        return 0;
    }
    if (r != 0) {
        line += strspn(line, " \t");
        snprintf(why, why_len, "%s",
                 strncasecmp(line, "Match", 5) == 0 &&
                         strchr(" \t=", line[5]) != NULL
                     ? "no argument after keyword \"Match\""
                     : "missing argument");
        return r == ERR_NOMEM ? r : ERR_CONFIG;
    }
    if (strcasecmp(key, "Match") == 0) {
        r = server_config_match(c, value, why, why_len);
    } else if (c->cur_match >= 0) {
        r = server_config_in_match(c, line, key, value, why, why_len);
    } else if ((r = server_config_apply(c, key, value, why, why_len)) == 0) {
        r = server_config_record(c, line, -1);
    }
    if (r == ERR_LIMIT) {
        snprintf(why, why_len, "too many lines");
        r = ERR_CONFIG;
    }
    free(key);
    free(value);
    return r;
}

/* Apply a kept line again (for a connection's configuration). */
static int
server_config_replay(struct server_config *c, const char *line, char *why,
                     size_t why_len)
{
    char *key = NULL, *value = NULL;
    int r;

    if ((r = cfgline_split(line, &key, &value)) == 0) {
        r = server_config_apply(c, key, value, why, why_len);
    }
    free(key);
    free(value);
    return r;
}

int
server_config_for(const struct server_config *base, const struct match_info *mi,
                  struct server_config *out, char *why, size_t why_len)
{
    bool *hit = NULL;
    size_t i;
    int r = 0;

    server_config_init(out);
    if (base->n_matches > 0 &&
        (hit = calloc(base->n_matches, sizeof(*hit))) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < base->n_matches && r >= 0; i++) {
        r = server_match_eval(base->matches[i], mi, why, why_len);
        hit[i] = r == 1;
    }
    /* The matching blocks first: their values win over the global ones. */
    for (i = 0; i < base->n_recs && r >= 0; i++) {
        int b = base->recs[i].block;

        if (b >= 0 && hit[b]) {
            r = server_config_replay(out, base->recs[i].line, why, why_len);
        }
    }
    for (i = 0; i < base->n_recs && r >= 0; i++) {
        if (base->recs[i].block < 0) {
            r = server_config_replay(out, base->recs[i].line, why, why_len);
        }
    }
    free(hit);
    if (r >= 0) {
        memcpy(out->ports, base->ports, sizeof(out->ports));
        out->n_ports = base->n_ports;
        out->has_port = base->has_port;
        r = server_config_finish(out, base->dir);
    }
    return r < 0 ? r : 0;
}
