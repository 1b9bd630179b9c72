/*
 * connectors/parquet/parquet_writer.c: column writers, pages, row groups and the footer.
 *
 * File layout written, all through the caller's write callback and never seeking:
 *
 *   "PAR1"
 *   per row group, per column chunk:
 *       [dictionary page: PageHeader + PLAIN values]      when the chunk used a dictionary
 *       data pages: PageHeader + body                      v1: rep levels, def levels (each
 *                                                          4-byte length + RLE), values, all
 *                                                          compressed together; v2: levels
 *                                                          uncompressed, values compressed
 *   FileMetaData (Thrift compact), its 4-byte little-endian length, "PAR1"
 *
 * Each column buffers its open page (levels, then dictionary indices or PLAIN values) and its
 * chunk's finished pages; the dictionary page is emitted first when the row group is flushed,
 * which is why a whole row group is buffered. Finished pages are held encoded but not yet
 * compressed: they are compressed, and their headers written, when the row group is flushed,
 * so a caller that finishes files on another thread (the S3 sink) moves the codec's work
 * there. Pages and row groups are cut only at row ends, so a row never spans pages
 * (DataPageHeaderV2.num_rows stays exact). When a dictionary outgrows
 * dictionary_page_bytes the column finishes its page with the dictionary and continues in
 * PLAIN for the rest of the chunk (parquet-mr and arrow do the same).
 *
 * Invariant: a KC_EINVAL from an append leaves every buffer as it was; any other failure sets
 * w->rc and the writer refuses further work (the row in progress cannot be completed).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kc_alloc.h"
#include "parquet_int.h"

#define PARQUET_VERSION_STRING "connect-c version 0.1.0 (build parquet)"

/* A finished data page held in its chunk, not compressed yet: levels_len bytes of v2 levels
 * (never compressed), then body_len bytes to compress (v1: levels and values; v2: values). */
struct parquet_page_rec {
    struct parquet_page_header ph; /* all but compressed_size */
    size_t levels_len;
    size_t body_len;
};

/* What one entry of a direct row adds, past its value's bytes, at most: 4 bytes of levels (two
 * arrays of uint16 when the column repeats), a 4-byte length or dictionary index, a dictionary
 * value's 4-byte length; page_estimate counts less than that. Rounded up. */
#define ROW_ENTRY_BYTES 16

struct parquet_column {
    const struct parquet_node *nd; /* borrowed from w->s */
    const char **path;             /* owned array of borrowed node names */
    int path_len;
    int max_def;
    int max_rep;
    enum parquet_type type;
    size_t width; /* bytes per value for fixed-width types; 0 for BYTE_ARRAY */
    enum parquet_sort sort;
    int check_utf8;

    /* The open page. */
    uint16_t *defs; /* owned */
    uint16_t *reps; /* owned, NULL when max_rep == 0 */
    size_t nlevels;
    size_t levels_cap;
    uint32_t *idx; /* owned dictionary indices */
    size_t nidx;
    size_t idx_cap;
    struct kc_buf plain; /* PLAIN values (or packed booleans) */
    uint32_t page_values;
    uint32_t page_rows;
    int page_dict;        /* this page's values go through the dictionary */
    int fallback_pending; /* dictionary past its limit: switch to PLAIN at the next cut */
    uint64_t page_plain_bytes; /* what this page's values would take as PLAIN */
    int dict_checked;     /* the chunk's first page was weighed (dict_pays_off) */

    /* The open column chunk. */
    int dict_active;
    struct parquet_dict dict;
    struct kc_buf chunk; /* finished data pages, uncompressed and without headers */
    struct parquet_page_rec *pages; /* owned: one per page in chunk */
    size_t npages;
    size_t pages_cap;
    int64_t chunk_levels;
    int64_t chunk_nulls;
    unsigned encodings;
    int has_minmax;
    int minmax_valid;
    union {
        int32_t i32;
        uint32_t u32;
        int64_t i64;
        uint64_t u64;
        float f;
        double d;
    } min, max;
    struct kc_buf min_bytes; /* byte arrays and FIXED_LEN_BYTE_ARRAY */
    struct kc_buf max_bytes;
    int touched; /* got an entry in the current row */
};

struct parquet_writer {
    struct parquet_schema *s; /* owned */
    struct parquet_writer_options o;
    char *created_by; /* owned */
    parquet_write_fn *write;
    void *opaque;
    struct parquet_column *cols; /* owned, s->nleaves of them */
    int ncols;
    struct parquet_kv *kv; /* owned */
    size_t nkv;
    uint64_t rows;
    uint64_t rows_flushed;
    uint64_t rg_rows;
    uint64_t offset;
    int row_open; /* some column got an entry since the last row end */
    /* What the last full end_row pass left: how many bytes the row group and every open page
     * may still grow, and how many rows every open page may still take, before a threshold
     * could be reached. A direct row that fits in them skips the pass (end_row_within). */
    size_t room_bytes;
    uint32_t room_rows;
    int recheck; /* a dictionary took a value or changed its mode since: the next row looks */
    struct kc_buf footer_rgs; /* encoded RowGroup structs */
    uint32_t n_rg;
    struct kc_buf s_comp; /* scratch, reused per page */
    struct kc_buf s_header;
    int rc;
    int closed;
    int started;
};

void parquet_writer_options_init(struct parquet_writer_options *o)
{
    memset(o, 0, sizeof(*o));
    o->codec = PARQUET_CODEC_SNAPPY;
    o->page_version = 1;
    o->dictionary = 1;
    o->dictionary_page_bytes = (size_t)1 << 20;
    o->page_bytes = (size_t)1 << 20;
    o->page_rows = 20000;
    o->row_group_bytes = (size_t)64 << 20;
}

static int poison(struct parquet_writer *w, int rc)
{
    if (rc < 0 && rc != KC_EINVAL) {
        w->rc = rc;
    }
    return rc;
}

