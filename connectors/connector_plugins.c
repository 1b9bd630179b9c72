/*
 * connectors/connector_plugins.c: the plugin descriptions config/ validates against, built from
 * the sink registry, the SMT and predicate lists (smt.h) and the converters (conv.h).
 *
 * Built once under pthread_once into static arrays and never changed after, so every thread
 * may read them without a lock; the sizes are fixed at build time by the tables they copy.
 */
#include "connector_plugins.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "registry.h"
#include "smt.h"

/* More than the SMTs and converters we have; builtin_fill stops at it rather than overflow. */
#define BUILTIN_MAX 64
/* More sinks than registry.c lists. */
#define SINKS_MAX 64

static struct connector_plugin_info builtin[CONNECTOR_PLUGIN_KINDS][BUILTIN_MAX + 1];
static struct connector_sink_info sinks[SINKS_MAX];
static size_t n_sinks;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static int cmp_plugin(const void *a, const void *b)
{
    return strcmp(((const struct connector_plugin_info *)a)->class_name,
                  ((const struct connector_plugin_info *)b)->class_name);
}

static void builtin_fill(void)
{
    size_t n[CONNECTOR_PLUGIN_KINDS] = {0};
    const char *c;

    for (size_t i = 0; (c = smt_transform_class(i)) != NULL && n[0] < BUILTIN_MAX; i++) {
        const char *v = smt_transform_version(i);
        builtin[CONNECTOR_PLUGIN_TRANSFORMATION][n[0]++] =
            (struct connector_plugin_info){c, v != NULL ? v : CONV_PLUGIN_VERSION, NULL};
    }
    for (size_t i = 0; (c = smt_predicate_class(i)) != NULL && n[1] < BUILTIN_MAX; i++) {
        builtin[CONNECTOR_PLUGIN_PREDICATE][n[1]++] =
            (struct connector_plugin_info){c, CONV_PLUGIN_VERSION, NULL};
    }
    size_t nc = 0;
    const struct conv_plugin_desc *d = conv_plugins(&nc);
    for (size_t i = 0; i < nc; i++) {
        int kind = strcmp(d[i].type, "header_converter") == 0 ? CONNECTOR_PLUGIN_HEADER_CONVERTER
                                                              : CONNECTOR_PLUGIN_CONVERTER;
        if (n[kind] < BUILTIN_MAX) {
            builtin[kind][n[kind]++] =
                (struct connector_plugin_info){d[i].class_name, d[i].version,
                                                connector_converter_def(d[i].class_name)};
        }
    }
    for (int k = 0; k < CONNECTOR_PLUGIN_KINDS; k++) {
        qsort(builtin[k], n[k], sizeof(builtin[k][0]), cmp_plugin);
        builtin[k][n[k]].class_name = NULL; /* terminator */
    }
    for (size_t i = 0; i < sink_registry_count() && n_sinks < SINKS_MAX; i++) {
        connector_plugins_sink_info(sink_registry_get(i), &sinks[n_sinks++]);
    }
}

void connector_plugins_facts(struct connector_worker_facts *wf)
{
    pthread_once(&builtin_once, builtin_fill);
    for (int k = 0; k < CONNECTOR_PLUGIN_KINDS; k++) {
        wf->plugins[k] = builtin[k];
    }
    wf->sinks = sinks;
    wf->n_sinks = n_sinks;
}

void connector_plugins_sink_info(const struct sink_connector_ops *ops,
                                 struct connector_sink_info *out)
{
    out->class_names = ops->class_names;
    out->version = ops->plugin_version;
    out->config_def = ops->config_def;
    out->validate = ops->validate;
}

struct json_t *connector_plugin_config_json(const struct sink_connector_ops *ops)
{
    struct connector_sink_info sink;

    connector_plugins_sink_info(ops, &sink);
    return connector_config_plugin_json(&sink);
}
