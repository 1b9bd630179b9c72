/*
 * tests/unit/rest/test_rest_body.c: request-body parsers and their JVM messages. Every expected
 * message below was answered by a live 4.1.0 JVM REST layer to the same body.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kc_alloc.h"
#include "rest_int.h"

#define SRC "\n at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
#define CCR "org.apache.kafka.connect.runtime.rest.entities.CreateConnectorRequest"

/* Parse body as POST /connectors does; returns status (0 = ok) and copies the message. */
static int create(const char *body, struct rest_create_body *cb, char *msg)
{
    struct kc_error err;
    struct rest_body b;
    int status = 0;
    kc_error_clear(&err);
    rest_create_body_init(cb);
    int rc = rest_body_read(&b, body, body ? strlen(body) : 0, &status, &err);
    if (rc == KC_OK) {
        rc = rest_create_body_parse(&b, cb, &status, &err);
    }
    rest_body_fini(&b);
    strcpy(msg, err.msg);
    return rc == KC_OK ? 0 : status;
}

static void expect_create(const char *body, int status, const char *msg)
{
    struct rest_create_body cb;
    char got[KC_ERROR_MSG_MAX];
    int st = create(body, &cb, got);
    if (st != status || strcmp(got, msg) != 0) {
        fprintf(stderr, "body %s\n got %d %s\nwant %d %s\n", body ? body : "(null)", st, got,
                status, msg);
    }
    assert_int_equal(st, status);
    assert_string_equal(got, msg);
    rest_create_body_fini(&cb);
}

static void test_rest_body_create_ok(void **state)
{
    (void)state;
    struct rest_create_body cb;
    char msg[KC_ERROR_MSG_MAX];
    assert_int_equal(create("{\"name\":\"\\t x \",\"config\":{\"a\":null,\"b\":1,\"c\":true,"
                            "\"d\":1.5,\"e\":\"s\"},\"initial_state\":\"Stopped\"} ",
                            &cb, msg),
                     0);
    assert_string_equal(cb.name, "x");
    assert_int_equal(cb.config.n, 5);
    assert_null(kc_strmap_get(&cb.config, "a"));
    assert_string_equal(kc_strmap_get(&cb.config, "b"), "1");
    assert_string_equal(kc_strmap_get(&cb.config, "c"), "true");
    assert_string_equal(kc_strmap_get(&cb.config, "d"), "1.5");
    assert_int_equal(cb.has_state, 1);
    assert_int_equal(cb.state, HERDER_TARGET_STOPPED);
    rest_create_body_fini(&cb);

    /* numbers keep their source text, as Jackson's String deserializer does (JVM-observed) */
    assert_int_equal(create("{\"name\":\"x\",\"config\":{\"a\":1.5e3,\"b\":1e20,\"c\":-0.0001,"
                            "\"d\":1e333333,\"e\":123456789012345678901234567890}}",
                            &cb, msg),
                     0);
    assert_string_equal(kc_strmap_get(&cb.config, "a"), "1.5e3");
    assert_string_equal(kc_strmap_get(&cb.config, "b"), "1e20");
    assert_string_equal(kc_strmap_get(&cb.config, "c"), "-0.0001");
    assert_string_equal(kc_strmap_get(&cb.config, "d"), "1e333333");
    assert_string_equal(kc_strmap_get(&cb.config, "e"), "123456789012345678901234567890");
    rest_create_body_fini(&cb);

    assert_int_equal(create("{\"config\":{},\"initial_state\":null}", &cb, msg), 0);
    assert_string_equal(cb.name, "");
    assert_int_equal(cb.has_state, 0);
    rest_create_body_fini(&cb);
}

