/*
 * tests/unit/common/test_conv_json.c: JsonConverter parity with the JVM. json_vectors.inc holds
 * inputs and what Kafka 4.1.0's JsonConverter (JDK 25, UTC) answered: String.valueOf(value), or
 * the exception class and getMessage(). Plus settings, caching, and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conv.h"
#include "kc_alloc.h"

struct vec {
    const char *mode; /* s = schemas.enable=false, e = true, r = replace.null.with.default=false */
    const char *in;
    size_t in_len;
    int ok;
    const char *jclass;
    const char *out; /* toString, or the exception message */
};

static const struct vec vecs[] = {
#include "json_vectors.inc"
};

static struct conv *make(const char *mode)
{
    struct kc_strmap *p = kc_strmap_new();
    assert_non_null(p);
    assert_int_equal(kc_strmap_set(p, "schemas.enable", strchr(mode, 's') ? "false" : "true"), KC_OK);
    if (strchr(mode, 'r') != NULL) {
        assert_int_equal(kc_strmap_set(p, "replace.null.with.default", "false"), KC_OK);
    }
    struct conv *c;
    struct kc_error err;
    assert_int_equal(conv_new("org.apache.kafka.connect.json.JsonConverter", p, 0, &c, &err), KC_OK);
    kc_strmap_free(p);
    return c;
}

static int run_vec(struct conv *c, const struct vec *v, struct kc_arena *a, struct kc_buf *b,
                   char *why, size_t whylen)
{
    const struct cdata_schema *s;
    const struct cdata_value *val;
    struct kc_error err;
    kc_error_clear(&err);
    int rc = conv_to_connect(c, "t", v->in, v->in_len, a, &s, &val, &err);
    if (v->ok) {
        if (rc != KC_OK) {
            snprintf(why, whylen, "expected OK [%s], got rc %d: %.200s", v->out, rc, err.msg);
            return 0;
        }
        kc_buf_reset(b);
        assert_int_equal(cdata_to_java_string(val, b), KC_OK);
        if (strncmp(v->out, "[B@", 3) == 0 && strncmp(b->data, "[B@", 3) == 0) {
            return 1; /* byte[] identity hash: unreproducible by design */
        }
        if (strcmp(b->data, v->out) != 0) {
            snprintf(why, whylen, "toString: want [%.200s] got [%.200s]", v->out, b->data);
            return 0;
        }
        return 1;
    }
    if (rc != KC_EINVAL) {
        snprintf(why, whylen, "expected %s [%s], got rc %d", v->jclass, v->out, rc);
        return 0;
    }
    const char *cls = conv_error_class(c);
    if (cls == NULL || strcmp(cls, v->jclass) != 0) {
        snprintf(why, whylen, "class: want %s got %s (%.200s)", v->jclass, cls ? cls : "NULL", err.msg);
        return 0;
    }
    size_t jl = conv_error_java_len(c);
    if (jl != strlen(v->out) || strncmp(err.msg, v->out, jl) != 0) {
        snprintf(why, whylen, "message: want [%.200s] got [%.*s] (full: %.200s)", v->out, (int)jl,
                 err.msg, err.msg);
        return 0;
    }
    return 1;
}

static void test_conv_json_jvm_vectors(void **state)
{
    (void)state;
    struct conv *cs = make("s"), *ce = make("e"), *cer = make("er");
    struct kc_arena a;
    struct kc_buf b;
    kc_arena_init(&a, 64 * 1024, 256u << 20);
    kc_buf_init(&b, 16u << 20);
    int fails = 0;
    size_t n = sizeof(vecs) / sizeof(vecs[0]);
    for (size_t i = 0; i < n; i++) {
        const struct vec *v = &vecs[i];
        struct conv *c = strcmp(v->mode, "s") == 0 ? cs : strcmp(v->mode, "e") == 0 ? ce : cer;
        char why[1024];
        kc_arena_reset(&a);
        if (!run_vec(c, v, &a, &b, why, sizeof(why))) {
            fails++;
            print_message("vector %zu (%s) [%.120s]: %s\n", i, v->mode, v->in ? v->in : "NULL", why);
        }
    }
    print_message("%zu JVM vectors, %d failures\n", n, fails);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
    conv_free(cs);
    conv_free(ce);
    conv_free(cer);
    assert_int_equal(fails, 0);
}

