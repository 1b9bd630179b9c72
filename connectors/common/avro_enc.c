/*
 * connectors/common/avro_enc.c: Connect schemas and values to Avro (see avro_enc.h).
 *
 * avro_enc_new walks the Connect schema once, building two things side by side: the Avro
 * schema's JSON (jansson keeps members in the order they are set, which is the order Avro's
 * Schema.toString writes them in) and a small tree of nodes (struct an) that says how a value
 * is encoded, so that writing a value never looks at the Connect schema again (it lives in a
 * batch's arena; a file outlives many batches). Both are owned by the encoder.
 */
#include "avro_enc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_arena.h"
#include "kc_text.h"

#define NS "io.confluent.connect.avro"
#define UNION_NAME NS ".Union"
#define ENUM_PARAM NS ".Enum"

enum an_kind {
    AN_BOOLEAN,
    AN_INT,
    AN_LONG,
    AN_FLOAT,
    AN_DOUBLE,
    AN_BYTES,
    AN_STRING,
    AN_FIXED,
    AN_ENUM,
    AN_ARRAY,
    AN_MAP,     /* string keys: an Avro map */
    AN_ENTRIES, /* other keys: an array of MapEntry {key, value} */
    AN_RECORD,
    AN_UNION,   /* io.confluent.connect.avro.Union: one branch per field */
    AN_ANYTHING /* no schema */
};

struct an {
    unsigned char kind;      /* enum an_kind */
    signed char null_at;     /* in a union with null: the null branch (0 or 1); -1: not */
    unsigned char ctype;     /* the Connect type its values have */
    unsigned char opt_union; /* AN_UNION: optional, null is branch 0 */
    uint32_t n;              /* RECORD fields, UNION branches, ENUM symbols, FIXED size */
    struct an **kids;        /* RECORD fields, UNION branches; ARRAY items, MAP values: [0];
                              * ENTRIES: [0] key, [1] value */
    const char **sym;        /* ENUM symbols (arena copies) */
    /* RECORD: per field, the Avro binary of its default (NULL: none), written for a null
     * field as Connect's Struct.get gives the default for it */
    const char **dflt;
    uint32_t *dflt_len;
};

struct named {
    const char *full; /* the Avro full name */
    uint64_t fp;      /* the non-optional Connect schema it came from */
    struct an *node;
};

struct avro_enc {
    struct kc_arena a; /* the nodes */
    struct an *root;
    char *json;        /* owned (jansson's allocator) */
    size_t json_len;
    uint64_t fp;
};

struct ctx {
    struct kc_arena *a;
    struct kc_error *err;
    int name_index; /* ConnectDefault, ConnectDefault2... */
    struct named *named;
    size_t n_named, cap_named;
};

static int oom(struct ctx *c)
{
    return kc_error_set(c->err, KC_ENOMEM, "out of memory");
}

static struct an *node_new(struct ctx *c, enum an_kind kind, enum cdata_type ctype)
{
    struct an *n = kc_arena_calloc(c->a, sizeof(*n));
    if (n != NULL) {
        n->kind = (unsigned char)kind;
        n->null_at = -1;
        n->ctype = (unsigned char)ctype;
    }
    return n;
}

static const char *param(const struct cdata_schema *s, const char *key)
{
    return cdata_schema_param(s, key);
}

/* fingerprint of s as required (AvroData's nonOptional(schema)) */
static uint64_t fp_required(const struct cdata_schema *s)
{
    struct cdata_schema r = *s;
    r.optional = 0;
    return cdata_schema_fingerprint(&r);
}

static struct named *named_by_name(struct ctx *c, const char *full)
{
    for (size_t i = 0; i < c->n_named; i++) {
        if (strcmp(c->named[i].full, full) == 0) {
            return &c->named[i];
        }
    }
    return NULL;
}

static struct named *named_by_fp(struct ctx *c, uint64_t fp)
{
    for (size_t i = 0; i < c->n_named; i++) {
        if (c->named[i].fp == fp) {
            return &c->named[i];
        }
    }
    return NULL;
}

static int named_add(struct ctx *c, const char *full, uint64_t fp, struct an *node)
{
    if (c->n_named == c->cap_named) {
        size_t cap = c->cap_named ? c->cap_named * 2 : 8;
        struct named *n = kc_realloc(c->named, cap * sizeof(*n));
        if (n == NULL) {
            return oom(c);
        }
        c->named = n;
        c->cap_named = cap;
    }
    const char *f = kc_arena_strndup(c->a, full, strlen(full));
    if (f == NULL) {
        return oom(c);
    }
    c->named[c->n_named++] = (struct named){f, fp, node};
    return KC_OK;
}

/* namespace and simple name of a full name (AvroData's splitName: before/after the last dot) */
static void split_name(const char *full, char *space, size_t cap, const char **name)
{
    const char *dot = strrchr(full, '.');
    space[0] = '\0';
    if (dot == NULL) {
        *name = full;
        return;
    }
    size_t n = (size_t)(dot - full);
    if (n >= cap) {
        n = cap - 1;
    }
    memcpy(space, full, n);
    space[n] = '\0';
    *name = dot + 1;
}

/* A reference to a named type already printed: its simple name in its own namespace (or when
 * it has none), else its full name (Avro's Name.getQualified). */
static json_t *name_ref(const char *full, const char *space)
{
    const char *dot = strrchr(full, '.');
    if (dot == NULL) {
        return json_string(full);
    }
    size_t n = (size_t)(dot - full);
    if (space != NULL && strlen(space) == n && memcmp(space, full, n) == 0) {
        return json_string(dot + 1);
    }
    return json_string(full);
}

/* "name" and "namespace" as Avro's writeName: the namespace when it differs from the
 * enclosing one, "" for none inside one. */
static int put_name(json_t *o, const char *name, const char *ns, const char *space)
{
    int rc = json_object_set_new(o, "name", json_string(name));
    if (ns[0] != '\0') {
        if (space == NULL || strcmp(space, ns) != 0) {
            rc |= json_object_set_new(o, "namespace", json_string(ns));
        }
    } else if (space != NULL && space[0] != '\0') {
        rc |= json_object_set_new(o, "namespace", json_string(""));
    }
    return rc;
}

/* ---- defaults (AvroData.defaultValueFromConnect) ---- */

