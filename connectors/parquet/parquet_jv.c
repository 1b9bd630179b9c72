/*
 * connectors/parquet/parquet_jv.c: a small, strict JSON parser into an arena, for the JSON
 * lines hot path. jansson allocates every value and hashes every object, which alone costs
 * more CPU than pyarrow's whole JSON-to-Parquet run; this parser makes one pass over a line,
 * copies strings (unescaped, NUL-terminated) into a per-record arena, and builds arrays and
 * objects as contiguous vectors. jansson stays the parser for schemas and the json_t API.
 *
 * Accepted: RFC 8259 JSON, one value per call, with the same rules as jansson in strict mode
 * (JSON_REJECT_DUPLICATES aside, which the shredder enforces): UTF-8 is validated, lone
 * surrogates are rejected, \u0000 is allowed in strings but not in keys, integers that do not
 * fit int64 and reals that overflow are rejected. Nesting is capped at PARQUET_JV_MAX_DEPTH so
 * hostile input cannot exhaust the stack, and values per record at PARQUET_JV_MAX_VALUES so a
 * long line of tiny values cannot blow up the parser's memory. The arena is reset per record, so memory is bounded
 * by the largest record.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "parquet_int.h"

#define ARENA_CHUNK ((size_t)64 << 10)

struct parquet_arena_chunk {
    struct parquet_arena_chunk *next;
    size_t size;
    size_t used;
    /* data follows, 16-byte aligned */
};

#define CHUNK_HDR ((sizeof(struct parquet_arena_chunk) + 15) & ~(size_t)15)

void parquet_arena_init(struct parquet_arena *a)
{
    a->head = NULL;
}

void parquet_arena_fini(struct parquet_arena *a)
{
    struct parquet_arena_chunk *c = a->head;
    while (c != NULL) {
        struct parquet_arena_chunk *next = c->next;
        kc_free(c);
        c = next;
    }
    a->head = NULL;
}

void parquet_arena_reset(struct parquet_arena *a)
{
    /* Keep the most recent chunk (the head) only if it is a standard one. */
    struct parquet_arena_chunk *c = a->head;
    if (c == NULL) {
        return;
    }
    struct parquet_arena_chunk *rest = c->next;
    c->next = NULL;
    c->used = 0;
    while (rest != NULL) {
        struct parquet_arena_chunk *next = rest->next;
        kc_free(rest);
        rest = next;
    }
    if (c->size > ARENA_CHUNK) {
        kc_free(c);
        a->head = NULL;
    }
}

void *parquet_arena_alloc(struct parquet_arena *a, size_t n)
{
    struct parquet_arena_chunk *c = a->head;
    n = (n + 15) & ~(size_t)15;
    if (c == NULL || c->size - c->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        if (size > SIZE_MAX - CHUNK_HDR) {
            return NULL;
        }
        c = kc_malloc(CHUNK_HDR + size);
        if (c == NULL) {
            return NULL;
        }
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c + CHUNK_HDR + c->used;
    c->used += n;
    return p;
}

/* ------------------------------------------------------------------------------------------ */
/* Parser */

struct jv_parse {
    const char *p;
    const char *end;
    struct parquet_jv_parser *ps;
    struct kc_error *err;
    const char *start;
    int depth;
    size_t values;
};

static int perr(struct jv_parse *jp, const char *what)
{
    return kc_error_set(jp->err, KC_EINVAL, "invalid JSON at column %ld: %s",
                        (long)(jp->p - jp->start) + 1, what);
}

static int nomem(struct jv_parse *jp)
{
    return kc_error_set(jp->err, KC_ENOMEM, "parquet: out of memory parsing JSON");
}

static void skip_ws(struct jv_parse *jp)
{
    while (jp->p < jp->end &&
           (*jp->p == ' ' || *jp->p == '\t' || *jp->p == '\n' || *jp->p == '\r')) {
        jp->p++;
    }
}

static int hex4(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            v |= (uint32_t)(c - 'a' + 10);
        } else if (c >= 'A' && c <= 'F') {
            v |= (uint32_t)(c - 'A' + 10);
        } else {
            return -1;
        }
    }
    *out = v;
    return 0;
}

