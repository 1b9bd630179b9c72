/*
 * worker/task.c: the sink task thread. It owns its consumer, converters, sink context, DLQ
 * producer and batch arena; nothing here is touched by another thread except the op queue.
 *
 * The loop is the JVM's WorkerSinkTask cycle: poll a batch, convert (key, value, headers), run
 * the transforms, put() the batch, and at each commit point ask the sink which offsets are
 * durable (pre_commit, or flush + everything consumed) and commit those. The bookkeeping lives
 * in worker/offsets.c; this file keeps the loop and talks to librdkafka. The invariant: an
 * offset is committed only after the sink said every record before it is durable, and after
 * every record that went to the DLQ was acknowledged by Kafka. A crash or kill -9 therefore
 * causes redelivery of at most the records since the last commit, never loss.
 *
 * Memory: the converted batch and what the sink reports it holds share the task's byte budget
 * (task.memory.budget.bytes). At the budget the task calls a commit point to make room, and
 * while that frees nothing it pauses every partition (still polling, so the group membership
 * stays alive) until the sink is below three quarters of the budget.
 *
 * Partitions move cooperatively: a rebalance revokes (commits, then closes) only the partitions
 * that move; the others stay open with their buffered records.
 */
#include "task.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <librdkafka/rdkafka.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "conf_values.h"
#include "connector_config.h"
#include "conv.h"
#include "dlq.h"
#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "kc_thread.h"
#include "metrics.h"
#include "offsets.h"
#include "reaper.h"
#include "smt.h"

#define TASK_BATCH_MAX 500           /* the JVM's max.poll.records default */
#define TASK_POLL_MS 200
#define TASK_ARENA_CHUNK (256 * 1024)
#define TASK_ARENA_LIMIT ((size_t)64 << 20) /* converted data of one slice of a batch */
#define TASK_SLICE_MIN ((size_t)1 << 20)    /* a slice may always take this much */
#define TASK_RETRY_BACKOFF_MIN_MS 100
#define TASK_RETRY_BACKOFF_MAX_MS 10000
#define TASK_COMMITTED_TIMEOUT_MS 30000     /* reading committed offsets on assignment */
#define TASK_BUDGET_DEFAULT ((size_t)256 << 20)
#define TASK_CONNECT_EXC "org.apache.kafka.connect.errors.ConnectException"
#define TASK_KEY_BUDGET "task.memory.budget.bytes"
#define TASK_GAUGES_MS 500           /* lag, active records, budget: refreshed this often */

enum task_op {
    TASK_OP_PAUSE = 1,
    TASK_OP_RESUME,
    TASK_OP_STOP,
};

struct task {
    struct sink_task st; /* first: the sink's handle is the task itself */
    /* Immutable after task_new. */
    char *connector;                      /* owned */
    int id;
    const struct sink_connector_ops *ops; /* static */
    struct kc_strmap *config;             /* owned */
    struct conf_values *cv;               /* owned: config typed by the sink's config_def */
    struct kc_strmap *consumer_props;     /* owned */
    struct conv *key_conv;                /* owned */
    struct conv *value_conv;              /* owned */
    struct conv *header_conv;             /* owned */
    int value_schemas_enable;             /* the value converter's schemas.enable (JSON) */
    int raw_values; /* values stay raw (sink_raw_value_ok), decided once the sink has started:
                     * its start() may ask for converted ones */
    struct dlq *dlq;                      /* owned; errors.* handling and the DLQ producer */
    struct smt **smts;                    /* owned chain, in `transforms` order */
    size_t n_smts;
    struct smt_predicate **preds;         /* owned; referenced by smts */
    size_t n_preds;
    int64_t flush_interval_ms;
    int64_t flush_timeout_ms;
    struct task_callbacks cb;
    char **topics;                        /* owned list from `topics`, or NULL */
    size_t n_topics;
    char *topics_regex;                   /* owned, or NULL */

    /* Cross-thread. */
    struct kc_queue *ops_q;               /* owned ref: herder -> task ops (as intptr_t) */
    pthread_t thread;
    _Atomic int finished;                 /* set by the thread as its last act */
    _Atomic int orphan;                   /* 1: abandoned by task_free; 2: the thread ended */
    _Atomic int detached;
    _Atomic int paused_ack;               /* the thread has applied the user's pause */
    _Atomic int wake_tick;                /* sink_task_wake: tick after this poll */
    pthread_mutex_t wake_lock;            /* guards wake_q */
    rd_kafka_queue_t *wake_q;             /* owned handle on the consumer queue, while rk lives:
                                           * post() yields it so an op ends a poll at once */

    /* Task thread only. */
    int64_t commit_sent_ms; /* when the last asynchronous commit was sent */
    rd_kafka_t *rk;
    struct offsets offs;                  /* per assigned partition: positions, pauses */
    struct offsets_budget budget;
    int mmap_counted; /* counted by mmap_budget_join (left in task_destroy) */
    int paused;                           /* the user's pause (target state PAUSED) */
    int failed;
    int stopping;
    struct kc_arena arena;
    char **seen_topics;                   /* owned, for topic tracking */
    size_t n_seen_topics;
    rd_kafka_message_t **stash;           /* owned messages polled while a put was retried */
    size_t n_stash, cap_stash;
    /* The slice being put, so a report can find its record (not reported twice on retry). */
    const struct sink_record *put_recs;
    size_t put_n;
    unsigned char *put_reported;          /* put_n flags, in `reported` while putting */
    unsigned char *reported;              /* owned, cap_reported bytes */
    size_t cap_reported;
    int64_t next_tick;
    size_t avg_record;                    /* running average of raw record bytes */
    pthread_mutex_t auth_lock;            /* guards auth_error (librdkafka's threads set it) */
    char *auth_error;                     /* owned: an authentication failure to fail with */
    struct metrics_task *metrics;         /* owned; NULL when it could not be allocated */
    int64_t next_gauges;                  /* when to refresh the metrics gauges */
};

static void task_release_orphan(struct task *t);

static void fail_task(struct task *t, char *trace);
static char *make_trace(const char *exception_class, const char *msg, const char *cause_class,
                        const char *cause_msg);
static void apply_pauses(struct task *t);

static struct sink_task *as_sink_task(struct task *t)
{
    return &t->st;
}

static struct task *task_of(const struct sink_task *st)
{
    return (struct task *)(void *)st;
}

/* ---------------------------------------------------------------- services for the sink */

/* The errant-record reporter (stage TASK_PUT): the original Kafka record goes to the DLQ, with
 * its topic before any RegexRouter and its original headers. */
static int svc_report(struct sink_task *st, const struct sink_record *rec,
                      const char *exception_class, const struct kc_error *cause)
{
    struct task *t = task_of(st);
    if (t->put_recs != NULL && rec >= t->put_recs && rec < t->put_recs + t->put_n) {
        size_t i = (size_t)(rec - t->put_recs);
        if (t->put_reported[i]) {
            return KC_OK; /* reported on an earlier try of this batch */
        }
        t->put_reported[i] = 1;
    }
    const rd_kafka_message_t *m = rec->origin;
    if (m != NULL) {
        return dlq_report(t->dlq, rd_kafka_topic_name(m->rkt), m->partition, m->offset,
                          rec->timestamp, rec->ts_type, m->key, m->key_len, m->payload, m->len,
                          m, DLQ_STAGE_TASK_PUT, t->ops->task_class, exception_class,
                          cause->msg);
    }
    return dlq_report(t->dlq, rec->topic, rec->partition, rec->offset, rec->timestamp,
                      rec->ts_type, rec->key_raw, rec->key_len, rec->value_raw, rec->value_len,
                      NULL, DLQ_STAGE_TASK_PUT, t->ops->task_class, exception_class,
                      cause->msg);
}

static int svc_rewind(struct sink_task *st, const char *topic, int32_t partition, int64_t offset,
                      struct kc_error *err)
{
    struct task *t = task_of(st);
    int rc = offsets_request_rewind(&t->offs, topic, partition, offset, err);
    if (rc == KC_OK) {
        sink_task_log(st, KC_LOG_INFO, "Sink asked to continue %s-%d from offset %lld", topic,
                      (int)partition, (long long)offset);
    }
    return rc;
}

static void svc_pause(struct sink_task *st, const char *topic, int32_t partition, int pause)
{
    struct task *t = task_of(st);
    struct offsets_part *p = offsets_find(&t->offs, topic, partition);
    if (p == NULL) {
        return;
    }
    if (pause) {
        offsets_pause(&t->offs, p, OFFSETS_PAUSE_SINK);
    } else {
        offsets_resume(&t->offs, p, OFFSETS_PAUSE_SINK);
    }
    apply_pauses(t);
}

static void svc_buffered(struct sink_task *st, size_t bytes)
{
    task_of(st)->budget.sink_bytes = bytes;
}

static size_t svc_budget(const struct sink_task *st)
{
    return task_of(st)->budget.limit;
}

static const char *svc_value_converter(const struct sink_task *st, int *schemas_enable)
{
    const struct task *t = task_of(st);
    *schemas_enable = t->value_schemas_enable;
    return conv_class_name(t->value_conv);
}

static void svc_insert_done(struct sink_task *st, size_t bytes, int64_t elapsed_us, int ok)
{
    metrics_task_insert_done(task_of(st)->metrics, bytes, elapsed_us, ok);
}

static void svc_retried(struct sink_task *st)
{
    METRICS_ADD(task_of(st)->metrics, sink_retries, 1);
}

static void yield_poll(struct task *t);

/* From any thread: the sink's tick is due now; the poll it may be waiting in ends. */
static void svc_wake(struct sink_task *st)
{
    struct task *t = task_of(st);
    atomic_store(&t->wake_tick, 1);
    yield_poll(t);
}

static const struct sink_task_services task_services = {
    .report = svc_report,
    .rewind = svc_rewind,
    .pause = svc_pause,
    .buffered = svc_buffered,
    .budget = svc_budget,
    .value_converter = svc_value_converter,
    .insert_done = svc_insert_done,
    .retried = svc_retried,
    .wake = svc_wake,
};

/* ---------------------------------------------------------------- helpers */

static void set_state(struct task *t, enum herder_state s, char *trace)
{
    if (t->cb.on_state != NULL) {
        t->cb.on_state(t->cb.opaque, t->connector, t->id, s, trace);
    } else {
        kc_free(trace);
    }
}