/* bytes as new String(bytes, ISO_8859_1) */
static json_t *latin1(const unsigned char *p, size_t n)
{
    char *s = kc_malloc(n * 2 + 1);
    if (s == NULL) {
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80) {
            s[k++] = (char)p[i];
        } else {
            s[k++] = (char)(0xC0 | (p[i] >> 6));
            s[k++] = (char)(0x80 | (p[i] & 0x3F));
        }
    }
    json_t *j = json_stringn(s, k);
    kc_free(s);
    return j;
}

static json_t *default_json(const struct cdata_schema *s, const struct cdata_value *v, int depth)
{
    if (v == NULL) {
        return json_null();
    }
    if (depth > AVRO_ENC_MAX_DEPTH) {
        return NULL;
    }
    switch (s->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64: return json_integer((json_int_t)v->u.i);
    case CDATA_FLOAT32:
    case CDATA_FLOAT64: return json_real(v->u.f);
    case CDATA_BOOLEAN: return json_boolean(v->u.b);
    case CDATA_STRING: return json_stringn(v->u.s, v->n);
    case CDATA_BYTES: return latin1((const unsigned char *)v->u.s, v->n);
    case CDATA_ARRAY: {
        json_t *a = json_array();
        for (uint32_t i = 0; a != NULL && i < v->n; i++) {
            json_t *e = default_json(s->items, v->u.items[i], depth + 1);
            if (e == NULL || json_array_append_new(a, e) != 0) {
                json_decref(a);
                a = NULL;
            }
        }
        return a;
    }
    case CDATA_MAP: {
        int plain = s->keys->type == CDATA_STRING && !s->keys->optional;
        json_t *o = plain ? json_object() : json_array();
        for (uint32_t i = 0; o != NULL && i < v->n; i++) {
            const struct cdata_value *k = v->u.map.keys[i];
            json_t *val = default_json(s->values, v->u.map.vals[i], depth + 1);
            int bad = val == NULL;
            if (!bad && plain) {
                char *key = k != NULL ? kc_strndup(k->u.s, k->n) : NULL;
                if (key == NULL) {
                    json_decref(val);
                }
                bad = key == NULL || json_object_set_new(o, key, val) != 0;
                kc_free(key);
            } else if (!bad) {
                json_t *kj = default_json(s->keys, k, depth + 1);
                if (kj == NULL) {
                    json_decref(val);
                }
                bad = kj == NULL || json_array_append_new(o, json_pack("[oo]", kj, val)) != 0;
            }
            if (bad) {
                json_decref(o);
                o = NULL;
            }
        }
        return o;
    }
    case CDATA_STRUCT: {
        if (v->type != CDATA_STRUCT || v->n < s->n_fields) {
            return NULL;
        }
        int is_union = s->name != NULL && strcmp(s->name, UNION_NAME) == 0;
        json_t *o = json_object();
        for (size_t i = 0; o != NULL && i < s->n_fields; i++) {
            const struct cdata_value *fv = v->u.items[i] != NULL
                                               ? v->u.items[i]
                                               : s->fields[i].schema->default_value;
            json_t *f = default_json(s->fields[i].schema, fv, depth + 1);
            if (is_union) {
                json_decref(o);
                return f; /* AvroData returns the first field's */
            }
            if (f == NULL || json_object_set_new(o, s->fields[i].name, f) != 0) {
                json_decref(o);
                o = NULL;
            }
        }
        return o;
    }
    }
    return NULL;
}

/* ---- schemas ---- */

static int enc(const struct an *n, const struct cdata_value *v, struct kc_buf *o,
               struct kc_error *err, int depth);

static int compile(struct ctx *c, const struct cdata_schema *s, int ignore_optional,
                   const char *space, int depth, struct an **out, json_t **js);

/* connect.* properties, logical types and "avro*" parameters on a non-union type (AvroData's
 * connectMetaData block), in its order */
static int put_meta(struct ctx *c, const struct cdata_schema *s, json_t *o)
{
    int rc = 0;
    if (s->doc != NULL) {
        rc |= json_object_set_new(o, "connect.doc", json_string(s->doc));
    }
    if (s->version != 0) {
        rc |= json_object_set_new(o, "connect.version", json_integer(s->version));
    }
    if (s->n_params > 0) {
        json_t *p = json_object();
        for (size_t i = 0; p != NULL && i < s->n_params; i++) {
            if (strcmp(s->params[i].key, NS ".field.default") != 0) {
                rc |= json_object_set_new(p, s->params[i].key, json_string(s->params[i].value));
            }
        }
        if (p == NULL) {
            return oom(c);
        }
        if (json_object_size(p) > 0) {
            rc |= json_object_set_new(o, "connect.parameters", p);
        } else {
            json_decref(p);
        }
    }
    if (s->default_value != NULL && param(s, NS ".field.default") == NULL) {
        json_t *d = default_json(s, s->default_value, 0);
        if (d == NULL) {
            return kc_error_set(c->err, KC_EINVAL, "Invalid default value for a %s schema",
                                cdata_type_name(s->type, 1));
        }
        rc |= json_object_set_new(o, "connect.default", d);
    }
    if (s->name != NULL) {
        rc |= json_object_set_new(o, "connect.name", json_string(s->name));
    }
    if (s->type == CDATA_INT8 || s->type == CDATA_INT16) {
        rc |= json_object_set_new(o, "connect.type",
                                  json_string(s->type == CDATA_INT8 ? "int8" : "int16"));
    }
    if (s->name != NULL) {
        const char *lt = cdata_schema_is(s, CDATA_LOGICAL_DECIMAL)     ? "decimal"
                         : cdata_schema_is(s, CDATA_LOGICAL_TIME)      ? "time-millis"
                         : cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP) ? "timestamp-millis"
                         : cdata_schema_is(s, CDATA_LOGICAL_DATE)      ? "date"
                                                                       : NULL;
        if (lt != NULL) {
            rc |= json_object_set_new(o, "logicalType", json_string(lt));
        }
    }
    for (size_t i = 0; i < s->n_params; i++) {
        if (strncmp(s->params[i].key, "avro", 4) == 0) {
            rc |= json_object_set_new(o, s->params[i].key, json_string(s->params[i].value));
        }
    }
    return rc != 0 ? oom(c) : KC_OK;
}

/* A primitive's JSON (o, taken): its type name alone, or the object when it has properties. */
static json_t *primitive(json_t *o)
{
    if (json_object_size(o) != 1) {
        return o;
    }
    json_t *t = json_incref(json_object_get(o, "type"));
    json_decref(o);
    return t;
}

static int is_union_schema(const struct cdata_schema *s)
{
    return s->type == CDATA_STRUCT && s->name != NULL && strcmp(s->name, UNION_NAME) == 0;
}

