/*
 * connectors/common/smt_fields.c: the field-level transforms -- InsertField, ReplaceField,
 * ExtractField, Flatten -- for Map values (schemaless, e.g. JsonConverter schemas.enable=false)
 * and Struct values (with schema), each in $Value and $Key flavours. Messages follow the JVM's
 * Requirements/SchemaUtil ("Only Map objects supported in absence of schema for [field
 * insertion], found: java.lang.String"). A null record part passes through unchanged, as the
 * JVM's tombstone handling does.
 *
 * Maps are rebuilt in java.util.HashMap iteration order of the input (cdata_map_java_order), so
 * the result's own HashMap order -- what FileStreamSink prints -- matches the JVM's even for
 * keys sharing a bucket; Flatten's result is a LinkedHashMap in the JVM, which we mark with
 * cdata_schema_linked_map so it prints in insertion order. New struct schemas copy name/version/doc/parameters like
 * SchemaUtil.copySchemaBasics (so they are not optional) and are built per record in the batch
 * arena (the JVM caches them; we cannot safely key a cache on arena pointers).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"
#include "smt_int.h"

#define TPKG "org.apache.kafka.connect.transforms."

static int require_map(const struct cdata_value *v, const char *purpose, struct kc_error *err)
{
    if (v == NULL || v->type != CDATA_MAP) {
        return kc_error_set(err, KC_EINVAL,
                            "Only Map objects supported in absence of schema for [%s], found: %s",
                            purpose, smt_java_class(v));
    }
    return KC_OK;
}

static int require_struct(const struct cdata_value *v, const char *purpose, struct kc_error *err)
{
    if (v == NULL || v->type != CDATA_STRUCT) {
        return kc_error_set(err, KC_EINVAL, "Only Struct objects supported for [%s], found: %s",
                            purpose, smt_java_class(v));
    }
    return KC_OK;
}

/* A struct schema with copySchemaBasics(src) and room for n fields. */
static struct cdata_schema *struct_schema_new(const struct cdata_schema *src, size_t n,
                                              struct kc_arena *a, struct cdata_field **fields)
{
    struct cdata_schema *s = kc_arena_calloc(a, sizeof(*s));
    struct cdata_field *f = kc_arena_calloc(a, (n ? n : 1) * sizeof(*f));
    if (s == NULL || f == NULL) {
        return NULL;
    }
    s->type = CDATA_STRUCT;
    if (src != NULL) {
        s->name = src->name;
        s->version = src->version;
        s->doc = src->doc;
        s->params = src->params;
        s->n_params = src->n_params;
    }
    s->fields = f;
    *fields = f;
    return s;
}

static int add_field(struct cdata_schema *s, struct cdata_field *f, const char *name,
                     const struct cdata_schema *fs, struct kc_error *err)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        if (strcmp(f[i].name, name) == 0) {
            return kc_error_set(err, KC_EINVAL,
                                "Cannot create field because of field name duplication %s", name);
        }
    }
    f[s->n_fields].name = name;
    f[s->n_fields].index = (int)s->n_fields;
    f[s->n_fields].schema = fs;
    s->n_fields++;
    return KC_OK;
}

/* Map builder with put() semantics: an equal key keeps its slot and takes the new value. */
struct mapb {
    const struct cdata_value **k, **v;
    uint32_t n;
};

static void mapb_put(struct mapb *m, const struct cdata_value *k, const struct cdata_value *v)
{
    for (uint32_t i = 0; i < m->n; i++) {
        if (m->k[i]->n == k->n && memcmp(m->k[i]->u.s, k->u.s, k->n) == 0) {
            m->v[i] = v;
            return;
        }
    }
    m->k[m->n] = k;
    m->v[m->n] = v;
    m->n++;
}

static struct cdata_value *mapb_new(struct mapb *m, uint32_t cap, struct kc_arena *a)
{
    struct cdata_value *r = cdata_map(a, cap, &m->k, &m->v);
    m->n = 0;
    return r;
}

static int java_order(const struct cdata_value *map, struct kc_arena *a, uint32_t **order)
{
    *order = kc_arena_alloc(a, (map->n ? map->n : 1) * sizeof(uint32_t));
    if (*order == NULL) {
        return KC_ENOMEM;
    }
    return cdata_map_java_order(map, *order);
}

