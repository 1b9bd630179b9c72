/*
 * connectors/parquet/parquet_json.c: JSON records into Parquet rows: schemas from Connect JSON
 * schemas, schema inference over samples, and the checked shredder (mapping in
 * parquet_json.h).
 *
 * The shredder walks the schema tree and the JSON value together, computing definition and
 * repetition levels the Dremel way: an optional node that is present adds one definition level;
 * the i-th item of a repeated node starts at repetition level 0 (i == 0, inherited) or at the
 * node's own repetition level; a null or missing node writes one null entry, at the level
 * reached, into every leaf below it. Each record is walked twice, first without writing, so
 * that a record failing anywhere leaves no partial row in the columns.
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_text.h"
#include "parquet_int.h"
#include "parquet_json.h"

typedef __int128 i128; /* gcc and clang on every target we build for */

/* ------------------------------------------------------------------------------------------ */
/* Text helpers: ISO-8601, decimals, base64, UUIDs */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    /* Howard Hinnant's algorithm: proleptic Gregorian, any year. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int read_digits(const char *s, size_t n, size_t *pos, int count, int *out)
{
    int v = 0;
    for (int i = 0; i < count; i++) {
        if (*pos >= n || !isdigit((unsigned char)s[*pos])) {
            return -1;
        }
        v = v * 10 + (s[(*pos)++] - '0');
    }
    *out = v;
    return 0;
}

static int parse_date(const char *s, size_t n, size_t *pos, int64_t *days)
{
    int y, m, d;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (read_digits(s, n, pos, 4, &y) || *pos >= n || s[(*pos)++] != '-' ||
        read_digits(s, n, pos, 2, &m) || *pos >= n || s[(*pos)++] != '-' ||
        read_digits(s, n, pos, 2, &d)) {
        return -1;
    }
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1]) {
        return -1;
    }
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        return -1;
    }
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

/* HH:MM[:SS[.fraction]] -> nanoseconds since midnight; *frac_digits (OUT) = digits given. */
static int parse_clock(const char *s, size_t n, size_t *pos, int64_t *nanos, int *frac_digits)
{
    int h, mi, sec = 0;
    int64_t frac = 0;
    int nd = 0;
    if (read_digits(s, n, pos, 2, &h) || *pos >= n || s[(*pos)++] != ':' ||
        read_digits(s, n, pos, 2, &mi)) {
        return -1;
    }
    if (*pos < n && s[*pos] == ':') {
        (*pos)++;
        if (read_digits(s, n, pos, 2, &sec)) {
            return -1;
        }
        if (*pos < n && (s[*pos] == '.' || s[*pos] == ',')) {
            (*pos)++;
            while (*pos < n && isdigit((unsigned char)s[*pos])) {
                if (nd < 9) {
                    frac = frac * 10 + (s[*pos] - '0');
                } else if (s[*pos] != '0') {
                    nd = 10; /* more precision than nanoseconds */
                }
                nd += nd < 9;
                (*pos)++;
            }
            if (nd == 0) {
                return -1;
            }
        }
    }
    if (h > 23 || mi > 59 || sec > 59) {
        return -1;
    }
    for (int i = nd < 9 ? nd : 9; i < 9; i++) {
        frac *= 10;
    }
    *nanos = ((int64_t)h * 3600 + mi * 60 + sec) * 1000000000 + frac;
    *frac_digits = nd;
    return 0;
}

/* Result classes of parse_temporal, also used by inference. */
enum temporal {
    TEMPORAL_NONE = 0,
    TEMPORAL_DATE,   /* a date alone */
    TEMPORAL_NAIVE,  /* date-time without zone */
    TEMPORAL_ZONED,  /* date-time with Z or an offset */
};

/* Parse a date or date-time. secs and nanos (OUT): seconds since the epoch (UTC when zoned) and
 * the sub-second nanoseconds; *frac_digits (OUT): fraction digits (10: beyond nanoseconds). */
static enum temporal parse_temporal(const char *s, size_t n, int64_t *secs, int64_t *nanos,
                                    int *frac_digits)
{
    size_t pos = 0;
    int64_t days, clock = 0;
    int nd = 0;
    if (parse_date(s, n, &pos, &days)) {
        return TEMPORAL_NONE;
    }
    *secs = days * 86400;
    *nanos = 0;
    *frac_digits = 0;
    if (pos == n) {
        return TEMPORAL_DATE;
    }
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') {
        return TEMPORAL_NONE;
    }
    pos++;
    if (parse_clock(s, n, &pos, &clock, &nd)) {
        return TEMPORAL_NONE;
    }
    *secs += clock / 1000000000;
    *nanos = clock % 1000000000;
    *frac_digits = nd;
    if (pos == n) {
        return TEMPORAL_NAIVE;
    }
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == n) {
        return TEMPORAL_ZONED;
    }
    if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos++] == '-' ? -1 : 1;
        int oh, om = 0;
        if (read_digits(s, n, &pos, 2, &oh)) {
            return TEMPORAL_NONE;
        }
        if (pos < n && s[pos] == ':') {
            pos++;
        }
        if (pos < n && read_digits(s, n, &pos, 2, &om)) {
            return TEMPORAL_NONE;
        }
        if (pos != n || oh > 23 || om > 59) {
            return TEMPORAL_NONE;
        }
        *secs -= sign * ((int64_t)oh * 3600 + om * 60);
        return TEMPORAL_ZONED;
    }
    return TEMPORAL_NONE;
}

static const int64_t unit_per_sec[] = {1000, 1000000, 1000000000};

/* seconds + nanoseconds -> count of unit; -1 when the value does not fit or needs more
 * precision than the unit keeps. */
static int to_unit(int64_t secs, int64_t nanos, int frac_digits, enum parquet_time_unit unit,
                   int64_t *out)
{
    int64_t per = unit_per_sec[unit];
    int64_t div = 1000000000 / per;
    int64_t r;
    if (frac_digits > 9 || nanos % div != 0) {
        return -1;
    }
    if (__builtin_mul_overflow(secs, per, &r) || __builtin_add_overflow(r, nanos / div, &r)) {
        return -1;
    }
    *out = r;
    return 0;
}

static const i128 I128_1E38 = (i128)10000000000000000000ull * (i128)10000000000000000000ull;

/* Decimal text ("-12.340", "1e3") -> unscaled integer at `scale`; -1 if malformed, if
 * digits would be lost, or past 38 digits. */
static int decimal_parse(const char *s, size_t n, int scale, i128 *out)
{
    size_t pos = 0;
    int neg = 0;
    i128 mant = 0;
    int digits = 0;
    int frac = 0;
    long exp = 0;
    int any = 0;
    if (pos < n && (s[pos] == '-' || s[pos] == '+')) {
        neg = s[pos++] == '-';
    }
    for (int in_frac = 0; pos < n; pos++) {
        char ch = s[pos];
        if (ch == '.' && !in_frac) {
            in_frac = 1;
            continue;
        }
        if (!isdigit((unsigned char)ch)) {
            break;
        }
        any = 1;
        if (mant != 0 || ch != '0') {
            if (++digits > 38) {
                return -1;
            }
        }
        mant = mant * 10 + (ch - '0');
        frac += in_frac;
    }
    if (!any) {
        return -1;
    }
    if (pos < n && (s[pos] == 'e' || s[pos] == 'E')) {
        int eneg = 0;
        int edigits = 0;
        pos++;
        if (pos < n && (s[pos] == '-' || s[pos] == '+')) {
            eneg = s[pos++] == '-';
        }
        while (pos < n && isdigit((unsigned char)s[pos])) {
            if (exp < 100000) {
                exp = exp * 10 + (s[pos] - '0');
            }
            pos++;
            edigits++;
        }
        if (edigits == 0) {
            return -1;
        }
        if (eneg) {
            exp = -exp;
        }
    }
    if (pos != n) {
        return -1;
    }
    long shift = (long)scale - (long)frac + exp;
    while (shift > 0) {
        if (mant != 0 && ++digits > 38) {
            return -1;
        }
        mant *= 10;
        shift--;
    }
    while (shift < 0) {
        if (mant % 10 != 0) {
            return -1; /* more fraction digits than the scale keeps */
        }
        mant /= 10;
        shift++;
    }
    *out = neg ? -mant : mant;
    return 0;
}

static int parse_uuid(const char *s, size_t n, uint8_t out[16])
{
    int k = 0;
    if (n != 36) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') {
                return -1;
            }
            continue;
        }
        int c = (unsigned char)s[i];
        int v = isdigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                                      : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0) {
            return -1;
        }
        if (k % 2 == 0) {
            out[k / 2] = (uint8_t)(v << 4);
        } else {
            out[k / 2] |= (uint8_t)v;
        }
        k++;
    }
    return 0;
}

static const char *json_kind(const struct parquet_jv *v)
{
    switch (v->type) {
    case PARQUET_JV_OBJECT:
        return "object";
    case PARQUET_JV_ARRAY:
        return "array";
    case PARQUET_JV_STRING:
        return "string";
    case PARQUET_JV_INT:
        return "integer";
    case PARQUET_JV_REAL:
        return "real";
    case PARQUET_JV_TRUE:
    case PARQUET_JV_FALSE:
        return "boolean";
    case PARQUET_JV_NULL:
        return "null";
    }
    return "?";
}

/* ------------------------------------------------------------------------------------------ */
/* Shredding */


#define STAGE_STACK 128

struct shred {
    struct parquet_writer *w;
    const struct parquet_schema *s;
    unsigned flags;
    int dry; /* checking (and staging): the keys of objects are checked here */
    struct kc_error *err;
    struct kc_buf tmp; /* base64 output, JSON text */
    struct stage *st;  /* stack[] or owned heap */
    size_t nst;
    size_t cap;
    struct kc_buf bytes; /* staged copies of tmp */
    struct stage stack[STAGE_STACK];
};

struct leafval {
    union {
        uint8_t b;
        int32_t i32;
        int64_t i64;
        float f;
        double d;
        uint8_t fixed[32];
    } u;
    const void *p;
    size_t len;
};