static void test_conv_json_tombstone(void **state)
{
    (void)state;
    struct conv *c = make("e");
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    const struct cdata_schema *s = (const void *)1;
    const struct cdata_value *v = (const void *)1;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", NULL, 0, &a, &s, &v, &err), KC_OK);
    assert_null(s);
    assert_null(v);
    kc_arena_fini(&a);
    conv_free(c);
}

static void test_conv_json_settings(void **state)
{
    (void)state;
    struct kc_strmap *p = kc_strmap_new();
    struct conv *c = NULL;
    struct kc_error err;
    kc_strmap_set(p, "schemas.enable", "maybe");
    assert_int_equal(conv_new("JsonConverter", p, 0, &c, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "schemas.enable"));
    kc_strmap_set(p, "schemas.enable", " FALSE ");
    kc_strmap_set(p, "decimal.format", "numeric");
    kc_strmap_set(p, "schemas.cache.size", "10");
    assert_int_equal(conv_new("JsonConverter", p, 1, &c, &err), KC_OK);
    assert_string_equal(conv_class_name(c), "org.apache.kafka.connect.json.JsonConverter");
    conv_free(c);
    kc_strmap_set(p, "decimal.format", "HEX");
    assert_int_equal(conv_new("JsonConverter", p, 0, &c, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "decimal.format"));
    kc_strmap_set(p, "decimal.format", "BASE64");
    kc_strmap_set(p, "schemas.cache.size", "ten");
    assert_int_equal(conv_new("JsonConverter", p, 0, &c, &err), KC_EINVAL);
    kc_strmap_free(p);
    assert_int_equal(conv_new("com.example.NopeConverter", NULL, 0, &c, &err), KC_ENOENT);
    assert_non_null(strstr(err.msg, "com.example.NopeConverter"));
    assert_int_equal(conv_new("SimpleHeaderConverter", NULL, 0, &c, &err), KC_ENOENT);
    assert_int_equal(conv_new("SimpleHeaderConverter", NULL, CONV_ROLE_HEADER, &c, &err), KC_OK);
    conv_free(c);
}

/* Same schema text twice: the second record reuses the cached schema object. */
static void test_conv_json_schema_cache(void **state)
{
    (void)state;
    struct conv *c = make("e");
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    const char *in = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"field\":\"a\"}]},"
                     "\"payload\":{\"a\":1}}";
    const struct cdata_schema *s1, *s2;
    const struct cdata_value *v1, *v2;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", in, strlen(in), &a, &s1, &v1, &err), KC_OK);
    assert_int_equal(conv_to_connect(c, "t", in, strlen(in), &a, &s2, &v2, &err), KC_OK);
    assert_ptr_equal(s1, s2);
    assert_int_equal(s1->type, CDATA_STRUCT);
    assert_int_equal(cdata_struct_get(v2, "a")->u.i, 1);
    kc_arena_fini(&a);
    conv_free(c);

    /* cache size 0: still converts, schema lives in the batch arena */
    struct kc_strmap *p = kc_strmap_new();
    kc_strmap_set(p, "schemas.cache.size", "0");
    assert_int_equal(conv_new("JsonConverter", p, 0, &c, &err), KC_OK);
    kc_strmap_free(p);
    kc_arena_init(&a, 4096, 1 << 20);
    assert_int_equal(conv_to_connect(c, "t", in, strlen(in), &a, &s1, &v1, &err), KC_OK);
    assert_int_equal(conv_to_connect(c, "t", in, strlen(in), &a, &s2, &v2, &err), KC_OK);
    assert_ptr_not_equal(s1, s2);
    kc_arena_fini(&a);
    conv_free(c);
}

