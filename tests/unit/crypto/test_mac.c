/* SPDX-License-Identifier: ISC */
/* Known-answer tests for the packet MACs (RFC 4231). */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/mac.h"
#include "util/err.h"

/*
 * RFC 4231 test cases 1 and 2. The MAC covers uint32 seqnr || data, so the
 * first four message bytes are passed as the sequence number. The RFC keys
 * are shorter than ours; HMAC pads keys with zeros to the hash block size,
 * so the RFC key zero-extended to key_len gives the same MAC.
 */
struct kat {
    const char *mac;
    const char *key_hex;
    const char *msg;
    const char *expect_hex;
};

static const struct kat kats[] = {
    {"hmac-sha2-256", "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
    {"hmac-sha2-512-etm@openssh.com",
     "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There",
     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
     "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
    {"hmac-sha2-256-etm@openssh.com", "4a656665",
     "what do ya want for nothing?",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"hmac-sha2-512", "4a656665", "what do ya want for nothing?",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
};

static void
run_kat(const struct kat *k)
{
    const struct mac_alg *a = mac_by_name(k->mac);
    struct mac_ctx *m = NULL;
    uint8_t key[64] = {0}, out[64], bad[64];
    const uint8_t *msg = (const uint8_t *)k->msg;
    size_t kl, el, round;
    uint8_t *kb = hex_decode(k->key_hex, &kl);
    uint8_t *exp = hex_decode(k->expect_hex, &el);
    uint32_t seq = (uint32_t)msg[0] << 24 | (uint32_t)msg[1] << 16 |
                   (uint32_t)msg[2] << 8 | msg[3];

    assert_non_null(a);
    assert_int_equal(el, a->mac_len);
    memcpy(key, kb, kl);
    assert_int_equal(mac_init(&m, a, key, a->key_len), 0);
    /* Several rounds: the context must restart cleanly each time. */
    for (round = 0; round < 3; round++) {
        memset(out, 0, sizeof(out));
        assert_int_equal(mac_compute(m, seq, msg + 4, strlen(k->msg) - 4, out),
                         0);
        assert_memory_equal(out, exp, el);
        assert_int_equal(mac_verify(m, seq, msg + 4, strlen(k->msg) - 4, exp),
                         0);
    }
    memcpy(bad, exp, el);
    bad[el - 1] ^= 1;
    assert_int_equal(mac_verify(m, seq, msg + 4, strlen(k->msg) - 4, bad),
                     ERR_MAC);
    assert_int_equal(mac_verify(m, seq + 1, msg + 4, strlen(k->msg) - 4, exp),
                     ERR_MAC);
    mac_free(m);
    free(kb);
    free(exp);
}

static void
test_kats(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        run_kat(&kats[i]);
    }
}

static void
test_names(void **state)
{
    const struct mac_alg *a;

    (void)state;
    a = mac_by_name("hmac-sha2-256-etm@openssh.com");
    assert_non_null(a);
    assert_true(a->etm);
    assert_int_equal(a->key_len, 32);
    assert_int_equal(a->mac_len, 32);
    a = mac_by_name("hmac-sha2-512");
    assert_non_null(a);
    assert_false(a->etm);
    assert_int_equal(a->mac_len, 64);
    assert_null(mac_by_name("hmac-sha1"));
    assert_null(mac_by_name(NULL));
    assert_string_equal(mac_default_list(),
                        "hmac-sha2-256-etm@openssh.com,"
                        "hmac-sha2-512-etm@openssh.com,hmac-sha2-256,"
                        "hmac-sha2-512");
}

static void
test_bad_init(void **state)
{
    const struct mac_alg *a = mac_by_name("hmac-sha2-256");
    struct mac_ctx *m = (struct mac_ctx *)1;
    uint8_t key[64] = {0};

    (void)state;
    assert_int_equal(mac_init(&m, a, key, 31), ERR_INVAL);
    assert_null(m);
    assert_int_equal(mac_init(&m, NULL, key, 32), ERR_INVAL);
    mac_free(NULL);
}

/* Empty data: the MAC covers just the sequence number. */
static void
test_empty(void **state)
{
    const struct mac_alg *a = mac_by_name("hmac-sha2-256");
    struct mac_ctx *m = NULL;
    uint8_t key[32], a1[32], a2[32];

    (void)state;
    memset(key, 1, sizeof(key));
    assert_int_equal(mac_init(&m, a, key, 32), 0);
    assert_int_equal(mac_compute(m, 0, NULL, 0, a1), 0);
    assert_int_equal(mac_compute(m, 1, NULL, 0, a2), 0);
    assert_memory_not_equal(a1, a2, 32);
    mac_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kats),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_bad_init),
        cmocka_unit_test(test_empty),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
