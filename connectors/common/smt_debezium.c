/*
 * connectors/common/smt_debezium.c: Debezium's io.debezium.transforms.ExtractNewRecordState, as
 * Debezium 3.6 (debezium-connect-plugins) runs it: a change event envelope (a Struct whose
 * schema name ends in ".Envelope", e.g. JsonConverter schemas.enable=true on Debezium's JSON)
 * becomes its "after" row; deletes, tombstones and truncates are handled per
 * delete.tombstone.handling.mode:
 *
 *   mode                    delete event                    tombstone
 *   tombstone (default)     null value, after's schema      dropped
 *   drop                    dropped                         dropped
 *   rewrite                 "before" + __deleted=true       dropped
 *   rewrite-with-tombstone  "before" + __deleted=true       kept
 *   delete-to-tombstone     null value and schema           dropped
 *
 * rewrite modes add __deleted="false" (optional string) to inserts and updates. A truncate (no
 * before, no after) is dropped. add.fields / add.headers ("op", "ts_ms", "source.ts_ms",
 * "version:VERSION", ...; prefixes add.fields.prefix / add.headers.prefix, default "__") copy
 * envelope fields into the row / headers with an optional copy of their schema; route.by.field
 * sets the topic from a row field. A value that is not an envelope (schemaless JSON, other
 * schemas) passes unchanged, a tombstone being the exception above.
 *
 * Debezium 3 no longer reads drop.tombstones or delete.handling.mode (removed in 3.0): like the
 * JVM we ignore them; delete.tombstone.handling.mode replaces both. drop.fields.header.name is
 * not supported (refused at configuration). Errors name the JVM's exception classes.
 */
#include <string.h>
#include <strings.h>

#include "kc_log.h"
#include "smt_int.h"

enum dbz_mode { DBZ_DROP, DBZ_TOMBSTONE, DBZ_REWRITE, DBZ_REWRITE_TOMBSTONE, DBZ_DEL_TO_TOMB };

struct dbz_ref {
    const char *struct_name; /* NULL = the envelope itself */
    const char *field;
    const char *new_field; /* prefix included */
};

struct dbz {
    enum dbz_mode mode;
    const char *route_by; /* NULL = none */
    struct dbz_ref *fields, *headers;
    size_t n_fields, n_headers;
    int dflt; /* replace.null.with.default, for the __deleted InsertField */
};

static void dbz_fini(struct smt *t)
{
    (void)t;
}

static const char *prop_or(const struct kc_strmap *props, const char *key, const char *dflt)
{
    const char *v = kc_strmap_get(props, key);
    return v != NULL ? v : dflt;
}

static char *cat3(struct kc_arena *a, const char *x, const char *y, const char *z)
{
    size_t lx = strlen(x), ly = strlen(y), lz = strlen(z);
    char *s = kc_arena_alloc(a, lx + ly + lz + 1);
    if (s != NULL) {
        memcpy(s, x, lx);
        memcpy(s + lx, y, ly);
        memcpy(s + lx + ly, z, lz);
        s[lx + ly + lz] = '\0';
    }
    return s;
}

