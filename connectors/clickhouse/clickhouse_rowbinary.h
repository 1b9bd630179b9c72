/*
 * connectors/clickhouse/clickhouse_rowbinary.h: RowBinary encoding of one row per call, directed
 * by the target table's column types (clickhouse_type.h), into a kc_buf the caller sends as the
 * body of `INSERT INTO db.t (cols) FORMAT RowBinary[WithDefaults]`.
 *
 * Wire format (ClickHouse's RowBinary; checked byte for byte against 18.16 and chDB 26.x):
 *   Int/UInt 8..256, Float32/64  little-endian, width of the type; Bool = UInt8 0/1
 *   Decimal(P,S)   the value scaled by 10^S as a little-endian integer of 4/8/16/32 bytes for
 *                  P <= 9/18/38/76
 *   String         LEB128 byte length, bytes;  FixedString(N) exactly N bytes, zero padded
 *   UUID           two little-endian UInt64 halves: text bytes 0..7 reversed, then 8..15 reversed
 *   Date           UInt16 days since 1970-01-01;  Date32 Int32 days
 *   DateTime       UInt32 seconds;  DateTime64(p) Int64 ticks of 10^-p s
 *   Enum8/16       Int8/Int16 code;  IPv4 UInt32 (a.b.c.d = a<<24|b<<16|c<<8|d);  IPv6 16 bytes
 *                  in network order
 *   Nullable(T)    1 byte: 1 = NULL (nothing follows), 0 = a T follows
 *   LowCardinality(T)  as T
 *   Array(T)       LEB128 count, elements;  Map(K,V) LEB128 count, then key,value pairs
 *   Tuple(...)     elements in order
 *   RowBinaryWithDefaults (servers >= 23.x): each top-level column is preceded by one byte,
 *                  1 = use the column's DEFAULT (nothing follows), 0 = a value follows.
 *
 * Inputs. A row is a cdata value: a STRUCT (schema'd record, Connect logical types Decimal,
 * Date, Time, Timestamp honoured) or a MAP with string keys (schemaless JSON). Fields match
 * columns by exact name; fields the table lacks are ignored (input_format_skip_unknown_fields).
 * A flattened Nested column `n.a` is also found as field `a` of each object of an array field
 * `n`. Raw JSON bytes go through clickhouse_rb_json, the one entry point that knows how JSON is
 * scanned: a top-level object is walked with the shared scanner (base/kc_jscan.h) member by
 * member, each key matched to its column and each scalar value encoded from a value on the
 * stack, with no tree; a value that is itself an object or array, for a column, is parsed
 * alone by jfast. Anything else (a root that is not an object, a record that fails, a table
 * with flattened Nested columns) goes through jfast's whole tree, which is the reference: the
 * fast path gives the same bytes or defers to it, so errors and their messages are the tree's.
 *
 * How values become column values follows the official connector: a schema'd record follows
 * its RowBinary writer (INT64 into DateTime64 is already in ticks; Timestamp is rescaled from
 * ms), a schemaless value follows ClickHouse's JSONEachRow reader, which the official connector
 * sends schemaless records through: a number into DateTime/DateTime64 is epoch seconds (a
 * fraction allowed), a string of digits is seconds when it has at most 10 digits and ticks of
 * the column's precision when longer, text is ISO 8601 ('2024-01-02T03:04:05.123456Z',
 * '2024-01-02 03:04:05', a trailing Z or +hh:mm offset); a naive text is in the column's time
 * zone, of which only UTC is implemented (another zone needs an explicit offset, else the
 * record is refused rather than shifted). Unlike JSONEachRow we refuse instead of wrapping or
 * saturating: 300 into UInt8, a Decimal beyond its precision, a DateTime before 1970 or after
 * 2106 are per-record errors.
 *
 * Missing fields (absent, or JSON null in a non-Nullable column, as input_format_null_as_default):
 *   Nullable column          NULL
 *   DEFAULT column           RowBinaryWithDefaults: the "use default" byte. Plain RowBinary
 *                            (18.16 has no WithDefaults): a DEFAULT that is a literal ('text',
 *                            42, -1.5) on a column whose value needs no time zone (numbers,
 *                            Bool, Decimal, strings, Enum, UUID, IP, and Nullable/LowCardinality
 *                            of them) is encoded once from its text and written for each row
 *                            that lacks the column. Any other DEFAULT (now(), an expression of
 *                            other columns, a date): the column is left out of the INSERT's
 *                            column list so the server computes it, unless a row of the batch
 *                            gave it a value (clickhouse_rb_plan_include); rows of such a batch
 *                            that lack it get the type's zero value. A value a row gives for
 *                            such a column is not written (plan->dropped, plan->given say
 *                            which; the sink logs it once per table).
 *   other, schema'd row      per-record error (the official connector's validation:
 *                            "column x not found in the record")
 *   other, schemaless row    the type's zero value, as JSONEachRow's
 *                            input_format_defaults_for_omitted_fields does
 *
 * Errors are per record: KC_EINVAL with a message naming the column, its type, the value and
 * why, and `out` is left exactly as before the call, so the caller reports that one record (DLQ)
 * and goes on. KC_ENOMEM means the buffer hit its cap or memory ran out; kc_buf has then emptied
 * `out` and the whole batch must be rebuilt (cut batches below the cap to avoid it).
 */
