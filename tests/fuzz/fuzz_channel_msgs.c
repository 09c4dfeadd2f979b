/* SPDX-License-Identifier: ISC */
/* Fuzz the connection protocol with sequences of messages 80..127. */
#include <string.h>

#include "conn/conn.h"
#include "fuzz.h"
#include "fuzz_split.h"

struct fuzz_conn {
    struct conn *c;
};

static void
fz_open_request(void *ctx, uint32_t id, const struct chan_open_info *info)
{
    struct fuzz_conn *f = ctx;

    if (info->port == 1) {
        conn_open_fail(f->c, id, 1, "no");
    } else {
        conn_open_confirm(f->c, id);
    }
}

static void
fz_data(void *ctx, uint32_t id, const uint8_t *p, size_t n)
{
    struct fuzz_conn *f = ctx;
    uint8_t echo[16];
    size_t k = n < sizeof(echo) ? n : sizeof(echo);

    conn_consumed(f->c, id, n);
    if (k <= conn_send_window(f->c, id)) {
        memcpy(echo, p, k);
        conn_send(f->c, id, echo, k);
    }
}

static void
fz_eof(void *ctx, uint32_t id)
{
    struct fuzz_conn *f = ctx;

    conn_send_eof(f->c, id);
    conn_close(f->c, id);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_conn f = {NULL};
    struct conn_cbs cbs = {
        .open_request = fz_open_request, .data = fz_data, .eof = fz_eof};
    struct chan_open_info info = {
        .type = "direct-tcpip", .host = "h", .orig_host = "o"};
    struct fuzz_sink fs;
    struct pkt_sink sink;
    const uint8_t *msg;
    size_t len;
    uint32_t id;

    cbs.ctx = &f;
    if (fuzz_sink_init(&fs, &sink) != 0 || conn_new(&f.c, &sink, &cbs) != 0) {
        free(fs.room);
        return 0;
    }
    /* one channel of ours (id 0) waiting for the peer's answer */
    conn_open(f.c, &info, NULL, &id);
    conn_global_request(f.c, "tcpip-forward", true, NULL, 0);
    while (fuzz_next_msg(&data, &size, &msg, &len)) {
        if (conn_handle(f.c, msg, len) != 0) {
            break;
        }
    }
    conn_free(f.c);
    free(fs.room);
    return 0;
}
