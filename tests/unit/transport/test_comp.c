/* SPDX-License-Identifier: ISC */
/* zlib streams: payloads round-trip, bombs and bad data are refused. */
#include "testutil.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "transport/comp.h"
#include "util/adit_limits.h"
#include "util/err.h"

static void
fill(uint8_t *p, size_t n, unsigned seed, bool random_bytes)
{
    size_t i;
    uint32_t x = seed * 2654435761u + 1;

    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = random_bytes ? (uint8_t)(x >> 16) : (uint8_t)("tunnel"[i % 6]);
    }
}

/* Many payloads through one pair of streams, each inflated on arrival. */
static void
test_comp_roundtrip(void **state)
{
    static const size_t sizes[] = {1, 2, 100, 4096, 32768, 35000, 200000};
    struct comp *d = NULL, *i = NULL;
    uint8_t *in = malloc(200000), *copy = malloc(300000);
    const uint8_t *z, *out;
    size_t zlen, olen, k, round;

    assert_non_null(in);
    assert_non_null(copy);
    assert_int_equal(comp_new(&d, true), 0);
    assert_int_equal(comp_new(&i, false), 0);
    for (round = 0; round < 4; round++) {
        for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            fill(in, sizes[k], (unsigned)(round * 10 + k), round % 2 == 1);
            assert_int_equal(comp_deflate(d, in, sizes[k], &z, &zlen), 0);
            assert_true(zlen <= comp_bound(sizes[k]));
            if (round % 2 == 0 && sizes[k] > 100) {
                assert_true(zlen < sizes[k] / 4); /* text compresses */
            }
            memcpy(copy, z, zlen);
            assert_int_equal(
                comp_inflate(i, copy, zlen, LIM_PAYLOAD_INFLATED, &out, &olen),
                0);
            assert_int_equal(olen, sizes[k]);
            assert_memory_equal(out, in, olen);
        }
    }
    comp_free(d);
    comp_free(i);
    free(in);
    free(copy);
}

/* Deflate with plain zlib (as the peer would) into a malloc'd buffer. */
static uint8_t *
peer_deflate(const uint8_t *p, size_t n, int flush, size_t *out_len)
{
    z_stream s;
    size_t cap = n + n / 10 + 1024;
    uint8_t *out = malloc(cap);

    assert_non_null(out);
    memset(&s, 0, sizeof(s));
    assert_int_equal(deflateInit(&s, 9), Z_OK);
    s.next_in = (Bytef *)(uintptr_t)p;
    s.avail_in = (uInt)n;
    s.next_out = out;
    s.avail_out = (uInt)cap;
    assert_true(deflate(&s, flush) != Z_STREAM_ERROR);
    assert_int_equal(s.avail_in, 0);
    *out_len = cap - s.avail_out;
    deflateEnd(&s);
    return out;
}

/* A small packet that inflates past the cap ends the stream: a bomb. */
static void
test_comp_bomb(void **state)
{
    size_t big = LIM_PAYLOAD_INFLATED + 1, zlen, olen;
    uint8_t *zeros = calloc(1, 4 * big), *z;
    struct comp *i = NULL;
    const uint8_t *out;

    assert_non_null(zeros);
    z = peer_deflate(zeros, 4 * big, Z_PARTIAL_FLUSH, &zlen);
    assert_true(zlen < 4096);
    assert_int_equal(comp_new(&i, false), 0);
    assert_int_equal(
        comp_inflate(i, z, zlen, LIM_PAYLOAD_INFLATED, &out, &olen), ERR_LIMIT);
    assert_null(out);
    /* broken from here on */
    assert_int_equal(comp_inflate(i, z, 0, LIM_PAYLOAD_INFLATED, &out, &olen),
                     ERR_INTERNAL);
    comp_free(i);
    free(z);
    /* Exactly the cap is fine. */
    z = peer_deflate(zeros, LIM_PAYLOAD_INFLATED, Z_PARTIAL_FLUSH, &zlen);
    assert_int_equal(comp_new(&i, false), 0);
    assert_int_equal(
        comp_inflate(i, z, zlen, LIM_PAYLOAD_INFLATED, &out, &olen), 0);
    assert_int_equal(olen, LIM_PAYLOAD_INFLATED);
    comp_free(i);
    free(z);
    free(zeros);
}

static void
test_comp_bad_data(void **state)
{
    static const uint8_t garbage[] = {0x78, 0x9c, 0xff, 0xff, 0xff, 0x00};
    static const uint8_t hello[] = "hello";
    struct comp *i = NULL;
    const uint8_t *out;
    uint8_t *z;
    size_t zlen, olen;

    assert_int_equal(comp_new(&i, false), 0);
    assert_int_equal(comp_inflate(i, garbage, sizeof(garbage),
                                  LIM_PAYLOAD_INFLATED, &out, &olen),
                     ERR_PROTO);
    comp_free(i);
    /* A stream the peer ended (Z_FINISH) is refused: it must go on. */
    z = peer_deflate(hello, 5, Z_FINISH, &zlen);
    assert_int_equal(comp_new(&i, false), 0);
    assert_int_equal(
        comp_inflate(i, z, zlen, LIM_PAYLOAD_INFLATED, &out, &olen), ERR_PROTO);
    comp_free(i);
    free(z);
    /* Bytes after the flush point that are not deflate data. */
    z = peer_deflate(hello, 5, Z_PARTIAL_FLUSH, &zlen);
    assert_int_equal(comp_new(&i, false), 0);
    assert_int_equal(comp_inflate(i, z, zlen, 5, &out, &olen), 0);
    assert_memory_equal(out, hello, 5);
    assert_int_equal(comp_inflate(i, z, zlen, 5, &out, &olen), ERR_PROTO);
    comp_free(i);
    free(z);
}

static void
test_comp_names(void **state)
{
    assert_int_equal(comp_type_by_name("zlib"), COMP_TYPE_ZLIB);
    assert_int_equal(comp_type_by_name("zlib@openssh.com"), COMP_TYPE_DELAYED);
    assert_int_equal(comp_type_by_name("none"), COMP_TYPE_NONE);
    assert_int_equal(comp_type_by_name(NULL), COMP_TYPE_NONE);
    assert_true(comp_is_known("none"));
    assert_true(comp_is_known("zlib@openssh.com"));
    assert_false(comp_is_known("zstd@openssh.com"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comp_roundtrip),
        cmocka_unit_test(test_comp_bomb),
        cmocka_unit_test(test_comp_bad_data),
        cmocka_unit_test(test_comp_names),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
