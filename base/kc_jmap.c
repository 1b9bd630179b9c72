/*
 * base/kc_jmap.c: java.util.HashMap iteration order for string maps (see kc_jmap.h).
 */
#include "kc_jmap.h"

#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_error.h"

static uint32_t utf8_next(const unsigned char *s, size_t *i)
{
    unsigned c = s[*i];
    uint32_t cp;
    int extra;
    if (c < 0x80) {
        (*i)++;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        cp = c & 0x1F;
        extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
        cp = c & 0x0F;
        extra = 2;
    } else if ((c & 0xF8) == 0xF0) {
        cp = c & 0x07;
        extra = 3;
    } else {
        (*i)++;
        return 0xFFFD;
    }
    (*i)++;
    for (int k = 0; k < extra; k++) {
        if ((s[*i] & 0xC0) != 0x80) {
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[*i] & 0x3F);
        (*i)++;
    }
    return cp;
}

int32_t kc_jmap_string_hash(const char *s)
{
    uint32_t h = 0;
    size_t i = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (u[i] != '\0') {
        uint32_t cp = utf8_next(u, &i);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = 31u * h + (0xD800u + (cp >> 10));
            h = 31u * h + (0xDC00u + (cp & 0x3FF));
        } else {
            h = 31u * h + cp;
        }
    }
    return (int32_t)h;
}

size_t kc_jmap_table_size(size_t n, int copy)
{
    size_t cap = copy ? 1 : 16;
    if (copy) {
        /* new HashMap<>(m): tableSizeFor((int)(size / 0.75f + 1.0f)) */
        size_t want = (size_t)((float)n / 0.75f + 1.0f);
        while (cap < want) {
            cap <<= 1;
        }
    } else {
        /* new HashMap<>() then n puts: resize when size > 0.75 * capacity */
        while ((float)n > (float)cap * 0.75f) {
            cap <<= 1;
        }
    }
    return cap;
}

static uint32_t bucket_of(const char *key, size_t cap)
{
    uint32_t h = (uint32_t)kc_jmap_string_hash(key);
    return (h ^ (h >> 16)) & (uint32_t)(cap - 1);
}

void kc_jmap_order(const char *const *keys, size_t n, size_t cap, size_t *order)
{
    /* Iteration = bucket index order; inside a bucket, insertion order (resizes keep it).
     * Each key is hashed once and the buckets are counted when the table is not much larger
     * than the map (it never is: cap <= 4n + 16), else a stable insertion sort on the
     * precomputed buckets; a 50k-key config sorts in O(n), not O(n^2) hashes. */
    uint32_t *bk = n > 0 ? kc_malloc(n * sizeof(*bk)) : NULL;
    size_t *start = (bk != NULL && cap <= 4 * n + 64) ? kc_calloc(cap + 1, sizeof(*start)) : NULL;
    if (start != NULL) {
        for (size_t i = 0; i < n; i++) {
            bk[i] = bucket_of(keys[i], cap);
            start[bk[i] + 1]++;
        }
        for (size_t b = 0; b < cap; b++) {
            start[b + 1] += start[b];
        }
        for (size_t i = 0; i < n; i++) {
            order[start[bk[i]]++] = i;
        }
        kc_free(start);
        kc_free(bk);
        return;
    }
    /* Out of memory for the counts, or a caller's odd capacity: the old insertion sort,
     * still hashing each key once when the bucket array could be had. */
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        if (bk != NULL) {
            bk[i] = bucket_of(keys[i], cap);
        }
    }
    for (size_t i = 1; i < n; i++) {
        size_t x = order[i];
        uint32_t hx = bk != NULL ? bk[x] : bucket_of(keys[x], cap);
        size_t j = i;
        while (j > 0) {
            size_t y = order[j - 1];
            uint32_t hy = bk != NULL ? bk[y] : bucket_of(keys[y], cap);
            if (hy <= hx) {
                break;
            }
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
    kc_free(bk);
}

size_t *kc_jmap_strmap_order(const struct kc_strmap *m, int copy)
{
    size_t *order = kc_calloc(m->n + 1, sizeof(*order));
    const char **keys = kc_calloc(m->n + 1, sizeof(*keys));
    if (order == NULL || keys == NULL) {
        kc_free(order);
        kc_free(keys);
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        keys[i] = m->e[i].key;
    }
    kc_jmap_order(keys, m->n, kc_jmap_table_size(m->n, copy), order);
    kc_free(keys);
    return order;
}

char *kc_jmap_strmap_string(const struct kc_strmap *cfg)
{
    struct kc_buf b;
    char *res = NULL;
    size_t *order = kc_jmap_strmap_order(cfg, 1);

    kc_buf_init(&b, 4 * 1024 * 1024);
    if (order == NULL || kc_buf_append_byte(&b, '{') != KC_OK) {
        goto out;
    }
    for (size_t k = 0; k < cfg->n; k++) {
        const struct kc_strmap_entry *e = &cfg->e[order[k]];
        if (kc_buf_printf(&b, "%s%s=%s", k ? ", " : "", e->key, e->value ? e->value : "null") !=
            KC_OK) {
            goto out;
        }
    }
    if (kc_buf_append_byte(&b, '}') != KC_OK) {
        goto out;
    }
    res = kc_buf_take(&b, NULL);
out:
    kc_buf_fini(&b);
    kc_free(order);
    return res;
}
