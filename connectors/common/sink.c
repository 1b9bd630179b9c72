/*
 * connectors/common/sink.c: the defaults behind the MAY slots of struct sink_connector_ops, and
 * the JVM's plugin alias rule for connector.class. Call sites use sink_call_*() so no caller
 * ever tests a slot for NULL (curl's default filter slots).
 */
#include "sink.h"

#include <stdarg.h>
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

int sink_task_report(struct sink_task *st, const struct sink_record *rec,
                     const struct kc_error *cause)
{
    /* Without a worker (unit tests of a sink) a bad record fails the batch. */
    return st->report != NULL ? st->report(st, rec, cause) : KC_EFATAL;
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

int sink_call_validate(const struct sink_connector_ops *ops, const struct kc_strmap *cfg,
                       struct kc_error *err)
{
    if (ops->validate == NULL) {
        return KC_OK;
    }
    return ops->validate(cfg, err);
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
