/*
 * tests/unit/rest/test_rest_router.c: route matching, path parameters, 404/405/415/400, HEAD,
 * OPTIONS, admin routing, and every endpoint's status and body against the canned herder.
 * Expected bodies were taken from a live 4.1.0 JVM REST layer fed the same canned data
 * (tests/unit/rest/jvm_probe/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fake_herder.h"
#include "kc_alloc.h"
#include "rest_loggers.h"
#include "test_helpers.h"

#define JSON "application/json"

static struct rest_ctx ctx;

static int setup(void **state)
{
    (void)state;
    memset(&ctx, 0, sizeof(ctx));
    ctx.loggers = rest_loggers_new(NULL);
    ctx.advertised_base = kc_strdup("http://adv:8083");
    ctx.commit_id = kc_strdup("0123456789abcdef");
    fake_herder_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rest_loggers_free(ctx.loggers);
    kc_free(ctx.advertised_base);
    kc_free(ctx.commit_id);
    fake_herder_reset();
    return 0;
}

static void expect(const char *method, const char *path, const char *ct, const char *body,
                   int status, const char *want_body)
{
    struct call c;
    call_run(&ctx, &c, method, path, ct, body);
    if (c.rs.status != status || (want_body && (c.rs.body == NULL ||
                                                strcmp(c.rs.body, want_body) != 0))) {
        fprintf(stderr, "%s %s -> %d %s\n", method, path, c.rs.status,
                c.rs.body ? c.rs.body : "(none)");
    }
    assert_int_equal(c.rs.status, status);
    if (want_body != NULL) {
        assert_non_null(c.rs.body);
        assert_string_equal(c.rs.body, want_body);
    } else {
        assert_true(c.rs.body == NULL || status >= 200);
    }
    call_fini(&c);
}

static void test_rest_router_not_found_and_method(void **state)
{
    (void)state;
    expect("GET", "/nope", NULL, NULL, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    expect("GET", "/connectors/a/b/c/d/e/f/g/h/i", NULL, NULL, 404, NULL);
    expect("DELETE", "/", NULL, NULL, 405,
           "{\"error_code\":405,\"message\":\"HTTP 405 Method Not Allowed\"}");
    expect("PATCH", "/connectors", NULL, NULL, 405, NULL);
    expect("BREW", "/connectors", NULL, NULL, 405, NULL);
    expect("GET", "//connectors", NULL, NULL, 400,
           "{\"error_code\":400,\"message\":\"Ambiguous URI empty segment\"}");
    expect("GET", "/connectors/a%2Fb", NULL, NULL, 400,
           "{\"error_code\":400,\"message\":\"Ambiguous URI path separator\"}");
    /* the 404/405 of an unmatched route carry no Content-Type, like Jersey's */
    struct call c;
    call_run(&ctx, &c, "GET", "/nope", NULL, NULL);
    assert_int_equal(c.rs.json, 0);
    call_fini(&c);
}

static void test_rest_router_media_type(void **state)
{
    (void)state;
    expect("POST", "/connectors", "text/plain", "{}", 415,
           "{\"error_code\":415,\"message\":\"HTTP 415 Unsupported Media Type\"}");
    expect("POST", "/connectors", NULL, "{\"name\":\"x\",\"config\":{}}", 415, NULL);
    expect("PUT", "/connectors/sink-a/pause", "text/plain", "x", 415, NULL);
    expect("PUT", "/connectors/sink-a/pause", JSON, "x", 202, NULL);
    expect("POST", "/connectors", "application/json; charset=UTF-8",
           "{\"name\":\"x\",\"config\":{}}", 201, NULL);
    expect("GET", "/", "text/plain", NULL, 200, NULL); /* RootResource consumes anything */
    assert_true(rest_content_type_is_json("Application/JSON"));
    assert_true(rest_content_type_is_json("application/vnd.kafka+json"));
    assert_false(rest_content_type_is_json("application/jsonx"));
    assert_false(rest_content_type_is_json(NULL));
}

