/* SPDX-License-Identifier: ISC */
/* Tests for keys/privkey_crypt: encrypted key files from ssh-keygen. */
#include "keys/sshkey.h"

#include "privkey_fixture.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"

#define PASS "adit-pass"
/* Parse fixture name with pass; on success compare with name.pub. */
static int
load(const char *name, const char *pass)
{
    struct sshkey *k = NULL, *pub = NULL;
    char pub_name[128], path[1024], *data, *comment = NULL;
    size_t len;
    int r;

    data = fixture_read(name, &len);
    r = sshkey_parse_private_pass((const uint8_t *)data, len, pass, &k,
                                  &comment);
    free(data);
    if (r != 0) {
        assert_null(k);
        return r;
    }
    snprintf(pub_name, sizeof(pub_name), "%s.pub", name);
    fixture_path(pub_name, path, sizeof(path));
    assert_int_equal(sshkey_load_public(path, &pub), 0);
    assert_true(sshkey_equal_public(k, pub));
    assert_true(sshkey_is_private(k));
    assert_non_null(comment);
    free(comment);
    sshkey_free(k);
    sshkey_free(pub);
    return 0;
}

static const char *const fixtures[] = {
    "pass_ctr_ed25519", "pass_gcm_ecdsa256", "pass_chacha_ed25519",
    "pass_ctr_rsa",     "pass_pem_rsa",      "pass_pkcs8_ecdsa256",
};
#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

static void
test_right_passphrase(void **state)
{
    size_t i;

    for (i = 0; i < N_FIXTURES; i++) {
        assert_int_equal(load(fixtures[i], PASS), 0);
    }
}

/* Wrong: ERR_PASSPHRASE, so the user is asked again; none: encrypted. */
static void
test_wrong_or_no_passphrase(void **state)
{
    size_t i;

    for (i = 0; i < N_FIXTURES; i++) {
        assert_int_equal(load(fixtures[i], "adit-wrong"), ERR_PASSPHRASE);
        assert_int_equal(load(fixtures[i], NULL), ERR_KEY_ENCRYPTED);
        assert_int_equal(load(fixtures[i], ""), ERR_KEY_ENCRYPTED);
    }
}

/* The public key without the passphrase: openssh-key-v1 files keep it
 * outside the encryption (equal to the .pub's); PEM ones do not. */
static void
test_public_without_passphrase(void **state)
{
    struct sshkey *k = NULL, *pub = NULL;
    char path[1024], pub_path[1040];
    size_t i;

    for (i = 0; i < N_FIXTURES; i++) {
        fixture_path(fixtures[i], path, sizeof(path));
        if (strstr(fixtures[i], "pem") != NULL ||
            strstr(fixtures[i], "pkcs8") != NULL) {
            assert_int_equal(sshkey_load_private_public(path, &k),
                             ERR_KEY_FORMAT);
            assert_null(k);
            continue;
        }
        assert_int_equal(sshkey_load_private_public(path, &k), 0);
        snprintf(pub_path, sizeof(pub_path), "%s.pub", path);
        assert_int_equal(sshkey_load_public(pub_path, &pub), 0);
        assert_true(sshkey_equal_public(k, pub));
        assert_false(sshkey_is_private(k));
        sshkey_free(k);
        sshkey_free(pub);
        k = pub = NULL;
    }
    assert_int_equal(sshkey_load_private_public("/nonexistent/key", &k),
                     ERR_NOTFOUND);
}

/*
 * Every truncation, one trailing byte and each outer length off by one
 * are refused, with the right passphrase (none of them reaches the KDF
 * with a length that parses).
 */
static void
check_mutations(const char *name)
{
    size_t offs[6], n, i, nf;
    struct buf b;
    uint8_t *p;
    uint32_t v;

    buf_init(&b);
    unarmor(name, &b);
    p = buf_ptr(&b);
    n = buf_len(&b);
    assert_int_equal(parse_bin_pass(p, n, PASS), 0);
    for (i = 0; i < n; i++) {
        assert_int_not_equal(parse_bin_pass(p, i, PASS), 0);
    }
    nf = outer_fields(p, offs);
    for (i = 0; i < nf; i++) {
        v = get_u32_be(p + offs[i]);
        put_u32_be(p + offs[i], v + 1);
        assert_int_not_equal(parse_bin_pass(p, n, PASS), 0);
        put_u32_be(p + offs[i], v - 1);
        assert_int_not_equal(parse_bin_pass(p, n, PASS), 0);
        put_u32_be(p + offs[i], v);
    }
    assert_int_equal(buf_put_u8(&b, 0), 0);
    assert_int_equal(parse_bin_pass(buf_ptr(&b), n + 1, PASS), ERR_KEY_FORMAT);
    buf_cleanup(&b);
}

static void
test_mutations(void **state)
{
    check_mutations("pass_ctr_ed25519");
    check_mutations("pass_gcm_ecdsa256");
}

/* A flipped ciphertext byte: the tag (GCM) or the check integers (CTR)
 * catch it, as a wrong passphrase. */
static void
test_flipped_ciphertext(void **state)
{
    const char *names[] = {"pass_ctr_ed25519", "pass_gcm_ecdsa256",
                           "pass_chacha_ed25519"};
    size_t offs[6], i;
    struct buf b;

    for (i = 0; i < 3; i++) {
        buf_init(&b);
        unarmor(names[i], &b);
        outer_fields(buf_ptr(&b), offs);
        buf_ptr(&b)[offs[4] + 4] ^= 0x01;
        assert_int_equal(parse_bin_pass(buf_ptr(&b), buf_len(&b), PASS),
                         ERR_PASSPHRASE);
        buf_cleanup(&b);
    }
}

/* kdfoptions: string salt (16 bytes), uint32 rounds; at offs[2]. */
static void
test_kdf_options(void **state)
{
    size_t offs[6], rounds_at;
    struct buf b;
    uint8_t *p;

    buf_init(&b);
    unarmor("pass_ctr_ed25519", &b);
    p = buf_ptr(&b);
    outer_fields(p, offs);
    rounds_at = offs[2] + 4 + 4 + get_u32_be(p + offs[2] + 4);
    put_u32_be(p + rounds_at, LIM_KDF_ROUNDS + 1);
    assert_int_equal(parse_bin_pass(p, buf_len(&b), PASS), ERR_LIMIT);
    /* Not even without a passphrase: the file itself is unusable. */
    assert_int_equal(parse_bin_pass(p, buf_len(&b), NULL), ERR_LIMIT);
    put_u32_be(p + rounds_at, 0);
    assert_int_equal(parse_bin_pass(p, buf_len(&b), PASS), ERR_KEY_FORMAT);
    put_u32_be(p + rounds_at, 16);
    /* An unknown cipher name of the same length as "aes256-ctr". */
    memcpy(p + offs[0] + 4, "aes256-xyz", 10);
    assert_int_equal(parse_bin_pass(p, buf_len(&b), PASS), ERR_KEY_TYPE);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_right_passphrase),
        cmocka_unit_test(test_wrong_or_no_passphrase),
        cmocka_unit_test(test_public_without_passphrase),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_flipped_ciphertext),
        cmocka_unit_test(test_kdf_options),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
