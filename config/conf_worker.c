/*
 * config/conf_worker.c: loading, validating, dumping and translating the worker config.
 *
 * Load order is the JVM image's: the properties file, then CONNECT_* variables on top (the
 * image writes them into the file), then config-provider resolution (AbstractConfig resolves
 * with the providers the same properties declare), then ConfigDef.parse in definition order,
 * where the first bad key stops the worker with the JVM's ConfigException text.
 *
 * The librdkafka translation table below is the one place that knows how a Java client key
 * maps onto librdkafka; a key missing from it is dropped with a DEBUG line rather than passed
 * through, because librdkafka rejects unknown properties and Java-only keys are common in
 * worker files (key.deserializer, interceptor.classes, ...).
 */
#include "conf_worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_props.h"
#include "conf_truststore.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"

/* Prefixes under which the worker (or a plugin it configures) reads keys it does not define:
 * such keys are not "unknown". */
static const char *const known_prefixes[] = {
    "consumer.",         "producer.",       "admin.",          "key.converter.",
    "value.converter.",  "header.converter.", "config.providers.", "config.storage.",
    "offset.storage.",   "status.storage.", "listeners.",      "admin.listeners.",
    "ssl.",              "sasl.",           "metrics.context.", "rest.extension.",
    "log4j.",            "internal.key.converter", "internal.value.converter", NULL,
};

int worker_config_key_known(const char *name)
{
    if (conf_def_find(worker_config_def, name) != NULL) {
        return 1;
    }
    for (size_t i = 0; known_prefixes[i] != NULL; i++) {
        if (strncmp(name, known_prefixes[i], strlen(known_prefixes[i])) == 0) {
            return 1;
        }
    }
    return 0;
}

void worker_config_fini(struct worker_config *wc)
{
    if (wc == NULL) {
        return;
    }
    kc_strmap_fini(&wc->props);
    kc_strmap_fini(&wc->raw);
    conf_providers_free(wc->providers);
    for (size_t i = 0; i < wc->n_values; i++) {
        conf_value_fini(&wc->values[i]);
    }
    kc_free(wc->values);
    kc_free(wc->bootstrap_servers);
    memset(wc, 0, sizeof(*wc));
}

const struct conf_value *worker_config_value(const struct worker_config *wc, const char *name)
{
    for (size_t i = 0; i < wc->n_values; i++) {
        if (strcmp(worker_config_def[i].name, name) == 0) {
            return &wc->values[i];
        }
    }
    return NULL;
}

static const char *get_str(const struct worker_config *wc, const char *name)
{
    const struct conf_value *v = worker_config_value(wc, name);
    return v != NULL && !v->is_null ? v->u.s : NULL;
}

static int64_t get_int(const struct worker_config *wc, const char *name, int64_t dflt)
{
    const struct conf_value *v = worker_config_value(wc, name);
    return v != NULL && !v->is_null ? v->u.i : dflt;
}

static int get_bool(const struct worker_config *wc, const char *name)
{
    const struct conf_value *v = worker_config_value(wc, name);
    return v != NULL && !v->is_null && v->u.b;
}

static struct worker_list get_list(const struct worker_config *wc, const char *name)
{
    const struct conf_value *v = worker_config_value(wc, name);
    struct worker_list l = {NULL, 0};

    if (v != NULL && !v->is_null) {
        l.items = v->u.list.items;
        l.n = v->u.list.n;
    }
    return l;
}

