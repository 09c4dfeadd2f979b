/* SPDX-License-Identifier: ISC */
/* User authentication, client side (RFC 4252): "none" probe, then publickey. */
#include "auth/userauth.h"

#include <stdlib.h>
#include <string.h>

#include "auth/userauth_common.h"
#include "keys/sshcert.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/rd.h"

enum uac_state {
    UAC_INIT,        /* nothing sent */
    UAC_WAIT_ACCEPT, /* SERVICE_REQUEST sent */
    UAC_WAIT_NONE,   /* "none" request sent */
    UAC_WAIT_PK_OK,  /* publickey query sent for keys[key] */
    UAC_WAIT_SIGNER, /* PK_OK came; the signer (agent) is asked */
    UAC_WAIT_SIGNED, /* signed request sent for keys[key] */
    UAC_DONE,        /* success or denied */
};

struct userauth_client {
    struct pkt_sink sink;
    char *user;
    struct sshkey *const *keys;
    size_t n_keys;
    enum uac_state state;
    size_t key;      /* index of the key being tried */
    const char *alg; /* its signature algorithm (static string) */
    struct buf blob; /* its public blob */
    char *methods;   /* from the last USERAUTH_FAILURE */
    userauth_sign_fn sign;
    void *sign_ctx;
    struct buf pending;     /* the signed request, waiting for its sig */
    char sig_alg[LIM_NAME]; /* the plain algorithm asked of the signer */
};

int
userauth_client_new(struct userauth_client **out,
                    const struct userauth_client_config *cfg,
                    const struct pkt_sink *sink)
{
    struct userauth_client *u;

    *out = NULL;
    if (cfg == NULL || cfg->user == NULL || sink == NULL ||
        (cfg->n_keys > 0 && cfg->keys == NULL)) {
        return ERR_INVAL;
    }
    if ((u = calloc(1, sizeof(*u))) == NULL) {
        return ERR_NOMEM;
    }
    buf_init(&u->blob);
    buf_init(&u->pending);
    if ((u->user = strdup(cfg->user)) == NULL ||
        (u->methods = strdup("")) == NULL) {
        userauth_client_free(u);
        return ERR_NOMEM;
    }
    u->sink = *sink;
    u->keys = cfg->keys;
    u->n_keys = cfg->n_keys;
    u->sign = cfg->sign;
    u->sign_ctx = cfg->sign_ctx;
    *out = u;
    return 0;
}

void
userauth_client_free(struct userauth_client *u)
{
    if (u == NULL) {
        return;
    }
    free(u->user);
    free(u->methods);
    buf_cleanup(&u->blob);
    buf_cleanup(&u->pending);
    free(u);
}

const char *
userauth_client_methods(const struct userauth_client *u)
{
    return u->methods;
}

int
userauth_client_start(struct userauth_client *u)
{
    struct buf b;
    int r;

    if (u->state != UAC_INIT) {
        return ERR_INVAL;
    }
    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_SERVICE_REQUEST)) != 0 ||
        (r = buf_put_cstring(&b, USERAUTH_SERVICE)) != 0 ||
        (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) != 0) {
        goto out;
    }
    u->state = UAC_WAIT_ACCEPT;
out:
    buf_cleanup(&b);
    return r;
}

/*
 * The signature algorithm for a key: RSA keys sign rsa-sha2-512 or -256 as
 * the server's server-sig-algs allows (RFC 8332 3.3); without the
 * extension rsa-sha2-512, never SHA-1 ssh-rsa. Other keys use their own.
 * A certificate is offered under the cert form of that name; the server
 * lists plain names in server-sig-algs (as sshd does).
 */
static const char *
pick_sig_alg(const struct sshkey *k, const char *server_sig_algs)
{
    bool cert = sshkey_is_cert(k);

    if (sshkey_type(k) != SSHKEY_RSA) {
        return sshkey_default_sig_alg(k);
    }
    if (server_sig_algs != NULL &&
        !userauth_namelist_has(server_sig_algs, "rsa-sha2-512") &&
        userauth_namelist_has(server_sig_algs, "rsa-sha2-256")) {
        return cert ? "rsa-sha2-256" SSHCERT_SUFFIX : "rsa-sha2-256";
    }
    return cert ? "rsa-sha2-512" SSHCERT_SUFFIX : "rsa-sha2-512";
}

