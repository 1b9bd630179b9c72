/*
 * tests/unit/config/test_conf_worker.c: worker config loading (file + CONNECT_* + providers),
 * the JVM's error texts naming the key, the "DistributedConfig values:" dump with hidden
 * passwords, and the Java-to-librdkafka client property translation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf_worker.h"
#include "kc_alloc.h"

static void base_props(struct kc_strmap *m)
{
    kc_strmap_init(m);
    kc_strmap_set(m, "bootstrap.servers", " k1:9092 , k2:9092 ");
    kc_strmap_set(m, "group.id", "connect-cluster");
    kc_strmap_set(m, "config.storage.topic", "_configs");
    kc_strmap_set(m, "offset.storage.topic", "_offsets");
    kc_strmap_set(m, "status.storage.topic", "_status");
    kc_strmap_set(m, "key.converter", "org.apache.kafka.connect.json.JsonConverter");
    kc_strmap_set(m, "value.converter", "org.apache.kafka.connect.json.JsonConverter");
}

static int load_map(struct kc_strmap *m, struct worker_config *wc, struct kc_error *err)
{
    return worker_config_from_map(m, NULL, wc, err);
}

static void test_conf_worker_defaults(void **state)
{
    (void)state;
    struct kc_strmap m;
    struct worker_config wc;
    struct kc_error err;

    base_props(&m);
    assert_int_equal(load_map(&m, &wc, &err), KC_OK);
    assert_string_equal(wc.bootstrap_servers, "k1:9092,k2:9092");
    assert_int_equal(wc.bootstrap_list.n, 2);
    assert_string_equal(wc.group_id, "connect-cluster");
    assert_string_equal(wc.config_storage_topic, "_configs");
    assert_int_equal(wc.offset_storage_partitions, 25);
    assert_int_equal(wc.status_storage_partitions, 5);
    assert_int_equal(wc.config_storage_replication_factor, 3);
    assert_int_equal(wc.listeners.n, 1);
    assert_string_equal(wc.listeners.items[0], "http://:8083");
    assert_null(wc.rest_advertised_host_name);
    assert_int_equal(wc.rest_advertised_port, -1);
    assert_int_equal(wc.admin_listeners_set, 0);
    assert_int_equal(wc.offset_flush_interval_ms, 60000);
    assert_int_equal(wc.offset_flush_timeout_ms, 5000);
    assert_int_equal(wc.task_shutdown_graceful_timeout_ms, 5000);
    assert_string_equal(wc.header_converter, "org.apache.kafka.connect.storage.SimpleHeaderConverter");
    assert_int_equal(wc.override_policy, WORKER_POLICY_ALL);
    assert_true(wc.topic_tracking_enable);
    assert_true(wc.topic_tracking_allow_reset);
    assert_string_equal(wc.client_id, "");
    assert_int_equal(wc.plugin_path.n, 0);
    assert_int_equal(wc.session_timeout_ms, 10000);
    assert_int_equal(wc.heartbeat_interval_ms, 3000);
    assert_int_equal(wc.rebalance_timeout_ms, 60000);
    assert_string_equal(wc.connect_protocol, "sessioned");
    assert_int_equal(wc.scheduled_rebalance_max_delay_ms, 300000);
    assert_int_equal(wc.inter_worker_key_size, -1);
    assert_string_equal(wc.security_protocol, "PLAINTEXT");
    assert_int_equal(wc.request_timeout_ms, 40000);
    worker_config_fini(&wc);
    kc_strmap_fini(&m);
}

static void test_conf_worker_missing_required_names_key(void **state)
{
    (void)state;
    struct kc_strmap m;
    struct worker_config wc;
    struct kc_error err;

    base_props(&m);
    kc_strmap_del(&m, "group.id");
    assert_int_equal(load_map(&m, &wc, &err), KC_EINVAL);
    assert_string_equal(err.msg,
                        "Missing required configuration \"group.id\" which has no default value.");
    /* definition order decides which missing key is reported first (key.converter first) */
    kc_strmap_del(&m, "key.converter");
    assert_int_equal(load_map(&m, &wc, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Missing required configuration \"key.converter\" which has no "
                                 "default value.");
    kc_strmap_fini(&m);
}

