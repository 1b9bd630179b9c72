/*
 * connectors/common/conv_avro_dec.c: Avro schema JSON -> decoder tree + Connect schema, and Avro
 * binary -> Connect values (see conv_avro.h for the mapping and why this is our own code).
 *
 * Safety on hostile bytes: every length and count is checked against the bytes left before
 * anything is allocated or read, varints are at most 5 (int) or 10 (long) bytes, arrays and
 * maps of items that encode in zero bytes are capped at CONV_AVRO_MAX_EMPTY_ITEMS, schema
 * nesting at CONV_AVRO_MAX_DEPTH, and recursive schemas are refused, so decoding recursion is
 * bounded by the schema's depth. All memory comes from the caller's capped arena.
 */
#include "conv_avro.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "conv_int.h"

enum avro_kind {
    AVK_NULL,
    AVK_BOOLEAN,
    AVK_INT,
    AVK_LONG,
    AVK_FLOAT,
    AVK_DOUBLE,
    AVK_BYTES,
    AVK_STRING,
    AVK_RECORD,
    AVK_ENUM,
    AVK_ARRAY,
    AVK_MAP,
    AVK_UNION,
    AVK_FIXED,
};

enum avro_logical {
    AVL_NONE,
    AVL_DECIMAL,
    AVL_DATE,
    AVL_TIME_MS,
    AVL_TS_MS,
};

struct avro_node {
    enum avro_kind kind;
    enum avro_logical logical;
    enum cdata_type ctype;     /* Connect type of the value (INT8/INT16 for connect.type) */
    int defining;              /* named type whose body is being parsed (recursion check) */
    const char *fullname;      /* RECORD, ENUM, FIXED */
    const char *name;          /* simple name */
    uint32_t n;                /* RECORD fields, ENUM symbols, UNION branches, FIXED size */
    struct avro_node **sub;    /* RECORD field types, UNION branches, ARRAY items/MAP values [0] */
    const char **sym;          /* ENUM symbols */
    const struct cdata_schema *cs; /* Connect schema at a use site that is not optional */
    int null_branch;           /* UNION: index of the null branch, -1 if none */
    int simple;                /* UNION: exactly [null, X] -> X made optional */
    size_t min_size;           /* fewest bytes one datum encodes in (0: null, empty record) */
};

struct named {
    const char *fullname;
    struct avro_node *node;
    struct named *next;
};

struct pctx {
    struct kc_arena *a;
    struct kc_error *err;
    struct named *names; /* arena list */
};

struct conv_avro_schema {
    struct avro_node *root;
};

/* ---------------------------------------------------------------- schema parsing */

static int oom(struct kc_error *err)
{
    return kc_error_set(err, KC_ENOMEM, "out of memory parsing Avro schema");
}

static struct cdata_schema *schema_copy(struct kc_arena *a, const struct cdata_schema *s)
{
    struct cdata_schema *r = kc_arena_alloc(a, sizeof(*r));
    if (r != NULL) {
        *r = *s;
    }
    return r;
}

static const char *adup(struct kc_arena *a, const char *s)
{
    return kc_arena_strndup(a, s, strlen(s));
}

static const struct {
    const char *name;
    enum avro_kind kind;
} primitives[] = {
    {"null", AVK_NULL},   {"boolean", AVK_BOOLEAN}, {"int", AVK_INT},
    {"long", AVK_LONG},   {"float", AVK_FLOAT},     {"double", AVK_DOUBLE},
    {"bytes", AVK_BYTES}, {"string", AVK_STRING},
};

static int primitive_kind(const char *name)
{
    for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++) {
        if (strcmp(primitives[i].name, name) == 0) {
            return (int)primitives[i].kind;
        }
    }
    return -1;
}

static const char *kind_name(enum avro_kind k)
{
    static const char *const names[] = {"null",   "boolean", "int",   "long",  "float",
                                        "double", "bytes",   "string", "record", "enum",
                                        "array",  "map",     "union", "fixed"};
    return names[k];
}

/* Full name of a named type: "a.b.C" as given, else namespace + "." + name. */
static const char *full_name(struct pctx *p, const char *name, const char *ns)
{
    if (strchr(name, '.') != NULL || ns == NULL || ns[0] == '\0') {
        return adup(p->a, name);
    }
    size_t ln = strlen(ns), lm = strlen(name);
    char *r = kc_arena_alloc(p->a, ln + lm + 2);
    if (r != NULL) {
        memcpy(r, ns, ln);
        r[ln] = '.';
        memcpy(r + ln + 1, name, lm + 1);
    }
    return r;
}

static struct avro_node *lookup(struct pctx *p, const char *name, const char *ns)
{
    const char *full = full_name(p, name, ns);
    if (full == NULL) {
        full = name; /* arena full: the caller's next allocation reports it */
    }
    for (int pass = 0; pass < 2; pass++) {
        for (struct named *e = p->names; e != NULL; e = e->next) {
            if (strcmp(e->fullname, full) == 0) {
                return e->node;
            }
        }
        full = name; /* a name in the null namespace */
    }
    return NULL;
}

/* Namespace of a full name ("a.b" of "a.b.C"), in the arena; NULL for none. */
static const char *namespace_of(struct pctx *p, const char *full)
{
    const char *dot = strrchr(full, '.');
    return dot == NULL ? NULL : kc_arena_strndup(p->a, full, (size_t)(dot - full));
}

static const char *simple_name(const char *full)
{
    const char *dot = strrchr(full, '.');
    return dot == NULL ? full : dot + 1;
}

