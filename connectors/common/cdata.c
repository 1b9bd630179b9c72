/*
 * connectors/common/cdata.c: Connect's data model -- constructors, lookups, and Java's
 * String.valueOf() of a value, which FileStreamSink writes and which must match the JVM byte for
 * byte.
 *
 * The toString side emulates, without building Java objects: Long/Integer.toString, JDK 19+
 * Double.toString and Float.toString (shortest digits that round-trip; closest when several),
 * ArrayList ("[a, b]"), java.util.HashMap iteration order ("{k=v, k2=v2}", see cdata.h),
 * Struct ("Struct{a=1,b=x}"), BigDecimal.toString for Decimal and java.util.Date.toString (UTC)
 * for Date/Time/Timestamp. Everything appends to a capped kc_buf; the only allocation besides the
 * buffer is a temporary order array for maps of more than 64 entries.
 */
#include "cdata.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"

/* ------------------------------------------------------------------ built-in schemas */

#define CDATA_PRIM(nm, t, opt) const struct cdata_schema nm = {.type = (t), .optional = (opt)}
CDATA_PRIM(cdata_schema_optional_string, CDATA_STRING, 1);
CDATA_PRIM(cdata_schema_optional_bytes, CDATA_BYTES, 1);
CDATA_PRIM(cdata_schema_optional_int8, CDATA_INT8, 1);
CDATA_PRIM(cdata_schema_optional_int16, CDATA_INT16, 1);
CDATA_PRIM(cdata_schema_optional_int32, CDATA_INT32, 1);
CDATA_PRIM(cdata_schema_optional_int64, CDATA_INT64, 1);
CDATA_PRIM(cdata_schema_optional_float32, CDATA_FLOAT32, 1);
CDATA_PRIM(cdata_schema_optional_float64, CDATA_FLOAT64, 1);
CDATA_PRIM(cdata_schema_optional_boolean, CDATA_BOOLEAN, 1);
CDATA_PRIM(cdata_schema_int8, CDATA_INT8, 0);
CDATA_PRIM(cdata_schema_int16, CDATA_INT16, 0);
CDATA_PRIM(cdata_schema_int32, CDATA_INT32, 0);
CDATA_PRIM(cdata_schema_int64, CDATA_INT64, 0);
CDATA_PRIM(cdata_schema_float32, CDATA_FLOAT32, 0);
CDATA_PRIM(cdata_schema_float64, CDATA_FLOAT64, 0);
CDATA_PRIM(cdata_schema_boolean, CDATA_BOOLEAN, 0);
CDATA_PRIM(cdata_schema_string, CDATA_STRING, 0);
CDATA_PRIM(cdata_schema_bytes, CDATA_BYTES, 0);
CDATA_PRIM(cdata_schema_linked_map, CDATA_MAP, 1);

/* hint_tab[k]: a HashMap whose table starts at 2^k entries. */
#define HINT(k) {.type = CDATA_MAP, .optional = 1, .version = (k)}
static const struct cdata_schema hint_tab[31] = {
    HINT(0),  HINT(1),  HINT(2),  HINT(3),  HINT(4),  HINT(5),  HINT(6),  HINT(7),
    HINT(8),  HINT(9),  HINT(10), HINT(11), HINT(12), HINT(13), HINT(14), HINT(15),
    HINT(16), HINT(17), HINT(18), HINT(19), HINT(20), HINT(21), HINT(22), HINT(23),
    HINT(24), HINT(25), HINT(26), HINT(27), HINT(28), HINT(29), HINT(30)};
#undef HINT

const struct cdata_schema *cdata_hashmap_hint(uint32_t initial_table_size)
{
    int k = 0;
    while (k < 30 && (1u << k) < initial_table_size) {
        k++;
    }
    return &hint_tab[k];
}

uint32_t cdata_hashmap_sized(uint32_t n)
{
    uint32_t c = 1;
    while (c < n && c < (1u << 30)) {
        c <<= 1;
    }
    return c;
}

uint32_t cdata_hashmap_copied(uint32_t n)
{
    /* JDK 19+ putMapEntries: tableSizeFor((int)Math.ceil(s / 0.75)); a 0-size copy keeps 16. */
    if (n == 0) {
        return 16;
    }
    uint64_t t = ((uint64_t)n * 4 + 2) / 3;
    return cdata_hashmap_sized((uint32_t)(t > (1u << 30) ? (1u << 30) : t));
}

/* ------------------------------------------------------------------ constructors */

struct cdata_value *cdata_int(struct kc_arena *a, enum cdata_type t, int64_t v)
{
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r));
    if (r != NULL) {
        memset(r, 0, sizeof(*r));
        r->type = t;
        r->u.i = v;
    }
    return r;
}

/* Java's (float) of a double: round to nearest, overflow to infinity (C leaves the overflow
 * undefined, so it is spelled out). */
static float java_d2f(double v)
{
    if (isfinite(v) && fabs(v) >= 0x1.ffffffp127) {
        return v < 0 ? -INFINITY : INFINITY;
    }
    return (float)v;
}

struct cdata_value *cdata_float(struct kc_arena *a, enum cdata_type t, double v)
{
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r));
    if (r != NULL) {
        memset(r, 0, sizeof(*r));
        r->type = t;
        r->u.f = t == CDATA_FLOAT32 ? (double)java_d2f(v) : v;
    }
    return r;
}

struct cdata_value *cdata_bool(struct kc_arena *a, int v)
{
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r));
    if (r != NULL) {
        memset(r, 0, sizeof(*r));
        r->type = CDATA_BOOLEAN;
        r->u.b = v != 0;
    }
    return r;
}

static struct cdata_value *blob(struct kc_arena *a, enum cdata_type t, const void *p, size_t n)
{
    if (n > UINT32_MAX) {
        return NULL;
    }
    /* One allocation: the value, then the bytes and a NUL. */
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r) + n + 1);
    if (r != NULL) {
        char *d = (char *)(r + 1);
        memset(r, 0, sizeof(*r));
        r->type = t;
        r->n = (uint32_t)n;
        if (n > 0) {
            memcpy(d, p, n);
        }
        d[n] = '\0';
        r->u.s = d;
    }
    return r;
}

