/* SPDX-License-Identifier: ISC */
/* Tests for keys/sshkey: blobs, fingerprints, signatures, key files. */
#include "keys/sshkey.h"

#include <sys/stat.h>

#include "keys_fixture.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

static const char test_msg[] = "adit test message";

struct fixture_key {
    const char *name; /* private key file; .pub and .fp beside it */
    enum sshkey_type type;
    const char *comment; /* expected comment, NULL for PEM */
};

static const struct fixture_key fixture_keys[] = {
    {"id_ed25519", SSHKEY_ED25519, "ed25519@adit"},
    {"id_ecdsa256", SSHKEY_ECDSA_P256, "p256@adit"},
    {"id_ecdsa384", SSHKEY_ECDSA_P384, "p384@adit"},
    {"id_ecdsa521", SSHKEY_ECDSA_P521, "p521@adit"},
    {"id_rsa", SSHKEY_RSA, "rsa@adit"},
    {"pem_ecdsa256", SSHKEY_ECDSA_P256, NULL},
    {"pem_ecdsa384", SSHKEY_ECDSA_P384, NULL},
    {"pem_ecdsa521", SSHKEY_ECDSA_P521, NULL},
    {"pem_rsa", SSHKEY_RSA, NULL},
    {"pkcs8_rsa", SSHKEY_RSA, NULL},
};
#define N_FIXTURES (sizeof(fixture_keys) / sizeof(fixture_keys[0]))

static struct sshkey *
load_priv(const char *name, char **comment)
{
    struct sshkey *k = NULL;
    size_t len;
    char *data = fixture_read(name, &len);

    assert_int_equal(
        sshkey_parse_private((const uint8_t *)data, len, &k, comment), 0);
    free(data);
    return k;
}

static struct sshkey *
load_pub(const char *name)
{
    char file[256];
    struct sshkey *k = NULL;
    char *line;

    snprintf(file, sizeof(file), "%s.pub", name);
    line = fixture_line(file);
    assert_int_equal(sshkey_parse_public(line, &k, NULL), 0);
    free(line);
    return k;
}

static void
check_sign_verify(const struct sshkey *priv, const struct sshkey *pub,
                  const char *alg)
{
    struct buf sig;
    uint8_t *p;

    buf_init(&sig);
    assert_int_equal(sshkey_sign(priv, alg, (const uint8_t *)test_msg,
                                 sizeof(test_msg) - 1, &sig),
                     0);
    assert_int_equal(sshkey_verify(pub, buf_ptr(&sig), buf_len(&sig),
                                   (const uint8_t *)test_msg,
                                   sizeof(test_msg) - 1, NULL),
                     0);
    /* The wrong message and a flipped signature bit both fail. */
    assert_int_equal(sshkey_verify(pub, buf_ptr(&sig), buf_len(&sig),
                                   (const uint8_t *)test_msg,
                                   sizeof(test_msg) - 2, NULL),
                     ERR_SIG);
    p = buf_ptr(&sig);
    p[buf_len(&sig) - 1] ^= 1;
    assert_int_not_equal(sshkey_verify(pub, buf_ptr(&sig), buf_len(&sig),
                                       (const uint8_t *)test_msg,
                                       sizeof(test_msg) - 1, NULL),
                         0);
    buf_cleanup(&sig);
}

static void
test_fixtures(void **state)
{
    char file[256], fp[SSHKEY_FP_LEN];
    char *want, *comment = NULL;
    struct sshkey *priv, *pub;
    size_t i;

    for (i = 0; i < N_FIXTURES; i++) {
        const struct fixture_key *f = &fixture_keys[i];

        priv = load_priv(f->name, &comment);
        pub = load_pub(f->name);
        assert_int_equal(sshkey_type(priv), f->type);
        assert_true(sshkey_is_private(priv));
        assert_false(sshkey_is_private(pub));
        assert_true(sshkey_equal_public(priv, pub));
        assert_string_equal(comment, f->comment == NULL ? "" : f->comment);
        snprintf(file, sizeof(file), "%s.fp", f->name);
        want = fixture_line(file);
        assert_int_equal(sshkey_fingerprint(pub, fp, sizeof(fp)), 0);
        assert_string_equal(fp, want);
        check_sign_verify(priv, pub, NULL);
        if (f->type == SSHKEY_RSA) {
            check_sign_verify(priv, pub, "rsa-sha2-256");
        }
        assert_int_equal(
            sshkey_sign(pub, NULL, (const uint8_t *)"x", 1, &(struct buf){0}),
            ERR_INVAL);
        free(want);
        free(comment);
        sshkey_free(priv);
        sshkey_free(pub);
    }
}

