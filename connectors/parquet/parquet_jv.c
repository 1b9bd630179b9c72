/*
 * connectors/parquet/parquet_jv.c: JSON values in an arena, for the JSON lines hot path.
 * jansson allocates every value and hashes every object, which alone costs more CPU than
 * pyarrow's whole JSON-to-Parquet run; here one pass of the shared scanner (base/kc_jscan.c)
 * over a line copies strings (unescaped, NUL-terminated) into a per-record arena and builds
 * arrays and objects as contiguous vectors. jansson stays the parser for schemas and the json_t
 * API. This file owns no syntax rule: the scanner's strict dialect is RFC 8259 as jansson reads
 * it (JSON_REJECT_DUPLICATES aside, which the shredder enforces): UTF-8 is validated, lone
 * surrogates are rejected, \u0000 is allowed in strings but not in keys, integers that do not
 * fit int64 and reals that overflow are rejected. Nesting is capped at PARQUET_JV_MAX_DEPTH so
 * hostile input cannot exhaust the stack, and values per record at PARQUET_JV_MAX_VALUES so a
 * long line of tiny values cannot blow up the parser's memory. The arena is reset per record,
 * so memory is bounded by the largest record.
 */
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
/* Building values from the shared scanner */

struct jv_parse {
    struct kc_jscan *js;
    struct parquet_jv_parser *ps;
    struct kc_error *err;
    size_t values;
};

static int nomem(struct jv_parse *jp)
{
    return kc_error_set(jp->err, KC_ENOMEM, "parquet: out of memory parsing JSON");
}

