/* SPDX-License-Identifier: ISC */
/* Tests for KEXINIT decoding and algorithm negotiation. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "transport/kexinit.h"
#include "transport/ssh_msg.h"
#include "util/err.h"

static const char *const client_lists[KI_NLISTS] = {
    "curve25519-sha256,ecdh-sha2-nistp256,ext-info-c,"
    "kex-strict-c-v00@openssh.com",
    "ssh-ed25519,rsa-sha2-512",
    "chacha20-poly1305@openssh.com,aes256-ctr",
    "aes128-ctr,aes256-ctr",
    "hmac-sha2-256-etm@openssh.com,hmac-sha2-512",
    "hmac-sha2-512",
    "none",
    "none,zlib@openssh.com",
    "",
    "",
};

static const char *const server_lists[KI_NLISTS] = {
    "ecdh-sha2-nistp256,curve25519-sha256,kex-strict-s-v00@openssh.com",
    "rsa-sha2-512,ssh-ed25519",
    "aes256-ctr,chacha20-poly1305@openssh.com",
    "aes256-ctr,aes128-ctr",
    "hmac-sha2-512,hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512",
    "none",
    "none",
    "",
    "",
};

static void
make_ki(struct kexinit *ki, const char *const *lists, bool follows)
{
    size_t i;

    memset(ki, 0, sizeof(*ki));
    memset(ki->cookie, 0xa5, sizeof(ki->cookie));
    for (i = 0; i < KI_NLISTS; i++) {
        ki->lists[i] = strdup(lists[i]);
        assert_non_null(ki->lists[i]);
    }
    ki->first_kex_follows = follows;
}

static bool
aead(const char *name)
{
    return strcmp(name, "chacha20-poly1305@openssh.com") == 0;
}

/* An encoded KEXINIT without its message number. */
static void
encode_body(struct buf *b, const char *const *lists)
{
    struct kexinit ki;

    make_ki(&ki, lists, true);
    assert_int_equal(kexinit_encode(b, &ki), 0);
    assert_int_equal(buf_ptr(b)[0], SSH_MSG_KEXINIT);
    buf_consume(b, 1);
    kexinit_cleanup(&ki);
}

static void
test_decode_valid(void **state)
{
    struct buf b;
    struct kexinit ki;
    struct rd rd;
    size_t i;

    (void)state;
    buf_init(&b);
    encode_body(&b, client_lists);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kexinit_decode(&rd, &ki), 0);
    for (i = 0; i < KI_NLISTS; i++) {
        assert_string_equal(ki.lists[i], client_lists[i]);
    }
    assert_true(ki.first_kex_follows);
    assert_int_equal(ki.cookie[0], 0xa5);
    kexinit_cleanup(&ki);
    buf_cleanup(&b);
}

static void
test_decode_truncated(void **state)
{
    struct buf b;
    struct kexinit ki;
    struct rd rd;
    size_t n;

    (void)state;
    buf_init(&b);
    encode_body(&b, client_lists);
    for (n = 0; n < buf_len(&b); n++) {
        rd_init(&rd, buf_ptr(&b), n);
        assert_int_not_equal(kexinit_decode(&rd, &ki), 0);
        assert_null(ki.lists[0]);
    }
    buf_cleanup(&b);
}

static void
test_decode_trailing(void **state)
{
    struct buf b;
    struct kexinit ki;
    struct rd rd;

    (void)state;
    buf_init(&b);
    encode_body(&b, client_lists);
    assert_int_equal(buf_put_u8(&b, 0), 0);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(kexinit_decode(&rd, &ki), ERR_TRAILING);
    buf_cleanup(&b);
}

/* Each of the ten length fields, one more and one less. */
static void
test_decode_length_off_by_one(void **state)
{
    struct buf b;
    struct kexinit ki;
    struct rd rd;
    size_t i, off = KEXINIT_COOKIE_LEN;
    int delta;

    (void)state;
    buf_init(&b);
    encode_body(&b, client_lists);
    for (i = 0; i < KI_NLISTS; i++) {
        uint8_t *p = buf_ptr(&b) + off;
        uint32_t len = get_u32_be(p);

        for (delta = -1; delta <= 1; delta += 2) {
            put_u32_be(p, len + (uint32_t)delta);
            rd_init(&rd, buf_ptr(&b), buf_len(&b));
            assert_int_not_equal(kexinit_decode(&rd, &ki), 0);
        }
        put_u32_be(p, len);
        off += 4 + len;
    }
    buf_cleanup(&b);
}

static void
test_decode_bad_names(void **state)
{
    const char *bad[] = {"a,,b", "a,", ",a", "a b", "a\tb"};
    const char *lists[KI_NLISTS];
    struct buf b;
    struct kexinit ki;
    struct rd rd;
    size_t i;

    (void)state;
    memcpy(lists, client_lists, sizeof(lists));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        lists[KI_MAC_S2C] = bad[i];
        buf_init(&b);
        encode_body(&b, lists);
        rd_init(&rd, buf_ptr(&b), buf_len(&b));
        assert_int_equal(kexinit_decode(&rd, &ki), ERR_FORMAT);
        buf_cleanup(&b);
    }
}

