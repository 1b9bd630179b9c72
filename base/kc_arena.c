/*
 * base/kc_arena.c: chunked bump allocation. Large requests get a chunk of their own so
 * the common small allocations keep filling the current chunk.
 */
#include "kc_arena.h"

#include <stdint.h>
#include <string.h>

#include "kc_alloc.h"

struct kc_arena_chunk {
    struct kc_arena_chunk *next;
    size_t size; /* usable bytes in data */
    size_t pos;
    _Alignas(16) unsigned char data[];
};

void kc_arena_init(struct kc_arena *a, size_t chunk_size, size_t limit)
{
    a->head = NULL;
    a->spare = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->used = 0;
    a->limit = limit;
}

static void free_chain(struct kc_arena_chunk *c)
{
    while (c != NULL) {
        struct kc_arena_chunk *n = c->next;
        kc_free(c);
        c = n;
    }
}

void kc_arena_fini(struct kc_arena *a)
{
    if (a == NULL) {
        return;
    }
    free_chain(a->head);
    free_chain(a->spare);
    a->head = NULL;
    a->spare = NULL;
    a->used = 0;
}

/* Spare chunks kept across resets, at most: a batch of huge records must not pin its memory. */
#define KC_ARENA_SPARE_MAX_BYTES ((size_t)8 << 20)

void kc_arena_reset(struct kc_arena *a)
{
    struct kc_arena_chunk *c = a->head;
    size_t spare_bytes = 0;
    for (struct kc_arena_chunk *s = a->spare; s != NULL; s = s->next) {
        spare_bytes += s->size;
    }
    while (c != NULL) {
        struct kc_arena_chunk *n = c->next;
        if (c->size == a->chunk_size && spare_bytes + c->size <= KC_ARENA_SPARE_MAX_BYTES) {
            spare_bytes += c->size;
            c->pos = 0;
            c->next = a->spare;
            a->spare = c;
        } else {
            a->used -= sizeof(*c) + c->size;
            kc_free(c);
        }
        c = n;
    }
    a->head = NULL;
}

void *kc_arena_alloc(struct kc_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0) {
        n = 16;
    }
    struct kc_arena_chunk *c = a->head;
    if (c != NULL && c->size - c->pos >= n) {
        void *p = c->data + c->pos;
        c->pos += n;
        return p;
    }
    size_t size = n > a->chunk_size / 4 ? n : a->chunk_size;
    if (size == a->chunk_size && a->spare != NULL) {
        struct kc_arena_chunk *sc = a->spare;
        a->spare = sc->next;
        sc->pos = n;
        sc->next = c;
        a->head = sc;
        return sc->data;
    }
    if (size > SIZE_MAX - sizeof(*c) || a->used + sizeof(*c) + size > a->limit) {
        return NULL;
    }
    struct kc_arena_chunk *nc = kc_malloc(sizeof(*nc) + size);
    if (nc == NULL) {
        return NULL;
    }
    nc->size = size;
    nc->pos = n;
    a->used += sizeof(*nc) + size;
    if (size == a->chunk_size || c == NULL) {
        nc->next = c;
        a->head = nc;
    } else {
        /* Oversized: insert behind the current chunk so it keeps filling. */
        nc->next = c->next;
        c->next = nc;
    }
    return nc->data;
}

void *kc_arena_calloc(struct kc_arena *a, size_t n)
{
    void *p = kc_arena_alloc(a, n);
    if (p != NULL) {
        memset(p, 0, n);
    }
    return p;
}

char *kc_arena_strndup(struct kc_arena *a, const char *s, size_t n)
{
    char *d = kc_arena_alloc(a, n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

size_t kc_arena_bytes(const struct kc_arena *a)
{
    return a->used;
}
