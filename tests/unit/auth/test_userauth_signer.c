/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for the userauth client's asynchronous signer (an agent's
 * keys): client and server in memory, the "agent" answering between runs.
 */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/userauth.h"
#include "keys/sshcert.h"
#include "keys/sshkey.h"
#include "uapair.h"
#include "util/err.h"
#include "wire/buf.h"

/* The agent: holds private keys by index of the client's key list. */
struct agent {
    struct sshkey *priv[4];
    unsigned calls;
    size_t idx;
    char alg[64];
    struct buf data; /* copy of what to sign (zeroed is empty) */
    bool refuse_now;
};

static int
agent_sign(void *ctx, size_t idx, const struct sshkey *key, const char *sig_alg,
           const uint8_t *data, size_t n)
{
    struct agent *a = ctx;

    assert_non_null(key);
    assert_false(sshkey_is_private(key));
    a->calls++;
    a->idx = idx;
    snprintf(a->alg, sizeof(a->alg), "%s", sig_alg);
    buf_reset(&a->data);
    assert_int_equal(buf_put(&a->data, data, n), 0);
    return a->refuse_now ? ERR_DENIED : 0;
}

/* Answer the pending request with a real signature, then run the pair. */
static void
agent_answer(struct pair *p, struct agent *a, const char *alg)
{
    struct buf sig;
    enum userauth_result res;

    buf_init(&sig);
    assert_int_equal(sshkey_sign(a->priv[a->idx], alg, buf_ptr(&a->data),
                                 buf_len(&a->data), &sig),
                     0);
    p->cerr = userauth_client_signed(p->c, buf_ptr(&sig), buf_len(&sig), &p->cs,
                                     &res);
    p->cres = res;
    buf_cleanup(&sig);
    pair_run(p);
}

static void
agent_refuse(struct pair *p)
{
    enum userauth_result res;

    p->cerr = userauth_client_signed(p->c, NULL, 0, &p->cs, &res);
    p->cres = res;
    pair_run(p);
}

static struct pair *
agent_pair(struct sshkey *const *keys, size_t n, const struct sshkey *allowed,
           struct agent *a)
{
    struct userauth_client_config cc = {.user = "alice",
                                        .keys = keys,
                                        .n_keys = n,
                                        .sign = agent_sign,
                                        .sign_ctx = a};
    struct pair *p = pair_new_cfg(&cc, allowed, 0, NULL);

    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    return p;
}

static void
agent_free(struct agent *a)
{
    size_t i;

    for (i = 0; i < 4; i++) {
        sshkey_free(a->priv[i]);
    }
    buf_cleanup(&a->data);
}

/* The agent's key signs later; the server lets alice in with it. */
static void
agent_login(enum sshkey_type type, const char *server_sig_algs,
            const char *want_alg)
{
    struct agent a = {0};
    struct sshkey *pub = NULL;
    struct pair *p;

    assert_int_equal(sshkey_generate(type, 2048, &a.priv[0]), 0);
    assert_int_equal(sshkey_plain_copy(a.priv[0], &pub), 0);
    {
        struct userauth_client_config cc = {.user = "alice",
                                            .keys = &pub,
                                            .n_keys = 1,
                                            .sign = agent_sign,
                                            .sign_ctx = &a};

        p = pair_new_cfg(&cc, pub, 0, NULL);
    }
    p->cs.server_sig_algs = server_sig_algs;
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    /* PK_OK came: the client waits for the agent, nothing is in flight. */
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.idx, 0);
    assert_string_equal(a.alg, want_alg);
    assert_int_equal(p->cres, USERAUTH_CONTINUE);
    assert_int_equal(p->sres, USERAUTH_CONTINUE);
    agent_answer(p, &a, want_alg);
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->serr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(p->sres, USERAUTH_SUCCESS);
    assert_true(sshkey_equal_public(userauth_server_key(p->s), pub));
    pair_free(p);
    sshkey_free(pub);
    agent_free(&a);
}

static void
test_agent_login(void **state)
{
    (void)state;
    agent_login(SSHKEY_ED25519, NULL, "ssh-ed25519");
    agent_login(SSHKEY_ECDSA_P256, NULL, "ecdsa-sha2-nistp256");
    agent_login(SSHKEY_RSA, NULL, "rsa-sha2-512");
    agent_login(SSHKEY_RSA, "rsa-sha2-256,ssh-ed25519", "rsa-sha2-256");
}

/* keys[0]: the agent's key (public here), keys[1]: a file's (private,
 * returned). */
static struct sshkey *
agent_and_file(struct agent *a, struct sshkey **keys)
{
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &a->priv[0]), 0);
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &keys[1]), 0);
    assert_int_equal(sshkey_plain_copy(a->priv[0], &keys[0]), 0);
    return keys[1];
}

