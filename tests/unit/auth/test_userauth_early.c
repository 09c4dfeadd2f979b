/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the login of a tunnel that comes back: the key accepted
 * last time is offered signed in the same flight as the service request
 * (userauth_client_early), client and server in memory.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/userauth.h"
#include "keys/sshkey.h"
#include "transport/ssh_msg.h"
#include "uapair.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

/* What the server accepted at the first login. */
struct last {
    struct buf blob;
    char alg[64];
};

/* A USERAUTH_REQUEST read back: method, and for publickey whether it is
 * signed and its algorithm and blob. */
struct req {
    uint8_t type;
    char method[32];
    bool has_sig;
    char alg[64];
    struct buf blob;
};

static void
req_read(const struct cap_msg *m, struct req *q)
{
    char *user = NULL, *svc = NULL, *meth = NULL, *alg = NULL;
    const uint8_t *blob;
    size_t n;
    struct rd rd;

    memset(q, 0, sizeof(*q));
    rd_init(&rd, m->p, m->len);
    assert_int_equal(rd_u8(&rd, &q->type), 0);
    if (q->type != SSH_MSG_USERAUTH_REQUEST) {
        return;
    }
    assert_int_equal(rd_cstring(&rd, &user, 64), 0);
    assert_int_equal(rd_cstring(&rd, &svc, 64), 0);
    assert_int_equal(rd_cstring(&rd, &meth, 32), 0);
    snprintf(q->method, sizeof(q->method), "%s", meth);
    if (strcmp(meth, "publickey") == 0) {
        assert_int_equal(rd_bool(&rd, &q->has_sig), 0);
        assert_int_equal(rd_cstring(&rd, &alg, 64), 0);
        assert_int_equal(rd_string(&rd, &blob, &n, 4096), 0);
        snprintf(q->alg, sizeof(q->alg), "%s", alg);
        assert_int_equal(buf_put(&q->blob, blob, n), 0);
    }
    free(user);
    free(svc);
    free(meth);
    free(alg);
}

/* The usual login with keys, of which allowed is the last; the key and
 * algorithm the server took. */
static void
first_login(struct sshkey *const *keys, size_t n, const struct sshkey *allowed,
            const char *server_sig_algs, struct last *last)
{
    struct pair *p = pair_new(keys, n, allowed, 0, NULL);
    const uint8_t *blob;
    const char *alg;
    size_t len;

    p->cs.server_sig_algs = server_sig_algs;
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    /* SERVICE_REQUEST, "none", a query per key (allowed is the last),
     * the signed request. */
    assert_int_equal(p->ccap.n, 3 + n);
    assert_true(userauth_client_accepted(p->c, &blob, &len, &alg));
    buf_init(&last->blob);
    assert_int_equal(buf_put(&last->blob, blob, len), 0);
    snprintf(last->alg, sizeof(last->alg), "%s", alg);
    pair_free(p);
}

/* A pair whose client remembers last; started, early request made. */
static struct pair *
again_pair_algs(struct sshkey *const *keys, size_t n,
                const struct sshkey *allowed, const struct last *last,
                const char *accepted)
{
    struct userauth_client_config cc = {.user = "alice",
                                        .keys = keys,
                                        .n_keys = n,
                                        .last_blob = buf_ptr(&last->blob),
                                        .last_blob_len = buf_len(&last->blob),
                                        .last_alg = last->alg};
    struct pair *p = pair_new_cfg(&cc, allowed, 0, accepted);

    assert_int_equal(userauth_client_start(p->c), 0);
    assert_int_equal(userauth_client_early(p->c, &p->cs), 0);
    return p;
}

static struct pair *
again_pair(struct sshkey *const *keys, size_t n, const struct sshkey *allowed,
           const struct last *last)
{
    return again_pair_algs(keys, n, allowed, last, NULL);
}

/* The client's first flight: SERVICE_REQUEST then the signed request for
 * the key of last time, before the server said anything. */
static void
check_first_flight(struct pair *p, const struct last *last)
{
    struct req q;

    assert_int_equal(p->ccap.n, 2);
    req_read(&p->ccap.msgs[0], &q);
    assert_int_equal(q.type, SSH_MSG_SERVICE_REQUEST);
    req_read(&p->ccap.msgs[1], &q);
    assert_int_equal(q.type, SSH_MSG_USERAUTH_REQUEST);
    assert_string_equal(q.method, "publickey");
    assert_true(q.has_sig);
    assert_string_equal(q.alg, last->alg);
    assert_memory_equal(buf_ptr(&q.blob), buf_ptr(&last->blob),
                        buf_len(&last->blob));
    buf_cleanup(&q.blob);
}

/* One round trip: the server answers SERVICE_ACCEPT and SUCCESS to the
 * first flight, checking the key once (no query). */
