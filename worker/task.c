/*
 * worker/task.c: the sink task thread. It owns its consumer, converters, sink context, DLQ
 * producer and batch arena; nothing here is touched by another thread except the op queue.
 *
 * The loop is the JVM's WorkerSinkTask cycle: poll a batch, convert (key, value, headers), put()
 * the batch, and every offset.flush.interval.ms flush() the sink and commit. The invariant this
 * file protects: an offset is committed only after flush() returned KC_OK for every record
 * before it, and after every record that went to the DLQ was acknowledged by Kafka. `consumed`
 * holds, per partition, the offset after the last record handed to put() (or tolerated); it is
 * what a successful flush makes committable. A crash or kill -9 therefore causes redelivery of
 * at most the records since the last commit, never loss.
 */
#include "task.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "connector_config.h"
#include "conv.h"
#include "dlq.h"
#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_arena.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "smt.h"

#define TASK_BATCH_MAX 500           /* the JVM's max.poll.records default */
#define TASK_POLL_MS 200
#define TASK_ARENA_CHUNK (256 * 1024)
#define TASK_ARENA_LIMIT ((size_t)64 << 20) /* converted data of one slice of a batch */
#define TASK_RETRY_BACKOFF_MIN_MS 100
#define TASK_RETRY_BACKOFF_MAX_MS 10000

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
    struct kc_strmap *consumer_props;     /* owned */
    struct conv *key_conv;                /* owned */
    struct conv *value_conv;              /* owned */
    struct conv *header_conv;             /* owned */
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
    _Atomic int detached;

    /* Task thread only. */
    rd_kafka_t *rk;
    rd_kafka_topic_partition_list_t *assigned; /* current assignment */
    rd_kafka_topic_partition_list_t *consumed; /* next offset per partition, put or tolerated */
    int dirty;                            /* consumed changed since the last commit */
    int paused;
    int failed;
    int stopping;
    struct kc_arena arena;
    char **seen_topics;                   /* owned, for topic tracking */
    size_t n_seen_topics;
};

/* ---------------------------------------------------------------- services for the sink */

/* sink_task.report: the errant-record reporter (stage TASK_PUT). */
static int report_record(struct sink_task *st, const struct sink_record *rec,
                         const struct kc_error *cause)
{
    struct task *t = (struct task *)(void *)st;
    return dlq_report(t->dlq, rec->topic, rec->partition, rec->offset, rec->timestamp,
                      rec->ts_type, rec->key_raw, rec->key_len, rec->value_raw, rec->value_len,
                      NULL, DLQ_STAGE_TASK_PUT, t->ops->task_class,
                      "org.apache.kafka.connect.errors.ConnectException", cause->msg);
}

static struct sink_task *as_sink_task(struct task *t)
{
    return &t->st;
}

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
    t->failed = 1;
    sink_task_log(as_sink_task(t), KC_LOG_ERROR,
                  "Task threw an uncaught and unrecoverable exception. Task is being killed and "
                  "will not recover until manually restarted: %s",
                  trace ? trace : "(no trace)");
    set_state(t, HERDER_STATE_FAILED, trace);
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

static void mark_consumed(struct task *t, const char *topic, int32_t partition, int64_t next)
{
    rd_kafka_topic_partition_t *p =
        rd_kafka_topic_partition_list_find(t->consumed, topic, partition);
    if (p == NULL) {
        p = rd_kafka_topic_partition_list_add(t->consumed, topic, partition);
    }
    p->offset = next;
    t->dirty = 1;
}

/* ---------------------------------------------------------------- flush and commit */

/*
 * Flush the sink, wait for DLQ deliveries, then commit `consumed` (restricted to `only` when not
 * NULL). Returns KC_OK, KC_RETRY (flush asked to retry: nothing committed), or negative (task
 * must fail; err says why).
 */
