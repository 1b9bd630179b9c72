/*
 * config/conf_values.c: a raw connector config parsed once by its conf_def tables.
 *
 * Owns a copy of the raw map plus one parsed struct conf_value per defined key, in table order.
 * The invariant: a value here is exactly what Kafka's ConfigDef.parse would hand the JVM
 * connector for the same map (same trimming, types, defaults and validator verdicts), and a
 * config that ConfigDef.parse rejects never becomes a struct conf_values.
 */
#include "conf_values.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_buf.h"

struct conf_values_entry {
    const struct conf_def *def; /* borrowed from a caller's static table */
    struct conf_value v;        /* owned */
};

struct conf_values {
    struct kc_strmap raw;             /* owned copy */
    struct conf_values_entry *e;      /* owned array, table order */
    size_t n;
};

void conf_values_free(struct conf_values *cv)
{
    if (cv == NULL) {
        return;
    }
    for (size_t i = 0; i < cv->n; i++) {
        conf_value_fini(&cv->e[i].v);
    }
    kc_free(cv->e);
    kc_strmap_fini(&cv->raw);
    kc_free(cv);
}

static const struct conf_values_entry *find_entry(const struct conf_values *cv, const char *key)
{
    for (size_t i = 0; i < cv->n; i++) {
        if (strcmp(cv->e[i].def->name, key) == 0) {
            return &cv->e[i];
        }
    }
    return NULL;
}

/* Add one key's entry (and its group) to the validate-style report. */
static int report_key(struct conf_infos *ci, const struct conf_def *d, const struct conf_value *v,
                      char **errors, size_t n_errors)
{
    struct conf_info_value *iv;
    char *shown = NULL;
    int rc = KC_OK;

    if (!v->is_null && (shown = conf_value_to_string(v, 0)) == NULL) {
        return KC_ENOMEM;
    }
    iv = conf_infos_add(ci, d, d->name, shown, 1);
    kc_free(shown);
    if (iv == NULL) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; rc == KC_OK && i < n_errors; i++) {
        rc = conf_info_value_add_error(iv, errors[i]);
    }
    ci->error_count += (int)n_errors;
    if (rc == KC_OK && d->group != NULL) {
        rc = conf_infos_add_group(ci, d->group);
    }
    return rc;
}

static size_t count_keys(const struct conf_def *const *tables, size_t n_tables)
{
    size_t n = 0;

    for (size_t t = 0; t < n_tables; t++) {
        n += conf_def_count(tables[t]);
    }
    return n;
}

int conf_values_parse(const struct conf_def *const *tables, size_t n_tables,
                      const struct kc_strmap *raw, struct conf_values **out,
                      struct conf_infos **errors_out, struct kc_error *err)
{
    struct conf_values *cv = NULL;
    struct conf_infos *ci = NULL;
    char **errors = NULL;
    size_t n_errors = 0;
    size_t cap = count_keys(tables, n_tables);
    int invalid = 0;
    int rc = KC_OK;

    *out = NULL;
    if (errors_out != NULL) {
        *errors_out = NULL;
    }
    cv = kc_calloc(1, sizeof(*cv));
    if (cv == NULL || (cap > 0 && (cv->e = kc_calloc(cap, sizeof(*cv->e))) == NULL)) {
        rc = KC_ENOMEM;
        goto out;
    }
    kc_strmap_init(&cv->raw);
    for (size_t i = 0; i < raw->n; i++) {
        if (kc_strmap_set(&cv->raw, raw->e[i].key, raw->e[i].value) != KC_OK) {
            rc = KC_ENOMEM;
            goto out;
        }
    }
    if (errors_out != NULL) {
        const char *cls = kc_strmap_get(raw, "connector.class");
        ci = kc_calloc(1, sizeof(*ci));
        if (ci == NULL || (cls != NULL && (ci->name = kc_strdup(cls)) == NULL)) {
            rc = KC_ENOMEM;
            goto out;
        }
    }
    for (size_t t = 0; t < n_tables; t++) {
        for (const struct conf_def *d = tables[t]; d != NULL && d->name != NULL; d++) {
            struct conf_values_entry *en;
            if (find_entry(cv, d->name) != NULL) {
                continue; /* an earlier table defines it */
            }
            en = &cv->e[cv->n];
            en->def = d;
            rc = conf_def_validate_one(d, kc_strmap_has(raw, d->name), kc_strmap_get(raw, d->name),
                                       &en->v, &errors, &n_errors);
            cv->n++; /* en->v is initialised even on failure, so conf_values_free may fini it */
            if (rc != KC_OK) {
                goto out;
            }
            if (n_errors > 0 && !invalid) {
                /* ConfigDef.parse throws at the first key that fails, with its first message */
                kc_error_set(err, KC_EINVAL, "%s", errors[0]);
                invalid = 1;
            }
            if (ci != NULL && (rc = report_key(ci, d, &en->v, errors, n_errors)) != KC_OK) {
                goto out;
            }
            for (size_t i = 0; i < n_errors; i++) {
                kc_free(errors[i]);
            }
            kc_free(errors);
            errors = NULL;
            n_errors = 0;
        }
    }
out:
    for (size_t i = 0; i < n_errors; i++) {
        kc_free(errors[i]);
    }
    kc_free(errors);
    if (rc != KC_OK) {
        conf_values_free(cv);
        conf_infos_free(ci);
        return kc_error_set(err, rc, "out of memory parsing the connector config");
    }
    if (errors_out != NULL) {
        *errors_out = ci;
    }
    if (invalid) {
        conf_values_free(cv);
        return KC_EINVAL;
    }
    *out = cv;
    return KC_OK;
}

