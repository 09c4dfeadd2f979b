/* SPDX-License-Identifier: ISC */
/* The client's options, table-driven (ssh_config(5) keywords). */
#include "config/client_config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "util/err.h"
#include "util/mem.h"

#define CLIENT_MAX_IDENTITIES 100u
#define CLIENT_MAX_FORWARDS 256u

enum copt_kind {
    COPT_PORT,
    COPT_STR,
    COPT_IDENTITY,
    COPT_LOCALFWD,
    COPT_REMOTEFWD,
    COPT_BOOL,
    COPT_STRICT,
    COPT_SECONDS,
    COPT_LOGLEVEL,
    COPT_REKEY,
};

struct copt {
    const char *name;
    enum copt_kind kind;
    size_t off;
};

#define COPT(n, k, f)                                                          \
    {                                                                          \
        n, k, offsetof(struct client_config, f)                                \
    }

static const struct copt copts[] = {
    COPT("Port", COPT_PORT, port),
    COPT("User", COPT_STR, user),
    COPT("IdentityFile", COPT_IDENTITY, identity_files),
    COPT("LocalForward", COPT_LOCALFWD, local_fwds),
    COPT("RemoteForward", COPT_REMOTEFWD, remote_fwds),
    COPT("GatewayPorts", COPT_BOOL, gateway_ports),
    COPT("StreamLocalBindUnlink", COPT_BOOL, stream_local_bind_unlink),
    COPT("ForkAfterAuthentication", COPT_BOOL, fork_after_auth),
    COPT("StrictHostKeyChecking", COPT_STRICT, strict_hostkey),
    COPT("UserKnownHostsFile", COPT_STR, user_known_hosts),
    COPT("GlobalKnownHostsFile", COPT_STR, global_known_hosts),
    COPT("HashKnownHosts", COPT_BOOL, hash_known_hosts),
    COPT("Ciphers", COPT_STR, ciphers),
    COPT("KexAlgorithms", COPT_STR, kex_algs),
    COPT("MACs", COPT_STR, macs),
    COPT("HostKeyAlgorithms", COPT_STR, hostkey_algs),
    COPT("ConnectTimeout", COPT_SECONDS, connect_timeout),
    COPT("LogLevel", COPT_LOGLEVEL, log_level),
    COPT("ExitOnForwardFailure", COPT_BOOL, exit_on_forward_failure),
    COPT("BatchMode", COPT_BOOL, batch_mode),
    COPT("RekeyLimit", COPT_REKEY, rekey_bytes),
};

void
client_config_init(struct client_config *c)
{
    memset(c, 0, sizeof(*c));
    c->port = -1;
    c->strict_hostkey = STRICT_HOSTKEY_UNSET;
    c->hash_known_hosts = -1;
    c->connect_timeout = -1;
    c->log_level = -1;
    c->exit_on_forward_failure = -1;
    c->gateway_ports = -1;
    c->stream_local_bind_unlink = -1;
    c->fork_after_auth = -1;
    c->batch_mode = -1;
    c->rekey_bytes = -1;
    c->rekey_seconds = -1;
}

void
client_config_cleanup(struct client_config *c)
{
    size_t i;

    for (i = 0; i < c->n_identity_files; i++) {
        free(c->identity_files[i]);
    }
    for (i = 0; i < c->n_local_fwds; i++) {
        fwdspec_cleanup(&c->local_fwds[i]);
    }
    for (i = 0; i < c->n_remote_fwds; i++) {
        fwdspec_cleanup(&c->remote_fwds[i]);
    }
    free(c->identity_files);
    free(c->local_fwds);
    free(c->remote_fwds);
    free(c->user);
    free(c->user_known_hosts);
    free(c->global_known_hosts);
    free(c->ciphers);
    free(c->kex_algs);
    free(c->macs);
    free(c->hostkey_algs);
    client_config_init(c);
}

static int
client_config_strict(const char *v, int *out)
{
    int b;

    if (strcasecmp(v, "accept-new") == 0) {
        *out = STRICT_HOSTKEY_ACCEPT_NEW;
    } else if (strcasecmp(v, "ask") == 0) {
        *out = STRICT_HOSTKEY_ASK;
    } else if (strcasecmp(v, "off") == 0) {
        *out = STRICT_HOSTKEY_NO;
    } else if (cfgline_bool(v, &b) == 0) {
        *out = b ? STRICT_HOSTKEY_YES : STRICT_HOSTKEY_NO;
    } else {
        return ERR_FORMAT;
    }
    return 0;
}

