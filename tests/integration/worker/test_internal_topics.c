/*
 * tests/integration/worker/test_internal_topics.c: the internal topics layer against a real
 * broker (KC_BOOTSTRAP=host:port; exits 77 = skipped when unset).
 *
 * Creates the three internal topics under a unique prefix, verifies them, checks the two
 * refuse-to-start cases (config topic with 2 partitions, topic with cleanup.policy=delete),
 * writes every config record kind and reads it back through the reader state machine, writes
 * statuses and checks both the read-back and that every key sits in the partition Java's
 * murmur2 picks, and exercises the consumer-group offset helpers. Optional: KC_JVM_CONFIG_TOPIC
 * and KC_JVM_STATUS_TOPIC name topics a JVM worker wrote; they are read and dumped, and
 * KC_JVM_EXPECT_CONNECTOR names a connector that must be found (see run_jvm_crosscheck.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "config_topic.h"
#include "kafka_admin.h"
#include "kafka_log.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "murmur2.h"
#include "status_topic.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_RC(expr, want, errp)                                                                 \
    do {                                                                                           \
        int rc_ = (expr);                                                                          \
        if (rc_ != (want)) {                                                                       \
            fprintf(stderr, "%s:%d: %s = %s, want %s: %s\n", __FILE__, __LINE__, #expr,            \
                    kc_rc_name(rc_), kc_rc_name(want), (errp)->msg);                               \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static int timeout_ms(int base)
{
    const char *s = getenv("KC_TEST_TIMEOUT_SCALE");
    double scale = s != NULL ? atof(s) : 1.0;
    return (int)(base * (scale > 0 ? scale : 1.0));
}

static char prefix[64];
static struct kc_strmap props; /* librdkafka client properties */

static char *topic_name(const char *suffix)
{
    return kc_asprintf("%s-%s", prefix, suffix);
}

