/* SPDX-License-Identifier: ISC */
/* Tests of the growable wiping buffer and the SSH wire writers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "util/adit_limits.h"
#include "util/err.h"
#include "wire/buf.h"
#include "wire/rd.h"

static void
check_contents(const struct buf *b, const void *want, size_t n)
{
    assert_int_equal(buf_len(b), n);
    if (n > 0) {
        assert_memory_equal(buf_ptr(b), want, n);
    }
}

#define CHECK(b, lit) check_contents(b, lit, sizeof(lit) - 1)

/* True when n bytes at p are all zero. */
static int
all_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != 0) {
            return 0;
        }
    }
    return 1;
}

static void
test_buf_empty(void **state)
{
    struct buf b;
    struct buf *h;
    uint8_t *p = (uint8_t *)&p;

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_len(&b), 0);
    assert_null(buf_ptr(&b));
    buf_reset(&b);
    buf_truncate(&b, 0);
    buf_consume(&b, 0);
    assert_int_equal(buf_reserve(&b, 0, &p), 0);
    assert_null(p);
    buf_commit(&b, 0);
    assert_int_equal(buf_put(&b, NULL, 0), 0);
    assert_int_equal(buf_len(&b), 0);
    buf_cleanup(&b);
    buf_cleanup(&b); /* idempotent */
    assert_non_null(h = buf_new());
    assert_int_equal(buf_len(h), 0);
    assert_int_equal(buf_put_u8(h, 1), 0);
    buf_free(h);
    buf_free(NULL);
}

static void
test_buf_writers(void **state)
{
    struct buf a, b;

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_put_u8(&b, 0xfe), 0);
    assert_int_equal(buf_put_bool(&b, true), 0);
    assert_int_equal(buf_put_bool(&b, false), 0);
    assert_int_equal(buf_put_u32(&b, 0xdeadbeef), 0);
    assert_int_equal(buf_put_u64(&b, 0x0102030405060708ull), 0);
    assert_int_equal(buf_put(&b, "xy", 2), 0);
    CHECK(&b, "\xfe\x01\x00\xde\xad\xbe\xef"
              "\x01\x02\x03\x04\x05\x06\x07\x08xy");
    buf_reset(&b);
    assert_int_equal(buf_put_string(&b, "abc", 3), 0);
    assert_int_equal(buf_put_string(&b, NULL, 0), 0);
    assert_int_equal(buf_put_cstring(&b, "hi"), 0);
    assert_int_equal(buf_put_cstring(&b, NULL), 0);
    assert_int_equal(buf_put_cstring(&b, ""), 0);
    CHECK(&b, "\x00\x00\x00\x03"
              "abc"
              "\x00\x00\x00\x00"
              "\x00\x00\x00\x02"
              "hi"
              "\x00\x00\x00\x00\x00\x00\x00\x00");
    /* buf_put_buf writes the unread part of src as one string. */
    buf_init(&a);
    assert_int_equal(buf_put(&a, "zzhello", 7), 0);
    buf_consume(&a, 2);
    buf_reset(&b);
    assert_int_equal(buf_put_buf(&b, &a), 0);
    CHECK(&b, "\x00\x00\x00\x05"
              "hello");
    CHECK(&a, "hello"); /* src is not consumed */
    buf_cleanup(&a);
    buf_init(&a);
    buf_reset(&b);
    assert_int_equal(buf_put_buf(&b, &a), 0);
    CHECK(&b, "\x00\x00\x00\x00");
    buf_cleanup(&a);
    buf_cleanup(&b);
}

static void
test_buf_be32(void **state)
{
    uint8_t p[4];

    (void)state;
    put_u32_be(p, 0x01020304);
    assert_memory_equal(p, "\x01\x02\x03\x04", 4);
    assert_int_equal(get_u32_be(p), 0x01020304);
    put_u32_be(p, 0xffffffffu);
    assert_int_equal(get_u32_be(p), 0xffffffffu);
    assert_int_equal(get_u32_be((const uint8_t *)"\x80\x00\x00\x00"),
                     0x80000000u);
}

