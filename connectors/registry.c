/*
 * connectors/registry.c: the only file that knows every native sink. Adding a sink is one folder
 * plus one line here; the worker never learns a sink's name.
 */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

extern const struct sink_connector_ops file_sink_ops;
extern const struct sink_connector_ops s3_sink_ops;
extern const struct sink_connector_ops s3_aiven_sink_ops;
extern const struct sink_connector_ops questdb_sink_ops;
extern const struct sink_connector_ops clickhouse_sink_ops;
extern const struct sink_connector_ops buffering_sink_ops;

static const struct sink_connector_ops *const sink_table[] = {
    &file_sink_ops,
    &s3_sink_ops,
    &s3_aiven_sink_ops,
    &questdb_sink_ops,
    &clickhouse_sink_ops,
    /* Test sinks, last: listed only when the worker runs with KC_TEST_SINKS=1. */
    &buffering_sink_ops,
};

#define SINK_TABLE_ALL (sizeof(sink_table) / sizeof(sink_table[0]))
#define SINK_TABLE_TESTING 1 /* how many test sinks end the table */

static size_t table_len(void)
{
    const char *e = getenv("KC_TEST_SINKS");
    return e != NULL && strcmp(e, "1") == 0 ? SINK_TABLE_ALL
                                            : SINK_TABLE_ALL - SINK_TABLE_TESTING;
}

#define SINK_TABLE_LEN table_len()

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