static int list_has(struct worker_list l, const char *s)
{
    for (size_t i = 0; i < l.n; i++) {
        if (strcmp(l.items[i], s) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ConnectorClientConfigOverridePolicy by alias or class name (the JVM's plugin aliases). */
static int parse_policy(const char *s, enum worker_override_policy *p)
{
    static const struct {
        const char *name;
        enum worker_override_policy p;
    } map[] = {
        {"All", WORKER_POLICY_ALL},
        {"AllConnectorClientConfigOverridePolicy", WORKER_POLICY_ALL},
        {"org.apache.kafka.connect.connector.policy.AllConnectorClientConfigOverridePolicy",
         WORKER_POLICY_ALL},
        {"None", WORKER_POLICY_NONE},
        {"NoneConnectorClientConfigOverridePolicy", WORKER_POLICY_NONE},
        {"org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy",
         WORKER_POLICY_NONE},
        {"Principal", WORKER_POLICY_PRINCIPAL},
        {"PrincipalConnectorClientConfigOverridePolicy", WORKER_POLICY_PRINCIPAL},
        {"org.apache.kafka.connect.connector.policy.PrincipalConnectorClientConfigOverridePolicy",
         WORKER_POLICY_PRINCIPAL},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strcmp(map[i].name, s) == 0) {
            *p = map[i].p;
            return 0;
        }
    }
    return -1;
}

static char *join_items(struct worker_list l)
{
    struct kc_buf b;
    int rc = KC_OK;

    kc_buf_init(&b, (size_t)1 << 24);
    for (size_t i = 0; rc == KC_OK && i < l.n; i++) {
        if (i > 0) {
            rc = kc_buf_append_byte(&b, ',');
        }
        if (rc == KC_OK) {
            rc = kc_buf_append_str(&b, l.items[i]);
        }
    }
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

static int fill_typed(struct worker_config *wc, struct kc_error *err)
{
    wc->bootstrap_list = get_list(wc, "bootstrap.servers");
    wc->bootstrap_servers = join_items(wc->bootstrap_list);
    if (wc->bootstrap_servers == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory loading the worker config");
    }
    wc->group_id = get_str(wc, "group.id");
    wc->config_storage_topic = get_str(wc, "config.storage.topic");
    wc->offset_storage_topic = get_str(wc, "offset.storage.topic");
    wc->status_storage_topic = get_str(wc, "status.storage.topic");
    wc->offset_storage_partitions = (int32_t)get_int(wc, "offset.storage.partitions", 25);
    wc->status_storage_partitions = (int32_t)get_int(wc, "status.storage.partitions", 5);
    wc->config_storage_replication_factor =
        (int16_t)get_int(wc, "config.storage.replication.factor", 3);
    wc->offset_storage_replication_factor =
        (int16_t)get_int(wc, "offset.storage.replication.factor", 3);
    wc->status_storage_replication_factor =
        (int16_t)get_int(wc, "status.storage.replication.factor", 3);
    wc->listeners = get_list(wc, "listeners");
    wc->rest_advertised_host_name = get_str(wc, "rest.advertised.host.name");
    wc->rest_advertised_port = (int32_t)get_int(wc, "rest.advertised.port", -1);
    wc->rest_advertised_listener = get_str(wc, "rest.advertised.listener");
    const struct conf_value *al = worker_config_value(wc, "admin.listeners");
    wc->admin_listeners_set = al != NULL && !al->is_null;
    wc->admin_listeners = get_list(wc, "admin.listeners");
    wc->offset_flush_interval_ms = get_int(wc, "offset.flush.interval.ms", 60000);
    wc->offset_flush_timeout_ms = get_int(wc, "offset.flush.timeout.ms", 5000);
    wc->task_shutdown_graceful_timeout_ms = get_int(wc, "task.shutdown.graceful.timeout.ms", 5000);
    wc->task_memory_budget_bytes = get_int(wc, "task.memory.budget.bytes", 268435456);
    wc->rest_max_connections = (int32_t)get_int(wc, "rest.max.connections", 64);
    wc->rest_max_connections_per_ip = (int32_t)get_int(wc, "rest.max.connections.per.ip", 32);
    wc->rest_header_timeout_ms = (int32_t)get_int(wc, "rest.request.header.timeout.ms", 30000);
    wc->rest_body_timeout_ms = (int32_t)get_int(wc, "rest.request.body.timeout.ms", 90000);
    wc->rest_max_body_bytes = (int32_t)get_int(wc, "rest.max.request.body.bytes", 10485760);
    wc->key_converter = get_str(wc, "key.converter");
    wc->value_converter = get_str(wc, "value.converter");
    wc->header_converter = get_str(wc, "header.converter");
    wc->override_policy_name = get_str(wc, "connector.client.config.override.policy");
    wc->topic_tracking_enable = get_bool(wc, "topic.tracking.enable");
    wc->topic_tracking_allow_reset = get_bool(wc, "topic.tracking.allow.reset");
    wc->client_id = get_str(wc, "client.id");
    wc->plugin_path = get_list(wc, "plugin.path");
    wc->config_providers = get_list(wc, "config.providers");
    wc->session_timeout_ms = (int32_t)get_int(wc, "session.timeout.ms", 10000);
    wc->heartbeat_interval_ms = (int32_t)get_int(wc, "heartbeat.interval.ms", 3000);
    wc->rebalance_timeout_ms = (int32_t)get_int(wc, "rebalance.timeout.ms", 60000);
    wc->worker_sync_timeout_ms = (int32_t)get_int(wc, "worker.sync.timeout.ms", 3000);
    wc->worker_unsync_backoff_ms = (int32_t)get_int(wc, "worker.unsync.backoff.ms", 300000);
    wc->scheduled_rebalance_max_delay_ms =
        (int32_t)get_int(wc, "scheduled.rebalance.max.delay.ms", 300000);
    wc->connect_protocol = get_str(wc, "connect.protocol");
    wc->inter_worker_key_generation_algorithm = get_str(wc, "inter.worker.key.generation.algorithm");
    wc->inter_worker_key_size = (int32_t)get_int(wc, "inter.worker.key.size", -1);
    wc->inter_worker_key_ttl_ms = (int32_t)get_int(wc, "inter.worker.key.ttl.ms", 3600000);
    wc->inter_worker_signature_algorithm = get_str(wc, "inter.worker.signature.algorithm");
    wc->inter_worker_verification_algorithms = get_list(wc, "inter.worker.verification.algorithms");
    wc->exactly_once_source_support = get_str(wc, "exactly.once.source.support");
    wc->security_protocol = get_str(wc, "security.protocol");
    wc->request_timeout_ms = (int32_t)get_int(wc, "request.timeout.ms", 40000);
    wc->access_control_allow_origin = get_str(wc, "access.control.allow.origin");
    wc->access_control_allow_methods = get_str(wc, "access.control.allow.methods");
    wc->response_http_headers_config = get_str(wc, "response.http.headers.config");
    wc->rest_extension_classes = get_list(wc, "rest.extension.classes");

    if (parse_policy(wc->override_policy_name, &wc->override_policy) != 0) {
        return conf_error_invalid(err, "connector.client.config.override.policy",
                                  wc->override_policy_name,
                                  "Class %s could not be found.", wc->override_policy_name);
    }
    /* DistributedConfig.ensureVerificationAlgorithmsIncludeSignatureAlgorithm */
    if (!list_has(wc->inter_worker_verification_algorithms, wc->inter_worker_signature_algorithm)) {
        return conf_error_invalid(err, "inter.worker.signature.algorithm",
                                  wc->inter_worker_signature_algorithm,
                                  "Signature algorithm must be present in "
                                  "inter.worker.verification.algorithms list");
    }
    return KC_OK;
}

int worker_config_from_map(const struct kc_strmap *props, char *const *envp,
                           struct worker_config *wc, struct kc_error *err)
{
    char **errors = NULL;
    size_t n_errors = 0;
    int rc = KC_OK;

    memset(wc, 0, sizeof(*wc));
    kc_strmap_init(&wc->props);
    kc_strmap_init(&wc->raw);
    for (size_t i = 0; i < props->n; i++) {
        if (kc_strmap_set(&wc->raw, props->e[i].key, props->e[i].value) != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory loading the worker config");
            goto out;
        }
    }
    rc = conf_providers_new(&wc->raw, envp, &wc->providers, err);
    if (rc != KC_OK) {
        goto out;
    }
    rc = conf_providers_transform(wc->providers, &wc->raw, &wc->props, err);
    if (rc != KC_OK) {
        goto out;
    }
    wc->n_values = conf_def_count(worker_config_def);
    wc->values = kc_calloc(wc->n_values, sizeof(*wc->values));
    if (wc->values == NULL) {
        wc->n_values = 0;
        rc = kc_error_set(err, KC_ENOMEM, "out of memory loading the worker config");
        goto out;
    }
    for (size_t i = 0; i < wc->n_values; i++) {
        wc->values[i].is_null = 1;
    }
    /* ConfigDef.parse: definition order, first failure wins */
    for (size_t i = 0; i < wc->n_values; i++) {
        const struct conf_def *d = &worker_config_def[i];
        rc = conf_def_validate_one(d, kc_strmap_has(&wc->props, d->name),
                                   kc_strmap_get(&wc->props, d->name), &wc->values[i], &errors,
                                   &n_errors);
        if (rc != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory loading the worker config");
            goto out;
        }
        if (n_errors > 0) {
            rc = kc_error_set(err, KC_EINVAL, "%s", errors[0]);
            goto out;
        }
    }
    rc = fill_typed(wc, err);
    if (rc != KC_OK) {
        goto out;
    }
    for (size_t i = 0; i < wc->props.n; i++) {
        if (!worker_config_key_known(wc->props.e[i].key)) {
            kc_log(KC_LOG_WARN, "config", "The configuration '%s' was supplied but isn't a known config.",
                   wc->props.e[i].key);
        }
    }
    /* Compose files written for the JVM image always set plugin.path (CONNECT_PLUGIN_PATH), a
     * list of jar directories; our plugins are compiled in, so the key is accepted, has no
     * effect, and the operator is told so once. */
    if (wc->plugin_path.n > 0) {
        kc_log(KC_LOG_INFO, "config",
               "plugin.path is ignored: connect-c's connectors, converters and transforms are "
               "built in (GET /connector-plugins lists them)");
    }
out:
    for (size_t i = 0; i < n_errors; i++) {
        kc_free(errors[i]);
    }
    kc_free(errors);
    if (rc != KC_OK) {
        worker_config_fini(wc);
    }
    return rc;
}

int worker_config_load(const char *path, char *const *envp, struct worker_config *wc,
                       struct kc_error *err)
{
    struct kc_strmap props;
    int rc = KC_OK;

    memset(wc, 0, sizeof(*wc));
    kc_strmap_init(&props);
    if (path != NULL) {
        rc = conf_props_load(path, &props, err);
        if (rc != KC_OK) {
            goto out;
        }
    }
    rc = conf_props_apply_env(envp, &props, err);
    if (rc != KC_OK) {
        goto out;
    }
    rc = worker_config_from_map(&props, envp, wc, err);
out:
    kc_strmap_fini(&props);
    return rc;
}

static int cmp_def_index(const void *a, const void *b)
{
    const struct conf_def *x = &worker_config_def[*(const size_t *)a];
    const struct conf_def *y = &worker_config_def[*(const size_t *)b];
    return strcmp(x->name, y->name);
}

char *worker_config_dump(const struct worker_config *wc)
{
    struct kc_buf b;
    size_t *idx = NULL;
    int rc;

    idx = kc_malloc((wc->n_values + 1) * sizeof(*idx));
    if (idx == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < wc->n_values; i++) {
        idx[i] = i;
    }
    qsort(idx, wc->n_values, sizeof(*idx), cmp_def_index);
    kc_buf_init(&b, (size_t)1 << 24);
    rc = kc_buf_append_str(&b, "DistributedConfig values: \n");
    /* The JVM's keys as the JVM logs them; connect-c's own ("connect-c:" docs) after them. */
    for (int own = 0; own < 2; own++) {
        if (own && rc == KC_OK) {
            rc = kc_buf_append_str(&b, "connect-c values: \n");
        }
        for (size_t i = 0; rc == KC_OK && i < wc->n_values; i++) {
            const struct conf_def *d = &worker_config_def[idx[i]];
            if ((d->doc != NULL && strncmp(d->doc, "connect-c:", 10) == 0) != own) {
                continue;
            }
            char *v = conf_value_to_log_string(&wc->values[idx[i]]);
            rc = v != NULL ? kc_buf_printf(&b, "\t%s = %s\n", d->name, v) : KC_ENOMEM;
            kc_free(v);
        }
    }
    kc_free(idx);
    if (rc != KC_OK) {
        kc_buf_fini(&b);
        return NULL;
    }
    return kc_buf_take(&b, NULL);
}

void worker_config_log(const struct worker_config *wc)
{
    char *s = worker_config_dump(wc);
    const char *p = s;

    /* kc_log caps one line at 2 KiB, and the dump is several KiB: emit it in chunks cut at
     * line ends, so every "\tkey = value" line stays whole for operators' greps */
    while (p != NULL && *p != '\0') {
        size_t n = strlen(p);
        if (n > 1800) {
            const char *cut = p + 1800;
            while (cut > p && cut[-1] != '\n') {
                cut--;
            }
            n = cut > p ? (size_t)(cut - p) : 1800;
        }
        kc_log_block(KC_LOG_INFO, "config", p, n);
        p += n;
    }
    kc_free(s);
}

/* ---- librdkafka translation ---- */

enum client_scope {
    SC_COMMON = 1,   /* every client */
    SC_CONSUMER = 2,
    SC_PRODUCER = 4,
};

enum translate_how {
    TR_SAME,         /* same name, same value */
    TR_RENAME,       /* to another name */
    TR_SPECIAL,      /* handled in code */
    TR_DROP,         /* Java-only: dropped with DEBUG */
};

struct client_key {
    const char *java;
    const char *rdk;
    enum translate_how how;
    unsigned scope;
};

static const struct client_key client_keys[] = {
    {"bootstrap.servers", "bootstrap.servers", TR_SPECIAL, SC_COMMON},
    {"client.id", "client.id", TR_SPECIAL, SC_COMMON},
    {"security.protocol", "security.protocol", TR_SAME, SC_COMMON},
    {"sasl.mechanism", "sasl.mechanisms", TR_RENAME, SC_COMMON},
    {"sasl.jaas.config", NULL, TR_SPECIAL, SC_COMMON},
    {"sasl.kerberos.service.name", "sasl.kerberos.service.name", TR_SAME, SC_COMMON},
    {"sasl.kerberos.min.time.before.relogin", "sasl.kerberos.min.time.before.relogin", TR_SAME,
     SC_COMMON},
    {"sasl.oauthbearer.token.endpoint.url", "sasl.oauthbearer.token.endpoint.url", TR_SAME,
     SC_COMMON},
    {"sasl.oauthbearer.scope", "sasl.oauthbearer.scope", TR_SAME, SC_COMMON},
    {"ssl.truststore.location", NULL, TR_SPECIAL, SC_COMMON},
    {"ssl.truststore.certificates", "ssl.ca.pem", TR_RENAME, SC_COMMON},
    {"ssl.keystore.location", NULL, TR_SPECIAL, SC_COMMON},
    {"ssl.keystore.key", "ssl.key.pem", TR_RENAME, SC_COMMON},
    {"ssl.keystore.certificate.chain", "ssl.certificate.pem", TR_RENAME, SC_COMMON},
    {"ssl.key.password", "ssl.key.password", TR_SAME, SC_COMMON},
    {"ssl.endpoint.identification.algorithm", NULL, TR_SPECIAL, SC_COMMON},
    {"request.timeout.ms", NULL, TR_SPECIAL, SC_COMMON},
    /* Java refreshes metadata (and regex subscriptions) every metadata.max.age.ms; librdkafka
     * does so every topic.metadata.refresh.interval.ms (its metadata.max.age.ms is only the
     * cache age, 3x the interval by default). */
    {"metadata.max.age.ms", "topic.metadata.refresh.interval.ms", TR_RENAME, SC_COMMON},
    {"connections.max.idle.ms", "connections.max.idle.ms", TR_SAME, SC_COMMON},
    {"retry.backoff.ms", "retry.backoff.ms", TR_SAME, SC_COMMON},
    {"retry.backoff.max.ms", "retry.backoff.max.ms", TR_SAME, SC_COMMON},
    {"reconnect.backoff.ms", "reconnect.backoff.ms", TR_SAME, SC_COMMON},
    {"reconnect.backoff.max.ms", "reconnect.backoff.max.ms", TR_SAME, SC_COMMON},
    {"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.ms", TR_SAME,
     SC_COMMON},
    {"send.buffer.bytes", "socket.send.buffer.bytes", TR_SPECIAL, SC_COMMON},
    {"receive.buffer.bytes", "socket.receive.buffer.bytes", TR_SPECIAL, SC_COMMON},
    {"client.dns.lookup", "client.dns.lookup", TR_SPECIAL, SC_COMMON},
    {"client.rack", "client.rack", TR_SAME, SC_CONSUMER},
    /* consumer */
    {"group.id", "group.id", TR_SAME, SC_CONSUMER},
    {"group.instance.id", "group.instance.id", TR_SAME, SC_CONSUMER},
    {"session.timeout.ms", "session.timeout.ms", TR_SAME, SC_CONSUMER},
    {"heartbeat.interval.ms", "heartbeat.interval.ms", TR_SAME, SC_CONSUMER},
    {"max.poll.interval.ms", "max.poll.interval.ms", TR_SAME, SC_CONSUMER},
    {"auto.offset.reset", NULL, TR_SPECIAL, SC_CONSUMER},
    {"enable.auto.commit", "enable.auto.commit", TR_SAME, SC_CONSUMER},
    {"auto.commit.interval.ms", "auto.commit.interval.ms", TR_SAME, SC_CONSUMER},
    {"isolation.level", "isolation.level", TR_SAME, SC_CONSUMER},
    {"fetch.min.bytes", "fetch.min.bytes", TR_SAME, SC_CONSUMER},
    {"fetch.max.bytes", "fetch.max.bytes", TR_SAME, SC_CONSUMER},
    {"fetch.max.wait.ms", "fetch.wait.max.ms", TR_RENAME, SC_CONSUMER},
    {"max.partition.fetch.bytes", "max.partition.fetch.bytes", TR_SAME, SC_CONSUMER},
    {"partition.assignment.strategy", NULL, TR_SPECIAL, SC_CONSUMER},
    {"check.crcs", "check.crcs", TR_SAME, SC_CONSUMER},
    {"max.poll.records", NULL, TR_DROP, SC_CONSUMER},
    /* producer */
    {"acks", "acks", TR_SAME, SC_PRODUCER},
    {"linger.ms", "linger.ms", TR_SAME, SC_PRODUCER},
    {"batch.size", "batch.size", TR_SAME, SC_PRODUCER},
    {"compression.type", "compression.type", TR_SAME, SC_PRODUCER},
    {"enable.idempotence", "enable.idempotence", TR_SAME, SC_PRODUCER},
    {"max.in.flight.requests.per.connection", "max.in.flight.requests.per.connection", TR_SAME,
     SC_PRODUCER},
    {"delivery.timeout.ms", "message.timeout.ms", TR_RENAME, SC_PRODUCER},
    {"retries", "retries", TR_SAME, SC_PRODUCER},
    {"max.request.size", "message.max.bytes", TR_RENAME, SC_PRODUCER},
    {"transactional.id", "transactional.id", TR_SAME, SC_PRODUCER},
    {"transaction.timeout.ms", "transaction.timeout.ms", TR_SAME, SC_PRODUCER},
    {NULL, NULL, TR_DROP, 0},
};

static const struct client_key *client_key_find(const char *java)
{
    for (size_t i = 0; client_keys[i].java != NULL; i++) {
        if (strcmp(client_keys[i].java, java) == 0) {
            return &client_keys[i];
        }
    }
    return NULL;
}

static unsigned scope_mask(const char *scope)
{
    if (scope == NULL || strcmp(scope, "admin.") == 0) {
        return SC_COMMON;
    }
    if (strcmp(scope, "consumer.") == 0) {
        return SC_COMMON | SC_CONSUMER;
    }
    if (strcmp(scope, "producer.") == 0) {
        return SC_COMMON | SC_PRODUCER;
    }
    return SC_COMMON;
}

/*
 * Pull username="..." and password="..." out of a JAAS line such as
 * `org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";`
 * Values may be quoted (no escapes, as Kafka's JaasConfig tokenizer) or bare tokens.
 */
static int jaas_option(const char *jaas, const char *opt, char **out)
{
    size_t olen = strlen(opt);
    const char *p = jaas;

    *out = NULL;
    while ((p = strstr(p, opt)) != NULL) {
        int word_start = p == jaas || p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n';
        const char *q = p + olen;
        while (*q == ' ' || *q == '\t') {
            q++;
        }
        if (!word_start || *q != '=') {
            p += olen;
            continue;
        }
        q++;
        while (*q == ' ' || *q == '\t') {
            q++;
        }
        const char *e;
        if (*q == '"' || *q == '\'') {
            char quote = *q++;
            e = strchr(q, quote);
            if (e == NULL) {
                return -1;
            }
        } else {
            e = q + strcspn(q, " \t\n;");
        }
        *out = kc_strndup(q, (size_t)(e - q));
        return *out != NULL ? 0 : -2;
    }
    return -1;
}

static int set_or_nomem(struct kc_strmap *out, const char *k, const char *v, struct kc_error *err)
{
    if (kc_strmap_set(out, k, v) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory building client properties");
    }
    return KC_OK;
}

static int translate_special(const struct client_key *ck, const struct kc_strmap *java,
                             const char *scope, const char *v, struct kc_strmap *out,
                             struct kc_error *err)
{
    const char *k = ck->java;

    if (strcmp(k, "bootstrap.servers") == 0) {
        /* a LIST: trim the items */
        struct conf_def d = {.name = k, .type = CONF_LIST};
        struct conf_value cv;
        int rc = conf_value_parse(&d, v, &cv, err);
        char *s = rc == KC_OK ? conf_value_to_string(&cv, 1) : NULL;
        conf_value_fini(&cv);
        if (rc != KC_OK || s == NULL) {
            return rc != KC_OK ? rc : kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        rc = set_or_nomem(out, "bootstrap.servers", s, err);
        kc_free(s);
        return rc;
    }
    if (strcmp(k, "client.id") == 0) {
        return v[0] != '\0' ? set_or_nomem(out, "client.id", v, err) : KC_OK;
    }
    if (strcmp(k, "sasl.jaas.config") == 0) {
        char *user = NULL;
        char *pass = NULL;
        int rc = KC_OK;
        if (strstr(v, "PlainLoginModule") == NULL && strstr(v, "ScramLoginModule") == NULL) {
            kc_log(KC_LOG_DEBUG, "config",
                   "sasl.jaas.config: only PlainLoginModule and ScramLoginModule options are "
                   "passed to librdkafka; ignoring this login module");
            return KC_OK;
        }
        if (jaas_option(v, "username", &user) == -2 || jaas_option(v, "password", &pass) == -2) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        if (rc == KC_OK && user != NULL) {
            rc = set_or_nomem(out, "sasl.username", user, err);
        }
        if (rc == KC_OK && pass != NULL) {
            rc = set_or_nomem(out, "sasl.password", pass, err);
        }
        kc_free(user);
        kc_free(pass);
        return rc;
    }
    if (strcmp(k, "ssl.truststore.location") == 0) {
        const char *type = kc_strmap_get(java, "ssl.truststore.type");
        if (type != NULL && strcasecmp(type, "PEM") != 0 && strcasecmp(type, "JKS") != 0 &&
            strcasecmp(type, "PKCS12") != 0) {
            return kc_error_set(err, KC_EINVAL,
                                "%sssl.truststore.type=%s is not supported; use JKS, PKCS12 or "
                                "PEM",
                                scope != NULL ? scope : "", type);
        }
        if (type == NULL || strcasecmp(type, "PEM") != 0) {
            /* the JVM default type is JKS, and the JVM's JKS loader also reads PKCS12 (keytool's
             * default since Java 9), so sniff the file; a PEM file under the default type still
             * works as a PEM file */
            char head[16] = {0};
            FILE *f = fopen(v, "rb");
            if (f != NULL) {
                size_t n = fread(head, 1, sizeof(head) - 1, f);
                head[n] = '\0';
                fclose(f);
            }
            if (strncmp(head, "-----BEGIN", 10) != 0) {
                /* librdkafka reads PEM only: hand it the store's certificates as ssl.ca.pem
                 * (in memory: no converted copy on disk, no JDK needed on the host) */
                char *pem = NULL;
                struct kc_error terr;
                kc_error_clear(&terr);
                int rc = conf_truststore_to_pem(v, kc_strmap_get(java, "ssl.truststore.password"),
                                                &pem, &terr);
                if (rc != KC_OK) {
                    return kc_error_set(err, rc, "%sssl.truststore.location: %s",
                                        scope != NULL ? scope : "", terr.msg);
                }
                rc = set_or_nomem(out, "ssl.ca.pem", pem, err);
                kc_free(pem);
                return rc;
            }
        }
        return set_or_nomem(out, "ssl.ca.location", v, err);
    }
    if (strcmp(k, "ssl.keystore.location") == 0) {
        const char *type = kc_strmap_get(java, "ssl.keystore.type");
        const char *pw = kc_strmap_get(java, "ssl.keystore.password");
        int rc;
        if (type != NULL && strcasecmp(type, "PEM") == 0) {
            rc = set_or_nomem(out, "ssl.certificate.location", v, err);
            return rc == KC_OK ? set_or_nomem(out, "ssl.key.location", v, err) : rc;
        }
        const char *proto = kc_strmap_get(java, "security.protocol");
        if (proto == NULL || strcasecmp(proto, "SSL") != 0) {
            /* the JVM's clients read a keystore only over SSL (mTLS): with PLAINTEXT or SASL_*
             * the key is unused, whatever else (the REST https listener) these keys serve */
            return KC_OK;
        }
        if (type != NULL && strcasecmp(type, "PKCS12") == 0) {
            rc = set_or_nomem(out, "ssl.keystore.location", v, err);
            return rc == KC_OK && pw != NULL ? set_or_nomem(out, "ssl.keystore.password", pw, err)
                                             : rc;
        }
        if (type != NULL && strcasecmp(type, "JKS") != 0) {
            return kc_error_set(err, KC_EINVAL,
                                "%sssl.keystore.type=%s is not supported; use JKS, PKCS12 or PEM",
                                scope != NULL ? scope : "", type);
        }
        /* JKS (the JVM's default type): librdkafka reads no JKS, so hand it the key and chain
         * as PEM, in memory only */
        char *key = NULL, *chain = NULL;
        struct kc_error kerr;
        kc_error_clear(&kerr);
        rc = conf_keystore_to_pem(v, pw, kc_strmap_get(java, "ssl.key.password"), &key, &chain,
                                  &kerr);
        if (rc != KC_OK) {
            return kc_error_set(err, rc, "%sssl.keystore.location: %s",
                                scope != NULL ? scope : "", kerr.msg);
        }
        rc = set_or_nomem(out, "ssl.key.pem", key, err);
        rc = rc == KC_OK ? set_or_nomem(out, "ssl.certificate.pem", chain, err) : rc;
        memset(key, 0, strlen(key));
        kc_free(key);
        kc_free(chain);
        return rc;
    }
    if (strcmp(k, "ssl.endpoint.identification.algorithm") == 0) {
        return set_or_nomem(out, "ssl.endpoint.identification.algorithm",
                            strcasecmp(v, "https") == 0 ? "https" : "none", err);
    }
    if (strcmp(k, "request.timeout.ms") == 0) {
        int rc = set_or_nomem(out, "socket.timeout.ms", v, err);
        if (rc == KC_OK && scope != NULL && strcmp(scope, "producer.") == 0) {
            rc = set_or_nomem(out, "request.timeout.ms", v, err);
        }
        return rc;
    }
    if (strcmp(k, "send.buffer.bytes") == 0 || strcmp(k, "receive.buffer.bytes") == 0) {
        /* Java -1 = OS default; librdkafka 0 = OS default */
        return set_or_nomem(out, ck->rdk, strcmp(v, "-1") == 0 ? "0" : v, err);
    }
    if (strcmp(k, "client.dns.lookup") == 0) {
        if (strcmp(v, "resolve_canonical_bootstrap_servers_only") == 0) {
            return set_or_nomem(out, ck->rdk, v, err);
        }
        return KC_OK; /* use_all_dns_ips is librdkafka's behaviour already */
    }
    if (strcmp(k, "auto.offset.reset") == 0) {
        /* Java "none" throws when there is no offset; librdkafka's "error" does the same */
        return set_or_nomem(out, "auto.offset.reset", strcmp(v, "none") == 0 ? "error" : v, err);
    }
    if (strcmp(k, "partition.assignment.strategy") == 0) {
        struct kc_buf b;
        char *copy = kc_strdup(v);
        char *save = NULL;
        int rc = copy != NULL ? KC_OK : KC_ENOMEM;
        kc_buf_init(&b, 4096);
        for (char *t = copy != NULL ? strtok_r(copy, ", ", &save) : NULL; t != NULL && rc == KC_OK;
             t = strtok_r(NULL, ", ", &save)) {
            const char *name = strstr(t, "CooperativeSticky") != NULL ? "cooperative-sticky"
                               : strstr(t, "RoundRobin") != NULL      ? "roundrobin"
                               : strstr(t, "Range") != NULL           ? "range"
                                                                      : NULL;
            if (name == NULL) {
                kc_log(KC_LOG_DEBUG, "config", "partition.assignment.strategy: dropping %s", t);
                continue;
            }
            if (b.len > 0) {
                rc = kc_buf_append_byte(&b, ',');
            }
            if (rc == KC_OK) {
                rc = kc_buf_append_str(&b, name);
            }
        }
        kc_free(copy);
        if (rc == KC_OK && b.len > 0) {
            rc = set_or_nomem(out, "partition.assignment.strategy", b.data, err);
        } else if (rc != KC_OK) {
            rc = kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        kc_buf_fini(&b);
        return rc;
    }
    return KC_OK;
}

int worker_config_translate_client(const struct kc_strmap *java, const char *scope,
                                   struct kc_strmap *out, struct kc_error *err)
{
    unsigned mask = scope_mask(scope);

    for (size_t i = 0; i < java->n; i++) {
        const char *k = java->e[i].key;
        const char *v = java->e[i].value;
        const struct client_key *ck = client_key_find(k);
        int rc = KC_OK;

        if (v == NULL) {
            continue;
        }
        if (ck == NULL || !(ck->scope & mask) || ck->how == TR_DROP) {
            kc_log(KC_LOG_DEBUG, "config", "%s%s has no librdkafka equivalent here; dropped",
                   scope != NULL ? scope : "", k);
            continue;
        }
        switch (ck->how) {
        case TR_SAME:
        case TR_RENAME:
            rc = set_or_nomem(out, ck->rdk, v, err);
            break;
        case TR_SPECIAL:
            rc = translate_special(ck, java, scope, v, out, err);
            break;
        case TR_DROP:
            break;
        }
        if (rc != KC_OK) {
            return rc;
        }
    }
    return KC_OK;
}

/* The Java properties one client sees, before translation (§6.3 of connect-compat.md). */
static int gather_client_java(const struct worker_config *wc, const char *prefix,
                              struct kc_strmap *java, struct kc_error *err)
{
    int top_level = prefix == NULL || strcmp(prefix, "admin.") == 0;

    if (top_level) {
        for (size_t i = 0; i < wc->props.n; i++) {
            const char *k = wc->props.e[i].key;
            const struct client_key *ck = client_key_find(k);
            if (ck != NULL && (ck->scope & SC_COMMON) &&
                kc_strmap_set(java, k, wc->props.e[i].value) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
        /* the ssl.*.type keys steer the translation of their locations */
        static const char *const types[] = {"ssl.truststore.type", "ssl.truststore.password",
                                            "ssl.keystore.type", "ssl.keystore.password", NULL};
        for (size_t i = 0; types[i] != NULL; i++) {
            const char *v = kc_strmap_get(&wc->props, types[i]);
            if (v != NULL && kc_strmap_set(java, types[i], v) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
    }
    if (kc_strmap_set(java, "bootstrap.servers", wc->bootstrap_servers) != KC_OK) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    if (prefix != NULL) {
        size_t plen = strlen(prefix);
        for (size_t i = 0; i < wc->props.n; i++) {
            const char *k = wc->props.e[i].key;
            if (strncmp(k, prefix, plen) == 0 && k[plen] != '\0' &&
                kc_strmap_set(java, k + plen, wc->props.e[i].value) != KC_OK) {
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
        }
    }
    return KC_OK;
}

int worker_config_client_props(const struct worker_config *wc, const char *prefix,
                               struct kc_strmap *out, struct kc_error *err)
{
    struct kc_strmap java;
    int rc;

    kc_strmap_init(&java);
    rc = gather_client_java(wc, prefix, &java, err);
    if (rc == KC_OK) {
        rc = worker_config_translate_client(&java, prefix, out, err);
    }
    kc_strmap_fini(&java);
    return rc;
}
