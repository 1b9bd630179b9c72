/*
 * tests/unit/parquet/test_parquet_json.c: the JSON front end: Connect schemas to Parquet
 * schemas, the inference policy, per-record errors that leave the writer usable, and the
 * JSON-lines converter (line numbers, rotation) with every allocation failed in turn.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "parquet.h"
#include "parquet_int.h"
#include "parquet_json.h"

static int null_write(void *opaque, const void *buf, size_t len)
{
    size_t *n = opaque;
    (void)buf;
    *n += len;
    return 0;
}

static const struct parquet_node *node(const struct parquet_schema *s, const char *name)
{
    for (int i = 0; i < s->n; i++) {
        if (strcmp(s->nodes[i].name, name) == 0) {
            return &s->nodes[i];
        }
    }
    fail_msg("no node %s", name);
    return NULL;
}

static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL) {
        fail_msg("bad test JSON: %s", e.text);
    }
    return j;
}

static void test_parquet_json_connect_schema(void **state)
{
    const char *text =
        "{\"type\":\"struct\",\"fields\":["
        "{\"field\":\"id\",\"type\":\"int64\"},"
        "{\"field\":\"small\",\"type\":\"int8\",\"optional\":true},"
        "{\"field\":\"ts\",\"type\":\"int64\",\"name\":\"org.apache.kafka.connect.data.Timestamp\"},"
        "{\"field\":\"d\",\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Date\"},"
        "{\"field\":\"t\",\"type\":\"int32\",\"name\":\"org.apache.kafka.connect.data.Time\"},"
        "{\"field\":\"amount\",\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\","
        "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"30\"}},"
        "{\"field\":\"u\",\"type\":\"string\",\"parameters\":{\"parquet.logical\":\"UUID\"}},"
        "{\"field\":\"tags\",\"type\":\"array\",\"items\":{\"type\":\"string\"},\"optional\":true},"
        "{\"field\":\"m\",\"type\":\"map\",\"keys\":{\"type\":\"string\",\"optional\":true},"
        "\"values\":{\"type\":\"double\",\"optional\":true}},"
        "{\"field\":\"meta\",\"type\":\"struct\",\"optional\":true,\"fields\":["
        "{\"field\":\"fw\",\"type\":\"string\"}]}]}";
    json_t *j = parse(text);
    struct parquet_schema *s = NULL;
    struct kc_error err;
    (void)state;
    assert_int_equal(parquet_json_schema_from_connect(j, &s, &err), KC_OK);
    assert_int_equal(parquet_schema_leaf_count(s), 11);
    assert_int_equal(node(s, "id")->rep, PARQUET_REQUIRED);
    assert_int_equal(node(s, "small")->lt.kind, PARQUET_LOGICAL_INT);
    assert_int_equal(node(s, "small")->lt.bit_width, 8);
    assert_int_equal(node(s, "ts")->lt.kind, PARQUET_LOGICAL_TIMESTAMP);
    assert_int_equal(node(s, "ts")->lt.unit, PARQUET_MILLIS);
    assert_int_equal(node(s, "d")->lt.kind, PARQUET_LOGICAL_DATE);
    assert_int_equal(node(s, "t")->type, PARQUET_INT32);
    assert_int_equal(node(s, "amount")->type, PARQUET_FIXED_LEN_BYTE_ARRAY);
    assert_int_equal(node(s, "amount")->type_length, 13);
    assert_int_equal(node(s, "u")->type_length, 16);
    assert_int_equal(node(s, "tags")->lt.kind, PARQUET_LOGICAL_LIST);
    assert_int_equal(node(s, "key")->rep, PARQUET_REQUIRED); /* forced for MAP keys */
    assert_int_equal(node(s, "fw")->max_def, 1);
    parquet_schema_free(s);
    json_decref(j);

    j = parse("{\"type\":\"string\"}");
    assert_int_equal(parquet_json_schema_from_connect(j, &s, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "top level"));
    json_decref(j);
    j = parse("{\"type\":\"struct\",\"fields\":[{\"field\":\"x\",\"type\":\"int32\","
              "\"parameters\":{\"parquet.logical\":\"TIMESTAMP(SECONDS,true)\"}}]}");
    assert_int_equal(parquet_json_schema_from_connect(j, &s, &err), KC_EINVAL);
    json_decref(j);
}