/* Every schema type and logical type lands in the right cdata shape. */
static void test_conv_json_schema_shapes(void **state)
{
    (void)state;
    struct conv *c = make("e");
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    const char *in =
        "{\"schema\":{\"type\":\"struct\",\"name\":\"r\",\"version\":2,\"doc\":\"d\",\"fields\":["
        "{\"type\":\"int8\",\"field\":\"i8\"},{\"type\":\"int16\",\"field\":\"i16\"},"
        "{\"type\":\"int32\",\"field\":\"i32\"},{\"type\":\"int64\",\"field\":\"i64\"},"
        "{\"type\":\"float\",\"field\":\"f\"},{\"type\":\"double\",\"field\":\"d\"},"
        "{\"type\":\"boolean\",\"field\":\"b\"},{\"type\":\"string\",\"field\":\"s\"},"
        "{\"type\":\"bytes\",\"field\":\"y\"},"
        "{\"type\":\"array\",\"items\":{\"type\":\"int32\"},\"field\":\"a\"},"
        "{\"type\":\"map\",\"keys\":{\"type\":\"string\"},\"values\":{\"type\":\"int32\"},\"field\":\"m\"},"
        "{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\",\"field\":\"dt\"},"
        "{\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Time\",\"field\":\"tm\"},"
        "{\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"field\":\"ts\"},"
        "{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"2\"},\"field\":\"dec\"},"
        "{\"type\":\"string\",\"optional\":true,\"default\":\"dv\",\"field\":\"opt\"}]},"
        "\"payload\":{\"i8\":1,\"i16\":2,\"i32\":3,\"i64\":4,\"f\":1.5,\"d\":2.5,\"b\":true,\"s\":\"x\","
        "\"y\":\"AAE=\",\"a\":[1,2],\"m\":{\"k\":1},\"dt\":1,\"tm\":1000,\"ts\":5,\"dec\":\"BNI=\"}}";
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", in, strlen(in), &a, &s, &v, &err), KC_OK);
    assert_string_equal(s->name, "r");
    assert_int_equal(s->version, 2);
    assert_string_equal(s->doc, "d");
    assert_int_equal(s->n_fields, 16);
    static const enum cdata_type want[] = {CDATA_INT8,  CDATA_INT16,  CDATA_INT32, CDATA_INT64,
                                           CDATA_FLOAT32, CDATA_FLOAT64, CDATA_BOOLEAN, CDATA_STRING,
                                           CDATA_BYTES, CDATA_ARRAY,  CDATA_MAP,   CDATA_INT32,
                                           CDATA_INT32, CDATA_INT64,  CDATA_BYTES, CDATA_STRING};
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(s->fields[i].schema->type, want[i]);
        assert_non_null(v->u.items[i]);
        assert_int_equal(v->u.items[i]->type, want[i]);
    }
    const struct cdata_value *y = cdata_struct_get(v, "y");
    assert_int_equal(y->n, 2);
    assert_memory_equal(y->u.s, "\x00\x01", 2);
    assert_true(cdata_schema_is(cdata_struct_get(v, "ts")->schema, CDATA_LOGICAL_TIMESTAMP));
    const struct cdata_value *dec = cdata_struct_get(v, "dec");
    assert_int_equal(dec->n, 2);
    assert_string_equal(cdata_schema_param(dec->schema, "scale"), "2");
    assert_string_equal(cdata_struct_get(v, "opt")->u.s, "dv");
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(cdata_to_java_string(v, &b), KC_OK);
    assert_non_null(strstr(b.data, "dec=12.34"));
    assert_non_null(strstr(b.data, "dt=Fri Jan 02 00:00:00 UTC 1970"));
    kc_buf_fini(&b);
    kc_arena_fini(&a);
    conv_free(c);
}

/* Error class and the Java part of the message for the DLQ headers. */
static void test_conv_json_error_class(void **state)
{
    (void)state;
    struct conv *c = make("s");
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", "{\"a\":", 5, &a, &s, &v, &err), KC_EINVAL);
    assert_string_equal(conv_error_class(c), CONV_DATA_EXCEPTION);
    const char *jm = "Converting byte[] to Kafka Connect data failed due to serialization error: ";
    assert_int_equal(conv_error_java_len(c), strlen(jm));
    assert_memory_equal(err.msg, jm, strlen(jm));
    assert_true(strlen(err.msg) > strlen(jm)); /* details follow */
    assert_int_equal(conv_to_connect(c, "t", "1", 1, &a, &s, &v, &err), KC_OK);
    assert_null(conv_error_class(c));
    kc_arena_fini(&a);
    conv_free(c);
}

/* Arena limit: a small arena fails with KC_ENOMEM, never a crash or a bogus DataException. */
static void test_conv_json_arena_limit(void **state)
{
    (void)state;
    const char *in = "{\"schema\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                     "\"payload\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"]}";
    const char *plain = "{\"a\":[1,2,3,{\"b\":\"cccccccccccccccccccccccccccccccccccccc\"}],\"d\":2.5}";
    for (int mode = 0; mode < 2; mode++) {
        struct conv *c = make(mode ? "e" : "s");
        const char *x = mode ? in : plain;
        int ok_seen = 0;
        for (size_t lim = 0; lim < 4096; lim += 16) {
            struct kc_arena a;
            kc_arena_init(&a, 256, lim);
            const struct cdata_schema *s;
            const struct cdata_value *v;
            struct kc_error err;
            int rc = conv_to_connect(c, "t", x, strlen(x), &a, &s, &v, &err);
            assert_true(rc == KC_OK || rc == KC_ENOMEM);
            if (rc == KC_ENOMEM) {
                assert_null(conv_error_class(c));
                assert_null(v);
            } else {
                ok_seen = 1;
            }
            kc_arena_fini(&a);
        }
        assert_true(ok_seen);
        conv_free(c);
    }
}

