/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: what an ssh-agent (or whatever listens on SSH_AUTH_SOCK)
 * sends back. The input is the byte stream on the socket; each framed
 * reply is decoded both as IDENTITIES_ANSWER and as SIGN_RESPONSE.
 */
#include <stdlib.h>

#include "auth/agent.h"
#include "fuzz.h"
#include "util/adit_limits.h"
#include "util/err.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct agent_identities ids;
    const uint8_t *msg, *sig;
    size_t len, used, sig_len, i;
    struct rd rd;

    while (agent_reply_take(data, size, &msg, &len, &used) == 0) {
        if (used > size || len + 4 != used || len > LIM_AGENT_MSG) {
            abort(); /* broken contract */
        }
        rd_init(&rd, msg, len);
        if (agent_identities_decode(&rd, &ids) == 0) {
            for (i = 0; i < ids.n; i++) {
                if (ids.ids[i].blob_len > LIM_KEY_BLOB) {
                    abort();
                }
            }
            agent_identities_cleanup(&ids);
        }
        rd_init(&rd, msg, len);
        if (agent_sign_response_decode(&rd, &sig, &sig_len) == 0 &&
            (sig < msg || sig + sig_len > msg + len)) {
            abort(); /* the view must stay inside the message */
        }
        data += used;
        size -= used;
    }
    return 0;
}
