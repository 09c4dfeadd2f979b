/* SPDX-License-Identifier: ISC */
/*
 * User authentication (RFC 4252): the "ssh-userauth" service, publickey
 * (RFC 4252 7, with rsa-sha2-* chosen from server-sig-algs, RFC 8332 and
 * RFC 8308) and the "none" probe; the client also does password (RFC 4252
 * 8) and keyboard-interactive (RFC 4256), the server never. Both roles;
 * no I/O: messages come in through *_handle() and go out through a
 * pkt_sink.
 */
#ifndef ADIT_AUTH_USERAUTH_H
#define ADIT_AUTH_USERAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/sshkey.h"
#include "transport/sink.h"

enum userauth_result {
    USERAUTH_CONTINUE, /* more messages to come */
    USERAUTH_SUCCESS,  /* logged in */
    USERAUTH_DENIED,   /* client: no method left; server: too many tries */
};

/* What the transport knows that signing and checking need. */
struct userauth_session {
    const uint8_t *session_id;
    size_t session_id_len;
    const char *server_sig_algs; /* client: from EXT_INFO, or NULL */
};

/* ---- client ---- */

struct userauth_client;

/*
 * Asked for a signature the client cannot make itself: key keys[idx] has
 * no private part here (an ssh-agent holds it). data[0..n) is what must be
 * signed (session id and request, RFC 4252 7) with sig_alg, the plain
 * signature algorithm ("rsa-sha2-512" also for an RSA certificate). data
 * is only valid during the call: copy it. Answer later, never from inside
 * this call, with userauth_client_signed(). A non-zero return means no
 * signature will come: the next key is tried at once.
 */
typedef int (*userauth_sign_fn)(void *ctx, size_t idx, const struct sshkey *key,
                                const char *sig_alg, const uint8_t *data,
                                size_t n);

/*
 * Asked to load key keys[idx], which is NULL: a key file whose public half
 * cannot be read without its passphrase (an encrypted PEM file with no
 * .pub), now that its turn has come, as ssh's "Trying private key" loads
 * it then (asking the user). Answer later, never from inside this call,
 * with userauth_client_loaded() once keys[idx] holds the private key, or
 * still NULL to go on to the next key. A non-zero return means no answer
 * will come: the next key is tried at once.
 */
typedef int (*userauth_load_fn)(void *ctx, size_t idx);

/* A question for the user: its text (control characters removed) and
 * whether the answer may be shown as it is typed. */
struct userauth_prompt {
    const char *text;
    bool echo;
};

/*
 * What to put to the user for password or keyboard-interactive: lines to
 * show first, each NULL or "" when there is none (notice: ssh's error
 * level, "Permission denied, please try again."; name and instruction:
 * the server's, RFC 4256 3.2, or its password change text), then prompts
 * in order; n may be 0 (a keyboard-interactive round with nothing to
 * ask is answered at once, without the asker).
 */
struct userauth_questions {
    const char *notice;
    const char *name;
    const char *instruction;
    const struct userauth_prompt *prompts;
    size_t n;
};

/*
 * Asked to put questions to the user. q is only valid during the call:
 * copy it. Answer later, never from inside this call, with
 * userauth_client_answered(). A non-zero return means no answer will
 * come: the method is given up and the next one tried at once.
 */
typedef int (*userauth_ask_fn)(void *ctx, const struct userauth_questions *q);

struct userauth_client_config {
    const char *user;
    /* Keys to offer in order; borrowed. A private key signs here; a public
     * one goes to sign (and is skipped when sign is NULL). */
    struct sshkey *const *keys;
    size_t n_keys;
    userauth_sign_fn sign;
    void *sign_ctx;
    /* NULL entries of keys are loaded through this (with sign_ctx) when
     * their turn comes; skipped when it is NULL. */
    userauth_load_fn load;
    /* The methods to try, in order, among those the server allows
     * (PreferredAuthentications); NULL: ssh's default order. */
    const char *preferred;
    /* PubkeyAcceptedAlgorithms as written (ssh's +, - and ^ forms edit
     * KEXALG_PUBKEY_ALGS); NULL: that list. A key none of whose
     * algorithms is in it is not offered. */
    const char *pubkey_algs;
    /* Password and keyboard-interactive (both off unless set, and never
     * without ask; BatchMode turns them off): host names the server in
     * the prompts ("user@host's password: "), max_prompts is
     * NumberOfPasswordPrompts (requests of each method at most). */
    bool password;
    bool kbdint;
    const char *host;
    unsigned max_prompts;
    userauth_ask_fn ask;
    void *ask_ctx;
    /*
     * The key the server accepted at the last login of the same tunnel
     * (userauth_client_accepted: its public blob and signature algorithm;
     * copied), or last_blob NULL. userauth_client_early() offers it
     * signed at once when it is still among keys.
     */
    const uint8_t *last_blob;
    size_t last_blob_len;
    const char *last_alg;
};

int userauth_client_new(struct userauth_client **out,
                        const struct userauth_client_config *cfg,
                        const struct pkt_sink *sink);
void userauth_client_free(struct userauth_client *u);

/* Send SERVICE_REQUEST "ssh-userauth" (the transport holds it until the
 * first key exchange is done). */
int userauth_client_start(struct userauth_client *u);

