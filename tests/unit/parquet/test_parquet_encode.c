/*
 * tests/unit/parquet/test_parquet_encode.c: the RLE/bit-packed hybrid against hand-computed
 * runs (the spec's 0..7 example among them), the dictionary's indices and page bytes, the
 * UTF-8 check, and the arena JSON parser's acceptance rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "parquet_int.h"

#define ASSERT_BYTES(buf, ...)                                                                     \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        assert_int_equal((buf)->len, sizeof(want_));                                               \
        assert_memory_equal((buf)->data, want_, sizeof(want_));                                    \
    } while (0)

static void rle(struct kc_buf *b, int width, const uint32_t *v, size_t n)
{
    struct parquet_rle r;
    kc_buf_reset(b);
    parquet_rle_init(&r, b, width);
    for (size_t i = 0; i < n; i++) {
        parquet_rle_put(&r, v[i]);
    }
    assert_int_equal(parquet_rle_finish(&r), KC_OK);
}

static void test_parquet_encode_bit_width(void **state)
{
    (void)state;
    assert_int_equal(parquet_bit_width(0), 0);
    assert_int_equal(parquet_bit_width(1), 1);
    assert_int_equal(parquet_bit_width(2), 2);
    assert_int_equal(parquet_bit_width(3), 2);
    assert_int_equal(parquet_bit_width(255), 8);
    assert_int_equal(parquet_bit_width(256), 9);
    assert_int_equal(parquet_bit_width(UINT32_MAX), 32);
}

static void test_parquet_encode_rle_runs(void **state)
{
    struct kc_buf b;
    (void)state;
    kc_buf_init(&b, 1 << 20);

    /* Ten 1s, width 1: one repeated run, header 10 << 1, value in one byte. */
    uint32_t ones[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    rle(&b, 1, ones, 10);
    ASSERT_BYTES(&b, 0x14, 0x01);

    /* The spec's example: 0..7 at width 3 is one packed group: 10001000 11000110 11111010. */
    uint32_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    rle(&b, 3, seq, 8);
    ASSERT_BYTES(&b, 0x03, 0x88, 0xC6, 0xFA);

    /* Five values: packed and padded with zeros to a group of 8. */
    uint32_t five[5] = {1, 1, 1, 0, 1};
    rle(&b, 1, five, 5);
    ASSERT_BYTES(&b, 0x03, 0x17);

    /* Eight 2s then a 1 (width 2): a repeated run of 8, then a repeated run of 1. */
    uint32_t run9[9] = {2, 2, 2, 2, 2, 2, 2, 2, 1};
    rle(&b, 2, run9, 9);
    ASSERT_BYTES(&b, 0x10, 0x02, 0x02, 0x01);

    /* A 300-value run at width 9: varint header 600 = D8 04, value in two bytes. */
    uint32_t big[300];
    for (int i = 0; i < 300; i++) {
        big[i] = 300;
    }
    rle(&b, 9, big, 300);
    ASSERT_BYTES(&b, 0xD8, 0x04, 0x2C, 0x01);
    kc_buf_fini(&b);
}

static void test_parquet_encode_rle_long_literal(void **state)
{
    struct kc_buf b;
    uint32_t alt[1000];
    (void)state;
    kc_buf_init(&b, 1 << 20);
    for (int i = 0; i < 1000; i++) {
        alt[i] = (uint32_t)(i & 1);
    }
    /* 300 alternating bits: 38 groups in one literal run (header 38 << 1 | 1 = 0x4D), 0xAA
     * per full group, the last group 0,1,0,1 padded: 0x0A. */
    rle(&b, 1, alt, 300);
    assert_int_equal(b.len, 39);
    assert_int_equal((uint8_t)b.data[0], 0x4D);
    for (int i = 1; i < 38; i++) {
        assert_int_equal((uint8_t)b.data[i], 0xAA);
    }
    assert_int_equal((uint8_t)b.data[38], 0x0A);

    /* 1000 values: a run holds at most 63 groups (one header byte), so 63 + 62 groups. */
    rle(&b, 1, alt, 1000);
    assert_int_equal(b.len, 1 + 63 + 1 + 62);
    assert_int_equal((uint8_t)b.data[0], 0x7F);
    assert_int_equal((uint8_t)b.data[64], (62 << 1) | 1);
    kc_buf_fini(&b);
}

