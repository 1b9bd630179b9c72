/*
 * connectors/common/conv.h: Connect converters -- Kafka bytes to Connect data (cdata), as the
 * JVM's Converter.toConnectData and HeaderConverter.toConnectHeader do. The worker creates one
 * struct conv per role (key, value, header) per task from `key.converter`, `value.converter`,
 * `header.converter` and their prefix-stripped settings, and calls it on the task thread.
 *
 * Converters (the canonical Java class, or its simple name as the JVM's plugin aliases allow):
 *   org.apache.kafka.connect.json.JsonConverter            converter + header converter
 *       schemas.enable (true), schemas.cache.size (1000), decimal.format (BASE64|NUMERIC),
 *       replace.null.with.default (true); converter.type is accepted and ignored.
 *   org.apache.kafka.connect.storage.StringConverter        converter + header converter
 *       converter.encoding: UTF-8 only (others fail conv_new with KC_EINVAL).
 *   org.apache.kafka.connect.converters.ByteArrayConverter  converter + header converter
 *   org.apache.kafka.connect.converters.{Integer,Long,Short,Float,Double,Boolean}Converter
 *                                                           converter + header converter
 *   org.apache.kafka.connect.storage.SimpleHeaderConverter  header converter only
 *   io.confluent.connect.avro.AvroConverter                 converter (Schema Registry; see
 *       conv_avro.c for its settings and conv_avro.h for the Avro -> Connect mapping)
 *
 * Memory: schemas and values are written into the caller's arena (the batch arena) and live as
 * long as it does; exceptions are JsonConverter's cached schemas (up to schemas.cache.size
 * distinct schema texts, owned by the conv and freed by conv_free), which records may point at
 * -- so free a conv only after the batches it converted are released.
 *
 * Errors: conversion failures return KC_EINVAL with the JVM's DataException message in
 * err->msg, possibly followed by details the JVM keeps in the exception's cause
 * ("Converting byte[] to Kafka Connect data failed due to serialization error: " + what Jackson
 * would have said). conv_error_class() and conv_error_java_len() give the DLQ context headers
 * (__connect.errors.exception.class.name / .message) exactly. KC_ENOMEM means the arena (or a
 * scratch allocation) ran out: not the record's fault, so the worker should release or flush the
 * batch and retry the record rather than DLQ it.
 */
#ifndef CONV_H
#define CONV_H

#include <stddef.h>

#include "cdata.h"
#include "kc_arena.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct conv; /* opaque, one per task and role; not thread-safe */

/* Roles for conv_new's is_key argument (0 and 1 keep the plain boolean meaning). */
#define CONV_ROLE_VALUE 0
#define CONV_ROLE_KEY 1
#define CONV_ROLE_HEADER 2

/* Version string reported for the built-in converters (AppInfoParser's Kafka version). */
#define CONV_PLUGIN_VERSION "4.1.0"

#define CONV_DATA_EXCEPTION "org.apache.kafka.connect.errors.DataException"

struct conv_plugin_desc {
    const char *class_name; /* Java class */
    const char *type;       /* "converter" or "header_converter" (PluginType lower case) */
    const char *version;
};

/*
 * Plugins for GET /connector-plugins?connectorsOnly=false: one row per (class, type), sorted by
 * type then class as the JVM lists them. Static storage. @thread any
 */
const struct conv_plugin_desc *conv_plugins(size_t *n);

/*
 * 1 if class_name names a converter we implement for the role (full name or simple name).
 * @thread any
 */
int conv_class_supported(const char *class_name, int is_key);

/*
 * Create a converter. class_name: full Java class name or simple name. props: the converter's
 * settings with the role prefix already stripped ({"schemas.enable":"false"}), borrowed for the
 * call. is_key: CONV_ROLE_VALUE, CONV_ROLE_KEY or CONV_ROLE_HEADER.
 * @thread any (the result is then used by one thread)
 * @return KC_OK (*out owned, free with conv_free), KC_ENOENT (unknown class or not usable in
 *         that role; err names it), KC_EINVAL (bad setting: "Invalid value X for configuration
 *         K: ..."), KC_ENOMEM
 */
int conv_new(const char *class_name, const struct kc_strmap *props, int is_key, struct conv **out,
             struct kc_error *err);
void conv_free(struct conv *c);

/* Canonical Java class name of the converter. @thread any */
const char *conv_class_name(const struct conv *c);

/*
 * Converter.toConnectData(topic, data). data == NULL is a Kafka null (tombstone) and gives
 * (*schema, *value) as the JVM would: for JsonConverter (NULL, NULL); for StringConverter
 * (optional string schema, NULL). topic is borrowed (unused by the built-ins, kept for parity).
 * @thread the conv's owner
 * @return KC_OK, KC_EINVAL (DataException; err set), KC_ENOMEM
 */
int conv_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                    struct kc_arena *a, const struct cdata_schema **schema,
                    const struct cdata_value **value, struct kc_error *err);

/*
 * HeaderConverter.toConnectHeader(topic, header_key, data). Same contract as conv_to_connect.
 * @thread the conv's owner
 */
int conv_header_to_connect(struct conv *c, const char *topic, const char *header_key,
                           const void *data, size_t len, struct kc_arena *a,
                           const struct cdata_schema **schema, const struct cdata_value **value,
                           struct kc_error *err);

/*
 * 1 when conv_header_to_connect accepts every header (SimpleHeaderConverter: what it cannot parse
 * stays a string) and fails only for lack of memory, so skipping the conversion for a sink that
 * never reads headers cannot change which records fail. @thread any
 */
int conv_header_total(const struct conv *c);

/* Java exception class of the last failure (CONV_DATA_EXCEPTION), or NULL if the last call
 * succeeded or failed for lack of memory. @thread the conv's owner */
const char *conv_error_class(const struct conv *c);
/* How many leading bytes of the last failure's err->msg are the Java exception's getMessage()
 * (the rest is detail from the cause). @thread the conv's owner */
size_t conv_error_java_len(const struct conv *c);

/*
 * Java's new String(bytes, UTF_8): invalid sequences become U+FFFD (one per maximal subpart, as
 * the JDK decoder does). Returns a STRING value in the arena, or NULL when out of memory.
 */
struct cdata_value *conv_utf8_string(struct kc_arena *a, const void *data, size_t len);

#endif
