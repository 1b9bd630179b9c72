/*
 * tests/unit/parquet/test_parquet_writer.c: the writer's page bytes for small hand-computed
 * cases, its error contract (KC_EINVAL keeps it usable, other failures poison it), row-group
 * cuts under a memory cap, schema checks, and every allocation failed in turn (curl's torture
 * mode) over a nested schema with dictionaries, several codecs and both page versions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "parquet.h"
#include "parquet_int.h"

struct sink {
    struct kc_buf out;
    long fail_after; /* fail the Nth write call; -1 never */
    long calls;
};

static int sink_write(void *opaque, const void *buf, size_t len)
{
    struct sink *sk = opaque;
    if (sk->fail_after >= 0 && sk->calls++ >= sk->fail_after) {
        return -1;
    }
    return kc_buf_append(&sk->out, buf, len) == KC_OK ? 0 : -1;
}

static void sink_init(struct sink *sk)
{
    kc_buf_init(&sk->out, (size_t)1 << 30);
    sk->fail_after = -1;
    sk->calls = 0;
}

static struct parquet_writer *flat_writer(struct sink *sk, enum parquet_repetition rep,
                                          enum parquet_type type,
                                          const struct parquet_logical *lt,
                                          const struct parquet_writer_options *o)
{
    struct parquet_schema *s = parquet_schema_new();
    struct parquet_writer *w = NULL;
    assert_non_null(s);
    assert_int_equal(parquet_schema_add_leaf(s, PARQUET_SCHEMA_ROOT, "c", rep, type, lt, 0, NULL,
                                             NULL),
                     KC_OK);
    assert_int_equal(parquet_writer_new(&w, s, o, sink_write, sk, NULL), KC_OK);
    return w;
}

