/*
 * connectors/connector_plugins.h: what connectors/ tells config/ about the plugins this build
 * implements. config/connector_config.c validates connector configs without including any
 * connectors/ header (base <- config <- connectors <- worker <- rest); the worker and REST fill
 * struct connector_worker_facts here, from the sink registry and the SMT, predicate and
 * converter tables, and hand it down.
 */
#ifndef CONNECTOR_PLUGINS_H
#define CONNECTOR_PLUGINS_H

#include "connector_config.h"
#include "sink.h"

struct json_t;

/*
 * Point wf->sinks at the registry's sinks and wf->plugins[] at the transformations, predicates
 * and converters this build implements. The tables are built once (static, shared, sorted by
 * class name for the plugin kinds, registry order for sinks) and live as long as the process.
 * @thread any
 */
void connector_plugins_facts(struct connector_worker_facts *wf);

/* The part of a sink's ops table that validation reads, copied into out (borrowed pointers).
 * @thread any */
void connector_plugins_sink_info(const struct sink_connector_ops *ops,
                                 struct connector_sink_info *out);

/*
 * GET /connector-plugins/{p}/config for one sink (connector_config_plugin_json over its ops).
 * New reference, NULL on ENOMEM. @thread any
 */
struct json_t *connector_plugin_config_json(const struct sink_connector_ops *ops);

#endif
