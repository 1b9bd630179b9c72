/*
 * connectors/common/smt_headers.c: the header transforms -- HeaderFrom$Value/$Key (fields,
 * headers, operation copy|move), InsertHeader (header, value.literal), DropHeaders (headers) --
 * and Debezium's io.debezium.transforms.HeaderToValue (headers, fields, operation), which puts
 * headers into a Struct value.
 *
 * A header a transform adds has raw == NULL, raw_len == 0 and its Connect schema and value (as
 * the JVM's ConnectHeaders.add(key, value, schema)); a schemaless one (HeaderFrom on a Map) has
 * schema == NULL. The record's header array is copied, never changed in place.
 *
 * HeaderToValue: flat field names only (Debezium's "a.b" nesting is refused at configuration),
 * and the new schema is computed per record where Debezium caches the first one per value
 * schema: the same when every record of a schema carries the same headers.
 */
#include <string.h>
#include <strings.h>

#include "conv.h"
#include "kc_alloc.h"
#include "smt_int.h"

#define TPKG "org.apache.kafka.connect.transforms."

static void noop_fini(struct smt *t)
{
    (void)t; /* ctx lives in t->conf */
}

static int list_prop(struct smt *t, const struct kc_strmap *props, const char *key,
                     const char ***out, size_t *n, struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    if (v == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "Missing required configuration \"%s\" which has no default value.",
                            key);
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

static int add_header(struct sink_header *h, size_t *n, const char *key,
                      const struct cdata_schema *s, const struct cdata_value *v)
{
    h[*n].key = key;
    h[*n].raw = NULL;
    h[*n].raw_len = 0;
    h[*n].schema = s;
    h[*n].value = v;
    (*n)++;
    return KC_OK;
}

/* ================================================================ HeaderFrom */

struct hfrom {
    const char **fields, **headers;
    size_t n;
    int move;
    int dflt;
};

static int hfrom_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct hfrom *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    size_t nf, nh;
    int rc = list_prop(t, props, "fields", &c->fields, &nf, err);
    if (rc == KC_OK) {
        rc = list_prop(t, props, "headers", &c->headers, &nh, err);
    }
    if (rc != KC_OK) {
        return rc;
    }
    const char *op = kc_strmap_get(props, "operation");
    if (op == NULL) {
        return kc_error_set(err, KC_EINVAL, "Missing required configuration \"operation\" which "
                                            "has no default value.");
    }
    if (strcmp(op, "move") != 0 && strcmp(op, "copy") != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %s for configuration operation: String must be one "
                            "of: move, copy",
                            op);
    }
    if (nf != nh) {
        return kc_error_set(err, KC_EINVAL, "'fields' config must have the same number of "
                                            "elements as 'headers' config.");
    }
    c->n = nf;
    c->move = strcmp(op, "move") == 0;
    if ((rc = smt_bool_prop(props, "replace.null.with.default", 1, &c->dflt, err)) != KC_OK) {
        return rc;
    }
    t->ctx = c;
    return KC_OK;
}

