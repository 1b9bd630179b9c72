/*
 * worker/metrics.h: the worker's metrics registry and its Prometheus rendering (GET /metrics).
 *
 * The JVM worker publishes its metrics as JMX MBeans and users scrape them through the JMX
 * exporter; the names here are what the exporter configs in common use (Strimzi's
 * kafka-connect-metrics, Confluent's cp-kafka-connect chart) make of the MBeans:
 *
 *   kafka.connect:type=<group>-metrics,connector=C,task=T  attr a-b-c
 *       -> kafka_connect_<group>_a_b_c{connector="C",task="T"}
 *   kafka.connect:type=connector-task-metrics  attr status: running
 *       -> kafka_connect_connector_task_status{connector,task,status="running"} 1
 *   kafka.connect:type=connector-metrics  attr status / connector-class
 *       -> kafka_connect_connector_status{connector,status} 1,
 *          kafka_connect_connector_connector_class{connector,connector_class} 1
 *   kafka.connect:type=connect-worker-metrics[,connector=C]  attr a-b
 *       -> kafka_connect_worker_a_b[{connector}]
 *   kafka.connect:type=connect-worker-rebalance-metrics  attr a-b
 *       -> kafka_connect_worker_rebalance_a_b
 *
 * connect-c's own figures (per-sink inserts, bytes, retries, the byte budget) are under
 * connect_c_*. Averages and maxima are over the JVM's default window (2 samples of 30 s).
 *
 * Threads: each task owns one struct metrics_task; its thread updates the counters (atomics, no
 * lock) and the windowed stats (the block's lock, once per batch); the REST thread renders.
 * Connector and task states come from the herder's status writes (metrics_status_set).
 */
#ifndef METRICS_H
#define METRICS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "kc_buf.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_SAMPLE_MS 30000 /* metrics.sample.window.ms default */
#define METRICS_SAMPLES 2       /* metrics.num.samples default */

/* Average and maximum over the last METRICS_SAMPLES windows (the JVM's SampledStat). */
struct metrics_stat {
    int64_t start[METRICS_SAMPLES]; /* window start, ms; 0 = empty */
    double sum[METRICS_SAMPLES];
    double max[METRICS_SAMPLES];
    uint64_t n[METRICS_SAMPLES];
};

void metrics_stat_record(struct metrics_stat *s, double v, int64_t now_ms);
/* NaN when no value fell in the window (the JVM's avg/max show NaN / -Infinity then). */
double metrics_stat_avg(const struct metrics_stat *s, int64_t now_ms);
double metrics_stat_max(const struct metrics_stat *s, int64_t now_ms);
/* Sum per second over the live windows, as the JVM's Rate: the elapsed time counts at least
 * METRICS_SAMPLES - 1 full windows, so a young rate is not inflated. 0 when nothing fell in. */
double metrics_stat_rate(const struct metrics_stat *s, int64_t now_ms);

/* One sink task's figures. Counters only grow; gauges are overwritten. */
struct metrics_task {
    char *connector; /* owned; immutable */
    int task;
    const char *sink; /* static: the sink's short name (ops->name) */

    /* sink-task-metrics */
    _Atomic uint64_t records_read;     /* sink-record-read-total: polled from Kafka */
    _Atomic uint64_t records_sent;     /* sink-record-send-total: put, after transforms */
    _Atomic uint64_t commit_completions; /* offset-commit-completion-total */
    _Atomic uint64_t commit_skips;     /* offset-commit-skip-total: the sink asked to retry */
    _Atomic uint64_t commit_seq;       /* offset-commit-seq-no: commit points run */
    _Atomic int64_t partitions;        /* partition-count */
    _Atomic int64_t active_records;    /* sink-record-active-count: put, not yet committed */
    _Atomic int64_t lag_max;           /* sink-record-lag-max: high watermark - position */

    /* task-error-metrics */
    _Atomic uint64_t record_errors;    /* total-record-errors */
    _Atomic uint64_t record_failures;  /* total-record-failures */
    _Atomic uint64_t records_skipped;  /* total-records-skipped */
    _Atomic uint64_t errors_logged;    /* total-errors-logged */
    _Atomic uint64_t dlq_requests;     /* deadletterqueue-produce-requests */
    _Atomic uint64_t dlq_failures;     /* deadletterqueue-produce-failures */
    _Atomic uint64_t retries;          /* total-retries: put() retries */
    _Atomic int64_t last_error_ms;     /* last-error-timestamp */

