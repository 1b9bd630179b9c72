/*
 * worker/herder.c: the herder thread. It owns every connector's runtime (struct herder_conn),
 * the worker's assignment and the status it reports, and is the only thread that touches the
 * internal topics (through herder_store). Other threads talk to it with ops on h->q.
 *
 * Reconciliation: after every change of the config view, of the assignment or of an op,
 * herder_reconcile() moves the running set towards the assignment: the connectors and tasks the
 * worker group's leader gave this worker (herder_group.c). Connector instances and tasks of one
 * connector may run on different workers; only the leader writes task configs, others send
 * theirs to it.
 */
#include "herder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf_worker.h"
#include "connector_config.h"
#include "herder_handle.h"
#include "herder_int.h"
#include "herder_jobs.h"
#include "group_connect.h"
#include "herder_store.h"
#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_queue.h"
#include "kc_thread.h"
#include "metrics.h"
#include "registry.h"

#define HERDER_TICK_MS 100
#define HERDER_STOPPING_TICK_MS 10 /* how often tasks that are stopping are looked at */

/*
 * A task asked to stop and not yet joined. The herder never waits for a task (the JVM's default
 * task.shutdown.graceful.timeout.ms is 5 s per batch of tasks, time in which no REST call, status
 * write or report would be served): stop_tasks() only asks and moves the task here, and every
 * loop of the herder thread looks again (sweep_stopping). A task that ended is freed; one past
 * its deadline is abandoned (its handle is dead already, see herder_handle.h). New tasks of the
 * same connector start only once every old one is off this list, so two generations of a task
 * never consume at once, as with the JVM's stop-and-await.
 */
struct herder_stopping {
    struct task *t;             /* owned */
    struct herder_handle *th;   /* owned: the herder's and (once joined) the task's reference */
    char *connector;            /* owned */
    int id;
    int64_t deadline;           /* monotonic ms: abandon after this */
    int write_unassigned;       /* write UNASSIGNED once it is gone (unless a new task runs) */
    int restart;                /* start task id again once it is gone */
    struct herder_op *op;       /* owned, may be NULL: the REST restart request to answer */
    struct herder_stopping *next;
};

void herder_op_free(void *p)
{
    struct herder_op *op = p;
    if (op == NULL) {
        return;
    }
    kc_free(op->name);
    kc_strmap_free(op->config);
    kc_free(op->text);
    kc_free(op->group);
    herder_offsets_fini(&op->offsets);
    for (size_t i = 0; i < op->n_names; i++) {
        kc_free(op->names[i]);
    }
    kc_free(op->names);
    herder_connector_info_free(op->info);
    herder_connector_status_free(op->status);
    herder_instance_status_fini(&op->inst);
    herder_task_configs_free(op->tcs);
    group_connect_assignment_free(op->asg);
    for (int i = 0; op->tasks != NULL && i < op->n_tasks; i++) {
        kc_strmap_fini(&op->tasks[i]);
    }
    kc_free(op->tasks);
    kc_queue_unref(op->reply, NULL);
    kc_free(op);
}

/* ------------------------------------------------------------------ status */

int herder_write_status(struct herder *h, const char *connector, int task, enum herder_state s,
                        const char *trace, struct kc_error *err)
{
    const struct sink_connector_ops *ops = NULL;
    const struct kc_strmap *cfg = herder_store_config(h->store, connector);
    if (cfg != NULL) {
        ops = sink_registry_find(kc_strmap_get(cfg, "connector.class"));
    }
    metrics_status_set(connector, task, herder_state_name(s),
                       ops != NULL ? ops->class_names[0] : NULL,
                       ops != NULL ? ops->plugin_version : NULL);
    return herder_store_put_status(h->store, connector, task, s, trace, h->worker_id,
                                   h->generation, ops ? ops->plugin_version : NULL, err);
}

static void write_status_logged(struct herder *h, const char *connector, int task,
                                enum herder_state s, const char *trace)
{
    struct kc_error err = {0};
    if (herder_write_status(h, connector, task, s, trace, &err) != KC_OK) {
        kc_log(KC_LOG_WARN, "herder", "Could not write status of %s-%d: %s", connector, task,
               err.msg);
    }
}

/* ------------------------------------------------------------------ task callbacks */

/* @thread task: post through the task's handle, never touch the herder (it may be gone). */
static void on_task_state(void *opaque, const char *connector, int id, enum herder_state state,
                          char *trace)
{
    struct herder_handle *th = opaque;
    struct herder_op *op = kc_calloc(1, sizeof(*op));
    if (op == NULL || (op->name = kc_strdup(connector)) == NULL) {
        kc_free(op);
        kc_free(trace);
        return;
    }
    op->type = HERDER_OP_TASK_STATE;
    op->task = id;
    op->state = state;
    op->text = trace;
    op->serial = herder_handle_serial(th);
    if (herder_handle_post(th, op) != KC_OK) {
        herder_op_free(op); /* the herder let go of this task: the report is dropped */
    }
}

static void on_task_topic(void *opaque, const char *connector, int id, const char *topic)
{
    struct herder_handle *th = opaque;
    struct herder_op *op = kc_calloc(1, sizeof(*op));
    if (op == NULL) {
        return;
    }
    op->type = HERDER_OP_TASK_TOPIC;
    op->task = id;
    op->serial = herder_handle_serial(th);
    op->name = kc_strdup(connector);
    op->text = kc_strdup(topic);
    if (op->name == NULL || op->text == NULL || herder_handle_post(th, op) != KC_OK) {
        herder_op_free(op);
    }
}

/* An abandoned task's thread ended at last: its reference to the handle goes with it. */
static void on_task_release(void *opaque)
{
    herder_handle_release(opaque);
}

/* ------------------------------------------------------------------ connectors' runtime */

struct herder_conn *herder_conn_find(struct herder *h, const char *name)
{
    for (struct herder_conn *hc = h->conns; hc != NULL; hc = hc->next) {
        if (strcmp(hc->name, name) == 0) {
            return hc;
        }
    }
    return NULL;
}

static int64_t shutdown_timeout(const struct herder *h)
{
    return h->wc->task_shutdown_graceful_timeout_ms;
}

