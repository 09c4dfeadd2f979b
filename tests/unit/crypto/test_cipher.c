/* SPDX-License-Identifier: ISC */
/* Known-answer and round-trip tests for the packet ciphers. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/cipher.h"
#include "util/err.h"

static struct cipher_ctx *
ctx_new(const char *name, const uint8_t *key, const uint8_t *iv, bool enc)
{
    const struct cipher_alg *a = cipher_by_name(name);
    struct cipher_ctx *c = NULL;

    assert_non_null(a);
    assert_int_equal(cipher_init(&c, a, key, a->key_len, iv, a->iv_len, enc),
                     0);
    return c;
}

static void
test_names(void **state)
{
    const char *names[] = {"chacha20-poly1305@openssh.com",
                           "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
                           "aes128-ctr", "aes256-ctr"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        assert_non_null(cipher_by_name(names[i]));
        assert_non_null(strstr(cipher_default_list(), names[i]));
    }
    assert_null(cipher_by_name("aes128-cbc"));
    assert_null(cipher_by_name("none"));
    assert_null(cipher_by_name(NULL));
}

static void
test_bad_init(void **state)
{
    const struct cipher_alg *a = cipher_by_name("aes128-ctr");
    struct cipher_ctx *c = (struct cipher_ctx *)1;
    uint8_t key[64] = {0};

    (void)state;
    assert_int_equal(cipher_init(&c, a, key, 15, key, 16, true), ERR_INVAL);
    assert_null(c);
    assert_int_equal(cipher_init(&c, a, key, 16, key, 12, true), ERR_INVAL);
    assert_int_equal(cipher_init(&c, NULL, key, 16, key, 16, true), ERR_INVAL);
    cipher_free(NULL);
}

/* NIST SP 800-38A F.5.1 (CTR-AES128.Encrypt), fed as two packets to show
 * that the keystream continues across calls. */
static void
test_ctr_kat(void **state)
{
    size_t kl, il, pl, cl;
    uint8_t *k = hex_decode("2b7e151628aed2a6abf7158809cf4f3c", &kl);
    uint8_t *iv = hex_decode("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", &il);
    uint8_t *p = hex_decode(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
        &pl);
    uint8_t *ct = hex_decode(
        "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
        "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee",
        &cl);
    struct cipher_ctx *e = ctx_new("aes128-ctr", k, iv, true);
    struct cipher_ctx *d = ctx_new("aes128-ctr", k, iv, false);
    uint8_t out[64], buf[68];

    (void)state;
    assert_int_equal(cipher_crypt(e, 0, out, p, 16, 0, 0), 0);
    assert_int_equal(cipher_crypt(e, 1, out + 16, p + 16, 48, 0, 0), 0);
    assert_memory_equal(out, ct, 64);
    /* Decrypt in place; the first 4 bytes are clear "aad", copied as is. */
    memset(buf, 0xee, 4);
    memcpy(buf + 4, ct, 64);
    assert_int_equal(cipher_crypt(d, 0, buf, buf, 20, 4, 0), 0);
    assert_memory_equal(buf, "\xee\xee\xee\xee", 4);
    assert_int_equal(cipher_crypt(d, 1, buf + 24, buf + 24, 44, 0, 0), 0);
    assert_memory_equal(buf + 4, p, 64);
    assert_int_equal(cipher_crypt(d, 0, out, out, 16, 0, 1), ERR_INVAL);
    cipher_free(e);
    cipher_free(d);
    free(k);
    free(iv);
    free(p);
    free(ct);
}

