/*
 * worker/kafka_admin.c: internal-topic creation and verification and consumer-group offset calls
 * over librdkafka's admin API, with the JVM's error texts (TopicAdmin, KafkaConfigBackingStore).
 *
 * Each admin call runs on a private rd_kafka_queue_t and waits for exactly one result event, so
 * calls are synchronous and results never leak to another caller. Requests carry a request
 * timeout slightly below the caller's wait so librdkafka answers (with a timeout error) before
 * we give up on the queue.
 */
#include "kafka_admin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h"

#define LOG_FAC "kafka"

struct kafka_admin {
    rd_kafka_t *rk;               /* owned */
    rd_kafka_resp_err_t last_err; /* code behind the last error a call reported */
    /* The first SASL or TLS failure librdkafka reported. Only kafka_admin_cluster_id serves
     * the handle's error events (rd_kafka_poll), so these are written and read on its thread. */
    rd_kafka_resp_err_t auth_err;
    char auth_msg[512];
};

/* ---- shared client setup ---- */

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug. */
    enum kc_log_level l = level <= 3   ? KC_LOG_ERROR
                          : level == 4 ? KC_LOG_WARN
                          : level <= 6 ? KC_LOG_INFO
                                       : KC_LOG_DEBUG;
    kc_log(l, LOG_FAC, "[%s] %s: %s", rd_kafka_name(rk), fac, buf);
}

int kafka_admin_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                         struct kc_error *err)
{
    char errstr[256];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        return kc_error_set(err, KC_EINVAL, "Kafka client property '%s': %s", name, errstr);
    }
    return KC_OK;
}