static void test_parquet_json_infer_policy(void **state)
{
    const char *recs[] = {
        "{\"a\": 1, \"b\": \"x\", \"c\": 1, \"n\": null, \"o\": {\"p\": 1}, \"l\": [1]}",
        "{\"a\": 2.5, \"b\": 3, \"c\": 2, \"o\": {\"q\": true}, \"l\": [], \"e\": {}}",
    };
    struct parquet_json_infer *inf = parquet_json_infer_new(0);
    struct parquet_schema *s = NULL;
    struct kc_error err;
    (void)state;
    for (size_t i = 0; i < 2; i++) {
        json_t *j = parse(recs[i]);
        assert_int_equal(parquet_json_infer_add(inf, j, &err), KC_OK);
        json_decref(j);
    }
    json_t *arr = parse("[1]");
    assert_int_equal(parquet_json_infer_add(inf, arr, &err), KC_EINVAL);
    json_decref(arr);
    assert_int_equal(parquet_json_infer_schema(inf, &s, &err), KC_OK);
    assert_int_equal(node(s, "a")->type, PARQUET_DOUBLE);          /* int + real */
    assert_int_equal(node(s, "b")->lt.kind, PARQUET_LOGICAL_JSON); /* string + int */
    assert_int_equal(node(s, "c")->type, PARQUET_INT64);
    assert_int_equal(node(s, "n")->lt.kind, PARQUET_LOGICAL_STRING); /* only nulls */
    assert_int_equal(node(s, "q")->type, PARQUET_BOOLEAN);           /* union of keys */
    assert_int_equal(node(s, "element")->type, PARQUET_INT64);
    assert_int_equal(node(s, "e")->lt.kind, PARQUET_LOGICAL_JSON); /* only {} */
    assert_int_equal(node(s, "a")->rep, PARQUET_OPTIONAL);
    parquet_schema_free(s);
    parquet_json_infer_free(inf);

    inf = parquet_json_infer_new(1);
    const char *ts[] = {"{\"t\": \"2025-01-15T10:30:00Z\", \"d\": \"2024-12-01\", "
                        "\"n\": \"2025-01-15 10:30:00.123456\", \"m\": \"2025-01-15\", "
                        "\"ns\": \"2025-01-15T10:30:00.123456789Z\"}",
                        "{\"t\": \"2025-01-15T10:30:00+02:00\", \"d\": \"1969-07-20\", "
                        "\"n\": \"2025-01-15T10:30:00\", \"m\": \"2025-01-15T00:00:00Z\"}"};
    for (size_t i = 0; i < 2; i++) {
        json_t *j = parse(ts[i]);
        assert_int_equal(parquet_json_infer_add(inf, j, &err), KC_OK);
        json_decref(j);
    }
    assert_int_equal(parquet_json_infer_schema(inf, &s, &err), KC_OK);
    assert_int_equal(node(s, "t")->lt.kind, PARQUET_LOGICAL_TIMESTAMP);
    assert_true(node(s, "t")->lt.utc);
    assert_int_equal(node(s, "d")->lt.kind, PARQUET_LOGICAL_DATE);
    assert_int_equal(node(s, "n")->lt.kind, PARQUET_LOGICAL_TIMESTAMP);
    assert_false(node(s, "n")->lt.utc);
    assert_int_equal(node(s, "m")->lt.kind, PARQUET_LOGICAL_STRING); /* mixed: stays text */
    assert_int_equal(node(s, "ns")->lt.kind, PARQUET_LOGICAL_STRING); /* finer than micros */
    assert_int_equal(node(s, "t")->lt.unit, PARQUET_MICROS);
    parquet_schema_free(s);
    parquet_json_infer_free(inf);
}

static void test_parquet_json_write_errors(void **state)
{
    json_t *cs = parse("{\"type\":\"struct\",\"fields\":["
                       "{\"field\":\"id\",\"type\":\"int32\"},"
                       "{\"field\":\"v\",\"type\":\"int8\",\"optional\":true},"
                       "{\"field\":\"p\",\"type\":\"bytes\",\"optional\":true,"
                       "\"name\":\"org.apache.kafka.connect.data.Decimal\","
                       "\"parameters\":{\"scale\":\"2\",\"connect.decimal.precision\":\"4\"}},"
                       "{\"field\":\"l\",\"type\":\"array\",\"optional\":true,"
                       "\"items\":{\"type\":\"struct\",\"fields\":["
                       "{\"field\":\"x\",\"type\":\"double\"}]}}]}");
    struct parquet_schema *s = NULL;
    struct parquet_writer *w = NULL;
    struct parquet_writer_options o;
    struct kc_error err;
    size_t written = 0;
    static const struct {
        const char *rec;
        const char *msg;
    } bad[] = {
        {"{\"v\": 1}", "field 'id': required field is missing"},
        {"{\"id\": \"1\"}", "field 'id': expected int32, got string"},
        {"{\"id\": 1, \"v\": 128}", "field 'v': 128 out of range [-128, 127]"},
        {"{\"id\": 1, \"zz\": 1}", "unknown field 'zz'"},
        {"{\"id\": 1, \"p\": \"1.001\"}", "expected base64 of 1..16 bytes (Connect Decimal)"},
        {"{\"id\": 1, \"p\": \"AYah\"}", "more than 4 digits"},
        {"{\"id\": 1, \"l\": [{\"x\": 1}, {\"x\": \"no\"}]}", "field 'l[].x': expected number"},
        {"{\"id\": 1, \"l\": [null]}", "field 'l[]': null item in a list of required elements"},
        {"{\"id\": 4294967296}", "out of range"},
        {"[]", "record is array, not an object"},
    };
    (void)state;
    assert_int_equal(parquet_json_schema_from_connect(cs, &s, &err), KC_OK);
    parquet_writer_options_init(&o);
    assert_int_equal(parquet_writer_new(&w, s, &o, null_write, &written, &err), KC_OK);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = parse(bad[i].rec);
        kc_error_clear(&err);
        assert_int_equal(parquet_json_write(w, j, 0, &err), KC_EINVAL);
        if (strstr(err.msg, bad[i].msg) == NULL) {
            fail_msg("record %s: got '%s', want '%s'", bad[i].rec, err.msg, bad[i].msg);
        }
        json_decref(j);
    }
    json_t *good = parse("{\"id\": 1, \"v\": -128, \"p\": 12.34, \"l\": [{\"x\": 1}]}");
    assert_int_equal(parquet_json_write(w, good, 0, &err), KC_OK);
    json_decref(good);
    good = parse("{\"id\": 2, \"zz\": 5}");
    assert_int_equal(parquet_json_write(w, good, PARQUET_JSON_IGNORE_UNKNOWN, &err), KC_OK);
    json_decref(good);
    assert_int_equal(parquet_writer_rows(w), 2);
    /* More entries than the stack stage holds (128): a bad last item still leaves nothing
     * behind, and the same list without it is one row. */
    json_t *items = json_array();
    for (int i = 0; i < 300; i++) {
        json_array_append_new(items, json_pack("{s:f}", "x", i + 0.5));
    }
    json_array_append_new(items, json_pack("{s:s}", "x", "no"));
    json_t *rec = json_pack("{s:i, s:O}", "id", 3, "l", items);
    assert_int_equal(parquet_json_write(w, rec, 0, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "field 'l[].x': expected number"));
    assert_int_equal(json_array_remove(items, 300), 0);
    assert_int_equal(parquet_json_write(w, rec, 0, &err), KC_OK);
    json_decref(rec);
    json_decref(items);
    assert_int_equal(parquet_writer_rows(w), 3);
    assert_int_equal(parquet_writer_close(w, &err), KC_OK);
    assert_true(written > 0);
    parquet_writer_free(w);
    json_decref(cs);
}

