/*
 * worker/kafka_admin.h: admin operations the worker needs from Kafka, over librdkafka 2.0.2:
 * creating and verifying the three internal topics the way the JVM's TopicAdmin and backing
 * stores do (connect-compat.md §4.5), the cluster id, and the consumer-group offset calls behind
 * the KIP-875 REST offsets API. Also the shared client setup (properties -> rd_kafka_conf_t,
 * librdkafka logs -> kc_log) used by config_topic.c and status_topic.c.
 *
 * Threading: a kafka_admin is used by one thread at a time (the main thread while the herder
 * starts, then the herder's jobs thread alone: the herder itself never waits on an admin call);
 * every call blocks up to its timeout on a private result queue.
 */
#ifndef KAFKA_ADMIN_H
#define KAFKA_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "kc_error.h"
#include "kc_strmap.h"

/*
 * Build a librdkafka configuration: every entry of props (borrowed; NULL values skipped), then
 * client.id if client_id != NULL, then log_cb -> kc_log (facility "kafka"). Returns an owned conf
 * (rd_kafka_conf_destroy, or hand it to rd_kafka_new) or NULL with KC_EINVAL naming the property
 * librdkafka rejected. @thread any
 */
rd_kafka_conf_t *kafka_admin_conf_new(const struct kc_strmap *props, const char *client_id,
                                      struct kc_error *err);
/* Set one property on conf; KC_OK or KC_EINVAL with librdkafka's message. */
int kafka_admin_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                         struct kc_error *err);

/* Map a librdkafka error to our codes: transient ones (timeouts, transport, leader moves) ->
 * KC_RETRY, everything else -> KC_EIO. */
int kafka_admin_rc(rd_kafka_resp_err_t e);

struct kafka_admin;

/* An admin client (a librdkafka producer handle used only for admin calls). props borrowed. */
int kafka_admin_new(const struct kc_strmap *props, const char *client_id, struct kafka_admin **out,
                    struct kc_error *err);
void kafka_admin_free(struct kafka_admin *ka);
/* Borrowed handle, for callers that need metadata calls. */
rd_kafka_t *kafka_admin_handle(struct kafka_admin *ka);

/* ---- internal topics ---- */

/* One internal topic as the worker properties describe it. */
struct kafka_admin_topic_spec {
    const char *name;                /* borrowed: the topic */
    int partitions;                  /* -1 = broker default */
    int replication_factor;          /* -1 = broker default */
    const struct kc_strmap *configs; /* borrowed extra topic configs; may be NULL */
    const char *config_key;          /* "config.storage.topic" etc., for messages */
    const char *purpose;             /* "connector configurations" etc., for messages */
    int single_partition;            /* 1 for the config topic: more than one partition is fatal */
};

/*
 * The extra topic configs of one internal topic (DistributedConfig.topicSettings): every worker
 * property "<prefix>.<cfg>" with the prefix stripped, minus partitions, replication.factor,
 * topic and cleanup.policy (a user cleanup.policy is dropped with a warning: compaction is
 * always used). prefix is "config.storage", "offset.storage" or "status.storage".
 * out must be initialised; entries are appended. KC_OK / KC_ENOMEM. @thread any
 */
int kafka_admin_topic_settings(const struct kc_strmap *worker_props, const char *prefix,
                               struct kc_strmap *out);

/*
 * The cleanup-policy verdict of TopicAdmin.verifyTopicCleanupPolicyOnlyCompact for a described
 * policy string: KC_OK if it is exactly {compact} (split on ',', trimmed, lower-cased, as a set),
 * KC_EINVAL with the JVM's ConfigException text otherwise, KC_ENOENT if policy is NULL or empty
 * (the JVM then only logs that it could not verify). @thread any
 */
int kafka_admin_compact_check(const struct kafka_admin_topic_spec *spec, const char *policy,
                              struct kc_error *err);