static void test_conf_worker_bad_values_name_key(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"offset.flush.interval.ms", "soon",
         "Invalid value soon for configuration offset.flush.interval.ms: Not a number of type LONG"},
        {"offset.storage.partitions", "0",
         "Invalid value 0 for configuration offset.storage.partitions: Number of partitions must "
         "be positive, or -1 to use the broker's default"},
        {"config.storage.replication.factor", "-2",
         "Invalid value -2 for configuration config.storage.replication.factor: Replication "
         "factor must be positive and not larger than the number of brokers in the Kafka cluster, "
         "or -1 to use the broker's default"},
        {"security.protocol", "TLS",
         "Invalid value TLS for configuration security.protocol: String must be one of (case "
         "insensitive): SASL_SSL, PLAINTEXT, SSL, SASL_PLAINTEXT"},
        {"connect.protocol", "fancy",
         "Invalid value fancy for configuration connect.protocol: Invalid Connect protocol "
         "compatibility"},
        {"topic.tracking.enable", "maybe",
         "Invalid value maybe for configuration topic.tracking.enable: Expected value to be either "
         "true or false"},
        {"listeners", "", "Invalid value for listeners, at least one URL is expected, ex: "
                          "http://localhost:8080,https://localhost:8443."},
        {"metrics.num.samples", "0",
         "Invalid value 0 for configuration metrics.num.samples: Value must be at least 1"},
        {"sasl.login.refresh.window.factor", "0.2",
         "Invalid value 0.2 for configuration sasl.login.refresh.window.factor: Value must be at "
         "least 0.5"},
        {"inter.worker.signature.algorithm", "HmacSHA512",
         "Invalid value HmacSHA512 for configuration inter.worker.signature.algorithm: Signature "
         "algorithm must be present in inter.worker.verification.algorithms list"},
        {"connector.client.config.override.policy", "Sometimes",
         "Invalid value Sometimes for configuration connector.client.config.override.policy: "
         "Class Sometimes could not be found."},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct kc_strmap m;
        struct worker_config wc;
        struct kc_error err;
        base_props(&m);
        kc_strmap_set(&m, cases[i][0], cases[i][1]);
        assert_int_equal(load_map(&m, &wc, &err), KC_EINVAL);
        assert_string_equal(err.msg, cases[i][2]);
        kc_strmap_fini(&m);
    }
}

static void test_conf_worker_load_file_env_providers(void **state)
{
    (void)state;
    char path[] = "/tmp/kc_worker_XXXXXX";
    char secret[] = "/tmp/kc_secret_XXXXXX";
    char body[1024];
    int fd = mkstemp(path);
    int sfd = mkstemp(secret);
    struct worker_config wc;
    struct kc_error err;

    assert_true(fd >= 0 && sfd >= 0);
    assert_int_equal(write(sfd, "pw=topsecret\n", 13), 13);
    close(sfd);
    snprintf(body, sizeof(body),
             "bootstrap.servers=file:9092\n"
             "config.storage.topic=c\noffset.storage.topic=o\nstatus.storage.topic=s\n"
             "key.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "value.converter=org.apache.kafka.connect.storage.StringConverter\n"
             "config.providers=file\n"
             "config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider\n"
             "ssl.truststore.password=${file:%s:pw}\n"
             "consumer.max.poll.records=10\n",
             secret);
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    close(fd);
    char *envp[] = {"CONNECT_GROUP_ID=env-group", "CONNECT_BOOTSTRAP_SERVERS=env:9092",
                    "CONNECT_REST_ADVERTISED_HOST_NAME=w1", "CONNECT_REST_PORT=8083",
                    "HOME=/root", NULL};
    assert_int_equal(worker_config_load(path, envp, &wc, &err), KC_OK);
    assert_string_equal(wc.group_id, "env-group");
    assert_string_equal(wc.bootstrap_servers, "env:9092");
    assert_string_equal(wc.rest_advertised_host_name, "w1");
    assert_string_equal(kc_strmap_get(&wc.props, "ssl.truststore.password"), "topsecret");
    assert_non_null(strstr(kc_strmap_get(&wc.raw, "ssl.truststore.password"), "${file:"));
    assert_string_equal(kc_strmap_get(&wc.props, "rest.port"), "8083");
    assert_false(worker_config_key_known("rest.port"));
    assert_true(worker_config_key_known("consumer.max.poll.records"));
    assert_true(worker_config_key_known("group.id"));

    /* the dump hides passwords and prints like AbstractConfig.logAll */
    char *dump = worker_config_dump(&wc);
    assert_non_null(dump);
    assert_true(strncmp(dump, "DistributedConfig values: \n\taccess.control.allow.methods = \n", 60) ==
                0);
    assert_non_null(strstr(dump, "\tssl.truststore.password = [hidden]\n"));
    assert_null(strstr(dump, "topsecret"));
    assert_non_null(strstr(dump, "\tbootstrap.servers = [env:9092]\n"));
    assert_non_null(strstr(dump, "\tkey.converter = class org.apache.kafka.connect.storage.StringConverter\n"));
    assert_non_null(strstr(dump, "\trest.advertised.port = null\n"));
    assert_non_null(strstr(dump, "\tsasl.login.refresh.window.factor = 0.8\n"));
    assert_non_null(strstr(dump, "\tgroup.id = env-group\n"));
    kc_free(dump);
    worker_config_log(&wc);
    worker_config_fini(&wc);

    assert_int_equal(worker_config_load("/nonexistent/worker.properties", envp, &wc, &err), KC_EIO);
    unlink(path);
    unlink(secret);
}

