/*
 * tests/unit/worker/test_group_connect.c: Connect metadata and assignment layouts against the
 * byte vectors of connect-compat.md §5.3, written by hand from the spec.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "group_connect.h"
#include "kc_alloc.h"

/* v2 metadata, url http://w1:8083/, offset 7, no allocation (§5.3), 31 bytes */
static const uint8_t meta_v2[] = {0x00, 0x02, 0x00, 0x0f, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f,
                                  0x77, 0x31, 0x3a, 0x38, 0x30, 0x38, 0x33, 0x2f, 0x00, 0x00, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x07, 0xff, 0xff, 0xff, 0xff};

/* v2 assignment: leader connect-1-abc, sink-a + task 0, nothing revoked, delay 0 (§5.3) */
static const uint8_t asg_v2[] = {
    0x00, 0x02, 0x00, 0x00, 0x00, 0x0d, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x2d, 0x31,
    0x2d, 0x61, 0x62, 0x63, 0x00, 0x0f, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x77, 0x31,
    0x3a, 0x38, 0x30, 0x38, 0x33, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x06, 0x73, 0x69, 0x6e, 0x6b, 0x2d, 0x61, 0x00, 0x00, 0x00, 0x02,
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00};

/* v0 metadata of the same worker: the v2 bytes without allocation, version 0 */
static const uint8_t meta_v0[] = {0x00, 0x00, 0x00, 0x0f, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f,
                                  0x2f, 0x77, 0x31, 0x3a, 0x38, 0x30, 0x38, 0x33, 0x2f, 0x00,
                                  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07};

static char *sink_a = "sink-a";

static struct connect_assignment example(void)
{
    static char *conns[1];
    static struct connect_task_id tasks[1];
    conns[0] = sink_a;
    tasks[0].connector = sink_a;
    tasks[0].task = 0;
    struct connect_assignment a = {.version = 2,
                                   .leader = "connect-1-abc",
                                   .leader_url = "http://w1:8083/",
                                   .config_offset = 7,
                                   .connectors = conns,
                                   .n_connectors = 1,
                                   .tasks = tasks,
                                   .n_tasks = 1};
    return a;
}

static void test_meta_v2_encode(void **state)
{
    (void)state;
    struct connect_member_meta m = {.url = "http://w1:8083/", .config_offset = 7};
    uint8_t *out;
    size_t n;
    assert_int_equal(group_connect_meta_encode(&m, 2, &out, &n, NULL), KC_OK);
    assert_int_equal(n, sizeof(meta_v2));
    assert_memory_equal(out, meta_v2, n);
    kc_free(out);
    assert_int_equal(group_connect_meta_encode(&m, 0, &out, &n, NULL), KC_OK);
    assert_int_equal(n, sizeof(meta_v0));
    assert_memory_equal(out, meta_v0, n);
    kc_free(out);
}

static void test_meta_decode(void **state)
{
    (void)state;
    struct connect_member_meta m;
    assert_int_equal(group_connect_meta_decode(meta_v2, sizeof(meta_v2), &m, NULL), KC_OK);
    assert_string_equal(m.url, "http://w1:8083/");
    assert_int_equal(m.config_offset, 7);
    assert_null(m.prev);
    group_connect_meta_fini(&m);
    assert_int_equal(group_connect_meta_decode(meta_v0, sizeof(meta_v0), &m, NULL), KC_OK);
    assert_int_equal(m.config_offset, 7);
    group_connect_meta_fini(&m);
    /* truncated offset */
    assert_int_not_equal(group_connect_meta_decode(meta_v0, sizeof(meta_v0) - 1, &m, NULL), KC_OK);
}

static void test_meta_with_allocation_roundtrip(void **state)
{
    (void)state;
    struct connect_assignment a = example();
    struct connect_member_meta m = {.url = "http://w1:8083/", .config_offset = 7, .prev = &a};
    uint8_t *out;
    size_t n;
    assert_int_equal(group_connect_meta_encode(&m, 2, &out, &n, NULL), KC_OK);
    /* header of v2 metadata, then INT32 76, then the assignment bytes */
    assert_int_equal(n, 27 + 4 + sizeof(asg_v2));
    assert_memory_equal(out, meta_v2, 27);
    assert_memory_equal(out + 27, "\x00\x00\x00\x4c", 4);
    assert_memory_equal(out + 31, asg_v2, sizeof(asg_v2));
    struct connect_member_meta d;
    assert_int_equal(group_connect_meta_decode(out, n, &d, NULL), KC_OK);
    assert_non_null(d.prev);
    assert_int_equal(d.prev->n_connectors, 1);
    assert_string_equal(d.prev->connectors[0], "sink-a");
    assert_int_equal(d.prev->n_tasks, 1);
    group_connect_meta_fini(&d);
    kc_free(out);
}

