/*
 * tests/unit/common/test_avro_enc.c: Connect to Avro (avro_enc.c). The round trip Avro ->
 * Connect (our decoder) -> Avro gives back fastavro's own bytes; schemas built by hand give the
 * JSON Confluent's AvroData prints for them (optional unions and their order, defaults, names
 * of unnamed structs, a struct met twice, fixed, the Union struct, Anything); values that do not
 * fit are refused without touching the output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "avro_enc.h"
#include "conv_avro.h"

#include "avro_vectors.inc" /* S1, D1, D1B */

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

static struct avro_enc *compile(const struct cdata_schema *s)
{
    struct avro_enc *e = NULL;
    struct kc_error err;
    int rc = avro_enc_new(s, &e, &err);
    if (rc != KC_OK) {
        fail_msg("avro_enc_new: %s", err.msg);
    }
    return e;
}

static void test_round_trip_gives_fastavros_bytes(void **state)
{
    struct fx *f = *state;
    const struct conv_avro_schema *s;
    struct kc_error err;
    assert_int_equal(conv_avro_schema_parse(S1, strlen(S1), &f->a, &s, &err), KC_OK);
    struct avro_enc *e = compile(conv_avro_connect_schema(s));
    assert_string_equal(
        avro_enc_schema_json(e, NULL),
        "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"com.example\",\"fields\":["
        "{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"name\",\"type\":\"string\"},"
        "{\"name\":\"score\",\"type\":\"double\"},{\"name\":\"ok\",\"type\":\"boolean\"},"
        "{\"name\":\"big\",\"type\":\"long\"},{\"name\":\"f32\",\"type\":\"float\"},"
        "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
        "{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},"
        "{\"name\":\"nick\",\"type\":[\"null\",\"string\"],\"default\":null},"
        "{\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":"
        "[\"RED\",\"GREEN\",\"BLUE\"],\"connect.parameters\":{\"io.confluent.connect.avro.Enum\":"
        "\"com.example.Color\",\"io.confluent.connect.avro.Enum.RED\":\"RED\","
        "\"io.confluent.connect.avro.Enum.GREEN\":\"GREEN\",\"io.confluent.connect.avro.Enum.BLUE"
        "\":\"BLUE\"},\"connect.name\":\"com.example.Color\"}},"
        "{\"name\":\"addr\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Addr\",\"fields\":"
        "[{\"name\":\"city\",\"type\":\"string\"}],\"connect.name\":\"com.example.Addr\"}],"
        "\"default\":null}],\"connect.name\":\"com.example.User\"}");
    const char *const data[] = {D1, D1B};
    const size_t len[] = {sizeof(D1) - 1, sizeof(D1B) - 1};
    for (int i = 0; i < 2; i++) {
        const struct cdata_value *v;
        assert_int_equal(conv_avro_decode(s, data[i], len[i], &f->a, &v, &err), KC_OK);
        kc_buf_reset(&f->b);
        assert_int_equal(avro_enc_write(e, v, &f->b, &err), KC_OK);
        assert_int_equal(f->b.len, len[i]);
        assert_memory_equal(f->b.data, data[i], len[i]);
    }
    avro_enc_free(e);
}

static const struct cdata_schema I32 = {.type = CDATA_INT32};
static const struct cdata_schema STR = {.type = CDATA_STRING};
static const struct cdata_schema OPT_STR = {.type = CDATA_STRING, .optional = 1};

/* struct {a: int} (unnamed unless name) */
static const struct cdata_field FX[] = {{"x", 0, &I32}};
static const struct cdata_field FY[] = {{"y", 0, &I32}};
static const struct cdata_schema SX = {.type = CDATA_STRUCT, .fields = FX, .n_fields = 1};
static const struct cdata_schema SY = {.type = CDATA_STRUCT, .fields = FY, .n_fields = 1};
static const struct cdata_schema SX_OPT = {
    .type = CDATA_STRUCT, .optional = 1, .fields = FX, .n_fields = 1};

