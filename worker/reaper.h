/*
 * worker/reaper.h: destroys a task's consumed messages on a thread of its own.
 *
 * A sink task frees every librdkafka message it polled once put() returned: one op free per
 * record, into the malloc arena of the fetch thread that allocated it (its lock is shared with
 * that thread's allocations). At a million records a second that was ~10% of the task thread,
 * the one thread the pipeline waits on. The reaper takes the pointers instead and frees them
 * beside it.
 *
 * Owner: the task thread starts, feeds, drains and stops its reaper; nobody else touches it.
 * Bounded: at most REAPER_MAX_PENDING items wait; past that, reaper_give destroys the batch on
 * the caller's thread, so the memory the messages pin never grows with a slow reaper.
 */
#ifndef REAPER_H
#define REAPER_H

#include <stddef.h>

#define REAPER_MAX_PENDING 2048

struct reaper;

/* Start a reaper whose items are destroyed by destroy(item). NULL when out of memory or no
 * thread could be started (then the caller destroys its items itself). */
struct reaper *reaper_start(void (*destroy)(void *item));

/* Hand over n items: they are destroyed later, on the reaper's thread (or now, on the
 * caller's, when too many wait or memory is short). */
void reaper_give(struct reaper *r, void *const *items, size_t n);

/* Wait until every item given so far was destroyed. */
void reaper_drain(struct reaper *r);

/* Drain, stop the thread, free the reaper. NULL is a no-op. */
void reaper_stop(struct reaper *r);

#endif
