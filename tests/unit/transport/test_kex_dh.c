/* SPDX-License-Identifier: ISC */
/*
 * Finite-field DH in memory: diffie-hellman-group14-sha256, -group16-sha512
 * and -group-exchange-sha256 between our client and server cores, rekey,
 * group sizes, and bad groups and public values played by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpair.h"

#include "crypto/kexalg.h"

#define GEX "diffie-hellman-group-exchange-sha256"
#define GROUP14 "diffie-hellman-group14-sha256"
#define GROUP16 "diffie-hellman-group16-sha512"

static const char *const dh_kexes[] = {GROUP14, GROUP16, GEX};
static const char *const dh_ciphers[] = {
    "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr"};

static void
test_dh_matrix(void **state)
{
    struct keyset *ks = *state;
    size_t ki, ci;

    for (ki = 0; ki < sizeof(dh_kexes) / sizeof(dh_kexes[0]); ki++) {
        for (ci = 0; ci < sizeof(dh_ciphers) / sizeof(dh_ciphers[0]); ci++) {
            run_pair(ks, dh_kexes[ki], dh_ciphers[ci], NULL, HK_ED25519,
                     "ssh-ed25519");
        }
        run_pair(ks, dh_kexes[ki], "aes128-ctr", "hmac-sha2-256", HK_RSA,
                 "rsa-sha2-512");
        run_pair(ks, dh_kexes[ki], "aes256-ctr",
                 "hmac-sha2-512-etm@openssh.com", HK_P256,
                 "ecdsa-sha2-nistp256");
    }
}

/* The client offers DH after the curves; our server, by default, none. */
static void
test_dh_defaults(void **state)
{
    struct pair_opts o;
    struct pair p;
    struct transport_algs a;

    default_opts(&o, *state);
    pair_new(&p, &o);
    assert_true(kexinit_list_has(p.c->kex_algs, GEX));
    assert_true(kexinit_list_has(p.c->kex_algs, GROUP14));
    assert_false(kexinit_list_has(p.s->kex_algs, GROUP14));
    assert_false(kexinit_list_has(p.s->kex_algs, GEX));
    pump(&p);
    check_agree(&p);
    transport_get_algs(p.c, &a);
    assert_string_equal(a.kex, "curve25519-sha256");
    pair_free(&p);
}

/*
 * Group exchange: the client asks for a group as strong as its cipher
 * (OpenSSH dh_estimate), the server answers with the nearest RFC 3526
 * group. Checked in the middle of the exchange, before the state goes.
 */
static void
gex_size(struct keyset *ks, const char *cipher, const char *mac,
         uint32_t want_n, size_t want_bits)
{
    struct pair_opts o;
    struct pair p;
    struct kex_dh_group grp;

    memset(&o, 0, sizeof(o));
    o.kex = GEX;
    o.cipher = cipher;
    o.mac = mac;
    o.hostkey = ks->k[HK_ED25519];
    pair_new(&p, &o);
    /* The server's KEXINIT reaches the client, which sends its request. */
    assert_true(transfer(p.s, p.c, &p.c_in, &p.c_err));
    assert_int_equal(p.c_err, 0);
    assert_true(p.c->sent_gex_request);
    assert_int_equal(p.c->gex.min, LIM_DH_GROUP_MIN_BITS);
    assert_int_equal(p.c->gex.n, want_n);
    assert_int_equal(p.c->gex.max, LIM_DH_GROUP_MAX_BITS);
    /* KEXINIT and REQUEST reach the server, which picks its group. */
    assert_true(transfer(p.c, p.s, &p.s_in, &p.s_err));
    assert_int_equal(p.s_err, 0);
    assert_non_null(p.s->kp);
    kex_keypair_group(p.s->kp, &grp);
    assert_int_equal(grp.p_len * 8, want_bits);
    assert_int_equal(p.s->gex.n, want_n);
    pump(&p);
    check_agree(&p);
    pair_free(&p);
}

static void
test_gex_sizes(void **state)
{
    gex_size(*state, "aes128-gcm@openssh.com", NULL, 3072, 3072);
    gex_size(*state, "aes256-gcm@openssh.com", NULL, 8192, 8192);
    gex_size(*state, "chacha20-poly1305@openssh.com", NULL, 8192, 8192);
    /* A 256-bit MAC key asks for as much as a 256-bit cipher. */
    gex_size(*state, "aes128-ctr", "hmac-sha2-256", 8192, 8192);
}