static void
test_negotiate_client_wins(void **state)
{
    struct kexinit c, s;
    struct kex_choice ch;
    char err[256];

    (void)state;
    make_ki(&c, client_lists, false);
    make_ki(&s, server_lists, false);
    assert_int_equal(
        kexinit_negotiate(&c, &s, true, aead, &ch, err, sizeof(err)), 0);
    assert_string_equal(ch.kex, "curve25519-sha256");
    assert_string_equal(ch.hostkey, "ssh-ed25519");
    assert_string_equal(ch.enc[0], "chacha20-poly1305@openssh.com");
    assert_null(ch.mac[0]); /* AEAD: no MAC negotiated */
    assert_string_equal(ch.enc[1], "aes128-ctr");
    assert_string_equal(ch.mac[1], "hmac-sha2-512");
    assert_string_equal(ch.comp[0], "none");
    assert_true(ch.strict);
    assert_true(ch.ext_info_c);
    assert_true(ch.guess_wrong);
    kex_choice_cleanup(&ch);
    /* Later key exchanges ignore the markers. */
    assert_int_equal(
        kexinit_negotiate(&c, &s, false, aead, &ch, err, sizeof(err)), 0);
    assert_false(ch.strict);
    assert_false(ch.ext_info_c);
    kex_choice_cleanup(&ch);
    kexinit_cleanup(&c);
    kexinit_cleanup(&s);
}

static void
test_negotiate_markers_never_chosen(void **state)
{
    const char *cl[KI_NLISTS], *sl[KI_NLISTS];
    struct kexinit c, s;
    struct kex_choice ch;
    char err[256];

    (void)state;
    memcpy(cl, client_lists, sizeof(cl));
    memcpy(sl, server_lists, sizeof(sl));
    cl[KI_KEX] = "ext-info-c,kex-strict-c-v00@openssh.com,curve25519-sha256";
    sl[KI_KEX] = "ext-info-c,kex-strict-c-v00@openssh.com,curve25519-sha256";
    make_ki(&c, cl, false);
    make_ki(&s, sl, false);
    assert_int_equal(
        kexinit_negotiate(&c, &s, true, aead, &ch, err, sizeof(err)), 0);
    assert_string_equal(ch.kex, "curve25519-sha256");
    assert_false(ch.strict); /* server never sent its own marker */
    kex_choice_cleanup(&ch);
    kexinit_cleanup(&s);
    sl[KI_KEX] = "ext-info-c,kex-strict-c-v00@openssh.com";
    make_ki(&s, sl, false);
    assert_int_equal(
        kexinit_negotiate(&c, &s, true, aead, &ch, err, sizeof(err)),
        ERR_KEX_NOMATCH);
    assert_non_null(strstr(err, "no matching key exchange method found"));
    kexinit_cleanup(&c);
    kexinit_cleanup(&s);
}

static void
test_negotiate_guess(void **state)
{
    const char *sl[KI_NLISTS];
    struct kexinit c, s;
    struct kex_choice ch;

    (void)state;
    memcpy(sl, client_lists, sizeof(sl));
    sl[KI_KEX] = "curve25519-sha256,kex-strict-s-v00@openssh.com";
    make_ki(&c, client_lists, true);
    make_ki(&s, sl, false);
    assert_int_equal(kexinit_negotiate(&c, &s, true, aead, &ch, NULL, 0), 0);
    assert_false(ch.guess_wrong);
    kex_choice_cleanup(&ch);
    kexinit_cleanup(&s);
    sl[KI_HOSTKEY] = "rsa-sha2-512,ssh-ed25519";
    make_ki(&s, sl, false);
    assert_int_equal(kexinit_negotiate(&c, &s, true, aead, &ch, NULL, 0), 0);
    assert_true(ch.guess_wrong);
    assert_string_equal(ch.hostkey, "ssh-ed25519");
    kex_choice_cleanup(&ch);
    kexinit_cleanup(&c);
    kexinit_cleanup(&s);
}

static void
test_negotiate_no_cipher(void **state)
{
    const char *sl[KI_NLISTS];
    struct kexinit c, s;
    struct kex_choice ch;
    char err[256];

    (void)state;
    memcpy(sl, server_lists, sizeof(sl));
    sl[KI_ENC_C2S] = "aes128-gcm@openssh.com";
    make_ki(&c, client_lists, false);
    make_ki(&s, sl, false);
    assert_int_equal(
        kexinit_negotiate(&c, &s, true, aead, &ch, err, sizeof(err)),
        ERR_KEX_NOMATCH);
    assert_string_equal(err, "no matching cipher found: client "
                             "chacha20-poly1305@openssh.com,aes256-ctr "
                             "server aes128-gcm@openssh.com");
    assert_null(ch.kex);
    kexinit_cleanup(&c);
    kexinit_cleanup(&s);
}

static bool
keep_short(const char *name)
{
    return strlen(name) <= 3;
}

static void
test_filter(void **state)
{
    char *out = NULL;

    (void)state;
    assert_int_equal(kexinit_filter("abcd,ab,x,abc,ab,long", keep_short, &out),
                     0);
    assert_string_equal(out, "ab,x,abc");
    free(out);
    assert_int_equal(kexinit_filter("", keep_short, &out), 0);
    assert_string_equal(out, "");
    free(out);
    assert_true(kexinit_list_has("a,bc,d", "bc"));
    assert_false(kexinit_list_has("a,bcd,d", "bc"));
    assert_true(kexinit_is_marker("ext-info-c"));
    assert_false(kexinit_is_marker("curve25519-sha256"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_valid),
        cmocka_unit_test(test_decode_truncated),
        cmocka_unit_test(test_decode_trailing),
        cmocka_unit_test(test_decode_length_off_by_one),
        cmocka_unit_test(test_decode_bad_names),
        cmocka_unit_test(test_negotiate_client_wins),
        cmocka_unit_test(test_negotiate_markers_never_chosen),
        cmocka_unit_test(test_negotiate_guess),
        cmocka_unit_test(test_negotiate_no_cipher),
        cmocka_unit_test(test_filter),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
