/* SPDX-License-Identifier: ISC */
/*
 * OpenSSH certificates (PROTOCOL.certkeys): "*-cert-v01@openssh.com" blobs
 * for ed25519, ECDSA and RSA keys. A certificate is parsed by
 * sshkey_from_blob(), which checks the CA signature; the result is a key
 * whose sshkey_cert() is not NULL. This header gives the checks a verifier
 * makes afterwards: type, validity window, principals and options.
 */
#ifndef ADIT_KEYS_SSHCERT_H
#define ADIT_KEYS_SSHCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/sshkey.h"

#define SSHCERT_TYPE_USER 1u
#define SSHCERT_TYPE_HOST 2u

/* The suffix that turns a key or signature algorithm into its cert form. */
#define SSHCERT_SUFFIX "-cert-v01@openssh.com"

/* Room for a reason a certificate is refused ("Certificate invalid: ..."). */
#define SSHCERT_WHY_LEN 160

/* One critical option or extension: a name and its raw data string. */
struct sshcert_opt {
    char *name;
    uint8_t *data;
    size_t data_len;
};

/* Every field of a certificate, decoded; read-only for callers. */
struct sshcert {
    uint8_t *nonce;
    size_t nonce_len;
    uint64_t serial;
    uint32_t type; /* SSHCERT_TYPE_USER or _HOST */
    char *key_id;
    char **principals; /* zero or more */
    size_t n_principals;
    uint64_t valid_after, valid_before; /* valid_after <= now < before */
    struct sshcert_opt *critical;
    size_t n_critical;
    struct sshcert_opt *extensions;
    size_t n_extensions;
    struct sshkey *ca; /* the signature key (a plain key, never a cert) */
    char *sig_alg;     /* the algorithm of the CA's signature */
};

/*
 * What a user certificate's options say, once understood. Every critical
 * option is known or the certificate is refused (sshcert_user_opts).
 */
struct sshcert_user_opts {
    char *force_command;  /* or NULL */
    char *source_address; /* CIDR list, or NULL */
    bool permit_port_forwarding;
    bool permit_agent_forwarding;
    bool permit_x11_forwarding;
    bool permit_pty;
    bool permit_user_rc;
    bool no_touch_required;
};

/* The certificate a key carries, or NULL for a plain key. */
const struct sshcert *sshkey_cert(const struct sshkey *k);
bool sshkey_is_cert(const struct sshkey *k);

/*
 * A new key: priv's key material (shared) with cert's certificate, for a
 * client that signs with priv and offers the certificate. ERR_INVAL when
 * cert does not certify priv's public key.
 */
int sshkey_with_cert(const struct sshkey *priv, const struct sshkey *cert,
                     struct sshkey **out);

/* A plain public key copy of k (the key inside a certificate). */
int sshkey_plain_copy(const struct sshkey *k, struct sshkey **out);

/* True when name ends in "-cert-v01@openssh.com". */
bool sshcert_is_cert_alg(const char *name);

/*
 * The plain algorithm of a cert algorithm ("rsa-sha2-512-cert-v01@..." ->
 * "rsa-sha2-512") into out. ERR_INVAL if name is not a cert algorithm or
 * out is too small.
 */
int sshcert_plain_alg(const char *name, char *out, size_t out_len);

/*
 * Is the certificate of the wanted type and valid at now (seconds since
 * the epoch)? Then, when principal is not NULL, is it listed? An empty list
 * matches any principal unless require_principal (sshd's rule for user
 * certificates). 0, or ERR_DENIED with OpenSSH's reason in why.
 */
int sshcert_check(const struct sshcert *c, uint32_t type, int64_t now,
                  const char *principal, bool require_principal, char *why,
                  size_t why_len);

/* Was the certificate signed by ca (a plain public key)? */
bool sshcert_signed_by(const struct sshcert *c, const struct sshkey *ca);

/* Is name one of the certificate's principals? */
bool sshcert_has_principal(const struct sshcert *c, const char *name);

/*
 * Decode a user certificate's critical options and extensions. Unknown
 * critical options refuse the certificate (ERR_DENIED, reason in why);
 * unknown extensions are ignored, as PROTOCOL.certkeys says. A malformed
 * option is ERR_FORMAT. out is cleaned up by sshcert_user_opts_cleanup().
 */
int sshcert_user_opts(const struct sshcert *c, struct sshcert_user_opts *out,
                      char *why, size_t why_len);
void sshcert_user_opts_cleanup(struct sshcert_user_opts *o);

/* Internal to keys/: frees every field. NULL is fine. */
void sshcert_free(struct sshcert *c);

#endif