static void
test_encrypted_and_small(void **state)
{
    const char *enc[] = {"enc_ed25519", "enc_pem_ecdsa256"};
    struct sshkey *k = NULL;
    size_t i, len;
    char *data, *line;

    for (i = 0; i < 2; i++) {
        data = fixture_read(enc[i], &len);
        assert_int_equal(
            sshkey_parse_private((const uint8_t *)data, len, &k, NULL),
            ERR_KEY_ENCRYPTED);
        assert_null(k);
        free(data);
    }
    data = fixture_read("id_rsa1024", &len);
    assert_int_equal(sshkey_parse_private((const uint8_t *)data, len, &k, NULL),
                     ERR_KEY_FORMAT);
    free(data);
    line = fixture_line("id_rsa1024.pub");
    assert_int_equal(sshkey_parse_public(line, &k, NULL), ERR_KEY_FORMAT);
    free(line);
    data = fixture_read("id_ed25519.pub", &len);
    assert_int_not_equal(
        sshkey_parse_private((const uint8_t *)data, len, &k, NULL), 0);
    free(data);
}

static void
test_types(void **state)
{
    enum sshkey_type t;
    struct sshkey *k = load_pub("id_rsa");

    assert_int_equal(sshkey_type_from_name("ecdsa-sha2-nistp384", &t), 0);
    assert_int_equal(t, SSHKEY_ECDSA_P384);
    assert_int_equal(sshkey_type_from_name("ssh-dss", &t), ERR_KEY_TYPE);
    assert_string_equal(sshkey_type_name(k), "ssh-rsa");
    assert_string_equal(sshkey_default_sig_alg(k), "rsa-sha2-512");
    assert_true(sshkey_supports_sig_alg(k, "rsa-sha2-256"));
    assert_false(sshkey_supports_sig_alg(k, "ssh-rsa"));
    assert_false(sshkey_supports_sig_alg(k, "ssh-ed25519"));
    sshkey_free(k);
}

/* Public blob of a fixture's .pub file. */
static void
pub_blob(const char *name, struct buf *out)
{
    struct sshkey *k = load_pub(name);

    assert_int_equal(sshkey_to_blob(k, out), 0);
    sshkey_free(k);
}

/*
 * Every truncation, a trailing byte, and each top-level length field off
 * by one (key blobs are sequences of strings and mpints) are rejected.
 */
static void
check_blob_mutations(const uint8_t *blob, size_t len)
{
    struct sshkey *k = NULL;
    uint8_t *copy = malloc(len + 1);
    size_t i, off;
    uint32_t n;

    assert_non_null(copy);
    memcpy(copy, blob, len);
    for (i = 0; i < len; i++) {
        assert_int_not_equal(sshkey_from_blob(copy, i, &k), 0);
        assert_null(k);
    }
    copy[len] = 0;
    assert_int_equal(sshkey_from_blob(copy, len + 1, &k), ERR_TRAILING);
    for (off = 0; off + 4 <= len; off += 4 + n) {
        n = get_u32_be(copy + off);
        put_u32_be(copy + off, n + 1);
        assert_int_not_equal(sshkey_from_blob(copy, len, &k), 0);
        put_u32_be(copy + off, n - 1);
        assert_int_not_equal(sshkey_from_blob(copy, len, &k), 0);
        put_u32_be(copy + off, n);
    }
    assert_int_equal(off, len);
    assert_int_equal(sshkey_from_blob(copy, len, &k), 0);
    sshkey_free(k);
    free(copy);
}

static void
test_blob_decoder(void **state)
{
    const char *names[] = {"id_ed25519", "id_ecdsa256", "id_ecdsa384",
                           "id_ecdsa521", "id_rsa"};
    struct buf b;
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        buf_init(&b);
        pub_blob(names[i], &b);
        check_blob_mutations(buf_ptr(&b), buf_len(&b));
        buf_cleanup(&b);
    }
}

/* An ECDSA point off the curve, and a compressed point, are refused. */
static void
test_blob_bad_point(void **state)
{
    struct sshkey *k = NULL;
    struct buf b;
    uint8_t *p;

    buf_init(&b);
    pub_blob("id_ecdsa256", &b);
    p = buf_ptr(&b);
    p[buf_len(&b) - 1] ^= 1; /* y no longer matches x */
    assert_int_equal(sshkey_from_blob(p, buf_len(&b), &k), ERR_KEY_FORMAT);
    p[buf_len(&b) - 1] ^= 1;
    p[buf_len(&b) - 65] = 0x02;
    assert_int_equal(sshkey_from_blob(p, buf_len(&b), &k), ERR_KEY_FORMAT);
    buf_cleanup(&b);
}

