/*
 * connectors/clickhouse/clickhouse_type.c: the type-string parser (recursive descent over the
 * server's canonical spelling) and the DESCRIBE TABLE answer parser. See clickhouse_type.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse_type.h"
#include "kc_alloc.h"
#include "kc_buf.h"

#define TYPE_MAX_DEPTH 64 /* nesting the parser follows before refusing (hostile input) */

struct tparser {
    const char *s;
    size_t len, pos;
    int depth;
    struct kc_error *err;
};

static const struct {
    const char *name;
    enum clickhouse_kind kind;
} simple_types[] = {
    {"Int8", CH_INT8},       {"Int16", CH_INT16},       {"Int32", CH_INT32},
    {"Int64", CH_INT64},     {"Int128", CH_INT128},     {"Int256", CH_INT256},
    {"UInt8", CH_UINT8},     {"UInt16", CH_UINT16},     {"UInt32", CH_UINT32},
    {"UInt64", CH_UINT64},   {"UInt128", CH_UINT128},   {"UInt256", CH_UINT256},
    {"Float32", CH_FLOAT32}, {"Float64", CH_FLOAT64},   {"Bool", CH_BOOL},
    {"String", CH_STRING},   {"UUID", CH_UUID},         {"Date", CH_DATE},
    {"Date32", CH_DATE32},   {"IPv4", CH_IPV4},         {"IPv6", CH_IPV6},
    {"Nothing", CH_NOTHING},
};

static int perr(struct tparser *p, const char *what)
{
    return kc_error_set(p->err, KC_EINVAL, "ClickHouse type '%.*s': %s at offset %zu",
                        (int)(p->len > 200 ? 200 : p->len), p->s, what, p->pos);
}

static void skip_ws(struct tparser *p)
{
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
                               p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
        p->pos++;
    }
}

static int eat(struct tparser *p, char c)
{
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == c) {
        p->pos++;
        return 1;
    }
    return 0;
}

static int peek(struct tparser *p)
{
    skip_ws(p);
    return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* An identifier ([A-Za-z_] then [A-Za-z0-9_.]), or a `backquoted` name. Sets *start and *n (the
 * backquoted form is returned with its quotes stripped; escapes inside are rare and kept). */
static int ident(struct tparser *p, const char **start, size_t *n)
{
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '`') {
        size_t b = ++p->pos;
        while (p->pos < p->len && p->s[p->pos] != '`') {
            p->pos++;
        }
        if (p->pos >= p->len) {
            return perr(p, "unterminated `name`");
        }
        *start = p->s + b;
        *n = p->pos - b;
        p->pos++;
        return KC_OK;
    }
    size_t b = p->pos;
    while (p->pos < p->len && (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_' ||
                               (p->pos > b && p->s[p->pos] == '.'))) {
        p->pos++;
    }
    if (p->pos == b) {
        return perr(p, "expected a name");
    }
    *start = p->s + b;
    *n = p->pos - b;
    return KC_OK;
}

static int number(struct tparser *p, long long lo, long long hi, long long *out)
{
    skip_ws(p);
    size_t b = p->pos;
    if (p->pos < p->len && (p->s[p->pos] == '-' || p->s[p->pos] == '+')) {
        p->pos++;
    }
    long long v = 0;
    size_t digits = 0;
    while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos])) {
        if (v > 1000000000000LL) {
            return perr(p, "number out of range");
        }
        v = v * 10 + (p->s[p->pos] - '0');
        p->pos++;
        digits++;
    }
    if (digits == 0) {
        p->pos = b;
        return perr(p, "expected a number");
    }
    if (p->s[b] == '-') {
        v = -v;
    }
    if (v < lo || v > hi) {
        p->pos = b;
        return perr(p, "number out of range");
    }
    *out = v;
    return KC_OK;
}