struct cdata_value *cdata_string(struct kc_arena *a, const char *s, size_t n)
{
    return blob(a, CDATA_STRING, s, n);
}

struct cdata_value *cdata_bytes(struct kc_arena *a, const void *p, size_t n)
{
    return blob(a, CDATA_BYTES, p, n);
}

struct cdata_value *cdata_array(struct kc_arena *a, uint32_t n, const struct cdata_value ***items)
{
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r) + (size_t)n * sizeof(void *));
    if (r != NULL) {
        memset(r, 0, sizeof(*r));
        r->type = CDATA_ARRAY;
        r->n = n;
        r->u.items = (const struct cdata_value *const *)(r + 1);
        *items = (const struct cdata_value **)(r + 1);
    }
    return r;
}

struct cdata_value *cdata_map(struct kc_arena *a, uint32_t n, const struct cdata_value ***keys,
                              const struct cdata_value ***vals)
{
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r) + 2 * (size_t)n * sizeof(void *));
    if (r != NULL) {
        const struct cdata_value **k = (const struct cdata_value **)(r + 1);
        memset(r, 0, sizeof(*r));
        r->type = CDATA_MAP;
        r->n = n;
        r->u.map.keys = k;
        r->u.map.vals = k + n;
        *keys = k;
        *vals = k + n;
    }
    return r;
}

struct cdata_value *cdata_struct(struct kc_arena *a, const struct cdata_schema *s,
                                 const struct cdata_value ***fields)
{
    size_t n = s->n_fields;
    struct cdata_value *r = kc_arena_alloc(a, sizeof(*r) + n * sizeof(void *));
    if (r != NULL) {
        const struct cdata_value **f = (const struct cdata_value **)(r + 1);
        memset(r, 0, sizeof(*r));
        r->type = CDATA_STRUCT;
        r->n = (uint32_t)n;
        r->schema = s;
        r->u.items = f;
        for (size_t i = 0; i < n; i++) {
            f[i] = NULL;
        }
        *fields = f;
    }
    return r;
}

/* ------------------------------------------------------------------ lookups */

const struct cdata_field *cdata_schema_field(const struct cdata_schema *s, const char *name)
{
    if (s == NULL || s->type != CDATA_STRUCT) {
        return NULL;
    }
    for (size_t i = 0; i < s->n_fields; i++) {
        if (strcmp(s->fields[i].name, name) == 0) {
            return &s->fields[i];
        }
    }
    return NULL;
}

const struct cdata_value *cdata_struct_get(const struct cdata_value *v, const char *field)
{
    if (v == NULL || v->type != CDATA_STRUCT) {
        return NULL;
    }
    const struct cdata_field *f = cdata_schema_field(v->schema, field);
    return f != NULL ? v->u.items[f->index] : NULL;
}

long cdata_map_find(const struct cdata_value *v, const char *key, size_t key_len)
{
    if (v == NULL || v->type != CDATA_MAP) {
        return -1;
    }
    for (uint32_t i = 0; i < v->n; i++) {
        const struct cdata_value *k = v->u.map.keys[i];
        if (k != NULL && k->type == CDATA_STRING && k->n == key_len &&
            memcmp(k->u.s, key, key_len) == 0) {
            return (long)i;
        }
    }
    return -1;
}

const struct cdata_value *cdata_map_get(const struct cdata_value *v, const char *key)
{
    long i = cdata_map_find(v, key, strlen(key));
    return i < 0 ? NULL : v->u.map.vals[i];
}

const char *cdata_schema_param(const struct cdata_schema *s, const char *key)
{
    if (s == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < s->n_params; i++) {
        if (strcmp(s->params[i].key, key) == 0) {
            return s->params[i].value;
        }
    }
    return NULL;
}

int cdata_schema_is(const struct cdata_schema *s, const char *logical_name)
{
    return s != NULL && s->name != NULL && strcmp(s->name, logical_name) == 0;
}

static const char *const type_lower[] = {"int8",   "int16",  "int32",   "int64",
                                         "float32", "float64", "boolean", "string",
                                         "bytes",  "array",  "map",     "struct"};
static const char *const type_upper[] = {"INT8",   "INT16",  "INT32",   "INT64",
                                         "FLOAT32", "FLOAT64", "BOOLEAN", "STRING",
                                         "BYTES",  "ARRAY",  "MAP",     "STRUCT"};

const char *cdata_type_name(enum cdata_type t, int upper)
{
    if ((unsigned)t > CDATA_STRUCT) {
        return "unknown";
    }
    return upper ? type_upper[t] : type_lower[t];
}

/* "class java.lang.String": what Java's value.getClass() prints for a Connect value. */
const char *cdata_java_class(const struct cdata_value *v)
{
    if (v->schema != NULL && (cdata_schema_is(v->schema, CDATA_LOGICAL_DATE) ||
                              cdata_schema_is(v->schema, CDATA_LOGICAL_TIME) ||
                              cdata_schema_is(v->schema, CDATA_LOGICAL_TIMESTAMP))) {
        return "class java.util.Date";
    }
    switch (v->type) {
    case CDATA_INT8: return "class java.lang.Byte";
    case CDATA_INT16: return "class java.lang.Short";
    case CDATA_INT32: return "class java.lang.Integer";
    case CDATA_INT64: return "class java.lang.Long";
    case CDATA_FLOAT32: return "class java.lang.Float";
    case CDATA_FLOAT64: return "class java.lang.Double";
    case CDATA_BOOLEAN: return "class java.lang.Boolean";
    case CDATA_STRING: return "class java.lang.String";
    case CDATA_BYTES: return "class [B";
    case CDATA_ARRAY: return "class java.util.ArrayList";
    case CDATA_MAP: return "class java.util.HashMap";
    case CDATA_STRUCT: return "class org.apache.kafka.connect.data.Struct";
    }
    return "class java.lang.Object";
}

