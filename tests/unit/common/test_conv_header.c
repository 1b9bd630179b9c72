/*
 * tests/unit/common/test_conv_header.c: SimpleHeaderConverter inference. Expected schema types
 * and String.valueOf() come from the JVM (Kafka 4.1.0 SimpleHeaderConverter, JDK 25, UTC; see
 * oracle/Hdr.java); rows marked GAP are where we knowingly keep a STRING (lists, maps, Decimal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conv.h"

struct hv {
    const char *in;
    const char *type; /* cdata type name upper case, optionally ":" logical name; NULL = null */
    const char *str;
};

static const struct hv hvs[] = {
    {"", "STRING", ""},
    {"abc", "STRING", "abc"},
    {"true", "BOOLEAN", "true"},
    {"false", "BOOLEAN", "false"},
    {"null", NULL, "null"},
    {" true ", "BOOLEAN", "true"},
    {"True", "STRING", "True"},
    {"1", "INT8", "1"},
    {"-1", "INT8", "-1"},
    {"127", "INT8", "127"},
    {"128", "INT16", "128"},
    {"-129", "INT16", "-129"},
    {"32767", "INT16", "32767"},
    {"32768", "INT32", "32768"},
    {"2147483647", "INT32", "2147483647"},
    {"2147483648", "INT64", "2147483648"},
    {"9223372036854775807", "INT64", "9223372036854775807"},
    {"1.5", "FLOAT32", "1.5"},
    {"0.1", "FLOAT32", "0.1"},
    {"-2.25", "FLOAT32", "-2.25"},
    {"1.0", "INT8", "1"},
    {"1e2", "INT8", "100"},
    {"1E+2", "INT8", "100"},
    {"3.4e39", "FLOAT64", "3.4E39"},
    {"+5", "INT8", "5"},
    {"007", "INT8", "7"},
    {"1.", "INT8", "1"},
    {"1.5x", "STRING", "1.5x"},
    {"12 34", "STRING", "12 34"},
    {"hello world", "STRING", "hello world"},
    {"2024-01-15", "INT32:org.apache.kafka.connect.data.Date", "Mon Jan 15 00:00:00 UTC 2024"},
    {"13:45:30.123Z", "INT32:org.apache.kafka.connect.data.Time", "Thu Jan 01 13:45:30 UTC 1970"},
    {"2024-01-15T13:45:30.123Z", "INT64:org.apache.kafka.connect.data.Timestamp",
     "Mon Jan 15 13:45:30 UTC 2024"},
    {"2024-13-45", "INT32:org.apache.kafka.connect.data.Date", "Fri Feb 14 00:00:00 UTC 2025"},
    {"1e-5", "FLOAT32", "1.0E-5"},
    {"0", "INT8", "0"},
    {"-0", "INT8", "0"},
    {"0.0", "INT8", "0"},
    {"caf\xc3\xa9", "STRING", "caf\xc3\xa9"},
    {"\xff\xfe", "STRING", "\xef\xbf\xbd\xef\xbf\xbd"},
    /* GAP: the JVM parses these as ARRAY, MAP, Decimal */
    {"[1,2]", "STRING", "[1,2]"},
    {"{\"a\":1}", "STRING", "{\"a\":1}"},
    {"9223372036854775808", "STRING", "9223372036854775808"},
};

static void type_str(const struct cdata_schema *s, char *out, size_t n)
{
    if (s == NULL) {
        out[0] = '\0';
        return;
    }
    snprintf(out, n, "%s%s%s", cdata_type_name(s->type, 1), s->name ? ":" : "",
             s->name ? s->name : "");
}

static void test_conv_header_simple_inference(void **state)
{
    (void)state;
    struct conv *c;
    struct kc_error err;
    assert_int_equal(conv_new("org.apache.kafka.connect.storage.SimpleHeaderConverter", NULL,
                              CONV_ROLE_HEADER, &c, &err),
                     KC_OK);
    struct kc_arena a;
    struct kc_buf b;
    kc_arena_init(&a, 4096, 1 << 20);
    kc_buf_init(&b, 4096);
    for (size_t i = 0; i < sizeof(hvs) / sizeof(hvs[0]); i++) {
        const struct cdata_schema *s;
        const struct cdata_value *v;
        assert_int_equal(conv_header_to_connect(c, "t", "k", hvs[i].in, strlen(hvs[i].in), &a, &s,
                                                &v, &err),
                         KC_OK);
        char ts[128];
        type_str(s, ts, sizeof(ts));
        if (hvs[i].type == NULL) {
            assert_null(s);
            assert_null(v);
        } else if (strcmp(ts, hvs[i].type) != 0) {
            fail_msg("[%s]: type %s, want %s", hvs[i].in, ts, hvs[i].type);
        }
        kc_buf_reset(&b);
        assert_int_equal(cdata_to_java_string(v, &b), KC_OK);
        if (strcmp(b.data, hvs[i].str) != 0) {
            fail_msg("[%s]: value [%s], want [%s]", hvs[i].in, b.data, hvs[i].str);
        }
    }
    const struct cdata_schema *s = (const void *)1;
    const struct cdata_value *v = (const void *)1;
    assert_int_equal(conv_header_to_connect(c, "t", "k", NULL, 0, &a, &s, &v, &err), KC_OK);
    assert_null(s);
    assert_null(v);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
    conv_free(c);
}

/* The arena running out is KC_ENOMEM, never a wrong value. */
static void test_conv_header_arena_limit(void **state)
{
    (void)state;
    struct conv *c;
    struct kc_error err;
    assert_int_equal(conv_new("SimpleHeaderConverter", NULL, CONV_ROLE_HEADER, &c, &err), KC_OK);
    struct kc_arena a;
    kc_arena_init(&a, 64, 0);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    assert_int_equal(conv_header_to_connect(c, "t", "k", "12", 2, &a, &s, &v, &err), KC_ENOMEM);
    assert_null(v);
    kc_arena_fini(&a);
    conv_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_header_simple_inference),
        cmocka_unit_test(test_conv_header_arena_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