/* A decimal's integer parameter, or def when absent or not a number */
static long int_param(const struct cdata_schema *s, const char *key, long def)
{
    const char *v = param(s, key);
    if (v == NULL || *v == '\0') {
        return def;
    }
    char *end;
    long x = strtol(v, &end, 10);
    return *end == '\0' ? x : def;
}

/* record fields (with their docs and defaults) into o, nodes into n->kids */
static int record_fields(struct ctx *c, const struct cdata_schema *s, const char *space, int depth,
                         struct an *n, json_t *o)
{
    json_t *fields = json_array();
    if (fields == NULL || json_object_set_new(o, "fields", fields) != 0) {
        return oom(c);
    }
    n->n = (uint32_t)s->n_fields;
    n->kids = kc_arena_calloc(c->a, (s->n_fields + 1) * sizeof(*n->kids));
    n->dflt = kc_arena_calloc(c->a, (s->n_fields + 1) * sizeof(*n->dflt));
    n->dflt_len = kc_arena_calloc(c->a, (s->n_fields + 1) * sizeof(*n->dflt_len));
    if (n->kids == NULL || n->dflt == NULL || n->dflt_len == NULL) {
        return oom(c);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct cdata_field *f = &s->fields[i];
        json_t *fj = json_object();
        json_t *tj = NULL;
        if (fj == NULL || json_array_append_new(fields, fj) != 0) {
            return oom(c);
        }
        int rc = compile(c, f->schema, 0, space, depth + 1, &n->kids[i], &tj);
        if (rc != KC_OK) {
            return rc;
        }
        int bad = json_object_set_new(fj, "name", json_string(f->name)) != 0 ||
                  json_object_set_new(fj, "type", tj) != 0;
        char key[AVRO_ENC_MAX_NAME + 64]; /* (check_schema bounds the names) */
        snprintf(key, sizeof(key), NS ".field.doc.%s", f->name);
        const char *doc = param(s, key);
        if (!bad && doc != NULL) {
            bad = json_object_set_new(fj, "doc", json_string(doc)) != 0;
        }
        if (!bad && f->schema->default_value != NULL) {
            /* its binary, for a null value of the field (Struct.get gives the default) */
            struct kc_buf b;
            kc_buf_init(&b, (size_t)1 << 30);
            struct kc_error e;
            int drc = enc(n->kids[i], f->schema->default_value, &b, &e, depth + 1);
            if (drc == KC_OK && b.len > 0) {
                char *copy = kc_arena_alloc(c->a, b.len);
                if (copy == NULL) {
                    drc = KC_ENOMEM;
                } else {
                    memcpy(copy, b.data, b.len);
                    n->dflt[i] = copy;
                    n->dflt_len[i] = (uint32_t)b.len;
                }
            }
            kc_buf_fini(&b);
            if (drc == KC_ENOMEM) {
                return oom(c);
            }
            /* The schema's "default": left out when Avro would call it invalid (a non-null
             * default of an optional struct, whose union has null first, or one that does
             * not fit), as AvroData does since 7.0.10 ("Ignoring invalid default"). */
            json_t *d = n->kids[i]->null_at != 0 && drc == KC_OK
                            ? default_json(f->schema, f->schema->default_value, 0)
                            : NULL;
            if (d != NULL) {
                bad = json_object_set_new(fj, "default", d) != 0;
            }
        } else if (!bad && f->schema->optional) {
            bad = json_object_set_new(fj, "default", json_null()) != 0;
        }
        if (bad) {
            return oom(c);
        }
    }
    return KC_OK;
}

/* The Avro type of a required STRUCT (a record, or the Union struct's union) */
static int compile_struct(struct ctx *c, const struct cdata_schema *s, const char *space,
                          int depth, struct an **out, json_t **js)
{
    if (is_union_schema(s)) {
        json_t *u = json_array();
        struct an *n = node_new(c, AN_UNION, CDATA_STRUCT);
        if (u == NULL || n == NULL) {
            json_decref(u);
            return oom(c);
        }
        *js = u;
        n->opt_union = s->optional != 0;
        if (s->optional && json_array_append_new(u, json_string("null")) != 0) {
            return oom(c);
        }
        n->n = (uint32_t)s->n_fields;
        n->kids = kc_arena_calloc(c->a, (s->n_fields + 1) * sizeof(*n->kids));
        if (n->kids == NULL) {
            return oom(c);
        }
        for (size_t i = 0; i < s->n_fields; i++) {
            struct cdata_schema req = *s->fields[i].schema;
            req.optional = 0;
            json_t *bj = NULL;
            int rc = compile(c, &req, 1, space, depth + 1, &n->kids[i], &bj);
            if (rc != KC_OK) {
                return rc;
            }
            if (json_array_append_new(u, bj) != 0) {
                return oom(c);
            }
        }
        *out = n;
        return KC_OK;
    }
    uint64_t fp = fp_required(s);
    char full[1024];
    if (s->name != NULL) {
        snprintf(full, sizeof(full), "%s", s->name);
    } else {
        struct named *hit = named_by_fp(c, fp);
        if (hit != NULL) { /* an equal unnamed struct met before: the same ConnectDefault */
            *out = hit->node;
            *js = name_ref(hit->full, space);
            return *js != NULL ? KC_OK : oom(c);
        }
        int k = ++c->name_index;
        if (k > 1) {
            snprintf(full, sizeof(full), NS ".ConnectDefault%d", k);
        } else {
            snprintf(full, sizeof(full), NS ".ConnectDefault");
        }
    }
    struct named *nm = named_by_name(c, full);
    if (nm != NULL) {
        if (nm->fp != fp) {
            return kc_error_set(c->err, KC_EINVAL, "Can't redefine: %s", full);
        }
        *out = nm->node;
        *js = name_ref(full, space);
        return *js != NULL ? KC_OK : oom(c);
    }
    struct an *n = node_new(c, AN_RECORD, CDATA_STRUCT);
    json_t *o = json_object();
    if (n == NULL || o == NULL || named_add(c, full, fp, n) != KC_OK) {
        json_decref(o);
        return oom(c);
    }
    *js = o;
    *out = n;
    char ns[1024];
    const char *name;
    split_name(full, ns, sizeof(ns), &name);
    const char *doc = param(s, NS ".record.doc");
    if (json_object_set_new(o, "type", json_string("record")) != 0 ||
        put_name(o, name, ns, space) != 0 ||
        (doc != NULL && json_object_set_new(o, "doc", json_string(doc)) != 0)) {
        return oom(c);
    }
    int rc = record_fields(c, s, ns, depth, n, o);
    return rc != KC_OK ? rc : put_meta(c, s, o);
}

