/*
 * connectors/common/smt_shape.c: transforms that reshape a record part as a whole or per named
 * field -- MaskField$Value/$Key (fields, replacement), HoistField$Value/$Key (field) and
 * ValueToKey (fields) -- for Map values (schemaless) and Structs, as the JVM's classes of the
 * same names do, replace.null.with.default included.
 *
 * MaskField, like the JVM, replaces a field by the "empty" value of its Java class (0, 0.0,
 * false, "", an empty list or map, Date(0)), or by the replacement string converted to that
 * class (numbers as BigDecimal parses them, truncated like Number.longValue()). Known gap: a
 * masked Decimal keeps its schema's scale ("0.00" where the JVM's BigDecimal.ZERO prints "0").
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "smt_int.h"

#define TPKG "org.apache.kafka.connect.transforms."

static void noop_fini(struct smt *t)
{
    (void)t; /* ctx lives in t->conf */
}

static int missing(const char *key, struct kc_error *err)
{
    return kc_error_set(err, KC_EINVAL,
                        "Missing required configuration \"%s\" which has no default value.", key);
}

/* A LIST setting with NonEmptyListValidator. */
static int nonempty_list(struct smt *t, const struct kc_strmap *props, const char *key,
                         const char ***out, size_t *n, struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    if (v == NULL) {
        return missing(key, err);
    }
    if (smt_list(v, &t->conf, out, n) != KC_OK) {
        return smt_oom(err);
    }
    if (*n == 0) {
        return kc_error_set(err, KC_EINVAL, "Invalid value [] for configuration %s: Empty list",
                            key);
    }
    return KC_OK;
}

/* ================================================================ MaskField */

struct mask {
    const char **fields;
    size_t n;
    const char *replacement; /* NULL = mask with the empty value */
    int dflt;                /* replace.null.with.default */
};

static int mask_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct mask *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    int rc = nonempty_list(t, props, "fields", &c->fields, &c->n, err);
    if (rc != KC_OK) {
        return rc;
    }
    const char *r = kc_strmap_get(props, "replacement");
    if (r != NULL) {
        if (*r == '\0') {
            return kc_error_set(err, KC_EINVAL, "Invalid value  for configuration replacement: "
                                                "String must be non-empty");
        }
        if ((c->replacement = kc_arena_strndup(&t->conf, r, strlen(r))) == NULL) {
            return smt_oom(err);
        }
    }
    if ((rc = smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err)) != KC_OK) {
        return rc;
    }
    t->ctx = c;
    return KC_OK;
}

/* java.math.BigDecimal's string syntax. */
static int bigdecimal_syntax(const char *s)
{
    const char *p = s;
    int digits = 0;
    if (*p == '+' || *p == '-') {
        p++;
    }
    while (*p >= '0' && *p <= '9') {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            p++;
            digits++;
        }
    }
    if (digits == 0) {
        return 0;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') {
            p++;
        }
        if (!(*p >= '0' && *p <= '9')) {
            return 0;
        }
        while (*p >= '0' && *p <= '9') {
            p++;
        }
    }
    return *p == '\0';
}

static const char *java_class_of(const struct cdata_value *v)
{
    return smt_java_class(v);
}

