/*
 * tests/unit/common/test_json_java.c: json_java_dump prints what json_dumps(JSON_COMPACT |
 * JSON_ENCODE_ANY) prints for every value but a real, and a real as Java's Double.toString
 * (what Jackson writes for the JVM connectors' JSON output). json_java_cdata prints a Connect
 * value as JsonConverter (schemas.enable=false) does: bytes and Decimals in base64, floats as
 * Float.toString, maps in HashMap order or as [key, value] pairs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cdata.h"
#include "json_java.h"
#include "kc_alloc.h"
#include "kc_arena.h"

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

static char *cdump(const struct cdata_value *v, int numeric)
{
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(json_java_cdata(v, numeric, &b), KC_OK);
    size_t n;
    char *s = kc_buf_take(&b, &n);
    assert_int_equal(strlen(s), n);
    return s;
}

static void check_cdata(const struct cdata_value *v, int numeric, const char *want)
{
    char *got = cdump(v, numeric);
    assert_string_equal(got, want);
    json_t *back = json_loads(got, JSON_DECODE_ANY, NULL);
    assert_non_null(back); /* always valid JSON */
    json_decref(back);
    kc_free(got);
}

static struct cdata_value *decimal(struct kc_arena *a, const struct cdata_schema *ds,
                                   const char *unscaled, size_t n)
{
    struct cdata_value *v = cdata_bytes(a, unscaled, n);
    v->schema = ds;
    return v;
}

/* The expected lines are what connect-json 4.1.0's JsonConverter (schemas.enable=false) and
 * Jackson 2.19's ObjectMapper print for the same Java values. */
