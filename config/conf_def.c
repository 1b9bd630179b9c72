/*
 * config/conf_def.c: parsing, validation and JSON rendering of config definitions.
 *
 * Everything here mirrors org.apache.kafka.common.config.ConfigDef (Kafka 4.1): parseType's
 * trimming and number syntax, the validators' exact messages, convertToString for the validate
 * endpoint and the ConfigKeyInfo/ConfigInfos JSON shapes of the Connect REST API. The invariant:
 * a message a user sees from us is the one the JVM worker would have shown for the same input.
 */
#include "conf_def.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_regex.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_text.h"

/* Longest message we build in a kc_error; values are cut to keep the text inside it. */
#define VALUE_SHOW_MAX 200

const struct conf_def *conf_def_find(const struct conf_def *table, const char *name)
{
    if (table == NULL || name == NULL) {
        return NULL;
    }
    for (const struct conf_def *d = table; d->name != NULL; d++) {
        if (strcmp(d->name, name) == 0) {
            return d;
        }
    }
    return NULL;
}

size_t conf_def_count(const struct conf_def *table)
{
    size_t n = 0;
    while (table != NULL && table[n].name != NULL) {
        n++;
    }
    return n;
}

int conf_def_required(const struct conf_def *d)
{
    return d->default_value == CONF_NO_DEFAULT && !d->default_is_null;
}

const char *conf_type_name(enum conf_type t)
{
    static const char *const names[] = {"BOOLEAN", "STRING", "INT",   "SHORT",   "LONG",
                                        "DOUBLE",  "LIST",   "CLASS", "PASSWORD"};
    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "STRING";
}

const char *conf_importance_name(enum conf_importance i)
{
    static const char *const names[] = {"HIGH", "MEDIUM", "LOW"};
    return (unsigned)i < 3 ? names[i] : "LOW";
}

const char *conf_width_name(enum conf_width w)
{
    static const char *const names[] = {"NONE", "SHORT", "MEDIUM", "LONG"};
    return (unsigned)w < 4 ? names[w] : "NONE";
}

