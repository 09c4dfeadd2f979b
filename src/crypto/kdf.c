/* SPDX-License-Identifier: ISC */
/* SSH key derivation (RFC 4253 7.2). */
#include "crypto/kdf.h"

#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "util/mem.h"

/* HASH(K || H || tail1 || tail2) into out; either tail may be empty. */
static int
kdf_block(enum digest_alg alg, const uint8_t *k_enc, size_t k_enc_len,
          const uint8_t *h, size_t h_len, const void *tail1, size_t t1_len,
          const void *tail2, size_t t2_len, uint8_t *out)
{
    struct digest_ctx *ctx = NULL;
    int r;

    if ((r = digest_new(&ctx, alg)) != 0 ||
        (r = digest_update(ctx, k_enc, k_enc_len)) != 0 ||
        (r = digest_update(ctx, h, h_len)) != 0 ||
        (r = digest_update(ctx, tail1, t1_len)) != 0 ||
        (r = digest_update(ctx, tail2, t2_len)) != 0 ||
        (r = digest_final(ctx, out)) != 0) {
        goto out;
    }
out:
    digest_free(ctx);
    return r;
}

/*
 * The output is built in a scratch buffer of whole hash blocks, because
 * each block after the first hashes every block before it (K1..Kn-1),
 * then the requested prefix is copied out and the scratch wiped.
 */
int
kdf_derive(enum digest_alg alg, const uint8_t *k_enc, size_t k_enc_len,
           const uint8_t *h, size_t h_len, char letter,
           const uint8_t *session_id, size_t sid_len, uint8_t *out,
           size_t outlen)
{
    size_t dlen = digest_len(alg), have, total;
    uint8_t *km = NULL;
    uint8_t c = (uint8_t)letter;
    int r;

    if (outlen == 0) {
        return 0;
    }
    if (dlen == 0 || letter < 'A' || letter > 'F' || outlen > SIZE_MAX - dlen) {
        return ERR_INVAL;
    }
    total = (outlen + dlen - 1) / dlen * dlen;
    if ((km = malloc(total)) == NULL) {
        return ERR_NOMEM;
    }
    if ((r = kdf_block(alg, k_enc, k_enc_len, h, h_len, &c, 1, session_id,
                       sid_len, km)) != 0) {
        goto out;
    }
    for (have = dlen; have < total; have += dlen) {
        if ((r = kdf_block(alg, k_enc, k_enc_len, h, h_len, km, have, NULL, 0,
                           km + have)) != 0) {
            goto out;
        }
    }
    memcpy(out, km, outlen);
    r = 0;
out:
    mem_free_wiped(km, total);
    return r;
}
