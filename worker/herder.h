/*
 * worker/herder.h: the herder owns connectors, tasks, their target and runtime states, and the
 * worker's assignment. It is the only reader and writer of the config and status topics' state
 * and runs on its own thread, fed by one op queue.
 *
 * This header is the contract REST (and main.c) use. Every call below is synchronous for the
 * caller: it posts an op with a reply queue to the herder thread and waits up to
 * HERDER_REQUEST_TIMEOUT_MS (the JVM's 90 s REST timeout); on timeout it returns KC_EIO with
 * "Request timed out" and the late reply is dropped. All returned objects are owned by the
 * caller and freed with the matching _free function. REST never holds herder pointers.
 *
 * Error mapping (rest/ turns these into the JVM's codes): KC_ENOENT -> 404, KC_EEXIST -> 409,
 * KC_EINVAL -> 400, KC_RETRY -> 409 (rebalance / conflict), anything else -> 500. err->msg holds
 * the JVM's exact message text.
 */
#ifndef HERDER_H
#define HERDER_H

#include <stddef.h>
#include <stdint.h>

#include "kc_error.h"
#include "kc_strmap.h"

struct herder;
struct worker_config; /* worker/worker_config.h */

#define HERDER_REQUEST_TIMEOUT_MS 90000
/* Connectors a cluster of connect-c workers runs at most: a create past it is a 400. Each
 * connector's tasks run in this process; JVM clusters past a few hundred are rare. */
#define HERDER_MAX_CONNECTORS 1024
/* Requests queued for the herder thread at most; past it a request is refused with a 400
 * instead of waiting. REST callers are bounded by rest.max.connections, but a caller that gave
 * up after HERDER_REQUEST_TIMEOUT_MS leaves its request queued. */
#define HERDER_MAX_QUEUED_OPS 1024

enum herder_target_state {
    HERDER_TARGET_STARTED = 0,
    HERDER_TARGET_PAUSED,
    HERDER_TARGET_STOPPED,
};

/* Runtime states as in the status topic and REST. */
enum herder_state {
    HERDER_STATE_UNASSIGNED = 0,
    HERDER_STATE_RUNNING,
    HERDER_STATE_PAUSED,
    HERDER_STATE_STOPPED,
    HERDER_STATE_FAILED,
    HERDER_STATE_RESTARTING,
    HERDER_STATE_DESTROYED,
};

/* "RUNNING" etc. / parse (-1 if unknown). */
const char *herder_state_name(enum herder_state s);
int herder_state_parse(const char *s);
const char *herder_target_state_name(enum herder_target_state t);
int herder_target_state_parse(const char *s);

/* ConnectorInfo: GET /connectors/{c} */
struct herder_connector_info {
    char *name;                /* owned */
    struct kc_strmap config;   /* owned; raw stored config (unresolved ${...}) */
    int n_tasks;               /* task ids 0..n_tasks-1 */
    const char *type;          /* static: "sink", "source" or "unknown" */
};
void herder_connector_info_free(struct herder_connector_info *ci);

struct herder_instance_status {
    int id;            /* task id, or -1 for the connector */
    enum herder_state state;
    char *worker_id;   /* owned, "host:port" */
    char *trace;       /* owned, NULL when none */
    char *version;     /* owned, plugin version or NULL */
};

/* Free the owned strings of one status (the struct itself is the caller's). NULL ok. */
void herder_instance_status_fini(struct herder_instance_status *is);

/* ConnectorStateInfo: GET /connectors/{c}/status */
struct herder_connector_status {
    char *name;                              /* owned */
    struct herder_instance_status connector; /* connector's own status */
    struct herder_instance_status *tasks;    /* owned array sorted by id */
    size_t n_tasks;
    const char *type;                        /* static */
};
void herder_connector_status_free(struct herder_connector_status *cs);

/* Task configs: GET /connectors/{c}/tasks */
struct herder_task_configs {
    struct kc_strmap *tasks; /* owned array of n maps; index = task id */
    size_t n;
};
void herder_task_configs_free(struct herder_task_configs *tc);

/* Sink offsets: GET /connectors/{c}/offsets, PATCH body */
struct herder_offset {
    char *topic;   /* owned */
    int32_t partition;
    int64_t offset; /* committed offset (next to read); -1 in a PATCH = reset this partition */
};
struct herder_offsets {
    struct herder_offset *o; /* owned array */
    size_t n;
};
void herder_offsets_fini(struct herder_offsets *os);

/* ---- lifecycle (main.c) ---- */

/* Build the herder from validated worker config (borrowed for the herder's life); no I/O, so
 * the REST server can answer (GET /connectors: [], /health: 503) while the worker starts, as
 * the JVM's does. @thread main */
int herder_new(const struct worker_config *wc, struct herder **out, struct kc_error *err);
/* Connect to Kafka, create/verify the internal topics, read them to their end, check that no
 * other worker holds the group, then start the herder thread; tasks start from then on.
 * KC_EFATAL/KC_EINVAL with a clear message when the worker cannot start. @thread main */
int herder_start(struct herder *h, struct kc_error *err);
/* Stop every task (each within task.shutdown.graceful.timeout.ms), write UNASSIGNED statuses,
 * join the thread and free everything. NULL ok. @thread main */
void herder_free(struct herder *h);
/* Make REST calls that wait on the herder return at once (KC_EIO "Request timed out"): called
 * before the REST server is stopped, so its threads are not held for 90 s. @thread any */
