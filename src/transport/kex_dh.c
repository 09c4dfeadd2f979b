/* SPDX-License-Identifier: ISC */
/* Finite-field DH and group exchange messages (RFC 4253 8, RFC 4419 3). */
#include <string.h>

#include "transport/kex.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"

/* The largest DH value we read: a residue modulo an 8192-bit prime. */
#define DH_VALUE_MAX (LIM_DH_GROUP_MAX_BITS / 8)

int
kex_dh_init_decode(struct rd *rd, const uint8_t **e, size_t *e_len)
{
    int r;

    if ((r = rd_mpint(rd, e, e_len, DH_VALUE_MAX)) != 0 ||
        (r = rd_end(rd)) != 0) {
        *e = NULL;
        *e_len = 0;
    }
    return r;
}

int
kex_dh_init_encode(struct buf *out, uint8_t type, const uint8_t *e,
                   size_t e_len)
{
    int r;

    if ((r = buf_put_u8(out, type)) != 0 ||
        (r = buf_put_mpint(out, e, e_len)) != 0) {
        return r;
    }
    return 0;
}

int
kex_dh_reply_decode(struct rd *rd, struct kex_ecdh_reply *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = rd_string(rd, &m->k_s, &m->k_s_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_mpint(rd, &m->q_s, &m->q_s_len, DH_VALUE_MAX)) != 0 ||
        (r = rd_string(rd, &m->sig, &m->sig_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_end(rd)) != 0) {
        memset(m, 0, sizeof(*m));
    }
    return r;
}

int
kex_dh_reply_encode(struct buf *out, uint8_t type,
                    const struct kex_ecdh_reply *m)
{
    int r;

    if ((r = buf_put_u8(out, type)) != 0 ||
        (r = buf_put_string(out, m->k_s, m->k_s_len)) != 0 ||
        (r = buf_put_mpint(out, m->q_s, m->q_s_len)) != 0 ||
        (r = buf_put_string(out, m->sig, m->sig_len)) != 0) {
        return r;
    }
    return 0;
}

int
kex_gex_request_decode(struct rd *rd, struct kex_gex_request *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = rd_u32(rd, &m->min)) != 0 || (r = rd_u32(rd, &m->n)) != 0 ||
        (r = rd_u32(rd, &m->max)) != 0 || (r = rd_end(rd)) != 0) {
        memset(m, 0, sizeof(*m));
        return r;
    }
    /* OpenSSH's server refuses the same (kexgexs.c "bad parameters"). */
    if (m->min > m->n || m->n > m->max) {
        memset(m, 0, sizeof(*m));
        return ERR_FORMAT;
    }
    return 0;
}

int
kex_gex_request_encode(struct buf *out, const struct kex_gex_request *m)
{
    int r;

    if ((r = buf_put_u8(out, SSH_MSG_KEX_DH_GEX_REQUEST)) != 0 ||
        (r = buf_put_u32(out, m->min)) != 0 ||
        (r = buf_put_u32(out, m->n)) != 0 ||
        (r = buf_put_u32(out, m->max)) != 0) {
        return r;
    }
    return 0;
}

int
kex_gex_group_decode(struct rd *rd, struct kex_dh_group *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = rd_mpint(rd, &m->p, &m->p_len, DH_VALUE_MAX)) != 0 ||
        (r = rd_mpint(rd, &m->g, &m->g_len, DH_VALUE_MAX)) != 0 ||
        (r = rd_end(rd)) != 0) {
        memset(m, 0, sizeof(*m));
    }
    return r;
}

int
kex_gex_group_encode(struct buf *out, const struct kex_dh_group *m)
{
    int r;

    if ((r = buf_put_u8(out, SSH_MSG_KEX_DH_GEX_GROUP)) != 0 ||
        (r = buf_put_mpint(out, m->p, m->p_len)) != 0 ||
        (r = buf_put_mpint(out, m->g, m->g_len)) != 0) {
        return r;
    }
    return 0;
}