static void
sign_fixture(const char *name, const char *alg, struct buf *sig)
{
    struct sshkey *k = load_priv(name, NULL);

    assert_int_equal(sshkey_sign(k, alg, (const uint8_t *)test_msg,
                                 sizeof(test_msg) - 1, sig),
                     0);
    sshkey_free(k);
}

static int
verify_msg(const struct sshkey *k, const uint8_t *sig, size_t len,
           const char *allowed)
{
    return sshkey_verify(k, sig, len, (const uint8_t *)test_msg,
                         sizeof(test_msg) - 1, allowed);
}

/* Truncations, trailing bytes, outer length fields +/-1 of a signature. */
static void
check_sig_mutations(const struct sshkey *k, struct buf *sig)
{
    uint8_t *p = buf_ptr(sig);
    size_t len = buf_len(sig), i, off;
    uint32_t n;

    for (i = 0; i < len; i++) {
        assert_int_not_equal(verify_msg(k, p, i, NULL), 0);
    }
    assert_int_equal(buf_put_u8(sig, 0), 0);
    p = buf_ptr(sig);
    assert_int_equal(verify_msg(k, p, len + 1, NULL), ERR_FORMAT);
    for (off = 0; off + 4 <= len; off += 4 + n) {
        n = get_u32_be(p + off);
        put_u32_be(p + off, n + 1);
        assert_int_not_equal(verify_msg(k, p, len, NULL), 0);
        put_u32_be(p + off, n - 1);
        assert_int_not_equal(verify_msg(k, p, len, NULL), 0);
        put_u32_be(p + off, n);
    }
    assert_int_equal(verify_msg(k, p, len, NULL), 0);
}

static void
test_sig_decoder(void **state)
{
    const char *names[] = {"id_ed25519", "id_ecdsa256", "id_ecdsa521",
                           "id_rsa"};
    struct sshkey *k;
    struct buf sig;
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        buf_init(&sig);
        sign_fixture(names[i], NULL, &sig);
        k = load_pub(names[i]);
        check_sig_mutations(k, &sig);
        sshkey_free(k);
        buf_cleanup(&sig);
    }
}

/* The ECDSA inner blob (mpint r, mpint s): truncated or trailing bytes. */
static void
test_sig_ecdsa_inner(void **state)
{
    struct sshkey *k = load_pub("id_ecdsa256");
    struct buf sig, bad;
    struct rd rd;
    const uint8_t *alg, *inner;
    size_t alg_len, inner_len, i;

    buf_init(&sig);
    sign_fixture("id_ecdsa256", NULL, &sig);
    rd_init(&rd, buf_ptr(&sig), buf_len(&sig));
    assert_int_equal(rd_string(&rd, &alg, &alg_len, 64), 0);
    assert_int_equal(rd_string(&rd, &inner, &inner_len, 1024), 0);
    for (i = 0; i <= inner_len + 1; i++) {
        uint8_t tmp[1024] = {0};

        memcpy(tmp, inner, inner_len);
        buf_init(&bad);
        assert_int_equal(buf_put_string(&bad, alg, alg_len), 0);
        assert_int_equal(buf_put_string(&bad, tmp, i), 0);
        assert_int_equal(verify_msg(k, buf_ptr(&bad), buf_len(&bad), NULL),
                         i == inner_len ? 0 : ERR_FORMAT);
        buf_cleanup(&bad);
    }
    buf_cleanup(&sig);
    sshkey_free(k);
}

static void
relabel(const struct buf *sig, const char *alg, struct buf *out)
{
    struct rd rd;
    const uint8_t *a, *s;
    size_t a_len, s_len;

    rd_init(&rd, buf_ptr(sig), buf_len(sig));
    assert_int_equal(rd_string(&rd, &a, &a_len, 64), 0);
    assert_int_equal(rd_string(&rd, &s, &s_len, 4096), 0);
    assert_int_equal(buf_put_cstring(out, alg), 0);
    assert_int_equal(buf_put_string(out, s, s_len), 0);
}

static void
test_sig_alg_mismatch(void **state)
{
    struct sshkey *ec = load_pub("id_ecdsa256");
    struct sshkey *rsa = load_pub("id_rsa");
    struct buf ed_sig, rsa_sig, other;

    buf_init(&ed_sig);
    buf_init(&rsa_sig);
    buf_init(&other);
    sign_fixture("id_ed25519", NULL, &ed_sig);
    assert_int_equal(verify_msg(ec, buf_ptr(&ed_sig), buf_len(&ed_sig), NULL),
                     ERR_SIG);
    sign_fixture("id_rsa", "rsa-sha2-256", &rsa_sig);
    assert_int_equal(
        verify_msg(rsa, buf_ptr(&rsa_sig), buf_len(&rsa_sig), "rsa-sha2-512"),
        ERR_SIG);
    assert_int_equal(verify_msg(rsa, buf_ptr(&rsa_sig), buf_len(&rsa_sig),
                                "rsa-sha2-512,rsa-sha2-256"),
                     0);
    /* A SHA-256 signature relabelled as rsa-sha2-512 must not verify. */
    relabel(&rsa_sig, "rsa-sha2-512", &other);
    assert_int_equal(verify_msg(rsa, buf_ptr(&other), buf_len(&other), NULL),
                     ERR_SIG);
    buf_cleanup(&other);
    buf_cleanup(&ed_sig);
    buf_cleanup(&rsa_sig);
    sshkey_free(ec);
    sshkey_free(rsa);
}

