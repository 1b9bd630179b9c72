/*
 * connectors/common/smt_cast.c: Cast$Value / Cast$Key -- cast fields of a Map or Struct, or the
 * whole value, to int8..int64, float32, float64, boolean or string, with Java's conversions:
 * Number.byteValue() and friends (narrowing, saturating from floating point), Byte.parseByte
 * and friends for strings ("Value (x) was out of range for requested data type" when they
 * throw), Boolean.parseBoolean, value.toString() for strings (Double.toString, ...), base64 for
 * bytes, and ISO-8601 text for Date/Time/Timestamp (Values.dateFormatFor, UTC).
 *
 * Gaps: a Decimal (BigDecimal) input casts to string only; field defaults are not re-cast.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kc_alloc.h"
#include "kc_text.h"
#include "smt_int.h"

#define TPKG "org.apache.kafka.connect.transforms."
#define CAST_INPUT_TYPES "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"

struct cast_spec {
    const char *field; /* NULL = whole value */
    enum cdata_type type;
};

struct cast {
    struct cast_spec *spec; /* in java.util.HashMap order of the field names */
    size_t n;
};

static int parse_type(const char *s, enum cdata_type *t)
{
    static const char *const names[] = {"INT8",    "INT16",   "INT32",   "INT64",
                                        "FLOAT32", "FLOAT64", "BOOLEAN", "STRING"};
    for (int i = 0; i < 8; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *t = i == 6 ? CDATA_BOOLEAN : i == 7 ? CDATA_STRING : (enum cdata_type)i;
            return 1;
        }
    }
    return 0;
}

static int cast_init(struct smt *t, const struct kc_strmap *props, struct kc_error *err)
{
    const char **items;
    size_t n;
    if (smt_list(kc_strmap_get(props, "spec"), &t->conf, &items, &n) != KC_OK) {
        return smt_oom(err);
    }
    if (n == 0) {
        return kc_error_set(err, KC_EINVAL, "Invalid value for configuration spec: Must specify "
                                            "at least one field to cast.");
    }
    struct cast *c = kc_arena_calloc(&t->conf, sizeof(*c));
    struct cast_spec *sp = kc_arena_calloc(&t->conf, n * sizeof(*sp));
    if (c == NULL || sp == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        char *colon = strchr(items[i], ':');
        const char *ty = items[i];
        if (colon != NULL) {
            if (strchr(colon + 1, ':') != NULL) {
                return kc_error_set(err, KC_EINVAL, "Invalid rename mapping: %s", items[i]);
            }
            *colon = '\0';
            char *f = (char *)items[i];
            size_t fl = strlen(f);
            while (fl > 0 && isspace((unsigned char)f[fl - 1])) {
                f[--fl] = '\0';
            }
            sp[i].field = f;
            ty = colon + 1;
            while (isspace((unsigned char)*ty)) {
                ty++;
            }
        } else if (n > 1) {
            return kc_error_set(err, KC_EINVAL,
                                "Cast transformations that specify a type to cast the entire "
                                "value to may ony specify a single cast in their spec");
        }
        if (!parse_type(ty, &sp[i].type)) {
            return kc_error_set(err, KC_EINVAL, "Invalid type found in casting spec: %s", ty);
        }
    }
    /* Iterate like the JVM's HashMap<String, Type> of casts. */
    if (n > 1 || sp[0].field != NULL) {
        const struct cdata_value **k, **v;
        struct cdata_value *m = cdata_map(&t->conf, (uint32_t)n, &k, &v);
        uint32_t *order = kc_arena_alloc(&t->conf, n * sizeof(uint32_t));
        struct cast_spec *sorted = kc_arena_alloc(&t->conf, n * sizeof(*sorted));
        if (m == NULL || order == NULL || sorted == NULL) {
            return smt_oom(err);
        }
        for (size_t i = 0; i < n; i++) {
            k[i] = cdata_string(&t->conf, sp[i].field, strlen(sp[i].field));
            v[i] = NULL;
            if (k[i] == NULL) {
                return smt_oom(err);
            }
        }
        if (cdata_map_java_order(m, order) != KC_OK) {
            return smt_oom(err);
        }
        for (size_t i = 0; i < n; i++) {
            sorted[i] = sp[order[i]];
        }
        sp = sorted;
    }
    c->spec = sp;
    c->n = n;
    t->ctx = c;
    return KC_OK;
}

static void cast_fini(struct smt *t)
{
    (void)t;
}

/* ---------------------------------------------------------------- conversions */

