/*
 * connectors/common/conv_string.c: the byte-level converters -- StringConverter,
 * ByteArrayConverter and the fixed-width big-endian number/boolean converters
 * (org.apache.kafka.connect.converters.*Converter, Kafka's Integer/Long/... Deserializers).
 * Each yields the JVM's optional schema and, for a Kafka null, a null value.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conv_int.h"

/* ---------------------------------------------------------------- StringConverter */

static int string_init(struct conv *c, const struct kc_strmap *props, struct kc_error *err)
{
    (void)c;
    const char *enc = kc_strmap_get(props, "converter.encoding");
    if (enc != NULL && strcasecmp(enc, "UTF-8") != 0 && strcasecmp(enc, "UTF8") != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %s for configuration converter.encoding: connect-c's "
                            "StringConverter supports only UTF-8",
                            enc);
    }
    return KC_OK;
}

static int string_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                             struct kc_arena *a, const struct cdata_schema **schema,
                             const struct cdata_value **value, struct kc_error *err)
{
    (void)c;
    (void)topic;
    *schema = &cdata_schema_optional_string;
    if (data == NULL) {
        return KC_OK;
    }
    /* new String(bytes, UTF_8): malformed input becomes U+FFFD, never an error. */
    struct cdata_value *v = conv_utf8_string(a, data, len);
    if (v == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory converting record (batch arena full)");
    }
    v->schema = &cdata_schema_optional_string;
    *value = v;
    return KC_OK;
}

const struct conv_ops conv_string_ops = {
    .class_name = "org.apache.kafka.connect.storage.StringConverter",
    .caps = CONV_CAN_CONVERT | CONV_CAN_HEADER,
    .init = string_init,
    .to_connect = string_to_connect,
};

/* ---------------------------------------------------------------- ByteArrayConverter */

static int noop_init(struct conv *c, const struct kc_strmap *props, struct kc_error *err)
{
    (void)c;
    (void)props;
    (void)err;
    return KC_OK;
}

static int bytes_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                            struct kc_arena *a, const struct cdata_schema **schema,
                            const struct cdata_value **value, struct kc_error *err)
{
    (void)c;
    (void)topic;
    *schema = &cdata_schema_optional_bytes;
    if (data == NULL) {
        return KC_OK;
    }
    struct cdata_value *v = cdata_bytes(a, data, len);
    if (v == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory converting record (batch arena full)");
    }
    v->schema = &cdata_schema_optional_bytes;
    *value = v;
    return KC_OK;
}

const struct conv_ops conv_bytearray_ops = {
    .class_name = "org.apache.kafka.connect.converters.ByteArrayConverter",
    .caps = CONV_CAN_CONVERT | CONV_CAN_HEADER,
    .init = noop_init,
    .to_connect = bytes_to_connect,
};

/* ---------------------------------------------------------------- number converters */

struct num_desc {
    enum cdata_type type;
    size_t width;
    const char *type_name;   /* NumberConverter's typeName */
    const char *deser_name;  /* as Kafka's deserializers spell themselves in errors */
    const struct cdata_schema *schema;
};

static const struct num_desc num_int = {CDATA_INT32, 4, "integer", "IntegerDeserializer",
                                        &cdata_schema_optional_int32};
static const struct num_desc num_long = {CDATA_INT64, 8, "long", "LongDeserializer",
                                         &cdata_schema_optional_int64};
static const struct num_desc num_short = {CDATA_INT16, 2, "short", "ShortDeserializer",
                                          &cdata_schema_optional_int16};
static const struct num_desc num_float = {CDATA_FLOAT32, 4, "float", "Deserializer",
                                          &cdata_schema_optional_float32};
static const struct num_desc num_double = {CDATA_FLOAT64, 8, "double", "Deserializer",
                                           &cdata_schema_optional_float64};
static const struct num_desc num_bool = {CDATA_BOOLEAN, 1, "boolean", "BooleanDeserializer",
                                         &cdata_schema_optional_boolean};

static int num_init(struct conv *c, const struct kc_strmap *props, struct kc_error *err)
{
    (void)props;
    (void)err;
    const char *cls = c->ops->class_name;
    if (strstr(cls, ".IntegerConverter") != NULL) {
        c->ctx = (void *)&num_int;
    } else if (strstr(cls, ".LongConverter") != NULL) {
        c->ctx = (void *)&num_long;
    } else if (strstr(cls, ".ShortConverter") != NULL) {
        c->ctx = (void *)&num_short;
    } else if (strstr(cls, ".FloatConverter") != NULL) {
        c->ctx = (void *)&num_float;
    } else if (strstr(cls, ".DoubleConverter") != NULL) {
        c->ctx = (void *)&num_double;
    } else {
        c->ctx = (void *)&num_bool;
    }
    return KC_OK;
}

static int num_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                          struct kc_arena *a, const struct cdata_schema **schema,
                          const struct cdata_value **value, struct kc_error *err)
{
    (void)topic;
    const struct num_desc *nd = c->ctx;
    char java_msg[64];
    snprintf(java_msg, sizeof(java_msg), "Failed to deserialize %s: ", nd->type_name);
    *schema = nd->schema;
    if (data == NULL) {
        return KC_OK;
    }
    if (len != nd->width) {
        return conv_data_error(c, err, java_msg, "Size of data received by %s is not %zu",
                               nd->deser_name, nd->width);
    }
    const unsigned char *p = data;
    uint64_t u = 0;
    for (size_t i = 0; i < len; i++) {
        u = (u << 8) | p[i];
    }
    struct cdata_value *v;
    switch (nd->type) {
    case CDATA_INT16:
        v = cdata_int(a, CDATA_INT16, (int16_t)(uint16_t)u);
        break;
    case CDATA_INT32:
        v = cdata_int(a, CDATA_INT32, (int32_t)(uint32_t)u);
        break;
    case CDATA_INT64:
        v = cdata_int(a, CDATA_INT64, (int64_t)u);
        break;
    case CDATA_FLOAT32: {
        uint32_t b = (uint32_t)u;
        float f;
        memcpy(&f, &b, sizeof(f));
        v = cdata_float(a, CDATA_FLOAT32, (double)f);
        break;
    }
    case CDATA_FLOAT64: {
        double d;
        memcpy(&d, &u, sizeof(d));
        v = cdata_float(a, CDATA_FLOAT64, d);
        break;
    }
    default:
        if (u > 1) {
            return conv_data_error(c, err, java_msg,
                                   "Unexpected byte received by BooleanDeserializer: %d",
                                   (int)(int8_t)(uint8_t)u);
        }
        v = cdata_bool(a, (int)u);
        break;
    }
    if (v == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory converting record (batch arena full)");
    }
    v->schema = nd->schema;
    *value = v;
    return KC_OK;
}

#define NUM_OPS(var, cls)                                                                          \
    const struct conv_ops var = {                                                                  \
        .class_name = "org.apache.kafka.connect.converters." cls,                                  \
        .caps = CONV_CAN_CONVERT | CONV_CAN_HEADER,                                                \
        .init = num_init,                                                                          \
        .to_connect = num_to_connect,                                                              \
    }
NUM_OPS(conv_integer_ops, "IntegerConverter");
NUM_OPS(conv_long_ops, "LongConverter");
NUM_OPS(conv_short_ops, "ShortConverter");
NUM_OPS(conv_float_ops, "FloatConverter");
NUM_OPS(conv_double_ops, "DoubleConverter");
NUM_OPS(conv_boolean_ops, "BooleanConverter");
