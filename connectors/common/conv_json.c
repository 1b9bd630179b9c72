/*
 * connectors/common/conv_json.c: JsonConverter.toConnectData, byte for byte the JVM's rules
 * (Kafka 4.1 connect/json JsonConverter.java), on top of jfast.
 *
 * schemas.enable=false (the hot path): jfast builds plain cdata values straight into the
 * batch arena; schema is NULL, types are inferred (integer -> INT64, other number -> FLOAT64,
 * object -> MAP with STRING keys, array -> ARRAY).
 *
 * schemas.enable=true: jfast builds a tree (struct jfast_node, keeping each literal's text and
 * Jackson's IntNode/BigIntegerNode/DecimalNode distinction) in a per-converter scratch arena
 * that is reset per record; the envelope must be an object with exactly "schema" and "payload".
 * The schema object becomes a cdata_schema, cached by its raw bytes (the JVM caches by JsonNode
 * equality) in a converter-owned arena, up to schemas.cache.size entries; further distinct
 * schemas are built in the batch arena instead, so a cache never frees what a record may still
 * point at. The payload is then converted as JsonConverter.convertToConnect does, quirks
 * included: a type converter applied to a JSON node of another kind yields Jackson's default
 * (intValue() of a string is 0, textValue() of a number is null, an array schema over an object
 * iterates its values), logical types are chosen by schema name, and Struct.put's null check
 * ("Invalid value: null used for required field") applies to struct fields only.
 *
 * Decimal values: BYTES holding the big-endian two's-complement unscaled value. A JSON number
 * keeps its own BigDecimal scale (as the JVM's value does); when that differs from the schema's
 * "scale" the value's own schema (value->schema) is a copy with the literal's scale, so sinks
 * must read the scale from value->schema.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conv_int.h"
#include "jfast.h"
#include "kc_alloc.h"

#define JSON_SER_ERROR "Converting byte[] to Kafka Connect data failed due to serialization error: "
#define JSON_ENVELOPE_ERROR                                                                        \
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "   \
    "contain additional fields. If you are trying to deserialize plain JSON data, set "            \
    "schemas.enable=false in your converter configuration."

#define SCRATCH_LIMIT ((size_t)256 << 20)
#define CACHE_ARENA_LIMIT ((size_t)64 << 20)

struct jcache_entry {
    uint64_t hash;
    const char *raw; /* cache arena */
    size_t len;
    const struct cdata_schema *schema; /* cache arena */
};

struct jctx {
    int schemas_enable;
    int cache_size;
    int decimal_numeric; /* decimal.format (only used when writing; accepted for parity) */
    int replace_null;
    struct jfast plain;
    struct jfast tree;
    struct kc_arena scratch;
    struct kc_arena cache_arena;
    struct jcache_entry *cache; /* owned, cache_cap slots (open addressing) */
    size_t cache_cap;
    size_t cache_n;
};

/* ---------------------------------------------------------------- setup */

static int json_init(struct conv *c, const struct kc_strmap *props, struct kc_error *err)
{
    struct jctx *jc = kc_calloc(1, sizeof(*jc));
    if (jc == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory creating JsonConverter");
    }
    int rc;
    if ((rc = conv_prop_bool(props, "schemas.enable", 1, &jc->schemas_enable, err)) != KC_OK ||
        (rc = conv_prop_bool(props, "replace.null.with.default", 1, &jc->replace_null, err)) !=
            KC_OK ||
        (rc = conv_prop_int(props, "schemas.cache.size", 1000, &jc->cache_size, err)) != KC_OK) {
        kc_free(jc);
        return rc;
    }
    if (jc->cache_size < 0) {
        kc_free(jc);
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %d for configuration schemas.cache.size: Value must "
                            "be at least 0",
                            jc->cache_size);
    }
    const char *df = kc_strmap_get(props, "decimal.format");
    if (df != NULL) {
        if (strcasecmp(df, "NUMERIC") == 0) {
            jc->decimal_numeric = 1;
        } else if (strcasecmp(df, "BASE64") != 0) {
            kc_free(jc);
            return kc_error_set(err, KC_EINVAL,
                                "Invalid value %s for configuration decimal.format: String must "
                                "be one of (case insensitive): BASE64, NUMERIC",
                                df);
        }
    }
    jfast_init(&jc->plain, 0);
    jfast_init(&jc->tree, 1);
    kc_arena_init(&jc->scratch, 64 * 1024, SCRATCH_LIMIT);
    kc_arena_init(&jc->cache_arena, 16 * 1024, CACHE_ARENA_LIMIT);
    if (jc->cache_size > 0) {
        size_t cap = 16;
        while (cap < (size_t)jc->cache_size * 2) {
            cap *= 2;
        }
        jc->cache = kc_calloc(cap, sizeof(*jc->cache));
        if (jc->cache == NULL) {
            jfast_fini(&jc->plain);
            jfast_fini(&jc->tree);
            kc_free(jc);
            return kc_error_set(err, KC_ENOMEM, "out of memory creating JsonConverter");
        }
        jc->cache_cap = cap;
    }
    c->ctx = jc;
    return KC_OK;
}

