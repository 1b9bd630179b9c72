/*
 * connectors/common/json_java.c: json_dumps' compact text with Java's double formatting.
 */
#include "json_java.h"

#include <stdio.h>
#include <string.h>

#include "cdata.h"
#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_text.h"

/* jansson parses 2048 levels; a sink may wrap such a value in a few more (Aiven's row) */
#define JSON_JAVA_MAX_DEPTH 4096

static int put_string(const char *s, size_t n, struct kc_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!kc_utf8_valid(s, n)) {
        return KC_EINVAL; /* json_dumps refuses it too: no text a reader could not decode */
    }
    if (kc_buf_append_byte(out, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    size_t run = 0; /* bytes copied as they are, appended in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        if (kc_buf_append(out, s + run, i - run) != KC_OK) {
            return KC_ENOMEM;
        }
        run = i + 1;
        char esc[7] = {'\\', 0};
        size_t len = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            len = 6;
        }
        if (kc_buf_append(out, esc, len) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    if (kc_buf_append(out, s + run, n - run) != KC_OK || kc_buf_append_byte(out, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    return KC_OK;
}

static int dump_hashmap_object(const json_t *v, struct kc_buf *out, int depth);

/* jvm: print v as Jackson prints the Java value JsonConverter (schemas.enable=false) makes of
 * it (json_java_dump_jvm). */
static int dump(const json_t *v, struct kc_buf *out, int depth, int jvm)
{
    if (depth > JSON_JAVA_MAX_DEPTH) {
        return KC_EINVAL;
    }
    switch (json_typeof(v)) {
    case JSON_NULL:
        return kc_buf_append(out, "null", 4);
    case JSON_TRUE:
        return kc_buf_append(out, "true", 4);
    case JSON_FALSE:
        return kc_buf_append(out, "false", 5);
    case JSON_INTEGER: {
        char num[24];
        int k = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return kc_buf_append(out, num, (size_t)k);
    }
    case JSON_REAL: {
        char num[CDATA_JAVA_DOUBLE_MAX];
        double d = json_real_value(v);
        if (jvm && d == 0) {
            d = 0; /* -0.0 goes through a BigDecimal, which has no negative zero */
        }
        size_t k = cdata_java_double_fmt(d, num);
        return kc_buf_append(out, num, k);
    }
    case JSON_STRING:
        return put_string(json_string_value(v), json_string_length(v), out);
    case JSON_ARRAY: {
        if (kc_buf_append_byte(out, '[') != KC_OK) {
            return KC_ENOMEM;
        }
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i > 0 && kc_buf_append_byte(out, ',') != KC_OK) {
                return KC_ENOMEM;
            }
            int rc = dump(json_array_get(v, i), out, depth + 1, jvm);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return kc_buf_append_byte(out, ']');
    }
    case JSON_OBJECT: {
        if (jvm) {
            return dump_hashmap_object(v, out, depth);
        }
        if (kc_buf_append_byte(out, '{') != KC_OK) {
            return KC_ENOMEM;
        }
        int first = 1;
        const char *key;
        size_t klen;
        json_t *x;
        /* jansson keeps insertion order: json_dumps prints members in it */
        json_object_keylen_foreach((json_t *)v, key, klen, x) {
            if (!first && kc_buf_append_byte(out, ',') != KC_OK) {
                return KC_ENOMEM;
            }
            int rc = put_string(key, klen, out);
            if (rc != KC_OK) {
                return rc;
            }
            if (kc_buf_append_byte(out, ':') != KC_OK) {
                return KC_ENOMEM;
            }
            first = 0;
            rc = dump(x, out, depth + 1, jvm);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return kc_buf_append_byte(out, '}');
    }
    }
    return KC_EINVAL;
}

int json_java_dump(const json_t *v, struct kc_buf *out)
{
    return v != NULL ? dump(v, out, 0, 0) : KC_EINVAL;
}

int json_java_dump_jvm(const json_t *v, struct kc_buf *out)
{
    return v != NULL ? dump(v, out, 0, 1) : KC_EINVAL;
}

/* An object as the java.util.HashMap JsonConverter puts its members in (new HashMap<>(), one
 * put per member in the text's order) iterates: cdata_map_java_order over its keys. */
static int dump_hashmap_object(const json_t *v, struct kc_buf *out, int depth)
{
    enum { SMALL = 32 };
    size_t n = json_object_size(v);
    if (n > UINT32_MAX / 2) {
        return KC_EINVAL;
    }
    struct cdata_value skeys[SMALL];
    const struct cdata_value *skp[SMALL];
    const json_t *svals[SMALL];
    uint32_t sorder[SMALL];
    int small = n <= SMALL;
    struct cdata_value *keys = small ? skeys : kc_malloc(n * sizeof(*keys));
    const struct cdata_value **kp = small ? skp : kc_malloc(n * sizeof(*kp));
    const json_t **vals = small ? svals : kc_malloc(n * sizeof(*vals));
    uint32_t *order = small ? sorder : kc_malloc(n * sizeof(*order));
    int rc = keys != NULL && kp != NULL && vals != NULL && order != NULL ? KC_OK : KC_ENOMEM;
    size_t i = 0;
    const char *key;
    size_t klen;
    json_t *x;
    json_object_keylen_foreach((json_t *)v, key, klen, x) {
        if (rc != KC_OK || i >= n) {
            break;
        }
        if (klen > UINT32_MAX) {
            rc = KC_EINVAL;
            break;
        }
        memset(&keys[i], 0, sizeof(keys[i]));
        keys[i].type = CDATA_STRING;
        keys[i].n = (uint32_t)klen;
        keys[i].u.s = key;
        kp[i] = &keys[i];
        vals[i] = x;
        i++;
    }
    if (rc == KC_OK) {
        struct cdata_value map;
        memset(&map, 0, sizeof(map));
        map.type = CDATA_MAP;
        map.n = (uint32_t)i;
        map.u.map.keys = kp;
        rc = cdata_map_java_order(&map, order);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(out, '{');
    }
    for (size_t j = 0; j < i && rc == KC_OK; j++) {
        const struct cdata_value *k = kp[order[j]];
        if (j > 0) {
            rc = kc_buf_append_byte(out, ',');
        }
        if (rc == KC_OK) {
            rc = put_string(k->u.s, k->n, out);
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_byte(out, ':');
        }
        if (rc == KC_OK) {
            rc = dump(vals[order[j]], out, depth + 1, 1);
        }
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(out, '}');
    }
    if (!small) {
        kc_free(keys);
        kc_free(kp);
        kc_free(vals);
        kc_free(order);
    }
    return rc;
}

/* ---- Connect values (cdata) as JsonConverter with schemas.enable=false writes them ---- */

/* Jackson's default Base64 variant (MIME without line feeds): standard alphabet, '=' padded. */
static int put_base64(const unsigned char *p, size_t n, struct kc_buf *out)
{
    if (n > ((size_t)1 << 40) || kc_buf_reserve(out, KC_B64_LEN(n) + 3) != KC_OK) {
        return KC_ENOMEM;
    }
    char *o = (char *)out->data + out->len;
    *o++ = '"';
    o += kc_b64_encode(p, n, o);
    *o++ = '"';
    *o = '\0';
    out->len = (size_t)(o - (char *)out->data);
    return KC_OK;
}

/* Double.toString / Float.toString, NaN and the infinities as Jackson writes them by default
 * (WRITE_NAN_AS_STRINGS): quoted. */
static int put_java_real(const struct cdata_value *v, struct kc_buf *out)
{
    int special = v->u.f != v->u.f || v->u.f > 1.7976931348623157e308 ||
                  v->u.f < -1.7976931348623157e308;
    if (special && kc_buf_append_byte(out, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    int rc = v->type == CDATA_FLOAT32 ? cdata_java_float((float)v->u.f, out)
                                      : cdata_java_double(v->u.f, out);
    if (rc == KC_OK && special) {
        rc = kc_buf_append_byte(out, '"');
    }
    return rc;
}

/* How a value is printed: by JsonConverter.fromConnectData (a Struct and what it holds), or by
 * Jackson's ObjectMapper.writeObject (what Confluent's JsonFormat does with any other value). */
enum cmode { CM_CONVERTER, CM_JACKSON };

static int cdump(const struct cdata_value *v, int numeric, enum cmode mode, struct kc_buf *out,
                 int depth);

/* A map key as Jackson writes it: its toString for strings, numbers and booleans. */
static int put_jackson_key(const struct cdata_value *k, struct kc_buf *out)
{
    if (k == NULL) {
        return KC_EINVAL; /* "Null key for a Map not allowed in JSON" */
    }
    if (k->type == CDATA_STRING) {
        return put_string(k->u.s, k->n, out);
    }
    if (k->type == CDATA_STRUCT || k->type == CDATA_ARRAY || k->type == CDATA_MAP ||
        k->type == CDATA_BYTES || (k->schema != NULL && k->schema->name != NULL)) {
        return KC_EINVAL; /* no key form we print as the JVM would (a Date key, a Decimal...) */
    }
    struct kc_buf t;
    kc_buf_init(&t, 64);
    int rc = cdata_to_java_string(k, &t);
    if (rc == KC_OK) {
        rc = put_string(t.data, t.len, out);
    }
    kc_buf_fini(&t);
    return rc;
}

/* A MAP: a JSON object when its keys are strings (by its key schema, else by every key), else
 * an array of [key, value] pairs; entries in the order the JVM's java.util.HashMap (or a
 * LinkedHashMap marked as such) iterates them. */
static int cdump_map(const struct cdata_value *v, int numeric, enum cmode mode,
                     struct kc_buf *out, int depth)
{
    const struct cdata_schema *sc = v->schema;
    int objects = 1; /* Jackson: always, keys written as their toString */
    if (mode == CM_CONVERTER && sc != NULL && sc->keys != NULL) {
        objects = sc->keys->type == CDATA_STRING;
    } else if (mode == CM_CONVERTER) {
        for (uint32_t i = 0; i < v->n && objects; i++) {
            const struct cdata_value *k = v->u.map.keys[i];
            objects = k != NULL && k->type == CDATA_STRING;
        }
    }
    uint32_t sorder[64];
    uint32_t *order = v->n <= 64 ? sorder : kc_malloc((size_t)v->n * sizeof(*order));
    if (order == NULL) {
        return KC_ENOMEM;
    }
    int rc = KC_OK;
    if (sc == &cdata_schema_linked_map) {
        for (uint32_t i = 0; i < v->n; i++) {
            order[i] = i;
        }
    } else {
        rc = cdata_map_java_order(v, order);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(out, objects ? '{' : '[');
    }
    for (uint32_t j = 0; j < v->n && rc == KC_OK; j++) {
        const struct cdata_value *k = v->u.map.keys[order[j]];
        if (j > 0) {
            rc = kc_buf_append_byte(out, ',');
        }
        if (rc == KC_OK && objects && mode == CM_JACKSON) {
            rc = put_jackson_key(k, out);
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(out, ':');
            }
        } else if (rc == KC_OK && objects) {
            /* a null key in a string-keyed map: Jackson would fail the record too */
            rc = k != NULL && k->type == CDATA_STRING ? put_string(k->u.s, k->n, out) : KC_EINVAL;
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(out, ':');
            }
        } else if (rc == KC_OK) {
            rc = kc_buf_append_byte(out, '[');
            if (rc == KC_OK) {
                rc = cdump(k, numeric, mode, out, depth + 1);
            }
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(out, ',');
            }
        }
        if (rc == KC_OK) {
            rc = cdump(v->u.map.vals[order[j]], numeric, mode, out, depth + 1);
        }
        if (rc == KC_OK && !objects) {
            rc = kc_buf_append_byte(out, ']');
        }
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(out, objects ? '}' : ']');
    }
    if (order != sorder) {
        kc_free(order);
    }
    return rc;
}

/* BigInteger.toByteArray of a Decimal's unscaled value: its shortest two's complement, so
 * sign bytes a producer padded it with (Avro fixed) are dropped, and zero is one 00 byte. */
static int put_decimal_base64(const unsigned char *p, size_t n, struct kc_buf *out)
{
    static const unsigned char zero = 0;
    while (n > 1 && ((p[0] == 0x00 && (p[1] & 0x80) == 0) || (p[0] == 0xFF && (p[1] & 0x80)))) {
        p++;
        n--;
    }
    return n == 0 ? put_base64(&zero, 1, out) : put_base64(p, n, out);
}

/* A Date, Time or Timestamp as Jackson writes the java.util.Date: its epoch milliseconds. */
static int put_jackson_date(const struct cdata_value *v, struct kc_buf *out)
{
    int64_t ms = cdata_schema_is(v->schema, CDATA_LOGICAL_DATE) ? cdata_date_ms(v->u.i) : v->u.i;
    char num[24];
    int k = snprintf(num, sizeof(num), "%lld", (long long)ms);
    return kc_buf_append(out, num, (size_t)k);
}

static int cdump(const struct cdata_value *v, int numeric, enum cmode mode, struct kc_buf *out,
                 int depth)
{
    if (depth > JSON_JAVA_MAX_DEPTH) {
        return KC_EINVAL;
    }
    if (v == NULL) {
        return kc_buf_append(out, "null", 4);
    }
    if (mode == CM_JACKSON && v->schema != NULL &&
        (cdata_schema_is(v->schema, CDATA_LOGICAL_DATE) ||
         cdata_schema_is(v->schema, CDATA_LOGICAL_TIME) ||
         cdata_schema_is(v->schema, CDATA_LOGICAL_TIMESTAMP))) {
        return put_jackson_date(v, out);
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64: {
        char num[24];
        int k = snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        return kc_buf_append(out, num, (size_t)k);
    }
    case CDATA_FLOAT32:
    case CDATA_FLOAT64: return put_java_real(v, out);
    case CDATA_BOOLEAN: return v->u.b ? kc_buf_append(out, "true", 4) : kc_buf_append(out, "false", 5);
    case CDATA_STRING: return put_string(v->u.s, v->n, out);
    case CDATA_BYTES:
        if (cdata_schema_is(v->schema, CDATA_LOGICAL_DECIMAL)) {
            if (numeric || mode == CM_JACKSON) {
                return cdata_to_java_string(v, out); /* BigDecimal.toString, a JSON number */
            }
            return put_decimal_base64((const unsigned char *)v->u.s, v->n, out);
        }
        return put_base64((const unsigned char *)v->u.s, v->n, out);
    case CDATA_ARRAY: {
        int rc = kc_buf_append_byte(out, '[');
        for (uint32_t i = 0; i < v->n && rc == KC_OK; i++) {
            if (i > 0) {
                rc = kc_buf_append_byte(out, ',');
            }
            if (rc == KC_OK) {
                rc = cdump(v->u.items[i], numeric, mode, out, depth + 1);
            }
        }
        return rc == KC_OK ? kc_buf_append_byte(out, ']') : rc;
    }
    case CDATA_MAP: return cdump_map(v, numeric, mode, out, depth);
    case CDATA_STRUCT: {
        const struct cdata_schema *sc = v->schema;
        if (sc == NULL || mode == CM_JACKSON) {
            return KC_EINVAL; /* Jackson has no serializer for a Struct inside a map or list */
        }
        int rc = kc_buf_append_byte(out, '{');
        for (size_t i = 0; i < sc->n_fields && rc == KC_OK; i++) {
            if (i > 0) {
                rc = kc_buf_append_byte(out, ',');
            }
            if (rc == KC_OK) {
                rc = put_string(sc->fields[i].name, strlen(sc->fields[i].name), out);
            }
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(out, ':');
            }
            if (rc == KC_OK) {
                /* Struct.get: a null field reads as its schema's default when it has one */
                const struct cdata_value *x = v->u.items[i];
                const struct cdata_schema *fs = sc->fields[i].schema;
                if (x == NULL && fs != NULL && fs->has_default) {
                    x = fs->default_value;
                }
                rc = cdump(x, numeric, mode, out, depth + 1);
            }
        }
        return rc == KC_OK ? kc_buf_append_byte(out, '}') : rc;
    }
    }
    return KC_EINVAL;
}

int json_java_cdata(const struct cdata_value *v, int decimal_numeric, struct kc_buf *out)
{
    return cdump(v, decimal_numeric,
                 v != NULL && v->type == CDATA_STRUCT ? CM_CONVERTER : CM_JACKSON, out, 0);
}
