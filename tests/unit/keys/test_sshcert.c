/* SPDX-License-Identifier: ISC */
/*
 * Tests for keys/sshcert: certificates made by OpenSSH's ssh-keygen
 * (tests/data/keys/certs/make-certs.sh) and certificates built here field
 * by field, signed by the same CA, to reach each refusal.
 */
#include "keys/sshcert.h"

#include "keys_fixture.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* 2023-11-14: inside the 2020..2100 window of the "valid" fixtures. */
#define NOW 1700000000

static struct sshkey *
load_pub(const char *name)
{
    char file[256];
    struct sshkey *k = NULL;
    char *line;

    snprintf(file, sizeof(file), "certs/%s", name);
    line = fixture_line(file);
    assert_int_equal(sshkey_parse_public(line, &k, NULL), 0);
    free(line);
    return k;
}

static struct sshkey *
load_priv(const char *name)
{
    char file[256];
    struct sshkey *k = NULL;
    size_t len;
    char *data;

    snprintf(file, sizeof(file), "certs/%s", name);
    data = fixture_read(file, &len);
    assert_int_equal(sshkey_parse_private((const uint8_t *)data, len, &k, NULL),
                     0);
    free(data);
    return k;
}

/* The fixture's certificate blob, for tests that mangle it. */
static void
cert_blob(const char *name, struct buf *out)
{
    struct sshkey *k = load_pub(name);

    buf_init(out);
    assert_int_equal(sshkey_to_blob(k, out), 0);
    sshkey_free(k);
}

static void
assert_fp_equal(const struct sshkey *a, const char *pub_name)
{
    struct sshkey *b = load_pub(pub_name);
    char fa[SSHKEY_FP_LEN], fb[SSHKEY_FP_LEN];

    assert_int_equal(sshkey_fingerprint(a, fa, sizeof(fa)), 0);
    assert_int_equal(sshkey_fingerprint(b, fb, sizeof(fb)), 0);
    assert_string_equal(fa, fb);
    sshkey_free(b);
}

static void
test_parse_ed25519(void **state)
{
    struct sshkey *k = load_pub("user_ed25519-cert.pub");
    const struct sshcert *c = sshkey_cert(k);

    assert_non_null(c);
    assert_true(sshkey_is_cert(k));
    assert_int_equal(sshkey_type(k), SSHKEY_ED25519);
    assert_string_equal(sshkey_wire_name(k),
                        "ssh-ed25519-cert-v01@openssh.com");
    assert_string_equal(sshkey_type_label(k), "ED25519-CERT");
    assert_int_equal(c->nonce_len, 32);
    assert_int_equal(c->serial, 42);
    assert_int_equal(c->type, SSHCERT_TYPE_USER);
    assert_string_equal(c->key_id, "alice@example");
    assert_int_equal(c->n_principals, 2);
    assert_string_equal(c->principals[0], "alice");
    assert_string_equal(c->principals[1], "bob");
    assert_true(c->valid_after < NOW && NOW < c->valid_before);
    assert_int_equal(c->n_critical, 0);
    assert_int_equal(c->n_extensions, 5); /* ssh-keygen's default set */
    assert_string_equal(c->extensions[0].name, "permit-X11-forwarding");
    assert_string_equal(c->sig_alg, "ssh-ed25519");
    /* The fingerprint is the plain key's; the CA is the one that signed. */
    assert_fp_equal(k, "user_ed25519.pub");
    assert_fp_equal(c->ca, "ca_ed25519.pub");
    sshkey_free(k);
}

static void
test_parse_ecdsa_rsa_ca(void **state)
{
    struct sshkey *k = load_pub("user_ecdsa-cert.pub");
    struct sshkey *k256 = load_pub("user_ecdsa_rsa256-cert.pub");

    assert_int_equal(sshkey_type(k), SSHKEY_ECDSA_P256);
    assert_string_equal(sshkey_cert(k)->sig_alg, "rsa-sha2-512");
    assert_string_equal(sshkey_cert(k256)->sig_alg, "rsa-sha2-256");
    assert_int_equal(sshkey_cert(k)->serial, 7);
    assert_fp_equal(k, "user_ecdsa.pub");
    assert_fp_equal(sshkey_cert(k)->ca, "ca_rsa.pub");
    sshkey_free(k);
    sshkey_free(k256);
}

