/*
 * connectors/common/sink.h: the contract between the worker and every native sink.
 *
 * A sink is one const struct sink_connector_ops (registered in connectors/registry.c) plus its
 * own folder. The worker runs each task on its own thread:
 *
 *   start -> (open -> (put | tick | pre_commit)* -> close)* -> stop
 *
 * Records arrive as struct sink_record, which carries both the raw Kafka bytes and, unless the
 * sink asked for raw values, the converted Connect value. A sink with SINK_FLAG_RAW_VALUE set
 * gets value == NULL and value_schema == NULL whenever no transform is configured, so it may
 * parse the raw bytes itself (the fast path, see base/kc_jscan.h); when transforms are
 * configured the worker always converts. SINK_FLAG_NO_KEY / SINK_FLAG_NO_HEADERS say the sink
 * never reads the converted key / headers: the worker then skips their conversion (raw bytes
 * stay available); headers only when the header converter rejects nothing (conv_header_total),
 * so the flag never changes which records fail.
 *
 * Return codes (enum kc_rc): put() KC_OK = accepted (may still be buffered); KC_RETRY = nothing
 * was kept, hand me the same batch again later (Connect's RetriableException); negative = fail
 * the task, err says why. One bad record goes to sink_task_report() and put() goes on with the
 * rest.
 *
 * Which offsets the worker commits (version 2). At each commit point (offset.flush.interval.ms,
 * sink_task_request_commit, a revocation, the byte budget, stop) the worker calls pre_commit
 * with the consumed offsets (per partition, the offset after the last record put) and commits
 * what it answers: per partition the offset up to which records are durable in the target, and
 * optionally a metadata string stored with the group's commit and handed back to open() after a
 * restart. A sink may answer fewer partitions or lower offsets than it was given (records still
 * buffered), never higher (the task fails). Commits never move backwards. When pre_commit is
 * NULL the worker calls flush() and commits everything consumed: flush() returns KC_OK only once
 * every record given to put() before it is durable (Connect's default SinkTask.preCommit).
 *
 * Errant records and retries: a record reported with sink_task_report() during a put() that
 * then returns KC_RETRY counts as handled: it went to the DLQ (or failed the task) once, and the
 * batch handed over again no longer contains it.
 *
 * Memory: a task has a byte budget (task.memory.budget.bytes) covering the converted batch and
 * what the sink holds. A sink that buffers reports its bytes with sink_task_buffered(); the
 * worker stops consumption at the budget, calls pre_commit (or flush) to make room, and resumes
 * below three quarters of it. A sink never needs to grow past sink_task_budget().
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>

#include "cdata.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct conf_def;    /* config/conf_def.h */
struct conf_infos;  /* config/conf_def.h */
struct conf_values; /* config/conf_values.h */
struct sink_record;

/*
 * The sink's handle on its task. The worker embeds it in its own task object and fills it;
 * sinks treat it as opaque and use the sink_task_* functions below.
 */
struct sink_task {
    void *ctx;             /* the sink's private state (sink_task_set_ctx) */
    const char *connector; /* borrowed from the worker's task */
    int id;
    int commit_requested;  /* set by sink_task_request_commit, cleared by the worker */
    int tick_soon;         /* set by sink_task_tick_within, cleared by the worker */
    int64_t tick_within_ms;
    int want_converted;    /* set by sink_task_want_converted */
    int want_key;          /* set by sink_task_want_key_headers */
    int want_headers;      /* same */
    const struct sink_task_services *svc; /* set by the worker (or the test harness) */
    void *svc_ctx;                        /* the worker's, for svc */
};

struct sink_offset {
    const char *topic; /* borrowed */
    int32_t partition;
    int64_t offset;       /* the next offset to read, as Kafka commits it */
    const char *metadata; /* commit metadata, NULL = none. In pre_commit's answer it borrows
                           * from the sink until its next call; in open() from the worker. */
};

/*
 * What the worker (worker/task.c) or the sink harness (tests/harness) does for a sink. Sinks do
 * not call these directly; they use the sink_task_* functions below.
 */
