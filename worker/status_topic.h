/*
 * worker/status_topic.h: the status topic (`status.storage.topic`), shared with JVM workers.
 *
 * Like config_topic.h, three layers: the codec (keys and values exactly as the JVM's
 * KafkaStatusBackingStore writes them, connect-compat.md §4.3), struct status_state (the JVM
 * reader's cache of connector, task and topic statuses, with its stale-UNASSIGNED rule), and
 * struct status_topic (a murmur2-partitioning producer so keys land where the JVM puts them, and
 * a group-less consumer of every partition). The record layout is documented in status_topic.c.
 *
 * Threading: a status_state and a status_topic belong to one thread (the herder); the codec is
 * pure.
 */
#ifndef STATUS_TOPIC_H
#define STATUS_TOPIC_H

#include <stddef.h>
#include <stdint.h>

#include "herder.h"
#include "kc_buf.h"
#include "kc_error.h"
#include "kc_strmap.h"

#define STATUS_TOPIC_KEY_CONNECTOR "status-connector-"
#define STATUS_TOPIC_KEY_TASK      "status-task-"
#define STATUS_TOPIC_KEY_TOPIC     "status-topic-"
#define STATUS_TOPIC_KEY_TOPIC_SEP ":connector-"

/* ---- codec ---- */

enum status_record_kind {
    STATUS_RECORD_UNKNOWN = 0,
    STATUS_RECORD_CONNECTOR, /* status-connector-<c> */
    STATUS_RECORD_TASK,      /* status-task-<c>-<n> */
    STATUS_RECORD_TOPIC,     /* status-topic-<topic>:connector-<c> */
};

/* One connector or task status (AbstractStatus). */
struct status_entry {
    enum herder_state state;
    char *trace;     /* owned, NULL = JSON null */
    char *worker_id; /* owned */
    int32_t generation;
    char *version; /* owned, NULL = absent or null (3.x workers do not write it) */
};

/* One topic-tracking record (TopicStatus). */
struct status_topic_entry {
    char *topic;     /* owned: "name" */
    char *connector; /* owned */
    int32_t task;
    int64_t discover_ms; /* "discoverTimestamp" */
};

struct status_record {
    enum status_record_kind kind;
    char *connector;              /* owned: from the key */
    int task;                     /* TASK: from the key */
    char *topic;                  /* owned: TOPIC: from the key */
    int is_null;                  /* tombstone */
    struct status_entry st;       /* CONNECTOR, TASK */
    struct status_topic_entry tp; /* TOPIC */
};

void status_entry_fini(struct status_entry *e);
void status_topic_entry_fini(struct status_topic_entry *e);
void status_record_init(struct status_record *rec);
void status_record_fini(struct status_record *rec);

/* State names: herder_state_name / herder_state_parse (herder.h; exact, like State.valueOf).
 * DESTROYED has a name but is never serialised: it is written as a tombstone. */

/* Owned keys (kc_free); NULL on allocation failure. @thread any */
char *status_topic_key_connector(const char *connector);
char *status_topic_key_task(const char *connector, int task);
char *status_topic_key_topic(const char *topic, const char *connector);

/*
 * Append {"state":..,"trace":..,"worker_id":..,"generation":..,"version":..} in that order;
 * trace and version NULL -> JSON null (4.1 writes "version" always, null when unknown).
 * KC_OK / KC_ENOMEM. @thread any
 */
int status_topic_value_status(struct kc_buf *b, enum herder_state state, const char *trace,
                              const char *worker_id, int32_t generation, const char *version);
/* Append {"topic":{"name":..,"connector":..,"task":..,"discoverTimestamp":..}}. */
int status_topic_value_topic(struct kc_buf *b, const char *topic, const char *connector,
                             int32_t task, int64_t discover_ms);

/*
 * Decode a record with the JVM's key rules: connector = suffix after status-connector-; task key
 * split on '-' (Java split), >= 4 parts, last = task number, connector = parts 2..len-2 joined;
 * topic key = text between status-topic- and the first ':' is the topic, text from
 * ':' + strlen(":connector-") on is the connector. value NULL = tombstone.
 * @return KC_OK; KC_EINVAL (bad key or value; err says why; the record is to be ignored);
 *         KC_ENOMEM. @thread any
 */
int status_topic_decode(const char *key, size_t klen, const void *value, size_t vlen,
                        struct status_record *rec, struct kc_error *err);

/* ---- reader state ---- */

struct status_state;

struct status_state *status_state_new(void);
void status_state_free(struct status_state *ss);

