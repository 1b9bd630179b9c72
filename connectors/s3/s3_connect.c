/*
 * connectors/s3/s3_connect.c: a converted record value (Connect data with its schema, from
 * Avro, Protobuf, JSON Schema or a transform) as the JsonConverter envelope {"schema",
 * "payload"} the Parquet path reads, so the file's columns come from the Connect schema rather
 * than from inference. The envelope is what JsonConverter.fromConnectData writes with
 * schemas.enable=true: bytes (and Decimal) as base64, Date/Time/Timestamp as their integers,
 * string-keyed maps as objects.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "s3_connect.h"
#include "kc_text.h"

#define S3_CONNECT_MAX_DEPTH 64

static const char *type_name(enum cdata_type t)
{
    switch (t) {
    case CDATA_INT8: return "int8";
    case CDATA_INT16: return "int16";
    case CDATA_INT32: return "int32";
    case CDATA_INT64: return "int64";
    case CDATA_FLOAT32: return "float";
    case CDATA_FLOAT64: return "double";
    case CDATA_BOOLEAN: return "boolean";
    case CDATA_STRING: return "string";
    case CDATA_BYTES: return "bytes";
    case CDATA_ARRAY: return "array";
    case CDATA_MAP: return "map";
    case CDATA_STRUCT: return "struct";
    }
    return NULL;
}

/* Sets key to v (taking v); 0 on success. */
static int put(json_t *o, const char *key, json_t *v)
{
    return v != NULL && json_object_set_new(o, key, v) == 0 ? 0 : -1;
}