static int stopping_has(const struct herder *h, const char *connector, int id);

/* Is op a report of the live task it names (not of a stopped or abandoned one)? */
static int report_is_current(struct herder *h, const struct herder_op *op)
{
    struct herder_conn *hc = herder_conn_find(h, op->name);
    return hc != NULL && op->task >= 0 && op->task < hc->n_tasks && hc->tasks[op->task] != NULL &&
           hc->handles[op->task] != NULL &&
           herder_handle_serial(hc->handles[op->task]) == op->serial;
}

int herder_tasks_stopping(const struct herder *h, const char *name)
{
    return stopping_has(h, name, -1);
}

/* Handle again the ops that waited for a connector's tasks to stop. @thread herder */
static void unpark(struct herder *h)
{
    struct herder_op **pp = &h->parked;
    while (*pp != NULL) {
        struct herder_op *op = *pp;
        if (op->name != NULL && herder_tasks_stopping(h, op->name)) {
            pp = &op->next;
            continue;
        }
        *pp = op->next;
        op->next = NULL;
        if (herder_handle_rest_op(h, op)) {
            herder_reply(op);
        }
    }
}

static int stopping_has(const struct herder *h, const char *connector, int id)
{
    for (const struct herder_stopping *s = h->stopping; s != NULL; s = s->next) {
        if (strcmp(s->connector, connector) == 0 && (id < 0 || s->id == id)) {
            return 1;
        }
    }
    return 0;
}

/*
 * Ask task id of hc to stop and move it to h->stopping; hc no longer has it. Its handle dies
 * now: what it reports while it stops belongs to no live task. Returns the entry, or NULL when
 * out of memory (the task is then waited for here, as a last resort).
 */
static struct herder_stopping *stop_one(struct herder *h, struct herder_conn *hc, int id,
                                        int write_unassigned)
{
    struct task *t = hc->tasks[id];
    struct herder_handle *th = hc->handles[id];
    hc->tasks[id] = NULL;
    hc->handles[id] = NULL;
    task_stop(t);
    herder_handle_kill(th);
    struct herder_stopping *st = kc_calloc(1, sizeof(*st));
    if (st == NULL || (st->connector = kc_strdup(hc->name)) == NULL) {
        kc_free(st);
        int ended = task_join(t, shutdown_timeout(h));
        task_free(t);
        herder_handle_release(th);
        if (ended) {
            herder_handle_release(th); /* the task's reference: its thread is gone */
        }
        return NULL;
    }
    st->t = t;
    st->th = th;
    st->id = id;
    st->deadline = kc_now_ms() + shutdown_timeout(h);
    st->write_unassigned = write_unassigned;
    st->next = h->stopping;
    h->stopping = st;
    return st;
}

/* Stop every task of hc, in parallel, each within the graceful timeout; returns at once. */
static void stop_tasks(struct herder *h, struct herder_conn *hc, int write_unassigned)
{
    for (int i = 0; i < hc->n_tasks; i++) {
        if (hc->tasks[i] != NULL) {
            stop_one(h, hc, i, write_unassigned);
        }
    }
    kc_free(hc->tasks);
    kc_free(hc->handles);
    hc->tasks = NULL;
    hc->handles = NULL;
    hc->n_tasks = 0;
    hc->start_pending = 0;
}

static void start_restarted(struct herder *h, struct herder_stopping *st);

/*
 * Look at the stopping tasks once, without waiting: free those that ended, abandon those past
 * their deadline, and do what each entry asked for once its task is gone. @thread herder (and
 * main at shutdown, after the herder thread ended)
 */
static void sweep_stopping(struct herder *h)
{
    struct herder_stopping **pp = &h->stopping;
    while (*pp != NULL) {
        struct herder_stopping *st = *pp;
        int ended = task_join(st->t, 0);
        if (!ended && kc_now_ms() < st->deadline) {
            pp = &st->next;
            continue;
        }
        *pp = st->next;
        if (!ended) {
            kc_log(KC_LOG_ERROR, "herder",
                   "Graceful stop of task %s-%d failed (task.shutdown.graceful.timeout.ms)",
                   st->connector, st->id);
        }
        task_free(st->t); /* an abandoned task frees itself and its handle reference later */
        herder_handle_release(st->th);
        if (ended) {
            herder_handle_release(st->th);
        }
        struct herder_conn *hc = herder_conn_find(h, st->connector);
        int replaced = hc != NULL && st->id < hc->n_tasks && hc->tasks[st->id] != NULL;
        if (st->write_unassigned && !replaced) {
            write_status_logged(h, st->connector, st->id, HERDER_STATE_UNASSIGNED, NULL);
        }
        if (st->restart) {
            start_restarted(h, st);
        }
        kc_free(st->connector);
        kc_free(st);
    }
}

static void conn_free(struct herder_conn *hc)
{
    if (hc != NULL) {
        kc_free(hc->tasks);
        kc_free(hc->handles);
        kc_free(hc->name);
        kc_strmap_free(hc->applied_config);
        kc_free(hc);
    }
}

/* Put every `<prefix>k=v` of src into dst as k=v. */
static void copy_prefixed(const struct kc_strmap *src, const char *prefix, struct kc_strmap *dst)
{
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < src->n; i++) {
        if (strncmp(src->e[i].key, prefix, pl) == 0 && src->e[i].key[pl] != '\0') {
            kc_strmap_set(dst, src->e[i].key + pl, src->e[i].value);
        }
    }
}

/*
 * The converter for one of key/value/header: the connector's own class and its
 * `<which>.converter.*` keys if the connector sets the class, else the worker's (the JVM never
 * merges the two).
 */
static const char *pick_converter(const struct herder *h, const struct kc_strmap *cfg,
                                  const char *which, struct kc_strmap *props)
{
    char key[64], prefix[64];
    snprintf(key, sizeof(key), "%s.converter", which);
    snprintf(prefix, sizeof(prefix), "%s.converter.", which);
    const char *cls = kc_strmap_get(cfg, key);
    if (cls != NULL && cls[0] != '\0') {
        copy_prefixed(cfg, prefix, props);
        return cls;
    }
    copy_prefixed(&h->wc->props, prefix, props);
    /* The worker's classes, with header.converter's default applied by its definition. */
    cls = which[0] == 'k' ? h->wc->key_converter
          : which[0] == 'v' ? h->wc->value_converter
                            : h->wc->header_converter;
    return cls;
}

