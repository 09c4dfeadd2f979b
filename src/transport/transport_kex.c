/* SPDX-License-Identifier: ISC */
/*
 * The key exchange state machine: KEXINIT, the ECDH / DH init and reply,
 * NEWKEYS, EXT_INFO. Group exchange's extra step is in transport_kex_gex.c.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/rand.h"
#include "keys/sshkey.h"
#include "transport/ssh_msg.h"
#include "transport/transport_int.h"
#include "util/adit_limits.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

/* What the server advertises in EXT_INFO (RFC 8308 3.1). */
#define TP_SERVER_SIG_ALGS                                                     \
    "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"                     \
    "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256"

static bool
is_aead(const char *name)
{
    const struct cipher_alg *a = cipher_by_name(name);

    return a != NULL && (a->flags & CIPHER_AEAD) != 0;
}

/* Our kex list, with the markers in the first KEXINIT only. */
static char *
kex_list(const struct transport *t)
{
    const char *markers = t->is_server ? "," KEXINIT_STRICT_S
                                       : "," KEXINIT_EXT_INFO_C
                                         "," KEXINIT_STRICT_C;
    size_t n = strlen(t->kex_algs), m = strlen(markers);
    char *s;

    if (t->first_kex_done) {
        return strdup(t->kex_algs);
    }
    if ((s = malloc(n + m + 1)) == NULL) {
        return NULL;
    }
    memcpy(s, t->kex_algs, n);
    memcpy(s + n, markers, m + 1);
    return s;
}

static int
build_kexinit(struct transport *t, struct kexinit *ki)
{
    const char *src[KI_NLISTS] = {
        NULL,    t->hostkey_algs, t->ciphers,   t->ciphers, t->macs,
        t->macs, t->comp_algs,    t->comp_algs, "",         "",
    };
    size_t i;
    int r;

    memset(ki, 0, sizeof(*ki));
    if ((r = rand_bytes(ki->cookie, sizeof(ki->cookie))) != 0) {
        return r;
    }
    ki->lists[KI_KEX] = kex_list(t);
    for (i = 1; i < KI_NLISTS; i++) {
        ki->lists[i] = strdup(src[i]);
    }
    for (i = 0; i < KI_NLISTS; i++) {
        if (ki->lists[i] == NULL) {
            kexinit_cleanup(ki);
            return ERR_NOMEM;
        }
    }
    return 0;
}

int
tp_kex_start(struct transport *t)
{
    int r;

    if (t->sent_kexinit) {
        return 0;
    }
    kexinit_cleanup(&t->my_ki);
    buf_reset(&t->my_kexinit);
    if ((r = build_kexinit(t, &t->my_ki)) != 0 ||
        (r = kexinit_encode(&t->my_kexinit, &t->my_ki)) != 0 ||
        (r = tp_send_now(t, buf_ptr(&t->my_kexinit),
                         buf_len(&t->my_kexinit))) != 0) {
        return r;
    }
    t->sent_kexinit = true;
    if (!t->kex_running) {
        t->kex_running = true;
        t->kex_packets = 0;
    }
    return 0;
}

void
tp_kex_reset(struct transport *t)
{
    kex_keypair_free(t->kp);
    t->kp = NULL;
    kex_dirkeys_wipe(&t->nk[0]);
    kex_dirkeys_wipe(&t->nk[1]);
    t->kex_running = false;
    t->sent_kexinit = t->got_kexinit = t->keys_ready = false;
    t->sent_newkeys = t->got_newkeys = t->ignore_next = false;
    t->sent_gex_request = false;
    memset(&t->gex, 0, sizeof(t->gex));
    t->kex_packets = 0;
}

/* Look the negotiated names up; all are ours, so NULL means a bug. */
static int
resolve_algs(struct transport *t)
{
    int i;

    t->kalg = kex_alg_by_name(t->choice.kex);
    for (i = 0; i < 2; i++) {
        t->nk[i].calg = cipher_by_name(t->choice.enc[i]);
        t->nk[i].malg =
            t->choice.mac[i] != NULL ? mac_by_name(t->choice.mac[i]) : NULL;
        if (t->nk[i].calg == NULL ||
            (t->choice.mac[i] != NULL && t->nk[i].malg == NULL)) {
            return ERR_KEX_NOMATCH;
        }
    }
    return t->kalg == NULL ? ERR_KEX_NOMATCH : 0;
}

