/*
 * connectors/common/smt.c: the transform and predicate registry, predicate evaluation, shared
 * helpers, and the two transforms that touch only record metadata: RegexRouter and Filter.
 * POSIX extended regexes stand in for java.util.regex (see smt.h for the differences).
 */
#include "smt_int.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"

#define TPKG "org.apache.kafka.connect.transforms."
#define PPKG "org.apache.kafka.connect.transforms.predicates."

static const struct smt_ops *const smt_table[] = {
    &smt_insert_field_value_ops, &smt_insert_field_key_ops, &smt_replace_field_value_ops,
    &smt_replace_field_key_ops,  &smt_extract_field_value_ops, &smt_extract_field_key_ops,
    &smt_flatten_value_ops,      &smt_flatten_key_ops,        &smt_regex_router_ops,
    &smt_filter_ops,             &smt_cast_value_ops,         &smt_cast_key_ops,
    &smt_timestamp_value_ops,    &smt_timestamp_key_ops,
    &smt_mask_field_value_ops,   &smt_mask_field_key_ops,     &smt_hoist_field_value_ops,
    &smt_hoist_field_key_ops,    &smt_value_to_key_ops,       &smt_timestamp_router_ops,
    &smt_header_from_value_ops,  &smt_header_from_key_ops,    &smt_insert_header_ops,
    &smt_drop_headers_ops,       &smt_dbz_extract_new_state_ops, &smt_dbz_header_to_value_ops,
};

static const char *const predicate_classes[] = {
    PPKG "HasHeaderKey",
    PPKG "RecordIsTombstone",
    PPKG "TopicNameMatches",
};

const char *smt_transform_class(size_t i)
{
    return i < sizeof(smt_table) / sizeof(smt_table[0]) ? smt_table[i]->class_name : NULL;
}

const char *smt_transform_version(size_t i)
{
    return i < sizeof(smt_table) / sizeof(smt_table[0]) ? smt_table[i]->version : NULL;
}

const char *smt_predicate_class(size_t i)
{
    return i < sizeof(predicate_classes) / sizeof(predicate_classes[0]) ? predicate_classes[i]
                                                                         : NULL;
}

static int name_matches(const char *canonical, const char *user)
{
    if (strcmp(canonical, user) == 0) {
        return 1;
    }
    const char *dot = strrchr(canonical, '.');
    return dot != NULL && strcmp(dot + 1, user) == 0;
}

int smt_oom(struct kc_error *err)
{
    return kc_error_set(err, KC_ENOMEM, "out of memory in transformation (batch arena full)");
}

int smt_new(const char *class_name, const struct kc_strmap *props, struct smt **out,
            struct kc_error *err)
{
    *out = NULL;
    const struct smt_ops *ops = NULL;
    for (size_t i = 0; class_name != NULL && i < sizeof(smt_table) / sizeof(smt_table[0]); i++) {
        if (name_matches(smt_table[i]->class_name, class_name)) {
            ops = smt_table[i];
        }
    }
    if (ops == NULL) {
        return kc_error_set(err, KC_ENOENT,
                            "Class %s could not be found (connect-c supports InsertField, "
                            "ReplaceField, ExtractField, Flatten, Cast, TimestampConverter, "
                            "MaskField, HoistField, HeaderFrom ($Value/$Key), ValueToKey, "
                            "RegexRouter, TimestampRouter, InsertHeader, DropHeaders, Filter, "
                            "io.debezium.transforms.ExtractNewRecordState, HeaderToValue)",
                            class_name != NULL ? class_name : "(null)");
    }
    struct smt *t = kc_calloc(1, sizeof(*t));
    if (t == NULL) {
        return smt_oom(err);
    }
    t->ops = ops;
    kc_arena_init(&t->conf, 4096, 16u << 20);
    struct kc_strmap empty;
    kc_strmap_init(&empty);
    int rc = ops->init(t, props != NULL ? props : &empty, err);
    if (rc != KC_OK) {
        smt_free(t);
        return rc;
    }
    *out = t;
    return KC_OK;
}

void smt_free(struct smt *t)
{
    if (t == NULL) {
        return;
    }
    if (t->ops->fini != NULL) {
        t->ops->fini(t);
    }
    kc_arena_fini(&t->conf);
    kc_free(t);
}

