/*
 * connectors/parquet/parquet_codec.c: page compression through Debian's libraries: snappy
 * (raw snappy blocks), gzip (zlib with a gzip wrapper, as parquet-mr writes it), zstd (one
 * frame per page) and LZ4_RAW (an LZ4 block without framing; the older "LZ4" codec id means
 * Hadoop framing and is not written).
 *
 * Output always goes to a caller's kc_buf sized from the codec's worst-case bound first, so a
 * page compresses in one call and the buffer's cap bounds memory.
 */
#include <lz4.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "kc_alloc.h"
#include "parquet_int.h"

static voidpf zalloc_kc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return kc_calloc(items, size);
}

static void zfree_kc(voidpf opaque, voidpf p)
{
    (void)opaque;
    kc_free(p);
}

static int compress_gzip(int level, const void *in, size_t n, struct kc_buf *out,
                         struct kc_error *err)
{
    z_stream zs;
    int zrc;
    int rc = KC_OK;

    memset(&zs, 0, sizeof(zs));
    zs.zalloc = zalloc_kc;
    zs.zfree = zfree_kc;
    if (n > UINT32_MAX / 2) {
        return kc_error_set(err, KC_EINVAL, "parquet: page too large for gzip");
    }
    zrc = deflateInit2(&zs, level > 0 ? level : 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        return kc_error_set(err, KC_ENOMEM, "parquet: gzip init failed (%d)", zrc);
    }
    size_t bound = deflateBound(&zs, (uLong)n);
    if (kc_buf_reserve(out, bound) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "parquet: out of memory compressing a page");
        goto out;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    zs.next_out = (Bytef *)out->data;
    zs.avail_out = (uInt)bound;
    zrc = deflate(&zs, Z_FINISH);
    if (zrc != Z_STREAM_END) {
        rc = kc_error_set(err, zrc == Z_MEM_ERROR ? KC_ENOMEM : KC_EFATAL,
                          "parquet: gzip compression failed (%d)", zrc);
        goto out;
    }
    out->len = zs.total_out;
out:
    deflateEnd(&zs);
    return rc;
}

int parquet_compress(enum parquet_codec codec, int level, const void *in, size_t n,
                     struct kc_buf *out, struct kc_error *err)
{
    kc_buf_reset(out);
    switch (codec) {
    case PARQUET_CODEC_NONE:
        if (kc_buf_append(out, in, n) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory copying a page");
        }
        return KC_OK;
    case PARQUET_CODEC_SNAPPY: {
        size_t clen = snappy_max_compressed_length(n);
        if (kc_buf_reserve(out, clen) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory compressing a page");
        }
        if (snappy_compress(in, n, out->data, &clen) != SNAPPY_OK) {
            return kc_error_set(err, KC_EFATAL, "parquet: snappy compression failed");
        }
        out->len = clen;
        return KC_OK;
    }
    case PARQUET_CODEC_GZIP:
        return compress_gzip(level, in, n, out, err);
    case PARQUET_CODEC_ZSTD: {
        size_t bound = ZSTD_compressBound(n);
        if (kc_buf_reserve(out, bound) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory compressing a page");
        }
        size_t r = ZSTD_compress(out->data, bound, in, n, level != 0 ? level : 1);
        if (ZSTD_isError(r)) {
            return kc_error_set(err, KC_EFATAL, "parquet: zstd compression failed: %s",
                                ZSTD_getErrorName(r));
        }
        out->len = r;
        return KC_OK;
    }
    case PARQUET_CODEC_LZ4_RAW: {
        if (n > (size_t)LZ4_MAX_INPUT_SIZE) {
            return kc_error_set(err, KC_EINVAL, "parquet: page too large for lz4");
        }
        int bound = LZ4_compressBound((int)n);
        if (kc_buf_reserve(out, (size_t)bound) != KC_OK) {
            return kc_error_set(err, KC_ENOMEM, "parquet: out of memory compressing a page");
        }
        int r = LZ4_compress_default(in, out->data, (int)n, bound);
        if (r <= 0 && n > 0) {
            return kc_error_set(err, KC_EFATAL, "parquet: lz4 compression failed");
        }
        out->len = (size_t)r;
        return KC_OK;
    }
    }
    return kc_error_set(err, KC_EINVAL, "parquet: unknown codec %d", (int)codec);
}

int parquet_codec_parse(const char *name)
{
    static const struct {
        const char *name;
        enum parquet_codec codec;
    } names[] = {
        {"none", PARQUET_CODEC_NONE},       {"uncompressed", PARQUET_CODEC_NONE},
        {"snappy", PARQUET_CODEC_SNAPPY},   {"gzip", PARQUET_CODEC_GZIP},
        {"zstd", PARQUET_CODEC_ZSTD},       {"lz4_raw", PARQUET_CODEC_LZ4_RAW},
        {"lz4raw", PARQUET_CODEC_LZ4_RAW},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(names[i].name, name) == 0) {
            return (int)names[i].codec;
        }
    }
    return -1;
}

const char *parquet_codec_name(enum parquet_codec c)
{
    switch (c) {
    case PARQUET_CODEC_NONE:
        return "none";
    case PARQUET_CODEC_SNAPPY:
        return "snappy";
    case PARQUET_CODEC_GZIP:
        return "gzip";
    case PARQUET_CODEC_ZSTD:
        return "zstd";
    case PARQUET_CODEC_LZ4_RAW:
        return "lz4_raw";
    }
    return "?";
}
