/*
 * base/kc_jscan.c: the raw JSON scanner (see kc_jscan.h for the two dialects it reads).
 *
 * Invariant: every function consumes exactly one syntactic piece and leaves js->p just past
 * it, or fails with js->p on the offending byte, which is the offset the error names. Strings
 * are validated in one pass (8 bytes at a time while plain ASCII) and never copied here;
 * decoding is a separate step into the caller's memory, because the converter wants arena
 * bytes, the Parquet front end its own arena and a sink often nothing at all.
 */
#include "kc_jscan.h"

#include "kc_text.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "kc_alloc.h"

/* ---------------------------------------------------------------- basics */

int kc_jscan_fail(struct kc_jscan *js, const char *what)
{
    size_t off = (size_t)(js->p - js->start);
    if (js->p < js->end) {
        unsigned ch = *js->p;
        if (ch >= 0x20 && ch < 0x7f) {
            return kc_error_set(js->err, KC_EINVAL, "%s at offset %zu (found '%c')", what, off,
                                (char)ch);
        }
        return kc_error_set(js->err, KC_EINVAL, "%s at offset %zu (found byte 0x%02x)", what,
                            off, ch);
    }
    return kc_error_set(js->err, KC_EINVAL, "%s at offset %zu (unexpected end of input)", what,
                        off);
}

#define skip_ws kc_jscan_ws

int kc_jscan_depth_error(struct kc_jscan *js)
{
    return kc_error_set(js->err, KC_EINVAL,
                        "Document nesting depth exceeds the maximum allowed (%u) at offset %zu",
                        (unsigned)js->max_depth, kc_jscan_offset(js));
}

int kc_jscan_peek_slow(struct kc_jscan *js, enum kc_jscan_kind *kind)
{
    if (js->depth >= js->max_depth) {
        return kc_jscan_depth_error(js);
    }
    if (js->p >= js->end) {
        if (js->depth == 0) {
            *kind = KC_JSCAN_END;
            return KC_OK;
        }
        return kc_jscan_fail(js, "Unexpected end-of-input: expected a value");
    }
    return kc_jscan_fail(js, "Unexpected character: expected a valid value (JSON String, Number, "
                             "Array, Object or token 'null', 'true' or 'false')");
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

/* The strict dialect's extra rules for a \u escape at p (on the backslash); returns the bytes
 * the escape (or surrogate pair) takes, or 0 after failing. */
static size_t strict_u(struct kc_jscan *js, const unsigned char *p, int is_key)
{
    int cp = read_hex4(p + 2);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int lo = js->end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? read_hex4(p + 8) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF) {
            js->p = p;
            kc_jscan_fail(js, "Lone surrogate in a \\u escape");
            return 0;
        }
        return 12;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
        js->p = p;
        kc_jscan_fail(js, "Lone surrogate in a \\u escape");
        return 0;
    }
    if (cp == 0 && is_key) {
        js->p = p;
        kc_jscan_fail(js, "\\u0000 in an object key");
        return 0;
    }
    return 6;
}