const struct conf_value *conf_values_get(const struct conf_values *cv, const char *key)
{
    const struct conf_values_entry *en = find_entry(cv, key);

    return en != NULL ? &en->v : NULL;
}

const struct conf_def *conf_values_def(const struct conf_values *cv, const char *key)
{
    const struct conf_values_entry *en = find_entry(cv, key);

    return en != NULL ? en->def : NULL;
}

/* The value of a defined key whose type is t1 or t2: anything else is the caller's bug. */
static const struct conf_value *typed(const struct conf_values *cv, const char *key,
                                      enum conf_type t1, enum conf_type t2, enum conf_type t3)
{
    const struct conf_value *v = conf_values_get(cv, key);

    assert(v != NULL && "key not defined by the conf_values' tables");
    assert((v->type == t1 || v->type == t2 || v->type == t3) && "getter of the wrong type");
    (void)t1;
    (void)t2;
    (void)t3;
    return v;
}

int conf_values_is_null(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = conf_values_get(cv, key);

    assert(v != NULL && "key not defined by the conf_values' tables");
    return v->is_null;
}

int conf_values_bool(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = typed(cv, key, CONF_BOOLEAN, CONF_BOOLEAN, CONF_BOOLEAN);

    return v->is_null ? 0 : v->u.b;
}

int conf_values_int(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = typed(cv, key, CONF_INT, CONF_SHORT, CONF_SHORT);

    return v->is_null ? 0 : (int)v->u.i; /* parse range-checked it against INT/SHORT */
}

int64_t conf_values_long(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = typed(cv, key, CONF_LONG, CONF_LONG, CONF_LONG);

    return v->is_null ? 0 : v->u.i;
}

double conf_values_double(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = typed(cv, key, CONF_DOUBLE, CONF_DOUBLE, CONF_DOUBLE);

    return v->is_null ? 0.0 : v->u.d;
}

const char *conf_values_string(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = typed(cv, key, CONF_STRING, CONF_CLASS, CONF_PASSWORD);

    return v->is_null ? NULL : v->u.s;
}

const char *const *conf_values_list(const struct conf_values *cv, const char *key, size_t *n)
{
    const struct conf_value *v = typed(cv, key, CONF_LIST, CONF_LIST, CONF_LIST);

    *n = v->is_null ? 0 : v->u.list.n;
    return v->is_null ? NULL : (const char *const *)v->u.list.items;
}

const char *conf_values_password(const struct conf_values *cv, const char *key)
{
    const struct conf_value *v = typed(cv, key, CONF_PASSWORD, CONF_PASSWORD, CONF_PASSWORD);

    return v->is_null ? NULL : v->u.s;
}

const struct kc_strmap *conf_values_raw(const struct conf_values *cv)
{
    return &cv->raw;
}

static int cmp_entry_name(const void *a, const void *b)
{
    const struct conf_values_entry *const *x = a;
    const struct conf_values_entry *const *y = b;

    return strcmp((*x)->def->name, (*y)->def->name);
}

char *conf_values_log_string(const struct conf_values *cv)
{
    const struct conf_values_entry **sorted = NULL;
    struct kc_buf b;
    int rc = KC_OK;

    kc_buf_init(&b, (size_t)1 << 30);
    if (cv->n > 0 && (sorted = kc_calloc(cv->n, sizeof(*sorted))) == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < cv->n; i++) {
        sorted[i] = &cv->e[i];
    }
    if (cv->n > 1) {
        qsort(sorted, cv->n, sizeof(*sorted), cmp_entry_name);
    }
    for (size_t i = 0; rc == KC_OK && i < cv->n; i++) {
        char *s = conf_value_to_log_string(&sorted[i]->v); /* passwords print [hidden] */
        if (s == NULL) {
            rc = KC_ENOMEM;
            break;
        }
        rc = kc_buf_append_str(&b, "\t");
        rc = rc == KC_OK ? kc_buf_append_str(&b, sorted[i]->def->name) : rc;
        rc = rc == KC_OK ? kc_buf_append_str(&b, " = ") : rc;
        rc = rc == KC_OK ? kc_buf_append_str(&b, s) : rc;
        rc = rc == KC_OK ? kc_buf_append_str(&b, "\n") : rc;
        kc_free(s);
    }
    kc_free(sorted);
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    if (cv->n == 0) {
        return kc_strdup("");
    }
    return kc_buf_take(&b, NULL);
}

int conf_values_add_error(struct conf_infos *errs, const char *key, const char *msg)
{
    struct conf_info_value *iv = NULL;

    for (size_t i = 0; i < errs->n_configs; i++) {
        if (strcmp(errs->configs[i].name, key) == 0) {
            iv = &errs->configs[i];
            break;
        }
    }
    if (iv == NULL && (iv = conf_infos_add(errs, NULL, key, NULL, 1)) == NULL) {
        return KC_ENOMEM;
    }
    if (conf_info_value_add_error(iv, msg) != KC_OK) {
        return KC_ENOMEM;
    }
    errs->error_count++;
    return KC_OK;
}