const char *smt_class_name(const struct smt *t)
{
    return t->ops->class_name;
}

void smt_set_predicate(struct smt *t, const struct smt_predicate *p, int negate)
{
    t->pred = p;
    t->negate = negate != 0;
}

int smt_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
              const struct sink_record **out, struct kc_error *err)
{
    *out = in;
    if (t->pred != NULL && smt_predicate_test(t->pred, in) == t->negate) {
        return KC_OK;
    }
    t->err_class = NULL;
    int rc = t->ops->apply(t, in, a, out, err);
    if (rc != KC_OK) {
        *out = NULL;
    }
    if (rc == KC_EINVAL && t->err_class != NULL) {
        /* the transform named its exception itself */
    } else if (rc == KC_EINVAL) {
        /* The few non-DataException throws of the JVM transforms, told apart by message. */
        if (strncmp(err->msg, "Unknown field: ", 15) == 0) {
            t->err_class = "java.lang.IllegalArgumentException";
        } else if (strncmp(err->msg, "Cannot create field because", 27) == 0) {
            t->err_class = "org.apache.kafka.connect.errors.SchemaBuilderException";
        } else {
            t->err_class = SMT_DATA_EXCEPTION;
        }
    }
    return rc;
}

const char *smt_error_class(const struct smt *t)
{
    return t->err_class;
}

/* ---------------------------------------------------------------- helpers */

const char *smt_java_class(const struct cdata_value *v)
{
    if (v == NULL) {
        return "null";
    }
    switch (v->type) {
    case CDATA_INT8:
        return "java.lang.Byte";
    case CDATA_INT16:
        return "java.lang.Short";
    case CDATA_INT32:
        return cdata_schema_is(v->schema, CDATA_LOGICAL_DATE) ||
                       cdata_schema_is(v->schema, CDATA_LOGICAL_TIME)
                   ? "java.util.Date"
                   : "java.lang.Integer";
    case CDATA_INT64:
        return cdata_schema_is(v->schema, CDATA_LOGICAL_TIMESTAMP) ? "java.util.Date"
                                                                   : "java.lang.Long";
    case CDATA_FLOAT32:
        return "java.lang.Float";
    case CDATA_FLOAT64:
        return "java.lang.Double";
    case CDATA_BOOLEAN:
        return "java.lang.Boolean";
    case CDATA_STRING:
        return "java.lang.String";
    case CDATA_BYTES:
        return cdata_schema_is(v->schema, CDATA_LOGICAL_DECIMAL) ? "java.math.BigDecimal" : "[B";
    case CDATA_ARRAY:
        return "java.util.ArrayList";
    case CDATA_MAP:
        return "java.util.HashMap";
    case CDATA_STRUCT:
        return "org.apache.kafka.connect.data.Struct";
    }
    return "java.lang.Object";
}

struct sink_record *smt_record_dup(const struct sink_record *in, struct kc_arena *a)
{
    struct sink_record *r = kc_arena_alloc(a, sizeof(*r));
    if (r != NULL) {
        *r = *in;
    }
    return r;
}

void smt_part(const struct smt *t, const struct sink_record *r, const struct cdata_schema **s,
              const struct cdata_value **v)
{
    if (t->ops->is_key) {
        *s = r->key_schema;
        *v = r->key;
    } else {
        *s = r->value_schema;
        *v = r->value;
    }
}

void smt_set_part(const struct smt *t, struct sink_record *r, const struct cdata_schema *s,
                  const struct cdata_value *v)
{
    if (t->ops->is_key) {
        r->key_schema = s;
        r->key = v;
    } else {
        r->value_schema = s;
        r->value = v;
    }
}

struct sink_header *smt_headers_copy(const struct sink_record *in, size_t extra,
                                     struct kc_arena *a)
{
    struct sink_header *h = kc_arena_alloc(a, (in->n_headers + extra + 1) * sizeof(*h));
    if (h != NULL && in->n_headers > 0) {
        memcpy(h, in->headers, in->n_headers * sizeof(*h));
    }
    return h;
}

