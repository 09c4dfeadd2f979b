/* SPDX-License-Identifier: ISC */
/*
 * Fuzz harness: the first bytes of a forwarded X11 connection, as a
 * server sends them (x11_setup.c). The input is decoded and checked
 * against a fixed fake cookie; every prefix must give "more, please" or
 * the whole input's verdict (a check that depends on how the bytes were
 * cut is a bug), and a passed setup must come out the same length with
 * only the cookie changed.
 */
#include <stdlib.h>
#include <string.h>

#include "conn/x11_setup.h"
#include "fuzz.h"
#include "util/err.h"

/* Prefixes are checked up to this size (quadratic work). */
#define FUZZ_X11_PREFIX_MAX 4096u

static void
fuzz_cookie(struct x11_cookie *ck)
{
    memset(ck, 0, sizeof(*ck));
    memcpy(ck->proto, "MIT-MAGIC-COOKIE-1", 19);
    ck->len = 16;
    memset(ck->fake, 0x5a, ck->len);
    memset(ck->real, 0xa5, ck->len);
}

static void
fuzz_decode(const uint8_t *data, size_t size)
{
    struct x11_setup s;
    struct rd rd;

    rd_init(&rd, data, size);
    if (x11_setup_decode(&rd, &s, 65535, 65535) != 0) {
        if (rd.off != 0) {
            abort();
        }
        return;
    }
    if (s.len > size || rd.off != s.len || s.len % 4 != 0 ||
        s.data_off < X11_SETUP_FIXED + s.proto_len ||
        s.data_off + s.data_len > s.len) {
        abort();
    }
}

/* A passed setup: the same bytes but the cookie, now the real one. */
static void
fuzz_check_out(const struct x11_cookie *ck, const uint8_t *data, size_t n,
               const struct buf *out)
{
    struct x11_setup s;
    struct rd rd;
    const uint8_t *p = buf_ptr(out);

    rd_init(&rd, p, buf_len(out));
    if (buf_len(out) != n ||
        x11_setup_decode(&rd, &s, X11_PROTO_MAX, X11_COOKIE_MAX) != 0 ||
        s.data_len != ck->len || memcmp(s.data, ck->real, ck->len) != 0 ||
        memcmp(p, data, s.data_off) != 0 ||
        memcmp(p + s.data_off + s.data_len, data + s.data_off + s.data_len,
               n - s.data_off - s.data_len) != 0) {
        abort();
    }
}

static void
fuzz_spoof(const struct x11_cookie *ck, const uint8_t *data, size_t size)
{
    struct buf out, dummy;
    size_t i, n = size < FUZZ_X11_PREFIX_MAX ? size : FUZZ_X11_PREFIX_MAX;
    int whole, first = ERR_TRUNC, r;

    buf_init(&out);
    buf_init(&dummy);
    whole = x11_setup_spoof(ck, data, n, &out);
    if (whole == 0) {
        fuzz_check_out(ck, data, n, &out);
    } else if (buf_len(&out) != 0) {
        abort();
    }
    for (i = 0; i <= n; i++) {
        buf_reset(&dummy);
        r = x11_setup_spoof(ck, data, i, &dummy);
        if (first == ERR_TRUNC) {
            first = r;
        } else if (r != first) {
            abort(); /* a verdict, once given, stands */
        }
    }
    if (first != whole) {
        abort();
    }
    buf_cleanup(&out);
    buf_cleanup(&dummy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x11_cookie ck;

    fuzz_cookie(&ck);
    fuzz_decode(data, size);
    fuzz_spoof(&ck, data, size);
    return 0;
}
