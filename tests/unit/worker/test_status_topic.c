/*
 * tests/unit/worker/test_status_topic.c: status topic codec (exact bytes, the JVM 4.1.0 records
 * of connect-compat.md §4.3, 3.x records without "version") and the reader's rules (key
 * parsing, tombstones, the stale-UNASSIGNED rule, safe writes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "kc_log.h"
#include "status_topic.h"

static void apply(struct status_state *ss, const char *key, const char *value)
{
    assert_int_equal(status_state_apply(ss, key, strlen(key), value, value ? strlen(value) : 0),
                     KC_OK);
}

static void test_status_topic_encode_exact(void **state)
{
    struct kc_buf b;
    char *k;
    (void)state;

    kc_buf_init(&b, 4096);
    assert_int_equal(
        status_topic_value_status(&b, HERDER_STATE_RUNNING, NULL, "127.0.0.1:8083", 2, "4.1.0"),
        KC_OK);
    assert_string_equal(b.data,
                        "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"127.0.0.1:8083\","
                        "\"generation\":2,\"version\":\"4.1.0\"}");
    kc_buf_reset(&b);
    assert_int_equal(
        status_topic_value_status(&b, HERDER_STATE_FAILED,
                                  "org.apache.kafka.connect.errors.ConnectException: boom\n"
                                  "\tat X.y(X.java:1)\n",
                                  "h:1", -1, NULL),
        KC_OK);
    assert_string_equal(b.data, "{\"state\":\"FAILED\",\"trace\":\"org.apache.kafka.connect.errors."
                                "ConnectException: boom\\n\\tat X.y(X.java:1)\\n\",\"worker_id\":"
                                "\"h:1\",\"generation\":-1,\"version\":null}");
    kc_buf_reset(&b);
    assert_int_equal(status_topic_value_topic(&b, "orders", "sink-a", 0, 1700000000000LL), KC_OK);
    assert_string_equal(b.data,
                        "{\"topic\":{\"name\":\"orders\",\"connector\":\"sink-a\",\"task\":0,"
                        "\"discoverTimestamp\":1700000000000}}");
    kc_buf_fini(&b);

    k = status_topic_key_connector("fsink");
    assert_string_equal(k, "status-connector-fsink");
    kc_free(k);
    k = status_topic_key_task("my-sink", 12);
    assert_string_equal(k, "status-task-my-sink-12");
    kc_free(k);
    k = status_topic_key_topic("orders", "sink-a");
    assert_string_equal(k, "status-topic-orders:connector-sink-a");
    kc_free(k);

    for (int s = HERDER_STATE_UNASSIGNED; s <= HERDER_STATE_DESTROYED; s++) {
        assert_int_equal(herder_state_parse(herder_state_name((enum herder_state)s)),
                         s);
    }
    assert_int_equal(herder_state_parse("running"), -1);
}

static void test_status_topic_jvm_records(void **state)
{
    struct status_state *ss = status_state_new();
    const struct status_entry *e;
    struct status_record rec;
    struct kc_error err;
    struct kc_buf b;
    static const char conn[] =
        "{\"state\":\"PAUSED\",\"trace\":null,\"worker_id\":\"127.0.0.1:8083\","
        "\"generation\":5,\"version\":\"4.1.0\"}";
    static const char task[] = "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"127.0.0.1:"
                               "8083\",\"generation\":5,\"version\":\"4.1.0\"}";
    (void)state;

    /* Decode and re-encode byte for byte. */
    status_record_init(&rec);
    assert_int_equal(
        status_topic_decode("status-connector-fsink", 22, conn, strlen(conn), &rec, &err), KC_OK);
    assert_int_equal(rec.kind, STATUS_RECORD_CONNECTOR);
    assert_string_equal(rec.connector, "fsink");
    kc_buf_init(&b, 4096);
    assert_int_equal(status_topic_value_status(&b, rec.st.state, rec.st.trace, rec.st.worker_id,
                                               rec.st.generation, rec.st.version),
                     KC_OK);
    assert_string_equal(b.data, conn);
    kc_buf_fini(&b);
    status_record_fini(&rec);

    apply(ss, "status-connector-fsink", conn);
    apply(ss, "status-task-fsink-0", task);
    e = status_state_connector(ss, "fsink");
    assert_non_null(e);
    assert_int_equal(e->state, HERDER_STATE_PAUSED);
    assert_null(e->trace);
    assert_string_equal(e->worker_id, "127.0.0.1:8083");
    assert_int_equal(e->generation, 5);
    assert_string_equal(e->version, "4.1.0");
    e = status_state_task(ss, "fsink", 0);
    assert_non_null(e);
    assert_int_equal(e->state, HERDER_STATE_UNASSIGNED);

    /* 3.x workers write no version. */
    apply(ss, "status-task-fsink-1",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w:1\",\"generation\":7}");
    e = status_state_task(ss, "fsink", 1);
    assert_non_null(e);
    assert_int_equal(e->state, HERDER_STATE_RUNNING);
    assert_null(e->version);
    status_state_free(ss);
}

