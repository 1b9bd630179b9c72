/*
 * tests/fuzz/fuzz_jscan.c: hostile bytes through the shared JSON scanner (base/kc_jscan.c),
 * both dialects. The first byte picks the depth limit; the rest is the document. Each dialect
 * walks it twice: once with kc_jscan_skip(), once by hand with the pull API a sink uses
 * (object_next with decoded keys, value spans, val_string/int64/double, enter/item_next).
 * Invariants checked: both walks agree on success; every error is KC_EINVAL naming an offset
 * inside the input; decoded strings never grow past their raw text and fit exactly the buffer
 * the API promises; the strict dialect accepts nothing the Jackson one rejects; and nothing
 * leaks or overruns (ASan/UBSan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_jscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const struct kc_error *err, size_t size)
{
    if (rc == KC_ENOMEM) {
        return;
    }
    if (rc != KC_EINVAL) {
        abort();
    }
    const char *at = strstr(err->msg, "offset ");
    if (at == NULL || strtoull(at + 7, NULL, 10) > size) {
        abort();
    }
}

static int walk(struct kc_jscan *js);

static int walk_value(struct kc_jscan *js, enum kc_jscan_kind kind)
{
    struct kc_jscan_val v;
    int rc;
    if (kind == KC_JSCAN_OBJECT || kind == KC_JSCAN_ARRAY) {
        return walk(js);
    }
    if ((rc = kc_jscan_value(js, &v)) != KC_OK) {
        return rc;
    }
    if (v.kind != kind) {
        abort();
    }
    if (kind == KC_JSCAN_STRING) {
        size_t n = 0;
        char *buf = malloc(v.raw_len);
        if (buf == NULL) {
            abort();
        }
        /* raw_len counts the quotes: raw_len - 1 bytes hold the text and its NUL. */
        if (kc_jscan_val_string(js, &v, buf, v.raw_len - 1, &n) != KC_OK || n > v.raw_len - 2 ||
            buf[n] != '\0') {
            abort();
        }
        if (n > 0 && kc_jscan_val_string(js, &v, buf, n, &n) != KC_EINVAL) {
            abort(); /* one byte short of the NUL must be refused */
        }
        free(buf);
    } else if (kind == KC_JSCAN_NUMBER) {
        int64_t i;
        double d;
        if (kc_jscan_val_double(js, &v, &d) != KC_OK) {
            abort();
        }
        (void)kc_jscan_val_int64(js, &v, &i);
    }
    return KC_OK;
}

/* The scanner is on an object or array (peeked); walk it by hand. */
static int walk(struct kc_jscan *js)
{
    enum kc_jscan_kind kind;
    int rc, r;
    if ((rc = kc_jscan_peek(js, &kind)) != KC_OK) {
        return rc;
    }
    if (kind != KC_JSCAN_OBJECT && kind != KC_JSCAN_ARRAY) {
        return walk_value(js, kind);
    }
    kc_jscan_enter(js);
    if (kind == KC_JSCAN_OBJECT) {
        const char *key;
        size_t klen;
        while ((r = kc_jscan_object_next(js, &key, &klen, &kind)) == 1) {
            if (klen > 0 && key[0] == 'x' && (rc = kc_jscan_skip(js)) != KC_OK) {
                return rc; /* sinks skip fields they do not want */
            }
            if ((klen == 0 || key[0] != 'x') && (rc = walk_value(js, kind)) != KC_OK) {
                return rc;
            }
        }
        return r;
    }
    while ((r = kc_jscan_item_next(js)) == 1) {
        if ((rc = walk(js)) != KC_OK) {
            return rc;
        }
    }
    return r;
}

static int run(enum kc_jscan_dialect d, uint32_t depth, const char *doc, size_t n, int by_hand)
{
    struct kc_jscan js;
    struct kc_error err;
    enum kc_jscan_kind kind;
    int rc;
    kc_error_clear(&err);
    kc_jscan_init(&js, d, depth);
    kc_jscan_begin(&js, doc, n, &err);
    rc = kc_jscan_peek(&js, &kind);
    if (rc == KC_OK && kind == KC_JSCAN_END) {
        kc_jscan_fini(&js);
        return 1; /* no value */
    }
    if (rc == KC_OK) {
        rc = by_hand ? walk(&js) : kc_jscan_skip(&js);
    }
    if (rc == KC_OK) {
        rc = kc_jscan_finish(&js);
    }
    if (rc == KC_OK && js.depth != 0) {
        abort();
    }
    if (rc != KC_OK) {
        check_error(rc, &err, n);
    }
    kc_jscan_fini(&js);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    uint32_t depth = data[0] < 0x80 ? (uint32_t)data[0] % 16 + 1 : 0;
    const char *doc = (const char *)data + 1;
    size_t n = size - 1;
    int jk = run(KC_JSCAN_JACKSON, depth, doc, n, 0);
    if (run(KC_JSCAN_JACKSON, depth, doc, n, 1) != jk) {
        abort();
    }
    int st = run(KC_JSCAN_STRICT, depth, doc, n, 0);
    if (run(KC_JSCAN_STRICT, depth, doc, n, 1) != st) {
        abort();
    }
    if (st == KC_OK && jk != KC_OK) {
        abort(); /* strict is a subset of Jackson */
    }
    return 0;
}
