/*
 * tests/unit/config/test_conf_def.c: type parsing, validators and JSON of config definitions.
 *
 * Expected messages are what Kafka 4.1's ConfigDef.validateAll produced for the same values
 * (run against the real SinkConnectorConfig definition with the 4.1.0 jars), e.g. tasks.max=x
 * gives two errors because the Range validator also runs on the null that the failed parse
 * leaves behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "conf_def.h"
#include "kc_alloc.h"

static const char *const tolerance_values[] = {"none", "all", NULL};
static const char *const proto_values[] = {"SASL_SSL", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", NULL};

static const struct conf_def defs[] = {
    {"tasks.max", CONF_INT, "1", 0, CONF_HIGH, "Maximum number of tasks.", "Common", 4,
     CONF_WIDTH_SHORT, "Tasks max", conf_validate_range, 1, INT64_MAX, NULL, NULL},
    {"flag", CONF_BOOLEAN, "false", 0, CONF_LOW, "A flag.", NULL, -1, CONF_WIDTH_NONE, NULL, NULL,
     0, 0, NULL, NULL},
    {"rf", CONF_SHORT, "3", 0, CONF_LOW, "rf", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
    {"timeout", CONF_LONG, "0", 0, CONF_MEDIUM, "t", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0,
     NULL, NULL},
    {"ratio", CONF_DOUBLE, "0.8", 0, CONF_LOW, "r", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0,
     NULL, NULL},
    {"topics", CONF_LIST, "", 0, CONF_HIGH, "List of topics", "Common", 4, CONF_WIDTH_LONG,
     "Topics", NULL, 0, 0, NULL, NULL},
    {"conv", CONF_CLASS, NULL, 1, CONF_LOW, "c", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
    {"secret", CONF_PASSWORD, NULL, 1, CONF_HIGH, "s", NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0,
     NULL, NULL},
    {"errors.tolerance", CONF_STRING, "none", 0, CONF_MEDIUM, "e", "Error Handling", 3,
     CONF_WIDTH_SHORT, "Error Tolerance", conf_validate_in, 0, 0, tolerance_values, NULL},
    {"security.protocol", CONF_STRING, "PLAINTEXT", 0, CONF_MEDIUM, "p", NULL, -1,
     CONF_WIDTH_NONE, NULL, conf_validate_in_ci, 0, 0, proto_values, NULL},
    {"name", CONF_STRING, CONF_NO_DEFAULT, 0, CONF_HIGH, "n", "Common", 1, CONF_WIDTH_MEDIUM,
     "Connector name", conf_validate_name, 0, 0, NULL, NULL},
    {"regex", CONF_STRING, "", 0, CONF_HIGH, "re", NULL, -1, CONF_WIDTH_NONE, NULL,
     conf_validate_regex, 0, 0, NULL, NULL},
    {NULL, CONF_STRING, NULL, 0, CONF_LOW, NULL, NULL, -1, CONF_WIDTH_NONE, NULL, NULL, 0, 0, NULL,
     NULL},
};

/* Validate one key and return its errors joined with " | " (static buffer). */
static const char *check(const char *name, int present, const char *raw, char *value_out,
                         size_t vlen)
{
    static char joined[2048];
    const struct conf_def *d = conf_def_find(defs, name);
    struct conf_value v;
    char **errors = NULL;
    size_t n = 0;

    assert_non_null(d);
    assert_int_equal(conf_def_validate_one(d, present, raw, &v, &errors, &n), KC_OK);
    joined[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            strcat(joined, " | ");
        }
        strcat(joined, errors[i]);
        kc_free(errors[i]);
    }
    kc_free(errors);
    if (value_out != NULL) {
        char *s = conf_value_to_string(&v, 0);
        snprintf(value_out, vlen, "%s", s != NULL ? s : "(null)");
        kc_free(s);
    }
    conf_value_fini(&v);
    return joined;
}