int
tp_kex_send_init(struct transport *t)
{
    const uint8_t *q;
    size_t qlen;
    struct buf b;
    int r;

    buf_init(&b);
    if (t->kp == NULL && (r = kex_keypair_new(&t->kp, t->kalg)) != 0) {
        goto out;
    }
    kex_keypair_public(t->kp, &q, &qlen);
    if (t->kalg->kind == KEX_KIND_DH_GEX) {
        r = kex_dh_init_encode(&b, SSH_MSG_KEX_DH_GEX_INIT, q, qlen);
    } else if (t->kalg->kind == KEX_KIND_DH) {
        r = kex_dh_init_encode(&b, SSH_MSG_KEXDH_INIT, q, qlen);
    } else {
        r = kex_ecdh_init_encode(&b, q, qlen);
    }
    if (r == 0) {
        r = tp_send_now(t, buf_ptr(&b), buf_len(&b));
    }
out:
    buf_cleanup(&b);
    return r;
}

/* ssh's words (kex.c): the category, then the peer's whole list. */
static int
negotiate_failed(struct transport *t, const struct kexinit *peer)
{
    int which = t->choice.nomatch - 1;

    log_debug("%s", t->errmsg);
    t->errmsg[0] = '\0';
    if (which < 0 || which >= KI_NLISTS) {
        return tp_fail(t, ERR_KEX_NOMATCH, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "no matching algorithm found");
    }
    return tp_fail(t, ERR_KEX_NOMATCH, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                   "no matching %s found. Their offer: %s",
                   kexinit_list_what((enum kexinit_list)which),
                   peer->lists[which]);
}

static int
negotiate(struct transport *t, const struct kexinit *peer)
{
    const struct kexinit *c = t->is_server ? peer : &t->my_ki;
    const struct kexinit *s = t->is_server ? &t->my_ki : peer;
    bool initial = !t->first_kex_done;
    int r;

    kex_choice_cleanup(&t->choice);
    r = kexinit_negotiate(c, s, initial, is_aead, &t->choice, t->errmsg,
                          sizeof(t->errmsg));
    if (r == ERR_KEX_NOMATCH) {
        return negotiate_failed(t, peer);
    }
    if (r != 0 || (r = resolve_algs(t)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "algorithm negotiation failed: %s", err_str(r));
    }
    if (initial) {
        t->strict = t->choice.strict;
        t->peer_ext_info_c = t->is_server && t->choice.ext_info_c;
        if (t->strict && t->stats.packets_in != 1) {
            return tp_fail(t, ERR_STRICT_KEX, SSH_DISCONNECT_PROTOCOL_ERROR,
                           "strict KEX violation: KEXINIT was not the "
                           "first packet");
        }
    }
    t->ignore_next = peer->first_kex_follows && t->choice.guess_wrong;
    log_debug("kex: %s host key %s cipher %s/%s%s", t->choice.kex,
              t->choice.hostkey, t->choice.enc[0], t->choice.enc[1],
              t->strict ? " strict" : "");
    return 0;
}

int
tp_kex_recv_kexinit(struct transport *t, const uint8_t *p, size_t len)
{
    struct kexinit peer;
    struct rd rd;
    int r;

    if (t->got_kexinit) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "unexpected KEXINIT during key exchange");
    }
    rd_init(&rd, p + 1, len - 1);
    if ((r = kexinit_decode(&rd, &peer)) != 0) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "malformed KEXINIT: %s", err_str(r));
    }
    buf_reset(&t->peer_kexinit);
    if ((r = buf_put(&t->peer_kexinit, p, len)) != 0 ||
        (r = tp_kex_start(t)) != 0) {
        kexinit_cleanup(&peer);
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "cannot answer KEXINIT: %s", err_str(r));
    }
    t->got_kexinit = true;
    r = negotiate(t, &peer);
    kexinit_cleanup(&peer);
    if (r != 0 || t->is_server) {
        return r;
    }
    r = t->kalg->kind == KEX_KIND_DH_GEX ? tp_kex_gex_send_request(t)
                                         : tp_kex_send_init(t);
    if (r != 0) {
        r = tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                    "key exchange failed: %s", err_str(r));
    }
    return r;
}

/* Inputs of H from our state; K_S, Q_C, Q_S and K are filled by callers. */
static void
hash_input(const struct transport *t, struct kex_hash_input *in)
{
    const struct buf *ic = t->is_server ? &t->peer_kexinit : &t->my_kexinit;
    const struct buf *is = t->is_server ? &t->my_kexinit : &t->peer_kexinit;

    memset(in, 0, sizeof(*in));
    in->v_c = t->is_server ? t->peer_version : t->our_version;
    in->v_s = t->is_server ? t->our_version : t->peer_version;
    in->i_c = buf_ptr(ic);
    in->i_c_len = buf_len(ic);
    in->i_s = buf_ptr(is);
    in->i_s_len = buf_len(is);
    in->dh = kex_alg_is_dh(t->kalg);
    if (t->kalg->kind == KEX_KIND_DH_GEX && t->kp != NULL) {
        in->gex = &t->gex;
        kex_keypair_group(t->kp, &in->group);
    }
}

