/* SPDX-License-Identifier: ISC */
/*
 * aditd's forwarding policy, as sshd applies it (PROTOCOLS.md section 2):
 * the switches first (DisableForwarding, AllowTcpForwarding, the key's
 * restrict / no-port-forwarding), then the key's permitopen / permitlisten
 * and the server's PermitOpen / PermitListen, both of which must allow.
 */
#include "fwd/server_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "crypto/digest.h"
#include "io/io_conn.h"
#include "keys/sshcert.h"
#include "util/err.h"
#include "util/log.h"

/*
 * The owner of a certificate login: SHA256 over the CA's fingerprint, the
 * key ID and the user, each as a string (uint32 length first, so no two
 * tuples give the same bytes). The key inside may change with a renewal;
 * the identity the CA vouched for does not.
 */
static void
server_cert_owner(struct server_rights *r, const struct sshcert *c,
                  const char *user)
{
    char ca_fp[SSHKEY_FP_LEN] = "", *hex = r->owner;
    uint8_t d[DIGEST_MAX_LEN];
    struct buf b;
    size_t i;

    sshkey_fingerprint(c->ca, ca_fp, sizeof(ca_fp));
    buf_init(&b);
    snprintf(r->owner, sizeof(r->owner), "?"); /* matches no other */
    if (buf_put_cstring(&b, ca_fp) == 0 &&
        buf_put_cstring(&b, c->key_id) == 0 &&
        buf_put_cstring(&b, user != NULL ? user : "") == 0 &&
        digest_once(DIGEST_SHA256, buf_ptr(&b), buf_len(&b), d) == 0) {
        hex += snprintf(hex, sizeof(r->owner), "cert:");
        for (i = 0; i < 32; i++) {
            hex += snprintf(hex, 3, "%02x", d[i]);
        }
    }
    buf_cleanup(&b);
    snprintf(r->owner_desc, sizeof(r->owner_desc),
             "certificate ID \"%.64s\" of CA %s for %.32s", c->key_id, ca_fp,
             user != NULL ? user : "");
}

int
server_rights_init(struct server_rights *r, const struct authkey *e,
                   const struct sshkey *k, const char *user)
{
    size_t i;
    int ret = 0;

    memset(r, 0, sizeof(*r));
    if (k != NULL) {
        sshkey_fingerprint(k, r->fp, sizeof(r->fp));
    }
    snprintf(r->owner, sizeof(r->owner), "%s", r->fp);
    snprintf(r->owner_desc, sizeof(r->owner_desc), "key %s", r->fp);
    if (k != NULL && sshkey_cert(k) != NULL) {
        server_cert_owner(r, sshkey_cert(k), user);
    }
    if (e == NULL) {
        return 0; /* no entry: no rights */
    }
    r->line = e->line;
    r->fwd = e->opts.restrict_all ? e->opts.port_forwarding == 1
                                  : e->opts.port_forwarding != 0;
    r->fwd_explicit = e->opts.port_forwarding == 1;
    for (i = 0; i < e->opts.n_permitopen && ret == 0; i++) {
        ret = permit_list_add(&r->open, e->opts.permitopen[i], false);
    }
    for (i = 0; i < e->opts.n_permitlisten && ret == 0; i++) {
        ret = permit_list_add(&r->listen, e->opts.permitlisten[i], true);
    }
    if (ret != 0) {
        /* A rule we could not keep must not widen the rights. */
        r->fwd = false;
        r->fwd_explicit = false;
        r->open.none = true;
        r->listen.none = true;
    }
    return ret;
}

void
server_rights_cleanup(struct server_rights *r)
{
    permit_list_cleanup(&r->open);
    permit_list_cleanup(&r->listen);
}

/* The switches every TCP forward passes first; bit is FWD_ALLOW_*. */
static bool
server_fwd_switches(const struct server_conn *sc, int bit, char *why,
                    size_t why_len)
{
    const struct server_fwd_config *f = &sc->cfg->fwd;

    if (f->disable == 1) {
        snprintf(why, why_len, "forwarding disabled by DisableForwarding");
    } else if ((f->allow_tcp & bit) == 0) {
        snprintf(why, why_len, "%s forwarding disabled by AllowTcpForwarding",
                 bit == FWD_ALLOW_LOCAL ? "local" : "remote");
    } else if (!sc->rights.fwd) {
        snprintf(why, why_len, "port forwarding disabled on key %s line %u",
                 sc->rights.fp, sc->rights.line);
    } else {
        return true;
    }
    return false;
}

