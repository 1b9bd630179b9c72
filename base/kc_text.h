/*
 * base/kc_text.h: small text helpers the decoders share: the value of a hex digit (JSON
 * \u escapes, properties \uXXXX escapes, URL %XX escapes) and Java's integer parsing.
 */
#ifndef KC_TEXT_H
#define KC_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* 0..15 for '0'-'9', 'a'-'f', 'A'-'F'; -1 for anything else (c as an unsigned char value). */
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

/*
 * Integer.parseInt / Long.parseLong on the n bytes at s: an optional sign, then ASCII digits
 * only (no spaces, no empty digits), the value within [lo, hi]. 0 and *out set, or -1.
 */
int kc_parse_java_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out);

#endif