static void json_fini(struct conv *c)
{
    struct jctx *jc = c->ctx;
    if (jc == NULL) {
        return;
    }
    jfast_fini(&jc->plain);
    jfast_fini(&jc->tree);
    kc_arena_fini(&jc->scratch);
    kc_arena_fini(&jc->cache_arena);
    kc_free(jc->cache);
    kc_free(jc);
}

/* ---------------------------------------------------------------- tree helpers */

static const char *node_type_name(const struct cdata_value *n)
{
    if (n == NULL) {
        return "NULL";
    }
    switch (n->type) {
    case CDATA_INT64:
    case CDATA_FLOAT64:
        return "NUMBER";
    case CDATA_STRING:
        return "STRING";
    case CDATA_BOOLEAN:
        return "BOOLEAN";
    case CDATA_ARRAY:
        return "ARRAY";
    case CDATA_MAP:
        return "OBJECT";
    default:
        return "POJO";
    }
}

static int is_number(const struct cdata_value *n)
{
    return n != NULL && (n->type == CDATA_INT64 || n->type == CDATA_FLOAT64);
}

static uint32_t nflags(const struct cdata_value *n)
{
    return jfast_node_of(n)->flags;
}

/* Object member lookup: 1 and *v (NULL = JSON null) if present. */
static int obj_get(const struct cdata_value *o, const char *key, const struct cdata_value **v)
{
    *v = NULL;
    if (o == NULL || o->type != CDATA_MAP) {
        return 0;
    }
    long i = cdata_map_find(o, key, strlen(key));
    if (i < 0) {
        return 0;
    }
    *v = o->u.map.vals[i];
    return 1;
}

static int is_text(const struct cdata_value *n)
{
    return n != NULL && n->type == CDATA_STRING;
}

/* BigDecimal.longValue() of a decimal literal: integer part, truncated, low 64 bits. */
static int64_t literal_trunc_i64(const char *s, size_t n)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && s[i] == '-') {
        neg = 1;
        i++;
    }
    /* Collect digits and the position of the decimal point, then the exponent. */
    size_t ds = i;
    size_t point = (size_t)-1;
    size_t ndig = 0;
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'); i++) {
        if (s[i] == '.') {
            point = ndig;
        } else {
            ndig++;
        }
    }
    if (point == (size_t)-1) {
        point = ndig;
    }
    long ex = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (ex < 100000) {
                ex = ex * 10 + (s[i] - '0');
            }
        }
        if (eneg) {
            ex = -ex;
        }
    }
    long intdigits = (long)point + ex; /* digits before the point after shifting */
    uint64_t u = 0;
    long taken = 0;
    for (size_t k = ds; k < n && taken < intdigits && taken < (long)ndig; k++) {
        if (s[k] == '.') {
            continue;
        }
        if (s[k] < '0' || s[k] > '9') {
            break;
        }
        u = u * 10 + (uint64_t)(s[k] - '0');
        taken++;
    }
    /* Remaining integer positions are zeros; 10^64 is a multiple of 2^64. */
    for (long k = taken; k < intdigits && k < taken + 70; k++) {
        u *= 10;
    }
    return (int64_t)(neg ? (uint64_t)0 - u : u);
}

/*
 * BigDecimal of a JSON number literal (Jackson's decimalValue()): unscaled value as big-endian
 * two's complement bytes in the arena, and its scale.
 */