/*
 * Apply one record (KafkaStatusBackingStore.read): tombstones remove the connector's status and
 * all its task statuses (connector key), one task status (task key) or one topic entry (topic
 * key); a task UNASSIGNED record is ignored while the cached status is RUNNING with a
 * generation >= the record's. Bad records are logged and ignored.
 * @return KC_OK or KC_ENOMEM. @thread herder
 */
int status_state_apply(struct status_state *ss, const char *key, size_t klen, const void *value,
                       size_t vlen);

/* Borrowed until the next apply or free; NULL if unknown. */
const struct status_entry *status_state_connector(const struct status_state *ss,
                                                  const char *connector);
const struct status_entry *status_state_task(const struct status_state *ss, const char *connector,
                                             int task);
/*
 * Task ids with a status for the connector, ascending. *ids is owned (kc_free). KC_OK/KC_ENOMEM.
 */
int status_state_task_ids(const struct status_state *ss, const char *connector, int **ids,
                          size_t *n);
/* Connectors with a connector status (JVM connectors()), sorted; owned array of borrowed names. */
int status_state_connectors(const struct status_state *ss, const char ***names, size_t *n);
/* Topic entries of a connector in arrival order: *out is an owned array of borrowed pointers. */
int status_state_topics(const struct status_state *ss, const char *connector,
                        const struct status_topic_entry ***out, size_t *n);
const struct status_topic_entry *status_state_topic(const struct status_state *ss,
                                                    const char *connector, const char *topic);

/*
 * The JVM's CacheEntry.canWriteSafely, for FAILED/UNASSIGNED "safe" writes: 1 if there is no
 * cached status, or it was written by worker_id, or its generation <= generation.
 * task < 0 asks about the connector itself. @thread herder
 */
int status_state_can_write_safely(const struct status_state *ss, const char *connector, int task,
                                  const char *worker_id, int32_t generation);

/* ---- Kafka I/O ---- */

struct status_topic;

/*
 * Producer (partitioner=murmur2_random: the Java partitioner for non-null keys,
 * enable.idempotence=false, acks=all) and a consumer of every partition of `topic` from the
 * beginning, without a group. props are librdkafka properties (borrowed). client_id may be NULL.
 * The partition count is looked up from metadata, so the topic must exist.
 * @return KC_OK, KC_EINVAL (bad property), KC_EIO (topic metadata unavailable), KC_ENOMEM.
 * @thread herder
 */
int status_topic_new(const struct kc_strmap *props, const char *topic, const char *client_id,
                     int timeout_ms, struct status_topic **out, struct kc_error *err);
/* Flushes (up to 5 s) and closes. NULL ok. */
void status_topic_free(struct status_topic *sts);

int32_t status_topic_partitions(const struct status_topic *sts);

/*
 * Queue one record (async). value NULL = tombstone. Delivery failures are logged through kc_log
 * and counted (status_topic_failures); the JVM re-sends retriable failures itself, we leave
 * retrying to librdkafka within message.timeout.ms.
 * @return KC_OK, KC_RETRY (local queue full: flush and try again), KC_EIO, KC_ENOMEM.
 */
int status_topic_send(struct status_topic *sts, const char *key, const void *value, size_t vlen,
                      struct kc_error *err);

/*
 * Write a connector (task < 0) or task status. state DESTROYED writes a tombstone. With
 * safe != 0 the write is skipped (KC_OK) when status_state_can_write_safely() says no; ss may
 * be NULL when safe == 0.
 */
int status_topic_put(struct status_topic *sts, const struct status_state *ss, const char *connector,
                     int task, enum herder_state state, const char *trace, const char *worker_id,
                     int32_t generation, const char *version, int safe, struct kc_error *err);
/* Topic tracking record, and its deletion (tombstone). */
int status_topic_put_topic(struct status_topic *sts, const char *topic, const char *connector,
                           int32_t task, int64_t discover_ms, struct kc_error *err);
int status_topic_delete_topic(struct status_topic *sts, const char *topic, const char *connector,
                              struct kc_error *err);

/* Wait until every queued record is delivered (or failed). KC_OK, KC_RETRY on timeout. */
int status_topic_flush(struct status_topic *sts, int timeout_ms, struct kc_error *err);
/* Number of records whose delivery failed since creation. */
uint64_t status_topic_failures(const struct status_topic *sts);

/* Read every partition to its high watermark, applying into ss. KC_OK, KC_RETRY on timeout. */
int status_topic_read_to_end(struct status_topic *sts, struct status_state *ss, int timeout_ms,
                             struct kc_error *err);
/* Apply what arrives within timeout_ms; number applied or a negative kc_rc. */
int status_topic_poll(struct status_topic *sts, struct status_state *ss, int timeout_ms);

#endif