static int compile_node(struct ctx *c, const struct cdata_schema *s, int ignore_optional,
                        const char *space, int depth, struct an **out, json_t **js);

/* compile_node, and on failure nothing of its JSON left behind */
static int compile(struct ctx *c, const struct cdata_schema *s, int ignore_optional,
                   const char *space, int depth, struct an **out, json_t **js)
{
    *js = NULL;
    int rc = compile_node(c, s, ignore_optional, space, depth, out, js);
    if (rc != KC_OK) {
        json_decref(*js);
        *js = NULL;
    }
    return rc;
}

static int compile_node(struct ctx *c, const struct cdata_schema *s, int ignore_optional,
                        const char *space, int depth, struct an **out, json_t **js)
{
    *js = NULL;
    if (depth > AVRO_ENC_MAX_DEPTH) {
        return kc_error_set(c->err, KC_EINVAL, "schema nested deeper than %d levels",
                            AVRO_ENC_MAX_DEPTH);
    }
    struct an *n = NULL;
    struct an *hit = NULL; /* a named type met before: o becomes its reference */
    json_t *o = NULL;
    int rc = KC_OK;
    if (s->type == CDATA_STRUCT) {
        if (s->optional && !is_union_schema(s)) {
            /* [null, record]: whatever its default (AvroData's STRUCT case) */
            struct cdata_schema req = *s;
            req.optional = 0;
            json_t *rj = NULL;
            if ((rc = compile_struct(c, &req, space, depth, &n, &rj)) != KC_OK) {
                json_decref(rj);
                return rc;
            }
            struct an *w = kc_arena_alloc(c->a, sizeof(*w));
            *js = json_pack("[so]", "null", rj);
            if (w == NULL || *js == NULL) {
                return oom(c);
            }
            *w = *n;
            w->null_at = 0;
            *out = w;
            return KC_OK;
        }
        return compile_struct(c, s, space, depth, out, js);
    }
    o = json_object();
    if (o == NULL) {
        return oom(c);
    }
    const char *type = NULL;
    switch (s->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
        type = "int";
        n = node_new(c, AN_INT, s->type);
        break;
    case CDATA_INT64:
        type = "long";
        n = node_new(c, AN_LONG, s->type);
        break;
    case CDATA_FLOAT32:
        type = "float";
        n = node_new(c, AN_FLOAT, s->type);
        break;
    case CDATA_FLOAT64:
        type = "double";
        n = node_new(c, AN_DOUBLE, s->type);
        break;
    case CDATA_BOOLEAN:
        type = "boolean";
        n = node_new(c, AN_BOOLEAN, s->type);
        break;
    case CDATA_STRING:
        type = "string";
        if (param(s, ENUM_PARAM) != NULL) {
            /* an Avro enum kept by the AvroConverter (enhanced schema support) */
            n = node_new(c, AN_ENUM, s->type);
            if (n == NULL) {
                break;
            }
            const char *short_name;
            char sns[1024];
            struct named *seen = s->optional ? NULL : named_by_fp(c, fp_required(s));
            if (seen != NULL && seen->node->kind == AN_ENUM) {
                /* an equal enum met before (AvroData's schemaMap): its name, no new number */
                json_decref(o);
                o = name_ref(seen->full, space);
                hit = seen->node;
                n = NULL;
                if (o == NULL) {
                    return oom(c);
                }
                break;
            }
            if (s->name == NULL) {
                c->name_index++;
            }
            const char *cname = s->name;
            char dflt[64];
            if (cname == NULL) {
                snprintf(dflt, sizeof(dflt), "ConnectDefault%d", c->name_index);
                if (c->name_index == 1) {
                    dflt[14] = '\0';
                }
                short_name = dflt;
            } else {
                split_name(cname, sns, sizeof(sns), &short_name);
            }
            const char *full = param(s, ENUM_PARAM);
            struct named *nm = named_by_name(c, full);
            uint64_t fp = fp_required(s);
            if (nm != NULL) {
                json_decref(o);
                if (nm->fp != fp) {
                    return kc_error_set(c->err, KC_EINVAL, "Can't redefine: %s", full);
                }
                o = name_ref(full, space);
                hit = nm->node;
                if (o == NULL) {
                    return oom(c);
                }
                n = NULL;
                break;
            }
            if (named_add(c, full, fp, n) != KC_OK) {
                json_decref(o);
                return oom(c);
            }
            size_t plen = strlen(ENUM_PARAM ".");
            n->sym = kc_arena_calloc(c->a, (s->n_params + 1) * sizeof(*n->sym));
            json_t *syms = json_array();
            if (n->sym == NULL || syms == NULL) {
                json_decref(syms);
                json_decref(o);
                return oom(c);
            }
            for (size_t i = 0; i < s->n_params; i++) {
                if (strncmp(s->params[i].key, ENUM_PARAM ".", plen) == 0) {
                    const char *sym = s->params[i].key + plen;
                    if ((n->sym[n->n++] = kc_arena_strndup(c->a, sym, strlen(sym))) == NULL) {
                        json_decref(syms);
                        json_decref(o);
                        return oom(c);
                    }
                    json_array_append_new(syms, json_string(s->params[i].key + plen));
                }
            }
            char key[AVRO_ENC_MAX_NAME + 64];
            char ens[1024];
            const char *ename;
            split_name(full, ens, sizeof(ens), &ename);
            snprintf(key, sizeof(key), NS ".enum.doc.%s", short_name);
            const char *edoc = param(s, key);
            snprintf(key, sizeof(key), NS ".enum.default.%s", short_name);
            const char *edef = param(s, key);
            int bad = json_object_set_new(o, "type", json_string("enum")) != 0 ||
                      put_name(o, ename, ens, space) != 0 ||
                      (edoc != NULL && json_object_set_new(o, "doc", json_string(edoc)) != 0) ||
                      json_object_set_new(o, "symbols", syms) != 0 ||
                      (edef != NULL && json_object_set_new(o, "default", json_string(edef)));
            if (bad) {
                json_decref(o);
                return oom(c);
            }
            type = NULL;
        } else {
            n = node_new(c, AN_STRING, s->type);
        }
        break;
    case CDATA_BYTES: {
        /* (AvroData's isFixedSchema: a named BYTES schema with the size parameter) */
        const char *size = s->name != NULL ? param(s, "connect.fixed.size") : NULL;
        if (size != NULL) {
            char *end;
            long sz = strtol(size, &end, 10);
            if (*end != '\0' || sz < 0 || sz > INT32_MAX) {
                json_decref(o);
                return kc_error_set(c->err, KC_EINVAL, "connect.fixed.size: not a size: %s",
                                    size);
            }
            n = node_new(c, AN_FIXED, s->type);
            if (n == NULL) {
                break;
            }
            n->n = (uint32_t)sz;
            char full[1024];
            snprintf(full, sizeof(full), "%s", s->name);
            uint64_t fp = fp_required(s);
            struct named *nm = named_by_name(c, full);
            if (nm != NULL) {
                json_decref(o);
                if (nm->fp != fp) {
                    return kc_error_set(c->err, KC_EINVAL, "Can't redefine: %s", full);
                }
                o = name_ref(full, space);
                hit = nm->node;
                if (o == NULL) {
                    return oom(c);
                }
                n = NULL;
                type = NULL;
                break;
            }
            char fns[1024];
            const char *fname;
            split_name(full, fns, sizeof(fns), &fname);
            if (named_add(c, full, fp, n) != KC_OK ||
                json_object_set_new(o, "type", json_string("fixed")) != 0 ||
                put_name(o, fname, fns, space) != 0 ||
                json_object_set_new(o, "size", json_integer(sz)) != 0) {
                json_decref(o);
                return oom(c);
            }
            type = NULL;
        } else {
            type = "bytes";
            n = node_new(c, AN_BYTES, s->type);
        }
        if (n != NULL && cdata_schema_is(s, CDATA_LOGICAL_DECIMAL)) {
            if (type != NULL && json_object_set_new(o, "type", json_string(type)) != 0) {
                json_decref(o);
                return oom(c);
            }
            long scale = int_param(s, "scale", 0);
            long precision = int_param(s, "connect.decimal.precision", 64);
            if (json_object_set_new(o, "scale", json_integer(scale)) != 0 ||
                json_object_set_new(o, "precision", json_integer(precision)) != 0) {
                json_decref(o);
                return oom(c);
            }
            type = NULL; /* "type" is set */
        }
        break;
    }
    case CDATA_ARRAY: {
        struct an *items = NULL;
        json_t *ij = NULL;
        n = node_new(c, AN_ARRAY, s->type);
        if (n == NULL || (n->kids = kc_arena_calloc(c->a, sizeof(*n->kids))) == NULL) {
            json_decref(o);
            return oom(c);
        }
        if ((rc = compile(c, s->items, 0, space, depth + 1, &items, &ij)) != KC_OK) {
            json_decref(o);
            return rc;
        }
        n->kids[0] = items;
        if (json_object_set_new(o, "type", json_string("array")) != 0 ||
            json_object_set_new(o, "items", ij) != 0) {
            json_decref(o);
            return oom(c);
        }
        break;
    }
    case CDATA_MAP: {
        int plain = s->keys->type == CDATA_STRING && !s->keys->optional;
        n = node_new(c, plain ? AN_MAP : AN_ENTRIES, s->type);
        if (n == NULL || (n->kids = kc_arena_calloc(c->a, 2 * sizeof(*n->kids))) == NULL) {
            json_decref(o);
            return oom(c);
        }
        if (plain) {
            json_t *vj = NULL;
            if ((rc = compile(c, s->values, 0, space, depth + 1, &n->kids[0], &vj)) != KC_OK) {
                json_decref(o);
                return rc;
            }
            if (json_object_set_new(o, "type", json_string("map")) != 0 ||
                json_object_set_new(o, "values", vj) != 0) {
                json_decref(o);
                return oom(c);
            }
            break;
        }
        /* an array of MapEntry records (named after the map's schema when it has a name) */
        char full[1024];
        snprintf(full, sizeof(full), "%s", s->name != NULL ? s->name : NS ".MapEntry");
        /* the record is the name and the two field types: doc, version, default of the map go
         * on the array around it */
        const struct cdata_schema entry = {.type = CDATA_MAP, .name = s->name, .keys = s->keys,
                                           .values = s->values};
        uint64_t fp = cdata_schema_fingerprint(&entry);
        struct named *nm = named_by_name(c, full);
        json_t *ej = NULL;
        if (nm != NULL) {
            if (nm->fp != fp) {
                json_decref(o);
                return kc_error_set(c->err, KC_EINVAL, "Can't redefine: %s", full);
            }
            n->kids[0] = nm->node->kids[0];
            n->kids[1] = nm->node->kids[1];
            ej = name_ref(full, space);
        } else {
            if (named_add(c, full, fp, n) != KC_OK) {
                json_decref(o);
                return oom(c);
            }
            char ens[1024];
            const char *ename;
            split_name(full, ens, sizeof(ens), &ename);
            ej = json_object();
            json_t *fields = json_array();
            json_t *kf = json_object(), *vf = json_object();
            json_t *kj = NULL, *vj = NULL;
            int bad = ej == NULL || fields == NULL || kf == NULL || vf == NULL ||
                      json_object_set_new(ej, "type", json_string("record")) != 0 ||
                      put_name(ej, ename, ens, space) != 0;
            if (!bad) {
                rc = compile(c, s->keys, 0, ens, depth + 1, &n->kids[0], &kj);
                if (rc == KC_OK) {
                    rc = compile(c, s->values, 0, ens, depth + 1, &n->kids[1], &vj);
                }
                if (rc != KC_OK) {
                    json_decref(kj);
                    json_decref(ej);
                    json_decref(fields);
                    json_decref(kf);
                    json_decref(vf);
                    json_decref(o);
                    return rc;
                }
                bad = json_object_set_new(kf, "name", json_string("key")) != 0 ||
                      json_object_set_new(kf, "type", kj) != 0 ||
                      (s->keys->optional && json_object_set_new(kf, "default", json_null())) ||
                      json_object_set_new(vf, "name", json_string("value")) != 0 ||
                      json_object_set_new(vf, "type", vj) != 0 ||
                      (s->values->optional &&
                       json_object_set_new(vf, "default", json_null()) != 0) ||
                      json_array_append_new(fields, kf) != 0 ||
                      json_array_append_new(fields, vf) != 0 ||
                      json_object_set_new(ej, "fields", fields) != 0 ||
                      (s->name != NULL && json_object_set_new(ej, "connect.internal.type",
                                                              json_string("MapEntry")) != 0);
                kf = vf = fields = NULL;
            }
            if (bad) {
                json_decref(ej);
                json_decref(fields);
                json_decref(kf);
                json_decref(vf);
                json_decref(o);
                return oom(c);
            }
        }
        if (ej == NULL || json_object_set_new(o, "type", json_string("array")) != 0 ||
            json_object_set_new(o, "items", ej) != 0) {
            json_decref(o);
            return oom(c);
        }
        break;
    }
    case CDATA_STRUCT: break; /* above */
    }
    if (hit != NULL) {
        n = hit;
        *js = o;
    } else if (n == NULL) {
        json_decref(o);
        return oom(c);
    } else {
        if (type != NULL && json_object_set_new(o, "type", json_string(type)) != 0) {
            json_decref(o);
            return oom(c);
        }
        if ((rc = put_meta(c, s, o)) != KC_OK) {
            json_decref(o);
            return rc;
        }
        *js = n->kind <= AN_STRING ? primitive(o) : o;
        if (*js == NULL) {
            return oom(c);
        }
    }
    if (!s->optional || ignore_optional) {
        *out = n;
        return KC_OK;
    }
    /* maybeMakeOptional: [T, null] when there is a non-null default, else [null, T] */
    struct an *w = kc_arena_alloc(c->a, sizeof(*w));
    if (w == NULL) {
        return oom(c);
    }
    *w = *n;
    w->null_at = s->default_value != NULL ? 1 : 0;
    json_t *u = w->null_at ? json_pack("[os]", *js, "null") : json_pack("[so]", "null", *js);
    if (u == NULL) {
        *js = NULL;
        return oom(c);
    }
    *js = u;
    *out = w;
    return KC_OK;
}

