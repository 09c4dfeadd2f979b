/* SPDX-License-Identifier: ISC */
/* A userauth client and server wired through capturing sinks, for tests. */
#ifndef ADIT_TEST_UAPAIR_H
#define ADIT_TEST_UAPAIR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../conn/capsink.h"
#include "auth/userauth.h"
#include "keys/sshkey.h"
#include "util/err.h"

static const uint8_t sid_a[32] = {1, 2, 3, 4, 5};

struct authz {
    const struct sshkey *allowed;
    unsigned calls;
};

static inline int
check_key(void *ctx, const char *user, const struct sshkey *key,
          const void **info)
{
    struct authz *a = ctx;

    a->calls++;
    *info = NULL;
    if (strcmp(user, "alice") != 0 || a->allowed == NULL ||
        !sshkey_equal_public(key, a->allowed)) {
        return ERR_DENIED;
    }
    *info = a;
    return 0;
}

struct pair {
    struct capsink ccap, scap;
    struct pkt_sink csink, ssink;
    struct userauth_client *c;
    struct userauth_server *s;
    struct authz authz;
    struct userauth_session cs, ss;
    enum userauth_result cres, sres;
    int cerr, serr;
};

/* A pair whose client has the configuration cc. */
static inline struct pair *
pair_new_cfg(const struct userauth_client_config *cc,
             const struct sshkey *allowed, unsigned max_tries,
             const char *accepted)
{
    struct pair *p = calloc(1, sizeof(*p));
    struct userauth_server_config sc = {.max_tries = max_tries,
                                        .check_key = check_key,
                                        .accepted_algs = accepted};

    assert_non_null(p);
    p->authz.allowed = allowed;
    sc.ctx = &p->authz;
    cap_init(&p->ccap, &p->csink);
    cap_init(&p->scap, &p->ssink);
    assert_int_equal(userauth_client_new(&p->c, cc, &p->csink), 0);
    assert_int_equal(userauth_server_new(&p->s, &sc, &p->ssink), 0);
    p->cs.session_id = sid_a;
    p->cs.session_id_len = sizeof(sid_a);
    p->ss = p->cs;
    return p;
}

/* alice offers keys in order; the server lets allowed in. */
static inline struct pair *
pair_new(struct sshkey *const *keys, size_t n_keys,
         const struct sshkey *allowed, unsigned max_tries, const char *accepted)
{
    struct userauth_client_config cc = {
        .user = "alice", .keys = keys, .n_keys = n_keys};

    return pair_new_cfg(&cc, allowed, max_tries, accepted);
}

static inline void
pair_free(struct pair *p)
{
    userauth_client_free(p->c);
    userauth_server_free(p->s);
    cap_cleanup(&p->ccap);
    cap_cleanup(&p->scap);
    free(p);
}

/* Shuttle messages both ways until neither side has anything to say. */
static inline void
pair_run(struct pair *p)
{
    const struct cap_msg *m;
    unsigned rounds;
    enum userauth_result res;

    for (rounds = 0; rounds < 100; rounds++) {
        bool moved = false;

        while (p->serr == 0 && p->sres == USERAUTH_CONTINUE &&
               (m = cap_take(&p->ccap)) != NULL) {
            p->serr = userauth_server_handle(p->s, m->p, m->len, &p->ss, &res);
            p->sres = res;
            moved = true;
        }
        while (p->cerr == 0 && p->cres == USERAUTH_CONTINUE &&
               (m = cap_take(&p->scap)) != NULL) {
            p->cerr = userauth_client_handle(p->c, m->p, m->len, &p->cs, &res);
            p->cres = res;
            moved = true;
        }
        if (!moved) {
            return;
        }
    }
    fail_msg("userauth did not settle");
}

#endif
