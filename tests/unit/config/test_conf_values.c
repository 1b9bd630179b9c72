/*
 * tests/unit/config/test_conf_values.c: a raw config parsed by conf_def tables as Kafka's
 * ConfigDef.parse does (trim, type, default, validate), the per-key error report the validate
 * endpoint shows, and passwords kept out of every printed form.
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

static const char *const format_values[] = {"csv", "json", NULL};
static const char *const token_values[] = {"alpha", "beta", NULL};

/* A sink's own keys, the way a sink's config_def reads. */
static const struct conf_def sink_def[] = {
    {"batch.size", CONF_INT, "1000", 0, CONF_HIGH, "Rows per insert.", "Batching", 1,
     CONF_WIDTH_SHORT, "Batch size", conf_validate_range, 1, 1000000, NULL, NULL},
    {"linger.ms", CONF_LONG, "500", 0, CONF_LOW, "Wait for a batch.", "Batching", 2,
     CONF_WIDTH_SHORT, NULL, NULL, 0, 0, NULL, NULL},
    {"ratio", CONF_DOUBLE, "0.5", 0, CONF_LOW, "Fill ratio.", NULL, -1, CONF_WIDTH_NONE, NULL,
     NULL, 0, 0, NULL, NULL},
    {"exactly.once", CONF_BOOLEAN, "false", 0, CONF_MEDIUM, "Exactly once.", NULL, -1,
     CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL, NULL},
    {"hosts", CONF_LIST, "localhost", 0, CONF_HIGH, "Hosts.", "Connection", 1, CONF_WIDTH_LONG,
     NULL, NULL, 0, 0, NULL, NULL},
    {"url", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "Where to write.", "Connection", 0,
     CONF_WIDTH_LONG, NULL, conf_validate_non_empty, 0, 0, NULL, NULL},
    {"password", CONF_PASSWORD, NULL, 1, CONF_HIGH, "Password.", "Connection", 2,
     CONF_WIDTH_MEDIUM, NULL, NULL, 0, 0, NULL, NULL},
    {"token", CONF_PASSWORD, "alpha", 0, CONF_HIGH, "Token.", NULL, -1, CONF_WIDTH_NONE, NULL,
     conf_validate_in, 0, 0, token_values, NULL},
    {"format", CONF_STRING, "csv", 0, CONF_MEDIUM, "Format.", NULL, -1, CONF_WIDTH_NONE, NULL,
     conf_validate_in, 0, 0, format_values, NULL},
    {"database", CONF_STRING, NULL, 1, CONF_LOW, "Database.", NULL, -1, CONF_WIDTH_NONE, NULL,
     NULL, 0, 0, NULL, NULL},
    {"shards", CONF_SHORT, "2", 0, CONF_LOW, "Shards.", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0,
     0, NULL, NULL},
    {"formatter", CONF_CLASS, NULL, 1, CONF_LOW, "Formatter class.", NULL, -1, CONF_WIDTH_NONE,
     NULL, NULL, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};

/* A second table (framework keys) that also defines batch.size: the first table must win. */
static const struct conf_def frame_def[] = {
    {"name", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "Name.", "Common", 1, CONF_WIDTH_MEDIUM,
     NULL, conf_validate_name, 0, 0, NULL, NULL},
    {"batch.size", CONF_STRING, "dup", 0, CONF_LOW, "Shadowed.", NULL, -1, CONF_WIDTH_NONE, NULL,
     NULL, 0, 0, NULL, NULL},
    {"tasks.max", CONF_INT, "1", 0, CONF_HIGH, "Tasks.", "Common", 4, CONF_WIDTH_SHORT, NULL,
     conf_validate_range, 1, INT64_MAX, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};

static const struct conf_def *const tables[] = {sink_def, frame_def};

static struct kc_strmap *map_of(const char *const *kv)
{
    struct kc_strmap *m = kc_strmap_new();

    assert_non_null(m);
    for (size_t i = 0; kv[i] != NULL; i += 2) {
        assert_int_equal(kc_strmap_set(m, kv[i], kv[i + 1]), KC_OK);
    }
    return m;
}

static const struct conf_info_value *info(const struct conf_infos *ci, const char *key)
{
    for (size_t i = 0; i < ci->n_configs; i++) {
        if (strcmp(ci->configs[i].name, key) == 0) {
            return &ci->configs[i];
        }
    }
    return NULL;
}

static void test_conf_values_defaults(void **state)
{
    (void)state;
    const char *kv[] = {"name", "c1", "url", "http://x", NULL};
    struct kc_strmap *raw = map_of(kv);
    struct conf_values *cv = NULL;
    struct kc_error err;
    size_t n = 0;
    const char *const *hosts;

    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, NULL, &err), KC_OK);
    assert_int_equal(conf_values_int(cv, "batch.size"), 1000);
    assert_int_equal(conf_values_long(cv, "linger.ms"), 500);
    assert_true(conf_values_double(cv, "ratio") == 0.5);
    assert_int_equal(conf_values_bool(cv, "exactly.once"), 0);
    hosts = conf_values_list(cv, "hosts", &n);
    assert_int_equal(n, 1);
    assert_string_equal(hosts[0], "localhost");
    assert_string_equal(conf_values_string(cv, "format"), "csv");
    assert_int_equal(conf_values_int(cv, "shards"), 2);
    assert_int_equal(conf_values_int(cv, "tasks.max"), 1);
    /* null defaults stay Java null */
    assert_true(conf_values_is_null(cv, "database"));
    assert_null(conf_values_string(cv, "database"));
    assert_null(conf_values_password(cv, "password"));
    assert_null(conf_values_string(cv, "formatter"));
    assert_false(conf_values_is_null(cv, "url"));
    /* the first table's definition wins */
    assert_ptr_equal(conf_values_def(cv, "batch.size"), &sink_def[0]);
    assert_null(conf_values_get(cv, "nope"));
    conf_values_free(cv);
    conf_values_free(NULL);
    kc_strmap_free(raw);
}

