/*
 * connectors/common/jfast.c: builds cdata values in an arena from the shared JSON scanner.
 * See jfast.h for the accepted language (Jackson's, as JsonConverter configures it).
 *
 * Invariant: on any return other than KC_OK nothing the caller can see points into
 * half-built values; children of open containers live on j->stack until their container
 * closes, then move into one arena array. Tokens come from the shared scanner (base/kc_jscan.c,
 * Jackson dialect), which owns every syntax rule; this file only builds values: a string is
 * copied or unescaped into a single arena allocation that holds the value and its bytes.
 */
#include "jfast.h"

#include "kc_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"

struct cur {
    struct kc_jscan *js;
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

static int oom(struct cur *c)
{
    return kc_error_set(c->err, KC_ENOMEM, "out of memory converting record (batch arena full)");
}

/* A value header (plain or tree node) plus `extra` bytes behind it. */
static struct cdata_value *new_val(struct cur *c, enum cdata_type t, size_t extra,
                                   const char *raw_start)
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
        jn->raw = raw_start;
        jn->raw_len = 0;
        jn->flags = 0;
    }
    return v;
}

static void set_raw_end(struct cur *c, struct cdata_value *v)
{
    if (c->j->tree) {
        struct jfast_node *jn = (struct jfast_node *)v;
        jn->raw_len = (uint32_t)((const char *)c->js->p - jn->raw);
    }
}