/* Parse a string at jp->p (on the opening quote) into the arena. */
static int parse_string(struct jv_parse *jp, const char **out, uint32_t *out_len, int is_key)
{
    const char *p = jp->p + 1;
    const char *end = jp->end;
    const char *q = p;
    int simple = 1;
    char *dst;
    size_t n = 0;

    /* First pass: find the closing quote, validating UTF-8 and noting escapes. Plain ASCII
     * runs are skipped eight bytes at a time: a word is plain when no byte is '"', '\\', a
     * control character or non-ASCII (the classic has-zero-byte tests). */
    while (q < end) {
        while (end - q >= 8) {
            const uint64_t ones = 0x0101010101010101ull;
            const uint64_t highs = 0x8080808080808080ull;
            uint64_t w;
            memcpy(&w, q, 8);
            uint64_t quote = w ^ (ones * '"');
            uint64_t bslash = w ^ (ones * '\\');
            uint64_t special = ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
                               ((w - ones * 0x20) & ~w) | w;
            if ((special & highs) != 0) {
                break;
            }
            q += 8;
        }
        if (q >= end) {
            break;
        }
        unsigned char c = (unsigned char)*q;
        if (c == '"') {
            break;
        }
        if (c == '\\') {
            simple = 0;
            q += 2;
            continue;
        }
        if (c < 0x20) {
            jp->p = q;
            return perr(jp, "control character in string");
        }
        if (c >= 0x80) {
            const char *s = q;
            size_t len = (c >= 0xF0) ? 4 : (c >= 0xE0) ? 3 : 2;
            if ((size_t)(end - s) < len || !parquet_utf8_valid(s, len)) {
                jp->p = q;
                return perr(jp, "invalid UTF-8 in string");
            }
            q += len;
            continue;
        }
        q++;
    }
    if (q >= end) {
        jp->p = end;
        return perr(jp, "unterminated string");
    }
    if ((size_t)(q - p) >= UINT32_MAX) {
        return perr(jp, "string too long");
    }
    dst = parquet_arena_alloc(&jp->ps->arena, (size_t)(q - p) + 1);
    if (dst == NULL) {
        return nomem(jp);
    }
    if (simple) {
        memcpy(dst, p, (size_t)(q - p));
        n = (size_t)(q - p);
    } else {
        const char *s = p;
        while (s < q) {
            if (*s != '\\') {
                dst[n++] = *s++;
                continue;
            }
            s++;
            switch (*s) {
            case '"':
            case '\\':
            case '/':
                dst[n++] = *s++;
                break;
            case 'b':
                dst[n++] = '\b';
                s++;
                break;
            case 'f':
                dst[n++] = '\f';
                s++;
                break;
            case 'n':
                dst[n++] = '\n';
                s++;
                break;
            case 'r':
                dst[n++] = '\r';
                s++;
                break;
            case 't':
                dst[n++] = '\t';
                s++;
                break;
            case 'u': {
                uint32_t cp;
                if (q - s < 5 || hex4(s + 1, &cp)) {
                    jp->p = s;
                    return perr(jp, "bad \\u escape");
                }
                s += 5;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    uint32_t lo;
                    if (q - s < 6 || s[0] != '\\' || s[1] != 'u' || hex4(s + 2, &lo) ||
                        lo < 0xDC00 || lo > 0xDFFF) {
                        jp->p = s;
                        return perr(jp, "lone surrogate in \\u escape");
                    }
                    s += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    jp->p = s;
                    return perr(jp, "lone surrogate in \\u escape");
                }
                if (cp == 0 && is_key) {
                    jp->p = s;
                    return perr(jp, "\\u0000 in an object key");
                }
                /* The escape is at least 6 bytes and its UTF-8 at most 4: it fits. */
                if (cp < 0x80) {
                    dst[n++] = (char)cp;
                } else if (cp < 0x800) {
                    dst[n++] = (char)(0xC0 | cp >> 6);
                    dst[n++] = (char)(0x80 | (cp & 0x3F));
                } else if (cp < 0x10000) {
                    dst[n++] = (char)(0xE0 | cp >> 12);
                    dst[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    dst[n++] = (char)(0x80 | (cp & 0x3F));
                } else {
                    dst[n++] = (char)(0xF0 | cp >> 18);
                    dst[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    dst[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    dst[n++] = (char)(0x80 | (cp & 0x3F));
                }
                break;
            }
            default:
                jp->p = s;
                return perr(jp, "bad escape in string");
            }
        }
    }
    dst[n] = '\0';
    *out = dst;
    *out_len = (uint32_t)n;
    jp->p = q + 1;
    return KC_OK;
}

static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int parse_number(struct jv_parse *jp, struct parquet_jv *v)
{
    const char *s = jp->p;
    const char *p = s;
    const char *end = jp->end;
    uint64_t mant = 0;
    int frac_digits = 0;
    int is_real = 0;
    int neg = 0;
    long exp = 0;
    int mant_overflow = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9') {
        return perr(jp, "bad number");
    }
    if (*p == '0' && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
        return perr(jp, "leading zero in number");
    }
    while (p < end && *p >= '0' && *p <= '9') {
        if (mant > (UINT64_MAX - 9) / 10) {
            mant_overflow = 1;
        } else {
            mant = mant * 10 + (uint64_t)(*p - '0');
        }
        p++;
    }
    if (p < end && *p == '.') {
        is_real = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9') {
            jp->p = p;
            return perr(jp, "bad fraction in number");
        }
        while (p < end && *p >= '0' && *p <= '9') {
            if (mant <= (UINT64_MAX - 9) / 10) {
                mant = mant * 10 + (uint64_t)(*p - '0');
                frac_digits++;
            } else {
                mant_overflow = 1;
            }
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        is_real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || *p < '0' || *p > '9') {
            jp->p = p;
            return perr(jp, "bad exponent in number");
        }
        while (p < end && *p >= '0' && *p <= '9') {
            if (exp < 100000) {
                exp = exp * 10 + (*p - '0');
            }
            p++;
        }
        if (eneg) {
            exp = -exp;
        }
    }
    jp->p = p;
    if (!is_real) {
        if (mant_overflow || mant > (uint64_t)INT64_MAX + (uint64_t)neg) {
            jp->p = s;
            return perr(jp, "integer does not fit 64 bits");
        }
        v->type = PARQUET_JV_INT;
        v->u.i = neg ? (int64_t)(0 - mant) : (int64_t)mant;
        return KC_OK;
    }
    v->type = PARQUET_JV_REAL;
    long e10 = exp - frac_digits;
    if (!mant_overflow && mant < ((uint64_t)1 << 53) && e10 >= -22 && e10 <= 22) {
        /* Clinger's fast path: both operands exact, one correctly rounded operation. */
        double d = (double)mant;
        d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
        v->u.d = neg ? -d : d;
        return KC_OK;
    }
    char tmp[512];
    size_t len = (size_t)(p - s);
    if (len >= sizeof(tmp)) {
        jp->p = s;
        return perr(jp, "number too long");
    }
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    v->u.d = strtod(tmp, NULL);
    if (!isfinite(v->u.d)) {
        jp->p = s;
        return perr(jp, "real number overflow");
    }
    return KC_OK;
}

