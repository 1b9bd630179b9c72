/*
 * connectors/clickhouse/clickhouse_rowbinary.c: the RowBinary encoder. See clickhouse_rowbinary.h
 * for the wire format and the value rules; this file is the per-type conversion.
 *
 * Integers of every width go through one 256-bit sign-and-magnitude value (struct wide), so
 * Int8..UInt256 and Decimal32..256 share one range check and one little-endian writer; the
 * common 64-bit cases take a shortcut.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse_rowbinary.h"
#include "jfast.h"
#include "kc_alloc.h"

struct enc {
    const struct clickhouse_rb_plan *plan;
    struct kc_buf *out;
    struct kc_error *err;
    const struct clickhouse_column *col; /* column being written, for messages */
    int tree;                            /* values are jfast_node (raw number text available) */
};

/* The tree-free path of clickhouse_rb_json (see the header): one top-level JSON object's values
 * by column, refilled per object. Owned by its plan; used on the plan's thread only. */
struct ch_rb_flat {
    struct kc_jscan js;
    struct jfast_node *node;         /* n_cols: scalar values of the current object */
    const struct cdata_value **val;  /* n_cols: the column's value (NULL = JSON null) */
    uint8_t *found;                  /* n_cols: the object had the column's key */
    uint32_t *pos;                   /* npos: column + 1 whose key was member k of the last
                                      * object (0 = none); records mostly share one order */
    size_t npos;
    uint32_t *slot;                  /* nslot (a power of two): column + 1 by name hash, 0 = empty */
    size_t nslot;
};

/* How the sent columns go as one Native block (clickhouse_rb_native), built once per plan:
 * every sent column is a fixed-width value or a String, maybe Nullable, maybe LowCardinality
 * (sent as its inner type: the server converts a whole column at once). */
struct ch_rb_native {
    size_t k;          /* sent columns */
    int32_t *width;    /* k: bytes of a value, 0 = String (LEB128 length, bytes) */
    uint8_t *nullable; /* k */
    size_t *head_at;   /* k: the column's header (name, type as Native strings) in head */
    size_t *head_len;
    struct kc_buf head;
    size_t *size;      /* k: scratch of one conversion: the column's data bytes */
    size_t *at;        /* k: scratch: where the column's next bytes go in out */
    struct ch_lc *lc;  /* k: LowCardinality(T) columns (lc[j].on), sent dictionary-encoded */
};

/* One LowCardinality column of one conversion: its distinct values (spans of the RowBinary
 * rows, key 0 = the type's default, as the server's own dictionaries have it) and each row's
 * key. */
struct ch_lc {
    int on;
    const unsigned char **kp; /* keys: RowBinary bytes of the value (a String with its length) */
    uint32_t *kl;
    size_t nk, capk;
    size_t kbytes;            /* sum of kl */
    uint32_t *tab;            /* open addressing: key + 1, 0 = empty; ntab a power of two */
    size_t ntab;
    uint32_t *idx;            /* rows: each row's key */
    size_t nidx, capidx;
    unsigned char *zero;      /* the default value's bytes */
};

static struct ch_rb_native *native_new(const struct clickhouse_rb_plan *p);
static void native_free(struct ch_rb_native *nv);

/* 256-bit magnitude (little-endian 64-bit limbs) and a sign. */
struct wide {
    uint64_t m[4];
    int neg;
};

/* ---- error messages ---- */

static void value_text(const struct cdata_value *v, char *buf, size_t n)
{
    if (v == NULL) {
        snprintf(buf, n, "null");
        return;
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64:
        snprintf(buf, n, "%lld", (long long)v->u.i);
        break;
    case CDATA_FLOAT32:
    case CDATA_FLOAT64:
        snprintf(buf, n, "%.17g", v->u.f);
        break;
    case CDATA_BOOLEAN:
        snprintf(buf, n, "%s", v->u.b ? "true" : "false");
        break;
    case CDATA_STRING:
        snprintf(buf, n, "\"%.*s\"%s", (int)(v->n > 80 ? 80 : v->n), v->u.s, v->n > 80 ? "..." : "");
        break;
    default:
        snprintf(buf, n, "a %s", cdata_type_name(v->type, 0));
        break;
    }
}

__attribute__((format(printf, 3, 4))) static int fail(struct enc *e, const struct cdata_value *v,
                                                      const char *fmt, ...)
{
    char why[256], val[128], type[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    value_text(v, val, sizeof(val));
    struct kc_buf tb;
    kc_buf_init(&tb, sizeof(type) - 1);
    if (clickhouse_type_format(e->col->type, &tb) == KC_OK && tb.data != NULL) {
        snprintf(type, sizeof(type), "%s", tb.data);
    } else {
        snprintf(type, sizeof(type), "?");
    }
    kc_buf_fini(&tb);
    return kc_error_set(e->err, KC_EINVAL, "column '%s' (%s): cannot write %s: %s", e->col->name,
                        type, val, why);
}

static int oom(struct enc *e)
{
    return kc_error_set(e->err, KC_ENOMEM, "RowBinary buffer: out of memory or over its cap");
}

/* ---- writers ---- */

static int put(struct enc *e, const void *p, size_t n)
{
    return kc_buf_append(e->out, p, n) == KC_OK ? KC_OK : oom(e);
}

static int put_le(struct enc *e, uint64_t v, int width)
{
    unsigned char b[8];
    for (int i = 0; i < width; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
    return put(e, b, (size_t)width);
}

static int put_leb128(struct enc *e, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        b[n++] = c | (v ? 0x80 : 0);
    } while (v);
    return put(e, b, n);
}

/* ---- 256-bit helpers ---- */

static void wide_from_i64(struct wide *w, int64_t v)
{
    memset(w, 0, sizeof(*w));
    w->neg = v < 0;
    w->m[0] = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static int wide_is_zero(const struct wide *w)
{
    return (w->m[0] | w->m[1] | w->m[2] | w->m[3]) == 0;
}

/* w = w * 10 + d; 0 on overflow past 2^256. */
static int wide_mul10_add(struct wide *w, unsigned d)
{
    unsigned __int128 carry = d;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 x = (unsigned __int128)w->m[i] * 10 + carry;
        w->m[i] = (uint64_t)x;
        carry = x >> 64;
    }
    return carry == 0;
}

/* w = w / 10 (truncating). */
static void wide_div10(struct wide *w)
{
    unsigned __int128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        unsigned __int128 x = (rem << 64) | w->m[i];
        w->m[i] = (uint64_t)(x / 10);
        rem = x % 10;
    }
}

static int wide_cmp(const struct wide *a, const struct wide *b)
{
    for (int i = 3; i >= 0; i--) {
        if (a->m[i] != b->m[i]) {
            return a->m[i] < b->m[i] ? -1 : 1;
        }
    }
    return 0;
}

/* |w| < 10^p ? */
static int wide_fits_digits(const struct wide *w, int p)
{
    struct wide lim;
    memset(&lim, 0, sizeof(lim));
    lim.m[0] = 1;
    for (int i = 0; i < p; i++) {
        if (!wide_mul10_add(&lim, 0)) {
            return 1;
        }
    }
    return wide_cmp(w, &lim) < 0;
}

/*
 * Decimal text ("-12.345", "1e3", "007") scaled by 10^scale into w. Fraction digits past the
 * scale are dropped (truncation toward zero, as ClickHouse converts). *frac_lost says whether a
 * non-zero digit was dropped. Returns 0 if the text is not a number, -1 on overflow.
 */
static int wide_parse(const char *s, size_t n, int scale, struct wide *w, int *frac_lost)
{
    size_t i = 0;
    memset(w, 0, sizeof(*w));
    *frac_lost = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) {
        i++;
    }
    while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        n--;
    }
    if (i < n && (s[i] == '-' || s[i] == '+')) {
        w->neg = s[i] == '-';
        i++;
    }
    size_t ds = i, de, fs = 0, fe = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        i++;
    }
    de = i;
    if (i < n && s[i] == '.') {
        fs = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        fe = i;
    }
    if (de == ds && fe == fs) {
        return 0;
    }
    long exp = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < n && (s[i] == '-' || s[i] == '+')) {
            eneg = s[i] == '-';
            i++;
        }
        size_t es = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (exp < 100000) {
                exp = exp * 10 + (s[i] - '0');
            }
            i++;
        }
        if (i == es) {
            return 0;
        }
        exp = eneg ? -exp : exp;
    }
    if (i != n) {
        return 0;
    }
    /* Digits d1..dk (integer then fraction) times 10^(exp + scale - nfrac). */
    long shift = exp + scale - (long)(fe - fs);
    size_t nd = (de - ds) + (fe - fs);
    for (size_t k = 0; k < nd; k++) {
        char c = k < de - ds ? s[ds + k] : s[fs + (k - (de - ds))];
        /* Digits that fall below the unit once shifted are dropped. */
        if (shift < 0 && (long)(nd - k) <= -shift) {
            if (c != '0') {
                *frac_lost = 1;
            }
            continue;
        }
        if (!wide_mul10_add(w, (unsigned)(c - '0'))) {
            return -1;
        }
    }
    for (long k = 0; k < shift; k++) {
        if (!wide_mul10_add(w, 0)) {
            return -1;
        }
    }
    if (wide_is_zero(w)) {
        w->neg = 0;
    }
    return 1;
}

/* Write w as a little-endian integer of `width` bytes, signed or not, after a range check. */
static int put_wide(struct enc *e, const struct cdata_value *v, const struct wide *w, int width,
                    int is_signed)
{
    int bits = width * 8;
    /* Magnitude limit: 2^bits - 1 unsigned; 2^(bits-1) - 1 signed, 2^(bits-1) when negative. */
    int top = is_signed ? bits - 1 : bits;
    int over = 0, low_bits = 0;
    if (!is_signed && w->neg && !wide_is_zero(w)) {
        return fail(e, v, "negative value for an unsigned type");
    }
    for (int b = 0; b < 256; b++) {
        int set = (int)(w->m[b / 64] >> (b % 64) & 1);
        if (b < top) {
            low_bits |= set;
        } else if (b == top && is_signed) {
            over |= set && !(w->neg && !low_bits);
        } else {
            over |= set;
        }
    }
    if (over) {
        return fail(e, v, "out of range for a %d-bit %s integer", bits,
                    is_signed ? "signed" : "unsigned");
    }
    uint64_t limbs[4];
    memcpy(limbs, w->m, sizeof(limbs));
    if (w->neg) { /* two's complement */
        unsigned __int128 carry = 1;
        for (int i = 0; i < 4; i++) {
            unsigned __int128 x = (unsigned __int128)(~limbs[i]) + carry;
            limbs[i] = (uint64_t)x;
            carry = x >> 64;
        }
    }
    unsigned char b[32];
    for (int i = 0; i < width; i++) {
        b[i] = (unsigned char)(limbs[i / 8] >> (8 * (i % 8)));
    }
    return put(e, b, (size_t)width);
}

