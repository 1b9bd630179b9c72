/*
 * base/kc_jscan.h: the one raw JSON scanner. It walks JSON text in place -- no tree, no copies
 * unless asked -- and is what every fast path that reads schemaless JSON stands on: the record
 * converter (connectors/common/jfast.c), the Parquet front end (connectors/parquet/parquet_jv.c)
 * and the sinks that walk a record's top-level object field by field straight from the Kafka
 * bytes. Nothing else on the record path tokenizes JSON.
 *
 * Two dialects, picked per scanner:
 *
 *  KC_JSCAN_JACKSON: what the JVM's JsonDeserializer accepts (Jackson readTree as JsonConverter
 *    sets it up), so a record the JVM accepts is accepted here and vice versa:
 *    - a leading UTF-8 BOM is skipped; empty or all-white-space input has no value (END);
 *    - whatever follows the root value is ignored (FAIL_ON_TRAILING_TOKENS off), except that a
 *      root-level number must be followed by white space or the end ("123abc" fails);
 *    - numbers: leading zeros allowed ("007" = 7), no '+', no NaN/Infinity; integer literals
 *      beyond int64 keep the low 64 bits (BigInteger.longValue()) and are flagged big; a zero
 *      float literal is +0.0 (BigDecimal has no negative zero);
 *    - an escaped lone surrogate is kept as 3-byte WTF-8 (Java keeps it in the String).
 *  KC_JSCAN_STRICT: RFC 8259 as jansson reads it in strict mode: no BOM, no leading zeros,
 *    integers must fit int64, reals must be finite, escaped lone surrogates and \u0000 in object
 *    keys are errors, and only white space may follow the root value.
 *
 * Common to both: white space is ' ', \t, \r, \n only; strings are strict UTF-8 (overlong forms
 * and encoded surrogates rejected, deliberately stricter than Jackson), no raw control
 * characters, the JSON escapes only; a number literal is at most KC_JSCAN_MAX_NUMBER_LEN
 * characters (Jackson's StreamReadConstraints); floats are correctly rounded
 * (BigDecimal.doubleValue(), strtod); a value nested deeper than max_depth (the root value is
 * level 1; Jackson's default is 1000) fails. Errors are KC_EINVAL with the byte offset:
 * "<what> at offset N (found 'c')".
 *
 * Use. kc_jscan_begin() on a document, then kc_jscan_peek() says what the next value is and one
 * call consumes it: kc_jscan_string(), kc_jscan_number(), kc_jscan_literal(), kc_jscan_enter()
 * (then kc_jscan_member_next() / kc_jscan_item_next() until they return 0), kc_jscan_value()
 * (any value, validated, as a raw span) or kc_jscan_skip(). kc_jscan_finish() checks what
 * follows the root value. Builders that take every value (jfast, parquet_jv) use the token
 * calls instead, one call per member: kc_jscan_next(), kc_jscan_member(), kc_jscan_item().
 * A sink walking a top-level object:
 *
 *     kc_jscan_begin(&js, data, len, err);
 *     if (kc_jscan_peek(&js, &kind) != KC_OK || kind != KC_JSCAN_OBJECT) ... not an object
 *     kc_jscan_enter(&js);
 *     while ((rc = kc_jscan_object_next(&js, &key, &key_len, &kind)) == 1) {
 *         if (wanted(key, key_len)) kc_jscan_value(&js, &v); ... kc_jscan_val_int64(&js, &v, &i)
 *         else kc_jscan_skip(&js);
 *     }
 *     rc < 0: error; then kc_jscan_finish(&js)
 *
 * A scanner is not thread-safe; each owner (converter, writer, sink task) keeps one.
 */
#ifndef KC_JSCAN_H
#define KC_JSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kc_error.h"

#define KC_JSCAN_MAX_NUMBER_LEN 1000
#define KC_JSCAN_JACKSON_MAX_DEPTH 1000

enum kc_jscan_dialect {
    KC_JSCAN_JACKSON = 0,
    KC_JSCAN_STRICT = 1,
};

