/* SPDX-License-Identifier: ISC */
/*
 * User authentication, client side: the login of a tunnel that comes back.
 * The key the server accepted last time is offered signed in the same
 * flight as the service request, so that the server's answer to it is the
 * first thing after SERVICE_ACCEPT: one round trip where the usual walk
 * ("none", the query, the signed request) takes four.
 */
#include "auth/userauth_client_int.h"

#include <stdint.h>
#include <string.h>

#include "auth/userauth_common.h"
#include "util/err.h"
#include "util/log.h"

/*
 * The index of the key whose public blob is the one accepted last time
 * and that can still sign (privately, or through the signer), or SIZE_MAX.
 * Keys are matched by blob, not index: an agent's list is read anew for
 * each connection and may have changed.
 */
static size_t
find_last_key(const struct userauth_client *u)
{
    struct buf b;
    size_t i, found = SIZE_MAX;

    buf_init(&b);
    for (i = 0; i < u->n_keys && found == SIZE_MAX; i++) {
        const struct sshkey *k = u->keys[i];

        if (k == NULL || (!sshkey_is_private(k) && u->sign == NULL)) {
            continue;
        }
        buf_reset(&b);
        if (sshkey_to_blob(k, &b) == 0 &&
            buf_len(&b) == buf_len(&u->last_blob) &&
            memcmp(buf_ptr(&b), buf_ptr(&u->last_blob), buf_len(&b)) == 0 &&
            sshkey_supports_sig_alg(k, u->last_alg)) {
            found = i;
        }
    }
    buf_cleanup(&b);
    return found;
}

int
userauth_client_early(struct userauth_client *u,
                      const struct userauth_session *s)
{
    size_t idx;
    int r;

    if (u->state != UAC_WAIT_ACCEPT || s == NULL || s->session_id == NULL) {
        return ERR_INVAL;
    }
    if (u->last_alg == NULL || u->skip != SIZE_MAX) {
        return 0;
    }
    /* PubkeyAcceptedAlgorithms may have changed with a reload since. */
    if (!userauth_namelist_has(u->pubkey_algs, u->last_alg) ||
        (idx = find_last_key(u)) == SIZE_MAX) {
        log_debug("the key accepted last time is not offered now");
        return 0;
    }
    u->key = u->skip = idx;
    u->alg = u->last_alg;
    u->early = true;
    u->current = UAC_M_PUBKEY; /* for the partial success line */
    buf_reset(&u->blob);
    if ((r = buf_put(&u->blob, buf_ptr(&u->last_blob),
                     buf_len(&u->last_blob))) != 0) {
        return r;
    }
    log_debug("offering %s key %zu signed at once, as it was accepted last "
              "time",
              u->alg, u->key);
    if ((r = uac_send_signed(u, s)) == ERR_DENIED) {
        log_debug("signer refused key %zu at once", u->key);
        return uac_early_abandon(u);
    }
    return r;
}

int
uac_early_abandon(struct userauth_client *u)
{
    u->early = false;
    u->key = 0;
    buf_reset(&u->pending);
    if (u->accepted) {
        return uac_send_none(u);
    }
    u->state = UAC_WAIT_ACCEPT;
    return 0;
}

bool
userauth_client_accepted(const struct userauth_client *u, const uint8_t **blob,
                         size_t *blob_len, const char **alg)
{
    *blob = NULL;
    *blob_len = 0;
    *alg = NULL;
    if (!u->succeeded || buf_len(&u->ok_blob) == 0) {
        return false;
    }
    *blob = buf_ptr(&u->ok_blob);
    *blob_len = buf_len(&u->ok_blob);
    *alg = u->ok_alg;
    return true;
}