/* buf_put_mpint(mag) must give exactly enc. */
static void
check_mpint(const char *mag, size_t mlen, const char *enc, size_t elen)
{
    struct buf b;

    buf_init(&b);
    assert_int_equal(buf_put_mpint(&b, (const uint8_t *)mag, mlen), 0);
    check_contents(&b, enc, elen);
    buf_cleanup(&b);
}

#define MPINT(mag, enc) check_mpint(mag, sizeof(mag) - 1, enc, sizeof(enc) - 1)

static void
test_buf_mpint(void **state)
{
    (void)state;
    /* RFC 4251 5 examples. */
    MPINT("", "\x00\x00\x00\x00");
    MPINT("\x09\xa3\x78\xf9\xb2\xe3\x32\xa7",
          "\x00\x00\x00\x08\x09\xa3\x78\xf9\xb2\xe3\x32\xa7");
    MPINT("\x80", "\x00\x00\x00\x02\x00\x80");
    /* Zero in any width is the empty string. */
    MPINT("\x00", "\x00\x00\x00\x00");
    MPINT("\x00\x00\x00", "\x00\x00\x00\x00");
    /* High bit clear: no pad; high bit set: one zero byte. */
    MPINT("\x7f", "\x00\x00\x00\x01\x7f");
    MPINT("\xff\x01", "\x00\x00\x00\x03\x00\xff\x01");
    MPINT("\x01\x00", "\x00\x00\x00\x02\x01\x00");
    /* Leading zeros are dropped before deciding on the pad. */
    MPINT("\x00\x00\x7f", "\x00\x00\x00\x01\x7f");
    MPINT("\x00\x00\x80\x00", "\x00\x00\x00\x03\x00\x80\x00");
    MPINT("\x00\x01", "\x00\x00\x00\x01\x01");
}

/* Whatever buf_put_mpint writes, rd_mpint reads back, leading zeros off. */
static void
test_buf_mpint_roundtrip(void **state)
{
    uint8_t mag[40];
    const uint8_t *p;
    size_t n, lead, len, skip;
    struct buf b;
    struct rd rd;

    (void)state;
    buf_init(&b);
    for (n = 0; n <= 33; n++) {
        for (lead = 0; lead < 4 && lead <= n; lead++) {
            memset(mag, 0, sizeof(mag));
            memset(mag + lead, lead & 1 ? 0xc3 : 0x3c, n - lead);
            buf_reset(&b);
            assert_int_equal(buf_put_mpint(&b, mag, n), 0);
            rd_init(&rd, buf_ptr(&b), buf_len(&b));
            assert_int_equal(rd_mpint(&rd, &p, &len, 64), 0);
            assert_int_equal(rd_end(&rd), 0);
            skip = n == lead ? n : lead;
            assert_int_equal(len, n - skip);
            if (len > 0) {
                assert_memory_equal(p, mag + skip, len);
            }
        }
    }
    buf_cleanup(&b);
}

static void
test_buf_consume(void **state)
{
    struct buf b;

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_put(&b, "abcdef", 6), 0);
    buf_consume(&b, 0);
    CHECK(&b, "abcdef");
    buf_consume(&b, 2);
    CHECK(&b, "cdef");
    assert_int_equal(b.off, 2);
    buf_truncate(&b, 3);
    CHECK(&b, "cde");
    assert_int_equal(b.d[b.off + 3], 0); /* the dropped byte is wiped */
    buf_truncate(&b, 3);
    CHECK(&b, "cde");
    buf_consume(&b, 3);
    assert_int_equal(buf_len(&b), 0);
    /* Reading everything rewinds to the start of the allocation. */
    assert_int_equal(b.off, 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_put(&b, "xyz", 3), 0);
    CHECK(&b, "xyz");
    buf_truncate(&b, 0);
    assert_int_equal(buf_len(&b), 0);
    buf_cleanup(&b);
}