/* "a.b[].c" for node id, for messages. */
static void node_path(const struct parquet_schema *s, int id, char *buf, size_t size)
{
    int chain[PARQUET_THRIFT_MAX_DEPTH * 8];
    int n = 0;
    size_t at = 0;
    buf[0] = '\0';
    for (; id > 0 && n < (int)(sizeof(chain) / sizeof(chain[0])); id = s->nodes[id].parent) {
        chain[n++] = id;
    }
    while (n-- > 0) {
        const struct parquet_node *nd = &s->nodes[chain[n]];
        const struct parquet_node *p = &s->nodes[nd->parent];
        const char *seg = nd->name;
        const char *sep = at > 0 ? "." : "";
        if (p->lt.kind == PARQUET_LOGICAL_LIST || p->lt.kind == PARQUET_LOGICAL_MAP) {
            seg = p->lt.kind == PARQUET_LOGICAL_LIST ? "[]" : "{}";
            sep = "";
        } else if (s->nodes[p->parent >= 0 ? p->parent : 0].lt.kind == PARQUET_LOGICAL_LIST &&
                   p->rep == PARQUET_REPEATED) {
            continue; /* "element" */
        }
        int w = snprintf(buf + at, size - at, "%s%s", sep, seg);
        if (w < 0 || (size_t)w >= size - at) {
            return;
        }
        at += (size_t)w;
    }
}

static int fail(struct shred *sh, int id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct shred *sh, int id, const char *fmt, ...)
{
    char path[256];
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    node_path(sh->s, id, path, sizeof(path));
    if (path[0] == '\0') {
        return kc_error_set(sh->err, KC_EINVAL, "%s", msg);
    }
    return kc_error_set(sh->err, KC_EINVAL, "field '%s': %s", path, msg);
}

static int want(struct shred *sh, int id, const char *what, const struct parquet_jv *v)
{
    return fail(sh, id, "expected %s, got %s", what, json_kind(v));
}

/* A JSON number as an exact integer (integral reals accepted). */
static int json_exact_int(const struct parquet_jv *v, int64_t *out)
{
    if ((v->type == PARQUET_JV_INT)) {
        *out = v->u.i;
        return 0;
    }
    if ((v->type == PARQUET_JV_REAL)) {
        double d = v->u.d;
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0 && d == floor(d)) {
            *out = (int64_t)d;
            return 0;
        }
    }
    return -1;
}

static int special_float(const char *s, double *out)
{
    if (strcmp(s, "NaN") == 0 || strcmp(s, "nan") == 0) {
        *out = NAN;
    } else if (strcmp(s, "Infinity") == 0 || strcmp(s, "inf") == 0 || strcmp(s, "+Infinity") == 0) {
        *out = INFINITY;
    } else if (strcmp(s, "-Infinity") == 0 || strcmp(s, "-inf") == 0) {
        *out = -INFINITY;
    } else {
        return -1;
    }
    return 0;
}

static int decimal_value(struct shred *sh, int id, const struct parquet_jv *v, i128 *out)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    int scale = nd->lt.scale;
    i128 limit = 1;
    for (int i = 0; i < nd->lt.precision && i < 38; i++) {
        limit *= 10;
    }
    if (nd->lt.precision >= 38) {
        limit = I128_1E38;
    }
    if ((v->type == PARQUET_JV_INT)) {
        char text[32];
        snprintf(text, sizeof(text), "%lld", (long long)v->u.i);
        if (decimal_parse(text, strlen(text), scale, out)) {
            return fail(sh, id, "%s does not fit DECIMAL(%d,%d)", text, nd->lt.precision, scale);
        }
    } else if ((v->type == PARQUET_JV_REAL)) {
        char text[400];
        double d = v->u.d;
        if (!isfinite(d) || fabs(d) > 1e38) {
            return fail(sh, id, "number out of range for DECIMAL(%d,%d)", nd->lt.precision,
                        scale);
        }
        snprintf(text, sizeof(text), "%.*f", scale, d); /* rounds the binary double at scale */
        if (decimal_parse(text, strlen(text), scale, out)) {
            return fail(sh, id, "%s does not fit DECIMAL(%d,%d)", text, nd->lt.precision, scale);
        }
    } else if ((v->type == PARQUET_JV_STRING) && (nd->jflags & PARQUET_JF_BASE64)) {
        const uint8_t *b;
        int r = kc_b64_decode(v->u.s, (size_t)v->n, 1, &sh->tmp);
        if (r == -2) {
            return kc_error_set(sh->err, KC_ENOMEM, "parquet: out of memory");
        }
        if (r != 0 || sh->tmp.len == 0 || sh->tmp.len > 16) {
            return fail(sh, id, "expected base64 of 1..16 bytes (Connect Decimal)");
        }
        b = (const uint8_t *)sh->tmp.data;
        i128 x = (int8_t)b[0];
        for (size_t i = 1; i < sh->tmp.len; i++) {
            x = x * 256 + b[i];
        }
        *out = x;
    } else if ((v->type == PARQUET_JV_STRING)) {
        if (decimal_parse(v->u.s, (size_t)v->n, scale, out)) {
            return fail(sh, id, "'%.40s' is not a decimal that fits DECIMAL(%d,%d) exactly",
                        v->u.s, nd->lt.precision, scale);
        }
    } else {
        return want(sh, id, "a decimal number or string", v);
    }
    if (*out >= limit || *out <= -limit) {
        return fail(sh, id, "value has more than %d digits (DECIMAL(%d,%d))", nd->lt.precision,
                    nd->lt.precision, scale);
    }
    return KC_OK;
}

static int int_range(struct shred *sh, int id, int64_t x, int64_t lo, int64_t hi)
{
    if (x < lo || x > hi) {
        return fail(sh, id, "%lld out of range [%lld, %lld]", (long long)x, (long long)lo,
                    (long long)hi);
    }
    return KC_OK;
}

/* A JSON string or integer as a temporal value in the column's unit. */
static int temporal_value(struct shred *sh, int id, const struct parquet_jv *v, int64_t *out)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    enum parquet_logical_kind k = nd->lt.kind;
    int64_t secs, nanos;
    int nd_digits;
    enum temporal t;

    if (json_exact_int(v, out) == 0) {
        return KC_OK;
    }
    if (!(v->type == PARQUET_JV_STRING)) {
        return want(sh, id, k == PARQUET_LOGICAL_DATE ? "days or a date string"
                                                       : "a number or an ISO-8601 string",
                    v);
    }
    const char *str = v->u.s;
    size_t n = (size_t)v->n;
    if (k == PARQUET_LOGICAL_TIME) {
        size_t pos = 0;
        if (parse_clock(str, n, &pos, &nanos, &nd_digits) || pos != n ||
            to_unit(0, nanos, nd_digits, nd->lt.unit, out)) {
            return fail(sh, id, "'%.40s' is not a time of day in this column's unit", str);
        }
        return KC_OK;
    }
    t = parse_temporal(str, n, &secs, &nanos, &nd_digits);
    if (k == PARQUET_LOGICAL_DATE) {
        if (t != TEMPORAL_DATE) {
            return fail(sh, id, "'%.40s' is not a YYYY-MM-DD date", str);
        }
        *out = secs / 86400;
        return KC_OK;
    }
    if (t == TEMPORAL_NONE || to_unit(secs, nanos, nd_digits, nd->lt.unit, out)) {
        return fail(sh, id, "'%.40s' is not an ISO-8601 timestamp that fits this column's unit",
                    str);
    }
    return KC_OK;
}

static int json_text(struct shred *sh, const struct parquet_jv *v)
{
    kc_buf_reset(&sh->tmp);
    if (parquet_jv_dump(v, &sh->tmp) != KC_OK) {
        return kc_error_set(sh->err, KC_ENOMEM, "parquet: out of memory");
    }
    return KC_OK;
}

