/*
 * tests/unit/questdb/test_questdb_conf.c: client.conf.string parsing, the connector keys'
 * defaults, cross-key validation, and that secrets never reach a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include "conf_values.h"
#include "kc_alloc.h"
#include "questdb_conf.h"

/* A lone ';' inside a password or token cuts the value short: the error must not quote what
 * follows, which is the rest of the secret. */
static void test_questdb_conf_secret_tail_not_quoted(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "http::addr=h:9000;username=u;password=ab;cdsecret;",
        "http::addr=h:9000;password=ab;cdsecret=x;",
        "tcp::addr=h:9009;username=k;token=ab;cdsecret",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct questdb_client_conf c;
        struct kc_error err = {0};
        assert_int_equal(questdb_client_conf_parse(bad[i], &c, &err), KC_EINVAL);
        if (strstr(err.msg, "cdsecret") != NULL || strstr(err.msg, "ab") != NULL ||
            strstr(err.msg, "not shown") == NULL) {
            fail_msg("%s -> %s", bad[i], err.msg);
        }
    }
    struct questdb_client_conf c;
    struct kc_error err = {0};
    assert_int_equal(questdb_client_conf_parse("http::addr=h:9000;password=ab;;cd;", &c, &err),
                     KC_OK);
    assert_string_equal(c.password, "ab;cd");
    questdb_client_conf_fini(&c);
}

