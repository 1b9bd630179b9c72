/*
 * connectors/s3/s3_avro.c: Avro object container files (see s3_avro.h).
 */
#include "s3_avro.h"

#include <bzlib.h>
#include <lzma.h>
#include <openssl/evp.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "kc_alloc.h"

const char *const s3_avro_codecs[] = {"null", "deflate", "snappy", "bzip2",
                                      "xz",   "zstandard", NULL};

int s3_avro_codec_parse(const char *name)
{
    for (int i = 0; name != NULL && s3_avro_codecs[i] != NULL; i++) {
        if (strcmp(name, s3_avro_codecs[i]) == 0) {
            return i;
        }
    }
    return -1;
}

struct s3_avro {
    struct avro_enc *enc; /* owned */
    enum s3_avro_codec codec;
    unsigned char sync[16];
    struct kc_buf block; /* the records of the block being filled */
    uint64_t n;          /* records in it */
    struct kc_buf head;  /* the file's header, until the first block writes it */
    int head_written;
};

static int put_str(struct kc_buf *b, const char *s, size_t n)
{
    int rc = avro_put_long(b, (int64_t)n);
    return rc == KC_OK ? kc_buf_append(b, s, n) : rc;
}

int s3_avro_new(const struct cdata_schema *schema, enum s3_avro_codec codec, const char *key,
                struct s3_avro **out, struct kc_error *err)
{
    *out = NULL;
    struct s3_avro *w = kc_calloc(1, sizeof(*w));
    if (w == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    w->codec = codec;
    kc_buf_init(&w->block, (size_t)1 << 30);
    kc_buf_init(&w->head, (size_t)1 << 30);
    int rc = avro_enc_new(schema, &w->enc, err);
    if (rc != KC_OK) {
        s3_avro_free(w);
        return rc;
    }
    /* the sync marker: MD5 of the object key, so that a rewrite is the same bytes */
    unsigned int md_len = 0;
    if (EVP_Digest(key, strlen(key), w->sync, &md_len, EVP_md5(), NULL) != 1 || md_len != 16) {
        s3_avro_free(w);
        return kc_error_set(err, KC_ENOMEM, "avro: MD5 of the object key failed");
    }
    size_t slen;
    const char *sj = avro_enc_schema_json(w->enc, &slen);
    const char *cname = s3_avro_codecs[codec];
    struct kc_buf *h = &w->head;
    rc = kc_buf_append(h, "Obj\x01", 4);
    /* the metadata map: one block of two entries, then its end */
    if (rc == KC_OK) {
        rc = avro_put_long(h, 2);
    }
    if (rc == KC_OK) {
        rc = put_str(h, "avro.schema", 11);
    }
    if (rc == KC_OK) {
        rc = put_str(h, sj, slen);
    }
    if (rc == KC_OK) {
        rc = put_str(h, "avro.codec", 10);
    }
    if (rc == KC_OK) {
        rc = put_str(h, cname, strlen(cname));
    }
    if (rc == KC_OK) {
        rc = kc_buf_append_byte(h, 0);
    }
    if (rc == KC_OK) {
        rc = kc_buf_append(h, w->sync, 16);
    }
    if (rc != KC_OK) {
        s3_avro_free(w);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    *out = w;
    return KC_OK;
}

uint64_t s3_avro_fingerprint(const struct s3_avro *w)
{
    return avro_enc_fingerprint(w->enc);
}

int s3_avro_encode(const struct s3_avro *w, const struct cdata_value *v, struct kc_buf *scratch,
                   struct kc_error *err)
{
    kc_buf_reset(scratch);
    return avro_enc_write(w->enc, v, scratch, err);
}

/* The block's bytes through the codec into packed (reset first). */
static int pack(struct s3_avro *w, struct kc_buf *packed, struct kc_error *err)
{
    const unsigned char *in = (const unsigned char *)w->block.data;
    size_t n = w->block.len;
    kc_buf_reset(packed);
    switch (w->codec) {
    case S3_AVRO_NULL: return kc_buf_append(packed, in, n);
    case S3_AVRO_DEFLATE: {
        /* raw DEFLATE (no zlib header), as java.util.zip.Deflater(level, nowrap=true) */
        z_stream z;
        memset(&z, 0, sizeof(z));
        if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
            Z_OK) {
            return kc_error_set(err, KC_ENOMEM, "avro: deflate: out of memory");
        }
        size_t cap = deflateBound(&z, (uLong)n);
        int rc = kc_buf_reserve(packed, cap);
        if (rc == KC_OK) {
            z.next_in = (Bytef *)(uintptr_t)in;
            z.avail_in = (uInt)n;
            z.next_out = (Bytef *)packed->data;
            z.avail_out = (uInt)cap;
            rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? KC_OK : KC_EFATAL;
            packed->len = cap - z.avail_out;
        }
        deflateEnd(&z);
        return rc == KC_EFATAL ? kc_error_set(err, KC_EFATAL, "avro: deflate failed") : rc;
    }
    case S3_AVRO_SNAPPY: {
        size_t cap = snappy_max_compressed_length(n);
        if (kc_buf_reserve(packed, cap + 4) != KC_OK) {
            return KC_ENOMEM;
        }
        size_t out = cap;
        if (snappy_compress((const char *)in, n, (char *)packed->data, &out) != SNAPPY_OK) {
            return kc_error_set(err, KC_EFATAL, "avro: snappy failed");
        }
        uint32_t crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0), in, (uInt)n);
        unsigned char *p = (unsigned char *)packed->data + out;
        p[0] = (unsigned char)(crc >> 24);
        p[1] = (unsigned char)(crc >> 16);
        p[2] = (unsigned char)(crc >> 8);
        p[3] = (unsigned char)crc;
        packed->len = out + 4;
        return KC_OK;
    }
    case S3_AVRO_BZIP2: {
        unsigned int cap = (unsigned int)(n + n / 100 + 600);
        if (kc_buf_reserve(packed, cap) != KC_OK) {
            return KC_ENOMEM;
        }
        int brc = BZ2_bzBuffToBuffCompress((char *)packed->data, &cap, (char *)(uintptr_t)in,
                                           (unsigned int)n, 9, 0, 0);
        if (brc != BZ_OK) {
            return brc == BZ_MEM_ERROR ? KC_ENOMEM
                                       : kc_error_set(err, KC_EFATAL, "avro: bzip2 failed");
        }
        packed->len = cap;
        return KC_OK;
    }
    case S3_AVRO_XZ: {
        size_t cap = lzma_stream_buffer_bound(n);
        if (kc_buf_reserve(packed, cap) != KC_OK) {
            return KC_ENOMEM;
        }
        size_t pos = 0;
        lzma_ret lr = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL, in, n,
                                              (uint8_t *)packed->data,
                                              &pos, cap);
        if (lr != LZMA_OK) {
            return lr == LZMA_MEM_ERROR ? KC_ENOMEM
                                        : kc_error_set(err, KC_EFATAL, "avro: xz failed");
        }
        packed->len = pos;
        return KC_OK;
    }
    case S3_AVRO_ZSTANDARD: {
        size_t cap = ZSTD_compressBound(n);
        if (kc_buf_reserve(packed, cap) != KC_OK) {
            return KC_ENOMEM;
        }
        size_t r = ZSTD_compress(packed->data, cap, in, n, 3);
        if (ZSTD_isError(r)) {
            return kc_error_set(err, KC_EFATAL, "avro: zstd: %s", ZSTD_getErrorName(r));
        }
        packed->len = r;
        return KC_OK;
    }
    }
    return kc_error_set(err, KC_EFATAL, "avro: unknown codec");
}

