/*
 * connectors/common/cdata.h: Connect's data model in C -- schemas and values, as converters
 * produce them, transforms rewrite them and sinks consume them.
 *
 * Everything here lives in a per-batch kc_arena (owned by the task's batch and released after
 * the batch's offsets are committed), so nothing is freed one by one and building a value costs
 * a few pointer bumps. Values are immutable once handed to a transform or a sink; a transform
 * that changes a value builds a new one in the same arena.
 *
 * A Java null is a NULL `const struct cdata_value *`. Logical types (Decimal, Date, Time,
 * Timestamp) are the base type plus a schema whose name says so, exactly as in Connect; a value
 * converted without schema (JsonConverter schemas.enable=false) has schema == NULL and uses only
 * INT64, FLOAT64, BOOLEAN, STRING, ARRAY and MAP (with STRING keys), as Connect infers them.
 */
#ifndef CDATA_H
#define CDATA_H

#include <stddef.h>
#include <stdint.h>

#include "kc_arena.h"
#include "kc_buf.h"
#include "kc_error.h"

enum cdata_type {
    CDATA_INT8 = 0,
    CDATA_INT16,
    CDATA_INT32,
    CDATA_INT64,
    CDATA_FLOAT32,
    CDATA_FLOAT64,
    CDATA_BOOLEAN,
    CDATA_STRING,
    CDATA_BYTES,
    CDATA_ARRAY,
    CDATA_MAP,
    CDATA_STRUCT,
};

#define CDATA_LOGICAL_DECIMAL "org.apache.kafka.connect.data.Decimal"
#define CDATA_LOGICAL_DATE "org.apache.kafka.connect.data.Date"
#define CDATA_LOGICAL_TIME "org.apache.kafka.connect.data.Time"
#define CDATA_LOGICAL_TIMESTAMP "org.apache.kafka.connect.data.Timestamp"

struct cdata_schema;

struct cdata_field {
    const char *name;                  /* arena */
    int index;                         /* position in the struct */
    const struct cdata_schema *schema; /* arena */
};

struct cdata_param {
    const char *key;   /* arena */
    const char *value; /* arena */
};

struct cdata_schema {
    enum cdata_type type;
    int optional;                           /* bool */
    const char *name;                       /* NULL or e.g. CDATA_LOGICAL_TIMESTAMP */
    int version;                            /* 0 = absent */
    const char *doc;                        /* NULL = absent */
    const struct cdata_param *params;       /* n_params entries */
    size_t n_params;
    const struct cdata_value *default_value; /* NULL = no default */
    int has_default;                        /* default given (possibly null) */
    const struct cdata_schema *items;       /* ARRAY */
    const struct cdata_schema *keys;        /* MAP */
    const struct cdata_schema *values;      /* MAP */
    const struct cdata_field *fields;       /* STRUCT, n_fields entries, schema order */
    size_t n_fields;
};

struct cdata_value {
    enum cdata_type type;
    uint32_t n; /* STRING/BYTES: byte length; ARRAY/MAP/STRUCT: element count */
    /* Borrowed; set for STRUCT values and for values of logical types, else may be NULL. On a
     * schemaless MAP value it may be a Java construction marker (cdata_schema_linked_map,
     * cdata_hashmap_hint: type MAP, no key/value schemas) that only toString looks at. */
    const struct cdata_schema *schema;
    union {
        int64_t i; /* INT8..INT64 (Date, Time as INT32; Timestamp as INT64) */
        double f;  /* FLOAT32, FLOAT64 */
        int b;     /* BOOLEAN */
        const char *s; /* STRING (UTF-8, NUL-terminated for convenience) or BYTES (Decimal:
                        * big-endian two's-complement unscaled value) */
        const struct cdata_value *const *items; /* ARRAY elements; STRUCT fields in schema
                                                 * order (NULL entry = null field) */
        struct {
            const struct cdata_value *const *keys;
            const struct cdata_value *const *vals;
        } map;
    } u;
};

/* Constructors: all allocate in the arena and return NULL when it is exhausted. */
struct cdata_value *cdata_int(struct kc_arena *a, enum cdata_type t, int64_t v);
struct cdata_value *cdata_float(struct kc_arena *a, enum cdata_type t, double v);
struct cdata_value *cdata_bool(struct kc_arena *a, int v);
/* Copies n bytes (adds a NUL). */
struct cdata_value *cdata_string(struct kc_arena *a, const char *s, size_t n);
struct cdata_value *cdata_bytes(struct kc_arena *a, const void *p, size_t n);
/* Elements arrays are allocated uninitialised with n slots; fill them before publishing. */
struct cdata_value *cdata_array(struct kc_arena *a, uint32_t n, const struct cdata_value ***items);
struct cdata_value *cdata_map(struct kc_arena *a, uint32_t n, const struct cdata_value ***keys,
                              const struct cdata_value ***vals);