/* Create a topic with explicit settings through the raw admin API (the bad cases). */
static void create_raw(struct kafka_admin *ka, const char *name, int partitions, const char *policy)
{
    char errstr[256];
    rd_kafka_t *rk = kafka_admin_handle(ka);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, partitions, 1, errstr, sizeof(errstr));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_event_t *ev;
    const rd_kafka_topic_result_t **tr;
    size_t n = 0;

    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", policy);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    ev = rd_kafka_queue_poll(q, timeout_ms(30000));
    CHECK(ev != NULL);
    if (ev != NULL) {
        tr = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
        CHECK(n == 1 && rd_kafka_topic_result_error(tr[0]) == RD_KAFKA_RESP_ERR_NO_ERROR);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

static void delete_topics(struct kafka_admin *ka, char **names, size_t n)
{
    rd_kafka_t *rk = kafka_admin_handle(ka);
    rd_kafka_DeleteTopic_t **dt = kc_calloc(n, sizeof(*dt));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_event_t *ev;

    for (size_t i = 0; i < n; i++) {
        dt[i] = rd_kafka_DeleteTopic_new(names[i]);
    }
    rd_kafka_DeleteTopics(rk, dt, n, NULL, q);
    ev = rd_kafka_queue_poll(q, timeout_ms(30000));
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_DeleteTopic_destroy_array(dt, n);
    kc_free(dt);
    rd_kafka_queue_destroy(q);
}

/* ---- topics ---- */

static void test_create_and_verify(struct kafka_admin *ka, const struct kc_strmap *wp)
{
    struct kc_error err;
    char *policy = NULL;
    char *missing;
    int n = 0;

    CHECK_RC(kafka_admin_internal_topics_ensure(ka, wp, timeout_ms(60000), &err), KC_OK, &err);
    CHECK_RC(kafka_admin_topic_partitions(ka, kc_strmap_get(wp, "config.storage.topic"), 10000, &n,
                                          &err),
             KC_OK, &err);
    CHECK(n == 1);
    CHECK_RC(kafka_admin_topic_partitions(ka, kc_strmap_get(wp, "status.storage.topic"), 10000, &n,
                                          &err),
             KC_OK, &err);
    CHECK(n == 5);
    CHECK_RC(kafka_admin_topic_partitions(ka, kc_strmap_get(wp, "offset.storage.topic"), 10000, &n,
                                          &err),
             KC_OK, &err);
    CHECK(n == 3);
    CHECK_RC(kafka_admin_topic_cleanup_policy(ka, kc_strmap_get(wp, "config.storage.topic"), 10000,
                                              &policy, &err),
             KC_OK, &err);
    CHECK(policy != NULL && strcmp(policy, "compact") == 0);
    kc_free(policy);
    /* Second start: topics exist, verification passes. */
    CHECK_RC(kafka_admin_internal_topics_ensure(ka, wp, timeout_ms(60000), &err), KC_OK, &err);
    /* Looking at a missing topic must not create it (brokers auto-create by default). */
    missing = topic_name("no-such-topic");
    CHECK_RC(kafka_admin_topic_partitions(ka, missing, 10000, &n, &err), KC_ENOENT, &err);
    CHECK_RC(kafka_admin_topic_partitions(ka, missing, 10000, &n, &err), KC_ENOENT, &err);
    kc_free(missing);
}

static void test_broker_defaults(struct kafka_admin *ka, char *name)
{
    struct kafka_admin_topic_spec spec = {
        name, -1, -1, NULL, "offset.storage.topic", "source connector offsets", 0};
    struct kc_error err;
    int created = 0;
    int n = 0;

    CHECK_RC(kafka_admin_topic_ensure(ka, &spec, timeout_ms(60000), &created, &err), KC_OK, &err);
    CHECK(created == 1);
    /* A topic created a moment ago can still be missing from the metadata of the broker we
     * ask next (propagation): poll for it, as the JVM's admin callers retry. */
    int prc = KC_ENOENT;
    for (int i = 0; i < 100 && prc == KC_ENOENT; i++) {
        prc = kafka_admin_topic_partitions(ka, name, 10000, &n, &err);
        if (prc == KC_ENOENT) {
            struct timespec ts = {0, 100 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    CHECK_RC(prc, KC_OK, &err);
    CHECK(n >= 1);
    CHECK_RC(kafka_admin_topic_ensure(ka, &spec, timeout_ms(60000), &created, &err), KC_OK, &err);
    CHECK(created == 0);
}

static void test_refuse_to_start(struct kafka_admin *ka, char *two, char *del)
{
    struct kc_strmap wp;
    struct kc_error err;
    char *want;
    char *offsets = topic_name("r-offsets");
    char *status = topic_name("r-status");
    char *unused = topic_name("r-configs-unused");

    create_raw(ka, two, 2, "compact");
    create_raw(ka, del, 1, "delete");

    kc_strmap_init(&wp);
    kc_strmap_set(&wp, "offset.storage.topic", offsets);
    kc_strmap_set(&wp, "status.storage.topic", status);
    kc_strmap_set(&wp, "config.storage.topic", two);
    kc_strmap_set(&wp, "config.storage.replication.factor", "1");
    kc_strmap_set(&wp, "offset.storage.replication.factor", "1");
    kc_strmap_set(&wp, "status.storage.replication.factor", "1");
    kc_strmap_set(&wp, "offset.storage.partitions", "1");
    kc_strmap_set(&wp, "status.storage.partitions", "1");
    CHECK_RC(kafka_admin_internal_topics_ensure(ka, &wp, timeout_ms(60000), &err), KC_EINVAL, &err);
    want = kc_asprintf("Topic '%s' supplied via the 'config.storage.topic' property is required to "
                       "have a single partition in order to guarantee consistency of connector "
                       "configurations, but found 2 partitions.",
                       two);
    CHECK(strcmp(err.msg, want) == 0);
    if (strcmp(err.msg, want) != 0) {
        fprintf(stderr, "got:  %s\nwant: %s\n", err.msg, want);
    }
    kc_free(want);

    kc_strmap_set(&wp, "config.storage.topic", del);
    CHECK_RC(kafka_admin_internal_topics_ensure(ka, &wp, timeout_ms(60000), &err), KC_EINVAL, &err);
    want = kc_asprintf(
        "Topic '%s' supplied via the 'config.storage.topic' property is required to have "
        "'cleanup.policy=compact' to guarantee consistency and durability of connector "
        "configurations, but found the topic currently has 'cleanup.policy=delete'. Continuing "
        "would likely result in eventually losing connector configurations and problems "
        "restarting this Connect cluster in the future. Change the 'config.storage.topic' "
        "property in the Connect worker configurations to use a topic with "
        "'cleanup.policy=compact'.",
        del);
    /* struct kc_error holds KC_ERROR_MSG_MAX - 1 bytes; this message can be longer. */
    CHECK(strncmp(err.msg, want, strlen(err.msg)) == 0);
    CHECK(strlen(err.msg) == strlen(want) || strlen(err.msg) == KC_ERROR_MSG_MAX - 1);
    if (strncmp(err.msg, want, strlen(err.msg)) != 0) {
        fprintf(stderr, "got:  %s\nwant: %s\n", err.msg, want);
    }
    kc_free(want);

    /* The same check guards the status topic, with its own key and purpose. */
    kc_strmap_set(&wp, "config.storage.topic", unused);
    kc_strmap_set(&wp, "status.storage.topic", del);
    CHECK_RC(kafka_admin_internal_topics_ensure(ka, &wp, timeout_ms(60000), &err), KC_EINVAL, &err);
    CHECK(strstr(err.msg, "supplied via the 'status.storage.topic' property") != NULL);
    CHECK(strstr(err.msg, "durability of connector and task statuses") != NULL);
    kc_strmap_fini(&wp);
    kc_free(offsets);
    kc_free(status);
    kc_free(unused);
}

/* ---- config topic ---- */

static void write_rec(struct config_topic *ct, const struct config_record *rec)
{
    struct kc_error err;
    struct kc_buf b;
    char *key = NULL;
    int is_null = 0;

    kc_buf_init(&b, 1 << 20);
    CHECK(config_topic_encode(rec, &key, &b, &is_null) == KC_OK);
    CHECK_RC(config_topic_write(ct, key, is_null ? NULL : b.data, b.len, &err), KC_OK, &err);
    kc_free(key);
    kc_buf_fini(&b);
}

static void test_config_topic(const char *topic)
{
    struct config_topic *ct = NULL;
    struct config_state *cs = config_state_new();
    struct config_record rec;
    struct config_event ev;
    struct kc_error err;
    const struct kc_strmap *cfg;
    static const uint8_t key[4] = {1, 2, 3, 4};
    int n;

    CHECK_RC(config_topic_new(&props, topic, "kc-it-configs", &ct, &err), KC_OK, &err);
    if (ct == NULL) {
        config_state_free(cs);
        return;
    }
    /* Empty topic: read-to-end returns at once, offset stays -1. */
    CHECK_RC(config_topic_read_to_end(ct, cs, timeout_ms(30000), &err), KC_OK, &err);
    CHECK(config_state_offset(cs) == -1);

    config_record_init(&rec);
    rec.kind = CONFIG_RECORD_SESSION_KEY;
    rec.session_key = kc_malloc(sizeof(key));
    memcpy(rec.session_key, key, sizeof(key));
    rec.session_key_len = sizeof(key);
    rec.session_algorithm = kc_strdup("HmacSHA256");
    rec.session_created_ms = 1700000000000LL;
    write_rec(ct, &rec); /* 0 */
    config_record_fini(&rec);

    config_record_init(&rec);
    rec.name = kc_strdup("sink-a");
    rec.kind = CONFIG_RECORD_TARGET_STATE;
    rec.target = HERDER_TARGET_PAUSED;
    write_rec(ct, &rec); /* 1: initial state before the config */
    rec.kind = CONFIG_RECORD_CONNECTOR;
    kc_strmap_set(&rec.props, "connector.class",
                  "org.apache.kafka.connect.file.FileStreamSinkConnector");
    kc_strmap_set(&rec.props, "tasks.max", "2");
    kc_strmap_set(&rec.props, "topics", "orders");
    kc_strmap_set(&rec.props, "name", "sink-a");
    write_rec(ct, &rec); /* 2 */
    rec.kind = CONFIG_RECORD_TASK;
    kc_strmap_set(&rec.props, "task.class", "org.apache.kafka.connect.file.FileStreamSinkTask");
    rec.task = 0;
    write_rec(ct, &rec); /* 3 */
    rec.task = 1;
    write_rec(ct, &rec); /* 4 */
    rec.kind = CONFIG_RECORD_COMMIT;
    rec.count = 2;
    write_rec(ct, &rec); /* 5 */
    rec.kind = CONFIG_RECORD_TARGET_STATE;
    rec.target = HERDER_TARGET_STOPPED;
    write_rec(ct, &rec); /* 6 */
    rec.kind = CONFIG_RECORD_RESTART;
    rec.include_tasks = 1;
    write_rec(ct, &rec); /* 7: before catch-up: no event */
    rec.kind = CONFIG_RECORD_TASKS_FENCING;
    rec.count = 2;
    write_rec(ct, &rec); /* 8 */
    config_record_fini(&rec);

    config_record_init(&rec);
    rec.kind = CONFIG_RECORD_CONNECTOR;
    rec.name = kc_strdup("gone");
    kc_strmap_set(&rec.props, "name", "gone");
    write_rec(ct, &rec); /* 9 */
    rec.is_null = 1;
    write_rec(ct, &rec); /* 10 */
    rec.kind = CONFIG_RECORD_TARGET_STATE;
    write_rec(ct, &rec); /* 11 */
    config_record_fini(&rec);

    config_record_init(&rec);
    rec.kind = CONFIG_RECORD_LOGGER_CLUSTER;
    rec.name = kc_strdup("org.apache.kafka");
    rec.level = kc_strdup("DEBUG");
    write_rec(ct, &rec); /* 12 */
    config_record_fini(&rec);

    CHECK_RC(config_topic_read_to_end(ct, cs, timeout_ms(30000), &err), KC_OK, &err);
    CHECK(config_state_offset(cs) == 13);
    CHECK(config_topic_position(ct) == 13);
    CHECK(config_state_contains(cs, "sink-a"));
    CHECK(!config_state_contains(cs, "gone"));
    CHECK(config_state_target_state(cs, "gone") == -1);
    CHECK(config_state_target_state(cs, "sink-a") == HERDER_TARGET_STOPPED);
    CHECK(config_state_tasks(cs, "sink-a") == 2);
    CHECK(config_state_task_generation(cs, "sink-a") == 0);
    CHECK(config_state_fencing_count(cs, "sink-a") == 2);
    cfg = config_state_task_config(cs, "sink-a", 1);
    CHECK(cfg != NULL && strcmp(kc_strmap_get(cfg, "task.class"),
                                "org.apache.kafka.connect.file.FileStreamSinkTask") == 0);
    cfg = config_state_connector_config(cs, "sink-a");
    CHECK(cfg != NULL && cfg->n == 4 && strcmp(cfg->e[3].key, "name") == 0);
    CHECK(config_state_session_key(cs) != NULL && config_state_session_key(cs)->key_len == 4);
    CHECK(config_state_event_next(cs, &ev) == 0);

    /* Tailing after catch-up: restart and logger records become events. */
    config_state_set_started(cs);
    config_record_init(&rec);
    rec.kind = CONFIG_RECORD_RESTART;
    rec.name = kc_strdup("sink-a");
    rec.only_failed = 1;
    write_rec(ct, &rec); /* 13 */
    config_record_fini(&rec);
    n = 0;
    for (int i = 0; i < 50 && n == 0; i++) {
        n = config_topic_poll(ct, cs, 200);
    }
    CHECK(n == 1);
    CHECK(config_state_offset(cs) == 14);
    CHECK(config_state_event_next(cs, &ev) == 1);
    CHECK(ev.type == CONFIG_EVENT_RESTART && ev.only_failed == 1 && ev.include_tasks == 0);
    config_event_fini(&ev);
    /* Nothing more: poll times out with 0. */
    CHECK(config_topic_poll(ct, cs, 300) == 0);

    /* A fresh reader sees the same (as a second worker would). */
    {
        struct config_topic *ct2 = NULL;
        struct config_state *cs2 = config_state_new();
        CHECK_RC(config_topic_new(&props, topic, "kc-it-configs-2", &ct2, &err), KC_OK, &err);
        if (ct2 != NULL) {
            CHECK_RC(config_topic_read_to_end(ct2, cs2, timeout_ms(30000), &err), KC_OK, &err);
            CHECK(config_state_offset(cs2) == 14);
            CHECK(config_state_version(cs2) > 0);
            CHECK(kc_strmap_equal(config_state_connector_config(cs2, "sink-a"),
                                  config_state_connector_config(cs, "sink-a")));
        }
        config_topic_free(ct2);
        config_state_free(cs2);
    }
    config_topic_free(ct);
    config_state_free(cs);
}

/* The KafkaConfigBackingStore operations and their write sequences. */
static void test_config_store_ops(const char *topic)
{
    struct config_topic *ct = NULL;
    struct config_state *cs = config_state_new();
    struct kc_strmap config;
    struct kc_strmap tasks[3];
    struct config_event ev;
    struct kc_error err;
    enum herder_target_state paused = HERDER_TARGET_PAUSED;
    static const uint8_t key[32] = {9};
    int64_t off;

    kc_strmap_init(&config);
    kc_strmap_set(&config, "connector.class", "FileStreamSink");
    kc_strmap_set(&config, "name", "ops");
    for (int i = 0; i < 3; i++) {
        char v[8];
        snprintf(v, sizeof(v), "%d", i);
        kc_strmap_init(&tasks[i]);
        kc_strmap_set(&tasks[i], "task.class", "T");
        kc_strmap_set(&tasks[i], "i", v);
    }
    CHECK_RC(config_topic_new(&props, topic, "kc-it-ops", &ct, &err), KC_OK, &err);
    if (ct == NULL) {
        goto out;
    }
    CHECK_RC(config_topic_read_to_end(ct, cs, timeout_ms(30000), &err), KC_OK, &err);
    config_state_set_started(cs);
    off = config_state_offset(cs);

    /* Create with an initial state: two records, read back before returning. */
    CHECK_RC(config_topic_put_connector(ct, cs, "ops", &config, &paused, &err), KC_OK, &err);
    CHECK(config_state_offset(cs) == off + 2);
    CHECK(config_state_contains(cs, "ops"));
    CHECK(config_state_target_state(cs, "ops") == HERDER_TARGET_PAUSED);
    CHECK(config_state_task_configs_changed(cs, "ops", tasks, 3) == 1);

    CHECK_RC(config_topic_put_task_configs(ct, cs, "ops", tasks, 3, &err), KC_OK, &err);
    CHECK(config_state_offset(cs) == off + 6);
    CHECK(config_state_tasks(cs, "ops") == 3);
    CHECK(config_state_task_configs_changed(cs, "ops", tasks, 3) == 0);
    CHECK(kc_strmap_equal(config_state_task_config(cs, "ops", 2), &tasks[2]));

    /* Stop: commit 0, then target state STOPPED. */
    CHECK_RC(config_topic_put_task_configs(ct, cs, "ops", tasks, 0, &err), KC_OK, &err);
    CHECK_RC(config_topic_put_target_state(ct, "ops", HERDER_TARGET_STOPPED, &err), KC_OK, &err);
    CHECK_RC(config_topic_read_to_end(ct, cs, timeout_ms(30000), &err), KC_OK, &err);
    CHECK(config_state_tasks(cs, "ops") == 0);
    CHECK(config_state_target_state(cs, "ops") == HERDER_TARGET_STOPPED);

    CHECK_RC(config_topic_put_restart(ct, cs, "ops", 1, 1, &err), KC_OK, &err);
    CHECK_RC(config_topic_put_logger_level(ct, "org.apache.kafka.connect", "WARN", &err), KC_OK,
             &err);
    CHECK_RC(config_topic_put_session_key(ct, cs, key, sizeof(key), "HmacSHA256", 42, &err), KC_OK,
             &err);
    CHECK(config_state_session_key(cs) != NULL && config_state_session_key(cs)->created_ms == 42);

    CHECK_RC(config_topic_remove_connector(ct, cs, "ops", &err), KC_OK, &err);
    CHECK(!config_state_contains(cs, "ops"));
    CHECK(config_state_target_state(cs, "ops") == -1);

    /* The event stream a herder would drain, in order. */
    {
        static const enum config_event_type want[] = {
            CONFIG_EVENT_CONNECTOR_UPDATE, CONFIG_EVENT_TASK_CONFIGS,     CONFIG_EVENT_TASK_CONFIGS,
            CONFIG_EVENT_TARGET_STATE,     CONFIG_EVENT_RESTART,          CONFIG_EVENT_LOGGER_LEVEL,
            CONFIG_EVENT_SESSION_KEY,      CONFIG_EVENT_CONNECTOR_REMOVE,
        };
        size_t i = 0;
        while (config_state_event_next(cs, &ev)) {
            CHECK(i < sizeof(want) / sizeof(want[0]) && ev.type == want[i]);
            i++;
            config_event_fini(&ev);
        }
        CHECK(i == sizeof(want) / sizeof(want[0]));
    }
out:
    config_topic_free(ct);
    config_state_free(cs);
    kc_strmap_fini(&config);
    for (int i = 0; i < 3; i++) {
        kc_strmap_fini(&tasks[i]);
    }
}

/* Records written transactionally (a JVM leader with exactly.once.source.support): the commit
 * markers take offsets that are never delivered; read-to-end must still finish, and the config
 * offset stays last record + 1, below the high watermark. */
static void test_transaction_markers(struct kafka_admin *ka, const char *topic)
{
    struct kafka_admin_topic_spec spec = {
        topic, 1, 1, NULL, "config.storage.topic", "connector configurations", 1};
    struct config_topic *ct = NULL;
    struct config_state *cs = config_state_new();
    struct kc_error err;
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *p;
    rd_kafka_error_t *e;
    char *txid = topic_name("txn");
    static const char v[] = "{\"properties\":{\"name\":\"t\"}}";

    CHECK_RC(kafka_admin_topic_ensure(ka, &spec, timeout_ms(60000), NULL, &err), KC_OK, &err);
    rd_kafka_conf_set(conf, "bootstrap.servers", kc_strmap_get(&props, "bootstrap.servers"), errstr,
                      sizeof(errstr));
    rd_kafka_conf_set(conf, "transactional.id", txid, errstr, sizeof(errstr));
    p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    CHECK(p != NULL);
    e = rd_kafka_init_transactions(p, timeout_ms(60000));
    CHECK(e == NULL);
    for (int i = 0; e == NULL && i < 2; i++) {
        rd_kafka_begin_transaction(p);
        rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY("connector-t", 11),
                          RD_KAFKA_V_VALUE((void *)v, sizeof(v) - 1),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        e = rd_kafka_commit_transaction(p, timeout_ms(60000));
        CHECK(e == NULL);
    }
    if (e != NULL) {
        fprintf(stderr, "transaction: %s\n", rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
    }
    rd_kafka_destroy(p);
    sleep(1); /* markers are written asynchronously after the commit returns */

    CHECK_RC(config_topic_new(&props, topic, "kc-it-txn", &ct, &err), KC_OK, &err);
    if (ct != NULL) {
        CHECK_RC(config_topic_read_to_end(ct, cs, timeout_ms(15000), &err), KC_OK, &err);
        CHECK(config_state_contains(cs, "t"));
        CHECK(config_state_offset(cs) == 3);   /* records at 0 and 2, markers at 1 and 3 */
        CHECK(config_topic_position(ct) == 4); /* past the last marker */
    }
    config_topic_free(ct);
    config_state_free(cs);
    kc_free(txid);
}

/* ---- status topic ---- */

static int32_t partition_count = 5;

static int partition_cb(void *opaque, const rd_kafka_message_t *m)
{
    int *bad = opaque;
    int32_t want = murmur2_partition(m->key, m->key_len, partition_count);
    if (m->partition != want) {
        fprintf(stderr, "key %.*s in partition %d, Java would pick %d\n", (int)m->key_len,
                (const char *)m->key, (int)m->partition, (int)want);
        (*bad)++;
    }
    bad[1]++;
    return KC_OK;
}

static void test_status_topic(const char *topic)
{
    struct status_topic *sts = NULL;
    struct status_state *ss = status_state_new();
    struct status_state *ss2 = status_state_new();
    struct kafka_log *raw = NULL;
    struct kc_error err;
    const struct status_entry *e;
    int counts[2] = {0, 0};
    char name[32];

    CHECK_RC(status_topic_new(&props, topic, "kc-it-status", timeout_ms(30000), &sts, &err), KC_OK,
             &err);
    if (sts == NULL) {
        status_state_free(ss);
        status_state_free(ss2);
        return;
    }
    CHECK(status_topic_partitions(sts) == 5);
    CHECK_RC(status_topic_put(sts, NULL, "sink-a", -1, HERDER_STATE_RUNNING, NULL, "127.0.0.1:8083",
                              3, "4.1.0", 0, &err),
             KC_OK, &err);
    CHECK_RC(status_topic_put(sts, NULL, "sink-a", 0, HERDER_STATE_RUNNING, NULL, "127.0.0.1:8083",
                              3, "4.1.0", 0, &err),
             KC_OK, &err);
    CHECK_RC(status_topic_put(sts, NULL, "sink-a", 1, HERDER_STATE_FAILED,
                              "java.lang.RuntimeException: x\n\tat y\n", "127.0.0.1:8083", 3, NULL,
                              0, &err),
             KC_OK, &err);
    /* Many keys, to check partitioning broadly, incl. non-ASCII names. */
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), i % 2 ? "c-%d" : "\xc3\xa9t\xc3\xa9-%d", i);
        CHECK_RC(status_topic_put(sts, NULL, name, -1, HERDER_STATE_UNASSIGNED, NULL, "w:1", 1,
                                  NULL, 0, &err),
                 KC_OK, &err);
    }
    CHECK_RC(status_topic_put_topic(sts, "orders", "sink-a", 0, 1700000000000LL, &err), KC_OK,
             &err);
    CHECK_RC(status_topic_flush(sts, timeout_ms(30000), &err), KC_OK, &err);
    CHECK(status_topic_failures(sts) == 0);

    CHECK_RC(status_topic_read_to_end(sts, ss, timeout_ms(30000), &err), KC_OK, &err);
    e = status_state_connector(ss, "sink-a");
    CHECK(e != NULL && e->state == HERDER_STATE_RUNNING && e->generation == 3 &&
          e->version != NULL && strcmp(e->version, "4.1.0") == 0);
    e = status_state_task(ss, "sink-a", 1);
    CHECK(e != NULL && e->state == HERDER_STATE_FAILED && e->trace != NULL && e->version == NULL);
    CHECK(status_state_topic(ss, "sink-a", "orders") != NULL);
    CHECK(status_state_connector(ss, "c-39") != NULL);

    /* Safe write refused: RUNNING at generation 3 by another worker beats UNASSIGNED at 2. */
    CHECK_RC(status_topic_put(sts, ss, "sink-a", 0, HERDER_STATE_UNASSIGNED, NULL, "other:1", 2,
                              NULL, 1, &err),
             KC_OK, &err);
    /* DESTROYED is a tombstone; so is a topic reset. */
    CHECK_RC(status_topic_put(sts, NULL, "sink-a", -1, HERDER_STATE_DESTROYED, NULL,
                              "127.0.0.1:8083", 4, NULL, 0, &err),
             KC_OK, &err);
    CHECK_RC(status_topic_delete_topic(sts, "orders", "sink-a", &err), KC_OK, &err);
    CHECK_RC(status_topic_flush(sts, timeout_ms(30000), &err), KC_OK, &err);
    CHECK_RC(status_topic_read_to_end(sts, ss, timeout_ms(30000), &err), KC_OK, &err);
    CHECK(status_state_connector(ss, "sink-a") == NULL);
    CHECK(status_state_task(ss, "sink-a", 0) == NULL);
    CHECK(status_state_topic(ss, "sink-a", "orders") == NULL);

    /* A second reader from the beginning ends in the same state. */
    {
        struct status_topic *sts2 = NULL;
        CHECK_RC(status_topic_new(&props, topic, "kc-it-status-2", timeout_ms(30000), &sts2, &err),
                 KC_OK, &err);
        if (sts2 != NULL) {
            CHECK_RC(status_topic_read_to_end(sts2, ss2, timeout_ms(30000), &err), KC_OK, &err);
            CHECK(status_state_connector(ss2, "sink-a") == NULL);
            CHECK(status_state_connector(ss2, "c-1") != NULL);
        }
        status_topic_free(sts2);
    }

    /* Every key is in the partition the Java producer would have chosen. */
    CHECK_RC(kafka_log_new(&props, topic, "kc-it-raw", NULL, timeout_ms(30000), &raw, &err), KC_OK,
             &err);
    if (raw != NULL) {
        CHECK_RC(kafka_log_read_to_end(raw, partition_cb, counts, timeout_ms(30000), &err), KC_OK,
                 &err);
        CHECK(counts[0] == 0);
        CHECK(counts[1] >= 46);
        fprintf(stderr, "status topic: %d records, %d in the wrong partition\n", counts[1],
                counts[0]);
    }
    kafka_log_free(raw);
    status_topic_free(sts);
    status_state_free(ss);
    status_state_free(ss2);
}

/* ---- group offsets ---- */

static void test_group_offsets(struct kafka_admin *ka, const char *data_topic)
{
    struct kafka_admin_offsets os = {NULL, 0};
    struct kafka_admin_offsets got = {NULL, 0};
    struct kc_error err;
    char *group = topic_name("group");
    int active = -1;

    create_raw(ka, data_topic, 2, "delete");
    CHECK_RC(kafka_admin_group_offsets_list(ka, group, timeout_ms(30000), &got, &err), KC_OK, &err);
    CHECK(got.n == 0);
    CHECK_RC(kafka_admin_group_active(ka, group, timeout_ms(30000), &active, &err), KC_OK, &err);
    CHECK(active == 0);

    kafka_admin_offsets_add(&os, data_topic, 1, 0);
    kafka_admin_offsets_add(&os, data_topic, 0, 0);
    CHECK_RC(kafka_admin_group_offsets_alter(ka, group, &os, timeout_ms(30000), &err), KC_OK, &err);
    CHECK_RC(kafka_admin_group_offsets_list(ka, group, timeout_ms(30000), &got, &err), KC_OK, &err);
    CHECK(got.n == 2);
    if (got.n == 2) {
        CHECK(got.o[0].partition == 0 && got.o[1].partition == 1);
        CHECK(strcmp(got.o[0].topic, data_topic) == 0);
        CHECK(got.o[0].offset == 0);
    }
    kafka_admin_offsets_fini(&got);
    CHECK_RC(kafka_admin_group_active(ka, group, timeout_ms(30000), &active, &err), KC_OK, &err);
    CHECK(active == 0);

    /* Delete one partition's offset. */
    kafka_admin_offsets_fini(&os);
    kafka_admin_offsets_add(&os, data_topic, 1, -1);
    CHECK_RC(kafka_admin_group_offsets_delete(ka, group, &os, timeout_ms(30000), &err), KC_OK,
             &err);
    CHECK_RC(kafka_admin_group_offsets_list(ka, group, timeout_ms(30000), &got, &err), KC_OK, &err);
    CHECK(got.n == 1 && got.o[0].partition == 0);
    kafka_admin_offsets_fini(&got);

    /* A live member (a running sink task): the group is active and the broker refuses to
     * alter its offsets (KC_RETRY, not retried internally: the caller must stop the tasks). */
    {
        char errstr[256];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *consumer;
        rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
        rd_kafka_conf_set(conf, "bootstrap.servers", kc_strmap_get(&props, "bootstrap.servers"),
                          errstr, sizeof(errstr));
        rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof(errstr));
        consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        CHECK(consumer != NULL);
        rd_kafka_poll_set_consumer(consumer);
        rd_kafka_topic_partition_list_add(sub, data_topic, RD_KAFKA_PARTITION_UA);
        CHECK(rd_kafka_subscribe(consumer, sub) == RD_KAFKA_RESP_ERR_NO_ERROR);
        rd_kafka_topic_partition_list_destroy(sub);
        active = 0;
        for (int i = 0; i < 60 && !active; i++) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 500);
            if (m != NULL) {
                rd_kafka_message_destroy(m);
            }
            CHECK_RC(kafka_admin_group_active(ka, group, timeout_ms(30000), &active, &err), KC_OK,
                     &err);
        }
        CHECK(active == 1);
        kafka_admin_offsets_fini(&os);
        kafka_admin_offsets_add(&os, data_topic, 0, 0);
        CHECK_RC(kafka_admin_group_offsets_alter(ka, group, &os, timeout_ms(30000), &err), KC_RETRY,
                 &err);
        fprintf(stderr, "alter with a live member: %s\n", err.msg);
        rd_kafka_consumer_close(consumer);
        rd_kafka_destroy(consumer);
        CHECK_RC(kafka_admin_group_active(ka, group, timeout_ms(30000), &active, &err), KC_OK,
                 &err);
        CHECK(active == 0);
    }

    /* Reset = delete the group (what the JVM does for sinks). */
    CHECK_RC(kafka_admin_group_delete(ka, group, timeout_ms(30000), &err), KC_OK, &err);
    CHECK_RC(kafka_admin_group_offsets_list(ka, group, timeout_ms(30000), &got, &err), KC_OK, &err);
    CHECK(got.n == 0);
    kafka_admin_offsets_fini(&got);
    CHECK_RC(kafka_admin_group_delete(ka, group, timeout_ms(30000), &err), KC_OK, &err);
    kafka_admin_offsets_fini(&os);
    kc_free(group);
}