static void test_rest_body_create_jvm_errors(void **state)
{
    (void)state;
    expect_create(NULL, 500,
                  "Cannot invoke \"" CCR ".name()\" because \"createRequest\" is null");
    expect_create("   ", 500, "Cannot invoke \"" CCR ".name()\" because \"createRequest\" is null");
    expect_create("null", 500,
                  "Cannot invoke \"" CCR ".name()\" because \"createRequest\" is null");
    expect_create("{\"name\":\"x\"}", 500,
                  "Cannot invoke \"java.util.Map.get(Object)\" because \"connectorConfig\" is null");
    expect_create("{\"name\":\"x\",\"config\":\"s\"}", 500,
                  "Cannot construct instance of `java.util.LinkedHashMap` (although at least one "
                  "Creator exists): no String-argument constructor/factory method to deserialize "
                  "from String value ('s')" SRC "line: 1, column: 22] (through reference chain: "
                  CCR "[\"config\"])");
    expect_create("{\"name\":\"x\",\"config\":1}", 500,
                  "Cannot deserialize value of type "
                  "`java.util.LinkedHashMap<java.lang.String,java.lang.String>` from Integer value "
                  "(token `JsonToken.VALUE_NUMBER_INT`)" SRC "line: 1, column: 22] (through "
                  "reference chain: " CCR "[\"config\"])");
    expect_create("{\"name\":\"x\",\"config\":{},\"initial_state\":\"bogus\"}", 500,
                  "Cannot construct instance of `" CCR "$InitialState`, problem: No enum constant "
                  CCR ".InitialState.BOGUS" SRC "line: 1, column: 41] (through reference chain: "
                  CCR "[\"initial_state\"])");
    expect_create("{\"name\":\"x\",\"config\":{},\"initial_state\":5}", 500,
                  "Cannot construct instance of `" CCR "$InitialState`, problem: No enum constant "
                  CCR ".InitialState.5" SRC "line: 1, column: 41] (through reference chain: "
                  CCR "[\"initial_state\"])");
    expect_create("{\"name\":\"x\",\"config\":{},\"initial_state\":{}}", 500,
                  "Cannot deserialize value of type `" CCR "$InitialState` from Object value "
                  "(token `JsonToken.START_OBJECT`)" SRC "line: 1, column: 41] (through reference "
                  "chain: " CCR "[\"initial_state\"])");
    expect_create("{\"name\":\" x \",\"config\":{\"a\":null,\"b\":1,\"c\":true},\"initial_state\":"
                  "\"paused\",\"extra\":1}",
                  500,
                  "Unrecognized field \"extra\" (class " CCR "), not marked as ignorable (3 known "
                  "properties: \"config\", \"name\", \"initial_state\"])" SRC "line: 1, column: "
                  "84] (through reference chain: " CCR "[\"extra\"])");
    expect_create("[1]", 500,
                  "Cannot deserialize value of type `" CCR "` from Array value (token "
                  "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 1]");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":[1]}}", 500,
                  "Cannot deserialize value of type `java.lang.String` from Array value (token "
                  "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 27] (through reference chain: "
                  CCR "[\"config\"]->java.util.LinkedHashMap[\"a\"])");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":{\"b\":1}}}", 500,
                  "Cannot deserialize value of type `java.lang.String` from Object value (token "
                  "`JsonToken.START_OBJECT`)" SRC "line: 1, column: 27] (through reference chain: "
                  CCR "[\"config\"]->java.util.LinkedHashMap[\"a\"])");
    expect_create("{\"name\":[\"x\"],\"config\":{}}", 500,
                  "Cannot deserialize value of type `java.lang.String` from Array value (token "
                  "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 9] (through reference chain: "
                  CCR "[\"name\"])");
}