static void
test_parse_rsa_ecdsa_ca(void **state)
{
    struct sshkey *k = load_pub("user_rsa-cert.pub");

    assert_int_equal(sshkey_type(k), SSHKEY_RSA);
    assert_string_equal(sshkey_wire_name(k), "ssh-rsa-cert-v01@openssh.com");
    assert_string_equal(sshkey_cert(k)->sig_alg, "ecdsa-sha2-nistp384");
    assert_fp_equal(k, "user_rsa.pub");
    assert_fp_equal(sshkey_cert(k)->ca, "ca_ecdsa.pub");
    sshkey_free(k);
}

/* A CA signature with SHA-1 ssh-rsa is refused, as sshd's default. */
static void
test_refuse_sha1_ca_sig(void **state)
{
    char *line = fixture_line("certs/sha1-cert.pub");
    struct sshkey *k = NULL;

    assert_int_equal(sshkey_parse_public(line, &k, NULL), ERR_SIG);
    assert_null(k);
    free(line);
}

/* Any changed byte in the signed part or the signature: ERR_SIG. */
static void
test_refuse_bad_signature(void **state)
{
    struct sshkey *k = NULL;
    struct buf b;
    uint8_t *p;
    size_t n;

    cert_blob("user_ed25519-cert.pub", &b);
    p = buf_ptr(&b);
    n = buf_len(&b);
    p[n - 1] ^= 1; /* last byte of the ed25519 signature */
    assert_int_equal(sshkey_from_blob(p, n, &k), ERR_SIG);
    p[n - 1] ^= 1;
    p[40] ^= 1; /* inside the nonce */
    assert_int_equal(sshkey_from_blob(p, n, &k), ERR_SIG);
    p[40] ^= 1;
    assert_int_equal(sshkey_from_blob(p, n, &k), 0);
    sshkey_free(k);
    buf_cleanup(&b);
}

/* Every truncation and one trailing byte are refused cleanly. */
static void
test_truncations(void **state)
{
    struct sshkey *k = NULL;
    struct buf b;
    size_t i;

    cert_blob("user_rsa-cert.pub", &b);
    for (i = 0; i < buf_len(&b); i++) {
        assert_int_not_equal(sshkey_from_blob(buf_ptr(&b), i, &k), 0);
        assert_null(k);
    }
    assert_int_equal(buf_put_u8(&b, 0), 0);
    assert_int_not_equal(sshkey_from_blob(buf_ptr(&b), buf_len(&b), &k), 0);
    buf_cleanup(&b);
}

static void
check_refusal(const char *name, uint32_t type, int64_t now,
              const char *principal, bool require, const char *why_want)
{
    struct sshkey *k = load_pub(name);
    char why[SSHCERT_WHY_LEN];

    assert_int_equal(sshcert_check(sshkey_cert(k), type, now, principal,
                                   require, why, sizeof(why)),
                     ERR_DENIED);
    assert_string_equal(why, why_want);
    sshkey_free(k);
}

static void
test_check_ok(void **state)
{
    struct sshkey *k = load_pub("user_ed25519-cert.pub");
    const struct sshcert *c = sshkey_cert(k);
    char why[SSHCERT_WHY_LEN];

    assert_int_equal(
        sshcert_check(c, SSHCERT_TYPE_USER, NOW, "bob", true, why, 160), 0);
    assert_int_equal(
        sshcert_check(c, SSHCERT_TYPE_USER, NOW, NULL, true, why, 160), 0);
    /* The window is closed at the start and open at the end. */
    assert_int_equal(sshcert_check(c, SSHCERT_TYPE_USER,
                                   (int64_t)c->valid_after, "alice", true, why,
                                   sizeof(why)),
                     0);
    assert_int_equal(sshcert_check(c, SSHCERT_TYPE_USER,
                                   (int64_t)c->valid_before, "alice", true, why,
                                   sizeof(why)),
                     ERR_DENIED);
    assert_int_equal(sshcert_check(c, SSHCERT_TYPE_USER,
                                   (int64_t)c->valid_after - 1, "alice", true,
                                   why, sizeof(why)),
                     ERR_DENIED);
    sshkey_free(k);
}

