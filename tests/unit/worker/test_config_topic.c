/*
 * tests/unit/worker/test_config_topic.c: config topic codec (exact bytes of every record kind,
 * the JVM 4.1.0 records of connect-compat.md §4.3 round-tripped) and the reader state machine
 * of §4.2 (deferred task configs, inconsistent connectors, target-state defaults, tombstones,
 * offset accounting, events after catch-up).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "config_topic.h"
#include "kc_alloc.h"
#include "kc_log.h"

/* ---- helpers ---- */

static char *encode(const struct config_record *rec, char **key)
{
    struct kc_buf b;
    int is_null = 0;
    kc_buf_init(&b, 1 << 20);
    assert_int_equal(config_topic_encode(rec, key, &b, &is_null), KC_OK);
    if (is_null) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

static void expect_encoded(const struct config_record *rec, const char *want_key,
                           const char *want_value)
{
    char *key = NULL;
    char *value = encode(rec, &key);
    assert_string_equal(key, want_key);
    if (want_value == NULL) {
        assert_null(value);
    } else {
        assert_non_null(value);
        assert_string_equal(value, want_value);
    }
    kc_free(key);
    kc_free(value);
}

/* Apply key/value (NULL value = tombstone) at offset. */
static void apply(struct config_state *cs, const char *key, const char *value, int64_t offset)
{
    assert_int_equal(
        config_state_apply(cs, key, strlen(key), value, value != NULL ? strlen(value) : 0, offset),
        KC_OK);
}

/* Decode then re-encode: the bytes must come back identical. */
static void roundtrip(const char *key, const char *value)
{
    struct config_record rec;
    struct kc_error err;
    int json_ok = 0;
    char *k2 = NULL;
    char *v2;

    config_record_init(&rec);
    assert_int_equal(config_topic_decode(key, strlen(key), value, value ? strlen(value) : 0, &rec,
                                         &json_ok, &err),
                     KC_OK);
    assert_true(json_ok);
    v2 = encode(&rec, &k2);
    assert_string_equal(k2, key);
    if (value == NULL) {
        assert_null(v2);
    } else {
        assert_non_null(v2);
        assert_string_equal(v2, value);
    }
    kc_free(k2);
    kc_free(v2);
    config_record_fini(&rec);
}

/* ---- codec: exact bytes ---- */

static void test_config_topic_encode_every_kind(void **state)
{
    struct config_record rec;
    static const uint8_t key32[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                      11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                                      22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    (void)state;

    config_record_init(&rec);
    rec.kind = CONFIG_RECORD_CONNECTOR;
    rec.name = kc_strdup("sink-a");
    kc_strmap_set(&rec.props, "connector.class",
                  "org.apache.kafka.connect.file.FileStreamSinkConnector");
    kc_strmap_set(&rec.props, "tasks.max", "2");
    kc_strmap_set(&rec.props, "topics", "a,b");
    kc_strmap_set(&rec.props, "name", "sink-a");
    expect_encoded(&rec, "connector-sink-a",
                   "{\"properties\":{\"connector.class\":\"org.apache.kafka.connect.file."
                   "FileStreamSinkConnector\",\"tasks.max\":\"2\",\"topics\":\"a,b\",\"name\":"
                   "\"sink-a\"}}");
    rec.is_null = 1;
    expect_encoded(&rec, "connector-sink-a", NULL);
    rec.is_null = 0;

    rec.kind = CONFIG_RECORD_TASK;
    rec.task = 3;
    expect_encoded(&rec, "task-sink-a-3",
                   "{\"properties\":{\"connector.class\":\"org.apache.kafka.connect.file."
                   "FileStreamSinkConnector\",\"tasks.max\":\"2\",\"topics\":\"a,b\",\"name\":"
                   "\"sink-a\"}}");
    kc_strmap_fini(&rec.props);
    expect_encoded(&rec, "task-sink-a-3", "{\"properties\":{}}");

    rec.kind = CONFIG_RECORD_COMMIT;
    rec.count = 2;
    expect_encoded(&rec, "commit-sink-a", "{\"tasks\":2}");

    rec.kind = CONFIG_RECORD_TARGET_STATE;
    rec.target = HERDER_TARGET_STARTED;
    expect_encoded(&rec, "target-state-sink-a", "{\"state\":\"STARTED\",\"state.v2\":\"STARTED\"}");
    rec.target = HERDER_TARGET_PAUSED;
    expect_encoded(&rec, "target-state-sink-a", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}");
    rec.target = HERDER_TARGET_STOPPED;
    expect_encoded(&rec, "target-state-sink-a", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}");
    rec.is_null = 1;
    expect_encoded(&rec, "target-state-sink-a", NULL);
    rec.is_null = 0;

    rec.kind = CONFIG_RECORD_RESTART;
    rec.include_tasks = 1;
    rec.only_failed = 0;
    expect_encoded(&rec, "restart-connector-sink-a",
                   "{\"include-tasks\":true,\"only-failed\":false}");
    rec.include_tasks = 0;
    rec.only_failed = 1;
    expect_encoded(&rec, "restart-connector-sink-a",
                   "{\"include-tasks\":false,\"only-failed\":true}");

    rec.kind = CONFIG_RECORD_TASKS_FENCING;
    rec.count = 4;
    expect_encoded(&rec, "tasks-fencing-sink-a", "{\"task-count\":4}");

    rec.kind = CONFIG_RECORD_LOGGER_CLUSTER;
    kc_free(rec.name);
    rec.name = kc_strdup("org.apache.kafka.connect");
    rec.level = kc_strdup("DEBUG");
    expect_encoded(&rec, "logger-cluster-org.apache.kafka.connect", "{\"level\":\"DEBUG\"}");

    rec.kind = CONFIG_RECORD_SESSION_KEY;
    rec.session_key = kc_malloc(sizeof(key32));
    memcpy(rec.session_key, key32, sizeof(key32));
    rec.session_key_len = sizeof(key32);
    rec.session_algorithm = kc_strdup("HmacSHA256");
    rec.session_created_ms = 1795260576224LL;
    expect_encoded(&rec, "session-key",
                   "{\"key\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\",\"algorithm\":"
                   "\"HmacSHA256\",\"creation-timestamp\":1795260576224}");
    config_record_fini(&rec);
}

static void test_config_topic_json_escaping_is_jacksons(void **state)
{
    struct kc_buf b;
    (void)state;
    kc_buf_init(&b, 4096);
    /* quote, backslash, the five short escapes, other controls as upper-case \u00XX, slash and
     * DEL and UTF-8 untouched */
    assert_int_equal(
        config_topic_json_string(&b, "a\"b\\c\b\t\n\f\r\x01\x1f/\x7f\xc3\xa9\xe2\x82\xac"), KC_OK);
    assert_string_equal(b.data,
                        "\"a\\\"b\\\\c\\b\\t\\n\\f\\r\\u0001\\u001F/\x7f\xc3\xa9\xe2\x82\xac\"");
    kc_buf_fini(&b);
}

static void test_config_topic_jvm_records_roundtrip(void **state)
{
    (void)state;
    /* connect-compat.md §4.3: records as the JVM worker 4.1.0 wrote them. */
    roundtrip("session-key", "{\"key\":\"xbdxQm9yZ2VkLWtleS1mb3ItdGVzdHMtb25seS0x4Eo=\","
                             "\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1795260576224}");
    roundtrip(
        "connector-fsink",
        "{\"properties\":{\"connector.class\":\"org.apache.kafka.connect.file."
        "FileStreamSinkConnector\",\"tasks.max\":\"1\",\"topics\":\"bench1m\",\"file\":\"/tmp/"
        "x.txt\",\"name\":\"fsink\"}}");
    roundtrip(
        "task-fsink-0",
        "{\"properties\":{\"connector.class\":\"org.apache.kafka.connect.file."
        "FileStreamSinkConnector\",\"file\":\"/tmp/x.txt\",\"task.class\":\"org.apache.kafka."
        "connect.file.FileStreamSinkTask\",\"tasks.max\":\"1\",\"topics\":\"bench1m\",\"name\":"
        "\"fsink\"}}");
    roundtrip("commit-fsink", "{\"tasks\":1}");
    roundtrip("target-state-fsink", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}");
    roundtrip("target-state-fsink", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}");
    roundtrip("connector-x", NULL);
    roundtrip("target-state-x", NULL);
    roundtrip("restart-connector-fsink", "{\"include-tasks\":true,\"only-failed\":false}");
    roundtrip("logger-cluster-org.apache.kafka", "{\"level\":\"TRACE\"}");
    roundtrip("tasks-fencing-src", "{\"task-count\":3}");
    /* Escapes and non-ASCII survive a round trip. */
    roundtrip(
        "connector-\xc3\xa9t\xc3\xa9",
        "{\"properties\":{\"k\\\"q\":\"line1\\nline2\\t\\u0001\",\"name\":\"\xc3\xa9t\xc3\xa9\"}}");
}

static void test_config_topic_key_parse_order(void **state)
{
    static const struct {
        const char *key;
        enum config_record_kind kind;
        const char *name;
        int task;
    } cases[] = {
        {"connector-a", CONFIG_RECORD_CONNECTOR, "a", 0},
        {"connector-task-1", CONFIG_RECORD_CONNECTOR, "task-1", 0},
        {"connector-", CONFIG_RECORD_CONNECTOR, "", 0},
        {"target-state-connector-a", CONFIG_RECORD_TARGET_STATE, "connector-a", 0},
        {"task-a-0", CONFIG_RECORD_TASK, "a", 0},
        {"task-my-sink-connector-12", CONFIG_RECORD_TASK, "my-sink-connector", 12},
        {"task-a--7", CONFIG_RECORD_TASK, "a-", 7},
        {"task-a-0-", CONFIG_RECORD_TASK, "a", 0}, /* Java's split drops trailing empties */
        {"task-a-+3", CONFIG_RECORD_TASK, "a", 3}, /* Integer.parseInt takes a '+' */
        {"task-a-", CONFIG_RECORD_UNKNOWN, NULL, 0},
        {"task-a-x", CONFIG_RECORD_UNKNOWN, NULL, 0},
        {"task-a-99999999999", CONFIG_RECORD_UNKNOWN, NULL, 0},
        {"tasks-fencing-a", CONFIG_RECORD_TASKS_FENCING, "a", 0},
        {"commit-a-b", CONFIG_RECORD_COMMIT, "a-b", 0},
        {"restart-connector-a", CONFIG_RECORD_RESTART, "a", 0},
        {"session-key", CONFIG_RECORD_SESSION_KEY, NULL, 0},
        {"session-keys", CONFIG_RECORD_UNKNOWN, NULL, 0},
        {"logger-cluster-org.foo", CONFIG_RECORD_LOGGER_CLUSTER, "org.foo", 0},
        {"something-else", CONFIG_RECORD_UNKNOWN, NULL, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct config_record rec;
        config_record_init(&rec);
        assert_int_equal(config_topic_key_parse(cases[i].key, strlen(cases[i].key), &rec), KC_OK);
        if (rec.kind != cases[i].kind) {
            fail_msg("key %s: kind %d, want %d", cases[i].key, rec.kind, cases[i].kind);
        }
        if (cases[i].name != NULL) {
            assert_non_null(rec.name);
            assert_string_equal(rec.name, cases[i].name);
        }
        if (cases[i].kind == CONFIG_RECORD_TASK) {
            assert_int_equal(rec.task, cases[i].task);
        }
        config_record_fini(&rec);
    }
}

static void test_config_topic_decode_errors(void **state)
{
    struct config_record rec;
    struct kc_error err;
    int json_ok;
    static const struct {
        const char *key;
        const char *value;
        int json_ok;
    } bad[] = {
        {"commit-a", "{\"tasks\":1.0}", 1}, /* a float: the JVM's intValue() rejects it */
        {"commit-a", "{\"tasks\":\"1\"}", 1},
        {"commit-a", "[1]", 1},
        {"connector-a", "{\"properties\":[]}", 1},
        {"connector-a", "{\"config\":{}}", 1},
        {"target-state-a", "{\"state\":\"RUNNING\"}", 1},
        {"target-state-a", "{\"state\":\"paused\"}", 1},
        {"target-state-a", "{}", 1},
        {"session-key",
         "{\"key\":\"AA==\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":\"1\"}", 1},
        {"session-key", "{\"key\":\"!!\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}",
         1},
        {"logger-cluster-x", "{\"level\":3}", 1},
        {"connector-a", "{\"properties\":", 0},
        {"connector-a", "not json", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        config_record_init(&rec);
        json_ok = -1;
        assert_int_equal(config_topic_decode(bad[i].key, strlen(bad[i].key), bad[i].value,
                                             strlen(bad[i].value), &rec, &json_ok, &err),
                         KC_EINVAL);
        assert_int_equal(json_ok, bad[i].json_ok);
        assert_true(err.msg[0] != '\0');
        config_record_fini(&rec);
    }

    /* Target state: a non-string state.v2 falls back to state; restart flags default to false. */
    config_record_init(&rec);
    assert_int_equal(config_topic_decode("target-state-a", 14,
                                         "{\"state\":\"PAUSED\",\"state.v2\":5}", 31, &rec,
                                         &json_ok, &err),
                     KC_OK);
    assert_int_equal(rec.target, HERDER_TARGET_PAUSED);
    config_record_fini(&rec);
    config_record_init(&rec);
    assert_int_equal(config_topic_decode("restart-connector-a", 19, "{\"include-tasks\":\"yes\"}",
                                         23, &rec, &json_ok, &err),
                     KC_OK);
    assert_int_equal(rec.include_tasks, 0);
    assert_int_equal(rec.only_failed, 0);
    config_record_fini(&rec);
    /* Non-string property values keep their JSON text; null stays NULL. */
    config_record_init(&rec);
    assert_int_equal(config_topic_decode("connector-a", 11,
                                         "{\"properties\":{\"n\":5,\"b\":true,\"z\":null}}", 40,
                                         &rec, &json_ok, &err),
                     KC_OK);
    assert_string_equal(kc_strmap_get(&rec.props, "n"), "5");
    assert_string_equal(kc_strmap_get(&rec.props, "b"), "true");
    assert_true(kc_strmap_has(&rec.props, "z"));
    assert_null(kc_strmap_get(&rec.props, "z"));
    config_record_fini(&rec);
}

/* ---- reader state machine ---- */

#define FSINK_CONN                                                                                 \
    "{\"properties\":{\"connector.class\":\"org.apache.kafka.connect.file."                        \
    "FileStreamSinkConnector\","                                                                   \
    "\"tasks.max\":\"1\",\"topics\":\"bench1m\",\"file\":\"/tmp/x.txt\",\"name\":\"fsink\"}}"
#define FSINK_TASK                                                                                 \
    "{\"properties\":{\"connector.class\":\"org.apache.kafka.connect.file."                        \
    "FileStreamSinkConnector\","                                                                   \
    "\"file\":\"/tmp/x.txt\",\"task.class\":\"org.apache.kafka.connect.file.FileStreamSinkTask\"," \
    "\"tasks.max\":\"1\",\"topics\":\"bench1m\",\"name\":\"fsink\"}}"

static void test_config_state_jvm_sequence(void **state)
{
    struct config_state *cs = config_state_new();
    const struct kc_strmap *cfg;
    const struct config_session_key *sk;
    struct config_event ev;
    const char **names;
    size_t n;
    (void)state;

    assert_int_equal(config_state_offset(cs), -1);
    apply(cs, "session-key",
          "{\"key\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\",\"algorithm\":\"HmacSHA256\","
          "\"creation-timestamp\":1795260576224}",
          0);
    apply(cs, "connector-fsink", FSINK_CONN, 1);
    apply(cs, "task-fsink-0", FSINK_TASK, 2);
    /* Deferred: not visible before the commit. */
    assert_null(config_state_task_config(cs, "fsink", 0));
    assert_int_equal(config_state_tasks(cs, "fsink"), 0);
    assert_int_equal(config_state_task_count(cs, "fsink"), -1);
    assert_int_equal(config_state_target_state(cs, "fsink"), HERDER_TARGET_STARTED);
    apply(cs, "commit-fsink", "{\"tasks\":1}", 3);
    apply(cs, "target-state-fsink", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}", 4);
    apply(cs, "connector-x", "{\"properties\":{\"name\":\"x\"}}", 5);
    apply(cs, "connector-x", NULL, 6);
    apply(cs, "target-state-x", NULL, 7);

    assert_int_equal(config_state_offset(cs), 8);
    assert_int_equal(config_state_connectors(cs, &names, &n), KC_OK);
    assert_int_equal(n, 1);
    assert_string_equal(names[0], "fsink");
    kc_free(names);
    assert_false(config_state_contains(cs, "x"));
    assert_int_equal(config_state_target_state(cs, "x"), -1);

    cfg = config_state_connector_config(cs, "fsink");
    assert_non_null(cfg);
    assert_int_equal(cfg->n, 5);
    assert_string_equal(cfg->e[4].key, "name"); /* JSON order kept */
    assert_string_equal(kc_strmap_get(cfg, "topics"), "bench1m");
    assert_int_equal(config_state_target_state(cs, "fsink"), HERDER_TARGET_PAUSED);
    assert_int_equal(config_state_tasks(cs, "fsink"), 1);
    assert_int_equal(config_state_task_count(cs, "fsink"), 1);
    assert_false(config_state_inconsistent(cs, "fsink"));
    assert_int_equal(config_state_task_generation(cs, "fsink"), 0);
    cfg = config_state_task_config(cs, "fsink", 0);
    assert_non_null(cfg);
    assert_string_equal(kc_strmap_get(cfg, "task.class"),
                        "org.apache.kafka.connect.file.FileStreamSinkTask");
    assert_true(kc_strmap_equal(config_state_applied_config(cs, "fsink"),
                                config_state_connector_config(cs, "fsink")));
    sk = config_state_session_key(cs);
    assert_non_null(sk);
    assert_int_equal(sk->key_len, 32);
    assert_int_equal(sk->key[31], 31);
    assert_string_equal(sk->algorithm, "HmacSHA256");
    assert_int_equal(sk->created_ms, 1795260576224LL);
    /* Not started: no events recorded. */
    assert_int_equal(config_state_event_next(cs, &ev), 0);
    config_state_free(cs);
}

static void test_config_state_commit_incomplete_is_inconsistent(void **state)
{
    struct config_state *cs = config_state_new();
    (void)state;

    apply(cs, "connector-c", "{\"properties\":{\"name\":\"c\"}}", 0);
    apply(cs, "task-c-0", "{\"properties\":{\"t\":\"0\"}}", 1);
    apply(cs, "task-c-2", "{\"properties\":{\"t\":\"2\"}}", 2);
    apply(cs, "commit-c", "{\"tasks\":3}", 3); /* task 1 missing (compacted away) */
    assert_true(config_state_inconsistent(cs, "c"));
    assert_int_equal(config_state_tasks(cs, "c"), 0);
    assert_int_equal(config_state_task_count(cs, "c"), 3);
    assert_null(config_state_task_config(cs, "c", 0)); /* committed set untouched */
    assert_int_equal(config_state_task_generation(cs, "c"), -1);
    assert_null(config_state_applied_config(cs, "c"));

    /* Deferred set was cleared: task 1 alone does not complete it. */
    apply(cs, "task-c-1", "{\"properties\":{\"t\":\"1\"}}", 4);
    apply(cs, "commit-c", "{\"tasks\":3}", 5);
    assert_true(config_state_inconsistent(cs, "c"));

    /* The leader rewrites a full set: consistent again. Extra ids are fine. */
    apply(cs, "task-c-0", "{\"properties\":{\"t\":\"0b\"}}", 6);
    apply(cs, "task-c-1", "{\"properties\":{\"t\":\"1b\"}}", 7);
    apply(cs, "task-c-5", "{\"properties\":{\"t\":\"5b\"}}", 8);
    apply(cs, "commit-c", "{\"tasks\":2}", 9);
    assert_false(config_state_inconsistent(cs, "c"));
    assert_int_equal(config_state_tasks(cs, "c"), 2);
    assert_string_equal(kc_strmap_get(config_state_task_config(cs, "c", 1), "t"), "1b");
    assert_non_null(config_state_task_config(cs, "c", 5));
    assert_int_equal(config_state_task_generation(cs, "c"), 0);

    /* A commit with no new task records (deferred map exists but empty) still bumps the
     * generation, as the JVM's non-null deferred map does; a stop writes tasks 0. */
    apply(cs, "commit-c", "{\"tasks\":0}", 10);
    assert_int_equal(config_state_tasks(cs, "c"), 0);
    assert_int_equal(config_state_task_generation(cs, "c"), 1);
    assert_false(config_state_inconsistent(cs, "c"));
    config_state_free(cs);
}

static void test_config_state_tombstones(void **state)
{
    struct config_state *cs = config_state_new();
    (void)state;

    apply(cs, "connector-d", "{\"properties\":{\"name\":\"d\"}}", 0);
    apply(cs, "task-d-0", "{\"properties\":{}}", 1);
    apply(cs, "commit-d", "{\"tasks\":1}", 2);
    apply(cs, "target-state-d", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}", 3);
    assert_int_equal(config_state_target_state(cs, "d"), HERDER_TARGET_STOPPED);

    apply(cs, "connector-d", NULL, 4);
    assert_false(config_state_contains(cs, "d"));
    assert_null(config_state_connector_config(cs, "d"));
    assert_int_equal(config_state_task_count(cs, "d"), -1);
    assert_null(config_state_task_config(cs, "d", 0));
    assert_null(config_state_applied_config(cs, "d"));
    /* The target state lives on until its own tombstone. */
    assert_int_equal(config_state_target_state(cs, "d"), HERDER_TARGET_STOPPED);
    apply(cs, "target-state-d", NULL, 5);
    assert_int_equal(config_state_target_state(cs, "d"), -1);

    /* Target-state tombstone while a config exists: back to STARTED. */
    apply(cs, "connector-e", "{\"properties\":{}}", 6);
    apply(cs, "target-state-e", "{\"state\":\"PAUSED\"}", 7); /* v1 record: state only */
    assert_int_equal(config_state_target_state(cs, "e"), HERDER_TARGET_PAUSED);
    apply(cs, "target-state-e", NULL, 8);
    assert_int_equal(config_state_target_state(cs, "e"), HERDER_TARGET_STARTED);

    /* Null task records are ignored; a commit for a connector without config clears it. */
    apply(cs, "task-e-0", NULL, 9);
    apply(cs, "task-gone-0", "{\"properties\":{}}", 10);
    apply(cs, "commit-gone", "{\"tasks\":1}", 11);
    assert_int_equal(config_state_task_count(cs, "gone"), -1);
    assert_null(config_state_task_config(cs, "gone", 0));
    assert_int_equal(config_state_offset(cs), 12);
    config_state_free(cs);
}

static void test_config_state_target_state_rules(void **state)
{
    struct config_state *cs = config_state_new();
    (void)state;

    /* Created with an initial state: target-state first, then the config keeps it. */
    apply(cs, "target-state-f", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}", 0);
    assert_false(config_state_contains(cs, "f"));
    apply(cs, "connector-f", "{\"properties\":{}}", 1);
    assert_int_equal(config_state_target_state(cs, "f"), HERDER_TARGET_STOPPED);
    /* v2 non-string falls back to v1 */
    apply(cs, "target-state-f", "{\"state\":\"STARTED\",\"state.v2\":null}", 2);
    assert_int_equal(config_state_target_state(cs, "f"), HERDER_TARGET_STARTED);
    /* invalid value: ignored, but the offset advances (it is JSON) */
    apply(cs, "target-state-f", "{\"state\":\"BOGUS\",\"state.v2\":\"BOGUS\"}", 3);
    assert_int_equal(config_state_target_state(cs, "f"), HERDER_TARGET_STARTED);
    assert_int_equal(config_state_offset(cs), 4);
    config_state_free(cs);
}

static void test_config_state_offset_accounting(void **state)
{
    struct config_state *cs = config_state_new();
    uint64_t v;
    (void)state;

    apply(cs, "connector-g", "{\"properties\":{}}", 10);
    assert_int_equal(config_state_offset(cs), 11);
    /* Unparseable JSON: skipped without advancing. */
    apply(cs, "connector-g", "{nope", 11);
    assert_int_equal(config_state_offset(cs), 11);
    assert_true(config_state_contains(cs, "g"));
    /* Unknown key, JSON value: ignored, offset advances. */
    v = config_state_version(cs);
    apply(cs, "mystery-key", "{\"a\":1}", 12);
    assert_int_equal(config_state_offset(cs), 13);
    assert_int_equal(config_state_version(cs), v);
    /* Wrong-shaped value: ignored, offset advances. */
    apply(cs, "commit-g", "{\"tasks\":\"x\"}", 13);
    assert_int_equal(config_state_offset(cs), 14);
    assert_int_equal(config_state_task_count(cs, "g"), -1);
    /* Tombstone of an unknown kind still counts. */
    apply(cs, "mystery-key", NULL, 14);
    assert_int_equal(config_state_offset(cs), 15);
    /* Non-object JSON counts too. */
    apply(cs, "connector-g", "42", 15);
    assert_int_equal(config_state_offset(cs), 16);
    assert_true(config_state_contains(cs, "g"));
    config_state_free(cs);
}

static void test_config_state_events_after_catch_up(void **state)
{
    struct config_state *cs = config_state_new();
    struct config_event ev;
    (void)state;

    /* Old restart and logger records are history. */
    apply(cs, "connector-h", "{\"properties\":{}}", 0);
    apply(cs, "restart-connector-h", "{\"include-tasks\":true,\"only-failed\":true}", 1);
    apply(cs, "logger-cluster-org.x", "{\"level\":\"DEBUG\"}", 2);
    assert_int_equal(config_state_event_next(cs, &ev), 0);

    config_state_set_started(cs);
    assert_true(config_state_started(cs));
    apply(cs, "restart-connector-h", "{\"include-tasks\":true,\"only-failed\":false}", 3);
    apply(cs, "logger-cluster-org.x", "{\"level\":\"TRACE\"}", 4);
    apply(cs, "restart-connector-h", NULL, 5); /* null restart: ignored */
    apply(cs, "target-state-h", "{\"state\":\"STARTED\",\"state.v2\":\"STARTED\"}", 6); /* same */
    apply(cs, "target-state-h", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}", 7);
    apply(cs, "target-state-new", "{\"state\":\"PAUSED\",\"state.v2\":\"PAUSED\"}",
          8); /* no config */
    apply(cs, "connector-new", "{\"properties\":{}}", 9);
    apply(cs, "task-new-0", "{\"properties\":{}}", 10);
    apply(cs, "commit-new", "{\"tasks\":1}", 11);
    apply(cs, "connector-new", NULL, 12);
    apply(cs, "target-state-new", NULL, 13); /* no event for target-state removal */
    apply(cs, "session-key",
          "{\"key\":\"AAAA\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}", 14);

    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_RESTART);
    assert_string_equal(ev.name, "h");
    assert_int_equal(ev.include_tasks, 1);
    assert_int_equal(ev.only_failed, 0);
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_LOGGER_LEVEL);
    assert_string_equal(ev.name, "org.x");
    assert_string_equal(ev.level, "TRACE");
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_TARGET_STATE);
    assert_string_equal(ev.name, "h");
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_CONNECTOR_UPDATE);
    assert_string_equal(ev.name, "new");
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_TASK_CONFIGS);
    assert_string_equal(ev.name, "new");
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_CONNECTOR_REMOVE);
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 1);
    assert_int_equal(ev.type, CONFIG_EVENT_SESSION_KEY);
    assert_null(ev.name);
    config_event_fini(&ev);
    assert_int_equal(config_state_event_next(cs, &ev), 0);

    /* Leave one event queued: config_state_free must release it. */
    apply(cs, "logger-cluster-root", "{\"level\":\"INFO\"}", 15);
    config_state_free(cs);
}

