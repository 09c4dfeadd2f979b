/* SPDX-License-Identifier: ISC */
/*
 * known_hosts files: plain and hashed (|1|salt|hash) host patterns, with
 * wildcards and negation, "[host]:port" for ports other than 22, and
 * @revoked markers (which match a key also inside a certificate), and
 * @cert-authority lines for host certificates.
 */
#ifndef ADIT_KEYS_KNOWNHOSTS_H
#define ADIT_KEYS_KNOWNHOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/sshkey.h"

enum hostkey_status {
    HOSTKEY_MATCH,   /* a line for this host has exactly this key */
    HOSTKEY_NEW,     /* no line names this host */
    HOSTKEY_CHANGED, /* lines name this host, none with this key */
    HOSTKEY_REVOKED, /* the key is marked @revoked */
};

/*
 * The name known_hosts uses for host and port: "host" for port 22,
 * "[host]:port" otherwise. Writes into out (at least 300 bytes).
 */
void knownhosts_name(const char *host, uint16_t port, char *out,
                     size_t out_len);

/*
 * Look host_name (from knownhosts_name) and key up in the file at path. A
 * missing file is the same as an empty one (HOSTKEY_NEW). *line gets the
 * line number of the match or of the first conflicting entry (0 if none).
 */
int knownhosts_check(const char *path, const char *host_name,
                     const struct sshkey *key, enum hostkey_status *status,
                     unsigned *line);

/*
 * knownhosts_check() over a file's contents already in memory (len bytes,
 * at most LIM_FILE_SIZE), so the matcher can be fuzzed without files.
 */
int knownhosts_check_buf(const char *data, size_t len, const char *host_name,
                         const struct sshkey *key, enum hostkey_status *status,
                         unsigned *line);

/*
 * The key types (bit 1 << enum sshkey_type) of the non-revoked lines that
 * name host_name, so a client can ask first for a host key type it already
 * knows, as OpenSSH does; KNOWNHOSTS_CA_BIT when an @cert-authority line
 * names it. A missing file gives an empty mask.
 */
#define KNOWNHOSTS_CA_BIT (1u << 31)
int knownhosts_known_types(const char *path, const char *host_name,
                           unsigned *mask);

/*
 * Does an @cert-authority line that names host_name hold ca (a plain key)?
 * A missing file trusts nothing. The _buf form reads len bytes of a
 * file's contents, for the fuzzer.
 */
int knownhosts_check_ca(const char *path, const char *host_name,
                        const struct sshkey *ca, bool *trusted);
int knownhosts_check_ca_buf(const char *data, size_t len, const char *host_name,
                            const struct sshkey *ca, bool *trusted);

/* Append a line for host_name and key, hashed if hash is true. Creates the
 * file (0600) and its directory (0700) when missing. */
int knownhosts_add(const char *path, const char *host_name,
                   const struct sshkey *key, bool hash);

#endif
