/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: a -D client's SOCKS4/4a/5 or HTTP CONNECT request. The
 * input is fed twice, in one read and one byte at a time; both must reach
 * the same outcome and the same replies (a decoder that depends on how
 * TCP cut the bytes is a bug), and a done request is answered with every
 * kind of server refusal.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fwd/proxy.h"
#include "transport/ssh_msg.h"
#include "util/err.h"

static int
fuzz_feed(struct proxy *px, const uint8_t *p, size_t n, struct buf *reply)
{
    uint8_t *room;
    size_t max;

    proxy_room(px, &room, &max);
    if (n > max) {
        n = max;
    }
    if (n > 0) {
        memcpy(room, p, n);
    }
    return proxy_commit(px, n, reply);
}

static void
fuzz_answer(const struct proxy *px)
{
    static const uint32_t reasons[] = {
        0,
        SSH_OPEN_ADMINISTRATIVELY_PROHIBITED,
        SSH_OPEN_CONNECT_FAILED,
        SSH_OPEN_RESOURCE_SHORTAGE,
    };
    struct buf reply;
    size_t i;

    buf_init(&reply);
    for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        if (proxy_reply(px->req.kind, reasons[i], px->req.host, &reply) != 0) {
            abort();
        }
    }
    buf_cleanup(&reply);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct proxy whole, bytewise;
    struct buf r1, r2;
    const uint8_t *extra;
    size_t i, n_extra;
    int a, b = ERR_AGAIN;

    buf_init(&r1);
    buf_init(&r2);
    proxy_init(&whole);
    proxy_init(&bytewise);
    a = fuzz_feed(&whole, data, size, &r1);
    for (i = 0; i < size && b == ERR_AGAIN; i++) {
        b = fuzz_feed(&bytewise, data + i, 1, &r2);
    }
    if (a != b || whole.state != bytewise.state ||
        buf_len(&r1) != buf_len(&r2) ||
        (buf_len(&r1) > 0 &&
         memcmp(buf_ptr(&r1), buf_ptr(&r2), buf_len(&r1)) != 0) ||
        memcmp(&whole.req, &bytewise.req, sizeof(whole.req)) != 0) {
        abort();
    }
    if (a == 0) {
        proxy_extra(&whole, &extra, &n_extra);
        if (whole.used + n_extra != whole.in_len || n_extra > size) {
            abort();
        }
        fuzz_answer(&whole);
    }
    buf_cleanup(&r1);
    buf_cleanup(&r2);
    return 0;
}
