/*
 * connectors/parquet/parquet_json.h: the JSON front end of the Parquet writer.
 *
 * Three layers, each usable alone:
 *   - schemas: from a Kafka Connect schema (the "schema" object of JsonConverter envelopes,
 *     with the Connect logical types Timestamp, Date, Time and Decimal), or inferred from
 *     sample records;
 *   - records: parquet_json_write() checks one parsed JSON record against the writer's schema
 *     and, only if all of it fits, shreds it into the columns (so a bad record leaves nothing
 *     behind and the writer stays usable);
 *   - JSON lines: struct parquet_jsonl turns a byte stream of JSON lines into one or more
 *     Parquet files, with inference, a mismatch policy, and a report per bad line. The
 *     connect-parquet command and the fuzz target are thin shells around it.
 *
 * Value mapping (JSON -> column), strict unless lossless:
 *   BOOLEAN   true/false
 *   INT32/64  integers in range (of the INT(n, signed) annotation too); integral reals
 *   FLOAT/DOUBLE numbers; the strings "NaN", "Infinity", "-Infinity"
 *   DATE      integer days, or "YYYY-MM-DD"
 *   TIME      integer in the column unit, or "HH:MM:SS[.fraction]"
 *   TIMESTAMP integer in the column unit, or ISO-8601 "YYYY-MM-DD[T ]HH:MM:SS[.f][Z|+hh:mm]"
 *   DECIMAL   numbers, decimal text "-123.45", or base64 of the unscaled big-endian two's
 *             complement when the field is Connect "bytes" (JsonConverter's default)
 *   STRING/ENUM strings; JSON: any value (Connect/Debezium Json strings are stored as given)
 *   UUID      "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
 *   BYTE_ARRAY without annotation: base64 for Connect "bytes", the string's bytes otherwise
 *
 * Threads: everything here runs on the caller's thread; objects are not shared.
 */
#ifndef PARQUET_JSON_H
#define PARQUET_JSON_H

#include <jansson.h>
#include <stdint.h>

#include "parquet.h"

/* Nesting deeper than this (objects in arrays in objects...) is stored as a JSON text column
 * by inference and rejected in Connect schemas. */
#define PARQUET_JSON_MAX_DEPTH 32

/*
 * Build a Parquet schema from a Connect schema (type "struct" at the top). Connect types map
 * as the JVM S3 sink maps them (int8/int16 -> INT32 with INT(8|16), int32, int64, float,
 * double, boolean, string -> STRING, bytes -> BYTE_ARRAY, array -> LIST, map -> MAP, struct ->
 * group; "optional": false -> REQUIRED), plus the logical names:
 *   org.apache.kafka.connect.data.Timestamp  TIMESTAMP(MILLIS, UTC)
 *   org.apache.kafka.connect.data.Date       DATE
 *   org.apache.kafka.connect.data.Time       TIME(MILLIS, UTC)
 *   org.apache.kafka.connect.data.Decimal    DECIMAL(connect.decimal.precision (38 if absent),
 *                                            scale) as INT32/INT64/FIXED_LEN_BYTE_ARRAY
 *   io.debezium.time.{Timestamp,MicroTimestamp,NanoTimestamp}  TIMESTAMP(unit, not UTC)
 *   io.debezium.time.{MicroTime,NanoTime}  TIME; io.debezium.data.{Uuid,Json,Enum}
 * and the parameter "parquet.logical" on any field to pick a Parquet annotation directly:
 *   UUID, ENUM, JSON, DATE, UINT8..UINT64, INT8..INT64, DECIMAL(p,s),
 *   TIMESTAMP(MILLIS|MICROS|NANOS,true|false), TIME(MILLIS|MICROS|NANOS,true|false).
 * out (OUT): owned schema. @return KC_OK, KC_EINVAL (err names the field), KC_ENOMEM
 */
int parquet_json_schema_from_connect(const json_t *connect_schema, struct parquet_schema **out,
                                     struct kc_error *err);

/* Inference over sample records. */
struct parquet_json_infer;