static void
test_check_refusals(void **state)
{
    check_refusal("expired-cert.pub", SSHCERT_TYPE_USER, NOW, "alice", true,
                  "Certificate invalid: expired");
    check_refusal("notyet-cert.pub", SSHCERT_TYPE_USER, NOW, "alice", true,
                  "Certificate invalid: not yet valid");
    check_refusal("user_ed25519-cert.pub", SSHCERT_TYPE_USER, NOW, "mallory",
                  true, "Certificate invalid: name is not a listed principal");
    check_refusal("host-cert.pub", SSHCERT_TYPE_USER, NOW, "host.example", true,
                  "Certificate invalid: not a user certificate");
    check_refusal("user_ed25519-cert.pub", SSHCERT_TYPE_HOST, NOW, "alice",
                  false, "Certificate invalid: not a host certificate");
    check_refusal("noprincipals-cert.pub", SSHCERT_TYPE_USER, NOW, "alice",
                  true, "Certificate lacks principal list");
}

static void
test_host_cert(void **state)
{
    struct sshkey *k = load_pub("host-cert.pub");
    struct sshkey *any = load_pub("noprincipals-cert.pub");
    char why[SSHCERT_WHY_LEN];

    assert_int_equal(sshcert_check(sshkey_cert(k), SSHCERT_TYPE_HOST, NOW,
                                   "10.0.0.1", false, why, sizeof(why)),
                     0);
    /* Without require_principal an empty list matches anyone. */
    assert_int_equal(sshcert_check(sshkey_cert(any), SSHCERT_TYPE_USER, NOW,
                                   "zed", false, why, sizeof(why)),
                     0);
    sshkey_free(k);
    sshkey_free(any);
}

static void
test_user_opts(void **state)
{
    struct sshkey *r = load_pub("restricted-cert.pub");
    struct sshkey *n = load_pub("noext-cert.pub");
    struct sshkey *e = load_pub("ext-cert.pub");
    struct sshcert_user_opts o;
    char why[SSHCERT_WHY_LEN];

    assert_int_equal(sshcert_user_opts(sshkey_cert(r), &o, why, 160), 0);
    assert_string_equal(o.force_command, "/bin/true");
    assert_string_equal(o.source_address, "127.0.0.1/32,::1/128");
    assert_true(o.permit_port_forwarding && o.permit_pty);
    sshcert_user_opts_cleanup(&o);
    assert_int_equal(sshcert_user_opts(sshkey_cert(n), &o, why, 160), 0);
    assert_null(o.force_command);
    assert_false(o.permit_port_forwarding || o.permit_pty ||
                 o.permit_agent_forwarding || o.permit_x11_forwarding ||
                 o.permit_user_rc);
    sshcert_user_opts_cleanup(&o);
    /* Unknown extensions are ignored. */
    assert_int_equal(sshcert_user_opts(sshkey_cert(e), &o, why, 160), 0);
    assert_true(o.permit_port_forwarding);
    assert_false(o.permit_pty);
    sshcert_user_opts_cleanup(&o);
    sshkey_free(r);
    sshkey_free(n);
    sshkey_free(e);
}

static void
test_unknown_critical(void **state)
{
    struct sshkey *u = load_pub("unknowncrit-cert.pub");
    struct sshkey *v = load_pub("verifyreq-cert.pub");
    struct sshcert_user_opts o;
    char why[SSHCERT_WHY_LEN];

    assert_int_equal(sshcert_user_opts(sshkey_cert(u), &o, why, sizeof(why)),
                     ERR_DENIED);
    assert_string_equal(why, "Certificate critical option "
                             "\"frob@example.com\" is not supported");
    assert_int_equal(sshcert_user_opts(sshkey_cert(v), &o, why, sizeof(why)),
                     ERR_DENIED);
    sshkey_free(u);
    sshkey_free(v);
}