/* Java-style trace text for a failure, as the status topic and REST show it. */
static char *make_trace(const char *exception_class, const char *msg, const char *cause_class,
                        const char *cause_msg)
{
    if (cause_class != NULL) {
        return kc_asprintf("%s: %s\n\tat connect-c.worker.task(task.c)\nCaused by: %s: %s\n"
                           "\tat connect-c.worker.task(task.c)\n",
                           exception_class, msg, cause_class, cause_msg ? cause_msg : "");
    }
    return kc_asprintf("%s: %s\n\tat connect-c.worker.task(task.c)\n", exception_class, msg);
}

static void fail_task(struct task *t, char *trace)
{
    if (t->failed) {
        kc_free(trace);
        return;
    }
    t->failed = 1;
    sink_task_log(as_sink_task(t), KC_LOG_ERROR,
                  "Task threw an uncaught and unrecoverable exception. Task is being killed and "
                  "will not recover until manually restarted: %s",
                  trace ? trace : "(no trace)");
    set_state(t, HERDER_STATE_FAILED, trace);
}

static void fail_with(struct task *t, const char *msg)
{
    fail_task(t, make_trace(TASK_CONNECT_EXC, msg, NULL, NULL));
}

static void track_topic(struct task *t, const char *topic)
{
    for (size_t i = 0; i < t->n_seen_topics; i++) {
        if (strcmp(t->seen_topics[i], topic) == 0) {
            return;
        }
    }
    char **n = kc_realloc(t->seen_topics, (t->n_seen_topics + 1) * sizeof(*n));
    if (n == NULL) {
        return;
    }
    t->seen_topics = n;
    if ((n[t->n_seen_topics] = kc_strdup(topic)) == NULL) {
        return;
    }
    t->n_seen_topics++;
    if (t->cb.on_topic != NULL) {
        t->cb.on_topic(t->cb.opaque, t->connector, t->id, topic);
    }
}

/* Tell the consumer about pause bits that changed (user, sink, budget). */
static void apply_pauses(struct task *t)
{
    if (t->rk == NULL) {
        return;
    }
    rd_kafka_topic_partition_list_t *pause = NULL, *resume = NULL;
    for (size_t i = 0; i < t->offs.n; i++) {
        struct offsets_part *p = &t->offs.p[i];
        unsigned want = p->paused != 0;
        if (want == p->applied_pause) {
            continue;
        }
        rd_kafka_topic_partition_list_t **l = want ? &pause : &resume;
        if (*l == NULL) {
            *l = rd_kafka_topic_partition_list_new(4);
        }
        rd_kafka_topic_partition_list_add(*l, p->topic, p->partition);
        p->applied_pause = want;
    }
    if (pause != NULL) {
        rd_kafka_pause_partitions(t->rk, pause);
        rd_kafka_topic_partition_list_destroy(pause);
    }
    if (resume != NULL) {
        rd_kafka_resume_partitions(t->rk, resume);
        rd_kafka_topic_partition_list_destroy(resume);
    }
}

