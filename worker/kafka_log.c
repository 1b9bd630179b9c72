/*
 * worker/kafka_log.c: producer plus group-less reader of one topic (the JVM's KafkaBasedLog).
 *
 * The consumer uses librdkafka's simple (legacy) consumer API: one rd_kafka_consume_start_queue
 * per partition, all feeding one queue, starting at OFFSET_BEGINNING. That needs no group.id,
 * exactly like the JVM's manual assignment, so nothing is ever committed and no group shows up
 * on the brokers. Our position per partition is the offset after the last record consumed, or
 * librdkafka's application position when that is further: transaction markers written by a
 * transactional JVM leader occupy offsets but are never delivered, and the application
 * position (like Java's consumer.position()) moves past them, so read-to-end still ends.
 */
#include "kafka_log.h"

#include <string.h>

#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h"

#define LOG_FAC "kafka"

struct kafka_log {
    char *topic;            /* owned */
    rd_kafka_t *producer;   /* owned */
    rd_kafka_t *consumer;   /* owned */
    rd_kafka_topic_t *crkt; /* owned: consumer's topic handle */
    rd_kafka_queue_t *cq;   /* owned: every partition feeds it */
    int32_t n_partitions;
    int64_t *next;     /* owned: per partition, -1 = nothing read */
    uint64_t failures; /* failed deliveries */
};

/* Delivery state of one synchronous write; async sends pass NULL. */
struct write_wait {
    int done;
    rd_kafka_resp_err_t err;
};

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct kafka_log *kl = opaque;
    struct write_wait *w = m->_private;

    (void)rk;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        kl->failures++;
        if (w == NULL) {
            kc_log(KC_LOG_ERROR, LOG_FAC, "Failed to write %.*s to topic %s: %s", (int)m->key_len,
                   m->key != NULL ? (const char *)m->key : "", kl->topic, rd_kafka_err2str(m->err));
        }
    }
    if (w != NULL) {
        w->err = m->err;
        w->done = 1;
    }
}

static int set_default(rd_kafka_conf_t *conf, const struct kc_strmap *props, const char *name,
                       const char *value, struct kc_error *err)
{
    if (props != NULL && kc_strmap_get(props, name) != NULL) {
        return KC_OK;
    }
    return kafka_admin_conf_set(conf, name, value, err);
}

static int make_producer(struct kafka_log *kl, const struct kc_strmap *props, const char *client_id,
                         const struct kc_strmap *extra, struct kc_error *err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = kafka_admin_conf_new(props, client_id, err);

    if (conf == NULL) {
        return err != NULL ? err->rc : KC_EINVAL;
    }
    if (kafka_admin_conf_set(conf, "enable.idempotence", "false", err) != KC_OK ||
        kafka_admin_conf_set(conf, "partitioner", "murmur2_random", err) != KC_OK ||
        kafka_admin_conf_set(conf, "allow.auto.create.topics", "false", err) != KC_OK ||
        set_default(conf, props, "acks", "all", err) != KC_OK ||
        /* every write here is waited for (config writes are read back before REST answers):
         * librdkafka's 5 ms linger would only add to each */
        (props == NULL || kc_strmap_get(props, "queue.buffering.max.ms") == NULL
             ? set_default(conf, props, "linger.ms", "0", err)
             : KC_OK) != KC_OK ||
        set_default(conf, props, "message.timeout.ms", "30000", err) != KC_OK) {
        rd_kafka_conf_destroy(conf);
        return err != NULL ? err->rc : KC_EINVAL;
    }
    for (size_t i = 0; extra != NULL && i < extra->n; i++) {
        if (extra->e[i].value != NULL &&
            kafka_admin_conf_set(conf, extra->e[i].key, extra->e[i].value, err) != KC_OK) {
            rd_kafka_conf_destroy(conf);
            return err != NULL ? err->rc : KC_EINVAL;
        }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, kl);
    kl->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (kl->producer == NULL) {
        rd_kafka_conf_destroy(conf);
        return kc_error_set(err, KC_EINVAL, "Failed to create producer for %s: %s", kl->topic,
                            errstr);
    }
    /* Learn the topic's leader now: otherwise the first send waits for librdkafka's 1 s
     * metadata timer, and the first POST /connectors takes a second. A failure here only
     * means the first send finds out itself. */
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(kl->producer, kl->topic, NULL);
    if (rkt != NULL) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(kl->producer, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_metadata_destroy(md);
        }
        rd_kafka_topic_destroy(rkt);
    }
    return KC_OK;
}