static int poisoned(const struct parquet_writer *w, struct kc_error *err)
{
    if (w->rc != KC_OK) {
        return kc_error_set(err, w->rc, "parquet: writer failed earlier (%s)",
                            kc_rc_name(w->rc));
    }
    if (w->closed) {
        return kc_error_set(err, KC_EINVAL, "parquet: writer is closed");
    }
    return KC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Columns */

static void column_fini(struct parquet_column *c)
{
    kc_free(c->path);
    kc_free(c->defs);
    kc_free(c->reps);
    kc_free(c->idx);
    kc_buf_fini(&c->plain);
    parquet_dict_fini(&c->dict);
    kc_buf_fini(&c->chunk);
    kc_free(c->pages);
    kc_buf_fini(&c->min_bytes);
    kc_buf_fini(&c->max_bytes);
}

static void column_chunk_reset(struct parquet_writer *w, struct parquet_column *c)
{
    if (w->o.memory_cap != 0) {
        /* A capped writer (one of many open files under one budget) gives the row group's
         * memory back: the dictionary's hash table alone is >= 8 KiB per column. */
        int len_prefix = c->dict.len_prefix;
        size_t limit = c->chunk.limit;
        kc_buf_fini(&c->chunk);
        kc_buf_init(&c->chunk, limit);
        kc_free(c->pages);
        c->pages = NULL;
        c->pages_cap = 0;
        parquet_dict_fini(&c->dict);
        parquet_dict_init(&c->dict, len_prefix);
        if (c->nlevels == 0 && c->nidx == 0 && c->plain.len == 0) {
            /* the open page is empty too: its buffers grow again from the next value */
            size_t plimit = c->plain.limit;
            kc_buf_fini(&c->plain);
            kc_buf_init(&c->plain, plimit);
            kc_free(c->defs);
            kc_free(c->reps);
            kc_free(c->idx);
            c->defs = NULL;
            c->reps = NULL;
            c->idx = NULL;
            c->levels_cap = 0;
            c->idx_cap = 0;
        }
    } else {
        kc_buf_reset(&c->chunk);
        parquet_dict_reset(&c->dict);
    }
    c->dict_active = w->o.dictionary && c->type != PARQUET_BOOLEAN;
    c->page_dict = c->dict_active;
    c->fallback_pending = 0;
    c->dict_checked = 0;
    c->page_plain_bytes = 0;
    c->npages = 0;
    c->chunk_levels = 0;
    c->chunk_nulls = 0;
    c->encodings = 0;
    c->has_minmax = 0;
    c->minmax_valid = 1;
}

static int column_init(struct parquet_writer *w, struct parquet_column *c, int node)
{
    const struct parquet_schema *s = w->s;
    const struct parquet_node *nd = &s->nodes[node];
    int depth = 0;

    memset(c, 0, sizeof(*c));
    c->nd = nd;
    c->max_def = nd->max_def;
    c->max_rep = nd->max_rep;
    c->type = nd->type;
    c->sort = parquet_node_sort(nd);
    c->check_utf8 = nd->lt.kind == PARQUET_LOGICAL_STRING || nd->lt.kind == PARQUET_LOGICAL_JSON ||
                    nd->lt.kind == PARQUET_LOGICAL_ENUM;
    switch (nd->type) {
    case PARQUET_BOOLEAN:
        c->width = 1;
        break;
    case PARQUET_INT32:
    case PARQUET_FLOAT:
        c->width = 4;
        break;
    case PARQUET_INT64:
    case PARQUET_DOUBLE:
        c->width = 8;
        break;
    case PARQUET_INT96:
        c->width = 12;
        break;
    case PARQUET_BYTE_ARRAY:
        c->width = 0;
        break;
    case PARQUET_FIXED_LEN_BYTE_ARRAY:
        c->width = (size_t)nd->type_length;
        break;
    }
    kc_buf_init(&c->plain, PARQUET_BUF_LIMIT);
    kc_buf_init(&c->chunk, PARQUET_BUF_LIMIT);
    kc_buf_init(&c->min_bytes, PARQUET_STATS_MAX_LEN + 1);
    kc_buf_init(&c->max_bytes, PARQUET_STATS_MAX_LEN + 1);
    parquet_dict_init(&c->dict, nd->type == PARQUET_BYTE_ARRAY);
    for (int id = node; id != PARQUET_SCHEMA_ROOT; id = s->nodes[id].parent) {
        depth++;
    }
    c->path = kc_calloc((size_t)depth, sizeof(char *));
    if (c->path == NULL) {
        return KC_ENOMEM;
    }
    c->path_len = depth;
    for (int id = node; id != PARQUET_SCHEMA_ROOT; id = s->nodes[id].parent) {
        c->path[--depth] = s->nodes[id].name;
    }
    column_chunk_reset(w, c);
    return KC_OK;
}

static size_t column_buffered(const struct parquet_column *c)
{
    return c->chunk.len + c->npages * sizeof(c->pages[0]) + c->plain.len +
           c->nidx * sizeof(uint32_t) +
           c->nlevels * sizeof(uint16_t) * (c->max_rep > 0 ? 2 : 1) + parquet_dict_bytes(&c->dict);
}

/* Compare two values of the column's sort order: <0, 0, >0. */
static int cmp_bytes(const struct parquet_column *c, const uint8_t *a, size_t alen,
                     const uint8_t *b, size_t blen)
{
    if (c->sort == PARQUET_SORT_SIGNED) {
        /* FIXED_LEN_BYTE_ARRAY decimals: big-endian two's complement, equal lengths. */
        if (alen > 0 && (int8_t)a[0] != (int8_t)b[0]) {
            return (int8_t)a[0] < (int8_t)b[0] ? -1 : 1;
        }
        return alen > 1 ? memcmp(a + 1, b + 1, alen - 1) : 0;
    }
    size_t n = alen < blen ? alen : blen;
#if defined(__BYTE_ORDER__)
    if (n >= 8) {
        /* the first eight bytes as big-endian words mostly decide (ids, names): no call */
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            x = __builtin_bswap64(x);
            y = __builtin_bswap64(y);
#endif
            return x < y ? -1 : 1;
        }
    }
#endif
    int r = n > 0 ? memcmp(a, b, n) : 0;
    if (r != 0) {
        return r;
    }
    return alen < blen ? -1 : alen > blen;
}

static int stats_set_bytes(struct kc_buf *b, const void *v, size_t len)
{
    kc_buf_reset(b);
    return kc_buf_append(b, v, len);
}

static inline int stats_update(struct parquet_column *c, const void *v, size_t len)
{
    if (c->sort == PARQUET_SORT_NONE) {
        return KC_OK;
    }
    switch (c->type) {
    case PARQUET_BOOLEAN: {
        uint32_t x = *(const uint8_t *)v;
        if (!c->has_minmax || x < c->min.u32) {
            c->min.u32 = x;
        }
        if (!c->has_minmax || x > c->max.u32) {
            c->max.u32 = x;
        }
        break;
    }
    case PARQUET_INT32: {
        int32_t x;
        memcpy(&x, v, 4);
        if (c->sort == PARQUET_SORT_UNSIGNED) {
            if (!c->has_minmax || (uint32_t)x < c->min.u32) {
                c->min.u32 = (uint32_t)x;
            }
            if (!c->has_minmax || (uint32_t)x > c->max.u32) {
                c->max.u32 = (uint32_t)x;
            }
        } else {
            if (!c->has_minmax || x < c->min.i32) {
                c->min.i32 = x;
            }
            if (!c->has_minmax || x > c->max.i32) {
                c->max.i32 = x;
            }
        }
        break;
    }
    case PARQUET_INT64: {
        int64_t x;
        memcpy(&x, v, 8);
        if (c->sort == PARQUET_SORT_UNSIGNED) {
            if (!c->has_minmax || (uint64_t)x < c->min.u64) {
                c->min.u64 = (uint64_t)x;
            }
            if (!c->has_minmax || (uint64_t)x > c->max.u64) {
                c->max.u64 = (uint64_t)x;
            }
        } else {
            if (!c->has_minmax || x < c->min.i64) {
                c->min.i64 = x;
            }
            if (!c->has_minmax || x > c->max.i64) {
                c->max.i64 = x;
            }
        }
        break;
    }
    case PARQUET_FLOAT: {
        float x;
        memcpy(&x, v, 4);
        if (isnan(x)) {
            return KC_OK; /* NaN is left out of min/max (parquet-format's rule) */
        }
        if (!c->has_minmax || x < c->min.f) {
            c->min.f = x;
        }
        if (!c->has_minmax || x > c->max.f) {
            c->max.f = x;
        }
        break;
    }
    case PARQUET_DOUBLE: {
        double x;
        memcpy(&x, v, 8);
        if (isnan(x)) {
            return KC_OK;
        }
        if (!c->has_minmax || x < c->min.d) {
            c->min.d = x;
        }
        if (!c->has_minmax || x > c->max.d) {
            c->max.d = x;
        }
        break;
    }
    case PARQUET_INT96:
        return KC_OK;
    case PARQUET_BYTE_ARRAY:
    case PARQUET_FIXED_LEN_BYTE_ARRAY:
        if (!c->minmax_valid) {
            return KC_OK;
        }
        if (len > PARQUET_STATS_MAX_LEN) {
            /* Exact min/max of huge values would bloat the footer; drop them for the chunk. */
            c->minmax_valid = 0;
            return KC_OK;
        }
        if (!c->has_minmax ||
            cmp_bytes(c, v, len, (const uint8_t *)c->min_bytes.data, c->min_bytes.len) < 0) {
            if (stats_set_bytes(&c->min_bytes, v, len) != KC_OK) {
                return KC_ENOMEM;
            }
        }
        if (!c->has_minmax ||
            cmp_bytes(c, v, len, (const uint8_t *)c->max_bytes.data, c->max_bytes.len) > 0) {
            if (stats_set_bytes(&c->max_bytes, v, len) != KC_OK) {
                return KC_ENOMEM;
            }
        }
        break;
    }
    c->has_minmax = 1;
    return KC_OK;
}

