/*
 * connectors/registry.c: the static table of native sinks -- the only file that knows every
 * sink. Adding a sink is one line above the NULL that ends sink_table.
 *
 * connector.class matching follows the JVM's plugin aliases: the full class name, the simple
 * name ("FileStreamSinkConnector"), or the simple name without "Connector" ("FileStreamSink").
 */
#include <string.h>

#include "registry.h"

/* NULL-ended so the table may be empty while sinks are being written. */
static const struct sink_connector_ops *const sink_table[] = {
    NULL,
};

/* The JVM's alias rule (Plugins' PluginUtils.simpleName / prunedName), here so the registry
 * does not depend on anything beyond sink.h's types. */
static int class_matches(const char *canonical, const char *user)
{
    const char *simple = strrchr(canonical, '.');
    size_t slen;

    if (strcmp(canonical, user) == 0) {
        return 1;
    }
    simple = simple != NULL ? simple + 1 : canonical;
    if (strcmp(simple, user) == 0) {
        return 1;
    }
    slen = strlen(simple);
    if (slen > 9 && strcmp(simple + slen - 9, "Connector") == 0) {
        return strlen(user) == slen - 9 && strncmp(simple, user, slen - 9) == 0;
    }
    return 0;
}

const struct sink_connector_ops *sink_registry_find(const char *connector_class)
{
    if (connector_class == NULL) {
        return NULL;
    }
    for (size_t i = 0; sink_table[i] != NULL; i++) {
        for (const char *const *c = sink_table[i]->class_names; c != NULL && *c != NULL; c++) {
            if (class_matches(*c, connector_class)) {
                return sink_table[i];
            }
        }
    }
    return NULL;
}

size_t sink_registry_count(void)
{
    size_t n = 0;

    while (sink_table[n] != NULL) {
        n++;
    }
    return n;
}

const struct sink_connector_ops *sink_registry_get(size_t i)
{
    return i < sink_registry_count() ? sink_table[i] : NULL;
}
