/*
 * connectors/clickhouse/clickhouse_config.c: the official connector's keys (ConfigDef defaults,
 * ranges and groups as in ClickHouseSinkConfig v1.5.0) and the typed config. See
 * clickhouse_config.h for the effective-default quirks.
 */
#include <string.h>
#include <strings.h>

#include "clickhouse_config.h"
#include "kc_alloc.h"
#include "kc_buf.h"

static int validate_topic_map(const struct conf_def *d, const char *value, struct kc_error *err)
{
    struct clickhouse_topic_map m;
    (void)d;
    if (value == NULL) {
        return KC_OK;
    }
    int rc = clickhouse_topic_map_parse(value, &m, err);
    clickhouse_topic_map_fini(&m);
    return rc;
}

/* clickhouseSettings / dateTimeFormats: every item k=v (k non-empty). */
static int validate_kv_list(const struct conf_def *d, const char *value, struct kc_error *err)
{
    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    const char *sep = strcmp(d->name, "dateTimeFormats") == 0 ? ";" : ",";
    const char *p = value;
    while (*p != '\0') {
        size_t n = strcspn(p, sep);
        const char *eq = memchr(p, '=', n);
        size_t lead = 0;
        while (lead < n && p[lead] == ' ') {
            lead++;
        }
        if (n > lead && (eq == NULL || eq == p + lead)) {
            return conf_error_invalid(err, d->name, value, "entry '%.*s' is not key=value",
                                      (int)n, p);
        }
        p += n;
        if (*p != '\0') {
            p++;
        }
    }
    return KC_OK;
}

static int validate_zk_path(const struct conf_def *d, const char *value, struct kc_error *err)
{
    if (value != NULL && value[0] != '/') {
        return conf_error_invalid(err, d->name, value, "must start with '/'");
    }
    return KC_OK;
}

/* Keys of the official connector that change which rows land and that connect-c does not
 * implement: refused when turned on (a 400 naming the key) rather than accepted and ignored. */
static int validate_not_supported(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    if (value == NULL) {
        return KC_OK;
    }
    const char *v = value + strspn(value, " \t");
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t')) {
        n--;
    }
    int on = strcmp(d->name, "dateTimeFormats") == 0 ? n > 0
                                                      : n == 4 && strncasecmp(v, "true", 4) == 0;
    if (!on) {
        return KC_OK;
    }
    const char *why =
        strcmp(d->name, "debeziumCDCEnabled") == 0
            ? "connect-c does not unwrap Debezium envelopes (its rows would be the envelope's "
              "fields); leave it false"
        : strcmp(d->name, "auto.evolve") == 0
            ? "connect-c does not add columns to tables (fields the table lacks would be "
              "dropped); add them with ALTER TABLE and leave it false"
            : "connect-c parses DateTime/DateTime64 strings as ISO 8601 only (other patterns "
              "are refused per record); leave it empty";
    return conf_error_invalid(err, d->name, value, "%s", why);
}

static const char *const proxy_types[] = {"", "http", "socks", "direct", "HTTP", "SOCKS", "DIRECT",
                                          NULL};
static const char *const insert_formats[] = {"none", "CSV", "TSV", "JSON", NULL};
static const char *const compressions[] = {"none", "gzip", "zstd", NULL};

#define U INT64_MIN, INT64_MAX
/* name, type, default, default_is_null, importance, doc, group, order, width, display, validator,
 * min, max, allowed, dependents */
