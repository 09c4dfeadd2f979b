/* SPDX-License-Identifier: ISC */
/* Key exchange messages (ECDH, EXT_INFO), exchange hash, key derivation. */
#include "transport/kex.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/kdf.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

#define EXT_SERVER_SIG_ALGS "server-sig-algs"

void
kex_dirkeys_wipe(struct kex_dirkeys *k)
{
    mem_wipe(k->iv, sizeof(k->iv));
    mem_wipe(k->key, sizeof(k->key));
    mem_wipe(k->mac_key, sizeof(k->mac_key));
}

/* Group exchange: min, n, max, p and g, between K_S and e (RFC 4419 3). */
static int
put_gex(struct buf *b, const struct kex_hash_input *in)
{
    int r;

    if (in->gex == NULL) {
        return 0;
    }
    if ((r = buf_put_u32(b, in->gex->min)) != 0 ||
        (r = buf_put_u32(b, in->gex->n)) != 0 ||
        (r = buf_put_u32(b, in->gex->max)) != 0 ||
        (r = buf_put_mpint(b, in->group.p, in->group.p_len)) != 0 ||
        (r = buf_put_mpint(b, in->group.g, in->group.g_len)) != 0) {
        return r;
    }
    return 0;
}

/* Q_C and Q_S as strings, or e and f as mpints. */
static int
put_public(struct buf *b, const struct kex_hash_input *in)
{
    int r;

    if (in->dh) {
        if ((r = buf_put_mpint(b, in->q_c, in->q_c_len)) != 0 ||
            (r = buf_put_mpint(b, in->q_s, in->q_s_len)) != 0) {
            return r;
        }
        return 0;
    }
    if ((r = buf_put_string(b, in->q_c, in->q_c_len)) != 0 ||
        (r = buf_put_string(b, in->q_s, in->q_s_len)) != 0) {
        return r;
    }
    return 0;
}

int
kex_exchange_hash(enum digest_alg alg, const struct kex_hash_input *in,
                  uint8_t *h, size_t *h_len)
{
    struct buf b;
    int r;

    *h_len = 0;
    buf_init(&b);
    if ((r = buf_put_cstring(&b, in->v_c)) != 0 ||
        (r = buf_put_cstring(&b, in->v_s)) != 0 ||
        (r = buf_put_string(&b, in->i_c, in->i_c_len)) != 0 ||
        (r = buf_put_string(&b, in->i_s, in->i_s_len)) != 0 ||
        (r = buf_put_string(&b, in->k_s, in->k_s_len)) != 0 ||
        (r = put_gex(&b, in)) != 0 || (r = put_public(&b, in)) != 0 ||
        (r = buf_put(&b, in->k_enc, in->k_enc_len)) != 0) {
        goto out;
    }
    if ((r = digest_once(alg, buf_ptr(&b), buf_len(&b), h)) != 0) {
        goto out;
    }
    *h_len = digest_len(alg);
out:
    buf_cleanup(&b); /* holds K */
    return r;
}

static int
derive_one(enum digest_alg alg, const uint8_t *k_enc, size_t k_enc_len,
           const uint8_t *h, size_t h_len, char letter, const uint8_t *sid,
           size_t sid_len, uint8_t *out, size_t outlen)
{
    if (outlen > KEX_KEY_MAX) {
        return ERR_INVAL;
    }
    if (outlen == 0) {
        return 0;
    }
    return kdf_derive(alg, k_enc, k_enc_len, h, h_len, letter, sid, sid_len,
                      out, outlen);
}

int
kex_derive_keys(enum digest_alg alg, const uint8_t *k_enc, size_t k_enc_len,
                const uint8_t *h, size_t h_len, const uint8_t *sid,
                size_t sid_len, struct kex_dirkeys *c2s,
                struct kex_dirkeys *s2c)
{
    struct kex_dirkeys *d[2] = {c2s, s2c};
    int i, r = 0;