static void test_rest_router_params_decoded(void **state)
{
    (void)state;
    struct call c;
    call_run(&ctx, &c, "GET", "/connectors/sink%2Da/status/", NULL, NULL);
    assert_int_equal(c.rs.status, 200);
    assert_string_equal(c.rq.params[0], "sink-a");
    call_fini(&c);
    call_run(&ctx, &c, "GET", "/connectors/my%20conn+x", NULL, NULL);
    assert_int_equal(c.rs.status, 404);
    assert_string_equal(c.rq.params[0], "my conn+x"); /* '+' is literal in a path */
    assert_string_equal(c.rs.body, "{\"error_code\":404,\"message\":\"Connector my conn+x not found\"}");
    call_fini(&c);
    call_run(&ctx, &c, "GET", "/connectors/sink-a/tasks/1/status", NULL, NULL);
    assert_string_equal(c.rq.params[1], "1");
    assert_string_equal(c.rs.body, "{\"id\":1,\"state\":\"RUNNING\",\"worker_id\":\"h:8083\","
                                   "\"version\":null}");
    call_fini(&c);
    expect("GET", "/connectors/sink-a/tasks/abc/status", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
    expect("POST", "/connectors/sink-a/tasks/99999999999/restart", NULL, NULL, 404, NULL);
    expect("POST", "/connectors/sink-a/tasks/+1/restart", NULL, NULL, 204, NULL);
    expect("GET", "/connectors/sink-a/tasks/7/status", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"No status found for task sink-a-7\"}");
}

static void test_rest_router_query(void **state)
{
    (void)state;
    struct rest_query q;
    memset(&q, 0, sizeof(q));
    assert_int_equal(rest_query_parse(&q, "expand=status&expand=info&x=a+b%21&flag"), KC_OK);
    assert_int_equal(q.n, 4);
    assert_string_equal(q.value[1], "info");
    assert_string_equal(rest_query_get(&q, "x"), "a b!");
    assert_string_equal(rest_query_get(&q, "flag"), "");
    assert_int_equal(rest_query_bool(&q, "flag", 1), 0);
    assert_int_equal(rest_query_bool(&q, "missing", 1), 1);
    for (size_t i = 0; i < q.n; i++) {
        kc_free(q.name[i]);
        kc_free(q.value[i]);
    }
}

static void test_rest_router_head_options(void **state)
{
    (void)state;
    struct call c;
    call_run(&ctx, &c, "HEAD", "/connectors", NULL, NULL);
    assert_int_equal(c.rs.status, 200);
    call_fini(&c);
    call_run(&ctx, &c, "OPTIONS", "/connectors", NULL, NULL);
    assert_int_equal(c.rs.status, 200);
    assert_string_equal(c.rs.allow, "HEAD,POST,GET,OPTIONS");
    assert_string_equal(c.rs.body, "HEAD, POST, GET, OPTIONS");
    call_fini(&c);
}

static void test_rest_router_admin_modes(void **state)
{
    (void)state;
    expect("GET", "/admin/loggers/root", NULL, NULL, 200, NULL);
    ctx.admin_mode = 2;
    expect("GET", "/admin/loggers", NULL, NULL, 404, NULL);
    ctx.admin_mode = 1;
    expect("GET", "/admin/loggers", NULL, NULL, 404, NULL);
    struct call c;
    rest_request_init(&c.rq);
    rest_response_init(&c.rs);
    c.rq.method = REST_GET;
    c.rq.path = "/admin/loggers";
    c.rq.on_admin_listener = 1;
    rest_dispatch(&ctx, &c.rq, &c.rs);
    assert_int_equal(c.rs.status, 200);
    call_fini(&c);
    ctx.admin_mode = 0;
}

static void test_rest_router_endpoints(void **state)
{
    (void)state;
    expect("GET", "/", NULL, NULL, 200,
           "{\"version\":\"4.1.0\",\"commit\":\"0123456789abcdef\",\"kafka_cluster_id\":\"CLUSTERID\"}");
    expect("GET", "/health", NULL, NULL, 200,
           "{\"status\":\"healthy\",\"message\":\"Worker has completed startup and is ready to "
           "handle requests.\"}");
    fake_herder_is_ready = 0;
    expect("GET", "/health", NULL, NULL, 503,
           "{\"status\":\"starting\",\"message\":\"Worker is still starting up.\"}");
    fake_herder_is_ready = 1;
    expect("GET", "/connectors", NULL, NULL, 200, "[\"sink-a\"]");
    /* GET answers iterate the config as the JVM's HashMap does */
    expect("GET", "/connectors/sink-a", NULL, NULL, 200,
           "{\"name\":\"sink-a\",\"config\":{\"connector.class\":\"FileStreamSink\",\"topics\":\"t\","
           "\"name\":\"sink-a\"},\"tasks\":[{\"connector\":\"sink-a\",\"task\":0}],\"type\":\"sink\"}");
    expect("GET", "/connectors/sink-a/config", NULL, NULL, 200,
           "{\"connector.class\":\"FileStreamSink\",\"topics\":\"t\",\"name\":\"sink-a\"}");
    expect("GET", "/connectors/sink-a/tasks", NULL, NULL, 200,
           "[{\"id\":{\"connector\":\"sink-a\",\"task\":0},\"config\":{\"k\":\"v\"}}]");
    expect("GET", "/connectors/sink-a/tasks-config", NULL, NULL, 200,
           "{\"sink-a-0\":{\"k\":\"v\"}}");
    expect("GET", "/connectors/sink-a/topics", NULL, NULL, 200,
           "{\"sink-a\":{\"topics\":[\"a\",\"b\"]}}");
    expect("PUT", "/connectors/sink-a/topics/reset", NULL, NULL, 202, NULL);
    ctx.topic_tracking_reset_disable = 1;
    expect("PUT", "/connectors/sink-a/topics/reset", NULL, NULL, 403,
           "{\"error_code\":403,\"message\":\"Topic tracking reset is disabled.\"}");
    ctx.topic_tracking_disable = 1;
    expect("GET", "/connectors/sink-a/topics", NULL, NULL, 403,
           "{\"error_code\":403,\"message\":\"Topic tracking is disabled.\"}");
    ctx.topic_tracking_disable = ctx.topic_tracking_reset_disable = 0;
    expect("GET", "/connectors/sink-a/offsets", NULL, NULL, 200,
           "{\"offsets\":[{\"partition\":{\"kafka_partition\":0,\"kafka_topic\":\"t\"},"
           "\"offset\":{\"kafka_offset\":5}}]}");
    expect("DELETE", "/connectors/sink-a/offsets", NULL, NULL, 200,
           "{\"message\":\"The offsets for this connector have been reset successfully\"}");
    expect("PUT", "/connectors/sink-a/stop", NULL, NULL, 204, NULL);
    expect("PUT", "/connectors/sink-a/resume", NULL, NULL, 202, NULL);
    expect("PUT", "/connectors/nope/pause", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"Unknown connector nope\"}");
    expect("DELETE", "/connectors/sink-a", NULL, NULL, 204, NULL);
    expect("POST", "/connectors/sink-a/restart", NULL, NULL, 204, NULL);
    expect("POST", "/connectors/sink-a/restart?includeTasks=true", NULL, NULL, 202, NULL);
    expect("POST", "/connectors/nope/restart", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"Unknown connector: nope\"}");
    expect("PUT", "/connectors/sink-a/fence", NULL, NULL, 400,
           "{\"error_code\":400,\"message\":\"Internal request missing required signature\"}");
    expect("POST", "/connectors/sink-a/tasks", JSON, "[]", 400,
           "{\"error_code\":400,\"message\":\"Internal request missing required signature\"}");
    expect("GET", "/connectors/nope/status", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"No status found for connector nope\"}");
}

static void test_rest_router_expand(void **state)
{
    (void)state;
    expect("GET", "/connectors?expand=zz", NULL, NULL, 200, "{\"sink-a\":{}}");
    /* "status" and "info" share a HashMap bucket: request order wins (as on the JVM) */
    expect("GET", "/connectors?expand=status&expand=info", NULL, NULL, 200,
           "{\"sink-a\":{\"status\":{\"name\":\"sink-a\",\"connector\":{\"state\":\"RUNNING\","
           "\"worker_id\":\"h:8083\",\"version\":\"4.1.0\"},\"tasks\":[{\"id\":0,\"state\":"
           "\"FAILED\",\"worker_id\":\"h:8083\",\"version\":\"4.1.0\",\"trace\":\"trace\\nline\"},"
           "{\"id\":1,\"state\":\"RUNNING\",\"worker_id\":\"h:8083\",\"version\":null}],\"type\":"
           "\"sink\"},\"info\":{\"name\":\"sink-a\",\"config\":{\"connector.class\":"
           "\"FileStreamSink\",\"topics\":\"t\",\"name\":\"sink-a\"},\"tasks\":[{\"connector\":"
           "\"sink-a\",\"task\":0}],\"type\":\"sink\"}}}");
    struct call c;
    call_run(&ctx, &c, "GET", "/connectors?expand=info&expand=status", NULL, NULL);
    assert_ptr_equal(strstr(c.rs.body, "{\"sink-a\":{\"info\":"), c.rs.body);
    call_fini(&c);
}

static void test_rest_router_create(void **state)
{
    (void)state;
    struct call c;
    call_run(&ctx, &c, "POST", "/connectors", JSON,
             "{\"name\":\" a b \",\"config\":{\"connector.class\":\"FileStreamSink\",\"tasks.max\":2,"
             "\"x\":null},\"initial_state\":\"paused\"}");
    assert_int_equal(c.rs.status, 201);
    assert_string_equal(c.rs.location, "http://localhost:8083/connectors/a%20b");
    assert_string_equal(fake_herder_last_put_name, "a b");
    assert_int_equal(fake_herder_last_put_state, HERDER_TARGET_PAUSED);
    assert_int_equal(fake_herder_last_put_replace, 0);
    assert_string_equal(kc_strmap_get(&fake_herder_last_put, "tasks.max"), "2");
    assert_true(kc_strmap_has(&fake_herder_last_put, "x"));
    assert_null(kc_strmap_get(&fake_herder_last_put, "x"));
    assert_string_equal(fake_herder_last_put.e[fake_herder_last_put.n - 1].key, "name");
    assert_string_equal(kc_strmap_get(&fake_herder_last_put, "name"), "a b");
    call_fini(&c);

    c.rq.host = NULL;
    rest_request_init(&c.rq);
    rest_response_init(&c.rs);
    c.rq.method = REST_POST;
    c.rq.path = "/connectors";
    c.rq.content_type = JSON;
    c.rq.body = "{\"name\":\"n\",\"config\":{}}";
    c.rq.body_len = strlen(c.rq.body);
    rest_dispatch(&ctx, &c.rq, &c.rs);
    assert_string_equal(c.rs.location, "http://adv:8083/connectors/n");
    call_fini(&c);

    expect("POST", "/connectors", JSON, "{\"name\":\"x\",\"config\":{\"name\":\"y\"}}", 400,
           "{\"error_code\":400,\"message\":\"Connector name configuration (y) doesn't match "
           "connector name in the URL (x)\"}");
    fake_herder_put_rc = KC_EEXIST;
    snprintf(fake_herder_put_msg, sizeof(fake_herder_put_msg), "Connector x already exists");
    expect("POST", "/connectors", JSON, "{\"name\":\"x\",\"config\":{}}", 409,
           "{\"error_code\":409,\"message\":\"Connector x already exists\"}");
    fake_herder_put_rc = KC_EIO;
    expect("POST", "/connectors", JSON, "{\"name\":\"x\",\"config\":{}}", 500, NULL);
    fake_herder_put_rc = KC_RETRY;
    expect("POST", "/connectors", JSON, "{\"name\":\"x\",\"config\":{}}", 409, NULL);
    fake_herder_put_rc = KC_EINVAL;
    expect("POST", "/connectors", JSON, "{\"name\":\"x\",\"config\":{}}", 400, NULL);
    fake_herder_put_rc = KC_OK;
}

static void test_rest_router_put_patch(void **state)
{
    (void)state;
    struct call c;
    fake_herder_created = 0;
    call_run(&ctx, &c, "PUT", "/connectors/sink-a/config", JSON, "{\"topics\":\"u\"}");
    assert_int_equal(c.rs.status, 200);
    assert_null(c.rs.location);
    assert_int_equal(fake_herder_last_put_replace, 1);
    assert_string_equal(kc_strmap_get(&fake_herder_last_put, "name"), "sink-a");
    call_fini(&c);
    fake_herder_created = 1;
    call_run(&ctx, &c, "PUT", "/connectors/sink-a/config", JSON, "{\"topics\":\"u\"}");
    assert_int_equal(c.rs.status, 201);
    assert_string_equal(c.rs.location, "http://localhost:8083/connectors/sink-a");
    call_fini(&c);
    expect("PUT", "/connectors/x/config", JSON, "{\"name\":\"y\"}", 400,
           "{\"error_code\":400,\"message\":\"Connector name configuration (y) doesn't match "
           "connector name in the URL (x)\"}");

    call_run(&ctx, &c, "PATCH", "/connectors/sink-a/config", JSON,
             "{\"topics\":null,\"tasks.max\":\"3\"}");
    assert_int_equal(c.rs.status, 200);
    assert_false(kc_strmap_has(&fake_herder_last_put, "topics"));
    assert_string_equal(kc_strmap_get(&fake_herder_last_put, "tasks.max"), "3");
    assert_string_equal(kc_strmap_get(&fake_herder_last_put, "connector.class"), "FileStreamSink");
    call_fini(&c);
    expect("PATCH", "/connectors/nope/config", JSON, "{}", 404,
           "{\"error_code\":404,\"message\":\"Connector nope not found\"}");
    expect("PATCH", "/connectors/sink-a/config", JSON, NULL, 500,
           "{\"error_code\":500,\"message\":\"Cannot invoke \\\"java.util.Map.forEach("
           "java.util.function.BiConsumer)\\\" because \\\"patch\\\" is null\"}");
}

static void test_rest_router_offsets_patch(void **state)
{
    (void)state;
    expect("PATCH", "/connectors/sink-a/offsets", JSON,
           "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":\"1\"},"
           "\"offset\":null},{\"partition\":{\"kafka_topic\":5,\"kafka_partition\":2},"
           "\"offset\":{\"kafka_offset\":\"77\"}}]}",
           200, "{\"message\":\"The offsets for this connector have been altered successfully\"}");
    assert_int_equal(fake_herder_last_alter.n, 2);
    assert_string_equal(fake_herder_last_alter.o[0].topic, "t");
    assert_int_equal(fake_herder_last_alter.o[0].partition, 1);
    assert_int_equal(fake_herder_last_alter.o[0].offset, -1);
    assert_string_equal(fake_herder_last_alter.o[1].topic, "5");
    assert_int_equal(fake_herder_last_alter.o[1].offset, 77);
    /* shape errors: a missing connector wins, as on the JVM's herder side */
    expect("PATCH", "/connectors/nope/offsets", JSON,
           "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\"}}]}", 404,
           "{\"error_code\":404,\"message\":\"Connector nope not found\"}");
    expect("PATCH", "/connectors/nope/offsets", JSON, "{\"offsets\":[]}", 400,
           "{\"error_code\":400,\"message\":\"Partitions / offsets need to be provided for an "
           "alter offsets request\"}");
}

static void test_rest_router_plugins(void **state)
{
    (void)state;
    expect("GET", "/connector-plugins", NULL, NULL, 200,
           "[{\"class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"type\":"
           "\"sink\",\"version\":\"4.1.0\"}]");
    expect("GET", "/connector-plugins?connectorsOnly=false", NULL, NULL, 200, NULL);
    expect("GET", "/connector-plugins/FileStreamSink/config", NULL, NULL, 200,
           "[{\"name\":\"file\"}]");
    expect("GET", "/connector-plugins/FileStreamSinkConnector/config", NULL, NULL, 200, NULL);
    expect("GET", "/connector-plugins/nope/config", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"Unknown plugin nope.\"}");
    expect("PUT", "/connector-plugins/FileStreamSink/config/validate", JSON,
           "{\"connector.class\":\"Foo\"}", 400,
           "{\"error_code\":400,\"message\":\"Included connector type Foo does not match request "
           "type FileStreamSink\"}");
    expect("PUT", "/connector-plugins/FileStreamSink/config/validate", JSON,
           "{\"topics\":\"t\",\"name\":\"n\",\"a\":\"1\",\"b\":null}", 500,
           "{\"error_code\":500,\"message\":\"org.apache.kafka.connect.runtime.rest.errors."
           "BadRequestException: Connector config {name=n, a=1, b=null, topics=t} contains no "
           "connector type\"}");
    expect("PUT", "/connector-plugins/FileStreamSink/config/validate", JSON,
           "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\"}", 200,
           "{\"name\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\",\"error_count\":0,"
           "\"groups\":[],\"configs\":[]}");
    expect("PUT", "/connector-plugins/Sink/config/validate", JSON,
           "{\"connector.class\":\"com.x.OtherSinkConnector\"}", 500,
           "{\"error_code\":500,\"message\":\"org.apache.kafka.connect.errors.ConnectException: "
           "Failed to find any class that implements Connector and which name matches "
           "com.x.OtherSinkConnector\"}");
    assert_true(rest_plugin_type_matches("org.a.FileStreamSinkConnector", "FileStreamSink"));
    assert_true(rest_plugin_type_matches("FileStreamSink", "FileStreamSinkConnector"));
    assert_false(rest_plugin_type_matches("Foo", "FileStreamSink"));
}

static void test_rest_router_loggers(void **state)
{
    (void)state;
    expect("GET", "/admin/loggers/nope", NULL, NULL, 404,
           "{\"error_code\":404,\"message\":\"Logger nope not found.\"}");
    expect("PUT", "/admin/loggers/x", JSON, "{\"level\":\"bogus\"}", 404,
           "{\"error_code\":404,\"message\":\"invalid log level 'bogus'.\"}");
    expect("PUT", "/admin/loggers/x", JSON, "{}", 400,
           "{\"error_code\":400,\"message\":\"Desired 'level' parameter was not specified in "
           "request.\"}");
    expect("PUT", "/admin/loggers/x", JSON, "{\"level\":\"debug\"}", 200, "[\"x\"]");
    expect("PUT", "/admin/loggers/x?scope=cluster", JSON, "{\"level\":\"debug\"}", 204, NULL);
    expect("PUT", "/admin/loggers/x?scope=bogus", JSON, "{\"level\":\"INFO\"}", 200, "[\"x\"]");
    expect("PUT", "/admin/loggers/x", JSON, NULL, 500,
           "{\"error_code\":500,\"message\":\"Cannot invoke \\\"java.util.Map.get(Object)\\\" "
           "because \\\"levelMap\\\" is null\"}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rest_router_not_found_and_method, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_media_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_params_decoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_head_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_admin_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_endpoints, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_expand, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_put_patch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_offsets_patch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_plugins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rest_router_loggers, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