struct sink_task_services {
    int (*report)(struct sink_task *st, const struct sink_record *rec,
                  const char *exception_class, const struct kc_error *cause);
    int (*rewind)(struct sink_task *st, const char *topic, int32_t partition, int64_t offset,
                  struct kc_error *err);
    void (*pause)(struct sink_task *st, const char *topic, int32_t partition, int pause);
    void (*buffered)(struct sink_task *st, size_t bytes);
    size_t (*budget)(const struct sink_task *st);
    const char *(*value_converter)(const struct sink_task *st, int *schemas_enable);
    /* MAY be NULL (the harness): metrics of the sink's writes (sink_task_record_insert). */
    void (*insert_done)(struct sink_task *st, size_t bytes, int64_t elapsed_us, int ok);
    void (*retried)(struct sink_task *st);
    /* MAY be NULL (the harness): sink_task_wake. Any thread. */
    void (*wake)(struct sink_task *st);
};

#define SINK_OPS_VERSION 2

/* Kafka record timestamp types, as in Java's TimestampType. */
enum sink_ts_type {
    SINK_TS_NONE = 0, /* NoTimestampType: the record's timestamp is null */
    SINK_TS_CREATE = 1,
    SINK_TS_LOG_APPEND = 2,
};

struct sink_header {
    const char *key;                   /* borrowed, NUL-terminated */
    const void *raw;                   /* borrowed raw bytes; NULL = null header value, or a
                                        * header a transform made: see schema/value */
    size_t raw_len;
    const struct cdata_schema *schema; /* from the header converter (arena), may be NULL */
    const struct cdata_value *value;   /* from the header converter (arena), may be NULL */
};

struct sink_record {
    const char *topic; /* borrowed; a transform (RegexRouter) may point it at arena memory */
    int32_t partition;
    int64_t offset;
    int64_t timestamp; /* ms since epoch; meaningless when ts_type == SINK_TS_NONE */
    enum sink_ts_type ts_type;

    /* The bytes as they came from Kafka (borrowed from the consumer's message). NULL = null. */
    const void *key_raw;
    size_t key_len;
    const void *value_raw;
    size_t value_len;

    /* Converted (and transformed) Connect data, in the batch arena. NULL value = Java null. */
    const struct cdata_schema *key_schema;
    const struct cdata_value *key;
    const struct cdata_schema *value_schema;
    const struct cdata_value *value;
    int value_converted; /* 0 only on the raw fast path (see SINK_FLAG_RAW_VALUE) */

    const struct sink_header *headers; /* n_headers entries, arena */
    size_t n_headers;

    /* Where the record came from, untouched by transforms (KIP-793's originalTopic,
     * originalKafkaPartition, originalKafkaOffset): the partitions pre_commit, open and close
     * speak of. A sink that tracks durability per partition keys it by these, not by topic /
     * partition, which a RegexRouter may have changed. */
    const char *kafka_topic;
    int32_t kafka_partition;
    int64_t kafka_offset;
    const void *origin; /* the worker's: the Kafka record this came from (errant records) */
};

struct tp {
    const char *topic; /* borrowed */
    int32_t partition;
    /* In open() (version 2): the group's committed offset (SINK_OFFSET_NONE = none) and its
     * commit metadata (NULL = none), borrowed for the call. */
    int64_t committed;
    const char *metadata;
};

#define SINK_OFFSET_NONE (-1001)

struct tp_list {
    const struct tp *tp;
    size_t n;
};

/* Flags in sink_connector_ops.flags */
#define SINK_FLAG_RAW_VALUE 0x1 /* may take raw value bytes when no transform is configured */
#define SINK_FLAG_NO_KEY 0x2     /* never reads key/key_schema: the key is not converted */
#define SINK_FLAG_NO_HEADERS 0x4 /* never reads headers: they are not converted */
/* With SINK_FLAG_RAW_VALUE: raw bytes only when the value converter is StringConverter or
 * JsonConverter with schemas.enable=false (the sink reads schemaless JSON or text); any other
 * converter (JSON envelopes, Avro...) is run by the worker as if no flag were set. */
#define SINK_FLAG_RAW_SCHEMALESS 0x8
/* With SINK_FLAG_RAW_VALUE: raw bytes only under JsonConverter (either schemas.enable: the
 * sink reads envelopes itself) or StringConverter; Avro, Protobuf... are run by the worker. */
#define SINK_FLAG_RAW_JSON 0x10

struct sink_connector_ops {
    int version;                       /* SINK_OPS_VERSION; new slots go at the end */
    const char *name;                  /* short name for logs: "file", "questdb" */
    const char *const *class_names;    /* connector.class values we accept, NULL-ended; the
                                        * first is the canonical Java class name */
    const char *task_class;            /* Java task class written as task.class */
    const char *plugin_version;        /* reported by GET /connector-plugins */
    const struct conf_def *config_def; /* required: the sink's own keys (framework keys are
                                        * added by the worker) */
    unsigned flags;                    /* SINK_FLAG_* */