static int leaf_value(struct shred *sh, int id, const struct parquet_jv *v, struct leafval *lv)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    const struct parquet_logical *lt = &nd->lt;
    int64_t x = 0;
    int rc;

    switch (nd->type) {
    case PARQUET_BOOLEAN:
        if (!(v->type == PARQUET_JV_TRUE || v->type == PARQUET_JV_FALSE)) {
            return want(sh, id, "boolean", v);
        }
        lv->u.b = (v->type == PARQUET_JV_TRUE);
        lv->p = &lv->u.b;
        lv->len = 1;
        return KC_OK;
    case PARQUET_INT32:
    case PARQUET_INT64:
        if (lt->kind == PARQUET_LOGICAL_DECIMAL) {
            i128 d;
            rc = decimal_value(sh, id, v, &d);
            if (rc != KC_OK) {
                return rc;
            }
            x = (int64_t)d;
        } else if (lt->kind == PARQUET_LOGICAL_DATE || lt->kind == PARQUET_LOGICAL_TIME ||
                   lt->kind == PARQUET_LOGICAL_TIMESTAMP) {
            rc = temporal_value(sh, id, v, &x);
            if (rc != KC_OK) {
                return rc;
            }
            if (lt->kind == PARQUET_LOGICAL_TIME) {
                int64_t day = 86400 * unit_per_sec[lt->unit];
                rc = int_range(sh, id, x, 0, day - 1);
            } else if (nd->type == PARQUET_INT32) {
                rc = int_range(sh, id, x, INT32_MIN, INT32_MAX);
            }
            if (rc != KC_OK) {
                return rc;
            }
        } else {
            if (json_exact_int(v, &x)) {
                return want(sh, id, nd->type == PARQUET_INT32 ? "int32" : "int64", v);
            }
            if (lt->kind == PARQUET_LOGICAL_INT) {
                int bw = lt->bit_width;
                if (lt->is_signed && bw < 64) {
                    rc = int_range(sh, id, x, -(INT64_C(1) << (bw - 1)),
                                   (INT64_C(1) << (bw - 1)) - 1);
                } else if (!lt->is_signed) {
                    rc = int_range(sh, id, x, 0, bw < 64 ? (INT64_C(1) << bw) - 1 : INT64_MAX);
                } else {
                    rc = KC_OK;
                }
            } else if (nd->type == PARQUET_INT32) {
                rc = int_range(sh, id, x, INT32_MIN, INT32_MAX);
            } else {
                rc = KC_OK;
            }
            if (rc != KC_OK) {
                return rc;
            }
        }
        if (nd->type == PARQUET_INT32) {
            lv->u.i32 = (int32_t)(uint32_t)x; /* UINT32 keeps its bit pattern */
            lv->p = &lv->u.i32;
            lv->len = 4;
        } else {
            lv->u.i64 = x;
            lv->p = &lv->u.i64;
            lv->len = 8;
        }
        return KC_OK;
    case PARQUET_FLOAT:
    case PARQUET_DOUBLE: {
        double d;
        if ((v->type == PARQUET_JV_INT)) {
            int64_t i = v->u.i;
            d = (double)i;
            if (d >= 9223372036854775808.0 || (int64_t)d != i) {
                return fail(sh, id, "integer %lld has no exact floating-point value",
                            (long long)i);
            }
        } else if ((v->type == PARQUET_JV_REAL)) {
            d = v->u.d;
        } else if ((v->type == PARQUET_JV_STRING) && special_float(v->u.s, &d) == 0) {
            /* NaN and infinities have no JSON literal */
        } else {
            return want(sh, id, "number", v);
        }
        if (nd->type == PARQUET_FLOAT) {
            float f = (float)d;
            if (isfinite(d) && !isfinite(f)) {
                return fail(sh, id, "%g overflows a 32-bit float", d);
            }
            lv->u.f = f;
            lv->p = &lv->u.f;
            lv->len = 4;
        } else {
            lv->u.d = d;
            lv->p = &lv->u.d;
            lv->len = 8;
        }
        return KC_OK;
    }
    case PARQUET_INT96:
        return fail(sh, id, "INT96 columns cannot be fed from JSON");
    case PARQUET_BYTE_ARRAY:
        if (lt->kind == PARQUET_LOGICAL_JSON && (!(v->type == PARQUET_JV_STRING) || (nd->jflags &
                                                                         PARQUET_JF_JSON_ALL))) {
            rc = json_text(sh, v);
            if (rc != KC_OK) {
                return rc;
            }
            lv->p = sh->tmp.data;
            lv->len = sh->tmp.len;
            return KC_OK;
        }
        if (!(v->type == PARQUET_JV_STRING)) {
            return want(sh, id, "string", v);
        }
        if (nd->jflags & PARQUET_JF_BASE64) {
            int r = kc_b64_decode(v->u.s, (size_t)v->n, 1, &sh->tmp);
            if (r == -2) {
                return kc_error_set(sh->err, KC_ENOMEM, "parquet: out of memory");
            }
            if (r != 0) {
                return fail(sh, id, "expected base64 (Connect bytes)");
            }
            if ((lt->kind == PARQUET_LOGICAL_STRING || lt->kind == PARQUET_LOGICAL_JSON ||
                 lt->kind == PARQUET_LOGICAL_ENUM) &&
                !kc_utf8_valid(sh->tmp.data, sh->tmp.len)) {
                /* checked here, not by the writer once half the row is written */
                return fail(sh, id, "text is not valid UTF-8");
            }
            lv->p = sh->tmp.data;
            lv->len = sh->tmp.len;
            return KC_OK;
        }
        lv->p = v->u.s;
        lv->len = (size_t)v->n;
        return KC_OK;
    case PARQUET_FIXED_LEN_BYTE_ARRAY:
        lv->len = (size_t)nd->type_length;
        if (lt->kind == PARQUET_LOGICAL_UUID) {
            if (!(v->type == PARQUET_JV_STRING) ||
                parse_uuid(v->u.s, (size_t)v->n, lv->u.fixed)) {
                return fail(sh, id, "expected a UUID string, got %s", json_kind(v));
            }
            lv->p = lv->u.fixed;
            return KC_OK;
        }
        if (lt->kind == PARQUET_LOGICAL_DECIMAL) {
            i128 d;
            rc = decimal_value(sh, id, v, &d);
            if (rc != KC_OK) {
                return rc;
            }
            if (lv->len > sizeof(lv->u.fixed)) {
                return fail(sh, id, "decimal width %zu not supported from JSON", lv->len);
            }
            for (size_t i = 0; i < lv->len; i++) {
                /* Big-endian two's complement, sign-extended past 16 bytes. */
                size_t shift = 8 * (lv->len - 1 - i);
                lv->u.fixed[i] = shift >= 128 ? (uint8_t)(d < 0 ? 0xFF : 0)
                                              : (uint8_t)(d >> shift);
            }
            lv->p = lv->u.fixed;
            return KC_OK;
        }
        if (!(v->type == PARQUET_JV_STRING)) {
            return want(sh, id, "base64 string", v);
        }
        {
            int r = kc_b64_decode(v->u.s, (size_t)v->n, 1, &sh->tmp);
            if (r == -2) {
                return kc_error_set(sh->err, KC_ENOMEM, "parquet: out of memory");
            }
            if (r != 0 || sh->tmp.len != lv->len) {
                return fail(sh, id, "expected base64 of exactly %zu bytes", lv->len);
            }
        }
        lv->p = sh->tmp.data;
        return KC_OK;
    }
    return fail(sh, id, "unsupported column type");
}

/* The stage array is full: to the heap, twice the size. */
static int stage_grow(struct shred *sh)
{
    {
        size_t ncap = sh->cap * 2;
        struct stage *n;
        if (sh->st == sh->stack) {
            n = kc_malloc(ncap * sizeof(*n));
            if (n != NULL) {
                memcpy(n, sh->stack, sizeof(sh->stack));
            }
        } else {
            n = kc_realloc(sh->st, ncap * sizeof(*n));
        }
        if (n == NULL) {
            return kc_error_set(sh->err, KC_ENOMEM, "parquet: out of memory");
        }
        sh->st = n;
        sh->cap = ncap;
    }
    return KC_OK;
}

static inline __attribute__((always_inline)) struct stage *stage_new(struct shred *sh, int id,
                                                                     int rep, int def)
{
    if (__builtin_expect(sh->nst == sh->cap, 0) && stage_grow(sh) != KC_OK) {
        return NULL;
    }
    struct stage *e = &sh->st[sh->nst++];
    e->leaf = sh->s->nodes[id].leaf;
    e->rep = rep;
    e->def = def;
    e->at = STAGE_NONE;
    e->len = 0;
    e->p = NULL;
    return e;
}

/* A value the record itself holds (a map key, a jv string) or a null (p NULL). */
static int put(struct shred *sh, int id, int rep, int def, const void *p, size_t len)
{
    struct stage *e = stage_new(sh, id, rep, def);
    if (e == NULL) {
        return KC_ENOMEM;
    }
    e->at = p != NULL ? STAGE_PTR : STAGE_NONE;
    e->p = p;
    e->len = len;
    return KC_OK;
}

/* A leaf value from leaf_value(): copied when it lives in lv or in the reused tmp buffer. */
static int put_leaf(struct shred *sh, int id, int rep, int def, const struct leafval *lv)
{
    struct stage *e = stage_new(sh, id, rep, def);
    if (e == NULL) {
        return KC_ENOMEM;
    }
    e->len = lv->len;
    const char *p = lv->p;
    uintptr_t at = (uintptr_t)lv->p, u = (uintptr_t)&lv->u;
    if (at >= u && at < u + sizeof(lv->u)) {
        e->at = STAGE_INLINE;
        memcpy(e->inl, p, lv->len); /* fixed widths: at most 32 bytes */
    } else if (sh->tmp.data != NULL && p == sh->tmp.data) {
        e->at = STAGE_BYTES;
        e->off = sh->bytes.len;
        if (kc_buf_append(&sh->bytes, p, lv->len) != KC_OK) {
            return kc_error_set(sh->err, KC_ENOMEM, "parquet: out of memory");
        }
    } else {
        e->at = STAGE_PTR;
        e->p = p;
    }
    return KC_OK;
}

static int emit_nulls(struct shred *sh, int id, int rep, int def)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    if (nd->is_leaf) {
        return put(sh, id, rep, def, NULL, 0);
    }
    for (int c = 0; c < nd->nchildren; c++) {
        int rc = emit_nulls(sh, nd->children[c], rep, def);
        if (rc != KC_OK) {
            return rc;
        }
    }
    return KC_OK;
}

static int shred_node(struct shred *sh, int id, const struct parquet_jv *v, int rep, int def);
static int shred_fields(struct shred *sh, int id, const struct parquet_jv *v, int rep, int def);

/* The fields of struct node id (or the root) from object v. */
static int shred_fields(struct shred *sh, int id, const struct parquet_jv *v, int rep, int def)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    uint32_t hint = 0;
    size_t matched = 0;
    int rc;
    for (int c = 0; c < nd->nchildren; c++) {
        const struct parquet_node *kid = &sh->s->nodes[nd->children[c]];
        const struct parquet_jv *x = parquet_jv_get(v, kid->name, kid->name_len, &hint);
        matched += x != NULL;
        rc = shred_node(sh, nd->children[c], x, rep, def);
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (matched < (size_t)v->n && sh->dry) {
        /* Keys the schema lacks, or a key given twice. */
        for (uint32_t i = 0; i < v->n; i++) {
            const struct parquet_jv_member *m = &v->u.members[i];
            int found = 0;
            for (int c = 0; c < nd->nchildren && !found; c++) {
                const struct parquet_node *kid = &sh->s->nodes[nd->children[c]];
                found = kid->name_len == m->key_len && memcmp(kid->name, m->key, m->key_len) == 0;
            }
            if (!found && !(sh->flags & PARQUET_JSON_IGNORE_UNKNOWN)) {
                return fail(sh, id, "unknown field '%.100s' (not in the schema)", m->key);
            }
            for (uint32_t j = 0; found && j < i; j++) {
                if (v->u.members[j].key_len == m->key_len &&
                    memcmp(v->u.members[j].key, m->key, m->key_len) == 0) {
                    return fail(sh, id, "duplicate key '%.100s'", m->key);
                }
            }
        }
    }
    return KC_OK;
}