int cdata_type_parse(const char *name)
{
    /* JsonSchema names: float = FLOAT32, double = FLOAT64. */
    if (strcmp(name, "float") == 0) {
        return CDATA_FLOAT32;
    }
    if (strcmp(name, "double") == 0) {
        return CDATA_FLOAT64;
    }
    for (int t = CDATA_INT8; t <= CDATA_STRUCT; t++) {
        if (t != CDATA_FLOAT32 && t != CDATA_FLOAT64 && strcmp(name, type_lower[t]) == 0) {
            return t;
        }
    }
    return -1;
}

int cdata_decimal_scale(const struct cdata_schema *s, int32_t *scale, struct kc_error *err)
{
    const char *p = cdata_schema_param(s, "scale");
    if (p == NULL) {
        return kc_error_set(err, KC_EINVAL, "Invalid Decimal schema: scale parameter not found.");
    }
    char *end;
    long v = strtol(p, &end, 10);
    if (*p == '\0' || *end != '\0' || v < INT32_MIN || v > INT32_MAX) {
        return kc_error_set(err, KC_EINVAL, "Invalid scale parameter found in Decimal schema: ");
    }
    *scale = (int32_t)v;
    return KC_OK;
}

int64_t cdata_date_ms(int64_t days)
{
    int64_t r;
    if (__builtin_mul_overflow(days, (int64_t)86400000, &r)) {
        return days < 0 ? INT64_MIN : INT64_MAX;
    }
    return r;
}

/* ------------------------------------------------------------------ Java hashCode */

/* Decode one UTF-8 (or WTF-8 surrogate) sequence; we trust our own validated strings. */
static uint32_t utf8_next(const unsigned char **pp, const unsigned char *end)
{
    const unsigned char *p = *pp;
    uint32_t c = *p++;
    if (c >= 0xF0 && end - p >= 3) {
        c = ((c & 0x07) << 18) | ((uint32_t)(p[0] & 0x3F) << 12) | ((uint32_t)(p[1] & 0x3F) << 6) |
            (p[2] & 0x3F);
        p += 3;
    } else if (c >= 0xE0 && end - p >= 2) {
        c = ((c & 0x0F) << 12) | ((uint32_t)(p[0] & 0x3F) << 6) | (p[1] & 0x3F);
        p += 2;
    } else if (c >= 0xC0 && end - p >= 1) {
        c = ((c & 0x1F) << 6) | (p[0] & 0x3F);
        p += 1;
    }
    *pp = p;
    return c;
}

static int32_t string_hash(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    uint32_t h = 0;
    while (p < end) {
        if (*p < 0x80) {
            h = 31 * h + *p++;
            continue;
        }
        uint32_t c = utf8_next(&p, end);
        if (c >= 0x10000) {
            c -= 0x10000;
            h = 31 * h + (0xD800 + (c >> 10));
            h = 31 * h + (0xDC00 + (c & 0x3FF));
        } else {
            h = 31 * h + c;
        }
    }
    return (int32_t)h;
}

static int32_t long_hash(int64_t v)
{
    uint64_t u = (uint64_t)v;
    return (int32_t)(uint32_t)(u ^ (u >> 32));
}

static int32_t double_hash(double d)
{
    uint64_t u;
    if (isnan(d)) {
        u = 0x7ff8000000000000ULL; /* doubleToLongBits canonical NaN */
    } else {
        memcpy(&u, &d, sizeof(u));
    }
    return (int32_t)(uint32_t)(u ^ (u >> 32));
}

