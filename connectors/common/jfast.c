/*
 * connectors/common/jfast.c: recursive-descent JSON parser building cdata values in an arena.
 * See jfast.h for the accepted language (Jackson's, as JsonConverter configures it).
 *
 * Invariant: on any return other than KC_OK nothing the caller can see points into
 * half-built values; children of open containers live on j->stack until their container
 * closes, then move into one arena array. Strings are scanned once to find their end and
 * validate them (8 bytes at a time while they are plain ASCII), then copied or unescaped into
 * a single arena allocation that holds the value and its bytes.
 */
#include "jfast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_text.h"

struct cur {
    const unsigned char *p;
    const unsigned char *start;
    const unsigned char *end;
    struct jfast *j;
    struct kc_arena *a;
    struct kc_error *err;
    size_t top; /* used entries of j->stack */
    char *bump; /* per-record block taken from the arena up front (small records only) */
    char *bump_end;
};

/*
 * Small records take one arena block sized for their likely tree (3x the input plus a little)
 * and carve values out of it, saving a kc_arena_alloc call per value; what does not fit, or
 * larger records, go to the arena directly. The unused tail of the block is the price.
 */
static inline void *cur_alloc(struct cur *c, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if ((size_t)(c->bump_end - c->bump) >= n) {
        void *p = c->bump;
        c->bump += n;
        return p;
    }
    return kc_arena_alloc(c->a, n);
}

static int fail(struct cur *c, const char *what)
{
    size_t off = (size_t)(c->p - c->start);
    if (c->p < c->end) {
        unsigned ch = *c->p;
        if (ch >= 0x20 && ch < 0x7f) {
            return kc_error_set(c->err, KC_EINVAL, "%s at offset %zu (found '%c')", what, off,
                                (char)ch);
        }
        return kc_error_set(c->err, KC_EINVAL, "%s at offset %zu (found byte 0x%02x)", what, off,
                            ch);
    }
    return kc_error_set(c->err, KC_EINVAL, "%s at offset %zu (unexpected end of input)", what,
                        off);
}

static int oom(struct cur *c)
{
    return kc_error_set(c->err, KC_ENOMEM, "out of memory converting record (batch arena full)");
}

static void skip_ws(struct cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\n' || *c->p == '\r' || *c->p == '\t')) {
        c->p++;
    }
}

/* A value header (plain or tree node) plus `extra` bytes behind it. */
static struct cdata_value *new_val(struct cur *c, enum cdata_type t, size_t extra,
                                   const unsigned char *raw_start)
{
    size_t hs = c->j->tree ? sizeof(struct jfast_node) : sizeof(struct cdata_value);
    struct cdata_value *v = cur_alloc(c, hs + extra);
    if (v == NULL) {
        return NULL;
    }
    v->type = t;
    v->n = 0;
    v->schema = NULL;
    if (c->j->tree) {
        struct jfast_node *jn = (struct jfast_node *)v;
        jn->raw = (const char *)raw_start;
        jn->raw_len = 0;
        jn->flags = 0;
    }
    return v;
}

static void set_raw_end(struct cur *c, struct cdata_value *v)
{
    if (c->j->tree) {
        struct jfast_node *jn = (struct jfast_node *)v;
        jn->raw_len = (uint32_t)((const char *)c->p - jn->raw);
    }
}

static int grow(struct cur *c)
{
    struct jfast *j = c->j;
    {
        size_t nc = j->stack_cap ? j->stack_cap * 2 : 256;
        const struct cdata_value **ns = kc_realloc(j->stack, nc * sizeof(*ns));
        if (ns == NULL) {
            return oom(c);
        }
        j->stack = ns;
        j->stack_cap = nc;
    }
    return KC_OK;
}

static inline int push(struct cur *c, const struct cdata_value *v)
{
    if (c->top == c->j->stack_cap && grow(c) != KC_OK) {
        return KC_ENOMEM;
    }
    c->j->stack[c->top++] = v;
    return KC_OK;
}

