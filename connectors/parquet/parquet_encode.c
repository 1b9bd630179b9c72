/*
 * connectors/parquet/parquet_encode.c: the value encodings under a page: the RLE/bit-packed
 * hybrid (definition and repetition levels, dictionary indices; wire format in parquet_int.h),
 * the dictionary of one column chunk, and the UTF-8 check applied to text columns.
 *
 * The dictionary keeps its values PLAIN-encoded in insertion order, which is exactly the
 * dictionary page body, so writing the page costs nothing; an open-addressing table of entry
 * indices finds repeats. Its invariant: data.len is the dictionary page size the writer
 * compares with its fallback limit.
 */
#include <stdint.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_text.h"
#include "parquet_int.h"

/* ------------------------------------------------------------------------------------------ */
/* RLE / bit-packed hybrid */

void parquet_rle_init(struct parquet_rle *r, struct kc_buf *out, int bit_width)
{
    r->out = out;
    r->bit_width = bit_width;
    r->nbuf = 0;
    r->cur = 0;
    r->repeat = 0;
    r->literal_count = 0;
    r->indicator_pos = SIZE_MAX;
    r->rc = KC_OK;
}

static void rle_append(struct parquet_rle *r, const void *p, size_t n)
{
    if (r->rc == KC_OK && kc_buf_append(r->out, p, n) != KC_OK) {
        r->rc = KC_ENOMEM;
    }
}