static void test_status_topic_key_rules(void **state)
{
    struct status_record rec;
    struct kc_error err;
    static const char v[] =
        "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}";
    static const struct {
        const char *key;
        int rc;
        enum status_record_kind kind;
        const char *connector;
        int task;
        const char *topic;
    } cases[] = {
        {"status-connector-a-b", KC_OK, STATUS_RECORD_CONNECTOR, "a-b", 0, NULL},
        {"status-connector-", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"status-task-my-sink-3", KC_OK, STATUS_RECORD_TASK, "my-sink", 3, NULL},
        {"status-task-a-3-", KC_OK, STATUS_RECORD_TASK, "a", 3, NULL},
        {"status-task-a", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"status-task-a-x", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"status-topic-orders:connector-sink-a", KC_OK, STATUS_RECORD_TOPIC, "sink-a", 0, "orders"},
        {"status-topic-a.b:connector-c:d", KC_OK, STATUS_RECORD_TOPIC, "c:d", 0, "a.b"},
        {"status-topic-:connector-c", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"status-topic-t:connector-", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"status-topic-t:x", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"status-topic-nocolon", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
        {"connector-a", KC_EINVAL, STATUS_RECORD_UNKNOWN, NULL, 0, NULL},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        status_record_init(&rec);
        int rc = status_topic_decode(cases[i].key, strlen(cases[i].key), NULL, 0, &rec, &err);
        if (rc != cases[i].rc) {
            fail_msg("key %s: rc %d, want %d", cases[i].key, rc, cases[i].rc);
        }
        if (rc == KC_OK) {
            assert_int_equal(rec.kind, cases[i].kind);
            assert_string_equal(rec.connector, cases[i].connector);
            assert_true(rec.is_null);
            if (rec.kind == STATUS_RECORD_TASK) {
                assert_int_equal(rec.task, cases[i].task);
            }
            if (rec.kind == STATUS_RECORD_TOPIC) {
                assert_string_equal(rec.topic, cases[i].topic);
            }
        }
        status_record_fini(&rec);
    }
    /* Bad values: unknown state, float or missing generation, non-string trace. */
    static const char *const bad[] = {
        "{\"state\":\"BOGUS\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}",
        "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1.0}",
        "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\"}",
        "{\"state\":\"RUNNING\",\"trace\":5,\"worker_id\":\"w\",\"generation\":1}",
        "[]",
        "",
        "{",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        status_record_init(&rec);
        assert_int_equal(
            status_topic_decode("status-connector-a", 18, bad[i], strlen(bad[i]), &rec, &err),
            KC_EINVAL);
        status_record_fini(&rec);
    }
    status_record_init(&rec);
    assert_int_equal(status_topic_decode("status-connector-a", 18, v, strlen(v), &rec, &err),
                     KC_OK);
    status_record_fini(&rec);
}

static void test_status_state_unassigned_generation_rule(void **state)
{
    struct status_state *ss = status_state_new();
    (void)state;

    apply(ss, "status-task-c-0",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w1\",\"generation\":5}");
    /* Stale UNASSIGNED of an older or equal generation: ignored. */
    apply(ss, "status-task-c-0",
          "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"w2\",\"generation\":4}");
    assert_int_equal(status_state_task(ss, "c", 0)->state, HERDER_STATE_RUNNING);
    apply(ss, "status-task-c-0",
          "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"w2\",\"generation\":5}");
    assert_int_equal(status_state_task(ss, "c", 0)->state, HERDER_STATE_RUNNING);
    /* Newer generation wins. */
    apply(ss, "status-task-c-0",
          "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"w2\",\"generation\":6}");
    assert_int_equal(status_state_task(ss, "c", 0)->state, HERDER_STATE_UNASSIGNED);
    assert_string_equal(status_state_task(ss, "c", 0)->worker_id, "w2");
    /* Other states of older generations are applied (the rule is UNASSIGNED-vs-RUNNING only). */
    apply(ss, "status-task-c-0",
          "{\"state\":\"FAILED\",\"trace\":\"t\",\"worker_id\":\"w1\",\"generation\":1}");
    assert_int_equal(status_state_task(ss, "c", 0)->state, HERDER_STATE_FAILED);
    assert_string_equal(status_state_task(ss, "c", 0)->trace, "t");
    /* Connectors have no such rule. */
    apply(ss, "status-connector-c",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w1\",\"generation\":5}");
    apply(ss, "status-connector-c",
          "{\"state\":\"UNASSIGNED\",\"trace\":null,\"worker_id\":\"w2\",\"generation\":4}");
    assert_int_equal(status_state_connector(ss, "c")->state, HERDER_STATE_UNASSIGNED);
    status_state_free(ss);
}

static void test_status_state_tombstones_and_lookups(void **state)
{
    struct status_state *ss = status_state_new();
    const struct status_topic_entry **tps;
    const char **names;
    int *ids;
    size_t n;
    (void)state;

    apply(ss, "status-connector-c",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}");
    apply(ss, "status-connector-b",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}");
    apply(ss, "status-task-c-2",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}");
    apply(ss, "status-task-c-0",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}");
    apply(ss, "status-task-b-0",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w\",\"generation\":1}");
    apply(ss, "status-topic-t1:connector-c",
          "{\"topic\":{\"name\":\"t1\",\"connector\":\"c\",\"task\":0,\"discoverTimestamp\":10}}");
    apply(ss, "status-topic-t2:connector-c",
          "{\"topic\":{\"name\":\"t2\",\"connector\":\"c\",\"task\":2,\"discoverTimestamp\":20}}");
    apply(ss, "status-topic-bad:connector-c", "{\"topic\":{\"name\":\"bad\",\"connector\":\"c\"}}");

    assert_int_equal(status_state_task_ids(ss, "c", &ids, &n), KC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], 2);
    kc_free(ids);
    assert_int_equal(status_state_connectors(ss, &names, &n), KC_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "b");
    kc_free(names);
    assert_int_equal(status_state_topics(ss, "c", &tps, &n), KC_OK);
    assert_int_equal(n, 2);
    assert_string_equal(tps[1]->topic, "t2");
    assert_int_equal(tps[1]->task, 2);
    assert_int_equal(tps[1]->discover_ms, 20);
    kc_free(tps);
    assert_null(status_state_topic(ss, "c", "bad"));

    /* Task tombstone removes one task. */
    apply(ss, "status-task-c-2", NULL);
    assert_null(status_state_task(ss, "c", 2));
    assert_non_null(status_state_task(ss, "c", 0));
    /* Connector tombstone (DESTROYED) removes the connector and all its tasks, not topics. */
    apply(ss, "status-connector-c", NULL);
    assert_null(status_state_connector(ss, "c"));
    assert_null(status_state_task(ss, "c", 0));
    assert_non_null(status_state_task(ss, "b", 0));
    assert_non_null(status_state_topic(ss, "c", "t1"));
    /* Topic tombstone. */
    apply(ss, "status-topic-t1:connector-c", NULL);
    assert_null(status_state_topic(ss, "c", "t1"));
    assert_non_null(status_state_topic(ss, "c", "t2"));
    status_state_free(ss);
}