/* ---- the schema checked before it is compiled ---- */

static int utf8_ok(const char *s)
{
    return s == NULL || kc_utf8_valid(s, strlen(s));
}

static int value_text_ok(const struct cdata_value *v, int depth)
{
    if (v == NULL) {
        return 1;
    }
    if (depth > AVRO_ENC_MAX_DEPTH) {
        return 0;
    }
    switch (v->type) {
    case CDATA_STRING: return kc_utf8_valid(v->u.s, v->n);
    case CDATA_ARRAY:
    case CDATA_STRUCT:
        for (uint32_t i = 0; i < v->n; i++) {
            if (!value_text_ok(v->u.items[i], depth + 1)) {
                return 0;
            }
        }
        return 1;
    case CDATA_MAP:
        for (uint32_t i = 0; i < v->n; i++) {
            if (!value_text_ok(v->u.map.keys[i], depth + 1) ||
                !value_text_ok(v->u.map.vals[i], depth + 1)) {
                return 0;
            }
        }
        return 1;
    default: return 1;
    }
}

/* Nesting within AVRO_ENC_MAX_DEPTH (so that the fingerprints of its parts, which cover that
 * many levels, tell equal parts apart), and every name, doc, parameter and default text valid
 * UTF-8 (the Avro schema is JSON text). KC_EINVAL otherwise: the record is to blame. */