/* Consumed space is reclaimed (and wiped) before the buffer grows. */
static void
test_buf_compact(void **state)
{
    uint8_t chunk[100], *p;
    size_t cap, used;
    struct buf b;

    (void)state;
    buf_init(&b);
    memset(chunk, 0xab, sizeof(chunk));
    assert_int_equal(buf_put(&b, chunk, sizeof(chunk)), 0);
    cap = b.cap;
    while (b.cap - b.len >= sizeof(chunk)) {
        assert_int_equal(buf_put(&b, chunk, sizeof(chunk)), 0);
    }
    used = b.len;
    buf_consume(&b, used - 10);
    assert_int_equal(buf_reserve(&b, b.cap - 10, &p), 0);
    assert_int_equal(b.cap, cap); /* compacted, not grown */
    assert_int_equal(b.off, 0);
    assert_int_equal(b.len, 10);
    assert_true(all_zero(b.d + 10, used - 10));
    assert_ptr_equal(p, b.d + 10);
    memset(p, 0x11, 5);
    buf_commit(&b, 5);
    assert_int_equal(buf_len(&b), 15);
    assert_int_equal(buf_ptr(&b)[9], 0xab);
    assert_int_equal(buf_ptr(&b)[10], 0x11);
    buf_cleanup(&b);
}

static void
test_buf_reserve_commit(void **state)
{
    uint8_t *p = NULL, *q = NULL;
    struct buf b;

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_put(&b, "ab", 2), 0);
    assert_int_equal(buf_reserve(&b, 10, &p), 0);
    assert_non_null(p);
    memcpy(p, "cdefg", 5);
    assert_int_equal(buf_len(&b), 2); /* nothing added until commit */
    buf_commit(&b, 5);
    CHECK(&b, "abcdefg");
    assert_int_equal(buf_append_space(&b, 3, &q), 0);
    memcpy(q, "hij", 3);
    CHECK(&b, "abcdefghij");
    assert_int_equal(buf_append_space(&b, 0, &q), 0);
    CHECK(&b, "abcdefghij");
    buf_cleanup(&b);
}

/* Contents survive every reallocation, through many sizes. */
static void
test_buf_growth(void **state)
{
    const size_t total = 300000;
    uint8_t *p, chunk[777];
    size_t i, n, step;
    struct buf b;

    (void)state;
    buf_init(&b);
    for (step = 1; step <= sizeof(chunk); step = step * 3 + 1) {
        buf_reset(&b);
        for (n = 0; n < total; n += step) {
            for (i = 0; i < step; i++) {
                chunk[i] = (uint8_t)((n + i) * 7);
            }
            assert_int_equal(buf_put(&b, chunk, step), 0);
        }
        p = buf_ptr(&b);
        for (i = 0; i < buf_len(&b); i++) {
            assert_int_equal(p[i], (uint8_t)(i * 7));
        }
        assert_true(b.cap >= buf_len(&b));
        assert_true(b.cap <= 2 * buf_len(&b) + 256);
    }
    buf_cleanup(&b);
}

static void
test_buf_reset_wipes(void **state)
{
    struct buf b;
    size_t cap;

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_put(&b, "secretsecret", 12), 0);
    cap = b.cap;
    buf_consume(&b, 3);
    buf_reset(&b);
    assert_int_equal(buf_len(&b), 0);
    assert_int_equal(b.cap, cap); /* memory kept for reuse */
    assert_true(all_zero(b.d, 12));
    buf_cleanup(&b);
    assert_null(b.d);
    assert_int_equal(b.cap, 0);
}

/* A nowipe buffer skips the wipe on reset, keeps the mark across cleanup
 * and swap, and still holds exactly what was written. */
static void
test_buf_nowipe(void **state)
{
    struct buf a, b;

    (void)state;
    buf_init(&a);
    buf_init(&b);
    buf_set_nowipe(&a);
    assert_int_equal(buf_put(&a, "ciphertext", 10), 0);
    buf_reset(&a);
    assert_int_equal(buf_len(&a), 0);
    assert_memory_equal(a.d, "ciphertext", 10); /* not wiped: public */
    buf_cleanup(&a);
    assert_null(a.d);
    assert_true(a.nowipe);
    buf_swap(&a, &b);
    assert_false(a.nowipe);
    assert_true(b.nowipe);
    assert_int_equal(buf_put(&a, "secret", 6), 0);
    buf_reset(&a);
    assert_true(all_zero(a.d, 6)); /* an ordinary buffer still wipes */
    buf_cleanup(&a);
    buf_cleanup(&b);
}