int32_t cdata_java_hash(const struct cdata_value *v)
{
    if (v == NULL) {
        return 0;
    }
    const struct cdata_schema *s = v->schema;
    if (s != NULL && s->name != NULL &&
        (cdata_schema_is(s, CDATA_LOGICAL_DATE) || cdata_schema_is(s, CDATA_LOGICAL_TIME) ||
         cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP))) {
        int64_t ms = cdata_schema_is(s, CDATA_LOGICAL_DATE) ? cdata_date_ms(v->u.i) : v->u.i;
        return long_hash(ms); /* java.util.Date.hashCode */
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
        return (int32_t)v->u.i;
    case CDATA_INT64:
        return long_hash(v->u.i);
    case CDATA_FLOAT32: {
        float f = java_d2f(v->u.f);
        uint32_t u;
        if (isnan(f)) {
            u = 0x7fc00000u;
        } else {
            memcpy(&u, &f, sizeof(u));
        }
        return (int32_t)u;
    }
    case CDATA_FLOAT64:
        return double_hash(v->u.f);
    case CDATA_BOOLEAN:
        return v->u.b ? 1231 : 1237;
    case CDATA_STRING:
        return string_hash(v->u.s, v->n);
    case CDATA_ARRAY: {
        uint32_t h = 1;
        for (uint32_t i = 0; i < v->n; i++) {
            h = 31 * h + (uint32_t)cdata_java_hash(v->u.items[i]);
        }
        return (int32_t)h;
    }
    case CDATA_MAP: {
        uint32_t h = 0;
        for (uint32_t i = 0; i < v->n; i++) {
            h += (uint32_t)(cdata_java_hash(v->u.map.keys[i]) ^ cdata_java_hash(v->u.map.vals[i]));
        }
        return (int32_t)h;
    }
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ Double.toString */

static const double pow10_tab[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Two digits per division, written from the end, then one copy: every integer and every
 * Double.toString goes through here (a quarter of FileStreamSink's printing time digit by
 * digit). */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

static size_t u64_digits(uint64_t m, char *out)
{
    char tmp[20]; /* UINT64_MAX has 20 digits */
    char *p = tmp + sizeof(tmp);
    while (m >= 100) {
        unsigned r = (unsigned)(m % 100);
        m /= 100;
        p -= 2;
        memcpy(p, &digit_pairs[2 * r], 2);
    }
    if (m >= 10) {
        p -= 2;
        memcpy(p, &digit_pairs[2 * m], 2);
    } else {
        *--p = (char)('0' + m);
    }
    size_t n = (size_t)(tmp + sizeof(tmp) - p);
    memcpy(out, p, n);
    return n;
}

/* Does the decimal m * 10^e round to x (as a double, or as a float when is_float)? */
static int roundtrips(uint64_t m, int e, double x, int is_float)
{
    char s[48];
    snprintf(s, sizeof(s), "%llue%d", (unsigned long long)m, e);
    if (is_float) {
        return strtof(s, NULL) == (float)x;
    }
    return strtod(s, NULL) == x;
}

/*
 * Shortest decimal digits of positive finite a: digits[0..*nd-1] (no trailing zeros) and e10
 * with a ~= d0.d1d2... * 10^e10. Java's rule (JDK 19+): the shortest decimal that rounds to a;
 * among several, the closest; if the shortest has 1 digit, 2-digit ones compete too.
 */
static void shortest_digits(double a, int is_float, char *digits, int *nd, int *e10)
{
    /* Fast path (doubles): a * 10^k close to an integer m < 2^50 with m / 10^k == a exactly
     * (Clinger: m and 10^k exact, one correctly rounded division). The smallest such k gives
     * the shortest digits; we insist that m is the only neighbour that round-trips, so
     * "closest" needs no further thought. */
    if (!is_float && a >= DBL_MIN) {
        for (int k = 0; k <= 22; k++) {
            double t = a * pow10_tab[k];
            if (t >= 1125899906842624.0) { /* 2^50 */
                break;
            }
            uint64_t m = (uint64_t)(t + 0.5);
            if (m == 0 || (double)m / pow10_tab[k] != a) {
                continue;
            }
            if ((double)(m + 1) / pow10_tab[k] == a || (m > 1 && (double)(m - 1) / pow10_tab[k] == a)) {
                break; /* two candidates: let the exact path choose */
            }
            int n = (int)u64_digits(m, digits);
            *e10 = n - 1 - k;
            while (n > 1 && digits[n - 1] == '0') {
                n--;
            }
            *nd = n;
            return;
        }
    }
    /* Exact path: for each length p, the correctly rounded p-digit decimal (printf is exact in
     * glibc) and its two neighbours, since near a power of two the rounding interval is
     * lopsided and the closest decimal may fall outside while a neighbour is inside. */
    int maxp = is_float ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        char s[64];
        snprintf(s, sizeof(s), "%.*e", p - 1, a);
        uint64_t m = 0;
        const char *q = s;
        for (; *q != 'e'; q++) {
            if (*q >= '0' && *q <= '9') {
                m = m * 10 + (uint64_t)(*q - '0');
            }
        }
        int ex = atoi(q + 1);  /* a ~= m * 10^(ex - p + 1) */
        int e = ex - p + 1;
        uint64_t best = 0;
        int found = 0;
        if (roundtrips(m, e, a, is_float)) {
            best = m;
            found = 1;
        } else if (roundtrips(m + 1, e, a, is_float)) {
            best = m + 1;
            found = 1;
        } else if (m > 1 && roundtrips(m - 1, e, a, is_float)) {
            best = m - 1;
            found = 1;
        }
        if (!found) {
            continue;
        }
        if (p == 1) {
            /* 2-digit decimals compete with 1-digit ones (Double.MIN_VALUE is "4.9E-324"). */
            char s2[64];
            snprintf(s2, sizeof(s2), "%.1e", a);
            uint64_t m2 = (uint64_t)(s2[0] - '0') * 10 + (uint64_t)(s2[2] - '0');
            int ex2 = atoi(strchr(s2, 'e') + 1);
            if (roundtrips(m2, ex2 - 1, a, is_float)) {
                best = m2;
                e = ex2 - 1;
            }
        }
        int n = (int)u64_digits(best, digits);
        *e10 = e + n - 1;
        while (n > 1 && digits[n - 1] == '0') {
            n--;
        }
        *nd = n;
        return;
    }
    /* Not reached: 17 (9) digits always round-trip. */
    digits[0] = '0';
    *nd = 1;
    *e10 = 0;
}

static size_t java_fp_fmt(double d, int is_float, char *out)
{
    char *o = out;
    if (isnan(d)) {
        memcpy(out, "NaN", 3);
        return 3;
    }
    if (signbit(d)) {
        *o++ = '-';
        d = -d;
    }
    if (isinf(d)) {
        memcpy(o, "Infinity", 8);
        return (size_t)(o - out) + 8;
    }
    if (d == 0) {
        memcpy(o, "0.0", 3);
        return (size_t)(o - out) + 3;
    }
    char dig[24];
    int nd, e;
    shortest_digits(d, is_float, dig, &nd, &e);
    if (d >= 1e-3 && d < 1e7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++) {
                *o++ = i < nd ? dig[i] : '0';
            }
            *o++ = '.';
            if (nd > e + 1) {
                memcpy(o, dig + e + 1, (size_t)(nd - e - 1));
                o += nd - e - 1;
            } else {
                *o++ = '0';
            }
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -e - 1; i++) {
                *o++ = '0';
            }
            memcpy(o, dig, (size_t)nd);
            o += nd;
        }
    } else {
        *o++ = dig[0];
        *o++ = '.';
        if (nd > 1) {
            memcpy(o, dig + 1, (size_t)(nd - 1));
            o += nd - 1;
        } else {
            *o++ = '0';
        }
        *o++ = 'E';
        if (e < 0) {
            *o++ = '-';
            e = -e;
        }
        o += u64_digits((uint64_t)e, o);
    }
    return (size_t)(o - out);
}

size_t cdata_java_double_fmt(double d, char *out)
{
    return java_fp_fmt(d, 0, out);
}

int cdata_java_double(double d, struct kc_buf *buf)
{
    char tmp[CDATA_JAVA_DOUBLE_MAX];
    size_t n = java_fp_fmt(d, 0, tmp);
    return kc_buf_append(buf, tmp, n);
}

int cdata_java_float(float f, struct kc_buf *buf)
{
    char tmp[CDATA_JAVA_DOUBLE_MAX];
    size_t n = java_fp_fmt((double)f, 1, tmp);
    return kc_buf_append(buf, tmp, n);
}