/* The agent refuses its key: the next key (a file's) logs in. */
static void
test_agent_refuses_then_file_key(void **state)
{
    struct agent a = {0};
    struct sshkey *keys[2] = {NULL, NULL}, *file = NULL;
    struct pair *p;

    (void)state;
    file = agent_and_file(&a, keys);
    /* The server takes either key: the agent's is offered first. */
    p = agent_pair(keys, 2, keys[0], &a);
    assert_int_equal(a.calls, 1);
    agent_refuse(p);
    assert_int_equal(p->cerr, 0);
    /* file is not allowed: denied once both were tried. */
    assert_int_equal(p->cres, USERAUTH_DENIED);
    pair_free(p);
    p = agent_pair(keys, 2, file, &a);
    /* The server does not know the agent's key: never asked to sign. */
    assert_int_equal(a.calls, 1);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    pair_free(p);
    sshkey_free(keys[0]);
    sshkey_free(file);
    agent_free(&a);
}

/* A signature of another algorithm, or garbage, counts as a refusal; a
 * signer that says no at once moves on without waiting. */
static void
test_agent_wrong_answers(void **state)
{
    struct agent a = {0};
    struct sshkey *pub = NULL;
    struct pair *p;
    enum userauth_result res;
    static const uint8_t junk[3] = {0, 0, 1};

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_RSA, 2048, &a.priv[0]), 0);
    assert_int_equal(sshkey_plain_copy(a.priv[0], &pub), 0);
    p = agent_pair(&pub, 1, pub, &a);
    assert_string_equal(a.alg, "rsa-sha2-512");
    agent_answer(p, &a, "rsa-sha2-256");
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    assert_int_equal(p->sres, USERAUTH_CONTINUE);
    /* Answers after the outcome are ignored; unasked ones are errors. */
    assert_int_equal(userauth_client_signed(p->c, NULL, 0, &p->cs, &res), 0);
    pair_free(p);

    p = agent_pair(&pub, 1, pub, &a);
    assert_int_equal(
        userauth_client_signed(p->c, junk, sizeof(junk), &p->cs, &res), 0);
    p->cres = res;
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    pair_free(p);

    a.refuse_now = true;
    a.calls = 0;
    p = agent_pair(&pub, 1, pub, &a);
    assert_int_equal(a.calls, 1);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    pair_free(p);
    sshkey_free(pub);
    agent_free(&a);
}

static void
test_signed_unasked(void **state)
{
    struct sshkey *key = NULL;
    struct pair *p;
    enum userauth_result res;

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &key), 0);
    p = pair_new(&key, 1, NULL, 0, NULL);
    assert_int_equal(userauth_client_signed(p->c, NULL, 0, &p->cs, &res),
                     ERR_INVAL);
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    pair_free(p);
    sshkey_free(key);
}

/* Without a signer, public keys are skipped (as before). */
static void
test_public_key_without_signer_skipped(void **state)
{
    struct sshkey *priv = NULL, *pub = NULL;
    struct pair *p;

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &priv), 0);
    assert_int_equal(sshkey_plain_copy(priv, &pub), 0);
    p = pair_new(&pub, 1, pub, 0, NULL);
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    assert_null(userauth_server_user(p->s));
    pair_free(p);
    sshkey_free(pub);
    sshkey_free(priv);
}

/* The loader: asked for a NULL key slot when its turn comes. */
struct loader {
    unsigned calls;
    size_t idx;
    bool refuse_now;
};

static int
loader_load(void *ctx, size_t idx)
{
    struct loader *l = ctx;

    l->calls++;
    l->idx = idx;
    return l->refuse_now ? ERR_DENIED : 0;
}

static void
loader_answer(struct pair *p)
{
    enum userauth_result res;

    p->cerr = userauth_client_loaded(p->c, &p->cs, &res);
    p->cres = res;
    pair_run(p);
}

/*
 * Keys with no public half (NULL) are loaded in their turn, nothing sent
 * meanwhile: one that stays NULL is passed over and not asked again, one
 * the loader refuses at once too, and one filled in is offered and logs
 * in. A late or unasked answer is ERR_INVAL.
 */
