/*
 * worker/config_topic.c: config topic I/O. Writes are synchronous (the JVM's leader waits for
 * each send before reading back), reads feed a struct config_state in offset order. The record
 * layout lives in config_topic_codec.c, the reader's rules in config_topic_state.c.
 *
 * The config topic has exactly one partition (checked at startup by kafka_admin), so the
 * consumer reads partition 0 only and the config offset is that partition's position.
 */
#include "config_topic.h"

#include <string.h>

#include "kafka_log.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h"

#define CONFIG_VALUE_MAX (64u * 1024u * 1024u)

struct config_topic {
    struct kafka_log *kl; /* owned */
};

int config_topic_new(const struct kc_strmap *props, const char *topic, const char *client_id,
                     struct config_topic **out, struct kc_error *err)
{
    struct config_topic *ct = kc_calloc(1, sizeof(*ct));
    int rc;

    *out = NULL;
    if (ct == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    rc = kafka_log_new(props, topic, client_id, NULL, 30000, &ct->kl, err);
    if (rc != KC_OK) {
        kc_free(ct);
        return rc;
    }
    if (kafka_log_partitions(ct->kl) != 1) {
        kc_log(KC_LOG_WARN, "config", "Config topic %s has %d partitions; only partition 0 is read",
               topic, (int)kafka_log_partitions(ct->kl));
    }
    *out = ct;
    return KC_OK;
}

void config_topic_free(struct config_topic *ct)
{
    if (ct != NULL) {
        kafka_log_free(ct->kl);
        kc_free(ct);
    }
}

int config_topic_write(struct config_topic *ct, const char *key, const void *value, size_t vlen,
                       struct kc_error *err)
{
    return kafka_log_write(ct->kl, key, value, vlen, err);
}

static int apply_cb(void *opaque, const rd_kafka_message_t *m)
{
    struct config_state *cs = opaque;
    if (m->key == NULL) {
        kc_log(KC_LOG_ERROR, "config",
               "Discarding config update record with null key at offset %lld",
               (long long)m->offset);
        return KC_OK;
    }
    return config_state_apply(cs, m->key, m->key_len, m->payload, m->len, m->offset);
}

int config_topic_read_to_end(struct config_topic *ct, struct config_state *cs, int timeout_ms,
                             struct kc_error *err)
{
    return kafka_log_read_to_end(ct->kl, apply_cb, cs, timeout_ms, err);
}

int config_topic_poll(struct config_topic *ct, struct config_state *cs, int timeout_ms)
{
    return kafka_log_poll(ct->kl, apply_cb, cs, timeout_ms);
}

int64_t config_topic_position(const struct config_topic *ct)
{
    return kafka_log_position(ct->kl, 0);
}

/* ---- KafkaConfigBackingStore write operations ---- */

/* Wrap a failure the way the JVM does: "<what>: <cause>". Returns the cause's code. */
static int wrap(struct kc_error *err, const char *what)
{
    char cause[KC_ERROR_MSG_MAX];
    int rc;

    if (err == NULL) {
        return KC_EIO;
    }
    rc = err->rc != KC_OK ? (int)err->rc : KC_EIO;
    memcpy(cause, err->msg, sizeof(cause));
    kc_log(KC_LOG_ERROR, "config", "%s: %s", what, cause);
    return kc_error_set(err, rc, "%s: %s", what, cause);
}

static int read_back(struct config_topic *ct, struct config_state *cs, int64_t deadline,
                     struct kc_error *err)
{
    int64_t left = deadline - kc_now_ms();
    return config_topic_read_to_end(ct, cs, left > 0 ? (int)left : 1, err);
}

int config_topic_put_connector(struct config_topic *ct, struct config_state *cs, const char *name,
                               const struct kc_strmap *config,
                               const enum herder_target_state *initial, struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + CONFIG_TOPIC_RW_TIMEOUT_MS;
    struct kafka_log_record recs[2];
    struct kc_buf ts;
    struct kc_buf cv;
    char *ts_key = config_topic_key(CONFIG_RECORD_TARGET_STATE, name, 0);
    char *c_key = config_topic_key(CONFIG_RECORD_CONNECTOR, name, 0);
    size_t n = 0;
    int rc;

    kc_buf_init(&ts, 1024);
    kc_buf_init(&cv, CONFIG_VALUE_MAX);
    if (ts_key == NULL || c_key == NULL ||
        (initial != NULL && config_topic_value_target_state(&ts, *initial) != KC_OK) ||
        config_topic_value_properties(&cv, config) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    if (initial != NULL) {
        recs[n++] = (struct kafka_log_record){ts_key, ts.data, ts.len};
    }
    recs[n++] = (struct kafka_log_record){c_key, cv.data, cv.len};
    rc = kafka_log_write_many(ct->kl, recs, n, err);
    if (rc == KC_OK) {
        rc = read_back(ct, cs, deadline, err);
    }
    if (rc != KC_OK) {
        rc = wrap(err, "Error writing connector configuration to Kafka");
    }
out:
    kc_free(ts_key);
    kc_free(c_key);
    kc_buf_fini(&ts);
    kc_buf_fini(&cv);
    return rc;
}

int config_topic_remove_connector(struct config_topic *ct, struct config_state *cs,
                                  const char *name, struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + CONFIG_TOPIC_RW_TIMEOUT_MS;
    char *c_key = config_topic_key(CONFIG_RECORD_CONNECTOR, name, 0);
    char *ts_key = config_topic_key(CONFIG_RECORD_TARGET_STATE, name, 0);
    int rc;

    if (c_key == NULL || ts_key == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else {
        struct kafka_log_record recs[2] = {{c_key, NULL, 0}, {ts_key, NULL, 0}};
        rc = kafka_log_write_many(ct->kl, recs, 2, err);
        if (rc == KC_OK) {
            rc = read_back(ct, cs, deadline, err);
        }
        if (rc != KC_OK) {
            rc = wrap(err, "Error removing connector configuration from Kafka");
        }
    }
    kc_free(c_key);
    kc_free(ts_key);
    return rc;
}

int config_topic_put_task_configs(struct config_topic *ct, struct config_state *cs,
                                  const char *name, const struct kc_strmap *tasks, size_t n,
                                  struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + CONFIG_TOPIC_RW_TIMEOUT_MS;
    struct kafka_log_record *recs = NULL;
    struct kc_buf *vals = NULL;
    char *commit_key = NULL;
    struct kc_buf commit;
    size_t made = 0;
    int rc;

    kc_buf_init(&commit, 64);
    /* We should be the only writer, but apply anything still lagging first. */
    rc = read_back(ct, cs, deadline, err);
    if (rc != KC_OK) {
        rc = wrap(err, "Error writing root configuration to Kafka");
        goto out;
    }
    recs = kc_calloc(n > 0 ? n : 1, sizeof(*recs));
    vals = kc_calloc(n > 0 ? n : 1, sizeof(*vals));
    commit_key = config_topic_key(CONFIG_RECORD_COMMIT, name, 0);
    if (recs == NULL || vals == NULL || commit_key == NULL ||
        config_topic_value_commit(&commit, (int)n) != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    for (; made < n; made++) {
        kc_buf_init(&vals[made], CONFIG_VALUE_MAX);
        recs[made].key = config_topic_key(CONFIG_RECORD_TASK, name, (int)made);
        if (recs[made].key == NULL ||
            config_topic_value_properties(&vals[made], &tasks[made]) != KC_OK) {
            made++;
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
        recs[made].value = vals[made].data;
        recs[made].vlen = vals[made].len;
    }
    if (n > 0) {
        rc = kafka_log_write_many(ct->kl, recs, n, err);
        if (rc != KC_OK) {
            rc = wrap(err, "Error writing task configurations to Kafka");
            goto out;
        }
        rc = read_back(ct, cs, deadline, err);
    }
    if (rc == KC_OK) {
        rc = kafka_log_write(ct->kl, commit_key, commit.data, commit.len, err);
    }
    if (rc == KC_OK) {
        rc = read_back(ct, cs, deadline, err);
    }
    if (rc != KC_OK) {
        rc = wrap(err, "Error writing root configuration to Kafka");
    }
out:
    for (size_t i = 0; i < made; i++) {
        kc_free((char *)recs[i].key);
        kc_buf_fini(&vals[i]);
    }
    kc_free(recs);
    kc_free(vals);
    kc_free(commit_key);
    kc_buf_fini(&commit);
    return rc;
}

/* One record, delivery only, with the JVM's failure text. */
static int put_one(struct config_topic *ct, char *key, struct kc_buf *value, const char *what,
                   struct kc_error *err)
{
    int rc;

    if (key == NULL || value->data == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else {
        rc = kafka_log_write(ct->kl, key, value->data, value->len, err);
        if (rc != KC_OK) {
            rc = wrap(err, what);
        }
    }
    kc_free(key);
    kc_buf_fini(value);
    return rc;
}

int config_topic_put_target_state(struct config_topic *ct, const char *name,
                                  enum herder_target_state ts, struct kc_error *err)
{
    struct kc_buf v;
    kc_buf_init(&v, 1024);
    config_topic_value_target_state(&v, ts);
    return put_one(ct, config_topic_key(CONFIG_RECORD_TARGET_STATE, name, 0), &v,
                   "Error writing target state to Kafka", err);
}

int config_topic_put_logger_level(struct config_topic *ct, const char *ns, const char *level,
                                  struct kc_error *err)
{
    struct kc_buf v;
    kc_buf_init(&v, 4096);
    config_topic_value_logger_level(&v, level);
    return put_one(ct, config_topic_key(CONFIG_RECORD_LOGGER_CLUSTER, ns, 0), &v,
                   "Error writing logger level to Kafka", err);
}

int config_topic_put_restart(struct config_topic *ct, struct config_state *cs, const char *name,
                             int include_tasks, int only_failed, struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + CONFIG_TOPIC_RW_TIMEOUT_MS;
    struct kc_buf v;
    int rc;

    kc_buf_init(&v, 1024);
    config_topic_value_restart(&v, include_tasks, only_failed);
    rc = put_one(ct, config_topic_key(CONFIG_RECORD_RESTART, name, 0), &v,
                 "Error writing restart request to Kafka", err);
    if (rc == KC_OK && read_back(ct, cs, deadline, err) != KC_OK) {
        rc = wrap(err, "Error writing restart request to Kafka");
    }
    return rc;
}

int config_topic_put_session_key(struct config_topic *ct, struct config_state *cs,
                                 const uint8_t *key, size_t key_len, const char *algorithm,
                                 int64_t created_ms, struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + CONFIG_TOPIC_RW_TIMEOUT_MS;
    struct kc_buf v;
    int rc;

    kc_buf_init(&v, 64 * 1024);
    config_topic_value_session_key(&v, key, key_len, algorithm, created_ms);
    rc = put_one(ct, config_topic_key(CONFIG_RECORD_SESSION_KEY, NULL, 0), &v,
                 "Error writing session key to Kafka", err);
    if (rc == KC_OK && read_back(ct, cs, deadline, err) != KC_OK) {
        rc = wrap(err, "Error writing session key to Kafka");
    }
    return rc;
}
