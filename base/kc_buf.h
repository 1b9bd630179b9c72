/*
 * base/kc_buf.h: growable byte buffer with a hard cap (curl's dynbuf). On any failure
 * (cap reached or out of memory) the buffer frees its contents and stays empty-but-usable, so
 * error paths have nothing left to release. The data is always NUL-terminated after len.
 */
#ifndef KC_BUF_H
#define KC_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kc_error.h"

struct kc_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;   /* allocated bytes */
    size_t limit; /* hard cap on len */
};

void kc_buf_init(struct kc_buf *b, size_t limit);
void kc_buf_fini(struct kc_buf *b);
/* Forget the contents but keep the allocation. */
void kc_buf_reset(struct kc_buf *b);
/* KC_OK, or KC_ENOMEM (out of memory or past limit; the buffer is then emptied and freed). */
int kc_buf_append_slow(struct kc_buf *b, const void *p, size_t n);
/* Inline when the bytes fit the allocation (the writers' per-value appends: no call, and a
 * constant n becomes a plain store); else kc_buf_append_slow grows the buffer. */
static inline int kc_buf_append(struct kc_buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && b->len + n <= b->limit) { /* room for the bytes and the NUL */
        if (n > 0) { /* p may be NULL then */
            memcpy(b->data + b->len, p, n);
        }
        b->len += n;
        b->data[b->len] = '\0';
        return KC_OK;
    }
    return kc_buf_append_slow(b, p, n);
}
int kc_buf_append_str(struct kc_buf *b, const char *s);
static inline int kc_buf_append_byte(struct kc_buf *b, uint8_t c)
{
    return kc_buf_append(b, &c, 1);
}
int kc_buf_printf(struct kc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Make room for n more bytes without changing len. */
int kc_buf_reserve(struct kc_buf *b, size_t n);
/* Hand the data to the caller (owned, free with kc_free) and reset the buffer. */
char *kc_buf_take(struct kc_buf *b, size_t *len_out);

#endif
