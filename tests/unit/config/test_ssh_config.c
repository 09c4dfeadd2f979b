/* SPDX-License-Identifier: ISC */
/* Unit tests: ssh_config files (Host, Match, Include, tokens, errors). */
#include "testutil.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/client_config.h"
#include "config/ssh_config.h"
#include "config/ssh_config_file.h"
#include "config/ssh_tokens.h"
#include "util/err.h"
#include "util/log.h"

/* Messages the parser gave, joined by newlines. */
struct diags {
    char text[4096];
};

static void
collect(void *arg, const char *msg)
{
    struct diags *d = arg;
    size_t n = strlen(d->text);

    snprintf(d->text + n, sizeof(d->text) - n, "%s\n", msg);
}

struct fixture {
    struct client_config c;
    struct ssh_config_read rd;
    struct diags d;
};

static void
fx_init(struct fixture *f, const char *host)
{
    memset(f, 0, sizeof(*f));
    client_config_init(&f->c);
    ssh_config_read_init(&f->rd, &f->c, host, "me", "/home/me");
    f->rd.diag = collect;
    f->rd.diag_arg = &f->d;
}

static int
fx_parse(struct fixture *f, const char *text)
{
    return ssh_config_parse(&f->rd, "t.conf", text, strlen(text), 0);
}

static void
test_ssh_config_host_patterns(void **state)
{
    static const char text[] = "Host web? *.example.com !bad.example.com\n"
                               "  Port 2201\n"
                               "Host other\n"
                               "  Port 2202\n"
                               "Host *\n"
                               "  Port 2203\n"
                               "  User everyone\n";
    static const struct {
        const char *host;
        int port;
    } want[] = {
        {"web1", 2201},  {"a.example.com", 2201}, {"bad.example.com", 2203},
        {"other", 2202}, {"web12", 2203},
    };
    struct fixture f;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        fx_init(&f, want[i].host);
        assert_int_equal(fx_parse(&f, text), 0);
        assert_int_equal(f.rd.n_bad, 0);
        if (f.c.port != want[i].port) {
            fail_msg("%s: port %d, want %d", want[i].host, f.c.port,
                     want[i].port);
        }
        assert_string_equal(f.c.user, "everyone");
        client_config_cleanup(&f.c);
    }
}

static void
test_ssh_config_first_wins_and_lists(void **state)
{
    static const char text[] = "Host *\n"
                               "IdentityFile ~/.ssh/a\n"
                               "LocalForward 1 h:2\n"
                               "Port 1\n"
                               "Host x\n"
                               "IdentityFile ~/.ssh/b\n"
                               "IdentityFile ~/.ssh/a\n"
                               "LocalForward 3 h:4\n"
                               "RemoteForward 5 h:6\n"
                               "DynamicForward 7\n"
                               "CertificateFile /c\n"
                               "SendEnv A\n"
                               "SendEnv B C\n"
                               "Port=2\n"
                               "Hostname \"h x\"\n";
    struct fixture f;

    (void)state;
    fx_init(&f, "x");
    assert_int_equal(fx_parse(&f, text), 0);
    assert_int_equal(f.rd.n_bad, 0);
    assert_int_equal(f.c.port, 1);
    assert_int_equal(f.c.n_identity_files, 2); /* the repeat is dropped */
    assert_string_equal(f.c.identity_files[1], "~/.ssh/b");
    assert_int_equal(f.c.n_local_fwds, 2);
    assert_int_equal(f.c.n_remote_fwds, 1);
    assert_int_equal(f.c.n_dynamic_fwds, 1);
    assert_int_equal(f.c.n_certificate_files, 1);
    assert_int_equal(f.c.n_send_env, 3);
    assert_string_equal(f.c.hostname, "h x");
    client_config_cleanup(&f.c);
}

static int
match_port(const char *host, const char *user, const char *text)
{
    struct fixture f;
    int port;

    fx_init(&f, host);
    f.rd.original_host = "Orig";
    if (user != NULL) {
        f.c.user = strdup(user);
    }
    assert_int_equal(fx_parse(&f, text), 0);
    assert_int_equal(f.rd.n_bad, 0);
    port = f.c.port;
    client_config_cleanup(&f.c);
    return port;
}

