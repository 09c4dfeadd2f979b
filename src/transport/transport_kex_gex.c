/* SPDX-License-Identifier: ISC */
/*
 * Diffie-Hellman group exchange (RFC 4419 3), the round before INIT and
 * REPLY: the client asks for a group size, the server sends a group.
 */
#include "crypto/cipher.h"
#include "crypto/mac.h"
#include "transport/ssh_msg.h"
#include "transport/transport_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"

static size_t
max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/*
 * The group size to prefer, as OpenSSH chooses it (kex.c kex_choose_conf,
 * dh.c dh_estimate): from the largest key, block, IV or MAC key of the
 * negotiated algorithms, a prime whose strength matches (NIST SP 800-57).
 */
static uint32_t
preferred_bits(const struct transport *t)
{
    size_t need = 0, bits;
    int i;

    for (i = 0; i < 2; i++) {
        const struct cipher_alg *c = t->nk[i].calg;
        const struct mac_alg *m = t->nk[i].malg;
        /* chacha20-poly1305's 64 bytes of key are two 256-bit keys. */
        size_t seclen =
            (c->flags & CIPHER_CHACHAPOLY) != 0 ? c->key_len / 2 : c->key_len;

        need = max_size(need, seclen);
        need = max_size(need, c->block_size);
        need = max_size(need, c->iv_len);
        need = max_size(need, m != NULL ? m->key_len : 0);
    }
    bits = need * 8;
    if (bits <= 112) {
        return 2048;
    }
    if (bits <= 128) {
        return 3072;
    }
    return bits <= 192 ? 7680 : LIM_DH_GROUP_MAX_BITS;
}

int
tp_kex_gex_send_request(struct transport *t)
{
    struct buf b;
    int r;

    buf_init(&b);
    t->gex.min = LIM_DH_GROUP_MIN_BITS;
    t->gex.n = preferred_bits(t);
    t->gex.max = LIM_DH_GROUP_MAX_BITS;
    if ((r = kex_gex_request_encode(&b, &t->gex)) == 0 &&
        (r = tp_send_now(t, buf_ptr(&b), buf_len(&b))) == 0) {
        t->sent_gex_request = true;
        log_debug("kex: DH_GEX_REQUEST(%u<%u<%u)", t->gex.min, t->gex.n,
                  t->gex.max);
    }
    buf_cleanup(&b);
    return r;
}

int
tp_kex_gex_recv_request(struct transport *t, const uint8_t *p, size_t len)
{
    struct kex_dh_group grp;
    struct rd rd;
    struct buf b;
    int r;

    rd_init(&rd, p + 1, len - 1);
    if ((r = kex_gex_request_decode(&rd, &t->gex)) != 0) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "malformed DH_GEX_REQUEST: %s", err_str(r));
    }
    r = kex_keypair_new_gex(&t->kp, t->kalg, t->gex.min, t->gex.n, t->gex.max);
    if (r == ERR_FORMAT) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "no DH group of %u..%u bits (we have %u..%u)",
                       t->gex.min, t->gex.max, LIM_DH_GROUP_MIN_BITS,
                       LIM_DH_GROUP_MAX_BITS);
    }
    buf_init(&b);
    if (r == 0) {
        kex_keypair_group(t->kp, &grp);
        if ((r = kex_gex_group_encode(&b, &grp)) == 0) {
            r = tp_send_now(t, buf_ptr(&b), buf_len(&b));
        }
    }
    buf_cleanup(&b);
    if (r != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "key exchange failed: %s", err_str(r));
    }
    return 0;
}

int
tp_kex_gex_recv_group(struct transport *t, const uint8_t *p, size_t len)
{
    struct kex_dh_group grp;
    struct rd rd;
    int r;

    rd_init(&rd, p + 1, len - 1);
    if ((r = kex_gex_group_decode(&rd, &grp)) != 0) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "malformed DH_GEX_GROUP: %s", err_str(r));
    }
    if ((r = kex_dh_group_check(&grp, t->gex.min, t->gex.max)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "DH_GEX group refused: %s (asked for %u..%u bits, "
                       "an odd prime and 1 < g < p - 1)",
                       err_str(r), t->gex.min, t->gex.max);
    }
    if ((r = kex_keypair_new_group(&t->kp, t->kalg, &grp)) != 0 ||
        (r = tp_kex_send_init(t)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "key exchange failed: %s", err_str(r));
    }
    return 0;
}
