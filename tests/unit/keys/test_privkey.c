/* SPDX-License-Identifier: ISC */
/* Tests for keys/privkey: the openssh-key-v1 decoder against mutations. */
#include "keys/sshkey.h"

#include "privkey_fixture.h"
#include "util/err.h"
#include "wire/buf.h"

static int
parse_bin(const uint8_t *p, size_t n)
{
    return parse_bin_pass(p, n, NULL);
}

static void
check_mutations(const char *name)
{
    struct buf b;
    uint8_t *p;
    size_t n, i, offs[6], nf;
    uint32_t v;

    buf_init(&b);
    unarmor(name, &b);
    p = buf_ptr(&b);
    n = buf_len(&b);
    assert_int_equal(parse_bin(p, n), 0);
    for (i = 0; i < n; i++) {
        assert_int_not_equal(parse_bin(p, i), 0);
    }
    assert_int_equal(buf_put_u8(&b, 0), 0);
    p = buf_ptr(&b);
    assert_int_equal(parse_bin(p, n + 1), ERR_KEY_FORMAT);
    nf = outer_fields(p, offs);
    for (i = 0; i < nf; i++) {
        v = get_u32_be(p + offs[i]);
        put_u32_be(p + offs[i], v + 1);
        assert_int_not_equal(parse_bin(p, n), 0);
        put_u32_be(p + offs[i], v - 1);
        assert_int_not_equal(parse_bin(p, n), 0);
        put_u32_be(p + offs[i], v);
    }
    /* Check-ints that differ, and wrong padding, are refused. */
    i = offs[nf - 1] + 4;
    p[i] ^= 1;
    assert_int_equal(parse_bin(p, n), ERR_KEY_FORMAT);
    p[i] ^= 1;
    if (p[n - 1] != 0 && p[n - 1] < 8) {
        p[n - 1] ^= 0x40;
        assert_int_equal(parse_bin(p, n), ERR_KEY_FORMAT);
        p[n - 1] ^= 0x40;
    }
    assert_int_equal(parse_bin(p, n), 0);
    buf_cleanup(&b);
}

static void
test_mutations(void **state)
{
    check_mutations("id_ed25519");
    check_mutations("id_ecdsa256");
}

/* The private half must match the public blob stored beside it. */
static void
test_mismatched_public(void **state)
{
    struct buf a, b;
    size_t offs[6];

    buf_init(&a);
    buf_init(&b);
    unarmor("id_ed25519", &a);
    outer_fields(buf_ptr(&a), offs);
    /* Flip a byte of the outer public key (the last byte of its blob). */
    buf_ptr(&a)[offs[4] - 1] ^= 1;
    assert_int_equal(parse_bin(buf_ptr(&a), buf_len(&a)), ERR_KEY_FORMAT);
    buf_cleanup(&a);
    buf_cleanup(&b);
}

/*
 * The END marker is searched for after the BEGIN line, not inside it: a
 * file whose BEGIN line's closing dashes run into "END OPENSSH PRIVATE
 * KEY-----" must be refused as malformed, not sized as a negative span.
 */
static void
test_overlapping_armour(void **state)
{
    static const char text[] = "-----BEGIN OPENSSH PRIVATE KEY-----"
                               "END OPENSSH PRIVATE KEY-----\n";
    struct sshkey *k = NULL;

    assert_int_equal(
        sshkey_parse_private((const uint8_t *)text, strlen(text), &k, NULL),
        ERR_KEY_FORMAT);
    assert_null(k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_mismatched_public),
        cmocka_unit_test(test_overlapping_armour),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
