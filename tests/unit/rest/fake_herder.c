/*
 * tests/unit/rest/fake_herder.c: herder.h answered from canned data, for REST unit tests only.
 * One connector exists, "sink-a"; everything else is unknown (KC_ENOENT with the JVM's text).
 */
#include "fake_herder.h"

#include <stdio.h>
#include <string.h>

#include "kc_alloc.h"

int fake_herder_is_ready = 1;
int fake_herder_created = 1;
int fake_herder_put_rc = KC_OK;
char fake_herder_put_msg[512];
struct kc_strmap fake_herder_last_put;
char fake_herder_last_put_name[256];
int fake_herder_last_put_state = -1;
int fake_herder_last_put_replace = -1;
struct herder_offsets fake_herder_last_alter;
int fake_herder_restart_async = 0;

void fake_herder_reset(void)
{
    fake_herder_is_ready = 1;
    fake_herder_created = 1;
    fake_herder_put_rc = KC_OK;
    fake_herder_put_msg[0] = '\0';
    kc_strmap_fini(&fake_herder_last_put);
    fake_herder_last_put_name[0] = '\0';
    fake_herder_last_put_state = -1;
    fake_herder_last_put_replace = -1;
    herder_offsets_fini(&fake_herder_last_alter);
    fake_herder_restart_async = 0;
}

static int known(const char *name, struct kc_error *err)
{
    if (strcmp(name, "sink-a") == 0) {
        return KC_OK;
    }
    return kc_error_set(err, KC_ENOENT, "Connector %s not found", name);
}

int herder_ready(const struct herder *h)
{
    (void)h;
    return fake_herder_is_ready;
}

int herder_health_check(struct herder *h, int timeout_ms, struct kc_error *err)
{
    (void)h;
    (void)timeout_ms;
    return fake_herder_is_ready ? KC_OK
                                : kc_error_set(err, KC_RETRY, "Worker is still starting up.");
}

const char *herder_kafka_cluster_id(const struct herder *h)
{
    (void)h;
    return "CLUSTERID";
}

const char *herder_worker_id(const struct herder *h)
{
    (void)h;
    return "h:8083";
}

int herder_connectors_list(struct herder *h, char ***names, size_t *n, struct kc_error *err)
{
    (void)h;
    (void)err;
    *names = kc_calloc(1, sizeof(char *));
    (*names)[0] = kc_strdup("sink-a");
    *n = 1;
    return KC_OK;
}

static struct herder_connector_info *canned_info(void)
{
    struct herder_connector_info *ci = kc_calloc(1, sizeof(*ci));
    ci->name = kc_strdup("sink-a");
    kc_strmap_init(&ci->config);
    kc_strmap_set(&ci->config, "connector.class", "FileStreamSink");
    kc_strmap_set(&ci->config, "name", "sink-a");
    kc_strmap_set(&ci->config, "topics", "t");
    ci->n_tasks = 1;
    ci->type = "sink";
    return ci;
}

int herder_connector_info(struct herder *h, const char *name, struct herder_connector_info **out,
                          struct kc_error *err)
{
    (void)h;
    *out = NULL;
    if (known(name, err) != KC_OK) {
        return err->rc;
    }
    *out = canned_info();
    return KC_OK;
}

static void instance(struct herder_instance_status *st, int id, enum herder_state s,
                     const char *trace, const char *version)
{
    st->id = id;
    st->state = s;
    st->worker_id = kc_strdup("h:8083");
    st->trace = trace ? kc_strdup(trace) : NULL;
    st->version = version ? kc_strdup(version) : NULL;
}

static struct herder_connector_status *canned_status(void)
{
    struct herder_connector_status *cs = kc_calloc(1, sizeof(*cs));
    cs->name = kc_strdup("sink-a");
    instance(&cs->connector, -1, HERDER_STATE_RUNNING, NULL, "4.1.0");
    cs->tasks = kc_calloc(2, sizeof(*cs->tasks));
    cs->n_tasks = 2;
    instance(&cs->tasks[0], 0, HERDER_STATE_FAILED, "trace\nline", "4.1.0");
    instance(&cs->tasks[1], 1, HERDER_STATE_RUNNING, "", NULL);
    cs->type = "sink";
    return cs;
}