/* A 'quoted' string with backslash escapes and '' for a quote; owned copy in *out. */
static int quoted(struct tparser *p, char **out)
{
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '\'') {
        return perr(p, "expected a 'quoted' string");
    }
    p->pos++;
    struct kc_buf b;
    kc_buf_init(&b, p->len + 1);
    for (;;) {
        if (p->pos >= p->len) {
            kc_buf_fini(&b);
            return perr(p, "unterminated string");
        }
        char c = p->s[p->pos++];
        if (c == '\'') {
            if (p->pos < p->len && p->s[p->pos] == '\'') {
                c = '\'';
                p->pos++;
            } else {
                break;
            }
        } else if (c == '\\' && p->pos < p->len) {
            c = p->s[p->pos++];
            switch (c) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case '0': c = '\0'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            default: break; /* \\ \' and any other char stand for themselves */
            }
        }
        if (kc_buf_append(&b, &c, 1) != KC_OK) {
            return kc_error_set(p->err, KC_ENOMEM, "out of memory");
        }
    }
    if (b.data == NULL && kc_buf_append(&b, "", 0) != KC_OK) {
        return kc_error_set(p->err, KC_ENOMEM, "out of memory");
    }
    *out = b.data != NULL ? b.data : kc_strdup("");
    if (*out == NULL) {
        return kc_error_set(p->err, KC_ENOMEM, "out of memory");
    }
    return KC_OK;
}

static int push_arg(struct clickhouse_type *t, struct clickhouse_type *a, char *name,
                    struct kc_error *err)
{
    struct clickhouse_type **na = kc_realloc(t->args, (t->n_args + 1) * sizeof(*na));
    if (na == NULL) {
        goto oom;
    }
    t->args = na;
    char **nn = kc_realloc(t->names, (t->n_args + 1) * sizeof(*nn));
    if (nn == NULL) {
        goto oom;
    }
    t->names = nn;
    t->args[t->n_args] = a;
    t->names[t->n_args] = name;
    t->n_args++;
    return KC_OK;
oom:
    clickhouse_type_free(a);
    kc_free(name);
    return kc_error_set(err, KC_ENOMEM, "out of memory");
}

static int parse_type(struct tparser *p, struct clickhouse_type **out);

static struct clickhouse_type *node(enum clickhouse_kind k)
{
    struct clickhouse_type *t = kc_calloc(1, sizeof(*t));
    if (t != NULL) {
        t->kind = k;
    }
    return t;
}

/* Enum8('a' = 1, 'b' = -2): explicit values, as the server always prints them. */
static int parse_enum(struct tparser *p, struct clickhouse_type *t)
{
    long long lo = t->kind == CH_ENUM8 ? -128 : -32768, hi = t->kind == CH_ENUM8 ? 127 : 32767;
    do {
        char *name = NULL;
        long long v;
        int rc = quoted(p, &name);
        if (rc != KC_OK) {
            return rc;
        }
        if (!eat(p, '=') || (rc = number(p, lo, hi, &v)) != KC_OK) {
            kc_free(name);
            return rc != KC_OK ? rc : perr(p, "expected '=' after an Enum name");
        }
        char **nn = kc_realloc(t->enum_names, (t->n_enum + 1) * sizeof(*nn));
        if (nn == NULL) {
            kc_free(name);
            return kc_error_set(p->err, KC_ENOMEM, "out of memory");
        }
        t->enum_names = nn;
        int *nv = kc_realloc(t->enum_values, (t->n_enum + 1) * sizeof(*nv));
        if (nv == NULL) {
            kc_free(name);
            return kc_error_set(p->err, KC_ENOMEM, "out of memory");
        }
        t->enum_values = nv;
        t->enum_names[t->n_enum] = name;
        t->enum_values[t->n_enum] = (int)v;
        t->n_enum++;
    } while (eat(p, ','));
    return KC_OK;
}

/* Tuple/Nested elements: `T`, or `name T` (named tuple). A name is an identifier followed by
 * another identifier; a bare type name is followed by '(' ',' or ')'. */