void herder_close_requests(struct herder *h);
/* Ask the herder thread to answer within timeout_ms (GET /health): KC_OK if it did, KC_EIO if
 * it did not (stuck), KC_RETRY while the worker is still starting. @thread rest */
int herder_health_check(struct herder *h, int timeout_ms, struct kc_error *err);
/* 1 once startup finished (GET /health). @thread any */
int herder_ready(const struct herder *h);
/* Kafka cluster id (GET /), borrowed for the herder's life. */
const char *herder_kafka_cluster_id(const struct herder *h);
/* "host:port" this worker writes as worker_id. */
const char *herder_worker_id(const struct herder *h);

/* ---- REST calls (@thread rest) ---- */

/* Names, sorted. names: owned array of owned strings (free each + the array with kc_free). */
int herder_connectors_list(struct herder *h, char ***names, size_t *n, struct kc_error *err);
int herder_connector_info(struct herder *h, const char *name, struct herder_connector_info **out,
                          struct kc_error *err);
int herder_connector_status(struct herder *h, const char *name,
                            struct herder_connector_status **out, struct kc_error *err);
int herder_task_status(struct herder *h, const char *name, int task,
                       struct herder_instance_status *out, struct kc_error *err);
int herder_task_configs(struct herder *h, const char *name, struct herder_task_configs **out,
                        struct kc_error *err);

/*
 * Create or update a connector (POST /connectors, PUT .../config, PATCH .../config after REST
 * merged the patch). The config is validated (framework keys, sink config_def, sink validate);
 * invalid -> KC_EINVAL with the JVM's "Connector configuration is invalid and contains the
 * following N error(s):..." message. Unknown class -> KC_EIO with the JVM's "Failed to find any
 * class ..." text (REST answers 500). allow_replace=0 and the connector exists -> KC_EEXIST
 * "Connector <c> already exists". initial_state is applied only on create (NULL = STARTED).
 * *created tells 201 from 200; *out is the resulting ConnectorInfo.
 */
int herder_connector_put(struct herder *h, const char *name, const struct kc_strmap *config,
                         int allow_replace, const enum herder_target_state *initial_state,
                         int *created, struct herder_connector_info **out, struct kc_error *err);
/* PATCH .../config: merge patch into the stored config on the herder thread (a NULL value
 * removes the key, others replace), then validate and store like herder_connector_put.
 * KC_ENOENT "Connector <c> not found" when absent. *out: the resulting ConnectorInfo. */
int herder_connector_patch(struct herder *h, const char *name, const struct kc_strmap *patch,
                           struct herder_connector_info **out, struct kc_error *err);
int herder_connector_delete(struct herder *h, const char *name, struct kc_error *err);
/* PUT pause / resume / stop. */
int herder_connector_target(struct herder *h, const char *name, enum herder_target_state ts,
                            struct kc_error *err);
/*
 * POST /connectors/{c}/restart. With include_tasks=0 and only_failed=0 the connector object is
 * restarted synchronously and *out stays NULL (REST answers 204); otherwise *out gets the
 * ConnectorStateInfo with RESTARTING on the selected instances (REST answers 202).
 */
int herder_connector_restart(struct herder *h, const char *name, int include_tasks,
                             int only_failed, struct herder_connector_status **out,
                             struct kc_error *err);
int herder_task_restart(struct herder *h, const char *name, int task, struct kc_error *err);

/* PUT /admin/loggers/{ns}?scope=cluster: write logger-cluster-<ns> {"level":...}. */
int herder_logger_cluster(struct herder *h, const char *ns, const char *level,
                          struct kc_error *err);

/* Topics the connector's tasks consumed: owned array of owned names. */
int herder_connector_topics(struct herder *h, const char *name, char ***topics, size_t *n,
                            struct kc_error *err);
int herder_connector_topics_reset(struct herder *h, const char *name, struct kc_error *err);

/* KIP-875 offsets of a sink connector's consumer group. */
int herder_connector_offsets(struct herder *h, const char *name, struct herder_offsets *out,
                             struct kc_error *err);
/* alter: entries with offset -1 reset that partition. reset: delete all. Both need the
 * connector STOPPED (KC_EINVAL with the JVM message otherwise). */
int herder_connector_offsets_alter(struct herder *h, const char *name,
                                   const struct herder_offsets *os, struct kc_error *err);
int herder_connector_offsets_reset(struct herder *h, const char *name, struct kc_error *err);

/* ---- worker group (herder_group.c; @thread rest) ---- */

/*
 * Where a write that only the leader performs is served (connect-compat.md §2.2). forward: the
 * request's ?forward= (-1 absent, 0 false, 1 true). Returns KC_OK with *url NULL: serve it here
 * (we lead); KC_OK with *url set (owned): forward it to the leader there; else KC_RETRY with the
 * JVM's 409 message
 * (rebalance, no known leader, or forward=false that must not hop again). Waits (bounded) while a
 * rebalance runs, as a JVM request waits for the herder's tick.
 */
int herder_request_target(struct herder *h, int forward, char **url, struct kc_error *err);
/* Check an internal request's signature (sessioned protocol): KC_OK, KC_EINVAL (missing,
 * unsupported algorithm: 400), KC_EPERM (invalid: 403), KC_RETRY (no key yet: 503). */
int herder_internal_verify(struct herder *h, const char *body, size_t len, const char *signature,
                           const char *algorithm, struct kc_error *err);
/* POST /connectors/{c}/tasks on the leader: store these task configs (tasks owned by the caller). */
int herder_task_configs_put(struct herder *h, const char *name, const struct kc_strmap *tasks,
                            int n, struct kc_error *err);

#endif
