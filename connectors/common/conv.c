/*
 * connectors/common/conv.c: the converter registry and the conv object -- class lookup (full
 * Java name or simple name), the plugin list for GET /connector-plugins, dispatch to the ops
 * table, and the helpers every converter shares (DataException errors, ConfigDef-style setting
 * parsing, Java's lenient UTF-8 decoding).
 */
#include "conv_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"

static const struct conv_ops *const conv_table[] = {
    &conv_json_ops,    &conv_string_ops, &conv_bytearray_ops, &conv_integer_ops,
    &conv_long_ops,    &conv_short_ops,  &conv_float_ops,     &conv_double_ops,
    &conv_boolean_ops, &conv_simple_header_ops,
    &conv_avro_ops,
};
#define CONV_TABLE_N (sizeof(conv_table) / sizeof(conv_table[0]))

#define V CONV_PLUGIN_VERSION
static const struct conv_plugin_desc conv_plugin_list[] = {
    {"io.confluent.connect.avro.AvroConverter", "converter", V},
    {"org.apache.kafka.connect.converters.BooleanConverter", "converter", V},
    {"org.apache.kafka.connect.converters.ByteArrayConverter", "converter", V},
    {"org.apache.kafka.connect.converters.DoubleConverter", "converter", V},
    {"org.apache.kafka.connect.converters.FloatConverter", "converter", V},
    {"org.apache.kafka.connect.converters.IntegerConverter", "converter", V},
    {"org.apache.kafka.connect.converters.LongConverter", "converter", V},
    {"org.apache.kafka.connect.converters.ShortConverter", "converter", V},
    {"org.apache.kafka.connect.json.JsonConverter", "converter", V},
    {"org.apache.kafka.connect.storage.StringConverter", "converter", V},
    {"org.apache.kafka.connect.converters.BooleanConverter", "header_converter", V},
    {"org.apache.kafka.connect.converters.ByteArrayConverter", "header_converter", V},
    {"org.apache.kafka.connect.converters.DoubleConverter", "header_converter", V},
    {"org.apache.kafka.connect.converters.FloatConverter", "header_converter", V},
    {"org.apache.kafka.connect.converters.IntegerConverter", "header_converter", V},
    {"org.apache.kafka.connect.converters.LongConverter", "header_converter", V},
    {"org.apache.kafka.connect.converters.ShortConverter", "header_converter", V},
    {"org.apache.kafka.connect.json.JsonConverter", "header_converter", V},
    {"org.apache.kafka.connect.storage.SimpleHeaderConverter", "header_converter", V},
    {"org.apache.kafka.connect.storage.StringConverter", "header_converter", V},
};
#undef V

const struct conv_plugin_desc *conv_plugins(size_t *n)
{
    *n = sizeof(conv_plugin_list) / sizeof(conv_plugin_list[0]);
    return conv_plugin_list;
}

/* Full name, or the simple name after the last '.' (the JVM's plugin alias). */
static int class_matches(const char *canonical, const char *user)
{
    if (strcmp(canonical, user) == 0) {
        return 1;
    }
    const char *dot = strrchr(canonical, '.');
    return dot != NULL && strcmp(dot + 1, user) == 0;
}

static const struct conv_ops *find_ops(const char *class_name)
{
    for (size_t i = 0; i < CONV_TABLE_N; i++) {
        if (class_matches(conv_table[i]->class_name, class_name)) {
            return conv_table[i];
        }
    }
    return NULL;
}

static unsigned role_cap(int role)
{
    return role == CONV_ROLE_HEADER ? CONV_CAN_HEADER : CONV_CAN_CONVERT;
}

int conv_class_supported(const char *class_name, int is_key)
{
    const struct conv_ops *ops = class_name != NULL ? find_ops(class_name) : NULL;
    return ops != NULL && (ops->caps & role_cap(is_key)) != 0;
}

