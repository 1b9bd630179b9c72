/*
 * tests/unit/common/test_jfast.c: the record parser's own guarantees -- tree-mode flags and raw
 * spans (what JsonConverter's schema path relies on), duplicate keys in large objects, the depth
 * cap, number edge cases, error offsets, base64, scratch allocation failure. JVM parity of
 * accept/reject is covered by test_conv_json's vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "jfast.h"
#include "kc_alloc.h"

static struct kc_arena arena;

static int setup(void **state)
{
    (void)state;
    kc_arena_init(&arena, 64 * 1024, 64u << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kc_arena_fini(&arena);
    return 0;
}

static const struct cdata_value *parse(struct jfast *j, const char *s, int want_rc)
{
    const struct cdata_value *v;
    enum jfast_result res;
    struct kc_error err;
    int rc = jfast_parse(j, s, strlen(s), &arena, &v, &res, &err);
    if (rc != want_rc) {
        fail_msg("[%.80s]: rc %d want %d (%s)", s, rc, want_rc, err.msg);
    }
    return v;
}

static void test_jfast_tree_flags(void **state)
{
    (void)state;
    struct jfast j;
    jfast_init(&j, 1);
    const struct cdata_value *v = parse(&j, "[1, 2147483648, -2147483648, 99999999999999999999, 1.50, -0]", KC_OK);
    assert_int_equal(v->n, 6);
    const struct jfast_node *n0 = jfast_node_of(v->u.items[0]);
    assert_true(n0->flags & JFAST_F_INT32);
    assert_false(jfast_node_of(v->u.items[1])->flags & JFAST_F_INT32);
    assert_true(jfast_node_of(v->u.items[2])->flags & JFAST_F_INT32);
    const struct jfast_node *big = jfast_node_of(v->u.items[3]);
    assert_true(big->flags & JFAST_F_BIG);
    /* low 64 bits of 99999999999999999999 */
    assert_true((uint64_t)big->v.u.i == 7766279631452241919ULL); /* 99999999999999999999 mod 2^64 */
    const struct jfast_node *f = jfast_node_of(v->u.items[4]);
    assert_true(f->flags & JFAST_F_FLOAT);
    assert_int_equal(f->raw_len, 4);
    assert_memory_equal(f->raw, "1.50", 4);
    assert_int_equal(jfast_node_of(v)->raw_len, strlen("[1, 2147483648, -2147483648, 99999999999999999999, 1.50, -0]"));
    jfast_fini(&j);
}

static void test_jfast_numbers(void **state)
{
    (void)state;
    struct jfast j;
    jfast_init(&j, 0);
    static const struct {
        const char *in;
        double d;
    } fl[] = {
        {"0.1", 0.1},   {"1e2", 100.0},  {"-1.5E-3", -1.5e-3}, {"1e400", HUGE_VAL},
        {"1e-400", 0.0}, {"123456789012345678901234567890.0", 1.2345678901234568e29},
        {"0.000001", 1e-6}, {"9007199254740993.0", 9007199254740992.0}, {"-0.0", 0.0},
    };
    for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
        const struct cdata_value *v = parse(&j, fl[i].in, KC_OK);
        assert_int_equal(v->type, CDATA_FLOAT64);
        if (memcmp(&v->u.f, &fl[i].d, sizeof(double)) != 0) {
            fail_msg("%s: %.17g want %.17g", fl[i].in, v->u.f, fl[i].d);
        }
    }
    const struct cdata_value *v = parse(&j, "18446744073709551617", KC_OK);
    assert_int_equal(v->u.i, 1); /* BigInteger.longValue */
    v = parse(&j, "-9223372036854775809", KC_OK);
    assert_int_equal(v->u.i, INT64_MAX);
    v = parse(&j, "00012", KC_OK);
    assert_int_equal(v->u.i, 12);
    char longnum[1100];
    memset(longnum, '1', 1001);
    longnum[1001] = '\0';
    parse(&j, longnum, KC_EINVAL);
    longnum[1000] = '\0';
    parse(&j, longnum, KC_OK);
    jfast_fini(&j);
}

static void test_jfast_duplicate_keys_large(void **state)
{
    (void)state;
    struct jfast j;
    jfast_init(&j, 0);
    /* 200 distinct keys, each repeated; last value wins, first position kept */
    size_t cap = 64 * 1024, n = 0;
    char *s = malloc(cap);
    n += (size_t)snprintf(s + n, cap - n, "{");
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < 200; i++) {
            n += (size_t)snprintf(s + n, cap - n, "%s\"k%d\":%d", (r || i) ? "," : "", i, r * 1000 + i);
        }
    }
    n += (size_t)snprintf(s + n, cap - n, "}");
    const struct cdata_value *v = parse(&j, s, KC_OK);
    assert_int_equal(v->type, CDATA_MAP);
    assert_int_equal(v->n, 200);
    assert_string_equal(v->u.map.keys[7]->u.s, "k7");
    assert_int_equal(v->u.map.vals[7]->u.i, 1007);
    free(s);
    v = parse(&j, "{\"a\":1,\"b\":2,\"a\":3}", KC_OK);
    assert_int_equal(v->n, 2);
    assert_string_equal(v->u.map.keys[0]->u.s, "a");
    assert_int_equal(v->u.map.vals[0]->u.i, 3);
    jfast_fini(&j);
}

