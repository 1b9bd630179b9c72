/*
 * tests/unit/base/test_kc_jscan.c: the shared JSON scanner on its own -- the pull API a sink
 * uses (members with plain and escaped keys, value kinds and raw spans, decoding into a caller
 * buffer, exact integers and doubles, skipping and descending), both dialects' differences,
 * malformed input with the byte offset the error names, the depth limit and allocation failure
 * of the key scratch. The record converter's JVM parity is test_conv_json's job.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "kc_jscan.h"

/* Walk a whole document with skip(); KC_OK or the error (message in err). */
static int scan_all(enum kc_jscan_dialect d, uint32_t max_depth, const char *s, size_t n,
                    struct kc_error *err)
{
    struct kc_jscan js;
    kc_jscan_init(&js, d, max_depth);
    kc_jscan_begin(&js, s, n, err);
    int rc = kc_jscan_skip(&js);
    if (rc == KC_OK) {
        rc = kc_jscan_finish(&js);
    }
    kc_jscan_fini(&js);
    return rc;
}

static void expect_error(enum kc_jscan_dialect d, const char *s, const char *what, size_t offset)
{
    struct kc_error err;
    char at[64];
    kc_error_clear(&err);
    int rc = scan_all(d, 0, s, strlen(s), &err);
    if (rc != KC_EINVAL || strstr(err.msg, what) == NULL) {
        fail_msg("'%s': rc %d, message '%s', expected '%s'", s, rc, err.msg, what);
    }
    snprintf(at, sizeof(at), "at offset %zu ", offset);
    if (strstr(err.msg, at) == NULL) {
        fail_msg("'%s': message '%s' does not name offset %zu", s, err.msg, offset);
    }
}

