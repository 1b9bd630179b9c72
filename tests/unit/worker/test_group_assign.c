/*
 * tests/unit/worker/test_group_assign.c: the leader's assignors on tables of members and loads
 * (connect-compat.md §5.4): eager round robin, incremental cooperative rounds (fresh leader,
 * new member, lost member with and without delay, deleted and duplicated work), CONFIG_MISMATCH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "group_assign.h"
#include "kc_alloc.h"

/* Render a's assigned (or revoked) lists as "c1 c1-0 c2-1" (connectors, then tasks). */
static void render(const struct connect_assignment *a, int revoked, char *buf, size_t len)
{
    char *const *c = revoked ? a->revoked_connectors : a->connectors;
    size_t nc = revoked ? a->n_revoked_connectors : a->n_connectors;
    const struct connect_task_id *t = revoked ? a->revoked_tasks : a->tasks;
    size_t nt = revoked ? a->n_revoked_tasks : a->n_tasks;
    size_t off = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < nc; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? " " : "", c[i]);
    for (size_t i = 0; i < nt; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s-%d", off ? " " : "", t[i].connector,
                                t[i].task);
}

static void expect(const struct connect_assignment *a, const char *assigned, const char *revoked)
{
    char buf[512];
    render(a, 0, buf, sizeof(buf));
    assert_string_equal(buf, assigned);
    render(a, 1, buf, sizeof(buf));
    assert_string_equal(buf, revoked);
}

/* An allocation from "c1 c1-0 c1-1" text (connectors have no dash-number suffix). */
static struct connect_assignment *owned(const char *text)
{
    struct connect_assignment *a = kc_calloc(1, sizeof(*a));
    char copy[256];
    snprintf(copy, sizeof(copy), "%s", text);
    for (char *save = NULL, *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *dash = strrchr(tok, '-');
        if (dash && dash[1] >= '0' && dash[1] <= '9') {
            *dash = '\0';
            a->tasks = kc_realloc(a->tasks, (a->n_tasks + 1) * sizeof(*a->tasks));
            a->tasks[a->n_tasks].connector = kc_strdup(tok);
            a->tasks[a->n_tasks++].task = atoi(dash + 1);
        } else {
            kc_strv_push(&a->connectors, &a->n_connectors, tok);
        }
    }
    return a;
}

static const char *conns2[] = {"c2", "c1"};
static const int tasks2[] = {2, 1};

static void run(struct group_assign_state *st, struct group_assign_input *in,
                struct connect_assignment *out)
{
    struct kc_error err;
    assert_int_equal(group_assign_run(st, in, out, &err), KC_OK);
}

static void fini_all(struct connect_assignment *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        group_connect_assignment_fini(&out[i]);
}

static void test_eager_round_robin(void **state)
{
    (void)state;
    struct group_snapshot snap = {.config_offset = 5, .connectors = conns2, .n_connectors = 2,
                                  .task_counts = tasks2};
    struct group_assign_member m[] = {{"b", "http://b/", 5, NULL},
                                      {"a", "http://a/", 5, NULL},
                                      {"c", "http://c/", 3, NULL}};
    struct group_assign_input in = {.members = m, .n_members = 3, .leader_id = "b", .snap = &snap,
                                    .version = 0};
    struct connect_assignment out[3];
    run(NULL, &in, out);
    /* sorted members a b c; connectors c1 c2 then tasks c1-0 c2-0 c2-1 on one iterator */
    expect(&out[1], "c1 c2-0", "");
    expect(&out[0], "c2 c2-1", "");
    expect(&out[2], "c1-0", "");
    assert_string_equal(out[2].leader, "b");
    assert_string_equal(out[2].leader_url, "http://b/");
    assert_int_equal(out[2].config_offset, 5);
    assert_int_equal(out[2].version, 0);
    fini_all(out, 3);
}

static void test_config_mismatch(void **state)
{
    (void)state;
    struct group_snapshot snap = {.config_offset = 5, .connectors = conns2, .n_connectors = 2,
                                  .task_counts = tasks2};
    struct group_assign_member m[] = {{"a", "http://a/", 5, NULL}, {"b", "http://b/", 9, NULL}};
    struct group_assign_input in = {.members = m, .n_members = 2, .leader_id = "a", .snap = &snap,
                                    .version = 2};
    struct group_assign_state st;
    group_assign_state_init(&st);
    struct connect_assignment out[2];
    run(&st, &in, out);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(out[i].error, GROUP_CONNECT_ERR_CONFIG_MISMATCH);
        assert_int_equal(out[i].config_offset, 9);
        expect(&out[i], "", "");
    }
    fini_all(out, 2);
    group_assign_state_fini(&st);
}