    for (i = 0; i < 2 && r == 0; i++) {
        size_t mlen = d[i]->malg != NULL ? d[i]->malg->key_len : 0;

        if ((r = derive_one(alg, k_enc, k_enc_len, h, h_len, (char)('A' + i),
                            sid, sid_len, d[i]->iv, d[i]->calg->iv_len)) != 0 ||
            (r = derive_one(alg, k_enc, k_enc_len, h, h_len, (char)('C' + i),
                            sid, sid_len, d[i]->key, d[i]->calg->key_len)) !=
                0 ||
            (r = derive_one(alg, k_enc, k_enc_len, h, h_len, (char)('E' + i),
                            sid, sid_len, d[i]->mac_key, mlen)) != 0) {
            break;
        }
    }
    if (r != 0) {
        kex_dirkeys_wipe(c2s);
        kex_dirkeys_wipe(s2c);
    }
    return r;
}

int
kex_ecdh_init_decode(struct rd *rd, const uint8_t **q, size_t *q_len)
{
    int r;

    if ((r = rd_string(rd, q, q_len, LIM_MPINT)) != 0 ||
        (r = rd_end(rd)) != 0) {
        *q = NULL;
        *q_len = 0;
    }
    return r;
}

int
kex_ecdh_init_encode(struct buf *out, const uint8_t *q, size_t q_len)
{
    int r;

    if ((r = buf_put_u8(out, SSH_MSG_KEX_ECDH_INIT)) != 0 ||
        (r = buf_put_string(out, q, q_len)) != 0) {
        return r;
    }
    return 0;
}

int
kex_ecdh_reply_decode(struct rd *rd, struct kex_ecdh_reply *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = rd_string(rd, &m->k_s, &m->k_s_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_string(rd, &m->q_s, &m->q_s_len, LIM_MPINT)) != 0 ||
        (r = rd_string(rd, &m->sig, &m->sig_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_end(rd)) != 0) {
        memset(m, 0, sizeof(*m));
    }
    return r;
}

int
kex_ecdh_reply_encode(struct buf *out, const struct kex_ecdh_reply *m)
{
    int r;

    if ((r = buf_put_u8(out, SSH_MSG_KEX_ECDH_REPLY)) != 0 ||
        (r = buf_put_string(out, m->k_s, m->k_s_len)) != 0 ||
        (r = buf_put_string(out, m->q_s, m->q_s_len)) != 0 ||
        (r = buf_put_string(out, m->sig, m->sig_len)) != 0) {
        return r;
    }
    return 0;
}

int
kex_ext_info_decode(struct rd *rd, char **server_sig_algs)
{
    const uint8_t *name = NULL;
    size_t name_len = 0;
    uint32_t n, i;
    char *algs = NULL;
    int r;

    *server_sig_algs = NULL;
    if ((r = rd_u32(rd, &n)) != 0) {
        return r;
    }
    /* Each extension takes at least 8 bytes, so n is bounded by the
     * packet; the loop also stops at the first error. */
    for (i = 0; i < n; i++) {
        if ((r = rd_string(rd, &name, &name_len, LIM_NAME)) != 0) {
            goto out;
        }
        if (algs == NULL && name_len == strlen(EXT_SERVER_SIG_ALGS) &&
            memcmp(name, EXT_SERVER_SIG_ALGS, name_len) == 0) {
            r = rd_namelist(rd, &algs, LIM_NAMELIST);
        } else {
            const uint8_t *v;
            size_t vlen;

            r = rd_string(rd, &v, &vlen, LIM_NAMELIST);
        }
        if (r != 0) {
            goto out;
        }
    }
    if ((r = rd_end(rd)) != 0) {
        goto out;
    }
    *server_sig_algs = algs;
    algs = NULL;
out:
    free(algs);
    return r;
}

int
kex_ext_info_encode(struct buf *out, const char *server_sig_algs)
{
    int r;

    if ((r = buf_put_u8(out, SSH_MSG_EXT_INFO)) != 0 ||
        (r = buf_put_u32(out, 1)) != 0 ||
        (r = buf_put_cstring(out, EXT_SERVER_SIG_ALGS)) != 0 ||
        (r = buf_put_cstring(out, server_sig_algs)) != 0) {
        return r;
    }
    return 0;
}