static void test_conf_worker_client_props(void **state)
{
    (void)state;
    struct kc_strmap m, out;
    struct worker_config wc;
    struct kc_error err;

    base_props(&m);
    kc_strmap_set(&m, "security.protocol", "SASL_SSL");
    kc_strmap_set(&m, "sasl.mechanism", "PLAIN");
    kc_strmap_set(&m, "sasl.jaas.config",
                  "org.apache.kafka.common.security.plain.PlainLoginModule required "
                  "username=\"alice\" password=\"al ice-pw\";");
    kc_strmap_set(&m, "request.timeout.ms", "20000");
    kc_strmap_set(&m, "client.id", "w1");
    kc_strmap_set(&m, "consumer.max.poll.records", "10");
    kc_strmap_set(&m, "consumer.fetch.max.wait.ms", "100");
    kc_strmap_set(&m, "consumer.auto.offset.reset", "none");
    kc_strmap_set(&m, "consumer.partition.assignment.strategy",
                  "org.apache.kafka.clients.consumer.RangeAssignor");
    kc_strmap_set(&m, "producer.delivery.timeout.ms", "120000");
    kc_strmap_set(&m, "producer.key.serializer", "x.Y");
    kc_strmap_set(&m, "producer.linger.ms", "5");
    kc_strmap_set(&m, "admin.request.timeout.ms", "7000");
    assert_int_equal(worker_config_from_map(&m, NULL, &wc, &err), KC_OK);

    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, NULL, &out, &err), KC_OK);
    assert_string_equal(kc_strmap_get(&out, "bootstrap.servers"), "k1:9092,k2:9092");
    assert_string_equal(kc_strmap_get(&out, "security.protocol"), "SASL_SSL");
    assert_string_equal(kc_strmap_get(&out, "sasl.mechanisms"), "PLAIN");
    assert_string_equal(kc_strmap_get(&out, "sasl.username"), "alice");
    assert_string_equal(kc_strmap_get(&out, "sasl.password"), "al ice-pw");
    assert_string_equal(kc_strmap_get(&out, "socket.timeout.ms"), "20000");
    assert_string_equal(kc_strmap_get(&out, "client.id"), "w1");
    assert_false(kc_strmap_has(&out, "group.id")); /* the worker group is not a client key */
    assert_false(kc_strmap_has(&out, "sasl.jaas.config"));
    kc_strmap_fini(&out);

    /* task consumers: security is not inherited from the top level */
    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "consumer.", &out, &err), KC_OK);
    assert_string_equal(kc_strmap_get(&out, "bootstrap.servers"), "k1:9092,k2:9092");
    assert_false(kc_strmap_has(&out, "security.protocol"));
    assert_false(kc_strmap_has(&out, "max.poll.records"));
    assert_string_equal(kc_strmap_get(&out, "fetch.wait.max.ms"), "100");
    assert_string_equal(kc_strmap_get(&out, "auto.offset.reset"), "error");
    assert_string_equal(kc_strmap_get(&out, "partition.assignment.strategy"), "range");
    kc_strmap_fini(&out);

    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "producer.", &out, &err), KC_OK);
    assert_string_equal(kc_strmap_get(&out, "message.timeout.ms"), "120000");
    assert_string_equal(kc_strmap_get(&out, "linger.ms"), "5");
    assert_false(kc_strmap_has(&out, "key.serializer"));
    kc_strmap_fini(&out);

    /* admin: top-level plus admin.* on top */
    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "admin.", &out, &err), KC_OK);
    assert_string_equal(kc_strmap_get(&out, "security.protocol"), "SASL_SSL");
    assert_string_equal(kc_strmap_get(&out, "socket.timeout.ms"), "7000");
    kc_strmap_fini(&out);
    worker_config_fini(&wc);

    /* a truststore that is neither JKS, PKCS12 nor PEM: a clear error */
    kc_strmap_set(&m, "consumer.ssl.truststore.location", "/etc/hostname");
    assert_int_equal(worker_config_from_map(&m, NULL, &wc, &err), KC_OK);
    kc_strmap_init(&out);
    assert_int_equal(worker_config_client_props(&wc, "consumer.", &out, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "consumer.ssl.truststore.location"));
    assert_non_null(strstr(err.msg, "PEM"));
    kc_strmap_fini(&out);
    worker_config_fini(&wc);
    kc_strmap_fini(&m);
}