const struct conf_def clickhouse_config_def[] = {
    {"hostname", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "ClickHouse server host name or IP address.", "Connection", 1, CONF_WIDTH_MEDIUM,
     "ClickHouse Hostname.", conf_validate_non_empty, U, NULL, NULL},
    {"port", CONF_INT, "8443", 0, CONF_HIGH,
     "ClickHouse HTTP(S) port: 8443 is ClickHouse Cloud's HTTPS port, a self-hosted server's "
     "HTTP port is 8123. Only the HTTP interface is used.",
     "Connection", 2, CONF_WIDTH_SHORT, "ClickHouse Port.", conf_validate_range, 1, 65535, NULL,
     NULL},
    {"database", CONF_STRING, "default", 0, CONF_LOW, "ClickHouse database name.", "Connection", 3,
     CONF_WIDTH_MEDIUM, "ClickHouse database name.", NULL, U, NULL, NULL},
    {"username", CONF_STRING, "", 0, CONF_LOW,
     "ClickHouse user name (\"default\" when the key is absent).", "Connection", 4,
     CONF_WIDTH_MEDIUM, "ClickHouse username.", NULL, U, NULL, NULL},
    {"password", CONF_PASSWORD, "", 0, CONF_LOW, "Password for authentication (trimmed).",
     "Connection", 5, CONF_WIDTH_MEDIUM, "Password for authentication.", NULL, U, NULL, NULL},
    {"ssl", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "Use https. The JVM task treats an absent key as false although ConfigDef says true; so do "
     "we. Always set ssl and port together.",
     "Connection", 6, CONF_WIDTH_SHORT, "enable SSL.", NULL, U, NULL, NULL},
    {"jdbcConnectionProperties", CONF_STRING, "", 0, CONF_LOW,
     "Accepted, no effect: connect-c speaks HTTP, not JDBC (server settings go in "
     "clickhouseSettings).", "Connection", 7,
     CONF_WIDTH_MEDIUM, "JDBC connection properties.", NULL, U, NULL, NULL},
    {"ssl_socket_sni", CONF_STRING, "", 0, CONF_LOW,
     "TLS SNI name to present; setting it also turns off host name and certificate checks.",
     "Connection", 8, CONF_WIDTH_MEDIUM, "SSL socket SNI.", NULL, U, NULL, NULL},
    {"timeoutSeconds", CONF_INT, "30", 0, CONF_LOW, "Socket timeout of a request, in seconds.",
     "Connection", 9, CONF_WIDTH_SHORT, "ClickHouse driver timeout", conf_validate_range, 0, 600,
     NULL, NULL},
    {"retryCount", CONF_INT, "3", 0, CONF_LOW,
     "Accepted, no effect: connect-c retries retriable errors with backoff (100 ms doubling to "
     "10 s) for as long as they last, keeping the rows.",
     "Connection", 10, CONF_WIDTH_SHORT, "ClickHouse driver retry", conf_validate_range, 3, 10,
     NULL, NULL},
    {"clickhouseClientInsertTimeoutMs", CONF_LONG, "240000", 0, CONF_LOW,
     "Upper bound on one insert, in ms; on expiry the insert is retried (retriable). Keep it "
     "below consumer.override.max.poll.interval.ms.",
     "Connection", 11, CONF_WIDTH_SHORT, "Insert timeout (ms)", conf_validate_range, 100,
     INT64_MAX, NULL, NULL},
    {"proxyType", CONF_STRING, "", 0, CONF_LOW, "Outbound proxy kind: http, socks or direct.",
     "Connection", 12, CONF_WIDTH_SHORT, "Proxy type", conf_validate_in, U, proxy_types, NULL},
    {"proxyHost", CONF_STRING, "", 0, CONF_LOW, "Proxy host.", "Connection", 13,
     CONF_WIDTH_MEDIUM, "Proxy host", NULL, U, NULL, NULL},
    {"proxyPort", CONF_INT, "-1", 0, CONF_LOW, "Proxy port.", "Connection", 14, CONF_WIDTH_SHORT,
     "Proxy port", NULL, U, NULL, NULL},
    {"client_version", CONF_STRING, "V1", 0, CONF_LOW,
     "Client generation of the JVM connector (V1 or V2). Accepted and ignored: connect-c has one "
     "HTTP RowBinary client.",
     "Connection", 15, CONF_WIDTH_SHORT, "Client version", NULL, U, NULL, NULL},
    {"compression", CONF_STRING, "none", 0, CONF_LOW,
     "connect-c only: request body compression, none, gzip (every server) or zstd (servers "
     "from 20.x).",
     "Connection", 16, CONF_WIDTH_SHORT, "Request compression", conf_validate_in, U,
     compressions, NULL},

    {"topic2TableMap", CONF_LIST, "", 0, CONF_LOW,
     "Map of topics to tables, topic1=table1,topic2=table2; unmapped topics use the topic name "
     "as the table name.",
     "Routing", 1, CONF_WIDTH_LONG, "Topic to table map", validate_topic_map, U, NULL, NULL},
    {"enableDbTopicSplit", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Treat a topic named <db><char><table> as database and table.", "Routing", 2,
     CONF_WIDTH_SHORT, "Enable DB topic split", NULL, U, NULL, NULL},
    {"dbTopicSplitChar", CONF_STRING, "", 0, CONF_LOW,
     "Separator for enableDbTopicSplit (recommended _, - or .).", "Routing", 3, CONF_WIDTH_SHORT,
     "DB topic split char", NULL, U, NULL, NULL},
    {"suppressTableExistenceException", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "A missing table logs a warning and drops its batch instead of failing the task.", "Routing",
     4, CONF_WIDTH_SHORT, "Suppress table existence exception", NULL, U, NULL, NULL},
    {"tableRefreshInterval", CONF_LONG, "0", 0, CONF_LOW,
     "Seconds between re-reads of table metadata; 0 = only on demand (start, schema errors).",
     "Routing", 5, CONF_WIDTH_SHORT, "Table refresh interval", conf_validate_range, 0, 600, NULL,
     NULL},
    {"clickhouseSettings", CONF_LIST, "", 0, CONF_LOW,
     "Server settings k=v,k=v added to every insert. input_format_skip_unknown_fields=1, "
     "wait_end_of_query=1, async_insert=0 and send_progress_in_http_headers=1 are added unless "
     "set here.",
     "Routing", 6, CONF_WIDTH_LONG, "ClickHouse settings", validate_kv_list, U, NULL, NULL},
    {"clusterName", CONF_STRING, "", 0, CONF_LOW,
     "Accepted, no effect: connect-c issues no DDL.",
     "Routing", 7, CONF_WIDTH_MEDIUM, "Cluster name", NULL, U, NULL, NULL},

    {"insertFormat", CONF_STRING, "none", 0, CONF_LOW,
     "Format of StringConverter payloads: CSV, TSV or JSON (JSONEachRow). JSON when the key is "
     "absent; an explicit none makes string records fail.",
     "Data formats", 1, CONF_WIDTH_SHORT, "Insert format", conf_validate_in, U, insert_formats,
     NULL},
    {"customInsertFormat", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Drives the JVM UI recommender only; no effect.", "Data formats", 2, CONF_WIDTH_SHORT,
     "Custom insert format", NULL, U, NULL, NULL},
    {"dateTimeFormats", CONF_LIST, "", 0, CONF_LOW,
     "Not supported by connect-c (must be empty): strings go into DateTime/DateTime64 as ISO "
     "8601 only.",
     "Data formats", 3, CONF_WIDTH_LONG, "Date time formats", validate_not_supported, U, NULL,
     NULL},
    {"bypassRowBinary", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Accepted, no effect: connect-c always sends RowBinary or Native.", "Data formats", 4,
     CONF_WIDTH_SHORT, "Bypass RowBinary", NULL, U, NULL, NULL},
    {"bypassSchemaValidation", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Accepted, no effect: connect-c checks each record against the table as it encodes it.",
     "Data formats", 5, CONF_WIDTH_SHORT, "Bypass schema validation", NULL, U, NULL, NULL},
    {"bypassFieldCleanup", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Accepted, no effect: keys that are not table columns are always dropped.",
     "Data formats", 6,
     CONF_WIDTH_SHORT, "Bypass field cleanup", NULL, U, NULL, NULL},
    {"debeziumCDCEnabled", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Not supported by connect-c (must be false): Debezium envelopes are not unwrapped.",
     "Data formats", 7, CONF_WIDTH_SHORT, "Debezium CDC", validate_not_supported, U, NULL, NULL},

    {"ignorePartitionsWhenBatching", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "One insert per topic instead of per topic-partition; ignored with exactlyOnce.", "Batching",
     1, CONF_WIDTH_SHORT, "Ignore partitions when batching", NULL, U, NULL, NULL},
    {"bufferCount", CONF_INT, "0", 0, CONF_LOW,
     "Above 0: buffer records across put() calls and insert when this many are held.",
     "Batching", 2, CONF_WIDTH_SHORT, "Buffer count", conf_validate_range, 0, INT64_MAX, NULL,
     NULL},
    {"bufferFlushTime", CONF_LONG, "0", 0, CONF_LOW,
     "Time-based flush of that buffer in ms (only with bufferCount > 0; refused with "
     "exactlyOnce).",
     "Batching", 3, CONF_WIDTH_SHORT, "Buffer flush time", conf_validate_range, 0, INT64_MAX, NULL,
     NULL},
    {"reportInsertedOffsets", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "preCommit returns only offsets actually inserted.", "Batching", 4, CONF_WIDTH_SHORT,
     "Report inserted offsets", NULL, U, NULL, NULL},

    {"exactlyOnce", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Exactly-once delivery. connect-c records batch boundaries with the offsets it commits and "
     "sends insert_deduplication_token per insert; no KeeperMap table is needed.",
     "Exactly once", 1, CONF_WIDTH_SHORT, "Exactly once", NULL, U, NULL, NULL},
    {"zkPath", CONF_STRING, "/kafka-connect", 0, CONF_LOW,
     "KeeperMap root path of the JVM connector's state table (accepted, unused by connect-c).",
     "Exactly once", 2, CONF_WIDTH_MEDIUM, "ZK path", validate_zk_path, U, NULL, NULL},
    {"zkDatabase", CONF_STRING, "connect_state", 0, CONF_LOW,
     "Table name of the JVM connector's state table (accepted, unused by connect-c).",
     "Exactly once", 3, CONF_WIDTH_MEDIUM, "ZK database", NULL, U, NULL, NULL},
    {"keeperOnCluster", CONF_STRING, "", 0, CONF_LOW,
     "ON CLUSTER name for the JVM connector's state table (accepted, unused by connect-c).",
     "Exactly once", 4, CONF_WIDTH_MEDIUM, "Keeper on cluster", NULL, U, NULL, NULL},
    {"tolerateStateMismatch", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Skip a batch older than the stored state with a warning instead of failing.",
     "Exactly once", 5, CONF_WIDTH_SHORT, "Tolerate state mismatch", NULL, U, NULL, NULL},

    {"auto.evolve", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Not supported by connect-c (must be false): it adds no columns.", "DDL", 1,
     CONF_WIDTH_SHORT, "Auto evolve", validate_not_supported, U, NULL, NULL},
    {"auto.evolve.ddl.refresh.retries", CONF_INT, "3", 0, CONF_LOW,
     "Accepted, no effect (auto.evolve is not supported).", "DDL", 2,
     CONF_WIDTH_SHORT, "Auto evolve DDL refresh retries", conf_validate_range, 0, INT64_MAX, NULL,
     NULL},
    {"auto.evolve.struct.to.json", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "Accepted, no effect (auto.evolve is not supported).", "DDL", 3, CONF_WIDTH_SHORT,
     "Auto evolve struct to JSON", NULL, U, NULL, NULL},
    {.name = NULL},
};
#undef U