/* Seek the partitions the sink asked to rewind (from open or put). */
static void apply_rewinds(struct task *t)
{
    if (!t->offs.rewinds) {
        return;
    }
    t->offs.rewinds = 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
    for (size_t i = 0; i < t->offs.n; i++) {
        struct offsets_part *p = &t->offs.p[i];
        if (p->rewind != OFFSETS_NONE) {
            rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->rewind;
            p->rewind = OFFSETS_NONE;
        }
    }
    if (l->cnt > 0) {
        rd_kafka_error_t *e = rd_kafka_seek_partitions(t->rk, l, 10000);
        if (e != NULL) {
            char *msg = kc_asprintf("Could not rewind as the sink asked: %s",
                                    rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            fail_with(t, msg != NULL ? msg : "Could not rewind as the sink asked");
            kc_free(msg);
        }
        for (int i = 0; i < l->cnt; i++) {
            if (l->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                sink_task_log(as_sink_task(t), KC_LOG_WARN, "Rewind of %s-%d failed: %s",
                              l->elems[i].topic, (int)l->elems[i].partition,
                              rd_kafka_err2str(l->elems[i].err));
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
}

/* 1 when a message belongs to a partition with a rewind still to apply: it was fetched before
 * the rewind and is not handed to the sink (the seek delivers it again). */
static int rewound(struct task *t, const rd_kafka_message_t *m)
{
    if (!t->offs.rewinds) {
        return 0;
    }
    const struct offsets_part *p =
        offsets_find(&t->offs, rd_kafka_topic_name(m->rkt), m->partition);
    return p == NULL || p->rewind != OFFSETS_NONE;
}

/* ---------------------------------------------------------------- commit points */

/* The answer to an asynchronous commit, served by the task's poll (the consumer queue) or by
 * rd_kafka_consumer_close. Only now are its offsets committed; a failed partition is sent
 * again at the next commit point, as the JVM's next commitAsync carries what its last one
 * failed to commit (and a rebalance's or stop's synchronous commit sends it regardless). */
static void commit_done(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                        rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    struct task *t = opaque;
    int ok = e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__NO_OFFSET;
    (void)rk;
    if (offsets == NULL && !ok) {
        offsets_commit_lost(&t->offs); /* which partitions is not said: all go again */
    }
    for (int i = 0; offsets != NULL && i < offsets->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &offsets->elems[i];
        int pok = ok && p->err == RD_KAFKA_RESP_ERR_NO_ERROR;
        if (offsets_commit_answered(&t->offs, p->topic, p->partition, p->offset,
                                    (const char *)p->metadata, p->metadata_size, pok) != KC_OK) {
            pok = 0; /* out of memory noting it: the partition's offset is sent again */
        }
        ok = ok && pok;
    }
    if (!ok) {
        sink_task_log(as_sink_task(t), KC_LOG_WARN, "Commit of offsets failed: %s; they are "
                      "committed again at the next commit point",
                      rd_kafka_err2str(e != RD_KAFKA_RESP_ERR_NO_ERROR ? e
                                       : RD_KAFKA_RESP_ERR__FAIL));
    }
    metrics_task_commit_done(t->metrics, ok, kc_now_ms() - t->commit_sent_ms);
}

/*
 * Ask the sink what is durable (pre_commit, or flush + everything consumed), wait for DLQ
 * deliveries, then commit it with its metadata (restricted to `only` when not NULL). Returns
 * KC_OK, KC_RETRY (the sink asked to retry: nothing committed), or negative (the task must
 * fail; err says why). A failed commit is logged and retried at the next commit point, as the
 * JVM does. async: as the JVM's periodic commitAsync, the answer comes back through the poll
 * (commit_done) and the task reads on meanwhile; else (rebalance, stop, the byte budget) it
 * waits for the group's answer, as commitSync.
 */
static int commit_point(struct task *t, const struct tp_list *only, int async,
                        struct kc_error *err)
{
    int requested = t->st.commit_requested;
    if (!offsets_pending(&t->offs) && !requested) {
        return KC_OK;
    }
    t->st.commit_requested = 0;
    struct sink_offset *consumed = NULL; /* what to commit, from offsets_ask_sink */
    size_t nc = 0;
    int64_t started = kc_now_ms();
    int commit_ok = -1; /* -1 = no commit was sent to the group */
    int async_ok = async && t->wake_q != NULL;
    int rc = offsets_ask_sink(&t->offs, t->ops, as_sink_task(t), only, async_ok, &consumed, &nc,
                              err);
    if (rc != KC_OK || (rc = dlq_flush(t->dlq, t->flush_timeout_ms, err)) != KC_OK || nc == 0) {
        goto out;
    }
    rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_new((int)nc);
    for (size_t i = 0; i < nc; i++) {
        rd_kafka_topic_partition_t *e =
            rd_kafka_topic_partition_list_add(c, consumed[i].topic, consumed[i].partition);
        e->offset = consumed[i].offset;
        if (consumed[i].metadata != NULL) {
            e->metadata_size = strlen(consumed[i].metadata);
            e->metadata = kc_malloc(e->metadata_size + 1); /* freed by the list: libc malloc */
            if (e->metadata != NULL) {
                memcpy(e->metadata, consumed[i].metadata, e->metadata_size + 1);
            } else {
                e->metadata_size = 0;
            }
        }
    }
    rd_kafka_resp_err_t e;
    if (async_ok) {
        e = rd_kafka_commit_queue(t->rk, c, t->wake_q, commit_done, t);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            /* on its way: committed when commit_done hears so */
            t->commit_sent_ms = started;
            offsets_commit_sent(&t->offs, consumed, nc);
            sink_task_log(as_sink_task(t), KC_LOG_DEBUG, "Committing offsets for %zu partitions",
                          nc);
            rd_kafka_topic_partition_list_destroy(c);
            kc_free(consumed);
            return rc; /* the metrics count it when its answer comes */
        }
    } else {
        e = rd_kafka_commit(t->rk, c, 0 /* sync */);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        sink_task_log(as_sink_task(t), KC_LOG_WARN, "Commit of offsets failed: %s",
                      rd_kafka_err2str(e));
        commit_ok = 0;
    } else {
        commit_ok = 1;
        if (offsets_committed(&t->offs, consumed, nc) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory committing offsets");
        }
        sink_task_log(as_sink_task(t), KC_LOG_DEBUG, "Committed offsets for %zu partitions",
                      nc);
    }
    rd_kafka_topic_partition_list_destroy(c);
out:
    if (rc == KC_RETRY) {
        metrics_task_commit_skipped(t->metrics);
    } else if (rc < 0) {
        commit_ok = 0;
    } else if (commit_ok < 0) {
        commit_ok = 1; /* everything durable was committed already */
    }
    if (commit_ok >= 0) {
        metrics_task_commit_done(t->metrics, commit_ok, kc_now_ms() - started);
    }
    if (rc == KC_RETRY && requested) {
        t->st.commit_requested = 1;
    }
    kc_free(consumed);
    return rc;
}

/* A commit point whose failure fails the task. Returns 0 when the task failed. */
static int commit_or_fail(struct task *t, const struct tp_list *only, int async)
{
    struct kc_error err = {0};
    int rc = commit_point(t, only, async, &err);
    if (rc < 0) {
        fail_with(t, err.msg[0] ? err.msg : "offset commit failed");
        return 0;
    }
    if (rc == KC_RETRY) {
        sink_task_log(as_sink_task(t), KC_LOG_WARN, "The sink asked to retry its commit: %s",
                      err.msg);
    }
    return 1;
}

/* ---------------------------------------------------------------- byte budget */

/* Re-evaluate the budget: at the limit, make room through a commit point; while nothing can be
 * released, pause every partition; below the low-water mark, resume. */
static void check_budget(struct task *t)
{
    int move = offsets_budget_check(&t->budget);
    if (t->budget.spent && move >= 0) {
        sink_task_log(as_sink_task(t), move > 0 ? KC_LOG_INFO : KC_LOG_DEBUG,
                      "Byte budget reached (%zu of %zu bytes); committing to make room",
                      offsets_budget_used(&t->budget), t->budget.limit);
        t->st.commit_requested = 1;
        if (!commit_or_fail(t, NULL, 0)) {
            return;
        }
        offsets_budget_check(&t->budget);
    }
    if (t->budget.spent) {
        offsets_pause_all(&t->offs, OFFSETS_PAUSE_BUDGET);
    } else {
        offsets_resume_all(&t->offs, OFFSETS_PAUSE_BUDGET);
    }
    apply_pauses(t);
}

/* ---------------------------------------------------------------- rebalances */

/* Read the group's committed offsets and metadata of newly assigned partitions. */
static void read_committed(struct task *t, rd_kafka_topic_partition_list_t *parts)
{
    rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_copy(parts);
    rd_kafka_resp_err_t e = rd_kafka_committed(t->rk, c, TASK_COMMITTED_TIMEOUT_MS);
    for (int i = 0; i < parts->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &c->elems[i];
        int64_t off = e == RD_KAFKA_RESP_ERR_NO_ERROR && p->err == RD_KAFKA_RESP_ERR_NO_ERROR
                          ? p->offset
                          : OFFSETS_NONE;
        char *md = NULL;
        if (off >= 0 && p->metadata != NULL && p->metadata_size > 0) {
            md = kc_malloc(p->metadata_size + 1);
            if (md != NULL) {
                memcpy(md, p->metadata, p->metadata_size);
                md[p->metadata_size] = '\0';
            }
        }
        if (offsets_assign(&t->offs, p->topic, p->partition, off, md) != KC_OK) {
            fail_with(t, "out of memory assigning partitions");
        }
        kc_free(md);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        sink_task_log(as_sink_task(t), KC_LOG_WARN,
                      "Could not read committed offsets of assigned partitions: %s",
                      rd_kafka_err2str(e));
    }
    rd_kafka_topic_partition_list_destroy(c);
}

/* The sink's view of a partition list; committed offsets from the bookkeeping. */
static struct tp *tp_array(struct task *t, const rd_kafka_topic_partition_list_t *in,
                           struct tp_list *out)
{
    struct tp *arr = kc_calloc((size_t)in->cnt + 1, sizeof(*arr));
    out->tp = arr;
    out->n = 0;
    if (arr == NULL) {
        return NULL;
    }
    for (int i = 0; i < in->cnt; i++) {
        const struct offsets_part *p =
            offsets_find(&t->offs, in->elems[i].topic, in->elems[i].partition);
        arr[i].topic = in->elems[i].topic;
        arr[i].partition = in->elems[i].partition;
        arr[i].committed = p != NULL ? p->committed : SINK_OFFSET_NONE;
        arr[i].metadata = p != NULL ? p->committed_md : NULL;
    }
    out->n = (size_t)in->cnt;
    return arr;
}

static void on_assign(struct task *t, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      int cooperative)
{
    struct kc_error err = {0};
    struct tp_list tl;
    read_committed(t, parts);
    struct tp *arr = tp_array(t, parts, &tl);
    if (arr == NULL) {
        fail_with(t, "out of memory assigning partitions");
    } else if (!t->failed && sink_call_open(t->ops, as_sink_task(t), &tl, &err) < 0) {
        fail_with(t, err.msg);
    }
    /* Rewinds asked for from open() become the start positions. */
    for (int i = 0; i < parts->cnt; i++) {
        struct offsets_part *p =
            offsets_find(&t->offs, parts->elems[i].topic, parts->elems[i].partition);
        if (p != NULL && p->rewind != OFFSETS_NONE) {
            parts->elems[i].offset = p->rewind;
            p->rewind = OFFSETS_NONE;
        }
        if (p != NULL && t->paused) {
            offsets_pause(&t->offs, p, OFFSETS_PAUSE_USER);
        }
        if (p != NULL && t->budget.spent) {
            offsets_pause(&t->offs, p, OFFSETS_PAUSE_BUDGET);
        }
    }
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
        if (e != NULL) {
            sink_task_log(as_sink_task(t), KC_LOG_WARN, "incremental assign failed: %s",
                          rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(rk, parts);
    }
    apply_pauses(t);
    kc_free(arr);
    METRICS_SET(t->metrics, partitions, (int64_t)t->offs.n);
    sink_task_log(as_sink_task(t), KC_LOG_INFO, "Partitions assigned: %d (now %zu)", parts->cnt,
                  t->offs.n);
}

static void on_revoke(struct task *t, rd_kafka_t *rk, rd_kafka_topic_partition_list_t *parts,
                      int cooperative)
{
    struct kc_error err = {0};
    struct tp_list tl;
    struct tp *arr = tp_array(t, parts, &tl);
    int lost = rd_kafka_assignment_lost(rk);
    if (!t->failed && arr != NULL) {
        /* Commit what the sink made durable before letting go (the JVM commits synchronously
         * in onPartitionsRevoked); lost partitions already belong to someone else. */
        if (!lost) {
            commit_or_fail(t, &tl, 0);
        }
        if (sink_call_close(t->ops, as_sink_task(t), &tl, &err) < 0) {
            sink_task_log(as_sink_task(t), KC_LOG_WARN, "close() failed: %s", err.msg);
        }
    }
    for (int i = 0; i < parts->cnt; i++) {
        offsets_revoke(&t->offs, parts->elems[i].topic, parts->elems[i].partition);
    }
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e != NULL) {
            rd_kafka_error_destroy(e);
        }
    } else {
        rd_kafka_assign(rk, NULL);
    }
    kc_free(arr);
    METRICS_SET(t->metrics, partitions, (int64_t)t->offs.n);
    sink_task_log(as_sink_task(t), KC_LOG_INFO, "Partitions %s: %d (now %zu)",
                  lost ? "lost" : "revoked", parts->cnt, t->offs.n);
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct task *t = opaque;
    int cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        on_assign(t, rk, parts, cooperative);
    } else {
        on_revoke(t, rk, parts, cooperative);
    }
}

/* ---------------------------------------------------------------- conversion */

struct conv_failure {
    enum dlq_stage stage;
    const char *class_name;      /* the converter or transform that failed */
    const char *exception_class; /* the Java exception it raised (NULL: DataException) */
    struct kc_error err;
};

static int convert_message(struct task *t, const rd_kafka_message_t *m, struct sink_record *r,
                           struct conv_failure *cf)
{
    const char *topic = rd_kafka_topic_name(m->rkt);
    memset(r, 0, sizeof(*r));
    r->topic = topic;
    r->partition = m->partition;
    r->offset = m->offset;
    rd_kafka_timestamp_type_t tstype;
    r->timestamp = rd_kafka_message_timestamp(m, &tstype);
    r->ts_type = tstype == RD_KAFKA_TIMESTAMP_CREATE_TIME       ? SINK_TS_CREATE
                 : tstype == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? SINK_TS_LOG_APPEND
                                                                : SINK_TS_NONE;
    r->key_raw = m->key;
    r->key_len = m->key_len;
    r->value_raw = m->payload;
    r->value_len = m->len;
    r->origin = m;
    r->kafka_topic = topic;
    r->kafka_partition = m->partition;
    r->kafka_offset = m->offset;

    if ((t->ops->flags & SINK_FLAG_NO_KEY) != 0 && t->n_smts == 0 && !t->st.want_key) {
        goto headers; /* the sink never reads it: raw bytes only */
    }
    cf->stage = DLQ_STAGE_KEY_CONVERTER;
    cf->class_name = conv_class_name(t->key_conv);
    int rc = conv_to_connect(t->key_conv, topic, m->key, m->key_len, &t->arena, &r->key_schema,
                             &r->key, &cf->err);
    if (rc != KC_OK) {
        cf->exception_class = conv_error_class(t->key_conv);
        return rc == KC_ENOMEM ? KC_ENOMEM : KC_EINVAL;
    }

headers:;
    rd_kafka_headers_t *hdrs = NULL;
    /* Skipped only when that cannot change which records fail: librdkafka builds a header
     * list for every record it is asked about, even an empty one (a malloc and a free per
     * record, about a tenth of the task thread's CPU with FileStreamSink). */
    int want_headers = (t->ops->flags & SINK_FLAG_NO_HEADERS) == 0 || t->n_smts > 0 ||
                       t->st.want_headers || !conv_header_total(t->header_conv);
    if (want_headers && rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        hdrs != NULL) {
        size_t nh = rd_kafka_header_cnt(hdrs);
        struct sink_header *sh = kc_arena_calloc(&t->arena, nh * sizeof(*sh) + 1);
        if (sh == NULL) {
            kc_error_set(&cf->err, KC_ENOMEM, "batch arena exhausted");
            return KC_ENOMEM;
        }
        cf->stage = DLQ_STAGE_HEADER_CONVERTER;
        cf->class_name = conv_class_name(t->header_conv);
        for (size_t i = 0; i < nh; i++) {
            const char *name;
            const void *val;
            size_t len;
            if (rd_kafka_header_get_all(hdrs, i, &name, &val, &len) !=
                RD_KAFKA_RESP_ERR_NO_ERROR) {
                break;
            }
            sh[i].key = name;
            sh[i].raw = val;
            sh[i].raw_len = len;
            rc = conv_header_to_connect(t->header_conv, topic, name, val, len, &t->arena,
                                        &sh[i].schema, &sh[i].value, &cf->err);
            if (rc != KC_OK) {
                cf->exception_class = conv_error_class(t->header_conv);
                return rc == KC_ENOMEM ? KC_ENOMEM : KC_EINVAL;
            }
            r->n_headers = i + 1;
        }
        r->headers = sh;
    }

    if (t->raw_values) {
        r->value_converted = 0;
        return KC_OK;
    }
    cf->stage = DLQ_STAGE_VALUE_CONVERTER;
    cf->class_name = conv_class_name(t->value_conv);
    rc = conv_to_connect(t->value_conv, topic, m->payload, m->len, &t->arena, &r->value_schema,
                         &r->value, &cf->err);
    if (rc != KC_OK) {
        cf->exception_class = conv_error_class(t->value_conv);
        return rc == KC_ENOMEM ? KC_ENOMEM : KC_EINVAL;
    }
    r->value_converted = 1;
    return KC_OK;
}

/*
 * Run the SMT chain on *rec in place. *kept = 0 when a transform dropped it. A failure fills
 * cf (stage TRANSFORMATION, the transform's class) and returns KC_EINVAL.
 */
static int apply_transforms(struct task *t, struct sink_record *rec, int *kept,
                            struct conv_failure *cf)
{
    const struct sink_record *cur = rec;
    for (size_t i = 0; i < t->n_smts; i++) {
        const struct sink_record *next = NULL;
        int rc = smt_apply(t->smts[i], cur, &t->arena, &next, &cf->err);
        if (rc != KC_OK) {
            cf->stage = DLQ_STAGE_TRANSFORMATION;
            cf->class_name = smt_class_name(t->smts[i]);
            cf->exception_class = smt_error_class(t->smts[i]);
            return rc == KC_ENOMEM ? KC_ENOMEM : KC_EINVAL;
        }
        if (next == NULL) {
            *kept = 0;
            return KC_OK;
        }
        cur = next;
    }
    if (cur != rec) {
        const char *kt = rec->kafka_topic;
        int32_t kp = rec->kafka_partition;
        int64_t ko = rec->kafka_offset;
        const void *origin = rec->origin;
        *rec = *cur;
        rec->kafka_topic = kt; /* whatever a transform did, these name the Kafka record */
        rec->kafka_partition = kp;
        rec->kafka_offset = ko;
        rec->origin = origin;
    }
    *kept = 1;
    return KC_OK;
}

/* ---------------------------------------------------------------- ops */

/* Apply pending ops. wait_ms > 0 blocks for the first one. */
static void drain_ops(struct task *t, int wait_ms)
{
    for (;;) {
        void *item = kc_queue_pop(t->ops_q, wait_ms);
        wait_ms = 0;
        if (item == NULL) {
            return;
        }
        switch ((enum task_op)(intptr_t)item) {
        case TASK_OP_PAUSE:
            if (!t->paused && !t->failed) {
                t->paused = 1;
                offsets_pause_all(&t->offs, OFFSETS_PAUSE_USER);
                apply_pauses(t);
                metrics_task_set_paused(t->metrics, 1);
                set_state(t, HERDER_STATE_PAUSED, NULL);
                atomic_store(&t->paused_ack, 1);
            }
            break;
        case TASK_OP_RESUME:
            if (t->paused && !t->failed) {
                t->paused = 0;
                atomic_store(&t->paused_ack, 0);
                offsets_resume_all(&t->offs, OFFSETS_PAUSE_USER);
                apply_pauses(t);
                metrics_task_set_paused(t->metrics, 0);
                set_state(t, HERDER_STATE_RUNNING, NULL);
            }
            break;
        case TASK_OP_STOP:
            t->stopping = 1;
            break;
        }
    }
}

/* ---------------------------------------------------------------- the batch */

/*
 * A batch goes through four steps, each its own function:
 *   convert_slice   messages -> sink records in the arena (converters, transforms), until the
 *                   arena (bounded by the byte budget) is full; failures go to report_failure;
 *   report_failure  errors.tolerance and the DLQ for one record that failed conversion;
 *   put_slice       put() with the retry loop (KC_RETRY: back off, keep the group alive);
 *   mark_handled    consumed offsets move past every message the slice handled.
 */

/* errors.tolerance + DLQ for a record that failed in a converter or transform. 0 when the
 * task failed. */
static int report_failure(struct task *t, const rd_kafka_message_t *m,
                          const struct sink_record *partial, struct conv_failure *cf)
{
    const char *exc = cf->exception_class != NULL
                          ? cf->exception_class
                          : "org.apache.kafka.connect.errors.DataException";
    int rc = dlq_report(t->dlq, rd_kafka_topic_name(m->rkt), m->partition, m->offset,
                        partial->timestamp, partial->ts_type, m->key, m->key_len, m->payload,
                        m->len, m, cf->stage, cf->class_name, exc, cf->err.msg);
    if (rc != KC_OK) {
        fail_task(t, make_trace(TASK_CONNECT_EXC, "Tolerance exceeded in error handler", exc,
                                cf->err.msg));
        return 0;
    }
    return 1; /* tolerated: the record is handled (skipped), its offset may be committed */
}

/*
 * Convert messages from the front of msgs into recs until they are all done or the arena is
 * full. *handled = messages dealt with (converted, dropped by a transform, tolerated, or
 * skipped for a pending rewind); *nr = records to put. KC_ENOMEM only when the task failed.
 */
static int convert_slice(struct task *t, rd_kafka_message_t **msgs, size_t n,
                         struct sink_record *recs, size_t *nr, size_t *handled)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR || rewound(t, m)) {
            continue; /* errors were handled by the caller; rewound ones come again */
        }
        /* field by field, not memset: the message buffer alone is 1 KiB, per record */
        struct conv_failure cf;
        cf.stage = DLQ_STAGE_KEY_CONVERTER; /* as a zeroed struct had it */
        cf.class_name = NULL;
        cf.exception_class = NULL;
        kc_error_clear(&cf.err);
        int kept = 1;
        int rc = convert_message(t, m, &recs[k], &cf);
        if (rc == KC_OK && t->n_smts > 0) {
            rc = apply_transforms(t, &recs[k], &kept, &cf);
        }
        if (rc == KC_OK) {
            k += (size_t)kept; /* a dropped record is handled: its offset moves on */
            continue;
        }
        if (rc == KC_ENOMEM && i > 0) {
            break; /* arena full: put what we have, the caller starts a new slice here */
        }
        if (rc == KC_ENOMEM) {
            snprintf(cf.err.msg, sizeof(cf.err.msg),
                     "Record of %zu bytes does not fit into the task's %zu MiB of batch memory "
                     "once converted",
                     m->len + m->key_len, t->arena.limit >> 20);
        }
        if (!report_failure(t, m, &recs[k], &cf)) {
            return KC_EFATAL;
        }
    }
    *nr = k;
    *handled = i;
    return KC_OK;
}

