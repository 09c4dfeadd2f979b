/* SPDX-License-Identifier: ISC */
/* Decoders for the forwarding global requests. */
#include "conn/fwd_req.h"

#include <stdlib.h>
#include <string.h>

#include "util/adit_limits.h"
#include "util/err.h"

int
tcpip_forward_decode(struct rd *rd, struct tcpip_forward *m)
{
    int r;

    memset(m, 0, sizeof(*m));
    if ((r = rd_cstring(rd, &m->host, LIM_HOSTNAME)) != 0 ||
        (r = rd_u32(rd, &m->port)) != 0 || (r = rd_end(rd)) != 0) {
        goto out;
    }
    if (m->port > 65535) {
        r = ERR_FORMAT;
    }
out:
    if (r != 0) {
        tcpip_forward_cleanup(m);
    }
    return r;
}

void
tcpip_forward_cleanup(struct tcpip_forward *m)
{
    free(m->host);
    memset(m, 0, sizeof(*m));
}

int
streamlocal_forward_decode(struct rd *rd, char **path)
{
    int r;

    *path = NULL;
    if ((r = rd_cstring(rd, path, LIM_STRING_SMALL)) != 0 ||
        (r = rd_end(rd)) != 0) {
        free(*path);
        *path = NULL;
    }
    return r;
}