/* ---- topic2TableMap ---- */

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) {
        (*n)--;
    }
}

int clickhouse_topic_map_parse(const char *s, struct clickhouse_topic_map *m, struct kc_error *err)
{
    struct kc_buf why;
    int rc = KC_OK;
    memset(m, 0, sizeof(*m));
    kc_buf_init(&why, 700);
    const char *p = s;
    while (*p != '\0') {
        size_t n = strcspn(p, ",");
        const char *e = p;
        size_t en = n;
        trim(&e, &en);
        p += n;
        if (*p == ',') {
            p++;
        }
        if (en == 0) {
            continue; /* "a=b," and "" (an empty LIST) */
        }
        const char *eq = memchr(e, '=', en);
        const char *t = eq != NULL ? eq + 1 : NULL, *k = e;
        size_t kn = eq != NULL ? (size_t)(eq - e) : 0, tn = eq != NULL ? en - kn - 1 : 0;
        if (eq != NULL) {
            trim(&k, &kn);
            trim(&t, &tn);
        }
        const char *problem = NULL;
        if (eq == NULL || memchr(t, '=', tn) != NULL) {
            problem = "is not topic=table";
        } else if (kn == 0) {
            problem = "has an empty topic";
        } else if (tn == 0) {
            problem = "has an empty table";
        } else {
            for (size_t i = 0; i < m->n; i++) {
                if (strlen(m->topics[i]) == kn && memcmp(m->topics[i], k, kn) == 0) {
                    problem = "maps a topic that is already mapped";
                }
            }
        }
        if (problem != NULL) {
            /* Keep going: the user sees every bad entry at once. Overlong lists lose the tail
             * of the message only (the buffer's cap), never an entry's verdict. */
            if (why.len > 0) {
                kc_buf_append_str(&why, "; ");
            }
            kc_buf_printf(&why, "entry '%.*s' %s", (int)en, e, problem);
            rc = KC_EINVAL;
            continue;
        }
        char *tk = kc_strndup(k, kn), *tt = kc_strndup(t, tn);
        char **nt = tk && tt ? kc_realloc(m->topics, (m->n + 1) * sizeof(char *)) : NULL;
        if (nt != NULL) {
            m->topics = nt;
        }
        char **ntb = nt ? kc_realloc(m->tables, (m->n + 1) * sizeof(char *)) : NULL;
        if (ntb == NULL) {
            kc_free(tk);
            kc_free(tt);
            kc_buf_fini(&why);
            clickhouse_topic_map_fini(m);
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        m->tables = ntb;
        m->topics[m->n] = tk;
        m->tables[m->n] = tt;
        m->n++;
    }
    if (rc != KC_OK) {
        conf_error_invalid(err, "topic2TableMap", s, "%s",
                           why.data != NULL ? why.data : "bad entries");
        clickhouse_topic_map_fini(m);
    }
    kc_buf_fini(&why);
    return rc;
}

void clickhouse_topic_map_fini(struct clickhouse_topic_map *m)
{
    if (m == NULL) {
        return;
    }
    for (size_t i = 0; i < m->n; i++) {
        kc_free(m->topics[i]);
        kc_free(m->tables[i]);
    }
    kc_free(m->topics);
    kc_free(m->tables);
    memset(m, 0, sizeof(*m));
}

const char *clickhouse_topic_map_table(const struct clickhouse_topic_map *m, const char *topic)
{
    for (size_t i = 0; i < m->n; i++) {
        if (strcmp(m->topics[i], topic) == 0) {
            return m->tables[i];
        }
    }
    return topic;
}

/* ---- typed config ---- */

void clickhouse_config_free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        kc_free(v[i]);
    }
    kc_free(v);
}