/* JSON lines conversion into memory. */
struct run {
    struct kc_buf files[8];
    unsigned nfiles;
    uint64_t bad_lines[16];
    unsigned nbad;
};

static int run_write(void *opaque, const void *buf, size_t len)
{
    struct kc_buf *b = opaque;
    return kc_buf_append(b, buf, len) == KC_OK ? 0 : -1;
}

static int run_open(void *opaque, unsigned index, parquet_write_fn **write, void **wopaque,
                    struct kc_error *err)
{
    struct run *r = opaque;
    if (index >= 8) {
        return kc_error_set(err, KC_EINVAL, "too many files");
    }
    kc_buf_init(&r->files[index], (size_t)1 << 30);
    r->nfiles = index + 1;
    *write = run_write;
    *wopaque = &r->files[index];
    return KC_OK;
}

static void run_bad(void *opaque, uint64_t line, const struct kc_error *why)
{
    struct run *r = opaque;
    (void)why;
    if (r->nbad < 16) {
        r->bad_lines[r->nbad++] = line;
    }
}

static int convert(const char *input, enum parquet_json_mismatch mm, struct run *r,
                   uint64_t *rows)
{
    struct parquet_jsonl_options o;
    struct parquet_jsonl *c = NULL;
    struct kc_error err;
    int rc;
    memset(r, 0, sizeof(*r));
    parquet_jsonl_options_init(&o);
    o.infer_records = 2;
    o.on_mismatch = mm;
    rc = parquet_jsonl_new(&c, &o, run_open, NULL, run_bad, r, &err);
    /* Feed in uneven pieces so lines span calls. */
    for (size_t at = 0, n = strlen(input); rc == KC_OK && at < n; at += 7) {
        rc = parquet_jsonl_feed(c, input + at, n - at < 7 ? n - at : 7, &err);
    }
    if (rc == KC_OK) {
        rc = parquet_jsonl_finish(c, &err);
    }
    if (c != NULL) {
        *rows = parquet_jsonl_rows(c);
    }
    parquet_jsonl_free(c);
    return rc;
}

static void run_fini(struct run *r)
{
    for (unsigned i = 0; i < r->nfiles; i++) {
        kc_buf_fini(&r->files[i]);
    }
}

static const char *jsonl_input = "{\"a\": 1, \"b\": \"x\"}\n"
                                 "\n"
                                 "{\"a\": 2, \"b\": \"y\"}\r\n"
                                 "{\"a\": \"three\"}\n"
                                 "not json\n"
                                 "{\"a\": 4, \"c\": [1, 2]}\n"
                                 "{\"a\": 5}";

static void test_parquet_json_lines(void **state)
{
    struct run r;
    uint64_t rows = 0;
    (void)state;
    assert_int_equal(convert(jsonl_input, PARQUET_JSON_SKIP, &r, &rows), KC_OK);
    assert_int_equal(rows, 3);
    assert_int_equal(r.nfiles, 1);
    assert_int_equal(r.nbad, 3);
    assert_int_equal(r.bad_lines[0], 4);
    assert_int_equal(r.bad_lines[1], 5);
    assert_int_equal(r.bad_lines[2], 6);
    assert_memory_equal(r.files[0].data, "PAR1", 4);
    run_fini(&r);

    assert_int_equal(convert(jsonl_input, PARQUET_JSON_ROTATE, &r, &rows), KC_OK);
    /* line 4 starts file 2 (a: JSON text via its own sample of 4 and 6), line 5 is bad */
    assert_int_equal(r.nfiles, 2);
    assert_int_equal(r.nbad, 1);
    assert_int_equal(r.bad_lines[0], 5);
    assert_int_equal(rows, 5);
    run_fini(&r);
}

/* Envelopes whose Connect schema changes mid-stream (an evolved Avro schema): never written
 * under the first schema's columns. SKIP reports them with PARQUET_JSONL_SCHEMA_CHANGED (the
 * S3 sink then starts a new file); ROTATE starts the new file itself. */
static unsigned changed_rc;
static void run_bad_rc(void *opaque, uint64_t line, const struct kc_error *why)
{
    run_bad(opaque, line, why);
    if (why->rc == PARQUET_JSONL_SCHEMA_CHANGED) {
        changed_rc++;
    }
}