static inline __attribute__((always_inline)) int scan_string(struct kc_jscan *js,
                                                             struct kc_jscan_str *out, int is_key)
{
    const unsigned char *s = js->p + 1, *p = s, *end = js->end;
    int escaped = 0;
    for (;;) {
#if defined(__SSE2__)
        /* 16 bytes at a time: a signed compare with 0x20 takes bytes of 0x80 and more too */
        int found = 0;
        while ((size_t)(end - p) >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
            __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                    _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
            unsigned m = (unsigned)_mm_movemask_epi8(hit);
            if (m != 0) {
                p += __builtin_ctz(m);
                found = 1;
                break;
            }
            p += 16;
        }
        if (!found)
#endif
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
            js->p = p;
            return kc_jscan_fail(js, "Unexpected end-of-input in a string");
        }
        unsigned ch = *p;
        if (__builtin_expect(ch == '"', 1)) {
            break;
        }
        if (ch == '\\') {
            escaped = 1;
            if (p + 1 >= end) {
                js->p = p + 1;
                return kc_jscan_fail(js, "Unexpected end-of-input in a string escape");
            }
            unsigned e = p[1];
            if (e == 'u') {
                if (end - p < 6 || read_hex4(p + 2) < 0) {
                    js->p = p;
                    return kc_jscan_fail(js, "Invalid \\u escape in a string");
                }
                if (js->dialect == KC_JSCAN_STRICT) {
                    size_t k = strict_u(js, p, is_key);
                    if (k == 0) {
                        return KC_EINVAL;
                    }
                    p += k;
                } else {
                    p += 6;
                }
            } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                       e == 'r' || e == 't') {
                p += 2;
            } else {
                js->p = p + 1;
                return kc_jscan_fail(js, "Unrecognized character escape in a string");
            }
            continue;
        }
        if (ch < 0x20) {
            js->p = p;
            return kc_jscan_fail(js, "Illegal unquoted control character in a string");
        }
        if (ch >= 0x80) {
            size_t k = utf8_seq(p, end);
            if (k == 0) {
                js->p = p;
                return kc_jscan_fail(js, "Invalid UTF-8 in a string");
            }
            p += k;
            continue;
        }
        p++;
    }
    size_t n = (size_t)(p - s);
    if (n > UINT32_MAX - 1) {
        js->p = s;
        return kc_jscan_fail(js, "String too long");
    }
    out->raw = (const char *)s;
    out->raw_len = n;
    out->escaped = escaped;
    js->p = p + 1;
    return KC_OK;
}

int kc_jscan_string(struct kc_jscan *js, struct kc_jscan_str *s)
{
    return scan_string(js, s, 0);
}

int kc_jscan_key(struct kc_jscan *js, struct kc_jscan_str *s)
{
    return scan_string(js, s, 1);
}

int kc_jscan_member_slow(struct kc_jscan *js, struct kc_jscan_str *key)
{
    /* Here after the ',' or the '{': the key, then the colon. */
    skip_ws(js);
    if (js->p >= js->end || *js->p != '"') {
        return kc_jscan_fail(
            js, "Unexpected character: was expecting double-quote to start field name");
    }
    int rc = scan_string(js, key, 1);
    if (rc != KC_OK) {
        return rc;
    }
    skip_ws(js);
    if (js->p >= js->end || *js->p != ':') {
        return kc_jscan_fail(
            js, "Unexpected character: was expecting a colon to separate field name and value");
    }
    js->p++;
    return 1;
}

void kc_jscan_init(struct kc_jscan *js, enum kc_jscan_dialect dialect, uint32_t max_depth)
{
    memset(js, 0, sizeof(*js));
    js->dialect = dialect;
    js->max_depth = max_depth != 0 ? max_depth : KC_JSCAN_JACKSON_MAX_DEPTH;
}

void kc_jscan_fini(struct kc_jscan *js)
{
    if (js == NULL) {
        return;
    }
    kc_free(js->scratch);
    js->scratch = NULL;
    js->scratch_cap = 0;
}

void kc_jscan_begin(struct kc_jscan *js, const char *data, size_t len, struct kc_error *err)
{
    js->start = (const unsigned char *)data;
    js->p = js->start;
    js->end = js->start + len;
    js->err = err;
    js->depth = 0;
    js->first = 0;
    if (js->dialect == KC_JSCAN_JACKSON && len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        js->p += 3;
    }
}

size_t kc_jscan_str_unescape(const struct kc_jscan_str *s, char *dst)
{
    const unsigned char *q = (const unsigned char *)s->raw, *p = q + s->raw_len;
    unsigned char *d = (unsigned char *)dst;
    size_t dn = 0;
    while (q < p) {
        if (*q != '\\') {
            /* Copy the run up to the next backslash in one go. */
            const unsigned char *b = memchr(q, '\\', (size_t)(p - q));
            size_t run = (size_t)((b != NULL ? b : p) - q);
            memcpy(d + dn, q, run);
            dn += run;
            q += run;
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
            /* A lone surrogate (Jackson dialect only) stays as 3-byte WTF-8. */
            dn += kc_utf8_put(d + dn, cp);
            break;
        }
        default: d[dn++] = (unsigned char)e; break;
        }
    }
    d[dn] = '\0';
    return dn;
}

/* ---------------------------------------------------------------- numbers */

