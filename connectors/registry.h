/*
 * connectors/registry.h: the static table of native sinks. connectors/registry.c is the only
 * file that knows every sink; the worker finds a sink by connector.class through it.
 */
#ifndef REGISTRY_H
#define REGISTRY_H

#include <stddef.h>

#include "sink.h"

/* The sink that accepts this connector.class (full name or JVM alias), or NULL. @thread any */
const struct sink_connector_ops *sink_registry_find(const char *connector_class);
/* Number of sinks and the i-th one, for GET /connector-plugins. @thread any */
size_t sink_registry_count(void);
const struct sink_connector_ops *sink_registry_get(size_t i);

#endif
