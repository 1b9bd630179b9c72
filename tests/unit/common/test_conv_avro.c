/*
 * tests/unit/common/test_conv_avro.c: the Avro decoder of AvroConverter (conv_avro_dec.c) on byte
 * vectors written by fastavro 1.13 (the schemas and data are in the comments), what it refuses
 * (malformed bytes, hostile counts, recursive schemas), and the converter's own checks that
 * need no registry: settings, the wire format's magic byte, and an unreachable registry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conv.h"
#include "conv_avro.h"

#include "avro_vectors.inc"

/* record L: d date, tm time-millis, tu time-micros, ts timestamp-millis, tsu timestamp-micros,
 * dec bytes decimal(10,2), fx fixed F2(2), u [int, string, null] */
static const char S2[] =
    "{\"type\": \"record\", \"name\": \"L\", \"fields\": [{\"name\": \"d\", \"type\": {\"type\": "
    "\"int\", \"logicalType\": \"date\"}}, {\"name\": \"tm\", \"type\": {\"type\": \"int\", "
    "\"logicalType\": \"time-millis\"}}, {\"name\": \"tu\", \"type\": {\"type\": \"long\", "
    "\"logicalType\": \"time-micros\"}}, {\"name\": \"ts\", \"type\": {\"type\": \"long\", "
    "\"logicalType\": \"timestamp-millis\"}}, {\"name\": \"tsu\", \"type\": {\"type\": \"long\", "
    "\"logicalType\": \"timestamp-micros\"}}, {\"name\": \"dec\", \"type\": {\"type\": \"bytes\", "
    "\"logicalType\": \"decimal\", \"precision\": 10, \"scale\": 2}}, {\"name\": \"fx\", \"type\": "
    "{\"type\": \"fixed\", \"name\": \"F2\", \"size\": 2}}, {\"name\": \"u\", \"type\": [\"int\", "
    "\"string\", \"null\"]}]}";
/* d 2024-03-01, tm 01:02:03.004, tu 00:00:01.000500, ts 2024-03-01T12:00:00.123Z,
 * tsu 2024-03-01T12:00:00.123456Z, dec -12.34, fx 01 02, u "x" */
static const char D2[] = "\x8e\xb5\x02\xf8\xbb\xc6\x03\xe8\x90\x7a\xf6\xc9\x95\x9e\xbf\x63\x80"
                         "\xc9\xc9\xd8\x83\xa6\x89\x06\x04\xfb\x2e\x01\x02\x02\x02\x78";
/* the same with u 5 */
static const char D2I[] = "\x8e\xb5\x02\xf8\xbb\xc6\x03\xe8\x90\x7a\xf6\xc9\x95\x9e\xbf\x63\x80"
                          "\xc9\xc9\xd8\x83\xa6\x89\x06\x04\xfb\x2e\x01\x02\x00\x0a";

struct fx {
    struct kc_arena a;
    struct kc_buf b;
};

static int setup(void **state)
{
    static struct fx f;
    kc_arena_init(&f.a, 4096, 8u << 20);
    kc_buf_init(&f.b, 1u << 20);
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    kc_arena_fini(&f->a);
    kc_buf_fini(&f->b);
    return 0;
}

static const struct conv_avro_schema *parse(struct fx *f, const char *json)
{
    const struct conv_avro_schema *s;
    struct kc_error err;
    int rc = conv_avro_schema_parse(json, strlen(json), &f->a, &s, &err);
    if (rc != KC_OK) {
        fail_msg("parse: %s", err.msg);
    }
    return s;
}

static const char *decode_str(struct fx *f, const struct conv_avro_schema *s, const char *d,
                              size_t n)
{
    const struct cdata_value *v;
    struct kc_error err;
    int rc = conv_avro_decode(s, d, n, &f->a, &v, &err);
    if (rc != KC_OK) {
        fail_msg("decode: %s", err.msg);
    }
    kc_buf_reset(&f->b);
    assert_int_equal(cdata_to_java_string(v, &f->b), KC_OK);
    assert_int_equal(kc_buf_append_byte(&f->b, 0), KC_OK);
    return f->b.data;
}

