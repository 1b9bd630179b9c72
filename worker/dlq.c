/*
 * worker/dlq.c: what happens to a record that cannot be converted or written.
 *
 * Order as in the JVM: the failure is reported first (error log line, DLQ record), then the
 * tolerance decides. DLQ records are produced asynchronously; dlq_flush() is called before every
 * offset commit, so a committed offset never passes a DLQ record that Kafka did not acknowledge.
 * A delivery failure is remembered and makes the next dlq_flush() fail.
 *
 * DLQ record: the original key and value bytes, the original headers, the original timestamp;
 * with context headers enabled, the __connect.errors.* headers below as UTF-8 strings.
 */
#include "dlq.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "connector_config.h"
#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "metrics.h"

#define DLQ_HDR_TOPIC "__connect.errors.topic"
#define DLQ_HDR_PARTITION "__connect.errors.partition"
#define DLQ_HDR_OFFSET "__connect.errors.offset"
#define DLQ_HDR_CONNECTOR "__connect.errors.connector.name"
#define DLQ_HDR_TASK "__connect.errors.task.id"
#define DLQ_HDR_STAGE "__connect.errors.stage"
#define DLQ_HDR_CLASS "__connect.errors.class.name"
#define DLQ_HDR_EXC_CLASS "__connect.errors.exception.class.name"
#define DLQ_HDR_EXC_MSG "__connect.errors.exception.message"
#define DLQ_HDR_EXC_TRACE "__connect.errors.exception.stacktrace"

/* The first SASL or TLS failure one client reported through its error callback. */
struct auth_watch {
    rd_kafka_resp_err_t err;
    char msg[384];
};

struct dlq {
    char *connector; /* owned */
    int task_id;
    int tolerate_all;
    int log_enable;
    int log_messages;
    int context_headers;
    char *topic;          /* owned, NULL = no DLQ */
    rd_kafka_t *rk;       /* owned producer, NULL = no DLQ */
    _Atomic long failed;  /* deliveries that failed since the last flush */
    char last_error[256]; /* written by the delivery callback (producer poll, task thread) */
    /* the producer's first SASL or TLS failure (error callback, producer poll on the task
     * thread): the start-up check stops on it instead of waiting out its timeout */
    struct auth_watch auth;
    struct metrics_task *metrics; /* borrowed from the task, NULL = none */
};

static const char *const stage_names[] = {"KEY_CONVERTER", "VALUE_CONVERTER", "HEADER_CONVERTER",
                                          "TRANSFORMATION", "TASK_PUT"};

const char *dlq_stage_name(enum dlq_stage s)
{
    return stage_names[s];
}

static int sink_bool(const struct kc_strmap *cfg, const char *key, int *out, struct kc_error *err)
{
    struct conf_value v;
    int rc = connector_config_value(cfg, key, &v, err);
    *out = rc == KC_OK && v.u.b;
    conf_value_fini(&v);
    return rc;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    struct dlq *d = opaque;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        atomic_fetch_add(&d->failed, 1);
        snprintf(d->last_error, sizeof(d->last_error), "%s", rd_kafka_err2str(m->err));
        METRICS_ADD(d->metrics, dlq_failures, 1);
    }
}

static void note_auth(rd_kafka_t *rk, int e, const char *reason, struct auth_watch *w)
{
    /* what librdkafka logs itself when no error callback is set */
    kc_log(KC_LOG_ERROR, "kafka", "[%s] ERROR: %s: %s", rd_kafka_name(rk),
           rd_kafka_err2name((rd_kafka_resp_err_t)e), reason != NULL ? reason : "");
    if ((e == RD_KAFKA_RESP_ERR__AUTHENTICATION || e == RD_KAFKA_RESP_ERR__SSL) &&
        w->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        w->err = (rd_kafka_resp_err_t)e;
        snprintf(w->msg, sizeof(w->msg), "%s", reason != NULL ? reason : "");
    }
}

