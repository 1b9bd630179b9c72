/*
 * connectors/registry.c: the only file that knows every native sink. Adding a sink is one folder
 * plus one line here; the worker never learns a sink's name.
 */
#include "registry.h"

extern const struct sink_connector_ops file_sink_ops;

static const struct sink_connector_ops *const sink_table[] = {
    &file_sink_ops,
};

#define SINK_TABLE_LEN (sizeof(sink_table) / sizeof(sink_table[0]))

const struct sink_connector_ops *sink_registry_find(const char *connector_class)
{
    if (connector_class == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < SINK_TABLE_LEN; i++) {
        for (const char *const *c = sink_table[i]->class_names; *c != NULL; c++) {
            if (sink_class_matches(*c, connector_class)) {
                return sink_table[i];
            }
        }
    }
    return NULL;
}

size_t sink_registry_count(void)
{
    return SINK_TABLE_LEN;
}

const struct sink_connector_ops *sink_registry_get(size_t i)
{
    return i < SINK_TABLE_LEN ? sink_table[i] : NULL;
}
