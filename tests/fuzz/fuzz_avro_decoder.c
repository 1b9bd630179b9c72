/*
 * tests/fuzz/fuzz_avro_decoder.c: hostile input through AvroConverter's decoder
 * (conv_avro_dec.c). The first byte picks the mode: even -> one of the built-in schemas below
 * decodes the rest; odd -> the rest is "<Avro schema JSON>\0<binary datum>", so the schema
 * parser is fuzzed too. Whatever decodes is printed with cdata_to_java_string. Invariants:
 * parse and decode answer KC_OK, KC_EINVAL or KC_ENOMEM (the arena is capped), a KC_OK value
 * prints, and nothing leaks, overruns or recurses without bound (ASan/UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conv_avro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char schema0[] =
    "{\"type\":\"record\",\"name\":\"User\",\"namespace\":\"com.example\",\"fields\":["
    "{\"name\":\"id\",\"type\":\"int\"},{\"name\":\"name\",\"type\":\"string\"},"
    "{\"name\":\"score\",\"type\":\"double\"},{\"name\":\"ok\",\"type\":\"boolean\"},"
    "{\"name\":\"big\",\"type\":\"long\"},{\"name\":\"f32\",\"type\":\"float\"},"
    "{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}},"
    "{\"name\":\"attrs\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},"
    "{\"name\":\"nick\",\"type\":[\"null\",\"string\"]},"
    "{\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"Color\","
    "\"symbols\":[\"R\",\"G\"]}},"
    "{\"name\":\"addr\",\"type\":[\"null\",{\"type\":\"record\",\"name\":\"Addr\",\"fields\":"
    "[{\"name\":\"city\",\"type\":\"string\"}]}]}]}";
static const char schema1[] =
    "{\"type\":\"record\",\"name\":\"L\",\"fields\":["
    "{\"name\":\"d\",\"type\":{\"type\":\"int\",\"logicalType\":\"date\"}},"
    "{\"name\":\"tm\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-millis\"}},"
    "{\"name\":\"tu\",\"type\":{\"type\":\"long\",\"logicalType\":\"time-micros\"}},"
    "{\"name\":\"ts\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-millis\"}},"
    "{\"name\":\"tsu\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-micros\"}},"
    "{\"name\":\"dec\",\"type\":{\"type\":\"bytes\",\"logicalType\":\"decimal\",\"precision\":10,"
    "\"scale\":2}},{\"name\":\"fx\",\"type\":{\"type\":\"fixed\",\"name\":\"F2\",\"size\":2,"
    "\"logicalType\":\"decimal\",\"scale\":1}},"
    "{\"name\":\"u\",\"type\":[\"int\",\"string\",\"null\","
    "{\"type\":\"enum\",\"name\":\"C2\",\"symbols\":[\"A\",\"B\"]}]}]}";
static const char schema2[] =
    "{\"type\":\"array\",\"items\":{\"type\":\"map\",\"values\":[\"null\",{\"type\":\"array\","
    "\"items\":{\"type\":\"record\",\"name\":\"E\",\"fields\":[]}}]}}";
static const char schema3[] =
    "{\"type\":\"map\",\"values\":{\"type\":\"int\",\"connect.type\":\"int8\"}}";
static const char schema4[] = "\"string\"";
static const char *const schemas[] = {schema0, schema1, schema2, schema3, schema4};
#define N_SCHEMAS (sizeof(schemas) / sizeof(schemas[0]))

static struct kc_arena schema_arena;
static const struct conv_avro_schema *parsed[N_SCHEMAS];

static void init(void)
{
    kc_arena_init(&schema_arena, 4096, 16u << 20);
    for (size_t i = 0; i < N_SCHEMAS; i++) {
        struct kc_error err;
        if (conv_avro_schema_parse(schemas[i], strlen(schemas[i]), &schema_arena, &parsed[i],
                                   &err) != KC_OK) {
            abort(); /* the built-in schemas must parse */
        }
    }
}

static void run(const struct conv_avro_schema *s, const uint8_t *d, size_t n, struct kc_arena *a)
{
    const struct cdata_value *v;
    struct kc_error err;
    int rc = conv_avro_decode(s, d, n, a, &v, &err);
    if (rc != KC_OK && rc != KC_EINVAL && rc != KC_ENOMEM) {
        abort();
    }
    if (rc == KC_OK) {
        struct kc_buf b;
        kc_buf_init(&b, 16u << 20);
        rc = cdata_to_java_string(v, &b);
        if (rc != KC_OK && rc != KC_ENOMEM && rc != KC_EINVAL) {
            abort();
        }
        kc_buf_fini(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (parsed[0] == NULL && schema_arena.limit == 0) {
        init();
    }
    if (size < 1) {
        return 0;
    }
    uint8_t mode = data[0];
    data++;
    size--;
    struct kc_arena a;
    kc_arena_init(&a, 4096, 32u << 20);
    if ((mode & 1) == 0) {
        const struct conv_avro_schema *s = parsed[(mode >> 1) % N_SCHEMAS];
        if (s == NULL) {
            s = parsed[0];
        }
        if (s != NULL) {
            run(s, data, size, &a);
        }
    } else {
        const uint8_t *nul = memchr(data, 0, size);
        size_t sl = nul != NULL ? (size_t)(nul - data) : size;
        const struct conv_avro_schema *s;
        struct kc_error err;
        int rc = conv_avro_schema_parse((const char *)data, sl, &a, &s, &err);
        if (rc != KC_OK && rc != KC_EINVAL && rc != KC_ENOMEM) {
            abort();
        }
        if (rc == KC_OK && nul != NULL) {
            run(s, nul + 1, size - sl - 1, &a);
        }
    }
    kc_arena_fini(&a);
    return 0;
}