#ifndef CLICKHOUSE_ROWBINARY_H
#define CLICKHOUSE_ROWBINARY_H

#include <stddef.h>
#include <stdint.h>

#include "cdata.h"
#include "clickhouse_type.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "kc_error.h"

struct jfast;

enum clickhouse_rb_format {
    CH_RB_PLAIN = 0,         /* RowBinary: every server, the only one 18.16 has */
    CH_RB_WITH_DEFAULTS = 1, /* RowBinaryWithDefaults */
};

/* Which columns an INSERT carries, for one table. One per (table, batch) on the task's thread. */
struct clickhouse_rb_plan {
    const struct clickhouse_table *table; /* borrowed; outlives the plan */
    enum clickhouse_rb_format format;
    uint8_t *send; /* owned, table->n_cols flags: 1 = column is in the INSERT's column list */
    /* CH_RB_PLAIN: DEFAULTs that are plain literals, encoded once (def_len[i] == 0: none) */
    size_t *def_at, *def_len; /* owned, n_cols each, or NULL */
    struct kc_buf def_bytes;
    /* CH_RB_PLAIN: index + 1 of a left-out DEFAULT column a row had a value for (the server
     * computes it instead), 0 = none yet; the caller warns and may clear it */
    size_t *dropped; /* owned, one counter */
    /* CH_RB_PLAIN: bit i set when the last clickhouse_rb_json / clickhouse_rb_row call met a
     * value for left-out DEFAULT column i (i < 64): the caller may send that message with a
     * plan that includes those columns (clickhouse_rb_plan_send) instead of dropping them */
    uint64_t *given; /* owned, one mask */
    /* Per-row scratch kept across rows (written through the const plan: one thread encodes
     * with a plan at a time): */
    size_t *name_len; /* owned, n_cols: strlen of each column's name */
    uint32_t *hint;   /* owned, n_cols: where the column's key was in the last JSON object
                       * (records of a topic mostly share one key order) */
    struct jfast *jf; /* owned: the JSON parser of clickhouse_rb_json, reused per message */
    struct ch_rb_flat *flat; /* owned, or NULL: the tree-free path of clickhouse_rb_json */
    struct ch_rb_native *native; /* owned, or NULL: how rows go as Native (clickhouse_rb_native) */
};

/*
 * Plan for table: every insertable column; with CH_RB_PLAIN, DEFAULT columns start left out.
 * @return KC_OK, KC_ENOMEM
 */
int clickhouse_rb_plan_init(struct clickhouse_rb_plan *p, const struct clickhouse_table *table,
                            enum clickhouse_rb_format format, struct kc_error *err);
void clickhouse_rb_plan_fini(struct clickhouse_rb_plan *p);
/*
 * CH_RB_PLAIN only: add to the column list the left-out DEFAULT columns of mask (bit i =
 * column i, as plan->given), for messages that give values for them. A row of such a message
 * that lacks one of them gets what a missing column without a DEFAULT gets (NULL, or the
 * type's zero value), since one INSERT has one column list.
 * @return KC_OK, KC_ENOMEM
 */
int clickhouse_rb_plan_send(struct clickhouse_rb_plan *p, uint64_t mask);
/*
 * CH_RB_PLAIN only: add to the column list the DEFAULT columns row gives a value for.
 * @return 1 if the list changed (rows already encoded under the old list must be sent first,
 *         with the old INSERT text), else 0
 */
