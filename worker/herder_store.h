/*
 * worker/herder_store.h: the herder's view of the internal topics, as one adapter over
 * config_topic.c and status_topic.c. Every write goes to Kafka first and is applied to the local
 * view only when it is read back (as the JVM's KafkaConfigBackingStore does), so what REST shows
 * is what any worker on these topics would see. Herder thread only.
 */
#ifndef HERDER_STORE_H
#define HERDER_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "herder.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct herder_store;
struct kafka_admin;
struct worker_config;

/* Create/verify the three topics, open the clients, read config and status topics to their
 * end. KC_EFATAL with the JVM-like message when the worker must not start. */
int herder_store_open(const struct worker_config *wc, const char *worker_id,
                      struct herder_store **out, struct kc_error *err);
void herder_store_free(struct herder_store *s);
const char *herder_store_cluster_id(const struct herder_store *s);
/* The admin client (borrowed), for consumer-group offsets. */
struct kafka_admin *herder_store_admin(struct herder_store *s);
/* Tail both topics for up to timeout_ms; *config_changed = 1 if the config view changed. */
int herder_store_poll(struct herder_store *s, int timeout_ms, int *config_changed);
/* Whether the config state changed since the last herder_store_poll() (a write of our own
 * read back, e.g. task configs): the herder acts on it without waiting for its next tick. */
int herder_store_config_unseen(const struct herder_store *s);
/* Apply restart requests read after start-up: calls fn for each, then forgets them. */
void herder_store_drain_restarts(struct herder_store *s,
                                 void (*fn)(void *opaque, const char *name, int include_tasks,
                                            int only_failed),
                                 void *opaque);

/* ---- config view (borrowed results, valid until the next poll or write) ---- */
/* Sorted connector names; owned array of owned strings. */
int herder_store_connectors(struct herder_store *s, char ***names, size_t *n);
const struct kc_strmap *herder_store_config(struct herder_store *s, const char *name);
enum herder_target_state herder_store_target(struct herder_store *s, const char *name);
/* Task count of the committed task configs (0 while inconsistent). */
int herder_store_task_count(struct herder_store *s, const char *name);
const struct kc_strmap *herder_store_task_config(struct herder_store *s, const char *name, int id);
/* Changes whenever a new set of task configs is committed for this connector. */
int64_t herder_store_task_generation(struct herder_store *s, const char *name);

/*
 * ---- config writes: each is written, then the topic is read to its end ----
 *
 * These block the herder thread on purpose, and they are the only network waits left on it
 * (status and topic writes below are fire-and-forget; admin calls run on the jobs thread). Each
 * waits for the produce ack (bounded by the producer's message.timeout.ms, 30 s) and then reads
 * the topic back to its end (bounded by CONFIG_TOPIC_RW_TIMEOUT_MS, 30 s, shared with the ack
 * for the multi-record writes). The JVM does the same: DistributedHerder calls
 * KafkaConfigBackingStore.putConnectorConfig / putTaskConfigs / putTargetState on its own thread,
 * which send and get() the write (READ_WRITE_TOTAL_TIMEOUT_MS, 30 s) and then readToEnd() before
 * returning, and the REST write answers only after that. The herder is the single writer of the
 * config view, so the next op must see this write applied: answering first and reading back
 * later would let a GET right after a 201 miss the connector, which the JVM never does. Only an
 * unreachable or slow broker makes them slow, and then REST answers "Request timed out" exactly
 * where the JVM's would.
 */
int herder_store_put_connector(struct herder_store *s, const char *name,
                               const struct kc_strmap *cfg,
                               const enum herder_target_state *initial, struct kc_error *err);
int herder_store_delete_connector(struct herder_store *s, const char *name, struct kc_error *err);
int herder_store_put_target(struct herder_store *s, const char *name,
                            enum herder_target_state ts, struct kc_error *err);
/* logger-cluster-<ns> {"level":...} */
int herder_store_put_logger(struct herder_store *s, const char *ns, const char *level,
                            struct kc_error *err);
/* restart-connector-<c> {"include-tasks":..,"only-failed":..}; acted on when read back. */
int herder_store_put_restart(struct herder_store *s, const char *name, int include_tasks,
                             int only_failed, struct kc_error *err);
/* task-<c>-0..n-1 then commit-<c> {"tasks":n} */
int herder_store_put_tasks(struct herder_store *s, const char *name, const struct kc_strmap *tasks,
                           int n, struct kc_error *err);

/* ---- status ---- */
int herder_store_put_status(struct herder_store *s, const char *connector, int task,
                            enum herder_state state, const char *trace, const char *worker_id,
                            int32_t generation, const char *version, struct kc_error *err);
/* KC_ENOENT when no status record exists. out's strings are owned by the caller. */
int herder_store_get_status(struct herder_store *s, const char *connector, int task,
                            struct herder_instance_status *out);
/* Task ids that have a status record, sorted; owned array. */
int herder_store_status_task_ids(struct herder_store *s, const char *connector, int **ids,
                                 size_t *n);
int herder_store_put_topic(struct herder_store *s, const char *connector, const char *topic,
                           int task, struct kc_error *err);
int herder_store_topics(struct herder_store *s, const char *connector, char ***topics, size_t *n);
int herder_store_delete_topics(struct herder_store *s, const char *connector,
                               struct kc_error *err);
int32_t herder_store_max_generation(struct herder_store *s);
/* Wait for status writes to be acknowledged. */
void herder_store_flush(struct herder_store *s, int timeout_ms);


/* ---- worker group (herder_group.c) ---- */
/* Config offset for JoinGroup metadata (connect-compat.md §0.6): -1 before any record. */
int64_t herder_store_config_offset(struct herder_store *s);
/* Read the config topic to its end now (CONFIG_MISMATCH, catching up to the leader). */
int herder_store_read_config(struct herder_store *s, int timeout_ms, struct kc_error *err);
/* The latest session key read (borrowed until the next poll): 1, or 0 if none was read. */
int herder_store_session_key(struct herder_store *s, const uint8_t **key, size_t *len,
                             const char **algorithm, int64_t *created_ms);
/* Write a session-key record and read it back (the leader, sessioned protocol). */
int herder_store_put_session_key(struct herder_store *s, const uint8_t *key, size_t len,
                                 const char *algorithm, int64_t created_ms, struct kc_error *err);

#endif
