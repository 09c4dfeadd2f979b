/* SPDX-License-Identifier: ISC */
/*
 * User authentication, client side (RFC 4252): the "none" probe, then the
 * methods the server allows in the preferred order; publickey here,
 * password and keyboard-interactive in userauth_client_kbd.c.
 */
#include "auth/userauth_client_int.h"

#include <stdlib.h>
#include <string.h>

#include "auth/userauth_common.h"
#include "crypto/kexalg.h"
#include "keys/sshcert.h"
#include "transport/ssh_msg.h"
#include "util/adit_limits.h"
#include "util/alglist.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/rd.h"

/* ssh's default order; we do the last three (gssapi and hostbased are
 * skipped as methods we do not know). */
#define UAC_DEFAULT_PREFERRED                                                  \
    "gssapi-with-mic,hostbased,publickey,keyboard-interactive,password"

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
    buf_init(&u->last_blob);
    buf_init(&u->ok_blob);
    u->current = -1;
    u->skip = SIZE_MAX;
    if ((u->user = strdup(cfg->user)) == NULL ||
        (u->methods = strdup("")) == NULL ||
        (u->preferred =
             strdup(cfg->preferred != NULL ? cfg->preferred
                                           : UAC_DEFAULT_PREFERRED)) == NULL ||
        (u->host = strdup(cfg->host != NULL ? cfg->host : "")) == NULL ||
        alglist_assemble(cfg->pubkey_algs, KEXALG_PUBKEY_ALGS,
                         &u->pubkey_algs) != 0 ||
        (cfg->last_blob != NULL && cfg->last_alg != NULL &&
         (buf_put(&u->last_blob, cfg->last_blob, cfg->last_blob_len) != 0 ||
          (u->last_alg = strdup(cfg->last_alg)) == NULL))) {
        userauth_client_free(u);
        return ERR_NOMEM;
    }
    u->sink = *sink;
    u->keys = cfg->keys;
    u->n_keys = cfg->n_keys;
    u->load = cfg->load;
    u->sign = cfg->sign;
    u->sign_ctx = cfg->sign_ctx;
    u->ask = cfg->ask;
    u->ask_ctx = cfg->ask_ctx;
    u->password = cfg->password && cfg->ask != NULL;
    u->kbdint = cfg->kbdint && cfg->ask != NULL;
    u->max_prompts = cfg->max_prompts;
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
    free(u->preferred);
    free(u->pubkey_algs);
    free(u->supported);
    free(u->host);
    str_free_wiped(u->old_password);
    buf_cleanup(&u->blob);
    buf_cleanup(&u->pending);
    buf_cleanup(&u->last_blob);
    buf_cleanup(&u->ok_blob);
    free(u->last_alg);
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
 * The signature algorithm for a key, among those accepted
 * (PubkeyAcceptedAlgorithms), or NULL when none is: RSA keys sign
 * rsa-sha2-512 or -256 as the server's server-sig-algs allows (RFC 8332
 * 3.3; without the extension rsa-sha2-512 first, never SHA-1 ssh-rsa).
 * Other keys use their own. A certificate is offered under the cert form
 * of that name; the server lists plain names in server-sig-algs (as sshd
 * does).
 */
