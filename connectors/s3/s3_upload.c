/*
 * connectors/s3/s3_upload.c: the upload thread of one S3 task (see s3_upload.h).
 *
 * One mutex guards the queue, the done list and the set of failed owners; two condition
 * variables: `work` wakes the thread, `room` wakes the task thread (submit, drain).
 */
#include "s3_upload.h"

#include <pthread.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_thread.h"

struct s3_uploader {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t work, room;
    struct s3_batch *head, *tail;      /* waiting */
    struct s3_batch *done, *done_tail; /* finished, not yet taken */
    size_t waiting, in_flight, max_pending;
    const void **failed; /* owners whose batches are cancelled */
    size_t n_failed, cap_failed;
    int stop;
    void (*on_done)(void *arg); /* after a batch is done, from this thread */
    void *on_done_arg;
};

struct s3_batch *s3_batch_new(const void *owner, int64_t start, int64_t end, size_t n)
{
    struct s3_batch *b = kc_calloc(1, sizeof(*b));
    if (b == NULL) {
        return NULL;
    }
    b->objs = kc_calloc(n > 0 ? n : 1, sizeof(*b->objs));
    if (b->objs == NULL) {
        kc_free(b);
        return NULL;
    }
    b->owner = owner;
    b->start = start;
    b->end = end;
    b->n = n;
    return b;
}

void s3_batch_free(struct s3_batch *b)
{
    if (b == NULL) {
        return;
    }
    for (size_t i = 0; i < b->n; i++) {
        s3_object_abort(b->objs[i].obj);
        if (b->objs[i].ctx != NULL && b->objs[i].drop != NULL) {
            b->objs[i].drop(b->objs[i].ctx);
        }
    }
    kc_free(b->objs);
    kc_free(b);
}

static int is_failed(const struct s3_uploader *u, const void *owner)
{
    for (size_t i = 0; i < u->n_failed; i++) {
        if (u->failed[i] == owner) {
            return 1;
        }
    }
    return 0;
}

static void cancel(struct s3_batch *b, const char *why)
{
    b->cancelled = 1;
    b->rc = KC_EIO;
    kc_error_set(&b->why, KC_EIO, "%s", why);
    for (size_t i = 0; i < b->n; i++) {
        s3_object_abort(b->objs[i].obj);
        b->objs[i].obj = NULL;
    }
}