/* ------------------------------------------------------------------ other toStrings */

/*
 * kc_buf_append without the per-call NUL and function call when there is room (the common
 * case once the caller's buffer has grown); cdata_to_java_string terminates the string once.
 */
static inline int put(struct kc_buf *b, const void *p, size_t n)
{
    if (b->data != NULL && b->cap - b->len > n && b->limit - b->len >= n) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return KC_OK;
    }
    return kc_buf_append(b, p, n);
}

static inline int put_byte(struct kc_buf *b, char ch)
{
    if (b->data != NULL && b->cap - b->len > 1 && b->limit > b->len) {
        b->data[b->len++] = ch;
        return KC_OK;
    }
    return kc_buf_append(b, &ch, 1);
}

static int append_i64(struct kc_buf *buf, int64_t v)
{
    char tmp[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0;
    if (v < 0) {
        tmp[n++] = '-';
    }
    n += u64_digits(u, tmp + n);
    return put(buf, tmp, n);
}

/* BigDecimal.toString of (big-endian two's-complement unscaled bytes, scale). */
static int append_decimal(struct kc_buf *buf, const unsigned char *b, size_t n, int32_t scale)
{
    int rc = KC_ENOMEM;
    /* Magnitude as base-1e9 limbs, most significant first. */
    size_t nlimbs = n * 8 / 29 + 2; /* 1e9 > 2^29 */
    size_t nwords = (n + 3) / 4;
    unsigned char stackmag[64];
    uint32_t stacklimbs[32 + 16];
    char stackdig[320];
    if (n > CDATA_DECIMAL_MAX_BYTES) {
        return KC_EINVAL;
    }
    unsigned char *mag = n <= sizeof(stackmag) ? stackmag : kc_malloc(n ? n : 1);
    /* limbs, then the magnitude as words */
    uint32_t *limbs = nlimbs + nwords <= 48 ? stacklimbs
                                             : kc_malloc((nlimbs + nwords) * sizeof(uint32_t));
    size_t maxdig = nlimbs * 9 + 1;
    char *dig = maxdig <= sizeof(stackdig) ? stackdig : kc_malloc(maxdig);
    if (mag == NULL || limbs == NULL || dig == NULL) {
        goto out;
    }
    int neg = n > 0 && (b[0] & 0x80);
    if (n > 0) {
        memcpy(mag, b, n);
    }
    if (neg) { /* two's complement negate */
        int carry = 1;
        for (size_t i = n; i-- > 0;) {
            unsigned v = (unsigned)(unsigned char)~mag[i] + (unsigned)carry;
            mag[i] = (unsigned char)v;
            carry = v >> 8;
        }
    }
    /* Repeated division by 1e9, over 32-bit words (a quarter of the steps bytes take); the
     * word count shrinks as the top words empty. Still quadratic, which is why the caller caps
     * the length. */
    size_t nw = (n + 3) / 4;
    uint32_t *w = limbs + nlimbs;
    for (size_t i = 0; i < nw; i++) {
        w[i] = 0;
    }
    for (size_t i = 0; i < n; i++) { /* big-endian bytes -> big-endian words, right-aligned */
        size_t pos = nw * 4 - n + i;
        w[pos / 4] |= (uint32_t)mag[i] << (8 * (3 - pos % 4));
    }
    size_t nl = 0;
    size_t start = 0;
    for (;;) {
        while (start < nw && w[start] == 0) {
            start++;
        }
        if (start >= nw) {
            break;
        }
        uint64_t rem = 0;
        for (size_t i = start; i < nw; i++) {
            uint64_t cur = (rem << 32) | w[i];
            w[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        limbs[nl++] = (uint32_t)rem;
    }
    size_t nd = 0;
    if (nl == 0) {
        dig[nd++] = '0';
    } else {
        nd += u64_digits(limbs[nl - 1], dig);
        for (size_t i = nl - 1; i-- > 0;) {
            char t[9];
            uint32_t l = limbs[i];
            for (int k = 8; k >= 0; k--) {
                t[k] = (char)('0' + l % 10);
                l /= 10;
            }
            memcpy(dig + nd, t, 9);
            nd += 9;
        }
    }
    int64_t adjusted = -(int64_t)scale + (int64_t)(nd - 1);
    if (neg && (rc = kc_buf_append_byte(buf, '-')) != KC_OK) {
        goto out;
    }
    if (scale == 0) {
        rc = kc_buf_append(buf, dig, nd);
    } else if (scale > 0 && adjusted >= -6) {
        int64_t pad = (int64_t)scale - (int64_t)nd;
        if (pad >= 0) {
            rc = kc_buf_append(buf, "0.", 2);
            for (int64_t i = 0; rc == KC_OK && i < pad; i++) {
                rc = kc_buf_append_byte(buf, '0');
            }
            if (rc == KC_OK) {
                rc = kc_buf_append(buf, dig, nd);
            }
        } else {
            size_t ip = nd - (size_t)scale;
            rc = kc_buf_append(buf, dig, ip);
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(buf, '.');
            }
            if (rc == KC_OK) {
                rc = kc_buf_append(buf, dig + ip, (size_t)scale);
            }
        }
    } else {
        rc = kc_buf_append(buf, dig, 1);
        if (rc == KC_OK && nd > 1) {
            rc = kc_buf_append_byte(buf, '.');
            if (rc == KC_OK) {
                rc = kc_buf_append(buf, dig + 1, nd - 1);
            }
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_byte(buf, 'E');
        }
        if (rc == KC_OK && adjusted >= 0) {
            rc = kc_buf_append_byte(buf, '+');
        }
        if (rc == KC_OK) {
            rc = append_i64(buf, adjusted);
        }
    }
out:
    if (mag != stackmag) {
        kc_free(mag);
    }
    if (limbs != stacklimbs) {
        kc_free(limbs);
    }
    if (dig != stackdig) {
        kc_free(dig);
    }
    return rc;
}

/* java.util.Date.toString() in UTC: "EEE MMM dd HH:mm:ss zzz yyyy". */
static int append_date(struct kc_buf *buf, int64_t ms)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = ms / 86400000;
    int64_t rem = ms % 86400000;
    if (rem < 0) {
        rem += 86400000;
        days--;
    }
    int64_t secs = rem / 1000;
    int w = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    if (days < -141427 && days + 2440588 + 32082 >= 0) {
        /* Before 1582-10-15 java.util.Date (GregorianCalendar) uses the Julian calendar. */
        int64_t c = days + 2440588 + 32082;
        int64_t dd = (4 * c + 3) / 1461;
        int64_t e = c - 1461 * dd / 4;
        int64_t mm = (5 * e + 2) / 153;
        int64_t jday = e - (153 * mm + 2) / 5 + 1;
        int64_t jmon = mm + 3 - 12 * (mm / 10);
        int64_t jyear = dd - 4800 + mm / 10;
        return kc_buf_printf(buf, "%s %s %02d %02d:%02d:%02d UTC %lld", wd[w], mo[jmon - 1],
                             (int)jday, (int)(secs / 3600), (int)(secs / 60 % 60),
                             (int)(secs % 60), (long long)jyear);
    }
    /* Howard Hinnant's civil_from_days. */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) {
        y++;
    }
    return kc_buf_printf(buf, "%s %s %02d %02d:%02d:%02d UTC %lld", wd[w], mo[m - 1], (int)d,
                         (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
                         (long long)y);
}

static int append_value(const struct cdata_value *v, struct kc_buf *buf, int depth);

/* Any 0xED byte (possible lone-surrogate lead)? Inline SWAR: most strings are short. */
static inline int has_wtf8_lead(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        x ^= ones * 0xED;
        if (((x - ones) & ~x & highs) != 0) {
            return 1;
        }
    }
    for (; i < n; i++) {
        if ((unsigned char)s[i] == 0xED) {
            return 1;
        }
    }
    return 0;
}