static void
test_alg_names(void **state)
{
    struct sshkey *k = load_pub("user_rsa-cert.pub");
    char plain[64];

    assert_true(sshcert_is_cert_alg("rsa-sha2-256-cert-v01@openssh.com"));
    assert_false(sshcert_is_cert_alg("rsa-sha2-256"));
    assert_false(sshcert_is_cert_alg("-cert-v01@openssh.com"));
    assert_int_equal(sshcert_plain_alg("rsa-sha2-512-cert-v01@openssh.com",
                                       plain, sizeof(plain)),
                     0);
    assert_string_equal(plain, "rsa-sha2-512");
    assert_int_equal(sshcert_plain_alg("ssh-ed25519", plain, sizeof(plain)),
                     ERR_INVAL);
    assert_true(
        sshkey_supports_sig_alg(k, "rsa-sha2-512-cert-v01@openssh.com"));
    assert_true(
        sshkey_supports_sig_alg(k, "rsa-sha2-256-cert-v01@openssh.com"));
    assert_false(sshkey_supports_sig_alg(k, "ssh-rsa-cert-v01@openssh.com"));
    assert_false(sshkey_supports_sig_alg(k, "rsa-sha2-512"));
    sshkey_free(k);
}

/* A certificate never equals its plain key; it prints back as it came. */
static void
test_equal_and_format(void **state)
{
    struct sshkey *c = load_pub("user_ed25519-cert.pub");
    struct sshkey *c2 = load_pub("user_ed25519-cert.pub");
    struct sshkey *p = load_pub("user_ed25519.pub");
    char *line = fixture_line("certs/user_ed25519-cert.pub"), *text = NULL;

    assert_false(sshkey_equal_public(c, p));
    assert_false(sshkey_equal_public(p, c));
    assert_true(sshkey_equal_public(c, c2));
    assert_int_equal(sshkey_format_public(c, &text), 0);
    assert_memory_equal(text, line, strlen(text));
    free(text);
    free(line);
    sshkey_free(c);
    sshkey_free(c2);
    sshkey_free(p);
}

/* A private key with its certificate signs as the cert algorithm. */
static void
test_with_cert_sign_verify(void **state)
{
    static const uint8_t msg[] = "signed data";
    struct sshkey *priv = load_priv("user_rsa");
    struct sshkey *cert = load_pub("user_rsa-cert.pub");
    struct sshkey *other = load_pub("user_ed25519-cert.pub");
    struct sshkey *k = NULL;
    struct buf sig;
    struct rd rd;
    char *alg = NULL;

    buf_init(&sig);
    assert_int_equal(sshkey_with_cert(priv, other, &k), ERR_INVAL);
    assert_int_equal(sshkey_with_cert(priv, cert, &k), 0);
    assert_true(sshkey_is_private(k));
    assert_true(sshkey_equal_public(k, cert));
    assert_string_equal(sshkey_default_sig_alg(k),
                        "rsa-sha2-512-cert-v01@openssh.com");
    assert_int_equal(sshkey_sign(k, "rsa-sha2-256-cert-v01@openssh.com", msg,
                                 sizeof(msg), &sig),
                     0);
    /* The signature itself carries the plain name. */
    rd_init(&rd, buf_ptr(&sig), buf_len(&sig));
    assert_int_equal(rd_cstring(&rd, &alg, 64), 0);
    assert_string_equal(alg, "rsa-sha2-256");
    assert_int_equal(sshkey_verify(cert, buf_ptr(&sig), buf_len(&sig), msg,
                                   sizeof(msg),
                                   "rsa-sha2-256-cert-v01@openssh.com"),
                     0);
    assert_int_equal(sshkey_verify(cert, buf_ptr(&sig), buf_len(&sig), msg,
                                   sizeof(msg), "rsa-sha2-256"),
                     ERR_SIG);
    free(alg);
    buf_cleanup(&sig);
    sshkey_free(k);
    sshkey_free(priv);
    sshkey_free(cert);
    sshkey_free(other);
}

/* ---- certificates built here, field by field ---- */