static int parse_elements(struct tparser *p, struct clickhouse_type *t, int need_names)
{
    do {
        size_t save = p->pos;
        const char *id;
        size_t idn;
        char *name = NULL;
        int rc = ident(p, &id, &idn);
        if (rc != KC_OK) {
            return rc;
        }
        int c = peek(p);
        if (c != '(' && c != ',' && c != ')' && c != -1) {
            name = kc_strndup(id, idn);
            if (name == NULL) {
                return kc_error_set(p->err, KC_ENOMEM, "out of memory");
            }
        } else {
            if (need_names) {
                return perr(p, "Nested element without a name");
            }
            p->pos = save;
        }
        struct clickhouse_type *a = NULL;
        if ((rc = parse_type(p, &a)) != KC_OK) {
            kc_free(name);
            return rc;
        }
        if ((rc = push_arg(t, a, name, p->err)) != KC_OK) {
            return rc;
        }
    } while (eat(p, ','));
    return KC_OK;
}

static int parse_args(struct tparser *p, struct clickhouse_type *t, const char *id, size_t n)
{
    long long v, v2;
    int rc = KC_OK;
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(id, lit, n) == 0)
    if (IS("Nullable") || IS("LowCardinality") || IS("Array")) {
        t->kind = IS("Nullable") ? CH_NULLABLE : IS("Array") ? CH_ARRAY : CH_LOWCARDINALITY;
        struct clickhouse_type *a = NULL;
        if ((rc = parse_type(p, &a)) == KC_OK) {
            rc = push_arg(t, a, NULL, p->err);
        }
    } else if (IS("Map")) {
        t->kind = CH_MAP;
        for (int i = 0; i < 2 && rc == KC_OK; i++) {
            struct clickhouse_type *a = NULL;
            if (i == 1 && !eat(p, ',')) {
                return perr(p, "Map needs two types");
            }
            if ((rc = parse_type(p, &a)) == KC_OK) {
                rc = push_arg(t, a, NULL, p->err);
            }
        }
    } else if (IS("Tuple")) {
        t->kind = CH_TUPLE;
        rc = parse_elements(p, t, 0);
    } else if (IS("Nested")) {
        /* Nested(a T, b U) reads as Array(Tuple(a T, b U)). */
        struct clickhouse_type *tup = node(CH_TUPLE);
        if (tup == NULL) {
            return kc_error_set(p->err, KC_ENOMEM, "out of memory");
        }
        t->kind = CH_ARRAY;
        if ((rc = push_arg(t, tup, NULL, p->err)) == KC_OK) {
            rc = parse_elements(p, tup, 1);
        }
    } else if (IS("SimpleAggregateFunction")) {
        /* SimpleAggregateFunction(f, T): stored and inserted as T. */
        const char *fid;
        size_t fn;
        struct clickhouse_type *a = NULL;
        if ((rc = ident(p, &fid, &fn)) != KC_OK) {
            return rc;
        }
        if (!eat(p, ',')) {
            return perr(p, "SimpleAggregateFunction needs a function and a type");
        }
        if ((rc = parse_type(p, &a)) != KC_OK) {
            return rc;
        }
        /* Replace t by the inner type: copy it over and free the shell. */
        *t = *a;
        kc_free(a);
    } else if (IS("Decimal")) {
        t->kind = CH_DECIMAL;
        if ((rc = number(p, 1, 76, &v)) != KC_OK) {
            return rc;
        }
        v2 = 0;
        if (eat(p, ',') && (rc = number(p, 0, v, &v2)) != KC_OK) {
            return rc;
        }
        t->precision = (int)v;
        t->scale = (int)v2;
    } else if (IS("Decimal32") || IS("Decimal64") || IS("Decimal128") || IS("Decimal256")) {
        t->kind = CH_DECIMAL;
        t->precision = IS("Decimal32") ? 9 : IS("Decimal64") ? 18 : IS("Decimal128") ? 38 : 76;
        if ((rc = number(p, 0, t->precision, &v)) != KC_OK) {
            return rc;
        }
        t->scale = (int)v;
    } else if (IS("FixedString")) {
        t->kind = CH_FIXEDSTRING;
        if ((rc = number(p, 1, 0xFFFFFF, &v)) != KC_OK) {
            return rc;
        }
        t->fixed_len = (uint32_t)v;
    } else if (IS("DateTime")) {
        t->kind = CH_DATETIME;
        rc = quoted(p, &t->tz);
    } else if (IS("DateTime64")) {
        t->kind = CH_DATETIME64;
        if ((rc = number(p, 0, 9, &v)) != KC_OK) {
            return rc;
        }
        t->precision = (int)v;
        if (eat(p, ',')) {
            rc = quoted(p, &t->tz);
        }
    } else if (IS("Enum8") || IS("Enum16")) {
        t->kind = IS("Enum8") ? CH_ENUM8 : CH_ENUM16;
        rc = parse_enum(p, t);
    } else {
        return kc_error_set(p->err, KC_EINVAL, "ClickHouse type '%.*s': %.*s(...) is not supported",
                            (int)(p->len > 200 ? 200 : p->len), p->s, (int)n, id);
    }
