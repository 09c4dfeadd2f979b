/* SPDX-License-Identifier: ISC */
/* Unit tests: aditd's configuration file. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/server_config.h"
#include "util/err.h"
#include "util/log.h"

static const char *good = "# aditd test\n"
                          "ListenAddress 127.0.0.1:2222\n"
                          "  listenaddress [::1]\n"
                          "Port 2200\n"
                          "HostKey /k1\n"
                          "HostKey /k2\n"
                          "AuthorizedKeysFile /etc/adit/%u.keys\n"
                          "LogLevel VERBOSE\n"
                          "Ciphers aes256-ctr\n"
                          "KexAlgorithms curve25519-sha256\n"
                          "MACs hmac-sha2-256-etm@openssh.com\n"
                          "MaxAuthTries 3\n"
                          "LoginGraceTime 1m30s\n"
                          "RekeyLimit 64M 1h\n"
                          "RekeyLimit 1G none\n";

static void
write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
test_server_config_file(void **state)
{
    struct server_config c;
    char path[256], why[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/aditd_config", test_tmpdir());
    write_file(path, good);
    server_config_init(&c);
    assert_int_equal(server_config_load(&c, path, why, sizeof(why)), 0);
    assert_int_equal(c.n_listen, 2);
    assert_string_equal(c.listen[0].host, "127.0.0.1");
    assert_int_equal(c.listen[0].port, 2222);
    assert_string_equal(c.listen[1].host, "::1");
    assert_int_equal(c.listen[1].port, 0);
    assert_int_equal(c.n_ports, 1);
    assert_int_equal(c.ports[0], 2200);
    assert_int_equal(c.n_host_keys, 2);
    assert_string_equal(c.host_keys[1], "/k2");
    assert_int_equal(c.log_level, LOG_VERBOSE);
    assert_int_equal(c.max_auth_tries, 3);
    assert_int_equal(c.login_grace, 90);
    assert_true(c.rekey_bytes == 64 * 1048576); /* the first one wins */
    assert_int_equal(c.rekey_seconds, 3600);
    assert_int_equal(server_config_finish(&c, "/d"), 0);
    assert_string_equal(c.authorized_keys_file, "/etc/adit/%u.keys");
    server_config_cleanup(&c);
}

static void
test_server_config_defaults(void **state)
{
    struct server_config c;

    (void)state;
    server_config_init(&c);
    assert_int_equal(server_config_finish(&c, "/etc/adit"), 0);
    assert_int_equal(c.n_ports, 1);
    assert_int_equal(c.ports[0], 22);
    assert_int_equal(c.n_listen, 1);
    assert_null(c.listen[0].host);
    assert_string_equal(c.host_keys[0], "/etc/adit/aditd_host_ed25519_key");
    assert_string_equal(c.authorized_keys_file, "/etc/adit/authorized_keys");
    assert_true(c.rekey_bytes == -1);
    assert_int_equal(c.rekey_seconds, -1);
    server_config_cleanup(&c);
}

static void
test_server_config_errors(void **state)
{
    static const char *bad[] = {
        "Frobnicate yes",     "Port",
        "Port 65536",         "Port x",
        "ListenAddress [::1", "ListenAddress h:0",
        "MaxAuthTries 0",     "LoginGraceTime 5x",
        "LogLevel LOUD",      "HostKey \"a",
        "RekeyLimit 8",       "RekeyLimit 1T",
        "RekeyLimit 1M 1h x", "RekeyLimit none",
        "RekeyLimit 1M soon",
    };
    struct server_config c;
    char why[256], path[256];
    size_t i;

    (void)state;
    server_config_init(&c);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(server_config_line(&c, bad[i], why, 256), ERR_CONFIG);
    }
    assert_int_equal(server_config_line(&c, "Frobnicate yes", why, 256),
                     ERR_CONFIG);
    assert_string_equal(why, "Bad configuration option: Frobnicate");
    snprintf(path, sizeof(path), "%s/c", test_tmpdir());
    write_file(path, "Port 1\n\nfoo bar\n");
    assert_int_equal(server_config_load(&c, path, why, 256), ERR_CONFIG);
    assert_non_null(strstr(why, "line 3: Bad configuration option: foo"));
    assert_int_equal(server_config_load(&c, "/nonexistent/x", why, 256),
                     ERR_NOTFOUND);
    server_config_cleanup(&c);
}

