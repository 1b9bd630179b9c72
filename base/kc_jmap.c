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

void kc_jmap_order(const char *const *keys, size_t n, size_t cap, size_t *order)
{
    /* Iteration = bucket index order; inside a bucket, insertion order (resizes keep it). */
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
    }
    for (size_t i = 1; i < n; i++) {
        size_t x = order[i];
        uint32_t hx = (uint32_t)kc_jmap_string_hash(keys[x]);
        hx = (hx ^ (hx >> 16)) & (uint32_t)(cap - 1);
        size_t j = i;
        while (j > 0) {
            uint32_t hy = (uint32_t)kc_jmap_string_hash(keys[order[j - 1]]);
            hy = (hy ^ (hy >> 16)) & (uint32_t)(cap - 1);
            if (hy <= hx) {
                break;
            }
            order[j] = order[j - 1];
            j--;
        }
        order[j] = x;
    }
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
