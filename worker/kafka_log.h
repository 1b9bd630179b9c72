/*
 * worker/kafka_log.h: a port of the JVM's KafkaBasedLog, the shape every internal topic store
 * uses: a producer, and a consumer that reads every partition of one topic from the beginning
 * without a consumer group (no offsets are ever committed), can read to the end (position >=
 * high watermark on every partition) and then tails. config_topic.c and status_topic.c are thin
 * layers over it.
 *
 * Threading: one owner thread; librdkafka's own threads only run the delivery callback through
 * rd_kafka_poll, which we call from the owner.
 */
#ifndef KAFKA_LOG_H
#define KAFKA_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "kc_error.h"
#include "kc_strmap.h"

struct kafka_log;

/* Called for every consumed record, in offset order per partition. Return KC_OK to go on, or a
 * negative kc_rc to stop (returned by the read call). */
typedef int (*kafka_log_apply_fn)(void *opaque, const rd_kafka_message_t *msg);

/*
 * props: librdkafka properties (borrowed), applied to both clients; then the producer gets
 * enable.idempotence=false, partitioner=murmur2_random (Java's partitioner for non-null keys) and
 * allow.auto.create.topics=false always, and acks=all and message.timeout.ms=30000 unless props
 * set them; then producer_extra
 * (borrowed, may be NULL) is applied to the producer only. The consumer gets
 * enable.auto.commit=false and no group. The topic must exist: its partition count is read from
 * metadata within timeout_ms.
 * @return KC_OK, KC_EINVAL (bad property), KC_ENOENT (no such topic), KC_RETRY (metadata timed
 *         out), KC_ENOMEM.
 */
int kafka_log_new(const struct kc_strmap *props, const char *topic, const char *client_id,
                  const struct kc_strmap *producer_extra, int timeout_ms, struct kafka_log **out,
                  struct kc_error *err);
/* Flush pending sends (up to 5 s), stop consuming, destroy both clients. NULL ok. */
void kafka_log_free(struct kafka_log *kl);

const char *kafka_log_topic(const struct kafka_log *kl);
int32_t kafka_log_partitions(const struct kafka_log *kl);

/* Queue a record (async). value NULL = tombstone. KC_RETRY when the local queue is full. */
int kafka_log_send(struct kafka_log *kl, const char *key, const void *value, size_t vlen,
                   struct kc_error *err);
/* Produce and wait for the delivery report. KC_EIO with the error if delivery failed. */
int kafka_log_write(struct kafka_log *kl, const char *key, const void *value, size_t vlen,
                    struct kc_error *err);
/* One record of a batch: key NUL-terminated, value NULL = tombstone. Borrowed. */
struct kafka_log_record {
    const char *key;
    const void *value;
    size_t vlen;
};
/* Produce n records in order, then wait for every delivery report (the JVM's sendPrivileged
 * with a list: "sent together"). KC_EIO with the first failure. */
int kafka_log_write_many(struct kafka_log *kl, const struct kafka_log_record *recs, size_t n,
                         struct kc_error *err);
/* Wait for every queued record. KC_RETRY on timeout. */
int kafka_log_flush(struct kafka_log *kl, int timeout_ms, struct kc_error *err);
/* Records whose delivery failed (logged as they happen). */
uint64_t kafka_log_failures(const struct kafka_log *kl);

/* Consume until every partition's position reaches the high watermark read at the start.
 * KC_OK, KC_RETRY on timeout, KC_EIO when the watermarks cannot be read, or fn's error. */
int kafka_log_read_to_end(struct kafka_log *kl, kafka_log_apply_fn fn, void *opaque, int timeout_ms,
                          struct kc_error *err);
/* Consume what arrives within timeout_ms; number of records applied or a negative kc_rc. */
int kafka_log_poll(struct kafka_log *kl, kafka_log_apply_fn fn, void *opaque, int timeout_ms);
/* Next offset to read from partition p, or -1 before anything was read from it. */
int64_t kafka_log_position(const struct kafka_log *kl, int32_t p);

#endif
