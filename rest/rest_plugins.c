/*
 * rest/rest_plugins.c: GET /connector-plugins, GET /connector-plugins/{p}/config and
 * PUT /connector-plugins/{p}/config/validate, backed by the static sink registry.
 *
 * JVM behaviours copied: plugins sorted by class name within a type, sinks first; "version"
 * omitted when the plugin has none; unknown plugin -> 404 "Unknown plugin <p>."; validate checks
 * "Included connector type X does not match request type Y" (400) in the resource, then the
 * herder's "contains no connector type", which reaches the client wrapped in an
 * ExecutionException: HTTP 500 and the message prefixed with the Java exception class (observed
 * on 4.1.0). Validation errors in the config itself still answer 200 with error_count > 0.
 */
#include <stdlib.h>
#include <string.h>

#include "kc_alloc.h"
#include "registry.h"
#include "rest_deps.h"
#include "conv.h"
#include "smt.h"
#include "rest_int.h"
#include "rest_reply.h"

static void add_plugin(json_t *arr, const char *cls, const char *type, const char *version)
{
    json_t *o = json_object();
    if (o == NULL) {
        return;
    }
    json_object_set_new(o, "class", json_string(cls));
    json_object_set_new(o, "type", json_string(type));
    if (version != NULL) {
        json_object_set_new(o, "version", json_string(version));
    }
    json_array_append_new(arr, o);
}

struct smt_entry {
    const char *cls, *version;
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct smt_entry *)a)->cls, ((const struct smt_entry *)b)->cls);
}

/* Transformations or predicates, sorted by class; version(i) NULL = the Kafka version. */
static void add_smts(json_t *arr, const char *(*get)(size_t), const char *(*version)(size_t),
                     const char *type)
{
    struct smt_entry e[64];
    size_t n = 0;
    while (n < 64 && (e[n].cls = get(n)) != NULL) {
        e[n].version = version != NULL ? version(n) : NULL;
        if (e[n].version == NULL) {
            e[n].version = CONV_PLUGIN_VERSION;
        }
        n++;
    }
    qsort(e, n, sizeof(e[0]), cmp_entry);
    for (size_t i = 0; i < n; i++) {
        add_plugin(arr, e[i].cls, type, e[i].version);
    }
}

/* Everything but connectors, in the JVM's order: transformations, predicates, then converters
 * and header converters, each sorted by class (conv_plugins' order). */
void rest_plugins_extra(json_t *arr)
{
    size_t n = 0;
    add_smts(arr, smt_transform_class, smt_transform_version, "transformation");
    add_smts(arr, smt_predicate_class, NULL, "predicate");
    const struct conv_plugin_desc *d = conv_plugins(&n);
    for (size_t i = 0; i < n; i++) {
        add_plugin(arr, d[i].class_name, d[i].type, d[i].version);
    }
}

static int cmp_ops(const void *a, const void *b)
{
    const struct sink_connector_ops *x = *(const struct sink_connector_ops *const *)a;
    const struct sink_connector_ops *y = *(const struct sink_connector_ops *const *)b;
    return strcmp(x->class_names[0], y->class_names[0]);
}

void rest_h_plugins_list(const struct rest_ctx *ctx, const struct rest_request *rq,
                         struct rest_response *rs)
{
    (void)ctx;
    size_t n = sink_registry_count();
    const struct sink_connector_ops **ops = kc_calloc(n + 1, sizeof(*ops));
    json_t *arr = json_array();
    if (ops == NULL || arr == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        ops[i] = sink_registry_get(i);
    }
    qsort(ops, n, sizeof(*ops), cmp_ops);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        if (o == NULL || json_object_set_new(o, "class", json_string(ops[i]->class_names[0])) ||
            json_object_set_new(o, "type", json_string("sink")) ||
            (ops[i]->plugin_version != NULL && strcmp(ops[i]->plugin_version, "undefined") != 0 &&
             json_object_set_new(o, "version", json_string(ops[i]->plugin_version))) ||
            json_array_append_new(arr, o)) {
            json_decref(o);
            goto fail;
        }
    }
    if (!rest_query_bool(&rq->query, "connectorsOnly", 1)) {
        rest_plugins_extra(arr);
    }
    kc_free(ops);
    rest_respond_json(rs, 200, arr);
    return;