struct spec {
    uint32_t type;
    const char *principals[3];
    const char *crit[3][2]; /* name, inner string (NULL: empty data) */
    const char *ext[3][2];
    bool raw_crit_data; /* crit data as given, not wrapped in a string */
    bool cert_as_ca;    /* put a certificate where the CA key goes */
};

static void
put_opts(struct buf *b, const char *const (*opts)[2], bool wrap)
{
    struct buf list, data;
    size_t i;

    buf_init(&list);
    for (i = 0; i < 3 && opts[i][0] != NULL; i++) {
        buf_init(&data);
        if (opts[i][1] != NULL) {
            if (wrap) {
                assert_int_equal(buf_put_cstring(&data, opts[i][1]), 0);
            } else {
                assert_int_equal(buf_put(&data, opts[i][1], strlen(opts[i][1])),
                                 0);
            }
        }
        assert_int_equal(buf_put_cstring(&list, opts[i][0]), 0);
        assert_int_equal(buf_put_buf(&list, &data), 0);
        buf_cleanup(&data);
    }
    assert_int_equal(buf_put_buf(b, &list), 0);
    buf_cleanup(&list);
}

/* An ed25519 certificate for user_ed25519, signed by ca_ed25519. */
static void
build(const struct spec *s, struct buf *out)
{
    struct sshkey *ca = load_priv("ca_ed25519");
    struct sshkey *user = load_pub("user_ed25519.pub");
    struct buf pub, princ, cab;
    struct rd rd;
    const uint8_t *p;
    size_t n, i;

    buf_init(out);
    buf_init(&pub);
    buf_init(&princ);
    buf_init(&cab);
    assert_int_equal(sshkey_to_blob(user, &pub), 0);
    rd_init(&rd, buf_ptr(&pub), buf_len(&pub));
    assert_int_equal(rd_string(&rd, &p, &n, 64), 0); /* skip the name */
    assert_int_equal(rd_string(&rd, &p, &n, 64), 0); /* the 32-byte key */
    assert_int_equal(buf_put_cstring(out, "ssh-ed25519-cert-v01@openssh.com"),
                     0);
    assert_int_equal(buf_put_string(out, "nonce-nonce", 11), 0);
    assert_int_equal(buf_put_string(out, p, n), 0);
    assert_int_equal(buf_put_u64(out, 1), 0);
    assert_int_equal(buf_put_u32(out, s->type), 0);
    assert_int_equal(buf_put_cstring(out, "built"), 0);
    for (i = 0; i < 3 && s->principals[i] != NULL; i++) {
        assert_int_equal(buf_put_cstring(&princ, s->principals[i]), 0);
    }
    assert_int_equal(buf_put_buf(out, &princ), 0);
    assert_int_equal(buf_put_u64(out, 0), 0);
    assert_int_equal(buf_put_u64(out, UINT64_MAX), 0);
    put_opts(out, s->crit, !s->raw_crit_data);
    put_opts(out, s->ext, true);
    assert_int_equal(buf_put_string(out, "", 0), 0);
    if (s->cert_as_ca) {
        sshkey_free(user);
        user = load_pub("host-cert.pub");
        assert_int_equal(sshkey_to_blob(user, &cab), 0);
    } else {
        assert_int_equal(sshkey_to_blob(ca, &cab), 0);
    }
    assert_int_equal(buf_put_buf(out, &cab), 0);
    buf_reset(&pub);
    assert_int_equal(sshkey_sign(ca, NULL, buf_ptr(out), buf_len(out), &pub),
                     0);
    assert_int_equal(buf_put_buf(out, &pub), 0);
    sshkey_free(ca);
    sshkey_free(user);
    buf_cleanup(&pub);
    buf_cleanup(&princ);
    buf_cleanup(&cab);
}

static int
build_parse(const struct spec *s, struct sshkey **k)
{
    struct buf b;
    int r;

    build(s, &b);
    r = sshkey_from_blob(buf_ptr(&b), buf_len(&b), k);
    buf_cleanup(&b);
    return r;
}