/* ---------------------------------------------------------------- strings */

static int read_hex4(const unsigned char *p)
{
    int a = kc_hexval(p[0]), b = kc_hexval(p[1]), d = kc_hexval(p[2]), e = kc_hexval(p[3]);
    if ((a | b | d | e) < 0) {
        return -1;
    }
    return (a << 12) | (b << 8) | (d << 4) | e;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned b0 = p[0];
    size_t avail = (size_t)(end - p);
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (avail < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) {
            return 0;
        }
        if ((b0 == 0xE0 && p[1] < 0xA0) || (b0 == 0xED && p[1] >= 0xA0)) {
            return 0; /* overlong, or an encoded surrogate */
        }
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80) {
            return 0;
        }
        if ((b0 == 0xF0 && p[1] < 0x90) || (b0 == 0xF4 && p[1] >= 0x90)) {
            return 0;
        }
        return 4;
    }
    return 0;
}

/*
 * Mask with the high bit set in the first byte (lowest address) of x that is < 0x20, '"', '\\'
 * or >= 0x80 (SWAR); bits above the first hit may be spurious (borrows), so only the lowest set
 * bit is meaningful. Little-endian load order is assumed (x86-64, aarch64).
 */
static inline uint64_t special8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t lt20 = (x - ones * 0x20) & ~x;
    uint64_t q = x ^ (ones * '"');
    uint64_t bs = x ^ (ones * '\\');
    uint64_t eqq = (q - ones) & ~q;
    uint64_t eqb = (bs - ones) & ~bs;
    return (lt20 | eqq | eqb | x) & highs;
}