static void error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
    struct dlq *d = opaque;
    note_auth(rk, e, reason, &d->auth);
}

static void admin_error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
    note_auth(rk, e, reason, opaque);
}

/* prefix: "admin." or "producer."; the client's keys come from the worker's top-level keys,
 * then its <prefix>* keys, then the connector's <prefix>override.* keys. */
static int auth_failed(const struct auth_watch *w, const char *what, const char *topic,
                       const char *who, const char *prefix, struct kc_error *err)
{
    return kc_error_set(err, KC_EIO,
                        "%s DLQ topic %s: Kafka %s failed for the %s: %s (check sasl.jaas.config, "
                        "%ssasl.jaas.config and the connector's %soverride.sasl.jaas.config, and "
                        "the ssl.truststore.* keys beside them)",
                        what, topic,
                        w->err == RD_KAFKA_RESP_ERR__AUTHENTICATION ? "authentication"
                                                                   : "TLS authentication",
                        who, w->msg, prefix, prefix);
}

/* 1 if the cluster has topic, 0 if not, -1 if the metadata could not be had (w may say why).
 * All topics are listed, as the JVM's listTopics(): a request for the one topic could make
 * the broker auto-create it with its own defaults. */
static int topic_exists(rd_kafka_t *rk, const char *topic, struct auth_watch *w)
{
    for (int waited = 0; waited < 35000 && w->err == 0; waited += 1000) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 1000);
        rd_kafka_poll(rk, 0);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md != NULL) {
            int found = 0;
            for (int i = 0; i < md->topic_cnt && !found; i++) {
                found = strcmp(md->topics[i].topic, topic) == 0 &&
                        md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR;
            }
            rd_kafka_metadata_destroy(md);
            return found;
        }
        if (md != NULL) {
            rd_kafka_metadata_destroy(md);
        }
    }
    return -1;
}

/*
 * Create the DLQ topic (1 partition, replication factor rf) if it is missing, through the
 * admin client rk (its error callback fills w), as the JVM's DeadLetterQueueReporter does with
 * an Admin built from the worker's admin.* keys and the connector's admin.override.*.
 */
static int create_topic(const char *topic, rd_kafka_t *rk, struct auth_watch *w, int rf,
                        struct kc_error *err)
{
    char errstr[256];
    /* As the JVM: create only when missing, so an admin identity without CREATE rights works
     * with a topic made beforehand. */
    int exists = topic_exists(rk, topic, w);
    if (exists == 1) {
        return KC_OK;
    }
    if (exists < 0 && w->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return auth_failed(w, "Cannot create", topic, "DLQ admin client", "admin.", err);
    }
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, 1, rf, errstr, sizeof(errstr));
    if (nt == NULL) {
        return kc_error_set(err, KC_EINVAL, "Cannot create DLQ topic %s: %s", topic, errstr);
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, 30000, errstr, sizeof(errstr));
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = NULL;
    /* in slices, serving the client's error events between them (its error callback) */
    for (int waited = 0; ev == NULL && waited < 35000 && w->err == 0; waited += 250) {
        ev = rd_kafka_queue_poll(q, 250);
        rd_kafka_poll(rk, 0);
    }
    int rc = KC_OK;
    if (ev == NULL && w->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = auth_failed(w, "Cannot create", topic, "DLQ admin client", "admin.", err);
    } else if (ev == NULL) {
        rc = kc_error_set(err, KC_EIO, "Timed out creating the DLQ topic %s", topic);
    } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = kc_error_set(err, KC_EIO, "Cannot create DLQ topic %s: %s", topic,
                          rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
        size_t n;
        const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
        for (size_t i = 0; i < n; i++) {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                rc = kc_error_set(err, KC_EIO, "Cannot create DLQ topic %s: %s", topic,
                                  rd_kafka_topic_result_error_string(tr[i]));
            }
        }
    }
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

