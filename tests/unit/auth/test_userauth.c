/* SPDX-License-Identifier: ISC */
/* Unit tests for userauth: client and server wired through capturing sinks. */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/userauth.h"
#include "uapair.h"
#include "keys/sshkey.h"
#include "transport/ssh_msg.h"
#include "util/err.h"
#include "util/log.h"
#include "wire/buf.h"
#include "wire/rd.h"

static const uint8_t sid_b[32] = {9, 9, 9, 9, 9};

static void
login_with(enum sshkey_type type)
{
    struct sshkey *key = NULL, *other = NULL;
    struct sshkey *keys[2];
    struct pair *p;

    assert_int_equal(sshkey_generate(type, 2048, &key), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &other), 0);
    keys[0] = other; /* offered first, refused */
    keys[1] = key;
    p = pair_new(keys, 2, key, 0, NULL);
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->serr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(p->sres, USERAUTH_SUCCESS);
    assert_string_equal(userauth_server_user(p->s), "alice");
    assert_true(sshkey_equal_public(userauth_server_key(p->s), key));
    assert_ptr_equal(userauth_server_info(p->s), &p->authz);
    pair_free(p);
    sshkey_free(key);
    sshkey_free(other);
}

static void
test_login_ed25519(void **state)
{
    login_with(SSHKEY_ED25519);
}

static void
test_login_ecdsa(void **state)
{
    login_with(SSHKEY_ECDSA_P256);
    login_with(SSHKEY_ECDSA_P384);
    login_with(SSHKEY_ECDSA_P521);
}

static void
test_login_rsa(void **state)
{
    login_with(SSHKEY_RSA);
}

static void
test_wrong_keys_denied(void **state)
{
    struct sshkey *keys[8] = {NULL};
    struct sshkey *allowed = NULL;
    struct pair *p;
    size_t i;

    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &allowed), 0);
    for (i = 0; i < 8; i++) {
        assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &keys[i]), 0);
    }
    /* the client runs out of keys first */
    p = pair_new(keys, 2, allowed, 0, NULL);
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    assert_string_equal(userauth_client_methods(p->c), "publickey");
    assert_int_equal(p->sres, USERAUTH_CONTINUE);
    assert_null(userauth_server_user(p->s));
    pair_free(p);
    /* the server runs out of tries first */
    p = pair_new(keys, 8, allowed, 3, NULL);
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->sres, USERAUTH_DENIED);
    assert_int_equal(p->authz.calls, 3);
    assert_int_equal(p->cres, USERAUTH_CONTINUE);
    pair_free(p);
    for (i = 0; i < 8; i++) {
        sshkey_free(keys[i]);
    }
    sshkey_free(allowed);
}

static void
test_other_session_id_refused(void **state)
{
    struct sshkey *key = NULL;
    struct pair *p;

    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &key), 0);
    p = pair_new(&key, 1, key, 0, NULL);
    p->ss.session_id = sid_b;
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->sres, USERAUTH_CONTINUE);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    assert_null(userauth_server_key(p->s));
    pair_free(p);
    sshkey_free(key);
}

static void
test_accepted_algs(void **state)
{
    struct sshkey *key = NULL;
    struct pair *p;

    assert_int_equal(sshkey_generate(SSHKEY_ECDSA_P256, 0, &key), 0);
    p = pair_new(&key, 1, key, 0, "ssh-ed25519");
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    assert_int_equal(p->authz.calls, 0);
    pair_free(p);
    sshkey_free(key);
}

/* Build a USERAUTH_REQUEST header. */
static void
req(struct buf *b, const char *user, const char *service, const char *method)
{
    buf_reset(b);
    buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST);
    buf_put_cstring(b, user);
    buf_put_cstring(b, service);
    buf_put_cstring(b, method);
}

static void
pk_query(struct buf *b, const char *user, const struct sshkey *k)
{
    struct buf blob;

    buf_init(&blob);
    assert_int_equal(sshkey_to_blob(k, &blob), 0);
    req(b, user, "ssh-connection", "publickey");
    buf_put_bool(b, false);
    buf_put_cstring(b, sshkey_default_sig_alg(k));
    buf_put_buf(b, &blob);
    buf_cleanup(&blob);
}

static int
srv_feed(struct pair *p, const struct buf *b)
{
    enum userauth_result res;
    int r = userauth_server_handle(p->s, buf_ptr(b), buf_len(b), &p->ss, &res);

    p->sres = res;
    return r;
}