static void test_record(void **state)
{
    struct fx *f = *state;
    const struct conv_avro_schema *s = parse(f, S1);
    const struct cdata_schema *cs = conv_avro_connect_schema(s);
    assert_int_equal(cs->type, CDATA_STRUCT);
    assert_string_equal(cs->name, "com.example.User");
    assert_int_equal(cs->n_fields, 11);
    assert_int_equal(cs->fields[8].schema->type, CDATA_STRING);
    assert_true(cs->fields[8].schema->optional);
    assert_false(cs->fields[1].schema->optional);
    assert_int_equal(cs->fields[7].schema->keys->type, CDATA_STRING);
    assert_int_equal(cs->fields[7].schema->values->type, CDATA_INT64);
    assert_int_equal(cs->fields[5].schema->type, CDATA_FLOAT32);
    assert_string_equal(cs->fields[9].schema->name, "com.example.Color");
    assert_string_equal(cdata_schema_param(cs->fields[9].schema, "io.confluent.connect.avro.Enum"),
                        "com.example.Color");
    assert_string_equal(cs->fields[10].schema->name, "com.example.Addr");
    assert_true(cs->fields[10].schema->optional);
    assert_string_equal(decode_str(f, s, D1, sizeof(D1) - 1),
                        "Struct{id=42,name=Ada,score=1.5,ok=true,big=-1234567890123,f32=0.25,"
                        "tags=[a, b],attrs={k=7},color=BLUE,addr=Struct{city=Paris}}");
    assert_string_equal(decode_str(f, s, D1B, sizeof(D1B) - 1),
                        "Struct{id=42,name=Ada,score=1.5,ok=true,big=-1234567890123,f32=0.25,"
                        "tags=[],attrs={},nick=ace,color=BLUE}");
}

static void test_logical(void **state)
{
    struct fx *f = *state;
    const struct conv_avro_schema *s = parse(f, S2);
    const struct cdata_schema *cs = conv_avro_connect_schema(s);
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_avro_decode(s, D2, sizeof(D2) - 1, &f->a, &v, &err), KC_OK);
    static const struct {
        const char *field, *logical;
        enum cdata_type t;
        int64_t i;
    } want[] = {
        {"d", CDATA_LOGICAL_DATE, CDATA_INT32, 19783},
        {"tm", CDATA_LOGICAL_TIME, CDATA_INT32, 3723004},

        {"ts", CDATA_LOGICAL_TIMESTAMP, CDATA_INT64, 1709294400123},

    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct cdata_value *x = cdata_struct_get(v, want[i].field);
        assert_non_null(x);
        assert_int_equal(x->type, want[i].t);
        assert_int_equal(x->u.i, want[i].i);
        assert_true(cdata_schema_is(x->schema, want[i].logical));
        assert_true(cdata_schema_is(cdata_schema_field(cs, want[i].field)->schema,
                                    want[i].logical));
    }
    /* the micros types stay plain INT64, as in AvroData */
    assert_int_equal(cdata_struct_get(v, "tu")->u.i, 1000500);
    assert_int_equal(cdata_struct_get(v, "tsu")->u.i, 1709294400123456);
    assert_null(cdata_schema_field(cs, "tsu")->schema->name);
    assert_int_equal(cdata_schema_field(cs, "tsu")->schema->type, CDATA_INT64);
    const struct cdata_value *dec = cdata_struct_get(v, "dec");
    assert_true(cdata_schema_is(dec->schema, CDATA_LOGICAL_DECIMAL));
    assert_string_equal(cdata_schema_param(dec->schema, "scale"), "2");
    assert_string_equal(cdata_schema_param(dec->schema, "connect.decimal.precision"), "10");
    kc_buf_reset(&f->b);
    assert_int_equal(cdata_to_java_string(dec, &f->b), KC_OK);
    assert_memory_equal(f->b.data, "-12.34", 6);
    const struct cdata_value *fx = cdata_struct_get(v, "fx");
    assert_int_equal(fx->type, CDATA_BYTES);
    assert_int_equal(fx->n, 2);
    assert_memory_equal(fx->u.s, "\x01\x02", 2);
    assert_string_equal(cdata_schema_param(fx->schema, "connect.fixed.size"), "2");
    /* [int, string, null]: Confluent's Union struct, optional, only the written branch set */
    const struct cdata_schema *us = cdata_schema_field(cs, "u")->schema;
    assert_string_equal(us->name, "io.confluent.connect.avro.Union");
    assert_true(us->optional);
    assert_int_equal(us->n_fields, 2);
    assert_string_equal(us->fields[0].name, "int");
    assert_string_equal(us->fields[1].name, "string");
    kc_buf_reset(&f->b);
    assert_int_equal(cdata_to_java_string(cdata_struct_get(v, "u"), &f->b), KC_OK);
    assert_memory_equal(f->b.data, "Struct{string=x}", 16);
    assert_int_equal(conv_avro_decode(s, D2I, sizeof(D2I) - 1, &f->a, &v, &err), KC_OK);
    kc_buf_reset(&f->b);
    assert_int_equal(cdata_to_java_string(cdata_struct_get(v, "u"), &f->b), KC_OK);
    assert_memory_equal(f->b.data, "Struct{int=5}", 13);
}

