/* SPDX-License-Identifier: ISC */
/* Tests for keys/knownhosts: plain fixtures and ssh-keygen -H hashed ones. */
#include "keys/knownhosts.h"

#include <sys/stat.h>

#include "keys_fixture.h"
#include "util/err.h"

static struct sshkey *
pub(const char *name)
{
    char file[256], *line;
    struct sshkey *k = NULL;

    snprintf(file, sizeof(file), "%s.pub", name);
    line = fixture_line(file);
    assert_int_equal(sshkey_parse_public(line, &k, NULL), 0);
    free(line);
    return k;
}

static void
expect(const char *file, const char *host, const char *key,
       enum hostkey_status want, unsigned want_line)
{
    char path[1024];
    struct sshkey *k = pub(key);
    enum hostkey_status st;
    unsigned line;

    fixture_path(file, path, sizeof(path));
    assert_int_equal(knownhosts_check(path, host, k, &st, &line), 0);
    assert_int_equal(st, want);
    assert_int_equal(line, want_line);
    sshkey_free(k);
}

static void
test_name(void **state)
{
    char out[300];

    knownhosts_name("example.com", 22, out, sizeof(out));
    assert_string_equal(out, "example.com");
    knownhosts_name("example.com", 2222, out, sizeof(out));
    assert_string_equal(out, "[example.com]:2222");
}

/* The same questions get the same answers from both fixtures. */
static void
check_both(const char *host, const char *key, enum hostkey_status want,
           unsigned want_line)
{
    expect("known_hosts", host, key, want, want_line);
    expect("known_hosts_hashed", host, key, want,
           want_line == 2 ? (strcmp(host, "192.0.2.10") == 0 ? 3 : 2)
                          : want_line);
}

static void
test_plain_and_hashed(void **state)
{
    check_both("server.example.com", "id_ed25519", HOSTKEY_MATCH, 2);
    check_both("SERVER.example.COM", "id_ed25519", HOSTKEY_MATCH, 2);
    check_both("192.0.2.10", "id_ed25519", HOSTKEY_MATCH, 2);
    check_both("server.example.com", "id_ecdsa256", HOSTKEY_CHANGED, 2);
    expect("known_hosts", "[server.example.com]:2222", "id_ecdsa256",
           HOSTKEY_MATCH, 3);
    expect("known_hosts_hashed", "[server.example.com]:2222", "id_ecdsa256",
           HOSTKEY_MATCH, 4);
    check_both("server.example.org", "id_ed25519", HOSTKEY_NEW, 0);
    check_both("[server.example.com]:22", "id_ed25519", HOSTKEY_NEW, 0);
}

static void
test_patterns(void **state)
{
    expect("known_hosts", "a.wild.example", "id_rsa", HOSTKEY_MATCH, 4);
    expect("known_hosts", "x.y.wild.example", "id_rsa", HOSTKEY_MATCH, 4);
    expect("known_hosts", "bad.wild.example", "id_rsa", HOSTKEY_NEW, 0);
    expect("known_hosts", "wild.example", "id_rsa", HOSTKEY_NEW, 0);
    expect("known_hosts", "host.example", "id_ecdsa384", HOSTKEY_MATCH, 5);
    expect("known_hosts", "hoost.example", "id_ecdsa384", HOSTKEY_NEW, 0);
    /* @revoked * applies to every host; @cert-authority lines are skipped. */
    expect("known_hosts", "host.example", "id_ecdsa521", HOSTKEY_REVOKED, 6);
    expect("known_hosts", "anything", "id_ecdsa521", HOSTKEY_REVOKED, 6);
    expect("known_hosts", "a.example.com", "pem_ecdsa256", HOSTKEY_NEW, 0);
    /* ssh-dss lines are not ours and do not make a host known. */
    expect("known_hosts", "other.example", "id_ed25519", HOSTKEY_NEW, 0);
}

static void
test_buf_edge_cases(void **state)
{
    struct sshkey *k = pub("id_ed25519");
    char *kl = fixture_line("id_ed25519.pub");
    enum hostkey_status st;
    unsigned line;
    char text[2048];

    snprintf(text, sizeof(text), "|1|bad|bad %s\n|1|%s\n!h,h %s\nh\n%s", kl, kl,
             kl, kl);
    assert_int_equal(
        knownhosts_check_buf(text, strlen(text), "h", k, &st, &line), 0);
    assert_int_equal(st, HOSTKEY_NEW);
    snprintf(text, sizeof(text), "h?,*x  %s\r\n", kl);
    assert_int_equal(
        knownhosts_check_buf(text, strlen(text), "ha", k, &st, &line), 0);
    assert_int_equal(st, HOSTKEY_MATCH);
    assert_int_equal(knownhosts_check_buf("", 0, "h", k, &st, &line), 0);
    assert_int_equal(st, HOSTKEY_NEW);
    assert_int_equal(knownhosts_check("/nonexistent/kh", "h", k, &st, &line),
                     0);
    assert_int_equal(st, HOSTKEY_NEW);
    free(kl);
    sshkey_free(k);
}