int s3_avro_flush(struct s3_avro *w, struct s3_object *o, struct kc_buf *packed,
                  struct kc_error *err)
{
    if (w == NULL || w->n == 0) {
        return KC_OK;
    }
    int rc = pack(w, packed, err);
    if (rc == KC_ENOMEM) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc != KC_OK) {
        return rc;
    }
    if (!w->head_written) {
        if ((rc = s3_object_write(o, w->head.data, w->head.len, err)) != KC_OK) {
            return rc;
        }
        w->head_written = 1;
        kc_buf_fini(&w->head);
    }
    struct kc_buf hb;
    kc_buf_init(&hb, 32);
    if (avro_put_long(&hb, (int64_t)w->n) != KC_OK ||
        avro_put_long(&hb, (int64_t)packed->len) != KC_OK) {
        kc_buf_fini(&hb);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    rc = s3_object_write(o, hb.data, hb.len, err);
    kc_buf_fini(&hb);
    if (rc == KC_OK) {
        rc = s3_object_write(o, packed->data, packed->len, err);
    }
    if (rc == KC_OK) {
        rc = s3_object_write(o, w->sync, sizeof(w->sync), err);
    }
    if (rc == KC_OK) {
        w->n = 0;
        kc_buf_reset(&w->block);
        if (w->block.cap > 2 * (size_t)S3_AVRO_BLOCK_BYTES) {
            kc_buf_fini(&w->block); /* a block of huge records: not kept for the next */
            kc_buf_init(&w->block, (size_t)1 << 30);
        }
    }
    return rc;
}

int s3_avro_append(struct s3_avro *w, const struct kc_buf *rec, struct s3_object *o,
                   struct kc_buf *packed, struct kc_error *err)
{
    if (kc_buf_append(&w->block, rec->data, rec->len) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    w->n++;
    return w->block.len >= S3_AVRO_BLOCK_BYTES ? s3_avro_flush(w, o, packed, err) : KC_OK;
}

size_t s3_avro_buffered(const struct s3_avro *w)
{
    return w != NULL ? w->block.len : 0;
}

size_t s3_avro_footprint(const struct s3_avro *w)
{
    return w != NULL ? sizeof(*w) + w->block.cap + w->head.cap + avro_enc_footprint(w->enc) : 0;
}

void s3_avro_free(struct s3_avro *w)
{
    if (w == NULL) {
        return;
    }
    avro_enc_free(w->enc);
    kc_buf_fini(&w->block);
    kc_buf_fini(&w->head);
    kc_free(w);
}