static void test_assignment_v2(void **state)
{
    (void)state;
    struct connect_assignment a = example();
    uint8_t *out;
    size_t n;
    assert_int_equal(group_connect_assignment_encode(&a, &out, &n, NULL), KC_OK);
    assert_int_equal(n, 76);
    assert_memory_equal(out, asg_v2, n);
    kc_free(out);

    struct connect_assignment d;
    assert_int_equal(group_connect_assignment_decode(asg_v2, sizeof(asg_v2), &d, NULL), KC_OK);
    assert_int_equal(d.version, 2);
    assert_int_equal(d.error, 0);
    assert_string_equal(d.leader, "connect-1-abc");
    assert_string_equal(d.leader_url, "http://w1:8083/");
    assert_int_equal(d.config_offset, 7);
    assert_int_equal(d.n_connectors, 1);
    assert_int_equal(d.n_tasks, 1);
    assert_string_equal(d.tasks[0].connector, "sink-a");
    assert_int_equal(d.tasks[0].task, 0);
    assert_int_equal(d.n_revoked_connectors + d.n_revoked_tasks, 0);
    assert_int_equal(d.delay_ms, 0);
    group_connect_assignment_fini(&d);
}

/* v0: same prefix, no revoked and no delay; a v1 reader accepts missing trailing fields */
static void test_assignment_v0_and_short(void **state)
{
    (void)state;
    struct connect_assignment a = example();
    a.version = 0;
    uint8_t *out;
    size_t n;
    assert_int_equal(group_connect_assignment_encode(&a, &out, &n, NULL), KC_OK);
    assert_int_equal(n, 76 - 8);
    assert_int_equal(out[1], 0);
    assert_memory_equal(out + 2, asg_v2 + 2, n - 2);
    kc_free(out);

    /* v2 bytes cut after the assignment array: revoked empty, delay 0 */
    struct connect_assignment d;
    assert_int_equal(group_connect_assignment_decode(asg_v2, sizeof(asg_v2) - 8, &d, NULL),
                     KC_OK);
    assert_int_equal(d.n_tasks, 1);
    assert_int_equal(d.delay_ms, 0);
    group_connect_assignment_fini(&d);
    /* a future version 3 with trailing bytes parses with the v1 layout */
    uint8_t v3[sizeof(asg_v2) + 3];
    memcpy(v3, asg_v2, sizeof(asg_v2));
    v3[1] = 3;
    memcpy(v3 + sizeof(asg_v2), "xyz", 3);
    assert_int_equal(group_connect_assignment_decode(v3, sizeof(v3), &d, NULL), KC_OK);
    assert_int_equal(d.version, 3);
    assert_int_equal(d.n_connectors, 1);
    group_connect_assignment_fini(&d);
}

/* revoked work, delay and CONFIG_MISMATCH, with a null revoked array (-1) read as empty */
static void test_assignment_revoked_delay(void **state)
{
    (void)state;
    char *conns[] = {"b", "a"};
    struct connect_task_id tasks[] = {{"a", 1}, {"b", 0}, {"a", 0}};
    struct connect_assignment a = {.version = 1,
                                   .error = 1,
                                   .leader = "L",
                                   .leader_url = "u",
                                   .config_offset = -1,
                                   .revoked_connectors = conns,
                                   .n_revoked_connectors = 2,
                                   .revoked_tasks = tasks,
                                   .n_revoked_tasks = 3,
                                   .delay_ms = 300000};
    uint8_t *out;
    size_t n;
    assert_int_equal(group_connect_assignment_encode(&a, &out, &n, NULL), KC_OK);
    static const uint8_t want[] = {
        0, 1, 0, 1, 0, 1, 'L', 0, 1, 'u', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0, 0, 0, 0,                                                  /* assigned: empty */
        0, 0, 0, 2,                                                  /* revoked: b, a */
        0, 1, 'b', 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,   /* b: -1, 0 */
        0, 1, 'a', 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0, 0, 0, 0, /* a: -1, 1, 0 */
        0, 0x04, 0x93, 0xe0};                                        /* 300000 */
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, n);
    struct connect_assignment d;
    assert_int_equal(group_connect_assignment_decode(out, n, &d, NULL), KC_OK);
    assert_int_equal(d.error, 1);
    assert_int_equal(d.n_revoked_connectors, 2);
    assert_int_equal(d.n_revoked_tasks, 3);
    assert_int_equal(d.delay_ms, 300000);
    group_connect_assignment_fini(&d);
    kc_free(out);

    /* assigned array null (-1) */
    uint8_t nul[sizeof(want)];
    memcpy(nul, want, sizeof(want));
    memset(nul + 18, 0xff, 4);
    assert_int_equal(group_connect_assignment_decode(nul, n, &d, NULL), KC_OK);
    assert_int_equal(d.n_connectors + d.n_tasks, 0);
    group_connect_assignment_fini(&d);
    /* a count larger than the bytes left is refused */
    nul[21] = 0x7f;
    memset(nul + 18, 0, 3);
    assert_int_not_equal(group_connect_assignment_decode(nul, n, &d, NULL), KC_OK);
}