/* Rekeying by either side runs the whole group exchange again. */
static void
test_gex_rekey(void **state)
{
    struct pair_opts o;
    struct pair p;
    uint8_t sid[DIGEST_MAX_LEN];
    const uint8_t *x;
    size_t sl, sl2;

    memset(&o, 0, sizeof(o));
    o.kex = GEX;
    o.cipher = "aes128-gcm@openssh.com";
    o.hostkey = ((struct keyset *)*state)->k[HK_ED25519];
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    x = transport_session_id(p.c, &sl);
    memcpy(sid, x, sl);
    send_msg(p.c, 0, 20);
    assert_int_equal(transport_rekey(p.c), 0);
    send_msg(p.c, 1, 20);
    pump(&p);
    assert_int_equal(transport_rekey(p.s), 0);
    send_msg(p.s, 5, 20);
    pump(&p);
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    check_inbox(&p.s_in, 0, 2);
    check_inbox(&p.c_in, 5, 1);
    assert_int_equal(p.c->stats.kex_count, 3);
    assert_int_equal(p.s->stats.kex_count, 3);
    assert_int_equal(p.verify_calls, 3);
    x = transport_session_id(p.s, &sl2);
    assert_int_equal(sl, sl2);
    assert_memory_equal(sid, x, sl);
    pair_free(&p);
}

/* n bytes of 0xff with the last byte given: a magnitude for p or g. */
static void
put_ff_mpint(struct buf *b, size_t n, uint8_t last)
{
    uint8_t v[1100];

    assert_true(n > 0 && n <= sizeof(v));
    memset(v, 0xff, n);
    v[n - 1] = last;
    assert_int_equal(buf_put_mpint(b, v, n), 0);
}

/*
 * One side alone (a server, or a client) gets the peer's version line, a
 * KEXINIT offering peer_kex, then the kex payload msg: the result of
 * transport_next, and the error sentence in err.
 */
static int
feed_kex_msg(struct keyset *ks, bool is_server, const char *kex,
             const char *peer_kex, const struct buf *msg, char *err,
             size_t errlen)
{
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *t = raw_peer(ks, is_server, kex);
    struct buf b;
    const uint8_t *pl;
    size_t n;
    int r;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_kexinit_kex(&b, peer_kex, false);
    put_plain(&b, buf_ptr(msg), buf_len(msg));
    assert_int_equal(transport_feed(t, buf_ptr(&b), buf_len(&b)), 0);
    r = transport_next(t, &pl, &n);
    snprintf(err, errlen, "%s", transport_error(t));
    buf_cleanup(&b);
    transport_free(t);
    return r;
}

/* A client that sent its GEX request gets this GROUP payload. */
static int
client_gets_group(struct keyset *ks, const struct buf *group, char *err,
                  size_t errlen)
{
    return feed_kex_msg(ks, false, GEX, GEX ",kex-strict-s-v00@openssh.com",
                        group, err, errlen);
}

/* GROUP payload: p = (p_len bytes of 0xff, last p_last), g likewise. */
static int
group_case(struct keyset *ks, size_t p_len, uint8_t p_last, size_t g_len,
           uint8_t g_last, char *err, size_t errlen)
{
    struct buf g;
    int r;

    buf_init(&g);
    assert_int_equal(buf_put_u8(&g, SSH_MSG_KEX_DH_GEX_GROUP), 0);
    put_ff_mpint(&g, p_len, p_last);
    put_ff_mpint(&g, g_len, g_last);
    r = client_gets_group(ks, &g, err, errlen);
    buf_cleanup(&g);
    return r;
}

static void
test_gex_group_refused(void **state)
{
    struct keyset *ks = *state;
    char err[512];

    /* A 1024-bit prime: smaller than the 2048 bits we asked for. */
    assert_int_equal(group_case(ks, 128, 0xff, 1, 0x02, err, sizeof(err)),
                     ERR_FORMAT);
    assert_non_null(strstr(err, "DH_GEX group refused"));
    /* 8200 bits: more than the 8192 we asked for (and LIM_DH_...). */
    assert_int_equal(group_case(ks, 1025, 0xff, 1, 0x02, err, sizeof(err)),
                     ERR_PROTO);
    assert_non_null(strstr(err, "malformed DH_GEX_GROUP"));
    /* An even p. */
    assert_int_equal(group_case(ks, 256, 0xfe, 1, 0x02, err, sizeof(err)),
                     ERR_FORMAT);
    /* g = 1 and g = p - 1 generate nothing useful; g = p is out. */
    assert_int_equal(group_case(ks, 256, 0xff, 1, 0x01, err, sizeof(err)),
                     ERR_FORMAT);
    assert_int_equal(group_case(ks, 256, 0xff, 256, 0xfe, err, sizeof(err)),
                     ERR_FORMAT);
    assert_int_equal(group_case(ks, 256, 0xff, 256, 0xff, err, sizeof(err)),
                     ERR_FORMAT);
    /* A trailing byte after g. */
    {
        struct buf g;

        buf_init(&g);
        assert_int_equal(buf_put_u8(&g, SSH_MSG_KEX_DH_GEX_GROUP), 0);
        put_ff_mpint(&g, 256, 0xff);
        put_ff_mpint(&g, 1, 0x02);
        assert_int_equal(buf_put_u8(&g, 0), 0);
        assert_int_equal(client_gets_group(ks, &g, err, sizeof(err)),
                         ERR_PROTO);
        buf_cleanup(&g);
    }
    /* The same shape with an acceptable group goes on (no error yet). */
    assert_int_equal(group_case(ks, 256, 0xff, 1, 0x02, err, sizeof(err)),
                     ERR_AGAIN);
    assert_string_equal(err, "");
}

