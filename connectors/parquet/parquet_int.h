/*
 * connectors/parquet/parquet_int.h: internals shared by the parquet_*.c files and their unit
 * tests; nothing outside connectors/parquet and tests/unit/parquet includes it.
 *
 * It holds the Thrift compact-protocol encoder (parquet_thrift.c), the RLE/bit-packed hybrid
 * encoder and the dictionary (parquet_encode.c), the codecs (parquet_codec.c) and the schema
 * tree (parquet_schema.c) that the writer (parquet_writer.c) drives.
 */
#ifndef PARQUET_INT_H
#define PARQUET_INT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "kc_buf.h"
#include "kc_error.h"
#include "kc_jscan.h"
#include "parquet.h"
#include "parquet_json.h"

/* Scratch buffers never need more than one page (plus headers); a row is at most this big. */
#define PARQUET_BUF_LIMIT ((size_t)1 << 31)
/* Byte-array min/max statistics are kept only for values up to this size. */
#define PARQUET_STATS_MAX_LEN 1024

/* ------------------------------------------------------------------------------------------ */
/* Thrift compact protocol (parquet_thrift.c)
 *
 * Field header: one byte (delta << 4 | type) when the field id grows by 1..15 from the last
 * field of the same struct, else the type byte then the id as a zigzag varint. Integers are
 * zigzag varints, binary is varint length + bytes, booleans live in the header's type nibble
 * (1 true, 2 false), a list is (size << 4 | elem type) or (0xF0 | elem type) + varint size,
 * and a struct ends with a 0 byte. Errors are sticky: the first failure sets rc and later
 * calls do nothing, so a serializer checks once at the end. */

enum parquet_thrift_type {
    PARQUET_TT_BOOL_TRUE = 1,
    PARQUET_TT_BOOL_FALSE = 2,
    PARQUET_TT_BYTE = 3,
    PARQUET_TT_I16 = 4,
    PARQUET_TT_I32 = 5,
    PARQUET_TT_I64 = 6,
    PARQUET_TT_DOUBLE = 7,
    PARQUET_TT_BINARY = 8,
    PARQUET_TT_LIST = 9,
    PARQUET_TT_SET = 10,
    PARQUET_TT_MAP = 11,
    PARQUET_TT_STRUCT = 12,
};

#define PARQUET_THRIFT_MAX_DEPTH 16

struct parquet_thrift {
    struct kc_buf *buf; /* borrowed: bytes are appended here */
    int16_t last_id[PARQUET_THRIFT_MAX_DEPTH];
    int depth;
    int rc; /* KC_OK until the first failure */
};

void parquet_thrift_init(struct parquet_thrift *t, struct kc_buf *buf);
/* Open the outermost struct (no header). */
void parquet_thrift_struct_begin(struct parquet_thrift *t);
/* Write the stop byte and close the innermost struct. */
void parquet_thrift_struct_end(struct parquet_thrift *t);
void parquet_thrift_field_bool(struct parquet_thrift *t, int16_t id, int v);
void parquet_thrift_field_i8(struct parquet_thrift *t, int16_t id, int8_t v);
void parquet_thrift_field_i16(struct parquet_thrift *t, int16_t id, int16_t v);
void parquet_thrift_field_i32(struct parquet_thrift *t, int16_t id, int32_t v);
void parquet_thrift_field_i64(struct parquet_thrift *t, int16_t id, int64_t v);
void parquet_thrift_field_binary(struct parquet_thrift *t, int16_t id, const void *p, size_t n);
void parquet_thrift_field_string(struct parquet_thrift *t, int16_t id, const char *s);
/* Open a struct-valued field; close it with parquet_thrift_struct_end. */
void parquet_thrift_field_struct(struct parquet_thrift *t, int16_t id);
/* A field holding an empty struct (union members such as StringType). */
void parquet_thrift_field_empty_struct(struct parquet_thrift *t, int16_t id);
/* List field header; then write n elements with the elem_* calls. */
void parquet_thrift_field_list(struct parquet_thrift *t, int16_t id, enum parquet_thrift_type et,
                               uint32_t n);
