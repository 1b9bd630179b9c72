/*
 * connectors/parquet/parquet.h: the Parquet writer's contract. A caller builds a schema (groups
 * and leaf columns with repetition, physical and logical types), opens a writer on a write
 * callback, appends leaf values with their definition and repetition levels (or through the
 * flat helpers), ends each row, and closes the writer, which writes the footer.
 *
 * Memory is bounded: the writer buffers at most one row group (encoded and compressed column
 * chunks plus the open pages and dictionaries) and reports that figure through
 * parquet_writer_buffered_bytes(), so a caller holding many open files can enforce one budget
 * by calling parquet_writer_flush_row_group() on the largest. Nothing else grows with the rows
 * already written except the footer's column-chunk entries (about 100 bytes per column per row
 * group). Output leaves only through the write callback, in file order, never seeking, so an
 * S3 multipart upload can ship parts while the file grows.
 *
 * Threads: a writer and its schema belong to the caller's thread (@thread caller); distinct
 * writers are independent. Errors: functions return enum kc_rc and fill the caller's
 * struct kc_error. KC_EINVAL rejects one value and leaves the writer usable; any other negative
 * code (KC_ENOMEM, KC_EIO from the callback) poisons the writer: later calls return the same
 * code, and the caller frees it.
 */
#ifndef PARQUET_H
#define PARQUET_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"

/* Physical types, with the Thrift enum values of parquet.thrift. */
enum parquet_type {
    PARQUET_BOOLEAN = 0,
    PARQUET_INT32 = 1,
    PARQUET_INT64 = 2,
    PARQUET_INT96 = 3,
    PARQUET_FLOAT = 4,
    PARQUET_DOUBLE = 5,
    PARQUET_BYTE_ARRAY = 6,
    PARQUET_FIXED_LEN_BYTE_ARRAY = 7,
};

enum parquet_repetition {
    PARQUET_REQUIRED = 0,
    PARQUET_OPTIONAL = 1,
    PARQUET_REPEATED = 2,
};

/* Logical type annotations (parquet.thrift's LogicalType union). */
enum parquet_logical_kind {
    PARQUET_LOGICAL_NONE = 0,
    PARQUET_LOGICAL_STRING,    /* BYTE_ARRAY, UTF-8 checked on append */
    PARQUET_LOGICAL_MAP,       /* group: repeated group key_value { key; value } */
    PARQUET_LOGICAL_LIST,      /* group: repeated group list { element } */
    PARQUET_LOGICAL_ENUM,      /* BYTE_ARRAY */
    PARQUET_LOGICAL_DECIMAL,   /* INT32 (p <= 9), INT64 (p <= 18), FIXED_LEN_BYTE_ARRAY */
    PARQUET_LOGICAL_DATE,      /* INT32 days since 1970-01-01 */
    PARQUET_LOGICAL_TIME,      /* INT32 millis, INT64 micros or nanos since midnight */
    PARQUET_LOGICAL_TIMESTAMP, /* INT64 since the epoch */
    PARQUET_LOGICAL_INT,       /* INT32 (8, 16, 32 bits) or INT64 (64), signed or not */
    PARQUET_LOGICAL_JSON,      /* BYTE_ARRAY holding UTF-8 JSON text */
    PARQUET_LOGICAL_UUID,      /* FIXED_LEN_BYTE_ARRAY(16), big-endian bytes */
};

enum parquet_time_unit {
    PARQUET_MILLIS = 0,
    PARQUET_MICROS = 1,
    PARQUET_NANOS = 2,
};

struct parquet_logical {
    enum parquet_logical_kind kind;
    enum parquet_time_unit unit; /* TIME, TIMESTAMP */
    int utc;                     /* TIME, TIMESTAMP: isAdjustedToUTC */
    int precision;               /* DECIMAL: 1..38 (76 with FIXED_LEN_BYTE_ARRAY) */
    int scale;                   /* DECIMAL: 0..precision */
    int bit_width;               /* INT: 8, 16, 32 or 64 */
    int is_signed;               /* INT */
};

/* Compression codecs, with the Thrift enum values. */
enum parquet_codec {
    PARQUET_CODEC_NONE = 0,
    PARQUET_CODEC_SNAPPY = 1,
    PARQUET_CODEC_GZIP = 2,
    PARQUET_CODEC_ZSTD = 6,
    PARQUET_CODEC_LZ4_RAW = 7,
};

/* Node id of the schema root (the message); pass it as parent for top-level fields. */
#define PARQUET_SCHEMA_ROOT 0
/* Hard limits that keep hostile schemas (from inference) finite. */
#define PARQUET_MAX_LEVEL 250    /* definition or repetition level */
#define PARQUET_MAX_COLUMNS 10000 /* leaf columns per schema */
#define PARQUET_MAX_NAME 1024    /* bytes in a field name */
#define PARQUET_MAX_VALUE_BYTES ((size_t)1 << 30) /* one BYTE_ARRAY value (pages are int32) */