static void
test_ssh_config_match(void **state)
{
    (void)state;
    assert_int_equal(match_port("h", NULL, "Match host h\nPort 1\n"), 1);
    assert_int_equal(match_port("h", NULL, "Match !host h\nPort 1\n"), -1);
    assert_int_equal(match_port("h", NULL, "Match host a,h,b\nPort 1\n"), 1);
    assert_int_equal(match_port("h", NULL, "Match host *,!h\nPort 1\n"), -1);
    assert_int_equal(match_port("h", NULL, "Match originalhost orig\nPort 1\n"),
                     1);
    assert_int_equal(match_port("h", NULL, "Match user me\nPort 1\n"), 1);
    assert_int_equal(match_port("h", "bob", "Match user me\nPort 1\n"), -1);
    assert_int_equal(match_port("h", "bob",
                                "Match user b?b localuser me\n"
                                "Port 1\n"),
                     1);
    assert_int_equal(match_port("h", NULL, "Match all\nPort 1\n"), 1);
    assert_int_equal(match_port("h", NULL, "Match final\nPort 1\n"), -1);
    assert_int_equal(match_port("h", NULL, "Match canonical all\nPort 1\n"),
                     -1);
    /* Match host compares HostName once it is set, %h expanded. */
    assert_int_equal(match_port("db", NULL,
                                "Host db\nHostName %h.lan\n"
                                "Match host db.lan\nPort 1\n"),
                     1);
    /* Host lines compare the name as given, case-sensitively (ssh 9.2);
     * Match host folds case. */
    assert_int_equal(match_port("DB", NULL, "Host db\nPort 1\n"), -1);
    assert_int_equal(match_port("DB", NULL, "Match host db\nPort 1\n"), 1);
    /* Host lines compare the name given, never HostName. */
    assert_int_equal(match_port("db", NULL,
                                "Host db\nHostName %h.lan\n"
                                "Host db.lan\nPort 1\n"),
                     -1);
}

static void
test_ssh_config_match_final(void **state)
{
    struct fixture f;

    (void)state;
    fx_init(&f, "h");
    assert_int_equal(fx_parse(&f, "Match final host h\nPort 5\n"), 0);
    assert_true(f.rd.want_final_pass);
    assert_int_equal(f.c.port, -1);
    f.rd.is_final_pass = true;
    f.rd.is_active = true;
    assert_int_equal(fx_parse(&f, "Match final host h\nPort 5\n"), 0);
    assert_int_equal(f.c.port, 5);
    client_config_cleanup(&f.c);
}

static void
test_ssh_config_errors(void **state)
{
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"Foo 1\n", "t.conf: line 1: Bad configuration option: foo\n"},
        {"Port\n", "t.conf line 1: no argument after keyword \"port\"\n"},
        {"Port 1 2\n",
         "t.conf line 1: keyword port extra arguments at end of line\n"},
        {"Port x\n", "t.conf line 1: Bad port 'x'.\n"},
        {"Host\n", "t.conf line 1: no argument after keyword \"host\"\n"},
        {"Match\n", "t.conf line 1: One or more attributes required for "
                    "Match\n"},
        {"Match user\n", "Missing Match criteria for user\n"
                         "t.conf line 1: Bad Match condition\n"},
        {"Match all host x\n",
         "t.conf line 1: 'all' cannot be combined with other Match "
         "attributes\nt.conf line 1: Bad Match condition\n"},
        {"Match exec true\n", "Match exec is not supported by adit\n"
                              "t.conf line 1: Bad Match condition\n"},
        {"Match tagged x\n", "Unsupported Match attribute tagged\n"
                             "t.conf line 1: Bad Match condition\n"},
        {"User \"bob\n", "t.conf line 1: invalid quotes\n"},
        {"Include\n", "t.conf line 1: no argument after keyword "
                      "\"include\"\n"},
        /* Values in blocks that do not apply are checked all the same. */
        {"Host nomatch\nPort 0\n", "t.conf line 2: Bad port '0'.\n"},
    };
    struct fixture f;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        fx_init(&f, "h");
        assert_int_equal(fx_parse(&f, bad[i].text), 0);
        assert_int_equal(f.rd.n_bad, 1);
        assert_string_equal(f.d.text, bad[i].msg);
        client_config_cleanup(&f.c);
    }
}