/* Eight bytes (memory order, '0' already subtracted from each): how many are leading digits. A
 * byte below '0' borrows from the next and a byte of 0x8a or more carries into it, but only
 * bytes after the first non-digit are disturbed, and only the first non-digit is read. */
static inline unsigned lead_digits8(uint64_t t)
{
    uint64_t nd = (t | (t + 0x7676767676767676ULL)) & 0x8080808080808080ULL;
    return nd == 0 ? 8 : (unsigned)__builtin_ctzll(nd) >> 3;
}

/* The value of the first k (1..8) digits of t (as lead_digits8 takes it): they are moved to the
 * end of an eight-digit string of leading zeros, then pairs, quads and the two halves are
 * combined by multiplication (two multiplies for eight digits). */
static inline uint64_t value8(uint64_t t, unsigned k)
{
    t <<= 8 * (8 - k);
    t = t * 10 + (t >> 8);
    return (((t & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
            (((t >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
           32;
}

/* The digits at p, up to 16, read as two words: their count and value; -1 when fewer than 16
 * bytes are left to read (or the target is not little-endian): read them one by one then. */
static inline int digits16(const unsigned char *p, const unsigned char *end, uint64_t *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    static const uint64_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                    100000000};
    if (end - p < 16) {
        return -1;
    }
    uint64_t x, y;
    memcpy(&x, p, 8);
    x -= 0x3030303030303030ULL;
    unsigned k = lead_digits8(x);
    if (k < 8) {
        *out = k > 0 ? value8(x, k) : 0;
        return (int)k;
    }
    memcpy(&y, p + 8, 8);
    y -= 0x3030303030303030ULL;
    unsigned k2 = lead_digits8(y);
    *out = value8(x, 8) * p10[k2] + (k2 > 0 ? value8(y, k2) : 0);
    return (int)(8 + k2);
#else
    (void)p;
    (void)end;
    (void)out;
    return -1;
#endif
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static inline int is_ws(unsigned ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Jackson: a root-level number must be followed by white space or the end. */
static inline int root_follow(struct kc_jscan *js, const unsigned char *p)
{
    if (__builtin_expect(js->depth == 0, 0) && js->dialect == KC_JSCAN_JACKSON && p < js->end &&
        !is_ws(*p)) {
        js->p = p;
        return kc_jscan_fail(js, "Expected space separating root-level values");
    }
    return KC_OK;
}

static inline __attribute__((always_inline)) int scan_number(struct kc_jscan *js,
                                                             struct kc_jscan_num *n)
{
    const unsigned char *s = js->p, *p = s, *end = js->end;
    int neg = 0, strict = js->dialect == KC_JSCAN_STRICT;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') {
        js->p = p;
        return kc_jscan_fail(
            js, "Expected digit (0-9) to follow minus sign, for valid numeric value");
    }
    n->raw = (const char *)s;
    n->big = 0;
    /* Fast path: a plain integer of at most 18 digits (no leading zero games, no overflow). */
    {
        const unsigned char *q = p;
        uint64_t fu = 0;
        int k = digits16(p, end, &fu);
        if (k >= 0 && k < 16) {
            q = p + k;
        } else {
            fu = 0; /* 16 digits or more, or near the end: one by one */
            while (q < end && *q >= '0' && *q <= '9' && q - p < 19) {
                fu = fu * 10 + (uint64_t)(*q - '0');
                q++;
            }
        }
        size_t nd = (size_t)(q - p);
        if (nd <= 18 && (*p != '0' || nd == 1) &&
            (q >= end || (*q != '.' && *q != 'e' && *q != 'E' && (*q < '0' || *q > '9')))) {
            int rc = root_follow(js, q);
            if (rc != KC_OK) {
                return rc;
            }
            n->raw_len = (size_t)(q - s);
            n->is_float = 0;
            n->i = neg ? -(int64_t)fu : (int64_t)fu;
            js->p = q;
            return KC_OK;
        }
    }
    /* Fast path: a plain decimal (digits, '.', digits, no exponent) whose digits make a nonzero
     * mantissa below 2^53: Clinger's fast path, as below, without the digit-by-digit loop. */
    {
        uint64_t ip, fp;
        int k1 = digits16(p, end, &ip);
        if (k1 > 0 && k1 < 16 && (*p != '0' || k1 == 1) && p[k1] == '.') {
            const unsigned char *f = p + k1 + 1;
            int k2 = digits16(f, end, &fp);
            if (k2 > 0 && k2 < 16 && k1 + k2 <= 19 && f[k2] != 'e' && f[k2] != 'E') {
                uint64_t mant = ip * (uint64_t)pow10_exact[k2] + fp;
                if (mant != 0 && mant < (1ULL << 53)) {
                    int rc = root_follow(js, f + k2);
                    if (rc != KC_OK) {
                        return rc;
                    }
                    double d = (double)mant / pow10_exact[k2];
                    n->raw_len = (size_t)(f + k2 - s);
                    n->is_float = 1;
                    n->d = neg ? -d : d;
                    js->p = f + k2;
                    return KC_OK;
                }
            }
        }
    }
    if (strict && *p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
        js->p = p;
        return kc_jscan_fail(js, "Leading zero in a number");
    }
    uint64_t u = 0;    /* integer digits mod 2^64 */
    uint64_t mant = 0; /* first 19 significant digits (integer and fraction) */
    int nsig = 0;      /* significant digits seen */
    int drop = 0;      /* significant integer digits beyond the 19 kept */
    int frac_kept = 0; /* fraction digits kept in mant */
    int overflow = 0;
    int uovf = 0; /* integer digits exceeded uint64 */
    while (p < end && *p == '0') {
        p++; /* leading zeros (Jackson allows them; strict saw at most one) */
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
            js->p = p;
            return kc_jscan_fail(js, "Decimal point not followed by a digit");
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
            js->p = p;
            return kc_jscan_fail(js, "Exponent indicator not followed by a digit");
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
    if ((size_t)(p - s) > KC_JSCAN_MAX_NUMBER_LEN) {
        js->p = s;
        return kc_jscan_fail(js, "Number value length exceeds the maximum allowed (1000)");
    }
    int rc = root_follow(js, p);
    if (rc != KC_OK) {
        return rc;
    }
    n->raw_len = (size_t)(p - s);
    n->is_float = is_float;
    if (!is_float) {
        /* BigInteger.longValue(): the low 64 bits of the two's complement. */
        n->i = (int64_t)(neg ? (uint64_t)0 - u : u);
        n->big = nint > 20 || uovf || (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX);
        if (n->big && strict) {
            js->p = s;
            return kc_jscan_fail(js, "Integer does not fit 64 bits");
        }
    } else {
        double d;
        long e = exp10 + drop - frac_kept;
        if (mant == 0) {
            /* BigDecimal has no negative zero; jansson keeps strtod's. */
            d = strict && neg ? -0.0 : 0.0;
        } else if (!overflow && drop == 0 && mant < (1ULL << 53) && e >= -22 && e <= 22) {
            /* Clinger's fast path: both operands exact, one correctly rounded operation. */
            d = e >= 0 ? (double)mant * pow10_exact[e] : (double)mant / pow10_exact[-e];
            if (neg) {
                d = -d;
            }
        } else {
            char tmp[KC_JSCAN_MAX_NUMBER_LEN + 1];
            memcpy(tmp, s, n->raw_len);
            tmp[n->raw_len] = '\0';
            d = strtod(tmp, NULL); /* glibc: correctly rounded; C locale assumed */
        }
        if (strict && (d > 1.7976931348623157e308 || d < -1.7976931348623157e308)) {
            js->p = s;
            return kc_jscan_fail(js, "Real number overflow");
        }
        n->d = d;
    }
    js->p = p;
    return KC_OK;
}

/* ---------------------------------------------------------------- literals, containers */

int kc_jscan_number(struct kc_jscan *js, struct kc_jscan_num *n)
{
    return scan_number(js, n);
}

static int is_ident_char(unsigned ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_' || ch == '$' || ch >= 0x80;
}

static inline int scan_literal(struct kc_jscan *js, enum kc_jscan_kind kind)
{
    const char *word = kind == KC_JSCAN_TRUE ? "true" : kind == KC_JSCAN_FALSE ? "false" : "null";
    size_t n = kind == KC_JSCAN_FALSE ? 5 : 4;
    if ((size_t)(js->end - js->p) < n || memcmp(js->p, word, n) != 0 ||
        (js->p + n < js->end && is_ident_char(js->p[n]))) {
        return kc_jscan_fail(js, "Unrecognized token: was expecting (JSON String, Number, Array, "
                                 "Object or token 'null', 'true' or 'false')");
    }
    js->p += n;
    return KC_OK;
}

int kc_jscan_literal(struct kc_jscan *js, enum kc_jscan_kind kind)
{
    return scan_literal(js, kind);
}

/* One value token, scalars consumed whole, containers entered; the common path of
 * kc_jscan_next/member/item, inlined into each so a member costs one call. */
static inline __attribute__((always_inline)) int scan_token(struct kc_jscan *js,
                                                            struct kc_jscan_tok *t)
{
    skip_ws(js);
    /* An if-chain, most frequent first, not a switch: a jump table's indirect branch
     * mispredicts whenever string and number values alternate, which is every record. The
     * hints keep GCC from turning the chain back into a jump table. */
    if (js->p < js->end && js->depth < js->max_depth) {
        unsigned ch = *js->p;
        if (__builtin_expect(ch == '"', 1)) {
            t->kind = KC_JSCAN_STRING;
            return scan_string(js, &t->u.s, 0);
        }
        if (__builtin_expect(ch == '-' || (ch >= '0' && ch <= '9'), 1)) {
            t->kind = KC_JSCAN_NUMBER;
            return scan_number(js, &t->u.n);
        }
        if (ch == '{' || ch == '[') {
            t->kind = ch == '{' ? KC_JSCAN_OBJECT : KC_JSCAN_ARRAY;
            return kc_jscan_enter(js);
        }
        if (ch == 't' || ch == 'f' || ch == 'n') {
            t->kind = ch == 't' ? KC_JSCAN_TRUE : ch == 'f' ? KC_JSCAN_FALSE : KC_JSCAN_NULL;
            return scan_literal(js, t->kind);
        }
    }
    return kc_jscan_peek_slow(js, &t->kind);
}

int kc_jscan_next(struct kc_jscan *js, struct kc_jscan_tok *t)
{
    return scan_token(js, t);
}

int kc_jscan_member(struct kc_jscan *js, struct kc_jscan_str *key, struct kc_jscan_tok *t)
{
    skip_ws(js);
    if (js->first) {
        js->first = 0;
        if (js->p < js->end && *js->p == '}') {
            return kc_jscan_leave_(js);
        }
    } else if (js->p < js->end && *js->p == ',') {
        js->p++;
        skip_ws(js);
    } else if (js->p < js->end && *js->p == '}') {
        return kc_jscan_leave_(js);
    } else {
        return kc_jscan_fail(
            js, "Unexpected character: was expecting comma to separate Object entries");
    }
    if (js->p >= js->end || *js->p != '"') {
        return kc_jscan_fail(
            js, "Unexpected character: was expecting double-quote to start field name");
    }
    int rc = scan_string(js, key, 1);
    if (rc != KC_OK) {
        return rc;
    }
    skip_ws(js);
    if (js->p >= js->end || *js->p != ':') {
        return kc_jscan_fail(
            js, "Unexpected character: was expecting a colon to separate field name and value");
    }
    js->p++;
    rc = scan_token(js, t);
    return rc != KC_OK ? rc : 1;
}

int kc_jscan_plain_key(const char *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned ch = (unsigned char)key[i];
        if (ch < 0x20 || ch > 0x7e || ch == '"' || ch == '\\') {
            return 0;
        }
    }
    return 1;
}

int kc_jscan_member_if(struct kc_jscan *js, const char *key, size_t len, uint64_t kw0,
                       uint64_t kw1, struct kc_jscan_str *out, struct kc_jscan_tok *t)
{
    const unsigned char *p = js->p;
    size_t lead = js->first ? 1 : 2; /* '"', or ',"' */
    /* room for the lead, 16 bytes of key read whole, and the closing '"' and ':' */
    if ((size_t)(js->end - p) < lead + (len > 16 ? len : 16) + 2 ||
        (lead == 2 && p[0] != ',') || p[lead - 1] != '"') {
        return 0;
    }
    const unsigned char *k = p + lead;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t a, b;
    size_t m = len < 16 ? len : 16;
    memcpy(&a, k, 8);
    memcpy(&b, k + 8, 8);
    a = m >= 8 ? a : a & ((UINT64_C(1) << (8 * m)) - 1);
    b = m >= 16 ? b : m <= 8 ? 0 : b & ((UINT64_C(1) << (8 * (m - 8))) - 1);
    if (a != kw0 || b != kw1 || (len > 16 && memcmp(k + 16, key + 16, len - 16) != 0)) {
        return 0;
    }
#else
    (void)kw0;
    (void)kw1;
    if (memcmp(k, key, len) != 0) {
        return 0;
    }
#endif
    if (k[len] != '"' || k[len + 1] != ':') {
        return 0;
    }
    out->raw = (const char *)k;
    out->raw_len = len;
    out->escaped = 0;
    js->p = k + len + 2;
    js->first = 0;
    int rc = scan_token(js, t);
    return rc != KC_OK ? rc : 1;
}

int kc_jscan_item(struct kc_jscan *js, struct kc_jscan_tok *t)
{
    int r = kc_jscan_item_next(js);
    if (r <= 0) {
        return r;
    }
    int rc = scan_token(js, t);
    return rc != KC_OK ? rc : 1;
}

int kc_jscan_object_next(struct kc_jscan *js, const char **key, size_t *key_len,
                         enum kc_jscan_kind *kind)
{
    struct kc_jscan_str k;
    int r = kc_jscan_member_next(js, &k);
    if (r <= 0) {
        return r;
    }
    if (!k.escaped) {
        *key = k.raw;
        *key_len = k.raw_len;
    } else {
        if (js->scratch_cap < k.raw_len + 1) {
            size_t cap = js->scratch_cap ? js->scratch_cap : 64;
            while (cap < k.raw_len + 1) {
                cap *= 2;
            }
            char *ns = kc_realloc(js->scratch, cap);
            if (ns == NULL) {
                return kc_error_set(js->err, KC_ENOMEM, "out of memory decoding a JSON key");
            }
            js->scratch = ns;
            js->scratch_cap = cap;
        }
        *key_len = kc_jscan_str_decode(&k, js->scratch);
        *key = js->scratch;
    }
    int rc = kc_jscan_peek(js, kind);
    return rc != KC_OK ? rc : 1;
}

/* Recursion is bounded by max_depth, which peek enforces before every container. */
int kc_jscan_skip(struct kc_jscan *js)
{
    enum kc_jscan_kind kind;
    int rc = kc_jscan_peek(js, &kind);
    if (rc != KC_OK) {
        return rc;
    }
    switch (kind) {
    case KC_JSCAN_END:
        return kc_jscan_fail(js, "Unexpected end-of-input: expected a value");
    case KC_JSCAN_STRING: {
        struct kc_jscan_str s;
        return scan_string(js, &s, 0);
    }
    case KC_JSCAN_NUMBER: {
        struct kc_jscan_num n;
        return kc_jscan_number(js, &n);
    }
    case KC_JSCAN_OBJECT: {
        struct kc_jscan_str k;
        int r;
        kc_jscan_enter(js);
        while ((r = kc_jscan_member_next(js, &k)) == 1) {
            if ((rc = kc_jscan_skip(js)) != KC_OK) {
                return rc;
            }
        }
        return r;
    }
    case KC_JSCAN_ARRAY: {
        int r;
        kc_jscan_enter(js);
        while ((r = kc_jscan_item_next(js)) == 1) {
            if ((rc = kc_jscan_skip(js)) != KC_OK) {
                return rc;
            }
        }
        return r;
    }
    default:
        return kc_jscan_literal(js, kind);
    }
}

int kc_jscan_value(struct kc_jscan *js, struct kc_jscan_val *v)
{
    enum kc_jscan_kind kind;
    int rc = kc_jscan_peek(js, &kind);
    if (rc != KC_OK) {
        return rc;
    }
    const unsigned char *s = js->p;
    v->kind = kind;
    v->escaped = 0;
    if (kind == KC_JSCAN_STRING) {
        struct kc_jscan_str str = {NULL, 0, 0};
        rc = scan_string(js, &str, 0);
        v->escaped = str.escaped;
    } else {
        rc = kc_jscan_skip(js);
    }
    if (rc != KC_OK) {
        return rc;
    }
    v->raw = (const char *)s;
    v->raw_len = (size_t)(js->p - s);
    return KC_OK;
}

int kc_jscan_finish(struct kc_jscan *js)
{
    if (js->dialect == KC_JSCAN_STRICT) {
        skip_ws(js);
        if (js->p != js->end) {
            return kc_jscan_fail(js, "Trailing content after the JSON value");
        }
    }
    return KC_OK;
}

/* ---------------------------------------------------------------- value helpers */

int kc_jscan_val_string(struct kc_jscan *js, const struct kc_jscan_val *v, char *dst, size_t cap,
                        size_t *len)
{
    if (v->kind != KC_JSCAN_STRING) {
        return kc_error_set(js->err, KC_EINVAL, "JSON value at offset %zu is not a string",
                            (size_t)((const unsigned char *)v->raw - js->start));
    }
    struct kc_jscan_str s = {v->raw + 1, v->raw_len - 2, v->escaped};
    if (!s.escaped || cap >= s.raw_len + 1) {
        if (cap < s.raw_len + 1) {
            *len = s.raw_len;
            return kc_error_set(js->err, KC_EINVAL, "JSON string of %zu bytes does not fit %zu",
                                s.raw_len, cap);
        }
        *len = kc_jscan_str_decode(&s, dst);
        return KC_OK;
    }
    /* Escaped and the buffer is shorter than the raw text: measure first, then decode through
     * a bounded copy so no byte lands past cap. */
    char small[256];
    char *tmp = s.raw_len < sizeof(small) ? small : kc_malloc(s.raw_len + 1);
    if (tmp == NULL) {
        return kc_error_set(js->err, KC_ENOMEM, "out of memory decoding a JSON string");
    }
    size_t n = kc_jscan_str_decode(&s, tmp);
    int rc = KC_OK;
    *len = n;
    if (n + 1 > cap) {
        rc = kc_error_set(js->err, KC_EINVAL, "JSON string of %zu bytes does not fit %zu", n, cap);
    } else {
        memcpy(dst, tmp, n + 1);
    }
    if (tmp != small) {
        kc_free(tmp);
    }
    return rc;
}

/* Re-read a number from its span with this scanner's dialect (never at the root: the span
 * came from a complete scan, so what follows it was already checked). */
static int val_number(struct kc_jscan *js, const struct kc_jscan_val *v, struct kc_jscan_num *n)
{
    if (v->kind != KC_JSCAN_NUMBER) {
        return kc_error_set(js->err, KC_EINVAL, "JSON value at offset %zu is not a number",
                            (size_t)((const unsigned char *)v->raw - js->start));
    }
    struct kc_jscan sub = *js;
    sub.p = (const unsigned char *)v->raw;
    sub.end = sub.p + v->raw_len;
    sub.depth = 1;
    return kc_jscan_number(&sub, n);
}

int kc_jscan_val_int64(struct kc_jscan *js, const struct kc_jscan_val *v, int64_t *out)
{
    struct kc_jscan_num n;
    int rc = val_number(js, v, &n);
    if (rc != KC_OK) {
        return rc;
    }
    if (n.is_float || n.big) {
        return kc_error_set(js->err, KC_EINVAL, "JSON number '%.*s' is not a 64-bit integer",
                            (int)(v->raw_len > 64 ? 64 : v->raw_len), v->raw);
    }
    *out = n.i;
    return KC_OK;
}

int kc_jscan_val_double(struct kc_jscan *js, const struct kc_jscan_val *v, double *out)
{
    struct kc_jscan_num n;
    int rc = val_number(js, v, &n);
    if (rc != KC_OK) {
        return rc;
    }
    if (n.is_float) {
        *out = n.d;
    } else if (!n.big) {
        *out = (double)n.i;
    } else {
        /* Beyond int64: the literal's own value, correctly rounded, not the wrapped bits. */
        char tmp[KC_JSCAN_MAX_NUMBER_LEN + 1];
        memcpy(tmp, v->raw, v->raw_len);
        tmp[v->raw_len] = '\0';
        *out = strtod(tmp, NULL);
    }
    return KC_OK;
}