/*
 * A JSON "\ud800" escape without its pair is legal for Jackson and gives a Java String with a
 * lone surrogate; we keep it as a 3-byte WTF-8 sequence (ED A0..BF xx) so hashCode stays right,
 * and print '?' for it here, as the JVM's UTF-8 PrintStream does when FileStreamSink writes it.
 */
static int append_wtf8(struct kc_buf *buf, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    int rc = KC_OK;
    while (i < n && rc == KC_OK) {
        if (p[i] == 0xED && i + 2 < n && p[i + 1] >= 0xA0) {
            rc = kc_buf_append(buf, s + run, i - run);
            if (rc == KC_OK) {
                rc = kc_buf_append_byte(buf, '?');
            }
            i += 3;
            run = i;
        } else {
            i++;
        }
    }
    return rc == KC_OK ? kc_buf_append(buf, s + run, n - run) : rc;
}

/* HashMap's resize threshold: (int)(cap * 0.75f); 0 for a 1-slot table. */
static uint32_t thr(uint32_t cap)
{
    return (uint32_t)((uint64_t)cap * 3 / 4);
}

/* HashMap iteration order, see cdata.h. order[] receives entry indexes. */
static void hashmap_order(const struct cdata_value *v, uint64_t *keyed, uint32_t *order)
{
    uint32_t n = v->n;
    uint32_t cap = 16;
    if (v->schema >= &hint_tab[0] && v->schema <= &hint_tab[30]) {
        cap = 1u << (v->schema - &hint_tab[0]);
    }
    uint32_t *h = order; /* reuse order[] as hash scratch first */
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = (uint32_t)cdata_java_hash(v->u.map.keys[i]);
        h[i] = x ^ (x >> 16);
    }
    /* Treeify-induced resizes: while cap < 64, a chain reaching 9 doubles the table. */
    uint32_t counts[64];
    uint32_t sized = 0;
    for (uint32_t i = 0; n >= 9 && i < n && cap < 64; i++) { /* < 9 keys: no chain reaches 9 */
        if (sized != cap) {
            memset(counts, 0, sizeof(counts));
            for (uint32_t j = 0; j < i; j++) {
                counts[h[j] & (cap - 1)]++;
            }
            sized = cap;
        }
        if (++counts[h[i] & (cap - 1)] >= 9) {
            cap *= 2; /* treeifyBin -> resize() */
        }
        if (i + 1 > thr(cap)) {
            cap *= 2; /* ++size > threshold */
        }
    }
    while (n > thr(cap)) {
        cap *= 2;
    }
    for (uint32_t i = 0; i < n; i++) {
        keyed[i] = ((uint64_t)(h[i] & (cap - 1)) << 32) | i;
    }
    /* Insertion sort: maps are small; keys are unique so no stability concerns. */
    if (n <= 64) {
        for (uint32_t i = 1; i < n; i++) {
            uint64_t x = keyed[i];
            uint32_t j = i;
            while (j > 0 && keyed[j - 1] > x) {
                keyed[j] = keyed[j - 1];
                j--;
            }
            keyed[j] = x;
        }
    } else {
        /* simple shell sort avoids qsort's callback cost */
        for (uint32_t gap = n / 2; gap > 0; gap /= 2) {
            for (uint32_t i = gap; i < n; i++) {
                uint64_t x = keyed[i];
                uint32_t j = i;
                while (j >= gap && keyed[j - gap] > x) {
                    keyed[j] = keyed[j - gap];
                    j -= gap;
                }
                keyed[j] = x;
            }
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        order[i] = (uint32_t)keyed[i];
    }
}

int cdata_map_java_order(const struct cdata_value *v, uint32_t *order)
{
    uint64_t skeyed[64];
    uint64_t *keyed = v->n <= 64 ? skeyed : kc_malloc((size_t)v->n * sizeof(*keyed));
    if (keyed == NULL) {
        return KC_ENOMEM;
    }
    hashmap_order(v, keyed, order);
    if (keyed != skeyed) {
        kc_free(keyed);
    }
    return KC_OK;
}

/* A key whose Java hash is a function of its bytes alone. */
static int memo_key(const struct cdata_value *k)
{
    return k != NULL && k->type == CDATA_STRING && (k->schema == NULL || k->schema->name == NULL);
}