static int check_schema(const struct cdata_schema *s, int depth, struct kc_error *err)
{
    if (s == NULL) {
        return KC_OK;
    }
    if (depth > AVRO_ENC_MAX_DEPTH) {
        return kc_error_set(err, KC_EINVAL, "schema nested deeper than %d levels",
                            AVRO_ENC_MAX_DEPTH);
    }
    const char *enum_name = param(s, ENUM_PARAM);
    if ((s->name != NULL && strlen(s->name) > AVRO_ENC_MAX_NAME) ||
        (enum_name != NULL && strlen(enum_name) > AVRO_ENC_MAX_NAME)) {
        return kc_error_set(err, KC_EINVAL, "a schema name longer than %d bytes",
                            AVRO_ENC_MAX_NAME);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        if (strlen(s->fields[i].name) > AVRO_ENC_MAX_NAME) {
            return kc_error_set(err, KC_EINVAL, "a field name longer than %d bytes",
                                AVRO_ENC_MAX_NAME);
        }
    }
    int ok = utf8_ok(s->name) && utf8_ok(s->doc) && value_text_ok(s->default_value, 0);
    for (size_t i = 0; ok && i < s->n_params; i++) {
        ok = utf8_ok(s->params[i].key) && utf8_ok(s->params[i].value);
    }
    for (size_t i = 0; ok && i < s->n_fields; i++) {
        ok = utf8_ok(s->fields[i].name);
    }
    if (!ok) {
        return kc_error_set(err, KC_EINVAL, "the Connect schema holds text that is not valid "
                                            "UTF-8 (a name, doc, parameter or default)");
    }
    int rc = check_schema(s->items, depth + 1, err);
    if (rc == KC_OK) {
        rc = check_schema(s->keys, depth + 1, err);
    }
    if (rc == KC_OK) {
        rc = check_schema(s->values, depth + 1, err);
    }
    for (size_t i = 0; rc == KC_OK && i < s->n_fields; i++) {
        rc = check_schema(s->fields[i].schema, depth + 1, err);
    }
    return rc;
}

static const char ANYTHING_JSON[] =
    "{\"type\":\"record\",\"name\":\"Anything\",\"namespace\":\"" NS "\",\"fields\":["
    "{\"name\":\"boolean\",\"type\":[\"null\",\"boolean\"],\"default\":null},"
    "{\"name\":\"bytes\",\"type\":[\"null\",\"bytes\"],\"default\":null},"
    "{\"name\":\"double\",\"type\":[\"null\",\"double\"],\"default\":null},"
    "{\"name\":\"float\",\"type\":[\"null\",\"float\"],\"default\":null},"
    "{\"name\":\"int\",\"type\":[\"null\",\"int\"],\"default\":null},"
    "{\"name\":\"long\",\"type\":[\"null\",\"long\"],\"default\":null},"
    "{\"name\":\"string\",\"type\":[\"null\",\"string\"],\"default\":null},"
    "{\"name\":\"array\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"Anything\"}],"
    "\"default\":null},"
    "{\"name\":\"map\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
    "\"name\":\"MapEntry\",\"fields\":[{\"name\":\"key\",\"type\":\"Anything\"},"
    "{\"name\":\"value\",\"type\":\"Anything\"}]}}],\"default\":null}]}";

