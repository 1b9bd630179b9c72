/*
 * worker/task.h: one sink task = one thread running consume -> convert -> put -> pre_commit
 * -> commit with its own librdkafka consumer in the connector's group. The herder creates tasks
 * from a task spec, steers them with ops (pause, resume, stop) and hears back through the
 * callbacks in the spec, which run on the task's thread and must only post to the herder.
 */
#ifndef TASK_H
#define TASK_H

#include <stdint.h>

#include "herder.h"
#include "kc_error.h"
#include "kc_strmap.h"
#include "sink.h"

struct task;

/* What the herder hears from a task. Called on the task thread; must not block. */
struct task_callbacks {
    void *opaque;
    /* state is RUNNING, PAUSED or FAILED (trace set, owned by the callee after the call). */
    void (*on_state)(void *opaque, const char *connector, int id, enum herder_state state,
                     char *trace);
    /* First record seen from a topic (topic tracking). */
    void (*on_topic)(void *opaque, const char *connector, int id, const char *topic);
    /* A task abandoned by task_free (hung past its shutdown timeout) frees itself when its
     * thread finally ends, then calls this to drop what opaque holds for it. NULL ok. */
    void (*on_release)(void *opaque);
};

struct task_spec {
    const char *connector;                /* copied */
    int id;
    const struct sink_connector_ops *ops; /* static */
    const struct kc_strmap *config;       /* resolved task config; copied */
    const struct kc_strmap *consumer_props; /* librdkafka props (bootstrap, group.id, ...); copied */
    const struct kc_strmap *producer_props; /* librdkafka props for the DLQ producer; copied */
    const struct kc_strmap *admin_props; /* librdkafka props for the DLQ topic's creation, NULL =
                                          * producer_props; copied */
    const char *key_converter;            /* class; props below are prefix-stripped; copied */
    const struct kc_strmap *key_converter_props;
    const char *value_converter;
    const struct kc_strmap *value_converter_props;
    const char *header_converter;
    const struct kc_strmap *header_converter_props;
    int64_t offset_flush_interval_ms;
    int64_t offset_flush_timeout_ms;
    int start_paused;                     /* target state PAUSED at start */
    int64_t budget_bytes;                 /* task.memory.budget.bytes; 0 = the default */
    struct task_callbacks cb;
};

/*
 * Validate the spec's error-handling keys, build converters, and start the thread. Errors in
 * the config (bad converter class, bad errors.* value) return KC_EINVAL and no task; failures
 * inside the thread (sink start, Kafka) are reported as FAILED through cb.on_state.
 * @thread herder
 */
int task_new(const struct task_spec *spec, struct task **out, struct kc_error *err);
/* Post ops; return at once. @thread herder */
void task_pause(struct task *t);
void task_resume(struct task *t);
/* 1 once the task thread has applied a pause (its consumer paused, PAUSED reported) and no
 * resume since. @thread any */
int task_paused(struct task *t);
/* Ask the task to stop: it flushes, commits what was flushed, closes its consumer. */
void task_stop(struct task *t);
/* Wait up to timeout_ms for the thread to end after task_stop. 1 if it ended. @thread herder */
int task_join(struct task *t, int64_t timeout_ms);
/* Free a task whose thread ended; if it did not end (hung sink) the thread is detached and the
 * memory deliberately leaked, as the JVM abandons a task that ignores its shutdown timeout. */
void task_free(struct task *t);

#endif