static void test_conf_values_trimmed_and_typed(void **state)
{
    (void)state;
    const char *kv[] = {"name",      "c1",        "url",          " http://x ", "batch.size",
                        " 5 ",       "linger.ms", "\t-7\n",       "ratio",      " 1e3 ",
                        "exactly.once", "True ",  "hosts",        " a , b ,c ", "format",
                        " json",     "shards",    " -3",          "formatter",  " com.acme.Fmt ",
                        "password",  " s3cret ",  "database",     "",           NULL};
    struct kc_strmap *raw = map_of(kv);
    struct conf_values *cv = NULL;
    struct kc_error err;
    size_t n = 0;
    const char *const *hosts;

    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, NULL, &err), KC_OK);
    assert_int_equal(conf_values_int(cv, "batch.size"), 5);
    assert_int_equal(conf_values_long(cv, "linger.ms"), -7);
    assert_true(conf_values_double(cv, "ratio") == 1000.0);
    assert_int_equal(conf_values_bool(cv, "exactly.once"), 1);
    hosts = conf_values_list(cv, "hosts", &n);
    assert_int_equal(n, 3);
    assert_string_equal(hosts[0], "a");
    assert_string_equal(hosts[1], "b");
    assert_string_equal(hosts[2], "c");
    assert_string_equal(conf_values_string(cv, "url"), "http://x");
    assert_string_equal(conf_values_string(cv, "format"), "json");
    assert_int_equal(conf_values_int(cv, "shards"), -3);
    assert_string_equal(conf_values_string(cv, "formatter"), "com.acme.Fmt");
    /* trimmed as parseType trims every type, a password too */
    assert_string_equal(conf_values_password(cv, "password"), "s3cret");
    assert_string_equal(conf_values_string(cv, "password"), "s3cret");
    assert_string_equal(conf_values_string(cv, "database"), "");
    /* the raw map keeps values as given */
    assert_string_equal(kc_strmap_get(conf_values_raw(cv), "batch.size"), " 5 ");
    conf_values_free(cv);
    kc_strmap_free(raw);
}

static void test_conf_values_unknown_keys_kept_raw(void **state)
{
    (void)state;
    const char *kv[] = {"name", "c1", "url", "u", "clickhouseSettings.async_insert", " 1",
                        "connector.class", "com.acme.Sink", NULL};
    struct kc_strmap *raw = map_of(kv);
    struct conf_values *cv = NULL;
    struct kc_error err;

    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, NULL, &err), KC_OK);
    assert_null(conf_values_get(cv, "clickhouseSettings.async_insert"));
    assert_null(conf_values_def(cv, "clickhouseSettings.async_insert"));
    assert_string_equal(kc_strmap_get(conf_values_raw(cv), "clickhouseSettings.async_insert"),
                        " 1");
    assert_int_equal(conf_values_raw(cv)->n, 4);
    conf_values_free(cv);
    kc_strmap_free(raw);
}