void clickhouse_config_fini(struct clickhouse_config *cfg)
{
    if (cfg == NULL) {
        return;
    }
    char **strs[] = {&cfg->hostname, &cfg->database, &cfg->username, &cfg->password,
                     &cfg->jdbc_connection_properties, &cfg->ssl_socket_sni, &cfg->proxy_type,
                     &cfg->proxy_host, &cfg->client_version, &cfg->db_topic_split_char,
                     &cfg->cluster_name, &cfg->insert_format, &cfg->zk_path, &cfg->zk_database,
                     &cfg->keeper_on_cluster};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        if (*strs[i] == cfg->password && cfg->password != NULL) {
            memset(cfg->password, 0, strlen(cfg->password));
        }
        kc_free(*strs[i]);
    }
    kc_free(cfg->proxy_url);
    clickhouse_topic_map_fini(&cfg->topic2table);
    clickhouse_config_free_strv(cfg->settings, cfg->n_settings);
    clickhouse_config_free_strv(cfg->date_time_formats, cfg->n_date_time_formats);
    memset(cfg, 0, sizeof(*cfg));
}

/* Parse key through its definition; *present says whether the user set it. */
static int get(const struct kc_strmap *props, const char *key, struct conf_value *v, int *present,
               struct kc_error *err)
{
    const struct conf_def *d = conf_def_find(clickhouse_config_def, key);
    const char *raw = kc_strmap_get(props, key);
    if (present != NULL) {
        *present = raw != NULL;
    }
    if (raw == NULL) {
        if (conf_def_required(d)) {
            return kc_error_set(err, KC_EINVAL, "Missing required configuration \"%s\" which has "
                                "no default value.", key);
        }
        raw = d->default_value;
    }
    int rc = conf_value_parse(d, raw, v, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (d->validator != NULL) {
        char *s = conf_value_to_string(v, 1);
        rc = d->validator(d, v->is_null ? NULL : s, err);
        kc_free(s);
        if (rc != KC_OK) {
            conf_value_fini(v);
        }
    }
    return rc;
}

static int get_str(const struct kc_strmap *props, const char *key, char **out, struct kc_error *err)
{
    struct conf_value v;
    int rc = get(props, key, &v, NULL, err);
    if (rc != KC_OK) {
        return rc;
    }
    *out = kc_strdup(v.is_null || v.u.s == NULL ? "" : v.u.s);
    conf_value_fini(&v);
    return *out != NULL ? KC_OK : kc_error_set(err, KC_ENOMEM, "out of memory");
}

static int get_int(const struct kc_strmap *props, const char *key, int64_t *out,
                   struct kc_error *err)
{
    struct conf_value v;
    int rc = get(props, key, &v, NULL, err);
    if (rc != KC_OK) {
        return rc;
    }
    *out = v.type == CONF_BOOLEAN ? v.u.b : v.u.i;
    conf_value_fini(&v);
    return KC_OK;
}

static int has_setting(char **list, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(list[i], key, kl) == 0 && list[i][kl] == '=') {
            return 1;
        }
    }
    return 0;
}

