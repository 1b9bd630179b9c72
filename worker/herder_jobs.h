/*
 * worker/herder_jobs.h: the herder's helper thread. The herder must never wait on a Kafka admin
 * call or any other network round trip (a slow group coordinator would freeze every REST call,
 * status write and task report behind it), so such work is posted here as an item, run on this
 * thread, and the finished item is pushed back onto the herder's own op queue, where the herder
 * picks it up like any other op and answers the REST request that waits on it. This is what the
 * JVM does for KIP-875 offsets too (Worker.modifyConnectorOffsets runs on the worker's executor
 * and completes the herder's callback).
 *
 * One thread, items run in the order posted. run() owns nothing: the item stays owned by the
 * jobs object from post until it is pushed to done (then done's reader owns it).
 */
#ifndef HERDER_JOBS_H
#define HERDER_JOBS_H

struct herder_jobs;
struct kc_queue;

/* Runs one item on the jobs thread; may block (that is the point). */
typedef void (*herder_jobs_fn)(void *ctx, void *item);

/*
 * Start the thread. run(ctx, item) is called for each posted item, then the item is pushed to
 * done (a reference is taken). free_item frees items that never ran (at herder_jobs_free) or
 * could not be pushed. NULL on failure. @thread herder
 */
struct herder_jobs *herder_jobs_new(herder_jobs_fn run, void *ctx, struct kc_queue *done,
                                    void (*free_item)(void *item));
/* Queue item; returns at once. KC_OK: the jobs object owns it; KC_ENOMEM: still the caller's.
 * @thread herder */
int herder_jobs_post(struct herder_jobs *j, void *item);
/* Items posted and not yet pushed back. @thread any */
int herder_jobs_pending(struct herder_jobs *j);
/* Let the running item finish (its call is bounded by its own timeout), free the ones that
 * did not start, join the thread. NULL ok. @thread herder owner (main at shutdown) */
void herder_jobs_free(struct herder_jobs *j);

#endif