static size_t put_utf8(unsigned char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* c->p is just past the opening quote. Builds a STRING value (tree node if as_value). */
static int parse_string(struct cur *c, int as_value, const struct cdata_value **out)
{
    const unsigned char *raw_start = c->p - 1;
    const unsigned char *s = c->p, *p = s, *end = c->end;
    int escaped = 0;
    for (;;) {
        while ((size_t)(end - p) >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            uint64_t m = special8(x);
            if (m != 0) {
                p += __builtin_ctzll(m) >> 3;
                break;
            }
            p += 8;
        }
        if (p >= end) {
            c->p = p;
            return fail(c, "Unexpected end-of-input in a string");
        }
        unsigned ch = *p;
        if (ch == '"') {
            break;
        }
        if (ch == '\\') {
            escaped = 1;
            if (p + 1 >= end) {
                c->p = p + 1;
                return fail(c, "Unexpected end-of-input in a string escape");
            }
            unsigned e = p[1];
            if (e == 'u') {
                if (end - p < 6 || read_hex4(p + 2) < 0) {
                    c->p = p;
                    return fail(c, "Invalid \\u escape in a string");
                }
                p += 6;
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                       e == 'r' || e == 't') {
                p += 2;
            } else {
                c->p = p + 1;
                return fail(c, "Unrecognized character escape in a string");
            }
            continue;
        }
        if (ch < 0x20) {
            c->p = p;
            return fail(c, "Illegal unquoted control character in a string");
        }
        if (ch >= 0x80) {
            size_t k = utf8_seq(p, end);
            if (k == 0) {
                c->p = p;
                return fail(c, "Invalid UTF-8 in a string");
            }
            p += k;
            continue;
        }
        p++;
    }
    size_t rawn = (size_t)(p - s);
    if (rawn > UINT32_MAX) {
        c->p = s;
        return fail(c, "String too long");
    }
    struct cdata_value *v;
    if (as_value) {
        v = new_val(c, CDATA_STRING, rawn + 1, raw_start);
    } else {
        v = cur_alloc(c, sizeof(*v) + rawn + 1);
        if (v != NULL) {
            v->type = CDATA_STRING;
            v->schema = NULL;
        }
    }
    if (v == NULL) {
        return oom(c);
    }
    size_t hs = as_value && c->j->tree ? sizeof(struct jfast_node) : sizeof(struct cdata_value);
    unsigned char *d = (unsigned char *)v + hs;
    size_t dn;
    if (!escaped) {
        memcpy(d, s, rawn);
        dn = rawn;
    } else {
        const unsigned char *q = s;
        dn = 0;
        while (q < p) {
            if (*q != '\\') {
                d[dn++] = *q++;
                continue;
            }
            unsigned e = q[1];
            q += 2;
            switch (e) {
            case 'b': d[dn++] = '\b'; break;
            case 'f': d[dn++] = '\f'; break;
            case 'n': d[dn++] = '\n'; break;
            case 'r': d[dn++] = '\r'; break;
            case 't': d[dn++] = '\t'; break;
            case 'u': {
                uint32_t cp = (uint32_t)read_hex4(q);
                q += 4;
                if (cp >= 0xD800 && cp <= 0xDBFF && p - q >= 6 && q[0] == '\\' && q[1] == 'u') {
                    int lo = read_hex4(q + 2);
                    if (lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
                        q += 6;
                    }
                }
                /* A lone surrogate stays as 3-byte WTF-8 (Java keeps it in the String). */
                dn += put_utf8(d + dn, cp);
                break;
            }
            default: d[dn++] = (unsigned char)e; break;
            }
        }
    }
    d[dn] = '\0';
    v->n = (uint32_t)dn;
    v->u.s = (const char *)d;
    c->p = p + 1;
    if (as_value) {
        set_raw_end(c, v);
    }
    *out = v;
    return KC_OK;
}

/* ---------------------------------------------------------------- numbers */

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int parse_number(struct cur *c, int root, const struct cdata_value **out)
{
    const unsigned char *s = c->p, *p = s, *end = c->end;
    int neg = 0;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') {
        c->p = p;
        return fail(c, "Expected digit (0-9) to follow minus sign, for valid numeric value");
    }
    /* Fast path: a plain integer of at most 18 digits (no leading zero games, no overflow). */
    {
        const unsigned char *q = p;
        uint64_t fu = 0;
        while (q < end && *q >= '0' && *q <= '9' && q - p < 19) {
            fu = fu * 10 + (uint64_t)(*q - '0');
            q++;
        }
        size_t nd = (size_t)(q - p);
        if (nd > 0 && nd <= 18 && (*p != '0' || nd == 1) &&
            (q >= end || (*q != '.' && *q != 'e' && *q != 'E' && (*q < '0' || *q > '9')))) {
            if (root && q < end && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n') {
                c->p = q;
                return fail(c, "Expected space separating root-level values");
            }
            struct cdata_value *v = new_val(c, CDATA_INT64, 0, s);
            if (v == NULL) {
                return oom(c);
            }
            v->u.i = neg ? -(int64_t)fu : (int64_t)fu;
            if (c->j->tree) {
                ((struct jfast_node *)v)->flags =
                    v->u.i >= INT32_MIN && v->u.i <= INT32_MAX ? JFAST_F_INT32 : 0;
            }
            c->p = q;
            set_raw_end(c, v);
            *out = v;
            return KC_OK;
        }
    }
    uint64_t u = 0;      /* integer digits mod 2^64 */
    uint64_t mant = 0;   /* first 19 significant digits (integer and fraction) */
    int nsig = 0;        /* significant digits seen */
    int drop = 0;        /* significant integer digits beyond the 19 kept */
    int frac_kept = 0;   /* fraction digits kept in mant */
    int overflow = 0;
    int uovf = 0;        /* integer digits exceeded uint64 */
    while (p < end && *p == '0') {
        p++; /* leading zeros (allowed) */
    }
    const unsigned char *idig = p;
    while (p < end && *p >= '0' && *p <= '9') {
        unsigned dgt = *p - '0';
        if (u > (UINT64_MAX - dgt) / 10) {
            uovf = 1;
        }
        u = u * 10 + dgt;
        if (nsig < 19) {
            mant = mant * 10 + dgt;
            nsig++;
        } else {
            drop++;
        }
        p++;
    }
    size_t nint = (size_t)(p - idig);
    int is_float = 0;
    if (p < end && *p == '.') {
        is_float = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9') {
            c->p = p;
            return fail(c, "Decimal point not followed by a digit");
        }
        while (p < end && *p >= '0' && *p <= '9') {
            if (nsig < 19 && (nsig > 0 || *p != '0')) {
                mant = mant * 10 + (unsigned)(*p - '0');
                nsig++;
                frac_kept++;
            } else if (nsig == 0) {
                frac_kept++; /* leading fraction zeros shift the exponent */
            } else if (*p != '0') {
                overflow = 1; /* inexact: more than 19 digits */
            }
            p++;
        }
    }
    long exp10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_float = 1;
        p++;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || *p < '0' || *p > '9') {
            c->p = p;
            return fail(c, "Exponent indicator not followed by a digit");
        }
        while (p < end && *p >= '0' && *p <= '9') {
            if (exp10 < 100000) {
                exp10 = exp10 * 10 + (*p - '0');
            }
            p++;
        }
        if (eneg) {
            exp10 = -exp10;
        }
    }
    if ((size_t)(p - s) > JFAST_MAX_NUMBER_LEN) {
        c->p = s;
        return fail(c, "Number value length exceeds the maximum allowed (1000)");
    }
    if (root && p < end && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') {
        c->p = p;
        return fail(c, "Expected space separating root-level values");
    }
    struct cdata_value *v;
    if (!is_float) {
        v = new_val(c, CDATA_INT64, 0, s);
        if (v == NULL) {
            return oom(c);
        }
        /* BigInteger.longValue(): the low 64 bits of the two's complement. */
        v->u.i = (int64_t)(neg ? (uint64_t)0 - u : u);
        if (c->j->tree) {
            struct jfast_node *jn = (struct jfast_node *)v;
            int big = nint > 20 || uovf ||
                      (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX);
            jn->flags = big ? JFAST_F_BIG : 0;
            if (!big && v->u.i >= INT32_MIN && v->u.i <= INT32_MAX) {
                jn->flags |= JFAST_F_INT32;
            }
        }
    } else {
        double d;
        long e = exp10 + drop - frac_kept;
        if (mant == 0) {
            d = 0.0; /* BigDecimal has no negative zero */
        } else if (!overflow && drop == 0 && mant < (1ULL << 53) && e >= -22 && e <= 22) {
            d = e >= 0 ? (double)mant * pow10_exact[e] : (double)mant / pow10_exact[-e];
            if (neg) {
                d = -d;
            }
        } else {
            char tmp[JFAST_MAX_NUMBER_LEN + 1];
            size_t n = (size_t)(p - s);
            memcpy(tmp, s, n);
            tmp[n] = '\0';
            d = strtod(tmp, NULL); /* glibc: correctly rounded; C locale assumed */
        }
        v = new_val(c, CDATA_FLOAT64, 0, s);
        if (v == NULL) {
            return oom(c);
        }
        v->u.f = d;
        if (c->j->tree) {
            ((struct jfast_node *)v)->flags = JFAST_F_FLOAT;
        }
    }
    c->p = p;
    set_raw_end(c, v);
    *out = v;
    return KC_OK;
}