/* One present (non-null) value of node id; def already counts the node itself. */
static int shred_present(struct shred *sh, int id, const struct parquet_jv *v, int rep, int def)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    const struct parquet_node *parent = nd->parent >= 0 ? &sh->s->nodes[nd->parent] : NULL;
    int rc;

    if (nd->is_leaf) {
        struct leafval lv;
        rc = leaf_value(sh, id, v, &lv);
        if (rc != KC_OK) {
            return rc;
        }
        return put_leaf(sh, id, rep, def, &lv);
    }
    if (nd->lt.kind == PARQUET_LOGICAL_LIST) {
        if (!(v->type == PARQUET_JV_ARRAY)) {
            return want(sh, id, "array", v);
        }
        return shred_node(sh, nd->children[0], v, rep, def);
    }
    if (parent != NULL && parent->lt.kind == PARQUET_LOGICAL_LIST) {
        /* The repeated middle level of a LIST: the item is its single child's value. */
        return shred_node(sh, nd->children[0], v, rep, def);
    }
    if (nd->lt.kind == PARQUET_LOGICAL_MAP) {
        const struct parquet_node *kv = &sh->s->nodes[nd->children[0]];
        int key = kv->children[0];
        int val = kv->nchildren > 1 ? kv->children[1] : -1;
        int item_def = def + 1;
        size_t i = 0;
        if ((v->type == PARQUET_JV_OBJECT)) {
            const struct parquet_node *kn = &sh->s->nodes[key];
            if (kn->type != PARQUET_BYTE_ARRAY || (kn->jflags & PARQUET_JF_BASE64) ||
                kn->lt.kind == PARQUET_LOGICAL_JSON) {
                return fail(sh, id, "map keys are not strings: give an array of [key, value]");
            }
            if ((size_t)v->n == 0) {
                return emit_nulls(sh, nd->children[0], rep, def);
            }
            for (i = 0; i < v->n; i++) {
                const struct parquet_jv_member *m = &v->u.members[i];
                int r = i == 0 ? rep : kv->max_rep;
                rc = put(sh, key, r, item_def, m->key, m->key_len);
                if (rc == KC_OK && val >= 0) {
                    rc = shred_node(sh, val, &m->v, r, item_def);
                }
                if (rc != KC_OK) {
                    return rc;
                }
            }
            return KC_OK;
        }
        if (!(v->type == PARQUET_JV_ARRAY)) {
            return want(sh, id, "object or array of [key, value] pairs", v);
        }
        if ((size_t)v->n == 0) {
            return emit_nulls(sh, nd->children[0], rep, def);
        }
        for (i = 0; i < (size_t)v->n; i++) {
            const struct parquet_jv *pair = (&v->u.items[i]);
            int r = i == 0 ? rep : kv->max_rep;
            if (!(pair->type == PARQUET_JV_ARRAY) || (size_t)pair->n != 2) {
                return fail(sh, id, "map entries must be [key, value] arrays");
            }
            rc = shred_node(sh, key, (&pair->u.items[0]), r, item_def);
            if (rc == KC_OK && val >= 0) {
                rc = shred_node(sh, val, (&pair->u.items[1]), r, item_def);
            }
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    }
    /* A struct. */
    if (!(v->type == PARQUET_JV_OBJECT)) {
        return want(sh, id, "object", v);
    }
    return shred_fields(sh, id, v, rep, def);
}

