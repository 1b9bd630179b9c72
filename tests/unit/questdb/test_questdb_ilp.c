/*
 * tests/unit/questdb/test_questdb_ilp.c: record -> ILP line, byte for byte, per type and per
 * escape case, and QuestDB date-format patterns per unit and letter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jfast.h"
#include "kc_alloc.h"
#include "questdb_ilp.h"
#include "sink.h"

struct fx {
    struct questdb_conf qc;
    struct questdb_ilp enc;
    struct kc_arena a;
    struct jfast jf;
    struct kc_buf out;
};

static char **list(const char *a, const char *b, size_t *n)
{
    char **v = kc_calloc(2, sizeof(*v));
    *n = 0;
    if (a != NULL) {
        v[(*n)++] = kc_strdup(a);
    }
    if (b != NULL) {
        v[(*n)++] = kc_strdup(b);
    }
    return v;
}

static void fx_init(struct fx *f)
{
    memset(f, 0, sizeof(*f));
    f->qc.key_prefix = kc_strdup("key");
    f->qc.value_prefix = kc_strdup("");
    f->qc.include_key = 1;
    f->qc.client.max_name_len = 127;
    f->qc.ts_format_text = kc_strdup("yyyy-MM-ddTHH:mm:ss.SSSUUUZ");
    assert_int_equal(questdb_ts_format_compile(f->qc.ts_format_text, &f->qc.ts_format, NULL),
                     KC_OK);
    kc_arena_init(&f->a, 4096, 1 << 24);
    jfast_init(&f->jf, 0);
    kc_buf_init(&f->out, 1 << 20);
}

static void fx_ready(struct fx *f)
{
    assert_int_equal(questdb_ilp_init(&f->enc, &f->qc, NULL), KC_OK);
}

static void fx_fini(struct fx *f)
{
    questdb_ilp_fini(&f->enc);
    questdb_conf_fini(&f->qc);
    kc_arena_fini(&f->a);
    jfast_fini(&f->jf);
    kc_buf_fini(&f->out);
}

static const struct cdata_value *json(struct fx *f, const char *s)
{
    const struct cdata_value *v = NULL;
    enum jfast_result r;
    assert_int_equal(jfast_parse(&f->jf, s, strlen(s), &f->a, &v, &r, NULL), KC_OK);
    return v;
}

/* Encode JSON value (and optional string key) for topic t; returns rc, line in f->out. */
static int enc(struct fx *f, const char *value, const char *key, struct kc_error *err)
{
    struct sink_record r = {0};
    r.topic = "t";
    r.partition = 3;
    r.timestamp = 1700000000123;
    r.ts_type = SINK_TS_CREATE;
    r.value_raw = value;
    r.value_len = strlen(value);
    if (key != NULL) {
        r.key = cdata_string(&f->a, key, strlen(key));
        r.key_schema = &cdata_schema_optional_string;
    }
    kc_buf_reset(&f->out);
    int skipped;
    return questdb_ilp_append(&f->enc, &r, NULL, json(f, value), &f->out, &skipped, err);
}

#define LINE(f) ((f)->out.data != NULL ? (f)->out.data : "")

static void test_questdb_ilp_types(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"i\":42,\"d\":1.5,\"b\":true,\"c\":false,\"s\":\"x y\"}", NULL,
                         NULL),
                     KC_OK);
    assert_string_equal(LINE(&f), "t i=42i,d=1.5,b=t,c=f,s=\"x y\"\n");
    assert_int_equal(enc(&f, "{\"d\":1e10,\"n\":-7,\"z\":0.0}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t d=1.0E10,n=-7i,z=0.0\n");
    /* nulls are left out; a primitive value becomes column "value" */
    assert_int_equal(enc(&f, "{\"a\":null,\"b\":1}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t b=1i\n");
    assert_int_equal(enc(&f, "12", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t value=12i\n");
    fx_fini(&f);
}

static void test_questdb_ilp_key_and_nesting(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"a\":{\"b\":{\"c\":1}},\"x.y\":2}", "k1", NULL), KC_OK);
    assert_string_equal(LINE(&f), "t key=\"k1\",a_b_c=1i,x_y=2i\n");
    fx_fini(&f);

    fx_init(&f);
    kc_free(f.qc.value_prefix);
    f.qc.value_prefix = kc_strdup("v");
    f.qc.include_key = 0;
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"a\":1}", "k1", NULL), KC_OK);
    assert_string_equal(LINE(&f), "t v_a=1i\n");
    fx_fini(&f);
}