static int literal_decimal(const char *s, size_t n, struct kc_arena *a, unsigned char **bytes,
                           size_t *nbytes, int32_t *scale)
{
    size_t i = 0;
    int neg = 0;
    if (i < n && s[i] == '-') {
        neg = 1;
        i++;
    }
    long nfrac = 0;
    int in_frac = 0;
    /* magnitude, little-endian base 256, grown as we multiply by 10 */
    size_t cap = n / 2 + 2;
    unsigned char *mag = kc_arena_alloc(a, cap);
    if (mag == NULL) {
        return KC_ENOMEM;
    }
    size_t len = 0;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch == '.') {
            in_frac = 1;
            continue;
        }
        if (ch < '0' || ch > '9') {
            break;
        }
        unsigned carry = (unsigned)(ch - '0');
        for (size_t k = 0; k < len; k++) {
            unsigned v = mag[k] * 10u + carry;
            mag[k] = (unsigned char)v;
            carry = v >> 8;
        }
        if (carry != 0) {
            mag[len++] = (unsigned char)carry;
        }
        if (in_frac) {
            nfrac++;
        }
    }
    long ex = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
            if (ex < 100000000) {
                ex = ex * 10 + (s[i] - '0');
            }
        }
        if (eneg) {
            ex = -ex;
        }
    }
    long sc = nfrac - ex;
    if (sc < INT32_MIN || sc > INT32_MAX) {
        return KC_EINVAL;
    }
    *scale = (int32_t)sc;
    /* To big-endian two's complement with a sign byte when needed (BigInteger.toByteArray). */
    size_t out_n = len + 1;
    unsigned char *o = kc_arena_alloc(a, out_n);
    if (o == NULL) {
        return KC_ENOMEM;
    }
    for (size_t k = 0; k < len; k++) {
        o[out_n - 1 - k] = mag[k];
    }
    o[0] = 0;
    if (neg && len > 0) {
        unsigned carry = 1;
        for (size_t k = out_n; k-- > 0;) {
            unsigned v = (unsigned)(unsigned char)~o[k] + carry;
            o[k] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    /* Minimal form: drop redundant sign bytes. */
    size_t st = 0;
    while (st + 1 < out_n && ((o[st] == 0x00 && !(o[st + 1] & 0x80)) ||
                              (o[st] == 0xFF && (o[st + 1] & 0x80)))) {
        st++;
    }
    *bytes = o + st;
    *nbytes = out_n - st;
    return KC_OK;
}

/* ---------------------------------------------------------------- schema parsing */

struct jconv {
    struct conv *c;
    struct jctx *jc;
    struct kc_error *err;
};

static int value_convert(struct jconv *x, const struct cdata_schema *s, const struct cdata_value *node,
                         struct kc_arena *a, int depth, const struct cdata_value **out);

static int oom(struct jconv *x)
{
    return kc_error_set(x->err, KC_ENOMEM, "out of memory converting record (batch arena full)");
}


static int schema_from_node(struct jconv *x, const struct cdata_value *node, struct kc_arena *sa,
                            int depth, const struct cdata_schema **out)
{
    const struct cdata_value *tn;
    *out = NULL;
    if (!obj_get(node, "type", &tn) || !is_text(tn)) {
        return conv_data_error(x->c, x->err, "Schema must contain 'type' field", NULL);
    }
    int t = cdata_type_parse(tn->u.s);
    if (t < 0) {
        char m[300];
        snprintf(m, sizeof(m), "Unknown schema type: %.200s", tn->u.s);
        return conv_data_error(x->c, x->err, m, NULL);
    }
    struct cdata_schema *s = kc_arena_calloc(sa, sizeof(*s));
    if (s == NULL) {
        return oom(x);
    }
    s->type = (enum cdata_type)t;
    int rc;
    const struct cdata_value *sub;
    switch (t) {
    case CDATA_ARRAY:
        if (!obj_get(node, "items", &sub) || sub == NULL) {
            return conv_data_error(x->c, x->err, "Array schema did not specify the element type",
                                   NULL);
        }
        if ((rc = schema_from_node(x, sub, sa, depth + 1, &s->items)) != KC_OK) {
            return rc;
        }
        break;
    case CDATA_MAP:
        if (!obj_get(node, "keys", &sub)) {
            return conv_data_error(x->c, x->err, "Map schema did not specify the key type", NULL);
        }
        if (sub == NULL) {
            return conv_schema_builder_error(x->c, x->err, "keySchema cannot be null.");
        }
        if ((rc = schema_from_node(x, sub, sa, depth + 1, &s->keys)) != KC_OK) {
            return rc;
        }
        if (!obj_get(node, "values", &sub)) {
            return conv_data_error(x->c, x->err, "Map schema did not specify the value type",
                                   NULL);
        }
        if (sub == NULL) {
            return conv_schema_builder_error(x->c, x->err, "valueSchema cannot be null.");
        }
        if ((rc = schema_from_node(x, sub, sa, depth + 1, &s->values)) != KC_OK) {
            return rc;
        }
        break;
    case CDATA_STRUCT: {
        if (!obj_get(node, "fields", &sub) || sub == NULL || sub->type != CDATA_ARRAY) {
            return conv_data_error(x->c, x->err,
                                   "Struct schema's \"fields\" argument is not an array.", NULL);
        }
        struct cdata_field *f = kc_arena_calloc(sa, (sub->n ? sub->n : 1) * sizeof(*f));
        if (f == NULL) {
            return oom(x);
        }
        for (uint32_t i = 0; i < sub->n; i++) {
            const struct cdata_value *fnode = sub->u.items[i], *fname;
            if (!obj_get(fnode, "field", &fname) || !is_text(fname)) {
                return conv_data_error(x->c, x->err,
                                       "Struct schema's field name not specified properly", NULL);
            }
            for (uint32_t k = 0; k < i; k++) {
                if (strcmp(f[k].name, fname->u.s) == 0) {
                    char m[300];
                    snprintf(m, sizeof(m),
                             "Cannot create field because of field name duplication %.200s",
                             fname->u.s);
                    return conv_schema_builder_error(x->c, x->err, m);
                }
            }
            f[i].name = kc_arena_strndup(sa, fname->u.s, fname->n);
            f[i].index = (int)i;
            if (f[i].name == NULL) {
                return oom(x);
            }
            if ((rc = schema_from_node(x, fnode, sa, depth + 1, &f[i].schema)) != KC_OK) {
                return rc;
            }
        }
        s->fields = f;
        s->n_fields = sub->n;
        break;
    }
    default:
        break;
    }
    if (obj_get(node, "optional", &sub) && sub != NULL && sub->type == CDATA_BOOLEAN && sub->u.b) {
        s->optional = 1;
    }
    if (obj_get(node, "name", &sub) && is_text(sub)) {
        if ((s->name = kc_arena_strndup(sa, sub->u.s, sub->n)) == NULL) {
            return oom(x);
        }
    }
    if (obj_get(node, "version", &sub) && sub != NULL && sub->type == CDATA_INT64) {
        s->version = (int)(int32_t)sub->u.i; /* intValue() */
    }
    if (obj_get(node, "doc", &sub) && is_text(sub)) {
        if ((s->doc = kc_arena_strndup(sa, sub->u.s, sub->n)) == NULL) {
            return oom(x);
        }
    }
    if (obj_get(node, "parameters", &sub) && sub != NULL && sub->type == CDATA_MAP) {
        struct cdata_param *p = kc_arena_calloc(sa, (sub->n ? sub->n : 1) * sizeof(*p));
        if (p == NULL) {
            return oom(x);
        }
        for (uint32_t i = 0; i < sub->n; i++) {
            const struct cdata_value *pv = sub->u.map.vals[i];
            if (!is_text(pv)) {
                return conv_data_error(x->c, x->err, "Schema parameters must have string values.",
                                       NULL);
            }
            p[i].key = kc_arena_strndup(sa, sub->u.map.keys[i]->u.s, sub->u.map.keys[i]->n);
            p[i].value = kc_arena_strndup(sa, pv->u.s, pv->n);
            if (p[i].key == NULL || p[i].value == NULL) {
                return oom(x);
            }
        }
        s->params = p;
        s->n_params = sub->n;
    }
    if (obj_get(node, "default", &sub)) {
        const struct cdata_value *dv;
        if ((rc = value_convert(x, s, sub, sa, depth + 1, &dv)) != KC_OK) {
            return rc;
        }
        if (dv == NULL && !s->optional) {
            return conv_schema_builder_error(x->c, x->err, "Invalid default value");
        }
        s->has_default = 1;
        s->default_value = dv;
    }
    *out = s;
    return KC_OK;
}

static uint64_t fnv64(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    }
    return h;
}

