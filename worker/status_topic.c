/*
 * worker/status_topic.c: status topic I/O. Sends are asynchronous (the JVM's store fires and
 * forgets, flushing before a rebalance completes); reads feed a struct status_state. The record
 * layout and the reader's rules live in status_topic_codec.c.
 *
 * Partitioning matters here: the topic has several partitions and is compacted, so a key must
 * always land in the partition a JVM worker would choose, or two live copies survive
 * compaction. kafka_log sets partitioner=murmur2_random, librdkafka's Java-compatible
 * partitioner for non-null keys (verified against murmur2.c in the integration test).
 */
#include "status_topic.h"

#include "kafka_log.h"
#include "kc_alloc.h"
#include "kc_log.h"

#define STATUS_VALUE_MAX (4u * 1024u * 1024u)

struct status_topic {
    struct kafka_log *kl; /* owned */
};

int status_topic_new(const struct kc_strmap *props, const char *topic, const char *client_id,
                     int timeout_ms, struct status_topic **out, struct kc_error *err)
{
    struct status_topic *sts = kc_calloc(1, sizeof(*sts));
    struct kc_strmap extra;
    int rc;

    *out = NULL;
    if (sts == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* The JVM's store sets retries=0 and re-sends itself; keeping librdkafka's retries instead,
     * one request in flight keeps the order of writes to one key. */
    kc_strmap_init(&extra);
    if (kc_strmap_set(&extra, "max.in.flight.requests.per.connection", "1") != KC_OK) {
        kc_free(sts);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    rc = kafka_log_new(props, topic, client_id, &extra, timeout_ms, &sts->kl, err);
    kc_strmap_fini(&extra);
    if (rc != KC_OK) {
        kc_free(sts);
        return rc;
    }
    *out = sts;
    return KC_OK;
}

void status_topic_free(struct status_topic *sts)
{
    if (sts != NULL) {
        kafka_log_free(sts->kl);
        kc_free(sts);
    }
}

int32_t status_topic_partitions(const struct status_topic *sts)
{
    return kafka_log_partitions(sts->kl);
}

uint64_t status_topic_failures(const struct status_topic *sts)
{
    return kafka_log_failures(sts->kl);
}

int status_topic_send(struct status_topic *sts, const char *key, const void *value, size_t vlen,
                      struct kc_error *err)
{
    return kafka_log_send(sts->kl, key, value, vlen, err);
}

int status_topic_put(struct status_topic *sts, const struct status_state *ss, const char *connector,
                     int task, enum herder_state state, const char *trace, const char *worker_id,
                     int32_t generation, const char *version, int safe, struct kc_error *err)
{
    char *key = NULL;
    struct kc_buf value;
    int rc;

    kc_buf_init(&value, STATUS_VALUE_MAX);
    if (safe && ss != NULL &&
        !status_state_can_write_safely(ss, connector, task, worker_id, generation)) {
        kc_log(KC_LOG_DEBUG, "status",
               "Skipping %s write for %s%s%d: newer status by another worker",
               herder_state_name(state), connector, task < 0 ? "" : "-", task < 0 ? 0 : task);
        rc = KC_OK;
        goto out;
    }
    key = task < 0 ? status_topic_key_connector(connector) : status_topic_key_task(connector, task);
    if (key == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    if (state == HERDER_STATE_DESTROYED) {
        rc = status_topic_send(sts, key, NULL, 0, err);
        goto out;
    }
    if (status_topic_value_status(&value, state, trace, worker_id, generation, version) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "status value too large or out of memory");
        goto out;
    }
    rc = status_topic_send(sts, key, value.data, value.len, err);
out:
    kc_free(key);
    kc_buf_fini(&value);
    return rc;
}

int status_topic_put_topic(struct status_topic *sts, const char *topic, const char *connector,
                           int32_t task, int64_t discover_ms, struct kc_error *err)
{
    char *key = status_topic_key_topic(topic, connector);
    struct kc_buf value;
    int rc;

    kc_buf_init(&value, STATUS_VALUE_MAX);
    if (key == NULL ||
        status_topic_value_topic(&value, topic, connector, task, discover_ms) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else {
        rc = status_topic_send(sts, key, value.data, value.len, err);
    }
    kc_free(key);
    kc_buf_fini(&value);
    return rc;
}

int status_topic_delete_topic(struct status_topic *sts, const char *topic, const char *connector,
                              struct kc_error *err)
{
    char *key = status_topic_key_topic(topic, connector);
    int rc;

    if (key == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    rc = status_topic_send(sts, key, NULL, 0, err);
    kc_free(key);
    return rc;
}

int status_topic_flush(struct status_topic *sts, int timeout_ms, struct kc_error *err)
{
    return kafka_log_flush(sts->kl, timeout_ms, err);
}

static int apply_cb(void *opaque, const rd_kafka_message_t *m)
{
    struct status_state *ss = opaque;
    if (m->key == NULL) {
        kc_log(KC_LOG_WARN, "status", "Discarding status record with null key");
        return KC_OK;
    }
    return status_state_apply(ss, m->key, m->key_len, m->payload, m->len);
}

int status_topic_read_to_end(struct status_topic *sts, struct status_state *ss, int timeout_ms,
                             struct kc_error *err)
{
    return kafka_log_read_to_end(sts->kl, apply_cb, ss, timeout_ms, err);
}

int status_topic_poll(struct status_topic *sts, struct status_state *ss, int timeout_ms)
{
    return kafka_log_poll(sts->kl, apply_cb, ss, timeout_ms);
}
