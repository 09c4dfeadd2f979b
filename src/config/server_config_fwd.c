/* SPDX-License-Identifier: ISC */
/* aditd's forwarding and keepalive keywords (sshd_config(5) semantics). */
#include "config/server_config_fwd.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/cfgline.h"
#include "util/adit_limits.h"
#include "util/err.h"

void
server_fwd_config_init(struct server_fwd_config *f)
{
    memset(f, 0, sizeof(*f));
    f->allow_tcp = -1;
    f->allow_streamlocal = -1;
    f->disable = -1;
    f->gateway_ports = -1;
    f->alive_interval = -1;
    f->alive_count_max = -1;
    f->connect_timeout = -1;
}

void
server_fwd_config_cleanup(struct server_fwd_config *f)
{
    permit_list_cleanup(&f->permit_open);
    permit_list_cleanup(&f->permit_listen);
    server_fwd_config_init(f);
}

void
server_fwd_config_finish(struct server_fwd_config *f)
{
    if (f->allow_tcp < 0) {
        f->allow_tcp = FWD_ALLOW_ALL;
    }
    /* Stricter than sshd (default yes): Unix sockets on a bastion are
     * forwarded only when the administrator asks for it. */
    if (f->allow_streamlocal < 0) {
        f->allow_streamlocal = 0;
    }
    if (f->disable < 0) {
        f->disable = 0;
    }
    if (f->gateway_ports < 0) {
        f->gateway_ports = GATEWAY_NO;
    }
    if (f->alive_interval < 0) {
        f->alive_interval = 0;
    }
    if (f->alive_count_max < 0) {
        f->alive_count_max = 3;
    }
    if (f->connect_timeout < 0) {
        f->connect_timeout = LIM_CONNECT_TIMEOUT_S;
    }
}

/* yes/all, local, remote, no (sshd's AllowTcpForwarding values). */
static int
fwd_allow_value(const char *v, int *out)
{
    if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "all") == 0) {
        *out = FWD_ALLOW_ALL;
    } else if (strcasecmp(v, "local") == 0) {
        *out = FWD_ALLOW_LOCAL;
    } else if (strcasecmp(v, "remote") == 0) {
        *out = FWD_ALLOW_REMOTE;
    } else if (strcasecmp(v, "no") == 0) {
        *out = 0;
    } else {
        return ERR_FORMAT;
    }
    return 0;
}

static int
fwd_gateway_value(const char *v, int *out)
{
    if (strcasecmp(v, "clientspecified") == 0) {
        *out = GATEWAY_CLIENTSPECIFIED;
        return 0;
    }
    if (cfgline_bool(v, out) != 0) {
        return ERR_FORMAT;
    }
    *out = *out ? GATEWAY_YES : GATEWAY_NO;
    return 0;
}

/*
 * PermitOpen / PermitListen: blank-separated rules, or "any" or "none"
 * alone. Only the first line counts, as in sshd.
 */
static int
fwd_permit_value(struct permit_list *l, bool *seen, const char *v,
                 bool is_listen)
{
    char word[300];
    struct permit_list fresh;
    size_t n;
    int r = 0;

    memset(&fresh, 0, sizeof(fresh));
    if (strcasecmp(v, "any") == 0 || strcasecmp(v, "none") == 0) {
        fresh.none = strcasecmp(v, "none") == 0;
        goto done;
    }
    while (*v != '\0') {
        v += strspn(v, " \t");
        if ((n = strcspn(v, " \t")) == 0) {
            break;
        }
        if (n >= sizeof(word)) {
            r = ERR_FORMAT;
            break;
        }
        memcpy(word, v, n);
        word[n] = '\0';
        v += n;
        if (strcasecmp(word, "any") == 0 || strcasecmp(word, "none") == 0 ||
            (r = permit_list_add(&fresh, word, is_listen)) != 0) {
            r = r != 0 ? r : ERR_FORMAT;
            break;
        }
    }
done:
    if (r != 0 || *seen) {
        permit_list_cleanup(&fresh);
        return r;
    }
    *l = fresh;
    *seen = true;
    return 0;
}

static void
fwd_set_first(int *field, int v)
{
    if (*field < 0) {
        *field = v;
    }
}

static int
fwd_value(struct server_fwd_config *f, const char *key, const char *v)
{
    int tmp = 0, r;

    if (strcasecmp(key, "AllowTcpForwarding") == 0) {
        r = fwd_allow_value(v, &tmp);
        fwd_set_first(&f->allow_tcp, r == 0 ? tmp : -1);
    } else if (strcasecmp(key, "AllowStreamLocalForwarding") == 0) {
        r = fwd_allow_value(v, &tmp);
        fwd_set_first(&f->allow_streamlocal, r == 0 ? tmp : -1);
    } else if (strcasecmp(key, "DisableForwarding") == 0) {
        r = cfgline_bool(v, &tmp);
        fwd_set_first(&f->disable, r == 0 ? tmp : -1);
    } else if (strcasecmp(key, "GatewayPorts") == 0) {
        r = fwd_gateway_value(v, &tmp);
        fwd_set_first(&f->gateway_ports, r == 0 ? tmp : -1);
    } else if (strcasecmp(key, "PermitOpen") == 0) {
        r = fwd_permit_value(&f->permit_open, &f->has_permit_open, v, false);
    } else if (strcasecmp(key, "PermitListen") == 0) {
        r = fwd_permit_value(&f->permit_listen, &f->has_permit_listen, v, true);
    } else if (strcasecmp(key, "ClientAliveInterval") == 0) {
        r = cfgline_time(v, &tmp);
        fwd_set_first(&f->alive_interval, r == 0 ? tmp : -1);
    } else if (strcasecmp(key, "ClientAliveCountMax") == 0) {
        r = cfgline_int(v, 0, 1000, &tmp);
        fwd_set_first(&f->alive_count_max, r == 0 ? tmp : -1);
    } else if (strcasecmp(key, "AditdConnectTimeout") == 0) {
        /* Bounded both ways: 0 would mean "never give up". */
        r = cfgline_time(v, &tmp);
        if (r == 0 && (tmp < 1 || tmp > (int)LIM_CONNECT_TIMEOUT_MAX_S)) {
            r = ERR_FORMAT;
        }
        fwd_set_first(&f->connect_timeout, r == 0 ? tmp : -1);
    } else {
        return ERR_NOTFOUND;
    }
    return r;
}

int
server_fwd_config_line(struct server_fwd_config *f, const char *key,
                       const char *value, char *why, size_t why_len)
{
    int r = fwd_value(f, key, value);

    if (r == 0 || r == ERR_NOTFOUND || r == ERR_NOMEM) {
        return r;
    }
    snprintf(why, why_len, "bad %s argument \"%s\"", key, value);
    return ERR_CONFIG;
}
