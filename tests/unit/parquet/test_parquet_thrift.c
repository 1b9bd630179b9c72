/*
 * tests/unit/parquet/test_parquet_thrift.c: the Thrift compact encoder against bytes computed
 * by hand from the compact-protocol spec (field header nibbles, zigzag varints, list headers,
 * nested structs), and whole PageHeaders as parquet.thrift lays them out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parquet_int.h"

#define ASSERT_BYTES(buf, ...)                                                                     \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        assert_int_equal((buf)->len, sizeof(want_));                                               \
        assert_memory_equal((buf)->data, want_, sizeof(want_));                                    \
    } while (0)

static void test_parquet_thrift_varint_zigzag(void **state)
{
    struct kc_buf b;
    (void)state;
    kc_buf_init(&b, 1024);
    assert_int_equal(parquet_zigzag64(0), 0);
    assert_int_equal(parquet_zigzag64(-1), 1);
    assert_int_equal(parquet_zigzag64(1), 2);
    assert_int_equal(parquet_zigzag64(-2), 3);
    assert_int_equal(parquet_zigzag64(INT64_MIN), UINT64_MAX);
    assert_int_equal(parquet_varint_put(&b, 0), KC_OK);
    assert_int_equal(parquet_varint_put(&b, 127), KC_OK);
    assert_int_equal(parquet_varint_put(&b, 128), KC_OK);
    assert_int_equal(parquet_varint_put(&b, 300), KC_OK);
    ASSERT_BYTES(&b, 0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02);
    kc_buf_fini(&b);
}

static void test_parquet_thrift_fields(void **state)
{
    struct kc_buf b;
    struct parquet_thrift t;
    (void)state;
    kc_buf_init(&b, 1024);
    parquet_thrift_init(&t, &b);
    parquet_thrift_struct_begin(&t);
    parquet_thrift_field_i32(&t, 1, 0);        /* 0x15 0x00 */
    parquet_thrift_field_i64(&t, 2, -1);       /* delta 1: 0x16 0x01 */
    parquet_thrift_field_string(&t, 4, "ab");  /* delta 2: 0x28 0x02 'a' 'b' */
    parquet_thrift_field_bool(&t, 5, 1);       /* 0x11 */
    parquet_thrift_field_bool(&t, 6, 0);       /* 0x12 */
    parquet_thrift_field_i32(&t, 30, 20);      /* delta 24: long form 0x05, id zigzag 60, 40 */
    parquet_thrift_field_i16(&t, 2, -3);       /* negative delta: long form 0x04 0x04 0x05 */
    parquet_thrift_field_i8(&t, 3, -1);        /* delta 1: 0x13 0xFF */
    parquet_thrift_struct_end(&t);
    assert_int_equal(t.rc, KC_OK);
    ASSERT_BYTES(&b, 0x15, 0x00, 0x16, 0x01, 0x28, 0x02, 'a', 'b', 0x11, 0x12, 0x05, 0x3C, 0x28,
                 0x04, 0x04, 0x05, 0x13, 0xFF, 0x00);
    kc_buf_fini(&b);
}

static void test_parquet_thrift_nested_and_lists(void **state)
{
    struct kc_buf b;
    struct parquet_thrift t;
    (void)state;
    kc_buf_init(&b, 1024);
    parquet_thrift_init(&t, &b);
    parquet_thrift_struct_begin(&t);
    parquet_thrift_field_i32(&t, 1, 1);                       /* 0x15 0x02 */
    parquet_thrift_field_struct(&t, 3);                       /* 0x2C */
    parquet_thrift_field_i32(&t, 2, 7);                       /* inner ids restart: 0x25 0x0E */
    parquet_thrift_struct_end(&t);                            /* 0x00 */
    parquet_thrift_field_list(&t, 4, PARQUET_TT_I32, 2);      /* 0x19 0x25 */
    parquet_thrift_elem_i32(&t, 3);                           /* 0x06 */
    parquet_thrift_elem_i32(&t, -3);                          /* 0x05 */
    parquet_thrift_field_list(&t, 5, PARQUET_TT_BINARY, 20);  /* 0x19 0xF8 0x14 */
    for (int i = 0; i < 20; i++) {
        parquet_thrift_elem_binary(&t, "", 0);                /* 0x00 each */
    }
    parquet_thrift_field_list(&t, 6, PARQUET_TT_STRUCT, 1);   /* 0x19 0x1C */
    parquet_thrift_elem_struct(&t);
    parquet_thrift_field_empty_struct(&t, 1);                 /* 0x1C 0x00 */
    parquet_thrift_struct_end(&t);                            /* 0x00 */
    parquet_thrift_struct_end(&t);                            /* 0x00 */
    assert_int_equal(t.rc, KC_OK);
    ASSERT_BYTES(&b, 0x15, 0x02, 0x2C, 0x25, 0x0E, 0x00, 0x19, 0x25, 0x06, 0x05, 0x19, 0xF8, 0x14,
                 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x19, 0x1C, 0x1C,
                 0x00, 0x00, 0x00);
    kc_buf_fini(&b);
}