static void test_parquet_encode_rle_levels(void **state)
{
    struct kc_buf b;
    uint16_t lv[2000];
    (void)state;
    kc_buf_init(&b, 1 << 20);
    /* 1000 ones, a zero, 999 ones: the level fast path must equal the value-by-value path. */
    for (int i = 0; i < 2000; i++) {
        lv[i] = i == 1000 ? 0 : 1;
    }
    assert_int_equal(parquet_rle_levels(&b, lv, 2000, 1), KC_OK);
    struct kc_buf ref;
    uint32_t v32[2000];
    kc_buf_init(&ref, 1 << 20);
    for (int i = 0; i < 2000; i++) {
        v32[i] = lv[i];
    }
    rle(&ref, 1, v32, 2000);
    assert_int_equal(b.len, ref.len);
    assert_memory_equal(b.data, ref.data, b.len);
    /* 1000 ones = D0 0F 01, then the zero and 999 ones. */
    assert_int_equal((uint8_t)b.data[0], 0xD0);
    assert_int_equal((uint8_t)b.data[1], 0x0F);
    assert_int_equal((uint8_t)b.data[2], 0x01);
    kc_buf_fini(&ref);
    kc_buf_fini(&b);
}

static void test_parquet_encode_dict(void **state)
{
    struct parquet_dict d;
    uint32_t idx;
    int added;
    (void)state;
    parquet_dict_init(&d, 1);
    assert_int_equal(parquet_dict_insert(&d, "a", 1, &idx, &added), KC_OK);
    assert_int_equal(idx, 0);
    assert_true(added);
    assert_int_equal(parquet_dict_insert(&d, "bc", 2, &idx, &added), KC_OK);
    assert_int_equal(idx, 1);
    assert_int_equal(parquet_dict_insert(&d, "a", 1, &idx, &added), KC_OK);
    assert_int_equal(idx, 0);
    assert_false(added);
    assert_int_equal(parquet_dict_insert(&d, "", 0, &idx, &added), KC_OK);
    assert_int_equal(idx, 2);
    /* The dictionary page body: PLAIN byte arrays (u32 length + bytes) in insertion order. */
    ASSERT_BYTES(&d.data, 1, 0, 0, 0, 'a', 2, 0, 0, 0, 'b', 'c', 0, 0, 0, 0);
    parquet_dict_reset(&d);
    assert_int_equal(d.n, 0);
    assert_int_equal(d.data.len, 0);
    parquet_dict_fini(&d);

    /* Fixed-width values, through several table growths. */
    parquet_dict_init(&d, 0);
    for (int64_t i = 0; i < 5000; i++) {
        int64_t v = i * 7919;
        assert_int_equal(parquet_dict_insert(&d, &v, 8, &idx, &added), KC_OK);
        assert_int_equal(idx, (uint32_t)i);
    }
    for (int64_t i = 4999; i >= 0; i--) {
        int64_t v = i * 7919;
        assert_int_equal(parquet_dict_insert(&d, &v, 8, &idx, &added), KC_OK);
        assert_int_equal(idx, (uint32_t)i);
        assert_false(added);
    }
    assert_int_equal(d.data.len, 5000 * 8);
    parquet_dict_fini(&d);
}

static void test_parquet_encode_dict_alloc_failure(void **state)
{
    (void)state;
    for (long n = 0; n < 40; n++) {
        struct parquet_dict d;
        uint32_t idx;
        int added;
        int failed = 0;
        parquet_dict_init(&d, 1);
        kc_alloc_fail_after(n);
        for (int i = 0; i < 3000 && !failed; i++) {
            char key[16];
            snprintf(key, sizeof(key), "k%d", i);
            failed = parquet_dict_insert(&d, key, strlen(key), &idx, &added) != KC_OK;
        }
        kc_alloc_fail_after(-1);
        parquet_dict_fini(&d); /* no leak either way (ASan) */
    }
}