static void test_kc_jscan_object_walk(void **state)
{
    (void)state;
    const char *doc = " {\"id\": 42, \"na\\u00efve\\nkey\": \"x\\\"y\", \"nested\": {\"a\": [1, "
                      "{\"b\": null}], \"c\": true}, \"f\": -1.5e2, \"arr\": [\"p\", 2], "
                      "\"z\": false} ";
    struct kc_error err;
    struct kc_jscan js;
    struct kc_jscan_val v;
    const char *key;
    size_t klen;
    enum kc_jscan_kind kind;
    int64_t i;
    double d;
    char buf[16];
    size_t n;

    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
    kc_jscan_begin(&js, doc, strlen(doc), &err);
    assert_int_equal(kc_jscan_peek(&js, &kind), KC_OK);
    assert_int_equal(kind, KC_JSCAN_OBJECT);
    assert_int_equal(kc_jscan_enter(&js), KC_OK);

    /* A plain key points into the document itself (no copy). */
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_true(key > doc && key < doc + strlen(doc));
    assert_int_equal(klen, 2);
    assert_memory_equal(key, "id", 2);
    assert_int_equal(kind, KC_JSCAN_NUMBER);
    assert_int_equal(kc_jscan_value(&js, &v), KC_OK);
    assert_int_equal(v.raw_len, 2);
    assert_int_equal(kc_jscan_val_int64(&js, &v, &i), KC_OK);
    assert_int_equal(i, 42);

    /* An escaped key is decoded into the scratch. */
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_int_equal(klen, strlen("na\xc3\xafve\nkey"));
    assert_memory_equal(key, "na\xc3\xafve\nkey", klen);
    assert_int_equal(kind, KC_JSCAN_STRING);
    assert_int_equal(kc_jscan_value(&js, &v), KC_OK);
    assert_true(v.escaped);
    assert_int_equal(v.raw_len, 6); /* "x\"y" with its quotes */
    assert_int_equal(kc_jscan_val_string(&js, &v, buf, sizeof(buf), &n), KC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(buf, "x\"y");
    assert_int_equal(kc_jscan_val_string(&js, &v, buf, 3, &n), KC_EINVAL); /* no room for NUL */
    assert_int_equal(n, 3);
    assert_int_equal(kc_jscan_val_int64(&js, &v, &i), KC_EINVAL); /* not a number */

    /* A nested object: its raw span, then skipped by value() as a whole. */
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_int_equal(kind, KC_JSCAN_OBJECT);
    assert_int_equal(kc_jscan_value(&js, &v), KC_OK);
    assert_int_equal(v.kind, KC_JSCAN_OBJECT);
    assert_int_equal(v.raw_len, strlen("{\"a\": [1, {\"b\": null}], \"c\": true}"));
    assert_memory_equal(v.raw, "{\"a\": [1, {\"b\": null}], \"c\": true}", v.raw_len);

    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_int_equal(kc_jscan_value(&js, &v), KC_OK);
    assert_int_equal(kc_jscan_val_double(&js, &v, &d), KC_OK);
    assert_true(d == -150.0);
    assert_int_equal(kc_jscan_val_int64(&js, &v, &i), KC_EINVAL); /* a float literal */

    /* Descend into an array by hand. */
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_int_equal(kind, KC_JSCAN_ARRAY);
    assert_int_equal(kc_jscan_enter(&js), KC_OK);
    assert_int_equal(kc_jscan_item_next(&js), 1);
    struct kc_jscan_str s;
    assert_int_equal(kc_jscan_peek(&js, &kind), KC_OK);
    assert_int_equal(kind, KC_JSCAN_STRING);
    assert_int_equal(kc_jscan_string(&js, &s), KC_OK);
    assert_int_equal(s.raw_len, 1);
    assert_int_equal(kc_jscan_item_next(&js), 1);
    struct kc_jscan_num num;
    assert_int_equal(kc_jscan_peek(&js, &kind), KC_OK);
    assert_int_equal(kc_jscan_number(&js, &num), KC_OK);
    assert_int_equal(num.i, 2);
    assert_int_equal(kc_jscan_item_next(&js), 0);

    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_int_equal(kind, KC_JSCAN_FALSE);
    assert_int_equal(kc_jscan_skip(&js), KC_OK);
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 0);
    assert_int_equal(js.depth, 0);
    assert_int_equal(kc_jscan_finish(&js), KC_OK);
    kc_jscan_fini(&js);
}

static void test_kc_jscan_empty_containers(void **state)
{
    (void)state;
    struct kc_error err;
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "{}", 2, &err), KC_OK);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "[ ]", 3, &err), KC_OK);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "{\"a\":{},\"b\":[[]]}", 17, &err), KC_OK);
    /* Empty input has no value: END at the root, an error for skip(). */
    struct kc_jscan js;
    enum kc_jscan_kind kind;
    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
    kc_jscan_begin(&js, "\xEF\xBB\xBF \n", 5, &err);
    assert_int_equal(kc_jscan_peek(&js, &kind), KC_OK);
    assert_int_equal(kind, KC_JSCAN_END);
    kc_jscan_fini(&js);
}