static void
start_server(struct pair *p, struct buf *b)
{
    const struct cap_msg *m;

    buf_reset(b);
    buf_put_u8(b, SSH_MSG_SERVICE_REQUEST);
    buf_put_cstring(b, "ssh-userauth");
    assert_int_equal(srv_feed(p, b), 0);
    m = cap_take(&p->scap);
    assert_int_equal(m->p[0], SSH_MSG_SERVICE_ACCEPT);
}

static void
test_server_messages(void **state)
{
    struct sshkey *key = NULL;
    const struct cap_msg *m;
    struct pair *p;
    struct buf b;

    buf_init(&b);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &key), 0);
    p = pair_new(NULL, 0, key, 0, NULL);
    /* request before the service */
    req(&b, "alice", "ssh-connection", "none");
    assert_int_equal(srv_feed(p, &b), ERR_PROTO);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_SERVICE_REQUEST);
    buf_put_cstring(&b, "ssh-connection");
    assert_int_equal(srv_feed(p, &b), ERR_PROTO);
    start_server(p, &b);
    /* unknown method and none: FAILURE "publickey", no partial success */
    req(&b, "alice", "ssh-connection", "password");
    buf_put_bool(&b, false);
    buf_put_cstring(&b, "secret");
    assert_int_equal(srv_feed(p, &b), 0);
    m = cap_take(&p->scap);
    assert_int_equal(m->len, 15);
    assert_memory_equal(m->p + 5, "publickey", 9);
    assert_int_equal(m->p[14], 0);
    /* query: PK_OK echoing alg and blob, no login */
    pk_query(&b, "alice", key);
    assert_int_equal(srv_feed(p, &b), 0);
    assert_int_equal(p->sres, USERAUTH_CONTINUE);
    m = cap_take(&p->scap);
    assert_int_equal(m->p[0], SSH_MSG_USERAUTH_PK_OK);
    /* the same bytes for an unknown user and for an unknown key */
    pk_query(&b, "alice", key);
    p->authz.allowed = NULL;
    assert_int_equal(srv_feed(p, &b), 0);
    m = cap_take(&p->scap);
    assert_int_equal(m->p[0], SSH_MSG_USERAUTH_FAILURE);
    assert_int_equal(m->len, 15);
    /* user change */
    req(&b, "bob", "ssh-connection", "none");
    assert_int_equal(srv_feed(p, &b), ERR_PROTO);
    req(&b, "alice", "ssh-foo", "none");
    assert_int_equal(srv_feed(p, &b), ERR_PROTO);
    pair_free(p);
    sshkey_free(key);
    buf_cleanup(&b);
}

/*
 * Names from the peer reach aditd's log: a user name with a newline or a
 * terminal escape must not forge a log line or drive the terminal.
 */
static void
test_log_names_sanitized(void **state)
{
    static const char evil[] =
        "alice\nadit: Accepted publickey for root\x1b[2J";
    char out[2048];
    struct pair *p;
    struct buf b;
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    size_t n, i;

    assert_non_null(tmp);
    assert_true(saved >= 0);
    buf_init(&b);
    p = pair_new(NULL, 0, NULL, 1, NULL);
    start_server(p, &b);
    log_init("aditd", LOG_INFO);
    fflush(stderr);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    req(&b, evil, "ssh-connection", "password");
    assert_int_equal(srv_feed(p, &b), 0);
    assert_int_equal(p->sres, USERAUTH_DENIED);
    req(&b, "bob\nforged", "ssh-connection", "none");
    assert_int_equal(srv_feed(p, &b), ERR_PROTO);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    log_init("test", LOG_ERROR);
    rewind(tmp);
    n = fread(out, 1, sizeof(out) - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    assert_non_null(strstr(out, "alice?adit: Accepted"));
    for (i = 0; i < n; i++) {
        /* Only the CR LF that ends each log line. */
        if (out[i] == '\n') {
            assert_true(i > 0 && out[i - 1] == '\r');
        } else if (out[i] != '\r') {
            assert_true((unsigned char)out[i] >= 0x20 && out[i] != 0x7f);
        }
    }
    pair_free(p);
    buf_cleanup(&b);
}

static void
test_request_truncations(void **state)
{
    struct sshkey *key = NULL;
    struct pair *p;
    struct buf b, full;
    size_t i;

    buf_init(&b);
    buf_init(&full);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &key), 0);
    pk_query(&full, "alice", key);
    for (i = 0; i < buf_len(&full); i++) {
        p = pair_new(NULL, 0, key, 0, NULL);
        start_server(p, &b);
        assert_true(userauth_server_handle(p->s, buf_ptr(&full), i, &p->ss,
                                           &p->sres) < 0);
        pair_free(p);
    }
    p = pair_new(NULL, 0, key, 0, NULL);
    start_server(p, &b);
    buf_reset(&b);
    buf_put(&b, buf_ptr(&full), buf_len(&full));
    buf_put_u8(&b, 0);
    assert_int_equal(srv_feed(p, &b), ERR_TRAILING);
    /* user name length one too long */
    buf_reset(&b);
    buf_put(&b, buf_ptr(&full), buf_len(&full));
    put_u32_be(buf_ptr(&b) + 1, 6);
    assert_true(srv_feed(p, &b) < 0);
    pair_free(p);
    sshkey_free(key);
    buf_cleanup(&b);
    buf_cleanup(&full);
}

