/* SPDX-License-Identifier: ISC */
/*
 * Tests for keys/krl: KRLs written by ssh-keygen -k (tests/data/keys/krl,
 * made from spec_ca and spec_keys there) and hand-built sections: any-CA
 * key IDs, extensions, signatures, and every malformation.
 */
#include "keys/krl.h"

#include "keys/sshcert.h"
#include "keys_fixture.h"
#include "util/err.h"
#include "wire/buf.h"

static struct sshkey *
key_of(const char *name)
{
    char path[64];
    char *line;
    struct sshkey *k = NULL;

    snprintf(path, sizeof(path), "krl/%s", name);
    line = fixture_line(path);
    assert_int_equal(sshkey_parse_public(line, &k, NULL), 0);
    free(line);
    return k;
}

static void
load(const char *name, struct krl *k)
{
    char rel[64], path[1024], why[KRL_WHY_LEN];
    bool is_krl = false;

    snprintf(rel, sizeof(rel), "krl/%s", name);
    fixture_path(rel, path, sizeof(path));
    assert_int_equal(krl_load(path, k, &is_krl, why, sizeof(why)), 0);
    assert_true(is_krl);
}

/* Is the fixture key revoked, and does why contain want? */
static void
check(const struct krl *k, const char *name, const char *want)
{
    struct sshkey *key = key_of(name);
    char why[KRL_WHY_LEN] = "";

    assert_int_equal(krl_revoked(k, key, why, sizeof(why)), want != NULL);
    if (want != NULL && strstr(why, want) == NULL) {
        fail_msg("%s: \"%s\" lacks \"%s\"", name, why, want);
    }
    sshkey_free(key);
}

static void
test_ssh_keygen_krl(void **state)
{
    struct krl k;

    load("krl", &k);
    assert_int_equal(k.n_certs, 1);
    assert_non_null(k.certs[0].ca);
    /* ssh-keygen chose every encoding: bitmaps, a range, a list. */
    assert_true(k.certs[0].n_bitmaps > 0);
    assert_true(k.certs[0].n_ranges >= 3);
    assert_int_equal(k.certs[0].n_key_ids, 1);
    assert_int_equal(k.keys.n, 1);
    assert_int_equal(k.n_sha1, 1);
    assert_int_equal(k.n_sha256, 1);
    check(&k, "c_bitmap-cert.pub", "certificate serial 1003");
    check(&k, "c_range-cert.pub", "certificate serial 150000");
    check(&k, "c_list-cert.pub", "certificate serial 9000000");
    check(&k, "c_keyid-cert.pub", "key ID \"revoked-id\"");
    check(&k, "k_explicit.pub", "explicitly");
    check(&k, "k_sha1.pub", "SHA1");
    check(&k, "k_sha256.pub", "SHA256");
    check(&k, "c_fine-cert.pub", NULL);
    check(&k, "c_zero-cert.pub", NULL);
    /* Same key ID, another CA: the section is for ca.pub only. */
    check(&k, "c_ca2-cert.pub", NULL);
    check(&k, "k_fine.pub", NULL);
    krl_cleanup(&k);
    load("krl_ca", &k);
    check(&k, "c_fine-cert.pub", "its CA key");
    check(&k, "c_ca2-cert.pub", NULL);
    krl_cleanup(&k);
}

/* The header of a KRL with no sections. */
static void
put_header(struct buf *b)
{
    buf_reset(b);
    buf_put(b, "SSHKRL\n\0", 8);
    buf_put_u32(b, 1);
    buf_put_u64(b, 7);          /* krl_version */
    buf_put_u64(b, 1700000000); /* generated_date */
    buf_put_u64(b, 0);          /* flags */
    buf_put_string(b, "", 0);   /* reserved */
    buf_put_cstring(b, "test");
}

static void
put_section(struct buf *b, uint8_t type, const struct buf *body)
{
    buf_put_u8(b, type);
    buf_put_string(b, buf_ptr(body), buf_len(body));
}

/* A certificate section for any CA (empty ca_key) with one subsection. */
static void
put_any_ca(struct buf *b, uint8_t sub_type, const struct buf *sub)
{
    struct buf s;

    buf_init(&s);
    buf_put_string(&s, "", 0);
    buf_put_string(&s, "", 0);
    put_section(&s, sub_type, sub);
    put_section(b, 1, &s);
    buf_cleanup(&s);
}

static int
parse(const struct buf *b, struct krl *k, char *why)
{
    return krl_parse(buf_ptr(b), buf_len(b), k, why, KRL_WHY_LEN);
}