static int hfrom_listed(const struct hfrom *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->fields[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

static int hfrom_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                       const struct sink_record **out, struct kc_error *err)
{
    struct hfrom *c = t->ctx;
    const struct cdata_schema *s;
    const struct cdata_value *v;
    smt_part(t, in, &s, &v);
    struct sink_record *o = smt_record_dup(in, a);
    struct sink_header *h = smt_headers_copy(in, c->n, a);
    if (o == NULL || h == NULL) {
        return smt_oom(err);
    }
    size_t nh = in->n_headers;
    const char *purpose = c->move ? "header move" : "header copy";
    int rc;
    if (s == NULL) {
        if ((rc = smt_require_map(v, purpose, err)) != KC_OK) {
            return rc;
        }
        const struct cdata_value *nv = v;
        if (c->move) { /* new HashMap<>(value), then remove() each field */
            uint32_t *order;
            const struct cdata_value **k, **vals;
            struct cdata_value *m;
            if (smt_java_map_order(v, a, &order) != KC_OK ||
                (m = cdata_map(a, v->n, &k, &vals)) == NULL) {
                return smt_oom(err);
            }
            uint32_t n = 0;
            for (uint32_t i = 0; i < v->n; i++) {
                const struct cdata_value *key = v->u.map.keys[order[i]];
                if (key != NULL && key->type == CDATA_STRING && hfrom_listed(c, key->u.s)) {
                    continue;
                }
                k[n] = key;
                vals[n++] = v->u.map.vals[order[i]];
            }
            m->n = n;
            m->schema = cdata_hashmap_hint(cdata_hashmap_copied(v->n));
            nv = m;
        }
        for (size_t i = 0; i < c->n; i++) {
            const struct cdata_value *fv = cdata_map_get(v, c->fields[i]);
            add_header(h, &nh, c->headers[i], NULL, fv);
        }
        smt_set_part(t, o, NULL, nv);
        o->headers = h;
        o->n_headers = nh;
        *out = o;
        return KC_OK;
    }
    if ((rc = smt_require_struct(v, purpose, err)) != KC_OK) {
        return rc;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (cdata_schema_field(s, c->fields[i]) == NULL) {
            t->err_class = "java.lang.NullPointerException"; /* operatingSchema.field(f).schema() */
            return kc_error_set(err, KC_EINVAL,
                                "Cannot invoke \"org.apache.kafka.connect.data.Field.schema()\" "
                                "because the return value of \"org.apache.kafka.connect.data."
                                "Schema.field(String)\" is null");
        }
    }
    const struct cdata_schema *ns = s;
    const struct cdata_value *nv = v;
    if (c->move) {
        struct cdata_field *f;
        struct cdata_schema *ms = smt_struct_schema_new(s, s->n_fields, a, &f);
        if (ms == NULL) {
            return smt_oom(err);
        }
        for (size_t i = 0; i < s->n_fields; i++) {
            if (!hfrom_listed(c, s->fields[i].name) &&
                (rc = smt_struct_add_field(ms, f, s->fields[i].name, s->fields[i].schema, err)) !=
                    KC_OK) {
                return rc;
            }
        }
        const struct cdata_value **fv;
        struct cdata_value *m = cdata_struct(a, ms, &fv);
        if (m == NULL) {
            return smt_oom(err);
        }
        size_t k = 0;
        for (size_t i = 0; i < s->n_fields; i++) {
            if (!hfrom_listed(c, s->fields[i].name)) {
                fv[k++] = smt_struct_field(v, i, c->dflt);
            }
        }
        ns = ms;
        nv = m;
    }
    for (size_t i = 0; i < c->n; i++) {
        const struct cdata_field *fd = cdata_schema_field(s, c->fields[i]);
        add_header(h, &nh, c->headers[i], fd->schema, smt_struct_field(v, (size_t)fd->index,
                                                                        c->dflt));
    }
    smt_set_part(t, o, ns, nv);
    o->headers = h;
    o->n_headers = nh;
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_header_from_value_ops = {
    .class_name = TPKG "HeaderFrom$Value", .init = hfrom_init, .fini = noop_fini,
    .apply = hfrom_apply};
const struct smt_ops smt_header_from_key_ops = {
    .class_name = TPKG "HeaderFrom$Key", .is_key = 1, .init = hfrom_init, .fini = noop_fini,
    .apply = hfrom_apply};

/* ================================================================ InsertHeader */

struct ihdr {
    const char *key;
    const char *literal;
    size_t literal_len;
    const struct cdata_schema *schema; /* Values.parseString(value.literal), in t->conf */
    const struct cdata_value *value;
};

static int ihdr_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct ihdr *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    static const char *const keys[] = {"header", "value.literal"};
    for (int i = 0; i < 2; i++) {
        if (kc_strmap_get(props, keys[i]) == NULL) {
            return kc_error_set(err, KC_EINVAL,
                                "Missing required configuration \"%s\" which has no default "
                                "value.",
                                keys[i]);
        }
    }
    const char *k = kc_strmap_get(props, "header");
    const char *lit = kc_strmap_get(props, "value.literal");
    c->key = kc_arena_strndup(&t->conf, k, strlen(k));
    c->literal = kc_arena_strndup(&t->conf, lit, strlen(lit));
    c->literal_len = strlen(lit);
    if (c->key == NULL || c->literal == NULL) {
        return smt_oom(err);
    }
    /* SimpleHeaderConverter's parse is Values.parseString, which the JVM runs on the literal */
    struct conv *cv = NULL;
    int rc = conv_new("org.apache.kafka.connect.storage.SimpleHeaderConverter", NULL,
                      CONV_ROLE_HEADER, &cv, err);
    if (rc == KC_OK) {
        rc = conv_header_to_connect(cv, "", c->key, c->literal, c->literal_len, &t->conf,
                                    &c->schema, &c->value, err);
    }
    conv_free(cv);
    if (rc != KC_OK) {
        return rc;
    }
    t->ctx = c;
    return KC_OK;
}

static int ihdr_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                      const struct sink_record **out, struct kc_error *err)
{
    struct ihdr *c = t->ctx;
    struct sink_record *o = smt_record_dup(in, a);
    struct sink_header *h = smt_headers_copy(in, 1, a);
    if (o == NULL || h == NULL) {
        return smt_oom(err);
    }
    size_t nh = in->n_headers;
    add_header(h, &nh, c->key, c->schema, c->value);
    h[nh - 1].raw = c->literal; /* the literal's bytes, for a sink that reads raw headers */
    h[nh - 1].raw_len = c->literal_len;
    o->headers = h;
    o->n_headers = nh;
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_insert_header_ops = {
    .class_name = TPKG "InsertHeader", .init = ihdr_init, .fini = noop_fini,
    .apply = ihdr_apply};

/* ================================================================ DropHeaders */

struct dhdr {
    const char **names;
    size_t n;
};

static int dhdr_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct dhdr *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    int rc = list_prop(t, props, "headers", &c->names, &c->n, err);
    t->ctx = c;
    return rc;
}

