/*
 * connectors/common/sink.c: the defaults behind the MAY slots of struct sink_connector_ops, and
 * the JVM's plugin alias rule for connector.class. Call sites use sink_call_*() so no caller
 * ever tests a slot for NULL (curl's default filter slots).
 */
#include "sink.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kc_log.h"

void sink_task_set_ctx(struct sink_task *st, void *ctx)
{
    st->ctx = ctx;
}

void *sink_task_ctx(struct sink_task *st)
{
    return st->ctx;
}

const char *sink_task_connector(const struct sink_task *st)
{
    return st->connector;
}

int sink_task_id(const struct sink_task *st)
{
    return st->id;
}

void sink_task_request_commit(struct sink_task *st)
{
    st->commit_requested = 1;
}

void sink_task_want_converted(struct sink_task *st)
{
    st->want_converted = 1;
}

void sink_task_want_key_headers(struct sink_task *st, int key, int headers)
{
    st->want_key |= key != 0;
    st->want_headers |= headers != 0;
}

void sink_task_tick_within(struct sink_task *st, int64_t ms)
{
    if (ms < 0) {
        ms = 0;
    }
    if (!st->tick_soon || ms < st->tick_within_ms) {
        st->tick_within_ms = ms;
    }
    st->tick_soon = 1;
}

void sink_task_wake(struct sink_task *st)
{
    if (st->svc != NULL && st->svc->wake != NULL) {
        st->svc->wake(st);
    }
}

int sink_task_report_exception(struct sink_task *st, const struct sink_record *rec,
                               const char *exception_class, const struct kc_error *cause)
{
    /* Without a worker or harness a bad record fails the batch. */
    if (st->svc == NULL || st->svc->report == NULL) {
        return KC_EFATAL;
    }
    return st->svc->report(st, rec,
                           exception_class != NULL
                               ? exception_class
                               : "org.apache.kafka.connect.errors.ConnectException",
                           cause);
}

int sink_task_report(struct sink_task *st, const struct sink_record *rec,
                     const struct kc_error *cause)
{
    return sink_task_report_exception(st, rec, NULL, cause);
}

int sink_task_rewind(struct sink_task *st, const char *topic, int32_t partition, int64_t offset,
                     struct kc_error *err)
{
    if (st->svc == NULL || st->svc->rewind == NULL) {
        return kc_error_set(err, KC_EINVAL, "this task cannot rewind");
    }
    if (offset < 0) {
        return kc_error_set(err, KC_EINVAL, "Invalid offset %lld to rewind %s-%d to",
                            (long long)offset, topic, (int)partition);
    }
    return st->svc->rewind(st, topic, partition, offset, err);
}

void sink_task_pause_partition(struct sink_task *st, const char *topic, int32_t partition)
{
    if (st->svc != NULL && st->svc->pause != NULL) {
        st->svc->pause(st, topic, partition, 1);
    }
}

void sink_task_resume_partition(struct sink_task *st, const char *topic, int32_t partition)
{
    if (st->svc != NULL && st->svc->pause != NULL) {
        st->svc->pause(st, topic, partition, 0);
    }
}

void sink_task_buffered(struct sink_task *st, size_t bytes)
{
    if (st->svc != NULL && st->svc->buffered != NULL) {
        st->svc->buffered(st, bytes);
    }
}

size_t sink_task_budget(const struct sink_task *st)
{
    if (st->svc != NULL && st->svc->budget != NULL) {
        return st->svc->budget(st);
    }
    return SIZE_MAX;
}

