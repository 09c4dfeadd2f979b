/* SPDX-License-Identifier: ISC */
/*
 * Tests of the kex primitives: X25519 (RFC 7748), ECDH (RFC 5656) and
 * finite-field DH (RFC 3526 groups, RFC 4419 group exchange).
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "crypto/kexalg.h"
#include "crypto/kexalg_test.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* RFC 7748 6.1. */
#define ALICE_PRIV                                                             \
    "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define ALICE_PUB                                                              \
    "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define BOB_PRIV                                                               \
    "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define BOB_PUB                                                                \
    "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define SHARED                                                                 \
    "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

static const char *ecdh_names[] = {"ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
                                   "ecdh-sha2-nistp521"};
static const size_t ecdh_field[] = {32, 48, 66};

static struct kex_keypair *
x25519_from_hex(const char *hex)
{
    struct kex_keypair *kp = NULL;
    size_t n;
    uint8_t *priv = hex_decode(hex, &n);

    assert_int_equal(kex_keypair_from_private(
                         &kp, kex_alg_by_name("curve25519-sha256"), priv, n),
                     0);
    free(priv);
    assert_non_null(kp);
    return kp;
}

static void
check_public(const struct kex_keypair *kp, const char *hex)
{
    const uint8_t *pub;
    size_t len, n;
    uint8_t *want = hex_decode(hex, &n);

    kex_keypair_public(kp, &pub, &len);
    assert_int_equal(len, n);
    assert_memory_equal(pub, want, n);
    free(want);
}

/* out must hold exactly the mpint encoding of the magnitude in hex. */
static void
check_mpint(const struct buf *out, const char *hex)
{
    struct buf want;
    size_t n;
    uint8_t *mag = hex_decode(hex, &n);

    buf_init(&want);
    assert_int_equal(buf_put_mpint(&want, mag, n), 0);
    assert_int_equal(buf_len(out), buf_len(&want));
    assert_memory_equal(buf_ptr(out), buf_ptr(&want), buf_len(&want));
    buf_cleanup(&want);
    free(mag);
}

static int
derive_hex(const struct kex_keypair *kp, const char *peer_hex, struct buf *out)
{
    size_t n;
    uint8_t *peer = hex_decode(peer_hex, &n);
    int r = kex_keypair_derive(kp, peer, n, out);

    free(peer);
    return r;
}

static void
test_kex_names(void **state)
{
    static const char *bad[] = {"",
                                "curve25519",
                                "ext-info-c",
                                "kex-strict-c-v00@openssh.com",
                                "diffie-hellman-group1-sha1",
                                "diffie-hellman-group14-sha1",
                                "diffie-hellman-group18-sha512",
                                "diffie-hellman-group-exchange-sha1",
                                "ECDH-SHA2-NISTP256",
                                "ecdh-sha2-nistp256 "};
    const struct kex_alg *a;
    char *list, *name, *save = NULL;
    size_t i, count = 0;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_null(kex_alg_by_name(bad[i]));
    }
    assert_null(kex_alg_by_name(NULL));
    assert_string_equal(kex_default_list(),
                        "curve25519-sha256,curve25519-sha256@libssh.org,"
                        "ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
                        "ecdh-sha2-nistp521,"
                        "diffie-hellman-group-exchange-sha256,"
                        "diffie-hellman-group16-sha512,"
                        "diffie-hellman-group14-sha256");
    assert_string_equal(kex_server_default_list(),
                        "curve25519-sha256,curve25519-sha256@libssh.org,"
                        "ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
                        "ecdh-sha2-nistp521");
    list = strdup(kex_default_list());
    assert_non_null(list);
    for (name = strtok_r(list, ",", &save); name != NULL;
         name = strtok_r(NULL, ",", &save)) {
        assert_non_null(a = kex_alg_by_name(name));
        assert_string_equal(a->name, name);
        count++;
    }
    free(list);
    assert_int_equal(count, 8);
    a = kex_alg_by_name("curve25519-sha256@libssh.org");
    assert_int_equal(a->kind, KEX_KIND_X25519);
    assert_int_equal(a->hash, DIGEST_SHA256);
    assert_int_equal(kex_alg_by_name("ecdh-sha2-nistp256")->hash,
                     DIGEST_SHA256);
    assert_int_equal(kex_alg_by_name("ecdh-sha2-nistp384")->hash,
                     DIGEST_SHA384);
    assert_int_equal(kex_alg_by_name("ecdh-sha2-nistp521")->hash,
                     DIGEST_SHA512);
    assert_int_equal(kex_alg_by_name("ecdh-sha2-nistp521")->kind,
                     KEX_KIND_ECDH);
}