static void
test_any_ca_extensions_signature(void **state)
{
    struct buf b, sub;
    struct krl k;
    char why[KRL_WHY_LEN];

    buf_init(&b);
    buf_init(&sub);
    put_header(&b);
    buf_put_cstring(&sub, "revoked-id");
    put_any_ca(&b, 0x23, &sub);
    buf_reset(&sub);
    buf_put_cstring(&sub, "x-unknown@example.org");
    buf_put_bool(&sub, false);
    buf_put_string(&sub, "ab", 2);
    put_section(&b, 255, &sub);
    put_any_ca(&b, 0x39, &sub);
    /* Two signature sections, read and not verified. */
    buf_put_u8(&b, 4);
    buf_put_string(&b, "key", 3);
    buf_put_string(&b, "sig", 3);
    buf_put_u8(&b, 4);
    buf_put_string(&b, "key", 3);
    buf_put_string(&b, "sig", 3);
    assert_int_equal(parse(&b, &k, why), 0);
    assert_int_equal(k.version, 7);
    assert_int_equal(k.n_signatures, 2);
    assert_int_equal(k.n_certs, 2);
    assert_null(k.certs[0].ca);
    /* Any CA's certificate with the key ID. */
    check(&k, "c_ca2-cert.pub", "key ID");
    check(&k, "c_keyid-cert.pub", "key ID");
    check(&k, "c_fine-cert.pub", NULL);
    krl_cleanup(&k);
    /* A section after a signature is refused. */
    put_section(&b, 255, &sub);
    assert_int_equal(parse(&b, &k, why), ERR_FORMAT);
    assert_non_null(strstr(why, "after a signature"));
    buf_cleanup(&sub);
    buf_cleanup(&b);
}

/* One malformed section (or subsection of an any-CA section). */
static void
refused(uint8_t type, bool in_certs, const struct buf *body, const char *want)
{
    struct buf b;
    struct krl k;
    char why[KRL_WHY_LEN];

    buf_init(&b);
    put_header(&b);
    if (in_certs) {
        put_any_ca(&b, type, body);
    } else {
        put_section(&b, type, body);
    }
    assert_int_not_equal(parse(&b, &k, why), 0);
    assert_int_equal(k.n_certs, 0);
    if (strstr(why, want) == NULL) {
        fail_msg("\"%s\" lacks \"%s\"", why, want);
    }
    buf_cleanup(&b);
}

static void
test_malformed_sections(void **state)
{
    static const uint8_t h20[20] = {1}, h19[19] = {0};
    struct buf s;

    buf_init(&s);
    refused(9, false, &s, "unsupported section type 9");
    refused(0x24, true, &s, "unsupported certificate section type 0x24");
    refused(0x20, true, &s, "serials"); /* empty list */
    refused(0x23, true, &s, "key IDs");
    buf_put_u64(&s, 0);
    refused(0x20, true, &s, "serials"); /* serial 0 */
    buf_reset(&s);
    buf_put_u64(&s, 9);
    buf_put_u64(&s, 8);
    refused(0x21, true, &s, "serials"); /* upside down */
    buf_reset(&s);
    buf_put_u64(&s, 0);
    buf_put_mpint(&s, (const uint8_t *)"\x01", 1);
    refused(0x22, true, &s, "bitmap"); /* revokes serial 0 */
    buf_reset(&s);
    buf_put_cstring(&s, "x-critical@example.org");
    buf_put_bool(&s, true);
    buf_put_string(&s, "", 0);
    refused(255, false, &s, "critical extension \"x-critical@example.org\"");
    refused(0x39, true, &s, "critical extension");
    buf_reset(&s);
    buf_put_string(&s, h19, sizeof(h19));
    refused(3, false, &s, "SHA1");
    buf_reset(&s);
    buf_put_string(&s, h20, sizeof(h20));
    buf_put_string(&s, h20, sizeof(h20)); /* not increasing */
    refused(3, false, &s, "SHA1");
    buf_reset(&s);
    buf_put_string(&s, "junk", 4);
    refused(2, false, &s, "explicit keys");
    buf_cleanup(&s);
}

/* Every truncation fails or stops at a section boundary; a length one
 * too long or too short, and a trailing byte, never parse as sent. */
static void
test_truncations_and_lengths(void **state)
{
    char *data, why[KRL_WHY_LEN];
    size_t n, i;
    struct krl k;
    struct buf b;

    data = fixture_read("krl/krl", &n);
    for (i = 0; i < n; i++) {
        if (krl_parse((const uint8_t *)data, i, &k, why, sizeof(why)) == 0) {
            assert_true(i >= 44);
            krl_cleanup(&k);
        }
    }
    buf_init(&b);
    buf_put(&b, data, n);
    buf_put_u8(&b, 1);
    assert_int_not_equal(parse(&b, &k, why), 0);
    /* The first section's length: its low byte, after the 44-byte
     * header (empty comment) and the type byte. */
    buf_reset(&b);
    buf_put(&b, data, n);
    buf_ptr(&b)[48]++;
    assert_int_not_equal(parse(&b, &k, why), 0);
    buf_ptr(&b)[48] -= 2;
    assert_int_not_equal(parse(&b, &k, why), 0);
    buf_cleanup(&b);
    free(data);
}

static void
test_not_a_krl(void **state)
{
    char path[1024], why[KRL_WHY_LEN];
    bool is_krl = true;
    struct krl k;

    fixture_path("krl/ca.pub", path, sizeof(path));
    assert_int_equal(krl_load(path, &k, &is_krl, why, sizeof(why)), 0);
    assert_false(is_krl);
    assert_int_equal(
        krl_load("/nonexistent/krl", &k, &is_krl, why, sizeof(why)),
        ERR_NOTFOUND);
    assert_false(krl_is_krl((const uint8_t *)"SSHKRL\n", 7));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssh_keygen_krl),
        cmocka_unit_test(test_any_ca_extensions_signature),
        cmocka_unit_test(test_malformed_sections),
        cmocka_unit_test(test_truncations_and_lengths),
        cmocka_unit_test(test_not_a_krl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