int clickhouse_config_parse(const struct kc_strmap *props, struct clickhouse_config *cfg,
                            struct kc_error *err)
{
    int64_t i64;
    int rc = KC_OK, present;
    struct conf_value v;
    memset(cfg, 0, sizeof(*cfg));
#define STR(key, field)                                                                            \
    if ((rc = get_str(props, key, &cfg->field, err)) != KC_OK)                                     \
    goto fail
#define NUM(key, field, type)                                                                      \
    if ((rc = get_int(props, key, &i64, err)) != KC_OK)                                            \
        goto fail;                                                                                 \
    cfg->field = (type)i64
    STR("hostname", hostname);
    NUM("port", port, int);
    STR("database", database);
    STR("username", username);
    STR("password", password);
    STR("jdbcConnectionProperties", jdbc_connection_properties);
    STR("ssl_socket_sni", ssl_socket_sni);
    NUM("timeoutSeconds", timeout_seconds, int);
    NUM("retryCount", retry_count, int);
    NUM("clickhouseClientInsertTimeoutMs", insert_timeout_ms, int64_t);
    STR("proxyType", proxy_type);
    STR("proxyHost", proxy_host);
    NUM("proxyPort", proxy_port, int);
    STR("client_version", client_version);
    NUM("enableDbTopicSplit", enable_db_topic_split, int);
    STR("dbTopicSplitChar", db_topic_split_char);
    NUM("suppressTableExistenceException", suppress_table_existence_exception, int);
    NUM("tableRefreshInterval", table_refresh_interval_s, int64_t);
    STR("clusterName", cluster_name);
    NUM("customInsertFormat", bypass_row_binary, int); /* parsed for validation only */
    NUM("bypassRowBinary", bypass_row_binary, int);
    NUM("bypassSchemaValidation", bypass_schema_validation, int);
    NUM("bypassFieldCleanup", bypass_field_cleanup, int);
    NUM("debeziumCDCEnabled", debezium_cdc_enabled, int);
    NUM("ignorePartitionsWhenBatching", ignore_partitions_when_batching, int);
    NUM("bufferCount", buffer_count, int64_t);
    NUM("bufferFlushTime", buffer_flush_time_ms, int64_t);
    NUM("reportInsertedOffsets", report_inserted_offsets, int);
    NUM("exactlyOnce", exactly_once, int);
    STR("zkPath", zk_path);
    STR("zkDatabase", zk_database);
    STR("keeperOnCluster", keeper_on_cluster);
    NUM("tolerateStateMismatch", tolerate_state_mismatch, int);
    NUM("auto.evolve", auto_evolve, int);
    NUM("auto.evolve.ddl.refresh.retries", auto_evolve_ddl_refresh_retries, int);
    NUM("auto.evolve.struct.to.json", auto_evolve_struct_to_json, int);
#undef STR
#undef NUM

