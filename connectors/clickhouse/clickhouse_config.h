/*
 * connectors/clickhouse/clickhouse_config.h: the official ClickHouse connector's configuration
 * keys (com.clickhouse.kafka.connect.ClickHouseSinkConnector v1.5.0), as one conf_def table, and
 * their typed form for the task.
 *
 * The table declares what the JVM's ConfigDef declares (so config/validate shows the same
 * definitions); clickhouse_config_parse then applies the documented-vs-effective quirks the JVM
 * task really runs with, because its task reads the raw properties:
 *   username    ConfigDef ""   -> effective "default" when absent
 *   ssl         ConfigDef true -> effective false when absent (always set ssl with port)
 *   insertFormat ConfigDef "none" -> effective JSON when absent
 * errors.* are framework keys (config/connector_config), not in this table.
 */
#ifndef CLICKHOUSE_CONFIG_H
#define CLICKHOUSE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "clickhouse_http.h"
#include "conf_def.h"
#include "kc_error.h"
#include "kc_strmap.h"

extern const struct conf_def clickhouse_config_def[];

struct clickhouse_topic_map {
    char **topics; /* owned, n entries, parallel to tables */
    char **tables;
    size_t n;
};

/*
 * Parse topic2TableMap ("t1=tbl1, t2=tbl2"; surrounding spaces trimmed; "" = empty map). Every
 * bad entry (no '=', empty topic or table, a topic mapped twice) is named in one message:
 * "Invalid value <v> for configuration topic2TableMap: entry 'x' is not topic=table; ...".
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int clickhouse_topic_map_parse(const char *s, struct clickhouse_topic_map *m, struct kc_error *err);
void clickhouse_topic_map_fini(struct clickhouse_topic_map *m);
/* The table for topic: its mapping, else the topic name itself (borrowed). */
const char *clickhouse_topic_map_table(const struct clickhouse_topic_map *m, const char *topic);

struct clickhouse_config {
    char *hostname; /* all strings owned */
    int port;
    char *database;
    char *username;
    char *password; /* trimmed, as the JVM does; never logged */
    int ssl;
    char *jdbc_connection_properties;
    char *ssl_socket_sni;
    int timeout_seconds;
    int retry_count;
    int64_t insert_timeout_ms;
    char *proxy_type;
    char *proxy_host;
    int proxy_port;
    char *client_version;
    struct clickhouse_topic_map topic2table;
    int enable_db_topic_split;
    char *db_topic_split_char;
    int suppress_table_existence_exception;
    int64_t table_refresh_interval_s;
    char **settings; /* owned "k=v" list: the pre-seeded defaults, then clickhouseSettings */
    size_t n_settings;
    char *cluster_name;
    char *insert_format; /* "JSON" when absent (effective default) */
    char **date_time_formats; /* owned "field=pattern" entries */
    size_t n_date_time_formats;
    int bypass_row_binary;
    int bypass_schema_validation;
    int bypass_field_cleanup;
    int debezium_cdc_enabled;
    int ignore_partitions_when_batching;
    int64_t buffer_count;
    int64_t buffer_flush_time_ms;
    int report_inserted_offsets;
    int exactly_once;
    char *zk_path;
    char *zk_database;
    char *keeper_on_cluster;
    int tolerate_state_mismatch;
    int auto_evolve;
    int auto_evolve_ddl_refresh_retries;
    int auto_evolve_struct_to_json;
    enum clickhouse_compression compression; /* connect-c's own key "compression" */
    char *proxy_url; /* owned; from proxyType/proxyHost/proxyPort, NULL = none */
};

/*
 * Typed config from the connector's properties: each key parsed and validated by its conf_def
 * (the first failure is returned in err, with the JVM's message), effective defaults applied,
 * then the cross-key rules of the JVM task (exactlyOnce refuses bufferFlushTime > 0;
 * ignorePartitionsWhenBatching is ignored with exactlyOnce). settings gets the official
 * connector's pre-seeded server settings the user did not set: input_format_skip_unknown_fields=1,
 * wait_end_of_query=1, send_progress_in_http_headers=1 (async_insert=0 is added only by
 * clickhouse_config_server_settings for servers that know it).
 * @thread any
 * @return KC_OK, KC_EINVAL, KC_ENOMEM
 */
int clickhouse_config_parse(const struct kc_strmap *props, struct clickhouse_config *cfg,
                            struct kc_error *err);
void clickhouse_config_fini(struct clickhouse_config *cfg);

/*
 * The HTTP connection settings for cfg (pointers borrowed from cfg: timeoutSeconds is the
 * socket timeout, clickhouseClientInsertTimeoutMs the whole-request timeout, proxyType/Host/Port
 * the proxy; jdbcConnectionProperties are JDBC-client options and are not sent; settings adjusted to the
 * server: async_insert=0 only from 20.x where the setting exists, as an unknown setting fails
 * every query on 18.16). server_major 0 = unknown (nothing version-specific added). Call again
 * after SELECT version() to get the final list. *extra_owned must be freed with
 * clickhouse_config_free_strv.
 */
int clickhouse_config_http(const struct clickhouse_config *cfg, int server_major,
                           struct clickhouse_http_conf *hc, char ***extra_owned, size_t *n_extra,
                           struct kc_error *err);
void clickhouse_config_free_strv(char **v, size_t n);

#endif
