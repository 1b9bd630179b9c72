/*
 * worker/herder_int.h: state shared by the herder's own files (herder.c: thread, ops and
 * reconciliation; herder_api.c: the herder's request API, the calls REST makes; herder_store.c:
 * the adapter over the config and status topics). Nothing outside the herder includes this.
 */
#ifndef HERDER_INT_H
#define HERDER_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include <librdkafka/rdkafka.h>

#include "herder.h"
#include "kc_queue.h"
#include "sink.h"
#include "task.h"

struct herder_store;   /* herder_store.c: config + status topics */
struct herder_handle;  /* herder_handle.c: a task's callback opaque */
struct herder_jobs;    /* herder_jobs.c: the thread for blocking calls */
struct herder_stopping;
struct herder_group;   /* herder_group.c: membership in the worker group */
struct connect_assignment; /* group_connect.h */

/* Runtime of one connector assigned to this worker. Herder thread only. */
struct herder_conn {
    char *name;                           /* owned */
    const struct sink_connector_ops *ops; /* static; NULL = class unknown here */
    struct kc_strmap *applied_config;     /* owned: config the connector was started with */
    enum herder_target_state applied_target;
    int64_t applied_task_gen;             /* committed task-config generation the tasks run */
    struct task **tasks;                  /* owned array of n_tasks (entries may be NULL) */
    struct herder_handle **handles;       /* owned array of n_tasks: tasks[i]'s callback opaque */
    int n_tasks;
    int start_pending;                    /* tasks wait for the old generation to stop */
    enum herder_state state;              /* connector instance state */
    int seen;                             /* mark for the reconcile sweep */
    int owns_instance;                    /* the connector instance is assigned here */
    int unknown_reported;                 /* tasks of an unknown class reported FAILED */
    struct herder_conn *next;
};

enum herder_op_type {
    HERDER_OP_LIST = 1,       /* rest -> herder */
    HERDER_OP_INFO,
    HERDER_OP_STATUS,
    HERDER_OP_TASK_STATUS,
    HERDER_OP_TASK_CONFIGS,
    HERDER_OP_PUT,
    HERDER_OP_PATCH,
    HERDER_OP_DELETE,
    HERDER_OP_TARGET,
    HERDER_OP_RESTART,
    HERDER_OP_TASK_RESTART,
    HERDER_OP_TOPICS,
    HERDER_OP_TOPICS_RESET,
    HERDER_OP_OFFSETS,
    HERDER_OP_OFFSETS_ALTER,
    HERDER_OP_OFFSETS_RESET,
    HERDER_OP_PING,           /* rest -> herder: answers at once (health check) */
    HERDER_OP_LOGGER,         /* rest -> herder: write a logger-cluster record */
    HERDER_OP_TASK_STATE,     /* task -> herder: one-way */
    HERDER_OP_TASK_TOPIC,     /* task -> herder: one-way */
    HERDER_OP_GROUP,          /* group member -> herder: revoke / assign / lost (herder_group.c) */
    HERDER_OP_PUT_TASKS,      /* rest -> herder: task configs a worker sent to the leader */
};

/* An op and its reply. The requester owns it until it is pushed to h->q; then the herder owns
 * it until it pushes it to reply; then reply's last reference frees it (op_free). */
struct herder_op {
    enum herder_op_type type;
    struct kc_queue *reply; /* ref held by the op; NULL for one-way ops */
    struct kc_error err;    /* result, filled by the herder */
    int rc;
    int done;               /* the jobs thread ran it: the herder only answers it now */
    uint64_t serial;        /* task -> herder ops: the reporting task's handle serial */
    struct herder_op *next; /* on h->parked */
    /* arguments (owned) */
    char *name;
    int task;
    int flag_a, flag_b;     /* allow_replace / include_tasks, has_initial / only_failed */
    enum herder_target_state target;
    enum herder_state state;
    struct kc_strmap *config;
    char *text;             /* trace or topic */
    char *group;            /* offsets ops: the consumer group, set by the herder thread */
    struct herder_offsets offsets;
    /* results (owned, taken by the requester) */
    char **names;
    size_t n_names;
    struct herder_connector_info *info;
    struct herder_connector_status *status;
    struct herder_instance_status inst;
    struct herder_task_configs *tcs;
    int created;
    struct connect_assignment *asg; /* HERDER_OP_GROUP: owned copy */
    struct kc_strmap *tasks;        /* HERDER_OP_PUT_TASKS: owned array of n_tasks maps */
    int n_tasks;
};