/* RFC 7748 6.1: both public keys and the shared secret, both ways. */
static void
test_x25519_rfc7748_dh(void **state)
{
    struct kex_keypair *alice = x25519_from_hex(ALICE_PRIV);
    struct kex_keypair *bob = x25519_from_hex(BOB_PRIV);
    struct buf k1, k2;

    (void)state;
    buf_init(&k1);
    buf_init(&k2);
    check_public(alice, ALICE_PUB);
    check_public(bob, BOB_PUB);
    assert_int_equal(derive_hex(alice, BOB_PUB, &k1), 0);
    assert_int_equal(derive_hex(bob, ALICE_PUB, &k2), 0);
    /* High bit clear: uint32 32, then the 32 bytes as they are. */
    check_mpint(&k1, SHARED);
    assert_int_equal(buf_len(&k1), 36);
    assert_memory_equal(buf_ptr(&k1), "\x00\x00\x00\x20\x4a\x5d", 6);
    check_mpint(&k2, SHARED);
    buf_cleanup(&k1);
    buf_cleanup(&k2);
    kex_keypair_free(alice);
    kex_keypair_free(bob);
}

/* RFC 7748 5.2 first vector: the result has its high bit set. */
static void
test_x25519_rfc7748_scalarmult(void **state)
{
    struct kex_keypair *kp = x25519_from_hex(
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    struct buf k;

    (void)state;
    buf_init(&k);
    assert_int_equal(derive_hex(kp,
                                "e6db6867583030db3594c1a424b15f7c"
                                "726624ec26b3353b10a903a6d0ab1c4c",
                                &k),
                     0);
    check_mpint(&k, "c3da55379de9c6908e94ea4df28d084f"
                    "32eccf03491c71f754b4075577a28552");
    assert_int_equal(buf_len(&k), 37);
    assert_memory_equal(buf_ptr(&k), "\x00\x00\x00\x21\x00\xc3", 6);
    buf_cleanup(&k);
    kex_keypair_free(kp);
}

/* Low-order peer values give an all-zero secret: refused. */
static void
test_x25519_low_order(void **state)
{
    static const char *bad[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    };
    struct kex_keypair *kp = x25519_from_hex(ALICE_PRIV);
    struct buf k;
    size_t i;

    (void)state;
    buf_init(&k);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(derive_hex(kp, bad[i], &k), ERR_FORMAT);
        assert_int_equal(buf_len(&k), 0);
    }
    buf_cleanup(&k);
    kex_keypair_free(kp);
}

static void
test_x25519_bad_length(void **state)
{
    struct kex_keypair *kp = x25519_from_hex(ALICE_PRIV);
    uint8_t peer[33];
    struct buf k;
    size_t n;

    (void)state;
    buf_init(&k);
    memset(peer, 9, sizeof(peer));
    for (n = 0; n <= sizeof(peer); n++) {
        if (n == 32) {
            continue;
        }
        assert_int_equal(kex_keypair_derive(kp, peer, n, &k), ERR_FORMAT);
    }
    assert_int_equal(buf_len(&k), 0);
    buf_cleanup(&k);
    kex_keypair_free(kp);
}

static void
test_from_private_bad(void **state)
{
    struct kex_keypair *kp = (struct kex_keypair *)&kp;
    uint8_t priv[33] = {1};

    (void)state;
    assert_int_equal(kex_keypair_from_private(
                         &kp, kex_alg_by_name("curve25519-sha256"), priv, 31),
                     ERR_INVAL);
    assert_null(kp);
    assert_int_equal(kex_keypair_from_private(
                         &kp, kex_alg_by_name("curve25519-sha256"), priv, 33),
                     ERR_INVAL);
    assert_int_equal(kex_keypair_from_private(
                         &kp, kex_alg_by_name("ecdh-sha2-nistp256"), priv, 32),
                     ERR_INVAL);
    assert_int_equal(kex_keypair_new(&kp, NULL), ERR_INVAL);
    assert_null(kp);
    kex_keypair_free(NULL);
}

