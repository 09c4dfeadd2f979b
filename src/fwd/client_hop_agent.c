/* SPDX-License-Identifier: ISC */
/*
 * adit: a hop's use of ssh-agent. Before its session starts, the agent's
 * keys are listed and merged with the identity files' (client_ids.c);
 * during user authentication the core asks for each signature it cannot
 * make, and the agent is asked in turn. An agent that is not there or
 * fails leaves the file keys, as ssh goes on without it.
 */
#include "fwd/client_int.h"

#include <stdlib.h>
#include <string.h>

#include "auth/agent.h"
#include "fwd/client_agent.h"
#include "io/io_util.h"
#include "keys/sshcert.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"
#include "wire/rd.h"

/* Start the session with whatever keys there are now. */
static void
client_hop_agent_go(struct client_hop *hop,
                    const struct agent_identities *agent)
{
    uv_stream_t *st = hop->held;
    char *peer = hop->held_peer;
    int r;

    hop->held = NULL;
    hop->held_peer = NULL;
    if ((r = client_ids_build(&hop->ids, hop->keys, agent,
                              hop->cfg->identities_only == 1)) != 0) {
        log_debug("agent keys: %s", err_str(r));
    }
    client_hop_run(hop, st, peer != NULL ? peer : CLIENT_PROXY_PEER);
    free(peer);
}

static void
client_hop_listed(void *ctx, int status, const uint8_t *msg, size_t n)
{
    struct client_hop *hop = ctx;
    struct agent_identities ids;
    struct rd rd;
    int r = status;

    hop->agent = NULL;
    memset(&ids, 0, sizeof(ids));
    if (r == 0) {
        rd_init(&rd, msg, n);
        r = agent_identities_decode(&rd, &ids);
    }
    if (r == 0) {
        log_debug("get_agent_identities: agent returned %zu keys", ids.n);
    } else {
        /* An agent that fails is an agent that is not there. */
        log_debug("get_agent_identities: %s", err_str(r));
        hop->agent_path[0] = '\0';
    }
    client_hop_agent_go(hop, r == 0 ? &ids : NULL);
    agent_identities_cleanup(&ids);
}

void
client_hop_agent_list(struct client_hop *hop, uv_stream_t *st, const char *peer)
{
    struct buf req;
    int r;

    hop->held = st;
    hop->held_peer = str_ndup(peer, strlen(peer));
    buf_init(&req);
    if (client_agent_path(hop->cfg, hop->agent_path, sizeof(hop->agent_path)) !=
        0) {
        log_debug("no agent to ask (IdentityAgent none or no "
                  "SSH_AUTH_SOCK)");
        r = ERR_NOTFOUND;
    } else if ((r = agent_request_identities(&req)) == 0) {
        r = agent_call_start(&hop->agent, hop->c->loop, hop->agent_path, &req,
                             client_hop_listed, hop);
    }
    buf_cleanup(&req);
    if (r != 0) {
        hop->agent_path[0] = '\0';
        client_hop_agent_go(hop, NULL);
    }
}

void
client_hop_agent_stop(struct client_hop *hop)
{
    agent_call_cancel(hop->agent);
    hop->agent = NULL;
    if (hop->held != NULL) {
        io_close_free((uv_handle_t *)hop->held);
        hop->held = NULL;
    }
    free(hop->held_peer);
    hop->held_peer = NULL;
}

/* ---- signing ---- */

static void
client_hop_signed(void *ctx, int status, const uint8_t *msg, size_t n)
{
    struct client_hop *hop = ctx;
    const uint8_t *sig = NULL;
    size_t sig_len = 0;
    struct rd rd;
    int r = status;

    hop->agent = NULL;
    if (r == 0) {
        rd_init(&rd, msg, n);
        r = agent_sign_response_decode(&rd, &sig, &sig_len);
    }
    if (hop->ic == NULL) {
        return;
    }
    if (r != 0 && log_get_level() >= LOG_ERROR) {
        /* ssh's words (its error(), unprefixed); it goes on with the next
         * key. */
        log_plain("sign_and_send_pubkey: signing failed for %s \"%s\" from "
                  "agent: %s\r\n",
                  hop->agent_key_label, hop->agent_key_name,
                  r == ERR_DENIED ? "agent refused operation" : err_str(r));
    }
    if (r != 0) {
        sig = NULL;
        sig_len = 0;
    }
    io_conn_auth_signed(hop->ic, sig, sig_len);
}

/* The key blob the agent knows: the plain key also for a certificate, as
 * ssh asks it. */
static int
client_hop_agent_blob(const struct sshkey *key, struct buf *blob)
{
    struct sshkey *plain = NULL;
    int r;

    if (!sshkey_is_cert(key)) {
        return sshkey_to_blob(key, blob);
    }
    if ((r = sshkey_plain_copy(key, &plain)) == 0) {
        r = sshkey_to_blob(plain, blob);
    }
    sshkey_free(plain);
    return r;
}

int
client_hop_agent_sign(void *ctx, size_t idx, const struct sshkey *key,
                      const char *sig_alg, const uint8_t *data, size_t n)
{
    struct client_hop *hop = ctx;
    struct buf blob, req;
    int r;

    if (idx < hop->ids.n && hop->ids.file_idx[idx] >= 0) {
        return client_hop_pass_sign(hop, idx, sig_alg, data, n);
    }
    if (hop->agent_path[0] == '\0' || hop->agent != NULL || idx >= hop->ids.n ||
        !hop->ids.via_agent[idx]) {
        return ERR_DENIED;
    }
    buf_init(&blob);
    buf_init(&req);
    snprintf(hop->agent_key_label, sizeof(hop->agent_key_label), "%s",
             sshkey_type_label(key));
    snprintf(hop->agent_key_name, sizeof(hop->agent_key_name), "%s",
             hop->ids.name[idx]);
    if ((r = client_hop_agent_blob(key, &blob)) != 0 ||
        (r = agent_sign_request(&req, buf_ptr(&blob), buf_len(&blob), data, n,
                                agent_sign_flags(sig_alg))) != 0 ||
        (r = agent_call_start(&hop->agent, hop->c->loop, hop->agent_path, &req,
                              client_hop_signed, hop)) != 0) {
        log_debug("agent sign request: %s", err_str(r));
    }
    buf_cleanup(&blob);
    buf_cleanup(&req);
    return r;
}