/* Connector `<scope>override.*` keys (Java client names) as librdkafka properties on top of
 * out. The override policy was checked when the config was validated. */
static int translate_overrides(const struct kc_strmap *cfg, const char *scope,
                               struct kc_strmap *out, struct kc_error *err)
{
    char prefix[32];
    struct kc_strmap java;
    int rc;
    snprintf(prefix, sizeof(prefix), "%soverride.", scope);
    kc_strmap_init(&java);
    copy_prefixed(cfg, prefix, &java);
    rc = java.n > 0 ? worker_config_translate_client(&java, scope, out, err) : KC_OK;
    kc_strmap_fini(&java);
    return rc;
}

static int start_task(struct herder *h, struct herder_conn *hc, int id,
                      enum herder_target_state ts, struct kc_error *err)
{
    const struct kc_strmap *raw = herder_store_task_config(h->store, hc->name, id);
    const struct kc_strmap *ccfg = herder_store_config(h->store, hc->name);
    struct kc_strmap resolved, consumer, producer, admin, kprops, vprops, hprops;
    int rc;
    kc_strmap_init(&resolved);
    kc_strmap_init(&consumer);
    kc_strmap_init(&producer);
    kc_strmap_init(&admin);
    kc_strmap_init(&kprops);
    kc_strmap_init(&vprops);
    kc_strmap_init(&hprops);
    if (raw == NULL || ccfg == NULL) {
        rc = kc_error_set(err, KC_ENOENT, "Unknown task: %s-%d", hc->name, id);
        goto out;
    }
    /* ${provider:path:key} references resolve at use time, per worker. */
    if ((rc = connector_config_resolve(raw, h->wc, &resolved, err)) != KC_OK) {
        goto out;
    }
    /* Consumer: worker consumer.* + Connect's defaults + connector consumer.override.* */
    if ((rc = worker_config_client_props(h->wc, "consumer.", &consumer, err)) != KC_OK ||
        (rc = worker_config_client_props(h->wc, "producer.", &producer, err)) != KC_OK ||
        (rc = worker_config_client_props(h->wc, "admin.", &admin, err)) != KC_OK) {
        goto out;
    }
    /* Overrides first, then the keys Connect always sets itself. */
    if ((rc = translate_overrides(&resolved, "consumer.", &consumer, err)) != KC_OK ||
        (rc = translate_overrides(&resolved, "producer.", &producer, err)) != KC_OK ||
        (rc = translate_overrides(&resolved, "admin.", &admin, err)) != KC_OK) {
        goto out;
    }
    const char *group = kc_strmap_get(&resolved, "consumer.override.group.id");
    char *dflt_group = kc_asprintf("connect-%s", hc->name);
    char *client_id = kc_asprintf("connector-consumer-%s-%d", hc->name, id);
    if (dflt_group == NULL || client_id == NULL) {
        kc_free(dflt_group);
        kc_free(client_id);
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    kc_strmap_set(&consumer, "group.id", group != NULL ? group : dflt_group);
    if (!kc_strmap_has(&consumer, "client.id")) {
        kc_strmap_set(&consumer, "client.id", client_id);
    }
    kc_strmap_set(&consumer, "enable.auto.commit", "false");
    kc_strmap_set(&consumer, "enable.auto.offset.store", "false");
    if (!kc_strmap_has(&consumer, "auto.offset.reset")) {
        kc_strmap_set(&consumer, "auto.offset.reset", "earliest");
    }
    /* Cooperative: a rebalance moves only the partitions that change owner; the task's other
     * partitions stay open with what the sink buffered. A consumer.override of the strategy is
     * honoured (librdkafka's names: range, roundrobin, cooperative-sticky). */
    const char *strategy = kc_strmap_get(&consumer, "partition.assignment.strategy");
    if (strategy == NULL || strstr(strategy, "cooperative-sticky") != NULL) {
        /* Java's [RangeAssignor, CooperativeStickyAssignor] means "move to cooperative";
         * librdkafka refuses a list that mixes the two protocols. */
        kc_strmap_set(&consumer, "partition.assignment.strategy", "cooperative-sticky");
    }
    /* Prefetch: a small queue refilled promptly. Bounded memory per task (the JVM fetches
     * max.poll.records at a time) at full speed; librdkafka < 2.2 has no
     * fetch.queue.backoff.ms and stalls 1 s per refill, so it keeps its big defaults. */
    if (rd_kafka_version() >= 0x020200ff) {
        static const char *const prefetch[][2] = {
            /* 3, not 10: a sink that writes ~1M records/s drains the 20000 queued ones in
             * less than a 10 ms back-off plus a fetch, then waits (S3 bench: ~0.1 s of 1) */
            {"fetch.queue.backoff.ms", "3"},
            {"queued.max.messages.kbytes", "8192"},
            {"queued.min.messages", "20000"},
        };
        for (size_t i = 0; i < sizeof(prefetch) / sizeof(prefetch[0]); i++) {
            if (!kc_strmap_has(&consumer, prefetch[i][0])) {
                kc_strmap_set(&consumer, prefetch[i][0], prefetch[i][1]);
            }
        }
    }
    kc_free(dflt_group);
    kc_free(client_id);
    struct herder_handle *th = herder_handle_new(h->q, ++h->next_serial, herder_op_free);
    if (th == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto out;
    }
    struct task_spec spec = {
        .connector = hc->name,
        .id = id,
        .ops = hc->ops,
        .config = &resolved,
        .consumer_props = &consumer,
        .producer_props = &producer,
        .admin_props = &admin,
        .offset_flush_interval_ms = h->wc->offset_flush_interval_ms,
        .offset_flush_timeout_ms = h->wc->offset_flush_timeout_ms,
        .budget_bytes = h->wc->task_memory_budget_bytes,
        .start_paused = ts == HERDER_TARGET_PAUSED,
        .cb = {.opaque = th, .on_state = on_task_state, .on_topic = on_task_topic,
               .on_release = on_task_release},
    };
    spec.key_converter = pick_converter(h, ccfg, "key", &kprops);
    spec.value_converter = pick_converter(h, ccfg, "value", &vprops);
    spec.header_converter = pick_converter(h, ccfg, "header", &hprops);
    spec.key_converter_props = &kprops;
    spec.value_converter_props = &vprops;
    spec.header_converter_props = &hprops;
    rc = task_new(&spec, &hc->tasks[id], err);
    metrics_worker_startup(1, rc == KC_OK);
    if (rc == KC_OK) {
        hc->handles[id] = th;
    } else {
        herder_handle_kill(th); /* no task thread ever held it */
        herder_handle_release(th);
        herder_handle_release(th);
    }
out:
    kc_strmap_fini(&resolved);
    kc_strmap_fini(&consumer);
    kc_strmap_fini(&producer);
    kc_strmap_fini(&admin);
    kc_strmap_fini(&kprops);
    kc_strmap_fini(&vprops);
    kc_strmap_fini(&hprops);
    return rc;
}

/* Task configs as the JVM writes them: what the connector generated + task.class. */
static int generate_task_configs(struct herder *h, struct herder_conn *hc,
                                 const struct kc_strmap *cfg, struct kc_error *err)
{
    /* validated (an INT, at least 1) when the config was written; a config another worker
     * wrote may still be bad, and the connector then fails with the JVM's message */
    struct conf_value tm;
    int rc = connector_config_value(cfg, "tasks.max", &tm, err);
    int max_tasks = rc == KC_OK && !tm.is_null ? (int)tm.u.i : 0;
    conf_value_fini(&tm);
    if (rc != KC_OK) {
        return rc;
    }
    if (max_tasks < 1) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value %d for configuration tasks.max: Value must be at "
                            "least 1",
                            max_tasks);
    }
    struct kc_strmap *out = kc_calloc((size_t)max_tasks, sizeof(*out));
    int n = 0;
    if (out == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    for (int i = 0; i < max_tasks; i++) {
        kc_strmap_init(&out[i]);
    }
    rc = sink_call_task_configs(hc->ops, cfg, max_tasks, out, &n, err);
    if (rc == KC_OK && n > max_tasks) {
        rc = kc_error_set(err, KC_EINVAL,
                          "The connector %s has generated %d tasks, which is greater than %d, "
                          "the maximum number of tasks it is configured to create. ",
                          hc->name, n, max_tasks);
    }
    if (rc == KC_OK) {
        for (int i = 0; i < n; i++) {
            kc_strmap_set(&out[i], "task.class", hc->ops->task_class);
            /* Sinks: the worker copies topics / topics.regex into every task config. */
            if (kc_strmap_has(cfg, "topics")) {
                kc_strmap_set(&out[i], "topics", kc_strmap_get(cfg, "topics"));
            }
            if (kc_strmap_has(cfg, "topics.regex")) {
                kc_strmap_set(&out[i], "topics.regex", kc_strmap_get(cfg, "topics.regex"));
            }
        }
        /* Rewrite only when something differs from the committed set. */
        int same = herder_store_task_count(h->store, hc->name) == n;
        for (int i = 0; same && i < n; i++) {
            const struct kc_strmap *cur = herder_store_task_config(h->store, hc->name, i);
            same = cur != NULL && kc_strmap_equal(cur, &out[i]);
        }
        if (!same) {
            if (herder_group_is_leader(h)) {
                kc_log(KC_LOG_INFO, "herder", "Writing %d task configs for connector %s", n,
                       hc->name);
                rc = herder_store_put_tasks(h->store, hc->name, out, n, err);
            } else {
                /* Only the leader writes task configs (connect-compat.md §5.4). */
                rc = herder_group_submit_tasks(h, hc->name, out, n, err);
            }
        }
    }
    for (int i = 0; i < max_tasks; i++) {
        kc_strmap_fini(&out[i]);
    }
    kc_free(out);
    return rc;
}