static void test_rest_body_syntax(void **state)
{
    (void)state;
    char deep[2100];
    size_t dl = 0;
    dl += (size_t)snprintf(deep, sizeof(deep), "{\"x\":");
    for (int i = 0; i < 1001; i++) {
        deep[dl++] = '[';
    }
    for (int i = 0; i < 1001; i++) {
        deep[dl++] = ']';
    }
    deep[dl++] = '}';
    deep[dl] = '\0';
    expect_create(deep, 500,
                  "Document nesting depth (1001) exceeds the maximum allowed (1000, from "
                  "`StreamReadConstraints.getMaxNestingDepth()`)");
    /* Jackson's syntax errors, as the 4.1.0 JVM answered them */
    expect_create("{bad", 500,
                  "Unexpected character ('b' (code 98)): was expecting double-quote to start field "
                  "name" SRC "line: 1, column: 2]");
    expect_create("{\"name\":\"x\",}", 500,
                  "Unexpected character ('}' (code 125)): was expecting double-quote to start "
                  "field name" SRC "line: 1, column: 13]");
    expect_create("{\"name\":\"x\"", 500,
                  "Unexpected end-of-input: expected close marker for Object (start marker at "
                  "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
                  "line: 1, column: 1])" SRC "line: 1, column: 12]");
    expect_create("{\"name\":\"x\" \"c\"}", 500,
                  "Unexpected character ('\"' (code 34)): was expecting comma to separate Object "
                  "entries" SRC "line: 1, column: 13]");
    expect_create("abc", 500,
                  "Unrecognized token 'abc': was expecting (JSON String, Number, Array, Object or "
                  "token 'null', 'true' or 'false')" SRC "line: 1, column: 4]");
    expect_create("{\"name\":\"x\",\"config\":{}} garbage", 500,
                  "Unrecognized token 'garbage': was expecting (JSON String, Number, Array, Object "
                  "or token 'null', 'true' or 'false')" SRC "line: 1, column: 33]");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":\"b\"}}}", 500,
                  "Unexpected close marker '}': no open Object to close" SRC "line: 1, column: 32]");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":tru}}", 500,
                  "Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or "
                  "token 'null', 'true' or 'false')" SRC "line: 1, column: 31] (through reference "
                  "chain: " CCR "[\"config\"])");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":\"b", 500,
                  "Unexpected end-of-input in VALUE_STRING" SRC "line: 1, column: 29] (through "
                  "reference chain: " CCR "[\"config\"])");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":01}}", 500,
                  "Invalid numeric value: Leading zeroes not allowed" SRC "line: 1, column: 28] "
                  "(through reference chain: " CCR "[\"config\"])");
    expect_create("{\"name\":\"x\",\"config\":{\"a\" \"b\"}}", 500,
                  "Unexpected character ('\"' (code 34)): was expecting a colon to separate field "
                  "name and value" SRC "line: 1, column: 27] (through reference chain: " CCR
                  "[\"config\"])");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":}}", 500,
                  "Unexpected character ('}' (code 125)): expected a value" SRC "line: 1, column: "
                  "27] (through reference chain: " CCR "[\"config\"])");
    /* tests/integration/reference/jvm_4.1.0_observations.md #16 */
    expect_create("{\"name\": \"x\", \"config\": {", 500,
                  "Unexpected end-of-input: expected close marker for Object (start marker at "
                  "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
                  "line: 1, column: 25])" SRC "line: 1, column: 26] (through reference chain: " CCR
                  "[\"config\"])");
    /* mapping errors met before the syntax error win, as in Jackson's streaming read */
    expect_create("[1,]", 500,
                  "Cannot deserialize value of type `" CCR "` from Array value (token "
                  "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 1]");
    expect_create("{\"name\":\"x\",\"config\":{\"a\":[1]}", 500,
                  "Cannot deserialize value of type `java.lang.String` from Array value (token "
                  "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 27] (through reference chain: "
                  CCR "[\"config\"]->java.util.LinkedHashMap[\"a\"])");
    /* unknown properties before all creator properties are seen are reported at the end */
    expect_create("{\"a\":1}{", 500,
                  "Unrecognized field \"a\" (class " CCR "), not marked as ignorable (3 known "
                  "properties: \"config\", \"name\", \"initial_state\"])" SRC "line: 1, column: 8] "
                  "(through reference chain: " CCR "[\"a\"])");
    expect_create("{\"extra\":1,\"name\":\"x\",\"config\":{\"a\":[1]}}", 500,
                  "Cannot deserialize value of type `java.lang.String` from Array value (token "
                  "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 37] (through reference chain: "
                  CCR "[\"config\"]->java.util.LinkedHashMap[\"a\"])");
    expect_create("{\"extra\":1,\"name\":\"x\",\"config\":{}", 500,
                  "Unexpected end-of-input: expected close marker for Object (start marker at "
                  "[Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); "
                  "line: 1, column: 1])" SRC "line: 1, column: 34]");
    expect_create("{\"name\":\"x\",\"config\":{},\"initial_state\":\"PAUSED\",\"e\":{\"z\":1}}", 500,
                  "Unrecognized field \"e\" (class " CCR "), not marked as ignorable (3 known "
                  "properties: \"config\", \"name\", \"initial_state\"])" SRC "line: 1, column: 55] "
                  "(through reference chain: " CCR "[\"e\"])");
    expect_create("{\n \"name\":\"x\",}", 500,
                  "Unexpected character ('}' (code 125)): was expecting double-quote to start "
                  "field name" SRC "line: 2, column: 13]");
}