static void test_config_state_sorted_and_target_defaults(void **state)
{
    struct config_state *cs = config_state_new();
    const char **names;
    size_t n;
    (void)state;

    apply(cs, "connector-zeta", "{\"properties\":{}}", 0);
    apply(cs, "connector-alpha", "{\"properties\":{}}", 1);
    apply(cs, "connector-Mid", "{\"properties\":{}}", 2);
    assert_int_equal(config_state_connectors(cs, &names, &n), KC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "Mid");
    assert_string_equal(names[1], "alpha");
    assert_string_equal(names[2], "zeta");
    kc_free(names);
    assert_int_equal(config_state_target_state(cs, "alpha"), HERDER_TARGET_STARTED);
    assert_int_equal(config_state_tasks(cs, "alpha"), 0);
    assert_int_equal(config_state_fencing_count(cs, "alpha"), -1);
    apply(cs, "tasks-fencing-alpha", "{\"task-count\":2}", 3);
    assert_int_equal(config_state_fencing_count(cs, "alpha"), 2);
    config_state_free(cs);
}

static void test_config_state_task_configs_changed(void **state)
{
    struct config_state *cs = config_state_new();
    struct kc_strmap tasks[2];
    (void)state;

    kc_strmap_init(&tasks[0]);
    kc_strmap_init(&tasks[1]);
    kc_strmap_set(&tasks[0], "t", "0");
    kc_strmap_set(&tasks[1], "t", "1");

    /* Unknown connector: 0 tasks committed. */
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 0), 0);
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 2), 1);

    apply(cs, "connector-k", "{\"properties\":{\"name\":\"k\"}}", 0);
    /* Config present but never committed: applied (none) != current. */
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 0), 1);
    apply(cs, "task-k-0", "{\"properties\":{\"t\":\"0\"}}", 1);
    apply(cs, "task-k-1", "{\"properties\":{\"t\":\"1\"}}", 2);
    apply(cs, "commit-k", "{\"tasks\":2}", 3);
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 2), 0);
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 1), 1);
    kc_strmap_set(&tasks[1], "t", "changed");
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 2), 1);
    kc_strmap_set(&tasks[1], "t", "1");
    /* Same tasks, but the connector config changed since the commit. */
    apply(cs, "connector-k", "{\"properties\":{\"name\":\"k\",\"x\":\"y\"}}", 4);
    assert_int_equal(config_state_task_configs_changed(cs, "k", tasks, 2), 1);
    kc_strmap_fini(&tasks[0]);
    kc_strmap_fini(&tasks[1]);
    config_state_free(cs);
}

