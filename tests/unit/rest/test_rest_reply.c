/*
 * tests/unit/rest/test_rest_reply.c: exact bytes of the JVM entities, Java HashMap ordering,
 * %-coding and the settings parsers (listeners, response header rules).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "rest_int.h"
#include "rest_reply.h"

static void assert_dump(json_t *j, const char *want)
{
    assert_non_null(j);
    char *s = rest_reply_dump(j);
    assert_non_null(s);
    assert_string_equal(s, want);
    free(s);
    json_decref(j);
}

static void test_rest_reply_connector_info(void **state)
{
    (void)state;
    struct herder_connector_info ci = {.name = "s", .n_tasks = 2, .type = "sink"};
    kc_strmap_init(&ci.config);
    kc_strmap_set(&ci.config, "topics", "a/b");
    kc_strmap_set(&ci.config, "x", NULL);
    kc_strmap_set(&ci.config, "u", "\xc3\xa9\x01\"");
    assert_dump(rest_reply_connector_info(&ci, REST_ORDER_INSERTION),
                "{\"name\":\"s\",\"config\":{\"topics\":\"a/b\",\"x\":null,\"u\":\"\xc3\xa9\\u0001\\\"\"},"
                "\"tasks\":[{\"connector\":\"s\",\"task\":0},{\"connector\":\"s\",\"task\":1}],"
                "\"type\":\"sink\"}");
    kc_strmap_fini(&ci.config);
}

static void test_rest_reply_status(void **state)
{
    (void)state;
    struct herder_instance_status tasks[2] = {
        {.id = 0, .state = HERDER_STATE_FAILED, .worker_id = "w:1", .trace = "t", .version = "1"},
        {.id = 3, .state = HERDER_STATE_PAUSED, .worker_id = "w:2", .trace = "", .version = NULL},
    };
    struct herder_connector_status cs = {
        .name = "c",
        .connector = {.id = -1, .state = HERDER_STATE_STOPPED, .worker_id = "w:1"},
        .tasks = tasks,
        .n_tasks = 2,
        .type = "sink",
    };
    assert_dump(rest_reply_connector_status(&cs),
                "{\"name\":\"c\",\"connector\":{\"state\":\"STOPPED\",\"worker_id\":\"w:1\","
                "\"version\":null},\"tasks\":[{\"id\":0,\"state\":\"FAILED\",\"worker_id\":\"w:1\","
                "\"version\":\"1\",\"trace\":\"t\"},{\"id\":3,\"state\":\"PAUSED\",\"worker_id\":"
                "\"w:2\",\"version\":null}],\"type\":\"sink\"}");
}

static void test_rest_reply_tasks_offsets_error(void **state)
{
    (void)state;
    struct kc_strmap m[2];
    kc_strmap_init(&m[0]);
    kc_strmap_init(&m[1]);
    kc_strmap_set(&m[0], "task.class", "T");
    struct herder_task_configs tc = {.tasks = m, .n = 2};
    assert_dump(rest_reply_task_infos("c", &tc),
                "[{\"id\":{\"connector\":\"c\",\"task\":0},\"config\":{\"task.class\":\"T\"}},"
                "{\"id\":{\"connector\":\"c\",\"task\":1},\"config\":{}}]");
    assert_dump(rest_reply_tasks_config("c", &tc), "{\"c-0\":{\"task.class\":\"T\"},\"c-1\":{}}");
    kc_strmap_fini(&m[0]);
    struct herder_offset o[1] = {{.topic = "t", .partition = 3, .offset = 9007199254740993LL}};
    struct herder_offsets os = {o, 1};
    assert_dump(rest_reply_offsets(&os),
                "{\"offsets\":[{\"partition\":{\"kafka_partition\":3,\"kafka_topic\":\"t\"},"
                "\"offset\":{\"kafka_offset\":9007199254740993}}]}");
    assert_dump(rest_reply_error(404, "x\ty"), "{\"error_code\":404,\"message\":\"x\\ty\"}");
    assert_dump(rest_reply_error(500, NULL), "{\"error_code\":500,\"message\":null}");
    assert_int_equal(rest_reply_status_for_rc(KC_ENOENT), 404);
    assert_int_equal(rest_reply_status_for_rc(KC_EEXIST), 409);
    assert_int_equal(rest_reply_status_for_rc(KC_EINVAL), 400);
    assert_int_equal(rest_reply_status_for_rc(KC_RETRY), 409);
    assert_int_equal(rest_reply_status_for_rc(KC_EIO), 500);
    assert_int_equal(rest_reply_status_for_rc(KC_ENOMEM), 500);
}

/* GET /connectors/{c}/tasks-config keys each task "<connector>-<id>" however long the name:
 * a 2000-byte name used to overflow a fixed key buffer and fail the whole answer. */