int conf_error_invalid(struct kc_error *err, const char *name, const char *value,
                       const char *fmt, ...)
{
    char why[KC_ERROR_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return kc_error_set(err, KC_EINVAL, "Invalid value %.*s for configuration %s: %s",
                        VALUE_SHOW_MAX, value != NULL ? value : "null", name, why);
}

/* ---- parsing ---- */

/* Java's String.trim(): strips every char <= ' ' on both ends. Owned copy or NULL. */
static char *java_trim_dup(const char *s)
{
    size_t n = strlen(s);
    size_t b = 0;

    while (b < n && (unsigned char)s[b] <= ' ') {
        b++;
    }
    while (n > b && (unsigned char)s[n - 1] <= ' ') {
        n--;
    }
    return kc_strndup(s + b, n - b);
}

/* Java's regex \s: [ \t\n\x0B\f\r] */
static int is_java_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Double.parseDouble syntax, near enough: strtod over the whole string, an optional trailing
 * d/D/f/F type suffix, and Java's "NaN"/"Infinity" spellings only. */
static int parse_java_double(const char *s, double *out)
{
    const char *p = s;
    char *end = NULL;

    if (*p == '+' || *p == '-') {
        p++;
    }
    if (strcmp(p, "NaN") == 0) {
        *out = NAN;
        return 0;
    }
    if (strcmp(p, "Infinity") == 0) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    /* strtod also takes "inf"/"nan" in any case, which Java does not */
    if (strncasecmp(p, "inf", 3) == 0 || strncasecmp(p, "nan", 3) == 0 || *p == '\0') {
        return -1;
    }
    errno = 0;
    double v = strtod(s, &end);
    if (end == s) {
        return -1;
    }
    if (*end == 'd' || *end == 'D' || *end == 'f' || *end == 'F') {
        end++;
    }
    if (*end != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

/* A Java binary class name: identifiers (letters, digits, _ and $; non-ASCII allowed) joined
 * by dots. */
static int valid_class_name(const char *s)
{
    int at_start = 1;

    if (*s == '\0') {
        return 0;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '.') {
            if (at_start) {
                return 0;
            }
            at_start = 1;
            continue;
        }
        int letter = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                     *p == '$' || *p >= 0x80;
        int digit = *p >= '0' && *p <= '9';
        if (!letter && !(digit && !at_start)) {
            return 0;
        }
        at_start = 0;
    }
    return !at_start;
}

static void list_free(char **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(items[i]);
    }
    kc_free(items);
}

/* Split an already trimmed string on \s*,\s* keeping empty items (Java split with limit -1). */
static int split_list(const char *t, char ***items_out, size_t *n_out)
{
    char **items = NULL;
    size_t n = 0;
    size_t cap = 0;
    const char *p = t;

    *items_out = NULL;
    *n_out = 0;
    if (*t == '\0') {
        return KC_OK;
    }
    for (;;) {
        const char *comma = strchr(p, ',');
        const char *e = comma != NULL ? comma : p + strlen(p);
        const char *b = p;
        while (b < e && is_java_space(*b)) {
            b++;
        }
        while (e > b && is_java_space(e[-1])) {
            e--;
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            char **ni = kc_realloc(items, ncap * sizeof(*ni));
            if (ni == NULL) {
                list_free(items, n);
                return KC_ENOMEM;
            }
            items = ni;
            cap = ncap;
        }
        items[n] = kc_strndup(b, (size_t)(e - b));
        if (items[n] == NULL) {
            list_free(items, n);
            return KC_ENOMEM;
        }
        n++;
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    *items_out = items;
    *n_out = n;
    return KC_OK;
}

int conf_value_parse(const struct conf_def *d, const char *raw, struct conf_value *out,
                     struct kc_error *err)
{
    char *t = NULL;
    int rc = KC_OK;

    memset(out, 0, sizeof(*out));
    out->type = d->type;
    out->is_null = 1;
    if (raw == NULL) {
        return KC_OK;
    }
    t = java_trim_dup(raw);
    if (t == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory parsing %s", d->name);
    }
    switch (d->type) {
    case CONF_BOOLEAN:
        if (strcasecmp(t, "true") == 0 || strcasecmp(t, "false") == 0) {
            out->u.b = strcasecmp(t, "true") == 0;
            out->is_null = 0;
        } else {
            rc = conf_error_invalid(err, d->name, raw, "Expected value to be either true or false");
        }
        break;
    case CONF_STRING:
    case CONF_PASSWORD:
        out->u.s = t;
        t = NULL;
        out->is_null = 0;
        break;
    case CONF_INT:
    case CONF_SHORT:
    case CONF_LONG: {
        int64_t lo = d->type == CONF_INT ? INT32_MIN : d->type == CONF_SHORT ? INT16_MIN : INT64_MIN;
        int64_t hi = d->type == CONF_INT ? INT32_MAX : d->type == CONF_SHORT ? INT16_MAX : INT64_MAX;
        if (kc_parse_java_int(t, strlen(t), lo, hi, &out->u.i) == 0) {
            out->is_null = 0;
        } else {
            rc = conf_error_invalid(err, d->name, raw, "Not a number of type %s",
                                    conf_type_name(d->type));
        }
        break;
    }
    case CONF_DOUBLE:
        if (parse_java_double(t, &out->u.d) == 0) {
            out->is_null = 0;
        } else {
            rc = conf_error_invalid(err, d->name, raw, "Not a number of type DOUBLE");
        }
        break;
    case CONF_LIST:
        rc = split_list(t, &out->u.list.items, &out->u.list.n);
        if (rc == KC_OK) {
            out->is_null = 0;
        } else {
            kc_error_set(err, rc, "out of memory parsing %s", d->name);
        }
        break;
    case CONF_CLASS:
        if (valid_class_name(t)) {
            out->u.s = t;
            t = NULL;
            out->is_null = 0;
        } else {
            rc = conf_error_invalid(err, d->name, raw, "Class %.*s could not be found.",
                                    VALUE_SHOW_MAX, raw);
        }
        break;
    }
    kc_free(t);
    return rc;
}

void conf_value_fini(struct conf_value *v)
{
    if (v == NULL) {
        return;
    }
    if (!v->is_null) {
        switch (v->type) {
        case CONF_STRING:
        case CONF_PASSWORD:
        case CONF_CLASS:
            kc_free(v->u.s);
            break;
        case CONF_LIST:
            list_free(v->u.list.items, v->u.list.n);
            break;
        default:
            break;
        }
    }
    memset(v, 0, sizeof(*v));
    v->is_null = 1;
}

void conf_double_to_string(double d, char *buf, size_t len)
{
    char tmp[64];
    char digits[32];
    int nd = 0;
    int exp10 = 0;
    int neg = 0;

    if (isnan(d)) {
        snprintf(buf, len, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(buf, len, "%sInfinity", d < 0 ? "-" : "");
        return;
    }
    if (d == 0) {
        snprintf(buf, len, "%s0.0", signbit(d) ? "-" : "");
        return;
    }
    neg = d < 0;
    /* shortest digit string that reads back as the same double (what Java prints) */
    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof(tmp), "%.*e", p - 1, fabs(d));
        if (strtod(tmp, NULL) == fabs(d)) {
            break;
        }
    }
    for (const char *q = tmp; *q != '\0' && *q != 'e'; q++) {
        if (*q >= '0' && *q <= '9' && nd < (int)sizeof(digits) - 1) {
            digits[nd++] = *q;
        }
    }
    digits[nd] = '\0';
    exp10 = atoi(strchr(tmp, 'e') + 1);
    while (nd > 1 && digits[nd - 1] == '0') {
        digits[--nd] = '\0';
    }
    char out[64];
    size_t o = 0;
    if (neg) {
        out[o++] = '-';
    }
    if (fabs(d) >= 1e-3 && fabs(d) < 1e7) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++) {
                out[o++] = i < nd ? digits[i] : '0';
            }
            out[o++] = '.';
            if (nd > exp10 + 1) {
                for (int i = exp10 + 1; i < nd; i++) {
                    out[o++] = digits[i];
                }
            } else {
                out[o++] = '0';
            }
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++) {
                out[o++] = '0';
            }
            for (int i = 0; i < nd; i++) {
                out[o++] = digits[i];
            }
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        out[o++] = '.';
        out[o] = '\0';
        snprintf(out + o, sizeof(out) - o, "%s", nd > 1 ? digits + 1 : "0");
        o = strlen(out);
        snprintf(out + o, sizeof(out) - o, "E%d", exp10);
    }
    snprintf(buf, len, "%s", out);
}

