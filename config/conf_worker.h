/*
 * config/conf_worker.h: the worker's own configuration (Kafka's DistributedConfig) -- loading
 * from the properties file plus CONNECT_* environment plus config providers, validation with
 * the JVM's messages, the JVM-style "DistributedConfig values:" dump, and translation of Java
 * client keys into librdkafka properties for the worker's and the tasks' Kafka clients.
 *
 * A struct worker_config is immutable after worker_config_load() and may be read from any
 * thread. Typed fields point into the parsed values it owns; the full resolved property map is
 * kept for prefixed keys (consumer.*, producer.*, admin.*, key.converter.*, ...).
 */
#ifndef CONF_WORKER_H
#define CONF_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "conf_def.h"
#include "conf_provider.h"
#include "kc_error.h"
#include "kc_strmap.h"

/* Every distributed-mode worker key, in the JVM's definition order, NULL-name terminated. */
extern const struct conf_def worker_config_def[];

/* connector.client.config.override.policy, by alias or class name. */
enum worker_override_policy {
    WORKER_POLICY_ALL = 0,   /* "All": connectors may override any client key */
    WORKER_POLICY_NONE,      /* "None": any *.override.* is an error */
    WORKER_POLICY_PRINCIPAL, /* "Principal": only sasl.jaas.config, sasl.mechanism,
                              * security.protocol */
};

/* A LIST value: borrowed items (owned by the worker_config). */
struct worker_list {
    char *const *items;
    size_t n;
};

struct worker_config {
    struct kc_strmap props;            /* owned: file + env, provider references resolved */
    struct kc_strmap raw;              /* owned: file + env, unresolved (for diagnostics) */
    struct conf_providers *providers;  /* owned: also used for connector configs at use time */
    struct conf_value *values;         /* owned: parsed value per worker_config_def entry */
    size_t n_values;

    /* Typed views, borrowed from values (NULL = Java null). */
    char *bootstrap_servers;           /* owned: bootstrap.servers items joined with "," */
    struct worker_list bootstrap_list;
    const char *group_id;
    const char *config_storage_topic;
    const char *offset_storage_topic;
    const char *status_storage_topic;
    int32_t offset_storage_partitions;  /* -1 = broker default */
    int32_t status_storage_partitions;
    int16_t config_storage_replication_factor; /* -1 = broker default */
    int16_t offset_storage_replication_factor;
    int16_t status_storage_replication_factor;
    struct worker_list listeners;
    const char *rest_advertised_host_name;
    int32_t rest_advertised_port;      /* -1 = null */
    const char *rest_advertised_listener;
    int admin_listeners_set;           /* 0: null -> admin endpoints on the main listeners */
    struct worker_list admin_listeners;/* set and empty: admin endpoints disabled */
    int64_t offset_flush_interval_ms;
    int64_t task_memory_budget_bytes; /* connect-c's task.memory.budget.bytes */
    int32_t rest_max_connections;        /* connect-c's rest.max.connections */
    int32_t rest_max_connections_per_ip; /* connect-c's rest.max.connections.per.ip */
    int32_t rest_header_timeout_ms;      /* connect-c's rest.request.header.timeout.ms */
    int32_t rest_body_timeout_ms;        /* connect-c's rest.request.body.timeout.ms */
    int32_t rest_max_body_bytes;         /* connect-c's rest.max.request.body.bytes */
    int64_t offset_flush_timeout_ms;
    int64_t task_shutdown_graceful_timeout_ms;
    const char *key_converter;
    const char *value_converter;
    const char *header_converter;
    const char *override_policy_name;  /* as configured */
    enum worker_override_policy override_policy;
    int topic_tracking_enable;
    int topic_tracking_allow_reset;
    const char *client_id;             /* "" = default */
    struct worker_list plugin_path;    /* n = 0 when null */
    struct worker_list config_providers;
    int32_t session_timeout_ms;
    int32_t heartbeat_interval_ms;
    int32_t rebalance_timeout_ms;
    int32_t worker_sync_timeout_ms;
    int32_t worker_unsync_backoff_ms;
    int32_t scheduled_rebalance_max_delay_ms;
    const char *connect_protocol;      /* "eager" | "compatible" | "sessioned" (lower case) */
    const char *inter_worker_key_generation_algorithm;
    int32_t inter_worker_key_size;     /* -1 = JVM default (256 bits) */
    int32_t inter_worker_key_ttl_ms;
    const char *inter_worker_signature_algorithm;
    struct worker_list inter_worker_verification_algorithms;
    const char *exactly_once_source_support;
    const char *security_protocol;
    int32_t request_timeout_ms;
    const char *access_control_allow_origin;
    const char *access_control_allow_methods;
    const char *response_http_headers_config;
    struct worker_list rest_extension_classes;
};