/* Start (or restart) the connector instance: validate what we can and (re)generate tasks. */
static void start_connector(struct herder *h, struct herder_conn *hc, const struct kc_strmap *cfg,
                            enum herder_target_state ts)
{
    struct kc_error err = {0};
    kc_strmap_free(hc->applied_config);
    hc->applied_config = kc_strmap_dup(cfg);
    hc->ops = sink_registry_find(kc_strmap_get(cfg, "connector.class"));
    if (hc->ops == NULL) {
        char *trace = kc_asprintf(
            "org.apache.kafka.connect.errors.ConnectException: Failed to find any class that "
            "implements Connector and which name matches %s\n\tat connect-c.worker.herder\n",
            kc_strmap_get(cfg, "connector.class"));
        hc->state = HERDER_STATE_FAILED;
        metrics_worker_startup(0, 0);
        write_status_logged(h, hc->name, -1, HERDER_STATE_FAILED, trace);
        kc_free(trace);
        return;
    }
    if (ts == HERDER_TARGET_STARTED &&
        generate_task_configs(h, hc, cfg, &err) != KC_OK) {
        char *trace = kc_asprintf("org.apache.kafka.connect.errors.ConnectException: %s\n\tat "
                                  "connect-c.worker.herder\n",
                                  err.msg);
        hc->state = HERDER_STATE_FAILED;
        metrics_worker_startup(0, 0);
        write_status_logged(h, hc->name, -1, HERDER_STATE_FAILED, trace);
        kc_free(trace);
        return;
    }
    hc->state = ts == HERDER_TARGET_STOPPED  ? HERDER_STATE_STOPPED
                : ts == HERDER_TARGET_PAUSED ? HERDER_STATE_PAUSED
                                             : HERDER_STATE_RUNNING;
    hc->applied_target = ts;
    metrics_worker_startup(0, 1);
    write_status_logged(h, hc->name, -1, hc->state, NULL);
    kc_log(KC_LOG_INFO, "herder", "Connector %s is %s", hc->name, herder_state_name(hc->state));
}

/* The assignment: which connectors and tasks this worker runs (the group leader's). */
static int assignment_has_connector(struct herder *h, const char *name)
{
    return herder_store_config(h->store, name) != NULL && herder_group_owns_any(h, name);
}

