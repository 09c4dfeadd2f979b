/* SPDX-License-Identifier: ISC */
/* In-memory client <-> server transport tests: kex matrix, rekey, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpair.h"

static const char *const kexes[] = {
    "curve25519-sha256", "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384", "ecdh-sha2-nistp521"};
static const char *const ciphers[] = {
    "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr"};
static const struct {
    int key;
    const char *alg;
} hostkeys[] = {
    {HK_ED25519, "ssh-ed25519"},      {HK_P256, "ecdsa-sha2-nistp256"},
    {HK_P384, "ecdsa-sha2-nistp384"}, {HK_P521, "ecdsa-sha2-nistp521"},
    {HK_RSA, "rsa-sha2-256"},         {HK_RSA, "rsa-sha2-512"},
};

static void
run_one(struct keyset *ks, size_t ki, size_t ci, size_t hi, const char *mac)
{
    run_pair(ks, kexes[ki], ciphers[ci], mac, hostkeys[hi].key,
             hostkeys[hi].alg);
}

static void
test_matrix(void **state)
{
    size_t ki, ci, hi;

    for (ki = 0; ki < sizeof(kexes) / sizeof(kexes[0]); ki++) {
        for (ci = 0; ci < sizeof(ciphers) / sizeof(ciphers[0]); ci++) {
            for (hi = 0; hi < sizeof(hostkeys) / sizeof(hostkeys[0]); hi++) {
                run_one(*state, ki, ci, hi, NULL);
            }
        }
    }
}

static void
test_macs(void **state)
{
    const char *macs[] = {"hmac-sha2-256-etm@openssh.com",
                          "hmac-sha2-512-etm@openssh.com", "hmac-sha2-256",
                          "hmac-sha2-512"};
    size_t i;

    for (i = 0; i < sizeof(macs) / sizeof(macs[0]); i++) {
        run_one(*state, 0, 3, 0, macs[i]);
        run_one(*state, 2, 4, 1, macs[i]);
    }
}

static void
run_rekey(struct keyset *ks, bool client_starts)
{
    struct pair_opts o;
    struct pair p;
    struct transport_stats cs, ss;
    uint8_t sid[DIGEST_MAX_LEN];
    const uint8_t *x;
    size_t sl, sl2;
    struct transport *init, *other;
    uint32_t nc = 0, ns = 100000, i;

    default_opts(&o, ks);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    x = transport_session_id(p.c, &sl);
    memcpy(sid, x, sl);
    init = client_starts ? p.c : p.s;
    other = client_starts ? p.s : p.c;
    /* Before. */
    send_msg(p.c, nc++, 20);
    send_msg(p.s, ns++, 20);
    assert_int_equal(transport_rekey(init), 0);
    /* During: the initiator holds its messages; the other side does not
     * know yet and sends more than a kex's packet budget. */
    send_msg(p.c, nc++, 3000);
    send_msg(p.s, ns++, 3000);
    assert_true(transport_queued(init) > 0);
    for (i = 0; i < LIM_KEX_MESSAGES + 10; i++) {
        send_msg(other, client_starts ? ns++ : nc++, 1);
    }
    /* The other side sees the KEXINIT and answers; it now holds too. */
    transfer(init, other, client_starts ? &p.s_in : &p.c_in,
             client_starts ? &p.s_err : &p.c_err);
    send_msg(p.c, nc++, 0);
    send_msg(p.s, ns++, 0);
    pump(&p);
    /* After. */
    send_msg(p.c, nc++, 1);
    send_msg(p.s, ns++, 1);
    pump(&p);
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    check_inbox(&p.s_in, 0, nc);
    check_inbox(&p.c_in, 100000, ns - 100000);
    transport_get_stats(p.c, &cs);
    transport_get_stats(p.s, &ss);
    assert_int_equal(cs.kex_count, 2);
    assert_int_equal(ss.kex_count, 2);
    assert_int_equal(p.verify_calls, 2);
    x = transport_session_id(p.s, &sl2);
    assert_int_equal(sl, sl2);
    assert_memory_equal(sid, x, sl);
    pair_free(&p);
}