int conv_new(const char *class_name, const struct kc_strmap *props, int is_key, struct conv **out,
             struct kc_error *err)
{
    *out = NULL;
    const struct conv_ops *ops = class_name != NULL ? find_ops(class_name) : NULL;
    if (ops == NULL) {
        return kc_error_set(err, KC_ENOENT,
                            "Failed to find any class that implements Converter and which name "
                            "matches %s (connect-c supports JsonConverter, StringConverter, "
                            "ByteArrayConverter, the number/boolean converters, "
                            "SimpleHeaderConverter and AvroConverter)",
                            class_name != NULL ? class_name : "(null)");
    }
    if ((ops->caps & role_cap(is_key)) == 0) {
        return kc_error_set(err, KC_ENOENT, "%s is not a %s", ops->class_name,
                            is_key == CONV_ROLE_HEADER ? "HeaderConverter" : "Converter");
    }
    struct conv *c = kc_calloc(1, sizeof(*c));
    if (c == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory creating converter %s",
                            ops->class_name);
    }
    c->ops = ops;
    c->role = is_key;
    struct kc_strmap empty;
    kc_strmap_init(&empty);
    int rc = ops->init(c, props != NULL ? props : &empty, err);
    if (rc != KC_OK) {
        kc_free(c);
        return rc;
    }
    *out = c;
    return KC_OK;
}

void conv_free(struct conv *c)
{
    if (c == NULL) {
        return;
    }
    if (c->ops->fini != NULL) {
        c->ops->fini(c);
    }
    kc_free(c);
}

const char *conv_class_name(const struct conv *c)
{
    return c->ops->class_name;
}

int conv_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                    struct kc_arena *a, const struct cdata_schema **schema,
                    const struct cdata_value **value, struct kc_error *err)
{
    c->err_class = NULL;
    c->err_java_len = 0;
    *schema = NULL;
    *value = NULL;
    int rc = c->ops->to_connect(c, topic, data, len, a, schema, value, err);
    if (rc != KC_OK) {
        *schema = NULL;
        *value = NULL;
    }
    return rc;
}

int conv_header_to_connect(struct conv *c, const char *topic, const char *header_key,
                           const void *data, size_t len, struct kc_arena *a,
                           const struct cdata_schema **schema, const struct cdata_value **value,
                           struct kc_error *err)
{
    if (c->ops->header_to_connect == NULL) {
        return conv_to_connect(c, topic, data, len, a, schema, value, err);
    }
    c->err_class = NULL;
    c->err_java_len = 0;
    *schema = NULL;
    *value = NULL;
    int rc = c->ops->header_to_connect(c, topic, header_key, data, len, a, schema, value, err);
    if (rc != KC_OK) {
        *schema = NULL;
        *value = NULL;
    }
    return rc;
}

int conv_header_total(const struct conv *c)
{
    return c->ops->header_to_connect != NULL && (c->ops->caps & CONV_HEADER_TOTAL) != 0;
}

const char *conv_error_class(const struct conv *c)
{
    return c->err_class;
}

size_t conv_error_java_len(const struct conv *c)
{
    return c->err_java_len;
}

int conv_data_error(struct conv *c, struct kc_error *err, const char *java_msg,
                    const char *detail_fmt, ...)
{
    char detail[KC_ERROR_MSG_MAX];
    detail[0] = '\0';
    if (detail_fmt != NULL) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof(detail), detail_fmt, ap);
        va_end(ap);
    }
    kc_error_set(err, KC_EINVAL, "%s%s", java_msg, detail);
    c->err_class = CONV_DATA_EXCEPTION;
    size_t jl = strlen(java_msg);
    c->err_java_len = jl < KC_ERROR_MSG_MAX - 1 ? jl : KC_ERROR_MSG_MAX - 1;
    return KC_EINVAL;
}

int conv_schema_builder_error(struct conv *c, struct kc_error *err, const char *java_msg)
{
    int rc = conv_data_error(c, err, java_msg, NULL);
    c->err_class = CONV_SCHEMA_BUILDER_EXCEPTION;
    return rc;
}

int conv_data_error_keep(struct conv *c, struct kc_error *err, int rc)
{
    if (rc == KC_EINVAL) {
        c->err_class = CONV_DATA_EXCEPTION;
        c->err_java_len = err != NULL ? strlen(err->msg) : 0;
    }
    return rc;
}

/* ---------------------------------------------------------------- settings */

static void trim(const char *s, const char **b, size_t *n)
{
    while (*s != '\0' && isspace((unsigned char)*s)) {
        s++;
    }
    size_t l = strlen(s);
    while (l > 0 && isspace((unsigned char)s[l - 1])) {
        l--;
    }
    *b = s;
    *n = l;
}