void parquet_thrift_elem_i32(struct parquet_thrift *t, int32_t v);
void parquet_thrift_elem_binary(struct parquet_thrift *t, const void *p, size_t n);
/* Open a struct list element (no header); close with parquet_thrift_struct_end. */
void parquet_thrift_elem_struct(struct parquet_thrift *t);
/* Raw bytes already in compact form (a pre-encoded struct list element). */
void parquet_thrift_raw(struct parquet_thrift *t, const void *p, size_t n);

/* Low-level helpers, exposed for the byte-exact tests. */
int parquet_varint_put(struct kc_buf *b, uint64_t v);
uint64_t parquet_zigzag64(int64_t v);

/* Thrift enum values used by the writer. */
enum parquet_encoding {
    PARQUET_ENC_PLAIN = 0,
    PARQUET_ENC_PLAIN_DICTIONARY = 2,
    PARQUET_ENC_RLE = 3,
    PARQUET_ENC_RLE_DICTIONARY = 8,
};

enum parquet_page_type {
    PARQUET_PAGE_DATA = 0,
    PARQUET_PAGE_DICTIONARY = 2,
    PARQUET_PAGE_DATA_V2 = 3,
};

/* Column statistics as they go into Statistics: PLAIN-encoded min/max (no length prefix). */
struct parquet_stats_out {
    int64_t null_count;
    int has_minmax;
    const void *min; /* borrowed */
    size_t min_len;
    const void *max; /* borrowed */
    size_t max_len;
};

/* One page header (PageHeader with its DataPageHeader, DataPageHeaderV2 or
 * DictionaryPageHeader). */
struct parquet_page_header {
    enum parquet_page_type type;
    int32_t uncompressed_size;
    int32_t compressed_size;
    int32_t num_values;
    enum parquet_encoding encoding;
    /* DATA_PAGE_V2 only */
    int32_t num_nulls;
    int32_t num_rows;
    int32_t def_len;
    int32_t rep_len;
    int is_compressed;
};

/* Append the compact encoding of a PageHeader to buf. */
int parquet_thrift_page_header(struct kc_buf *buf, const struct parquet_page_header *ph,
                               struct kc_error *err);

/* Everything ColumnChunk/ColumnMetaData needs for one column of one row group. */
struct parquet_chunk_meta {
    enum parquet_type type;
    unsigned encodings; /* bit (1 << enum parquet_encoding) per encoding used */
    const char *const *path; /* borrowed, path_len names */
    int path_len;
    enum parquet_codec codec;
    int64_t num_values;
    int64_t total_uncompressed;
    int64_t total_compressed;
    int64_t data_page_offset;
    int64_t dictionary_page_offset; /* -1: none */
    struct parquet_stats_out stats;
};

/* Append one RowGroup struct (as a list element) to buf. */
int parquet_thrift_row_group(struct kc_buf *buf, const struct parquet_chunk_meta *cols,
                             int ncols, int64_t num_rows, int64_t file_offset,
                             int16_t ordinal, struct kc_error *err);

/* A key-value pair for the footer. */
struct parquet_kv {
    char *key;   /* owned */
    char *value; /* owned, may be NULL */
};

/* Append FileMetaData: schema from s, row groups pre-encoded (rg_bytes holds n_rg RowGroup
 * structs back to back), key-value metadata, created_by and column orders. */
int parquet_thrift_file_metadata(struct kc_buf *buf, const struct parquet_schema *s,
                                 int64_t num_rows, const void *rg_bytes, size_t rg_len,
                                 uint32_t n_rg, const struct parquet_kv *kv, size_t n_kv,
                                 const char *created_by, struct kc_error *err);

/* ------------------------------------------------------------------------------------------ */
/* RLE / bit-packed hybrid (parquet_encode.c)
 *
 * A run is either repeated, header varint(count << 1) then the value in ceil(width / 8)
 * little-endian bytes, or bit-packed, header varint(groups << 1 | 1) then groups * 8 values of
 * `width` bits packed LSB first. The encoder follows parquet-mr/arrow: runs of 8 or more equal
 * values become repeated runs; the rest are packed in groups of 8 (the last padded with zeros),
 * at most 63 groups per run so the header is one byte that is patched in place. */