static int config_map(const char *body, struct kc_strmap *m, char *msg)
{
    struct kc_error err;
    struct rest_body b;
    int status = 0;
    kc_error_clear(&err);
    kc_strmap_init(m);
    int rc = rest_body_read(&b, body, strlen(body), &status, &err);
    if (rc == KC_OK) {
        rc = rest_config_body_parse(&b, "connectorConfig", m, &status, &err);
    }
    rest_body_fini(&b);
    strcpy(msg, err.msg);
    return rc == KC_OK ? 0 : status;
}

static void test_rest_body_config_map(void **state)
{
    (void)state;
    struct kc_strmap m;
    char msg[KC_ERROR_MSG_MAX];
    assert_int_equal(config_map("{\"a\":\"1\",\"b\":false,\"a\":\"2\"}", &m, msg), 0);
    assert_int_equal(m.n, 2);
    assert_string_equal(kc_strmap_get(&m, "a"), "2"); /* last duplicate wins, like Jackson */
    kc_strmap_fini(&m);
    assert_int_equal(config_map("[1]", &m, msg), 500);
    assert_string_equal(msg, "Cannot deserialize value of type "
                             "`java.util.LinkedHashMap<java.lang.String,java.lang.String>` from "
                             "Array value (token `JsonToken.START_ARRAY`)" SRC "line: 1, column: 1]");
    kc_strmap_fini(&m);
    assert_int_equal(config_map("\"s\"", &m, msg), 500);
    assert_string_equal(msg, "Cannot construct instance of `java.util.LinkedHashMap` (although at "
                             "least one Creator exists): no String-argument constructor/factory "
                             "method to deserialize from String value ('s')" SRC
                             "line: 1, column: 1]");
    kc_strmap_fini(&m);
    assert_int_equal(config_map("{\"a\":[1]}", &m, msg), 500);
    assert_string_equal(msg, "Cannot deserialize value of type `java.lang.String` from Array value "
                             "(token `JsonToken.START_ARRAY`)" SRC "line: 1, column: 6] (through "
                             "reference chain: java.util.LinkedHashMap[\"a\"])");
    kc_strmap_fini(&m);
}

#define CO_S "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffsets"
#define CO_1 "org.apache.kafka.connect.runtime.rest.entities.ConnectorOffset"

static int offsets(const char *body, struct herder_offsets *os, char *msg)
{
    struct kc_error err;
    struct rest_body b;
    int status = 0;
    kc_error_clear(&err);
    int rc = rest_body_read(&b, body, strlen(body), &status, &err);
    if (rc == KC_OK) {
        rc = rest_offsets_body_parse(&b, os, &status, &err);
    }
    rest_body_fini(&b);
    strcpy(msg, err.msg);
    return rc == KC_OK ? 0 : status;
}

static void expect_offsets(const char *body, int status, const char *msg)
{
    struct herder_offsets os = {NULL, 0};
    char got[KC_ERROR_MSG_MAX];
    int st = offsets(body, &os, got);
    if (st != status || strcmp(got, msg) != 0) {
        fprintf(stderr, "body %s\n got %d %s\nwant %d %s\n", body, st, got, status, msg);
    }
    assert_int_equal(st, status);
    assert_string_equal(got, msg);
    assert_null(os.o);
}

