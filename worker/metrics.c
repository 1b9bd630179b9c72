/*
 * worker/metrics.c: the registry of task metric blocks and herder states, and the Prometheus
 * text exposition (format 0.0.4) of them. See metrics.h for the naming.
 */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_error.h"
#include "kc_queue.h"

/* ---------------------------------------------------------------- windowed stats */

static int64_t window_of(int64_t now_ms)
{
    int64_t w = now_ms - now_ms % METRICS_SAMPLE_MS;
    return w > 0 ? w : 1; /* 0 marks an empty sample */
}

void metrics_stat_record(struct metrics_stat *s, double v, int64_t now_ms)
{
    int64_t w = window_of(now_ms);
    int i = (int)((w / METRICS_SAMPLE_MS) % METRICS_SAMPLES);
    if (s->start[i] != w) {
        s->start[i] = w;
        s->sum[i] = 0;
        s->max[i] = v;
        s->n[i] = 0;
    }
    s->sum[i] += v;
    s->max[i] = v > s->max[i] ? v : s->max[i];
    s->n[i]++;
}

/* 1 when sample i is one of the last METRICS_SAMPLES windows. */
static int live(const struct metrics_stat *s, int i, int64_t now_ms)
{
    return s->start[i] != 0 && s->n[i] > 0 &&
           s->start[i] > window_of(now_ms) - (int64_t)METRICS_SAMPLES * METRICS_SAMPLE_MS;
}

double metrics_stat_avg(const struct metrics_stat *s, int64_t now_ms)
{
    double sum = 0;
    uint64_t n = 0;
    for (int i = 0; i < METRICS_SAMPLES; i++) {
        if (live(s, i, now_ms)) {
            sum += s->sum[i];
            n += s->n[i];
        }
    }
    return n > 0 ? sum / (double)n : NAN;
}

double metrics_stat_max(const struct metrics_stat *s, int64_t now_ms)
{
    double m = NAN;
    for (int i = 0; i < METRICS_SAMPLES; i++) {
        if (live(s, i, now_ms) && (isnan(m) || s->max[i] > m)) {
            m = s->max[i];
        }
    }
    return m;
}

double metrics_stat_rate(const struct metrics_stat *s, int64_t now_ms)
{
    double sum = 0;
    int64_t oldest = 0;
    for (int i = 0; i < METRICS_SAMPLES; i++) {
        if (live(s, i, now_ms)) {
            sum += s->sum[i];
            oldest = oldest == 0 || s->start[i] < oldest ? s->start[i] : oldest;
        }
    }
    if (oldest == 0) {
        return 0;
    }
    int64_t elapsed = now_ms - oldest;
    int64_t full = elapsed / METRICS_SAMPLE_MS;
    if (full < METRICS_SAMPLES - 1) {
        elapsed += (METRICS_SAMPLES - 1 - full) * (int64_t)METRICS_SAMPLE_MS;
    }
    return elapsed > 0 ? sum * 1000.0 / (double)elapsed : 0;
}

/* ---------------------------------------------------------------- the registry */

struct status_entry {
    char *connector; /* owned */
    int task;        /* -1 = the connector */
    char state[16];  /* lower case, as the JMX attribute shows it */
    char *class_name; /* owned, or NULL */
    char *version;    /* owned, or NULL */
    struct status_entry *next;
};

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_task *reg_tasks;      /* under reg_lock */
static struct status_entry *reg_status;     /* under reg_lock */
static uint64_t reg_rebalances;             /* under reg_lock */
static int64_t reg_epoch;
static int64_t reg_last_rebalance_ms;
/* connect-worker-metrics startups: [0] connectors, [1] tasks */
static uint64_t reg_start_attempts[2], reg_start_ok[2];
static struct metrics_stat reg_rebalance_ms;

struct metrics_task *metrics_task_new(const char *connector, int task, const char *sink)
{
    struct metrics_task *m = kc_calloc(1, sizeof(*m));
    if (m == NULL || (m->connector = kc_strdup(connector)) == NULL) {
        kc_free(m);
        return NULL;
    }
    m->task = task;
    m->sink = sink != NULL ? sink : "";
    pthread_mutex_init(&m->lock, NULL);
    int64_t now = kc_now_ms();
    atomic_store(&m->started_ms, now);
    atomic_store(&m->state_since_ms, now);
    pthread_mutex_lock(&reg_lock);
    m->next = reg_tasks;
    reg_tasks = m;
    pthread_mutex_unlock(&reg_lock);
    return m;
}

