/*
 * tests/unit/worker/test_herder_handle.c: the per-task callback opaque (worker/herder_handle.h).
 * A task abandoned after task.shutdown.graceful.timeout.ms used to keep the herder itself as
 * its callbacks' opaque: its late reports reached the herder's queue (credited to the new task
 * with its id) and at shutdown it could touch the freed herder. Here: a report posted after the
 * kill is refused, the herder's queue outlives the herder through the handle's reference, and
 * the reference counts add up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "herder_handle.h"
#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_queue.h"

static int freed_items;

static void count_free(void *item)
{
    freed_items++;
    kc_free(item);
}

static void test_herder_handle_live_posts_reach_the_queue(void **state)
{
    (void)state;
    struct kc_queue *q = kc_queue_new();
    struct herder_handle *th = herder_handle_new(q, 7, count_free);
    assert_non_null(th);
    assert_int_equal(herder_handle_refs(th), 2);
    assert_int_equal(herder_handle_serial(th), 7);
    assert_true(herder_handle_alive(th));
    int *item = kc_malloc(sizeof(*item));
    assert_int_equal(herder_handle_post(th, item), KC_OK);
    assert_ptr_equal(kc_queue_pop(q, 0), item);
    kc_free(item);
    /* A task that ended: the herder drops both references; the queue is the herder's again. */
    herder_handle_release(th);
    herder_handle_release(th);
    assert_int_equal(kc_queue_len(q), 0);
    kc_queue_unref(q, count_free);
}

static void test_herder_handle_late_report_after_abandon_is_dropped(void **state)
{
    (void)state;
    freed_items = 0;
    struct kc_queue *q = kc_queue_new();
    struct herder_handle *th = herder_handle_new(q, 1, count_free);
    assert_non_null(th);
    /* The herder gives up on the task: kill, drop its own reference, free its queue ref (as
     * herder_free does). The abandoned task still holds one reference. */
    herder_handle_kill(th);
    herder_handle_release(th);
    kc_queue_unref(q, count_free);
    assert_int_equal(herder_handle_refs(th), 1);
    assert_false(herder_handle_alive(th));
    /* The task wakes up and reports: refused, the item stays the caller's, nothing queued. */
    int *item = kc_malloc(sizeof(*item));
    assert_int_equal(herder_handle_post(th, item), KC_ENOENT);
    kc_free(item);
    assert_int_equal(freed_items, 0);
    /* The task's reference was the last one: it frees the handle and the queue. */
    herder_handle_release(th);
}

static void test_herder_handle_post_racing_the_kill_stays_in_live_memory(void **state)
{
    (void)state;
    freed_items = 0;
    struct kc_queue *q = kc_queue_new();
    struct herder_handle *th = herder_handle_new(q, 3, count_free);
    /* A post that passed the alive check just before the kill lands in the queue; the herder
     * then drops it by serial. If the herder is gone by then, the queue still exists (the
     * handle's reference) and frees the item with the last reference. */
    int *item = kc_malloc(sizeof(*item));
    assert_int_equal(herder_handle_post(th, item), KC_OK);
    herder_handle_kill(th);
    herder_handle_release(th);
    kc_queue_unref(q, count_free); /* the herder's reference */
    assert_int_equal(freed_items, 0);
    herder_handle_release(th);    /* the task's: queue freed with what it held */
    assert_int_equal(freed_items, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_herder_handle_live_posts_reach_the_queue),
        cmocka_unit_test(test_herder_handle_late_report_after_abandon_is_dropped),
        cmocka_unit_test(test_herder_handle_post_racing_the_kill_stays_in_live_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