/* ---------------------------------------------------------------- containers */

static int parse_value(struct cur *c, int depth, int root, const struct cdata_value **out);

static int key_eq(const struct cdata_value *a, const struct cdata_value *b)
{
    return a->n == b->n && memcmp(a->u.s, b->u.s, a->n) == 0;
}

static uint32_t key_hash(const struct cdata_value *k)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < k->n; i++) {
        h = (h ^ (unsigned char)k->u.s[i]) * 16777619u;
    }
    return h;
}

/*
 * Remove repeated keys from the pairs at stack[base..top): first position, last value (Jackson
 * ObjectNode). Returns the number of distinct pairs, compacted in place, or -1 on OOM.
 */
static long dedupe_pairs(struct cur *c, size_t base, size_t npairs)
{
    const struct cdata_value **kv = c->j->stack + base;
    size_t out = 0;
    if (npairs <= 16) {
        for (size_t i = 0; i < npairs; i++) {
            const struct cdata_value *k = kv[2 * i];
            size_t f = out;
            for (size_t m = 0; m < out; m++) {
                if (key_eq(kv[2 * m], k)) {
                    f = m;
                    break;
                }
            }
            if (f < out) {
                kv[2 * f + 1] = kv[2 * i + 1];
            } else {
                kv[2 * out] = k;
                kv[2 * out + 1] = kv[2 * i + 1];
                out++;
            }
        }
        return (long)out;
    }
    struct jfast *j = c->j;
    size_t cap = 32;
    while (cap < npairs * 2) {
        cap *= 2;
    }
    if (j->dedup_cap < cap) {
        uint32_t *nt = kc_realloc(j->dedup, cap * sizeof(uint32_t));
        if (nt == NULL) {
            return -1;
        }
        j->dedup = nt;
        j->dedup_cap = cap;
    }
    uint32_t *t = j->dedup;
    memset(t, 0xff, cap * sizeof(uint32_t));
    for (size_t i = 0; i < npairs; i++) {
        const struct cdata_value *k = kv[2 * i];
        size_t slot = key_hash(k) & (cap - 1);
        for (;;) {
            if (t[slot] == UINT32_MAX) {
                t[slot] = (uint32_t)out;
                kv[2 * out] = k;
                kv[2 * out + 1] = kv[2 * i + 1];
                out++;
                break;
            }
            if (key_eq(kv[2 * t[slot]], k)) {
                kv[2 * t[slot] + 1] = kv[2 * i + 1];
                break;
            }
            slot = (slot + 1) & (cap - 1);
        }
    }
    return (long)out;
}

