/*
 * connectors/s3/s3_upload.h: commits finished objects (S3 uploads, or the local store's fsync and
 * rename) on a thread of their own, so the task thread goes on encoding the next set while the
 * last one travels.
 *
 * The unit is a batch: the objects of one closed set of one partition (struct s3_batch),
 * committed in submission order, one after another, by one thread per task. The sink keeps
 * the offsets of a batch out of its commits until the batch comes back done (s3_uploader_done)
 * with rc == KC_OK. When a batch fails, every later batch of the same owner (the partition) is
 * cancelled without a request, until the task thread has dealt with the failure and called
 * s3_uploader_forgive: the task rewinds to the failed batch's first offset and rebuilds the same
 * objects, so nothing after a failed object may be made visible in between.
 *
 * Memory: a batch holds spool file descriptors, and the converters of objects the upload
 * thread finishes itself (their last row group: the sink counts them in its budget); at most
 * max_pending batches wait or travel, and s3_uploader_submit blocks the task thread beyond
 * that (back-pressure while S3 is slow or down).
 *
 * @thread s3_uploader_* are called on the task thread only; the objects of a submitted batch
 * belong to the upload thread until the batch comes back done.
 */
#ifndef S3_UPLOAD_H
#define S3_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "s3_store.h"

struct s3_batch_obj {
    struct s3_object *obj; /* owned until committed or aborted (then NULL) */
    /* An object still to be finished (its last bytes written) on the upload thread: obj is
     * NULL, finish(ctx) writes the rest and gives the object to commit in *obj; ctx belongs to
     * the upload thread until the batch comes back, and s3_batch_free gives it to drop(ctx)
     * (on the task thread). mem: the bytes ctx holds (the sink's budget counts them). */
    int (*finish)(void *ctx, struct s3_object **obj, struct kc_error *err);
    void (*drop)(void *ctx);
    void *ctx;
    size_t mem;
    uint64_t size; /* set by the upload thread for an object it finished */
    int64_t usec; /* time the commit took */
    int tried;
    int rc;       /* the commit's result when tried */
    struct kc_error tag_warn; /* msg set: the object is committed but could not be tagged
                               * (s3.object.behavior.on.tagging.error=ignore) */
};

struct s3_batch {
    struct s3_batch *next;
    const void *owner;   /* the sink's partition state; only compared */
    int64_t start, end;  /* Kafka offsets [start, end) the batch makes durable */
    struct s3_batch_obj *objs; /* owned */
    size_t n;
    /* results, valid once done */
    int rc;        /* KC_OK: every object visible; else why says what failed */
    int cancelled; /* not tried: an earlier batch of the same owner failed */
    struct kc_error why;
};

struct s3_uploader;

/* A batch for n objects (objs[i].obj to be filled by the caller). NULL: out of memory. */
struct s3_batch *s3_batch_new(const void *owner, int64_t start, int64_t end, size_t n);
/* Aborts objects still held. Accepts NULL. */
void s3_batch_free(struct s3_batch *b);

int s3_uploader_new(size_t max_pending, struct s3_uploader **out, struct kc_error *err);
/* Call fn(arg) on the upload thread after each batch is done (without the uploader's lock):
 * the S3 sink wakes its task there so the batch's offsets are committed at once. */
void s3_uploader_on_done(struct s3_uploader *u, void (*fn)(void *arg), void *arg);
/* Cancels what waits, lets the batch in flight end, joins the thread, frees batches not taken. */
void s3_uploader_free(struct s3_uploader *u);
/* Hand b over (its objects and itself until it comes back from s3_uploader_done). Blocks while
 * max_pending batches are waiting or in flight. KC_ENOMEM: b was not taken (still the
 * caller's). */
int s3_uploader_submit(struct s3_uploader *u, struct s3_batch *b);
/* The batches finished since the last call, oldest first, linked by next; NULL if none.
 * The caller owns them (s3_batch_free). */
struct s3_batch *s3_uploader_done(struct s3_uploader *u);
/* Wait until nothing waits or travels (everything submitted is in the done list). */
void s3_uploader_drain(struct s3_uploader *u);
/* Batches waiting or in flight. */
size_t s3_uploader_pending(struct s3_uploader *u);
/* After a failure of owner's batch has been handled (and s3_uploader_drain has returned): its
 * later batches are uploaded again. */
void s3_uploader_forgive(struct s3_uploader *u, const void *owner);

#endif
