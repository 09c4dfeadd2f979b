/* SPDX-License-Identifier: ISC */
/* Unit tests for the X11 connection setup check (x11_setup.c). */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conn/x11_setup.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

#define MIT "MIT-MAGIC-COOKIE-1"
#define REAL_HEX "00112233445566778899aabbccddeeff"

/* A setup in either byte order with the given name and data; extra bytes
 * (the client's first request) after it. */
static void
put_card16(struct buf *b, bool msb, uint16_t v)
{
    uint8_t x[2];

    x[0] = (uint8_t)(msb ? v >> 8 : v & 0xffu);
    x[1] = (uint8_t)(msb ? v & 0xffu : v >> 8);
    buf_put(b, x, 2);
}

static void
put_padded(struct buf *b, const void *p, size_t n)
{
    static const uint8_t zero[3];

    buf_put(b, p, n);
    buf_put(b, zero, (4u - n % 4u) % 4u);
}

static void
make_setup(struct buf *b, bool msb, const char *proto, const uint8_t *data,
           size_t n, const char *extra)
{
    buf_reset(b);
    buf_put_u8(b, msb ? X11_SETUP_MSB : X11_SETUP_LSB);
    buf_put_u8(b, 0);
    put_card16(b, msb, 11);
    put_card16(b, msb, 0);
    put_card16(b, msb, (uint16_t)strlen(proto));
    put_card16(b, msb, (uint16_t)n);
    put_card16(b, msb, 0);
    put_padded(b, proto, strlen(proto));
    put_padded(b, data, n);
    buf_put(b, extra, strlen(extra));
}

static void
test_decode_both_orders(void **state)
{
    static const uint8_t data[5] = {1, 2, 3, 4, 5};
    struct x11_setup s;
    struct buf b;
    struct rd rd;
    int i;
    bool msb;

    (void)state;
    buf_init(&b);
    for (i = 0; i < 2; i++) {
        msb = i == 1;
        make_setup(&b, msb, MIT, data, sizeof(data), "");
        rd_init(&rd, buf_ptr(&b), buf_len(&b));
        assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), 0);
        assert_int_equal(s.is_msb, msb);
        assert_int_equal(s.major, 11);
        assert_int_equal(s.proto_len, strlen(MIT));
        assert_memory_equal(s.proto, MIT, strlen(MIT));
        assert_int_equal(s.data_len, 5);
        assert_memory_equal(s.data, data, 5);
        assert_int_equal(s.data_off, 12 + 20); /* 18 padded to 20 */
        assert_int_equal(s.len, 12 + 20 + 8);
        assert_int_equal(buf_len(&b), s.len);
        assert_int_equal(rd_end(&rd), 0);
    }
    buf_cleanup(&b);
}

/* Every prefix is "more, please" and leaves the reader alone; a byte more
 * than the setup is left for the caller. */
static void
test_decode_truncations(void **state)
{
    static const uint8_t data[16] = {9};
    struct x11_setup s;
    struct buf b;
    struct rd rd;
    size_t i;

    (void)state;
    buf_init(&b);
    make_setup(&b, true, MIT, data, sizeof(data), "x");
    for (i = 0; i + 1 < buf_len(&b); i++) {
        rd_init(&rd, buf_ptr(&b), i);
        assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), ERR_TRUNC);
        assert_int_equal(rd.off, 0);
    }
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), 0);
    assert_int_equal(rd_left(&rd), 1);
    buf_cleanup(&b);
}

static void
test_decode_bad(void **state)
{
    static const uint8_t data[16] = {9};
    struct x11_setup s;
    struct buf b;
    struct rd rd;
    uint8_t *p;

    (void)state;
    buf_init(&b);
    make_setup(&b, false, MIT, data, sizeof(data), "");
    p = buf_ptr(&b);
    p[0] = 'b';
    rd_init(&rd, p, buf_len(&b));
    assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), ERR_FORMAT);
    p[0] = X11_SETUP_LSB;
    /* Limits are said from the fixed part alone. */
    rd_init(&rd, p, X11_SETUP_FIXED);
    assert_int_equal(x11_setup_decode(&rd, &s, 17, 64), ERR_LIMIT);
    assert_int_equal(x11_setup_decode(&rd, &s, 64, 15), ERR_LIMIT);
    assert_int_equal(x11_setup_decode(&rd, &s, 18, 16), ERR_TRUNC);
    /* Each length one more than the bytes there: more is awaited. */
    p[6] = 19;
    rd_init(&rd, p, buf_len(&b));
    assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), 0);
    assert_int_equal(s.proto_len, 19); /* takes in a padding byte */
    assert_int_equal(s.data_len, 16);
    p[6] = 18;
    p[8] = 17;
    rd_init(&rd, p, buf_len(&b));
    assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), ERR_TRUNC);
    p[8] = 15;
    rd_init(&rd, p, buf_len(&b));
    assert_int_equal(x11_setup_decode(&rd, &s, 64, 64), 0);
    assert_int_equal(s.len, buf_len(&b));
    buf_cleanup(&b);
}

static void
cookie(struct x11_cookie *ck)
{
    assert_int_equal(x11_cookie_init(ck, MIT, REAL_HEX), 0);
    assert_int_equal(ck->len, 16);
    assert_int_equal(ck->real[15], 0xff);
    assert_memory_not_equal(ck->fake, ck->real, 16);
}