static void test_parquet_json_envelope_schema_change(void **state)
{
    (void)state;
    const char *v1 = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":"
                     "\"int64\",\"optional\":false}]},\"payload\":{\"a\":1}}\n";
    const char *v2 = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"field\":\"a\",\"type\":"
                     "\"int64\",\"optional\":false},{\"field\":\"b\",\"type\":\"string\","
                     "\"optional\":true}]},\"payload\":{\"a\":2,\"b\":\"new\"}}\n";
    for (int mm = 0; mm < 2; mm++) {
        struct parquet_jsonl_options o;
        struct parquet_jsonl *c = NULL;
        struct kc_error err;
        struct run r;
        memset(&r, 0, sizeof(r));
        changed_rc = 0;
        parquet_jsonl_options_init(&o);
        o.on_mismatch = mm ? PARQUET_JSON_ROTATE : PARQUET_JSON_SKIP;
        assert_int_equal(parquet_jsonl_new(&c, &o, run_open, NULL, run_bad_rc, &r, &err), KC_OK);
        assert_int_equal(parquet_jsonl_record(c, v1, strlen(v1), 10, &err), KC_OK);
        assert_int_equal(parquet_jsonl_record(c, v1, strlen(v1), 11, &err), KC_OK);
        assert_int_equal(parquet_jsonl_record(c, v2, strlen(v2), 12, &err), KC_OK);
        assert_int_equal(parquet_jsonl_finish(c, &err), KC_OK);
        if (mm == 0) {
            assert_int_equal(r.nbad, 1);
            assert_int_equal(r.bad_lines[0], 12);
            assert_int_equal(changed_rc, 1);
            assert_int_equal(r.nfiles, 1);
            assert_int_equal(parquet_jsonl_rows(c), 2);
        } else {
            assert_int_equal(r.nbad, 0);
            assert_int_equal(r.nfiles, 2);
            assert_int_equal(parquet_jsonl_rows(c), 3);
        }
        parquet_jsonl_free(c);
        run_fini(&r);
    }
}

static void test_parquet_json_lines_alloc_failure(void **state)
{
    struct run r;
    uint64_t rows;
    long before, total;
    (void)state;
    before = kc_alloc_calls();
    assert_int_equal(convert(jsonl_input, PARQUET_JSON_ROTATE, &r, &rows), KC_OK);
    total = kc_alloc_calls() - before;
    run_fini(&r);
    for (long n = 0; n < total; n++) {
        kc_alloc_fail_after(n);
        int rc = convert(jsonl_input, PARQUET_JSON_ROTATE, &r, &rows);
        kc_alloc_fail_after(-1);
        assert_true(rc == KC_OK || rc == KC_ENOMEM || rc == KC_EIO);
        run_fini(&r);
    }
}

static void test_parquet_json_records_and_rotate(void **state)
{
    struct parquet_jsonl_options o;
    struct parquet_jsonl *c = NULL;
    struct kc_error err;
    struct run r;
    const char *pretty = "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ]\n}\n";
    (void)state;
    memset(&r, 0, sizeof(r));
    parquet_jsonl_options_init(&o);
    o.infer_records = 10;
    assert_int_equal(parquet_jsonl_new(&c, &o, run_open, NULL, run_bad, &r, &err), KC_OK);
    assert_int_equal(parquet_jsonl_record(c, pretty, strlen(pretty), 100, &err), KC_OK);
    const char *broken = "{\"a\": \"no\"";
    assert_int_equal(parquet_jsonl_record(c, broken, strlen(broken), 101, &err), KC_OK);
    assert_true(parquet_jsonl_buffered_bytes(c) > 0); /* one record held for inference */
    assert_int_equal(r.nfiles, 0);
    assert_int_equal(parquet_jsonl_rotate(c, &err), KC_OK); /* writes the held record */
    assert_int_equal(r.nfiles, 1);
    assert_memory_equal(r.files[0].data + r.files[0].len - 4, "PAR1", 4);
    assert_int_equal(parquet_jsonl_rotate(c, &err), KC_OK); /* nothing open: no-op */
    const char *two = "{\"a\": 2}";
    assert_int_equal(parquet_jsonl_record(c, two, strlen(two), 102, &err), KC_OK);
    assert_int_equal(parquet_jsonl_finish(c, &err), KC_OK);
    assert_int_equal(r.nfiles, 2);
    assert_int_equal(parquet_jsonl_rows(c), 2);
    assert_int_equal(r.nbad, 1);
    assert_int_equal(r.bad_lines[0], 101); /* the caller's id, not a line number */
    parquet_jsonl_free(c);
    run_fini(&r);
}

/* What jansson's tree of the same text holds at path (split at dots, json_object_getn per
 * step), as a parquet_doc_field kind. */
static enum parquet_doc_kind jansson_kind(const json_t *v, const char *path, const json_t **at)
{
    const char *s = path;
    for (;;) {
        const char *dot = strchr(s, '.');
        size_t n = dot != NULL ? (size_t)(dot - s) : strlen(s);
        v = json_is_object(v) ? json_object_getn(v, s, n) : NULL;
        if (v == NULL || dot == NULL) {
            break;
        }
        s = dot + 1;
    }
    *at = v;
    switch (v != NULL ? json_typeof(v) : JSON_NULL) {
    case JSON_NULL:
        return v != NULL ? PARQUET_DOC_NULL : PARQUET_DOC_MISSING;
    case JSON_TRUE:
    case JSON_FALSE:
        return PARQUET_DOC_BOOLEAN;
    case JSON_INTEGER:
        return PARQUET_DOC_INTEGER;
    case JSON_REAL:
        return PARQUET_DOC_REAL;
    case JSON_STRING:
        return PARQUET_DOC_STRING;
    case JSON_ARRAY:
        return PARQUET_DOC_ARRAY;
    case JSON_OBJECT:
        return PARQUET_DOC_OBJECT;
    }
    return PARQUET_DOC_MISSING;
}