static void test_conf_def_find(void **state)
{
    (void)state;
    assert_int_equal(conf_def_count(defs), 12);
    assert_ptr_equal(conf_def_find(defs, "flag"), &defs[1]);
    assert_null(conf_def_find(defs, "nope"));
    assert_true(conf_def_required(conf_def_find(defs, "name")));
    assert_false(conf_def_required(conf_def_find(defs, "conv")));
}

static void test_conf_def_int_errors(void **state)
{
    (void)state;
    char v[64];
    assert_string_equal(check("tasks.max", 1, "x", v, sizeof(v)),
                        "Invalid value x for configuration tasks.max: Not a number of type INT | "
                        "Invalid value null for configuration tasks.max: Value must be non-null");
    assert_string_equal(v, "(null)");
    assert_string_equal(check("tasks.max", 1, "0", v, sizeof(v)),
                        "Invalid value 0 for configuration tasks.max: Value must be at least 1");
    assert_string_equal(check("tasks.max", 1, " 7 ", v, sizeof(v)), "");
    assert_string_equal(v, "7");
    assert_string_equal(check("tasks.max", 1, "+5", v, sizeof(v)), "");
    assert_string_equal(v, "5");
    assert_string_equal(check("tasks.max", 1, "99999999999", NULL, 0),
                        "Invalid value 99999999999 for configuration tasks.max: Not a number of "
                        "type INT | Invalid value null for configuration tasks.max: Value must be "
                        "non-null");
    assert_string_equal(check("tasks.max", 1, "0x10", NULL, 0),
                        "Invalid value 0x10 for configuration tasks.max: Not a number of type INT "
                        "| Invalid value null for configuration tasks.max: Value must be non-null");
    assert_string_equal(check("tasks.max", 0, NULL, v, sizeof(v)), "");
    assert_string_equal(v, "1");
    assert_string_equal(check("rf", 1, "70000", NULL, 0),
                        "Invalid value 70000 for configuration rf: Not a number of type SHORT");
    assert_string_equal(check("rf", 1, "-32768", v, sizeof(v)), "");
    assert_string_equal(check("timeout", 1, "1.5", NULL, 0),
                        "Invalid value 1.5 for configuration timeout: Not a number of type LONG");
    assert_string_equal(check("timeout", 1, "-9223372036854775808", v, sizeof(v)), "");
    assert_string_equal(v, "-9223372036854775808");
    assert_string_equal(check("timeout", 1, "9223372036854775808", NULL, 0),
                        "Invalid value 9223372036854775808 for configuration timeout: Not a "
                        "number of type LONG");
}

static void test_conf_def_boolean(void **state)
{
    (void)state;
    char v[64];
    assert_string_equal(check("flag", 1, "yes", NULL, 0),
                        "Invalid value yes for configuration flag: Expected value to be either "
                        "true or false");
    assert_string_equal(check("flag", 1, " TRUE ", v, sizeof(v)), "");
    assert_string_equal(v, "true");
    assert_string_equal(check("flag", 1, "False", v, sizeof(v)), "");
    assert_string_equal(v, "false");
}

static void test_conf_def_double(void **state)
{
    (void)state;
    char buf[64];
    static const struct {
        double d;
        const char *s;
    } cases[] = {{1000.0, "1000.0"}, {8.0, "8.0"},    {0.8, "0.8"},   {100, "100.0"},
                 {1e20, "1.0E20"},   {1e-4, "1.0E-4"}, {0.001, "0.001"}, {1234567.0, "1234567.0"},
                 {1e7, "1.0E7"},     {-2.5, "-2.5"},   {0.0, "0.0"},   {0.05, "0.05"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        conf_double_to_string(cases[i].d, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].s);
    }
    assert_string_equal(check("ratio", 1, "1e3", buf, sizeof(buf)), "");
    assert_string_equal(buf, "1000.0");
    assert_string_equal(check("ratio", 1, "5d", buf, sizeof(buf)), "");
    assert_string_equal(buf, "5.0");
    assert_string_equal(check("ratio", 1, "NaN", buf, sizeof(buf)), "");
    assert_string_equal(buf, "NaN");
    assert_string_equal(check("ratio", 1, "abc", NULL, 0),
                        "Invalid value abc for configuration ratio: Not a number of type DOUBLE");
    assert_string_equal(check("ratio", 1, "nan", NULL, 0),
                        "Invalid value nan for configuration ratio: Not a number of type DOUBLE");
}

