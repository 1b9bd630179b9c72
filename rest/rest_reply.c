/*
 * rest/rest_reply.c: builds the JVM-shaped JSON entities (see rest_reply.h for the field orders,
 * which were checked against a live 4.1.0 worker) and maps herder return codes to HTTP statuses.
 * jansson keeps object keys in insertion order, so building in the JVM's order is enough.
 */
#include "rest_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "kc_error.h"
#include "rest_int.h"

/* json_object_set_new that tolerates a NULL value (allocation failure) by failing. */
static int set_new(json_t *o, const char *k, json_t *v)
{
    if (o == NULL || v == NULL) {
        json_decref(v);
        return -1;
    }
    return json_object_set_new(o, k, v);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *rest_reply_config(const struct kc_strmap *m, enum rest_map_order ord)
{
    json_t *o = json_object();
    size_t *order = NULL;
    if (o == NULL) {
        return NULL;
    }
    if (ord != REST_ORDER_INSERTION) {
        order = kc_jmap_strmap_order(m, ord == REST_ORDER_JAVA_HASHMAP_COPY);
        if (order == NULL) {
            json_decref(o);
            return NULL;
        }
    }
    for (size_t k = 0; k < m->n; k++) {
        size_t i = order ? order[k] : k;
        if (set_new(o, m->e[i].key, str_or_null(m->e[i].value)) != 0) {
            json_decref(o);
            o = NULL;
            break;
        }
    }
    kc_free(order);
    return o;
}

static json_t *task_id(const char *connector, int task)
{
    json_t *o = json_object();
    if (set_new(o, "connector", json_string(connector)) != 0 ||
        set_new(o, "task", json_integer(task)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *rest_reply_connector_info(const struct herder_connector_info *ci,
                                  enum rest_map_order ord)
{
    json_t *o = json_object();
    json_t *tasks = json_array();
    if (o == NULL || tasks == NULL) {
        goto fail;
    }
    for (int i = 0; i < ci->n_tasks; i++) {
        json_t *t = task_id(ci->name, i);
        if (t == NULL || json_array_append_new(tasks, t) != 0) {
            goto fail;
        }
    }
    if (set_new(o, "name", json_string(ci->name)) != 0 ||
        set_new(o, "config", rest_reply_config(&ci->config, ord)) != 0) {
        goto fail;
    }
    if (set_new(o, "tasks", tasks) != 0) {
        tasks = NULL;
        goto fail;
    }
    tasks = NULL;
    if (set_new(o, "type", json_string(ci->type ? ci->type : "unknown")) != 0) {
        goto fail;
    }
    return o;
fail:
    json_decref(tasks);
    json_decref(o);
    return NULL;
}

json_t *rest_reply_instance_status(const struct herder_instance_status *st, int is_task)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    if (is_task && set_new(o, "id", json_integer(st->id)) != 0) {
        goto fail;
    }
    if (set_new(o, "state", json_string(herder_state_name(st->state))) != 0 ||
        set_new(o, "worker_id", str_or_null(st->worker_id)) != 0 ||
        set_new(o, "version", str_or_null(st->version)) != 0) {
        goto fail;
    }
    /* @JsonInclude(NON_EMPTY): no trace key at all when null or "" */
    if (st->trace != NULL && st->trace[0] != '\0' &&
        set_new(o, "trace", json_string(st->trace)) != 0) {
        goto fail;
    }
    return o;
fail:
    json_decref(o);
    return NULL;
}

json_t *rest_reply_connector_status(const struct herder_connector_status *cs)
{
    json_t *o = json_object();
    json_t *tasks = json_array();
    if (o == NULL || tasks == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < cs->n_tasks; i++) {
        json_t *t = rest_reply_instance_status(&cs->tasks[i], 1);
        if (t == NULL || json_array_append_new(tasks, t) != 0) {
            goto fail;
        }
    }
    if (set_new(o, "name", json_string(cs->name)) != 0 ||
        set_new(o, "connector", rest_reply_instance_status(&cs->connector, 0)) != 0) {
        goto fail;
    }
    if (set_new(o, "tasks", tasks) != 0) {
        tasks = NULL;
        goto fail;
    }
    tasks = NULL;
    if (set_new(o, "type", json_string(cs->type ? cs->type : "unknown")) != 0) {
        goto fail;
    }
    return o;
fail:
    json_decref(tasks);
    json_decref(o);
    return NULL;
}

json_t *rest_reply_task_infos(const char *connector, const struct herder_task_configs *tc)
{
    json_t *arr = json_array();
    if (arr == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < tc->n; i++) {
        json_t *o = json_object();
        if (set_new(o, "id", task_id(connector, (int)i)) != 0 ||
            set_new(o, "config", rest_reply_config(&tc->tasks[i], REST_ORDER_JAVA_HASHMAP)) != 0 ||
            json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *rest_reply_tasks_config(const char *connector, const struct herder_task_configs *tc)
{
    json_t *o = json_object();
    if (o == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < tc->n; i++) {
        /* ConnectorTaskId.toString(): "<connector>-<task>", however long the name is */
        char *key = kc_asprintf("%s-%zu", connector, i);
        if (key == NULL ||
            set_new(o, key, rest_reply_config(&tc->tasks[i], REST_ORDER_JAVA_HASHMAP)) != 0) {
            kc_free(key);
            json_decref(o);
            return NULL;
        }
        kc_free(key);
    }
    return o;
}

json_t *rest_reply_offsets(const struct herder_offsets *os)
{
    json_t *o = json_object();
    json_t *arr = json_array();
    if (o == NULL || arr == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < os->n; i++) {
        json_t *e = json_object();
        json_t *part = json_object();
        json_t *off = json_object();
        /* the JVM's partition map is a HashMap: "kafka_partition" iterates first (observed) */
        if (set_new(part, "kafka_partition", json_integer(os->o[i].partition)) != 0 ||
            set_new(part, "kafka_topic", json_string(os->o[i].topic)) != 0 ||
            set_new(off, "kafka_offset", json_integer(os->o[i].offset)) != 0) {
            json_decref(e);
            json_decref(part);
            json_decref(off);
            goto fail;
        }
        if (set_new(e, "partition", part) != 0) {
            json_decref(off);
            json_decref(e);
            goto fail;
        }
        if (set_new(e, "offset", off) != 0 || json_array_append_new(arr, e) != 0) {
            json_decref(e);
            goto fail;
        }
    }
    if (set_new(o, "offsets", arr) != 0) {
        arr = NULL;
        goto fail;
    }
    return o;
fail:
    json_decref(arr);
    json_decref(o);
    return NULL;
}

json_t *rest_reply_error(int code, const char *message)
{
    json_t *o = json_object();
    if (set_new(o, "error_code", json_integer(code)) != 0 ||
        set_new(o, "message", str_or_null(message)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *rest_reply_dump(const json_t *j)
{
    /* JSON_ENCODE_ANY: bare arrays/strings too. No JSON_ENSURE_ASCII (Jackson writes raw
     * UTF-8), no JSON_ESCAPE_SLASH (Jackson leaves '/'). */
    return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
}

int rest_reply_status_for_rc(int rc)
{
    switch (rc) {
    case KC_ENOENT:
        return 404;
    case KC_EEXIST:
        return 409;
    case KC_EPERM:
        return 403;
    case KC_EINVAL:
        return 400;
    case KC_RETRY:
        return 409;
    default:
        return 500;
    }
}

/* ---- filling a rest_response ---- */

void rest_respond_json(struct rest_response *rs, int status, json_t *j)
{
    char *body = j ? rest_reply_dump(j) : NULL;
    json_decref(j);
    if (body == NULL) {
        rest_respond_error(rs, 500, "out of memory");
        return;
    }
    free(rs->body);
    rs->status = status;
    rs->json = 1;
    rs->body = body;
    rs->body_len = strlen(body);
}

void rest_respond_error(struct rest_response *rs, int status, const char *msg)
{
    json_t *j = rest_reply_error(status, msg);
    free(rs->body);
    rs->body = j ? rest_reply_dump(j) : NULL;
    json_decref(j);
    rs->status = status;
    rs->json = 1;
    rs->body_len = rs->body ? strlen(rs->body) : 0;
}

void rest_respond_herder(struct rest_response *rs, const struct kc_error *err)
{
    rest_respond_error(rs, rest_reply_status_for_rc(err->rc), err->msg);
}

void rest_respond_empty(struct rest_response *rs, int status)
{
    free(rs->body);
    rs->body = NULL;
    rs->body_len = 0;
    rs->status = status;
    rs->json = 1; /* empty bodies carry no Content-Type (see send_response) */
}
