/* SPDX-License-Identifier: ISC */
/* Exhaustive tests of the bounds-checked reader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "util/err.h"
#include "wire/rd.h"

/*
 * Each decoder under test, wrapped as "read one field with a fixed max,
 * free what it allocated". Every wrapper also checks that the out-params
 * are cleared when the call fails.
 */
typedef int (*decode_fn)(struct rd *rd);

static int
dec_u8(struct rd *rd)
{
    uint8_t v = 0xaa;
    int r = rd_u8(rd, &v);

    if (r != 0) {
        assert_int_equal(v, 0);
    }
    return r;
}

static int
dec_bool(struct rd *rd)
{
    bool v = true;
    int r = rd_bool(rd, &v);

    if (r != 0) {
        assert_false(v);
    }
    return r;
}

static int
dec_u32(struct rd *rd)
{
    uint32_t v = 0xaa;
    int r = rd_u32(rd, &v);

    if (r != 0) {
        assert_int_equal(v, 0);
    }
    return r;
}

static int
dec_u64(struct rd *rd)
{
    uint64_t v = 0xaa;
    int r = rd_u64(rd, &v);

    if (r != 0) {
        assert_int_equal(v, 0);
    }
    return r;
}

static int
dec_string(struct rd *rd)
{
    const uint8_t *p = (const uint8_t *)"x";
    size_t n = 7;
    int r = rd_string(rd, &p, &n, 64);

    if (r != 0) {
        assert_null(p);
        assert_int_equal(n, 0);
    }
    return r;
}

static int
dec_cstring(struct rd *rd)
{
    char *s = (char *)"x";
    int r = rd_cstring(rd, &s, 64);

    if (r != 0) {
        assert_null(s);
    }
    free(s);
    return r;
}

static int
dec_namelist(struct rd *rd)
{
    char *s = (char *)"x";
    int r = rd_namelist(rd, &s, 64);

    if (r != 0) {
        assert_null(s);
    }
    free(s);
    return r;
}

static int
dec_mpint(struct rd *rd)
{
    const uint8_t *p = (const uint8_t *)"x";
    size_t n = 7;
    int r = rd_mpint(rd, &p, &n, 8);

    if (r != 0) {
        assert_null(p);
        assert_int_equal(n, 0);
    }
    return r;
}

static int
dec_sub(struct rd *rd)
{
    struct rd child;
    int r = rd_sub(rd, &child, 64);

    if (r != 0) {
        assert_int_equal(rd_left(&child), 0);
    }
    return r;
}

/*
 * The common contract, for one valid encoding enc of n bytes: it decodes
 * and ends exactly; every shorter prefix fails with ERR_TRUNC; one extra
 * byte is left for rd_end to refuse; a failed call never moves the reader.
 */
static void
check_field(decode_fn fn, const uint8_t *enc, size_t n)
{
    uint8_t *copy = malloc(n + 1);
    struct rd rd;
    size_t cut;

    assert_non_null(copy);
    memcpy(copy, enc, n);
    copy[n] = 0x5a;
    rd_init(&rd, copy, n);
    assert_int_equal(fn(&rd), 0);
    assert_int_equal(rd_left(&rd), 0);
    assert_int_equal(rd_end(&rd), 0);
    for (cut = 0; cut < n; cut++) {
        rd_init(&rd, copy, cut);
        assert_int_equal(fn(&rd), ERR_TRUNC);
        assert_int_equal(rd.off, 0);
        assert_int_equal(rd_left(&rd), cut);
    }
    rd_init(&rd, copy, n + 1);
    assert_int_equal(fn(&rd), 0);
    assert_int_equal(rd_left(&rd), 1);
    assert_int_equal(rd_end(&rd), ERR_TRAILING);
    free(copy);
}

/* Decoding enc (n bytes) must fail with want and leave the reader alone. */
static void
check_fails(decode_fn fn, const void *enc, size_t n, int want)
{
    struct rd rd;

    rd_init(&rd, enc, n);
    assert_int_equal(fn(&rd), want);
    assert_int_equal(rd.off, 0);
}

/*
 * A string-shaped field with length prefix L: L+1 runs past the end
 * (ERR_TRUNC), and L-1 leaves the last byte over (ERR_TRAILING at the end)
 * or is refused outright by the field's own rules.
 */