static char *join_list(const struct conf_value *v, const char *sep, const char *open,
                       const char *close)
{
    struct kc_buf b;

    int rc;

    kc_buf_init(&b, (size_t)1 << 30);
    rc = kc_buf_append_str(&b, open);
    for (size_t i = 0; rc == KC_OK && i < v->u.list.n; i++) {
        if (i > 0) {
            rc = kc_buf_append_str(&b, sep);
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_str(&b, v->u.list.items[i]);
        }
    }
    if (rc != KC_OK || kc_buf_append_str(&b, close) != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

char *conf_value_to_string(const struct conf_value *v, int reveal)
{
    char num[64];

    if (v->is_null) {
        return NULL;
    }
    switch (v->type) {
    case CONF_BOOLEAN:
        return kc_strdup(v->u.b ? "true" : "false");
    case CONF_INT:
    case CONF_SHORT:
    case CONF_LONG:
        snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        return kc_strdup(num);
    case CONF_DOUBLE:
        conf_double_to_string(v->u.d, num, sizeof(num));
        return kc_strdup(num);
    case CONF_PASSWORD:
        return kc_strdup(reveal ? v->u.s : "[hidden]");
    case CONF_STRING:
    case CONF_CLASS:
        return kc_strdup(v->u.s);
    case CONF_LIST:
        return join_list(v, ",", "", "");
    }
    return NULL;
}

char *conf_value_to_log_string(const struct conf_value *v)
{
    if (v->is_null) {
        return kc_strdup("null");
    }
    switch (v->type) {
    case CONF_LIST:
        return join_list(v, ", ", "[", "]");
    case CONF_CLASS:
        return kc_asprintf("class %s", v->u.s);
    default:
        return conf_value_to_string(v, 0);
    }
}

/* ---- validate one key ---- */

int conf_def_validate_one(const struct conf_def *d, int raw_present, const char *raw,
                          struct conf_value *value, char ***errors, size_t *n_errors)
{
    struct kc_error e;
    char *str = NULL;
    int rc;

    kc_error_clear(&e);
    memset(value, 0, sizeof(*value));
    value->type = d->type;
    value->is_null = 1;
    if (raw_present) {
        rc = conf_value_parse(d, raw, value, &e);
        if (rc == KC_ENOMEM) {
            return KC_ENOMEM;
        }
        if (rc != KC_OK && kc_strv_push(errors, n_errors, e.msg) != KC_OK) {
            return KC_ENOMEM;
        }
    } else if (conf_def_required(d)) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "Missing required configuration \"%s\" which has no default value.",
                 d->name);
        if (kc_strv_push(errors, n_errors, msg) != KC_OK) {
            return KC_ENOMEM;
        }
    } else if (!d->default_is_null && d->default_value != NULL) {
        rc = conf_value_parse(d, d->default_value, value, &e);
        if (rc == KC_ENOMEM) {
            return KC_ENOMEM;
        }
    }
    if (d->validator == NULL) {
        return KC_OK;
    }
    if (!value->is_null) {
        str = conf_value_to_string(value, 1);
        if (str == NULL) {
            return KC_ENOMEM;
        }
    }
    kc_error_clear(&e);
    rc = conf_def_run_validator(d, d, str, &e);
    kc_free(str);
    if (rc == KC_ENOMEM) {
        return KC_ENOMEM;
    }
    if (rc != KC_OK && kc_strv_push(errors, n_errors, e.msg) != KC_OK) {
        return KC_ENOMEM;
    }
    return KC_OK;
}