static int stack_push(struct jv_parse *jp)
{
    struct parquet_jv_parser *ps = jp->ps;
    if (ps->sp == ps->cap) {
        size_t ncap = ps->cap ? ps->cap * 2 : 64;
        struct parquet_jv_member *st = kc_realloc(ps->stack, ncap * sizeof(*st));
        if (st == NULL) {
            return nomem(jp);
        }
        ps->stack = st;
        ps->cap = ncap;
    }
    memset(&ps->stack[ps->sp], 0, sizeof(ps->stack[0]));
    ps->sp++;
    return KC_OK;
}

static int parse_value(struct jv_parse *jp, struct parquet_jv *v);

static int parse_container(struct jv_parse *jp, struct parquet_jv *v, int is_obj)
{
    struct parquet_jv_parser *ps = jp->ps;
    size_t base = ps->sp;
    size_t n;
    int rc;

    if (++jp->depth > PARQUET_JV_MAX_DEPTH) {
        return perr(jp, "nesting too deep");
    }
    jp->p++;
    skip_ws(jp);
    if (jp->p < jp->end && *jp->p == (is_obj ? '}' : ']')) {
        jp->p++;
    } else {
        for (;;) {
            rc = stack_push(jp);
            if (rc != KC_OK) {
                return rc;
            }
            size_t at = ps->sp - 1;
            if (is_obj) {
                const char *key;
                uint32_t key_len;
                skip_ws(jp);
                if (jp->p >= jp->end || *jp->p != '"') {
                    return perr(jp, "object key expected");
                }
                rc = parse_string(jp, &key, &key_len, 1);
                if (rc != KC_OK) {
                    return rc;
                }
                ps->stack[at].key = key;
                ps->stack[at].key_len = key_len;
                skip_ws(jp);
                if (jp->p >= jp->end || *jp->p != ':') {
                    return perr(jp, "':' expected");
                }
                jp->p++;
            }
            struct parquet_jv item;
            rc = parse_value(jp, &item);
            if (rc != KC_OK) {
                return rc;
            }
            ps->stack[at].v = item; /* the stack may have moved during parse_value */
            skip_ws(jp);
            if (jp->p < jp->end && *jp->p == ',') {
                jp->p++;
                continue;
            }
            if (jp->p < jp->end && *jp->p == (is_obj ? '}' : ']')) {
                jp->p++;
                break;
            }
            return perr(jp, is_obj ? "',' or '}' expected" : "',' or ']' expected");
        }
    }
    n = ps->sp - base;
    if (n > UINT32_MAX) {
        return perr(jp, "container too large");
    }
    v->type = is_obj ? PARQUET_JV_OBJECT : PARQUET_JV_ARRAY;
    v->n = (uint32_t)n;
    if (is_obj) {
        struct parquet_jv_member *m = parquet_arena_alloc(&ps->arena, (n ? n : 1) * sizeof(*m));
        if (m == NULL) {
            return nomem(jp);
        }
        if (n > 0) {
            memcpy(m, ps->stack + base, n * sizeof(*m));
        }
        v->u.members = m;
    } else {
        struct parquet_jv *items = parquet_arena_alloc(&ps->arena, (n ? n : 1) * sizeof(*items));
        if (items == NULL) {
            return nomem(jp);
        }
        for (size_t i = 0; i < n; i++) {
            items[i] = ps->stack[base + i].v;
        }
        v->u.items = items;
    }
    ps->sp = base;
    jp->depth--;
    return KC_OK;
}