/*
 * Create the topic if missing (CreateTopics with cleanup.policy=compact plus spec->configs),
 * retrying transient failures (timeouts, not enough brokers yet) until timeout_ms, as
 * TopicAdmin.createTopicsWithRetry does. If it existed, verify cleanup.policy is exactly
 * "compact" (DescribeConfigs; skipped with an INFO log when it cannot be described). For the
 * config topic also verify it has exactly one partition. *created (may be NULL) tells which.
 * @return KC_OK; KC_EINVAL with the JVM's ConfigException text when verification fails;
 *         KC_EIO with the JVM-like "Unable to create topic(s) ..."/"Error while attempting to
 *         create/find topic(s) ..." text; KC_RETRY when timeout_ms expired.
 * @thread herder
 */
int kafka_admin_topic_ensure(struct kafka_admin *ka, const struct kafka_admin_topic_spec *spec,
                             int timeout_ms, int *created, struct kc_error *err);

/*
 * All three internal topics from worker properties (borrowed): config.storage.topic,
 * offset.storage.topic, status.storage.topic (required), *.replication.factor (default 3),
 * offset.storage.partitions (25), status.storage.partitions (5), extras per
 * kafka_admin_topic_settings. Same order as the JVM's startup: offsets, status, config.
 * timeout_ms applies per topic (the JVM's default.api.timeout.ms, 60000).
 * @return as kafka_admin_topic_ensure; KC_EINVAL also for a missing/invalid property.
 */
int kafka_admin_internal_topics_ensure(struct kafka_admin *ka, const struct kc_strmap *worker_props,
                                       int timeout_ms, struct kc_error *err);

/* Partition count of an existing topic; KC_ENOENT if it does not exist. */
int kafka_admin_topic_partitions(struct kafka_admin *ka, const char *topic, int timeout_ms,
                                 int *n_partitions, struct kc_error *err);

/* The topic's cleanup.policy as the broker reports it (owned string, kc_free), or NULL with
 * KC_ENOENT when the topic or the config cannot be described. */
int kafka_admin_topic_cleanup_policy(struct kafka_admin *ka, const char *topic, int timeout_ms,
                                     char **policy, struct kc_error *err);

/* Kafka cluster id (owned string, kc_free). KC_RETRY if not known within timeout_ms. */
int kafka_admin_cluster_id(struct kafka_admin *ka, int timeout_ms, char **cluster_id,
                           struct kc_error *err);

/* ---- consumer group offsets (REST /connectors/{c}/offsets for sinks) ---- */

struct kafka_admin_offset {
    char *topic; /* owned */
    int32_t partition;
    int64_t offset; /* committed offset (next to read) */
};

struct kafka_admin_offsets {
    struct kafka_admin_offset *o; /* owned array */
    size_t n;
};

void kafka_admin_offsets_fini(struct kafka_admin_offsets *os);
/* Append one entry (topic copied). KC_OK / KC_ENOMEM. */
int kafka_admin_offsets_add(struct kafka_admin_offsets *os, const char *topic, int32_t partition,
                            int64_t offset);

/* Committed offsets of every partition of group (ListConsumerGroupOffsets, all partitions).
 * An unknown group yields an empty list. out must be zeroed; filled sorted by topic,
 * partition. */
int kafka_admin_group_offsets_list(struct kafka_admin *ka, const char *group, int timeout_ms,
                                   struct kafka_admin_offsets *out, struct kc_error *err);
/* AlterConsumerGroupOffsets (empty metadata). The broker refuses while the group has members:
 * KC_RETRY with its message then. */
int kafka_admin_group_offsets_alter(struct kafka_admin *ka, const char *group,
                                    const struct kafka_admin_offsets *os, int timeout_ms,
                                    struct kc_error *err);
/* DeleteConsumerGroupOffsets for the listed partitions (offset fields ignored). */
int kafka_admin_group_offsets_delete(struct kafka_admin *ka, const char *group,
                                     const struct kafka_admin_offsets *os, int timeout_ms,
                                     struct kc_error *err);
/* DeleteGroups: what the JVM does to reset a sink connector's offsets. An unknown group is
 * KC_OK. */
int kafka_admin_group_delete(struct kafka_admin *ka, const char *group, int timeout_ms,
                             struct kc_error *err);
/* DescribeConsumerGroups: *active = 1 if the group has members (any state but Empty/Dead). */
int kafka_admin_group_active(struct kafka_admin *ka, const char *group, int timeout_ms, int *active,
                             struct kc_error *err);

#endif