fail:
    kc_free(ops);
    json_decref(arr);
    rest_respond_error(rs, 500, "out of memory");
}

static const struct sink_connector_ops *find_plugin(const char *p)
{
    for (size_t i = 0; i < sink_registry_count(); i++) {
        const struct sink_connector_ops *ops = sink_registry_get(i);
        for (const char *const *c = ops->class_names; *c != NULL; c++) {
            if (sink_class_matches(*c, p)) {
                return ops;
            }
        }
    }
    return NULL;
}

void rest_h_plugin_config(const struct rest_ctx *ctx, const struct rest_request *rq,
                          struct rest_response *rs)
{
    (void)ctx;
    char msg[KC_ERROR_MSG_MAX];
    const struct sink_connector_ops *ops = find_plugin(rq->params[0]);
    if (ops == NULL) {
        snprintf(msg, sizeof(msg), "Unknown plugin %s.", rq->params[0]);
        rest_respond_error(rs, 404, msg);
        return;
    }
    rest_respond_json(rs, 200, connector_plugin_config_json(ops));
}

/* ConnectorPluginsResource.normalizedPluginName: drop a trailing "Connector". */
static size_t normalized_len(const char *s)
{
    size_t n = strlen(s);
    if (n >= 9 && strcmp(s + n - 9, "Connector") == 0) {
        n -= 9;
    }
    return n;
}

int rest_plugin_type_matches(const char *included, const char *requested)
{
    size_t a = normalized_len(included), b = normalized_len(requested);
    return b <= a && memcmp(included + a - b, requested, b) == 0;
}

void rest_h_plugin_validate(const struct rest_ctx *ctx, const struct rest_request *rq,
                            struct rest_response *rs)
{
    struct kc_error err;
    struct kc_strmap cfg;
    struct rest_body body;
    struct conf_infos *infos = NULL;
    char *shown = NULL;
    int status = 500;

    kc_error_clear(&err);
    kc_strmap_init(&cfg);
    if (rest_body_read_shaped(&body, rq->body, rq->body_len, REST_BODY_MAP, &status,
                              &err) != KC_OK ||
        rest_config_body_parse(&body, "connectorConfig", &cfg, &status, &err) != KC_OK) {
        rest_respond_error(rs, status, err.msg);
        goto out;
    }
    const char *included = kc_strmap_get(&cfg, "connector.class");
    if (included != NULL && !rest_plugin_type_matches(included, rq->params[0])) {
        char msg[KC_ERROR_MSG_MAX];
        snprintf(msg, sizeof(msg), "Included connector type %s does not match request type %s",
                 included, rq->params[0]);
        rest_respond_error(rs, 400, msg);
        goto out;
    }
    if (included == NULL) {
        shown = kc_jmap_strmap_string(&cfg);
        if (shown == NULL) {
            rest_respond_error(rs, 500, "out of memory");
            goto out;
        }
        char *msg = kc_asprintf("org.apache.kafka.connect.runtime.rest.errors.BadRequestException: "
                                "Connector config %s contains no connector type",
                                shown);
        rest_respond_error(rs, 500, msg ? msg : "out of memory");
        kc_free(msg);
        goto out;
    }
    if (connector_config_validate(&cfg, ctx->facts, &infos, &err) != KC_OK) {
        /* An unknown class is the JVM's 500 too (the plugin lookup throws inside validate). */
        int st = err.rc == KC_ENOENT ? 500 : rest_reply_status_for_rc(err.rc);
        if (st == 500 && strncmp(err.msg, "org.apache.kafka.", 17) != 0) {
            /* ExecutionException.getMessage() = cause.toString() */
            char *msg = kc_asprintf("org.apache.kafka.connect.errors.ConnectException: %s",
                                    err.msg);
            rest_respond_error(rs, 500, msg ? msg : err.msg);
            kc_free(msg);
        } else {
            rest_respond_error(rs, st, err.msg);
        }
        goto out;
    }
    rest_respond_json(rs, 200, conf_infos_to_json(infos));
out:
    conf_infos_free(infos);
    kc_free(shown);
    kc_strmap_fini(&cfg);
    rest_body_fini(&body);
}