/* Commit the batch's objects in order; stop at the first failure. No lock held. */
static void upload(struct s3_batch *b)
{
    b->rc = KC_OK;
    for (size_t i = 0; i < b->n; i++) {
        struct s3_batch_obj *o = &b->objs[i];
        if (b->rc != KC_OK) {
            s3_object_abort(o->obj);
            o->obj = NULL;
            continue;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (o->finish != NULL) {
            int (*finish)(void *, struct s3_object **, struct kc_error *) = o->finish;
            o->finish = NULL;
            if ((b->rc = finish(o->ctx, &o->obj, &b->why)) != KC_OK) {
                o->tried = 1;
                o->rc = b->rc;
                continue;
            }
            o->size = s3_object_size(o->obj);
        }
        struct s3_object *obj = o->obj;
        o->obj = NULL;
        o->tried = 1;
        o->rc = s3_object_commit(obj, &b->why); /* frees obj */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        o->usec = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000;
        b->rc = o->rc;
    }
}

static void *run(void *arg)
{
    struct s3_uploader *u = arg;
    kc_thread_name("s3-upload", NULL);
    pthread_mutex_lock(&u->mu);
    for (;;) {
        while (u->head == NULL && !u->stop) {
            pthread_cond_wait(&u->work, &u->mu);
        }
        if (u->head == NULL) {
            break; /* stop, and nothing left */
        }
        struct s3_batch *b = u->head;
        u->head = b->next;
        if (u->head == NULL) {
            u->tail = NULL;
        }
        b->next = NULL;
        u->waiting--;
        if (u->stop) {
            cancel(b, "the task is stopping");
        } else if (b->cancelled) {
            /* cancelled while it waited */
        } else if (is_failed(u, b->owner)) {
            cancel(b, "not tried: an earlier object of this partition failed");
        } else {
            u->in_flight++;
            pthread_mutex_unlock(&u->mu);
            upload(b);
            pthread_mutex_lock(&u->mu);
            u->in_flight--;
            if (b->rc != KC_OK && !is_failed(u, b->owner)) {
                /* room reserved by s3_uploader_submit: one entry per batch submitted */
                u->failed[u->n_failed++] = b->owner;
            }
        }
        if (u->done_tail != NULL) {
            u->done_tail->next = b;
        } else {
            u->done = b;
        }
        u->done_tail = b;
        pthread_cond_broadcast(&u->room);
        void (*on_done)(void *) = u->on_done;
        void *on_done_arg = u->on_done_arg;
        if (on_done != NULL) {
            pthread_mutex_unlock(&u->mu);
            on_done(on_done_arg);
            pthread_mutex_lock(&u->mu);
        }
    }
    pthread_mutex_unlock(&u->mu);
    return NULL;
}

void s3_uploader_on_done(struct s3_uploader *u, void (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&u->mu);
    u->on_done = fn;
    u->on_done_arg = arg;
    pthread_mutex_unlock(&u->mu);
}

int s3_uploader_new(size_t max_pending, struct s3_uploader **out, struct kc_error *err)
{
    *out = NULL;
    struct s3_uploader *u = kc_calloc(1, sizeof(*u));
    if (u == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    u->max_pending = max_pending > 0 ? max_pending : 1;
    pthread_mutex_init(&u->mu, NULL);
    pthread_cond_init(&u->work, NULL);
    pthread_cond_init(&u->room, NULL);
    int e = pthread_create(&u->th, NULL, run, u);
    if (e != 0) {
        pthread_cond_destroy(&u->work);
        pthread_cond_destroy(&u->room);
        pthread_mutex_destroy(&u->mu);
        kc_free(u);
        return kc_error_set_errno(err, KC_EFATAL, e, "S3 sink: cannot start the upload thread");
    }
    *out = u;
    return KC_OK;
}

void s3_uploader_free(struct s3_uploader *u)
{
    if (u == NULL) {
        return;
    }
    pthread_mutex_lock(&u->mu);
    u->stop = 1;
    pthread_cond_broadcast(&u->work);
    pthread_mutex_unlock(&u->mu);
    pthread_join(u->th, NULL);
    for (struct s3_batch *b = u->done, *next; b != NULL; b = next) {
        next = b->next;
        s3_batch_free(b);
    }
    kc_free(u->failed);
    pthread_cond_destroy(&u->work);
    pthread_cond_destroy(&u->room);
    pthread_mutex_destroy(&u->mu);
    kc_free(u);
}

int s3_uploader_submit(struct s3_uploader *u, struct s3_batch *b)
{
    b->next = NULL;
    b->cancelled = 0;
    b->rc = KC_OK;
    pthread_mutex_lock(&u->mu);
    while (u->waiting + u->in_flight >= u->max_pending) {
        pthread_cond_wait(&u->room, &u->mu);
    }
    /* Each batch adds at most one owner to the failed list: grow it here, on the task thread,
     * so the upload thread never allocates (and never loses a failure to a failed malloc). */
    size_t need = u->n_failed + u->waiting + u->in_flight + 1;
    if (need > u->cap_failed) {
        size_t cap = u->cap_failed ? u->cap_failed : 8;
        while (cap < need) {
            cap *= 2;
        }
        const void **n = kc_realloc(u->failed, cap * sizeof(*n));
        if (n == NULL) {
            pthread_mutex_unlock(&u->mu);
            return KC_ENOMEM;
        }
        u->failed = n;
        u->cap_failed = cap;
    }
    if (u->tail != NULL) {
        u->tail->next = b;
    } else {
        u->head = b;
    }
    u->tail = b;
    u->waiting++;
    pthread_cond_signal(&u->work);
    pthread_mutex_unlock(&u->mu);
    return KC_OK;
}

struct s3_batch *s3_uploader_done(struct s3_uploader *u)
{
    pthread_mutex_lock(&u->mu);
    struct s3_batch *b = u->done;
    u->done = u->done_tail = NULL;
    pthread_mutex_unlock(&u->mu);
    return b;
}

void s3_uploader_drain(struct s3_uploader *u)
{
    pthread_mutex_lock(&u->mu);
    while (u->waiting + u->in_flight > 0) {
        pthread_cond_wait(&u->room, &u->mu);
    }
    pthread_mutex_unlock(&u->mu);
}

size_t s3_uploader_pending(struct s3_uploader *u)
{
    pthread_mutex_lock(&u->mu);
    size_t n = u->waiting + u->in_flight;
    pthread_mutex_unlock(&u->mu);
    return n;
}

void s3_uploader_forgive(struct s3_uploader *u, const void *owner)
{
    pthread_mutex_lock(&u->mu);
    for (size_t i = 0; i < u->n_failed; i++) {
        if (u->failed[i] == owner) {
            u->failed[i] = u->failed[--u->n_failed];
            break;
        }
    }
    pthread_mutex_unlock(&u->mu);
}