/* A record parsed once (a partitioner reads fields, then it is written): what a path finds
 * is what json_loadb's tree holds there, and the file written is byte for byte the one
 * parquet_jsonl_record writes from the text. */
static void test_parquet_json_parse_once(void **state)
{
    (void)state;
    const char *recs[] = {
        ("{\"a\": -9223372036854775808, \"b\": \"x\", \"n\": {\"k\": [1, 2.5, \"\\u00e9\\u0000z\","
         " null, true, false, {}]}}"),
        "{\"b\": \"y\", \"a\": 1e3, \"schema\": {\"type\": \"big\"}, \"a\": 7}  \r",
        "{\"a\": 2, \"b\": \"z\\u0000w\", \"n\": null, \"t\": true}",
        "[1, 2]",
        /* read only: empty keys, a key with a dot (a path never names it) */
        "{\"\": {\"\": 0.5}, \"x.y\": 1, \"x\": {\"y\": false}}",
    };
    const size_t nwrite = 4;
    const char *paths[] = {"a", "b", "n", "n.k", "n.k.x", "schema", "schema.type", "t", "",
                           ".", "a.", "missing", "b.c", "x.y"};
    struct parquet_jsonl_parsers *ps = parquet_jsonl_parsers_new();
    assert_non_null(ps);
    struct kc_error err;
    const struct parquet_jsonl_doc *d = NULL;
    struct parquet_doc_field f, g;

    for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++) {
        assert_int_equal(parquet_jsonl_parse(ps, recs[i], strlen(recs[i]), &d, &err), KC_OK);
        json_t *tree = json_loads(recs[i], JSON_ALLOW_NUL, NULL);
        assert_non_null(tree);
        for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
            const json_t *at = NULL;
            parquet_jsonl_doc_get(d, NULL, paths[k], &f);
            assert_int_equal(f.kind, jansson_kind(tree, paths[k], &at));
            if (f.kind == PARQUET_DOC_INTEGER) {
                assert_int_equal(f.i, json_integer_value(at));
            } else if (f.kind == PARQUET_DOC_REAL) {
                assert_true(f.d == json_real_value(at));
            } else if (f.kind == PARQUET_DOC_BOOLEAN) {
                assert_int_equal(f.i, json_is_true(at));
            } else if (f.kind == PARQUET_DOC_STRING) {
                assert_int_equal(f.len, json_string_length(at));
                assert_memory_equal(f.s, json_string_value(at), f.len + 1);
            }
        }
        json_decref(tree);
    }

    /* the explicit cases: INT64_MIN, the last of a key given twice, a NUL inside a string, a
     * lookup from an object found before */
    assert_int_equal(parquet_jsonl_parse(ps, recs[0], strlen(recs[0]), &d, &err), KC_OK);
    parquet_jsonl_doc_get(d, NULL, "a", &f);
    assert_int_equal(f.kind, PARQUET_DOC_INTEGER);
    assert_true(f.i == INT64_MIN);
    parquet_jsonl_doc_get(d, NULL, "n", &f);
    assert_int_equal(f.kind, PARQUET_DOC_OBJECT);
    parquet_jsonl_doc_get(d, &f, "k", &g);
    assert_int_equal(g.kind, PARQUET_DOC_ARRAY);
    parquet_jsonl_doc_root(d, &f);
    assert_int_equal(f.kind, PARQUET_DOC_OBJECT);
    assert_int_equal(parquet_jsonl_parse(ps, recs[1], strlen(recs[1]), &d, &err), KC_OK);
    parquet_jsonl_doc_get(d, NULL, "a", &f);
    assert_int_equal(f.kind, PARQUET_DOC_INTEGER);
    assert_int_equal(f.i, 7);
    assert_int_equal(parquet_jsonl_parse(ps, recs[2], strlen(recs[2]), &d, &err), KC_OK);
    parquet_jsonl_doc_get(d, NULL, "b", &f);
    assert_int_equal(f.kind, PARQUET_DOC_STRING);
    assert_int_equal(f.len, 3);
    assert_memory_equal(f.s, "z\0w", 4);
    assert_int_equal(parquet_jsonl_parse(ps, recs[3], strlen(recs[3]), &d, &err), KC_OK);
    parquet_jsonl_doc_root(d, &f);
    assert_int_equal(f.kind, PARQUET_DOC_ARRAY); /* not an object: no member of it */
    parquet_jsonl_doc_get(d, &f, "a", &g);
    assert_int_equal(g.kind, PARQUET_DOC_MISSING);
    assert_int_equal(parquet_jsonl_parse(ps, " \t", 2, &d, &err), KC_EINVAL);
    assert_null(d);
    assert_int_equal(parquet_jsonl_parse(ps, "{\"a\":", 5, &d, &err), KC_EINVAL);

    /* the same records through both entry points: the same bytes */
    struct run r[2];
    for (int way = 0; way < 2; way++) {
        struct parquet_jsonl_options o;
        struct parquet_jsonl *c = NULL;
        memset(&r[way], 0, sizeof(r[way]));
        parquet_jsonl_options_init(&o);
        o.parsers = ps;
        assert_int_equal(parquet_jsonl_new(&c, &o, run_open, NULL, run_bad, &r[way], &err),
                         KC_OK);
        for (size_t i = 0; i < nwrite; i++) {
            size_t n = strlen(recs[i]);
            if (way == 0) {
                assert_int_equal(parquet_jsonl_record(c, recs[i], n, i, &err), KC_OK);
            } else {
                assert_int_equal(parquet_jsonl_parse(ps, recs[i], n, &d, &err), KC_OK);
                assert_int_equal(parquet_jsonl_record_doc(c, d, recs[i], n, i, &err), KC_OK);
            }
        }
        assert_int_equal(parquet_jsonl_finish(c, &err), KC_OK);
        /* records 1 (a key given twice) and 3 (an array of numbers, each not a record) are
         * reported */
        assert_int_equal(parquet_jsonl_rows(c), 2);
        parquet_jsonl_free(c);
    }
    assert_int_equal(r[0].nfiles, 1);
    assert_int_equal(r[1].nfiles, 1);
    /* the array's two items at once, the duplicate key when the sample is written */
    assert_int_equal(r[0].nbad, 3);
    assert_int_equal(r[0].bad_lines[0], 3);
    assert_int_equal(r[0].bad_lines[1], 3);
    assert_int_equal(r[0].bad_lines[2], 1);
    assert_int_equal(r[1].nbad, r[0].nbad);
    assert_memory_equal(r[0].bad_lines, r[1].bad_lines, sizeof(r[0].bad_lines));
    assert_int_equal(r[0].files[0].len, r[1].files[0].len);
    assert_memory_equal(r[0].files[0].data, r[1].files[0].data, r[0].files[0].len);
    run_fini(&r[0]);
    run_fini(&r[1]);
    parquet_jsonl_parsers_free(ps);
}