static void test_connect_props(void **state)
{
    struct fx *f = *state;
    const struct conv_avro_schema *s = parse(
        f, "{\"type\":\"record\",\"name\":\"R\",\"connect.version\":3,\"connect.name\":\"x.Y\","
           "\"connect.parameters\":{\"p\":\"q\"},\"doc\":\"about\",\"fields\":["
           "{\"name\":\"a\",\"type\":{\"type\":\"int\",\"connect.type\":\"int8\"}},"
           "{\"name\":\"b\",\"type\":{\"type\":\"int\",\"connect.type\":\"int16\"}},"
           "{\"name\":\"c\",\"type\":{\"type\":\"bytes\",\"connect.name\":"
           "\"org.apache.kafka.connect.data.Decimal\","
           "\"connect.parameters\":{\"scale\":\"3\"}}}]}");
    const struct cdata_schema *cs = conv_avro_connect_schema(s);
    assert_string_equal(cs->name, "x.Y");
    assert_int_equal(cs->version, 3);
    assert_null(cs->doc); /* the record doc is a parameter, connect.doc the Connect doc */
    assert_string_equal(cdata_schema_param(cs, "io.confluent.connect.avro.record.doc"), "about");
    assert_string_equal(cdata_schema_param(cs, "p"), "q");
    assert_int_equal(cs->fields[0].schema->type, CDATA_INT8);
    assert_int_equal(cs->fields[1].schema->type, CDATA_INT16);
    assert_true(cdata_schema_is(cs->fields[2].schema, CDATA_LOGICAL_DECIMAL));
    assert_string_equal(cdata_schema_param(cs->fields[2].schema, "scale"), "3");
    /* 255 as an Avro int becomes the byte -1 (Integer.byteValue), 70000 the short 4464 */
    assert_string_equal(decode_str(f, s, "\xfe\x03\xe0\xc5\x08\x04\x30\x39", 8),
                        "Struct{a=-1,b=4464,c=12.345}");
}