static void test_conf_def_list_and_class(void **state)
{
    (void)state;
    char v[128];
    assert_string_equal(check("topics", 1, " a , b ,", v, sizeof(v)), "");
    assert_string_equal(v, "a,b,");
    assert_string_equal(check("topics", 1, "a,,b", v, sizeof(v)), "");
    assert_string_equal(v, "a,,b");
    assert_string_equal(check("topics", 1, "   ", v, sizeof(v)), "");
    assert_string_equal(v, "");
    assert_string_equal(check("conv", 1, "org.foo.Bar$Inner", v, sizeof(v)), "");
    assert_string_equal(v, "org.foo.Bar$Inner");
    assert_string_equal(check("conv", 1, "not a class", NULL, 0),
                        "Invalid value not a class for configuration conv: Class not a class could "
                        "not be found.");
    assert_string_equal(check("conv", 0, NULL, v, sizeof(v)), "");
    assert_string_equal(v, "(null)");
}

static void test_conf_def_password_hidden(void **state)
{
    (void)state;
    char v[64];
    const struct conf_def *d = conf_def_find(defs, "secret");
    struct conf_value cv;
    char *s;

    assert_string_equal(check("secret", 1, " hunter2 ", v, sizeof(v)), "");
    assert_string_equal(v, "[hidden]");
    assert_int_equal(conf_value_parse(d, " hunter2 ", &cv, NULL), KC_OK);
    s = conf_value_to_string(&cv, 1);
    assert_string_equal(s, "hunter2");
    kc_free(s);
    s = conf_value_to_log_string(&cv);
    assert_string_equal(s, "[hidden]");
    kc_free(s);
    conf_value_fini(&cv);
}

static void test_conf_def_string_validators(void **state)
{
    (void)state;
    assert_string_equal(check("errors.tolerance", 1, "foo", NULL, 0),
                        "Invalid value foo for configuration errors.tolerance: String must be one "
                        "of: none, all");
    assert_string_equal(check("errors.tolerance", 1, "ALL", NULL, 0),
                        "Invalid value ALL for configuration errors.tolerance: String must be one "
                        "of: none, all");
    assert_string_equal(check("errors.tolerance", 1, "all", NULL, 0), "");
    assert_string_equal(check("security.protocol", 1, "sasl_ssl", NULL, 0), "");
    assert_string_equal(check("security.protocol", 1, "TLS", NULL, 0),
                        "Invalid value TLS for configuration security.protocol: String must be one "
                        "of (case insensitive): SASL_SSL, PLAINTEXT, SSL, SASL_PLAINTEXT");
    assert_string_equal(check("name", 0, NULL, NULL, 0),
                        "Missing required configuration \"name\" which has no default value.");
    assert_string_equal(check("name", 1, "", NULL, 0),
                        "Invalid value  for configuration name: String may not be empty");
    assert_string_equal(check("name", 1, "a\x01" "b", NULL, 0),
                        "Invalid value a\x01" "b for configuration name: String may not contain "
                        "control sequences but had the following ASCII chars: 1");
    assert_string_equal(check("name", 1, "ok-name", NULL, 0), "");
    assert_non_null(strstr(check("regex", 1, "(", NULL, 0),
                           "Invalid value ( for configuration regex: Invalid regex"));
    assert_string_equal(check("regex", 1, "orders-.*", NULL, 0), "");
}

