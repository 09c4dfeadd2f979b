/* SPDX-License-Identifier: ISC */
/* Unit tests: client options (-o). */
#include "testutil.h"

#include <string.h>

#include "config/client_config.h"
#include "util/err.h"
#include "util/log.h"

static void
test_client_config_forms(void **state)
{
    struct client_config c;
    char why[256];

    (void)state;
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "Port=2222", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "port 2223", why, 256), 0);
    assert_int_equal(c.port, 2222); /* first value wins */
    assert_int_equal(client_config_apply(&c, "USER = bob", why, 256), 0);
    assert_string_equal(c.user, "bob");
    assert_int_equal(client_config_apply(&c, "IdentityFile \"/a b\"", why, 256),
                     0);
    assert_int_equal(client_config_apply(&c, "identityfile=/c", why, 256), 0);
    assert_int_equal(c.n_identity_files, 2);
    assert_string_equal(c.identity_files[0], "/a b");
    assert_string_equal(c.identity_files[1], "/c");
    assert_int_equal(
        client_config_apply(&c, "LocalForward 1234 h:80", why, 256), 0);
    assert_int_equal(
        client_config_apply(&c, "LocalForward=*:1:[::1]:2", why, 256), 0);
    assert_int_equal(c.n_local_fwds, 2);
    assert_int_equal(c.local_fwds[1].bind_kind, FWDSPEC_BIND_ANY);
    assert_int_equal(client_config_apply(&c, "", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "# x", why, 256), 0);
    client_config_cleanup(&c);
}

static void
test_client_config_values(void **state)
{
    struct client_config c;
    char why[256];

    (void)state;
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c,
                                         "StrictHostKeyChecking="
                                         "accept-new",
                                         why, 256),
                     0);
    assert_int_equal(c.strict_hostkey, STRICT_HOSTKEY_ACCEPT_NEW);
    assert_int_equal(client_config_apply(&c, "HashKnownHosts yes", why, 256),
                     0);
    assert_int_equal(c.hash_known_hosts, 1);
    assert_int_equal(client_config_apply(&c, "ConnectTimeout 5", why, 256), 0);
    assert_int_equal(c.connect_timeout, 5);
    assert_int_equal(client_config_apply(&c, "LogLevel debug2", why, 256), 0);
    assert_int_equal(c.log_level, LOG_DEBUG2);
    assert_int_equal(
        client_config_apply(&c, "ExitOnForwardFailure yes", why, 256), 0);
    assert_int_equal(c.exit_on_forward_failure, 1);
    assert_int_equal(client_config_apply(&c, "BatchMode no", why, 256), 0);
    assert_int_equal(c.batch_mode, 0);
    assert_int_equal(client_config_apply(&c, "Ciphers aes128-ctr", why, 256),
                     0);
    assert_int_equal(client_config_apply(&c, "KexAlgorithms k", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "MACs m", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "HostKeyAlgorithms h", why, 256),
                     0);
    assert_int_equal(client_config_apply(&c, "UserKnownHostsFile /k", why, 256),
                     0);
    assert_int_equal(
        client_config_apply(&c, "GlobalKnownHostsFile /g", why, 256), 0);
    assert_string_equal(c.ciphers, "aes128-ctr");
    assert_string_equal(c.user_known_hosts, "/k");
    client_config_cleanup(&c);
}

static void
test_client_config_errors(void **state)
{
    struct client_config c;
    char why[256];

    (void)state;
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "foo=bar", why, 256), ERR_CONFIG);
    assert_string_equal(why, "Bad configuration option: foo");
    assert_int_equal(client_config_apply(&c, "Port", why, 256), ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "Port=0", why, 256), ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "Port=65536", why, 256),
                     ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "Port=2x", why, 256), ERR_CONFIG);
    assert_int_equal(
        client_config_apply(&c, "StrictHostKeyChecking=maybe", why, 256),
        ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "LocalForward=1:h", why, 256),
                     ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "LogLevel loud", why, 256),
                     ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "User \"bob", why, 256),
                     ERR_CONFIG);
    assert_int_equal(c.port, -1);
    client_config_cleanup(&c);
}