static int grow(struct cur *c)
{
    struct jfast *j = c->j;
    size_t nc = j->stack_cap ? j->stack_cap * 2 : 256;
    const struct cdata_value **ns = kc_realloc(j->stack, nc * sizeof(*ns));
    if (ns == NULL) {
        return oom(c);
    }
    j->stack = ns;
    j->stack_cap = nc;
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

/* A scanned string as a STRING value (tree node if as_value), text in the same allocation. */
static inline int make_string(struct cur *c, const struct kc_jscan_str *s, int as_value,
                              const struct cdata_value **out)
{
    struct cdata_value *v;
    size_t hs;
    if (as_value) {
        v = new_val(c, CDATA_STRING, s->raw_len + 1, s->raw - 1);
        hs = c->j->tree ? sizeof(struct jfast_node) : sizeof(struct cdata_value);
    } else {
        v = cur_alloc(c, sizeof(*v) + s->raw_len + 1);
        if (v != NULL) {
            v->type = CDATA_STRING;
            v->schema = NULL;
        }
        hs = sizeof(struct cdata_value);
    }
    if (v == NULL) {
        return oom(c);
    }
    char *d = (char *)v + hs;
    v->n = (uint32_t)kc_jscan_str_decode(s, d);
    v->u.s = d;
    if (as_value) {
        set_raw_end(c, v);
    }
    *out = v;
    return KC_OK;
}

static int make_number(struct cur *c, const struct kc_jscan_num *n,
                       const struct cdata_value **out)
{
    struct cdata_value *v = new_val(c, n->is_float ? CDATA_FLOAT64 : CDATA_INT64, 0, n->raw);
    if (v == NULL) {
        return oom(c);
    }
    if (!n->is_float) {
        v->u.i = n->i;
        if (c->j->tree) {
            struct jfast_node *jn = (struct jfast_node *)v;
            jn->flags = n->big ? JFAST_F_BIG : 0;
            if (!n->big && n->i >= INT32_MIN && n->i <= INT32_MAX) {
                jn->flags |= JFAST_F_INT32;
            }
        }
    } else {
        v->u.f = n->d;
        if (c->j->tree) {
            ((struct jfast_node *)v)->flags = JFAST_F_FLOAT;
        }
    }
    set_raw_end(c, v);
    *out = v;
    return KC_OK;
}

/* ---------------------------------------------------------------- containers */

static int build_value(struct cur *c, const struct kc_jscan_tok *t,
                       const struct cdata_value **out);

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
        /* Compare a tag (length, first and last byte) kept in a local array before touching
         * the keys themselves: distinct keys almost always differ there, so the quadratic scan
         * stays in registers and L1 instead of chasing a pointer per pair. */
        uint32_t tag[16];
        for (size_t i = 0; i < npairs; i++) {
            const struct cdata_value *k = kv[2 * i];
            uint32_t t = k->n << 16;
            if (k->n > 0) {
                t ^= (uint32_t)(unsigned char)k->u.s[0] << 8 ^ (unsigned char)k->u.s[k->n - 1];
            }
            size_t f = out;
            for (size_t m = 0; m < out; m++) {
                if (tag[m] == t && key_eq(kv[2 * m], k)) {
                    f = m;
                    break;
                }
            }
            if (f < out) {
                kv[2 * f + 1] = kv[2 * i + 1];
            } else {
                tag[out] = t;
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

/* The scanner has just entered an object ('{' at raw_start). */
static int parse_object(struct cur *c, const char *raw_start, const struct cdata_value **out)
{
    size_t base = c->top;
    int rc, r;
    struct kc_jscan_str ks;
    struct kc_jscan_tok t;
    while ((r = kc_jscan_member(c->js, &ks, &t)) == 1) {
        const struct cdata_value *k = NULL, *v = NULL;
        if ((rc = make_string(c, &ks, 0, &k)) != KC_OK || (rc = push(c, k)) != KC_OK ||
            (rc = build_value(c, &t, &v)) != KC_OK || (rc = push(c, v)) != KC_OK) {
            return rc;
        }
    }
    if (r < 0) {
        return r;
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

/* The scanner has just entered an array ('[' at raw_start). */
static int parse_array(struct cur *c, const char *raw_start, const struct cdata_value **out)
{
    size_t base = c->top;
    int rc, r;
    struct kc_jscan_tok t;
    while ((r = kc_jscan_item(c->js, &t)) == 1) {
        const struct cdata_value *v = NULL;
        if ((rc = build_value(c, &t, &v)) != KC_OK || (rc = push(c, v)) != KC_OK) {
            return rc;
        }
    }
    if (r < 0) {
        return r;
    }
    size_t n = c->top - base;
    if (n > UINT32_MAX) {
        return kc_error_set(c->err, KC_EINVAL, "Array too long at offset %zu",
                            (size_t)(raw_start - (const char *)c->js->start));
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

/* A value from its token (containers: the scanner is inside them). */
static int build_value(struct cur *c, const struct kc_jscan_tok *t,
                       const struct cdata_value **out)
{
    /* An if-chain, not a switch: see scan_token in kc_jscan.c. The hints keep GCC from
     * turning the chain back into a jump table. */
    enum kc_jscan_kind kind = t->kind;
    if (__builtin_expect(kind == KC_JSCAN_STRING, 1)) {
        return make_string(c, &t->u.s, 1, out);
    }
    if (__builtin_expect(kind == KC_JSCAN_NUMBER, 1)) {
        return make_number(c, &t->u.n, out);
    }
    if (kind == KC_JSCAN_OBJECT) {
        return parse_object(c, (const char *)c->js->p - 1, out);
    }
    if (kind == KC_JSCAN_ARRAY) {
        return parse_array(c, (const char *)c->js->p - 1, out);
    }
    if (kind == KC_JSCAN_TRUE || kind == KC_JSCAN_FALSE) {
        int b = kind == KC_JSCAN_TRUE;
        struct cdata_value *v = new_val(c, CDATA_BOOLEAN, 0, (const char *)c->js->p - (b ? 4 : 5));
        if (v == NULL) {
            return oom(c);
        }
        v->u.b = b;
        set_raw_end(c, v);
        *out = v;
        return KC_OK;
    }
    if (kind == KC_JSCAN_NULL) {
        *out = NULL;
        return KC_OK;
    }
    /* The scanner gives END only at the root, where jfast_parse handles it first. */
    return kc_error_set(c->err, KC_EINVAL, "Unexpected end-of-input: expected a value");
}

void jfast_init(struct jfast *j, int tree)
{
    memset(j, 0, sizeof(*j));
    j->tree = tree;
    kc_jscan_init(&j->js, KC_JSCAN_JACKSON, JFAST_MAX_DEPTH);
}

void jfast_fini(struct jfast *j)
{
    if (j == NULL) {
        return;
    }
    kc_free(j->stack);
    kc_free(j->dedup);
    kc_jscan_fini(&j->js);
    j->stack = NULL;
    j->dedup = NULL;
    j->stack_cap = j->dedup_cap = 0;
}

int jfast_parse(struct jfast *j, const char *data, size_t len, struct kc_arena *a,
                const struct cdata_value **out, enum jfast_result *res, struct kc_error *err)
{
    struct cur c = {
        .js = &j->js,
        .j = j,
        .a = a,
        .err = err,
        .top = 0,
        .bump = NULL,
        .bump_end = NULL,
    };
    struct kc_jscan_tok t;
    *out = NULL;
    *res = JFAST_MISSING;
    kc_jscan_begin(&j->js, data, len, err);
    int rc = kc_jscan_next(&j->js, &t);
    if (rc != KC_OK || t.kind == KC_JSCAN_END) {
        return rc;
    }
    if (len <= 4096) {
        size_t est = (len * 3 + 256 + 15) & ~(size_t)15;
        c.bump = kc_arena_alloc(a, est);
        c.bump_end = c.bump != NULL ? c.bump + est : NULL;
    }
    rc = build_value(&c, &t, out);
    if (rc == KC_OK) {
        rc = kc_jscan_finish(&j->js); /* Jackson: trailing content is ignored */
    }
    if (rc != KC_OK) {
        *out = NULL;
        return rc;
    }
    *res = JFAST_VALUE;
    return KC_OK;
}

/* ---------------------------------------------------------------- base64 */

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
        int v0 = kc_b64val((unsigned char)s[i], 0), v1 = kc_b64val((unsigned char)s[i + 1], 0);
        int v2 = kc_b64val((unsigned char)s[i + 2], 0), v3 = kc_b64val((unsigned char)s[i + 3], 0);
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
