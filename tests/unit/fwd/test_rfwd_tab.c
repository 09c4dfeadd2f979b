/* SPDX-License-Identifier: ISC */
/*
 * aditd's table of reverse forwards: lookups by kind, key and port,
 * chains (a seed of 0 and a table of thousands put many in one slot),
 * growth, removal while iterating, the same port on two addresses, and a
 * unix socket path beside a TCP forward of the same text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "fwd/rfwd_tab.h"
#include "fwd/server_rfwd.h"

static struct rfwd *
entry(const char *key, uint32_t port, bool is_unix)
{
    struct rfwd *r = calloc(1, sizeof(*r));

    assert_non_null(r);
    snprintf(r->key, sizeof(r->key), "%s", key);
    r->port = port;
    r->is_unix = is_unix;
    return r;
}

static size_t
count(const struct rfwd_tab *t)
{
    const struct rfwd *r;
    size_t n = 0;

    for (r = rfwd_tab_first(t); r != NULL; r = rfwd_tab_next(t, r)) {
        n++;
    }
    return n;
}

static void
test_empty(void **state)
{
    struct rfwd_tab t;

    (void)state;
    rfwd_tab_init(&t, 1);
    assert_null(rfwd_tab_find(&t, "localhost", 80, false));
    assert_null(rfwd_tab_first(&t));
    rfwd_tab_cleanup(&t);
}

/* The same port on two addresses, a name on it, and a socket path that
 * reads like the TCP key: four entries, each found only as itself. */
static void
test_kinds(void **state)
{
    struct rfwd *a = entry("127.0.0.1", 8080, false);
    struct rfwd *b = entry("::1", 8080, false);
    struct rfwd *c = entry("web-1", 8080, false);
    struct rfwd *u = entry("127.0.0.1", 0, true);
    struct rfwd_tab t;

    (void)state;
    rfwd_tab_init(&t, 42);
    assert_int_equal(rfwd_tab_add(&t, a), 0);
    assert_int_equal(rfwd_tab_add(&t, b), 0);
    assert_int_equal(rfwd_tab_add(&t, c), 0);
    assert_int_equal(rfwd_tab_add(&t, u), 0);
    assert_ptr_equal(rfwd_tab_find(&t, "127.0.0.1", 8080, false), a);
    assert_ptr_equal(rfwd_tab_find(&t, "::1", 8080, false), b);
    assert_ptr_equal(rfwd_tab_find(&t, "web-1", 8080, false), c);
    assert_ptr_equal(rfwd_tab_find(&t, "127.0.0.1", 0, true), u);
    assert_null(rfwd_tab_find(&t, "127.0.0.1", 0, false));
    assert_null(rfwd_tab_find(&t, "127.0.0.1", 8081, false));
    assert_null(rfwd_tab_find(&t, "127.0.0.1", 8080, true));
    assert_null(rfwd_tab_find(&t, "WEB-1", 8080, false)); /* keys as given */
    assert_int_equal(count(&t), 4);
    rfwd_tab_del(&t, b);
    assert_null(rfwd_tab_find(&t, "::1", 8080, false));
    assert_ptr_equal(rfwd_tab_find(&t, "127.0.0.1", 8080, false), a);
    assert_int_equal(t.n, 3);
    rfwd_tab_cleanup(&t);
    free(a);
    free(b);
    free(c);
    free(u);
}

#define MANY 5000u

/* Thousands of entries: the table grows past its first size with every
 * entry still found, and every one is met once by an iteration that
 * deletes as it goes (every other one, then the rest). */
static void
test_many_delete_iterating(void **state)
{
    struct rfwd **v = calloc(MANY, sizeof(*v));
    struct rfwd *r, *next;
    struct rfwd_tab t;
    char key[32];
    size_t i, seen = 0;

    (void)state;
    assert_non_null(v);
    rfwd_tab_init(&t, 0);
    for (i = 0; i < MANY; i++) {
        snprintf(key, sizeof(key), "10.0.%zu.%zu", i / 250, i % 250);
        v[i] = entry(key, (uint32_t)(1024 + i % 7), false);
        assert_int_equal(rfwd_tab_add(&t, v[i]), 0);
    }
    assert_true(t.cap >= MANY);
    for (i = 0; i < MANY; i++) {
        assert_ptr_equal(rfwd_tab_find(&t, v[i]->key, v[i]->port, false), v[i]);
    }
    for (r = rfwd_tab_first(&t); r != NULL; r = next) {
        next = rfwd_tab_next(&t, r);
        if (seen++ % 2 == 0) {
            rfwd_tab_del(&t, r);
            r->tag = 1; /* deleted */
        }
    }
    assert_int_equal(seen, MANY);
    assert_int_equal(t.n, MANY / 2);
    for (i = 0; i < MANY; i++) {
        r = rfwd_tab_find(&t, v[i]->key, v[i]->port, false);
        assert_ptr_equal(r, v[i]->tag == 1 ? NULL : v[i]);
    }
    for (r = rfwd_tab_first(&t); r != NULL; r = next) {
        next = rfwd_tab_next(&t, r);
        rfwd_tab_del(&t, r);
    }
    assert_int_equal(t.n, 0);
    assert_null(rfwd_tab_first(&t));
    rfwd_tab_cleanup(&t);
    for (i = 0; i < MANY; i++) {
        free(v[i]);
    }
    free(v);
}

/* Entries in one chain (the same slot): each found, and deleting the
 * head, the middle and the tail leaves the others. */
static void
test_collisions(void **state)
{
    struct rfwd *v[64], *r, *same[4];
    struct rfwd_tab t;
    char key[32];
    size_t i, n = 0, k;

    (void)state;
    rfwd_tab_init(&t, 7);
    for (i = 0; i < 64; i++) {
        snprintf(key, sizeof(key), "h%zu", i);
        v[i] = entry(key, 22, false);
        assert_int_equal(rfwd_tab_add(&t, v[i]), 0);
    }
    /* With 64 keys in 64 slots some share one: find four that do, or
     * stop at the largest chain there is. */
    for (k = 0; k < t.cap && n < 2; k++) {
        n = 0;
        for (r = t.slots[k]; r != NULL && n < 4; r = r->hnext) {
            same[n++] = r;
        }
    }
    assert_true(n >= 2);
    for (i = 0; i < n; i++) {
        assert_ptr_equal(rfwd_tab_find(&t, same[i]->key, 22, false), same[i]);
    }
    rfwd_tab_del(&t, same[n - 1]);
    rfwd_tab_del(&t, same[0]);
    for (i = 1; i + 1 < n; i++) {
        assert_ptr_equal(rfwd_tab_find(&t, same[i]->key, 22, false), same[i]);
    }
    assert_null(rfwd_tab_find(&t, same[0]->key, 22, false));
    assert_null(rfwd_tab_find(&t, same[n - 1]->key, 22, false));
    assert_int_equal(count(&t), 62);
    rfwd_tab_cleanup(&t);
    for (i = 0; i < 64; i++) {
        free(v[i]);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_many_delete_iterating),
        cmocka_unit_test(test_collisions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