static void test_status_state_safe_write(void **state)
{
    struct status_state *ss = status_state_new();
    (void)state;

    assert_true(status_state_can_write_safely(ss, "c", -1, "w1", 1)); /* nothing cached */
    apply(ss, "status-connector-c",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w2\",\"generation\":5}");
    assert_true(status_state_can_write_safely(ss, "c", -1, "w2", 1));  /* same worker */
    assert_true(status_state_can_write_safely(ss, "c", -1, "w1", 5));  /* gen <= new */
    assert_false(status_state_can_write_safely(ss, "c", -1, "w1", 4)); /* older, other worker */
    apply(ss, "status-task-c-1",
          "{\"state\":\"RUNNING\",\"trace\":null,\"worker_id\":\"w2\",\"generation\":5}");
    assert_false(status_state_can_write_safely(ss, "c", 1, "w1", 4));
    assert_true(status_state_can_write_safely(ss, "c", 0, "w1", 4));
    status_state_free(ss);
}

static void test_status_state_alloc_failures(void **state)
{
    (void)state;
    for (long fail = 0; fail < 100; fail++) {
        struct status_state *ss;
        kc_alloc_fail_after(fail);
        ss = status_state_new();
        if (ss != NULL) {
            const char *v = "{\"state\":\"RUNNING\",\"trace\":\"x\",\"worker_id\":\"w\","
                            "\"generation\":1,\"version\":\"1\"}";
            int rc = status_state_apply(ss, "status-task-c-0", 15, v, strlen(v));
            if (rc == KC_OK) {
                rc = status_state_apply(ss, "status-connector-c", 18, v, strlen(v));
            }
            if (rc == KC_OK) {
                const char *t = "{\"topic\":{\"name\":\"t\",\"connector\":\"c\",\"task\":0,"
                                "\"discoverTimestamp\":1}}";
                rc = status_state_apply(ss, "status-topic-t:connector-c", 26, t, strlen(t));
            }
            assert_true(rc == KC_OK || rc == KC_ENOMEM);
        }
        kc_alloc_fail_after(-1);
        status_state_free(ss);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_topic_encode_exact),
        cmocka_unit_test(test_status_topic_jvm_records),
        cmocka_unit_test(test_status_topic_key_rules),
        cmocka_unit_test(test_status_state_unassigned_generation_rule),
        cmocka_unit_test(test_status_state_tombstones_and_lookups),
        cmocka_unit_test(test_status_state_safe_write),
        cmocka_unit_test(test_status_state_alloc_failures),
    };
    kc_log_set_level(-1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