int herder_connector_status(struct herder *h, const char *name,
                            struct herder_connector_status **out, struct kc_error *err)
{
    (void)h;
    *out = NULL;
    if (strcmp(name, "sink-a") != 0) {
        return kc_error_set(err, KC_ENOENT, "No status found for connector %s", name);
    }
    *out = canned_status();
    return KC_OK;
}

int herder_task_status(struct herder *h, const char *name, int task,
                       struct herder_instance_status *out, struct kc_error *err)
{
    (void)h;
    if (strcmp(name, "sink-a") != 0 || task < 0 || task > 1) {
        return kc_error_set(err, KC_ENOENT, "No status found for task %s-%d", name, task);
    }
    instance(out, task, task == 0 ? HERDER_STATE_FAILED : HERDER_STATE_RUNNING,
             task == 0 ? "trace\nline" : NULL, task == 0 ? "4.1.0" : NULL);
    return KC_OK;
}

int herder_task_configs(struct herder *h, const char *name, struct herder_task_configs **out,
                        struct kc_error *err)
{
    (void)h;
    *out = NULL;
    if (known(name, err) != KC_OK) {
        return err->rc;
    }
    struct herder_task_configs *tc = kc_calloc(1, sizeof(*tc));
    tc->tasks = kc_calloc(1, sizeof(*tc->tasks));
    tc->n = 1;
    kc_strmap_init(&tc->tasks[0]);
    kc_strmap_set(&tc->tasks[0], "k", "v");
    *out = tc;
    return KC_OK;
}

int herder_connector_put(struct herder *h, const char *name, const struct kc_strmap *config,
                         int allow_replace, const enum herder_target_state *initial_state,
                         int *created, struct herder_connector_info **out, struct kc_error *err)
{
    (void)h;
    *out = NULL;
    kc_strmap_fini(&fake_herder_last_put);
    for (size_t i = 0; i < config->n; i++) {
        kc_strmap_set(&fake_herder_last_put, config->e[i].key, config->e[i].value);
    }
    snprintf(fake_herder_last_put_name, sizeof(fake_herder_last_put_name), "%s", name);
    fake_herder_last_put_state = initial_state ? (int)*initial_state : -1;
    fake_herder_last_put_replace = allow_replace;
    if (fake_herder_put_rc != KC_OK) {
        return kc_error_set(err, fake_herder_put_rc, "%s", fake_herder_put_msg);
    }
    *created = fake_herder_created;
    *out = canned_info();
    return KC_OK;
}

/* Merge like the real herder, then hand the result to the fake put (which records it). */
int herder_connector_patch(struct herder *h, const char *name, const struct kc_strmap *patch,
                           struct herder_connector_info **out, struct kc_error *err)
{
    struct herder_connector_info *cur = NULL;
    int created = 0, rc = herder_connector_info(h, name, &cur, err);
    if (rc != KC_OK) {
        return rc;
    }
    for (size_t i = 0; i < patch->n; i++) {
        if (patch->e[i].value == NULL) {
            kc_strmap_del(&cur->config, patch->e[i].key);
        } else {
            kc_strmap_set(&cur->config, patch->e[i].key, patch->e[i].value);
        }
    }
    rc = herder_connector_put(h, name, &cur->config, 1, NULL, &created, out, err);
    herder_connector_info_free(cur);
    return rc;
}

int herder_connector_delete(struct herder *h, const char *name, struct kc_error *err)
{
    (void)h;
    return known(name, err);
}

int herder_connector_target(struct herder *h, const char *name, enum herder_target_state ts,
                            struct kc_error *err)
{
    (void)h;
    (void)ts;
    if (strcmp(name, "sink-a") != 0) {
        return kc_error_set(err, KC_ENOENT, "Unknown connector %s", name);
    }
    return KC_OK;
}