struct parquet_schema;
struct parquet_writer;

/*
 * The writer's only output: called with consecutive bytes of the file, in order. Return 0 on
 * success; anything else fails the writer with KC_EIO. buf is borrowed for the call only.
 */
typedef int parquet_write_fn(void *opaque, const void *buf, size_t len);

/* ------------------------------------------------------------------------------------------ */
/* Schema */

/* Owned empty schema (just the root), or NULL when out of memory. @thread caller */
struct parquet_schema *parquet_schema_new(void);
/* Accepts NULL. */
void parquet_schema_free(struct parquet_schema *s);

/*
 * Add a group node under parent. lt is NULL or a MAP/LIST annotation; the caller then adds
 * the repeated child itself (or use parquet_schema_add_list). name is copied.
 * id_out (OUT, may be NULL): the new node's id.
 * @return KC_OK, KC_EINVAL (bad parent, name, nesting or limits), KC_ENOMEM
 */
int parquet_schema_add_group(struct parquet_schema *s, int parent, const char *name,
                             enum parquet_repetition rep, const struct parquet_logical *lt,
                             int *id_out, struct kc_error *err);

/*
 * Add a leaf column under parent. lt may be NULL (no annotation); type_length is the byte width
 * of FIXED_LEN_BYTE_ARRAY (derived when 0 for UUID and DECIMAL), ignored otherwise. The pairing
 * of physical and logical type is checked here, so a file that readers reject cannot be built.
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int parquet_schema_add_leaf(struct parquet_schema *s, int parent, const char *name,
                            enum parquet_repetition rep, enum parquet_type type,
                            const struct parquet_logical *lt, int type_length, int *id_out,
                            struct kc_error *err);

/*
 * Add a standard three-level list: `<rep> group name (LIST) { repeated group list { ... } }`.
 * list_id_out (OUT): the repeated "list" group, under which the caller adds exactly one node
 * named "element".
 */
int parquet_schema_add_list(struct parquet_schema *s, int parent, const char *name,
                            enum parquet_repetition rep, int *list_id_out,
                            struct kc_error *err);

/*
 * Add a map: `<rep> group name (MAP) { repeated group key_value { ... } }`.
 * kv_id_out (OUT): the repeated "key_value" group, under which the caller adds a REQUIRED
 * "key" and a "value" node.
 */
int parquet_schema_add_map(struct parquet_schema *s, int parent, const char *name,
                           enum parquet_repetition rep, int *kv_id_out, struct kc_error *err);

/*
 * Check the tree (LIST/MAP shapes, no empty groups) and number the leaves in schema order.
 * parquet_writer_new calls it; call it yourself to learn leaf indices before opening a writer.
 * Adding a node afterwards un-finishes the schema.
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int parquet_schema_finish(struct parquet_schema *s, struct kc_error *err);

/* Number of leaf columns. */
int parquet_schema_leaf_count(const struct parquet_schema *s);
/* Leaf index (0-based, in schema order) of a leaf node id, or -1. Valid once the schema is
 * complete: adding nodes renumbers leaves. */
int parquet_schema_leaf_index(const struct parquet_schema *s, int node);
/* Maximum definition / repetition level of leaf column `leaf`. */
int parquet_schema_max_def(const struct parquet_schema *s, int leaf);
int parquet_schema_max_rep(const struct parquet_schema *s, int leaf);

/* ------------------------------------------------------------------------------------------ */
/* Writer */

struct parquet_writer_options {
    enum parquet_codec codec;     /* default SNAPPY */
    int compression_level;        /* 0: codec default (gzip 6, zstd 1) */
    int page_version;             /* 1 or 2; default 1 (what every reader knows) */
    int dictionary;               /* try dictionary encoding first; default 1 */
    size_t dictionary_page_bytes; /* dictionary bigger than this: fall back to PLAIN; 1 MiB */
    size_t page_bytes;            /* cut a page past this many encoded bytes; 1 MiB */
    size_t page_rows;             /* cut a page past this many rows; 20000 */
    size_t row_group_bytes;       /* cut a row group past this many buffered bytes; 64 MiB */
    size_t row_group_rows;        /* and past this many rows; 0 = no limit */
    size_t memory_cap;            /* buffered bytes that force a row-group cut at the next row
                                   * end, whatever row_group_bytes says; 0 = none. A capped
                                   * writer also frees its chunk buffers and dictionary tables
                                   * after each row group (many open files, one budget). */
    const char *created_by;       /* borrowed; NULL: "connect-c parquet <version>" */
};