static int parse_object(struct cur *c, int depth, const struct cdata_value **out)
{
    const unsigned char *raw_start = c->p - 1;
    size_t base = c->top;
    int rc;
    skip_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
    } else {
        for (;;) {
            skip_ws(c);
            if (c->p >= c->end || *c->p != '"') {
                return fail(c, "Unexpected character: was expecting double-quote to start field name");
            }
            c->p++;
            const struct cdata_value *k;
            if ((rc = parse_string(c, 0, &k)) != KC_OK || (rc = push(c, k)) != KC_OK) {
                return rc;
            }
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':') {
                return fail(c, "Unexpected character: was expecting a colon to separate field name and value");
            }
            c->p++;
            const struct cdata_value *v;
            if ((rc = parse_value(c, depth + 1, 0, &v)) != KC_OK || (rc = push(c, v)) != KC_OK) {
                return rc;
            }
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            if (c->p < c->end && *c->p == '}') {
                c->p++;
                break;
            }
            return fail(c, "Unexpected character: was expecting comma to separate Object entries");
        }
    }
    size_t npairs = (c->top - base) / 2;
    long n = npairs > 1 ? dedupe_pairs(c, base, npairs) : (long)npairs;
    if (n < 0) {
        return oom(c);
    }
    struct cdata_value *m = new_val(c, CDATA_MAP, 2 * (size_t)n * sizeof(void *), raw_start);
    if (m == NULL) {
        return oom(c);
    }
    size_t hs = c->j->tree ? sizeof(struct jfast_node) : sizeof(struct cdata_value);
    const struct cdata_value **keys = (const struct cdata_value **)((char *)m + hs);
    const struct cdata_value **vals = keys + n;
    const struct cdata_value **kv = n > 0 ? c->j->stack + base : NULL;
    for (long i = 0; i < n; i++) {
        keys[i] = kv[2 * i];
        vals[i] = kv[2 * i + 1];
    }
    m->n = (uint32_t)n;
    m->u.map.keys = keys;
    m->u.map.vals = vals;
    c->top = base;
    set_raw_end(c, m);
    *out = m;
    return KC_OK;
}