/*
 * The same input through the direct path (way 0) and through the tree alone (way 1): records
 * recs[0..n) given one by one (ids 0..), or, with recs NULL, the JSON lines `lines`. The two
 * ways must write the same files and report the same lines; each way's rows and direct rows
 * are returned, the runs in r (run_fini them).
 */
/* The cuts both_ways gives its writers when set (page and row-group sizes, memory cap); NULL:
 * the defaults. */
static const struct parquet_writer_options *both_ways_cuts;

static void both_ways(const char *const *recs, size_t n, const char *lines, size_t infer,
                      struct run r[2], uint64_t rows[2], uint64_t direct[2])
{
    struct kc_error err;
    for (int way = 0; way < 2; way++) {
        struct parquet_jsonl_options o;
        struct parquet_jsonl *c = NULL;
        memset(&r[way], 0, sizeof(r[way]));
        parquet_jsonl_options_init(&o);
        if (infer > 0) {
            o.infer_records = infer;
        }
        o.no_direct = way;
        if (both_ways_cuts != NULL) {
            o.writer.page_bytes = both_ways_cuts->page_bytes;
            o.writer.page_rows = both_ways_cuts->page_rows;
            o.writer.row_group_bytes = both_ways_cuts->row_group_bytes;
            o.writer.memory_cap = both_ways_cuts->memory_cap;
            o.writer.dictionary_page_bytes = both_ways_cuts->dictionary_page_bytes;
            o.writer.dictionary = both_ways_cuts->dictionary;
        }
        assert_int_equal(parquet_jsonl_new(&c, &o, run_open, NULL, run_bad, &r[way], &err),
                         KC_OK);
        for (size_t i = 0; recs != NULL && i < n; i++) {
            assert_int_equal(parquet_jsonl_record(c, recs[i], strlen(recs[i]), i, &err), KC_OK);
        }
        if (recs == NULL) {
            assert_int_equal(parquet_jsonl_feed(c, lines, strlen(lines), &err), KC_OK);
        }
        assert_int_equal(parquet_jsonl_finish(c, &err), KC_OK);
        rows[way] = parquet_jsonl_rows(c);
        direct[way] = parquet_jsonl_direct_rows(c);
        parquet_jsonl_free(c);
    }
    assert_int_equal(rows[0], rows[1]);
    assert_int_equal(direct[1], 0);
    assert_int_equal(r[0].nbad, r[1].nbad);
    assert_memory_equal(r[0].bad_lines, r[1].bad_lines, sizeof(r[0].bad_lines));
    assert_int_equal(r[0].nfiles, r[1].nfiles);
    for (unsigned f = 0; f < r[0].nfiles; f++) {
        assert_int_equal(r[0].files[f].len, r[1].files[f].len);
        assert_memory_equal(r[0].files[f].data, r[1].files[f].data, r[0].files[f].len);
    }
}

/* Records that the direct path takes (no tree) and records it declines (then parsed into a
 * tree, which reports the bad ones): the same files and reports as with the tree alone. */
