/* SPDX-License-Identifier: ISC */
/* User authentication, server side (RFC 4252): publickey only. */
#include "auth/userauth.h"

#include <stdlib.h>
#include <string.h>

#include "auth/userauth_common.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/rd.h"

/* Room for a peer's name in a log line (rd_cstring's bound, plus NUL). */
#define UAS_LOGNAME_LEN (LIM_STRING_SMALL + 1)

enum uas_state {
    UAS_WAIT_SERVICE, /* before SERVICE_REQUEST "ssh-userauth" */
    UAS_WAIT_REQUEST, /* accepting USERAUTH_REQUESTs */
    UAS_DONE,         /* success or denied */
};

struct userauth_server {
    struct pkt_sink sink;
    struct userauth_server_config cfg;
    char *accepted_algs;
    enum uas_state state;
    unsigned failures;
    bool none_seen;
    char *user;         /* fixed by the first request */
    struct sshkey *key; /* after success: the key that signed */
    const void *info;   /* after success: check_key's info */
};

/*
 * USERAUTH_REQUEST (RFC 4252 5, 7):
 *   byte    SSH_MSG_USERAUTH_REQUEST
 *   string  user name
 *   string  service name
 *   string  method name
 *   publickey: boolean has_sig, string alg, string blob, [string sig]
 */
struct auth_request {
    char *user;
    char *service;
    char *method;
    bool has_sig;
    char *alg;
    const uint8_t *blob, *sig; /* views into the payload */
    size_t blob_len, sig_len;
};

/*
 * A name from the peer, fit for the log: bytes a terminal or a log reader
 * would act on (newlines, escapes) become '?', as OpenSSH's log does.
 */