static int literal(struct jv_parse *jp, const char *word, size_t n)
{
    if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0) {
        return perr(jp, "unexpected token");
    }
    jp->p += n;
    return KC_OK;
}

static int parse_value(struct jv_parse *jp, struct parquet_jv *v)
{
    memset(v, 0, sizeof(*v));
    if (++jp->values > PARQUET_JV_MAX_VALUES) {
        /* A long line of tiny values would cost ~40 bytes of parser state each. */
        return perr(jp, "too many values in one record");
    }
    skip_ws(jp);
    if (jp->p >= jp->end) {
        return perr(jp, "value expected");
    }
    switch (*jp->p) {
    case '{':
        return parse_container(jp, v, 1);
    case '[':
        return parse_container(jp, v, 0);
    case '"':
        v->type = PARQUET_JV_STRING;
        return parse_string(jp, &v->u.s, &v->n, 0);
    case 't':
        v->type = PARQUET_JV_TRUE;
        return literal(jp, "true", 4);
    case 'f':
        v->type = PARQUET_JV_FALSE;
        return literal(jp, "false", 5);
    case 'n':
        v->type = PARQUET_JV_NULL;
        return literal(jp, "null", 4);
    default:
        return parse_number(jp, v);
    }
}

void parquet_jv_parser_init(struct parquet_jv_parser *ps)
{
    memset(ps, 0, sizeof(*ps));
    parquet_arena_init(&ps->arena);
}