static void
test_rekey_by_client(void **state)
{
    run_rekey(*state, true);
}

static void
test_rekey_by_server(void **state)
{
    run_rekey(*state, false);
}

/* Strict kex: every NEWKEYS resets the sequence numbers to 0. */
static void
test_strict_seqnr_reset(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    /* The server sent EXT_INFO after its NEWKEYS. */
    assert_int_equal(p.s->out.seqnr, 1);
    assert_int_equal(p.c->in.seqnr, 1);
    assert_int_equal(p.c->out.seqnr, 0);
    assert_int_equal(p.s->in.seqnr, 0);
    send_msg(p.c, 0, 0);
    send_msg(p.c, 1, 0);
    pump(&p);
    assert_int_equal(p.c->out.seqnr, 2);
    assert_int_equal(transport_rekey(p.c), 0);
    pump(&p);
    assert_true(transport_is_ready(p.c));
    assert_int_equal(p.c->stats.kex_count, 2);
    assert_int_equal(p.c->out.seqnr, 0);
    assert_int_equal(p.c->in.seqnr, 0);
    assert_int_equal(p.s->out.seqnr, 0);
    assert_int_equal(p.s->in.seqnr, 0);
    pair_free(&p);
}

static void
test_ext_info(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    assert_non_null(transport_server_sig_algs(p.c));
    assert_string_equal(transport_server_sig_algs(p.c),
                        "ssh-ed25519,ecdsa-sha2-nistp256,"
                        "ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
                        "rsa-sha2-512,rsa-sha2-256");
    assert_null(transport_server_sig_algs(p.s));
    pair_free(&p);
}

static void
test_rekey_by_bytes(void **state)
{
    struct pair_opts o;
    struct pair p;
    uint32_t i;

    default_opts(&o, *state);
    o.c_rekey_bytes = 4000;
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    for (i = 0; i < 20; i++) {
        send_msg(p.c, i, 1000);
        send_msg(p.s, 1000 + i, 10);
        pump(&p);
    }
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    check_inbox(&p.s_in, 0, 20);
    check_inbox(&p.c_in, 1000, 20);
    assert_true(p.c->stats.kex_count >= 4);
    assert_int_equal(p.c->stats.kex_count, p.s->stats.kex_count);
    pair_free(&p);
}

static void
test_rekey_by_time(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    o.c_rekey_seconds = 10;
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    assert_int_equal(transport_tick(p.c, 1000 + 9999), 0);
    assert_false(transport_has_output(p.c));
    assert_int_equal(transport_tick(p.c, 1000 + 10000), 0);
    assert_true(transport_has_output(p.c));
    pump(&p);
    assert_int_equal(p.c->stats.kex_count, 2);
    assert_int_equal(p.s->stats.kex_count, 2);
    /* The clock restarts at the end of the kex. */
    assert_int_equal(transport_tick(p.c, 1000 + 19999), 0);
    assert_false(transport_has_output(p.c));
    pair_free(&p);
}

static void
test_hostkey_refused(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    p.verify_rc = ERR_HOSTKEY;
    pump(&p);
    assert_int_equal(p.c_err, ERR_HOSTKEY);
    assert_int_equal(p.s_err, ERR_DISCONNECTED);
    assert_string_equal(transport_error(p.s),
                        "Received disconnect from peer: 9: Host key "
                        "verification failed.");
    assert_false(transport_is_ready(p.c));
    pair_free(&p);
}