static int bad(struct pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct pctx *p, const char *fmt, ...)
{
    char msg[KC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return kc_error_set(p->err, KC_EINVAL, "%s", msg);
}

static int parse_type(struct pctx *p, json_t *j, const char *ns, int depth,
                      struct avro_node **out);

/* Apply connect.* properties and the logical type to the node's Connect schema. */
static int finish_schema(struct pctx *p, json_t *obj, struct avro_node *n, struct cdata_schema *cs)
{
    if (obj == NULL || !json_is_object(obj)) {
        n->cs = cs;
        return KC_OK;
    }
    json_t *cname = json_object_get(obj, "connect.name");
    json_t *cver = json_object_get(obj, "connect.version");
    json_t *cdoc = json_object_get(obj, "connect.doc");
    json_t *cparams = json_object_get(obj, "connect.parameters");
    json_t *lt = json_object_get(obj, "logicalType");
    const char *logical = json_is_string(lt) ? json_string_value(lt) : NULL;
    const char *connect_name = json_is_string(cname) ? json_string_value(cname) : NULL;

    /* Parameters: logical ones first (Decimal.builder puts "scale" first), then the enum's or
     * fixed's, then connect.parameters. Counted generously, filled below. */
    size_t cap = 4 + (json_is_object(cparams) ? json_object_size(cparams) : 0) + cs->n_params;
    struct cdata_param *prm = kc_arena_alloc(p->a, cap * sizeof(*prm));
    if (prm == NULL) {
        return oom(p->err);
    }
    size_t np = 0;

    int is_bytes = n->kind == AVK_BYTES || n->kind == AVK_FIXED;
    if (is_bytes && ((logical != NULL && strcasecmp(logical, "decimal") == 0) ||
                     (connect_name != NULL && strcmp(connect_name, CDATA_LOGICAL_DECIMAL) == 0))) {
        json_t *jsc = json_object_get(obj, "scale");
        json_t *jpr = json_object_get(obj, "precision");
        json_int_t scale = 0;
        if (json_is_integer(jsc)) {
            scale = json_integer_value(jsc);
        } else if (json_is_object(cparams) && json_is_string(json_object_get(cparams, "scale"))) {
            scale = strtoll(json_string_value(json_object_get(cparams, "scale")), NULL, 10);
        }
        if (scale < INT32_MIN || scale > INT32_MAX) {
            return bad(p, "Avro decimal scale out of range%s", "");
        }
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "%lld", (long long)scale);
        prm[np].key = "scale";
        prm[np].value = adup(p->a, tmp);
        np++;
        if (json_is_integer(jpr) && json_integer_value(jpr) != 64) { /* 64: Confluent's default */
            snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(jpr));
            prm[np].key = "connect.decimal.precision";
            prm[np].value = adup(p->a, tmp);
            np++;
        }
        n->logical = AVL_DECIMAL;
        cs->name = CDATA_LOGICAL_DECIMAL;
    } else if (n->kind == AVK_INT && ((logical != NULL && strcasecmp(logical, "date") == 0) ||
                                      (connect_name != NULL &&
                                       strcmp(connect_name, CDATA_LOGICAL_DATE) == 0))) {
        n->logical = AVL_DATE;
        cs->name = CDATA_LOGICAL_DATE;
    } else if (n->kind == AVK_INT &&
               ((logical != NULL && strcasecmp(logical, "time-millis") == 0) ||
                (connect_name != NULL && strcmp(connect_name, CDATA_LOGICAL_TIME) == 0))) {
        n->logical = AVL_TIME_MS;
        cs->name = CDATA_LOGICAL_TIME;
    } else if (n->kind == AVK_LONG &&
               ((logical != NULL && strcasecmp(logical, "timestamp-millis") == 0) ||
                (connect_name != NULL && strcmp(connect_name, CDATA_LOGICAL_TIMESTAMP) == 0))) {
        n->logical = AVL_TS_MS;
        cs->name = CDATA_LOGICAL_TIMESTAMP;
    } else if (connect_name != NULL) {
        cs->name = adup(p->a, connect_name);
        if (cs->name == NULL) {
            return oom(p->err);
        }
    }
    if (n->kind == AVK_INT && logical == NULL && json_object_get(obj, "connect.type") != NULL) {
        json_t *ct = json_object_get(obj, "connect.type");
        if (json_is_string(ct) && strcmp(json_string_value(ct), "int8") == 0) {
            n->ctype = CDATA_INT8;
            cs->type = CDATA_INT8;
        } else if (json_is_string(ct) && strcmp(json_string_value(ct), "int16") == 0) {
            n->ctype = CDATA_INT16;
            cs->type = CDATA_INT16;
        } else {
            return bad(p, "Connect type annotation for Avro int field is null");
        }
    }
    for (size_t i = 0; i < cs->n_params; i++) {
        prm[np++] = cs->params[i];
    }
    if (json_is_object(cparams)) {
        const char *k;
        json_t *v;
        json_object_foreach(cparams, k, v)
        {
            if (!json_is_string(v)) {
                continue;
            }
            size_t i;
            for (i = 0; i < np && strcmp(prm[i].key, k) != 0; i++) {
            }
            const char *kk = adup(p->a, k), *vv = adup(p->a, json_string_value(v));
            if (kk == NULL || vv == NULL) {
                return oom(p->err);
            }
            prm[i].key = kk;
            prm[i].value = vv;
            if (i == np) {
                np++;
            }
        }
    }
    cs->params = np > 0 ? prm : NULL;
    cs->n_params = np;
    /* AvroData gives the names its serializer makes up for unnamed Connect schemas
     * (io.confluent.connect.avro.ConnectDefault, ConnectDefault2, ...) back as no name */
    if (cs->name != NULL &&
        strncmp(cs->name, "io.confluent.connect.avro.ConnectDefault", 40) == 0) {
        cs->name = NULL;
    }
    if (json_is_integer(cver)) {
        cs->version = (int)json_integer_value(cver);
    }
    if (json_is_string(cdoc)) {
        cs->doc = adup(p->a, json_string_value(cdoc));
    }
    n->cs = cs;
    return KC_OK;
}

