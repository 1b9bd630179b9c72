/*
 * tests/unit/worker/test_offsets.c: the task's offset bookkeeping and byte budget
 * (worker/offsets.h), without Kafka: what pre_commit may and may not move, that commits never
 * go backwards, metadata, rewinds, pause bits, and the budget's high and low water marks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "offsets.h"

static void consume(struct offsets *o, const char *topic, int32_t part, int64_t from, int64_t to)
{
    for (int64_t off = from; off < to; off++) {
        offsets_mark_consumed(o, topic, part, off);
    }
}

static void test_default_path_commits_everything_consumed(void **state)
{
    (void)state;
    struct offsets o;
    struct sink_offset out[4];
    offsets_init(&o);
    assert_int_equal(offsets_assign(&o, "t", 0, OFFSETS_NONE, NULL), KC_OK);
    assert_int_equal(offsets_assign(&o, "t", 1, 10, NULL), KC_OK);
    assert_false(offsets_pending(&o));
    consume(&o, "t", 0, 0, 5);
    consume(&o, "t", 1, 10, 12);
    consume(&o, "gone", 0, 0, 3); /* not assigned: ignored */
    assert_true(offsets_pending(&o));
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 0); /* nothing durable yet */
    offsets_all_durable(&o, NULL);
    size_t n = offsets_commit_list(&o, NULL, 0, out);
    assert_int_equal(n, 2);
    assert_string_equal(out[0].topic, "t");
    assert_int_equal(out[0].offset, 5);
    assert_int_equal(out[1].offset, 12);
    assert_int_equal(offsets_committed(&o, out, n), KC_OK);
    assert_false(offsets_pending(&o));
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 0);
    offsets_fini(&o);
}

/* Asynchronous commits: an offset on its way is left out of the next asynchronous commit
 * but not out of a synchronous one (a rebalance's, a stop's), and counts as committed only
 * when the group says so; a failed one is sent again; an older answer never moves the commit
 * back. */
static void test_async_commit_is_committed_when_answered(void **state)
{
    (void)state;
    struct offsets o;
    struct sink_offset out[4];
    offsets_init(&o);
    offsets_assign(&o, "t", 0, OFFSETS_NONE, NULL);
    offsets_assign(&o, "t", 1, OFFSETS_NONE, NULL);
    consume(&o, "t", 0, 0, 5);
    consume(&o, "t", 1, 0, 7);
    offsets_all_durable(&o, NULL);
    size_t n = offsets_commit_list(&o, NULL, 1, out);
    assert_int_equal(n, 2);
    offsets_commit_sent(&o, out, n);
    assert_int_equal(offsets_commit_list(&o, NULL, 1, out), 0); /* on their way */
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 2);       /* a rebalance sends them */
    /* t-0 answered ok, t-1 failed */
    assert_int_equal(offsets_commit_answered(&o, "t", 0, 5, NULL, 0, 1), KC_OK);
    assert_int_equal(offsets_commit_answered(&o, "t", 1, 7, NULL, 0, 0), KC_OK);
    assert_int_equal(offsets_commit_answered(&o, "gone", 0, 5, NULL, 0, 1), KC_OK);
    n = offsets_commit_list(&o, NULL, 1, out);
    assert_int_equal(n, 1); /* t-1 again; t-0 committed */
    assert_int_equal(out[0].partition, 1);
    assert_int_equal(out[0].offset, 7);
    offsets_commit_sent(&o, out, n);
    assert_true(offsets_pending(&o)); /* not answered yet */
    /* more records of t-1 while 7 is on its way: 9 goes too; then 7's answer comes late */
    consume(&o, "t", 1, 7, 9);
    offsets_all_durable(&o, NULL);
    n = offsets_commit_list(&o, NULL, 1, out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].offset, 9);
    offsets_commit_sent(&o, out, n);
    assert_int_equal(offsets_commit_answered(&o, "t", 1, 9, NULL, 0, 1), KC_OK);
    assert_int_equal(offsets_commit_answered(&o, "t", 1, 7, NULL, 0, 1), KC_OK); /* older */
    assert_false(offsets_pending(&o));
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 0);
    /* a failed answer for an offset no longer on its way changes nothing */
    assert_int_equal(offsets_commit_answered(&o, "t", 1, 7, NULL, 0, 0), KC_OK);
    assert_int_equal(offsets_commit_list(&o, NULL, 1, out), 0);
    /* an answer naming no partition: every mark is forgotten, so they go again */
    consume(&o, "t", 0, 5, 6);
    offsets_all_durable(&o, NULL);
    n = offsets_commit_list(&o, NULL, 1, out);
    assert_int_equal(n, 1);
    offsets_commit_sent(&o, out, n);
    assert_int_equal(offsets_commit_list(&o, NULL, 1, out), 0);
    offsets_commit_lost(&o);
    assert_int_equal(offsets_commit_list(&o, NULL, 1, out), 1);
    /* the metadata comes back with the answer (bytes, not a C string): committed with it */
    struct kc_error err = {0};
    struct sink_offset md[] = {{"t", 0, 6, "file=a"}};
    assert_int_equal(offsets_set_durable(&o, md, 1, "test", &err), KC_OK);
    n = offsets_commit_list(&o, NULL, 1, out);
    assert_int_equal(n, 1);
    offsets_commit_sent(&o, out, n);
    assert_int_equal(offsets_commit_answered(&o, "t", 0, 6, "file=a;junk", 6, 1), KC_OK);
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 0);
    offsets_fini(&o);
}