/* Java's (int)/(long) narrowing of a double: NaN -> 0, saturating. */
static int64_t d2l(double d)
{
    if (isnan(d)) {
        return 0;
    }
    if (d >= 9223372036854775807.0) {
        return INT64_MAX;
    }
    if (d <= -9223372036854775808.0) {
        return INT64_MIN;
    }
    return (int64_t)d;
}

static int32_t d2i(double d)
{
    if (isnan(d)) {
        return 0;
    }
    if (d >= 2147483647.0) {
        return INT32_MAX;
    }
    if (d <= -2147483648.0) {
        return INT32_MIN;
    }
    return (int32_t)d;
}

static int is_int_type(enum cdata_type t)
{
    return t <= CDATA_INT64;
}

static struct cdata_value *base64_string(struct kc_arena *a, const unsigned char *p, size_t n)
{
    char *o = kc_arena_alloc(a, KC_B64_LEN(n) + 1);
    if (o == NULL) {
        return NULL;
    }
    return cdata_string(a, o, kc_b64_encode(p, n, o));
}

/* Values.dateFormatFor(date).format(date), UTC. */
static struct cdata_value *iso_string(struct kc_arena *a, int64_t ms)
{
    int64_t days = ms / 86400000, rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    if (m <= 2) {
        y++;
    }
    char buf[64];
    int h = (int)(rem / 3600000), mi = (int)(rem / 60000 % 60), s = (int)(rem / 1000 % 60),
        mil = (int)(rem % 1000);
    int n;
    if (ms < 86400000) {
        n = snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%03dZ", h, mi, s, mil);
    } else if (ms % 86400000 == 0) {
        n = snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", (long long)y, m, d);
    } else {
        n = snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
                     h, mi, s, mil);
    }
    return cdata_string(a, buf, (size_t)n);
}

static int out_of_range(const struct cdata_value *v, struct kc_error *err)
{
    return kc_error_set(err, KC_EINVAL,
                        "Value (%.200s) was out of range for requested data type", v->u.s);
}

/* Double.parseDouble: trims white space; decimal, NaN, Infinity, optional f/d suffix. */
static int parse_java_double(const char *s, double *out)
{
    while (*s != '\0' && (unsigned char)*s <= ' ') {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && (unsigned char)s[n - 1] <= ' ') {
        n--;
    }
    if (n == 0 || n > 400) {
        return 0;
    }
    char tmp[401];
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    const char *q = tmp;
    int neg = 0;
    if (*q == '+' || *q == '-') {
        neg = *q == '-';
        q++;
    }
    if (strcmp(q, "NaN") == 0) {
        *out = NAN;
        return 1;
    }
    if (strcmp(q, "Infinity") == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return 1;
    }
    if (n > 0 && (tmp[n - 1] == 'f' || tmp[n - 1] == 'F' || tmp[n - 1] == 'd' || tmp[n - 1] == 'D')) {
        tmp[--n] = '\0';
    }
    for (const char *c = q; *c; c++) {
        if (!((*c >= '0' && *c <= '9') || *c == '.' || *c == 'e' || *c == 'E' || *c == '+' ||
              *c == '-')) {
            return 0; /* hex floats and the like: not supported here */
        }
    }
    char *end;
    errno = 0;
    double d = strtod(tmp, &end);
    if (end == tmp || *end != '\0') {
        return 0;
    }
    *out = d;
    return 1;
}

