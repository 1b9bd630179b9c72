/*
 * tests/unit/connectors/test_connector_plugins.c: the facts connectors/ hands config/'s
 * connector validation -- every registered sink (found by its JVM aliases) and the SMT,
 * predicate and converter tables -- so validation through them answers as it did when config
 * looked the registry up itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "connector_plugins.h"
#include "kc_alloc.h"
#include "registry.h"

#define FILE_SINK "org.apache.kafka.connect.file.FileStreamSinkConnector"

static void test_connector_plugins_facts_describe_registry(void **state)
{
    (void)state;
    struct connector_worker_facts wf;

    memset(&wf, 0, sizeof(wf));
    connector_plugins_facts(&wf);
    assert_int_equal(wf.n_sinks, sink_registry_count());
    for (size_t i = 0; i < wf.n_sinks; i++) {
        const struct sink_connector_ops *ops = sink_registry_get(i);
        assert_ptr_equal(wf.sinks[i].class_names, ops->class_names);
        assert_ptr_equal(wf.sinks[i].config_def, ops->config_def);
        assert_ptr_equal(wf.sinks[i].version, ops->plugin_version);
    }
    for (int k = 0; k < CONNECTOR_PLUGIN_KINDS; k++) {
        assert_non_null(wf.plugins[k]);
        assert_non_null(wf.plugins[k][0].class_name); /* each kind has at least one */
        for (size_t i = 1; wf.plugins[k][i].class_name != NULL; i++) {
            assert_true(strcmp(wf.plugins[k][i - 1].class_name, wf.plugins[k][i].class_name) < 0);
        }
    }
}

static void test_connector_plugins_validate_file_sink(void **state)
{
    (void)state;
    static const char *const names[] = {FILE_SINK, "FileStreamSinkConnector", "FileStreamSink"};
    struct connector_worker_facts wf = {.worker_group_id = "connect-cluster"};
    struct kc_strmap cfg;
    struct conf_infos *ci = NULL;
    struct kc_error err;

    connector_plugins_facts(&wf);
    kc_strmap_init(&cfg);
    assert_int_equal(kc_strmap_set(&cfg, "name", "f"), KC_OK);
    assert_int_equal(kc_strmap_set(&cfg, "topics", "t"), KC_OK);
    assert_int_equal(kc_strmap_set(&cfg, "transforms", "r"), KC_OK);
    assert_int_equal(kc_strmap_set(&cfg, "transforms.r.type", "Nope"), KC_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(kc_strmap_set(&cfg, "connector.class", names[i]), KC_OK);
        assert_int_equal(connector_config_validate(&cfg, &wf, &ci, &err), KC_OK);
        /* the SMT table is known, so an unknown transformation class is an error */
        assert_int_equal(ci->error_count, 1);
        conf_infos_free(ci);
        ci = NULL;
    }
    assert_int_equal(kc_strmap_set(&cfg, "connector.class", "Nope"), KC_OK);
    assert_int_equal(connector_config_validate(&cfg, &wf, &ci, &err), KC_ENOENT);
    assert_non_null(strstr(err.msg, "PluginDesc{klass=class " FILE_SINK ", name='" FILE_SINK "'"));
    kc_strmap_fini(&cfg);
}

static void test_connector_plugins_config_json(void **state)
{
    (void)state;
    json_t *j = connector_plugin_config_json(sink_registry_find(FILE_SINK));

    assert_true(json_is_array(j));
    /* the sink's own keys first, then the framework keys it does not define */
    assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "name")), "file");
    assert_true(json_array_size(j) > conf_def_count(connector_sink_def));
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_connector_plugins_facts_describe_registry),
        cmocka_unit_test(test_connector_plugins_validate_file_sink),
        cmocka_unit_test(test_connector_plugins_config_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
