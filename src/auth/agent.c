/* SPDX-License-Identifier: ISC */
/* The ssh-agent protocol, client side: requests out, replies decoded. */
#include "auth/agent.h"

#include <stdlib.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"
#include "util/mem.h"

void
agent_identities_cleanup(struct agent_identities *a)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        free(a->ids[i].blob);
        free(a->ids[i].comment);
    }
    free(a->ids);
    memset(a, 0, sizeof(*a));
}

/* Frame msg (number and contents) with its length into out: the frame is
 * an SSH string. */
static int
agent_frame(struct buf *out, const struct buf *msg)
{
    if (buf_len(msg) > LIM_AGENT_MSG) {
        return ERR_LIMIT;
    }
    return buf_put_buf(out, msg);
}

int
agent_request_identities(struct buf *out)
{
    struct buf m;
    int r;

    buf_init(&m);
    if ((r = buf_put_u8(&m, AGENTC_REQUEST_IDENTITIES)) == 0) {
        r = agent_frame(out, &m);
    }
    buf_cleanup(&m);
    return r;
}

int
agent_sign_request(struct buf *out, const uint8_t *blob, size_t blob_len,
                   const uint8_t *data, size_t n, uint32_t flags)
{
    struct buf m;
    int r;

    buf_init(&m);
    if ((r = buf_put_u8(&m, AGENTC_SIGN_REQUEST)) == 0 &&
        (r = buf_put_string(&m, blob, blob_len)) == 0 &&
        (r = buf_put_string(&m, data, n)) == 0 &&
        (r = buf_put_u32(&m, flags)) == 0) {
        r = agent_frame(out, &m);
    }
    buf_cleanup(&m);
    return r;
}

uint32_t
agent_sign_flags(const char *alg)
{
    if (alg != NULL && strcmp(alg, "rsa-sha2-256") == 0) {
        return AGENT_RSA_SHA2_256;
    }
    if (alg != NULL && strcmp(alg, "rsa-sha2-512") == 0) {
        return AGENT_RSA_SHA2_512;
    }
    return 0;
}

int
agent_reply_take(const uint8_t *p, size_t n, const uint8_t **msg,
                 size_t *msg_len, size_t *consumed)
{
    struct rd rd;
    uint32_t len = 0;
    int r;

    *msg = NULL;
    *msg_len = 0;
    *consumed = 0;
    rd_init(&rd, p, n);
    if (rd_u32(&rd, &len) != 0) {
        return ERR_AGAIN;
    }
    if (len > LIM_AGENT_MSG) {
        return ERR_LIMIT;
    }
    if (len == 0) {
        return ERR_FORMAT;
    }
    if (len > rd_left(&rd)) {
        return ERR_AGAIN;
    }
    if ((r = rd_bytes(&rd, len, msg)) != 0) {
        return r;
    }
    *msg_len = len;
    *consumed = 4 + (size_t)len;
    return 0;
}

/* The message number: want, or FAILURE (ERR_DENIED), or ERR_FORMAT. */
static int
agent_expect(struct rd *rd, uint8_t want)
{
    uint8_t type = 0;
    int r;

    if ((r = rd_u8(rd, &type)) != 0) {
        return r;
    }
    if (type == want) {
        return 0;
    }
    if (type == AGENT_FAILURE || type == AGENT_EXTENSION_FAILURE) {
        return ERR_DENIED;
    }
    return ERR_FORMAT;
}

static int
agent_identity_decode(struct rd *rd, struct agent_identity *id)
{
    const uint8_t *blob = NULL;
    size_t len = 0;
    int r;

    if ((r = rd_string(rd, &blob, &len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_cstring(rd, &id->comment, LIM_STRING_SMALL)) != 0) {
        return r;
    }
    if ((id->blob = malloc(len > 0 ? len : 1)) == NULL) {
        return ERR_NOMEM;
    }
    if (len > 0) {
        memcpy(id->blob, blob, len);
    }
    id->blob_len = len;
    return 0;
}

int
agent_identities_decode(struct rd *rd, struct agent_identities *out)
{
    uint32_t nkeys = 0, i;
    int r;

    memset(out, 0, sizeof(*out));
    if ((r = agent_expect(rd, AGENT_IDENTITIES_ANSWER)) != 0 ||
        (r = rd_u32(rd, &nkeys)) != 0) {
        return r;
    }
    if (nkeys > LIM_AGENT_KEYS) {
        return ERR_LIMIT;
    }
    if (nkeys > 0 && (out->ids = calloc(nkeys, sizeof(*out->ids))) == NULL) {
        return ERR_NOMEM;
    }
    for (i = 0; i < nkeys; i++) {
        /* Counted as it is filled, so cleanup frees what was decoded. */
        out->n = i + 1;
        if ((r = agent_identity_decode(rd, &out->ids[i])) != 0) {
            goto out;
        }
    }
    r = rd_end(rd);
out:
    if (r != 0) {
        agent_identities_cleanup(out);
    }
    return r;
}

int
agent_sign_response_decode(struct rd *rd, const uint8_t **sig, size_t *sig_len)
{
    int r;

    *sig = NULL;
    *sig_len = 0;
    if ((r = agent_expect(rd, AGENT_SIGN_RESPONSE)) != 0 ||
        (r = rd_string(rd, sig, sig_len, LIM_KEY_BLOB)) != 0 ||
        (r = rd_end(rd)) != 0) {
        *sig = NULL;
        *sig_len = 0;
        return r;
    }
    return 0;
}
