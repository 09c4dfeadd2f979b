/* SPDX-License-Identifier: ISC */
/* Keys that carry an OpenSSH certificate: parsing and attaching. */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "keys/sshcert.h"
#include "keys/sshkey_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

const struct sshcert *
sshkey_cert(const struct sshkey *k)
{
    return k->cert;
}

bool
sshkey_is_cert(const struct sshkey *k)
{
    return k->cert != NULL;
}

/*
 * A certificate blob (PROTOCOL.certkeys):
 *   string  "<key type>-cert-v01@openssh.com"
 *   string  nonce
 *   ...     the key's public fields, as in its plain blob
 *   ...     the certificate fields (sshcert_read)
 */
static int
sshkey_from_cert_blob(const uint8_t *blob, size_t len, enum sshkey_type type,
                      struct rd *rd, struct sshkey **out)
{
    struct sshcert *cert = NULL;
    struct sshkey *k = NULL;
    EVP_PKEY *pkey = NULL;
    const uint8_t *nonce;
    size_t nonce_len;
    int r;

    if ((r = rd_string(rd, &nonce, &nonce_len, LIM_KEY_BLOB)) != 0 ||
        (r = sshkey_read_pub_fields(rd, type, &pkey)) != 0 ||
        (r = sshcert_read(rd, nonce, nonce_len, &cert)) != 0) {
        EVP_PKEY_free(pkey);
        goto out;
    }
    /* pkey is sshkey_from_pkey's now, freed by it on error too. */
    if ((r = sshkey_from_pkey(pkey, type, false, &k)) != 0) {
        goto out;
    }
    if ((k->cert_blob = mem_dup(blob, len)) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    k->cert_blob_len = len;
    k->cert = cert;
    cert = NULL;
    *out = k;
    k = NULL;
out:
    sshcert_free(cert);
    sshkey_free(k);
    return r;
}

/* A certificate type name picks the certificate parser; anything else,
 * including errors, is for the plain key parser to judge. */
int
sshkey_from_blob(const uint8_t *blob, size_t len, struct sshkey **out)
{
    enum sshkey_type type;
    const uint8_t *name;
    size_t name_len;
    struct rd rd;

    *out = NULL;
    rd_init(&rd, blob, len);
    if (len <= LIM_KEY_BLOB &&
        rd_string(&rd, &name, &name_len, LIM_NAME) == 0 &&
        sshkey_cert_type_from_bytes(name, name_len, &type) == 0) {
        return sshkey_from_cert_blob(blob, len, type, &rd, out);
    }
    return sshkey_from_plain_blob(blob, len, out);
}

int
sshkey_plain_copy(const struct sshkey *k, struct sshkey **out)
{
    return sshkey_from_plain_blob(k->blob, k->blob_len, out);
}

int
sshkey_with_cert(const struct sshkey *priv, const struct sshkey *cert,
                 struct sshkey **out)
{
    struct sshkey *copy = NULL, *k = NULL;
    int r;

    *out = NULL;
    if (cert->cert == NULL || priv->type != cert->type ||
        priv->blob_len != cert->blob_len ||
        memcmp(priv->blob, cert->blob, priv->blob_len) != 0) {
        return ERR_INVAL;
    }
    /* A second parse gives this key a certificate of its own to free. */
    if ((r = sshkey_from_blob(cert->cert_blob, cert->cert_blob_len, &copy)) !=
        0) {
        return r;
    }
    if (EVP_PKEY_up_ref(priv->pkey) != 1) {
        sshkey_free(copy);
        return ERR_CRYPTO;
    }
    if ((r = sshkey_from_pkey(priv->pkey, priv->type, priv->is_private, &k)) !=
        0) {
        sshkey_free(copy);
        return r;
    }
    k->cert = copy->cert;
    k->cert_blob = copy->cert_blob;
    k->cert_blob_len = copy->cert_blob_len;
    copy->cert = NULL;
    copy->cert_blob = NULL;
    sshkey_free(copy);
    *out = k;
    return 0;
}