struct parquet_rle {
    struct kc_buf *out; /* borrowed */
    int bit_width;      /* 0..32 */
    uint32_t buffered[8];
    int nbuf;
    uint32_t cur;
    uint32_t repeat;
    uint32_t literal_count;
    size_t indicator_pos; /* SIZE_MAX when no literal run is open */
    int rc;
};

void parquet_rle_init(struct parquet_rle *r, struct kc_buf *out, int bit_width);
void parquet_rle_put(struct parquet_rle *r, uint32_t v);
/* Close the open run; returns the sticky rc. */
int parquet_rle_finish(struct parquet_rle *r);
/* Bits needed for values 0..max_value. */
static inline int parquet_bit_width(uint32_t max_value)
{
    return max_value == 0 ? 0 : 32 - __builtin_clz(max_value);
}
/* Encode n 16-bit levels as one RLE run set (no length prefix). */
int parquet_rle_levels(struct kc_buf *out, const uint16_t *lv, size_t n, int bit_width);

/* Dictionary: distinct values of one column chunk, PLAIN-encoded in insertion order. */
struct parquet_dict_entry {
    uint32_t off; /* value bytes start in data (after the length prefix for byte arrays) */
    uint32_t len;
    uint32_t hash;
};

struct parquet_dict {
    uint64_t *slots; /* owned; hash << 32 | (entry index + 1), 0 = empty; power-of-two count */
    size_t nslots;
    struct parquet_dict_entry *ents; /* owned */
    uint32_t n;
    uint32_t cap;
    int len_prefix;      /* byte arrays: each value is stored as u32 length + bytes */
    struct kc_buf data;  /* the dictionary page body */
};

void parquet_dict_init(struct parquet_dict *d, int len_prefix);
void parquet_dict_fini(struct parquet_dict *d);
void parquet_dict_reset(struct parquet_dict *d);
/* No more inserts until the next reset: frees the lookup table, keeps the page body (data, n). */
void parquet_dict_freeze(struct parquet_dict *d);
/* Index of p[0..n) in d, adding it if new. *added (OUT) says whether it was new.
 * @return KC_OK or KC_ENOMEM */
int parquet_dict_insert(struct parquet_dict *d, const void *p, size_t n, uint32_t *index,
                        int *added);
static inline size_t parquet_dict_bytes(const struct parquet_dict *d)
{
    return d->data.len + d->nslots * sizeof(d->slots[0]) + d->cap * sizeof(d->ents[0]);
}

/* ------------------------------------------------------------------------------------------ */
/* Codecs (parquet_codec.c) */

/* Compress in[0..n) into out (reset first). level 0: codec default. */
int parquet_compress(enum parquet_codec codec, int level, const void *in, size_t n,
                     struct kc_buf *out, struct kc_error *err);

/* ------------------------------------------------------------------------------------------ */
/* Schema tree (parquet_schema.c) */

struct parquet_node {
    char *name;        /* owned */
    size_t name_len;
    int parent;        /* -1 for the root */
    int *children;     /* owned node ids, in order */
    int nchildren;
    int children_cap;
    int is_leaf;
    enum parquet_repetition rep;
    enum parquet_type type; /* leaves */
    int type_length;        /* FIXED_LEN_BYTE_ARRAY */
    struct parquet_logical lt;
    int max_def;
    int max_rep;
    int depth;
    int leaf; /* leaf index, -1 for groups; valid after parquet_schema_finish */
    unsigned jflags; /* PARQUET_JF_*: how the JSON front end reads values for this node */
};

/* JSON string values of this leaf are base64 (Connect "bytes", e.g. Decimal). */
#define PARQUET_JF_BASE64 1u
/* JSON column fed by inference: every value, strings included, is stored as JSON text. */
#define PARQUET_JF_JSON_ALL 2u

struct parquet_schema {
    struct parquet_node *nodes; /* owned; nodes[0] is the root */
    int n;
    int cap;
    int *leaves; /* owned; node ids of leaves in schema (depth-first) order */
    int nleaves;
    int leaf_nodes; /* leaves added so far (nleaves counts numbered ones) */
    int finished;
};

