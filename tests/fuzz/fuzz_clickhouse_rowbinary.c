/*
 * tests/fuzz/fuzz_clickhouse_rowbinary.c: hostile input through the ClickHouse type parser and
 * the JSON -> RowBinary encoder. The input is "<type>\n<json message>": the type becomes column
 * `c` of a table that also has `d Nullable(String)`, `e String DEFAULT 'x'` and `g` of the same
 * type with a DEFAULT made of the message's first bytes, and the message is encoded in both
 * formats (RowBinary, RowBinaryWithDefaults). Invariants: a refused record leaves the buffer
 * exactly as it was (same length and bytes), failures are KC_EINVAL or KC_ENOMEM, and nothing
 * leaks or overruns (ASan/UBSan). Differential: the tree-free path (plan.flat) and jfast's
 * tree give the same result, the same bytes and the same message; and the encoded rows always
 * convert to a Native block, or say they must stay RowBinary, never fail to parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clickhouse_rowbinary.h"
#include "kc_alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    if (nl == NULL || (size_t)(nl - s) > 4096) {
        return 0;
    }
    /* A DESCRIBE body with the fuzzed type text (tabs and newlines in it just make a bad line). */
    struct kc_buf desc;
    kc_buf_init(&desc, 1 << 16);
    kc_buf_append_str(&desc, "c\t");
    kc_buf_append(&desc, s, (size_t)(nl - s));
    kc_buf_append_str(&desc, "\t\t\nd\tNullable(String)\t\t\ne\tString\tDEFAULT\t'x'\n");
    /* column g: the fuzzed type again, with a DEFAULT expression taken from the message's first
     * bytes (control bytes and backslashes blanked so the DESCRIBE line stays one line): the
     * literal-DEFAULT parser and encoder of plain RowBinary meet hostile text */
    kc_buf_append_str(&desc, "g\t");
    kc_buf_append(&desc, s, (size_t)(nl - s));
    kc_buf_append_str(&desc, "\tDEFAULT\t");
    for (size_t i = (size_t)(nl - s) + 1; i < size && i < (size_t)(nl - s) + 1 + 64; i++) {
        uint8_t ch = data[i];
        kc_buf_append_byte(&desc, ch < 0x20 || ch == '\\' || ch == 0x7f ? ' ' : ch);
    }
    kc_buf_append_str(&desc, "\n");
    struct clickhouse_table t;
    struct kc_error err;
    if (desc.data == NULL ||
        clickhouse_table_parse_describe(desc.data, desc.len, &t, &err) != KC_OK) {
        kc_buf_fini(&desc);
        return 0;
    }
    kc_buf_fini(&desc);
    const char *json = nl + 1;
    size_t jl = size - (size_t)(json - s);
    for (int f = 0; f < 2; f++) {
        struct clickhouse_rb_plan p;
        if (clickhouse_rb_plan_init(&p, &t, f ? CH_RB_WITH_DEFAULTS : CH_RB_PLAIN, &err) != KC_OK) {
            break;
        }
        struct kc_arena a;
        struct kc_buf out;
        size_t rows;
        kc_arena_init(&a, 4096, 1 << 24);
        kc_buf_init(&out, 1 << 24);
        kc_buf_append_str(&out, "earlier");
        int rc = clickhouse_rb_json(&p, json, jl, &a, &out, &rows, &err);
        if (rc == KC_EINVAL) {
            if (out.len != 7 || memcmp(out.data, "earlier", 7) != 0 || rows != 0) {
                abort();
            }
        } else if (rc != KC_OK && rc != KC_ENOMEM) {
            abort();
        }
        /* the same message through the tree only */
        struct ch_rb_flat *flat = p.flat;
        struct kc_buf out2;
        struct kc_error err2;
        size_t rows2 = 0;
        kc_buf_init(&out2, 1 << 24);
        kc_buf_append_str(&out2, "earlier");
        kc_arena_reset(&a);
        p.flat = NULL;
        int rc2 = clickhouse_rb_json(&p, json, jl, &a, &out2, &rows2, &err2);
        p.flat = flat;
        if (rc != rc2 || (rc == KC_OK && (rows != rows2 || out.len != out2.len ||
                                          memcmp(out.data, out2.data, out.len) != 0)) ||
            (rc == KC_EINVAL && strcmp(err.msg, err2.msg) != 0)) {
            abort();
        }
        kc_buf_fini(&out2);
        if (rc == KC_OK && rows > 0) {
            const unsigned char *chunk = (const unsigned char *)out.data + 7;
            size_t clen = out.len - 7;
            struct kc_buf nat;
            kc_buf_init(&nat, 1 << 25);
            int nrc = clickhouse_rb_native(&p, &chunk, &clen, 1, &nat, &err);
            if (nrc != KC_OK && nrc != 1 && nrc != KC_ENOMEM) {
                abort();
            }
            kc_buf_fini(&nat);
        }
        kc_buf_fini(&out);
        kc_arena_fini(&a);
        clickhouse_rb_plan_fini(&p);
    }
    clickhouse_table_fini(&t);
    return 0;
}