struct cdata_value *cdata_struct(struct kc_arena *a, const struct cdata_schema *s,
                                 const struct cdata_value ***fields);

/* Lookups. cdata_struct_get: field value by name (NULL if absent or null). */
const struct cdata_value *cdata_struct_get(const struct cdata_value *v, const char *field);
/* Map value by string key (NULL if absent or null). */
const struct cdata_value *cdata_map_get(const struct cdata_value *v, const char *key);
const struct cdata_field *cdata_schema_field(const struct cdata_schema *s, const char *name);
/* Schema parameter value or NULL. */
const char *cdata_schema_param(const struct cdata_schema *s, const char *key);
/* 1 if s is the named logical type. */
int cdata_schema_is(const struct cdata_schema *s, const char *logical_name);
/* Lower-case Connect type name ("int32", "struct"); Java enum name with upper=1 ("INT32"). */
const char *cdata_type_name(enum cdata_type t, int upper);
/* Parse a lower-case Connect/JSON type name ("int32", "float" = FLOAT32, "double" = FLOAT64, as
 * JsonSchema spells them); -1 if unknown. */
int cdata_type_parse(const char *name);

/* "class java.lang.String": what Java's value.getClass() prints for the value Connect would
 * hold (v not NULL; Date, Time and Timestamp values print java.util.Date). */
const char *cdata_java_class(const struct cdata_value *v);
/* A map's entry by string key: index or -1 (keys compared bytewise). */
long cdata_map_find(const struct cdata_value *v, const char *key, size_t key_len);
/*
 * A 64-bit fingerprint of everything ConnectSchema.equals compares: type, optional, name,
 * version, doc, parameters (in order), the default value, and the field (names and schemas),
 * key, value and item schemas, recursively. Equal schemas give equal fingerprints; different
 * ones differ but for a 2^-64 chance. NULL (no schema) has its own value. For a sink that
 * must notice when records change schema across batches (schemas live in a batch's arena).
 */
uint64_t cdata_schema_fingerprint(const struct cdata_schema *s);
/* Decimal scale of a Decimal schema (parameter "scale"); KC_EINVAL if absent or not an int. */
int cdata_decimal_scale(const struct cdata_schema *s, int32_t *scale, struct kc_error *err);

/* Read-only built-in schemas (static storage, shared by every thread), as Connect's
 * Schema.OPTIONAL_STRING_SCHEMA and friends. */
extern const struct cdata_schema cdata_schema_optional_string; /* StringConverter */
extern const struct cdata_schema cdata_schema_optional_bytes;  /* ByteArrayConverter */
extern const struct cdata_schema cdata_schema_optional_int8;
extern const struct cdata_schema cdata_schema_optional_int16;
extern const struct cdata_schema cdata_schema_optional_int32;
extern const struct cdata_schema cdata_schema_optional_int64;
extern const struct cdata_schema cdata_schema_optional_float32;
extern const struct cdata_schema cdata_schema_optional_float64;
extern const struct cdata_schema cdata_schema_optional_boolean;
/* Required (non-optional) primitives, as Schema.INT8_SCHEMA etc. (SimpleHeaderConverter). */
extern const struct cdata_schema cdata_schema_int8;
extern const struct cdata_schema cdata_schema_int16;
extern const struct cdata_schema cdata_schema_int32;
extern const struct cdata_schema cdata_schema_int64;
extern const struct cdata_schema cdata_schema_float32;
extern const struct cdata_schema cdata_schema_float64;
extern const struct cdata_schema cdata_schema_boolean;
extern const struct cdata_schema cdata_schema_string;
extern const struct cdata_schema cdata_schema_bytes;

/* Marker for a schemaless MAP value whose Java object is a LinkedHashMap (Flatten's output):
 * set as the value's `schema`, it makes cdata_to_java_string iterate in insertion order instead
 * of HashMap order. Type MAP, optional, no key/value schemas; the record's schema stays NULL. */
extern const struct cdata_schema cdata_schema_linked_map;

/*
 * HashMap construction hints. A java.util.HashMap's iteration order depends on its final table
 * size, which depends on how it was created: new HashMap<>() starts at 16 (JsonConverter's maps,
 * and any MAP value without a hint), new HashMap<>(n) at tableSizeFor(n) (ReplaceField), and
 * the copy constructor new HashMap<>(m) at tableSizeFor(ceil(m.size() / 0.75)) (InsertField,
 * Cast; JDK 19+, JDK 17 over-allocates by one). Code building such a map sets the returned
 * marker (static storage) as the MAP value's `schema`; its type is MAP, no key/value schemas.
 */
const struct cdata_schema *cdata_hashmap_hint(uint32_t initial_table_size);
/* tableSizeFor(n) (HashMap(int)) and the copy constructor's initial table size for n entries. */
uint32_t cdata_hashmap_sized(uint32_t n);
uint32_t cdata_hashmap_copied(uint32_t n);

/* Milliseconds since the epoch of a Date value's days (saturating, never overflows). */
int64_t cdata_date_ms(int64_t days);