/* RekeyLimit as ssh_config(5): bytes (K/M/G), then an optional time. */
/* ProxyJump and ProxyCommand: the first one set wins, as in ssh. */
static void
test_client_config_proxy(void **state)
{
    struct client_config c;
    char why[256];

    (void)state;
    client_config_init(&c);
    assert_int_equal(
        client_config_apply(&c, "ProxyJump a@b:2,c", why, sizeof(why)), 0);
    assert_int_equal(
        client_config_apply(&c, "ProxyCommand nc %h %p", why, sizeof(why)), 0);
    assert_string_equal(c.proxy_jump, "a@b:2,c");
    assert_null(c.proxy_command);
    client_config_cleanup(&c);
    assert_int_equal(
        client_config_apply(&c, "ProxyCommand nc %h %p", why, sizeof(why)), 0);
    assert_int_equal(client_config_apply(&c, "ProxyJump b", why, sizeof(why)),
                     0);
    assert_string_equal(c.proxy_command, "nc %h %p");
    assert_null(c.proxy_jump);
    client_config_cleanup(&c);
    assert_int_equal(client_config_apply(&c, "ProxyJump a@", why, sizeof(why)),
                     ERR_CONFIG);
    assert_string_equal(why, "Bad ProxyJump argument 'a@'.");
    assert_int_equal(
        client_config_apply(&c, "AddressFamily inet6", why, sizeof(why)), 0);
    assert_int_equal(c.address_family, CLIENT_AF_INET6);
    assert_int_equal(
        client_config_apply(&c, "AddressFamily ipx", why, sizeof(why)),
        ERR_CONFIG);
    assert_int_equal(
        client_config_apply(&c, "ConnectionAttempts 3", why, sizeof(why)), 0);
    assert_int_equal(c.connection_attempts, 3);
    client_config_cleanup(&c);
}

static void
test_client_config_rekey_limit(void **state)
{
    static const struct {
        const char *line;
        int64_t bytes;
        int seconds;
    } good[] = {
        {"RekeyLimit 1M", 1048576, -1},
        {"RekeyLimit=512k 1h", 524288, 3600},
        {"rekeylimit 2G none", 2147483648LL, 0},
        {"RekeyLimit default 30m", 0, 1800},
        {"RekeyLimit DEFAULT NONE", 0, 0},
        {"RekeyLimit 16 1h30m", 16, 5400},
        {"RekeyLimit 0", 0, -1},
    };
    static const char *bad[] = {
        "RekeyLimit 15",       "RekeyLimit 1X",
        "RekeyLimit M",        "RekeyLimit 1.5G",
        "RekeyLimit -1",       "RekeyLimit 1M 1x",
        "RekeyLimit 1M 1h 2h", "RekeyLimit none",
        "RekeyLimit 1M h",     "RekeyLimit 99999999999999999999G",
        "RekeyLimit 1M 2y",
    };
    struct client_config c;
    char why[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        client_config_init(&c);
        assert_int_equal(client_config_apply(&c, good[i].line, why, 256), 0);
        assert_true(c.rekey_bytes == good[i].bytes);
        assert_int_equal(c.rekey_seconds, good[i].seconds);
        client_config_cleanup(&c);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        client_config_init(&c);
        assert_int_equal(client_config_apply(&c, bad[i], why, 256), ERR_CONFIG);
        assert_true(c.rekey_bytes == -1);
        assert_int_equal(c.rekey_seconds, -1);
        client_config_cleanup(&c);
    }
    /* The first value wins, for each part on its own. */
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "RekeyLimit 1M", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "RekeyLimit 2M 10s", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "RekeyLimit 3M 20s", why, 256), 0);
    assert_true(c.rekey_bytes == 1048576);
    assert_int_equal(c.rekey_seconds, 10);
    client_config_cleanup(&c);
}

