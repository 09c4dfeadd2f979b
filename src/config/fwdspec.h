/* SPDX-License-Identifier: ISC */
/*
 * Forward specifications as ssh reads them for -L, -R and -D (and
 * LocalForward, RemoteForward, DynamicForward):
 *   [bind_address:]port:host:hostport     [bind_address:]port:/socket
 *   /socket:host:hostport                 /socket:/socket
 *   [bind_address:]port                   (dynamic: -D, or -R with no target)
 * A field containing '/' is a Unix socket path, as ssh decides it.
 */
#ifndef ADIT_CONFIG_FWDSPEC_H
#define ADIT_CONFIG_FWDSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a listener binds, as ssh reads the bind_address field. */
enum fwdspec_bind {
    FWDSPEC_BIND_LOOPBACK, /* "localhost": loopback addresses only */
    FWDSPEC_BIND_ANY,      /* "*" or empty: every address */
    FWDSPEC_BIND_ADDR,     /* bind holds an address (-R: or a name) */
    FWDSPEC_BIND_DEFAULT,  /* omitted: loopback, or every address with -g */
};

enum fwdspec_kind {
    FWDSPEC_LOCAL,   /* -L: a target is required, listen port 1..65535 */
    FWDSPEC_REMOTE,  /* -R: port 0 allowed, target optional (dynamic) */
    FWDSPEC_DYNAMIC, /* -D: [bind:]port only */
};

struct fwdspec {
    enum fwdspec_bind bind_kind;
    char *bind;           /* FWDSPEC_BIND_ADDR: as given, no brackets */
    uint16_t listen_port; /* 0 (-R only): the server allocates one */
    char *listen_path;    /* listen on this Unix socket instead of a port */
    char *host;           /* target host, brackets removed */
    uint16_t host_port;
    char *connect_path; /* target Unix socket instead of host */
    /* -L/-D with a host name as bind: its addresses, resolved once at
     * start-up (fwdspec_set_bind_ips), or why they could not be. */
    char **bind_ips;
    size_t n_bind_ips;
    char *bind_err;
};

/*
 * Parse a forward of the given kind. The config files' "port host:hostport"
 * form (one space) is accepted too. ERR_FORMAT for anything else, with *out
 * left empty. A bind address is an IPv4 or IPv6 literal, "localhost",
 * "*", empty, or a host name (-R passes it to the server; for -L and -D
 * fwdspec_bind_is_name() says it must be resolved).
 */
int fwdspec_parse_kind(const char *s, enum fwdspec_kind kind,
                       struct fwdspec *out);
/* fwdspec_parse_kind(s, FWDSPEC_LOCAL, out). */
int fwdspec_parse(const char *s, struct fwdspec *out);
void fwdspec_cleanup(struct fwdspec *f);

/* A -L/-D bind address that is a name, not an address literal. */
bool fwdspec_bind_is_name(const struct fwdspec *f);
/* Record the addresses (copied; at most LIM_BIND_IPS) a bind name
 * resolved to, or err when it did not. ERR_NOMEM. */
int fwdspec_set_bind_ips(struct fwdspec *f, const char *const *ips, size_t n,
                         const char *err);

/* Deep copy (for config tables). */
int fwdspec_copy(const struct fwdspec *src, struct fwdspec *dst);

/* No target: the forward answers SOCKS (-D, or -R [bind:]port). */
bool fwdspec_is_dynamic(const struct fwdspec *f);

/*
 * The listen address a tcpip-forward request carries for this forward, as
 * ssh sends it: "localhost" when omitted, "" for "*" or empty, else the
 * bind address as given.
 */
const char *fwdspec_remote_bind(const struct fwdspec *f);

#endif