static void test_kc_jscan_malformed_offsets(void **state)
{
    (void)state;
    expect_error(KC_JSCAN_JACKSON, "{\"a\" 1}", "expecting a colon", 5);
    expect_error(KC_JSCAN_JACKSON, "{\"a\":1,}", "double-quote to start field name", 7);
    expect_error(KC_JSCAN_JACKSON, "{\"a\":1 \"b\":2}", "comma to separate Object", 7);
    expect_error(KC_JSCAN_JACKSON, "[1,]", "expected a valid value", 3);
    expect_error(KC_JSCAN_JACKSON, "[1 2]", "comma to separate Array", 3);
    expect_error(KC_JSCAN_JACKSON, "{\"a\":\"x\x01\"}", "control character", 7);
    expect_error(KC_JSCAN_JACKSON, "[\"ab\xC0\xAF\"]", "Invalid UTF-8", 4);     /* overlong */
    expect_error(KC_JSCAN_JACKSON, "[\"\xED\xA0\x80\"]", "Invalid UTF-8", 2);   /* surrogate */
    expect_error(KC_JSCAN_JACKSON, "[\"a\\x\"]", "Unrecognized character escape", 4);
    expect_error(KC_JSCAN_JACKSON, "[\"a\\u12g4\"]", "Invalid \\u escape", 3);
    expect_error(KC_JSCAN_JACKSON, "[\"abc", "end-of-input in a string", 5);
    expect_error(KC_JSCAN_JACKSON, "[tru]", "Unrecognized token", 1);
    expect_error(KC_JSCAN_JACKSON, "[nullx]", "Unrecognized token", 1);
    expect_error(KC_JSCAN_JACKSON, "[-]", "follow minus sign", 2);
    expect_error(KC_JSCAN_JACKSON, "[1.]", "Decimal point", 3);
    expect_error(KC_JSCAN_JACKSON, "[1e+]", "Exponent", 4);
    expect_error(KC_JSCAN_JACKSON, "[+1]", "expected a valid value", 1);
    expect_error(KC_JSCAN_JACKSON, "123abc", "separating root-level", 3);
    expect_error(KC_JSCAN_JACKSON, "{\"a\":[1,2", "comma to separate Array", 9);
}

static void test_kc_jscan_dialects(void **state)
{
    (void)state;
    struct kc_error err;
    /* Jackson ignores what follows the root value; strict allows only white space. */
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, "{} x", 4, &err), KC_OK);
    expect_error(KC_JSCAN_STRICT, "{} x", "Trailing content", 3);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "{} \n", 4, &err), KC_OK);
    /* Leading zeros, BOM, big integers, lone surrogates, \u0000 in keys. */
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, "[007]", 5, &err), KC_OK);
    expect_error(KC_JSCAN_STRICT, "[007]", "Leading zero", 1);
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, "\xEF\xBB\xBF[]", 5, &err), KC_OK);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "\xEF\xBB\xBF[]", 5, &err), KC_EINVAL);
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, "[18446744073709551616]", 22, &err), KC_OK);
    expect_error(KC_JSCAN_STRICT, "[18446744073709551616]", "does not fit 64 bits", 1);
    expect_error(KC_JSCAN_STRICT, "[1e400]", "overflow", 1);
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, "[\"\\ud800\"]", 10, &err), KC_OK);
    expect_error(KC_JSCAN_STRICT, "[\"\\ud800\"]", "Lone surrogate", 2);
    expect_error(KC_JSCAN_STRICT, "[\"\\udc00\"]", "Lone surrogate", 2);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "[\"\\ud83d\\ude00\"]", 16, &err), KC_OK);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 0, "{\"a\":\"\\u0000\"}", 14, &err), KC_OK);
    expect_error(KC_JSCAN_STRICT, "{\"\\u0000\":1}", "\\u0000 in an object key", 2);
}

static void test_kc_jscan_decode(void **state)
{
    (void)state;
    struct kc_error err;
    struct kc_jscan js;
    struct kc_jscan_str s;
    enum kc_jscan_kind kind;
    char out[64];
    const char *doc = "\"a\\/b\\\\c\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\\ud800x\"";
    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
    kc_jscan_begin(&js, doc, strlen(doc), &err);
    assert_int_equal(kc_jscan_peek(&js, &kind), KC_OK);
    assert_int_equal(kc_jscan_string(&js, &s), KC_OK);
    assert_true(s.escaped);
    size_t n = kc_jscan_str_decode(&s, out);
    const char *want = "a/b\\c\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xed\xa0\x80x";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    assert_int_equal(out[n], '\0');
    assert_true(n <= s.raw_len);
    kc_jscan_fini(&js);
}