/* SHA-1 "ssh-rsa" verifies only when the caller's list names it. */
static void
test_sig_ssh_rsa(void **state)
{
    struct sshkey *k = load_pub("pem_rsa");
    char *hex = fixture_line("pem_rsa.sha1sig.hex");
    uint8_t *raw;
    size_t raw_len;
    struct buf sig;

    raw = hex_decode(hex, &raw_len);
    buf_init(&sig);
    assert_int_equal(buf_put_cstring(&sig, "ssh-rsa"), 0);
    assert_int_equal(buf_put_string(&sig, raw, raw_len), 0);
    assert_int_equal(verify_msg(k, buf_ptr(&sig), buf_len(&sig), NULL),
                     ERR_SIG);
    assert_int_equal(
        verify_msg(k, buf_ptr(&sig), buf_len(&sig), "rsa-sha2-256"), ERR_SIG);
    assert_int_equal(
        verify_msg(k, buf_ptr(&sig), buf_len(&sig), "rsa-sha2-256,ssh-rsa"), 0);
    buf_cleanup(&sig);
    free(raw);
    free(hex);
    sshkey_free(k);
}

static void
test_generate_save(void **state)
{
    const enum sshkey_type types[] = {SSHKEY_ED25519, SSHKEY_ECDSA_P256,
                                      SSHKEY_ECDSA_P384, SSHKEY_ECDSA_P521,
                                      SSHKEY_RSA};
    const char *dir = test_tmpdir();
    struct sshkey *k, *back;
    char path[512];
    struct stat st;
    size_t i;

    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        k = NULL;
        back = NULL;
        assert_int_equal(sshkey_generate(types[i], 2048, &k), 0);
        snprintf(path, sizeof(path), "%s/key%zu", dir, i);
        assert_int_equal(sshkey_save_private(k, path, "generated"), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        assert_int_equal(sshkey_load_private(path, &back), 0);
        assert_true(sshkey_equal_public(k, back));
        check_sign_verify(back, k, NULL);
        sshkey_free(k);
        sshkey_free(back);
    }
    assert_int_equal(sshkey_generate(SSHKEY_RSA, 1024, &k), ERR_INVAL);
    assert_int_equal(sshkey_load_private("/nonexistent/key", &k), ERR_NOTFOUND);
}

static void
test_format_public(void **state)
{
    struct sshkey *k = load_pub("id_ecdsa384"), *back = NULL;
    char *line = fixture_line("id_ecdsa384.pub"), *out = NULL;
    char path[1024];
    size_t used = 0;

    assert_int_equal(sshkey_format_public(k, &out), 0);
    assert_int_equal(strncmp(line, out, strlen(out)), 0);
    assert_int_equal(sshkey_parse_public(line, &back, &used), 0);
    assert_int_equal(used, strlen(out));
    sshkey_free(back);
    fixture_path("id_ecdsa384.pub", path, sizeof(path));
    assert_int_equal(sshkey_load_public(path, &back), 0);
    assert_true(sshkey_equal_public(k, back));
    sshkey_free(back);
    /* The name outside must match the blob. */
    memcpy(line, "ecdsa-sha2-nistp256", 19);
    assert_int_equal(sshkey_parse_public(line, &back, NULL), ERR_KEY_FORMAT);
    assert_int_not_equal(sshkey_parse_public("ssh-ed25519", &back, NULL), 0);
    assert_int_not_equal(sshkey_parse_public("", &back, NULL), 0);
    assert_int_not_equal(sshkey_parse_public("ssh-ed25519 !!!!", &back, NULL),
                         0);
    free(out);
    free(line);
    sshkey_free(k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures),
        cmocka_unit_test(test_encrypted_and_small),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_blob_decoder),
        cmocka_unit_test(test_blob_bad_point),
        cmocka_unit_test(test_sig_decoder),
        cmocka_unit_test(test_sig_ecdsa_inner),
        cmocka_unit_test(test_sig_alg_mismatch),
        cmocka_unit_test(test_sig_ssh_rsa),
        cmocka_unit_test(test_generate_save),
        cmocka_unit_test(test_format_public),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