/* Fill o with the defaults above. */
void parquet_writer_options_init(struct parquet_writer_options *o);

/*
 * Open a writer. The schema is taken: it belongs to the writer from now on, even on failure.
 * write/opaque are borrowed and must outlive the writer. No bytes are written before the first
 * row group or close.
 * out (OUT): owned writer; free with parquet_writer_free.
 * @return KC_OK, KC_EINVAL (bad options or empty schema), KC_ENOMEM
 * @thread caller
 */
int parquet_writer_new(struct parquet_writer **out, struct parquet_schema *s,
                       const struct parquet_writer_options *o, parquet_write_fn *write,
                       void *opaque, struct kc_error *err);

/* The writer's schema, borrowed for the writer's lifetime. */
const struct parquet_schema *parquet_writer_schema(const struct parquet_writer *w);

/* Add a key-value pair to the footer (both copied). Allowed until close. */
int parquet_writer_kv_add(struct parquet_writer *w, const char *key, const char *value,
                          struct kc_error *err);

/*
 * Append one level entry to leaf column `leaf`: a value when def equals the column's maximum
 * definition level, otherwise a null (or an empty/absent ancestor) at that level. rep is 0 for
 * the first entry of a row. The value layout by physical type: BOOLEAN one uint8_t (0/1),
 * INT32 int32_t, INT64 int64_t, FLOAT float, DOUBLE double (native order), INT96 12 bytes,
 * BYTE_ARRAY len bytes, FIXED_LEN_BYTE_ARRAY exactly type_length bytes. v is borrowed.
 * @return KC_OK; KC_EINVAL for a bad level or value (nothing appended, writer usable:
 *         STRING/JSON/ENUM text must be valid UTF-8); KC_ENOMEM poisons the writer.
 */
int parquet_writer_write(struct parquet_writer *w, int leaf, int rep, int def, const void *v,
                         size_t len, struct kc_error *err);

/* Flat helpers for leaves with no repeated ancestor: rep 0, def maximum (or null). */
int parquet_writer_append_null(struct parquet_writer *w, int leaf, struct kc_error *err);
int parquet_writer_append_bool(struct parquet_writer *w, int leaf, int v, struct kc_error *err);
int parquet_writer_append_i32(struct parquet_writer *w, int leaf, int32_t v,
                              struct kc_error *err);
int parquet_writer_append_i64(struct parquet_writer *w, int leaf, int64_t v,
                              struct kc_error *err);
int parquet_writer_append_float(struct parquet_writer *w, int leaf, float v,
                                struct kc_error *err);
int parquet_writer_append_double(struct parquet_writer *w, int leaf, double v,
                                 struct kc_error *err);
int parquet_writer_append_bytes(struct parquet_writer *w, int leaf, const void *p, size_t len,
                                struct kc_error *err);

/*
 * End the current row. Every leaf must have received at least one entry since the last row
 * end (KC_EFATAL otherwise, and the writer is poisoned: the row is half written). May cut
 * pages and a row group, so it may call the write callback.
 */
int parquet_writer_end_row(struct parquet_writer *w, struct kc_error *err);

/* Bytes the writer holds for the open row group: encoded pages, open pages, dictionaries. */
size_t parquet_writer_buffered_bytes(const struct parquet_writer *w);
/* Heap the writer holds now, buffers at their allocated sizes and its fixed state included
 * (an estimate within malloc's block overhead): what an open file costs a byte budget. */
size_t parquet_writer_footprint(const struct parquet_writer *w);
/* Rows ended so far, and rows already handed to the callback. */
uint64_t parquet_writer_rows(const struct parquet_writer *w);
uint64_t parquet_writer_rows_flushed(const struct parquet_writer *w);
/* Bytes handed to the write callback so far. */
uint64_t parquet_writer_bytes_written(const struct parquet_writer *w);

/* Write the open row group now (no-op when it has no rows). Must be at a row boundary. */
int parquet_writer_flush_row_group(struct parquet_writer *w, struct kc_error *err);

/*
 * Flush the last row group and write the footer and trailing magic. The writer is finished
 * afterwards (further appends return KC_EINVAL) but must still be freed. A file with zero rows
 * is valid. @return KC_OK, KC_EIO, KC_ENOMEM
 */
int parquet_writer_close(struct parquet_writer *w, struct kc_error *err);

/* Accepts NULL. Does not write anything: a writer freed before close leaves a partial file. */
void parquet_writer_free(struct parquet_writer *w);

/* Codec by name ("none"/"uncompressed", "snappy", "gzip", "zstd", "lz4_raw"); -1 if unknown. */
int parquet_codec_parse(const char *name);
const char *parquet_codec_name(enum parquet_codec c);

/* 1 if p[0..len) is valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
int parquet_utf8_valid(const void *p, size_t len);

#endif