/*
 * Start the tasks of hc's new generation once no task of its previous one is still stopping
 * (the JVM stops and awaits the old tasks before it starts new ones). @thread herder
 */
static void start_pending_tasks(struct herder *h, struct herder_conn *hc)
{
    if (!hc->start_pending || stopping_has(h, hc->name, -1)) {
        return;
    }
    hc->start_pending = 0;
    enum herder_target_state ts = herder_store_target(h->store, hc->name);
    for (int i = 0; i < hc->n_tasks; i++) {
        struct kc_error err = {0};
        if (hc->tasks[i] != NULL || !herder_group_owns_task(h, hc->name, i)) {
            continue; /* restarted on its own meanwhile, or another worker's */
        }
        if (start_task(h, hc, i, ts, &err) != KC_OK) {
            char *trace = kc_asprintf("org.apache.kafka.connect.errors.ConnectException: %s\n\tat "
                                      "connect-c.worker.herder\n",
                                      err.msg);
            write_status_logged(h, hc->name, i, HERDER_STATE_FAILED, trace);
            kc_free(trace);
        }
    }
}

/*
 * A pause shows on the connector and its running tasks together, as the JVM's status does (its
 * tasks wake from poll and report PAUSED in the same moment as the connector). The herder posts
 * the pause to every task, gives them HERDER_PAUSE_ACK_MS to apply it, and writes PAUSED for
 * each task that has really paused, before the connector's own PAUSED; a task still busy (in a
 * long put) reports for itself once it pauses. The task's own report then finds its PAUSED
 * written (pause_already_written). @thread herder
 */
