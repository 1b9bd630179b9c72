/*
 * worker/herder_api.c: the herder's request API (what REST calls). Its public herder_* calls
 * run on REST threads: each builds an op, posts it to the herder thread and waits for the
 * reply (up to the JVM's 90 s). herder_handle_rest_op() runs on the herder thread and is the only code here
 * that reads herder state. Messages are the JVM's, word for word, since users grep for them.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_worker.h"
#include "connector_config.h"
#include "connector_plugins.h"
#include "herder_int.h"
#include "herder_jobs.h"
#include "herder_store.h"
#include "kafka_admin.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "registry.h"

#define ADMIN_TIMEOUT_MS 30000

/* ------------------------------------------------------------------ requester side */

static int call_timeout(struct herder *h, struct herder_op *op, struct herder_op **done,
                        int64_t timeout_ms, struct kc_error *err);

static struct herder_op *op_new(enum herder_op_type type, const char *name)
{
    struct herder_op *op = kc_calloc(1, sizeof(*op));
    if (op == NULL) {
        return NULL;
    }
    op->type = type;
    op->task = -1;
    if (name != NULL && (op->name = kc_strdup(name)) == NULL) {
        kc_free(op);
        return NULL;
    }
    return op;
}

/*
 * Post op and wait for the herder's answer. On success *done is the answered op (owned by the
 * caller, free with herder_op_free) and its rc is returned; err gets the op's error.
 */
static int call(struct herder *h, struct herder_op *op, struct herder_op **done,
                struct kc_error *err)
{
    return call_timeout(h, op, done, HERDER_REQUEST_TIMEOUT_MS, err);
}