/* ================================================================ InsertField */

struct ins_spec {
    const char *name; /* NULL = not configured */
    int optional;
};

struct ins {
    struct ins_spec topic, partition, offset, timestamp, stat;
    const char *static_value;
    int dflt; /* replace.null.with.default */
};

static int ins_spec(struct smt *t, const struct kc_strmap *props, const char *key,
                    struct ins_spec *sp)
{
    const char *v = kc_strmap_get(props, key);
    sp->name = NULL;
    sp->optional = 1;
    if (v == NULL || *v == '\0') {
        return KC_OK;
    }
    size_t n = strlen(v);
    if (v[n - 1] == '!' || v[n - 1] == '?') {
        sp->optional = v[n - 1] == '?';
        n--;
    }
    sp->name = kc_arena_strndup(&t->conf, v, n);
    return sp->name != NULL ? KC_OK : KC_ENOMEM;
}

static int ins_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct ins *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL || ins_spec(t, props, "topic.field", &c->topic) != KC_OK ||
        ins_spec(t, props, "partition.field", &c->partition) != KC_OK ||
        ins_spec(t, props, "offset.field", &c->offset) != KC_OK ||
        ins_spec(t, props, "timestamp.field", &c->timestamp) != KC_OK ||
        ins_spec(t, props, "static.field", &c->stat) != KC_OK) {
        return smt_oom(err);
    }
    const char *sv = kc_strmap_get(props, "static.value");
    if (sv != NULL && (c->static_value = kc_arena_strndup(&t->conf, sv, strlen(sv))) == NULL) {
        return smt_oom(err);
    }
    if (smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err) != KC_OK) {
        return KC_EINVAL;
    }
    t->ctx = c;
    return KC_OK;
}

static void ins_noop_fini(struct smt *t)
{
    (void)t; /* ctx lives in t->conf */
}

static const struct cdata_schema ins_ts_schema = {.type = CDATA_INT64,
                                                  .name = CDATA_LOGICAL_TIMESTAMP, .version = 1};
static const struct cdata_schema ins_ts_opt_schema = {
    .type = CDATA_INT64, .name = CDATA_LOGICAL_TIMESTAMP, .version = 1, .optional = 1};

