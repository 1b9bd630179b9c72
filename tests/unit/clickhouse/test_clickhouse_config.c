/*
 * tests/unit/clickhouse/test_clickhouse_config.c: the official connector's key table (every key
 * typed, documented, defaults passing their own validators), topic2TableMap parsing with an
 * error per bad entry, the effective-default quirks (ssl, username, insertFormat), pre-seeded
 * settings and the exactlyOnce cross-key rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "clickhouse_config.h"
#include "kc_alloc.h"

static void test_def_table(void **state)
{
    (void)state;
    static const char *const official[] = {
        "hostname", "port", "database", "username", "password", "ssl",
        "jdbcConnectionProperties", "ssl_socket_sni", "timeoutSeconds", "retryCount",
        "clickhouseClientInsertTimeoutMs", "proxyType", "proxyHost", "proxyPort",
        "client_version", "topic2TableMap", "enableDbTopicSplit", "dbTopicSplitChar",
        "suppressTableExistenceException", "tableRefreshInterval", "clickhouseSettings",
        "clusterName", "insertFormat", "customInsertFormat", "dateTimeFormats", "bypassRowBinary",
        "bypassSchemaValidation", "bypassFieldCleanup", "debeziumCDCEnabled",
        "ignorePartitionsWhenBatching", "bufferCount", "bufferFlushTime",
        "reportInsertedOffsets", "exactlyOnce", "zkPath", "zkDatabase", "keeperOnCluster",
        "tolerateStateMismatch", "auto.evolve", "auto.evolve.ddl.refresh.retries",
        "auto.evolve.struct.to.json"};
    for (size_t i = 0; i < sizeof(official) / sizeof(official[0]); i++) {
        if (conf_def_find(clickhouse_config_def, official[i]) == NULL) {
            fail_msg("key %s missing", official[i]);
        }
    }
    for (const struct conf_def *d = clickhouse_config_def; d->name != NULL; d++) {
        assert_non_null(d->doc);
        assert_true(strlen(d->doc) > 10);
        if (d->default_value == CONF_NO_DEFAULT) {
            continue;
        }
        struct conf_value v;
        struct kc_error err;
        if (conf_value_parse(d, d->default_value, &v, &err) != KC_OK) {
            fail_msg("%s: default does not parse: %s", d->name, err.msg);
        }
        if (d->validator != NULL) {
            char *s = conf_value_to_string(&v, 1);
            if (d->validator(d, v.is_null ? NULL : s, &err) != KC_OK) {
                fail_msg("%s: default fails its validator: %s", d->name, err.msg);
            }
            kc_free(s);
        }
        conf_value_fini(&v);
    }
    const struct conf_def *pw = conf_def_find(clickhouse_config_def, "password");
    assert_int_equal(pw->type, CONF_PASSWORD);
    const struct conf_def *port = conf_def_find(clickhouse_config_def, "port");
    assert_string_equal(port->default_value, "8443");
    assert_true(conf_def_required(conf_def_find(clickhouse_config_def, "hostname")));
}

static void test_topic_map(void **state)
{
    (void)state;
    struct clickhouse_topic_map m;
    struct kc_error err;
    assert_int_equal(clickhouse_topic_map_parse("logs_4=logs, node-data = node_data,", &m, &err),
                     KC_OK);
    assert_int_equal(m.n, 2);
    assert_string_equal(clickhouse_topic_map_table(&m, "logs_4"), "logs");
    assert_string_equal(clickhouse_topic_map_table(&m, "node-data"), "node_data");
    assert_string_equal(clickhouse_topic_map_table(&m, "events"), "events");
    clickhouse_topic_map_fini(&m);
    assert_int_equal(clickhouse_topic_map_parse("", &m, &err), KC_OK);
    assert_int_equal(m.n, 0);
    clickhouse_topic_map_fini(&m);
    assert_int_equal(clickhouse_topic_map_parse("a=b,c,=d,e=,a=x,f=g=h,ok=fine", &m, &err),
                     KC_EINVAL);
    assert_string_equal(err.msg,
                        "Invalid value a=b,c,=d,e=,a=x,f=g=h,ok=fine for configuration "
                        "topic2TableMap: entry 'c' is not topic=table; entry '=d' has an empty "
                        "topic; entry 'e=' has an empty table; entry 'a=x' maps a topic that is "
                        "already mapped; entry 'f=g=h' is not topic=table");
    assert_int_equal(m.n, 0);
}

static void test_config_parse(void **state)
{
    (void)state;
    struct kc_strmap *p = kc_strmap_new();
    struct clickhouse_config c;
    struct kc_error err;
    /* Missing hostname: the JVM's message. */
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Missing required configuration \"hostname\" which has no "
                                 "default value.");
    kc_strmap_set(p, "hostname", "127.0.0.1");
    kc_strmap_set(p, "password", "  pw \n");
    kc_strmap_set(p, "topic2TableMap", "logs_4=logs");
    kc_strmap_set(p, "clickhouseSettings", "wait_end_of_query=0, max_insert_block_size=10");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_OK);
    assert_int_equal(c.port, 8443);
    assert_int_equal(c.ssl, 0);                      /* effective, although ConfigDef says true */
    assert_string_equal(c.username, "default");      /* effective, ConfigDef says "" */
    assert_string_equal(c.insert_format, "JSON");    /* effective, ConfigDef says none */
    assert_string_equal(c.password, "pw");           /* trimmed */
    assert_string_equal(c.database, "default");
    assert_int_equal(c.timeout_seconds, 30);
    assert_int_equal(c.insert_timeout_ms, 240000);
    assert_string_equal(clickhouse_topic_map_table(&c.topic2table, "logs_4"), "logs");
    assert_int_equal(c.n_settings, 4);
    assert_string_equal(c.settings[0], "wait_end_of_query=0"); /* the user's wins */
    assert_string_equal(c.settings[1], "max_insert_block_size=10");
    assert_string_equal(c.settings[2], "input_format_skip_unknown_fields=1");
    assert_string_equal(c.settings[3], "send_progress_in_http_headers=1");

    struct clickhouse_http_conf hc;
    char **owned;
    size_t n;
    assert_int_equal(clickhouse_config_http(&c, 18, &hc, &owned, &n, &err), KC_OK);
    assert_int_equal(n, 4); /* no async_insert for 18.16 */
    assert_string_equal(hc.password, "pw");
    assert_int_equal(hc.socket_timeout_ms, 30000);
    assert_int_equal(hc.timeout_ms, 240000);
    assert_null(hc.proxy);
    clickhouse_config_free_strv(owned, n);
    assert_int_equal(clickhouse_config_http(&c, 24, &hc, &owned, &n, &err), KC_OK);
    assert_int_equal(n, 5);
    assert_string_equal(owned[4], "async_insert=0");
    clickhouse_config_free_strv(owned, n);
    clickhouse_config_fini(&c);

    kc_strmap_set(p, "ssl", "TRUE");
    kc_strmap_set(p, "username", "");
    kc_strmap_set(p, "insertFormat", "none");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_OK);
    assert_int_equal(c.ssl, 1);
    assert_string_equal(c.username, "default");
    assert_string_equal(c.insert_format, "none");
    clickhouse_config_fini(&c);

    /* Per-key errors with the JVM's wording. */
    kc_strmap_set(p, "port", "70000");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Invalid value 70000 for configuration port: Value must be no "
                                 "more than 65535");
    kc_strmap_set(p, "port", "8123");
    kc_strmap_set(p, "retryCount", "2");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Invalid value 2 for configuration retryCount: Value must be at "
                                 "least 3");
    kc_strmap_del(p, "retryCount");
    kc_strmap_set(p, "clickhouseSettings", "a=1,b");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "entry 'b' is not key=value"));
    kc_strmap_del(p, "clickhouseSettings");
    kc_strmap_set(p, "exactlyOnce", "true");
    kc_strmap_set(p, "bufferFlushTime", "100");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "bufferFlushTime"));
    kc_strmap_set(p, "bufferFlushTime", "0");
    kc_strmap_set(p, "ignorePartitionsWhenBatching", "true");
    kc_strmap_set(p, "compression", "zstd");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_OK);
    assert_int_equal(c.exactly_once, 1);
    assert_int_equal(c.ignore_partitions_when_batching, 0); /* ignored with exactlyOnce */
    assert_int_equal(c.compression, CH_COMPRESS_ZSTD);
    clickhouse_config_fini(&c);
    kc_strmap_set(p, "proxyType", "socks");
    kc_strmap_set(p, "proxyHost", "px");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "proxyPort"));
    kc_strmap_set(p, "proxyPort", "1080");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_OK);
    assert_string_equal(c.proxy_url, "socks5h://px:1080");
    clickhouse_config_fini(&c);
    kc_strmap_set(p, "compression", "lz4");
    assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
    assert_null(strstr(err.msg, "pw"));
    kc_strmap_free(p);
}