static void test_parquet_writer_plain_page_bytes(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_writer *w;
    (void)state;
    sink_init(&sk);
    parquet_writer_options_init(&o);
    o.codec = PARQUET_CODEC_NONE;
    o.dictionary = 0;
    w = flat_writer(&sk, PARQUET_REQUIRED, PARQUET_INT32, NULL, &o);
    assert_int_equal(parquet_writer_append_i32(w, 0, 1, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_append_i32(w, 0, 2, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_bytes_written(w), 0); /* nothing before the first flush */
    assert_int_equal(parquet_writer_close(w, NULL), KC_OK);

    static const uint8_t want[] = {
        'P', 'A', 'R', '1',
        /* PageHeader: DATA_PAGE, 8 bytes both ways, 2 values, PLAIN, RLE levels */
        0x15, 0x00, 0x15, 0x10, 0x15, 0x10, 0x2C, 0x15, 0x04, 0x15, 0x00, 0x15, 0x06, 0x15,
        0x06, 0x00, 0x00,
        /* required column: no levels, two PLAIN int32 */
        1, 0, 0, 0, 2, 0, 0, 0};
    assert_true(sk.out.len > sizeof(want) + 8);
    assert_memory_equal(sk.out.data, want, sizeof(want));
    assert_memory_equal(sk.out.data + sk.out.len - 4, "PAR1", 4);
    uint32_t flen;
    memcpy(&flen, sk.out.data + sk.out.len - 8, 4);
    assert_int_equal(flen, sk.out.len - 8 - sizeof(want));
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_optional_levels_bytes(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_writer *w;
    (void)state;
    sink_init(&sk);
    parquet_writer_options_init(&o);
    o.codec = PARQUET_CODEC_NONE;
    o.dictionary = 0;
    w = flat_writer(&sk, PARQUET_OPTIONAL, PARQUET_INT32, NULL, &o);
    assert_int_equal(parquet_writer_append_i32(w, 0, 1, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_append_null(w, 0, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_append_i32(w, 0, 3, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_close(w, NULL), KC_OK);
    static const uint8_t body[] = {
        /* def levels 1,0,1 at width 1: 4-byte length 2, literal run of one group (0x03), bits
         * 101 = 0x05 */
        2, 0, 0, 0, 0x03, 0x05,
        /* the two present values */
        1, 0, 0, 0, 3, 0, 0, 0};
    /* header: uncompressed/compressed 14 (zigzag 28 = 0x1C), 3 values */
    static const uint8_t head[] = {'P',  'A',  'R',  '1',  0x15, 0x00, 0x15, 0x1C, 0x15,
                                   0x1C, 0x2C, 0x15, 0x06, 0x15, 0x00, 0x15, 0x06, 0x15,
                                   0x06, 0x00, 0x00};
    assert_memory_equal(sk.out.data, head, sizeof(head));
    assert_memory_equal(sk.out.data + sizeof(head), body, sizeof(body));
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_dictionary_page_bytes(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_writer *w;
    struct parquet_logical str = {.kind = PARQUET_LOGICAL_STRING};
    (void)state;
    sink_init(&sk);
    parquet_writer_options_init(&o);
    o.codec = PARQUET_CODEC_NONE;
    w = flat_writer(&sk, PARQUET_REQUIRED, PARQUET_BYTE_ARRAY, &str, &o);
    const char *vals[] = {"x", "y", "x"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(parquet_writer_append_bytes(w, 0, vals[i], 1, NULL), KC_OK);
        assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    }
    assert_int_equal(parquet_writer_close(w, NULL), KC_OK);
    static const uint8_t want[] = {
        'P', 'A', 'R', '1',
        /* dictionary page: 10 bytes, 2 values, PLAIN */
        0x15, 0x04, 0x15, 0x14, 0x15, 0x14, 0x4C, 0x15, 0x04, 0x15, 0x00, 0x00, 0x00,
        1, 0, 0, 0, 'x', 1, 0, 0, 0, 'y',
        /* data page: 3 bytes, 3 values, RLE_DICTIONARY (8 -> 0x10) */
        0x15, 0x00, 0x15, 0x06, 0x15, 0x06, 0x2C, 0x15, 0x06, 0x15, 0x10, 0x15, 0x06, 0x15,
        0x06, 0x00, 0x00,
        /* bit width 1, then indices 0,1,0 as one padded literal group: 0b010 */
        0x01, 0x03, 0x02};
    assert_memory_equal(sk.out.data, want, sizeof(want));
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_einval_keeps_writer(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_writer *w;
    struct parquet_logical str = {.kind = PARQUET_LOGICAL_STRING};
    struct kc_error err;
    (void)state;
    sink_init(&sk);
    parquet_writer_options_init(&o);
    w = flat_writer(&sk, PARQUET_REQUIRED, PARQUET_BYTE_ARRAY, &str, &o);
    assert_int_equal(parquet_writer_append_bytes(w, 0, "\xff", 1, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(parquet_writer_append_null(w, 0, &err), KC_EINVAL); /* required */
    assert_int_equal(parquet_writer_append_i32(w, 0, 1, &err), KC_EINVAL); /* wrong width */
    assert_int_equal(parquet_writer_append_bytes(w, 1, "a", 1, &err), KC_EINVAL); /* no leaf */
    assert_int_equal(parquet_writer_write(w, 0, 1, 0, "a", 1, &err), KC_EINVAL);  /* rep */
    assert_int_equal(parquet_writer_append_bytes(w, 0, "ok", 2, &err), KC_OK);
    assert_int_equal(parquet_writer_append_bytes(w, 0, "twice", 5, &err), KC_EINVAL);
    assert_int_equal(parquet_writer_flush_row_group(w, &err), KC_EINVAL); /* mid-row */
    assert_int_equal(parquet_writer_end_row(w, &err), KC_OK);
    assert_int_equal(parquet_writer_close(w, &err), KC_OK);
    assert_int_equal(parquet_writer_rows(w), 1);
    assert_int_equal(parquet_writer_append_bytes(w, 0, "late", 4, &err), KC_EINVAL);
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_missing_column_poisons(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_schema *s = parquet_schema_new();
    struct parquet_writer *w = NULL;
    struct kc_error err;
    (void)state;
    sink_init(&sk);
    parquet_writer_options_init(&o);
    assert_int_equal(parquet_schema_add_leaf(s, 0, "a", PARQUET_OPTIONAL, PARQUET_INT64, NULL, 0,
                                             NULL, NULL),
                     KC_OK);
    assert_int_equal(parquet_schema_add_leaf(s, 0, "b", PARQUET_OPTIONAL, PARQUET_INT64, NULL, 0,
                                             NULL, NULL),
                     KC_OK);
    assert_int_equal(parquet_writer_new(&w, s, &o, sink_write, &sk, NULL), KC_OK);
    assert_int_equal(parquet_writer_append_i64(w, 0, 5, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, &err), KC_EFATAL);
    assert_non_null(strstr(err.msg, "'b'"));
    assert_int_equal(parquet_writer_append_i64(w, 1, 5, &err), KC_EFATAL);
    assert_int_equal(parquet_writer_close(w, &err), KC_EFATAL);
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_callback_failure(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_writer *w;
    struct kc_error err;
    (void)state;
    sink_init(&sk);
    sk.fail_after = 1; /* the magic passes, the first page fails */
    parquet_writer_options_init(&o);
    w = flat_writer(&sk, PARQUET_REQUIRED, PARQUET_DOUBLE, NULL, &o);
    assert_int_equal(parquet_writer_append_double(w, 0, 1.0, NULL), KC_OK);
    assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_flush_row_group(w, &err), KC_EIO);
    assert_int_equal(parquet_writer_append_double(w, 0, 1.0, &err), KC_EIO);
    assert_int_equal(parquet_writer_close(w, &err), KC_EIO);
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_memory_cap(void **state)
{
    struct sink sk;
    struct parquet_writer_options o;
    struct parquet_writer *w;
    struct parquet_logical str = {.kind = PARQUET_LOGICAL_STRING};
    size_t peak = 0;
    (void)state;
    sink_init(&sk);
    parquet_writer_options_init(&o);
    o.memory_cap = 64 << 10;
    w = flat_writer(&sk, PARQUET_REQUIRED, PARQUET_BYTE_ARRAY, &str, &o);
    for (int i = 0; i < 20000; i++) {
        char v[64];
        int n = snprintf(v, sizeof(v), "value-%d-%d", i, i * 31);
        assert_int_equal(parquet_writer_append_bytes(w, 0, v, (size_t)n, NULL), KC_OK);
        assert_int_equal(parquet_writer_end_row(w, NULL), KC_OK);
        size_t b = parquet_writer_buffered_bytes(w);
        peak = b > peak ? b : peak;
    }
    /* The cap cut row groups, so the open one stays near the cap (plus one page's arrays). */
    assert_true(parquet_writer_rows_flushed(w) > 0);
    assert_true(peak < (size_t)(256 << 10));
    assert_int_equal(parquet_writer_flush_row_group(w, NULL), KC_OK);
    assert_int_equal(parquet_writer_rows_flushed(w), 20000);
    assert_int_equal(parquet_writer_close(w, NULL), KC_OK);
    parquet_writer_free(w);
    kc_buf_fini(&sk.out);
}

static void test_parquet_writer_schema_checks(void **state)
{
    struct parquet_schema *s = parquet_schema_new();
    struct parquet_logical lt;
    struct kc_error err;
    int id;
    (void)state;
    memset(&lt, 0, sizeof(lt));
    lt.kind = PARQUET_LOGICAL_DATE;
    assert_int_equal(parquet_schema_add_leaf(s, 0, "d", PARQUET_OPTIONAL, PARQUET_INT64, &lt, 0,
                                             NULL, &err),
                     KC_EINVAL);
    lt.kind = PARQUET_LOGICAL_UUID;
    assert_int_equal(parquet_schema_add_leaf(s, 0, "u", PARQUET_OPTIONAL,
                                             PARQUET_FIXED_LEN_BYTE_ARRAY, &lt, 8, NULL, &err),
                     KC_EINVAL);
    lt.kind = PARQUET_LOGICAL_DECIMAL;
    lt.precision = 10;
    assert_int_equal(parquet_schema_add_leaf(s, 0, "p", PARQUET_OPTIONAL, PARQUET_INT32, &lt, 0,
                                             NULL, &err),
                     KC_EINVAL);
    lt.precision = 38;
    lt.scale = 10;
    assert_int_equal(parquet_schema_add_leaf(s, 0, "p", PARQUET_OPTIONAL,
                                             PARQUET_FIXED_LEN_BYTE_ARRAY, &lt, 0, &id, &err),
                     KC_OK);
    assert_int_equal(s->nodes[id].type_length, 16);
    assert_int_equal(parquet_schema_add_leaf(s, 0, "p", PARQUET_OPTIONAL, PARQUET_INT32, NULL, 0,
                                             NULL, &err),
                     KC_EINVAL); /* duplicate */
    lt.kind = PARQUET_LOGICAL_INT;
    lt.bit_width = 64;
    lt.is_signed = 0;
    assert_int_equal(parquet_schema_add_leaf(s, 0, "q", PARQUET_OPTIONAL, PARQUET_INT32, &lt, 0,
                                             NULL, &err),
                     KC_EINVAL);
    assert_int_equal(parquet_schema_add_group(s, 0, "g", PARQUET_OPTIONAL, NULL, &id, &err),
                     KC_OK);
    assert_int_equal(parquet_schema_finish(s, &err), KC_EINVAL); /* empty group */
    assert_int_equal(parquet_schema_add_leaf(s, id, "x", PARQUET_REQUIRED, PARQUET_BOOLEAN, NULL,
                                             0, NULL, &err),
                     KC_OK);
    assert_int_equal(parquet_schema_finish(s, &err), KC_OK);
    assert_int_equal(parquet_schema_leaf_count(s), 2);
    assert_int_equal(parquet_schema_max_def(s, 1), 1);
    parquet_schema_free(s);
}

/* One writer run over a nested schema; returns the first failing rc. */
static int nested_run(enum parquet_codec codec, int page_version, struct sink *sk)
{
    struct parquet_schema *s = parquet_schema_new();
    struct parquet_writer *w = NULL;
    struct parquet_writer_options o;
    struct parquet_logical str = {.kind = PARQUET_LOGICAL_STRING};
    struct kc_error err;
    int list_id, st, rc;
    int leaf_id, leaf_tags, leaf_x, leaf_y;
    int n_id, n_tags, n_x, n_y;

    if (s == NULL) {
        return KC_ENOMEM;
    }
    parquet_writer_options_init(&o);
    o.codec = codec;
    o.page_version = page_version;
    o.page_rows = 7;
    o.row_group_rows = 50;
    o.dictionary_page_bytes = 64;
    rc = parquet_schema_add_leaf(s, 0, "id", PARQUET_REQUIRED, PARQUET_INT64, NULL, 0, &n_id,
                                 &err);
    if (rc == KC_OK) {
        rc = parquet_schema_add_list(s, 0, "tags", PARQUET_OPTIONAL, &list_id, &err);
    }
    if (rc == KC_OK) {
        rc = parquet_schema_add_leaf(s, list_id, "element", PARQUET_OPTIONAL, PARQUET_BYTE_ARRAY,
                                     &str, 0, &n_tags, &err);
    }
    if (rc == KC_OK) {
        rc = parquet_schema_add_group(s, 0, "st", PARQUET_OPTIONAL, NULL, &st, &err);
    }
    if (rc == KC_OK) {
        rc = parquet_schema_add_leaf(s, st, "x", PARQUET_OPTIONAL, PARQUET_DOUBLE, NULL, 0, &n_x,
                                     &err);
    }
    if (rc == KC_OK) {
        rc = parquet_schema_add_leaf(s, st, "y", PARQUET_REQUIRED, PARQUET_BOOLEAN, NULL, 0, &n_y,
                                     &err);
    }
    if (rc != KC_OK) {
        parquet_schema_free(s);
        return rc;
    }
    rc = parquet_writer_new(&w, s, &o, sink_write, sk, &err);
    if (rc != KC_OK) {
        return rc;
    }
    const struct parquet_schema *ws = parquet_writer_schema(w);
    leaf_id = parquet_schema_leaf_index(ws, n_id);
    leaf_tags = parquet_schema_leaf_index(ws, n_tags);
    leaf_x = parquet_schema_leaf_index(ws, n_x);
    leaf_y = parquet_schema_leaf_index(ws, n_y);
    assert_int_equal(parquet_schema_max_rep(ws, leaf_tags), 1);
    assert_int_equal(parquet_schema_max_def(ws, leaf_tags), 3);
    for (int r = 0; r < 120 && rc == KC_OK; r++) {
        char tag[32];
        rc = parquet_writer_append_i64(w, leaf_id, r, &err);
        /* tags: null, [], or r % 4 items, some null */
        if (rc == KC_OK && r % 5 == 0) {
            rc = parquet_writer_write(w, leaf_tags, 0, 0, NULL, 0, &err);
        } else if (rc == KC_OK && r % 5 == 1) {
            rc = parquet_writer_write(w, leaf_tags, 0, 1, NULL, 0, &err);
        } else {
            for (int i = 0; i < 1 + r % 4 && rc == KC_OK; i++) {
                int n = snprintf(tag, sizeof(tag), "tag-%d", (r * 7 + i) % 40);
                if (i == 2) {
                    rc = parquet_writer_write(w, leaf_tags, i ? 1 : 0, 2, NULL, 0, &err);
                } else {
                    rc = parquet_writer_write(w, leaf_tags, i ? 1 : 0, 3, tag, (size_t)n, &err);
                }
            }
        }
        if (rc == KC_OK && r % 3 == 0) { /* null struct */
            rc = parquet_writer_write(w, leaf_x, 0, 0, NULL, 0, &err);
            if (rc == KC_OK) {
                rc = parquet_writer_write(w, leaf_y, 0, 0, NULL, 0, &err);
            }
        } else if (rc == KC_OK) {
            double x = r * 0.5;
            uint8_t y = r & 1;
            rc = parquet_writer_write(w, leaf_x, 0, 2, &x, 8, &err);
            if (rc == KC_OK) {
                rc = parquet_writer_write(w, leaf_y, 0, 1, &y, 1, &err);
            }
        }
        if (rc == KC_OK) {
            rc = parquet_writer_end_row(w, &err);
        }
    }
    if (rc == KC_OK) {
        rc = parquet_writer_close(w, &err);
    }
    parquet_writer_free(w);
    return rc;
}

static void test_parquet_writer_alloc_failure(void **state)
{
    static const enum parquet_codec codecs[] = {PARQUET_CODEC_NONE, PARQUET_CODEC_SNAPPY,
                                                PARQUET_CODEC_GZIP, PARQUET_CODEC_ZSTD,
                                                PARQUET_CODEC_LZ4_RAW};
    (void)state;
    for (size_t c = 0; c < sizeof(codecs) / sizeof(codecs[0]); c++) {
        for (int pv = 1; pv <= 2; pv++) {
            struct sink sk;
            long before, total;
            sink_init(&sk);
            before = kc_alloc_calls();
            assert_int_equal(nested_run(codecs[c], pv, &sk), KC_OK);
            total = kc_alloc_calls() - before;
            kc_buf_fini(&sk.out);
            assert_true(total > 20);
            for (long n = 0; n < total; n++) {
                int rc;
                sink_init(&sk);
                sk.out.limit = (size_t)-1; /* the sink itself must not fail */
                kc_alloc_fail_after(n);
                rc = nested_run(codecs[c], pv, &sk);
                kc_alloc_fail_after(-1);
                /* The sink's own buffer also allocates through kc_*: a write failure reports as
                 * KC_EIO. Anything else must be a clean out-of-memory. */
                assert_true(rc == KC_OK || rc == KC_ENOMEM || rc == KC_EIO);
                kc_buf_fini(&sk.out);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parquet_writer_plain_page_bytes),
        cmocka_unit_test(test_parquet_writer_optional_levels_bytes),
        cmocka_unit_test(test_parquet_writer_dictionary_page_bytes),
        cmocka_unit_test(test_parquet_writer_einval_keeps_writer),
        cmocka_unit_test(test_parquet_writer_missing_column_poisons),
        cmocka_unit_test(test_parquet_writer_callback_failure),
        cmocka_unit_test(test_parquet_writer_memory_cap),
        cmocka_unit_test(test_parquet_writer_schema_checks),
        cmocka_unit_test(test_parquet_writer_alloc_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
