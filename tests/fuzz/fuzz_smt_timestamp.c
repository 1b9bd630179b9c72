/*
 * tests/fuzz/fuzz_smt_timestamp.c: TimestampConverter with a pattern from the input (issue 11:
 * "SMT chain including TimestampConverter patterns"; the JSON converter target keeps one fixed
 * pattern). Input: byte 0 picks target.type (string, unix, Date, Time, Timestamp), the input
 * shape (a string, a long, a Timestamp or a Date; bare, in a struct field ts or a map key ts;
 * schema'd or schemaless) and unix.precision; byte 1 is the pattern's length n; the next n bytes are the SimpleDateFormat
 * pattern; the rest is the value (text for string input, 8 little-endian bytes for a number).
 * Checks: a pattern the transform refuses is KC_EINVAL at smt_new; a record it cannot convert
 * is KC_EINVAL (or KC_ENOMEM); whatever converts prints; nothing overruns or leaks (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cdata.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "smt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const targets[] = {"string", "unix", "Date", "Time", "Timestamp"};
static const char *const precisions[] = {"milliseconds", "seconds", "microseconds",
                                         "nanoseconds"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    uint8_t sel = data[0];
    size_t plen = data[1];
    data += 2;
    size -= 2;
    if (plen > size) {
        plen = size;
    }
    char pattern[256];
    memcpy(pattern, data, plen);
    pattern[plen] = '\0';
    if (strlen(pattern) != plen) {
        return 0; /* a NUL inside: not a config value a properties file or JSON can carry */
    }
    data += plen;
    size -= plen;

    int in_struct = (sel >> 6) & 1;
    int shape = (sel >> 3) & 3; /* 0 string, 1 int64, 2 Timestamp logical, 3 Date logical */
    struct kc_strmap *p = kc_strmap_new();
    if (p == NULL) {
        abort();
    }
    kc_strmap_set(p, "target.type", targets[(sel & 7) % 5]);
    kc_strmap_set(p, "format", pattern);
    kc_strmap_set(p, "unix.precision", precisions[(sel >> 7) * 2 + (shape & 1)]);
    if (in_struct) {
        kc_strmap_set(p, "field", "ts");
    }
    struct smt *t = NULL;
    struct kc_error err;
    int rc = smt_new("TimestampConverter$Value", p, &t, &err);
    kc_strmap_free(p);
    if (rc != KC_OK) {
        if (rc != KC_EINVAL && rc != KC_ENOMEM) {
            abort();
        }
        return 0;
    }

    static const struct cdata_schema str_s = {.type = CDATA_STRING};
    static const struct cdata_schema long_s = {.type = CDATA_INT64};
    static const struct cdata_schema ts_s = {.type = CDATA_INT64,
                                             .name = CDATA_LOGICAL_TIMESTAMP, .version = 1};
    static const struct cdata_schema date_s = {.type = CDATA_INT32, .name = CDATA_LOGICAL_DATE,
                                               .version = 1};
    struct kc_arena a;
    kc_arena_init(&a, 4096, 64u << 20);
    struct cdata_value *v;
    const struct cdata_schema *vs;
    int64_t x = 0;
    memcpy(&x, data, size < 8 ? size : 8);
    if (shape == 0) {
        v = cdata_string(&a, (const char *)data, size);
        vs = &str_s;
    } else if (shape == 3) {
        v = cdata_int(&a, CDATA_INT32, (int32_t)x);
        vs = &date_s;
    } else {
        v = cdata_int(&a, CDATA_INT64, x);
        vs = shape == 2 ? &ts_s : &long_s;
    }
    if (v == NULL) {
        abort();
    }
    v->schema = vs->name != NULL ? vs : NULL;
    /* schema'd (a struct with field ts, or the bare value with its schema), or schemaless (a
     * map {"ts": value}, or the bare value) */
    int schemaless = (sel >> 5) & 1;
    struct sink_record r;
    memset(&r, 0, sizeof(r));
    r.topic = "topic";
    r.timestamp = 1700000000000LL;
    r.ts_type = SINK_TS_CREATE;
    r.value_converted = 1;
    struct cdata_field f = {.name = "ts", .index = 0, .schema = vs};
    struct cdata_schema row_s = {.type = CDATA_STRUCT, .fields = &f, .n_fields = 1};
    if (in_struct && !schemaless) {
        const struct cdata_value **items;
        struct cdata_value *row = cdata_struct(&a, &row_s, &items);
        if (row == NULL) {
            abort();
        }
        items[0] = v;
        r.value_schema = &row_s;
        r.value = row;
    } else if (in_struct) {
        const struct cdata_value **keys, **vals;
        struct cdata_value *m = cdata_map(&a, 1, &keys, &vals);
        struct cdata_value *k = cdata_string(&a, "ts", 2);
        if (m == NULL || k == NULL) {
            abort();
        }
        keys[0] = k;
        vals[0] = v;
        r.value = m;
    } else {
        r.value_schema = schemaless ? NULL : vs;
        r.value = v;
    }
    const struct sink_record *out = NULL;
    rc = smt_apply(t, &r, &a, &out, &err);
    if (rc == KC_OK) {
        struct kc_buf b;
        kc_buf_init(&b, 16u << 20);
        if (out != NULL && cdata_to_java_string(out->value, &b) != KC_OK && b.len != 0) {
            abort();
        }
        kc_buf_fini(&b);
    } else if (rc != KC_EINVAL && rc != KC_ENOMEM) {
        abort();
    }
    smt_free(t);
    kc_arena_fini(&a);
    return 0;
}