static int ins_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                     const struct sink_record **out, struct kc_error *err)
{
    struct ins *c = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    if (v == NULL) {
        return KC_OK;
    }
    int has_ts = in->ts_type != SINK_TS_NONE;
    struct cdata_value *topic = NULL, *part = NULL, *off = NULL, *ts = NULL, *stat = NULL;
    if ((c->topic.name && (topic = cdata_string(a, in->topic, strlen(in->topic))) == NULL) ||
        (c->partition.name && (part = cdata_int(a, CDATA_INT32, in->partition)) == NULL) ||
        (c->offset.name && (off = cdata_int(a, CDATA_INT64, in->offset)) == NULL) ||
        (c->timestamp.name && has_ts && (ts = cdata_int(a, CDATA_INT64, in->timestamp)) == NULL) ||
        (c->stat.name && c->static_value &&
         (stat = cdata_string(a, c->static_value, strlen(c->static_value))) == NULL)) {
        return smt_oom(err);
    }
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc;
    if (s == NULL) {
        if ((rc = require_map(v, "field insertion", err)) != KC_OK) {
            return rc;
        }
        uint32_t *order;
        struct mapb mb;
        struct cdata_value *m;
        if (java_order(v, a, &order) != KC_OK || (m = mapb_new(&mb, v->n + 5, a)) == NULL) {
            return smt_oom(err);
        }
        for (uint32_t i = 0; i < v->n; i++) {
            mapb_put(&mb, v->u.map.keys[order[i]], v->u.map.vals[order[i]]);
        }
        const struct ins_spec *sp[5] = {&c->topic, &c->partition, &c->offset, &c->timestamp,
                                        &c->stat};
        struct cdata_value *vals[5] = {topic, part, off, ts, stat};
        for (int i = 0; i < 5; i++) {
            if (sp[i]->name == NULL || vals[i] == NULL) {
                continue; /* the JVM skips a null timestamp or static value */
            }
            struct cdata_value *k = cdata_string(a, sp[i]->name, strlen(sp[i]->name));
            if (k == NULL) {
                return smt_oom(err);
            }
            mapb_put(&mb, k, vals[i]);
        }
        m->n = mb.n;
        m->u.map.vals = mb.v;
        m->schema = cdata_hashmap_hint(cdata_hashmap_copied(v->n)); /* new HashMap<>(value) */
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    if ((rc = require_struct(v, "field insertion", err)) != KC_OK) {
        return rc;
    }
    struct cdata_field *f;
    struct cdata_schema *ns = struct_schema_new(s, s->n_fields + 5, a, &f);
    if (ns == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        f[i] = s->fields[i];
    }
    ns->n_fields = s->n_fields;
    const struct ins_spec *sp[5] = {&c->topic, &c->partition, &c->offset, &c->timestamp, &c->stat};
    const struct cdata_schema *fs[5][2] = {
        {&cdata_schema_string, &cdata_schema_optional_string},
        {&cdata_schema_int32, &cdata_schema_optional_int32},
        {&cdata_schema_int64, &cdata_schema_optional_int64},
        {&ins_ts_schema, &ins_ts_opt_schema},
        {&cdata_schema_string, &cdata_schema_optional_string}};
    struct cdata_value *vals[5] = {topic, part, off, ts, stat};
    for (int i = 0; i < 5; i++) {
        if (sp[i]->name == NULL) {
            continue;
        }
        const struct cdata_schema *fsch = fs[i][sp[i]->optional];
        if ((rc = add_field(ns, f, sp[i]->name, fsch, err)) != KC_OK) {
            return rc;
        }
        if (vals[i] == NULL && !fsch->optional) {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid value: null used for required field: \"%s\", schema "
                                "type: %s",
                                sp[i]->name, cdata_type_name(fsch->type, 1));
        }
        if (vals[i] != NULL) {
            vals[i]->schema = fsch;
        }
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, ns, &fv);
    if (nv == NULL) {
        return smt_oom(err);
    }
    size_t k = 0;
    for (; k < s->n_fields; k++) {
        fv[k] = smt_struct_field(v, k, c->dflt);
    }
    for (int i = 0; i < 5; i++) {
        if (sp[i]->name != NULL) {
            fv[k++] = vals[i];
        }
    }
    smt_set_part(t, o, ns, nv);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_insert_field_value_ops = {
    .class_name = TPKG "InsertField$Value", .init = ins_init, .fini = ins_noop_fini,
    .apply = ins_apply};
const struct smt_ops smt_insert_field_key_ops = {
    .class_name = TPKG "InsertField$Key", .is_key = 1, .init = ins_init, .fini = ins_noop_fini,
    .apply = ins_apply};

/* ================================================================ ReplaceField */

struct repl {
    const char **exclude, **include, **from, **to;
    size_t nex, nin, nren;
    int dflt; /* replace.null.with.default */
};

static int in_list(const char *const *l, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(l[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

static int repl_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct repl *c = kc_arena_calloc(&t->conf, sizeof(*c));
    const char **ren;
    size_t nren;
    if (c == NULL || smt_list(kc_strmap_get(props, "exclude"), &t->conf, &c->exclude, &c->nex) ||
        smt_list(kc_strmap_get(props, "include"), &t->conf, &c->include, &c->nin) ||
        smt_list(kc_strmap_get(props, "renames"), &t->conf, &ren, &nren)) {
        return smt_oom(err);
    }
    c->from = kc_arena_alloc(&t->conf, (nren ? nren : 1) * sizeof(char *));
    c->to = kc_arena_alloc(&t->conf, (nren ? nren : 1) * sizeof(char *));
    if (c->from == NULL || c->to == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < nren; i++) {
        /* String.split(":"): trailing empty parts dropped; exactly two parts must remain */
        size_t len = strlen(ren[i]);
        char *m = kc_arena_strndup(&t->conf, ren[i], len);
        if (m == NULL) {
            return smt_oom(err);
        }
        while (len > 0 && m[len - 1] == ':') {
            m[--len] = '\0';
        }
        char *colon = strchr(m, ':');
        if (len == 0 || colon == NULL || colon[1] == '\0' || strchr(colon + 1, ':')) {
            struct kc_buf b;
            kc_buf_init(&b, 1 << 20);
            int rc = kc_buf_append(&b, "[", 1);
            for (size_t k = 0; rc == KC_OK && k < nren; k++) {
                rc = k > 0 ? kc_buf_append(&b, ", ", 2) : KC_OK;
                rc = rc == KC_OK ? kc_buf_append(&b, ren[k], strlen(ren[k])) : rc;
            }
            rc = rc == KC_OK ? kc_buf_append(&b, "]", 2) : rc;
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid value %s for configuration renames: Invalid rename "
                              "mapping: %s",
                              rc == KC_OK ? b.data : "[...]", ren[i]);
            kc_buf_fini(&b);
            return rc;
        }
        *colon = '\0';
        c->from[i] = m;
        c->to[i] = colon + 1;
    }
    c->nren = nren;
    if (smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err) != KC_OK) {
        return KC_EINVAL;
    }
    t->ctx = c;
    return KC_OK;
}

static int repl_keep(const struct repl *c, const char *name)
{
    return !in_list(c->exclude, c->nex, name) && (c->nin == 0 || in_list(c->include, c->nin, name));
}

/* renames is a HashMap filled in list order: the last mapping of a name wins. */
static const char *repl_rename(const struct repl *c, const char *name)
{
    for (size_t i = c->nren; i-- > 0;) {
        if (strcmp(c->from[i], name) == 0) {
            return c->to[i];
        }
    }
    return name;
}

/* reverseRenames = invert(renames): over the HashMap's entries, a later one wins. Close enough
 * to iterate the effective mappings in list order. */
static const char *repl_reverse(const struct repl *c, const char *name)
{
    const char *r = name;
    for (size_t i = 0; i < c->nren; i++) {
        if (strcmp(c->to[i], name) == 0 && repl_rename(c, c->from[i]) == c->to[i]) {
            r = c->from[i];
        }
    }
    return r;
}

static int repl_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                      const struct sink_record **out, struct kc_error *err)
{
    struct repl *c = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    if (v == NULL) {
        return KC_OK;
    }
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc;
    if (s == NULL) {
        if ((rc = require_map(v, "field replacement", err)) != KC_OK) {
            return rc;
        }
        uint32_t *order;
        struct mapb mb;
        struct cdata_value *m;
        if (java_order(v, a, &order) != KC_OK || (m = mapb_new(&mb, v->n, a)) == NULL) {
            return smt_oom(err);
        }
        for (uint32_t i = 0; i < v->n; i++) {
            const struct cdata_value *k = v->u.map.keys[order[i]];
            if (k == NULL || k->type != CDATA_STRING || !repl_keep(c, k->u.s)) {
                continue;
            }
            const char *nn = repl_rename(c, k->u.s);
            if (nn != k->u.s && (k = cdata_string(a, nn, strlen(nn))) == NULL) {
                return smt_oom(err);
            }
            mapb_put(&mb, k, v->u.map.vals[order[i]]);
        }
        m->n = mb.n;
        m->u.map.vals = mb.v;
        m->schema = cdata_hashmap_hint(cdata_hashmap_sized(v->n)); /* new HashMap<>(size) */
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    if ((rc = require_struct(v, "field replacement", err)) != KC_OK) {
        return rc;
    }
    struct cdata_field *f;
    struct cdata_schema *ns = struct_schema_new(s, s->n_fields, a, &f);
    if (ns == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        if (repl_keep(c, s->fields[i].name) &&
            (rc = add_field(ns, f, repl_rename(c, s->fields[i].name), s->fields[i].schema, err)) !=
                KC_OK) {
            return rc;
        }
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, ns, &fv);
    if (nv == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < ns->n_fields; i++) { /* value.get(reverseRenamed(field.name())) */
        const char *src = repl_reverse(c, ns->fields[i].name);
        const struct cdata_field *sf = cdata_schema_field(s, src);
        if (sf == NULL) {
            return kc_error_set(err, KC_EINVAL, "%s is not a valid field name", src);
        }
        fv[i] = smt_struct_field(v, (size_t)sf->index, c->dflt);
    }
    smt_set_part(t, o, ns, nv);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_replace_field_value_ops = {
    .class_name = TPKG "ReplaceField$Value", .init = repl_init, .fini = ins_noop_fini,
    .apply = repl_apply};
const struct smt_ops smt_replace_field_key_ops = {
    .class_name = TPKG "ReplaceField$Key", .is_key = 1, .init = repl_init, .fini = ins_noop_fini,
    .apply = repl_apply};

/* ================================================================ ExtractField */

struct extract {
    const char *field;
    int dflt; /* replace.null.with.default */
};

static int extract_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    const char *f = kc_strmap_get(props, "field");
    if (f == NULL || *f == '\0') {
        return kc_error_set(err, KC_EINVAL,
                            "Missing required configuration \"field\" which has no default value.");
    }
    const char *syn = kc_strmap_get(props, "field.syntax.version");
    if (syn != NULL && strcmp(syn, "V1") != 0 && strcmp(syn, "v1") != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %s for configuration field.syntax.version: connect-c "
                            "supports V1 (top-level field names) only",
                            syn);
    }
    struct extract *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL || (c->field = kc_arena_strndup(&t->conf, f, strlen(f))) == NULL) {
        return smt_oom(err);
    }
    t->ctx = c;
    return smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err);
}