static void test_protocol_names(void **state)
{
    (void)state;
    assert_string_equal(group_connect_protocol_name(0), "default");
    assert_int_equal(group_connect_protocol_version("sessioned"), 2);
    assert_int_equal(group_connect_protocol_parse("eager"), 0);
    assert_int_equal(group_connect_protocol_parse("default"), -1);
}

/* Captured from the JVM Connect 4.1.0 worker (group_probe with GROUP_PROBE_TRACE=1 as leader
 * of a mixed group): its sessioned JoinGroup metadata once it ran connector b and task a-2 that
 * our leader gave it (url http://127.0.0.1:55915/, config offset -1). */
static const uint8_t jvm_meta_v2[] = {
    0x00, 0x02, 0x00, 0x17, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30,
    0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x35, 0x35, 0x39, 0x31, 0x35, 0x2f, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x85, 0x00, 0x02, 0x00, 0x00, 0x00, 0x3c, 0x63, 0x6f, 0x6e,
    0x6e, 0x65, 0x63, 0x74, 0x2d, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x31,
    0x38, 0x33, 0x30, 0x30, 0x2d, 0x61, 0x34, 0x33, 0x61, 0x33, 0x66, 0x61, 0x39, 0x2d, 0x36, 0x38,
    0x34, 0x61, 0x2d, 0x34, 0x37, 0x34, 0x34, 0x2d, 0x61, 0x38, 0x34, 0x37, 0x2d, 0x33, 0x31, 0x61,
    0x62, 0x34, 0x62, 0x35, 0x62, 0x65, 0x36, 0x35, 0x63, 0x00, 0x17, 0x68, 0x74, 0x74, 0x70, 0x3a,
    0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x31, 0x38, 0x33, 0x30,
    0x30, 0x2f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
    0x62, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x61, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Captured from the JVM 4.1.0 worker as leader: the sessioned assignment it sent our member
 * (task fs-1, config offset 6, nothing revoked, delay 0). */
static const uint8_t jvm_asg_v2[] = {
    0x00, 0x02, 0x00, 0x00, 0x00, 0x3c, 0x63, 0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x2d, 0x31, 0x32,
    0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x35, 0x35, 0x37, 0x39, 0x33, 0x2d, 0x36, 0x63,
    0x36, 0x64, 0x65, 0x66, 0x64, 0x31, 0x2d, 0x38, 0x37, 0x65, 0x31, 0x2d, 0x34, 0x64, 0x38, 0x34,
    0x2d, 0x39, 0x36, 0x64, 0x66, 0x2d, 0x35, 0x32, 0x33, 0x37, 0x39, 0x31, 0x37, 0x31, 0x36, 0x31,
    0x64, 0x64, 0x00, 0x17, 0x68, 0x74, 0x74, 0x70, 0x3a, 0x2f, 0x2f, 0x31, 0x32, 0x37, 0x2e, 0x30,
    0x2e, 0x30, 0x2e, 0x31, 0x3a, 0x35, 0x35, 0x37, 0x39, 0x33, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x02, 0x66, 0x73, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_jvm_captured(void **state)
{
    (void)state;
    struct connect_member_meta m;
    assert_int_equal(group_connect_meta_decode(jvm_meta_v2, sizeof(jvm_meta_v2), &m, NULL), KC_OK);
    assert_string_equal(m.url, "http://127.0.0.1:55915/");
    assert_int_equal(m.config_offset, -1);
    assert_non_null(m.prev);
    assert_int_equal(m.prev->version, 2);
    assert_string_equal(m.prev->leader_url, "http://127.0.0.1:18300/");
    assert_int_equal(m.prev->n_connectors, 1);
    assert_string_equal(m.prev->connectors[0], "b");
    assert_int_equal(m.prev->n_tasks, 1);
    assert_string_equal(m.prev->tasks[0].connector, "a");
    assert_int_equal(m.prev->tasks[0].task, 2);
    /* our encoder writes the JVM's bytes back exactly */
    uint8_t *out;
    size_t n;
    assert_int_equal(group_connect_meta_encode(&m, 2, &out, &n, NULL), KC_OK);
    assert_int_equal(n, sizeof(jvm_meta_v2));
    assert_memory_equal(out, jvm_meta_v2, n);
    kc_free(out);
    group_connect_meta_fini(&m);

    struct connect_assignment a;
    assert_int_equal(group_connect_assignment_decode(jvm_asg_v2, sizeof(jvm_asg_v2), &a, NULL),
                     KC_OK);
    assert_int_equal(a.error, 0);
    assert_int_equal(a.config_offset, 6);
    assert_string_equal(a.leader_url, "http://127.0.0.1:55793/");
    assert_int_equal(a.n_connectors, 0);
    assert_int_equal(a.n_tasks, 1);
    assert_string_equal(a.tasks[0].connector, "fs");
    assert_int_equal(a.tasks[0].task, 1);
    assert_int_equal(group_connect_assignment_encode(&a, &out, &n, NULL), KC_OK);
    assert_int_equal(n, sizeof(jvm_asg_v2));
    assert_memory_equal(out, jvm_asg_v2, n);
    kc_free(out);
    group_connect_assignment_fini(&a);
}

/* Applying a cooperative assignment: keep what is not revoked, add what is assigned. */
static void test_apply(void **state)
{
    (void)state;
    char *cur_c[] = {"a", "b"};
    struct connect_task_id cur_t[] = {{"a", 0}, {"a", 1}};
    struct connect_assignment cur = {.version = 2, .connectors = cur_c, .n_connectors = 2,
                                     .tasks = cur_t, .n_tasks = 2};
    char *add_c[] = {"c"};
    char *rev_c[] = {"b"};
    struct connect_task_id add_t[] = {{"c", 0}};
    struct connect_task_id rev_t[] = {{"a", 1}};
    struct connect_assignment a = {.version = 2, .leader = "L", .leader_url = "u",
                                   .connectors = add_c, .n_connectors = 1, .tasks = add_t,
                                   .n_tasks = 1, .revoked_connectors = rev_c,
                                   .n_revoked_connectors = 1, .revoked_tasks = rev_t,
                                   .n_revoked_tasks = 1, .delay_ms = 5};
    struct connect_assignment out;
    assert_int_equal(group_connect_assignment_apply(&cur, &a, &out), KC_OK);
    assert_int_equal(out.n_connectors, 2);
    assert_string_equal(out.connectors[0], "c");
    assert_string_equal(out.connectors[1], "a");
    assert_int_equal(out.n_tasks, 2);
    assert_string_equal(out.tasks[0].connector, "c");
    assert_int_equal(out.tasks[1].task, 0);
    assert_int_equal(out.n_revoked_connectors + out.n_revoked_tasks, 0);
    assert_int_equal(out.delay_ms, 0);
    assert_string_equal(out.leader, "L");
    group_connect_assignment_fini(&out);
    /* eager (no current): exactly a's lists */
    assert_int_equal(group_connect_assignment_apply(NULL, &a, &out), KC_OK);
    assert_int_equal(out.n_connectors + out.n_tasks, 2);
    group_connect_assignment_fini(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_v2_encode),
        cmocka_unit_test(test_meta_decode),
        cmocka_unit_test(test_meta_with_allocation_roundtrip),
        cmocka_unit_test(test_assignment_v2),
        cmocka_unit_test(test_assignment_v0_and_short),
        cmocka_unit_test(test_assignment_revoked_delay),
        cmocka_unit_test(test_protocol_names),
        cmocka_unit_test(test_jvm_captured),
        cmocka_unit_test(test_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