static void test_pre_commit_fewer_and_lower(void **state)
{
    (void)state;
    struct offsets o;
    struct sink_offset consumed[4], out[4];
    offsets_init(&o);
    offsets_assign(&o, "a", 0, OFFSETS_NONE, NULL);
    offsets_assign(&o, "a", 1, OFFSETS_NONE, NULL);
    consume(&o, "a", 0, 0, 100);
    consume(&o, "a", 1, 0, 50);
    assert_int_equal(offsets_consumed_list(&o, NULL, consumed), 2);
    assert_int_equal(consumed[0].offset, 100);
    /* The sink holds a-1 entirely and a-0 after 40. */
    struct sink_offset durable[] = {{"a", 0, 40, "file=a+0+0"}};
    struct kc_error err = {0};
    assert_int_equal(offsets_set_durable(&o, durable, 1, "test", &err), KC_OK);
    size_t n = offsets_commit_list(&o, NULL, 0, out);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].offset, 40);
    assert_string_equal(out[0].metadata, "file=a+0+0");
    offsets_committed(&o, out, n);
    assert_true(offsets_pending(&o)); /* 60 + 50 records still to commit */
    /* A lower answer later never moves the commit back. */
    struct sink_offset lower[] = {{"a", 0, 20, NULL}};
    assert_int_equal(offsets_set_durable(&o, lower, 1, "test", &err), KC_OK);
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 0);
    /* Same offset, new metadata: committed again (the metadata is part of the commit). */
    struct sink_offset same[] = {{"a", 0, 40, "file=a+0+0;v2"}};
    assert_int_equal(offsets_set_durable(&o, same, 1, "test", &err), KC_OK);
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 1);
    offsets_fini(&o);
}

static void test_pre_commit_above_consumed_fails(void **state)
{
    (void)state;
    struct offsets o;
    struct kc_error err = {0};
    offsets_init(&o);
    offsets_assign(&o, "a", 3, 7, NULL);
    consume(&o, "a", 3, 7, 10);
    struct sink_offset bad[] = {{"a", 3, 11, NULL}};
    assert_int_equal(offsets_set_durable(&o, bad, 1, "clickhouse", &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "clickhouse"));
    assert_non_null(strstr(err.msg, "a-3"));
    assert_non_null(strstr(err.msg, "11"));
    /* A partition with nothing consumed cannot be claimed either. */
    offsets_assign(&o, "a", 4, OFFSETS_NONE, NULL);
    struct sink_offset bad2[] = {{"a", 4, 1, NULL}};
    assert_int_equal(offsets_set_durable(&o, bad2, 1, "clickhouse", &err), KC_EINVAL);
    /* An unknown partition (revoked meanwhile) is ignored. */
    struct sink_offset gone[] = {{"b", 0, 99, NULL}};
    assert_int_equal(offsets_set_durable(&o, gone, 1, "clickhouse", &err), KC_OK);
    offsets_fini(&o);
}

static void test_only_restricts_to_revoked(void **state)
{
    (void)state;
    struct offsets o;
    struct sink_offset out[4];
    offsets_init(&o);
    offsets_assign(&o, "t", 0, OFFSETS_NONE, NULL);
    offsets_assign(&o, "t", 1, OFFSETS_NONE, NULL);
    consume(&o, "t", 0, 0, 3);
    consume(&o, "t", 1, 0, 4);
    struct tp revoked[] = {{"t", 1, 0, NULL}};
    struct tp_list only = {revoked, 1};
    assert_int_equal(offsets_consumed_list(&o, &only, out), 1);
    assert_int_equal(out[0].partition, 1);
    offsets_all_durable(&o, &only);
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 1);
    assert_int_equal(out[0].offset, 4);
    offsets_revoke(&o, "t", 1);
    assert_null(offsets_find(&o, "t", 1));
    assert_non_null(offsets_find(&o, "t", 0));
    assert_int_equal(o.n, 1);
    offsets_fini(&o);
}