int conf_def_run_validator(const struct conf_def *d, const struct conf_def *vd, const char *value,
                           struct kc_error *err)
{
    char shown[VALUE_SHOW_MAX + 1];
    size_t cut;
    int n;
    int rc = vd->validator(vd, value, err);

    if (rc != KC_EINVAL || d->type != CONF_PASSWORD || value == NULL || err == NULL) {
        return rc;
    }
    /* ConfigException prints the Password object, whose toString() is "[hidden]" */
    cut = strlen(value) < VALUE_SHOW_MAX ? strlen(value) : VALUE_SHOW_MAX;
    memcpy(shown, value, cut);
    shown[cut] = '\0';
    n = (int)strlen("Invalid value ");
    if (strncmp(err->msg, "Invalid value ", (size_t)n) == 0 &&
        strncmp(err->msg + n, shown, cut) == 0 &&
        strncmp(err->msg + n + cut, " for configuration ", 19) == 0) {
        char rest[KC_ERROR_MSG_MAX];
        size_t len = strlen(err->msg + n + cut);
        memcpy(rest, err->msg + n + cut, len + 1); /* err->msg is rewritten below */
        kc_error_set(err, KC_EINVAL, "Invalid value [hidden]%s", rest);
    }
    return rc;
}

/* ---- validators ---- */