static const char *
logname(const char *s, char *out)
{
    size_t i;

    for (i = 0; s[i] != '\0' && i < UAS_LOGNAME_LEN - 1; i++) {
        unsigned char c = (unsigned char)s[i];

        out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    out[i] = '\0';
    return out;
}

static void
auth_request_cleanup(struct auth_request *q)
{
    free(q->user);
    free(q->service);
    free(q->method);
    free(q->alg);
    memset(q, 0, sizeof(*q));
}

static int
auth_request_decode(struct rd *rd, struct auth_request *q)
{
    int r;

    memset(q, 0, sizeof(*q));
    if ((r = rd_cstring(rd, &q->user, LIM_STRING_SMALL)) != 0 ||
        (r = rd_cstring(rd, &q->service, LIM_STRING_SMALL)) != 0 ||
        (r = rd_cstring(rd, &q->method, LIM_STRING_SMALL)) != 0) {
        return r;
    }
    if (strcmp(q->method, "publickey") != 0) {
        return 0; /* other methods' fields are never read */
    }
    if ((r = rd_bool(rd, &q->has_sig)) != 0 ||
        (r = rd_cstring(rd, &q->alg, LIM_NAME)) != 0 ||
        (r = rd_string(rd, &q->blob, &q->blob_len, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    if (q->has_sig &&
        (r = rd_string(rd, &q->sig, &q->sig_len, LIM_KEY_BLOB)) != 0) {
        return r;
    }
    return rd_end(rd);
}

int
userauth_server_new(struct userauth_server **out,
                    const struct userauth_server_config *cfg,
                    const struct pkt_sink *sink)
{
    struct userauth_server *u;
    const char *algs;

    *out = NULL;
    if (cfg == NULL || cfg->check_key == NULL || sink == NULL) {
        return ERR_INVAL;
    }
    if ((u = calloc(1, sizeof(*u))) == NULL) {
        return ERR_NOMEM;
    }
    u->sink = *sink;
    u->cfg = *cfg;
    if (u->cfg.max_tries == 0) {
        u->cfg.max_tries = LIM_AUTH_TRIES;
    }
    algs =
        cfg->accepted_algs != NULL ? cfg->accepted_algs : USERAUTH_DEFAULT_ALGS;
    if ((u->accepted_algs = strdup(algs)) == NULL) {
        free(u);
        return ERR_NOMEM;
    }
    u->cfg.accepted_algs = u->accepted_algs;
    *out = u;
    return 0;
}

void
userauth_server_free(struct userauth_server *u)
{
    if (u == NULL) {
        return;
    }
    free(u->accepted_algs);
    free(u->user);
    sshkey_free(u->key);
    free(u);
}

const char *
userauth_server_user(const struct userauth_server *u)
{
    return u->key != NULL ? u->user : NULL;
}

const struct sshkey *
userauth_server_key(const struct userauth_server *u)
{
    return u->key;
}

const void *
userauth_server_info(const struct userauth_server *u)
{
    return u->key != NULL ? u->info : NULL;
}

/*
 * SERVICE_REQUEST (RFC 4253 10):
 *   byte   SSH_MSG_SERVICE_REQUEST
 *   string service name
 * Only "ssh-userauth" is offered; it is answered with SERVICE_ACCEPT.
 */
static int
recv_msg_service_request(struct userauth_server *u, struct rd *rd)
{
    char *name = NULL;
    struct buf b;
    int r;

    buf_init(&b);
    if (u->state != UAS_WAIT_SERVICE) {
        r = ERR_PROTO;
        goto out;
    }
    if ((r = rd_cstring(rd, &name, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0) {
        goto out;
    }
    if (strcmp(name, USERAUTH_SERVICE) != 0) {
        char ln[UAS_LOGNAME_LEN];

        log_error("service not available: %s", logname(name, ln));
        r = ERR_PROTO;
        goto out;
    }
    if ((r = buf_put_u8(&b, SSH_MSG_SERVICE_ACCEPT)) != 0 ||
        (r = buf_put_cstring(&b, USERAUTH_SERVICE)) != 0 ||
        (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) != 0) {
        goto out;
    }
    u->state = UAS_WAIT_REQUEST;
out:
    free(name);
    buf_cleanup(&b);
    return r;
}

/*
 * A failed attempt: count it and answer USERAUTH_FAILURE "publickey"
 * (RFC 4252 5.1), or, at max_tries, report denial as OpenSSH does
 * (it disconnects without a last FAILURE).
 */
static int
fail_attempt(struct userauth_server *u, bool counts, enum userauth_result *res)
{
    static const uint8_t failure[] = {
        SSH_MSG_USERAUTH_FAILURE,
        0,
        0,
        0,
        9,
        'p',
        'u',
        'b',
        'l',
        'i',
        'c',
        'k',
        'e',
        'y',
        0,
    };

    if (counts && ++u->failures >= u->cfg.max_tries) {
        char ln[UAS_LOGNAME_LEN];

        log_info("too many authentication failures for %s",
                 logname(u->user, ln));
        u->state = UAS_DONE;
        *res = USERAUTH_DENIED;
        return 0;
    }
    return sink_send(&u->sink, failure, sizeof(failure));
}

/* PK_OK (RFC 4252 7): string alg, string blob, echoed from the query. */
static int
send_pk_ok(struct userauth_server *u, const struct auth_request *q)
{
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_USERAUTH_PK_OK)) != 0 ||
        (r = buf_put_cstring(&b, q->alg)) != 0 ||
        (r = buf_put_string(&b, q->blob, q->blob_len)) != 0 ||
        (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) != 0) {
        goto out;
    }
out:
    buf_cleanup(&b);
    return r;
}

/* Verify the signature of a signed request over OUR session id. */
static int
verify_request(const struct auth_request *q, const struct sshkey *key,
               const struct userauth_session *s)
{
    struct buf data;
    int r;

    buf_init(&data);
    if ((r = buf_put_string(&data, s->session_id, s->session_id_len)) != 0 ||
        (r = userauth_pk_request(&data, q->user, q->alg, q->blob, q->blob_len,
                                 true)) != 0) {
        goto out;
    }
    r = sshkey_verify(key, q->sig, q->sig_len, buf_ptr(&data), buf_len(&data),
                      q->alg);
out:
    buf_cleanup(&data);
    return r;
}

/*
 * A publickey request: the key must parse, fit the algorithm, be one the
 * algorithm list accepts and be allowed by check_key; then a query gets
 * PK_OK and a signed request is verified. Any refusal is a failed attempt.
 */
static int
handle_publickey(struct userauth_server *u, const struct auth_request *q,
                 const struct userauth_session *s, enum userauth_result *res)
{
    struct sshkey *key = NULL;
    const void *info = NULL;
    char ln[UAS_LOGNAME_LEN], la[UAS_LOGNAME_LEN];
    int r, rc = ERR_DENIED;

    if (userauth_namelist_has(u->cfg.accepted_algs, q->alg) &&
        sshkey_from_blob(q->blob, q->blob_len, &key) == 0 &&
        sshkey_supports_sig_alg(key, q->alg)) {
        rc = u->cfg.check_key(u->cfg.ctx, q->user, key, &info);
    }
    if (rc == ERR_AGAIN) {
        /* Nothing sent, nothing counted: the caller hands the same
         * request to us again once check_key can answer. */
        r = ERR_AGAIN;
        goto out;
    }
    if (rc != 0) {
        log_debug("publickey %s refused for %s", logname(q->alg, la),
                  logname(q->user, ln));
        r = fail_attempt(u, true, res);
        goto out;
    }
    if (!q->has_sig) {
        r = send_pk_ok(u, q);
        goto out;
    }
    if (verify_request(q, key, s) != 0) {
        log_info("bad signature from %s", logname(q->user, ln));
        r = fail_attempt(u, true, res);
        goto out;
    }
    if ((r = sink_send(&u->sink, (const uint8_t[]){SSH_MSG_USERAUTH_SUCCESS},
                       1)) != 0) {
        goto out;
    }
    log_debug("accepted publickey %s for %s", q->alg, logname(q->user, ln));
    u->key = key;
    key = NULL;
    u->info = info;
    u->state = UAS_DONE;
    *res = USERAUTH_SUCCESS;
out:
    sshkey_free(key);
    return r;
}

/* The first request named the user: the caller may change the accepted
 * algorithms and the number of tries for it. */
static int
user_known(struct userauth_server *u)
{
    const char *algs = u->accepted_algs;
    unsigned tries = 0;
    char *copy;

    if (u->cfg.user_known == NULL) {
        return 0;
    }
    u->cfg.user_known(u->cfg.ctx, u->user, &algs, &tries);
    if (tries > 0) {
        u->cfg.max_tries = tries;
    }
    if (algs != u->accepted_algs) {
        if ((copy = strdup(algs)) == NULL) {
            return ERR_NOMEM;
        }
        free(u->accepted_algs);
        u->accepted_algs = copy;
        u->cfg.accepted_algs = copy;
    }
    return 0;
}

static int
recv_msg_request(struct userauth_server *u, struct rd *rd,
                 const struct userauth_session *s, enum userauth_result *res)
{
    struct auth_request q;
    char ln[UAS_LOGNAME_LEN], ln2[UAS_LOGNAME_LEN];
    bool first_none;
    int r;

    if (u->state != UAS_WAIT_REQUEST) {
        return ERR_PROTO;
    }
    if ((r = auth_request_decode(rd, &q)) != 0) {
        goto out;
    }
    if (u->user != NULL && strcmp(u->user, q.user) != 0) {
        log_error("user changed from %s to %s", logname(u->user, ln),
                  logname(q.user, ln2));
        r = ERR_PROTO;
        goto out;
    }
    if (strcmp(q.service, USERAUTH_CONN_SERVICE) != 0) {
        log_error("service not available: %s", logname(q.service, ln));
        r = ERR_PROTO;
        goto out;
    }
    if (u->user == NULL) {
        if ((u->user = strdup(q.user)) == NULL || (r = user_known(u)) != 0) {
            r = r != 0 ? r : ERR_NOMEM;
            goto out;
        }
    }
    if (strcmp(q.method, "publickey") == 0) {
        r = handle_publickey(u, &q, s, res);
        /* Once, not again when it comes back after a lookup. */
        if (r != ERR_AGAIN) {
            log_debug("userauth-request for user %s method publickey (%s)",
                      logname(q.user, ln), q.has_sig ? "signed" : "query");
        }
        goto out;
    }
    log_debug("userauth-request for user %s method %s", logname(q.user, ln),
              logname(q.method, ln2));
    /* "none" probes which methods exist: the first one is free. */
    first_none = strcmp(q.method, "none") == 0 && !u->none_seen;
    if (strcmp(q.method, "none") == 0) {
        u->none_seen = true;
    }
    r = fail_attempt(u, !first_none, res);
out:
    auth_request_cleanup(&q);
    return r;
}

int
userauth_server_handle(struct userauth_server *u, const uint8_t *payload,
                       size_t len, const struct userauth_session *s,
                       enum userauth_result *res)
{
    struct rd rd;
    uint8_t msg;
    int r;

    *res = USERAUTH_CONTINUE;
    if (s == NULL || s->session_id == NULL) {
        return ERR_INVAL;
    }
    rd_init(&rd, payload, len);
    if ((r = rd_u8(&rd, &msg)) != 0) {
        return r;
    }
    switch (msg) {
    case SSH_MSG_SERVICE_REQUEST:
        return recv_msg_service_request(u, &rd);
    case SSH_MSG_USERAUTH_REQUEST:
        return recv_msg_request(u, &rd, s, res);
    default:
        log_error("unexpected userauth message %u", msg);
        return ERR_PROTO;
    }
}
