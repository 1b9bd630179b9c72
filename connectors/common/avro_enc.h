/*
 * connectors/common/avro_enc.h: Connect data to Avro, as Confluent's AvroData.fromConnectSchema
 * and fromConnectData do with the settings the storage sinks use (connect.meta.data and
 * enhanced.avro.schema.support on, names not scrubbed, generalized sum types off): the Avro
 * schema a Connect schema becomes (its JSON text, as Avro's Schema.toString prints it) and the
 * Avro binary encoding of values of that schema. The reverse of conv_avro.h's decoder; used by
 * the S3 sink's AvroFormat (connectors/s3/s3_avro.c), which wraps the encoded records in an
 * object container file.
 *
 * Mapping (AvroData 7.x):
 *   INT8/INT16 -> int with "connect.type": "int8"/"int16"; INT32 -> int; INT64 -> long; FLOAT32
 *   -> float; FLOAT64 -> double; BOOLEAN -> boolean; STRING -> string, or an enum when it has
 *   the io.confluent.connect.avro.Enum parameters (symbols in parameter order); BYTES -> bytes,
 *   or fixed with connect.fixed.size; Decimal -> bytes with logicalType decimal, scale and
 *   precision (connect.decimal.precision, else 64); Date -> int date, Time -> int time-millis,
 *   Timestamp -> long timestamp-millis; ARRAY -> array; MAP with required STRING keys -> map,
 *   other maps -> array of io.confluent.connect.avro.MapEntry {key, value} records; STRUCT ->
 *   record named by the schema's name (namespace before its last dot), unnamed ones
 *   io.confluent.connect.avro.ConnectDefault, ConnectDefault2... in the order met; a struct
 *   named io.confluent.connect.avro.Union -> a union of its fields' types.
 *   Every non-union type carries connect.doc, connect.version, connect.parameters,
 *   connect.default and connect.name when the Connect schema has them. An optional schema is a
 *   union with null: [null, T], or [T, null] when it has a non-null default (AvroData's
 *   maybeMakeOptional); an optional struct is always [null, record]. A record field has the
 *   Connect default (AvroData's JSON of it) or null for an optional one. A schema met again
 *   (equal as ConnectSchema.equals) is the same Avro type, printed by name the second time.
 *   No schema (schemaless data) -> io.confluent.connect.avro.Anything, the record with one
 *   optional field per Java type (boolean, bytes, double, float, int, long, string, array of
 *   Anything, map as an array of MapEntry {Anything key, Anything value}).
 * Map entries are written in java.util.HashMap's order (AvroData copies maps into HashMaps).
 */
#ifndef AVRO_ENC_H
#define AVRO_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "cdata.h"
#include "kc_buf.h"
#include "kc_error.h"

/* Nesting limit of schemas and values (deeper ones are refused). */
#define AVRO_ENC_MAX_DEPTH 64
/* Longest schema or field name taken (longer ones are refused, never cut). */
#define AVRO_ENC_MAX_NAME 1000

struct avro_enc; /* owns its Avro schema and JSON text; holds nothing of the Connect schema */

/*
 * Compile the Avro schema of Connect schema s (NULL: schemaless). KC_EINVAL when AvroData
 * would refuse it (err: its message, e.g. "Can't redefine: x.Y"), KC_ENOMEM.
 * @thread any
 */
int avro_enc_new(const struct cdata_schema *s, struct avro_enc **out, struct kc_error *err);
void avro_enc_free(struct avro_enc *e);

/* The Avro schema as JSON text (NUL-terminated), and its length in *len when len is not NULL. */
const char *avro_enc_schema_json(const struct avro_enc *e, size_t *len);

/* The fingerprint (cdata_schema_fingerprint) of the Connect schema e was compiled from. */
uint64_t avro_enc_fingerprint(const struct avro_enc *e);
/* Heap e holds (its nodes and schema text); 0 for NULL. */
size_t avro_enc_footprint(const struct avro_enc *e);

/*
 * Append the Avro binary encoding of v (a value of the schema e was compiled from; NULL is a
 * Java null) to out. KC_EINVAL (err: AvroData's DataException message, out left as it was),
 * KC_ENOMEM.
 * @thread any (e is only read)
 */
int avro_enc_write(const struct avro_enc *e, const struct cdata_value *v, struct kc_buf *out,
                   struct kc_error *err);

/* Avro's zig-zag varint of a long, appended. */
int avro_put_long(struct kc_buf *out, int64_t v);

#endif