/* Schema for an envelope's "schema" node: from the cache, or parsed (and cached if room). */
static int schema_get(struct jconv *x, const struct cdata_value *node, struct kc_arena *a,
                      const struct cdata_schema **out)
{
    struct jctx *jc = x->jc;
    const struct jfast_node *jn = jfast_node_of(node);
    uint64_t h = fnv64(jn->raw, jn->raw_len);
    size_t slot = 0;
    if (jc->cache_cap > 0) {
        slot = (size_t)h & (jc->cache_cap - 1);
        while (jc->cache[slot].raw != NULL) {
            struct jcache_entry *e = &jc->cache[slot];
            if (e->hash == h && e->len == jn->raw_len && memcmp(e->raw, jn->raw, e->len) == 0) {
                *out = e->schema;
                return KC_OK;
            }
            slot = (slot + 1) & (jc->cache_cap - 1);
        }
    }
    int cacheable = jc->cache_cap > 0 && jc->cache_n < (size_t)jc->cache_size &&
                    kc_arena_bytes(&jc->cache_arena) < CACHE_ARENA_LIMIT / 2;
    struct kc_arena *sa = cacheable ? &jc->cache_arena : a;
    const struct cdata_schema *s;
    int rc = schema_from_node(x, node, sa, 0, &s);
    if (rc == KC_ENOMEM && cacheable) {
        /* The cache arena is full: build this one in the batch arena, uncached. */
        cacheable = 0;
        sa = a;
        rc = schema_from_node(x, node, sa, 0, &s);
    }
    if (rc != KC_OK) {
        return rc;
    }
    if (cacheable) {
        char *raw = kc_arena_strndup(sa, jn->raw, jn->raw_len);
        if (raw != NULL) {
            jc->cache[slot].hash = h;
            jc->cache[slot].raw = raw;
            jc->cache[slot].len = jn->raw_len;
            jc->cache[slot].schema = s;
            jc->cache_n++;
        }
    }
    *out = s;
    return KC_OK;
}

/* ---------------------------------------------------------------- value conversion */