static int mask_value(const struct mask *c, const struct cdata_value *v, struct kc_arena *a,
                      const struct cdata_value **out, struct kc_error *err)
{
    *out = NULL;
    if (v == NULL) {
        return KC_OK;
    }
    int logical_date = (v->type == CDATA_INT32 || v->type == CDATA_INT64) &&
                       strcmp(java_class_of(v), "java.util.Date") == 0;
    int decimal = v->type == CDATA_BYTES && cdata_schema_is(v->schema, CDATA_LOGICAL_DECIMAL);
    struct cdata_value *m = NULL;
    if (c->replacement == NULL) {
        switch (v->type) {
        case CDATA_INT8:
        case CDATA_INT16:
        case CDATA_INT32:
        case CDATA_INT64:
            m = cdata_int(a, v->type, 0);
            break;
        case CDATA_FLOAT32:
        case CDATA_FLOAT64:
            m = cdata_float(a, v->type, 0.0);
            break;
        case CDATA_BOOLEAN:
            m = cdata_bool(a, 0);
            break;
        case CDATA_STRING:
            m = cdata_string(a, "", 0);
            break;
        case CDATA_ARRAY: {
            const struct cdata_value **items;
            m = cdata_array(a, 0, &items);
            break;
        }
        case CDATA_MAP: {
            const struct cdata_value **k, **vv;
            m = cdata_map(a, 0, &k, &vv);
            break;
        }
        case CDATA_BYTES:
            if (decimal) {
                static const uint8_t zero = 0;
                m = cdata_bytes(a, &zero, 1);
                break;
            }
            /* fall through */
        case CDATA_STRUCT:
            return kc_error_set(err, KC_EINVAL, "Cannot mask value of type: class %s",
                                java_class_of(v));
        }
    } else {
        const char *r = c->replacement;
        switch (v->type) {
        case CDATA_INT8:
        case CDATA_INT16:
        case CDATA_INT32:
        case CDATA_INT64:
        case CDATA_FLOAT32:
        case CDATA_FLOAT64: {
            if (logical_date) {
                goto unsupported;
            }
            if (!bigdecimal_syntax(r)) {
                return kc_error_set(err, KC_EINVAL,
                                    "Unable to convert %s (class java.lang.String) to a number", r);
            }
            if (v->type == CDATA_FLOAT32 || v->type == CDATA_FLOAT64) {
                double d = strtod(r, NULL);
                m = cdata_float(a, v->type, v->type == CDATA_FLOAT32 ? (double)(float)d : d);
                break;
            }
            errno = 0;
            char *end;
            long long ll = strtoll(r, &end, 10);
            int64_t i64;
            if (errno == 0 && *end == '\0') {
                i64 = ll;
            } else {
                double d = trunc(strtod(r, NULL)); /* BigDecimal.longValue(), within range */
                i64 = d >= 9.2e18 ? INT64_MAX : d <= -9.2e18 ? INT64_MIN : (int64_t)d;
            }
            /* Byte/Short/Integer from longValue(): narrowed as Java casts do */
            if (v->type == CDATA_INT8) {
                i64 = (int8_t)(uint8_t)(uint64_t)i64;
            } else if (v->type == CDATA_INT16) {
                i64 = (int16_t)(uint16_t)(uint64_t)i64;
            } else if (v->type == CDATA_INT32) {
                i64 = (int32_t)(uint32_t)(uint64_t)i64;
            }
            m = cdata_int(a, v->type, i64);
            break;
        }
        case CDATA_STRING:
            m = cdata_string(a, r, strlen(r));
            break;
        default:
            goto unsupported;
        }
    }
    if (m == NULL) {
        return smt_oom(err);
    }
    m->schema = v->schema;
    if (logical_date || decimal) {
        m->schema = v->schema; /* Date(0) / BigDecimal.ZERO keep the logical type */
    }
    *out = m;
    return KC_OK;
unsupported:
    return kc_error_set(err, KC_EINVAL, "Cannot mask value of type class %s with custom "
                                        "replacement.",
                        java_class_of(v));
}

static int mask_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                      const struct sink_record **out, struct kc_error *err)
{
    struct mask *c = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc;
    if (s == NULL) {
        if ((rc = smt_require_map(v, "mask fields", err)) != KC_OK) {
            return rc;
        }
        uint32_t *order;
        const struct cdata_value **k, **vals;
        struct cdata_value *m;
        if (smt_java_map_order(v, a, &order) != KC_OK ||
            (m = cdata_map(a, v->n + (uint32_t)c->n, &k, &vals)) == NULL) {
            return smt_oom(err);
        }
        uint32_t n = 0;
        for (uint32_t i = 0; i < v->n; i++) { /* new HashMap<>(value) */
            k[n] = v->u.map.keys[order[i]];
            vals[n++] = v->u.map.vals[order[i]];
        }
        for (size_t f = 0; f < c->n; f++) {
            const struct cdata_value *mv;
            long at = cdata_map_find(v, c->fields[f], strlen(c->fields[f]));
            if ((rc = mask_value(c, at >= 0 ? v->u.map.vals[at] : NULL, a, &mv, err)) != KC_OK) {
                return rc;
            }
            uint32_t j = 0;
            while (j < n && !(k[j]->n == strlen(c->fields[f]) &&
                              memcmp(k[j]->u.s, c->fields[f], k[j]->n) == 0)) {
                j++;
            }
            if (j == n) { /* put() of an absent field adds it, with null */
                if ((k[n] = cdata_string(a, c->fields[f], strlen(c->fields[f]))) == NULL) {
                    return smt_oom(err);
                }
                n++;
            }
            vals[j] = mv;
        }
        m->n = n;
        m->schema = cdata_hashmap_hint(cdata_hashmap_copied(v->n));
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    if ((rc = smt_require_struct(v, "mask fields", err)) != KC_OK) {
        return rc;
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, v->schema, &fv);
    if (nv == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < v->schema->n_fields; i++) {
        const struct cdata_value *orig = smt_struct_field(v, i, c->dflt);
        int masked = 0;
        for (size_t f = 0; f < c->n && !masked; f++) {
            masked = strcmp(c->fields[f], v->schema->fields[i].name) == 0;
        }
        fv[i] = orig;
        if (masked && (rc = mask_value(c, orig, a, &fv[i], err)) != KC_OK) {
            return rc;
        }
        if (masked && fv[i] != NULL && ((struct cdata_value *)fv[i])->schema == NULL) {
            ((struct cdata_value *)fv[i])->schema = v->schema->fields[i].schema;
        }
    }
    smt_set_part(t, o, v->schema, nv);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_mask_field_value_ops = {
    .class_name = TPKG "MaskField$Value", .init = mask_init, .fini = noop_fini,
    .apply = mask_apply};
const struct smt_ops smt_mask_field_key_ops = {
    .class_name = TPKG "MaskField$Key", .is_key = 1, .init = mask_init, .fini = noop_fini,
    .apply = mask_apply};

/* ================================================================ HoistField */

static int hoist_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    const char *f = kc_strmap_get(props, "field");
    if (f == NULL) {
        return missing("field", err);
    }
    t->ctx = kc_arena_strndup(&t->conf, f, strlen(f));
    return t->ctx != NULL ? KC_OK : smt_oom(err);
}

static int hoist_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                       const struct sink_record **out, struct kc_error *err)
{
    const char *field = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    if (s == NULL) { /* new HashMap<>() with the one entry, null included */
        const struct cdata_value **k, **vals;
        struct cdata_value *m = cdata_map(a, 1, &k, &vals);
        if (m == NULL || (k[0] = cdata_string(a, field, strlen(field))) == NULL) {
            return smt_oom(err);
        }
        vals[0] = v;
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    struct cdata_field *f;
    struct cdata_schema *ns = smt_struct_schema_new(NULL, 1, a, &f);
    if (ns == NULL) {
        return smt_oom(err);
    }
    f[0].name = field;
    f[0].index = 0;
    f[0].schema = s;
    ns->n_fields = 1;
    if (v == NULL && !s->optional) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value: null used for required field: \"%s\", schema type: %s",
                            field, cdata_type_name(s->type, 1));
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, ns, &fv);
    if (nv == NULL) {
        return smt_oom(err);
    }
    fv[0] = v;
    smt_set_part(t, o, ns, nv);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_hoist_field_value_ops = {
    .class_name = TPKG "HoistField$Value", .init = hoist_init, .fini = noop_fini,
    .apply = hoist_apply};
