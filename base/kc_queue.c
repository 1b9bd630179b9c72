/*
 * base/kc_queue.c: mutex + condition variable FIFO. Waits use CLOCK_MONOTONIC so a wall
 * clock jump never stretches or cuts a timeout.
 */
#include "kc_queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_error.h"

struct kc_queue_node {
    struct kc_queue_node *next;
    void *item;
};

struct kc_queue {
    _Atomic int refcnt;
    pthread_mutex_t lock;
    pthread_cond_t cond;            /* signalled on push and wakeup */
    struct kc_queue_node *head;     /* guarded by lock */
    struct kc_queue_node *tail;     /* guarded by lock */
    int len;                        /* guarded by lock */
    int wakeups;                    /* guarded by lock */
};

int64_t kc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t kc_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct kc_queue *kc_queue_new(void)
{
    struct kc_queue *q = kc_calloc(1, sizeof(*q));
    if (q == NULL) {
        return NULL;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&q->lock, NULL);
    atomic_init(&q->refcnt, 1);
    return q;
}

struct kc_queue *kc_queue_ref(struct kc_queue *q)
{
    atomic_fetch_add(&q->refcnt, 1);
    return q;
}

void kc_queue_unref(struct kc_queue *q, void (*free_item)(void *item))
{
    if (q == NULL || atomic_fetch_sub(&q->refcnt, 1) != 1) {
        return;
    }
    struct kc_queue_node *n = q->head;
    while (n != NULL) {
        struct kc_queue_node *next = n->next;
        if (free_item != NULL) {
            free_item(n->item);
        }
        kc_free(n);
        n = next;
    }
    pthread_cond_destroy(&q->cond);
    pthread_mutex_destroy(&q->lock);
    kc_free(q);
}

int kc_queue_push(struct kc_queue *q, void *item)
{
    struct kc_queue_node *n = kc_malloc(sizeof(*n));
    if (n == NULL) {
        return KC_ENOMEM;
    }
    n->next = NULL;
    n->item = item;
    pthread_mutex_lock(&q->lock);
    if (q->tail != NULL) {
        q->tail->next = n;
    } else {
        q->head = n;
    }
    q->tail = n;
    q->len++;
    pthread_cond_signal(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return KC_OK;
}

void *kc_queue_pop(struct kc_queue *q, int timeout_ms)
{
    struct timespec deadline;
    if (timeout_ms > 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&q->lock);
    while (q->head == NULL && q->wakeups == 0 && timeout_ms != 0) {
        int rc;
        if (timeout_ms < 0) {
            rc = pthread_cond_wait(&q->cond, &q->lock);
        } else {
            rc = pthread_cond_timedwait(&q->cond, &q->lock, &deadline);
        }
        if (rc == ETIMEDOUT) {
            break;
        }
    }
    void *item = NULL;
    struct kc_queue_node *n = q->head;
    if (n != NULL) {
        q->head = n->next;
        if (q->head == NULL) {
            q->tail = NULL;
        }
        q->len--;
        item = n->item;
    } else if (q->wakeups > 0) {
        q->wakeups--;
    }
    pthread_mutex_unlock(&q->lock);
    kc_free(n);
    return item;
}

void kc_queue_wakeup(struct kc_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->wakeups++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
}

int kc_queue_len(struct kc_queue *q)
{
    pthread_mutex_lock(&q->lock);
    int n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}
