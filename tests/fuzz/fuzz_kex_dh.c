/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: finite-field DH messages. The first input byte, modulo 4,
 * picks the message; the rest is its body after the message number:
 * 0 KEX_DH_GEX_REQUEST; 1 KEX_DH_GEX_GROUP, checked as the client checks
 * it and, when accepted, used for a key pair; 2 KEXDH_REPLY (or
 * KEX_DH_GEX_REPLY, the same layout) and 3 KEXDH_INIT, whose public value
 * goes through the shared-secret checks against a group14 key pair.
 */
#include <stdlib.h>

#include "fuzz.h"

#include "crypto/kexalg.h"
#include "transport/kex.h"
#include "util/adit_limits.h"

static void
fuzz_derive(const uint8_t *v, size_t len)
{
    struct kex_keypair *kp = NULL;
    struct buf k;

    buf_init(&k);
    if (kex_keypair_new(
            &kp, kex_alg_by_name("diffie-hellman-group14-sha256")) == 0) {
        (void)kex_keypair_derive(kp, v, len, &k);
    }
    kex_keypair_free(kp);
    buf_cleanup(&k);
}

static void
fuzz_group(struct rd *rd)
{
    struct kex_dh_group grp;
    struct kex_keypair *kp = NULL;

    if (kex_gex_group_decode(rd, &grp) != 0 ||
        kex_dh_group_check(&grp, LIM_DH_GROUP_MIN_BITS,
                           LIM_DH_GROUP_MAX_BITS) != 0) {
        return;
    }
    if (kex_keypair_new_group(
            &kp, kex_alg_by_name("diffie-hellman-group-exchange-sha256"),
            &grp) == 0) {
        kex_keypair_free(kp);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kex_gex_request req;
    struct kex_ecdh_reply reply;
    const uint8_t *e;
    size_t e_len;
    struct rd rd;

    if (size < 1) {
        return 0;
    }
    rd_init(&rd, data + 1, size - 1);
    switch (data[0] % 4) {
    case 0:
        (void)kex_gex_request_decode(&rd, &req);
        break;
    case 1:
        fuzz_group(&rd);
        break;
    case 2:
        if (kex_dh_reply_decode(&rd, &reply) == 0) {
            fuzz_derive(reply.q_s, reply.q_s_len);
        }
        break;
    default:
        if (kex_dh_init_decode(&rd, &e, &e_len) == 0) {
            fuzz_derive(e, e_len);
        }
        break;
    }
    return 0;
}