int conf_validate_range(const struct conf_def *d, const char *value, struct kc_error *err)
{
    double v;

    if (value == NULL) {
        return conf_error_invalid(err, d->name, NULL, "Value must be non-null");
    }
    if (parse_java_double(value, &v) != 0) {
        return conf_error_invalid(err, d->name, value, "Not a number of type %s",
                                  conf_type_name(d->type));
    }
    if (d->min != INT64_MIN && v < (double)d->min) {
        return conf_error_invalid(err, d->name, value, "Value must be at least %lld",
                                  (long long)d->min);
    }
    if (d->max != INT64_MAX && v > (double)d->max) {
        return conf_error_invalid(err, d->name, value, "Value must be no more than %lld",
                                  (long long)d->max);
    }
    return KC_OK;
}

static void join_allowed(const struct conf_def *d, char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for (size_t i = 0; d->allowed != NULL && d->allowed[i] != NULL && off < len; i++) {
        int n = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "", d->allowed[i]);
        if (n < 0) {
            break;
        }
        off += (size_t)n;
    }
}

static int allowed_has(const struct conf_def *d, const char *value, int ci)
{
    for (size_t i = 0; d->allowed != NULL && d->allowed[i] != NULL; i++) {
        if ((ci ? strcasecmp(d->allowed[i], value) : strcmp(d->allowed[i], value)) == 0) {
            return 1;
        }
    }
    return 0;
}

int conf_validate_in(const struct conf_def *d, const char *value, struct kc_error *err)
{
    char list[256];

    if (value != NULL && allowed_has(d, value, 0)) {
        return KC_OK;
    }
    join_allowed(d, list, sizeof(list));
    return conf_error_invalid(err, d->name, value, "String must be one of: %s", list);
}

int conf_validate_in_ci(const struct conf_def *d, const char *value, struct kc_error *err)
{
    char list[256];

    if (value != NULL && allowed_has(d, value, 1)) {
        return KC_OK;
    }
    join_allowed(d, list, sizeof(list));
    return conf_error_invalid(err, d->name, value, "String must be one of (case insensitive): %s",
                              list);
}

int conf_validate_list_in(const struct conf_def *d, const char *value, struct kc_error *err)
{
    char **items = NULL;
    size_t n = 0;
    char list[256];
    int rc = KC_OK;

    if (value == NULL) {
        return KC_OK;
    }
    if (split_list(value, &items, &n) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory validating %s", d->name);
    }
    for (size_t i = 0; i < n; i++) {
        if (!allowed_has(d, items[i], 0)) {
            join_allowed(d, list, sizeof(list));
            rc = conf_error_invalid(err, d->name, items[i], "String must be one of: %s", list);
            break;
        }
    }
    list_free(items, n);
    return rc;
}

int conf_validate_non_empty(const struct conf_def *d, const char *value, struct kc_error *err)
{
    if (value != NULL && value[0] == '\0') {
        return conf_error_invalid(err, d->name, value, "String must be non-empty");
    }
    return KC_OK;
}

/* Decode one UTF-8 code point (invalid bytes decode as themselves). */
static uint32_t utf8_next(const unsigned char **pp)
{
    const unsigned char *p = *pp;
    uint32_t c = *p++;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;

    if (extra > 0) {
        uint32_t cp = c & (0x3Fu >> extra);
        int i;
        for (i = 0; i < extra && (p[i] & 0xC0) == 0x80; i++) {
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (i == extra) {
            c = cp;
            p += extra;
        }
    }
    *pp = p;
    return c;
}

int conf_validate_name(const struct conf_def *d, const char *value, struct kc_error *err)
{
    char list[256];
    size_t off = 0;
    int found = 0;

    if (value == NULL) {
        return KC_OK;
    }
    if (value[0] == '\0') {
        return conf_error_invalid(err, d->name, value, "String may not be empty");
    }
    list[0] = '\0';
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0';) {
        uint32_t c = utf8_next(&p);
        /* Character.isISOControl: U+0000..U+001F and U+007F..U+009F */
        if (c <= 0x1F || (c >= 0x7F && c <= 0x9F)) {
            if (off < sizeof(list)) {
                int n = snprintf(list + off, sizeof(list) - off, "%s%u", found ? ", " : "", c);
                off += n > 0 ? (size_t)n : 0;
            }
            found = 1;
        }
    }
    if (found) {
        return conf_error_invalid(err, d->name, value,
                                  "String may not contain control sequences but had the following "
                                  "ASCII chars: %s",
                                  list);
    }
    return KC_OK;
}