static int extract_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                         const struct sink_record **out, struct kc_error *err)
{
    const struct extract *c = t->ctx;
    const char *field = c->field;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    if (s == NULL) {
        if (v != NULL && v->type != CDATA_MAP) {
            return require_map(v, "field extraction", err);
        }
        smt_set_part(t, o, NULL, v != NULL ? cdata_map_get(v, field) : NULL);
        *out = o;
        return KC_OK;
    }
    if (v != NULL && v->type != CDATA_STRUCT) { /* requireStructOrNull comes first */
        return require_struct(v, "field extraction", err);
    }
    if (s->type != CDATA_STRUCT) {
        return kc_error_set(err, KC_EINVAL, "Cannot look up fields on non-struct type");
    }
    const struct cdata_field *fd = cdata_schema_field(s, field);
    if (fd == NULL) {
        return kc_error_set(err, KC_EINVAL, "Unknown field: %s", field);
    }
    smt_set_part(t, o, fd->schema,
                 v != NULL ? smt_struct_field(v, (size_t)fd->index, c->dflt) : NULL);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_extract_field_value_ops = {
    .class_name = TPKG "ExtractField$Value", .init = extract_init, .fini = ins_noop_fini,
    .apply = extract_apply};
const struct smt_ops smt_extract_field_key_ops = {
    .class_name = TPKG "ExtractField$Key", .is_key = 1, .init = extract_init,
    .fini = ins_noop_fini, .apply = extract_apply};

/* ================================================================ Flatten */

static int flatten_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    const char *d = kc_strmap_get(props, "delimiter");
    if (d == NULL) {
        d = ".";
    }
    t->ctx = kc_arena_strndup(&t->conf, d, strlen(d));
    return t->ctx != NULL ? KC_OK : smt_oom(err);
}