const struct smt_ops smt_hoist_field_key_ops = {
    .class_name = TPKG "HoistField$Key", .is_key = 1, .init = hoist_init, .fini = noop_fini,
    .apply = hoist_apply};

/* ================================================================ ValueToKey */

struct v2k {
    const char **fields;
    size_t n;
    int dflt;
};

static int v2k_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct v2k *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    int rc = nonempty_list(t, props, "fields", &c->fields, &c->n, err);
    if (rc == KC_OK) {
        rc = smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err);
    }
    t->ctx = c;
    return rc;
}

static int v2k_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                     const struct sink_record **out, struct kc_error *err)
{
    struct v2k *c = t->ctx;
    const struct cdata_value *v = in->value;
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc;
    if (in->value_schema == NULL) {
        if ((rc = smt_require_map(v, "copying fields from value to key", err)) != KC_OK) {
            return rc;
        }
        const struct cdata_value **k, **vals;
        struct cdata_value *m = cdata_map(a, (uint32_t)c->n, &k, &vals);
        if (m == NULL) {
            return smt_oom(err);
        }
        uint32_t n = 0;
        for (size_t f = 0; f < c->n; f++) { /* key.put(field, value.get(field)) */
            size_t fl = strlen(c->fields[f]);
            long at = cdata_map_find(v, c->fields[f], fl);
            uint32_t j = 0;
            while (j < n && !(k[j]->n == fl && memcmp(k[j]->u.s, c->fields[f], fl) == 0)) {
                j++;
            }
            if (j == n && (k[n++] = cdata_string(a, c->fields[f], fl)) == NULL) {
                return smt_oom(err);
            }
            vals[j] = at >= 0 ? v->u.map.vals[at] : NULL;
        }
        m->n = n;
        m->schema = cdata_hashmap_hint(cdata_hashmap_sized((uint32_t)c->n));
        o->key_schema = NULL;
        o->key = m;
        *out = o;
        return KC_OK;
    }
    if ((rc = smt_require_struct(v, "copying fields from value to key", err)) != KC_OK) {
        return rc;
    }
    struct cdata_field *f;
    struct cdata_schema *ks = smt_struct_schema_new(NULL, c->n, a, &f);
    const struct cdata_value **src = kc_arena_alloc(a, (c->n ? c->n : 1) * sizeof(*src));
    if (ks == NULL || src == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct cdata_field *fd = cdata_schema_field(v->schema, c->fields[i]);
        if (fd == NULL) {
            return kc_error_set(err, KC_EINVAL, "Field does not exist: %s", c->fields[i]);
        }
        if ((rc = smt_struct_add_field(ks, f, c->fields[i], fd->schema, err)) != KC_OK) {
            return rc;
        }
        src[i] = smt_struct_field(v, (size_t)fd->index, c->dflt);
    }
    const struct cdata_value **fv;
    struct cdata_value *key = cdata_struct(a, ks, &fv);
    if (key == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < c->n; i++) {
        if (src[i] == NULL && !ks->fields[i].schema->optional) {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid value: null used for required field: \"%s\", schema "
                                "type: %s",
                                c->fields[i], cdata_type_name(ks->fields[i].schema->type, 1));
        }
        fv[i] = src[i];
    }
    o->key_schema = ks;
    o->key = key;
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_value_to_key_ops = {
    .class_name = TPKG "ValueToKey", .init = v2k_init, .fini = noop_fini, .apply = v2k_apply};
