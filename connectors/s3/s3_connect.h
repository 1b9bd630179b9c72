/*
 * connectors/s3/s3_connect.h: converted Connect data as a JsonConverter envelope for the
 * Parquet path (see s3_connect.c).
 */
#ifndef S3_CONNECT_H
#define S3_CONNECT_H

#include "cdata.h"

/*
 * The envelope {"schema": <Connect schema>, "payload": <value>} as compact JSON text, what
 * JsonConverter with schemas.enable=true would write for (schema, value). NULL when the value
 * has no struct schema with fields (Parquet needs a struct at the top), when the schema has a
 * map whose keys are not strings, when a string is not UTF-8, or for lack of memory: the caller
 * then writes the value schemaless. The text is jansson's (free with free()).
 * @thread any
 */
char *s3_connect_envelope(const struct cdata_schema *schema, const struct cdata_value *value);

/*
 * The envelope of a struct named struct_name with one field, `field`, of schema (any type):
 * {"schema": {"type": "struct", "fields": [<schema> + "field"], "optional": false, "name":
 * struct_name}, "payload": {field: <value>}}, as Confluent's S3 sink envelops a record's key
 * for ParquetFormat (KeyRecordView: struct RecordKey, field "key"). NULL as
 * s3_connect_envelope (a schema JsonConverter cannot say, memory). @thread any
 */
char *s3_connect_wrapped(const char *struct_name, const char *field,
                         const struct cdata_schema *schema, const struct cdata_value *value);

#endif
