/*
 * worker/reaper.h: destroys a task's consumed messages on a thread of its own.
 *
 * A sink task frees every librdkafka message it polled once put() returned: one op free per
 * record, into the malloc arena of the fetch thread that allocated it (its lock is shared with
 * that thread's allocations). At a million records a second that was ~10% of the task thread,
 * the one thread the pipeline waits on. The reaper takes the pointers instead and frees them
 * beside it.
 *
 * Owner: the task thread starts, feeds and stops its reaper; nobody else touches it.
 * Bounded: a batch is taken only while at most REAPER_MAX_PENDING items and at most the
 * reaper's max_bytes (the messages' raw bytes) wait or are being destroyed with it; otherwise
 * reaper_give destroys it on the caller's thread. The memory the messages pin (their fetch
 * buffers too) so stays outside the task's byte budget only by that much.
 */
#ifndef REAPER_H
#define REAPER_H

#include <stddef.h>

/* Items; 200-byte records at the S3 bench's million a second: ~6 ms of them. At 2048 the reaper,
 * a SCHED_BATCH helper on a busy 2-core machine, often had not run yet, and up to a fifth of
 * the task's batches were freed on the task thread, which slept on the malloc arena's lock
 * (shared with the fetch thread and the reaper) 681-2,937 times a 1M-record run; at 6144,
 * 148-1,180 times, peak RSS 44-49 MiB against 44-47. 16384 slept 23-900 times but held up to
 * 59 MiB: the messages waiting pin their fetch buffers. */
#define REAPER_MAX_PENDING 6144

struct reaper;

/* Start a reaper whose items are destroyed by destroy(item), holding at most max_bytes (as the
 * callers count them) at a time. NULL when out of memory or no thread could be started (then
 * the caller destroys its items itself). */
struct reaper *reaper_start(void (*destroy)(void *item), size_t max_bytes);

/* Hand over n items of `bytes` in all: they are destroyed later, on the reaper's thread (or
 * now, on the caller's, past either bound or when memory is short). */
void reaper_give(struct reaper *r, void *const *items, size_t n, size_t bytes);

/* Stop the thread once it destroyed every item given, free the reaper. NULL is a no-op. */
void reaper_stop(struct reaper *r);

#endif
