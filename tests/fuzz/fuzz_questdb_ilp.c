/*
 * tests/fuzz/fuzz_questdb_ilp.c: hostile records through the QuestDB ILP encoder. Input:
 * "<flags byte><pattern>\n<json value>". The flags pick symbols/doubles/designated timestamp
 * options; the pattern is compiled as timestamp.string.format. Invariants: a refused record
 * leaves the buffer byte for byte as it was; an accepted one adds exactly one line ending in
 * '\n' with no other raw newline outside escapes (unless binary array fields are on, whose
 * doubles may hold 0x0a); nothing leaks or overruns (ASan/UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jfast.h"
#include "kc_alloc.h"
#include "questdb_ilp.h"
#include "sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char **one(const char *s, size_t *n)
{
    char **v = kc_calloc(1, sizeof(*v));
    if (v != NULL && (v[0] = kc_strdup(s)) != NULL) {
        *n = 1;
    }
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) {
        return 0;
    }
    unsigned flags = data[0];
    const char *s = (const char *)data + 1;
    size--;
    const char *nl = memchr(s, '\n', size);
    if (nl == NULL || nl - s > 256) {
        return 0;
    }
    struct questdb_conf qc;
    memset(&qc, 0, sizeof(qc));
    qc.key_prefix = kc_strdup("key");
    qc.value_prefix = kc_strdup((flags & 1) ? "v" : "");
    qc.include_key = (flags & 2) != 0;
    qc.client.max_name_len = 127;
    qc.skip_unsupported = (flags & 4) != 0;
    qc.ts_kafka_native = (flags & 8) != 0;
    qc.symbols = one("s", &qc.n_symbols);
    qc.doubles = one("d", &qc.n_doubles);
    qc.ts_string_fields = one("at", &qc.n_ts_string_fields);
    if (flags & 16) {
        qc.ts_fields = one("ts", &qc.n_ts_fields);
    }
    if (flags & 32) {
        qc.table = kc_strdup("${topic}_${key}");
    }
    qc.arrays = (flags & 64) != 0; /* binary array fields: raw '\n' bytes allowed in lines */
    char *pat = kc_malloc((size_t)(nl - s) + 1);
    memcpy(pat, s, (size_t)(nl - s));
    pat[nl - s] = '\0';
    struct kc_error err;
    if (questdb_ts_format_compile(pat, &qc.ts_format, &err) != KC_OK) {
        kc_free(pat);
        questdb_conf_fini(&qc);
        return 0;
    }
    kc_free(pat);
    struct questdb_ilp enc;
    struct kc_arena a;
    struct jfast jf;
    struct kc_buf out;
    kc_arena_init(&a, 4096, 1 << 24);
    jfast_init(&jf, 0);
    kc_buf_init(&out, 1 << 22);
    kc_buf_append_str(&out, "prev 1i\n");
    const char *json = nl + 1;
    size_t jl = size - (size_t)(json - s);
    const struct cdata_value *v = NULL;
    enum jfast_result res;
    if (questdb_ilp_init(&enc, &qc, &err) == KC_OK &&
        jfast_parse(&jf, json, jl, &a, &v, &res, &err) == KC_OK) {
        struct sink_record r = {0};
        r.topic = "t";
        r.value_raw = json;
        r.value_len = jl;
        r.ts_type = SINK_TS_CREATE;
        r.key = v; /* the same value as key exercises the key path */
        int skipped = 0;
        size_t before = out.len;
        int rc = questdb_ilp_append(&enc, &r, NULL, v, &out, &skipped, &err);
        if (rc != KC_OK || skipped) {
            if (out.len != before || memcmp(out.data, "prev 1i\n", 8) != 0) {
                abort();
            }
        } else {
            if (out.len <= before || out.data[out.len - 1] != '\n') {
                abort();
            }
            for (size_t i = before; i + 1 < out.len && !qc.arrays; i++) {
                if ((out.data[i] == '\n' || out.data[i] == '\r') && out.data[i - 1] != '\\') {
                    abort();
                }
            }
        }
    }
    questdb_ilp_fini(&enc);
    questdb_conf_fini(&qc);
    kc_arena_fini(&a);
    jfast_fini(&jf);
    kc_buf_fini(&out);
    return 0;
}