/* A server doing kex gets KEXINIT, then one kex payload. */
static int
server_gets(struct keyset *ks, const char *kex, const struct buf *msg,
            char *err, size_t errlen)
{
    return feed_kex_msg(ks, true, kex, kex, msg, err, errlen);
}

static int
request_case(struct keyset *ks, uint32_t min, uint32_t n, uint32_t max,
             char *err, size_t errlen)
{
    struct buf m;
    int r;

    buf_init(&m);
    assert_int_equal(buf_put_u8(&m, SSH_MSG_KEX_DH_GEX_REQUEST), 0);
    assert_int_equal(buf_put_u32(&m, min), 0);
    assert_int_equal(buf_put_u32(&m, n), 0);
    assert_int_equal(buf_put_u32(&m, max), 0);
    r = server_gets(ks, GEX, &m, err, errlen);
    buf_cleanup(&m);
    return r;
}

static void
test_gex_request_refused(void **state)
{
    char err[512];

    assert_int_equal(request_case(*state, 3072, 2048, 8192, err, sizeof(err)),
                     ERR_PROTO);
    assert_non_null(strstr(err, "malformed DH_GEX_REQUEST"));
    assert_int_equal(request_case(*state, 2048, 8192, 4096, err, sizeof(err)),
                     ERR_PROTO);
    assert_int_equal(request_case(*state, 1024, 1024, 1024, err, sizeof(err)),
                     ERR_FORMAT);
    assert_string_equal(err, "no DH group of 1024..1024 bits "
                             "(we have 2048..8192)");
    assert_int_equal(request_case(*state, 8193, 10000, 20000, err, sizeof(err)),
                     ERR_FORMAT);
    /* An odd size between groups gets the next larger group. */
    assert_int_equal(request_case(*state, 1024, 2500, 9000, err, sizeof(err)),
                     ERR_AGAIN);
}

/* A server doing group14 gets KEXDH_INIT with e's magnitude. */
static int
init_case(struct keyset *ks, const uint8_t *e, size_t e_len, char *err,
          size_t errlen)
{
    struct buf m;
    int r;

    buf_init(&m);
    assert_int_equal(buf_put_u8(&m, SSH_MSG_KEXDH_INIT), 0);
    assert_int_equal(buf_put_mpint(&m, e, e_len), 0);
    r = server_gets(ks, GROUP14, &m, err, errlen);
    buf_cleanup(&m);
    return r;
}

/* e = p + delta for group14's p (which ends in 64 one bits). */
static int
init_near_p(struct keyset *ks, const struct kex_dh_group *grp, int delta,
            char *err, size_t errlen)
{
    uint8_t e[256];

    assert_int_equal(grp->p_len, sizeof(e));
    memcpy(e, grp->p, sizeof(e));
    e[sizeof(e) - 1] = (uint8_t)(e[sizeof(e) - 1] + delta);
    return init_case(ks, e, sizeof(e), err, errlen);
}

static void
test_dh_public_refused(void **state)
{
    static const uint8_t small[] = {0x01, 0x00, 0x00};
    struct kex_keypair *kp = NULL;
    struct kex_dh_group grp;
    const uint8_t *pub;
    size_t pub_len;
    char err[512];
    int d;

    assert_int_equal(kex_keypair_new(&kp, kex_alg_by_name(GROUP14)), 0);
    kex_keypair_group(kp, &grp);
    /* p - 1 and p: out of range. */
    for (d = -1; d <= 0; d++) {
        assert_int_equal(init_near_p(*state, &grp, d, err, sizeof(err)),
                         ERR_FORMAT);
        assert_non_null(strstr(err, "key exchange failed"));
    }
    /*
     * p - 2 is in range: for a safe prime the only small subgroup is
     * {1, p - 1}, which the range check keeps out, so the server answers.
     */
    assert_int_equal(init_near_p(*state, &grp, -2, err, sizeof(err)),
                     ERR_AGAIN);
    /* 0 (the empty mpint), and 2^16, a single bit. */
    assert_int_equal(init_case(*state, small, 0, err, sizeof(err)), ERR_FORMAT);
    assert_int_equal(init_case(*state, small, sizeof(small), err, sizeof(err)),
                     ERR_FORMAT);
    /* A real public value: the server answers and waits for NEWKEYS. */
    kex_keypair_public(kp, &pub, &pub_len);
    assert_int_equal(init_case(*state, pub, pub_len, err, sizeof(err)),
                     ERR_AGAIN);
    assert_string_equal(err, "");
    kex_keypair_free(kp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dh_matrix),
        cmocka_unit_test(test_dh_defaults),
        cmocka_unit_test(test_gex_sizes),
        cmocka_unit_test(test_gex_rekey),
        cmocka_unit_test(test_gex_group_refused),
        cmocka_unit_test(test_gex_request_refused),
        cmocka_unit_test(test_dh_public_refused),
    };

    return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
