/*
 * rest/rest_connectors.c: the /connectors resource (ConnectorsResource in the JVM): list,
 * create, info, config get/put/patch, status, restart, pause/resume/stop, delete, tasks, task
 * status/restart, topics and offsets.
 *
 * Each handler parses and validates what the JVM's resource method checks itself, calls one
 * herder.h function, and renders the JVM entity. Herder errors map as KC_ENOENT 404, KC_EEXIST
 * 409, KC_EINVAL 400, KC_RETRY 409, else 500, with err.msg as the message (the herder writes the
 * JVM's words). Messages written here are the JVM resource's own (observed on 4.1.0).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "herder.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_text.h"
#include "rest_int.h"
#include "rest_reply.h"

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(names[i]);
    }
    kc_free(names);
}

/* Integer.valueOf for the {task} path parameter; -1 when it is not an int (the JVM then has no
 * matching resource method and answers 404 "HTTP 404 Not Found"). */
static int parse_task_id(const char *s, int *out)
{
    int64_t v;
    if (kc_parse_java_int(s, strlen(s), INT32_MIN, INT32_MAX, &v) != 0) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Location: the JVM resolves "/connectors/<name>" against the request's base URI
 * (http[s]://<Host header>/), with UriBuilder.path() encoding of the name. */
static char *location_for(const struct rest_ctx *ctx, const struct rest_request *rq,
                          const char *name)
{
    char *enc = rest_path_encode(name);
    char *loc = NULL;
    if (enc == NULL) {
        return NULL;
    }
    if (rq->host != NULL && rq->host[0] != '\0') {
        loc = kc_asprintf("%s://%s/connectors/%s", rq->https ? "https" : "http", rq->host, enc);
    } else {
        loc = kc_asprintf("%s/connectors/%s", ctx->advertised_base, enc);
    }
    kc_free(enc);
    return loc;
}

/* ConnectorsResource.checkAndPutConnectorConfigName */
static int check_and_put_name(const char *name, struct kc_strmap *cfg, struct rest_response *rs)
{
    const char *included = kc_strmap_get(cfg, "name");
    if (included != NULL) {
        if (strcmp(included, name) != 0) {
            char *msg = kc_asprintf("Connector name configuration (%s) doesn't match connector "
                                    "name in the URL (%s)",
                                    included, name);
            rest_respond_error(rs, 400, msg ? msg : "out of memory");
            kc_free(msg);
            return -1;
        }
        return 0;
    }
    if (kc_strmap_set(cfg, "name", name) != KC_OK) {
        rest_respond_error(rs, 500, "out of memory");
        return -1;
    }
    return 0;
}

/* ---- GET /connectors ---- */

static json_t *expansions_for(const struct rest_ctx *ctx, const struct rest_request *rq,
                              const char *name, int *skip, struct kc_error *err)
{
    /* connectorExpansions is a HashMap: "status"/"info" in Java iteration order */
    const char *keys[2];
    json_t *vals[2] = {NULL, NULL};
    size_t nk = 0;
    json_t *o = json_object();
    *skip = 0;
    if (o == NULL) {
        kc_error_set(err, KC_ENOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < rq->query.n; i++) {
        if (strcmp(rq->query.name[i], "expand") != 0) {
            continue;
        }
        const char *ex = rq->query.value[i];
        int is_status = strcmp(ex, "status") == 0, is_info = strcmp(ex, "info") == 0;
        if (!is_status && !is_info) {
            kc_log(KC_LOG_INFO, "rest", "Ignoring unknown expansion type %s", ex);
            continue;
        }
        json_t *v = NULL;
        int rc;
        if (is_status) {
            struct herder_connector_status *cs = NULL;
            rc = herder_connector_status(ctx->h, name, &cs, err);
            if (rc == KC_OK) {
                v = rest_reply_connector_status(cs);
            }
            herder_connector_status_free(cs);
        } else {
            struct herder_connector_info *ci = NULL;
            rc = herder_connector_info(ctx->h, name, &ci, err);
            if (rc == KC_OK) {
                v = rest_reply_connector_info(ci, REST_ORDER_JAVA_HASHMAP);
            }
            herder_connector_info_free(ci);
        }
        if (rc == KC_ENOENT) {
            *skip = 1; /* removed (or no status yet) while we looked: left out, as the JVM does */
            goto fail;
        }
        if (rc != KC_OK || v == NULL) {
            if (rc == KC_OK) {
                kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            json_decref(v);
            goto fail;
        }
        const char *key = is_status ? "status" : "info";
        size_t slot = nk;
        for (size_t k = 0; k < nk; k++) {
            if (strcmp(keys[k], key) == 0) {
                slot = k;
            }
        }
        if (slot == nk) {
            keys[nk++] = key;
        } else {
            json_decref(vals[slot]);
        }
        vals[slot] = v;
    }
    size_t order[2];
    kc_jmap_order(keys, nk, 16, order);
    for (size_t k = 0; k < nk; k++) {
        if (json_object_set_new(o, keys[order[k]], vals[order[k]]) != 0) {
            vals[order[k]] = NULL;
            goto fail;
        }
        vals[order[k]] = NULL;
    }
    return o;
fail:
    json_decref(vals[0]);
    json_decref(vals[1]);
    json_decref(o);
    return NULL;
}

void rest_h_connectors_list(const struct rest_ctx *ctx, const struct rest_request *rq,
                            struct rest_response *rs)
{
    struct kc_error err;
    char **names = NULL;
    size_t n = 0;
    size_t *order = NULL;
    json_t *out = NULL;
    json_t **vals = NULL;

    kc_error_clear(&err);
    if (herder_connectors_list(ctx->h, &names, &n, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    order = kc_calloc(n + 1, sizeof(*order));
    vals = kc_calloc(n + 1, sizeof(*vals));
    if (order == NULL || vals == NULL) {
        rest_respond_error(rs, 500, "out of memory");
        goto out;
    }
    if (rest_query_get(&rq->query, "expand") == NULL) {
        /* the herder's names come from a HashMap key set (copied per snapshot) */
        kc_jmap_order((const char *const *)names, n, kc_jmap_table_size(n, 1), order);
        out = json_array();
        for (size_t i = 0; out != NULL && i < n; i++) {
            if (json_array_append_new(out, json_string(names[order[i]])) != 0) {
                json_decref(out);
                out = NULL;
            }
        }
        rest_respond_json(rs, 200, out);
        goto out;
    }
    size_t kept = 0;
    const char **knames = kc_calloc(n + 1, sizeof(*knames));
    if (knames == NULL) {
        rest_respond_error(rs, 500, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int skip = 0;
        json_t *e = expansions_for(ctx, rq, names[i], &skip, &err);
        if (e == NULL && !skip) {
            for (size_t k = 0; k < kept; k++) {
                json_decref(vals[k]);
            }
            kc_free(knames);
            rest_respond_herder(rs, &err);
            goto out;
        }
        if (e != NULL) {
            knames[kept] = names[i];
            vals[kept] = e;
            kept++;
        }
    }
    /* out is a HashMap<String, Map>: Java iteration order */
    kc_jmap_order(knames, kept, kc_jmap_table_size(kept, 0), order);
    out = json_object();
    for (size_t k = 0; k < kept; k++) {
        size_t i = order[k];
        if (out != NULL && json_object_set_new(out, knames[i], vals[i]) != 0) {
            json_decref(out);
            out = NULL;
        } else if (out == NULL) {
            json_decref(vals[i]);
        }
        vals[i] = NULL;
    }
    kc_free(knames);
    rest_respond_json(rs, 200, out);
out:
    kc_free(vals);
    kc_free(order);
    free_names(names, n);
}

/* ---- POST /connectors ---- */

void rest_h_connector_create(const struct rest_ctx *ctx, const struct rest_request *rq,
                             struct rest_response *rs)
{
    struct kc_error err;
    struct rest_create_body cb;
    struct herder_connector_info *ci = NULL;
    struct rest_body body;
    int status = 500, created = 0;

    kc_error_clear(&err);
    rest_create_body_init(&cb);
    if (rest_body_read_shaped(&body, rq->body, rq->body_len, REST_BODY_CREATE, &status,
                              &err) != KC_OK ||
        rest_create_body_parse(&body, &cb, &status, &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    if (check_and_put_name(cb.name, &cb.config, rs) != 0) {
        goto out;
    }
    if (herder_connector_put(ctx->h, cb.name, &cb.config, 0, cb.has_state ? &cb.state : NULL,
                             &created, &ci, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        goto out;
    }
    rs->location = location_for(ctx, rq, cb.name);
    rest_respond_json(rs, 201, rest_reply_connector_info(ci, REST_ORDER_INSERTION));
out:
    herder_connector_info_free(ci);
    rest_create_body_fini(&cb);
    rest_body_fini(&body);
}

/* ---- /connectors/{c} ---- */

void rest_h_connector_get(const struct rest_ctx *ctx, const struct rest_request *rq,
                          struct rest_response *rs)
{
    struct kc_error err;
    struct herder_connector_info *ci = NULL;
    kc_error_clear(&err);
    if (herder_connector_info(ctx->h, rq->params[0], &ci, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_connector_info(ci, REST_ORDER_JAVA_HASHMAP));
    }
    herder_connector_info_free(ci);
}

void rest_h_connector_delete(const struct rest_ctx *ctx, const struct rest_request *rq,
                             struct rest_response *rs)
{
    struct kc_error err;
    kc_error_clear(&err);
    if (herder_connector_delete(ctx->h, rq->params[0], &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    rest_respond_empty(rs, 204);
}

void rest_h_config_get(const struct rest_ctx *ctx, const struct rest_request *rq,
                       struct rest_response *rs)
{
    struct kc_error err;
    struct herder_connector_info *ci = NULL;
    kc_error_clear(&err);
    if (herder_connector_info(ctx->h, rq->params[0], &ci, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_config(&ci->config, REST_ORDER_JAVA_HASHMAP));
    }
    herder_connector_info_free(ci);
}

void rest_h_config_put(const struct rest_ctx *ctx, const struct rest_request *rq,
                       struct rest_response *rs)
{
    struct kc_error err;
    struct kc_strmap cfg;
    struct herder_connector_info *ci = NULL;
    struct rest_body body;
    int status = 500, created = 0;

    kc_error_clear(&err);
    kc_strmap_init(&cfg);
    if (rest_body_read_shaped(&body, rq->body, rq->body_len, REST_BODY_MAP, &status,
                              &err) != KC_OK ||
        rest_config_body_parse(&body, "connectorConfig", &cfg, &status, &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    if (check_and_put_name(rq->params[0], &cfg, rs) != 0) {
        goto out;
    }
    if (herder_connector_put(ctx->h, rq->params[0], &cfg, 1, NULL, &created, &ci, &err) !=
        KC_OK) {
        rest_respond_herder(rs, &err);
        goto out;
    }
    if (created) {
        rs->location = location_for(ctx, rq, rq->params[0]);
    }
    rest_respond_json(rs, created ? 201 : 200,
                      rest_reply_connector_info(ci, REST_ORDER_INSERTION));
out:
    herder_connector_info_free(ci);
    kc_strmap_fini(&cfg);
    rest_body_fini(&body);
}

/*
 * PATCH: the JVM merges on the herder thread (ConnectUtils.patchConfig: a HashMap copy, null
 * removes, anything else replaces) and validates like PUT; herder_connector_patch does the same
 * in one herder step. The existence check comes first, as the JVM's 404 precedes its
 * null-patch failure.
 */
void rest_h_config_patch(const struct rest_ctx *ctx, const struct rest_request *rq,
                         struct rest_response *rs)
{
    struct kc_error err;
    struct kc_strmap patch;
    struct herder_connector_info *cur = NULL, *ci = NULL;
    struct rest_body body;
    int status = 500;

    kc_error_clear(&err);
    kc_strmap_init(&patch);
    if (rest_body_read_shaped(&body, rq->body, rq->body_len, REST_BODY_MAP, &status,
                              &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    int null_patch = !body.jr.has_error && (body.jr.root == NULL || json_is_null(body.jr.root));
    if (!null_patch &&
        rest_config_body_parse(&body, "connectorConfigPatch", &patch, &status, &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    if (herder_connector_info(ctx->h, rq->params[0], &cur, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        goto out;
    }
    if (null_patch) {
        rest_respond_error(rs, 500,
                           "Cannot invoke \"java.util.Map.forEach(java.util.function.BiConsumer)\""
                           " because \"patch\" is null");
        goto out;
    }
    if (herder_connector_patch(ctx->h, rq->params[0], &patch, &ci, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        goto out;
    }
    rest_respond_json(rs, 200, rest_reply_connector_info(ci, REST_ORDER_JAVA_HASHMAP_COPY));
out:
    herder_connector_info_free(cur);
    herder_connector_info_free(ci);
    kc_strmap_fini(&patch);
    rest_body_fini(&body);
}

void rest_h_status(const struct rest_ctx *ctx, const struct rest_request *rq,
                   struct rest_response *rs)
{
    struct kc_error err;
    struct herder_connector_status *cs = NULL;
    kc_error_clear(&err);
    if (herder_connector_status(ctx->h, rq->params[0], &cs, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_connector_status(cs));
    }
    herder_connector_status_free(cs);
}

void rest_h_restart(const struct rest_ctx *ctx, const struct rest_request *rq,
                    struct rest_response *rs)
{
    struct kc_error err;
    struct herder_connector_status *cs = NULL;
    int include_tasks = rest_query_bool(&rq->query, "includeTasks", 0);
    int only_failed = rest_query_bool(&rq->query, "onlyFailed", 0);
    kc_error_clear(&err);
    if (herder_connector_restart(ctx->h, rq->params[0], include_tasks, only_failed, &cs, &err) !=
        KC_OK) {
        rest_respond_herder(rs, &err);
    } else if (cs == NULL) {
        rest_respond_empty(rs, 204);
    } else {
        rest_respond_json(rs, 202, rest_reply_connector_status(cs));
    }
    herder_connector_status_free(cs);
}

static void target(const struct rest_ctx *ctx, const struct rest_request *rq,
                   struct rest_response *rs, enum herder_target_state ts, int ok_status)
{
    struct kc_error err;
    kc_error_clear(&err);
    if (herder_connector_target(ctx->h, rq->params[0], ts, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    rest_respond_empty(rs, ok_status);
}

void rest_h_pause(const struct rest_ctx *ctx, const struct rest_request *rq,
                  struct rest_response *rs)
{
    target(ctx, rq, rs, HERDER_TARGET_PAUSED, 202);
}

void rest_h_resume(const struct rest_ctx *ctx, const struct rest_request *rq,
                   struct rest_response *rs)
{
    target(ctx, rq, rs, HERDER_TARGET_STARTED, 202);
}

void rest_h_stop(const struct rest_ctx *ctx, const struct rest_request *rq,
                 struct rest_response *rs)
{
    target(ctx, rq, rs, HERDER_TARGET_STOPPED, 204);
}

/* ---- tasks ---- */

void rest_h_tasks(const struct rest_ctx *ctx, const struct rest_request *rq,
                  struct rest_response *rs)
{
    struct kc_error err;
    struct herder_task_configs *tc = NULL;
    kc_error_clear(&err);
    if (herder_task_configs(ctx->h, rq->params[0], &tc, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_task_infos(rq->params[0], tc));
    }
    herder_task_configs_free(tc);
}

/*
 * GET tasks-config: deprecated in 3.7 and gone from the 4.1 JVM (404 "HTTP 404 Not Found");
 * kept here because older notebooks call it (connect-compat.md: keep serving it).
 */
void rest_h_tasks_config(const struct rest_ctx *ctx, const struct rest_request *rq,
                         struct rest_response *rs)
{
    struct kc_error err;
    struct herder_task_configs *tc = NULL;
    kc_error_clear(&err);
    if (herder_task_configs(ctx->h, rq->params[0], &tc, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_tasks_config(rq->params[0], tc));
    }
    herder_task_configs_free(tc);
}

/*
 * The internal endpoints (worker -> leader task configs, zombie fencing) first check the request
 * signature (sessioned protocol), as the JVM does: none -> 400 "Internal request missing required
 * signature" (observed for both on 4.1.0). This worker holds no session key, so a signed request
 * can never verify: 403 as for a bad signature.
 */
static void internal_request(const struct rest_request *rq, struct rest_response *rs)
{
    if (rq->signature == NULL) {
        rest_respond_error(rs, 400, "Internal request missing required signature");
    } else {
        rest_respond_error(rs, 403, "Internal request contained invalid signature.");
    }
}

/*
 * POST /connectors/{c}/tasks (§2.4): task configs a worker's connector generated, sent to the
 * leader (rest_dispatch forwarded it here if we are not). Signed in the sessioned protocol; a
 * body that is not a JSON array of string maps is a 400.
 */
void rest_h_tasks_post(const struct rest_ctx *ctx, const struct rest_request *rq,
                       struct rest_response *rs)
{
    struct kc_error err;
    kc_error_clear(&err);
    int rc = herder_internal_verify(ctx->h, rq->body, rq->body_len, rq->signature,
                                    rq->signature_algorithm, &err);
    if (rc != KC_OK) {
        rest_respond_error(rs, rc == KC_RETRY ? 503 : rest_reply_status_for_rc(rc), err.msg);
        return;
    }
    json_t *j = rq->body != NULL ? json_loadb(rq->body, rq->body_len, 0, NULL) : NULL;
    if (!json_is_array(j)) {
        json_decref(j);
        rest_respond_error(rs, 400, "Task configs must be a JSON array of objects");
        return;
    }
    size_t n = json_array_size(j);
    struct kc_strmap *tasks = kc_calloc(n + 1, sizeof(*tasks));
    int bad = tasks == NULL;
    for (size_t i = 0; !bad && i < n; i++) {
        json_t *o = json_array_get(j, i);
        const char *k;
        json_t *v;
        kc_strmap_init(&tasks[i]);
        if (!json_is_object(o)) {
            bad = 1;
            break;
        }
        json_object_foreach(o, k, v)
        {
            if (!json_is_string(v) && !json_is_null(v)) {
                bad = 1;
                break;
            }
            kc_strmap_set(&tasks[i], k, json_string_value(v));
        }
    }
    if (bad) {
        rest_respond_error(rs, 400, "Task configs must be a JSON array of objects");
    } else if (herder_task_configs_put(ctx->h, rq->params[0], tasks, (int)n, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_empty(rs, 204);
    }
    for (size_t i = 0; tasks != NULL && i < n; i++) {
        kc_strmap_fini(&tasks[i]);
    }
    kc_free(tasks);
    json_decref(j);
}

void rest_h_task_status(const struct rest_ctx *ctx, const struct rest_request *rq,
                        struct rest_response *rs)
{
    struct kc_error err;
    struct herder_instance_status st;
    int task;
    memset(&st, 0, sizeof(st));
    kc_error_clear(&err);
    if (parse_task_id(rq->params[1], &task) != 0) {
        rest_respond_error(rs, 404, "HTTP 404 Not Found");
        return;
    }
    if (herder_task_status(ctx->h, rq->params[0], task, &st, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_instance_status(&st, 1));
    }
    herder_instance_status_fini(&st);
}

void rest_h_task_restart(const struct rest_ctx *ctx, const struct rest_request *rq,
                         struct rest_response *rs)
{
    struct kc_error err;
    int task;
    kc_error_clear(&err);
    if (parse_task_id(rq->params[1], &task) != 0) {
        rest_respond_error(rs, 404, "HTTP 404 Not Found");
        return;
    }
    /* In a group the task's owner restarts it (the JVM's NotAssignedException carries the
     * owner's URL): the owner is the worker_id of its status. */
    const char *fw = rest_query_get(&rq->query, "forward");
    int forward = fw == NULL ? -1 : rest_query_bool(&rq->query, "forward", 1);
    struct herder_instance_status st;
    memset(&st, 0, sizeof(st));
    if (forward != 0 && herder_task_status(ctx->h, rq->params[0], task, &st, &err) == KC_OK &&
        st.worker_id != NULL && herder_worker_id(ctx->h) != NULL &&
        strcmp(st.worker_id, herder_worker_id(ctx->h)) != 0 &&
        st.state != HERDER_STATE_UNASSIGNED) {
        char *owner = kc_asprintf("%s://%s/", ctx->scheme, st.worker_id);
        herder_instance_status_fini(&st);
        if (owner == NULL) {
            rest_respond_error(rs, 500, "out of memory");
            return;
        }
        rest_forward(ctx, rq, owner, forward == -1, rs);
        kc_free(owner);
        return;
    }
    herder_instance_status_fini(&st);
    kc_error_clear(&err);
    if (herder_task_restart(ctx->h, rq->params[0], task, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    rest_respond_empty(rs, 204);
}

/* Zombie fencing is for exactly-once sources; every connector here is a sink. */
void rest_h_fence(const struct rest_ctx *ctx, const struct rest_request *rq,
                  struct rest_response *rs)
{
    (void)ctx;
    internal_request(rq, rs);
}

/* ---- topics ---- */

void rest_h_topics(const struct rest_ctx *ctx, const struct rest_request *rq,
                   struct rest_response *rs)
{
    struct kc_error err;
    char **topics = NULL;
    size_t n = 0;
    if (ctx->topic_tracking_disable) {
        rest_respond_error(rs, 403, "Topic tracking is disabled.");
        return;
    }
    kc_error_clear(&err);
    if (herder_connector_topics(ctx->h, rq->params[0], &topics, &n, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    json_t *arr = json_array();
    json_t *inner = json_object();
    json_t *out = json_object();
    for (size_t i = 0; arr != NULL && i < n; i++) {
        if (json_array_append_new(arr, json_string(topics[i])) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    if (arr == NULL || inner == NULL || out == NULL ||
        json_object_set_new(inner, "topics", arr) != 0) {
        json_decref(inner);
        json_decref(out);
        out = NULL;
    } else if (json_object_set_new(out, rq->params[0], inner) != 0) {
        json_decref(out);
        out = NULL;
    }
    rest_respond_json(rs, 200, out);
    free_names(topics, n);
}

void rest_h_topics_reset(const struct rest_ctx *ctx, const struct rest_request *rq,
                         struct rest_response *rs)
{
    struct kc_error err;
    if (ctx->topic_tracking_disable) {
        rest_respond_error(rs, 403, "Topic tracking is disabled.");
        return;
    }
    if (ctx->topic_tracking_reset_disable) {
        rest_respond_error(rs, 403, "Topic tracking reset is disabled.");
        return;
    }
    kc_error_clear(&err);
    if (herder_connector_topics_reset(ctx->h, rq->params[0], &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    rest_respond_empty(rs, 202);
}

/* ---- offsets ---- */

void rest_h_offsets_get(const struct rest_ctx *ctx, const struct rest_request *rq,
                        struct rest_response *rs)
{
    struct kc_error err;
    struct herder_offsets os = {NULL, 0};
    kc_error_clear(&err);
    if (herder_connector_offsets(ctx->h, rq->params[0], &os, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
    } else {
        rest_respond_json(rs, 200, rest_reply_offsets(&os));
    }
    herder_offsets_fini(&os);
}

static void respond_message(struct rest_response *rs, const char *msg)
{
    json_t *o = json_object();
    if (o != NULL && json_object_set_new(o, "message", json_string(msg)) != 0) {
        json_decref(o);
        o = NULL;
    }
    rest_respond_json(rs, 200, o);
}

void rest_h_offsets_patch(const struct rest_ctx *ctx, const struct rest_request *rq,
                          struct rest_response *rs)
{
    struct kc_error err, err2;
    struct herder_offsets os = {NULL, 0};
    struct rest_body body;
    int status = 500;

    kc_error_clear(&err);
    if (rest_body_read_shaped(&body, rq->body, rq->body_len, REST_BODY_OFFSETS, &status,
                              &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    if (rest_offsets_body_parse(&body, &os, &status, &err) != KC_OK) {
        /* The JVM checks the entries' shape on the herder side, after "unknown connector" and
         * "not stopped": let a missing connector win over a malformed entry. */
        if (status == 400 && strncmp(err.msg, "Partitions / offsets", 20) != 0) {
            struct herder_connector_info *ci = NULL;
            kc_error_clear(&err2);
            if (herder_connector_info(ctx->h, rq->params[0], &ci, &err2) == KC_ENOENT) {
                rest_respond_herder(rs, &err2);
                goto out;
            }
            herder_connector_info_free(ci);
        }
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    if (herder_connector_offsets_alter(ctx->h, rq->params[0], &os, &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        goto out;
    }
    respond_message(rs, "The offsets for this connector have been altered successfully");
out:
    herder_offsets_fini(&os);
    rest_body_fini(&body);
}

void rest_h_offsets_delete(const struct rest_ctx *ctx, const struct rest_request *rq,
                           struct rest_response *rs)
{
    struct kc_error err;
    kc_error_clear(&err);
    if (herder_connector_offsets_reset(ctx->h, rq->params[0], &err) != KC_OK) {
        rest_respond_herder(rs, &err);
        return;
    }
    respond_message(rs, "The offsets for this connector have been reset successfully");
}