/* After H: fix the session id and derive the pending keys. */
static int
take_keys(struct transport *t, const struct buf *k, const uint8_t *h,
          size_t hlen)
{
    int r;

    if (t->sid_len == 0) {
        memcpy(t->session_id, h, hlen);
        t->sid_len = hlen;
    }
    r = kex_derive_keys(t->kalg->hash, buf_ptr(k), buf_len(k), h, hlen,
                        t->session_id, t->sid_len, &t->nk[0], &t->nk[1]);
    if (r == 0) {
        t->keys_ready = true;
    }
    return r;
}

static int
finish_kex(struct transport *t)
{
    if (!t->sent_newkeys || !t->got_newkeys) {
        return 0;
    }
    t->stats.kex_count++;
    t->kex_done_ms = t->now_ms;
    tp_kex_reset(t);
    log_debug("key exchange %u done", t->stats.kex_count);
    return 0;
}

/* Send NEWKEYS, switch our outgoing keys, then what waited for them. */
static int
send_newkeys(struct transport *t)
{
    static const uint8_t msg[1] = {SSH_MSG_NEWKEYS};
    struct kex_dirkeys *k = &t->nk[t->is_server ? 1 : 0];
    bool first = t->stats.kex_count == 0;
    struct buf b;
    int r;

    buf_init(&b);
    if ((r = tp_send_now(t, msg, sizeof(msg))) != 0 ||
        (r = pkt_dir_set_keys(&t->out, k->calg, k->key, k->iv, k->malg,
                              k->mac_key, true)) != 0) {
        goto out;
    }
    kex_dirkeys_wipe(k);
    if (t->strict) {
        t->out.seqnr = 0;
    }
    if ((r = tp_comp_newkeys(t, true)) != 0) {
        goto out;
    }
    t->sent_newkeys = true;
    /* RFC 8308 2.4: EXT_INFO is the next packet after NEWKEYS. */
    if (first && t->peer_ext_info_c &&
        ((r = kex_ext_info_encode(&b, TP_SERVER_SIG_ALGS)) != 0 ||
         (r = tp_send_now(t, buf_ptr(&b), buf_len(&b))) != 0)) {
        goto out;
    }
    if ((r = tp_flush_held(t)) != 0) {
        goto out;
    }
    r = finish_kex(t);
out:
    buf_cleanup(&b);
    return r;
}

/* The server's host key for the negotiated algorithm. */
static struct sshkey *
server_hostkey(const struct transport *t)
{
    size_t i;

    for (i = 0; i < t->n_hostkeys; i++) {
        if (sshkey_supports_sig_alg(t->hostkeys[i], t->choice.hostkey)) {
            return t->hostkeys[i];
        }
    }
    return NULL;
}

/* Server: send the reply with our key, Q_S or f, and the signature. */
static int
send_reply(struct transport *t, const struct kex_hash_input *in,
           const struct buf *sig)
{
    struct kex_ecdh_reply m;
    struct buf msg;
    int r;

    buf_init(&msg);
    m.k_s = in->k_s;
    m.k_s_len = in->k_s_len;
    m.q_s = in->q_s;
    m.q_s_len = in->q_s_len;
    m.sig = buf_ptr(sig);
    m.sig_len = buf_len(sig);
    if (t->kalg->kind == KEX_KIND_DH_GEX) {
        r = kex_dh_reply_encode(&msg, SSH_MSG_KEX_DH_GEX_REPLY, &m);
    } else if (t->kalg->kind == KEX_KIND_DH) {
        r = kex_dh_reply_encode(&msg, SSH_MSG_KEXDH_REPLY, &m);
    } else {
        r = kex_ecdh_reply_encode(&msg, &m);
    }
    if (r == 0) {
        r = tp_send_now(t, buf_ptr(&msg), buf_len(&msg));
    }
    buf_cleanup(&msg);
    return r;
}

/* Server: the client's Q_C (ECDH) or e (DH). */
static int
decode_init(const struct transport *t, struct rd *rd, struct kex_hash_input *in)
{
    if (kex_alg_is_dh(t->kalg)) {
        return kex_dh_init_decode(rd, &in->q_c, &in->q_c_len);
    }
    return kex_ecdh_init_decode(rd, &in->q_c, &in->q_c_len);
}

