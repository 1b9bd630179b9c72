/*
 * worker/reaper.c: see reaper.h.
 *
 * Two arrays swap between the sides: the caller appends to `pending` under the lock; the
 * thread takes the whole array (leaving its emptied one in its place) and destroys its items
 * outside the lock. A wake-up is sent only when the thread sleeps, so a busy stream costs one
 * lock and a copy of the pointers per batch.
 */
#include "reaper.h"

#include <pthread.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_thread.h"

struct reaper {
    void (*destroy)(void *item);
    pthread_t thr;
    pthread_mutex_t mu;
    pthread_cond_t work; /* to the thread: items wait, or stop */
    void **pending;      /* owned; handed over, not yet taken */
    size_t n_pending, cap_pending;
    void **spare; /* owned; the thread's emptied array, swapped in at its next take */
    size_t cap_spare;
    size_t bytes_pending;
    size_t n_busy, bytes_busy; /* taken by the thread, being destroyed */
    size_t max_bytes;
    int sleeping; /* the thread waits on `work` */
    int stop;
};

static void *reaper_main(void *arg)
{
    struct reaper *r = arg;
    /* woken, it waits for its turn instead of preempting the task thread that woke it (it
     * did, at every batch: two switches of the task thread per 500 records) */
    kc_thread_helper();
    kc_thread_name("kc-reaper", NULL);
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (r->n_pending == 0 && !r->stop) {
            r->sleeping = 1;
            pthread_cond_wait(&r->work, &r->mu);
        }
        r->sleeping = 0;
        if (r->n_pending == 0) {
            break; /* stopping, and everything was destroyed */
        }
        void **items = r->pending;
        size_t n = r->n_pending, cap = r->cap_pending;
        r->pending = r->spare;
        r->cap_pending = r->cap_spare;
        r->n_pending = 0;
        r->spare = NULL;
        r->cap_spare = 0;
        r->n_busy = n;
        r->bytes_busy = r->bytes_pending;
        r->bytes_pending = 0;
        pthread_mutex_unlock(&r->mu);
        for (size_t i = 0; i < n; i++) {
            r->destroy(items[i]);
        }
        pthread_mutex_lock(&r->mu);
        r->n_busy = 0;
        r->bytes_busy = 0;
        r->spare = items; /* the next take swaps it in (spare was handed over at this one) */
        r->cap_spare = cap;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

struct reaper *reaper_start(void (*destroy)(void *item), size_t max_bytes)
{
    struct reaper *r = kc_malloc(sizeof(*r));
    if (r == NULL) {
        return NULL;
    }
    memset(r, 0, sizeof(*r));
    r->destroy = destroy;
    r->max_bytes = max_bytes;
    if (pthread_mutex_init(&r->mu, NULL) != 0) {
        kc_free(r);
        return NULL;
    }
    if (pthread_cond_init(&r->work, NULL) != 0) {
        pthread_mutex_destroy(&r->mu);
        kc_free(r);
        return NULL;
    }
    if (pthread_create(&r->thr, NULL, reaper_main, r) != 0) {
        pthread_cond_destroy(&r->work);
        pthread_mutex_destroy(&r->mu);
        kc_free(r);
        return NULL;
    }
    return r;
}

static void destroy_now(void (*destroy)(void *), void *const *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        destroy(items[i]);
    }
}

void reaper_give(struct reaper *r, void *const *items, size_t n, size_t bytes)
{
    if (n == 0) {
        return;
    }
    pthread_mutex_lock(&r->mu);
    size_t need = r->n_pending + n;
    size_t held = r->bytes_pending + r->bytes_busy;
    if (r->n_pending + r->n_busy + n > REAPER_MAX_PENDING || bytes > r->max_bytes ||
        held > r->max_bytes - bytes) { /* the thread is behind: keep memory bounded */
        pthread_mutex_unlock(&r->mu);
        destroy_now(r->destroy, items, n);
        return;
    }
    if (need > r->cap_pending) {
        size_t cap = r->cap_pending > 0 ? r->cap_pending : 1024;
        while (cap < need) {
            cap *= 2;
        }
        void **p = kc_realloc(r->pending, cap * sizeof(*p));
        if (p == NULL) {
            pthread_mutex_unlock(&r->mu);
            destroy_now(r->destroy, items, n);
            return;
        }
        r->pending = p;
        r->cap_pending = cap;
    }
    memcpy(r->pending + r->n_pending, items, n * sizeof(*items));
    r->n_pending = need;
    r->bytes_pending += bytes;
    int wake = r->sleeping;
    r->sleeping = 0; /* one wake-up per sleep */
    pthread_mutex_unlock(&r->mu);
    if (wake) {
        /* after the unlock: a thread woken under it would only block on the lock again */
        pthread_cond_signal(&r->work);
    }
}

void reaper_stop(struct reaper *r)
{
    if (r == NULL) {
        return;
    }
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_mutex_unlock(&r->mu);
    pthread_cond_signal(&r->work);
    pthread_join(r->thr, NULL); /* it destroys what waits before it leaves */
    pthread_cond_destroy(&r->work);
    pthread_mutex_destroy(&r->mu);
    kc_free(r->pending);
    kc_free(r->spare);
    kc_free(r);
}