static void num(enum kc_jscan_dialect d, const char *lit, int is_float, int big, int64_t i,
                double f)
{
    struct kc_error err;
    struct kc_jscan js;
    struct kc_jscan_num n;
    enum kc_jscan_kind kind;
    kc_jscan_init(&js, d, 0);
    kc_jscan_begin(&js, lit, strlen(lit), &err);
    assert_int_equal(kc_jscan_peek(&js, &kind), KC_OK);
    assert_int_equal(kind, KC_JSCAN_NUMBER);
    if (kc_jscan_number(&js, &n) != KC_OK) {
        fail_msg("'%s': %s", lit, err.msg);
    }
    assert_int_equal(n.raw_len, strlen(lit));
    assert_int_equal(n.is_float, is_float);
    assert_int_equal(n.big, big);
    if (is_float) {
        if (!(n.d == f && signbit(n.d) == signbit(f))) {
            fail_msg("'%s': got %.17g, want %.17g", lit, n.d, f);
        }
    } else {
        assert_int_equal(n.i, i);
    }
    kc_jscan_fini(&js);
}

static void test_kc_jscan_numbers(void **state)
{
    (void)state;
    num(KC_JSCAN_JACKSON, "0", 0, 0, 0, 0);
    num(KC_JSCAN_JACKSON, "-9223372036854775808", 0, 0, INT64_MIN, 0);
    num(KC_JSCAN_JACKSON, "9223372036854775807", 0, 0, INT64_MAX, 0);
    num(KC_JSCAN_JACKSON, "9223372036854775808", 0, 1, INT64_MIN, 0); /* low 64 bits */
    num(KC_JSCAN_JACKSON, "18446744073709551617", 0, 1, 1, 0);
    num(KC_JSCAN_JACKSON, "-007", 0, 0, -7, 0);
    num(KC_JSCAN_JACKSON, "-0.0", 1, 0, 0, 0.0);    /* BigDecimal: no negative zero */
    num(KC_JSCAN_STRICT, "-0.0", 1, 0, 0, -0.0);    /* jansson keeps it */
    num(KC_JSCAN_JACKSON, "0.1", 1, 0, 0, 0.1);
    num(KC_JSCAN_JACKSON, "1e23", 1, 0, 0, 1e23);   /* past the exact fast path */
    num(KC_JSCAN_JACKSON, "2.2250738585072011e-308", 1, 0, 0, 2.2250738585072011e-308);
    num(KC_JSCAN_JACKSON, "9007199254740993", 0, 0, 9007199254740993LL, 0);
    num(KC_JSCAN_JACKSON, "9007199254740993.0", 1, 0, 0, 9007199254740992.0); /* ties to even */
    num(KC_JSCAN_JACKSON, "123456789012345678901234567890e-10", 1, 0, 0,
        12345678901234567890.1234567890);
    num(KC_JSCAN_STRICT, "1E+2", 1, 0, 0, 100.0);

    /* A literal over 1000 characters fails (StreamReadConstraints). */
    char big[1100];
    memset(big, '1', sizeof(big) - 3);
    big[0] = '[';
    big[sizeof(big) - 3] = ']';
    big[sizeof(big) - 2] = '\0';
    struct kc_error err;
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, big, strlen(big), &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "maximum allowed (1000)"));

    /* val helpers: int64 only when exact, double for big integers from the literal itself. */
    struct kc_jscan js;
    struct kc_jscan_val v;
    int64_t i;
    double d;
    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
    kc_jscan_begin(&js, "[18446744073709551616]", 22, &err);
    assert_int_equal(kc_jscan_peek(&js, &v.kind), KC_OK);
    kc_jscan_enter(&js);
    assert_int_equal(kc_jscan_item_next(&js), 1);
    assert_int_equal(kc_jscan_value(&js, &v), KC_OK);
    assert_int_equal(kc_jscan_val_int64(&js, &v, &i), KC_EINVAL);
    assert_int_equal(kc_jscan_val_double(&js, &v, &d), KC_OK);
    assert_true(d == 18446744073709551616.0);
    kc_jscan_fini(&js);
}