struct herder {
    const struct worker_config *wc; /* borrowed for the herder's life */
    char *worker_id;                /* owned "host:port" */
    char *cluster_id;               /* owned */
    struct kc_queue *q;             /* owned ref: inbound ops */
    pthread_t thread;
    int thread_started;
    _Atomic int running;
    _Atomic int ready;
    _Atomic int closing;            /* set by herder_free: REST calls stop waiting */
    _Atomic int cluster_id_known;   /* cluster_id is written (GET / may read it) */
    int32_t generation;             /* written into status records */
    struct herder_store *store;     /* owned */
    struct herder_group *group;     /* owned: our membership in group.id (herder_group.c) */
    rd_kafka_t *admin;              /* borrowed from the store's admin client; used by
                                       herder_start only (then the jobs thread owns it) */
    struct herder_conn *conns;      /* owned list */
    int reconcile_needed;
    struct herder_jobs *jobs;       /* owned: admin calls run there, never on the herder */
    struct herder_stopping *stopping; /* owned list: tasks asked to stop, not yet joined */
    uint64_t next_serial;           /* for task handles */
    struct herder_op *parked;       /* owned list: offsets changes waiting for tasks to stop */
};

/* herder.c */
void herder_op_free(void *op);
/* herder_api.c: run one request op on the herder thread. 1: answered (reply now); 0: the op
 * moved on (to the jobs thread, or waits for a task to stop) and comes back later. */
int herder_handle_rest_op(struct herder *h, struct herder_op *op);
/* herder_api.c: the jobs thread's runner for offsets ops (ctx: struct kafka_admin). */
void herder_admin_run(void *ctx, void *item);
/* herder.c: 1 while a task of connector name is still stopping (its consumer may still be in
 * the group). */
int herder_tasks_stopping(const struct herder *h, const char *name);
/* herder.c: answer a request op (push it to its reply queue). */
void herder_reply(struct herder_op *op);
/* herder.c: helpers the REST ops use */
struct herder_conn *herder_conn_find(struct herder *h, const char *name);
void herder_reconcile(struct herder *h);
int herder_write_status(struct herder *h, const char *connector, int task, enum herder_state s,
                        const char *trace, struct kc_error *err);
int herder_restart_connector(struct herder *h, const char *name, struct kc_error *err);
/* Stop task id of name without waiting; it is started again once the old one has stopped (or
 * been abandoned). op (may be NULL) is answered then: KC_OK, or the start error. Returns KC_OK
 * if the restart is under way (op then belongs to the herder), else the error (op untouched). */
int herder_restart_task(struct herder *h, const char *name, int id, struct herder_op *op,
                        struct kc_error *err);

/* herder_group.c: the worker group. Ownership answers 1 when there is no group. */
int herder_group_new(struct herder *h, struct kc_error *err);   /* herder_new: no I/O */
int herder_group_start(struct herder *h, struct kc_error *err); /* herder_start: join */
void herder_group_stop(struct herder *h);
void herder_group_free(struct herder *h);
void herder_group_handle_op(struct herder *h, struct herder_op *op);
/* once per loop of the herder thread: offsets, snapshot, leader duties, pending submissions */
void herder_group_tick(struct herder *h, int config_changed);
int herder_group_owns_connector(const struct herder *h, const char *name);
int herder_group_owns_task(const struct herder *h, const char *name, int id);
int herder_group_owns_any(const struct herder *h, const char *name);
int herder_group_is_leader(const struct herder *h);
/* Run a HERDER_OP_PUT_TASKS (leader): fills op->rc / op->err. */
int herder_group_put_tasks_op(struct herder *h, struct herder_op *op);
/* A follower's generated task configs: sent to the leader from the herder thread (retried). */
int herder_group_submit_tasks(struct herder *h, const char *name, const struct kc_strmap *tasks,
                              int n, struct kc_error *err);

#endif