static int
build_opts(const struct spec *s, struct sshcert_user_opts *o)
{
    struct sshkey *k = NULL;
    char why[SSHCERT_WHY_LEN];
    int r;

    assert_int_equal(build_parse(s, &k), 0);
    r = sshcert_user_opts(sshkey_cert(k), o, why, sizeof(why));
    sshkey_free(k);
    return r;
}

static void
test_built_ok(void **state)
{
    struct spec s = {.type = SSHCERT_TYPE_USER,
                     .principals = {"alice"},
                     .crit = {{"force-command", "true"},
                              {"source-address", "10.0.0.0/8,::1"}},
                     .ext = {{"permit-port-forwarding", NULL}}};
    struct sshcert_user_opts o;

    assert_int_equal(build_opts(&s, &o), 0);
    assert_string_equal(o.force_command, "true");
    assert_string_equal(o.source_address, "10.0.0.0/8,::1");
    assert_true(o.permit_port_forwarding);
    sshcert_user_opts_cleanup(&o);
}

static void
test_built_refusals(void **state)
{
    struct spec s = {.type = 3, .principals = {"alice"}};
    struct sshcert_user_opts o;
    struct sshkey *k = NULL;

    assert_int_equal(build_parse(&s, &k), ERR_FORMAT); /* bad type */
    s.type = SSHCERT_TYPE_USER;
    s.cert_as_ca = true; /* chained certificates are not supported */
    assert_int_equal(build_parse(&s, &k), ERR_KEY_TYPE);
    s.cert_as_ca = false;
    /* Options out of order, and repeated. */
    s.crit[0][0] = "source-address";
    s.crit[0][1] = "::1";
    s.crit[1][0] = "force-command";
    s.crit[1][1] = "x";
    assert_int_equal(build_parse(&s, &k), ERR_FORMAT);
    s.crit[1][0] = "source-address";
    assert_int_equal(build_parse(&s, &k), ERR_FORMAT);
    memset(s.crit, 0, sizeof(s.crit));
    /* source-address with host bits set beyond the mask, as ssh-keygen
     * itself refuses to make. */
    s.crit[0][0] = "source-address";
    s.crit[0][1] = "10.0.0.1/8";
    assert_int_equal(build_opts(&s, &o), ERR_FORMAT);
    s.crit[0][1] = "*";
    assert_int_equal(build_opts(&s, &o), ERR_FORMAT);
    /* Data that is not exactly one string. */
    s.crit[0][1] = "::1";
    s.raw_crit_data = true;
    assert_int_equal(build_opts(&s, &o), ERR_FORMAT);
    s.raw_crit_data = false;
    memset(s.crit, 0, sizeof(s.crit));
    /* A known flag extension must carry no data. */
    s.ext[0][0] = "permit-pty";
    s.ext[0][1] = "data";
    assert_int_equal(build_opts(&s, &o), ERR_FORMAT);
}

static void
test_signed_by(void **state)
{
    struct sshkey *k = load_pub("user_ed25519-cert.pub");
    struct sshkey *ca = load_pub("ca_ed25519.pub");
    struct sshkey *other = load_pub("ca_rsa.pub");

    assert_true(sshcert_signed_by(sshkey_cert(k), ca));
    assert_false(sshcert_signed_by(sshkey_cert(k), other));
    sshkey_free(k);
    sshkey_free(ca);
    sshkey_free(other);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ed25519),
        cmocka_unit_test(test_parse_ecdsa_rsa_ca),
        cmocka_unit_test(test_parse_rsa_ecdsa_ca),
        cmocka_unit_test(test_refuse_sha1_ca_sig),
        cmocka_unit_test(test_refuse_bad_signature),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_check_ok),
        cmocka_unit_test(test_check_refusals),
        cmocka_unit_test(test_host_cert),
        cmocka_unit_test(test_user_opts),
        cmocka_unit_test(test_unknown_critical),
        cmocka_unit_test(test_alg_names),
        cmocka_unit_test(test_equal_and_format),
        cmocka_unit_test(test_with_cert_sign_verify),
        cmocka_unit_test(test_built_ok),
        cmocka_unit_test(test_built_refusals),
        cmocka_unit_test(test_signed_by),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