static struct avro_node *new_node(struct pctx *p, enum avro_kind k)
{
    struct avro_node *n = kc_arena_calloc(p->a, sizeof(*n));
    if (n != NULL) {
        n->kind = k;
        n->null_branch = -1;
        static const enum cdata_type ct[] = {
            [AVK_NULL] = CDATA_STRING,     [AVK_BOOLEAN] = CDATA_BOOLEAN,
            [AVK_INT] = CDATA_INT32,       [AVK_LONG] = CDATA_INT64,
            [AVK_FLOAT] = CDATA_FLOAT32,   [AVK_DOUBLE] = CDATA_FLOAT64,
            [AVK_BYTES] = CDATA_BYTES,     [AVK_STRING] = CDATA_STRING,
            [AVK_RECORD] = CDATA_STRUCT,   [AVK_ENUM] = CDATA_STRING,
            [AVK_ARRAY] = CDATA_ARRAY,     [AVK_MAP] = CDATA_MAP,
            [AVK_UNION] = CDATA_STRUCT,    [AVK_FIXED] = CDATA_BYTES,
        };
        n->ctype = ct[k];
        static const size_t ms[] = {
            [AVK_NULL] = 0,  [AVK_BOOLEAN] = 1, [AVK_INT] = 1,    [AVK_LONG] = 1,
            [AVK_FLOAT] = 4, [AVK_DOUBLE] = 8,  [AVK_BYTES] = 1,  [AVK_STRING] = 1,
            [AVK_RECORD] = 0, [AVK_ENUM] = 1,   [AVK_ARRAY] = 1,  [AVK_MAP] = 1,
            [AVK_UNION] = 1, [AVK_FIXED] = 0,
        };
        n->min_size = ms[k];
    }
    return n;
}

static int add_named(struct pctx *p, struct avro_node *n)
{
    if (lookup(p, n->fullname, NULL) != NULL) {
        return bad(p, "Can't redefine: %s", n->fullname);
    }
    struct named *e = kc_arena_alloc(p->a, sizeof(*e));
    if (e == NULL) {
        return oom(p->err);
    }
    e->fullname = n->fullname;
    e->node = n;
    e->next = p->names;
    p->names = e;
    return KC_OK;
}

static int parse_named_head(struct pctx *p, json_t *j, enum avro_kind k, const char *ns,
                            struct avro_node **out, const char **inner_ns)
{
    json_t *jn = json_object_get(j, "name");
    if (!json_is_string(jn) || json_string_length(jn) == 0) {
        return bad(p, "No name in schema: %s", kind_name(k));
    }
    json_t *jns = json_object_get(j, "namespace");
    const char *myns = json_is_string(jns) ? json_string_value(jns) : ns;
    struct avro_node *n = new_node(p, k);
    if (n == NULL) {
        return oom(p->err);
    }
    n->fullname = full_name(p, json_string_value(jn), myns);
    if (n->fullname == NULL) {
        return oom(p->err);
    }
    n->name = simple_name(n->fullname);
    *inner_ns = namespace_of(p, n->fullname);
    *out = n;
    return add_named(p, n);
}

/* A primitive Avro default (JSON) as the Connect value; NULL when null or not handled. */
static struct cdata_value *default_value(struct pctx *p, const struct avro_node *t,
                                         const struct cdata_schema *cs, json_t *def)
{
    struct cdata_value *v = NULL;
    switch (t->kind) {
    case AVK_BOOLEAN:
        v = json_is_boolean(def) ? cdata_bool(p->a, json_is_true(def)) : NULL;
        break;
    case AVK_INT:
    case AVK_LONG:
        if (json_is_integer(def)) {
            json_int_t x = json_integer_value(def);
            x = t->ctype == CDATA_INT8    ? (int8_t)x
                : t->ctype == CDATA_INT16 ? (int16_t)x
                : t->ctype == CDATA_INT32 ? (int32_t)x
                                          : x;
            v = cdata_int(p->a, t->ctype, x);
        }
        break;
    case AVK_FLOAT:
    case AVK_DOUBLE:
        v = json_is_number(def) ? cdata_float(p->a, t->ctype, json_number_value(def)) : NULL;
        break;
    case AVK_STRING:
    case AVK_ENUM:
        v = json_is_string(def)
                ? cdata_string(p->a, json_string_value(def), json_string_length(def))
                : NULL;
        break;
    case AVK_UNION:
        /* a union's default is of its first branch */
        return t->simple && t->null_branch == 1 ? default_value(p, t->sub[0], cs, def) : NULL;
    default: /* bytes, fixed, records, arrays, maps: not carried (see conv_avro.h) */
        break;
    }
    if (v != NULL && cs->name != NULL) {
        v->schema = cs;
    }
    return v;
}

/*
 * A field with an Avro default: its Connect schema (copied, as other uses of the type must not
 * see it) gets the default value where we convert it, and AvroData's marker parameter
 * io.confluent.connect.avro.field.default=true unless the type carries connect.default.
 */
static int field_default(struct pctx *p, const struct avro_node *t, json_t *ftype, json_t *def,
                         struct cdata_field *f)
{
    struct cdata_schema *fs = schema_copy(p->a, f->schema);
    if (fs == NULL) {
        return oom(p->err);
    }
    if (!(json_is_object(ftype) && json_object_get(ftype, "connect.default") != NULL)) {
        struct cdata_param *prm = kc_arena_alloc(p->a, (fs->n_params + 1) * sizeof(*prm));
        if (prm == NULL) {
            return oom(p->err);
        }
        if (fs->n_params > 0) {
            memcpy(prm, fs->params, fs->n_params * sizeof(*prm));
        }
        prm[fs->n_params].key = "io.confluent.connect.avro.field.default";
        prm[fs->n_params].value = "true";
        fs->params = prm;
        fs->n_params++;
    }
    if (!json_is_null(def)) {
        const struct cdata_value *v = default_value(p, t, fs, def);
        if (v != NULL) {
            fs->default_value = v;
            fs->has_default = 1;
        }
    }
    f->schema = fs;
    return KC_OK;
}