/*
 * Policy: objects become optional groups (fields in first-seen order, the union of all keys),
 * arrays become optional LISTs of optional elements, true/false BOOLEAN, integers INT64,
 * reals DOUBLE (integers and reals mixed: DOUBLE), strings STRING; a field whose values
 * disagree in any other way (string and number, object and array, ...) becomes a JSON text
 * column, so no sampled record is lost. Fields only ever null become STRING. With
 * infer_timestamps, a string field whose every sampled value is a YYYY-MM-DD date becomes DATE,
 * and one whose every value is an ISO-8601 date-time TIMESTAMP(MICROS), UTC-adjusted if every
 * value carried a zone, naive if none did (finer than microseconds: kept as text, since Spark
 * cannot read NANOS).
 */
struct parquet_json_infer *parquet_json_infer_new(int infer_timestamps);
void parquet_json_infer_free(struct parquet_json_infer *inf);
/* Schema nodes built so far (the root included). */
size_t parquet_json_infer_nodes(const struct parquet_json_infer *inf);
/* Fold one record (must be an object: KC_EINVAL otherwise) into the sample. */
int parquet_json_infer_add(struct parquet_json_infer *inf, const json_t *record,
                           struct kc_error *err);
/* out (OUT): owned schema for the records seen. KC_EINVAL when no record was added. */
int parquet_json_infer_schema(const struct parquet_json_infer *inf, struct parquet_schema **out,
                              struct kc_error *err);

/* Flags for parquet_json_write. */
#define PARQUET_JSON_IGNORE_UNKNOWN 1u /* drop object keys the schema lacks (else KC_EINVAL) */

/*
 * Write one record (a JSON object, borrowed) as one row of w: checked against the schema
 * first, then shredded and ended, so KC_EINVAL means nothing was written and err says which
 * field failed and why ("field 'a.b[3]': expected int64, got string"). Other negative codes
 * come from the writer and poison it.
 */
int parquet_json_write(struct parquet_writer *w, const json_t *record, unsigned flags,
                       struct kc_error *err);

/* ------------------------------------------------------------------------------------------ */
/* JSON lines -> Parquet files */

/* The kc_error rc of a record reported because its envelope's Connect schema differs from the
 * one its file was opened with (PARQUET_JSON_SKIP): it fits a new file, it is not bad. */
#define PARQUET_JSONL_SCHEMA_CHANGED KC_RETRY

enum parquet_json_mismatch {
    PARQUET_JSON_SKIP = 0,   /* report the record, go on with the same file */
    PARQUET_JSON_ROTATE = 1, /* close the file, infer a new schema from this record on */
};

struct parquet_jsonl_options {
    struct parquet_writer_options writer;
    const json_t *connect_schema;     /* borrowed; NULL: envelope schema or inference */
    size_t infer_records;             /* sample size for inference; default 1000 */
    enum parquet_json_mismatch on_mismatch; /* inferred schemas only; default SKIP */
    int infer_timestamps;             /* see parquet_json_infer_new; default 0 */
    unsigned write_flags;             /* PARQUET_JSON_* */
    size_t max_line_bytes;            /* longer lines are bad records; default 64 MiB */
    const char *const *kv;            /* borrowed: nkv key, value pairs for every file footer */
    size_t nkv;
    struct parquet_jsonl_parsers *parsers; /* borrowed, or NULL: parsers shared by converters */
    int no_direct; /* always parse into a tree (the direct path writes the same: for tests) */
    /* parquet_jsonl_stage keeps the members parquet_jsonl_fields_get reads: only those under a
     * root member this says yes to (called once per file and root field), every one when NULL */
    int (*keep_member)(void *arg, const char *name, size_t len);
    void *keep_arg;
};

/*
 * The JSON parsers (and their arenas, 64 KiB and more each) a converter uses for one record at
 * a time: a caller with many converters on one thread (the S3 sink: one per open file) shares
 * one set instead of holding a set per converter. Free after every converter using it.
 * @thread the converters' thread
 */
