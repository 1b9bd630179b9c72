/*
 * base/kc_buf.c: the capped growable buffer. Growth doubles; the cap is checked before
 * any allocation so a hostile input cannot make us allocate past it.
 */
#include "kc_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kc_alloc.h"

void kc_buf_init(struct kc_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

void kc_buf_fini(struct kc_buf *b)
{
    if (b != NULL) {
        kc_free(b->data);
        b->data = NULL;
        b->len = 0;
        b->cap = 0;
    }
}

void kc_buf_reset(struct kc_buf *b)
{
    b->len = 0;
    if (b->data != NULL) {
        b->data[0] = '\0';
    }
}

int kc_buf_reserve(struct kc_buf *b, size_t n)
{
    if (n > b->limit || b->len > b->limit - n) {
        kc_buf_fini(b);
        return KC_ENOMEM;
    }
    size_t need = b->len + n + 1;
    if (need <= b->cap) {
        return KC_OK;
    }
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    char *p = kc_realloc(b->data, ncap);
    if (p == NULL) {
        kc_buf_fini(b);
        return KC_ENOMEM;
    }
    b->data = p;
    b->cap = ncap;
    return KC_OK;
}

int kc_buf_append_slow(struct kc_buf *b, const void *p, size_t n)
{
    if (kc_buf_reserve(b, n) != KC_OK) {
        return KC_ENOMEM;
    }
    if (n > 0) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return KC_OK;
}

int kc_buf_append_str(struct kc_buf *b, const char *s)
{
    return kc_buf_append(b, s, strlen(s));
}

int kc_buf_printf(struct kc_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || kc_buf_reserve(b, (size_t)n) != KC_OK) {
        return KC_ENOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return KC_OK;
}

char *kc_buf_take(struct kc_buf *b, size_t *len_out)
{
    char *d = b->data;
    if (len_out != NULL) {
        *len_out = b->len;
    }
    if (d == NULL) {
        d = kc_strdup("");
    }
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return d;
}