/* Keep a message polled while a put() was retried: it is put after the current batch. */
static void stash_message(struct task *t, rd_kafka_message_t *m)
{
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_message_destroy(m); /* errors while retrying: EOF and the like */
        return;
    }
    if (t->n_stash == t->cap_stash) {
        size_t cap = t->cap_stash ? t->cap_stash * 2 : 64;
        rd_kafka_message_t **ns = kc_realloc(t->stash, cap * sizeof(*ns));
        if (ns == NULL) {
            /* Not put and not marked: its offset is not committed; seek back so it comes
             * again rather than be skipped by later records of its partition. */
            rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt), m->partition)
                ->offset = m->offset;
            rd_kafka_error_t *e = rd_kafka_seek_partitions(t->rk, l, 10000);
            if (e != NULL) {
                rd_kafka_error_destroy(e);
                fail_with(t, "out of memory keeping records polled during a retry");
            }
            rd_kafka_topic_partition_list_destroy(l);
            rd_kafka_message_destroy(m);
            return;
        }
        t->stash = ns;
        t->cap_stash = cap;
    }
    t->stash[t->n_stash++] = m;
}

/* Drop records the sink reported during a try that then asked to retry: they are handled. */
static size_t drop_reported(struct task *t, struct sink_record *recs, size_t nr)
{
    size_t k = 0;
    for (size_t i = 0; i < nr; i++) {
        if (!t->put_reported[i]) {
            recs[k] = recs[i];
            t->put_reported[k] = 0;
            k++;
        }
    }
    return k;
}

/* put() with the retry loop. Returns KC_OK, KC_RETRY (stopping: nothing kept), or negative
 * (the task failed). */
static int put_slice(struct task *t, struct sink_record *recs, size_t nr)
{
    struct kc_error err = {0};
    int64_t backoff = TASK_RETRY_BACKOFF_MIN_MS;
    int paused_for_retry = 0, rc = KC_OK;
    /* Not from the arena: a slice ends when the arena is full. */
    if (nr > t->cap_reported) {
        unsigned char *r = kc_realloc(t->reported, nr);
        if (r == NULL) {
            fail_with(t, "out of memory putting a batch");
            return KC_ENOMEM;
        }
        t->reported = r;
        t->cap_reported = nr;
    }
    if (nr > 0) {
        memset(t->reported, 0, nr);
    }
    t->put_reported = t->reported;
    t->put_recs = recs;
    t->put_n = nr;
    for (;;) {
        int64_t started = kc_now_ms();
        rc = nr > 0 ? t->ops->put(as_sink_task(t), recs, nr, &err) : KC_OK;
        if (rc == KC_OK && nr > 0) {
            metrics_task_put_done(t->metrics, nr, kc_now_ms() - started);
        }
        if (rc != KC_RETRY) {
            break;
        }
        METRICS_ADD(t->metrics, retries, 1);
        /* RetriableException: pause, keep the group membership alive, then redeliver the same
         * batch (WorkerSinkTask does the same with context.timeout()). */
        sink_task_log(as_sink_task(t), KC_LOG_WARN,
                      "put() asked to retry (%s); retrying in %lld ms", err.msg,
                      (long long)backoff);
        nr = drop_reported(t, recs, nr);
        t->put_n = nr;
        if (!paused_for_retry) {
            offsets_pause_all(&t->offs, OFFSETS_PAUSE_USER);
            apply_pauses(t);
            paused_for_retry = 1;
        }
        drain_ops(t, (int)backoff);
        /* Serves rebalances. Partitions assigned meanwhile are not paused yet, so a message can
         * come back: keep it for after this batch (never drop it, a later commit would cover
         * it). */
        rd_kafka_message_t *m;
        while ((m = rd_kafka_consumer_poll(t->rk, 0)) != NULL) {
            stash_message(t, m);
        }
        offsets_pause_all(&t->offs, OFFSETS_PAUSE_USER);
        apply_pauses(t);
        if (t->stopping || t->failed) {
            rc = KC_RETRY; /* nothing kept: offsets of this batch stay uncommitted */
            break;
        }
        backoff = backoff * 2 > TASK_RETRY_BACKOFF_MAX_MS ? TASK_RETRY_BACKOFF_MAX_MS
                                                          : backoff * 2;
    }
    t->put_recs = NULL;
    t->put_n = 0;
    t->put_reported = NULL;
    if (paused_for_retry && !t->paused) {
        offsets_resume_all(&t->offs, OFFSETS_PAUSE_USER);
        apply_pauses(t);
    }
    if (rc < 0) {
        fail_with(t, err.msg[0] ? err.msg : "put() failed");
    }
    return rc;
}