/*
 * Server: KEX_ECDH_INIT, KEXDH_INIT or KEX_DH_GEX_INIT in; the reply and
 * NEWKEYS out.
 */
static int
recv_init(struct transport *t, const uint8_t *p, size_t len)
{
    struct kex_hash_input in;
    struct sshkey *hk = server_hostkey(t);
    struct buf k, ks, sig;
    uint8_t h[DIGEST_MAX_LEN];
    size_t hlen = 0;
    struct rd rd;
    int r;

    buf_init(&k);
    buf_init(&ks);
    buf_init(&sig);
    hash_input(t, &in);
    rd_init(&rd, p + 1, len - 1);
    if ((r = decode_init(t, &rd, &in)) != 0) {
        r = ERR_PROTO;
        goto out;
    }
    if (hk == NULL) {
        r = ERR_KEX_NOMATCH;
        goto out;
    }
    /* A group exchange made its key pair with the group. */
    if ((t->kp == NULL && (r = kex_keypair_new(&t->kp, t->kalg)) != 0) ||
        (r = kex_keypair_derive(t->kp, in.q_c, in.q_c_len, &k)) != 0 ||
        (r = sshkey_to_blob(hk, &ks)) != 0) {
        goto out;
    }
    kex_keypair_public(t->kp, &in.q_s, &in.q_s_len);
    in.k_s = buf_ptr(&ks);
    in.k_s_len = buf_len(&ks);
    in.k_enc = buf_ptr(&k);
    in.k_enc_len = buf_len(&k);
    if ((r = kex_exchange_hash(t->kalg->hash, &in, h, &hlen)) != 0 ||
        (r = sshkey_sign(hk, t->choice.hostkey, h, hlen, &sig)) != 0 ||
        (r = take_keys(t, &k, h, hlen)) != 0) {
        goto out;
    }
    if ((r = send_reply(t, &in, &sig)) != 0) {
        goto out;
    }
    r = send_newkeys(t);
out:
    mem_wipe(h, sizeof(h));
    buf_cleanup(&k);
    buf_cleanup(&ks);
    buf_cleanup(&sig);
    if (r != 0) {
        return tp_fail(t, r,
                       r == ERR_PROTO ? SSH_DISCONNECT_PROTOCOL_ERROR
                                      : SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "key exchange failed: %s", err_str(r));
    }
    return 0;
}

/* Client: check the server's signature over H, then its host key. */
static int
check_server(struct transport *t, const struct kex_ecdh_reply *m,
             const uint8_t *h, size_t hlen, struct sshkey *key)
{
    int r;

    if ((r = sshkey_verify(key, m->sig, m->sig_len, h, hlen,
                           t->choice.hostkey)) != 0) {
        return tp_fail(t, ERR_SIG, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "host key signature (%s) over the exchange hash "
                       "did not verify",
                       t->choice.hostkey);
    }
    if (t->verify_hostkey != NULL &&
        (r = t->verify_hostkey(t->verify_ctx, key)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_HOST_KEY_NOT_VERIFIABLE,
                       "Host key verification failed.");
    }
    return 0;
}

/*
 * Client: KEX_ECDH_REPLY, KEXDH_REPLY or KEX_DH_GEX_REPLY in, NEWKEYS
 * out.
 */
static int
recv_reply(struct transport *t, const uint8_t *p, size_t len)
{
    struct kex_ecdh_reply m;
    struct kex_hash_input in;
    struct sshkey *key = NULL;
    struct buf k;
    uint8_t h[DIGEST_MAX_LEN];
    size_t hlen = 0;
    struct rd rd;
    int r, fatal = 0;

    buf_init(&k);
    hash_input(t, &in);
    rd_init(&rd, p + 1, len - 1);
    r = kex_alg_is_dh(t->kalg) ? kex_dh_reply_decode(&rd, &m)
                               : kex_ecdh_reply_decode(&rd, &m);
    if (r != 0 || (r = sshkey_from_blob(m.k_s, m.k_s_len, &key)) != 0) {
        r = ERR_PROTO;
        goto out;
    }
    if ((r = kex_keypair_derive(t->kp, m.q_s, m.q_s_len, &k)) != 0) {
        goto out;
    }
    kex_keypair_public(t->kp, &in.q_c, &in.q_c_len);
    in.k_s = m.k_s;
    in.k_s_len = m.k_s_len;
    in.q_s = m.q_s;
    in.q_s_len = m.q_s_len;
    in.k_enc = buf_ptr(&k);
    in.k_enc_len = buf_len(&k);
    if ((r = kex_exchange_hash(t->kalg->hash, &in, h, &hlen)) != 0) {
        goto out;
    }
    if ((fatal = check_server(t, &m, h, hlen, key)) != 0) {
        goto out;
    }
    sshkey_free(t->hostkey);
    t->hostkey = key;
    key = NULL;
    if ((r = take_keys(t, &k, h, hlen)) != 0) {
        goto out;
    }
    r = send_newkeys(t);
out:
    mem_wipe(h, sizeof(h));
    buf_cleanup(&k);
    sshkey_free(key);
    if (fatal != 0) {
        return fatal;
    }
    if (r != 0) {
        return tp_fail(t, r,
                       r == ERR_PROTO ? SSH_DISCONNECT_PROTOCOL_ERROR
                                      : SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "key exchange failed: %s", err_str(r));
    }
    return 0;
}