/* ---- optional: topics a JVM worker wrote ---- */

static void test_jvm_topics(void)
{
    const char *ctopic = getenv("KC_JVM_CONFIG_TOPIC");
    const char *stopic = getenv("KC_JVM_STATUS_TOPIC");
    const char *expect = getenv("KC_JVM_EXPECT_CONNECTOR");
    const char *wname = getenv("KC_JVM_WRITE_CONNECTOR");
    struct kc_error err;

    if (ctopic != NULL) {
        struct config_topic *ct = NULL;
        struct config_state *cs = config_state_new();
        const char **names = NULL;
        size_t n = 0;
        CHECK_RC(config_topic_new(&props, ctopic, "kc-it-jvm", &ct, &err), KC_OK, &err);
        if (ct != NULL) {
            CHECK_RC(config_topic_read_to_end(ct, cs, timeout_ms(30000), &err), KC_OK, &err);
            config_state_connectors(cs, &names, &n);
            printf("jvm config topic %s: offset %lld, %zu connector(s)\n", ctopic,
                   (long long)config_state_offset(cs), n);
            for (size_t i = 0; i < n; i++) {
                const struct kc_strmap *cfg = config_state_connector_config(cs, names[i]);
                int tasks = config_state_tasks(cs, names[i]);
                printf("connector %s target=%s tasks=%d inconsistent=%d\n", names[i],
                       herder_target_state_name(config_state_target_state(cs, names[i])),
                       tasks, config_state_inconsistent(cs, names[i]));
                for (size_t k = 0; k < cfg->n; k++) {
                    printf("  config %s=%s\n", cfg->e[k].key,
                           cfg->e[k].value ? cfg->e[k].value : "(null)");
                }
                for (int t = 0; t < tasks; t++) {
                    const struct kc_strmap *tc = config_state_task_config(cs, names[i], t);
                    for (size_t k = 0; tc != NULL && k < tc->n; k++) {
                        printf("  task %d %s=%s\n", t, tc->e[k].key,
                               tc->e[k].value ? tc->e[k].value : "(null)");
                    }
                }
            }
            if (expect != NULL) {
                CHECK(config_state_contains(cs, expect));
                CHECK(config_state_tasks(cs, expect) >= 1);
            }
            CHECK(config_state_session_key(cs) != NULL);
            kc_free(names);
        }
        config_topic_free(ct);
        config_state_free(cs);
    }
    if (ctopic != NULL && wname != NULL) {
        /* Create a connector the way our herder will: target state, then config. The JVM
         * leader must pick it up, generate task configs and start it (checked over REST by
         * run_jvm_crosscheck.sh). */
        struct config_topic *ct = NULL;
        struct config_state *cs = config_state_new();
        struct kc_strmap config;
        enum herder_target_state started = HERDER_TARGET_STARTED;
        char *file = kc_asprintf("/tmp/%s.out", wname);
        kc_strmap_init(&config);
        kc_strmap_set(&config, "connector.class",
                      "org.apache.kafka.connect.file.FileStreamSinkConnector");
        kc_strmap_set(&config, "tasks.max", "1");
        kc_strmap_set(&config, "topics", wname);
        kc_strmap_set(&config, "file", file);
        kc_strmap_set(&config, "name", wname);
        CHECK_RC(config_topic_new(&props, ctopic, "kc-it-jvm-writer", &ct, &err), KC_OK, &err);
        if (ct != NULL) {
            CHECK_RC(config_topic_put_connector(ct, cs, wname, &config, &started, &err), KC_OK,
                     &err);
            CHECK(config_state_contains(cs, wname));
            printf("wrote connector %s to %s\n", wname, ctopic);
        }
        kc_strmap_fini(&config);
        config_state_free(cs);
        config_topic_free(ct);
        kc_free(file);
    }
    if (stopic != NULL) {
        struct kafka_log *raw = NULL;
        int counts[2] = {0, 0};
        CHECK_RC(
            kafka_log_new(&props, stopic, "kc-it-jvm-raw", NULL, timeout_ms(30000), &raw, &err),
            KC_OK, &err);
        if (raw != NULL) {
            partition_count = kafka_log_partitions(raw);
            CHECK_RC(kafka_log_read_to_end(raw, partition_cb, counts, timeout_ms(30000), &err),
                     KC_OK, &err);
            CHECK(counts[0] == 0);
            printf("jvm status topic: %d partitions, %d records, %d not where murmur2 puts them\n",
                   (int)partition_count, counts[1], counts[0]);
        }
        kafka_log_free(raw);
    }
    if (stopic != NULL) {
        struct status_topic *sts = NULL;
        struct status_state *ss = status_state_new();
        const char **names = NULL;
        size_t n = 0;
        CHECK_RC(
            status_topic_new(&props, stopic, "kc-it-jvm-status", timeout_ms(30000), &sts, &err),
            KC_OK, &err);
        if (sts != NULL) {
            CHECK_RC(status_topic_read_to_end(sts, ss, timeout_ms(30000), &err), KC_OK, &err);
            status_state_connectors(ss, &names, &n);
            for (size_t i = 0; i < n; i++) {
                const struct status_entry *e = status_state_connector(ss, names[i]);
                int *ids = NULL;
                size_t nid = 0;
                printf("status connector %s %s worker=%s gen=%d version=%s\n", names[i],
                       herder_state_name(e->state), e->worker_id ? e->worker_id : "(null)",
                       (int)e->generation, e->version ? e->version : "(null)");
                status_state_task_ids(ss, names[i], &ids, &nid);
                for (size_t k = 0; k < nid; k++) {
                    const struct status_entry *te = status_state_task(ss, names[i], ids[k]);
                    printf("status task %s-%d %s gen=%d\n", names[i], ids[k],
                           herder_state_name(te->state), (int)te->generation);
                }
                kc_free(ids);
            }
            if (expect != NULL) {
                CHECK(status_state_connector(ss, expect) != NULL);
                CHECK(status_state_task(ss, expect, 0) != NULL);
            }
            kc_free(names);
        }
        status_topic_free(sts);
        status_state_free(ss);
    }
}

