/*
 * tests/unit/common/test_json_java.c: json_java_dump prints what json_dumps(JSON_COMPACT |
 * JSON_ENCODE_ANY) prints for every value but a real, and a real as Java's Double.toString
 * (what Jackson writes for the JVM connectors' JSON output).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_java.h"
#include "kc_alloc.h"

static char *dump(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    assert_non_null(v);
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(json_java_dump(v, &b), KC_OK);
    json_decref(v);
    size_t n;
    char *s = kc_buf_take(&b, &n);
    kc_buf_fini(&b);
    return s;
}

/* No real inside: the very bytes json_dumps gives (insertion order, its escapes). */
static void test_same_as_jansson_without_reals(void **state)
{
    (void)state;
    const char *docs[] = {
        "{\"b\":1,\"a\":[true,false,null,\"\"],\"\":{},\"z\":[]}",
        "\"ctl \\u0001\\u001f \\\" \\\\ / \\b\\f\\n\\r\\t \\u007f \\u00e9 \\ud83d\\ude00 \\u0000 end\"",
        "[-9223372036854775808,9223372036854775807,0,-1]",
        "{\"k\\u00e9y\":\"v\",\"n\":{\"m\":{\"o\":[[[]]]}}}",
        "null", "true", "42",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_t *v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        assert_non_null(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(v);
        char *got = dump(docs[i]);
        assert_string_equal(got, want);
        free(want);
        kc_free(got);
    }
}

/* Reals as Java's Double.toString: shortest digits, ".0" on whole numbers, E notation below
 * 1e-3 and from 1e7; jansson's "%.17g" would print 0.10000000000000001. */
static void test_reals_as_java(void **state)
{
    (void)state;
    const struct {
        const char *in, *want;
    } c[] = {
        {"0.1", "0.1"},
        {"5612.4506", "5612.4506"},
        {"6767.0", "6767.0"},
        {"1e3", "1000.0"},
        {"1e300", "1.0E300"},
        {"1.5e-7", "1.5E-7"},
        {"0.001", "0.001"},
        {"0.0001", "1.0E-4"},
        {"1e7", "1.0E7"},
        {"9999999.0", "9999999.0"},
        {"-0.0", "-0.0"},
        {"2.2250738585072014e-308", "2.2250738585072014E-308"},
        {"{\"v\":[0.1,1,{\"x\":-2.5}]}", "{\"v\":[0.1,1,{\"x\":-2.5}]}"},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        char *got = dump(c[i].in);
        if (strcmp(got, c[i].want) != 0) {
            fail_msg("%s: got %s, want %s", c[i].in, got, c[i].want);
        }
        kc_free(got);
    }
}

/* A string that is not UTF-8 (bytes a converter kept unchecked) has no JSON text: KC_EINVAL,
 * as json_dumps refuses it, never raw bytes in the output. A buffer past its cap or nesting
 * past 4096 is an error too, not a cut text. */
static void test_limits(void **state)
{
    (void)state;
    const char *bad[] = {"\xff", "a\xc3", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *v = json_stringn_nocheck(bad[i], strlen(bad[i]));
        json_t *o = json_pack("{s:o}", "k", v);
        struct kc_buf b;
        kc_buf_init(&b, 1 << 20);
        assert_int_equal(json_java_dump(o, &b), KC_EINVAL);
        kc_buf_fini(&b);
        json_decref(o);
    }
    json_t *good = json_stringn_nocheck("\xf0\x9f\x98\x80 \xc3\xa9", 7);
    struct kc_buf g;
    kc_buf_init(&g, 1 << 20);
    assert_int_equal(json_java_dump(good, &g), KC_OK);
    assert_string_equal(g.data, "\"\xf0\x9f\x98\x80 \xc3\xa9\"");
    kc_buf_fini(&g);
    json_decref(good);
    json_t *v = json_string("0123456789");
    struct kc_buf b;
    kc_buf_init(&b, 8);
    assert_int_equal(json_java_dump(v, &b), KC_ENOMEM);
    kc_buf_fini(&b);
    json_decref(v);
    json_t *deep = json_array(), *at = deep;
    for (int i = 0; i < 4200; i++) {
        json_t *next = json_array();
        json_array_append_new(at, next);
        at = next;
    }
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(json_java_dump(deep, &b), KC_EINVAL);
    kc_buf_fini(&b);
    json_decref(deep);
    assert_int_equal(json_java_dump(NULL, &b), KC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_jansson_without_reals),
        cmocka_unit_test(test_reals_as_java),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