static void test_questdb_conf_client_string(void **state)
{
    (void)state;
    struct questdb_client_conf c;
    struct kc_error err = {0};
    assert_int_equal(questdb_client_conf_parse("http::addr=localhost:9000;", &c, &err), KC_OK);
    assert_int_equal(c.transport, QUESTDB_HTTP);
    assert_string_equal(c.host, "localhost");
    assert_int_equal(c.port, 9000);
    assert_int_equal(c.auto_flush_rows, 75000);
    assert_int_equal(c.auto_flush_interval, 1000);
    assert_int_equal(c.retry_timeout, 10000);
    assert_int_equal(c.max_buf_size, 100 * 1024 * 1024);
    questdb_client_conf_fini(&c);

    assert_int_equal(questdb_client_conf_parse("https::addr=q.example:9443;username=u;"
                                               "password=p;;w;auto_flush_rows=10;"
                                               "auto_flush_interval=250;retry_timeout=0;"
                                               "tls_verify=unsafe_off;",
                                               &c, &err),
                     KC_OK);
    assert_int_equal(c.tls, 1);
    assert_int_equal(c.tls_verify, 0);
    assert_string_equal(c.password, "p;w"); /* ";;" is a literal ';' */
    assert_int_equal(c.auto_flush_rows, 10);
    assert_int_equal(c.auto_flush_interval, 250);
    assert_int_equal(c.retry_timeout, 0);
    questdb_client_conf_fini(&c);

    assert_int_equal(questdb_client_conf_parse("tcp::addr=h;", &c, &err), KC_OK);
    assert_int_equal(c.port, 9009);
    assert_int_equal(c.auto_flush_rows, 600);
    questdb_client_conf_fini(&c);

    assert_int_equal(questdb_client_conf_parse("pg::addr=h;username=admin;password=quest;", &c,
                                               &err),
                     KC_OK);
    assert_int_equal(c.transport, QUESTDB_PG);
    assert_int_equal(c.port, 8812);
    assert_string_equal(c.dbname, "qdb");
    questdb_client_conf_fini(&c);

    static const struct {
        const char *in;
        const char *msg;
    } bad[] = {
        {"addr=h;", "missing '::'"},
        {"udp::addr=h;", "unknown schema 'udp'"},
        {"http::addr=h", "not terminated by ';'"},
        {"http::port=1;addr=h;", "unknown key 'port'"},
        {"http::addr=h;auto_flush_rows=off;", "auto_flush_rows=off is not supported"},
        {"http::addr=h;auto_flush=off;", "auto_flush=off is not supported"},
        {"http::addr=h;auto_flush_rows=x;", "invalid auto_flush_rows value 'x'"},
        {"http::addr=h:99999;", "bad port"},
        {"http::username=u;", "addr is required"},
        {"http::addr=h;tls_verify=maybe;", "tls_verify must be on or unsafe_off"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        kc_error_clear(&err);
        assert_int_equal(questdb_client_conf_parse(bad[i].in, &c, &err), KC_EINVAL);
        if (strstr(err.msg, bad[i].msg) == NULL) {
            fail_msg("%s: got '%s', want '%s'", bad[i].in, err.msg, bad[i].msg);
        }
    }
    /* a bad key after a password: the password is not in the message */
    assert_int_equal(questdb_client_conf_parse("http::addr=h;password=s3cret;bogus=1;", &c, &err),
                     KC_EINVAL);
    assert_null(strstr(err.msg, "s3cret"));
}

static struct conf_values *parse(const char *const *kv, struct conf_infos **errs)
{
    struct kc_strmap m;
    kc_strmap_init(&m);
    for (size_t i = 0; kv[i] != NULL; i += 2) {
        kc_strmap_set(&m, kv[i], kv[i + 1]);
    }
    const struct conf_def *tables[] = {questdb_config_def};
    struct conf_values *cv = NULL;
    struct kc_error err = {0};
    int rc = conf_values_parse(tables, 1, &m, &cv, errs, &err);
    kc_strmap_fini(&m);
    assert_int_equal(rc, KC_OK);
    return cv;
}

/* The messages errs holds for key, joined (owned; "" if none). */
static char *errors_of(const struct conf_infos *errs, const char *key)
{
    json_t *j = conf_infos_to_json(errs);
    char *dump = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    (void)key;
    return dump;
}

static void test_questdb_conf_load_defaults(void **state)
{
    (void)state;
    const char *kv[] = {"client.conf.string", "http::addr=127.0.0.1:9000;auto_flush_rows=5;",
                        "symbols", "type, repo", "timestamp.field.name", "created_at", NULL};
    struct conf_infos *errs = NULL;
    struct conf_values *cv = parse(kv, &errs);
    struct questdb_conf qc;
    struct kc_error err = {0};
    assert_int_equal(questdb_conf_load(cv, &qc, &err), KC_OK);
    assert_string_equal(qc.key_prefix, "key");
    assert_string_equal(qc.value_prefix, "");
    assert_int_equal(qc.include_key, 1);
    assert_int_equal(qc.n_symbols, 2);
    assert_string_equal(qc.symbols[1], "repo");
    assert_int_equal(qc.allowed_lag, 1000);
    assert_int_equal(qc.max_retries, 10);
    assert_int_equal(qc.retry_backoff_ms, 3000);
    assert_int_equal(qc.ts_units, QUESTDB_TS_AUTO);
    assert_non_null(qc.ts_format);
    assert_null(qc.table);
    assert_int_equal(qc.client.auto_flush_rows, 5);
    questdb_conf_fini(&qc);
    conf_infos_free(errs);
    conf_values_free(cv);

    /* legacy host = ILP over TCP */
    const char *kv2[] = {"host", "localhost:9009", "timestamp.units", "micros", NULL};
    cv = parse(kv2, &errs);
    assert_int_equal(questdb_conf_load(cv, &qc, &err), KC_OK);
    assert_int_equal(qc.client.transport, QUESTDB_TCP);
    assert_int_equal(qc.client.port, 9009);
    assert_int_equal(qc.ts_units, QUESTDB_TS_MICROS);
    questdb_conf_fini(&qc);
    conf_infos_free(errs);
    conf_values_free(cv);
}

static void test_questdb_conf_validate(void **state)
{
    (void)state;
    const char *kv[] = {"client.conf.string", "http::addr=h;password=topsecret;nope=1;", "host",
                        "x:1", "timestamp.kafka.native", "true", "timestamp.field.name", "ts",
                        NULL};
    struct conf_infos *errs = NULL;
    struct conf_values *cv = parse(kv, &errs);
    struct kc_error err = {0};
    assert_int_equal(questdb_conf_validate(cv, errs, &err), KC_OK);
    char *dump = errors_of(errs, NULL);
    assert_non_null(strstr(dump, "host and client.conf.string are mutually exclusive"));
    assert_non_null(strstr(dump, "timestamp.kafka.native cannot be used together"));
    assert_null(strstr(dump, "topsecret"));
    kc_free(dump);
    conf_infos_free(errs);
    conf_values_free(cv);

    const char *kv2[] = {"client.conf.string", "http::addr=h;password=topsecret;nope=1;", NULL};
    cv = parse(kv2, &errs);
    assert_int_equal(questdb_conf_validate(cv, errs, &err), KC_OK);
    dump = errors_of(errs, NULL);
    /* right after a password: not quoted, it could be the password's tail after a lone ';' */
    assert_non_null(strstr(dump, "what follows the value of 'password' does not parse"));
    assert_null(strstr(dump, "nope"));
    assert_null(strstr(dump, "topsecret"));
    kc_free(dump);
    conf_infos_free(errs);
    conf_values_free(cv);

    /* per-key errors come from the config table */
    const char *kv4[] = {"host", "h:1", "timestamp.units", "hours", "allowed.lag", "0", NULL};
    struct kc_strmap m;
    kc_strmap_init(&m);
    for (size_t i = 0; kv4[i] != NULL; i += 2) {
        kc_strmap_set(&m, kv4[i], kv4[i + 1]);
    }
    const struct conf_def *tables[] = {questdb_config_def};
    assert_int_equal(conf_values_parse(tables, 1, &m, &cv, &errs, &err), KC_EINVAL);
    kc_strmap_fini(&m);
    dump = errors_of(errs, NULL);
    assert_non_null(strstr(dump, "Invalid value hours for configuration timestamp.units"));
    assert_non_null(strstr(dump, "Invalid value 0 for configuration allowed.lag"));
    kc_free(dump);
    conf_infos_free(errs);

    const char *kv3[] = {"topics", "x", NULL};
    cv = parse(kv3, &errs);
    assert_int_equal(questdb_conf_validate(cv, errs, &err), KC_OK);
    dump = errors_of(errs, NULL);
    assert_non_null(strstr(dump, "either client.conf.string or host must be set"));
    kc_free(dump);
    conf_infos_free(errs);
    conf_values_free(cv);
}

static void test_questdb_conf_env_expansion(void **state)
{
    (void)state;
    setenv("KC_TEST_QDB_PW", "from-env", 1);
    const char *kv[] = {"client.conf.string",
                        "http::addr=h;username=u$$x;password=${KC_TEST_QDB_PW};", NULL};
    struct conf_infos *errs = NULL;
    struct conf_values *cv = parse(kv, &errs);
    struct questdb_conf qc;
    struct kc_error err = {0};
    assert_int_equal(questdb_conf_load(cv, &qc, &err), KC_OK);
    assert_string_equal(qc.client.password, "from-env");
    assert_string_equal(qc.client.username, "u$x");
    questdb_conf_fini(&qc);
    conf_infos_free(errs);
    conf_values_free(cv);

    const char *kv2[] = {"client.conf.string", "http::addr=h;password=${KC_TEST_QDB_NOPE};",
                         NULL};
    cv = parse(kv2, &errs);
    assert_int_equal(questdb_conf_load(cv, &qc, &err), KC_EINVAL);
    assert_non_null(strstr(err.msg, "KC_TEST_QDB_NOPE"));
    conf_infos_free(errs);
    conf_values_free(cv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_questdb_conf_client_string),
        cmocka_unit_test(test_questdb_conf_secret_tail_not_quoted),
        cmocka_unit_test(test_questdb_conf_load_defaults),
        cmocka_unit_test(test_questdb_conf_validate),
        cmocka_unit_test(test_questdb_conf_env_expansion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