/* The memo's order when it was computed for exactly v's keys (same bytes, same order). */
static const uint32_t *memo_lookup(const struct cdata_memo *m, const struct cdata_value *v)
{
    if (m->n == 0 || m->n != v->n || m->hint != v->schema) {
        return NULL;
    }
    const uint32_t *order = m->mem;
    const uint32_t *klen = order + m->n;
    const char *kb = (const char *)(klen + m->n);
    for (uint32_t i = 0; i < v->n; i++) {
        const struct cdata_value *k = v->u.map.keys[i];
        if (!memo_key(k) || k->n != klen[i] || memcmp(k->u.s, kb, k->n) != 0) {
            return NULL;
        }
        kb += k->n;
    }
    return order;
}

static void memo_store(struct cdata_memo *m, const struct cdata_value *v, const uint32_t *order)
{
    size_t bytes = 0;
    m->n = 0;
    if (v->n == 0 || v->n > CDATA_MEMO_MAX_KEYS) {
        return;
    }
    for (uint32_t i = 0; i < v->n; i++) {
        if (!memo_key(v->u.map.keys[i])) {
            return;
        }
        bytes += v->u.map.keys[i]->n;
    }
    if (bytes > CDATA_MEMO_MAX_BYTES) {
        return;
    }
    size_t need = 2 * (size_t)v->n * sizeof(uint32_t) + bytes;
    if (need > m->cap) {
        void *p = kc_realloc(m->mem, need);
        if (p == NULL) {
            return; /* stays empty: the next map is ordered the ordinary way */
        }
        m->mem = p;
        m->cap = need;
    }
    uint32_t *o = m->mem;
    uint32_t *klen = o + v->n;
    char *kb = (char *)(klen + v->n);
    memcpy(o, order, (size_t)v->n * sizeof(*o));
    for (uint32_t i = 0; i < v->n; i++) {
        const struct cdata_value *k = v->u.map.keys[i];
        klen[i] = k->n;
        memcpy(kb, k->u.s, k->n);
        kb += k->n;
    }
    m->n = v->n;
    m->hint = v->schema;
}

void cdata_memo_fini(struct cdata_memo *memo)
{
    if (memo != NULL) {
        kc_free(memo->mem);
        memset(memo, 0, sizeof(*memo));
    }
}

static int append_map(const struct cdata_value *v, struct kc_buf *buf, int depth,
                      struct cdata_memo *memo)
{
    uint64_t skeyed[64];
    uint32_t sorder[64];
    uint64_t *keyed = skeyed;
    uint32_t *order = sorder;
    const uint32_t *known = NULL;
    int rc;
    if (memo != NULL && v->schema != &cdata_schema_linked_map &&
        (known = memo_lookup(memo, v)) != NULL) {
        order = (uint32_t *)(uintptr_t)known; /* read only below */
    } else if (v->n > 64) {
        keyed = kc_malloc((size_t)v->n * sizeof(*keyed));
        order = kc_malloc((size_t)v->n * sizeof(*order));
        if (keyed == NULL || order == NULL) {
            rc = KC_ENOMEM;
            goto out;
        }
    }
    if (known != NULL) {
        /* computed for these very keys by an earlier call */
    } else if (v->schema == &cdata_schema_linked_map) {
        for (uint32_t i = 0; i < v->n; i++) {
            order[i] = i; /* LinkedHashMap: insertion order */
        }
    } else {
        hashmap_order(v, keyed, order);
        if (memo != NULL) {
            memo_store(memo, v, order);
        }
    }
    rc = put_byte(buf, '{');
    for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
        uint32_t k = order[i];
        if (i > 0) {
            rc = put(buf, ", ", 2);
        }
        if (rc == KC_OK) {
            rc = append_value(v->u.map.keys[k], buf, depth + 1);
        }
        if (rc == KC_OK) {
            rc = put_byte(buf, '=');
        }
        if (rc == KC_OK) {
            rc = append_value(v->u.map.vals[k], buf, depth + 1);
        }
    }
    if (rc == KC_OK) {
        rc = put_byte(buf, '}');
    }
out:
    if (keyed != skeyed) {
        kc_free(keyed);
    }
    if (order != sorder && known == NULL) {
        kc_free(order);
    }
    return rc;
}

