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

#endif