static int parse_record(struct pctx *p, json_t *j, const char *ns, int depth,
                        struct avro_node **out)
{
    struct avro_node *n;
    const char *inner;
    int rc = parse_named_head(p, j, AVK_RECORD, ns, &n, &inner);
    if (rc != KC_OK) {
        return rc;
    }
    json_t *jf = json_object_get(j, "fields");
    if (!json_is_array(jf)) {
        return bad(p, "Record has no fields: %s", n->fullname);
    }
    size_t nf = json_array_size(jf);
    if (nf > UINT32_MAX / 2) {
        return bad(p, "Record has too many fields: %s", n->fullname);
    }
    n->n = (uint32_t)nf;
    n->sub = kc_arena_calloc(p->a, nf * sizeof(*n->sub) + 1);
    n->sym = kc_arena_calloc(p->a, nf * sizeof(*n->sym) + 1);
    struct cdata_field *fields = kc_arena_calloc(p->a, nf * sizeof(*fields) + 1);
    struct cdata_schema *cs = kc_arena_calloc(p->a, sizeof(*cs));
    if (n->sub == NULL || n->sym == NULL || fields == NULL || cs == NULL) {
        return oom(p->err);
    }
    /* io.confluent.connect.avro.record.doc and .field.doc.<name>, as AvroData's parameters */
    struct cdata_param *prm = kc_arena_calloc(p->a, (nf + 1) * sizeof(*prm));
    if (prm == NULL) {
        return oom(p->err);
    }
    size_t np = 0;
    json_t *rdoc = json_object_get(j, "doc");
    if (json_is_string(rdoc)) {
        prm[np].key = "io.confluent.connect.avro.record.doc";
        if ((prm[np++].value = adup(p->a, json_string_value(rdoc))) == NULL) {
            return oom(p->err);
        }
    }
    n->defining = 1;
    for (size_t i = 0; i < nf; i++) {
        json_t *f = json_array_get(jf, i);
        json_t *fname = json_object_get(f, "name");
        if (!json_is_object(f) || !json_is_string(fname)) {
            return bad(p, "Invalid field in record %s", n->fullname);
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(n->sym[k], json_string_value(fname)) == 0) {
                return bad(p, "Duplicate field %s in record", n->sym[k]);
            }
        }
        n->sym[i] = adup(p->a, json_string_value(fname));
        if (n->sym[i] == NULL) {
            return oom(p->err);
        }
        json_t *ft = json_object_get(f, "type");
        if (ft == NULL) {
            return bad(p, "No field type: %s", n->sym[i]);
        }
        rc = parse_type(p, ft, inner, depth + 1, &n->sub[i]);
        if (rc != KC_OK) {
            return rc;
        }
        if (n->sub[i]->kind == AVK_NULL) {
            return bad(p, "Field %s: a standalone Avro null has no Connect type", n->sym[i]);
        }
        n->min_size += n->sub[i]->min_size;
        fields[i].name = n->sym[i];
        fields[i].index = (int)i;
        fields[i].schema = n->sub[i]->cs;
        json_t *fdoc = json_object_get(f, "doc");
        if (json_is_string(fdoc)) {
            size_t kl = strlen(n->sym[i]) + 40;
            char *key = kc_arena_alloc(p->a, kl);
            if (key == NULL || (prm[np].value = adup(p->a, json_string_value(fdoc))) == NULL) {
                return oom(p->err);
            }
            snprintf(key, kl, "io.confluent.connect.avro.field.doc.%s", n->sym[i]);
            prm[np++].key = key;
        }
        json_t *fdef = json_object_get(f, "default");
        if (fdef != NULL && (rc = field_default(p, n->sub[i], ft, fdef, &fields[i])) != KC_OK) {
            return rc;
        }
    }
    cs->params = np > 0 ? prm : NULL;
    cs->n_params = np;
    n->defining = 0;
    cs->type = CDATA_STRUCT;
    cs->name = n->fullname;
    cs->fields = fields;
    cs->n_fields = nf;
    *out = n;
    return finish_schema(p, j, n, cs);
}

static int parse_enum(struct pctx *p, json_t *j, const char *ns, struct avro_node **out)
{
    struct avro_node *n;
    const char *inner;
    int rc = parse_named_head(p, j, AVK_ENUM, ns, &n, &inner);
    if (rc != KC_OK) {
        return rc;
    }
    json_t *js = json_object_get(j, "symbols");
    if (!json_is_array(js) || json_array_size(js) == 0 || json_array_size(js) > INT32_MAX / 4) {
        return bad(p, "Enum has no symbols: %s", n->fullname);
    }
    size_t ns_ = json_array_size(js);
    n->n = (uint32_t)ns_;
    n->sym = kc_arena_alloc(p->a, ns_ * sizeof(*n->sym));
    struct cdata_param *prm = kc_arena_alloc(p->a, (ns_ + 3) * sizeof(*prm));
    struct cdata_schema *cs = kc_arena_calloc(p->a, sizeof(*cs));
    if (n->sym == NULL || prm == NULL || cs == NULL) {
        return oom(p->err);
    }
    /* AvroData's order: enum.doc.<name>, enum.default.<name>, Enum, then one per symbol */
    static const char *const extra[2][2] = {{"doc", "io.confluent.connect.avro.enum.doc."},
                                            {"default", "io.confluent.connect.avro.enum.default."}};
    size_t np = 0;
    for (int e = 0; e < 2; e++) {
        json_t *x = json_object_get(j, extra[e][0]);
        if (json_is_string(x)) {
            size_t kl = strlen(extra[e][1]) + strlen(n->name) + 1;
            char *key = kc_arena_alloc(p->a, kl);
            if (key == NULL || (prm[np].value = adup(p->a, json_string_value(x))) == NULL) {
                return oom(p->err);
            }
            snprintf(key, kl, "%s%s", extra[e][1], n->name);
            prm[np++].key = key;
        }
    }
    prm[np].key = "io.confluent.connect.avro.Enum";
    prm[np++].value = n->fullname;
    for (size_t i = 0; i < ns_; i++) {
        json_t *s = json_array_get(js, i);
        if (!json_is_string(s)) {
            return bad(p, "Invalid enum symbol in %s", n->fullname);
        }
        n->sym[i] = adup(p->a, json_string_value(s));
        size_t kl = strlen(n->sym[i] != NULL ? n->sym[i] : "") + 32;
        char *key = kc_arena_alloc(p->a, kl);
        if (n->sym[i] == NULL || key == NULL) {
            return oom(p->err);
        }
        snprintf(key, kl, "io.confluent.connect.avro.Enum.%s", n->sym[i]);
        prm[np].key = key;
        prm[np++].value = n->sym[i];
    }
    cs->type = CDATA_STRING;
    cs->name = n->fullname;
    cs->params = prm;
    cs->n_params = np;
    *out = n;
    return finish_schema(p, j, n, cs);
}

