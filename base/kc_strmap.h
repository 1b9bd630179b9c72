/*
 * base/kc_strmap.h: an ordered string-to-string map (insertion order kept), the shape of
 * every config in Connect: worker properties, connector configs, task configs. Small maps are
 * searched linearly; past KC_STRMAP_INDEX_MIN keys an open-addressing hash index over the
 * array is kept, so a hostile 50k-key config costs O(n) to fill, copy and compare, not O(n^2).
 * A NULL value is allowed (JSON null in a REST body). Callers read e[0..n) directly; only this
 * module writes them, which keeps the index true.
 */
#ifndef KC_STRMAP_H
#define KC_STRMAP_H

#include <stddef.h>

struct kc_strmap_entry {
    char *key;   /* owned */
    char *value; /* owned, may be NULL */
};

/* Below this many keys a linear scan beats hashing; above it the index is built. */
#define KC_STRMAP_INDEX_MIN 16

struct kc_strmap {
    struct kc_strmap_entry *e; /* owned array */
    size_t n;
    size_t cap;
    size_t *idx;    /* owned, NULL for small maps: slot -> entry index + 1, 0 = empty */
    size_t idx_cap; /* power of two, at least twice n */
};

void kc_strmap_init(struct kc_strmap *m);
void kc_strmap_fini(struct kc_strmap *m);
struct kc_strmap *kc_strmap_new(void);
void kc_strmap_free(struct kc_strmap *m);
/* Set (copying key and value; value may be NULL). Replaces in place if present. KC_OK/KC_ENOMEM. */
int kc_strmap_set(struct kc_strmap *m, const char *key, const char *value);
/* Borrowed value, or NULL if absent (use kc_strmap_has to tell absent from NULL). */
const char *kc_strmap_get(const struct kc_strmap *m, const char *key);
int kc_strmap_has(const struct kc_strmap *m, const char *key);
/* Remove a key; returns 1 if it was present. */
int kc_strmap_del(struct kc_strmap *m, const char *key);
/* Owned deep copy, or NULL. */
struct kc_strmap *kc_strmap_dup(const struct kc_strmap *m);
/* 1 if both hold the same keys with the same values (order ignored). */
int kc_strmap_equal(const struct kc_strmap *a, const struct kc_strmap *b);

#endif