bool
server_may_open(const struct server_conn *sc, const char *host, uint32_t port,
                char *why, size_t why_len)
{
    const struct server_fwd_config *f = &sc->cfg->fwd;

    if (!server_fwd_switches(sc, FWD_ALLOW_LOCAL, why, why_len)) {
        return false;
    }
    if (port == 0 || port > 65535) {
        snprintf(why, why_len, "invalid target port %u", (unsigned)port);
    } else if (!permit_list_allows(&sc->rights.open, false, host, port)) {
        snprintf(why, why_len, "denied by permitopen on key %s line %u",
                 sc->rights.fp, sc->rights.line);
    } else if (!permit_list_allows(&f->permit_open, false, host, port)) {
        snprintf(why, why_len,
                 "denied by PermitOpen in the server "
                 "configuration");
    } else {
        return true;
    }
    return false;
}

bool
server_listen_is_name(const char *host)
{
    unsigned char a[sizeof(struct in6_addr)];

    return host[0] != '\0' && strcmp(host, "*") != 0 &&
           strcasecmp(host, "localhost") != 0 &&
           inet_pton(AF_INET, host, a) != 1 &&
           inet_pton(AF_INET6, host, a) != 1;
}

bool
server_may_listen(const struct server_conn *sc, const char *host, uint32_t port,
                  bool want_reply, char *why, size_t why_len)
{
    const struct server_fwd_config *f = &sc->cfg->fwd;

    if (!server_fwd_switches(sc, FWD_ALLOW_REMOTE, why, why_len)) {
        return false;
    }
    if (port == 0 && !want_reply) {
        /* The client could never learn which port it got. */
        snprintf(why, why_len, "listen port 0 without want-reply");
    } else if (!permit_list_allows(&sc->rights.listen, true, host, port)) {
        snprintf(why, why_len, "denied by permitlisten on key %s line %u",
                 sc->rights.fp, sc->rights.line);
    } else if (!permit_list_allows(&f->permit_listen, true, host, port)) {
        snprintf(why, why_len,
                 "denied by PermitListen in the server "
                 "configuration");
    } else if (server_listen_is_name(host) && sc->rights.listen.n == 0 &&
               f->permit_listen.n == 0) {
        snprintf(why, why_len,
                 "named endpoint %s needs a permitlisten rule on key %s "
                 "line %u (or PermitListen) that names it",
                 host, sc->rights.fp, sc->rights.line);
    } else {
        return true;
    }
    return false;
}

/*
 * Unix-domain sockets: AllowStreamLocalForwarding (off by default here) and
 * a key that says "port-forwarding" itself. A path to connect to must also
 * pass permitopen and PermitOpen as sshd matches it (channel_connect_to_path:
 * only a "*:*" rule or "path:*" allows it, so any other rule refuses it);
 * listening on one is checked against no list, as in sshd.
 */
bool
server_may_streamlocal(const struct server_conn *sc, const char *path,
                       bool remote, char *why, size_t why_len)
{
    const struct server_fwd_config *f = &sc->cfg->fwd;
    int bit = remote ? FWD_ALLOW_REMOTE : FWD_ALLOW_LOCAL;

    if (f->disable == 1) {
        snprintf(why, why_len, "forwarding disabled by DisableForwarding");
    } else if ((f->allow_streamlocal & bit) == 0) {
        snprintf(why, why_len,
                 "Unix socket forwarding disabled by "
                 "AllowStreamLocalForwarding");
    } else if (!sc->rights.fwd_explicit) {
        snprintf(why, why_len,
                 "Unix socket forwarding needs port-forwarding on key %s "
                 "line %u",
                 sc->rights.fp, sc->rights.line);
    } else if (!remote && !permit_list_allows(&sc->rights.open, false, path,
                                              PERMIT_STREAMLOCAL_PORT)) {
        snprintf(why, why_len, "denied by permitopen on key %s line %u",
                 sc->rights.fp, sc->rights.line);
    } else if (!remote && !permit_list_allows(&f->permit_open, false, path,
                                              PERMIT_STREAMLOCAL_PORT)) {
        snprintf(why, why_len,
                 "denied by PermitOpen in the server "
                 "configuration");
    } else {
        return true;
    }
    return false;
}

void
server_refused(struct server_conn *sc, const char *what, const char *why)
{
    log_info("Refused %s for %s port %u: %s", what, sc->addr,
             (unsigned)sc->port, why);
    (void)session_send_debug(io_conn_session(sc->ic), why);
}