static int parse_fixed(struct pctx *p, json_t *j, const char *ns, struct avro_node **out)
{
    struct avro_node *n;
    const char *inner;
    int rc = parse_named_head(p, j, AVK_FIXED, ns, &n, &inner);
    if (rc != KC_OK) {
        return rc;
    }
    json_t *jsz = json_object_get(j, "size");
    if (!json_is_integer(jsz) || json_integer_value(jsz) < 0 ||
        json_integer_value(jsz) > INT32_MAX) {
        return bad(p, "Invalid fixed size: %s", n->fullname);
    }
    n->n = (uint32_t)json_integer_value(jsz);
    n->min_size = n->n;
    struct cdata_param *prm = kc_arena_alloc(p->a, sizeof(*prm));
    struct cdata_schema *cs = kc_arena_calloc(p->a, sizeof(*cs));
    char tmp[16];
    snprintf(tmp, sizeof(tmp), "%u", n->n);
    if (prm == NULL || cs == NULL || (prm->value = adup(p->a, tmp)) == NULL) {
        return oom(p->err);
    }
    prm->key = "connect.fixed.size";
    cs->type = CDATA_BYTES;
    cs->name = n->fullname;
    cs->params = prm;
    cs->n_params = 1;
    *out = n;
    return finish_schema(p, j, n, cs);
}

/* Field name of a union branch in the io.confluent.connect.avro.Union struct. */
static const char *branch_name(const struct avro_node *b)
{
    if (b->kind == AVK_RECORD || b->kind == AVK_ENUM || b->kind == AVK_FIXED) {
        return b->name;
    }
    return kind_name(b->kind);
}

static int parse_union(struct pctx *p, json_t *j, const char *ns, int depth,
                       struct avro_node **out)
{
    size_t nb = json_array_size(j);
    if (nb == 0 || nb > 65536) {
        return bad(p, "Invalid union: %s branches", nb == 0 ? "no" : "too many");
    }
    struct avro_node *n = new_node(p, AVK_UNION);
    if (n == NULL || (n->sub = kc_arena_alloc(p->a, nb * sizeof(*n->sub))) == NULL) {
        return oom(p->err);
    }
    n->n = (uint32_t)nb;
    for (size_t i = 0; i < nb; i++) {
        int rc = parse_type(p, json_array_get(j, i), ns, depth + 1, &n->sub[i]);
        if (rc != KC_OK) {
            return rc;
        }
        if (n->sub[i]->kind == AVK_UNION) {
            return bad(p, "Nested union: %s", "a union may not hold a union");
        }
        for (size_t k = 0; k < i; k++) {
            const struct avro_node *x = n->sub[k], *y = n->sub[i];
            int named = x->fullname != NULL && y->fullname != NULL;
            if (x->kind == y->kind && (!named || strcmp(x->fullname, y->fullname) == 0)) {
                return bad(p, "Duplicate in union: %s", branch_name(y));
            }
        }
        if (n->sub[i]->kind == AVK_NULL) {
            n->null_branch = (int)i;
        }
    }
    struct cdata_schema *cs;
    if (nb == 2 && n->null_branch >= 0) {
        n->simple = 1;
        cs = schema_copy(p->a, n->sub[1 - n->null_branch]->cs);
        if (cs == NULL) {
            return oom(p->err);
        }
        cs->optional = 1;
        n->ctype = cs->type;
        n->cs = cs;
        *out = n;
        return KC_OK;
    }
    cs = kc_arena_calloc(p->a, sizeof(*cs));
    struct cdata_field *fields = kc_arena_calloc(p->a, nb * sizeof(*fields));
    if (cs == NULL || fields == NULL) {
        return oom(p->err);
    }
    size_t nf = 0;
    for (size_t i = 0; i < nb; i++) {
        if (n->sub[i]->kind == AVK_NULL) {
            continue;
        }
        struct cdata_schema *fs = schema_copy(p->a, n->sub[i]->cs);
        if (fs == NULL) {
            return oom(p->err);
        }
        fs->optional = 1;
        fields[nf].name = branch_name(n->sub[i]);
        for (size_t k = 0; k < nf; k++) {
            if (strcmp(fields[k].name, fields[nf].name) == 0) {
                return bad(p, "Duplicate union member name: %s", fields[nf].name);
            }
        }
        fields[nf].index = (int)nf;
        fields[nf].schema = fs;
        nf++;
    }
    cs->type = CDATA_STRUCT;
    cs->name = "io.confluent.connect.avro.Union";
    cs->optional = n->null_branch >= 0;
    cs->fields = fields;
    cs->n_fields = nf;
    n->cs = cs;
    *out = n;
    return KC_OK;
}