static void test_docs_defaults(void **state)
{
    struct fx *f = *state;
    const struct conv_avro_schema *s = parse(
        f, "{\"type\":\"record\",\"name\":\"R\",\"doc\":\"rec\",\"fields\":["
           "{\"name\":\"a\",\"type\":\"int\",\"doc\":\"the a\",\"default\":-2},"
           "{\"name\":\"b\",\"type\":[\"null\",\"string\"],\"default\":null},"
           "{\"name\":\"c\",\"type\":[\"string\",\"null\"],\"default\":\"dflt\"},"
           "{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"E\",\"doc\":\"ed\","
           "\"default\":\"Y\",\"symbols\":[\"X\",\"Y\"]},\"default\":\"X\"},"
           "{\"name\":\"d\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"DECIMAL\","
           "\"precision\":64,\"scale\":1}},"
           "{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"int\"}}]}");
    const struct cdata_schema *cs = conv_avro_connect_schema(s);
    assert_null(cs->doc);
    assert_string_equal(cdata_schema_param(cs, "io.confluent.connect.avro.record.doc"), "rec");
    assert_string_equal(cdata_schema_param(cs, "io.confluent.connect.avro.field.doc.a"), "the a");
    const struct cdata_schema *a = cs->fields[0].schema;
    assert_true(a->has_default);
    assert_int_equal(a->default_value->u.i, -2);
    assert_string_equal(cdata_schema_param(a, "io.confluent.connect.avro.field.default"), "true");
    assert_false(cs->fields[1].schema->has_default);
    const struct cdata_schema *b = cs->fields[1].schema;
    assert_string_equal(cdata_schema_param(b, "io.confluent.connect.avro.field.default"), "true");
    assert_string_equal(cs->fields[2].schema->default_value->u.s, "dflt");
    const struct cdata_schema *e = cs->fields[3].schema;
    assert_string_equal(e->params[0].key, "io.confluent.connect.avro.enum.doc.E");
    assert_string_equal(e->params[1].key, "io.confluent.connect.avro.enum.default.E");
    assert_string_equal(e->params[1].value, "Y");
    assert_string_equal(e->params[2].key, "io.confluent.connect.avro.Enum");
    assert_string_equal(e->default_value->u.s, "X");
    const struct conv_avro_schema *sd = parse(
        f, "{\"type\":\"record\",\"name\":\"ConnectDefault\",\"namespace\":"
           "\"io.confluent.connect.avro\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}");
    assert_null(conv_avro_connect_schema(sd)->name);
    /* precision 64 is AvroData's default and not recorded */
    assert_true(cdata_schema_is(cs->fields[4].schema, CDATA_LOGICAL_DECIMAL));
    assert_null(cdata_schema_param(cs->fields[4].schema, "connect.decimal.precision"));
    /* a map of a, b, e: AvroData's new HashMap<>(3) has 4 buckets, so it iterates a, e, b
     * (a new HashMap<>() would give a, b, e) */
    static const char d[] = "\x02\x00\x02\x00\x02\x00" /* a=1, b null, c null, e X, d 0.0 */
                            "\x06\x02" "a" "\x02\x02" "b" "\x04\x02" "e" "\x06\x00";
    assert_string_equal(decode_str(f, s, d, sizeof(d) - 1),
                        "Struct{a=1,e=X,d=0.0,m={a=1, e=3, b=2}}");
}

static void test_refused_schemas(void **state)
{
    struct fx *f = *state;
    static const char *const bad[] = {
        ("{\"type\":\"record\",\"name\":\"N\",\"fields\":"
         "[{\"name\":\"next\",\"type\":[\"null\",\"N\"]}]}"),
        "\"null\"",
        "\"Nope\"",
        ("{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},"
         "{\"name\":\"a\",\"type\":\"int\"}]}"),
        "[\"int\", \"int\"]",
        "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[]}",
        "{\"type\":\"fixed\",\"name\":\"F\",\"size\":-1}",
        "{\"type\":\"array\",\"items\":\"null\"}",
        "{\"type\":",
        "42",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct conv_avro_schema *s;
        struct kc_error err;
        assert_int_equal(conv_avro_schema_parse(bad[i], strlen(bad[i]), &f->a, &s, &err),
                         KC_EINVAL);
    }
    /* nesting past CONV_AVRO_MAX_DEPTH */
    char deep[4096] = "";
    for (int i = 0; i < 80; i++) {
        strcat(deep, "{\"type\":\"array\",\"items\":");
    }
    strcat(deep, "\"int\"");
    for (int i = 0; i < 80; i++) {
        strcat(deep, "}");
    }
    const struct conv_avro_schema *s;
    struct kc_error err;
    assert_int_equal(conv_avro_schema_parse(deep, strlen(deep), &f->a, &s, &err), KC_EINVAL);
}