static int parse_array(struct cur *c, int depth, const struct cdata_value **out)
{
    const unsigned char *raw_start = c->p - 1;
    size_t base = c->top;
    int rc;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
    } else {
        for (;;) {
            const struct cdata_value *v;
            if ((rc = parse_value(c, depth + 1, 0, &v)) != KC_OK || (rc = push(c, v)) != KC_OK) {
                return rc;
            }
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            if (c->p < c->end && *c->p == ']') {
                c->p++;
                break;
            }
            return fail(c, "Unexpected character: was expecting comma to separate Array entries");
        }
    }
    size_t n = c->top - base;
    if (n > UINT32_MAX) {
        return fail(c, "Array too long");
    }
    struct cdata_value *arr = new_val(c, CDATA_ARRAY, n * sizeof(void *), raw_start);
    if (arr == NULL) {
        return oom(c);
    }
    size_t hs = c->j->tree ? sizeof(struct jfast_node) : sizeof(struct cdata_value);
    const struct cdata_value **items = (const struct cdata_value **)((char *)arr + hs);
    if (n > 0) {
        memcpy(items, c->j->stack + base, n * sizeof(void *));
    }
    arr->n = (uint32_t)n;
    arr->u.items = items;
    c->top = base;
    set_raw_end(c, arr);
    *out = arr;
    return KC_OK;
}

static int is_ident_char(unsigned ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || ch >= 0x80;
}

static int literal(struct cur *c, const char *word, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0 ||
        (c->p + n < c->end && is_ident_char(c->p[n]))) {
        return fail(c, "Unrecognized token: was expecting (JSON String, Number, Array, Object or "
                       "token 'null', 'true' or 'false')");
    }
    c->p += n;
    return KC_OK;
}

static int parse_value(struct cur *c, int depth, int root, const struct cdata_value **out)
{
    int rc;
    if (depth > JFAST_MAX_DEPTH) {
        return fail(c, "Document nesting depth exceeds the maximum allowed (1000)");
    }
    skip_ws(c);
    if (c->p >= c->end) {
        return fail(c, "Unexpected end-of-input: expected a value");
    }
    const unsigned char *s = c->p;
    switch (*c->p) {
    case '{':
        c->p++;
        return parse_object(c, depth, out);
    case '[':
        c->p++;
        return parse_array(c, depth, out);
    case '"':
        c->p++;
        return parse_string(c, 1, out);
    case 't':
    case 'f': {
        int b = *c->p == 't';
        if ((rc = literal(c, b ? "true" : "false", b ? 4 : 5)) != KC_OK) {
            return rc;
        }
        struct cdata_value *v = new_val(c, CDATA_BOOLEAN, 0, s);
        if (v == NULL) {
            return oom(c);
        }
        v->u.b = b;
        set_raw_end(c, v);
        *out = v;
        return KC_OK;
    }
    case 'n':
        if ((rc = literal(c, "null", 4)) != KC_OK) {
            return rc;
        }
        *out = NULL;
        return KC_OK;
    default:
        if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) {
            return parse_number(c, root, out);
        }
        return fail(c, "Unexpected character: expected a valid value (JSON String, Number, Array, "
                       "Object or token 'null', 'true' or 'false')");
    }
}

void jfast_init(struct jfast *j, int tree)
{
    memset(j, 0, sizeof(*j));
    j->tree = tree;
}

void jfast_fini(struct jfast *j)
{
    if (j == NULL) {
        return;
    }
    kc_free(j->stack);
    kc_free(j->dedup);
    j->stack = NULL;
    j->dedup = NULL;
    j->stack_cap = j->dedup_cap = 0;
}