static void
test_no_common_cipher(void **state)
{
    struct pair_opts o;
    struct pair p;
    const uint8_t *pl;
    size_t n;

    default_opts(&o, *state);
    o.cipher = "chacha20-poly1305@openssh.com";
    o.s_cipher = "aes256-ctr";
    pair_new(&p, &o);
    pump(&p);
    assert_int_equal(p.c_err, ERR_KEX_NOMATCH);
    assert_string_equal(transport_error(p.c),
                        "no matching cipher found. Their offer: aes256-ctr");
    assert_int_equal(p.s_err, ERR_KEX_NOMATCH);
    /* The error sticks. */
    assert_int_equal(transport_next(p.c, &pl, &n), ERR_KEX_NOMATCH);
    pair_free(&p);
}

/* The cipher lists of the KEXINIT a server sends first, after its
 * version line (a plaintext packet). */
static void
server_first_ciphers(struct transport *s, char *c2s, char *s2c, size_t len)
{
    struct kexinit ki;
    struct buf out;
    const uint8_t *nl;
    uint32_t plen = 0;
    uint8_t pad = 0, msg = 0;
    struct rd rd;

    buf_init(&out);
    transport_take_output(s, &out);
    nl = memchr(buf_ptr(&out), '\n', buf_len(&out));
    assert_non_null(nl);
    rd_init(&rd, nl + 1, buf_len(&out) - (size_t)(nl + 1 - buf_ptr(&out)));
    assert_int_equal(rd_u32(&rd, &plen), 0);
    assert_int_equal(rd_u8(&rd, &pad), 0);
    assert_int_equal(rd_u8(&rd, &msg), 0);
    assert_int_equal(msg, SSH_MSG_KEXINIT);
    rd.len = rd.off + plen - 2 - pad;
    assert_int_equal(kexinit_decode(&rd, &ki), 0);
    snprintf(c2s, len, "%s", ki.lists[KI_ENC_C2S]);
    snprintf(s2c, len, "%s", ki.lists[KI_ENC_S2C]);
    kexinit_cleanup(&ki);
    buf_cleanup(&out);
}

/*
 * The fuzzing build's "none" cipher (ADIT_FUZZ_NULL_CIPHER, set only in
 * build-fuzz) is not in a normal build: a server configured with it does
 * not offer it, one configured with nothing else does not start, and a
 * client offering only "none" is refused.
 */