/* Sort order of a leaf's statistics. */
enum parquet_sort {
    PARQUET_SORT_NONE = 0,
    PARQUET_SORT_SIGNED,
    PARQUET_SORT_UNSIGNED,
    PARQUET_SORT_FLOAT,
};
enum parquet_sort parquet_node_sort(const struct parquet_node *nd);

/* ------------------------------------------------------------------------------------------ */
/* Arena and the fast JSON parser (parquet_jv.c) */

struct parquet_arena_chunk;

/* Bump allocator for one record's values; reset between records. */
struct parquet_arena {
    struct parquet_arena_chunk *head; /* owned chain */
};

void parquet_arena_init(struct parquet_arena *a);
void parquet_arena_fini(struct parquet_arena *a);
void parquet_arena_reset(struct parquet_arena *a);
/* 16-byte aligned, NULL when out of memory. Valid until the next reset. */
void *parquet_arena_alloc(struct parquet_arena *a, size_t n);

#define PARQUET_JV_MAX_DEPTH 256
#define PARQUET_JV_MAX_VALUES ((size_t)1 << 21)

enum parquet_jv_type {
    PARQUET_JV_NULL = 0,
    PARQUET_JV_FALSE,
    PARQUET_JV_TRUE,
    PARQUET_JV_INT,
    PARQUET_JV_REAL,
    PARQUET_JV_STRING,
    PARQUET_JV_ARRAY,
    PARQUET_JV_OBJECT,
};

struct parquet_jv_member;

/* A parsed JSON value; everything it points to lives in the parser's arena. */
struct parquet_jv {
    enum parquet_jv_type type;
    uint32_t n; /* string bytes, array items or object members */
    union {
        int64_t i;
        double d;
        const char *s; /* NUL-terminated (may also hold NULs: use n) */
        struct parquet_jv *items;
        struct parquet_jv_member *members;
    } u;
};

struct parquet_jv_member {
    const char *key; /* NUL-terminated, no NUL inside */
    uint32_t key_len;
    struct parquet_jv v;
};

struct parquet_jv_parser {
    struct parquet_arena arena;
    struct kc_jscan js; /* the tokenizer, strict dialect */
    struct parquet_jv_member *stack; /* owned: items of the open containers */
    size_t sp;
    size_t cap;
};

void parquet_jv_parser_init(struct parquet_jv_parser *ps);
void parquet_jv_parser_fini(struct parquet_jv_parser *ps);
/* Heap the parser holds (arena chunks, container stack, scanner scratch). */
size_t parquet_jv_parser_footprint(const struct parquet_jv_parser *ps);
/* Parse exactly one JSON value from text[0..len). Resets the arena first, so the previous
 * result dies. @return KC_OK, KC_EINVAL (err says where), KC_ENOMEM */
int parquet_jv_parse(struct parquet_jv_parser *ps, const char *text, size_t len,
                     struct parquet_jv *out, struct kc_error *err);
/* Copy a jansson value (resets the arena). Object keys are borrowed from j. */
int parquet_jv_from_json(struct parquet_jv_parser *ps, const json_t *j, struct parquet_jv *out,
                         struct kc_error *err);
/* Append compact JSON text for v. */
int parquet_jv_dump(const struct parquet_jv *v, struct kc_buf *b);
/* v as a parquet_doc_field (node: v). */
void parquet_jv_doc_field(const struct parquet_jv *v, struct parquet_doc_field *out);
/*
 * A number or literal token as a value (strict dialect: big integers were rejected): 1, or 0
 * for a string or container token (v untouched). An if-chain with hints, not a switch, for
 * the reason given at scan_token in base/kc_jscan.c (a jump table mispredicts every record).
 */