int jfast_parse(struct jfast *j, const char *data, size_t len, struct kc_arena *a,
                const struct cdata_value **out, enum jfast_result *res, struct kc_error *err)
{
    struct cur c = {
        .p = (const unsigned char *)data,
        .start = (const unsigned char *)data,
        .end = (const unsigned char *)data + len,
        .j = j,
        .a = a,
        .err = err,
        .top = 0,
        .bump = NULL,
        .bump_end = NULL,
    };
    *out = NULL;
    *res = JFAST_MISSING;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        c.p += 3;
    }
    skip_ws(&c);
    if (c.p >= c.end) {
        return KC_OK;
    }
    if (len <= 4096) {
        size_t est = (len * 3 + 256 + 15) & ~(size_t)15;
        c.bump = kc_arena_alloc(a, est);
        c.bump_end = c.bump != NULL ? c.bump + est : NULL;
    }
    int rc = parse_value(&c, 1, 1, out);
    if (rc != KC_OK) {
        *out = NULL;
        return rc;
    }
    *res = JFAST_VALUE;
    return KC_OK;
}

/* ---------------------------------------------------------------- base64 */

static int b64val(unsigned ch)
{
    if (ch >= 'A' && ch <= 'Z') {
        return (int)(ch - 'A');
    }
    if (ch >= 'a' && ch <= 'z') {
        return (int)(ch - 'a' + 26);
    }
    if (ch >= '0' && ch <= '9') {
        return (int)(ch - '0' + 52);
    }
    if (ch == '+') {
        return 62;
    }
    if (ch == '/') {
        return 63;
    }
    return -1;
}

int jfast_base64_decode(const char *s, size_t n, struct kc_arena *a, unsigned char **out,
                        size_t *out_len, struct kc_error *err)
{
    unsigned char *d = kc_arena_alloc(a, n / 4 * 3 + 3);
    if (d == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory decoding base64");
    }
    size_t dn = 0, i = 0;
    while (i < n) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ') { /* Jackson skips white space between quartets */
            i++;
            continue;
        }
        if (n - i < 4) {
            return kc_error_set(err, KC_EINVAL,
                                "Unexpected end of base64-encoded String: base64 variant "
                                "'MIME-NO-LINEFEEDS' expects padding (one or more '=' "
                                "characters) at the end");
        }
        int v0 = b64val((unsigned char)s[i]), v1 = b64val((unsigned char)s[i + 1]);
        int v2 = b64val((unsigned char)s[i + 2]), v3 = b64val((unsigned char)s[i + 3]);
        if (v0 < 0 || v1 < 0) {
            return kc_error_set(err, KC_EINVAL, "Illegal character in base64 content at %zu",
                                v0 < 0 ? i : i + 1);
        }
        d[dn++] = (unsigned char)((v0 << 2) | (v1 >> 4));
        if (v2 < 0) {
            if (s[i + 2] != '=' || s[i + 3] != '=') {
                return kc_error_set(err, KC_EINVAL, "Illegal character in base64 content at %zu",
                                    i + 2);
            }
            i += 4;
            break;
        }
        d[dn++] = (unsigned char)(((v1 & 0xF) << 4) | (v2 >> 2));
        if (v3 < 0) {
            if (s[i + 3] != '=') {
                return kc_error_set(err, KC_EINVAL, "Illegal character in base64 content at %zu",
                                    i + 3);
            }
            i += 4;
            break;
        }
        d[dn++] = (unsigned char)(((v2 & 0x3) << 6) | v3);
        i += 4;
    }
    while (i < n && (unsigned char)s[i] <= ' ') {
        i++;
    }
    if (i < n) {
        return kc_error_set(err, KC_EINVAL, "Illegal character in base64 content at %zu (after padding)", i);
    }
    *out = d;
    *out_len = dn;
    return KC_OK;
}