/* FieldReference: "field", "struct.field" or either with ":newName". */
static int parse_refs(struct smt *t, const char *list, const char *prefix, struct dbz_ref **out,
                      size_t *n, struct kc_error *err)
{
    const char **items;
    size_t cnt;
    *out = NULL;
    *n = 0;
    if (list == NULL || *list == '\0') {
        return KC_OK;
    }
    if (smt_list(list, &t->conf, &items, &cnt) != KC_OK) {
        return smt_oom(err);
    }
    struct dbz_ref *r = kc_arena_calloc(&t->conf, (cnt ? cnt : 1) * sizeof(*r));
    if (r == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < cnt; i++) {
        char *spec = (char *)items[i]; /* arena copy, ours to cut */
        char *colon = strchr(spec, ':');
        const char *rename = NULL;
        if (colon != NULL) {
            if (strchr(colon + 1, ':') != NULL) { /* IllegalArgumentException in the JVM */
                return kc_error_set(err, KC_EINVAL, "Unexpected field name: %s", items[i]);
            }
            *colon = '\0';
            rename = colon + 1;
        }
        char *dot = strchr(spec, '.');
        int split = dot != NULL;
        if (split) {
            *dot = '\0';
            char *dot2 = strchr(dot + 1, '.');
            if (dot2 != NULL) {
                *dot2 = '\0'; /* String.split keeps parts[1] only */
            }
            r[i].struct_name = spec;
            r[i].field = dot + 1;
        } else {
            r[i].field = spec;
            static const char *const tx[] = {"id", "total_order", "data_collection_order"};
            static const char *const top[] = {"op", "ts_ms", "ts_us", "ts_ns"};
            r[i].struct_name = "source";
            for (int k = 0; k < 3; k++) {
                if (strcmp(spec, tx[k]) == 0) {
                    r[i].struct_name = "transaction";
                }
            }
            for (int k = 0; k < 4; k++) {
                if (strcmp(spec, top[k]) == 0) {
                    r[i].struct_name = NULL;
                }
            }
            if (strcmp(spec, "updateDescription") == 0) {
                r[i].struct_name = "updateDescription";
            }
        }
        if (rename != NULL) {
            r[i].new_field = cat3(&t->conf, prefix, rename, "");
        } else if (split) {
            char *mid = cat3(&t->conf, r[i].struct_name, "_", r[i].field);
            r[i].new_field = mid != NULL ? cat3(&t->conf, prefix, mid, "") : NULL;
        } else {
            r[i].new_field = cat3(&t->conf, prefix, r[i].field, "");
        }
        if (r[i].new_field == NULL) {
            return smt_oom(err);
        }
    }
    *out = r;
    *n = cnt;
    return KC_OK;
}

static int dbz_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct dbz *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    t->ctx = c;
    static const char *const modes[] = {"drop", "tombstone", "rewrite", "rewrite-with-tombstone",
                                        "delete-to-tombstone"};
    const char *m = prop_or(props, "delete.tombstone.handling.mode", "tombstone");
    size_t b = 0, e = strlen(m);
    while (b < e && (m[b] == ' ' || m[b] == '\t')) {
        b++;
    }
    while (e > b && (m[e - 1] == ' ' || m[e - 1] == '\t')) {
        e--;
    }
    int found = -1;
    for (int i = 0; i < 5; i++) {
        if (strlen(modes[i]) == e - b && strncasecmp(m + b, modes[i], e - b) == 0) {
            found = i;
        }
    }
    if (found < 0) {
        /* a ConnectException: Configuration.validateAndRecord logs the reason, then this */
        return kc_error_set(err, KC_EINVAL, "Unable to validate config.");
    }
    c->mode = (enum dbz_mode)found;
    /* Debezium 3 reads neither (removed in 3.0) and says nothing; a warning costs no parity */
    static const char *const legacy[] = {"drop.tombstones", "delete.handling.mode"};
    for (int i = 0; i < 2; i++) {
        if (kc_strmap_get(props, legacy[i]) != NULL) {
            kc_log(KC_LOG_WARN, "smt",
                   "ExtractNewRecordState: '%s' is ignored since Debezium 3.0, as the JVM "
                   "ignores it; use delete.tombstone.handling.mode (now '%s')",
                   legacy[i], m);
        }
    }
    const char *route = prop_or(props, "route.by.field", "");
    if (*route != '\0' && (c->route_by = kc_arena_strndup(&t->conf, route, strlen(route))) == NULL) {
        return smt_oom(err);
    }
    const char *dfh = kc_strmap_get(props, "drop.fields.header.name");
    if (dfh != NULL && *dfh != '\0') {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %s for configuration drop.fields.header.name: "
                            "connect-c's ExtractNewRecordState does not support dropping fields "
                            "named in a header",
                            dfh);
    }
    int rc = parse_refs(t, kc_strmap_get(props, "add.fields"),
                        prop_or(props, "add.fields.prefix", "__"), &c->fields, &c->n_fields, err);
    if (rc == KC_OK) {
        rc = parse_refs(t, kc_strmap_get(props, "add.headers"),
                        prop_or(props, "add.headers.prefix", "__"), &c->headers, &c->n_headers,
                        err);
    }
    if (rc == KC_OK) {
        rc = smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err);
    }
    return rc;
}