rd_kafka_conf_t *kafka_admin_conf_new(const struct kc_strmap *props, const char *client_id,
                                      struct kc_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();

    if (conf == NULL) {
        kc_error_set(err, KC_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; props != NULL && i < props->n; i++) {
        if (props->e[i].value == NULL) {
            continue;
        }
        if (kafka_admin_conf_set(conf, props->e[i].key, props->e[i].value, err) != KC_OK) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    if (client_id != NULL && kafka_admin_conf_set(conf, "client.id", client_id, err) != KC_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    /* KIP-714 client metrics (librdkafka >= 2.5): off, like the JVM worker has no metrics
     * reporter here; each client would otherwise keep telemetry state and push every few
     * seconds. A user who wants it sets enable.metrics.push=true (a later key wins). */
    if (rd_kafka_version() >= 0x020500ff && (props == NULL ||
                                            !kc_strmap_has(props, "enable.metrics.push"))) {
        kafka_admin_conf_set(conf, "enable.metrics.push", "false", NULL);
    }
    rd_kafka_conf_set_log_cb(conf, log_cb);
    return conf;
}

int kafka_admin_rc(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
        return KC_OK;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
        return KC_RETRY;
    default:
        return KC_EIO;
    }
}

/* ---- lifecycle ---- */

/* Wrong credentials or an untrusted broker certificate do not heal by retrying: librdkafka keeps
 * reconnecting, so remember the first such error for kafka_admin_cluster_id to stop on (the JVM
 * worker fails its start on SaslAuthenticationException / SslAuthenticationException too). */
static void admin_error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
    struct kafka_admin *ka = opaque;
    /* what librdkafka logs itself when no error callback is set */
    kc_log(KC_LOG_ERROR, LOG_FAC, "[%s] ERROR: %s: %s", rd_kafka_name(rk),
           rd_kafka_err2name((rd_kafka_resp_err_t)e), reason != NULL ? reason : "");
    if ((e == RD_KAFKA_RESP_ERR__AUTHENTICATION || e == RD_KAFKA_RESP_ERR__SSL) &&
        ka->auth_err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ka->auth_err = (rd_kafka_resp_err_t)e;
        snprintf(ka->auth_msg, sizeof(ka->auth_msg), "%s", reason != NULL ? reason : "");
    }
}

int kafka_admin_new(const struct kc_strmap *props, const char *client_id, struct kafka_admin **out,
                    struct kc_error *err)
{
    struct kafka_admin *ka = NULL;
    rd_kafka_conf_t *conf = NULL;
    char errstr[512];

    *out = NULL;
    ka = kc_calloc(1, sizeof(*ka));
    if (ka == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    conf = kafka_admin_conf_new(props, client_id, err);
    if (conf == NULL) {
        kc_free(ka);
        return err != NULL ? err->rc : KC_EINVAL;
    }
    /* A librdkafka producer's metadata requests would otherwise create any topic we merely
     * look at (brokers default to auto.create.topics.enable=true). */
    if (kafka_admin_conf_set(conf, "allow.auto.create.topics", "false", err) != KC_OK) {
        rd_kafka_conf_destroy(conf);
        kc_free(ka);
        return err != NULL ? err->rc : KC_EINVAL;
    }
    rd_kafka_conf_set_error_cb(conf, admin_error_cb);
    rd_kafka_conf_set_opaque(conf, ka);
    ka->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (ka->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        kc_free(ka);
        return kc_error_set(err, KC_EINVAL, "Failed to create Kafka admin client: %s", errstr);
    }
    *out = ka;
    return KC_OK;
}

void kafka_admin_free(struct kafka_admin *ka)
{
    if (ka != NULL) {
        rd_kafka_destroy(ka->rk);
        kc_free(ka);
    }
}

rd_kafka_t *kafka_admin_handle(struct kafka_admin *ka)
{
    return ka->rk;
}

/* ---- admin call plumbing ---- */

static rd_kafka_AdminOptions_t *admin_options(struct kafka_admin *ka, rd_kafka_admin_op_t op,
                                              int timeout_ms)
{
    char errstr[256];
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(ka->rk, op);
    int req = timeout_ms > 2000 ? timeout_ms - 1000 : timeout_ms;
    if (opts != NULL) {
        rd_kafka_AdminOptions_set_request_timeout(opts, req > 0 ? req : 1, errstr, sizeof(errstr));
    }
    return opts;
}

/* Wait for the one result of type want on q. Owned event or NULL with err set. */
static rd_kafka_event_t *admin_wait(struct kafka_admin *ka, rd_kafka_queue_t *q,
                                    rd_kafka_event_type_t want, int timeout_ms, const char *what,
                                    struct kc_error *err)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 2000);
    rd_kafka_resp_err_t e;

    if (ev == NULL) {
        kc_error_set(err, KC_RETRY, "Timed out waiting for %s", what);
        return NULL;
    }
    if (rd_kafka_event_type(ev) != want) {
        kc_error_set(err, KC_EIO, "Unexpected admin result for %s: %s", what,
                     rd_kafka_event_name(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    e = rd_kafka_event_error(ev);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        ka->last_err = e;
        kc_error_set(err, kafka_admin_rc(e), "%s failed: %s", what,
                     rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

/* ---- topic settings ---- */

int kafka_admin_topic_settings(const struct kc_strmap *worker_props, const char *prefix,
                               struct kc_strmap *out)
{
    size_t plen = strlen(prefix);

    for (size_t i = 0; i < worker_props->n; i++) {
        const char *k = worker_props->e[i].key;
        const char *cfg;
        if (strncmp(k, prefix, plen) != 0 || k[plen] != '.') {
            continue;
        }
        cfg = k + plen + 1;
        if (strcmp(cfg, "partitions") == 0) {
            if (strcmp(prefix, "config.storage") == 0) {
                kc_log(KC_LOG_WARN, LOG_FAC,
                       "Ignoring '%s.partitions=%s' setting, since config topic partitions is "
                       "always 1",
                       prefix, worker_props->e[i].value ? worker_props->e[i].value : "null");
            }
            continue;
        }
        if (strcmp(cfg, "cleanup.policy") == 0) {
            kc_log(KC_LOG_WARN, LOG_FAC,
                   "Ignoring '%s.cleanup.policy=%s' setting, since compaction is always used",
                   prefix, worker_props->e[i].value ? worker_props->e[i].value : "null");
            continue;
        }
        if (strcmp(cfg, "topic") == 0 || strcmp(cfg, "replication.factor") == 0 || *cfg == '\0') {
            continue;
        }
        if (kc_strmap_set(out, cfg, worker_props->e[i].value) != KC_OK) {
            return KC_ENOMEM;
        }
    }
    return KC_OK;
}

/* ---- describe ---- */

int kafka_admin_topic_partitions(struct kafka_admin *ka, const char *topic, int timeout_ms,
                                 int *n_partitions, struct kc_error *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(ka->rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e;
    int rc;

    if (rkt == NULL) {
        return kc_error_set(err, KC_EIO, "Cannot use topic '%s': %s", topic,
                            rd_kafka_err2str(rd_kafka_last_error()));
    }
    e = rd_kafka_metadata(ka->rk, 0, rkt, &md, timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = kc_error_set(err, kafka_admin_rc(e), "Failed to fetch metadata of topic '%s': %s",
                          topic, rd_kafka_err2str(e));
    } else if (md->topic_cnt != 1 || md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        rc = kc_error_set(err, KC_ENOENT, "Topic '%s' does not exist", topic);
    } else if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rc = kc_error_set(err, kafka_admin_rc(md->topics[0].err),
                          "Failed to fetch metadata of topic '%s': %s", topic,
                          rd_kafka_err2str(md->topics[0].err));
    } else {
        *n_partitions = md->topics[0].partition_cnt;
        rc = KC_OK;
    }
    if (md != NULL) {
        rd_kafka_metadata_destroy(md);
    }
    rd_kafka_topic_destroy(rkt);
    return rc;
}

int kafka_admin_topic_cleanup_policy(struct kafka_admin *ka, const char *topic, int timeout_ms,
                                     char **policy, struct kc_error *err)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(ka->rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(ka, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout_ms);
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_ConfigResource_t **rs;
    size_t nrs = 0;
    int rc = KC_ENOENT;

    *policy = NULL;
    rd_kafka_DescribeConfigs(ka->rk, &res, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT, timeout_ms, "DescribeConfigs",
                    err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    rs = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &nrs);
    kc_error_set(err, KC_ENOENT, "Unable to describe the cleanup.policy of topic '%s'", topic);
    for (size_t i = 0; i < nrs; i++) {
        const rd_kafka_ConfigEntry_t **ce;
        size_t nce = 0;
        if (rd_kafka_ConfigResource_error(rs[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            kc_error_set(err, KC_ENOENT, "Unable to describe topic '%s': %s", topic,
                         rd_kafka_ConfigResource_error_string(rs[i]));
            continue;
        }
        ce = rd_kafka_ConfigResource_configs(rs[i], &nce);
        for (size_t k = 0; k < nce; k++) {
            if (strcmp(rd_kafka_ConfigEntry_name(ce[k]), "cleanup.policy") == 0 &&
                rd_kafka_ConfigEntry_value(ce[k]) != NULL) {
                *policy = kc_strdup(rd_kafka_ConfigEntry_value(ce[k]));
                rc = *policy != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
                if (rc == KC_OK) {
                    kc_error_clear(err);
                }
                goto out;
            }
        }
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_ConfigResource_destroy(res);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* Java String.hashCode over UTF-16 code units; our policies are ASCII. */
static int32_t java_hash(const char *s)
{
    uint32_t h = 0;
    for (; *s; s++) {
        h = 31 * h + (unsigned char)*s;
    }
    return (int32_t)h;
}

/*
 * TopicAdmin.topicCleanupPolicy splits on ',', trims, drops empties, lower-cases and collects
 * into a HashSet; the error message joins that set with ','. Reproduce the set's iteration order
 * (HashMap bucket (h ^ h>>>16) & 15 for fewer than 13 entries, insertion order within a bucket)
 * so the message is the JVM's byte for byte. Returns the number of distinct policies and writes
 * the joined text into out.
 */
static size_t policy_set(const char *policy, char *out, size_t outsz, int *only_compact)
{
    char items[16][64];
    int32_t bucket[16];
    size_t n = 0;
    const char *p = policy;
    size_t used = 0;

    while (*p != '\0' && n < 16) {
        const char *end = strchr(p, ',');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        const char *b = p;
        const char *e = p + len;
        while (b < e && (unsigned char)*b <= ' ') {
            b++;
        }
        while (e > b && (unsigned char)e[-1] <= ' ') {
            e--;
        }
        if (e > b && (size_t)(e - b) < sizeof(items[0])) {
            size_t l = (size_t)(e - b);
            int dup = 0;
            for (size_t i = 0; i < l; i++) {
                items[n][i] = (char)tolower((unsigned char)b[i]);
            }
            items[n][l] = '\0';
            for (size_t i = 0; i < n; i++) {
                dup |= strcmp(items[i], items[n]) == 0;
            }
            if (!dup) {
                uint32_t h = (uint32_t)java_hash(items[n]);
                bucket[n] = (int32_t)((h ^ (h >> 16)) & 15u);
                n++;
            }
        }
        if (end == NULL) {
            break;
        }
        p = end + 1;
    }
    *only_compact = n == 1 && strcmp(items[0], "compact") == 0;
    out[0] = '\0';
    for (int32_t bkt = 0; bkt < 16; bkt++) {
        for (size_t i = 0; i < n; i++) {
            if (bucket[i] != bkt) {
                continue;
            }
            int w = snprintf(out + used, outsz - used, "%s%s", used > 0 ? "," : "", items[i]);
            if (w > 0 && (size_t)w < outsz - used) {
                used += (size_t)w;
            }
        }
    }
    return n;
}

int kafka_admin_compact_check(const struct kafka_admin_topic_spec *spec, const char *policy,
                              struct kc_error *err)
{
    char joined[256];
    char *msg;
    int only_compact = 0;

    if (policy == NULL || policy_set(policy, joined, sizeof(joined), &only_compact) == 0) {
        return KC_ENOENT;
    }
    if (only_compact) {
        return KC_OK;
    }
    /* The JVM's text outgrows struct kc_error's buffer with long topic names: log it whole. */
    msg = kc_asprintf(
        "Topic '%s' supplied via the '%s' property is required to have 'cleanup.policy=compact' "
        "to guarantee consistency and durability of %s, but found the topic currently has "
        "'cleanup.policy=%s'. Continuing would likely result in eventually losing %s and "
        "problems restarting this Connect cluster in the future. Change the '%s' property in "
        "the Connect worker configurations to use a topic with 'cleanup.policy=compact'.",
        spec->name, spec->config_key, spec->purpose, joined, spec->purpose, spec->config_key);
    if (msg == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_log(KC_LOG_ERROR, LOG_FAC, "%s", msg);
    kc_error_set(err, KC_EINVAL, "%s", msg);
    kc_free(msg);
    return KC_EINVAL;
}

/* TopicAdmin.verifyTopicCleanupPolicyOnlyCompact */
static int verify_compact(struct kafka_admin *ka, const struct kafka_admin_topic_spec *spec,
                          int timeout_ms, struct kc_error *err)
{
    char *policy = NULL;
    struct kc_error derr;
    int rc;

    rc = kafka_admin_topic_cleanup_policy(ka, spec->name, timeout_ms, &policy, &derr);
    if (rc == KC_OK) {
        rc = kafka_admin_compact_check(spec, policy, err);
    }
    kc_free(policy);
    if (rc == KC_OK || rc == KC_EINVAL) {
        return rc;
    }
    kc_log(KC_LOG_INFO, LOG_FAC,
           "Unable to use admin client to verify the cleanup policy of '%s' topic is "
           "'compact', either because the broker is an older version or because the Kafka "
           "principal used for Connect internal topics does not have the required permission "
           "to describe topic configurations.",
           spec->name);
    return KC_OK;
}

/* ---- create ---- */

/* One CreateTopics round. *existed = 1 when the broker says it exists. */
static int create_once(struct kafka_admin *ka, const struct kafka_admin_topic_spec *spec,
                       int timeout_ms, int *existed, struct kc_error *err)
{
    char errstr[512];
    rd_kafka_NewTopic_t *nt = NULL;
    rd_kafka_queue_t *q = NULL;
    rd_kafka_AdminOptions_t *opts = NULL;
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_topic_result_t **tr;
    size_t ntr = 0;
    int rc = KC_OK;

    *existed = 0;
    nt = rd_kafka_NewTopic_new(spec->name, spec->partitions, spec->replication_factor, errstr,
                               sizeof(errstr));
    if (nt == NULL) {
        return kc_error_set(err, KC_EINVAL, "Unable to create topic(s) '%s': %s", spec->name,
                            errstr);
    }
    /* TopicAdmin.defineTopic(t).config(settings).compacted(): compaction wins. */
    for (size_t i = 0; spec->configs != NULL && i < spec->configs->n; i++) {
        if (spec->configs->e[i].value == NULL) {
            continue;
        }
        if (rd_kafka_NewTopic_set_config(nt, spec->configs->e[i].key, spec->configs->e[i].value) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            goto out;
        }
    }
    rd_kafka_NewTopic_set_config(nt, "cleanup.policy", "compact");
    q = rd_kafka_queue_new(ka->rk);
    opts = admin_options(ka, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout_ms);
    rd_kafka_AdminOptions_set_operation_timeout(
        opts, timeout_ms > 2000 ? timeout_ms - 1000 : timeout_ms, errstr, sizeof(errstr));
    rd_kafka_CreateTopics(ka->rk, &nt, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_CREATETOPICS_RESULT, timeout_ms, "CreateTopics", err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    tr = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &ntr);
    for (size_t i = 0; i < ntr; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[i]);
        const char *msg = rd_kafka_topic_result_error_string(tr[i]);
        if (msg == NULL) {
            msg = rd_kafka_err2str(e);
        }
        switch (e) {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            kc_log(KC_LOG_INFO, LOG_FAC,
                   "Created topic (name=%s, numPartitions=%d, replicationFactor=%d) on brokers",
                   spec->name, spec->partitions, spec->replication_factor);
            break;
        case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
            kc_log(KC_LOG_DEBUG, LOG_FAC, "Found existing topic '%s' on the brokers", spec->name);
            *existed = 1;
            break;
        case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
        case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
            /* TopicAdmin falls back to assuming the topic exists or will be auto-created. */
            kc_log(KC_LOG_DEBUG, LOG_FAC,
                   "Unable to create topic(s) '%s' (%s). Falling back to assume topic(s) exist "
                   "or will be auto-created by the broker.",
                   spec->name, msg);
            *existed = 1;
            break;
        case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
            rc = kc_error_set(err, KC_RETRY, "Unable to create topic(s) '%s': %s", spec->name, msg);
            break;
        case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
            rc = kc_error_set(err, KC_EIO, "Unable to create topic(s) '%s': %s", spec->name, msg);
            break;
        default:
            rc = kc_error_set(err, kafka_admin_rc(e) == KC_RETRY ? KC_RETRY : KC_EIO,
                              "Error while attempting to create/find topic(s) '%s': %s", spec->name,
                              msg);
            break;
        }
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    if (q != NULL) {
        rd_kafka_queue_destroy(q);
    }
    rd_kafka_NewTopic_destroy(nt);
    return rc;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int kafka_admin_topic_ensure(struct kafka_admin *ka, const struct kafka_admin_topic_spec *spec,
                             int timeout_ms, int *created, struct kc_error *err)
{
    int64_t deadline = kc_now_ms() + timeout_ms;
    int existed = 0;
    int rc;
    int n = 0;

    if (created != NULL) {
        *created = 0;
    }
    kc_log(KC_LOG_DEBUG, LOG_FAC, "Creating Connect internal topic for %s", spec->purpose);
    for (;;) {
        int64_t left = deadline - kc_now_ms();
        rc = create_once(ka, spec, left > 1000 ? (int)left : 1000, &existed, err);
        if (rc != KC_RETRY) {
            break;
        }
        left = deadline - kc_now_ms();
        if (left <= 0) {
            return kc_error_set(err, KC_RETRY,
                                "Timeout expired while trying to create topic(s) '%s': %s",
                                spec->name, err != NULL ? err->msg : "");
        }
        kc_log(KC_LOG_INFO, LOG_FAC,
               "'%s' topic creation failed due to '%s', retrying, %lldms remaining", spec->name,
               err != NULL ? err->msg : "", (long long)left);
        sleep_ms(left < 1000 ? (int)left : 1000); /* retry.backoff.max.ms */
    }
    if (rc != KC_OK) {
        return rc;
    }
    if (created != NULL) {
        *created = !existed;
    }
    if (existed) {
        kc_log(KC_LOG_DEBUG, LOG_FAC,
               "Using admin client to check cleanup policy of '%s' topic is 'compact'", spec->name);
        rc = verify_compact(ka, spec, timeout_ms, err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    if (spec->single_partition) {
        /* KafkaConfigBackingStore.start(): checked whether or not we created it. */
        /* Metadata of a topic created a moment ago may not have reached every broker. */
        for (;;) {
            int64_t left = deadline - kc_now_ms();
            rc = kafka_admin_topic_partitions(ka, spec->name, left > 1000 ? (int)left : 1000, &n,
                                              err);
            if (rc == KC_OK || (rc != KC_ENOENT && rc != KC_RETRY) || deadline - kc_now_ms() <= 0) {
                break;
            }
            sleep_ms(100);
        }
        if (rc != KC_OK) {
            return rc;
        }
        if (n > 1) {
            return kc_error_set(err, KC_EINVAL,
                                "Topic '%s' supplied via the '%s' property is required to have a "
                                "single partition in order to guarantee consistency of connector "
                                "configurations, but found %d partitions.",
                                spec->name, spec->config_key, n);
        }
    }
    return KC_OK;
}

static int prop_int(const struct kc_strmap *props, const char *key, int def, int *out,
                    struct kc_error *err)
{
    const char *v = kc_strmap_get(props, key);
    char *end = NULL;
    long l;

    if (v == NULL) {
        *out = def;
        return KC_OK;
    }
    l = strtol(v, &end, 10);
    if (end == v || *end != '\0' || l < -1 || l == 0 || l > 32767) {
        return kc_error_set(
            err, KC_EINVAL,
            "Invalid value %s for configuration %s: must be -1 or a positive number", v, key);
    }
    *out = (int)l;
    return KC_OK;
}

int kafka_admin_internal_topics_ensure(struct kafka_admin *ka, const struct kc_strmap *worker_props,
                                       int timeout_ms, struct kc_error *err)
{
    static const struct {
        const char *prefix;
        const char *topic_key;
        const char *partitions_key; /* NULL: always 1 */
        int default_partitions;
        const char *purpose;
    } topics[] = {
        /* DistributedHerder starts the offset, status and config stores in this order. */
        {"offset.storage", "offset.storage.topic", "offset.storage.partitions", 25,
         "source connector offsets"},
        {"status.storage", "status.storage.topic", "status.storage.partitions", 5,
         "connector and task statuses"},
        {"config.storage", "config.storage.topic", NULL, 1, "connector configurations"},
    };
    int rc = KC_OK;

    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]) && rc == KC_OK; i++) {
        struct kafka_admin_topic_spec spec;
        struct kc_strmap extra;
        char rf_key[64];
        const char *name = kc_strmap_get(worker_props, topics[i].topic_key);

        if (name == NULL || *name == '\0') {
            return kc_error_set(err, KC_EINVAL,
                                "Missing required configuration \"%s\" which has no default value.",
                                topics[i].topic_key);
        }
        memset(&spec, 0, sizeof(spec));
        spec.name = name;
        spec.config_key = topics[i].topic_key;
        spec.purpose = topics[i].purpose;
        spec.single_partition = topics[i].partitions_key == NULL;
        spec.partitions = 1;
        snprintf(rf_key, sizeof(rf_key), "%s.replication.factor", topics[i].prefix);
        rc = prop_int(worker_props, rf_key, 3, &spec.replication_factor, err);
        if (rc == KC_OK && topics[i].partitions_key != NULL) {
            rc = prop_int(worker_props, topics[i].partitions_key, topics[i].default_partitions,
                          &spec.partitions, err);
        }
        if (rc != KC_OK) {
            return rc;
        }
        kc_strmap_init(&extra);
        if (kafka_admin_topic_settings(worker_props, topics[i].prefix, &extra) != KC_OK) {
            kc_strmap_fini(&extra);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        spec.configs = &extra;
        rc = kafka_admin_topic_ensure(ka, &spec, timeout_ms, NULL, err);
        kc_strmap_fini(&extra);
    }
    return rc;
}

int kafka_admin_cluster_id(struct kafka_admin *ka, int timeout_ms, char **cluster_id,
                           struct kc_error *err)
{
    struct timespec t0, now;
    char *id = NULL;

    /* in slices, serving error events between them, so a wrong password or an untrusted
     * certificate stops the start at once with librdkafka's reason instead of a timeout */
    *cluster_id = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (long)(now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        long left = timeout_ms - spent;
        id = rd_kafka_clusterid(ka->rk, left <= 0 ? 0 : left < 250 ? (int)left : 250);
        if (id != NULL) {
            break;
        }
        rd_kafka_poll(ka->rk, 0);
        if (ka->auth_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            ka->last_err = ka->auth_err;
            return kc_error_set(
                err, KC_EFATAL,
                "Kafka %s failed: %s (check security.protocol, sasl.mechanism, sasl.jaas.config "
                "and ssl.truststore.* of the worker's clients)",
                ka->auth_err == RD_KAFKA_RESP_ERR__AUTHENTICATION ? "authentication"
                                                                  : "TLS authentication",
                ka->auth_msg);
        }
        if (left <= 0) {
            break;
        }
    }
    if (id == NULL) {
        return kc_error_set(err, KC_RETRY, "Kafka cluster id not known within %d ms", timeout_ms);
    }
    *cluster_id = kc_strdup(id);
    rd_kafka_mem_free(ka->rk, id);
    return *cluster_id != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}

/* ---- group offsets ---- */

void kafka_admin_offsets_fini(struct kafka_admin_offsets *os)
{
    if (os == NULL) {
        return;
    }
    for (size_t i = 0; i < os->n; i++) {
        kc_free(os->o[i].topic);
    }
    kc_free(os->o);
    os->o = NULL;
    os->n = 0;
}

int kafka_admin_offsets_add(struct kafka_admin_offsets *os, const char *topic, int32_t partition,
                            int64_t offset)
{
    struct kafka_admin_offset *a = kc_realloc(os->o, (os->n + 1) * sizeof(*a));
    if (a == NULL) {
        return KC_ENOMEM;
    }
    os->o = a;
    a[os->n].topic = kc_strdup(topic);
    if (a[os->n].topic == NULL) {
        return KC_ENOMEM;
    }
    a[os->n].partition = partition;
    a[os->n].offset = offset;
    os->n++;
    return KC_OK;
}

static rd_kafka_topic_partition_list_t *to_tpl(const struct kafka_admin_offsets *os,
                                               int with_offsets)
{
    rd_kafka_topic_partition_list_t *tpl = rd_kafka_topic_partition_list_new((int)os->n);
    for (size_t i = 0; i < os->n; i++) {
        rd_kafka_topic_partition_t *tp =
            rd_kafka_topic_partition_list_add(tpl, os->o[i].topic, os->o[i].partition);
        if (with_offsets) {
            tp->offset = os->o[i].offset;
        }
    }
    return tpl;
}

/* Check a group result: group-level error, then each partition's. */
static int group_result_check(struct kafka_admin *ka, const rd_kafka_group_result_t *gr,
                              const char *what, const char *group, struct kc_error *err)
{
    const rd_kafka_error_t *ge = rd_kafka_group_result_error(gr);
    const rd_kafka_topic_partition_list_t *parts;

    if (ge != NULL) {
        ka->last_err = rd_kafka_error_code(ge);
        return kc_error_set(err, kafka_admin_rc(rd_kafka_error_code(ge)),
                            "%s of group %s failed: %s", what, group, rd_kafka_error_string(ge));
    }
    parts = rd_kafka_group_result_partitions(gr);
    for (int i = 0; parts != NULL && i < parts->cnt; i++) {
        if (parts->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            ka->last_err = parts->elems[i].err;
            return kc_error_set(err, kafka_admin_rc(parts->elems[i].err),
                                "%s of group %s failed for %s-%d: %s", what, group,
                                parts->elems[i].topic, (int)parts->elems[i].partition,
                                rd_kafka_err2str(parts->elems[i].err));
        }
    }
    return KC_OK;
}

static int cmp_offset(const void *a, const void *b)
{
    const struct kafka_admin_offset *x = a;
    const struct kafka_admin_offset *y = b;
    int c = strcmp(x->topic, y->topic);
    if (c != 0) {
        return c;
    }
    return (x->partition > y->partition) - (x->partition < y->partition);
}

static int group_offsets_list_once(struct kafka_admin *ka, const char *group, int timeout_ms,
                                   struct kafka_admin_offsets *out, struct kc_error *err)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(ka->rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(ka, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_ListConsumerGroupOffsets_t *req = rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_group_result_t **grs;
    size_t ngr = 0;
    int rc = KC_OK;

    rd_kafka_ListConsumerGroupOffsets(ka->rk, &req, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_LISTCONSUMERGROUPOFFSETS_RESULT, timeout_ms,
                    "ListConsumerGroupOffsets", err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    grs = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(ev), &ngr);
    for (size_t i = 0; i < ngr && rc == KC_OK; i++) {
        const rd_kafka_error_t *ge = rd_kafka_group_result_error(grs[i]);
        const rd_kafka_topic_partition_list_t *parts = rd_kafka_group_result_partitions(grs[i]);
        if (ge != NULL) {
            if (rd_kafka_error_code(ge) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
                continue;
            }
            ka->last_err = rd_kafka_error_code(ge);
            rc = kc_error_set(err, kafka_admin_rc(rd_kafka_error_code(ge)),
                              "ListConsumerGroupOffsets of group %s failed: %s", group,
                              rd_kafka_error_string(ge));
            break;
        }
        for (int k = 0; parts != NULL && k < parts->cnt; k++) {
            const rd_kafka_topic_partition_t *tp = &parts->elems[k];
            if (tp->err != RD_KAFKA_RESP_ERR_NO_ERROR || tp->offset < 0) {
                continue; /* no committed offset for this partition */
            }
            if (kafka_admin_offsets_add(out, tp->topic, tp->partition, tp->offset) != KC_OK) {
                rc = kc_error_set(err, KC_ENOMEM, "out of memory");
                break;
            }
        }
    }
    if (rc == KC_OK && out->n > 1) {
        qsort(out->o, out->n, sizeof(*out->o), cmp_offset);
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    return rc;
}

static int group_offsets_alter_once(struct kafka_admin *ka, const char *group,
                                    const struct kafka_admin_offsets *os, int timeout_ms,
                                    struct kc_error *err)
{
    rd_kafka_topic_partition_list_t *tpl = to_tpl(os, 1);
    rd_kafka_AlterConsumerGroupOffsets_t *req = rd_kafka_AlterConsumerGroupOffsets_new(group, tpl);
    rd_kafka_queue_t *q = rd_kafka_queue_new(ka->rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(ka, RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_group_result_t **grs;
    size_t ngr = 0;
    int rc = KC_OK;

    rd_kafka_AlterConsumerGroupOffsets(ka->rk, &req, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_ALTERCONSUMERGROUPOFFSETS_RESULT, timeout_ms,
                    "AlterConsumerGroupOffsets", err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    grs = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &ngr);
    for (size_t i = 0; i < ngr && rc == KC_OK; i++) {
        rc = group_result_check(ka, grs[i], "AlterConsumerGroupOffsets", group, err);
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AlterConsumerGroupOffsets_destroy(req);
    rd_kafka_topic_partition_list_destroy(tpl);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    return rc;
}

static int group_offsets_delete_once(struct kafka_admin *ka, const char *group,
                                     const struct kafka_admin_offsets *os, int timeout_ms,
                                     struct kc_error *err)
{
    rd_kafka_topic_partition_list_t *tpl = to_tpl(os, 0);
    rd_kafka_DeleteConsumerGroupOffsets_t *req =
        rd_kafka_DeleteConsumerGroupOffsets_new(group, tpl);
    rd_kafka_queue_t *q = rd_kafka_queue_new(ka->rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(ka, RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS, timeout_ms);
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_group_result_t **grs;
    size_t ngr = 0;
    int rc = KC_OK;

    rd_kafka_DeleteConsumerGroupOffsets(ka->rk, &req, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_DELETECONSUMERGROUPOFFSETS_RESULT, timeout_ms,
                    "DeleteConsumerGroupOffsets", err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    grs = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &ngr);
    for (size_t i = 0; i < ngr && rc == KC_OK; i++) {
        rc = group_result_check(ka, grs[i], "DeleteConsumerGroupOffsets", group, err);
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
    rd_kafka_topic_partition_list_destroy(tpl);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    return rc;
}

static int group_delete_once(struct kafka_admin *ka, const char *group, int timeout_ms,
                             struct kc_error *err)
{
    rd_kafka_DeleteGroup_t *req = rd_kafka_DeleteGroup_new(group);
    rd_kafka_queue_t *q = rd_kafka_queue_new(ka->rk);
    rd_kafka_AdminOptions_t *opts = admin_options(ka, RD_KAFKA_ADMIN_OP_DELETEGROUPS, timeout_ms);
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_group_result_t **grs;
    size_t ngr = 0;
    int rc = KC_OK;

    rd_kafka_DeleteGroups(ka->rk, &req, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_DELETEGROUPS_RESULT, timeout_ms, "DeleteGroups", err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    grs = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &ngr);
    for (size_t i = 0; i < ngr && rc == KC_OK; i++) {
        const rd_kafka_error_t *ge = rd_kafka_group_result_error(grs[i]);
        if (ge != NULL && rd_kafka_error_code(ge) != RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
            ka->last_err = rd_kafka_error_code(ge);
            rc = kc_error_set(err, kafka_admin_rc(rd_kafka_error_code(ge)),
                              "DeleteGroups of group %s failed: %s", group,
                              rd_kafka_error_string(ge));
        }
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_DeleteGroup_destroy(req);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    return rc;
}

static int group_active_once(struct kafka_admin *ka, const char *group, int timeout_ms, int *active,
                             struct kc_error *err)
{
    rd_kafka_queue_t *q = rd_kafka_queue_new(ka->rk);
    rd_kafka_AdminOptions_t *opts =
        admin_options(ka, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeout_ms);
    rd_kafka_event_t *ev = NULL;
    const rd_kafka_ConsumerGroupDescription_t **gds;
    size_t ngd = 0;
    int rc = KC_OK;

    *active = 0;
    rd_kafka_DescribeConsumerGroups(ka->rk, &group, 1, opts, q);
    ev = admin_wait(ka, q, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT, timeout_ms,
                    "DescribeConsumerGroups", err);
    if (ev == NULL) {
        rc = err != NULL ? err->rc : KC_EIO;
        goto out;
    }
    gds = rd_kafka_DescribeConsumerGroups_result_groups(
        rd_kafka_event_DescribeConsumerGroups_result(ev), &ngd);
    for (size_t i = 0; i < ngd; i++) {
        const rd_kafka_error_t *ge = rd_kafka_ConsumerGroupDescription_error(gds[i]);
        rd_kafka_consumer_group_state_t st;
        if (ge != NULL) {
            if (rd_kafka_error_code(ge) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) {
                continue;
            }
            ka->last_err = rd_kafka_error_code(ge);
            rc = kc_error_set(err, kafka_admin_rc(rd_kafka_error_code(ge)),
                              "DescribeConsumerGroups of group %s failed: %s", group,
                              rd_kafka_error_string(ge));
            break;
        }
        st = rd_kafka_ConsumerGroupDescription_state(gds[i]);
        if (rd_kafka_ConsumerGroupDescription_member_count(gds[i]) > 0 ||
            (st != RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY &&
             st != RD_KAFKA_CONSUMER_GROUP_STATE_DEAD &&
             st != RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN)) {
            *active = 1;
        }
    }
out:
    if (ev != NULL) {
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    return rc;
}

/* ---- coordinator retries ---- */

/* Errors a group call meets while the coordinator moves or loads (right after a broker start):
 * worth retrying within the caller's timeout. Membership errors are not: the caller must act. */
static int coordinator_transient(rd_kafka_resp_err_t e)
{
    return e == RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS ||
           e == RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE ||
           e == RD_KAFKA_RESP_ERR_NOT_COORDINATOR || e == RD_KAFKA_RESP_ERR__TRANSPORT ||
           e == RD_KAFKA_RESP_ERR__WAIT_COORD;
}

#define GROUP_RETRY(call)                                                                          \
    do {                                                                                           \
        int64_t deadline_ = kc_now_ms() + timeout_ms;                                              \
        int rc_;                                                                                   \
        for (;;) {                                                                                 \
            int64_t left_ = deadline_ - kc_now_ms();                                               \
            int timeout_ms_ = left_ > 1000 ? (int)left_ : 1000;                                    \
            (void)timeout_ms_;                                                                     \
            ka->last_err = RD_KAFKA_RESP_ERR_NO_ERROR;                                             \
            rc_ = (call);                                                                          \
            if (rc_ == KC_OK || !coordinator_transient(ka->last_err) ||                            \
                deadline_ - kc_now_ms() <= 200) {                                                  \
                return rc_;                                                                        \
            }                                                                                      \
            sleep_ms(200);                                                                         \
        }                                                                                          \
    } while (0)

int kafka_admin_group_offsets_list(struct kafka_admin *ka, const char *group, int timeout_ms,
                                   struct kafka_admin_offsets *out, struct kc_error *err)
{
    GROUP_RETRY(
        (kafka_admin_offsets_fini(out), group_offsets_list_once(ka, group, timeout_ms_, out, err)));
}

int kafka_admin_group_offsets_alter(struct kafka_admin *ka, const char *group,
                                    const struct kafka_admin_offsets *os, int timeout_ms,
                                    struct kc_error *err)
{
    GROUP_RETRY(group_offsets_alter_once(ka, group, os, timeout_ms_, err));
}

int kafka_admin_group_offsets_delete(struct kafka_admin *ka, const char *group,
                                     const struct kafka_admin_offsets *os, int timeout_ms,
                                     struct kc_error *err)
{
    GROUP_RETRY(group_offsets_delete_once(ka, group, os, timeout_ms_, err));
}

int kafka_admin_group_delete(struct kafka_admin *ka, const char *group, int timeout_ms,
                             struct kc_error *err)
{
    GROUP_RETRY(group_delete_once(ka, group, timeout_ms_, err));
}

int kafka_admin_group_active(struct kafka_admin *ka, const char *group, int timeout_ms, int *active,
                             struct kc_error *err)
{
    GROUP_RETRY(group_active_once(ka, group, timeout_ms_, active, err));
}