static void
test_ssh_config_ignore_unknown(void **state)
{
    struct fixture f;

    (void)state;
    fx_init(&f, "h");
    assert_int_equal(fx_parse(&f, "IgnoreUnknown Foo*,bar\n"
                                  "FooBaz 1\nBar 2\nVisualHostKey yes\n"
                                  "VisualHostKey no\nCheckHostIP no\n"),
                     0);
    assert_int_equal(f.rd.n_bad, 0);
    /* Known to ssh, not to adit: told once per keyword. */
    assert_string_equal(f.d.text,
                        "t.conf line 4: Unsupported option \"VisualHostKey\"\n"
                        "t.conf line 6: Unsupported option \"CheckHostIP\"\n");
    client_config_cleanup(&f.c);
}

static void
test_ssh_config_command_line(void **state)
{
    struct fixture f;

    (void)state;
    fx_init(&f, "h");
    assert_int_equal(ssh_config_option(&f.rd, "Port=22"), 0);
    assert_int_equal(ssh_config_option(&f.rd, "Include x"), ERR_CONFIG);
    assert_int_equal(ssh_config_option(&f.rd, "Host x"), ERR_CONFIG);
    assert_int_equal(ssh_config_option(&f.rd, "Nope=1"), ERR_CONFIG);
    assert_string_equal(f.d.text,
                        "Include directive not supported as a command-line "
                        "option\nHost directive not supported as a "
                        "command-line option\ncommand-line: line 0: Bad "
                        "configuration option: nope\n");
    assert_int_equal(f.c.port, 22);
    client_config_cleanup(&f.c);
}

/* An Include hook over memory: "a" includes "b", which includes "a"... */
static int
loop_hook(struct ssh_config_read *rd, const char *pattern, int depth)
{
    static const char text[] = "Include /loop\nSendEnv X\n";

    (void)pattern;
    return ssh_config_parse(rd, "/loop", text, strlen(text), depth);
}

static void
test_ssh_config_include_depth(void **state)
{
    struct fixture f;

    (void)state;
    fx_init(&f, "h");
    f.rd.include = loop_hook;
    assert_int_equal(fx_parse(&f, "Include /loop\n"), ERR_LIMIT);
    assert_non_null(strstr(f.d.text, "Too many recursive configuration "
                                     "includes"));
    client_config_cleanup(&f.c);
}

static void
write_file(const char *dir, const char *name, const char *text, int mode)
{
    char path[512];
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(fp = fopen(path, "w"));
    fputs(text, fp);
    fclose(fp);
    chmod(path, (mode_t)mode);
}

static void
test_ssh_config_include_files(void **state)
{
    char home[512], ssh[600], conf[700];
    struct fixture f;

    (void)state;
    snprintf(home, sizeof(home), "%s", test_tmpdir());
    snprintf(ssh, sizeof(ssh), "%s/.ssh", home);
    assert_int_equal(mkdir(ssh, 0700), 0);
    write_file(ssh, "config",
               "Host h\n"
               "  Include conf.d/*.conf ~/.ssh/none-*\n"
               "Port 9\n"
               "Host nomatch\n"
               "  Include conf.d/*.conf\n",
               0600);
    snprintf(conf, sizeof(conf), "%s/conf.d", ssh);
    assert_int_equal(mkdir(conf, 0700), 0);
    write_file(conf, "10-a.conf", "User from-a\nMatch all\nSendEnv A\n", 0600);
    write_file(conf, "20-b.conf", "User from-b\nSendEnv B\nConnectTimeout 3\n",
               0600);
    fx_init(&f, "h");
    f.rd.home = home;
    f.rd.glob_home = home;
    assert_int_equal(ssh_config_read_files(&f.rd, NULL, "/dev/null"), 0);
    assert_int_equal(f.rd.n_bad, 0);
    assert_string_equal(f.c.user, "from-a");
    assert_int_equal(f.c.n_send_env, 2); /* glob order: a then b */
    assert_int_equal(f.c.connect_timeout, 3);
    /* The includer's Host h block goes on after the Include. */
    assert_int_equal(f.c.port, 9);
    client_config_cleanup(&f.c);

    /* A user file others may write is refused, as ssh refuses it. */
    write_file(conf, "30-c.conf", "Port 1\n", 0666);
    fx_init(&f, "h");
    f.rd.home = home;
    f.rd.glob_home = home;
    assert_int_equal(ssh_config_read_files(&f.rd, NULL, "/dev/null"),
                     ERR_CONFIG);
    assert_non_null(strstr(f.d.text, "Bad owner or permissions on "));
    client_config_cleanup(&f.c);
}

