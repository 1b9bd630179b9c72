/*
 * config/conf_worker_def.c: the definition table of every distributed-mode worker key, as
 * Kafka 4.1's DistributedConfig declares it (WorkerConfig base keys, client SSL/SASL support,
 * RestServerConfig public keys, group and internal-topic keys), in the JVM's definition order.
 *
 * Defaults, types, importance and documentation were taken from the JVM's ConfigDef, so the
 * "DistributedConfig values:" dump and every error message match the JVM worker's. Validators
 * the JVM implements as lambdas are the static functions below, with the JVM's messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_worker.h"
#include "kc_alloc.h"

/* RestServerConfig.ListenersValidator: at least one non-blank URL. */
static int validate_listeners(const struct conf_def *d, const char *value, struct kc_error *err)
{
    (void)d;
    if (value == NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value type for listeners (expected list of URLs , ex: "
                            "http://localhost:8080,https://localhost:8443).");
    }
    if (value[0] == '\0') {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid value for listeners, at least one URL is expected, ex: "
                            "http://localhost:8080,https://localhost:8443.");
    }
    /* items were trimmed by the LIST parse: an empty item is a blank URL */
    if (value[0] == ',' || strstr(value, ",,") != NULL || value[strlen(value) - 1] == ',') {
        return kc_error_set(err, KC_EINVAL, "Empty URL found when parsing listeners list.");
    }
    return KC_OK;
}

/* RestServerConfig.AdminListenersValidator: null or empty is fine (empty disables). */
static int validate_admin_listeners(const struct conf_def *d, const char *value,
                                    struct kc_error *err)
{
    (void)d;
    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    if (value[0] == ',' || strstr(value, ",,") != NULL || value[strlen(value) - 1] == ',') {
        return kc_error_set(err, KC_EINVAL, "Empty URL found when parsing admin.listeners list.");
    }
    return KC_OK;
}

/* One "[action] [name]:[value]" rule of response.http.headers.config. */
static int validate_header_rule(const char *rule, struct kc_error *err)
{
    static const char *const actions[] = {"set", "add", "setDate", "addDate"};
    const char *p = rule;
    const char *sp;
    const char *colon;
    int ok = 0;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    sp = p + strcspn(p, " \t");
    if (*sp == '\0') {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid format of header config '%s'. Expected: '[action] [header "
                            "name]:[header value]'",
                            rule);
    }
    for (size_t i = 0; i < 4; i++) {
        ok |= strlen(actions[i]) == (size_t)(sp - p) &&
              strncasecmp(actions[i], p, (size_t)(sp - p)) == 0;
    }
    if (!ok) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid header config action: '%.*s'. Expected one of [set, add, "
                            "setDate, addDate]",
                            (int)(sp - p), p);
    }
    while (*sp == ' ' || *sp == '\t') {
        sp++;
    }
    colon = strchr(sp, ':');
    if (colon == NULL || strchr(colon + 1, ':') != NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid format of header name and header value pair '%s'. Expected: "
                            "'[header name]:[header value]'",
                            sp);
    }
    const char *ne = colon;
    while (ne > sp && (ne[-1] == ' ' || ne[-1] == '\t')) {
        ne--;
    }
    if (ne == sp || memchr(sp, ' ', (size_t)(ne - sp)) != NULL ||
        memchr(sp, '\t', (size_t)(ne - sp)) != NULL) {
        return kc_error_set(err, KC_EINVAL,
                            "Invalid header name '%.*s'. The '[header name]' cannot contain "
                            "whitespace",
                            (int)(ne - sp), sp);
    }
    return KC_OK;
}

/* RestServerConfig.ResponseHttpHeadersValidator: comma-separated rules. */
static int validate_http_headers(const struct conf_def *d, const char *value,
                                 struct kc_error *err)
{
    char *copy;
    char *save = NULL;
    int rc = KC_OK;

    (void)d;
    if (value == NULL || value[0] == '\0') {
        return KC_OK;
    }
    copy = kc_strdup(value);
    if (copy == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == KC_OK;
         tok = strtok_r(NULL, ",", &save)) {
        rc = validate_header_rule(tok, err);
    }
    kc_free(copy);
    return rc;
}

/* TopicCreationConfig.PARTITIONS_VALIDATOR */
static int validate_partitions(const struct conf_def *d, const char *value, struct kc_error *err)
{
    long v = value != NULL ? strtol(value, NULL, 10) : 0;

    if (value != NULL && v != -1 && v < 1) {
        return conf_error_invalid(err, d->name, value,
                                  "Number of partitions must be positive, or -1 to use the "
                                  "broker's default");
    }
    return KC_OK;
}

/* TopicCreationConfig.REPLICATION_FACTOR_VALIDATOR */
static int validate_replication_factor(const struct conf_def *d, const char *value,
                                       struct kc_error *err)
{
    long v = value != NULL ? strtol(value, NULL, 10) : 0;

    if (value != NULL && v != -1 && v < 1) {
        return conf_error_invalid(err, d->name, value,
                                  "Replication factor must be positive and not larger than the "
                                  "number of brokers in the Kafka cluster, or -1 to use the "
                                  "broker's default");
    }
    return KC_OK;
}

static int validate_connect_protocol(const struct conf_def *d, const char *value,
                                     struct kc_error *err)
{
    if (value != NULL && (strcasecmp(value, "eager") == 0 || strcasecmp(value, "compatible") == 0 ||
                          strcasecmp(value, "sessioned") == 0)) {
        return KC_OK;
    }
    return conf_error_invalid(err, d->name, value, "Invalid Connect protocol compatibility");
}

/* The HMAC algorithms our signing code implements (OpenSSL names them the JCA way). */
static int known_mac(const char *alg)
{
    return strcmp(alg, "HmacSHA256") == 0 || strcmp(alg, "HmacSHA1") == 0 ||
           strcmp(alg, "HmacSHA384") == 0 || strcmp(alg, "HmacSHA512") == 0 ||
           strcmp(alg, "HmacSHA224") == 0;
}

static int unsupported_alg(struct kc_error *err, const char *name, const char *value)
{
    return conf_error_invalid(err, name, value,
                              "the algorithm is not supported by this JVM; the supported "
                              "algorithms are: [HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, "
                              "HmacSHA512]");
}

static int validate_key_algorithm(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    return value != NULL && known_mac(value) ? KC_OK : unsupported_alg(err, d->name, value);
}

static int validate_mac_algorithm(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    return value != NULL && known_mac(value) ? KC_OK : unsupported_alg(err, d->name, value);
}

static int validate_verification_algorithms(const struct conf_def *d, const char *value,
                                            struct kc_error *err)
{
    char *copy;
    char *save = NULL;
    int rc = KC_OK;

    if (value == NULL || value[0] == '\0') {
        return conf_error_invalid(err, d->name, "[]",
                                  "At least one signature verification algorithm must be provided");
    }
    copy = kc_strdup(value);
    if (copy == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL && rc == KC_OK;
         tok = strtok_r(NULL, ",", &save)) {
        if (!known_mac(tok)) {
            rc = unsupported_alg(err, d->name, tok);
        }
    }
    kc_free(copy);
    return rc;
}