int smt_list(const char *s, struct kc_arena *a, const char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (s == NULL) {
        return KC_OK;
    }
    size_t cnt = 1;
    for (const char *p = s; *p; p++) {
        cnt += *p == ',';
    }
    const char **v = kc_arena_alloc(a, cnt * sizeof(*v));
    if (v == NULL) {
        return KC_ENOMEM;
    }
    size_t k = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        const char *b = p;
        while (len > 0 && (*b == ' ' || *b == '\t')) {
            b++;
            len--;
        }
        while (len > 0 && (b[len - 1] == ' ' || b[len - 1] == '\t')) {
            len--;
        }
        if (len > 0) { /* ConfigDef LIST drops empty items only at the ends; close enough */
            if ((v[k] = kc_arena_strndup(a, b, len)) == NULL) {
                return KC_ENOMEM;
            }
            k++;
        }
        if (e == NULL) {
            break;
        }
        p = e + 1;
    }
    *out = v;
    *n = k;
    return KC_OK;
}

/* ---------------------------------------------------------------- regex */

/* Compile a Java pattern as POSIX ERE, refusing Java-only syntax instead of misreading it. */
static int regex_compile(regex_t *re, const char *pattern, const char *key, struct kc_error *err)
{
    static const char *const java_only[] = {"(?", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S",
                                            "*?", "+?", "??", "\\b", "\\B", "\\Q", "\\p{"};
    for (size_t i = 0; i < sizeof(java_only) / sizeof(java_only[0]); i++) {
        if (strstr(pattern, java_only[i]) != NULL) {
            return kc_error_set(err, KC_EINVAL,
                                "Invalid value %s for configuration %s: '%s' is Java regex syntax "
                                "that connect-c's POSIX regular expressions do not support",
                                pattern, key, java_only[i]);
        }
    }
    int rc = regcomp(re, pattern, REG_EXTENDED);
    if (rc != 0) {
        char msg[200];
        regerror(rc, re, msg, sizeof(msg));
        return kc_error_set(err, KC_EINVAL, "Invalid value %s for configuration %s: %s", pattern,
                            key, msg);
    }
    return KC_OK;
}

/* Matcher.matches(): the whole string. m gets up to nm groups. */
static int regex_full_match(const regex_t *re, const char *s, regmatch_t *m, size_t nm)
{
    if (regexec(re, s, nm, m, 0) != 0) {
        return 0;
    }
    return m[0].rm_so == 0 && (size_t)m[0].rm_eo == strlen(s);
}

/* ---------------------------------------------------------------- RegexRouter */

struct router {
    regex_t re;
    const char *replacement;
};

static int router_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    const char *rx = kc_strmap_get(props, "regex");
    const char *rep = kc_strmap_get(props, "replacement");
    if (rx == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "Missing required configuration \"regex\" which has no default value.");
    }
    if (rep == NULL) {
        return kc_error_set(err, KC_EINVAL, "Missing required configuration \"replacement\" "
                                            "which has no default value.");
    }
    struct router *r = kc_calloc(1, sizeof(*r));
    if (r == NULL) {
        return smt_oom(err);
    }
    int rc = regex_compile(&r->re, rx, "regex", err);
    if (rc != KC_OK) {
        kc_free(r);
        return rc;
    }
    r->replacement = kc_arena_strndup(&t->conf, rep, strlen(rep));
    t->ctx = r;
    if (r->replacement == NULL) {
        return smt_oom(err);
    }
    return KC_OK;
}

static void router_fini(struct smt *t)
{
    struct router *r = t->ctx;
    if (r != NULL) {
        regfree(&r->re);
        kc_free(r);
    }
}

static int router_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                        const struct sink_record **out, struct kc_error *err)
{
    struct router *r = t->ctx;
    regmatch_t m[10];
    if (in->topic == NULL || !regex_full_match(&r->re, in->topic, m, 10)) {
        return KC_OK; /* unchanged */
    }
    /* Matcher.replaceFirst on a whole match: the replacement with $n and \x expanded. */
    struct kc_buf b;
    kc_buf_init(&b, 64 * 1024);
    int rc = kc_buf_append(&b, "", 0);
    for (const char *p = r->replacement; rc == KC_OK && *p; p++) {
        if (*p == '\\' && p[1] != '\0') {
            rc = kc_buf_append_byte(&b, (uint8_t)*++p);
        } else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
            int g = *++p - '0';
            if (g >= 10 || m[g].rm_so < 0) {
                kc_buf_fini(&b);
                return kc_error_set(err, KC_EINVAL, "No group %d", g);
            }
            rc = kc_buf_append(&b, in->topic + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
        } else {
            rc = kc_buf_append_byte(&b, (uint8_t)*p);
        }
    }
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return smt_oom(err);
    }
    struct sink_record *o = smt_record_dup(in, a);
    char *topic = kc_arena_strndup(a, b.data, b.len);
    kc_buf_fini(&b);
    if (o == NULL || topic == NULL) {
        return smt_oom(err);
    }
    o->topic = topic;
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_regex_router_ops = {
    .class_name = TPKG "RegexRouter",
    .init = router_init,
    .fini = router_fini,
    .apply = router_apply,
};

