/* SPDX-License-Identifier: ISC */
/* Pieces of RFC 4252 shared by the userauth client and server. */
#include "auth/userauth_common.h"

#include <string.h>

#include "transport/ssh_msg.h"

bool
userauth_namelist_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p = list, *end;

    if (list == NULL || n == 0) {
        return false;
    }
    for (;;) {
        end = strchr(p, ',');
        if (end == NULL) {
            end = p + strlen(p);
        }
        if ((size_t)(end - p) == n && memcmp(p, name, n) == 0) {
            return true;
        }
        if (*end == '\0') {
            return false;
        }
        p = end + 1;
    }
}

int
userauth_pk_request(struct buf *b, const char *user, const char *alg,
                    const uint8_t *blob, size_t blob_len, bool has_sig)
{
    int r;

    if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
        (r = buf_put_cstring(b, user)) != 0 ||
        (r = buf_put_cstring(b, USERAUTH_CONN_SERVICE)) != 0 ||
        (r = buf_put_cstring(b, "publickey")) != 0 ||
        (r = buf_put_bool(b, has_sig)) != 0 ||
        (r = buf_put_cstring(b, alg)) != 0 ||
        (r = buf_put_string(b, blob, blob_len)) != 0) {
        return r;
    }
    return 0;
}