    /* Effective defaults of the JVM task (it reads raw properties, not ConfigDef's values). */
    if ((rc = get(props, "ssl", &v, &present, err)) != KC_OK) {
        goto fail;
    }
    cfg->ssl = present ? v.u.b : 0;
    conf_value_fini(&v);
    if (!kc_strmap_has(props, "username") || cfg->username[0] == '\0') {
        kc_free(cfg->username);
        if ((cfg->username = kc_strdup("default")) == NULL) {
            goto oom;
        }
    }
    if ((rc = get(props, "insertFormat", &v, &present, err)) != KC_OK) {
        goto fail;
    }
    cfg->insert_format = kc_strdup(present ? v.u.s : "JSON");
    conf_value_fini(&v);
    if (cfg->insert_format == NULL) {
        goto oom;
    }
    if ((rc = get(props, "compression", &v, NULL, err)) != KC_OK) {
        goto fail;
    }
    cfg->compression = strcmp(v.u.s, "gzip") == 0   ? CH_COMPRESS_GZIP
                       : strcmp(v.u.s, "zstd") == 0 ? CH_COMPRESS_ZSTD
                                                    : CH_COMPRESS_NONE;
    conf_value_fini(&v);

    const char *tm = kc_strmap_get(props, "topic2TableMap");
    if ((rc = clickhouse_topic_map_parse(tm != NULL ? tm : "", &cfg->topic2table, err)) != KC_OK) {
        goto fail;
    }