/* Pack the 8 buffered values (bit_width bytes of output). */
static void rle_pack_group(struct parquet_rle *r)
{
    uint8_t bytes[32];
    uint64_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (int i = 0; i < 8; i++) {
        acc |= (uint64_t)r->buffered[i] << bits;
        bits += r->bit_width;
        while (bits >= 8) {
            bytes[n++] = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
    rle_append(r, bytes, n);
}

/* Write the buffered group into the open literal run; close the run when asked. */
static void rle_flush_literal(struct parquet_rle *r, int close_run)
{
    if (r->indicator_pos == SIZE_MAX) {
        uint8_t zero = 0;
        r->indicator_pos = r->out->len;
        rle_append(r, &zero, 1);
    }
    if (r->nbuf > 0) {
        rle_pack_group(r);
        r->nbuf = 0;
    }
    if (close_run) {
        uint32_t groups = (r->literal_count + 7) / 8;
        if (r->rc == KC_OK) {
            r->out->data[r->indicator_pos] = (char)(uint8_t)(groups << 1 | 1);
        }
        r->indicator_pos = SIZE_MAX;
        r->literal_count = 0;
    }
}

static void rle_flush_repeated(struct parquet_rle *r)
{
    uint8_t v[4];
    int nb = (r->bit_width + 7) / 8;
    if (r->rc == KC_OK && parquet_varint_put(r->out, (uint64_t)r->repeat << 1) != KC_OK) {
        r->rc = KC_ENOMEM;
    }
    for (int i = 0; i < nb; i++) {
        v[i] = (uint8_t)(r->cur >> (8 * i));
    }
    rle_append(r, v, (size_t)nb);
    r->nbuf = 0;
    r->repeat = 0;
}

/* A group of 8 is buffered: decide whether it joins a literal run. */
static void rle_flush_buffered(struct parquet_rle *r, int done)
{
    if (r->repeat >= 8) {
        /* The group is the start of a repeated run; close any literal run before it. */
        r->nbuf = 0;
        if (r->literal_count != 0) {
            rle_flush_literal(r, 1);
        }
        return;
    }
    r->literal_count += (uint32_t)r->nbuf;
    if (r->literal_count / 8 + 1 >= 64) {
        rle_flush_literal(r, 1);
    } else {
        rle_flush_literal(r, done);
    }
    r->repeat = 0;
}

void parquet_rle_put(struct parquet_rle *r, uint32_t v)
{
    if (v == r->cur) {
        r->repeat++;
        if (r->repeat > 8) {
            return; /* inside a repeated run: nothing to buffer */
        }
    } else {
        if (r->repeat >= 8) {
            rle_flush_repeated(r);
        }
        r->repeat = 1;
        r->cur = v;
    }
    r->buffered[r->nbuf++] = v;
    if (r->nbuf == 8) {
        rle_flush_buffered(r, 0);
    }
}

int parquet_rle_finish(struct parquet_rle *r)
{
    if (r->literal_count > 0 || r->repeat > 0 || r->nbuf > 0) {
        int all_repeat =
            r->literal_count == 0 && (r->repeat == (uint32_t)r->nbuf || r->nbuf == 0);
        if (r->repeat > 0 && all_repeat) {
            rle_flush_repeated(r);
        } else {
            /* Pad the last group with zeros; readers stop at num_values. */
            r->literal_count += (uint32_t)r->nbuf;
            while (r->nbuf > 0 && r->nbuf < 8) {
                r->buffered[r->nbuf++] = 0;
            }
            rle_flush_literal(r, 1);
            r->repeat = 0;
        }
    }
    r->nbuf = 0;
    r->repeat = 0;
    r->literal_count = 0;
    return r->rc;
}

int parquet_rle_levels(struct kc_buf *out, const uint16_t *lv, size_t n, int bit_width)
{
    struct parquet_rle r;
    size_t i = 0;
    parquet_rle_init(&r, out, bit_width);
    /* Fast path for long constant stretches (all-present optional columns): once the encoder
     * is inside a repeated run (repeat > 8 buffers nothing), extend the run by the stretch. */
    while (i < n) {
        size_t j = i + 1;
        while (j < n && lv[j] == lv[i]) {
            j++;
        }
        for (size_t k = i; k < j; k++) {
            if (r.repeat > 8 && r.cur == lv[k]) {
                r.repeat += (uint32_t)(j - k);
                break;
            }
            parquet_rle_put(&r, lv[k]);
        }
        i = j;
    }
    return parquet_rle_finish(&r);
}

/* ------------------------------------------------------------------------------------------ */
/* Dictionary */

#define DICT_MIN_SLOTS 1024

/* One 64x64->128 multiply folded: mixes a 16-byte step in a few cycles. */
static inline uint64_t fold_mul(uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint64_t load32(const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* 16 bytes per step, the tail read as two overlapping words: a dictionary value of 40 bytes
 * costs three multiplies, where a word at a time cost five dependent rounds. */
static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
    const uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull,
                   k2 = 0x8ebc6af09c88c6e3ull;
    uint64_t seed = 0x9E3779B97F4A7C15ull ^ (uint64_t)n;
    uint64_t a, b;
    while (n > 16) {
        seed = fold_mul(load64(p) ^ k1, load64(p + 8) ^ seed);
        p += 16;
        n -= 16;
    }
    if (n >= 8) {
        a = load64(p);
        b = load64(p + n - 8);
    } else if (n >= 4) {
        a = load32(p);
        b = load32(p + n - 4);
    } else if (n > 0) {
        a = (uint64_t)p[0] << 16 | (uint64_t)p[n / 2] << 8 | p[n - 1];
        b = 0;
    } else {
        a = b = 0;
    }
    uint64_t h = fold_mul(a ^ k1, b ^ seed ^ k2);
    h = fold_mul(h ^ k0, (uint64_t)n ^ k1);
    return (uint32_t)(h ^ (h >> 32));
}

void parquet_dict_init(struct parquet_dict *d, int len_prefix)
{
    memset(d, 0, sizeof(*d));
    d->len_prefix = len_prefix;
    kc_buf_init(&d->data, PARQUET_BUF_LIMIT);
}

void parquet_dict_fini(struct parquet_dict *d)
{
    if (d == NULL) {
        return;
    }
    kc_free(d->slots);
    kc_free(d->ents);
    kc_buf_fini(&d->data);
    d->slots = NULL;
    d->ents = NULL;
    d->nslots = 0;
    d->n = 0;
    d->cap = 0;
}

void parquet_dict_freeze(struct parquet_dict *d)
{
    /* Only the page body is needed from now on: drop the lookup structures. */
    kc_free(d->slots);
    kc_free(d->ents);
    d->slots = NULL;
    d->ents = NULL;
    d->nslots = 0;
    d->cap = 0;
}

void parquet_dict_reset(struct parquet_dict *d)
{
    if (d->slots != NULL) {
        memset(d->slots, 0, d->nslots * sizeof(d->slots[0]));
    }
    d->n = 0;
    kc_buf_reset(&d->data);
}

static int dict_grow_slots(struct parquet_dict *d)
{
    size_t nslots = d->nslots ? d->nslots * 2 : DICT_MIN_SLOTS;
    uint64_t *slots = kc_calloc(nslots, sizeof(uint64_t));
    if (slots == NULL) {
        return KC_ENOMEM;
    }
    for (uint32_t i = 0; i < d->n; i++) {
        size_t s = d->ents[i].hash & (nslots - 1);
        while (slots[s] != 0) {
            s = (s + 1) & (nslots - 1);
        }
        slots[s] = (uint64_t)d->ents[i].hash << 32 | (i + 1);
    }
    kc_free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return KC_OK;
}

int parquet_dict_insert(struct parquet_dict *d, const void *p, size_t n, uint32_t *index,
                        int *added)
{
    uint32_t h = hash_bytes(p, n);
    size_t s;

    *added = 0;
    if ((size_t)d->n * 2 >= d->nslots && dict_grow_slots(d) != KC_OK) {
        return KC_ENOMEM;
    }
    s = h & (d->nslots - 1);
    while (d->slots[s] != 0) {
        /* The slot carries the hash, so a probe past another value costs no entry lookup. */
        if ((uint32_t)(d->slots[s] >> 32) == h) {
            uint32_t i = (uint32_t)d->slots[s] - 1;
            const struct parquet_dict_entry *e = &d->ents[i];
            const char *q = d->data.data + e->off;
            int same;
            if (n == 8 && e->len == 8) {
                uint64_t a, b;
                memcpy(&a, q, 8);
                memcpy(&b, p, 8);
                same = a == b;
            } else {
                same = e->len == n && kc_mem_eq(q, p, n);
            }
            if (same) {
                *index = i;
                return KC_OK;
            }
        }
        s = (s + 1) & (d->nslots - 1);
    }
    if (d->n == d->cap) {
        uint32_t ncap = d->cap ? d->cap * 2 : 256;
        struct parquet_dict_entry *ents = kc_realloc(d->ents, ncap * sizeof(*ents));
        if (ents == NULL) {
            return KC_ENOMEM;
        }
        d->ents = ents;
        d->cap = ncap;
    }
    if (d->len_prefix) {
        uint8_t lenb[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
        if (kc_buf_append(&d->data, lenb, 4) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    if (d->data.len > UINT32_MAX - n) {
        return KC_ENOMEM;
    }
    d->ents[d->n].off = (uint32_t)d->data.len;
    d->ents[d->n].len = (uint32_t)n;
    d->ents[d->n].hash = h;
    if (kc_buf_append(&d->data, p, n) != KC_OK) {
        return KC_ENOMEM;
    }
    d->slots[s] = (uint64_t)h << 32 | (d->n + 1);
    *index = d->n++;
    *added = 1;
    return KC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* UTF-8 */

int parquet_utf8_valid(const void *p, size_t len)
{
    return kc_utf8_valid(p, len);
}
