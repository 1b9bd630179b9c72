/*
 * connectors/common/json_java.h: compact JSON text of a jansson value with numbers as the JVM
 * prints them. Sinks that write JSON where the JVM connector writes through Jackson (the S3
 * sink's JsonFormat and Aiven rows) print a double as Java's Double.toString does ("0.1",
 * "1000.0", "1.0E300", "1.5E-7"), not jansson's "%.17g" ("0.10000000000000001"). Everything
 * else is json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY): members in the object's order, strings
 * escaped as jansson and Jackson both do (\" \\ \b \f \n \r \t, other controls \u00XX).
 *
 * @thread any
 */
#ifndef JSON_JAVA_H
#define JSON_JAVA_H

#include <jansson.h>

#include "kc_buf.h"

/* Append v's text to out. KC_OK, KC_ENOMEM, or KC_EINVAL (a string that is not UTF-8, which
 * json_dumps refuses too; nesting past 4096). out may then hold part of the text. */
int json_java_dump(const json_t *v, struct kc_buf *out);

/*
 * json_java_dump of the Java value JsonConverter (schemas.enable=false) makes of v, as Jackson
 * writes it (what the JVM's S3 sink writes for a schemaless JSON record): every object is a
 * java.util.HashMap, so its members come in HashMap iteration order (cdata_map_java_order of
 * its keys), and -0.0 becomes 0.0 (numbers pass through BigDecimal). Same returns.
 */
int json_java_dump_jvm(const json_t *v, struct kc_buf *out);

struct cdata_value;
/*
 * Append the text the JVM's S3 sink writes for a Connect value in a JsonFormat line: for a
 * Struct, JsonConverter (schemas.enable=false).fromConnectData; for any other value, Jackson's
 * ObjectMapper.writeObject. Both: null; integers; FLOAT32 as Float.toString and FLOAT64 as
 * Double.toString ("0.1", "1.0E10"; NaN and the infinities quoted); BYTES as a base64 string;
 * maps in java.util.HashMap order (insertion order for cdata_schema_linked_map).
 * Inside a Struct (JsonConverter): a Decimal as the base64 of BigInteger.toByteArray of its
 * unscaled value, or with decimal_numeric as a number (BigDecimal.toString:
 * decimal.format=NUMERIC); Date, Time and Timestamp as their integers; fields in schema order,
 * a null field with a default as the default; a map as an object when its keys are strings,
 * else as [key, value] pairs. Outside one (Jackson): a Decimal as a number, Date, Time and
 * Timestamp as epoch milliseconds, map keys as their toString; a Struct there is refused (Jackson
 * has no serializer for it). Strings must be UTF-8.
 * @return KC_OK, KC_ENOMEM, or KC_EINVAL (a string that is not UTF-8, a null key, a Decimal
 *         past CDATA_DECIMAL_MAX_BYTES, a Struct inside a non-Struct value, nesting past 4096)
 */
int json_java_cdata(const struct cdata_value *v, int decimal_numeric, struct kc_buf *out);

#endif