static inline int parquet_jv_scalar(const struct kc_jscan_tok *t, struct parquet_jv *v)
{
    enum kc_jscan_kind kind = t->kind;
    if (__builtin_expect(kind == KC_JSCAN_NUMBER, 1)) {
        if (t->u.n.is_float) {
            v->type = PARQUET_JV_REAL;
            v->u.d = t->u.n.d;
        } else {
            v->type = PARQUET_JV_INT;
            v->u.i = t->u.n.i;
        }
        return 1;
    }
    if (kind == KC_JSCAN_TRUE || kind == KC_JSCAN_FALSE || kind == KC_JSCAN_NULL) {
        v->type = kind == KC_JSCAN_TRUE    ? PARQUET_JV_TRUE
                  : kind == KC_JSCAN_FALSE ? PARQUET_JV_FALSE
                                           : PARQUET_JV_NULL;
        return 1;
    }
    return 0;
}
/* Member value by key, or NULL. *hint is where to look first; it is updated to the slot after
 * the match, so looking fields up in the order they were written costs one compare each. */
const struct parquet_jv *parquet_jv_get(const struct parquet_jv *obj, const char *key,
                                        size_t key_len, uint32_t *hint);

/* parquet_json.c entry points on parsed values (the json_t API wraps them). */
struct parquet_json_infer;
int parquet_json_write_jv(struct parquet_writer *w, const struct parquet_jv *record,
                          unsigned flags, struct kc_error *err);
int parquet_json_infer_add_jv(struct parquet_json_infer *inf, const struct parquet_jv *record,
                              struct kc_error *err);

/*
 * The direct path (parquet_json.c): a record's text to the writer without a tree, for schemas
 * with no repeated node and records of scalars and objects of them. One per open writer: seen
 * stamps each schema node with the record that gave it a value.
 */
struct parquet_direct_key {
    uint64_t w0, w1;  /* the first 16 bytes of the name, zero-padded, in memory order */
    size_t len;
    const char *name; /* the schema's */
    int envelope;     /* a root field named "schema" or "payload" (a JsonConverter envelope's) */
    int keep;         /* a stage keeps this member and what is under it (root fields; 1 below) */
    int plain;        /* kc_jscan_plain_key: its raw text can be matched byte for byte */
};
/* How the direct path stages a leaf from a token without the general conversion (leaf_value):
 * only the plain cases whose result is the token's own bytes or number. */
enum parquet_direct_fast {
    PARQUET_FAST_NONE = 0,
    PARQUET_FAST_TEXT, /* BYTE_ARRAY read as text: an unescaped string token, in place */
    PARQUET_FAST_I64,  /* INT64 without logical type: an integer token */
    PARQUET_FAST_I32,  /* INT32 without logical type: an integer token in range */
    PARQUET_FAST_F64,  /* DOUBLE: a number token with a fraction or exponent */
    PARQUET_FAST_BOOL, /* BOOLEAN: true or false */
};
struct parquet_direct {
    uint32_t *seen; /* owned: one stamp per schema node */
    struct parquet_direct_key *keys; /* owned: the children of each node, from kid_at[node] */
    unsigned char *fast;             /* owned: per node, enum parquet_direct_fast */
    int *kid_at;                     /* owned: per node */
    int nseen;
    uint32_t stamp;
    int ok; /* the schema can be taken (and the records have not kept declining) */
    uint32_t declines; /* records declined in a row: past PARQUET_DIRECT_GIVE_UP, ok = 0 */
};
/* A file whose records keep being declined (say, objects in a column inferred as JSON text)
 * stops trying the direct path: each declined record was scanned twice. */
#define PARQUET_DIRECT_GIVE_UP 64
/* A direct path's string buffer is kept between records up to this size. */
#define PARQUET_DIRECT_TEXT_KEEP ((size_t)256 << 10)
#define PARQUET_DIRECT_DECLINED 1000 /* no KC_* code: never taken for a writer's answer */
/* (parquet_json.c's shredder) One level entry checked and waiting for the writer: a record is walked once, every entry
 * staged, and only a record that fits all the way is handed to the writer (a bad record leaves
 * nothing behind). The value is the record's own bytes (jv strings, map keys), or copied here:
 * small fixed values inline, base64 and JSON text into the shred's byte buffer. */
enum stage_at {
    STAGE_NONE = 0, /* a null */
    STAGE_PTR,      /* p: the parsed record's memory */
    STAGE_INLINE,   /* inl */
    STAGE_BYTES,    /* off into shred.bytes */
};