/* Consumed offsets move past every message of the slice (put, dropped, tolerated), except for
 * partitions the sink rewound meanwhile. A batch comes in runs of one partition: each run is
 * marked once, at its highest offset (consumed only moves up), and its topic tracked once,
 * rather than a partition lookup and topic string compares per record. */
static void mark_handled(struct task *t, rd_kafka_message_t **msgs, size_t handled)
{
    const rd_kafka_topic_t *tracked = NULL; /* topic handle already passed to track_topic */
    size_t k = 0;
    while (k < handled) {
        rd_kafka_message_t *m = msgs[k];
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            k++;
            continue;
        }
        int64_t hi = m->offset;
        size_t e = k + 1;
        while (e < handled && msgs[e]->err == RD_KAFKA_RESP_ERR_NO_ERROR &&
               msgs[e]->rkt == m->rkt && msgs[e]->partition == m->partition) {
            hi = msgs[e]->offset > hi ? msgs[e]->offset : hi;
            e++;
        }
        if (!rewound(t, m)) { /* a rewind is per partition: the same for the whole run */
            const char *topic = rd_kafka_topic_name(m->rkt);
            offsets_mark_consumed(&t->offs, topic, m->partition, hi);
            if (m->rkt != tracked) {
                track_topic(t, topic);
                tracked = m->rkt;
            }
        }
        k = e;
    }
}

/*
 * Convert and put messages from the front of msgs until they are all done or the batch memory
 * is full; *done = how many messages were handled. A message that does not fit into an empty
 * arena on its own is a bad record ("too large"). Returns KC_OK, KC_RETRY (stopping), or
 * negative when the task failed. The caller resets the arena afterwards.
 */
static int process_slice(struct task *t, rd_kafka_message_t **msgs, size_t n, size_t *done)
{
    *done = 0;
    /* The slice may use what the budget leaves (at least TASK_SLICE_MIN). */
    size_t room = offsets_budget_room(&t->budget);
    t->arena.limit = room < TASK_SLICE_MIN ? TASK_SLICE_MIN
                     : room > TASK_ARENA_LIMIT ? TASK_ARENA_LIMIT
                                               : room;
    struct sink_record *recs = kc_arena_alloc(&t->arena, (n + 1) * sizeof(*recs));
    if (recs == NULL) {
        fail_with(t, "out of memory converting a batch");
        return KC_ENOMEM;
    }
    size_t nr = 0, handled = 0;
    int rc = convert_slice(t, msgs, n, recs, &nr, &handled);
    if (rc != KC_OK) {
        return rc;
    }
    t->budget.batch_bytes = kc_arena_bytes(&t->arena);
    if ((rc = put_slice(t, recs, nr)) != KC_OK) {
        return rc;
    }
    size_t used = offsets_budget_used(&t->budget); /* the batch and what the sink took of it */
    t->budget.peak = used > t->budget.peak ? used : t->budget.peak;
    mark_handled(t, msgs, handled);
    *done = handled;
    return KC_OK;
}

/* Convert and put a polled batch, in as many slices as the batch memory needs. */
static int process_batch(struct task *t, rd_kafka_message_t **msgs, size_t n)
{
    size_t start = 0;
    int slices = 0;
    while (start < n) {
        size_t done = 0;
        int rc = process_slice(t, msgs + start, n - start, &done);
        kc_arena_reset(&t->arena);
        t->budget.batch_bytes = 0;
        if (rc != KC_OK) {
            return rc;
        }
        start += done;
        slices++;
        apply_rewinds(t);
        if (start < n) {
            check_budget(t); /* the sink may hold more now: make room before the next slice */
            if (t->failed) {
                return KC_EFATAL;
            }
        }
    }
    if (slices > 1) {
        sink_task_log(as_sink_task(t), KC_LOG_DEBUG, "Batch of %zu records put in %d slices",
                      n, slices);
    }
    return KC_OK;
}

/*
 * A consumer error. Like the JVM's consumer, which throws from poll(): a fatal error, an
 * authorization failure or an offset reset with no policy fails the task; the rest (a topic
 * not there yet, a broker down) are logged and the consumer keeps trying.
 */
static void consumer_error(struct task *t, const rd_kafka_message_t *m)
{
    rd_kafka_resp_err_t e = m->err;
    const char *topic = m->rkt != NULL ? rd_kafka_topic_name(m->rkt) : NULL;
    char fatal[512];
    char *trace = NULL;
    switch (e) {
    case RD_KAFKA_RESP_ERR__PARTITION_EOF:
        return;
    case RD_KAFKA_RESP_ERR__FATAL:
        rd_kafka_fatal_error(t->rk, fatal, sizeof(fatal));
        trace = make_trace("org.apache.kafka.common.KafkaException", fatal, NULL, NULL);
        break;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED: {
        char *msg = kc_asprintf("Not authorized to access topics: [%s]", topic ? topic : "");
        trace = make_trace("org.apache.kafka.common.errors.TopicAuthorizationException",
                           msg ? msg : "Not authorized to access topics", NULL, NULL);
        kc_free(msg);
        break;
    }
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
        trace = make_trace("org.apache.kafka.common.errors.GroupAuthorizationException",
                           rd_kafka_message_errstr(m), NULL, NULL);
        break;
    case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET: {
        char *msg = kc_asprintf("Undefined offset with no reset policy for partitions: [%s-%d]",
                                topic ? topic : "", (int)m->partition);
        trace = make_trace("org.apache.kafka.clients.consumer.NoOffsetForPartitionException",
                           msg ? msg : "Undefined offset with no reset policy", NULL, NULL);
        kc_free(msg);
        break;
    }
    default:
        if (rd_kafka_fatal_error(t->rk, fatal, sizeof(fatal)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            trace = make_trace("org.apache.kafka.common.KafkaException", fatal, NULL, NULL);
            break;
        }
        sink_task_log(as_sink_task(t), KC_LOG_WARN, "Consumer error: %s",
                      rd_kafka_message_errstr(m));
        return;
    }
    fail_task(t, trace);
}

/* ---------------------------------------------------------------- thread */

/*
 * librdkafka's error events (from its own threads). A SASL or TLS authentication failure never
 * reaches the consumer queue as a message error: librdkafka logs it and retries forever. The JVM's
 * task fails with the SaslAuthenticationException its poll() throws, so the reason is kept here
 * and the task thread fails the task with it after its next poll.
 */
static void consumer_error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
    (void)rk;
    struct task *t = opaque;
    if (e != RD_KAFKA_RESP_ERR__AUTHENTICATION && e != RD_KAFKA_RESP_ERR__SSL) {
        /* With a callback set librdkafka no longer logs errors itself: say it here. */
        sink_task_log(as_sink_task(t), KC_LOG_WARN, "Kafka consumer error: %s: %s",
                      rd_kafka_err2name((rd_kafka_resp_err_t)e), reason);
        return;
    }
    pthread_mutex_lock(&t->auth_lock);
    if (t->auth_error == NULL) {
        t->auth_error = kc_asprintf("Kafka %sauthentication failed: %s",
                                    e == RD_KAFKA_RESP_ERR__SSL ? "TLS " : "", reason);
    }
    pthread_mutex_unlock(&t->auth_lock);
}

/* Fail the task when the consumer could not authenticate. 0 when it failed. */
static int check_auth(struct task *t)
{
    pthread_mutex_lock(&t->auth_lock);
    char *msg = t->auth_error;
    t->auth_error = NULL;
    pthread_mutex_unlock(&t->auth_lock);
    if (msg == NULL) {
        return 1;
    }
    fail_task(t, make_trace("org.apache.kafka.common.errors.SaslAuthenticationException", msg,
                            NULL, NULL));
    kc_free(msg);
    return 0;
}

/* librdkafka's prefetch queue and fetch size come out of the byte budget: at most an eighth of
 * it each (never more than what was configured), so a small budget is not blown by records
 * waiting in librdkafka. */
static void budget_prefetch(struct task *t, rd_kafka_conf_t *conf)
{
    char val[64], errstr[256];
    size_t len = sizeof(val);
    size_t eighth = t->budget.limit / 8;
    long long kb = 8192;
    if (rd_kafka_conf_get(conf, "queued.max.messages.kbytes", val, &len) == RD_KAFKA_CONF_OK) {
        kb = atoll(val);
    }
    if ((size_t)kb * 1024 > eighth) {
        snprintf(val, sizeof(val), "%zu", eighth / 1024 > 0 ? eighth / 1024 : 1);
        rd_kafka_conf_set(conf, "queued.max.messages.kbytes", val, errstr, sizeof(errstr));
    }
    len = sizeof(val);
    long long fetch = 52428800;
    if (rd_kafka_conf_get(conf, "fetch.max.bytes", val, &len) == RD_KAFKA_CONF_OK) {
        fetch = atoll(val);
    }
    size_t floor = (size_t)1 << 20; /* max.partition.fetch.bytes' default: the least it takes */
    if ((size_t)fetch > eighth && eighth >= floor) {
        snprintf(val, sizeof(val), "%zu", eighth);
        rd_kafka_conf_set(conf, "fetch.max.bytes", val, errstr, sizeof(errstr));
    }
}

/* librdkafka's own threads of the task's consumer are helpers of the task thread: the fetch
 * thread, woken by the network, no longer preempts it (kc_thread.h). */