static void
test_early_one_round_trip(void **state)
{
    struct sshkey *k = NULL;
    struct last last;
    struct pair *p;

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &k), 0);
    first_login(&k, 1, k, NULL, &last);
    assert_string_equal(last.alg, "ssh-ed25519");
    p = again_pair(&k, 1, k, &last);
    check_first_flight(p, &last);
    pair_run(p);
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->serr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(p->sres, USERAUTH_SUCCESS);
    assert_int_equal(p->ccap.n, 2); /* nothing more was sent */
    assert_int_equal(p->scap.n, 2); /* SERVICE_ACCEPT, SUCCESS */
    assert_int_equal(p->authz.calls, 1);
    pair_free(p);
    buf_cleanup(&last.blob);
    sshkey_free(k);
}

/*
 * An RSA key logged in under rsa-sha2-256; on the next login the server
 * accepts the algorithms accepted (NULL: its default) and its EXT_INFO,
 * sig_algs, comes after the early request went out. want: the algorithm
 * that logs in.
 */
static void
rsa_relogin(const char *accepted, const char *sig_algs, const char *want)
{
    struct sshkey *k = NULL;
    struct last last;
    struct pair *p;
    const uint8_t *blob;
    const char *alg;
    size_t len;

    assert_int_equal(sshkey_generate(SSHKEY_RSA, 2048, &k), 0);
    first_login(&k, 1, k, "rsa-sha2-256,ssh-ed25519", &last);
    assert_string_equal(last.alg, "rsa-sha2-256");
    p = again_pair_algs(&k, 1, k, &last, accepted);
    check_first_flight(p, &last);
    p->cs.server_sig_algs = sig_algs;
    pair_run(p);
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_true(userauth_client_accepted(p->c, &blob, &len, &alg));
    assert_string_equal(alg, want);
    pair_free(p);
    buf_cleanup(&last.blob);
    sshkey_free(k);
}

/* An RSA key signs again with the algorithm that worked (from the last
 * server-sig-algs), not one picked anew. */
static void
test_early_rsa_alg_kept(void **state)
{
    (void)state;
    rsa_relogin(NULL, "rsa-sha2-512,rsa-sha2-256", "rsa-sha2-256");
}

/* The server no longer takes the algorithm of last time: the early
 * request is refused, and the same key logs in under the other rsa-sha2,
 * as a fresh client would (the key is not skipped whole). */
static void
test_early_rsa_other_alg(void **state)
{
    (void)state;
    rsa_relogin("rsa-sha2-512", "rsa-sha2-512", "rsa-sha2-512");
}

/* The key of last time was removed from the server: FAILURE, then the
 * usual walk over the other keys, never offering it again. */
static void
test_early_refused_falls_back(void **state)
{
    struct sshkey *k[2] = {NULL, NULL};
    struct last last;
    struct pair *p;
    struct req q;
    size_t i, offered = 0;

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &k[0]), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ECDSA_P256, 0, &k[1]), 0);
    first_login(k, 2, k[1], NULL, &last);
    /* Now only k[0] is allowed. */
    p = again_pair(k, 2, k[0], &last);
    check_first_flight(p, &last);
    pair_run(p);
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_true(sshkey_equal_public(userauth_server_key(p->s), k[0]));
    for (i = 0; i < p->ccap.n; i++) {
        req_read(&p->ccap.msgs[i], &q);
        offered += buf_len(&q.blob) == buf_len(&last.blob) &&
                   memcmp(buf_ptr(&q.blob), buf_ptr(&last.blob),
                          buf_len(&q.blob)) == 0;
        buf_cleanup(&q.blob);
    }
    assert_int_equal(offered, 1);
    pair_free(p);
    /* No key is allowed: denied, the key of last time offered once. */
    p = again_pair(k, 2, NULL, &last);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    assert_string_equal(userauth_client_methods(p->c), "publickey");
    /* early (k[1]), then k[0]'s query */
    assert_int_equal(p->authz.calls, 2);
    pair_free(p);
    buf_cleanup(&last.blob);
    sshkey_free(k[0]);
    sshkey_free(k[1]);
}

/* A key that is no longer offered, or an algorithm no longer accepted:
 * "none" goes with the service request and the usual walk logs in. */
static void
test_early_nothing_to_offer(void **state)
{
    struct sshkey *k[2] = {NULL, NULL};
    struct last last;
    struct pair *p;
    struct req q;
    struct userauth_client_config cc = {
        .user = "alice", .keys = k, .n_keys = 1, .pubkey_algs = "-ssh-ed25519"};

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &k[0]), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &k[1]), 0);
    first_login(&k[1], 1, k[1], NULL, &last);
    p = again_pair(k, 1, k[0], &last);
    assert_int_equal(p->ccap.n, 2); /* SERVICE_REQUEST, "none" */
    req_read(&p->ccap.msgs[1], &q);
    assert_string_equal(q.method, "none");
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(p->ccap.n, 4); /* then the query and signed request */
    pair_free(p);
    cc.keys = &k[1];
    cc.last_blob = buf_ptr(&last.blob);
    cc.last_blob_len = buf_len(&last.blob);
    cc.last_alg = last.alg;
    p = pair_new_cfg(&cc, k[1], 0, NULL);
    assert_int_equal(userauth_client_start(p->c), 0);
    assert_int_equal(userauth_client_early(p->c, &p->cs), 0);
    assert_int_equal(p->ccap.n, 2);
    pair_free(p);
    buf_cleanup(&last.blob);
    sshkey_free(k[0]);
    sshkey_free(k[1]);
}