    /* MUST be set. Always called on the task's own thread. cv is the task config (resolved),
     * parsed, trimmed, typed and defaulted by config_def (conf_values_* getters; framework and
     * unknown keys through conf_values_raw); it stays valid until stop() returns. */
    int (*start)(struct sink_task *st, const struct conf_values *cv, struct kc_error *err);
    int (*put)(struct sink_task *st, const struct sink_record *recs, size_t n,
               struct kc_error *err);
    int (*flush)(struct sink_task *st, struct kc_error *err);
    void (*stop)(struct sink_task *st);

    /* MAY be NULL; defaults: validate accepts; task_configs copies the connector config to
     * each of max_tasks tasks; open/close accept silently.
     * validate: cross-key checks, called once every key of config_def parsed. Report each
     * problem against its key with conf_values_add_error(errs, key, message), as the JVM's
     * config/validate lists them; return KC_OK (errors are data) or KC_ENOMEM.
     * task_configs: fill out[0..*n_out-1] (caller-provided array of max_tasks initialised
     * maps) and set *n_out. */
    int (*validate)(const struct conf_values *cv, struct conf_infos *errs, struct kc_error *err);
    int (*task_configs)(const struct kc_strmap *cfg, int max_tasks, struct kc_strmap *out,
                        int *n_out, struct kc_error *err);
    /* open: the partitions now assigned (version 2: with committed offset and metadata); the
     * sink may call sink_task_rewind() from here. close: the partitions revoked, after their
     * last commit; the sink drops what it holds for them. */
    int (*open)(struct sink_task *st, const struct tp_list *parts, struct kc_error *err);
    int (*close)(struct sink_task *st, const struct tp_list *parts, struct kc_error *err);

    /* ---- version 2; MAY be NULL ---- */

    /*
     * pre_commit: given consumed[0..n) (per partition the offset after the last record put),
     * fill durable[0..*n_out) (caller array of n entries) with the offsets that are durable,
     * and their metadata. KC_OK commits them; KC_RETRY commits nothing this time; negative
     * fails the task. NULL: flush(), then everything consumed.
     */
    int (*pre_commit)(struct sink_task *st, const struct sink_offset *consumed, size_t n,
                      struct sink_offset *durable, size_t *n_out, struct kc_error *err);
    /*
     * tick: called on the task thread at least every *next_ms even when no record arrives, for
     * flushes by age (default: every poll, at most 200 ms apart). now_ms and *next_ms are on
     * the monotonic clock (kc_now_ms(), CLOCK_MONOTONIC), not the wall clock: a sink that needs
     * wall-clock time (a rotation aligned to the hour) reads CLOCK_REALTIME itself. Same return codes as put (KC_RETRY: logged, called again later).
     */
    int (*tick)(struct sink_task *st, int64_t now_ms, int64_t *next_ms, struct kc_error *err);
};

/* ---- Services the worker gives a running sink task (worker/task.c implements them) ---- */

/* Private state of the sink. @thread task */
void sink_task_set_ctx(struct sink_task *st, void *ctx);
void *sink_task_ctx(struct sink_task *st);
/* "<connector>" and task number, for logs and file names. @thread task */
const char *sink_task_connector(const struct sink_task *st);
int sink_task_id(const struct sink_task *st);
/*
 * Report one record the sink cannot write (Connect's ErrantRecordReporter). The worker applies
 * errors.tolerance: with "all" the record goes to the DLQ (if set) and is skipped, and this
 * returns KC_OK; with "none" it returns a negative code and put() should return it.
 * @thread task
 */
int sink_task_report(struct sink_task *st, const struct sink_record *rec,
                     const struct kc_error *cause);
/* The same, naming the Java exception class the DLQ headers and the error log show
 * (sink_task_report uses org.apache.kafka.connect.errors.ConnectException). @thread task */
int sink_task_report_exception(struct sink_task *st, const struct sink_record *rec,
                               const char *exception_class, const struct kc_error *cause);
/* Ask the worker to commit (pre_commit / flush) soon, e.g. after a file rotation.
 * @thread task */
void sink_task_request_commit(struct sink_task *st);
/* Ask for tick() within ms milliseconds, sooner than the next_ms it last gave: e.g. after
 * handing work to a thread of the sink's own whose results tick() collects. @thread task */