void metrics_task_free(struct metrics_task *m)
{
    if (m == NULL) {
        return;
    }
    pthread_mutex_lock(&reg_lock);
    for (struct metrics_task **pp = &reg_tasks; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    }
    pthread_mutex_unlock(&reg_lock);
    pthread_mutex_destroy(&m->lock);
    kc_free(m->connector);
    kc_free(m);
}

void metrics_task_put_done(struct metrics_task *m, size_t records, int64_t elapsed_ms)
{
    if (m == NULL) {
        return;
    }
    atomic_fetch_add_explicit(&m->records_sent, records, memory_order_relaxed);
    int64_t now = kc_now_ms();
    pthread_mutex_lock(&m->lock);
    metrics_stat_record(&m->put_ms, (double)elapsed_ms, now);
    metrics_stat_record(&m->batch_size, (double)records, now);
    metrics_stat_record(&m->sent_n, (double)records, now);
    pthread_mutex_unlock(&m->lock);
}

void metrics_task_read(struct metrics_task *m, size_t records, size_t bytes)
{
    if (m == NULL) {
        return;
    }
    atomic_fetch_add_explicit(&m->records_read, records, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes_read, bytes, memory_order_relaxed);
    pthread_mutex_lock(&m->lock);
    metrics_stat_record(&m->read_n, (double)records, kc_now_ms());
    pthread_mutex_unlock(&m->lock);
}

void metrics_task_commit_skipped(struct metrics_task *m)
{
    if (m == NULL) {
        return;
    }
    atomic_fetch_add_explicit(&m->commit_skips, 1, memory_order_relaxed);
    pthread_mutex_lock(&m->lock);
    metrics_stat_record(&m->commit_skip_n, 1, kc_now_ms());
    pthread_mutex_unlock(&m->lock);
}

void metrics_task_commit_done(struct metrics_task *m, int ok, int64_t elapsed_ms)
{
    if (m == NULL) {
        return;
    }
    atomic_fetch_add_explicit(&m->commit_seq, 1, memory_order_relaxed);
    if (ok) {
        atomic_fetch_add_explicit(&m->commit_completions, 1, memory_order_relaxed);
    }
    int64_t now = kc_now_ms();
    pthread_mutex_lock(&m->lock);
    metrics_stat_record(&m->commit_fail, ok ? 0.0 : 1.0, now);
    if (ok) {
        metrics_stat_record(&m->commit_ms, (double)elapsed_ms, now);
        metrics_stat_record(&m->commit_ok_n, 1, now);
    }
    metrics_stat_record(&m->active, (double)atomic_load(&m->active_records), now);
    pthread_mutex_unlock(&m->lock);
}

void metrics_task_insert_done(struct metrics_task *m, size_t bytes, int64_t elapsed_us, int ok)
{
    if (m == NULL) {
        return;
    }
    atomic_fetch_add_explicit(ok ? &m->inserts : &m->insert_failures, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->bytes_sent, bytes, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->insert_us, elapsed_us > 0 ? (uint64_t)elapsed_us : 0,
                              memory_order_relaxed);
    pthread_mutex_lock(&m->lock);
    metrics_stat_record(&m->insert_ms, (double)elapsed_us / 1000.0, kc_now_ms());
    pthread_mutex_unlock(&m->lock);
}

/* Move the time since the last state change to the running or paused total. */
static void account_state(struct metrics_task *m, int64_t now)
{
    int64_t since = atomic_exchange(&m->state_since_ms, now);
    int64_t d = now > since ? now - since : 0;
    atomic_fetch_add(atomic_load(&m->paused) ? &m->paused_ms : &m->running_ms, d);
}

void metrics_task_set_paused(struct metrics_task *m, int paused)
{
    if (m == NULL || atomic_load(&m->paused) == paused) {
        return;
    }
    account_state(m, kc_now_ms());
    atomic_store(&m->paused, paused);
}

static void status_free(struct status_entry *e)
{
    kc_free(e->connector);
    kc_free(e->class_name);
    kc_free(e->version);
    kc_free(e);
}

/* *dst = a copy of src when it differs (an allocation failure keeps the old value). */
static void set_str(char **dst, const char *src)
{
    if (src != NULL && (*dst == NULL || strcmp(*dst, src) != 0)) {
        char *c = kc_strdup(src);
        if (c != NULL) {
            kc_free(*dst);
            *dst = c;
        }
    }
}