static char *join(struct kc_arena *a, const char *prefix, const char *delim, const char *name,
                  size_t name_len)
{
    if (prefix == NULL || *prefix == '\0') {
        return kc_arena_strndup(a, name, name_len);
    }
    size_t pl = strlen(prefix), dl = strlen(delim);
    char *s = kc_arena_alloc(a, pl + dl + name_len + 1);
    if (s != NULL) {
        memcpy(s, prefix, pl);
        memcpy(s + pl, delim, dl);
        memcpy(s + pl + dl, name, name_len);
        s[pl + dl + name_len] = '\0';
    }
    return s;
}

static uint32_t count_leaves(const struct cdata_value *m, int depth)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->n; i++) {
        const struct cdata_value *v = m->u.map.vals[i];
        n += v != NULL && v->type == CDATA_MAP && depth < 1000 ? count_leaves(v, depth + 1) : 1;
    }
    return n;
}

static int flatten_map(const struct cdata_value *m, const char *prefix, const char *delim,
                       struct mapb *mb, struct kc_arena *a, int depth, struct kc_error *err)
{
    uint32_t *order;
    if (depth > 1000) {
        return kc_error_set(err, KC_EINVAL, "Flatten: nesting too deep");
    }
    if (java_order(m, a, &order) != KC_OK) {
        return smt_oom(err);
    }
    for (uint32_t i = 0; i < m->n; i++) {
        const struct cdata_value *k = m->u.map.keys[order[i]];
        const struct cdata_value *v = m->u.map.vals[order[i]];
        if (k == NULL || k->type != CDATA_STRING) {
            return kc_error_set(err, KC_EINVAL, "Flatten: map keys must be strings");
        }
        char *name = join(a, prefix, delim, k->u.s, k->n);
        if (name == NULL) {
            return smt_oom(err);
        }
        if (v != NULL && v->type == CDATA_MAP) {
            int rc = flatten_map(v, name, delim, mb, a, depth + 1, err);
            if (rc != KC_OK) {
                return rc;
            }
            continue;
        }
        if (v != NULL && v->type == CDATA_STRUCT) {
            return kc_error_set(err, KC_EINVAL,
                                "Flatten transformation does not support class "
                                "org.apache.kafka.connect.data.Struct for record without schemas "
                                "(for field %s).",
                                name);
        }
        struct cdata_value *nk = cdata_string(a, name, strlen(name));
        if (nk == NULL) {
            return smt_oom(err);
        }
        mapb_put(mb, nk, v);
    }
    return KC_OK;
}