int avro_enc_new(const struct cdata_schema *s, struct avro_enc **out, struct kc_error *err)
{
    *out = NULL;
    struct avro_enc *e = kc_calloc(1, sizeof(*e));
    if (e == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_arena_init(&e->a, 16 << 10, (size_t)64 << 20);
    e->fp = cdata_schema_fingerprint(s);
    struct ctx c = {.a = &e->a, .err = err};
    int rc = KC_OK;
    if (s == NULL) {
        e->root = node_new(&c, AN_ANYTHING, CDATA_STRUCT);
        e->json = e->root != NULL ? strdup(ANYTHING_JSON) : NULL;
        rc = e->json != NULL ? KC_OK : oom(&c);
    } else if ((rc = check_schema(s, 0, err)) == KC_OK) {
        json_t *js = NULL;
        rc = compile(&c, s, 0, NULL, 0, &e->root, &js);
        if (rc == KC_OK) {
            e->json = json_dumps(js, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
            rc = e->json != NULL ? KC_OK : oom(&c);
        }
        json_decref(js);
    }
    kc_free(c.named);
    if (rc != KC_OK) {
        avro_enc_free(e);
        return rc;
    }
    e->json_len = strlen(e->json);
    *out = e;
    return KC_OK;
}

void avro_enc_free(struct avro_enc *e)
{
    if (e == NULL) {
        return;
    }
    free(e->json); /* jansson's json_dumps (malloc) or strdup */
    kc_arena_fini(&e->a);
    kc_free(e);
}

const char *avro_enc_schema_json(const struct avro_enc *e, size_t *len)
{
    if (len != NULL) {
        *len = e->json_len;
    }
    return e->json;
}

uint64_t avro_enc_fingerprint(const struct avro_enc *e)
{
    return e->fp;
}

size_t avro_enc_footprint(const struct avro_enc *e)
{
    return e != NULL ? sizeof(*e) + kc_arena_bytes(&e->a) + e->json_len + 1 : 0;
}

/* ---- values ---- */

int avro_put_long(struct kc_buf *out, int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    uint8_t b[10];
    size_t n = 0;
    while (z >= 0x80) {
        b[n++] = (uint8_t)(z | 0x80);
        z >>= 7;
    }
    b[n++] = (uint8_t)z;
    return kc_buf_append(out, b, n);
}

static int put_bytes(struct kc_buf *out, const void *p, size_t n)
{
    int rc = avro_put_long(out, (int64_t)n);
    return rc == KC_OK ? kc_buf_append(out, p, n) : rc;
}

/* A Java String's UTF-8: what cdata holds for an unpaired surrogate (ED A0..BF xx, as a JSON
 * \ud800 decodes) is '?', as String.getBytes(UTF_8) writes it. */
static int put_string(struct kc_buf *out, const char *p, size_t n)
{
    if (kc_utf8_valid(p, n)) {
        return put_bytes(out, p, n);
    }
    struct kc_buf t;
    kc_buf_init(&t, (size_t)1 << 31);
    int rc = kc_buf_reserve(&t, n);
    const unsigned char *u = (const unsigned char *)p;
    for (size_t i = 0; rc == KC_OK && i < n; i++) {
        if (u[i] == 0xED && i + 2 < n && u[i + 1] >= 0xA0 && u[i + 1] <= 0xBF &&
            (u[i + 2] & 0xC0) == 0x80) {
            rc = kc_buf_append_byte(&t, '?');
            i += 2;
        } else {
            rc = kc_buf_append_byte(&t, u[i]);
        }
    }
    if (rc == KC_OK) {
        rc = put_bytes(out, t.data, t.len);
    }
    kc_buf_fini(&t);
    return rc;
}

static int put_le(struct kc_buf *out, uint64_t x, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++) {
        b[i] = (uint8_t)(x >> (8 * i));
    }
    return kc_buf_append(out, b, n);
}

static int put_float(struct kc_buf *out, float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return put_le(out, u, 4);
}

static int put_double(struct kc_buf *out, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return put_le(out, u, 8);
}

static int bad_type(struct kc_error *err, enum cdata_type t, const struct cdata_value *v)
{
    return kc_error_set(err, KC_EINVAL, "Invalid type for %s: %s", cdata_type_name(t, 1),
                        cdata_java_class(v));
}

static int enc(const struct an *n, const struct cdata_value *v, struct kc_buf *o,
               struct kc_error *err, int depth);

/* Anything (no schema): the one field of the value's Java type set, the others null. */
static int enc_anything(const struct cdata_value *v, struct kc_buf *o, struct kc_error *err,
                        int depth)
{
    enum { F_BOOLEAN, F_BYTES, F_DOUBLE, F_FLOAT, F_INT, F_LONG, F_STRING, F_ARRAY, F_MAP };
    if (depth > AVRO_ENC_MAX_DEPTH) {
        return kc_error_set(err, KC_EINVAL, "value nested deeper than %d levels",
                            AVRO_ENC_MAX_DEPTH);
    }
    int slot = -1;
    if (v != NULL) {
        switch (v->type) {
        case CDATA_BOOLEAN: slot = F_BOOLEAN; break;
        case CDATA_BYTES: slot = F_BYTES; break;
        case CDATA_FLOAT64: slot = F_DOUBLE; break;
        case CDATA_FLOAT32: slot = F_FLOAT; break;
        case CDATA_INT8:
        case CDATA_INT16:
        case CDATA_INT32: slot = F_INT; break;
        case CDATA_INT64: slot = F_LONG; break;
        case CDATA_STRING: slot = F_STRING; break;
        case CDATA_ARRAY: slot = F_ARRAY; break;
        case CDATA_MAP: slot = F_MAP; break;
        case CDATA_STRUCT:
            return kc_error_set(err, KC_EINVAL, "Unknown Java type for schemaless data: %s",
                                cdata_java_class(v));
        }
    }
    int rc = KC_OK;
    for (int f = F_BOOLEAN; rc == KC_OK && f <= F_MAP; f++) {
        rc = kc_buf_append_byte(o, f == slot ? 2 : 0); /* union index 1 or 0 */
        if (rc != KC_OK || f != slot) {
            continue;
        }
        switch (f) {
        case F_BOOLEAN: rc = kc_buf_append_byte(o, v->u.b ? 1 : 0); break;
        case F_BYTES: rc = put_bytes(o, v->u.s, v->n); break;
        case F_STRING: rc = put_string(o, v->u.s, v->n); break;
        case F_DOUBLE: rc = put_double(o, v->u.f); break;
        case F_FLOAT: rc = put_float(o, (float)v->u.f); break;
        case F_INT:
        case F_LONG: rc = avro_put_long(o, v->u.i); break;
        case F_ARRAY:
            if (v->n > 0) {
                rc = avro_put_long(o, v->n);
            }
            for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
                rc = enc_anything(v->u.items[i], o, err, depth + 1);
            }
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(o, 0);
            }
            break;
        default: { /* F_MAP: MapEntry {key, value} records in HashMap order */
            uint32_t sorder[16];
            uint32_t *order = v->n <= 16 ? sorder : kc_malloc((size_t)v->n * sizeof(*order));
            if (order == NULL || cdata_map_java_order(v, order) != KC_OK) {
                if (order != sorder) {
                    kc_free(order);
                }
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            if (v->n > 0) {
                rc = avro_put_long(o, v->n);
            }
            for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
                rc = enc_anything(v->u.map.keys[order[i]], o, err, depth + 1);
                if (rc == KC_OK) {
                    rc = enc_anything(v->u.map.vals[order[i]], o, err, depth + 1);
                }
            }
            if (order != sorder) {
                kc_free(order);
            }
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(o, 0);
            }
            break;
        }
        }
    }
    return rc;
}