/* Deep copy of a tree node into plain values in a (schemaless inference). */
static int copy_plain(struct jconv *x, const struct cdata_value *n, struct kc_arena *a,
                      const struct cdata_value **out)
{
    *out = NULL;
    if (n == NULL) {
        return KC_OK;
    }
    struct cdata_value *v = NULL;
    int rc;
    switch (n->type) {
    case CDATA_INT64:
        v = cdata_int(a, CDATA_INT64, n->u.i);
        break;
    case CDATA_FLOAT64:
        v = cdata_float(a, CDATA_FLOAT64, n->u.f);
        break;
    case CDATA_BOOLEAN:
        v = cdata_bool(a, n->u.b);
        break;
    case CDATA_STRING:
        v = cdata_string(a, n->u.s, n->n);
        break;
    case CDATA_ARRAY: {
        const struct cdata_value **items;
        v = cdata_array(a, n->n, &items);
        if (v == NULL) {
            return oom(x);
        }
        for (uint32_t i = 0; i < n->n; i++) {
            if ((rc = copy_plain(x, n->u.items[i], a, &items[i])) != KC_OK) {
                return rc;
            }
        }
        break;
    }
    case CDATA_MAP: {
        const struct cdata_value **k, **vals;
        v = cdata_map(a, n->n, &k, &vals);
        if (v == NULL) {
            return oom(x);
        }
        for (uint32_t i = 0; i < n->n; i++) {
            if ((rc = copy_plain(x, n->u.map.keys[i], a, &k[i])) != KC_OK ||
                (rc = copy_plain(x, n->u.map.vals[i], a, &vals[i])) != KC_OK) {
                return rc;
            }
        }
        break;
    }
    default:
        break;
    }
    if (v == NULL) {
        return oom(x);
    }
    *out = v;
    return KC_OK;
}

/* Struct.put / ConnectSchema.validateValue, the null part: required slots may not be null. */
static int validate_nulls(struct jconv *x, const struct cdata_schema *s, const struct cdata_value *v,
                          const char *location)
{
    if (v == NULL) {
        if (!s->optional) {
            char m[400];
            snprintf(m, sizeof(m), "Invalid value: null used for required %.300s, schema type: %s",
                     location, cdata_type_name(s->type, 1));
            return conv_data_error(x->c, x->err, m, NULL);
        }
        return KC_OK;
    }
    int rc;
    char loc[360];
    if (s->type == CDATA_ARRAY && v->type == CDATA_ARRAY && s->items != NULL) {
        snprintf(loc, sizeof(loc), "element of array %.300s", location);
        for (uint32_t i = 0; i < v->n; i++) {
            if ((rc = validate_nulls(x, s->items, v->u.items[i], loc)) != KC_OK) {
                return rc;
            }
        }
    } else if (s->type == CDATA_MAP && v->type == CDATA_MAP && s->keys != NULL) {
        for (uint32_t i = 0; i < v->n; i++) {
            snprintf(loc, sizeof(loc), "key of map %.300s", location);
            if ((rc = validate_nulls(x, s->keys, v->u.map.keys[i], loc)) != KC_OK) {
                return rc;
            }
            snprintf(loc, sizeof(loc), "value of map %.300s", location);
            if ((rc = validate_nulls(x, s->values, v->u.map.vals[i], loc)) != KC_OK) {
                return rc;
            }
        }
    }
    return KC_OK;
}

/* Java equals() for map keys built from JSON (HashMap.put replaces equal keys). */
static int value_equal(const struct cdata_value *p, const struct cdata_value *q)
{
    if (p == q) {
        return 1;
    }
    if (p == NULL || q == NULL || p->type != q->type) {
        return 0;
    }
    switch (p->type) {
    case CDATA_FLOAT32:
    case CDATA_FLOAT64:
        return memcmp(&p->u.f, &q->u.f, sizeof(double)) == 0;
    case CDATA_BOOLEAN:
        return p->u.b == q->u.b;
    case CDATA_STRING:
        return p->n == q->n && memcmp(p->u.s, q->u.s, p->n) == 0;
    case CDATA_BYTES:
        return 0; /* byte[] equals is identity */
    case CDATA_ARRAY:
    case CDATA_STRUCT:
        if (p->n != q->n) {
            return 0;
        }
        for (uint32_t i = 0; i < p->n; i++) {
            if (!value_equal(p->u.items[i], q->u.items[i])) {
                return 0;
            }
        }
        return 1;
    case CDATA_MAP:
        return 0;
    default:
        return p->u.i == q->u.i;
    }
}

