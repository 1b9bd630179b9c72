/*
 * connectors/s3/s3_zout.c: gzip (zlib's deflate with a gzip wrapper), zstd (its streaming
 * API) and snappy-java's stream format (libsnappy per block) into an S3 object, through a small
 * output buffer of our own.
 */
#include "s3_zout.h"

#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "kc_alloc.h"

#define ZOUT_BUF ((size_t)16 << 10)
/* snappy-java's SnappyOutputStream: DEFAULT_BLOCK_SIZE of input per block */
#define SNAPPY_BLOCK ((size_t)32 << 10)

struct s3_zout {
    enum s3_zcodec codec;
    int finished;
    z_stream zs;     /* gzip */
    ZSTD_CStream *cs; /* zstd, owned */
    unsigned char *block; /* snappy: owned, SNAPPY_BLOCK bytes of input */
    size_t nblock;
    unsigned char *packed; /* snappy: owned, length prefix + one compressed block */
    int header_done;
    unsigned char out[ZOUT_BUF];
};

int s3_zout_new(enum s3_zcodec codec, int level, struct s3_zout **out, struct kc_error *err)
{
    *out = NULL;
    if (codec == S3_Z_GZIP && (level < -1 || level > 9)) {
        return kc_error_set(err, KC_EINVAL, "gzip level %d is not in -1..9", level);
    }
    if (codec == S3_Z_ZSTD && (level < 0 || level > ZSTD_maxCLevel())) {
        return kc_error_set(err, KC_EINVAL, "zstd level %d is not in 0..%d", level,
                            ZSTD_maxCLevel());
    }
    if (codec == S3_Z_SNAPPY && level != 0) {
        return kc_error_set(err, KC_EINVAL, "snappy has no levels");
    }
    if (codec != S3_Z_GZIP && codec != S3_Z_ZSTD && codec != S3_Z_SNAPPY) {
        return kc_error_set(err, KC_EINVAL, "unknown compression");
    }
    struct s3_zout *z = kc_calloc(1, sizeof(*z));
    if (z == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    z->codec = codec;
    if (codec == S3_Z_SNAPPY) {
        z->block = kc_malloc(SNAPPY_BLOCK);
        z->packed = kc_malloc(4 + snappy_max_compressed_length(SNAPPY_BLOCK));
        if (z->block == NULL || z->packed == NULL) {
            s3_zout_free(z);
            return kc_error_set(err, KC_ENOMEM, "out of memory (snappy)");
        }
    } else if (codec == S3_Z_GZIP) {
        /* 15 + 16: a 32 KiB window with the gzip header and trailer */
        if (deflateInit2(&z->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            kc_free(z);
            return kc_error_set(err, KC_ENOMEM, "out of memory (gzip)");
        }
    } else {
        z->cs = ZSTD_createCStream();
        if (z->cs == NULL ||
            ZSTD_isError(ZSTD_CCtx_setParameter(z->cs, ZSTD_c_compressionLevel,
                                                level != 0 ? level : ZSTD_CLEVEL_DEFAULT)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(z->cs, ZSTD_c_checksumFlag, 1))) {
            ZSTD_freeCStream(z->cs);
            kc_free(z);
            return kc_error_set(err, KC_ENOMEM, "out of memory (zstd)");
        }
    }
    *out = z;
    return KC_OK;
}

/* gzip: deflate with `flush` until the input is taken (and, finishing, the stream ends). */
static int gz_run(struct s3_zout *z, struct s3_object *o, int flush, struct kc_error *err)
{
    for (;;) {
        z->zs.next_out = z->out;
        z->zs.avail_out = (uInt)sizeof(z->out);
        int zrc = deflate(&z->zs, flush);
        if (zrc == Z_STREAM_ERROR) {
            return kc_error_set(err, KC_EFATAL, "gzip: stream error");
        }
        size_t have = sizeof(z->out) - z->zs.avail_out;
        if (have > 0) {
            int rc = s3_object_write(o, z->out, have, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
        if (flush == Z_FINISH ? zrc == Z_STREAM_END
                              : z->zs.avail_in == 0 && z->zs.avail_out != 0) {
            return KC_OK;
        }
    }
}

/* zstd: compress with `mode` until the input is taken (and the frame flushed when ending). */
static int zs_run(struct s3_zout *z, struct s3_object *o, ZSTD_inBuffer *in,
                  ZSTD_EndDirective mode, struct kc_error *err)
{
    for (;;) {
        ZSTD_outBuffer ob = {z->out, sizeof(z->out), 0};
        size_t left = ZSTD_compressStream2(z->cs, &ob, in, mode);
        if (ZSTD_isError(left)) {
            return kc_error_set(err, KC_EFATAL, "zstd: %s", ZSTD_getErrorName(left));
        }
        if (ob.pos > 0) {
            int rc = s3_object_write(o, z->out, ob.pos, err);
            if (rc != KC_OK) {
                return rc;
            }
        }
        if (mode == ZSTD_e_end ? left == 0 : in->pos == in->size) {
            return KC_OK;
        }
    }
}

/* snappy: the stream header once, then the block held (if any) as length + raw Snappy. */
static int sn_flush(struct s3_zout *z, struct s3_object *o, struct kc_error *err)
{
    int rc;
    if (!z->header_done) {
        static const unsigned char header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0,
                                                 0,    0,   0,   1,   0,   0,   0,   1};
        if ((rc = s3_object_write(o, header, sizeof(header), err)) != KC_OK) {
            return rc;
        }
        z->header_done = 1;
    }
    if (z->nblock == 0) {
        return KC_OK;
    }
    size_t n = snappy_max_compressed_length(SNAPPY_BLOCK);
    if (snappy_compress((const char *)z->block, z->nblock, (char *)z->packed + 4, &n) !=
        SNAPPY_OK) {
        return kc_error_set(err, KC_EFATAL, "snappy: compression failed");
    }
    z->packed[0] = (unsigned char)(n >> 24);
    z->packed[1] = (unsigned char)(n >> 16);
    z->packed[2] = (unsigned char)(n >> 8);
    z->packed[3] = (unsigned char)n;
    if ((rc = s3_object_write(o, z->packed, 4 + n, err)) != KC_OK) {
        return rc;
    }
    z->nblock = 0;
    return KC_OK;
}

int s3_zout_write(struct s3_zout *z, struct s3_object *o, const void *buf, size_t len,
                  struct kc_error *err)
{
    if (z->finished) {
        return kc_error_set(err, KC_EFATAL, "compressed stream written after its end");
    }
    if (z->codec == S3_Z_SNAPPY) {
        const unsigned char *p = buf;
        while (len > 0) { /* blocks of exactly SNAPPY_BLOCK input bytes, as snappy-java cuts */
            size_t n = SNAPPY_BLOCK - z->nblock < len ? SNAPPY_BLOCK - z->nblock : len;
            memcpy(z->block + z->nblock, p, n);
            z->nblock += n;
            p += n;
            len -= n;
            if (z->nblock == SNAPPY_BLOCK) {
                int rc = sn_flush(z, o, err);
                if (rc != KC_OK) {
                    return rc;
                }
            }
        }
        return KC_OK;
    }
    if (z->codec == S3_Z_ZSTD) {
        ZSTD_inBuffer in = {buf, len, 0};
        return zs_run(z, o, &in, ZSTD_e_continue, err);
    }
    const unsigned char *p = buf;
    while (len > 0) { /* avail_in is a uInt */
        size_t n = len > (size_t)1 << 30 ? (size_t)1 << 30 : len;
        z->zs.next_in = (unsigned char *)p; /* zlib's API is not const; it does not write */
        z->zs.avail_in = (uInt)n;
        int rc = gz_run(z, o, Z_NO_FLUSH, err);
        if (rc != KC_OK) {
            return rc;
        }
        p += n;
        len -= n;
    }
    return KC_OK;
}

int s3_zout_finish(struct s3_zout *z, struct s3_object *o, struct kc_error *err)
{
    if (z->finished) {
        return KC_OK;
    }
    int rc;
    if (z->codec == S3_Z_SNAPPY) {
        rc = sn_flush(z, o, err);
    } else if (z->codec == S3_Z_ZSTD) {
        ZSTD_inBuffer in = {NULL, 0, 0};
        rc = zs_run(z, o, &in, ZSTD_e_end, err);
    } else {
        z->zs.next_in = NULL;
        z->zs.avail_in = 0;
        rc = gz_run(z, o, Z_FINISH, err);
    }
    z->finished = rc == KC_OK; /* a failed end is not an ended stream */
    return rc;
}

size_t s3_zout_footprint(const struct s3_zout *z)
{
    if (z == NULL) {
        return 0;
    }
    if (z->codec == S3_Z_SNAPPY) {
        return sizeof(*z) + SNAPPY_BLOCK + 4 + snappy_max_compressed_length(SNAPPY_BLOCK);
    }
    if (z->codec == S3_Z_ZSTD) {
        return sizeof(*z) + ZSTD_sizeof_CStream(z->cs);
    }
    /* zlib's own figure for deflate at windowBits 15, memLevel 8: (1 << 17) + (1 << 17), plus
     * its state */
    return sizeof(*z) + ((size_t)1 << 17) * 2 + ((size_t)6 << 10);
}

void s3_zout_free(struct s3_zout *z)
{
    if (z == NULL) {
        return;
    }
    if (z->codec == S3_Z_GZIP) {
        deflateEnd(&z->zs);
    } else if (z->codec == S3_Z_ZSTD) {
        ZSTD_freeCStream(z->cs);
    }
    kc_free(z->block);
    kc_free(z->packed);
    kc_free(z);
}
