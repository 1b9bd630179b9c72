/*
 * base/kc_text.c: Java's integer parsing (see kc_text.h).
 */
#include "kc_text.h"

int kc_parse_java_int(const char *s, size_t n, int64_t lo, int64_t hi, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t acc = 0;

    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) {
        return -1;
    }
    /* the magnitude may reach 2^63 for a negative value, 2^63 - 1 for a positive one */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (limit - d) / 10) {
            return -1;
        }
        acc = acc * 10 + d;
    }
    int64_t v = !neg ? (int64_t)acc : acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    if (v < lo || v > hi) {
        return -1;
    }
    *out = v;
    return 0;
}