/* Fresh pairs agree, and the secret lands after what out already held. */
static void
agree(const char *name, size_t pub_len, size_t max_secret)
{
    const struct kex_alg *alg = kex_alg_by_name(name);
    struct kex_keypair *a = NULL, *b = NULL;
    const uint8_t *pa, *pb, *mag;
    size_t la, lb, mlen;
    struct buf ka, kb;
    struct rd rd;

    buf_init(&ka);
    buf_init(&kb);
    assert_int_equal(kex_keypair_new(&a, alg), 0);
    assert_int_equal(kex_keypair_new(&b, alg), 0);
    kex_keypair_public(a, &pa, &la);
    kex_keypair_public(b, &pb, &lb);
    assert_int_equal(la, pub_len);
    assert_int_equal(lb, pub_len);
    assert_memory_not_equal(pa, pb, la);
    assert_int_equal(buf_put_u8(&ka, 0x42), 0);
    assert_int_equal(kex_keypair_derive(a, pb, lb, &ka), 0);
    assert_int_equal(kex_keypair_derive(b, pa, la, &kb), 0);
    assert_int_equal(buf_len(&ka), buf_len(&kb) + 1);
    assert_int_equal(buf_ptr(&ka)[0], 0x42);
    assert_memory_equal(buf_ptr(&ka) + 1, buf_ptr(&kb), buf_len(&kb));
    /* The output is a valid, minimal mpint of at most the field size. */
    rd_init(&rd, buf_ptr(&kb), buf_len(&kb));
    assert_int_equal(rd_mpint(&rd, &mag, &mlen, max_secret), 0);
    assert_int_equal(rd_end(&rd), 0);
    assert_true(mlen > 0);
    buf_cleanup(&ka);
    buf_cleanup(&kb);
    kex_keypair_free(a);
    kex_keypair_free(b);
}

static void
test_agree_all(void **state)
{
    size_t i;

    (void)state;
    agree("curve25519-sha256", 32, 32);
    agree("curve25519-sha256@libssh.org", 32, 32);
    for (i = 0; i < 3; i++) {
        assert_int_equal(kex_alg_by_name(ecdh_names[i])->kind, KEX_KIND_ECDH);
        agree(ecdh_names[i], 1 + 2 * ecdh_field[i], ecdh_field[i]);
    }
}

/* Derive with a (possibly corrupted) copy of a valid peer point. */
static int
ecdh_try(const struct kex_keypair *kp, const uint8_t *peer, size_t len)
{
    struct buf k;
    int r;

    buf_init(&k);
    r = kex_keypair_derive(kp, peer, len, &k);
    if (r != 0) {
        assert_int_equal(buf_len(&k), 0);
    }
    buf_cleanup(&k);
    return r;
}

static void
ecdh_invalid(size_t i)
{
    const struct kex_alg *alg = kex_alg_by_name(ecdh_names[i]);
    struct kex_keypair *a = NULL, *b = NULL;
    size_t f = ecdh_field[i], len, n;
    uint8_t bad[1 + 2 * 66 + 1];
    const uint8_t *pb;

    assert_int_equal(kex_keypair_new(&a, alg), 0);
    assert_int_equal(kex_keypair_new(&b, alg), 0);
    kex_keypair_public(b, &pb, &len);
    memcpy(bad, pb, len);
    bad[len] = 0;
    assert_int_equal(ecdh_try(a, bad, len), 0);
    /* Every wrong length, including the one-byte point at infinity. */
    for (n = 0; n <= len + 1; n++) {
        if (n != len) {
            assert_int_equal(ecdh_try(a, bad, n), ERR_FORMAT);
        }
    }
    assert_int_equal(ecdh_try(a, (const uint8_t *)"\x00", 1), ERR_FORMAT);
    /* Compressed (0x02/0x03) and hybrid (0x06/0x07) forms, and 0x00. */
    for (n = 0; n < 8; n++) {
        if (n == 4) {
            continue;
        }
        bad[0] = (uint8_t)n;
        assert_int_equal(ecdh_try(a, bad, len), ERR_FORMAT);
        assert_int_equal(ecdh_try(a, bad, 1 + f), ERR_FORMAT);
    }
    bad[0] = 0x04;
    /* Not on the curve: y changed. */
    bad[len - 1] ^= 1;
    assert_int_equal(ecdh_try(a, bad, len), ERR_FORMAT);
    /* (0, 0), the usual stand-in for the point at infinity. */
    memset(bad + 1, 0, len - 1);
    assert_int_equal(ecdh_try(a, bad, len), ERR_FORMAT);
    /* x and y all ones: above the field prime, so out of range. */
    memset(bad + 1, 0xff, len - 1);
    assert_int_equal(ecdh_try(a, bad, len), ERR_FORMAT);
    kex_keypair_free(a);
    kex_keypair_free(b);
}