static void
feed_msg(struct pair *p, const uint8_t *m, size_t n, int want)
{
    enum userauth_result res;

    assert_int_equal(userauth_client_handle(p->c, m, n, &p->cs, &res), want);
    p->cres = res;
}

static void
feed_accept(struct pair *p)
{
    static const uint8_t accept[] = {SSH_MSG_SERVICE_ACCEPT,
                                     0,
                                     0,
                                     0,
                                     12,
                                     's',
                                     's',
                                     'h',
                                     '-',
                                     'u',
                                     's',
                                     'e',
                                     'r',
                                     'a',
                                     'u',
                                     't',
                                     'h'};

    feed_msg(p, accept, sizeof(accept), 0);
}

/* A PK_OK for the key of last time; the client's answer. */
static int
feed_pk_ok(struct pair *p, const struct last *last)
{
    enum userauth_result res;
    struct buf b;
    int r;

    buf_init(&b);
    assert_int_equal(buf_put_u8(&b, SSH_MSG_USERAUTH_PK_OK), 0);
    assert_int_equal(buf_put_cstring(&b, last->alg), 0);
    assert_int_equal(
        buf_put_string(&b, buf_ptr(&last->blob), buf_len(&last->blob)), 0);
    r = userauth_client_handle(p->c, buf_ptr(&b), buf_len(&b), &p->cs, &res);
    buf_cleanup(&b);
    return r;
}

static int
say_secret(void *ctx, const struct userauth_questions *q)
{
    (void)q;
    (*(unsigned *)ctx)++;
    return 0;
}

/* AuthenticationMethods publickey,password: the early request has a
 * partial success and the walk goes on with password; the key counts as
 * taken for the next time. A server's answer before SERVICE_ACCEPT, or a
 * PK_OK to a signed request, is out of place. */
static void
test_early_partial_and_order(void **state)
{
    static const uint8_t success[] = {SSH_MSG_USERAUTH_SUCCESS};
    static const uint8_t partial[] = {SSH_MSG_USERAUTH_FAILURE,
                                      0,
                                      0,
                                      0,
                                      8,
                                      'p',
                                      'a',
                                      's',
                                      's',
                                      'w',
                                      'o',
                                      'r',
                                      'd',
                                      1};
    struct sshkey *k = NULL;
    struct last last;
    struct pair *p;
    struct req q;
    unsigned asked = 0;
    char *pw[1] = {"secret"};
    struct userauth_client_config cc = {.user = "alice",
                                        .keys = &k,
                                        .n_keys = 1,
                                        .password = true,
                                        .max_prompts = 1,
                                        .ask = say_secret,
                                        .ask_ctx = &asked};
    const uint8_t *blob;
    const char *alg;
    size_t len;

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &k), 0);
    first_login(&k, 1, k, NULL, &last);
    cc.last_blob = buf_ptr(&last.blob);
    cc.last_blob_len = buf_len(&last.blob);
    cc.last_alg = last.alg;
    p = pair_new_cfg(&cc, k, 0, NULL);
    assert_int_equal(userauth_client_start(p->c), 0);
    assert_int_equal(userauth_client_early(p->c, &p->cs), 0);
    check_first_flight(p, &last);
    feed_msg(p, success, sizeof(success), ERR_PROTO);
    feed_msg(p, partial, sizeof(partial), ERR_PROTO);
    feed_accept(p);
    assert_int_equal(p->ccap.n, 2); /* no "none" after the early request */
    feed_msg(p, partial, sizeof(partial), 0);
    assert_int_equal(asked, 1);
    assert_int_equal(userauth_client_answered(p->c, pw, 1, &p->cs, &p->cres),
                     0);
    req_read(&p->ccap.msgs[p->ccap.n - 1], &q);
    assert_string_equal(q.method, "password");
    feed_msg(p, success, sizeof(success), 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_true(userauth_client_accepted(p->c, &blob, &len, &alg));
    assert_int_equal(len, buf_len(&last.blob));
    assert_string_equal(alg, "ssh-ed25519");
    pair_free(p);
    /* A PK_OK for the signed request is out of place. */
    p = again_pair(&k, 1, k, &last);
    feed_accept(p);
    assert_int_equal(feed_pk_ok(p, &last), ERR_PROTO);
    pair_free(p);
    buf_cleanup(&last.blob);
    sshkey_free(k);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_early_one_round_trip),
        cmocka_unit_test(test_early_rsa_alg_kept),
        cmocka_unit_test(test_early_rsa_other_alg),
        cmocka_unit_test(test_early_refused_falls_back),
        cmocka_unit_test(test_early_nothing_to_offer),
        cmocka_unit_test(test_early_partial_and_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