static void test_parquet_encode_utf8(void **state)
{
    (void)state;
    assert_true(parquet_utf8_valid("", 0));
    assert_true(parquet_utf8_valid("plain ascii text, long enough", 29));
    assert_true(parquet_utf8_valid("\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80", 9));
    assert_true(parquet_utf8_valid("a\0b", 3));
    assert_false(parquet_utf8_valid("\xc3", 1));               /* truncated */
    assert_false(parquet_utf8_valid("\xc0\xaf", 2));           /* overlong */
    assert_false(parquet_utf8_valid("\xed\xa0\x80", 3));       /* surrogate */
    assert_false(parquet_utf8_valid("\xf4\x90\x80\x80", 4));   /* past U+10FFFF */
    assert_false(parquet_utf8_valid("abcdefgh\xff", 9));
}

static int parses(const char *text)
{
    struct parquet_jv_parser ps;
    struct parquet_jv v;
    struct kc_error err;
    parquet_jv_parser_init(&ps);
    int rc = parquet_jv_parse(&ps, text, strlen(text), &v, &err);
    parquet_jv_parser_fini(&ps);
    return rc;
}

static void test_parquet_encode_jv_parse(void **state)
{
    struct parquet_jv_parser ps;
    struct parquet_jv v;
    struct kc_error err;
    uint32_t hint = 0;
    const char *text = "{\"a\": -12, \"b\": [1.5, \"x\\u00e9\\ud83d\\ude00\", true, null], "
                       "\"c\": {}, \"d\": 1e2, \"e\": -0.0, \"f\": \"\\u0000\"}";
    (void)state;
    parquet_jv_parser_init(&ps);
    assert_int_equal(parquet_jv_parse(&ps, text, strlen(text), &v, &err), KC_OK);
    assert_int_equal(v.type, PARQUET_JV_OBJECT);
    assert_int_equal(v.n, 6);
    const struct parquet_jv *a = parquet_jv_get(&v, "a", 1, &hint);
    assert_non_null(a);
    assert_int_equal(a->type, PARQUET_JV_INT);
    assert_int_equal(a->u.i, -12);
    const struct parquet_jv *b = parquet_jv_get(&v, "b", 1, &hint);
    assert_int_equal(b->type, PARQUET_JV_ARRAY);
    assert_int_equal(b->n, 4);
    assert_true(b->u.items[0].u.d == 1.5);
    assert_int_equal(b->u.items[1].n, 7);
    assert_memory_equal(b->u.items[1].u.s, "x\xc3\xa9\xf0\x9f\x98\x80", 7);
    assert_int_equal(b->u.items[2].type, PARQUET_JV_TRUE);
    assert_int_equal(b->u.items[3].type, PARQUET_JV_NULL);
    hint = 0;
    const struct parquet_jv *d = parquet_jv_get(&v, "d", 1, &hint);
    assert_true(d->type == PARQUET_JV_REAL && d->u.d == 100.0);
    const struct parquet_jv *f = parquet_jv_get(&v, "f", 1, &hint);
    assert_int_equal(f->n, 1);
    assert_null(parquet_jv_get(&v, "zz", 2, &hint));
    struct kc_buf out;
    kc_buf_init(&out, 4096);
    assert_int_equal(parquet_jv_dump(b, &out), KC_OK);
    assert_string_equal(out.data, "[1.5,\"x\xc3\xa9\xf0\x9f\x98\x80\",true,null]");
    kc_buf_fini(&out);
    parquet_jv_parser_fini(&ps);

    assert_int_equal(parses("[9223372036854775807, -9223372036854775808]"), KC_OK);
    assert_int_equal(parses("9223372036854775808"), KC_EINVAL);
    assert_int_equal(parses("1e999"), KC_EINVAL);
    assert_int_equal(parses("{\"a\":1,}"), KC_EINVAL);
    assert_int_equal(parses("[01]"), KC_EINVAL);
    assert_int_equal(parses("\"\\ud800\""), KC_EINVAL);
    assert_int_equal(parses("\"\xff\""), KC_EINVAL);
    assert_int_equal(parses("\"a\tb\""), KC_EINVAL);
    assert_int_equal(parses("{\"\\u0000\":1}"), KC_EINVAL);
    assert_int_equal(parses("{} x"), KC_EINVAL);
    assert_int_equal(parses("nul"), KC_EINVAL);
    assert_int_equal(parses("\"abc"), KC_EINVAL);
    assert_int_equal(parses("\"abc\\"), KC_EINVAL);
    char deep[1200];
    memset(deep, '[', 600);
    memset(deep + 600, ']', 600);
    deep[1199] = ']';
    deep[sizeof(deep) - 1] = '\0';
    assert_int_equal(parses(deep), KC_EINVAL); /* nesting past PARQUET_JV_MAX_DEPTH */
}