static void
test_ecdh_invalid_points(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < 3; i++) {
        ecdh_invalid(i);
    }
}

/* A NIST point handed to X25519 and vice versa is refused by length. */
static void
test_cross_kind(void **state)
{
    struct kex_keypair *x = NULL, *e = NULL;
    const uint8_t *px, *pe;
    size_t lx, le;

    (void)state;
    assert_int_equal(kex_keypair_new(&x, kex_alg_by_name("curve25519-sha256")),
                     0);
    assert_int_equal(kex_keypair_new(&e, kex_alg_by_name(ecdh_names[0])), 0);
    kex_keypair_public(x, &px, &lx);
    kex_keypair_public(e, &pe, &le);
    assert_int_equal(ecdh_try(x, pe, le), ERR_FORMAT);
    assert_int_equal(ecdh_try(e, px, lx), ERR_FORMAT);
    kex_keypair_free(x);
    kex_keypair_free(e);
}

#define GEX_NAME "diffie-hellman-group-exchange-sha256"

static void
test_dh_names(void **state)
{
    const struct kex_alg *a;

    (void)state;
    a = kex_alg_by_name("diffie-hellman-group14-sha256");
    assert_int_equal(a->kind, KEX_KIND_DH);
    assert_int_equal(a->hash, DIGEST_SHA256);
    assert_int_equal(a->dh_bits, 2048);
    assert_true(kex_alg_is_dh(a));
    a = kex_alg_by_name("diffie-hellman-group16-sha512");
    assert_int_equal(a->kind, KEX_KIND_DH);
    assert_int_equal(a->hash, DIGEST_SHA512);
    assert_int_equal(a->dh_bits, 4096);
    a = kex_alg_by_name(GEX_NAME);
    assert_int_equal(a->kind, KEX_KIND_DH_GEX);
    assert_int_equal(a->hash, DIGEST_SHA256);
    assert_true(kex_alg_is_dh(a));
    assert_false(kex_alg_is_dh(kex_alg_by_name("curve25519-sha256")));
    assert_false(kex_alg_is_dh(kex_alg_by_name(ecdh_names[0])));
}

/* Two key pairs in one group agree on K; f outside 1 < f < p-1 fails. */
static void
check_dh_pair(struct kex_keypair *a, struct kex_keypair *b)
{
    const uint8_t *pa, *pb;
    size_t la, lb;
    struct buf ka, kb;

    buf_init(&ka);
    buf_init(&kb);
    kex_keypair_public(a, &pa, &la);
    kex_keypair_public(b, &pb, &lb);
    assert_true(la > 0 && lb > 0);
    assert_memory_not_equal(pa, pb, la < lb ? la : lb);
    assert_int_equal(kex_keypair_derive(a, pb, lb, &ka), 0);
    assert_int_equal(kex_keypair_derive(b, pa, la, &kb), 0);
    assert_int_equal(buf_len(&ka), buf_len(&kb));
    assert_memory_equal(buf_ptr(&ka), buf_ptr(&kb), buf_len(&ka));
    buf_cleanup(&ka);
    buf_cleanup(&kb);
}