static void
test_add(void **state)
{
    const char *dir = test_tmpdir();
    struct sshkey *ed = pub("id_ed25519"), *ec = pub("id_ecdsa256");
    enum hostkey_status st;
    char path[512], *text;
    struct stat sb;
    unsigned line;

    snprintf(path, sizeof(path), "%s/ssh/known_hosts", dir);
    assert_int_equal(knownhosts_add(path, "plain.example", ed, false), 0);
    assert_int_equal(knownhosts_add(path, "[Hashed.example]:2222", ec, true),
                     0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    snprintf(path, sizeof(path), "%s/ssh", dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    snprintf(path, sizeof(path), "%s/ssh/known_hosts", dir);
    assert_int_equal(knownhosts_check(path, "plain.example", ed, &st, &line),
                     0);
    assert_int_equal(st, HOSTKEY_MATCH);
    assert_int_equal(line, 1);
    assert_int_equal(
        knownhosts_check(path, "[hashed.example]:2222", ec, &st, &line), 0);
    assert_int_equal(st, HOSTKEY_MATCH);
    assert_int_equal(line, 2);
    assert_int_equal(knownhosts_check(path, "hashed.example", ec, &st, &line),
                     0);
    assert_int_equal(st, HOSTKEY_NEW);
    /* The hashed name does not appear in the file. */
    {
        FILE *f = fopen(path, "r");
        char buf[4096];
        size_t n;

        assert_non_null(f);
        n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = '\0';
        fclose(f);
        text = strstr(buf, "ashed");
        assert_null(text);
        assert_non_null(strstr(buf, "\n|1|"));
    }
    assert_int_equal(knownhosts_add(path, "a b", ed, false), ERR_INVAL);
    sshkey_free(ed);
    sshkey_free(ec);
}

/* Known types: plain and hashed alike; revoked lines do not count, and CA
 * lines only as KNOWNHOSTS_CA_BIT. */
static void
test_known_types(void **state)
{
    const char *files[] = {"known_hosts", "known_hosts_hashed"};
    char path[1024];
    unsigned mask, i;

    for (i = 0; i < 2; i++) {
        fixture_path(files[i], path, sizeof(path));
        assert_int_equal(
            knownhosts_known_types(path, "server.example.com", &mask), 0);
        assert_int_equal(mask, (1u << SSHKEY_ED25519) | KNOWNHOSTS_CA_BIT);
        assert_int_equal(
            knownhosts_known_types(path, "[server.example.com]:2222", &mask),
            0);
        assert_int_equal(mask, 1u << SSHKEY_ECDSA_P256);
        assert_int_equal(knownhosts_known_types(path, "nowhere.test", &mask),
                         0);
        assert_int_equal(mask, 0);
    }
    assert_int_equal(
        knownhosts_known_types("/nonexistent/known_hosts", "x", &mask), 0);
    assert_int_equal(mask, 0);
}

/* @cert-authority lines: only for the CA question, and by host pattern. */
static void
test_cert_authority(void **state)
{
    char *ca_line = fixture_line("certs/ca_ed25519.pub");
    char *cert_line = fixture_line("certs/host-cert.pub");
    struct sshkey *ca = NULL, *other = pub("id_ed25519"), *cert = NULL;
    char text[4096];
    enum hostkey_status st;
    unsigned line;
    bool trusted;

    assert_int_equal(sshkey_parse_public(ca_line, &ca, NULL), 0);
    assert_int_equal(sshkey_parse_public(cert_line, &cert, NULL), 0);
    snprintf(text, sizeof(text), "@cert-authority *.example,!bad.example %s\n",
             ca_line);
    assert_int_equal(
        knownhosts_check_ca_buf(text, strlen(text), "h.example", ca, &trusted),
        0);
    assert_true(trusted);
    assert_int_equal(knownhosts_check_ca_buf(text, strlen(text), "bad.example",
                                             ca, &trusted),
                     0);
    assert_false(trusted);
    assert_int_equal(knownhosts_check_ca_buf(text, strlen(text), "h.example",
                                             other, &trusted),
                     0);
    assert_false(trusted);
    /* The CA line is not a host key line: the host is still new. */
    assert_int_equal(
        knownhosts_check_buf(text, strlen(text), "h.example", ca, &st, &line),
        0);
    assert_int_equal(st, HOSTKEY_NEW);
    free(ca_line);
    free(cert_line);
    sshkey_free(ca);
    sshkey_free(cert);
    sshkey_free(other);
}

static void
test_revoked_cert_key(void **state)
{
    char *plain = fixture_line("certs/host_ed25519.pub");
    char *cert_line = fixture_line("certs/host-cert.pub");
    struct sshkey *cert = NULL;
    char text[4096];
    enum hostkey_status st;
    unsigned line;

    assert_int_equal(sshkey_parse_public(cert_line, &cert, NULL), 0);
    snprintf(text, sizeof(text), "@revoked * %s\n", plain);
    assert_int_equal(
        knownhosts_check_buf(text, strlen(text), "h", cert, &st, &line), 0);
    assert_int_equal(st, HOSTKEY_REVOKED);
    free(plain);
    free(cert_line);
    sshkey_free(cert);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_plain_and_hashed),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_buf_edge_cases),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_known_types),
        cmocka_unit_test(test_cert_authority),
        cmocka_unit_test(test_revoked_cert_key),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
