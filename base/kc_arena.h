/*
 * base/kc_arena.h: bump allocator for memory that lives exactly as long as one thing (a
 * converted batch, a REST request). Allocations are never freed one by one; kc_arena_reset()
 * keeps the first chunk for reuse, kc_arena_fini() releases everything. Capped: an arena never
 * grows past its limit, so a hostile record cannot exhaust memory.
 */
#ifndef KC_ARENA_H
#define KC_ARENA_H

#include <stddef.h>

struct kc_arena_chunk;

struct kc_arena {
    struct kc_arena_chunk *head; /* owned list of chunks in use, newest first */
    struct kc_arena_chunk *spare; /* owned standard-size chunks kept by kc_arena_reset */
    size_t chunk_size;           /* default size of a new chunk */
    size_t used;                 /* bytes of chunks held (in use and spare), for the cap */
    size_t limit;                /* hard cap on total chunk bytes */
};

void kc_arena_init(struct kc_arena *a, size_t chunk_size, size_t limit);
void kc_arena_fini(struct kc_arena *a);
/* Forget every allocation; keeps up to 8 MiB of standard-size chunks for reuse (no malloc or
 * page-fault churn per batch), frees the rest and every oversized one. */
void kc_arena_reset(struct kc_arena *a);
/* 16-byte aligned, or NULL when out of memory or past the limit. Never free the result. */
void *kc_arena_alloc(struct kc_arena *a, size_t n);
void *kc_arena_calloc(struct kc_arena *a, size_t n);
/* NUL-terminated copy of n bytes. */
char *kc_arena_strndup(struct kc_arena *a, const char *s, size_t n);
/* Bytes currently held by the arena's chunks. */
size_t kc_arena_bytes(const struct kc_arena *a);

#endif