#undef IS
    return rc;
}

static int parse_type(struct tparser *p, struct clickhouse_type **out)
{
    const char *id;
    size_t n;
    int rc;
    if (++p->depth > TYPE_MAX_DEPTH) {
        return perr(p, "nested too deeply");
    }
    if ((rc = ident(p, &id, &n)) != KC_OK) {
        return rc;
    }
    struct clickhouse_type *t = node(CH_STRING);
    if (t == NULL) {
        return kc_error_set(p->err, KC_ENOMEM, "out of memory");
    }
    if (eat(p, '(')) {
        rc = parse_args(p, t, id, n);
        if (rc == KC_OK && !eat(p, ')')) {
            rc = perr(p, "expected ')'");
        }
    } else {
        size_t i;
        for (i = 0; i < sizeof(simple_types) / sizeof(simple_types[0]); i++) {
            if (strlen(simple_types[i].name) == n && memcmp(simple_types[i].name, id, n) == 0) {
                t->kind = simple_types[i].kind;
                break;
            }
        }
        if (n == 8 && memcmp(id, "DateTime", 8) == 0) {
            t->kind = CH_DATETIME;
        } else if (n == 7 && memcmp(id, "Boolean", 7) == 0) {
            t->kind = CH_BOOL;
        } else if (i == sizeof(simple_types) / sizeof(simple_types[0])) {
            rc = kc_error_set(p->err, KC_EINVAL, "ClickHouse type '%.*s': %.*s is not supported",
                              (int)(p->len > 200 ? 200 : p->len), p->s, (int)n, id);
        }
    }
    p->depth--;
    if (rc != KC_OK) {
        clickhouse_type_free(t);
        return rc;
    }
    *out = t;
    return KC_OK;
}

int clickhouse_type_parse(const char *s, size_t len, struct clickhouse_type **out,
                          struct kc_error *err)
{
    struct tparser p = {.s = s, .len = len, .pos = 0, .depth = 0, .err = err};
    struct clickhouse_type *t = NULL;
    *out = NULL;
    int rc = parse_type(&p, &t);
    if (rc != KC_OK) {
        return rc;
    }
    skip_ws(&p);
    if (p.pos != p.len) {
        clickhouse_type_free(t);
        return perr(&p, "unexpected text after the type");
    }
    *out = t;
    return KC_OK;
}

void clickhouse_type_free(struct clickhouse_type *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_args; i++) {
        clickhouse_type_free(t->args[i]);
        kc_free(t->names[i]);
    }
    for (size_t i = 0; i < t->n_enum; i++) {
        kc_free(t->enum_names[i]);
    }
    kc_free(t->enum_names);
    kc_free(t->enum_values);
    kc_free(t->args);
    kc_free(t->names);
    kc_free(t->tz);
    kc_free(t);
}