static int parse_type(struct pctx *p, json_t *j, const char *ns, int depth,
                      struct avro_node **out)
{
    if (depth > CONV_AVRO_MAX_DEPTH) {
        return bad(p, "Avro schema nested deeper than %s levels", "64");
    }
    if (json_is_string(j)) {
        const char *s = json_string_value(j);
        int k = primitive_kind(s);
        if (k >= 0) {
            struct avro_node *n = new_node(p, (enum avro_kind)k);
            struct cdata_schema *cs = kc_arena_calloc(p->a, sizeof(*cs));
            if (n == NULL || cs == NULL) {
                return oom(p->err);
            }
            cs->type = n->ctype;
            n->cs = cs;
            *out = n;
            return KC_OK;
        }
        struct avro_node *n = lookup(p, s, ns);
        if (n == NULL) {
            return bad(p, "Undefined name: \"%s\"", s);
        }
        if (n->defining) {
            return bad(p, "Recursive Avro schemas are not supported (type %s refers to itself)",
                       n->fullname);
        }
        *out = n;
        return KC_OK;
    }
    if (json_is_array(j)) {
        return parse_union(p, j, ns, depth, out);
    }
    if (!json_is_object(j)) {
        return bad(p, "Not a schema: %s", "expected a string, an array or an object");
    }
    json_t *jt = json_object_get(j, "type");
    if (json_is_array(jt) || json_is_object(jt)) {
        /* {"type": {"type": ...}} or {"type": [...]}: the inner type; Avro ignores the rest */
        return parse_type(p, jt, ns, depth + 1, out);
    }
    if (!json_is_string(jt)) {
        return bad(p, "No type: %s", "schema object without \"type\"");
    }
    const char *t = json_string_value(jt);
    int k = primitive_kind(t);
    if (k >= 0) {
        struct avro_node *n = new_node(p, (enum avro_kind)k);
        struct cdata_schema *cs = kc_arena_calloc(p->a, sizeof(*cs));
        if (n == NULL || cs == NULL) {
            return oom(p->err);
        }
        cs->type = n->ctype;
        *out = n;
        return finish_schema(p, j, n, cs);
    }
    if (strcmp(t, "record") == 0 || strcmp(t, "error") == 0) {
        return parse_record(p, j, ns, depth, out);
    }
    if (strcmp(t, "enum") == 0) {
        return parse_enum(p, j, ns, out);
    }
    if (strcmp(t, "fixed") == 0) {
        return parse_fixed(p, j, ns, out);
    }
    if (strcmp(t, "array") == 0 || strcmp(t, "map") == 0) {
        int is_map = t[0] == 'm';
        json_t *ji = json_object_get(j, is_map ? "values" : "items");
        if (ji == NULL) {
            return bad(p, "%s has no element type", t);
        }
        struct avro_node *n = new_node(p, is_map ? AVK_MAP : AVK_ARRAY);
        struct cdata_schema *cs = kc_arena_calloc(p->a, sizeof(*cs));
        if (n == NULL || cs == NULL || (n->sub = kc_arena_alloc(p->a, sizeof(*n->sub))) == NULL) {
            return oom(p->err);
        }
        n->n = 1;
        int rc = parse_type(p, ji, ns, depth + 1, &n->sub[0]);
        if (rc != KC_OK) {
            return rc;
        }
        if (n->sub[0]->kind == AVK_NULL) {
            /* Connect has no null type; Confluent refuses it too */
            return bad(p, "Avro %s of null has no Connect type", t);
        }
        cs->type = is_map ? CDATA_MAP : CDATA_ARRAY;
        if (is_map) {
            cs->keys = &cdata_schema_string;
            cs->values = n->sub[0]->cs;
        } else {
            cs->items = n->sub[0]->cs;
        }
        *out = n;
        return finish_schema(p, j, n, cs);
    }
    /* a named type given as {"type": "Name"} */
    struct avro_node *n = lookup(p, t, ns);
    if (n == NULL) {
        return bad(p, "Undefined name: \"%s\"", t);
    }
    if (n->defining) {
        return bad(p, "Recursive Avro schemas are not supported (type %s refers to itself)",
                   n->fullname);
    }
    *out = n;
    return KC_OK;
}

int conv_avro_schema_parse(const char *json, size_t len, struct kc_arena *a,
                           const struct conv_avro_schema **out, struct kc_error *err)
{
    *out = NULL;
    json_error_t jerr;
    json_t *j = json_loadb(json, len, JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        return kc_error_set(err, KC_EINVAL, "Avro schema is not JSON: %s (at %d)", jerr.text,
                            jerr.position);
    }
    struct pctx p = {.a = a, .err = err, .names = NULL};
    struct avro_node *root = NULL;
    int rc = parse_type(&p, j, NULL, 0, &root);
    json_decref(j);
    if (rc != KC_OK) {
        return rc;
    }
    if (root->kind == AVK_NULL) {
        return kc_error_set(err, KC_EINVAL, "An Avro null schema has no Connect type");
    }
    struct conv_avro_schema *s = kc_arena_alloc(a, sizeof(*s));
    if (s == NULL) {
        return oom(err);
    }
    s->root = root;
    *out = s;
    return KC_OK;
}

const struct cdata_schema *conv_avro_connect_schema(const struct conv_avro_schema *s)
{
    return s->root->cs;
}

/* ---------------------------------------------------------------- binary decoding */

struct dctx {
    const uint8_t *p, *end, *start;
    struct kc_arena *a;
    struct kc_error *err;
    uint64_t empty_items; /* items of zero-byte types so far in this datum */
};