static void test_unnamed_structs_and_a_struct_met_again(void **state)
{
    (void)state;
    /* AvroData: ConnectDefault for the top, 2 and 3 in the order met; the optional copy of the
     * first nested one is the same record, by name */
    const struct cdata_field top_f[] = {{"a", 0, &SX}, {"b", 1, &SY}, {"c", 2, &SX_OPT}};
    const struct cdata_schema top = {.type = CDATA_STRUCT, .fields = top_f, .n_fields = 3};
    struct avro_enc *e = compile(&top);
    assert_string_equal(
        avro_enc_schema_json(e, NULL),
        "{\"type\":\"record\",\"name\":\"ConnectDefault\",\"namespace\":"
        "\"io.confluent.connect.avro\",\"fields\":["
        "{\"name\":\"a\",\"type\":{\"type\":\"record\",\"name\":\"ConnectDefault2\",\"fields\":"
        "[{\"name\":\"x\",\"type\":\"int\"}]}},"
        "{\"name\":\"b\",\"type\":{\"type\":\"record\",\"name\":\"ConnectDefault3\",\"fields\":"
        "[{\"name\":\"y\",\"type\":\"int\"}]}},"
        "{\"name\":\"c\",\"type\":[\"null\",\"ConnectDefault2\"],\"default\":null}]}");
    avro_enc_free(e);
}

static void test_optional_with_default_puts_null_second(void **state)
{
    struct fx *f = *state;
    const struct cdata_value *five = cdata_int(&f->a, CDATA_INT32, 5);
    const struct cdata_schema opt5 = {
        .type = CDATA_INT32, .optional = 1, .default_value = five, .has_default = 1};
    const struct cdata_field fl[] = {{"n", 0, &opt5}, {"s", 1, &OPT_STR}};
    const struct cdata_schema rec = {.type = CDATA_STRUCT, .name = "r", .fields = fl,
                                     .n_fields = 2};
    struct avro_enc *e = compile(&rec);
    assert_string_equal(avro_enc_schema_json(e, NULL),
                        "{\"type\":\"record\",\"name\":\"r\",\"fields\":["
                        "{\"name\":\"n\",\"type\":[{\"type\":\"int\",\"connect.default\":5},"
                        "\"null\"],\"default\":5},"
                        "{\"name\":\"s\",\"type\":[\"null\",\"string\"],\"default\":null}],"
                        "\"connect.name\":\"r\"}");
    /* {n: 7, s: null}: branch 0 then 7, branch 0 (null); {n: null, s: "x"}: n's default 5
     * (Struct.get gives it for a null), then 1 "x" */
    const struct cdata_value *items1[] = {cdata_int(&f->a, CDATA_INT32, 7), NULL};
    const struct cdata_value *items2[] = {NULL, cdata_string(&f->a, "x", 1)};
    const struct cdata_value v1 = {.type = CDATA_STRUCT, .n = 2, .schema = &rec,
                                   .u.items = items1};
    const struct cdata_value v2 = {.type = CDATA_STRUCT, .n = 2, .schema = &rec,
                                   .u.items = items2};
    struct kc_error err;
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, &v1, &f->b, &err), KC_OK);
    assert_int_equal(avro_enc_write(e, &v2, &f->b, &err), KC_OK);
    assert_int_equal(f->b.len, 8);
    assert_memory_equal(f->b.data, "\x00\x0e\x00\x00\x0a\x02\x02x", 8);
    avro_enc_free(e);

    /* a required field with a default, null in the value: the default (7); without one: an
     * error (AvroData's checked against the jars by a review) */
    const struct cdata_value *seven = cdata_int(&f->a, CDATA_INT32, 7);
    const struct cdata_schema req7 = {.type = CDATA_INT32, .default_value = seven,
                                      .has_default = 1};
    const struct cdata_field fq[] = {{"q", 0, &req7}, {"r", 1, &I32}};
    const struct cdata_schema rq = {.type = CDATA_STRUCT, .name = "rq", .fields = fq,
                                    .n_fields = 2};
    e = compile(&rq);
    const struct cdata_value *qi[] = {NULL, cdata_int(&f->a, CDATA_INT32, 1)};
    const struct cdata_value qv = {.type = CDATA_STRUCT, .n = 2, .schema = &rq, .u.items = qi};
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, &qv, &f->b, &err), KC_OK);
    assert_int_equal(f->b.len, 2);
    assert_memory_equal(f->b.data, "\x0e\x02", 2);
    const struct cdata_value *ri[] = {seven, NULL};
    const struct cdata_value rv = {.type = CDATA_STRUCT, .n = 2, .schema = &rq, .u.items = ri};
    assert_int_equal(avro_enc_write(e, &rv, &f->b, &err), KC_EINVAL);
    assert_int_equal(f->b.len, 2);
    avro_enc_free(e);
}