/* McGrew-Viega GCM test case 3 (no additional data). */
static void
test_gcm_kat_tc3(void **state)
{
    size_t kl, il, pl, cl;
    uint8_t *k = hex_decode("feffe9928665731c6d6a8f9467308308", &kl);
    uint8_t *iv = hex_decode("cafebabefacedbaddecaf888", &il);
    uint8_t *p = hex_decode(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
        &pl);
    uint8_t *ct = hex_decode(
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
        "4d5c2af327cd64a62cf35abd2ba6fab4",
        &cl);
    struct cipher_ctx *e = ctx_new("aes128-gcm@openssh.com", k, iv, true);
    struct cipher_ctx *d = ctx_new("aes128-gcm@openssh.com", k, iv, false);
    uint8_t out[80];

    (void)state;
    assert_int_equal(cipher_crypt(e, 0, out, p, 64, 0, 16), 0);
    assert_memory_equal(out, ct, 80);
    assert_int_equal(cipher_crypt(d, 0, out, out, 64, 0, 16), 0);
    assert_memory_equal(out, p, 64);
    cipher_free(e);
    cipher_free(d);
    free(k);
    free(iv);
    free(p);
    free(ct);
}

/*
 * GCM with the 4-byte length as additional data, two packets in a row so
 * the invocation counter is exercised. The expected values were computed
 * with the Python "cryptography" package's AESGCM (key and IV of
 * McGrew-Viega test case 3, IV invocation field +1 for the second packet).
 */
static void
test_gcm_aad4(void **state)
{
    size_t kl, il, pl, c1l, c2l;
    uint8_t *k = hex_decode("feffe9928665731c6d6a8f9467308308", &kl);
    uint8_t *iv = hex_decode("cafebabefacedbaddecaf888", &il);
    uint8_t *p = hex_decode("000000100b616469742067636d20346161640000", &pl);
    uint8_t *c1 = hex_decode("90d3488eadd315a2830b1c134a41f206"
                             "0234fe2497d7fdafc7d012a0f2e303ec",
                             &c1l);
    uint8_t *c2 = hex_decode("8e7190c625dc1df45ccbea00b4ffa8d7"
                             "654d20ce08927e0977a8578c6f52314c",
                             &c2l);
    struct cipher_ctx *e = ctx_new("aes128-gcm@openssh.com", k, iv, true);
    struct cipher_ctx *d = ctx_new("aes128-gcm@openssh.com", k, iv, false);
    uint8_t out[36], pkt2[36];
    uint32_t plen = 0;

    (void)state;
    assert_int_equal(cipher_crypt(e, 0, out, p, 16, 4, 16), 0);
    assert_memory_equal(out, p, 4);
    assert_memory_equal(out + 4, c1, 32);
    assert_int_equal(cipher_crypt(e, 1, pkt2, p, 16, 4, 16), 0);
    assert_memory_equal(pkt2 + 4, c2, 32);
    assert_int_equal(cipher_get_length(d, &plen, 0, out, 4), 0);
    assert_int_equal(plen, 16);
    assert_int_equal(cipher_crypt(d, 0, out, out, 16, 4, 16), 0);
    assert_memory_equal(out, p, 20);
    /* A flipped AAD bit fails, and the would-be plaintext is wiped. */
    pkt2[3] ^= 1;
    assert_int_equal(cipher_crypt(d, 1, pkt2, pkt2, 16, 4, 16), ERR_MAC);
    assert_memory_equal(pkt2 + 4, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    cipher_free(e);
    cipher_free(d);
    free(k);
    free(iv);
    free(p);
    free(c1);
    free(c2);
}

/*
 * chacha20-poly1305@openssh.com, key 00 01 .. 3f, seqnr 7. The expected
 * output was computed by an independent pure-Python implementation of the
 * ChaCha20 block function (original 64-bit counter / 64-bit nonce form)
 * and Poly1305 from RFC 8439, both first checked against the Python
 * "cryptography" package, composed as PROTOCOL.chacha20poly1305 says:
 * K_2 = key[0..32), K_1 = key[32..64), nonce = seqnr as big-endian u64,
 * Poly1305 key = first 32 bytes of K_2 block 0, length under K_1 block 0,
 * the rest under K_2 from block 1, tag over the whole ciphertext.
 */
static void
test_chacha_kat(void **state)
{
    size_t pl, cl, i;
    uint8_t key[64];
    uint8_t *p = hex_decode("0000001c0a616469742063686163686120766563746f72"
                            "010203040506070809",
                            &pl);
    uint8_t *ct = hex_decode(
        "a39afcb62227712a3aa349360d0ed391f7f9b64f40dd42377ce03986466d13d6"
        "de121ecd343e4a0779d8c97d6267b027",
        &cl);
    struct cipher_ctx *e, *d;
    uint8_t out[48], bad[48];
    uint32_t plen = 0;

    (void)state;
    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)i;
    }
    e = ctx_new("chacha20-poly1305@openssh.com", key, NULL, true);
    d = ctx_new("chacha20-poly1305@openssh.com", key, NULL, false);
    assert_int_equal(pl, 32);
    assert_int_equal(cipher_crypt(e, 7, out, p, 28, 4, 16), 0);
    assert_memory_equal(out, ct, 48);
    assert_int_equal(cipher_get_length(d, &plen, 7, out, 4), 0);
    assert_int_equal(plen, 28);
    assert_int_equal(cipher_get_length(d, &plen, 7, out, 3), ERR_TRUNC);
    /* Wrong seqnr, or any flipped bit: ERR_MAC and nothing decrypted. */
    memcpy(bad, out, sizeof(bad));
    assert_int_equal(cipher_crypt(d, 8, bad, bad, 28, 4, 16), ERR_MAC);
    assert_memory_equal(bad, ct, 48);
    for (i = 0; i < sizeof(bad); i++) {
        memcpy(bad, out, sizeof(bad));
        bad[i] ^= 0x40;
        assert_int_equal(cipher_crypt(d, 7, bad, bad, 28, 4, 16), ERR_MAC);
        bad[i] ^= 0x40;
        assert_memory_equal(bad, ct, 48);
    }
    assert_int_equal(cipher_crypt(d, 7, out, out, 28, 4, 16), 0);
    assert_memory_equal(out, p, 32);
    cipher_free(e);
    cipher_free(d);
    free(p);
    free(ct);
}