static int derr(struct dctx *d, const char *what)
{
    return kc_error_set(d->err, KC_EINVAL, "Malformed Avro data at byte %zu: %s",
                        (size_t)(d->p - d->start), what);
}

static int dnomem(struct dctx *d)
{
    return kc_error_set(d->err, KC_ENOMEM, "batch arena exhausted decoding Avro data");
}

static int read_long(struct dctx *d, int64_t *out, int max_bytes)
{
    uint64_t v = 0;
    *out = 0;
    for (int i = 0; i < max_bytes; i++) {
        if (d->p >= d->end) {
            return derr(d, "unexpected end of data");
        }
        uint8_t b = *d->p++;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *out = (int64_t)((v >> 1) ^ (~(v & 1) + 1));
            return KC_OK;
        }
    }
    return derr(d, max_bytes == 5 ? "Invalid int encoding" : "Invalid long encoding");
}

static int read_int(struct dctx *d, int32_t *out)
{
    int64_t v;
    int rc = read_long(d, &v, 5);
    if (rc == KC_OK) {
        *out = (int32_t)(uint32_t)(uint64_t)v; /* 5 bytes can carry 35 bits, as Java truncates */
    }
    return rc;
}

/* A length-prefixed run (bytes, string): checked against what is left. */
static int read_len(struct dctx *d, size_t *n)
{
    int64_t l = 0;
    int rc = read_long(d, &l, 10);
    if (rc != KC_OK) {
        return rc;
    }
    if (l < 0) {
        return derr(d, "negative length");
    }
    if ((uint64_t)l > (uint64_t)(d->end - d->p)) {
        return derr(d, "length past the end of data");
    }
    *n = (size_t)l;
    return KC_OK;
}

static int decode(struct dctx *d, const struct avro_node *n, const struct cdata_schema *cs,
                  const struct cdata_value **out);

/* Next block count of an array or map: 0 ends it; checks it fits the bytes left (items of
 * zero-byte types: that the datum stays under CONV_AVRO_MAX_EMPTY_ITEMS of them). */
static int read_block(struct dctx *d, size_t min_item, uint64_t *count)
{
    int64_t c = 0;
    *count = 0;
    int rc = read_long(d, &c, 10);
    if (rc != KC_OK) {
        return rc;
    }
    if (c < 0) {
        if (c == INT64_MIN) {
            return derr(d, "bad block count");
        }
        c = -c;
        int64_t bytes;
        if ((rc = read_long(d, &bytes, 10)) != KC_OK) {
            return rc;
        }
        if (bytes < 0) {
            return derr(d, "negative block size");
        }
    }
    uint64_t left = (uint64_t)(d->end - d->p);
    if (min_item == 0 ? (uint64_t)c > CONV_AVRO_MAX_EMPTY_ITEMS - d->empty_items
                      : (uint64_t)c > left / min_item) {
        return derr(d, "block count past the end of data");
    }
    if (min_item == 0) {
        d->empty_items += (uint64_t)c;
    }
    *count = (uint64_t)c;
    return KC_OK;
}

/* Make room for `need` slots in an arena array of pointers holding `have`, doubling (so many
 * small blocks cost linear time and at most twice the memory). */
static int grow(struct dctx *d, const struct cdata_value ***arr, uint64_t *cap, uint64_t have,
                uint64_t need)
{
    if (need <= *cap) {
        return KC_OK;
    }
    uint64_t n = *cap * 2 > need ? *cap * 2 : need;
    if (n > UINT32_MAX / sizeof(void *)) {
        return dnomem(d);
    }
    const struct cdata_value **r = kc_arena_alloc(d->a, (size_t)n * sizeof(*r));
    if (r == NULL) {
        return dnomem(d);
    }
    if (have > 0) {
        memcpy(r, *arr, (size_t)have * sizeof(*r));
    }
    *arr = r;
    *cap = n;
    return KC_OK;
}

static int decode_list(struct dctx *d, const struct avro_node *n, const struct cdata_schema *cs,
                       const struct cdata_value **out)
{
    int is_map = n->kind == AVK_MAP;
    const struct avro_node *item = n->sub[0];
    const struct cdata_schema *ics = is_map ? cs->values : cs->items;
    size_t min_item = item->min_size + (is_map ? 1 : 0);
    const struct cdata_value **keys = NULL, **vals = NULL;
    uint64_t total = 0, count = 0, kcap = 0, vcap = 0;
    int rc;
    for (;;) {
        if ((rc = read_block(d, min_item, &count)) != KC_OK) {
            return rc;
        }
        if (count == 0) {
            break;
        }
        if ((rc = grow(d, &vals, &vcap, total, total + count)) != KC_OK ||
            (is_map && (rc = grow(d, &keys, &kcap, total, total + count)) != KC_OK)) {
            return rc;
        }
        for (uint64_t i = 0; i < count; i++) {
            if (is_map) {
                size_t l;
                if ((rc = read_len(d, &l)) != KC_OK) {
                    return rc;
                }
                struct cdata_value *k = conv_utf8_string(d->a, d->p, l);
                if (k == NULL) {
                    return dnomem(d);
                }
                d->p += l;
                keys[total + i] = k;
            }
            if ((rc = decode(d, item, ics, &vals[total + i])) != KC_OK) {
                return rc;
            }
        }
        total += count;
    }
    struct cdata_value *v;
    const struct cdata_value **ki, **vi;
    if (is_map) {
        v = cdata_map(d->a, (uint32_t)total, &ki, &vi);
        if (v != NULL && total > 0) {
            memcpy(ki, keys, (size_t)total * sizeof(*ki));
            memcpy(vi, vals, (size_t)total * sizeof(*vi));
        }
    } else {
        v = cdata_array(d->a, (uint32_t)total, &vi);
        if (v != NULL && total > 0) {
            memcpy(vi, vals, (size_t)total * sizeof(*vi));
        }
    }
    if (v == NULL) {
        return dnomem(d);
    }
    /* AvroData copies a map into new HashMap<>(size): its FileStreamSink order follows that */
    v->schema = is_map ? cdata_hashmap_hint(cdata_hashmap_sized((uint32_t)total)) : NULL;
    *out = v;
    return KC_OK;
}

