/*
 * base/kc_strmap.c: ordered string map over a growable array of owned pairs.
 */
#include "kc_strmap.h"

#include <stdint.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_error.h"

void kc_strmap_init(struct kc_strmap *m)
{
    m->e = NULL;
    m->n = 0;
    m->cap = 0;
    m->idx = NULL;
    m->idx_cap = 0;
}

void kc_strmap_fini(struct kc_strmap *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        kc_free(m->e[i].key);
        kc_free(m->e[i].value);
    }
    kc_free(m->e);
    kc_free(m->idx);
    kc_strmap_init(m);
}

struct kc_strmap *kc_strmap_new(void)
{
    struct kc_strmap *m = kc_malloc(sizeof(*m));
    if (m != NULL) {
        kc_strmap_init(m);
    }
    return m;
}

void kc_strmap_free(struct kc_strmap *m)
{
    if (m != NULL) {
        kc_strmap_fini(m);
        kc_free(m);
    }
}

/* FNV-1a: keys are short and attacker-chosen, but the index only needs to be fast on
 * average; a collision-crafted config degrades to the linear scan it replaced, no worse. */
static size_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)(h ^ (h >> 32));
}

static void idx_put(struct kc_strmap *m, size_t i)
{
    size_t mask = m->idx_cap - 1;
    size_t s = key_hash(m->e[i].key) & mask;
    while (m->idx[s] != 0) {
        s = (s + 1) & mask;
    }
    m->idx[s] = i + 1;
}

/* (Re)build the index for n entries when the map is large enough; KC_OK/KC_ENOMEM. */
static int idx_rebuild(struct kc_strmap *m, size_t n)
{
    if (n < KC_STRMAP_INDEX_MIN) {
        kc_free(m->idx);
        m->idx = NULL;
        m->idx_cap = 0;
        return KC_OK;
    }
    size_t cap = 64;
    while (cap < 2 * n) {
        cap <<= 1;
    }
    size_t *ni = kc_calloc(cap, sizeof(*ni));
    if (ni == NULL) {
        return KC_ENOMEM;
    }
    kc_free(m->idx);
    m->idx = ni;
    m->idx_cap = cap;
    for (size_t i = 0; i < m->n; i++) {
        idx_put(m, i);
    }
    return KC_OK;
}

static long find(const struct kc_strmap *m, const char *key)
{
    if (m->idx != NULL) {
        size_t mask = m->idx_cap - 1;
        for (size_t s = key_hash(key) & mask; m->idx[s] != 0; s = (s + 1) & mask) {
            size_t i = m->idx[s] - 1;
            if (strcmp(m->e[i].key, key) == 0) {
                return (long)i;
            }
        }
        return -1;
    }
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->e[i].key, key) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int kc_strmap_set(struct kc_strmap *m, const char *key, const char *value)
{
    char *v = NULL;
    if (value != NULL && (v = kc_strdup(value)) == NULL) {
        return KC_ENOMEM;
    }
    long i = find(m, key);
    if (i >= 0) {
        kc_free(m->e[i].value);
        m->e[i].value = v;
        return KC_OK;
    }
    if (m->n == m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 8;
        struct kc_strmap_entry *ne = kc_realloc(m->e, ncap * sizeof(*ne));
        if (ne == NULL) {
            kc_free(v);
            return KC_ENOMEM;
        }
        m->e = ne;
        m->cap = ncap;
    }
    /* Grow the index before the entry goes in, so a failure leaves the map as it was. */
    if (m->n + 1 >= KC_STRMAP_INDEX_MIN && 2 * (m->n + 1) > m->idx_cap &&
        idx_rebuild(m, 2 * (m->n + 1)) != KC_OK) {
        kc_free(v);
        return KC_ENOMEM;
    }
    char *k = kc_strdup(key);
    if (k == NULL) {
        kc_free(v);
        return KC_ENOMEM;
    }
    m->e[m->n].key = k;
    m->e[m->n].value = v;
    m->n++;
    if (m->idx != NULL) {
        idx_put(m, m->n - 1);
    }
    return KC_OK;
}

const char *kc_strmap_get(const struct kc_strmap *m, const char *key)
{
    long i = find(m, key);
    return i >= 0 ? m->e[i].value : NULL;
}

int kc_strmap_has(const struct kc_strmap *m, const char *key)
{
    return find(m, key) >= 0;
}

int kc_strmap_del(struct kc_strmap *m, const char *key)
{
    long i = find(m, key);
    if (i < 0) {
        return 0;
    }
    kc_free(m->e[i].key);
    kc_free(m->e[i].value);
    memmove(&m->e[i], &m->e[i + 1], (m->n - (size_t)i - 1) * sizeof(m->e[0]));
    m->n--;
    /* Entries after i moved down one; renumbering the index costs what the memmove costs. */
    if (m->idx != NULL) {
        if (m->n < KC_STRMAP_INDEX_MIN) {
            idx_rebuild(m, m->n); /* frees the index; cannot fail */
        } else {
            memset(m->idx, 0, m->idx_cap * sizeof(*m->idx));
            for (size_t j = 0; j < m->n; j++) {
                idx_put(m, j);
            }
        }
    }
    return 1;
}

struct kc_strmap *kc_strmap_dup(const struct kc_strmap *m)
{
    struct kc_strmap *d = kc_strmap_new();
    if (d == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < m->n; i++) {
        if (kc_strmap_set(d, m->e[i].key, m->e[i].value) != KC_OK) {
            kc_strmap_free(d);
            return NULL;
        }
    }
    return d;
}

int kc_strmap_equal(const struct kc_strmap *a, const struct kc_strmap *b)
{
    if (a->n != b->n) {
        return 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        long j = find(b, a->e[i].key);
        if (j < 0) {
            return 0;
        }
        const char *va = a->e[i].value, *vb = b->e[j].value;
        if ((va == NULL) != (vb == NULL) || (va != NULL && strcmp(va, vb) != 0)) {
            return 0;
        }
    }
    return 1;
}
