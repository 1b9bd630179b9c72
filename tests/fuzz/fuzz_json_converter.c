/*
 * tests/fuzz/fuzz_json_converter.c: hostile bytes through JsonConverter (schemas.enable false
 * and true, replace.null.with.default on and off), then cdata_to_java_string of whatever came
 * out; the same bytes also go through SimpleHeaderConverter and StringConverter. The first
 * input byte picks the converter; converters live across inputs so the schema cache is
 * exercised. Invariants checked: KC_OK gives a printable value, failures are KC_EINVAL with a
 * DataException class or KC_ENOMEM, and nothing leaks or overruns (ASan/UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct conv *convs[6];

static void init(void)
{
    static const char *const modes[4][2] = {
        {"false", "true"}, {"true", "true"}, {"true", "false"}, {"false", "false"}};
    struct kc_error err;
    for (int i = 0; i < 4; i++) {
        struct kc_strmap *p = kc_strmap_new();
        kc_strmap_set(p, "schemas.enable", modes[i][0]);
        kc_strmap_set(p, "replace.null.with.default", modes[i][1]);
        kc_strmap_set(p, "schemas.cache.size", "16");
        if (conv_new("JsonConverter", p, i & 1, &convs[i], &err) != KC_OK) {
            abort();
        }
        kc_strmap_free(p);
    }
    if (conv_new("SimpleHeaderConverter", NULL, CONV_ROLE_HEADER, &convs[4], &err) != KC_OK ||
        conv_new("StringConverter", NULL, 0, &convs[5], &err) != KC_OK) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (convs[0] == NULL) {
        init();
    }
    if (size < 1) {
        return 0;
    }
    struct conv *c = convs[data[0] % 6];
    data++;
    size--;
    struct kc_arena a;
    kc_arena_init(&a, 4096, 64u << 20);
    struct kc_buf b;
    kc_buf_init(&b, 16u << 20);
    const struct cdata_schema *s;
    const struct cdata_value *v;
    struct kc_error err;
    int rc = conv_header_to_connect(c, "topic", "hdr", size ? (const void *)data : "", size, &a, &s,
                                    &v, &err);
    if (rc == KC_OK) {
        if (cdata_to_java_string(v, &b) != KC_OK && b.len != 0) {
            abort();
        }
    } else if (rc == KC_EINVAL) {
        const char *cls = conv_error_class(c);
        if (cls == NULL || conv_error_java_len(c) > strlen(err.msg)) {
            abort();
        }
    } else if (rc != KC_ENOMEM) {
        abort();
    }
    kc_buf_fini(&b);
    kc_arena_fini(&a);
    return 0;
}
