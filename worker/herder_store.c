/*
 * worker/herder_store.c: the herder's adapter over the internal topics (config_topic.c,
 * status_topic.c, kafka_admin.c). Config writes are read back before they count, like the JVM's
 * KafkaConfigBackingStore; status writes update the local view at once and go to Kafka
 * asynchronously, like KafkaStatusBackingStore's cache.
 */
#include "herder_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_worker.h"
#include "config_topic.h"
#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "status_topic.h"

#define STORE_READ_TIMEOUT_MS 30000
#define STORE_ADMIN_TIMEOUT_MS 60000
#define STORE_VALUE_CAP (16u << 20)

struct herder_store {
    struct kafka_admin *ka;       /* owned */
    struct config_topic *ct;      /* owned */
    struct config_state *cs;      /* owned */
    struct status_topic *sts;     /* owned */
    struct status_state *ss;      /* owned */
    char *cluster_id;             /* owned */
    uint64_t seen_version;        /* config_state_version at the last poll */
};

int herder_store_open(const struct worker_config *wc, const char *worker_id,
                      struct herder_store **out, struct kc_error *err)
{
    const struct kc_strmap *wp = (&wc->props);
    struct herder_store *s = kc_calloc(1, sizeof(*s));
    struct kc_strmap props;
    char *cid = NULL;
    int rc;
    kc_strmap_init(&props);
    *out = NULL;
    if (s == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* Internal-topic clients use the top-level worker properties (security, timeouts). */
    if ((rc = worker_config_client_props(wc, NULL, &props, err)) != KC_OK) {
        goto fail;
    }
    cid = kc_asprintf("connect-%s", worker_id);
    if (cid == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = kafka_admin_new(&props, cid, &s->ka, err)) != KC_OK ||
        (rc = kafka_admin_cluster_id(s->ka, STORE_ADMIN_TIMEOUT_MS, &s->cluster_id, err)) !=
            KC_OK) {
        if (rc == KC_RETRY) {
            rc = KC_EFATAL;
        }
        goto fail;
    }
    if ((rc = kafka_admin_internal_topics_ensure(s->ka, wp, STORE_ADMIN_TIMEOUT_MS, err)) !=
        KC_OK) {
        rc = KC_EFATAL;
        goto fail;
    }
    s->cs = config_state_new();
    s->ss = status_state_new();
    if (s->cs == NULL || s->ss == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = config_topic_new(&props, kc_strmap_get(wp, "config.storage.topic"), cid, &s->ct,
                               err)) != KC_OK ||
        (rc = config_topic_read_to_end(s->ct, s->cs, STORE_READ_TIMEOUT_MS, err)) != KC_OK) {
        rc = KC_EFATAL;
        goto fail;
    }
    /* Restart and logger records from before our start are history, not requests. */
    config_state_set_started(s->cs);
    struct config_event ev;
    while (config_state_event_next(s->cs, &ev) == 1) {
        config_event_fini(&ev);
    }
    if ((rc = status_topic_new(&props, kc_strmap_get(wp, "status.storage.topic"), cid,
                               STORE_ADMIN_TIMEOUT_MS, &s->sts, err)) != KC_OK ||
        (rc = status_topic_read_to_end(s->sts, s->ss, STORE_READ_TIMEOUT_MS, err)) != KC_OK) {
        rc = KC_EFATAL;
        goto fail;
    }
    s->seen_version = config_state_version(s->cs);
    kc_log(KC_LOG_INFO, "store", "Finished reading the internal topics (config offset %lld)",
           (long long)config_state_offset(s->cs));
    kc_free(cid);
    kc_strmap_fini(&props);
    *out = s;
    return KC_OK;
fail:
    kc_free(cid);
    kc_strmap_fini(&props);
    herder_store_free(s);
    return rc;
}