static int enc_map(const struct an *n, const struct cdata_value *v, struct kc_buf *o,
                   struct kc_error *err, int depth)
{
    uint32_t sorder[16];
    uint32_t *order = v->n <= 16 ? sorder : kc_malloc((size_t)v->n * sizeof(*order));
    if (order == NULL || cdata_map_java_order(v, order) != KC_OK) {
        if (order != sorder) {
            kc_free(order);
        }
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int rc = v->n > 0 ? avro_put_long(o, v->n) : KC_OK;
    for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
        const struct cdata_value *k = v->u.map.keys[order[i]];
        if (n->kind == AN_MAP) {
            if (k == NULL || k->type != CDATA_STRING) {
                rc = k == NULL ? kc_error_set(err, KC_EINVAL, "Found null value for "
                                                              "non-optional schema")
                               : bad_type(err, CDATA_STRING, k);
                break;
            }
            rc = put_string(o, k->u.s, k->n);
        } else {
            rc = enc(n->kids[0], k, o, err, depth + 1);
        }
        if (rc == KC_OK) {
            rc = enc(n->kind == AN_MAP ? n->kids[0] : n->kids[1], v->u.map.vals[order[i]], o,
                     err, depth + 1);
        }
    }
    if (order != sorder) {
        kc_free(order);
    }
    return rc == KC_OK ? kc_buf_append_byte(o, 0) : rc;
}

static int enc(const struct an *n, const struct cdata_value *v, struct kc_buf *o,
               struct kc_error *err, int depth)
{
    if (depth > AVRO_ENC_MAX_DEPTH) {
        return kc_error_set(err, KC_EINVAL, "value nested deeper than %d levels",
                            AVRO_ENC_MAX_DEPTH);
    }
    if (n->kind == AN_ANYTHING) {
        return enc_anything(v, o, err, depth);
    }
    int rc;
    if (n->null_at >= 0) {
        if (v == NULL) {
            return avro_put_long(o, n->null_at);
        }
        if ((rc = avro_put_long(o, 1 - n->null_at)) != KC_OK) {
            return rc;
        }
    } else if (v == NULL && n->kind != AN_UNION) {
        return kc_error_set(err, KC_EINVAL, "Found null value for non-optional schema");
    }
    if (n->kind == AN_UNION) {
        /* the first field set is the branch written; none: null (when null is a branch) */
        for (uint32_t i = 0; v != NULL && v->type == CDATA_STRUCT && i < n->n && i < v->n;
             i++) {
            if (v->u.items[i] != NULL) {
                rc = avro_put_long(o, (int64_t)i + n->opt_union);
                return rc == KC_OK ? enc(n->kids[i], v->u.items[i], o, err, depth + 1) : rc;
            }
        }
        if (v != NULL && v->type != CDATA_STRUCT) {
            return bad_type(err, CDATA_STRUCT, v);
        }
        if (!n->opt_union) {
            return kc_error_set(err, KC_EINVAL, "Found null value for non-optional schema");
        }
        return avro_put_long(o, 0);
    }
    if (v->type != (enum cdata_type)n->ctype) {
        return bad_type(err, (enum cdata_type)n->ctype, v);
    }
    switch ((enum an_kind)n->kind) {
    case AN_BOOLEAN: return kc_buf_append_byte(o, v->u.b ? 1 : 0);
    case AN_INT:
    case AN_LONG: return avro_put_long(o, v->u.i);
    case AN_FLOAT: return put_float(o, (float)v->u.f);
    case AN_DOUBLE: return put_double(o, v->u.f);
    case AN_BYTES: return put_bytes(o, v->u.s, v->n);
    case AN_STRING: return put_string(o, v->u.s, v->n);
    case AN_FIXED:
        if (v->n != n->n) {
            return kc_error_set(err, KC_EINVAL, "Fixed size %u does not match the value's %u "
                                                "bytes",
                                n->n, v->n);
        }
        return kc_buf_append(o, v->u.s, v->n);
    case AN_ENUM:
        for (uint32_t i = 0; i < n->n; i++) {
            if (strlen(n->sym[i]) == v->n && memcmp(n->sym[i], v->u.s, v->n) == 0) {
                return avro_put_long(o, i);
            }
        }
        return kc_error_set(err, KC_EINVAL, "Not an enum symbol: %.*s",
                            (int)(v->n > 200 ? 200 : v->n), v->u.s);
    case AN_ARRAY:
        rc = v->n > 0 ? avro_put_long(o, v->n) : KC_OK;
        for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
            rc = enc(n->kids[0], v->u.items[i], o, err, depth + 1);
        }
        return rc == KC_OK ? kc_buf_append_byte(o, 0) : rc;
    case AN_MAP:
    case AN_ENTRIES: return enc_map(n, v, o, err, depth);
    case AN_RECORD:
        if (v->n != n->n) {
            return kc_error_set(err, KC_EINVAL, "Mismatching struct schema");
        }
        for (uint32_t i = 0; i < n->n; i++) {
            if (v->u.items[i] == NULL && n->dflt[i] != NULL) {
                rc = kc_buf_append(o, n->dflt[i], n->dflt_len[i]);
            } else {
                rc = enc(n->kids[i], v->u.items[i], o, err, depth + 1);
            }
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    case AN_UNION:
    case AN_ANYTHING: break; /* above */
    }
    return KC_OK;
}

int avro_enc_write(const struct avro_enc *e, const struct cdata_value *v, struct kc_buf *out,
                   struct kc_error *err)
{
    size_t len = out->len;
    int rc = enc(e->root, v, out, err, 0);
    if (rc != KC_OK) {
        out->len = len;
        if (rc == KC_ENOMEM) {
            kc_error_set(err, KC_ENOMEM, "out of memory");
        }
    }
    return rc;
}