enum kc_jscan_kind {
    KC_JSCAN_END = 0, /* no value: empty document (peek at the root only) */
    KC_JSCAN_NULL,
    KC_JSCAN_FALSE,
    KC_JSCAN_TRUE,
    KC_JSCAN_NUMBER,
    KC_JSCAN_STRING,
    KC_JSCAN_ARRAY,
    KC_JSCAN_OBJECT,
};

struct kc_jscan {
    const unsigned char *start; /* borrowed: the document */
    const unsigned char *p;     /* next byte to read */
    const unsigned char *end;
    struct kc_error *err; /* borrowed: where errors go */
    uint32_t depth;       /* open containers */
    uint32_t max_depth;   /* deepest value level allowed (root = 1) */
    int first;            /* the innermost open container has had no member yet */
    enum kc_jscan_dialect dialect;
    char *scratch; /* owned: decoded escaped keys for kc_jscan_object_next() */
    size_t scratch_cap;
};

/* A string as scanned: the bytes between the quotes, validated, still escaped. Decoding never
 * makes it longer, so raw_len + 1 bytes always hold the decoded text and its NUL. */
struct kc_jscan_str {
    const char *raw; /* borrowed from the document */
    size_t raw_len;
    int escaped; /* raw holds a backslash: decode before use; else raw is the text */
};

/* A number as scanned and converted. */
struct kc_jscan_num {
    const char *raw; /* borrowed: the literal */
    size_t raw_len;
    int is_float; /* has '.' or an exponent: d is set; else i is */
    int big;      /* integer beyond int64 (Jackson only; i keeps the low 64 bits) */
    int64_t i;
    double d;
};

/* The next value as one token: scalars are consumed whole (strings validated, numbers
 * converted), containers are entered (their members or items follow). */
struct kc_jscan_tok {
    enum kc_jscan_kind kind;
    union {
        struct kc_jscan_str s; /* STRING */
        struct kc_jscan_num n; /* NUMBER */
    } u;
};

/* Any value as a validated raw span (containers included), for kc_jscan_val_*. */
struct kc_jscan_val {
    enum kc_jscan_kind kind;
    const char *raw; /* borrowed: the whole literal, quotes and brackets included */
    size_t raw_len;
    int escaped; /* strings: the text holds a backslash */
};

/* max_depth 0 takes KC_JSCAN_JACKSON_MAX_DEPTH. */
void kc_jscan_init(struct kc_jscan *js, enum kc_jscan_dialect dialect, uint32_t max_depth);
void kc_jscan_fini(struct kc_jscan *js);

/* Start on data[0..len) (borrowed until the next begin). Skips a BOM in the Jackson dialect.
 * @thread the owner's */
void kc_jscan_begin(struct kc_jscan *js, const char *data, size_t len, struct kc_error *err);

/* Slow paths and errors of the inline functions below; not for direct use. */
int kc_jscan_fail(struct kc_jscan *js, const char *what) __attribute__((cold));
int kc_jscan_depth_error(struct kc_jscan *js) __attribute__((cold));
int kc_jscan_peek_slow(struct kc_jscan *js, enum kc_jscan_kind *kind);
int kc_jscan_member_slow(struct kc_jscan *js, struct kc_jscan_str *key);
size_t kc_jscan_str_unescape(const struct kc_jscan_str *s, char *dst);

static inline void kc_jscan_ws(struct kc_jscan *js)
{
    const unsigned char *p = js->p, *end = js->end;
    /* compact JSON mostly: one compare says no white space (all four are at most ' ') */
    while (p < end && *p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) {
        p++;
    }
    js->p = p;
}

/*
 * Skip white space and say what the next value is, consuming nothing else. END only at the root
 * of an empty document; anywhere else a missing or impossible value, or one nested too deep, is
 * KC_EINVAL. Inline (as are the walking calls below) because the converter calls it for every
 * value of every record.
 */