static int
client_config_add_identity(struct client_config *c, const char *v)
{
    char **n;

    if (c->n_identity_files >= CLIENT_MAX_IDENTITIES) {
        return ERR_LIMIT;
    }
    n = realloc(c->identity_files, (c->n_identity_files + 1) * sizeof(*n));
    if (n == NULL) {
        return ERR_NOMEM;
    }
    c->identity_files = n;
    if ((n[c->n_identity_files] = str_ndup(v, strlen(v))) == NULL) {
        return ERR_NOMEM;
    }
    c->n_identity_files++;
    return 0;
}

/* Append to a forward list (LocalForward, RemoteForward). */
static int
client_config_add_fwd(struct fwdspec **list, size_t *count,
                      enum fwdspec_kind kind, const char *v)
{
    struct fwdspec f, *n;
    int r;

    if (*count >= CLIENT_MAX_FORWARDS) {
        return ERR_LIMIT;
    }
    if ((r = fwdspec_parse_kind(v, kind, &f)) != 0) {
        return r;
    }
    if ((n = realloc(*list, (*count + 1) * sizeof(*n))) == NULL) {
        fwdspec_cleanup(&f);
        return ERR_NOMEM;
    }
    *list = n;
    n[(*count)++] = f;
    return 0;
}

/* Scalar options: the first value obtained wins, as in ssh. */
static int
client_config_scalar(const struct copt *o, void *field, const char *v)
{
    int *ip = field, tmp = 0, r = 0;
    char **sp = field;

    switch (o->kind) {
    case COPT_STR:
        if (*sp == NULL && (*sp = str_ndup(v, strlen(v))) == NULL) {
            return ERR_NOMEM;
        }
        return 0;
    case COPT_PORT:
        r = cfgline_int(v, 1, 65535, &tmp);
        break;
    case COPT_BOOL:
        r = cfgline_bool(v, &tmp);
        break;
    case COPT_STRICT:
        r = client_config_strict(v, &tmp);
        break;
    case COPT_SECONDS:
        r = strcasecmp(v, "none") == 0 ? 0 : cfgline_int(v, 0, 86400, &tmp);
        break;
    case COPT_LOGLEVEL:
        r = cfgline_loglevel(v, &tmp);
        break;
    default:
        return ERR_INTERNAL;
    }
    if (r == 0 && *ip == -1) {
        *ip = tmp;
    }
    return r;
}

int
client_config_set(struct client_config *c, const char *keyword,
                  const char *value, char *why, size_t why_len)
{
    const struct copt *o = NULL;
    size_t i;
    int r;

    for (i = 0; i < sizeof(copts) / sizeof(copts[0]); i++) {
        if (strcasecmp(keyword, copts[i].name) == 0) {
            o = &copts[i];
        }
    }
    if (o == NULL) {
        snprintf(why, why_len, "Bad configuration option: %s", keyword);
        return ERR_CONFIG;
    }
    if (o->kind == COPT_IDENTITY) {
        r = client_config_add_identity(c, value);
    } else if (o->kind == COPT_LOCALFWD) {
        r = client_config_add_fwd(&c->local_fwds, &c->n_local_fwds,
                                  FWDSPEC_LOCAL, value);
    } else if (o->kind == COPT_REMOTEFWD) {
        r = client_config_add_fwd(&c->remote_fwds, &c->n_remote_fwds,
                                  FWDSPEC_REMOTE, value);
    } else if (o->kind == COPT_REKEY) {
        r = cfgline_rekey_limit(value, &c->rekey_bytes, &c->rekey_seconds);
    } else {
        r = client_config_scalar(o, (char *)c + o->off, value);
    }
    if (r == ERR_NOMEM) {
        return r;
    }
    if (r != 0) {
        snprintf(why, why_len, "Bad %s argument '%s'.", o->name, value);
        return ERR_CONFIG;
    }
    return 0;
}

int
client_config_apply(struct client_config *c, const char *line, char *why,
                    size_t why_len)
{
    char *key = NULL, *value = NULL;
    int r;

    r = cfgline_split(line, &key, &value);
    if (r == ERR_NOTFOUND) {
        return 0;
    }
    if (r == ERR_NOMEM) {
        return r;
    }
    if (r != 0) {
        snprintf(why, why_len, "Missing argument.");
        return ERR_CONFIG;
    }
    r = client_config_set(c, key, value, why, why_len);
    free(key);
    free(value);
    return r;
}