static void test_malformed(void **state)
{
    struct fx *f = *state;
    const struct conv_avro_schema *s1 = parse(f, S1);
    const struct conv_avro_schema *sarr =
        parse(f, "{\"type\":\"array\",\"items\":[\"null\",{\"type\":\"record\",\"name\":\"E\","
                 "\"fields\":[]}]}");
    const struct conv_avro_schema *snull = parse(
        f, "{\"type\":\"map\",\"values\":{\"type\":\"record\",\"name\":\"E\",\"fields\":[]}}");
    const struct conv_avro_schema *sstr = parse(f, "\"string\"");
    const struct conv_avro_schema *sint = parse(f, "\"int\"");
    const struct conv_avro_schema *sen =
        parse(f, "{\"type\":\"enum\",\"name\":\"E\",\"symbols\":[\"A\"]}");
    const struct conv_avro_schema *sempty =
        parse(f, "{\"type\":\"array\",\"items\":{\"type\":\"record\",\"name\":\"E\","
                 "\"fields\":[]}}");
    static const struct {
        int schema;
        const char *d;
        size_t n;
    } bad[] = {
        {0, D1, 10},                                  /* truncated */
        {0, D1, 0},                                   /* empty */
        {3, "\x01", 1},                               /* negative string length */
        {3, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11}, /* varint too long */
        {4, "\x80\x80\x80\x80\x80\x01", 6},           /* int varint too long */
        {3, "\xfe\xff\xff\xff\x0f\x61\x62", 7},          /* length past the end */
        {1, "\xfe\xff\xff\xff\xff\xff\xff\xff\x7f", 9}, /* 2^62 null items */
        {1, "\x06\x04\x00\x00", 4},                   /* union index 2 out of range */
        {2, "\xfe\xff\xff\xff\x0f", 5},               /* map of 2^31 entries in 5 bytes */
        {5, "\x02", 1},                               /* enum index 1 of 1 symbol */
        {5, "\x01", 1},                               /* enum index -1 */
        {6, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00", 11}, /* block count INT64_MIN */
        {6, "\x80\x80\x10\x00", 4},                   /* 131072 empty records */
    };
    const struct conv_avro_schema *ss[] = {s1, sarr, snull, sstr, sint, sen, sempty};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct cdata_value *v;
        struct kc_error err;
        int rc = conv_avro_decode(ss[bad[i].schema], bad[i].d, bad[i].n, &f->a, &v, &err);
        if (rc != KC_EINVAL) {
            fail_msg("vector %zu: rc %d", i, rc);
        }
    }
    /* the cap on zero-byte items holds for the whole datum, not per list: 10 x 10000 */
    const struct conv_avro_schema *snest = parse(
        f, "{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":"
           "{\"type\":\"record\",\"name\":\"E\",\"fields\":[]}}}");
    char nest[64];
    size_t nn = 0;
    nest[nn++] = 0x14;
    for (int i = 0; i < 10; i++) {
        memcpy(nest + nn, "\xa0\x9c\x01\x00", 4);
        nn += 4;
    }
    nest[nn++] = 0;
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_avro_decode(snest, nest, nn, &f->a, &v, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "block count"));
    /* 3000 one-item blocks: linear, all kept */
    const struct conv_avro_schema *sints = parse(f, "{\"type\":\"array\",\"items\":\"int\"}");
    static char blocks[6001];
    for (int i = 0; i < 3000; i++) {
        blocks[2 * i] = 2;
        blocks[2 * i + 1] = (char)((i % 60) * 2);
    }
    blocks[6000] = 0;
    assert_int_equal(conv_avro_decode(sints, blocks, sizeof(blocks), &f->a, &v, &err), KC_OK);
    assert_int_equal(v->n, 3000);
    assert_int_equal(v->u.items[2999]->u.i, 2999 % 60);
    /* a few empty records are fine, and trailing bytes are ignored */
    assert_string_equal(decode_str(f, sempty, "\x04\x00trailing", 10), "[Struct{}, Struct{}]");
    assert_string_equal(decode_str(f, sstr, "\x04\xc3\x28", 3), "\xef\xbf\xbd(");
}

