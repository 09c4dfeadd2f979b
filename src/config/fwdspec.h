/* SPDX-License-Identifier: ISC */
/* -L forward specifications: [bind_address:]port:host:hostport. */
#ifndef ADIT_CONFIG_FWDSPEC_H
#define ADIT_CONFIG_FWDSPEC_H

#include <stdint.h>

/* Where a listener binds, as ssh reads the bind_address field. */
enum fwdspec_bind {
    FWDSPEC_BIND_LOOPBACK, /* omitted or "localhost": 127.0.0.1 and ::1 */
    FWDSPEC_BIND_ANY,      /* "*" or empty: every address */
    FWDSPEC_BIND_ADDR,     /* an IPv4 literal or a [v6] literal in bind */
};

struct fwdspec {
    enum fwdspec_bind bind_kind;
    char *bind;           /* FWDSPEC_BIND_ADDR: the literal, no brackets */
    uint16_t listen_port; /* 0: any free port */
    char *host;           /* target, brackets removed */
    uint16_t host_port;
};

/*
 * Parse a -L / LocalForward argument. LocalForward's "port host:hostport"
 * form (one space) is accepted too. ERR_FORMAT for anything else, with
 * *out left empty. The bind literal is checked with inet_pton.
 */
int fwdspec_parse(const char *s, struct fwdspec *out);
void fwdspec_cleanup(struct fwdspec *f);

/* Deep copy (for config tables). */
int fwdspec_copy(const struct fwdspec *src, struct fwdspec *dst);

#endif