/*
 * Group exchange (RFC 4419 3): REQUEST, GROUP, then INIT and REPLY as for
 * a fixed group. Whether the key pair exists tells the two halves apart.
 */
static int
recv_gex_method(struct transport *t, const uint8_t *p, size_t len)
{
    uint8_t type = p[0];

    if (t->is_server && type == SSH_MSG_KEX_DH_GEX_REQUEST && t->kp == NULL) {
        return tp_kex_gex_recv_request(t, p, len);
    }
    if (t->is_server && type == SSH_MSG_KEX_DH_GEX_INIT && t->kp != NULL) {
        return recv_init(t, p, len);
    }
    if (!t->is_server && type == SSH_MSG_KEX_DH_GEX_GROUP &&
        t->sent_gex_request && t->kp == NULL) {
        return tp_kex_gex_recv_group(t, p, len);
    }
    if (!t->is_server && type == SSH_MSG_KEX_DH_GEX_REPLY && t->kp != NULL) {
        return recv_reply(t, p, len);
    }
    return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                   "unexpected key exchange message %u", type);
}

int
tp_kex_recv_method(struct transport *t, const uint8_t *p, size_t len)
{
    uint8_t type = p[0];

    /* The gate let it in only between the peer's KEXINIT and NEWKEYS. */
    if (t->keys_ready) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "unexpected key exchange message %u", type);
    }
    if (t->ignore_next) {
        /* RFC 4253 7: the peer guessed wrong; drop its guess. */
        t->ignore_next = false;
        return 0;
    }
    if (t->kalg->kind == KEX_KIND_DH_GEX) {
        return recv_gex_method(t, p, len);
    }
    if (t->is_server && type == SSH_MSG_KEX_ECDH_INIT) {
        return recv_init(t, p, len);
    }
    if (!t->is_server && type == SSH_MSG_KEX_ECDH_REPLY && t->kp != NULL) {
        return recv_reply(t, p, len);
    }
    return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                   "unexpected key exchange message %u", type);
}

int
tp_kex_recv_newkeys(struct transport *t, const uint8_t *p, size_t len)
{
    struct kex_dirkeys *k = &t->nk[t->is_server ? 0 : 1];
    int r;

    (void)p;
    if (!t->keys_ready || t->got_newkeys || len != 1) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "unexpected NEWKEYS");
    }
    if ((r = pkt_dir_set_keys(&t->in, k->calg, k->key, k->iv, k->malg,
                              k->mac_key, false)) != 0) {
        kex_dirkeys_wipe(k);
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "cannot set new keys: %s", err_str(r));
    }
    kex_dirkeys_wipe(k);
    if (t->strict) {
        t->in.seqnr = 0;
    }
    if ((r = tp_comp_newkeys(t, false)) != 0) {
        return tp_fail(t, r, SSH_DISCONNECT_KEY_EXCHANGE_FAILED,
                       "cannot start compression: %s", err_str(r));
    }
    t->got_newkeys = true;
    t->first_kex_done = true;
    return finish_kex(t);
}

int
tp_kex_recv_ext_info(struct transport *t, const uint8_t *p, size_t len)
{
    char *algs = NULL;
    struct rd rd;
    int r;

    if (t->is_server) {
        /* We never offer ext-info-s; a stray EXT_INFO is harmless. */
        return 0;
    }
    rd_init(&rd, p + 1, len - 1);
    if ((r = kex_ext_info_decode(&rd, &algs)) != 0) {
        return tp_fail(t, ERR_PROTO, SSH_DISCONNECT_PROTOCOL_ERROR,
                       "malformed EXT_INFO: %s", err_str(r));
    }
    if (algs != NULL) {
        free(t->server_sig_algs);
        t->server_sig_algs = algs;
        log_debug("server-sig-algs: %s", algs);
    }
    return 0;
}