static int cast_value(const struct cdata_schema *s, const struct cdata_value *v, enum cdata_type to,
                      struct kc_arena *a, const struct cdata_value **out, struct kc_error *err)
{
    *out = NULL;
    if (v == NULL) {
        return KC_OK;
    }
    enum cdata_type from = s != NULL ? s->type : v->type;
    if (from == CDATA_ARRAY || from == CDATA_MAP || from == CDATA_STRUCT) {
        return kc_error_set(err, KC_EINVAL,
                            "Cast transformation does not support casting from %s; supported "
                            "types are " CAST_INPUT_TYPES,
                            cdata_type_name(from, 1));
    }
    const struct cdata_schema *vs = v->schema;
    int is_date = cdata_schema_is(vs, CDATA_LOGICAL_DATE);
    int is_temporal = is_date || cdata_schema_is(vs, CDATA_LOGICAL_TIME) ||
                      cdata_schema_is(vs, CDATA_LOGICAL_TIMESTAMP);
    int is_decimal = cdata_schema_is(vs, CDATA_LOGICAL_DECIMAL) && v->type == CDATA_BYTES;
    struct cdata_value *r = NULL;
    if (to == CDATA_STRING) {
        if (is_temporal) {
            r = iso_string(a, is_date ? cdata_date_ms(v->u.i) : v->u.i);
        } else if (v->type == CDATA_STRING) {
            r = cdata_string(a, v->u.s, v->n);
        } else if (v->type == CDATA_BYTES && !is_decimal) {
            r = base64_string(a, (const unsigned char *)v->u.s, v->n);
        } else {
            struct kc_buf b;
            kc_buf_init(&b, 1 << 20);
            struct cdata_value plain = *v;
            if (!is_decimal) {
                plain.schema = NULL;
            }
            int rc = cdata_to_java_string(&plain, &b);
            if (rc == KC_EINVAL) {
                kc_buf_fini(&b);
                return kc_error_set(err, KC_EINVAL,
                                    "Cast of a Decimal of more than %d bytes to string is not "
                                    "supported by connect-c",
                                    CDATA_DECIMAL_MAX_BYTES);
            }
            if (rc != KC_OK) {
                kc_buf_fini(&b);
                return smt_oom(err);
            }
            r = cdata_string(a, b.data, b.len);
            kc_buf_fini(&b);
        }
    } else if (is_decimal) {
        return kc_error_set(err, KC_EINVAL,
                            "Cast of a Decimal to %s is not supported by connect-c (only to string)",
                            cdata_type_name(to, 0));
    } else if (v->type == CDATA_STRING) {
        static const int64_t lo[] = {INT8_MIN, INT16_MIN, INT32_MIN, INT64_MIN};
        static const int64_t hi[] = {INT8_MAX, INT16_MAX, INT32_MAX, INT64_MAX};
        if (is_int_type(to)) {
            int64_t x;
            if (kc_parse_java_int(v->u.s, v->n, lo[to], hi[to], &x) != 0) {
                return out_of_range(v, err);
            }
            r = cdata_int(a, to, x);
        } else if (to == CDATA_BOOLEAN) {
            r = cdata_bool(a, strcasecmp(v->u.s, "true") == 0);
        } else {
            double d;
            if (!parse_java_double(v->u.s, &d)) {
                return out_of_range(v, err);
            }
            r = cdata_float(a, to, to == CDATA_FLOAT32 ? (double)strtof(v->u.s, NULL) : d);
            if (r != NULL && to == CDATA_FLOAT32 && (isnan(d) || isinf(d))) {
                r->u.f = d;
            }
        }
    } else if (v->type == CDATA_BYTES) {
        return kc_error_set(err, KC_EINVAL, "Unexpected type in Cast transformation: class [B");
    } else {
        /* Number or Boolean (Date/Time/Timestamp encode to their int/long first). */
        int isf = v->type == CDATA_FLOAT32 || v->type == CDATA_FLOAT64;
        int isb = v->type == CDATA_BOOLEAN;
        int64_t l = isb ? v->u.b : isf ? d2l(v->u.f) : v->u.i;
        int32_t i32 = isb ? v->u.b : isf ? d2i(v->u.f) : (int32_t)v->u.i;
        double d = isb ? (double)v->u.b : isf ? v->u.f : (double)v->u.i;
        switch (to) {
        case CDATA_INT8:
            r = cdata_int(a, to, (int8_t)i32);
            break;
        case CDATA_INT16:
            r = cdata_int(a, to, (int16_t)i32);
            break;
        case CDATA_INT32:
            r = cdata_int(a, to, i32);
            break;
        case CDATA_INT64:
            r = cdata_int(a, to, l);
            break;
        case CDATA_FLOAT32:
            /* float of a float is itself; of a long, (float)long (no double detour) */
            r = cdata_float(a, to, isf ? v->u.f : isb ? (double)v->u.b : (double)(float)v->u.i);
            break;
        case CDATA_FLOAT64:
            r = cdata_float(a, to, d);
            break;
        default: /* BOOLEAN: longValue() != 0 */
            r = cdata_bool(a, l != 0);
            break;
        }
    }
    if (r == NULL) {
        return smt_oom(err);
    }
    *out = r;
    return KC_OK;
}

static const struct cdata_schema *type_schema(enum cdata_type t, int optional, struct kc_arena *a)
{
    struct cdata_schema *s = kc_arena_calloc(a, sizeof(*s));
    if (s != NULL) {
        s->type = t;
        s->optional = optional;
    }
    return s;
}