    /* clickhouseSettings: the user's first, then the connector's pre-seeded ones. */
    if ((rc = get(props, "clickhouseSettings", &v, NULL, err)) != KC_OK) {
        goto fail;
    }
    for (size_t i = 0; i < v.u.list.n && rc == KC_OK; i++) {
        rc = kc_strv_push(&cfg->settings, &cfg->n_settings, v.u.list.items[i]);
    }
    conf_value_fini(&v);
    static const char *const seeded[] = {"input_format_skip_unknown_fields=1",
                                         "wait_end_of_query=1",
                                         "send_progress_in_http_headers=1"};
    for (size_t i = 0; i < 3 && rc == KC_OK; i++) {
        char key[64];
        size_t kl = strcspn(seeded[i], "=");
        memcpy(key, seeded[i], kl);
        key[kl] = '\0';
        if (!has_setting(cfg->settings, cfg->n_settings, key)) {
            rc = kc_strv_push(&cfg->settings, &cfg->n_settings, seeded[i]);
        }
    }
    if (rc != KC_OK) {
        goto oom;
    }
    if ((rc = get(props, "dateTimeFormats", &v, NULL, err)) != KC_OK) {
        goto fail;
    }
    for (size_t i = 0; i < v.u.list.n && rc == KC_OK; i++) {
        rc = kc_strv_push(&cfg->date_time_formats, &cfg->n_date_time_formats, v.u.list.items[i]);
    }
    conf_value_fini(&v);
    if (rc != KC_OK) {
        goto oom;
    }
    /* The password is trimmed, as ClickHouseSinkConfig does. */
    {
        char *p = cfg->password;
        size_t n = strlen(p), b = 0;
        while (b < n && (p[b] == ' ' || p[b] == '\t' || p[b] == '\n' || p[b] == '\r')) {
            b++;
        }
        while (n > b && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\n' ||
                         p[n - 1] == '\r')) {
            n--;
        }
        memmove(p, p + b, n - b);
        p[n - b] = '\0';
    }

    if (cfg->proxy_type[0] != '\0' && strcasecmp(cfg->proxy_type, "direct") != 0) {
        if (cfg->proxy_host[0] == '\0' || cfg->proxy_port < 1 || cfg->proxy_port > 65535) {
            rc = kc_error_set(err, KC_EINVAL, "proxyType %s needs proxyHost and a proxyPort in "
                              "1..65535", cfg->proxy_type);
            goto fail;
        }
        cfg->proxy_url = kc_asprintf("%s://%s:%d",
                                     strcasecmp(cfg->proxy_type, "socks") == 0 ? "socks5h" : "http",
                                     cfg->proxy_host, cfg->proxy_port);
        if (cfg->proxy_url == NULL) {
            goto oom;
        }
    }

    /* Cross-key rules of the JVM task. */
    if (cfg->exactly_once && cfg->buffer_flush_time_ms > 0) {
        rc = kc_error_set(err, KC_EINVAL, "bufferFlushTime > 0 is not allowed with "
                          "exactlyOnce=true: batch boundaries must be reproducible");
        goto fail;
    }
    if (cfg->exactly_once) {
        cfg->ignore_partitions_when_batching = 0;
    }
    return KC_OK;
