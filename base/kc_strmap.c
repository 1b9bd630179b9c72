/*
 * base/kc_strmap.c: ordered string map over a growable array of owned pairs.
 */
#include "kc_strmap.h"

#include <string.h>

#include "kc_alloc.h"
#include "kc_error.h"

void kc_strmap_init(struct kc_strmap *m)
{
    m->e = NULL;
    m->n = 0;
    m->cap = 0;
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

static long find(const struct kc_strmap *m, const char *key)
{
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
    char *k = kc_strdup(key);
    if (k == NULL) {
        kc_free(v);
        return KC_ENOMEM;
    }
    m->e[m->n].key = k;
    m->e[m->n].value = v;
    m->n++;
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