static int make_consumer(struct kafka_log *kl, const struct kc_strmap *props, const char *client_id,
                         int timeout_ms, struct kc_error *err)
{
    char errstr[512];
    rd_kafka_conf_t *conf = kafka_admin_conf_new(props, client_id, err);
    const struct rd_kafka_metadata *md = NULL;
    int64_t deadline = kc_now_ms() + timeout_ms;
    rd_kafka_resp_err_t e;

    if (conf == NULL) {
        return err != NULL ? err->rc : KC_EINVAL;
    }
    /* fetch.wait.max.ms: every config write is read back before REST answers, so a long-poll
     * fetch that started before the write must not hold the answer for half a second. */
    if (kafka_admin_conf_set(conf, "enable.auto.commit", "false", err) != KC_OK ||
        kafka_admin_conf_set(conf, "enable.auto.offset.store", "false", err) != KC_OK ||
        kafka_admin_conf_set(conf, "fetch.wait.max.ms", "50", err) != KC_OK) {
        rd_kafka_conf_destroy(conf);
        return err != NULL ? err->rc : KC_EINVAL;
    }
    kl->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
    if (kl->consumer == NULL) {
        rd_kafka_conf_destroy(conf);
        return kc_error_set(err, KC_EINVAL, "Failed to create consumer for %s: %s", kl->topic,
                            errstr);
    }
    kl->crkt = rd_kafka_topic_new(kl->consumer, kl->topic, NULL);
    kl->cq = rd_kafka_queue_new(kl->consumer);
    if (kl->crkt == NULL || kl->cq == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* A topic created a moment ago may be unknown to this broker's metadata for a while
     * (the JVM's KafkaBasedLog also retries partitionsFor until its timeout). */
    for (;;) {
        int64_t left = deadline - kc_now_ms();
        rd_kafka_resp_err_t te;
        e = rd_kafka_metadata(kl->consumer, 0, kl->crkt, &md, left > 100 ? (int)left : 100);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return kc_error_set(err, kafka_admin_rc(e) == KC_RETRY ? KC_RETRY : KC_EIO,
                                "Failed to fetch metadata of topic '%s': %s", kl->topic,
                                rd_kafka_err2str(e));
        }
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
            md->topics[0].partition_cnt > 0) {
            break;
        }
        te = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        if (te == RD_KAFKA_RESP_ERR_NO_ERROR) {
            te = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
        }
        rd_kafka_metadata_destroy(md);
        md = NULL;
        if (deadline - kc_now_ms() <= 0) {
            return kc_error_set(
                err, te == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? KC_ENOENT : KC_EIO,
                "Could not look up partitions of topic '%s': %s", kl->topic, rd_kafka_err2str(te));
        }
        rd_kafka_poll(kl->consumer, 100);
    }
    kl->n_partitions = md->topics[0].partition_cnt;
    rd_kafka_metadata_destroy(md);
    kl->next = kc_malloc((size_t)kl->n_partitions * sizeof(*kl->next));
    if (kl->next == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    for (int32_t p = 0; p < kl->n_partitions; p++) {
        kl->next[p] = -1;
        if (rd_kafka_consume_start_queue(kl->crkt, p, RD_KAFKA_OFFSET_BEGINNING, kl->cq) == -1) {
            int32_t q;
            for (q = 0; q < p; q++) {
                rd_kafka_consume_stop(kl->crkt, q);
            }
            kl->n_partitions = 0; /* nothing left to stop in kafka_log_free */
            return kc_error_set(err, KC_EIO, "Failed to start consuming %s [%d]: %s", kl->topic,
                                (int)p, rd_kafka_err2str(rd_kafka_last_error()));
        }
    }
    return KC_OK;
}

int kafka_log_new(const struct kc_strmap *props, const char *topic, const char *client_id,
                  const struct kc_strmap *producer_extra, int timeout_ms, struct kafka_log **out,
                  struct kc_error *err)
{
    struct kafka_log *kl = kc_calloc(1, sizeof(*kl));
    int rc;

    *out = NULL;
    if (kl == NULL || (kl->topic = kc_strdup(topic)) == NULL) {
        kc_free(kl);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    rc = make_producer(kl, props, client_id, producer_extra, err);
    if (rc == KC_OK) {
        rc = make_consumer(kl, props, client_id, timeout_ms, err);
    }
    if (rc != KC_OK) {
        kafka_log_free(kl);
        return rc;
    }
    *out = kl;
    return KC_OK;
}

void kafka_log_free(struct kafka_log *kl)
{
    if (kl == NULL) {
        return;
    }
    if (kl->producer != NULL) {
        if (rd_kafka_flush(kl->producer, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            kc_log(KC_LOG_WARN, LOG_FAC, "%d record(s) to %s not delivered before close",
                   rd_kafka_outq_len(kl->producer), kl->topic);
        }
        rd_kafka_destroy(kl->producer);
    }
    if (kl->crkt != NULL) {
        for (int32_t p = 0; p < kl->n_partitions; p++) {
            rd_kafka_consume_stop(kl->crkt, p);
        }
    }
    if (kl->cq != NULL) {
        rd_kafka_queue_destroy(kl->cq);
    }
    if (kl->crkt != NULL) {
        rd_kafka_topic_destroy(kl->crkt);
    }
    if (kl->consumer != NULL) {
        rd_kafka_destroy(kl->consumer);
    }
    kc_free(kl->next);
    kc_free(kl->topic);
    kc_free(kl);
}

const char *kafka_log_topic(const struct kafka_log *kl)
{
    return kl->topic;
}

int32_t kafka_log_partitions(const struct kafka_log *kl)
{
    return kl->n_partitions;
}

uint64_t kafka_log_failures(const struct kafka_log *kl)
{
    return kl->failures;
}

int64_t kafka_log_position(const struct kafka_log *kl, int32_t p)
{
    return p >= 0 && p < kl->n_partitions ? kl->next[p] : -1;
}

static int produce(struct kafka_log *kl, const char *key, const void *value, size_t vlen,
                   struct write_wait *w, struct kc_error *err)
{
    size_t len = value != NULL ? vlen : 0;
    size_t klen = strlen(key);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        kl->producer, RD_KAFKA_V_TOPIC(kl->topic), RD_KAFKA_V_KEY(key, klen),
        RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_OPAQUE(w), RD_KAFKA_V_END);

    if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(kl->producer, 0);
        return kc_error_set(err, KC_RETRY, "Producer queue for %s is full", kl->topic);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return kc_error_set(err, KC_EIO, "Failed to send %s to topic %s: %s", key, kl->topic,
                            rd_kafka_err2str(e));
    }
    return KC_OK;
}

int kafka_log_send(struct kafka_log *kl, const char *key, const void *value, size_t vlen,
                   struct kc_error *err)
{
    int rc = produce(kl, key, value, vlen, NULL, err);
    rd_kafka_poll(kl->producer, 0); /* serve delivery reports */
    return rc;
}

int kafka_log_write(struct kafka_log *kl, const char *key, const void *value, size_t vlen,
                    struct kc_error *err)
{
    struct write_wait w = {0, RD_KAFKA_RESP_ERR_NO_ERROR};
    int rc = produce(kl, key, value, vlen, &w, err);

    if (rc != KC_OK) {
        return rc;
    }
    /* librdkafka always reports delivery within message.timeout.ms, so this ends. */
    while (!w.done) {
        rd_kafka_poll(kl->producer, 100);
    }
    if (w.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return kc_error_set(err, KC_EIO, "Failed to write %s to topic %s: %s", key, kl->topic,
                            rd_kafka_err2str(w.err));
    }
    return KC_OK;
}

int kafka_log_write_many(struct kafka_log *kl, const struct kafka_log_record *recs, size_t n,
                         struct kc_error *err)
{
    struct write_wait *w = kc_calloc(n > 0 ? n : 1, sizeof(*w));
    size_t sent = 0;
    int rc = KC_OK;

    if (w == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    while (sent < n) {
        rc = produce(kl, recs[sent].key, recs[sent].value, recs[sent].vlen, &w[sent], err);
        if (rc == KC_RETRY) { /* queue full: let deliveries drain, then try this one again */
            rd_kafka_poll(kl->producer, 100);
            rc = KC_OK;
            continue;
        }
        if (rc != KC_OK) {
            break;
        }
        sent++;
    }
    /* Even after a failure, wait for what was sent: the reports point into w. */
    for (size_t i = 0; i < sent; i++) {
        while (!w[i].done) {
            rd_kafka_poll(kl->producer, 100);
        }
        if (rc == KC_OK && w[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rc = kc_error_set(err, KC_EIO, "Failed to write %s to topic %s: %s", recs[i].key,
                              kl->topic, rd_kafka_err2str(w[i].err));
        }
    }
    kc_free(w);
    return rc;
}

int kafka_log_flush(struct kafka_log *kl, int timeout_ms, struct kc_error *err)
{
    if (rd_kafka_flush(kl->producer, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return kc_error_set(err, KC_RETRY, "%d record(s) to %s still in flight after %d ms",
                            rd_kafka_outq_len(kl->producer), kl->topic, timeout_ms);
    }
    return KC_OK;
}

/* Consume one message (up to wait_ms) and apply it. 1 applied, 0 nothing, <0 error. */
static int consume_one(struct kafka_log *kl, kafka_log_apply_fn fn, void *opaque, int wait_ms)
{
    rd_kafka_message_t *m = rd_kafka_consume_queue(kl->cq, wait_ms);
    int rc;

    if (m == NULL) {
        return 0;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            kc_log(KC_LOG_WARN, LOG_FAC, "Error reading topic %s [%d]: %s", kl->topic,
                   (int)m->partition, rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        return 0;
    }
    if (m->partition >= 0 && m->partition < kl->n_partitions) {
        kl->next[m->partition] = m->offset + 1;
    }
    rc = fn(opaque, m);
    rd_kafka_message_destroy(m);
    return rc == KC_OK ? 1 : rc;
}

/*
 * Transaction markers (a JVM leader with exactly.once.source.support writes the config topic
 * transactionally) take an offset but are never delivered, so the offset after the last record
 * can stay below the high watermark. librdkafka's application position moves past them, like
 * the Java consumer's position(); take whichever is further.
 */
static void app_positions(struct kafka_log *kl)
{
    rd_kafka_topic_partition_list_t *tpl = rd_kafka_topic_partition_list_new(kl->n_partitions);
    if (tpl == NULL) {
        return;
    }
    for (int32_t p = 0; p < kl->n_partitions; p++) {
        rd_kafka_topic_partition_list_add(tpl, kl->topic, p);
    }
    if (rd_kafka_position(kl->consumer, tpl) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < tpl->cnt; i++) {
            int32_t p = tpl->elems[i].partition;
            if (p >= 0 && p < kl->n_partitions && tpl->elems[i].offset > kl->next[p]) {
                kl->next[p] = tpl->elems[i].offset;
            }
        }
    }
    rd_kafka_topic_partition_list_destroy(tpl);
}

int kafka_log_read_to_end(struct kafka_log *kl, kafka_log_apply_fn fn, void *opaque, int timeout_ms,
                          struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + timeout_ms;
    int64_t *end = kc_malloc((size_t)kl->n_partitions * sizeof(*end));
    int64_t *start = kc_malloc((size_t)kl->n_partitions * sizeof(*start));
    int rc = KC_OK;

    if (end == NULL || start == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    for (int32_t p = 0; p < kl->n_partitions; p++) {
        int64_t left = deadline - kc_now_ms();
        /* Asked over the producer's connection when there is one: on the consumer's, the
         * request waits behind a long-poll fetch (the broker answers a connection's requests
         * in order), which cost up to fetch.wait.max.ms per config write read back. */
        rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
            kl->producer != NULL ? kl->producer : kl->consumer, kl->topic, p, &start[p],
            &end[p], left > 0 ? (int)left : 0);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rc = kc_error_set(err, kafka_admin_rc(e) == KC_RETRY ? KC_RETRY : KC_EIO,
                              "Failed to read end offsets of %s [%d]: %s", kl->topic, (int)p,
                              rd_kafka_err2str(e));
            goto out;
        }
    }
    for (;;) {
        int behind = 0;
        int64_t left;
        app_positions(kl);
        for (int32_t p = 0; p < kl->n_partitions; p++) {
            int64_t pos = kl->next[p] >= 0 ? kl->next[p] : start[p];
            if (pos < end[p]) {
                behind = 1;
                break;
            }
        }
        if (!behind) {
            break;
        }
        left = deadline - kc_now_ms();
        if (left <= 0) {
            rc = kc_error_set(err, KC_RETRY, "Timed out reading topic %s to its end after %d ms",
                              kl->topic, timeout_ms);
            goto out;
        }
        rc = consume_one(kl, fn, opaque, left < 100 ? (int)left : 100);
        if (rc < 0) {
            kc_error_set(err, rc, "Applying a record of topic %s failed", kl->topic);
            goto out;
        }
        rc = KC_OK;
    }
out:
    kc_free(end);
    kc_free(start);
    return rc;
}

int kafka_log_poll(struct kafka_log *kl, kafka_log_apply_fn fn, void *opaque, int timeout_ms)
{
    int64_t deadline = kc_now_ms() + timeout_ms;
    int n = 0;

    rd_kafka_poll(kl->producer, 0);
    for (;;) {
        int64_t left = deadline - kc_now_ms();
        /* Wait only until the first record; then drain what is already queued and return. */
        int rc = consume_one(kl, fn, opaque, n > 0 || left <= 0 ? 0 : (int)left);
        if (rc < 0) {
            return rc;
        }
        if (rc == 1) {
            n++;
            continue;
        }
        if (n > 0 || deadline - kc_now_ms() <= 0) {
            return n;
        }
    }
}
