/*
 * worker/base/kc_hex.h: the value of one hexadecimal digit, for the decoders of JSON \u escapes,
 * properties \uXXXX escapes and URL %XX escapes.
 */
#ifndef KC_HEX_H
#define KC_HEX_H

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

#endif
