/* SPDX-License-Identifier: ISC */
/*
 * User authentication, client side: the first request goes out in the
 * same flight as the service request, without waiting for SERVICE_ACCEPT
 * (a server reads its packets in order and takes the request once it has
 * accepted the service, as OpenSSH's dispatch and aditd do). On a tunnel
 * that comes back it is the signed request with the key the server
 * accepted last time: one round trip where the usual walk ("none", the
 * query, the signed request, each after the service request) takes four.
 * Otherwise it is "none", which saves one.
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
    if (u->last_alg == NULL) {
        return uac_send_none(u);
    }
    /* PubkeyAcceptedAlgorithms may have changed with a reload since. */
    if (!userauth_namelist_has(u->pubkey_algs, u->last_alg) ||
        (idx = find_last_key(u)) == SIZE_MAX) {
        log_debug("the key accepted last time is not offered now");
        return uac_send_none(u);
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
    u->current = -1; /* "none" is no publickey attempt */
    buf_reset(&u->pending);
    return uac_send_none(u);
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
