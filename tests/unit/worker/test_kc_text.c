/*
 * tests/unit/worker/test_kc_text.c: the base room's text helpers (base/kc_text.h): hex
 * digits, and Integer.parseInt / Long.parseLong as the JVM answers them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kc_buf.h"
#include "kc_text.h"

/* kc_mem_eq against memcmp for every length up to 48 (the word, overlapping-word, four-byte,
 * byte and memcmp branches) with a difference at every position, and with none. */
static void test_kc_mem_eq(void **state)
{
    (void)state;
    unsigned char a[64], b[64];
    for (size_t n = 0; n <= 48; n++) {
        for (size_t i = 0; i < sizeof(a); i++) {
            a[i] = b[i] = (unsigned char)('a' + i % 26);
        }
        /* unaligned starts too */
        for (size_t off = 0; off < 3; off++) {
            assert_true(kc_mem_eq(a + off, b + off, n));
            for (size_t k = 0; k < n; k++) {
                b[off + k] ^= 0x20;
                assert_false(kc_mem_eq(a + off, b + off, n));
                assert_int_equal(kc_mem_eq(a + off, b + off, n),
                                 memcmp(a + off, b + off, n) == 0);
                b[off + k] ^= 0x20;
            }
            /* a difference just past the end is not seen */
            b[off + n] ^= 0x20;
            assert_true(kc_mem_eq(a + off, b + off, n));
            b[off + n] ^= 0x20;
        }
    }
}

static void test_hexval_every_byte(void **state)
{
    (void)state;
    const char *digits = "0123456789abcdef";
    for (unsigned c = 0; c < 256; c++) {
        const char *lo = c != 0 ? strchr(digits, (int)c) : NULL;
        const char *up = c >= 'A' && c <= 'F' ? strchr(digits, (int)(c | 0x20)) : NULL;
        int want = lo != NULL ? (int)(lo - digits) : up != NULL ? (int)(up - digits) : -1;
        assert_int_equal(kc_hexval(c), want);
    }
}

static int parse(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    return kc_parse_java_int(s, strlen(s), lo, hi, out);
}

static void test_parse_java_int_accepts(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(parse("0", INT32_MIN, INT32_MAX, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(parse("+17", INT32_MIN, INT32_MAX, &v), 0);
    assert_int_equal(v, 17);
    assert_int_equal(parse("-0042", INT32_MIN, INT32_MAX, &v), 0);
    assert_int_equal(v, -42);
    assert_int_equal(parse("2147483647", INT32_MIN, INT32_MAX, &v), 0);
    assert_int_equal(v, INT32_MAX);
    assert_int_equal(parse("-2147483648", INT32_MIN, INT32_MAX, &v), 0);
    assert_int_equal(v, INT32_MIN);
    assert_int_equal(parse("9223372036854775807", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(parse("-9223372036854775808", INT64_MIN, INT64_MAX, &v), 0);
    assert_true(v == INT64_MIN);
    /* only the n bytes given are read */
    assert_int_equal(kc_parse_java_int("12-x", 2, INT32_MIN, INT32_MAX, &v), 0);
    assert_int_equal(v, 12);
}

static void test_parse_java_int_refuses(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "+", "-", " 1", "1 ", "1_000", "0x10", "1e3", "1.0",
                                      "--1", "+-1", "\xd9\xa3" /* ARABIC-INDIC THREE */};
    int64_t v = 99;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i], INT64_MIN, INT64_MAX, &v), -1);
    }
    assert_int_equal(parse("2147483648", INT32_MIN, INT32_MAX, &v), -1);
    assert_int_equal(parse("-2147483649", INT32_MIN, INT32_MAX, &v), -1);
    assert_int_equal(parse("9223372036854775808", INT64_MIN, INT64_MAX, &v), -1);
    assert_int_equal(parse("-9223372036854775809", INT64_MIN, INT64_MAX, &v), -1);
    assert_int_equal(parse("99999999999999999999999", INT64_MIN, INT64_MAX, &v), -1);
    assert_int_equal(parse("128", INT8_MIN, INT8_MAX, &v), -1);
    /* a NUL inside the n bytes is not a digit (Java strings may hold one) */
    assert_int_equal(kc_parse_java_int("1\0" "2", 3, INT32_MIN, INT32_MAX, &v), -1);
    assert_int_equal(v, 99); /* untouched on failure */
}

/* RFC 4648's vectors, every tail length, and a round trip through kc_b64_decode of all 256
 * byte values at every length up to 256 */
static void test_b64_encode(void **state)
{
    (void)state;
    static const char *const vec[][2] = {{"", ""},         {"f", "Zg=="},
                                         {"fo", "Zm8="},   {"foo", "Zm9v"},
                                         {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                         {"foobar", "Zm9vYmFy"}};
    char out[400];
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        size_t n = kc_b64_encode(vec[i][0], strlen(vec[i][0]), out);
        assert_int_equal(n, strlen(vec[i][1]));
        assert_int_equal(n, KC_B64_LEN(strlen(vec[i][0])));
        assert_memory_equal(out, vec[i][1], n);
    }
    unsigned char all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (unsigned char)(255 - i);
    }
    assert_int_equal(kc_b64_encode("\xfb\xff", 2, out), 4);
    assert_memory_equal(out, "+/8=", 4); /* the standard alphabet, not the URL-safe one */
    struct kc_buf back;
    kc_buf_init(&back, 1 << 20);
    for (size_t len = 0; len <= 256; len++) {
        size_t n = kc_b64_encode(all, len, out);
        assert_int_equal(n, KC_B64_LEN(len));
        assert_int_equal(kc_b64_decode(out, n, 0, &back), 0);
        assert_int_equal(back.len, len);
        if (len > 0) {
            assert_memory_equal(back.data, all, len);
        }
    }
    /* kc_b64_append: after what the buffer holds */
    kc_buf_reset(&back);
    assert_int_equal(kc_buf_append(&back, "k=", 2), KC_OK);
    assert_int_equal(kc_b64_append(&back, "foob", 4), KC_OK);
    assert_int_equal(back.len, 10);
    assert_memory_equal(back.data, "k=Zm9vYg==", 10);
    kc_buf_fini(&back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hexval_every_byte),
        cmocka_unit_test(test_kc_mem_eq),
        cmocka_unit_test(test_parse_java_int_accepts),
        cmocka_unit_test(test_parse_java_int_refuses),
        cmocka_unit_test(test_b64_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