int clickhouse_rb_plan_include(struct clickhouse_rb_plan *p, const struct cdata_value *row);
/*
 * Append `INSERT INTO `db`.`table` (`a`, `b`) FORMAT RowBinary[WithDefaults]` to out (names
 * backquoted and escaped). db may be NULL (the connection's database).
 * @return KC_OK, KC_ENOMEM
 */
int clickhouse_rb_insert_sql(const struct clickhouse_rb_plan *p, const char *db,
                             const char *table, struct kc_buf *out);

/*
 * The batch's rows, as the plan encoded them (RowBinary[WithDefaults], in n_chunks pieces that
 * each hold whole rows), appended to out as one block of ClickHouse's Native format: for each
 * sent column its name, its type and all its values together, which the server reads a
 * column at a time instead of a value at a time (Debian's 18.16 spends 0.67-0.81 CPU-s instead
 * of 1.10-1.13 on 1M rows of the bench's eight columns). Layout: LEB128 column count, LEB128
 * row count, then per column LEB128-prefixed name and type and the data: fixed-width values
 * back to back; Strings as LEB128 length and bytes each (as RowBinary); Nullable(T) a byte per
 * row (1 = NULL) followed by every row's T (zeros, or an empty String, under a NULL).
 * LowCardinality(T) is sent as T: servers convert such a column to the table's type in bulk
 * (18.16 does, as for clients that predate LowCardinality).
 * Only for plans whose sent columns are all such values (numbers, Bool, Decimal, String,
 * FixedString, UUID, dates, Enum, IP; Nullable and LowCardinality of them), and only when no
 * row of the batch asked for a column's DEFAULT (RowBinaryWithDefaults' flag byte 1, which
 * Native cannot say).
 * @return KC_OK (out holds the block after what it held); 1 when the batch must go as
 *         RowBinary (out unchanged); KC_ENOMEM; KC_EINVAL (bytes that are not the plan's rows)
 */
int clickhouse_rb_native(const struct clickhouse_rb_plan *p, const unsigned char *const *data,
                         const size_t *lens, size_t n_chunks, struct kc_buf *out,
                         struct kc_error *err);
/* clickhouse_rb_insert_sql's text with FORMAT Native. @return KC_OK, KC_ENOMEM */
int clickhouse_rb_native_sql(const struct clickhouse_rb_plan *p, const char *db,
                             const char *table, struct kc_buf *out);

/*
 * Append `INSERT INTO `db`.`table` FORMAT <format>` (CSV, TSV: the text of string records
 * passed through, insertFormat) to out. db may be NULL.
 * @return KC_OK, KC_ENOMEM
 */
int clickhouse_text_insert_sql(const char *db, const char *table, const char *format,
                               struct kc_buf *out);

/*
 * Encode one row (STRUCT or MAP value) and append it to out.
 * @thread one thread at a time per plan (its scratch: hint, jf)
 * @return KC_OK; KC_EINVAL (this record does not fit the table; out unchanged); KC_ENOMEM
 */
int clickhouse_rb_row(const struct clickhouse_rb_plan *p, const struct cdata_value *row,
                      struct kc_buf *out, struct kc_error *err);

/*
 * Encode a raw schemaless JSON message value: an object is one row, an array of objects is one
 * row per element (the telemetry processor's messages). Scratch values live in arena `a` (the
 * caller resets it). All of the message's rows are appended, or none (KC_EINVAL, out
 * unchanged). *rows gets the number of rows appended.
 * @return KC_OK, KC_EINVAL (malformed JSON, not an object/array of objects, or a row that does
 *         not fit), KC_ENOMEM
 */
int clickhouse_rb_json(const struct clickhouse_rb_plan *p, const char *data, size_t len,
                       struct kc_arena *a, struct kc_buf *out, size_t *rows,
                       struct kc_error *err);

/* Parse ISO-8601-ish text ('YYYY-MM-DD', 'YYYY-MM-DD[T ]hh:mm[:ss[.f]][Z|+hh[:mm]]') into
 * seconds since the epoch and nanoseconds. *has_zone tells whether an offset or Z was given (a
 * naive text is taken as UTC). Exposed for tests. @return KC_OK or KC_EINVAL */
int clickhouse_parse_datetime(const char *s, size_t n, int64_t *sec, uint32_t *nanos,
                              int *has_zone, struct kc_error *err);

#endif