/* The keywords of issue 3: each lands in its field, first value wins. */
static void
test_client_config_fields(void **state)
{
    static const char *lines[] = {
        "HostName h.example",
        "HostName other",
        "IdentitiesOnly yes",
        "IdentityAgent /agent",
        "CertificateFile /c1",
        "CertificateFile /c2",
        "RemoteForward 0 h:22",
        "RemoteForward 9000",
        "DynamicForward 1080",
        "HostKeyAlias alias",
        "PubkeyAcceptedAlgorithms ssh-ed25519",
        "PermitRemoteOpen h:1 *:2",
        "SetEnv A=1 B=x=y",
        "SetEnv C=3",
        "SendEnv LANG LC_*",
        "SendEnv TZ",
        "ProxyJump j@b:2,c",
        "ProxyCommand nc %h %p",
        "ConnectTimeout 1m",
        "ConnectionAttempts 3",
        "AddressFamily inet6",
        "BindAddress 127.0.0.2",
        "ServerAliveInterval 15",
        "ServerAliveCountMax 4",
        "TCPKeepAlive no",
        "Compression yes",
        "GatewayPorts yes",
        "ControlPath ~/c-%C",
        "SessionType none",
        "RequestTTY no",
        "ForkAfterAuthentication yes",
        "StdinNull yes",
        "ForwardX11 yes",
    };
    struct client_config c;
    char why[256];
    size_t i;

    (void)state;
    client_config_init(&c);
    for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
        if (client_config_apply(&c, lines[i], why, 256) != 0) {
            fail_msg("%s: %s", lines[i], why);
        }
    }
    assert_string_equal(c.hostname, "h.example");
    assert_int_equal(c.identities_only, 1);
    assert_string_equal(c.identity_agent, "/agent");
    assert_int_equal(c.n_certificate_files, 2);
    assert_string_equal(c.certificate_files[1], "/c2");
    assert_int_equal(c.n_remote_fwds, 2);
    assert_int_equal(c.remote_fwds[0].listen_port, 0);
    assert_true(fwdspec_is_dynamic(&c.remote_fwds[1]));
    assert_int_equal(c.n_dynamic_fwds, 1);
    assert_string_equal(c.host_key_alias, "alias");
    assert_string_equal(c.pubkey_accepted_algs, "ssh-ed25519");
    assert_string_equal(c.permit_remote_open, "h:1 *:2");
    assert_int_equal(c.n_set_env, 2); /* only the first SetEnv line */
    assert_string_equal(c.set_env[1], "B=x=y");
    assert_int_equal(c.n_send_env, 3);
    assert_string_equal(c.send_env[1], "LC_*");
    assert_string_equal(c.proxy_jump, "j@b:2,c");
    assert_null(c.proxy_command); /* ProxyJump came first */
    assert_int_equal(c.connect_timeout, 60);
    assert_int_equal(c.connection_attempts, 3);
    assert_int_equal(c.address_family, CLIENT_AF_INET6);
    assert_string_equal(c.bind_address, "127.0.0.2");
    assert_int_equal(c.server_alive_interval, 15);
    assert_int_equal(c.server_alive_count_max, 4);
    assert_int_equal(c.tcp_keep_alive, 0);
    assert_int_equal(c.compression, 1);
    assert_int_equal(c.gateway_ports, 1);
    assert_string_equal(c.control_path, "~/c-%C");
    assert_int_equal(c.session_type, CLIENT_SESSION_NONE);
    assert_int_equal(c.request_tty, CLIENT_TTY_NO);
    assert_int_equal(c.fork_after_auth, 1);
    assert_int_equal(c.stdin_null, 1);
    assert_int_equal(c.forward_x11, 1);
    client_config_cleanup(&c);
}

/* ForwardAgent as ssh's readconf.c reads it: a flag, or a path that turns
 * the flag on if unset and is kept even after a "no"; X11 keywords. */
static void
test_client_config_forwarding(void **state)
{
    struct client_config c;
    char why[256];

    (void)state;
    client_config_init(&c);
    assert_int_equal(c.forward_agent, -1);
    assert_int_equal(client_config_apply(&c, "ForwardAgent no", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "ForwardAgent ~/a.sock", why, 256),
                     0);
    assert_int_equal(c.forward_agent, 0);
    assert_string_equal(c.forward_agent_path, "~/a.sock");
    assert_int_equal(client_config_apply(&c, "ForwardAgent /b", why, 256), 0);
    assert_string_equal(c.forward_agent_path, "~/a.sock");
    client_config_cleanup(&c);
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "ForwardAgent $MY_SOCK", why, 256),
                     0);
    assert_int_equal(c.forward_agent, 1);
    assert_string_equal(c.forward_agent_path, "$MY_SOCK");
    client_config_cleanup(&c);
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "ForwardAgent $1X", why, 256),
                     ERR_CONFIG);
    assert_string_equal(why, "Invalid environment name $1X.");
    assert_int_equal(client_config_apply(&c, "ForwardAgent $A-B", why, 256),
                     ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "ForwardAgent $", why, 256),
                     ERR_CONFIG);
    assert_int_equal(
        client_config_apply(&c, "ForwardAgent ${HOME}/s", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "ForwardX11Trusted yes", why, 256),
                     0);
    assert_int_equal(client_config_apply(&c, "ForwardX11Timeout 5m", why, 256),
                     0);
    assert_int_equal(
        client_config_apply(&c, "XAuthLocation /opt/bin/xauth", why, 256), 0);
    assert_int_equal(client_config_apply(&c, "ForwardX11 maybe", why, 256),
                     ERR_CONFIG);
    assert_int_equal(c.forward_x11, -1);
    assert_int_equal(c.forward_x11_trusted, 1);
    assert_int_equal(c.forward_x11_timeout, 300);
    assert_string_equal(c.xauth_location, "/opt/bin/xauth");
    client_config_cleanup(&c);
}