/* The RFC 3526 primes start with 64 one bits, then pi's digits. */
static void
check_rfc3526(const struct kex_keypair *kp, size_t bits)
{
    static const uint8_t head[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xc9, 0x0f, 0xda, 0xa2};
    static const uint8_t tail[8] = {0xff, 0xff, 0xff, 0xff,
                                    0xff, 0xff, 0xff, 0xff};
    struct kex_dh_group g;

    kex_keypair_group(kp, &g);
    assert_int_equal(g.p_len * 8, bits);
    assert_memory_equal(g.p, head, sizeof(head));
    assert_memory_equal(g.p + g.p_len - sizeof(tail), tail, sizeof(tail));
    assert_int_equal(g.g_len, 1);
    assert_int_equal(g.g[0], 2);
}

static void
test_dh_fixed_agree(void **state)
{
    const char *names[] = {"diffie-hellman-group14-sha256",
                           "diffie-hellman-group16-sha512"};
    const size_t bits[] = {2048, 4096};
    struct kex_keypair *a = NULL, *b = NULL;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        assert_int_equal(kex_keypair_new(&a, kex_alg_by_name(names[i])), 0);
        assert_int_equal(kex_keypair_new(&b, kex_alg_by_name(names[i])), 0);
        check_rfc3526(a, bits[i]);
        check_dh_pair(a, b);
        kex_keypair_free(a);
        kex_keypair_free(b);
    }
}

static size_t
gex_bits(uint32_t min, uint32_t n, uint32_t max)
{
    struct kex_keypair *kp = NULL;
    struct kex_dh_group g;
    size_t bits;
    int r;

    r = kex_keypair_new_gex(&kp, kex_alg_by_name(GEX_NAME), min, n, max);
    if (r != 0) {
        assert_null(kp);
        return 0;
    }
    kex_keypair_group(kp, &g);
    bits = g.p_len * 8;
    check_rfc3526(kp, bits);
    kex_keypair_free(kp);
    return bits;
}

static void
test_gex_pick(void **state)
{
    struct kex_keypair *kp = NULL;

    (void)state;
    assert_int_equal(gex_bits(2048, 2048, 8192), 2048);
    assert_int_equal(gex_bits(2048, 3072, 8192), 3072);
    assert_int_equal(gex_bits(2048, 7680, 8192), 8192);
    assert_int_equal(gex_bits(1024, 1500, 3000), 2048);
    /* Nothing of n bits fits: the largest group that does. */
    assert_int_equal(gex_bits(4000, 5000, 5000), 4096);
    assert_int_equal(gex_bits(2048, 8192, 100000), 8192);
    /* Nothing fits at all. */
    assert_int_equal(gex_bits(1024, 1024, 2047), 0);
    assert_int_equal(gex_bits(8193, 9000, 10000), 0);
    assert_int_equal(gex_bits(2049, 2500, 3071), 0);
    assert_int_equal(
        kex_keypair_new_gex(&kp, kex_alg_by_name(GEX_NAME), 1024, 1024, 2047),
        ERR_FORMAT);
    /* A fixed-group or curve algorithm has no group to choose. */
    assert_int_equal(kex_keypair_new_gex(
                         &kp, kex_alg_by_name("diffie-hellman-group14-sha256"),
                         2048, 2048, 8192),
                     ERR_INVAL);
    assert_int_equal(kex_keypair_new(&kp, kex_alg_by_name(GEX_NAME)),
                     ERR_INVAL);
    assert_null(kp);
}

/* A group as magnitudes: p = bytes of 0xff ending in p_last, g one byte. */
static int
check_group(size_t p_len, uint8_t p_last, const uint8_t *g, size_t g_len,
            uint32_t min, uint32_t max)
{
    uint8_t p[1100];
    struct kex_dh_group grp = {p, g, p_len, g_len};

    assert_true(p_len > 0 && p_len <= sizeof(p));
    memset(p, 0xff, p_len);
    p[p_len - 1] = p_last;
    return kex_dh_group_check(&grp, min, max);
}