oom:
    rc = kc_error_set(err, KC_ENOMEM, "out of memory");
fail:
    clickhouse_config_fini(cfg);
    return rc;
}

int clickhouse_config_http(const struct clickhouse_config *cfg, int server_major,
                           struct clickhouse_http_conf *hc, char ***extra_owned, size_t *n_extra,
                           struct kc_error *err)
{
    memset(hc, 0, sizeof(*hc));
    *extra_owned = NULL;
    *n_extra = 0;
    hc->host = cfg->hostname;
    hc->port = cfg->port;
    hc->ssl = cfg->ssl;
    hc->ssl_verify = cfg->ssl_socket_sni[0] == '\0';
    hc->sni = cfg->ssl_socket_sni[0] != '\0' ? cfg->ssl_socket_sni : NULL;
    hc->user = cfg->username;
    hc->password = cfg->password;
    hc->auth = CH_AUTH_BASIC;
    hc->database = cfg->database;
    hc->connect_timeout_ms = 10000;
    hc->timeout_ms = cfg->insert_timeout_ms;
    hc->socket_timeout_ms = (long)cfg->timeout_seconds * 1000;
    hc->proxy = cfg->proxy_url;
    hc->compression = cfg->compression;
    char **list = NULL;
    size_t n = 0;
    int rc = KC_OK;
    for (size_t i = 0; i < cfg->n_settings && rc == KC_OK; i++) {
        rc = kc_strv_push(&list, &n, cfg->settings[i]);
    }
    /* async_insert exists from 21.11; an unknown setting fails every query on older servers. */
    if (rc == KC_OK && server_major >= 22 && !has_setting(list, n, "async_insert")) {
        rc = kc_strv_push(&list, &n, "async_insert=0");
    }
    if (rc != KC_OK) {
        clickhouse_config_free_strv(list, n);
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    hc->settings = (const char *const *)list;
    hc->n_settings = n;
    *extra_owned = list;
    *n_extra = n;
    return KC_OK;
}