static int flush_and_commit(struct task *t, const rd_kafka_topic_partition_list_t *only,
                            struct kc_error *err)
{
    if (!t->dirty && !t->st.commit_requested) {
        return KC_OK;
    }
    int rc = t->ops->flush(as_sink_task(t), err);
    if (rc != KC_OK) {
        return rc;
    }
    rc = dlq_flush(t->dlq, t->flush_timeout_ms, err);
    if (rc != KC_OK) {
        return rc;
    }
    t->st.commit_requested = 0;
    rd_kafka_topic_partition_list_t *c = rd_kafka_topic_partition_list_new(t->consumed->cnt);
    for (int i = 0; i < t->consumed->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &t->consumed->elems[i];
        if (only != NULL && rd_kafka_topic_partition_list_find(only, p->topic, p->partition) ==
                                NULL) {
            continue;
        }
        if (t->assigned != NULL &&
            rd_kafka_topic_partition_list_find(t->assigned, p->topic, p->partition) == NULL) {
            continue; /* not ours any more: its new owner commits it */
        }
        rd_kafka_topic_partition_list_add(c, p->topic, p->partition)->offset = p->offset;
    }
    if (c->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_commit(t->rk, c, 0 /* sync */);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR__NO_OFFSET) {
            /* Like the JVM: a failed commit is logged and retried at the next interval. */
            sink_task_log(as_sink_task(t), KC_LOG_WARN, "Commit of offsets failed: %s",
                          rd_kafka_err2str(e));
        } else {
            sink_task_log(as_sink_task(t), KC_LOG_DEBUG, "Committed offsets for %d partitions",
                          c->cnt);
            if (only == NULL) {
                t->dirty = 0;
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(c);
    return KC_OK;
}

/* ---------------------------------------------------------------- rebalances */

static void tp_list_from_rk(const rd_kafka_topic_partition_list_t *in, struct tp **arr,
                            struct tp_list *out)
{
    *arr = kc_calloc((size_t)in->cnt + 1, sizeof(**arr));
    out->tp = *arr;
    out->n = 0;
    if (*arr == NULL) {
        return;
    }
    for (int i = 0; i < in->cnt; i++) {
        (*arr)[i].topic = in->elems[i].topic;
        (*arr)[i].partition = in->elems[i].partition;
    }
    out->n = (size_t)in->cnt;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct task *t = opaque;
    struct kc_error err = {0};
    struct tp *arr = NULL;
    struct tp_list tl;
    tp_list_from_rk(parts, &arr, &tl);
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (t->assigned != NULL) {
            rd_kafka_topic_partition_list_destroy(t->assigned);
        }
        t->assigned = rd_kafka_topic_partition_list_copy(parts);
        rd_kafka_assign(rk, parts);
        if (t->paused) {
            rd_kafka_pause_partitions(rk, parts);
        }
        if (!t->failed && sink_call_open(t->ops, as_sink_task(t), &tl, &err) < 0) {
            fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException", err.msg,
                                    NULL, NULL));
        }
        sink_task_log(as_sink_task(t), KC_LOG_INFO, "Partitions assigned: %d", parts->cnt);
    } else {
        /* Revocation: commit what the sink has made durable before letting go (the JVM commits
         * synchronously in onPartitionsRevoked). */
        if (!t->failed) {
            int rc = flush_and_commit(t, parts, &err);
            if (rc < 0) {
                fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException",
                                        err.msg, NULL, NULL));
            }
            if (sink_call_close(t->ops, as_sink_task(t), &tl, &err) < 0) {
                sink_task_log(as_sink_task(t), KC_LOG_WARN, "close() failed: %s", err.msg);
            }
        }
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_list_del(t->consumed, parts->elems[i].topic,
                                              parts->elems[i].partition);
        }
        if (t->assigned != NULL) {
            rd_kafka_topic_partition_list_destroy(t->assigned);
            t->assigned = NULL;
        }
        rd_kafka_assign(rk, NULL);
        sink_task_log(as_sink_task(t), KC_LOG_INFO, "Partitions revoked: %d", parts->cnt);
    }
    kc_free(arr);
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

    cf->stage = DLQ_STAGE_KEY_CONVERTER;
    cf->class_name = conv_class_name(t->key_conv);
    int rc = conv_to_connect(t->key_conv, topic, m->key, m->key_len, &t->arena, &r->key_schema,
                             &r->key, &cf->err);
    if (rc != KC_OK) {
        cf->exception_class = conv_error_class(t->key_conv);
        return rc == KC_ENOMEM ? KC_ENOMEM : KC_EINVAL;
    }

    rd_kafka_headers_t *hdrs = NULL;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != NULL) {
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

    if ((t->ops->flags & SINK_FLAG_RAW_VALUE) != 0 && t->n_smts == 0) {
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
        *rec = *cur;
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
                if (t->assigned != NULL) {
                    rd_kafka_pause_partitions(t->rk, t->assigned);
                }
                set_state(t, HERDER_STATE_PAUSED, NULL);
            }
            break;
        case TASK_OP_RESUME:
            if (t->paused && !t->failed) {
                t->paused = 0;
                if (t->assigned != NULL) {
                    rd_kafka_resume_partitions(t->rk, t->assigned);
                }
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
 * Convert and put messages from the front of msgs until they are all done or the batch arena
 * is full; *done = how many messages were handled (put, dropped by a transform, or tolerated).
 * A message that does not fit into an empty arena on its own is a bad record ("too large").
 * Returns KC_OK, or negative when the task failed (fail_task already called). Messages stay
 * owned by the caller; the caller resets the arena afterwards.
 */
static int process_slice(struct task *t, rd_kafka_message_t **msgs, size_t n, size_t *done)
{
    struct sink_record *recs = kc_arena_alloc(&t->arena, (n + 1) * sizeof(*recs));
    size_t nr = 0, i;
    struct kc_error err = {0};
    *done = 0;
    if (recs == NULL) {
        fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException",
                                "out of memory converting a batch", NULL, NULL));
        return KC_ENOMEM;
    }
    for (i = 0; i < n; i++) {
        rd_kafka_message_t *m = msgs[i];
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            continue; /* errors were handled by the caller */
        }
        struct conv_failure cf;
        memset(&cf, 0, sizeof(cf));
        int kept = 1;
        int rc = convert_message(t, m, &recs[nr], &cf);
        if (rc == KC_OK && t->n_smts > 0) {
            rc = apply_transforms(t, &recs[nr], &kept, &cf);
        }
        if (rc == KC_OK) {
            nr += (size_t)kept; /* a dropped record is handled: its offset moves on */
            continue;
        }
        if (rc == KC_ENOMEM && i > 0) {
            break; /* arena full: put what we have, the caller starts a new slice here */
        }
        if (rc == KC_ENOMEM) {
            snprintf(cf.err.msg, sizeof(cf.err.msg),
                     "Record of %zu bytes does not fit into the task's %zu MiB of batch memory "
                     "once converted",
                     m->len + m->key_len, (size_t)(TASK_ARENA_LIMIT >> 20));
        }
        /* Tolerable stage failed: the error reporter logs and DLQs it; tolerance decides. */
        const char *exc = cf.exception_class != NULL
                              ? cf.exception_class
                              : "org.apache.kafka.connect.errors.DataException";
        rc = dlq_report(t->dlq, rd_kafka_topic_name(m->rkt), m->partition, m->offset,
                        recs[nr].timestamp, recs[nr].ts_type, m->key, m->key_len, m->payload,
                        m->len, m, cf.stage, cf.class_name, exc, cf.err.msg);
        if (rc != KC_OK) {
            fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException",
                                    "Tolerance exceeded in error handler", exc, cf.err.msg));
            return KC_EFATAL;
        }
        /* Tolerated: the record is handled (skipped), its offset may be committed. */
    }
    size_t handled = i;

    int64_t backoff = TASK_RETRY_BACKOFF_MIN_MS;
    int paused_for_retry = 0;
    for (;;) {
        int rc = nr > 0 ? t->ops->put(as_sink_task(t), recs, nr, &err) : KC_OK;
        if (rc == KC_OK) {
            break;
        }
        if (rc != KC_RETRY) {
            fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException",
                                    err.msg[0] ? err.msg : "put() failed", NULL, NULL));
            return rc;
        }
        /* RetriableException: pause, keep the group membership alive, then redeliver the same
         * batch (WorkerSinkTask does the same with context.timeout()). */
        sink_task_log(as_sink_task(t), KC_LOG_WARN,
                      "put() asked to retry (%s); retrying in %lld ms", err.msg,
                      (long long)backoff);
        if (!paused_for_retry && t->assigned != NULL) {
            rd_kafka_pause_partitions(t->rk, t->assigned);
            paused_for_retry = 1;
        }
        drain_ops(t, (int)backoff);
        rd_kafka_message_t *stray = rd_kafka_consumer_poll(t->rk, 0);
        if (stray != NULL) {
            rd_kafka_message_destroy(stray); /* paused: only a race can deliver; redelivered */
        }
        if (t->stopping) {
            return KC_RETRY; /* nothing kept: offsets of this batch stay uncommitted */
        }
        backoff = backoff * 2 > TASK_RETRY_BACKOFF_MAX_MS ? TASK_RETRY_BACKOFF_MAX_MS
                                                          : backoff * 2;
    }
    if (paused_for_retry && t->assigned != NULL && !t->paused) {
        rd_kafka_resume_partitions(t->rk, t->assigned);
    }
    for (size_t k = 0; k < handled; k++) {
        rd_kafka_message_t *m = msgs[k];
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const char *topic = rd_kafka_topic_name(m->rkt);
            mark_consumed(t, topic, m->partition, m->offset + 1);
            track_topic(t, topic);
        }
    }
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
        if (rc != KC_OK) {
            return rc;
        }
        start += done;
        slices++;
    }
    if (slices > 1) {
        sink_task_log(as_sink_task(t), KC_LOG_DEBUG, "Batch of %zu records put in %d slices",
                      n, slices);
    }
    return KC_OK;
}