static rd_kafka_resp_err_t consumer_thread_start(rd_kafka_t *rk, rd_kafka_thread_type_t type,
                                                 const char *name, void *opaque)
{
    (void)rk;
    (void)type;
    (void)name;
    (void)opaque;
    kc_thread_helper();
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

static rd_kafka_resp_err_t consumer_on_new(rd_kafka_t *rk, const rd_kafka_conf_t *conf,
                                           void *opaque, char *errstr, size_t errstr_size)
{
    (void)conf;
    (void)opaque;
    (void)errstr;
    (void)errstr_size;
    return rd_kafka_interceptor_add_on_thread_start(rk, "connect-c-helper",
                                                    consumer_thread_start, NULL);
}

static int make_consumer(struct task *t, struct kc_error *err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = kafka_admin_conf_new(t->consumer_props, NULL, err);
    if (conf == NULL) {
        return err->rc;
    }
    rd_kafka_conf_set_opaque(conf, t);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_error_cb(conf, consumer_error_cb);
    budget_prefetch(t, conf);
    rd_kafka_conf_interceptor_add_on_new(conf, "connect-c-helper", consumer_on_new, NULL);
    t->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (t->rk == NULL) {
        rd_kafka_conf_destroy(conf); /* still ours when rd_kafka_new fails */
        return kc_error_set(err, KC_EIO, "Failed to create consumer: %s", errstr);
    }
    rd_kafka_poll_set_consumer(t->rk);
    pthread_mutex_lock(&t->wake_lock);
    t->wake_q = rd_kafka_queue_get_consumer(t->rk);
    pthread_mutex_unlock(&t->wake_lock);
    return KC_OK;
}

/* Join the group only once the sink started: librdkafka joins from its own thread at
 * subscribe, and a member whose sink hangs in start would hold every rebalance of the group
 * for max.poll.interval.ms. */
static int subscribe(struct task *t, struct kc_error *err)
{
    size_t n = t->topics_regex != NULL ? 1 : t->n_topics;
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new((int)n);
    if (t->topics_regex != NULL) {
        /* librdkafka treats a leading '^' as a regex subscription; Java's topics.regex must
         * match the whole topic name, hence the anchors. */
        char *re = kc_asprintf("^(%s)$", t->topics_regex);
        if (re == NULL) {
            rd_kafka_topic_partition_list_destroy(sub);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        rd_kafka_topic_partition_list_add(sub, re, RD_KAFKA_PARTITION_UA);
        kc_free(re);
    } else {
        for (size_t i = 0; i < t->n_topics; i++) {
            if (t->topics[i][0] != '\0') { /* "a,,b" lists an empty name; nothing to read */
                rd_kafka_topic_partition_list_add(sub, t->topics[i], RD_KAFKA_PARTITION_UA);
            }
        }
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(t->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return kc_error_set(err, KC_EIO, "Failed to subscribe: %s", rd_kafka_err2str(e));
    }
    return KC_OK;
}

/* Records to poll at once: the JVM's max.poll.records, fewer when their raw bytes (by the
 * running average) would not fit in what the budget leaves. */
static size_t batch_max(const struct task *t)
{
    size_t room = offsets_budget_room(&t->budget);
    /* Until a batch was seen, assume large records: the first poll may not overshoot. */
    size_t avg = t->avg_record > 0 ? t->avg_record : (size_t)64 << 10;
    size_t n = room / 2 / avg;
    return n < 1 ? 1 : n > TASK_BATCH_MAX ? TASK_BATCH_MAX : n;
}

/*
 * One poll as the JVM's KafkaConsumer.poll(timeout) does it: wait up to wait_ms for the first
 * record, then take what is already fetched, up to max, without waiting for more.
 * rd_kafka_consume_batch_queue alone waits until max records came or the time ran out, so the
 * tail of a burst (or every record of a trickle) would sit in the queue for the whole wait.
 */
static ssize_t poll_batch(rd_kafka_queue_t *cq, int wait_ms, rd_kafka_message_t **msgs,
                          size_t max)
{
    ssize_t n = rd_kafka_consume_batch_queue(cq, 0, msgs, max);
    if (n == 0 && wait_ms > 0) {
        n = rd_kafka_consume_batch_queue(cq, wait_ms, msgs, 1);
        if (n == 1 && max > 1) {
            ssize_t more = rd_kafka_consume_batch_queue(cq, 0, msgs + 1, max - 1);
            n += more > 0 ? more : 0;
        }
    }
    return n < 0 ? 0 : n;
}

static void destroy_message(void *m)
{
    rd_kafka_message_destroy(m);
}

/* Put, then free, messages stashed during a retry. */
static void process_stash(struct task *t)
{
    while (t->n_stash > 0 && !t->failed && !t->stopping) {
        rd_kafka_message_t **batch = t->stash;
        size_t n = t->n_stash;
        t->stash = NULL;
        t->n_stash = t->cap_stash = 0;
        process_batch(t, batch, n);
        for (size_t i = 0; i < n; i++) {
            rd_kafka_message_destroy(batch[i]);
        }
        kc_free(batch);
    }
}

/* The sink's timer: tick when its deadline passed. 0 when the task failed. */
static int run_tick(struct task *t, int64_t now)
{
    if (now < t->next_tick) {
        return 1;
    }
    struct kc_error err = {0};
    int rc = sink_call_tick(t->ops, as_sink_task(t), now, &t->next_tick, &err);
    if (rc < 0) {
        fail_with(t, err.msg[0] ? err.msg : "tick failed");
        return 0;
    }
    if (rc == KC_RETRY) {
        sink_task_log(as_sink_task(t), KC_LOG_WARN, "tick asked to retry: %s", err.msg);
    }
    return 1;
}

/* Refresh the metrics gauges (at most every TASK_GAUGES_MS): records put but not committed,
 * the largest lag behind the high watermark librdkafka last saw, the byte budget. */
static void update_gauges(struct task *t, int64_t now)
{
    if (t->metrics == NULL || now < t->next_gauges) {
        return;
    }
    t->next_gauges = now + TASK_GAUGES_MS;
    int64_t active = 0, lag = 0;
    for (size_t i = 0; i < t->offs.n; i++) {
        const struct offsets_part *p = &t->offs.p[i];
        if (p->consumed >= 0) {
            active += p->consumed - (p->committed >= 0 ? p->committed : p->consumed);
        }
        int64_t lo = 0, hi = 0;
        if (rd_kafka_get_watermark_offsets(t->rk, p->topic, p->partition, &lo, &hi) ==
                RD_KAFKA_RESP_ERR_NO_ERROR &&
            hi >= 0) {
            int64_t pos = p->consumed >= 0 ? p->consumed : p->committed >= 0 ? p->committed : lo;
            lag = hi - pos > lag ? hi - pos : lag;
        }
    }
    METRICS_SET(t->metrics, active_records, active);
    METRICS_SET(t->metrics, lag_max, lag);
    METRICS_SET(t->metrics, budget_limit, (int64_t)t->budget.limit);
    METRICS_SET(t->metrics, budget_used, (int64_t)offsets_budget_used(&t->budget));
    METRICS_SET(t->metrics, budget_peak, (int64_t)t->budget.peak);
    METRICS_SET(t->metrics, budget_spent, t->budget.spent);
}

static void *task_main(void *arg)
{
    struct task *t = arg;
    struct kc_error err = {0};
    rd_kafka_message_t *msgs[TASK_BATCH_MAX];
    int started = 0;
    struct reaper *reaper = NULL; /* owned: frees put messages beside this thread */
    char tail[16];

    snprintf(tail, sizeof(tail), "-%d", t->id);
    kc_thread_name(t->connector, tail); /* "<connector>-<task>", the connector cut to fit */
    if (make_consumer(t, &err) != KC_OK) {
        fail_with(t, err.msg);
        goto wait_stop;
    }
    const struct conf_def *const tables[] = {t->ops->config_def};
    if (conf_values_parse(tables, 1, t->config, &t->cv, NULL, &err) != KC_OK) {
        fail_with(t, err.msg);
        goto wait_stop;
    }
    if (t->ops->start(as_sink_task(t), t->cv, &err) != KC_OK) {
        fail_with(t, err.msg);
        goto wait_stop;
    }
    started = 1;
    t->raw_values = t->n_smts == 0 && !t->st.want_converted &&
                    sink_raw_value_ok(t->ops->flags, conv_class_name(t->value_conv),
                                      t->value_schemas_enable);
    if (subscribe(t, &err) != KC_OK) {
        fail_with(t, err.msg);
        goto wait_stop;
    }
    sink_task_log(as_sink_task(t), KC_LOG_INFO, "Sink task started (byte budget %zu MiB)",
                  t->budget.limit >> 20);
    drain_ops(t, 0);
    if (!t->paused) {
        set_state(t, HERDER_STATE_RUNNING, NULL);
    }

    rd_kafka_queue_t *cq = rd_kafka_queue_get_consumer(t->rk);
    /* NULL: they are freed here, as before. What it holds pins fetch buffers outside the byte
     * budget: at most an eighth of it (as the prefetch queue and the fetch size). */
    reaper = reaper_start(destroy_message, t->budget.limit / 8);
    int64_t last_commit = kc_now_ms();
    t->next_tick = 0;
    while (!t->stopping && !t->failed) {
        drain_ops(t, 0);
        if (t->stopping) {
            break;
        }
        process_stash(t);
        check_budget(t);
        if (t->failed) {
            break;
        }
        int64_t now = kc_now_ms();
        if (t->st.tick_soon) { /* sink_task_tick_within from put, tick or pre_commit */
            if (now + t->st.tick_within_ms < t->next_tick) {
                t->next_tick = now + t->st.tick_within_ms;
            }
            t->st.tick_soon = 0;
        }
        if (atomic_exchange(&t->wake_tick, 0)) {
            t->next_tick = now; /* sink_task_wake: tick after this poll, which waits not */
        }
        int64_t wait = t->next_tick - now;
        int64_t to_commit = last_commit + t->flush_interval_ms - now;
        wait = wait < to_commit ? wait : to_commit;
        wait = wait < 0 ? 0 : wait > TASK_POLL_MS ? TASK_POLL_MS : wait;
        ssize_t n = poll_batch(cq, (int)wait, msgs, batch_max(t));
        if (!check_auth(t)) {
            for (ssize_t i = 0; i < n; i++) {
                rd_kafka_message_destroy(msgs[i]);
            }
            break;
        }
        size_t good = 0, bytes = 0;
        for (ssize_t i = 0; i < n; i++) {
            if (msgs[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                good++;
                bytes += msgs[i]->len + msgs[i]->key_len;
            } else if (!t->failed) {
                consumer_error(t, msgs[i]);
            }
        }
        if (good > 0) {
            metrics_task_read(t->metrics, good, bytes);
            size_t avg = bytes / good + 1;
            t->avg_record = t->avg_record == 0 ? avg : (t->avg_record * 7 + avg) / 8;
        }
        if (good > 0 && !t->failed) {
            t->budget.raw_bytes = bytes;
            process_batch(t, msgs, (size_t)n);
            t->budget.raw_bytes = 0;
        } else if (!t->failed) {
            /* The JVM puts an empty batch after an empty poll, and its batch-size and
             * put-batch-time averages count it: so do ours. */
            metrics_task_put_done(t->metrics, 0, 0);
        }
        if (reaper != NULL) {
            reaper_give(reaper, (void *const *)msgs, (size_t)n, bytes);
        } else {
            for (ssize_t i = 0; i < n; i++) {
                rd_kafka_message_destroy(msgs[i]);
            }
        }
        kc_arena_reset(&t->arena);
        if (t->failed) {
            break;
        }
        now = kc_now_ms();
        if (atomic_exchange(&t->wake_tick, 0)) {
            t->next_tick = now; /* woken during the poll or the put */
        }
        if (!run_tick(t, now)) {
            break;
        }
        if (t->st.commit_requested || now - last_commit >= t->flush_interval_ms) {
            if (!commit_or_fail(t, NULL, 1)) {
                break;
            }
            last_commit = now;
        }
        apply_rewinds(t); /* asked for from tick or pre_commit: seek before the next poll */
        update_gauges(t, now);
    }
    rd_kafka_queue_destroy(cq);

    if (!t->failed) {
        /* Orderly stop: final commit point (the JVM commits on close). */
        t->st.commit_requested = 1;
        if (commit_point(t, NULL, 0, &err) < 0) {
            sink_task_log(as_sink_task(t), KC_LOG_ERROR, "Final flush failed, offsets since "
                          "the last commit will be redelivered: %s", err.msg);
        }
    }

wait_stop:
    reaper_stop(reaper); /* every message is freed before the consumer goes */
    if (t->rk != NULL) {
        /* Leaving the group hands the partitions to the other tasks at once. The revocation
         * callback runs here; after a failure it commits nothing. */
        rd_kafka_consumer_close(t->rk);
    }
    if (started) {
        t->ops->stop(as_sink_task(t));
        sink_task_log(as_sink_task(t), KC_LOG_INFO, "Sink task stopped (byte budget %zu MiB, "
                      "peak use %zu KiB)", t->budget.limit >> 20, t->budget.peak >> 10);
    }
    for (size_t i = 0; i < t->n_stash; i++) {
        rd_kafka_message_destroy(t->stash[i]); /* never put, never committed */
    }
    t->n_stash = 0;
    if (t->rk != NULL) {
        pthread_mutex_lock(&t->wake_lock);
        if (t->wake_q != NULL) {
            rd_kafka_queue_destroy(t->wake_q);
            t->wake_q = NULL;
        }
        pthread_mutex_unlock(&t->wake_lock);
        rd_kafka_destroy(t->rk);
        t->rk = NULL;
    }
    /* A failed task stays FAILED until the herder stops or restarts it. */
    while (!t->stopping) {
        drain_ops(t, 1000);
    }
    atomic_store(&t->finished, 1);
    if (atomic_exchange(&t->orphan, 2) == 1) {
        /* abandoned while we hung: nobody else will free us */
        task_release_orphan(t);
    }
    return NULL;
}

/* ---------------------------------------------------------------- construction */

/* A comma-separated list (topics, transforms, predicates): trimmed, empty entries skipped, as
 * ConfigDef's LIST type parses it. *out: owned array of owned strings (free_list). */
static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(l[i]);
    }
    kc_free(l);
}

/* `<prefix><alias>.*` keys, prefix stripped, except "type" (and predicate/negate). */
static void alias_props(const struct kc_strmap *cfg, const char *prefix, const char *alias,
                        struct kc_strmap *out)
{
    size_t pl = strlen(prefix), al = strlen(alias);
    for (size_t i = 0; i < cfg->n; i++) {
        const char *k = cfg->e[i].key;
        if (strncmp(k, prefix, pl) == 0 && strncmp(k + pl, alias, al) == 0 && k[pl + al] == '.') {
            const char *sub = k + pl + al + 1;
            if (strcmp(sub, "type") != 0 && strcmp(sub, "predicate") != 0 &&
                strcmp(sub, "negate") != 0) {
                kc_strmap_set(out, sub, cfg->e[i].value);
            }
        }
    }
}

/* *key = prefix + alias + suffix (owned; the previous one is freed). */
static int alias_key(char **key, const char *prefix, const char *alias, const char *suffix,
                     struct kc_error *err)
{
    kc_free(*key);
    *key = kc_asprintf("%s%s%s", prefix, alias, suffix);
    return *key != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}

/*
 * The SMT chain from `transforms` and `predicates` (validated when the connector was created;
 * errors here still name the alias, for configs written by other workers).
 */
static int build_transforms(struct task *t, struct kc_error *err)
{
    struct conf_value tv, pv;
    int rc = connector_config_value(t->config, "transforms", &tv, err);
    if (rc == KC_OK) {
        rc = connector_config_value(t->config, "predicates", &pv, err);
    } else {
        pv = (struct conf_value){.is_null = 1};
    }
    char **aliases = tv.is_null ? NULL : tv.u.list.items;
    char **paliases = pv.is_null ? NULL : pv.u.list.items;
    size_t na = tv.is_null ? 0 : tv.u.list.n, np = pv.is_null ? 0 : pv.u.list.n;
    char *key = NULL; /* owned; built per alias, without a cap on the alias length */
    if (rc != KC_OK) {
        goto out;
    }
    rc = KC_ENOMEM;
    if (np > 0 && (t->preds = kc_calloc(np, sizeof(*t->preds))) == NULL) {
        kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        struct kc_strmap props;
        kc_strmap_init(&props);
        if ((rc = alias_key(&key, "predicates.", paliases[i], ".type", err)) != KC_OK) {
            kc_strmap_fini(&props);
            goto out;
        }
        alias_props(t->config, "predicates.", paliases[i], &props);
        rc = smt_predicate_new(kc_strmap_get(t->config, key), &props, &t->preds[i], err);
        kc_strmap_fini(&props);
        if (rc != KC_OK) {
            goto out;
        }
        t->n_preds++;
    }
    if (na > 0 && (t->smts = kc_calloc(na, sizeof(*t->smts))) == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < na; i++) {
        struct kc_strmap props;
        kc_strmap_init(&props);
        if ((rc = alias_key(&key, "transforms.", aliases[i], ".type", err)) != KC_OK) {
            kc_strmap_fini(&props);
            goto out;
        }
        alias_props(t->config, "transforms.", aliases[i], &props);
        rc = smt_new(kc_strmap_get(t->config, key), &props, &t->smts[i], err);
        kc_strmap_fini(&props);
        if (rc != KC_OK) {
            goto out;
        }
        t->n_smts++;
        /* ConnectorConfig's per-transform keys: predicate (STRING) and negate (BOOLEAN) */
        static const struct conf_def predicate_def = {.name = "predicate", .type = CONF_STRING,
                                                      .default_is_null = 1};
        static const struct conf_def negate_def = {.name = "negate", .type = CONF_BOOLEAN,
                                                   .default_value = "false"};
        struct conf_value pa, neg;
        if ((rc = alias_key(&key, "transforms.", aliases[i], ".predicate", err)) != KC_OK) {
            goto out;
        }
        if ((rc = conf_value_parse(&predicate_def, kc_strmap_get(t->config, key), &pa, err)) !=
            KC_OK) {
            goto out;
        }
        if (!pa.is_null && pa.u.s[0] != '\0') {
            size_t k = 0;
            while (k < np && strcmp(paliases[k], pa.u.s) != 0) {
                k++;
            }
            if (k == np) {
                rc = kc_error_set(err, KC_EINVAL, "Invalid value %s for configuration %s: "
                                                  "unknown predicate alias", pa.u.s, key);
                conf_value_fini(&pa);
                goto out;
            }
            if ((rc = alias_key(&key, "transforms.", aliases[i], ".negate", err)) != KC_OK) {
                conf_value_fini(&pa);
                goto out;
            }
            const char *raw = kc_strmap_get(t->config, key);
            rc = conf_value_parse(&negate_def, raw != NULL ? raw : "false", &neg, err);
            if (rc == KC_OK) {
                smt_set_predicate(t->smts[i], t->preds[k], neg.u.b);
            }
            conf_value_fini(&neg);
        }
        conf_value_fini(&pa);
        if (rc != KC_OK) {
            goto out;
        }
    }
    rc = KC_OK;
out:
    kc_free(key);
    conf_value_fini(&tv);
    conf_value_fini(&pv);
    return rc;
}

/*
 * glibc's mmap threshold follows the running tasks' budgets. main() fixes it at 256 KiB so that
 * the buffers the byte budget lets come and go leave the process when freed. librdkafka
 * allocates each fetch response whole, up to max.partition.fetch.bytes (1 MiB): mmapped, every
 * page of it is faulted in and zeroed, ~0.3 CPU-s per GB fetched (the S3 bench's 700-byte
 * envelopes: a third of the worker's CPU). When every running task has a roomy budget
 * (TASK_ROOMY_BUDGET, the default's half), buffers up to just over 1 MiB stay on the heap and
 * are reused: ~30% less CPU there for a few MiB more peak RSS, small next to such a budget. A
 * task with a small budget brings the threshold back. MALLOC_MMAP_THRESHOLD_ (or
 * glibc.malloc.mmap_threshold in GLIBC_TUNABLES) in the environment still wins.
 */
#define TASK_ROOMY_BUDGET ((size_t)128 << 20)
#define TASK_MMAP_SMALL ((size_t)256 << 10)
#define TASK_MMAP_ROOMY ((size_t)1152 << 10)

static pthread_mutex_t mmap_mu = PTHREAD_MUTEX_INITIALIZER;
static int mmap_tasks, mmap_small; /* running tasks, and those with a small budget */

static void mmap_apply(void)
{
#ifdef __GLIBC__
    static size_t current = TASK_MMAP_SMALL; /* main()'s */
    const char *tun = getenv("GLIBC_TUNABLES");
    if (getenv("MALLOC_MMAP_THRESHOLD_") != NULL ||
        (tun != NULL && strstr(tun, "glibc.malloc.mmap_threshold") != NULL)) {
        return; /* the user's */
    }
    /* (mallopt with other threads allocating: glibc stores the word under the main arena's
     * lock; later allocations see one threshold or the other, both valid) */
    size_t want = mmap_tasks > 0 && mmap_small == 0 ? TASK_MMAP_ROOMY : TASK_MMAP_SMALL;
    if (want != current && mallopt(M_MMAP_THRESHOLD, (int)want) == 1) {
        current = want;
    }
#endif
}

static void mmap_budget_join(struct task *t)
{
    pthread_mutex_lock(&mmap_mu);
    mmap_tasks++;
    mmap_small += t->budget.limit < TASK_ROOMY_BUDGET;
    mmap_apply();
    pthread_mutex_unlock(&mmap_mu);
    t->mmap_counted = 1;
}

static void mmap_budget_leave(struct task *t)
{
    if (!t->mmap_counted) {
        return;
    }
    pthread_mutex_lock(&mmap_mu);
    mmap_tasks--;
    mmap_small -= t->budget.limit < TASK_ROOMY_BUDGET;
    mmap_apply();
    pthread_mutex_unlock(&mmap_mu);
    t->mmap_counted = 0;
}

/* task.memory.budget.bytes of the connector, over the worker's default. */
static int read_budget(struct task *t, struct kc_error *err)
{
    static const struct conf_def budget_def = {.name = TASK_KEY_BUDGET, .type = CONF_LONG,
                                               .default_is_null = 1};
    struct conf_value v;
    int rc = conf_value_parse(&budget_def, kc_strmap_get(t->config, TASK_KEY_BUDGET), &v, err);
    if (rc == KC_OK && !v.is_null) {
        if (v.u.i < (int64_t)TASK_SLICE_MIN) {
            rc = kc_error_set(err, KC_EINVAL, "Invalid value %lld for configuration %s: Value "
                              "must be at least %zu", (long long)v.u.i, TASK_KEY_BUDGET,
                              TASK_SLICE_MIN);
        } else {
            offsets_budget_init(&t->budget, (size_t)v.u.i);
        }
    }
    conf_value_fini(&v);
    return rc;
}

static void task_destroy(struct task *t)
{
    if (t == NULL) {
        return;
    }
    mmap_budget_leave(t);
    conv_free(t->key_conv);
    conv_free(t->value_conv);
    conv_free(t->header_conv);
    dlq_free(t->dlq);
    for (size_t i = 0; i < t->n_smts; i++) {
        smt_free(t->smts[i]);
    }
    kc_free(t->smts);
    for (size_t i = 0; i < t->n_preds; i++) {
        smt_predicate_free(t->preds[i]);
    }
    kc_free(t->preds);
    kc_strmap_free(t->config);
    conf_values_free(t->cv);
    kc_strmap_free(t->consumer_props);
    free_list(t->topics, t->n_topics);
    kc_free(t->topics_regex);
    free_list(t->seen_topics, t->n_seen_topics);
    offsets_fini(&t->offs);
    kc_free(t->stash);
    kc_free(t->reported);
    kc_free(t->auth_error);
    pthread_mutex_destroy(&t->auth_lock);
    pthread_mutex_destroy(&t->wake_lock);
    kc_arena_fini(&t->arena);
    kc_queue_unref(t->ops_q, NULL);
    metrics_task_free(t->metrics);
    kc_free(t->connector);
    kc_free(t);
}

/* Free an abandoned task from whichever side saw its thread end last (task_free or the thread
 * itself), then let its owner drop what the callbacks' opaque held for it. */
static void task_release_orphan(struct task *t)
{
    void (*release)(void *) = t->cb.on_release;
    void *opaque = t->cb.opaque;
    task_destroy(t);
    if (release != NULL) {
        release(opaque);
    }
}

int task_new(const struct task_spec *spec, struct task **out, struct kc_error *err)
{
    struct task *t = kc_calloc(1, sizeof(*t));
    int rc = KC_ENOMEM;
    *out = NULL;
    if (t == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_arena_init(&t->arena, TASK_ARENA_CHUNK, TASK_ARENA_LIMIT);
    pthread_mutex_init(&t->auth_lock, NULL);
    pthread_mutex_init(&t->wake_lock, NULL);
    t->id = spec->id;
    t->ops = spec->ops;
    t->cb = spec->cb;
    t->flush_interval_ms = spec->offset_flush_interval_ms;
    t->flush_timeout_ms = spec->offset_flush_timeout_ms;
    t->paused = 0;
    t->connector = kc_strdup(spec->connector);
    t->st.connector = t->connector;
    t->st.id = spec->id;
    t->st.svc = &task_services;
    offsets_init(&t->offs);
    offsets_budget_init(&t->budget, spec->budget_bytes > 0 ? (size_t)spec->budget_bytes
                                                           : TASK_BUDGET_DEFAULT);
    t->config = kc_strmap_dup(spec->config);
    t->consumer_props = kc_strmap_dup(spec->consumer_props);
    t->ops_q = kc_queue_new();
    if (t->connector == NULL || t->config == NULL || t->consumer_props == NULL ||
        t->ops_q == NULL) {
        kc_error_set(err, KC_ENOMEM, "out of memory");
        goto fail;
    }
    struct conf_value topics, regex;
    if ((rc = connector_config_value(t->config, "topics.regex", &regex, err)) == KC_OK &&
        regex.u.s[0] != '\0') {
        t->topics_regex = regex.u.s; /* moves over */
        regex.u.s = NULL;
    } else if (rc == KC_OK &&
               (rc = connector_config_value(t->config, "topics", &topics, err)) == KC_OK) {
        t->topics = topics.u.list.items; /* moves over */
        t->n_topics = topics.u.list.n;
    }
    conf_value_fini(&regex);
    if (rc != KC_OK) {
        goto fail;
    }
    const char *se = spec->value_converter_props != NULL
                         ? kc_strmap_get(spec->value_converter_props, "schemas.enable")
                         : NULL;
    /* JsonConverter's default is true; the value is trimmed and case-free as ConfigDef reads it */
    t->value_schemas_enable = se == NULL || strncasecmp(se + strspn(se, " \t"), "false", 5) != 0;
    if ((rc = conv_new(spec->key_converter, spec->key_converter_props, CONV_ROLE_KEY,
                       &t->key_conv, err)) != KC_OK ||
        (rc = conv_new(spec->value_converter, spec->value_converter_props, CONV_ROLE_VALUE,
                       &t->value_conv, err)) != KC_OK ||
        (rc = conv_new(spec->header_converter, spec->header_converter_props, CONV_ROLE_HEADER,
                       &t->header_conv, err)) != KC_OK) {
        goto fail;
    }
    if ((rc = dlq_new(t->connector, t->id, t->config, spec->producer_props,
                       spec->admin_props, &t->dlq, err)) !=
            KC_OK ||
        (rc = build_transforms(t, err)) != KC_OK) {
        goto fail;
    }
    if ((rc = read_budget(t, err)) != KC_OK) {
        goto fail;
    }
    mmap_budget_join(t);
    t->metrics = metrics_task_new(t->connector, t->id, t->ops->name);
    dlq_set_metrics(t->dlq, t->metrics);
    METRICS_SET(t->metrics, budget_limit, (int64_t)t->budget.limit);
    if (spec->start_paused) {
        kc_queue_push(t->ops_q, (void *)(intptr_t)TASK_OP_PAUSE);
    }
    if (pthread_create(&t->thread, NULL, task_main, t) != 0) {
        rc = kc_error_set(err, KC_EFATAL, "cannot start task thread");
        goto fail;
    }
    *out = t;
    return KC_OK;
fail:
    task_destroy(t);
    return rc < 0 ? rc : KC_ENOMEM;
}

/* Queue an op and wake the thread from its poll, as the JVM's transitionTo wakes its consumer,
 * so a pause or stop is applied (and reported) at once rather than after the poll's wait. */
static void post(struct task *t, enum task_op op)
{
    kc_queue_push(t->ops_q, (void *)(intptr_t)op);
    yield_poll(t);
}

/* End the task thread's poll now (or its next one, when it is not polling). */
static void yield_poll(struct task *t)
{
    pthread_mutex_lock(&t->wake_lock);
    if (t->wake_q != NULL) {
        rd_kafka_queue_yield(t->wake_q);
    }
    pthread_mutex_unlock(&t->wake_lock);
}

int task_paused(struct task *t)
{
    return atomic_load(&t->paused_ack);
}

void task_pause(struct task *t)
{
    post(t, TASK_OP_PAUSE);
}

void task_resume(struct task *t)
{
    post(t, TASK_OP_RESUME);
}

void task_stop(struct task *t)
{
    post(t, TASK_OP_STOP);
}

int task_join(struct task *t, int64_t timeout_ms)
{
    int64_t deadline = kc_now_ms() + timeout_ms;
    while (!atomic_load(&t->finished)) {
        if (kc_now_ms() >= deadline) {
            return 0;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    pthread_join(t->thread, NULL);
    atomic_store(&t->detached, 1);
    return 1;
}

void task_free(struct task *t)
{
    if (t == NULL) {
        return;
    }
    if (!atomic_load(&t->detached)) {
        if (!atomic_load(&t->finished)) {
            /* Hung in the sink past its shutdown timeout: abandon it (the JVM does too). */
            kc_log(KC_LOG_ERROR, "task", "[%s|task-%d] did not stop in time; abandoning it",
                   t->connector, t->id);
            pthread_detach(t->thread);
            if (atomic_exchange(&t->orphan, 1) == 2) {
                task_release_orphan(t); /* it ended just now, after all */
            }
            return;
        }
        pthread_join(t->thread, NULL);
    }
    task_destroy(t);
}