static size_t count_struct_leaves(const struct cdata_schema *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct cdata_schema *fs = s->fields[i].schema;
        n += fs->type == CDATA_STRUCT ? count_struct_leaves(fs) : 1;
    }
    return n;
}

static int flatten_struct(const struct cdata_schema *s, const struct cdata_value *v,
                          const char *prefix, const char *delim, int optional,
                          struct cdata_schema *ns, struct cdata_field *f,
                          const struct cdata_value **fv, struct kc_arena *a, struct kc_error *err)
{
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct cdata_field *fd = &s->fields[i];
        const struct cdata_value *fvv = v != NULL ? v->u.items[i] : NULL;
        int fopt = optional || fd->schema->optional;
        char *name = join(a, prefix, delim, fd->name, strlen(fd->name));
        if (name == NULL) {
            return smt_oom(err);
        }
        int rc;
        if (fd->schema->type == CDATA_STRUCT) {
            rc = flatten_struct(fd->schema, fvv, name, delim, fopt, ns, f, fv, a, err);
        } else {
            const struct cdata_schema *fsch = fd->schema;
            if (fopt && !fsch->optional) {
                struct cdata_schema *c = kc_arena_alloc(a, sizeof(*c));
                if (c == NULL) {
                    return smt_oom(err);
                }
                *c = *fsch;
                c->optional = 1;
                fsch = c;
            }
            size_t slot = ns->n_fields;
            rc = add_field(ns, f, name, fsch, err);
            if (rc == KC_OK) {
                fv[slot] = fvv;
            }
        }
        if (rc != KC_OK) {
            return rc;
        }
    }
    return KC_OK;
}

