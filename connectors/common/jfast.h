/*
 * connectors/common/jfast.h: the record-path JSON parser. It reads one JSON document straight
 * into cdata values in a kc_arena (no intermediate tree, no jansson), tokenized by the shared
 * scanner base/kc_jscan.c in its Jackson dialect, with the leniencies and
 * limits of the JVM's JsonDeserializer (Jackson ObjectMapper.readTree as JsonConverter sets it
 * up), so a record the JVM accepts is accepted here and vice versa:
 *
 *  - one value is read; whatever follows it is ignored, as readTree() does with
 *    FAIL_ON_TRAILING_TOKENS off -- except that a root-level number must be followed by white
 *    space or the end ("123abc" fails, as in Jackson);
 *  - empty or all-white-space input is Jackson's MissingNode (*out = NULL, JFAST_MISSING);
 *  - a leading UTF-8 BOM is skipped; white space is ' ', \t, \r, \n only;
 *  - numbers: leading zeros allowed (ALLOW_LEADING_ZEROS_FOR_NUMBERS, "007" = 7); no '+', no
 *    NaN/Infinity; at most 1000 characters (StreamReadConstraints). Integer literals become
 *    INT64; literals beyond int64 keep the low 64 bits (BigInteger.longValue(), which is what
 *    JsonConverter calls). Literals with '.' or an exponent become FLOAT64, correctly rounded
 *    (BigDecimal.doubleValue()); a zero literal is +0.0 ("-0.0" is BigDecimal zero in Java);
 *  - strings: strict UTF-8 (we also reject overlong forms and encoded surrogates, which Jackson
 *    lets through -- deliberate), no raw control characters, JSON escapes; an escaped lone
 *    surrogate is kept as 3-byte WTF-8 (see cdata.c);
 *  - objects become MAP values with STRING keys; a repeated key keeps its first position and its
 *    last value (Jackson's ObjectNode);
 *  - nesting deeper than JFAST_MAX_DEPTH (1000, Jackson's default) fails.
 *
 * A JSON null is a NULL value pointer. The parser is not thread-safe; each converter owns one.
 */
#ifndef JFAST_H
#define JFAST_H

#include <stddef.h>
#include <stdint.h>

#include "cdata.h"
#include "kc_arena.h"
#include "kc_error.h"
#include "kc_jscan.h"

#define JFAST_MAX_DEPTH KC_JSCAN_JACKSON_MAX_DEPTH
#define JFAST_MAX_NUMBER_LEN KC_JSCAN_MAX_NUMBER_LEN

/* In tree mode every value is a struct jfast_node (v first, so a value pointer casts back),
 * carrying what JsonConverter's schema path needs from Jackson's JsonNode. */
#define JFAST_F_INT32 0x1 /* integer literal that fits an int (Jackson IntNode: isInt()) */
#define JFAST_F_BIG 0x2   /* integer literal beyond int64 (BigIntegerNode) */
#define JFAST_F_FLOAT 0x4 /* literal with '.' or exponent (DecimalNode) */

struct jfast_node {
    struct cdata_value v;
    const char *raw;  /* borrowed from the input: the value's source text */
    uint32_t raw_len;
    uint32_t flags;   /* JFAST_F_* */
};

struct jfast {
    const struct cdata_value **stack; /* owned scratch for open containers' children */
    size_t stack_cap;
    uint32_t *dedup; /* owned scratch hash table for large objects */
    size_t dedup_cap;
    int tree; /* build struct jfast_node (1) or plain cdata_value (0) */
    struct kc_jscan js; /* the tokenizer (Jackson dialect); all syntax rules live there */
};

enum jfast_result {
    JFAST_VALUE = 0,   /* *out set (NULL = JSON null) */
    JFAST_MISSING = 1, /* no value at all (empty input) */
};

void jfast_init(struct jfast *j, int tree);
void jfast_fini(struct jfast *j);

/*
 * Parse data[0..len) into *out (arena memory). *res says whether a value was present.
 * @thread the owner's
 * @return KC_OK, KC_EINVAL (malformed; err names what and the byte offset), KC_ENOMEM (arena
 *         limit or scratch allocation)
 */
int jfast_parse(struct jfast *j, const char *data, size_t len, struct kc_arena *a,
                const struct cdata_value **out, enum jfast_result *res, struct kc_error *err);

/* Tree-mode accessors. */
static inline const struct jfast_node *jfast_node_of(const struct cdata_value *v)
{
    return (const struct jfast_node *)v;
}

/* Base64 (standard alphabet, padding required, as Jackson's default MIME-NO-LINEFEEDS variant
 * reads it) into arena bytes. KC_EINVAL on bad input. */
int jfast_base64_decode(const char *s, size_t n, struct kc_arena *a, unsigned char **out,
                        size_t *out_len, struct kc_error *err);

#endif