static void test_conf_values_first_error_and_per_key_errors(void **state)
{
    (void)state;
    /* batch.size fails parse (then Range on the null), format fails its validator, url is
     * missing, tasks.max is below its range */
    const char *kv[] = {"connector.class", "com.acme.Sink", "name", "c1", "batch.size", "x",
                        "format", "xml", "tasks.max", "0", "password", "pw", NULL};
    struct kc_strmap *raw = map_of(kv);
    struct conf_values *cv = (struct conf_values *)1;
    struct conf_infos *ci = NULL;
    const struct conf_info_value *iv;
    struct kc_error err;
    json_t *j;
    char *s;

    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, &ci, &err), KC_EINVAL);
    assert_null(cv);
    /* what ConfigDef.parse throws: the first failing key in definition order */
    assert_string_equal(err.msg,
                        "Invalid value x for configuration batch.size: Not a number of type INT");
    assert_non_null(ci);
    assert_string_equal(ci->name, "com.acme.Sink");
    iv = info(ci, "batch.size");
    assert_non_null(iv);
    assert_int_equal(iv->n_errors, 2);
    assert_string_equal(iv->errors[1],
                        "Invalid value null for configuration batch.size: Value must be non-null");
    assert_null(iv->value);
    iv = info(ci, "url");
    assert_int_equal(iv->n_errors, 1);
    assert_string_equal(iv->errors[0],
                        "Missing required configuration \"url\" which has no default value.");
    iv = info(ci, "format");
    assert_int_equal(iv->n_errors, 1);
    assert_string_equal(iv->errors[0],
                        "Invalid value xml for configuration format: String must be one of: csv, "
                        "json");
    assert_string_equal(iv->value, "xml");
    iv = info(ci, "tasks.max");
    assert_string_equal(iv->errors[0],
                        "Invalid value 0 for configuration tasks.max: Value must be at least 1");
    assert_int_equal(info(ci, "linger.ms")->n_errors, 0);
    assert_string_equal(info(ci, "linger.ms")->value, "500");
    assert_string_equal(info(ci, "password")->value, "[hidden]");
    /* one entry per defined key, the shadowed batch.size once; groups in first-seen order */
    assert_int_equal(ci->n_configs, 14);
    assert_int_equal(ci->error_count, 5);
    assert_int_equal(ci->n_groups, 3);
    assert_string_equal(ci->groups[0], "Batching");
    assert_string_equal(ci->groups[1], "Connection");
    assert_string_equal(ci->groups[2], "Common");

    /* a sink's cross-key check adds one error per key */
    assert_int_equal(conf_values_add_error(ci, "linger.ms", "linger.ms must be below 100"), KC_OK);
    assert_int_equal(conf_values_add_error(ci, "topics", "topics: not with exactly.once"), KC_OK);
    assert_int_equal(ci->error_count, 7);
    assert_string_equal(info(ci, "linger.ms")->errors[0], "linger.ms must be below 100");
    assert_null(info(ci, "topics")->def);
    j = conf_infos_to_json(ci);
    assert_non_null(j);
    s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    assert_null(strstr(s, "\"pw\""));
    assert_non_null(strstr(s, "\"error_count\":7"));
    free(s);
    json_decref(j);
    conf_infos_free(ci);
    kc_strmap_free(raw);
}

static void test_conf_values_required_key(void **state)
{
    (void)state;
    const char *kv[] = {"url", "u", NULL};
    struct kc_strmap *raw = map_of(kv);
    struct conf_values *cv = NULL;
    struct kc_error err;

    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, NULL, &err), KC_EINVAL);
    assert_null(cv);
    assert_string_equal(err.msg,
                        "Missing required configuration \"name\" which has no default value.");
    kc_strmap_free(raw);
}

static void test_conf_values_json_null_value(void **state)
{
    (void)state;
    struct kc_strmap *raw = kc_strmap_new();
    struct conf_values *cv = NULL;
    struct kc_error err;

    assert_int_equal(kc_strmap_set(raw, "name", "c"), KC_OK);
    assert_int_equal(kc_strmap_set(raw, "url", "u"), KC_OK);
    assert_int_equal(kc_strmap_set(raw, "database", NULL), KC_OK);
    assert_int_equal(kc_strmap_set(raw, "linger.ms", NULL), KC_OK);
    /* present but null: parseType gives null, and no validator objects */
    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, NULL, &err), KC_OK);
    assert_true(conf_values_is_null(cv, "database"));
    assert_true(conf_values_is_null(cv, "linger.ms"));
    assert_int_equal(conf_values_long(cv, "linger.ms"), 0);
    conf_values_free(cv);
    /* ...but Range does */
    assert_int_equal(kc_strmap_set(raw, "batch.size", NULL), KC_OK);
    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, NULL, &err), KC_EINVAL);
    assert_string_equal(err.msg,
                        "Invalid value null for configuration batch.size: Value must be non-null");
    kc_strmap_free(raw);
}