static void test_rest_body_offsets(void **state)
{
    (void)state;
    struct herder_offsets os = {NULL, 0};
    char msg[KC_ERROR_MSG_MAX];
    assert_int_equal(offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\","
                             "\"kafka_partition\":-3},\"offset\":{\"kafka_offset\":9007199254740993}"
                             "},{\"partition\":{\"kafka_topic\":true,\"kafka_partition\":\"+2\"}}]}",
                             &os, msg),
                     0);
    assert_int_equal(os.n, 2);
    assert_int_equal(os.o[0].partition, -3);
    assert_int_equal(os.o[0].offset, 9007199254740993LL);
    assert_string_equal(os.o[1].topic, "true");
    assert_int_equal(os.o[1].partition, 2);
    assert_int_equal(os.o[1].offset, -1);
    for (size_t i = 0; i < os.n; i++) {
        kc_free(os.o[i].topic);
    }
    kc_free(os.o);

    expect_offsets("{}", 400, "Partitions / offsets need to be provided for an alter offsets request");
    expect_offsets("{\"offsets\":null}", 400,
                   "Partitions / offsets need to be provided for an alter offsets request");
    expect_offsets("{\"offsets\":\"x\"}", 500,
                   "Cannot deserialize value of type `java.util.ArrayList<" CO_1 ">` from String "
                   "value (token `JsonToken.VALUE_STRING`)" SRC "line: 1, column: 12] (through "
                   "reference chain: " CO_S "[\"offsets\"])");
    expect_offsets("{\"offsets\":{}}", 500,
                   "Cannot deserialize value of type `java.util.ArrayList<" CO_1 ">` from Object "
                   "value (token `JsonToken.START_OBJECT`)" SRC "line: 1, column: 12] (through "
                   "reference chain: " CO_S "[\"offsets\"])");
    expect_offsets("[1]", 500,
                   "Cannot deserialize value of type `" CO_S "` from Array value (token "
                   "`JsonToken.START_ARRAY`)" SRC "line: 1, column: 1]");
    expect_offsets("{\"offsets\":[],\"y\":2}", 500,
                   "Unrecognized field \"y\" (class " CO_S "), not marked as ignorable (one known "
                   "property: \"offsets\"])" SRC "line: 1, column: 20] (through reference chain: "
                   CO_S "[\"y\"])");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":\"1\"},"
                   "\"offset\":null,\"x\":1}]}",
                   500,
                   "Unrecognized field \"x\" (class " CO_1 "), not marked as ignorable (2 known "
                   "properties: \"partition\", \"offset\"])" SRC "line: 1, column: 87] (through "
                   "reference chain: " CO_S "[\"offsets\"]->java.util.ArrayList[0]->" CO_1
                   "[\"x\"])");
    expect_offsets("{\"offsets\":[{\"x\":1,\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\""
                   ":1}}]}",
                   500,
                   "Unrecognized field \"x\" (class " CO_1 "), not marked as ignorable (2 known "
                   "properties: \"partition\", \"offset\"])" SRC "line: 1, column: 72] (through "
                   "reference chain: " CO_S "[\"offsets\"]->java.util.ArrayList[0]->" CO_1
                   "[\"x\"])");
    expect_offsets("{\"offsets\":[null]}", 500,
                   "Cannot invoke \"" CO_1 ".partition()\" because \"offset\" is null");
    expect_offsets("{\"offsets\":[{\"partition\":\"p\"}]}", 500,
                   "Cannot construct instance of `java.util.LinkedHashMap` (although at least one "
                   "Creator exists): no String-argument constructor/factory method to deserialize "
                   "from String value ('p')" SRC "line: 1, column: 26] (through reference chain: "
                   CO_S "[\"offsets\"]->java.util.ArrayList[0]->" CO_1 "[\"partition\"])");
    expect_offsets("{\"offsets\":[{}]}", 400,
                   "The partition for a sink connector offset cannot be null or missing");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\"}}]}", 400,
                   "The partition for a sink connector offset must contain the keys 'kafka_topic' "
                   "and 'kafka_partition'");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":null,\"kafka_partition\":1}}]}",
                   400, "Kafka topic names must be valid strings and may not be null");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":null}}]}",
                   400, "Kafka partitions must be valid numbers and may not be null");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1.5}}]}",
                   400, "Failed to parse the following Kafka partition value in the provided "
                        "offsets: '1.5'. Partition values for sink connectors need to be integers.");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":"
                   "2147483648}}]}",
                   400, "Failed to parse the following Kafka partition value in the provided "
                        "offsets: '2147483648'. Partition values for sink connectors need to be "
                        "integers.");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1},"
                   "\"offset\":{}}]}",
                   400, "The offset for a sink connector should either be null or contain the key "
                        "'kafka_offset'");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1},"
                   "\"offset\":{\"kafka_offset\":\"x1\"}}]}",
                   400, "Failed to parse the following Kafka offset value in the provided "
                        "offsets: 'x1'. Offset values for sink connectors need to be integers.");
    expect_offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1},"
                   "\"offset\":{\"kafka_offset\":1e3}}]}",
                   400, "Failed to parse the following Kafka offset value in the provided "
                        "offsets: '1000.0'. Offset values for sink connectors need to be integers.");
}