struct parquet_jsonl_parsers;
struct parquet_jsonl_parsers *parquet_jsonl_parsers_new(void);
void parquet_jsonl_parsers_free(struct parquet_jsonl_parsers *p);
size_t parquet_jsonl_parsers_footprint(const struct parquet_jsonl_parsers *p);

void parquet_jsonl_options_init(struct parquet_jsonl_options *o);

/* Open output file `index` (0, then 1, 2... after rotations) and return its write callback. */
typedef int parquet_jsonl_open_fn(void *opaque, unsigned index, parquet_write_fn **write,
                                  void **write_opaque, struct kc_error *err);
/* The file `index` is complete (footer written); the callback may close it. */
typedef int parquet_jsonl_close_fn(void *opaque, unsigned index, struct kc_error *err);
/* A bad record: its 1-based line number and why. err is borrowed for the call. */
typedef void parquet_jsonl_bad_fn(void *opaque, uint64_t line, const struct kc_error *why);

struct parquet_jsonl;

/* out (OUT): owned converter; callbacks and opaque are borrowed. No file is opened before the
 * first good record (or, with a Connect schema, before finish). */
int parquet_jsonl_new(struct parquet_jsonl **out, const struct parquet_jsonl_options *o,
                      parquet_jsonl_open_fn *open, parquet_jsonl_close_fn *close,
                      parquet_jsonl_bad_fn *bad, void *opaque, struct kc_error *err);
/* Feed bytes; lines may span calls. Bad records go to the bad callback; the return is KC_OK
 * unless the output failed (KC_EIO, KC_ENOMEM: stop). */
int parquet_jsonl_feed(struct parquet_jsonl *c, const void *buf, size_t len,
                       struct kc_error *err);
/*
 * One record that is not line-framed (a Kafka message value, which may be pretty-printed over
 * several lines): the same handling as a line, with `id` (say, the record's offset) given to
 * the bad callback in place of the line number. Do not mix with a partial line from feed.
 */
int parquet_jsonl_record(struct parquet_jsonl *c, const void *buf, size_t len, uint64_t id,
                         struct kc_error *err);
/*
 * A record parsed once by a caller that reads some of its fields before writing it (the S3
 * sink's field and time partitioners), then written without a second parse:
 *   parquet_jsonl_parse: parse buf into the parsers' arena (valid until the next parse or
 *     record call on a converter sharing these parsers; KC_EINVAL for bad or blank JSON);
 *   parquet_jsonl_doc_root: the parsed value itself;
 *   parquet_jsonl_doc_get: the value at a dotted path ("a.b.c": member names split at '.')
 *     from the parsed value (from == NULL) or from an object an earlier call found (its
 *     node), read as jansson's json_object_getn step by step would read json_loadb's tree:
 *     the last of duplicate keys wins at every level. No allocation: a string found points
 *     into the parse (NUL-terminated, valid as d);
 *   parquet_jsonl_record_doc: parquet_jsonl_record() of buf/len with its parse done (d from
 *     parquet_jsonl_parse of the same bytes, or NULL: parsed here).
 */
struct parquet_jsonl_doc;
int parquet_jsonl_parse(struct parquet_jsonl_parsers *p, const void *buf, size_t len,
                        const struct parquet_jsonl_doc **out, struct kc_error *err);
enum parquet_doc_kind {
    PARQUET_DOC_MISSING = 0, /* no such member (or a step of the path is not an object) */
    PARQUET_DOC_NULL,
    PARQUET_DOC_BOOLEAN,
    PARQUET_DOC_INTEGER, /* a number without fraction or exponent (jansson's integer) */
    PARQUET_DOC_REAL,
    PARQUET_DOC_STRING,
    PARQUET_DOC_ARRAY,
    PARQUET_DOC_OBJECT,
};
struct parquet_doc_field {
    enum parquet_doc_kind kind;
    int64_t i;        /* INTEGER; BOOLEAN: 0 or 1 */
    double d;         /* REAL */
    const char *s;    /* STRING: NUL-terminated (may hold NULs before len) */
    size_t len;       /* STRING bytes */
    const void *node; /* the value found, for a lookup from it */
};
void parquet_jsonl_doc_get(const struct parquet_jsonl_doc *d, const struct parquet_doc_field *from,
                           const char *path, struct parquet_doc_field *out);
