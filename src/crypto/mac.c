/* SPDX-License-Identifier: ISC */
/* Packet MACs: HMAC-SHA2 over libcrypto's EVP_MAC, plain and -etm. */
#include "crypto/mac.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "util/err.h"
#include "util/mem.h"
#include "wire/buf.h"

#define MAC_KEY_MAX 64

static const struct mac_alg mac_table[] = {
    {"hmac-sha2-256-etm@openssh.com", DIGEST_SHA256, 32, 32, true},
    {"hmac-sha2-512-etm@openssh.com", DIGEST_SHA512, 64, 64, true},
    {"hmac-sha2-256", DIGEST_SHA256, 32, 32, false},
    {"hmac-sha2-512", DIGEST_SHA512, 64, 64, false},
};

#define MAC_COUNT (sizeof(mac_table) / sizeof(mac_table[0]))

/*
 * The key is given to libcrypto once, in mac_init; every packet after
 * that restarts the HMAC with EVP_MAC_init and a NULL key, which reuses
 * the stored key schedule, so the data path neither allocates nor
 * re-derives the padded keys.
 */
struct mac_ctx {
    const struct mac_alg *alg;
    EVP_MAC_CTX *ctx;
};

const struct mac_alg *
mac_by_name(const char *name)
{
    size_t i;

    if (name == NULL) {
        return NULL;
    }
    for (i = 0; i < MAC_COUNT; i++) {
        if (strcmp(mac_table[i].name, name) == 0) {
            return &mac_table[i];
        }
    }
    return NULL;
}

const char *
mac_default_list(void)
{
    return "hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com,"
           "hmac-sha2-256,hmac-sha2-512";
}

static const char *
mac_digest_name(enum digest_alg d)
{
    switch (d) {
    case DIGEST_SHA256:
        return "SHA256";
    case DIGEST_SHA512:
        return "SHA512";
    default:
        return NULL;
    }
}

static bool
mac_known(const struct mac_alg *alg)
{
    size_t i;

    for (i = 0; i < MAC_COUNT; i++) {
        if (&mac_table[i] == alg) {
            return true;
        }
    }
    return false;
}

void
mac_free(struct mac_ctx *m)
{
    if (m == NULL) {
        return;
    }
    EVP_MAC_CTX_free(m->ctx); /* cleanses the HMAC key schedule */
    mem_free_wiped(m, sizeof(*m));
}

int
mac_init(struct mac_ctx **out, const struct mac_alg *alg, const uint8_t *key,
         size_t key_len)
{
    struct mac_ctx *m = NULL;
    EVP_MAC *mac = NULL;
    OSSL_PARAM params[2];
    int r = ERR_CRYPTO;

    *out = NULL;
    if (alg == NULL || !mac_known(alg) || key == NULL ||
        key_len != alg->key_len || key_len > MAC_KEY_MAX) {
        return ERR_INVAL;
    }
    if ((m = calloc(1, sizeof(*m))) == NULL) {
        return ERR_NOMEM;
    }
    m->alg = alg;
    params[0] = OSSL_PARAM_construct_utf8_string(
        OSSL_MAC_PARAM_DIGEST, (char *)mac_digest_name(alg->digest), 0);
    params[1] = OSSL_PARAM_construct_end();
    if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
        (m->ctx = EVP_MAC_CTX_new(mac)) == NULL ||
        EVP_MAC_init(m->ctx, key, key_len, params) != 1 ||
        EVP_MAC_CTX_get_mac_size(m->ctx) != alg->mac_len) {
        goto out;
    }
    *out = m;
    m = NULL;
    r = 0;
out:
    EVP_MAC_free(mac);
    mac_free(m);
    return r;
}

int
mac_compute(struct mac_ctx *m, uint32_t seqnr, const uint8_t *data, size_t len,
            uint8_t *out)
{
    uint8_t seq[4];
    size_t outl = 0;

    put_u32_be(seq, seqnr);
    if (EVP_MAC_init(m->ctx, NULL, 0, NULL) != 1 ||
        EVP_MAC_update(m->ctx, seq, sizeof(seq)) != 1 ||
        (len > 0 && EVP_MAC_update(m->ctx, data, len) != 1) ||
        EVP_MAC_final(m->ctx, out, &outl, m->alg->mac_len) != 1 ||
        outl != m->alg->mac_len) {
        return ERR_CRYPTO;
    }
    return 0;
}

int
mac_verify(struct mac_ctx *m, uint32_t seqnr, const uint8_t *data, size_t len,
           const uint8_t *expected)
{
    uint8_t got[DIGEST_MAX_LEN];
    int r;

    if ((r = mac_compute(m, seqnr, data, len, got)) == 0 &&
        !mem_equal_ct(got, expected, m->alg->mac_len)) {
        r = ERR_MAC;
    }
    mem_wipe(got, sizeof(got));
    return r;
}
