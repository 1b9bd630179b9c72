/*
 * base/kc_text.h: small text helpers the decoders share: the value of a hex digit (JSON
 * \u escapes, properties \uXXXX escapes, URL %XX escapes), Java's integer parsing, and strict
 * UTF-8 validation.
 */
#ifndef KC_TEXT_H
#define KC_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else (c as an unsigned char value). */
/* a[0..n) == b[0..n), without a call for the short keys, names and partitions it mostly sees
 * (whole words, the last one overlapping). */
static inline int kc_mem_eq(const void *a, const void *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    if (n >= 8) {
        if (n > 32) {
            return memcmp(x, y, n) == 0;
        }
        uint64_t u, v;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&u, x + i, 8);
            memcpy(&v, y + i, 8);
            if (u != v) {
                return 0;
            }
        }
        if (i < n) {
            memcpy(&u, x + n - 8, 8);
            memcpy(&v, y + n - 8, 8);
            return u == v;
        }
        return 1;
    }
    if (n >= 4) {
        uint32_t u, v, s, t;
        memcpy(&u, x, 4);
        memcpy(&v, y, 4);
        memcpy(&s, x + n - 4, 4);
        memcpy(&t, y + n - 4, 4);
        return u == v && s == t;
    }
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            return 0;
        }
    }
    return 1;
}

static inline int kc_hexval(unsigned c)
{
    if (c >= '0' && c <= '9') {
        return (int)(c - '0');
    }
    c |= 0x20;
    if (c >= 'a' && c <= 'f') {
        return (int)(c - 'a' + 10);
    }
    return -1;
}

/* The value of a base64 digit: 0..63 for the standard alphabet ('+', '/'), and for the URL-safe
 * one too ('-', '_') when url_safe is set; -1 for anything else (padding included). */
static inline int kc_b64val(unsigned c, int url_safe)
{
    if (c >= 'A' && c <= 'Z') {
        return (int)(c - 'A');
    }
    if (c >= 'a' && c <= 'z') {
        return (int)(c - 'a' + 26);
    }
    if (c >= '0' && c <= '9') {
        return (int)(c - '0' + 52);
    }
    if (c == '+' || (url_safe && c == '-')) {
        return 62;
    }
    if (c == '/' || (url_safe && c == '_')) {
        return 63;
    }
    return -1;
}

/*
 * Integer.parseInt / Long.parseLong on the n bytes at s: an optional sign, then ASCII digits
 * only (no spaces, no empty digits), the value within [lo, hi]. 0 and *out set, or -1.
 */
int kc_parse_java_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out);

/* 1 if p[0..len) is strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF
 * (plain ASCII is checked eight bytes at a time). */
int kc_utf8_valid(const void *p, size_t len);

struct kc_buf;
/* Base64 of s[0..n) into out (reset first): the standard alphabet, and the URL-safe one too
 * when url_safe is set; '=' padding optional. @return 0, -1 (not base64), -2 (out of memory) */
int kc_b64_decode(const char *s, size_t n, int url_safe, struct kc_buf *out);

/* java.util.Base64.getEncoder() of p[0..n): the standard alphabet, '=' padded, no line breaks.
 * Writes KC_B64_LEN(n) characters at out (no NUL) and returns that count. */
#define KC_B64_LEN(n) (((n) + 2) / 3 * 4)
size_t kc_b64_encode(const void *p, size_t n, char *out);
/* The same appended to out. @return KC_OK or KC_ENOMEM */
int kc_b64_append(struct kc_buf *out, const void *p, size_t n);

/* Code point cp (at most U+10FFFF) as UTF-8 at o (room for 4 bytes); returns the byte count. */
size_t kc_utf8_put(unsigned char *o, uint32_t cp);

#endif