static void test_jfast_depth_cap(void **state)
{
    (void)state;
    struct jfast j;
    jfast_init(&j, 0);
    size_t d = JFAST_MAX_DEPTH;
    char *s = malloc(2 * d + 10);
    memset(s, '[', d);
    memset(s + d, ']', d);
    s[2 * d] = '\0';
    parse(&j, s, KC_OK);
    memset(s, '[', d + 1);
    memset(s + d + 1, ']', d + 1);
    s[2 * d + 2] = '\0';
    struct kc_error err;
    const struct cdata_value *v;
    enum jfast_result res;
    assert_int_equal(jfast_parse(&j, s, strlen(s), &arena, &v, &res, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "nesting depth"));
    free(s);
    jfast_fini(&j);
}

static void test_jfast_errors_and_missing(void **state)
{
    (void)state;
    struct jfast j;
    jfast_init(&j, 0);
    const struct cdata_value *v;
    enum jfast_result res;
    struct kc_error err;
    assert_int_equal(jfast_parse(&j, " \n\t", 3, &arena, &v, &res, &err), KC_OK);
    assert_int_equal(res, JFAST_MISSING);
    assert_int_equal(jfast_parse(&j, "null", 4, &arena, &v, &res, &err), KC_OK);
    assert_int_equal(res, JFAST_VALUE);
    assert_null(v);
    assert_int_equal(jfast_parse(&j, "{\"a\":tru}", 9, &arena, &v, &res, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "offset 5"));
    assert_int_equal(jfast_parse(&j, "\"a\xc3(\"", 5, &arena, &v, &res, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(jfast_parse(&j, "\"\xed\xa0\x80\"", 5, &arena, &v, &res, &err), KC_EINVAL);
    assert_int_equal(jfast_parse(&j, "\"\xe0\x80\x80\"", 5, &arena, &v, &res, &err), KC_EINVAL);
    assert_int_equal(jfast_parse(&j, "\"\xf4\x90\x80\x80\"", 6, &arena, &v, &res, &err), KC_EINVAL);
    assert_int_equal(jfast_parse(&j, "\"\xf0\x9f\x98\x80\\u00e9\\ud83d\\ude00\"", 24, &arena, &v, &res, &err), KC_OK);
    assert_int_equal(v->n, 10);
    assert_memory_equal(v->u.s, "\xf0\x9f\x98\x80\xc3\xa9\xf0\x9f\x98\x80", 10);
    /* a long plain-ASCII string crosses the 8-byte fast scan */
    const char *ls = "\"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\"";
    v = parse(&j, ls, KC_OK);
    assert_int_equal(v->n, strlen(ls) - 2);
    jfast_fini(&j);
}

static void test_jfast_base64(void **state)
{
    (void)state;
    unsigned char *out;
    size_t n;
    struct kc_error err;
    assert_int_equal(jfast_base64_decode("aGVsbG8=", 8, &arena, &out, &n, &err), KC_OK);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "hello", 5);
    assert_int_equal(jfast_base64_decode("", 0, &arena, &out, &n, &err), KC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(jfast_base64_decode("BNI", 3, &arena, &out, &n, &err), KC_EINVAL);
    assert_int_equal(jfast_base64_decode("!!!!", 4, &arena, &out, &n, &err), KC_EINVAL);
    assert_int_equal(jfast_base64_decode("AQ==AQ==", 8, &arena, &out, &n, &err), KC_EINVAL);
    assert_int_equal(jfast_base64_decode("AQ== ", 5, &arena, &out, &n, &err), KC_OK);
}

/* The parser's scratch stack may fail to grow: KC_ENOMEM, and the parser stays usable. */
static void test_jfast_alloc_failure(void **state)
{
    (void)state;
    char big[8192];
    size_t n = 0;
    big[n++] = '[';
    for (int i = 0; i < 1000; i++) {
        n += (size_t)snprintf(big + n, sizeof(big) - n, "%s%d", i ? "," : "", i);
    }
    big[n++] = ']';
    big[n] = '\0';
    for (long k = 0; k < 4; k++) {
        struct jfast j;
        jfast_init(&j, 0);
        kc_alloc_fail_after(k);
        const struct cdata_value *v;
        enum jfast_result res;
        struct kc_error err;
        int rc = jfast_parse(&j, big, n, &arena, &v, &res, &err);
        kc_alloc_fail_after(-1);
        assert_true(rc == KC_OK || rc == KC_ENOMEM);
        assert_int_equal(jfast_parse(&j, big, n, &arena, &v, &res, &err), KC_OK);
        assert_int_equal(v->n, 1000);
        jfast_fini(&j);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jfast_tree_flags),
        cmocka_unit_test(test_jfast_numbers),
        cmocka_unit_test(test_jfast_duplicate_keys_large),
        cmocka_unit_test(test_jfast_depth_cap),
        cmocka_unit_test(test_jfast_errors_and_missing),
        cmocka_unit_test(test_jfast_base64),
        cmocka_unit_test(test_jfast_alloc_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