/*
 * USERAUTH_REQUEST for publickey (RFC 4252 7):
 *   byte    SSH_MSG_USERAUTH_REQUEST
 *   string  user name, string "ssh-connection", string "publickey"
 *   boolean FALSE (query) / TRUE (signed)
 *   string  public key algorithm name
 *   string  public key blob
 *   [string signature]
 * The signature covers string session_id followed by the request up to
 * and including the blob.
 */
static int
send_query(struct userauth_client *u)
{
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = userauth_pk_request(&b, u->user, u->alg, buf_ptr(&u->blob),
                                 buf_len(&u->blob), false)) == 0) {
        r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b));
    }
    buf_cleanup(&b);
    return r;
}

/* The signer's algorithm: a certificate signs with its plain one. */
static int
signer_alg(const char *alg, char *out, size_t out_len)
{
    size_t n = strlen(alg);

    if (sshcert_is_cert_alg(alg)) {
        return sshcert_plain_alg(alg, out, out_len);
    }
    if (n >= out_len) {
        return ERR_INVAL;
    }
    memcpy(out, alg, n + 1);
    return 0;
}

/*
 * The signed request for keys[key] into u->pending and the data to sign
 * into data. A private key signs here and the request goes out
 * (UAC_WAIT_SIGNED); otherwise the signer is asked (UAC_WAIT_SIGNER).
 * ERR_DENIED when the signer said at once that it will not sign.
 */
static int
send_signed(struct userauth_client *u, const struct userauth_session *s)
{
    const struct sshkey *k = u->keys[u->key];
    struct buf data;
    int r;

    buf_init(&data);
    buf_reset(&u->pending);
    if ((r = userauth_pk_request(&u->pending, u->user, u->alg,
                                 buf_ptr(&u->blob), buf_len(&u->blob), true)) !=
            0 ||
        (r = buf_put_string(&data, s->session_id, s->session_id_len)) != 0 ||
        (r = buf_put(&data, buf_ptr(&u->pending), buf_len(&u->pending))) != 0) {
        goto out;
    }
    if (sshkey_is_private(k)) {
        struct buf sig;

        buf_init(&sig);
        if ((r = sshkey_sign(k, u->alg, buf_ptr(&data), buf_len(&data),
                             &sig)) == 0 &&
            (r = buf_put_buf(&u->pending, &sig)) == 0 &&
            (r = sink_send(&u->sink, buf_ptr(&u->pending),
                           buf_len(&u->pending))) == 0) {
            u->state = UAC_WAIT_SIGNED;
        }
        buf_cleanup(&sig);
        goto out;
    }
    if ((r = signer_alg(u->alg, u->sig_alg, sizeof(u->sig_alg))) != 0) {
        goto out;
    }
    u->state = UAC_WAIT_SIGNER;
    if (u->sign(u->sign_ctx, u->key, k, u->sig_alg, buf_ptr(&data),
                buf_len(&data)) != 0) {
        r = ERR_DENIED;
    }
out:
    buf_cleanup(&data);
    return r;
}

/*
 * USERAUTH_BANNER (RFC 4252 5.4):
 *   byte   SSH_MSG_USERAUTH_BANNER
 *   string message in ISO-10646 UTF-8
 *   string language tag
 * Shown on stderr with control characters (terminal escapes) removed.
 */