static void
test_ssh_config_patterns(void **state)
{
    (void)state;
    assert_true(ssh_config_match_pattern("abc", "a*c", false));
    assert_true(ssh_config_match_pattern("ac", "a*c", false));
    assert_true(ssh_config_match_pattern("abc", "a?c", false));
    assert_false(ssh_config_match_pattern("abbc", "a?c", false));
    assert_true(ssh_config_match_pattern("ABC", "abc", true));
    assert_false(ssh_config_match_pattern("ABC", "abc", false));
    assert_true(ssh_config_match_pattern("", "*", false));
    assert_false(ssh_config_match_pattern("a[b]", "a[b", false));
    assert_true(ssh_config_match_pattern("aaaaaaaaaaaaaaaaaaaaaaaaab",
                                         "*a*a*a*a*a*a*b", false));
    assert_int_equal(ssh_config_match_list("x", "a,x", false), 1);
    assert_int_equal(ssh_config_match_list("x", "*,!x", false), -1);
    assert_int_equal(ssh_config_match_list("x", "a,b", false), 0);
    assert_int_equal(ssh_config_match_list("x", "!y", false), 0);
}

static void
test_ssh_tokens(void **state)
{
    struct ssh_tokens t;
    char *out = NULL, why[128] = "", hash[41];

    (void)state;
    memset(&t, 0, sizeof(t));
    t.host = "h.example";
    t.original_host = "h";
    t.port = "2222";
    t.remote_user = "bob";
    t.local_user = "me";
    t.home = "/home/me";
    t.uid = "1000";
    t.local_host = "box.lan";
    t.local_short = "box";
    t.conn_hash = "HASH";
    assert_int_equal(ssh_tokens_expand("%h:%p %r@%n %% %u %d %i %l %L %C %k",
                                       &t, SSH_TOKENS_FILES, &out, why, 128),
                     0);
    assert_string_equal(out, "h.example:2222 bob@h % me /home/me 1000 box.lan "
                             "box HASH h.example");
    free(out);
    assert_int_equal(
        ssh_tokens_expand("nc %h %d", &t, SSH_TOKENS_PROXY, &out, why, 128),
        ERR_FORMAT);
    assert_string_equal(why, "vdollar_percent_expand: unknown key %d\n"
                             "percent_expand: failed");
    assert_null(out);
    /* ${VAR} where the keyword allows it; an unset one is an error. */
    setenv("ADIT_TEST_TOKEN_DIR", "/v", 1);
    unsetenv("ADIT_TEST_TOKEN_UNSET");
    t.is_env_allowed = true;
    assert_int_equal(ssh_tokens_expand("${ADIT_TEST_TOKEN_DIR}/%h$x", &t,
                                       SSH_TOKENS_FILES, &out, why, 128),
                     0);
    assert_string_equal(out, "/v/h.example$x");
    free(out);
    assert_int_equal(ssh_tokens_expand("${ADIT_TEST_TOKEN_UNSET}", &t,
                                       SSH_TOKENS_FILES, &out, why, 128),
                     ERR_FORMAT);
    assert_string_equal(why, "vdollar_percent_expand: env var "
                             "${ADIT_TEST_TOKEN_UNSET} has no value\n"
                             "invalid environment variable expansion");
    assert_int_equal(
        ssh_tokens_expand("${", &t, SSH_TOKENS_FILES, &out, why, 128),
        ERR_FORMAT);
    assert_int_equal(
        ssh_tokens_env("a${ADIT_TEST_TOKEN_DIR}%h", &out, why, 128), 0);
    assert_string_equal(out, "a/v%h");
    free(out);
    t.is_env_allowed = false;
    assert_int_equal(
        ssh_tokens_expand("x%", &t, SSH_TOKENS_PROXY, &out, why, 128),
        ERR_FORMAT);
    assert_int_equal(ssh_tokens_tilde("~/x", "/home/me", &out, NULL, 0), 0);
    assert_string_equal(out, "/home/me/x");
    free(out);
    /* As ssh -G shows them: one slash after the home, always. */
    assert_int_equal(ssh_tokens_tilde("~", "/home/me", &out, NULL, 0), 0);
    assert_string_equal(out, "/home/me/");
    free(out);
    assert_int_equal(ssh_tokens_tilde("~//x", "/", &out, NULL, 0), 0);
    assert_string_equal(out, "/x");
    free(out);
    assert_int_equal(ssh_tokens_tilde("a/~/x", "/home/me", &out, NULL, 0), 0);
    assert_string_equal(out, "a/~/x");
    free(out);
    /* ~user: the passwd entry's home (root's is there in any passwd). */
    assert_int_equal(ssh_tokens_tilde("~root//x", "/home/me", &out, NULL, 0),
                     0);
    assert_non_null(getpwnam("root"));
    snprintf(why, 128, "%s%sx", getpwnam("root")->pw_dir,
             strcmp(getpwnam("root")->pw_dir, "/") == 0 ? "" : "/");
    assert_string_equal(out, why);
    free(out);
    assert_int_equal(
        ssh_tokens_tilde("~no-such-user-adit/x", "/home/me", &out, why, 128),
        ERR_NOTFOUND);
    assert_null(out);
    assert_string_equal(why, "tilde_expand: No such user no-such-user-adit");
    /* ssh: SHA-1 of "vm" "x" "2200" "bob", checked against ssh -G. */
    assert_int_equal(ssh_tokens_conn_hash("vm", "x", "2200", "bob", hash), 0);
    assert_string_equal(hash, "71a0e4076ab3b555108363c3298250b3c9068145");
}

