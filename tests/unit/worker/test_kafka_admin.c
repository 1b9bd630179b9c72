/*
 * tests/unit/worker/test_kafka_admin.c: the broker-free parts of kafka_admin: which worker
 * properties become topic configs (DistributedConfig.topicSettings) and the cleanup-policy
 * verdict with the JVM's exact ConfigException text (set order as Java's HashSet prints it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kafka_admin.h"
#include "kc_log.h"

static void test_kafka_admin_topic_settings(void **state)
{
    struct kc_strmap wp;
    struct kc_strmap out;
    (void)state;

    kc_strmap_init(&wp);
    kc_strmap_set(&wp, "config.storage.topic", "connect-configs");
    kc_strmap_set(&wp, "config.storage.replication.factor", "3");
    kc_strmap_set(&wp, "config.storage.partitions", "7");
    kc_strmap_set(&wp, "config.storage.cleanup.policy", "delete");
    kc_strmap_set(&wp, "config.storage.min.insync.replicas", "2");
    kc_strmap_set(&wp, "config.storage.segment.bytes", "1048576");
    kc_strmap_set(&wp, "config.storagex.bogus", "1");
    kc_strmap_set(&wp, "status.storage.min.insync.replicas", "1");
    kc_strmap_set(&wp, "bootstrap.servers", "x:1");

    kc_strmap_init(&out);
    assert_int_equal(kafka_admin_topic_settings(&wp, "config.storage", &out), KC_OK);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.e[0].key, "min.insync.replicas");
    assert_string_equal(out.e[0].value, "2");
    assert_string_equal(out.e[1].key, "segment.bytes");
    kc_strmap_fini(&out);

    kc_strmap_init(&out);
    assert_int_equal(kafka_admin_topic_settings(&wp, "status.storage", &out), KC_OK);
    assert_int_equal(out.n, 1);
    assert_string_equal(kc_strmap_get(&out, "min.insync.replicas"), "1");
    kc_strmap_fini(&out);

    kc_strmap_init(&out);
    assert_int_equal(kafka_admin_topic_settings(&wp, "offset.storage", &out), KC_OK);
    assert_int_equal(out.n, 0);
    kc_strmap_fini(&out);
    kc_strmap_fini(&wp);
}

static void test_kafka_admin_compact_check_messages(void **state)
{
    struct kafka_admin_topic_spec spec;
    struct kc_error err;
    (void)state;

    memset(&spec, 0, sizeof(spec));
    spec.name = "x";
    spec.config_key = "config.storage.topic";
    spec.purpose = "connector configurations";

    assert_int_equal(kafka_admin_compact_check(&spec, "compact", &err), KC_OK);
    assert_int_equal(kafka_admin_compact_check(&spec, " COMPACT ,compact", &err), KC_OK);
    assert_int_equal(kafka_admin_compact_check(&spec, NULL, &err), KC_ENOENT);
    assert_int_equal(kafka_admin_compact_check(&spec, " , ", &err), KC_ENOENT);

    assert_int_equal(kafka_admin_compact_check(&spec, "delete", &err), KC_EINVAL);
    assert_string_equal(
        err.msg,
        "Topic 'x' supplied via the 'config.storage.topic' property is required to have "
        "'cleanup.policy=compact' to guarantee consistency and durability of connector "
        "configurations, but found the topic currently has 'cleanup.policy=delete'. Continuing "
        "would likely result in eventually losing connector configurations and problems "
        "restarting this Connect cluster in the future. Change the 'config.storage.topic' "
        "property in the Connect worker configurations to use a topic with "
        "'cleanup.policy=compact'.");

    /* compact,delete is refused too; Java's HashSet prints "compact,delete" whatever the input
     * order (checked with the JDK). */
    spec.name = "connect-status";
    spec.config_key = "status.storage.topic";
    spec.purpose = "connector and task statuses";
    assert_int_equal(kafka_admin_compact_check(&spec, "Delete , COMPACT,,delete", &err), KC_EINVAL);
    assert_non_null(
        strstr(err.msg, "found the topic currently has 'cleanup.policy=compact,delete'"));
    assert_non_null(strstr(err.msg, "durability of connector and task statuses"));
    assert_non_null(strstr(err.msg, "Change the 'status.storage.topic' property"));
}

static void test_kafka_admin_conf(void **state)
{
    struct kc_strmap p;
    struct kc_error err;
    rd_kafka_conf_t *conf;
    (void)state;

    kc_strmap_init(&p);
    kc_strmap_set(&p, "bootstrap.servers", "127.0.0.1:1");
    kc_strmap_set(&p, "socket.timeout.ms", "10000");
    conf = kafka_admin_conf_new(&p, "cid", &err);
    assert_non_null(conf);
    rd_kafka_conf_destroy(conf);
    kc_strmap_set(&p, "no.such.property", "1");
    conf = kafka_admin_conf_new(&p, NULL, &err);
    assert_null(conf);
    assert_int_equal(err.rc, KC_EINVAL);
    assert_non_null(strstr(err.msg, "no.such.property"));
    kc_strmap_fini(&p);

    assert_int_equal(kafka_admin_rc(RD_KAFKA_RESP_ERR__TIMED_OUT), KC_RETRY);
    assert_int_equal(kafka_admin_rc(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED), KC_EIO);
    assert_int_equal(kafka_admin_rc(RD_KAFKA_RESP_ERR_NO_ERROR), KC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kafka_admin_topic_settings),
        cmocka_unit_test(test_kafka_admin_compact_check_messages),
        cmocka_unit_test(test_kafka_admin_conf),
    };
    kc_log_set_level(-1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