static void
test_null_cipher_absent(void **state)
{
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct keyset *ks = *state;
    struct transport_config cfg;
    struct transport *t = NULL;
    char c2s[256], s2c[256];
    struct kexinit ki;
    struct buf b, payload;
    const uint8_t *p;
    size_t i, n;
    const char *lists[KI_NLISTS] = {
        "curve25519-sha256", "ssh-ed25519", "none", "none", "hmac-sha2-256",
        "hmac-sha2-256",     "none",        "none", "",     ""};

    memset(&cfg, 0, sizeof(cfg));
    cfg.is_server = true;
    cfg.software_version = "aditd_test";
    cfg.hostkeys = &ks->k[HK_ED25519];
    cfg.n_hostkeys = 1;
    cfg.ciphers = "none";
    assert_int_not_equal(transport_new(&t, &cfg), 0);
    assert_null(t);
    cfg.ciphers = "none,aes128-ctr";
    assert_int_equal(transport_new(&t, &cfg), 0);
    assert_int_equal(transport_start(t, 0), 0);
    server_first_ciphers(t, c2s, s2c, sizeof(c2s));
    assert_string_equal(c2s, "aes128-ctr");
    assert_string_equal(s2c, "aes128-ctr");

    memset(&ki, 0, sizeof(ki));
    for (i = 0; i < KI_NLISTS; i++) {
        ki.lists[i] = (char *)lists[i];
    }
    buf_init(&b);
    buf_init(&payload);
    assert_int_equal(kexinit_encode(&payload, &ki), 0);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_plain(&b, buf_ptr(&payload), buf_len(&payload));
    assert_int_equal(transport_feed(t, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(t, &p, &n), ERR_KEX_NOMATCH);
    assert_string_equal(transport_error(t),
                        "no matching cipher found. Their offer: none");
    assert_false(transport_is_ready(t));
    buf_cleanup(&payload);
    buf_cleanup(&b);
    transport_free(t);
}

static void
test_peer_disconnect(void **state)
{
    struct pair_opts o;
    struct pair p;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    assert_int_equal(transport_disconnect(p.s, 11, "bye\n"), 0);
    pump(&p);
    assert_int_equal(p.c_err, ERR_DISCONNECTED);
    assert_string_equal(transport_error(p.c),
                        "Received disconnect from peer: 11: bye?");
    pair_free(&p);
}

/* An unknown transport message is answered with UNIMPLEMENTED. */
static void
test_unimplemented(void **state)
{
    struct pair_opts o;
    struct pair p;
    struct pkt_sink sink;
    const uint8_t msg[2] = {15, 0};
    uint64_t before;

    default_opts(&o, *state);
    pair_new(&p, &o);
    pump(&p);
    check_agree(&p);
    before = p.s->stats.packets_out;
    transport_sink(p.c, &sink);
    assert_int_equal(sink_send(&sink, msg, sizeof(msg)), 0);
    pump(&p);
    assert_int_equal(p.c_err, 0);
    assert_int_equal(p.s_err, 0);
    assert_int_equal(p.s->stats.packets_out, before + 1);
    send_msg(p.c, 5, 0);
    pump(&p);
    check_inbox(&p.s_in, 5, 1);
    pair_free(&p);
}

static void
put_client_kexinit(struct buf *b, bool strict)
{
    put_kexinit_kex(b,
                    strict ? "curve25519-sha256,kex-strict-c-v00@openssh.com"
                           : "curve25519-sha256",
                    false);
}

/* Feed version line + IGNORE + KEXINIT; returns transport_next's result. */
static int
ignore_then_kexinit(struct keyset *ks, bool strict, char *err, size_t len)
{
    static const uint8_t ignore[5] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(ks);
    struct buf b;
    const uint8_t *p;
    size_t n;
    int r;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_plain(&b, ignore, sizeof(ignore));
    put_client_kexinit(&b, strict);
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    r = transport_next(s, &p, &n);
    snprintf(err, len, "%s", transport_error(s));
    buf_cleanup(&b);
    transport_free(s);
    return r;
}

static void
test_ignore_before_kexinit(void **state)
{
    char err[256];

    assert_int_equal(ignore_then_kexinit(*state, false, err, sizeof(err)),
                     ERR_AGAIN);
    assert_string_equal(err, "");
    assert_int_equal(ignore_then_kexinit(*state, true, err, sizeof(err)),
                     ERR_STRICT_KEX);
    assert_non_null(strstr(err, "strict KEX violation"));
}

/* Strict kex: an IGNORE after KEXINIT during the initial kex is fatal. */
static void
test_strict_ignore_during_kex(void **state)
{
    static const uint8_t ignore[5] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(*state);
    struct buf b;
    const uint8_t *p;
    size_t n;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_client_kexinit(&b, true);
    put_plain(&b, ignore, sizeof(ignore));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(s, &p, &n), ERR_STRICT_KEX);
    /* A DISCONNECT was queued for the peer. */
    assert_true(transport_has_output(s));
    buf_cleanup(&b);
    transport_free(s);
}

/* Connection-layer messages before the first NEWKEYS are refused. */
static void
test_upper_before_newkeys(void **state)
{
    static const uint8_t data[5] = {SSH_MSG_CHANNEL_DATA, 0, 0, 0, 1};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(*state);
    struct buf b;
    const uint8_t *p;
    size_t n;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_client_kexinit(&b, false);
    put_plain(&b, data, sizeof(data));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(s, &p, &n), ERR_PROTO);
    assert_int_equal(transport_next(s, &p, &n), ERR_PROTO);
    buf_cleanup(&b);
    transport_free(s);
}