static void test_questdb_ilp_escapes(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.symbols = list("sym", NULL, &f.qc.n_symbols);
    f.qc.table = kc_strdup("my table=x");
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"s\":\"q\\\"b\\\\n\\nr\\r\",\"sym\":\"a b,c=d\\\\e\","
                             "\"col umn\":1,\"c=d\":2}",
                         NULL, NULL),
                     KC_OK);
    assert_string_equal(LINE(&f), "my\\ table\\=x,sym=a\\ b\\,c\\=d\\\\e "
                                  "s=\"q\\\"b\\\\n\\\nr\\\r\",col\\ umn=1i,c\\=d=2i\n");
    fx_fini(&f);
}

static void test_questdb_ilp_symbols_doubles(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.symbols = list("type", "n", &f.qc.n_symbols);
    f.qc.doubles = list("v", NULL, &f.qc.n_doubles);
    fx_ready(&f);
    /* symbols go first whatever their position; a number in a symbol column is its text */
    assert_int_equal(enc(&f, "{\"v\":42,\"type\":\"Push\",\"n\":7}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t,type=Push,n=7 v=42.0\n");
    /* symbols only: a valid line */
    assert_int_equal(enc(&f, "{\"type\":\"Push\"}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t,type=Push\n");
    fx_fini(&f);
}

static void test_questdb_ilp_designated_ts(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.ts_fields = list("created_at", NULL, &f.qc.n_ts_fields);
    fx_ready(&f);
    /* auto units: seconds, millis, micros, nanos by magnitude */
    assert_int_equal(enc(&f, "{\"a\":1,\"created_at\":1700000000}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 1700000000000000000\n");
    assert_int_equal(enc(&f, "{\"a\":1,\"created_at\":1700000000123}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 1700000000123000000\n");
    assert_int_equal(enc(&f, "{\"a\":1,\"created_at\":1700000000123456}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 1700000000123456000\n");
    assert_int_equal(enc(&f, "{\"a\":1,\"created_at\":1700000000123456789}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 1700000000123456789\n");
    /* string with the default pattern */
    assert_int_equal(enc(&f, "{\"a\":1,\"created_at\":\"2023-11-14T22:13:20.123456Z\"}", NULL,
                         NULL),
                     KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 1700000000123456000\n");
    /* null fails the record, and the next record gets no stale timestamp (connector bug #40) */
    struct kc_error err = {0};
    assert_int_equal(enc(&f, "{\"a\":1,\"created_at\":null}", NULL, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Timestamp column value cannot be null");
    assert_int_equal(f.out.len, 0);
    assert_int_equal(enc(&f, "{\"a\":2}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=2i\n");
    fx_fini(&f);

    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.ts_fields = list("created_at", NULL, &f.qc.n_ts_fields);
    f.qc.ts_units = QUESTDB_TS_SECONDS;
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"created_at\":5,\"a\":1}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 5000000000\n");
    fx_fini(&f);

    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.ts_kafka_native = 1;
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"a\":1}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t a=1i 1700000000123000000\n");
    fx_fini(&f);
}

static void test_questdb_ilp_string_ts_and_composed(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.ts_string_fields = list("at", NULL, &f.qc.n_ts_string_fields);
    questdb_ts_format_free(f.qc.ts_format);
    assert_int_equal(questdb_ts_format_compile("yyyy-MM-dd HH:mm:ss", &f.qc.ts_format, NULL),
                     KC_OK);
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"at\":\"1970-01-02 00:00:01\"}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t at=86401000000t\n");
    struct kc_error err = {0};
    assert_int_equal(enc(&f, "{\"at\":\"yesterday\"}", NULL, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "Cannot parse timestamp: yesterday"));
    fx_fini(&f);

    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.ts_fields = list("date", "time", &f.qc.n_ts_fields);
    questdb_ts_format_free(f.qc.ts_format);
    assert_int_equal(questdb_ts_format_compile("yyyyMMddHHmm", &f.qc.ts_format, NULL), KC_OK);
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"time\":\"0001\",\"date\":\"19700101\",\"v\":1}", NULL, NULL),
                     KC_OK);
    assert_string_equal(LINE(&f), "t v=1i 60000000000\n");
    fx_fini(&f);
}

static void test_questdb_ilp_unsupported_and_names(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    fx_ready(&f);
    struct kc_error err = {0};
    assert_int_equal(enc(&f, "{\"a\":[1,2]}", NULL, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "Unsupported type ARRAY for column a"));
    assert_int_equal(enc(&f, "{\"a-b\":1}", NULL, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "illegal char '-'"));
    assert_int_equal(enc(&f, "{}", NULL, &err), KC_EINVAL);
    assert_int_equal(f.out.len, 0);
    fx_fini(&f);

    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.skip_unsupported = 1;
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"a\":[1,2],\"b\":1}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t b=1i\n");
    fx_fini(&f);
}

static void test_questdb_ilp_table_template(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.table = kc_strdup("${topic}_${key}_p${partition}");
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"a\":1}", "dev1", NULL), KC_OK);
    assert_string_equal(LINE(&f), "t_dev1_p3 a=1i\n");
    assert_int_equal(enc(&f, "{\"a\":1}", NULL, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t_null_p3 a=1i\n");
    struct kc_error err = {0};
    assert_int_equal(enc(&f, "{\"a\":1}", "a/b", &err), KC_EINVAL);
    fx_fini(&f);
}

static void test_questdb_ilp_schema_struct(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    fx_ready(&f);
    static const struct cdata_schema ts = {.type = CDATA_INT64, .optional = 1,
                                           .name = CDATA_LOGICAL_TIMESTAMP};
    static const struct cdata_schema i32 = {.type = CDATA_INT32};
    static const struct cdata_field fields[] = {{"n", 0, &i32}, {"at", 1, &ts}};
    static const struct cdata_schema st = {.type = CDATA_STRUCT, .fields = fields, .n_fields = 2};
    const struct cdata_value **items;
    struct cdata_value *sv = cdata_struct(&f.a, &st, &items);
    items[0] = cdata_int(&f.a, CDATA_INT32, 5);
    struct cdata_value *tv = cdata_int(&f.a, CDATA_INT64, 1000);
    tv->schema = &ts;
    items[1] = tv;
    struct sink_record r = {0};
    r.topic = "t";
    r.value_raw = "x";
    r.value_schema = &st;
    r.value = sv;
    int skipped;
    assert_int_equal(questdb_ilp_append(&f.enc, &r, &st, sv, &f.out, &skipped, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t n=5i,at=1000000t\n");
    fx_fini(&f);
}

/* Debezium's MicroTimestamp (micros) and Date (days) fields become TIMESTAMP columns, as the
 * JVM connector writes them; a plain INT64 stays a long. */
static void test_questdb_ilp_debezium_times(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    fx_ready(&f);
    static const struct cdata_schema us = {.type = CDATA_INT64,
                                           .name = "io.debezium.time.MicroTimestamp"};
    static const struct cdata_schema days = {.type = CDATA_INT32, .name = "io.debezium.time.Date"};
    static const struct cdata_schema i64 = {.type = CDATA_INT64};
    static const struct cdata_field fields[] = {{"u", 0, &us}, {"d", 1, &days}, {"n", 2, &i64}};
    static const struct cdata_schema st = {.type = CDATA_STRUCT, .fields = fields, .n_fields = 3};
    const struct cdata_value **items;
    struct cdata_value *sv = cdata_struct(&f.a, &st, &items);
    struct cdata_value *uv = cdata_int(&f.a, CDATA_INT64, 1700000000123456LL);
    uv->schema = &us;
    struct cdata_value *dv = cdata_int(&f.a, CDATA_INT32, -1);
    dv->schema = &days;
    items[0] = uv;
    items[1] = dv;
    items[2] = cdata_int(&f.a, CDATA_INT64, 7);
    struct sink_record r = {0};
    r.topic = "t";
    r.value_raw = "x";
    r.value_schema = &st;
    r.value = sv;
    int skipped;
    assert_int_equal(questdb_ilp_append(&f.enc, &r, &st, sv, &f.out, &skipped, NULL), KC_OK);
    assert_string_equal(LINE(&f), "t u=1700000000123456t,d=-86400000000t,n=7i\n");
    fx_fini(&f);
}

static void test_questdb_ilp_buffer_untouched(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    fx_ready(&f);
    kc_buf_fini(&f.out);
    kc_buf_init(&f.out, 10);
    struct sink_record r = {0};
    r.topic = "t";
    r.value_raw = "x";
    int skipped;
    assert_int_equal(questdb_ilp_append(&f.enc, &r, NULL, json(&f, "{\"a\":1}"), &f.out, &skipped,
                                        NULL),
                     KC_OK);
    size_t len = f.out.len;
    struct kc_error err = {0};
    assert_int_equal(questdb_ilp_append(&f.enc, &r, NULL, json(&f, "{\"a\":1}"), &f.out,
                                        &skipped, &err),
                     KC_ENOMEM);
    assert_int_equal(f.out.len, len);
    assert_string_equal(f.out.data, "t a=1i\n");
    /* tombstone */
    r.value_raw = NULL;
    assert_int_equal(questdb_ilp_append(&f.enc, &r, NULL, NULL, &f.out, &skipped, NULL), KC_OK);
    assert_int_equal(skipped, 1);
    fx_fini(&f);
}

static void test_questdb_ilp_arrays(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f);
    f.qc.include_key = 0;
    f.qc.arrays = 1;
    fx_ready(&f);
    assert_int_equal(enc(&f, "{\"a\":[1.5,-2],\"n\":1}", NULL, NULL), KC_OK);
    static const unsigned char want1[] = {
        't', ' ', 'a', '=', '=', 14, 10, 1, 2, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0xf8, 0x3f, /* 1.5 */
        0, 0, 0, 0, 0, 0, 0, 0xc0,    /* -2.0 */
        ',', 'n', '=', '1', 'i', '\n'};
    assert_int_equal(f.out.len, sizeof(want1));
    assert_memory_equal(f.out.data, want1, sizeof(want1));
    /* 2-D, and the empty array */
    assert_int_equal(enc(&f, "{\"m\":[[1],[2]],\"e\":[]}", NULL, NULL), KC_OK);
    static const unsigned char want2[] = {
        't', ' ', 'm', '=', '=', 14, 10, 2, 2, 0, 0, 0, 1, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0, 0, 0, 0, 0, 0, 0, 0x40,
        ',', 'e', '=', '=', 14, 10, 1, 0, 0, 0, 0, '\n'};
    assert_int_equal(f.out.len, sizeof(want2));
    assert_memory_equal(f.out.data, want2, sizeof(want2));
    static const char *bad[] = {"{\"a\":[[1,2],[3]]}", "{\"a\":[[1],2]}", "{\"a\":[1,null]}",
                                "{\"a\":[\"x\"]}", "{\"a\":[[1],[[2]]]}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kc_error err = {0};
        assert_int_equal(enc(&f, bad[i], NULL, &err), KC_EINVAL);
        assert_non_null(strstr(err.msg, "column a: "));
        assert_int_equal(f.out.len, 0);
    }
    fx_fini(&f);
}

static int64_t parse(const char *pattern, const char *s, int expect_rc)
{
    struct questdb_ts_format *fmt = NULL;
    assert_int_equal(questdb_ts_format_compile(pattern, &fmt, NULL), KC_OK);
    int64_t us = 0;
    struct kc_error err = {0};
    assert_int_equal(questdb_ts_format_parse(fmt, s, strlen(s), &us, &err), expect_rc);
    questdb_ts_format_free(fmt);
    return us;
}

static void test_questdb_ts_patterns(void **state)
{
    (void)state;
    const char *d = "yyyy-MM-ddTHH:mm:ss.SSSUUUZ";
    assert_int_equal(parse(d, "1970-01-01T00:00:00.000001Z", KC_OK), 1);
    assert_int_equal(parse(d, "2023-11-14T22:13:20.123456+01:00", KC_OK),
                     1700000000123456LL - 3600000000LL);
    parse(d, "2023-11-14T22:13:20Z", KC_EINVAL); /* fixed SSSUUU required */
    parse(d, "2023-02-29T00:00:00.000000Z", KC_EINVAL);
    assert_int_equal(parse("yyyy-MM-dd'T'HH:mm:ss.SZ", "2024-02-29T12:00:00.5Z", KC_OK),
                     1709208000005000LL);
    assert_int_equal(parse("dd MMM yyyy h:mm a", "01 Jan 1970 1:05 pm", KC_OK),
                     (13 * 3600 + 5 * 60) * 1000000LL);
    assert_int_equal(parse("EEE, d MMMM yy", "Thu, 1 January 70", KC_OK), 0);
    assert_int_equal(parse("yyyy-MM-dd HH:mm:ss.SSSUUUNNN", "1969-12-31 23:59:59.999999999",
                           KC_OK),
                     -1);
    /* a nine-digit year is read, but is past what int64 microseconds hold: refused, no
     * overflow (found by fuzz_questdb_ilp under UBSan) */
    parse("y-MM-dd", "999999999-01-01", KC_EINVAL);
    parse("y-MM-dd", "-999999999-01-01", KC_EINVAL);
    assert_int_equal(parse("y-MM-dd", "292000-01-01", KC_OK), 9152462764800000000LL);
    struct questdb_ts_format *fmt = NULL;
    assert_int_equal(questdb_ts_format_compile("yyyy-QQ", &fmt, NULL), KC_EINVAL);
    assert_int_equal(questdb_ts_format_compile("'unterminated", &fmt, NULL), KC_EINVAL);
    assert_int_equal(questdb_ts_to_nanos(INT64_MAX / 10, QUESTDB_TS_SECONDS), INT64_MAX);
    assert_int_equal(questdb_ts_to_nanos(-5, QUESTDB_TS_AUTO), -5000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_questdb_ilp_types),
        cmocka_unit_test(test_questdb_ilp_key_and_nesting),
        cmocka_unit_test(test_questdb_ilp_escapes),
        cmocka_unit_test(test_questdb_ilp_symbols_doubles),
        cmocka_unit_test(test_questdb_ilp_designated_ts),
        cmocka_unit_test(test_questdb_ilp_string_ts_and_composed),
        cmocka_unit_test(test_questdb_ilp_unsupported_and_names),
        cmocka_unit_test(test_questdb_ilp_table_template),
        cmocka_unit_test(test_questdb_ilp_schema_struct),
        cmocka_unit_test(test_questdb_ilp_debezium_times),
        cmocka_unit_test(test_questdb_ilp_buffer_untouched),
        cmocka_unit_test(test_questdb_ilp_arrays),
        cmocka_unit_test(test_questdb_ts_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