/* Grow the level arrays (and index array) so one more entry fits. */
static int column_grow(struct parquet_column *c)
{
    if (c->nlevels == c->levels_cap) {
        size_t ncap = c->levels_cap ? c->levels_cap * 2 : 64;
        uint16_t *defs = kc_realloc(c->defs, ncap * sizeof(uint16_t));
        if (defs == NULL) {
            return KC_ENOMEM;
        }
        c->defs = defs;
        if (c->max_rep > 0) {
            uint16_t *reps = kc_realloc(c->reps, ncap * sizeof(uint16_t));
            if (reps == NULL) {
                return KC_ENOMEM;
            }
            c->reps = reps;
        }
        c->levels_cap = ncap;
    }
    if (c->page_dict && c->nidx == c->idx_cap) {
        size_t ncap = c->idx_cap ? c->idx_cap * 2 : 64;
        uint32_t *idx = kc_realloc(c->idx, ncap * sizeof(uint32_t));
        if (idx == NULL) {
            return KC_ENOMEM;
        }
        c->idx = idx;
        c->idx_cap = ncap;
    }
    return KC_OK;
}

static inline __attribute__((always_inline)) int column_reserve(struct parquet_column *c)
{
    if (__builtin_expect(c->nlevels == c->levels_cap || (c->page_dict && c->nidx == c->idx_cap),
                         0)) {
        return column_grow(c);
    }
    return KC_OK;
}

/*
 * The first page of a chunk decides whether the dictionary pays off, as parquet-mr's
 * FallbackValuesWriter does: when dictionary plus indices are not smaller than the values as
 * PLAIN (a column of unique ids, timestamps, measurements), the values so far are rewritten as
 * PLAIN from the dictionary, the dictionary is dropped (no dictionary page) and the chunk goes
 * on in PLAIN. It is weighed at the end of the first page or after its first
 * DICT_WEIGH_VALUES values, whichever comes first: a value that never repeats would otherwise
 * cost a cache miss in the hash table for a whole page.
 */
#define DICT_WEIGH_VALUES 1024

