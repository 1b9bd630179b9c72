/*
 * connectors/s3/s3_zout.c: gzip (zlib's deflate with a gzip wrapper) and zstd (its streaming
 * API) into an S3 object, through a small output buffer of our own.
 */
#include "s3_zout.h"

#include <zlib.h>
#include <zstd.h>

#include "kc_alloc.h"

#define ZOUT_BUF ((size_t)16 << 10)

struct s3_zout {
    enum s3_zcodec codec;
    int finished;
    z_stream zs;     /* gzip */
    ZSTD_CStream *cs; /* zstd, owned */
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
    if (codec != S3_Z_GZIP && codec != S3_Z_ZSTD) {
        return kc_error_set(err, KC_EINVAL, "unknown compression");
    }
    struct s3_zout *z = kc_calloc(1, sizeof(*z));
    if (z == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    z->codec = codec;
    if (codec == S3_Z_GZIP) {
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

int s3_zout_write(struct s3_zout *z, struct s3_object *o, const void *buf, size_t len,
                  struct kc_error *err)
{
    if (z->finished) {
        return kc_error_set(err, KC_EFATAL, "compressed stream written after its end");
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
    if (z->codec == S3_Z_ZSTD) {
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
    } else {
        ZSTD_freeCStream(z->cs);
    }
    kc_free(z);
}
