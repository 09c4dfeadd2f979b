/* SPDX-License-Identifier: ISC */
/*
 * Fuzz the login of a tunnel that comes back (userauth_client_early): a
 * client with keys, one of them remembered as accepted last time, sends
 * its first flight and then takes what a server sends.
 *
 * Input: one mode byte, then a sequence of messages (fuzz_split.h). Mode:
 *   bits 0-1  the key of last time: ed25519, RSA, P-256 (held by a
 *             signer, as an agent holds it) or none
 *   bit 2     RSA's algorithm of last time: rsa-sha2-512 instead of -256
 *   bit 3     a key file to load comes first (keys[0] NULL)
 *   bit 4     server-sig-algs is "rsa-sha2-512" from the start
 * A message starting with 0xff is not the server's: it answers what the
 * client asked for, a signature (next byte 0: refused, 1: of the wrong
 * type, else a real one) or a key file (next byte odd: loaded).
 */
#include <stdbool.h>
#include <string.h>

#include "auth/userauth.h"
#include "fuzz.h"
#include "fuzz_keys.h"
#include "fuzz_split.h"
#include "wire/buf.h"

#define FUZZ_ANSWER 0xff

/* What the client asked for and is waiting on. */
struct fuzz_wait {
    bool sign, load;
    char alg[64];
    struct buf data;
};

static int
fuzz_sign(void *ctx, size_t idx, const struct sshkey *key, const char *sig_alg,
          const uint8_t *data, size_t n)
{
    struct fuzz_wait *w = ctx;

    (void)idx;
    (void)key;
    if (strlen(sig_alg) >= sizeof(w->alg)) {
        return -1;
    }
    buf_reset(&w->data);
    if (buf_put(&w->data, data, n) != 0) {
        return -1;
    }
    memcpy(w->alg, sig_alg, strlen(sig_alg) + 1);
    w->sign = true;
    return 0;
}

static int
fuzz_load(void *ctx, size_t idx)
{
    struct fuzz_wait *w = ctx;

    (void)idx;
    w->load = true;
    return 0;
}

/* The P-256 key as its public half only: a signer holds the private. */
static struct sshkey *
fuzz_agent_key(void)
{
    static struct sshkey *pub;
    struct buf b;

    if (pub == NULL) {
        buf_init(&b);
        if (sshkey_to_blob(fuzz_key(FUZZ_KEY_P256), &b) != 0 ||
            sshkey_from_blob(buf_ptr(&b), buf_len(&b), &pub) != 0) {
            abort();
        }
        buf_cleanup(&b);
    }
    return pub;
}

/* Answer the signer's or the loader's question as the message says. */
static int
fuzz_answer(struct userauth_client *u, struct fuzz_wait *w,
            struct sshkey **load_slot, const uint8_t *msg, size_t len,
            const struct userauth_session *us, enum userauth_result *res)
{
    uint8_t how = len > 1 ? msg[1] : 2;
    struct buf sig;
    int r;

    if (w->sign) {
        w->sign = false;
        buf_init(&sig);
        if (how == 1) {
            r = sshkey_sign(fuzz_key(FUZZ_KEY_ED25519), NULL, buf_ptr(&w->data),
                            buf_len(&w->data), &sig);
        } else if (how != 0) {
            r = sshkey_sign(fuzz_key(FUZZ_KEY_P256), w->alg, buf_ptr(&w->data),
                            buf_len(&w->data), &sig);
        } else {
            r = 0;
        }
        if (r == 0) {
            r = userauth_client_signed(u, how == 0 ? NULL : buf_ptr(&sig),
                                       buf_len(&sig), us, res);
        }
        buf_cleanup(&sig);
        return r;
    }
    if (w->load) {
        w->load = false;
        if (load_slot != NULL && (how & 1)) {
            *load_slot = fuzz_key(FUZZ_KEY_P384);
        }
        return userauth_client_loaded(u, us, res);
    }
    return 0;
}

/* The blob and algorithm of the key of last time, for mode; false: none. */
static bool
fuzz_last(uint8_t mode, struct buf *blob, const char **alg)
{
    switch (mode & 3) {
    case 0:
        *alg = "ssh-ed25519";
        return sshkey_to_blob(fuzz_key(FUZZ_KEY_ED25519), blob) == 0;
    case 1:
        *alg = (mode & 4) ? "rsa-sha2-512" : "rsa-sha2-256";
        return sshkey_to_blob(fuzz_key(FUZZ_KEY_RSA), blob) == 0;
    case 2:
        *alg = "ecdsa-sha2-nistp256";
        return sshkey_to_blob(fuzz_agent_key(), blob) == 0;
    default:
        return false;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t sid[32] = {9};
    struct userauth_session us = {.session_id = sid,
                                  .session_id_len = sizeof(sid)};
    struct sshkey *keys[4];
    struct fuzz_wait w = {0};
    struct userauth_client_config cfg = {
        .user = "fuzz", .sign = fuzz_sign, .sign_ctx = &w, .load = fuzz_load};
    enum userauth_result res = USERAUTH_CONTINUE;
    struct userauth_client *u = NULL;
    struct fuzz_sink fs;
    struct pkt_sink sink;
    struct buf blob;
    const uint8_t *msg;
    size_t len, n = 0;
    uint8_t mode;

    if (size < 1) {
        return 0;
    }
    mode = data[0];
    data++;
    size--;
    if (mode & 8) {
        keys[n++] = NULL;
    }
    keys[n++] = fuzz_key(FUZZ_KEY_ED25519);
    keys[n++] = fuzz_key(FUZZ_KEY_RSA);
    keys[n++] = fuzz_agent_key();
    cfg.keys = keys;
    cfg.n_keys = n;
    buf_init(&blob);
    buf_init(&w.data);
    if (fuzz_last(mode, &blob, &cfg.last_alg)) {
        cfg.last_blob = buf_ptr(&blob);
        cfg.last_blob_len = buf_len(&blob);
    }
    us.server_sig_algs = (mode & 16) ? "rsa-sha2-512" : NULL;
    if (fuzz_sink_init(&fs, &sink) != 0 ||
        userauth_client_new(&u, &cfg, &sink) != 0 ||
        userauth_client_start(u) != 0 || userauth_client_early(u, &us) != 0) {
        goto out;
    }
    while (res == USERAUTH_CONTINUE &&
           fuzz_next_msg(&data, &size, &msg, &len)) {
        int r = len > 0 && msg[0] == FUZZ_ANSWER
                    ? fuzz_answer(u, &w, (mode & 8) ? &keys[0] : NULL, msg, len,
                                  &us, &res)
                    : userauth_client_handle(u, msg, len, &us, &res);

        if (r != 0) {
            break;
        }
    }
out:
    userauth_client_free(u);
    free(fs.room);
    buf_cleanup(&blob);
    buf_cleanup(&w.data);
    return 0;
}