int herder_connector_restart(struct herder *h, const char *name, int include_tasks,
                             int only_failed, struct herder_connector_status **out,
                             struct kc_error *err)
{
    (void)h;
    *out = NULL;
    if (strcmp(name, "sink-a") != 0) {
        return kc_error_set(err, KC_ENOENT, "Unknown connector: %s", name);
    }
    if (include_tasks || only_failed) {
        *out = canned_status();
    }
    return KC_OK;
}

int herder_task_restart(struct herder *h, const char *name, int task, struct kc_error *err)
{
    (void)h;
    if (strcmp(name, "sink-a") != 0) {
        return kc_error_set(err, KC_ENOENT, "Unknown connector: %s", name);
    }
    (void)task;
    return KC_OK;
}

int herder_connector_topics(struct herder *h, const char *name, char ***topics, size_t *n,
                            struct kc_error *err)
{
    (void)h;
    if (known(name, err) != KC_OK) {
        return err->rc;
    }
    *topics = kc_calloc(2, sizeof(char *));
    (*topics)[0] = kc_strdup("a");
    (*topics)[1] = kc_strdup("b");
    *n = 2;
    return KC_OK;
}

int herder_connector_topics_reset(struct herder *h, const char *name, struct kc_error *err)
{
    (void)h;
    return known(name, err);
}

int herder_connector_offsets(struct herder *h, const char *name, struct herder_offsets *out,
                             struct kc_error *err)
{
    (void)h;
    if (known(name, err) != KC_OK) {
        return err->rc;
    }
    out->o = kc_calloc(1, sizeof(*out->o));
    out->o[0].topic = kc_strdup("t");
    out->o[0].partition = 0;
    out->o[0].offset = 5;
    out->n = 1;
    return KC_OK;
}

int herder_connector_offsets_alter(struct herder *h, const char *name,
                                   const struct herder_offsets *os, struct kc_error *err)
{
    (void)h;
    if (known(name, err) != KC_OK) {
        return err->rc;
    }
    herder_offsets_fini(&fake_herder_last_alter);
    fake_herder_last_alter.o = kc_calloc(os->n + 1, sizeof(*os->o));
    for (size_t i = 0; i < os->n; i++) {
        fake_herder_last_alter.o[i] = os->o[i];
        fake_herder_last_alter.o[i].topic = kc_strdup(os->o[i].topic);
    }
    fake_herder_last_alter.n = os->n;
    return KC_OK;
}

int herder_connector_offsets_reset(struct herder *h, const char *name, struct kc_error *err)
{
    (void)h;
    return known(name, err);
}

int herder_logger_cluster(struct herder *h, const char *ns, const char *level,
                          struct kc_error *err)
{
    (void)h;
    (void)ns;
    (void)level;
    (void)err;
    return KC_OK;
}

/* The worker group: the fake is its own leader, in the sessioned protocol with no key it can
 * verify against (so a signed request is a 403, an unsigned one a 400). */
int herder_request_target(struct herder *h, int forward, char **url, struct kc_error *err)
{
    (void)h;
    (void)forward;
    (void)err;
    *url = NULL;
    return 0;
}

int herder_internal_verify(struct herder *h, const char *body, size_t len, const char *signature,
                           const char *algorithm, struct kc_error *err)
{
    (void)h;
    (void)body;
    (void)len;
    (void)algorithm;
    if (signature == NULL) {
        return kc_error_set(err, KC_EINVAL, "Internal request missing required signature");
    }
    return kc_error_set(err, KC_EPERM, "Internal request contained invalid signature.");
}

int herder_task_configs_put(struct herder *h, const char *name, const struct kc_strmap *tasks,
                            int n, struct kc_error *err)
{
    (void)h;
    (void)tasks;
    (void)n;
    return known(name, err);
}