static void test_cdata_as_json_converter(void **state)
{
    (void)state;
    struct kc_arena a;
    kc_arena_init(&a, 4096, 1 << 20);
    /* scalars print alike either way */
    check_cdata(NULL, 0, "null");
    check_cdata(cdata_int(&a, CDATA_INT64, INT64_MIN), 0, "-9223372036854775808");
    check_cdata(cdata_bool(&a, 1), 0, "true");
    check_cdata(cdata_string(&a, "a\"\n\x01", 4), 0, "\"a\\\"\\n\\u0001\"");
    /* bytes: base64 (Jackson's default variant), not the raw bytes */
    check_cdata(cdata_bytes(&a, "\x00\xff" "a", 3), 0, "\"AP9h\"");
    check_cdata(cdata_bytes(&a, "hi", 2), 0, "\"aGk=\"");
    check_cdata(cdata_bytes(&a, "h", 1), 0, "\"aA==\"");
    check_cdata(cdata_bytes(&a, "", 0), 0, "\"\"");
    /* floats: Float.toString for FLOAT32 (not the widened double), Double.toString for
     * FLOAT64, NaN and the infinities quoted */
    check_cdata(cdata_float(&a, CDATA_FLOAT32, (float)0.1), 0, "0.1");
    check_cdata(cdata_float(&a, CDATA_FLOAT64, (float)0.1), 0, "0.10000000149011612");
    check_cdata(cdata_float(&a, CDATA_FLOAT32, 1e10f), 0, "1.0E10");
    check_cdata(cdata_float(&a, CDATA_FLOAT64, 0.0 / 0.0), 0, "\"NaN\"");
    check_cdata(cdata_float(&a, CDATA_FLOAT64, -1.0 / 0.0), 0, "\"-Infinity\"");

    struct cdata_param p2 = {"scale", "2"}, pm2 = {"scale", "-2"};
    struct cdata_schema d2 = {.type = CDATA_BYTES, .name = CDATA_LOGICAL_DECIMAL, .params = &p2,
                              .n_params = 1};
    struct cdata_schema dm2 = d2;
    dm2.params = &pm2;
    struct cdata_schema date = {.type = CDATA_INT32, .name = CDATA_LOGICAL_DATE};
    struct cdata_value *dv = cdata_int(&a, CDATA_INT32, 19000);
    dv->schema = &date;
    const struct cdata_value **k, **v;
    struct cdata_value *im = cdata_map(&a, 2, &k, &v);
    k[0] = cdata_int(&a, CDATA_INT32, 2);
    v[0] = cdata_string(&a, "x", 1);
    k[1] = cdata_int(&a, CDATA_INT32, 1);
    v[1] = NULL;
    struct cdata_schema ms = {.type = CDATA_MAP, .keys = &cdata_schema_int32,
                              .values = &cdata_schema_int32};
    struct cdata_value *em = cdata_map(&a, 0, &k, &v);
    em->schema = &ms;

    /* not a Struct: Jackson's writeObject (Confluent's JsonFormat for any other value): map
     * keys as their toString, a Decimal as a number, a Date as epoch milliseconds */
    check_cdata(decimal(&a, &d2, "\x30\x39", 2), 0, "123.45");
    check_cdata(dv, 0, "1641600000000");
    check_cdata(im, 0, "{\"1\":null,\"2\":\"x\"}");
    check_cdata(em, 0, "{}");
    /* string keys: HashMap order ("a" hashes to bucket 1, "b" to 2), or insertion order for a
     * LinkedHashMap */
    struct cdata_value *m = cdata_map(&a, 2, &k, &v);
    k[0] = cdata_string(&a, "b", 1);
    v[0] = cdata_int(&a, CDATA_INT32, 1);
    k[1] = cdata_string(&a, "a", 1);
    v[1] = cdata_bytes(&a, "hi", 2);
    check_cdata(m, 0, "{\"a\":\"aGk=\",\"b\":1}");
    m->schema = &cdata_schema_linked_map;
    check_cdata(m, 0, "{\"b\":1,\"a\":\"aGk=\"}");
    m->schema = NULL;
    const struct cdata_value **items;
    struct cdata_value *list = cdata_array(&a, 4, &items);
    items[0] = cdata_float(&a, CDATA_FLOAT64, 1000.0);
    items[1] = cdata_bytes(&a, "hi", 2);
    items[2] = NULL;
    items[3] = cdata_float(&a, CDATA_FLOAT32, (float)0.1);
    check_cdata(list, 0, "[1000.0,\"aGk=\",null,0.1]");

    /* a Struct: JsonConverter.fromConnectData. Decimals in base64 of BigInteger.toByteArray
     * (padding sign bytes dropped, zero as 00) or as numbers; int-keyed maps as [key, value]
     * pairs; a Date as its days; a null field with a default as the default */
    struct cdata_value *dflt_v = cdata_int(&a, CDATA_INT32, 5);
    struct cdata_schema dflt = {.type = CDATA_INT32, .optional = 1, .default_value = dflt_v,
                                .has_default = 1};
    struct cdata_field fields[] = {
        {"dec", 0, &d2},    {"negdec", 1, &d2}, {"padded", 2, &d2},  {"zero", 3, &d2},
        {"bigdec", 4, &dm2}, {"im", 5, NULL},    {"em", 6, &ms},      {"date", 7, &date},
        {"dflt", 8, &dflt}};
    struct cdata_schema ss = {.type = CDATA_STRUCT, .fields = fields, .n_fields = 9};
    const struct cdata_value **f;
    struct cdata_value *st = cdata_struct(&a, &ss, &f);
    f[0] = decimal(&a, &d2, "\x30\x39", 2);
    f[1] = decimal(&a, &d2, "\xff", 1);
    f[2] = decimal(&a, &d2, "\x00\x00\x30\x39", 4);
    f[3] = decimal(&a, &d2, "", 0);
    f[4] = decimal(&a, &dm2, "\x0c", 1);
    f[5] = im;
    f[6] = em;
    f[7] = dv;
    f[8] = NULL;
    check_cdata(st, 0,
                "{\"dec\":\"MDk=\",\"negdec\":\"/w==\",\"padded\":\"MDk=\",\"zero\":\"AA==\","
                "\"bigdec\":\"DA==\",\"im\":[[1,null],[2,\"x\"]],\"em\":[],\"date\":19000,"
                "\"dflt\":5}");
    check_cdata(st, 1,
                "{\"dec\":123.45,\"negdec\":-0.01,\"padded\":123.45,\"zero\":0.00,"
                "\"bigdec\":1.2E+3,\"im\":[[1,null],[2,\"x\"]],\"em\":[],\"date\":19000,"
                "\"dflt\":5}");

    /* refused: text that is not UTF-8, a null key where keys are strings, a Struct inside a
     * list (Jackson has no serializer for it) */
    struct kc_buf b;
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(json_java_cdata(cdata_string(&a, "\xff", 1), 0, &b), KC_EINVAL);
    struct cdata_value *nk = cdata_map(&a, 2, &k, &v);
    k[0] = cdata_string(&a, "x", 1);
    v[0] = NULL;
    k[1] = NULL;
    v[1] = NULL;
    kc_buf_reset(&b);
    assert_int_equal(json_java_cdata(nk, 0, &b), KC_EINVAL);
    items[1] = st;
    kc_buf_reset(&b);
    assert_int_equal(json_java_cdata(list, 0, &b), KC_EINVAL);
    kc_buf_fini(&b);
    kc_arena_fini(&a);
}

