/*
 * connectors/common/smt.h: Single Message Transforms and predicates on struct sink_record, as
 * the JVM's org.apache.kafka.connect.transforms classes do after conversion and before put().
 *
 * Transforms (full class name or simple name; "$Value"/"$Key" pick the record part):
 *   InsertField$Value|$Key    topic.field, partition.field, offset.field, timestamp.field,
 *                             static.field, static.value ("!" suffix = required, "?" optional)
 *   ReplaceField$Value|$Key   exclude, include, renames (old:new,...)
 *   ExtractField$Value|$Key   field
 *   Flatten$Value|$Key        delimiter (".")
 *   Cast$Value|$Key           spec (field:type,... or one type for the whole value)
 *   TimestampConverter$Value|$Key  field, target.type, format (SimpleDateFormat subset, UTC;
 *                             see smt_timestamp.c), unix.precision
 *   RegexRouter               regex, replacement (Java "$1" group references)
 *   Filter                    drops every record it runs on (use with a predicate)
 *   MaskField$Value|$Key      fields, replacement                         (smt_shape.c)
 *   HoistField$Value|$Key     field
 *   ValueToKey                fields
 *   TimestampRouter           topic.format, timestamp.format              (smt_timestamp.c)
 *   HeaderFrom$Value|$Key     fields, headers, operation (copy|move)      (smt_headers.c)
 *   InsertHeader              header, value.literal
 *   DropHeaders               headers
 *   io.debezium.transforms.HeaderToValue  headers, fields, operation
 *   io.debezium.transforms.ExtractNewRecordState  delete.tombstone.handling.mode, add.fields,
 *                             add.headers, route.by.field, ...            (smt_debezium.c)
 * MaskField, ValueToKey and HeaderFrom honour replace.null.with.default (default true: a null
 * Struct field reads as its schema default, as Struct.get does).
 * Predicates (org.apache.kafka.connect.transforms.predicates.*):
 *   TopicNameMatches (pattern), HasHeaderKey (name), RecordIsTombstone.
 *
 * Known gaps: MaskField of a Decimal keeps its scale ("0.00" where BigDecimal.ZERO prints "0");
 * HeaderToValue takes top-level field names only; ExtractNewRecordState refuses
 * drop.fields.header.name; TimestampRouter's "Timestamp missing" message names the record
 * briefly where the JVM prints the whole SinkRecord. Schemas derived per record are not cached,
 * so where a JVM transform caches the first schema it derived for an input schema (HeaderToValue)
 * and later records would derive another, we use the later one.
 *
 * Regular expressions are POSIX extended (regcomp REG_EXTENDED), not java.util.regex: no
 * lazy quantifiers, look-around, \d \w \s classes, (?i) flags or named groups; a whole-topic
 * match is required, as Java's Matcher.matches(). Patterns using Java-only syntax fail
 * smt_new/smt_predicate_new with KC_EINVAL rather than matching differently.
 *
 * Memory: a transformed record, and any new schema or value, is allocated in the caller's arena
 * (the batch arena); an unchanged record is passed through by pointer. Schemas derived from an
 * input schema are not cached across batches (they live in the arena).
 */
#ifndef SMT_H
#define SMT_H

#include "cdata.h"
#include "kc_arena.h"
#include "kc_error.h"
#include "kc_strmap.h"
#include "sink.h"

struct smt;           /* one configured transform; used by one task thread */
struct smt_predicate; /* one configured predicate; read-only after creation */

#define SMT_DATA_EXCEPTION "org.apache.kafka.connect.errors.DataException"

/*
 * Create a transform. props: "transforms.<alias>." stripped ({"field":"x"}); the keys
 * "type", "predicate" and "negate" are ignored here (see smt_set_predicate).
 * @thread any
 * @return KC_OK, KC_ENOENT (unknown class), KC_EINVAL (bad or missing setting), KC_ENOMEM
 */
int smt_new(const char *class_name, const struct kc_strmap *props, struct smt **out,
            struct kc_error *err);
void smt_free(struct smt *t);
/* Canonical Java class name ("org.apache.kafka.connect.transforms.InsertField$Value"). */
const char *smt_class_name(const struct smt *t);

/* Predicates: same conventions; props from "predicates.<alias>." stripped. */
int smt_predicate_new(const char *class_name, const struct kc_strmap *props,
                      struct smt_predicate **out, struct kc_error *err);
void smt_predicate_free(struct smt_predicate *p);
/* 1 if the predicate holds for rec. @thread any */
int smt_predicate_test(const struct smt_predicate *p, const struct sink_record *rec);
/* Run t only when p (borrowed; must outlive t) holds, or does not hold when negate is set. */
void smt_set_predicate(struct smt *t, const struct smt_predicate *p, int negate);

/*
 * Apply t to *in. *out is in itself (unchanged or predicate false), a new record in the arena,
 * or NULL when the record is dropped (Filter).
 * @thread the smt's owner
 * @return KC_OK, KC_EINVAL (DataException; err says why), KC_ENOMEM
 */
int smt_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
              const struct sink_record **out, struct kc_error *err);

/* Java exception class of the last KC_EINVAL from smt_apply, for the DLQ context headers
 * (SMT_DATA_EXCEPTION, SchemaBuilderException or java.lang.IllegalArgumentException as the JVM
 * throws them); NULL after success or KC_ENOMEM. @thread the smt's owner */
const char *smt_error_class(const struct smt *t);

/* The i-th supported transformation / predicate class (canonical Java name), NULL past the
 * end: for GET /connector-plugins and for validation. @thread any */
const char *smt_transform_class(size_t i);
/* Its plugin version (Debezium's classes report Debezium's), NULL = the worker's Kafka version. */
const char *smt_transform_version(size_t i);
const char *smt_predicate_class(size_t i);

#endif
