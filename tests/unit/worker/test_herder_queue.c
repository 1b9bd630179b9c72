/*
 * tests/unit/worker/test_herder_queue.c: the herder's inbound queue is bounded. A herder that
 * does not take its ops (stuck, here: no thread at all) must not let REST requests pile up: with
 * HERDER_MAX_QUEUED_OPS ops waiting, the next request is refused at once with a clear message,
 * nothing more is queued, and once the queue drains requests are taken again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "herder.h"
#include "herder_int.h"
#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_queue.h"

static void test_full_queue_refuses_at_once(void **state)
{
    (void)state;
    struct herder h;
    memset(&h, 0, sizeof(h));
    h.q = kc_queue_new();
    assert_non_null(h.q);
    atomic_store(&h.ready, 1);
    for (int i = 0; i < HERDER_MAX_QUEUED_OPS; i++) {
        struct herder_op *op = kc_calloc(1, sizeof(*op));
        assert_non_null(op);
        assert_int_equal(kc_queue_push(h.q, op), KC_OK);
    }
    char **names = NULL;
    size_t n = 0;
    struct kc_error err = {0};
    int64_t t0 = kc_now_ms();
    int rc = herder_connectors_list(&h, &names, &n, &err);
    assert_int_equal(rc, KC_EINVAL);
    assert_true(kc_now_ms() - t0 < 1000); /* refused, not waited for */
    assert_string_equal(err.msg, "Request refused: 1024 requests are already waiting for the "
                                 "herder");
    assert_int_equal(kc_queue_len(h.q), HERDER_MAX_QUEUED_OPS);
    /* Drain one: a request is queued again (it then waits for an answer; closing releases
     * it at once). */
    struct herder_op *one = kc_queue_pop(h.q, 0);
    assert_non_null(one);
    herder_op_free(one);
    atomic_store(&h.closing, 1);
    rc = herder_connectors_list(&h, &names, &n, &err);
    assert_int_equal(rc, KC_EIO);
    assert_string_equal(err.msg, "Request timed out");
    assert_int_equal(kc_queue_len(h.q), HERDER_MAX_QUEUED_OPS); /* it was queued */
    kc_queue_unref(h.q, herder_op_free);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_queue_refuses_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