static struct conv *mk(const char *k1, const char *v1, const char *k2, const char *v2, int rc_want)
{
    struct kc_strmap *p = kc_strmap_new();
    if (k1 != NULL) {
        kc_strmap_set(p, k1, v1);
    }
    if (k2 != NULL) {
        kc_strmap_set(p, k2, v2);
    }
    struct conv *c = NULL;
    struct kc_error err;
    assert_int_equal(conv_new("AvroConverter", p, CONV_ROLE_VALUE, &c, &err), rc_want);
    if (rc_want != KC_OK) {
        assert_null(strstr(err.msg, "s3cret"));
    }
    kc_strmap_free(p);
    return c;
}

static void test_converter(void **state)
{
    struct fx *f = *state;
    assert_true(conv_class_supported("io.confluent.connect.avro.AvroConverter", 0));
    mk(NULL, NULL, NULL, NULL, KC_EINVAL);
    mk("schema.registry.url", "ftp://x", NULL, NULL, KC_EINVAL);
    mk("schema.registry.url", "http://127.0.0.1:1", "basic.auth.credentials.source",
       "SASL_INHERIT", KC_EINVAL);
    mk("schema.registry.url", "http://127.0.0.1:1", "basic.auth.credentials.source", "USER_INFO",
       KC_EINVAL);
    mk("basic.auth.credentials.source", "USER_INFO", "basic.auth.user.info", "s3cret", KC_EINVAL);
    mk("schema.registry.url", "https://127.0.0.1:1", "schema.registry.ssl.truststore.location",
       "/nonexistent/truststore.jks", KC_EINVAL);
    /* port 1 on loopback: connection refused, a real failure without a registry */
    struct conv *c = mk("schema.registry.url", " http://u:s3cret@127.0.0.1:1/ , http://127.0.0.1:1",
                        NULL, NULL, KC_OK);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    assert_int_equal(conv_to_connect(c, "t", NULL, 0, &f->a, &s, &v, &err), KC_OK);
    assert_null(s);
    assert_null(v);
    assert_int_equal(conv_to_connect(c, "t", "\x01\x00\x00\x00\x01\x02", 6, &f->a, &s, &v, &err),
                     KC_EINVAL);
    static const char jmsg[] = "Failed to deserialize data for topic t to Avro: ";
    assert_memory_equal(err.msg, jmsg, strlen(jmsg));
    assert_string_equal(err.msg + strlen(jmsg), "Unknown magic byte!");
    assert_string_equal(conv_error_class(c), CONV_DATA_EXCEPTION);
    assert_int_equal(conv_error_java_len(c), strlen(jmsg));
    assert_int_equal(conv_to_connect(c, "t", "\x00\x00\x01", 3, &f->a, &s, &v, &err), KC_EINVAL);
    assert_int_equal(conv_to_connect(c, "t", "\x00\x00\x00\x00\x07\x02", 6, &f->a, &s, &v, &err),
                     KC_EINVAL);
    assert_non_null(strstr(err.msg, "Error retrieving Avro value schema for id 7"));
    assert_null(strstr(err.msg, "s3cret"));
    conv_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connect_props, setup, teardown),
        cmocka_unit_test_setup_teardown(test_docs_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_schemas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_converter, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