static int logical_convert(struct jconv *x, const struct cdata_schema *s,
                           const struct cdata_value *node, struct kc_arena *a,
                           const struct cdata_value **out, int *handled)
{
    *handled = 1;
    char m[200];
    if (cdata_schema_is(s, CDATA_LOGICAL_DECIMAL)) {
        unsigned char *b;
        size_t nb;
        int32_t scale;
        const struct cdata_schema *vs = s;
        if (is_number(node)) {
            const struct jfast_node *jn = jfast_node_of(node);
            int rc = literal_decimal(jn->raw, jn->raw_len, a, &b, &nb, &scale);
            if (rc == KC_ENOMEM) {
                return oom(x);
            }
            if (rc != KC_OK) {
                return conv_data_error(x->c, x->err, "Invalid bytes for Decimal field", NULL);
            }
            int32_t sscale;
            if (cdata_decimal_scale(s, &sscale, NULL) != KC_OK || sscale != scale) {
                /* The BigDecimal keeps the literal's scale: give the value its own schema. */
                struct cdata_schema *cs = kc_arena_alloc(a, sizeof(*cs));
                struct cdata_param *ps = kc_arena_alloc(a, (s->n_params + 1) * sizeof(*ps));
                char *sv = kc_arena_alloc(a, 16);
                if (cs == NULL || ps == NULL || sv == NULL) {
                    return oom(x);
                }
                *cs = *s;
                snprintf(sv, 16, "%d", (int)scale);
                size_t np = 0;
                for (size_t i = 0; i < s->n_params; i++) {
                    if (strcmp(s->params[i].key, "scale") != 0) {
                        ps[np++] = s->params[i];
                    }
                }
                ps[np].key = "scale";
                ps[np].value = sv;
                cs->params = ps;
                cs->n_params = np + 1;
                vs = cs;
            }
        } else if (is_text(node)) {
            struct kc_error e2;
            int rc = jfast_base64_decode(node->u.s, node->n, a, &b, &nb, &e2);
            if (rc == KC_ENOMEM) {
                return oom(x);
            }
            if (rc != KC_OK) {
                return conv_data_error(x->c, x->err, "Invalid bytes for Decimal field", ": %s",
                                       e2.msg);
            }
            if (cdata_decimal_scale(s, &scale, &e2) != KC_OK) {
                return conv_data_error(x->c, x->err, "Invalid bytes for Decimal field", ": %s",
                                       e2.msg);
            }
            if (nb == 0) {
                return conv_data_error(x->c, x->err, "Invalid bytes for Decimal field",
                                       ": Zero length BigInteger");
            }
        } else {
            snprintf(m, sizeof(m),
                     "Invalid type for Decimal, underlying representation should be numeric or "
                     "bytes but was %s",
                     node_type_name(node));
            return conv_data_error(x->c, x->err, m, NULL);
        }
        struct cdata_value *v = cdata_bytes(a, b, nb);
        if (v == NULL) {
            return oom(x);
        }
        v->schema = vs;
        *out = v;
        return KC_OK;
    }
    int is_date = cdata_schema_is(s, CDATA_LOGICAL_DATE);
    int is_time = cdata_schema_is(s, CDATA_LOGICAL_TIME);
    if (is_date || is_time) {
        if (node == NULL || node->type != CDATA_INT64 || !(nflags(node) & JFAST_F_INT32)) {
            snprintf(m, sizeof(m),
                     "Invalid type for %s, underlying representation should be integer but was %s",
                     is_date ? "Date" : "Time", node_type_name(node));
            return conv_data_error(x->c, x->err, m, NULL);
        }
        if (is_time && (node->u.i < 0 || node->u.i > 86400000)) {
            return conv_data_error(x->c, x->err,
                                   "Time values must use number of milliseconds greater than 0 "
                                   "and less than 86400000",
                                   NULL);
        }
        struct cdata_value *v = cdata_int(a, CDATA_INT32, node->u.i);
        if (v == NULL) {
            return oom(x);
        }
        v->schema = s;
        *out = v;
        return KC_OK;
    }
    if (cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP)) {
        if (node == NULL || node->type != CDATA_INT64) {
            snprintf(m, sizeof(m),
                     "Invalid type for Timestamp, underlying representation should be integral "
                     "but was %s",
                     node_type_name(node));
            return conv_data_error(x->c, x->err, m, NULL);
        }
        struct cdata_value *v = cdata_int(a, CDATA_INT64, node->u.i);
        if (v == NULL) {
            return oom(x);
        }
        v->schema = s;
        *out = v;
        return KC_OK;
    }
    *handled = 0;
    return KC_OK;
}

/* Jackson's longValue() of any node (0 for non-numbers). */
static int64_t node_long(const struct cdata_value *n)
{
    if (n == NULL) {
        return 0;
    }
    if (n->type == CDATA_INT64) {
        return n->u.i;
    }
    if (n->type == CDATA_FLOAT64) {
        const struct jfast_node *jn = jfast_node_of(n);
        return literal_trunc_i64(jn->raw, jn->raw_len);
    }
    return 0;
}

static double node_double(const struct cdata_value *n, int as_float)
{
    if (!is_number(n)) {
        return 0.0;
    }
    const struct jfast_node *jn = jfast_node_of(n);
    if (n->type == CDATA_INT64 && !(jn->flags & JFAST_F_BIG)) {
        return as_float ? (double)(float)n->u.i : (double)n->u.i;
    }
    if (!as_float && n->type == CDATA_FLOAT64) {
        return n->u.f;
    }
    char tmp[JFAST_MAX_NUMBER_LEN + 1];
    size_t l = jn->raw_len < JFAST_MAX_NUMBER_LEN ? jn->raw_len : JFAST_MAX_NUMBER_LEN;
    memcpy(tmp, jn->raw, l);
    tmp[l] = '\0';
    if (as_float) {
        float f = strtof(tmp, NULL);
        return f == 0 ? 0.0 : (double)f;
    }
    double d = strtod(tmp, NULL);
    return d == 0 ? 0.0 : d;
}