/* Fail each allocation in turn during a full sequence: no crash, no leak (ASan), ENOMEM out. */
static void test_config_state_alloc_failures(void **state)
{
    static const char *const recs[][2] = {
        {"session-key",
         "{\"key\":\"AAECAw==\",\"algorithm\":\"HmacSHA256\",\"creation-timestamp\":1}"},
        {"connector-a", "{\"properties\":{\"name\":\"a\",\"x\":\"y\"}}"},
        {"task-a-0", "{\"properties\":{\"t\":\"0\"}}"},
        {"task-a-1", "{\"properties\":{\"t\":\"1\"}}"},
        {"commit-a", "{\"tasks\":2}"},
        {"target-state-a", "{\"state\":\"PAUSED\",\"state.v2\":\"STOPPED\"}"},
        {"restart-connector-a", "{\"include-tasks\":true,\"only-failed\":false}"},
        {"logger-cluster-x", "{\"level\":\"DEBUG\"}"},
        {"connector-a", NULL},
    };
    (void)state;
    for (long fail = 0; fail < 200; fail++) {
        struct config_state *cs;
        int failed = 0;
        kc_alloc_fail_after(fail);
        cs = config_state_new();
        if (cs == NULL) {
            kc_alloc_fail_after(-1);
            continue;
        }
        config_state_set_started(cs);
        for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]) && !failed; i++) {
            const char *v = recs[i][1];
            int rc = config_state_apply(cs, recs[i][0], strlen(recs[i][0]), v, v ? strlen(v) : 0,
                                        (int64_t)i);
            assert_true(rc == KC_OK || rc == KC_ENOMEM);
            failed = rc != KC_OK;
        }
        kc_alloc_fail_after(-1);
        config_state_free(cs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_topic_encode_every_kind),
        cmocka_unit_test(test_config_topic_json_escaping_is_jacksons),
        cmocka_unit_test(test_config_topic_jvm_records_roundtrip),
        cmocka_unit_test(test_config_topic_key_parse_order),
        cmocka_unit_test(test_config_topic_decode_errors),
        cmocka_unit_test(test_config_state_jvm_sequence),
        cmocka_unit_test(test_config_state_commit_incomplete_is_inconsistent),
        cmocka_unit_test(test_config_state_tombstones),
        cmocka_unit_test(test_config_state_target_state_rules),
        cmocka_unit_test(test_config_state_offset_accounting),
        cmocka_unit_test(test_config_state_events_after_catch_up),
        cmocka_unit_test(test_config_state_sorted_and_target_defaults),
        cmocka_unit_test(test_config_state_task_configs_changed),
        cmocka_unit_test(test_config_state_alloc_failures),
    };
    kc_log_set_level(KC_LOG_ERROR - 1); /* the state machine logs every rejected record */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