/* Every cipher: many packets of many sizes round-trip, out of place and
 * in place, with keys and IVs of the algorithm's own lengths. */
static void
roundtrip_one(const char *name)
{
    const struct cipher_alg *a = cipher_by_name(name);
    uint8_t key[64], iv[16], src[600], buf[600], enc[600];
    struct cipher_ctx *e, *d;
    size_t len, i;
    uint32_t seq;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(i * 7 + 3);
    }
    memset(iv, 0x5a, sizeof(iv));
    e = ctx_new(name, key, iv, true);
    d = ctx_new(name, key, iv, false);
    for (seq = 0, len = 0; len <= 512; len += 16, seq++) {
        for (i = 0; i < 4 + len; i++) {
            src[i] = (uint8_t)(i ^ seq);
        }
        assert_int_equal(cipher_crypt(e, seq, enc, src, len, 4, a->auth_len),
                         0);
        memcpy(buf, enc, 4 + len + a->auth_len);
        assert_int_equal(cipher_crypt(d, seq, buf, buf, len, 4, a->auth_len),
                         0);
        assert_memory_equal(buf, src, 4 + len);
    }
    cipher_free(e);
    cipher_free(d);
}

static void
test_roundtrip(void **state)
{
    (void)state;
    roundtrip_one("chacha20-poly1305@openssh.com");
    roundtrip_one("aes128-gcm@openssh.com");
    roundtrip_one("aes256-gcm@openssh.com");
    roundtrip_one("aes128-ctr");
    roundtrip_one("aes256-ctr");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),     cmocka_unit_test(test_bad_init),
        cmocka_unit_test(test_ctr_kat),   cmocka_unit_test(test_gcm_kat_tc3),
        cmocka_unit_test(test_gcm_aad4),  cmocka_unit_test(test_chacha_kat),
        cmocka_unit_test(test_roundtrip),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