static void
test_gex_group_check(void **state)
{
    const uint8_t two = 2, one = 1;
    uint8_t big[256];
    struct kex_keypair *s = NULL, *c = NULL;
    struct kex_dh_group g;

    (void)state;
    assert_int_equal(check_group(256, 0xff, &two, 1, 2048, 8192), 0);
    /* Sizes: below min, above max, below our floor whatever was asked. */
    assert_int_equal(check_group(256, 0xff, &two, 1, 3072, 8192), ERR_FORMAT);
    assert_int_equal(check_group(512, 0xff, &two, 1, 2048, 3072), ERR_FORMAT);
    assert_int_equal(check_group(128, 0xff, &two, 1, 1024, 8192), ERR_FORMAT);
    assert_int_equal(check_group(1025, 0xff, &two, 1, 2048, 9000), ERR_FORMAT);
    /* Even p; g of 0, 1, p - 1, p. */
    assert_int_equal(check_group(256, 0xfe, &two, 1, 2048, 8192), ERR_FORMAT);
    assert_int_equal(check_group(256, 0xff, &two, 0, 2048, 8192), ERR_FORMAT);
    assert_int_equal(check_group(256, 0xff, &one, 1, 2048, 8192), ERR_FORMAT);
    memset(big, 0xff, sizeof(big));
    big[255] = 0xfe;
    assert_int_equal(check_group(256, 0xff, big, 256, 2048, 8192), ERR_FORMAT);
    big[255] = 0xff;
    assert_int_equal(check_group(256, 0xff, big, 256, 2048, 8192), ERR_FORMAT);
    /* The client takes the server's group; both sides agree. */
    assert_int_equal(
        kex_keypair_new_gex(&s, kex_alg_by_name(GEX_NAME), 2048, 3072, 8192),
        0);
    kex_keypair_group(s, &g);
    assert_int_equal(kex_dh_group_check(&g, 2048, 8192), 0);
    assert_int_equal(kex_keypair_new_group(&c, kex_alg_by_name(GEX_NAME), &g),
                     0);
    check_dh_pair(c, s);
    kex_keypair_free(c);
    kex_keypair_free(s);
}

static void
test_dh_bad_public(void **state)
{
    static const uint8_t zero[1] = {0}, one[1] = {1}, pow2[3] = {1, 0, 0};
    struct kex_keypair *kp = NULL;
    struct kex_dh_group g;
    uint8_t v[257];
    struct buf out;

    (void)state;
    buf_init(&out);
    assert_int_equal(
        kex_keypair_new(&kp, kex_alg_by_name("diffie-hellman-group14-sha256")),
        0);
    kex_keypair_group(kp, &g);
    assert_int_equal(kex_keypair_derive(kp, zero, 0, &out), ERR_FORMAT);
    assert_int_equal(kex_keypair_derive(kp, zero, 1, &out), ERR_FORMAT);
    assert_int_equal(kex_keypair_derive(kp, one, 1, &out), ERR_FORMAT);
    assert_int_equal(kex_keypair_derive(kp, pow2, 3, &out), ERR_FORMAT);
    memcpy(v, g.p, g.p_len);
    assert_int_equal(kex_keypair_derive(kp, v, g.p_len, &out), ERR_FORMAT);
    v[g.p_len - 1] = 0xfe; /* p - 1 */
    assert_int_equal(kex_keypair_derive(kp, v, g.p_len, &out), ERR_FORMAT);
    v[g.p_len - 1] = 0xfd; /* p - 2: in range */
    assert_int_equal(kex_keypair_derive(kp, v, g.p_len, &out), 0);
    /* Longer than p. */
    v[0] = 1;
    memcpy(v + 1, g.p, g.p_len);
    assert_int_equal(kex_keypair_derive(kp, v, g.p_len + 1, &out), ERR_FORMAT);
    kex_keypair_free(kp);
    buf_cleanup(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kex_names),
        cmocka_unit_test(test_x25519_rfc7748_dh),
        cmocka_unit_test(test_x25519_rfc7748_scalarmult),
        cmocka_unit_test(test_x25519_low_order),
        cmocka_unit_test(test_x25519_bad_length),
        cmocka_unit_test(test_from_private_bad),
        cmocka_unit_test(test_agree_all),
        cmocka_unit_test(test_ecdh_invalid_points),
        cmocka_unit_test(test_cross_kind),
        cmocka_unit_test(test_dh_names),
        cmocka_unit_test(test_dh_fixed_agree),
        cmocka_unit_test(test_gex_pick),
        cmocka_unit_test(test_gex_group_check),
        cmocka_unit_test(test_dh_bad_public),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
