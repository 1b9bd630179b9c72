/*
 * tests/unit/base/test_kc_strmap.c: the string map across the size where it starts keeping a
 * hash index (set, replace, get, has, del with renumbering, dup, equal), and the two paths a
 * hostile 50k-key config takes through base/: filling, copying and comparing the map, and the
 * HashMap-order sort, both bounded in time where the old O(n^2) code took minutes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_jmap.h"
#include "kc_strmap.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_small_and_large(void **state)
{
    (void)state;
    struct kc_strmap m;
    char k[32], v[32];
    kc_strmap_init(&m);
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof(k), "key.%d", i);
        snprintf(v, sizeof(v), "v%d", i);
        assert_int_equal(kc_strmap_set(&m, k, v), KC_OK);
        /* every key set so far is still found, across the switch to the index */
        for (int j = 0; j <= i; j++) {
            snprintf(k, sizeof(k), "key.%d", j);
            snprintf(v, sizeof(v), "v%d", j);
            assert_string_equal(kc_strmap_get(&m, k), v);
        }
    }
    assert_int_equal(m.n, 100);
    assert_int_equal(kc_strmap_set(&m, "key.7", NULL), KC_OK); /* replace keeps position */
    assert_int_equal(m.n, 100);
    assert_true(kc_strmap_has(&m, "key.7"));
    assert_null(kc_strmap_get(&m, "key.7"));
    assert_string_equal(m.e[7].key, "key.7");
    assert_false(kc_strmap_has(&m, "key.100"));

    /* deleting renumbers: every later key is still found, down past the index threshold */
    for (int i = 0; i < 95; i++) {
        snprintf(k, sizeof(k), "key.%d", i);
        assert_int_equal(kc_strmap_del(&m, k), 1);
        assert_int_equal(kc_strmap_del(&m, k), 0);
        for (int j = i + 1; j < 100; j++) {
            snprintf(k, sizeof(k), "key.%d", j);
            assert_true(kc_strmap_has(&m, k));
        }
    }
    assert_int_equal(m.n, 5);
    assert_string_equal(m.e[0].key, "key.95");
    assert_int_equal(kc_strmap_set(&m, "again", "x"), KC_OK);
    assert_string_equal(kc_strmap_get(&m, "again"), "x");
    kc_strmap_fini(&m);
}

static void test_50k_fill_copy_equal(void **state)
{
    (void)state;
    const int n = 50000;
    struct kc_strmap m;
    char k[48];
    kc_strmap_init(&m);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        snprintf(k, sizeof(k), "hostile.config.key.%d", i);
        assert_int_equal(kc_strmap_set(&m, k, k), KC_OK);
    }
    struct kc_strmap *d = kc_strmap_dup(&m);
    assert_non_null(d);
    assert_true(kc_strmap_equal(&m, d));
    assert_int_equal(kc_strmap_set(d, "hostile.config.key.49999", "other"), KC_OK);
    assert_false(kc_strmap_equal(&m, d));
    size_t *order = kc_jmap_strmap_order(&m, 1);
    assert_non_null(order);
    double dt = now_s() - t0;
    /* Quadratic code took over a minute here; linear takes tens of milliseconds, so one
     * second leaves room for a sanitizer build on a loaded machine. */
    printf("50k keys: fill + dup + equal + order in %.3f s\n", dt);
    assert_true(dt < 1.0);

    /* The order is HashMap's: buckets ascending, insertion order inside one. */
    size_t cap = kc_jmap_table_size(m.n, 1);
    uint32_t prev_b = 0;
    size_t prev_i = 0;
    for (size_t r = 0; r < m.n; r++) {
        uint32_t h = (uint32_t)kc_jmap_string_hash(m.e[order[r]].key);
        uint32_t b = (h ^ (h >> 16)) & (uint32_t)(cap - 1);
        assert_true(r == 0 || b > prev_b || (b == prev_b && order[r] > prev_i));
        prev_b = b;
        prev_i = order[r];
    }
    kc_free(order);
    kc_strmap_free(d);
    kc_strmap_fini(&m);
}

/* The counting sort and the insertion-sort fallback (capacity far above n) agree. */
static void test_jmap_order_paths_agree(void **state)
{
    (void)state;
    const char *keys[] = {"name", "connector.class", "tasks.max", "topics", "a", "b", "Aa", "BB",
                          "file", "key.converter", "value.converter", "\xc3\xa9t\xc3\xa9"};
    size_t n = sizeof(keys) / sizeof(keys[0]);
    size_t o1[16], o2[16];
    kc_jmap_order(keys, n, 16, o1);
    kc_jmap_order(keys, n, 1u << 20, o2);
    for (size_t i = 0; i < n; i++) {
        uint32_t h1 = (uint32_t)kc_jmap_string_hash(keys[o1[i]]);
        if (i > 0) {
            uint32_t h0 = (uint32_t)kc_jmap_string_hash(keys[o1[i - 1]]);
            assert_true(((h0 ^ (h0 >> 16)) & 15) <= ((h1 ^ (h1 >> 16)) & 15));
        }
    }
    /* "Aa" and "BB" collide in Java: same bucket, insertion order kept */
    size_t pa = 0, pb = 0;
    for (size_t i = 0; i < n; i++) {
        pa = o1[i] == 6 ? i : pa;
        pb = o1[i] == 7 ? i : pb;
    }
    assert_int_equal(pb, pa + 1);
    /* the fallback orders by the large table's buckets, stably */
    for (size_t i = 1; i < n; i++) {
        uint32_t h0 = (uint32_t)kc_jmap_string_hash(keys[o2[i - 1]]);
        uint32_t h1 = (uint32_t)kc_jmap_string_hash(keys[o2[i]]);
        uint32_t b0 = (h0 ^ (h0 >> 16)) & ((1u << 20) - 1), b1 = (h1 ^ (h1 >> 16)) & ((1u << 20) - 1);
        assert_true(b0 < b1 || (b0 == b1 && o2[i - 1] < o2[i]));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_and_large),
        cmocka_unit_test(test_50k_fill_copy_equal),
        cmocka_unit_test(test_jmap_order_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
