/*
 * connectors/parquet/parquet_thrift.c: our own Thrift compact-protocol encoder, just big enough
 * for Parquet's PageHeader and FileMetaData (the wire rules are in parquet_int.h).
 *
 * Field ids and enum values follow parquet.thrift (apache/parquet-format); every struct this
 * file writes is listed below with the fields we set. Required fields are always written, so a
 * reader generated from the .thrift never sees a struct it rejects. Errors are sticky in
 * struct parquet_thrift, so serializers check one rc at the end.
 *
 *   PageHeader          1 type, 2 uncompressed_page_size, 3 compressed_page_size,
 *                       5 data_page_header, 7 dictionary_page_header, 8 data_page_header_v2
 *   DataPageHeader      1 num_values, 2 encoding, 3 definition_level_encoding,
 *                       4 repetition_level_encoding
 *   DictionaryPageHeader 1 num_values, 2 encoding
 *   DataPageHeaderV2    1 num_values, 2 num_nulls, 3 num_rows, 4 encoding,
 *                       5 definition_levels_byte_length, 6 repetition_levels_byte_length,
 *                       7 is_compressed
 *   FileMetaData        1 version, 2 schema, 3 num_rows, 4 row_groups, 5 key_value_metadata,
 *                       6 created_by, 7 column_orders
 *   SchemaElement       1 type, 2 type_length, 3 repetition_type, 4 name, 5 num_children,
 *                       6 converted_type, 7 scale, 8 precision, 10 logicalType
 *   RowGroup            1 columns, 2 total_byte_size, 3 num_rows, 5 file_offset,
 *                       6 total_compressed_size, 7 ordinal
 *   ColumnChunk         2 file_offset, 3 meta_data
 *   ColumnMetaData      1 type, 2 encodings, 3 path_in_schema, 4 codec, 5 num_values,
 *                       6 total_uncompressed_size, 7 total_compressed_size,
 *                       9 data_page_offset, 11 dictionary_page_offset, 12 statistics
 *   Statistics          3 null_count, 5 max_value, 6 min_value
 */
#include <assert.h>
#include <string.h>

#include "parquet_int.h"

/* ConvertedType values (the legacy annotations older readers use). */
enum {
    CT_UTF8 = 0,
    CT_MAP = 1,
    CT_LIST = 3,
    CT_ENUM = 4,
    CT_DECIMAL = 5,
    CT_DATE = 6,
    CT_TIME_MILLIS = 7,
    CT_TIME_MICROS = 8,
    CT_TIMESTAMP_MILLIS = 9,
    CT_TIMESTAMP_MICROS = 10,
    CT_UINT_8 = 11,
    CT_INT_8 = 15,
    CT_JSON = 19,
};