/* Java's hashCode() of the value Connect would hold (String.hashCode over UTF-16 code units,
 * Long.hashCode, Double.hashCode, List/Map hashCode, java.util.Date for Date/Time/Timestamp).
 * Values whose Java hash is identity- or schema-based (byte[], Struct, BigDecimal) hash to 0.
 * @thread any */
int32_t cdata_java_hash(const struct cdata_value *v);

/*
 * The order java.util.HashMap iterates map v in (see cdata_to_java_string): order[0..v->n) gets
 * entry indexes. For transforms that copy a HashMap entry by entry (Flatten) and so must insert
 * in the JVM's order. @thread any @return KC_OK or KC_ENOMEM (maps over 64 entries allocate)
 */
int cdata_map_java_order(const struct cdata_value *v, uint32_t *order);

/*
 * Append Java's Double.toString(d) / Float.toString(f) (JDK 19+ shortest round-trip digits:
 * "1.0", "1.0E10", "1.0E-5", "NaN", "-Infinity"). @thread any @return KC_OK or KC_ENOMEM
 */
int cdata_java_double(double d, struct kc_buf *buf);
int cdata_java_float(float f, struct kc_buf *buf);
/* Same digits into a caller array of at least CDATA_JAVA_DOUBLE_MAX bytes; returns length. */
#define CDATA_JAVA_DOUBLE_MAX 32
size_t cdata_java_double_fmt(double d, char *out);

/*
 * Append Java's `String.valueOf(value)` of the value Connect would hold, to buf: what the JVM's
 * FileStreamSink writes. Longs print as decimal, doubles as Java's Double.toString ("1.0",
 * "1.0E10"), maps in java.util.HashMap iteration order ("{a=1, b=x}"), lists as "[a, b]", structs
 * as "Struct{a=1,b=x}" (null fields skipped), bytes as Java's byte[] identity (we print
 * "[B@" + hash, which no user can rely on), null as "null". Decimal prints as BigDecimal
 * ("12.34", "1.2E+3"); Date, Time and Timestamp as java.util.Date in UTC
 * ("Thu Jan 01 00:00:00 UTC 1970"; Julian calendar before 1582-10-15 as GregorianCalendar;
 * the BC era is not emulated).
 *
 * HashMap order: java.util.HashMap iterates bucket by bucket, bucket = spread(hash) & (cap-1)
 * where spread(h) = h ^ (h >>> 16), and a bucket's chain keeps insertion order (resizes split
 * chains preserving relative order). Capacity starts at 16 (or the cdata_hashmap_hint size) and
 * doubles when size > 0.75 cap, or
 * when one chain reaches 9 entries while cap < 64 (treeifyBin resizes instead). We compute the
 * final capacity that way and print entries sorted by (bucket, insertion index). Known gap: a
 * chain of 9+ entries at cap >= 64 becomes a red-black tree in the JVM whose iteration order
 * differs; we keep insertion order within such a bucket (needs adversarial colliding keys).
 * Decimals: BigDecimal.toString. Base conversion is quadratic in the unscaled value's length, so
 * one over CDATA_DECIMAL_MAX_BYTES (about 39,000 digits; real ones have at most a few dozen) is
 * refused rather than let a 1 MB record hold a task for minutes.
 * @thread any
 * @return KC_OK, KC_ENOMEM (buf cap) or KC_EINVAL (a Decimal over CDATA_DECIMAL_MAX_BYTES)
 */
#define CDATA_DECIMAL_MAX_BYTES 16384
int cdata_to_java_string(const struct cdata_value *v, struct kc_buf *buf);

/*
 * The HashMap order of the last top-level map printed with cdata_to_java_string_memo, with the
 * keys it was computed for. Records of one topic mostly carry the same keys in the same order,
 * so the order (a Java hash per key and a sort) is computed once and afterwards only checked
 * against the keys' bytes. A cache only: a map it does not fit (keys that are not all strings,
 * more than CDATA_MEMO_MAX_KEYS keys or CDATA_MEMO_MAX_BYTES of key bytes, no memory) is
 * ordered the ordinary way. Zero-initialise; owned by its caller, freed by cdata_memo_fini.
 */
#define CDATA_MEMO_MAX_KEYS 64
#define CDATA_MEMO_MAX_BYTES 4096
struct cdata_memo {
    uint32_t n;                      /* keys remembered, 0 = none */
    const struct cdata_schema *hint; /* the map's construction marker (capacity hint) */
    void *mem;                       /* owned: order[n], key_len[n], then the key bytes */
    size_t cap;                      /* bytes allocated at mem */
};

/* cdata_to_java_string with a memo (not NULL) of the top-level map's order. Same output.
 * @thread the memo's owner */
int cdata_to_java_string_memo(const struct cdata_value *v, struct kc_buf *buf,
                              struct cdata_memo *memo);
void cdata_memo_fini(struct cdata_memo *memo);

#endif
