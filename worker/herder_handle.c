/*
 * worker/herder_handle.c: the refcounted opaque between a task and the herder (see the header
 * for why it exists). The alive check and the push are not one atomic step: a post racing with
 * the kill may still land in the queue, which is why every op carries the serial and the herder
 * drops ops whose serial is not the live task's. What the race can never do is reach freed
 * herder memory: the queue is held by the handle's own reference.
 */
#include "herder_handle.h"

#include <stdatomic.h>

#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_queue.h"

struct herder_handle {
    _Atomic int refs;
    _Atomic int alive;
    uint64_t serial;                /* immutable */
    struct kc_queue *q;             /* owned reference */
    void (*free_item)(void *item);  /* for what the queue holds when we drop the last ref */
};

struct herder_handle *herder_handle_new(struct kc_queue *q, uint64_t serial,
                                        void (*free_item)(void *item))
{
    struct herder_handle *th = kc_calloc(1, sizeof(*th));
    if (th == NULL) {
        return NULL;
    }
    atomic_init(&th->refs, 2);
    atomic_init(&th->alive, 1);
    th->serial = serial;
    th->q = kc_queue_ref(q);
    th->free_item = free_item;
    return th;
}

int herder_handle_post(struct herder_handle *th, void *item)
{
    if (!atomic_load(&th->alive)) {
        return KC_ENOENT;
    }
    return kc_queue_push(th->q, item);
}

void herder_handle_kill(struct herder_handle *th)
{
    if (th != NULL) {
        atomic_store(&th->alive, 0);
    }
}

void herder_handle_release(struct herder_handle *th)
{
    if (th != NULL && atomic_fetch_sub(&th->refs, 1) == 1) {
        kc_queue_unref(th->q, th->free_item);
        kc_free(th);
    }
}

uint64_t herder_handle_serial(const struct herder_handle *th)
{
    return th->serial;
}

int herder_handle_alive(const struct herder_handle *th)
{
    return atomic_load(&((struct herder_handle *)th)->alive);
}

int herder_handle_refs(const struct herder_handle *th)
{
    return atomic_load(&((struct herder_handle *)th)->refs);
}