/* Integers of 1 to 20 digits, each followed by every kind of byte and at every distance from
 * the end of the document: the scanner reads digits eight at a time when 16 bytes are left, one
 * by one otherwise, and both must give the same answers. */
static void test_kc_jscan_integer_widths(void **state)
{
    (void)state;
    static const char *const tails[] = {"",       ",7",      " ",        ".25",
                                        ".0",     ".000123", ".5000001", ".123456789012345678",
                                        ".9e2",   "e2",      "E-1",      "x",
                                        "\x80"};
    char digits[24], doc[96];
    unsigned seed = 12345;
    for (int nd = 1; nd <= 20; nd++) {
        for (int trial = 0; trial < 40; trial++) {
            for (int i = 0; i < nd; i++) {
                seed = seed * 1103515245u + 12345u;
                digits[i] = (char)('0' + (seed >> 16) % 10);
            }
            if (digits[0] == '0' && nd > 1) {
                digits[0] = '1' + (char)(trial % 9); /* leading zeros: below */
            }
            digits[nd] = '\0';
            unsigned __int128 want = 0;
            for (int i = 0; i < nd; i++) {
                want = want * 10 + (unsigned)(digits[i] - '0');
            }
            for (size_t t = 0; t < sizeof(tails) / sizeof(tails[0]); t++) {
                for (int pad = 0; pad < 18; pad++) {
                    /* "[<digits><tail>" then pad spaces and "]": the number ends pad+1 bytes
                     * (plus the tail) before the end */
                    const char *sign = trial % 2 ? "-" : "";
                    int n = snprintf(doc, sizeof(doc), "[%s%s%s%*s]", sign, digits, tails[t], pad,
                                     "");
                    struct kc_error err;
                    struct kc_jscan js;
                    struct kc_jscan_tok tok;
                    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
                    kc_jscan_begin(&js, doc, (size_t)n, &err);
                    assert_int_equal(kc_jscan_next(&js, &tok), KC_OK);
                    assert_int_equal(tok.kind, KC_JSCAN_ARRAY);
                    assert_int_equal(kc_jscan_item(&js, &tok), 1);
                    assert_int_equal(tok.kind, KC_JSCAN_NUMBER);
                    const char *tl = tails[t];
                    int fl = tl[0] == '.' || tl[0] == 'e' || tl[0] == 'E';
                    assert_int_equal(tok.u.n.is_float, fl);
                    assert_int_equal(tok.u.n.raw_len,
                                     strlen(sign) + strlen(digits) + (fl ? strlen(tl) : 0));
                    if (fl) {
                        char lit[48];
                        snprintf(lit, sizeof(lit), "%s%s%s", sign, digits, tl);
                        assert_true(tok.u.n.d == strtod(lit, NULL));
                    } else if (*sign) {
                        assert_int_equal(tok.u.n.big, want > (unsigned __int128)INT64_MAX + 1);
                        assert_int_equal((uint64_t)tok.u.n.i, (uint64_t)0 - (uint64_t)want);
                    } else {
                        assert_int_equal(tok.u.n.big, want > (unsigned __int128)INT64_MAX);
                        assert_int_equal((uint64_t)tok.u.n.i, (uint64_t)want);
                    }
                    kc_jscan_fini(&js);
                }
            }
        }
    }
    /* leading zeros: Jackson reads them, the strict dialect refuses them, wherever they are */
    for (int pad = 0; pad < 18; pad++) {
        char d2[64];
        int n = snprintf(d2, sizeof(d2), "[0000000000000012345%*s]", pad, "");
        struct kc_error err;
        struct kc_jscan js;
        struct kc_jscan_tok tok;
        kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
        kc_jscan_begin(&js, d2, (size_t)n, &err);
        assert_int_equal(kc_jscan_next(&js, &tok), KC_OK);
        assert_int_equal(kc_jscan_item(&js, &tok), 1);
        assert_int_equal(tok.u.n.i, 12345);
        kc_jscan_fini(&js);
        kc_jscan_init(&js, KC_JSCAN_STRICT, 0);
        kc_jscan_begin(&js, d2, (size_t)n, &err);
        assert_int_equal(kc_jscan_next(&js, &tok), KC_OK);
        assert_int_equal(kc_jscan_item(&js, &tok), KC_EINVAL);
        assert_non_null(strstr(err.msg, "Leading zero"));
        kc_jscan_fini(&js);
    }
}