int conf_validate_non_null(const struct conf_def *d, const char *value, struct kc_error *err)
{
    if (value == NULL) {
        return conf_error_invalid(err, d->name, "null", "entry must be non null");
    }
    return KC_OK;
}

int conf_validate_regex(const struct conf_def *d, const char *value, struct kc_error *err)
{
    char why[KC_ERROR_MSG_MAX];

    if (value == NULL) {
        return KC_OK;
    }
    if (conf_regex_check(value, why, sizeof(why)) != KC_OK) {
        return conf_error_invalid(err, d->name, value, "Invalid regex: %s", why);
    }
    return KC_OK;
}

/* ---- ConfigInfos ---- */

static void info_value_fini(struct conf_info_value *iv)
{
    kc_free(iv->name);
    kc_free(iv->value);
    for (size_t i = 0; i < iv->n_errors; i++) {
        kc_free(iv->errors[i]);
    }
    kc_free(iv->errors);
    for (size_t i = 0; i < iv->n_recommended; i++) {
        kc_free(iv->recommended[i]);
    }
    kc_free(iv->recommended);
    kc_free(iv->group_override);
    kc_free(iv->name_override);
    if (iv->def_owned != NULL) {
        kc_free((char *)iv->def_owned->name);
        kc_free((char *)iv->def_owned->doc);
        kc_free((char *)iv->def_owned->group);
        kc_free((char *)iv->def_owned->display_name);
        kc_free((char *)iv->def_owned->default_value);
        kc_free(iv->def_owned);
    }
}

void conf_infos_free(struct conf_infos *ci)
{
    if (ci == NULL) {
        return;
    }
    kc_free(ci->name);
    for (size_t i = 0; i < ci->n_groups; i++) {
        kc_free(ci->groups[i]);
    }
    kc_free(ci->groups);
    for (size_t i = 0; i < ci->n_configs; i++) {
        info_value_fini(&ci->configs[i]);
    }
    kc_free(ci->configs);
    kc_free(ci);
}

struct conf_info_value *conf_infos_add(struct conf_infos *ci, const struct conf_def *def,
                                       const char *name, const char *value, int has_value)
{
    struct conf_info_value *nc;
    struct conf_info_value *iv;

    nc = kc_realloc(ci->configs, (ci->n_configs + 1) * sizeof(*nc));
    if (nc == NULL) {
        return NULL;
    }
    ci->configs = nc;
    iv = &nc[ci->n_configs];
    memset(iv, 0, sizeof(*iv));
    iv->def = def;
    iv->visible = 1;
    iv->order_override = -1;
    iv->has_value = has_value;
    iv->name = kc_strdup(name);
    if (iv->name == NULL || (value != NULL && (iv->value = kc_strdup(value)) == NULL)) {
        kc_free(iv->name);
        return NULL;
    }
    ci->n_configs++;
    return iv;
}

int conf_info_value_add_error(struct conf_info_value *iv, const char *msg)
{
    return kc_strv_push(&iv->errors, &iv->n_errors, msg);
}

int conf_infos_add_group(struct conf_infos *ci, const char *group)
{
    for (size_t i = 0; i < ci->n_groups; i++) {
        if (strcmp(ci->groups[i], group) == 0) {
            return KC_OK;
        }
    }
    return kc_strv_push(&ci->groups, &ci->n_groups, group);
}

/* ---- JSON ---- */