static int
recv_msg_banner(struct rd *rd)
{
    const uint8_t *msg, *lang;
    size_t n, lang_len, i, k = 0;
    char *text;
    int r;

    if ((r = rd_string(rd, &msg, &n, LIM_PACKET_RECV)) != 0 ||
        (r = rd_string(rd, &lang, &lang_len, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    if ((text = malloc(n + 1)) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        if (msg[i] == '\n' || msg[i] == '\t' ||
            (msg[i] >= 0x20 && msg[i] != 0x7f)) {
            text[k++] = (char)msg[i];
        }
    }
    if (k > 0 && text[k - 1] == '\n') {
        k--;
    }
    text[k] = '\0';
    log_info("%s", text);
    free(text);
    return 0;
}

/* Offer the next key that has a private part, or report denial. */
static int
try_next_key(struct userauth_client *u, const struct userauth_session *s,
             enum userauth_result *res)
{
    const struct sshkey *k = NULL;
    int r;

    for (; u->key < u->n_keys; u->key++) {
        k = u->keys[u->key];
        if (k != NULL && (sshkey_is_private(k) || u->sign != NULL)) {
            break;
        }
    }
    if (u->key >= u->n_keys ||
        !userauth_namelist_has(u->methods, "publickey")) {
        u->state = UAC_DONE;
        *res = USERAUTH_DENIED;
        return 0;
    }
    buf_reset(&u->blob);
    u->alg = pick_sig_alg(k, s->server_sig_algs);
    if ((r = sshkey_to_blob(k, &u->blob)) != 0 || (r = send_query(u)) != 0) {
        return r;
    }
    log_debug("offering %s key %zu", u->alg, u->key);
    u->state = UAC_WAIT_PK_OK;
    return 0;
}

static int
send_none(struct userauth_client *u)
{
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = buf_put_u8(&b, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
        (r = buf_put_cstring(&b, u->user)) != 0 ||
        (r = buf_put_cstring(&b, USERAUTH_CONN_SERVICE)) != 0 ||
        (r = buf_put_cstring(&b, "none")) != 0 ||
        (r = sink_send(&u->sink, buf_ptr(&b), buf_len(&b))) != 0) {
        goto out;
    }
    u->state = UAC_WAIT_NONE;
out:
    buf_cleanup(&b);
    return r;
}

/*
 * SERVICE_ACCEPT (RFC 4253 10):
 *   byte   SSH_MSG_SERVICE_ACCEPT
 *   string service name
 */
static int
recv_msg_service_accept(struct userauth_client *u, struct rd *rd)
{
    const uint8_t *name;
    size_t n;
    int r;

    if (u->state != UAC_WAIT_ACCEPT) {
        return ERR_PROTO;
    }
    if ((r = rd_string(rd, &name, &n, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    if (n != strlen(USERAUTH_SERVICE) ||
        memcmp(name, USERAUTH_SERVICE, n) != 0) {
        return ERR_PROTO;
    }
    return send_none(u);
}

/*
 * USERAUTH_FAILURE (RFC 4252 5.1):
 *   byte      SSH_MSG_USERAUTH_FAILURE
 *   name-list authentications that can continue
 *   boolean   partial success
 * Partial success is treated as failure of this method: we have no second
 * factor to offer.
 */
static int
recv_msg_failure(struct userauth_client *u, struct rd *rd,
                 const struct userauth_session *s, enum userauth_result *res)
{
    char *methods = NULL;
    bool partial = false;
    int r;

    if (u->state != UAC_WAIT_NONE && u->state != UAC_WAIT_PK_OK &&
        u->state != UAC_WAIT_SIGNED) {
        return ERR_PROTO;
    }
    if ((r = rd_namelist(rd, &methods, LIM_NAMELIST)) != 0 ||
        (r = rd_bool(rd, &partial)) != 0 || (r = rd_end(rd)) != 0) {
        free(methods);
        return r;
    }
    free(u->methods);
    u->methods = methods;
    if (u->state != UAC_WAIT_NONE) {
        u->key++;
    }
    return try_next_key(u, s, res);
}

/*
 * USERAUTH_PK_OK (RFC 4252 7):
 *   byte   SSH_MSG_USERAUTH_PK_OK
 *   string public key algorithm name from the request
 *   string public key blob from the request
 */
static int
recv_msg_pk_ok(struct userauth_client *u, struct rd *rd,
               const struct userauth_session *s, enum userauth_result *res)
{
    const uint8_t *alg, *blob;
    size_t alg_len, blob_len;
    int r;

    if (u->state != UAC_WAIT_PK_OK) {
        return ERR_PROTO;
    }
    if ((r = rd_string(rd, &alg, &alg_len, LIM_NAME)) != 0 ||
        (r = rd_string(rd, &blob, &blob_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_end(rd)) != 0) {
        return r;
    }
    if (alg_len != strlen(u->alg) || memcmp(alg, u->alg, alg_len) != 0 ||
        blob_len != buf_len(&u->blob) ||
        memcmp(blob, buf_ptr(&u->blob), blob_len) != 0) {
        log_error("server answered PK_OK for another key");
        return ERR_PROTO;
    }
    if ((r = send_signed(u, s)) != ERR_DENIED) {
        return r;
    }
    log_debug("signer refused key %zu at once", u->key);
    u->key++;
    return try_next_key(u, s, res);
}

static int
dispatch(struct userauth_client *u, uint8_t msg, struct rd *rd,
         const struct userauth_session *s, enum userauth_result *res)
{
    switch (msg) {
    case SSH_MSG_SERVICE_ACCEPT:
        return recv_msg_service_accept(u, rd);
    case SSH_MSG_USERAUTH_BANNER:
        return recv_msg_banner(rd);
    case SSH_MSG_USERAUTH_FAILURE:
        return recv_msg_failure(u, rd, s, res);
    case SSH_MSG_USERAUTH_PK_OK:
        return recv_msg_pk_ok(u, rd, s, res);
    case SSH_MSG_USERAUTH_SUCCESS:
        if (u->state < UAC_WAIT_NONE || u->state == UAC_DONE) {
            return ERR_PROTO;
        }
        u->state = UAC_DONE;
        *res = USERAUTH_SUCCESS;
        return rd_end(rd);
    default:
        log_error("unexpected userauth message %u", msg);
        return ERR_PROTO;
    }
}

int
userauth_client_handle(struct userauth_client *u, const uint8_t *payload,
                       size_t len, const struct userauth_session *s,
                       enum userauth_result *res)
{
    struct rd rd;
    uint8_t msg;
    int r;

    *res = USERAUTH_CONTINUE;
    if (s == NULL) {
        return ERR_INVAL;
    }
    rd_init(&rd, payload, len);
    if ((r = rd_u8(&rd, &msg)) != 0) {
        return r;
    }
    return dispatch(u, msg, &rd, s, res);
}

/*
 * Is sig a signature blob (string algorithm, string signature) of the
 * algorithm the signer was asked for? An agent could answer with another
 * (ssh-rsa for rsa-sha2-512 from an old agent); the server would refuse
 * it, so it counts as a refusal here (ssh: "returned incorrect signature
 * type").
 */
static bool
signature_is(const uint8_t *sig, size_t n, const char *alg)
{
    const uint8_t *name, *bytes;
    size_t name_len, bytes_len;
    struct rd rd;

    rd_init(&rd, sig, n);
    return rd_string(&rd, &name, &name_len, LIM_NAME) == 0 &&
           rd_string(&rd, &bytes, &bytes_len, LIM_KEY_BLOB) == 0 &&
           rd_end(&rd) == 0 && name_len == strlen(alg) &&
           memcmp(name, alg, name_len) == 0;
}

int
userauth_client_signed(struct userauth_client *u, const uint8_t *sig, size_t n,
                       const struct userauth_session *s,
                       enum userauth_result *res)
{
    int r;

    *res = USERAUTH_CONTINUE;
    if (u->state == UAC_DONE) {
        return 0;
    }
    if (u->state != UAC_WAIT_SIGNER || s == NULL) {
        return ERR_INVAL;
    }
    if (sig != NULL && !signature_is(sig, n, u->sig_alg)) {
        log_info("agent key %zu returned incorrect signature type", u->key);
        sig = NULL;
    }
    if (sig == NULL) {
        buf_reset(&u->pending);
        u->key++;
        return try_next_key(u, s, res);
    }
    if ((r = buf_put_string(&u->pending, sig, n)) != 0 ||
        (r = sink_send(&u->sink, buf_ptr(&u->pending), buf_len(&u->pending))) !=
            0) {
        return r;
    }
    buf_reset(&u->pending);
    u->state = UAC_WAIT_SIGNED;
    return 0;
}