static int dhdr_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                      const struct sink_record **out, struct kc_error *err)
{
    struct dhdr *c = t->ctx;
    struct sink_record *o = smt_record_dup(in, a);
    struct sink_header *h = smt_headers_copy(in, 0, a);
    if (o == NULL || h == NULL) {
        return smt_oom(err);
    }
    size_t nh = 0;
    for (size_t i = 0; i < in->n_headers; i++) {
        int drop = 0;
        for (size_t j = 0; j < c->n && !drop; j++) {
            drop = strcmp(in->headers[i].key, c->names[j]) == 0;
        }
        if (!drop) {
            h[nh++] = in->headers[i];
        }
    }
    o->headers = h;
    o->n_headers = nh;
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_drop_headers_ops = {
    .class_name = TPKG "DropHeaders", .init = dhdr_init, .fini = noop_fini,
    .apply = dhdr_apply};

/* ================================================================ HeaderToValue (Debezium) */

struct h2v {
    const char **fields, **headers;
    size_t n;
    int move;
};

static int h2v_list(struct smt *t, const struct kc_strmap *props, const char *key,
                    const char ***out, size_t *n, struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    if (v == NULL || *v == '\0') {
        return kc_error_set(err, KC_EINVAL, "The '%s' value is invalid: A value is required", key);
    }
    for (const char *p = v; *p; p++) {
        if (*p == ' ') {
            return kc_error_set(err, KC_EINVAL,
                                "The '%s' value is invalid: '%s' cannot contain spaces", key, v);
        }
    }
    if (smt_list(v, &t->conf, out, n) != KC_OK) {
        return smt_oom(err);
    }
    size_t commas = 0;
    for (const char *p = v; *p; p++) {
        commas += *p == ',';
    }
    if (*n != commas + 1) {
        return kc_error_set(err, KC_EINVAL,
                            "The '%s' value is invalid: '%s' cannot contain empty elements", key,
                            v);
    }
    return KC_OK;
}

static int h2v_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    struct h2v *c = kc_arena_calloc(&t->conf, sizeof(*c));
    if (c == NULL) {
        return smt_oom(err);
    }
    size_t nf, nh;
    int rc = h2v_list(t, props, "fields", &c->fields, &nf, err);
    if (rc == KC_OK) {
        rc = h2v_list(t, props, "headers", &c->headers, &nh, err);
    }
    if (rc != KC_OK) {
        return rc;
    }
    const char *op = kc_strmap_get(props, "operation");
    if (op == NULL || (strcasecmp(op, "move") != 0 && strcasecmp(op, "copy") != 0)) {
        return kc_error_set(err, KC_EINVAL,
                            "The 'operation' value is invalid: Value must be one of move, copy");
    }
    if (nf != nh) {
        return kc_error_set(err, KC_EINVAL, "'fields' config must have the same number of "
                                            "elements as 'headers' config.");
    }
    for (size_t i = 0; i < nf; i++) {
        if (strchr(c->fields[i], '.') != NULL) {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid value %s for configuration fields: connect-c's "
                                "HeaderToValue supports top-level field names only",
                                c->fields[i]);
        }
    }
    c->n = nf;
    c->move = strcasecmp(op, "move") == 0;
    t->ctx = c;
    return KC_OK;
}

