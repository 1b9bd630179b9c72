/*
 * tests/unit/rest/test_rest_loggers.c: the /admin/loggers registry: listing order, prefix
 * semantics, last_modified only on change, kc_log level follow-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kc_log.h"
#include "rest_loggers.h"
#include "rest_reply.h"

static void assert_json(json_t *j, const char *want)
{
    assert_non_null(j);
    char *s = rest_reply_dump(j);
    assert_string_equal(s, want);
    free(s);
    json_decref(j);
}

static void test_rest_loggers_levels(void **state)
{
    (void)state;
    assert_string_equal(rest_loggers_level_canon("debug"), "DEBUG");
    assert_string_equal(rest_loggers_level_canon("Fatal"), "FATAL");
    assert_string_equal(rest_loggers_level_canon("all"), "ALL");
    assert_null(rest_loggers_level_canon("verbose"));
    assert_null(rest_loggers_level_canon(NULL));
}

static void test_rest_loggers_registry(void **state)
{
    (void)state;
    kc_log_set_level(KC_LOG_INFO);
    struct rest_loggers *lg = rest_loggers_new(NULL);
    /* root and the facility loggers exist from the start */
    assert_json(rest_loggers_all_json(lg),
                "{\"config\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"dlq\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"herder\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"member\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"rest\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"root\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"sink\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"task\":{\"level\":\"INFO\",\"last_modified\":null},"
                "\"worker\":{\"level\":\"INFO\",\"last_modified\":null}}");
    assert_null(rest_loggers_get_json(lg, "nope"));
    /* facility and JVM-namespace loggers exist with the inherited level */
    assert_json(rest_loggers_get_json(lg, "herder"), "{\"level\":\"INFO\",\"last_modified\":null}");
    assert_json(rest_loggers_get_json(lg, "org.apache.kafka.connect.runtime.Worker"),
                "{\"level\":\"INFO\",\"last_modified\":null}");

    assert_json(rest_loggers_set(lg, "org.apache.kafka.connect", "DEBUG", 1000),
                "[\"org.apache.kafka.connect\"]");
    assert_json(rest_loggers_get_json(lg, "org.apache.kafka.connect.runtime.Worker"),
                "{\"level\":\"DEBUG\",\"last_modified\":null}");
    assert_json(rest_loggers_set(lg, "a.z", "WARN", 1001), "[\"a.z\"]");
    assert_json(rest_loggers_set(lg, "org.apache.kafka.connect.runtime", "TRACE", 1002),
                "[\"org.apache.kafka.connect.runtime\"]");
    /* prefix: sets the namespace and every known logger under it, sorted */
    assert_json(rest_loggers_set(lg, "org.apache", "ERROR", 2000),
                "[\"org.apache\",\"org.apache.kafka.connect\",\"org.apache.kafka.connect.runtime\"]");
    /* same level again: nothing changed, nothing listed, last_modified unchanged */
    assert_json(rest_loggers_set(lg, "a.z", "WARN", 3000), "[]");
    /* only the loggers whose level changes are listed */
    assert_json(rest_loggers_set(lg, "org.apache.kafka.connect.runtime", "DEBUG", 3001),
                "[\"org.apache.kafka.connect.runtime\"]");
    assert_json(rest_loggers_set(lg, "org.apache", "ERROR", 3002),
                "[\"org.apache.kafka.connect.runtime\"]");
    assert_json(rest_loggers_get_json(lg, "a.z"), "{\"level\":\"WARN\",\"last_modified\":1001}");
    assert_json(rest_loggers_get_json(lg, "org.apache.kafka.connect"),
                "{\"level\":\"ERROR\",\"last_modified\":2000}");
    assert_int_equal(kc_log_level_current, KC_LOG_INFO);

    /* facility names drive kc_log: the most verbose of root and the facilities */
    assert_json(rest_loggers_set(lg, "herder", "DEBUG", 4000), "[\"herder\"]");
    assert_int_equal(kc_log_level_current, KC_LOG_DEBUG);
    assert_json(rest_loggers_set(lg, "herder", "INFO", 4001), "[\"herder\"]");
    assert_int_equal(kc_log_level_current, KC_LOG_INFO);

    /* root: every logger */
    /* root: every logger whose level changes (a.z is WARN already), ours included */
    assert_json(rest_loggers_set(lg, "ROOT", "WARN", 5000),
                "[\"config\",\"dlq\",\"herder\",\"member\",\"org.apache\","
                "\"org.apache.kafka.connect\",\"org.apache.kafka.connect.runtime\",\"rest\","
                "\"root\",\"sink\",\"task\",\"worker\"]");
    assert_int_equal(kc_log_level_current, KC_LOG_WARN);
    assert_json(rest_loggers_get_json(lg, "root"), "{\"level\":\"WARN\",\"last_modified\":5000}");
    assert_json(rest_loggers_get_json(lg, "a.z"), "{\"level\":\"WARN\",\"last_modified\":1001}");
    rest_loggers_free(lg);
    kc_log_set_level(KC_LOG_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_loggers_levels),
        cmocka_unit_test(test_rest_loggers_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