/* What a review of AvroData's jars found: an unnamed fixed is bytes, an equal unnamed enum is
 * not numbered twice, two equal non-string-key maps differing only in doc share MapEntry, the
 * enum's symbols outlive the Connect schema, text that is not UTF-8 blames the record, an
 * unpaired surrogate in a string is '?', schemas past the nesting limit are refused. */
static void test_review_cases(void **state)
{
    struct fx *f = *state;
    struct kc_error err;
    const struct cdata_param fsz[] = {{"connect.fixed.size", "2"}};
    const struct cdata_schema ufixed = {.type = CDATA_BYTES, .params = fsz, .n_params = 1};
    const struct cdata_field uf[] = {{"f", 0, &ufixed}, {"c", 1, &SX}};
    const struct cdata_schema r1 = {.type = CDATA_STRUCT, .name = "r.R", .fields = uf,
                                    .n_fields = 2};
    struct avro_enc *e = compile(&r1);
    assert_string_equal(avro_enc_schema_json(e, NULL),
                        "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"r\",\"fields\":["
                        "{\"name\":\"f\",\"type\":{\"type\":\"bytes\",\"connect.parameters\":"
                        "{\"connect.fixed.size\":\"2\"}}},"
                        "{\"name\":\"c\",\"type\":{\"type\":\"record\",\"name\":"
                        "\"ConnectDefault\",\"namespace\":\"io.confluent.connect.avro\","
                        "\"fields\":[{\"name\":\"x\",\"type\":\"int\"}]}}],"
                        "\"connect.name\":\"r.R\"}");
    avro_enc_free(e);

    /* two equal unnamed enums, then an unnamed struct: ConnectDefault2 (AvroData) */
    struct kc_arena sa;
    kc_arena_init(&sa, 4096, 1 << 20);
    struct cdata_param *ep = kc_arena_alloc(&sa, 3 * sizeof(*ep));
    ep[0] = (struct cdata_param){kc_arena_strndup(&sa, "io.confluent.connect.avro.Enum", 30),
                                 kc_arena_strndup(&sa, "e.Color", 7)};
    ep[1] = (struct cdata_param){kc_arena_strndup(&sa, "io.confluent.connect.avro.Enum.RED", 34),
                                 kc_arena_strndup(&sa, "RED", 3)};
    ep[2] = (struct cdata_param){kc_arena_strndup(&sa, "io.confluent.connect.avro.Enum.BLUE", 35),
                                 kc_arena_strndup(&sa, "BLUE", 4)};
    struct cdata_schema *en = kc_arena_calloc(&sa, sizeof(*en));
    en->type = CDATA_STRING;
    en->params = ep;
    en->n_params = 3;
    const struct cdata_field ef[] = {{"e1", 0, en}, {"e2", 1, en}, {"c", 2, &SX}};
    const struct cdata_schema r2 = {.type = CDATA_STRUCT, .name = "r2", .fields = ef,
                                    .n_fields = 3};
    e = compile(&r2);
    const char *j = avro_enc_schema_json(e, NULL);
    assert_non_null(strstr(j, "{\"name\":\"e2\",\"type\":\"e.Color\"}"));
    assert_non_null(strstr(j, "\"name\":\"ConnectDefault2\""));
    assert_null(strstr(j, "ConnectDefault3"));
    kc_arena_fini(&sa); /* the Connect schema is gone; the encoder still knows BLUE */
    const struct cdata_value *xi[] = {cdata_int(&f->a, CDATA_INT32, 1)};
    const struct cdata_value cx = {.type = CDATA_STRUCT, .n = 1, .schema = &SX, .u.items = xi};
    const struct cdata_value *items[] = {cdata_string(&f->a, "BLUE", 4),
                                         cdata_string(&f->a, "RED", 3), &cx};
    const struct cdata_value v2 = {.type = CDATA_STRUCT, .n = 3, .schema = &r2, .u.items = items};
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, &v2, &f->b, &err), KC_OK);
    assert_int_equal(f->b.len, 3);
    assert_memory_equal(f->b.data, "\x02\x00\x02", 3);
    avro_enc_free(e);
}

