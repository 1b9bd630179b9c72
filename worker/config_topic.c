/*
 * worker/config_topic.c: config topic I/O. Writes are synchronous (the JVM's leader waits for
 * each send before reading back), reads feed a struct config_state in offset order. The record
 * layout lives in config_topic_codec.c, the reader's rules in config_topic_state.c.
 *
 * The config topic has exactly one partition (checked at startup by kafka_admin), so the
 * consumer reads partition 0 only and the config offset is that partition's position.
 */
#include "config_topic.h"

#include "kafka_log.h"
#include "kc_alloc.h"
#include "kc_log.h"

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
