/*
 * tests/unit/common/test_conv_string.c: StringConverter (with Java's U+FFFD replacement of bad
 * UTF-8, expected bytes from the JVM via oracle/Hdr.java), ByteArrayConverter and the
 * fixed-width number/boolean converters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conv.h"

static struct kc_arena arena;

static int setup(void **state)
{
    (void)state;
    kc_arena_init(&arena, 4096, 1 << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kc_arena_fini(&arena);
    return 0;
}

static struct conv *mk(const char *cls, const char *k, const char *v, int role)
{
    struct kc_strmap *p = kc_strmap_new();
    if (k != NULL) {
        kc_strmap_set(p, k, v);
    }
    struct conv *c = NULL;
    struct kc_error err;
    int rc = conv_new(cls, p, role, &c, &err);
    kc_strmap_free(p);
    assert_int_equal(rc, KC_OK);
    return c;
}

static void test_conv_string_utf8_replacement(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        size_t n;
        const char *want;
    } v[] = {
        {"abc", 3, "abc"},
        {"caf\xc3\xa9", 5, "caf\xc3\xa9"},
        {"a\xff" "b", 3, "a\xef\xbf\xbd" "b"},
        {"\xc3", 1, "\xef\xbf\xbd"},
        {"\xe2\x82x", 3, "\xef\xbf\xbdx"},
        {"\xf0\x9f\x98", 3, "\xef\xbf\xbd"},
        {"\xed\xa0\x80", 3, "\xef\xbf\xbd"},
        {"\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xf4\x90\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xe0\x80\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"\xf8\x88\x80\x80\x80", 5,
         "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
        {"", 0, ""},
    };
    struct conv *c = mk("org.apache.kafka.connect.storage.StringConverter", NULL, NULL, 0);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const struct cdata_schema *s;
        const struct cdata_value *val;
        struct kc_error err;
        assert_int_equal(conv_to_connect(c, "t", v[i].in, v[i].n, &arena, &s, &val, &err), KC_OK);
        assert_ptr_equal(s, &cdata_schema_optional_string);
        assert_int_equal(val->type, CDATA_STRING);
        assert_int_equal(val->n, strlen(v[i].want));
        assert_memory_equal(val->u.s, v[i].want, val->n);
    }
    const struct cdata_schema *s;
    const struct cdata_value *val = (const void *)1;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", NULL, 0, &arena, &s, &val, &err), KC_OK);
    assert_ptr_equal(s, &cdata_schema_optional_string);
    assert_null(val);
    conv_free(c);
}

static void test_conv_string_encoding_setting(void **state)
{
    (void)state;
    struct conv *c = mk("StringConverter", "converter.encoding", "utf8", 1);
    conv_free(c);
    struct kc_strmap *p = kc_strmap_new();
    kc_strmap_set(p, "converter.encoding", "ISO-8859-1");
    struct kc_error err;
    assert_int_equal(conv_new("StringConverter", p, 0, &c, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "converter.encoding"));
    assert_non_null(strstr(err.msg, "UTF-8"));
    kc_strmap_free(p);
}

static void test_conv_string_bytearray(void **state)
{
    (void)state;
    struct conv *c = mk("ByteArrayConverter", NULL, NULL, CONV_ROLE_HEADER);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_header_to_connect(c, "t", "h", "\x00\x01\xff", 3, &arena, &s, &v, &err),
                     KC_OK);
    assert_ptr_equal(s, &cdata_schema_optional_bytes);
    assert_int_equal(v->type, CDATA_BYTES);
    assert_int_equal(v->n, 3);
    assert_memory_equal(v->u.s, "\x00\x01\xff", 3);
    assert_int_equal(conv_to_connect(c, "t", NULL, 0, &arena, &s, &v, &err), KC_OK);
    assert_null(v);
    conv_free(c);
}

static void check_num(const char *cls, const void *in, size_t n, const char *want)
{
    struct conv *c = mk(cls, NULL, NULL, 0);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    struct kc_buf b;
    kc_buf_init(&b, 256);
    assert_int_equal(conv_to_connect(c, "t", in, n, &arena, &s, &v, &err), KC_OK);
    assert_true(s->optional);
    assert_int_equal(cdata_to_java_string(v, &b), KC_OK);
    assert_string_equal(b.data, want);
    kc_buf_fini(&b);
    conv_free(c);
}

static void test_conv_string_numbers(void **state)
{
    (void)state;
    check_num("IntegerConverter", "\xff\xff\xff\xfe", 4, "-2");
    check_num("LongConverter", "\x00\x00\x01\x00\x00\x00\x00\x00", 8, "1099511627776");
    check_num("ShortConverter", "\x80\x00", 2, "-32768");
    check_num("FloatConverter", "\x3f\xc0\x00\x00", 4, "1.5");
    check_num("DoubleConverter", "\x3f\xb9\x99\x99\x99\x99\x99\x9a", 8, "0.1");
    check_num("BooleanConverter", "\x01", 1, "true");
    check_num("org.apache.kafka.connect.converters.BooleanConverter", "\x00", 1, "false");

    struct conv *c = mk("IntegerConverter", NULL, NULL, 0);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", "\x01\x02", 2, &arena, &s, &v, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Failed to deserialize integer: Size of data received by "
                                 "IntegerDeserializer is not 4");
    assert_int_equal(conv_error_java_len(c), strlen("Failed to deserialize integer: "));
    assert_string_equal(conv_error_class(c), CONV_DATA_EXCEPTION);
    assert_int_equal(conv_to_connect(c, "t", NULL, 0, &arena, &s, &v, &err), KC_OK);
    assert_null(v);
    assert_ptr_equal(s, &cdata_schema_optional_int32);
    conv_free(c);
    c = mk("BooleanConverter", NULL, NULL, 0);
    assert_int_equal(conv_to_connect(c, "t", "\x02", 1, &arena, &s, &v, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "Unexpected byte received by BooleanDeserializer: 2"));
    conv_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_string_utf8_replacement),
        cmocka_unit_test(test_conv_string_encoding_setting),
        cmocka_unit_test(test_conv_string_bytearray),
        cmocka_unit_test(test_conv_string_numbers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