int clickhouse_decimal_width(int precision)
{
    return precision <= 9 ? 4 : precision <= 18 ? 8 : precision <= 38 ? 16 : 32;
}

static const char *kind_name(enum clickhouse_kind k)
{
    for (size_t i = 0; i < sizeof(simple_types) / sizeof(simple_types[0]); i++) {
        if (simple_types[i].kind == k) {
            return simple_types[i].name;
        }
    }
    switch (k) {
    case CH_DATETIME: return "DateTime";
    case CH_DATETIME64: return "DateTime64";
    case CH_DECIMAL: return "Decimal";
    case CH_FIXEDSTRING: return "FixedString";
    case CH_ENUM8: return "Enum8";
    case CH_ENUM16: return "Enum16";
    case CH_NULLABLE: return "Nullable";
    case CH_LOWCARDINALITY: return "LowCardinality";
    case CH_ARRAY: return "Array";
    case CH_MAP: return "Map";
    case CH_TUPLE: return "Tuple";
    default: return "?";
    }
}

int clickhouse_type_format(const struct clickhouse_type *t, struct kc_buf *buf)
{
    int rc = kc_buf_append_str(buf, kind_name(t->kind));
    switch (t->kind) {
    case CH_DECIMAL:
        rc = rc ? rc : kc_buf_printf(buf, "(%d, %d)", t->precision, t->scale);
        break;
    case CH_FIXEDSTRING:
        rc = rc ? rc : kc_buf_printf(buf, "(%u)", t->fixed_len);
        break;
    case CH_DATETIME:
        if (t->tz != NULL) {
            rc = rc ? rc : kc_buf_printf(buf, "('%s')", t->tz);
        }
        break;
    case CH_DATETIME64:
        rc = rc ? rc : kc_buf_printf(buf, "(%d", t->precision);
        if (t->tz != NULL) {
            rc = rc ? rc : kc_buf_printf(buf, ", '%s'", t->tz);
        }
        rc = rc ? rc : kc_buf_append_byte(buf, ')');
        break;
    case CH_ENUM8:
    case CH_ENUM16:
        for (size_t i = 0; i < t->n_enum && rc == KC_OK; i++) {
            rc = kc_buf_printf(buf, "%s'%s' = %d", i ? ", " : "(", t->enum_names[i],
                               t->enum_values[i]);
        }
        rc = rc ? rc : kc_buf_append_byte(buf, ')');
        break;
    case CH_NULLABLE:
    case CH_LOWCARDINALITY:
    case CH_ARRAY:
    case CH_MAP:
    case CH_TUPLE:
        for (size_t i = 0; i < t->n_args && rc == KC_OK; i++) {
            rc = kc_buf_append_str(buf, i ? ", " : "(");
            if (rc == KC_OK && t->names[i] != NULL) {
                rc = kc_buf_printf(buf, "%s ", t->names[i]);
            }
            rc = rc ? rc : clickhouse_type_format(t->args[i], buf);
        }
        rc = rc ? rc : kc_buf_append_byte(buf, ')');
        break;
    default:
        break;
    }
    return rc;
}

/* ---- DESCRIBE TABLE ... FORMAT TabSeparated ---- */

/* Unescape one TabSeparated field [s, s+n) into an owned string. */
static char *tsv_unescape(const char *s, size_t n)
{
    char *o = kc_malloc(n + 1);
    if (o == NULL) {
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' && i + 1 < n) {
            c = s[++i];
            switch (c) {
            case 't': c = '\t'; break;
            case 'n': c = '\n'; break;
            case 'r': c = '\r'; break;
            case '0': c = '\0'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            default: break;
            }
        }
        o[j++] = c;
    }
    o[j] = '\0';
    return o;
}