/* kc_malloc failure injection: every allocation the converter makes may fail. */
static void test_conv_json_alloc_failures(void **state)
{
    (void)state;
    const char *in = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"map\",\"keys\":{\"type\":"
                     "\"string\"},\"values\":{\"type\":\"double\"},\"field\":\"m\"}]},"
                     "\"payload\":{\"m\":{\"x\":1.5,\"y\":2}}}";
    for (long n = 0; n < 200; n++) {
        struct kc_error err;
        struct conv *c = NULL;
        kc_alloc_fail_after(n);
        int rc = conv_new("JsonConverter", NULL, 0, &c, &err);
        if (rc != KC_OK) {
            kc_alloc_fail_after(-1);
            assert_int_equal(rc, KC_ENOMEM);
            continue;
        }
        struct kc_arena a;
        kc_arena_init(&a, 1024, 1 << 20);
        const struct cdata_schema *s;
        const struct cdata_value *v;
        rc = conv_to_connect(c, "t", in, strlen(in), &a, &s, &v, &err);
        kc_alloc_fail_after(-1);
        assert_true(rc == KC_OK || rc == KC_ENOMEM);
        if (rc == KC_OK) {
            struct kc_buf b;
            kc_buf_init(&b, 4096);
            assert_int_equal(cdata_to_java_string(v, &b), KC_OK);
            assert_string_equal(b.data, "Struct{m={x=1.5, y=2.0}}");
            kc_buf_fini(&b);
        }
        kc_arena_fini(&a);
        conv_free(c);
    }
}

/* Header converter variant goes through toConnectData. */
static void test_conv_json_header(void **state)
{
    (void)state;
    struct conv *c;
    struct kc_error err;
    struct kc_strmap *p = kc_strmap_new();
    kc_strmap_set(p, "schemas.enable", "false");
    assert_int_equal(conv_new("JsonConverter", p, CONV_ROLE_HEADER, &c, &err), KC_OK);
    kc_strmap_free(p);
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    assert_int_equal(conv_header_to_connect(c, "t", "h", "[1,2]", 5, &a, &s, &v, &err), KC_OK);
    assert_int_equal(v->type, CDATA_ARRAY);
    assert_int_equal(v->n, 2);
    kc_arena_fini(&a);
    conv_free(c);
}

static void test_conv_json_plugins(void **state)
{
    (void)state;
    size_t n;
    const struct conv_plugin_desc *d = conv_plugins(&n);
    int json_conv = 0, simple_hdr = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(strcmp(d[i].type, "converter") == 0 || strcmp(d[i].type, "header_converter") == 0);
        if (strcmp(d[i].class_name, "org.apache.kafka.connect.json.JsonConverter") == 0 &&
            strcmp(d[i].type, "converter") == 0) {
            json_conv = 1;
        }
        if (strcmp(d[i].class_name, "org.apache.kafka.connect.storage.SimpleHeaderConverter") == 0) {
            assert_string_equal(d[i].type, "header_converter");
            simple_hdr = 1;
        }
        assert_true(conv_class_supported(d[i].class_name,
                                         strcmp(d[i].type, "converter") == 0 ? CONV_ROLE_VALUE
                                                                             : CONV_ROLE_HEADER));
    }
    assert_true(json_conv && simple_hdr);
    assert_false(conv_class_supported("SimpleHeaderConverter", CONV_ROLE_KEY));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conv_json_jvm_vectors),
        cmocka_unit_test(test_conv_json_tombstone),
        cmocka_unit_test(test_conv_json_settings),
        cmocka_unit_test(test_conv_json_schema_cache),
        cmocka_unit_test(test_conv_json_schema_shapes),
        cmocka_unit_test(test_conv_json_error_class),
        cmocka_unit_test(test_conv_json_arena_limit),
        cmocka_unit_test(test_conv_json_alloc_failures),
        cmocka_unit_test(test_conv_json_header),
        cmocka_unit_test(test_conv_json_plugins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