static void
test_loader_in_turn(void **state)
{
    struct sshkey *priv = NULL, *keys[3] = {NULL, NULL, NULL};
    struct loader l = {0};
    struct pair *p;
    enum userauth_result res;

    (void)state;
    assert_int_equal(sshkey_generate(SSHKEY_ED25519, 0, &priv), 0);
    {
        struct userauth_client_config cc = {.user = "alice",
                                            .keys = keys,
                                            .n_keys = 3,
                                            .load = loader_load,
                                            .sign_ctx = &l};

        p = pair_new_cfg(&cc, priv, 0, NULL);
    }
    assert_int_equal(userauth_client_loaded(p->c, &p->cs, &res), ERR_INVAL);
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(l.calls, 1);
    assert_int_equal(l.idx, 0);
    assert_int_equal(p->cres, USERAUTH_CONTINUE);
    loader_answer(p); /* key 0 stays NULL */
    assert_int_equal(p->cerr, 0);
    assert_int_equal(l.calls, 2);
    assert_int_equal(l.idx, 1);
    l.refuse_now = true;
    loader_answer(p); /* key 1 stays NULL; key 2 is refused at once */
    assert_int_equal(l.calls, 3);
    assert_int_equal(p->cres, USERAUTH_DENIED);
    pair_free(p);

    /* Filled in: offered and accepted. */
    memset(&l, 0, sizeof(l));
    {
        struct userauth_client_config cc = {.user = "alice",
                                            .keys = keys,
                                            .n_keys = 1,
                                            .load = loader_load,
                                            .sign_ctx = &l};

        p = pair_new_cfg(&cc, priv, 0, NULL);
    }
    assert_int_equal(userauth_client_start(p->c), 0);
    pair_run(p);
    assert_int_equal(l.calls, 1);
    keys[0] = priv;
    loader_answer(p);
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->serr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(p->sres, USERAUTH_SUCCESS);
    assert_int_equal(l.calls, 1);
    pair_free(p);
    sshkey_free(priv);
}

/* The agent's key was accepted last time: a pair that offers it signed at
 * once (keys[0] is the agent's), started and the early request made. */
static struct pair *
agent_again(struct sshkey *const *keys, size_t n, const struct sshkey *allowed,
            struct agent *a)
{
    struct buf blob;
    struct userauth_client_config cc = {.user = "alice",
                                        .keys = keys,
                                        .n_keys = n,
                                        .sign = agent_sign,
                                        .sign_ctx = a,
                                        .last_alg = "ssh-ed25519"};
    struct pair *p;

    buf_init(&blob);
    assert_int_equal(sshkey_to_blob(keys[0], &blob), 0);
    cc.last_blob = buf_ptr(&blob);
    cc.last_blob_len = buf_len(&blob);
    p = pair_new_cfg(&cc, allowed, 0, NULL);
    buf_cleanup(&blob);
    assert_int_equal(userauth_client_start(p->c), 0);
    assert_int_equal(userauth_client_early(p->c, &p->cs), 0);
    return p;
}

/*
 * Early with an agent key: the agent is asked at once; SERVICE_ACCEPT may
 * come before its signature (nothing is sent then), and the signed
 * request follows the signature. When the agent refuses, the login starts
 * as usual with "none" and never offers that key again, at once.
 */
static void
test_agent_early(void **state)
{
    struct agent a = {0};
    struct sshkey *keys[2] = {NULL, NULL}, *file = NULL;
    struct pair *p;

    (void)state;
    file = agent_and_file(&a, keys);
    p = agent_again(keys, 2, keys[0], &a);
    assert_int_equal(a.calls, 1);
    assert_string_equal(a.alg, "ssh-ed25519");
    assert_int_equal(p->ccap.n, 1); /* SERVICE_REQUEST; the agent signs */
    pair_run(p);
    assert_int_equal(p->scap.n, 1); /* SERVICE_ACCEPT */
    assert_int_equal(p->ccap.n, 1); /* no "none" */
    agent_answer(p, &a, "ssh-ed25519");
    assert_int_equal(p->cerr, 0);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(p->ccap.n, 2);
    assert_int_equal(p->authz.calls, 1);
    pair_free(p);

    /* Refused after SERVICE_ACCEPT: "none", then the file key only. */
    p = agent_again(keys, 2, file, &a);
    pair_run(p);
    agent_refuse(p);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(a.calls, 2);
    assert_true(sshkey_equal_public(userauth_server_key(p->s), file));
    pair_free(p);

    /* Refused at once: "none" goes with the service request. */
    a.refuse_now = true;
    p = agent_again(keys, 2, file, &a);
    assert_int_equal(a.calls, 3);
    assert_int_equal(p->ccap.n, 2);
    pair_run(p);
    assert_int_equal(p->cres, USERAUTH_SUCCESS);
    assert_int_equal(a.calls, 3);
    pair_free(p);
    sshkey_free(keys[0]);
    sshkey_free(file);
    agent_free(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_login),
        cmocka_unit_test(test_agent_refuses_then_file_key),
        cmocka_unit_test(test_agent_wrong_answers),
        cmocka_unit_test(test_signed_unasked),
        cmocka_unit_test(test_public_key_without_signer_skipped),
        cmocka_unit_test(test_loader_in_turn),
        cmocka_unit_test(test_agent_early),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
