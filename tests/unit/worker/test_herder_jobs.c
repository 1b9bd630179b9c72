/*
 * tests/unit/worker/test_herder_jobs.c: the herder's jobs thread (worker/herder_jobs.h), where
 * the KIP-875 offsets admin calls now run instead of on the herder thread. A job that blocks
 * (a slow group coordinator) must not hold up the queue the herder serves: posting returns at
 * once, other ops on the herder's queue are answered while the job is in flight, and the job
 * comes back on that queue, in order, once it ends. Freeing the jobs object lets the running job
 * finish and frees the ones that never ran.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "herder_jobs.h"
#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_queue.h"

struct item {
    int id;
    int ran;
};

struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int open;
    _Atomic int started;
};

static int freed;

static void item_free(void *p)
{
    freed++;
    kc_free(p);
}

/* The "admin call": waits until the test opens the gate. */
static void run_blocking(void *ctx, void *p)
{
    struct gate *g = ctx;
    struct item *it = p;
    atomic_fetch_add(&g->started, 1);
    pthread_mutex_lock(&g->mu);
    while (!g->open) {
        pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
    it->ran = 1;
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->mu);
    g->open = 1;
    pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

static struct item *item_new(int id)
{
    struct item *it = kc_calloc(1, sizeof(*it));
    assert_non_null(it);
    it->id = id;
    return it;
}

static void wait_started(struct gate *g, int n)
{
    int64_t deadline = kc_now_ms() + 5000;
    while (atomic_load(&g->started) < n && kc_now_ms() < deadline) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    assert_int_equal(atomic_load(&g->started), n);
}

static void test_herder_jobs_blocking_job_leaves_the_herder_queue_free(void **state)
{
    (void)state;
    struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    struct kc_queue *hq = kc_queue_new(); /* the herder's op queue */
    struct herder_jobs *j = herder_jobs_new(run_blocking, &g, hq, item_free);
    assert_non_null(j);

    int64_t t0 = kc_now_ms();
    assert_int_equal(herder_jobs_post(j, item_new(1)), KC_OK);
    assert_int_equal(herder_jobs_post(j, item_new(2)), KC_OK);
    assert_true(kc_now_ms() - t0 < 1000); /* posting never waits for the call */
    assert_int_equal(herder_jobs_pending(j), 2);

    /* While job 1 is in flight, the herder's queue serves another op at once. */
    wait_started(&g, 1);
    struct item *ping = item_new(99);
    assert_int_equal(kc_queue_push(hq, ping), KC_OK);
    assert_ptr_equal(kc_queue_pop(hq, 100), ping);
    kc_free(ping);
    assert_null(kc_queue_pop(hq, 50)); /* the job is not back yet */

    gate_open(&g);
    struct item *a = kc_queue_pop(hq, 5000);
    struct item *b = kc_queue_pop(hq, 5000);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->id, 1); /* in the order posted, each run once */
    assert_int_equal(b->id, 2);
    assert_true(a->ran && b->ran);
    kc_free(a);
    kc_free(b);
    assert_int_equal(herder_jobs_pending(j), 0);
    herder_jobs_free(j);
    kc_queue_unref(hq, item_free);
}

static void test_herder_jobs_free_finishes_the_running_job(void **state)
{
    (void)state;
    freed = 0;
    struct gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    struct kc_queue *hq = kc_queue_new();
    struct herder_jobs *j = herder_jobs_new(run_blocking, &g, hq, item_free);
    assert_int_equal(herder_jobs_post(j, item_new(1)), KC_OK);
    wait_started(&g, 1);
    assert_int_equal(herder_jobs_post(j, item_new(2)), KC_OK);
    gate_open(&g);
    herder_jobs_free(j); /* job 1 ends and is handed back; job 2 may or may not have run */
    int back = kc_queue_len(hq);
    assert_true(back >= 1);
    assert_int_equal(freed + back, 2); /* nothing lost, nothing freed twice */
    kc_queue_unref(hq, item_free);
    assert_int_equal(freed, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_herder_jobs_blocking_job_leaves_the_herder_queue_free),
        cmocka_unit_test(test_herder_jobs_free_finishes_the_running_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
