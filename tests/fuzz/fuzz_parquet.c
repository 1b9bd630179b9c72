/*
 * tests/fuzz/fuzz_parquet.c: JSON lines -> Parquet through the same converter connect-parquet
 * uses (struct parquet_jsonl), into memory.
 *
 * The first input byte picks the options, the rest is the JSON-lines stream:
 *   bits 0-2  codec: (b & 7) % 5 -> none, snappy, gzip, zstd, lz4_raw
 *   bit 3     data page version 2
 *   bit 4     no dictionary
 *   bit 5     on mismatch: rotate (else skip)
 *   bit 6     infer timestamps
 *   bit 7     ignore unknown fields
 * Fixed: infer 4 records, dictionary limit 64 bytes, lines up to 1 MiB; pages of 3 rows and
 * row groups of 7 rows for an input of even size, else pages of 48 + size % 211 bytes and row
 * groups of 256 + size % 997 bytes (where the direct path skips end_row's sums). tests/integration/parquet/test_parquet_policies.py maps the same byte to
 * connect-parquet flags, replays this corpus and opens every file with pyarrow and DuckDB.
 * Here we check what needs no reader: no crash, no leak, and each finished file is framed by
 * the PAR1 magic with a footer length that fits. Each input runs twice, through the direct
 * path (records written from their text) and with it off (every record parsed into a tree
 * first): the files and the bad-record reports must be the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kc_buf.h"
#include "parquet.h"
#include "parquet_json.h"

#define FUZZ_MAX_FILES 64

struct fuzz_out {
    struct kc_buf files[FUZZ_MAX_FILES];
    unsigned n;
    struct kc_buf bad; /* "line: message\n" per bad record */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_write(void *opaque, const void *buf, size_t len)
{
    return kc_buf_append(opaque, buf, len) == KC_OK ? 0 : -1;
}

static int fuzz_open(void *opaque, unsigned index, parquet_write_fn **write, void **wopaque,
                     struct kc_error *err)
{
    struct fuzz_out *fo = opaque;
    if (index >= FUZZ_MAX_FILES) {
        return kc_error_set(err, KC_EINVAL, "too many files");
    }
    kc_buf_init(&fo->files[index], (size_t)256 << 20);
    fo->n = index + 1;
    *write = fuzz_write;
    *wopaque = &fo->files[index];
    return KC_OK;
}

static int fuzz_close(void *opaque, unsigned index, struct kc_error *err)
{
    struct fuzz_out *fo = opaque;
    const struct kc_buf *b = &fo->files[index];
    uint32_t flen;
    (void)err;
    if (b->len < 12 || memcmp(b->data, "PAR1", 4) != 0 ||
        memcmp(b->data + b->len - 4, "PAR1", 4) != 0) {
        abort();
    }
    memcpy(&flen, b->data + b->len - 8, 4);
    if (flen == 0 || (size_t)flen > b->len - 12) {
        abort();
    }
    return KC_OK;
}

static void fuzz_bad(void *opaque, uint64_t line, const struct kc_error *why)
{
    struct fuzz_out *fo = opaque;
    if (kc_buf_printf(&fo->bad, "%llu: %d %s\n", (unsigned long long)line, why->rc,
                      why->msg) != KC_OK) {
        abort();
    }
}

static void run_once(const uint8_t *data, size_t size, int no_direct, struct fuzz_out *fo)
{
    struct parquet_jsonl_options o;
    struct parquet_jsonl *c = NULL;
    struct kc_error err;
    static const enum parquet_codec codecs[] = {PARQUET_CODEC_NONE, PARQUET_CODEC_SNAPPY,
                                                PARQUET_CODEC_GZIP, PARQUET_CODEC_ZSTD,
                                                PARQUET_CODEC_LZ4_RAW};
    uint8_t b = data[0];

    memset(fo, 0, sizeof(*fo));
    kc_buf_init(&fo->bad, (size_t)256 << 20);
    parquet_jsonl_options_init(&o);
    o.no_direct = no_direct;
    o.writer.codec = codecs[(b & 7) % 5];
    o.writer.page_version = (b & 8) ? 2 : 1;
    o.writer.dictionary = !(b & 16);
    o.on_mismatch = (b & 32) ? PARQUET_JSON_ROTATE : PARQUET_JSON_SKIP;
    o.infer_timestamps = (b & 64) != 0;
    o.write_flags = (b & 128) ? PARQUET_JSON_IGNORE_UNKNOWN : 0;
    o.infer_records = 4;
    if (size % 2 == 0) { /* pages and row groups cut by rows */
        o.writer.page_rows = 3;
        o.writer.row_group_rows = 7;
    } else { /* or by bytes, where the direct path may skip end_row's sums */
        o.writer.page_bytes = 48 + size % 211;
        o.writer.row_group_bytes = 256 + size % 997;
    }
    o.writer.dictionary_page_bytes = 64;
    o.max_line_bytes = 1 << 20;
    if (parquet_jsonl_new(&c, &o, fuzz_open, fuzz_close, fuzz_bad, fo, &err) == KC_OK) {
        int rc = parquet_jsonl_feed(c, data + 1, size - 1, &err);
        if (rc == KC_OK) {
            rc = parquet_jsonl_finish(c, &err);
        }
        /* Only the output can fail (too many files after rotations); never the input. */
        if (rc != KC_OK && !(rc == KC_EINVAL && fo->n == FUZZ_MAX_FILES)) {
            abort();
        }
    }
    parquet_jsonl_free(c);
}

static int same_buf(const struct kc_buf *a, const struct kc_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->data, b->data, a->len) == 0);
}

static void fuzz_out_fini(struct fuzz_out *fo)
{
    for (unsigned i = 0; i < fo->n; i++) {
        kc_buf_fini(&fo->files[i]);
    }
    kc_buf_fini(&fo->bad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_out direct, tree;
    if (size < 1) {
        return 0;
    }
    run_once(data, size, 0, &direct);
    run_once(data, size, 1, &tree);
    if (direct.n != tree.n || !same_buf(&direct.bad, &tree.bad)) {
        abort();
    }
    for (unsigned i = 0; i < direct.n; i++) {
        if (!same_buf(&direct.files[i], &tree.files[i])) {
            abort();
        }
    }
    fuzz_out_fini(&direct);
    fuzz_out_fini(&tree);
    return 0;
}
