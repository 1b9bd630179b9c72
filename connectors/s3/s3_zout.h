/*
 * connectors/s3/s3_zout.h: a compressed stream into an S3 object, for the JSON output formats
 * (Confluent's s3.compression.type=gzip, Aiven's file.compression.type gzip, zstd or snappy):
 * one gzip member (zlib, as GZIPOutputStream writes), one zstd frame (as ZstdOutputStream
 * writes) or one snappy-java stream (as org.xerial.snappy.SnappyOutputStream writes: a 16-byte
 * header, "\x82SNAPPY\0" and the format versions 1 and 1 as big-endian int32s, then per 32 KiB
 * of input a big-endian int32 length and that block in Snappy's raw format), begun when the
 * file opens and ended when it is committed. Parquet compresses its own pages.
 *
 * Memory: the compressor's state lives as long as the open file (gzip ~256 KiB at the default
 * window, zstd a few hundred KiB at low levels): s3_zout_footprint reports it, so the sink's byte
 * budget counts it like any other open file's buffers.
 *
 * @thread caller: one stream per open file, on the task thread.
 */
#ifndef S3_ZOUT_H
#define S3_ZOUT_H

#include <stddef.h>

#include "kc_error.h"
#include "s3_store.h"

enum s3_zcodec { S3_Z_NONE = 0, S3_Z_GZIP, S3_Z_ZSTD, S3_Z_SNAPPY };

struct s3_zout;

/* level: gzip -1 (zlib's default, 6) or 0..9; zstd 0 (its default, 3) or 1..22; snappy 0.
 * out (OUT): owned. KC_EINVAL for a level the codec refuses, KC_ENOMEM. */
int s3_zout_new(enum s3_zcodec codec, int level, struct s3_zout **out, struct kc_error *err);
/* Compress buf into o (written as the compressor's output fills). */
int s3_zout_write(struct s3_zout *z, struct s3_object *o, const void *buf, size_t len,
                  struct kc_error *err);
/* End the stream (trailer, checksum) into o; no write after this. */
int s3_zout_finish(struct s3_zout *z, struct s3_object *o, struct kc_error *err);
/* Heap the stream holds. Accepts NULL (0). */
size_t s3_zout_footprint(const struct s3_zout *z);
/* Accepts NULL. */
void s3_zout_free(struct s3_zout *z);

#endif