static json_t *str_or_null(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* Set a new reference, failing the whole object when the value could not be made. */
static int set_new(json_t *o, const char *k, json_t *v)
{
    return v != NULL && json_object_set_new(o, k, v) == 0 ? 0 : -1;
}

json_t *conf_def_to_json(const struct conf_def *d, const char *name_override,
                         const char *group_override, int order_override)
{
    json_t *o = json_object();
    json_t *deps = json_array();
    char *dflt = NULL;
    int bad = 0;

    if (o == NULL || deps == NULL) {
        json_decref(o);
        json_decref(deps);
        return NULL;
    }
    if (!conf_def_required(d) && !d->default_is_null && d->default_value != NULL) {
        /* ConfigDef.convertToString(parsed default): trims, joins lists with "," */
        struct conf_value v;
        if (conf_value_parse(d, d->default_value, &v, NULL) == KC_OK) {
            dflt = conf_value_to_string(&v, 0); /* a password default prints "[hidden]" */
            bad |= dflt == NULL;
        } else {
            dflt = kc_strdup(d->default_value);
        }
        conf_value_fini(&v);
    }
    for (size_t i = 0; d->dependents != NULL && d->dependents[i] != NULL; i++) {
        bad |= json_array_append_new(deps, json_string(d->dependents[i])) != 0;
    }
    bad |= set_new(o, "name", json_string(name_override != NULL ? name_override : d->name));
    bad |= set_new(o, "type", json_string(conf_type_name(d->type)));
    bad |= set_new(o, "required", json_boolean(conf_def_required(d)));
    bad |= set_new(o, "default_value", str_or_null(dflt));
    bad |= set_new(o, "importance", json_string(conf_importance_name(d->importance)));
    bad |= set_new(o, "documentation", str_or_null(d->doc));
    bad |= set_new(o, "group", str_or_null(group_override != NULL ? group_override : d->group));
    bad |= set_new(o, "width", json_string(conf_width_name(d->width)));
    bad |= set_new(o, "display_name",
                   json_string(d->display_name != NULL ? d->display_name : d->name));
    bad |= set_new(o, "dependents", deps);
    bad |= set_new(o, "order",
                   json_integer(order_override >= 0 ? order_override : d->order_in_group));
    kc_free(dflt);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *strings_to_json(char *const *a, size_t n)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, json_string(a[i])) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *conf_infos_to_json(const struct conf_infos *ci)
{
    json_t *o = json_object();
    json_t *configs = json_array();
    int bad = o == NULL || configs == NULL;

    for (size_t i = 0; !bad && i < ci->n_configs; i++) {
        const struct conf_info_value *iv = &ci->configs[i];
        json_t *entry = json_object();
        json_t *def = NULL;
        json_t *val = NULL;

        if (entry == NULL) {
            bad = 1;
            break;
        }
        if (iv->def != NULL) {
            def = conf_def_to_json(iv->def, iv->name_override != NULL ? iv->name_override : iv->name,
                                   iv->group_override, iv->order_override);
            bad |= def == NULL;
        } else {
            def = json_null();
        }
        if (iv->has_value) {
            val = json_object();
            if (val != NULL) {
                bad |= set_new(val, "name", json_string(iv->name));
                bad |= set_new(val, "value", str_or_null(iv->value));
                bad |= set_new(val, "recommended_values",
                               strings_to_json(iv->recommended, iv->n_recommended));
                bad |= set_new(val, "errors", strings_to_json(iv->errors, iv->n_errors));
                bad |= set_new(val, "visible", json_boolean(iv->visible));
            }
        } else {
            val = json_null();
        }
        bad |= set_new(entry, "definition", def);
        bad |= set_new(entry, "value", val);
        bad |= json_array_append_new(configs, entry) != 0;
    }
    if (!bad) {
        bad |= set_new(o, "name", json_string(ci->name != NULL ? ci->name : ""));
        bad |= set_new(o, "error_count", json_integer(ci->error_count));
        bad |= set_new(o, "groups", strings_to_json(ci->groups, ci->n_groups));
        bad |= set_new(o, "configs", configs);
        configs = NULL;
    }
    if (bad) {
        json_decref(o);
        json_decref(configs);
        return NULL;
    }
    return o;
}