static void test_rest_reply_tasks_config_long_name(void **state)
{
    (void)state;
    char name[2001];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    struct kc_strmap m[1];
    kc_strmap_init(&m[0]);
    kc_strmap_set(&m[0], "task.class", "T");
    struct herder_task_configs tc = {.tasks = m, .n = 1};
    json_t *j = rest_reply_tasks_config(name, &tc);
    assert_non_null(j);
    char key[2010];
    snprintf(key, sizeof(key), "%s-0", name);
    json_t *cfg = json_object_get(j, key);
    assert_non_null(cfg);
    assert_string_equal(json_string_value(json_object_get(cfg, "task.class")), "T");
    assert_int_equal(json_object_size(j), 1);
    json_decref(j);
    kc_strmap_fini(&m[0]);
}

static void test_rest_reply_java_order(void **state)
{
    (void)state;
    assert_int_equal(kc_jmap_string_hash("name"), 3373707);
    assert_int_equal(kc_jmap_string_hash("connector.class"), -862495593);
    assert_int_equal(kc_jmap_string_hash("\xc3\xa9"), 233);
    assert_int_equal(kc_jmap_string_hash("\xf0\x9f\x98\x80"), 1772899);
    assert_int_equal(kc_jmap_table_size(0, 0), 16);
    assert_int_equal(kc_jmap_table_size(12, 0), 16);
    assert_int_equal(kc_jmap_table_size(13, 0), 32);
    assert_int_equal(kc_jmap_table_size(4, 1), 8);
    assert_int_equal(kc_jmap_table_size(1, 1), 2);
    /* observed on the JVM: new HashMap<>(topics, name, a, b) prints {name=n, a=1, b=null, topics=t} */
    struct kc_strmap m;
    kc_strmap_init(&m);
    kc_strmap_set(&m, "topics", "t");
    kc_strmap_set(&m, "name", "n");
    kc_strmap_set(&m, "a", "1");
    kc_strmap_set(&m, "b", NULL);
    char *s = kc_jmap_strmap_string(&m);
    assert_string_equal(s, "{name=n, a=1, b=null, topics=t}");
    kc_free(s);
    kc_strmap_fini(&m);
    kc_strmap_init(&m);
    s = kc_jmap_strmap_string(&m);
    assert_string_equal(s, "{}");
    kc_free(s);
    /* a FileStreamSink config as GET /connectors/{c}/config orders it */
    kc_strmap_set(&m, "name", "sink-a");
    kc_strmap_set(&m, "connector.class", "FileStreamSink");
    kc_strmap_set(&m, "topics", "t");
    assert_dump(rest_reply_config(&m, REST_ORDER_JAVA_HASHMAP),
                "{\"connector.class\":\"FileStreamSink\",\"topics\":\"t\",\"name\":\"sink-a\"}");
    kc_strmap_fini(&m);
}

/* Orders seen on the real 4.1.0 worker (tests/integration/reference/jvm_4.1.0_observations.md) */
static void test_rest_reply_java_order_observed(void **state)
{
    (void)state;
    struct kc_strmap m;
    kc_strmap_init(&m);
    kc_strmap_set(&m, "connector.class", "C");
    kc_strmap_set(&m, "tasks.max", "1");
    kc_strmap_set(&m, "topics", "ref-input");
    kc_strmap_set(&m, "file", "f");
    kc_strmap_set(&m, "name", "fsink");
    assert_dump(rest_reply_config(&m, REST_ORDER_JAVA_HASHMAP),
                "{\"connector.class\":\"C\",\"file\":\"f\",\"tasks.max\":\"1\",\"topics\":"
                "\"ref-input\",\"name\":\"fsink\"}");
    kc_strmap_set(&m, "task.class", "T");
    assert_dump(rest_reply_config(&m, REST_ORDER_JAVA_HASHMAP),
                "{\"connector.class\":\"C\",\"file\":\"f\",\"task.class\":\"T\",\"tasks.max\":"
                "\"1\",\"topics\":\"ref-input\",\"name\":\"fsink\"}");
    kc_strmap_fini(&m);
    const char *names[3] = {"fsink", "fsink-paused", "fsink-put"};
    size_t order[3];
    kc_jmap_order(names, 3, kc_jmap_table_size(3, 1), order);
    assert_string_equal(names[order[0]], "fsink");
    assert_string_equal(names[order[1]], "fsink-put");
    assert_string_equal(names[order[2]], "fsink-paused");
    kc_jmap_order(names, 3, kc_jmap_table_size(3, 0), order);
    assert_string_equal(names[order[0]], "fsink-put");
    assert_string_equal(names[order[1]], "fsink");
}