uint64_t parquet_zigzag64(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

int parquet_varint_put(struct kc_buf *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    return kc_buf_append(b, tmp, n);
}

void parquet_thrift_init(struct parquet_thrift *t, struct kc_buf *buf)
{
    t->buf = buf;
    t->depth = 0;
    t->last_id[0] = 0;
    t->rc = KC_OK;
}

static void put_bytes(struct parquet_thrift *t, const void *p, size_t n)
{
    if (t->rc == KC_OK && kc_buf_append(t->buf, p, n) != KC_OK) {
        t->rc = KC_ENOMEM;
    }
}

static void put_byte(struct parquet_thrift *t, uint8_t c)
{
    put_bytes(t, &c, 1);
}

static void put_varint(struct parquet_thrift *t, uint64_t v)
{
    if (t->rc == KC_OK && parquet_varint_put(t->buf, v) != KC_OK) {
        t->rc = KC_ENOMEM;
    }
}

static void push(struct parquet_thrift *t)
{
    if (t->depth + 1 >= PARQUET_THRIFT_MAX_DEPTH) {
        t->rc = KC_EINVAL;
        return;
    }
    t->depth++;
    t->last_id[t->depth] = 0;
}

static void field_header(struct parquet_thrift *t, int16_t id, enum parquet_thrift_type type)
{
    int delta = id - t->last_id[t->depth];
    if (delta > 0 && delta <= 15) {
        put_byte(t, (uint8_t)(delta << 4 | (int)type));
    } else {
        put_byte(t, (uint8_t)type);
        put_varint(t, parquet_zigzag64(id));
    }
    t->last_id[t->depth] = id;
}

void parquet_thrift_struct_begin(struct parquet_thrift *t)
{
    push(t);
}

void parquet_thrift_struct_end(struct parquet_thrift *t)
{
    put_byte(t, 0);
    if (t->depth > 0) {
        t->depth--;
    }
}

void parquet_thrift_field_bool(struct parquet_thrift *t, int16_t id, int v)
{
    field_header(t, id, v ? PARQUET_TT_BOOL_TRUE : PARQUET_TT_BOOL_FALSE);
}

void parquet_thrift_field_i8(struct parquet_thrift *t, int16_t id, int8_t v)
{
    field_header(t, id, PARQUET_TT_BYTE);
    put_byte(t, (uint8_t)v);
}

void parquet_thrift_field_i16(struct parquet_thrift *t, int16_t id, int16_t v)
{
    field_header(t, id, PARQUET_TT_I16);
    put_varint(t, parquet_zigzag64(v));
}

void parquet_thrift_field_i32(struct parquet_thrift *t, int16_t id, int32_t v)
{
    field_header(t, id, PARQUET_TT_I32);
    put_varint(t, parquet_zigzag64(v));
}

void parquet_thrift_field_i64(struct parquet_thrift *t, int16_t id, int64_t v)
{
    field_header(t, id, PARQUET_TT_I64);
    put_varint(t, parquet_zigzag64(v));
}

void parquet_thrift_field_binary(struct parquet_thrift *t, int16_t id, const void *p, size_t n)
{
    field_header(t, id, PARQUET_TT_BINARY);
    put_varint(t, n);
    put_bytes(t, p, n);
}

void parquet_thrift_field_string(struct parquet_thrift *t, int16_t id, const char *s)
{
    parquet_thrift_field_binary(t, id, s, strlen(s));
}

void parquet_thrift_field_struct(struct parquet_thrift *t, int16_t id)
{
    field_header(t, id, PARQUET_TT_STRUCT);
    push(t);
}

void parquet_thrift_field_empty_struct(struct parquet_thrift *t, int16_t id)
{
    parquet_thrift_field_struct(t, id);
    parquet_thrift_struct_end(t);
}

void parquet_thrift_field_list(struct parquet_thrift *t, int16_t id, enum parquet_thrift_type et,
                               uint32_t n)
{
    field_header(t, id, PARQUET_TT_LIST);
    if (n < 15) {
        put_byte(t, (uint8_t)(n << 4 | (uint32_t)et));
    } else {
        put_byte(t, (uint8_t)(0xF0 | (uint32_t)et));
        put_varint(t, n);
    }
}

void parquet_thrift_elem_i32(struct parquet_thrift *t, int32_t v)
{
    put_varint(t, parquet_zigzag64(v));
}

void parquet_thrift_elem_binary(struct parquet_thrift *t, const void *p, size_t n)
{
    put_varint(t, n);
    put_bytes(t, p, n);
}

void parquet_thrift_elem_struct(struct parquet_thrift *t)
{
    push(t);
}

void parquet_thrift_raw(struct parquet_thrift *t, const void *p, size_t n)
{
    put_bytes(t, p, n);
}

static int finish(struct parquet_thrift *t, struct kc_error *err, const char *what)
{
    if (t->rc == KC_OK) {
        return KC_OK;
    }
    return kc_error_set(err, t->rc, "parquet: cannot encode %s (%s)", what, kc_rc_name(t->rc));
}

int parquet_thrift_page_header(struct kc_buf *buf, const struct parquet_page_header *ph,
                               struct kc_error *err)
{
    struct parquet_thrift t;
    parquet_thrift_init(&t, buf);
    parquet_thrift_struct_begin(&t);
    parquet_thrift_field_i32(&t, 1, ph->type);
    parquet_thrift_field_i32(&t, 2, ph->uncompressed_size);
    parquet_thrift_field_i32(&t, 3, ph->compressed_size);
    switch (ph->type) {
    case PARQUET_PAGE_DATA:
        parquet_thrift_field_struct(&t, 5);
        parquet_thrift_field_i32(&t, 1, ph->num_values);
        parquet_thrift_field_i32(&t, 2, ph->encoding);
        parquet_thrift_field_i32(&t, 3, PARQUET_ENC_RLE);
        parquet_thrift_field_i32(&t, 4, PARQUET_ENC_RLE);
        parquet_thrift_struct_end(&t);
        break;
    case PARQUET_PAGE_DICTIONARY:
        parquet_thrift_field_struct(&t, 7);
        parquet_thrift_field_i32(&t, 1, ph->num_values);
        parquet_thrift_field_i32(&t, 2, ph->encoding);
        parquet_thrift_struct_end(&t);
        break;
    case PARQUET_PAGE_DATA_V2:
        parquet_thrift_field_struct(&t, 8);
        parquet_thrift_field_i32(&t, 1, ph->num_values);
        parquet_thrift_field_i32(&t, 2, ph->num_nulls);
        parquet_thrift_field_i32(&t, 3, ph->num_rows);
        parquet_thrift_field_i32(&t, 4, ph->encoding);
        parquet_thrift_field_i32(&t, 5, ph->def_len);
        parquet_thrift_field_i32(&t, 6, ph->rep_len);
        parquet_thrift_field_bool(&t, 7, ph->is_compressed);
        parquet_thrift_struct_end(&t);
        break;
    }
    parquet_thrift_struct_end(&t);
    return finish(&t, err, "page header");
}

static void write_stats(struct parquet_thrift *t, int16_t id, const struct parquet_stats_out *st)
{
    parquet_thrift_field_struct(t, id);
    parquet_thrift_field_i64(t, 3, st->null_count);
    if (st->has_minmax) {
        parquet_thrift_field_binary(t, 5, st->max, st->max_len);
        parquet_thrift_field_binary(t, 6, st->min, st->min_len);
    }
    parquet_thrift_struct_end(t);
}

int parquet_thrift_row_group(struct kc_buf *buf, const struct parquet_chunk_meta *cols,
                             int ncols, int64_t num_rows, int64_t file_offset,
                             int16_t ordinal, struct kc_error *err)
{
    struct parquet_thrift t;
    int64_t total_uncompressed = 0;
    int64_t total_compressed = 0;

    parquet_thrift_init(&t, buf);
    parquet_thrift_elem_struct(&t);
    parquet_thrift_field_list(&t, 1, PARQUET_TT_STRUCT, (uint32_t)ncols);
    for (int i = 0; i < ncols; i++) {
        const struct parquet_chunk_meta *c = &cols[i];
        unsigned nenc = 0;
        total_uncompressed += c->total_uncompressed;
        total_compressed += c->total_compressed;
        parquet_thrift_elem_struct(&t); /* ColumnChunk */
        parquet_thrift_field_i64(&t, 2, c->dictionary_page_offset >= 0 ? c->dictionary_page_offset
                                                                      : c->data_page_offset);
        parquet_thrift_field_struct(&t, 3); /* ColumnMetaData */
        parquet_thrift_field_i32(&t, 1, c->type);
        for (unsigned e = 0; e < 32; e++) {
            nenc += (c->encodings >> e) & 1u;
        }
        parquet_thrift_field_list(&t, 2, PARQUET_TT_I32, nenc);
        for (unsigned e = 0; e < 32; e++) {
            if ((c->encodings >> e) & 1u) {
                parquet_thrift_elem_i32(&t, (int32_t)e);
            }
        }
        parquet_thrift_field_list(&t, 3, PARQUET_TT_BINARY, (uint32_t)c->path_len);
        for (int p = 0; p < c->path_len; p++) {
            parquet_thrift_elem_binary(&t, c->path[p], strlen(c->path[p]));
        }
        parquet_thrift_field_i32(&t, 4, c->codec);
        parquet_thrift_field_i64(&t, 5, c->num_values);
        parquet_thrift_field_i64(&t, 6, c->total_uncompressed);
        parquet_thrift_field_i64(&t, 7, c->total_compressed);
        parquet_thrift_field_i64(&t, 9, c->data_page_offset);
        if (c->dictionary_page_offset >= 0) {
            parquet_thrift_field_i64(&t, 11, c->dictionary_page_offset);
        }
        write_stats(&t, 12, &c->stats);
        parquet_thrift_struct_end(&t); /* ColumnMetaData */
        parquet_thrift_struct_end(&t); /* ColumnChunk */
    }
    parquet_thrift_field_i64(&t, 2, total_uncompressed);
    parquet_thrift_field_i64(&t, 3, num_rows);
    parquet_thrift_field_i64(&t, 5, file_offset);
    parquet_thrift_field_i64(&t, 6, total_compressed);
    if (ordinal >= 0) {
        parquet_thrift_field_i16(&t, 7, ordinal);
    }
    parquet_thrift_struct_end(&t);
    return finish(&t, err, "row group metadata");
}

/* The legacy ConvertedType matching lt, or -1 when the legacy annotation would mean something
 * else: it implies UTC, so non-UTC and nanosecond times get none (arrow does the same). */
static int converted_type(const struct parquet_logical *lt)
{
    switch (lt->kind) {
    case PARQUET_LOGICAL_STRING:
        return CT_UTF8;
    case PARQUET_LOGICAL_MAP:
        return CT_MAP;
    case PARQUET_LOGICAL_LIST:
        return CT_LIST;
    case PARQUET_LOGICAL_ENUM:
        return CT_ENUM;
    case PARQUET_LOGICAL_DECIMAL:
        return CT_DECIMAL;
    case PARQUET_LOGICAL_DATE:
        return CT_DATE;
    case PARQUET_LOGICAL_TIME:
        if (!lt->utc || lt->unit == PARQUET_NANOS) {
            return -1;
        }
        return lt->unit == PARQUET_MILLIS ? CT_TIME_MILLIS : CT_TIME_MICROS;
    case PARQUET_LOGICAL_TIMESTAMP:
        if (!lt->utc || lt->unit == PARQUET_NANOS) {
            return -1;
        }
        return lt->unit == PARQUET_MILLIS ? CT_TIMESTAMP_MILLIS : CT_TIMESTAMP_MICROS;
    case PARQUET_LOGICAL_INT: {
        int lg = lt->bit_width == 8 ? 0 : lt->bit_width == 16 ? 1 : lt->bit_width == 32 ? 2 : 3;
        return (lt->is_signed ? CT_INT_8 : CT_UINT_8) + lg;
    }
    case PARQUET_LOGICAL_JSON:
        return CT_JSON;
    case PARQUET_LOGICAL_NONE:
    case PARQUET_LOGICAL_UUID:
        break;
    }
    return -1;
}

/* Field 10 (logicalType): the LogicalType union member for lt. */
static void write_logical(struct parquet_thrift *t, const struct parquet_logical *lt)
{
    static const int16_t unit_id[] = {1, 2, 3}; /* TimeUnit: MILLIS, MICROS, NANOS */

    if (lt->kind == PARQUET_LOGICAL_NONE) {
        return;
    }
    parquet_thrift_field_struct(t, 10);
    switch (lt->kind) {
    case PARQUET_LOGICAL_NONE:
        break;
    case PARQUET_LOGICAL_STRING:
        parquet_thrift_field_empty_struct(t, 1);
        break;
    case PARQUET_LOGICAL_MAP:
        parquet_thrift_field_empty_struct(t, 2);
        break;
    case PARQUET_LOGICAL_LIST:
        parquet_thrift_field_empty_struct(t, 3);
        break;
    case PARQUET_LOGICAL_ENUM:
        parquet_thrift_field_empty_struct(t, 4);
        break;
    case PARQUET_LOGICAL_DECIMAL:
        parquet_thrift_field_struct(t, 5);
        parquet_thrift_field_i32(t, 1, lt->scale);
        parquet_thrift_field_i32(t, 2, lt->precision);
        parquet_thrift_struct_end(t);
        break;
    case PARQUET_LOGICAL_DATE:
        parquet_thrift_field_empty_struct(t, 6);
        break;
    case PARQUET_LOGICAL_TIME:
    case PARQUET_LOGICAL_TIMESTAMP:
        parquet_thrift_field_struct(t, lt->kind == PARQUET_LOGICAL_TIME ? 7 : 8);
        parquet_thrift_field_bool(t, 1, lt->utc);
        parquet_thrift_field_struct(t, 2);
        parquet_thrift_field_empty_struct(t, unit_id[lt->unit]);
        parquet_thrift_struct_end(t);
        parquet_thrift_struct_end(t);
        break;
    case PARQUET_LOGICAL_INT:
        parquet_thrift_field_struct(t, 10);
        parquet_thrift_field_i8(t, 1, (int8_t)lt->bit_width);
        parquet_thrift_field_bool(t, 2, lt->is_signed);
        parquet_thrift_struct_end(t);
        break;
    case PARQUET_LOGICAL_JSON:
        parquet_thrift_field_empty_struct(t, 12);
        break;
    case PARQUET_LOGICAL_UUID:
        parquet_thrift_field_empty_struct(t, 14);
        break;
    }
    parquet_thrift_struct_end(t);
}

static void write_schema_element(struct parquet_thrift *t, const struct parquet_schema *s,
                                 int id)
{
    const struct parquet_node *nd = &s->nodes[id];
    int ct;

    parquet_thrift_elem_struct(t);
    if (nd->is_leaf) {
        parquet_thrift_field_i32(t, 1, nd->type);
        if (nd->type == PARQUET_FIXED_LEN_BYTE_ARRAY) {
            parquet_thrift_field_i32(t, 2, nd->type_length);
        }
    }
    if (id != PARQUET_SCHEMA_ROOT) {
        parquet_thrift_field_i32(t, 3, nd->rep);
    }
    parquet_thrift_field_string(t, 4, nd->name);
    if (!nd->is_leaf) {
        parquet_thrift_field_i32(t, 5, nd->nchildren);
    }
    ct = converted_type(&nd->lt);
    if (ct >= 0) {
        parquet_thrift_field_i32(t, 6, ct);
    }
    if (nd->lt.kind == PARQUET_LOGICAL_DECIMAL) {
        parquet_thrift_field_i32(t, 7, nd->lt.scale);
        parquet_thrift_field_i32(t, 8, nd->lt.precision);
    }
    write_logical(t, &nd->lt);
    parquet_thrift_struct_end(t);
    for (int c = 0; c < nd->nchildren; c++) {
        write_schema_element(t, s, nd->children[c]);
    }
}

int parquet_thrift_file_metadata(struct kc_buf *buf, const struct parquet_schema *s,
                                 int64_t num_rows, const void *rg_bytes, size_t rg_len,
                                 uint32_t n_rg, const struct parquet_kv *kv, size_t n_kv,
                                 const char *created_by, struct kc_error *err)
{
    struct parquet_thrift t;

    assert(s->finished);
    parquet_thrift_init(&t, buf);
    parquet_thrift_struct_begin(&t);
    parquet_thrift_field_i32(&t, 1, 2);
    parquet_thrift_field_list(&t, 2, PARQUET_TT_STRUCT, (uint32_t)s->n);
    write_schema_element(&t, s, PARQUET_SCHEMA_ROOT);
    parquet_thrift_field_i64(&t, 3, num_rows);
    parquet_thrift_field_list(&t, 4, PARQUET_TT_STRUCT, n_rg);
    parquet_thrift_raw(&t, rg_bytes, rg_len);
    if (n_kv > 0) {
        parquet_thrift_field_list(&t, 5, PARQUET_TT_STRUCT, (uint32_t)n_kv);
        for (size_t i = 0; i < n_kv; i++) {
            parquet_thrift_elem_struct(&t);
            parquet_thrift_field_string(&t, 1, kv[i].key);
            if (kv[i].value != NULL) {
                parquet_thrift_field_string(&t, 2, kv[i].value);
            }
            parquet_thrift_struct_end(&t);
        }
    }
    parquet_thrift_field_string(&t, 6, created_by);
    /* ColumnOrder.TYPE_ORDER for every leaf: min_value/max_value follow the type's order. */
    parquet_thrift_field_list(&t, 7, PARQUET_TT_STRUCT, (uint32_t)s->nleaves);
    for (int i = 0; i < s->nleaves; i++) {
        parquet_thrift_elem_struct(&t);
        parquet_thrift_field_empty_struct(&t, 1);
        parquet_thrift_struct_end(&t);
    }
    parquet_thrift_struct_end(&t);
    return finish(&t, err, "file metadata");
}
