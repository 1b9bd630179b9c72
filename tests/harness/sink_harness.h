/*
 * tests/harness/sink_harness.h: drives any sink's ops table the way worker/task.c does, with an
 * in-memory Kafka log instead of a broker, so a sink's unit tests can prove its at-least-once
 * and exactly-once rules without Kafka.
 *
 * It keeps the same books as the worker (worker/offsets.c: consumed, durable, committed offsets
 * with commit metadata, rewinds, the byte budget) and applies the same rules: a commit takes what
 * pre_commit answers (or flush + everything consumed), refuses an answer above what was consumed,
 * never moves backwards; open() gets the committed offset and metadata; a rewind from open() or
 * put() moves the partition's position; KC_RETRY from put() keeps the batch (minus records the
 * sink reported) for the next poll; a sink over the budget after put() gets a commit point.
 *
 * "Kill and restart" (sink_harness_crash) stops the sink without a commit point and starts a
 * new instance on the same config, re-assigning the same partitions from the committed offsets,
 * as a worker restarted after kill -9 would. stop() does run (the harness must free the old
 * instance): for a sink whose stop() writes more, that models a crash just after those writes.
 *
 * Single-threaded; every call returns KC_OK, KC_RETRY or a negative code with err set.
 */
#ifndef SINK_HARNESS_H
#define SINK_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "kc_strmap.h"
#include "sink.h"

struct sink_harness;

/* Parse config with the sink's config_def and start it. Converters: value.converter /
 * key.converter from config (default JsonConverter with schemas.enable=false). */
int sink_harness_new(const struct sink_connector_ops *ops, const struct kc_strmap *config,
                     struct sink_harness **out, struct kc_error *err);
/* stop() and free everything. */
void sink_harness_free(struct sink_harness *h);

/* Append a record to the in-memory log (offsets count from 0 per partition). */
int sink_harness_produce(struct sink_harness *h, const char *topic, int32_t partition,
                         const char *key, const void *value, size_t len, int64_t timestamp_ms);

/* Partition moves: assign calls open() with the committed offset and metadata (positions start
 * there, or at a rewind open() asked for); revoke runs a commit point for the partition, then
 * close(). */
int sink_harness_assign(struct sink_harness *h, const char *topic, int32_t partition,
                        struct kc_error *err);
int sink_harness_revoke(struct sink_harness *h, const char *topic, int32_t partition,
                        struct kc_error *err);

/* One put() of up to max records taken round robin from the assigned partitions' positions
 * (converted unless the sink takes raw values). KC_RETRY: the sink asked to retry; the batch is
 * handed over again by the next poll. *n_put (may be NULL): records handed over. */
int sink_harness_poll(struct sink_harness *h, size_t max, size_t *n_put, struct kc_error *err);
/* Poll until every assigned partition is at its end (at most max_polls polls, KC_RETRY counts
 * as a poll). */
int sink_harness_drain(struct sink_harness *h, size_t batch, int max_polls,
                       struct kc_error *err);
/* The sink's timer at now_ms (CLOCK_MONOTONIC milliseconds, as the worker calls it). */
int sink_harness_tick(struct sink_harness *h, int64_t now_ms, struct kc_error *err);
/* 1 (and *within_ms) if the sink asked for a tick sooner than it said (sink_task_tick_within)
 * since the last call; the request is then cleared, as the worker does when it reschedules. */
int sink_harness_tick_asked(struct sink_harness *h, int64_t *within_ms);
/* A commit point over every assigned partition. */
int sink_harness_commit(struct sink_harness *h, struct kc_error *err);
/* Kill and restart (see above). */
int sink_harness_crash(struct sink_harness *h, struct kc_error *err);

/* The group's committed offset (SINK_OFFSET_NONE = none) and metadata (borrowed, may be
 * NULL). */
int64_t sink_harness_committed(const struct sink_harness *h, const char *topic,
                               int32_t partition, const char **metadata);
/* Records given to sink_task_report so far (the DLQ), and the offset of the i-th. */
size_t sink_harness_reported(const struct sink_harness *h);
int64_t sink_harness_reported_offset(const struct sink_harness *h, size_t i);
/* The byte budget the sink sees (default 256 MiB); the highest figure it reported; how many
 * commit points the budget forced. */
void sink_harness_set_budget(struct sink_harness *h, size_t bytes);
size_t sink_harness_peak_buffered(const struct sink_harness *h);
/* The figure the sink reported last (sink_task_buffered). */
size_t sink_harness_buffered(const struct sink_harness *h);
size_t sink_harness_budget_commits(const struct sink_harness *h);
/* errors.tolerance: all (1, the default: reported records are counted and skipped) or none (0:
 * sink_task_report answers KC_EFATAL, so the sink's put() fails). */
void sink_harness_set_tolerance(struct sink_harness *h, int all);
/* The sink's ctx (for white-box checks) and its handle. */
void *sink_harness_sink_ctx(struct sink_harness *h);

#endif