/* Official keys that change which rows land and that connect-c does not implement: refused
 * when turned on, with the JVM's per-key message; off (their default) they are accepted. */
static void test_config_unsupported_features_refused(void **state)
{
    (void)state;
    static const struct {
        const char *key, *on, *off, *says;
    } cases[] = {
        {"debeziumCDCEnabled", "true", "false", "does not unwrap Debezium"},
        {"auto.evolve", " TRUE ", "false", "does not add columns"},
        {"dateTimeFormats", "ts=yyyy-MM-dd HH:mm:ss", "", "ISO 8601 only"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct clickhouse_config c;
        struct kc_error err;
        struct kc_strmap *p = kc_strmap_new();
        kc_strmap_set(p, "hostname", "h");
        kc_strmap_set(p, cases[i].key, cases[i].on);
        assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_EINVAL);
        char want[128];
        snprintf(want, sizeof(want), "for configuration %s:", cases[i].key);
        if (strstr(err.msg, want) == NULL || strstr(err.msg, cases[i].says) == NULL) {
            fail_msg("%s: %s", cases[i].key, err.msg);
        }
        kc_strmap_set(p, cases[i].key, cases[i].off);
        assert_int_equal(clickhouse_config_parse(p, &c, &err), KC_OK);
        clickhouse_config_fini(&c);
        kc_strmap_free(p);
    }
}

/* Allocation failure at every step of a full parse: KC_ENOMEM and no leak, then success. */
static void test_config_alloc_failures(void **state)
{
    (void)state;
    struct kc_strmap *p = kc_strmap_new();
    kc_strmap_set(p, "hostname", "h");
    kc_strmap_set(p, "topic2TableMap", "a=b, c=d");
    kc_strmap_set(p, "clickhouseSettings", "x=1");
    for (long n = 0;; n++) {
        struct clickhouse_config c;
        struct kc_error err;
        kc_alloc_fail_after(n);
        int rc = clickhouse_config_parse(p, &c, &err);
        kc_alloc_fail_after(-1);
        if (rc == KC_OK) {
            assert_int_equal(c.topic2table.n, 2);
            clickhouse_config_fini(&c);
            break;
        }
        assert_int_equal(rc, KC_ENOMEM);
        assert_true(n < 5000);
    }
    kc_strmap_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_def_table),
        cmocka_unit_test(test_config_unsupported_features_refused),
        cmocka_unit_test(test_topic_map),
        cmocka_unit_test(test_config_parse),
        cmocka_unit_test(test_config_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