static int append_value(const struct cdata_value *v, struct kc_buf *buf, int depth)
{
    int rc = KC_OK;
    if (v == NULL) {
        return put(buf, "null", 4);
    }
    if (depth > 2000) {
        /* Values come from parsers with depth caps; a hand-built cycle would loop forever. */
        return KC_ENOMEM;
    }
    const struct cdata_schema *s = v->schema;
    if (s != NULL && s->name != NULL) {
        if (cdata_schema_is(s, CDATA_LOGICAL_DATE)) {
            return append_date(buf, cdata_date_ms(v->u.i));
        }
        if (cdata_schema_is(s, CDATA_LOGICAL_TIME) || cdata_schema_is(s, CDATA_LOGICAL_TIMESTAMP)) {
            return append_date(buf, v->u.i);
        }
        if (cdata_schema_is(s, CDATA_LOGICAL_DECIMAL) && v->type == CDATA_BYTES) {
            int32_t scale = 0;
            if (cdata_decimal_scale(s, &scale, NULL) == KC_OK) {
                return append_decimal(buf, (const unsigned char *)v->u.s, v->n, scale);
            }
        }
    }
    switch (v->type) {
    case CDATA_INT8:
    case CDATA_INT16:
    case CDATA_INT32:
    case CDATA_INT64:
        return append_i64(buf, v->u.i);
    case CDATA_FLOAT32:
        return cdata_java_float(java_d2f(v->u.f), buf);
    case CDATA_FLOAT64: {
        char tmp[CDATA_JAVA_DOUBLE_MAX];
        return put(buf, tmp, java_fp_fmt(v->u.f, 0, tmp));
    }
    case CDATA_BOOLEAN:
        return v->u.b ? put(buf, "true", 4) : put(buf, "false", 5);
    case CDATA_STRING:
        if (has_wtf8_lead(v->u.s, v->n)) {
            return append_wtf8(buf, v->u.s, v->n);
        }
        return put(buf, v->u.s, v->n);
    case CDATA_BYTES: {
        /* Object.toString of a byte[]: "[B@" + identity hash; unreproducible by design. */
        uintptr_t id = (uintptr_t)v->u.s;
        return kc_buf_printf(buf, "[B@%x", (unsigned)((id >> 4) ^ (id >> 36)) & 0x7fffffffu);
    }
    case CDATA_ARRAY:
        rc = put_byte(buf, '[');
        for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
            if (i > 0) {
                rc = put(buf, ", ", 2);
            }
            if (rc == KC_OK) {
                rc = append_value(v->u.items[i], buf, depth + 1);
            }
        }
        return rc == KC_OK ? put_byte(buf, ']') : rc;
    case CDATA_MAP:
        return append_map(v, buf, depth, NULL);
    case CDATA_STRUCT: {
        int first = 1;
        rc = put(buf, "Struct{", 7);
        for (uint32_t i = 0; rc == KC_OK && i < v->n; i++) {
            const struct cdata_value *f = v->u.items[i];
            if (f == NULL) {
                continue;
            }
            if (!first) {
                rc = put_byte(buf, ',');
            }
            first = 0;
            if (rc == KC_OK) {
                rc = kc_buf_append_str(buf, s->fields[i].name);
            }
            if (rc == KC_OK) {
                rc = put_byte(buf, '=');
            }
            if (rc == KC_OK) {
                rc = append_value(f, buf, depth + 1);
            }
        }
        return rc == KC_OK ? put_byte(buf, '}') : rc;
    }
    }
    return KC_OK;
}

int cdata_to_java_string_memo(const struct cdata_value *v, struct kc_buf *buf,
                              struct cdata_memo *memo)
{
    if (v == NULL || v->type != CDATA_MAP || (v->schema != NULL && v->schema->name != NULL)) {
        return cdata_to_java_string(v, buf); /* what append_value does before it reaches maps */
    }
    int rc = append_map(v, buf, 0, memo);
    if (rc == KC_OK && buf->data != NULL) {
        buf->data[buf->len] = '\0';
    }
    return rc;
}

int cdata_to_java_string(const struct cdata_value *v, struct kc_buf *buf)
{
    int rc = append_value(v, buf, 0);
    if (rc == KC_OK && buf->data != NULL) {
        buf->data[buf->len] = '\0';
    }
    return rc;
}

/* ---- schema fingerprints ---- */

/* One 64-bit word into the running hash (a multiply-xorshift mix, order-sensitive). */
static uint64_t fp_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

static uint64_t fp_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    h = fp_mix(h, (uint64_t)n);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        h = fp_mix(h, w);
        b += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, b, n);
    return fp_mix(h, w);
}

/* A string that may be absent: absent and "" differ. */
static uint64_t fp_str(uint64_t h, const char *s)
{
    return s == NULL ? fp_mix(h, 0x5bd1e995u) : fp_bytes(h, s, strlen(s));
}

static uint64_t fp_value(uint64_t h, const struct cdata_value *v, int depth)
{
    if (v == NULL) {
        return fp_mix(h, 0xdeadbeefu);
    }
    h = fp_mix(h, (uint64_t)v->type + 1000);
    if (depth > 64) {
        return h;
    }
    switch (v->type) {
    case CDATA_FLOAT32:
    case CDATA_FLOAT64: {
        uint64_t bits;
        memcpy(&bits, &v->u.f, sizeof(bits));
        return fp_mix(h, bits);
    }
    case CDATA_BOOLEAN:
        return fp_mix(h, (uint64_t)(v->u.b != 0));
    case CDATA_STRING:
    case CDATA_BYTES:
        return fp_bytes(h, v->u.s, v->n);
    case CDATA_ARRAY:
    case CDATA_STRUCT:
        h = fp_mix(h, v->n);
        for (uint32_t i = 0; i < v->n; i++) {
            h = fp_value(h, v->u.items[i], depth + 1);
        }
        return h;
    case CDATA_MAP:
        h = fp_mix(h, v->n);
        for (uint32_t i = 0; i < v->n; i++) {
            h = fp_value(h, v->u.map.keys[i], depth + 1);
            h = fp_value(h, v->u.map.vals[i], depth + 1);
        }
        return h;
    default:
        return fp_mix(h, (uint64_t)v->u.i);
    }
}

static uint64_t fp_schema(uint64_t h, const struct cdata_schema *s, int depth)
{
    if (s == NULL) {
        return fp_mix(h, 0x2545F4914F6CDD1Dull);
    }
    h = fp_mix(h, (uint64_t)s->type);
    h = fp_mix(h, (uint64_t)(s->optional != 0));
    h = fp_str(h, s->name);
    h = fp_mix(h, (uint64_t)(int64_t)s->version);
    h = fp_str(h, s->doc);
    h = fp_mix(h, s->n_params);
    for (size_t i = 0; i < s->n_params; i++) {
        h = fp_str(h, s->params[i].key);
        h = fp_str(h, s->params[i].value);
    }
    h = fp_mix(h, (uint64_t)(s->has_default != 0));
    if (s->has_default) {
        h = fp_value(h, s->default_value, 0);
    }
    if (depth > 64) {
        return h; /* Connect schemas this deep do not come from any converter */
    }
    h = fp_schema(h, s->items, depth + 1);
    h = fp_schema(h, s->keys, depth + 1);
    h = fp_schema(h, s->values, depth + 1);
    h = fp_mix(h, s->n_fields);
    for (size_t i = 0; i < s->n_fields; i++) {
        h = fp_str(h, s->fields[i].name);
        h = fp_schema(h, s->fields[i].schema, depth + 1);
    }
    return h;
}

uint64_t cdata_schema_fingerprint(const struct cdata_schema *s)
{
    return fp_schema(0xcbf29ce484222325ull, s, 0);
}
