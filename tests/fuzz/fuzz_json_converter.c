/*
 * tests/fuzz/fuzz_json_converter.c: hostile bytes through JsonConverter (schemas.enable false
 * and true, replace.null.with.default on and off), then cdata_to_java_string of whatever came
 * out; the same bytes also go through SimpleHeaderConverter and StringConverter. The first
 * input byte picks the converter; converters live across inputs so the schema cache is
 * exercised. Whatever converts is then pushed through a chain of transforms (InsertField,
 * Cast, TimestampConverter, ReplaceField, Flatten, ExtractField, RegexRouter) and printed again. Invariants checked: KC_OK gives a printable value, failures are KC_EINVAL with a
 * DataException class or KC_ENOMEM, and nothing leaks or overruns (ASan/UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "smt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct conv *convs[6];
static struct smt *smts[8];

static struct smt *mk_smt(const char *cls, const char *k1, const char *v1, const char *k2,
                          const char *v2)
{
    struct kc_strmap *p = kc_strmap_new();
    struct smt *t;
    struct kc_error err;
    kc_strmap_set(p, k1, v1);
    if (k2 != NULL) {
        kc_strmap_set(p, k2, v2);
    }
    if (smt_new(cls, p, &t, &err) != KC_OK) {
        abort();
    }
    kc_strmap_free(p);
    return t;
}

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
    smts[0] = mk_smt("InsertField$Value", "topic.field", "t", "timestamp.field", "ts");
    smts[1] = mk_smt("Cast$Value", "spec", "a:string,b:int8,c:float32,user_id:boolean", NULL, NULL);
    smts[2] = mk_smt("TimestampConverter$Value", "field", "ts", "target.type", "Date");
    smts[3] = mk_smt("ReplaceField$Value", "exclude", "x", "renames", "a:aa,b:bb");
    smts[4] = mk_smt("Flatten$Value", "delimiter", "_", NULL, NULL);
    smts[5] = mk_smt("TimestampConverter$Value", "target.type", "Timestamp", "format", "yyyy-MM-dd");
    smts[6] = mk_smt("ExtractField$Value", "field", "aa", NULL, NULL);
    smts[7] = mk_smt("RegexRouter", "regex", "(top)(ic)", "replacement", "$2-$1");
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
        struct sink_record r;
        memset(&r, 0, sizeof(r));
        r.topic = "topic";
        r.timestamp = 1700000000000LL;
        r.ts_type = SINK_TS_CREATE;
        r.value_schema = s;
        r.value = v;
        r.value_converted = 1;
        const struct sink_record *cur = &r;
        for (int i = 0; i < 8 && cur != NULL; i++) {
            const struct sink_record *next;
            int trc = smt_apply(smts[i], cur, &a, &next, &err);
            if (trc != KC_OK && trc != KC_EINVAL && trc != KC_ENOMEM) {
                abort();
            }
            if (trc == KC_OK) {
                cur = next;
            }
        }
        if (cur != NULL) {
            kc_buf_reset(&b);
            if (cdata_to_java_string(cur->value, &b) != KC_OK && b.len != 0) {
                abort();
            }
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