/*
 * Our NEWKEYS is out and s has the session id: send the first request now,
 * in the same flight as the service request, without waiting for
 * SERVICE_ACCEPT. When the config named the key accepted last time and
 * keys still has it (its algorithm still accepted), that is its signed
 * request, without the "none" probe or the query (one round trip instead
 * of four; RFC 4252 7 allows a signed request without a query). The
 * algorithm is the one that worked then, never re-picked from a
 * server-sig-algs that arrives later. An agent key goes to sign and its
 * request follows the signature. On USERAUTH_FAILURE the usual walk goes
 * on with the methods it names, without that key; when the signer
 * refuses, it starts with "none". Without such a key, the request is
 * "none". Call once, after userauth_client_start; without this call the
 * client sends "none" after SERVICE_ACCEPT.
 */
int userauth_client_early(struct userauth_client *u,
                          const struct userauth_session *s);

/*
 * After USERAUTH_SUCCESS, when a key logged in or had a partial success
 * (AuthenticationMethods publickey,password): its public blob (*blob_len
 * bytes, valid while u lives) and the signature algorithm the server
 * took, for the next login's last_blob and last_alg. False otherwise.
 */
bool userauth_client_accepted(const struct userauth_client *u,
                              const uint8_t **blob, size_t *blob_len,
                              const char **alg);

/*
 * Handle SERVICE_ACCEPT or a USERAUTH_* message (51..79). For each key:
 * a query without signature, then on PK_OK the signed request. *res tells
 * the outcome; ERR_PROTO for a message out of place.
 */
int userauth_client_handle(struct userauth_client *u, const uint8_t *payload,
                           size_t len, const struct userauth_session *s,
                           enum userauth_result *res);

/*
 * The answer to a sign request: sig[0..n) is the signature blob (string
 * algorithm, string signature), or sig is NULL when the signer refused or
 * failed, and the next key is tried, as ssh does. A signature of another
 * algorithm than asked is taken as a refusal. *res as for _handle();
 * ERR_INVAL when no signature was asked for (a late answer after the
 * outcome is known is ignored).
 */
int userauth_client_signed(struct userauth_client *u, const uint8_t *sig,
                           size_t n, const struct userauth_session *s,
                           enum userauth_result *res);

/*
 * The answer to a load request: keys[idx] now holds the private key, which
 * is offered, or is still NULL and the next key is tried. *res as for
 * _handle(); ERR_INVAL when no load was asked for.
 */
int userauth_client_loaded(struct userauth_client *u,
                           const struct userauth_session *s,
                           enum userauth_result *res);

/*
 * The user's answers to the questions last asked: answers[0..n) in the
 * order of the prompts (the caller keeps and wipes them; the core wipes
 * its copies), or answers NULL when they could not be had: the method is
 * given up. *res as for _handle(); ERR_INVAL when nothing was asked or n
 * is not the number of prompts (an answer after the outcome is known is
 * ignored).
 */
int userauth_client_answered(struct userauth_client *u, char *const *answers,
                             size_t n, const struct userauth_session *s,
                             enum userauth_result *res);

/* After USERAUTH_DENIED: the methods the server last offered ("publickey"). */
const char *userauth_client_methods(const struct userauth_client *u);

/* ---- server ---- */

struct userauth_server;

struct userauth_server_config {
    unsigned max_tries; /* 0: LIM_AUTH_TRIES */
    /*
     * May user log in with key? Return 0 and set *info (an opaque pointer
     * the caller keeps, such as its authorized_keys entry) to allow, or
     * ERR_DENIED. Called for the query and again for the signed request;
     * the rights come from the key that signed, never from an earlier query.
     * ERR_AGAIN: the answer is not known yet (a lookup is under way);
     * userauth_server_handle then returns ERR_AGAIN having sent and counted
     * nothing, and the same message is to be handed to it again later.
     */
    int (*check_key)(void *ctx, const char *user, const struct sshkey *key,
                     const void **info);
    void *ctx;
    /* Signature algorithms accepted (NULL: all we implement). */
    const char *accepted_algs;
    /*
     * Called once, at the first USERAUTH_REQUEST, with its user name
     * (sshd applies its Match blocks there). It may point *accepted_algs
     * at another list (which must outlive the userauth) and change
     * *max_tries (0: unchanged). NULL: nothing changes.
     */
    void (*user_known)(void *ctx, const char *user, const char **accepted_algs,
                       unsigned *max_tries);
};

int userauth_server_new(struct userauth_server **out,
                        const struct userauth_server_config *cfg,
                        const struct pkt_sink *sink);
void userauth_server_free(struct userauth_server *u);

/*
 * Handle SERVICE_REQUEST or USERAUTH_REQUEST. Unknown methods and failed
 * attempts get USERAUTH_FAILURE "publickey"; after max_tries failures *res
 * is USERAUTH_DENIED and the caller disconnects ("Too many authentication
 * failures"). ERR_PROTO for a malformed or out-of-place message; ERR_AGAIN
 * when check_key did (hand the message over again when it can answer).
 */
int userauth_server_handle(struct userauth_server *u, const uint8_t *payload,
                           size_t len, const struct userauth_session *s,
                           enum userauth_result *res);

/* After USERAUTH_SUCCESS: who logged in, with which key and check_key info. */
const char *userauth_server_user(const struct userauth_server *u);
const struct sshkey *userauth_server_key(const struct userauth_server *u);
const void *userauth_server_info(const struct userauth_server *u);

#endif