static void test_parquet_thrift_page_header_v1(void **state)
{
    struct kc_buf b;
    struct parquet_page_header ph;
    (void)state;
    kc_buf_init(&b, 1024);
    memset(&ph, 0, sizeof(ph));
    ph.type = PARQUET_PAGE_DATA;
    ph.uncompressed_size = 100;
    ph.compressed_size = 50;
    ph.num_values = 10;
    ph.encoding = PARQUET_ENC_PLAIN;
    assert_int_equal(parquet_thrift_page_header(&b, &ph, NULL), KC_OK);
    /* Field ids 1, 2, 3 each one past the last: header 0x15 (delta 1, i32). type 0, sizes 100
     * (zigzag 200 = C8 01) and 50 (64), data_page_header (field 5, delta 2: 0x2C) { num_values
     * 10, encoding PLAIN, def RLE (3 -> 06), rep RLE } */
    ASSERT_BYTES(&b, 0x15, 0x00, 0x15, 0xC8, 0x01, 0x15, 0x64, 0x2C, 0x15, 0x14, 0x15, 0x00, 0x15,
                 0x06, 0x15, 0x06, 0x00, 0x00);
    kc_buf_fini(&b);
}

static void test_parquet_thrift_page_header_v2_and_dict(void **state)
{
    struct kc_buf b;
    struct parquet_page_header ph;
    (void)state;
    kc_buf_init(&b, 1024);
    memset(&ph, 0, sizeof(ph));
    ph.type = PARQUET_PAGE_DATA_V2;
    ph.uncompressed_size = 1;
    ph.compressed_size = 2;
    ph.num_values = 3;
    ph.num_nulls = 1;
    ph.num_rows = 2;
    ph.encoding = PARQUET_ENC_RLE_DICTIONARY;
    ph.def_len = 4;
    ph.rep_len = 0;
    ph.is_compressed = 1;
    assert_int_equal(parquet_thrift_page_header(&b, &ph, NULL), KC_OK);
    /* type 3 (06), sizes 1 (02), 2 (04); field 8 (delta 5: 0x5C) { 3, 1, 2, 8 (0x10), 4, 0,
     * is_compressed true (0x11) } */
    ASSERT_BYTES(&b, 0x15, 0x06, 0x15, 0x02, 0x15, 0x04, 0x5C, 0x15, 0x06, 0x15, 0x02, 0x15, 0x04,
                 0x15, 0x10, 0x15, 0x08, 0x15, 0x00, 0x11, 0x00, 0x00);
    kc_buf_reset(&b);
    memset(&ph, 0, sizeof(ph));
    ph.type = PARQUET_PAGE_DICTIONARY;
    ph.uncompressed_size = 8;
    ph.compressed_size = 8;
    ph.num_values = 2;
    ph.encoding = PARQUET_ENC_PLAIN;
    assert_int_equal(parquet_thrift_page_header(&b, &ph, NULL), KC_OK);
    /* field 7 (delta 4: 0x4C) { num_values 2, encoding PLAIN } */
    ASSERT_BYTES(&b, 0x15, 0x04, 0x15, 0x10, 0x15, 0x10, 0x4C, 0x15, 0x04, 0x15, 0x00, 0x00,
                 0x00);
    kc_buf_fini(&b);
}