static void
check_length_off_by_one(decode_fn fn, const uint8_t *enc, size_t n)
{
    uint8_t *copy = malloc(n);
    uint32_t len;
    struct rd rd;
    int r;

    assert_non_null(copy);
    memcpy(copy, enc, n);
    len = (uint32_t)copy[0] << 24 | (uint32_t)copy[1] << 16 |
          (uint32_t)copy[2] << 8 | copy[3];
    copy[3] = (uint8_t)(len + 1); /* all our vectors are short */
    check_fails(fn, copy, n, ERR_TRUNC);
    if (len > 0) {
        copy[3] = (uint8_t)(len - 1);
        rd_init(&rd, copy, n);
        if ((r = fn(&rd)) == 0) {
            assert_int_equal(rd_end(&rd), ERR_TRAILING);
        } else {
            assert_int_equal(r, ERR_FORMAT);
            assert_int_equal(rd.off, 0);
        }
    }
    /* A length near 2^32 must not wrap any bounds check. */
    memset(copy, 0xff, 4);
    check_fails(fn, copy, n, ERR_TRUNC);
    free(copy);
}

/*
 * The vectors below split "\x00\x00\x00\x03" "abc" so a hex escape does
 * not swallow the letters after it; clang-format would break every such
 * pair over two lines, so the tables keep their hand layout.
 */
/* clang-format off */
#define FIELD(fn, lit) check_field(fn, (const uint8_t *)(lit), sizeof(lit) - 1)
#define STRFIELD(fn, lit)                                                     \
    do {                                                                      \
        FIELD(fn, lit);                                                       \
        check_length_off_by_one(fn, (const uint8_t *)(lit), sizeof(lit) - 1); \
    } while (0)
#define FAILS(fn, lit, want) check_fails(fn, lit, sizeof(lit) - 1, want)

static void
test_rd_fixed(void **state)
{
    uint8_t u8;
    uint32_t u32;
    uint64_t u64;
    bool b;
    struct rd rd;

    (void)state;
    FIELD(dec_u8, "\x7f");
    FIELD(dec_bool, "\x01");
    FIELD(dec_u32, "\x01\x02\x03\x04");
    FIELD(dec_u64, "\x01\x02\x03\x04\x05\x06\x07\x08");
    rd_init(&rd, "\xfe\x00\x02\xde\xad\xbe\xef"
                 "\x80\x00\x00\x00\x00\x00\x00\x01",
            15);
    assert_int_equal(rd_u8(&rd, &u8), 0);
    assert_int_equal(u8, 0xfe);
    assert_int_equal(rd_bool(&rd, &b), 0);
    assert_false(b);
    assert_int_equal(rd_bool(&rd, &b), 0);
    assert_true(b); /* any non-zero byte is true */
    assert_int_equal(rd_u32(&rd, &u32), 0);
    assert_int_equal(u32, 0xdeadbeefu);
    assert_int_equal(rd_u64(&rd, &u64), 0);
    assert_true(u64 == 0x8000000000000001ull);
    assert_int_equal(rd_end(&rd), 0);
    assert_int_equal(rd_u8(&rd, &u8), ERR_TRUNC);
}

static void
test_rd_bytes(void **state)
{
    const uint8_t *p;
    struct rd rd;

    (void)state;
    rd_init(&rd, "abcdef", 6);
    assert_int_equal(rd_bytes(&rd, 0, &p), 0);
    assert_int_equal(rd_bytes(&rd, 2, &p), 0);
    assert_memory_equal(p, "ab", 2);
    assert_int_equal(rd_bytes(&rd, 5, &p), ERR_TRUNC);
    assert_null(p);
    assert_int_equal(rd.off, 2);
    assert_int_equal(rd_bytes(&rd, SIZE_MAX, &p), ERR_TRUNC);
    assert_int_equal(rd_bytes(&rd, 4, &p), 0);
    assert_memory_equal(p, "cdef", 4);
    assert_int_equal(rd_end(&rd), 0);
    /* An empty reader over no memory at all. */
    rd_init(&rd, NULL, 0);
    assert_int_equal(rd_left(&rd), 0);
    assert_int_equal(rd_bytes(&rd, 0, &p), 0);
    assert_int_equal(rd_bytes(&rd, 1, &p), ERR_TRUNC);
    assert_int_equal(rd_end(&rd), 0);
}

