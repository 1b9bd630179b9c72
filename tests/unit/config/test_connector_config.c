/*
 * tests/unit/config/test_connector_config.c: connector-config validation in the JVM's shape --
 * the section 7.2 rules with their exact messages, entry order, error counting, alias groups,
 * override policies, the 400 text, the unknown-class error, and GET .../config JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "conf_worker.h"
#include "conf_values.h"
#include "connector_config.h"
#include "kc_alloc.h"

static const struct conf_def fake_def[] = {
    {"file", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "Destination file.", "Sink", 1,
     CONF_WIDTH_LONG, "File", NULL, 0, 0, NULL, NULL},
    {"batch.size", CONF_INT, "100", 0, CONF_LOW, "Rows per batch.", "Sink", 2, CONF_WIDTH_SHORT,
     "Batch size", conf_validate_range, 1, 1000, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};

static int fake_validate(const struct conf_values *cv, struct conf_infos *errs,
                         struct kc_error *err)
{
    (void)err;
    const char *f = conf_values_string(cv, "file");
    if (f != NULL && strcmp(f, "/forbidden") == 0) {
        return conf_values_add_error(errs, "file", "may not write to /forbidden");
    }
    return KC_OK;
}

static const char *const fake_classes[] = {"com.acme.FakeSinkConnector", NULL};
static const struct connector_sink_info fake_sink = {
    .class_names = fake_classes,
    .version = "1.0",
    .config_def = fake_def,
    .validate = fake_validate,
};

static const struct connector_worker_facts facts = {
    .worker_group_id = "connect-cluster", .override_policy = "All", .sinks = &fake_sink, .n_sinks = 1};

static struct kc_strmap *base_cfg(void)
{
    struct kc_strmap *m = kc_strmap_new();
    kc_strmap_set(m, "name", "sink-a");
    kc_strmap_set(m, "connector.class", "com.acme.FakeSinkConnector");
    kc_strmap_set(m, "topics", "orders");
    kc_strmap_set(m, "file", "/tmp/out");
    return m;
}

static const struct conf_info_value *entry(const struct conf_infos *ci, const char *name)
{
    for (size_t i = 0; i < ci->n_configs; i++) {
        if (strcmp(ci->configs[i].name, name) == 0) {
            return &ci->configs[i];
        }
    }
    return NULL;
}

static long entry_index(const struct conf_infos *ci, const char *name)
{
    for (size_t i = 0; i < ci->n_configs; i++) {
        if (strcmp(ci->configs[i].name, name) == 0) {
            return (long)i;
        }
    }
    return -1;
}

static struct conf_infos *validate(const struct kc_strmap *cfg,
                                   const struct connector_worker_facts *wf)
{
    struct conf_infos *ci = NULL;
    struct kc_error err;
    assert_int_equal(connector_config_validate_sink(cfg, &fake_sink, wf, &ci, &err), KC_OK);
    assert_non_null(ci);
    return ci;
}

static void assert_only_error(const struct conf_infos *ci, const char *name, const char *msg)
{
    const struct conf_info_value *iv = entry(ci, name);
    assert_non_null(iv);
    assert_int_equal(iv->n_errors, 1);
    assert_string_equal(iv->errors[0], msg);
}

static void test_connector_config_valid(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci = validate(cfg, &facts);

    assert_int_equal(ci->error_count, 0);
    assert_string_equal(ci->name, "com.acme.FakeSinkConnector");
    assert_int_equal(ci->n_groups, 5);
    assert_string_equal(ci->groups[0], "Common");
    assert_string_equal(ci->groups[1], "Transforms");
    assert_string_equal(ci->groups[2], "Predicates");
    assert_string_equal(ci->groups[3], "Error Handling");
    assert_string_equal(ci->groups[4], "Sink");
    /* framework keys in definition order, then the sink's keys */
    assert_int_equal(entry_index(ci, "name"), 0);
    assert_int_equal(entry_index(ci, "connector.class"), 1);
    assert_true(entry_index(ci, "errors.deadletterqueue.context.headers.enable") <
                entry_index(ci, "file"));
    assert_string_equal(entry(ci, "tasks.max")->value, "1");
    assert_string_equal(entry(ci, "batch.size")->value, "100");
    assert_null(entry(ci, "key.converter")->value);
    assert_string_equal(entry(ci, "topics")->value, "orders");
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_topics_rules(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci;

    kc_strmap_set(cfg, "topics.regex", "orders.*");
    ci = validate(cfg, &facts);
    assert_int_equal(ci->error_count, 2);
    assert_only_error(ci, "topics",
                      "topics and topics.regex are mutually exclusive options, but both are set.");
    assert_only_error(ci, "topics.regex",
                      "topics and topics.regex are mutually exclusive options, but both are set.");
    conf_infos_free(ci);

    kc_strmap_del(cfg, "topics.regex");
    kc_strmap_set(cfg, "topics", "  ");
    ci = validate(cfg, &facts);
    assert_int_equal(ci->error_count, 2);
    assert_only_error(ci, "topics", "Must configure one of topics or topics.regex");
    assert_only_error(ci, "topics.regex", "Must configure one of topics or topics.regex");
    conf_infos_free(ci);

    kc_strmap_set(cfg, "topics", "orders, dlq,orders");
    kc_strmap_set(cfg, "errors.deadletterqueue.topic.name", " dlq ");
    ci = validate(cfg, &facts);
    assert_only_error(ci, "topics",
                      "The DLQ topic 'dlq' may not be included in the list of topics "
                      "('topics=[orders, dlq]') consumed by the connector");
    conf_infos_free(ci);

    kc_strmap_del(cfg, "topics");
    kc_strmap_set(cfg, "topics.regex", "d.q");
    ci = validate(cfg, &facts);
    assert_only_error(ci, "topics.regex",
                      "The DLQ topic 'dlq' may not be matched by the regex for the topics "
                      "('topics.regex=d.q') consumed by the connector");
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_required_and_types(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci;

    kc_strmap_del(cfg, "name");
    kc_strmap_del(cfg, "file");
    kc_strmap_set(cfg, "tasks.max", "x");
    kc_strmap_set(cfg, "errors.tolerance", "some");
    ci = validate(cfg, &facts);
    assert_only_error(ci, "name", "Missing required configuration \"name\" which has no default value.");
    assert_only_error(ci, "file", "Missing required configuration \"file\" which has no default value.");
    assert_only_error(ci, "errors.tolerance",
                      "Invalid value some for configuration errors.tolerance: String must be one "
                      "of: none, all");
    assert_int_equal(entry(ci, "tasks.max")->n_errors, 2);
    assert_string_equal(entry(ci, "tasks.max")->errors[0],
                        "Invalid value x for configuration tasks.max: Not a number of type INT");
    assert_int_equal(ci->error_count, 5);
    assert_null(entry(ci, "name")->value);
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_null_values(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci;

    kc_strmap_set(cfg, "tasks.max", NULL);
    kc_strmap_set(cfg, "custom.unknown", NULL);
    ci = validate(cfg, &facts);
    /* an undefined key comes first, with no definition */
    assert_int_equal(entry_index(ci, "custom.unknown"), 0);
    assert_null(ci->configs[0].def);
    assert_only_error(ci, "custom.unknown",
                      "Null value can not be supplied as the configuration value.");
    const struct conf_info_value *tm = entry(ci, "tasks.max");
    assert_int_equal(tm->n_errors, 2);
    assert_string_equal(tm->errors[0],
                        "Invalid value null for configuration tasks.max: Value must be non-null");
    assert_string_equal(tm->errors[1], "Null value can not be supplied as the configuration value.");
    assert_int_equal(ci->error_count, 3);
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_transforms(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci;

    kc_strmap_set(cfg, "transforms", "route,drop,route");
    kc_strmap_set(cfg, "transforms.route.type", "org.apache.kafka.connect.transforms.RegexRouter");
    kc_strmap_set(cfg, "transforms.drop.negate", "true");
    kc_strmap_set(cfg, "predicates", "isTomb");
    kc_strmap_set(cfg, "predicates.isTomb.type",
                  "org.apache.kafka.connect.transforms.predicates.RecordIsTombstone");
    ci = validate(cfg, &facts);
    assert_only_error(ci, "transforms",
                      "Invalid value [route, drop, route] for configuration transforms: Duplicate "
                      "alias provided.");
    const struct conf_info_value *dt = entry(ci, "transforms.drop.type");
    assert_non_null(dt);
    assert_int_equal(dt->n_errors, 2);
    assert_string_equal(dt->errors[0], "Missing required configuration \"transforms.drop.type\" "
                                       "which has no default value.");
    assert_string_equal(dt->errors[1],
                        "Config 'transforms.drop.negate' was provided but there is no config "
                        "'transforms.drop.predicate' defining a predicate to be negated.");
    /* route is fine: its embedded negate/predicate keys follow its type, in that order */
    long rt = entry_index(ci, "transforms.route.type");
    assert_true(rt > entry_index(ci, "errors.deadletterqueue.context.headers.enable"));
    assert_int_equal(entry_index(ci, "transforms.route.plugin.version"), rt + 1);
    assert_int_equal(entry_index(ci, "transforms.route.negate"), rt + 2);
    assert_int_equal(entry_index(ci, "transforms.route.predicate"), rt + 3);
    assert_null(entry(ci, "transforms.drop.negate")); /* not embedded: drop has no type */
    assert_non_null(entry(ci, "predicates.isTomb.type"));
    assert_int_equal(ci->error_count, 3);
    /* groups: framework, then per alias in definition order, then the sink's */
    assert_int_equal(ci->n_groups, 8);
    assert_string_equal(ci->groups[4], "Transforms: route");
    assert_string_equal(ci->groups[5], "Transforms: drop");
    assert_string_equal(ci->groups[6], "Predicates: isTomb");
    assert_string_equal(ci->groups[7], "Sink");

    json_t *j = conf_infos_to_json(ci);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(s, "{\"definition\":{\"name\":\"transforms.route.type\",\"type\":\"CLASS\","
                              "\"required\":true,\"default_value\":null,\"importance\":\"HIGH\","
                              "\"documentation\":\"Class for the 'route' transformation.\","
                              "\"group\":\"Transforms: route\",\"width\":\"LONG\",\"display_name\":"
                              "\"Transformation type for route\",\"dependents\":[],\"order\":0}"));
    assert_non_null(strstr(s, "{\"name\":\"transforms.route.negate\",\"type\":\"BOOLEAN\","
                              "\"required\":false,\"default_value\":\"false\",\"importance\":"
                              "\"MEDIUM\",\"documentation\":\"Whether the configured predicate "
                              "should be negated.\",\"group\":\"Transforms: route\",\"width\":"
                              "\"NONE\",\"display_name\":\"negate\",\"dependents\":[],\"order\":2}"));
    free(s);
    json_decref(j);
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_group_id_conflict(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct connector_worker_facts wf = {.worker_group_id = "connect-sink-a", .override_policy = "All"};
    struct conf_infos *ci = validate(cfg, &wf);

    assert_only_error(ci, "name", "Consumer group for sink connector named sink-a conflicts with "
                                  "Connect worker group connect-sink-a");
    conf_infos_free(ci);
    kc_strmap_set(cfg, "consumer.override.group.id", "connect-cluster");
    ci = validate(cfg, &facts);
    /* the main part has an undefined entry; the consumer part lists the override again */
    assert_int_equal(entry_index(ci, "consumer.override.group.id"), 0);
    assert_null(ci->configs[0].def);
    assert_string_equal(ci->configs[0].errors[0],
                        "Consumer group connect-cluster conflicts with Connect worker group "
                        "connect-cluster");
    const struct conf_info_value *last = &ci->configs[ci->n_configs - 1];
    assert_string_equal(last->name, "consumer.override.group.id");
    assert_non_null(last->def);
    assert_string_equal(last->def->name, "group.id");
    assert_int_equal(last->n_errors, 0);
    assert_int_equal(ci->error_count, 1);
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_override_policy(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct connector_worker_facts none = {.worker_group_id = "connect-cluster", .override_policy = "None"};
    struct connector_worker_facts principal = {.worker_group_id = "connect-cluster",
                                                .override_policy = "Principal"};
    struct conf_infos *ci;

    kc_strmap_set(cfg, "consumer.override.max.poll.records", "50");
    kc_strmap_set(cfg, "consumer.override.sasl.jaas.config", "x required;");
    kc_strmap_set(cfg, "producer.override.acks", "all"); /* no DLQ: producer part skipped */
    ci = validate(cfg, &none);
    assert_only_error(ci, "consumer.override.max.poll.records",
                      "The 'None' policy does not allow 'max.poll.records' to be overridden in the "
                      "connector configuration.");
    assert_only_error(ci, "consumer.override.sasl.jaas.config",
                      "The 'None' policy does not allow 'sasl.jaas.config' to be overridden in "
                      "the connector configuration.");
    assert_string_equal(entry(ci, "consumer.override.sasl.jaas.config")->value, "[hidden]");
    assert_null(entry(ci, "producer.override.acks"));
    assert_int_equal(ci->error_count, 2);
    conf_infos_free(ci);

    ci = validate(cfg, &principal);
    assert_only_error(ci, "consumer.override.max.poll.records",
                      "The 'Principal' policy does not allow 'max.poll.records' to be overridden "
                      "in the connector configuration.");
    assert_int_equal(entry(ci, "consumer.override.sasl.jaas.config")->n_errors, 0);
    assert_int_equal(ci->error_count, 1);
    conf_infos_free(ci);

    /* with a DLQ topic the producer and admin overrides are checked too, producer first */
    kc_strmap_set(cfg, "errors.deadletterqueue.topic.name", "dlq");
    kc_strmap_set(cfg, "admin.override.retries", "3");
    ci = validate(cfg, &facts);
    assert_int_equal(ci->error_count, 0);
    assert_true(entry_index(ci, "producer.override.acks") <
                entry_index(ci, "consumer.override.max.poll.records"));
    assert_true(entry_index(ci, "consumer.override.max.poll.records") <
                entry_index(ci, "admin.override.retries"));
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_sink_validate_and_message(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci;
    struct kc_error err;

    kc_strmap_set(cfg, "file", "/forbidden");
    kc_strmap_set(cfg, "batch.size", "5000");
    ci = validate(cfg, &facts);
    assert_only_error(ci, "file", "may not write to /forbidden");
    assert_only_error(ci, "batch.size",
                      "Invalid value 5000 for configuration batch.size: Value must be no more than "
                      "1000");
    assert_int_equal(ci->error_count, 2);
    char *text = connector_config_error_text(ci);
    assert_string_equal(text, "Connector configuration is invalid and contains the following 2 "
                              "error(s):\nmay not write to /forbidden\nInvalid value 5000 for "
                              "configuration batch.size: Value must be no more than 1000\nYou can "
                              "also find the above list of errors at the endpoint "
                              "`/connector-plugins/{connectorType}/config/validate`");
    kc_free(text);
    assert_int_equal(connector_config_error_message(ci, &err), KC_EINVAL);
    assert_true(strncmp(err.msg, "Connector configuration is invalid", 34) == 0);
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_unknown_class_and_no_type(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci = NULL;
    struct kc_error err;

    kc_strmap_set(cfg, "connector.class", "com.acme.Nope");
    assert_int_equal(connector_config_validate(cfg, &facts, &ci, &err), KC_ENOENT);
    assert_null(ci);
    static const char want[] = "Failed to find any class that implements Connector and which "
                               "name matches com.acme.Nope, available connectors are: ";
    assert_true(strncmp(err.msg, want, sizeof(want) - 1) == 0);
    /* the sinks the facts describe, as the JVM's PluginDesc.toString() lists them */
    assert_string_equal(err.msg + sizeof(want) - 1,
                        "PluginDesc{klass=class com.acme.FakeSinkConnector, "
                        "name='com.acme.FakeSinkConnector', version='1.0', encodedVersion=1.0, "
                        "type=sink, typeName='sink', location='classpath'}");
    /* found by full name, simple name, and simple name without "Connector" */
    static const char *const names[] = {"com.acme.FakeSinkConnector", "FakeSinkConnector",
                                        "FakeSink"};
    for (size_t i = 0; i < 3; i++) {
        kc_strmap_set(cfg, "connector.class", names[i]);
        assert_int_equal(connector_config_validate(cfg, &facts, &ci, &err), KC_OK);
        assert_non_null(entry(ci, "batch.size")); /* the sink's own keys were validated */
        conf_infos_free(ci);
        ci = NULL;
    }
    kc_strmap_set(cfg, "connector.class", "FakeSinkConn");
    assert_int_equal(connector_config_validate(cfg, &facts, &ci, &err), KC_ENOENT);
    kc_strmap_del(cfg, "connector.class");
    assert_int_equal(connector_config_validate(cfg, &facts, &ci, &err), KC_EINVAL);
    /* Java's new HashMap<>(config).toString(), checked with a JDK 17 */
    assert_string_equal(err.msg, "Connector config {name=sink-a, file=/tmp/out, topics=orders} "
                                 "contains no connector type");
    kc_strmap_free(cfg);
    /* a bigger map, also from a JDK 17 */
    cfg = kc_strmap_new();
    static const char *const keys[] = {"z", "topics", "a.b.c", "name", "tasks.max", "file", "x1",
                                       "x2"};
    for (size_t i = 0; i < 8; i++) {
        kc_strmap_set(cfg, keys[i], "v");
    }
    assert_int_equal(connector_config_validate(cfg, &facts, &ci, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Connector config {file=v, topics=v, tasks.max=v, a.b.c=v, "
                                 "name=v, x1=v, z=v, x2=v} contains no connector type");
    kc_strmap_free(cfg);
}

static void test_connector_config_plugin_json(void **state)
{
    (void)state;
    json_t *j = connector_config_plugin_json(&fake_sink);
    assert_true(json_is_array(j));
    assert_int_equal(json_array_size(j), 2 + conf_def_count(connector_sink_def));
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "name")), "file");
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 2), "name")), "name");
    json_t *tm = json_array_get(j, 5);
    assert_string_equal(json_string_value(json_object_get(tm, "name")), "tasks.max");
    assert_string_equal(json_string_value(json_object_get(tm, "display_name")), "Tasks max");
    assert_string_equal(json_string_value(json_object_get(tm, "default_value")), "1");
    json_decref(j);
}

static void test_connector_config_resolve_with_providers(void **state)
{
    (void)state;
    char *envp[] = {"OUT_FILE=/tmp/resolved", NULL};
    struct kc_strmap props, out;
    struct conf_providers *cp = NULL;
    struct kc_error err;
    struct kc_strmap *cfg = base_cfg();

    kc_strmap_init(&props);
    kc_strmap_set(&props, "config.providers", "env");
    kc_strmap_set(&props, "config.providers.env.class",
                  "org.apache.kafka.common.config.provider.EnvVarConfigProvider");
    assert_int_equal(conf_providers_new(&props, envp, &cp, &err), KC_OK);
    kc_strmap_set(cfg, "file", "${env:OUT_FILE}");
    struct connector_worker_facts wf = {
        .worker_group_id = "connect-cluster", .override_policy = "All", .providers = cp};
    struct conf_infos *ci = validate(cfg, &wf);
    /* validated resolved, shown as the reference: a provider's value may be a secret */
    assert_string_equal(entry(ci, "file")->value, "${env:OUT_FILE}");
    assert_int_equal(ci->error_count, 0);
    conf_infos_free(ci);
    /* a secret that fails validation is not echoed, neither in the value nor in the message */
    kc_strmap_set(cfg, "batch.size", "${env:SECRET_SIZE}");
    kc_strmap_set(cfg, "file", "${env:SECRET_FILE}");
    conf_providers_free(cp);
    char *envp2[] = {"SECRET_SIZE=9876543210hunter2", "SECRET_FILE=/forbidden", NULL};
    assert_int_equal(conf_providers_new(&props, envp2, &cp, &err), KC_OK);
    wf.providers = cp;
    ci = validate(cfg, &wf);
    const struct conf_info_value *bs = entry(ci, "batch.size");
    assert_true(bs->n_errors >= 1);
    assert_string_equal(bs->errors[0], "Invalid value ${env:SECRET_SIZE} for configuration "
                                       "batch.size: Not a number of type INT");
    assert_true(bs->value == NULL || strcmp(bs->value, "${env:SECRET_SIZE}") == 0);
    assert_string_equal(entry(ci, "file")->value, "${env:SECRET_FILE}");
    assert_string_equal(entry(ci, "file")->errors[0], "may not write to ${env:SECRET_FILE}");
    char *text = connector_config_error_text(ci);
    assert_null(strstr(text, "hunter2"));
    kc_free(text);
    conf_infos_free(ci);
    kc_strmap_init(&out);
    assert_int_equal(connector_config_resolve(cfg, NULL, &out, &err), KC_OK);
    assert_string_equal(kc_strmap_get(&out, "file"), "${env:SECRET_FILE}"); /* no worker: as is */
    kc_strmap_fini(&out);
    conf_providers_free(cp);
    kc_strmap_fini(&props);
    kc_strmap_free(cfg);
}

static void test_connector_config_alloc_failures(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    int ok = 0;

    kc_strmap_set(cfg, "transforms", "a");
    kc_strmap_set(cfg, "transforms.a.type", "x.Y");
    kc_strmap_set(cfg, "consumer.override.max.poll.records", "5");
    kc_strmap_set(cfg, "unknown", NULL);
    for (long n = 0; n < 20000 && !ok; n++) {
        struct conf_infos *ci = NULL;
        struct kc_error err;
        kc_alloc_fail_after(n);
        int rc = connector_config_validate_sink(cfg, &fake_sink, &facts, &ci, &err);
        kc_alloc_fail_after(-1);
        if (rc == KC_OK) {
            ok = 1;
            assert_int_equal(ci->error_count, 1);
            json_t *j = conf_infos_to_json(ci);
            json_decref(j);
            conf_infos_free(ci);
        } else {
            assert_int_equal(rc, KC_ENOMEM);
            assert_null(ci);
        }
    }
    assert_true(ok);
    kc_strmap_free(cfg);
}

/* ---- parity with the JVM worker (fixtures in data/, see data/README) ---- */

static const struct conf_def jvm_file_def[] = {
    {"file", CONF_STRING, NULL, 1, CONF_HIGH,
     "Destination filename. If not specified, the standard output will be used", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};
static const struct conf_def jvm_router_def[] = {
    {"regex", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "Regular expression to use for matching.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_regex, 0, 0, NULL, NULL},
    {"replacement", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "Replacement string.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};
static const struct conf_def jvm_tnm_def[] = {
    {"pattern", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_MEDIUM,
     "A Java regular expression for matching against the name of a record's topic.", NULL, -1,
     CONF_WIDTH_NONE, NULL, conf_validate_regex, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};
static const char *const jvm_ctypes[] = {"key", "value", "header", NULL};
static const struct conf_def jvm_sconv_def[] = {
    {"converter.type", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_LOW, "How this converter will be used.",
     NULL, -1, CONF_WIDTH_NONE, NULL, conf_validate_in, 0, 0, jvm_ctypes, NULL},
    {"converter.encoding", CONF_STRING, "UTF-8", 0, CONF_HIGH,
     "The name of the Java character set to use for encoding strings as byte arrays.", NULL, -1,
     CONF_WIDTH_MEDIUM, "Encoding", NULL, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};
#define T "org.apache.kafka.connect.transforms."
#define PL(c) {c, "4.1.0", NULL}
static const struct connector_plugin_info jvm_smts[] = {
    PL(T "Cast$Key"), PL(T "Cast$Value"), PL(T "DropHeaders"), PL(T "ExtractField$Key"),
    PL(T "ExtractField$Value"), PL(T "Filter"), PL(T "Flatten$Key"), PL(T "Flatten$Value"),
    PL(T "HeaderFrom$Key"), PL(T "HeaderFrom$Value"), PL(T "HoistField$Key"),
    PL(T "HoistField$Value"), PL(T "InsertField$Key"), PL(T "InsertField$Value"),
    PL(T "InsertHeader"), PL(T "MaskField$Key"), PL(T "MaskField$Value"),
    {T "RegexRouter", "4.1.0", jvm_router_def}, PL(T "ReplaceField$Key"),
    PL(T "ReplaceField$Value"), PL(T "SetSchemaMetadata$Key"), PL(T "SetSchemaMetadata$Value"),
    PL(T "TimestampConverter$Key"), PL(T "TimestampConverter$Value"), PL(T "TimestampRouter"),
    PL(T "ValueToKey"), {NULL, NULL, NULL}};
static const struct connector_plugin_info jvm_preds[] = {
    PL(T "predicates.HasHeaderKey"), PL(T "predicates.RecordIsTombstone"),
    {T "predicates.TopicNameMatches", "4.1.0", jvm_tnm_def}, {NULL, NULL, NULL}};
#define C "org.apache.kafka.connect.converters."
static const struct connector_plugin_info jvm_convs[] = {
    PL(C "BooleanConverter"), PL(C "ByteArrayConverter"), PL(C "DoubleConverter"),
    PL(C "FloatConverter"), PL(C "IntegerConverter"), PL(C "LongConverter"),
    PL(C "ShortConverter"), PL("org.apache.kafka.connect.json.JsonConverter"),
    {"org.apache.kafka.connect.storage.StringConverter", "4.1.0", jvm_sconv_def},
    {NULL, NULL, NULL}};
static const struct connector_plugin_info jvm_hconvs[] = {
    PL(C "BooleanConverter"), PL(C "ByteArrayConverter"), PL(C "DoubleConverter"),
    PL(C "FloatConverter"), PL(C "IntegerConverter"), PL(C "LongConverter"),
    PL(C "ShortConverter"), PL("org.apache.kafka.connect.json.JsonConverter"),
    PL("org.apache.kafka.connect.storage.SimpleHeaderConverter"),
    {"org.apache.kafka.connect.storage.StringConverter", "4.1.0", jvm_sconv_def},
    {NULL, NULL, NULL}};
static const char *const jvm_file_classes[] = {"org.apache.kafka.connect.file.FileStreamSinkConnector",
                                               NULL};
static const struct connector_sink_info jvm_file_sink = {
    .class_names = jvm_file_classes,
    .version = "4.1.0",
    .config_def = jvm_file_def,
};
static const struct connector_worker_facts jvm_facts = {
    .worker_group_id = "cfgcheck-jvm",
    .override_policy = "All",
    .key_converter = "org.apache.kafka.connect.json.JsonConverter",
    .value_converter = "org.apache.kafka.connect.json.JsonConverter",
    .header_converter = "org.apache.kafka.connect.storage.SimpleHeaderConverter",
    .plugins = {jvm_smts, jvm_preds, jvm_convs, jvm_hconvs},
};

static char *read_text(const char *name)
{
    char path[1024];
    FILE *f;
    long n;
    char *buf;

    snprintf(path, sizeof(path), "%s/%s", KC_TEST_DATA_DIR, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    while (n > 0 && buf[n - 1] == '\n') {
        buf[--n] = '\0';
    }
    return buf;
}

static struct conf_infos *validate_fixture(const char *input)
{
    char *text = read_text(input);
    json_error_t je;
    json_t *in = json_loads(text, 0, &je);
    struct kc_strmap m;
    const char *k;
    json_t *v;
    struct conf_infos *ci = NULL;
    struct kc_error err;

    assert_non_null(in);
    kc_strmap_init(&m);
    json_object_foreach(in, k, v)
    {
        kc_strmap_set(&m, k, json_is_null(v) ? NULL : json_string_value(v));
    }
    assert_int_equal(connector_config_validate_sink(&m, &jvm_file_sink, &jvm_facts, &ci, &err), KC_OK);
    kc_strmap_fini(&m);
    json_decref(in);
    free(text);
    return ci;
}

static void test_connector_config_matches_jvm_4_1(void **state)
{
    (void)state;
    static const char *const cases[] = {"validate_basic", "validate_transforms", "validate_errors"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char in[128], want[128];
        snprintf(in, sizeof(in), "%s.in.json", cases[i]);
        snprintf(want, sizeof(want), "%s.jvm.json", cases[i]);
        struct conf_infos *ci = validate_fixture(in);
        json_t *j = conf_infos_to_json(ci);
        char *got = json_dumps(j, JSON_COMPACT);
        char *expected = read_text(want);
        assert_string_equal(got, expected); /* byte for byte what the JVM answered */
        free(expected);
        free(got);
        json_decref(j);
        conf_infos_free(ci);
    }
}

static void test_connector_config_error_text_matches_jvm(void **state)
{
    (void)state;
    struct conf_infos *ci = validate_fixture("create_invalid.in.json");
    char *body = read_text("create_invalid.jvm.json");
    json_error_t je;
    json_t *j = json_loads(body, 0, &je);
    char *text = connector_config_error_text(ci);

    assert_int_equal(json_integer_value(json_object_get(j, "error_code")), 400);
    assert_string_equal(text, json_string_value(json_object_get(j, "message")));
    kc_free(text);
    json_decref(j);
    free(body);
    conf_infos_free(ci);
}

static void test_connector_config_plugin_json_matches_jvm(void **state)
{
    (void)state;
    json_t *j = connector_config_plugin_json(&jvm_file_sink);
    char *got = json_dumps(j, JSON_COMPACT);
    char *expected = read_text("plugin_config_filestreamsink.jvm.json");
    assert_string_equal(got, expected);
    free(expected);
    free(got);
    json_decref(j);
}

/* The JVM does not catch a type error in an override: the REST call fails with 500. */
static void test_connector_config_override_parse_error(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci = NULL;
    struct kc_error err;

    kc_strmap_set(cfg, "errors.deadletterqueue.topic.name", "dlq");
    kc_strmap_set(cfg, "admin.override.retries", "x");
    assert_int_equal(connector_config_validate_sink(cfg, &fake_sink, &facts, &ci, &err), KC_EIO);
    assert_null(ci);
    assert_string_equal(err.msg, "org.apache.kafka.common.config.ConfigException: Invalid value x "
                                 "for configuration retries: Not a number of type INT");
    kc_strmap_free(cfg);
}

/* REST calls without worker facts: the framework part must still be complete. */
static void test_connector_config_null_facts(void **state)
{
    (void)state;
    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci = NULL;
    struct kc_error err;

    kc_strmap_set(cfg, "consumer.override.group.id", "g");
    kc_strmap_set(cfg, "transforms", "a");
    kc_strmap_set(cfg, "transforms.a.type", "x.Y");
    assert_int_equal(connector_config_validate_sink(cfg, &fake_sink, NULL, &ci, &err), KC_OK);
    assert_int_equal(ci->error_count, 0);
    assert_string_equal(entry(ci, "connector.plugin.version")->value, "1.0");
    assert_null(entry(ci, "key.converter")->value);
    assert_non_null(entry(ci, "transforms.a.negate"));
    conf_infos_free(ci);
    kc_strmap_free(cfg);
}

static void test_connector_config_facts_from_worker(void **state)
{
    (void)state;
    struct kc_strmap props;
    struct worker_config wc;
    struct connector_worker_facts wf;
    struct kc_error err;

    kc_strmap_init(&props);
    kc_strmap_set(&props, "group.id", "connect-cluster");
    kc_strmap_set(&props, "config.storage.topic", "c");
    kc_strmap_set(&props, "offset.storage.topic", "o");
    kc_strmap_set(&props, "status.storage.topic", "s");
    kc_strmap_set(&props, "key.converter", "org.apache.kafka.connect.json.JsonConverter");
    kc_strmap_set(&props, "value.converter", "org.apache.kafka.connect.storage.StringConverter");
    kc_strmap_set(&props, "connector.client.config.override.policy", "None");
    assert_int_equal(worker_config_from_map(&props, NULL, &wc, &err), KC_OK);
    connector_config_facts_init(&wf, &wc);
    assert_string_equal(wf.worker_group_id, "connect-cluster");
    assert_string_equal(wf.override_policy, "None");
    assert_string_equal(wf.header_converter, "org.apache.kafka.connect.storage.SimpleHeaderConverter");
    assert_null(wf.plugins[CONNECTOR_PLUGIN_CONVERTER]);

    struct kc_strmap *cfg = base_cfg();
    struct conf_infos *ci = validate(cfg, &wf);
    assert_string_equal(entry(ci, "value.converter")->value,
                        "org.apache.kafka.connect.storage.StringConverter");
    conf_infos_free(ci);
    kc_strmap_free(cfg);
    worker_config_fini(&wc);
    kc_strmap_fini(&props);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connector_config_valid),
        cmocka_unit_test(test_connector_config_topics_rules),
        cmocka_unit_test(test_connector_config_required_and_types),
        cmocka_unit_test(test_connector_config_null_values),
        cmocka_unit_test(test_connector_config_transforms),
        cmocka_unit_test(test_connector_config_group_id_conflict),
        cmocka_unit_test(test_connector_config_override_policy),
        cmocka_unit_test(test_connector_config_sink_validate_and_message),
        cmocka_unit_test(test_connector_config_unknown_class_and_no_type),
        cmocka_unit_test(test_connector_config_plugin_json),
        cmocka_unit_test(test_connector_config_resolve_with_providers),
        cmocka_unit_test(test_connector_config_alloc_failures),
        cmocka_unit_test(test_connector_config_matches_jvm_4_1),
        cmocka_unit_test(test_connector_config_error_text_matches_jvm),
        cmocka_unit_test(test_connector_config_plugin_json_matches_jvm),
        cmocka_unit_test(test_connector_config_override_parse_error),
        cmocka_unit_test(test_connector_config_null_facts),
        cmocka_unit_test(test_connector_config_facts_from_worker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