/* A scanned string into the arena, NUL-terminated. */
static int copy_string(struct jv_parse *jp, const struct kc_jscan_str *s, const char **out,
                       uint32_t *out_len)
{
    char *dst = parquet_arena_alloc(&jp->ps->arena, s->raw_len + 1);
    if (dst == NULL) {
        return nomem(jp);
    }
    *out_len = (uint32_t)kc_jscan_str_decode(s, dst); /* the scanner caps strings below 4 GiB */
    *out = dst;
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

static int build_value(struct jv_parse *jp, const struct kc_jscan_tok *t, struct parquet_jv *v);

/* The scanner has just entered the container. */
static int parse_container(struct jv_parse *jp, struct parquet_jv *v, int is_obj)
{
    struct parquet_jv_parser *ps = jp->ps;
    size_t base = ps->sp;
    size_t n;
    int rc, r;

    for (;;) {
        struct kc_jscan_str key;
        struct kc_jscan_tok t;
        r = is_obj ? kc_jscan_member(jp->js, &key, &t) : kc_jscan_item(jp->js, &t);
        if (r <= 0) {
            break;
        }
        if ((rc = stack_push(jp)) != KC_OK) {
            return rc;
        }
        size_t at = ps->sp - 1;
        if (is_obj) {
            const char *k;
            uint32_t klen;
            if ((rc = copy_string(jp, &key, &k, &klen)) != KC_OK) {
                return rc;
            }
            ps->stack[at].key = k;
            ps->stack[at].key_len = klen;
        }
        struct parquet_jv item;
        if ((rc = build_value(jp, &t, &item)) != KC_OK) {
            return rc;
        }
        ps->stack[at].v = item; /* the stack may have moved during build_value */
    }
    if (r < 0) {
        return r;
    }
    n = ps->sp - base;
    if (n > UINT32_MAX) {
        return kc_error_set(jp->err, KC_EINVAL, "invalid JSON: container too large");
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
    return KC_OK;
}

/* A value from its token. An if-chain with hints, not a switch, for the reason given at
 * scan_token in base/kc_jscan.c (a jump table mispredicts on every record). */
static int build_value(struct jv_parse *jp, const struct kc_jscan_tok *t, struct parquet_jv *v)
{
    enum kc_jscan_kind kind = t->kind;
    memset(v, 0, sizeof(*v));
    if (++jp->values > PARQUET_JV_MAX_VALUES) {
        /* A long line of tiny values would cost ~40 bytes of parser state each. */
        return kc_error_set(jp->err, KC_EINVAL,
                            "invalid JSON: too many values in one record at offset %zu",
                            kc_jscan_offset(jp->js));
    }
    if (__builtin_expect(kind == KC_JSCAN_STRING, 1)) {
        v->type = PARQUET_JV_STRING;
        return copy_string(jp, &t->u.s, &v->u.s, &v->n);
    }
    if (parquet_jv_scalar(t, v)) {
        return KC_OK; /* a number or a literal */
    }
    if (kind == KC_JSCAN_OBJECT || kind == KC_JSCAN_ARRAY) {
        return parse_container(jp, v, kind == KC_JSCAN_OBJECT);
    }
    return kc_error_set(jp->err, KC_EINVAL, "invalid JSON: a value expected at offset %zu",
                        kc_jscan_offset(jp->js));
}

void parquet_jv_parser_init(struct parquet_jv_parser *ps)
{
    memset(ps, 0, sizeof(*ps));
    parquet_arena_init(&ps->arena);
    /* Values may nest PARQUET_JV_MAX_DEPTH levels below the root, as from_json() allows. */
    kc_jscan_init(&ps->js, KC_JSCAN_STRICT, PARQUET_JV_MAX_DEPTH + 1);
}

size_t parquet_jv_parser_footprint(const struct parquet_jv_parser *ps)
{
    size_t n = ps->cap * sizeof(ps->stack[0]) + ps->js.scratch_cap;
    for (const struct parquet_arena_chunk *c = ps->arena.head; c != NULL; c = c->next) {
        n += CHUNK_HDR + c->size + 16;
    }
    return n;
}

void parquet_jv_parser_fini(struct parquet_jv_parser *ps)
{
    parquet_arena_fini(&ps->arena);
    kc_jscan_fini(&ps->js);
    kc_free(ps->stack);
    ps->stack = NULL;
    ps->cap = 0;
    ps->sp = 0;
}

int parquet_jv_parse(struct parquet_jv_parser *ps, const char *text, size_t len,
                     struct parquet_jv *out, struct kc_error *err)
{
    struct jv_parse jp = {&ps->js, ps, err, 0};
    int rc;
    parquet_arena_reset(&ps->arena);
    ps->sp = 0;
    struct kc_jscan_tok t;
    kc_jscan_begin(&ps->js, text, len, err);
    rc = kc_jscan_next(&ps->js, &t);
    if (rc != KC_OK) {
        return rc;
    }
    rc = build_value(&jp, &t, out);
    if (rc != KC_OK) {
        return rc;
    }
    return kc_jscan_finish(&ps->js);
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

void parquet_jv_doc_field(const struct parquet_jv *v, struct parquet_doc_field *out)
{
    memset(out, 0, sizeof(*out));
    out->node = v;
    switch (v->type) {
    case PARQUET_JV_NULL:
        out->kind = PARQUET_DOC_NULL;
        break;
    case PARQUET_JV_FALSE:
    case PARQUET_JV_TRUE:
        out->kind = PARQUET_DOC_BOOLEAN;
        out->i = v->type == PARQUET_JV_TRUE;
        break;
    case PARQUET_JV_INT:
        out->kind = PARQUET_DOC_INTEGER;
        out->i = v->u.i;
        break;
    case PARQUET_JV_REAL:
        out->kind = PARQUET_DOC_REAL;
        out->d = v->u.d;
        break;
    case PARQUET_JV_STRING:
        out->kind = PARQUET_DOC_STRING;
        out->s = v->u.s;
        out->len = v->n;
        break;
    case PARQUET_JV_ARRAY:
        out->kind = PARQUET_DOC_ARRAY;
        break;
    case PARQUET_JV_OBJECT:
        out->kind = PARQUET_DOC_OBJECT;
        break;
    }
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