static void
test_spoof(void **state)
{
    struct x11_cookie ck;
    struct buf in, out, want;
    int i;
    bool msb;

    (void)state;
    cookie(&ck);
    buf_init(&in);
    buf_init(&out);
    buf_init(&want);
    for (i = 0; i < 2; i++) {
        msb = i == 1;
        make_setup(&in, msb, MIT, ck.fake, ck.len, "req");
        make_setup(&want, msb, MIT, ck.real, ck.len, "req");
        buf_reset(&out);
        assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), 12, &out),
                         ERR_TRUNC);
        assert_int_equal(
            x11_setup_spoof(&ck, buf_ptr(&in), buf_len(&in) - 4, &out),
            ERR_TRUNC);
        assert_int_equal(buf_len(&out), 0);
        assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), buf_len(&in), &out),
                         0);
        assert_int_equal(buf_len(&out), buf_len(&want));
        assert_memory_equal(buf_ptr(&out), buf_ptr(&want), buf_len(&want));
    }
    buf_cleanup(&in);
    buf_cleanup(&out);
    buf_cleanup(&want);
    x11_cookie_wipe(&ck);
}

/* The real cookie, another length, another protocol, a single flipped
 * bit: refused, and nothing is passed on. */
static void
test_spoof_refused(void **state)
{
    struct x11_cookie ck;
    struct buf in, out;
    uint8_t bad[17];

    (void)state;
    cookie(&ck);
    buf_init(&in);
    buf_init(&out);
    make_setup(&in, true, MIT, ck.real, ck.len, "");
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), buf_len(&in), &out),
                     ERR_AUTH);
    memcpy(bad, ck.fake, 16);
    bad[16] = 0;
    make_setup(&in, true, MIT, bad, 17, "");
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), 12, &out), ERR_AUTH);
    make_setup(&in, true, MIT, bad, 15, "");
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), buf_len(&in), &out),
                     ERR_AUTH);
    make_setup(&in, false, "MIT-MAGIC-COOKIE-2", ck.fake, 16, "");
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), buf_len(&in), &out),
                     ERR_AUTH);
    make_setup(&in, false, "XDM-AUTHORIZATION-1", ck.fake, 16, "");
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), 12, &out), ERR_AUTH);
    bad[3] ^= 0x10;
    make_setup(&in, false, MIT, bad, 16, "");
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), buf_len(&in), &out),
                     ERR_AUTH);
    make_setup(&in, false, MIT, ck.fake, 16, "");
    buf_ptr(&in)[0] = 0;
    assert_int_equal(x11_setup_spoof(&ck, buf_ptr(&in), 1, &out), ERR_FORMAT);
    assert_int_equal(buf_len(&out), 0);
    buf_cleanup(&in);
    buf_cleanup(&out);
    x11_cookie_wipe(&ck);
}

static void
test_cookie_and_request(void **state)
{
    struct x11_cookie ck, ck2;
    struct buf b;
    struct rd rd;
    const uint8_t *p;
    size_t n, i;
    bool single = true;
    uint32_t screen = 0;
    char hex[3];

    (void)state;
    assert_int_equal(x11_cookie_init(&ck, MIT, "abc"), ERR_FORMAT);
    assert_int_equal(x11_cookie_init(&ck, MIT, ""), ERR_FORMAT);
    assert_int_equal(x11_cookie_init(&ck, MIT, "0g"), ERR_FORMAT);
    assert_int_equal(x11_cookie_init(&ck, "", "00"), ERR_FORMAT);
    assert_int_equal(x11_cookie_init(&ck, MIT, "00AbCd"), 0);
    assert_int_equal(ck.len, 3);
    assert_int_equal(ck.real[1], 0xab);
    cookie(&ck);
    cookie(&ck2);
    assert_memory_not_equal(ck.fake, ck2.fake, 16); /* drawn each time */
    buf_init(&b);
    assert_int_equal(x11_req_encode(&b, &ck, 2), 0);
    rd_init(&rd, buf_ptr(&b), buf_len(&b));
    assert_int_equal(rd_bool(&rd, &single), 0);
    assert_false(single);
    assert_int_equal(rd_string(&rd, &p, &n, 100), 0);
    assert_int_equal(n, strlen(MIT));
    assert_int_equal(rd_string(&rd, &p, &n, 100), 0);
    assert_int_equal(n, 32);
    for (i = 0; i < 16; i++) {
        snprintf(hex, sizeof(hex), "%02x", ck.fake[i]);
        assert_memory_equal(p + 2 * i, hex, 2);
    }
    assert_int_equal(rd_u32(&rd, &screen), 0);
    assert_int_equal(screen, 2);
    assert_int_equal(rd_end(&rd), 0);
    buf_cleanup(&b);
    x11_cookie_wipe(&ck);
    x11_cookie_wipe(&ck2);
    assert_int_equal(ck.len, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_both_orders),
        cmocka_unit_test(test_decode_truncations),
        cmocka_unit_test(test_decode_bad),
        cmocka_unit_test(test_spoof),
        cmocka_unit_test(test_spoof_refused),
        cmocka_unit_test(test_cookie_and_request),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