static void test_rest_reply_coding(void **state)
{
    (void)state;
    char *s = rest_url_decode("a%20b+c%2f", 10, 0);
    assert_string_equal(s, "a b+c/");
    kc_free(s);
    s = rest_url_decode("a+b", 3, 1);
    assert_string_equal(s, "a b");
    kc_free(s);
    assert_null(rest_url_decode("a%2", 3, 0));
    assert_null(rest_url_decode("a%zz", 4, 0));
    assert_null(rest_url_decode("a%00", 4, 0));
    s = rest_path_encode("a b/c%41{}\xc3\xa9:@");
    assert_string_equal(s, "a%20b/c%41%7B%7D%C3%A9:@");
    kc_free(s);
}

static void test_rest_reply_listeners(void **state)
{
    (void)state;
    struct rest_listener *l = NULL;
    size_t n = 0;
    struct kc_error err;
    assert_int_equal(rest_listeners_parse("http://:8083, HTTP://[::1]:9000,http://h:0", &l, &n, &err),
                     KC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(l[0].host, "");
    assert_int_equal(l[0].port, 8083);
    assert_string_equal(l[1].host, "::1");
    assert_int_equal(l[1].port, 9000);
    assert_string_equal(l[2].host, "h");
    kc_free(l);
    assert_int_equal(rest_listeners_parse("https://:8443,http://h:1", &l, &n, &err), KC_OK);
    assert_int_equal(n, 2);
    assert_true(l[0].https);
    assert_int_equal(l[0].port, 8443);
    assert_false(l[1].https);
    kc_free(l);
    assert_int_equal(rest_listeners_parse("ftp://:1", &l, &n, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Listener protocol must be either \"http\" or \"https\".");
    assert_int_equal(rest_listeners_parse("http://h", &l, &n, &err), KC_EINVAL);
    assert_int_equal(rest_listeners_parse("http://:1,,http://:2", &l, &n, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Empty URL found when parsing listeners list.");
    assert_int_equal(rest_listeners_parse("", &l, &n, &err), KC_EINVAL);
}

static void test_rest_reply_header_rules(void **state)
{
    (void)state;
    struct rest_header_rule *r = NULL;
    size_t n = 0;
    struct kc_error err;
    assert_int_equal(rest_header_rules_parse("set X-Frame-Options: DENY,\"add Cache-Control: "
                                             "no-cache, no-store\", setDate Expires:31540000000",
                                             &r, &n, &err),
                     KC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(r[0].action, REST_HDR_SET);
    assert_string_equal(r[0].name, "X-Frame-Options");
    assert_string_equal(r[0].value, "DENY");
    assert_string_equal(r[1].value, "no-cache, no-store");
    assert_int_equal(r[2].action, REST_HDR_SETDATE);
    rest_header_rules_free(r, n);
    assert_int_equal(rest_header_rules_parse("put X:1", &r, &n, &err), KC_EINVAL);
    assert_string_equal(err.msg, "Invalid header config action: 'put'. Expected one of [set, add, "
                                 "setDate, addDate]");
    assert_int_equal(rest_header_rules_parse("set X", &r, &n, &err), KC_EINVAL);
    assert_int_equal(rest_header_rules_parse("setX:1", &r, &n, &err), KC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_reply_connector_info),
        cmocka_unit_test(test_rest_reply_status),
        cmocka_unit_test(test_rest_reply_tasks_offsets_error),
        cmocka_unit_test(test_rest_reply_tasks_config_long_name),
        cmocka_unit_test(test_rest_reply_java_order),
        cmocka_unit_test(test_rest_reply_java_order_observed),
        cmocka_unit_test(test_rest_reply_coding),
        cmocka_unit_test(test_rest_reply_listeners),
        cmocka_unit_test(test_rest_reply_header_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