void sink_task_tick_within(struct sink_task *st, int64_t ms);
/* A thread of the sink's own has results for tick(): end the task's poll now and tick, rather
 * than at the deadline tick_within gave (e.g. an upload finished, so its offsets can be
 * committed at once). @thread any */
void sink_task_wake(struct sink_task *st);
/* From start(): this task takes converted values even where its connector's flags allow raw
 * bytes (SINK_FLAG_RAW_VALUE), e.g. an output format that prints what the converter made of a
 * JsonConverter envelope. @thread task */
void sink_task_want_converted(struct sink_task *st);
/* From start(): this task reads record keys (key) and/or headers (headers) although its
 * connector's flags say SINK_FLAG_NO_KEY / SINK_FLAG_NO_HEADERS, e.g. an S3 task that stores
 * them beside the values: the worker converts them. @thread task */
void sink_task_want_key_headers(struct sink_task *st, int key, int headers);
/*
 * SinkTaskContext.offset: continue `partition` from `offset`. Callable from open(), put(),
 * tick() and pre_commit(); the worker seeks before the next batch, and records of that
 * partition still in the current batch after this call are not handed over. KC_ENOENT when the task does not own it.
 * @thread task
 */
int sink_task_rewind(struct sink_task *st, const char *topic, int32_t partition, int64_t offset,
                     struct kc_error *err);
/* SinkTaskContext.pause/resume of one partition (the sink's own reason, e.g. a slow table;
 * independent of the user's pause). @thread task */
void sink_task_pause_partition(struct sink_task *st, const char *topic, int32_t partition);
void sink_task_resume_partition(struct sink_task *st, const char *topic, int32_t partition);
/* Report the bytes the sink holds now (buffers, open files), for the task's byte budget.
 * @thread task */
void sink_task_buffered(struct sink_task *st, size_t bytes);
/* The task's byte budget (converted batch + sink buffers). @thread task */
size_t sink_task_budget(const struct sink_task *st);
/* The effective value converter's Java class (the connector's value.converter, or the worker's),
 * and for JsonConverter whether schemas.enable is on: what raw value bytes are, for a sink on
 * the raw fast path. NULL when unknown (no worker). @thread task */
const char *sink_task_value_converter(const struct sink_task *st, int *schemas_enable);
/* Whether a sink with these flags gets raw value bytes (no transform configured) under this
 * value converter (its class name) and schemas.enable. For the worker and the harness. */
int sink_raw_value_ok(unsigned flags, const char *converter, int schemas_enable);
/* For the worker's metrics (GET /metrics, connect_c_sink_*): one write to the target system
 * (an INSERT, an upload, a send) of `bytes` that took elapsed_us and succeeded (ok = 1) or not;
 * and one retry inside the sink (a write tried again, a reconnect). @thread task */
void sink_task_record_insert(struct sink_task *st, size_t bytes, int64_t elapsed_us, int ok);
void sink_task_record_retry(struct sink_task *st);
/* Log with the "[<connector>|task-<n>]" prefix. */
void sink_task_log(const struct sink_task *st, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Calls through the ops table, applying the defaults of MAY slots ---- */
int sink_call_validate(const struct sink_connector_ops *ops, const struct conf_values *cv,
                       struct conf_infos *errs, struct kc_error *err);
int sink_call_task_configs(const struct sink_connector_ops *ops, const struct kc_strmap *cfg,
                           int max_tasks, struct kc_strmap *out, int *n_out,
                           struct kc_error *err);
int sink_call_open(const struct sink_connector_ops *ops, struct sink_task *st,
                   const struct tp_list *parts, struct kc_error *err);
int sink_call_close(const struct sink_connector_ops *ops, struct sink_task *st,
                    const struct tp_list *parts, struct kc_error *err);
/* pre_commit, or flush() then everything consumed (durable[] = consumed[]). */
int sink_call_pre_commit(const struct sink_connector_ops *ops, struct sink_task *st,
                         const struct sink_offset *consumed, size_t n,
                         struct sink_offset *durable, size_t *n_out, struct kc_error *err);
/* tick, or nothing (next = now + 200 ms). */
int sink_call_tick(const struct sink_connector_ops *ops, struct sink_task *st, int64_t now_ms,
                   int64_t *next_ms, struct kc_error *err);

/*
 * 1 if the user's connector.class value names this canonical Java class: the full name, the
 * simple name ("FileStreamSinkConnector"), or the simple name without "Connector"
 * ("FileStreamSink"), as the JVM's plugin aliases do.
 */
int sink_class_matches(const char *canonical, const char *user_value);

#endif