static void
test_server_config_rekey_limit(void **state)
{
    struct server_config c;
    char why[256];

    (void)state;
    server_config_init(&c);
    assert_int_equal(
        server_config_line(&c, "RekeyLimit default none", why, 256), 0);
    assert_true(c.rekey_bytes == 0);
    assert_int_equal(c.rekey_seconds, 0);
    server_config_cleanup(&c);
    server_config_init(&c);
    assert_int_equal(server_config_line(&c, "RekeyLimit 4k", why, 256), 0);
    assert_int_equal(server_config_line(&c, "RekeyLimit 8k 2m", why, 256), 0);
    assert_true(c.rekey_bytes == 4096);
    assert_int_equal(c.rekey_seconds, 120);
    server_config_cleanup(&c);
}

/* Compression yes, delayed (sshd's synonym) or no; first value wins. */
static void
test_server_config_compression(void **state)
{
    struct server_config c;
    char why[256];

    (void)state;
    server_config_init(&c);
    assert_int_equal(c.compression, -1);
    assert_int_equal(server_config_line(&c, "Compression no", why, 256), 0);
    assert_int_equal(server_config_line(&c, "Compression yes", why, 256), 0);
    assert_int_equal(c.compression, 0);
    server_config_cleanup(&c);
    server_config_init(&c);
    assert_int_equal(server_config_line(&c, "compression delayed", why, 256),
                     0);
    assert_int_equal(c.compression, 1);
    assert_int_equal(server_config_line(&c, "Compression zstd", why, 256),
                     ERR_CONFIG);
    assert_string_equal(why, "bad Compression argument \"zstd\"");
    server_config_cleanup(&c);
}

static void
test_server_config_expand(void **state)
{
    char *p = NULL;

    (void)state;
    assert_int_equal(server_config_expand("/k/%u/a%%b", "bob", NULL, &p), 0);
    assert_string_equal(p, "/k/bob/a%b");
    free(p);
    assert_int_equal(server_config_expand("/k/%x", "bob", NULL, &p),
                     ERR_CONFIG);
    assert_int_equal(server_config_expand("/k/%h", "bob", NULL, &p),
                     ERR_NOTFOUND);
    assert_int_equal(server_config_expand("%h/.ssh/%u", "bob", "/home/b", &p),
                     0);
    assert_string_equal(p, "/home/b/.ssh/bob");
    free(p);
    assert_int_equal(server_config_expand("/k/%u", "../x", NULL, &p),
                     ERR_DENIED);
    assert_int_equal(server_config_expand("/k/%u", "a/b", NULL, &p),
                     ERR_DENIED);
    assert_int_equal(server_config_expand("/k/%u", "", NULL, &p), ERR_DENIED);
    assert_null(p);
}

