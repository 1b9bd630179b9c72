/*
 * rest/rest_deps.h: what rest/ expects from rooms that are being written in parallel
 * (config/connector_config.h, connectors/connector_plugins.h). The lead reconciles these
 * prototypes with the real headers at merge; every call site in rest/ goes through these names
 * only, so a rename is one edit here.
 */
#ifndef REST_DEPS_H
#define REST_DEPS_H

#include <jansson.h>

#include "conf_def.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct sink_connector_ops;

/*
 * ConfigInfos as the JVM renders it for PUT /connector-plugins/{p}/config/validate:
 * {"name":..,"error_count":..,"groups":[..],"configs":[{"definition":..,"value":..}]}.
 * Returns a new reference, NULL on allocation failure. (config/)
 */
json_t *conf_infos_to_json(const struct conf_infos *ci);

/*
 * GET /connector-plugins/{p}/config for one sink: the JSON array of ConfigKeyInfo objects
 * (plugin keys first, then the framework sink keys not already present). New reference or NULL.
 * (connectors/connector_plugins.h)
 */
json_t *connector_plugin_config_json(const struct sink_connector_ops *ops);

/*
 * Validate a full connector config as the validate endpoint does. facts: borrowed worker facts
 * (NULL here: REST has none to give yet). On KC_OK *infos is owned by the caller
 * (conf_infos_free), even when it reports errors. Unknown connector.class -> KC_EIO with the
 * JVM's "Failed to find any class ..." message (REST answers 500). (config/connector_config.h)
 */
struct connector_worker_facts;
int connector_config_validate(const struct kc_strmap *cfg, const struct connector_worker_facts *facts,
                              struct conf_infos **infos, struct kc_error *err);

#endif