static const char *conns1[] = {"s"};

/* A cooperative group through several rounds: fresh leader, a third member joins, one leaves. */
static void test_cooperative_rounds(void **state)
{
    (void)state;
    int tasks[] = {4};
    struct group_snapshot snap = {.config_offset = 1, .connectors = conns1, .n_connectors = 1,
                                  .task_counts = tasks};
    struct group_assign_state st;
    group_assign_state_init(&st);
    struct connect_assignment out[3];

    /* round 1: fresh leader, two empty members: least loaded first, ties by id */
    struct group_assign_member m1[] = {{"b", "u", 1, NULL}, {"a", "u", 1, NULL}};
    struct group_assign_input in = {.members = m1, .n_members = 2, .leader_id = "a", .snap = &snap,
                                    .version = 2, .generation = 1, .last_completed_generation = -1,
                                    .max_delay_ms = 0, .now_ms = 1000};
    run(&st, &in, out);
    expect(&out[1], "s s-0 s-2", "");
    expect(&out[0], "s-1 s-3", "");
    assert_int_equal(out[0].delay_ms, 0);
    fini_all(out, 2);

    /* round 2: c joins empty: b and a hold 2 tasks each, share is 2,1,1: a (first by id among
     * the most loaded) keeps 2, b gives up its last task; nothing new is handed out */
    struct connect_assignment *oa = owned("s s-0 s-2"), *ob = owned("s-1 s-3");
    struct group_assign_member m2[] = {{"a", "u", 1, oa}, {"b", "u", 1, ob}, {"c", "u", 1, NULL}};
    in.members = m2;
    in.n_members = 3;
    in.generation = 2;
    in.last_completed_generation = 1;
    run(&st, &in, out);
    expect(&out[0], "", "");
    expect(&out[1], "", "s-3");
    expect(&out[2], "", "");
    fini_all(out, 3);
    group_connect_assignment_free(ob);

    /* round 3: b rejoins without s-3: it is new work now and goes to c */
    ob = owned("s-1");
    m2[1].owned = ob;
    in.generation = 3;
    in.last_completed_generation = 2;
    run(&st, &in, out);
    expect(&out[0], "", "");
    expect(&out[1], "", "");
    expect(&out[2], "s-3", "");
    fini_all(out, 3);

    /* round 4: c vanished (kill -9), delay 0: its task goes at once to the least loaded (b) */
    struct group_assign_member m4[] = {{"a", "u", 1, oa}, {"b", "u", 1, ob}};
    in.members = m4;
    in.n_members = 2;
    in.generation = 4;
    in.last_completed_generation = 3;
    run(&st, &in, out);
    expect(&out[0], "", "");
    expect(&out[1], "s-3", "");
    fini_all(out, 2);

    group_connect_assignment_free(oa);
    group_connect_assignment_free(ob);
    group_assign_state_fini(&st);
}

/* Lost work waits scheduled.rebalance.max.delay.ms, then goes to a member that joined empty. */
static void test_cooperative_lost_delay(void **state)
{
    (void)state;
    int tasks[] = {2};
    struct group_snapshot snap = {.config_offset = 1, .connectors = conns1, .n_connectors = 1,
                                  .task_counts = tasks};
    struct group_assign_state st;
    group_assign_state_init(&st);
    struct connect_assignment out[2];
    struct group_assign_member m1[] = {{"a", "u", 1, NULL}, {"b", "u", 1, NULL}};
    struct group_assign_input in = {.members = m1, .n_members = 2, .leader_id = "a", .snap = &snap,
                                    .version = 1, .generation = 7, .last_completed_generation = -1,
                                    .max_delay_ms = 10000, .now_ms = 50000};
    run(&st, &in, out);
    expect(&out[0], "s s-0", "");
    expect(&out[1], "s-1", "");
    fini_all(out, 2);

    /* b is gone: its task waits, everyone is told to come back in 10 s */
    struct connect_assignment *oa = owned("s s-0");
    struct group_assign_member m2[] = {{"a", "u", 1, oa}};
    in.members = m2;
    in.n_members = 1;
    in.generation = 8;
    in.last_completed_generation = 7;
    run(&st, &in, out);
    expect(&out[0], "", "");
    assert_int_equal(out[0].delay_ms, 10000);
    assert_int_equal(out[0].version, 1);
    fini_all(out, 1);

    /* d joins empty 4 s later: still waiting, delay shrinks */
    struct group_assign_member m3[] = {{"a", "u", 1, oa}, {"d", "u", 1, NULL}};
    in.members = m3;
    in.n_members = 2;
    in.generation = 9;
    in.last_completed_generation = 8;
    in.now_ms = 54000;
    run(&st, &in, out);
    expect(&out[1], "", "");
    assert_int_equal(out[1].delay_ms, 6000);
    fini_all(out, 2);

    /* deadline passed: the lost task goes to d, which joined empty during the wait */
    in.generation = 10;
    in.last_completed_generation = 9;
    in.now_ms = 60000;
    run(&st, &in, out);
    expect(&out[0], "", "");
    expect(&out[1], "s-1", "");
    assert_int_equal(out[1].delay_ms, 0);
    fini_all(out, 2);
    group_connect_assignment_free(oa);
    group_assign_state_fini(&st);
}