static void test_parquet_json_direct_path(void **state)
{
    (void)state;
    const char *recs[] = {
        /* the sample: id int64, s string, m {x double, y string}, b boolean */
        "{\"id\": 1, \"s\": \"a\", \"m\": {\"x\": 1.5, \"y\": \"q\"}, \"b\": true}",
        "{\"id\": 2, \"s\": \"b\", \"m\": {\"x\": 2, \"y\": \"r\"}, \"b\": false}",
        /* direct: keys in another order; a field missing and a struct null; escapes in values */
        "{\"b\": true, \"m\": {\"y\": \"t\", \"x\": -0.25}, \"s\": \"c\", \"id\": 3}",
        "{\"id\": 4, \"m\": null}",
        " {\"id\": 5, \"s\": \"\\u00e9\\n\\\"\\u0000x\", \"m\": {\"x\": 1e300}} ",
        /* declined, written by the tree: an escaped key; an envelope (its payload is the row);
         * an array of rows */
        "{\"\\u0069d\": 6}",
        "{\"schema\": {\"type\": \"struct\"}, \"payload\": {\"id\": 7}}",
        "[{\"id\": 8}, {\"id\": 9, \"s\": \"z\"}]",
        /* declined and reported by the tree: a key given twice, an unknown key, a mismatch in a
         * struct, a container for a leaf, trailing bytes, not an object, a tombstone */
        "{\"id\": 10, \"id\": 11}",
        "{\"id\": 12, \"zz\": 1}",
        "{\"id\": 13, \"m\": {\"x\": \"one\"}}",
        "{\"id\": [14]}",
        "{\"id\": 15} x",
        "16",
        "null",
        /* and direct again after them */
        "{\"id\": 17, \"s\": \"last\"}",
        /* compact, as producers write them, and long enough for kc_jscan_member_if (it leaves
         * a member within 20 bytes of the end to the general scan): in the schema's order; in
         * another; a key given twice, the second time where the expected key is matched; an
         * unknown key that the expected one ("s") is only the start of */
        "{\"id\":18,\"s\":\"dddd\",\"m\":{\"x\":0.5,\"y\":\"uuuu\"},\"b\":false}",
        "{\"b\":true,\"id\":19,\"s\":\"eeeeeeeeeeeeeeeeeeeeeeee\"}",
        "{\"s\":\"aaaaaaaaaaaaaaaaaaaaaaaa\",\"id\":20,\"s\":\"bbbbbbbbbbbbbbbbbbbbbbbb\"}",
        "{\"id\":22,\"sx\":\"ffffffffffffffffffffffff\"}",
    };
    struct run r[2];
    uint64_t rows[2], direct[2];
    both_ways(recs, sizeof(recs) / sizeof(recs[0]), NULL, 2, r, rows, direct);
    assert_int_equal(rows[0], 12);
    assert_int_equal(direct[0], 6); /* records 2, 3, 4, 15, 16 and 17 */
    assert_int_equal(r[0].nbad, 9);
    for (unsigned i = 0; i < 7; i++) {
        assert_int_equal(r[0].bad_lines[i], 8 + i);
    }
    assert_int_equal(r[0].bad_lines[7], 18);
    assert_int_equal(r[0].bad_lines[8], 19);
    assert_int_equal(r[0].nfiles, 1);
    run_fini(&r[0]);
    run_fini(&r[1]);
}

/* Direct rows skip end_row's per-column sums while the room the last full pass left holds them
 * (end_row_within): with small pages, row groups and a memory cap, values of very different
 * lengths and a dictionary that takes new values all along, the direct path cuts the same pages
 * and row groups at the same rows as the tree path, which always makes the full pass. */
static void test_parquet_json_direct_cuts(void **state)
{
    (void)state;
    enum { N = 3000 };
    static char *recs[N];
    uint32_t x = 12345;
    for (size_t i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        /* 0 to ~1,500 bytes, most short, some long: a row may or may not fit the room */
        size_t len = (x >> 16) % 7 == 0 ? (x >> 8) % 1500 : (x >> 12) % 40;
        char *t = malloc(len + 1);
        assert_non_null(t);
        memset(t, 'a' + (int)(i % 26), len);
        t[len] = '\0';
        recs[i] = malloc(len + 160);
        assert_non_null(recs[i]);
        /* "k" gets a new dictionary value every 37 records, "d" is a double, "n" often null */
        snprintf(recs[i], len + 160,
                 "{\"id\":%zu,\"k\":\"key-%zu\",\"t\":\"%s\",\"d\":%u.5,\"n\":%s}", i,
                 i / 37, t, (unsigned)(x % 1000), i % 3 == 0 ? "null" : "7");
        free(t);
    }
    struct parquet_writer_options cuts;
    parquet_writer_options_init(&cuts);
    struct run plain[2];
    uint64_t rows[2], direct[2];
    both_ways((const char *const *)recs, N, NULL, 10, plain, rows, direct);
    for (int dict = 0; dict < 2; dict++) {
        /* PLAIN only: no dictionary asks for the full pass, the rooms alone decide; then with
         * dictionaries, whose new values and fallbacks to PLAIN ask for it */
        cuts.dictionary = dict;
        cuts.page_bytes = dict ? 4096 : 1024;
        cuts.row_group_bytes = dict ? (256 << 10) : (48 << 10);
        cuts.memory_cap = dict ? 0 : (32 << 10);
        cuts.dictionary_page_bytes = 512; /* "k" falls back to PLAIN mid-chunk */
        struct run r[2];
        both_ways_cuts = &cuts;
        both_ways((const char *const *)recs, N, NULL, 10, r, rows, direct);
        both_ways_cuts = NULL;
        assert_int_equal(rows[0], N);
        assert_true(direct[0] > N - 20); /* all but the sample went the direct way */
        assert_int_equal(r[0].nfiles, 1);
        /* the cuts happened: the file is not the one default sizes write */
        assert_true(plain[0].files[0].len != r[0].files[0].len ||
                    memcmp(plain[0].files[0].data, r[0].files[0].data, r[0].files[0].len) != 0);
        run_fini(&r[0]);
        run_fini(&r[1]);
    }
    run_fini(&plain[0]);
    run_fini(&plain[1]);
    for (size_t i = 0; i < N; i++) {
        free(recs[i]);
    }
    /* A dictionary's lookup table doubles ahead of a lookup, so a repeated value's insert may
     * grow it (8 KiB past 512 values here): that too asks for the full pass, or the row group
     * would be cut later than the tree path cuts it. 512 distinct values, then repeats, under
     * row-group sizes around where the table grows. */
    for (size_t i = 0; i < N; i++) {
        recs[i] = malloc(64);
        assert_non_null(recs[i]);
        snprintf(recs[i], 64, "{\"a\":%zu,\"b\":%zu}", i < 512 ? i : 0, i % 2);
    }
    for (size_t rg = 8000; rg < 40000; rg += 997) {
        struct run r[2];
        parquet_writer_options_init(&cuts);
        cuts.row_group_bytes = rg;
        both_ways_cuts = &cuts;
        both_ways((const char *const *)recs, N, NULL, 10, r, rows, direct);
        both_ways_cuts = NULL;
        assert_int_equal(rows[0], N);
        assert_true(direct[0] > N - 20);
        run_fini(&r[0]);
        run_fini(&r[1]);
    }
    for (size_t i = 0; i < N; i++) {
        free(recs[i]);
    }
}

