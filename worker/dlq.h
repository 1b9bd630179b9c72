/*
 * worker/dlq.h: errors.tolerance, the error log, and the dead-letter-queue producer of one sink
 * task (the JVM's RetryWithToleranceOperator + LogReporter + DeadLetterQueueReporter).
 */
#ifndef DLQ_H
#define DLQ_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "kc_strmap.h"

/* Stages as written to __connect.errors.stage (the JVM's Stage enum names). */
enum dlq_stage {
    DLQ_STAGE_KEY_CONVERTER = 0,
    DLQ_STAGE_VALUE_CONVERTER,
    DLQ_STAGE_HEADER_CONVERTER,
    DLQ_STAGE_TRANSFORMATION,
    DLQ_STAGE_TASK_PUT,
};

struct dlq;

/*
 * Parse the errors.* keys of the task config (errors.tolerance, errors.log.enable,
 * errors.log.include.messages, errors.deadletterqueue.topic.name,
 * errors.deadletterqueue.topic.replication.factor, errors.deadletterqueue.context.headers.enable)
 * and, when a DLQ topic is set, create the topic (1 partition, the configured replication
 * factor) if it is missing, through an admin client made from admin_props (the worker's admin.*
 * keys and the connector's admin.override.*, as the JVM; NULL = producer_props), then the
 * producer, and check that the producer can reach the cluster (a SASL or TLS refusal fails
 * now). producer_props, admin_props: librdkafka props, copied.
 * KC_EINVAL for a bad value (message names the key), KC_EIO if the topic cannot be created or
 * the producer is refused.
 * @thread herder or task
 */
int dlq_new(const char *connector, int task_id, const struct kc_strmap *cfg,
            const struct kc_strmap *producer_props, const struct kc_strmap *admin_props,
            struct dlq **out, struct kc_error *err);
void dlq_free(struct dlq *d);

/*
 * Report one failed record: log it (errors.log.enable), send the original key, value, headers
 * and timestamp to the DLQ (with the __connect.errors.* context headers when enabled), then
 * apply the tolerance. orig_msg is the rd_kafka_message_t the record came from (for its
 * headers), or NULL. Returns KC_OK when the record is tolerated (skip it), KC_EFATAL when
 * errors.tolerance=none (fail the task).
 * @thread task
 */
int dlq_report(struct dlq *d, const char *topic, int32_t partition, int64_t offset,
               int64_t timestamp, int ts_type, const void *key, size_t key_len,
               const void *value, size_t value_len, const void *orig_msg, enum dlq_stage stage,
               const char *class_name, const char *exception_class, const char *message);

/* Wait until every DLQ record sent so far is acknowledged. KC_EIO if one failed or the wait
 * timed out: the caller must not commit past those records. @thread task */
int dlq_flush(struct dlq *d, int64_t timeout_ms, struct kc_error *err);

const char *dlq_stage_name(enum dlq_stage s);

/* Count reports and DLQ writes in the task's task-error-metrics (borrowed; NULL = none). */
struct metrics_task;
void dlq_set_metrics(struct dlq *d, struct metrics_task *m);

#endif