static void test_rewind_moves_consumed_back(void **state)
{
    (void)state;
    struct offsets o;
    struct kc_error err = {0};
    struct sink_offset out[2];
    offsets_init(&o);
    offsets_assign(&o, "t", 0, 5, "x");
    consume(&o, "t", 0, 5, 20);
    offsets_all_durable(&o, NULL);
    assert_int_equal(offsets_request_rewind(&o, "t", 0, 12, &err), KC_OK);
    struct offsets_part *p = offsets_find(&o, "t", 0);
    assert_int_equal(p->rewind, 12);
    assert_int_equal(p->consumed, 12);
    assert_int_equal(p->durable, 12);
    assert_true(o.rewinds);
    assert_int_equal(offsets_commit_list(&o, NULL, 0, out), 1);
    assert_int_equal(out[0].offset, 12);
    assert_int_equal(offsets_request_rewind(&o, "t", 9, 0, &err), KC_ENOENT);
    assert_non_null(strstr(err.msg, "t-9"));
    offsets_fini(&o);
}

static void test_assign_keeps_metadata(void **state)
{
    (void)state;
    struct offsets o;
    offsets_init(&o);
    assert_int_equal(offsets_assign(&o, "t", 0, 42, "batch=40-41"), KC_OK);
    struct offsets_part *p = offsets_find(&o, "t", 0);
    assert_int_equal(p->committed, 42);
    assert_string_equal(p->committed_md, "batch=40-41");
    /* Nothing consumed: nothing pending, even though metadata is set. */
    assert_false(offsets_pending(&o));
    offsets_fini(&o);
}

static void test_pause_bits(void **state)
{
    (void)state;
    struct offsets o;
    offsets_init(&o);
    offsets_assign(&o, "t", 0, OFFSETS_NONE, NULL);
    offsets_assign(&o, "t", 1, OFFSETS_NONE, NULL);
    struct offsets_part *p = offsets_find(&o, "t", 0);
    offsets_pause(&o, p, OFFSETS_PAUSE_SINK);
    offsets_pause_all(&o, OFFSETS_PAUSE_BUDGET);
    offsets_resume_all(&o, OFFSETS_PAUSE_BUDGET);
    assert_int_equal(offsets_find(&o, "t", 0)->paused, OFFSETS_PAUSE_SINK);
    assert_int_equal(offsets_find(&o, "t", 1)->paused, 0);
    offsets_resume(&o, offsets_find(&o, "t", 0), OFFSETS_PAUSE_SINK);
    assert_int_equal(offsets_find(&o, "t", 0)->paused, 0);
    offsets_fini(&o);
}

static void test_budget_water_marks(void **state)
{
    (void)state;
    struct offsets_budget b;
    offsets_budget_init(&b, 1000);
    assert_int_equal(b.low, 750);
    assert_int_equal(offsets_budget_room(&b), 1000);
    b.batch_bytes = 400;
    b.sink_bytes = 500;
    assert_int_equal(offsets_budget_check(&b), 0);
    assert_int_equal(offsets_budget_room(&b), 100);
    b.sink_bytes = 600;
    assert_int_equal(offsets_budget_check(&b), 1); /* at the limit: stop */
    assert_int_equal(offsets_budget_room(&b), 0);
    assert_int_equal(offsets_budget_check(&b), 0); /* already stopped */
    b.batch_bytes = 0;
    b.sink_bytes = 800;
    assert_int_equal(offsets_budget_check(&b), 0); /* between the marks: stay stopped */
    b.sink_bytes = 749;
    assert_int_equal(offsets_budget_check(&b), -1); /* below low water: resume */
    assert_int_equal(b.peak, 1000);
}

static void test_assign_out_of_memory(void **state)
{
    (void)state;
    for (long fail = 0; fail < 8; fail++) {
        struct offsets o;
        offsets_init(&o);
        kc_alloc_fail_after(fail);
        int rc = offsets_assign(&o, "t", 0, 3, "md");
        kc_alloc_fail_after(-1);
        assert_true(rc == KC_OK || rc == KC_ENOMEM);
        offsets_fini(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_path_commits_everything_consumed),
        cmocka_unit_test(test_pre_commit_fewer_and_lower),
        cmocka_unit_test(test_async_commit_is_committed_when_answered),
        cmocka_unit_test(test_pre_commit_above_consumed_fails),
        cmocka_unit_test(test_only_restricts_to_revoked),
        cmocka_unit_test(test_rewind_moves_consumed_back),
        cmocka_unit_test(test_assign_keeps_metadata),
        cmocka_unit_test(test_pause_bits),
        cmocka_unit_test(test_budget_water_marks),
        cmocka_unit_test(test_assign_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