/* ---------------------------------------------------------------- Filter */

static int filter_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    (void)t;
    (void)props;
    (void)err;
    return KC_OK;
}

static int filter_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                        const struct sink_record **out, struct kc_error *err)
{
    (void)t;
    (void)in;
    (void)a;
    (void)err;
    *out = NULL;
    return KC_OK;
}

const struct smt_ops smt_filter_ops = {
    .class_name = TPKG "Filter",
    .init = filter_init,
    .apply = filter_apply,
};

/* ---------------------------------------------------------------- predicates */

enum pred_kind { PRED_TOPIC, PRED_HEADER, PRED_TOMBSTONE };

struct smt_predicate {
    enum pred_kind kind;
    regex_t re;   /* PRED_TOPIC */
    char *header; /* PRED_HEADER, owned */
};

int smt_predicate_new(const char *class_name, const struct kc_strmap *props,
                      struct smt_predicate **out, struct kc_error *err)
{
    *out = NULL;
    enum pred_kind k;
    if (class_name != NULL && name_matches(PPKG "TopicNameMatches", class_name)) {
        k = PRED_TOPIC;
    } else if (class_name != NULL && name_matches(PPKG "HasHeaderKey", class_name)) {
        k = PRED_HEADER;
    } else if (class_name != NULL && name_matches(PPKG "RecordIsTombstone", class_name)) {
        k = PRED_TOMBSTONE;
    } else {
        return kc_error_set(err, KC_ENOENT, "Class %s could not be found",
                            class_name != NULL ? class_name : "(null)");
    }
    struct smt_predicate *p = kc_calloc(1, sizeof(*p));
    if (p == NULL) {
        return smt_oom(err);
    }
    p->kind = k;
    if (k == PRED_TOPIC) {
        const char *pat = props != NULL ? kc_strmap_get(props, "pattern") : NULL;
        if (pat == NULL) {
            kc_free(p);
            return kc_error_set(err, KC_EINVAL, "Missing required configuration \"pattern\" "
                                                "which has no default value.");
        }
        int rc = regex_compile(&p->re, pat, "pattern", err);
        if (rc != KC_OK) {
            kc_free(p);
            return rc;
        }
    } else if (k == PRED_HEADER) {
        const char *name = props != NULL ? kc_strmap_get(props, "name") : NULL;
        if (name == NULL || *name == '\0') {
            kc_free(p);
            return kc_error_set(err, KC_EINVAL, "Invalid value %s for configuration name: String "
                                                "must be non-empty",
                                name != NULL ? name : "null");
        }
        if ((p->header = kc_strdup(name)) == NULL) {
            kc_free(p);
            return smt_oom(err);
        }
    }
    *out = p;
    return KC_OK;
}

void smt_predicate_free(struct smt_predicate *p)
{
    if (p == NULL) {
        return;
    }
    if (p->kind == PRED_TOPIC) {
        regfree(&p->re);
    }
    kc_free(p->header);
    kc_free(p);
}

int smt_predicate_test(const struct smt_predicate *p, const struct sink_record *rec)
{
    switch (p->kind) {
    case PRED_TOPIC: {
        regmatch_t m[1];
        return rec->topic != NULL && regex_full_match(&p->re, rec->topic, m, 1);
    }
    case PRED_HEADER:
        for (size_t i = 0; i < rec->n_headers; i++) {
            if (strcmp(rec->headers[i].key, p->header) == 0) {
                return 1;
            }
        }
        return 0;
    case PRED_TOMBSTONE:
        /* record.value() == null: the converted value, or the raw bytes on the raw path */
        return rec->value_converted ? rec->value == NULL : rec->value_raw == NULL;
    }
    return 0;
}