static void
test_rd_string(void **state)
{
    const uint8_t *p;
    size_t n;
    struct rd rd;
    uint8_t big[4 + 65];

    (void)state;
    STRFIELD(dec_string, "\x00\x00\x00\x03" "abc");
    STRFIELD(dec_string, "\x00\x00\x00\x00");
    STRFIELD(dec_string, "\x00\x00\x00\x02" "\x00\xff");
    rd_init(&rd, "\x00\x00\x00\x03" "abc", 7);
    assert_int_equal(rd_string(&rd, &p, &n, 3), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "abc", 3);
    /* The max: exactly max is fine, one more is ERR_LIMIT. */
    rd_init(&rd, "\x00\x00\x00\x03" "abc", 7);
    assert_int_equal(rd_string(&rd, &p, &n, 2), ERR_LIMIT);
    assert_int_equal(rd.off, 0);
    memset(big, 'x', sizeof(big));
    memcpy(big, "\x00\x00\x00\x41", 4);
    check_fails(dec_string, big, sizeof(big), ERR_LIMIT);
    big[3] = 0x40;
    rd_init(&rd, big, sizeof(big) - 1);
    assert_int_equal(dec_string(&rd), 0);
    assert_int_equal(rd_end(&rd), 0);
}

static void
test_rd_cstring(void **state)
{
    char *s = NULL;
    struct rd rd;

    (void)state;
    STRFIELD(dec_cstring, "\x00\x00\x00\x05" "hello");
    STRFIELD(dec_cstring, "\x00\x00\x00\x00");
    rd_init(&rd, "\x00\x00\x00\x05" "hello", 9);
    assert_int_equal(rd_cstring(&rd, &s, 5), 0);
    assert_string_equal(s, "hello");
    free(s);
    rd_init(&rd, "\x00\x00\x00\x00", 4);
    assert_int_equal(rd_cstring(&rd, &s, 0), 0);
    assert_string_equal(s, "");
    free(s);
    /* Embedded NUL anywhere, and the limit. */
    FAILS(dec_cstring, "\x00\x00\x00\x03" "a\x00" "b", ERR_FORMAT);
    FAILS(dec_cstring, "\x00\x00\x00\x01" "\x00", ERR_FORMAT);
    FAILS(dec_cstring, "\x00\x00\x00\x02" "a\x00", ERR_FORMAT);
    FAILS(dec_cstring, "\x00\x00\x00\x02" "\x00" "a", ERR_FORMAT);
    rd_init(&rd, "\x00\x00\x00\x05" "hello", 9);
    assert_int_equal(rd_cstring(&rd, &s, 4), ERR_LIMIT);
    assert_null(s);
    assert_int_equal(rd.off, 0);
}