/* The admin client of the topic creation: admin_props, client.id connector-dlq-adminclient-. */
static int create_topic_as_admin(const char *connector, int task_id, const char *topic, int rf,
                                 const struct kc_strmap *admin_props, struct kc_error *err)
{
    char errstr[512], cid[300];
    struct auth_watch w = {0};
    rd_kafka_conf_t *conf = kafka_admin_conf_new(admin_props, NULL, err);
    if (conf == NULL) {
        return err != NULL ? err->rc : KC_EINVAL;
    }
    snprintf(cid, sizeof(cid), "connector-dlq-adminclient-%s-%d", connector, task_id);
    if (admin_props == NULL || !kc_strmap_has(admin_props, "client.id")) {
        rd_kafka_conf_set(conf, "client.id", cid, errstr, sizeof(errstr));
    }
    rd_kafka_conf_set_opaque(conf, &w);
    rd_kafka_conf_set_error_cb(conf, admin_error_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        return kc_error_set(err, KC_EIO, "Cannot create the DLQ admin client: %s", errstr);
    }
    int rc = create_topic(topic, rk, &w, rf, err);
    rd_kafka_destroy(rk);
    return rc;
}

/* The producer reaches the cluster: a SASL or TLS refusal fails the task now, not at the
 * first record sent to the DLQ. A cluster that stays silent is not an error here. */
static int check_producer(struct dlq *d, struct kc_error *err)
{
    for (int waited = 0; waited < 10000 && d->auth.err == 0; waited += 250) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(d->rk, 0, NULL, &md, 250);
        rd_kafka_poll(d->rk, 0);
        if (md != NULL) {
            rd_kafka_metadata_destroy(md);
        }
        /* A time-out comes only after a broker was up (connected, authenticated): slow, not
         * refused. Only "no usable broker yet" (transport) is waited out. */
        if (e != RD_KAFKA_RESP_ERR__TRANSPORT && d->auth.err == 0) {
            return KC_OK;
        }
    }
    if (d->auth.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return auth_failed(&d->auth, "Cannot write to", d->topic, "DLQ producer", "producer.",
                           err);
    }
    return KC_OK;
}