void sink_task_log(const struct sink_task *st, int level, const char *fmt, ...)
{
    if (level > kc_log_level_current) {
        return;
    }
    char msg[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kc_log_write((enum kc_log_level)level, "task", "[%s|task-%d] %s",
                 st->connector ? st->connector : "?", st->id, msg);
}

int sink_call_validate(const struct sink_connector_ops *ops, const struct conf_values *cv,
                       struct conf_infos *errs, struct kc_error *err)
{
    if (ops->validate == NULL) {
        return KC_OK;
    }
    return ops->validate(cv, errs, err);
}

int sink_call_task_configs(const struct sink_connector_ops *ops, const struct kc_strmap *cfg,
                           int max_tasks, struct kc_strmap *out, int *n_out,
                           struct kc_error *err)
{
    if (ops->task_configs != NULL) {
        return ops->task_configs(cfg, max_tasks, out, n_out, err);
    }
    /* Default: every task gets the connector's config (what FileStreamSinkConnector does). */
    for (int i = 0; i < max_tasks; i++) {
        for (size_t k = 0; k < cfg->n; k++) {
            if (kc_strmap_set(&out[i], cfg->e[k].key, cfg->e[k].value) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory building task configs");
            }
        }
    }
    *n_out = max_tasks;
    return KC_OK;
}

int sink_call_open(const struct sink_connector_ops *ops, struct sink_task *st,
                   const struct tp_list *parts, struct kc_error *err)
{
    return ops->open != NULL ? ops->open(st, parts, err) : KC_OK;
}

int sink_call_close(const struct sink_connector_ops *ops, struct sink_task *st,
                    const struct tp_list *parts, struct kc_error *err)
{
    return ops->close != NULL ? ops->close(st, parts, err) : KC_OK;
}

int sink_raw_value_ok(unsigned flags, const char *converter, int schemas_enable)
{
    if ((flags & SINK_FLAG_RAW_VALUE) == 0) {
        return 0;
    }
    if ((flags & (SINK_FLAG_RAW_SCHEMALESS | SINK_FLAG_RAW_JSON)) == 0) {
        return 1;
    }
    return converter != NULL &&
           (strcmp(converter, "org.apache.kafka.connect.storage.StringConverter") == 0 ||
            (strcmp(converter, "org.apache.kafka.connect.json.JsonConverter") == 0 &&
             (!schemas_enable || (flags & SINK_FLAG_RAW_JSON) != 0)));
}

const char *sink_task_value_converter(const struct sink_task *st, int *schemas_enable)
{
    *schemas_enable = 0;
    if (st->svc != NULL && st->svc->value_converter != NULL) {
        return st->svc->value_converter(st, schemas_enable);
    }
    return NULL;
}

int sink_call_pre_commit(const struct sink_connector_ops *ops, struct sink_task *st,
                         const struct sink_offset *consumed, size_t n,
                         struct sink_offset *durable, size_t *n_out, struct kc_error *err)
{
    *n_out = 0;
    if (ops->version >= 2 && ops->pre_commit != NULL) {
        return ops->pre_commit(st, consumed, n, durable, n_out, err);
    }
    int rc = ops->flush(st, err);
    if (rc != KC_OK) {
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        durable[i] = consumed[i];
        durable[i].metadata = NULL;
    }
    *n_out = n;
    return KC_OK;
}

int sink_call_tick(const struct sink_connector_ops *ops, struct sink_task *st, int64_t now_ms,
                   int64_t *next_ms, struct kc_error *err)
{
    *next_ms = now_ms + 200;
    if (ops->version >= 2 && ops->tick != NULL) {
        return ops->tick(st, now_ms, next_ms, err);
    }
    return KC_OK;
}

int sink_class_matches(const char *canonical, const char *user_value)
{
    if (user_value == NULL) {
        return 0;
    }
    if (strcmp(canonical, user_value) == 0) {
        return 1;
    }
    /* The JVM registers two aliases per plugin: the simple class name, and the simple name
     * without its "Connector" suffix (PluginUtils.simpleName / prunedName). */
    const char *dot = strrchr(canonical, '.');
    const char *simple = dot != NULL ? dot + 1 : canonical;
    if (strcmp(simple, user_value) == 0) {
        return 1;
    }
    size_t sl = strlen(simple);
    const char *suffix = "Connector";
    size_t xl = strlen(suffix);
    if (sl > xl && strcmp(simple + sl - xl, suffix) == 0) {
        return strlen(user_value) == sl - xl && strncmp(simple, user_value, sl - xl) == 0;
    }
    return 0;
}

void sink_task_record_insert(struct sink_task *st, size_t bytes, int64_t elapsed_us, int ok)
{
    if (st != NULL && st->svc != NULL && st->svc->insert_done != NULL) {
        st->svc->insert_done(st, bytes, elapsed_us, ok);
    }
}

void sink_task_record_retry(struct sink_task *st)
{
    if (st != NULL && st->svc != NULL && st->svc->retried != NULL) {
        st->svc->retried(st);
    }
}