/* The raw source text of a schemaless number, if the parser kept it. */
static int raw_text(const struct enc *e, const struct cdata_value *v, const char **s, size_t *n)
{
    if (e->tree && v != NULL && (v->type == CDATA_INT64 || v->type == CDATA_FLOAT64)) {
        const struct jfast_node *jn = jfast_node_of(v);
        if (jn->raw != NULL) {
            *s = jn->raw;
            *n = jn->raw_len;
            return 1;
        }
    }
    return 0;
}

/* Value as an integer scaled by 10^scale (scale 0 for integer columns). */
static int get_wide(struct enc *e, const struct cdata_value *v, int scale, int integer_only,
                    struct wide *w)
{
    const char *s = NULL;
    size_t n = 0;
    int lost = 0, r;
    char tmp[64];
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64:
        if (raw_text(e, v, &s, &n) && (jfast_node_of(v)->flags & JFAST_F_BIG)) {
            break; /* beyond int64: parse the text */
        }
        if (v->schema != NULL && cdata_schema_is(v->schema, CDATA_LOGICAL_DATE)) {
            return fail(e, v, "a Date does not convert to a number column");
        }
        wide_from_i64(w, v->u.i);
        for (int i = 0; i < scale; i++) {
            if (!wide_mul10_add(w, 0)) {
                return fail(e, v, "overflow");
            }
        }
        return KC_OK;
    case CDATA_BOOLEAN:
        wide_from_i64(w, v->u.b ? 1 : 0);
        for (int i = 0; i < scale; i++) {
            wide_mul10_add(w, 0);
        }
        return KC_OK;
    case CDATA_FLOAT32:
    case CDATA_FLOAT64:
        if (!isfinite(v->u.f)) {
            return fail(e, v, "not a finite number");
        }
        if (!raw_text(e, v, &s, &n)) {
            /* %.17g round-trips a double; its decimal expansion is what we scale. */
            n = (size_t)snprintf(tmp, sizeof(tmp), "%.17g", v->u.f);
            s = tmp;
        }
        break;
    case CDATA_STRING:
        s = v->u.s;
        n = v->n;
        break;
    case CDATA_BYTES:
        if (v->schema != NULL && cdata_schema_is(v->schema, CDATA_LOGICAL_DECIMAL)) {
            /* Big-endian two's complement unscaled value, at the schema's scale. */
            int32_t vs;
            if (cdata_decimal_scale(v->schema, &vs, NULL) != KC_OK || v->n > 32 || vs < 0) {
                return fail(e, v, "Decimal with a bad scale or more than 32 bytes");
            }
            const unsigned char *b = (const unsigned char *)v->u.s;
            unsigned char le[32];
            int negv = v->n > 0 && (b[0] & 0x80);
            memset(le, negv ? 0xff : 0, sizeof(le));
            for (uint32_t i = 0; i < v->n; i++) {
                le[i] = b[v->n - 1 - i];
            }
            memset(w, 0, sizeof(*w));
            for (int i = 0; i < 32; i++) {
                w->m[i / 8] |= (uint64_t)le[i] << (8 * (i % 8));
            }
            if (negv) {
                unsigned __int128 carry = 1;
                for (int i = 0; i < 4; i++) {
                    unsigned __int128 x = (unsigned __int128)(~w->m[i]) + carry;
                    w->m[i] = (uint64_t)x;
                    carry = x >> 64;
                }
                w->neg = 1;
            }
            for (int i = vs; i < scale; i++) {
                if (!wide_mul10_add(w, 0)) {
                    return fail(e, v, "overflow");
                }
            }
            for (int i = scale; i < vs; i++) {
                wide_div10(w); /* truncates, as ClickHouse's Decimal conversion */
            }
            (void)integer_only; /* a Decimal into an integer column is truncated, as ClickHouse */
            return KC_OK;
        }
        return fail(e, v, "bytes do not convert to a number");
    default:
        return fail(e, v, "not a number");
    }
    r = wide_parse(s, n, scale, w, &lost);
    if (r == 0) {
        return fail(e, v, "not a number");
    }
    if (r < 0) {
        return fail(e, v, "overflow");
    }
    if (integer_only && lost) {
        return fail(e, v, "not an integer");
    }
    return KC_OK;
}

static int enc_int(struct enc *e, const struct cdata_value *v, int width, int is_signed)
{
    /* Shortcut for the common case: a 64-bit integer into a <= 64-bit column. */
    if (width <= 8 && v->type >= CDATA_INT8 && v->type <= CDATA_INT64 &&
        !(e->tree && (jfast_node_of(v)->flags & JFAST_F_BIG)) &&
        !(v->schema != NULL && cdata_schema_is(v->schema, CDATA_LOGICAL_DATE))) {
        int64_t x = v->u.i;
        if (is_signed) {
            int64_t lo = width == 8 ? INT64_MIN : -((int64_t)1 << (width * 8 - 1));
            int64_t hi = width == 8 ? INT64_MAX : ((int64_t)1 << (width * 8 - 1)) - 1;
            if (x < lo || x > hi) {
                return fail(e, v, "out of range for a %d-bit signed integer", width * 8);
            }
        } else if (x < 0 || (width < 8 && (uint64_t)x >> (width * 8))) {
            return fail(e, v, "out of range for a %d-bit unsigned integer", width * 8);
        }
        return put_le(e, (uint64_t)x, width);
    }
    struct wide w;
    int rc = get_wide(e, v, 0, 1, &w);
    return rc != KC_OK ? rc : put_wide(e, v, &w, width, is_signed);
}

static int get_double(struct enc *e, const struct cdata_value *v, double *d)
{
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64:
        *d = (double)v->u.i;
        return KC_OK;
    case CDATA_FLOAT32:
    case CDATA_FLOAT64:
        *d = v->u.f;
        return KC_OK;
    case CDATA_BOOLEAN:
        *d = v->u.b ? 1 : 0;
        return KC_OK;
    case CDATA_STRING: {
        char *end;
        char tmp[128];
        if (v->n == 0 || v->n >= sizeof(tmp)) {
            return fail(e, v, "not a number");
        }
        memcpy(tmp, v->u.s, v->n);
        tmp[v->n] = '\0';
        *d = strtod(tmp, &end);
        if (*end != '\0') {
            return fail(e, v, "not a number");
        }
        return KC_OK;
    }
    default:
        return fail(e, v, "not a number");
    }
}

/* ---- time ---- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, size_t n, size_t at, size_t k, int *out)
{
    if (at + k > n) {
        return 0;
    }
    int v = 0;
    for (size_t i = 0; i < k; i++) {
        if (s[at + i] < '0' || s[at + i] > '9') {
            return 0;
        }
        v = v * 10 + (s[at + i] - '0');
    }
    *out = v;
    return 1;
}

int clickhouse_parse_datetime(const char *s, size_t n, int64_t *sec, uint32_t *nanos,
                              int *has_zone, struct kc_error *err)
{
    int y, mo, d, h = 0, mi = 0, se = 0;
    size_t i = 0;
    *nanos = 0;
    *has_zone = 0;
    if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d)) {
        goto bad;
    }
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
        (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))) {
        goto bad;
    }
    i = 10;
    if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
        i++;
        if (!digits(s, n, i, 2, &h) || i + 2 >= n || s[i + 2] != ':' ||
            !digits(s, n, i + 3, 2, &mi)) {
            goto bad;
        }
        i += 5;
        if (i < n && s[i] == ':') {
            if (!digits(s, n, i + 1, 2, &se)) {
                goto bad;
            }
            i += 3;
            if (i < n && (s[i] == '.' || s[i] == ',')) {
                i++;
                size_t fs = i;
                uint32_t f = 0;
                while (i < n && s[i] >= '0' && s[i] <= '9') {
                    if (i - fs < 9) {
                        f = f * 10 + (uint32_t)(s[i] - '0');
                    }
                    i++;
                }
                if (i == fs) {
                    goto bad;
                }
                for (size_t k = i - fs; k < 9; k++) {
                    f *= 10;
                }
                *nanos = f;
            }
        }
        if (h > 23 || mi > 59 || se > 60) {
            goto bad;
        }
    }
    int64_t off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        *has_zone = 1;
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-') && i > 10) {
        int oh, om = 0, sign = s[i] == '-' ? -1 : 1;
        i++;
        if (!digits(s, n, i, 2, &oh)) {
            goto bad;
        }
        i += 2;
        if (i < n && s[i] == ':') {
            i++;
        }
        if (i < n && !digits(s, n, i, 2, &om)) {
            goto bad;
        }
        if (i < n) {
            i += 2;
        }
        if (oh > 18 || om > 59) {
            goto bad;
        }
        off = sign * (oh * 3600 + om * 60);
        *has_zone = 1;
    }
    if (i != n) {
        goto bad;
    }
    *sec = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off;
    return KC_OK;
bad:
    return kc_error_set(err, KC_EINVAL, "'%.*s' is not a date-time (expected YYYY-MM-DD[Thh:mm:ss"
                        "[.fraction]][Z|+hh:mm])", (int)(n > 64 ? 64 : n), s);
}

static int tz_is_utc(const char *tz)
{
    return tz == NULL || strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0 ||
           strcmp(tz, "GMT") == 0 || strcmp(tz, "Etc/GMT") == 0 || strcmp(tz, "UCT") == 0 ||
           strcmp(tz, "Zulu") == 0 || strcmp(tz, "Etc/Zulu") == 0 || strcmp(tz, "Z") == 0;
}

static int64_t pow10i(int p)
{
    int64_t r = 1;
    while (p-- > 0) {
        r *= 10;
    }
    return r;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/*
 * Any accepted input into ticks of 10^-prec seconds (prec 0 = DateTime seconds).
 * *as_days: the input was a plain date (Date/Date32 want days).
 */
