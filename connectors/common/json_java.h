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

#endif