int conv_prop_bool(const struct kc_strmap *props, const char *key, int def, int *out,
                   struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    *out = def;
    if (v == NULL) {
        return KC_OK;
    }
    const char *b;
    size_t n;
    trim(v, &b, &n);
    if (n == 4 && strncasecmp(b, "true", 4) == 0) {
        *out = 1;
    } else if (n == 5 && strncasecmp(b, "false", 5) == 0) {
        *out = 0;
    } else {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %s for configuration %s: Expected value to be either "
                            "true or false",
                            v, key);
    }
    return KC_OK;
}

int conv_prop_int(const struct kc_strmap *props, const char *key, int def, int *out,
                  struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    *out = def;
    if (v == NULL) {
        return KC_OK;
    }
    const char *b;
    size_t n;
    trim(v, &b, &n);
    char tmp[32];
    if (n == 0 || n >= sizeof(tmp)) {
        goto bad;
    }
    memcpy(tmp, b, n);
    tmp[n] = '\0';
    char *end;
    errno = 0;
    long x = strtol(tmp, &end, 10);
    if (errno != 0 || *end != '\0' || x < INT32_MIN || x > INT32_MAX) {
        goto bad;
    }
    *out = (int)x;
    return KC_OK;
bad:
    return kc_error_set(err, KC_EINVAL,
                        "Invalid value %s for configuration %s: Not a number of type INT", v, key);
}

/* ---------------------------------------------------------------- lenient UTF-8 */

static size_t valid_prefix_len(const unsigned char *p, size_t n)
{
    /* Length of the valid sequence at p (1..4), or 0 if it is ill-formed. */
    unsigned b0 = p[0];
    if (b0 < 0x80) {
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
        if (n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80) {
            return 3;
        }
        return 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
            (p[3] & 0xC0) == 0x80) {
            return 4;
        }
        return 0;
    }
    return 0;
}

/* Bytes of the maximal subpart of an ill-formed sequence at p (at least 1), as the JDK's UTF-8
 * decoder replaces them. */
static size_t bad_subpart_len(const unsigned char *p, size_t n)
{
    unsigned b0 = p[0];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (b0 == 0xED && n >= 3 && p[1] >= 0xA0 && p[1] <= 0xBF && (p[2] & 0xC0) == 0x80) {
            return 3; /* an encoded surrogate: the JDK replaces all three bytes with one U+FFFD */
        }
        need = 3;
        lo = b0 == 0xE0 ? 0xA0 : 0x80;
        hi = b0 == 0xED ? 0x9F : 0xBF;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        lo = b0 == 0xF0 ? 0x90 : 0x80;
        hi = b0 == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 1;
    }
    size_t k = 1;
    if (k < n && k < need && p[k] >= lo && p[k] <= hi) {
        k++;
        while (k < n && k < need && (p[k] & 0xC0) == 0x80) {
            k++;
        }
    }
    return k;
}

struct cdata_value *conv_utf8_string(struct kc_arena *a, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i = 0;
    /* Fast path: valid input is copied as is. */
    while (i < len) {
        size_t k = valid_prefix_len(p + i, len - i);
        if (k == 0) {
            break;
        }
        i += k;
    }
    if (i == len) {
        return cdata_string(a, (const char *)p, len);
    }
    /* Worst case every byte becomes U+FFFD (3 bytes). */
    if (len > (UINT32_MAX - 1) / 3) {
        return NULL;
    }
    char *tmp = kc_arena_alloc(a, len * 3 + 1);
    if (tmp == NULL) {
        return NULL;
    }
    size_t o = 0;
    i = 0;
    while (i < len) {
        size_t k = valid_prefix_len(p + i, len - i);
        if (k > 0) {
            memcpy(tmp + o, p + i, k);
            o += k;
            i += k;
        } else {
            memcpy(tmp + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += bad_subpart_len(p + i, len - i);
        }
    }
    struct cdata_value *v = kc_arena_alloc(a, sizeof(*v));
    if (v == NULL) {
        return NULL;
    }
    memset(v, 0, sizeof(*v));
    tmp[o] = '\0';
    v->type = CDATA_STRING;
    v->n = (uint32_t)o;
    v->u.s = tmp;
    return v;
}