static void
test_client_config_finish(void **state)
{
    struct client_env e = {"Web", "me", "/home/me", "/home/me", "1000", "vm"};
    struct client_config c;
    char why[128], *h = NULL;

    (void)state;
    client_config_init(&c);
    assert_int_equal(client_config_apply(&c, "HostName %h.lan", why, 128), 0);
    assert_int_equal(
        client_config_apply(&c, "ControlPath ~/cm-%r@%h:%p", why, 128), 0);
    assert_int_equal(
        client_config_apply(&c, "UserKnownHostsFile ~/k1 %d/k2_%n", why, 128),
        0);
    assert_int_equal(client_config_apply(&c, "IdentityFile ~/id_%u", why, 128),
                     0);
    assert_int_equal(client_config_finish(&c, &e, why, 128), 0);
    assert_string_equal(c.hostname, "web.lan"); /* lowercased, as ssh */
    assert_string_equal(c.user, "me");
    assert_int_equal(c.port, 22);
    assert_string_equal(c.control_path, "/home/me/cm-me@web.lan:22");
    assert_string_equal(c.user_known_hosts, "/home/me/k1 /home/me/k2_Web");
    assert_string_equal(c.identity_files[0], "~/id_%u"); /* -G shows it so */
    assert_int_equal(client_config_expand_files(&c, &e, why, 128), 0);
    assert_string_equal(c.identity_files[0], "/home/me/id_me");
    client_config_cleanup(&c);
    /* Address literals keep their case. */
    assert_int_equal(client_config_hostname("FE80::%h", "1", &h, why, 128), 0);
    assert_string_equal(h, "FE80::1");
    free(h);
    assert_int_equal(client_config_hostname(NULL, "Box", &h, why, 128), 0);
    assert_string_equal(h, "box");
    free(h);
    assert_int_equal(client_config_hostname("%x", "Box", &h, why, 128),
                     ERR_CONFIG);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssh_config_host_patterns),
        cmocka_unit_test(test_ssh_config_first_wins_and_lists),
        cmocka_unit_test(test_ssh_config_match),
        cmocka_unit_test(test_ssh_config_match_final),
        cmocka_unit_test(test_ssh_config_errors),
        cmocka_unit_test(test_ssh_config_ignore_unknown),
        cmocka_unit_test(test_ssh_config_command_line),
        cmocka_unit_test(test_ssh_config_include_depth),
        cmocka_unit_test(test_ssh_config_include_files),
        cmocka_unit_test(test_ssh_config_patterns),
        cmocka_unit_test(test_ssh_tokens),
        cmocka_unit_test(test_client_config_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