void parquet_jsonl_doc_root(const struct parquet_jsonl_doc *d, struct parquet_doc_field *out);
int parquet_jsonl_record_doc(struct parquet_jsonl *c, const struct parquet_jsonl_doc *d,
                             const void *buf, size_t len, uint64_t id, struct kc_error *err);
/*
 * The same without a tree, when the record fits the open file of a converter the caller
 * guesses (the file the last record went to). The staged fields are those under the root
 * members the options' keep_member keeps (all when it is NULL): a path under another reads as
 * missing.
 *   parquet_jsonl_stage: check buf/len against c's open file and stage its row, writing
 *     nothing; KC_OK with *fields, PARQUET_JSONL_NOT_STAGED when it cannot be staged (no open
 *     file, another schema, not an object of scalars and objects, a bad record...: take
 *     parquet_jsonl_record or _record_doc, which says why a bad one is bad), KC_ENOMEM;
 *   parquet_jsonl_fields_get: the value at a dotted path of the staged record, as
 *     parquet_jsonl_doc_get reads it (valid until the next stage, parse or record call on a
 *     converter sharing these parsers);
 *   parquet_jsonl_record_staged: parquet_jsonl_record() of buf/len (the same pointer and
 *     length as staged), writing the staged row when c staged it for its open file.
 */
#define PARQUET_JSONL_NOT_STAGED 1001 /* no KC_* code */
struct parquet_jsonl_fields;
int parquet_jsonl_stage(struct parquet_jsonl *c, const void *buf, size_t len,
                        const struct parquet_jsonl_fields **fields, struct kc_error *err);
void parquet_jsonl_fields_get(const struct parquet_jsonl_fields *f, const char *path,
                              struct parquet_doc_field *out);
int parquet_jsonl_record_staged(struct parquet_jsonl *c, const void *buf, size_t len,
                                uint64_t id, struct kc_error *err);
/*
 * Close the open file now (footer written, close callback called); the next record opens a
 * new one, with a fresh sample when the schema is inferred. For rotation by count or time.
 */
int parquet_jsonl_rotate(struct parquet_jsonl *c, struct kc_error *err);
/*
 * Release memory without closing the file: infer the schema from the records held (if the
 * sample is still open) and write the open row group. For a caller keeping one byte budget
 * over many converters (the S3 sink flushes the largest).
 */
int parquet_jsonl_flush_row_group(struct parquet_jsonl *c, struct kc_error *err);
/* Bytes held: the open writer's buffered bytes plus the records held for inference. */
size_t parquet_jsonl_buffered_bytes(const struct parquet_jsonl *c);
/* All the heap the converter holds (buffered bytes, buffers at their allocated sizes, fixed
 * state, its own parsers when not shared): what an open file costs a byte budget. */
size_t parquet_jsonl_footprint(const struct parquet_jsonl *c);
/* Process a last unterminated line, flush and close the open file. */
int parquet_jsonl_finish(struct parquet_jsonl *c, struct kc_error *err);
/* 1 when parquet_jsonl_finish would only close the open file: no partial line, no sample left
 * to infer from, a writer open. It then reads nothing from the shared parsers and reports no
 * record, so it may run on another thread than the one that wrote the records (the converter
 * then belongs to that thread until it is done). */
int parquet_jsonl_settled(const struct parquet_jsonl *c);
uint64_t parquet_jsonl_rows(const struct parquet_jsonl *c);
/* Of those, the rows written straight from their text (no tree: see parquet_int.h). */
uint64_t parquet_jsonl_direct_rows(const struct parquet_jsonl *c);
uint64_t parquet_jsonl_bad_records(const struct parquet_jsonl *c);
unsigned parquet_jsonl_files(const struct parquet_jsonl *c);
/* Accepts NULL; an open file is left without a footer. */
void parquet_jsonl_free(struct parquet_jsonl *c);

#endif