void parquet_jv_parser_fini(struct parquet_jv_parser *ps)
{
    parquet_arena_fini(&ps->arena);
    kc_free(ps->stack);
    ps->stack = NULL;
    ps->cap = 0;
    ps->sp = 0;
}

int parquet_jv_parse(struct parquet_jv_parser *ps, const char *text, size_t len,
                     struct parquet_jv *out, struct kc_error *err)
{
    struct jv_parse jp = {text, text + len, ps, err, text, 0, 0};
    int rc;
    parquet_arena_reset(&ps->arena);
    ps->sp = 0;
    rc = parse_value(&jp, out);
    if (rc != KC_OK) {
        return rc;
    }
    skip_ws(&jp);
    if (jp.p != jp.end) {
        return perr(&jp, "end of input expected");
    }
    return KC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* json_t -> jv, and jv -> JSON text */

static int from_json(struct parquet_jv_parser *ps, const json_t *j, struct parquet_jv *v,
                     int depth)
{
    memset(v, 0, sizeof(*v));
    if (depth > PARQUET_JV_MAX_DEPTH) {
        return KC_EINVAL;
    }
    switch (json_typeof(j)) {
    case JSON_NULL:
        v->type = PARQUET_JV_NULL;
        return KC_OK;
    case JSON_TRUE:
        v->type = PARQUET_JV_TRUE;
        return KC_OK;
    case JSON_FALSE:
        v->type = PARQUET_JV_FALSE;
        return KC_OK;
    case JSON_INTEGER:
        v->type = PARQUET_JV_INT;
        v->u.i = json_integer_value(j);
        return KC_OK;
    case JSON_REAL:
        v->type = PARQUET_JV_REAL;
        v->u.d = json_real_value(j);
        return KC_OK;
    case JSON_STRING: {
        size_t n = json_string_length(j);
        char *s = parquet_arena_alloc(&ps->arena, n + 1);
        if (s == NULL || n >= UINT32_MAX) {
            return KC_ENOMEM;
        }
        memcpy(s, json_string_value(j), n);
        s[n] = '\0';
        v->type = PARQUET_JV_STRING;
        v->u.s = s;
        v->n = (uint32_t)n;
        return KC_OK;
    }
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        struct parquet_jv *items = parquet_arena_alloc(&ps->arena, (n ? n : 1) * sizeof(*items));
        if (items == NULL) {
            return KC_ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            int rc = from_json(ps, json_array_get(j, i), &items[i], depth + 1);
            if (rc != KC_OK) {
                return rc;
            }
        }
        v->type = PARQUET_JV_ARRAY;
        v->n = (uint32_t)n;
        v->u.items = items;
        return KC_OK;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(j);
        size_t i = 0;
        const char *k;
        json_t *x;
        struct parquet_jv_member *m = parquet_arena_alloc(&ps->arena, (n ? n : 1) * sizeof(*m));
        if (m == NULL) {
            return KC_ENOMEM;
        }
        json_object_foreach((json_t *)j, k, x)
        {
            m[i].key = k; /* borrowed from j, which outlives the jv */
            m[i].key_len = (uint32_t)strlen(k);
            int rc = from_json(ps, x, &m[i].v, depth + 1);
            if (rc != KC_OK) {
                return rc;
            }
            i++;
        }
        v->type = PARQUET_JV_OBJECT;
        v->n = (uint32_t)i;
        v->u.members = m;
        return KC_OK;
    }
    }
    return KC_EINVAL;
}

