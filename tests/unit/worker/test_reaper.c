/*
 * tests/unit/worker/test_reaper.c: the task's message reaper (worker/reaper.h). Every item
 * handed over is destroyed exactly once; on the reaper's thread while it keeps up; on the
 * caller's past REAPER_MAX_PENDING items or the reaper's byte bound (memory stays bounded);
 * stop destroys what still waits.
 */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "reaper.h"

#define N_ITEMS (4 * REAPER_MAX_PENDING)

struct item {
    _Atomic int destroyed;
    _Atomic int on_caller; /* destroyed on the thread that gave it */
};

static struct item items[N_ITEMS];
static pthread_t caller;
static _Atomic int total;

/* the gate holds the reaper inside destroy() until opened */
static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_closed;
static _Atomic int at_gate;

static void destroy_item(void *p)
{
    struct item *it = p;
    pthread_mutex_lock(&gate_mu);
    while (gate_closed && !pthread_equal(pthread_self(), caller)) {
        atomic_store(&at_gate, 1);
        pthread_cond_wait(&gate_cv, &gate_mu);
    }
    pthread_mutex_unlock(&gate_mu);
    atomic_fetch_add(&it->destroyed, 1);
    if (pthread_equal(pthread_self(), caller)) {
        atomic_store(&it->on_caller, 1);
    }
    atomic_fetch_add(&total, 1);
}

static void reset(void)
{
    memset(items, 0, sizeof(items));
    atomic_store(&total, 0);
    atomic_store(&at_gate, 0);
    gate_closed = 0;
    caller = pthread_self();
}

static void open_gate(void)
{
    pthread_mutex_lock(&gate_mu);
    gate_closed = 0;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
}

/* all n destroyed, by whichever thread */
static void wait_total(int n)
{
    while (atomic_load(&total) < n) {
        sched_yield();
    }
}

static void give_range(struct reaper *r, size_t from, size_t n)
{
    void *batch[500];
    while (n > 0) {
        size_t k = n < 500 ? n : 500;
        for (size_t i = 0; i < k; i++) {
            batch[i] = &items[from + i];
        }
        reaper_give(r, batch, k, k * 10);
        from += k;
        n -= k;
    }
}

static void test_every_item_destroyed_once_beside_the_caller(void **state)
{
    (void)state;
    reset();
    struct reaper *r = reaper_start(destroy_item, SIZE_MAX);
    assert_non_null(r);
    give_range(r, 0, N_ITEMS);
    wait_total(N_ITEMS);
    assert_int_equal(atomic_load(&total), N_ITEMS);
    int on_caller = 0;
    for (size_t i = 0; i < N_ITEMS; i++) {
        assert_int_equal(atomic_load(&items[i].destroyed), 1);
        on_caller += atomic_load(&items[i].on_caller);
    }
    /* Some (usually all) were destroyed on the reaper's thread; how many depends on how the
     * threads were scheduled, past the bound the caller destroys them itself. */
    assert_true(on_caller < N_ITEMS);
    /* a second round on the same reaper (its arrays swapped) works the same */
    reset();
    give_range(r, 0, 1000);
    reaper_stop(r);
    assert_int_equal(atomic_load(&total), 1000);
}

static void test_a_stuck_reaper_bounds_what_waits(void **state)
{
    (void)state;
    reset();
    gate_closed = 1;
    struct reaper *r = reaper_start(destroy_item, SIZE_MAX);
    assert_non_null(r);
    give_range(r, 0, 1); /* the reaper takes it and stops at the gate */
    while (!atomic_load(&at_gate)) {
        sched_yield();
    }
    give_range(r, 1, N_ITEMS - 1);
    /* Past REAPER_MAX_PENDING held (waiting, or the one at the gate), batches were destroyed
     * at once, on this thread. */
    int on_caller = 0;
    for (size_t i = 0; i < N_ITEMS; i++) {
        on_caller += atomic_load(&items[i].on_caller);
    }
    assert_true(N_ITEMS - on_caller <= REAPER_MAX_PENDING);
    assert_true(N_ITEMS - on_caller > REAPER_MAX_PENDING - 500);
    open_gate();
    reaper_stop(r);
    assert_int_equal(atomic_load(&total), N_ITEMS);
    for (size_t i = 0; i < N_ITEMS; i++) {
        assert_int_equal(atomic_load(&items[i].destroyed), 1);
    }
}

static void *stopper(void *arg)
{
    reaper_stop(arg);
    return NULL;
}

static void test_stop_destroys_what_waits(void **state)
{
    (void)state;
    reset();
    gate_closed = 1;
    struct reaper *r = reaper_start(destroy_item, SIZE_MAX);
    assert_non_null(r);
    give_range(r, 0, 1);
    while (!atomic_load(&at_gate)) {
        sched_yield();
    }
    give_range(r, 1, 2000); /* waiting behind the first */
    /* stopped while the thread is held at the gate: it sees the stop with
     * 2000 items still waiting, and must destroy them before it leaves */
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, stopper, r), 0);
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    open_gate();
    pthread_join(th, NULL);
    assert_int_equal(atomic_load(&total), 2001);
    for (size_t i = 0; i < 2001; i++) {
        assert_int_equal(atomic_load(&items[i].destroyed), 1);
    }
    reaper_stop(NULL);
}

static void test_a_byte_bound_too(void **state)
{
    (void)state;
    reset();
    gate_closed = 1;
    struct reaper *r = reaper_start(destroy_item, 1000);
    assert_non_null(r);
    void *one = &items[0], *two = &items[1], *three = &items[2], *big = &items[3];
    reaper_give(r, &one, 1, 600); /* taken by the thread, held at the gate */
    while (!atomic_load(&at_gate)) {
        sched_yield();
    }
    reaper_give(r, &two, 1, 600);   /* 600 + 600 > 1000: destroyed here */
    reaper_give(r, &three, 1, 400); /* 600 + 400 fits: waits */
    reaper_give(r, &big, 1, 5000);  /* larger than the bound alone: destroyed here */
    assert_int_equal(atomic_load(&items[1].on_caller), 1);
    assert_int_equal(atomic_load(&items[3].on_caller), 1);
    assert_int_equal(atomic_load(&items[2].destroyed), 0);
    open_gate();
    reaper_stop(r);
    assert_int_equal(atomic_load(&total), 4);
    assert_int_equal(atomic_load(&items[0].on_caller), 0);
    assert_int_equal(atomic_load(&items[2].on_caller), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_item_destroyed_once_beside_the_caller),
        cmocka_unit_test(test_a_stuck_reaper_bounds_what_waits),
        cmocka_unit_test(test_stop_destroys_what_waits),
        cmocka_unit_test(test_a_byte_bound_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
