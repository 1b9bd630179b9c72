/*
 * worker/group_codec.c: Kafka protocol primitive types, see group_codec.h.
 */
#include "group_codec.h"

#include <string.h>

#include "kc_alloc.h"

#define GROUP_CODEC_MSG_MAX (64u * 1024 * 1024) /* no group message comes near this */

void group_codec_w_init(struct group_codec_w *w)
{
    kc_buf_init(&w->b, GROUP_CODEC_MSG_MAX);
    w->rc = KC_OK;
}

void group_codec_w_fini(struct group_codec_w *w)
{
    kc_buf_fini(&w->b);
}

static void put(struct group_codec_w *w, const void *p, size_t n)
{
    if (w->rc == KC_OK && n > 0)
        w->rc = kc_buf_append(&w->b, p, n);
}

void group_codec_put_i8(struct group_codec_w *w, int8_t v)
{
    put(w, &v, 1);
}

void group_codec_put_i16(struct group_codec_w *w, int16_t v)
{
    uint16_t u = (uint16_t)v;
    uint8_t b[2] = {(uint8_t)(u >> 8), (uint8_t)u};
    put(w, b, 2);
}

void group_codec_put_i32(struct group_codec_w *w, int32_t v)
{
    uint32_t u = (uint32_t)v;
    uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    put(w, b, 4);
}

void group_codec_put_i64(struct group_codec_w *w, int64_t v)
{
    group_codec_put_i32(w, (int32_t)((uint64_t)v >> 32));
    group_codec_put_i32(w, (int32_t)(uint32_t)v);
}

void group_codec_put_uvarint(struct group_codec_w *w, uint32_t v)
{
    uint8_t b[5];
    size_t n = 0;
    while (v >= 0x80) {
        b[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b[n++] = (uint8_t)v;
    put(w, b, n);
}

void group_codec_put_str(struct group_codec_w *w, const char *s, int compact)
{
    size_t n = s ? strlen(s) : 0;
    if (compact) {
        group_codec_put_uvarint(w, s ? (uint32_t)n + 1 : 0);
    } else if (n > INT16_MAX) {
        w->rc = KC_EINVAL;
        return;
    } else {
        group_codec_put_i16(w, s ? (int16_t)n : -1);
    }
    if (s)
        put(w, s, n);
}

void group_codec_put_bytes(struct group_codec_w *w, const void *p, size_t n, int compact)
{
    if (compact) {
        group_codec_put_uvarint(w, p ? (uint32_t)n + 1 : 0);
    } else {
        group_codec_put_i32(w, p ? (int32_t)n : -1);
    }
    if (p)
        put(w, p, n);
}

void group_codec_put_array_len(struct group_codec_w *w, int32_t n, int compact)
{
    if (compact)
        group_codec_put_uvarint(w, n < 0 ? 0 : (uint32_t)n + 1);
    else
        group_codec_put_i32(w, n);
}

void group_codec_put_tags(struct group_codec_w *w)
{
    group_codec_put_uvarint(w, 0);
}

void group_codec_patch_i32(struct group_codec_w *w, size_t off, int32_t v)
{
    if (w->rc != KC_OK || off + 4 > w->b.len)
        return;
    uint32_t u = (uint32_t)v;
    uint8_t *d = (uint8_t *)w->b.data + off;
    d[0] = (uint8_t)(u >> 24);
    d[1] = (uint8_t)(u >> 16);
    d[2] = (uint8_t)(u >> 8);
    d[3] = (uint8_t)u;
}

void group_codec_r_init(struct group_codec_r *r, const void *p, size_t n)
{
    r->p = p;
    r->n = n;
    r->off = 0;
    r->bad = 0;
}

size_t group_codec_left(const struct group_codec_r *r)
{
    return r->bad ? 0 : r->n - r->off;
}

static const uint8_t *take(struct group_codec_r *r, size_t n)
{
    if (r->bad || r->n - r->off < n) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *p = r->p + r->off;
    r->off += n;
    return p;
}

int8_t group_codec_get_i8(struct group_codec_r *r)
{
    const uint8_t *p = take(r, 1);
    return p ? (int8_t)p[0] : 0;
}

int16_t group_codec_get_i16(struct group_codec_r *r)
{
    const uint8_t *p = take(r, 2);
    return p ? (int16_t)(uint16_t)((p[0] << 8) | p[1]) : 0;
}

int32_t group_codec_get_i32(struct group_codec_r *r)
{
    const uint8_t *p = take(r, 4);
    if (!p)
        return 0;
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
                     (uint32_t)p[3]);
}

int64_t group_codec_get_i64(struct group_codec_r *r)
{
    uint32_t hi = (uint32_t)group_codec_get_i32(r);
    uint32_t lo = (uint32_t)group_codec_get_i32(r);
    return (int64_t)(((uint64_t)hi << 32) | lo);
}

uint32_t group_codec_get_uvarint(struct group_codec_r *r)
{
    uint32_t v = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
        const uint8_t *p = take(r, 1);
        if (!p)
            return 0;
        v |= (uint32_t)(p[0] & 0x7f) << shift;
        if (!(p[0] & 0x80))
            return v;
    }
    r->bad = 1;
    return 0;
}

/* Length of a string (INT16) or bytes (INT32) or compact (uvarint n+1); -1 = null. */
static int64_t get_len(struct group_codec_r *r, int compact, int wide)
{
    if (compact)
        return (int64_t)group_codec_get_uvarint(r) - 1;
    return wide ? group_codec_get_i32(r) : group_codec_get_i16(r);
}

char *group_codec_get_str(struct group_codec_r *r, int compact)
{
    int64_t n = get_len(r, compact, 0);
    if (r->bad || n < 0)
        return NULL;
    const uint8_t *p = take(r, (size_t)n);
    if (!p)
        return NULL;
    char *s = kc_strndup((const char *)p, (size_t)n);
    if (!s)
        r->bad = 1;
    return s;
}

const uint8_t *group_codec_get_bytes(struct group_codec_r *r, int32_t *len, int compact)
{
    int64_t n = get_len(r, compact, 1);
    *len = -1;
    if (r->bad || n < 0)
        return NULL;
    const uint8_t *p = take(r, (size_t)n);
    if (p)
        *len = (int32_t)n;
    return p;
}

int32_t group_codec_get_array_len(struct group_codec_r *r, int compact)
{
    int64_t n = get_len(r, compact, 1);
    if (r->bad)
        return -1;
    if (n < -1 || (n > 0 && (uint64_t)n > r->n - r->off)) { /* every element is >= 1 byte */
        r->bad = 1;
        return -1;
    }
    return (int32_t)n;
}

void group_codec_skip_tags(struct group_codec_r *r)
{
    uint32_t n = group_codec_get_uvarint(r);
    for (uint32_t i = 0; i < n && !r->bad; i++) {
        (void)group_codec_get_uvarint(r);
        uint32_t sz = group_codec_get_uvarint(r);
        (void)take(r, sz);
    }
}