struct stage {
    int leaf;
    int rep;
    int def;
    enum stage_at at;
    size_t len;
    const void *p;
    size_t off;
    uint8_t inl[32];
};
/*
 * A row staged by the direct path (parquet_json_write_text, parquet_json_stage_commit): one
 * entry per leaf column of a schema without repeated nodes, levels and fixed widths made from
 * the schema, texts of STAGE_PTR entries validated by the strict scanner; bytes: the shred's
 * byte buffer for STAGE_BYTES. So only what a value itself can break is checked (a value past
 * the writer's size limit, text from STAGE_BYTES that is not UTF-8), for every entry before
 * any is written: KC_EINVAL then, with nothing written. Then the row is written and ended as
 * parquet_writer_write for each entry and parquet_writer_end_row would. PARQUET_DIRECT_DECLINED
 * when the entries are not one per column (write them one by one then).
 */
int parquet_writer_write_direct_row(struct parquet_writer *w, const struct stage *st, size_t n,
                                    const char *bytes, struct kc_error *err);
/* parquet_writer_write for a caller whose text values are valid UTF-8 already (checked by the
 * strict JSON scanner): the writer does not check them again. */
int parquet_writer_write_utf8(struct parquet_writer *w, int leaf, int rep, int def,
                              const void *v, size_t len, struct kc_error *err);
/* KC_OK (ok says whether the direct path applies to s), or KC_ENOMEM. keep (NULL: all) says
 * which root fields a stage keeps for parquet_direct_stage_members. */
int parquet_direct_init(struct parquet_direct *d, const struct parquet_schema *s,
                        int (*keep)(void *arg, const char *name, size_t len), void *keep_arg);
void parquet_direct_fini(struct parquet_direct *d);
/*
 * Write text[0..len) as one row of w, as parquet_json_write_jv would write its parse. js is a
 * strict scanner and text_buf a scratch buffer (both the caller's, reused). @return KC_OK (the
 * row is written); PARQUET_DIRECT_DECLINED (nothing written, err untouched or meaningless:
 * parse the text and take parquet_json_write_jv, which says why a bad record is bad); or
 * KC_ENOMEM and the writer's own errors.
 */
int parquet_json_write_text(struct parquet_writer *w, struct parquet_direct *d,
                            struct kc_jscan *js, struct kc_buf *text_buf, const char *text,
                            size_t len, unsigned flags, struct kc_error *err);

/*
 * The same in two steps, for a caller that reads fields of the record before it knows which
 * writer takes it (the S3 sink's partitioners): stage the record for w, read its members, then
 * commit it to w, or drop it. One stage per thread; staging again drops the last record.
 */
struct parquet_direct_member {
    int parent;      /* index of the object member it is in; -1 for the record's own */
    const char *key; /* the record text's (no escapes) */
    size_t key_len;
    struct parquet_doc_field f; /* strings point into the stage; node unused */
};
struct parquet_direct_stage;
struct parquet_direct_stage *parquet_direct_stage_new(void);
void parquet_direct_stage_free(struct parquet_direct_stage *ds);
size_t parquet_direct_stage_footprint(const struct parquet_direct_stage *ds);
/* KC_OK (staged: nothing written yet), PARQUET_DIRECT_DECLINED, KC_ENOMEM. text is borrowed
 * until the commit. */
int parquet_json_stage_text(struct parquet_direct_stage *ds, struct parquet_writer *w,
                            struct parquet_direct *d, struct kc_jscan *js, const char *text,
                            size_t len, unsigned flags, struct kc_error *err);
/* Write the staged record to w: PARQUET_DIRECT_DECLINED when nothing is staged for w. */
int parquet_json_stage_commit(struct parquet_direct_stage *ds, struct parquet_writer *w,
                              struct kc_error *err);
void parquet_direct_stage_drop(struct parquet_direct_stage *ds);
/* The staged record's members (objects before their own members), none when nothing is staged. */
const struct parquet_direct_member *parquet_direct_stage_members(
    const struct parquet_direct_stage *ds, size_t *n);

#endif
