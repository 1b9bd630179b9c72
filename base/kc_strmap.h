/*
 * base/kc_strmap.h: an ordered string-to-string map (insertion order kept), the shape of
 * every config in Connect: worker properties, connector configs, task configs. Lookups are
 * linear; configs have tens of keys. A NULL value is allowed (JSON null in a REST body).
 */
#ifndef KC_STRMAP_H
#define KC_STRMAP_H

#include <stddef.h>

struct kc_strmap_entry {
    char *key;   /* owned */
    char *value; /* owned, may be NULL */
};

struct kc_strmap {
    struct kc_strmap_entry *e; /* owned array */
    size_t n;
    size_t cap;
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