static void
test_rd_namelist(void **state)
{
    char *s = NULL;
    struct rd rd;

    (void)state;
    STRFIELD(dec_namelist, "\x00\x00\x00\x0e" "aes128-ctr,a@b");
    STRFIELD(dec_namelist, "\x00\x00\x00\x01" "x");
    STRFIELD(dec_namelist, "\x00\x00\x00\x00");
    rd_init(&rd, "\x00\x00\x00\x05" "a,b,c", 9);
    assert_int_equal(rd_namelist(&rd, &s, 5), 0);
    assert_string_equal(s, "a,b,c");
    free(s);
    rd_init(&rd, "\x00\x00\x00\x00", 4);
    assert_int_equal(rd_namelist(&rd, &s, 64), 0);
    assert_string_equal(s, "");
    free(s);
    /* Printable edge characters are allowed. */
    FIELD(dec_namelist, "\x00\x00\x00\x03" "!,~");
    /* Empty names: leading, trailing, doubled, alone. */
    FAILS(dec_namelist, "\x00\x00\x00\x02" ",a", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "a,", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x03" "a,,", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x04" "a,,b", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x01" ",", ERR_FORMAT);
    /* Spaces, control bytes, DEL, high bytes, NUL. */
    FAILS(dec_namelist, "\x00\x00\x00\x03" "a b", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "a ", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "a\t", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "\x01" "a", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "a\x7f", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "a\x80", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x02" "a\xff", ERR_FORMAT);
    FAILS(dec_namelist, "\x00\x00\x00\x03" "a\x00" "b", ERR_FORMAT);
    rd_init(&rd, "\x00\x00\x00\x05" "a,b,c", 9);
    assert_int_equal(rd_namelist(&rd, &s, 4), ERR_LIMIT);
    assert_null(s);
    assert_int_equal(rd.off, 0);
}

/* rd_mpint on enc must give the magnitude mag (mlen bytes). */
static void
check_mpint(const char *enc, size_t n, size_t max, const char *mag,
            size_t mlen)
{
    const uint8_t *p;
    size_t len;
    struct rd rd;

    rd_init(&rd, enc, n);
    assert_int_equal(rd_mpint(&rd, &p, &len, max), 0);
    assert_int_equal(len, mlen);
    if (mlen > 0) {
        assert_memory_equal(p, mag, mlen);
    }
    assert_int_equal(rd_end(&rd), 0);
}

static void
test_rd_mpint(void **state)
{
    const uint8_t *p;
    size_t n;
    struct rd rd;

    (void)state;
    /* RFC 4251 5 examples: 0, 0x80 (padded), 0x9a378f9b2e332a7, 0x7f. */
    STRFIELD(dec_mpint, "\x00\x00\x00\x00");
    STRFIELD(dec_mpint, "\x00\x00\x00\x02" "\x00\x80");
    STRFIELD(dec_mpint, "\x00\x00\x00\x08" "\x09\xa3\x78\xf9\xb2\xe3\x32\xa7");
    STRFIELD(dec_mpint, "\x00\x00\x00\x01" "\x7f");
    check_mpint("\x00\x00\x00\x00", 4, 8, "", 0);
    check_mpint("\x00\x00\x00\x02" "\x00\x80", 6, 1, "\x80", 1);
    check_mpint("\x00\x00\x00\x01" "\x7f", 5, 1, "\x7f", 1);
    check_mpint("\x00\x00\x00\x02" "\x01\x00", 6, 2, "\x01\x00", 2);
    /* Negative values (RFC 4251: -1234 is ff fb 2e, -0xdeadbeef). */
    FAILS(dec_mpint, "\x00\x00\x00\x02" "\xed\xcc", ERR_FORMAT);
    FAILS(dec_mpint, "\x00\x00\x00\x05" "\xff\x21\x52\x41\x11", ERR_FORMAT);
    FAILS(dec_mpint, "\x00\x00\x00\x01" "\x80", ERR_FORMAT);
    /* Zero written as a byte, and needless leading zeros. */
    FAILS(dec_mpint, "\x00\x00\x00\x01" "\x00", ERR_FORMAT);
    FAILS(dec_mpint, "\x00\x00\x00\x02" "\x00\x00", ERR_FORMAT);
    FAILS(dec_mpint, "\x00\x00\x00\x02" "\x00\x7f", ERR_FORMAT);
    FAILS(dec_mpint, "\x00\x00\x00\x03" "\x00\x00\x80", ERR_FORMAT);
    /* max counts magnitude bytes; the sign pad does not count. */
    rd_init(&rd, "\x00\x00\x00\x03" "\x00\x80\x01", 7);
    assert_int_equal(rd_mpint(&rd, &p, &n, 2), 0);
    assert_int_equal(n, 2);
    rd_init(&rd, "\x00\x00\x00\x03" "\x00\x80\x01", 7);
    assert_int_equal(rd_mpint(&rd, &p, &n, 1), ERR_LIMIT);
    assert_int_equal(rd.off, 0);
    rd_init(&rd, "\x00\x00\x00\x02" "\x7f\x01", 6);
    assert_int_equal(rd_mpint(&rd, &p, &n, 1), ERR_LIMIT);
    assert_null(p);
    assert_int_equal(rd.off, 0);
    rd_init(&rd, "\x00\x00\x00\x04" "\x00\x80\x01\x02", 8);
    assert_int_equal(rd_mpint(&rd, &p, &n, 1), ERR_LIMIT);
    assert_int_equal(rd.off, 0);
    /* No max at all must still accept values. */
    rd_init(&rd, "\x00\x00\x00\x02" "\x00\x80", 6);
    assert_int_equal(rd_mpint(&rd, &p, &n, SIZE_MAX), 0);
    assert_int_equal(n, 1);
}

static void
test_rd_sub(void **state)
{
    struct rd rd, child;
    uint32_t v;
    uint8_t u8;
    const uint8_t *p;
    size_t n;

    (void)state;
    STRFIELD(dec_sub, "\x00\x00\x00\x04" "\x00\x00\x00\x07");
    STRFIELD(dec_sub, "\x00\x00\x00\x00");
    rd_init(&rd, "\x00\x00\x00\x09" "\x00\x00\x00\x01" "a" "\x00\x00\x00\x07"
                 "\x01",
            14);
    assert_int_equal(rd_sub(&rd, &child, 9), 0);
    assert_int_equal(rd_string(&child, &p, &n, 8), 0);
    assert_memory_equal(p, "a", 1);
    assert_int_equal(rd_u32(&child, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(rd_end(&child), 0);
    /* The child cannot read past its own string into the parent. */
    assert_int_equal(rd_u8(&child, &u8), ERR_TRUNC);
    assert_int_equal(rd_left(&rd), 1);
    assert_int_equal(rd_end(&rd), ERR_TRAILING);
    rd_init(&rd, "\x00\x00\x00\x09" "\x00\x00\x00\x01" "a" "\x00\x00\x00\x07",
            13);
    assert_int_equal(rd_sub(&rd, &child, 8), ERR_LIMIT);
    assert_int_equal(rd.off, 0);
    assert_int_equal(rd_left(&child), 0);
}

/* A whole message: a sequence of fields, then rd_end. */
static void
test_rd_sequence(void **state)
{
    static const uint8_t msg[] = "\x14" "\x00\x00\x00\x03" "a,b" "\x01"
                                 "\x00\x00\x00\x00";
    struct rd rd;
    uint8_t type;
    char *list = NULL;
    bool b;
    uint32_t z;
    size_t cut;
    int r;

    (void)state;
    for (cut = 0; cut <= sizeof(msg); cut++) {
        rd_init(&rd, msg, cut);
        if ((r = rd_u8(&rd, &type)) != 0 ||
            (r = rd_namelist(&rd, &list, 64)) != 0 ||
            (r = rd_bool(&rd, &b)) != 0 || (r = rd_u32(&rd, &z)) != 0 ||
            (r = rd_end(&rd)) != 0) {
            free(list);
            list = NULL;
            assert_int_equal(r, cut < sizeof(msg) - 1 ? ERR_TRUNC
                                                      : ERR_TRAILING);
            continue;
        }
        assert_int_equal(cut, sizeof(msg) - 1);
        assert_string_equal(list, "a,b");
        free(list);
        list = NULL;
    }
}

/* clang-format on */

/* rd_until: a view before the delimiter, bounded by max. */
static void
test_rd_until(void **state)
{
    static const uint8_t in[] = "ab\ncd";
    const uint8_t *p = (const uint8_t *)"x";
    size_t len = 9;
    struct rd rd;

    (void)state;
    rd_init(&rd, in, 6);
    assert_int_equal(rd_until(&rd, '\n', &p, &len, 2), 0);
    assert_int_equal(len, 2);
    assert_memory_equal(p, "ab", 2);
    assert_int_equal(rd.off, 3);
    /* No delimiter yet: truncated, and the reader is unchanged. */
    assert_int_equal(rd_until(&rd, '\n', &p, &len, 8), ERR_TRUNC);
    assert_null(p);
    assert_int_equal(len, 0);
    assert_int_equal(rd.off, 3);
    /* More than max bytes without it: over the limit. */
    assert_int_equal(rd_until(&rd, '\n', &p, &len, 1), ERR_LIMIT);
    assert_int_equal(rd.off, 3);
    /* Exactly max bytes and the delimiter still to come: truncated. */
    assert_int_equal(rd_until(&rd, '\n', &p, &len, 3), ERR_TRUNC);
    /* An empty field, and an empty reader. */
    rd_init(&rd, "\0", 1);
    assert_int_equal(rd_until(&rd, 0, &p, &len, 0), 0);
    assert_int_equal(len, 0);
    assert_int_equal(rd_left(&rd), 0);
    assert_int_equal(rd_until(&rd, 0, &p, &len, 0), ERR_TRUNC);
    rd_init(&rd, NULL, 0);
    assert_int_equal(rd_until(&rd, 0, &p, &len, 4), ERR_TRUNC);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rd_fixed),    cmocka_unit_test(test_rd_bytes),
        cmocka_unit_test(test_rd_string),   cmocka_unit_test(test_rd_cstring),
        cmocka_unit_test(test_rd_namelist), cmocka_unit_test(test_rd_mpint),
        cmocka_unit_test(test_rd_sub),      cmocka_unit_test(test_rd_sequence),
        cmocka_unit_test(test_rd_until),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