static void test_parquet_thrift_file_metadata(void **state)
{
    struct parquet_schema *s = parquet_schema_new();
    struct parquet_logical str = {.kind = PARQUET_LOGICAL_STRING};
    struct kc_buf b;
    (void)state;
    assert_non_null(s);
    assert_int_equal(parquet_schema_add_leaf(s, PARQUET_SCHEMA_ROOT, "a", PARQUET_OPTIONAL,
                                             PARQUET_BYTE_ARRAY, &str, 0, NULL, NULL),
                     KC_OK);
    assert_int_equal(parquet_schema_finish(s, NULL), KC_OK);
    kc_buf_init(&b, 4096);
    assert_int_equal(parquet_thrift_file_metadata(&b, s, 0, "", 0, 0, NULL, 0, "x", NULL), KC_OK);
    ASSERT_BYTES(&b,
                 0x15, 0x04,                   /* version 2 */
                 0x19, 0x2C,                   /* schema: list of 2 structs */
                 0x48, 0x06, 's', 'c', 'h', 'e', 'm', 'a', 0x15, 0x02, 0x00, /* root */
                 0x15, 0x0C,                   /* type BYTE_ARRAY (6) */
                 0x25, 0x02,                   /* repetition OPTIONAL (field 3, delta 2) */
                 0x18, 0x01, 'a',              /* name (field 4) */
                 0x25, 0x00,                   /* converted_type UTF8 (field 6, delta 2) */
                 0x4C, 0x1C, 0x00, 0x00,       /* logicalType (10) { STRING {} } */
                 0x00,                         /* end SchemaElement */
                 0x16, 0x00,                   /* num_rows 0 */
                 0x19, 0x0C,                   /* row_groups: empty list of structs */
                 0x28, 0x01, 'x',              /* created_by (field 6, delta 2) */
                 0x19, 0x1C, 0x1C, 0x00, 0x00, /* column_orders [TYPE_ORDER {}] */
                 0x00);
    kc_buf_fini(&b);
    parquet_schema_free(s);
}

static void test_parquet_thrift_row_group(void **state)
{
    struct kc_buf b;
    struct parquet_chunk_meta m;
    const char *path[] = {"a"};
    static const uint8_t mn[4] = {1, 0, 0, 0};
    static const uint8_t mx[4] = {2, 0, 0, 0};
    (void)state;
    memset(&m, 0, sizeof(m));
    m.type = PARQUET_INT32;
    m.encodings = 1u << PARQUET_ENC_PLAIN | 1u << PARQUET_ENC_RLE;
    m.path = path;
    m.path_len = 1;
    m.codec = PARQUET_CODEC_SNAPPY;
    m.num_values = 2;
    m.total_uncompressed = 30;
    m.total_compressed = 20;
    m.data_page_offset = 4;
    m.dictionary_page_offset = -1;
    m.stats.has_minmax = 1;
    m.stats.min = mn;
    m.stats.min_len = 4;
    m.stats.max = mx;
    m.stats.max_len = 4;
    kc_buf_init(&b, 4096);
    assert_int_equal(parquet_thrift_row_group(&b, &m, 1, 2, 4, 0, NULL), KC_OK);
    ASSERT_BYTES(&b,
                 0x19, 0x1C,             /* columns: list of 1 struct */
                 0x26, 0x08,             /* ColumnChunk.file_offset 4 (field 2) */
                 0x1C,                   /* meta_data (field 3) */
                 0x15, 0x02,             /* type INT32 */
                 0x19, 0x25, 0x00, 0x06, /* encodings [PLAIN, RLE] */
                 0x19, 0x18, 0x01, 'a',  /* path_in_schema ["a"] */
                 0x15, 0x02,             /* codec SNAPPY */
                 0x16, 0x04,             /* num_values 2 */
                 0x16, 0x3C,             /* total_uncompressed_size 30 */
                 0x16, 0x28,             /* total_compressed_size 20 */
                 0x26, 0x08,             /* data_page_offset 4 (field 9, delta 2) */
                 0x3C,                   /* statistics (field 12, delta 3) */
                 0x36, 0x00,             /*   null_count 0 (field 3) */
                 0x28, 0x04, 2, 0, 0, 0, /*   max_value (field 5) */
                 0x18, 0x04, 1, 0, 0, 0, /*   min_value (field 6) */
                 0x00, 0x00, 0x00,       /* end Statistics, ColumnMetaData, ColumnChunk */
                 0x16, 0x3C,             /* total_byte_size 30 */
                 0x16, 0x04,             /* num_rows 2 */
                 0x26, 0x08,             /* file_offset 4 (field 5) */
                 0x16, 0x28,             /* total_compressed_size 20 */
                 0x14, 0x00,             /* ordinal 0 (i16) */
                 0x00);
    kc_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parquet_thrift_varint_zigzag),
        cmocka_unit_test(test_parquet_thrift_fields),
        cmocka_unit_test(test_parquet_thrift_nested_and_lists),
        cmocka_unit_test(test_parquet_thrift_page_header_v1),
        cmocka_unit_test(test_parquet_thrift_page_header_v2_and_dict),
        cmocka_unit_test(test_parquet_thrift_file_metadata),
        cmocka_unit_test(test_parquet_thrift_row_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