static long h2v_index(const struct h2v *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->headers[i], key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static int h2v_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                     const struct sink_record **out, struct kc_error *err)
{
    struct h2v *c = t->ctx;
    const struct cdata_value *v = in->value;
    if (v == NULL) {
        return KC_OK;
    }
    int rc = smt_require_struct(v, "Header field insertion", err);
    if (rc != KC_OK) {
        return rc;
    }
    size_t entries = 0;
    for (size_t i = 0; i < in->n_headers; i++) {
        entries += h2v_index(c, in->headers[i].key) >= 0;
    }
    if (entries == 0) {
        return KC_OK;
    }
    const struct cdata_schema *s = v->schema;
    struct cdata_field *f;
    struct cdata_schema *ns = smt_struct_schema_new(s, s->n_fields + entries, a, &f);
    if (ns == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        if ((rc = smt_struct_add_field(ns, f, s->fields[i].name, s->fields[i].schema, err)) !=
            KC_OK) {
            return rc;
        }
    }
    for (size_t i = 0; i < in->n_headers; i++) {
        long at = h2v_index(c, in->headers[i].key);
        if (at < 0 || cdata_schema_field(ns, c->fields[at]) != NULL) {
            continue;
        }
        if (in->headers[i].schema == NULL) {
            t->err_class = "org.apache.kafka.connect.errors.SchemaBuilderException";
            return kc_error_set(err, KC_EINVAL, "fieldSchema for field %s cannot be null.",
                                c->fields[at]);
        }
        if ((rc = smt_struct_add_field(ns, f, c->fields[at], in->headers[i].schema, err)) !=
            KC_OK) {
            return rc;
        }
    }
    const struct cdata_value **fv;
    struct cdata_value *nv = cdata_struct(a, ns, &fv);
    if (nv == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < ns->n_fields; i++) {
        fv[i] = i < s->n_fields ? smt_struct_field(v, i, 1) : NULL;
    }
    for (size_t i = 0; i < in->n_headers; i++) {
        long at = h2v_index(c, in->headers[i].key);
        if (at >= 0) {
            const struct cdata_field *nf = cdata_schema_field(ns, c->fields[at]);
            if ((rc = smt_put_check(nf->name, nf->schema, in->headers[i].value, err)) != KC_OK) {
                return rc;
            }
            fv[nf->index] = in->headers[i].value;
        }
    }
    struct sink_record *o = smt_record_dup(in, a);
    if (o == NULL) {
        return smt_oom(err);
    }
    o->value_schema = ns;
    o->value = nv;
    if (c->move) {
        struct sink_header *h = smt_headers_copy(in, 0, a);
        if (h == NULL) {
            return smt_oom(err);
        }
        size_t nh = 0;
        for (size_t i = 0; i < in->n_headers; i++) {
            if (h2v_index(c, in->headers[i].key) < 0) {
                h[nh++] = in->headers[i];
            }
        }
        o->headers = h;
        o->n_headers = nh;
    }
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_dbz_header_to_value_ops = {
    .class_name = "io.debezium.transforms.HeaderToValue",
    .version = SMT_DEBEZIUM_VERSION, .init = h2v_init, .fini = noop_fini,
    .apply = h2v_apply};
