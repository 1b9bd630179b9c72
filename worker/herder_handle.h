/*
 * worker/herder_handle.h: the opaque a task's callbacks carry back to the herder. One handle per
 * started task, refcounted, holding its own reference to the herder's op queue and never the
 * herder itself. The herder kills it when it stops waiting for the task (stopped, or abandoned
 * after task.shutdown.graceful.timeout.ms): from then on the task's reports are dropped, so a
 * hung task that wakes up late can neither be credited to the new task with its id nor touch a
 * herder that was freed meanwhile. Ops posted just before the kill carry the handle's serial,
 * which the herder compares with the live task's (herder.c), so those are dropped too.
 *
 * References: one for the herder, one for the task thread. The herder drops its own when it
 * lets go of the task, and the task's on its behalf once task_join saw the thread end; an
 * abandoned task drops its own when its thread finally ends (task_callbacks.on_release), which
 * until then keeps the queue shell alive but nothing else of the herder.
 */
#ifndef HERDER_HANDLE_H
#define HERDER_HANDLE_H

#include <stdint.h>

struct herder_handle;
struct kc_queue;

/*
 * New handle with two references (herder and task) and a reference of its own to q; free_item
 * frees what is left in q when the handle holds the last reference to it. serial names the task
 * generation (unique per herder). NULL on allocation failure. @thread herder
 */
struct herder_handle *herder_handle_new(struct kc_queue *q, uint64_t serial,
                                        void (*free_item)(void *item));
/* Post item to the herder's queue unless the handle was killed. KC_OK: the queue owns item;
 * otherwise (killed: KC_ENOENT, or KC_ENOMEM) item stays the caller's. @thread any (task) */
int herder_handle_post(struct herder_handle *th, void *item);
/* Mark dead: every later post is refused. Idempotent. NULL ok. @thread herder */
void herder_handle_kill(struct herder_handle *th);
/* Drop one reference; the last frees the handle and drops its queue reference. NULL ok.
 * @thread any */
void herder_handle_release(struct herder_handle *th);
uint64_t herder_handle_serial(const struct herder_handle *th);
int herder_handle_alive(const struct herder_handle *th);
/* References held (tests). */
int herder_handle_refs(const struct herder_handle *th);

#endif