/* Node id with value v (NULL when the key is missing) at levels rep/def of its parent. */
static int shred_node(struct shred *sh, int id, const struct parquet_jv *v, int rep, int def)
{
    const struct parquet_node *nd = &sh->s->nodes[id];
    if (nd->rep == PARQUET_REPEATED) {
        size_t n;
        if (v == NULL || (v->type == PARQUET_JV_NULL)) {
            return emit_nulls(sh, id, rep, def);
        }
        if (!(v->type == PARQUET_JV_ARRAY)) {
            return want(sh, id, "array", v);
        }
        n = (size_t)v->n;
        if (n == 0) {
            return emit_nulls(sh, id, rep, def);
        }
        for (size_t i = 0; i < n; i++) {
            const struct parquet_jv *item = (&v->u.items[i]);
            int r = i == 0 ? rep : nd->max_rep;
            int rc;
            if ((item->type == PARQUET_JV_NULL) && nd->is_leaf) {
                return fail(sh, id, "null inside a repeated field");
            }
            if ((item->type == PARQUET_JV_NULL) && nd->nchildren == 1 &&
                nd->parent >= 0 && sh->s->nodes[nd->parent].lt.kind == PARQUET_LOGICAL_LIST) {
                /* A null list item: allowed when the element is optional. */
                if (sh->s->nodes[nd->children[0]].rep == PARQUET_REQUIRED) {
                    return fail(sh, nd->children[0], "null item in a list of required elements");
                }
                rc = shred_node(sh, nd->children[0], NULL, r, def + 1);
            } else if ((item->type == PARQUET_JV_NULL)) {
                return fail(sh, id, "null inside a repeated field");
            } else {
                rc = shred_present(sh, id, item, r, def + 1);
            }
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    }
    if (v == NULL || (v->type == PARQUET_JV_NULL)) {
        if (nd->rep == PARQUET_REQUIRED) {
            return fail(sh, id, v == NULL ? "required field is missing" : "required field is null");
        }
        return emit_nulls(sh, id, rep, def);
    }
    return shred_present(sh, id, v, rep, def + (nd->rep == PARQUET_OPTIONAL));
}

static void shred_init(struct shred *sh, struct parquet_writer *w, unsigned flags,
                       struct kc_error *err)
{
    sh->w = w;
    sh->s = w != NULL ? parquet_writer_schema(w) : NULL;
    sh->flags = flags;
    sh->err = err;
    sh->dry = 1;
    sh->st = sh->stack;
    sh->nst = 0;
    sh->cap = STAGE_STACK;
    kc_buf_init(&sh->tmp, PARQUET_BUF_LIMIT);
    kc_buf_init(&sh->bytes, PARQUET_BUF_LIMIT);
}

static void shred_fini(struct shred *sh)
{
    if (sh->st != sh->stack) {
        kc_free(sh->st);
    }
    kc_buf_fini(&sh->bytes);
    kc_buf_fini(&sh->tmp);
}

/* The staged entries of a record that fits, to the writer, and the row ended. utf8_known:
 * the texts the record holds came from the strict scanner (a json_t may hold any bytes:
 * checked); bytes made here (base64, JSON text) are checked by the writer either way. */
static int stage_commit(struct shred *sh, int utf8_known)
{
    if (utf8_known) {
        /* the direct path's row: written in one call, checked before anything is written */
        int r = parquet_writer_write_direct_row(sh->w, sh->st, sh->nst, sh->bytes.data, sh->err);
        if (r != PARQUET_DIRECT_DECLINED) {
            return r;
        }
    }
    int rc = KC_OK;
    for (size_t i = 0; rc == KC_OK && i < sh->nst; i++) {
        const struct stage *e = &sh->st[i];
        const void *p = e->at == STAGE_INLINE ? (const void *)e->inl
                        : e->at == STAGE_BYTES ? (const void *)(sh->bytes.data + e->off)
                                               : e->p;
        if (utf8_known && e->at == STAGE_PTR) {
            rc = parquet_writer_write_utf8(sh->w, e->leaf, e->rep, e->def, p, e->len, sh->err);
        } else {
            rc = parquet_writer_write(sh->w, e->leaf, e->rep, e->def, p, e->len, sh->err);
        }
    }
    if (rc == KC_OK) {
        rc = parquet_writer_end_row(sh->w, sh->err);
    }
    return rc;
}

int parquet_json_write_jv(struct parquet_writer *w, const struct parquet_jv *record, unsigned flags,
                       struct kc_error *err)
{
    struct shred sh;
    int rc;

    shred_init(&sh, w, flags, err);
    if (record == NULL || record->type != PARQUET_JV_OBJECT) {
        rc = kc_error_set(err, KC_EINVAL, "record is %s, not an object",
                          record != NULL ? json_kind(record) : "missing");
        goto out;
    }
    /* Walk (and check) the record once, staging its entries; then write them all. */
    rc = shred_fields(&sh, PARQUET_SCHEMA_ROOT, record, 0, 0);
    if (rc == KC_OK) {
        rc = stage_commit(&sh, 0);
    }
out:
    shred_fini(&sh);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Straight from the text */

/*
 * The direct path takes records whose every member is a scalar or an object of them, for a
 * schema without repeated nodes (so every leaf gets one entry per row): it scans the text once
 * and stages each leaf from its token, as parquet_json_write_jv stages it from the tree (the
 * same leaf_value, put_leaf and emit_nulls), without building the tree. Anything else it
 * declines before writing a thing, and the caller takes the tree path, which also gives a bad
 * record its message: so the direct path needs no message of its own, and a record it
 * declines costs one extra scan.
 */

/* The first 16 bytes of p[0..n) zero-padded, as two words in memory order; end bounds what
 * may be read (whole words when 16 bytes are there, masked to n). */
static inline void key_words(const char *p, size_t n, const char *end, uint64_t *w0,
                             uint64_t *w1)
{
    size_t m = n < 16 ? n : 16;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - p >= 16) {
        uint64_t a, b;
        memcpy(&a, p, 8);
        memcpy(&b, p + 8, 8);
        *w0 = m >= 8 ? a : a & ((UINT64_C(1) << (8 * m)) - 1);
        *w1 = m >= 16 ? b : m <= 8 ? 0 : b & ((UINT64_C(1) << (8 * (m - 8))) - 1);
        return;
    }
#endif
    char buf[16] = {0};
    memcpy(buf, p, m);
    memcpy(w0, buf, 8);
    memcpy(w1, buf + 8, 8);
}

/* Eight bytes of s as one word in memory order, as key_words() makes them. */
static inline uint64_t word8(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

int parquet_direct_init(struct parquet_direct *d, const struct parquet_schema *s,
                        int (*keep)(void *arg, const char *name, size_t len), void *keep_arg)
{
    memset(d, 0, sizeof(*d));
    for (int i = 0; i < s->n; i++) {
        if (s->nodes[i].rep == PARQUET_REPEATED) {
            return KC_OK; /* LIST, MAP or a repeated field: not taken */
        }
    }
    d->seen = kc_calloc((size_t)s->n, sizeof(*d->seen));
    d->keys = kc_calloc((size_t)s->n, sizeof(*d->keys));
    d->kid_at = kc_calloc((size_t)s->n, sizeof(*d->kid_at));
    d->fast = kc_calloc((size_t)s->n, sizeof(*d->fast));
    if (d->seen == NULL || d->keys == NULL || d->kid_at == NULL || d->fast == NULL) {
        parquet_direct_fini(d);
        return KC_ENOMEM;
    }
    int at = 0;
    for (int i = 0; i < s->n; i++) {
        const struct parquet_node *nd = &s->nodes[i];
        d->kid_at[i] = at;
        for (int k = 0; k < nd->nchildren && at < s->n; k++, at++) {
            const struct parquet_node *kid = &s->nodes[nd->children[k]];
            struct parquet_direct_key *e = &d->keys[at];
            key_words(kid->name, kid->name_len, kid->name + kid->name_len, &e->w0, &e->w1);
            e->len = kid->name_len;
            e->name = kid->name;
            e->envelope = i == PARQUET_SCHEMA_ROOT &&
                          ((kid->name_len == 6 && memcmp(kid->name, "schema", 6) == 0) ||
                           (kid->name_len == 7 && memcmp(kid->name, "payload", 7) == 0));
            e->keep = i != PARQUET_SCHEMA_ROOT || keep == NULL ||
                      keep(keep_arg, kid->name, kid->name_len);
            e->plain = kc_jscan_plain_key(kid->name, kid->name_len);
        }
        if (!nd->is_leaf) {
            continue;
        }
        int none = nd->lt.kind == PARQUET_LOGICAL_NONE;
        switch (nd->type) {
        case PARQUET_BYTE_ARRAY:
            /* leaf_value's plain text: not base64, not JSON text of any value */
            if (!(nd->jflags & PARQUET_JF_BASE64) &&
                !(nd->lt.kind == PARQUET_LOGICAL_JSON && (nd->jflags & PARQUET_JF_JSON_ALL))) {
                d->fast[i] = PARQUET_FAST_TEXT;
            }
            break;
        case PARQUET_INT64:
            d->fast[i] = none ? PARQUET_FAST_I64 : PARQUET_FAST_NONE;
            break;
        case PARQUET_INT32:
            d->fast[i] = none ? PARQUET_FAST_I32 : PARQUET_FAST_NONE;
            break;
        case PARQUET_DOUBLE:
            d->fast[i] = PARQUET_FAST_F64;
            break;
        case PARQUET_BOOLEAN:
            d->fast[i] = PARQUET_FAST_BOOL;
            break;
        default:
            break;
        }
    }
    d->nseen = s->n;
    d->ok = 1;
    return KC_OK;
}

void parquet_direct_fini(struct parquet_direct *d)
{
    kc_free(d->seen);
    kc_free(d->keys);
    kc_free(d->kid_at);
    kc_free(d->fast);
    memset(d, 0, sizeof(*d));
}

/* A record staged for a writer, not written yet (parquet_json_stage_text): one per thread. */
struct parquet_direct_stage {
    struct shred sh;   /* sh.w: the writer it was staged for */
    int pending;
    struct kc_buf text; /* its decoded strings */
    struct parquet_direct_member *m; /* owned: its members, as read (capture) */
    size_t n;
    size_t cap;
};

struct direct {
    struct shred *sh;
    struct parquet_direct *d;
    struct parquet_direct_stage *capture; /* members recorded here, or NULL */
    struct kc_jscan *js;
    struct kc_buf *text; /* decoded strings, reserved up front: staged pointers stay valid */
    size_t values;
    int envelope_keys; /* "schema" and "payload" seen at the root */
};

/* A scalar token as the tree would hold it (strings decoded into dx->text); 1 for a
 * container (declined by the caller). */
static int direct_scalar(struct direct *dx, const struct kc_jscan_tok *t, struct parquet_jv *v)
{
    memset(v, 0, sizeof(*v));
    if (t->kind == KC_JSCAN_STRING) {
        char *dst = dx->text->data + dx->text->len;
        size_t n = kc_jscan_str_decode(&t->u.s, dst);
        dx->text->len += n + 1;
        v->type = PARQUET_JV_STRING;
        v->n = (uint32_t)n;
        v->u.s = dst;
        return 0;
    }
    return !parquet_jv_scalar(t, v);
}

/* The plain leaves staged straight from their token, as leaf_value and put_leaf would stage
 * them (an unescaped string's bytes are the text the decoder would copy; an integer, a real or
 * a boolean the same bytes inline). 1 when staged (*rc says how that went), 0 to take the
 * general way. */
static inline int direct_fast(struct shred *sh, int fast, int id, int rep, int def,
                              const struct kc_jscan_tok *t, int *rc)
{
    const void *src = NULL;
    size_t len = 0;
    /* an inline value's bytes, whole words so that the copy below has a constant size */
    union {
        uint8_t b[8];
        int64_t i64;
        double d;
        int32_t i32;
    } inl = {.i64 = 0};
    enum stage_at at = STAGE_INLINE;
    switch (fast) {
    case PARQUET_FAST_TEXT:
        if (t->kind != KC_JSCAN_STRING || t->u.s.escaped) {
            return 0;
        }
        src = t->u.s.raw;
        len = t->u.s.raw_len;
        at = STAGE_PTR;
        break;
    case PARQUET_FAST_I64:
        if (t->kind != KC_JSCAN_NUMBER || t->u.n.is_float || t->u.n.big) {
            return 0;
        }
        inl.i64 = t->u.n.i;
        len = 8;
        break;
    case PARQUET_FAST_I32:
        if (t->kind != KC_JSCAN_NUMBER || t->u.n.is_float || t->u.n.big ||
            t->u.n.i < INT32_MIN || t->u.n.i > INT32_MAX) {
            return 0;
        }
        inl.i32 = (int32_t)t->u.n.i;
        len = 4;
        break;
    case PARQUET_FAST_F64:
        if (t->kind != KC_JSCAN_NUMBER || !t->u.n.is_float) {
            return 0;
        }
        inl.d = t->u.n.d;
        len = 8;
        break;
    case PARQUET_FAST_BOOL:
        if (t->kind != KC_JSCAN_TRUE && t->kind != KC_JSCAN_FALSE) {
            return 0;
        }
        inl.b[0] = t->kind == KC_JSCAN_TRUE;
        len = 1;
        break;
    default:
        return 0;
    }
    struct stage *e = stage_new(sh, id, rep, def);
    if (e == NULL) {
        *rc = KC_ENOMEM;
        return 1;
    }
    e->at = at;
    e->len = len;
    if (at == STAGE_PTR) {
        e->p = src;
    } else {
        memcpy(e->inl, inl.b, sizeof(inl)); /* len bytes of it are the value's */
    }
    *rc = KC_OK;
    return 1;
}

/* Member `key` of the member at index parent (-1: the root), with value v (an object's members
 * are not in v: they are captured after it); its index in *at. */
static int capture(struct direct *dx, int parent, const struct kc_jscan_str *key,
                   const struct parquet_jv *v, size_t *at)
{
    struct parquet_direct_stage *ds = dx->capture;
    if (ds->n == ds->cap) {
        size_t ncap = ds->cap ? ds->cap * 2 : 16;
        struct parquet_direct_member *m = kc_realloc(ds->m, ncap * sizeof(*m));
        if (m == NULL) {
            return kc_error_set(dx->sh->err, KC_ENOMEM, "parquet: out of memory");
        }
        ds->m = m;
        ds->cap = ncap;
    }
    struct parquet_direct_member *e = &ds->m[ds->n];
    e->parent = parent;
    e->key = key->raw;
    e->key_len = key->raw_len;
    parquet_jv_doc_field(v, &e->f);
    e->f.node = NULL; /* v is the caller's, gone after the call */
    *at = ds->n++;
    return KC_OK;
}

/* direct_fields' cap_at for an object whose members are not kept */
#define CAP_NONE (-2)

/* The members of the object the scanner has entered, for struct node id (or the root) at
 * levels rep/def; cap_at: that object's index among the captured members (-1: the root;
 * CAP_NONE: not kept). KC_OK, PARQUET_DIRECT_DECLINED, or KC_ENOMEM. */
static int direct_fields(struct direct *dx, int id, int rep, int def, int cap_at)
{
    struct shred *sh = dx->sh;
    const struct parquet_node *nd = &sh->s->nodes[id];
    const uint32_t stamp = dx->d->stamp;
    int hint = 0;
    int rc;
    for (;;) {
        struct kc_jscan_str key;
        struct kc_jscan_tok t;
        const struct parquet_direct_key *keys = dx->d->keys + dx->d->kid_at[id];
        int c = -1;
        int r = 0;
        if (hint < nd->nchildren && keys[hint].plain) {
            /* the field after the last one, as the records of one producer mostly come */
            const struct parquet_direct_key *e = &keys[hint];
            r = kc_jscan_member_if(dx->js, e->name, e->len, e->w0, e->w1, &key, &t);
            c = r > 0 ? hint : -1;
        }
        if (r == 0 && (r = kc_jscan_member(dx->js, &key, &t)) == 0) {
            break;
        }
        if (r < 0 || key.escaped || ++dx->values > PARQUET_JV_MAX_VALUES) {
            return PARQUET_DIRECT_DECLINED;
        }
        uint64_t w0 = 0, w1 = 0;
        if (c < 0) {
            key_words(key.raw, key.raw_len, (const char *)dx->js->end, &w0, &w1);
        }
        for (int k = 0; c < 0 && k < nd->nchildren; k++) {
            int at = hint + k < nd->nchildren ? hint + k : hint + k - nd->nchildren;
            const struct parquet_direct_key *e = &keys[at];
            if (e->len == key.raw_len && e->w0 == w0 && e->w1 == w1 &&
                (e->len <= 16 || memcmp(e->name + 16, key.raw + 16, e->len - 16) == 0)) {
                c = at;
                break;
            }
        }
        if (c < 0) {
            /* Unknown: skipped when asked to (a scalar is consumed already), else bad. */
            if (!(sh->flags & PARQUET_JSON_IGNORE_UNKNOWN) || t.kind == KC_JSCAN_OBJECT ||
                t.kind == KC_JSCAN_ARRAY) {
                return PARQUET_DIRECT_DECLINED;
            }
            if (id == PARQUET_SCHEMA_ROOT && key.raw_len <= 8 && w1 == 0 &&
                ((key.raw_len == 6 && w0 == word8("schema\0")) ||
                 (key.raw_len == 7 && w0 == word8("payload")))) {
                dx->envelope_keys++;
            }
            continue;
        }
        dx->envelope_keys += keys[c].envelope; /* only root fields have it */
        hint = c + 1 < nd->nchildren ? c + 1 : 0;
        int kid_id = nd->children[c];
        const struct parquet_node *kid = &sh->s->nodes[kid_id];
        if (dx->d->seen[kid_id] == stamp) {
            return PARQUET_DIRECT_DECLINED; /* a key given twice */
        }
        dx->d->seen[kid_id] = stamp;
        int kdef = def + (kid->rep == PARQUET_OPTIONAL);
        size_t at = 0;
        /* kept for the caller: under a kept object, and a root field the options keep */
        int cap = dx->capture != NULL && cap_at != CAP_NONE && keys[c].keep;
        if (t.kind == KC_JSCAN_NULL) {
            if (kid->rep == PARQUET_REQUIRED) {
                return PARQUET_DIRECT_DECLINED;
            }
            rc = emit_nulls(sh, kid_id, rep, def);
            if (rc == KC_OK && cap) {
                const struct parquet_jv null = {.type = PARQUET_JV_NULL};
                rc = capture(dx, cap_at, &key, &null, &at);
            }
        } else if (!kid->is_leaf) {
            if (t.kind != KC_JSCAN_OBJECT) {
                return PARQUET_DIRECT_DECLINED;
            }
            const struct parquet_jv obj = {.type = PARQUET_JV_OBJECT};
            rc = cap ? capture(dx, cap_at, &key, &obj, &at) : KC_OK;
            if (rc == KC_OK) {
                rc = direct_fields(dx, kid_id, rep, kdef, cap ? (int)at : CAP_NONE);
            }
        } else if ((!cap || dx->d->fast[kid_id] != PARQUET_FAST_TEXT) &&
                   direct_fast(sh, dx->d->fast[kid_id], kid_id, rep, kdef, &t, &rc)) {
            /* staged from the token itself (a kept string needs its decoded, NUL-ended copy:
             * those take the general way) */
            if (rc == KC_OK && cap) {
                struct parquet_jv v;
                memset(&v, 0, sizeof(v));
                parquet_jv_scalar(&t, &v);
                rc = capture(dx, cap_at, &key, &v, &at);
            }
        } else {
            struct parquet_jv v;
            struct leafval lv;
            if (direct_scalar(dx, &t, &v) != 0) {
                return PARQUET_DIRECT_DECLINED; /* a container for a leaf */
            }
            rc = leaf_value(sh, kid_id, &v, &lv);
            if (rc == KC_EINVAL) {
                return PARQUET_DIRECT_DECLINED;
            }
            if (rc == KC_OK) {
                rc = put_leaf(sh, kid_id, rep, kdef, &lv);
            }
            if (rc == KC_OK && cap) {
                rc = capture(dx, cap_at, &key, &v, &at);
            }
        }
        if (rc != KC_OK) {
            return rc;
        }
    }
    for (int k = 0; k < nd->nchildren; k++) {
        int kid_id = nd->children[k];
        if (dx->d->seen[kid_id] != stamp) {
            if (sh->s->nodes[kid_id].rep == PARQUET_REQUIRED) {
                return PARQUET_DIRECT_DECLINED; /* missing */
            }
            if ((rc = emit_nulls(sh, kid_id, rep, def)) != KC_OK) {
                return rc;
            }
        }
    }
    return KC_OK;
}

/* Scan text into sh (initialized for w): KC_OK when every entry is staged. */
static int direct_run(struct direct *dx, struct parquet_writer *w, struct parquet_direct *d,
                      struct kc_jscan *js, struct kc_buf *text_buf, const char *text, size_t len)
{
    struct kc_jscan_tok t;
    struct kc_error scan_err;
    int rc;

    if (!d->ok || d->nseen != parquet_writer_schema(w)->n) {
        return PARQUET_DIRECT_DECLINED;
    }
    /* Every decoded string and its NUL fit in the text's own length (quotes included). */
    kc_buf_reset(text_buf);
    if (kc_buf_reserve(text_buf, len + 1) != KC_OK) {
        return kc_error_set(dx->sh->err, KC_ENOMEM, "parquet: out of memory");
    }
    if (++d->stamp == 0) {
        memset(d->seen, 0, (size_t)d->nseen * sizeof(*d->seen));
        d->stamp = 1;
    }
    dx->d = d;
    dx->js = js;
    dx->text = text_buf;
    dx->values = 1;
    dx->envelope_keys = 0;
    kc_jscan_begin(js, text, len, &scan_err);
    if (kc_jscan_next(js, &t) != KC_OK || t.kind != KC_JSCAN_OBJECT) {
        rc = PARQUET_DIRECT_DECLINED;
    } else {
        rc = direct_fields(dx, PARQUET_SCHEMA_ROOT, 0, 0, -1);
    }
    if (rc == KC_OK && (kc_jscan_finish(js) != KC_OK || dx->envelope_keys == 2)) {
        rc = PARQUET_DIRECT_DECLINED; /* trailing bytes; or an envelope: its payload is the row */
    }
    if (rc == KC_OK) {
        d->declines = 0;
    } else if (rc == PARQUET_DIRECT_DECLINED && ++d->declines >= PARQUET_DIRECT_GIVE_UP) {
        d->ok = 0; /* the tree path for the rest of this file */
    }
    return rc;
}

int parquet_json_write_text(struct parquet_writer *w, struct parquet_direct *d,
                            struct kc_jscan *js, struct kc_buf *text_buf, const char *text,
                            size_t len, unsigned flags, struct kc_error *err)
{
    struct shred sh;
    struct direct dx;
    shred_init(&sh, w, flags, err);
    dx.sh = &sh;
    dx.capture = NULL;
    int rc = direct_run(&dx, w, d, js, text_buf, text, len);
    if (rc == KC_OK) {
        rc = stage_commit(&sh, 1);
    }
    shred_fini(&sh);
    return rc;
}

struct parquet_direct_stage *parquet_direct_stage_new(void)
{
    struct parquet_direct_stage *ds = kc_calloc(1, sizeof(*ds));
    if (ds != NULL) {
        shred_init(&ds->sh, NULL, 0, NULL);
        kc_buf_init(&ds->text, PARQUET_BUF_LIMIT);
    }
    return ds;
}

void parquet_direct_stage_free(struct parquet_direct_stage *ds)
{
    if (ds != NULL) {
        shred_fini(&ds->sh);
        kc_buf_fini(&ds->text);
        kc_free(ds->m);
        kc_free(ds);
    }
}

size_t parquet_direct_stage_footprint(const struct parquet_direct_stage *ds)
{
    return ds == NULL ? 0
                      : sizeof(*ds) + ds->text.cap + ds->cap * sizeof(ds->m[0]) +
                            (ds->sh.st != ds->sh.stack ? ds->sh.cap * sizeof(ds->sh.st[0]) : 0) +
                            ds->sh.tmp.cap + ds->sh.bytes.cap;
}

int parquet_json_stage_text(struct parquet_direct_stage *ds, struct parquet_writer *w,
                            struct parquet_direct *d, struct kc_jscan *js, const char *text,
                            size_t len, unsigned flags, struct kc_error *err)
{
    struct direct dx;
    shred_fini(&ds->sh); /* the last record's, staged or not */
    if (ds->text.cap > PARQUET_DIRECT_TEXT_KEEP) {
        kc_buf_fini(&ds->text); /* a huge record's: not held for the next ones */
        kc_buf_init(&ds->text, PARQUET_BUF_LIMIT);
    }
    shred_init(&ds->sh, w, flags, err);
    ds->pending = 0;
    ds->n = 0;
    dx.sh = &ds->sh;
    dx.capture = ds;
    int rc = direct_run(&dx, w, d, js, &ds->text, text, len);
    ds->pending = rc == KC_OK;
    return rc;
}

int parquet_json_stage_commit(struct parquet_direct_stage *ds, struct parquet_writer *w,
                              struct kc_error *err)
{
    if (!ds->pending || ds->sh.w != w) {
        return PARQUET_DIRECT_DECLINED;
    }
    ds->pending = 0;
    ds->sh.err = err;
    return stage_commit(&ds->sh, 1);
}

void parquet_direct_stage_drop(struct parquet_direct_stage *ds)
{
    ds->pending = 0;
}

const struct parquet_direct_member *parquet_direct_stage_members(
    const struct parquet_direct_stage *ds, size_t *n)
{
    *n = ds->pending ? ds->n : 0;
    return ds->m;
}

int parquet_json_write(struct parquet_writer *w, const json_t *record, unsigned flags,
                       struct kc_error *err)
{
    struct parquet_jv_parser ps;
    struct parquet_jv v;
    int rc;
    parquet_jv_parser_init(&ps);
    rc = parquet_jv_from_json(&ps, record, &v, err);
    if (rc == KC_OK) {
        rc = parquet_json_write_jv(w, &v, flags, err);
    }
    parquet_jv_parser_fini(&ps);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Schemas from Connect */

static int parse_logical_param(const char *p, struct parquet_logical *lt, enum parquet_type *type)
{
    char unit[16];
    char utc[8];
    int a, b;
    memset(lt, 0, sizeof(*lt));
    if (strcmp(p, "UUID") == 0) {
        lt->kind = PARQUET_LOGICAL_UUID;
        *type = PARQUET_FIXED_LEN_BYTE_ARRAY;
    } else if (strcmp(p, "ENUM") == 0 || strcmp(p, "JSON") == 0 || strcmp(p, "STRING") == 0) {
        lt->kind = p[0] == 'E' ? PARQUET_LOGICAL_ENUM
                   : p[0] == 'J' ? PARQUET_LOGICAL_JSON : PARQUET_LOGICAL_STRING;
        *type = PARQUET_BYTE_ARRAY;
    } else if (strcmp(p, "DATE") == 0) {
        lt->kind = PARQUET_LOGICAL_DATE;
        *type = PARQUET_INT32;
    } else if (sscanf(p, "UINT%d", &a) == 1 || sscanf(p, "INT%d", &a) == 1) {
        lt->kind = PARQUET_LOGICAL_INT;
        lt->bit_width = a;
        lt->is_signed = p[0] == 'I';
        *type = a == 64 ? PARQUET_INT64 : PARQUET_INT32;
    } else if (sscanf(p, "DECIMAL(%d,%d)", &a, &b) == 2) {
        lt->kind = PARQUET_LOGICAL_DECIMAL;
        lt->precision = a;
        lt->scale = b;
        *type = a <= 9 ? PARQUET_INT32 : a <= 18 ? PARQUET_INT64 : PARQUET_FIXED_LEN_BYTE_ARRAY;
    } else if (sscanf(p, "TIMESTAMP(%15[A-Z],%7[a-z])", unit, utc) == 2 ||
               sscanf(p, "TIME(%15[A-Z],%7[a-z])", unit, utc) == 2) {
        lt->kind = p[4] == 'S' ? PARQUET_LOGICAL_TIMESTAMP : PARQUET_LOGICAL_TIME;
        if (strcmp(unit, "MILLIS") == 0) {
            lt->unit = PARQUET_MILLIS;
        } else if (strcmp(unit, "MICROS") == 0) {
            lt->unit = PARQUET_MICROS;
        } else if (strcmp(unit, "NANOS") == 0) {
            lt->unit = PARQUET_NANOS;
        } else {
            return -1;
        }
        if (strcmp(utc, "true") != 0 && strcmp(utc, "false") != 0) {
            return -1;
        }
        lt->utc = utc[0] == 't';
        *type = lt->kind == PARQUET_LOGICAL_TIME && lt->unit == PARQUET_MILLIS ? PARQUET_INT32
                                                                                : PARQUET_INT64;
    } else {
        return -1;
    }
    return 0;
}

static int param_int(const json_t *params, const char *key, int dflt)
{
    const json_t *v = json_object_get(params, key);
    if (json_is_string(v)) {
        char *end;
        long x = strtol(json_string_value(v), &end, 10);
        if (*end == '\0' && x >= INT_MIN && x <= INT_MAX) {
            return (int)x;
        }
        return -1;
    }
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        return x >= INT_MIN && x <= INT_MAX ? (int)x : -1;
    }
    return dflt;
}

static int connect_field(struct parquet_schema *s, int parent, const char *name,
                         const json_t *cs, int force_required, int depth, struct kc_error *err)
{
    const char *type;
    const char *lname;
    const json_t *params;
    const char *plogical;
    enum parquet_repetition rep;
    struct parquet_logical lt;
    enum parquet_type ptype;
    int id;
    int rc;

    if (!json_is_object(cs) || !json_is_string(json_object_get(cs, "type"))) {
        return kc_error_set(err, KC_EINVAL, "connect schema: field '%s' has no \"type\"", name);
    }
    if (depth > PARQUET_JSON_MAX_DEPTH) {
        return kc_error_set(err, KC_EINVAL, "connect schema: field '%s' nested too deep", name);
    }
    type = json_string_value(json_object_get(cs, "type"));
    lname = json_string_value(json_object_get(cs, "name"));
    if (lname == NULL) {
        lname = "";
    }
    params = json_object_get(cs, "parameters");
    plogical = json_string_value(json_object_get(params, "parquet.logical"));
    rep = json_is_true(json_object_get(cs, "optional")) && !force_required ? PARQUET_OPTIONAL
                                                                          : PARQUET_REQUIRED;
    memset(&lt, 0, sizeof(lt));

    if (strcmp(type, "struct") == 0) {
        const json_t *fields = json_object_get(cs, "fields");
        if (!json_is_array(fields) || json_array_size(fields) == 0) {
            return kc_error_set(err, KC_EINVAL,
                                "connect schema: struct '%s' needs a non-empty \"fields\" array "
                                "(Parquet has no empty groups)",
                                name);
        }
        if (parent < 0) {
            id = PARQUET_SCHEMA_ROOT;
        } else {
            rc = parquet_schema_add_group(s, parent, name, rep, NULL, &id, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
        for (size_t i = 0; i < json_array_size(fields); i++) {
            const json_t *f = json_array_get(fields, i);
            const char *fname = json_string_value(json_object_get(f, "field"));
            if (fname == NULL) {
                return kc_error_set(err, KC_EINVAL,
                                    "connect schema: a field of '%s' has no \"field\" name", name);
            }
            rc = connect_field(s, id, fname, f, 0, depth + 1, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    }
    if (parent < 0) {
        return kc_error_set(err, KC_EINVAL, "connect schema: the top level must be a struct, "
                                            "not %s",
                            type);
    }
    if (strcmp(type, "array") == 0) {
        rc = parquet_schema_add_list(s, parent, name, rep, &id, err);
        if (rc != KC_OK) {
            return rc;
        }
        return connect_field(s, id, "element", json_object_get(cs, "items"), 0, depth + 1, err);
    }
    if (strcmp(type, "map") == 0) {
        rc = parquet_schema_add_map(s, parent, name, rep, &id, err);
        if (rc != KC_OK) {
            return rc;
        }
        rc = connect_field(s, id, "key", json_object_get(cs, "keys"), 1, depth + 1, err);
        if (rc != KC_OK) {
            return rc;
        }
        return connect_field(s, id, "value", json_object_get(cs, "values"), 0, depth + 1, err);
    }
    unsigned jflags = 0;
    if (strcmp(type, "int8") == 0 || strcmp(type, "int16") == 0) {
        ptype = PARQUET_INT32;
        lt.kind = PARQUET_LOGICAL_INT;
        lt.bit_width = type[3] == '8' ? 8 : 16;
        lt.is_signed = 1;
    } else if (strcmp(type, "int32") == 0) {
        ptype = PARQUET_INT32;
        if (strcmp(lname, "org.apache.kafka.connect.data.Date") == 0 ||
            strcmp(lname, "io.debezium.time.Date") == 0) {
            lt.kind = PARQUET_LOGICAL_DATE;
        } else if (strcmp(lname, "org.apache.kafka.connect.data.Time") == 0 ||
                   strcmp(lname, "io.debezium.time.Time") == 0) {
            lt.kind = PARQUET_LOGICAL_TIME;
            lt.unit = PARQUET_MILLIS;
            lt.utc = 1;
        }
    } else if (strcmp(type, "int64") == 0) {
        ptype = PARQUET_INT64;
        if (strcmp(lname, "org.apache.kafka.connect.data.Timestamp") == 0) {
            lt.kind = PARQUET_LOGICAL_TIMESTAMP;
            lt.unit = PARQUET_MILLIS;
            lt.utc = 1;
        } else if (strcmp(lname, "io.debezium.time.Timestamp") == 0 ||
                   strcmp(lname, "io.debezium.time.MicroTimestamp") == 0 ||
                   strcmp(lname, "io.debezium.time.NanoTimestamp") == 0) {
            lt.kind = PARQUET_LOGICAL_TIMESTAMP;
            lt.unit = lname[17] == 'T' ? PARQUET_MILLIS
                      : lname[17] == 'M' ? PARQUET_MICROS : PARQUET_NANOS;
        } else if (strcmp(lname, "io.debezium.time.MicroTime") == 0 ||
                   strcmp(lname, "io.debezium.time.NanoTime") == 0) {
            lt.kind = PARQUET_LOGICAL_TIME;
            lt.unit = lname[17] == 'M' ? PARQUET_MICROS : PARQUET_NANOS;
        }
    } else if (strcmp(type, "float") == 0 || strcmp(type, "float32") == 0) {
        ptype = PARQUET_FLOAT;
    } else if (strcmp(type, "double") == 0 || strcmp(type, "float64") == 0) {
        ptype = PARQUET_DOUBLE;
    } else if (strcmp(type, "boolean") == 0) {
        ptype = PARQUET_BOOLEAN;
    } else if (strcmp(type, "string") == 0) {
        ptype = PARQUET_BYTE_ARRAY;
        lt.kind = PARQUET_LOGICAL_STRING;
        if (strcmp(lname, "io.debezium.data.Uuid") == 0) {
            lt.kind = PARQUET_LOGICAL_UUID;
            ptype = PARQUET_FIXED_LEN_BYTE_ARRAY;
        } else if (strcmp(lname, "io.debezium.data.Json") == 0) {
            lt.kind = PARQUET_LOGICAL_JSON;
        } else if (strcmp(lname, "io.debezium.data.Enum") == 0) {
            lt.kind = PARQUET_LOGICAL_ENUM;
        }
    } else if (strcmp(type, "bytes") == 0) {
        ptype = PARQUET_BYTE_ARRAY;
        jflags = PARQUET_JF_BASE64;
        if (strcmp(lname, "org.apache.kafka.connect.data.Decimal") == 0) {
            lt.kind = PARQUET_LOGICAL_DECIMAL;
            lt.scale = param_int(params, "scale", 0);
            lt.precision = param_int(params, "connect.decimal.precision", 38);
            if (lt.scale < 0 || lt.precision < 1 || lt.precision > 38) {
                return kc_error_set(err, KC_EINVAL,
                                    "connect schema: Decimal '%s' needs precision 1..38 and "
                                    "scale >= 0",
                                    name);
            }
            ptype = lt.precision <= 9    ? PARQUET_INT32
                    : lt.precision <= 18 ? PARQUET_INT64
                                         : PARQUET_FIXED_LEN_BYTE_ARRAY;
        }
    } else {
        return kc_error_set(err, KC_EINVAL, "connect schema: field '%s' has unknown type '%.40s'",
                            name, type);
    }
    if (plogical != NULL && parse_logical_param(plogical, &lt, &ptype) != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "connect schema: field '%s': bad parquet.logical '%.60s'", name,
                            plogical);
    }
    rc = parquet_schema_add_leaf(s, parent, name, rep, ptype, &lt, 0, &id, err);
    if (rc != KC_OK) {
        return rc;
    }
    s->nodes[id].jflags = jflags;
    return KC_OK;
}

int parquet_json_schema_from_connect(const json_t *connect_schema, struct parquet_schema **out,
                                     struct kc_error *err)
{
    struct parquet_schema *s = parquet_schema_new();
    int rc;
    *out = NULL;
    if (s == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    rc = connect_field(s, -1, "schema", connect_schema, 0, 0, err);
    if (rc == KC_OK) {
        rc = parquet_schema_finish(s, err);
    }
    if (rc != KC_OK) {
        parquet_schema_free(s);
        return rc;
    }
    *out = s;
    return KC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Inference */

enum ikind {
    IK_NULL = 0,
    IK_BOOL,
    IK_INT,
    IK_REAL,
    IK_STRING,
    IK_OBJECT,
    IK_ARRAY,
    IK_JSON,
};

struct inode {
    enum ikind k;
    uint64_t temporal[4]; /* strings seen per enum temporal class */
    char **names;         /* owned; object keys in first-seen order */
    struct inode **kids;  /* owned */
    json_t *index;        /* owned: name -> position, for wide objects */
    size_t n;
    size_t cap;
    struct inode *elem; /* owned; array items */
};

struct parquet_json_infer {
    struct inode *root; /* owned */
    int infer_timestamps;
    size_t nodes;
    uint64_t records;
};

static void inode_clear(struct inode *nd);

static void inode_free(struct inode *nd)
{
    if (nd != NULL) {
        inode_clear(nd);
        kc_free(nd);
    }
}

static void inode_clear(struct inode *nd)
{
    for (size_t i = 0; i < nd->n; i++) {
        kc_free(nd->names[i]);
        inode_free(nd->kids[i]);
    }
    kc_free(nd->names);
    kc_free(nd->kids);
    json_decref(nd->index);
    inode_free(nd->elem);
    nd->names = NULL;
    nd->kids = NULL;
    nd->index = NULL;
    nd->elem = NULL;
    nd->n = 0;
    nd->cap = 0;
}

struct parquet_json_infer *parquet_json_infer_new(int infer_timestamps)
{
    struct parquet_json_infer *inf = kc_calloc(1, sizeof(*inf));
    if (inf == NULL) {
        return NULL;
    }
    inf->root = kc_calloc(1, sizeof(struct inode));
    if (inf->root == NULL) {
        kc_free(inf);
        return NULL;
    }
    inf->infer_timestamps = infer_timestamps;
    return inf;
}

size_t parquet_json_infer_nodes(const struct parquet_json_infer *inf)
{
    return inf->nodes + 1;
}

void parquet_json_infer_free(struct parquet_json_infer *inf)
{
    if (inf != NULL) {
        inode_free(inf->root);
        kc_free(inf);
    }
}

static enum ikind kind_of(const struct parquet_jv *v)
{
    switch (v->type) {
    case PARQUET_JV_OBJECT:
        return IK_OBJECT;
    case PARQUET_JV_ARRAY:
        return IK_ARRAY;
    case PARQUET_JV_STRING:
        return IK_STRING;
    case PARQUET_JV_INT:
        return IK_INT;
    case PARQUET_JV_REAL:
        return IK_REAL;
    case PARQUET_JV_TRUE:
    case PARQUET_JV_FALSE:
        return IK_BOOL;
    case PARQUET_JV_NULL:
        break;
    }
    return IK_NULL;
}

static void make_json(struct inode *nd)
{
    inode_clear(nd);
    nd->k = IK_JSON;
}

static int merge(struct parquet_json_infer *inf, struct inode *nd, const struct parquet_jv *v, int depth)
{
    enum ikind k = kind_of(v);
    if (k == IK_NULL || nd->k == IK_JSON) {
        return KC_OK;
    }
    if ((k == IK_OBJECT || k == IK_ARRAY) && depth >= PARQUET_JSON_MAX_DEPTH) {
        make_json(nd);
        return KC_OK;
    }
    if (nd->k == IK_NULL) {
        nd->k = k;
    } else if (nd->k != k) {
        if ((nd->k == IK_INT || nd->k == IK_REAL) && (k == IK_INT || k == IK_REAL)) {
            nd->k = IK_REAL;
        } else {
            make_json(nd);
        }
        return KC_OK;
    }
    if (k == IK_STRING && inf->infer_timestamps) {
        int64_t secs, nanos;
        int digits;
        enum temporal t = parse_temporal(v->u.s, (size_t)v->n, &secs,
                                         &nanos, &digits);
        int64_t scratch;
        /* Inferred timestamps are MICROS: Spark cannot read NANOS. A value finer than a
         * microsecond, or out of the micros range, keeps the field as text (lossless). */
        if (t != TEMPORAL_NONE && to_unit(secs, nanos, digits, PARQUET_MICROS, &scratch)) {
            t = TEMPORAL_NONE;
        }
        nd->temporal[t]++;
    } else if (k == IK_OBJECT) {
        for (uint32_t mi = 0; mi < v->n; mi++) {
            const char *key = v->u.members[mi].key;
            const struct parquet_jv *x = &v->u.members[mi].v;
            struct inode *kid;
            json_t *pos = nd->index != NULL ? json_object_get(nd->index, key) : NULL;
            if (pos != NULL) {
                kid = nd->kids[json_integer_value(pos)];
            } else {
                if (inf->nodes >= PARQUET_MAX_COLUMNS ||
                    v->u.members[mi].key_len > PARQUET_MAX_NAME) {
                    make_json(nd); /* too wide or unnameable: keep the object as text */
                    return KC_OK;
                }
                if (nd->index == NULL && (nd->index = json_object()) == NULL) {
                    return KC_ENOMEM;
                }
                if (nd->n == nd->cap) {
                    size_t ncap = nd->cap ? nd->cap * 2 : 8;
                    char **names = kc_realloc(nd->names, ncap * sizeof(char *));
                    if (names == NULL) {
                        return KC_ENOMEM;
                    }
                    nd->names = names;
                    struct inode **kids = kc_realloc(nd->kids, ncap * sizeof(*kids));
                    if (kids == NULL) {
                        return KC_ENOMEM;
                    }
                    nd->kids = kids;
                    nd->cap = ncap;
                }
                kid = kc_calloc(1, sizeof(*kid));
                char *name = kc_strdup(key);
                if (kid == NULL || name == NULL ||
                    json_object_set_new(nd->index, key, json_integer((json_int_t)nd->n)) != 0) {
                    kc_free(kid);
                    kc_free(name);
                    return KC_ENOMEM;
                }
                nd->names[nd->n] = name;
                nd->kids[nd->n] = kid;
                nd->n++;
                inf->nodes++;
            }
            int rc = merge(inf, kid, x, depth + 1);
            if (rc != KC_OK) {
                return rc;
            }
        }
    } else if (k == IK_ARRAY) {
        if (nd->elem == NULL) {
            nd->elem = kc_calloc(1, sizeof(*nd->elem));
            if (nd->elem == NULL) {
                return KC_ENOMEM;
            }
            inf->nodes++;
        }
        for (size_t i = 0; i < (size_t)v->n; i++) {
            int rc = merge(inf, nd->elem, (&v->u.items[i]), depth + 1);
            if (rc != KC_OK) {
                return rc;
            }
        }
    }
    return KC_OK;
}

int parquet_json_infer_add_jv(struct parquet_json_infer *inf, const struct parquet_jv *record,
                           struct kc_error *err)
{
    if (record == NULL || record->type != PARQUET_JV_OBJECT) {
        return kc_error_set(err, KC_EINVAL, "record is %s, not an object",
                            record != NULL ? json_kind(record) : "missing");
    }
    if (merge(inf, inf->root, record, 0) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory inferring a schema");
    }
    if (inf->root->k == IK_JSON) {
        return kc_error_set(err, KC_EINVAL, "record is too wide to infer a schema from");
    }
    inf->records++;
    return KC_OK;
}

int parquet_json_infer_add(struct parquet_json_infer *inf, const json_t *record,
                           struct kc_error *err)
{
    struct parquet_jv_parser ps;
    struct parquet_jv v;
    int rc;
    parquet_jv_parser_init(&ps);
    rc = parquet_jv_from_json(&ps, record, &v, err);
    if (rc == KC_OK) {
        rc = parquet_json_infer_add_jv(inf, &v, err);
    }
    parquet_jv_parser_fini(&ps);
    return rc;
}

static int build(struct parquet_schema *s, int parent, const char *name, const struct inode *nd,
                 struct kc_error *err)
{
    struct parquet_logical lt;
    enum parquet_type type = PARQUET_BYTE_ARRAY;
    int id;
    int rc;

    memset(&lt, 0, sizeof(lt));
    switch (nd != NULL ? nd->k : IK_NULL) {
    case IK_NULL:
    case IK_STRING:
        lt.kind = PARQUET_LOGICAL_STRING;
        if (nd != NULL && nd->k == IK_STRING) {
            const uint64_t *t = nd->temporal;
            uint64_t total = t[0] + t[1] + t[2] + t[3];
            if (total > 0 && t[TEMPORAL_DATE] == total) {
                lt.kind = PARQUET_LOGICAL_DATE;
                type = PARQUET_INT32;
            } else if (total > 0 && (t[TEMPORAL_NAIVE] == total || t[TEMPORAL_ZONED] == total)) {
                lt.kind = PARQUET_LOGICAL_TIMESTAMP;
                lt.unit = PARQUET_MICROS;
                lt.utc = t[TEMPORAL_ZONED] == total;
                type = PARQUET_INT64;
            }
        }
        break;
    case IK_BOOL:
        type = PARQUET_BOOLEAN;
        break;
    case IK_INT:
        type = PARQUET_INT64;
        break;
    case IK_REAL:
        type = PARQUET_DOUBLE;
        break;
    case IK_JSON:
        lt.kind = PARQUET_LOGICAL_JSON;
        break;
    case IK_OBJECT:
        if (nd->n == 0) {
            lt.kind = PARQUET_LOGICAL_JSON; /* only ever {}: no group can hold it */
            break;
        }
        rc = parquet_schema_add_group(s, parent, name, PARQUET_OPTIONAL, NULL, &id, err);
        for (size_t i = 0; rc == KC_OK && i < nd->n; i++) {
            rc = build(s, id, nd->names[i], nd->kids[i], err);
        }
        return rc;
    case IK_ARRAY:
        rc = parquet_schema_add_list(s, parent, name, PARQUET_OPTIONAL, &id, err);
        if (rc != KC_OK) {
            return rc;
        }
        return build(s, id, "element", nd->elem, err);
    }
    rc = parquet_schema_add_leaf(s, parent, name, PARQUET_OPTIONAL, type, &lt, 0, &id, err);
    if (rc == KC_OK && lt.kind == PARQUET_LOGICAL_JSON) {
        s->nodes[id].jflags = PARQUET_JF_JSON_ALL; /* mixed values: all stored as JSON text */
    }
    return rc;
}

int parquet_json_infer_schema(const struct parquet_json_infer *inf, struct parquet_schema **out,
                              struct kc_error *err)
{
    struct parquet_schema *s;
    const struct inode *root = inf->root;
    int rc = KC_OK;

    *out = NULL;
    if (inf->records == 0 || root->k != IK_OBJECT || root->n == 0) {
        return kc_error_set(err, KC_EINVAL, "no fields to infer a schema from");
    }
    s = parquet_schema_new();
    if (s == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    for (size_t i = 0; rc == KC_OK && i < root->n; i++) {
        rc = build(s, PARQUET_SCHEMA_ROOT, root->names[i], root->kids[i], err);
    }
    if (rc == KC_OK) {
        rc = parquet_schema_finish(s, err);
    }
    if (rc != KC_OK) {
        parquet_schema_free(s);
        return rc;
    }
    *out = s;
    return KC_OK;
}