int main(void)
{
    const char *bootstrap = getenv("KC_BOOTSTRAP");
    struct kafka_admin *ka = NULL;
    struct kc_strmap wp;
    struct kc_error err;
    char *cluster_id = NULL;
    char *cleanup[24];
    size_t ncleanup = 0;

    if (bootstrap == NULL || *bootstrap == '\0') {
        printf(
            "SKIP: KC_BOOTSTRAP is not set (start a broker with tests/integration/services.sh)\n");
        return 77;
    }
    kc_log_set_level(getenv("KC_TEST_VERBOSE") ? KC_LOG_DEBUG : KC_LOG_WARN);
    snprintf(prefix, sizeof(prefix), "kc-it-%ld-%ld", (long)getpid(), (long)time(NULL));
    kc_strmap_init(&props);
    kc_strmap_set(&props, "bootstrap.servers", bootstrap);

    if (kafka_admin_new(&props, "kc-it-admin", &ka, &err) != KC_OK) {
        fprintf(stderr, "kafka_admin_new: %s\n", err.msg);
        return 1;
    }
    CHECK_RC(kafka_admin_cluster_id(ka, timeout_ms(30000), &cluster_id, &err), KC_OK, &err);
    CHECK(cluster_id != NULL && strlen(cluster_id) > 0);
    printf("cluster id %s\n", cluster_id ? cluster_id : "(none)");
    kc_free(cluster_id);

    kc_strmap_init(&wp);
    cleanup[ncleanup++] = topic_name("configs");
    cleanup[ncleanup++] = topic_name("offsets");
    cleanup[ncleanup++] = topic_name("status");
    kc_strmap_set(&wp, "config.storage.topic", cleanup[0]);
    kc_strmap_set(&wp, "offset.storage.topic", cleanup[1]);
    kc_strmap_set(&wp, "status.storage.topic", cleanup[2]);
    kc_strmap_set(&wp, "config.storage.replication.factor", "1");
    kc_strmap_set(&wp, "offset.storage.replication.factor", "1");
    kc_strmap_set(&wp, "status.storage.replication.factor", "-1");
    kc_strmap_set(&wp, "offset.storage.partitions", "3");
    kc_strmap_set(&wp, "status.storage.partitions", "5");
    kc_strmap_set(&wp, "config.storage.min.insync.replicas", "1");
    kc_strmap_set(&wp, "config.storage.cleanup.policy", "delete"); /* ignored, with a warning */
    test_create_and_verify(ka, &wp);

    cleanup[ncleanup++] = topic_name("defaults");
    test_broker_defaults(ka, cleanup[ncleanup - 1]);
    cleanup[ncleanup++] = topic_name("two-partitions");
    cleanup[ncleanup++] = topic_name("delete-policy");
    test_refuse_to_start(ka, cleanup[ncleanup - 2], cleanup[ncleanup - 1]);
    cleanup[ncleanup++] = topic_name("r-offsets");
    cleanup[ncleanup++] = topic_name("r-status");
    cleanup[ncleanup++] = topic_name("r-configs-unused");

    test_config_topic(cleanup[0]);
    test_config_store_ops(cleanup[0]);
    test_status_topic(cleanup[2]);
    cleanup[ncleanup++] = topic_name("data");
    test_group_offsets(ka, cleanup[ncleanup - 1]);
    cleanup[ncleanup++] = topic_name("txn-configs");
    test_transaction_markers(ka, cleanup[ncleanup - 1]);
    test_jvm_topics();

    if (getenv("KC_TEST_KEEP_TOPICS") == NULL) {
        delete_topics(ka, cleanup, ncleanup);
    }
    for (size_t i = 0; i < ncleanup; i++) {
        kc_free(cleanup[i]);
    }
    kc_strmap_fini(&wp);
    kafka_admin_free(ka);
    kc_strmap_fini(&props);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}