/* A string of 0 to 40 plain bytes with one special piece at every position, at every distance
 * from the end of the document: the scanner reads 16, then 8 bytes at a time while that many
 * are left and bytes one by one after, and each way must find the same piece. */
static void test_kc_jscan_string_pieces(void **state)
{
    (void)state;
    static const struct {
        const char *piece;
        int escaped;
        const char *error; /* NULL: valid */
    } pieces[] = {
        {"\\n", 1, NULL},
        {"\\u00e9", 1, NULL},
        {"\xC3\xA9", 0, NULL},         /* é */
        {"\xF0\x9F\x98\x80", 0, NULL}, /* an emoji */
        {"\x01", 0, "control character"},
        {"\x7F", 0, NULL},             /* DEL is not a control character to JSON */
        {"\xFF", 0, "Invalid UTF-8"},
        {"\xC0\xAF", 0, "Invalid UTF-8"},
        {"\\q", 0, "Unrecognized character escape"},
    };
    char doc[128];
    for (size_t pc = 0; pc < sizeof(pieces) / sizeof(pieces[0]); pc++) {
        for (int len = 0; len <= 40; len++) {
            for (int at = 0; at <= len; at++) {
                for (int pad = 0; pad < 18; pad += 5) {
                    int n = snprintf(doc, sizeof(doc), "[\"%.*s%s%.*s\"%*s]", at,
                                     "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH", pieces[pc].piece,
                                     len - at, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh", pad,
                                     "");
                    struct kc_error err;
                    struct kc_jscan js;
                    struct kc_jscan_tok tok;
                    kc_error_clear(&err);
                    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
                    kc_jscan_begin(&js, doc, (size_t)n, &err);
                    assert_int_equal(kc_jscan_next(&js, &tok), KC_OK);
                    int r = kc_jscan_item(&js, &tok);
                    size_t plen = strlen(pieces[pc].piece);
                    if (pieces[pc].error == NULL) {
                        assert_int_equal(r, 1);
                        assert_int_equal(tok.kind, KC_JSCAN_STRING);
                        assert_int_equal(tok.u.s.raw_len, (size_t)len + plen);
                        assert_int_equal(tok.u.s.escaped, pieces[pc].escaped);
                        assert_int_equal(kc_jscan_item(&js, &tok), 0);
                    } else {
                        char want[48];
                        /* the piece starts after '[', '"' and `at` bytes (an escape is named
                         * at its letter) */
                        size_t off = 2 + (size_t)at + (pieces[pc].piece[0] == '\\' ? 1 : 0);
                        snprintf(want, sizeof(want), "at offset %zu ", off);
                        assert_int_equal(r, KC_EINVAL);
                        if (strstr(err.msg, pieces[pc].error) == NULL ||
                            strstr(err.msg, want) == NULL) {
                            fail_msg("piece %zu len %d at %d: '%s'", pc, len, at, err.msg);
                        }
                    }
                    kc_jscan_fini(&js);
                }
            }
        }
    }
}