static const char *
pick_sig_alg(const struct sshkey *k, const char *server_sig_algs,
             const char *accepted)
{
    static const char *const rsa[2][2] = {
        {"rsa-sha2-512", "rsa-sha2-256"},
        {"rsa-sha2-512" SSHCERT_SUFFIX, "rsa-sha2-256" SSHCERT_SUFFIX},
    };
    int cert = sshkey_is_cert(k) ? 1 : 0;
    const char *alg;
    int i;

    if (sshkey_type(k) != SSHKEY_RSA) {
        alg = sshkey_default_sig_alg(k);
        return userauth_namelist_has(accepted, alg) ? alg : NULL;
    }
    for (i = 0; i < 2; i++) {
        if (userauth_namelist_has(accepted, rsa[cert][i]) &&
            (server_sig_algs == NULL ||
             userauth_namelist_has(server_sig_algs, rsa[0][i]))) {
            return rsa[cert][i];
        }
    }
    /* The server names neither: try what we accept, as ssh does. */
    for (i = 0; i < 2; i++) {
        if (userauth_namelist_has(accepted, rsa[cert][i])) {
            return rsa[cert][i];
        }
    }
    return NULL;
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
int
uac_send_signed(struct userauth_client *u, const struct userauth_session *s)
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
 * Shown on stderr as it came (ssh adds no newline), control characters
 * (terminal escapes) removed, at ssh's INFO level: LogLevel ERROR and -q
 * hide it.
 */
static int
recv_msg_banner(struct rd *rd)
{
    const uint8_t *msg, *lang;
    size_t n, lang_len, off, k;
    char *text = NULL;
    int r;

    if ((r = rd_string(rd, &msg, &n, LIM_PACKET_RECV)) != 0 ||
        (r = rd_string(rd, &lang, &lang_len, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0 ||
        (r = userauth_text_clean(msg, n, &text)) != 0) {
        return r;
    }
    /* In pieces log_screen takes whole, however long the banner. */
    k = strlen(text);
    for (off = 0; off < k && log_get_level() >= LOG_INFO; off += 256) {
        log_screen("%.*s", (int)(k - off < 256 ? k - off : 256), text + off);
    }
    free(text);
    return 0;
}

/* Offer the next key that has a private part (or a signer); *sent false
 * when there is none left. */
static int
pubkey_try(struct userauth_client *u, const struct userauth_session *s,
           bool *sent)
{
    const struct sshkey *k = NULL;
    int r;

    *sent = false;
    for (; u->key < u->n_keys; u->key++) {
        k = u->keys[u->key];
        /* A file to load first: it is offered once loaded. */
        if (k == NULL && u->load != NULL && u->load(u->sign_ctx, u->key) == 0) {
            u->state = UAC_WAIT_LOAD;
            *sent = true;
            return 0;
        }
        if (k == NULL || (!sshkey_is_private(k) && u->sign == NULL)) {
            continue;
        }
        u->alg = pick_sig_alg(k, s->server_sig_algs, u->pubkey_algs);
        if (u->alg != NULL && u->key == u->skip &&
            strcmp(u->alg, u->last_alg) == 0) {
            /* Offered signed at once under this algorithm, and refused;
             * an RSA key may still go under the other rsa-sha2. */
            continue;
        }
        if (u->alg != NULL) {
            break;
        }
        log_debug("skipping %s key %zu: not in PubkeyAcceptedAlgorithms",
                  sshkey_type_name(k), u->key);
    }
    if (u->key >= u->n_keys) {
        return 0;
    }
    buf_reset(&u->blob);
    if ((r = sshkey_to_blob(k, &u->blob)) != 0 || (r = send_query(u)) != 0) {
        return r;
    }
    log_debug("offering %s key %zu", u->alg, u->key);
    u->state = UAC_WAIT_PK_OK;
    *sent = true;
    return 0;
}

static const char *const uac_method_names[UAC_NMETHODS] = {
    [UAC_M_PUBKEY] = "publickey",
    [UAC_M_KBDINT] = "keyboard-interactive",
    [UAC_M_PASSWORD] = "password",
};

/* The method named by name[0..n), or -1 for one we do not do. */
static int
method_of(const char *name, size_t n)
{
    int m;

    for (m = 0; m < (int)UAC_NMETHODS; m++) {
        if (strlen(uac_method_names[m]) == n &&
            memcmp(uac_method_names[m], name, n) == 0) {
            return m;
        }
    }
    return -1;
}

static bool
method_enabled(const struct userauth_client *u, int m)
{
    if (u->disabled[m]) {
        return false;
    }
    return m == UAC_M_PUBKEY || (m == UAC_M_KBDINT && u->kbdint) ||
           (m == UAC_M_PASSWORD && u->password);
}

/*
 * The method to try now, as ssh's authmethod_get(): the current one while
 * the server's list is the same and the method is not spent; otherwise
 * the next name of the preferred list that the server allows and we can
 * do. A new server list (after a partial success) starts the walk over.
 */
static int
method_get(struct userauth_client *u)
{
    if (u->supported == NULL || strcmp(u->supported, u->methods) != 0) {
        free(u->supported);
        if ((u->supported = strdup(u->methods)) == NULL) {
            return ERR_NOMEM;
        }
        u->pref_off = 0;
        u->current = -1;
    } else if (u->current >= 0 && method_enabled(u, u->current)) {
        return 0;
    }
    u->current = -1;
    while (u->preferred[u->pref_off] != '\0') {
        const char *p = u->preferred + u->pref_off;
        size_t n = strcspn(p, ",");
        int m = method_of(p, n);

        u->pref_off += n + (p[n] == ',' ? 1 : 0);
        if (m >= 0 && method_enabled(u, m) &&
            userauth_namelist_has(u->supported, uac_method_names[m])) {
            log_debug("Next authentication method: %s", uac_method_names[m]);
            u->current = m;
            break;
        }
    }
    return 0;
}

int
uac_next(struct userauth_client *u, const struct userauth_session *s,
         enum userauth_result *res)
{
    bool sent = false;
    int r;

    for (;;) {
        if ((r = method_get(u)) != 0) {
            return r;
        }
        if (u->current < 0) {
            log_debug("No more authentication methods to try.");
            u->state = UAC_DONE;
            *res = USERAUTH_DENIED;
            return 0;
        }
        switch (u->current) {
        case UAC_M_PUBKEY:
            r = pubkey_try(u, s, &sent);
            break;
        case UAC_M_KBDINT:
            r = uac_kbdint_try(u, &sent);
            break;
        default:
            r = uac_password_try(u, &sent);
            break;
        }
        if (r != 0 || sent) {
            return r;
        }
        u->disabled[u->current] = true;
    }
}

int
uac_send_none(struct userauth_client *u)
{
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = userauth_request_head(&b, u->user, "none")) != 0 ||
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

    if (u->accepted || u->state == UAC_INIT || u->state == UAC_DONE) {
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
    u->accepted = true;
    /* Unless a request went out with the service request (or its
     * signature is awaited), userauth_client_early: its answer is next. */
    return u->state == UAC_WAIT_ACCEPT ? uac_send_none(u) : 0;
}

/* The server took the key whose signed request was under way. */
static int
key_taken(struct userauth_client *u)
{
    buf_reset(&u->ok_blob);
    u->ok_alg = u->alg;
    return buf_put(&u->ok_blob, buf_ptr(&u->blob), buf_len(&u->blob));
}

/*
 * USERAUTH_FAILURE (RFC 4252 5.1):
 *   byte      SSH_MSG_USERAUTH_FAILURE
 *   name-list authentications that can continue
 *   boolean   partial success
 * After a partial success the list names what is still needed, and the
 * walk over the preferred methods starts again on it (as ssh).
 */
static int
recv_msg_failure(struct userauth_client *u, struct rd *rd,
                 const struct userauth_session *s, enum userauth_result *res)
{
    char *methods = NULL;
    bool partial = false;
    int r;

    if ((u->state != UAC_WAIT_NONE && u->state != UAC_WAIT_PK_OK &&
         u->state != UAC_WAIT_SIGNED && u->state != UAC_WAIT_PASSWD &&
         u->state != UAC_WAIT_KBDINT) ||
        !u->accepted) {
        return ERR_PROTO;
    }
    if ((r = rd_namelist(rd, &methods, LIM_NAMELIST)) != 0 ||
        (r = rd_bool(rd, &partial)) != 0 || (r = rd_end(rd)) != 0) {
        free(methods);
        return r;
    }
    free(u->methods);
    u->methods = methods;
    if (partial && u->current >= 0) {
        log_verbose("Authenticated using \"%s\" with partial success.",
                    uac_method_names[u->current]);
    }
    if (partial && u->state == UAC_WAIT_SIGNED && buf_len(&u->ok_blob) == 0 &&
        (r = key_taken(u)) != 0) {
        return r;
    }
    if (u->early) {
        /* The key of last time is refused (or was not enough): the
         * walk starts from the first key, without it (u->skip). */
        log_debug("key %zu, accepted last time: %s", u->key,
                  partial ? "partial success" : "refused");
        u->early = false;
        u->key = 0;
    } else if (u->state == UAC_WAIT_PK_OK || u->state == UAC_WAIT_SIGNED) {
        u->key++;
    }
    return uac_next(u, s, res);
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
    if ((r = uac_send_signed(u, s)) != ERR_DENIED) {
        return r;
    }
    log_debug("signer refused key %zu at once", u->key);
    u->key++;
    return uac_next(u, s, res);
}

static int
dispatch(struct userauth_client *u, uint8_t msg, struct rd *rd,
         const struct userauth_session *s, enum userauth_result *res)
{
    int r;

    switch (msg) {
    case SSH_MSG_SERVICE_ACCEPT:
        return recv_msg_service_accept(u, rd);
    case SSH_MSG_USERAUTH_BANNER:
        return recv_msg_banner(rd);
    case SSH_MSG_USERAUTH_FAILURE:
        return recv_msg_failure(u, rd, s, res);
    case SSH_MSG_USERAUTH_PK_OK: /* = PASSWD_CHANGEREQ = INFO_REQUEST */
        if (u->state == UAC_WAIT_PASSWD) {
            return uac_recv_changereq(u, rd, s, res);
        }
        if (u->state == UAC_WAIT_KBDINT) {
            return uac_recv_info_request(u, rd, s, res);
        }
        return recv_msg_pk_ok(u, rd, s, res);
    case SSH_MSG_USERAUTH_SUCCESS:
        if (u->state < UAC_WAIT_NONE || u->state == UAC_DONE || !u->accepted) {
            return ERR_PROTO;
        }
        if (u->state == UAC_WAIT_SIGNED && (r = key_taken(u)) != 0) {
            return r;
        }
        u->succeeded = true;
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
userauth_client_answered(struct userauth_client *u, char *const *answers,
                         size_t n, const struct userauth_session *s,
                         enum userauth_result *res)
{
    *res = USERAUTH_CONTINUE;
    if (u->state == UAC_DONE) {
        return 0;
    }
    if (u->state != UAC_WAIT_ANSWER || s == NULL ||
        (answers != NULL && n != u->ask_n)) {
        return ERR_INVAL;
    }
    return uac_answered(u, answers, n, s, res);
}

int
userauth_client_loaded(struct userauth_client *u,
                       const struct userauth_session *s,
                       enum userauth_result *res)
{
    *res = USERAUTH_CONTINUE;
    if (u->state == UAC_DONE) {
        return 0;
    }
    if (u->state != UAC_WAIT_LOAD || s == NULL) {
        return ERR_INVAL;
    }
    if (u->keys[u->key] == NULL) {
        u->key++; /* not loaded: it is not asked for again */
    }
    return uac_next(u, s, res);
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
    if (sig == NULL && u->early) {
        return uac_early_abandon(u);
    }
    if (sig == NULL) {
        buf_reset(&u->pending);
        u->key++;
        return uac_next(u, s, res);
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