/* A NEWKEYS or kex reply out of turn is a protocol error. */
static void
test_kex_msg_out_of_turn(void **state)
{
    static const uint8_t newkeys[1] = {SSH_MSG_NEWKEYS};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(*state);
    struct buf b;
    const uint8_t *p;
    size_t n;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_client_kexinit(&b, false);
    put_plain(&b, newkeys, sizeof(newkeys));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    assert_int_equal(transport_next(s, &p, &n), ERR_PROTO);
    assert_string_equal(transport_error(s), "unexpected NEWKEYS");
    buf_cleanup(&b);
    transport_free(s);
}

/* first_kex_packet_follows: a wrong guess is dropped, a right one used. */
static int
guess(struct keyset *ks, const char *kex)
{
    static const uint8_t bogus[3] = {SSH_MSG_KEX_ECDH_INIT, 0, 0};
    static const char version[] = "SSH-2.0-raw_test\r\n";
    struct transport *s = raw_server(ks);
    struct buf b;
    const uint8_t *p;
    size_t n;
    int r;

    buf_init(&b);
    assert_int_equal(buf_put(&b, version, strlen(version)), 0);
    put_kexinit_kex(&b, kex, true);
    put_plain(&b, bogus, sizeof(bogus));
    assert_int_equal(transport_feed(s, buf_ptr(&b), buf_len(&b)), 0);
    r = transport_next(s, &p, &n);
    buf_cleanup(&b);
    transport_free(s);
    return r;
}

static void
test_first_kex_follows(void **state)
{
    assert_int_equal(guess(*state, "ecdh-sha2-nistp256,curve25519-sha256"),
                     ERR_AGAIN);
    assert_int_equal(guess(*state, "curve25519-sha256"), ERR_PROTO);
}

static void
test_feed_limit(void **state)
{
    struct transport *s = raw_server(*state);
    uint8_t *junk = calloc(1, LIM_PACKET_RECV);

    assert_non_null(junk);
    assert_int_equal(transport_feed(s, junk, LIM_PACKET_RECV), 0);
    assert_int_equal(transport_feed(s, junk, LIM_PACKET_RECV), 0);
    assert_int_equal(transport_feed(s, junk, 1), ERR_LIMIT);
    free(junk);
    transport_free(s);
}

/* Server HostKeyAlgorithms: only the named algorithms of its keys. */
static void
test_server_hostkey_allow(void **state)
{
    struct keyset *ks = *state;
    struct transport_config sc;
    struct transport *s = NULL;

    memset(&sc, 0, sizeof(sc));
    sc.is_server = true;
    sc.hostkeys = &ks->k[HK_RSA];
    sc.n_hostkeys = 1;
    sc.hostkey_algs = "ssh-ed25519,rsa-sha2-256";
    assert_int_equal(transport_new(&s, &sc), 0);
    assert_string_equal(s->hostkey_algs, "rsa-sha2-256");
    transport_free(s);
    sc.hostkey_algs = "ssh-ed25519";
    assert_int_equal(transport_new(&s, &sc), ERR_CONFIG);
    assert_null(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_macs),
        cmocka_unit_test(test_rekey_by_client),
        cmocka_unit_test(test_rekey_by_server),
        cmocka_unit_test(test_strict_seqnr_reset),
        cmocka_unit_test(test_ext_info),
        cmocka_unit_test(test_rekey_by_bytes),
        cmocka_unit_test(test_rekey_by_time),
        cmocka_unit_test(test_hostkey_refused),
        cmocka_unit_test(test_no_common_cipher),
        cmocka_unit_test(test_null_cipher_absent),
        cmocka_unit_test(test_peer_disconnect),
        cmocka_unit_test(test_unimplemented),
        cmocka_unit_test(test_ignore_before_kexinit),
        cmocka_unit_test(test_strict_ignore_during_kex),
        cmocka_unit_test(test_upper_before_newkeys),
        cmocka_unit_test(test_kex_msg_out_of_turn),
        cmocka_unit_test(test_first_kex_follows),
        cmocka_unit_test(test_feed_limit),
        cmocka_unit_test(test_server_hostkey_allow),
    };

    return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