static json_t *schema_json(const struct cdata_schema *sc, int depth)
{
    const char *t = sc != NULL ? type_name(sc->type) : NULL;
    if (t == NULL || depth > S3_CONNECT_MAX_DEPTH) {
        return NULL;
    }
    json_t *o = json_object();
    if (o == NULL || put(o, "type", json_string(t)) != 0 ||
        put(o, "optional", json_boolean(sc->optional)) != 0) {
        json_decref(o);
        return NULL;
    }
    int ok = 1;
    if (sc->name != NULL) {
        ok = put(o, "name", json_string(sc->name)) == 0;
    }
    if (ok && sc->version != 0) {
        ok = put(o, "version", json_integer(sc->version)) == 0;
    }
    if (ok && sc->doc != NULL) {
        ok = put(o, "doc", json_string(sc->doc)) == 0;
    }
    if (ok && sc->n_params > 0) {
        /* json_object_set_new and json_array_append_new take their value even when they fail */
        json_t *p = json_object();
        int pok = p != NULL;
        for (size_t i = 0; pok && i < sc->n_params; i++) {
            pok = put(p, sc->params[i].key, json_string(sc->params[i].value)) == 0;
        }
        if (!pok) {
            json_decref(p);
            ok = 0;
        } else {
            ok = put(o, "parameters", p) == 0;
        }
    }
    switch (sc->type) {
    case CDATA_ARRAY: ok = ok && put(o, "items", schema_json(sc->items, depth + 1)) == 0; break;
    case CDATA_MAP:
        /* JsonConverter writes other keys as [key, value] pairs, which no Parquet map reads */
        ok = ok && sc->keys != NULL && sc->keys->type == CDATA_STRING &&
             put(o, "keys", schema_json(sc->keys, depth + 1)) == 0 &&
             put(o, "values", schema_json(sc->values, depth + 1)) == 0;
        break;
    case CDATA_STRUCT: {
        json_t *fs = json_array();
        ok = ok && fs != NULL;
        for (size_t i = 0; ok && i < sc->n_fields; i++) {
            json_t *f = schema_json(sc->fields[i].schema, depth + 1);
            if (f == NULL || put(f, "field", json_string(sc->fields[i].name)) != 0) {
                json_decref(f);
                ok = 0;
            } else {
                ok = json_array_append_new(fs, f) == 0; /* takes f */
            }
        }
        if (!ok) {
            json_decref(fs);
        } else {
            ok = put(o, "fields", fs) == 0;
        }
        break;
    }
    default: break;
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *base64(const char *p, size_t n)
{
    char *b = malloc(KC_B64_LEN(n) + 1);
    if (b == NULL) {
        return NULL;
    }
    size_t k = kc_b64_encode(p, n, b);
    json_t *j = json_stringn(b, k);
    free(b);
    return j;
}

static json_t *payload_json(const struct cdata_value *v, const struct cdata_schema *sc, int depth)
{
    if (v == NULL) {
        return json_null();
    }
    if (sc == NULL || depth > S3_CONNECT_MAX_DEPTH || v->type != sc->type) {
        return NULL;
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64: return json_integer((json_int_t)v->u.i);
    case CDATA_FLOAT32:
    case CDATA_FLOAT64:
        if (isnan(v->u.f)) {
            return json_string("NaN");
        }
        if (isinf(v->u.f)) {
            return json_string(v->u.f > 0 ? "Infinity" : "-Infinity");
        }
        return json_real(v->u.f);
    case CDATA_BOOLEAN: return json_boolean(v->u.b);
    case CDATA_STRING: return json_stringn(v->u.s, v->n); /* NULL when not UTF-8: fall back */
    case CDATA_BYTES: return base64(v->u.s, v->n);
    case CDATA_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; a != NULL && i < v->n; i++) {
            json_t *e = payload_json(v->u.items[i], sc->items, depth + 1);
            if (e == NULL || json_array_append_new(a, e) != 0) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case CDATA_MAP: {
        json_t *o = json_object();
        for (uint32_t i = 0; o != NULL && i < v->n; i++) {
            const struct cdata_value *k = v->u.map.keys[i];
            json_t *e = payload_json(v->u.map.vals[i], sc->values, depth + 1);
            if (k == NULL || k->type != CDATA_STRING || e == NULL) {
                json_decref(e);
                json_decref(o);
                return NULL;
            }
            if (json_object_setn_new(o, k->u.s, k->n, e) != 0) { /* takes e */
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    case CDATA_STRUCT: {
        json_t *o = json_object();
        for (size_t i = 0; o != NULL && i < sc->n_fields; i++) {
            const struct cdata_value *fv = i < v->n ? v->u.items[i] : NULL;
            json_t *e = payload_json(fv, sc->fields[i].schema, depth + 1);
            if (e == NULL || json_object_set_new(o, sc->fields[i].name, e) != 0) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    }
    return NULL;
}

char *s3_connect_envelope(const struct cdata_schema *schema, const struct cdata_value *value)
{
    if (schema == NULL || schema->type != CDATA_STRUCT || schema->n_fields == 0 ||
        value == NULL) {
        return NULL;
    }
    json_t *env = json_object();
    int ok = env != NULL && put(env, "schema", schema_json(schema, 0)) == 0 &&
             put(env, "payload", payload_json(value, schema, 0)) == 0;
    char *text = ok ? json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(env);
    return text;
}

/* A struct without fields somewhere in sc: Parquet has no empty groups. */
static int has_empty_struct(const struct cdata_schema *sc, int depth)
{
    if (sc == NULL || depth > S3_CONNECT_MAX_DEPTH) {
        return 0;
    }
    switch (sc->type) {
    case CDATA_STRUCT:
        if (sc->n_fields == 0) {
            return 1;
        }
        for (size_t i = 0; i < sc->n_fields; i++) {
            if (has_empty_struct(sc->fields[i].schema, depth + 1)) {
                return 1;
            }
        }
        return 0;
    case CDATA_ARRAY: return has_empty_struct(sc->items, depth + 1);
    case CDATA_MAP: return has_empty_struct(sc->values, depth + 1);
    default: return 0;
    }
}

char *s3_connect_wrapped(const char *struct_name, const char *field,
                         const struct cdata_schema *schema, const struct cdata_value *value)
{
    if (has_empty_struct(schema, 0)) {
        return NULL;
    }
    json_t *f = schema_json(schema, 1);
    json_t *p = f != NULL ? payload_json(value, schema, 1) : NULL;
    if (f == NULL || p == NULL || put(f, "field", json_string(field)) != 0) {
        json_decref(f);
        json_decref(p);
        return NULL;
    }
    /* "o" takes f and p, also when the pack fails (jansson >= 2.11) */
    json_t *env = json_pack("{s:{s:s, s:[o], s:b, s:s}, s:{s:o}}", "schema", "type", "struct",
                            "fields", f, "optional", 0, "name", struct_name, "payload", field, p);
    char *text = env != NULL ? json_dumps(env, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(env);
    return text;
}
