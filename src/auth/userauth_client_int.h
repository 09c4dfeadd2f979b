/* SPDX-License-Identifier: ISC */
/*
 * The userauth client's state, shared by userauth_client.c (the "none"
 * probe, method choice, publickey) and userauth_client_kbd.c (password
 * and keyboard-interactive).
 */
#ifndef ADIT_AUTH_USERAUTH_CLIENT_INT_H
#define ADIT_AUTH_USERAUTH_CLIENT_INT_H

#include "auth/userauth.h"
#include "util/adit_limits.h"
#include "wire/buf.h"
#include "wire/rd.h"

enum uac_state {
    UAC_INIT,        /* nothing sent */
    UAC_WAIT_ACCEPT, /* SERVICE_REQUEST sent */
    UAC_WAIT_NONE,   /* "none" request sent */
    UAC_WAIT_PK_OK,  /* publickey query sent for keys[key] */
    UAC_WAIT_SIGNER, /* PK_OK came; the signer (agent) is asked */
    UAC_WAIT_SIGNED, /* signed request sent for keys[key] */
    UAC_WAIT_LOAD,   /* keys[key] (NULL) is being loaded */
    UAC_WAIT_ANSWER, /* the user is asked (ask_kind says what for) */
    UAC_WAIT_PASSWD, /* password request sent */
    UAC_WAIT_KBDINT, /* keyboard-interactive request or responses sent */
    UAC_DONE,        /* success or denied */
};

/* The methods we know, in no particular order. */
enum uac_method { UAC_M_PUBKEY, UAC_M_KBDINT, UAC_M_PASSWORD, UAC_NMETHODS };

/* What the user is being asked for. */
enum uac_ask {
    UAC_ASK_PASSWORD,  /* the password */
    UAC_ASK_KBDINT,    /* the answers to an INFO_REQUEST */
    UAC_ASK_CHANGEREQ, /* old, new, retyped password */
    UAC_ASK_NEWPASS,   /* new and retyped password, after a mismatch */
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
    userauth_load_fn load;
    struct buf pending;     /* the signed request, waiting for its sig */
    char sig_alg[LIM_NAME]; /* the plain algorithm asked of the signer */
    /* Choosing the method, as ssh's authmethod_get(). */
    char *preferred;   /* PreferredAuthentications */
    char *pubkey_algs; /* PubkeyAcceptedAlgorithms, resolved */
    char *supported;   /* the server list the walk below is for */
    size_t pref_off;   /* where the walk is in preferred */
    int current;       /* enum uac_method, or -1 */
    bool disabled[UAC_NMETHODS];
    /* Password and keyboard-interactive. */
    bool password, kbdint;
    char *host;
    unsigned max_prompts;
    userauth_ask_fn ask;
    void *ask_ctx;
    enum uac_ask ask_kind;
    size_t ask_n;          /* prompts asked */
    unsigned passwd_tries; /* password requests so far */
    unsigned kbdint_tries; /* keyboard-interactive requests so far */
    bool info_req_seen;    /* some INFO_REQUEST came (ssh's info_req_seen) */
    char *old_password;    /* kept (wiped) while a new one is retyped */
    /* The signed request sent at once (userauth_client_early). */
    struct buf last_blob; /* the key accepted last time, or empty */
    char *last_alg;       /* ... and its algorithm, or NULL */
    bool early;           /* that request (or its signer) is under way */
    bool accepted;        /* SERVICE_ACCEPT came */
    bool succeeded;       /* USERAUTH_SUCCESS came */
    struct buf ok_blob;   /* the key the server took (in full or as a */
    const char *ok_alg;   /* partial success), and its algorithm */
    size_t skip;          /* the key tried early, never offered again */
};

/* Go on with the current method, or the next one the server allows;
 * USERAUTH_DENIED in *res when none is left. */
int uac_next(struct userauth_client *u, const struct userauth_session *s,
             enum userauth_result *res);

/*
 * The signed request for keys[key] with alg and blob as set: sent when the
 * key is private here (UAC_WAIT_SIGNED), else the signer is asked
 * (UAC_WAIT_SIGNER). ERR_DENIED when the signer said at once that it will
 * not sign.
 */
int uac_send_signed(struct userauth_client *u,
                    const struct userauth_session *s);

/* The "none" request (UAC_WAIT_NONE). */
int uac_send_none(struct userauth_client *u);

/* userauth_client_early.c: the signer will not sign the request made at
 * once: start as usual, with "none", without that key. */
int uac_early_abandon(struct userauth_client *u);

/* userauth_client_kbd.c: try a method once. *sent tells whether a request
 * went out or the user is being asked; false means the method is spent. */
int uac_password_try(struct userauth_client *u, bool *sent);
int uac_kbdint_try(struct userauth_client *u, bool *sent);

/* Message 60 while a password (PASSWD_CHANGEREQ) or keyboard-interactive
 * (INFO_REQUEST) request is under way. */
int uac_recv_changereq(struct userauth_client *u, struct rd *rd,
                       const struct userauth_session *s,
                       enum userauth_result *res);
int uac_recv_info_request(struct userauth_client *u, struct rd *rd,
                          const struct userauth_session *s,
                          enum userauth_result *res);

/* The user's answers (userauth_client_answered in state UAC_WAIT_ANSWER). */
int uac_answered(struct userauth_client *u, char *const *answers, size_t n,
                 const struct userauth_session *s, enum userauth_result *res);

#endif