static void test_conf_worker_alloc_failures(void **state)
{
    (void)state;
    struct kc_strmap m;
    int ok = 0;

    base_props(&m);
    kc_strmap_set(&m, "consumer.fetch.min.bytes", "10");
    for (long n = 0; n < 20000 && !ok; n += 1) {
        struct worker_config wc;
        struct kc_error err;
        kc_alloc_fail_after(n);
        int rc = worker_config_from_map(&m, NULL, &wc, &err);
        kc_alloc_fail_after(-1);
        if (rc == KC_OK) {
            ok = 1;
            worker_config_fini(&wc);
        } else {
            assert_int_equal(rc, KC_ENOMEM);
        }
    }
    assert_true(ok);
    kc_strmap_fini(&m);
}

/* data/distributed_config_values.txt is what the JVM's DistributedConfig holds for these props,
 * printed as AbstractConfig.logAll prints it. */
static void test_conf_worker_dump_matches_jvm(void **state)
{
    (void)state;
    struct kc_strmap m;
    struct worker_config wc;
    struct kc_error err;
    char path[1024];
    char *expected;
    long n;
    FILE *f;

    base_props(&m);
    kc_strmap_set(&m, "ssl.truststore.password", "pw");
    kc_strmap_set(&m, "sasl.login.refresh.window.jitter", "0.1");
    assert_int_equal(load_map(&m, &wc, &err), KC_OK);
    snprintf(path, sizeof(path), "%s/distributed_config_values.txt", KC_TEST_DATA_DIR);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    expected = malloc((size_t)n + 1);
    assert_int_equal(fread(expected, 1, (size_t)n, f), (size_t)n);
    expected[n] = '\0';
    fclose(f);
    char *dump = worker_config_dump(&wc);
    /* The JVM's block word for word, then connect-c's own keys. */
    assert_true(strlen(dump) > (size_t)n);
    assert_memory_equal(dump, expected, (size_t)n);
    assert_string_equal(dump + n, "connect-c values: \n"
                                  "\trest.max.connections = 64\n"
                                  "\trest.max.connections.per.ip = 32\n"
                                  "\trest.max.request.body.bytes = 10485760\n"
                                  "\trest.request.body.timeout.ms = 90000\n"
                                  "\trest.request.header.timeout.ms = 30000\n"
                                  "\ttask.memory.budget.bytes = 268435456\n");
    kc_free(dump);
    free(expected);
    worker_config_fini(&wc);
    kc_strmap_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_worker_defaults),
        cmocka_unit_test(test_conf_worker_missing_required_names_key),
        cmocka_unit_test(test_conf_worker_bad_values_name_key),
        cmocka_unit_test(test_conf_worker_load_file_env_providers),
        cmocka_unit_test(test_conf_worker_client_props),
        cmocka_unit_test(test_conf_worker_alloc_failures),
        cmocka_unit_test(test_conf_worker_dump_matches_jvm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