static void
test_client_config_field_errors(void **state)
{
    static const char *bad[] = {
        "SetEnv A",          "SetEnv =x",
        "AddressFamily ipx", "ConnectTimeout 1y",
        "RequestTTY maybe",  "DynamicForward 0",
        "RemoteForward 1:h", "ServerAliveCountMax -1",
    };
    struct client_config c;
    char why[256];
    bool ign = true;
    size_t i;

    (void)state;
    client_config_init(&c);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (client_config_apply(&c, bad[i], why, 256) != ERR_CONFIG) {
            fail_msg("accepted %s", bad[i]);
        }
    }
    assert_int_equal(client_config_set2(&c, "Nonsense", "1", &ign, why, 256),
                     ERR_NOTFOUND);
    assert_string_equal(why, "Bad configuration option: Nonsense");
    assert_int_equal(
        client_config_set2(&c, "visualhostkey", "yes", &ign, why, 256), 0);
    assert_true(ign);
    assert_true(client_config_is_keyword("CHECKHOSTIP"));
    assert_false(client_config_is_keyword("Host"));
    client_config_apply(&c, "AddressFamily ipx", why, 256);
    assert_string_equal(why, "unsupported option \"ipx\".");
    client_config_cleanup(&c);
}

/* ServerAlive*, TCPKeepAlive: ssh's value forms; first value wins. */
static void
test_client_config_alive(void **state)
{
    struct client_config c;
    char why[256];

    (void)state;
    client_config_init(&c);
    assert_int_equal(c.server_alive_interval, -1);
    assert_int_equal(c.tcp_keep_alive, -1);
    assert_int_equal(
        client_config_apply(&c, "ServerAliveInterval 1m30s", why, 256), 0);
    assert_int_equal(c.server_alive_interval, 90);
    assert_int_equal(client_config_apply(&c, "ServerAliveInterval 5", why, 256),
                     0);
    assert_int_equal(c.server_alive_interval, 90);
    assert_int_equal(client_config_apply(&c, "serveralivecountmax=0", why, 256),
                     0);
    assert_int_equal(c.server_alive_count_max, 0);
    assert_int_equal(client_config_apply(&c, "TCPKeepAlive no", why, 256), 0);
    assert_int_equal(c.tcp_keep_alive, 0);
    assert_int_equal(
        client_config_apply(&c, "ServerAliveCountMax -1", why, 256),
        ERR_CONFIG);
    assert_int_equal(
        client_config_apply(&c, "ServerAliveInterval 5x", why, 256),
        ERR_CONFIG);
    assert_int_equal(client_config_apply(&c, "TCPKeepAlive maybe", why, 256),
                     ERR_CONFIG);
    client_config_cleanup(&c);
}

/* Reconnect mode's keywords and the keepalive defaults they bring. */
static void
test_client_config_reconnect(void **state)
{
    static const char *const bad[] = {
        "ReconnectBackoff 0",     "ReconnectBackoff ,5",
        "ReconnectBackoff 5,2",   "ReconnectBackoff 1,x",
        "ReconnectBackoff 1,2,3", "Reconnect maybe",
    };
    struct client_config c;
    char why[256];
    size_t i;

    (void)state;
    client_config_init(&c);
    assert_int_equal(client_config_alive_interval(&c), 0);
    assert_int_equal(client_config_alive_count(&c), 3);
    assert_int_equal(client_config_apply(&c, "Reconnect yes", why, 256), 0);
    assert_int_equal(c.reconnect, 1);
    assert_int_equal(client_config_alive_interval(&c), 5);
    assert_int_equal(client_config_alive_count(&c), 3);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(client_config_apply(&c, bad[i], why, 256), ERR_CONFIG);
    }
    assert_int_equal(c.reconnect_backoff_min, -1);
    assert_int_equal(
        client_config_apply(&c, "ReconnectBackoff 2s,5m", why, 256), 0);
    assert_int_equal(c.reconnect_backoff_min, 2);
    assert_int_equal(c.reconnect_backoff_max, 300);
    /* The first value wins. */
    assert_int_equal(client_config_apply(&c, "ReconnectBackoff 7", why, 256),
                     0);
    assert_int_equal(c.reconnect_backoff_min, 2);
    assert_int_equal(
        client_config_apply(&c, "Destinations b-us b-eu", why, 256), 0);
    assert_string_equal(c.destinations, "b-us b-eu");
    assert_int_equal(client_config_apply(&c, "ServerAliveInterval 1", why, 256),
                     0);
    assert_int_equal(client_config_alive_interval(&c), 1);
    client_config_cleanup(&c);
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "ReconnectBackoff 90", why, 256),
                     0);
    assert_int_equal(c.reconnect_backoff_max, 90);
    client_config_cleanup(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_config_forms),
        cmocka_unit_test(test_client_config_values),
        cmocka_unit_test(test_client_config_proxy),
        cmocka_unit_test(test_client_config_errors),
        cmocka_unit_test(test_client_config_rekey_limit),
        cmocka_unit_test(test_client_config_fields),
        cmocka_unit_test(test_client_config_field_errors),
        cmocka_unit_test(test_client_config_forwarding),
        cmocka_unit_test(test_client_config_alive),
        cmocka_unit_test(test_client_config_reconnect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