/*
 * Load the worker config: parse the properties file at path (NULL = none), apply CONNECT_*
 * variables of envp (NULL = none; pass environ for the real process), build the config
 * providers and resolve ${...} references, then parse and validate every key of
 * worker_config_def in definition order. The first problem fails the load, as the JVM's
 * ConfigDef.parse does: KC_EINVAL with `Missing required configuration "group.id" which has no
 * default value.` or `Invalid value x for configuration k: ...`; KC_EIO when the file cannot be
 * read. Keys that are neither defined nor under a known prefix get one WARN line each:
 * "The configuration 'x' was supplied but isn't a known config.". A non-empty plugin.path gets
 * one INFO line saying it is ignored (the plugins are built in).
 * wc is filled on success and zeroed on failure; free with worker_config_fini. envp is
 * borrowed for wc's lifetime (the env config provider reads it at use time): pass environ or
 * an array that outlives wc.
 * @thread main
 */
int worker_config_load(const char *path, char *const *envp, struct worker_config *wc,
                       struct kc_error *err);

/* Same from an already-built property map (copied), e.g. for tests and embedding.
 * @thread main */
int worker_config_from_map(const struct kc_strmap *props, char *const *envp,
                           struct worker_config *wc, struct kc_error *err);

/* Free what wc owns (NULL and zeroed objects are fine). @thread main */
void worker_config_fini(struct worker_config *wc);

/* The parsed value of a defined key (borrowed from wc), or NULL if name is not a worker key.
 * @thread any */
const struct conf_value *worker_config_value(const struct worker_config *wc, const char *name);

/* 1 if name is a worker key or sits under a prefix the worker understands. @thread any */
int worker_config_key_known(const char *name);

/*
 * The JVM's startup dump: "DistributedConfig values: \n" then "\tkey = value\n" for every
 * defined key sorted by name, values as AbstractConfig.logAll prints them (passwords
 * "[hidden]", lists "[a, b]", classes "class x", null "null"). Owned string, NULL on ENOMEM.
 * @thread any
 */
char *worker_config_dump(const struct worker_config *wc);
/* Log worker_config_dump at INFO. @thread any */
void worker_config_log(const struct worker_config *wc);

/*
 * librdkafka properties for one Kafka client, into out (caller-initialised):
 *  prefix NULL        the worker's own clients (group member, internal topics): top-level keys;
 *  "consumer."        sink task consumers: bootstrap.servers + consumer.* (security is not
 *                     inherited from top level, as in the JVM);
 *  "producer."        DLQ producer: bootstrap.servers + producer.*;
 *  "admin."           admin clients: top-level keys + admin.*.
 * Java keys are translated to librdkafka names where they differ (delivery.timeout.ms ->
 * message.timeout.ms, request.timeout.ms -> socket.timeout.ms, sasl.mechanism ->
 * sasl.mechanisms, sasl.jaas.config Plain/Scram username/password -> sasl.username/
 * sasl.password, PEM ssl.truststore.location -> ssl.ca.location, ...); keys librdkafka has no
 * use for are dropped with a DEBUG line. A JKS/PKCS12 truststore is KC_EINVAL with a message
 * saying to use PEM. Passwords are copied in clear: never log out.
 * @thread any
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int worker_config_client_props(const struct worker_config *wc, const char *prefix,
                               struct kc_strmap *out, struct kc_error *err);

/*
 * Translate one Java client property map (already stripped of any prefix) into librdkafka
 * properties, as worker_config_client_props does; scope is one of NULL, "consumer.",
 * "producer.", "admin." and selects the client-specific keys kept. Used for connector
 * *.override.* maps on top of worker_config_client_props. @thread any
 */
int worker_config_translate_client(const struct kc_strmap *java, const char *scope,
                                   struct kc_strmap *out, struct kc_error *err);

#endif