/* The algorithm the client puts in its first publickey query. */
static void
rsa_alg_for(const struct sshkey *key, const char *server_sig_algs,
            const char *want)
{
    struct sshkey *const keys[1] = {(struct sshkey *)key};
    const struct cap_msg *m;
    struct pair *p = pair_new(keys, 1, key, 0, NULL);
    struct rd rd;
    const uint8_t *s;
    size_t n, i;
    uint8_t u8;

    p->cs.server_sig_algs = server_sig_algs;
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    /* messages: SERVICE_REQUEST, none, query, signed */
    m = &p->ccap.msgs[2];
    rd_init(&rd, m->p, m->len);
    assert_int_equal(rd_u8(&rd, &u8), 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(rd_string(&rd, &s, &n, 100), 0);
    }
    assert_int_equal(rd_u8(&rd, &u8), 0);
    assert_int_equal(u8, 0);
    assert_int_equal(rd_string(&rd, &s, &n, 100), 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(s, want, n);
    pair_free(p);
}

static void
test_rsa_sig_alg_choice(void **state)
{
    struct sshkey *key = NULL;

    assert_int_equal(sshkey_generate(SSHKEY_RSA, 2048, &key), 0);
    rsa_alg_for(key, NULL, "rsa-sha2-512");
    rsa_alg_for(key, "ssh-ed25519,rsa-sha2-256", "rsa-sha2-256");
    rsa_alg_for(key, "rsa-sha2-256,rsa-sha2-512", "rsa-sha2-512");
    sshkey_free(key);
}

static void
test_client_banner_and_bad_pk_ok(void **state)
{
    struct sshkey *key = NULL;
    struct pair *p;
    struct buf b;
    enum userauth_result res;

    buf_init(&b);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &key), 0);
    p = pair_new(&key, 1, key, 0, NULL);
    buf_put_u8(&b, SSH_MSG_USERAUTH_SUCCESS);
    assert_int_equal(
        userauth_client_handle(p->c, buf_ptr(&b), buf_len(&b), &p->cs, &res),
        ERR_PROTO);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_USERAUTH_BANNER);
    buf_put_cstring(&b, "hello\x1b[31m world\n");
    buf_put_cstring(&b, "");
    assert_int_equal(
        userauth_client_handle(p->c, buf_ptr(&b), buf_len(&b), &p->cs, &res),
        0);
    assert_int_equal(res, USERAUTH_CONTINUE);
    /* PK_OK for a key we did not offer */
    assert_int_equal(userauth_client_start(p->c), 0);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_SERVICE_ACCEPT);
    buf_put_cstring(&b, "ssh-userauth");
    assert_int_equal(
        userauth_client_handle(p->c, buf_ptr(&b), buf_len(&b), &p->cs, &res),
        0);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_USERAUTH_FAILURE);
    buf_put_cstring(&b, "publickey,password");
    buf_put_bool(&b, false);
    assert_int_equal(
        userauth_client_handle(p->c, buf_ptr(&b), buf_len(&b), &p->cs, &res),
        0);
    buf_reset(&b);
    buf_put_u8(&b, SSH_MSG_USERAUTH_PK_OK);
    buf_put_cstring(&b, "ssh-ed25519");
    buf_put_cstring(&b, "not the blob");
    assert_int_equal(
        userauth_client_handle(p->c, buf_ptr(&b), buf_len(&b), &p->cs, &res),
        ERR_PROTO);
    pair_free(p);
    sshkey_free(key);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_ed25519),
        cmocka_unit_test(test_login_ecdsa),
        cmocka_unit_test(test_login_rsa),
        cmocka_unit_test(test_wrong_keys_denied),
        cmocka_unit_test(test_other_session_id_refused),
        cmocka_unit_test(test_accepted_algs),
        cmocka_unit_test(test_server_messages),
        cmocka_unit_test(test_log_names_sanitized),
        cmocka_unit_test(test_request_truncations),
        cmocka_unit_test(test_rsa_sig_alg_choice),
        cmocka_unit_test(test_client_banner_and_bad_pk_ok),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