static void test_conf_def_json(void **state)
{
    (void)state;
    json_t *j = conf_def_to_json(conf_def_find(defs, "topics"), NULL, NULL, -1);
    char *s = json_dumps(j, JSON_COMPACT);
    assert_string_equal(s, "{\"name\":\"topics\",\"type\":\"LIST\",\"required\":false,"
                           "\"default_value\":\"\",\"importance\":\"HIGH\",\"documentation\":"
                           "\"List of topics\",\"group\":\"Common\",\"width\":\"LONG\","
                           "\"display_name\":\"Topics\",\"dependents\":[],\"order\":4}");
    free(s);
    json_decref(j);
    j = conf_def_to_json(conf_def_find(defs, "name"), NULL, NULL, -1);
    assert_true(json_is_true(json_object_get(j, "required")));
    assert_true(json_is_null(json_object_get(j, "default_value")));
    json_decref(j);
    j = conf_def_to_json(conf_def_find(defs, "conv"), "consumer.override.conv", NULL, -1);
    assert_string_equal(json_string_value(json_object_get(j, "name")), "consumer.override.conv");
    assert_string_equal(json_string_value(json_object_get(j, "display_name")), "conv");
    assert_true(json_is_null(json_object_get(j, "group")));
    assert_int_equal(json_integer_value(json_object_get(j, "order")), -1);
    json_decref(j);
}

static void test_conf_def_infos_json(void **state)
{
    (void)state;
    struct conf_infos *ci = kc_calloc(1, sizeof(*ci));
    struct conf_info_value *iv;
    json_t *j;
    char *s;

    ci->name = kc_strdup("com.acme.Sink");
    assert_int_equal(conf_infos_add_group(ci, "Common"), KC_OK);
    assert_int_equal(conf_infos_add_group(ci, "Common"), KC_OK);
    iv = conf_infos_add(ci, NULL, "x", NULL, 1);
    assert_non_null(iv);
    assert_int_equal(conf_info_value_add_error(iv, "bad"), KC_OK);
    ci->error_count = 1;
    iv = conf_infos_add(ci, conf_def_find(defs, "secret"), "secret", "[hidden]", 1);
    assert_non_null(iv);
    j = conf_infos_to_json(ci);
    s = json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(s, "{\"name\":\"com.acme.Sink\",\"error_count\":1,\"groups\":[\"Common\"],"
                              "\"configs\":[{\"definition\":null,\"value\":{\"name\":\"x\",\"value\":"
                              "null,\"recommended_values\":[],\"errors\":[\"bad\"],\"visible\":true}},"));
    assert_non_null(strstr(s, "\"value\":{\"name\":\"secret\",\"value\":\"[hidden]\""));
    free(s);
    json_decref(j);
    conf_infos_free(ci);
    conf_infos_free(NULL);
}

static void test_conf_def_alloc_failures(void **state)
{
    (void)state;
    const char *names[] = {"topics", "secret", "tasks.max", "name"};
    const char *raws[] = {"a, b, c", "pw", "x", NULL};
    for (size_t k = 0; k < 4; k++) {
        for (long n = 0; n < 200; n++) {
            struct conf_value v;
            char **errors = NULL;
            size_t ne = 0;
            kc_alloc_fail_after(n);
            int rc = conf_def_validate_one(conf_def_find(defs, names[k]), raws[k] != NULL, raws[k],
                                           &v, &errors, &ne);
            kc_alloc_fail_after(-1);
            for (size_t i = 0; i < ne; i++) {
                kc_free(errors[i]);
            }
            kc_free(errors);
            conf_value_fini(&v);
            if (rc == KC_OK) {
                break;
            }
            assert_int_equal(rc, KC_ENOMEM);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_def_find),
        cmocka_unit_test(test_conf_def_int_errors),
        cmocka_unit_test(test_conf_def_boolean),
        cmocka_unit_test(test_conf_def_double),
        cmocka_unit_test(test_conf_def_list_and_class),
        cmocka_unit_test(test_conf_def_password_hidden),
        cmocka_unit_test(test_conf_def_string_validators),
        cmocka_unit_test(test_conf_def_json),
        cmocka_unit_test(test_conf_def_infos_json),
        cmocka_unit_test(test_conf_def_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