/* Connect bytes read as text (parquet.logical STRING): base64 that decodes to bytes that are not
 * UTF-8 is a bad record, found before any of its row is written (the next records are
 * written), the same both ways. */
static void test_parquet_json_base64_text_checked(void **state)
{
    (void)state;
    const char *input =
        "{\"schema\": {\"type\": \"struct\", \"fields\": ["
        "{\"field\": \"n\", \"type\": \"int64\", \"optional\": true},"
        "{\"field\": \"f\", \"type\": \"bytes\", \"optional\": true,"
        " \"parameters\": {\"parquet.logical\": \"STRING\"}}]},"
        " \"payload\": {\"n\": 1, \"f\": \"aGk=\"}}\n"
        "{\"n\": 2, \"f\": \"/w==\"}\n"
        "{\"n\": 3, \"f\": \"aGk=\"}\n";
    struct run r[2];
    uint64_t rows[2], direct[2];
    both_ways(NULL, 0, input, 0, r, rows, direct);
    assert_int_equal(rows[0], 2);
    assert_int_equal(direct[0], 1); /* line 3 */
    assert_int_equal(r[0].nbad, 1);
    assert_int_equal(r[0].bad_lines[0], 2);
    assert_int_equal(r[0].nfiles, 1);
    run_fini(&r[0]);
    run_fini(&r[1]);
}

/* A file whose records keep being declined (objects in a column inferred as JSON text) stops
 * trying the direct path after PARQUET_DIRECT_GIVE_UP of them in a row; the rows are the same. */
static void test_parquet_json_direct_gives_up(void **state)
{
    (void)state;
    struct kc_buf in;
    kc_buf_init(&in, (size_t)1 << 20);
    /* the sample: x is a number and a string, so a JSON text column */
    assert_int_equal(kc_buf_append_str(&in, "{\"id\": 0, \"x\": 1}\n{\"id\": 1, \"x\": \"a\"}\n"),
                     KC_OK);
    for (int i = 2; i < 10; i++) { /* scalars in it: taken */
        assert_int_equal(kc_buf_printf(&in, "{\"id\": %d, \"x\": %d}\n", i, i), KC_OK);
    }
    for (int i = 10; i < 10 + PARQUET_DIRECT_GIVE_UP; i++) { /* objects: declined */
        assert_int_equal(kc_buf_printf(&in, "{\"id\": %d, \"x\": {\"k\": %d}}\n", i, i), KC_OK);
    }
    for (int i = 0; i < 5; i++) { /* scalars again: the tree path now */
        assert_int_equal(kc_buf_printf(&in, "{\"id\": %d, \"x\": 2}\n", 100 + i), KC_OK);
    }
    struct run r[2];
    uint64_t rows[2], direct[2];
    both_ways(NULL, 0, in.data, 2, r, rows, direct);
    assert_int_equal(rows[0], 10 + PARQUET_DIRECT_GIVE_UP + 5);
    assert_int_equal(direct[0], 8);
    assert_int_equal(r[0].nbad, 0);
    assert_int_equal(r[0].nfiles, 1);
    run_fini(&r[0]);
    run_fini(&r[1]);
    kc_buf_fini(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parquet_json_connect_schema),
        cmocka_unit_test(test_parquet_json_infer_policy),
        cmocka_unit_test(test_parquet_json_write_errors),
        cmocka_unit_test(test_parquet_json_lines),
        cmocka_unit_test(test_parquet_json_envelope_schema_change),
        cmocka_unit_test(test_parquet_json_lines_alloc_failure),
        cmocka_unit_test(test_parquet_json_records_and_rotate),
        cmocka_unit_test(test_parquet_json_parse_once),
        cmocka_unit_test(test_parquet_json_direct_path),
        cmocka_unit_test(test_parquet_json_direct_cuts),
        cmocka_unit_test(test_parquet_json_base64_text_checked),
        cmocka_unit_test(test_parquet_json_direct_gives_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
