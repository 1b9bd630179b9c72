/*
 * worker/herder_jobs.c: one thread that runs the herder's blocking work and hands each item
 * back on the herder's queue (see the header). The pending count lets the herder (and tests)
 * see that a call is in flight.
 */
#include "herder_jobs.h"

#include <pthread.h>
#include <stdatomic.h>

#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_queue.h"
#include "kc_thread.h"

struct herder_jobs {
    herder_jobs_fn run;
    void *ctx;                     /* borrowed */
    void (*free_item)(void *item);
    struct kc_queue *q;            /* owned: items to run */
    struct kc_queue *done;         /* owned reference: where finished items go */
    pthread_t thread;
    _Atomic int running;
    _Atomic int pending;
};

static void *jobs_main(void *arg)
{
    struct herder_jobs *j = arg;
    kc_thread_name("kc-herder-jobs", NULL);
    while (atomic_load(&j->running)) {
        void *item = kc_queue_pop(j->q, 250);
        if (item == NULL) {
            continue;
        }
        j->run(j->ctx, item);
        atomic_fetch_sub(&j->pending, 1); /* before the push: whoever pops it sees 0 */
        if (kc_queue_push(j->done, item) != KC_OK) {
            j->free_item(item);
        }
    }
    return NULL;
}

struct herder_jobs *herder_jobs_new(herder_jobs_fn run, void *ctx, struct kc_queue *done,
                                    void (*free_item)(void *item))
{
    struct herder_jobs *j = kc_calloc(1, sizeof(*j));
    if (j == NULL) {
        return NULL;
    }
    j->run = run;
    j->ctx = ctx;
    j->free_item = free_item;
    j->q = kc_queue_new();
    if (j->q == NULL) {
        kc_free(j);
        return NULL;
    }
    j->done = kc_queue_ref(done);
    atomic_init(&j->running, 1);
    atomic_init(&j->pending, 0);
    if (pthread_create(&j->thread, NULL, jobs_main, j) != 0) {
        kc_queue_unref(j->q, NULL);
        kc_queue_unref(j->done, NULL);
        kc_free(j);
        return NULL;
    }
    return j;
}

int herder_jobs_post(struct herder_jobs *j, void *item)
{
    atomic_fetch_add(&j->pending, 1);
    if (kc_queue_push(j->q, item) != KC_OK) {
        atomic_fetch_sub(&j->pending, 1);
        return KC_ENOMEM;
    }
    return KC_OK;
}

int herder_jobs_pending(struct herder_jobs *j)
{
    return atomic_load(&j->pending);
}

void herder_jobs_free(struct herder_jobs *j)
{
    if (j == NULL) {
        return;
    }
    atomic_store(&j->running, 0);
    kc_queue_wakeup(j->q);
    pthread_join(j->thread, NULL);
    kc_queue_unref(j->q, j->free_item);
    kc_queue_unref(j->done, NULL);
    kc_free(j);
}