static inline int kc_jscan_peek(struct kc_jscan *js, enum kc_jscan_kind *kind)
{
    kc_jscan_ws(js);
    /* If-chain, not a switch: see scan_token in kc_jscan.c. */
    if (js->p < js->end && js->depth < js->max_depth) {
        unsigned ch = *js->p;
        if (__builtin_expect(ch == '"', 1)) {
            *kind = KC_JSCAN_STRING;
            return KC_OK;
        }
        if (__builtin_expect(ch == '-' || (ch >= '0' && ch <= '9'), 1)) {
            *kind = KC_JSCAN_NUMBER;
            return KC_OK;
        }
        if (ch == '{' || ch == '[') {
            *kind = ch == '{' ? KC_JSCAN_OBJECT : KC_JSCAN_ARRAY;
            return KC_OK;
        }
        if (ch == 't' || ch == 'f' || ch == 'n') {
            *kind = ch == 't' ? KC_JSCAN_TRUE : ch == 'f' ? KC_JSCAN_FALSE : KC_JSCAN_NULL;
            return KC_OK;
        }
    }
    return kc_jscan_peek_slow(js, kind);
}

/* Consume the string the scanner is on (after peek said STRING). */
int kc_jscan_string(struct kc_jscan *js, struct kc_jscan_str *s);
/* Consume an object key the scanner is on: a string with the key rules (strict: no \u0000). */
int kc_jscan_key(struct kc_jscan *js, struct kc_jscan_str *s);
/* Decode s into dst (at least s->raw_len + 1 bytes), NUL-terminated; returns the length. The
 * text may hold NUL bytes (\u0000). s must come from this scanner's dialect. */
static inline size_t kc_jscan_str_decode(const struct kc_jscan_str *s, char *dst)
{
    if (s->escaped) {
        return kc_jscan_str_unescape(s, dst);
    }
    memcpy(dst, s->raw, s->raw_len);
    dst[s->raw_len] = '\0';
    return s->raw_len;
}

/* Consume the number the scanner is on (after peek said NUMBER). */
int kc_jscan_number(struct kc_jscan *js, struct kc_jscan_num *n);
/* Consume the true, false or null the scanner is on (kind from peek). */
int kc_jscan_literal(struct kc_jscan *js, enum kc_jscan_kind kind);

/* Consume the '{' or '[' the scanner is on; members or items follow. */
static inline int kc_jscan_enter(struct kc_jscan *js)
{
    js->p++;
    js->depth++;
    js->first = 1;
    return KC_OK;
}

/* The ']' or '}' the scanner is on closes the innermost container. */
static inline int kc_jscan_leave_(struct kc_jscan *js)
{
    js->p++;
    js->depth--;
    js->first = 0;
    return 0;
}

/*
 * In an object: 1 when a member follows (its raw key in *key, the ':' consumed, the scanner
 * before the value, which the caller must consume), 0 when the '}' was consumed (the object is
 * left), negative on error.
 */
static inline int kc_jscan_member_next(struct kc_jscan *js, struct kc_jscan_str *key)
{
    kc_jscan_ws(js);
    if (js->p < js->end) {
        if (js->first) {
            js->first = 0;
            if (*js->p == '}') {
                return kc_jscan_leave_(js);
            }
            return kc_jscan_member_slow(js, key);
        }
        if (*js->p == ',') {
            js->p++;
            return kc_jscan_member_slow(js, key);
        }
        if (*js->p == '}') {
            return kc_jscan_leave_(js);
        }
    } else if (js->first) {
        js->first = 0;
        return kc_jscan_member_slow(js, key);
    }
    return kc_jscan_fail(js,
                         "Unexpected character: was expecting comma to separate Object entries");
}