static void test_parquet_encode_jv_string_scan(void **state)
{
    /* Special bytes at every position of the 8-byte scan: escapes, UTF-8, control chars. */
    (void)state;
    for (int at = 0; at < 20; at++) {
        char text[64];
        char want[64];
        struct parquet_jv_parser ps;
        struct parquet_jv v;
        struct kc_error err;
        memset(want, 'a', sizeof(want));
        parquet_jv_parser_init(&ps);
        /* "aaa..\naaa" -> newline at `at` */
        snprintf(text, sizeof(text), "\"%.*s\\n%.*s\"", at, want, 19 - at, want);
        assert_int_equal(parquet_jv_parse(&ps, text, strlen(text), &v, &err), KC_OK);
        assert_int_equal(v.n, 20);
        assert_int_equal(v.u.s[at], '\n');
        /* two-byte UTF-8 at `at` */
        snprintf(text, sizeof(text), "\"%.*s\xc3\xa9%.*s\"", at, want, 19 - at, want);
        assert_int_equal(parquet_jv_parse(&ps, text, strlen(text), &v, &err), KC_OK);
        assert_int_equal(v.n, 21);
        /* invalid byte, raw tab and a quote at `at` */
        snprintf(text, sizeof(text), "\"%.*s\xff%.*s\"", at, want, 19 - at, want);
        assert_int_equal(parquet_jv_parse(&ps, text, strlen(text), &v, &err), KC_EINVAL);
        snprintf(text, sizeof(text), "\"%.*s\t%.*s\"", at, want, 19 - at, want);
        assert_int_equal(parquet_jv_parse(&ps, text, strlen(text), &v, &err), KC_EINVAL);
        snprintf(text, sizeof(text), "[\"%.*s\", 1]", at, want);
        assert_int_equal(parquet_jv_parse(&ps, text, strlen(text), &v, &err), KC_OK);
        assert_int_equal(v.u.items[0].n, (uint32_t)at);
        parquet_jv_parser_fini(&ps);
    }
}

static void test_parquet_encode_jv_alloc_failure(void **state)
{
    const char *text = "{\"a\": [1, 2, {\"b\": \"ccc\\n\"}], \"d\": \"xyz\"}";
    (void)state;
    for (long n = 0; n < 10; n++) {
        struct parquet_jv_parser ps;
        struct parquet_jv v;
        struct kc_error err;
        parquet_jv_parser_init(&ps);
        kc_alloc_fail_after(n);
        int rc = parquet_jv_parse(&ps, text, strlen(text), &v, &err);
        kc_alloc_fail_after(-1);
        assert_true(rc == KC_OK || rc == KC_ENOMEM);
        parquet_jv_parser_fini(&ps);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parquet_encode_bit_width),
        cmocka_unit_test(test_parquet_encode_rle_runs),
        cmocka_unit_test(test_parquet_encode_rle_long_literal),
        cmocka_unit_test(test_parquet_encode_rle_levels),
        cmocka_unit_test(test_parquet_encode_dict),
        cmocka_unit_test(test_parquet_encode_dict_alloc_failure),
        cmocka_unit_test(test_parquet_encode_utf8),
        cmocka_unit_test(test_parquet_encode_jv_parse),
        cmocka_unit_test(test_parquet_encode_jv_string_scan),
        cmocka_unit_test(test_parquet_encode_jv_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