static void test_conf_values_passwords_hidden(void **state)
{
    (void)state;
    const char *kv[] = {"name", "c1", "url", "u", "password", "hunter2", "hosts", "a,b",
                        "formatter", "com.acme.Fmt", NULL};
    struct kc_strmap *raw = map_of(kv);
    struct conf_values *cv = NULL;
    struct conf_infos *ci = NULL;
    struct kc_error err;
    char *log;

    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, &ci, &err), KC_OK);
    assert_non_null(ci);
    assert_int_equal(ci->error_count, 0);
    assert_string_equal(info(ci, "password")->value, "[hidden]");
    log = conf_values_log_string(cv);
    assert_non_null(log);
    assert_null(strstr(log, "hunter2"));
    assert_non_null(strstr(log, "\tpassword = [hidden]\n"));
    assert_non_null(strstr(log, "\thosts = [a, b]\n"));
    assert_non_null(strstr(log, "\tformatter = class com.acme.Fmt\n"));
    assert_non_null(strstr(log, "\tdatabase = null\n"));
    /* sorted by key, as logAll's TreeMap */
    assert_true(strstr(log, "\tbatch.size") < strstr(log, "\tdatabase"));
    assert_true(strstr(log, "\turl") > strstr(log, "\ttasks.max"));
    assert_true(strncmp(log, "\tbatch.size = 1000\n", 19) == 0);
    kc_free(log);
    conf_values_free(cv);
    conf_infos_free(ci);
    kc_strmap_free(raw);

    /* a validator's message names a password as the JVM prints the Password object */
    const char *bad[] = {"name", "c1", "url", "u", "token", "opensesame", NULL};
    raw = map_of(bad);
    assert_int_equal(conf_values_parse(tables, 2, raw, &cv, &ci, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Invalid value [hidden] for configuration token: String must be "
                                 "one of: alpha, beta");
    assert_string_equal(info(ci, "token")->errors[0], err.msg);
    assert_string_equal(info(ci, "token")->value, "[hidden]");
    conf_infos_free(ci);
    kc_strmap_free(raw);
}

static void test_conf_values_empty(void **state)
{
    (void)state;
    struct kc_strmap *raw = kc_strmap_new();
    struct conf_values *cv = NULL;
    struct conf_infos *ci = NULL;
    struct kc_error err;
    char *log;

    assert_int_equal(conf_values_parse(NULL, 0, raw, &cv, &ci, &err), KC_OK);
    assert_int_equal(ci->n_configs, 0);
    log = conf_values_log_string(cv);
    assert_string_equal(log, "");
    kc_free(log);
    conf_values_free(cv);
    conf_infos_free(ci);
    kc_strmap_free(raw);
}

/* curl torture: fail each allocation in turn; every failure is KC_ENOMEM with nothing leaked
 * (ASan) and nothing half-built handed out. */
static void test_conf_values_alloc_failures(void **state)
{
    (void)state;
    const char *good[] = {"name", "c1", "url", "u", "hosts", " a , b ", "password", "pw",
                          "extra", "x", "connector.class", "C", NULL};
    const char *bad[] = {"name", "c1", "batch.size", "x", "format", "xml", NULL};
    const char *const *cases[] = {good, bad};

    for (size_t c = 0; c < 2; c++) {
        struct kc_strmap *raw = map_of(cases[c]);
        int done = 0;
        for (long n = 0; n < 100000 && !done; n++) {
            struct conf_values *cv = NULL;
            struct conf_infos *ci = NULL;
            struct kc_error err;
            char *log = NULL;
            kc_alloc_fail_after(n);
            int prc = conf_values_parse(tables, 2, raw, &cv, &ci, &err);
            int rc = prc;
            if (rc == KC_OK) {
                log = conf_values_log_string(cv);
                rc = log != NULL ? conf_values_add_error(ci, "url", "cross-key") : KC_ENOMEM;
            } else if (rc == KC_EINVAL) {
                rc = conf_values_add_error(ci, "nokey", "cross-key");
            }
            kc_alloc_fail_after(-1);
            if (prc == KC_ENOMEM) {
                assert_int_equal(err.rc, KC_ENOMEM);
                assert_null(cv);
                assert_null(ci);
            }
            assert_true(rc == KC_OK || rc == KC_ENOMEM);
            if (rc == KC_OK) {
                done = 1;
                assert_int_equal(ci->error_count, c == 0 ? 1 : 5);
                if (c == 0) {
                    assert_int_equal(conf_values_int(cv, "batch.size"), 1000);
                    assert_non_null(strstr(log, "[hidden]"));
                }
            }
            kc_free(log);
            conf_values_free(cv);
            conf_infos_free(ci);
        }
        assert_true(done);
        kc_strmap_free(raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_values_defaults),
        cmocka_unit_test(test_conf_values_trimmed_and_typed),
        cmocka_unit_test(test_conf_values_unknown_keys_kept_raw),
        cmocka_unit_test(test_conf_values_first_error_and_per_key_errors),
        cmocka_unit_test(test_conf_values_required_key),
        cmocka_unit_test(test_conf_values_json_null_value),
        cmocka_unit_test(test_conf_values_passwords_hidden),
        cmocka_unit_test(test_conf_values_empty),
        cmocka_unit_test(test_conf_values_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