static void
test_server_config_forwarding(void **state)
{
    static const char *bad[] = {
        "AllowTcpForwarding maybe", "GatewayPorts sometimes",
        "DisableForwarding 2",      "PermitOpen localhost",
        "PermitOpen host:0",        "PermitOpen any host:22",
        "PermitListen [::1",        "ClientAliveInterval x",
        "ClientAliveCountMax -1",   "AllowStreamLocalForwarding x",
    };
    struct server_config c;
    char why[256];
    size_t i;

    (void)state;
    server_config_init(&c);
    assert_int_equal(server_config_finish(&c, "/x"), 0);
    /* Defaults: sshd's, except Unix sockets are off. */
    assert_int_equal(c.fwd.allow_tcp, FWD_ALLOW_ALL);
    assert_int_equal(c.fwd.allow_streamlocal, 0);
    assert_int_equal(c.fwd.disable, 0);
    assert_int_equal(c.fwd.gateway_ports, GATEWAY_NO);
    assert_int_equal(c.fwd.alive_interval, 0);
    assert_int_equal(c.fwd.alive_count_max, 3);
    assert_true(permit_list_allows(&c.fwd.permit_open, false, "h", 1));
    server_config_cleanup(&c);

    server_config_init(&c);
    assert_int_equal(
        server_config_line(&c, "allowtcpforwarding remote", why, 256), 0);
    assert_int_equal(server_config_line(&c, "AllowTcpForwarding no", why, 256),
                     0);
    assert_int_equal(
        server_config_line(&c, "GatewayPorts clientspecified", why, 256), 0);
    assert_int_equal(server_config_line(&c, "PermitOpen a:1 [::1]:*", why, 256),
                     0);
    assert_int_equal(server_config_line(&c, "PermitOpen any", why, 256), 0);
    assert_int_equal(server_config_line(&c, "PermitListen none", why, 256), 0);
    assert_int_equal(server_config_line(&c, "ClientAliveInterval 1m", why, 256),
                     0);
    assert_int_equal(server_config_line(&c, "ClientAliveCountMax 0", why, 256),
                     0);
    assert_int_equal(server_config_finish(&c, "/x"), 0);
    assert_int_equal(c.fwd.allow_tcp, FWD_ALLOW_REMOTE); /* first wins */
    assert_int_equal(c.fwd.gateway_ports, GATEWAY_CLIENTSPECIFIED);
    assert_int_equal(c.fwd.permit_open.n, 2); /* the first line */
    assert_true(permit_list_allows(&c.fwd.permit_open, false, "::1", 5));
    assert_false(permit_list_allows(&c.fwd.permit_open, false, "b", 1));
    assert_false(permit_list_allows(&c.fwd.permit_listen, true, "x", 1));
    assert_int_equal(c.fwd.alive_interval, 60);
    assert_int_equal(c.fwd.alive_count_max, 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(server_config_line(&c, bad[i], why, 256), ERR_CONFIG);
        assert_non_null(strstr(why, "bad "));
    }
    server_config_cleanup(&c);
}

static void
test_server_config_limits(void **state)
{
    static const char *bad[] = {
        "MaxStartups 0",
        "MaxStartups 20:30:10",
        "MaxStartups 1:0:5",
        "MaxStartups 1:101:5",
        "MaxStartups 1:2",
        "MaxStartups x",
        "PerSourceMaxStartups -1",
        "PerSourceMaxStartups x",
        "PerSourceNetBlockSize 33",
        "PerSourceNetBlockSize 24:129",
        "PerSourceNetBlockSize :64",
        "MaxSessions -1",
        "PerSourcePenalties crash",
        "PerSourcePenalties crash:x",
        "PerSourcePenalties bogus:1",
        "PerSourcePenalties yes crash:1",
        "PerSourcePenalties overflow:maybe",
        "PerSourcePenaltyExemptList 10.0.0.1/8",
    };
    struct server_config c;
    char why[256];
    size_t i;

    (void)state;
    server_config_init(&c);
    assert_int_equal(server_config_finish(&c, "/x"), 0);
    /* sshd 9.8's defaults, penalties on. */
    assert_int_equal(c.limits.startups_begin, 10);
    assert_int_equal(c.limits.startups_rate, 30);
    assert_int_equal(c.limits.startups_max, 100);
    assert_int_equal(c.limits.per_source_max, LIMITS_NO_LIMIT);
    assert_int_equal(c.limits.netblock4, 32);
    assert_int_equal(c.limits.netblock6, 128);
    assert_int_equal(c.limits.max_sessions, 10);
    assert_int_equal(c.limits.pen.enabled, 1);
    assert_int_equal(c.limits.pen.authfail, 5);
    assert_int_equal(c.limits.pen.noauth, 1);
    assert_int_equal(c.limits.pen.grace, 10);
    assert_int_equal(c.limits.pen.max, 600);
    assert_int_equal(c.limits.pen.min, 15);
    assert_int_equal(c.limits.pen.max_sources4, 65536);
    assert_int_equal(c.limits.pen.overflow, PENALTY_PERMISSIVE);
    assert_null(c.limits.penalty_exempt);
    server_config_cleanup(&c);

    server_config_init(&c);
    /* MaxStartups and PerSourceNetBlockSize: the last wins, as sshd. */
    assert_int_equal(server_config_line(&c, "MaxStartups 3:50:8", why, 256), 0);
    assert_int_equal(server_config_line(&c, "MaxStartups 7", why, 256), 0);
    assert_int_equal(
        server_config_line(&c, "PerSourceNetBlockSize 24:64", why, 256), 0);
    assert_int_equal(
        server_config_line(&c, "PerSourceNetBlockSize 16", why, 256), 0);
    assert_int_equal(server_config_line(&c, "PerSourceMaxStartups 2", why, 256),
                     0);
    assert_int_equal(
        server_config_line(&c, "PerSourceMaxStartups none", why, 256), 0);
    assert_int_equal(server_config_line(&c, "MaxSessions 0", why, 256), 0);
    assert_int_equal(server_config_line(&c, "MaxSessions 5", why, 256), 0);
    assert_int_equal(server_config_line(&c,
                                        "PerSourcePenalties authfail:1m "
                                        "max-sources6:7 overflow6:deny-all",
                                        why, 256),
                     0);
    assert_int_equal(
        server_config_line(&c, "PerSourcePenalties authfail:2", why, 256), 0);
    assert_int_equal(server_config_line(&c,
                                        "PerSourcePenaltyExemptList "
                                        "127.0.0.5,10.0.0.0/8,!10.1.*",
                                        why, 256),
                     0);
    assert_int_equal(server_config_finish(&c, "/x"), 0);
    assert_int_equal(c.limits.startups_begin, 7);
    assert_int_equal(c.limits.startups_max, 7);
    assert_int_equal(c.limits.netblock4, 16);
    assert_int_equal(c.limits.netblock6, 64);
    assert_int_equal(c.limits.per_source_max, 2);
    assert_int_equal(c.limits.max_sessions, 0);
    assert_int_equal(c.limits.pen.authfail, 60); /* first wins */
    assert_int_equal(c.limits.pen.max_sources6, 7);
    assert_int_equal(c.limits.pen.overflow6, PENALTY_DENY_ALL);
    assert_int_equal(c.limits.pen.noauth, 1);
    assert_string_equal(c.limits.penalty_exempt,
                        "127.0.0.5,10.0.0.0/8,!10.1.*");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(server_config_line(&c, bad[i], why, 256), ERR_CONFIG);
        assert_non_null(strstr(why, "bad "));
    }
    server_config_cleanup(&c);

    server_config_init(&c);
    assert_int_equal(server_config_line(&c, "PerSourcePenalties no", why, 256),
                     0);
    assert_int_equal(server_config_finish(&c, "/x"), 0);
    assert_int_equal(c.limits.pen.enabled, 0);
    server_config_cleanup(&c);
}