static int is_envelope(const struct cdata_schema *s)
{
    size_t n;
    return s != NULL && s->name != NULL && (n = strlen(s->name)) >= 9 &&
           strcmp(s->name + n - 9, ".Envelope") == 0;
}

/* Struct.getWithoutDefault(name) on a struct value (NULL when absent or null). */
static const struct cdata_value *get_raw(const struct cdata_value *v, const char *name)
{
    if (v == NULL || v->type != CDATA_STRUCT) {
        return NULL;
    }
    const struct cdata_field *f = cdata_schema_field(v->schema, name);
    return f != NULL ? v->u.items[f->index] : NULL;
}

/* FieldReference.getSchema: an optional copy (SchemaUtil.copySchemaBasics + optional()) of the
 * referenced field's schema, or *out = NULL when neither the struct nor the envelope has it. */
static int ref_schema(const struct dbz_ref *r, const struct cdata_schema *env,
                      struct kc_arena *a, const struct cdata_schema **out, struct smt *t,
                      struct kc_error *err)
{
    *out = NULL;
    const struct cdata_schema *parent = env;
    if (r->struct_name != NULL) {
        const struct cdata_field *pf = cdata_schema_field(env, r->struct_name);
        if (pf == NULL) {
            t->err_class = "java.lang.NullPointerException";
            return kc_error_set(err, KC_EINVAL,
                                "Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\" "
                                "because the return value of \"org.apache.kafka.connect.data."
                                "Schema.field(String)\" is null");
        }
        parent = pf->schema;
    }
    const struct cdata_field *f =
        parent->type == CDATA_STRUCT ? cdata_schema_field(parent, r->field) : NULL;
    if (f == NULL) {
        f = cdata_schema_field(env, r->field);
    }
    if (f == NULL) {
        return KC_OK;
    }
    struct cdata_schema *c = kc_arena_alloc(a, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    *c = *f->schema;
    c->optional = 1;
    c->default_value = NULL;
    c->has_default = 0;
    *out = c;
    return KC_OK;
}

/* FieldReference.getValue */
static const struct cdata_value *ref_value(const struct dbz_ref *r, const struct cdata_value *env)
{
    const struct cdata_value *parent = r->struct_name != NULL ? get_raw(env, r->struct_name) : env;
    if (parent == NULL) {
        return NULL;
    }
    if (parent->type == CDATA_STRUCT && cdata_schema_field(parent->schema, r->field) != NULL) {
        return get_raw(parent, r->field);
    }
    return get_raw(env, r->field);
}

static int set_value(struct sink_record *o, const struct cdata_schema *s,
                     const struct cdata_value *v)
{
    o->value_schema = s;
    o->value = v;
    return KC_OK;
}

/* InsertField$Value static.field=__deleted static.value=<val> on a Struct row. */
static int add_deleted(const struct dbz *c, struct sink_record *o, const char *val,
                       struct kc_arena *a, struct kc_error *err)
{
    const struct cdata_value *v = o->value;
    const struct cdata_schema *s = o->value_schema;
    if (v == NULL || v->type != CDATA_STRUCT) {
        return KC_OK; /* "need to add __deleted manually since mongodb's value is a string" */
    }
    struct cdata_field *f;
    struct cdata_schema *ns = smt_struct_schema_new(s, s->n_fields + 1, a, &f);
    if (ns == NULL) {
        return smt_oom(err);
    }
    int rc;
    for (size_t i = 0; i < s->n_fields; i++) {
        if ((rc = smt_struct_add_field(ns, f, s->fields[i].name, s->fields[i].schema, err)) !=
            KC_OK) {
            return rc;
        }
    }
    if ((rc = smt_struct_add_field(ns, f, "__deleted", &cdata_schema_optional_string, err)) !=
        KC_OK) {
        return rc;
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, ns, &fv);
    struct cdata_value *d = cdata_string(a, val, strlen(val));
    if (nv == NULL || d == NULL) {
        return smt_oom(err);
    }
    d->schema = &cdata_schema_optional_string;
    for (size_t i = 0; i < s->n_fields; i++) {
        fv[i] = smt_struct_field(v, i, c->dflt);
    }
    fv[s->n_fields] = d;
    return set_value(o, ns, nv);
}

/* addFields: the row plus the add.fields references of the envelope. */
static int add_fields(const struct dbz *c, struct smt *t, struct sink_record *o,
                      const struct cdata_value *env, struct kc_arena *a, struct kc_error *err)
{
    if (c->n_fields == 0) {
        return KC_OK;
    }
    const struct cdata_value *v = o->value;
    int rc = smt_require_struct(v, "source field insertion", err);
    if (rc != KC_OK) {
        return rc;
    }
    const struct cdata_schema *s = v->schema;
    struct cdata_field *f;
    struct cdata_schema *ns = smt_struct_schema_new(s, s->n_fields + c->n_fields, a, &f);
    const struct cdata_value **extra = kc_arena_alloc(a, c->n_fields * sizeof(*extra));
    if (ns == NULL || extra == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        if ((rc = smt_struct_add_field(ns, f, s->fields[i].name, s->fields[i].schema, err)) !=
            KC_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < c->n_fields; i++) {
        const struct cdata_schema *fs;
        extra[i] = NULL;
        if ((rc = ref_schema(&c->fields[i], env->schema, a, &fs, t, err)) != KC_OK) {
            return rc;
        }
        if (fs == NULL) {
            continue;
        }
        if ((rc = smt_struct_add_field(ns, f, c->fields[i].new_field, fs, err)) != KC_OK) {
            return rc;
        }
        extra[i] = ref_value(&c->fields[i], env);
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, ns, &fv);
    if (nv == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        fv[i] = v->u.items[i]; /* getWithoutDefault */
    }
    for (size_t i = 0, k = s->n_fields; i < c->n_fields; i++) {
        if (k < ns->n_fields && strcmp(ns->fields[k].name, c->fields[i].new_field) == 0) {
            fv[k++] = extra[i];
        }
    }
    return set_value(o, ns, nv);
}

static int route(const struct dbz *c, struct sink_record *o, const struct cdata_value *row,
                 struct kc_error *err)
{
    if (c->route_by == NULL) {
        return KC_OK;
    }
    int rc = smt_require_struct(row, "Read record to set topic routing", err);
    if (rc != KC_OK) {
        return rc;
    }
    const struct cdata_field *f = cdata_schema_field(row->schema, c->route_by);
    if (f == NULL) {
        return kc_error_set(err, KC_EINVAL, "%s is not a valid field name", c->route_by);
    }
    const struct cdata_value *tv = row->u.items[f->index];
    if (tv != NULL && tv->type != CDATA_STRING) {
        return kc_error_set(err, KC_EINVAL, "Field '%s' is not of type STRING", c->route_by);
    }
    int blank = 1;
    for (uint32_t i = 0; tv != NULL && i < tv->n; i++) {
        blank &= tv->u.s[i] == ' ' || tv->u.s[i] == '\t' || tv->u.s[i] == '\n' ||
                 tv->u.s[i] == '\r';
    }
    if (!blank) {
        o->topic = tv->u.s;
    }
    return KC_OK;
}

static int dbz_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                     const struct sink_record **out, struct kc_error *err)
{
    struct dbz *c = t->ctx;
    const struct cdata_value *env = in->value;
    int tomb = env == NULL;
    int valid = is_envelope(in->value_schema);
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    int rc;
    if ((valid || tomb) && c->n_headers > 0) {
        struct sink_header *h = smt_headers_copy(in, c->n_headers, a);
        if (h == NULL) {
            return smt_oom(err);
        }
        size_t nh = in->n_headers;
        for (size_t i = 0; i < c->n_headers; i++) {
            const struct dbz_ref *r = &c->headers[i];
            const struct cdata_schema *hs = NULL;
            const struct cdata_value *hv = NULL;
            if (tomb) {
                if (strcmp(r->field, "op") != 0) {
                    continue;
                }
                struct cdata_value *d = cdata_string(a, "d", 1);
                if (d == NULL) {
                    return smt_oom(err);
                }
                d->schema = &cdata_schema_string;
                hs = &cdata_schema_string;
                hv = d;
            } else {
                if ((rc = ref_schema(r, env->schema, a, &hs, t, err)) != KC_OK) {
                    return rc;
                }
                if (hs == NULL) {
                    continue;
                }
                hv = ref_value(r, env);
            }
            h[nh].key = r->new_field;
            h[nh].raw = NULL;
            h[nh].raw_len = 0;
            h[nh].schema = hs;
            h[nh].value = hv;
            nh++;
        }
        o->headers = h;
        o->n_headers = nh;
    }
    if (tomb) {
        *out = c->mode == DBZ_REWRITE_TOMBSTONE ? o : NULL;
        return KC_OK;
    }
    if (!valid) {
        return KC_OK; /* unchanged */
    }
    if ((rc = smt_require_struct(env, "field extraction", err)) != KC_OK) {
        return rc;
    }
    const struct cdata_field *af = cdata_schema_field(env->schema, "after");
    const struct cdata_field *bf = cdata_schema_field(env->schema, "before");
    if (af == NULL) {
        t->err_class = "java.lang.IllegalArgumentException";
        return kc_error_set(err, KC_EINVAL, "Unknown field: after");
    }
    const struct cdata_value *after = smt_struct_field(env, (size_t)af->index, 1);
    const struct cdata_value *before =
        bf != NULL ? smt_struct_field(env, (size_t)bf->index, 1) : NULL;
    if (bf == NULL && after == NULL) {
        t->err_class = "java.lang.IllegalArgumentException";
        return kc_error_set(err, KC_EINVAL, "Unknown field: before");
    }
    if (after == NULL && before == NULL) {
        *out = NULL; /* truncate */
        return KC_OK;
    }
    if (after == NULL) { /* delete */
        switch (c->mode) {
        case DBZ_DROP:
            *out = NULL;
            return KC_OK;
        case DBZ_TOMBSTONE:
            set_value(o, af->schema, NULL);
            break;
        case DBZ_DEL_TO_TOMB:
            set_value(o, NULL, NULL);
            break;
        case DBZ_REWRITE:
        case DBZ_REWRITE_TOMBSTONE:
            set_value(o, bf->schema, before);
            if ((rc = add_deleted(c, o, "true", a, err)) != KC_OK) {
                return rc;
            }
            break;
        }
        if (c->route_by != NULL && (rc = route(c, o, before, err)) != KC_OK) {
            return rc;
        }
        if (o->value != NULL && (rc = add_fields(c, t, o, env, a, err)) != KC_OK) {
            return rc;
        }
        *out = o;
        return KC_OK;
    }
    set_value(o, af->schema, after);
    if ((c->mode == DBZ_REWRITE || c->mode == DBZ_REWRITE_TOMBSTONE) &&
        (rc = add_deleted(c, o, "false", a, err)) != KC_OK) {
        return rc;
    }
    if ((rc = route(c, o, o->value, err)) != KC_OK) {
        return rc;
    }
    if ((rc = add_fields(c, t, o, env, a, err)) != KC_OK) {
        return rc;
    }
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_dbz_extract_new_state_ops = {
    .class_name = "io.debezium.transforms.ExtractNewRecordState",
    .version = SMT_DEBEZIUM_VERSION,
    .init = dbz_init,
    .fini = dbz_fini,
    .apply = dbz_apply};
