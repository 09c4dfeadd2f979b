/* SPDX-License-Identifier: ISC */
/*
 * ssh_config(5) TOKENS: %% %C %d %h %i %k %L %l %n %p %r %T %u, and ~ at
 * the start of a path. Which tokens a keyword allows is the caller's
 * choice (the allowed string), as ssh_config(5) lists them.
 */
#ifndef ADIT_CONFIG_SSH_TOKENS_H
#define ADIT_CONFIG_SSH_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

/* Token letters for each family of keywords, as ssh_config(5). */
#define SSH_TOKENS_HOSTNAME "h"
#define SSH_TOKENS_PROXY "hnpr"
#define SSH_TOKENS_FILES "CdhiklLnpru"    /* IdentityFile, ControlPath... */
#define SSH_TOKENS_COMMAND "CdhiklLnprTu" /* LocalCommand */

/* NULL members expand to "" (except %% which needs none). */
struct ssh_tokens {
    const char *conn_hash;      /* %C */
    const char *home;           /* %d */
    const char *host;           /* %h: the remote host name */
    const char *uid;            /* %i */
    const char *host_key_alias; /* %k: HostKeyAlias, else the host */
    const char *local_host;     /* %l */
    const char *local_short;    /* %L */
    const char *original_host;  /* %n */
    const char *port;           /* %p */
    const char *remote_user;    /* %r */
    const char *tunnel;         /* %T */
    const char *local_user;     /* %u */
    bool is_env_allowed;        /* ${NAME} from the environment too */
};

/*
 * Expand the tokens of s whose letters are in allowed (plus %%), and
 * ${NAME} from the environment when t->is_env_allowed, into a malloc'd
 * *out. An unset variable is ERR_FORMAT with ssh's message. A token not
 * allowed, or a lone '%' at the end, is ERR_FORMAT with ssh's two-line message
 * in why ("vdollar_percent_expand: unknown key %x" then "percent_expand:
 * failed") when why is not NULL. ERR_LIMIT past LIM_LINE bytes.
 */
int ssh_tokens_expand(const char *s, const struct ssh_tokens *t,
                      const char *allowed, char **out, char *why,
                      size_t why_len);

/* Only ${NAME} (LocalForward and RemoteForward words, read as ssh reads
 * them); '%' is left alone. ERR_FORMAT with ssh's message if unset. */
int ssh_tokens_env(const char *s, char **out, char *why, size_t why_len);

/* As ssh's tilde_expand: "~", "~/path" under home, "~user", "~user/path"
 * under user's home from the passwd file; anything else (or "~" with no
 * home) copied. malloc'd. ERR_NOTFOUND (ssh's words in why, if not
 * NULL) for a user unknown, ERR_NOMEM. */
int ssh_tokens_tilde(const char *s, const char *home, char **out, char *why,
                     size_t why_len);

/* %C: the SHA-1, in hex, of %l%h%p%r (41 bytes with the NUL). */
int ssh_tokens_conn_hash(const char *local_host, const char *host,
                         const char *port, const char *user, char out[41]);

#endif
