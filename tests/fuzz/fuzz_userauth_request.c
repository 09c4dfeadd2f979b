/* SPDX-License-Identifier: ISC */
/* Fuzz the userauth server with SERVICE_REQUEST / USERAUTH_REQUEST sequences.
 */
#include <string.h>

#include "auth/userauth.h"
#include "fuzz.h"
#include "fuzz_split.h"

/* Any key that parses is allowed, so signatures get verified too. */
static int
fuzz_check_key(void *ctx, const char *user, const struct sshkey *key,
               const void **info)
{
    *info = ctx;
    return user[0] == 'x' ? ERR_DENIED : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t sid[32] = {7};
    struct userauth_server_config cfg = {.check_key = fuzz_check_key};
    struct userauth_session us = {.session_id = sid,
                                  .session_id_len = sizeof(sid)};
    enum userauth_result res = USERAUTH_CONTINUE;
    struct userauth_server *u = NULL;
    struct fuzz_sink fs;
    struct pkt_sink sink;
    const uint8_t *msg;
    size_t len;

    if (fuzz_sink_init(&fs, &sink) != 0 ||
        userauth_server_new(&u, &cfg, &sink) != 0) {
        free(fs.room);
        return 0;
    }
    while (res == USERAUTH_CONTINUE &&
           fuzz_next_msg(&data, &size, &msg, &len)) {
        if (userauth_server_handle(u, msg, len, &us, &res) != 0) {
            break;
        }
    }
    userauth_server_free(u);
    free(fs.room);
    return 0;
}
