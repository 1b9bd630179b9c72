/*
 * config/connector_config.h: the framework's sink connector keys (Kafka's ConnectorConfig
 * and SinkConnectorConfig) and connector-config validation as PUT
 * /connector-plugins/{p}/config/validate and connector create/update perform it.
 *
 * Validation follows AbstractHerder.validateConnectorConfig + DistributedHerder of Kafka 4.1:
 * framework keys enriched with per-alias transforms.<a>.* / predicates.<p>.* keys, the sink's
 * own config_def keys and its validate() slot, SinkConnectorConfig's topics rules, the
 * worker-group conflict check, null values, then consumer.override.* (and, with a DLQ topic,
 * producer.override.* / admin.override.*) checked against the worker's override policy. The
 * result is a struct conf_infos in the JVM's order with the JVM's messages.
 *
 * This room knows no sink and no SMT: what validation needs of the plugins (each sink's keys,
 * version and validate slot; the SMT, predicate and converter classes) arrives in struct
 * connector_worker_facts, filled by connectors/connector_plugins.c.
 */
#ifndef CONNECTOR_CONFIG_H
#define CONNECTOR_CONFIG_H

/* Largest tasks.max (and so task count) connect-c accepts; see connector_config_defs.c. */
#define CONNECTOR_MAX_TASKS 1024

#include <stddef.h>

#include "conf_def.h"
#include "conf_provider.h"
#include "kc_error.h"
#include "kc_strmap.h"

struct worker_config;
struct conf_values; /* config/conf_values.h */      /* config/conf_worker.h */
struct json_t;

/* The framework keys of a sink connector, in the JVM's definition order. */
extern const struct conf_def connector_sink_def[];
/* Kafka client keys (ConsumerConfig, ProducerConfig, AdminClientConfig), used to render and
 * type *.override.* entries: each client's own keys, then the keys common to all three. */
extern const struct conf_def connector_client_common_def[];
extern const struct conf_def connector_consumer_def[];
extern const struct conf_def connector_producer_def[];
extern const struct conf_def connector_admin_def[];

/* A converter's own keys (its config() ConfigDef in Kafka 4.1: converter.type plus, for
 * StringConverter and JsonConverter, theirs), by full class name; NULL when unknown. The
 * validate endpoint lists them as key.converter.<k> etc. when a connector sets a converter.
 * @thread any */
const struct conf_def *connector_converter_def(const char *class_name);

/* Plugin kinds a connector config names by class. */
enum connector_plugin_kind {
    CONNECTOR_PLUGIN_TRANSFORMATION = 0,
    CONNECTOR_PLUGIN_PREDICATE,
    CONNECTOR_PLUGIN_CONVERTER,
    CONNECTOR_PLUGIN_HEADER_CONVERTER,
    CONNECTOR_PLUGIN_KINDS,
};

/* One plugin the worker can run (an SMT, predicate or converter written in C). */
struct connector_plugin_info {
    const char *class_name;            /* full Java class name; NULL ends an array */
    const char *version;               /* reported version ("4.1.0"), NULL = none */
    const struct conf_def *config_def; /* its own keys (NULL = none): embedded as
                                        * transforms.<a>.<k> / predicates.<p>.<k>, or validated
                                        * as key.converter.<k> etc. */
};

/*
 * One native sink as validation sees it: a copy of the parts of its ops table that validation
 * reads (connectors/connector_plugins.c fills it), so config/ includes nothing from connectors/.
 * All borrowed from static tables.
 */
struct connector_sink_info {
    const char *const *class_names;    /* connector.class values it accepts, NULL-ended; the
                                        * first is the canonical Java class name */
    const char *version;               /* plugin version, NULL = none */
    const struct conf_def *config_def; /* the sink's own keys, NULL = none */
    /* MAY be NULL (accept): the sink's cross-key checks; on failure KC_EINVAL with err naming
     * the key as "<key>: <message>" (anything else lands on connector.class). */
    int (*validate)(const struct conf_values *cv, struct conf_infos *errs,
                    struct kc_error *err); /* the sink's cross-key checks (sink.h) */
};

