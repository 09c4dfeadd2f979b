/* SPDX-License-Identifier: ISC */
/* OpenSSH certificates: decoding the fields after the key, and checks. */
#include "keys/sshcert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

void
sshcert_free(struct sshcert *c)
{
    size_t i;

    if (c == NULL) {
        return;
    }
    free(c->nonce);
    free(c->key_id);
    for (i = 0; i < c->n_principals; i++) {
        free(c->principals[i]);
    }
    free(c->principals);
    for (i = 0; i < c->n_critical; i++) {
        free(c->critical[i].name);
        free(c->critical[i].data);
    }
    free(c->critical);
    for (i = 0; i < c->n_extensions; i++) {
        free(c->extensions[i].name);
        free(c->extensions[i].data);
    }
    free(c->extensions);
    sshkey_free(c->ca);
    free(c->sig_alg);
    free(c);
}

/*
 * valid principals: a string holding zero or more strings, each a name
 * without NUL bytes, at most LIM_CERT_PRINCIPALS of them.
 */
static int
sshcert_read_principals(struct rd *rd, struct sshcert *c)
{
    struct rd list;
    char **nv;
    int r;

    if ((r = rd_sub(rd, &list, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    while (rd_left(&list) > 0) {
        if (c->n_principals >= LIM_CERT_PRINCIPALS) {
            return ERR_LIMIT;
        }
        nv = realloc(c->principals, (c->n_principals + 1) * sizeof(*nv));
        if (nv == NULL) {
            return ERR_NOMEM;
        }
        c->principals = nv;
        if ((r = rd_cstring(&list, &nv[c->n_principals], LIM_STRING_SMALL)) !=
            0) {
            return r;
        }
        c->n_principals++;
    }
    return 0;
}

/*
 * critical options / extensions: a string holding a sequence of
 *   string  name
 *   string  data
 * with names in strictly increasing order, so each appears once.
 */
static int
sshcert_read_opts(struct rd *rd, struct sshcert_opt **out, size_t *n_out)
{
    struct sshcert_opt *nv;
    const uint8_t *data;
    size_t data_len;
    struct rd list;
    char *name = NULL;
    int r;

    if ((r = rd_sub(rd, &list, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    while (rd_left(&list) > 0) {
        if (*n_out >= LIM_CERT_OPTIONS) {
            return ERR_LIMIT;
        }
        if ((r = rd_cstring(&list, &name, LIM_STRING_SMALL)) != 0 ||
            (r = rd_string(&list, &data, &data_len, LIM_KEY_BLOB)) != 0) {
            free(name);
            return r;
        }
        if (*n_out > 0 && strcmp((*out)[*n_out - 1].name, name) >= 0) {
            free(name);
            return ERR_FORMAT; /* out of order or repeated */
        }
        if ((nv = realloc(*out, (*n_out + 1) * sizeof(*nv))) == NULL) {
            free(name);
            return ERR_NOMEM;
        }
        *out = nv;
        nv[*n_out].name = name;
        nv[*n_out].data_len = data_len;
        if ((nv[*n_out].data = mem_dup(data, data_len)) == NULL) {
            free(name);
            return ERR_NOMEM;
        }
        (*n_out)++;
    }
    return 0;
}

/* The signature key: a plain key (chained certificates are refused). */
static int
sshcert_read_ca(struct rd *rd, struct sshcert *c)
{
    const uint8_t *blob;
    size_t blob_len;
    int r;

    if ((r = rd_string(rd, &blob, &blob_len, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    return sshkey_from_plain_blob(blob, blob_len, &c->ca);
}

/*
 * The certificate fields after the certified key (PROTOCOL.certkeys):
 *   uint64  serial
 *   uint32  type (1 user, 2 host)
 *   string  key id
 *   string  valid principals
 *   uint64  valid after
 *   uint64  valid before
 *   string  critical options
 *   string  extensions
 *   string  reserved (ignored)
 *   string  signature key
 */
static int
sshcert_read_body(struct rd *rd, struct sshcert *c)
{
    const uint8_t *reserved;
    size_t reserved_len;
    int r;

    if ((r = rd_u64(rd, &c->serial)) != 0 || (r = rd_u32(rd, &c->type)) != 0 ||
        (r = rd_cstring(rd, &c->key_id, LIM_STRING_SMALL)) != 0 ||
        (r = sshcert_read_principals(rd, c)) != 0 ||
        (r = rd_u64(rd, &c->valid_after)) != 0 ||
        (r = rd_u64(rd, &c->valid_before)) != 0 ||
        (r = sshcert_read_opts(rd, &c->critical, &c->n_critical)) != 0 ||
        (r = sshcert_read_opts(rd, &c->extensions, &c->n_extensions)) != 0 ||
        (r = rd_string(rd, &reserved, &reserved_len, LIM_KEY_BLOB)) != 0 ||
        (r = sshcert_read_ca(rd, c)) != 0) {
        return r;
    }
    if (c->type != SSHCERT_TYPE_USER && c->type != SSHCERT_TYPE_HOST) {
        return ERR_FORMAT;
    }
    return 0;
}

/*
 * The signature (string) over every byte from the start of the blob up to
 * and including the signature key, by that key. RSA CA signatures must be
 * rsa-sha2-256/512: sshkey_verify() with no list never takes ssh-rsa.
 */
static int
sshcert_read_sig(struct rd *rd, const uint8_t *blob, struct sshcert *c)
{
    size_t signed_len = rd->off;
    const uint8_t *sig;
    size_t sig_len;
    struct rd srd;
    int r;

    if ((r = rd_string(rd, &sig, &sig_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    rd_init(&srd, sig, sig_len);
    if ((r = rd_cstring(&srd, &c->sig_alg, LIM_NAME)) != 0) {
        return r;
    }
    if (sshkey_verify(c->ca, sig, sig_len, blob, signed_len, NULL) != 0) {
        return ERR_SIG;
    }
    return 0;
}

int
sshcert_read(struct rd *rd, const uint8_t *nonce, size_t nonce_len,
             struct sshcert **out)
{
    struct sshcert *c = NULL;
    int r;

    *out = NULL;
    if ((c = calloc(1, sizeof(*c))) == NULL) {
        return ERR_NOMEM;
    }
    if ((c->nonce = mem_dup(nonce, nonce_len)) == NULL && nonce_len > 0) {
        r = ERR_NOMEM;
        goto out;
    }
    c->nonce_len = nonce_len;
    if ((r = sshcert_read_body(rd, c)) != 0 ||
        (r = sshcert_read_sig(rd, rd->p, c)) != 0) {
        goto out;
    }
    *out = c;
    c = NULL;
out:
    sshcert_free(c);
    return r;
}

bool
sshcert_is_cert_alg(const char *name)
{
    size_t n = strlen(name), s = strlen(SSHCERT_SUFFIX);

    return n > s && strcmp(name + n - s, SSHCERT_SUFFIX) == 0;
}

int
sshcert_plain_alg(const char *name, char *out, size_t out_len)
{
    size_t n = strlen(name), s = strlen(SSHCERT_SUFFIX);

    if (out_len > 0) {
        out[0] = '\0';
    }
    if (!sshcert_is_cert_alg(name) || n - s >= out_len) {
        return ERR_INVAL;
    }
    memcpy(out, name, n - s);
    out[n - s] = '\0';
    return 0;
}

bool
sshcert_signed_by(const struct sshcert *c, const struct sshkey *ca)
{
    return sshkey_equal_public(c->ca, ca);
}

bool
sshcert_has_principal(const struct sshcert *c, const char *name)
{
    size_t i;

    for (i = 0; i < c->n_principals; i++) {
        if (strcmp(c->principals[i], name) == 0) {
            return true;
        }
    }
    return false;
}

static int
deny(char *why, size_t why_len, const char *msg)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "%s", msg);
    }
    return ERR_DENIED;
}

int
sshcert_check(const struct sshcert *c, uint32_t type, int64_t now,
              const char *principal, bool require_principal, char *why,
              size_t why_len)
{
    uint64_t t = now < 0 ? 0 : (uint64_t)now;

    deny(why, why_len, "");
    if (c->type != type) {
        return deny(why, why_len,
                    type == SSHCERT_TYPE_USER
                        ? "Certificate invalid: not a user certificate"
                        : "Certificate invalid: not a host certificate");
    }
    if (t < c->valid_after) {
        return deny(why, why_len, "Certificate invalid: not yet valid");
    }
    if (t >= c->valid_before) {
        return deny(why, why_len, "Certificate invalid: expired");
    }
    if (c->n_principals == 0) {
        if (require_principal) {
            return deny(why, why_len, "Certificate lacks principal list");
        }
        return 0;
    }
    if (principal != NULL && !sshcert_has_principal(c, principal)) {
        return deny(why, why_len,
                    "Certificate invalid: name is not a listed principal");
    }
    return 0;
}