/* ---------------------------------------------------------------- thread */

static int make_consumer(struct task *t, struct kc_error *err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = kafka_admin_conf_new(t->consumer_props, NULL, err);
    if (conf == NULL) {
        return err->rc;
    }
    rd_kafka_conf_set_opaque(conf, t);
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    t->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (t->rk == NULL) {
        rd_kafka_conf_destroy(conf); /* still ours when rd_kafka_new fails */
        return kc_error_set(err, KC_EIO, "Failed to create consumer: %s", errstr);
    }
    rd_kafka_poll_set_consumer(t->rk);
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

static void *task_main(void *arg)
{
    struct task *t = arg;
    struct kc_error err = {0};
    rd_kafka_message_t *msgs[TASK_BATCH_MAX];
    int started = 0;

    if (make_consumer(t, &err) != KC_OK) {
        fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException", err.msg, NULL,
                                NULL));
        goto wait_stop;
    }
    if (t->ops->start(as_sink_task(t), t->config, &err) != KC_OK) {
        fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException", err.msg, NULL,
                                NULL));
        goto wait_stop;
    }
    started = 1;
    sink_task_log(as_sink_task(t), KC_LOG_INFO, "Sink task started");
    drain_ops(t, 0);
    if (!t->paused) {
        set_state(t, HERDER_STATE_RUNNING, NULL);
    }

    rd_kafka_queue_t *cq = rd_kafka_queue_get_consumer(t->rk);
    int64_t last_commit = kc_now_ms();
    while (!t->stopping && !t->failed) {
        drain_ops(t, 0);
        if (t->stopping) {
            break;
        }
        ssize_t n = rd_kafka_consume_batch_queue(cq, TASK_POLL_MS, msgs, TASK_BATCH_MAX);
        if (n < 0) {
            n = 0;
        }
        size_t good = 0;
        for (ssize_t i = 0; i < n; i++) {
            if (msgs[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                good++;
            } else if (msgs[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                sink_task_log(as_sink_task(t), KC_LOG_WARN, "Consumer error: %s",
                              rd_kafka_message_errstr(msgs[i]));
            }
        }
        if (good > 0) {
            process_batch(t, msgs, (size_t)n);
        }
        for (ssize_t i = 0; i < n; i++) {
            rd_kafka_message_destroy(msgs[i]);
        }
        kc_arena_reset(&t->arena);
        if (t->failed) {
            break;
        }
        int64_t now = kc_now_ms();
        if (t->st.commit_requested || now - last_commit >= t->flush_interval_ms) {
            int rc = flush_and_commit(t, NULL, &err);
            if (rc < 0) {
                fail_task(t, make_trace("org.apache.kafka.connect.errors.ConnectException",
                                        err.msg, NULL, NULL));
                break;
            }
            if (rc == KC_RETRY) {
                sink_task_log(as_sink_task(t), KC_LOG_WARN, "flush() asked to retry: %s",
                              err.msg);
            }
            last_commit = now;
        }
    }
    rd_kafka_queue_destroy(cq);

    if (!t->failed) {
        /* Orderly stop: final flush + synchronous commit (the JVM commits on close). */
        if (flush_and_commit(t, NULL, &err) < 0) {
            sink_task_log(as_sink_task(t), KC_LOG_ERROR, "Final flush failed, offsets since "
                          "the last commit will be redelivered: %s", err.msg);
        }
    }

wait_stop:
    if (t->rk != NULL) {
        /* Leaving the group hands the partitions to the other tasks at once. The revocation
         * callback runs here; after a failure it commits nothing. */
        rd_kafka_consumer_close(t->rk);
    }
    if (started) {
        t->ops->stop(as_sink_task(t));
    }
    if (t->rk != NULL) {
        rd_kafka_destroy(t->rk);
        t->rk = NULL;
    }
    /* A failed task stays FAILED until the herder stops or restarts it. */
    while (!t->stopping) {
        drain_ops(t, 1000);
    }
    atomic_store(&t->finished, 1);
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
    char key[512];
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
        snprintf(key, sizeof(key), "predicates.%s.type", paliases[i]);
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
        snprintf(key, sizeof(key), "transforms.%s.type", aliases[i]);
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
        snprintf(key, sizeof(key), "transforms.%s.predicate", aliases[i]);
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
            snprintf(key, sizeof(key), "transforms.%s.negate", aliases[i]);
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
    conf_value_fini(&tv);
    conf_value_fini(&pv);
    return rc;
}

static void task_destroy(struct task *t)
{
    if (t == NULL) {
        return;
    }
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
    kc_strmap_free(t->consumer_props);
    free_list(t->topics, t->n_topics);
    kc_free(t->topics_regex);
    free_list(t->seen_topics, t->n_seen_topics);
    if (t->assigned != NULL) {
        rd_kafka_topic_partition_list_destroy(t->assigned);
    }
    if (t->consumed != NULL) {
        rd_kafka_topic_partition_list_destroy(t->consumed);
    }
    kc_arena_fini(&t->arena);
    kc_queue_unref(t->ops_q, NULL);
    kc_free(t->connector);
    kc_free(t);
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
    t->id = spec->id;
    t->ops = spec->ops;
    t->cb = spec->cb;
    t->flush_interval_ms = spec->offset_flush_interval_ms;
    t->flush_timeout_ms = spec->offset_flush_timeout_ms;
    t->paused = 0;
    t->connector = kc_strdup(spec->connector);
    t->st.connector = t->connector;
    t->st.id = spec->id;
    t->st.report = report_record;
    t->config = kc_strmap_dup(spec->config);
    t->consumer_props = kc_strmap_dup(spec->consumer_props);
    t->ops_q = kc_queue_new();
    t->consumed = rd_kafka_topic_partition_list_new(8);
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
    if ((rc = conv_new(spec->key_converter, spec->key_converter_props, CONV_ROLE_KEY,
                       &t->key_conv, err)) != KC_OK ||
        (rc = conv_new(spec->value_converter, spec->value_converter_props, CONV_ROLE_VALUE,
                       &t->value_conv, err)) != KC_OK ||
        (rc = conv_new(spec->header_converter, spec->header_converter_props, CONV_ROLE_HEADER,
                       &t->header_conv, err)) != KC_OK) {
        goto fail;
    }
    if ((rc = dlq_new(t->connector, t->id, t->config, spec->producer_props, &t->dlq, err)) !=
            KC_OK ||
        (rc = build_transforms(t, err)) != KC_OK) {
        goto fail;
    }
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

static void post(struct task *t, enum task_op op)
{
    kc_queue_push(t->ops_q, (void *)(intptr_t)op);
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
            return;
        }
        pthread_join(t->thread, NULL);
    }
    task_destroy(t);
}