void herder_store_free(struct herder_store *s)
{
    if (s == NULL) {
        return;
    }
    if (s->sts != NULL) {
        struct kc_error err;
        status_topic_flush(s->sts, 5000, &err);
    }
    status_topic_free(s->sts);
    status_state_free(s->ss);
    config_topic_free(s->ct);
    config_state_free(s->cs);
    kafka_admin_free(s->ka);
    kc_free(s->cluster_id);
    kc_free(s);
}

const char *herder_store_cluster_id(const struct herder_store *s)
{
    return s->cluster_id;
}

struct kafka_admin *herder_store_admin(struct herder_store *s)
{
    return s->ka;
}

int herder_store_config_unseen(const struct herder_store *s)
{
    return config_state_version(s->cs) != s->seen_version;
}

int herder_store_poll(struct herder_store *s, int timeout_ms, int *config_changed)
{
    config_topic_poll(s->ct, s->cs, timeout_ms);
    status_topic_poll(s->sts, s->ss, 0);
    uint64_t v = config_state_version(s->cs);
    *config_changed = v != s->seen_version;
    s->seen_version = v;
    return KC_OK;
}

void herder_store_drain_restarts(struct herder_store *s,
                                 void (*fn)(void *opaque, const char *name, int include_tasks,
                                            int only_failed),
                                 void *opaque)
{
    struct config_event ev;
    while (config_state_event_next(s->cs, &ev) == 1) {
        if (ev.type == CONFIG_EVENT_RESTART && ev.name != NULL) {
            fn(opaque, ev.name, ev.include_tasks, ev.only_failed);
        } else if (ev.type == CONFIG_EVENT_LOGGER_LEVEL && ev.level != NULL) {
            kc_log(KC_LOG_INFO, "store", "Cluster-wide logger level %s for %s", ev.level,
                   ev.name ? ev.name : "root");
        }
        config_event_fini(&ev);
    }
}

int herder_store_connectors(struct herder_store *s, char ***names, size_t *n)
{
    const char **cn = NULL;
    size_t k = 0;
    *names = NULL;
    *n = 0;
    if (config_state_connectors(s->cs, &cn, &k) != KC_OK) {
        return KC_ENOMEM;
    }
    char **out = kc_calloc(k + 1, sizeof(*out));
    if (out == NULL) {
        kc_free(cn);
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < k; i++) {
        out[i] = kc_strdup(cn[i]);
    }
    kc_free(cn);
    *names = out;
    *n = k;
    return KC_OK;
}

const struct kc_strmap *herder_store_config(struct herder_store *s, const char *name)
{
    return config_state_connector_config(s->cs, name);
}

enum herder_target_state herder_store_target(struct herder_store *s, const char *name)
{
    int t = config_state_target_state(s->cs, name);
    return t < 0 ? HERDER_TARGET_STARTED : (enum herder_target_state)t;
}

int herder_store_task_count(struct herder_store *s, const char *name)
{
    if (config_state_inconsistent(s->cs, name)) {
        return 0;
    }
    int n = config_state_task_count(s->cs, name);
    return n < 0 ? 0 : n;
}

const struct kc_strmap *herder_store_task_config(struct herder_store *s, const char *name, int id)
{
    return config_state_task_config(s->cs, name, id);
}

int64_t herder_store_task_generation(struct herder_store *s, const char *name)
{
    return config_state_task_generation(s->cs, name);
}

int herder_store_put_connector(struct herder_store *s, const char *name,
                               const struct kc_strmap *cfg,
                               const enum herder_target_state *initial, struct kc_error *err)
{
    return config_topic_put_connector(s->ct, s->cs, name, cfg, initial, err);
}

int herder_store_delete_connector(struct herder_store *s, const char *name, struct kc_error *err)
{
    return config_topic_remove_connector(s->ct, s->cs, name, err);
}

