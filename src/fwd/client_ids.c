/* SPDX-License-Identifier: ISC */
/*
 * adit: which keys to offer, in which order, and who signs: ssh's order
 * (sshconnect2.c pubkey_prepare):
 *   1. CertificateFile certificates,
 *   2. agent keys that an identity file also names (in the agent's order),
 *   3. the agent's other keys, unless IdentitiesOnly,
 *   4. the identity files' remaining keys.
 * A key the agent holds is signed by the agent even when its private file
 * is readable; a certificate whose plain key the agent holds too. Public
 * halves (an encrypted key's .pub) that no agent can sign for are left
 * out: there is nothing to sign with, unless they come from an encrypted
 * file, whose passphrase is asked once the server accepts the public half
 * (as ssh asks it). An encrypted file with no public half has a NULL
 * entry, loaded by the core's turn (client_hop_pass_load).
 */
#include "fwd/client_int.h"

#include <stdlib.h>
#include <string.h>

#include "auth/agent.h"
#include "keys/sshcert.h"
#include "util/err.h"
#include "util/log.h"
#include "util/mem.h"

void
client_ids_cleanup(struct client_ids *ids)
{
    size_t i;

    for (i = 0; i < ids->n_agent; i++) {
        sshkey_free(ids->agent_keys[i]);
        free(ids->agent_names[i]);
    }
    memset(ids, 0, sizeof(*ids));
}

static void
ids_add(struct client_ids *ids, struct sshkey *k, const char *name,
        bool via_agent)
{
    if (ids->n < CLIENT_MAX_KEYS) {
        ids->offer[ids->n] = k;
        ids->name[ids->n] = name;
        ids->via_agent[ids->n] = via_agent;
        ids->file_idx[ids->n] = -1;
        ids->n++;
    }
}

/* Parse the agent's keys into ids->agent_keys; keys we cannot use (types
 * we do not know, such as security keys) are skipped, as ssh skips them. */
static int
ids_agent_keys(struct client_ids *ids, const struct agent_identities *agent)
{
    size_t i;
    struct sshkey *k = NULL;
    char *name = NULL;

    for (i = 0; i < agent->n && ids->n_agent < CLIENT_MAX_KEYS; i++) {
        const struct agent_identity *a = &agent->ids[i];

        if (sshkey_from_blob(a->blob, a->blob_len, &k) != 0) {
            log_debug("agent key %zu: not a key type we use", i);
            continue;
        }
        if ((name = str_ndup(a->comment, strlen(a->comment))) == NULL) {
            sshkey_free(k);
            return ERR_NOMEM;
        }
        ids->agent_keys[ids->n_agent] = k;
        ids->agent_names[ids->n_agent] = name;
        ids->n_agent++;
    }
    return 0;
}

/* Does the agent hold k's key (plain, for a certificate)? */
static bool
ids_agent_has_plain(const struct client_ids *ids, const struct sshkey *k)
{
    size_t i;

    for (i = 0; i < ids->n_agent; i++) {
        if (!sshkey_is_cert(ids->agent_keys[i]) &&
            sshkey_equal_plain(ids->agent_keys[i], k)) {
            return true;
        }
    }
    return false;
}

/* A file key (steps 1 and 4): signed here, or by the agent, or left out. */
static void
ids_add_file(struct client_ids *ids, const struct client_keys *keys, size_t i)
{
    struct sshkey *k = keys->k[i];

    if (k == NULL) {
        /* No public half yet: loaded (asked for) when its turn comes. */
        if (keys->encrypted[i] && ids->n < CLIENT_MAX_KEYS) {
            ids_add(ids, NULL, keys->name[i], false);
            ids->file_idx[ids->n - 1] = (int)i;
        }
    } else if (sshkey_is_private(k)) {
        ids_add(ids, k, keys->name[i], false);
    } else if (ids_agent_has_plain(ids, k)) {
        ids_add(ids, k, keys->name[i], true);
    } else if (keys->encrypted[i] && ids->n < CLIENT_MAX_KEYS) {
        /* Offered; the passphrase is asked if the server accepts it. */
        ids_add(ids, k, keys->name[i], false);
        ids->file_idx[ids->n - 1] = (int)i;
    } else {
        log_debug("%s: no private key here or in the agent", keys->name[i]);
    }
}

/* Steps 2 and 3: the agent's keys in its order, taking the file entries
 * they match. */
static void
ids_add_agent(struct client_ids *ids, const struct client_keys *keys,
              bool *used, bool identities_only)
{
    size_t i, j;

    for (j = 0; j < ids->n_agent; j++) {
        struct sshkey *a = ids->agent_keys[j];

        for (i = 0; i < keys->n; i++) {
            if (!used[i] && keys->k[i] != NULL &&
                sshkey_equal_public(a, keys->k[i])) {
                break;
            }
        }
        if (i < keys->n) {
            used[i] = true;
            ids_add(ids, a, keys->name[i], true);
        } else if (!identities_only) {
            ids_add(ids, a, ids->agent_names[j], true);
        }
    }
}

static void
ids_log(const struct client_ids *ids)
{
    char fp[SSHKEY_FP_LEN];
    size_t i;

    for (i = 0; i < ids->n; i++) {
        fp[0] = '\0';
        if (ids->offer[i] == NULL) {
            log_debug("Will attempt key: %s (encrypted, no public key)",
                      ids->name[i]);
            continue;
        }
        sshkey_fingerprint(ids->offer[i], fp, sizeof(fp));
        log_debug("Will attempt key: %s %s %s%s", ids->name[i],
                  sshkey_type_label(ids->offer[i]), fp,
                  ids->via_agent[i] ? " agent" : "");
    }
}

int
client_ids_build(struct client_ids *ids, const struct client_keys *keys,
                 const struct agent_identities *agent, bool identities_only)
{
    bool used[CLIENT_MAX_KEYS] = {false};
    size_t i;
    int r = 0;

    client_ids_cleanup(ids);
    if (agent != NULL && (r = ids_agent_keys(ids, agent)) != 0) {
        return r;
    }
    for (i = 0; i < keys->n; i++) {
        if (keys->certfile[i]) {
            used[i] = true;
            ids_add_file(ids, keys, i);
        }
    }
    ids_add_agent(ids, keys, used, identities_only);
    for (i = 0; i < keys->n; i++) {
        if (!used[i]) {
            ids_add_file(ids, keys, i);
        }
    }
    ids_log(ids);
    return 0;
}
