/*
 * base/kc_jmap.h: java.util.HashMap iteration order for string-keyed maps, so the
 * messages and JSON we print list keys in the order the JVM prints them (its config maps are
 * HashMaps). For Connect data values see cdata_to_java_string, which also handles non-string
 * keys and treeified bins.
 *
 * Order rule: buckets in index order, bucket = spread(String.hashCode()) & (capacity - 1),
 * insertion order inside a bucket. Capacity depends on how the map was built:
 * new HashMap<>() filled key by key (copy = 0) or new HashMap<>(map) (copy = 1).
 */
#ifndef KC_JMAP_H
#define KC_JMAP_H

#include <stddef.h>
#include <stdint.h>

#include "kc_strmap.h"

/* Java String.hashCode() of UTF-8 text (over UTF-16 code units). @thread any */
int32_t kc_jmap_string_hash(const char *s);
/* Table capacity after n puts (copy = 0) or for a copy of an n-entry map (copy = 1). */
size_t kc_jmap_table_size(size_t n, int copy);
/* order[0..n-1] = key indexes in iteration order for a table of capacity cap. */
void kc_jmap_order(const char *const *keys, size_t n, size_t cap, size_t *order);
/* Iteration order of m's keys (owned array, kc_free), or NULL when out of memory. */
size_t *kc_jmap_strmap_order(const struct kc_strmap *m, int copy);
/* "{k=v, k2=v2}" as Java's HashMap(copy of m).toString() prints it; owned, or NULL. */
char *kc_jmap_strmap_string(const struct kc_strmap *m);

#endif