/* In an array: 1 when an item follows (not consumed), 0 when the ']' was consumed. */
static inline int kc_jscan_item_next(struct kc_jscan *js)
{
    kc_jscan_ws(js);
    if (js->first) {
        js->first = 0;
        if (js->p < js->end && *js->p == ']') {
            return kc_jscan_leave_(js);
        }
        return 1;
    }
    if (js->p < js->end && *js->p == ',') {
        js->p++;
        return 1;
    }
    if (js->p < js->end && *js->p == ']') {
        return kc_jscan_leave_(js);
    }
    return kc_jscan_fail(js, "Unexpected character: was expecting comma to separate Array entries");
}

/* Same, with the key decoded: *key points into the document when it has no escapes, else into
 * the scanner's scratch (valid until the next call); *kind is the value's, as from peek. */
int kc_jscan_object_next(struct kc_jscan *js, const char **key, size_t *key_len,
                         enum kc_jscan_kind *kind);

/*
 * Token calls: one call per value, for builders that take every value (jfast, parquet_jv).
 * kc_jscan_next: the next value as a token (END only at the root of an empty document).
 * kc_jscan_member: in an object, 1 with the raw key and the value's token, 0 when the '}' was
 *   consumed. kc_jscan_item: in an array, 1 with the item's token, 0 when the ']' was consumed.
 * A container token has been entered: walk it with member/item (or *_next) until 0.
 */
int kc_jscan_next(struct kc_jscan *js, struct kc_jscan_tok *t);
int kc_jscan_member(struct kc_jscan *js, struct kc_jscan_str *key, struct kc_jscan_tok *t);
int kc_jscan_item(struct kc_jscan *js, struct kc_jscan_tok *t);

/*
 * kc_jscan_member_if: kc_jscan_member for a caller that expects a given key next (records of one
 * producer repeat their keys in one order). When the member's text is exactly '"' key '"' ':'
 * (after the ',' unless it is the object's first member; no white space in that stretch) it is
 * consumed with its value: 1, with *out and *t as kc_jscan_member gives them, or negative on a
 * bad value. Otherwise nothing is consumed and the answer is 0: the caller then calls
 * kc_jscan_member, which reads white space, the object's end, other keys and errors.
 * key[0..len): a plain key (kc_jscan_plain_key), so that its bytes are its raw text;
 * kw0, kw1: its first 16 bytes zero-padded, as two words in memory order.
 */
int kc_jscan_member_if(struct kc_jscan *js, const char *key, size_t len, uint64_t kw0,
                       uint64_t kw1, struct kc_jscan_str *out, struct kc_jscan_tok *t);
/* 1 when every byte of key[0..len) is printable ASCII other than '"' and '\\'. */
int kc_jscan_plain_key(const char *key, size_t len);

/* Consume the next value whatever it is, validating all of it. */
int kc_jscan_skip(struct kc_jscan *js);
/* Same, and give its kind and raw span. */
int kc_jscan_value(struct kc_jscan *js, struct kc_jscan_val *v);

/* After the root value: the Jackson dialect ignores what follows, the strict one allows only
 * white space. */
int kc_jscan_finish(struct kc_jscan *js);

/* Offset of the next byte to read, from the document start. */
static inline size_t kc_jscan_offset(const struct kc_jscan *js)
{
    return (size_t)(js->p - js->start);
}

/*
 * Helpers on a value from kc_jscan_value() (the scanner gives the dialect and the error).
 * kc_jscan_val_string: decode a STRING into dst[0..cap); KC_EINVAL when it is not a string or
 *   the text and its NUL do not fit (*len then says the bytes needed without the NUL).
 * kc_jscan_val_int64: an integer literal that fits int64 exactly; KC_EINVAL otherwise (floats,
 *   big integers, other kinds).
 * kc_jscan_val_double: any number, correctly rounded.
 */
int kc_jscan_val_string(struct kc_jscan *js, const struct kc_jscan_val *v, char *dst, size_t cap,
                        size_t *len);
int kc_jscan_val_int64(struct kc_jscan *js, const struct kc_jscan_val *v, int64_t *out);
int kc_jscan_val_double(struct kc_jscan *js, const struct kc_jscan_val *v, double *out);

#endif