/* Range over doubles, printed as Java prints the bounds (0.5, 1.0, 0.0, 0.25). */
static int double_range(const struct conf_def *d, const char *value, double lo, double hi,
                        const char *lo_s, const char *hi_s, struct kc_error *err)
{
    double v;

    if (value == NULL) {
        return conf_error_invalid(err, d->name, NULL, "Value must be non-null");
    }
    v = strtod(value, NULL);
    if (v < lo) {
        return conf_error_invalid(err, d->name, value, "Value must be at least %s", lo_s);
    }
    if (v > hi) {
        return conf_error_invalid(err, d->name, value, "Value must be no more than %s", hi_s);
    }
    return KC_OK;
}

static int validate_window_factor(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    return double_range(d, value, 0.5, 1.0, "0.5", "1.0", err);
}

static int validate_window_jitter(const struct conf_def *d, const char *value,
                                  struct kc_error *err)
{
    return double_range(d, value, 0.0, 0.25, "0.0", "0.25", err);
}

/* ---- the table (generated from the JVM's DistributedConfig definition) ---- */

static const char *const allowed_client_dns_lookup[] = {"use_all_dns_ips", "resolve_canonical_bootstrap_servers_only", NULL};
static const char *const allowed_plugin_discovery[] = {"ONLY_SCAN", "SERVICE_LOAD", "HYBRID_WARN", "HYBRID_FAIL", NULL};
static const char *const allowed_metrics_recording_level[] = {"INFO", "DEBUG", NULL};
static const char *const allowed_ssl_client_auth[] = {"required", "requested", "none", NULL};
static const char *const allowed_exactly_once_source_support[] = {"DISABLED", "ENABLED", "PREPARING", NULL};
static const char *const allowed_security_protocol[] = {"SASL_SSL", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", NULL};
static const char *const allowed_sasl_oauthbearer_assertion_algorithm[] = {"ES256", "RS256", NULL};
static const char *const allowed_metadata_recovery_strategy[] = {"REBOOTSTRAP", "NONE", NULL};

const struct conf_def worker_config_def[] = {
    {"bootstrap.servers", CONF_LIST, "localhost:9092", 0, CONF_HIGH,
     "A list of host/port pairs used to establish the initial connection to the Kafka cluster. Clients use this list to bootstrap and discover the full set of Kafka brokers. While the order of servers in the list does not matter, we recommend including more than one server to ensure resilience if any servers are down. This list does not need to contain the entire set of brokers, as Kafka clients automatically manage and update connections to the cluster efficiently. This list must be in the form <code>host1:port1,host2:port2,...</code>.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"client.dns.lookup", CONF_STRING, "use_all_dns_ips", 0, CONF_MEDIUM,
     "Controls how the client uses DNS lookups. If set to <code>use_all_dns_ips</code>, connect to each returned IP address in sequence until a successful connection is established. After a disconnection, the next IP is used. Once all IPs have been used once, the client resolves the IP(s) from the hostname again (both the JVM and the OS cache DNS name lookups, however). If set to <code>resolve_canonical_bootstrap_servers_only</code>, resolve each bootstrap address into a list of canonical names. After the bootstrap phase, this behaves the same as <code>use_all_dns_ips</code>.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in, INT64_MIN, INT64_MAX, allowed_client_dns_lookup, NULL},
    {"key.converter", CONF_CLASS, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the keys in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"key.converter.plugin.version", CONF_STRING, NULL, 1, CONF_LOW,
     "Version of the key converter.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"value.converter", CONF_CLASS, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "Converter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"value.converter.plugin.version", CONF_STRING, NULL, 1, CONF_LOW,
     "Version of the value converter.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"task.shutdown.graceful.timeout.ms", CONF_LONG, "5000", 0, CONF_LOW,
     "Amount of time to wait for tasks to shutdown gracefully. This is the total amount of time, not per task. All task have shutdown triggered, then they are waited on sequentially.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"offset.flush.interval.ms", CONF_LONG, "60000", 0, CONF_LOW,
     "Interval at which to try committing offsets for tasks.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"offset.flush.timeout.ms", CONF_LONG, "5000", 0, CONF_LOW,
     "Maximum number of milliseconds to wait for records to flush and partition offset data to be committed to offset storage before cancelling the process and restoring the offset data to be committed in a future attempt. This property has no effect for source connectors running with exactly-once support.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"plugin.path", CONF_LIST, NULL, 1, CONF_LOW,
     "List of paths separated by commas (,) that contain plugins (connectors, converters, transformations). The list should consist of top level directories that include any combination of: \na) directories immediately containing jars with plugins and their dependencies\nb) uber-jars with plugins and their dependencies\nc) directories immediately containing the package directory structure of classes of plugins and their dependencies\nNote: symlinks will be followed to discover dependencies or plugins.\nExamples: plugin.path=/usr/local/share/java,/usr/local/share/kafka/plugins,/opt/connectors\nDo not use config provider variables in this property, since the raw path is used by the worker's scanner before config providers are initialized and used to replace variables.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"plugin.discovery", CONF_STRING, "hybrid_warn", 0, CONF_LOW,
     "Method to use to discover plugins present in the classpath and plugin.path configuration. This can be one of multiple values with the following meanings:\n* only_scan: Discover plugins only by reflection. Plugins which are not discoverable by ServiceLoader will not impact worker startup.\n* hybrid_warn: Discover plugins reflectively and by ServiceLoader. Plugins which are not discoverable by ServiceLoader will print warnings during worker startup.\n* hybrid_fail: Discover plugins reflectively and by ServiceLoader. Plugins which are not discoverable by ServiceLoader will cause worker startup to fail.\n* service_load: Discover plugins only by ServiceLoader. Faster startup than other modes. Plugins which are not discoverable by ServiceLoader may not be usable.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in_ci, INT64_MIN, INT64_MAX, allowed_plugin_discovery, NULL},
    {"metrics.sample.window.ms", CONF_LONG, "30000", 0, CONF_LOW,
     "The window of time a metrics sample is computed over.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"metrics.num.samples", CONF_INT, "2", 0, CONF_LOW,
     "The number of samples maintained to compute metrics.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 1, INT64_MAX, NULL, NULL},
    {"metrics.recording.level", CONF_STRING, "INFO", 0, CONF_LOW,
     "The highest recording level for metrics. It has three levels for recording metrics - info, debug, and trace.\n \nINFO level records only essential metrics necessary for monitoring system performance and health. It collects vital data without gathering too much detail, making it suitable for production environments where minimal overhead is desired.\n\nDEBUG level records most metrics, providing more detailed information about the system's operation. It's useful for development and testing environments where you need deeper insights to debug and fine-tune the application.\n\nTRACE level records all possible metrics, capturing every detail about the system's performance and operation. It's best for controlled environments where in-depth analysis is required, though it can introduce significant overhead.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in, INT64_MIN, INT64_MAX, allowed_metrics_recording_level, NULL},
    {"metric.reporters", CONF_LIST, "org.apache.kafka.common.metrics.JmxReporter", 0, CONF_LOW,
     "A list of classes to use as metrics reporters. Implementing the <code>org.apache.kafka.common.metrics.MetricsReporter</code> interface allows plugging in classes that will be notified of new metric creation. When custom reporters are set and <code>org.apache.kafka.common.metrics.JmxReporter</code> is needed, it has to be explicitly added to the list.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"header.converter", CONF_CLASS, "org.apache.kafka.connect.storage.SimpleHeaderConverter", 0, CONF_LOW,
     "HeaderConverter class used to convert between Kafka Connect format and the serialized form that is written to Kafka. This controls the format of the header values in messages written to or read from Kafka, and since this is independent of connectors it allows any connector to work with any serialization format. Examples of common formats include JSON and Avro. By default, the SimpleHeaderConverter is used to serialize header values to strings and deserialize them by inferring the schemas.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"header.converter.plugin.version", CONF_STRING, NULL, 1, CONF_LOW,
     "Version of the header converter.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"config.providers", CONF_LIST, "", 0, CONF_LOW,
     "Comma-separated names of <code>ConfigProvider</code> classes, loaded and used in the order specified. Implementing the interface  <code>ConfigProvider</code> allows you to replace variable references in connector configurations, such as for externalized secrets. ",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"connector.client.config.override.policy", CONF_STRING, "All", 0, CONF_MEDIUM,
     "Class name or alias of implementation of <code>ConnectorClientConfigOverridePolicy</code>. Defines what client configurations can be overridden by the connector. The default implementation is `All`, meaning connector configurations can override all client properties. The other possible policies in the framework include `None` to disallow connectors from overriding client properties, and `Principal` to allow connectors to override only client principals.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"topic.creation.enable", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "Whether to allow automatic creation of topics used by source connectors, when source connectors are configured with `topic.creation.` properties. Each task will use an admin client to create its topics and will not depend on the Kafka brokers to create topics automatically.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.protocol", CONF_STRING, "TLSv1.3", 0, CONF_MEDIUM,
     "The SSL protocol used to generate the SSLContext. The default is 'TLSv1.3', which should be fine for most use cases. A typical alternative to the default is 'TLSv1.2'. Allowed values for this config are dependent on the JVM. Clients using the defaults for this config and 'ssl.enabled.protocols' will downgrade to 'TLSv1.2' if the server does not support 'TLSv1.3'. If this config is set to 'TLSv1.2', however, clients will not use 'TLSv1.3' even if it is one of the values in `ssl.enabled.protocols` and the server only supports 'TLSv1.3'.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.provider", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The name of the security provider used for SSL connections. Default value is the default security provider of the JVM.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.cipher.suites", CONF_LIST, NULL, 1, CONF_LOW,
     "A list of cipher suites. This is a named combination of authentication, encryption, MAC and key exchange algorithm used to negotiate the security settings for a network connection using TLS or SSL network protocol. By default all the available cipher suites are supported.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.enabled.protocols", CONF_LIST, "TLSv1.2,TLSv1.3", 0, CONF_MEDIUM,
     "The list of protocols enabled for SSL connections. The default is 'TLSv1.2,TLSv1.3'. This means that clients and servers will prefer TLSv1.3 if both support it and fallback to TLSv1.2 otherwise (assuming both support at least TLSv1.2). This default should be fine for most use cases. Also see the config documentation for `ssl.protocol` to understand how it can impact the TLS version negotiation behavior.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.keystore.type", CONF_STRING, "JKS", 0, CONF_MEDIUM,
     "The file format of the key store file. This is optional for client. The values currently supported by the default `ssl.engine.factory.class` are [JKS, PKCS12, PEM].",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.keystore.location", CONF_STRING, NULL, 1, CONF_HIGH,
     "The location of the key store file. This is optional for client and can be used for two-way authentication for client.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.keystore.password", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "The store password for the key store file. This is optional for client and only needed if 'ssl.keystore.location' is configured. Key store password is not supported for PEM format.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.key.password", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "The password of the private key in the key store file or the PEM key specified in 'ssl.keystore.key'.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.keystore.key", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "Private key in the format specified by 'ssl.keystore.type'. Default SSL engine factory supports only PEM format with PKCS#8 keys. If the key is encrypted, key password must be specified using 'ssl.key.password'",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.keystore.certificate.chain", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "Certificate chain in the format specified by 'ssl.keystore.type'. Default SSL engine factory supports only PEM format with a list of X.509 certificates",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.truststore.certificates", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "Trusted certificates in the format specified by 'ssl.truststore.type'. Default SSL engine factory supports only PEM format with X.509 certificates.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.truststore.type", CONF_STRING, "JKS", 0, CONF_MEDIUM,
     "The file format of the trust store file. The values currently supported by the default `ssl.engine.factory.class` are [JKS, PKCS12, PEM].",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.truststore.location", CONF_STRING, NULL, 1, CONF_HIGH,
     "The location of the trust store file.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.truststore.password", CONF_PASSWORD, NULL, 1, CONF_HIGH,
     "The password for the trust store file. If a password is not set, trust store file configured will still be used, but integrity checking is disabled. Trust store password is not supported for PEM format.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.keymanager.algorithm", CONF_STRING, "SunX509", 0, CONF_LOW,
     "The algorithm used by key manager factory for SSL connections. Default value is the key manager factory algorithm configured for the Java Virtual Machine.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.trustmanager.algorithm", CONF_STRING, "PKIX", 0, CONF_LOW,
     "The algorithm used by trust manager factory for SSL connections. Default value is the trust manager factory algorithm configured for the Java Virtual Machine.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.endpoint.identification.algorithm", CONF_STRING, "https", 0, CONF_LOW,
     "The endpoint identification algorithm to validate server hostname using server certificate. ",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.secure.random.implementation", CONF_STRING, NULL, 1, CONF_LOW,
     "The SecureRandom PRNG implementation to use for SSL cryptography operations. ",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.engine.factory.class", CONF_CLASS, NULL, 1, CONF_LOW,
     "The class of type org.apache.kafka.common.security.auth.SslEngineFactory to provide SSLEngine objects. Default value is org.apache.kafka.common.security.ssl.DefaultSslEngineFactory. Alternatively, setting this to org.apache.kafka.common.security.ssl.CommonNameLoggingSslEngineFactory will log the common name of expired SSL certificates used by clients to authenticate at any of the brokers with log level INFO. Note that this will cause a tiny delay during establishment of new connections from mTLS clients to brokers due to the extra code for examining the certificate chain provided by the client. Note further that the implementation uses a custom truststore based on the standard Java truststore and thus might be considered a security risk due to not being as mature as the standard one.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"topic.tracking.enable", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "Enable tracking the set of active topics per connector during runtime.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"topic.tracking.allow.reset", CONF_BOOLEAN, "true", 0, CONF_LOW,
     "If set to true, it allows user requests to reset the set of active topics per connector.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"listeners", CONF_LIST, "http://:8083", 0, CONF_LOW,
     "List of comma-separated URIs the REST API will listen on. The supported protocols are HTTP and HTTPS.\n Specify hostname as 0.0.0.0 to bind to all interfaces.\n Leave hostname empty to bind to default interface.\n Examples of legal listener lists: HTTP://myhost:8083,HTTPS://myhost:8084",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_listeners, INT64_MIN, INT64_MAX, NULL, NULL},
    {"rest.advertised.host.name", CONF_STRING, NULL, 1, CONF_LOW,
     "If this is set, this is the hostname that will be given out to other workers to connect to.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"rest.advertised.port", CONF_INT, NULL, 1, CONF_LOW,
     "If this is set, this is the port that will be given out to other workers to connect to.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"rest.advertised.listener", CONF_STRING, NULL, 1, CONF_LOW,
     "Sets the advertised listener (HTTP or HTTPS) which will be given to other workers to use.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"access.control.allow.origin", CONF_STRING, "", 0, CONF_LOW,
     "Value to set the Access-Control-Allow-Origin header to for REST API requests.To enable cross origin access, set this to the domain of the application that should be permitted to access the API, or '*' to allow access from any domain. The default value only allows access from the domain of the REST API.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"access.control.allow.methods", CONF_STRING, "", 0, CONF_LOW,
     "Sets the methods supported for cross origin requests by setting the Access-Control-Allow-Methods header. The default value of the Access-Control-Allow-Methods header allows cross origin requests for GET, POST and HEAD.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"response.http.headers.config", CONF_STRING, "", 0, CONF_LOW,
     "Rules for REST API HTTP response headers",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_http_headers, INT64_MIN, INT64_MAX, NULL, NULL},
    {"ssl.client.auth", CONF_STRING, "none", 0, CONF_LOW,
     "Configures kafka broker to request client authentication. The following settings are common:  <ul> <li><code>ssl.client.auth=required</code> If set to required client authentication is required. <li><code>ssl.client.auth=requested</code> This means client authentication is optional. unlike required, if this option is set client can choose not to provide authentication information about itself <li><code>ssl.client.auth=none</code> This means client authentication is not needed.</ul>",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in, INT64_MIN, INT64_MAX, allowed_ssl_client_auth, NULL},
    {"rest.extension.classes", CONF_LIST, "", 0, CONF_LOW,
     "Comma-separated names of <code>ConnectRestExtension</code> classes, loaded and called in the order specified. Implementing the interface  <code>ConnectRestExtension</code> allows you to inject into Connect's REST API user defined resources like filters. Typically used to add custom capability like logging, security, etc. ",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"admin.listeners", CONF_LIST, NULL, 1, CONF_LOW,
     "List of comma-separated URIs the Admin REST API will listen on. The supported protocols are HTTP and HTTPS. An empty or blank string will disable this feature. The default behavior is to use the regular listener (specified by the 'listeners' property).",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_admin_listeners, INT64_MIN, INT64_MAX, NULL, NULL},
    {"group.id", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "A unique string that identifies the Connect cluster group this worker belongs to.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"session.timeout.ms", CONF_INT, "10000", 0, CONF_HIGH,
     "The timeout used to detect worker failures. The worker sends periodic heartbeats to indicate its liveness to the broker. If no heartbeats are received by the broker before the expiration of this session timeout, then the broker will remove the worker from the group and initiate a rebalance. Note that the value must be in the allowable range as configured in the broker configuration by <code>group.min.session.timeout.ms</code> and <code>group.max.session.timeout.ms</code>.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"rebalance.timeout.ms", CONF_INT, "60000", 0, CONF_HIGH,
     "The maximum allowed time for each worker to join the group once a rebalance has begun. This is basically a limit on the amount of time needed for all tasks to flush any pending data and commit offsets. If the timeout is exceeded, then the worker will be removed from the group, which will cause offset commit failures.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"heartbeat.interval.ms", CONF_INT, "3000", 0, CONF_HIGH,
     "The expected time between heartbeats to the group coordinator when using Kafka's group management facilities. Heartbeats are used to ensure that the worker's session stays active and to facilitate rebalancing when new members join or leave the group. The value must be set lower than <code>session.timeout.ms</code>, but typically should be set no higher than 1/3 of that value. It can be adjusted even lower to control the expected time for normal rebalances.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"exactly.once.source.support", CONF_STRING, "disabled", 0, CONF_HIGH,
     "Whether to enable exactly-once support for source connectors in the cluster by using transactions to write source records and their source offsets, and by proactively fencing out old task generations before bringing up new ones.\nTo enable exactly-once source support on a new cluster, set this property to 'enabled'. To enable support on an existing cluster, first set to 'preparing' on every worker in the cluster, then set to 'enabled'. A rolling upgrade may be used for both changes. For more information on this feature, see the <a href=\"https://kafka.apache.org/documentation.html#connect_exactlyoncesource\">exactly-once source support documentation</a>.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in_ci, INT64_MIN, INT64_MAX, allowed_exactly_once_source_support, NULL},
    {"metadata.max.age.ms", CONF_LONG, "300000", 0, CONF_LOW,
     "The period of time in milliseconds after which we force a refresh of metadata even if we haven't seen any partition leadership changes to proactively discover any new brokers or partitions.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"client.id", CONF_STRING, "", 0, CONF_LOW,
     "An id string to pass to the server when making requests. The purpose of this is to be able to track the source of requests beyond just ip/port by allowing a logical application name to be included in server-side request logging.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"send.buffer.bytes", CONF_INT, "131072", 0, CONF_MEDIUM,
     "The size of the TCP send buffer (SO_SNDBUF) to use when sending data. If the value is -1, the OS default will be used.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, -1, INT64_MAX, NULL, NULL},
    {"receive.buffer.bytes", CONF_INT, "32768", 0, CONF_MEDIUM,
     "The size of the TCP receive buffer (SO_RCVBUF) to use when reading data. If the value is -1, the OS default will be used.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, -1, INT64_MAX, NULL, NULL},
    {"reconnect.backoff.ms", CONF_LONG, "50", 0, CONF_LOW,
     "The base amount of time to wait before attempting to reconnect to a given host. This avoids repeatedly connecting to a host in a tight loop. This backoff applies to all connection attempts by the client to a broker. This value is the initial backoff value and will increase exponentially for each consecutive connection failure, up to the <code>reconnect.backoff.max.ms</code> value.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"reconnect.backoff.max.ms", CONF_LONG, "1000", 0, CONF_LOW,
     "The maximum amount of time in milliseconds to wait when reconnecting to a broker that has repeatedly failed to connect. If provided, the backoff per host will increase exponentially for each consecutive connection failure, up to this maximum. After calculating the backoff increase, 20% random jitter is added to avoid connection storms.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"socket.connection.setup.timeout.ms", CONF_LONG, "10000", 0, CONF_LOW,
     "The amount of time the client will wait for the socket connection to be established. If the connection is not built before the timeout elapses, clients will close the socket channel. This value is the initial backoff value and will increase exponentially for each consecutive connection failure, up to the <code>socket.connection.setup.timeout.max.ms</code> value.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"socket.connection.setup.timeout.max.ms", CONF_LONG, "30000", 0, CONF_LOW,
     "The maximum amount of time the client will wait for the socket connection to be established. The connection setup timeout will increase exponentially for each consecutive connection failure up to this maximum. To avoid connection storms, a randomization factor of 0.2 will be applied to the timeout resulting in a random range between 20% below and 20% above the computed value.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"retry.backoff.ms", CONF_LONG, "100", 0, CONF_LOW,
     "The amount of time to wait before attempting to retry a failed request to a given topic partition. This avoids repeatedly sending requests in a tight loop under some failure scenarios. This value is the initial backoff value and will increase exponentially for each failed request, up to the <code>retry.backoff.max.ms</code> value.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"retry.backoff.max.ms", CONF_LONG, "1000", 0, CONF_LOW,
     "The maximum amount of time in milliseconds to wait when retrying a request to the broker that has repeatedly failed. If provided, the backoff per client will increase exponentially for each failed request, up to this maximum. To prevent all clients from being synchronized upon retry, a randomized jitter with a factor of 0.2 will be applied to the backoff, resulting in the backoff falling within a range between 20% below and 20% above the computed value. If <code>retry.backoff.ms</code> is set to be higher than <code>retry.backoff.max.ms</code>, then <code>retry.backoff.max.ms</code> will be used as a constant backoff from the beginning without any exponential increase",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"request.timeout.ms", CONF_INT, "40000", 0, CONF_MEDIUM,
     "The configuration controls the maximum amount of time the client will wait for the response of a request. If the response is not received before the timeout elapses the client will resend the request if necessary or fail the request if retries are exhausted.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    {"connections.max.idle.ms", CONF_LONG, "540000", 0, CONF_MEDIUM,
     "Close idle connections after the number of milliseconds specified by this config.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"security.protocol", CONF_STRING, "PLAINTEXT", 0, CONF_MEDIUM,
     "Protocol used to communicate with brokers.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in_ci, INT64_MIN, INT64_MAX, allowed_security_protocol, NULL},
    {"sasl.kerberos.service.name", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The Kerberos principal name that Kafka runs as. This can be defined either in Kafka's JAAS config or in Kafka's config.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.kerberos.kinit.cmd", CONF_STRING, "/usr/bin/kinit", 0, CONF_LOW,
     "Kerberos kinit command path.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.kerberos.ticket.renew.window.factor", CONF_DOUBLE, "0.8", 0, CONF_LOW,
     "Login thread will sleep until the specified window factor of time from last refresh to ticket's expiry has been reached, at which time it will try to renew the ticket.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.kerberos.ticket.renew.jitter", CONF_DOUBLE, "0.05", 0, CONF_LOW,
     "Percentage of random jitter added to the renewal time.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.kerberos.min.time.before.relogin", CONF_LONG, "60000", 0, CONF_LOW,
     "Login thread sleep time between refresh attempts.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.refresh.window.factor", CONF_DOUBLE, "0.8", 0, CONF_LOW,
     "Login refresh thread will sleep until the specified window factor relative to the credential's lifetime has been reached, at which time it will try to refresh the credential. Legal values are between 0.5 (50%) and 1.0 (100%) inclusive; a default value of 0.8 (80%) is used if no value is specified. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_window_factor, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.refresh.window.jitter", CONF_DOUBLE, "0.05", 0, CONF_LOW,
     "The maximum amount of random jitter relative to the credential's lifetime that is added to the login refresh thread's sleep time. Legal values are between 0 and 0.25 (25%) inclusive; a default value of 0.05 (5%) is used if no value is specified. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_window_jitter, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.refresh.min.period.seconds", CONF_SHORT, "60", 0, CONF_LOW,
     "The desired minimum time for the login refresh thread to wait before refreshing a credential, in seconds. Legal values are between 0 and 900 (15 minutes); a default value of 60 (1 minute) is used if no value is specified.  This value and  sasl.login.refresh.buffer.seconds are both ignored if their sum exceeds the remaining lifetime of a credential. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, 900, NULL, NULL},
    {"sasl.login.refresh.buffer.seconds", CONF_SHORT, "300", 0, CONF_LOW,
     "The amount of buffer time before credential expiration to maintain when refreshing a credential, in seconds. If a refresh would otherwise occur closer to expiration than the number of buffer seconds then the refresh will be moved up to maintain as much of the buffer time as possible. Legal values are between 0 and 3600 (1 hour); a default value of  300 (5 minutes) is used if no value is specified. This value and sasl.login.refresh.min.period.seconds are both ignored if their sum exceeds the remaining lifetime of a credential. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, 3600, NULL, NULL},
    {"sasl.mechanism", CONF_STRING, "GSSAPI", 0, CONF_MEDIUM,
     "SASL mechanism used for client connections. This may be any mechanism for which a security provider is available. GSSAPI is the default mechanism.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.jaas.config", CONF_PASSWORD, NULL, 1, CONF_MEDIUM,
     "JAAS login context parameters for SASL connections in the format used by JAAS configuration files. JAAS configuration file format is described <a href=\"https://docs.oracle.com/javase/8/docs/technotes/guides/security/jgss/tutorials/LoginConfigFile.html\">here</a>. The format for the value is: <code>loginModuleClass controlFlag (optionName=optionValue)*;</code>. For brokers, the config must be prefixed with listener prefix and SASL mechanism name in lower-case. For example, listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=com.example.ScramLoginModule required;",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.client.callback.handler.class", CONF_CLASS, NULL, 1, CONF_MEDIUM,
     "The fully qualified name of a SASL client callback handler class that implements the AuthenticateCallbackHandler interface.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.callback.handler.class", CONF_CLASS, NULL, 1, CONF_MEDIUM,
     "The fully qualified name of a SASL login callback handler class that implements the AuthenticateCallbackHandler interface. For brokers, login callback handler config must be prefixed with listener prefix and SASL mechanism name in lower-case. For example, listener.name.sasl_ssl.scram-sha-256.sasl.login.callback.handler.class=com.example.CustomScramLoginCallbackHandler",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.class", CONF_CLASS, NULL, 1, CONF_MEDIUM,
     "The fully qualified name of a class that implements the Login interface. For brokers, login config must be prefixed with listener prefix and SASL mechanism name in lower-case. For example, listener.name.sasl_ssl.scram-sha-256.sasl.login.class=com.example.CustomScramLogin",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.connect.timeout.ms", CONF_INT, NULL, 1, CONF_LOW,
     "The (optional) value in milliseconds for the external authentication provider connection timeout. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.read.timeout.ms", CONF_INT, NULL, 1, CONF_LOW,
     "The (optional) value in milliseconds for the external authentication provider read timeout. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.retry.backoff.max.ms", CONF_LONG, "10000", 0, CONF_LOW,
     "The (optional) value in milliseconds for the maximum wait between login attempts to the external authentication provider. Login uses an exponential backoff algorithm with an initial wait based on the sasl.login.retry.backoff.ms setting and will double in wait length between attempts up to a maximum wait length specified by the sasl.login.retry.backoff.max.ms setting. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.login.retry.backoff.ms", CONF_LONG, "100", 0, CONF_LOW,
     "The (optional) value in milliseconds for the initial wait between login attempts to the external authentication provider. Login uses an exponential backoff algorithm with an initial wait based on the sasl.login.retry.backoff.ms setting and will double in wait length between attempts up to a maximum wait length specified by the sasl.login.retry.backoff.max.ms setting. Currently applies only to OAUTHBEARER.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.jwt.retriever.class", CONF_CLASS, "org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever", 0, CONF_MEDIUM,
     "<p>The fully-qualified class name of a <code>JwtRetriever</code> implementation used to request tokens from the identity provider.</p><p>The default configuration value represents a class that maintains backward compatibility with previous versions of Apache Kafka. The default implementation uses the configuration to determine which concrete implementation to create.<p>Other implementations that are provided include:</p><ul><li><code>org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever</code></li><li><code>org.apache.kafka.common.security.oauthbearer.DefaultJwtRetriever</code></li><li><code>org.apache.kafka.common.security.oauthbearer.FileJwtRetriever</code></li><li><code>org.apache.kafka.common.security.oauthbearer.JwtBearerJwtRetriever</code></li></ul>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.jwt.validator.class", CONF_CLASS, "org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator", 0, CONF_MEDIUM,
     "<p>The fully-qualified class name of a <code>JwtValidator</code> implementation used to validate the JWT from the identity provider.</p><p>The default validator (<code>org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator</code>) maintains backward compatibility with previous versions of Apache Kafka. The default validator uses configuration to determine which concrete implementation to create.<p>The built-in <code>JwtValidator</code> implementations are:</p><ul><li><code>org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator</code></li><li><code>org.apache.kafka.common.security.oauthbearer.ClientJwtValidator</code></li><li><code>org.apache.kafka.common.security.oauthbearer.DefaultJwtValidator</code></li></ul>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.scope", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>This is the level of access a client application is granted to a resource or API which is included in the token request. If provided, it should match one or more scopes configured in the identity provider.</p><p>The scope was previously stored as part of the <code>sasl.jaas.config</code> configuration with the key <code>scope</code>. For backward compatibility, the <code>scope</code> JAAS option can still be used, but it is deprecated and will be removed in a future version.</p><p>Order of precedence:</p><ul><li><code>sasl.oauthbearer.scope</code> from configuration</li><li><code>scope</code> from JAAS</li></ul>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.client.credentials.client.id", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>The ID (defined in/by the OAuth identity provider) to identify the client requesting the token.</p><p>The client ID was previously stored as part of the <code>sasl.jaas.config</code> configuration with the key <code>clientId</code>. For backward compatibility, the <code>clientId</code> JAAS option can still be used, but it is deprecated and will be removed in a future version.</p><p>Order of precedence:</p><ul><li><code>sasl.oauthbearer.client.credentials.client.id</code> from configuration</li><li><code>clientId</code> from JAAS</li></ul>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.client.credentials.client.secret", CONF_PASSWORD, NULL, 1, CONF_MEDIUM,
     "<p>The secret (defined by either the user or preassigned, depending on the identity provider) of the client requesting the token.</p><p>The client secret was previously stored as part of the <code>sasl.jaas.config</code> configuration with the key <code>clientSecret</code>. For backward compatibility, the <code>clientSecret</code> JAAS option can still be used, but it is deprecated and will be removed in a future version.</p><p>Order of precedence:</p><ul><li><code>sasl.oauthbearer.client.credentials.client.secret</code> from configuration</li><li><code>clientSecret</code> from JAAS</li></ul>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.algorithm", CONF_STRING, "RS256", 0, CONF_MEDIUM,
     "<p>The algorithm the Apache Kafka client should use to sign the assertion sent to the identity provider. It is also used as the value of the OAuth <code>alg</code> (Algorithm) header in the JWT assertion.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in_ci, INT64_MIN, INT64_MAX, allowed_sasl_oauthbearer_assertion_algorithm, NULL},
    {"sasl.oauthbearer.assertion.claim.aud", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>The JWT <code>aud</code> (Audience) claim which will be included in the  client JWT assertion created locally.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.claim.exp.seconds", CONF_INT, "300", 0, CONF_LOW,
     "<p>The number of seconds <em>in the future</em> for which the JWT is valid. The value is used to determine the JWT <code>exp</code> (Expiration) claim based on the current system time when the JWT is created.</p><p>The formula to generate the <code>exp</code> claim is very simple:</p><pre>Let:\n\n  x = the current timestamp in seconds, on client\n  y = the value of this configuration\n\nThen:\n\n  exp = x + y\n</pre><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, 86400, NULL, NULL},
    {"sasl.oauthbearer.assertion.claim.iss", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>The value to be used as the <code>iss</code> (Issuer) claim which will be included in the client JWT assertion created locally.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.claim.jti.include", CONF_BOOLEAN, "false", 0, CONF_MEDIUM,
     "<p>Flag that determines if the JWT assertion should generate a unique ID for the JWT and include it in the <code>jti</code> (JWT ID) claim.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.claim.nbf.seconds", CONF_INT, "60", 0, CONF_LOW,
     "<p>The number of seconds <em>in the past</em> from which the JWT is valid. The value is used to determine the JWT <code>nbf</code> (Not Before) claim based on the current system time when the JWT is created.</p><p>The formula to generate the <code>nbf</code> claim is very simple:</p><pre>Let:\n\n  x = the current timestamp in seconds, on client\n  y = the value of this configuration\n\nThen:\n\n  nbf = x - y\n</pre><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, 3600, NULL, NULL},
    {"sasl.oauthbearer.assertion.claim.sub", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>The value to be used as the <code>sub</code> (Subject) claim which will be included in the client JWT assertion created locally.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.file", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>File that contains a <em>pre-generated</em> JWT assertion.</p><p>The underlying implementation caches the file contents to avoid the performance hit of loading the file on each access. The caching mechanism will detect whenthe file changes to allow for the file to be reloaded on modifications. This allows for &quot;live&quot; assertion rotation without restarting the Kafka client.</p><p>The file contains the assertion in the serialized, three part JWT format:</p><ol><li>The <em>header</em> section is a base 64-encoded JWT header that contains values like <code>alg</code> (Algorithm), <code>typ</code> (Type, always the literal value <code>JWT</code>), etc.</li><li>The <em>payload</em> section includes the base 64-encoded set of JWT claims, such as <code>aud</code> (Audience), <code>iss</code> (Issuer), <code>sub</code> (Subject), etc.</li><li>The <em>signature</em> section is the concatenated <em>header</em> and <em>payload</em> sections that was signed using a private key</li></ol><p>See <a href=\"https://datatracker.ietf.org/doc/html/rfc7519\">RFC 7519</a> and <a href=\"https://datatracker.ietf.org/doc/html/rfc7515\">RFC 7515</a> for more details on the JWT and JWS formats.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, all other <code>sasl.oauthbearer.assertion.</code>* configurations are ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.private.key.file", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>File that contains a private key in the standard PEM format which is used to sign the JWT assertion sent to the identity provider.</p><p>The underlying implementation caches the file contents to avoid the performance hit of loading the file on each access. The caching mechanism will detect when the file changes to allow for the file to be reloaded on modifications. This allows for &quot;live&quot; private key rotation without restarting the Kafka client.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.private.key.passphrase", CONF_PASSWORD, NULL, 1, CONF_MEDIUM,
     "<p>The optional passphrase to decrypt the private key file specified by <code>sasl.oauthbearer.assertion.private.key.file</code>.</p><p><em>Note</em>: If the file referred to by <code>sasl.oauthbearer.assertion.private.key.file</code> is modified on the file system at runtime and it was created with a <em>different</em> passphrase than it was previously, the client will not be able to access the private key file because the passphrase is now out of date. For that reason, when using private key passphrases, either use the same passphrase each time, or&mdash;for improved security&mdash;restart the Kafka client using the new passphrase configuration.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.assertion.template.file", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "<p>This optional configuration specifies the file containing the JWT headers and/or payload claims to be used when creating the JWT assertion.</p><p>Not all identity providers require the same set of claims; some may require a given claim while others may prohibit it. In order to provide the most flexibility, this configuration allows the user to provide the static header values and claims that are to be included in the JWT.</p><p><em>Note</em>: If a value for <code>sasl.oauthbearer.assertion.file</code> is provided, this configuration will be ignored.</p>",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.scope.claim.name", CONF_STRING, "scope", 0, CONF_LOW,
     "The OAuth claim for the scope is often named \"scope\", but this (optional) setting can provide a different name to use for the scope included in the JWT payload's claims if the OAuth/OIDC provider uses a different name for that claim.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.sub.claim.name", CONF_STRING, "sub", 0, CONF_LOW,
     "The OAuth claim for the subject is often named \"sub\", but this (optional) setting can provide a different name to use for the subject included in the JWT payload's claims if the OAuth/OIDC provider uses a different name for that claim.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.token.endpoint.url", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The URL for the OAuth/OIDC identity provider. If the URL is HTTP(S)-based, it is the issuer's token endpoint URL to which requests will be made to login based on the configuration in <code>sasl.oauthbearer.jwt.retriever.class</code>. If the URL is file-based, it specifies a file containing an access token (in JWT serialized form) issued by the OAuth/OIDC identity provider to use for authorization.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.jwks.endpoint.url", CONF_STRING, NULL, 1, CONF_MEDIUM,
     "The OAuth/OIDC provider URL from which the provider's <a href=\"https://datatracker.ietf.org/doc/html/rfc7517#section-5\">JWKS (JSON Web Key Set)</a> can be retrieved. The URL can be HTTP(S)-based or file-based. If the URL is HTTP(S)-based, the JWKS data will be retrieved from the OAuth/OIDC provider via the configured URL on broker startup. All then-current keys will be cached on the broker for incoming requests. If an authentication request is received for a JWT that includes a \"kid\" header claim value that isn't yet in the cache, the JWKS endpoint will be queried again on demand. However, the broker polls the URL every sasl.oauthbearer.jwks.endpoint.refresh.ms milliseconds to refresh the cache with any forthcoming keys before any JWT requests that include them are received. If the URL is file-based, the broker will load the JWKS file from a configured location on startup. In the event that the JWT includes a \"kid\" header value that isn't in the JWKS file, the broker will reject the JWT and authentication will fail.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.jwks.endpoint.refresh.ms", CONF_LONG, "3600000", 0, CONF_LOW,
     "The (optional) value in milliseconds for the broker to wait between refreshing its JWKS (JSON Web Key Set) cache that contains the keys to verify the signature of the JWT.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms", CONF_LONG, "10000", 0, CONF_LOW,
     "The (optional) value in milliseconds for the maximum wait between attempts to retrieve the JWKS (JSON Web Key Set) from the external authentication provider. JWKS retrieval uses an exponential backoff algorithm with an initial wait based on the sasl.oauthbearer.jwks.endpoint.retry.backoff.ms setting and will double in wait length between attempts up to a maximum wait length specified by the sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms setting.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.jwks.endpoint.retry.backoff.ms", CONF_LONG, "100", 0, CONF_LOW,
     "The (optional) value in milliseconds for the initial wait between JWKS (JSON Web Key Set) retrieval attempts from the external authentication provider. JWKS retrieval uses an exponential backoff algorithm with an initial wait based on the sasl.oauthbearer.jwks.endpoint.retry.backoff.ms setting and will double in wait length between attempts up to a maximum wait length specified by the sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms setting.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.clock.skew.seconds", CONF_INT, "30", 0, CONF_LOW,
     "The (optional) value in seconds to allow for differences between the time of the OAuth/OIDC identity provider and the broker.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.expected.audience", CONF_LIST, NULL, 1, CONF_LOW,
     "The (optional) comma-delimited setting for the broker to use to verify that the JWT was issued for one of the expected audiences. The JWT will be inspected for the standard OAuth \"aud\" claim and if this value is set, the broker will match the value from JWT's \"aud\" claim  to see if there is an exact match. If there is no match, the broker will reject the JWT and authentication will fail.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.expected.issuer", CONF_STRING, NULL, 1, CONF_LOW,
     "The (optional) setting for the broker to use to verify that the JWT was created by the expected issuer. The JWT will be inspected for the standard OAuth \"iss\" claim and if this value is set, the broker will match it exactly against what is in the JWT's \"iss\" claim. If there is no match, the broker will reject the JWT and authentication will fail.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"sasl.oauthbearer.header.urlencode", CONF_BOOLEAN, "false", 0, CONF_LOW,
     "The (optional) setting to enable the OAuth client to URL-encode the client_id and client_secret in the authorization header in accordance with RFC6749, see <a href=\"https://datatracker.ietf.org/doc/html/rfc6749#section-2.3.1\">here</a> for more details. The default value is set to 'false' for backward compatibility",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"worker.sync.timeout.ms", CONF_INT, "3000", 0, CONF_MEDIUM,
     "When the worker is out of sync with other workers and needs to resynchronize configurations, wait up to this amount of time before giving up, leaving the group, and waiting a backoff period before rejoining.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"worker.unsync.backoff.ms", CONF_INT, "300000", 0, CONF_MEDIUM,
     "When the worker is out of sync with other workers and  fails to catch up within worker.sync.timeout.ms, leave the Connect cluster for this long before rejoining.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"offset.storage.topic", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "The name of the Kafka topic where source connector offsets are stored",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"offset.storage.partitions", CONF_INT, "25", 0, CONF_LOW,
     "The number of partitions used when creating the offset storage topic",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_partitions, INT64_MIN, INT64_MAX, NULL, NULL},
    {"offset.storage.replication.factor", CONF_SHORT, "3", 0, CONF_LOW,
     "Replication factor used when creating the offset storage topic",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_replication_factor, INT64_MIN, INT64_MAX, NULL, NULL},
    {"config.storage.topic", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "The name of the Kafka topic where connector configurations are stored",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"config.storage.replication.factor", CONF_SHORT, "3", 0, CONF_LOW,
     "Replication factor used when creating the configuration storage topic",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_replication_factor, INT64_MIN, INT64_MAX, NULL, NULL},
    {"status.storage.topic", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH,
     "The name of the Kafka topic where connector and task status are stored",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"status.storage.partitions", CONF_INT, "5", 0, CONF_LOW,
     "The number of partitions used when creating the status storage topic",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_partitions, INT64_MIN, INT64_MAX, NULL, NULL},
    {"status.storage.replication.factor", CONF_SHORT, "3", 0, CONF_LOW,
     "Replication factor used when creating the status storage topic",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_replication_factor, INT64_MIN, INT64_MAX, NULL, NULL},
    {"connect.protocol", CONF_STRING, "sessioned", 0, CONF_LOW,
     "Compatibility mode for Kafka Connect Protocol",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_connect_protocol, INT64_MIN, INT64_MAX, NULL, NULL},
    {"scheduled.rebalance.max.delay.ms", CONF_INT, "300000", 0, CONF_LOW,
     "The maximum delay that is scheduled in order to wait for the return of one or more departed workers before rebalancing and reassigning their connectors and tasks to the group. During this period the connectors and tasks of the departed workers remain unassigned",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, 2147483647, NULL, NULL},
    {"inter.worker.key.ttl.ms", CONF_INT, "3600000", 0, CONF_LOW,
     "The TTL of generated session keys used for internal request validation (in milliseconds)",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, 2147483647, NULL, NULL},
    {"inter.worker.key.generation.algorithm", CONF_STRING, "HmacSHA256", 0, CONF_LOW,
     "The algorithm to use for generating internal request keys. The algorithm 'HmacSHA256' will be used as a default on JVMs that support it; on other JVMs, no default is used and a value for this property must be manually specified in the worker config.",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_key_algorithm, INT64_MIN, INT64_MAX, NULL, NULL},
    {"inter.worker.key.size", CONF_INT, NULL, 1, CONF_LOW,
     "The size of the key to use for signing internal requests, in bits. If null, the default key size for the key generation algorithm will be used.",
     NULL, -1, CONF_WIDTH_NONE, NULL, NULL, INT64_MIN, INT64_MAX, NULL, NULL},
    {"inter.worker.signature.algorithm", CONF_STRING, "HmacSHA256", 0, CONF_LOW,
     "The algorithm used to sign internal requestsThe algorithm 'inter.worker.signature.algorithm' will be used as a default on JVMs that support it; on other JVMs, no default is used and a value for this property must be manually specified in the worker config.",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_mac_algorithm, INT64_MIN, INT64_MAX, NULL, NULL},
    {"inter.worker.verification.algorithms", CONF_LIST, "HmacSHA256", 0, CONF_LOW,
     "A list of permitted algorithms for verifying internal requests, which must include the algorithm used for the inter.worker.signature.algorithm property. The algorithm(s) '[HmacSHA256]' will be used as a default on JVMs that provide them; on other JVMs, no default is used and a value for this property must be manually specified in the worker config.",
     NULL, -1, CONF_WIDTH_NONE, NULL, validate_verification_algorithms, INT64_MIN, INT64_MAX, NULL, NULL},
    {"metadata.recovery.strategy", CONF_STRING, "rebootstrap", 0, CONF_LOW,
     "Controls how the client recovers when none of the brokers known to it is available. If set to <code>none</code>, the client fails. If set to <code>rebootstrap</code>, the client repeats the bootstrap process using <code>bootstrap.servers</code>. Rebootstrapping is useful when a client communicates with brokers so infrequently that the set of brokers may change entirely before the client refreshes metadata. Metadata recovery is triggered when all last-known brokers appear unavailable simultaneously. Brokers appear unavailable when disconnected and no current retry attempt is in-progress. Consider increasing <code>reconnect.backoff.ms</code> and <code>reconnect.backoff.max.ms</code> and decreasing <code>socket.connection.setup.timeout.ms</code> and <code>socket.connection.setup.timeout.max.ms</code> for the client. Rebootstrap is also triggered if connection cannot be established to any of the brokers for <code>metadata.recovery.rebootstrap.trigger.ms</code> milliseconds or if server requests rebootstrap.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in_ci, INT64_MIN, INT64_MAX, allowed_metadata_recovery_strategy, NULL},
    {"metadata.recovery.rebootstrap.trigger.ms", CONF_LONG, "300000", 0, CONF_LOW,
     "If a client configured to rebootstrap using <code>metadata.recovery.strategy=rebootstrap</code> is unable to obtain metadata from any of the brokers in the last known metadata for this interval, client repeats the bootstrap process using <code>bootstrap.servers</code> configuration.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 0, INT64_MAX, NULL, NULL},
    /* connect-c's own: the JVM has no such bound (its sinks' most reported failure). */
    {"task.memory.budget.bytes", CONF_LONG, "268435456", 0, CONF_MEDIUM,
     "connect-c: bytes a sink task may hold, converted batch and the sink's buffers together; at the budget the task commits to make room and pauses consumption until the sink is below three quarters of it. A connector config may set its own.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 1048576, INT64_MAX, NULL, NULL},
    /* connect-c's own REST limits: Jetty's thread pool and timeouts have no exact equivalent
     * in a thread-per-connection server, and these keep slow or hostile clients from pinning it. */
    {"rest.max.connections", CONF_INT, "64", 0, CONF_LOW,
     "connect-c: concurrent REST connections on each listener (one thread each). Connections past it are closed on accept.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 1, 65536, NULL, NULL},
    {"rest.max.connections.per.ip", CONF_INT, "32", 0, CONF_LOW,
     "connect-c: concurrent REST connections from one client address on each listener, so one client cannot take them all. Behind a proxy every request comes from the proxy's address: raise it to rest.max.connections there.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 1, 65536, NULL, NULL},
    {"rest.request.header.timeout.ms", CONF_INT, "30000", 0, CONF_LOW,
     "connect-c: time a REST client has to send a request line and headers, counted from the connection's accept or the end of its previous request; past it the connection is closed, however slowly it was still sending.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 100, 3600000, NULL, NULL},
    {"rest.request.body.timeout.ms", CONF_INT, "90000", 0, CONF_LOW,
     "connect-c: time a REST client has to send a request body once its headers are in; past it the connection is closed.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 100, 3600000, NULL, NULL},
    {"rest.max.request.body.bytes", CONF_INT, "10485760", 0, CONF_LOW,
     "connect-c: largest REST request body; a longer one is answered 413 without being read.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_range, 4096, 1073741824, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
};