static int dict_weigh_first_page(struct parquet_column *c)
{
    c->dict_checked = 1;
    int bw = parquet_bit_width(c->dict.n > 0 ? c->dict.n - 1 : 0);
    uint64_t indices = 1 + ((uint64_t)c->nidx * (uint64_t)(bw > 0 ? bw : 1) + 7) / 8;
    if (indices + c->dict.data.len < c->page_plain_bytes) {
        return KC_OK;
    }
    int byte_array = c->type == PARQUET_BYTE_ARRAY;
    kc_buf_reset(&c->plain);
    for (size_t i = 0; i < c->nidx; i++) {
        const struct parquet_dict_entry *e = &c->dict.ents[c->idx[i]];
        /* byte arrays are stored with their u32 length in front, as PLAIN writes them */
        const char *v = c->dict.data.data + e->off - (byte_array ? 4 : 0);
        if (kc_buf_append(&c->plain, v, e->len + (byte_array ? 4u : 0u)) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    c->nidx = 0;
    c->fallback_pending = 0;
    c->dict_active = 0;
    c->page_dict = 0;
    parquet_dict_reset(&c->dict);
    parquet_dict_freeze(&c->dict);
    return KC_OK;
}

static int column_add_value(struct parquet_writer *w, struct parquet_column *c, const void *v,
                            size_t len)
{
    int rc;
    if (c->page_dict) {
        uint32_t index;
        int added;
        size_t nslots = c->dict.nslots;
        rc = parquet_dict_insert(&c->dict, v, len, &index, &added);
        if (rc != KC_OK) {
            return rc;
        }
        if (c->dict.nslots != nslots) {
            /* the lookup table doubled (it grows ahead of a lookup, so a repeated value's insert
             * may do it): more than a row's bytes, end_row must look */
            w->recheck = 1;
        }
        if (added) {
            w->recheck = 1; /* its page body and entries may have grown past a row's bytes */
            /* Repeats cannot move min/max, so only new dictionary entries are compared. */
            rc = stats_update(c, v, len);
            if (rc != KC_OK) {
                return rc;
            }
            if (c->dict.data.len > w->o.dictionary_page_bytes) {
                c->fallback_pending = 1;
            }
        }
        c->idx[c->nidx++] = index;
        c->page_plain_bytes += len + (c->type == PARQUET_BYTE_ARRAY ? 4 : 0);
        if (c->nidx == DICT_WEIGH_VALUES && !c->dict_checked && !c->fallback_pending) {
            w->recheck = 1; /* the page may turn PLAIN */
            c->page_values++; /* this value is in (a v2 page counts its nulls from it) */
            return dict_weigh_first_page(c);
        }
    } else if (c->type == PARQUET_BOOLEAN) {
        if (c->page_values % 8 == 0 && kc_buf_append_byte(&c->plain, 0) != KC_OK) {
            return KC_ENOMEM;
        }
        if (*(const uint8_t *)v) {
            c->plain.data[c->plain.len - 1] |= (char)(1u << (c->page_values % 8));
        }
        rc = stats_update(c, v, len);
        if (rc != KC_OK) {
            return rc;
        }
    } else {
        if (c->type == PARQUET_BYTE_ARRAY) {
            uint8_t lenb[4] = {(uint8_t)len, (uint8_t)(len >> 8), (uint8_t)(len >> 16),
                               (uint8_t)(len >> 24)};
            if (kc_buf_append(&c->plain, lenb, 4) != KC_OK) {
                return KC_ENOMEM;
            }
        }
        /* the fixed widths with a constant size, so that the copy is a move */
        rc = len == 8   ? kc_buf_append(&c->plain, v, 8)
             : len == 4 ? kc_buf_append(&c->plain, v, 4)
                        : kc_buf_append(&c->plain, v, len);
        if (rc != KC_OK) {
            return KC_ENOMEM;
        }
        rc = stats_update(c, v, len);
        if (rc != KC_OK) {
            return rc;
        }
    }
    c->page_values++;
    return KC_OK;
}

/* utf8_known: the caller vouches that text values are valid UTF-8 (the direct path's, which
 * the strict scanner validated). */
static inline __attribute__((always_inline)) int
writer_write(struct parquet_writer *w, int leaf, int rep, int def, const void *v, size_t len,
             int utf8_known, struct kc_error *err)
{
    struct parquet_column *c;
    int rc = poisoned(w, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (leaf < 0 || leaf >= w->ncols) {
        return kc_error_set(err, KC_EINVAL, "parquet: no leaf column %d", leaf);
    }
    c = &w->cols[leaf];
    if (def < 0 || def > c->max_def || rep < 0 || rep > c->max_rep) {
        return kc_error_set(err, KC_EINVAL,
                            "parquet: column '%s': levels rep=%d def=%d out of range (max %d/%d)",
                            c->nd->name, rep, def, c->max_rep, c->max_def);
    }
    if ((rep == 0) == (c->touched != 0)) {
        return kc_error_set(err, KC_EINVAL,
                            "parquet: column '%s': %s", c->nd->name,
                            rep == 0 ? "second entry with rep 0 in one row (end_row missing?)"
                                     : "first entry of a row must have rep 0");
    }
    if (rep > 0 && def < rep) {
        /* A repeated entry below level rep implies its ancestors are defined. */
        return kc_error_set(err, KC_EINVAL, "parquet: column '%s': def %d below rep %d",
                            c->nd->name, def, rep);
    }
    if (def == c->max_def) {
        if (v == NULL && len > 0) {
            return kc_error_set(err, KC_EINVAL, "parquet: column '%s': NULL value",
                                c->nd->name);
        }
        if (v == NULL) {
            v = ""; /* an empty byte array given as (NULL, 0) */
        }
        if (c->width != 0 && len != c->width) {
            return kc_error_set(err, KC_EINVAL,
                                "parquet: column '%s': value has %zu bytes, the type needs %zu",
                                c->nd->name, len, c->width);
        }
        if (c->width == 0 && len > PARQUET_MAX_VALUE_BYTES) {
            return kc_error_set(err, KC_EINVAL, "parquet: column '%s': value of %zu bytes is too "
                                                "large",
                                c->nd->name, len);
        }
        if (c->check_utf8 && !utf8_known && !parquet_utf8_valid(v, len)) {
            return kc_error_set(err, KC_EINVAL, "parquet: column '%s': text is not valid UTF-8",
                                c->nd->name);
        }
        if (c->type == PARQUET_BOOLEAN && *(const uint8_t *)v > 1) {
            return kc_error_set(err, KC_EINVAL, "parquet: column '%s': boolean must be 0 or 1",
                                c->nd->name);
        }
    }
    if (column_reserve(c) != KC_OK) {
        goto nomem;
    }
    if (def == c->max_def) {
        if (column_add_value(w, c, v, len) != KC_OK) {
            goto nomem;
        }
    } else {
        c->chunk_nulls++;
    }
    c->defs[c->nlevels] = (uint16_t)def;
    if (c->reps != NULL) {
        c->reps[c->nlevels] = (uint16_t)rep;
    }
    c->nlevels++;
    c->touched = 1;
    w->row_open = 1;
    return KC_OK;
nomem:
    return poison(w, kc_error_set(err, KC_ENOMEM, "parquet: out of memory appending to '%s'",
                                  c->nd->name));
}

int parquet_writer_write(struct parquet_writer *w, int leaf, int rep, int def, const void *v,
                         size_t len, struct kc_error *err)
{
    return writer_write(w, leaf, rep, def, v, len, 0, err);
}

int parquet_writer_write_utf8(struct parquet_writer *w, int leaf, int rep, int def,
                              const void *v, size_t len, struct kc_error *err)
{
    return writer_write(w, leaf, rep, def, v, len, 1, err);
}

static int flat_check(struct parquet_writer *w, int leaf, struct kc_error *err)
{
    if (leaf < 0 || leaf >= w->ncols) {
        return kc_error_set(err, KC_EINVAL, "parquet: no leaf column %d", leaf);
    }
    if (w->cols[leaf].max_rep != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "parquet: column '%s' is repeated; use parquet_writer_write",
                            w->cols[leaf].nd->name);
    }
    return KC_OK;
}

int parquet_writer_append_null(struct parquet_writer *w, int leaf, struct kc_error *err)
{
    int rc = flat_check(w, leaf, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (w->cols[leaf].max_def == 0) {
        return kc_error_set(err, KC_EINVAL, "parquet: column '%s' is required, null given",
                            w->cols[leaf].nd->name);
    }
    return parquet_writer_write(w, leaf, 0, w->cols[leaf].max_def - 1, NULL, 0, err);
}

static int flat_append(struct parquet_writer *w, int leaf, enum parquet_type type, const void *v,
                       size_t len, struct kc_error *err)
{
    int rc = flat_check(w, leaf, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (w->cols[leaf].type != type &&
        !(type == PARQUET_BYTE_ARRAY && w->cols[leaf].type == PARQUET_FIXED_LEN_BYTE_ARRAY)) {
        return kc_error_set(err, KC_EINVAL, "parquet: column '%s' has another physical type",
                            w->cols[leaf].nd->name);
    }
    return parquet_writer_write(w, leaf, 0, w->cols[leaf].max_def, v, len, err);
}

int parquet_writer_append_bool(struct parquet_writer *w, int leaf, int v, struct kc_error *err)
{
    uint8_t b = v != 0;
    return flat_append(w, leaf, PARQUET_BOOLEAN, &b, 1, err);
}

int parquet_writer_append_i32(struct parquet_writer *w, int leaf, int32_t v,
                              struct kc_error *err)
{
    return flat_append(w, leaf, PARQUET_INT32, &v, 4, err);
}

int parquet_writer_append_i64(struct parquet_writer *w, int leaf, int64_t v,
                              struct kc_error *err)
{
    return flat_append(w, leaf, PARQUET_INT64, &v, 8, err);
}

int parquet_writer_append_float(struct parquet_writer *w, int leaf, float v,
                                struct kc_error *err)
{
    return flat_append(w, leaf, PARQUET_FLOAT, &v, 4, err);
}

int parquet_writer_append_double(struct parquet_writer *w, int leaf, double v,
                                 struct kc_error *err)
{
    return flat_append(w, leaf, PARQUET_DOUBLE, &v, 8, err);
}

int parquet_writer_append_bytes(struct parquet_writer *w, int leaf, const void *p, size_t len,
                                struct kc_error *err)
{
    return flat_append(w, leaf, PARQUET_BYTE_ARRAY, p, len, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Pages */

static int emit(struct parquet_writer *w, const void *p, size_t n, struct kc_error *err)
{
    if (n == 0) {
        return KC_OK;
    }
    if (w->write(w->opaque, p, n) != 0) {
        return poison(w, kc_error_set(err, KC_EIO, "parquet: write callback failed at offset "
                                                   "%llu",
                                      (unsigned long long)w->offset));
    }
    w->offset += n;
    return KC_OK;
}

static int start_file(struct parquet_writer *w, struct kc_error *err)
{
    if (w->started) {
        return KC_OK;
    }
    w->started = 1;
    return emit(w, "PAR1", 4, err);
}

/* Append levels as a v1 section (4-byte length + RLE) or a bare v2 section. */
static int put_levels(struct kc_buf *out, const uint16_t *lv, size_t n, int max_level,
                      int with_len)
{
    size_t at = out->len;
    if (with_len && kc_buf_append(out, "\0\0\0\0", 4) != KC_OK) {
        return KC_ENOMEM;
    }
    if (parquet_rle_levels(out, lv, n, parquet_bit_width((uint32_t)max_level)) != KC_OK) {
        return KC_ENOMEM;
    }
    if (with_len) {
        size_t l = out->len - at - 4;
        uint8_t lenb[4] = {(uint8_t)l, (uint8_t)(l >> 8), (uint8_t)(l >> 16), (uint8_t)(l >> 24)};
        memcpy(out->data + at, lenb, 4);
    }
    return KC_OK;
}

static int put_values(struct parquet_column *c, struct kc_buf *out, int dict)
{
    if (!dict) {
        return kc_buf_append(out, c->plain.data, c->plain.len);
    }
    int bw = parquet_bit_width(c->dict.n > 0 ? c->dict.n - 1 : 0);
    struct parquet_rle r;
    if (bw == 0) {
        bw = 1; /* a zero width is legal, but some readers stumble on it */
    }
    if (kc_buf_append_byte(out, (uint8_t)bw) != KC_OK) {
        return KC_ENOMEM;
    }
    parquet_rle_init(&r, out, bw);
    for (size_t i = 0; i < c->nidx; i++) {
        parquet_rle_put(&r, c->idx[i]);
    }
    return parquet_rle_finish(&r);
}

/* Cut the open page: encode its levels and values into the chunk (see parquet_page_rec). */
static int page_flush(struct parquet_writer *w, struct parquet_column *c, struct kc_error *err)
{
    struct parquet_page_rec pr;
    struct parquet_page_header *ph = &pr.ph;
    struct kc_buf *out = &c->chunk;
    size_t at = out->len;

    if (c->nlevels == 0) {
        return KC_OK;
    }
    if (c->page_dict && c->page_values > 0 && !c->dict_checked &&
        dict_weigh_first_page(c) != KC_OK) {
        goto nomem;
    }
    if (c->npages == c->pages_cap) {
        size_t ncap = c->pages_cap ? c->pages_cap * 2 : 8;
        struct parquet_page_rec *np = kc_realloc(c->pages, ncap * sizeof(*np));
        if (np == NULL) {
            goto nomem;
        }
        c->pages = np;
        c->pages_cap = ncap;
    }
    int dict = c->page_dict && c->page_values > 0;
    memset(&pr, 0, sizeof(pr));
    ph->num_values = (int32_t)c->nlevels;
    ph->encoding = dict ? PARQUET_ENC_RLE_DICTIONARY : PARQUET_ENC_PLAIN;
    if (w->o.page_version == 2) {
        ph->type = PARQUET_PAGE_DATA_V2;
        if (c->max_rep > 0 && put_levels(out, c->reps, c->nlevels, c->max_rep, 0)) {
            goto nomem;
        }
        ph->rep_len = (int32_t)(out->len - at);
        if (c->max_def > 0 && put_levels(out, c->defs, c->nlevels, c->max_def, 0)) {
            goto nomem;
        }
        pr.levels_len = out->len - at;
        ph->def_len = (int32_t)(pr.levels_len - (size_t)ph->rep_len);
        ph->num_nulls = (int32_t)(c->nlevels - c->page_values);
        ph->num_rows = (int32_t)c->page_rows;
        ph->is_compressed = w->o.codec != PARQUET_CODEC_NONE;
    } else {
        ph->type = PARQUET_PAGE_DATA;
        if (c->max_rep > 0 && put_levels(out, c->reps, c->nlevels, c->max_rep, 1)) {
            goto nomem;
        }
        if (c->max_def > 0 && put_levels(out, c->defs, c->nlevels, c->max_def, 1)) {
            goto nomem;
        }
    }
    if (put_values(c, out, dict) != KC_OK) {
        goto nomem;
    }
    if (out->len - at > INT32_MAX) {
        out->len = at;
        return poison(w, kc_error_set(err, KC_EFATAL, "parquet: column '%s': page over 2 GiB",
                                      c->nd->name));
    }
    pr.body_len = out->len - at - pr.levels_len;
    ph->uncompressed_size = (int32_t)(out->len - at);
    c->pages[c->npages++] = pr;
    c->encodings |= 1u << ph->encoding;
    if (c->max_def > 0 || c->max_rep > 0) {
        c->encodings |= 1u << PARQUET_ENC_RLE;
    }
    c->chunk_levels += (int64_t)c->nlevels;
    c->nlevels = 0;
    c->nidx = 0;
    kc_buf_reset(&c->plain);
    c->page_values = 0;
    c->page_rows = 0;
    c->page_plain_bytes = 0;
    if (c->fallback_pending) {
        c->fallback_pending = 0;
        c->dict_active = 0;
        parquet_dict_freeze(&c->dict);
    }
    c->page_dict = c->dict_active;
    return KC_OK;
nomem:
    return poison(w, kc_error_set(err, KC_ENOMEM, "parquet: out of memory writing a page of '%s'",
                                  c->nd->name));
}

/* Write the chunk's data pages: each compressed now, behind its header. *uncompressed (IN/OUT)
 * grows by the pages' uncompressed sizes with their headers. */
static int emit_pages(struct parquet_writer *w, struct parquet_column *c, int64_t *uncompressed,
                      struct kc_error *err)
{
    size_t off = 0;
    for (size_t i = 0; i < c->npages; i++) {
        struct parquet_page_rec *pr = &c->pages[i];
        const char *levels = c->chunk.data + off;
        const char *body = levels + pr->levels_len;
        size_t body_len = pr->body_len;
        int rc;
        off += pr->levels_len + pr->body_len;
        if (w->o.codec != PARQUET_CODEC_NONE) {
            rc = parquet_compress(w->o.codec, w->o.compression_level, body, body_len, &w->s_comp,
                                  err);
            if (rc != KC_OK) {
                return poison(w, rc == KC_EINVAL ? KC_EFATAL : rc);
            }
            body = w->s_comp.data;
            body_len = w->s_comp.len;
        }
        if (pr->levels_len + body_len > INT32_MAX) {
            return poison(w, kc_error_set(err, KC_EFATAL, "parquet: column '%s': page over "
                                                          "2 GiB",
                                          c->nd->name));
        }
        pr->ph.compressed_size = (int32_t)(pr->levels_len + body_len);
        kc_buf_reset(&w->s_header);
        rc = parquet_thrift_page_header(&w->s_header, &pr->ph, err);
        if (rc != KC_OK) {
            return poison(w, rc);
        }
        if ((rc = emit(w, w->s_header.data, w->s_header.len, err)) != KC_OK ||
            (rc = emit(w, levels, pr->levels_len, err)) != KC_OK ||
            (rc = emit(w, body, body_len, err)) != KC_OK) {
            return rc;
        }
        *uncompressed += (int64_t)w->s_header.len + pr->ph.uncompressed_size;
    }
    return KC_OK;
}

static size_t page_estimate(const struct parquet_column *c)
{
    size_t values = c->plain.len;
    if (c->page_dict) {
        values = c->nidx * (size_t)parquet_bit_width(c->dict.n) / 8;
    }
    return values + c->nlevels / 4;
}

static int end_row(struct parquet_writer *w, struct kc_error *err);
static int end_row_within(struct parquet_writer *w, size_t row_bytes, struct kc_error *err);

int parquet_writer_end_row(struct parquet_writer *w, struct kc_error *err)
{
    int rc = poisoned(w, err);
    if (rc != KC_OK) {
        return rc;
    }
    for (int i = 0; i < w->ncols; i++) {
        if (!w->cols[i].touched) {
            return poison(w, kc_error_set(err, KC_EFATAL,
                                          "parquet: column '%s' got no entry in row %llu",
                                          w->cols[i].nd->name, (unsigned long long)w->rows));
        }
    }
    return end_row(w, err);
}

int parquet_writer_write_direct_row(struct parquet_writer *w, const struct stage *st, size_t n,
                                    const char *bytes, struct kc_error *err)
{
    int rc = poisoned(w, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (n != (size_t)w->ncols || w->row_open) {
        return PARQUET_DIRECT_DECLINED;
    }
    for (size_t i = 0; i < n; i++) {
        const struct stage *e = &st[i];
        if ((unsigned)e->leaf >= (unsigned)w->ncols) {
            return PARQUET_DIRECT_DECLINED; /* not a direct row: parquet_writer_write says why */
        }
        const struct parquet_column *c = &w->cols[e->leaf];
        if (e->def != c->max_def) {
            continue; /* a null (levels below the column's own are the shredder's) */
        }
        if (c->width != 0 && e->len != c->width) {
            return kc_error_set(err, KC_EINVAL,
                                "parquet: column '%s': value has %zu bytes, the type needs %zu",
                                c->nd->name, e->len, c->width);
        }
        if (c->width == 0 && e->len > PARQUET_MAX_VALUE_BYTES) {
            return kc_error_set(err, KC_EINVAL, "parquet: column '%s': value of %zu bytes is too "
                                                "large",
                                c->nd->name, e->len);
        }
        if (c->check_utf8 && e->at == STAGE_BYTES &&
            !parquet_utf8_valid(bytes + e->off, e->len)) {
            return kc_error_set(err, KC_EINVAL, "parquet: column '%s': text is not valid UTF-8",
                                c->nd->name);
        }
    }
    size_t row_bytes = 0; /* at least what the row adds to any page and to the row group */
    for (size_t i = 0; i < n; i++) {
        const struct stage *e = &st[i];
        struct parquet_column *c = &w->cols[e->leaf];
        if (column_reserve(c) != KC_OK) {
            goto nomem;
        }
        row_bytes += e->len + ROW_ENTRY_BYTES;
        if (e->def == c->max_def) {
            const void *v = e->at == STAGE_INLINE  ? (const void *)e->inl
                            : e->at == STAGE_BYTES ? (const void *)(bytes + e->off)
                                                   : e->p;
            if (column_add_value(w, c, v != NULL ? v : "", e->len) != KC_OK) {
                goto nomem;
            }
        } else {
            c->chunk_nulls++;
        }
        c->defs[c->nlevels++] = (uint16_t)e->def;
        continue;
    nomem:
        return poison(w, kc_error_set(err, KC_ENOMEM, "parquet: out of memory appending to '%s'",
                                      c->nd->name));
    }
    return end_row_within(w, row_bytes, err);
}

/* The row's entries are in: cut the pages and the row group that are full. */
static int end_row(struct parquet_writer *w, struct kc_error *err)
{
    size_t buffered = 0;
    size_t page_max = 0;    /* the largest open page's estimate, after the cuts */
    uint32_t rows_max = 0;  /* the most rows an open page holds, after the cuts */
    int rc;
    for (int i = 0; i < w->ncols; i++) {
        struct parquet_column *c = &w->cols[i];
        c->touched = 0;
        c->page_rows++;
        size_t pe = page_estimate(c);
        if (c->fallback_pending || c->page_rows >= w->o.page_rows || pe >= w->o.page_bytes) {
            rc = page_flush(w, c, err);
            if (rc != KC_OK) {
                return rc;
            }
            pe = page_estimate(c);
        }
        page_max = pe > page_max ? pe : page_max;
        rows_max = c->page_rows > rows_max ? c->page_rows : rows_max;
        buffered += column_buffered(c);
    }
    w->row_open = 0;
    w->rows++;
    w->rg_rows++;
    size_t limit = w->o.row_group_bytes;
    if (w->o.memory_cap && w->o.memory_cap < limit) {
        limit = w->o.memory_cap;
    }
    /* every page's estimate and the row group's bytes only grow until a cut resets them, so
     * below these the next rows cannot reach a threshold */
    size_t rg_room = buffered < limit ? limit - buffered : 0;
    size_t page_room = page_max < w->o.page_bytes ? w->o.page_bytes - page_max : 0;
    w->room_bytes = rg_room < page_room ? rg_room : page_room;
    w->room_rows = rows_max < w->o.page_rows ? w->o.page_rows - rows_max : 0;
    w->recheck = 0;
    if (buffered >= limit || (w->o.row_group_rows && w->rg_rows >= w->o.row_group_rows)) {
        return parquet_writer_flush_row_group(w, err);
    }
    return KC_OK;
}

/*
 * end_row for a direct row that added at most row_bytes to any open page's estimate and to the
 * row group's bytes (its values' lengths plus ROW_ENTRY_BYTES an entry): when that fits in the
 * room the last full pass left, and no dictionary took a value since, no page and no row group
 * can be full, and the per-column sums are skipped. The same cuts as end_row, at the same rows.
 */
static int end_row_within(struct parquet_writer *w, size_t row_bytes, struct kc_error *err)
{
    if (w->recheck || row_bytes >= w->room_bytes || w->room_rows <= 1) {
        return end_row(w, err);
    }
    w->room_bytes -= row_bytes;
    w->room_rows--;
    for (int i = 0; i < w->ncols; i++) {
        w->cols[i].touched = 0;
        w->cols[i].page_rows++;
    }
    w->row_open = 0;
    w->rows++;
    w->rg_rows++;
    if (w->o.row_group_rows && w->rg_rows >= w->o.row_group_rows) {
        return parquet_writer_flush_row_group(w, err);
    }
    return KC_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Row groups and footer */

static void stats_out(struct parquet_column *c, struct parquet_stats_out *st, uint8_t *minb,
                      uint8_t *maxb)
{
    memset(st, 0, sizeof(*st));
    st->null_count = c->chunk_nulls;
    if (!c->has_minmax || !c->minmax_valid || c->sort == PARQUET_SORT_NONE) {
        return;
    }
    st->has_minmax = 1;
    switch (c->type) {
    case PARQUET_BOOLEAN:
        minb[0] = (uint8_t)c->min.u32;
        maxb[0] = (uint8_t)c->max.u32;
        st->min_len = st->max_len = 1;
        break;
    case PARQUET_INT32:
        memcpy(minb, &c->min.i32, 4);
        memcpy(maxb, &c->max.i32, 4);
        st->min_len = st->max_len = 4;
        break;
    case PARQUET_INT64:
        memcpy(minb, &c->min.i64, 8);
        memcpy(maxb, &c->max.i64, 8);
        st->min_len = st->max_len = 8;
        break;
    case PARQUET_FLOAT: {
        /* Zero's sign is unknowable from min/max alone: widen to -0.0 .. +0.0. */
        float mn = c->min.f == 0.0f ? -0.0f : c->min.f;
        float mx = c->max.f == 0.0f ? 0.0f : c->max.f;
        memcpy(minb, &mn, 4);
        memcpy(maxb, &mx, 4);
        st->min_len = st->max_len = 4;
        break;
    }
    case PARQUET_DOUBLE: {
        double mn = c->min.d == 0.0 ? -0.0 : c->min.d;
        double mx = c->max.d == 0.0 ? 0.0 : c->max.d;
        memcpy(minb, &mn, 8);
        memcpy(maxb, &mx, 8);
        st->min_len = st->max_len = 8;
        break;
    }
    case PARQUET_INT96:
        st->has_minmax = 0;
        return;
    case PARQUET_BYTE_ARRAY:
    case PARQUET_FIXED_LEN_BYTE_ARRAY:
        st->min = c->min_bytes.data;
        st->min_len = c->min_bytes.len;
        st->max = c->max_bytes.data;
        st->max_len = c->max_bytes.len;
        return;
    }
    st->min = minb;
    st->max = maxb;
}

int parquet_writer_flush_row_group(struct parquet_writer *w, struct kc_error *err)
{
    struct parquet_chunk_meta *metas = NULL;
    uint8_t (*minmax)[2][8] = NULL;
    int64_t rg_offset;
    int rc = poisoned(w, err);

    if (rc != KC_OK) {
        return rc;
    }
    if (w->row_open) {
        return kc_error_set(err, KC_EINVAL, "parquet: flush in the middle of a row");
    }
    if (w->rg_rows == 0) {
        return KC_OK;
    }
    metas = kc_calloc((size_t)w->ncols, sizeof(*metas));
    minmax = kc_calloc((size_t)w->ncols, sizeof(*minmax));
    if (metas == NULL || minmax == NULL) {
        rc = poison(w, kc_error_set(err, KC_ENOMEM, "parquet: out of memory flushing a row "
                                                    "group"));
        goto out;
    }
    rc = start_file(w, err);
    if (rc != KC_OK) {
        goto out;
    }
    rg_offset = (int64_t)w->offset;
    for (int i = 0; i < w->ncols; i++) {
        struct parquet_column *c = &w->cols[i];
        struct parquet_chunk_meta *m = &metas[i];
        int64_t start = (int64_t)w->offset;
        int64_t uncompressed = 0;

        rc = page_flush(w, c, err);
        if (rc != KC_OK) {
            goto out;
        }
        m->dictionary_page_offset = -1;
        if (c->dict.n > 0) {
            struct parquet_page_header ph;
            const struct kc_buf *body = &c->dict.data;
            memset(&ph, 0, sizeof(ph));
            if (w->o.codec != PARQUET_CODEC_NONE) {
                rc = parquet_compress(w->o.codec, w->o.compression_level, c->dict.data.data,
                                      c->dict.data.len, &w->s_comp, err);
                if (rc != KC_OK) {
                    rc = poison(w, rc == KC_EINVAL ? KC_EFATAL : rc);
                    goto out;
                }
                body = &w->s_comp;
            }
            ph.type = PARQUET_PAGE_DICTIONARY;
            ph.uncompressed_size = (int32_t)c->dict.data.len;
            ph.compressed_size = (int32_t)body->len;
            ph.num_values = (int32_t)c->dict.n;
            ph.encoding = PARQUET_ENC_PLAIN;
            kc_buf_reset(&w->s_header);
            rc = parquet_thrift_page_header(&w->s_header, &ph, err);
            if (rc != KC_OK) {
                rc = poison(w, rc);
                goto out;
            }
            m->dictionary_page_offset = start;
            rc = emit(w, w->s_header.data, w->s_header.len, err);
            if (rc == KC_OK) {
                rc = emit(w, body->data, body->len, err);
            }
            if (rc != KC_OK) {
                goto out;
            }
            uncompressed += (int64_t)(w->s_header.len + c->dict.data.len);
            c->encodings |= 1u << PARQUET_ENC_PLAIN;
        }
        m->data_page_offset = (int64_t)w->offset;
        rc = emit_pages(w, c, &uncompressed, err);
        if (rc != KC_OK) {
            goto out;
        }
        m->type = c->type;
        m->encodings = c->encodings;
        m->path = c->path;
        m->path_len = c->path_len;
        m->codec = w->o.codec;
        m->num_values = c->chunk_levels;
        m->total_uncompressed = uncompressed;
        m->total_compressed = (int64_t)w->offset - start;
        stats_out(c, &m->stats, minmax[i][0], minmax[i][1]);
    }
    rc = parquet_thrift_row_group(&w->footer_rgs, metas, w->ncols, (int64_t)w->rg_rows,
                                  rg_offset, w->n_rg < 32768 ? (int16_t)w->n_rg : -1, err);
    if (rc != KC_OK) {
        rc = poison(w, rc);
        goto out;
    }
    w->n_rg++;
    w->rows_flushed += w->rg_rows;
    w->rg_rows = 0;
    for (int i = 0; i < w->ncols; i++) {
        column_chunk_reset(w, &w->cols[i]);
    }
    if (w->o.memory_cap != 0) {
        /* page scratch (as large as the largest page) is given back between row groups too */
        struct kc_buf *scratch[] = {&w->s_comp, &w->s_header};
        for (size_t i = 0; i < sizeof(scratch) / sizeof(scratch[0]); i++) {
            size_t limit = scratch[i]->limit;
            kc_buf_fini(scratch[i]);
            kc_buf_init(scratch[i], limit);
        }
    }
out:
    kc_free(minmax);
    kc_free(metas);
    return rc;
}

int parquet_writer_close(struct parquet_writer *w, struct kc_error *err)
{
    struct kc_buf footer;
    uint8_t tail[8];
    int rc = poisoned(w, err);

    kc_buf_init(&footer, PARQUET_BUF_LIMIT);
    if (rc != KC_OK) {
        goto out;
    }
    if (w->row_open) {
        rc = kc_error_set(err, KC_EINVAL, "parquet: close in the middle of a row");
        goto out;
    }
    rc = parquet_writer_flush_row_group(w, err);
    if (rc == KC_OK) {
        rc = start_file(w, err);
    }
    if (rc != KC_OK) {
        goto out;
    }
    rc = parquet_thrift_file_metadata(&footer, w->s, (int64_t)w->rows_flushed, w->footer_rgs.data,
                                      w->footer_rgs.len, w->n_rg, w->kv, w->nkv, w->created_by,
                                      err);
    if (rc != KC_OK) {
        rc = poison(w, rc);
        goto out;
    }
    tail[0] = (uint8_t)footer.len;
    tail[1] = (uint8_t)(footer.len >> 8);
    tail[2] = (uint8_t)(footer.len >> 16);
    tail[3] = (uint8_t)(footer.len >> 24);
    memcpy(tail + 4, "PAR1", 4);
    rc = emit(w, footer.data, footer.len, err);
    if (rc == KC_OK) {
        rc = emit(w, tail, 8, err);
    }
    if (rc == KC_OK) {
        w->closed = 1;
    }
out:
    kc_buf_fini(&footer);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Lifecycle */

int parquet_writer_new(struct parquet_writer **out, struct parquet_schema *s,
                       const struct parquet_writer_options *o, parquet_write_fn *write,
                       void *opaque, struct kc_error *err)
{
    struct parquet_writer *w = NULL;
    int rc;

    *out = NULL;
    if (s == NULL || o == NULL || write == NULL) {
        parquet_schema_free(s);
        return kc_error_set(err, KC_EINVAL, "parquet: writer needs a schema, options and a "
                                            "write callback");
    }
    if (o->page_version != 1 && o->page_version != 2) {
        parquet_schema_free(s);
        return kc_error_set(err, KC_EINVAL, "parquet: page version must be 1 or 2, not %d",
                            o->page_version);
    }
    if (parquet_codec_name(o->codec)[0] == '?') {
        parquet_schema_free(s);
        return kc_error_set(err, KC_EINVAL, "parquet: unknown codec %d", (int)o->codec);
    }
    w = kc_calloc(1, sizeof(*w));
    if (w == NULL) {
        parquet_schema_free(s);
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    w->s = s;
    w->o = *o;
    if (w->o.page_bytes == 0) {
        w->o.page_bytes = (size_t)1 << 20;
    }
    if (w->o.page_rows == 0) {
        w->o.page_rows = 20000;
    }
    if (w->o.dictionary_page_bytes > ((size_t)1 << 30)) {
        w->o.dictionary_page_bytes = (size_t)1 << 30; /* page sizes are int32 in the format */
    }
    if (w->o.row_group_bytes == 0) {
        w->o.row_group_bytes = (size_t)64 << 20;
    }
    w->write = write;
    w->opaque = opaque;
    kc_buf_init(&w->footer_rgs, PARQUET_BUF_LIMIT);
    kc_buf_init(&w->s_comp, PARQUET_BUF_LIMIT);
    kc_buf_init(&w->s_header, PARQUET_BUF_LIMIT);
    rc = parquet_schema_finish(s, err);
    if (rc != KC_OK) {
        goto out;
    }
    w->created_by = kc_strdup(o->created_by != NULL ? o->created_by : PARQUET_VERSION_STRING);
    w->cols = kc_calloc((size_t)s->nleaves, sizeof(*w->cols));
    if (w->created_by == NULL || w->cols == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
        goto out;
    }
    for (int i = 0; i < s->nleaves; i++) {
        w->ncols = i + 1;
        if (column_init(w, &w->cols[i], s->leaves[i]) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
            goto out;
        }
    }
out:
    if (rc != KC_OK) {
        parquet_writer_free(w); /* frees the schema too: it was taken */
        return rc;
    }
    *out = w;
    return KC_OK;
}

void parquet_writer_free(struct parquet_writer *w)
{
    if (w == NULL) {
        return;
    }
    for (int i = 0; i < w->ncols; i++) {
        column_fini(&w->cols[i]);
    }
    kc_free(w->cols);
    for (size_t i = 0; i < w->nkv; i++) {
        kc_free(w->kv[i].key);
        kc_free(w->kv[i].value);
    }
    kc_free(w->kv);
    kc_free(w->created_by);
    kc_buf_fini(&w->footer_rgs);
    kc_buf_fini(&w->s_comp);
    kc_buf_fini(&w->s_header);
    parquet_schema_free(w->s);
    kc_free(w);
}

const struct parquet_schema *parquet_writer_schema(const struct parquet_writer *w)
{
    return w->s;
}

int parquet_writer_kv_add(struct parquet_writer *w, const char *key, const char *value,
                          struct kc_error *err)
{
    struct parquet_kv *kv;
    int rc = poisoned(w, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (key == NULL || !parquet_utf8_valid(key, strlen(key)) ||
        (value != NULL && !parquet_utf8_valid(value, strlen(value)))) {
        return kc_error_set(err, KC_EINVAL, "parquet: key-value metadata must be UTF-8 text");
    }
    kv = kc_realloc(w->kv, (w->nkv + 1) * sizeof(*kv));
    if (kv == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    w->kv = kv;
    kv[w->nkv].key = kc_strdup(key);
    kv[w->nkv].value = value != NULL ? kc_strdup(value) : NULL;
    if (kv[w->nkv].key == NULL || (value != NULL && kv[w->nkv].value == NULL)) {
        kc_free(kv[w->nkv].key);
        kc_free(kv[w->nkv].value);
        return kc_error_set(err, KC_ENOMEM, "parquet: out of memory");
    }
    w->nkv++;
    return KC_OK;
}

size_t parquet_writer_buffered_bytes(const struct parquet_writer *w)
{
    size_t n = 0;
    for (int i = 0; i < w->ncols; i++) {
        n += column_buffered(&w->cols[i]);
    }
    return n;
}

/* malloc's per-block overhead, counted for every live block of a footprint */
#define HEAP_BLOCK 16

static size_t buf_heap(const struct kc_buf *b)
{
    return b->cap > 0 ? b->cap + HEAP_BLOCK : 0;
}

size_t parquet_writer_footprint(const struct parquet_writer *w)
{
    size_t n = sizeof(*w) + HEAP_BLOCK + (size_t)w->ncols * sizeof(w->cols[0]) + HEAP_BLOCK;
    for (int i = 0; i < w->ncols; i++) {
        const struct parquet_column *c = &w->cols[i];
        n += (size_t)c->path_len * sizeof(c->path[0]) + HEAP_BLOCK;
        n += c->levels_cap * sizeof(uint16_t) * (c->max_rep > 0 ? 2 : 1) + 2 * HEAP_BLOCK;
        n += c->idx_cap * sizeof(uint32_t) + HEAP_BLOCK;
        n += c->pages_cap * sizeof(c->pages[0]) + HEAP_BLOCK;
        n += buf_heap(&c->plain) + buf_heap(&c->chunk) + buf_heap(&c->min_bytes) +
             buf_heap(&c->max_bytes);
        n += c->dict.nslots * sizeof(c->dict.slots[0]) + c->dict.cap * sizeof(c->dict.ents[0]) +
             buf_heap(&c->dict.data) + 2 * HEAP_BLOCK;
    }
    n += buf_heap(&w->footer_rgs) + buf_heap(&w->s_comp) + buf_heap(&w->s_header);
    n += (size_t)w->s->n * (sizeof(w->s->nodes[0]) + 32 + HEAP_BLOCK); /* names */
    return n;
}

uint64_t parquet_writer_rows(const struct parquet_writer *w)
{
    return w->rows;
}

uint64_t parquet_writer_rows_flushed(const struct parquet_writer *w)
{
    return w->rows_flushed;
}

uint64_t parquet_writer_bytes_written(const struct parquet_writer *w)
{
    return w->offset;
}