static int decode(struct dctx *d, const struct avro_node *n, const struct cdata_schema *cs,
                  const struct cdata_value **out)
{
    struct cdata_value *v = NULL;
    int rc;
    *out = NULL;
    switch (n->kind) {
    case AVK_NULL:
        return KC_OK;
    case AVK_BOOLEAN:
        if (d->p >= d->end) {
            return derr(d, "unexpected end of data");
        }
        v = cdata_bool(d->a, *d->p++ == 1);
        break;
    case AVK_INT: {
        int32_t x;
        if ((rc = read_int(d, &x)) != KC_OK) {
            return rc;
        }
        int64_t y = n->ctype == CDATA_INT8 ? (int8_t)x : n->ctype == CDATA_INT16 ? (int16_t)x : x;
        v = cdata_int(d->a, n->ctype, y);
        break;
    }
    case AVK_LONG: {
        int64_t x;
        if ((rc = read_long(d, &x, 10)) != KC_OK) {
            return rc;
        }
        v = cdata_int(d->a, n->ctype, x);
        break;
    }
    case AVK_FLOAT: {
        if (d->end - d->p < 4) {
            return derr(d, "unexpected end of data");
        }
        uint32_t u = (uint32_t)d->p[0] | (uint32_t)d->p[1] << 8 | (uint32_t)d->p[2] << 16 |
                     (uint32_t)d->p[3] << 24;
        float f;
        memcpy(&f, &u, 4);
        d->p += 4;
        v = cdata_float(d->a, CDATA_FLOAT32, f);
        break;
    }
    case AVK_DOUBLE: {
        if (d->end - d->p < 8) {
            return derr(d, "unexpected end of data");
        }
        uint64_t u = 0;
        for (int i = 7; i >= 0; i--) {
            u = u << 8 | d->p[i];
        }
        double f;
        memcpy(&f, &u, 8);
        d->p += 8;
        v = cdata_float(d->a, CDATA_FLOAT64, f);
        break;
    }
    case AVK_BYTES:
    case AVK_STRING:
    case AVK_FIXED: {
        size_t l = n->n;
        if (n->kind != AVK_FIXED) {
            if ((rc = read_len(d, &l)) != KC_OK) {
                return rc;
            }
        } else if ((size_t)(d->end - d->p) < l) {
            return derr(d, "unexpected end of data");
        }
        v = n->kind == AVK_STRING ? conv_utf8_string(d->a, d->p, l) : cdata_bytes(d->a, d->p, l);
        d->p += l;
        break;
    }
    case AVK_ENUM: {
        int32_t x;
        if ((rc = read_int(d, &x)) != KC_OK) {
            return rc;
        }
        if (x < 0 || (uint32_t)x >= n->n) {
            return derr(d, "enum index out of range");
        }
        v = cdata_string(d->a, n->sym[x], strlen(n->sym[x]));
        break;
    }
    case AVK_RECORD: {
        const struct cdata_value **f;
        v = cdata_struct(d->a, cs, &f);
        if (v == NULL) {
            return dnomem(d);
        }
        for (uint32_t i = 0; i < n->n; i++) {
            if ((rc = decode(d, n->sub[i], cs->fields[i].schema, &f[i])) != KC_OK) {
                return rc;
            }
            if (f[i] == NULL && !cs->fields[i].schema->optional) {
                return derr(d, "null in a required field");
            }
        }
        *out = v;
        return KC_OK;
    }
    case AVK_ARRAY:
    case AVK_MAP:
        return decode_list(d, n, cs, out);
    case AVK_UNION: {
        int64_t b;
        if ((rc = read_long(d, &b, 5)) != KC_OK) {
            return rc;
        }
        if (b < 0 || b >= (int64_t)n->n) {
            return derr(d, "union index out of range");
        }
        const struct avro_node *br = n->sub[b];
        if (br->kind == AVK_NULL) {
            return KC_OK;
        }
        if (n->simple) {
            return decode(d, br, cs, out);
        }
        /* io.confluent.connect.avro.Union: only the written branch's field is set */
        const char *fname = branch_name(br);
        size_t fi = 0;
        while (fi < cs->n_fields && strcmp(cs->fields[fi].name, fname) != 0) {
            fi++;
        }
        if (fi == cs->n_fields) {
            return derr(d, "union branch without a field"); /* cannot happen */
        }
        const struct cdata_value **f;
        v = cdata_struct(d->a, cs, &f);
        if (v == NULL) {
            return dnomem(d);
        }
        for (size_t i = 0; i < cs->n_fields; i++) {
            f[i] = NULL;
        }
        if ((rc = decode(d, br, cs->fields[fi].schema, &f[fi])) != KC_OK) {
            return rc;
        }
        *out = v;
        return KC_OK;
    }
    }
    if (v == NULL) {
        return dnomem(d);
    }
    if (cs->name != NULL) {
        v->schema = cs; /* logical types, enums and fixed keep their schema */
    }
    *out = v;
    return KC_OK;
}

int conv_avro_decode(const struct conv_avro_schema *s, const void *data, size_t len,
                     struct kc_arena *a, const struct cdata_value **value, struct kc_error *err)
{
    struct dctx d = {.p = data, .end = (const uint8_t *)data + len, .start = data, .a = a,
                     .err = err};
    if (data == NULL) {
        d.p = d.end = d.start = (const uint8_t *)"";
    }
    return decode(&d, s->root, s->root->cs, value);
}