    /* connect-c: what the sink reports (sink_task_record_insert) and the byte budget */
    _Atomic uint64_t bytes_read;       /* raw key + value bytes polled */
    _Atomic uint64_t inserts;          /* writes to the target that succeeded */
    _Atomic uint64_t insert_failures;  /* writes that failed (and may be retried) */
    _Atomic uint64_t insert_us;        /* time in writes, microseconds */
    _Atomic uint64_t bytes_sent;       /* bytes written to the target */
    _Atomic uint64_t sink_retries;     /* retries inside the sink (HTTP, reconnects) */
    _Atomic int64_t budget_limit;
    _Atomic int64_t budget_used;
    _Atomic int64_t budget_peak;
    _Atomic int budget_spent;          /* consumption stopped for the budget */

    /* connector-task-metrics ratios: ms spent running / paused since start */
    _Atomic int64_t started_ms;
    _Atomic int64_t running_ms;
    _Atomic int64_t paused_ms;
    _Atomic int64_t state_since_ms;
    _Atomic int paused;

    pthread_mutex_t lock; /* the stats below */
    struct metrics_stat put_ms;      /* put-batch-{avg,max}-time-ms */
    struct metrics_stat commit_ms;   /* offset-commit-{avg,max}-time-ms */
    struct metrics_stat commit_fail; /* 1 per failed commit, 0 per success: failure percentage */
    struct metrics_stat batch_size;  /* batch-size-{avg,max} */
    struct metrics_stat active;      /* sink-record-active-count-{avg,max} */
    struct metrics_stat insert_ms;   /* connect_c_sink_insert_{avg,max}_time_ms */
    struct metrics_stat read_n;      /* sink-record-read-rate (records per poll) */
    struct metrics_stat sent_n;      /* sink-record-send-rate */
    struct metrics_stat commit_ok_n; /* offset-commit-completion-rate */
    struct metrics_stat commit_skip_n; /* offset-commit-skip-rate */

    struct metrics_task *next; /* the registry's list */
};

/* A registered block for one task (connector copied). NULL on allocation failure: callers
 * treat a NULL block as "no metrics" (every metrics_task_* call accepts NULL). */
struct metrics_task *metrics_task_new(const char *connector, int task, const char *sink);
/* Unregister and free. NULL ok. */
void metrics_task_free(struct metrics_task *m);

/* Task-thread updates; each accepts m == NULL. */
#define METRICS_ADD(m, field, v)                                                            \
    do {                                                                                    \
        if ((m) != NULL) {                                                                  \
            atomic_fetch_add_explicit(&(m)->field, (v), memory_order_relaxed);              \
        }                                                                                   \
    } while (0)
#define METRICS_SET(m, field, v)                                                            \
    do {                                                                                    \
        if ((m) != NULL) {                                                                  \
            atomic_store_explicit(&(m)->field, (v), memory_order_relaxed);                  \
        }                                                                                   \
    } while (0)
void metrics_task_put_done(struct metrics_task *m, size_t records, int64_t elapsed_ms);
void metrics_task_commit_done(struct metrics_task *m, int ok, int64_t elapsed_ms);
void metrics_task_insert_done(struct metrics_task *m, size_t bytes, int64_t elapsed_us, int ok);
void metrics_task_set_paused(struct metrics_task *m, int paused);
void metrics_task_read(struct metrics_task *m, size_t records, size_t bytes);
void metrics_task_commit_skipped(struct metrics_task *m);

/* The herder's status writes: task -1 = the connector itself. state is the JVM's state name
 * ("RUNNING", ...); "DESTROYED" forgets the entry. class_name and version (the plugin's) may be
 * NULL. */
void metrics_status_set(const char *connector, int task, const char *state,
                        const char *class_name, const char *version);
/* The worker finished a rebalance (joined its group, read the config) in elapsed_ms; epoch is
 * the group generation it joined. */
void metrics_worker_rebalanced(int64_t epoch, int64_t elapsed_ms);
/* The herder started a connector (is_task 0) or a task: ok 1 = started, 0 = failed. */
void metrics_worker_startup(int is_task, int ok);

/* Append the whole exposition to out. KC_OK or KC_ENOMEM. @thread any */
int metrics_render(struct kc_buf *out);
/* Forget every status and rebalance figure (tests); task blocks are their owners'. */
void metrics_reset(void);

#endif