static void test_fixed_union_and_redefinition(void **state)
{
    struct fx *f = *state;
    const struct cdata_param fp[] = {{"connect.fixed.size", "2"}};
    const struct cdata_schema fixed = {.type = CDATA_BYTES, .name = "a.F2", .params = fp,
                                       .n_params = 1};
    /* io.confluent.connect.avro.Union: one branch per field, optional fields, no null */
    const struct cdata_schema opt_i32 = {.type = CDATA_INT32, .optional = 1};
    const struct cdata_field uf[] = {{"int", 0, &opt_i32}, {"string", 1, &OPT_STR}};
    const struct cdata_schema u = {.type = CDATA_STRUCT, .name = "io.confluent.connect.avro.Union",
                                   .fields = uf, .n_fields = 2};
    const struct cdata_field fl[] = {{"f", 0, &fixed}, {"u", 1, &u}};
    const struct cdata_schema rec = {.type = CDATA_STRUCT, .name = "a.R", .fields = fl,
                                     .n_fields = 2};
    struct avro_enc *e = compile(&rec);
    assert_string_equal(avro_enc_schema_json(e, NULL),
                        "{\"type\":\"record\",\"name\":\"R\",\"namespace\":\"a\",\"fields\":["
                        "{\"name\":\"f\",\"type\":{\"type\":\"fixed\",\"name\":\"F2\",\"size\":2,"
                        "\"connect.parameters\":{\"connect.fixed.size\":\"2\"},"
                        "\"connect.name\":\"a.F2\"}},"
                        "{\"name\":\"u\",\"type\":[\"int\",\"string\"]}],"
                        "\"connect.name\":\"a.R\"}");
    const struct cdata_value *ub[] = {NULL, cdata_string(&f->a, "hi", 2)};
    const struct cdata_value uv = {.type = CDATA_STRUCT, .n = 2, .schema = &u, .u.items = ub};
    const struct cdata_value *items[] = {cdata_bytes(&f->a, "\x01\x02", 2), &uv};
    const struct cdata_value v = {.type = CDATA_STRUCT, .n = 2, .schema = &rec,
                                  .u.items = items};
    struct kc_error err;
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, &v, &f->b, &err), KC_OK);
    assert_int_equal(f->b.len, 6); /* 01 02, branch 1, "hi" */
    assert_memory_equal(f->b.data, "\x01\x02\x02\x04hi", 6);
    /* a fixed of the wrong size is refused and the output is left as it was */
    const struct cdata_value *bad_items[] = {cdata_bytes(&f->a, "\x01", 1), &uv};
    const struct cdata_value bad = {.type = CDATA_STRUCT, .n = 2, .schema = &rec,
                                    .u.items = bad_items};
    assert_int_equal(avro_enc_write(e, &bad, &f->b, &err), KC_EINVAL);
    assert_int_equal(f->b.len, 6);
    avro_enc_free(e);

    /* two different structs with one name: Avro's "Can't redefine" */
    const struct cdata_schema r1 = {.type = CDATA_STRUCT, .name = "x.Y", .fields = FX,
                                    .n_fields = 1};
    const struct cdata_schema r2 = {.type = CDATA_STRUCT, .name = "x.Y", .fields = FY,
                                    .n_fields = 1};
    const struct cdata_field two[] = {{"p", 0, &r1}, {"q", 1, &r2}};
    const struct cdata_schema top = {.type = CDATA_STRUCT, .fields = two, .n_fields = 2};
    struct avro_enc *bad_e = NULL;
    assert_int_equal(avro_enc_new(&top, &bad_e, &err), KC_EINVAL);
    assert_null(bad_e);
    assert_string_equal(err.msg, "Can't redefine: x.Y");
    /* the same inside a named struct inside an array: nothing of the JSON built so far leaks
     * (the ASan build runs this) */
    const struct cdata_schema mid = {.type = CDATA_STRUCT, .name = "x.Mid", .fields = two,
                                     .n_fields = 2};
    const struct cdata_schema arr = {.type = CDATA_ARRAY, .items = &mid};
    const struct cdata_field of[] = {{"a", 0, &arr}};
    const struct cdata_schema outer = {.type = CDATA_STRUCT, .name = "O", .fields = of,
                                       .n_fields = 1};
    assert_int_equal(avro_enc_new(&outer, &bad_e, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Can't redefine: x.Y");
}

static void test_schemaless_anything_and_type_errors(void **state)
{
    struct fx *f = *state;
    struct avro_enc *e = compile(NULL);
    assert_non_null(strstr(avro_enc_schema_json(e, NULL), "\"name\":\"Anything\""));
    /* [1, null]: the array field (branch 1) holding Anything{long 1} and an all-null Anything */
    const struct cdata_value *items[] = {cdata_int(&f->a, CDATA_INT64, 1), NULL};
    const struct cdata_value arr = {.type = CDATA_ARRAY, .n = 2, .u.items = items};
    struct kc_error err;
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, &arr, &f->b, &err), KC_OK);
    static const char want[] = "\x00\x00\x00\x00\x00\x00\x00" /* 7 nulls */
                               "\x02\x04"                     /* array, 2 items */
                               "\x00\x00\x00\x00\x00\x02\x02\x00\x00\x00" /* long 1 */
                               "\x00\x00\x00\x00\x00\x00\x00\x00\x00"     /* null */
                               "\x00"                                     /* end */
                               "\x00";                                    /* map null */
    assert_int_equal(f->b.len, sizeof(want) - 1);
    assert_memory_equal(f->b.data, want, sizeof(want) - 1);
    avro_enc_free(e);

    /* an INT32 schema handed a string: AvroData's message, nothing written */
    e = compile(&I32);
    assert_string_equal(avro_enc_schema_json(e, NULL), "\"int\"");
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, cdata_string(&f->a, "7", 1), &f->b, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Invalid type for INT32: class java.lang.String");
    assert_int_equal(avro_enc_write(e, NULL, &f->b, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Found null value for non-optional schema");
    assert_int_equal(f->b.len, 0);
    avro_enc_free(e);
}

static void test_nesting_limit(void **state)
{
    struct fx *f = *state;
    struct cdata_schema arr[AVRO_ENC_MAX_DEPTH + 3];
    arr[0] = STR;
    for (int i = 1; i < AVRO_ENC_MAX_DEPTH + 3; i++) {
        memset(&arr[i], 0, sizeof(arr[i]));
        arr[i].type = CDATA_ARRAY;
        arr[i].items = &arr[i - 1];
    }
    struct avro_enc *e = NULL;
    struct kc_error err;
    assert_int_equal(avro_enc_new(&arr[AVRO_ENC_MAX_DEPTH + 2], &e, &err), KC_EINVAL);
    assert_null(e);
    e = compile(&arr[AVRO_ENC_MAX_DEPTH - 1]);
    avro_enc_free(e);

    /* map<int32, string> twice, the second with a doc: one MapEntry, by name the second time */
    const struct cdata_schema m1 = {.type = CDATA_MAP, .keys = &I32, .values = &STR};
    const struct cdata_schema m2 = {.type = CDATA_MAP, .doc = "d", .keys = &I32, .values = &STR};
    const struct cdata_field mf[] = {{"m1", 0, &m1}, {"m2", 1, &m2}};
    const struct cdata_schema r3 = {.type = CDATA_STRUCT, .name = "r3", .fields = mf,
                                    .n_fields = 2};
    e = compile(&r3);
    assert_non_null(strstr(avro_enc_schema_json(e, NULL),
                           "{\"name\":\"m2\",\"type\":{\"type\":\"array\",\"items\":"
                           "\"io.confluent.connect.avro.MapEntry\",\"connect.doc\":\"d\"}}"));
    avro_enc_free(e);

    /* a field name that is not UTF-8 (a lone surrogate): the record's fault, not memory */
    const struct cdata_field bad_f[] = {{"a\xed\xa0\x80", 0, &I32}};
    const struct cdata_schema r4 = {.type = CDATA_STRUCT, .name = "r4", .fields = bad_f,
                                    .n_fields = 1};
    e = NULL;
    assert_int_equal(avro_enc_new(&r4, &e, &err), KC_EINVAL);
    assert_null(e);

    /* a string holding an unpaired surrogate: '?' as Java's getBytes(UTF_8) */
    e = compile(&STR);
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, cdata_string(&f->a, "a\xed\xa0\x80" "b", 5), &f->b, &err),
                     KC_OK);
    assert_int_equal(f->b.len, 4);
    assert_memory_equal(f->b.data, "\x06" "a?b", 4);
    avro_enc_free(e);

    /* an optional struct with a default: [null, record], so Avro would call the default
     * invalid: left out of the schema (AvroData 7.0.10+), still written for a null value */
    const struct cdata_value *zi[] = {NULL};
    const struct cdata_value *nine = cdata_int(&f->a, CDATA_INT32, 9);
    const struct cdata_schema z9 = {.type = CDATA_INT32, .optional = 1, .default_value = nine,
                                    .has_default = 1};
    const struct cdata_field zf[] = {{"z", 0, &z9}};
    const struct cdata_schema zs = {.type = CDATA_STRUCT, .name = "Z", .fields = zf,
                                    .n_fields = 1};
    const struct cdata_value zdef = {.type = CDATA_STRUCT, .n = 1, .schema = &zs, .u.items = zi};
    const struct cdata_schema zopt = {.type = CDATA_STRUCT, .name = "Z", .optional = 1,
                                      .fields = zf, .n_fields = 1, .default_value = &zdef,
                                      .has_default = 1};
    const struct cdata_schema zreq = {.type = CDATA_STRUCT, .name = "Z", .fields = zf,
                                      .n_fields = 1, .default_value = &zdef, .has_default = 1};
    const struct cdata_field wf[] = {{"w", 0, &zopt}};
    const struct cdata_schema ws = {.type = CDATA_STRUCT, .name = "W", .fields = wf,
                                    .n_fields = 1};
    e = compile(&ws);
    const char *j = avro_enc_schema_json(e, NULL);
    assert_null(strstr(j, "\"default\":{"));
    const struct cdata_value *wn[] = {NULL};
    const struct cdata_value wv = {.type = CDATA_STRUCT, .n = 1, .schema = &ws, .u.items = wn};
    kc_buf_reset(&f->b);
    assert_int_equal(avro_enc_write(e, &wv, &f->b, &err), KC_OK);
    /* branch 1 (the record), z: its default 9 in [int, null] (branch 0) */
    assert_int_equal(f->b.len, 3);
    assert_memory_equal(f->b.data, "\x02\x00\x12", 3);
    avro_enc_free(e);
    /* a required struct field whose default has a null z: the JSON default holds z's own
     * default (Struct.get), as its binary does */
    const struct cdata_field rf[] = {{"w", 0, &zreq}};
    const struct cdata_schema rs = {.type = CDATA_STRUCT, .name = "W", .fields = rf,
                                    .n_fields = 1};
    e = compile(&rs);
    assert_non_null(strstr(avro_enc_schema_json(e, NULL), "\"default\":{\"z\":9}"));
    avro_enc_free(e);

    /* unnamed structs 70 deep, each its own: refused, not folded into a recursive type */
    struct cdata_schema deep[70];
    struct cdata_field deep_f[70];
    deep[0] = SX;
    for (int i = 1; i < 70; i++) {
        deep_f[i] = (struct cdata_field){"f", 0, &deep[i - 1]};
        deep[i] = (struct cdata_schema){.type = CDATA_STRUCT, .fields = &deep_f[i], .n_fields = 1};
    }
    e = NULL;
    assert_int_equal(avro_enc_new(&deep[69], &e, &err), KC_EINVAL);
    assert_null(e);

    /* a name past AVRO_ENC_MAX_NAME is refused, never cut */
    char longname[AVRO_ENC_MAX_NAME + 2];
    memset(longname, 'n', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    const struct cdata_schema ln = {.type = CDATA_STRUCT, .name = longname, .fields = FX,
                                    .n_fields = 1};
    assert_int_equal(avro_enc_new(&ln, &e, &err), KC_EINVAL);
    assert_null(e);
    assert_non_null(strstr(err.msg, "longer than"));
    longname[AVRO_ENC_MAX_NAME] = '\0'; /* at the bound: taken whole */
    e = compile(&ln);
    assert_non_null(strstr(avro_enc_schema_json(e, NULL), longname));
    avro_enc_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_gives_fastavros_bytes),
        cmocka_unit_test(test_unnamed_structs_and_a_struct_met_again),
        cmocka_unit_test(test_optional_with_default_puts_null_second),
        cmocka_unit_test(test_fixed_union_and_redefinition),
        cmocka_unit_test(test_schemaless_anything_and_type_errors),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_review_cases),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