int dlq_new(const char *connector, int task_id, const struct kc_strmap *cfg,
            const struct kc_strmap *producer_props, const struct kc_strmap *admin_props,
            struct dlq **out, struct kc_error *err)
{
    struct dlq *d = kc_calloc(1, sizeof(*d));
    int rc;
    *out = NULL;
    if (d == NULL || (d->connector = kc_strdup(connector)) == NULL) {
        kc_free(d);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    d->task_id = task_id;
    struct conf_value tol, topic = {0}, rf = {0};
    if ((rc = connector_config_value(cfg, "errors.tolerance", &tol, err)) == KC_OK) {
        /* the definition's validator is case-insensitive: NONE, ALL */
        d->tolerate_all = strcasecmp(tol.u.s, "all") == 0;
        if (!d->tolerate_all && strcasecmp(tol.u.s, "none") != 0) {
            rc = kc_error_set(err, KC_EINVAL,
                              "Invalid value %s for configuration errors.tolerance: String must "
                              "be one of (case insensitive): NONE, ALL",
                              tol.u.s);
        }
    }
    conf_value_fini(&tol);
    if (rc != KC_OK || (rc = sink_bool(cfg, "errors.log.enable", &d->log_enable, err)) != KC_OK ||
        (rc = sink_bool(cfg, "errors.log.include.messages", &d->log_messages, err)) != KC_OK ||
        (rc = sink_bool(cfg, "errors.deadletterqueue.context.headers.enable",
                        &d->context_headers, err)) != KC_OK ||
        (rc = connector_config_value(cfg, "errors.deadletterqueue.topic.name", &topic, err)) !=
            KC_OK ||
        (rc = connector_config_value(cfg, "errors.deadletterqueue.topic.replication.factor", &rf,
                                     err)) != KC_OK) {
        goto fail;
    }
    if (topic.u.s[0] != '\0') {
        char errstr[512];
        if ((rc = create_topic_as_admin(connector, task_id, topic.u.s, (int)rf.u.i,
                                        admin_props != NULL ? admin_props : producer_props,
                                        err)) != KC_OK) {
            goto fail;
        }
        rd_kafka_conf_t *conf = kafka_admin_conf_new(producer_props, NULL, err);
        if (conf == NULL) {
            rc = err != NULL ? err->rc : KC_EINVAL;
            goto fail;
        }
        /* Connect's DLQ producer defaults (acks=all, in-order delivery, its own client id);
         * producer.* and producer.override.* from the user win, as in the JVM. */
        char cid[300];
        snprintf(cid, sizeof(cid), "connector-dlq-producer-%s-%d", connector, task_id);
        const char *const dflt[][2] = {
            {"acks", "all"},
            {"max.in.flight.requests.per.connection", "1"},
            {"client.id", cid},
        };
        for (size_t i = 0; i < sizeof(dflt) / sizeof(dflt[0]); i++) {
            if (producer_props == NULL || !kc_strmap_has(producer_props, dflt[i][0])) {
                rd_kafka_conf_set(conf, dflt[i][0], dflt[i][1], errstr, sizeof(errstr));
            }
        }
        rd_kafka_conf_set_opaque(conf, d);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rd_kafka_conf_set_error_cb(conf, error_cb);
        d->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (d->rk == NULL) {
            rd_kafka_conf_destroy(conf); /* still ours when rd_kafka_new fails */
            rc = kc_error_set(err, KC_EIO, "Cannot create the DLQ producer: %s", errstr);
            goto fail;
        }
        d->topic = topic.u.s; /* moves over */
        topic.u.s = NULL;
        if ((rc = check_producer(d, err)) != KC_OK) {
            goto fail;
        }
    }
    conf_value_fini(&topic);
    *out = d;
    return KC_OK;
fail:
    conf_value_fini(&topic);
    conf_value_fini(&rf);
    dlq_free(d);
    return rc;
}

void dlq_free(struct dlq *d)
{
    if (d == NULL) {
        return;
    }
    if (d->rk != NULL) {
        rd_kafka_flush(d->rk, 5000);
        rd_kafka_destroy(d->rk);
    }
    kc_free(d->topic);
    kc_free(d->connector);
    kc_free(d);
}

static void add_hdr(rd_kafka_headers_t *h, const char *name, const char *value)
{
    rd_kafka_header_add(h, name, -1, value, value ? -1 : 0);
}

int dlq_report(struct dlq *d, const char *topic, int32_t partition, int64_t offset,
               int64_t timestamp, int ts_type, const void *key, size_t key_len,
               const void *value, size_t value_len, const void *orig_msg, enum dlq_stage stage,
               const char *class_name, const char *exception_class, const char *message)
{
    /* The JVM counts a failed attempt and an errant record once each, then a skip when the
     * record is tolerated. */
    METRICS_ADD(d->metrics, record_failures, 1);
    METRICS_ADD(d->metrics, record_errors, 1);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now); /* an epoch timestamp, as the JVM's */
    METRICS_SET(d->metrics, last_error_ms, (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
    if (d->tolerate_all) {
        METRICS_ADD(d->metrics, records_skipped, 1);
    }
    if (d->log_enable) {
        METRICS_ADD(d->metrics, errors_logged, 1);
        if (d->log_messages) {
            kc_log(KC_LOG_ERROR, "errors",
                   "Error encountered in task %s-%d. Executing stage '%s' with class '%s', where "
                   "consumed record is {topic='%s', partition=%d, offset=%lld, timestamp=%lld, "
                   "timestampType=%s}. %s: %s",
                   d->connector, d->task_id, dlq_stage_name(stage), class_name ? class_name : "",
                   topic, partition, (long long)offset, (long long)timestamp,
                   ts_type == 1   ? "CreateTime"
                   : ts_type == 2 ? "LogAppendTime"
                                  : "NoTimestampType",
                   exception_class, message ? message : "");
        } else {
            kc_log(KC_LOG_ERROR, "errors",
                   "Error encountered in task %s-%d. Executing stage '%s' with class '%s'. %s: %s",
                   d->connector, d->task_id, dlq_stage_name(stage), class_name ? class_name : "",
                   exception_class, message ? message : "");
        }
    }
    if (d->rk != NULL) {
        rd_kafka_headers_t *h = NULL;
        rd_kafka_headers_t *oh = NULL;
        if (orig_msg != NULL &&
            rd_kafka_message_headers((const rd_kafka_message_t *)orig_msg, &oh) ==
                RD_KAFKA_RESP_ERR_NO_ERROR &&
            oh != NULL) {
            h = rd_kafka_headers_copy(oh);
        } else {
            h = rd_kafka_headers_new(d->context_headers ? 10 : 0);
        }
        if (d->context_headers) {
            char num[32];
            add_hdr(h, DLQ_HDR_TOPIC, topic);
            snprintf(num, sizeof(num), "%d", partition);
            add_hdr(h, DLQ_HDR_PARTITION, num);
            snprintf(num, sizeof(num), "%lld", (long long)offset);
            add_hdr(h, DLQ_HDR_OFFSET, num);
            add_hdr(h, DLQ_HDR_CONNECTOR, d->connector);
            snprintf(num, sizeof(num), "%d", d->task_id);
            add_hdr(h, DLQ_HDR_TASK, num);
            add_hdr(h, DLQ_HDR_STAGE, dlq_stage_name(stage));
            add_hdr(h, DLQ_HDR_CLASS, class_name ? class_name : "");
            add_hdr(h, DLQ_HDR_EXC_CLASS, exception_class);
            add_hdr(h, DLQ_HDR_EXC_MSG, message);
            char *trace = kc_asprintf("%s: %s\n\tat connect-c.worker(dlq.c)\n", exception_class,
                                      message ? message : "");
            add_hdr(h, DLQ_HDR_EXC_TRACE, trace);
            kc_free(trace);
        }
        rd_kafka_resp_err_t e;
        METRICS_ADD(d->metrics, dlq_requests, 1);
        for (;;) {
            e = rd_kafka_producev(
                d->rk, RD_KAFKA_V_TOPIC(d->topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_KEY((void *)key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                RD_KAFKA_V_TIMESTAMP(ts_type != 0 ? timestamp : 0), RD_KAFKA_V_HEADERS(h),
                RD_KAFKA_V_END);
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                break;
            }
            rd_kafka_poll(d->rk, 100);
        }
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_headers_destroy(h);
            atomic_fetch_add(&d->failed, 1);
            METRICS_ADD(d->metrics, dlq_failures, 1);
            snprintf(d->last_error, sizeof(d->last_error), "%s", rd_kafka_err2str(e));
        }
        rd_kafka_poll(d->rk, 0);
    }
    return d->tolerate_all ? KC_OK : KC_EFATAL;
}

int dlq_flush(struct dlq *d, int64_t timeout_ms, struct kc_error *err)
{
    if (d == NULL || d->rk == NULL) {
        return KC_OK;
    }
    rd_kafka_resp_err_t e = rd_kafka_flush(d->rk, (int)timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return kc_error_set(err, KC_EIO, "Timed out waiting for dead letter queue records to be "
                                         "acknowledged by Kafka");
    }
    if (atomic_exchange(&d->failed, 0) != 0) {
        return kc_error_set(err, KC_EIO, "Failed to send a record to the dead letter queue "
                                         "topic %s: %s",
                            d->topic, d->last_error);
    }
    return KC_OK;
}

void dlq_set_metrics(struct dlq *d, struct metrics_task *m)
{
    d->metrics = m;
}