static int value_convert(struct jconv *x, const struct cdata_schema *s, const struct cdata_value *node,
                         struct kc_arena *a, int depth, const struct cdata_value **out)
{
    int rc;
    *out = NULL;
    if (s == NULL) {
        return copy_plain(x, node, a, out);
    }
    if (node == NULL) {
        if (s->default_value != NULL && x->jc->replace_null) {
            *out = s->default_value;
            return KC_OK;
        }
        if (s->optional) {
            return KC_OK;
        }
        char m[120];
        snprintf(m, sizeof(m), "Invalid null value for required %s field",
                 cdata_type_name(s->type, 1));
        return conv_data_error(x->c, x->err, m, NULL);
    }
    if (s->name != NULL) {
        int handled;
        if ((rc = logical_convert(x, s, node, a, out, &handled)) != KC_OK || handled) {
            return rc;
        }
    }
    struct cdata_value *v = NULL;
    char m[200];
    switch (s->type) {
    case CDATA_BOOLEAN:
        v = cdata_bool(a, node->type == CDATA_BOOLEAN && node->u.b);
        break;
    case CDATA_INT8:
        v = cdata_int(a, CDATA_INT8, (int8_t)(int32_t)node_long(node));
        break;
    case CDATA_INT16:
        v = cdata_int(a, CDATA_INT16, (int16_t)(int32_t)node_long(node));
        break;
    case CDATA_INT32:
        v = cdata_int(a, CDATA_INT32, (int32_t)node_long(node));
        break;
    case CDATA_INT64:
        v = cdata_int(a, CDATA_INT64, node_long(node));
        break;
    case CDATA_FLOAT32:
        v = cdata_float(a, CDATA_FLOAT32, node_double(node, 1));
        break;
    case CDATA_FLOAT64:
        v = cdata_float(a, CDATA_FLOAT64, node_double(node, 0));
        break;
    case CDATA_STRING:
        if (!is_text(node)) {
            return KC_OK; /* textValue() of a non-text node is null */
        }
        v = cdata_string(a, node->u.s, node->n);
        break;
    case CDATA_BYTES: {
        if (!is_text(node)) {
            return KC_OK; /* binaryValue() of a non-text node is null */
        }
        unsigned char *b;
        size_t nb;
        struct kc_error e2;
        rc = jfast_base64_decode(node->u.s, node->n, a, &b, &nb, &e2);
        if (rc == KC_ENOMEM) {
            return oom(x);
        }
        if (rc != KC_OK) {
            return conv_data_error(x->c, x->err, "Invalid bytes field", ": %s", e2.msg);
        }
        v = cdata_bytes(a, b, nb);
        break;
    }
    case CDATA_ARRAY: {
        /* for (JsonNode elem : value): array elements, object values, or nothing. */
        uint32_t n = 0;
        const struct cdata_value *const *src = NULL;
        if (node->type == CDATA_ARRAY) {
            n = node->n;
            src = node->u.items;
        } else if (node->type == CDATA_MAP) {
            n = node->n;
            src = node->u.map.vals;
        }
        const struct cdata_value **items;
        v = cdata_array(a, n, &items);
        if (v == NULL) {
            return oom(x);
        }
        for (uint32_t i = 0; i < n; i++) {
            if ((rc = value_convert(x, s->items, src[i], a, depth + 1, &items[i])) != KC_OK) {
                return rc;
            }
        }
        break;
    }
    case CDATA_MAP: {
        if (s->keys != NULL && s->keys->type == CDATA_STRING) {
            if (node->type != CDATA_MAP) {
                snprintf(m, sizeof(m),
                         "Maps with string fields should be encoded as JSON objects, but found %s",
                         node_type_name(node));
                return conv_data_error(x->c, x->err, m, NULL);
            }
            const struct cdata_value **k, **vals;
            v = cdata_map(a, node->n, &k, &vals);
            if (v == NULL) {
                return oom(x);
            }
            for (uint32_t i = 0; i < node->n; i++) {
                const struct cdata_value *kn = node->u.map.keys[i];
                struct cdata_value *kv = cdata_string(a, kn->u.s, kn->n);
                if (kv == NULL) {
                    return oom(x);
                }
                kv->schema = s->keys;
                k[i] = kv;
                if ((rc = value_convert(x, s->values, node->u.map.vals[i], a, depth + 1,
                                        &vals[i])) != KC_OK) {
                    return rc;
                }
            }
            break;
        }
        if (node->type != CDATA_ARRAY) {
            snprintf(m, sizeof(m),
                     "Maps with non-string fields should be encoded as JSON array of tuples, but "
                     "found %s",
                     node_type_name(node));
            return conv_data_error(x->c, x->err, m, NULL);
        }
        const struct cdata_value **k, **vals;
        v = cdata_map(a, node->n, &k, &vals);
        if (v == NULL) {
            return oom(x);
        }
        uint32_t used = 0;
        for (uint32_t i = 0; i < node->n; i++) {
            const struct cdata_value *e = node->u.items[i];
            if (e == NULL || e->type != CDATA_ARRAY) {
                snprintf(m, sizeof(m), "Found invalid map entry instead of array tuple: %s",
                         node_type_name(e));
                return conv_data_error(x->c, x->err, m, NULL);
            }
            if (e->n != 2) {
                snprintf(m, sizeof(m), "Found invalid map entry, expected length 2 but found :%u",
                         e->n);
                return conv_data_error(x->c, x->err, m, NULL);
            }
            const struct cdata_value *kv, *vv;
            if ((rc = value_convert(x, s->keys, e->u.items[0], a, depth + 1, &kv)) != KC_OK ||
                (rc = value_convert(x, s->values, e->u.items[1], a, depth + 1, &vv)) != KC_OK) {
                return rc;
            }
            uint32_t j = 0;
            while (j < used && !value_equal(k[j], kv)) {
                j++;
            }
            if (j == used) {
                k[used] = kv;
                used++;
            }
            vals[j] = vv;
        }
        v->n = used;
        v->u.map.vals = vals; /* vals start at k + node->n; entries beyond used are unused */
        break;
    }
    case CDATA_STRUCT: {
        if (node->type != CDATA_MAP) {
            snprintf(m, sizeof(m), "Structs should be encoded as JSON objects, but found %s",
                     node_type_name(node));
            return conv_data_error(x->c, x->err, m, NULL);
        }
        const struct cdata_value **f;
        v = cdata_struct(a, s, &f);
        if (v == NULL) {
            return oom(x);
        }
        for (size_t i = 0; i < s->n_fields; i++) {
            const struct cdata_field *fd = &s->fields[i];
            const struct cdata_value *fn;
            obj_get(node, fd->name, &fn);
            if ((rc = value_convert(x, fd->schema, fn, a, depth + 1, &f[i])) != KC_OK) {
                return rc;
            }
            char loc[300];
            snprintf(loc, sizeof(loc), "field: \"%.250s\"", fd->name);
            if ((rc = validate_nulls(x, fd->schema, f[i], loc)) != KC_OK) {
                return rc;
            }
        }
        *out = v;
        return KC_OK;
    }
    }
    if (v == NULL) {
        return oom(x);
    }
    v->schema = s;
    *out = v;
    return KC_OK;
}