#define HERDER_PAUSE_ACK_MS 200
static void report_tasks_paused(struct herder *h, struct herder_conn *hc)
{
    int64_t deadline = kc_now_ms() + HERDER_PAUSE_ACK_MS;
    for (int i = 0; i < hc->n_tasks; i++) {
        if (hc->tasks[i] != NULL) {
            task_pause(hc->tasks[i]);
        }
    }
    for (int i = 0; i < hc->n_tasks; i++) {
        struct herder_instance_status is = {0};
        if (hc->tasks[i] == NULL ||
            herder_store_get_status(h->store, hc->name, i, &is) != KC_OK) {
            continue;
        }
        if (is.state == HERDER_STATE_RUNNING && is.worker_id != NULL &&
            strcmp(is.worker_id, h->worker_id) == 0) {
            while (!task_paused(hc->tasks[i]) && kc_now_ms() < deadline) {
                struct timespec ts = {0, 2 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            if (task_paused(hc->tasks[i])) {
                write_status_logged(h, hc->name, i, HERDER_STATE_PAUSED, NULL);
            }
        }
        herder_instance_status_fini(&is);
    }
}

/* 1 when a task's PAUSED report repeats what report_tasks_paused already wrote. */
static int pause_already_written(struct herder *h, const struct herder_op *op)
{
    struct herder_instance_status is = {0};
    int same = 0;
    if (op->state != HERDER_STATE_PAUSED || op->text != NULL ||
        herder_store_get_status(h->store, op->name, op->task, &is) != KC_OK) {
        return 0;
    }
    same = is.state == HERDER_STATE_PAUSED && is.worker_id != NULL &&
           strcmp(is.worker_id, h->worker_id) == 0;
    herder_instance_status_fini(&is);
    return same;
}

static void reconcile_one(struct herder *h, const char *name)
{
    const struct kc_strmap *cfg = herder_store_config(h->store, name);
    enum herder_target_state ts = herder_store_target(h->store, name);
    struct herder_conn *hc = herder_conn_find(h, name);
    if (hc == NULL) {
        hc = kc_calloc(1, sizeof(*hc));
        if (hc == NULL || (hc->name = kc_strdup(name)) == NULL) {
            kc_free(hc);
            return;
        }
        hc->applied_task_gen = -1;
        hc->next = h->conns;
        h->conns = hc;
    }
    hc->seen = 1;
    int owns_conn = herder_group_owns_connector(h, name);
    if (!owns_conn) {
        /* Only tasks of this connector are ours: its instance runs on another worker. */
        if (hc->applied_config == NULL || !kc_strmap_equal(hc->applied_config, cfg)) {
            kc_strmap_free(hc->applied_config);
            hc->applied_config = kc_strmap_dup(cfg);
        }
        hc->ops = sink_registry_find(kc_strmap_get(cfg, "connector.class"));
        hc->owns_instance = 0;
        hc->applied_target = ts;
        if (hc->ops == NULL) {
            /* The class is unknown here: the tasks fail with the JVM's message, once. */
            int want = ts == HERDER_TARGET_STOPPED ? 0 : herder_store_task_count(h->store, name);
            for (int i = 0; i < want; i++) {
                if (herder_group_owns_task(h, name, i) && !hc->unknown_reported) {
                    char *trace = kc_asprintf(
                        "org.apache.kafka.connect.errors.ConnectException: Failed to find any "
                        "class that implements Connector and which name matches %s\n\tat "
                        "connect-c.worker.herder\n",
                        kc_strmap_get(cfg, "connector.class"));
                    write_status_logged(h, name, i, HERDER_STATE_FAILED, trace);
                    kc_free(trace);
                }
            }
            hc->unknown_reported = 1;
            return;
        }
    } else if (!hc->owns_instance || hc->applied_config == NULL ||
               !kc_strmap_equal(hc->applied_config, cfg) ||
               (hc->applied_target == HERDER_TARGET_STOPPED && ts != HERDER_TARGET_STOPPED) ||
               (hc->state == HERDER_STATE_FAILED && hc->applied_target != ts)) {
        /* New connector, newly ours, changed config, or back from STOPPED: (re)start it. */
        hc->owns_instance = 1;
        start_connector(h, hc, cfg, ts);
        /* Re-read: generating tasks may have written new task configs. */
        cfg = herder_store_config(h->store, name);
        if (cfg == NULL) {
            return;
        }
    } else if (hc->applied_target != ts && hc->state != HERDER_STATE_FAILED) {
        hc->applied_target = ts;
        hc->state = ts == HERDER_TARGET_STOPPED  ? HERDER_STATE_STOPPED
                    : ts == HERDER_TARGET_PAUSED ? HERDER_STATE_PAUSED
                                                 : HERDER_STATE_RUNNING;
        if (ts == HERDER_TARGET_PAUSED) {
            report_tasks_paused(h, hc); /* first: whoever sees the connector PAUSED sees them */
        }
        write_status_logged(h, name, -1, hc->state, NULL);
    }
    if (hc->ops == NULL) {
        return;
    }

    /* Tasks follow the committed task configs and the assignment. */
    int64_t gen = herder_store_task_generation(h->store, name);
    int want = ts == HERDER_TARGET_STOPPED ? 0 : herder_store_task_count(h->store, name);
    if (gen != hc->applied_task_gen || want != hc->n_tasks) {
        if (hc->n_tasks > 0) {
            kc_log(KC_LOG_INFO, "herder", "Task configs of %s changed: restarting its tasks",
                   name);
            stop_tasks(h, hc, want == 0);
        }
        hc->applied_task_gen = gen;
        if (want > 0) {
            hc->tasks = kc_calloc((size_t)want, sizeof(*hc->tasks));
            hc->handles = kc_calloc((size_t)want, sizeof(*hc->handles));
            if (hc->tasks == NULL || hc->handles == NULL) {
                kc_free(hc->tasks);
                kc_free(hc->handles);
                hc->tasks = NULL;
                hc->handles = NULL;
                return;
            }
            hc->n_tasks = want;
            hc->start_pending = 1;
            start_pending_tasks(h, hc);
        }
    } else {
        for (int i = 0; i < hc->n_tasks; i++) {
            int mine = herder_group_owns_task(h, name, i);
            if (hc->tasks[i] == NULL) {
                if (mine && !hc->start_pending) {
                    /* newly assigned: started once no old task of the connector is stopping */
                    hc->start_pending = 1;
                }
                continue;
            }
            if (!mine) {
                /* revoked: stop it; its new owner writes its status */
                stop_one(h, hc, i, 0);
                continue;
            }
            if (ts == HERDER_TARGET_PAUSED) {
                task_pause(hc->tasks[i]);
            } else {
                task_resume(hc->tasks[i]);
            }
        }
        start_pending_tasks(h, hc);
    }
}

void herder_reconcile(struct herder *h)
{
    char **names = NULL;
    size_t n = 0;
    h->reconcile_needed = 0;
    for (struct herder_conn *hc = h->conns; hc != NULL; hc = hc->next) {
        hc->seen = 0;
    }
    if (herder_store_connectors(h->store, &names, &n) == KC_OK) {
        for (size_t i = 0; i < n; i++) {
            if (assignment_has_connector(h, names[i])) {
                reconcile_one(h, names[i]);
            }
            kc_free(names[i]);
        }
        kc_free(names);
    }
    /* Connectors that are gone: stop them and tombstone their statuses (DESTROYED). */
    struct herder_conn **pp = &h->conns;
    while (*pp != NULL) {
        struct herder_conn *hc = *pp;
        if (hc->seen) {
            pp = &hc->next;
            continue;
        }
        stop_tasks(h, hc, 0);
        if (herder_store_config(h->store, hc->name) != NULL) {
            /* still configured: no longer assigned to this worker */
            kc_log(KC_LOG_INFO, "herder", "Connector %s is no longer assigned here", hc->name);
            *pp = hc->next;
            conn_free(hc);
            continue;
        }
        kc_log(KC_LOG_INFO, "herder", "Connector %s deleted", hc->name);
        int *ids = NULL;
        size_t nids = 0;
        if (herder_store_status_task_ids(h->store, hc->name, &ids, &nids) == KC_OK) {
            for (size_t i = 0; i < nids; i++) {
                write_status_logged(h, hc->name, ids[i], HERDER_STATE_DESTROYED, NULL);
            }
            kc_free(ids);
        }
        write_status_logged(h, hc->name, -1, HERDER_STATE_DESTROYED, NULL);
        struct kc_error err = {0};
        herder_store_delete_topics(h->store, hc->name, &err);
        *pp = hc->next;
        conn_free(hc);
    }
}

int herder_restart_connector(struct herder *h, const char *name, struct kc_error *err)
{
    struct herder_conn *hc = herder_conn_find(h, name);
    const struct kc_strmap *cfg = herder_store_config(h->store, name);
    if (cfg == NULL || hc == NULL) {
        return kc_error_set(err, KC_ENOENT, "Unknown connector: %s", name);
    }
    write_status_logged(h, name, -1, HERDER_STATE_RESTARTING, NULL);
    start_connector(h, hc, cfg, herder_store_target(h->store, name));
    h->reconcile_needed = 1;
    return KC_OK;
}

/* Start task id of st->connector again now that its old task is gone; answer st->op. */
static void start_restarted(struct herder *h, struct herder_stopping *st)
{
    struct herder_op *op = st->op;
    struct kc_error local = {0};
    struct kc_error *err = op != NULL ? &op->err : &local;
    struct herder_conn *hc = herder_conn_find(h, st->connector);
    int rc = KC_OK;
    st->op = NULL;
    if (!atomic_load(&h->running)) {
        rc = kc_error_set(err, KC_EIO, "Request timed out"); /* shutting down */
    } else if (hc == NULL || herder_store_config(h->store, st->connector) == NULL) {
        rc = kc_error_set(err, KC_ENOENT, "Unknown connector: %s", st->connector);
    } else if (st->id >= hc->n_tasks) {
        rc = kc_error_set(err, KC_ENOENT, "Unknown task: %s-%d", st->connector, st->id);
    } else if (hc->tasks[st->id] == NULL && !hc->start_pending) {
        write_status_logged(h, st->connector, st->id, HERDER_STATE_RESTARTING, NULL);
        if (start_task(h, hc, st->id, herder_store_target(h->store, st->connector), err) !=
            KC_OK) {
            char *trace =
                kc_asprintf("org.apache.kafka.connect.errors.ConnectException: %s\n", err->msg);
            write_status_logged(h, st->connector, st->id, HERDER_STATE_FAILED, trace);
            kc_free(trace);
            rc = kc_error_set(err, KC_EIO, "Failed to start task: %s-%d", st->connector, st->id);
        }
    }
    if (op != NULL) {
        op->rc = rc;
        herder_reply(op);
    }
}

int herder_restart_task(struct herder *h, const char *name, int id, struct herder_op *op,
                        struct kc_error *err)
{
    struct herder_conn *hc = herder_conn_find(h, name);
    if (hc == NULL && herder_store_config(h->store, name) != NULL &&
        !herder_group_owns_task(h, name, id)) {
        return kc_error_set(err, KC_RETRY,
                            "Cannot complete request because of a conflicting operation (e.g. "
                            "worker rebalance)");
    }
    if (herder_store_config(h->store, name) == NULL || hc == NULL) {
        return kc_error_set(err, KC_ENOENT, "Unknown connector: %s", name);
    }
    if (id < 0 || id >= hc->n_tasks) {
        return kc_error_set(err, KC_ENOENT, "Unknown task: %s-%d", name, id);
    }
    if (!herder_group_owns_task(h, name, id)) {
        /* REST forwards to the owner it reads in the status topic; it moved meanwhile */
        return kc_error_set(err, KC_RETRY,
                            "Cannot complete request because of a conflicting operation (e.g. "
                            "worker rebalance)");
    }
    struct herder_stopping tmp = {.connector = (char *)name, .id = id, .restart = 1, .op = op};
    if (hc->tasks[id] != NULL) {
        struct herder_stopping *st = stop_one(h, hc, id, 0);
        if (st != NULL) {
            st->restart = 1; /* start_restarted() answers op once the old task is gone */
            st->op = op;
            return KC_OK;
        }
        start_restarted(h, &tmp); /* out of memory: it was waited for in place */
        return KC_OK;
    }
    if (hc->start_pending || stopping_has(h, name, id)) {
        /* A start of this task is already waiting for its old one to stop: that is the
         * restart asked for. */
        if (op != NULL) {
            op->rc = KC_OK;
            herder_reply(op);
        }
        return KC_OK;
    }
    start_restarted(h, &tmp);
    return KC_OK;
}

static void on_restart_request(void *opaque, const char *name, int include_tasks, int only_failed)
{
    struct herder *h = opaque;
    struct kc_error err = {0};
    struct herder_instance_status is = {0};
    int failed = herder_store_get_status(h->store, name, -1, &is) == KC_OK &&
                 is.state == HERDER_STATE_FAILED;
    herder_instance_status_fini(&is);
    if ((!only_failed || failed) && herder_group_owns_connector(h, name)) {
        herder_restart_connector(h, name, &err); /* its owner restarts it */
    }
    struct herder_conn *hc = herder_conn_find(h, name);
    if (!include_tasks || hc == NULL) {
        return;
    }
    for (int i = 0; i < hc->n_tasks; i++) {
        int tf = herder_store_get_status(h->store, name, i, &is) == KC_OK &&
                 is.state == HERDER_STATE_FAILED;
        herder_instance_status_fini(&is);
        if ((!only_failed || tf) && herder_group_owns_task(h, name, i)) {
            herder_restart_task(h, name, i, NULL, &err);
        }
    }
}

/* ------------------------------------------------------------------ the thread */

static void handle_op(struct herder *h, struct herder_op *op)
{
    struct kc_error err = {0};
    switch (op->type) {
    case HERDER_OP_TASK_STATE: {
        /* Drop reports from tasks that are no longer ours (stopping, stopped or abandoned): a
         * new task with the same id must not be credited with them. */
        if (report_is_current(h, op) && !pause_already_written(h, op)) {
            if (herder_write_status(h, op->name, op->task, op->state, op->text, &err) != KC_OK) {
                kc_log(KC_LOG_WARN, "herder", "status write failed: %s", err.msg);
            }
        }
        herder_op_free(op);
        return;
    }
    case HERDER_OP_GROUP:
        herder_group_handle_op(h, op);
        return;
    case HERDER_OP_PUT_TASKS:
        herder_group_put_tasks_op(h, op);
        herder_reply(op);
        return;
    case HERDER_OP_TASK_TOPIC: {
        if (h->wc->topic_tracking_enable && report_is_current(h, op)) {
            herder_store_put_topic(h->store, op->name, op->text, op->task, &err);
        }
        herder_op_free(op);
        return;
    }
    default:
        /* A done op comes back from the jobs thread with its answer filled in. */
        if (op->done || herder_handle_rest_op(h, op)) {
            herder_reply(op);
        }
        return;
    }
}

void herder_reply(struct herder_op *op)
{
    /* The op's reference to the reply queue moves into the push: if the requester gave up
     * waiting, this unref is the last one and frees the queue and the op in it. */
    struct kc_queue *reply = op->reply;
    op->reply = NULL;
    if (reply == NULL) {
        herder_op_free(op);
        return;
    }
    if (kc_queue_push(reply, op) != KC_OK) {
        herder_op_free(op);
    }
    kc_queue_unref(reply, herder_op_free);
}

static void *herder_main(void *arg)
{
    struct herder *h = arg;
    kc_thread_name("kc-herder", NULL);
    herder_reconcile(h);
    if (h->group == NULL) {
        atomic_store(&h->ready, 1); /* in a group: once the first assignment is applied */
    }
    while (atomic_load(&h->running)) {
        /* A change the last round made itself (task configs written and read back) is acted
         * on at once: waiting a tick would delay every new connector's tasks by up to 100 ms. */
        int wait_ms = herder_store_config_unseen(h->store) ? 0
                      : h->stopping != NULL               ? HERDER_STOPPING_TICK_MS
                                                          : HERDER_TICK_MS;
        struct herder_op *op = kc_queue_pop(h->q, wait_ms);
        if (op != NULL) {
            handle_op(h, op);
        }
        if (h->stopping != NULL) {
            sweep_stopping(h);
            for (struct herder_conn *hc = h->conns; hc != NULL; hc = hc->next) {
                start_pending_tasks(h, hc);
            }
            unpark(h);
        }
        int changed = 0;
        herder_store_poll(h->store, 0, &changed);
        herder_store_drain_restarts(h->store, on_restart_request, h);
        if (changed || h->reconcile_needed) {
            herder_reconcile(h);
        }
        herder_group_tick(h, changed);
    }
    return NULL;
}

/* ------------------------------------------------------------------ lifecycle */

/*
 * "host:port" as the JVM derives it: rest.advertised.host.name, else the first listener's host,
 * else this machine's name; rest.advertised.port, else the first listener's port.
 * Owned result.
 */
static char *make_worker_id(const struct worker_config *wc)
{
    char host[256] = "";
    int port = 8083;
    const char *l = kc_strmap_get(&wc->props, "listeners");
    if (l == NULL || l[0] == '\0') {
        l = "http://:8083";
    }
    const char *p = strstr(l, "://");
    p = p != NULL ? p + 3 : l;
    const char *colon = strchr(p, ':');
    const char *comma = strchr(p, ',');
    if (colon != NULL && (comma == NULL || colon < comma)) {
        size_t n = (size_t)(colon - p);
        if (n >= sizeof(host)) {
            n = sizeof(host) - 1;
        }
        memcpy(host, p, n);
        host[n] = '\0';
        port = atoi(colon + 1);
    }
    if (wc->rest_advertised_host_name != NULL && wc->rest_advertised_host_name[0] != '\0') {
        snprintf(host, sizeof(host), "%s", wc->rest_advertised_host_name);
    }
    if (host[0] == '\0' && gethostname(host, sizeof(host)) != 0) {
        snprintf(host, sizeof(host), "localhost");
    }
    if (wc->rest_advertised_port > 0) {
        port = wc->rest_advertised_port;
    }
    return kc_asprintf("%s:%d", host, port);
}

int herder_new(const struct worker_config *wc, struct herder **out, struct kc_error *err)
{
    struct herder *h = kc_calloc(1, sizeof(*h));
    int rc;
    *out = NULL;
    if (h == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    h->wc = wc;
    h->worker_id = make_worker_id(wc);
    h->q = kc_queue_new();
    if (h->worker_id == NULL || h->q == NULL) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = herder_group_new(h, err)) != KC_OK) {
        goto fail;
    }
    *out = h;
    return KC_OK;
fail:
    herder_free(h);
    return rc;
}

int herder_start(struct herder *h, struct kc_error *err)
{
    int rc;
    if ((rc = herder_store_open(h->wc, h->worker_id, &h->store, err)) != KC_OK) {
        return rc;
    }
    h->admin = kafka_admin_handle(herder_store_admin(h->store));
    h->cluster_id = kc_strdup(herder_store_cluster_id(h->store));
    atomic_store(&h->cluster_id_known, h->cluster_id != NULL);
    h->generation = herder_store_max_generation(h->store) + 1;
    /* From here on the admin client belongs to the jobs thread alone. */
    h->jobs = herder_jobs_new(herder_admin_run, herder_store_admin(h->store), h->q,
                              herder_op_free);
    if (h->jobs == NULL) {
        return kc_error_set(err, KC_EFATAL, "cannot start the herder's jobs thread");
    }
    atomic_store(&h->running, 1);
    /* Join the worker group: tasks start once the leader assigned them (the member's callbacks
     * queue on h->q until the thread runs). */
    if ((rc = herder_group_start(h, err)) != KC_OK) {
        atomic_store(&h->running, 0);
        return rc;
    }
    if (pthread_create(&h->thread, NULL, herder_main, h) != 0) {
        atomic_store(&h->running, 0);
        return kc_error_set(err, KC_EFATAL, "cannot start the herder thread");
    }
    h->thread_started = 1;
    return KC_OK;
}

void herder_free(struct herder *h)
{
    if (h == NULL) {
        return;
    }
    /* Leave the group first: its callbacks are answered by the herder thread (or, if it never
     * ran, give up at once). */
    if (!h->thread_started) {
        atomic_store(&h->running, 0);
    }
    herder_group_stop(h);
    atomic_store(&h->closing, 1); /* REST waiters give up now */
    if (h->thread_started) {
        atomic_store(&h->running, 0);
        kc_queue_wakeup(h->q);
        pthread_join(h->thread, NULL);
    }
    /* An admin call in flight ends within its own timeout; its op is freed with h->q. */
    herder_jobs_free(h->jobs);
    while (h->parked != NULL) {
        struct herder_op *op = h->parked;
        h->parked = op->next;
        op->rc = kc_error_set(&op->err, KC_EIO, "Request timed out");
        herder_reply(op);
    }
    /* Orderly shutdown: stop every task in parallel, then say UNASSIGNED like the JVM. The
     * herder thread is gone, so this thread may wait for them now. */
    for (struct herder_conn *hc = h->conns; hc != NULL; hc = hc->next) {
        stop_tasks(h, hc, 1);
    }
    while (h->stopping != NULL) {
        sweep_stopping(h);
        if (h->stopping != NULL) {
            struct timespec ts = {0, HERDER_STOPPING_TICK_MS * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    while (h->conns != NULL) {
        struct herder_conn *hc = h->conns;
        h->conns = hc->next;
        write_status_logged(h, hc->name, -1, HERDER_STATE_UNASSIGNED, NULL);
        conn_free(hc);
    }
    if (h->store != NULL) {
        herder_store_flush(h->store, 5000);
    }
    herder_group_free(h);
    herder_store_free(h->store);
    /* Ops still queued (late task reports) are freed with the queue. */
    kc_queue_unref(h->q, herder_op_free);
    kc_free(h->worker_id);
    kc_free(h->cluster_id);
    kc_free(h);
}

void herder_close_requests(struct herder *h)
{
    if (h != NULL) {
        atomic_store(&h->closing, 1);
    }
}

int herder_ready(const struct herder *h)
{
    return atomic_load(&((struct herder *)h)->ready);
}

const char *herder_kafka_cluster_id(const struct herder *h)
{
    /* Written by herder_start before cluster_id_known is set; read only after it (REST
     * threads), so GET / names the cluster while the worker is still starting, as the JVM's
     * (which looks it up before its REST resources exist). */
    return atomic_load(&((struct herder *)h)->cluster_id_known) ? h->cluster_id : NULL;
}

const char *herder_worker_id(const struct herder *h)
{
    return h->worker_id;
}