int herder_store_put_target(struct herder_store *s, const char *name,
                            enum herder_target_state ts, struct kc_error *err)
{
    /* The store only waits for delivery; we read back so the herder acts on it at once. */
    int rc = config_topic_put_target_state(s->ct, name, ts, err);
    return rc == KC_OK ? config_topic_read_to_end(s->ct, s->cs, STORE_READ_TIMEOUT_MS, err) : rc;
}

int herder_store_put_logger(struct herder_store *s, const char *ns, const char *level,
                            struct kc_error *err)
{
    return config_topic_put_logger_level(s->ct, ns, level, err);
}

int herder_store_put_restart(struct herder_store *s, const char *name, int include_tasks,
                             int only_failed, struct kc_error *err)
{
    return config_topic_put_restart(s->ct, s->cs, name, include_tasks, only_failed, err);
}

int herder_store_put_tasks(struct herder_store *s, const char *name, const struct kc_strmap *tasks,
                           int n, struct kc_error *err)
{
    return config_topic_put_task_configs(s->ct, s->cs, name, tasks, (size_t)n, err);
}

int herder_store_put_status(struct herder_store *s, const char *connector, int task,
                            enum herder_state state, const char *trace, const char *worker_id,
                            int32_t generation, const char *version, struct kc_error *err)
{
    /* FAILED and UNASSIGNED are "safe" writes in the JVM: skipped if another worker of a newer
     * generation owns the record. */
    if ((state == HERDER_STATE_FAILED || state == HERDER_STATE_UNASSIGNED) &&
        !status_state_can_write_safely(s->ss, connector, task, worker_id, generation)) {
        return KC_OK;
    }
    char *key = task < 0 ? status_topic_key_connector(connector)
                         : status_topic_key_task(connector, task);
    struct kc_buf v;
    int rc;
    kc_buf_init(&v, STORE_VALUE_CAP);
    if (key == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else if (state == HERDER_STATE_DESTROYED) {
        rc = status_topic_send(s->sts, key, NULL, 0, err);
        if (rc == KC_OK) {
            status_state_apply(s->ss, key, strlen(key), NULL, 0);
        }
    } else if (status_topic_value_status(&v, state, trace, worker_id, generation, version) !=
               KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else {
        rc = status_topic_send(s->sts, key, v.data, v.len, err);
        if (rc == KC_OK) {
            status_state_apply(s->ss, key, strlen(key), v.data, v.len);
        }
    }
    kc_free(key);
    kc_buf_fini(&v);
    return rc;
}

int herder_store_get_status(struct herder_store *s, const char *connector, int task,
                            struct herder_instance_status *out)
{
    const struct status_entry *e = task < 0 ? status_state_connector(s->ss, connector)
                                            : status_state_task(s->ss, connector, task);
    memset(out, 0, sizeof(*out));
    if (e == NULL) {
        return KC_ENOENT;
    }
    out->id = task;
    out->state = e->state;
    out->worker_id = kc_strdup(e->worker_id ? e->worker_id : "");
    out->trace = kc_strdup(e->trace);
    out->version = kc_strdup(e->version);
    return KC_OK;
}

int herder_store_status_task_ids(struct herder_store *s, const char *connector, int **ids,
                                 size_t *n)
{
    return status_state_task_ids(s->ss, connector, ids, n);
}

int herder_store_put_topic(struct herder_store *s, const char *connector, const char *topic,
                           int task, struct kc_error *err)
{
    if (status_state_topic(s->ss, connector, topic) != NULL) {
        return KC_OK; /* recorded already: written only once */
    }
    char *key = status_topic_key_topic(topic, connector);
    struct kc_buf v;
    int rc;
    kc_buf_init(&v, STORE_VALUE_CAP);
    if (key == NULL || status_topic_value_topic(&v, topic, connector, task, kc_wall_ms()) !=
                           KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    } else if ((rc = status_topic_send(s->sts, key, v.data, v.len, err)) == KC_OK) {
        status_state_apply(s->ss, key, strlen(key), v.data, v.len);
    }
    kc_free(key);
    kc_buf_fini(&v);
    return rc;
}

int herder_store_topics(struct herder_store *s, const char *connector, char ***topics, size_t *n)
{
    const struct status_topic_entry **te = NULL;
    size_t k = 0;
    *topics = NULL;
    *n = 0;
    if (status_state_topics(s->ss, connector, &te, &k) != KC_OK) {
        return KC_ENOMEM;
    }
    char **out = kc_calloc(k + 1, sizeof(*out));
    if (out == NULL) {
        kc_free(te);
        return KC_ENOMEM;
    }
    for (size_t i = 0; i < k; i++) {
        out[i] = kc_strdup(te[i]->topic);
    }
    kc_free(te);
    *topics = out;
    *n = k;
    return KC_OK;
}

int herder_store_delete_topics(struct herder_store *s, const char *connector,
                               struct kc_error *err)
{
    const struct status_topic_entry **te = NULL;
    size_t k = 0;
    int rc = KC_OK;
    if (status_state_topics(s->ss, connector, &te, &k) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* Copy names first: applying tombstones frees the entries te points at. */
    char **names = kc_calloc(k + 1, sizeof(*names));
    for (size_t i = 0; names != NULL && i < k; i++) {
        names[i] = kc_strdup(te[i]->topic);
    }
    kc_free(te);
    for (size_t i = 0; names != NULL && i < k; i++) {
        char *key = status_topic_key_topic(names[i], connector);
        if (key != NULL && status_topic_delete_topic(s->sts, names[i], connector, err) == KC_OK) {
            status_state_apply(s->ss, key, strlen(key), NULL, 0);
        } else {
            rc = KC_EIO;
        }
        kc_free(key);
        kc_free(names[i]);
    }
    kc_free(names);
    return rc;
}

int32_t herder_store_max_generation(struct herder_store *s)
{
    const char **cn = NULL;
    size_t n = 0;
    int32_t max = 0;
    if (status_state_connectors(s->ss, &cn, &n) != KC_OK) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        const struct status_entry *e = status_state_connector(s->ss, cn[i]);
        if (e != NULL && e->generation > max) {
            max = e->generation;
        }
        int *ids = NULL;
        size_t k = 0;
        if (status_state_task_ids(s->ss, cn[i], &ids, &k) == KC_OK) {
            for (size_t j = 0; j < k; j++) {
                const struct status_entry *t = status_state_task(s->ss, cn[i], ids[j]);
                if (t != NULL && t->generation > max) {
                    max = t->generation;
                }
            }
            kc_free(ids);
        }
    }
    kc_free(cn);
    return max;
}

void herder_store_flush(struct herder_store *s, int timeout_ms)
{
    struct kc_error err;
    if (status_topic_flush(s->sts, timeout_ms, &err) != KC_OK) {
        kc_log(KC_LOG_WARN, "store", "Status writes not acknowledged: %s", err.msg);
    }
}

int64_t herder_store_config_offset(struct herder_store *s)
{
    return config_state_offset(s->cs);
}

int herder_store_read_config(struct herder_store *s, int timeout_ms, struct kc_error *err)
{
    return config_topic_read_to_end(s->ct, s->cs, timeout_ms, err);
}

int herder_store_session_key(struct herder_store *s, const uint8_t **key, size_t *len,
                             const char **algorithm, int64_t *created_ms)
{
    const struct config_session_key *k = config_state_session_key(s->cs);
    if (k == NULL) {
        return 0;
    }
    *key = k->key;
    *len = k->key_len;
    *algorithm = k->algorithm;
    *created_ms = k->created_ms;
    return 1;
}

int herder_store_put_session_key(struct herder_store *s, const uint8_t *key, size_t len,
                                 const char *algorithm, int64_t created_ms, struct kc_error *err)
{
    return config_topic_put_session_key(s->ct, s->cs, key, len, algorithm, created_ms, err);
}