static int get_ticks(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *v,
                     int prec, int64_t *ticks)
{
    const int64_t scale = pow10i(prec);
    const struct cdata_schema *sc = v->schema;
    if (v->type >= CDATA_INT8 && v->type <= CDATA_INT64) {
        if (sc != NULL && cdata_schema_is(sc, CDATA_LOGICAL_TIMESTAMP)) {
            /* Connect Timestamp: epoch millis, rescaled (the JVM writer does the same). */
            if (prec >= 3) {
                int64_t m = pow10i(prec - 3);
                if (v->u.i > INT64_MAX / m || v->u.i < INT64_MIN / m) {
                    return fail(e, v, "overflow");
                }
                *ticks = v->u.i * m;
            } else {
                *ticks = floor_div(v->u.i, pow10i(3 - prec));
            }
            return KC_OK;
        }
        if (sc != NULL && cdata_schema_is(sc, CDATA_LOGICAL_DATE)) {
            if (v->u.i > INT64_MAX / 86400 / scale || v->u.i < INT64_MIN / 86400 / scale) {
                return fail(e, v, "overflow");
            }
            *ticks = v->u.i * 86400 * scale;
            return KC_OK;
        }
        if (sc != NULL && t->kind == CH_DATETIME64) {
            /* Schema'd INT64 into DateTime64: already ticks (the official RowBinary writer). */
            *ticks = v->u.i;
            return KC_OK;
        }
        /* Schema'd int into DateTime, or a schemaless number: seconds (JSONEachRow). */
        if (v->u.i > INT64_MAX / scale || v->u.i < INT64_MIN / scale) {
            return fail(e, v, "overflow");
        }
        *ticks = v->u.i * scale;
        return KC_OK;
    }
    if (v->type == CDATA_FLOAT32 || v->type == CDATA_FLOAT64) {
        /* Seconds with a fraction: exact through the decimal text. */
        struct wide w;
        int rc = get_wide(e, v, prec, 0, &w);
        if (rc != KC_OK) {
            return rc;
        }
        if (w.m[1] || w.m[2] || w.m[3] || w.m[0] > (uint64_t)INT64_MAX) {
            return fail(e, v, "overflow");
        }
        *ticks = w.neg ? -(int64_t)w.m[0] : (int64_t)w.m[0];
        return KC_OK;
    }
    if (v->type == CDATA_STRING) {
        size_t nd = 0;
        while (nd < v->n && v->u.s[nd] >= '0' && v->u.s[nd] <= '9') {
            nd++;
        }
        if (nd == v->n && nd > 0) {
            /* ClickHouse's text rule: up to 10 digits are seconds, more are ticks. */
            struct wide w;
            int lost;
            if (wide_parse(v->u.s, v->n, nd <= 10 ? prec : 0, &w, &lost) != 1 || w.m[1] ||
                w.m[0] > (uint64_t)INT64_MAX) {
                return fail(e, v, "overflow");
            }
            *ticks = (int64_t)w.m[0];
            return KC_OK;
        }
        int64_t sec;
        uint32_t nanos;
        int has_zone;
        struct kc_error perr;
        if (clickhouse_parse_datetime(v->u.s, v->n, &sec, &nanos, &has_zone, &perr) != KC_OK) {
            return fail(e, v, "%s", perr.msg);
        }
        if (!has_zone && !tz_is_utc(t->tz)) {
            return fail(e, v, "a date-time without offset for a column in time zone '%s' (only UTC "
                        "is implemented for naive text; add Z or +hh:mm)", t->tz);
        }
        if (sec > INT64_MAX / scale - 1 || sec < INT64_MIN / scale + 1) {
            return fail(e, v, "overflow");
        }
        *ticks = sec * scale + (int64_t)(nanos / (uint32_t)pow10i(9 - prec));
        return KC_OK;
    }
    return fail(e, v, "not a date-time");
}

/* Days since the epoch for Date/Date32. */
static int get_days(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *v,
                    int64_t *days)
{
    const struct cdata_schema *sc = v->schema;
    if (v->type >= CDATA_INT8 && v->type <= CDATA_INT64) {
        if (sc != NULL && cdata_schema_is(sc, CDATA_LOGICAL_TIMESTAMP)) {
            *days = floor_div(v->u.i, 86400000);
        } else {
            *days = v->u.i; /* Connect Date, a schema'd int, or a JSON number: days */
        }
        return KC_OK;
    }
    if (v->type == CDATA_STRING) {
        int64_t sec;
        uint32_t nanos;
        int has_zone;
        struct kc_error perr;
        if (clickhouse_parse_datetime(v->u.s, v->n, &sec, &nanos, &has_zone, &perr) != KC_OK) {
            return fail(e, v, "%s", perr.msg);
        }
        (void)t;
        *days = floor_div(sec, 86400);
        return KC_OK;
    }
    return fail(e, v, "not a date");
}

/* ---- the per-type encoder ---- */

static int enc_value(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *v);

