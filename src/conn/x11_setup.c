/* SPDX-License-Identifier: ISC */
/* The X11 connection setup: decoded, checked against the fake cookie,
 * and passed on with the real one. */
#include "conn/x11_setup.h"

#include <string.h>

#include "crypto/rand.h"
#include "util/err.h"
#include "util/mem.h"

/* A CARD16 in the client's byte order. */
static int
x11_rd_card16(struct rd *rd, bool is_msb, uint16_t *v)
{
    uint8_t a = 0, b = 0;
    int r;

    if ((r = rd_u8(rd, &a)) != 0 || (r = rd_u8(rd, &b)) != 0) {
        return r;
    }
    *v = is_msb ? (uint16_t)((a << 8) | b) : (uint16_t)((b << 8) | a);
    return 0;
}

/* A STRING8 of n bytes and its padding to a multiple of 4. */
static int
x11_rd_padded(struct rd *rd, size_t n, const uint8_t **p)
{
    const uint8_t *pad = NULL;
    int r;

    if ((r = rd_bytes(rd, n, p)) != 0) {
        return r;
    }
    return rd_bytes(rd, (4u - n % 4u) % 4u, &pad);
}

/*
 * The client's connection setup (X Window System Protocol, "Connection
 * Setup"):
 *   CARD8   byte-order: 0x42 'B' (MSB first) or 0x6C 'l' (LSB first)
 *   CARD8   unused
 *   CARD16  protocol-major-version
 *   CARD16  protocol-minor-version
 *   CARD16  n, length of authorization-protocol-name
 *   CARD16  d, length of authorization-protocol-data
 *   CARD16  unused
 *   STRING8 authorization-protocol-name (n bytes), padded to 4
 *   STRING8 authorization-protocol-data (d bytes), padded to 4
 */
int
x11_setup_decode(struct rd *rd, struct x11_setup *s, size_t max_proto,
                 size_t max_data)
{
    struct rd t = *rd;
    uint8_t order = 0, unused8 = 0;
    uint16_t n = 0, d = 0, unused16 = 0;
    int r;

    memset(s, 0, sizeof(*s));
    if ((r = rd_u8(&t, &order)) != 0) {
        return r;
    }
    if (order != X11_SETUP_MSB && order != X11_SETUP_LSB) {
        return ERR_FORMAT;
    }
    s->is_msb = order == X11_SETUP_MSB;
    if ((r = rd_u8(&t, &unused8)) != 0 ||
        (r = x11_rd_card16(&t, s->is_msb, &s->major)) != 0 ||
        (r = x11_rd_card16(&t, s->is_msb, &s->minor)) != 0 ||
        (r = x11_rd_card16(&t, s->is_msb, &n)) != 0 ||
        (r = x11_rd_card16(&t, s->is_msb, &d)) != 0 ||
        (r = x11_rd_card16(&t, s->is_msb, &unused16)) != 0) {
        return r;
    }
    if (n > max_proto || d > max_data) {
        return ERR_LIMIT;
    }
    s->proto_len = n;
    s->data_len = d;
    if ((r = x11_rd_padded(&t, n, &s->proto)) != 0) {
        return r;
    }
    s->data_off = t.off - rd->off;
    if ((r = x11_rd_padded(&t, d, &s->data)) != 0) {
        return r;
    }
    s->len = t.off - rd->off;
    *rd = t;
    return 0;
}

int
x11_setup_spoof(const struct x11_cookie *ck, const uint8_t *p, size_t n,
                struct buf *out)
{
    size_t proto_len = strlen(ck->proto);
    const uint8_t *head = NULL, *skip = NULL, *tail = NULL;
    size_t tail_len;
    struct x11_setup s;
    struct rd rd;
    int r;

    rd_init(&rd, p, n);
    r = x11_setup_decode(&rd, &s, proto_len, ck->len);
    if (r == ERR_LIMIT) {
        return ERR_AUTH; /* longer than ours: cannot be ours */
    }
    if (r != 0) {
        return r;
    }
    /* The protocol name is no secret; the cookie is, and its length is
     * public (the server has the fake one). */
    if (s.proto_len != proto_len ||
        memcmp(s.proto, ck->proto, proto_len) != 0 || s.data_len != ck->len ||
        !mem_equal_ct(s.data, ck->fake, ck->len)) {
        return ERR_AUTH;
    }
    rd_init(&rd, p, n);
    if ((r = rd_bytes(&rd, s.data_off, &head)) != 0 ||
        (r = rd_bytes(&rd, ck->len, &skip)) != 0) {
        return r;
    }
    tail_len = rd_left(&rd);
    if ((r = rd_bytes(&rd, tail_len, &tail)) != 0) {
        return r;
    }
    if ((r = buf_put(out, head, s.data_off)) != 0 ||
        (r = buf_put(out, ck->real, ck->len)) != 0) {
        return r;
    }
    return buf_put(out, tail, tail_len);
}

int
x11_cookie_init(struct x11_cookie *ck, const char *proto, const char *hex)
{
    size_t n = strlen(hex), i;
    int hi, lo;

    memset(ck, 0, sizeof(*ck));
    if (proto[0] == '\0' || n == 0 || n % 2 != 0) {
        return ERR_FORMAT;
    }
    if (strlen(proto) > X11_PROTO_MAX || n / 2 > X11_COOKIE_MAX) {
        return ERR_LIMIT;
    }
    memcpy(ck->proto, proto, strlen(proto) + 1);
    for (i = 0; i < n / 2; i++) {
        if ((hi = str_hex_digit(hex[2 * i])) < 0 ||
            (lo = str_hex_digit(hex[2 * i + 1])) < 0) {
            x11_cookie_wipe(ck);
            return ERR_FORMAT;
        }
        ck->real[i] = (uint8_t)(hi << 4 | lo);
    }
    ck->len = n / 2;
    if (rand_bytes(ck->fake, ck->len) != 0) {
        x11_cookie_wipe(ck);
        return ERR_CRYPTO;
    }
    return 0;
}

void
x11_cookie_wipe(struct x11_cookie *ck)
{
    mem_wipe(ck, sizeof(*ck));
}

int
x11_req_encode(struct buf *b, const struct x11_cookie *ck, uint32_t screen)
{
    static const char digits[] = "0123456789abcdef";
    char hex[2 * X11_COOKIE_MAX];
    size_t i;
    int r;

    for (i = 0; i < ck->len; i++) {
        hex[2 * i] = digits[ck->fake[i] >> 4];
        hex[2 * i + 1] = digits[ck->fake[i] & 0xfu];
    }
    if ((r = buf_put_bool(b, false)) == 0 &&
        (r = buf_put_cstring(b, ck->proto)) == 0 &&
        (r = buf_put_string(b, hex, 2 * ck->len)) == 0) {
        r = buf_put_u32(b, screen);
    }
    mem_wipe(hex, sizeof(hex));
    return r;
}