/* Work of a deleted connector and work held twice are revoked, never reassigned the same round. */
static void test_cooperative_deleted_duplicated(void **state)
{
    (void)state;
    int tasks[] = {2};
    struct group_snapshot snap = {.config_offset = 3, .connectors = conns1, .n_connectors = 1,
                                  .task_counts = tasks};
    struct group_assign_state st;
    group_assign_state_init(&st);
    struct connect_assignment out[2];
    struct connect_assignment *oa = owned("s s-0 gone gone-0"), *ob = owned("s-0 s-1");
    struct group_assign_member m[] = {{"a", "u", 3, oa}, {"b", "u", 3, ob}};
    struct group_assign_input in = {.members = m, .n_members = 2, .leader_id = "b", .snap = &snap,
                                    .version = 2, .generation = 3, .last_completed_generation = -1,
                                    .max_delay_ms = 300000, .now_ms = 1};
    run(&st, &in, out);
    expect(&out[0], "", "gone gone-0 s-0");
    expect(&out[1], "", "s-0");
    fini_all(out, 2);
    group_connect_assignment_free(oa);
    group_connect_assignment_free(ob);
    group_assign_state_fini(&st);
}

/* Back-to-back balancing revocations are throttled: 40 ms, then 1.6 s. */
static void test_cooperative_revocation_backoff(void **state)
{
    (void)state;
    int tasks[] = {6};
    struct group_snapshot snap = {.config_offset = 1, .connectors = conns1, .n_connectors = 1,
                                  .task_counts = tasks};
    struct group_assign_state st;
    group_assign_state_init(&st);
    struct connect_assignment out[3];
    struct connect_assignment *oa = owned("s s-0 s-1 s-2 s-3 s-4 s-5");
    struct group_assign_member m[] = {{"a", "u", 1, oa}, {"b", "u", 1, NULL}};
    struct group_assign_input in = {.members = m, .n_members = 2, .leader_id = "a", .snap = &snap,
                                    .version = 2, .generation = 1, .last_completed_generation = -1,
                                    .max_delay_ms = 300000, .now_ms = 1000};
    run(&st, &in, out);
    expect(&out[0], "", "s-3 s-4 s-5");
    assert_int_equal(out[0].delay_ms, 0);
    fini_all(out, 2);
    /* a third member appears 10 ms later: a still holds 3 of 6, share is 2: throttled */
    group_connect_assignment_free(oa);
    oa = owned("s s-0 s-1 s-2");
    struct connect_assignment *ob = owned("s-3 s-4 s-5");
    struct group_assign_member m2[] = {{"a", "u", 1, oa}, {"b", "u", 1, ob}, {"c", "u", 1, NULL}};
    in.members = m2;
    in.n_members = 3;
    in.generation = 2;
    in.last_completed_generation = 1;
    in.now_ms = 1010;
    run(&st, &in, out);
    expect(&out[0], "", "");
    assert_int_equal(out[0].delay_ms, 30);
    fini_all(out, 3);
    group_connect_assignment_free(oa);
    group_connect_assignment_free(ob);
    group_assign_state_fini(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eager_round_robin),
        cmocka_unit_test(test_config_mismatch),
        cmocka_unit_test(test_cooperative_rounds),
        cmocka_unit_test(test_cooperative_lost_delay),
        cmocka_unit_test(test_cooperative_deleted_duplicated),
        cmocka_unit_test(test_cooperative_revocation_backoff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
