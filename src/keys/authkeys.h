/* SPDX-License-Identifier: ISC */
/*
 * authorized_keys files, OpenSSH syntax (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT). Every option OpenSSH knows is parsed and kept; a line with an
 * option we do not know, or a malformed one, is rejected whole.
 */
#ifndef ADIT_KEYS_AUTHKEYS_H
#define ADIT_KEYS_AUTHKEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/sshkey.h"

/* What one line's options say. Tri-state flags: -1 unset, 0 no, 1 yes. */
struct authkey_opts {
    bool restrict_all;   /* "restrict" */
    int port_forwarding; /* port-forwarding / no-port-forwarding */
    int agent_forwarding;
    int x11_forwarding;
    int pty;
    int user_rc;
    bool no_touch_required;
    bool verify_required;
    bool cert_authority;
    char **permitopen; /* "host:port" as written; host may be [v6] */
    size_t n_permitopen;
    char **permitlisten; /* "[host:]port" as written */
    size_t n_permitlisten;
    char *from;         /* pattern-list, or NULL */
    char *command;      /* forced command, or NULL */
    char *principals;   /* for cert-authority lines, or NULL */
    char *tunnel;       /* tun device number, or NULL */
    char **environment; /* "NAME=value" */
    size_t n_environment;
    bool has_expiry;
    int64_t expiry; /* seconds since the epoch */
};

struct authkey {
    struct sshkey *key;
    struct authkey_opts opts;
    unsigned line; /* 1-based line number in the file */
    char *comment; /* text after the key, or "" */
};

struct authkeys {
    struct authkey *v;
    size_t n;
    char *path; /* for log messages */
};

/*
 * Parse one line (without the newline). ERR_NOTFOUND for a blank or
 * comment line; ERR_FORMAT for an unknown or malformed option or key, with
 * a short reason in why (may be NULL) such as "unknown option \"foo\"".
 * On success out is filled in and owned by the caller (authkey_cleanup).
 */
int authkey_parse_line(const char *line, size_t len, struct authkey *out,
                       char *why, size_t why_len);
void authkey_cleanup(struct authkey *k);

/*
 * Load a whole file (at most LIM_FILE_SIZE and LIM_AUTHKEYS entries).
 * Bad lines are logged with their line number and skipped; the rest load.
 * ERR_NOTFOUND if the file does not exist.
 */
int authkeys_load(const char *path, struct authkeys *out);
void authkeys_cleanup(struct authkeys *ak);

/* Deep copy of src's options into dst (which is overwritten); on error
 * dst is left empty. authkeys_opts_cleanup() frees and resets to unset. */
int authkeys_opts_copy(struct authkey_opts *dst,
                       const struct authkey_opts *src);
void authkeys_opts_cleanup(struct authkey_opts *o);

/*
 * One AuthorizedPrincipalsFile line (sshd(8) AUTHORIZED_KEYS FILE FORMAT
 * options, then the principal): "[options] principal". As sshd does, the
 * principal is what follows the last blank, and what comes before it is
 * the options. ERR_NOTFOUND for a blank or comment line; ERR_FORMAT with
 * a reason in why for bad options. *principal is malloc'd; opts is set
 * (authkeys_opts_cleanup) on success only.
 */
int authkeys_principal_line(const char *line, size_t len, char **principal,
                            struct authkey_opts *opts, char *why,
                            size_t why_len);

/*
 * Read an AuthorizedPrincipalsFile and find the first line whose principal
 * is one of the n given; its options go to opts and its number to *line.
 * ERR_NOTFOUND when the file does not exist or no line matches; bad lines
 * are logged and skipped, as sshd does.
 */
int authkeys_principals_file(const char *path, char *const *principals,
                             size_t n, struct authkey_opts *opts,
                             unsigned *line);

/* The same over a file's contents read before (path names it in logs):
 * ERR_NOTFOUND when no line matches. */
int authkeys_principals_scan(const char *path, const char *p, size_t len,
                             char *const *principals, size_t n,
                             struct authkey_opts *opts, unsigned *line);

/* Read a whole file of these formats (at most LIM_FILE_SIZE) into out,
 * which must be initialised. ERR_NOTFOUND if it does not exist. */
int authkeys_read(const char *path, struct buf *out);

/*
 * Is one of the certificate principals in the comma-separated list of a
 * cert-authority line's principals="..." option? Exact names, no globs.
 */
bool authkeys_principals_match(const char *list, char *const *principals,
                               size_t n);

/* The first entry whose key equals key (not cert-authority lines), or NULL. */
const struct authkey *authkeys_find(const struct authkeys *ak,
                                    const struct sshkey *key);

/* The first cert-authority entry whose key equals ca, at or after *from;
 * *from is advanced past it, so callers can try every such line. */
const struct authkey *authkeys_find_ca(const struct authkeys *ak,
                                       const struct sshkey *ca, size_t *from);

#endif