static int flatten_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                         const struct sink_record **out, struct kc_error *err)
{
    const char *delim = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    if (v == NULL) {
        return KC_OK;
    }
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc;
    if (s == NULL) {
        if ((rc = require_map(v, "flattening", err)) != KC_OK) {
            return rc;
        }
        struct mapb mb;
        struct cdata_value *m = mapb_new(&mb, count_leaves(v, 0), a);
        if (m == NULL) {
            return smt_oom(err);
        }
        if ((rc = flatten_map(v, "", delim, &mb, a, 0, err)) != KC_OK) {
            return rc;
        }
        m->n = mb.n;
        m->u.map.vals = mb.v;
        m->schema = &cdata_schema_linked_map; /* Flatten builds a LinkedHashMap */
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    if ((rc = require_struct(v, "flattening", err)) != KC_OK) {
        return rc;
    }
    size_t nl = count_struct_leaves(s);
    struct cdata_field *f = NULL;
    struct cdata_schema *ns = struct_schema_new(s, nl, a, &f);
    const struct cdata_value **fv = kc_arena_calloc(a, (nl ? nl : 1) * sizeof(*fv));
    if (ns == NULL || fv == NULL) {
        return smt_oom(err);
    }
    if ((rc = flatten_struct(s, v, "", delim, 0, ns, f, fv, a, err)) != KC_OK) {
        return rc;
    }
    const struct cdata_value **dst;
    struct cdata_value *nv = cdata_struct(a, ns, &dst);
    if (nv == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < ns->n_fields; i++) {
        dst[i] = fv[i];
    }
    smt_set_part(t, o, ns, nv);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_flatten_value_ops = {
    .class_name = TPKG "Flatten$Value", .init = flatten_init, .fini = ins_noop_fini,
    .apply = flatten_apply};
const struct smt_ops smt_flatten_key_ops = {
    .class_name = TPKG "Flatten$Key", .is_key = 1, .init = flatten_init, .fini = ins_noop_fini,
    .apply = flatten_apply};

/* ================================================================ shared with smt_*.c */

int smt_require_map(const struct cdata_value *v, const char *purpose, struct kc_error *err)
{
    return require_map(v, purpose, err);
}

int smt_require_struct(const struct cdata_value *v, const char *purpose, struct kc_error *err)
{
    return require_struct(v, purpose, err);
}

struct cdata_schema *smt_struct_schema_new(const struct cdata_schema *src, size_t n,
                                           struct kc_arena *a, struct cdata_field **fields)
{
    return struct_schema_new(src, n, a, fields);
}

int smt_struct_add_field(struct cdata_schema *s, struct cdata_field *f, const char *name,
                         const struct cdata_schema *fs, struct kc_error *err)
{
    return add_field(s, f, name, fs, err);
}

const struct cdata_value *smt_struct_field(const struct cdata_value *v, size_t i, int dflt)
{
    const struct cdata_value *fv = v->u.items[i];
    if (fv == NULL && dflt && v->schema != NULL && i < v->schema->n_fields) {
        const struct cdata_schema *fs = v->schema->fields[i].schema;
        if (fs->has_default) {
            fv = fs->default_value;
        }
    }
    return fv;
}

int smt_java_map_order(const struct cdata_value *map, struct kc_arena *a, uint32_t **order)
{
    return java_order(map, a, order);
}

int smt_bool_prop(const struct kc_strmap *props, const char *key, int dflt, int *out,
                  struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    *out = dflt;
    if (v == NULL) {
        return KC_OK;
    }
    /* ConfigDef BOOLEAN: trimmed, case-insensitive true/false */
    size_t n = strlen(v), b = 0;
    while (b < n && (v[b] == ' ' || v[b] == '\t')) {
        b++;
    }
    while (n > b && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
        n--;
    }
    if (n - b == 4 && strncasecmp(v + b, "true", 4) == 0) {
        *out = 1;
    } else if (n - b == 5 && strncasecmp(v + b, "false", 5) == 0) {
        *out = 0;
    } else {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %s for configuration %s: Expected value to be either "
                            "true or false",
                            v, key);
    }
    return KC_OK;
}

int smt_put_check(const char *field, const struct cdata_schema *s, const struct cdata_value *v,
                  struct kc_error *err)
{
    if (v == NULL) {
        if (s->optional) {
            return KC_OK;
        }
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value: null used for required field: \"%s\", schema type: %s",
                            field, cdata_type_name(s->type, 1));
    }
    struct cdata_value want = {.type = s->type, .schema = s};
    int ok = v->type == s->type;
    if (ok && v->type != CDATA_ARRAY && v->type != CDATA_MAP && v->type != CDATA_STRUCT) {
        ok = strcmp(smt_java_class(v), smt_java_class(&want)) == 0;
    }
    if (ok) {
        return KC_OK;
    }
    const char *cls = smt_java_class(v);
    return kc_error_set(err, KC_EINVAL,
                        "Invalid Java object for schema%s%s%s with type %s: %s%s for field: "
                        "\"%s\"",
                        s->name != NULL ? " \"" : "", s->name != NULL ? s->name : "",
                        s->name != NULL ? "\"" : "", cdata_type_name(s->type, 1),
                        "class ", cls, field);
}