/* "mallory": the group database cannot answer for this user. */
static int
fake_in_group(const char *user, const char *list)
{
    if (strcmp(user, "mallory") == 0) {
        return ERR_IO;
    }
    return strcmp(user, "alice") == 0 && strstr(list, "wheel") != NULL;
}

static void
test_server_config_match_eval(void **state)
{
    struct match_info mi;
    char why[256];

    (void)state;
    memset(&mi, 0, sizeof(mi));
    mi.user = "alice";
    mi.host = "10.1.2.3";
    mi.addr = "10.1.2.3";
    mi.laddr = "127.0.0.1";
    mi.lport = 22;
    mi.in_group = fake_in_group;
    assert_int_equal(server_match_eval("All", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("all", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("User alice", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("User ALICE", &mi, why, 256), 0);
    assert_int_equal(server_match_eval("User a*,!bob", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("User *,!alice", &mi, why, 256), 0);
    assert_int_equal(
        server_match_eval("user alice address 10.0.0.0/8", &mi, why, 256), 1);
    assert_int_equal(
        server_match_eval("User alice Address 192.168.0.0/16", &mi, why, 256),
        0);
    assert_int_equal(server_match_eval("Host 10.1.*", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("LocalAddress 127.0.0.1", &mi, why, 256),
                     1);
    assert_int_equal(server_match_eval("LocalPort 22", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("LocalPort 2222", &mi, why, 256), 0);
    assert_int_equal(server_match_eval("Group wheel", &mi, why, 256), 1);
    assert_int_equal(server_match_eval("Group staff", &mi, why, 256), 0);
    /* A database that cannot answer fails the Match, never "no match". */
    mi.user = "mallory";
    assert_int_equal(server_match_eval("Group wheel", &mi, why, 256), ERR_IO);
    assert_non_null(strstr(why, "group database could not be read"));
    mi.user = "alice";
    /* Unknown fields do not match; -T refuses a LocalPort without one. */
    mi.user = NULL;
    mi.lport = -1;
    assert_int_equal(server_match_eval("User *", &mi, why, 256), 0);
    assert_int_equal(server_match_eval("LocalPort 22", &mi, why, 256), 0);
    mi.test = true;
    assert_int_equal(server_match_eval("LocalPort 22", &mi, why, 256),
                     ERR_CONFIG);
    assert_non_null(strstr(why, "'lport' not in connection test"));
    /* Bad criteria. */
    assert_int_equal(server_match_check("All User a", why, 256), ERR_CONFIG);
    assert_non_null(strstr(why, "'all' cannot be combined"));
    assert_int_equal(server_match_check("User", why, 256), ERR_CONFIG);
    assert_int_equal(server_match_check("Bogus x", why, 256), ERR_CONFIG);
    assert_int_equal(server_match_check("Address 10.0.0.1/8", why, 256),
                     ERR_CONFIG);
    assert_int_equal(server_match_check("LocalPort 0", why, 256), ERR_CONFIG);
    assert_int_equal(server_match_check("User a Address 10.0.0.0/8", why, 256),
                     0);
}

static void
test_server_config_match_blocks(void **state)
{
    static const char *lines[] = {
        "AllowTcpForwarding no",
        "PermitOpen a:1",
        "MaxSessions 4",
        "Match User alice",
        "  AllowTcpForwarding local",
        "  MaxSessions 1",
        "Match All",
        "  AllowTcpForwarding remote",
        "  PermitOpen b:2",
        "  MaxAuthTries 2",
    };
    struct server_config c, eff;
    struct match_info mi;
    char why[256], *buf = NULL;
    size_t i;

    (void)state;
    server_config_init(&c);
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        assert_int_equal(server_config_line(&c, lines[i], why, 256), 0);
    }
    assert_int_equal(server_config_line(&c, "  Port 22", why, 256), ERR_CONFIG);
    assert_string_equal(why, "Directive 'Port' is not allowed within a Match "
                             "block");
    assert_int_equal(server_config_line(&c, "  LogLevel DEBUG", why, 256),
                     ERR_CONFIG);
    assert_int_equal(server_config_line(&c, "  MaxSessions x", why, 256),
                     ERR_CONFIG);
    assert_int_equal(server_config_line(&c, "Match", why, 256), ERR_CONFIG);
    assert_string_equal(why, "no argument after keyword \"Match\"");
    assert_int_equal(server_config_finish(&c, "/x"), 0);
    /* The global values are the server's own. */
    assert_int_equal(c.fwd.allow_tcp, 0);
    assert_int_equal(c.limits.max_sessions, 4);
    assert_int_equal(c.n_matches, 2);

    assert_int_equal(
        server_match_spec("user=alice,addr=1.2.3.4", &mi, &buf, why, 256), 0);
    assert_int_equal(server_config_for(&c, &mi, &eff, why, 256), 0);
    assert_int_equal(eff.fwd.allow_tcp, FWD_ALLOW_LOCAL); /* first block */
    assert_int_equal(eff.limits.max_sessions, 1);
    assert_true(permit_list_allows(&eff.fwd.permit_open, false, "b", 2));
    assert_int_equal(eff.max_auth_tries, 2);
    server_config_cleanup(&eff);
    free(buf);

    assert_int_equal(server_match_spec("user=bob", &mi, &buf, why, 256), 0);
    assert_int_equal(server_config_for(&c, &mi, &eff, why, 256), 0);
    assert_int_equal(eff.fwd.allow_tcp, FWD_ALLOW_REMOTE);
    assert_int_equal(eff.limits.max_sessions, 4); /* global */
    assert_string_equal(eff.dir, "/x");
    server_config_cleanup(&eff);
    free(buf);
    assert_int_equal(server_match_spec("user=bob,port=2", &mi, &buf, why, 256),
                     ERR_CONFIG);
    assert_string_equal(why, "Invalid test mode specification port=2");
    free(buf);
    server_config_cleanup(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_config_file),
        cmocka_unit_test(test_server_config_defaults),
        cmocka_unit_test(test_server_config_errors),
        cmocka_unit_test(test_server_config_expand),
        cmocka_unit_test(test_server_config_rekey_limit),
        cmocka_unit_test(test_server_config_forwarding),
        cmocka_unit_test(test_server_config_compression),
        cmocka_unit_test(test_server_config_limits),
        cmocka_unit_test(test_server_config_match_eval),
        cmocka_unit_test(test_server_config_match_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
