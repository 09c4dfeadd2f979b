/* SPDX-License-Identifier: ISC */
/* Pieces of RFC 4252 shared by the userauth client and server. */
#include "auth/userauth_common.h"

#include <stdlib.h>
#include <string.h>

#include "transport/ssh_msg.h"
#include "util/err.h"

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
userauth_request_head(struct buf *b, const char *user, const char *method)
{
    int r;

    if ((r = buf_put_u8(b, SSH_MSG_USERAUTH_REQUEST)) != 0 ||
        (r = buf_put_cstring(b, user)) != 0 ||
        (r = buf_put_cstring(b, USERAUTH_CONN_SERVICE)) != 0) {
        return r;
    }
    return buf_put_cstring(b, method);
}

int
userauth_pk_request(struct buf *b, const char *user, const char *alg,
                    const uint8_t *blob, size_t blob_len, bool has_sig)
{
    int r;

    if ((r = userauth_request_head(b, user, "publickey")) != 0 ||
        (r = buf_put_bool(b, has_sig)) != 0 ||
        (r = buf_put_cstring(b, alg)) != 0 ||
        (r = buf_put_string(b, blob, blob_len)) != 0) {
        return r;
    }
    return 0;
}

int
userauth_text_clean(const uint8_t *p, size_t n, char **out)
{
    size_t i, k = 0;
    char *text;

    *out = NULL;
    if ((text = malloc(n + 1)) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == '\n' || p[i] == '\t' || (p[i] >= 0x20 && p[i] != 0x7f)) {
            text[k++] = (char)p[i];
        }
    }
    text[k] = '\0';
    *out = text;
    return 0;
}