static int logger(const char *body, const char **level, char *msg, struct rest_body *b)
{
    struct kc_error err;
    int status = 0;
    kc_error_clear(&err);
    int rc = rest_body_read(b, body, strlen(body), &status, &err);
    if (rc == KC_OK) {
        rc = rest_logger_body_parse(b, level, &status, &err);
    }
    strcpy(msg, err.msg);
    return rc == KC_OK ? 0 : status;
}

static void test_rest_body_logger(void **state)
{
    (void)state;
    struct rest_body b;
    const char *level = NULL;
    char msg[KC_ERROR_MSG_MAX];
    assert_int_equal(logger("{\"level\":\"debug\"}", &level, msg, &b), 0);
    assert_string_equal(level, "debug");
    rest_body_fini(&b);
    assert_int_equal(logger("{\"level\":5}", &level, msg, &b), 404);
    assert_string_equal(msg, "invalid log level '5'.");
    rest_body_fini(&b);
    assert_int_equal(logger("{\"level\":\"info\",\"x\":[1]}", &level, msg, &b), 500);
    assert_string_equal(msg, "Cannot deserialize value of type `java.lang.String` from Array "
                             "value (token `JsonToken.START_ARRAY`)" SRC "line: 1, column: 21] "
                             "(through reference chain: java.util.LinkedHashMap[\"x\"])");
    rest_body_fini(&b);
    assert_int_equal(logger("[1]", &level, msg, &b), 500);
    assert_string_equal(msg, "Cannot deserialize value of type "
                             "`java.util.LinkedHashMap<java.lang.String,java.lang.String>` from "
                             "Array value (token `JsonToken.START_ARRAY`)" SRC "line: 1, column: 1]");
    rest_body_fini(&b);
}

static void test_rest_body_alloc_failures(void **state)
{
    (void)state;
    /* every allocation failing in turn must give an error, never a crash or a leak */
    const char *body = "{\"name\":\"x\",\"config\":{\"a\":\"1\",\"b\":\"2\"},\"initial_state\":\"PAUSED\"}";
    for (long n = 0; n < 200; n++) {
        struct rest_create_body cb;
        char msg[KC_ERROR_MSG_MAX];
        kc_alloc_fail_after(n);
        (void)create(body, &cb, msg);
        kc_alloc_fail_after(-1);
        rest_create_body_fini(&cb);
    }
    for (long n = 0; n < 200; n++) {
        struct herder_offsets os = {NULL, 0};
        char msg[KC_ERROR_MSG_MAX];
        kc_alloc_fail_after(n);
        int st = offsets("{\"offsets\":[{\"partition\":{\"kafka_topic\":\"t\",\"kafka_partition\":1}"
                         "}]}",
                         &os, msg);
        kc_alloc_fail_after(-1);
        if (st == 0) {
            for (size_t i = 0; i < os.n; i++) {
                kc_free(os.o[i].topic);
            }
            kc_free(os.o);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest_body_create_ok),
        cmocka_unit_test(test_rest_body_create_jvm_errors),
        cmocka_unit_test(test_rest_body_syntax),
        cmocka_unit_test(test_rest_body_config_map),
        cmocka_unit_test(test_rest_body_offsets),
        cmocka_unit_test(test_rest_body_logger),
        cmocka_unit_test(test_rest_body_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