/* Schemaless JSON as the JVM's S3 sink writes it: the lines below are what JsonConverter
 * (schemas.enable=false, connect-json 4.1.0) and Jackson's ObjectMapper made of the inputs. */
static void test_jvm_hashmap_order(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"{\"user_id\":1867826,\"event_type\":\"click\",\"timestamp\":1700000000005,\"session_id\":\"23b8c1e9-3924-46de-beb1-3b9046685257\",\"device\":\"ios\",\"value\":6767.0,\"seq\":0,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
         "{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"event_type\":\"click\",\"user_id\":1867826,\"session_id\":\"23b8c1e9-3924-46de-beb1-3b9046685257\",\"device\":\"ios\",\"value\":6767.0,\"seq\":0,\"timestamp\":1700000000005}"},
        {"{\"user_id\":9906821,\"event_type\":\"scroll\",\"timestamp\":1700000000007,\"session_id\":\"3b8faa18-37f8-488b-97fc-695a07a0ca6e\",\"device\":\"ios\",\"value\":5612.4506,\"seq\":1,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
         "{\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\",\"event_type\":\"scroll\",\"user_id\":9906821,\"session_id\":\"3b8faa18-37f8-488b-97fc-695a07a0ca6e\",\"device\":\"ios\",\"value\":5612.4506,\"seq\":1,\"timestamp\":1700000000007}"},
        {"{\"device_id\":\"d1\",\"device_type\":\"thermo\",\"timestamp\":1700000000000,\"location\":{\"lat\":1.5,\"lon\":-2.25,\"zone\":\"z\"},\"value\":21.5,\"unit\":\"C\",\"battery_level\":88,\"signal_strength\":-70,\"metadata\":{\"fw\":\"1.2\",\"tags\":[\"a\",\"b\"],\"é\":1,\"😀\":2}}",
         "{\"unit\":\"C\",\"metadata\":{\"fw\":\"1.2\",\"😀\":2,\"é\":1,\"tags\":[\"a\",\"b\"]},\"device_id\":\"d1\",\"battery_level\":88,\"device_type\":\"thermo\",\"location\":{\"zone\":\"z\",\"lon\":-2.25,\"lat\":1.5},\"signal_strength\":-70,\"value\":21.5,\"timestamp\":1700000000000}"},
        {"{\"a1\":1,\"a2\":2,\"a3\":3,\"a4\":4,\"a5\":5,\"a6\":6,\"a7\":7,\"a8\":8,\"a9\":9,\"a10\":10,\"a11\":11,\"a12\":12,\"a13\":13,\"a14\":14,\"a15\":15}",
         "{\"a11\":11,\"a10\":10,\"a13\":13,\"a12\":12,\"a15\":15,\"a14\":14,\"a1\":1,\"a2\":2,\"a3\":3,\"a4\":4,\"a5\":5,\"a6\":6,\"a7\":7,\"a8\":8,\"a9\":9}"},
        {"{\"x\":1e2,\"y\":1.0,\"z\":-0.0,\"w\":12345678901234567,\"v\":1.5e-7,\"n\":null,\"t\":true,\"s\":\"q\\\"\\n\"}",
         "{\"s\":\"q\\\"\\n\",\"t\":true,\"v\":1.5E-7,\"w\":12345678901234567,\"x\":100.0,\"y\":1.0,\"z\":0.0,\"n\":null}"},
        {"[{\"b\":1,\"a\":2},3]",
         "[{\"a\":2,\"b\":1},3]"},
        {"\"just text\"",
         "\"just text\""},
        {"12",
         "12"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = json_loads(cases[i][0], JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        struct kc_buf b;
        kc_buf_init(&b, 1 << 20);
        assert_int_equal(json_java_dump_jvm(v, &b), KC_OK);
        json_decref(v);
        if (strcmp(b.data, cases[i][1]) != 0) {
            fail_msg("case %zu: got %s want %s", i, b.data, cases[i][1]);
        }
        kc_buf_fini(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_jansson_without_reals),
        cmocka_unit_test(test_reals_as_java),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_cdata_as_json_converter),
        cmocka_unit_test(test_jvm_hashmap_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