void metrics_status_set(const char *connector, int task, const char *state,
                        const char *class_name, const char *version)
{
    if (connector == NULL || state == NULL) {
        return;
    }
    int destroyed = strcmp(state, "DESTROYED") == 0;
    pthread_mutex_lock(&reg_lock);
    struct status_entry **pp = &reg_status;
    while (*pp != NULL && !(strcmp((*pp)->connector, connector) == 0 && (*pp)->task == task)) {
        pp = &(*pp)->next;
    }
    struct status_entry *e = *pp;
    if (destroyed) {
        if (e != NULL) {
            *pp = e->next;
            status_free(e);
        }
        /* A destroyed connector takes its tasks' entries with it. */
        if (task < 0) {
            for (pp = &reg_status; *pp != NULL;) {
                if (strcmp((*pp)->connector, connector) == 0) {
                    e = *pp;
                    *pp = e->next;
                    status_free(e);
                } else {
                    pp = &(*pp)->next;
                }
            }
        }
        pthread_mutex_unlock(&reg_lock);
        return;
    }
    if (e == NULL) {
        e = kc_calloc(1, sizeof(*e));
        if (e == NULL || (e->connector = kc_strdup(connector)) == NULL) {
            kc_free(e);
            pthread_mutex_unlock(&reg_lock);
            return;
        }
        e->task = task;
        /* Appended: entries render in the order they first appeared. */
        *pp = e;
    }
    size_t i = 0;
    for (; state[i] != '\0' && i + 1 < sizeof(e->state); i++) {
        char c = state[i];
        e->state[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    e->state[i] = '\0';
    set_str(&e->class_name, class_name);
    set_str(&e->version, version);
    pthread_mutex_unlock(&reg_lock);
}

void metrics_worker_rebalanced(int64_t epoch, int64_t elapsed_ms)
{
    int64_t now = kc_now_ms();
    pthread_mutex_lock(&reg_lock);
    reg_rebalances++;
    reg_epoch = epoch;
    reg_last_rebalance_ms = now;
    metrics_stat_record(&reg_rebalance_ms, (double)elapsed_ms, now);
    pthread_mutex_unlock(&reg_lock);
}

void metrics_worker_startup(int is_task, int ok)
{
    pthread_mutex_lock(&reg_lock);
    reg_start_attempts[is_task != 0]++;
    reg_start_ok[is_task != 0] += ok != 0;
    pthread_mutex_unlock(&reg_lock);
}

void metrics_reset(void)
{
    pthread_mutex_lock(&reg_lock);
    while (reg_status != NULL) {
        struct status_entry *e = reg_status;
        reg_status = e->next;
        status_free(e);
    }
    reg_rebalances = 0;
    reg_epoch = 0;
    reg_last_rebalance_ms = 0;
    memset(reg_start_attempts, 0, sizeof(reg_start_attempts));
    memset(reg_start_ok, 0, sizeof(reg_start_ok));
    memset(&reg_rebalance_ms, 0, sizeof(reg_rebalance_ms));
    pthread_mutex_unlock(&reg_lock);
}

/* ---------------------------------------------------------------- rendering */

/* A label value as the text format wants it: \ " and newline escaped. */
static int put_label(struct kc_buf *b, const char *name, const char *v, int first)
{
    int rc = kc_buf_printf(b, "%s%s=\"", first ? "" : ",", name);
    for (const char *p = v; rc == KC_OK && *p != '\0'; p++) {
        rc = *p == '\\'  ? kc_buf_append_str(b, "\\\\")
             : *p == '"' ? kc_buf_append_str(b, "\\\"")
             : *p == '\n' ? kc_buf_append_str(b, "\\n")
                          : kc_buf_append_byte(b, (uint8_t)*p);
    }
    return rc == KC_OK ? kc_buf_append_byte(b, '"') : rc;
}

static int put_value(struct kc_buf *b, double v)
{
    if (isnan(v)) {
        return kc_buf_append_str(b, " NaN\n");
    }
    if (isinf(v)) {
        return kc_buf_append_str(b, v > 0 ? " +Inf\n" : " -Inf\n");
    }
    if (v == floor(v) && fabs(v) < 9.007199254740992e15) {
        return kc_buf_printf(b, " %lld\n", (long long)v);
    }
    return kc_buf_printf(b, " %.10g\n", v);
}

static int put_family(struct kc_buf *b, const char *name, const char *type, const char *help)
{
    return kc_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One value of a task block (m->lock held for the stats). */
typedef double (*task_value_fn)(struct metrics_task *m, int64_t now);

struct task_family {
    const char *name;
    const char *type;
    const char *help;
    task_value_fn get;
    int with_sink; /* connect_c_sink_*: also a sink="<name>" label */
};

#define LOAD(f) ((double)atomic_load_explicit(&m->f, memory_order_relaxed))
#define DEF_COUNTER(fn, f)                                                                    \
    static double fn(struct metrics_task *m, int64_t now)                                     \
    {                                                                                         \
        (void)now;                                                                            \
        return LOAD(f);                                                                       \
    }
DEF_COUNTER(v_read, records_read)
DEF_COUNTER(v_sent, records_sent)
DEF_COUNTER(v_commit_ok, commit_completions)
DEF_COUNTER(v_commit_skip, commit_skips)
DEF_COUNTER(v_commit_seq, commit_seq)
DEF_COUNTER(v_partitions, partitions)
DEF_COUNTER(v_active, active_records)
DEF_COUNTER(v_lag, lag_max)
DEF_COUNTER(v_rec_errors, record_errors)
DEF_COUNTER(v_rec_failures, record_failures)
DEF_COUNTER(v_skipped, records_skipped)
DEF_COUNTER(v_logged, errors_logged)
DEF_COUNTER(v_dlq_req, dlq_requests)
DEF_COUNTER(v_dlq_fail, dlq_failures)
DEF_COUNTER(v_retries, retries)
DEF_COUNTER(v_last_error, last_error_ms)
DEF_COUNTER(v_bytes_read, bytes_read)
DEF_COUNTER(v_inserts, inserts)
DEF_COUNTER(v_insert_fail, insert_failures)
DEF_COUNTER(v_bytes_sent, bytes_sent)
DEF_COUNTER(v_sink_retries, sink_retries)
DEF_COUNTER(v_budget_limit, budget_limit)
DEF_COUNTER(v_budget_used, budget_used)
DEF_COUNTER(v_budget_peak, budget_peak)
DEF_COUNTER(v_budget_spent, budget_spent)
#undef DEF_COUNTER

static double v_insert_ms(struct metrics_task *m, int64_t now)
{
    (void)now;
    return LOAD(insert_us) / 1000.0;
}
static double v_budget_ratio(struct metrics_task *m, int64_t now)
{
    (void)now;
    double lim = LOAD(budget_limit);
    return lim > 0 ? LOAD(budget_used) / lim : 0;
}
static double v_put_avg(struct metrics_task *m, int64_t now)
{
    return metrics_stat_avg(&m->put_ms, now);
}
static double v_put_max(struct metrics_task *m, int64_t now)
{
    return metrics_stat_max(&m->put_ms, now);
}
static double v_commit_avg(struct metrics_task *m, int64_t now)
{
    return metrics_stat_avg(&m->commit_ms, now);
}
static double v_commit_max(struct metrics_task *m, int64_t now)
{
    return metrics_stat_max(&m->commit_ms, now);
}
/* The JVM's failure/success percentages are averages of 1/0 per commit, 0 when none ran. */
static double v_commit_failure(struct metrics_task *m, int64_t now)
{
    double a = metrics_stat_avg(&m->commit_fail, now);
    return isnan(a) ? 0 : a;
}
static double v_commit_success(struct metrics_task *m, int64_t now)
{
    double a = metrics_stat_avg(&m->commit_fail, now);
    return isnan(a) ? 0 : 1 - a;
}
static double v_batch_avg(struct metrics_task *m, int64_t now)
{
    return metrics_stat_avg(&m->batch_size, now);
}
static double v_batch_max(struct metrics_task *m, int64_t now)
{
    return metrics_stat_max(&m->batch_size, now);
}
static double v_active_avg(struct metrics_task *m, int64_t now)
{
    return metrics_stat_avg(&m->active, now);
}
static double v_active_max(struct metrics_task *m, int64_t now)
{
    return metrics_stat_max(&m->active, now);
}
static double v_read_rate(struct metrics_task *m, int64_t now)
{
    return metrics_stat_rate(&m->read_n, now);
}
static double v_sent_rate(struct metrics_task *m, int64_t now)
{
    return metrics_stat_rate(&m->sent_n, now);
}
static double v_commit_ok_rate(struct metrics_task *m, int64_t now)
{
    return metrics_stat_rate(&m->commit_ok_n, now);
}
static double v_commit_skip_rate(struct metrics_task *m, int64_t now)
{
    return metrics_stat_rate(&m->commit_skip_n, now);
}
static double v_insert_avg(struct metrics_task *m, int64_t now)
{
    return metrics_stat_avg(&m->insert_ms, now);
}
static double v_insert_max(struct metrics_task *m, int64_t now)
{
    return metrics_stat_max(&m->insert_ms, now);
}
/* Share of the task's life spent running / paused, the current state included. */
static double ratio(struct metrics_task *m, int64_t now, int want_paused)
{
    int64_t total = now - (int64_t)LOAD(started_ms);
    int64_t cur = now - (int64_t)LOAD(state_since_ms);
    int64_t part = (int64_t)(want_paused ? LOAD(paused_ms) : LOAD(running_ms));
    if (atomic_load(&m->paused) == want_paused) {
        part += cur > 0 ? cur : 0;
    }
    return total > 0 ? (double)part / (double)total : (want_paused ? 0 : 1);
}
static double v_running_ratio(struct metrics_task *m, int64_t now)
{
    return ratio(m, now, 0);
}
static double v_pause_ratio(struct metrics_task *m, int64_t now)
{
    return ratio(m, now, 1);
}
#undef LOAD

static const struct task_family task_families[] = {
    /* connector-task-metrics */
    {"kafka_connect_connector_task_batch_size_avg", "gauge",
     "The average number of records in the batches the task has processed so far.",
     v_batch_avg, 0},
    {"kafka_connect_connector_task_batch_size_max", "gauge",
     "The number of records in the largest batch the task has processed so far.", v_batch_max, 0},
    {"kafka_connect_connector_task_offset_commit_avg_time_ms", "gauge",
     "The average time in milliseconds taken by this task to commit offsets.", v_commit_avg, 0},
    {"kafka_connect_connector_task_offset_commit_max_time_ms", "gauge",
     "The maximum time in milliseconds taken by this task to commit offsets.", v_commit_max, 0},
    {"kafka_connect_connector_task_offset_commit_failure_percentage", "gauge",
     "The average percentage of this task's offset commit attempts that failed.",
     v_commit_failure, 0},
    {"kafka_connect_connector_task_offset_commit_success_percentage", "gauge",
     "The average percentage of this task's offset commit attempts that succeeded.",
     v_commit_success, 0},
    {"kafka_connect_connector_task_pause_ratio", "gauge",
     "The fraction of time this task has spent in the pause state.", v_pause_ratio, 0},
    {"kafka_connect_connector_task_running_ratio", "gauge",
     "The fraction of time this task has spent in the running state.", v_running_ratio, 0},
    /* sink-task-metrics */
    {"kafka_connect_sink_task_sink_record_read_total", "counter",
     "The total number of records read from Kafka by this task since it was last restarted.",
     v_read, 0},
    {"kafka_connect_sink_task_sink_record_send_total", "counter",
     "The total number of records output from the transformations and sent/put to this task "
     "since it was last restarted.", v_sent, 0},
    {"kafka_connect_sink_task_sink_record_read_rate", "gauge",
     "The average per-second number of records read from Kafka for this task belonging to the "
     "named sink connector in this worker.", v_read_rate, 0},
    {"kafka_connect_sink_task_sink_record_send_rate", "gauge",
     "The average per-second number of records output from the transformations and sent/put to "
     "this task belonging to the named sink connector in this worker.", v_sent_rate, 0},
    {"kafka_connect_sink_task_offset_commit_completion_rate", "gauge",
     "The average per-second number of offset commit completions that were completed "
     "successfully.", v_commit_ok_rate, 0},
    {"kafka_connect_sink_task_offset_commit_skip_rate", "gauge",
     "The average per-second number of offset commit completions that were received too late "
     "and skipped/ignored.", v_commit_skip_rate, 0},
    {"kafka_connect_sink_task_put_batch_avg_time_ms", "gauge",
     "The average time taken by this task to put a batch of sinks records.", v_put_avg, 0},
    {"kafka_connect_sink_task_put_batch_max_time_ms", "gauge",
     "The maximum time taken by this task to put a batch of sinks records.", v_put_max, 0},
    {"kafka_connect_sink_task_offset_commit_completion_total", "counter",
     "The total number of offset commit completions that were completed successfully.",
     v_commit_ok, 0},
    {"kafka_connect_sink_task_offset_commit_skip_total", "counter",
     "The total number of offset commit completions that were received too late and "
     "skipped/ignored (connect-c: commit points where the sink asked to retry).",
     v_commit_skip, 0},
    {"kafka_connect_sink_task_offset_commit_seq_no", "gauge",
     "The current sequence number for offset commits.", v_commit_seq, 0},
    {"kafka_connect_sink_task_partition_count", "gauge",
     "The number of topic partitions assigned to this task belonging to the named sink "
     "connector in this worker.", v_partitions, 0},
    {"kafka_connect_sink_task_sink_record_active_count", "gauge",
     "The number of records that have been read from Kafka but not yet completely "
     "committed/flushed/acknowledged by the sink task.", v_active, 0},
    {"kafka_connect_sink_task_sink_record_active_count_avg", "gauge",
     "The average number of records that have been read from Kafka but not yet completely "
     "committed/flushed/acknowledged by the sink task.", v_active_avg, 0},
    {"kafka_connect_sink_task_sink_record_active_count_max", "gauge",
     "The maximum number of records that have been read from Kafka but not yet completely "
     "committed/flushed/acknowledged by the sink task.", v_active_max, 0},
    {"kafka_connect_sink_task_sink_record_lag_max", "gauge",
     "The maximum lag in terms of number of records that the sink task is behind the consumer's "
     "position for any topic partitions.", v_lag, 0},
    /* task-error-metrics */
    {"kafka_connect_task_error_total_record_errors", "counter",
     "The number of record processing errors in this task.", v_rec_errors, 0},
    {"kafka_connect_task_error_total_record_failures", "counter",
     "The number of record processing failures in this task.", v_rec_failures, 0},
    {"kafka_connect_task_error_total_records_skipped", "counter",
     "The number of records skipped due to errors.", v_skipped, 0},
    {"kafka_connect_task_error_total_retries", "counter",
     "The number of operations retried.", v_retries, 0},
    {"kafka_connect_task_error_total_errors_logged", "counter",
     "The number of errors that were logged.", v_logged, 0},
    {"kafka_connect_task_error_deadletterqueue_produce_requests", "counter",
     "The number of attempted writes to the dead letter queue.", v_dlq_req, 0},
    {"kafka_connect_task_error_deadletterqueue_produce_failures", "counter",
     "The number of failed writes to the dead letter queue.", v_dlq_fail, 0},
    {"kafka_connect_task_error_last_error_timestamp", "gauge",
     "The epoch timestamp when this task last encountered an error.", v_last_error, 0},
    /* connect-c */
    {"connect_c_task_record_bytes_read_total", "counter",
     "Raw key and value bytes read from Kafka by this task.", v_bytes_read, 0},
    {"connect_c_task_budget_limit_bytes", "gauge",
     "The task's byte budget (task.memory.budget.bytes).", v_budget_limit, 0},
    {"connect_c_task_budget_used_bytes", "gauge",
     "Bytes of the budget in use: the batch being put and what the sink holds.", v_budget_used,
     0},
    {"connect_c_task_budget_peak_bytes", "gauge", "The highest budget use seen.",
     v_budget_peak, 0},
    {"connect_c_task_budget_use_ratio", "gauge", "Budget use as a fraction of the limit.",
     v_budget_ratio, 0},
    {"connect_c_task_budget_paused", "gauge",
     "1 while consumption is paused because the byte budget is spent.", v_budget_spent, 0},
    {"connect_c_sink_insert_total", "counter",
     "Writes to the target system (inserts, uploads, sends) that succeeded.", v_inserts, 1},
    {"connect_c_sink_insert_failures_total", "counter",
     "Writes to the target system that failed.", v_insert_fail, 1},
    {"connect_c_sink_insert_time_ms_total", "counter",
     "Milliseconds spent in writes to the target system.", v_insert_ms, 1},
    {"connect_c_sink_insert_avg_time_ms", "gauge",
     "Average time of one write to the target system.", v_insert_avg, 1},
    {"connect_c_sink_insert_max_time_ms", "gauge",
     "Longest write to the target system.", v_insert_max, 1},
    {"connect_c_sink_bytes_sent_total", "counter",
     "Bytes written to the target system.", v_bytes_sent, 1},
    {"connect_c_sink_retries_total", "counter",
     "Retries inside the sink (a write tried again, a reconnect).", v_sink_retries, 1},
};

static int task_labels(struct kc_buf *b, const struct metrics_task *m, int with_sink)
{
    char id[24];
    snprintf(id, sizeof(id), "%d", m->task);
    int rc = kc_buf_append_byte(b, '{');
    rc = rc == KC_OK ? put_label(b, "connector", m->connector, 1) : rc;
    rc = rc == KC_OK ? put_label(b, "task", id, 0) : rc;
    if (with_sink && rc == KC_OK) {
        rc = put_label(b, "sink", m->sink, 0);
    }
    return rc == KC_OK ? kc_buf_append_byte(b, '}') : rc;
}

static int render_tasks(struct kc_buf *b, int64_t now)
{
    int rc = KC_OK;
    for (size_t f = 0; rc == KC_OK && f < sizeof(task_families) / sizeof(task_families[0]); f++) {
        const struct task_family *tf = &task_families[f];
        if (reg_tasks == NULL) {
            break;
        }
        rc = put_family(b, tf->name, tf->type, tf->help);
        for (struct metrics_task *m = reg_tasks; rc == KC_OK && m != NULL; m = m->next) {
            pthread_mutex_lock(&m->lock);
            double v = tf->get(m, now);
            pthread_mutex_unlock(&m->lock);
            rc = kc_buf_append_str(b, tf->name);
            rc = rc == KC_OK ? task_labels(b, m, tf->with_sink) : rc;
            rc = rc == KC_OK ? put_value(b, v) : rc;
        }
    }
    return rc;
}

static int render_status(struct kc_buf *b)
{
    int rc = KC_OK;
    char id[24];
    /* connector-task-metrics status */
    int any = 0;
    for (struct status_entry *e = reg_status; rc == KC_OK && e != NULL; e = e->next) {
        if (e->task < 0) {
            continue;
        }
        if (!any++) {
            rc = put_family(b, "kafka_connect_connector_task_status", "gauge",
                            "The status of the connector task.");
        }
        snprintf(id, sizeof(id), "%d", e->task);
        rc = rc == KC_OK ? kc_buf_append_str(b, "kafka_connect_connector_task_status{") : rc;
        rc = rc == KC_OK ? put_label(b, "connector", e->connector, 1) : rc;
        rc = rc == KC_OK ? put_label(b, "task", id, 0) : rc;
        rc = rc == KC_OK ? put_label(b, "status", e->state, 0) : rc;
        rc = rc == KC_OK ? kc_buf_append_str(b, "} 1\n") : rc;
    }
    /* connector-metrics: status, connector-class, connector-type, connector-version, each a
     * label of a sample of value 1 */
    static const struct {
        const char *name, *label, *help;
    } attrs[] = {
        {"kafka_connect_connector_status", "status", "The status of the connector."},
        {"kafka_connect_connector_connector_class", "connector_class",
         "The name of the connector class."},
        {"kafka_connect_connector_connector_type", "connector_type",
         "The type of the connector. One of 'source' or 'sink'."},
        {"kafka_connect_connector_connector_version", "connector_version",
         "The version of the connector class, as reported by the connector."},
    };
    for (size_t a = 0; rc == KC_OK && a < sizeof(attrs) / sizeof(attrs[0]); a++) {
        any = 0;
        for (struct status_entry *e = reg_status; rc == KC_OK && e != NULL; e = e->next) {
            const char *v = a == 0 ? e->state : a == 1 ? e->class_name : a == 2 ? "sink"
                                                                              : e->version;
            if (e->task >= 0 || v == NULL) {
                continue;
            }
            if (!any++) {
                rc = put_family(b, attrs[a].name, "gauge", attrs[a].help);
            }
            rc = rc == KC_OK ? kc_buf_printf(b, "%s{", attrs[a].name) : rc;
            rc = rc == KC_OK ? put_label(b, "connector", e->connector, 1) : rc;
            rc = rc == KC_OK ? put_label(b, attrs[a].label, v, 0) : rc;
            rc = rc == KC_OK ? kc_buf_append_str(b, "} 1\n") : rc;
        }
    }
    return rc;
}

/* A state that counts as "run in this worker" for connector-count and task-count. */
static int assigned(const struct status_entry *e)
{
    return strcmp(e->state, "unassigned") != 0;
}

static int render_worker(struct kc_buf *b, int64_t now)
{
    long connectors = 0, tasks = 0;
    for (struct status_entry *e = reg_status; e != NULL; e = e->next) {
        if (assigned(e)) {
            *(e->task < 0 ? &connectors : &tasks) += 1;
        }
    }
    int rc = put_family(b, "kafka_connect_worker_connector_count", "gauge",
                        "The number of connectors run in this worker.");
    rc = rc == KC_OK ? kc_buf_printf(b, "kafka_connect_worker_connector_count %ld\n", connectors)
                     : rc;
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_task_count", "gauge",
                                  "The number of tasks run in this worker.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_printf(b, "kafka_connect_worker_task_count %ld\n", tasks) : rc;

    /* connect-worker-metrics: connector and task startups */
    for (int k = 0; rc == KC_OK && k < 2; k++) {
        const char *what = k == 0 ? "connector" : "task";
        uint64_t n = reg_start_attempts[k], ok = reg_start_ok[k];
        struct {
            const char *suffix, *type, *help_pre, *help_post; /* help: pre + what + post */
            double v;
        } f[] = {
            {"attempts_total", "counter", "The total number of ", " startups that this worker "
             "has attempted.", (double)n},
            {"success_total", "counter", "The total number of ", " starts that succeeded.",
             (double)ok},
            {"failure_total", "counter", "The total number of ", " starts that failed.",
             (double)(n - ok)},
            {"success_percentage", "gauge", "The average percentage of this worker's ",
             "s starts that succeeded.", n > 0 ? (double)ok / (double)n : 0},
            {"failure_percentage", "gauge", "The average percentage of this worker's ",
             "s starts that failed.", n > 0 ? (double)(n - ok) / (double)n : 0},
        };
        for (size_t i = 0; rc == KC_OK && i < sizeof(f) / sizeof(f[0]); i++) {
            rc = kc_buf_printf(b, "# HELP kafka_connect_worker_%s_startup_%s %s%s%s", what,
                               f[i].suffix, f[i].help_pre, what, f[i].help_post);
            rc = rc == KC_OK ? kc_buf_printf(b,
                                             "\n# TYPE kafka_connect_worker_%s_startup_%s %s\n"
                                             "kafka_connect_worker_%s_startup_%s",
                                             what, f[i].suffix, f[i].type, what, f[i].suffix)
                             : rc;
            rc = rc == KC_OK ? put_value(b, f[i].v) : rc;
        }
    }

    /* connect-worker-metrics,connector=C: task counts by state */
    static const char *const states[] = {"total", "running", "paused", "failed", "unassigned",
                                         "destroyed", "restarting"};
    for (size_t s = 0; rc == KC_OK && s < sizeof(states) / sizeof(states[0]); s++) {
        int any = 0;
        for (struct status_entry *c = reg_status; rc == KC_OK && c != NULL; c = c->next) {
            if (c->task >= 0) {
                continue;
            }
            long n = 0;
            for (struct status_entry *e = reg_status; e != NULL; e = e->next) {
                if (e->task >= 0 && strcmp(e->connector, c->connector) == 0 &&
                    (s == 0 || strcmp(e->state, states[s]) == 0)) {
                    n++;
                }
            }
            if (!any++) {
                rc = kc_buf_printf(b,
                                   "# HELP kafka_connect_worker_connector_%s_task_count The "
                                   "number of %s tasks of the connector on the worker.\n"
                                   "# TYPE kafka_connect_worker_connector_%s_task_count gauge\n",
                                   states[s], states[s], states[s]);
            }
            rc = rc == KC_OK ? kc_buf_printf(b, "kafka_connect_worker_connector_%s_task_count{",
                                             states[s])
                             : rc;
            rc = rc == KC_OK ? put_label(b, "connector", c->connector, 1) : rc;
            rc = rc == KC_OK ? kc_buf_printf(b, "} %ld\n", n) : rc;
        }
    }

    /* connect-worker-rebalance-metrics */
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_rebalance_completed_rebalances_total",
                                  "counter",
                                  "The total number of rebalances completed by this worker.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_printf(b,
                                     "kafka_connect_worker_rebalance_completed_rebalances_total "
                                     "%llu\n",
                                     (unsigned long long)reg_rebalances)
                     : rc;
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_rebalance_epoch", "gauge",
                                  "The epoch or generation number of this worker.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_printf(b, "kafka_connect_worker_rebalance_epoch %lld\n",
                                     (long long)reg_epoch)
                     : rc;
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_rebalance_rebalancing", "gauge",
                                  "Whether this worker is currently rebalancing.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_printf(b, "kafka_connect_worker_rebalance_rebalancing %d\n",
                                     reg_rebalances == 0)
                     : rc;
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_rebalance_rebalance_avg_time_ms",
                                  "gauge",
                                  "The average time in milliseconds spent by this worker to "
                                  "rebalance.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_append_str(b, "kafka_connect_worker_rebalance_rebalance_avg_time_ms")
                     : rc;
    rc = rc == KC_OK ? put_value(b, metrics_stat_avg(&reg_rebalance_ms, now)) : rc;
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_rebalance_rebalance_max_time_ms",
                                  "gauge",
                                  "The maximum time in milliseconds spent by this worker to "
                                  "rebalance.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_append_str(b, "kafka_connect_worker_rebalance_rebalance_max_time_ms")
                     : rc;
    rc = rc == KC_OK ? put_value(b, metrics_stat_max(&reg_rebalance_ms, now)) : rc;
    rc = rc == KC_OK ? put_family(b, "kafka_connect_worker_rebalance_time_since_last_rebalance_ms",
                                  "gauge",
                                  "The time in milliseconds since this worker completed the "
                                  "most recent rebalance.")
                     : rc;
    rc = rc == KC_OK ? kc_buf_append_str(
                           b, "kafka_connect_worker_rebalance_time_since_last_rebalance_ms")
                     : rc;
    rc = rc == KC_OK ? put_value(b, reg_rebalances > 0 ? (double)(now - reg_last_rebalance_ms)
                                                       : INFINITY)
                     : rc;
    return rc;
}

int metrics_render(struct kc_buf *out)
{
    int64_t now = kc_now_ms();
    pthread_mutex_lock(&reg_lock);
    int rc = render_worker(out, now);
    rc = rc == KC_OK ? render_status(out) : rc;
    rc = rc == KC_OK ? render_tasks(out, now) : rc;
    pthread_mutex_unlock(&reg_lock);
    return rc == KC_OK ? KC_OK : KC_ENOMEM;
}
