/* SPDX-License-Identifier: ISC */
/* Fuzz harness: the control protocol's request and response framing, the
 * multiplexing requests in those requests (and the forward specs they
 * carry, formatted back and read again), and the metrics endpoint's HTTP
 * request reader. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_mux.h"
#include "ctl/ctl_proto.h"
#include "ctl/http_req.h"
#include "fuzz.h"

/* A forward that decoded must format, and the text must read back as a
 * forward that formats the same. */
static void
fuzz_mux_fwd(const struct ctl_mux *m)
{
    char a[LIM_CTL_REQUEST], b[LIM_CTL_REQUEST];
    struct fwdspec again;

    if (ctl_mux_fwd_format(&m->fwd, m->kind, a, sizeof(a)) != 0) {
        return; /* longer than a request can carry: refused there */
    }
    if (fwdspec_parse_kind(a, m->kind, &again) != 0) {
        abort();
    }
    if (ctl_mux_fwd_format(&again, m->kind, b, sizeof(b)) != 0 ||
        strcmp(a, b) != 0) {
        abort();
    }
    fwdspec_cleanup(&again);
}

static void
fuzz_mux(const struct ctl_request *req)
{
    struct ctl_mux m;
    char why[256];

    if (!ctl_mux_is_mux(req)) {
        return;
    }
    why[0] = '\0';
    if (ctl_mux_decode(req, &m, why, sizeof(why)) == 0) {
        if (m.cmd == CTL_MUX_FORWARD || m.cmd == CTL_MUX_CANCEL) {
            fuzz_mux_fwd(&m);
        }
        if (m.cmd == CTL_MUX_STDIO && (m.host == NULL) == (m.path == NULL)) {
            abort();
        }
        /* A pty's words stay in their ranges. */
        if (m.cmd == CTL_MUX_SESSION &&
            (m.tty > 2 || m.escape < -1 || m.escape > 255)) {
            abort();
        }
    } else if (why[0] == '\0') {
        abort(); /* every refusal says why */
    }
    ctl_mux_cleanup(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ctl_request req;
    struct http_req hreq;
    size_t off = 0, used, head, len;
    bool ok;

    /* Requests one after another, as a control connection reads them. */
    while (off < size &&
           ctl_request_decode(data + off, size - off, &used, &req) == 0) {
        if (used == 0 || used > size - off || req.argc == 0) {
            abort();
        }
        fuzz_mux(&req);
        off += used;
    }
    if (ctl_response_decode(data, size, &head, &ok, &len) == 0 &&
        (head > size || len > LIM_CTL_RESPONSE)) {
        abort();
    }
    (void)http_req_decode(data, size, &hreq);
    return 0;
}
