/*
 * connectors/common/conv_avro.h: the Avro half of io.confluent.connect.avro.AvroConverter -- an
 * Avro schema (JSON text, as a Schema Registry serves it) parsed into a decoder tree plus the
 * Connect schema Confluent's AvroData.toConnectSchema would build, and Avro binary data decoded
 * against it into Connect values. The converter itself (wire format, registry, cache) is in
 * conv_avro.c and reached through conv.h like every converter; this header exists for the unit
 * tests and the fuzz target, which drive the decoder without a registry.
 *
 * Why our own decoder and not Debian's Avro C library (libavro-dev, libavro23): we need Connect
 * schemas and cdata values in the batch arena, not avro_value_t objects that are reference
 * counted and freed one by one, so with libavro we would walk its schema API to build the
 * Connect schema and copy every datum out of its generic values anyway -- the library would only
 * save the varint/zigzag reading, about 100 lines. Its reader also allocates per datum with its
 * own allocator (no cap tied to the batch arena), and it has a record of crashes and unbounded
 * allocations on hostile input (block counts, lengths) that a converter fed by any producer on
 * a topic cannot afford. A small decoder that checks every length against the bytes left, caps
 * element counts and nesting, and writes straight into the arena is less code in total and easy
 * to fuzz (tests/fuzz/fuzz_avro_decoder.c).
 *
 * Mapping: what Confluent's AvroData.toConnectSchema/toConnectData do with their defaults
 * (connect.meta.data=true, enhanced schema support, generalized sum types and singleton-union
 * flattening off):
 *   boolean, int, long, float, double, bytes, string -> BOOLEAN, INT32 (INT8/INT16 with
 *   "connect.type"), INT64, FLOAT32, FLOAT64, BYTES, STRING; a standalone null is refused;
 *   record -> STRUCT named by its full name, with io.confluent.connect.avro.record.doc and
 *   .field.doc.<name> parameters; enum -> STRING named by its full name with the
 *   io.confluent.connect.avro.Enum parameters (and .enum.doc/.enum.default); fixed -> BYTES named
 *   by its full name with connect.fixed.size; array -> ARRAY; map -> MAP(STRING, V), printed in
 *   the order of the HashMap AvroData builds; union [null, X] (either order) -> X made optional;
 *   any other union -> STRUCT io.confluent.connect.avro.Union with one optional field per
 *   non-null branch (named by the record/enum/fixed simple name or the type name), optional if
 *   null is a branch, only the written branch's field set;
 *   logical types (names compared ignoring case): decimal on bytes/fixed -> Decimal (scale,
 *   default 0; connect.decimal.precision unless 64), date -> Date, time-millis -> Time,
 *   timestamp-millis -> Timestamp. time-micros and timestamp-micros stay INT64 (microseconds):
 *   AvroData maps only the millisecond types, and Connect's Time/Timestamp hold milliseconds;
 *   connect.name (a Connect logical name makes the value that type), connect.version,
 *   connect.doc and connect.parameters are honoured; names starting with
 *   io.confluent.connect.avro.ConnectDefault (what Confluent's serializer calls unnamed Connect
 *   schemas) become no name;
 *   field defaults: io.confluent.connect.avro.field.default=true on the field's schema, and the
 *   default value itself for null, boolean, numbers, strings and enums.
 * Not done: recursive schemas (refused: Connect schemas here cannot be cyclic), defaults of
 * bytes/fixed/records/arrays/maps (the marker parameter is still set), the MapEntry array
 * encoding of maps with non-string keys (decoded as the array of records it is), "avro*" schema
 * properties copied to parameters, the registry's schema version as the Connect version. A
 * decimal on a fixed type is a Decimal here; AvroData refuses it ("Mismatched names").
 */
#ifndef CONV_AVRO_H
#define CONV_AVRO_H

#include <stddef.h>

#include "cdata.h"
#include "kc_arena.h"
#include "kc_error.h"

/* Nesting limit for schemas (types within types); data nesting follows the schema. */
#define CONV_AVRO_MAX_DEPTH 64
/* Elements of one array or map whose items encode in zero bytes (null, empty records). */
#define CONV_AVRO_MAX_EMPTY_ITEMS 65536

struct conv_avro_schema; /* opaque, in the arena it was parsed into */

/*
 * Parse Avro schema JSON (len bytes, need not be NUL-terminated). Everything, including the
 * Connect schema, is allocated in a (which must outlive the values decoded with it).
 * @thread any
 * @return KC_OK, KC_EINVAL (not a schema we can use; err says why), KC_ENOMEM (arena full)
 */
int conv_avro_schema_parse(const char *json, size_t len, struct kc_arena *a,
                           const struct conv_avro_schema **out, struct kc_error *err);

/* The Connect schema of the top-level type. @thread any */
const struct cdata_schema *conv_avro_connect_schema(const struct conv_avro_schema *s);

/*
 * Decode one Avro binary datum written with schema s from data[0..len) into a. Bytes after the
 * datum are ignored (as Avro's DatumReader on a ByteBuffer does).
 * @thread any
 * @return KC_OK (*value NULL for an Avro null), KC_EINVAL (malformed data; err says where),
 *         KC_ENOMEM (arena full)
 */
int conv_avro_decode(const struct conv_avro_schema *s, const void *data, size_t len,
                     struct kc_arena *a, const struct cdata_value **value, struct kc_error *err);

#endif
