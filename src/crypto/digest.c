/* SPDX-License-Identifier: ISC */
/* Hash functions, over libcrypto's EVP interface. */
#include "crypto/digest.h"

#include <openssl/evp.h>
#include <stdlib.h>

#include "util/err.h"
#include "util/mem.h"

struct digest_ctx {
    EVP_MD_CTX *md;
    enum digest_alg alg;
};

static const EVP_MD *
digest_md(enum digest_alg alg)
{
    switch (alg) {
    case DIGEST_SHA1:
        return EVP_sha1();
    case DIGEST_SHA256:
        return EVP_sha256();
    case DIGEST_SHA384:
        return EVP_sha384();
    case DIGEST_SHA512:
        return EVP_sha512();
    }
    return NULL;
}

size_t
digest_len(enum digest_alg alg)
{
    switch (alg) {
    case DIGEST_SHA1:
        return 20;
    case DIGEST_SHA256:
        return 32;
    case DIGEST_SHA384:
        return 48;
    case DIGEST_SHA512:
        return 64;
    }
    return 0;
}

int
digest_once(enum digest_alg alg, const void *p, size_t n, uint8_t *out)
{
    const EVP_MD *md = digest_md(alg);

    if (md == NULL) {
        return ERR_INVAL;
    }
    if (EVP_Digest(p, n, out, NULL, md, NULL) != 1) {
        return ERR_CRYPTO;
    }
    return 0;
}

int
digest_new(struct digest_ctx **out, enum digest_alg alg)
{
    const EVP_MD *md = digest_md(alg);
    struct digest_ctx *ctx = NULL;
    int r;

    *out = NULL;
    if (md == NULL) {
        return ERR_INVAL;
    }
    if ((ctx = calloc(1, sizeof(*ctx))) == NULL ||
        (ctx->md = EVP_MD_CTX_new()) == NULL) {
        r = ERR_NOMEM;
        goto out;
    }
    ctx->alg = alg;
    if (EVP_DigestInit_ex(ctx->md, md, NULL) != 1) {
        r = ERR_CRYPTO;
        goto out;
    }
    *out = ctx;
    ctx = NULL;
    r = 0;
out:
    digest_free(ctx);
    return r;
}

int
digest_update(struct digest_ctx *ctx, const void *p, size_t n)
{
    if (n == 0) {
        return 0;
    }
    return EVP_DigestUpdate(ctx->md, p, n) == 1 ? 0 : ERR_CRYPTO;
}

/* The ctx is finished afterwards: only digest_free may follow. */
int
digest_final(struct digest_ctx *ctx, uint8_t *out)
{
    return EVP_DigestFinal_ex(ctx->md, out, NULL) == 1 ? 0 : ERR_CRYPTO;
}

void
digest_free(struct digest_ctx *ctx)
{
    if (ctx == NULL) {
        return;
    }
    /* EVP_MD_CTX_free cleanses the hash state before freeing it. */
    EVP_MD_CTX_free(ctx->md);
    mem_free_wiped(ctx, sizeof(*ctx));
}