static void test_kc_jscan_depth(void **state)
{
    (void)state;
    struct kc_error err;
    char doc[2 * 1001 + 2];
    /* 1000 levels (the root is level 1) pass; a scalar at level 1001 does not. */
    memset(doc, '[', 1000);
    memset(doc + 1000, ']', 1000);
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, doc, 2000, &err), KC_OK);
    memset(doc, '[', 1000);
    doc[1000] = '1';
    memset(doc + 1001, ']', 1000);
    assert_int_equal(scan_all(KC_JSCAN_JACKSON, 0, doc, 2001, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "nesting depth"));
    assert_non_null(strstr(err.msg, "offset 1000"));
    /* A custom limit. */
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 3, "[[[]]]", 6, &err), KC_OK);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 3, "[[[[]]]]", 8, &err), KC_EINVAL);
    assert_int_equal(scan_all(KC_JSCAN_STRICT, 3, "{\"a\":{\"b\":{\"c\":1}}}", 19, &err),
                     KC_EINVAL);
}

/* Begin doc, which must be an object, and enter it. */
static void enter_object(struct kc_jscan *js, const char *doc, struct kc_error *err)
{
    enum kc_jscan_kind kind;
    kc_jscan_begin(js, doc, strlen(doc), err);
    assert_int_equal(kc_jscan_peek(js, &kind), KC_OK);
    assert_int_equal(kind, KC_JSCAN_OBJECT);
    kc_jscan_enter(js);
}

static void test_kc_jscan_key_scratch_oom(void **state)
{
    (void)state;
    struct kc_error err;
    struct kc_jscan js;
    const char *key;
    size_t klen;
    enum kc_jscan_kind kind;
    const char *doc = "{\"\\u0041bc\":1}";
    kc_jscan_init(&js, KC_JSCAN_JACKSON, 0);
    enter_object(&js, doc, &err);
    kc_alloc_fail_after(0);
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), KC_ENOMEM);
    kc_alloc_fail_after(-1);
    enter_object(&js, doc, &err);
    assert_int_equal(kc_jscan_object_next(&js, &key, &klen, &kind), 1);
    assert_int_equal(klen, 3);
    assert_memory_equal(key, "Abc", 3);
    kc_jscan_fini(&js);
}

/* key's first 16 bytes zero-padded as two words, the way kc_jscan_member_if's callers give them */
static void key_words16(const char *key, uint64_t *w0, uint64_t *w1)
{
    char buf[16] = {0};
    size_t n = strlen(key);
    memcpy(buf, key, n < 16 ? n : 16);
    memcpy(w0, buf, 8);
    memcpy(w1, buf + 8, 8);
}

/* kc_jscan_member_if on the member the scanner is at: its answer, and with 1 the key and the
 * value's token kind checked. */
static int member_if(struct kc_jscan *js, const char *key, enum kc_jscan_kind kind)
{
    uint64_t w0, w1;
    struct kc_jscan_str k;
    struct kc_jscan_tok t;
    key_words16(key, &w0, &w1);
    const unsigned char *before = js->p;
    int first = js->first;
    int r = kc_jscan_member_if(js, key, strlen(key), w0, w1, &k, &t);
    if (r == 0) {
        /* nothing consumed, so that kc_jscan_member can read the member instead */
        assert_ptr_equal(js->p, before);
        assert_int_equal(js->first, first);
    } else if (r == 1) {
        assert_int_equal(k.raw_len, strlen(key));
        assert_memory_equal(k.raw, key, k.raw_len);
        assert_int_equal(k.escaped, 0);
        assert_int_equal(t.kind, kind);
    }
    return r;
}

