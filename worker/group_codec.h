/*
 * worker/group_codec.h: Kafka protocol primitive types (big-endian INT8..INT64, STRING,
 * NULLABLE_BYTES, ARRAY, and the flexible versions' UNSIGNED_VARINT, COMPACT_* and tagged
 * fields) over a kc_buf writer and a bounds-checked reader. Errors are sticky: check once at the
 * end.
 */
#ifndef GROUP_CODEC_H
#define GROUP_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "kc_buf.h"

struct group_codec_w {
    struct kc_buf b;
    int rc; /* KC_OK until an append fails */
};

struct group_codec_r {
    const uint8_t *p;
    size_t n, off;
    int bad; /* 1 once a read ran past the end or met a malformed length */
};

void group_codec_w_init(struct group_codec_w *w);
void group_codec_w_fini(struct group_codec_w *w);
void group_codec_put_i8(struct group_codec_w *w, int8_t v);
void group_codec_put_i16(struct group_codec_w *w, int16_t v);
void group_codec_put_i32(struct group_codec_w *w, int32_t v);
void group_codec_put_i64(struct group_codec_w *w, int64_t v);
void group_codec_put_uvarint(struct group_codec_w *w, uint32_t v);
/* STRING / NULLABLE_STRING (NULL → -1), or COMPACT_ when compact. */
void group_codec_put_str(struct group_codec_w *w, const char *s, int compact);
/* BYTES / NULLABLE_BYTES (p NULL → -1), or COMPACT_ when compact. */
void group_codec_put_bytes(struct group_codec_w *w, const void *p, size_t n, int compact);
/* ARRAY length (n < 0 → null), or COMPACT_ARRAY length. */
void group_codec_put_array_len(struct group_codec_w *w, int32_t n, int compact);
/* An empty tagged-field section (flexible versions only). */
void group_codec_put_tags(struct group_codec_w *w);
/* Overwrite 4 bytes at off (the size prefix). */
void group_codec_patch_i32(struct group_codec_w *w, size_t off, int32_t v);

void group_codec_r_init(struct group_codec_r *r, const void *p, size_t n);
int8_t group_codec_get_i8(struct group_codec_r *r);
int16_t group_codec_get_i16(struct group_codec_r *r);
int32_t group_codec_get_i32(struct group_codec_r *r);
int64_t group_codec_get_i64(struct group_codec_r *r);
uint32_t group_codec_get_uvarint(struct group_codec_r *r);
/* Owned copy (kc_free) of a (nullable) string; NULL for null or on error (check r->bad). */
char *group_codec_get_str(struct group_codec_r *r, int compact);
/* Borrowed pointer into the buffer; *len = -1 for null. */
const uint8_t *group_codec_get_bytes(struct group_codec_r *r, int32_t *len, int compact);
/* Array length, -1 for null; marks bad when the count cannot fit the remaining bytes. */
int32_t group_codec_get_array_len(struct group_codec_r *r, int compact);
/* Skip a tagged-field section. */
void group_codec_skip_tags(struct group_codec_r *r);
/* Bytes left to read. */
size_t group_codec_left(const struct group_codec_r *r);

#endif