/* A nowipe buffer grows in place (realloc) from small to megabytes with
 * a consumed front, keeping every unread byte in order. */
static void
test_buf_nowipe_growth(void **state)
{
    uint8_t chunk[4096];
    struct buf b;
    size_t i, j;

    (void)state;
    buf_init(&b);
    buf_set_nowipe(&b);
    for (i = 0; i < 1024; i++) {
        for (j = 0; j < sizeof(chunk); j++) {
            chunk[j] = (uint8_t)(i * 7 + j);
        }
        assert_int_equal(buf_put(&b, chunk, sizeof(chunk)), 0);
        if (i == 3) {
            buf_consume(&b, sizeof(chunk)); /* the front goes: compacted */
        }
    }
    assert_int_equal(buf_len(&b), 1023 * sizeof(chunk));
    for (i = 1; i < 1024; i++) {
        for (j = 0; j < sizeof(chunk); j++) {
            assert_int_equal(buf_ptr(&b)[(i - 1) * sizeof(chunk) + j],
                             (uint8_t)(i * 7 + j));
        }
    }
    assert_true(b.nowipe);
    buf_cleanup(&b);
}

static void
test_buf_swap(void **state)
{
    struct buf a, b;

    (void)state;
    buf_init(&a);
    buf_init(&b);
    assert_int_equal(buf_put(&a, "one", 3), 0);
    buf_swap(&a, &b);
    assert_int_equal(buf_len(&a), 0);
    assert_null(buf_ptr(&a));
    CHECK(&b, "one");
    assert_int_equal(buf_put(&a, "two!", 4), 0);
    buf_consume(&a, 1);
    buf_swap(&a, &b);
    CHECK(&a, "one");
    CHECK(&b, "wo!");
    buf_cleanup(&a);
    buf_cleanup(&b);
}

/* Nothing grows past LIM_BUF_MAX, and a refused write changes nothing. */
static void
test_buf_limit(void **state)
{
    uint8_t *p = (uint8_t *)&p, one = 1;
    struct buf b;

    (void)state;
    buf_init(&b);
    assert_int_equal(buf_reserve(&b, (size_t)LIM_BUF_MAX + 1, &p), ERR_LIMIT);
    assert_null(p);
    assert_int_equal(buf_reserve(&b, SIZE_MAX, &p), ERR_LIMIT);
    assert_int_equal(buf_put_string(&b, &one, (size_t)UINT32_MAX + 1),
                     ERR_LIMIT);
    assert_int_equal(buf_put_mpint(&b, &one, (size_t)LIM_BUF_MAX + 1),
                     ERR_LIMIT);
    assert_int_equal(buf_len(&b), 0);
    assert_int_equal(buf_put(&b, "0123456789", 10), 0);
    assert_int_equal(buf_reserve(&b, LIM_BUF_MAX - 9, &p), ERR_LIMIT);
    assert_int_equal(buf_append_space(&b, SIZE_MAX - 5, &p), ERR_LIMIT);
    CHECK(&b, "0123456789");
    /* Exactly the limit is allowed (reserved, never touched). */
    assert_int_equal(buf_reserve(&b, LIM_BUF_MAX - 10, &p), 0);
    assert_int_equal(b.cap, LIM_BUF_MAX);
    CHECK(&b, "0123456789");
    assert_int_equal(buf_put_u8(&b, 0), 0);
    assert_int_equal(buf_reserve(&b, LIM_BUF_MAX - 10, &p), ERR_LIMIT);
    buf_cleanup(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_empty),
        cmocka_unit_test(test_buf_writers),
        cmocka_unit_test(test_buf_be32),
        cmocka_unit_test(test_buf_mpint),
        cmocka_unit_test(test_buf_mpint_roundtrip),
        cmocka_unit_test(test_buf_consume),
        cmocka_unit_test(test_buf_compact),
        cmocka_unit_test(test_buf_reserve_commit),
        cmocka_unit_test(test_buf_growth),
        cmocka_unit_test(test_buf_reset_wipes),
        cmocka_unit_test(test_buf_nowipe),
        cmocka_unit_test(test_buf_nowipe_growth),
        cmocka_unit_test(test_buf_swap),
        cmocka_unit_test(test_buf_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