static int cast_apply(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                      const struct sink_record **out, struct kc_error *err)
{
    struct cast *c = t->ctx;
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
    const struct cdata_value *nv;
    if (c->spec[0].field == NULL) {
        if ((rc = cast_value(s, v, c->spec[0].type, a, &nv, err)) != KC_OK) {
            return rc;
        }
        const struct cdata_schema *ns = NULL;
        if (s != NULL) {
            struct cdata_schema *cs = kc_arena_calloc(a, sizeof(*cs));
            if (cs == NULL) {
                return smt_oom(err);
            }
            cs->type = c->spec[0].type;
            cs->name = s->name;
            cs->version = s->version;
            cs->doc = s->doc;
            cs->params = s->params;
            cs->n_params = s->n_params;
            cs->optional = s->optional;
            ns = cs;
        }
        smt_set_part(t, o, ns, nv);
        *out = o;
        return KC_OK;
    }
    if (s == NULL) {
        if (v->type != CDATA_MAP) {
            return kc_error_set(err, KC_EINVAL,
                                "Only Map objects supported in absence of schema for [cast "
                                "types], found: %s",
                                smt_java_class(v));
        }
        uint32_t *order = kc_arena_alloc(a, (v->n ? v->n : 1) * sizeof(uint32_t));
        const struct cdata_value **k, **vals;
        struct cdata_value *m = cdata_map(a, v->n + (uint32_t)c->n, &k, &vals);
        if (order == NULL || m == NULL || cdata_map_java_order(v, order) != KC_OK) {
            return smt_oom(err);
        }
        uint32_t n = 0;
        for (uint32_t i = 0; i < v->n; i++) {
            k[n] = v->u.map.keys[order[i]];
            vals[n++] = v->u.map.vals[order[i]];
        }
        for (size_t j = 0; j < c->n; j++) {
            const char *f = c->spec[j].field;
            long idx = cdata_map_find(v, f, strlen(f));
            const struct cdata_value *cv;
            if ((rc = cast_value(NULL, idx >= 0 ? v->u.map.vals[idx] : NULL, c->spec[j].type, a,
                                 &cv, err)) != KC_OK) {
                return rc;
            }
            uint32_t slot = 0;
            while (slot < n && !(k[slot]->n == strlen(f) && memcmp(k[slot]->u.s, f, k[slot]->n) == 0)) {
                slot++;
            }
            if (slot == n) {
                if ((k[n] = cdata_string(a, f, strlen(f))) == NULL) {
                    return smt_oom(err);
                }
                n++;
            }
            vals[slot] = cv;
        }
        m->n = n;
        m->u.map.vals = vals;
        m->schema = cdata_hashmap_hint(cdata_hashmap_copied(v->n)); /* new HashMap<>(value) */
        smt_set_part(t, o, NULL, m);
        *out = o;
        return KC_OK;
    }
    if (v->type != CDATA_STRUCT) {
        return kc_error_set(err, KC_EINVAL, "Only Struct objects supported for [cast types], found: %s",
                            smt_java_class(v));
    }
    struct cdata_schema *ns = kc_arena_calloc(a, sizeof(*ns));
    struct cdata_field *f = kc_arena_calloc(a, (s->n_fields ? s->n_fields : 1) * sizeof(*f));
    if (ns == NULL || f == NULL) {
        return smt_oom(err);
    }
    ns->type = CDATA_STRUCT;
    ns->name = s->name;
    ns->version = s->version;
    ns->doc = s->doc;
    ns->params = s->params;
    ns->n_params = s->n_params;
    ns->optional = s->optional;
    ns->fields = f;
    ns->n_fields = s->n_fields;
    const struct cdata_value **fv;
    struct cdata_value *st = cdata_struct(a, ns, &fv);
    if (st == NULL) {
        return smt_oom(err);
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        const struct cdata_field *fd = &s->fields[i];
        f[i] = *fd;
        const struct cast_spec *sp = NULL;
        for (size_t j = 0; j < c->n; j++) {
            if (strcmp(c->spec[j].field, fd->name) == 0) {
                sp = &c->spec[j];
            }
        }
        if (sp == NULL) {
            fv[i] = v->u.items[i];
            continue;
        }
        if ((f[i].schema = type_schema(sp->type, fd->schema->optional, a)) == NULL) {
            return smt_oom(err);
        }
        if ((rc = cast_value(fd->schema, v->u.items[i], sp->type, a, &fv[i], err)) != KC_OK) {
            return rc;
        }
    }
    smt_set_part(t, o, ns, st);
    *out = o;
    return KC_OK;
}

const struct smt_ops smt_cast_value_ops = {
    .class_name = TPKG "Cast$Value", .init = cast_init, .fini = cast_fini, .apply = cast_apply};
const struct smt_ops smt_cast_key_ops = {
    .class_name = TPKG "Cast$Key", .is_key = 1, .init = cast_init, .fini = cast_fini,
    .apply = cast_apply};
