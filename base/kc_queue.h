/*
 * base/kc_queue.h: a refcounted, thread-safe FIFO of opaque pointers with timed waits.
 * It carries ops between threads (REST -> herder, herder -> task) and replies back. Refcounted
 * so a REST waiter that gave up and the herder that replies late never free it under each other.
 */
#ifndef KC_QUEUE_H
#define KC_QUEUE_H

#include <stdint.h>

struct kc_queue;

/* Owned, refcount 1. NULL on allocation failure. @thread any */
struct kc_queue *kc_queue_new(void);
/* Take another reference; returns q. @thread any */
struct kc_queue *kc_queue_ref(struct kc_queue *q);
/* Drop a reference; the last one frees the queue and calls free_item on what is left (if set). */
void kc_queue_unref(struct kc_queue *q, void (*free_item)(void *item));
/* Append; KC_OK or KC_ENOMEM. item is owned by the queue until popped. @thread any */
int kc_queue_push(struct kc_queue *q, void *item);
/* Pop the oldest item, waiting up to timeout_ms (0 = don't wait, <0 = forever). NULL on timeout
 * or when the queue was woken with kc_queue_wakeup and is empty. @thread any */
void *kc_queue_pop(struct kc_queue *q, int timeout_ms);
/* Wake any waiter without pushing (e.g. to make a polling thread re-check a flag). */
void kc_queue_wakeup(struct kc_queue *q);
int kc_queue_len(struct kc_queue *q);

/* Monotonic clock in milliseconds. */
int64_t kc_now_ms(void);
/* Wall clock in milliseconds since the epoch. */
int64_t kc_wall_ms(void);

#endif