/* ---------------------------------------------------------------- entry point */

static int json_to_connect(struct conv *c, const char *topic, const void *data, size_t len,
                           struct kc_arena *a, const struct cdata_schema **schema,
                           const struct cdata_value **value, struct kc_error *err)
{
    (void)topic;
    struct jctx *jc = c->ctx;
    if (data == NULL) {
        return KC_OK; /* tombstone: SchemaAndValue.NULL */
    }
    enum jfast_result res;
    const struct cdata_value *root;
    int rc;
    if (!jc->schemas_enable) {
        rc = jfast_parse(&jc->plain, data, len, a, &root, &res, err);
        if (rc == KC_EINVAL) {
            char detail[KC_ERROR_MSG_MAX];
            memcpy(detail, err->msg, sizeof(detail));
            return conv_data_error(c, err, JSON_SER_ERROR, "%s", detail);
        }
        if (rc != KC_OK) {
            return rc;
        }
        *value = root;
        return KC_OK;
    }
    kc_arena_reset(&jc->scratch);
    rc = jfast_parse(&jc->tree, data, len, &jc->scratch, &root, &res, err);
    if (rc == KC_EINVAL) {
        char detail[KC_ERROR_MSG_MAX];
        memcpy(detail, err->msg, sizeof(detail));
        return conv_data_error(c, err, JSON_SER_ERROR, "%s", detail);
    }
    if (rc != KC_OK) {
        return rc;
    }
    const struct cdata_value *sn, *pn;
    if (res != JFAST_VALUE || root == NULL || root->type != CDATA_MAP || root->n != 2 ||
        !obj_get(root, "schema", &sn) || !obj_get(root, "payload", &pn)) {
        return conv_data_error(c, err, JSON_ENVELOPE_ERROR, NULL);
    }
    struct jconv x = {.c = c, .jc = jc, .err = err};
    const struct cdata_schema *s = NULL;
    if (sn != NULL) {
        rc = schema_get(&x, sn, a, &s);
        if (rc == KC_ENOMEM && err->rc != KC_ENOMEM) {
            rc = oom(&x);
        }
        if (rc != KC_OK) {
            return rc;
        }
    }
    const struct cdata_value *v;
    rc = value_convert(&x, s, pn, a, 0, &v);
    if (rc != KC_OK) {
        return rc;
    }
    *schema = s;
    *value = v;
    return KC_OK;
}

const struct conv_ops conv_json_ops = {
    .class_name = "org.apache.kafka.connect.json.JsonConverter",
    .caps = CONV_CAN_CONVERT | CONV_CAN_HEADER,
    .init = json_init,
    .fini = json_fini,
    .to_connect = json_to_connect,
};