int parquet_jv_from_json(struct parquet_jv_parser *ps, const json_t *j, struct parquet_jv *out,
                         struct kc_error *err)
{
    int rc;
    parquet_arena_reset(&ps->arena);
    rc = from_json(ps, j, out, 0);
    if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    if (rc != KC_OK) {
        return kc_error_set(err, KC_EINVAL, "record nested deeper than %d levels",
                            PARQUET_JV_MAX_DEPTH);
    }
    return KC_OK;
}

static int dump_string(struct kc_buf *b, const char *s, size_t n)
{
    size_t run = 0;
    if (kc_buf_append_byte(b, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        char esc[8];
        if (kc_buf_append(b, s + run, i - run) != KC_OK) {
            return KC_ENOMEM;
        }
        switch (c) {
        case '"':
            memcpy(esc, "\\\"", 3);
            break;
        case '\\':
            memcpy(esc, "\\\\", 3);
            break;
        case '\n':
            memcpy(esc, "\\n", 3);
            break;
        case '\t':
            memcpy(esc, "\\t", 3);
            break;
        case '\r':
            memcpy(esc, "\\r", 3);
            break;
        default:
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            break;
        }
        if (kc_buf_append_str(b, esc) != KC_OK) {
            return KC_ENOMEM;
        }
        run = i + 1;
    }
    if (kc_buf_append(b, s + run, n - run) != KC_OK || kc_buf_append_byte(b, '"') != KC_OK) {
        return KC_ENOMEM;
    }
    return KC_OK;
}

int parquet_jv_dump(const struct parquet_jv *v, struct kc_buf *b)
{
    switch (v->type) {
    case PARQUET_JV_NULL:
        return kc_buf_append_str(b, "null");
    case PARQUET_JV_TRUE:
        return kc_buf_append_str(b, "true");
    case PARQUET_JV_FALSE:
        return kc_buf_append_str(b, "false");
    case PARQUET_JV_INT:
        return kc_buf_printf(b, "%lld", (long long)v->u.i);
    case PARQUET_JV_REAL: {
        char tmp[40];
        snprintf(tmp, sizeof(tmp), "%.17g", v->u.d);
        if (strpbrk(tmp, ".eEn") == NULL) {
            strcat(tmp, ".0"); /* keep it a real when read back */
        }
        return kc_buf_append_str(b, tmp);
    }
    case PARQUET_JV_STRING:
        return dump_string(b, v->u.s, v->n);
    case PARQUET_JV_ARRAY:
        if (kc_buf_append_byte(b, '[') != KC_OK) {
            return KC_ENOMEM;
        }
        for (uint32_t i = 0; i < v->n; i++) {
            if ((i > 0 && kc_buf_append_byte(b, ',') != KC_OK) ||
                parquet_jv_dump(&v->u.items[i], b) != KC_OK) {
                return KC_ENOMEM;
            }
        }
        return kc_buf_append_byte(b, ']');
    case PARQUET_JV_OBJECT:
        if (kc_buf_append_byte(b, '{') != KC_OK) {
            return KC_ENOMEM;
        }
        for (uint32_t i = 0; i < v->n; i++) {
            if ((i > 0 && kc_buf_append_byte(b, ',') != KC_OK) ||
                dump_string(b, v->u.members[i].key, v->u.members[i].key_len) != KC_OK ||
                kc_buf_append_byte(b, ':') != KC_OK ||
                parquet_jv_dump(&v->u.members[i].v, b) != KC_OK) {
                return KC_ENOMEM;
            }
        }
        return kc_buf_append_byte(b, '}');
    }
    return KC_EINVAL;
}

const struct parquet_jv *parquet_jv_get(const struct parquet_jv *obj, const char *key,
                                        size_t key_len, uint32_t *hint)
{
    uint32_t start = *hint < obj->n ? *hint : 0;
    for (uint32_t k = 0; k < obj->n; k++) {
        uint32_t i = start + k;
        if (i >= obj->n) {
            i -= obj->n;
        }
        const struct parquet_jv_member *m = &obj->u.members[i];
        if (m->key_len == key_len && memcmp(m->key, key, key_len) == 0) {
            *hint = i + 1;
            return &m->v;
        }
    }
    return NULL;
}