static enum clickhouse_default default_kind(const char *s)
{
    if (strcmp(s, "DEFAULT") == 0) {
        return CH_DEFAULT_DEFAULT;
    }
    if (strcmp(s, "MATERIALIZED") == 0) {
        return CH_DEFAULT_MATERIALIZED;
    }
    if (strcmp(s, "ALIAS") == 0) {
        return CH_DEFAULT_ALIAS;
    }
    if (strcmp(s, "EPHEMERAL") == 0) {
        return CH_DEFAULT_EPHEMERAL;
    }
    return CH_DEFAULT_NONE;
}

int clickhouse_table_parse_describe(const char *body, size_t len, struct clickhouse_table *t,
                                    struct kc_error *err)
{
    int rc = KC_OK;
    memset(t, 0, sizeof(*t));
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && body[eol] != '\n') {
            eol++;
        }
        if (eol == pos) { /* blank line */
            pos = eol + 1;
            continue;
        }
        /* Split on tabs (escaped tabs are "\t", two bytes, so a raw tab always separates). */
        const char *f[4] = {NULL, NULL, NULL, NULL};
        size_t fl[4] = {0, 0, 0, 0};
        size_t nf = 0, b = pos;
        for (size_t i = pos; i <= eol; i++) {
            if (i == eol || body[i] == '\t') {
                if (nf < 4) {
                    f[nf] = body + b;
                    fl[nf] = i - b;
                }
                nf++;
                b = i + 1;
            }
        }
        if (nf < 2) {
            rc = kc_error_set(err, KC_EINVAL, "DESCRIBE TABLE answer: line '%.*s' has %zu field(s), "
                              "expected name and type at least", (int)(eol - pos > 200 ? 200 : eol - pos),
                              body + pos, nf);
            goto fail;
        }
        struct clickhouse_column *nc = kc_realloc(t->cols, (t->n_cols + 1) * sizeof(*nc));
        if (nc == NULL) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto fail;
        }
        t->cols = nc;
        struct clickhouse_column *c = &t->cols[t->n_cols];
        memset(c, 0, sizeof(*c));
        t->n_cols++;
        char *type_text = tsv_unescape(f[1], fl[1]);
        char *dk = nf > 2 ? tsv_unescape(f[2], fl[2]) : kc_strdup("");
        c->name = tsv_unescape(f[0], fl[0]);
        c->default_expr = nf > 3 ? tsv_unescape(f[3], fl[3]) : kc_strdup("");
        if (type_text == NULL || dk == NULL || c->name == NULL || c->default_expr == NULL) {
            kc_free(type_text);
            kc_free(dk);
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto fail;
        }
        c->def = default_kind(dk);
        kc_free(dk);
        rc = clickhouse_type_parse(type_text, strlen(type_text), &c->type, err);
        c->type_text = type_text; /* the server's own spelling, for Native block headers */
        if (rc != KC_OK) {
            if (err != NULL) {
                char msg[KC_ERROR_MSG_MAX];
                memcpy(msg, err->msg, sizeof(msg));
                kc_error_set(err, rc, "column '%s': %s", c->name, msg);
            }
            goto fail;
        }
        pos = eol + 1;
    }
    if (t->n_cols == 0) {
        return kc_error_set(err, KC_EINVAL, "DESCRIBE TABLE answer has no columns");
    }
    return KC_OK;
fail:
    clickhouse_table_fini(t);
    return rc;
}

void clickhouse_table_fini(struct clickhouse_table *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_cols; i++) {
        kc_free(t->cols[i].name);
        kc_free(t->cols[i].default_expr);
        kc_free(t->cols[i].type_text);
        clickhouse_type_free(t->cols[i].type);
    }
    kc_free(t->cols);
    t->cols = NULL;
    t->n_cols = 0;
}

int clickhouse_column_insertable(const struct clickhouse_column *c)
{
    return c->def == CH_DEFAULT_NONE || c->def == CH_DEFAULT_DEFAULT;
}

long clickhouse_table_find(const struct clickhouse_table *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_cols; i++) {
        if (strlen(t->cols[i].name) == len && memcmp(t->cols[i].name, name, len) == 0) {
            return (long)i;
        }
    }
    return -1;
}