/* The zero value of a type: what a missing or null field becomes where no DEFAULT applies. */
static int enc_zero(struct enc *e, const struct clickhouse_type *t)
{
    static const unsigned char zeros[32];
    switch (t->kind) {
    case CH_INT8: case CH_UINT8: case CH_BOOL: return put(e, zeros, 1);
    case CH_INT16: case CH_UINT16: case CH_DATE: return put(e, zeros, 2);
    case CH_INT32: case CH_UINT32: case CH_FLOAT32: case CH_DATE32: case CH_DATETIME:
    case CH_IPV4:
        return put(e, zeros, 4);
    case CH_INT64: case CH_UINT64: case CH_FLOAT64: case CH_DATETIME64: return put(e, zeros, 8);
    case CH_INT128: case CH_UINT128: case CH_UUID: case CH_IPV6: return put(e, zeros, 16);
    case CH_INT256: case CH_UINT256: return put(e, zeros, 32);
    case CH_DECIMAL: return put(e, zeros, (size_t)clickhouse_decimal_width(t->precision));
    case CH_STRING: case CH_ARRAY: case CH_MAP: return put(e, zeros, 1); /* length/count 0 */
    case CH_FIXEDSTRING:
        for (uint32_t i = 0; i < t->fixed_len; i += 32) {
            int rc = put(e, zeros, t->fixed_len - i < 32 ? t->fixed_len - i : 32);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    case CH_ENUM8:
    case CH_ENUM16: {
        /* ClickHouse's Enum default is its smallest value. */
        int m = t->n_enum ? t->enum_values[0] : 0;
        for (size_t i = 1; i < t->n_enum; i++) {
            m = t->enum_values[i] < m ? t->enum_values[i] : m;
        }
        return put_le(e, (uint64_t)(int64_t)m, t->kind == CH_ENUM8 ? 1 : 2);
    }
    case CH_NULLABLE: case CH_NOTHING: return put_le(e, 1, 1);
    case CH_LOWCARDINALITY: return enc_zero(e, t->args[0]);
    case CH_TUPLE:
        for (size_t i = 0; i < t->n_args; i++) {
            int rc = enc_zero(e, t->args[i]);
            if (rc != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    }
    return KC_OK;
}

static int enc_string(struct enc *e, const struct cdata_value *v, const char **s, size_t *n,
                      char *tmp, size_t tmp_len)
{
    const char *raw;
    size_t rn;
    switch (v->type) {
    case CDATA_STRING:
    case CDATA_BYTES:
        *s = v->u.s;
        *n = v->n;
        return KC_OK;
    case CDATA_INT8: case CDATA_INT16: case CDATA_INT32: case CDATA_INT64:
    case CDATA_FLOAT32: case CDATA_FLOAT64:
        /* A JSON number into a String column keeps its text (JSONEachRow reads it so). */
        if (raw_text(e, v, &raw, &rn)) {
            *s = raw;
            *n = rn;
            return KC_OK;
        }
        if (v->type <= CDATA_INT64) {
            *n = (size_t)snprintf(tmp, tmp_len, "%lld", (long long)v->u.i);
        } else {
            *n = (size_t)snprintf(tmp, tmp_len, "%.17g", v->u.f);
        }
        *s = tmp;
        return KC_OK;
    case CDATA_BOOLEAN:
        *s = v->u.b ? "true" : "false";
        *n = strlen(*s);
        return KC_OK;
    default:
        return fail(e, v, "not a string");
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int enc_uuid(struct enc *e, const struct cdata_value *v)
{
    unsigned char b[16];
    if (v->type == CDATA_BYTES && v->n == 16) {
        memcpy(b, v->u.s, 16);
    } else if (v->type == CDATA_STRING) {
        size_t k = 0;
        for (size_t i = 0; i < v->n; i++) {
            char c = v->u.s[i];
            if (c == '-' && (i == 8 || i == 13 || i == 18 || i == 23) && v->n == 36) {
                continue;
            }
            int hi = hexval(c), lo = i + 1 < v->n ? hexval(v->u.s[i + 1]) : -1;
            if (hi < 0 || lo < 0 || k >= 16) {
                return fail(e, v, "not a UUID");
            }
            b[k++] = (unsigned char)(hi << 4 | lo);
            i++;
        }
        if (k != 16 || (v->n != 36 && v->n != 32)) {
            return fail(e, v, "not a UUID");
        }
    } else {
        return fail(e, v, "not a UUID");
    }
    /* ClickHouse keeps a UUID as two UInt64 (high half first), each little-endian. */
    unsigned char o[16];
    for (int i = 0; i < 8; i++) {
        o[i] = b[7 - i];
        o[8 + i] = b[15 - i];
    }
    return put(e, o, 16);
}

static int enc_enum(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *v)
{
    int width = t->kind == CH_ENUM8 ? 1 : 2;
    if (v->type == CDATA_STRING) {
        for (size_t i = 0; i < t->n_enum; i++) {
            if (strlen(t->enum_names[i]) == v->n && memcmp(t->enum_names[i], v->u.s, v->n) == 0) {
                return put_le(e, (uint64_t)(int64_t)t->enum_values[i], width);
            }
        }
        return fail(e, v, "not one of the Enum's names");
    }
    if (v->type >= CDATA_INT8 && v->type <= CDATA_INT64) {
        for (size_t i = 0; i < t->n_enum; i++) {
            if (t->enum_values[i] == v->u.i) {
                return put_le(e, (uint64_t)v->u.i, width);
            }
        }
        return fail(e, v, "not one of the Enum's values");
    }
    return fail(e, v, "not an Enum name or value");
}

static int enc_ip(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *v)
{
    char tmp[64];
    if (t->kind == CH_IPV4) {
        if (v->type >= CDATA_INT8 && v->type <= CDATA_INT64) {
            if (v->u.i < 0 || v->u.i > 0xffffffffLL) {
                return fail(e, v, "out of range for IPv4");
            }
            return put_le(e, (uint64_t)v->u.i, 4);
        }
        struct in_addr a;
        if (v->type != CDATA_STRING || v->n >= sizeof(tmp)) {
            return fail(e, v, "not an IPv4 address");
        }
        memcpy(tmp, v->u.s, v->n);
        tmp[v->n] = '\0';
        if (inet_pton(AF_INET, tmp, &a) != 1) {
            return fail(e, v, "not an IPv4 address");
        }
        return put_le(e, ntohl(a.s_addr), 4);
    }
    if (v->type == CDATA_BYTES && v->n == 16) {
        return put(e, v->u.s, 16);
    }
    if (v->type != CDATA_STRING || v->n >= sizeof(tmp)) {
        return fail(e, v, "not an IPv6 address");
    }
    memcpy(tmp, v->u.s, v->n);
    tmp[v->n] = '\0';
    unsigned char b[16];
    struct in_addr a4;
    if (inet_pton(AF_INET6, tmp, b) == 1) {
        return put(e, b, 16);
    }
    if (inet_pton(AF_INET, tmp, &a4) == 1) {
        /* An IPv4 text into IPv6 becomes the mapped address ::ffff:a.b.c.d, as ClickHouse does. */
        memset(b, 0, 10);
        b[10] = b[11] = 0xff;
        memcpy(b + 12, &a4.s_addr, 4);
        return put(e, b, 16);
    }
    return fail(e, v, "not an IPv6 address");
}

/* Element i of a Tuple from a STRUCT/MAP (by name, or by position when unnamed) or an ARRAY. */
static int tuple_elem(const struct clickhouse_type *t, const struct cdata_value *v, size_t i,
                      const struct cdata_value **out, int *found)
{
    *out = NULL;
    *found = 0;
    if (v->type == CDATA_ARRAY) {
        if (i < v->n) {
            *out = v->u.items[i];
            *found = 1;
        }
        return KC_OK;
    }
    if (v->type == CDATA_STRUCT) {
        if (t->names[i] != NULL) {
            const struct cdata_field *f = cdata_schema_field(v->schema, t->names[i]);
            if (f != NULL) {
                *out = v->u.items[f->index];
                *found = 1;
            }
        } else if (i < v->n) {
            *out = v->u.items[i];
            *found = 1;
        }
        return KC_OK;
    }
    if (v->type == CDATA_MAP) {
        if (t->names[i] != NULL) {
            long k = cdata_map_find(v, t->names[i], strlen(t->names[i]));
            if (k >= 0) {
                *out = v->u.map.vals[k];
                *found = 1;
            }
        } else if (i < v->n) {
            *out = v->u.map.vals[i];
            *found = 1;
        }
        return KC_OK;
    }
    return KC_EINVAL;
}

static int enc_value(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *v)
{
    int rc;
    if (t->kind == CH_NULLABLE) {
        if (v == NULL) {
            return put_le(e, 1, 1);
        }
        rc = put_le(e, 0, 1);
        return rc != KC_OK ? rc : enc_value(e, t->args[0], v);
    }
    if (t->kind == CH_LOWCARDINALITY) {
        return enc_value(e, t->args[0], v);
    }
    if (v == NULL) {
        /* null inside a non-Nullable type: the type's zero value (input_format_null_as_default;
         * the official connector writes null arrays as empty ones). */
        return enc_zero(e, t);
    }
    switch (t->kind) {
    case CH_INT8: return enc_int(e, v, 1, 1);
    case CH_INT16: return enc_int(e, v, 2, 1);
    case CH_INT32: return enc_int(e, v, 4, 1);
    case CH_INT64: return enc_int(e, v, 8, 1);
    case CH_INT128: return enc_int(e, v, 16, 1);
    case CH_INT256: return enc_int(e, v, 32, 1);
    case CH_UINT8: return enc_int(e, v, 1, 0);
    case CH_UINT16: return enc_int(e, v, 2, 0);
    case CH_UINT32: return enc_int(e, v, 4, 0);
    case CH_UINT64: return enc_int(e, v, 8, 0);
    case CH_UINT128: return enc_int(e, v, 16, 0);
    case CH_UINT256: return enc_int(e, v, 32, 0);
    case CH_BOOL: {
        int b;
        if (v->type == CDATA_BOOLEAN) {
            b = v->u.b != 0;
        } else if (v->type >= CDATA_INT8 && v->type <= CDATA_INT64) {
            b = v->u.i != 0;
        } else if (v->type == CDATA_FLOAT64 || v->type == CDATA_FLOAT32) {
            b = v->u.f != 0;
        } else if (v->type == CDATA_STRING && (v->n == 4 && memcmp(v->u.s, "true", 4) == 0)) {
            b = 1;
        } else if (v->type == CDATA_STRING && (v->n == 5 && memcmp(v->u.s, "false", 5) == 0)) {
            b = 0;
        } else {
            return fail(e, v, "not a boolean");
        }
        return put_le(e, (uint64_t)b, 1);
    }
    case CH_FLOAT32:
    case CH_FLOAT64: {
        double d = 0;
        if ((rc = get_double(e, v, &d)) != KC_OK) {
            return rc;
        }
        if (t->kind == CH_FLOAT64) {
            uint64_t u;
            memcpy(&u, &d, 8);
            return put_le(e, u, 8);
        }
        if (isfinite(d) && fabs(d) > 3.4028234663852886e38) {
            return fail(e, v, "out of range for Float32");
        }
        float f = (float)d;
        uint32_t u;
        memcpy(&u, &f, 4);
        return put_le(e, u, 4);
    }
    case CH_DECIMAL: {
        struct wide w;
        if ((rc = get_wide(e, v, t->scale, 0, &w)) != KC_OK) {
            return rc;
        }
        if (!wide_fits_digits(&w, t->precision)) {
            return fail(e, v, "more than %d digits", t->precision);
        }
        return put_wide(e, v, &w, clickhouse_decimal_width(t->precision), 1);
    }
    case CH_STRING:
    case CH_FIXEDSTRING: {
        const char *s = NULL;
        size_t n = 0;
        char tmp[40];
        if ((rc = enc_string(e, v, &s, &n, tmp, sizeof(tmp))) != KC_OK) {
            return rc;
        }
        if (t->kind == CH_STRING) {
            rc = put_leb128(e, n);
            return rc != KC_OK ? rc : put(e, s, n);
        }
        if (n > t->fixed_len) {
            return fail(e, v, "%zu bytes do not fit FixedString(%u)", n, t->fixed_len);
        }
        if ((rc = put(e, s, n)) != KC_OK) {
            return rc;
        }
        for (size_t i = n; i < t->fixed_len; i++) {
            if ((rc = put_le(e, 0, 1)) != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    }
    case CH_UUID: return enc_uuid(e, v);
    case CH_DATE:
    case CH_DATE32: {
        int64_t days = 0;
        if ((rc = get_days(e, t, v, &days)) != KC_OK) {
            return rc;
        }
        if (t->kind == CH_DATE) {
            if (days < 0 || days > 65535) {
                return fail(e, v, "outside Date's range 1970-01-01..2149-06-06");
            }
            return put_le(e, (uint64_t)days, 2);
        }
        if (days < INT32_MIN || days > INT32_MAX) {
            return fail(e, v, "outside Date32's range");
        }
        return put_le(e, (uint64_t)days, 4);
    }
    case CH_DATETIME: {
        int64_t s = 0;
        if ((rc = get_ticks(e, t, v, 0, &s)) != KC_OK) {
            return rc;
        }
        if (s < 0 || s > 0xffffffffLL) {
            return fail(e, v, "outside DateTime's range 1970..2106");
        }
        return put_le(e, (uint64_t)s, 4);
    }
    case CH_DATETIME64: {
        int64_t ticks = 0;
        if ((rc = get_ticks(e, t, v, t->precision, &ticks)) != KC_OK) {
            return rc;
        }
        return put_le(e, (uint64_t)ticks, 8);
    }
    case CH_ENUM8:
    case CH_ENUM16: return enc_enum(e, t, v);
    case CH_IPV4:
    case CH_IPV6: return enc_ip(e, t, v);
    case CH_ARRAY:
        if (v->type != CDATA_ARRAY) {
            return fail(e, v, "not an array");
        }
        if ((rc = put_leb128(e, v->n)) != KC_OK) {
            return rc;
        }
        for (uint32_t i = 0; i < v->n; i++) {
            if ((rc = enc_value(e, t->args[0], v->u.items[i])) != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    case CH_MAP:
        if (v->type != CDATA_MAP) {
            return fail(e, v, "not a map");
        }
        if ((rc = put_leb128(e, v->n)) != KC_OK) {
            return rc;
        }
        for (uint32_t i = 0; i < v->n; i++) {
            if ((rc = enc_value(e, t->args[0], v->u.map.keys[i])) != KC_OK ||
                (rc = enc_value(e, t->args[1], v->u.map.vals[i])) != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    case CH_TUPLE:
        for (size_t i = 0; i < t->n_args; i++) {
            const struct cdata_value *x;
            int found;
            if (tuple_elem(t, v, i, &x, &found) != KC_OK) {
                return fail(e, v, "not a struct, object or array for a Tuple");
            }
            if ((rc = enc_value(e, t->args[i], x)) != KC_OK) {
                return rc;
            }
        }
        return KC_OK;
    case CH_NOTHING:
        return fail(e, v, "only NULL fits Nothing");
    case CH_NULLABLE:
    case CH_LOWCARDINALITY:
        break; /* handled above */
    }
    return fail(e, v, "unsupported type");
}

/* ---- rows ---- */

/* Field `name` of a row: *found = 0 when absent; *v NULL for null. */
static void row_field(const struct cdata_value *row, const char *name, size_t len,
                      const struct cdata_value **v, int *found)
{
    *v = NULL;
    *found = 0;
    if (row->type == CDATA_STRUCT) {
        for (size_t i = 0; i < row->schema->n_fields; i++) {
            const struct cdata_field *f = &row->schema->fields[i];
            if (strlen(f->name) == len && memcmp(f->name, name, len) == 0) {
                *v = row->u.items[f->index];
                *found = 1;
                return;
            }
        }
    } else if (row->type == CDATA_MAP) {
        long k = cdata_map_find(row, name, len);
        if (k >= 0) {
            *v = row->u.map.vals[k];
            *found = 1;
        }
    }
}

/* row_field for column i of the plan. A JSON object (json: parsed by jfast, so each key is
 * there once) is looked up first where column i's key was in the previous object; other maps
 * (an Avro map may repeat a key) are searched from the start, first match, as before. */
static void row_field_col(const struct clickhouse_rb_plan *p, size_t i, int json,
                          const struct cdata_value *row, const struct cdata_value **v, int *found)
{
    const char *name = p->table->cols[i].name;
    size_t len = p->name_len[i];
    if (row->type == CDATA_MAP && json) {
        uint32_t h = p->hint[i];
        if (h < row->n) {
            const struct cdata_value *k = row->u.map.keys[h];
            if (k != NULL && k->type == CDATA_STRING && k->n == len &&
                memcmp(k->u.s, name, len) == 0) {
                *v = row->u.map.vals[h];
                *found = 1;
                return;
            }
        }
        long at = cdata_map_find(row, name, len);
        *v = at >= 0 ? row->u.map.vals[at] : NULL;
        *found = at >= 0;
        if (at >= 0) {
            p->hint[i] = (uint32_t)at;
        }
        return;
    }
    row_field(row, name, len, v, found);
}

/* Flattened Nested: column "n.a" Array(T) from field n = [{a:..}, ...]. */
static int enc_nested(struct enc *e, const struct clickhouse_type *t, const struct cdata_value *arr,
                      const char *sub)
{
    int rc = put_leb128(e, arr->n);
    for (uint32_t i = 0; i < arr->n && rc == KC_OK; i++) {
        const struct cdata_value *el = arr->u.items[i], *x = NULL;
        int found = 0;
        if (el != NULL && (el->type == CDATA_MAP || el->type == CDATA_STRUCT)) {
            row_field(el, sub, strlen(sub), &x, &found);
        }
        rc = enc_value(e, t->args[0], x);
    }
    return rc;
}

/* A type whose value converts from a literal's text the same way here and in the server: no
 * time zone, no compound value. */
static int literal_safe(const struct clickhouse_type *t)
{
    switch (t->kind) {
    case CH_NULLABLE:
    case CH_LOWCARDINALITY:
        return literal_safe(t->args[0]);
    case CH_DATE:
    case CH_DATE32:
    case CH_DATETIME:
    case CH_DATETIME64:
    case CH_ARRAY:
    case CH_MAP:
    case CH_TUPLE:
    case CH_NOTHING:
        return 0;
    default:
        return 1;
    }
}

/* Skip the decimal digits at s[*i..n); 0 when there is none. */
static int skip_digits(const char *s, size_t n, size_t *i)
{
    size_t from = *i;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
        (*i)++;
    }
    return *i > from;
}

/* Length of the quoted SQL string at s (quote to quote, backslash escapes and '' inside),
 * 0 when s does not start one or it does not end. */
static size_t quoted_len(const char *s, size_t n)
{
    if (n < 2 || s[0] != '\'') {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '\'') {
            if (i + 1 < n && s[i + 1] == '\'') {
                i++;
            } else {
                return i + 1;
            }
        }
    }
    return 0;
}

/*
 * The DEFAULT expression of c as a JSON value in j, when it is a plain literal: a quoted SQL
 * string ('it''s', 'a\tb') or a decimal number (-1, 2.5, 1e3), bare or as the server shows a
 * literal of another type than the column's: CAST(<literal>, '<type>'). 0 when it is anything
 * else.
 */
static int literal_as_json(const char *expr, struct kc_buf *j)
{
    while (*expr == ' ') {
        expr++;
    }
    size_t n = strlen(expr);
    while (n > 0 && expr[n - 1] == ' ') {
        n--;
    }
    if (n > 7 && strncmp(expr, "CAST(", 5) == 0 && expr[n - 1] == ')') {
        const char *in = expr + 5;
        size_t m = n - 6, lit = quoted_len(in, m);
        if (lit == 0) {
            while (lit < m && strchr("+-.0123456789eE", in[lit]) != NULL) {
                lit++;
            }
        }
        /* then ", '<type>'" and nothing else */
        if (lit == 0 || lit + 2 >= m || in[lit] != ',' || in[lit + 1] != ' ' ||
            quoted_len(in + lit + 2, m - lit - 2) != m - lit - 2) {
            return 0;
        }
        expr = in;
        n = lit;
    }
    if (n >= 2 && expr[0] == '\'' && expr[n - 1] == '\'') {
        static const char hex[] = "0123456789abcdef";
        int rc = kc_buf_append_byte(j, '"');
        for (size_t i = 1; i + 1 < n && rc == KC_OK; i++) {
            unsigned char ch = (unsigned char)expr[i];
            if (ch == '\'') {
                if (expr[i + 1] != '\'' || i + 2 >= n) {
                    return 0; /* a lone quote: not one literal */
                }
                i++;
            } else if (ch == '\\') {
                if (i + 2 >= n) {
                    return 0;
                }
                char x = expr[++i];
                ch = x == 'n' ? '\n' : x == 't' ? '\t' : x == 'r' ? '\r' : x == '0' ? '\0'
                   : x == 'b' ? '\b' : x == 'f' ? '\f' : (unsigned char)x;
                if (x == 'x') {
                    return 0; /* \xHH: rare; leave it to the server */
                }
            }
            if (ch == '"' || ch == '\\') {
                rc = kc_buf_append_byte(j, '\\');
                rc = rc ? rc : kc_buf_append_byte(j, ch);
            } else if (ch < 0x20) {
                char u[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
                rc = kc_buf_append(j, u, 6);
            } else {
                rc = kc_buf_append_byte(j, ch);
            }
        }
        rc = rc ? rc : kc_buf_append_byte(j, '"');
        return rc == KC_OK;
    }
    /* -?digits(.digits)?([eE][+-]?digits)? and nothing else */
    size_t i = expr[0] == '-' ? 1 : 0;
    if (!skip_digits(expr, n, &i)) {
        return 0;
    }
    if (i < n && expr[i] == '.' && (++i, !skip_digits(expr, n, &i))) {
        return 0;
    }
    if (i < n && (expr[i] == 'e' || expr[i] == 'E')) {
        i++;
        if (i < n && (expr[i] == '+' || expr[i] == '-')) {
            i++;
        }
        if (!skip_digits(expr, n, &i)) {
            return 0;
        }
    }
    return i == n && kc_buf_append(j, expr, n) == KC_OK;
}

/* Encode the literal DEFAULTs of a plain-RowBinary plan (see the header). Columns whose
 * literal does not encode keep the column-list way. */
static int plan_literal_defaults(struct clickhouse_rb_plan *p, struct kc_error *err)
{
    const struct clickhouse_table *tb = p->table;
    p->def_at = kc_calloc(tb->n_cols, sizeof(size_t));
    p->def_len = kc_calloc(tb->n_cols, sizeof(size_t));
    if (p->def_at == NULL || p->def_len == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    struct kc_arena a;
    struct kc_buf json;
    kc_arena_init(&a, 4096, (size_t)1 << 20);
    kc_buf_init(&json, (size_t)1 << 20);
    int rc = KC_OK;
    for (size_t i = 0; i < tb->n_cols && rc == KC_OK; i++) {
        const struct clickhouse_column *c = &tb->cols[i];
        if (c->def != CH_DEFAULT_DEFAULT || !clickhouse_column_insertable(c) ||
            c->default_expr == NULL || !literal_safe(c->type)) {
            continue;
        }
        kc_buf_reset(&json);
        if (!literal_as_json(c->default_expr, &json)) {
            continue;
        }
        struct jfast j;
        const struct cdata_value *v = NULL;
        enum jfast_result res;
        struct kc_error perr;
        jfast_init(&j, 1);
        int prc = jfast_parse(&j, (const char *)json.data, json.len, &a, &v, &res, &perr);
        jfast_fini(&j);
        if (prc != KC_OK || v == NULL) {
            continue;
        }
        size_t at = p->def_bytes.len;
        struct enc e = {.plan = p, .out = &p->def_bytes, .err = &perr, .col = c, .tree = 1};
        prc = enc_value(&e, c->type, v);
        if (prc == KC_ENOMEM) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        } else if (prc == KC_OK && p->def_bytes.len > at) {
            p->def_at[i] = at;
            p->def_len[i] = p->def_bytes.len - at;
            p->send[i] = 1; /* always sent: rows that lack it get the literal */
        } else {
            p->def_bytes.len = at;
        }
        kc_arena_reset(&a);
    }
    kc_arena_fini(&a);
    kc_buf_fini(&json);
    return rc;
}

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    }
    return h;
}

static void flat_free(struct ch_rb_flat *f)
{
    if (f != NULL) {
        kc_jscan_fini(&f->js);
        kc_free(f->node);
        kc_free(f->val);
        kc_free(f->found);
        kc_free(f->pos);
        kc_free(f->slot);
        kc_free(f);
    }
}

/* The flat path for table, or NULL when it has flattened Nested columns (`n.a` found in an
 * array field n: the tree path's business) or memory runs out (the tree path still works). */
static struct ch_rb_flat *flat_new(const struct clickhouse_table *tb, const size_t *name_len)
{
    size_t nc = tb->n_cols;
    if (nc == 0 || nc > UINT32_MAX / 4) {
        return NULL;
    }
    for (size_t i = 0; i < nc; i++) {
        if (tb->cols[i].type->kind == CH_ARRAY && memchr(tb->cols[i].name, '.', name_len[i])) {
            return NULL;
        }
    }
    struct ch_rb_flat *f = kc_calloc(1, sizeof(*f));
    if (f == NULL) {
        return NULL;
    }
    kc_jscan_init(&f->js, KC_JSCAN_JACKSON, JFAST_MAX_DEPTH);
    f->npos = nc + 8; /* a few unknown keys among the columns keep their places too */
    f->nslot = 16;
    while (f->nslot < 2 * nc) {
        f->nslot *= 2;
    }
    f->node = kc_calloc(nc, sizeof(*f->node));
    f->val = kc_calloc(nc, sizeof(*f->val));
    f->found = kc_calloc(nc, 1);
    f->pos = kc_calloc(f->npos, sizeof(*f->pos));
    f->slot = kc_calloc(f->nslot, sizeof(*f->slot));
    if (f->node == NULL || f->val == NULL || f->found == NULL || f->pos == NULL ||
        f->slot == NULL) {
        flat_free(f);
        return NULL;
    }
    for (size_t i = 0; i < nc; i++) {
        size_t h = name_hash(tb->cols[i].name, name_len[i]) & (f->nslot - 1);
        while (f->slot[h] != 0) {
            h = (h + 1) & (f->nslot - 1);
        }
        f->slot[h] = (uint32_t)(i + 1);
    }
    return f;
}

int clickhouse_rb_plan_init(struct clickhouse_rb_plan *p, const struct clickhouse_table *table,
                            enum clickhouse_rb_format format, struct kc_error *err)
{
    memset(p, 0, sizeof(*p));
    p->table = table;
    p->format = format;
    kc_buf_init(&p->def_bytes, (size_t)64 << 20);
    size_t nc = table->n_cols ? table->n_cols : 1;
    p->send = kc_calloc(nc, 1);
    p->dropped = kc_calloc(1, sizeof(*p->dropped));
    p->given = kc_calloc(1, sizeof(*p->given));
    p->name_len = kc_calloc(nc, sizeof(*p->name_len));
    p->hint = kc_calloc(nc, sizeof(*p->hint));
    p->jf = kc_calloc(1, sizeof(*p->jf));
    if (p->send == NULL || p->dropped == NULL || p->given == NULL || p->name_len == NULL ||
        p->hint == NULL ||
        p->jf == NULL) {
        clickhouse_rb_plan_fini(p);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* Tree mode keeps each number's source text: exact Decimals and UInt64/Int128 beyond
     * int64. */
    jfast_init(p->jf, 1);
    for (size_t i = 0; i < table->n_cols; i++) {
        const struct clickhouse_column *c = &table->cols[i];
        p->name_len[i] = strlen(c->name);
        p->send[i] = clickhouse_column_insertable(c) &&
                     (format == CH_RB_WITH_DEFAULTS || c->def != CH_DEFAULT_DEFAULT);
    }
    p->flat = flat_new(table, p->name_len);
    if (format == CH_RB_PLAIN && table->n_cols > 0) {
        int rc = plan_literal_defaults(p, err);
        if (rc != KC_OK) {
            clickhouse_rb_plan_fini(p);
            return rc;
        }
    }
    p->native = native_new(p); /* after the literal DEFAULTs: they add sent columns */
    return KC_OK;
}

void clickhouse_rb_plan_fini(struct clickhouse_rb_plan *p)
{
    if (p != NULL) {
        kc_free(p->send);
        kc_free(p->dropped);
        p->dropped = NULL;
        kc_free(p->given);
        p->given = NULL;
        kc_free(p->name_len);
        kc_free(p->hint);
        p->name_len = NULL;
        p->hint = NULL;
        if (p->jf != NULL) {
            jfast_fini(p->jf);
            kc_free(p->jf);
            p->jf = NULL;
        }
        flat_free(p->flat);
        p->flat = NULL;
        native_free(p->native);
        p->native = NULL;
        kc_free(p->def_at);
        kc_free(p->def_len);
        kc_buf_fini(&p->def_bytes);
        p->send = NULL;
        p->def_at = p->def_len = NULL;
    }
}

int clickhouse_rb_plan_send(struct clickhouse_rb_plan *p, uint64_t mask)
{
    if (p->format != CH_RB_PLAIN) {
        return KC_OK;
    }
    for (size_t i = 0; i < p->table->n_cols && i < 64; i++) {
        const struct clickhouse_column *c = &p->table->cols[i];
        if ((mask >> i & 1) && c->def == CH_DEFAULT_DEFAULT && clickhouse_column_insertable(c)) {
            p->send[i] = 1;
        }
    }
    native_free(p->native);
    p->native = native_new(p);
    return KC_OK;
}

int clickhouse_rb_plan_include(struct clickhouse_rb_plan *p, const struct cdata_value *row)
{
    int changed = 0;
    if (p->format != CH_RB_PLAIN || row == NULL) {
        return 0;
    }
    for (size_t i = 0; i < p->table->n_cols; i++) {
        const struct clickhouse_column *c = &p->table->cols[i];
        if (p->send[i] || c->def != CH_DEFAULT_DEFAULT) {
            continue;
        }
        const struct cdata_value *v;
        int found;
        row_field(row, c->name, strlen(c->name), &v, &found);
        if (found && v != NULL) {
            p->send[i] = 1;
            changed = 1;
        }
    }
    return changed;
}

static int put_ident(struct kc_buf *out, const char *s)
{
    int rc = kc_buf_append_byte(out, '`');
    for (; *s != '\0' && rc == KC_OK; s++) {
        if (*s == '`' || *s == '\\') {
            rc = kc_buf_append_byte(out, '\\');
        }
        rc = rc ? rc : kc_buf_append_byte(out, (uint8_t)*s);
    }
    return rc ? rc : kc_buf_append_byte(out, '`');
}

/* "INSERT INTO `db`.`table`" (db may be NULL) */
static int put_insert_into(struct kc_buf *out, const char *db, const char *table)
{
    int rc = kc_buf_append_str(out, "INSERT INTO ");
    if (db != NULL && rc == KC_OK) {
        rc = put_ident(out, db);
        rc = rc ? rc : kc_buf_append_byte(out, '.');
    }
    return rc ? rc : put_ident(out, table);
}

int clickhouse_text_insert_sql(const char *db, const char *table, const char *format,
                               struct kc_buf *out)
{
    int rc = put_insert_into(out, db, table);
    rc = rc ? rc : kc_buf_append_str(out, " FORMAT ");
    return rc ? rc : kc_buf_append_str(out, format);
}

/* ---- Native (columns) from the RowBinary rows a plan encoded ---- */

/* Bytes of one value of t in RowBinary and Native alike; 0 for String; -1 when the column does
 * not go as a fixed value or a String (arrays, maps, tuples, Nothing). */
static int32_t native_width(const struct clickhouse_type *t)
{
    switch (t->kind) {
    case CH_INT8:
    case CH_UINT8:
    case CH_BOOL:
    case CH_ENUM8:
        return 1;
    case CH_INT16:
    case CH_UINT16:
    case CH_DATE:
    case CH_ENUM16:
        return 2;
    case CH_INT32:
    case CH_UINT32:
    case CH_FLOAT32:
    case CH_DATE32:
    case CH_DATETIME:
    case CH_IPV4:
        return 4;
    case CH_INT64:
    case CH_UINT64:
    case CH_FLOAT64:
    case CH_DATETIME64:
        return 8;
    case CH_INT128:
    case CH_UINT128:
    case CH_UUID:
    case CH_IPV6:
        return 16;
    case CH_INT256:
    case CH_UINT256:
        return 32;
    case CH_DECIMAL:
        return clickhouse_decimal_width(t->precision);
    case CH_FIXEDSTRING:
        return t->fixed_len > 0 && t->fixed_len <= INT32_MAX ? (int32_t)t->fixed_len : -1;
    case CH_STRING:
        return 0;
    default:
        return -1;
    }
}

static int buf_leb128(struct kc_buf *b, uint64_t v)
{
    unsigned char t[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        t[n++] = c | (v ? 0x80 : 0);
    } while (v);
    return kc_buf_append(b, t, n);
}

static void native_free(struct ch_rb_native *nv)
{
    if (nv != NULL) {
        kc_free(nv->width);
        kc_free(nv->nullable);
        kc_free(nv->head_at);
        kc_free(nv->head_len);
        kc_free(nv->size);
        kc_free(nv->at);
        for (size_t j = 0; nv->lc != NULL && j < nv->k; j++) {
            kc_free(nv->lc[j].kp);
            kc_free(nv->lc[j].kl);
            kc_free(nv->lc[j].tab);
            kc_free(nv->lc[j].idx);
            kc_free(nv->lc[j].zero);
        }
        kc_free(nv->lc);
        kc_buf_fini(&nv->head);
        kc_free(nv);
    }
}

/* The Native layout of p's sent columns, or NULL when one of them has none (or on OOM: the
 * rows then go as RowBinary, which every column has). */
static struct ch_rb_native *native_new(const struct clickhouse_rb_plan *p)
{
    const struct clickhouse_table *tb = p->table;
    size_t k = 0;
    for (size_t i = 0; i < tb->n_cols; i++) {
        k += p->send[i] != 0;
    }
    if (k == 0) {
        return NULL;
    }
    struct ch_rb_native *nv = kc_calloc(1, sizeof(*nv));
    if (nv == NULL) {
        return NULL;
    }
    kc_buf_init(&nv->head, (size_t)16 << 20);
    nv->k = k;
    nv->width = kc_calloc(k, sizeof(*nv->width));
    nv->nullable = kc_calloc(k, 1);
    nv->head_at = kc_calloc(k, sizeof(*nv->head_at));
    nv->head_len = kc_calloc(k, sizeof(*nv->head_len));
    nv->size = kc_calloc(k, sizeof(*nv->size));
    nv->at = kc_calloc(k, sizeof(*nv->at));
    nv->lc = kc_calloc(k, sizeof(*nv->lc));
    struct kc_buf type;
    kc_buf_init(&type, (size_t)1 << 20);
    int ok = nv->width != NULL && nv->nullable != NULL && nv->head_at != NULL &&
             nv->head_len != NULL && nv->size != NULL && nv->at != NULL && nv->lc != NULL;
    for (size_t i = 0, j = 0; ok && i < tb->n_cols; i++) {
        if (!p->send[i]) {
            continue;
        }
        const struct clickhouse_type *t = tb->cols[i].type;
        if (t->kind == CH_LOWCARDINALITY) {
            /* LowCardinality(Nullable(T)) keeps NULL as key 0: not written here (RowBinary) */
            nv->lc[j].on = 1;
            if (t->args[0]->kind == CH_NULLABLE) {
                ok = 0;
                break;
            }
        }
        const struct clickhouse_type *inner = nv->lc[j].on ? t->args[0] : t;
        const struct clickhouse_type *v = inner->kind == CH_NULLABLE ? inner->args[0] : inner;
        nv->nullable[j] = inner != v;
        nv->width[j] = native_width(v);
        if (nv->lc[j].on && nv->width[j] >= 0) {
            nv->lc[j].zero = kc_calloc(1, nv->width[j] > 0 ? (size_t)nv->width[j] : 1);
            ok = nv->lc[j].zero != NULL;
        }
        kc_buf_reset(&type);
        nv->head_at[j] = nv->head.len;
        /* the server's own spelling of the type (an Enum name with a quote stays escaped) */
        ok = ok && nv->width[j] >= 0 &&
             (tb->cols[i].type_text != NULL
                  ? kc_buf_append_str(&type, tb->cols[i].type_text)
                  : clickhouse_type_format(t, &type)) == KC_OK &&
             buf_leb128(&nv->head, p->name_len[i]) == KC_OK &&
             kc_buf_append(&nv->head, tb->cols[i].name, p->name_len[i]) == KC_OK &&
             buf_leb128(&nv->head, type.len) == KC_OK &&
             kc_buf_append(&nv->head, type.data, type.len) == KC_OK;
        nv->head_len[j] = nv->head.len - nv->head_at[j];
        j++;
    }
    kc_buf_fini(&type);
    if (!ok) {
        native_free(nv);
        return NULL;
    }
    return nv;
}

/* Length of the RowBinary value at b[0..n) (width w, 0 = String) in *len; 0 when cut short. */
static int native_span(const unsigned char *b, size_t n, int32_t w, size_t *len)
{
    if (w > 0) {
        *len = (size_t)w;
        return n >= (size_t)w;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        v |= (uint64_t)(b[i] & 0x7f) << (7 * i);
        if (!(b[i] & 0x80)) {
            *len = i + 1 + v;
            return v <= n - (i + 1);
        }
    }
    return 0;
}

static uint32_t span_hash(const unsigned char *b, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ b[i]) * 16777619u;
    }
    return h;
}

static int lc_grow_tab(struct ch_lc *c)
{
    size_t nt = c->ntab ? c->ntab * 2 : 256;
    uint32_t *t = kc_calloc(nt, sizeof(*t));
    if (t == NULL) {
        return KC_ENOMEM;
    }
    for (size_t k = 0; k < c->nk; k++) {
        size_t h = span_hash(c->kp[k], c->kl[k]) & (nt - 1);
        while (t[h] != 0) {
            h = (h + 1) & (nt - 1);
        }
        t[h] = (uint32_t)(k + 1);
    }
    kc_free(c->tab);
    c->tab = t;
    c->ntab = nt;
    return KC_OK;
}

/* The key of value b[0..n) in c, added when new; the row's key appended to c->idx. */
static int lc_add(struct ch_lc *c, const unsigned char *b, size_t n)
{
    if (c->nk * 2 >= c->ntab && lc_grow_tab(c) != KC_OK) {
        return KC_ENOMEM;
    }
    size_t h = span_hash(b, n) & (c->ntab - 1);
    uint32_t key;
    for (;;) {
        uint32_t e = c->tab[h];
        if (e == 0) {
            if (c->nk == c->capk || c->nk >= UINT32_MAX - 1) {
                size_t nc = c->capk ? c->capk * 2 : 64;
                const unsigned char **np = kc_realloc(c->kp, nc * sizeof(*np));
                if (np == NULL) {
                    return KC_ENOMEM;
                }
                c->kp = np;
                uint32_t *nl = kc_realloc(c->kl, nc * sizeof(*nl));
                if (nl == NULL) {
                    return KC_ENOMEM;
                }
                c->kl = nl;
                c->capk = nc;
            }
            key = (uint32_t)c->nk;
            c->kp[c->nk] = b;
            c->kl[c->nk] = (uint32_t)n;
            c->nk++;
            c->kbytes += n;
            c->tab[h] = key + 1;
            break;
        }
        if (c->kl[e - 1] == n && memcmp(c->kp[e - 1], b, n) == 0) {
            key = e - 1;
            break;
        }
        h = (h + 1) & (c->ntab - 1);
    }
    if (c->nidx == c->capidx) {
        size_t nc = c->capidx ? c->capidx * 2 : 1024;
        uint32_t *ni = kc_realloc(c->idx, nc * sizeof(*ni));
        if (ni == NULL) {
            return KC_ENOMEM;
        }
        c->idx = ni;
        c->capidx = nc;
    }
    c->idx[c->nidx++] = key;
    return KC_OK;
}

/* Start a conversion: no keys but the default (key 0), no rows. */
static int lc_reset(struct ch_lc *c, int32_t width)
{
    c->nk = c->nidx = c->kbytes = 0;
    if (c->tab != NULL) {
        memset(c->tab, 0, c->ntab * sizeof(*c->tab));
    }
    int rc = lc_add(c, c->zero, width > 0 ? (size_t)width : 1);
    c->nidx = 0; /* key 0 is no row's */
    return rc;
}

/* Bytes of an index (UInt8/16/32) for nk keys, and the code Native names it by. */
static size_t lc_index_width(size_t nk, uint64_t *code)
{
    if (nk <= 256) {
        *code = 0;
        return 1;
    }
    if (nk <= 65536) {
        *code = 1;
        return 2;
    }
    *code = 2;
    return 4;
}

static void put_u64_at(unsigned char *o, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        o[i] = (unsigned char)(v >> (8 * i));
    }
}

/* A LowCardinality column's data at o: keys version 1 (shared dictionaries with additional
 * keys), the index type with "has additional keys" and "update dictionary", the keys, the
 * row count and each row's key. Returns the bytes written. */
static size_t lc_write(const struct ch_lc *c, unsigned char *o)
{
    uint64_t code;
    size_t iw = lc_index_width(c->nk, &code), at = 0;
    put_u64_at(o, 1);
    put_u64_at(o + 8, code | (1u << 9) | (1u << 10));
    put_u64_at(o + 16, c->nk);
    at = 24;
    for (size_t k = 0; k < c->nk; k++) {
        memcpy(o + at, c->kp[k], c->kl[k]);
        at += c->kl[k];
    }
    put_u64_at(o + at, c->nidx);
    at += 8;
    for (size_t r = 0; r < c->nidx; r++) {
        uint32_t v = c->idx[r];
        for (size_t i = 0; i < iw; i++) {
            o[at++] = (unsigned char)(v >> (8 * i));
        }
    }
    return at;
}

/* One walk over the rows: pass 0 sizes each column (and refuses a row that uses a DEFAULT),
 * pass 1 writes each value at its column's cursor at[j] in out (a Nullable column's null map
 * starts at size[j], its values rows bytes later). */
static int native_walk(const struct clickhouse_rb_plan *p, struct ch_rb_native *nv,
                       const unsigned char *const *data, const size_t *lens, size_t n_chunks,
                       int pass, unsigned char *out, size_t *n_rows)
{
    int flags = p->format == CH_RB_WITH_DEFAULTS;
    size_t r = 0;
    for (size_t c = 0; c < n_chunks; c++) {
        const unsigned char *b = data[c];
        size_t n = lens[c], pos = 0;
        while (pos < n) {
            for (size_t j = 0; j < nv->k; j++) {
                if (flags) {
                    if (pos >= n || b[pos] != 0) {
                        return pos >= n ? KC_EINVAL : 1; /* a DEFAULT: only RowBinary says so */
                    }
                    pos++;
                }
                int null = 0;
                if (nv->nullable[j]) {
                    if (pos >= n || b[pos] > 1) {
                        return KC_EINVAL;
                    }
                    null = b[pos++];
                    if (pass == 0) {
                        nv->size[j]++;
                    } else {
                        out[nv->size[j] + r] = (unsigned char)null; /* the null map */
                    }
                }
                size_t len = 0;
                if (null) {
                    /* Native keeps a value under a NULL: zero bytes, or an empty String */
                    len = nv->width[j] > 0 ? (size_t)nv->width[j] : 1;
                    if (pass == 1) {
                        memset(out + nv->at[j], 0, len);
                        nv->at[j] += len;
                    } else {
                        nv->size[j] += len;
                    }
                    continue;
                }
                if (!native_span(b + pos, n - pos, nv->width[j], &len)) {
                    return KC_EINVAL;
                }
                if (nv->lc[j].on) { /* written whole after the walk */
                    if (pass == 0 && lc_add(&nv->lc[j], b + pos, len) != KC_OK) {
                        return KC_ENOMEM;
                    }
                } else if (pass == 1) {
                    memcpy(out + nv->at[j], b + pos, len);
                    nv->at[j] += len;
                } else {
                    nv->size[j] += len;
                }
                pos += len;
            }
            r++;
        }
    }
    *n_rows = r;
    return KC_OK;
}

int clickhouse_rb_native(const struct clickhouse_rb_plan *p, const unsigned char *const *data,
                         const size_t *lens, size_t n_chunks, struct kc_buf *out,
                         struct kc_error *err)
{
    struct ch_rb_native *nv = p->native;
    size_t rows = 0, rows2 = 0;
    if (nv == NULL) {
        return 1;
    }
    memset(nv->size, 0, nv->k * sizeof(*nv->size));
    for (size_t j = 0; j < nv->k; j++) {
        if (nv->lc[j].on && lc_reset(&nv->lc[j], nv->width[j]) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "out of memory building a Native block");
        }
    }
    int rc = native_walk(p, nv, data, lens, n_chunks, 0, NULL, &rows);
    if (rc == 1) {
        return 1;
    }
    if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "out of memory building a Native block");
    }
    if (rc != KC_OK) {
        return kc_error_set(err, KC_EINVAL, "the batch's RowBinary does not parse as the table's "
                            "columns (a bug)");
    }
    if (rows == 0) {
        return 1;
    }
    size_t total = 20 + nv->head.len;
    for (size_t j = 0; j < nv->k; j++) {
        if (nv->lc[j].on) {
            uint64_t code;
            nv->size[j] = 32 + nv->lc[j].kbytes +
                          nv->lc[j].nidx * lc_index_width(nv->lc[j].nk, &code);
        }
        total += nv->size[j];
    }
    size_t mark = out->len;
    if (kc_buf_reserve(out, total) != KC_OK || buf_leb128(out, nv->k) != KC_OK ||
        buf_leb128(out, rows) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory building a Native block");
    }
    /* Lay the columns out: header, then data; pass 1 fills the data in place. */
    size_t at = out->len;
    for (size_t j = 0; j < nv->k; j++) {
        memcpy(out->data + at, nv->head.data + nv->head_at[j], nv->head_len[j]);
        at += nv->head_len[j];
        size_t col = nv->size[j];
        nv->size[j] = at;                          /* the null map, if any */
        nv->at[j] = at + (nv->nullable[j] ? rows : 0); /* the values */
        at += col;
    }
    rc = native_walk(p, nv, data, lens, n_chunks, 1, (unsigned char *)out->data, &rows2);
    if (rc != KC_OK || rows2 != rows) {
        out->len = mark;
        return kc_error_set(err, KC_EINVAL, "the batch's RowBinary changed while converting it");
    }
    for (size_t j = 0; j < nv->k; j++) {
        if (nv->lc[j].on) {
            lc_write(&nv->lc[j], (unsigned char *)out->data + nv->size[j]);
        }
    }
    out->len = at;
    out->data[at] = '\0';
    return KC_OK;
}

int clickhouse_rb_insert_sql(const struct clickhouse_rb_plan *p, const char *db,
                             const char *table, struct kc_buf *out)
{
    int rc = put_insert_into(out, db, table);
    rc = rc ? rc : kc_buf_append_str(out, " (");
    int first = 1;
    for (size_t i = 0; i < p->table->n_cols && rc == KC_OK; i++) {
        if (!p->send[i]) {
            continue;
        }
        if (!first) {
            rc = kc_buf_append_str(out, ", ");
        }
        first = 0;
        rc = rc ? rc : put_ident(out, p->table->cols[i].name);
    }
    rc = rc ? rc : kc_buf_append_str(out, p->format == CH_RB_WITH_DEFAULTS
                                              ? ") FORMAT RowBinaryWithDefaults"
                                              : ") FORMAT RowBinary");
    return rc;
}

int clickhouse_rb_native_sql(const struct clickhouse_rb_plan *p, const char *db,
                             const char *table, struct kc_buf *out)
{
    size_t mark = out->len;
    int rc = clickhouse_rb_insert_sql(p, db, table, out);
    if (rc != KC_OK) {
        return rc;
    }
    /* the same text up to FORMAT */
    char *f = strstr(out->data + mark, ") FORMAT RowBinary");
    out->len = (size_t)(f - out->data);
    return kc_buf_append_str(out, ") FORMAT Native");
}

/* One row into e->out: from row (a struct or map), or, when row is NULL, from the values the
 * flat path collected by column (a JSON object, so never strict). */
static int encode_row(struct enc *e, const struct cdata_value *row, const struct ch_rb_flat *f)
{
    const struct clickhouse_table *tb = e->plan->table;
    /* schema'd: validated like the official connector */
    int strict = row != NULL && row->type == CDATA_STRUCT;
    int rc = KC_OK;
    if (row != NULL && row->type != CDATA_STRUCT && row->type != CDATA_MAP) {
        return kc_error_set(e->err, KC_EINVAL, "a ClickHouse row must be a struct or a JSON object, "
                            "not %s", cdata_type_name(row->type, 0));
    }
    for (size_t i = 0; i < tb->n_cols && rc == KC_OK; i++) {
        const struct clickhouse_column *c = &tb->cols[i];
        if (!e->plan->send[i]) {
            if (c->def == CH_DEFAULT_DEFAULT && e->plan->dropped != NULL &&
                (*e->plan->dropped == 0 || (e->plan->given != NULL && i < 64)) &&
                clickhouse_column_insertable(c)) {
                const struct cdata_value *dv = NULL;
                int df = 0;
                if (f != NULL) {
                    df = f->found[i];
                    dv = df ? f->val[i] : NULL;
                } else {
                    row_field(row, c->name, strlen(c->name), &dv, &df);
                }
                if (df && dv != NULL) {
                    if (*e->plan->dropped == 0) {
                        *e->plan->dropped = i + 1;
                    }
                    if (e->plan->given != NULL && i < 64) {
                        *e->plan->given |= (uint64_t)1 << i;
                    }
                }
            }
            continue;
        }
        e->col = c;
        const struct cdata_value *v;
        int found;
        size_t nl = e->plan->name_len[i];
        if (f != NULL) {
            found = f->found[i];
            v = found ? f->val[i] : NULL;
        } else {
            row_field_col(e->plan, i, e->tree, row, &v, &found);
        }
        if (!found && c->type->kind == CH_ARRAY && f == NULL) { /* flat plans have no Nested */
            const char *dot = memchr(c->name, '.', nl);
            if (dot != NULL) {
                const struct cdata_value *parent;
                int pf;
                row_field(row, c->name, (size_t)(dot - c->name), &parent, &pf);
                if (pf && parent != NULL && parent->type == CDATA_ARRAY) {
                    if (e->plan->format == CH_RB_WITH_DEFAULTS) {
                        rc = put_le(e, 0, 1);
                    }
                    rc = rc ? rc : enc_nested(e, c->type, parent, dot + 1);
                    continue;
                }
            }
        }
        int missing = !found || (v == NULL && c->type->kind != CH_NULLABLE);
        if (missing && c->def == CH_DEFAULT_DEFAULT && e->plan->format == CH_RB_WITH_DEFAULTS) {
            rc = put_le(e, 1, 1);
            continue;
        }
        if (e->plan->format == CH_RB_WITH_DEFAULTS) {
            if ((rc = put_le(e, 0, 1)) != KC_OK) {
                break;
            }
        }
        if (missing && e->plan->def_len != NULL && e->plan->def_len[i] > 0) {
            rc = kc_buf_append(e->out, e->plan->def_bytes.data + e->plan->def_at[i],
                               e->plan->def_len[i]);
            continue;
        }
        if (missing) {
            if (c->type->kind == CH_NULLABLE) {
                rc = put_le(e, 1, 1);
            } else if (strict && c->def == CH_DEFAULT_NONE) {
                rc = kc_error_set(e->err, KC_EINVAL, "column '%s' has no DEFAULT and is not "
                                  "Nullable, but the record has no value for it", c->name);
            } else {
                rc = enc_zero(e, c->type);
            }
            continue;
        }
        rc = enc_value(e, c->type, v);
    }
    return rc;
}

static void truncate(struct kc_buf *out, size_t mark)
{
    out->len = mark;
    if (out->data != NULL) {
        out->data[mark] = '\0';
    }
}

int clickhouse_rb_row(const struct clickhouse_rb_plan *p, const struct cdata_value *row,
                      struct kc_buf *out, struct kc_error *err)
{
    struct enc e = {.plan = p, .out = out, .err = err, .col = NULL, .tree = 0};
    size_t mark = out->len;
    if (p->given != NULL) {
        *p->given = 0;
    }
    if (row == NULL) {
        return kc_error_set(err, KC_EINVAL, "a null record has no row to insert");
    }
    int rc = encode_row(&e, row, NULL);
    if (rc == KC_EINVAL) {
        truncate(out, mark); /* the record's partial bytes go; earlier rows stay */
    }
    return rc;
}

/* Column of key (member k of its object), or -1 when the table has none of that name. */
static long flat_col(const struct clickhouse_rb_plan *p, struct ch_rb_flat *f, size_t k,
                     const char *key, size_t klen)
{
    const struct clickhouse_column *cols = p->table->cols;
    if (k < f->npos && f->pos[k] != 0) {
        uint32_t c = f->pos[k] - 1;
        if (p->name_len[c] == klen && memcmp(cols[c].name, key, klen) == 0) {
            return c;
        }
    }
    long col = -1;
    size_t h = name_hash(key, klen) & (f->nslot - 1);
    for (; f->slot[h] != 0; h = (h + 1) & (f->nslot - 1)) {
        uint32_t c = f->slot[h] - 1;
        if (p->name_len[c] == klen && memcmp(cols[c].name, key, klen) == 0) {
            col = c;
            break;
        }
    }
    if (k < f->npos) {
        f->pos[k] = (uint32_t)(col + 1);
    }
    return col;
}

/*
 * The object the flat scanner is on ('{' not yet consumed), its values by column into f. A
 * scalar becomes a jfast_node of f (a string without escapes points into the document), an
 * object or array for a column is parsed alone by the plan's jfast into a; keys the table
 * lacks are skipped (and validated). A repeated key: the last value, as jfast.
 * @return KC_OK, or anything else to leave the record to the tree path
 */
static int flat_object(const struct clickhouse_rb_plan *p, struct ch_rb_flat *f,
                       struct kc_arena *a, struct kc_error *scratch)
{
    struct kc_jscan *js = &f->js;
    struct kc_jscan_str ks;
    enum kc_jscan_kind kind;
    size_t k = 0;
    int r;
    kc_jscan_enter(js);
    memset(f->found, 0, p->table->n_cols);
    while ((r = kc_jscan_member_next(js, &ks)) == 1) {
        const char *key = ks.raw;
        size_t klen = ks.raw_len;
        if (ks.escaped) {
            char *d = kc_arena_alloc(a, ks.raw_len + 1);
            if (d == NULL) {
                return KC_ENOMEM;
            }
            klen = kc_jscan_str_decode(&ks, d);
            key = d;
        }
        long c = flat_col(p, f, k++, key, klen);
        if (c < 0) {
            if ((r = kc_jscan_skip(js)) != KC_OK) {
                return r;
            }
            continue;
        }
        if ((r = kc_jscan_peek(js, &kind)) != KC_OK) {
            return r;
        }
        if (kind == KC_JSCAN_OBJECT || kind == KC_JSCAN_ARRAY) {
            struct kc_jscan_val sv;
            const struct cdata_value *v = NULL;
            enum jfast_result res;
            if ((r = kc_jscan_value(js, &sv)) != KC_OK ||
                (r = jfast_parse(p->jf, sv.raw, sv.raw_len, a, &v, &res, scratch)) != KC_OK) {
                return r;
            }
            f->val[c] = v;
            f->found[c] = 1;
            continue;
        }
        const char *start = (const char *)js->p;
        struct kc_jscan_tok t;
        if ((r = kc_jscan_next(js, &t)) != KC_OK) {
            return r;
        }
        struct jfast_node *n = &f->node[c];
        n->v.schema = NULL;
        n->v.n = 0;
        n->raw = start;
        n->raw_len = (uint32_t)((const char *)js->p - start);
        n->flags = 0;
        f->found[c] = 1;
        f->val[c] = &n->v;
        switch (t.kind) {
        case KC_JSCAN_NULL:
            f->val[c] = NULL;
            break;
        case KC_JSCAN_TRUE:
        case KC_JSCAN_FALSE:
            n->v.type = CDATA_BOOLEAN;
            n->v.u.b = t.kind == KC_JSCAN_TRUE;
            break;
        case KC_JSCAN_STRING:
            n->v.type = CDATA_STRING;
            if (t.u.s.escaped) {
                char *d = kc_arena_alloc(a, t.u.s.raw_len + 1);
                if (d == NULL) {
                    return KC_ENOMEM;
                }
                n->v.n = (uint32_t)kc_jscan_str_decode(&t.u.s, d);
                n->v.u.s = d;
            } else {
                n->v.n = (uint32_t)t.u.s.raw_len;
                n->v.u.s = t.u.s.raw;
            }
            break;
        case KC_JSCAN_NUMBER:
            if (t.u.n.is_float) {
                n->v.type = CDATA_FLOAT64;
                n->v.u.f = t.u.n.d;
                n->flags = JFAST_F_FLOAT;
            } else {
                n->v.type = CDATA_INT64;
                n->v.u.i = t.u.n.i;
                n->flags = t.u.n.big ? JFAST_F_BIG : 0;
                if (!t.u.n.big && t.u.n.i >= INT32_MIN && t.u.n.i <= INT32_MAX) {
                    n->flags |= JFAST_F_INT32;
                }
            }
            break;
        default:
            return KC_EINVAL;
        }
    }
    return r == 0 ? KC_OK : r;
}

/*
 * clickhouse_rb_json without a tree: a top-level object, or an array of objects, encoded from
 * the flat scanner. *taken = 0 leaves the message to the tree path with out as before (not an
 * object, a syntax or encoding error: the tree reports those); *taken = 1 with KC_OK wrote
 * *rows rows, with KC_ENOMEM out hit its cap (kc_buf emptied it) and err says so.
 */
static int flat_json(const struct clickhouse_rb_plan *p, const char *data, size_t len,
                     struct kc_arena *a, struct kc_buf *out, size_t *rows, int *taken,
                     struct kc_error *err)
{
    struct ch_rb_flat *f = p->flat;
    struct kc_jscan *js = &f->js;
    struct kc_error scratch = {0};
    struct enc e = {.plan = p, .out = out, .err = &scratch, .col = NULL, .tree = 1};
    enum kc_jscan_kind kind;
    size_t mark = out->len, n = 0;
    int rc;
    *taken = 0;
    kc_jscan_begin(js, data, len, &scratch);
    if (kc_jscan_peek(js, &kind) != KC_OK) {
        return KC_OK;
    }
    if (kind == KC_JSCAN_OBJECT) {
        if (flat_object(p, f, a, &scratch) != KC_OK) {
            return KC_OK;
        }
        rc = encode_row(&e, NULL, f);
        n = rc == KC_OK;
    } else if (kind == KC_JSCAN_ARRAY) {
        int r;
        rc = KC_OK;
        kc_jscan_enter(js);
        while (rc == KC_OK && (r = kc_jscan_item_next(js)) == 1) {
            if (kc_jscan_peek(js, &kind) != KC_OK || kind != KC_JSCAN_OBJECT ||
                flat_object(p, f, a, &scratch) != KC_OK) {
                rc = KC_EINVAL;
                break;
            }
            rc = encode_row(&e, NULL, f);
            n += rc == KC_OK;
        }
        if (rc == KC_OK && r != 0) {
            rc = KC_EINVAL;
        }
    } else {
        return KC_OK;
    }
    if (rc == KC_ENOMEM) {
        *taken = 1;
        *rows = 0;
        return kc_error_set(err, KC_ENOMEM, "%s",
                            scratch.msg[0] != '\0' ? scratch.msg : "out of memory");
    }
    if (rc != KC_OK) {
        truncate(out, mark);
        return KC_OK;
    }
    *taken = 1;
    *rows = n;
    return KC_OK;
}

int clickhouse_rb_json(const struct clickhouse_rb_plan *p, const char *data, size_t len,
                       struct kc_arena *a, struct kc_buf *out, size_t *rows,
                       struct kc_error *err)
{
    const struct cdata_value *v = NULL;
    enum jfast_result res;
    size_t mark = out->len;
    struct enc e = {.plan = p, .out = out, .err = err, .col = NULL, .tree = 1};
    *rows = 0;
    if (p->given != NULL) {
        *p->given = 0;
    }
    if (p->flat != NULL) {
        int taken;
        int frc = flat_json(p, data, len, a, out, rows, &taken, err);
        if (taken) {
            return frc;
        }
        if (p->given != NULL) {
            *p->given = 0; /* the tree says again */
        }
    }
    int rc = jfast_parse(p->jf, data, len, a, &v, &res, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (res == JFAST_MISSING || v == NULL) {
        return kc_error_set(err, KC_EINVAL, "empty or null JSON value has no row to insert");
    }
    if (v->type == CDATA_MAP) {
        rc = encode_row(&e, v, NULL);
        *rows = rc == KC_OK;
    } else if (v->type == CDATA_ARRAY) {
        for (uint32_t i = 0; i < v->n && rc == KC_OK; i++) {
            const struct cdata_value *r = v->u.items[i];
            if (r == NULL || r->type != CDATA_MAP) {
                rc = kc_error_set(err, KC_EINVAL, "element %u of the JSON array is not an object",
                                  i);
                break;
            }
            rc = encode_row(&e, r, NULL);
            if (rc == KC_EINVAL && err != NULL) {
                char msg[KC_ERROR_MSG_MAX];
                memcpy(msg, err->msg, sizeof(msg));
                kc_error_set(err, KC_EINVAL, "row %u of the JSON array: %s", i, msg);
            }
            *rows += rc == KC_OK;
        }
    } else {
        rc = kc_error_set(err, KC_EINVAL, "a JSON %s is not a row (expected an object or an array "
                          "of objects)", cdata_type_name(v->type, 0));
    }
    if (rc == KC_EINVAL) {
        truncate(out, mark);
        *rows = 0;
    }
    return rc;
}