static int call_timeout(struct herder *h, struct herder_op *op, struct herder_op **done,
                        int64_t timeout_ms, struct kc_error *err)
{
    *done = NULL;
    if (op == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    struct kc_queue *reply = kc_queue_new();
    if (reply == NULL) {
        herder_op_free(op);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    op->reply = kc_queue_ref(reply); /* the op's reference, handed back with the reply */
    if (kc_queue_len(h->q) >= HERDER_MAX_QUEUED_OPS) {
        /* A herder stuck for long (each caller gives up after 90 s but its op stays queued)
         * must not let requests pile up without bound. */
        herder_op_free(op);
        kc_queue_unref(reply, NULL);
        return kc_error_set(err, KC_EINVAL,
                            "Request refused: %d requests are already waiting for the herder",
                            HERDER_MAX_QUEUED_OPS);
    }
    if (kc_queue_push(h->q, op) != KC_OK) {
        herder_op_free(op);
        kc_queue_unref(reply, NULL);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    /* Wait in slices, so a worker shutting down (or failing to start) releases its waiters. */
    struct herder_op *r = NULL;
    int64_t deadline = kc_now_ms() + timeout_ms;
    while (r == NULL && !atomic_load(&h->closing) && kc_now_ms() < deadline) {
        r = kc_queue_pop(reply, 250);
    }
    kc_queue_unref(reply, herder_op_free);
    if (r == NULL) {
        return kc_error_set(err, KC_EIO, "Request timed out");
    }
    *done = r;
    if (err != NULL) {
        *err = r->err;
        err->rc = r->rc; /* the op's verdict wins over the code of the error it wraps */
    }
    return r->rc;
}

int herder_health_check(struct herder *h, int timeout_ms, struct kc_error *err)
{
    struct herder_op *r;
    if (!herder_ready(h)) {
        return kc_error_set(err, KC_RETRY, "Worker is still starting up.");
    }
    int rc = call_timeout(h, op_new(HERDER_OP_PING, NULL), &r, timeout_ms, err);
    herder_op_free(r);
    return rc;
}

int herder_logger_cluster(struct herder *h, const char *ns, const char *level,
                          struct kc_error *err)
{
    struct herder_op *op = op_new(HERDER_OP_LOGGER, ns), *r;
    if (op != NULL && (op->text = kc_strdup(level)) == NULL) {
        herder_op_free(op);
        op = NULL;
    }
    int rc = call(h, op, &r, err);
    herder_op_free(r);
    return rc;
}

int herder_connectors_list(struct herder *h, char ***names, size_t *n, struct kc_error *err)
{
    struct herder_op *r;
    if (!herder_ready(h)) {
        /* The JVM answers [] while it is still reading the config topic. */
        *names = kc_calloc(1, sizeof(**names));
        *n = 0;
        return *names != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    int rc = call(h, op_new(HERDER_OP_LIST, NULL), &r, err);
    if (rc == KC_OK) {
        *names = r->names;
        *n = r->n_names;
        r->names = NULL;
        r->n_names = 0;
    }
    herder_op_free(r);
    return rc;
}

int herder_connector_info(struct herder *h, const char *name, struct herder_connector_info **out,
                          struct kc_error *err)
{
    struct herder_op *r;
    int rc = call(h, op_new(HERDER_OP_INFO, name), &r, err);
    if (rc == KC_OK) {
        *out = r->info;
        r->info = NULL;
    }
    herder_op_free(r);
    return rc;
}

int herder_connector_status(struct herder *h, const char *name,
                            struct herder_connector_status **out, struct kc_error *err)
{
    struct herder_op *r;
    int rc = call(h, op_new(HERDER_OP_STATUS, name), &r, err);
    if (rc == KC_OK) {
        *out = r->status;
        r->status = NULL;
    }
    herder_op_free(r);
    return rc;
}

int herder_task_status(struct herder *h, const char *name, int task,
                       struct herder_instance_status *out, struct kc_error *err)
{
    struct herder_op *op = op_new(HERDER_OP_TASK_STATUS, name), *r;
    if (op != NULL) {
        op->task = task;
    }
    int rc = call(h, op, &r, err);
    if (rc == KC_OK) {
        *out = r->inst;
        memset(&r->inst, 0, sizeof(r->inst));
    }
    herder_op_free(r);
    return rc;
}

int herder_task_configs(struct herder *h, const char *name, struct herder_task_configs **out,
                        struct kc_error *err)
{
    struct herder_op *r;
    int rc = call(h, op_new(HERDER_OP_TASK_CONFIGS, name), &r, err);
    if (rc == KC_OK) {
        *out = r->tcs;
        r->tcs = NULL;
    }
    herder_op_free(r);
    return rc;
}

int herder_connector_put(struct herder *h, const char *name, const struct kc_strmap *config,
                         int allow_replace, const enum herder_target_state *initial_state,
                         int *created, struct herder_connector_info **out, struct kc_error *err)
{
    struct herder_op *op = op_new(HERDER_OP_PUT, name), *r;
    if (op != NULL) {
        op->flag_a = allow_replace;
        op->flag_b = initial_state != NULL;
        op->target = initial_state != NULL ? *initial_state : HERDER_TARGET_STARTED;
        if ((op->config = kc_strmap_dup(config)) == NULL) {
            herder_op_free(op);
            op = NULL;
        }
    }
    int rc = call(h, op, &r, err);
    if (rc == KC_OK) {
        if (created != NULL) {
            *created = r->created;
        }
        if (out != NULL) {
            *out = r->info;
            r->info = NULL;
        }
    }
    herder_op_free(r);
    return rc;
}

int herder_connector_patch(struct herder *h, const char *name, const struct kc_strmap *patch,
                           struct herder_connector_info **out, struct kc_error *err)
{
    struct herder_op *op = op_new(HERDER_OP_PATCH, name), *r;
    if (op != NULL && (op->config = kc_strmap_dup(patch)) == NULL) {
        herder_op_free(op);
        op = NULL;
    }
    int rc = call(h, op, &r, err);
    if (rc == KC_OK && out != NULL) {
        *out = r->info;
        r->info = NULL;
    }
    herder_op_free(r);
    return rc;
}

static int simple_call(struct herder *h, enum herder_op_type type, const char *name, int task,
                       int a, int b, enum herder_target_state ts, struct kc_error *err)
{
    struct herder_op *op = op_new(type, name), *r;
    if (op != NULL) {
        op->task = task;
        op->flag_a = a;
        op->flag_b = b;
        op->target = ts;
    }
    int rc = call(h, op, &r, err);
    herder_op_free(r);
    return rc;
}

int herder_connector_delete(struct herder *h, const char *name, struct kc_error *err)
{
    return simple_call(h, HERDER_OP_DELETE, name, -1, 0, 0, HERDER_TARGET_STARTED, err);
}

int herder_connector_target(struct herder *h, const char *name, enum herder_target_state ts,
                            struct kc_error *err)
{
    return simple_call(h, HERDER_OP_TARGET, name, -1, 0, 0, ts, err);
}

int herder_connector_restart(struct herder *h, const char *name, int include_tasks,
                             int only_failed, struct herder_connector_status **out,
                             struct kc_error *err)
{
    struct herder_op *op = op_new(HERDER_OP_RESTART, name), *r;
    if (op != NULL) {
        op->flag_a = include_tasks;
        op->flag_b = only_failed;
    }
    *out = NULL;
    int rc = call(h, op, &r, err);
    if (rc == KC_OK) {
        *out = r->status;
        r->status = NULL;
    }
    herder_op_free(r);
    return rc;
}

int herder_task_restart(struct herder *h, const char *name, int task, struct kc_error *err)
{
    return simple_call(h, HERDER_OP_TASK_RESTART, name, task, 0, 0, HERDER_TARGET_STARTED, err);
}

int herder_connector_topics(struct herder *h, const char *name, char ***topics, size_t *n,
                            struct kc_error *err)
{
    struct herder_op *r;
    int rc = call(h, op_new(HERDER_OP_TOPICS, name), &r, err);
    if (rc == KC_OK) {
        *topics = r->names;
        *n = r->n_names;
        r->names = NULL;
        r->n_names = 0;
    }
    herder_op_free(r);
    return rc;
}

int herder_connector_topics_reset(struct herder *h, const char *name, struct kc_error *err)
{
    return simple_call(h, HERDER_OP_TOPICS_RESET, name, -1, 0, 0, HERDER_TARGET_STARTED, err);
}

int herder_connector_offsets(struct herder *h, const char *name, struct herder_offsets *out,
                             struct kc_error *err)
{
    struct herder_op *r;
    int rc = call(h, op_new(HERDER_OP_OFFSETS, name), &r, err);
    if (rc == KC_OK) {
        *out = r->offsets;
        memset(&r->offsets, 0, sizeof(r->offsets));
    }
    herder_op_free(r);
    return rc;
}

int herder_connector_offsets_alter(struct herder *h, const char *name,
                                   const struct herder_offsets *os, struct kc_error *err)
{
    struct herder_op *op = op_new(HERDER_OP_OFFSETS_ALTER, name), *r;
    if (op != NULL && os->n > 0) {
        op->offsets.o = kc_calloc(os->n, sizeof(*op->offsets.o));
        if (op->offsets.o == NULL) {
            herder_op_free(op);
            op = NULL;
        } else {
            for (size_t i = 0; i < os->n; i++) {
                op->offsets.o[i].topic = kc_strdup(os->o[i].topic);
                op->offsets.o[i].partition = os->o[i].partition;
                op->offsets.o[i].offset = os->o[i].offset;
                op->offsets.n++;
            }
        }
    }
    int rc = call(h, op, &r, err);
    herder_op_free(r);
    return rc;
}

int herder_connector_offsets_reset(struct herder *h, const char *name, struct kc_error *err)
{
    return simple_call(h, HERDER_OP_OFFSETS_RESET, name, -1, 0, 0, HERDER_TARGET_STARTED, err);
}

/* ------------------------------------------------------------------ herder side */

static const char *connector_type(const struct kc_strmap *cfg)
{
    return sink_registry_find(kc_strmap_get(cfg, "connector.class")) != NULL ? "sink"
                                                                             : "unknown";
}

static struct herder_connector_info *make_info(struct herder *h, const char *name)
{
    const struct kc_strmap *cfg = herder_store_config(h->store, name);
    if (cfg == NULL) {
        return NULL;
    }
    struct herder_connector_info *ci = kc_calloc(1, sizeof(*ci));
    if (ci == NULL) {
        return NULL;
    }
    kc_strmap_init(&ci->config);
    ci->name = kc_strdup(name);
    for (size_t i = 0; i < cfg->n; i++) {
        kc_strmap_set(&ci->config, cfg->e[i].key, cfg->e[i].value);
    }
    ci->n_tasks = herder_store_task_count(h->store, name);
    ci->type = connector_type(cfg);
    return ci;
}

static int make_status(struct herder *h, const char *name, struct herder_connector_status **out,
                       struct kc_error *err)
{
    struct herder_connector_status *cs = kc_calloc(1, sizeof(*cs));
    if (cs == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    cs->name = kc_strdup(name);
    if (herder_store_get_status(h->store, name, -1, &cs->connector) != KC_OK) {
        herder_connector_status_free(cs);
        return kc_error_set(err, KC_ENOENT, "No status found for connector %s", name);
    }
    cs->connector.id = -1;
    const struct kc_strmap *cfg = herder_store_config(h->store, name);
    cs->type = cfg != NULL ? connector_type(cfg) : "unknown";
    int *ids = NULL;
    size_t n = 0;
    /* Only tasks of the current task set: a STOPPED connector shows none (as the JVM does). */
    int n_tasks = herder_store_task_count(h->store, name);
    if (herder_store_status_task_ids(h->store, name, &ids, &n) == KC_OK && n > 0) {
        cs->tasks = kc_calloc(n, sizeof(*cs->tasks));
        for (size_t i = 0; cs->tasks != NULL && i < n; i++) {
            if (ids[i] >= n_tasks) {
                continue;
            }
            if (herder_store_get_status(h->store, name, ids[i], &cs->tasks[cs->n_tasks]) ==
                KC_OK) {
                cs->tasks[cs->n_tasks].id = ids[i];
                cs->n_tasks++;
            }
        }
    }
    kc_free(ids);
    *out = cs;
    return KC_OK;
}

static int do_put(struct herder *h, struct herder_op *op)
{
    struct conf_infos *infos = NULL;
    struct connector_worker_facts facts;
    connector_config_facts_init(&facts, h->wc);
    connector_plugins_facts(&facts);
    int rc = connector_config_validate(op->config, &facts, &infos, &op->err);
    if (rc == KC_ENOENT) {
        /* Unknown plugin: Connect 4.1 answers 400 with "Failed to find any class ...". */
        return KC_EINVAL;
    }
    if (rc != KC_OK) {
        return rc;
    }
    if (infos->error_count > 0) {
        rc = connector_config_error_message(infos, &op->err);
        conf_infos_free(infos);
        return rc != KC_OK ? rc : KC_EINVAL;
    }
    conf_infos_free(infos);
    int exists = herder_store_config(h->store, op->name) != NULL;
    if (exists && !op->flag_a) {
        return kc_error_set(&op->err, KC_EEXIST, "Connector %s already exists", op->name);
    }
    if (!exists) {
        char **names = NULL;
        size_t n = 0;
        if (herder_store_connectors(h->store, &names, &n) == KC_OK) {
            for (size_t i = 0; i < n; i++) {
                kc_free(names[i]);
            }
            kc_free(names);
        }
        if (n >= HERDER_MAX_CONNECTORS) {
            return kc_error_set(&op->err, KC_EINVAL,
                                "Cannot create connector %s: the cluster already has %zu "
                                "connectors, the most connect-c runs is %d",
                                op->name, n, HERDER_MAX_CONNECTORS);
        }
    }
    enum herder_target_state ts = op->target;
    rc = herder_store_put_connector(h->store, op->name, op->config,
                                    (!exists && op->flag_b) ? &ts : NULL, &op->err);
    if (rc != KC_OK) {
        return rc;
    }
    kc_log(KC_LOG_INFO, "herder", "Connector %s %s", op->name, exists ? "config updated"
                                                                     : "created");
    /* Answer with what the config topic holds now, before the connector has generated its
     * task configs: the JVM's 201 shows "tasks":[] for a new connector. */
    op->created = !exists;
    op->info = make_info(h, op->name);
    h->reconcile_needed = 1;
    return op->info != NULL ? KC_OK : kc_error_set(&op->err, KC_ENOENT,
                                                    "Connector %s not found", op->name);
}

static int do_restart(struct herder *h, struct herder_op *op)
{
    const char *name = op->name;
    int include_tasks = op->flag_a, only_failed = op->flag_b;
    if (herder_store_config(h->store, name) == NULL) {
        return kc_error_set(&op->err, KC_ENOENT, "Unknown connector: %s", name);
    }
    if (!include_tasks && !only_failed) {
        if (herder_group_owns_connector(h, name)) {
            return herder_restart_connector(h, name, &op->err);
        }
        /* Another worker runs it: the restart record reaches its owner (the JVM's leader
         * forwards to the owner's URL instead; the outcome is the same). */
        return herder_store_put_restart(h->store, name, 0, 0, &op->err);
    }
    struct herder_connector_status *plan = NULL;
    if (make_status(h, name, &plan, &op->err) != KC_OK) {
        return kc_error_set(&op->err, KC_ENOENT, "Status for connector %s not found", name);
    }
    int restart_conn = !only_failed || plan->connector.state == HERDER_STATE_FAILED;
    if (restart_conn) {
        plan->connector.state = HERDER_STATE_RESTARTING;
    }
    for (size_t i = 0; i < plan->n_tasks; i++) {
        if (include_tasks && (!only_failed || plan->tasks[i].state == HERDER_STATE_FAILED)) {
            plan->tasks[i].state = HERDER_STATE_RESTARTING;
        }
    }
    /* As the JVM's leader does: write restart-connector-<c>; the owners (today: us) act on it
     * when they read it back (herder_store_drain_restarts), so every worker sees the request. */
    int rc = herder_store_put_restart(h->store, name, include_tasks, only_failed, &op->err);
    if (rc != KC_OK) {
        herder_connector_status_free(plan);
        return rc;
    }
    op->status = plan;
    return KC_OK;
}

/* The sink's consumer group: consumer.override.group.id, else connect-<name>. Owned; NULL when
 * out of memory. Built without a cap: a long connector name must not turn into another
 * group's name. */
static char *group_of(struct herder *h, const char *name)
{
    const struct kc_strmap *cfg = herder_store_config(h->store, name);
    const char *g = cfg ? kc_strmap_get(cfg, "consumer.override.group.id") : NULL;
    return g != NULL ? kc_strdup(g) : kc_asprintf("connect-%s", name);
}

static int list_group_offsets(struct kafka_admin *ka, const char *group,
                              struct herder_offsets *out, struct kc_error *err)
{
    struct kafka_admin_offsets ko = {0};
    int rc = kafka_admin_group_offsets_list(ka, group, ADMIN_TIMEOUT_MS, &ko, err);
    if (rc == KC_OK && ko.n > 0) {
        /* Same layout (checked below at compile time), so the array moves over as is. */
        _Static_assert(sizeof(struct herder_offset) == sizeof(struct kafka_admin_offset) &&
                           offsetof(struct herder_offset, partition) ==
                               offsetof(struct kafka_admin_offset, partition) &&
                           offsetof(struct herder_offset, offset) ==
                               offsetof(struct kafka_admin_offset, offset),
                       "herder_offset and kafka_admin_offset must share a layout");
        out->o = (struct herder_offset *)(void *)ko.o;
        out->n = ko.n;
        ko.o = NULL;
        ko.n = 0;
    }
    kafka_admin_offsets_fini(&ko);
    return rc;
}

static int alter_group_offsets(struct kafka_admin *ka, const char *group,
                               const struct herder_offsets *os, int reset_all,
                               struct kc_error *err)
{
    if (reset_all) {
        /* The JVM resets a sink connector's offsets by deleting its consumer group. */
        return kafka_admin_group_delete(ka, group, ADMIN_TIMEOUT_MS, err);
    }
    struct kafka_admin_offsets alter = {0}, del = {0};
    int rc = KC_OK;
    for (size_t i = 0; i < os->n && rc == KC_OK; i++) {
        rc = kafka_admin_offsets_add(os->o[i].offset < 0 ? &del : &alter, os->o[i].topic,
                                     os->o[i].partition, os->o[i].offset);
    }
    if (rc != KC_OK) {
        rc = kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (rc == KC_OK && alter.n > 0) {
        rc = kafka_admin_group_offsets_alter(ka, group, &alter, ADMIN_TIMEOUT_MS, err);
    }
    if (rc == KC_OK && del.n > 0) {
        rc = kafka_admin_group_offsets_delete(ka, group, &del, ADMIN_TIMEOUT_MS, err);
    }
    kafka_admin_offsets_fini(&alter);
    kafka_admin_offsets_fini(&del);
    if (rc == KC_RETRY) {
        rc = KC_EINVAL; /* the group still has members: the broker's message says so */
    }
    return rc;
}

static int require_stopped(struct herder *h, const char *name, struct kc_error *err)
{
    if (herder_store_target(h->store, name) != HERDER_TARGET_STOPPED ||
        herder_store_task_count(h->store, name) != 0) {
        return kc_error_set(err, KC_EINVAL,
                            "Connectors must be in the STOPPED state before their offsets can "
                            "be modified. This can be done for the specified connector by "
                            "issuing a 'PUT' request to the '/connectors/%s/stop' endpoint",
                            name);
    }
    return KC_OK;
}

/*
 * @thread jobs: the admin calls of the offsets ops, with what the herder thread checked and
 * resolved (op->group). Touches nothing but the admin client, which after herder_start is used
 * by this thread alone.
 */
void herder_admin_run(void *ctx, void *item)
{
    struct kafka_admin *ka = ctx;
    struct herder_op *op = item;
    if (op->type == HERDER_OP_OFFSETS) {
        op->rc = list_group_offsets(ka, op->group, &op->offsets, &op->err);
    } else {
        op->rc = alter_group_offsets(ka, op->group, &op->offsets,
                                     op->type == HERDER_OP_OFFSETS_RESET, &op->err);
    }
    op->done = 1;
}

/* Hand an offsets op to the jobs thread: 0 (it comes back as a done op), or 1 with op->rc set
 * when it could not be handed over. */
static int post_admin(struct herder *h, struct herder_op *op)
{
    op->group = group_of(h, op->name);
    if (op->group == NULL || h->jobs == NULL || herder_jobs_post(h->jobs, op) != KC_OK) {
        op->rc = kc_error_set(&op->err, KC_ENOMEM, "out of memory");
        return 1;
    }
    return 0;
}

int herder_handle_rest_op(struct herder *h, struct herder_op *op)
{
    const char *name = op->name;
    struct kc_error *err = &op->err;
    int known = name != NULL && herder_store_config(h->store, name) != NULL;
    op->rc = KC_OK;
    switch (op->type) {
    case HERDER_OP_PING:
        break;
    case HERDER_OP_LOGGER:
        op->rc = herder_store_put_logger(h->store, name, op->text, err);
        break;
    case HERDER_OP_LIST:
        op->rc = herder_store_connectors(h->store, &op->names, &op->n_names);
        break;
    case HERDER_OP_INFO:
        if (!known || (op->info = make_info(h, name)) == NULL) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
        }
        break;
    case HERDER_OP_STATUS:
        op->rc = make_status(h, name, &op->status, err);
        break;
    case HERDER_OP_TASK_STATUS:
        if (herder_store_get_status(h->store, name, op->task, &op->inst) != KC_OK) {
            op->rc = kc_error_set(err, KC_ENOENT, "No status found for task %s-%d", name,
                                  op->task);
        }
        op->inst.id = op->task;
        break;
    case HERDER_OP_TASK_CONFIGS: {
        if (!known) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
            break;
        }
        int n = herder_store_task_count(h->store, name);
        op->tcs = kc_calloc(1, sizeof(*op->tcs));
        if (op->tcs == NULL || (n > 0 && (op->tcs->tasks = kc_calloc((size_t)n,
                                                                      sizeof(struct kc_strmap))) ==
                                             NULL)) {
            op->rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            break;
        }
        for (int i = 0; i < n; i++) {
            const struct kc_strmap *tc = herder_store_task_config(h->store, name, i);
            kc_strmap_init(&op->tcs->tasks[i]);
            for (size_t k = 0; tc != NULL && k < tc->n; k++) {
                kc_strmap_set(&op->tcs->tasks[i], tc->e[k].key, tc->e[k].value);
            }
            op->tcs->n++;
        }
        break;
    }
    case HERDER_OP_PUT:
        op->rc = do_put(h, op);
        break;
    case HERDER_OP_PATCH: {
        /* ConnectUtils.patchConfig on the herder thread: nothing can come in between. */
        const struct kc_strmap *cur = herder_store_config(h->store, name);
        struct kc_strmap *merged = cur != NULL ? kc_strmap_dup(cur) : NULL;
        if (cur == NULL) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
            break;
        }
        for (size_t i = 0; merged != NULL && i < op->config->n; i++) {
            const struct kc_strmap_entry *e = &op->config->e[i];
            if (e->value == NULL) {
                kc_strmap_del(merged, e->key);
            } else if (kc_strmap_set(merged, e->key, e->value) != KC_OK) {
                kc_strmap_free(merged);
                merged = NULL;
            }
        }
        if (merged == NULL) {
            op->rc = kc_error_set(err, KC_ENOMEM, "out of memory");
            break;
        }
        kc_strmap_free(op->config);
        op->config = merged;
        op->flag_a = 1; /* replace */
        op->flag_b = 0; /* no initial state */
        op->rc = do_put(h, op);
        break;
    }
    case HERDER_OP_DELETE:
        if (!known) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
            break;
        }
        op->rc = herder_store_delete_connector(h->store, name, err);
        if (op->rc == KC_OK) {
            kc_log(KC_LOG_INFO, "herder", "Connector %s deleted", name);
            herder_reconcile(h);
        }
        break;
    case HERDER_OP_TARGET:
        if (!known) {
            op->rc = kc_error_set(err, KC_ENOENT, op->target == HERDER_TARGET_STOPPED
                                                      ? "Unknown connector: %s"
                                                      : "Unknown connector %s",
                                  name);
            break;
        }
        if (op->target == HERDER_TARGET_STOPPED) {
            /* The JVM's order: empty task set first, then the STOPPED target state. */
            op->rc = herder_store_put_tasks(h->store, name, NULL, 0, err);
        }
        if (op->rc == KC_OK) {
            op->rc = herder_store_put_target(h->store, name, op->target, err);
        }
        if (op->rc == KC_OK) {
            herder_reconcile(h);
        }
        break;
    case HERDER_OP_RESTART:
        op->rc = do_restart(h, op);
        break;
    case HERDER_OP_TASK_RESTART:
        /* Answered once the old task stopped and the new one started (herder.c). */
        op->rc = herder_restart_task(h, name, op->task, op, err);
        if (op->rc == KC_OK) {
            return 0;
        }
        break;
    case HERDER_OP_TOPICS:
    case HERDER_OP_TOPICS_RESET: {
        if (!h->wc->topic_tracking_enable) {
            op->rc = kc_error_set(err, KC_EPERM, "Topic tracking is disabled.");
            break;
        }
        if (op->type == HERDER_OP_TOPICS_RESET && !h->wc->topic_tracking_allow_reset) {
            op->rc = kc_error_set(err, KC_EPERM, "Topic tracking reset is disabled.");
            break;
        }
        if (!known) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
            break;
        }
        if (op->type == HERDER_OP_TOPICS) {
            op->rc = herder_store_topics(h->store, name, &op->names, &op->n_names);
        } else {
            op->rc = herder_store_delete_topics(h->store, name, err);
        }
        break;
    }
    case HERDER_OP_OFFSETS:
        if (!known) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
            break;
        }
        return post_admin(h, op);
    case HERDER_OP_OFFSETS_ALTER:
    case HERDER_OP_OFFSETS_RESET:
        if (!known) {
            op->rc = kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
            break;
        }
        if ((op->rc = require_stopped(h, name, err)) != KC_OK) {
            break;
        }
        if (herder_tasks_stopping(h, name)) {
            /* Stopped in the config, but a task is still leaving the group: the broker would
             * refuse the change (the group has members), so the op waits for the task to go
             * and is handled again then, as the JVM's stop-and-await would have ordered it. */
            op->next = h->parked;
            h->parked = op;
            return 0;
        }
        return post_admin(h, op);
    default:
        op->rc = kc_error_set(err, KC_EFATAL, "unknown op %d", (int)op->type);
        break;
    }
    return 1;
}