/* What validation needs to know about the worker. All borrowed. */
struct connector_worker_facts {
    const char *worker_group_id;  /* the worker's group.id */
    const char *override_policy;  /* connector.client.config.override.policy: "All", "None",
                                   * "Principal" or a policy class name; NULL = "All" */
    const struct conf_providers *providers; /* NULL = none: resolve ${...} before validating,
                                             * as the JVM does */
    /* Kafka 4.1 (KIP-891) enrichment; leave NULL where unknown. The worker's converters become
     * the defaults of key.converter / value.converter / header.converter. */
    const char *key_converter;
    const char *value_converter;
    const char *header_converter;
    /* Per kind, the available plugins (NULL-class_name-ended), or NULL = unknown: then any
     * well-formed class name is accepted and nothing is recommended. When given, an unknown
     * class is "Class X could not be found.", an alias (simple name) resolves to the full name,
     * and the list is offered as recommended_values as the JVM does. */
    const struct connector_plugin_info *plugins[CONNECTOR_PLUGIN_KINDS];
    /* The sinks this worker runs, in registry order (n_sinks entries; NULL = none): where
     * connector_config_validate looks connector.class up, by full name or JVM alias. */
    const struct connector_sink_info *sinks;
    size_t n_sinks;
};

/*
 * Fill wf from the worker config: group id, override policy, providers and the worker's
 * converters (all borrowed from wc, which must outlive wf). plugins[] and sinks stay NULL;
 * connector_plugins_facts (connectors/connector_plugins.h) points them at what this build
 * implements, for 4.1-identical answers.
 * @thread any
 */
void connector_config_facts_init(struct connector_worker_facts *wf, const struct worker_config *wc);

/*
 * The JVM's plugin aliases (PluginUtils.simpleName / prunedName): 1 if name is class_name, its
 * simple name, or its simple name without the kind's suffix ("Connector", "Transformation",
 * "Predicate", "Converter", "HeaderConverter"; NULL = none). @thread any
 */
int connector_config_class_matches(const char *class_name, const char *suffix, const char *name);

/*
 * Validate a connector config (values may be NULL, as JSON null in a REST body). Finds the
 * sink by connector.class among wf->sinks.
 *  - no connector.class: KC_EINVAL "Connector config {k=v, ...} contains no connector type";
 *  - unknown class: KC_ENOENT "Failed to find any class that implements Connector and which
 *    name matches <x>, available connectors are: PluginDesc{...}, ...";
 *  - provider failure while resolving: that error.
 *  - a *.override.* value that does not parse as its client key's type: KC_EIO with the JVM's
 *    500 text "org.apache.kafka.common.config.ConfigException: Invalid value x for
 *    configuration retries: Not a number of type INT" (the JVM does not catch it either).
 * Otherwise KC_OK and *out = the ConfigInfos (owned, conf_infos_free), whose error_count may be
 * non-zero: validation errors are data, not a failure of this call.
 * @thread any (rest, herder)
 */
int connector_config_validate(const struct kc_strmap *cfg, const struct connector_worker_facts *wf,
                              struct conf_infos **out, struct kc_error *err);

/* Same against a given sink (tests, or callers that already looked the sink up); sink may be
 * NULL (framework keys only). @thread any */
int connector_config_validate_sink(const struct kc_strmap *cfg,
                                   const struct connector_sink_info *sink,
                                   const struct connector_worker_facts *wf, struct conf_infos **out,
                                   struct kc_error *err);

/*
 * The 400 text for an invalid config: "Connector configuration is invalid and contains the
 * following N error(s):\n<e1>\n<e2>...\nYou can also find the above list of errors at the
 * endpoint `/connector-plugins/{connectorType}/config/validate`". Owned, NULL on ENOMEM.
 * @thread any
 */
char *connector_config_error_text(const struct conf_infos *ci);
/* Same into err (KC_EINVAL; cut to fit err->msg). Returns KC_EINVAL, or KC_OK when
 * ci->error_count == 0 (err untouched). @thread any */
int connector_config_error_message(const struct conf_infos *ci, struct kc_error *err);

/*
 * GET /connector-plugins/{p}/config: a JSON array of definition objects, the sink's own keys
 * first, then the framework sink keys it does not define itself. New reference, NULL on ENOMEM.
 * @thread any
 */
struct json_t *connector_config_plugin_json(const struct connector_sink_info *sink);

/*
 * One framework key of a sink connector config (a connector_sink_def key), parsed as the JVM's
 * SinkConnectorConfig does: trimmed and typed, the definition's default when absent. Tasks read
 * their settings (topics, transforms, errors.*) through this. out is always initialised.
 * @thread any
 * @return KC_OK, KC_EINVAL (err: the JVM's message), KC_ENOMEM
 */
int connector_config_value(const struct kc_strmap *cfg, const char *key, struct conf_value *out,
                           struct kc_error *err);

/*
 * Resolve ${provider:[path:]key} references of a stored (unresolved) connector or task config
 * with the worker's providers, at use time. out is caller-initialised.
 * @thread any
 * @return KC_OK, provider errors, KC_ENOMEM
 */
int connector_config_resolve(const struct kc_strmap *cfg, const struct worker_config *wc,
                             struct kc_strmap *out, struct kc_error *err);

#endif
