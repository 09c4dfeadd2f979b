/* SPDX-License-Identifier: ISC */
/*
 * adit: an encrypted identity file whose public half (.pub) was offered
 * and accepted. As ssh (sshconnect2.c load_identity_file), only now is
 * its passphrase asked, "Enter passphrase for key 'F': ", up to
 * NumberOfPasswordPrompts times; an empty answer skips the key. The
 * question is put off the loop (io_ask.h), and the key, once decrypted,
 * replaces its public half, so a reconnect or a later hop signs at once.
 * An encrypted file with no public half (a PEM file without .pub) is
 * asked for when its turn comes, as ssh's "Trying private key", and is
 * then offered as a private key (client_hop_pass_load).
 */
#include "fwd/client_int.h"

#include <stdio.h>
#include <string.h>

#include "io/io_ask.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

static int client_hop_pass_ask(struct client_hop *hop);

/* The signer's (or loader's) answer to the core: sig, or NULL to go on to
 * the next key. */
static void
client_hop_pass_done(struct client_hop *hop, const struct buf *sig)
{
    buf_reset(&hop->pass_data);
    if (hop->ic == NULL) {
        return;
    }
    if (hop->pass_load) {
        io_conn_auth_loaded(hop->ic);
        return;
    }
    io_conn_auth_signed(hop->ic, sig != NULL ? buf_ptr(sig) : NULL,
                        sig != NULL ? buf_len(sig) : 0);
}

/* The key is open: keep it in place of its public half (or of nothing),
 * then sign, or let the core offer it. */
static void
client_hop_pass_unlocked(struct client_hop *hop, struct sshkey *priv)
{
    size_t idx = hop->pass_idx;
    int i = hop->ids.file_idx[idx];
    struct buf sig;

    buf_init(&sig);
    sshkey_free(hop->keys->k[i]);
    hop->keys->k[i] = priv;
    hop->keys->encrypted[i] = false;
    hop->ids.offer[idx] = priv;
    hop->ids.file_idx[idx] = -1;
    if (hop->pass_load) {
        client_hop_pass_done(hop, NULL);
    } else if (sshkey_sign(priv, hop->pass_alg, buf_ptr(&hop->pass_data),
                           buf_len(&hop->pass_data), &sig) != 0) {
        log_error("sign_and_send_pubkey: signing failed for %s \"%s\"",
                  sshkey_type_label(priv), hop->keys->name[i]);
        client_hop_pass_done(hop, NULL);
    } else {
        client_hop_pass_done(hop, &sig);
    }
    buf_cleanup(&sig);
}

static void
client_hop_pass_answered(void *ctx, char *const *answers, size_t n)
{
    struct client_hop *hop = ctx;
    const char *path;
    struct sshkey *priv = NULL;
    int r;

    hop->ask = NULL;
    if (hop->ic == NULL || hop->pass_idx >= hop->ids.n ||
        hop->ids.file_idx[hop->pass_idx] < 0) {
        return;
    }
    path = hop->keys->name[hop->ids.file_idx[hop->pass_idx]];
    if (answers == NULL || n != 1 || answers[0][0] == '\0') {
        log_debug("no passphrase given, try next key");
        client_hop_pass_done(hop, NULL);
        return;
    }
    r = sshkey_load_private_pass(path, answers[0], &priv);
    if (r == 0) {
        client_hop_pass_unlocked(hop, priv);
        return;
    }
    if (r == ERR_PASSPHRASE && hop->pass_tries < client_hop_prompts(hop)) {
        log_debug("bad passphrase given, try again...");
        if (client_hop_pass_ask(hop) == 0) {
            return;
        }
    } else if (r != ERR_PASSPHRASE) {
        log_error("Load key \"%s\": %s", path, err_str(r));
    }
    client_hop_pass_done(hop, NULL);
}

static int
client_hop_pass_ask(struct client_hop *hop)
{
    const char *path = hop->keys->name[hop->ids.file_idx[hop->pass_idx]];
    const char *prompts[1];
    bool echo[1] = {false};
    struct io_ask_req req;
    char prompt[160];

    snprintf(prompt, sizeof(prompt),
             "Enter passphrase for key '%.100s': ", path);
    prompts[0] = prompt;
    memset(&req, 0, sizeof(req));
    req.prompts = prompts;
    req.echo = echo;
    req.n = 1;
    hop->pass_tries++;
    return io_ask_start(&hop->ask, hop->c->loop, &hop->c->sup->askq, &req,
                        client_hop_pass_answered, hop);
}

/* Whether the passphrase of a key may be asked now. BatchMode never asks:
 * the key is skipped, as ssh skips it. */
static bool
client_hop_pass_may_ask(const struct client_hop *hop, size_t idx)
{
    return hop->ask == NULL && hop->cfg->batch_mode != 1 &&
           client_hop_prompts(hop) > 0 && idx < hop->ids.n &&
           hop->ids.file_idx[idx] >= 0;
}

int
client_hop_pass_load(void *ctx, size_t idx)
{
    struct client_hop *hop = ctx;

    if (!client_hop_pass_may_ask(hop, idx)) {
        return ERR_DENIED;
    }
    log_debug("Trying private key: %s",
              hop->keys->name[hop->ids.file_idx[idx]]);
    hop->pass_load = true;
    hop->pass_idx = idx;
    hop->pass_tries = 0;
    return client_hop_pass_ask(hop);
}

int
client_hop_pass_sign(struct client_hop *hop, size_t idx, const char *sig_alg,
                     const uint8_t *data, size_t n)
{
    int r;

    if (!client_hop_pass_may_ask(hop, idx) ||
        strlen(sig_alg) >= sizeof(hop->pass_alg)) {
        return ERR_DENIED;
    }
    hop->pass_load = false;
    buf_reset(&hop->pass_data);
    if ((r = buf_put(&hop->pass_data, data, n)) != 0) {
        return r;
    }
    memcpy(hop->pass_alg, sig_alg, strlen(sig_alg) + 1);
    hop->pass_idx = idx;
    hop->pass_tries = 0;
    return client_hop_pass_ask(hop);
}
