/*
 * connectors/common/sink.h: the contract between the worker and every native sink.
 *
 * A sink is one const struct sink_connector_ops (registered in connectors/registry.c) plus its
 * own folder. The worker runs each task on its own thread: start -> (open -> put* -> flush ->
 * [commit by the worker] ...)* -> close -> stop. Records arrive as struct sink_record, which
 * carries both the raw Kafka bytes and, unless the sink asked for raw values, the converted
 * Connect value. A sink with SINK_FLAG_RAW_VALUE set gets value == NULL and value_schema == NULL
 * whenever no transform is configured, so it may parse the raw bytes itself (the fast path);
 * when transforms are configured the worker always converts.
 *
 * Return codes (enum kc_rc): put() KC_OK = accepted (may still be buffered); KC_RETRY = nothing
 * was kept, hand me the same batch again later (Connect's RetriableException); negative = fail
 * the task, err says why. One bad record goes to sink_task_report() and put() goes on with the
 * rest. flush() returns KC_OK only once every record given to put() before it is durable in the
 * target; only then does the worker commit those offsets.
 */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>

#include "cdata.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct conf_def;   /* config/conf_def.h */
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
    /* Set by the worker: applies errors.tolerance and the DLQ to one record. */
    int (*report)(struct sink_task *st, const struct sink_record *rec,
                  const struct kc_error *cause);
};

#define SINK_OPS_VERSION 1

/* Kafka record timestamp types, as in Java's TimestampType. */
enum sink_ts_type {
    SINK_TS_NONE = 0, /* NoTimestampType: the record's timestamp is null */
    SINK_TS_CREATE = 1,
    SINK_TS_LOG_APPEND = 2,
};

struct sink_header {
    const char *key;                   /* borrowed, NUL-terminated */
    const void *raw;                   /* borrowed raw bytes; NULL = null header value */
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
};

struct tp {
    const char *topic; /* borrowed */
    int32_t partition;
};

struct tp_list {
    const struct tp *tp;
    size_t n;
};

/* Flags in sink_connector_ops.flags */
#define SINK_FLAG_RAW_VALUE 0x1 /* may take raw value bytes when no transform is configured */

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

    /* MUST be set. Always called on the task's own thread. cfg is the task config (resolved),
     * borrowed for the call; copy what you keep. */
    int (*start)(struct sink_task *st, const struct kc_strmap *cfg, struct kc_error *err);
    int (*put)(struct sink_task *st, const struct sink_record *recs, size_t n,
               struct kc_error *err);
    int (*flush)(struct sink_task *st, struct kc_error *err);
    void (*stop)(struct sink_task *st);

    /* MAY be NULL; defaults: validate accepts; task_configs copies the connector config to
     * each of max_tasks tasks; open/close accept silently.
     * validate: extra cross-key checks; on failure return KC_EINVAL with err naming the key as
     * "<key>: <message>". task_configs: fill out[0..*n_out-1] (caller-provided array of
     * max_tasks initialised maps) and set *n_out. */
    int (*validate)(const struct kc_strmap *cfg, struct kc_error *err);
    int (*task_configs)(const struct kc_strmap *cfg, int max_tasks, struct kc_strmap *out,
                        int *n_out, struct kc_error *err);
    int (*open)(struct sink_task *st, const struct tp_list *parts, struct kc_error *err);
    int (*close)(struct sink_task *st, const struct tp_list *parts, struct kc_error *err);
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
/* Ask the worker to commit (flush) soon, e.g. after a file rotation. @thread task */
void sink_task_request_commit(struct sink_task *st);
/* Log with the "[<connector>|task-<n>]" prefix. */
void sink_task_log(const struct sink_task *st, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Calls through the ops table, applying the defaults of MAY slots ---- */
int sink_call_validate(const struct sink_connector_ops *ops, const struct kc_strmap *cfg,
                       struct kc_error *err);
int sink_call_task_configs(const struct sink_connector_ops *ops, const struct kc_strmap *cfg,
                           int max_tasks, struct kc_strmap *out, int *n_out,
                           struct kc_error *err);
int sink_call_open(const struct sink_connector_ops *ops, struct sink_task *st,
                   const struct tp_list *parts, struct kc_error *err);
int sink_call_close(const struct sink_connector_ops *ops, struct sink_task *st,
                    const struct tp_list *parts, struct kc_error *err);

/*
 * 1 if the user's connector.class value names this canonical Java class: the full name, the
 * simple name ("FileStreamSinkConnector"), or the simple name without "Connector"
 * ("FileStreamSink"), as the JVM's plugin aliases do.
 */
int sink_class_matches(const char *canonical, const char *user_value);

#endif