static void test_kc_jscan_member_if(void **state)
{
    (void)state;
    /* the padding keeps the 16-byte reads of the short documents inside the buffer */
    const char *doc = "{\"user_id\":7,\"a_key_longer_than_16\":\"v\",\"dev\":true,\"device\":1, "
                      "\"s\\u0041\":2,\"x\":[1],\"n\":null}                ";
    struct kc_error err;
    struct kc_jscan js;
    struct kc_jscan_str k;
    struct kc_jscan_tok t;
    kc_jscan_init(&js, KC_JSCAN_STRICT, 0);
    enter_object(&js, doc, &err);
    /* another key, or a key that is only the start of the one there: not taken */
    assert_int_equal(member_if(&js, "user", KC_JSCAN_NUMBER), 0);
    assert_int_equal(member_if(&js, "user_id_", KC_JSCAN_NUMBER), 0);
    assert_int_equal(member_if(&js, "user_id", KC_JSCAN_NUMBER), 1);
    /* past 16 bytes the rest of the key is compared too */
    assert_int_equal(member_if(&js, "a_key_longer_than_17", KC_JSCAN_STRING), 0);
    assert_int_equal(member_if(&js, "a_key_longer_than_16", KC_JSCAN_STRING), 1);
    /* "dev" then "device": each only where it is */
    assert_int_equal(member_if(&js, "device", KC_JSCAN_TRUE), 0);
    assert_int_equal(member_if(&js, "dev", KC_JSCAN_TRUE), 1);
    assert_int_equal(member_if(&js, "device", KC_JSCAN_NUMBER), 1);
    /* white space before the member: the general call reads it */
    assert_int_equal(member_if(&js, "sA", KC_JSCAN_NUMBER), 0);
    assert_int_equal(kc_jscan_member(&js, &k, &t), 1);
    assert_int_equal(k.escaped, 1); /* "s\u0041": an escaped key is never matched raw */
    /* a container value is entered, as kc_jscan_member enters it */
    assert_int_equal(member_if(&js, "x", KC_JSCAN_ARRAY), 1);
    assert_int_equal(kc_jscan_item(&js, &t), 1);
    assert_int_equal(kc_jscan_item(&js, &t), 0);
    assert_int_equal(member_if(&js, "n", KC_JSCAN_NULL), 1);
    /* the object's end is the general call's */
    assert_int_equal(member_if(&js, "user_id", KC_JSCAN_NUMBER), 0);
    assert_int_equal(kc_jscan_member(&js, &k, &t), 0);

    /* a bad value after a matching key: an error, as kc_jscan_member gives it */
    const char *bad = "{\"k\":tru}                    ";
    enter_object(&js, bad, &err);
    assert_true(member_if(&js, "k", KC_JSCAN_TRUE) < 0);
    assert_non_null(strstr(err.msg, "offset 5"));

    /* too near the end of the text for the whole-word compare: left to the general call */
    const char *tight = "{\"k\":1}";
    enter_object(&js, tight, &err);
    assert_int_equal(member_if(&js, "k", KC_JSCAN_NUMBER), 0);
    assert_int_equal(kc_jscan_member(&js, &k, &t), 1);
    assert_int_equal(kc_jscan_member(&js, &k, &t), 0);
    kc_jscan_fini(&js);

    assert_true(kc_jscan_plain_key("user_id", 7));
    assert_true(kc_jscan_plain_key("", 0));
    assert_false(kc_jscan_plain_key("a\"b", 3));
    assert_false(kc_jscan_plain_key("a\\b", 3));
    assert_false(kc_jscan_plain_key("a\nb", 3));
    assert_false(kc_jscan_plain_key("caf\xc3\xa9", 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kc_jscan_object_walk),
        cmocka_unit_test(test_kc_jscan_empty_containers),
        cmocka_unit_test(test_kc_jscan_malformed_offsets),
        cmocka_unit_test(test_kc_jscan_dialects),
        cmocka_unit_test(test_kc_jscan_decode),
        cmocka_unit_test(test_kc_jscan_numbers),
        cmocka_unit_test(test_kc_jscan_integer_widths),
        cmocka_unit_test(test_kc_jscan_string_pieces),
        cmocka_unit_test(test_kc_jscan_depth),
        cmocka_unit_test(test_kc_jscan_key_scratch_oom),
        cmocka_unit_test(test_kc_jscan_member_if),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
